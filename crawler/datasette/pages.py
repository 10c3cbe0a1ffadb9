"""The reviewer's desk: the pages and the review endpoints that ``plugin.register_routes`` serves.

Pages (HTML, Datasette templates under ``templates/``):

- ``/``             the review queue to triage (the landing page); records the reviewer's visit
                    when they open it (not when another site makes the browser load it)
- ``/follow-up``    articles marked follow-up, triaged the same way
- ``/maybe-missed`` the ``maybe_missed`` view, when the database has one
- ``/updated``      articles marked relevant or follow-up that their outlet changed after the
                    decision; "Seen" notes it
- ``/decisions``    recent decisions, with undo
- ``/search``       full-text search with highlighted terms and filters
- ``/outlets``      every outlet's health, including outlets that never ran
- ``/export.csv``   the queue (or a status) as CSV with a BOM, for Excel

Endpoints (POST; JSON for the page's script, a form post without script redirects back):

- ``/-/review``  ``{ids, status, note, expected, versions, texts}``: ``storage.review.review`` per
                 article; ``expected``, ``versions`` and ``texts``, each article's status, version of
                 its text and the text's content hash as the page showed them (all optional: a script
                 without them decides as before; the pages send all three)
- ``/-/undo``    ``{entries}``: ``storage.review.undo`` of those decisions, newest first
- ``/-/listed``  ``{url, read}``: ``storage.review.read_listed``, an article newsmon did not
                 read that the reviewer read at its outlet (the list above the queue)
"""

from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup, escape
from sqlite_utils import Database

from storage import review as reviews
from storage.exceptions import (ArticleNotFound, DatabaseUnwritable, InvalidStatus, NothingToUndo, ReviewConflict,
                                StorageError)
from storage.health import (SECTION_NOTE_LINE, crawled_outlets, found_after_text, outlet_status, run_result,
                            severity, url_states_text)
from storage.notifications import failing_channels
from storage.queries import STATUSES

from .. import desk
from ..export import STATUS_CHOICES, article_rows, queue_rows, write_csv

log = logging.getLogger(__name__)

DATABASE = "newsmon"
PLUGIN = "newsmon"
LABELS = {"relevant": "Relevant", "follow-up": "Follow-up", "dismissed": "Dismissed", "new": "Back to the queue"}


def _alerts(conn: sqlite3.Connection, settings: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The banner: outlets' health, outlets no crawl of which finished for too long, failing
    notification channels (the last two: what `newsmon status` says, where the reviewer works)."""
    from ..config import ConfigError
    from ..notify import parse_settings

    try:
        loaded = _loaded(settings.get("config_path"))
        channels = parse_settings(loaded.notify)
    except ConfigError:  # the crawls refuse it too; the outlets' health is still worth showing
        return desk.alerts(conn, names)
    failing = failing_channels(conn, channels.channels if channels else [])
    return desk.alerts(conn, names, late=late_outlets(conn, settings), channels=failing)


def late_outlets(conn: sqlite3.Connection, settings: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The outlets no crawl of which has finished for too long (``scheduler.overdue``), for the
    banner, the outlets page and the header's count alike: the page and the count read the
    outlets' last health alone, "ok" beside a banner saying the crawls had stopped."""
    from ..config import ConfigError
    from ..scheduler import overdue

    try:
        return overdue(conn, _loaded(settings.get("config_path")), datetime.now(timezone.utc))
    except ConfigError:
        return {}


#: How many of the articles on the topics newsmon did not read the queue page lists, newest first.
NOT_READ_SHOWN = 20
#: How the queue page says why newsmon has not read an article (``urls.kind``).
NOT_READ_KINDS = {"blocked": "behind a wall", "gave_up": "given up", "not_article": "no article found in its page",
                  "gone": "gone before newsmon read it", "refused": "not fetched"}


def _not_read(conn: sqlite3.Connection, settings: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """The articles on the topics that newsmon did not read (``crawler.store.unread_on_topic``), by
    what their listings said of them: above the queue, where an outlet's wall would otherwise read
    as no news on the topics (its health says it is blocked, not which articles are missing)."""
    from ..config import ConfigError
    from ..store import unread_on_topic

    try:
        found = unread_on_topic(Database(conn), settings.get("config_path"), datetime.now(timezone.utc))
    except (ConfigError, ValueError) as exc:  # `newsmon serve` read them at start: changed since
        log.warning("newsmon desk: the articles on the topics newsmon did not read are not listed: %s", exc)
        return []
    return [{"headline": u["headline"] or u["url"], "lang": lang(u["headline"]), "outlet": u["outlet"],
             "read_by": u["read_by"], "read_at": u["read_at"] and desk.jst(u["read_at"]),
             "name": names.get(u["outlet"], u["outlet"]),
             # A link to the outlet's page only: the ledger's URLs are http(s), and nothing else is made one.
             "href": u["url"] if u["url"].startswith(("https://", "http://")) else None, "url": u["url"],
             "kind": NOT_READ_KINDS.get(u["kind"], u["kind"]), "reason": desk.jst_in((u["reason"] or "")[:200]),
             "when": desk.jst(u["first_seen_at"]), "when_iso": u["first_seen_at"]} for u in found]


def _loaded(config_path: str | None):
    # Read once per process, by the store as by the article pages' scoring (crawler/store.py).
    from ..store import config_of

    return config_of(config_path)


def config(datasette) -> dict[str, Any]:
    return datasette.plugin_config(PLUGIN) or {}


def read_only(datasette) -> str | None:
    """Why the desk cannot record decisions (``newsmon serve`` of a file it may not write: a
    snapshot on a read-only disk, a full disk), or ``None``."""
    return config(datasette).get("read_only")


def can_review(request, datasette) -> bool:
    """Whether the page offers its review buttons: a reviewer is known and the file can take
    their decisions."""
    return reviewer(request) is not None and not read_only(datasette)


def reviewer(request) -> str | None:
    actor = request.actor if request else None
    return actor.get("id") if isinstance(actor, dict) and actor.get("id") else None


def article_url(datasette, article_id: int) -> str:
    return datasette.urls.row(DATABASE, "articles", str(article_id))


# --- display helpers (also given to every template) ----------------------------------------------

def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` HTML-escaped, each occurrence of a term wrapped in ``<mark>`` (case-insensitive)."""
    text = text or ""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str | None, terms: list[str], width: int = 60) -> str:
    """About ``2 * width`` characters of ``text`` around the first term found, on one line."""
    folded = " ".join(unicodedata.normalize("NFKC", text or "").split())
    lowered = folded.lower()
    found = [(at, t) for t in terms if (at := lowered.find(unicodedata.normalize("NFKC", t).lower())) >= 0]
    if not found:
        return folded[: 2 * width] + ("…" if len(folded) > 2 * width else "")
    at, term = min(found)
    start, end = max(0, at - width), min(len(folded), at + len(term) + width)
    return ("…" if start else "") + folded[start:end] + ("…" if end < len(folded) else "")


#: Kana and CJK ideographs: text with any is Japanese (``lang="ja"``), for fonts and line breaking.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def lang(value: str | None) -> str:
    return "ja" if value and CJK.search(value) else "en"


def row_view(item: desk.Item, datasette) -> dict[str, Any]:
    """What a list row shows of an ``Item``: title, outlets, JST time, score / threshold, evidence."""
    a = item.article
    term, count, evidence = desk.first_evidence(a.get("evidence"))
    return {
        "id": a["id"], "ids": ",".join(str(i) for i in item.ids), "title": a.get("title") or a.get("url"),
        "lang": a.get("language") or lang(a.get("title")), "href": article_url(datasette, a["id"]),
        "status": a.get("status") or "new", "unread": item.unread, "unread_articles": item.unread_articles,
        "outlets": item.outlets, "size": len(item.ids),
        "when": desk.jst(a.get("published_at") or a.get("first_seen_at")),
        "when_iso": a.get("published_at") or a.get("first_seen_at") or "",
        "score": desk.number(a.get("score")), "threshold": desk.number(a.get("threshold")),
        "probability": a.get("probability"),
        "term": term, "count": count, "evidence": highlight(evidence, [term]),
        "note": a.get("review_note"), "url": a.get("url"),
        # "更新 n 回": the article changed n times after it was first stored (issue 11 versions).
        "updates": max(0, int(a.get("version") or 1) - 1),
        "version": int(a.get("version") or 1),
        # The version of each article's text the row shows, in the order of ``ids``: a decision
        # sends them, and one on a text changed since is refused (storage.review.review). Empty when
        # the database has no versions (the decision then checks the status alone).
        "versions": ",".join(str(m["version"]) for m in (a, *item.members))
        if all(m.get("version") is not None for m in (a, *item.members)) else "",
        # And the texts themselves (their content hashes), in the same order: what the decision
        # compares. An older capture an ingest places among the versions renumbers the text shown
        # (version 2 is 3 now), and a decision compared by number was refused as if it had changed.
        "texts": ",".join(m["content_hash"] for m in (a, *item.members))
        if all(m.get("content_hash") for m in (a, *item.members)) else "",
        # Changed after its review ("Updated after review"): when, and when it was reviewed.
        "updated_after": desk.jst(a["updated_at"]) if reviews.updated_after_review(a) else None,
        # Dismissed, then relevant (its text updated, read again, or scored under other topics): since when.
        "relevant_after": desk.jst(a["relevant_since"]) if reviews.relevant_after_dismissal(a) else None,
        "reviewed": desk.jst(a.get("reviewed_at")),
        # The Ministry of Defense's or the Prime Minister's Office's own page, not a news report.
        "primary": bool(a.get("primary_source")),
        # A page of the article could not be read: what the row shows is a part's (m013).
        "incomplete": bool(a.get("incomplete")),
        # Its outlet took it down after it was stored (m016): what a revisit saw, or None.
        "removed": a.get("removed"),
        "members": [{"id": m["id"], "title": m.get("title") or m.get("url"), "href": article_url(datasette, m["id"]),
                     "outlet": m.get("outlet") or m.get("site_name"), "when": desk.jst(m.get("published_at"))}
                    for m in item.members],
    }


# --- the lists --------------------------------------------------------------------------------

async def _read(datasette, fn):
    return await datasette.get_database(DATABASE).execute_fn(fn)


#: What a write can fail with, short of a bug: newsmon's refusals, and SQLite's own (the file
#: locked past the busy timeout, read-only, full disk).
WRITE_ERRORS = (StorageError, sqlite3.Error)


@dataclass(frozen=True)
class _Refused:
    error: Exception


#: Seconds the queue page waits to record a reviewer's visit while another process writes.
VISIT_WAIT = 1.0


async def _write(datasette, fn, *, wait: float | None = None):
    """Run ``fn(Database)`` on Datasette's write connection; ``WRITE_ERRORS`` come back as values
    (raised, the page would be a 500). Wrapped on the way: Datasette's write thread raises again
    any exception its function returns. ``wait``: how long this write waits for another process's
    write lock, if not the connection's busy timeout (a write the page can do without)."""
    why = read_only(datasette)
    if why:  # Datasette opened the file immutable: it would refuse the write with an assertion
        return DatabaseUnwritable(f"this desk reads the database as it is and records nothing: {why}", path=None)

    def run(conn):
        before = conn.execute("PRAGMA busy_timeout").fetchone()[0] if wait is not None else None
        try:
            if wait is not None:
                conn.execute(f"PRAGMA busy_timeout = {round(wait * 1000)}")
            return fn(Database(conn))
        except WRITE_ERRORS as exc:
            return _Refused(exc)
        finally:
            if before is not None:
                conn.execute(f"PRAGMA busy_timeout = {before}")

    result = await datasette.get_database(DATABASE).execute_write_fn(run, block=True)
    return result.error if isinstance(result, _Refused) else result


def _navigated(request) -> bool:
    """Whether the reviewer opened the page themselves (typed it, a bookmark, a link of ours).

    A visit resets the unread marks, and the guard lets GETs through, so any web page could
    load ``/`` (as an image, say) and wipe them. Without Sec-Fetch-Site (old browsers, curl)
    there is no telling, and the visit is recorded as before.
    """
    site = request.headers.get("sec-fetch-site")
    return site is None or site in ("none", "same-origin")


async def list_page(request, datasette, key: str) -> Response:
    settings = config(datasette)
    who = reviewer(request)
    feats = await _read(datasette, desk.features)
    if key == "maybe-missed" and not feats.maybe_missed:
        return Response.html("This database has no maybe_missed view.", status=404)
    if key == "updated" and not feats.updated:
        return Response.html("This database is older than the list of articles updated after review: open it "
                             "with `newsmon serve`, which brings it up to date.", status=404)
    since = None
    if who and key == "queue" and _navigated(request):
        # Briefly: another process holding the write lock (DB Browser with an edit not written,
        # a VACUUM) made the queue page itself wait the full busy timeout, 30 s, for a record of
        # the visit, and the reviewer's decisions behind it on the desk's one writer.
        since = await _write(datasette, lambda db: reviews.visit(db, who), wait=VISIT_WAIT)
        if isinstance(since, WRITE_ERRORS):  # not recorded: the marks are those of the last visit recorded
            since = (await _read(datasette, lambda conn: reviews.last_visit(Database(conn), who)))[1]
    elif who:
        since = (await _read(datasette, lambda conn: reviews.last_visit(Database(conn), who)))[1]
    try:
        offset = _offset(request.args.get("offset", "0"))
    except ValueError:
        offset = 0
    thresholds = settings.get("thresholds", {})

    def read(conn):
        items, total = desk.list_page(conn, key, thresholds=thresholds, since=since, offset=offset, feats=feats)
        names = settings.get("outlets", {})
        if key != "queue":
            return items, total, [], desk.last_run(conn), []
        return (items, total, _alerts(conn, settings, names), desk.last_run(conn),
                _not_read(conn, settings, names) if feats.listed else [])

    items, total, alerts, last_run, not_read = await _read(datasette, read)
    for alert in alerts:
        alert["since_jst"] = desk.jst(alert["since"])
    spec = desk.LISTS[key]
    rows = [row_view(item, datasette) for item in items]
    pending = [u for u in not_read if not u["read_at"]]
    more = offset + len(items) < total
    context = {
        "spec": spec, "rows": rows, "total": total, "offset": offset, "alerts": alerts, "features": feats,
        "next_url": f"?{urlencode({'offset': offset + desk.PAGE_SIZE})}" if more else None,
        "prev_url": f"?{urlencode({'offset': max(0, offset - desk.PAGE_SIZE)})}" if offset else None,
        "last_run": last_run and {**last_run, "jst": desk.jst(last_run["started_at"])},
        "can_review": can_review(request, datasette), "labels": LABELS, "stories": feats.stories and key == "queue",
        # Not the reviewer's unread: the articles newsmon itself did not read; those no reviewer
        # has read at the outlet first, those read below them (folded).
        "not_read": pending[:NOT_READ_SHOWN], "not_read_total": len(pending),
        "not_read_done": [u for u in not_read if u["read_at"]][:NOT_READ_SHOWN],
        "not_read_outlets": list(dict.fromkeys(u["name"] for u in pending)),
        # New since the reviewer's last visit (a first visit: all): the list opens.
        "not_read_new": sum(1 for u in pending if desk.is_after(u["when_iso"], since)),
    }
    return Response.html(await datasette.render_template("newsmon_desk.html", context, request=request))


async def decisions_page(request, datasette) -> Response:
    rows = await _read(datasette, lambda conn: reviews.recent(Database(conn), 200))
    for r in rows:
        r["when"] = desk.jst(r["at"])
        r["href"] = article_url(datasette, r["article_id"])
        r["lang"] = lang(r["title"])
    context = {"rows": rows, "can_review": can_review(request, datasette), "labels": LABELS}
    return Response.html(await datasette.render_template("newsmon_decisions.html", context, request=request))


# --- search -------------------------------------------------------------------------------------

async def search_page(request, datasette) -> Response:
    args = request.args
    query = (args.get("q") or "").strip()
    filters = desk.Filters(outlet=args.get("outlet", ""), status=args.get("status", ""),
                           language=args.get("language", ""), date_from=args.get("from", ""),
                           date_to=args.get("to", ""), order=args.get("order", "best"))
    try:
        offset = _offset(args.get("offset", "0"))
    except ValueError:
        offset = 0

    def read(conn):
        outlets = desk.outlet_keys(conn)
        if not query:
            return outlets, [], [], False, None
        try:
            rows, terms, more = desk.search(conn, query, filters, desk.SEARCH_LIMIT, offset)
        except ValueError as exc:
            return outlets, [], [], False, str(exc)
        return outlets, rows, terms, more, None

    outlets, rows, terms, more, error = await _read(datasette, read)

    def page(at: int) -> str:  # this search at another offset, its filters kept
        kept = [(k, args.get(k)) for k in args.keys() if k != "offset" and args.get(k)]
        return "?" + urlencode(kept + ([("offset", str(at))] if at else []))

    results = [{
        "href": article_url(datasette, r["id"]), "title": highlight(r["title"] or r["url"], terms),
        "lang": r["language"] or lang(r["title"]), "outlet": r["outlet"] or r["site_name"] or "",
        "when": desk.jst(r["published_at"] or r["first_seen_at"]), "status": r["status"],
        "score": desk.number(r["score"]), "relevant": r["relevant"],
        "snippet": highlight(snippet(r["text"], terms), terms)} for r in rows]
    limit = desk.SEARCH_LIMIT
    # "反撃能力 or 防衛費" asked for articles with the word "or" in them too.
    hint = "Alternatives need OR in capitals: “or” is searched for as a word." if re.search(
        r"(^|\s)or(\s|$)", query) else None
    context = {"hint": hint, "query": query, "filters": filters, "outlets": outlets, "results": results, "error": error,
               "statuses": STATUSES, "limit": limit, "offset": offset, "candidates": desk.SEARCH_CANDIDATES,
               "next_url": page(offset + limit) if more else None,
               "prev_url": page(max(0, offset - limit)) if offset else None}
    return Response.html(await datasette.render_template("newsmon_search.html", context, request=request))


# --- outlets ------------------------------------------------------------------------------------

async def outlets_page(request, datasette) -> Response:
    settings = config(datasette)
    names: dict[str, str] = settings.get("outlets", {})

    def read(conn):
        db = Database(conn)
        known = list(names)
        # crawled_outlets: SELECT DISTINCT read every run's row of outlet_runs at each look at the page.
        checked = [row[0] for row in conn.execute("SELECT outlet FROM outlet_health")]
        for outlet in sorted({*crawled_outlets(conn), *checked}):
            if outlet not in known:
                known.append(outlet)
        # Per outlet, the articles on the topics it did not give newsmon (the list above the queue).
        missing = Counter(u["outlet"] for u in (_not_read(conn, settings, names) if desk.features(conn).listed else [])
                          if not u["read_at"])
        from ..scheduler import flag_overdue

        rows = outlet_status(db, known)
        flag_overdue(rows, late_outlets(conn, settings))
        return rows, missing

    rows, missing = await _read(datasette, read)
    now = datetime.now(timezone.utc)
    for r in rows:
        r["name"] = names.get(r["outlet"], r["outlet"])
        # As `newsmon status` says it: an outlet failing as no crawl of it finished for too long (flag_overdue) is
        # failing since its last crawl finished; its stored health's since was when it last turned "ok".
        r["since_jst"] = desk.jst(r["health_since"], now=now)
        last = r["last_run"]
        r["last_run_jst"] = desk.jst(last["started_at"]) if last else ""
        r["result"] = run_result(last, r["running"], never="never ran")
        r["last_success_jst"] = desk.jst(r["last_success"])
        r["found_after"] = found_after_text(r["found_after_24h"])
        r["urls_left"] = url_states_text(r)
        r["not_read"] = missing.get(r["outlet"], 0)
        # Worded as `newsmon status` says them, the section a link (its URL is the outlet's page, http(s)).
        r["note_lines"] = [Markup(SECTION_NOTE_LINE).format(
            url=Markup('<a href="{0}">{0}</a>').format(n["url"]) if n["url"].startswith(("https://", "http://"))
            else n["url"], note=n["note"]) for n in r["notes"]]
    rows.sort(key=lambda r: (severity(r["health"]), r["outlet"]))
    return Response.html(await datasette.render_template("newsmon_outlets.html", {"rows": rows}, request=request))


# --- export ------------------------------------------------------------------------------------

#: The desk's lists that are no review status, exported as they are listed (``?list=KEY``).
EXPORTED_LISTS = ("maybe-missed", "updated")


async def export_csv(request, datasette) -> Response:
    status = request.args.get("status", "new")
    listed = request.args.get("list")
    if status not in STATUS_CHOICES:
        return Response.text(f"status must be one of {', '.join(STATUS_CHOICES)}", status=400)
    if listed is not None and listed not in EXPORTED_LISTS:
        return Response.text(f"list must be one of {', '.join(EXPORTED_LISTS)}", status=400)

    def read(conn):
        if listed is None:
            return queue_rows(Database(conn), status)
        if listed == "maybe-missed" and not desk.features(conn).maybe_missed:
            return []
        ids = [r[0] for r in conn.execute(f"SELECT id FROM ({desk.LISTS[listed].sql})")]
        return article_rows(Database(conn), ids)

    rows = await _read(datasette, read)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a BOM; without it Japanese is mojibake
    write_csv(rows, out)
    name = f"newsmon-{listed or ('queue' if status == 'new' else status)}-{datetime.now(desk.JST):%Y%m%d}.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


# --- decisions -----------------------------------------------------------------------------------

@dataclass
class _Input:
    ids: list[int]
    status: str | None
    note: str | None
    expected: dict[int, str]
    entries: list[int]
    back: str | None  # a form post: where to go back to
    #: The version of each article's text the page showed (``articles.version``), if it sent them.
    versions: dict[int, int]
    #: The content hash of each article's text the page showed (``articles.content_hash``), if it sent them.
    texts: dict[int, str]


#: SQLite's integers are 64-bit: a larger one in a query raised, and the page was an error 500.
_SQLITE_MAX = 2**63 - 1


def _offset(value: str) -> int:
    """A list's or search's ``offset`` from the URL, within what SQLite takes."""
    return min(max(0, int(value)), _SQLITE_MAX)


def _id(value: Any, field: str, kind: str = "an article id") -> int:
    """An id as JSON or a form sends it: a whole number, or its digits as a string.

    Raises:
        ValueError: anything else; ``int()`` would take JSON ``true`` and ``1.9`` as article 1.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SQLITE_MAX:
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value) and int(value) <= _SQLITE_MAX:
        return int(value)
    raise ValueError(f"{field}: {json.dumps(value, ensure_ascii=False)[:40]} is not {kind}")


def _version(value: Any, field: str) -> int:
    """A version number as JSON or a form sends it (``_id``'s forms), 1 or more."""
    version = _id(value, field, "a version number")
    if version < 1:
        raise ValueError(f"{field}: versions are numbered from 1, not {version}")
    return version


def _text(value: Any, field: str) -> str | None:
    """A status or a note: a string or nothing (storage.review strips it: another type is a 500 there)."""
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{field}: a string or null, not {json.dumps(value, ensure_ascii=False)[:40]}")


async def _posted(request, fields: tuple[str, ...]) -> tuple[dict[str, Any], str | None]:
    """A write's fields, as the page's script posts them (JSON) or a form without script does
    (``fields`` of it, as strings), and where a form goes back to (``None`` for JSON; a path of
    this server only, never an open redirect).

    Raises:
        ValueError: the body cannot be read as either.
    """
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip()
    if content_type == "application/json":
        data = json.loads((await request.post_body()) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the request is a JSON object")
        return data, None
    form = await request.post_vars()
    back = form.get("return") or "/"
    return {k: form.get(k) for k in fields}, back if back.startswith("/") and not back.startswith("//") else "/"


async def _input(request) -> _Input:
    """What a decision or an undo asks for.

    Raises:
        ValueError: the body cannot be read, or a field has the wrong type (the message says which).
    """
    data, back = await _posted(request, ("ids", "status", "note", "expected", "entries", "versions", "texts"))
    if back is not None:
        data["ids"] = [i for i in (data.get("ids") or "").split(",") if i.strip()]
        data["entries"] = [i for i in (data.get("entries") or "").split(",") if i.strip()]
        expected = data.get("expected")
        data["expected"] = {i: expected for i in data["ids"]} if expected else {}
        # A form's versions are those of its ids, in their order ("3,1": a story's row).
        versions = [v for v in (data.get("versions") or "").split(",") if v.strip()]
        if versions and len(versions) != len(data["ids"]):
            raise ValueError(f"versions: {len(versions)} for {len(data['ids'])} ids; give one per id, in their order")
        data["versions"] = dict(zip(data["ids"], versions, strict=False))
        texts = [t for t in (data.get("texts") or "").split(",") if t.strip()]
        if texts and len(texts) != len(data["ids"]):
            raise ValueError(f"texts: {len(texts)} for {len(data['ids'])} ids; give one per id, in their order")
        data["texts"] = dict(zip(data["ids"], (t.strip() for t in texts), strict=False))
    ids = data.get("ids") if isinstance(data.get("ids"), list) else [data.get("id")] if data.get("id") else []
    expected = data.get("expected") or {}
    if isinstance(expected, str):
        expected = {str(i): expected for i in ids}
    if not isinstance(expected, dict):
        raise ValueError("expected: an object of article ids and their statuses")
    for value in expected.values():
        if not isinstance(value, str):
            raise ValueError(f"expected: the status expected of an article is a string, not {json.dumps(value)[:40]}")
    versions = data.get("versions") or {}
    if not isinstance(versions, dict):
        raise ValueError("versions: an object of article ids and the versions of their text the page showed")
    texts = data.get("texts") or {}
    if not isinstance(texts, dict) or not all(isinstance(t, str) and t for t in texts.values()):
        raise ValueError("texts: an object of article ids and the content hashes of their text the page showed")
    entries = data.get("entries") or []
    if not isinstance(entries, list):
        raise ValueError("entries: a list of decision ids")
    return _Input(ids=[_id(i, "ids") for i in ids], status=_text(data.get("status"), "status") or None,
                  note=_text(data.get("note"), "note"),
                  expected={_id(k, "expected"): v for k, v in expected.items()},
                  entries=[_id(i, "entries", "a decision id") for i in entries], back=back,
                  versions={_id(k, "versions"): _version(v, "versions") for k, v in versions.items()},
                  texts={_id(k, "texts"): v for k, v in texts.items()})


def _reply(datasette, request, inp: _Input, payload: dict[str, Any], status: int) -> Response:
    if inp.back is None:
        return Response.json(payload, status=status)
    message = payload.get("message") or payload.get("error") or ""
    datasette.add_message(request, message, datasette.INFO if payload.get("ok") else datasette.ERROR)
    return Response.redirect(inp.back)


def _summary(decisions: list[reviews.Decision], undo: bool = False) -> str:
    """The confirmation: which article, what was decided (``Dismissed «title»``)."""
    if not decisions:
        return ""
    first = decisions[0]
    # Several (a story's row, a selection): the first by its headline too; "3 articles" alone did
    # not say which row the key had decided.
    name = f"«{first.title or first.article_id}»" + (f" and {len(decisions) - 1} more" if len(decisions) > 1 else "")
    if undo:
        return f"Undone: {name} back to {first.to_status}" if len(decisions) == 1 else f"Undone: {name}"
    if first.from_status == first.to_status:
        return f"Note added to {name}"
    return f"{LABELS.get(first.to_status, first.to_status)}: {name}"


def _conflict(exc: ReviewConflict) -> dict[str, Any]:
    said = {"article_id": exc.article_id, "title": exc.title, "status": exc.status, "by": exc.by, "at": exc.at,
            "at_jst": desk.jst(exc.at), "version": exc.version, "seen_version": exc.seen_version}
    if exc.version is not None:
        # Its text changed while the page showed an older one: a decision on the text the
        # reviewer read would have hidden the one nobody read.
        stored = f", stored {desk.jst(exc.at)}" if exc.at else ""
        # The same number, another text: read again since (`newsmon reextract`); a script may send the text alone.
        shows = ("" if exc.seen_version is None else ", read again since" if exc.seen_version == exc.version
                 else f"; this page shows version {exc.seen_version}")
        return {**said, "message": (f"«{exc.title or exc.article_id}» was not changed: its text changed after this "
                                    f"page was loaded (version {exc.version}{stored}{shows}). Reload to read it, "
                                    "then decide.")}
    return {**said,
            "message": (f"«{exc.title or exc.article_id}» was not changed: "
                        + (f"{exc.by or 'someone'} added a note to it{' at ' + desk.jst(exc.at) if exc.at else ''} "
                           if exc.noted else f"it is {exc.status} now, "
                           + ("set outside newsmon (in DB Browser or the sqlite3 shell, say) "
                              if exc.outside else
                              f"set by {exc.by or 'someone'}{' at ' + desk.jst(exc.at) if exc.at else ''} "))
                        + "after this page was loaded. Reload to see it.")}


async def _reviewing(request, datasette) -> tuple[str | None, _Input | None, Response | None]:
    """Who asks and what they sent, or the response that refuses it (a bad request, no login)."""
    who = reviewer(request)
    try:
        inp = await _input(request)
    except (ValueError, TypeError, AttributeError) as exc:
        return who, None, Response.json({"ok": False, "error": f"Bad request: {exc}"}, status=400)
    if who is None:
        return who, inp, _reply(datasette, request, inp, {"ok": False, "error": "Log in to review."}, 403)
    return who, inp, None


async def review_endpoint(request, datasette) -> Response:
    who, inp, refused = await _reviewing(request, datasette)
    if refused is not None:
        return refused
    if not inp.ids:
        return _reply(datasette, request, inp, {"ok": False, "error": "No article given."}, 400)
    if inp.status is not None and inp.status not in STATUSES:
        return _reply(datasette, request, inp, {"ok": False, "error": f"Unknown status {inp.status!r}."}, 400)

    def write(db):
        done, conflicts, missing, failed = [], [], [], []
        for article_id in inp.ids:
            try:
                decision = reviews.review(db, article_id, inp.status, note=inp.note, by=who,
                                          expected=inp.expected.get(article_id),
                                          expected_version=inp.versions.get(article_id),
                                          expected_text=inp.texts.get(article_id))
            except ReviewConflict as exc:
                conflicts.append(_conflict(exc))
            except ArticleNotFound:
                missing.append(article_id)
            except WRITE_ERRORS as exc:
                # Each decision is its own transaction: those before are committed, so the reply
                # must list them (the page keeps their Undo) and go on with the rest.
                failed.append({"article_id": article_id, "error": str(exc) or type(exc).__name__})
            else:
                if decision is not None:
                    done.append(decision)
        return done, conflicts, missing, failed

    result = await _write(datasette, write)
    if isinstance(result, WRITE_ERRORS):
        return _reply(datasette, request, inp, {"ok": False, "error": str(result)},
                      400 if isinstance(result, InvalidStatus) else 500)
    done, conflicts, missing, failed = result
    errors = ([c["message"] for c in conflicts] + [f"No article has id {i}." for i in missing]
              + [f"Article {f['article_id']} was not changed: {f['error']}." for f in failed])
    payload = {"ok": not errors, "decisions": [d.to_dict() for d in done], "conflicts": conflicts,
               "missing": missing, "failed": failed, "message": _summary(done), "error": " ".join(errors) or None}
    status = 200 if not errors else 409 if conflicts else 404 if missing else 500
    return _reply(datasette, request, inp, payload, status)


async def listed_endpoint(request, datasette) -> Response:
    """``{url, read}``: the reviewer read at its outlet an article newsmon did not read (the
    queue page's list above the queue), or, ``read`` false, had not (``storage.review.read_listed``)."""
    who = reviewer(request)
    try:
        data, back = await _posted(request, ("url", "read"))
        if back is not None:
            data["read"] = data["read"] != "0"
        url, read = data.get("url"), data.get("read", True)
        if not isinstance(url, str) or not url:
            raise ValueError("url: the URL of the article, a string")
        if not isinstance(read, bool):
            raise ValueError("read: true or false")
    except ValueError as exc:
        return Response.json({"ok": False, "error": f"Bad request: {exc}"}, status=400)
    inp = _Input(ids=[], status=None, note=None, expected={}, entries=[], back=back, versions={}, texts={})
    if who is None:
        return _reply(datasette, request, inp, {"ok": False, "error": "Log in to review."}, 403)
    result = await _write(datasette, lambda db: reviews.read_listed(db, url, by=who, read=read))
    if isinstance(result, ArticleNotFound):
        return _reply(datasette, request, inp, {"ok": False, "error": str(result)}, 404)
    if isinstance(result, WRITE_ERRORS):
        return _reply(datasette, request, inp, {"ok": False, "error": f"Not recorded: {result}"}, 500)
    message = f"Read at the outlet: {url}" if read else f"Back among the articles not read: {url}"
    return _reply(datasette, request, inp, {"ok": True, "changed": result, "message": message}, 200)


async def undo_endpoint(request, datasette) -> Response:
    who, inp, refused = await _reviewing(request, datasette)
    if refused is not None:
        return refused
    if not inp.entries and not inp.ids:
        return _reply(datasette, request, inp, {"ok": False, "error": "No decision given."}, 400)

    def write(db):
        done, errors, conflicts = [], [], []
        targets = [("entry", e) for e in sorted(inp.entries, reverse=True)] + [("article", i) for i in inp.ids]
        for kind, value in targets:
            try:
                done.append(reviews.undo(db, entry_id=value, by=who) if kind == "entry" else
                            reviews.undo(db, value, by=who))
            except ReviewConflict as exc:
                conflicts.append(_conflict(exc))
            except (NothingToUndo, ArticleNotFound) as exc:
                errors.append(str(exc))
            except WRITE_ERRORS as exc:  # as in review_endpoint: the undos before are committed
                errors.append(f"Decision {value} was not undone: {exc}." if kind == "entry" else
                              f"Article {value} was not changed: {exc}.")
        return done, errors, conflicts

    result = await _write(datasette, write)
    if isinstance(result, WRITE_ERRORS):
        return _reply(datasette, request, inp, {"ok": False, "error": str(result)}, 500)
    done, errors, conflicts = result
    messages = [c["message"] for c in conflicts] + errors
    payload = {"ok": not messages, "decisions": [d.to_dict() for d in done], "conflicts": conflicts,
               "message": _summary(done, undo=True), "error": " ".join(messages) or None}
    return _reply(datasette, request, inp, payload, 200 if not messages else 409)
