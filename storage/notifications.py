"""What the notification digest of a run lists, and the log of what was sent.

An article is listed in one delivered digest at most (``notified_articles``). A digest that no
channel delivered leaves its articles pending, and so does a run killed before it could send
one: the next run's digest picks them up, for up to 24 hours.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from sqlite_utils import Database

from .db import beside, transaction
from .review import UPDATED_AFTER_REVIEW, UPDATED_INDEX

logger = logging.getLogger("newsmon.notify")

#: How far back a digest looks for relevant articles that no digest has delivered yet.
CATCH_UP = timedelta(hours=24)
#: An article published longer than this before newsmon first saw it (or before it became
#: relevant: an update, a rescore) is no news: a backfill
#: (`newsmon ingest` of last year's CC-NEWS stored thousands, which the next crawls' digests
#: listed as "new relevant articles", 50 an hour), or an outlet's archive a sitemap lists on a
#: first crawl. A digest counts such articles in one line; they are in the review queue.
#: ``[notify] news_age`` sets another.
NEWS_AGE = timedelta(days=7)


def _older(news_age: timedelta) -> str:
    # Measured from when it became relevant (first seen so, or made so by an update or a
    # rescore): a month-old article a rescore under new topics puts in the queue is no news.
    return (f"(a.published_at IS NOT NULL AND datetime(a.published_at) < "
            f"datetime(coalesce(a.relevant_since, a.first_seen_at), '-{int(news_age.total_seconds())} seconds'))")


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def run(db: Database, run_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM crawl_runs WHERE id = ?", [run_id]))
    if not rows:
        return None
    row = rows[0]
    row["outlets"] = json.loads(row["outlets"] or "[]")
    return row


def _pending(db: Database, run_id: int, now: datetime | None, *,
             dropped: bool = False) -> tuple[str, list[Any]] | None:
    """The FROM and WHERE of the relevant articles of the run's outlets no digest delivered yet;
    ``dropped``: of those it looks back no more for (``undelivered_articles``)."""
    info = run(db, run_id)
    if info is None or not info["outlets"]:
        return None
    now = now or datetime.now(timezone.utc)
    lower = info["started_at"]
    # From the start of the run whose digest was the first tried (or recorded unsent), not from when it was
    # tried: its own articles were stored before it, and a failed first digest left them to none.
    first = db.execute("SELECT min(coalesce(r.started_at, n.sent_at)) FROM notifications n "
                       "LEFT JOIN crawl_runs r ON r.id = n.run_id").fetchone()[0]
    if first is not None:
        lower = min(lower, max(_iso(now - CATCH_UP), first))
    elif not dropped:
        # No digest went out yet (a new database, or runs that had nothing to tell): a run that ended before it
        # could send its own (killed, hung, forced to stop, still unrecorded) left its articles to this one all the
        # same, up to CATCH_UP back. From this run's start only, the first relevant articles a database ever found
        # were told by no digest when their run was killed. A run that finished told its own, or had no [notify]
        # then: its articles are the history turning notifications on does not send.
        cut = db.execute("SELECT min(started_at) FROM crawl_runs WHERE id < ? AND started_at >= ? AND "
                         "(finish_reason IS NULL OR finish_reason IN ('killed', 'timeout', 'shutdown: forced', "
                         "'shutdown: killed') OR finish_reason LIKE 'failed%') AND EXISTS (SELECT 1 FROM "
                         f"json_each(crawl_runs.outlets) WHERE value IN ({', '.join('?' for _ in info['outlets'])}))",
                         [run_id, _iso(now - CATCH_UP), *info["outlets"]]).fetchone()[0]
        if cut is not None:
            lower = min(lower, cut)
    if dropped and first is None:
        return None
    since, bounds = ("< ? AND coalesce(a.relevant_since, a.first_seen_at) >= ?", [lower, first]) if dropped \
        else (">= ?", [lower])
    marks = ", ".join("?" for _ in info["outlets"])
    where = f"""
        FROM articles a
        WHERE a.relevant = 1 AND coalesce(a.relevant_since, a.first_seen_at) {since}
          AND a.id IN (SELECT article_id FROM urls WHERE outlet IN ({marks}) AND article_id IS NOT NULL)
          AND a.id NOT IN (SELECT article_id FROM notified_articles)
    """
    return where, [*bounds, *info["outlets"]]


def pending_articles(db: Database, run_id: int, *, now: datetime | None = None, limit: int = 50,
                     news_age: timedelta | None = NEWS_AGE,
                     told: Iterable[int] = ()) -> tuple[list[dict[str, Any]], int]:
    """The relevant articles of the run's outlets that no digest delivered yet: (first ``limit``, total).

    They are those that became relevant since the run started (first seen relevant, or made
    relevant by an update of their text: ``relevant_since``); once any digest has gone out, also
    the ones missed since then (a failed delivery, a killed run), up to ``CATCH_UP`` back. So
    turning notifications on for an old database does not send its whole history. ``version``
    above 1 says the article was updated since first seen. Articles published more than
    ``news_age`` before first seen are not news (``older_articles``); ``None``: all are. ``told``: ids a delivered
    digest listed whose record the database could not take yet (``record_unrecorded``): listed after the others,
    ``told`` true, so that news they would push past ``limit`` is not left for the next digest behind them.
    """
    pending = _pending(db, run_id, now)
    if pending is None:
        return [], 0
    where, params = pending
    if news_age is not None:
        where += f" AND NOT {_older(news_age)}"
    total = db.execute("SELECT count(*) " + where, params).fetchone()[0]
    told = sorted(set(told))
    rows = list(db.query(
        "SELECT a.id, a.title, a.url, a.outlet, a.published_at, a.first_seen_at, a.topic, a.score, "
        "a.matched_terms, a.version, a.story_id, a.id IN (SELECT value FROM json_each(?)) AS told " + where
        + " ORDER BY told, a.first_seen_at, a.id LIMIT ?", [json.dumps(told), *params, limit]))
    for row in rows:
        row["matched_terms"] = [m.get("term") for m in json.loads(row["matched_terms"] or "[]")]
        if row.pop("told"):
            row["told"] = True
    return rows, total


def pending_told(db: Database, run_id: int, told: Iterable[int], *, now: datetime | None = None,
                 news_age: timedelta | None = NEWS_AGE) -> list[int]:
    """The ids of ``pending_articles`` (all of them, not the first ``limit``) of ``told``: listed by a delivered
    digest whose record the database could not take yet, no news."""
    told = sorted(set(told))
    pending = _pending(db, run_id, now) if told else None
    if pending is None:
        return []
    where, params = pending
    if news_age is not None:
        where += f" AND NOT {_older(news_age)}"
    return [r[0] for r in db.execute(f"SELECT a.id {where} AND a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id",
                                     [*params, json.dumps(told)])]


def older_articles(db: Database, run_id: int, *, now: datetime | None = None,
                   news_age: timedelta | None = NEWS_AGE) -> list[int]:
    """The ids of the articles ``pending_articles`` leaves out as no news: relevant, of the run's
    outlets, not yet in a delivered digest, published more than ``news_age`` before first seen."""
    pending = _pending(db, run_id, now)
    if pending is None or news_age is None:
        return []
    where, params = pending
    return [r[0] for r in db.execute(f"SELECT a.id {where} AND {_older(news_age)} ORDER BY a.id", params)]


def undelivered_articles(db: Database, run_id: int, *, now: datetime | None = None) -> list[int]:
    """The ids of the relevant articles of the run's outlets that no delivered digest listed or
    counted and that ``pending_articles`` looks back no more for: stored more than ``CATCH_UP``
    ago, after the first digest newsmon tried to send (every channel failing for a day, a weekend;
    or more than a digest lists). They were dropped from every later digest, silently."""
    dropped = _pending(db, run_id, now, dropped=True)
    if dropped is None:
        return []
    where, params = dropped
    return [r[0] for r in db.execute(f"SELECT a.id {where} ORDER BY a.id", params)]


def removed_articles(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The relevant articles that their outlet took down, first seen so by run ``run_id``
    (``articles.removed_run``): a retraction is news to the analysts too."""
    return list(db.query(
        "SELECT id, title, url, outlet, published_at, removed_at, removed FROM articles "
        # From the partial index of the few removed (m016); +relevant keeps the planner off the
        # index of the many relevant.
        "WHERE removed_at IS NOT NULL AND removed_run = ? AND +relevant = 1 ORDER BY removed_at, id", [run_id]))


def updated_articles(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The articles a reviewer marked relevant or follow-up that run ``run_id`` found changed
    since (a new version stored during the run, after the decision): out of the queue, the
    change would reach nobody. Read from m021's partial index (as m048 made it again)."""
    info = run(db, run_id)
    if info is None or UPDATED_INDEX not in {index.name for index in db["articles"].indexes}:
        return []
    return list(db.query(
        f"SELECT id, title, url, outlet, version, status, updated_at, reviewed_at FROM articles "
        f"INDEXED BY {UPDATED_INDEX} WHERE {UPDATED_AFTER_REVIEW} "
        "AND updated_at >= ? AND updated_at <= ? ORDER BY updated_at, id",
        [info["started_at"], info["finished_at"] or _iso(datetime.now(timezone.utc))]))


def missed_health_changes(db: Database, run_id: int, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The health changes of the run's outlets that earlier runs logged (``health_log``) and no
    delivered digest held (``notified_health_changes``): every channel failed for their run (or it
    was not sent at all), the run ended between its check and its digest (killed), or another crawl
    checked it as killed and its own digest, if any, came without the change. At most ``CATCH_UP``
    back, but the change that began an outlet's current status however old; oldest first, each with
    when (``at``), by which run, and its ``health_log`` row (``id``: a digest delivered holding it
    keeps it told, ``mark_notified``, as one holding a change of its own run does).

    A webhook down when an outlet began failing: later digests re-sent the articles that alert
    had listed but never said the outlet was failing. Down for more than ``CATCH_UP`` (the daemon
    stopped for a weekend), no later digest said so either while it was still failing.

    An outlet's retirement is told by the next digest delivered whatever its run's outlets (``_retirements``)."""
    info = run(db, run_id)
    if info is None or not info["outlets"]:
        return []
    now = now or datetime.now(timezone.utc)
    since, floor = _iso(now - CATCH_UP), _iso(now - CATCH_UP - timedelta(hours=1))
    outlets = info["outlets"]
    # Read by idx_health_log_outlet from the first row logged since (an hour before, for clocks that
    # disagree): ``at >= ?`` alone read every row the outlets ever logged, 0.5 s a digest at a year
    # of 30 outlets whose feeds fail by turns (a row a run).
    first = None
    for row_id, at in db.execute("SELECT id, at FROM health_log ORDER BY id DESC"):
        if at < floor:
            break
        first = row_id
    # The row that began each outlet's status, when older: an outage whose alert no channel delivered
    # and that outlasted the window was never told while it went on. Its row is the outlet's newest
    # logged when the status began (``outlet_health.since``); looked up only for a status older than the window,
    # by m045's index: by idx_health_log_outlet it read every row the outlet logged since (300 ms a digest at a
    # year of 30 outlets whose feeds fail by turns, a row a run).
    began = [row[0] for outlet, status, at in db.execute(
        f"SELECT outlet, status, since FROM outlet_health WHERE outlet IN ({', '.join('?' * len(outlets))}) "
        "AND since < ?", [*outlets, since]).fetchall() for row in db.execute(
        "SELECT id FROM health_log INDEXED BY idx_health_log_began WHERE outlet = ? AND at = ? AND status = ? "
        "AND previous IS NOT status ORDER BY id DESC LIMIT 1", [outlet, at, status])]
    began += _flap_notices(db, outlets, since)
    retired = _retirements(db)
    if first is None and not began and not retired:
        return []
    # Rows logged before the first digest newsmon ever tried are the history turning notifications on does not send
    # (runs without [notify]); but for those of a run a digest was tried of (the first's own, logged before it).
    tried = db.execute("SELECT sent_at FROM notifications ORDER BY id LIMIT 1").fetchone()
    # The rows of the window and those that began a status as one list of ids: ``h.id IN (those) OR h.at >= ?``
    # read every row the outlets ever logged (5 times a day's rows' work at 1,200 runs of an outlet, a row a run).
    rows = db.query(
        f"""SELECT h.id, h.outlet, h.previous, h.status, h.reasons, h.resolved, h.at, h.run_id FROM health_log h
            WHERE h.id IN (SELECT id FROM health_log WHERE outlet IN ({', '.join('?' * len(outlets))}) AND id >= ?
                           AND at >= ? UNION SELECT value FROM json_each(?) UNION SELECT value FROM json_each(?))
            AND h.run_id < ?
            AND NOT (h.previous IS NULL AND h.status = 'ok')
            -- Told (given to its run's digest, ``update_health``), not logged only (said before, damped, its subjects
            -- changing run to run): no digest had those to lose. NULL, a row from before m043, judged as then: told
            -- where its run's digest held changes.
            AND (h.told = 1 OR h.told IS NULL AND EXISTS (
                SELECT 1 FROM notifications n WHERE n.run_id = h.run_id AND n.health_changes > 0))
            AND (h.at >= ? OR EXISTS (SELECT 1 FROM notifications n WHERE n.run_id = h.run_id))
            -- A change of an outlet that flaps, logged but not told (storage.health._flap), is no alert.
            AND NOT (h.reasons LIKE '%"code": "flapping"%' AND (
                SELECT p.reasons FROM health_log p WHERE p.outlet = h.outlet AND p.id < h.id ORDER BY p.id DESC
                LIMIT 1) LIKE '%"code": "flapping"%')
            -- Told where a delivered digest held it, as its run's change or as missed (m057, m060), and only there.
            -- Not by times: "a later run's digest sent after it was logged" compared whole seconds, taken as the digest
            -- began. Nor by run: "a delivered digest of a later run of a config crawling the outlet" took as told what
            -- the daemon's digest of a run another crawl had checked as killed first (``health.record_lost_run``),
            -- which did not hold the change that check logged under its id, and no digest said the outlet failed.
            AND NOT EXISTS (SELECT 1 FROM notified_health_changes t WHERE t.health_log_id = h.id)
            ORDER BY h.id""",
        [*outlets, first if first is not None else 1 << 62, since, json.dumps(began), json.dumps(retired), run_id,
         tried[0] if tried else "9999"])
    out = []
    for row in rows:
        resolved = row.pop("resolved")  # a reason's end told within the status (``health._resolved``)
        out.append({**row, "reasons": json.loads(row["reasons"] or "[]"),
                    **({"resolved": json.loads(resolved)} if resolved else {})})
    return out


def _retirements(db: Database) -> list[int]:
    """The row that retired each outlet still ``retired`` (``health.retire``), whatever the run's outlets: a retired
    outlet is in no later run, so its retirement, told by the digest of the run that found it (any config's) and
    by no other, was lost with that digest; and one found by a killed run's check (``health.record_killed_runs``),
    whose changes are logged only, was told by none. Each is told by the next digest delivered, of whatever run,
    and then by no other. A few outlets, each one lookup of m045's index."""
    return [row[0] for outlet, at in db.execute(
        "SELECT outlet, since FROM outlet_health WHERE status = 'retired'").fetchall() for row in db.execute(
        "SELECT id FROM health_log INDEXED BY idx_health_log_began WHERE outlet = ? AND at = ? AND status = 'retired' "
        "AND previous IS NOT status ORDER BY id DESC LIMIT 1", [outlet, at])]


def _flap_notices(db: Database, outlets: list[str], since: str) -> list[int]:
    """The row that told each of ``outlets`` still flapping that it flaps (``health._flap``: its first row of the
    flap), when logged before ``since``. A flap is told once, its changes after damped, each a status of its own:
    the row that began the current status is one of those, never told, and a flap's notice no channel delivered
    for a day (the webhook down over a weekend) was dropped while the outlet went on failing every other run.

    The notice is the outlet's last row told (``told = 1``: the flap's changes after it are logged only), by m049's
    index: read newest first down to it by idx_health_log_outlet, each digest read every row of the flap (a row a
    run, 8 ms a digest at a year of hourly runs). A flap begun before m043 (``told`` NULL) has none."""
    out = []
    for (outlet,) in db.execute(f"SELECT outlet FROM outlet_health WHERE outlet IN ({', '.join('?' * len(outlets))}) "
                                "AND reasons LIKE '%\"code\": \"flapping\"%'", outlets).fetchall():
        notice = db.execute("SELECT id, at, reasons FROM health_log INDEXED BY idx_health_log_notices "
                            "WHERE outlet = ? AND told = 1 ORDER BY id DESC LIMIT 1", [outlet]).fetchone()
        if notice is not None and '"code": "flapping"' in notice[2] and notice[1] < since:
            out.append(notice[0])
    return out


def failing_channels(db: Database, channels: Iterable[str]) -> list[dict[str, Any]]:
    """Each of ``channels`` (those configured: one taken out of the config fails no more) whose
    last delivery failed: its name, the error, since when it fails and how many deliveries failed
    since (``newsmon status``, the desk's banner)."""
    out = []
    for channel, last_ok in db.execute(
            "SELECT channel, max(CASE WHEN ok THEN sent_at END) FROM notifications GROUP BY channel ORDER BY channel"):
        if channel not in channels:
            continue
        failed = db.execute("SELECT count(*), min(sent_at), max(id) FROM notifications WHERE channel = ? AND ok = 0 "
                            "AND sent_at > coalesce(?, '')", [channel, last_ok]).fetchone()
        if failed[0]:
            error = db.execute("SELECT error FROM notifications WHERE id = ?", [failed[2]]).fetchone()[0]
            out.append({"channel": channel, "failed": failed[0], "since": failed[1], "error": error})
    return out


def record(db: Database, run_id: int | None, channel: str, *, ok: bool, error: str | None,
           articles: int, health_changes: int, now: datetime | None = None) -> None:
    """Log one attempt to deliver a digest through ``channel``."""
    with transaction(db):
        db.table("notifications").insert({
            "run_id": run_id, "sent_at": _iso(now or datetime.now(timezone.utc)), "channel": channel,
            "ok": int(ok), "error": error, "articles": articles, "health_changes": health_changes})


def record_unsent(db: Database, run_id: int, why: str, *, health_changes: int,
                  now: datetime | None = None) -> None:
    """Log that run ``run_id``'s health changes were not sent at all (``why``), under no channel
    of the config (``failing_channels`` names none): the next digest delivered tells them
    (``missed_health_changes``), as it does those of a digest no channel delivered."""
    if health_changes:
        record(db, run_id, "(not sent)", ok=False, error=why, articles=0, health_changes=health_changes, now=now)


def mark_notified(db: Database, article_ids: Iterable[int], run_id: int | None, *,
                  now: datetime | None = None, health_changes: Iterable[int] = ()) -> None:
    """Remember that a delivered digest listed these articles, and told these health changes (their ``health_log``
    ids: its run's own, and those it told as missed), so no later one repeats them and none is taken as told by
    another digest (``missed_health_changes``)."""
    stamp = _iso(now or datetime.now(timezone.utc))
    with transaction(db):
        for article_id in article_ids:
            db.execute("INSERT OR IGNORE INTO notified_articles (article_id, run_id, notified_at) "
                       "VALUES (?, ?, ?)", [article_id, run_id, stamp])
        for log_id in health_changes:
            db.execute("INSERT OR IGNORE INTO notified_health_changes (health_log_id, run_id, notified_at) "
                       "VALUES (?, ?, ?)", [log_id, run_id, stamp])


def record_delivery(db: Database, delivery: dict[str, Any], *, left: bool = False) -> None:
    """Log a digest's tries (``delivery``: ``run_id``, ``at``, ``results`` {channel: error or ``None``}, ``articles``,
    ``health_changes``: the counts; ``article_ids``, ``health_log_ids``: what it told) and, where a channel delivered
    it, mark what it told (``mark_notified``), in one transaction: both or neither. ``left``: a record read from
    ``unrecorded_file``, recorded nothing where its tries are in the table already."""
    now = datetime.fromisoformat(delivery["at"])
    with transaction(db):
        # Another process's digest may have read the same file and recorded it first (the daemon's, a crawl's), or
        # this one's unlink failed after the record: the table got each channel's row twice, one try a failure.
        if left and db.execute("SELECT 1 FROM notifications WHERE run_id = ? AND sent_at = ? AND channel = ?",
                               [delivery["run_id"], _iso(now), next(iter(delivery["results"]), "")]).fetchone():
            return
        for channel, error in delivery["results"].items():
            record(db, delivery["run_id"], channel, ok=error is None, error=error, articles=delivery["articles"],
                   health_changes=delivery["health_changes"], now=now)
        if any(error is None for error in delivery["results"].values()):
            mark_notified(db, delivery["article_ids"], delivery["run_id"], now=now,
                          health_changes=delivery["health_log_ids"])


def unrecorded_file(db_path: str, run_id: int) -> Path:
    """Where a delivered digest whose database could not take its record (locked, full) leaves it
    (``record_delivery``'s), for the next digest (``record_unrecorded``): the next one told it all again,
    its health changes as "not delivered"."""
    return beside(db_path) / f"run-{run_id}.notified.json"


def leave_unrecorded(db_path: str, delivery: dict[str, Any]) -> Path:
    """Leave ``delivery`` in ``unrecorded_file``. Raises ``OSError`` (the disk that is full)."""
    path = unrecorded_file(db_path, delivery["run_id"])
    path.parent.mkdir(exist_ok=True)
    # Written whole under another name, then renamed: a disk that filled as it was written left half a record
    # under its name, which every digest after logged as unreadable, for ever.
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(json.dumps(delivery), encoding="utf-8")
        partial.replace(path)
    except OSError:
        with suppress(OSError):
            partial.unlink()
        raise
    return path


def _read_left(path: Path) -> dict[str, Any]:
    """The delivery left in ``path``. Raises ``OSError``, or ``ValueError`` where it is not one."""
    delivery = json.loads(path.read_text(encoding="utf-8"))
    ids = ("article_ids", "health_log_ids")
    if not (isinstance(delivery, dict) and isinstance(delivery.get("run_id"), int)
            and isinstance(delivery.get("results"), dict) and delivery["results"]
            and all(isinstance(delivery.get(k), int) for k in ("articles", "health_changes"))
            and all(isinstance(delivery.get(k), list) and all(isinstance(i, int) for i in delivery[k]) for k in ids)):
        raise ValueError("not the record of a digest's delivery")
    datetime.fromisoformat(delivery.get("at"))  # TypeError where it is not a string
    return delivery


class Waiting(NamedTuple):
    """What the delivered digests whose records the database still cannot take told: their ``health_log`` ids and
    their articles' ids (listed or counted)."""

    health_log_ids: set[int]
    article_ids: set[int]


def record_unrecorded(db: Database, db_path: str) -> Waiting:
    """Record the deliveries earlier digests left (``leave_unrecorded``); return what those the database still cannot
    take told: delivered, the next digest tells it again as such (not as undelivered, nor its articles as new). One no
    digest can record (not such a record, or one the database refuses) is set aside, said once (``_set_aside``)."""
    still = Waiting(set(), set())
    waiting: list[tuple[Path, int]] = []
    unwritable: sqlite3.Error | None = None
    for path in sorted(beside(db_path).glob("run-*.notified.json"), key=_run_order):
        try:
            delivery = _read_left(path)
        except OSError as exc:  # the directory unreadable, as the file was: tried again by the next digest
            logger.error("newsmon: %s, a delivered digest's record, cannot be read (%s): its articles and health "
                         "changes may be told again", path, exc)
            continue
        except (ValueError, TypeError) as exc:
            _set_aside(path, f"is not a delivered digest's record newsmon can read ({exc})")
            continue
        if unwritable is None:
            try:
                record_delivery(db, delivery, left=True)
            except sqlite3.IntegrityError as exc:  # the file's, not the database's (an article deleted since)
                # Kept, no retry mended it: logged by every digest, its health changes "told again" for ever.
                _set_aside(path, f"cannot be recorded ({exc})")
                continue
            except sqlite3.Error as exc:  # locked past the busy timeout, full
                unwritable = exc
            else:
                with suppress(OSError):
                    path.unlink()
                continue
        # One wait for the database's lock, not one a file: each file waited the busy timeout before the digest.
        still.health_log_ids.update(delivery["health_log_ids"])
        still.article_ids.update(delivery["article_ids"])
        waiting.append((path, delivery["run_id"]))
    if waiting:
        logger.error("newsmon: the delivered digest%s of run%s %s left in %s still cannot be recorded (%s): the next "
                     "digest tells %s articles and health changes again, as such", "s" if len(waiting) > 1 else "",
                     "s" if len(waiting) > 1 else "", ", ".join(str(run) for _, run in waiting), waiting[0][0].parent,
                     unwritable, "their" if len(waiting) > 1 else "its")
    return still


def _run_order(path: Path) -> tuple[int, str]:
    """Oldest run first: by name, run 10's record came before run 9's."""
    number = path.name.removeprefix("run-").split(".", 1)[0]
    return (int(number) if number.isdigit() else 0, path.name)


def _set_aside(path: Path, why: str) -> None:
    """Move a left record no digest can record out of their way, said once: kept, each digest logged it again."""
    aside = path.with_name(path.name.removesuffix(".json") + ".unrecordable.json")
    try:
        path.replace(aside)
    except OSError as exc:
        logger.error("newsmon: %s %s, nor could it be set aside (%s): its articles and health changes may be told "
                     "again", path, why, exc)
    else:
        logger.error("newsmon: %s %s: set aside as %s; its articles and health changes may be told again (see it "
                     "for what that digest told)", path, why, aside.name)


def left_records(db_path: str) -> tuple[list[Path], list[Path]]:
    """The delivered digests' records left beside the database (``newsmon status``): waiting for a digest to
    record them (``leave_unrecorded``), and set aside as none could (``record_unrecorded``)."""
    where = beside(db_path)
    return (sorted(where.glob("run-*.notified.json"), key=_run_order),
            sorted(where.glob("run-*.notified.unrecordable.json"), key=_run_order))
