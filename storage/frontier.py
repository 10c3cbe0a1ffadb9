"""The URL ledger: every article URL newsmon has met, in exactly one state, with a reason.

A feed or sitemap answers 304 once it has been read, so a URL it listed must be remembered
when it is discovered, not when it is fetched: a run killed, limited (``NEWSMON_MAX_ARTICLES``)
or failing half-way leaves its URLs ``pending`` (or ``error``), and the next run fetches them
whether or not any discovery page lists them again.

The states (``urls.kind``), and what a later run does with each:

============  =====================================================================  ==============
state         meaning                                                                 next run
============  =====================================================================  ==============
pending       discovered, not fetched yet                                             fetched
fetched       downloaded and its raw page stored; extraction did not finish (killed)  extracted from
                                                                                      the stored page
article       stored as an article (or redirected to one: ``redirected_to``)          never fetched
not_article   a well-formed HTML page that holds no article (a listing, a tag page);  never fetched
              a crawl's first such verdict is looked at again (``retry_at``)          (after retry_at)
error         the fetch or the body failed; ``reason`` says how                       fetched again
              (a 429 or 503 with a long Retry-After: not before ``retry_at``)         (after retry_at)
gave_up       failed ``NEWSMON_MAX_ATTEMPTS`` times; ``reason`` keeps the last error  once more after
                                                                                      retry_at (6 h)
gone          404 on every attempt, or 410 at once (or a "not found" page, a          404s: once more
              redirect to a page no article URL of its outlet: ``redirected_away``)   after retry_at
refused       out of scope (another host, not http/https) or disallowed by            never fetched,
              robots.txt; or robots.txt could not be read (``robots_unavailable``)    but see reason
blocked       a bot wall, consent page or login stood where the article should be     after retry_at
              (the wait doubles, at most a day; after a week: gave_up)
============  =====================================================================  ==============

``attempts`` counts network fetches: one per response or failure, none for a refusal or for
re-extracting a stored page. A URL refused by robots.txt is fetched again only after robots.txt
changes (``robots_changed``); one refused because robots.txt answered 5xx, next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from .db import transaction
from .queries import now_utc

STATES = ("pending", "fetched", "article", "not_article", "error", "gave_up", "gone", "refused", "blocked")
"""Every state a URL can be in (``urls.kind``); see the module doc."""

#: Between a listed headline and its summary (``urls.listed``; ``crawler.discovery``).
WORDS_PARTS = " — "
#: The states of a URL whose article newsmon did not read and will not soon (``unread_listed``):
#: behind a wall, given up, no article found in its page, gone before it was read, not fetched.
#: As m031's partial index lists them.
NOT_READ = ("blocked", "gave_up", "not_article", "gone", "refused")

#: Refusals that are not the site's final word: robots.txt could not be read this run.
RETRY_REFUSALS = ("robots_unavailable",)

#: The errors of a URL whose archived record stands for another URL's capture (``newsmon ingest``):
#: a revisit record, a redirect to another article URL. While it waits for that capture, its
#: ``redirected_to`` names it (``stands_for``, ``waiting_on``: m035's partial index); anything
#: recorded for the URL after drops the link.
STAND_INS = ("revisit", "redirect")
_STAND_IN = "kind = 'error' AND reason_code IN ('revisit', 'redirect')"

#: How many places (``archive_place``) an archive sitemap's block holds: each sitemap read has a block of its own
#: (each child of an index, in the index's order: ``archive_block``), its entries numbered in it in the order listed.
#: Numbered from 1 in each, two children of an index read in the same second interleaved their entries in the
#: backlog, and children read in turn came in the order their answers came, not the index's. More than a sitemap
#: of the 50 MB a crawl reads holds (an entry is 30 bytes at least). An index that is an index's child shares its
#: block out among its children, in its order: within a block, places alone give the order, not the time read.
ARCHIVE_BLOCK = 10_000_000


def add_pending(db: Database, urls: Iterable[str], *, outlet: str, reason: str | None = None,
                run_id: int | None = None, now: str | None = None, listed: Mapping[str, str] | None = None,
                copies: Mapping[str, str] | None = None, archive: Mapping[str, int] | None = None,
                news: Iterable[str] = ()) -> int:
    """Remember newly discovered URLs (already known ones are left as they are); return how many were new.

    ``listed``: what the feed, news sitemap or section page said of these and other URLs it
    listed (``crawler.discovery.Discovered.listed``, ``link_words``), kept for each known URL that
    has no such words yet, or has a headline alone where these add a summary (a section page's
    link listed it before a feed's entry did). ``copies``: the AMP copy's address it listed these
    and other URLs as (``listed_as``, m044), kept for each known URL, the latest over an earlier.
    ``archive``: of these URLs, those only an archive sitemap listed, each with its place in it
    (``archive_place``, m050: ``due_urls`` takes them after the day's news, in that order).
    ``news``: known URLs the day's news lists (a feed, a news sitemap, a section, a recent entry):
    no archive's any more, they are the day's news of the backlog."""
    now = now or now_utc()
    listed = listed or {}
    archive = archive or {}
    with transaction(db):
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR IGNORE INTO urls (url, outlet, kind, first_seen_at, last_seen_at, attempts, reason, "
            "reason_code, run_id, listed, archive_place) VALUES (?, ?, 'pending', ?, ?, 0, ?, 'discovered', ?, ?, ?)",
            [(url, outlet, now, now, reason or "discovered; not fetched yet", run_id, listed.get(url), archive.get(url))
             for url in urls])
        new = db.conn.total_changes - before
        db.conn.executemany("UPDATE urls SET archive_place = NULL WHERE url = ? AND archive_place IS NOT NULL",
                            [(url,) for url in news])
        # Named, not numbered (?1): Python 3.12 before 3.12.4 (Ubuntu 24.04 has 3.12.3) takes ?1 for a
        # name and warns that a sequence will not do from 3.14 (CPython gh-117995).
        db.conn.executemany(f"UPDATE urls SET listed = :words WHERE url = :url AND (listed IS NULL OR "
                            f"(instr(:words, '{WORDS_PARTS}') > 0 AND instr(listed, '{WORDS_PARTS}') = 0))",
                            [{"words": words, "url": url} for url, words in listed.items()])
        # Not an article read from its own address (``forget_copy``): its copy, asked for where that address
        # answers 404 or 410 after the feed rolled past it, read a stale copy a cache still served as the
        # article unchanged, never marked removed.
        db.conn.executemany("UPDATE urls SET listed_as = ? WHERE url = ? AND listed_as IS NOT ? "
                            "AND (kind <> 'article' OR listed_as IS NOT NULL)",
                            [(copy, url, copy) for url, copy in (copies or {}).items()])
        return new


def forget_copy(db: Database, url: str) -> None:
    """``url``'s own address served its article (stored, or a revisit read it): its AMP copy is no longer
    asked for in its place, so that the address's 404 or 410 at a later revisit is the article taken down."""
    with transaction(db):
        db.execute("UPDATE urls SET listed_as = NULL WHERE url = ? AND listed_as IS NOT NULL", [url])


def listed_as(db: Database, url: str) -> str | None:
    """The AMP copy's address a listing gave for ``url`` (``add_pending``'s ``copies``), or ``None``: asked for
    where ``url`` answers 404 or 410, at a revisit or a retry after the listing rolled past it too."""
    row = db.execute("SELECT listed_as FROM urls WHERE url = ?", [url]).fetchone()
    return row[0] if row else None


def unread_listed(db: Database, *, since: str) -> list[dict[str, Any]]:
    """URLs first seen since ``since`` whose article newsmon did not read, and will not soon
    (``NOT_READ``: behind a wall, given up, no article found in the page, gone, not fetched), but
    whose feed, news sitemap or section page said what they are (``listed``), newest first: what
    a reviewer can still know of such an article (``newsmon status`` scores these words against
    the topics). Read from m031's partial index. Each row has ``read_by`` and ``read_at`` of the
    reviewer who read it at the outlet, or ``None``."""
    return _listed(f"kind IN ({', '.join(repr(k) for k in NOT_READ)}) AND listed IS NOT NULL AND first_seen_at >= ?",
                   [since], db)


def unread_of_run(db: Database, run_id: int, started_at: str) -> list[dict[str, Any]]:
    """The listed URLs (``unread_listed``) run ``run_id`` left unread for the first time: its first
    wall (``blocked_since`` within the run); given up or gone in it, not at the one late try
    (``LAST_TRY_AFTER``: only the first give-up sets ``retry_at``; at one attempt, or a 410, there
    is none); a final "no article" (a second look, or an archive's one: no ``retry_at``); refused
    for good (not a robots.txt that could not be read). Its digest says so, once."""
    return _listed("run_id = ? AND listed IS NOT NULL AND ((kind = 'blocked' AND blocked_since >= ?) "
                   "OR (kind = 'gave_up' AND (retry_at IS NOT NULL OR attempts = 1)) "
                   "OR (kind = 'gone' AND (retry_at IS NOT NULL OR attempts = 1 OR http_status = 410)) "
                   "OR (kind = 'not_article' AND retry_at IS NULL) "
                   f"OR (kind = 'refused' AND reason_code NOT IN ({', '.join(repr(c) for c in RETRY_REFUSALS)})))",
                   [run_id, started_at], db)


_LISTED_COLUMNS = ("url", "outlet", "kind", "reason", "listed", "first_seen_at", "read_by", "read_at")


def _listed(where: str, params: list[Any], db: Database) -> list[dict[str, Any]]:
    # With the reviewer who said they read it at the outlet (m030's listed_reads), if one has.
    columns = ", ".join("u.url" if c == "url" else c for c in _LISTED_COLUMNS)
    rows = db.execute(f"SELECT {columns} FROM urls u LEFT JOIN listed_reads r ON r.url = u.url WHERE {where} "
                      "ORDER BY first_seen_at DESC", params).fetchall()
    return [dict(zip(_LISTED_COLUMNS, row)) for row in rows]


def state(db: Database, url: str) -> dict[str, Any] | None:
    """The ledger row of ``url`` (``kind`` is its state), or ``None`` if never seen."""
    rows = list(db.query("SELECT * FROM urls WHERE url = ?", [url]))
    return rows[0] if rows else None


def needs_fetch(db: Database, url: str, *, max_attempts: int, now: str | None = None) -> bool:
    """Whether discovery should request ``url``: new, pending, or failed with attempts left."""
    return fetch_need(db, url, max_attempts=max_attempts, now=now) is not None


def fetch_need(db: Database, url: str, *, max_attempts: int, now: str | None = None,
               claim_for: str | None = None, run_id: int | None = None) -> str | None:
    """Why ``url`` is to be fetched: ``"new"`` (never seen), ``"again"`` (pending, or failed with
    attempts left: what an earlier run left, ``due_urls``); ``None`` when it is not. ``claim_for``:
    the outlet whose article URL it is (on its domains, taken by its pattern): refused where
    another outlet listed it (``off_scope``, or ``not_article_url`` by an outlet on the same
    domains), it is that outlet's, never fetched: ``"new"``."""
    row = db.execute("SELECT kind, attempts, reason_code, retry_at, outlet FROM urls WHERE url = ?", [url]).fetchone()
    if row is None:
        return "new"
    if claim_for is not None and row[0] == "refused" and (
            row[2] == "off_scope" or row[2] == "not_article_url" and row[4] != claim_for):
        with transaction(db):
            _claim(db, url, claim_for, by=row[4] or "another outlet", how="", code=row[2], run_id=run_id,
                   now=now or now_utc())
        return "new"
    return "again" if _due(*row[:4], max_attempts=max_attempts, now=now) else None


def _due(kind: str, attempts: int, code: str | None, retry_at: str | None, *, max_attempts: int,
         now: str | None) -> bool:
    if kind == "pending":
        return True
    if kind == "error":  # not before the time the site asked for (Retry-After), if it asked
        return attempts < max_attempts and (retry_at is None or retry_at <= (now or now_utc()))
    if kind in ("gave_up", "gone"):  # its one late try (LAST_TRY_AFTER)
        return retry_at is not None and retry_at <= (now or now_utc())
    if kind == "refused":
        return code in RETRY_REFUSALS
    if kind == "blocked":
        return retry_at is None or retry_at <= (now or now_utc())
    if kind == "not_article":
        return retry_at is not None and retry_at <= (now or now_utc())
    return False  # fetched (extracted from its stored page), or final


def archive_block(db: Database, outlet: str) -> int:
    """The first block of ``archive_place`` (``ARCHIVE_BLOCK``) that no archive of ``outlet`` was given: a run's
    archives take theirs from it on, after those of earlier reads. (Places given before blocks are block 0.)"""
    # From m056's partial index, its WHERE repeated (without it, the planner read every URL of the outlet).
    return db.execute("SELECT coalesce(max(archive_place), 0) FROM urls WHERE outlet = ? AND archive_place IS NOT NULL",
                      [outlet]).fetchone()[0] // ARCHIVE_BLOCK + 1


#: How many of an archive's waiting URLs ``archive_waiting`` counts: "over 10,000" says as much as 400,000 read.
WAITING_COUNTED = 10_000


def archive_waiting(db: Database, outlet: str, *, before: str, counted: int = WAITING_COUNTED) -> int:
    """How many URLs of ``outlet`` only an archive sitemap listed (``archive_place``) wait ``pending`` since
    ``before`` or earlier (first seen then), ``counted`` and one at most (``health.archive_waiting``). From
    m053's index, the archive's end of the outlet's range (its second column, written as there), what may be due as
    written there."""
    # +first_seen_at: by idx_urls_outlet_seen the planner read every URL the outlet had first seen before then.
    return len(db.execute(f"SELECT 1 FROM urls WHERE outlet = ? AND ({_may_be_due()}) AND (archive_place IS NOT NULL) "
                          "= 1 AND kind = 'pending' AND +first_seen_at <= ? LIMIT ?",
                          [outlet, before, counted + 1]).fetchall())


def archive_taken(db: Database, outlet: str, run_ids: Sequence[int], *, counted: int = WAITING_COUNTED) -> int:
    """How many URLs of ``outlet`` that only an archive sitemap listed runs ``run_ids`` asked for, ``counted`` at
    most: those they left in a state other than ``pending`` (stored, failed, refused ...), or postponed (the outlet
    walled newsmon off after the run had asked for them: the news had left them room). By m056's
    idx_urls_archive_run, the runs' archive URLs alone (``+outlet``: by the outlet's, every URL it ever had)."""
    if not run_ids:
        return 0
    return len(db.execute(f"SELECT 1 FROM urls WHERE run_id IN ({', '.join('?' * len(run_ids))}) AND +outlet = ? "
                          "AND archive_place IS NOT NULL AND (kind <> 'pending' OR reason_code = 'postponed') LIMIT ?",
                          [*run_ids, outlet, counted]).fetchall())


def _may_be_due() -> str:
    """What may be due at some time (``due_urls`` tells what is now): m053's partial index holds these rows, its
    WHERE written so, word for word (the planner takes an index whose WHERE the query repeats). Of
    ``RETRY_REFUSALS`` as it is: written into the index alone, a refusal added to it was never due again, no
    word said; from it, a refusal the index lacks is due all the same, read without the index (test_storage
    pins the index's WHERE to this: a new migration rebuilds it)."""
    return " OR ".join(["kind IN ('pending', 'error', 'blocked')",
                        *(f"(kind = 'refused' AND reason_code = '{code}')" for code in RETRY_REFUSALS),
                        "(kind IN ('not_article', 'gave_up', 'gone') AND retry_at IS NOT NULL)"])


def due_urls(db: Database, outlet: str, *, max_attempts: int, limit: int, now: str | None = None) -> list[str]:
    """URLs of ``outlet`` still to fetch (``needs_fetch``): the day's news first, oldest first, then
    what only an archive sitemap listed (``archive_place``), in the order it listed them (an index's children in
    its order, a later read's after an earlier's: ``ARCHIVE_BLOCK``). Oldest
    first alone, the day's articles a first run's feed listed over ``NEWSMON_MAX_ARTICLES``, or a
    burst's, waited behind the archive read before them (50,000 at 500 a run: 100 runs). The archive
    gets what room the day's news leaves; it waits only while an outlet's news alone fills every
    run (health's ``backlog`` tells it where the news left grows, ``archive_waiting`` where it fills each run
    exactly, or nearly)."""
    placeholders = ", ".join("?" for _ in RETRY_REFUSALS)
    # Read in its order from m053's partial index (the condition as written there), the first ``limit`` only.
    return [row[0] for row in db.execute(
        f"""
        SELECT url FROM urls WHERE outlet = ? AND ({_may_be_due()}) AND (
            kind = 'pending'
            OR (kind = 'error' AND attempts < ? AND (retry_at IS NULL OR retry_at <= ?))
            OR (kind = 'refused' AND reason_code IN ({placeholders}))
            OR (kind = 'blocked' AND (retry_at IS NULL OR retry_at <= ?))
            OR (kind IN ('not_article', 'gave_up', 'gone') AND retry_at <= ?))
        ORDER BY archive_place IS NOT NULL, archive_place / {ARCHIVE_BLOCK},
            CASE WHEN archive_place >= {ARCHIVE_BLOCK} THEN NULL ELSE first_seen_at END, archive_place, url LIMIT ?
        """, [outlet, max_attempts, now or now_utc(), *RETRY_REFUSALS, now or now_utc(), now or now_utc(),
              limit]).fetchall()]


def fetched_urls(db: Database, outlet: str) -> list[tuple[str, int]]:
    """``(url, page_id)`` of the outlet's URLs downloaded but never extracted (a killed run)."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT url, page_id FROM urls WHERE outlet = ? AND kind = 'fetched' AND page_id IS NOT NULL "
        "ORDER BY first_seen_at, url", [outlet]).fetchall()]


def _upsert(db: Database, url: str, *, outlet: str | None, kind: str, code: str | None, reason: str | None,
            http_status: int | None, run_id: int | None, now: str, attempt: bool,
            article_id: int | None = None, page_id: int | None = None, redirected_to: str | None = None,
            retry_at: str | None = None, error: str | None = None, blocked_since: str | None = None) -> None:
    if kind not in STATES:
        raise ValueError(f"unknown URL state {kind!r}: use one of {', '.join(STATES)}")
    db.execute(
        """
        INSERT INTO urls (url, outlet, kind, http_status, article_id, first_seen_at, last_seen_at, attempts,
                          last_error, reason, reason_code, redirected_to, page_id, run_id, retry_at, blocked_since)
        VALUES (:url, :outlet, :kind, :http_status, :article_id, :now, :now, :inc, :error, :reason, :code,
                :redirected_to, :page_id, :run_id, :retry_at, :blocked_since)
        ON CONFLICT (url) DO UPDATE SET
            outlet = coalesce(excluded.outlet, urls.outlet),
            kind = excluded.kind,
            http_status = coalesce(excluded.http_status, urls.http_status),
            article_id = coalesce(excluded.article_id, urls.article_id),
            last_seen_at = excluded.last_seen_at,
            attempts = urls.attempts + :inc,
            last_error = coalesce(excluded.last_error, urls.last_error),
            reason = excluded.reason,
            reason_code = excluded.reason_code,
            -- A stand-in's link to the capture it waited for (STAND_INS) is no redirect.
            redirected_to = CASE WHEN urls.kind = 'error' AND urls.reason_code IN ('revisit', 'redirect')
                                 THEN excluded.redirected_to
                                 -- Where this redirect off the domains led, not an earlier state's (a
                                 -- redirect to the front page, in scope: readmitted at every run).
                                 WHEN excluded.reason_code = 'redirect_off_scope' THEN excluded.redirected_to
                                 ELSE coalesce(excluded.redirected_to, urls.redirected_to) END,
            page_id = coalesce(excluded.page_id, urls.page_id),
            run_id = coalesce(excluded.run_id, urls.run_id),
            retry_at = excluded.retry_at,
            -- The week of walls (record_blocked) runs on while the URL waits (postponed while
            -- the outlet walls us off) or fails; a page that got through ends it.
            blocked_since = CASE WHEN excluded.kind IN ('blocked', 'pending', 'error')
                                 THEN coalesce(urls.blocked_since, excluded.blocked_since) END
        """,
        {"url": url, "outlet": outlet, "kind": kind, "http_status": http_status, "article_id": article_id,
         "now": now, "inc": 1 if attempt else 0, "error": error, "reason": reason, "code": code,
         "redirected_to": redirected_to, "page_id": page_id, "run_id": run_id, "retry_at": retry_at,
         "blocked_since": blocked_since})


def mark_fetched(db: Database, url: str, *, outlet: str | None, page_id: int, http_status: int,
                 run_id: int | None = None, now: str | None = None) -> None:
    """``url`` was downloaded (one attempt) and its raw page stored as ``page_id``; extraction follows."""
    with transaction(db):
        _upsert(db, url, outlet=outlet, kind="fetched", code="fetched", http_status=http_status,
                reason="downloaded; extraction pending", run_id=run_id, now=now or now_utc(), attempt=True,
                page_id=page_id)


def record_result(db: Database, url: str, *, outlet: str | None, kind: str, reason: str, code: str,
                  article_id: int | None = None, page_id: int | None = None, http_status: int | None = None,
                  redirected_to: str | None = None, run_id: int | None = None, attempt: bool = False,
                  retry_at: str | None = None, now: str | None = None) -> None:
    """The verdict on a downloaded page: ``article`` or ``not_article``. ``attempt``: count a fetch
    (``False`` when ``mark_fetched`` already counted it); ``retry_at``: when a ``not_article``
    is looked at once more."""
    if kind not in ("article", "not_article"):
        raise ValueError(f"record_result takes article or not_article, not {kind!r}: use record_failure")
    with transaction(db):
        _upsert(db, url, outlet=outlet, kind=kind, code=code, reason=reason, http_status=http_status,
                run_id=run_id, now=now or now_utc(), attempt=attempt, article_id=article_id, page_id=page_id,
                redirected_to=redirected_to, retry_at=retry_at if kind == "not_article" else None)


#: A URL given up on (``gave_up``, or ``gone`` on repeated 404s; not a 410) is tried once more this
#: long after: its tries were a run apart, and an outlet whose pages fail for an hour while its
#: CDN keeps serving the feeds (a busy news day), or whose feed lists a page before it is up,
#: would otherwise lose every article listed meanwhile.
LAST_TRY_AFTER = timedelta(hours=6)


def _last_try_at(now: str, not_before: str | None) -> str:
    """When a URL whose attempts ran out is tried once more: ``LAST_TRY_AFTER`` from ``now``, or later where the
    site asked not to be asked before then."""
    return max((datetime.fromisoformat(now) + LAST_TRY_AFTER).isoformat(timespec="seconds"), not_before or "")


def _minute(moment: str) -> str:
    """An ISO 8601 UTC moment as a reason says it: ``2026-12-07 21:40``."""
    return moment[:16].replace("T", " ")


def record_failure(db: Database, url: str, *, outlet: str | None, code: str, reason: str, max_attempts: int,
                   exhausted: str = "gave_up", http_status: int | None = None, run_id: int | None = None,
                   attempt: bool = True, redirected_to: str | None = None, now: str | None = None,
                   not_before: str | None = None, copy: bool = False, unretried: bool = False) -> str:
    """A failed fetch or an unusable body: ``error`` while attempts are left, then ``exhausted``.

    ``exhausted`` is ``gave_up``, or ``gone`` for a 404 (pass ``max_attempts=1`` for a 410, gone
    at once). ``attempt=False`` when the fetch was already counted (a bad body of a stored
    page). ``not_before``: the site asked not to be asked again before then (a 429 or 503's
    Retry-After, longer than a crawl waits): no run fetches the URL earlier, and its one late try
    is no earlier either. ``copy``: an archive's copy of the page failed (``newsmon ingest``), not a fetch of it:
    the URL is an ``error`` with the crawl's attempts as they were (see ``_copy_failed``). ``unretried``: the server
    failed it as the crawl stopped, before the retries a run gives it (``crawl.STOP_GRACE``): said, no attempt counted.
    Returns the state the URL is left in.
    """
    if exhausted not in ("gave_up", "gone", "blocked"):
        raise ValueError(f"exhausted must be gave_up, gone or blocked, not {exhausted!r}")
    now = now or now_utc()
    with transaction(db):
        row = db.execute("SELECT attempts, kind, reason_code, last_error, retry_at FROM urls WHERE url = ?",
                         [url]).fetchone()
        if copy and (row is None or row[1] not in ("gave_up", "gone")):
            return _copy_failed(db, url, row, outlet=outlet, code=code, reason=reason, http_status=http_status,
                                run_id=run_id, redirected_to=redirected_to, now=now)
        if unretried:
            return _unretried(db, url, row, outlet=outlet, code=code, reason=reason, max_attempts=max_attempts,
                              exhausted=exhausted, http_status=http_status, run_id=run_id,
                              redirected_to=redirected_to, now=now, not_before=not_before)
        attempts = (row[0] if row else 0) + (1 if attempt else 0)
        final = attempts >= max_attempts
        kind = exhausted if final else "error"
        text = reason
        if final and exhausted == "gave_up":
            text = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}: {reason}"
        elif final and exhausted == "gone" and attempts > 1 and row[2] not in (None, code) and row[3] \
                and row[3] != reason:
            # "a 404 on 3 attempts" where two were empty bodies: the one before is said as it was.
            text = f"{reason} at the last of {attempts} attempts (the one before: {row[3]})"
        elif final and exhausted == "gone" and attempts > 1:
            text = f"{reason} on {attempts} attempts"
        elif not final and not_before is not None:
            text = (f"{reason} (attempt {attempts} of {max_attempts}; tried again at the first run after "
                    f"{_minute(not_before)} UTC, as the site asked)")
        elif not final:
            text = f"{reason} (attempt {attempts} of {max_attempts}; tried again next run)"
        retry_at = not_before if not final else None
        if final and exhausted in ("gave_up", "gone") and max_attempts > 1 and (row is None or row[1] != exhausted):
            retry_at = _last_try_at(now, not_before)
            text += f"; tried once more after {_minute(retry_at)} UTC"
        _upsert(db, url, outlet=outlet, kind=kind, code=code, reason=text, http_status=http_status, run_id=run_id,
                now=now, attempt=attempt, error=reason, redirected_to=redirected_to, retry_at=retry_at)
    return kind


def _unretried(db: Database, url: str, row: Sequence[Any] | None, *, outlet: str | None, code: str, reason: str,
               max_attempts: int, exhausted: str, http_status: int | None, run_id: int | None,
               redirected_to: str | None, now: str, not_before: str | None) -> str:
    """A failure the server gave as the crawl stopped, before the run's retries (``record_failure``'s ``unretried``):
    one try where a run makes 1 + RETRY_TIMES. Counted, it was the run's attempt: an article that had failed in two
    runs was given up on that try alone, not asked again for 6 h. Its last try (after its attempts ran out) is put off
    as it was, to ``LAST_TRY_AFTER`` from now."""
    attempts = row[0] if row else 0
    cut = "the crawl was stopped before it could try again"
    if attempts < max_attempts:
        kind, retry_at = "error", not_before
        when = f"at the first run after {_minute(not_before)} UTC, as the site asked" if not_before \
            else "next run"
        text = f"{reason} ({cut}: not counted as an attempt, {attempts} of {max_attempts} so far; tried again {when})"
    else:
        kind = exhausted
        retry_at = _last_try_at(now, not_before)
        text = (f"{reason} (its last try, after {attempts} attempt{'s' if attempts != 1 else ''}; {cut}: tried once "
                f"more after {_minute(retry_at)} UTC)")
    _upsert(db, url, outlet=outlet, kind=kind, code=code, reason=text, http_status=http_status, run_id=run_id, now=now,
            attempt=False, error=reason, redirected_to=redirected_to, retry_at=retry_at)
    return kind


#: How a reason says that a crawl of the URL's outlet fetches its page (an archive's copy of it gave none).
CRAWL_FETCHES = "a crawl of the outlet fetches"


def _copy_failed(db: Database, url: str, row: Sequence[Any] | None, *, outlet: str | None, code: str, reason: str,
                 http_status: int | None, run_id: int | None, redirected_to: str | None, now: str) -> str:
    """An archive's copy of ``url`` gave no page (``record_failure``'s ``copy``): ``error``, no attempt counted, a
    wait the crawl was asked for (``retry_at``) kept. Counted as one of the crawl's attempts (``newsmon ingest``'s
    own 3, whatever ``NEWSMON_MAX_ATTEMPTS``), it took a try of the live page the crawl had left, and with
    ``NEWSMON_MAX_ATTEMPTS=1`` left an error no crawl fetched, its reason saying "attempt 1 of 3; tried again next
    run". The crawl's last error (``last_error``), where it has one, stays its own."""
    waits = row[4] if row is not None and row[1] in ("error", "blocked") else None
    said = "" if CRAWL_FETCHES in reason or outlet is None else f": {CRAWL_FETCHES} the page"
    tries = row[0] if row is not None else 0
    text = f"{reason} (an archive's copy, not counted as an attempt{said}; the crawl's attempts so far: {tries})"
    _upsert(db, url, outlet=outlet, kind="error", code=code, reason=text, http_status=http_status, run_id=run_id,
            now=now, attempt=False, redirected_to=redirected_to, retry_at=waits,
            error=None if row is not None and row[3] else reason)
    return "error"


#: The longest wait between two tries of a blocked URL.
MAX_WALL_BACKOFF = timedelta(days=1)
#: A URL blocked for longer than this since it was first seen is given up on: the news is old.
WALL_GIVE_UP = timedelta(days=7)


def record_blocked(db: Database, url: str, *, outlet: str | None, code: str, reason: str, backoff: float,
                   http_status: int | None = None, run_id: int | None = None, attempt: bool = True,
                   now: str | None = None, redirected_to: str | None = None) -> str:
    """A wall stood where the article should be: never stored, tried again after a wait.

    The wait starts at ``backoff`` seconds and doubles with each wall (at most a day), so a
    site that blocks us is asked less and less; a URL still blocked a week after its first wall
    is ``gave_up``. The week counts from that wall (``blocked_since``), not from discovery: a
    URL waiting in the backlog for a week is not given up on at its first, maybe brief, wall.
    Returns the state: ``blocked`` or ``gave_up``. ``redirected_to``: where the wall stood, when
    the URL was sent on to it.
    """
    now = now or now_utc()
    moment = datetime.fromisoformat(now)
    with transaction(db):
        row = db.execute("SELECT attempts, blocked_since FROM urls WHERE url = ?", [url]).fetchone()
        attempts = (row[0] if row else 0) + (1 if attempt else 0)
        # _upsert keeps blocked_since until a page gets through: only then does a wall start a new week.
        since = datetime.fromisoformat(row[1]) if row and row[1] else moment
        if moment - since > WALL_GIVE_UP:
            _upsert(db, url, outlet=outlet, kind="gave_up", code=code, http_status=http_status, run_id=run_id,
                    reason=f"gave up: blocked for more than {WALL_GIVE_UP.days} days; last: {reason}", now=now,
                    attempt=attempt, error=reason)
            return "gave_up"
        wait = min(timedelta(seconds=backoff * 2 ** max(0, attempts - 1)), MAX_WALL_BACKOFF)
        retry_at = (moment + wait).isoformat(timespec="seconds")
        _upsert(db, url, outlet=outlet, kind="blocked", code=code, http_status=http_status, run_id=run_id,
                reason=f"{reason} (tried again after {retry_at})", now=now, attempt=attempt, error=reason,
                retry_at=retry_at, blocked_since=since.isoformat(timespec="seconds"), redirected_to=redirected_to)
    return "blocked"


def note_revisit(db: Database, url: str, *, failed: bool, result: str, now: str | None = None) -> None:
    """A revisit of a stored article: the URL stays ``article`` whatever happened; its reason
    says how the last revisit went (``revisit_failed`` when it failed: the stored article stays)."""
    now = now or now_utc()
    with transaction(db):
        row = db.execute("SELECT reason, reason_code FROM urls WHERE url = ?", [url]).fetchone()
        if row is None:
            return
        base = (row[0] or "").split("; last revisit", 1)[0]
        code = "revisit_failed" if failed else ("stored" if row[1] == "revisit_failed" else row[1])
        text = f"{base}; last revisit {now}{' failed' if failed else ''}: {result}"
        db.execute("UPDATE urls SET reason = ?, reason_code = ?, last_seen_at = ? WHERE url = ? AND kind = 'article'",
                   [text[:2000], code, now, url])


def stands_for(db: Database, url: str, capture: str) -> None:
    """``url``'s archived record stands for ``capture``'s (``STAND_INS``): linked while it waits."""
    db.execute(f"UPDATE urls SET redirected_to = ? WHERE url = ? AND {_STAND_IN}", [capture, url])


def waiting_on(db: Database, capture: str) -> list[dict[str, Any]]:
    """The URLs whose archived record stands for ``capture``'s and that wait for it (``stands_for``)."""
    cursor = db.execute(f"SELECT url, outlet, reason_code, http_status FROM urls WHERE redirected_to = ? "
                        f"AND {_STAND_IN}", [capture])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def restate(db: Database, url: str, reason: str, *, now: str | None = None) -> None:
    """A new reason for ``url``'s state (learnt later), its state and counts unchanged."""
    with transaction(db):
        db.execute("UPDATE urls SET reason = ?, last_seen_at = ? WHERE url = ?", [reason, now or now_utc(), url])


def postpone(db: Database, url: str, *, outlet: str | None, reason: str, run_id: int | None = None,
             now: str | None = None) -> None:
    """Not fetched this run after all (the outlet walled us off): ``pending`` again, no attempt."""
    with transaction(db):
        _upsert(db, url, outlet=outlet, kind="pending", code="postponed", reason=reason, http_status=None,
                run_id=run_id, now=now or now_utc(), attempt=False)


def record_refused(db: Database, url: str, *, outlet: str | None, code: str, reason: str,
                   run_id: int | None = None, now: str | None = None, listed: str | None = None,
                   redirected_to: str | None = None) -> None:
    """Not fetched, by our rules (scope) or the site's (robots.txt): no attempt is counted.
    ``listed``: what the document that listed it said of it (``add_pending``'s), if it has none;
    ``redirected_to``: where a redirect off the outlet's domains led (``redirect_off_scope``)."""
    with transaction(db):
        _upsert(db, url, outlet=outlet, kind="refused", code=code, reason=reason, http_status=None,
                run_id=run_id, now=now or now_utc(), attempt=False, redirected_to=redirected_to)
        if listed:
            db.execute("UPDATE urls SET listed = ? WHERE url = ? AND listed IS NULL", [listed, url])


def readmit(db: Database, outlet: str, takes: Callable[[str], bool], *, run_id: int | None = None,
            now: str | None = None) -> int:
    """``pending`` again: the URLs of ``outlet`` its article URL pattern did not take
    (``refused``, ``not_article_url``), or sent on to a page it did not take
    (``redirected_away``), that ``takes`` (the pattern as it is now) takes. Returns how many.

    The pattern widened as outlet health advised (``pattern``: "a new URL scheme?"), the URLs it
    had refused stayed refused for good, though the feed listed them every run, and health
    went on quoting one of them as an example of what the pattern does not take."""
    # m034's partial index holds these rows: the query names its condition as written there.
    rows = db.execute("SELECT url, reason_code, redirected_to FROM urls WHERE outlet = ? "
                      "AND reason_code IN ('not_article_url', 'redirected_away') "
                      "AND ((kind = 'refused' AND reason_code = 'not_article_url') "
                      "OR (kind IN ('error', 'gone') AND reason_code = 'redirected_away'))", [outlet]).fetchall()
    now = now or now_utc()
    back = [(url, code) for url, code, target in rows if takes(url if code == "not_article_url" else target or "")]
    if not back:
        return 0
    said = {"not_article_url": "its article URL pattern now takes it (it was refused as one the pattern did not "
                               "take); not fetched yet",
            "redirected_away": "its article URL pattern now takes the page it is sent on to (that was refused as "
                               "no article of the outlet); not fetched yet"}
    with transaction(db):
        # Its attempts were the pattern's doing: it starts again with all of them.
        db.conn.executemany("UPDATE urls SET kind = 'pending', reason_code = 'readmitted', reason = ?, "
                            "retry_at = NULL, attempts = 0, run_id = coalesce(?, run_id), last_seen_at = ? "
                            "WHERE url = ?",
                            [(said[code], run_id, now, url) for url, code in back])
    return len(back)


#: A URL refused as out of scope where it was listed, that an outlet takes: pending again, and why.
_CLAIMED = ("on the domains of {outlet} (it was refused as out of scope where {by} listed it{how}); not fetched yet")
#: A URL another outlet on the same domains listed and refused as no article URL of its own, that an
#: outlet's article URL pattern takes: pending again, and why.
_TAKEN = ("an article URL of {outlet}, which takes it (it was refused as no article URL of {by}, which listed "
          "it{how}); not fetched yet")


def readmit_in_scope(db: Database, outlet: str, takes: Callable[[str], bool], *, run_id: int | None = None,
                     now: str | None = None) -> int:
    """``pending`` URLs of ``outlet`` again: those refused as out of scope (``off_scope``: on a
    host not among the domains of the outlet that listed them) that ``takes`` (its domains and
    article URL pattern as they are now) takes. Returns how many. The host added to its domains as
    outlet health advised (``off_domains``), the URLs it had refused stayed refused for good, with
    a reason no longer true, and health went on counting them; and an article only another
    outlet's feed listed was never fetched by the outlet it belongs to. Read from m037's index."""
    rows = db.execute("SELECT url, outlet FROM urls WHERE kind = 'refused' AND reason_code = 'off_scope'").fetchall()
    back = [(url, by) for url, by in rows if takes(url)]
    if not back:
        return 0
    with transaction(db):
        for url, by in back:
            _claim(db, url, outlet, by=by or "another outlet",
                   how=", before its domains took the host" if by == outlet else "", run_id=run_id,
                   now=now or now_utc())
    return len(back)


def readmit_refused_by(db: Database, outlet: str, others: Sequence[str], takes: Callable[[str], bool], *,
                       run_id: int | None = None, now: str | None = None) -> int:
    """``pending`` URLs of ``outlet``: those that ``others`` (outlets whose domains share a host with
    its) listed and refused as their article URL pattern did not take them (``not_article_url``),
    that ``takes`` (its domains and pattern) takes. Returns how many. Outlets share a host (a
    ministry's Japanese and English pages, mod and mod_en; nippon_com and nippon_com_en; an outlet
    of the user's beside a built-in one): an article of one that the other's feed listed first was
    refused there, and the outlet it belongs to, finding the URL known, never fetched it, while the
    other's health counted it as a URL scheme its own pattern lacked."""
    if not others:
        return 0
    # m034's partial index holds these rows: the query names its condition as written there.
    rows = db.execute(f"SELECT url, outlet FROM urls WHERE outlet IN ({', '.join('?' * len(others))}) "
                      "AND reason_code IN ('not_article_url', 'redirected_away') "
                      "AND kind = 'refused' AND reason_code = 'not_article_url'", list(others)).fetchall()
    back = [(url, by) for url, by in rows if takes(url)]
    if not back:
        return 0
    with transaction(db):
        for url, by in back:
            _claim(db, url, outlet, by=by, how="", code="not_article_url", run_id=run_id, now=now or now_utc())
    return len(back)


def readmit_redirected_off(db: Database, outlet: str, in_scope: Callable[[str], bool], *, run_id: int | None = None,
                           now: str | None = None) -> int:
    """``pending`` again: the URLs of ``outlet`` refused because they redirected off its domains
    (``redirect_off_scope``) to a page that ``in_scope`` (its domains as they are now) takes.
    Returns how many. Its articles moved to a new host and the host added to its domains, as health
    advised (``redirected_off``), those refused stayed refused for good."""
    rows = db.execute("SELECT url, redirected_to FROM urls WHERE outlet = ? AND kind = 'refused' "
                      "AND reason_code = 'redirect_off_scope'", [outlet]).fetchall()
    back = [(url, target) for url, target in rows if target and in_scope(target)]
    if not back:
        return 0
    with transaction(db):
        for url, target in back:
            _readmitted(db, url, outlet, f"it redirects to {target[:200]}, on the domains of {outlet} now (it was "
                                         "refused as redirected off them); not fetched yet", run_id, now or now_utc())
    return len(back)


def _claim(db: Database, url: str, outlet: str, *, by: str, how: str, run_id: int | None, now: str,
           code: str = "off_scope") -> None:
    said = _TAKEN if code == "not_article_url" else _CLAIMED
    _readmitted(db, url, outlet, said.format(outlet=outlet, by=by, how=how), run_id, now)


def _readmitted(db: Database, url: str, outlet: str, reason: str, run_id: int | None, now: str) -> None:
    db.execute("UPDATE urls SET kind = 'pending', outlet = ?, reason_code = 'readmitted', reason = ?, retry_at = NULL, "
               "attempts = 0, run_id = coalesce(?, run_id), last_seen_at = ? WHERE url = ?",
               [outlet, reason, run_id, now, url])


def robots_seen(db: Database, netloc: str, *, http_status: int | None, sha256: str | None,
                now: str | None = None) -> bool:
    """Remember robots.txt of ``netloc`` as fetched now; return whether it changed since last seen.

    When it changed, the URLs it disallowed become ``pending`` again (their outlet's next run
    asks robots.txt once more); a first sighting is not a change.
    """
    now = now or now_utc()
    with transaction(db):
        row = db.execute("SELECT sha256, http_status FROM robots WHERE netloc = ?", [netloc]).fetchone()
        changed = row is not None and sha256 is not None and row[0] != sha256
        # Down when last asked: a 5xx, or no answer at all (``http_status`` NULL).
        was_down = row is not None and (row[1] is None or row[1] >= 500)
        db.execute(
            """
            INSERT INTO robots (netloc, http_status, sha256, fetched_at, changed_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (netloc) DO UPDATE SET http_status = excluded.http_status,
                sha256 = coalesce(excluded.sha256, robots.sha256), fetched_at = excluded.fetched_at,
                changed_at = CASE WHEN ? THEN excluded.fetched_at ELSE robots.changed_at END
            """, [netloc, http_status, sha256, now, now if row is None else None, changed])
        if changed:
            db.execute(
                "UPDATE urls SET kind = 'pending', reason_code = 'robots_changed', "
                "reason = 'robots.txt changed since it disallowed this URL; fetched again' "
                "WHERE kind = 'refused' AND reason_code = 'robots_disallow' "
                "AND (url LIKE 'http://' || ? || '/%' OR url LIKE 'https://' || ? || '/%')", [netloc, netloc])
        if sha256 is not None and was_down:
            # Read again (a 2xx, or a 4xx: no rules): what was refused while it could not be read
            # waits for room as any URL does. Left so, a run whose quota went to newer articles
            # ended with them saying robots.txt was down while it had just been read. (Only after
            # a read that failed: the statement scans the frontier, not to be paid at every read.)
            db.execute(
                "UPDATE urls SET kind = 'pending', reason_code = 'robots_changed', "
                "reason = 'robots.txt could not be read when this URL was refused, and can be now; fetched again' "
                "WHERE kind = 'refused' AND reason_code = 'robots_unavailable' "
                "AND (url LIKE 'http://' || ? || '/%' OR url LIKE 'https://' || ? || '/%')", [netloc, netloc])
    return changed


def record_discovery(db: Database, *, run_id: int | None, outlet: str, url: str, kind: str, ok: bool,
                     http_status: int | None = None, entries: int | None = None, article_urls: int | None = None,
                     new_urls: int | None = None, refused: int | None = None, reason: str | None = None,
                     known: int | None = None, newest_entry: str | None = None, entry_interval: int | None = None,
                     unlinked: int | None = None, retry_at: str | None = None, now: str | None = None,
                     listing: tuple[int, int] | None = None) -> None:
    """What one feed, sitemap or section page gave this run, or why it gave nothing; ``known``:
    how many of a feed's or a section's article URLs were seen before this run; ``listing``: of a
    section page, its own listing's article URLs and how many were seen before, its sidebars left
    out (``crawler.discovery.main_listing``); ``newest_entry``
    and ``entry_interval``: the date of a feed's newest entry, and the seconds between two of its
    entries; ``unlinked``: how many of a feed's or sitemap's entries gave no URL
    (``discovery.Discovered``); ``retry_at``: its site asked (a 429 or 503's Retry-After) not to
    be asked for it before then (``asked_wait``)."""
    with transaction(db):
        db.table("discovery").insert({
            "run_id": run_id, "outlet": outlet, "url": url, "kind": kind, "fetched_at": now or now_utc(),
            "http_status": http_status, "ok": int(ok), "entries": entries, "article_urls": article_urls,
            "new_urls": new_urls, "refused": refused, "reason": reason, "known": known,
            "newest_entry": newest_entry, "entry_interval": entry_interval, "unlinked": unlinked,
            "retry_at": retry_at, "listing_urls": listing[0] if listing else None,
            "listing_known": listing[1] if listing else None})


def asked_wait(db: Database, url: str, *, now: str | None = None) -> tuple[str, int | None] | None:
    """``(retry_at, http_status)`` of feed, sitemap or section ``url`` when its newest read (or
    run that did not ask for it), for whichever outlet, says its site asked not to be asked before
    a time that has not come yet; else None. The site asked newsmon, not one outlet: a feed two
    outlets list was asked again by the second's run two seconds after it asked for an hour."""
    row = db.execute("SELECT retry_at, http_status FROM discovery WHERE url = ? ORDER BY id DESC LIMIT 1",
                     [url]).fetchone()
    return (row[0], row[1]) if row and row[0] and row[0] > (now or now_utc()) else None


def last_listing(db: Database, outlet: str, url: str, *, own: bool = False) -> tuple[str, int] | None:
    """``(fetched_at, article_urls)`` of the newest read of feed or section ``url`` that listed
    an article URL; ``None`` if none did. ``own``: of a section page, the newest read whose own
    listing did (``listing_urls``: its boxes of other articles left out), and how many it listed."""
    column = "listing_urls" if own else "article_urls"
    found = db.execute(f"SELECT fetched_at, {column} FROM discovery WHERE url = ? AND outlet = ? "
                       f"AND {column} > 0 ORDER BY id DESC LIMIT 1", [url, outlet]).fetchone()
    return (found[0], found[1]) if found else None


def own_listing_noted(db: Database, outlet: str, url: str, note: str) -> bool:
    """Whether the newest read of section page ``url`` whose own listing listed an article URL took that
    listing as its reason ``note`` (the start of it) says: its box named as picks
    (``crawler.discovery.page_listing``)."""
    found = db.execute("SELECT substr(coalesce(reason, ''), 1, length(?)) = ? FROM discovery WHERE url = ? "
                       "AND outlet = ? AND listing_urls > 0 ORDER BY id DESC LIMIT 1",
                       [note, note, url, outlet]).fetchone()
    return bool(found and found[0])


def seen_before(db: Database, urls: list[str], run_id: int | None, since: str) -> int:
    """How many of ``urls`` were seen before run ``run_id``, which started at ``since``: first
    seen before it, or in its first second by another run (times are whole seconds, and a quick
    run may start in the second the one before it ended)."""
    seen = 0
    for i in range(0, len(urls), 500):
        chunk = urls[i:i + 500]
        seen += db.execute(f"SELECT count(*) FROM urls WHERE url IN ({', '.join('?' * len(chunk))}) "
                           "AND (first_seen_at < ? OR (first_seen_at = ? AND run_id IS NOT ?))",
                           [*chunk, since, since, run_id]).fetchone()[0]
    return seen


def run_states(db: Database, run_id: int, outlet: str) -> dict[str, int]:
    """``{state: n}`` of the outlet's URLs whose state run ``run_id`` set, plus its backlog:
    ``pending`` counts every URL of the outlet still waiting, whichever run found it."""
    counts = {row[0]: row[1] for row in db.execute(
        "SELECT kind, count(*) FROM urls WHERE run_id = ? AND outlet = ? AND kind != 'pending' GROUP BY kind",
        [run_id, outlet]).fetchall()}
    pending = db.execute("SELECT count(*) FROM urls WHERE outlet = ? AND kind IN ('pending', 'fetched')",
                         [outlet]).fetchone()[0]
    if pending:
        counts["pending"] = pending
    return {k: counts[k] for k in STATES if counts.get(k)}
