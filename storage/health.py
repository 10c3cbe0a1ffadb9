"""Outlet health: what each run found per outlet, the checks that flag an outlet, and its status.

A crawl writes one ``outlet_runs`` row per outlet when it closes (``record_outlet_run``); then
``update_run_health`` checks each of its outlets against that outlet's own history and keeps the
result in ``outlet_health`` (read it through the ``health`` view), logging every change in
``health_log``. The checks, each a ``Reason`` code:

failing (the outlet is not being crawled properly):
    ``timeout``    the last run hung and was killed at its timeout (named: its documents that had
                   not answered; an outlet of the same job whose own all had is degraded, the
                   outlet that held the run named)
    ``failed``     the last run's process died without closing its run
    ``errors``     errors dominate the last run (at least half of its requests failed), or none
                   of its article pages came back (at least two failed): feeds that still
                   answer outnumber a few articles a quiet hour brings, and the outlet read "ok"
    ``no_links``   its feeds, sitemaps and sections were read but listed no article URL, where
                   they usually list some (the article URL pattern no longer matches?)
    ``silent``     no new article for hours that brought it at least 10 on each of the 7 days before
                   (in its first week: at least 30 on each day it has)
    ``robots``     its robots.txt answered 5xx or could not be fetched: RFC 9309 says fetch
                   nothing, so nothing was (the next run asks again)
    ``discovery``  every feed, sitemap and section it read was broken or failed
    ``redirected_off``  over its last 8 runs, at least 3 of its article URLs redirected off its
                   domains to an http(s) page, never followed (``refused``), as many as it fetched
                   or more: its articles moved to another host, or a login or consent page there;
                   read "ok", as refusals are no errors

blocked (the outlet answers, but with walls: bot challenges, consent pages, logins, empty
documents where articles should be; or its robots.txt shuts newsmon out):
    ``blocked``    at least half the article pages of the last run were walls, or nothing but
                   walls came back (the reason names the wall)
    ``robots_disallow``  its robots.txt disallows at least half the article URLs it listed over
                   the last week: newsmon obeys, so it fetches none of them (each URL says so,
                   ``refused``), and nothing else would tell that its articles stopped coming

degraded (articles arrive but extraction is going wrong):
    ``rules_missed``  the outlet's rules no longer match: its articles are read without them
    ``no_article``    extraction finds no article in the pages
    ``short_text``, ``no_title``, ``no_date``  empty texts, missing titles or dates
    ``disagree``      rules and generic extraction disagree strongly on the same page
    ``discovery``     some of its feeds, sitemaps or sections failed, were not parseable, or list no
                      article URL where they listed some (named)
    ``overflow``      a feed or section read before listed only articles never seen before (a section
                      in its own listing, its sidebars left out, or on its whole page): it turned over
                      completely since the run before, so more were published in between than it
                      holds, and some may have dropped off it unseen (crawl it more often)
    ``refetched``     half or more of its last run's article pages (at least 5) were articles
                      already stored under another of its URLs: a parameter that changes with
                      every visit defeats the URL canonicalisation, and each run fetches them again
    ``pattern``       a third or more of the URLs its channels listed over the last week (at
                      least 3), or half or more of those first listed in its last 3 runs (at
                      least 3), are entries of its feeds or Google News sitemaps on its domains
                      that its article URL pattern does not take (``refused``,
                      ``not_article_url``): a new URL scheme for its articles? None is fetched
                      until the pattern takes them (then they are, ``frontier.readmit``)
    ``off_domains``   a third or more of the URLs its channels listed over the last week (at
                      least 3) are entries of its feeds or Google News sitemaps on hosts not
                      among its domains: its articles moved to a new host?
    ``unlinked``      a third or more of the entries of a feed or sitemap of the last run (at least
                      3) gave no URL: their articles are not crawled, while the document reads "ok"
    ``stale``         a feed, Google News sitemap or section has listed nothing new for ten
                      times the interval between its own entries (a day at least; without dates,
                      as a section's, between its reads that listed something new), while its other
                      channels found articles published since: frozen, or moved with the old
                      address still answering its last copy; what only it lists is missed
    ``late``          its new articles are found more than an hour (``late_after``) after they
                      were published, and mostly after a run that came after their publication
                      did not find them: its feeds or sitemaps list them late (a stale cache, a
                      sitemap written once a day), so "within the hour" is not kept
    ``backlog``       its new articles are stored more than ``late_after`` after newsmon found
                      them: its crawls do not keep up
    ``archive_waiting``  what only its archive sitemaps listed waits, and none of it was asked for
                      over its last day of runs (``ARCHIVE_WAIT``, ``ARCHIVE_WAIT_RUNS`` read to their
                      end), or too little to take it within ``ARCHIVE_PACE``: the day's news takes
                      (nearly) each run's whole NEWSMON_MAX_ARTICLES (``archive_waiting``)
    ``dates``         its articles' publication times lie after newsmon stored them: their
                      dates are read wrong (a time zone?), and so are the queue's order and the
                      "last 24 hours" counts
    ``paywalled``     half or more of its latest articles (at least 10) are a paywall's teaser
                      only, 30 points more than over the month before: a new paywall, or its
                      pages served cut short to newsmon; their text past the lead is not scored
    ``garbled``       half or more of its latest articles (at least 3) read as bytes decoded with
                      the wrong codec (``crawler.encoding.garbled``): they score 0, out of the queue
    ``flapping``      in and out of failing or blocked 3 times in its last 8 runs: told once, its
                      changes damped until 3 runs in a row agree (``_flap``)
    ``paywall_lost``  far fewer of its latest articles (at least 30) are teasers than over the
                      month before (30 points fewer, a quarter of its share at most): its teasers
                      no longer marked as such (a redesign of its paywall's box), each stored
                      and scored as a whole article

How late each run found its new articles is kept per outlet (``outlet_runs.lags``, see
``run_lags``), for the ``late`` and ``dates`` checks and for ``newsmon status``.

An outlet the runs of ``RETIRE_DAYS`` days left out is ``retired`` (``retire``): no alarm, its last
health and since when it was not crawled said in its reason, told once when that health was not ok.

No Scrapy here: the counts come in as plain numbers.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from math import ceil
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import frontier
from .db import pid_alive, transaction

COUNTS = ("discovery_ok", "discovery_changed", "discovery_failed", "discovered", "pages", "errors",
          "articles_new", "articles_relevant", "no_article", "no_title", "no_date", "short_text",
          "rules_expected", "rules_missed", "crosschecked", "disagreed", "discovery_broken",
          "robots_unavailable", "walls", "paywalled", "garbled")
"""The per-outlet counts of one run: the columns of ``outlet_runs``."""

STATUSES = ("ok", "degraded", "blocked", "failing")

SEVERITY = ("failing", "blocked", "degraded", "unknown", "ok", "retired")
"""Health statuses, worst first: ``blocked`` is a bot wall, ``unknown`` an outlet never checked,
``retired`` one the runs of ``RETIRE_DAYS`` days left out (``retire``)."""
ALARM = ("failing", "blocked")
"""The statuses that make ``newsmon status`` exit 1 (someone must act)."""


def severity(status: str) -> int:
    """Sort key of a health status, worst first (``SEVERITY``); a status it does not know ranks
    beside ``unknown``."""
    return SEVERITY.index(status) if status in SEVERITY else SEVERITY.index("unknown")

# A ratio check flags the outlet when the share of bad pages in its latest pages reaches
# RATIO_FLAG and is RATIO_MARGIN above the outlet's own share over the month before, so an
# outlet that always had short photo captions or undated pages is not flagged for them.
RATIO_FLAG = 0.5
RATIO_MARGIN = 0.3
BASELINE_DAYS = 30
# How many pages the latest window must hold before a ratio means anything. Rules either match
# a layout or not, so three pages are enough to say they stopped; the softer signals vary from
# page to page (about 1 page in 9 of the saved ones has rules and generic text disagreeing:
# paywalled teasers, photo captions), so they need ten.
RULES_MIN_PAGES = 3
SOFT_MIN_PAGES = 10
# ... and a share that falls (teasers no longer marked as such), more: a morning of free breaking
# news at an outlet whose every other article is for subscribers is ten free articles in a row.
PAYWALL_LOST_MIN = 30
# The last run failed when at least this share of its requests failed (and at least two did).
ERRORS_FLAG = 0.5
# "Silent": no new article over hours that, on each of the days before, brought the outlet at
# least this many (the chance of none by luck is e^-10). Judged on the same clock hours of each
# of the 7 days before, not on a daily average: a Japanese outlet that publishes 100 a day
# publishes none from 1:00 to 5:00 JST, a ministry none at weekends, and at an average either was
# "failing" every night or weekend. The fewest of those days counts, so a weekend or a holiday of
# the week before speaks for today's, and neither a burst (an earthquake's night) nor the
# outlet's first run (its feeds' and sitemaps' backlog, hundreds of articles) makes the usual
# look busier than it is. The gap must span at least 3 runs, and a week of history is needed
# (its weekend seen: at a week's weekdays, the first Saturday is a silence), so a seconds-long
# test schedule never trips it. Before a week, an outlet that stopped on its second day went
# unsaid for a week: with at least one whole day of history (its first run, the backlog, left
# out), the same hours of the days there are weigh the silence, but at three times the bar and in
# as many runs as the silence needs: a ministry's first weekend or an English service's quiet
# Saturday after busy weekdays is no silence, a news site stopping for a morning is.
SILENT_EXPECTED = 10
SILENT_YOUNG_EXPECTED = 30
SILENT_YOUNG_RUNS = 6
SILENT_MIN_RUNS = 3
SILENT_DAYS = 7

# A feed, sitemap or section that failed in the run before the last, read in the last, and failed
# in another of this many runs before with a good read between, is flapping: named, so its outlet
# stays degraded rather than changing with each run. One failed spell then good reads (an outage
# over) is not a flap.
FLAP_RUNS = 6
# An outlet whose status changed this many times within its last FLAP_WINDOW runs flaps: its
# changes are damped until SETTLE_RUNS runs in a row agree (``_flap``).
FLAP_CHANGES = 3
FLAP_WINDOW = 8
SETTLE_RUNS = 3
_DOWN_STATES = ("failing", "blocked")
# The reason codes of a page that says its article is not there (``crawler.outcome.NOTICE_CODES``).
NOTICE_CODES = ('soft_404', 'withdrawn')

# Robots: the article URLs an outlet listed over this long are weighed against those its
# robots.txt disallows (refused URLs are not asked again, so a run's counts say it only once).
ROBOTS_WINDOW = timedelta(days=7)
# "Pattern": at least this many of a week's listed URLs (and a third of them) not taken by the
# article URL pattern; a feed's odd video or special page is no sign of a new URL scheme.
PATTERN_MIN = 3
# ... or, among the URLs first listed in its last this many runs, at least PATTERN_MIN and half:
# a week of the old scheme's URLs hid a new one for days (an audit's: 21 hourly runs).
PATTERN_RUNS = 3
# "Overflow": a feed of fewer article URLs turning over says little (a quiet outlet's short feed).
OVERFLOW_MIN = 5
# "Refetched": at least this many of a run's article pages (and half of them) were articles
# already stored under another URL of the same outlet; a section listing one twice is no sign.
REFETCH_MIN = 5
# "Late": the promise is an article in the queue within the hour of its publication. Judged on
# the newest LAG_WINDOW articles published since the outlet was first crawled (those before are
# its backlog, late by definition), once there are LAG_MIN_ARTICLES: a median, so that an old
# article an outlet lists again, or one whose page gives the wrong time, flags nothing alone.
LATE_AFTER = timedelta(hours=1)
LAG_MIN_ARTICLES = 5
LAG_WINDOW = 20
# A run "missed" an article when it started this long after its publication and did not list
# it: outlets and their CDNs refresh feeds every few minutes, so a few minutes' miss is no sign.
MISSED_AFTER = timedelta(minutes=10)
# Publication times more than this after the article was stored are read wrong ("dates").
FUTURE_AFTER = timedelta(minutes=15)
# "Stale": a feed (or Google News sitemap) that has listed nothing new for STALE_EXPECTED times
# the interval between its own entries (read from their dates), and at least STALE_MIN_AGE, while
# at least STALE_OTHERS of the outlet's articles were published since (its other feeds, sitemaps
# and sections found them): frozen, or moved with the old address left answering its last copy.
# An outlet quiet everywhere (a ministry over New Year) says nothing of one feed: `silent` is for
# an outlet that stops as a whole.
STALE_EXPECTED = SILENT_EXPECTED
STALE_MIN_AGE = timedelta(days=1)
STALE_OTHERS = 5
#: An outlet's only feed, sitemap or section is named stale with nothing to corroborate it once
#: it has listed nothing new for this long, as well as for ``STALE_EXPECTED`` of its own
#: intervals: longer than a ministry's New Year (its last release on the Friday before 29
#: December, its next on the Monday after 3 January: 10 days) or Golden Week.
STALE_ALONE = timedelta(days=14)
# A feed that dates no entry is paced by its reads that listed something new: the newest this many.
STALE_READS = 6
# Lags kept per run and outlet: a first run of a big sitemap says no more with thousands.
LAGS_PER_RUN = 200
#: "Archive waiting": what only an archive sitemap listed gets the room of ``NEWSMON_MAX_ARTICLES`` the day's news
#: leaves (``frontier.due_urls``). Where a run read to its end and asked for none of it, the news took all that room.
#: Said once it has been so for ``ARCHIVE_WAIT_RUNS`` such runs and ``ARCHIVE_WAIT``, every run between asking for
#: none: a burst of news (an earthquake's hours) fills a few runs, not a day's; a daily crawl says it on its third.
ARCHIVE_WAIT = timedelta(days=1)
ARCHIVE_WAIT_RUNS = 3
#: Said too where those runs asked for so little of it that, at their pace, what waits takes longer than this.
ARCHIVE_PACE = timedelta(days=30)
#: How far the pace is told: an archive whose runs take over 50,000 a ``ARCHIVE_PACE`` (1,700 a day) advances.
ARCHIVE_PACE_COUNTED = 50_000


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    #: What it is about, where it names all of it: the feeds, sitemaps or sections that failed, the
    #: hosts its articles moved to. With its code, its identity (``_keys``): one feed's 404 mended in
    #: the run another's began was the same "discovery" as before, and neither was told. ``None``: its
    #: code alone, for a reason that names nothing, names the first three of more (which three may
    #: change every run), or was stored before reasons said what they are about.
    about: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """As stored (``outlet_health``, ``health_log``) and sent (a digest); ``about`` only where it is known."""
        return {"code": self.code, "message": self.message,
                **({"about": list(self.about)} if self.about is not None else {})}

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Reason:
        """A reason as ``to_dict`` stored it."""
        about = stored.get("about")
        return cls(stored["code"], stored["message"], tuple(about) if about is not None else None)


def _named(subjects: Sequence[str]) -> tuple[str, ...] | None:
    """The ``about`` of a reason that names the first three of ``subjects`` (``_some``): all of them, or
    ``None`` when there are more; a failing set of many, which three come first may change every run."""
    return tuple(subjects) if len(subjects) <= 3 else None


@dataclass
class Health:
    status: str
    reasons: list[Reason] = field(default_factory=list)
    #: Since when the outlet has had ``status`` (``current``'s, as stored).
    since: str | None = field(default=None, compare=False)

    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


@dataclass
class HealthChange:
    """An outlet whose health changed with a run: what the digest and the log report."""

    outlet: str
    previous: str | None
    status: str
    reasons: list[Reason]
    #: When the outlet's previous status began, for a change from one that was not ``ok``: how
    #: long the outage lasted is what a recovery notice is read for.
    previous_since: str | None = None
    #: The time of the change.
    at: str | None = None
    #: Reasons of the status that ended within it, as last logged (``_resolved``).
    resolved: list[Reason] = field(default_factory=list)
    #: Its ``health_log`` row: a delivered digest telling it keeps it told (``notified_health_changes``). A delivered
    #: digest of a run of its outlet was taken as having told it; a second one of the run it was logged under (the
    #: daemon recording the end of a run another crawl checked as killed first) did not hold it, and none told it.
    log_id: int | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {"outlet": self.outlet, "previous": self.previous, "status": self.status,
               "reasons": [r.to_dict() for r in self.reasons]}
        if self.lasted():
            out["previous_since"] = self.previous_since
        if self.resolved:
            out["resolved"] = [r.to_dict() for r in self.resolved]
        return out

    def lasted(self) -> str | None:
        """How long the previous, bad, status lasted: "failing for 25 min (since 2026-12-04
        20:14 UTC)"; ``None`` when unknown or the previous was ``ok``."""
        if not self.previous_since or not self.at or self.previous in (None, "ok"):
            return None
        seconds = (_time(self.at) - _time(self.previous_since)).total_seconds()
        return (f"{self.previous} for {duration_text(seconds)} (since "
                f"{self.previous_since[:16].replace('T', ' ')} UTC)")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# --- recording --------------------------------------------------------------------------------

def record_outlet_run(db: Database, run_id: int, outlet: str, counts: Mapping[str, int],
                      url_states: Mapping[str, int] | None = None) -> None:
    """Store (or replace) what run ``run_id`` found for ``outlet``; missing counts are 0.

    ``url_states``: ``{state: n}`` of the outlet's URLs this run left in each state.
    """
    unknown = set(counts) - set(COUNTS)
    if unknown:
        raise ValueError(f"unknown outlet_runs count(s) {sorted(unknown)}; known: {', '.join(COUNTS)}")
    row = {"run_id": run_id, "outlet": outlet, **{k: int(counts.get(k, 0)) for k in COUNTS}}
    if url_states is not None:
        row["url_states"] = json.dumps(dict(url_states))
    lags = run_lags(db, run_id, outlet)
    row["lags"] = json.dumps(lags) if lags else None
    with transaction(db):
        db.table("outlet_runs").upsert(row, pk=("run_id", "outlet"))


def _published(value: str | None) -> datetime | None:
    """A publication time precise enough to measure a lag with: not a bare date, nor a midnight
    that stands for one (print editions' "2026-11-25T00:00:00+09:00")."""
    if not value or len(value) <= 10:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return None
    return parsed


def run_lags(db: Database, run_id: int, outlet: str) -> list[list[int]]:
    """How late run ``run_id`` found the outlet's articles it stored first: per article
    ``[seconds from publication to discovery, seconds from discovery to storage, missed]``,
    ``missed`` 1 when a finished run of the outlet that read its feeds, sitemaps or sections
    started more than ``MISSED_AFTER`` after the publication and before the discovery, and did not
    list it.

    Only articles with a publication time (``_published``) after the outlet's first run
    started: what was published before it is the backlog that run found, not lateness. At most
    ``LAGS_PER_RUN``, the newest.
    """
    found = db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    # The outlet's first run found the backlog: nothing to measure there.
    first = db.execute("SELECT r.started_at FROM outlet_runs o JOIN crawl_runs r ON r.id = o.run_id "
                       "WHERE o.outlet = ? AND o.run_id != ? ORDER BY o.run_id LIMIT 1", [outlet, run_id]).fetchone()
    if found is None or first is None:
        return []
    started, since = found[0], _time(first[0])
    articles = []
    for published_at, stored_at, discovered_at in db.execute(
            """
            SELECT a.published_at, a.first_seen_at, min(u.first_seen_at)
            FROM urls u JOIN articles a ON a.id = u.article_id
            WHERE u.run_id = ? AND u.outlet = ? AND a.first_seen_at >= ?
            GROUP BY a.id ORDER BY a.first_seen_at DESC LIMIT ?
            """, [run_id, outlet, started, LAGS_PER_RUN]).fetchall():
        published = _published(published_at)
        if published is not None and published >= since:
            articles.append((published, _time(discovered_at), _time(stored_at)))
    if not articles:
        return []
    # (start, finished as it should) of the outlet's runs since the earliest publication, this
    # one (not closed yet) included: read newest first, and no further back than needed (a
    # year of runs every 15 minutes is 35,000 rows).
    earliest = min(published for published, _, _ in articles)
    runs = [(_time(started), False)]
    for at, reason, read in db.execute(
            "SELECT r.started_at, r.finish_reason, o.discovery_ok FROM outlet_runs o JOIN crawl_runs r "
            "ON r.id = o.run_id WHERE o.outlet = ? AND o.run_id < ? ORDER BY o.run_id DESC", [outlet, run_id]):
        # A run that read none of the outlet's feeds, sitemaps and sections (the site down, its
        # robots.txt erring) had no chance to list it: after a two-hour outage the articles published
        # meanwhile, all found at its end, made the recovery "degraded: its feeds list articles
        # late (a stale cache?)".
        runs.append((_time(at), reason == "finished" and bool(read)))
        if runs[-1][0] < earliest:
            break
    runs.sort()
    out = []
    for published, discovered, stored in articles:
        # The run that discovered it is the last to start before the discovery; those before it
        # that finished had their chance.
        before = [(at, ok) for at, ok in runs if at <= discovered][:-1]
        missed = any(ok and at > published + MISSED_AFTER for at, ok in before)
        out.append([round((discovered - published).total_seconds()),
                    round((stored - discovered).total_seconds()), int(missed)])
    return out


def record_lost_run(db: Database, *, pid: int, since: datetime, outlets: list[str], trigger: str,
                    reason: str, exit_status: int, now: datetime | None = None) -> list[int]:
    """Close the ledger for a crawl process that ended without closing its own run.

    For ``newsmon schedule``, after it killed a hung crawl (``reason='timeout'``) or saw one die:
    the run rows that process opened since ``since`` and left open get ``reason`` and
    ``exit_status`` (also a row another crawl already marked ``killed``), or one row is added
    when it died before opening any. Each gets ``outlet_runs`` rows, so the outlets' health
    sees the run. Returns the run ids; ``[]`` when the process had closed its runs itself.
    """
    stamp = _iso(_now(now))
    with transaction(db):
        rows = db.execute("SELECT id, finished_at, finish_reason FROM crawl_runs WHERE pid = ? AND started_at >= ?",
                          [pid, _iso(since)]).fetchall()
        ids = [r[0] for r in rows if r[1] is None or r[2] == "killed"]
        if rows and not ids:
            return []
        for run_id in ids:
            db.execute("UPDATE crawl_runs SET finished_at = coalesce(finished_at, ?), finish_reason = ?, "
                       "exit_status = ? WHERE id = ?", [stamp, reason, exit_status, run_id])
        if not ids:
            ids = [db.table("crawl_runs").insert({
                "started_at": _iso(since), "finished_at": stamp, "outlets": json.dumps(sorted(outlets)),
                "trigger": trigger, "requests": 0, "responses_by_status": "{}", "articles_new": 0,
                "articles_relevant": 0, "errors": 0, "finish_reason": reason, "exit_status": exit_status,
                "pid": pid}).last_rowid]
        for run_id in ids:
            run_outlets = json.loads(db.execute("SELECT outlets FROM crawl_runs WHERE id = ?",
                                                [run_id]).fetchone()[0] or "[]")
            for outlet in run_outlets:
                db.execute("INSERT OR IGNORE INTO outlet_runs (run_id, outlet) VALUES (?, ?)", [run_id, outlet])
    return ids


def record_killed_runs(db: Database, run_ids: Iterable[int]) -> list[int]:
    """Give the runs ``queries.close_stale_runs`` closed as ``killed`` (their process gone without a
    word: SIGKILL, the OOM killer, a power loss; no daemon saw it die) an ``outlet_runs`` row for each
    of their outlets that has run no later, as ``record_lost_run`` gives a run ``newsmon schedule``
    saw die; return those to check (``update_run_health``).

    Without the rows no check saw such a run: under cron (or a daemon killed with its crawl) a crawl
    the OOM killer took every other run left its outlets "ok" for good, the next run's digest (a
    heartbeat's "nothing new") said all was well, and no digest ever said a run had failed.
    """
    out = []
    with transaction(db):
        for run_id in run_ids:
            row = db.execute("SELECT outlets, finish_reason FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
            if row is None or row[1] != "killed":
                continue  # its end left beside the database (database_locked, shutdown: forced): no failure
            # An outlet run since (the dead process' pid alive again as another's for a while) is judged on that.
            outlets = [o for o in json.loads(row[0] or "[]") if not db.execute(
                "SELECT 1 FROM outlet_runs WHERE outlet = ? AND run_id > ? LIMIT 1", [o, run_id]).fetchone()]
            for outlet in outlets:
                db.execute("INSERT OR IGNORE INTO outlet_runs (run_id, outlet) VALUES (?, ?)", [run_id, outlet])
            if outlets:
                out.append(run_id)
    return out


# --- checks -----------------------------------------------------------------------------------

def history(db: Database, outlet: str, *, now: datetime | None = None,
            days: int = BASELINE_DAYS + 1) -> list[dict[str, Any]]:
    """The outlet's closed runs of the last ``days`` days, newest first: counts and how each ended."""
    since = _iso(_now(now) - timedelta(days=days))
    # From the first run started since on, by idx_outlet_runs_outlet: by outlet alone it read every run the outlet
    # ever had, each checked for its start (8,760 a year of hourly runs, for 744). min(+id), not min(id): that
    # walked the runs from the oldest to the first since; this reads those since from idx_crawl_runs_started.
    return list(db.query(
        """
        SELECT o.*, r.started_at, r.finished_at, r.finish_reason, r.exit_status
        FROM outlet_runs o JOIN crawl_runs r ON r.id = o.run_id
        WHERE o.outlet = :outlet AND r.finished_at IS NOT NULL AND r.started_at >= :since
          AND o.run_id >= (SELECT min(+id) FROM crawl_runs WHERE started_at >= :since)
        ORDER BY o.run_id DESC
        """, {"outlet": outlet, "since": since}))


def _articles(run: Mapping[str, Any]) -> int:
    return max(0, run["pages"] - run["no_article"])


# code, numerator, denominator, pages needed, message, judged against the outlet's own past only,
# whether a high share all month long can be the outlet's usual
_RATIOS: tuple[tuple[str, str, Any, int, str, bool, bool], ...] = (
    ("rules_missed", "rules_missed", "rules_expected", RULES_MIN_PAGES,
     "rules no longer match: {n} of {d} articles were read without them (generic extraction, or their "
     "body a line a block: layout change? newsmon check says where their text is now)", False, False),
    ("no_article", "no_article", "pages", RULES_MIN_PAGES,
     "extraction found no article in {n} of {d} pages", False, False),
    ("short_text", "short_text", _articles, SOFT_MIN_PAGES, "{n} of {d} articles have (almost) no text", False, True),
    ("no_title", "no_title", _articles, SOFT_MIN_PAGES, "{n} of {d} articles have no title", False, True),
    ("no_date", "no_date", _articles, SOFT_MIN_PAGES, "{n} of {d} articles have no date", False, True),
    ("disagree", "disagreed", "crosschecked", SOFT_MIN_PAGES,
     "rules and generic extraction disagree on {n} of {d} articles", False, True),
    # Half of an outlet's articles may be for subscribers by nature (Asahi's saved pages: 4 of
    # 8): only a jump from its own month before says its pages now come cut short.
    # No outlet's usual: a page read in the wrong codec is ours to mend, however long it has been so.
    ("garbled", "garbled", _articles, RULES_MIN_PAGES,
     "{n} of {d} articles read as bytes decoded with the wrong codec (U+FFFD, ISO-2022-JP escapes, mojibake): "
     "they score 0 and never reach the queue; `newsmon extract` on one of its pages says which codec it used, "
     "and the page's Content-Type and <meta charset> what it declares", False, False),
    ("paywalled", "paywalled", _articles, SOFT_MIN_PAGES,
     "{n} of {d} of its latest articles came as a paywall's teaser only, far more than over the month before: "
     "their text past the lead is neither stored nor scored, so an article on the topics may score too low to "
     "be queued (a new paywall, or its pages served cut short to newsmon: a metering cookie?)", True, True),
)


def _splits(runs: list[dict[str, Any]], numerator: str, denominator: Any, min_pages: int,
            now: datetime) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """(bad, pages) of the latest runs that hold ``min_pages`` (fewer when the runs do not: the
    window), and for each point of the month before where the outlet's trouble may have begun,
    (bad, pages) since it and (bad, pages) before it, back to a month before now: the first of
    them is the window against the whole month before it.

    The month before the window alone was the outlet's usual share: its rules gone in a run,
    every run after read against a "usual" made of that run, and the outlet was "ok" again one
    run later. Runs that did not count ``numerator`` (NULL: before the migration that added it)
    are left out, not taken for 0."""
    runs = [r for r in runs if r.get(numerator) is not None]
    den_of = denominator if callable(denominator) else (lambda run: run[denominator])
    bad = [r[numerator] for r in runs]
    pages = [den_of(r) for r in runs]
    n = d = 0
    i = 0
    while i < len(runs) and d < min_pages:
        n += bad[i]
        d += pages[i]
        i += 1
    cutoff = now - timedelta(days=BASELINE_DAYS)
    end = i
    while end < len(runs) and _time(runs[end]["started_at"]) >= cutoff:
        end += 1
    rn, rd, bn, bd = n, d, sum(bad[i:end]), sum(pages[i:end])
    splits = [(rn, rd, bn, bd)]
    for k in range(i, end):  # run k moves from "before" to "since"
        rn, rd, bn, bd = rn + bad[k], rd + pages[k], bn - bad[k], bd - pages[k]
        splits.append((rn, rd, bn, bd))
    return n, d, splits


def _ratio_check(runs: list[dict[str, Any]], numerator: str, denominator: Any, min_pages: int,
                 now: datetime, own_past: bool = False, usual: bool = True) -> tuple[int, int] | None:
    """(bad, pages) of the latest window when it flags, else None: when the share since some run of
    the month reaches ``RATIO_FLAG`` and lies ``RATIO_MARGIN`` above the share before that run
    (``min_pages`` at least). ``own_past``: only against a month before that holds enough pages
    to say what is usual for the outlet; else an outlet without such a past is judged against 0.
    ``usual``: whether a share at ``RATIO_FLAG`` or above over the whole month can be the outlet's
    usual (undated pages can; rules that never match its pages cannot: judged against 0)."""
    n, d, splits = _splits(runs, numerator, denominator, min_pages, now)
    if d < min_pages or n / d < RATIO_FLAG:
        return None
    pasts = [bn / bd for rn, rd, bn, bd in splits if bd >= min_pages]
    if not own_past and (not pasts or not usual and min(pasts) >= RATIO_FLAG):
        return n, d
    for rn, rd, bn, bd in splits:
        if bd >= min_pages and rn / rd >= RATIO_FLAG and rn / rd - bn / bd >= RATIO_MARGIN:
            return n, d
    return None


def _paywall_lost(runs: list[dict[str, Any]], now: datetime) -> Reason | None:
    """Teasers that no longer come as teasers: far fewer of its latest articles are, than over
    the month before (before the fall, wherever in the month it began). Over ``PAYWALL_LOST_MIN``
    articles, since news comes in bursts (a morning of free breaking news), and to a quarter of
    its usual share at most."""
    n, d, splits = _splits(runs, "paywalled", _articles, PAYWALL_LOST_MIN, now)
    if d < PAYWALL_LOST_MIN:
        return None
    for rn, rd, bn, bd in splits:
        if bd < PAYWALL_LOST_MIN:
            continue
        usual, lately = bn / bd, max(rn / rd, n / d)
        if usual - lately >= RATIO_MARGIN and lately <= usual / 4:
            break
    else:
        return None
    return Reason("paywall_lost", f"{n} of its latest {d} articles came as a paywall's teaser, where {bn} of {bd} "
                                  "did over the month before: does the outlet mark its teasers otherwise now (its "
                                  "rules' paywall selectors)? A teaser not seen as one is stored and scored as a "
                                  "whole article, its lead only")


def _silent(runs: list[dict[str, Any]], now: datetime) -> str | None:
    gap = 0
    while gap < len(runs) and runs[gap]["articles_new"] == 0:
        gap += 1
    if gap < SILENT_MIN_RUNS or gap == len(runs):
        return None
    last_new = _time(runs[gap]["started_at"])
    quiet = now - last_new
    found = [(_time(r["started_at"]), r["articles_new"]) for r in runs[gap:]]
    day = timedelta(days=1)
    span = last_new - found[-1][0]
    if span < SILENT_DAYS * day and quiet < SILENT_DAYS * day:
        compared = _young_usual(found, last_new, quiet)
        if compared is None:
            return None
        return (f"no new article for {duration_text(quiet.total_seconds())} over {gap} runs, where {compared} (all "
                "the history it has: a week of it makes this surer): its feeds, sitemaps and sections frozen, or no "
                "longer read? `newsmon check` shows what they list now")
    # What the runs of the same hours (from the last run that found something to now) found on
    # each of SILENT_DAYS days before, the nearest whose hours lie wholly before the silence: a
    # silence of two days is weighed against two days that took in a weekend, if a week did.
    nearest = max(1, -(-quiet // day))
    usual = []
    for days in range(nearest, nearest + SILENT_DAYS):
        if found[-1][0] > last_new - days * day:  # its history does not reach back to that day
            break
        usual.append(sum(n for at, n in found if last_new - days * day < at <= now - days * day))
    if usual:
        compared = f"the same hours of each of the {len(usual)} days before brought at least {min(usual)}"
    elif span >= day:
        # A silence of a week or more, longer than the history kept before it holds days to weigh
        # it against: that history, its oldest run left out (the outlet's first: the backlog), at
        # most as long as the silence. Still said, not "recovered" because the days ran out.
        usual = [int(sum(n for _, n in found[:-1]) * min(1.0, quiet / span))]
        compared = f"its {duration_text(span.total_seconds())} before brought {usual[0]} in as long"
    if not usual or min(usual) < SILENT_EXPECTED:
        return None
    return (f"no new article for {duration_text(quiet.total_seconds())} over {gap} runs, where {compared}: its "
            "feeds, sitemaps and sections frozen, or no longer read? `newsmon check` shows what they list now")


def _young_usual(found: list[tuple[datetime, int]], last_new: datetime, quiet: timedelta) -> str | None:
    """What the same hours of the whole days before brought, when they say a silence, for an
    outlet with less than a week of history; else None."""
    # The silence's first hours only, a day at most, so that every day of its history weighs it
    # and a silence once said stays said as it lengthens. Runs that found something count as well
    # as articles: one burst (an earthquake's night, 50 in an hour) is one run, not a usual pace.
    day = timedelta(days=1)
    hours = min(quiet, day)
    usual = []
    for days in range(1, SILENT_DAYS):
        start = last_new - days * day
        if found[-1][0] > start:  # back to the first run, the backlog
            break
        window = [n for at, n in found if start < at <= start + hours]
        usual.append((sum(window), sum(1 for n in window if n)))
    if not usual:
        return None
    articles, busy = min(a for a, _ in usual), min(r for _, r in usual)
    if articles < SILENT_YOUNG_EXPECTED or busy < SILENT_YOUNG_RUNS:
        return None
    days = "the day" if len(usual) == 1 else f"each of the {len(usual)} days"
    return (f"the same {duration_text(hours.total_seconds())} of {days} before brought at least {articles} in "
            f"{busy} runs")


def _discovery_reason(last: Mapping[str, Any], broken: list[Mapping[str, Any]],
                      indexes: int = 0) -> tuple[str, Reason] | None:
    """('failing' or 'degraded', reason) when discovery pages of the last run failed or were broken.
    ``indexes``: the sitemap indexes the run read well, which list sitemaps, not articles: an
    index read while its one child sitemap failed is no document that listed articles."""
    bad = last.get("discovery_broken", 0) + last["discovery_failed"]
    if not bad:
        return None
    named = "; ".join(f"{b['url']}: {b['reason'] or 'HTTP ' + str(b['http_status'])}" for b in broken[:3])
    more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
    total = last["discovery_ok"] + last["discovery_failed"]
    about = _named([b["url"] for b in broken]) if broken else None
    if bad >= total - indexes and not last["discovered"]:
        # Read whole but listing nothing the outlet takes is not "could not be read": the redesign
        # it usually is was said as both ("were read but listed no article URL; none … could be read").
        failed = "could be read" if not last.get("discovery_broken") else \
            "gave an article URL" if not last["discovery_failed"] else "could be read or gave an article URL"
        index = (f" (only the sitemap index{'es' if indexes > 1 else ''} listing them answered, and an index lists "
                 "no article)") if indexes else ""
        return "failing", Reason("discovery", f"none of its {total - indexes} feeds, sitemaps and sections {failed}"
                                              + index
                                              + (f": {named}{more}" if named else ""), about)
    return "degraded", Reason("discovery", f"{bad} of its {total} feeds, sitemaps and sections failed or "
                                           "were broken" + (f": {named}{more}" if named else ""), about)


def _failed_before_reason(broken: list[Mapping[str, Any]]) -> Reason:
    named = "; ".join(f"{b['url']}: {b['reason'] or 'HTTP ' + str(b['http_status'])}" for b in broken[:3])
    more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
    return Reason("discovery", f"{len(broken)} of its feeds, sitemaps and sections failed or were broken in the "
                               f"run before, and earlier too, and read in the last: {named}{more}; named while they "
                               "fail every other run or so (its host limiting requests, or outages close "
                               "together? `newsmon check` says what it answers)", _named([b["url"] for b in broken]))


def _asked(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest of ``runs`` that asked for a page (an article, a wall, an error), or None.

    A run that asked for none (no new article listed, its walled URLs waiting out their
    ``NEWSMON_WALL_BACKOFF``) says nothing of a wall: judged on it alone, an outlet walled off in
    one run read "ok" at the next quiet one, and "blocked -> ok" was told while every URL waited."""
    # A wall where a feed, sitemap or section should be is asked for again every run, no backoff: a
    # later run that read the document says the wall is gone, and the older run's walls are not kept.
    return next((r for n, r in enumerate(runs) if r["pages"] + r["errors"] + (r.get("walls") or 0) - (
        0 if n == 0 else r.get("discovery_walls") or 0)), None)


def _which(later: int, last: str = "its last run") -> str:
    return last if not later else \
        f"its last run that asked for a page ({later} run{'s' if later > 1 else ''} since asked for none)"


def _walls_reason(last: Mapping[str, Any], wall: str | None, later: int = 0) -> Reason | None:
    walls = last.get("walls", 0)
    if not walls:
        return None
    tried = last["pages"] + last["errors"] + walls
    if walls * 2 < tried and (last["articles_new"] or last["pages"]):
        return None
    named = f" (last: {wall})" if wall else ""
    return Reason("blocked", f"{walls} of the {tried} pages of {_which(later)} were walls, not pages{named}: "
                             "newsmon does not get past them (see README, 'When an outlet is blocked')")


def _robots_reason(robots: tuple[int, int, str] | None) -> Reason | None:
    if not robots or robots[0] * 2 < robots[1]:
        return None
    refused, listed, since = robots
    return Reason("robots_disallow", f"its robots.txt disallows {refused} of the {listed} article URLs it listed "
                                     f"since {since[:16].replace('T', ' ')} UTC: newsmon obeys and fetches none of "
                                     "them (they are fetched once robots.txt allows them); ask the outlet, or take "
                                     "it out of the crawl")


def lags(runs: Iterable[Mapping[str, Any]], window: int | None = LAG_WINDOW) -> list[list[int]]:
    """The lags (``run_lags``) of the newest ``window`` or more articles of ``runs`` (newest
    first); ``None``: of all of them."""
    out: list[list[int]] = []
    for run in runs:
        if window is not None and len(out) >= window:
            break
        if run.get("lags"):
            out += json.loads(run["lags"])
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def duration_text(seconds: float) -> str:
    """``seconds`` as people say it: "40 s", "12 min", "3.2 h", "2.5 days"."""
    seconds = abs(seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def found_after_text(found: Mapping[str, Any] | None) -> str:
    """``outlet_status``'s ``found_after_24h`` as ``newsmon status`` and the desk show it: the
    median, and of how many articles ("14 min (23)"; "-9.0 h (6)": published after being stored)."""
    if not found:
        return ""
    median = found["median_seconds"]
    return f"{'-' if median < 0 else ''}{duration_text(median)} ({found['articles']})"


def url_states_text(row: Mapping[str, Any]) -> str:
    """An ``outlet_status`` row's ``url_states`` as ``newsmon status`` and the desk's outlets page say them: the URL
    states the outlet's last run that counted them left (``urls of run 12: 40 article, 2 not_article``); "" without."""
    if not row["url_states"]:
        return ""
    counts = ", ".join(f"{n} {state}" for state, n in row["url_states"].items())
    return f"urls of run {row['url_states_run']}: {counts}"


def _lag_reasons(runs: list[dict[str, Any]], late_after: timedelta) -> list[Reason]:
    found = lags(runs)
    if len(found) < LAG_MIN_ARTICLES:
        return []
    out = []
    stored = _median([discovered + waited for discovered, waited, _ in found])
    if stored < -FUTURE_AFTER.total_seconds():
        out.append(Reason("dates", f"its articles' publication times lie {duration_text(stored)} after newsmon "
                                   f"stored them (median of the last {len(found)}): their dates are read wrong "
                                   "(a time zone?), and with them the queue's order and the 24-hour counts"))
        return out
    waited = _median([w for _, w, _ in found])
    if waited > late_after.total_seconds():
        out.append(Reason("backlog", f"its new articles were stored {duration_text(waited)} after newsmon found them "
                                     f"(median of the last {len(found)}): its crawls do not keep up (each run fetches "
                                     "at most NEWSMON_MAX_ARTICLES of an outlet; runs cut at the schedule's timeout; "
                                     "fetches failing and tried again)"))
    discovered = _median([d for d, _, _ in found])
    missed = sum(m for _, _, m in found)
    if discovered > late_after.total_seconds() and missed * 2 > len(found):
        out.append(Reason("late", f"its new articles were found {duration_text(discovered)} after they were "
                                  f"published (median of the last {len(found)}); {missed} of them were "
                                  "published before an earlier run that did not find them: its feeds, sitemaps "
                                  "or sections list articles late (a stale cache? a sitemap written once a day?)"))
    return out


def _read_through(run: Mapping[str, Any]) -> bool:
    """Whether ``run`` came to the backlog with its article pages: it ran to its end, asked for some, and read
    robots.txt. Walls are no matter: a run asks for the backlog as for the news, before any answer (the room is
    counted in requests), and what an outlet walling newsmon off holds back is postponed, asked for
    (``frontier.archive_taken``); a members' article's login met every run left the archive unsaid for good."""
    return run["finish_reason"] == "finished" and run["pages"] + run["errors"] > 0 and not run.get("robots_unavailable")


def archive_waiting(db: Database, outlet: str, runs: list[dict[str, Any]], *,
                    now: datetime | None = None) -> dict[str, Any] | None:
    """What only the outlet's archive sitemaps listed, waiting while its news takes (nearly) each run's whole quota:
    its runs (``history``, newest first) back to ``ARCHIVE_WAIT_RUNS`` that read through (``_read_through``) and
    ``ARCHIVE_WAIT`` ago asked for none of it, or so little that at that pace what was waiting before the first of
    them began takes more than ``ARCHIVE_PACE``. ``None`` otherwise: its history is shorter (a first run's archive is
    not said), or the archive advances. How many URLs wait (``waiting``, ``counted`` and one at most) and how many
    the runs asked for (``taken``), the runs (``runs``, ``read``), from when."""
    now = _now(now)
    window: list[dict[str, Any]] = []
    read = 0
    for run in (r for r in runs if not (r["finish_reason"] or "").startswith("skipped")):
        window.append(run)
        read += _read_through(run)
        if read >= ARCHIVE_WAIT_RUNS and now - _time(run["started_at"]) >= ARCHIVE_WAIT:
            break
    else:
        return None
    # What waits since before the first of these runs began (a first run's archive waits from its end), then how
    # much of it they asked for: most outlets have no archive waiting, and the first says so at once.
    since = window[-1]["started_at"]
    counted = frontier.WAITING_COUNTED
    waiting = frontier.archive_waiting(db, outlet, before=since, counted=counted)
    if not waiting:
        return None
    # One URL a day is no advance for 50,000: what the runs' pace leaves for after ARCHIVE_PACE. Counted as far as
    # that pace needs, ARCHIVE_PACE_COUNTED at most (each entry looked up for its state: 31 to 64 ms at 50,000).
    scale = ARCHIVE_PACE / (now - _time(since))  # the window is ARCHIVE_WAIT at least
    taken = frontier.archive_taken(db, outlet, [r["run_id"] for r in window],
                                   counted=ceil(ARCHIVE_PACE_COUNTED / scale) + 1)
    pace = ceil(taken * scale)
    if pace > ARCHIVE_PACE_COUNTED:
        return None
    if waiting > counted and pace > counted:
        counted = pace
        waiting = frontier.archive_waiting(db, outlet, before=since, counted=counted)
    if waiting <= pace:
        return None
    return {"waiting": waiting, "counted": counted, "taken": taken, "runs": len(window), "read": read, "from": since}


def _archive_waiting_reason(found: Mapping[str, Any] | None, now: datetime) -> Reason | None:
    if not found:
        return None
    counted = found.get("counted", frontier.WAITING_COUNTED)
    waiting = f"over {counted:,}" if found["waiting"] > counted else f"{found['waiting']:,}"
    read = f"; {found['read']} of them read to their end" if found["read"] < found["runs"] else ""
    runs = (f"its last {found['runs']} runs, over {duration_text((now - _time(found['from'])).total_seconds())} "
            f"(since {found['from'][:16].replace('T', ' ')} UTC{read}),")
    taken = found.get("taken", 0)
    if taken:
        days = min(found["waiting"], counted) * (now - _time(found["from"])) / taken / timedelta(days=1)
        said = (f"{waiting} URLs only its archive sitemaps listed wait, and {runs} asked for {taken:,} of them: at "
                f"that pace the rest take {'over ' if found['waiting'] > counted else ''}{days:,.0f} days. The day's "
                "news takes nearly each run's whole NEWSMON_MAX_ARTICLES")
    else:
        said = (f"{waiting} URLs only its archive sitemaps listed wait, and {runs} asked for none of them: the day's "
                "news takes each run's whole NEWSMON_MAX_ARTICLES")
    return Reason("archive_waiting", said + ", and the archive gets only the room it leaves. Raise "
                                     "NEWSMON_MAX_ARTICLES for its crawls (once, a crawl of it alone with -s "
                                     "NEWSMON_MAX_ARTICLES=5000 takes some of it), or crawl it more often "
                                     "([schedule.outlets]): fewer of the day's articles a run")


def disallowed(db: Database, outlet: str, *, now: datetime | None = None) -> tuple[int, int, str] | None:
    """``(refused, listed, since)`` when robots.txt disallows article URLs the outlet listed in
    the last ``ROBOTS_WINDOW``: how many it refused of how many it listed since the first."""
    refused, since, run = db.execute(
        "SELECT count(*), min(first_seen_at), min(coalesce(run_id, 0)) FROM urls WHERE outlet = ? AND kind = 'refused' "
        "AND reason_code = 'robots_disallow' AND first_seen_at >= ?", [outlet, _iso(_now(now) - ROBOTS_WINDOW)]
    ).fetchone()
    if not refused:
        return None
    # Every article URL listed since, but those our own rules refuse (off scope, not a URL). In
    # the first refusal's second, only its run's and later (times are whole seconds).
    listed = db.execute("SELECT count(*) FROM urls WHERE outlet = ? AND (first_seen_at > ? OR (first_seen_at = ? "
                        "AND coalesce(run_id, 0) >= ?)) AND (kind != 'refused' OR reason_code = 'robots_disallow')",
                        [outlet, since, since, run]).fetchone()[0]
    return refused, max(listed, refused), since


def unmatched(db: Database, outlet: str, *, now: datetime | None = None,
              recent: str | None = None) -> tuple[int, int, list[str]] | tuple[int, int, list[str], str] | None:
    """``(unmatched, listed, examples)``: how many URLs of the outlet's domains its feeds and
    Google News sitemaps listed in the last ``ROBOTS_WINDOW`` that its article URL pattern does
    not take, of how many URLs its feeds, sitemaps and sections listed, and the newest two;
    ``None`` when there is none. ``recent``: when the outlet's ``PATTERN_RUNS``-th last run
    started; where the week's counts say nothing but those since then do (half of them, at
    least ``PATTERN_MIN``: a new URL scheme from one run on), those, with what they span."""
    since = _iso(_now(now) - ROBOTS_WINDOW)
    examples = [r[0] for r in db.execute(
        "SELECT url FROM urls WHERE outlet = ? AND kind = 'refused' AND reason_code = 'not_article_url' "
        "AND first_seen_at >= ? ORDER BY first_seen_at DESC, url LIMIT 2", [outlet, since])]
    if not examples:
        return None
    listed, n = _listed(db, outlet, since)
    if recent is not None and recent > since and not notable(n, listed):
        lately, m = _listed(db, outlet, recent)
        if m >= PATTERN_MIN and m * 2 >= lately:
            return m, lately, examples, f"in its last {PATTERN_RUNS} runs"
    return n, listed, examples


def _listed(db: Database, outlet: str, since: str) -> tuple[int, int]:
    """How many URLs the outlet's feeds, sitemaps and sections listed since ``since`` (every URL
    but those refused for what they are, not a URL or not a page, rather than for where they
    lead), and how many of them its article URL pattern did not take."""
    found = db.execute("SELECT count(*), sum(reason_code = 'not_article_url') FROM urls WHERE outlet = ? "
                       "AND first_seen_at >= ? AND (kind != 'refused' "
                       "OR reason_code IN ('not_article_url', 'robots_disallow', 'off_scope'))",
                       [outlet, since]).fetchone()
    return found[0], found[1] or 0


def off_domains(db: Database, outlet: str, *, now: datetime | None = None) -> tuple[int, int, list[str]] | None:
    """``(off, listed, hosts)``: how many URLs the outlet's feeds and Google News sitemaps
    listed in the last ``ROBOTS_WINDOW`` on hosts that are not among its domains, of how many
    URLs its feeds, sitemaps and sections listed, and those hosts, the most listed first;
    ``None`` when there is none."""
    since = _iso(_now(now) - ROBOTS_WINDOW)
    # The spider's reason says which channel listed the URL: feeds and news sitemaps list
    # articles only, where another sitemap may list a sister site's pages.
    hosts = Counter(urlsplit(url).hostname for (url,) in db.execute(
        "SELECT url FROM urls WHERE outlet = ? AND kind = 'refused' AND reason_code = 'off_scope' "
        "AND first_seen_at >= ? AND (reason LIKE 'listed by a feed but out of scope: host %' "
        "OR reason LIKE 'listed by a news sitemap but out of scope: host %')", [outlet, since]))
    if not hosts:
        return None
    return sum(hosts.values()), _listed(db, outlet, since)[0], [h for h, _ in hosts.most_common()]


def notable(n: int, listed: int) -> bool:
    """Whether ``n`` of ``listed`` URLs of a feed (or a week of an outlet's) say more than a few
    odd pages: ``PATTERN_MIN`` at least, and a third or more of them (``pattern``,
    ``off_domains``; ``newsmon check`` judges one read of a feed so)."""
    return n >= PATTERN_MIN and n * 3 >= listed


def _pattern_reason(found: tuple[int, int, list[str]] | tuple[int, int, list[str], str] | None) -> Reason | None:
    if not found or (len(found) == 3 and not notable(found[0], found[1])):
        return None
    n, listed, examples = found[:3]
    span = found[3] if len(found) > 3 else "over the last week"
    return Reason("pattern", f"its article URL pattern does not take {n} of the {listed} URLs its feeds, sitemaps "
                             f"and sections listed {span} (e.g. {', '.join(examples)}): a new URL "
                             "scheme for its articles? None of them is fetched; if they are articles, widen "
                             "article_url_pattern")


def _off_domains_reason(found: tuple[int, int, list[str]] | None) -> Reason | None:
    if not found or not notable(found[0], found[1]):
        return None
    n, listed, hosts = found
    named = ", ".join(hosts[:3]) + (" …" if len(hosts) > 3 else "")
    return Reason("off_domains", f"{n} of the {listed} URLs its feeds, sitemaps and sections listed over the "
                                 f"last week are on hosts that are not among its domains ({named}): did its "
                                 "articles move? None of them is fetched; if they are its articles, add the host "
                                 "to the outlet's domains (and to its article URL pattern)", _named(hosts))


def unlinked_documents(db: Database, outlet: str, run_id: int) -> list[dict[str, Any]]:
    """The outlet's feeds and sitemaps read in run ``run_id`` a third or more of whose entries
    (at least ``PATTERN_MIN``) gave no URL when last read whole: ``kind``, ``url``, ``unlinked``,
    ``entries`` (all of them). A 304 is a read of what the last 200 gave: judged on the 304
    alone, the outlet's health would swing between ok and degraded, a notification each time."""
    # Each document's newest whole read, by m054's idx_discovery_whole: grouped by URL, max(id) read every
    # read of each document the outlet ever made.
    rows = db.query(
        """
        SELECT d.kind, d.url, d.unlinked, coalesce(d.entries, 0) + d.unlinked AS entries FROM discovery d
        WHERE d.id IN (SELECT (SELECT e.id FROM discovery e WHERE e.url = r.url AND e.entries IS NOT NULL
                                 AND e.outlet = :outlet AND e.kind IN ('feed', 'sitemap') ORDER BY e.id DESC LIMIT 1)
                       FROM discovery r WHERE r.run_id = :run AND r.outlet = :outlet
                         AND r.kind IN ('feed', 'sitemap') AND r.ok = 1)
          AND d.unlinked > 0
        ORDER BY d.id
        """, {"outlet": outlet, "run": run_id})
    return [dict(r) for r in rows if notable(r["unlinked"], r["entries"])]


def _unlinked_reason(documents: list[Mapping[str, Any]] | None) -> Reason | None:
    if not documents:
        return None
    named = "; ".join(f"{d['kind']} {d['url']} ({d['unlinked']} of its {d['entries']} entries)" for d in documents[:3])
    return Reason("unlinked", f"entries of its feeds or sitemaps give no URL: {named}; their articles are not "
                              "crawled. Where do they put their links now? (newsmon reads an item's <link>, Atom "
                              "link, rdf:about and permalink <guid>, a sitemap entry's <loc>)",
                  _named([d["url"] for d in documents]))


def overflowed(db: Database, outlet: str, run_id: int) -> list[dict[str, Any]]:
    """The outlet's feeds and sections that run ``run_id`` read whole and found turned over: at least
    ``OVERFLOW_MIN`` article URLs, none seen before, where an earlier run had read them too. A
    section's own listing (``listing_urls``, m047) counts too, its sidebars' left out: a ranking of
    articles seen yesterday beside a list that turned over whole hid it. And the whole page still
    does: a page none of whose article URLs was seen before turned over, however few its listing
    holds (a top page's genre boxes of four, each its own group); judged on the listing alone, it
    read "ok"."""
    return [dict(r) for r in db.query(
        """
        SELECT d.kind, d.url,
               CASE WHEN d.known = 0 AND d.article_urls >= ? THEN d.article_urls ELSE d.listing_urls END
                 AS article_urls
        FROM discovery d
        WHERE d.run_id = ? AND d.outlet = ? AND d.kind IN ('feed', 'section') AND d.ok = 1
          AND ((d.known = 0 AND d.article_urls >= ?) OR (d.listing_known = 0 AND d.listing_urls >= ?))
          AND EXISTS (SELECT 1 FROM discovery e WHERE e.outlet = d.outlet AND e.url = d.url AND e.run_id < d.run_id
                      AND e.ok = 1 AND e.entries IS NOT NULL)
        ORDER BY d.id
        """, [OVERFLOW_MIN, run_id, outlet, OVERFLOW_MIN, OVERFLOW_MIN])]


def refetched(db: Database, outlet: str, run_id: int) -> tuple[int, list[tuple[str, str]]]:
    """The article pages run ``run_id`` fetched from the outlet that were an article it had
    already stored under another of its URLs: how many, and two ``(url, first url)``."""
    rows = db.execute(
        """
        SELECT u.url, a.url FROM urls u JOIN articles a ON a.id = u.article_id JOIN urls v ON v.url = a.url
        WHERE u.run_id = ? AND u.outlet = ? AND u.kind = 'article' AND u.reason_code = 'duplicate'
          AND a.url != u.url AND v.outlet = u.outlet
        """, [run_id, outlet]).fetchall()
    return len(rows), [(r[0], r[1]) for r in rows[:2]]


def _refetched_reason(found: tuple[int, list[tuple[str, str]]] | None, pages: int) -> Reason | None:
    if not found or found[0] < REFETCH_MIN or found[0] * 2 < pages:
        return None
    n, examples = found
    named = "; ".join(f"{url} (first stored as {first})" for url, first in examples)
    return Reason("refetched", f"{n} of the {pages} article pages of its last run were articles already stored under "
                               f"another of its URLs ({named}): a URL parameter that changes with every visit? Each "
                               "run fetches them again; the parameter belongs among the outlet's tracking parameters "
                               "(crawler/urls.py)")


#: The article URLs the last whole read (a 200 read well) of discovery row ``d``'s document listed before it: what a
#: 304 of it stands for.
_WHOLE_READ_ARTICLES = ("(SELECT p.article_urls FROM discovery p WHERE p.url = d.url AND p.outlet = d.outlet "
                        "AND p.http_status = 200 AND p.ok = 1 AND p.id < d.id ORDER BY p.id DESC LIMIT 1)")


def sitemap_indexes(db: Database, outlet: str, run_id: int) -> int:
    """How many of the outlet's documents read well in ``run_id`` are sitemap indexes, which list sitemaps, not
    articles (``_discovery_reason``): not a urlset that lists child sitemaps among its pages (``note_children``
    names both) whose read, or for a 304 last whole read, listed article URLs. Counted as an index, a urlset of the
    outlet's articles that answered 304 while its child failed made the outlet "failing", "an index lists no
    article", where two sitemaps, one failing, leave it degraded."""
    return db.execute(
        "SELECT count(*) FROM discovery d JOIN feed_state f ON f.url = d.url WHERE d.run_id = ? AND d.outlet = ? "
        f"AND d.ok = 1 AND f.children IS NOT NULL AND coalesce(d.article_urls, {_WHOLE_READ_ARTICLES}, 0) = 0",
        [run_id, outlet]).fetchone()[0]


def standing(db: Database, outlet: str, run_id: int) -> int:
    """How many of the outlet's documents answered ``run_id`` with 304 (not modified) where their
    last whole read listed article URLs: they list those still (``no_links`` is not said)."""
    return db.execute(
        "SELECT count(*) FROM discovery d WHERE d.run_id = ? AND d.outlet = ? AND d.ok = 1 AND d.http_status = 304 "
        f"AND coalesce({_WHOLE_READ_ARTICLES}, 0) > 0", [run_id, outlet]).fetchone()[0]


#: A read of a feed, sitemap or section that listed something not seen before: of a section whose own
#: listing is known (``listing_urls``, m047), in that listing, its sidebars left out. Judged on the whole
#: page, a section whose list froze (a retired section left answering, a CDN's stale copy) beside a
#: ranking that gains an article every day listed "something new" at every read, and was never named.
#: Reads from before m047 are judged on the whole page still.
_LISTED_NEW = ("(CASE WHEN listing_urls IS NOT NULL THEN listing_urls > listing_known "
               "ELSE new_urls > 0 OR article_urls > known END)")


#: Of a read that listed something new (``_LISTED_NEW``): an article URL never seen before, not only the backlog an
#: earlier read left, which ``new_urls`` counts too: an archive whose first run's 50,000 waited at 500 a run "listed
#: something new" at every read until they were fetched. A read without ``known`` (of a sitemap of over 10,000
#: before it was counted of every sitemap) goes by ``_LISTED_NEW`` alone.
_NEVER_SEEN = "(known IS NULL OR article_urls > known)"


def live_sitemap(db: Database, url: str, since: str, outlet: str | None = None) -> bool:
    """Whether sitemap ``url`` lists the day's articles, not an archive's: a read of it dated its newest entry
    ``since`` or after, or one after its first whole read listed an article URL never seen before since
    (``_LISTED_NEW``, ``_NEVER_SEEN``; its first listed all it holds as new). By m054's indexes, as ``stale`` reads
    them. Or, however long ago, it is what last listed something new of ``outlet`` (so counted, after a first read:
    an outlet's first run's last archive read was no news): quiet for two days (a weekend and a holiday) while
    nothing else of its outlet listed anything, it was taken for an archive, its server's wrong 304s believed from
    then on, and the outlet's next articles never seen."""
    if db.execute("SELECT 1 FROM discovery WHERE url = ? AND newest_entry >= ? LIMIT 1", [url, since]).fetchone() \
            or db.execute(
                f"SELECT 1 FROM discovery WHERE url = ? AND {_LISTED_NEW} AND {_NEVER_SEEN} AND fetched_at >= ? "
                "AND id > (SELECT min(id) FROM discovery WHERE url = ? AND entries IS NOT NULL) LIMIT 1",
                [url, since, url]).fetchone():
        return True
    if outlet is None:
        return False
    # From the newest read back (no index: the planner's choice of idx_discovery_listed_new read every listing of
    # every outlet, 40 ms on 200,000 reads): an outlet that lists anything is found within its last runs.
    last = db.execute(f"SELECT url FROM discovery AS d NOT INDEXED WHERE outlet = ? AND {_LISTED_NEW} "
                      f"AND {_NEVER_SEEN} AND id > (SELECT min(id) FROM discovery WHERE url = d.url "
                      "AND entries IS NOT NULL) ORDER BY id DESC LIMIT 1", [outlet]).fetchone()
    return last is not None and last[0] == url


def stale(db: Database, outlet: str, run_id: int, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The outlet's feeds, Google News sitemaps and sections read in run ``run_id`` that list
    nothing new (``STALE_EXPECTED``): per feed its ``kind``, ``url``, ``since`` (its newest entry,
    or the last read that listed a URL not seen before, whichever is later), ``interval``
    (seconds between its entries, or for a feed that dates none and a section, between its reads
    that listed something new: ``by`` says which, ``entries`` or ``reads``) and ``published``
    (how many of the outlet's articles were published since, up to ``STALE_OTHERS``)."""
    now = _now(now)
    out = []
    documents = db.execute("SELECT DISTINCT kind, url FROM discovery WHERE run_id = ? AND outlet = ? AND ok = 1 "
                           "AND kind IN ('feed', 'sitemap', 'section')", [run_id, outlet]).fetchall()
    # Each read of a document's history below is by one of m054's partial indexes, its WHERE as written there:
    # by idx_discovery_url, each read every read of the document since its first.
    # The others that listed something new over the month before: a sitemap index lists sitemaps
    # only, so an outlet read from one news sitemap through its index had two documents, and its
    # frozen sitemap was never "the only one"; nor was a feed beside another long silent, or beside
    # a section relisting the same links every day. The document judged is its own, however long
    # it has stood.
    month = _iso(now - timedelta(days=BASELINE_DAYS))
    listing = {url for _, url in documents if db.execute(
        f"SELECT 1 FROM discovery WHERE url = ? AND outlet = ? AND {_LISTED_NEW} "
        "AND fetched_at >= ? LIMIT 1", [url, outlet, month]).fetchone()}
    for kind, url in documents:
        # A 304 is a read of the entries the last 200 gave: their dates stand.
        paced = db.execute("SELECT newest_entry, entry_interval FROM discovery WHERE url = ? AND outlet = ? "
                           "AND newest_entry IS NOT NULL ORDER BY id DESC LIMIT 1", [url, outlet]).fetchone()
        # A feed whose dates stand still while its links change (a CMS stamping every entry
        # with one date) is not frozen: the last read that listed something unseen counts too.
        listed = [_time(at) for (at,) in db.execute(
            f"SELECT fetched_at FROM discovery WHERE url = ? AND outlet = ? AND {_LISTED_NEW} "
            "ORDER BY id DESC LIMIT ?", [url, outlet, STALE_READS])]
        if paced is None and not listed and kind in ("feed", "section") and listing - {url}:
            # Never listed an article, beside documents that do: a wrong address, a category feed
            # emptied before the outlet was set up. ``_emptied`` names one that listed before and
            # stopped, the outlet's only one fails; such a feed read "ok" for ever.
            first, reads = db.execute(
                "SELECT min(fetched_at), count(*) FROM discovery WHERE url = ? AND outlet = ? AND ok = 1",
                [url, outlet]).fetchone()
            if first and reads >= STALE_READS and now - _time(first) >= STALE_ALONE and not db.execute(
                    "SELECT 1 FROM discovery WHERE url = ? AND outlet = ? AND article_urls > 0 LIMIT 1",
                    [url, outlet]).fetchone():
                out.append({"kind": kind, "url": url, "since": first, "reads": reads, "never": True})
            continue
        if paced is not None and paced[1]:
            since, interval, by = max([_time(paced[0])] + listed[:1]), paced[1], "entries"
        elif kind in ("feed", "section") and len(listed) >= STALE_READS:
            # No dates (Japan Times' feed dates its channel only; a section page dates nothing):
            # its own history of new listings is its pace, as long as there is one to read. Not
            # a plain sitemap's: this month's stops listing when the month ends, and the next
            # one's takes over.
            gaps = sorted((newer - older).total_seconds() for newer, older in zip(listed, listed[1:]))
            since, interval, by = listed[0], round(gaps[len(gaps) // 2]), "reads"
        else:
            continue
        quiet = (now - since).total_seconds()
        if quiet < max(STALE_MIN_AGE.total_seconds(), STALE_EXPECTED * interval):
            continue
        # Publication times carry their own offsets: read from a bound 14 hours early, compared parsed.
        published = 0
        for (value,) in db.execute("SELECT published_at FROM articles WHERE +outlet = ? AND published_at >= ?",
                                   [outlet, _iso(since - timedelta(hours=14))]):
            moment = _published(value)
            if moment is not None and moment > since:
                published += 1
                if published >= STALE_OTHERS:
                    break
        if published >= STALE_OTHERS:
            out.append({"kind": kind, "url": url, "since": _iso(since), "interval": interval, "by": by,
                        "published": published})
        elif not listing - {url} and not published \
                and quiet >= max(STALE_ALONE.total_seconds(), STALE_EXPECTED * interval):
            # The outlet's only document: nothing else can say it publishes meanwhile, and a feed
            # frozen for good read "ok" for ever. Named once quiet for longer than a holiday.
            out.append({"kind": kind, "url": url, "since": _iso(since), "interval": interval, "by": by,
                        "published": published, "alone": True})
    return out


def _stale_reason(feeds: list[Mapping[str, Any]] | None, now: datetime) -> Reason | None:
    """One reason naming each of ``feeds`` (``stale``), whichever way each is stale: one said alone, a feed that
    never listed an article beside one frozen went unnamed while the other was, and of an outlet's every document
    frozen (each "the only one"), the first was named, the rest not."""
    never = [f for f in feeds or () if f.get("never")]
    alone = [f for f in feeds or () if not f.get("never") and f.get("alone")]
    frozen = [f for f in feeds or () if not f.get("never") and not f.get("alone")]
    said = []
    if never:
        named = "; ".join(f"{f['kind']} {f['url']} (read {f['reads']} times since "
                          f"{f['since'][:16].replace('T', ' ')} UTC)" for f in never[:3]) + _more(never)
        said.append(f"its {named} has never listed an article URL, while its other feeds, sitemaps and sections "
                    "list them: a wrong address, a feed emptied or moved before newsmon read it, or links the article "
                    "URL pattern does not take? `newsmon check` shows what it lists; its address in the outlet's "
                    "definition needs mending, or removing")
    if len(alone) == 1:
        f = alone[0]
        quiet = duration_text((now - _time(f["since"])).total_seconds())
        pace = "one" if f["by"] == "entries" else "something new"
        said.append(f"its {f['kind']} {f['url']}, the only one it reads, has listed nothing new since "
                    f"{f['since'][:16].replace('T', ' ')} UTC ({quiet}; it used to list {pace} every "
                    f"{duration_text(f['interval'])}): frozen, or moved with the old address still answering? "
                    "`newsmon check` shows where it went; or the outlet has published nothing for that long")
    elif alone:
        said.append(f"its {_quiet_since(alone, now)}, all it reads, list nothing new: frozen, or moved with the old "
                    "addresses still answering? `newsmon check` shows where they went; or the outlet has published "
                    "nothing for that long")
    if frozen:
        said.append(f"its {_quiet_since(frozen, now)} lists nothing new while its other feeds, sitemaps and sections "
                    "found articles published since: frozen, or moved with the old address still answering? What "
                    "only it lists is missed; `newsmon check` shows where it went, and its address in the outlet's "
                    "definition needs the new one")
    if not said:
        return None
    return Reason("stale", "; and ".join(said), _named([f["url"] for f in [*never, *alone, *frozen]]))


def _quiet_since(feeds: list[Mapping[str, Any]], now: datetime) -> str:
    """The first three of ``feeds`` (``stale``), each with since when it listed nothing new, and its pace before."""
    return "; ".join(f"{f['kind']} {f['url']} (nothing new since {f['since'][:16].replace('T', ' ')} UTC, "
                     f"{duration_text((now - _time(f['since'])).total_seconds())}; it used to list "
                     f"{'one' if f['by'] == 'entries' else 'something new'} every "
                     f"{duration_text(f['interval'])})" for f in feeds[:3]) + _more(feeds)


def _more(listed: Sequence[Any]) -> str:
    """How many of ``listed`` a message naming the first three leaves out: an outlet's fourth stale
    or overflowing document went unsaid, the message read as the whole (its ``about`` is None then)."""
    return f" (and {len(listed) - 3} more)" if len(listed) > 3 else ""


def _overflow_reason(feeds: list[Mapping[str, Any]] | None) -> Reason | None:
    if not feeds:
        return None
    named = "; ".join(f"{f['kind']} {f['url']} ({f['article_urls']} articles)" for f in feeds[:3]) + _more(feeds)
    return Reason("overflow", f"its {named} listed only articles never seen before: more were published since the "
                              "run before than it holds, and some may have dropped off it unseen; crawl it more "
                              "often (the [schedule] interval), or add its sitemap", _named([f["url"] for f in feeds]))


def check(runs: list[dict[str, Any]], *, now: datetime | None = None,
          broken: list[Mapping[str, Any]] | None = None, wall: str | None = None,
          late_after: timedelta = LATE_AFTER, robots: tuple[int, int, str] | None = None,
          pattern: tuple[int, int, list[str]] | None = None,
          overflow: list[Mapping[str, Any]] | None = None,
          refetch: tuple[int, list[tuple[str, str]]] | None = None,
          stale: list[Mapping[str, Any]] | None = None,
          moved: tuple[int, int, list[str]] | None = None,
          unlinked: list[Mapping[str, Any]] | None = None,
          failed_before: list[Mapping[str, Any]] | None = None,
          hung: tuple[tuple[list[str], int] | None, Mapping[str, tuple[list[str], int]]] | None = None,
          notices: int = 0,
          failures: Sequence[tuple[str, int, str]] = (), indexes: int = 0, standing: int = 0,
          sent_to: tuple[str, int] | None = None,
          sent_off: tuple[int, str, int, str] | None = None,
          archive: Mapping[str, Any] | None = None) -> Health:
    """The health of an outlet from its closed runs, newest first (see the module doc).

    ``broken``: the last run's failed or unparseable discovery pages, to name them; ``wall``:
    the reason of one wall the last run met, to name it; ``late_after``: how long after their
    publication its articles may be found (``NEWSMON_LATE_AFTER``); ``robots``: what its
    robots.txt disallows (``disallowed``); ``pattern``: what its feeds list that its article
    URL pattern does not take (``unmatched``); ``overflow``: its feeds the last run found turned
    over (``overflowed``); ``refetch``: its articles the last run fetched again under another
    URL (``refetched``); ``stale``: its feeds that list nothing new (``stale``); ``moved``: what
    its feeds list on other hosts (``off_domains``); ``unlinked``: its feeds and sitemaps whose
    entries gave no URL (``unlinked_documents``); ``failed_before``: its feeds, sitemaps and
    sections that failed or were broken in the run before and read in the last (``failed_before``);
    ``hung``: of a run killed at its timeout, the outlet's documents that had not answered, and
    those of the other outlets crawled with it (``unanswered``); ``notices``: how many of the last
    run's pages said the article is not there (``soft_404``, ``withdrawn``); ``failures``: what the
    last run's article URLs failed with, ``(reason_code, n, an URL)``, the most first (``failed_with``);
    ``sent_to``: the one page most of them were redirected to, and how many were (``sent_to_one``);
    ``sent_off``: its article URLs its last ``SENT_OFF_RUNS`` runs refused as redirected off its domains
    (``redirected_off``); ``archive``: what only its archive sitemaps listed, waiting behind its news
    (``archive_waiting``; without ``taken``, none of it asked for).
    """
    now = _now(now)
    runs = [r for r in runs if not (r["finish_reason"] or "").startswith("skipped")]
    if not runs:
        return Health("ok")
    failing: list[Reason] = []
    degraded: list[Reason] = []
    last = runs[0]
    reason = last["finish_reason"] or ""
    if reason == "timeout":
        mine, others = hung or (None, {})
        own, read = mine or ([], 0)
        if own and len(own) >= read:
            failing.append(Reason("timeout", f"the last run hung and was killed at its timeout: none of its feeds, "
                                             f"sitemaps and sections had an answer by then ({_some(own)})",
                                  _named(own)))
        elif own:
            failing.append(Reason("timeout", f"the last run hung and was killed at its timeout: {_some(own)} had no "
                                             "answer by then (the rest of its feeds, sitemaps and sections had)",
                                  _named(own)))
        elif mine is not None and others:  # its own all answered, as far as its runs before tell
            held = "; ".join(f"{o}'s {_some(urls)}" for o, (urls, _) in sorted(others.items()))
            # Its own documents all answered: the run was cut short for it, not by it.
            degraded.append(Reason("timeout", f"the last run, shared with other outlets, hung and was killed at its "
                                              f"timeout, held by {held}, which had no answer by then (its own feeds, "
                                              "sitemaps and sections had): an outlet in a job of its own "
                                              "([schedule.outlets]) hangs no other's runs",
                                  None if any(len(urls) > 3 for urls, _ in others.values())
                                  else tuple(u for _, (urls, _) in sorted(others.items()) for u in urls)))
        else:
            failing.append(Reason("timeout", "the last run hung and was killed at its timeout"))
    elif reason.startswith("failed") or reason == "killed":
        failing.append(Reason("failed", f"the last run ended without closing ({reason})"))
    asked = _asked(runs) or last
    later = runs.index(asked)
    attempts = last["pages"] + last["errors"] + last["discovery_ok"] + last["discovery_failed"]
    failed = last["errors"] + last["discovery_failed"]
    # What its article pages failed with, most first: "see the URLs' reasons" alone sent the
    # reader to a table to learn that every article was sent on to the front page.
    most = "; ".join(f"{n} {code}, e.g. {url}" for code, n, url in failures or ())
    if sent_to and most:
        # Each URL's own reason reads as a take-down ("widen article_url_pattern" if the articles
        # moved there): told of one run's articles all sent to one page, it is the wrong advice.
        most += (f"; {sent_to[1]} article URLs first fetched in the run were redirected to one page, {sent_to[0]}: "
                 "a login, consent or bot page (newsmon kept out), or the front page (the articles' addresses "
                 "changed)? Open it in a browser; an article_url_pattern that took it would store that one page as "
                 "each article")
    if failed >= 2 and failed / attempts >= ERRORS_FLAG:
        failing.append(Reason("errors", f"errors dominate: {failed} of {attempts} requests of the "
                                        "last run failed"
                                        + (f" (article pages: {most})" if most and not later else "")))
    elif asked["errors"] >= 2 and not _articles(asked) and _walls_reason(asked, None) is None:
        # Any wall at all hid it: an outlet remade as a script app (every article page drawn_by_script, a page and an
        # error both) read "degraded" for one members-only login in its run, and for challenges among its shells.
        # Not "no page": a page that says "not found" at 200 where each article should be is a
        # page, and an outlet whose every article was one read "ok" while a 404 failed it. Judged
        # on the last run that asked for one: its URLs given up, a quiet run asked for none.
        failing.append(Reason("errors", f"none of the {asked['errors']} article pages of "
                                        f"{_which(later, 'the last run')} came back "
                                        f"(its feeds and sections did): {most + '; ' if most else ''}see the URLs' "
                                        "reasons (url_problems)"))
    # Only where a document was read well: a feed that is a bot's challenge, a consent page, an HTML page listed no
    # article URL either, and "did the article URL pattern change?" came first, before the wall that was the cause.
    # Nor where a document answered 304 whose last whole read listed article URLs (``standing``):
    # unchanged, it lists them still. A feed at 304 in a quiet hour beside a section whose links a
    # redesign moved into a script read "failing: … listed no article URL (did the article URL
    # pattern change?)", and "degraded" again whenever the feed changed.
    if reason == "finished" and last["discovery_changed"] and not last["discovered"] and not standing \
            and last.get("discovery_broken", 0) < last["discovery_ok"]:
        earlier = [r for r in runs[1:11] if r["discovery_changed"]]
        read = [r for r in runs if r["discovery_changed"]]
        empty = next((n for n, r in enumerate(read) if r["discovered"]), len(read))
        if len(earlier) >= 2 and sum(1 for r in earlier if r["discovered"]) * 2 >= len(earlier):
            failing.append(Reason("no_links", "its feeds, sitemaps and sections were read but listed "
                                              "no article URL (did the article URL pattern change?)"))
        elif empty == len(read) >= 2:
            # Judged only against runs that listed some, an outlet whose feeds never did read "ok"
            # for ever, and one whose feeds went empty read "ok" again once most of its last ten
            # reads were empty.
            failing.append(Reason("no_links", f"its feeds, sitemaps and sections were read {len(read)} times and "
                                              "never listed an article URL, as far back as its runs go (a wrong "
                                              "address, an empty feed, an article URL pattern that takes none of "
                                              "their URLs? newsmon check says what they list)"))
        elif empty >= 2:
            failing.append(Reason("no_links", f"its feeds, sitemaps and sections were read {empty} times since "
                                              f"{read[empty]['started_at'][:16]} and listed no article URL, where "
                                              "they listed some before (did the article URL pattern change?)"))
    window = runs[:SENT_OFF_RUNS]
    fetched = sum(r["pages"] + r["errors"] for r in window)
    if sent_off and sent_off[0] >= SENT_OFF_MIN and sent_off[0] * 2 >= fetched + sent_off[0]:
        # Refused by the outlet's scope, so never an error: every article of a run sent to a login
        # host, or to the host the outlet moved to, read "ok".
        n, host, on_host, example = sent_off
        runs_said = "run" if len(window) == 1 else f"{len(window)} runs"
        failing.append(Reason("redirected_off", f"{n} of its article URLs over its last {runs_said} were redirected "
                                                f"off its domains ({fetched} fetched), {on_host} of them to "
                                                f"{host} (e.g. {example}), and not followed: its articles moved to "
                                                "that host (add it to the outlet's domains, and they are fetched), or "
                                                "a login, consent or bot page stands there"))
    silent = _silent(runs, now)
    if silent:
        failing.append(Reason("silent", silent))
    if last.get("robots_unavailable"):
        failing.append(Reason("robots", "its robots.txt answered a server error or could not be fetched: "
                                        "RFC 9309 says fetch nothing, so nothing was (asked again next run)"))
    found = _discovery_reason(last, broken or [], indexes)
    if found:
        (failing if found[0] == "failing" else degraded).append(found[1])
    elif failed_before:
        degraded.append(_failed_before_reason(failed_before))
    for code, numerator, denominator, min_pages, message, own_past, usual in _RATIOS:
        found = _ratio_check(runs, numerator, denominator, min_pages, now, own_past, usual)
        if found:
            said = message.format(n=found[0], d=found[1])
            if code == "no_article" and notices:
                # A "page not found" at 200 where each article should be is no extraction problem.
                said += (f": {notices} of the last run's pages said at 200 that the article is not there (a 'page "
                         "not found' page, a deletion notice: soft_404, withdrawn), each tried as a 404 is; do its "
                         "article URLs lead where they should (url_problems)?")
            degraded.append(Reason(code, said))
    degraded += [r for r in [_paywall_lost(runs, now)] if r]
    degraded += _lag_reasons(runs, late_after)
    refetching = _refetched_reason(refetch, last["pages"])
    # URLs that change with every visit make a feed look turned over: the cause is said, not that.
    degraded += [r for r in (_pattern_reason(pattern), _off_domains_reason(moved), refetching,
                             None if refetching else _overflow_reason(overflow), _stale_reason(stale, now),
                             _unlinked_reason(unlinked)) if r]
    blocked = [r for r in (_walls_reason(asked, wall, later), _robots_reason(robots)) if r]
    # An outlet failing or walled is told so: what its runs did not reach then is no sign of its news' room.
    degraded += [r for r in [_archive_waiting_reason(archive, now)] if r and not failing and not blocked]
    if failing:
        return Health("failing", failing + blocked + degraded)
    if blocked:
        return Health("blocked", blocked + degraded)
    return Health("degraded" if degraded else "ok", degraded)


def failed_with(db: Database, outlet: str, run_id: int) -> list[tuple[str, int, str]]:
    """What the outlet's article URLs failed with in run ``run_id``, ``(code, n, one of its URLs)``
    a reason code, the commonest first."""
    return [tuple(r) for r in db.execute(
        "SELECT reason_code, count(*), min(url) FROM urls WHERE outlet = ? AND run_id = ? "
        "AND kind IN ('error', 'gave_up', 'gone') GROUP BY reason_code ORDER BY count(*) DESC, reason_code",
        [outlet, run_id])]


#: Over its last this many runs, an outlet's article URLs redirected off its domains (at least
#: ``SENT_OFF_MIN``, half its article fetches or more) fail it: judged over one run, two wire
#: stories syndicated elsewhere in a quiet quarter hour failed it, and an outlet that moved read
#: "ok" again at its next run (the URLs refused stay refused, and are counted in the run that
#: refused them).
SENT_OFF_RUNS = 8
SENT_OFF_MIN = 3


def redirected_off(db: Database, outlet: str, run_ids: Sequence[int]) -> tuple[int, str, int, str] | None:
    """Of the outlet's article URLs runs ``run_ids`` refused as redirected off its domains to an
    http(s) page (``redirect_off_scope``; a redirect to ftp: or mailto: is no host to add): how
    many, the host most of them went to and how many did, and one ``url → target``; None if none."""
    if not run_ids:
        return None
    rows = db.execute(f"SELECT url, redirected_to FROM urls WHERE outlet = ? AND run_id IN "
                      f"({', '.join('?' * len(run_ids))}) AND kind = 'refused' AND reason_code = 'redirect_off_scope' "
                      "AND (redirected_to LIKE 'http://%' OR redirected_to LIKE 'https://%') ORDER BY url",
                      [outlet, *run_ids]).fetchall()
    if not rows:
        return None
    host, on_host = Counter(_host(target) for _, target in rows).most_common(1)[0]
    url, target = next((u, t) for u, t in rows if _host(t) == host)
    return len(rows), host, on_host, f"{url} → {target}"


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:  # a Location no URL parser takes ("http://[…"), kept as the site sent it
        return "?"


#: How many of a run's article URLs sent on to one page make that page worth naming: one or two
#: taken-down articles sent to the front page are what a day brings.
SENT_TO_ONE_MIN = 3


def sent_to_one(db: Database, outlet: str, run_id: int) -> tuple[str, int] | None:
    """The one page (its address without query or fragment) that at least ``SENT_TO_ONE_MIN`` of
    the outlet's article URLs first fetched in run ``run_id``, and at least half of those
    redirected away, were redirected to, and how many were; None if there is none. A login or
    consent page that carries each article's address in its query (``/login?next=/a/1``) is one
    page. Articles taken down and tried again (sent to the front page each time) are not counted:
    they were new once, and their run named them then."""
    targets: Counter[str] = Counter()
    for (target,) in db.execute("SELECT redirected_to FROM urls WHERE outlet = ? AND run_id = ? AND kind IN "
                                "('error', 'gave_up', 'gone') AND reason_code = 'redirected_away' AND attempts = 1",
                                [outlet, run_id]):
        if target:
            parts = urlsplit(target)
            targets[f"{parts.scheme}://{parts.netloc}{parts.path}"] += 1
    if not targets:
        return None
    (page, n), = targets.most_common(1)
    return (page, n) if n >= SENT_TO_ONE_MIN and n * 2 >= sum(targets.values()) else None


def _some(urls: list[str]) -> str:
    return ", ".join(urls[:3]) + (f" and {len(urls) - 3} more" if len(urls) > 3 else "")


def unanswered(db: Database, run_id: int) -> dict[str, tuple[list[str], int]]:
    """Of a run that did not finish (killed at its timeout), each of its outlets' feeds, sitemaps
    and sections that the outlet's two runs before read (a child sitemap at rest is not read every
    run) and this one has no answer of: what it was waiting for when it was killed; and of how
    many they read. An outlet without runs before is left out: nothing says what it waited for."""
    outlets = json.loads(db.execute("SELECT outlets FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0] or "[]")
    out = {}
    for outlet in outlets:
        before = [r[0] for r in db.execute("SELECT DISTINCT run_id FROM discovery WHERE outlet = ? AND run_id < ? "
                                           "ORDER BY run_id DESC LIMIT 2", [outlet, run_id])]
        if not before:
            continue
        read = [(r[0], r[1]) for r in db.execute(
            f"SELECT url, url IN (SELECT url FROM discovery WHERE run_id = ? AND outlet = ?) FROM discovery "
            f"WHERE outlet = ? AND run_id IN ({', '.join('?' * len(before))}) "
            "GROUP BY url HAVING count(DISTINCT run_id) = ? ORDER BY url",
            [run_id, outlet, outlet, *before, len(before)])]
        out[outlet] = ([url for url, answered in read if not answered], len(read))
    return out


def current(db: Database, outlet: str) -> Health | None:
    """The stored health of ``outlet``; ``None`` before its first check."""
    row = db.execute("SELECT status, reasons, since FROM outlet_health WHERE outlet = ?", [outlet]).fetchone()
    if row is None:
        return None
    return Health(row[0], [Reason.of(r) for r in json.loads(row[1])], row[2])


def update_health(db: Database, outlet: str, run_id: int | None, *, now: datetime | None = None,
                  late_after: timedelta = LATE_AFTER) -> HealthChange | None:
    """Check ``outlet`` again and store the result; return the change worth telling, if any.

    A change is a new status, or the same bad status for other reasons (a reason: its code and what
    it is about, ``_keys``); an outlet's first check counts only when it is not ``ok``. Each is
    logged (``health_log``); one whose reasons were all said since the status began is not told
    (``_said_since``). A reason of the status that ended ``SETTLE_RUNS`` of the outlet's runs ago
    and has not come back is told once, and logged (``_resolved``).
    """
    now = _now(now)
    runs = history(db, outlet, now=now)
    # The runs' walls where a feed, sitemap or section should be (``_asked``), by idx_discovery_run: the history's
    # runs only, not every run the outlet had.
    walled = dict(db.execute("SELECT run_id, count(*) FROM discovery WHERE run_id >= ? AND outlet = ? AND ok = 0 "
                             "AND reason LIKE '% should be' GROUP BY run_id",
                             [min((r["run_id"] for r in runs), default=0), outlet]).fetchall())
    for r in runs:
        r["discovery_walls"] = walled.get(r["run_id"], 0)
    # By URL, not as they were answered: the reason names the first three, the same ones every run.
    broken = list(db.query("SELECT url, kind, http_status, reason FROM discovery WHERE run_id = ? AND outlet = ? "
                           "AND ok = 0 ORDER BY url", [runs[0]["run_id"], outlet])) if runs else []
    flapping = failed_before(db, outlet, runs)
    asked = _asked([r for r in runs if not (r["finish_reason"] or "").startswith("skipped")])
    failed = failed_with(db, outlet, (asked or runs[0])["run_id"]) if runs else []
    hung = None
    if runs and runs[0]["finish_reason"] == "timeout":
        waiting = unanswered(db, runs[0]["run_id"])
        hung = (waiting.pop(outlet, None), {o: w for o, w in waiting.items() if w[0]})
    wall = None
    if asked and asked.get("walls"):
        found = db.execute(
            "SELECT reason FROM urls WHERE outlet = ? AND run_id = ? AND kind = 'blocked' "
            "UNION ALL SELECT reason FROM discovery WHERE outlet = ? AND run_id = ? AND reason LIKE '% should be' "
            "LIMIT 1", [outlet, asked["run_id"], outlet, asked["run_id"]]).fetchone()
        wall = found[0] if found else None
    health = check(runs, now=now, broken=broken, wall=wall, late_after=late_after,
                   robots=disallowed(db, outlet, now=now), pattern=unmatched(db, outlet, now=now, recent=_recent(runs)),
                   overflow=overflowed(db, outlet, runs[0]["run_id"]) if runs else None,
                   refetch=refetched(db, outlet, runs[0]["run_id"]) if runs else None,
                   stale=stale(db, outlet, runs[0]["run_id"], now=now) if runs else None,
                   moved=off_domains(db, outlet, now=now),
                   unlinked=unlinked_documents(db, outlet, runs[0]["run_id"]) if runs else None,
                   failed_before=flapping, hung=hung,
                   failures=failed[:2], notices=sum(n for code, n, _ in failed if code in NOTICE_CODES),
                   sent_to=sent_to_one(db, outlet, (asked or runs[0])["run_id"]) if failed else None,
                   sent_off=redirected_off(db, outlet, [r["run_id"] for r in runs if not (
                       r["finish_reason"] or "").startswith("skipped")][:SENT_OFF_RUNS]),
                   indexes=sitemap_indexes(db, outlet, runs[0]["run_id"]) if runs else 0,
                   standing=standing(db, outlet, runs[0]["run_id"]) if runs else 0,
                   archive=archive_waiting(db, outlet, runs, now=now))
    stamp = _iso(now)
    # As far back as FLAP_CHANGES turns each FLAP_WINDOW runs apart may reach (``_churn``).
    ran = _ran_before(db, outlet, run_id, FLAP_CHANGES * FLAP_WINDOW)
    with transaction(db):
        before = current(db, outlet)
        health, damped, ended = _flap(db, outlet, runs, health, before)
        reasons = json.dumps([r.to_dict() for r in health.reasons], ensure_ascii=False)
        # By what each reason is about, not by code alone: a feed's 404 mended in the run another's
        # began left the status and its codes as they were, and neither was told. Nor by message: a
        # count or "for N days" in it is no change.
        keys = _keys(health.reasons)
        changed = before is None or before.status != health.status or _keys(before.reasons) != keys
        same = before is not None and before.status == health.status
        said = changed and not damped and ended is None and same
        settling = not damped and ended is None and same and health.status != "ok"
        # What they are about changing run to run (a host limiting requests fails other feeds each run,
        # two of twenty): by code alone then, or a digest a run.
        coarse = (said or settling) and _churn(db, outlet, before.since, ran, keys) >= FLAP_CHANGES
        if said:
            told, new = _said_since(db, outlet, before.since, ran[:SETTLE_RUNS]), keys
            if coarse:
                told, new = _coarse(told), _coarse(new)
            said = all(_told_in(key, told) for key in new)
        # A subject begun in a run of code-only telling and failing on, FLAP_WINDOW runs in a row, is no turn: told
        # then, once (one feed's 404 begun as another's ended, while feeds took turns, was never named).
        unnamed = _standing(db, outlet, ran, keys) if settling and (said or not changed) else set()
        resolved = _resolved(db, outlet, before, health, runs, ran[:SETTLE_RUNS], run_id, coarse=coarse) \
            if settling else []
        if before is None or before.status != health.status:
            db.execute("INSERT OR REPLACE INTO outlet_health (outlet, status, reasons, since, checked_at, run_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [outlet, health.status, reasons, stamp, stamp, run_id])
        else:
            db.execute("UPDATE outlet_health SET reasons = ?, checked_at = ?, run_id = ? WHERE outlet = ?",
                       [reasons, stamp, run_id, outlet])
        # What the digest of the run is given (the returns below), and only that, is sent again by the next
        # digest delivered until a delivered one held it (``notifications.missed_health_changes``).
        # Back from retirement "ok" is no news, as a first check "ok" is none.
        fresh = before is None or before.status == "retired"
        telling = bool(resolved) and (not changed or said) or bool(unnamed) or (
            changed and not damped and not said and not (fresh and health.status == "ok"))
        logged = None
        if changed or resolved or unnamed:
            # A reason's end logged too, though the status' reasons are as they were: a digest no
            # channel delivered left it to none.
            logged = db.table("health_log").insert({
                "outlet": outlet, "at": stamp, "run_id": run_id, "previous": before.status if before else None,
                "status": health.status, "reasons": reasons,
                "resolved": json.dumps([r.to_dict() for r in resolved], ensure_ascii=False) if resolved else None,
                "told": int(telling)}).last_rowid
    if not telling:
        return None
    if (resolved or unnamed) and (not changed or said):
        return HealthChange(outlet, before.status, health.status, health.reasons, previous_since=before.since,
                            at=stamp, resolved=resolved, log_id=logged)
    if ended is not None:
        # Told from the notice that it flaps: what was told then, and since when, not the last
        # of the changes it made meanwhile (a minute's "degraded -> ok" after five of flapping).
        told, since = ended
        over = Reason("flapping_over", f"no longer flapping: {SETTLE_RUNS} runs in a row agree")
        return HealthChange(outlet, told, health.status, [*health.reasons, over],
                            previous_since=since if told != "ok" else None, at=stamp, log_id=logged)
    return HealthChange(outlet, before.status if before else None, health.status, health.reasons,
                        previous_since=before.since if before and before.status != "ok" else None, at=stamp,
                        resolved=resolved, log_id=logged)


Key = tuple[str, str | None]


def _logged_since(db: Database, outlet: str, since: str) -> Iterator[tuple[int | None, list[Reason]]]:
    """``outlet``'s health rows logged since ``since`` (when its status began), newest first: the run that
    logged each, and its reasons. Read by idx_health_log_outlet down to the row that began the status (its
    previous status another) and no further: ``at >= ?`` in the query read on through every row the outlet
    ever logged whenever its status was younger than the runs its reader looks back over (its first 8
    runs), 25 ms a reader at a year of feeds failing by turns (a row a run)."""
    for logged, at, previous, status, reasons, told in db.execute(
            "SELECT run_id, at, previous, status, reasons, told FROM health_log WHERE outlet = ? ORDER BY id DESC",
            [outlet]):
        if at >= since:
            yield logged, _logged_reasons(reasons, told)
        if previous != status:
            return


#: The codes whose reasons name what they are about by its URLs (``about``).
_ABOUT_URLS = ("discovery", "stale", "overflow", "unlinked", "timeout")
_URL = re.compile(r"https?://[^\s;,()]+")
_MORE = re.compile(r"\band \d+ more\b")


def _logged_reasons(reasons: str | None, told: int | None) -> list[Reason]:
    """A ``health_log`` row's reasons (its ``reasons`` and ``told``). One of a row logged before reasons said what
    they are about (870cc20; no ``told`` either, m043) is about the URLs its message names, where it names all it is
    about (no "and N more"; fewer than the three a reason names of more): taken as about any of them, a feed that
    began failing as newsmon was upgraded (one its new definition of the outlet adds, failing from its first run) was
    said already, by the row of the version before, and never told."""
    out = []
    for stored in json.loads(reasons or "[]"):
        reason = Reason.of(stored)
        if told is None and "about" not in stored and reason.code in _ABOUT_URLS and not _MORE.search(reason.message):
            named = tuple(dict.fromkeys(url.rstrip(".:") for url in _URL.findall(reason.message)))
            if 0 < len(named) < 3 or reason.code in ("discovery", "timeout") and named:
                reason = Reason(reason.code, reason.message, named)
        out.append(reason)
    return out


def _keys(reasons: Iterable[Reason]) -> set[Key]:
    """What ``reasons`` are about, each ``(code, subject)``: a reason about three feeds is three, one
    whose ``about`` is ``None`` is ``(code, None)``, which stands for any subject of its code (``_told_in``)."""
    return {(r.code, subject) for r in reasons for subject in (r.about or (None,))}


def _told_in(key: Key, keys: set[Key]) -> bool:
    """Whether ``key`` of a reason was told among ``keys``: itself, or its code without a subject, which
    stands for all of them (a reason that named the first three of many; one stored before reasons said
    what they are about: else the first check after the upgrade told every broken feed as new). Its
    code without a subject, after named ones, is new: more feeds broken than a reason names."""
    return key in keys or (key[0], None) in keys


def _lasts_in(key: Key, keys: set[Key]) -> bool:
    """Whether ``key`` of a reason goes on among ``keys``: as ``_told_in``, and its code without a subject
    goes on in any of its code (of many broken feeds, three read again are no end)."""
    return _told_in(key, keys) or (key[1] is None and any(code == key[0] for code, _ in keys))


def _coarse(keys: set[Key]) -> set[Key]:
    """``keys`` by code alone."""
    return {(code, None) for code, _ in keys}


def _ran_before(db: Database, outlet: str, run_id: int | None, n: int) -> list[int]:
    """The outlet's last ``n`` runs but ``run_id`` that ran (a run the schedule recorded as skipped did
    not), newest first, however far apart: ``history``'s month held too few of an outlet crawled every
    fortnight, and the end of its reasons was never told. A few rows of idx_outlet_runs_outlet,
    whatever the outlet's history."""
    return [row[0] for row in db.execute(
        "SELECT o.run_id FROM outlet_runs o JOIN crawl_runs r ON r.id = o.run_id WHERE o.outlet = ? "
        "AND o.run_id != ? AND r.finished_at IS NOT NULL AND coalesce(r.finish_reason, '') NOT LIKE 'skipped%' "
        "ORDER BY o.run_id DESC LIMIT ?", [outlet, -1 if run_id is None else run_id, n])]


def _churn(db: Database, outlet: str, since: str, ran: list[int], keys: set[Key]) -> int:
    """How many times what one of ``outlet``'s reasons is about changed, its code going on, since its status
    began (at ``since``): within its last ``FLAP_WINDOW`` runs (``ran``: ``_ran_before``, newest first) and
    the health checked now (``keys``); or, where more, how many turns in a row (one of its subjects ended as
    others began) it took, each within ``FLAP_WINDOW`` runs of the next and the newest of now. A run's
    changes count once.

    Two of twenty sections failing at random each run (a host limiting requests) was a new feed told
    at almost every run, and the end of another 3 runs after. At ``FLAP_CHANGES``, the changes are told
    by code, as before reasons said what they are about, until they leave the window, turns until
    ``FLAP_WINDOW`` runs pass without one (as ``_flap`` damps a status). A reason is weighed against its
    own last subjects, not the row before: one feed failing by turns with a run between that read them all
    (its code gone, then back about another feed) was no change of the same codes, and told each feed and
    its end, a digest a run. Turns are followed further back: one feed failing for 3 runs, a run reading
    them all, then the next (a CDN erring on one path at a time) changed twice in any 8 runs, and each feed
    and each end was told, 40 digests in 80 runs, a channel an analyst mutes (every outlet's alerts with
    it). More feeds failing as an outage spreads are no turns. Newest first, down to the row in force before
    ``ran``."""
    if not ran:
        return 0
    oldest = min(ran)

    def ago(logged: int | None) -> int:
        # How many of ``ran`` back the row's run is: a skipped run's row as the next run's, one before ``ran`` past it.
        return sum(run >= logged for run in ran) if logged is not None and logged >= oldest else len(ran) + 1

    changed: set[int] = set()  # the runs (how many ago) at which what a code is about changed
    turned: set[int] = set()  # ... and one of its subjects ended (``_lasts_in``)
    newer: dict[str, tuple[set[Key], int]] = {}  # each code's keys in the row after that had it, and its run
    logged_keys = ((logged, ago(logged), _keys(reasons)) for logged, reasons in _logged_since(db, outlet, since))
    for logged, runs_ago, row in itertools.chain([(None, 0, keys)], logged_keys):
        by_code: dict[str, set[Key]] = {}
        for key in row:
            by_code.setdefault(key[0], set()).add(key)
        for code, old in by_code.items():
            if code in newer and newer[code][0] != old:
                changed.add(newer[code][1])
                if not all(_lasts_in(key, newer[code][0]) for key in old):
                    turned.add(newer[code][1])
        newer.update((code, (old, runs_ago)) for code, old in by_code.items())
        if logged is not None and logged < oldest:
            break
    turns, last = 0, 0
    for runs_ago in sorted(turned):
        if runs_ago - last >= FLAP_WINDOW:
            break
        turns, last = turns + 1, runs_ago
    return max(turns, sum(runs_ago <= FLAP_WINDOW for runs_ago in changed))


def _standing(db: Database, outlet: str, ran: list[int], keys: set[Key]) -> set[Key]:
    """The subjects of ``outlet``'s reasons now (``keys``) in force for the ``FLAP_WINDOW``-th run in a row, this
    one the last, that no change told since they began (``told``), though one would have but for code-only telling
    (``_churn``): not said in the ``SETTLE_RUNS`` runs before they began (``_said_since``), and no flap. ``ran``:
    ``_ran_before``, newest first; the rows of the status read newest first down to those runs.

    Feeds failing for hours one after another are told by code alone while they take turns; a feed whose 404 began
    in the run another's did, and that went on failing, was taken for the next turn and never named, not after the
    turns stopped either: no change came to tell it. Said in the runs before is told there, or in force since a row
    that told it: a feed failing as they took turns, logged only, then failing on after a run or two without it, was
    taken for one said before (``_said_since`` finds it in those rows), and never named either."""
    if len(ran) < FLAP_WINDOW or any(code == "flapping" for code, _ in keys):
        return set()
    # Its first run, the run before it, and the oldest of the SETTLE_RUNS runs that said what was said before it.
    first, anchor = ran[FLAP_WINDOW - 2], ran[FLAP_WINDOW - 1]
    oldest = ran[min(FLAP_WINDOW + SETTLE_RUNS - 2, len(ran) - 1)]
    left = {key for key in keys if key[1] is not None}
    since = None  # the run of the oldest row logged in its runs: it began there, a change logged
    anchored = past = False  # read the row in force after the run before its first; read past those runs
    tracing: set[Key] = set()  # of ``left``, in force in the rows last read, logged only: read on to where told
    for logged, previous, status, reasons, told in db.execute(
            "SELECT run_id, previous, status, reasons, told FROM health_log WHERE outlet = ? ORDER BY id DESC",
            [outlet]):
        if not left:
            break
        row = _keys(_logged_reasons(reasons, told))
        if any(code == "flapping" for code, _ in row):
            return set()
        if logged is None or logged > anchor:  # logged in its runs: it is in each, and told by none
            left = {key for key in left if _told_in(key, row) and told == 0}
            since = logged if logged is not None else since
        elif not anchored:  # in force after the run before its first: it was not
            if since is None or since > first:
                return set()
            anchored, left = True, {key for key in left if not _told_in(key, row)}
        else:  # said in the runs before: in a row that told it (NULL: from before m043, judged as then) ...
            found = {key for key in (tracing if past else left) if _told_in(key, row)}
            left -= {key for key in found if told != 0}
            # ... or in one logged only, in force since an older row that did; one in force since none is new
            tracing = {key for key in found if told == 0}
        past = past or (anchored and logged is not None and logged <= oldest)
        if past and not tracing:
            break
        if previous != status:  # the row that began the status: those before are of another
            break
    return left if since is not None and since <= first else set()


def _said_since(db: Database, outlet: str, since: str, ran: list[int]) -> set[Key]:
    """What ``outlet``'s health has been about (``_keys``) since its status began (at ``since``), in its
    last ``SETTLE_RUNS`` runs (``ran``: ``_ran_before``).

    An outage whose face changes run to run (robots.txt erring one run and answering the next,
    every feed 503 throughout) was "failing" throughout, and told with every run: its reasons went
    from three to two and back, each a change. A reason not had since the status began is still
    told (a feed's 503s, then the crawl hanging till its timeout), and so is one that comes back
    after ``SETTLE_RUNS`` runs in a row without it (as a flap ends so): an outlet "degraded" for
    weeks on a standing reason (a feed listing video pages its pattern does not take) told a feed's
    404 once, and its return days after it had been mended never. The same of a reason's subject: a
    second feed's 404 is told, the first's again when it comes back."""
    oldest = min(ran) if ran else None
    said: set[Key] = set()
    # Newest first, down to the health of the window's oldest run (logged by it, or by a run before
    # it): every row since the status began, read at each change, was a year of rows at each run of
    # an outlet whose feeds fail by turns (``_churn``).
    for logged, reasons in _logged_since(db, outlet, since):
        said |= _keys(reasons)
        if oldest is not None and logged is not None and logged <= oldest:
            break
    return said


def _resolved(db: Database, outlet: str, before: Health, health: Health, runs: list[dict[str, Any]],
              ran: list[int], run_id: int | None, *, coarse: bool = False) -> list[Reason]:
    """The reasons of ``outlet``'s status (``before``'s, ``health``'s too) that ended ``SETTLE_RUNS``
    runs in a row ago: in force after the ``SETTLE_RUNS``-th of its runs before ``run_id`` (``ran``:
    ``_ran_before``), in none of the health logged since nor in ``health``; as last logged. A reason
    about several feeds, some of which ended, is told for those (``_keys``); by code alone when
    ``coarse`` (``_churn``).

    A same-status change is told when a reason is new (``_said_since``), not when one ends: an
    outlet degraded on a standing reason told its feed's 404, and never that the feed read again
    for days after; the analyst's last word was the 404. Told once, when ``SETTLE_RUNS`` runs
    agree (as a reason back is told again, and a flap ends), so that a reason erring one run and
    answering the next (robots.txt through an outage) sends nothing; a status that began since,
    or a flap (its end told with ``flapping_over``), tells its reasons itself."""
    # A run the schedule recorded as skipped (the database unwritable) is checked too, but is no
    # run without the reason: the end was told there after 2 runs, and again at the next run.
    skipped = any(r["run_id"] == run_id and (r["finish_reason"] or "").startswith("skipped") for r in runs)
    if skipped or len(ran) < SETTLE_RUNS or "flapping" in health.codes():
        return []
    # Health is logged when it changes: what was in force after a run is the last row logged by it or before.
    anchor, first = ran[SETTLE_RUNS - 1], ran[SETTLE_RUNS - 2]
    had: list[Reason] = []
    ended = False  # a row logged after the anchor, by the first run without the reason at the latest
    since = _keys(health.reasons)
    # Newest first, down to the anchor's row. Every row since the status began, read at each run of
    # an outlet in a long status, took 10-16 ms an outlet a run at a year of a reason on and off
    # every 2 hours (0.5 s a run of 30 outlets); so, 0.1 ms.
    for logged, logged_reasons in _logged_since(db, outlet, before.since):
        if logged is not None and logged <= anchor:
            had = logged_reasons
            break
        ended = ended or (logged is not None and logged <= first)
        since |= _keys(logged_reasons)
    if not ended or any(code == "flapping" for code, _ in since) or any(r.code == "flapping" for r in had):
        return []
    since = _coarse(since) if coarse else since
    out = []
    for reason in had:
        subjects = (None,) if coarse else reason.about or (None,)
        gone = [s for s in subjects if not _lasts_in((reason.code, s), since)]
        if len(gone) == len(subjects):
            out.append(reason)
        elif gone:
            # Of a reason about several feeds, some read again: those, in the words it was told in.
            out.append(Reason(reason.code, f"for {_some(gone)}, not the rest it names: {reason.message}", tuple(gone)))
    return out


def _flap(db: Database, outlet: str, runs: list[dict[str, Any]], health: Health,
          before: Health | None) -> tuple[Health, bool, tuple[str, str] | None]:
    """``health`` as stored while the outlet flaps, whether its change is told (``False``) or
    damped (``True``), and, when a flap ends, the status told when it began and since when.

    A site erring every other run (503s by turns) made the outlet failing and ok again with each
    run: a digest every run, and two outages close together read the same. Its status changing
    ``FLAP_CHANGES`` times or more within its last ``FLAP_WINDOW`` runs, the outlet flaps: a
    ``flapping`` reason says so, an ``ok`` run reads ``degraded``, and its changes (into or out of
    ``failing`` or ``blocked``) are logged but not told, but for the first. It ends when
    ``SETTLE_RUNS`` runs in a row agree (a site down after flapping is told as down then, not when
    the window has passed), or the changes leave the window; that change is told."""
    ran = [r["run_id"] for r in runs if not (r["finish_reason"] or "").startswith("skipped")][:FLAP_WINDOW]
    if before is None or len(ran) < 2:
        return health, False, None
    # Into or out of failing or blocked: a feed of several flapping (ok, degraded, ok) is named
    # while it flaps instead (``failed_before``), the outlet degraded throughout.
    # Newest first, down to the window's oldest run: ``run_id IN`` the window read every row the
    # outlet ever logged, each run (19 ms an outlet at a year of feeds failing by turns, a row a run).
    log = []
    for logged, previous, status in db.execute("SELECT run_id, previous, status FROM health_log WHERE outlet = ? "
                                               "ORDER BY id DESC", [outlet]):
        if logged is not None and logged < ran[-1]:
            break
        if logged in ran[1:] and previous not in (None, status) and {previous, status} & set(_DOWN_STATES):
            log.append((logged, status))
    log.reverse()
    was = "flapping" in before.codes()
    shown = "degraded" if health.status == "ok" and was else health.status
    # This run, the one before and the one before that agree: none of the last two changed.
    steady = shown == before.status and not any(run_id in ran[1:SETTLE_RUNS - 1] for run_id, _ in log)
    changing = shown != before.status and (shown in _DOWN_STATES or before.status in _DOWN_STATES)
    if not was and not changing:  # a flap starts with a change, not with an old one in the window
        return health, False, None
    changes = len(log) + changing
    if changes < FLAP_CHANGES or steady:
        return health, False, _flap_start(db, outlet) if was else None
    turns = ", ".join([*(status for _, status in log[-5:]), health.status])
    reason = Reason("flapping", f"its health changed {changes} times in its last {len(ran)} runs (lately: {turns}): "
                                "a site that fails and recovers by turns (a host limiting requests, a CDN erring, "
                                "outages close together); its changes are not told while it flaps, until "
                                f"{SETTLE_RUNS} runs in a row agree")
    if health.status == "ok":
        return Health("degraded", [reason]), was, None
    return Health(health.status, [*health.reasons, reason]), was, None


def _flap_start(db: Database, outlet: str) -> tuple[str, str] | None:
    """The status the outlet's flap was told with, and when: its first ``health_log`` row of the
    flap (the first after the last that does not say it flaps; a day of hourly flapping is 24)."""
    row = db.execute(
        "SELECT status, at FROM health_log WHERE outlet = :outlet AND id > coalesce((SELECT max(id) FROM health_log "
        "WHERE outlet = :outlet AND reasons NOT LIKE '%\"code\": \"flapping\"%'), 0) ORDER BY id LIMIT 1",
        {"outlet": outlet}).fetchone()
    return (row[0], row[1]) if row else None


def _recent(runs: list[dict[str, Any]]) -> str | None:
    """When the ``PATTERN_RUNS``-th last of ``runs`` (``history``) that ran started, if there is one."""
    ran = [r for r in runs if not (r["finish_reason"] or "").startswith("skipped")]
    return ran[PATTERN_RUNS - 1]["started_at"] if len(ran) >= PATTERN_RUNS else None


def failed_before(db: Database, outlet: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outlet's feeds, sitemaps and sections that read in its last run but are flapping: they
    failed or were broken in the run before, and in an earlier one of the last ``FLAP_RUNS`` with
    a good read between (``runs``: ``history``, newest first; runs skipped left out).

    Judged on the last run alone, a feed failing every other run (a host limiting requests, a
    CDN erring) turned the outlet degraded and ok again with every run: a health change, and a
    digest, an hour. Named while it flaps, the outlet stays degraded; one that failed for a spell
    and reads again (an outage over) is not named, its outlet ok at once.
    """
    ran = [r for r in runs if not (r["finish_reason"] or "").startswith("skipped")][:FLAP_RUNS + 1]
    if len(ran) < 4:
        return []
    ids = [r["run_id"] for r in ran]
    read: dict[str, dict[int, bool]] = {}
    last: dict[str, dict[str, Any]] = {}
    for row in db.query(f"SELECT run_id, url, kind, http_status, reason, ok FROM discovery WHERE outlet = ? "
                        f"AND run_id IN ({', '.join('?' * len(ids))})", [outlet, *ids]):
        read.setdefault(row["url"], {})[row["run_id"]] = bool(row["ok"])
        if row["run_id"] == ids[1]:
            last[row["url"]] = row
    named = []
    for url, oks in sorted(read.items()):
        if not oks.get(ids[0]) or oks.get(ids[1]) is not False:
            continue
        # Older runs, newest first: a good read, then a failure again, is a flap.
        older = [oks[i] for i in ids[2:] if i in oks]
        if True in older and False in older[older.index(True):]:
            row = last[url]
            named.append({k: row[k] for k in ("url", "kind", "http_status", "reason")})
    return named


def update_run_health(db: Database, run_id: int, *, now: datetime | None = None,
                      late_after: timedelta = LATE_AFTER) -> list[HealthChange]:
    """Check every outlet of run ``run_id`` (those with an ``outlet_runs`` row), then retire those every
    run has left out on ``RETIRE_DAYS`` days (``retire``); return the changes."""
    outlets = [r[0] for r in db.execute("SELECT outlet FROM outlet_runs WHERE run_id = ? ORDER BY outlet",
                                        [run_id]).fetchall()]
    changes = [update_health(db, outlet, run_id, now=now, late_after=late_after) for outlet in outlets]
    return [c for c in changes if c is not None] + retire(db, run_id, now=now)


#: An outlet the runs of this many days (UTC dates with a run) have all left out since its last is
#: ``retired``: taken out of the config, or out of every config crawling into the database. Its last
#: health stood for good: a run killed as it was taken out left it "failing", and `newsmon status`
#: exit 1, for ever. Days with runs, not days: a schedule stopped for three weeks retired every outlet
#: at its first run back (before their own); and two weeks, so an outlet crawled once a week is none.
RETIRE_DAYS = 14


def retire(db: Database, run_id: int | None, *, now: datetime | None = None) -> list[HealthChange]:
    """Mark ``retired`` the outlets that the runs of ``RETIRE_DAYS`` days have left out, saying since
    when each was not crawled and what its health was then; return them all, to tell once.

    The days are counted from the last run that named it, if later than its check: a crawl of it that
    hangs has every run of it skipped as "outlet busy" (``crawl_runs`` rows, no ``outlet_runs``), and,
    retired after 14 days of them, it was no alarm and not overdue, the crawl hung for good.

    An outlet's own failure its runs' digests never told (a run killed as it was taken out of the
    config is checked by the next run, which does not crawl it; ``notifications.missed_health_changes``
    tells an outlet's changes in its own runs' digests) is told so, once. So is an outlet that was "ok":
    retired quietly, an outlet whose cron line or daemon job was lost (not taken out on purpose) stopped
    being crawled with nothing said, and no longer overdue either. A crawl of it checks it again
    (``update_health``): back "ok", that is no news."""
    stamp = _iso(_now(now))
    return [change for found in _retiring(db) if (change := _retire(db, found, run_id, stamp)) is not None]


def _retiring(db: Database) -> list[tuple[str, str, str, int, list[Reason]]]:
    """The outlets ``retire`` retires, each as read (its status, reasons and last checked run) with the reason it is
    retired for. Read apart from ``_retire``'s write, as another process may write in between: that retires only an
    outlet still as read."""
    found = []
    for outlet, status, reasons, last in db.execute(
            "SELECT outlet, status, reasons, run_id FROM outlet_health "
            "WHERE status != 'retired' AND run_id IS NOT NULL ORDER BY outlet").fetchall():
        # By id from its last run on: a few rows, but for an outlet about to retire (a fortnight of runs). From
        # the last run that named it, if later (skipped, hung, killed before its check): the days since.
        named = db.execute("SELECT max(r.id) FROM crawl_runs r, json_each(CASE WHEN json_valid(r.outlets) "
                           "THEN r.outlets ELSE '[]' END) WHERE r.id > ? AND value = ?", [last, outlet]).fetchone()[0]
        days = db.execute("SELECT count(DISTINCT substr(started_at, 1, 10)) FROM crawl_runs WHERE id > ?",
                          [named or last]).fetchone()[0]
        if days < RETIRE_DAYS:
            continue
        began = db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [last]).fetchone()
        said = [Reason.of(r).message for r in json.loads(reasons)]
        found.append((outlet, status, reasons, last, [Reason("retired", (
            f"not crawled since {began[0][:16].replace('T', ' ') + ' UTC' if began else 'long ago'}: the runs of "
            f"{days} days since left it out (taken out of the config, or of every config crawling into this "
            f"database?); it was {status} then{': ' + '; '.join(said) if said else ''}. A crawl of it checks it "
            "again"))]))
    return found


def _retire(db: Database, found: tuple[str, str, str, int, list[Reason]], run_id: int | None,
            stamp: str) -> HealthChange | None:
    """Retire one outlet ``_retiring`` found, logging the row that tells it, if its health is still as read then;
    the change to tell, or ``None``."""
    outlet, status, reasons, last, retired = found
    stored = json.dumps([r.to_dict() for r in retired], ensure_ascii=False)
    with transaction(db):
        # The log row only where this UPDATE retired it. Another process that read it too (two configs' runs
        # ending together) retired it meanwhile: its row, logged again, was a second notice of one retirement. Or
        # a crawl of it (put back in a config) checked it meanwhile: by status alone ("ok" again) an outlet just
        # crawled was retired, and told so.
        if db.execute("UPDATE outlet_health SET status = 'retired', reasons = ?, since = ?, checked_at = ? "
                      "WHERE outlet = ? AND status = ? AND reasons = ? AND run_id = ?",
                      [stored, stamp, stamp, outlet, status, reasons, last]).rowcount != 1:
            return None
        logged = db.table("health_log").insert({"outlet": outlet, "at": stamp, "run_id": run_id, "previous": status,
                                                "status": "retired", "resolved": None, "told": 1,
                                                "reasons": stored}).last_rowid
    return HealthChange(outlet, status, "retired", retired, at=stamp, log_id=logged)


# --- status -----------------------------------------------------------------------------------

#: How many runs ``crawl_times`` reads at a time, newest first.
_RUNS_BATCH = 256


def crawl_times(db, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per outlet crawled: when a crawl of it last finished as it should (``success``, ``None``:
    never), who started its last run (``trigger``), whether a crawl of it runs now (``running``,
    with ``running_pid`` and ``running_since``), whether ``newsmon schedule`` ran it over the last
    ``SCHEDULE_GONE`` (``scheduled``) and when one of those runs last finished (``scheduled_success``).
    ``db``: a ``Database`` or a plain ``sqlite3.Connection`` (the desk's).

    The runs are read newest first until every outlet has both: the last run of an outlet gives
    its trigger, the first finished one met its last success (an outlet's crawls never overlap:
    its lock). Grouped over every run's outlets in SQL, a year of hourly runs of 30 outlets took
    230 ms a call, paid by the desk's banner at each queue load and by ``newsmon status``; an
    outlet that never finished a crawl still reads them all.
    """
    out: dict[str, dict[str, Any]] = {}
    wanted = {row[0] for row in db.execute("SELECT outlet FROM outlet_health")}
    found: set[str] = set()
    before = None
    while True:
        batch = db.execute(
            "SELECT id, outlets, trigger, finish_reason, finished_at FROM crawl_runs"
            + (" WHERE id < ?" if before is not None else "") + " ORDER BY id DESC LIMIT ?",
            ([before] if before is not None else []) + [_RUNS_BATCH]).fetchall()
        for _, outlets, trigger, reason, finished in batch:
            try:
                named = json.loads(outlets or "[]")
            except ValueError:
                continue
            for outlet in named:
                times = out.setdefault(outlet, {"success": None, "trigger": trigger, "running": False})
                if times["success"] is None and reason == "finished":
                    times["success"] = finished
                    found.add(outlet)
        if len(batch) < _RUNS_BATCH or (wanted | out.keys()) <= found:
            break
        before = batch[-1][0]
    for outlet, pid, started in db.execute("SELECT j.value, r.pid, r.started_at FROM crawl_runs r, "
                                           "json_each(r.outlets) j WHERE r.finished_at IS NULL").fetchall():
        if outlet in out and pid_alive(pid):
            out[outlet].update(running=True, running_pid=pid, running_since=started)
    # The daemon's own runs of the last SCHEDULE_GONE: whether it crawls the outlet, and when one of
    # them last finished. Judged by the last run's trigger alone, one crawl by hand after the daemon
    # died made the outlet "ok" for good.
    waiting = set(out)  # read until each has its last scheduled success (the desk asks at each load)
    for outlets, reason, finished in db.execute(
            "SELECT outlets, finish_reason, finished_at FROM crawl_runs WHERE trigger = 'schedule' AND started_at >= ? "
            "ORDER BY started_at DESC, id DESC", [_iso(_now(now) - SCHEDULE_GONE)]):
        try:
            named = json.loads(outlets or "[]")
        except ValueError:
            continue
        for outlet in named:
            if outlet in waiting:
                out[outlet]["scheduled"] = True
                if reason == "finished":
                    out[outlet]["scheduled_success"] = finished
                    waiting.discard(outlet)
        if not waiting:
            break
    return out


#: An outlet no run of ``newsmon schedule`` crawled for this long is no longer the daemon's (the
#: schedule was stopped for cron, or for good): its missed runs are no longer counted.
SCHEDULE_GONE = timedelta(days=7)


def _run_of(db: Database, outlet: str) -> dict[str, Any] | None:
    rows = list(db.query(
        # By start, not by id: the runs `newsmon schedule` records once the database can be written
        # again (skipped while it could not) come after the run that found it writable.
        "SELECT r.* FROM crawl_runs r, json_each(r.outlets) j WHERE j.value = ? "
        "ORDER BY r.started_at DESC, r.id DESC LIMIT 1", [outlet]))
    return rows[0] if rows else None


def outlet_status(db: Database, outlets: Iterable[str], *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per outlet: last run, last success, whether a crawl runs now, articles and errors of the
    last 24 hours, and health (``unknown`` before its first check). For ``newsmon status``."""
    now = _now(now)
    day_ago = _iso(now - timedelta(hours=24))
    # The day's articles first (m055's idx_articles_first_seen), then their URLs (idx_urls_article): grouped as
    # the outlets' index holds the URLs, every URL the ledger ever had was read for a day's articles.
    articles = {row[0]: (row[1], row[2] or 0) for row in db.execute(
        """
        SELECT u.outlet, count(DISTINCT a.id), count(DISTINCT CASE WHEN a.relevant THEN a.id END)
        FROM articles a CROSS JOIN urls u ON u.article_id = a.id
        WHERE a.first_seen_at >= ? GROUP BY u.outlet
        """, [day_ago]).fetchall()}
    # The day's runs first (idx_crawl_runs_started), then their rows: grouped as the outlets' index holds them,
    # every row of every run was read for a day's.
    errors = {row[0]: row[1] or 0 for row in db.execute(
        """
        SELECT o.outlet, sum(o.errors + o.discovery_failed) FROM crawl_runs r
        CROSS JOIN outlet_runs o ON o.run_id = r.id WHERE r.started_at >= ? GROUP BY o.outlet
        """, [day_ago]).fetchall()}
    out = []
    times = crawl_times(db, now)  # the last success as the overdue check reads it
    # The first run of the last 24 hours: the outlets' rows from it on are read by their index.
    day_runs = db.execute("SELECT coalesce(min(+id), 1 << 62) FROM crawl_runs WHERE started_at >= ?",  # as history
                          [day_ago]).fetchone()[0]
    outlets = list(outlets)
    notes = section_notes(db, outlets)
    for outlet in outlets:
        last = _run_of(db, outlet)
        running = [r for r in db.query(
            "SELECT r.id, r.pid, r.started_at FROM crawl_runs r, json_each(r.outlets) j "
            "WHERE j.value = ? AND r.finished_at IS NULL", [outlet]) if pid_alive(r["pid"])]
        health = current(db, outlet)
        new, relevant = articles.get(outlet, (0, 0))
        states = db.execute("SELECT run_id, url_states FROM outlet_runs WHERE outlet = ? AND url_states IS NOT NULL "
                            "ORDER BY run_id DESC LIMIT 1", [outlet]).fetchone()
        found = [discovered + waited for discovered, waited, _ in lags(db.query(
            "SELECT lags FROM outlet_runs WHERE outlet = ? AND run_id >= ? AND lags IS NOT NULL",
            [outlet, day_runs]), window=None)]
        out.append({
            "outlet": outlet,
            "last_run": last and {k: last[k] for k in ("id", "started_at", "finished_at", "trigger",
                                                        "finish_reason", "exit_status", "articles_new", "errors")},
            "running": running[0] if running else None,
            "last_success": times.get(outlet, {}).get("success"),
            "articles_24h": new,
            "relevant_24h": relevant,
            "errors_24h": errors.get(outlet, 0),
            # {state: n}: the URLs the outlet's last run left in each state (storage.frontier).
            "url_states": json.loads(states[1]) if states else {},
            "url_states_run": states[0] if states else None,
            # How long after their publication the articles of the last 24 hours were stored
            # (those published since the outlet was first crawled, with a time: run_lags).
            "found_after_24h": {"articles": len(found), "median_seconds": _median(found),
                                "longest_seconds": max(found)} if found else None,
            "health": health.status if health else "unknown",
            # Since when it has had that status (the desk's outlets page says so too).
            "health_since": health.since if health else None,
            "reasons": [r.to_dict() for r in health.reasons] if health else [],
            "notes": notes.get(outlet, []),
        })
    return out


#: How the reasons begin that a section page's row gives where it reads well and newsmon cannot watch it all
#: (``crawler.spiders.news``: ``_unjudged``, ``PICKS_LISTED``): ``section_notes``.
SECTION_NOTES = ("no list of its own told apart", "its own list is its box named as picks")
#: Of how many of an outlet's last runs ``section_notes`` looks for the last that read its sections: an outlet
#: of no sections (feeds, sitemaps) is not walked back over its every run at each ``newsmon status``.
NOTES_RUNS = 24


def section_notes(db: Database, outlets: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    """Per outlet of ``outlets`` that has any, what the rows of its section pages say where the page reads well
    (``ok``) in its last run that read them, of its last ``NOTES_RUNS`` that recorded their end (``outlet_runs``; a
    section is read whole every run, and a run killed or lost before it read them has none): ``url``, ``note``: that
    its links are all in boxes of other articles, so its turnover cannot be told, or that its own list is its box
    named as picks (``SECTION_NOTES``). Neither is a health reason (nothing stopped working, and no setting changes a
    page's design), and on its row alone no command showed it: a page whose turnover cannot be told lost what dropped
    off it unseen while everything read "ok". Read from the outlet's last run, a crawl running now, a run the
    schedule skipped or one lost before it read anything showed none; and any reason of an ok row, a section's every
    "redirected to", was shown as one. One query for all the outlets, each run looked up by ``idx_outlet_runs_outlet``
    and its rows by ``idx_discovery_run``: the desk's outlets page asks for every outlet at each look."""
    found: dict[str, list[dict[str, str]]] = {}
    for row in db.query(
            """
            WITH asked(outlet) AS (SELECT DISTINCT value FROM json_each(:outlets)),
            read(outlet, run_id) AS (
                SELECT asked.outlet, (
                    SELECT o.run_id FROM outlet_runs o
                    WHERE o.outlet = asked.outlet
                      AND o.run_id >= coalesce((SELECT run_id FROM outlet_runs WHERE outlet = asked.outlet
                                                ORDER BY run_id DESC LIMIT 1 OFFSET :runs - 1), 0)
                      AND EXISTS (SELECT 1 FROM discovery d WHERE d.run_id = o.run_id AND d.outlet = asked.outlet
                                  AND d.kind = 'section')
                    ORDER BY o.run_id DESC LIMIT 1)
                FROM asked)
            SELECT d.outlet, d.url, d.reason AS note FROM read CROSS JOIN discovery d
            WHERE d.run_id = read.run_id AND d.outlet = read.outlet AND d.kind = 'section' AND d.ok = 1
              AND d.reason IS NOT NULL
            ORDER BY d.outlet, d.url
            """, {"outlets": json.dumps(list(outlets)), "runs": NOTES_RUNS}):
        if row["note"].startswith(SECTION_NOTES):
            found.setdefault(row["outlet"], []).append({"url": row["url"], "note": row["note"]})
    return found


#: How ``newsmon status`` and the desk's outlets page say a ``section_notes`` note: one wording for both (the page
#: makes ``url`` a link).
SECTION_NOTE_LINE = "note: section {url}: {note}"


#: What a run whose end is not recorded and whose process is gone is shown as (`newsmon status`,
#: the desk's outlets page): it read "running" until the next crawl closed it as killed.
UNRECORDED = "ended unrecorded (killed?)"


def run_result(last: Mapping[str, Any] | None, running: object, *, never: str = "") -> str:
    """An ``outlet_status`` row's last run as shown: ``running`` while a crawl of the outlet
    runs, else its finish reason, else ``UNRECORDED``; ``never`` without a run."""
    if running:
        return "running"
    return (last["finish_reason"] or UNRECORDED) if last else never


def last_scheduled_run(db: Database) -> dict[str, Any] | None:
    """The newest run started by ``newsmon schedule``."""
    rows = list(db.query("SELECT id, pid, started_at, finished_at, finish_reason FROM crawl_runs "
                         "WHERE trigger = 'schedule' ORDER BY started_at DESC, id DESC LIMIT 1"))  # as _run_of
    return rows[0] if rows else None


def crawled_outlets(db) -> list[str]:
    """The outlets with a run recorded (``outlet_runs``), in order. ``db``: a ``Database`` or a plain
    ``sqlite3.Connection``. One lookup of ``idx_outlet_runs_outlet`` an outlet: ``SELECT DISTINCT`` read every
    row of it, 122,000 at a year of hourly runs of 14 outlets (``bench/ledger``)."""
    return [row[0] for row in db.execute(
        "WITH RECURSIVE crawled(outlet) AS (SELECT min(outlet) FROM outlet_runs "
        "UNION ALL SELECT (SELECT min(outlet) FROM outlet_runs WHERE outlet > crawled.outlet) FROM crawled "
        "WHERE crawled.outlet IS NOT NULL) SELECT outlet FROM crawled WHERE outlet IS NOT NULL").fetchall()]
