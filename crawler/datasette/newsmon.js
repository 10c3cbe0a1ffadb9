/* newsmon serve: the reviewer's desk. Served at /-/newsmon.js; plain script, no build step.
 *
 * Keyboard triage and decisions in place: each row (and the article page's review box) is a
 * form posting to /-/review, which works without this script; with it the post is a fetch, the
 * row leaves the list, the next one is focused, and a confirmation names the article with an
 * Undo. Every decision carries the status the page showed, so a decision on a stale page is
 * refused by the server with who changed it and when, and the version of the text it showed, so
 * one on a text changed since (a revisit's new version) is refused too: taken, it hid the new
 * version, which nobody had read, from every list.
 */
(function () {
  "use strict";

  const token = (document.querySelector('meta[name="newsmon-csrftoken"]') || {}).content || "";
  const toast = document.getElementById("nm-toast");
  const help = document.getElementById("nm-help");
  const bulk = document.querySelector(".nm-bulk");
  const single = document.querySelector(".nm-single");
  const anyForm = document.querySelector("form.nm-decide");
  const reviewUrl = anyForm ? anyForm.action : "/-/review";
  const undoUrl = reviewUrl.replace(/\/-\/review$/, "/-/undo");
  const undoStack = [];
  let current = null;
  // Decisions and undos reach the server one after another, in the order of the keys: a second
  // key pressed while the first decision was on its way acted on the same row again (refused as
  // a stale page, "set by" the reviewer herself) and an undo took back nothing yet recorded.
  let queue = Promise.resolve();
  const inTurn = (fn) => (queue = queue.then(fn, fn));
  // Rows (or the article) whose decision is on its way. A second click on the same button (a
  // double-click) was a second decision on the same row: refused as a stale page, it made that
  // row, gone from the list, the current one, and the next key acted on the top row instead.
  const busy = new Set();
  // Decisions sent, in the order of the keys; and the refusal a later decision's confirmation
  // would hide. A slow answer that refused one (a 502, a stale page) came back after the reviewer
  // had decided the next row: the confirmation of that one replaced its message at once, and the
  // refused row, current again, took the key meant for the row read next (d on one judged relevant).
  let sent = 0;
  let unseen = null;
  // The turns of the decisions keyed and not yet taken back, the last one the one u means; and why each of those
  // that changed nothing did not. u pressed while a decision was on its way popped the undo stack once the answer
  // was back: a refused decision had left nothing there, and u took back the decision before it, on another
  // article, its confirmation replacing the refusal.
  const keyed = [];
  const unchanged = new Map();

  const ids = (item) => item.dataset.ids.split(",").map(Number);
  // A row whose decision is on its way is left already: the next key acts on the row after it.
  const visible = () => Array.from(document.querySelectorAll(".nm-list > .nm-item:not([hidden]):not(.nm-pending)"));

  function setCurrent(item, scroll) {
    if (!item) return;
    if (current) current.classList.remove("nm-current");
    current = item;
    item.classList.add("nm-current");
    item.focus({ preventScroll: true });
    if (scroll !== false) item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const items = visible();
    if (!items.length) return;
    const at = items.indexOf(current);
    if (at >= 0) {
      setCurrent(items[Math.max(0, Math.min(items.length - 1, at + step))]);
      return;
    }
    // The current row has left the list (decided): its neighbour, never the top of the list,
    // which the reviewer may not have read.
    const after = current ? items.findIndex((item) => current.compareDocumentPosition(item) & Node.DOCUMENT_POSITION_FOLLOWING) : 0;
    if (step < 0 && after !== 0) setCurrent(items[(after < 0 ? items.length : after) - 1]);
    else setCurrent(items[after < 0 ? items.length - 1 : after]);
  }

  function target() {
    if (single) return single;
    if (!current || current.hidden) move(0);
    return current;
  }

  function say(text, options) {
    const opts = options || {};
    if (!toast) return;
    toast.querySelector(".nm-toast-text").textContent = text;
    toast.querySelector(".nm-undo").hidden = !opts.undo;
    // Its Undo takes back the decision this line names, not one keyed since.
    toast.dataset.turn = opts.undo && opts.turn ? String(opts.turn) : "";
    toast.classList.toggle("nm-error", !!opts.error);
    toast.setAttribute("role", opts.error ? "alert" : "status");
    toast.hidden = false;
    // The toast stays, fixed over the foot of the page: on a phone it covered the last row's buttons
    // with no way to scroll them clear (its Undo over them). The page gets room below to scroll
    // into, and the current row is scrolled clear of it.
    const room = toast.offsetHeight + 2 * (window.innerHeight - toast.getBoundingClientRect().bottom) + "px";
    document.body.style.paddingBottom = room;
    document.documentElement.style.scrollPaddingBottom = room;
  }

  async function post(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrftoken": token },
        body: JSON.stringify(body),
      });
    } catch (err) {
      return { ok: false, error: "The server did not answer (" + err.message + ")." };
    }
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (err) {
      return { ok: false, error: "The server answered " + response.status + ": " + text.slice(0, 300) };
    }
  }

  function change(selector, delta) {
    if (!delta) return;
    for (const el of document.querySelectorAll(selector)) {
      // "14" or "14 unread": the number is the first word.
      const [n, ...rest] = el.textContent.trim().split(" ");
      el.textContent = [String(Math.max(0, Number(n) + delta)), ...rest].join(" ");
    }
  }

  // The header's other lists a decision moves articles into or out of: follow-up, and the
  // queue's unread. ``sign``: 1 for a decision, -1 for its undo. The unread are the row's own
  // that the count holds (data-unread): a story of 31 with one unread took 31 off, and an
  // article of "maybe missed", never counted there, took one.
  function moveInHeader(entries, sign) {
    const onFollowUp = !!document.querySelector('.nm-nav a[aria-current][href$="/follow-up"]');
    for (const { item, from, to, articles } of entries) {
      if (from === to) continue;
      if (!onFollowUp) change('.nm-nav a[href$="/follow-up"] .nm-n', sign * ((to === "follow-up") - (from === "follow-up")) * articles);
      if ((from === "new") !== (to === "new")) {
        change(".nm-unread-count", sign * (to === "new" ? 1 : -1) * Number(item.dataset.unread || 0));
      }
    }
  }

  // The page's own count is of its rows (on the queue, a row is a story of several articles);
  // the header's is of articles.
  function adjustCounts(rows, articles) {
    change(".nm-count", rows);
    change(".nm-nav a[aria-current] .nm-n", articles);
    // The next page starts that many rows earlier: at a fixed offset, the rows that moved up
    // onto this page were on neither.
    for (const link of document.querySelectorAll('.nm-pages a[rel="next"]')) {
      const url = new URL(link.href);
      url.searchParams.set("offset", String(Math.max(0, Number(url.searchParams.get("offset") || 0) + rows)));
      link.href = url.toString();
    }
  }

  // A page whose rows were all decided says so, and whether more are waiting on the next page:
  // "Nothing left to review" with 47 more in the queue sent the reviewer away from them.
  function showEmpty() {
    const empty = document.querySelector(".nm-empty");
    if (!empty || single) return;
    const none = visible().length === 0;
    empty.hidden = !none;
    const more = empty.querySelector(".nm-more");
    const left = Number((document.querySelector(".nm-count") || {}).textContent || 0);
    if (!more || !none) return;
    more.hidden = !(left > 0);
    empty.querySelector(".nm-none").hidden = left > 0;
    if (left > 0) {
      const next = document.querySelector('.nm-pages a[rel="next"]');
      // After this page (the next page's link, moved up by the rows that left), else before it.
      more.querySelector("a").href = next ? next.href : "?";
      more.querySelector(".nm-more-n").textContent = String(left);
    }
  }

  function setStatus(item, status) {
    item.dataset.status = status;
    if (!single) return;
    for (const el of document.querySelectorAll(".newsmon-current-status, .newsmon-current-badge")) {
      el.textContent = status;
      el.className = el.className.replace(/status-[\w-]+/, "status-" + status);
    }
  }

  function showNote(item, note) {
    if (!note || single) return false;
    let box = item.querySelector(".nm-note-text");
    if (!box) {
      box = document.createElement("div");
      box.className = "nm-note-text";
      item.querySelector(".nm-main").appendChild(box);
    }
    box.textContent = box.textContent ? box.textContent + "\n" + note : note;
    return true;
  }

  // An undone note leaves the row as it left the database.
  function unshowNote(item, note) {
    const box = item.querySelector(".nm-note-text");
    if (!box) return;
    const lines = box.textContent.split("\n");
    const at = lines.lastIndexOf(note);
    if (at >= 0) lines.splice(at, 1);
    if (lines.length) box.textContent = lines.join("\n");
    else box.remove();
  }

  function closeNote(item) {
    const details = item && item.querySelector(".nm-notebox");
    if (details) details.open = false;
  }

  // The note typed into a row's (or the article's) note field and not saved yet: it goes with
  // the decision, as it does when the decision is a click in the same form. A key decided
  // without it, and the field was emptied: the note lost.
  function typedNote(item) {
    const input = single ? document.getElementById("newsmon-note") : item && item.querySelector(".nm-note-input");
    return input && input.value.trim() ? input.value : null;
  }

  function decide(items, status, note) {
    items = items.filter((item) => item && !busy.has(item));
    if (!items.length) return queue;
    for (const item of items) busy.add(item);
    const body = { ids: [], status: status || null, note: note || null, expected: {}, versions: {}, texts: {} };
    for (const item of items) {
      // In the order of the ids; none when the database has no versions. The texts (their hashes)
      // are what the server compares: an older version an ingest adds renumbers the text shown.
      const versions = (item.dataset.versions || "").split(",");
      const texts = (item.dataset.texts || "").split(",");
      ids(item).forEach((id, n) => {
        body.ids.push(id);
        body.expected[id] = item.dataset.status;
        if (versions[n]) body.versions[id] = Number(versions[n]);
        if (texts[n]) body.texts[id] = texts[n];
      });
    }
    const leaving = !single && !!status;
    let after = null;
    if (leaving) {
      const all = visible();
      const lastAt = Math.max(...items.map((item) => all.indexOf(item)));
      after = all.slice(lastAt + 1).find((item) => !items.includes(item)) || null;
      for (const item of items) item.classList.add("nm-pending");
      if (items.includes(current)) setCurrent(after || visible()[visible().length - 1]);
    }
    // Where the keys went on to: moving from there is going on, on the page's last row too (no row after it).
    const landed = current;
    const turn = ++sent;
    keyed.push(turn);
    return inTurn(() => send(items, body, leaving, after, turn, landed));
  }

  async function send(items, body, leaving, after, turn, landed) {
    const data = await post(reviewUrl, body);
    for (const item of items) {
      item.classList.remove("nm-pending");
      busy.delete(item);
    }
    const done = data.decisions || [];
    const byArticle = new Map(done.map((d) => [d.article_id, d]));
    const changed = items.filter((item) => ids(item).some((id) => byArticle.has(id)));
    // A row the server did not change is back in the list, and current again: its message says why.
    // Unless the reviewer has gone on (decided or moved since): the keys stay on the row they read.
    const back = items.filter((item) => !changed.includes(item) && !item.hidden);
    const kept = back[0];
    const goneOn = turn !== sent || current !== landed;
    if (leaving && kept && !goneOn) setCurrent(kept);
    // Each of a bulk decision's rows that came back, not only the first.
    for (const item of items) item.classList.toggle("nm-refused", back.includes(item) && goneOn);
    if (changed.length) {
      const record = { turn, entries: done.map((d) => d.id), items: [] };
      let left = 0;
      let leftArticles = 0;
      for (const item of changed) {
        const d = byArticle.get(ids(item).find((id) => byArticle.has(id)));
        const entry = { item, from: item.dataset.status, to: d.to_status, articles: ids(item), note: null };
        record.items.push(entry);
        setStatus(item, d.to_status);
        const input = item.querySelector(".nm-note-input");
        if (input) input.value = "";
        closeNote(item);
        if (d.to_status !== d.from_status && !single) {
          item.hidden = true;
          left += 1;
          leftArticles += ids(item).filter((id) => byArticle.has(id)).length;
          const box = item.querySelector(".nm-select");
          if (box) box.checked = false;
        } else if (showNote(item, d.note)) {
          entry.note = d.note;
        }
      }
      undoStack.push(record);
      moveInHeader(record.items.map((e) => ({ ...e, articles: e.articles.filter((id) => byArticle.has(id)).length })), 1);
      adjustCounts(-left, -leftArticles);
      updateBulk();
      showEmpty();
      if (!single && left && (!current || current.hidden)) {
        const rest = visible();
        setCurrent(after && !after.hidden && rest.includes(after) ? after : rest[rest.length - 1]);
      }
    }
    // Undo only for what this decision did: with nothing done, the button would take back the
    // stack's last entry, an earlier decision on another article.
    const undoable = changed.length > 0;
    const refused = !kept ? "" : "«" + kept.dataset.title + "»" +
      (back.length > 1 ? " and " + (back.length - 1) + " more were" : " was") + " not changed: ";
    // The server's own refusals name the article; a proxy's 502 or a lost connection do not.
    const error = data.ok ? null : data.error && !data.error.startsWith("«") ? refused + data.error : data.error;
    let text = data.ok && undoable ? data.message : data.ok ? "Nothing changed." :
      undoable ? data.message + ". " + error : error || "Nothing changed.";
    if (unseen) text = text.replace(/\.?$/, ". ") + unseen;
    if (!undoable) unchanged.set(turn, { text: error || "the decision changed nothing.", error: !!error });
    say(text, { undo: undoable, error: !!(error || unseen), turn });
    // Until the last answer the reviewer waits for, the next confirmation replaces this one: it says the refusals too.
    unseen = turn !== sent ? [unseen, error].filter(Boolean).join(" ") || null : null;
  }

  // u takes back the decision keyed last (its answer may be on its way); the toast's Undo, the one it names.
  function undoLast(turn) {
    const at = turn ? keyed.lastIndexOf(turn) : keyed.length - 1;
    if (turn && at < 0) return queue;  // taken back already (u, then the button): its answer says so
    const meant = at >= 0 ? keyed.splice(at, 1)[0] : null;
    return inTurn(() => undoNow(meant));
  }

  async function undoNow(turn) {
    const why = unchanged.get(turn);
    if (why) {
      unchanged.delete(turn);
      say("Nothing undone: " + why.text, { error: why.error });
      return;
    }
    const at = undoStack.findIndex((record) => record.turn === turn);
    const last = at >= 0 ? undoStack.splice(at, 1)[0] : null;
    if (!last) {
      // The page's own decisions only (a reload or Back forgets them): the others are undone there.
      say("Nothing to undo on this page: Decisions (in the header) undoes earlier ones.");
      return;
    }
    const data = await post(undoUrl, { entries: last.entries });
    const undone = new Set((data.decisions || []).map((d) => d.article_id));
    let back = 0;
    let backArticles = 0;
    const returned = [];
    for (const entry of last.items) {
      if (!entry.articles.some((id) => undone.has(id))) continue;
      returned.push({ ...entry, articles: entry.articles.filter((id) => undone.has(id)).length });
      if (entry.note) unshowNote(entry.item, entry.note);
      setStatus(entry.item, entry.from);
      if (entry.item.hidden) {
        entry.item.hidden = false;
        back += 1;
        backArticles += entry.articles.filter((id) => undone.has(id)).length;
      }
    }
    moveInHeader(returned, -1);
    adjustCounts(back, backArticles);
    showEmpty();
    const first = last.items.find((e) => e.articles.some((id) => undone.has(id)));
    if (first && !single) setCurrent(first.item);
    if (data.ok) say(data.message);
    else say(data.error || "Nothing was undone.", { error: true });
  }

  function selected() {
    return Array.from(document.querySelectorAll(".nm-item:not([hidden]) .nm-select:checked"))
      .map((box) => box.closest(".nm-item"));
  }

  function updateBulk() {
    if (!bulk) return;
    const n = selected().length;
    bulk.hidden = n === 0;
    bulk.querySelector(".nm-bulk-count").textContent = n + " selected";
  }

  function toggleHelp(show) {
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  function openNote(item) {
    if (!item) return;
    const details = item.querySelector(".nm-notebox");
    if (details) details.open = true;
    const input = item.querySelector(".nm-note-input");
    if (input) input.focus();
  }

  function open(item) {
    if (!item || single) return;
    window.location.href = item.dataset.href;
  }

  document.addEventListener("keydown", (e) => {
    // Keys only where there is something to triage (the lists, an article), not on Datasette's pages.
    if (!help || e.ctrlKey || e.metaKey || e.altKey) return;
    // A key that an input method is composing with is its own (Enter confirms a conversion):
    // taken as the note's Enter, it saved the kana before they were converted.
    if (e.isComposing || e.keyCode === 229) return;
    const t = e.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) {
      const item = t.closest(".nm-item");
      if (e.key === "Escape") {
        closeNote(item);
        t.blur();
        if (item && !single) setCurrent(item);
      } else if (e.key === "Enter" && !e.shiftKey && t.classList.contains("nm-note-input")) {
        // In the article's textarea too, as the keys' help says; Shift+Enter starts a new line.
        e.preventDefault();
        t.blur();  // the keys act on the row again once the note is saved
        decide([item], null, t.value);
        if (item && !single) setCurrent(item, false);
      }
      return;
    }
    if (!help.hidden && e.key !== "?" && e.key !== "Escape") return;
    // A key held down repeats (after half a second, some thirty a second): d held a moment too long dismissed the
    // rows after the one read, unread, and u undid decision after decision. Moving (j, k) goes on repeating.
    if (e.repeat && ["r", "f", "d", "D", "u", "x"].includes(e.key)) {
      e.preventDefault();
      return;
    }
    const onControl = t.closest && t.closest("a, button, summary");
    switch (e.key) {
      case "j":
        if (single) {
          const next = document.querySelector('.nm-next a[rel="next"]');
          if (next) window.location.href = next.href;
        } else if (!visible().length) {
          const more = document.querySelector(".nm-more:not([hidden]) a");
          if (more) window.location.href = more.href;
        } else move(1);
        break;
      case "k": move(-1); break;
      case "o": open(target()); break;
      case "Enter":
        if (onControl) return;
        open(target());
        break;
      case "r": decide([target()], "relevant", typedNote(target())); break;
      case "f": decide([target()], "follow-up", typedNote(target())); break;
      case "d": decide([target()], "dismissed", typedNote(target())); break;
      case "D": {
        const items = selected();
        if (items.length) decide(items, "dismissed");
        else say("Select articles with x first, then Shift+D dismisses them.");
        break;
      }
      case "n":
        if (single) {
          const area = document.getElementById("newsmon-note");
          if (area) area.focus();
        } else openNote(target());
        break;
      case "u": undoLast(); break;
      case "x": {
        const item = target();
        const box = item && item.querySelector(".nm-select");
        if (box) {
          box.checked = !box.checked;
          updateBulk();
        }
        break;
      }
      case "/": {
        const q = document.getElementById("nm-q");
        if (q) q.focus();
        else window.location.href = document.querySelector('.nm-nav a[href$="/search"]').href;
        break;
      }
      case "?": toggleHelp(); break;
      case "Escape": toggleHelp(false); break;
      default: return;
    }
    e.preventDefault();
  });

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.classList.contains("nm-decide")) {
      e.preventDefault();
      const item = form.closest(".nm-item");
      const note = form.querySelector(".nm-note-input");
      decide([item], e.submitter ? e.submitter.value : "", note ? note.value : "");
    } else if (form.classList.contains("nm-undo-form")) {
      e.preventDefault();
      if (form.dataset.busy) return;  // a double-click: the undo is on its way
      form.dataset.busy = "1";
      const entry = Number(form.querySelector('input[name="entries"]').value);
      post(form.action, { entries: [entry] }).then((data) => {
        delete form.dataset.busy;
        if (data.ok) {
          form.closest("li").classList.add("nm-undone");
          form.replaceWith(document.createTextNode("(undone)"));
          say(data.message);
        } else say(data.error, { error: true });
      });
    }
  });

  document.addEventListener("change", (e) => {
    if (e.target.classList && e.target.classList.contains("nm-select")) updateBulk();
  });

  // The second click of a double-click (its detail 2) on a decision or Undo button does nothing.
  // Once the first decision's answer had hidden its row, the row below had moved under the
  // pointer, and that click dismissed an article the reviewer had not read; on Undo, it took back
  // the decision before the last one too. Landing on a row's link, it opened an article not chosen
  // (the first click of a double-click on a link has opened it already). A key press's click has detail 0.
  document.addEventListener("click", (e) => {
    if (e.detail > 1 && e.target.closest
        && e.target.closest(".nm-decide button, [data-nm-bulk], .nm-undo, .nm-list > .nm-item a")) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", (e) => {
    const t = e.target;
    if (t.closest("[data-nm-help]") && help) toggleHelp();
    else if (t.closest(".nm-undo")) undoLast(Number(toast.dataset.turn) || null);
    else if (t.closest("[data-nm-bulk]")) decide(selected(), t.closest("[data-nm-bulk]").dataset.nmBulk);
    else if (t.closest("[data-nm-clear]")) {
      for (const box of document.querySelectorAll(".nm-select:checked")) box.checked = false;
      updateBulk();
    } else {
      const item = t.closest(".nm-list > .nm-item");
      if (item && !item.hidden && !busy.has(item)) setCurrent(item, false);
    }
  });

  // The first row is current from the start: j, r, d... act without a click.
  const first = visible()[0];
  if (first) setCurrent(first, false);
})();
