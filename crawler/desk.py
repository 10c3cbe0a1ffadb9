"""What the reviewer's desk shows: the lists to triage, health alerts, search, times in JST.

Plain reads over a ``sqlite3.Connection`` (Datasette's read connections are read-only); the
pages in ``crawler/datasette/pages.py`` render them. The schema may be newer than this module
knows, so what other work adds is detected, not assumed (``features``):

- ``review_queue.threshold``: the threshold of each article's topic, shown as "score / threshold";
  without it, the thresholds of the topic definitions (``crawler.scoring.load_topics``).
- ``review_queue.probability``: a classifier's probability, shown beside the score when present.
- a ``maybe_missed`` view: a list of its own ("Maybe missed"), rows ordered as the view orders them.
- ``review_queue.story_id`` (m010) with a ``story_queue`` view: the queue has one row per
  story (its articles grouped under the first in queue order, expandable); otherwise one row per
  article.
- the partial index of the URLs newsmon did not read with what their listing said of them
  (m029, m031), and m030's ``listed_reads``: the queue page lists those on the topics
  (``crawler.store.unread_on_topic``) above the queue, and which a reviewer read at the outlet.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from storage.health import ALARM, severity
from storage.queries import SEARCH_CANDIDATES, search_sql
from storage.review import CHANGED_AFTER_REVIEW, CHANGED_AT, CHANGED_INDEX
from storage.search import parse_query
from storage.versions import INCOMPLETE

JST = timezone(timedelta(hours=9))
PAGE_SIZE = 100
SEARCH_LIMIT = 50
#: Health statuses that put a banner on the triage page (``unknown``: never ran, not a problem yet).
ALERT = ("failing", "blocked", "degraded")
#: The article columns a list row needs; a list's view may add or override columns.
_ROW_COLUMNS = ("id", "title", "outlet", "site_name", "language", "published_at", "first_seen_at", "score",
                "topic", "evidence", "url", "status", "review_note", "reviewed_by", "reviewed_at", "relevant")


# --- times ------------------------------------------------------------------------------------

def _parse(value: str) -> datetime | date | None:
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


#: A stored moment in a stored sentence ("tried again after 2026-12-04T20:14:57+00:00").
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")


def jst_in(text: str) -> str:
    """``text`` with each stored moment in it said as ``jst`` says one."""
    return MOMENT.sub(lambda m: jst(m.group(0)), text)


def jst(value: str | None, *, now: datetime | None = None) -> str:
    """A stored time as a reader in Japan says it: ``11月25日 12:10`` (the year only when not this one).

    Stored times carry their offset (articles +09:00, newsmon's own UTC); all are shown in JST.
    """
    if not value:
        return ""
    parsed = _parse(value.strip())
    if parsed is None:
        return value
    this_year = (now or datetime.now(JST)).astimezone(JST).year
    if not isinstance(parsed, datetime):
        return f"{parsed.year}年{parsed.month}月{parsed.day}日"
    moment = parsed.astimezone(JST)
    year = f"{moment.year}年" if moment.year != this_year else ""
    return f"{year}{moment.month}月{moment.day}日 {moment:%H:%M}"


def is_after(value: str | None, since: str | None) -> bool:
    """Whether time ``value`` may be later than ``since`` (``None``: no bound, so always).

    The same second counts: times are kept in whole seconds, and an article stored in the second
    of the reviewer's last page load may have come after it. Shown as new once too often rather
    than never."""
    if since is None:
        return True
    a, b = _parse(value or ""), _parse(since)
    return isinstance(a, datetime) and isinstance(b, datetime) and a >= b


# --- what the schema offers -------------------------------------------------------------------

#: m017's partial index of the queued articles by when they entered the queue.
QUEUED_INDEX = "idx_articles_queued_since"
#: m029's (m031's) partial index of the URLs newsmon did not read, with their listed words.
LISTED_INDEX = "idx_urls_unread_listed"


@dataclass(frozen=True)
class Features:
    threshold: bool = False
    probability: bool = False
    maybe_missed: bool = False
    stories: bool = False
    #: The queue view has first_seen_at (m003's does): unread is counted from the view alone.
    first_seen: bool = True
    #: m046's index of the reviewed articles changed since their review (a new version of one
    #: marked relevant or follow-up; a dismissed one relevant now): the "Updated" list.
    updated: bool = False
    #: m017's index of the queued articles by when they entered the queue: unread counts them.
    queued_since: bool = False
    #: m029's listed words of the URLs not read, m030's reads: the queue page names those on the topics.
    listed: bool = False


def _columns(conn: sqlite3.Connection, name: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({name})")}


def features(conn: sqlite3.Connection) -> Features:
    """What the database has beyond the base schema (see the module doc)."""
    names = {r[0]: r[1] for r in conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('view', 'index', "
                                              "'table')")}
    views = {name for name, kind in names.items() if kind == "view"}
    queue = _columns(conn, "review_queue")
    return Features(threshold="threshold" in queue, probability="probability" in queue,
                    maybe_missed="maybe_missed" in views,
                    stories="story_queue" in views and "story_id" in queue,
                    first_seen="first_seen_at" in queue, updated=CHANGED_INDEX in names,
                    queued_since=QUEUED_INDEX in names, listed=LISTED_INDEX in names and "listed_reads" in names)


# --- the lists ----------------------------------------------------------------------------------

@dataclass
class Item:
    """One row of a list: an article, or a story (its articles under the newest one)."""

    article: dict[str, Any]
    members: list[dict[str, Any]] = field(default_factory=list)
    unread: bool = False

    @property
    def ids(self) -> list[int]:
        return [self.article["id"], *(m["id"] for m in self.members)]

    @property
    def unread_articles(self) -> int:
        """How many of its articles the header's unread count holds: unread ones of the review queue
        (relevant, not reviewed). A story of 31 with one unread is one; an article of "maybe
        missed" (not relevant) is none."""
        return sum(bool(a.get("unread")) and bool(a.get("relevant")) and (a.get("status") or "new") == "new"
                   for a in (self.article, *self.members))

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for a in (self.article, *self.members):
            seen[a.get("outlet") or a.get("site_name") or "?"] = None
        return list(seen)


@dataclass(frozen=True)
class ListSpec:
    key: str
    title: str
    #: Ids in the list's order; ``{view}`` columns may add ``threshold``, ``probability``.
    sql: str
    count_sql: str
    empty: str


# Counts select one column of the view in a subquery that is not flattened (LIMIT -1): SQLite
# then reads the queue's index alone, where count(*) over the view would first build every row
# of it (1 ms instead of 20 ms at 10,000 queued articles).
LISTS = {
    "queue": ListSpec("queue", "Review queue", "SELECT * FROM review_queue",
                      "SELECT count(*) FROM (SELECT id FROM review_queue LIMIT -1)", "Nothing left to review."),
    "follow-up": ListSpec(
        "follow-up", "Follow-up",
        "SELECT id FROM articles WHERE status = 'follow-up' ORDER BY reviewed_at DESC, id DESC",
        "SELECT count(*) FROM articles WHERE status = 'follow-up'", "No article is marked follow-up."),
    "maybe-missed": ListSpec("maybe-missed", "Maybe missed", "SELECT * FROM maybe_missed",
                             "SELECT count(*) FROM (SELECT id FROM maybe_missed LIMIT -1)",
                             "No article below the threshold to check."),
    # Decided on, then changed by the outlet (a new version), or dismissed, then made relevant
    # (an update, a reextract, a rescore): out of the queue, the change would go unread. "Seen"
    # (a note) takes one off the list. The WHERE is m046's partial index's. Named, as the planner
    # takes the index of `relevant` over the partial one unless told.
    "updated": ListSpec(
        "updated", "Updated after review",
        f"SELECT id FROM articles INDEXED BY {CHANGED_INDEX} WHERE {CHANGED_AFTER_REVIEW} "
        f"ORDER BY {CHANGED_AT} DESC, id DESC",
        f"SELECT count(*) FROM articles INDEXED BY {CHANGED_INDEX} WHERE {CHANGED_AFTER_REVIEW}",
        "No article marked relevant or follow-up has changed since, and none dismissed has become relevant."),
}


def _rows(conn: sqlite3.Connection, sql: str,
          params: Iterable[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params if isinstance(params, Mapping) else list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _articles(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    present = _columns(conn, "articles")
    # version (issue 11's m007): "更新 n 回"; primary_source (m009): the policy's own documents;
    # removed (m016): its outlet took it down; relevant_since (m007): when it entered the queue;
    # threshold and relevance_p (m006): what each article was scored against, read here too, or
    # a list not built on the queue view (follow-up) would show the config's threshold instead.
    # content_hash: the text a decision is taken on (``storage.review.review``'s ``expected_text``).
    optional = {"version": "version", "updated_at": "updated_at", "content_hash": "content_hash",
                "primary_source": "primary_source",
                "threshold": "threshold",
                "relevance_p": "relevance_p AS probability", "removed": "removed", "relevant_since": "relevant_since"}
    columns = _ROW_COLUMNS + tuple(expr for name, expr in optional.items() if name in present)
    if "part_of" in _columns(conn, "pages"):
        # m013: an article whose next page could not be read (its text and score are a part's),
        # found by the partial index of those few URLs.
        columns += (f"id IN ({INCOMPLETE}) AS incomplete",)
    rows = _rows(conn, f"SELECT {', '.join(columns)} FROM articles WHERE id IN ({marks})", ids)
    return {r["id"]: r for r in rows}


def _complete(conn: sqlite3.Connection, listed: list[dict[str, Any]], thresholds: Mapping[str, float],
              since: str | None) -> list[dict[str, Any]]:
    """Listed rows with every article column, the threshold and whether each is unread."""
    found = _articles(conn, [r["id"] for r in listed])
    out = []
    for row in listed:
        article = found.get(row["id"])
        if article is None:
            continue  # deleted meanwhile
        merged = {**article, **{k: v for k, v in row.items() if v is not None}}
        if merged.get("threshold") is None:
            merged["threshold"] = thresholds.get(merged.get("topic") or "")
        # Unread: in the queue since the last visit, first seen since or made relevant since
        # (an update of its text, a rescore under new topics).
        merged["unread"] = is_after(merged.get("first_seen_at"), since) or (
            bool(merged.get("relevant_since")) and is_after(merged.get("relevant_since"), since))
        out.append(merged)
    return out


def list_page(conn: sqlite3.Connection, key: str, *, thresholds: Mapping[str, float], since: str | None,
              offset: int = 0, limit: int = PAGE_SIZE, feats: Features | None = None) -> tuple[list[Item], int]:
    """One page of a list (``LISTS``), and how many rows the whole list has.

    Args:
        thresholds: Topic thresholds by topic key, used when the view has no ``threshold``.
        since: Rows first seen after this time are unread; ``None``: all are.
    """
    spec = LISTS[key]
    feats = feats or features(conn)
    if key == "queue" and feats.stories:
        return _story_page(conn, thresholds=thresholds, since=since, offset=offset, limit=limit)
    total = conn.execute(spec.count_sql).fetchone()[0]
    listed = _rows(conn, f"{spec.sql} LIMIT ? OFFSET ?", [limit, offset])
    items = [Item(a, unread=a["unread"]) for a in _complete(conn, listed, thresholds, since)]
    return items, total


def _story_page(conn: sqlite3.Connection, *, thresholds: Mapping[str, float], since: str | None, offset: int,
                limit: int) -> tuple[list[Item], int]:
    # Queued articles grouped by story, in queue order (a story where its first queued article
    # is). The whole queue's ids and stories come from one index (m010), sorting nothing.
    groups: dict[Any, list[int]] = {}
    for article_id, story_id in conn.execute("SELECT id, story_id FROM review_queue"):
        groups.setdefault(("story", story_id) if story_id is not None else ("article", article_id), []).append(
            article_id)
    page = list(groups.values())[offset:offset + limit]
    wanted = [i for ids in page for i in ids]
    listed = _rows(conn, f"SELECT * FROM review_queue WHERE id IN ({','.join('?' * len(wanted))})", wanted)
    rows = {r["id"]: r for r in _complete(conn, listed, thresholds, since)}
    items = []
    for ids in page:
        members = [rows[i] for i in ids if i in rows]
        if members:
            items.append(Item(members[0], members[1:], unread=any(m["unread"] for m in members)))
    return items, len(groups)


def first_evidence(evidence: str | None) -> tuple[str, str, str]:
    """The first evidence line as ``(term, "×count", snippet)``."""
    line = (evidence or "").split("\n", 1)[0]
    head, _, snippet = line.partition(": ")
    term, _, count = head.rpartition(" ×")
    return (term, f"×{count}", snippet) if term else (head, "", snippet)


def number(value: float | None) -> str:
    """A score or threshold, short: ``12.5``, ``8``."""
    if value is None:
        return "–"
    return f"{round(float(value), 1):g}"


# --- header counts and health ---------------------------------------------------------------

def counts(conn: sqlite3.Connection, *, since: str | None, feats: Features,
           late: Iterable[str] = ()) -> dict[str, Any]:
    """The numbers of the header: queue, unread, follow-up, maybe missed, updated after review,
    outlets by health (``late``: outlets no crawl of which has finished for too long, failing
    whatever their last run's health said, as the banner and the outlets page say)."""
    out: dict[str, Any] = {
        "queue": conn.execute(LISTS["queue"].count_sql).fetchone()[0],
        "follow_up": conn.execute(LISTS["follow-up"].count_sql).fetchone()[0],
        "maybe_missed": conn.execute(LISTS["maybe-missed"].count_sql).fetchone()[0] if feats.maybe_missed else None,
        "updated": conn.execute(LISTS["updated"].count_sql).fetchone()[0] if feats.updated else None,
    }
    if since is None:
        out["unread"] = out["queue"]
    elif feats.first_seen:
        out["unread"] = conn.execute("SELECT count(*) FROM (SELECT first_seen_at FROM review_queue LIMIT -1) "
                                     "WHERE datetime(first_seen_at) >= datetime(?)", [since]).fetchone()[0]
        out["unread"] += _queued_since(conn, since) if feats.queued_since else 0
    else:
        out["unread"] = conn.execute("SELECT count(*) FROM articles WHERE id IN (SELECT id FROM review_queue) "
                                     "AND datetime(first_seen_at) >= datetime(?)", [since]).fetchone()[0]
    health = dict(conn.execute("SELECT outlet, status FROM outlet_health").fetchall())
    for outlet in late:
        health[outlet] = min(health.get(outlet, "unknown"), "failing", key=severity)
    by_status: dict[str, int] = {}
    for status in health.values():
        by_status[status] = by_status.get(status, 0) + 1
    worst = min(by_status, key=severity, default="ok")
    out["health"] = {"worst": worst, "count": by_status.get(worst, 0), "by_status": by_status}
    return out


def _queued_since(conn: sqlite3.Connection, since: str) -> int:
    """Queued articles first seen before ``since`` that entered the queue after it (an update of
    their text or a rescore made them relevant): unread too. Read from m017's partial index (a
    database before it counts by first sight only: ``Features.queued_since``)."""
    try:
        bound = datetime.fromisoformat(since).astimezone(timezone.utc).isoformat(timespec="seconds")
    except ValueError:
        return 0
    return conn.execute(f"SELECT count(*) FROM articles INDEXED BY {QUEUED_INDEX} WHERE relevant = 1 "
                        "AND status = 'new' AND relevant_since >= ? AND first_seen_at < ?",
                        [bound, bound]).fetchone()[0]


def alerts(conn: sqlite3.Connection, names: Mapping[str, str] | None = None, *,
           late: Mapping[str, Mapping[str, str]] | None = None,
           channels: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Outlets whose health is failing, blocked or degraded, worst first, with reasons and since when.

    Args:
        late: outlets no crawl of which has finished for too long (``crawler.scheduler.overdue``):
            failing, whatever their last run's health said.
        channels: notification channels whose last delivery failed
            (``storage.notifications.failing_channels``): what the reviewer was not told.
    """
    rows = _rows(conn, "SELECT outlet, status, reasons, since FROM outlet_health WHERE status IN ({})".format(
        ",".join("?" * len(ALERT))), ALERT)
    for row in rows:
        row["reasons"] = [r.get("message", r.get("code", "")) for r in json.loads(row["reasons"] or "[]")]
        row["name"] = (names or {}).get(row["outlet"], row["outlet"])
    shown = {row["outlet"]: row for row in rows}
    for outlet, found in (late or {}).items():
        row = shown.get(outlet)
        if row is None:
            row = {"outlet": outlet, "status": "failing", "reasons": [], "since": found["since"],
                   "name": (names or {}).get(outlet, outlet)}
            rows.append(row)
        elif row["status"] not in ALARM:
            # Failing since its last crawl finished, as `newsmon status` and the outlets page say
            # (scheduler.flag_overdue): a degraded outlet's read "failing since" it turned degraded.
            row["since"] = found["since"]
        row["status"] = min(row["status"], "failing", key=severity)
        row["reasons"].append(found["message"])
    for channel in channels:
        rows.append({"outlet": channel["channel"], "name": "Notifications", "status": "failing", "since": channel["since"],
                     "reasons": [f"{channel['failed']} deliveries failed, the last with {channel['error']}: fix the "
                                 "channel ([notify]); what they missed is in this queue"]})
    return sorted(rows, key=lambda r: (severity(r["status"]), r["outlet"]))


def last_run(conn: sqlite3.Connection) -> dict[str, Any] | None:
    rows = _rows(conn, "SELECT id, started_at, finished_at, finish_reason FROM crawl_runs ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None


# --- search -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    outlet: str = ""
    status: str = ""
    language: str = ""
    date_from: str = ""  # YYYY-MM-DD, a day in JST
    date_to: str = ""
    order: str = "best"  # best | newest


def _day(value: str, name: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}: write a date as YYYY-MM-DD") from None
    return value


def search(conn: sqlite3.Connection, query: str, filters: Filters = Filters(),
           limit: int = SEARCH_LIMIT, offset: int = 0) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Articles matching ``query`` (``storage.search.parse_query``) within the filters.

    Returns:
        ``(rows, terms, more)``: up to ``limit`` rows (title, text, ...) after the first
        ``offset``, the words and phrases to highlight, and whether more rows follow (among the
        ``SEARCH_CANDIDATES`` newest matches, which are the ones ranked).

    Raises:
        ValueError (``QueryError`` among them): the query or a date cannot be read; the message
            says how to write it.
    """
    expression, terms = parse_query(query)
    if not expression:
        return [], [], False
    where = ["articles_search MATCH :q"]
    params: dict[str, Any] = {"q": expression}
    for name in ("outlet", "status", "language"):
        if getattr(filters, name):
            where.append(f"a.{name} = :{name}")
            params[name] = getattr(filters, name)
    when = "coalesce(datetime(a.published_at), datetime(a.first_seen_at))"
    if filters.date_from:
        where.append(f"{when} >= datetime(:date_from || 'T00:00:00+09:00')")
        params["date_from"] = _day(filters.date_from, "from")
    if filters.date_to:
        where.append(f"{when} < datetime(:date_to || 'T00:00:00+09:00', '+1 day')")
        params["date_to"] = _day(filters.date_to, "to")
    # Ranked (or ordered by date) among the newest matches only: fast for common words at scale.
    sql = search_sql("a.id, a.title, a.outlet, a.site_name, a.language, a.published_at, a.first_seen_at, a.status, "
                     "a.relevant, a.score, a.topic, a.text, a.url", where[1:],
                     order="newest" if filters.order == "newest" else "best")
    rows = _rows(conn, sql, {**params, "limit": limit + 1, "offset": offset, "candidates": SEARCH_CANDIDATES})
    for row in rows:
        del row["rank"], row["_when"]
    return rows[:limit], terms, len(rows) > limit


def outlet_keys(conn: sqlite3.Connection) -> list[str]:
    # One index seek per outlet (a skip scan), not a walk over every article's entry: 0.1 ms
    # instead of 70 at a million articles (bench/million).
    return [r[0] for r in conn.execute("""
        WITH RECURSIVE o(outlet) AS (
            SELECT min(outlet) FROM articles
            UNION ALL
            SELECT (SELECT min(outlet) FROM articles WHERE outlet > o.outlet) FROM o WHERE o.outlet IS NOT NULL)
        SELECT outlet FROM o WHERE outlet IS NOT NULL""")]
