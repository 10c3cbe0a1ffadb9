"""Article versions and revisits: an article that changes after publication keeps its history.

Outlets update articles (更新, 追記, corrected figures, a paragraph after the cabinet decision).
newsmon re-fetches stored articles on a decaying schedule (``revisits``: by default 1 h, 6 h,
24 h and 72 h after first seen), conditionally (If-None-Match / If-Modified-Since), and when
the extracted title or text changed, records a version:

- ``article_versions`` holds versions 1..n of an article that changed, each with the raw page
  it was read from (``page_id``), so every version can be extracted again; an article that
  never changed has no rows there (its one version is the ``articles`` row);
- the ``articles`` row always holds the newest version (``articles.version`` = n), and its
  first published time never moves.

``record_version`` is called by ``queries.store_article`` whenever a stored article's content
changes, however it arrived (a revisit, another URL of it, an archive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from .db import transaction

#: Columns of an ``articles`` row that a version keeps.
VERSION_FIELDS = ("title", "lead", "text", "modified_at", "content_hash", "score", "relevant")


def record_version(db: Database, article_id: int, new: dict[str, Any], *, now: str,
                   page_id: int | None = None) -> int:
    """Record that ``article_id``'s content changed to ``new`` (its article fields); return the
    new version's number. The caller updates the ``articles`` row itself.

    The first change also records version 1, from the row as it was, with the page it was first
    read from.
    """
    with transaction(db):
        current = db.execute(
            "SELECT version, first_seen_at, title, lead, text, modified_at, content_hash, score, relevant "
            "FROM articles WHERE id = ?", [article_id]).fetchone()
        version, first_seen = current[0], current[1]
        old = dict(zip(VERSION_FIELDS, current[2:]))
        has = db.execute("SELECT max(version) FROM article_versions WHERE article_id = ?", [article_id]).fetchone()[0]
        if has is None:
            has = _first(db, article_id, version, first_seen, old, page_id)
        number = max(version, has) + 1
        _insert(db, article_id, number, now, new, page_id)
        return number


def _first(db: Database, article_id: int, version: int, first_seen: str, fields: dict[str, Any],
           new_page: int | None) -> int:
    """Record the version the ``articles`` row holds (``fields``) before its first change, with
    the page it was first read from (not ``new_page``, the change's, its own pruned) and when that
    was fetched (an archive's capture time, when an ingest read it: ``pages.captured_at``)."""
    first = db.execute("SELECT id, captured_at FROM pages WHERE id = (SELECT min(id) FROM pages WHERE article_id = ? "
                       "AND id IS NOT ?)", [article_id, new_page]).fetchone()
    # An earlier capture of its text, read after the page (no row to date then): its time.
    seen = db.execute("SELECT min(captured_at) FROM article_sightings WHERE article_id = ? AND content_hash = ?",
                      [article_id, fields.get("content_hash")]).fetchone()[0]
    when = (first[1] if first else None) or first_seen
    _insert(db, article_id, version, min(when, seen) if seen else when, fields, first[0] if first else None)
    return version


def newest_capture(db: Database, article_id: int) -> str | None:
    """When the page of an article's newest version was fetched (an archive's capture time for a
    page an ingest read), or, its page gone, when the version was recorded."""
    row = db.execute("SELECT fetched_at FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1",
                     [article_id]).fetchone()
    if row is not None:
        return row[0]
    row = db.execute(
        "SELECT (SELECT coalesce(captured_at, fetched_at) FROM pages WHERE article_id = a.id ORDER BY id LIMIT 1), "
        "a.first_seen_at FROM articles a WHERE a.id = ?", [article_id]).fetchone()
    return (row[0] or row[1]) if row else None


@dataclass(frozen=True)
class Run:
    """One version as the captures give it: a text (``content_hash``) from the first capture of
    it after another text (``at``), with the page read then (``page_id``; ``None`` when only a
    sighting saw it first) and the number of the stored version that starts there (``version``)."""

    at: str
    content_hash: str
    page_id: int | None = None
    version: int | None = None


def record_sighting(db: Database, article_id: int, captured_at: str, content_hash: str) -> None:
    """Note that an archive captured ``article_id`` with the text of ``content_hash`` at
    ``captured_at``, whether or not that made a version: a capture read later may fall between it
    and the version before it (a text taken back)."""
    db.execute("INSERT OR IGNORE INTO article_sightings (article_id, captured_at, content_hash) VALUES (?, ?, ?)",
               [article_id, captured_at, content_hash])


def rehash_sightings(db: Database, article_id: int, read_as: dict[str, str]) -> None:
    """The sightings of an article's texts under the content hashes they read as now (``newsmon
    reextract``: ``read_as`` maps each version's hash as stored to its hash read again); left as
    they were, ``chain`` would leave them out, as texts no version holds."""
    changed = {old: new for old, new in read_as.items() if old != new}
    if not changed:
        return
    with transaction(db):
        rows = db.execute("SELECT captured_at, content_hash FROM article_sightings WHERE article_id = ?",
                          [article_id]).fetchall()
        db.execute("DELETE FROM article_sightings WHERE article_id = ?", [article_id])
        for at, content_hash in rows:
            record_sighting(db, article_id, at, changed.get(content_hash, content_hash))


#: ``(at, kind, order, content_hash, page_id, version)``: a version's own capture (kind 0) or a
#: sighting of its text (kind 1), as ``events`` reads them.
Event = tuple[str, int, int, str, int | None, int | None]


def keep_starts(db: Database, article_id: int, seen: Sequence[Event]) -> None:
    """Note each version's own capture (of ``seen``, its ``events``) as a sighting of its text,
    before a capture read later dates the version earlier (``chain``): the time it was read stays
    one it was seen at."""
    for at, kind, _, content_hash, _, _ in seen:
        if kind == 0 and at and content_hash:
            record_sighting(db, article_id, at, content_hash)


def newest_of(seen: Sequence[Event]) -> str | None:
    """When the newest capture of an article was made (``seen``: its ``events``): its newest
    version's, or a later capture of a text it holds (a sighting of a text no version holds is
    none)."""
    return max((event[0] for event in seen if event[0]), default=None)


def events(db: Database, article_id: int) -> list[Event]:
    """The article's versions' own captures (kind 0) and the sightings of their texts (kind 1),
    unsorted: what ``chain``, ``newest_of``, ``keep_starts`` and ``rewrite`` go by, read once."""
    rows = db.execute("SELECT version, fetched_at, content_hash, page_id FROM article_versions WHERE article_id = ? "
                      "ORDER BY version", [article_id]).fetchall()
    if not rows:
        current = db.execute("SELECT content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        first = db.execute("SELECT id FROM pages WHERE article_id = ? ORDER BY id LIMIT 1", [article_id]).fetchone()
        rows = [(1, newest_capture(db, article_id) or "", current[0] if current else None, first and first[0])]
    known = {r[2] for r in rows}
    events = [(at or "", 0, n, content_hash, page_id, version) for n, (version, at, content_hash, page_id)
              in enumerate(rows)]
    events += [(at, 1, 0, content_hash, None, None) for at, content_hash in db.execute(
        "SELECT captured_at, content_hash FROM article_sightings WHERE article_id = ?", [article_id])
        if content_hash in known]
    return events


def chain(seen: Sequence[Event], extra: tuple[str, str] | None = None) -> list[Run]:
    """The versions of an article as its captures give them, oldest first: its stored versions'
    own captures and the sightings of their texts (``seen``: its ``events``), plus ``extra``
    (``(captured_at, content_hash)``, a capture not yet recorded), in time order, each run of one
    text one version. A sighting of a text no version holds (taken apart by ``newsmon
    reextract`` as another article's) is left out (``events``)."""
    # At one time, a version's own capture first, then the sightings, then the new capture: the
    # order they were read in, which is all there is to go by.
    ordered = sorted([*seen, *([(extra[0], 2, 0, extra[1], None, None)] if extra is not None else [])],
                     key=lambda e: e[:3])
    runs: list[Run] = []
    met: set[tuple[str, str]] = set()
    for at, _, _, content_hash, page_id, version in ordered:
        # A text seen again at a time it was seen at already (a version's own capture and its
        # sighting; two texts in one second) is no new run: B, A, B at one second was a version.
        if (at, content_hash) in met or (runs and runs[-1].content_hash == content_hash):
            continue
        met.add((at, content_hash))
        runs.append(Run(at, content_hash, page_id, version))
    return runs


def rewrite(db: Database, article_id: int, runs: Sequence[Run], fields: dict[str, dict[str, Any]],
            new: tuple[str, str, int | None], seen: Sequence[Event]) -> int:
    """Write ``runs`` (``chain``'s, with a capture read between two others: ``new``, its
    ``(captured_at, content_hash, page_id)``) as the versions of ``article_id``; return the number
    of the version that capture starts. ``fields`` holds the article fields of each text by its
    content hash. A run a sighting starts is read from a page of a version with its text (of
    ``seen``, the ``events`` the runs were made of). The ``articles`` row keeps its content (the
    newest run's) and counts the versions."""
    with transaction(db):
        pages: dict[str, int] = {}
        # A page of each text its versions hold, the newest first (and the first page of an article
        # that had no version rows: a run a sighting starts before it had none, and reextract left
        # its text as it was).
        for _, kind, _, content_hash, page_id, _ in sorted(seen, key=lambda e: e[:3], reverse=True):
            if kind == 0 and page_id is not None:
                pages.setdefault(content_hash, page_id)
        if new[2] is not None:
            pages.setdefault(new[1], new[2])
        db.execute("DELETE FROM article_versions WHERE article_id = ?", [article_id])
        number = 0
        for n, run in enumerate(runs, 1):
            if (run.at, run.content_hash) == new[:2] and run.version is None:
                page_id, number = new[2], n
            else:
                page_id = run.page_id if run.version is not None else pages.get(run.content_hash)
            _insert(db, article_id, n, run.at, fields[run.content_hash], page_id)
        db.execute("UPDATE articles SET version = ? WHERE id = ?", [len(runs), article_id])
        # A note naming a version read ("Seen") named another text once the versions before it were renumbered.
        from .review import renumber_notes  # review imports queries, which imports this module
        renumber_notes(db, article_id, renumbered(
            [(version, at, content_hash) for at, kind, _, content_hash, _, version in seen
             if kind == 0 and version is not None], [(run.content_hash, run.at) for run in runs]))
        return number


def renumbered(read: Iterable[tuple[int, str, str]], chain: Sequence[tuple[str, str]]) -> dict[int, int]:
    """The number in ``chain`` (each version as numbered now: its content hash and when it was captured) of each
    version of ``read`` (as numbered before: its number, capture and content hash): the last of its text captured
    no later (the run it is part of). A version whose text ``chain`` no longer holds (taken apart, another
    article's) has none. Of ``rewrite`` (an ingest's older capture placed among them) and ``reextract`` (two read
    alike now made one)."""
    numbers: dict[int, int] = {}
    for number, at, content_hash in read:
        held = [n for n, (text, start) in enumerate(chain, 1) if text == content_hash and start <= at]
        if held:
            numbers[number] = held[-1]
    return numbers


def fields_by_text(db: Database, article_id: int) -> dict[str, dict[str, Any]]:
    """The article fields of each text an article's versions have held, by content hash."""
    out: dict[str, dict[str, Any]] = {}
    for row in db.query(f"SELECT {', '.join(VERSION_FIELDS)} FROM article_versions WHERE article_id = ?",
                        [article_id]):
        out.setdefault(row["content_hash"], row)
    for row in db.query(f"SELECT {', '.join(VERSION_FIELDS)} FROM articles WHERE id = ?", [article_id]):
        out.setdefault(row["content_hash"], row)
    return out


def _insert(db: Database, article_id: int, version: int, fetched_at: str, fields: dict[str, Any],
            page_id: int | None) -> None:
    db.execute(
        "INSERT OR REPLACE INTO article_versions (article_id, version, fetched_at, content_hash, title, lead, text, "
        "modified_at, page_id, score, relevant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, version, fetched_at, fields.get("content_hash"), fields.get("title"), fields.get("lead"),
         fields.get("text"), fields.get("modified_at"), page_id, fields.get("score"),
         None if fields.get("relevant") is None else int(bool(fields.get("relevant")))])


def versions(db: Database, article_id: int) -> list[dict[str, Any]]:
    """Every version of an article, oldest first: version, fetched_at, content_hash, title, lead,
    text, modified_at, page_id, score, relevant. An article that never changed has one, its row."""
    rows = list(db.query("SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [article_id]))
    if rows:
        return rows
    current = list(db.query(
        "SELECT id AS article_id, version, first_seen_at AS fetched_at, content_hash, title, lead, text, modified_at, "
        "(SELECT min(p.id) FROM pages p WHERE p.article_id = articles.id) AS page_id, score, relevant "
        "FROM articles WHERE id = ?", [article_id]))
    return current


def replace_versions(db: Database, article_id: int, chain: Sequence[dict[str, Any]]) -> None:
    """Rewrite an article's versions (``newsmon reextract``): ``chain`` holds each version's
    ``fetched_at``, ``page_id`` and article fields, oldest first; one entry means no history."""
    with transaction(db):
        db.execute("DELETE FROM article_versions WHERE article_id = ?", [article_id])
        if len(chain) > 1:
            for number, entry in enumerate(chain, 1):
                _insert(db, article_id, number, entry["fetched_at"], entry, entry.get("page_id"))


# --- revisits ------------------------------------------------------------------------------------

def at(base: str, seconds: float) -> str:
    """The ISO time ``seconds`` after ``base`` (before, when negative)."""
    return (datetime.fromisoformat(base) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def next_step(first_seen: str, after: Sequence[float], now: str) -> tuple[int, str | None]:
    """``(step, due_at)`` after a revisit at ``now``: the offsets already past are done (a crawl
    that paused does not catch up on each of them), the next one is due; ``None`` when none is left."""
    elapsed = (datetime.fromisoformat(now) - datetime.fromisoformat(first_seen)).total_seconds()
    step = sum(1 for offset in after if offset <= elapsed)
    return step, (at(first_seen, after[step]) if step < len(after) else None)


def schedule_revisit(db: Database, url: str, *, article_id: int, outlet: str | None, first_seen: str,
                     after: Sequence[float], etag: str | None = None, last_modified: str | None = None) -> None:
    """Plan the revisits of a newly stored article at ``url`` (``after``: seconds after first seen)."""
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO revisits (url, article_id, outlet, first_seen_at, step, due_at, etag, last_modified) "
            "VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
            [url, article_id, outlet, first_seen, at(first_seen, after[0]) if after else None, etag, last_modified])


def revisit_now(db: Database, url: str, *, article_id: int, outlet: str | None, now: str) -> None:
    """Make the revisit of the article at ``url`` due at ``now`` (planned, if it never was)."""
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO revisits (url, article_id, outlet, first_seen_at, step, due_at) "
                   "VALUES (?, ?, ?, ?, 0, ?)", [url, article_id, outlet, now, now])
        db.execute("UPDATE revisits SET due_at = ? WHERE url = ?", [now, url])
        # A missing page said to be missing for good once the planned revisits had ended (``record_revisit``): this
        # revisit reads it again, and the reason went on saying none would.
        db.execute("UPDATE urls SET reason = substr(reason, 1, instr(reason, ?)) || ? "
                   "WHERE reason_code = 'page_missing' AND article_id = ? AND instr(reason, ?) > 0",
                   [f" {FOR_GOOD}", UNTIL_REVISIT, article_id, f" {FOR_GOOD}"])


#: An entry date this far past now is a clock or time-zone error, not an update (``prompt_revisits``).
FUTURE_SLACK = 5 * 60.0
#: An entry date less than this after newsmon read the article is its publication seen through a
#: clock a little ahead of ours, not an update: without it, every new article of such an outlet
#: was read twice.
UPDATE_MARGIN = 120.0


def prompt_revisits(db: Database, dated: dict[str, str], *, outlet: str | None, via: str, now: str,
                    limit: int) -> int:
    """Make due now the revisits of the stored articles at the URLs of ``dated`` (URL → its
    entry's date in a feed or news sitemap, UTC ISO 8601) whose date is later than newsmon last
    read them: the outlet updated them (an Atom ``<updated>``, a lastmod), and an update can make
    an article relevant, or change one a reviewer marked, after its schedule ended. At most
    ``limit`` (the others, next run); a date never prompts twice, nor one past ``now`` (a clock
    or time-zone error). How many were prompted."""
    cutoff = at(now, FUTURE_SLACK)
    dated = {url: date for url, date in dated.items() if date <= cutoff}
    urls = list(dated)
    found = []
    for start in range(0, len(urls), 500):  # one query a document, not one an entry
        part = urls[start:start + 500]
        found += db.execute(
            "SELECT u.url, a.id, a.last_seen_at, r.url, r.last_revisit_at, r.listed_date FROM urls u "
            "JOIN articles a ON a.id = u.article_id LEFT JOIN revisits r ON r.article_id = a.id "
            f"WHERE u.url IN ({', '.join('?' * len(part))}) AND u.kind = 'article'", part).fetchall()
    prompted = 0
    for url, article_id, seen, planned, revisited, listed in found:
        date = dated[url]
        read = max(seen or "", revisited or "")
        if prompted >= limit or date <= (listed or "") or (read and date <= at(read, UPDATE_MARGIN)):
            continue
        why = f"its {via} dates it {date[:16].replace('T', ' ')} UTC, after newsmon last read it"
        with transaction(db):
            revisit_now(db, planned or url, article_id=article_id, outlet=outlet, now=now)
            db.execute("UPDATE revisits SET prompted = ?, listed_date = ? WHERE url = ?", [why, date, planned or url])
        prompted += 1
    return prompted


#: Articles with a next page that could not be read (``store.PagePart``), by the partial index of
#: m013: revisited whatever their relevance, and flagged on the desk (``crawler.desk``).
INCOMPLETE = "SELECT article_id FROM urls WHERE reason_code = 'page_missing'"

#: A text shorter than this (characters), not behind a paywall, is a flash (【速報】, personnel
#: notices, "BREAKING"; 5 of the demo's 74 saved articles): outlets write the article into its URL
#: within hours, and what it will be about is not yet known. Full articles run from 300 characters
#: (Japanese) up. Flashes are revisited at the first FLASH_STEPS steps of the schedule only (1 h
#: and 6 h by default): the story is written by then, and each revisit is a request to the outlet.
FLASH_CHARS = 200
FLASH_STEPS = 2


def _may_change(revisit: str) -> str:
    """SQL: whether the article ``a`` of the revisit row ``revisit`` is revisited when only
    relevant ones are (``relevant_only``): those, and those an update may make relevant: one a
    term of a topic matched below its threshold, a flash (at its first steps), one whose next
    page could not be read (its relevance is a part's), one whose outlet dated an update of it
    (``prompt_revisits``)."""
    return ("(a.relevant = 1 OR coalesce(a.score, 0) > 0 "
            f"OR (coalesce(length(a.text), 0) < {FLASH_CHARS} AND a.paywalled = 0 AND {revisit}.step < {FLASH_STEPS}) "
            f"OR a.id IN ({INCOMPLETE}) OR {revisit}.prompted IS NOT NULL)")


def due_revisits(db: Database, outlet: str, *, now: str, stored_before: int, relevant_only: bool,
                 limit: int) -> list[dict[str, Any]]:
    """Revisits of ``outlet`` due at ``now``, oldest due first: url, article_id, etag,
    last_modified, step, first_seen_at, incomplete. Only articles whose id is at most
    ``stored_before`` (the newest when the run started: what this run stored is not revisited in
    the same run; a time in seconds could not tell an article stored in the second the run
    started from one stored just before it); with ``relevant_only``, only relevant articles and
    those an update may make relevant (``_may_change``: a partial score, a flash, a next page
    that could not be read: ``incomplete``, ``page_missing``)."""
    if limit <= 0:
        return []
    relevant = f"AND {_may_change('r')}" if relevant_only else ""
    return list(db.query(
        f"""
        SELECT r.url, r.article_id, r.etag, r.last_modified, r.step, r.first_seen_at,
               a.id IN ({INCOMPLETE}) AS incomplete
        FROM revisits r JOIN articles a ON a.id = r.article_id
        WHERE r.outlet = ? AND r.due_at IS NOT NULL AND r.due_at <= ? AND r.article_id <= ? {relevant}
        ORDER BY r.due_at, r.url LIMIT ?
        """, [outlet, now, stored_before, limit]))


def expire_revisits(db: Database, outlet: str, *, now: str, span: float) -> int:
    """End the schedules of the articles ``due_revisits`` passes over (``relevant_only``) once
    they are overdue by more than ``span`` seconds (the whole schedule): they would otherwise wait
    forever."""
    cutoff = at(now, -span)
    with transaction(db):
        return db.execute(
            "UPDATE revisits SET due_at = NULL, last_result = coalesce(last_result, 'not revisited: not relevant') "
            "WHERE outlet = ? AND due_at IS NOT NULL AND due_at < ? "
            # Per overdue revisit (few, by the index): never a pass over every article's text.
            f"AND EXISTS (SELECT 1 FROM articles a WHERE a.id = revisits.article_id AND NOT {_may_change('revisits')})",
            [outlet, cutoff]).rowcount


#: What a ``page_missing`` URL's reason says of its page while the article's revisits are planned (``record_revisit``).
UNTIL_REVISIT = "until a revisit reads this one"
#: What it says instead once none is planned (``record_revisit``; ``store.save_verdict`` with revisits off): the
#: reason's last words, taken back when a revisit is planned again (``revisit_now``).
FOR_GOOD = "for good: "


def record_revisit(db: Database, url: str, *, result: str, after: Sequence[float], now: str,
                   status: int | None = None, etag: str | None = None, last_modified: str | None = None,
                   counted: bool = True) -> None:
    """What a revisit of ``url`` came to (``not_modified``, ``unchanged``, ``version N``,
    ``failed: why``): the schedule moves on, new validators are kept; a prompt
    (``prompt_revisits``) is spent, unless the revisit failed. ``counted``: a request went out
    (False when it was refused before it left)."""
    with transaction(db):
        row = db.execute("SELECT first_seen_at, prompted, listed_date FROM revisits WHERE url = ?", [url]).fetchone()
        if row is None:
            return
        step, due = next_step(row[0], after, now)
        # An update its outlet dated, not read for a failure: still to be read, within the hour,
        # for as long as revisits are planned after a first sighting (72 h by default).
        prompted = row[1] if result.startswith("failed") and (row[2] or "") >= at(now, -max(after, default=0)) \
            else None
        if prompted and due is None:
            due = at(now, 3600.0)
        db.execute(
            "UPDATE revisits SET step = ?, due_at = ?, etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
            "revisits = revisits + ?, last_revisit_at = ?, last_status = ?, last_result = ?, prompted = ? "
            "WHERE url = ?",
            [step, due, etag, last_modified, int(counted), now, status, result[:500], prompted, url])
        if due is None:
            # The last planned revisit did not read the article's missing page (a page read is a ``continuation``
            # by now): none comes after it, and its reason said one would read it (the article flagged incomplete
            # for good, no one told). Whatever that revisit met: one that found the article taken down or behind
            # its paywall reads none of its pages either.
            kind = result.split(":", 1)[0]
            how = ("could not read it either" if kind == "failed" else
                   f"found the article {kind} and did not read it" if kind in ("removed", "paywalled") else
                   f"did not read it ({result[:100]})")
            db.execute("UPDATE urls SET reason = replace(reason, ?, ?) WHERE reason_code = 'page_missing' "
                       "AND article_id = (SELECT article_id FROM revisits WHERE url = ?)",
                       [UNTIL_REVISIT, f"{FOR_GOOD}the last of its planned revisits ({now[:16].replace('T', ' ')} UTC) "
                                       f"{how}, and no other is planned", url])


def revisit_state(db: Database, url: str) -> dict[str, Any] | None:
    """The revisit row of an article URL, or ``None``."""
    rows = list(db.query("SELECT * FROM revisits WHERE url = ?", [url]))
    return rows[0] if rows else None
