"""Run one crawl in this process: settings from crawler/settings.py, the CLI's flags on top.

Scrapy's reactor cannot be restarted in a process, so one process runs one crawl; the
scheduler starts a new ``newsmon crawl`` process for each run.
"""

from __future__ import annotations

import inspect
import logging
import os
import signal
import sqlite3
import sys
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage import open_db, queries, transaction
from storage.db import damage, stop_waiting
from storage.exceptions import DatabaseUnwritable, StorageError

from .locks import OutletBusy, outlet_locks
from .validate import Checked, check_config, check_settings, notify_problem, notifying
from .workers import crawl_workers

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from scrapy.settings import Settings

#: Exit status of a crawl that did not start because another one holds an outlet (EX_TEMPFAIL).
EXIT_BUSY = 75
#: Exit status of a crawl that could not write to its database (EX_IOERR): another process held
#: its write lock past ``NEWSMON_DB_BUSY_TIMEOUT``, its disk is full, it is read-only. Apart from
#: ``EXIT_BUSY`` (a run of ours overlapping) because this needs a person: ``newsmon schedule``
#: alerts on it.
EXIT_UNWRITABLE = 74

#: Settings for crawling a site on this machine (the demo, tests, benchmarks): politeness
#: delays exist for other people's servers, not for 127.0.0.1.
LOOPBACK_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_TIMES": 1,
    # A proxy in the environment (http_proxy, as on many office networks) cannot reach this
    # machine's 127.0.0.1: through it the demo fetched nothing, robots.txt included.
    "HTTPPROXY_ENABLED": False,
}


def crawler_settings(overrides: dict[str, Any] | None = None) -> Settings:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def _frames(context: int = 1) -> list[tuple[Any, ...]]:
    """``inspect.stack()`` as Scrapy's deprecated aliases use it: the callers' frames, without
    the source line and module of each (what makes the real one slow, below)."""
    frame, frames = sys._getframe(1), []
    while frame is not None:
        frames.append((frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None, None))
        frame = frame.f_back
    return frames


def preload_downloader() -> None:
    """Import Scrapy's HTTP/1.1 download handler now, and cheaply.

    Its TLS modules define three deprecated aliases, and ``scrapy.utils.deprecate`` names the
    module of each from ``inspect.stack()[1]``: the whole stack, each frame's module found by
    a walk over ``sys.modules`` (700 modules at this point; cpython#92041): 127 module lookups,
    even imported here rather than 40 frames deep in the downloader (which took 0.11 s against
    0.065 s here). With the frames alone, all Scrapy reads of them (``[1][0]``), the aliases get
    the same module names and the import takes 63-100 ms instead of 102-199 (6 alternating
    runs in fresh processes, Scrapy 2.19, 2026-12-03): about 45 ms of every crawl's start.
    Nothing else that could ask for a stack runs meanwhile: the reactor has not started, and
    the extraction pool's thread only moves pages. Only a head start: a Scrapy without the
    module crawls with the handlers it has.
    """
    real = inspect.stack
    inspect.stack = _frames
    try:
        with suppress(ImportError):
            import scrapy.core.downloader.handlers.http11  # noqa: F401
    finally:
        inspect.stack = real


def _early_workers(overrides: dict[str, Any], config, outlets: list[str]):
    """The crawl's extraction workers, started before Scrapy (``None`` for in-process extraction).

    Processes that cannot be started now (no memory, too many open files) are not this run's
    end: the pipeline starts its own when the spider opens, and fails the pages there, each
    with its reason, if it cannot either.
    """
    from . import settings as project

    start = overrides.get("NEWSMON_EXTRACT_WORKERS", project.NEWSMON_EXTRACT_WORKERS)
    if start < 1:
        return None
    rules_only = all(config.outlets[o].rules for o in outlets or config.outlets)
    try:
        return crawl_workers(start, overrides.get("NEWSMON_EXTRACT_WORKERS_MAX", project.NEWSMON_EXTRACT_WORKERS_MAX),
                             overrides.get("NEWSMON_CONFIG", project.NEWSMON_CONFIG), generic=not rules_only)
    except OSError as exc:
        logger.warning("newsmon: cannot start the extraction workers before the crawl (%s); the crawl starts "
                       "them itself", exc)
        return None


def bugs(stats: dict[str, Any]) -> int:
    """Exceptions of newsmon's own code in a run: in spider callbacks and in storing pages."""
    return stats.get("spider_exceptions/count", 0) + stats.get("newsmon/bugs", 0)


@dataclass
class CrawlResult:
    finish_reason: str | None
    run_id: int | None
    stats: dict[str, Any]

    @property
    def bugs(self) -> int:
        return bugs(self.stats)

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished" and not self.bugs

    def stopped(self, again: str) -> str | None:
        """What ``newsmon crawl`` says of a crawl a signal stopped, after "newsmon: ": what it kept, what is left
        and that the next run (``again``) takes it up; ``None`` when no signal stopped it."""
        signame = self.stats.get(STOPPED_BY)
        if signame is None:
            return None
        how = "Ctrl-C" if signame == "SIGINT" else signame
        new = self.stats.get("newsmon/articles/new", 0)
        stored = f"{new} new article{'s' if new != 1 else ''}"
        if self.finish_reason is None:
            return (f"crawl stopped ({how}) before it could close (a second SIGTERM or Ctrl-C forces that), recorded "
                    f"as {FORCED_STOP!r}: what it stored is kept ({stored}), and the next run takes up its last pages "
                    f"and the URLs it had not fetched: run `{again}` again")
        waiting = self.stats.get("newsmon/urls_waiting")
        left = (f"{waiting:,} URL{'s' if waiting != 1 else ''} of its outlets wait as pending" if waiting
                else "what it had not fetched waits")
        # A stop that came as the crawl was already closing for a reason of its own (CLOSESPIDER_TIMEOUT's
        # 'closespider_timeout') leaves that reason in the ledger: said 'shutdown', the line and the runs disagreed.
        closed = ("and closed cleanly" if self.finish_reason == "shutdown"
                  else f"as it was closing for {self.finish_reason!r}, and closed cleanly")
        return (f"crawl stopped ({how}) {closed}, recorded as run {self.run_id} {self.finish_reason!r}: what it had "
                f"downloaded is stored ({stored}); {left}, and the next run fetches them: run `{again}` again")

    @property
    def trouble(self) -> str | None:
        """Why the crawl did not end well, for a person (``newsmon crawl``'s and the demo's last
        line); ``None`` when it did."""
        stats = self.stats
        if stats.get("newsmon/database_unwritable"):
            return ("the crawl stopped: its database could not be written (the log above says why); the pages it "
                    "had not stored are fetched by the next run")
        if stats.get("newsmon/database_damaged"):
            return stats["newsmon/database_damaged"]
        if self.finish_reason is None:
            return (f"the crawl was stopped before it could close (a second SIGTERM or Ctrl-C forces that), recorded "
                    f"as {FORCED_STOP!r}: the next run fetches what it had not stored")
        if self.finish_reason == "shutdown":
            # "crawl ended with 'shutdown'; see the log above" sent the one who pressed Ctrl-C to
            # the log to learn that they had.
            return ("the crawl was stopped (SIGTERM or Ctrl-C) and closed cleanly, recorded as 'shutdown': the next "
                    "run fetches what it had not")
        if self.finish_reason != "finished":
            return f"crawl ended with {self.finish_reason!r}; see the log above"
        if self.bugs:
            return (f"crawl finished, but newsmon failed {self.bugs} time(s) on the way (a bug: please report the "
                    "tracebacks in the log above); the URLs concerned keep their state and are tried again next run")
        return None


def _hear_stop_requests(crawler) -> None:
    """Once Scrapy has installed its SIGTERM and SIGINT handlers, put ours before them: which signal
    stopped the crawl (``STOPPED_BY``, its exit status), ``stop_fetching``, and
    ``storage.db.stop_waiting``: a crawl asked to stop while it waits for another process's write
    (a reviewer's DB Browser) waits a moment more, not the whole busy timeout, and records its run
    without waiting as long again (what it has not stored is fetched by the next run). Scrapy's own
    handler takes the second signal (a forced stop) alone."""
    from twisted.internet import reactor

    def heard(signum: int) -> None:
        if crawler.stats.get_value(STOPPED_BY) is None:
            crawler.stats.set_value(STOPPED_BY, signal.Signals(signum).name)
        stop_waiting()
        # In the reactor's thread, after Scrapy's graceful stop (queued by its handler before): the
        # engine asks for no new request by then, so none is handed to the downloader after.
        reactor.callFromThread(reactor.callLater, 0, _safely, stop_fetching, crawler)

    def chain() -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            before = signal.getsignal(signum)
            if callable(before):
                signal.signal(signum, lambda num, frame, before=before: (heard(num), before(num, frame)))

    # Scrapy installs its handlers "after startup"; a call queued then runs after them.
    reactor.callWhenRunning(reactor.callLater, 0, chain)


#: Stats key: the signal ("SIGTERM", "SIGINT") that stopped the crawl, if one did.
STOPPED_BY = "newsmon/stopped_by"
#: Seconds the downloads in flight as a crawl is stopped get to end, before they are cut short:
#: a page that arrives meanwhile is stored, one that does not is fetched by the next run. Well
#: within `newsmon schedule`'s stop_timeout (30 s), after which it kills the crawl.
STOP_GRACE = 5.0


def stopped_status(stats: dict[str, Any]) -> int | None:
    """The exit status of a crawl a signal stopped, as a shell gives one (130 Ctrl-C, 143
    SIGTERM); ``None`` when none did."""
    signame = stats.get(STOPPED_BY)
    return 128 + signal.Signals[signame].value if signame else None


def stop_fetching(crawler) -> None:
    """Send nothing more once the crawl is asked to stop, and give the downloads in flight
    ``STOP_GRACE`` seconds.

    Scrapy's graceful stop sends every request already handed to its downloader (up to
    CONCURRENT_REQUESTS, 16, queued per outlet), each after its outlet's DOWNLOAD_DELAY and
    AutoThrottle's wait, and waits for each up to DOWNLOAD_TIMEOUT (30 s): a crawl sent SIGTERM
    fetched 14 more articles and ended 19-24 s later; one whose outlet answered slowly took the
    whole DOWNLOAD_TIMEOUT. Those not sent yet are dropped here: their URLs keep their state
    (``pending``, or the error they were retried for), which the next run takes up. What has
    been downloaded is still read and stored. Those that reach the downloader later (they waited
    for robots.txt) are stopped by ``middlewares.StopGateMiddleware``.

    The downloader's queues are Scrapy's internals: read as they are in Scrapy 2.18-2.19, and
    left to Scrapy's own stop, said so, when they are not (an error here lost a queued request,
    and the crawl waited for it for ever).
    """
    from twisted.python.failure import Failure

    from .middlewares import STOPPED, Stopped

    signame = crawler.stats.get_value(STOPPED_BY) or "SIGTERM"
    try:
        slots = _downloader_slots(crawler)
        queues = [_queue_of(slot) for slot in slots]
    except _Unshaped as exc:
        logger.warning("newsmon: stopping (%s): the downloader of Scrapy %s is not as newsmon knows it (%s): the "
                       "requests in its queue are sent and awaited as Scrapy's own stop does, up to DOWNLOAD_TIMEOUT "
                       "each; none is sent after them, and what is not fetched stays pending", signame,
                       _scrapy_version(), exc)
        queues = None
        try:
            slots = _downloader_slots(crawler, queue=False)
        except _Unshaped:
            return
    dropped = []
    for slot, queue in zip(slots, queues or []):
        leaving = [(request, queued) for request, queued in queue if _ours(request)]
        if leaving:
            # Taken out whole before any errback runs: an errback's own work never meets a half-emptied queue.
            slot.queue.clear()
            slot.queue.extend(item for item in queue if not _ours(item[0]))
            dropped += leaving
    for request, queued in dropped:
        request.meta[STOPPED] = True
        queued.errback(Failure(Stopped(signame)))
    in_flight = sum(len(slot.transferring) for slot in slots)
    crawler.stats.inc_value("newsmon/stopped/not_sent", len(dropped))
    # Counted by Scrapy as they entered the downloader: the run's requests are those sent.
    crawler.stats.inc_value("downloader/request_count", -len(dropped))
    crawler.stats.inc_value("downloader/request_method_count/GET", -len(dropped))
    if queues is not None:
        logger.info("newsmon: stopping (%s): %d request(s) not sent yet are dropped, their URLs left for the next "
                    "run; %d download(s) in flight get %ss to end", signame, len(dropped), in_flight, f"{STOP_GRACE:g}")
    elif in_flight:
        logger.info("newsmon: stopping (%s): %d download(s) in flight get %ss to end", signame, in_flight,
                    f"{STOP_GRACE:g}")
    if in_flight:
        from twisted.internet import reactor

        reactor.callLater(STOP_GRACE, _safely, _cut_downloads, crawler)


def _safely(step: Callable[[Any], None], crawler) -> None:
    """A step of the stop that reaches into Scrapy: a failure of its own is said in a line, and Scrapy's stop goes on
    (in a delayed call, it was an "Unhandled Error" traceback)."""
    try:
        step(crawler)
    except Exception as exc:  # noqa: BLE001  (Scrapy's own stop is the fallback)
        logger.warning("newsmon: stopping: %s failed (%s: %s) with Scrapy %s: Scrapy's own stop goes on, which sends "
                       "and awaits what its downloader holds; what is not fetched stays pending", step.__name__,
                       type(exc).__name__, exc, _scrapy_version())


class _Unshaped(Exception):
    """Scrapy's downloader is not as ``stop_fetching`` knows it (a Scrapy newer than newsmon, another DOWNLOADER)."""


def _scrapy_version() -> str:
    import scrapy

    return scrapy.__version__


def _downloader_slots(crawler, *, queue: bool = True) -> list:
    """The downloader's slots, each with its ``transferring`` requests (and its ``queue``), or ``_Unshaped``."""
    engine = getattr(crawler, "engine", None)
    slots = getattr(getattr(engine, "downloader", None), "slots", None)
    if not isinstance(slots, dict):
        raise _Unshaped("no slots newsmon can read")
    slots = list(slots.values())
    for slot in slots:
        if not isinstance(getattr(slot, "transferring", None), (set, frozenset)) or (
                queue and not isinstance(getattr(slot, "queue", None), deque)):
            raise _Unshaped("slots without a transferring set and a queue")
    return slots


def _queue_of(slot) -> list:
    """A slot's queue as (request, Deferred) pairs, read only, or ``_Unshaped``."""
    from scrapy import Request
    from twisted.internet.defer import Deferred

    items = list(slot.queue)
    if not all(isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Request)
               and isinstance(item[1], Deferred) and not item[1].called for item in items):
        raise _Unshaped("a queue not of (request, Deferred) pairs")
    return items


def _ours(request) -> bool:
    """A request the stop may drop: a page of an outlet's (the spider's, or a next page the pipeline asks for),
    or a robots.txt newsmon asked for; each is told so (its errback, or the code that awaits it)."""
    from .middlewares import ROBOTS

    return "newsmon_outlet" in request.meta or bool(request.meta.get(ROBOTS))


def _cut_downloads(crawler) -> None:
    """The downloads still in flight ``STOP_GRACE`` after the stop: their DOWNLOAD_TIMEOUT is
    made to come now (Scrapy's own way to end a download, which closes its connection), and
    their URLs keep their state, as those never sent (``stop_fetching``). Found by the delayed
    call Scrapy's HTTP/1.1 handler sets: a download another handler makes, or a Scrapy that sets
    it otherwise, ends by itself or at DOWNLOAD_TIMEOUT, said so."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    from .middlewares import STOPPED

    try:
        slots = _downloader_slots(crawler, queue=False)
    except _Unshaped as exc:
        logger.warning("newsmon: stopping: the downloader of Scrapy %s is not as newsmon knows it (%s): the downloads "
                       "in flight end by themselves or at DOWNLOAD_TIMEOUT", _scrapy_version(), exc)
        return
    cut = [request for slot in slots for request in slot.transferring]
    for request in cut:
        request.meta[STOPPED] = True
        request.meta["dont_retry"] = True  # RetryMiddleware would send it again
    reset = 0
    for call in reactor.getDelayedCalls():
        # The download timeout Scrapy's HTTP handler sets: callLater(DOWNLOAD_TIMEOUT, the download's Deferred.cancel).
        deferred = getattr(getattr(call, "func", None), "__self__", None)
        if isinstance(deferred, Deferred) and call.active() and getattr(call.func, "__name__", "") == "cancel" \
                and any(_named(callbacks, "_cb_timeout") for callbacks in getattr(deferred, "callbacks", ())):
            call.reset(0)
            reset += 1
    crawler.stats.inc_value("newsmon/stopped/cut_short", min(reset, len(cut)))
    if reset:
        logger.info("newsmon: stopping: %d download(s) still in flight after %ss cut short, their URLs left for the "
                    "next run", reset, f"{STOP_GRACE:g}")
    if reset < len(cut):
        logger.warning("newsmon: stopping: %d download(s) still in flight after %ss could not be cut short (not "
                       "made by Scrapy %s's HTTP/1.1 handler as newsmon knows it): they end by themselves or at "
                       "DOWNLOAD_TIMEOUT, and what is not fetched stays pending", len(cut) - reset, f"{STOP_GRACE:g}",
                       _scrapy_version())


def _named(callbacks: Any, name: str) -> bool:
    """Whether a Deferred's callbacks entry, ((callback, args, kwargs), (errback, …)), calls a method ``name``."""
    try:
        return getattr(callbacks[0][0], "__name__", "") == name
    except (TypeError, IndexError, KeyError):
        return False


FORCED_STOP = "shutdown: forced"
"""The finish reason of a crawl a second SIGTERM or Ctrl-C stopped before it could close."""


def _record_forced_stop(db_path: str, stats: dict[str, Any]) -> None:
    """Close the run a second SIGTERM or Ctrl-C stopped before the crawl could (Scrapy stops at
    once, nothing of newsmon's close runs): the next run called it ``killed``, as a run the
    kernel or a power loss ended, and status showed that until then. Its last pages stay as
    they were (fetched, waiting for extraction, …): the next run goes on from them."""
    from .extensions import run_end

    end = run_end(stats, FORCED_STOP, stopped_status(stats) or 1)
    try:
        db = open_db(db_path, busy_timeout=5)
        try:
            with transaction(db):
                queries.end_run(db, stats["newsmon/run_id"], end)
        finally:
            db.conn.close()
    except (StorageError, sqlite3.Error):  # the next run's close_stale_runs takes it from here
        with suppress(OSError):
            queries.leave_run_end(db_path, stats["newsmon/run_id"], end)


def _record_skipped(db_path: str, outlets: list[str], overrides: dict[str, Any], reason: str, *, errors: int,
                    exit_status: int) -> None:
    """A run that fetched nothing, recorded as such, so that status says why it did not crawl."""
    from . import settings as project

    db = open_db(db_path)
    try:
        run_id = queries.start_run(db, sorted(outlets), overrides.get("NEWSMON_TRIGGER", project.NEWSMON_TRIGGER),
                                   pid=os.getpid())
        queries.finish_run(db, run_id, requests=0, responses_by_status={}, articles_new=0, articles_relevant=0,
                           errors=errors, finish_reason=reason, exit_status=exit_status)
    finally:
        db.conn.close()


def _warn_of_notify(checked: Checked, overrides: dict[str, Any]) -> None:
    """Say at the start of a crawl, once, what `newsmon schedule` and `newsmon check` refuse the config for in its
    ``[notify] apprise`` (``notify_problem``), and crawl all the same: a typo in a notification channel is no
    reason to lose a run's articles. Unsaid, a crawl run from cron was the user's only word of it when a digest
    failed, hours or days later. Not under the schedule, which checked it at its start and checks every edit
    (each crawl would import apprise for it), nor with notifications off (no digest to lose)."""
    from . import settings as project

    if checked.notify is None or not checked.notify.apprise \
            or overrides.get("NEWSMON_TRIGGER", project.NEWSMON_TRIGGER) == "schedule" \
            or not notifying(overrides):
        return
    if problem := notify_problem(checked):
        logger.warning("newsmon: %s; this crawl goes on, but its digest cannot be sent through [notify] apprise "
                       "until that is fixed (`newsmon check` says when it is)", problem)


def run_crawl(outlets: list[str], overrides: dict[str, Any] | None = None, *, wait: float = 0.0) -> CrawlResult:
    """Crawl the named outlets (all when empty) and wait for the crawl to finish.

    Everything is checked before Scrapy starts: the settings, the config file, the outlet
    names and the database.

    Raises:
        SettingError: a wrong ``overrides`` value or ``NEWSMON_*`` variable.
        ConfigError: a wrong config file or an unknown outlet.
        StorageError: the database cannot be used (not a newsmon database, newer schema;
            ``DatabaseUnwritable``: it cannot be written, another process holding its write
            lock, and nothing was fetched).
        OutletBusy: another process is crawling one of the outlets and did not finish within
            ``wait`` seconds (the skipped run is recorded).
    """
    from . import settings as project

    overrides = check_settings(overrides or {})
    # Read as Scrapy will (an override wins over the project's value), before Scrapy is
    # imported: a mistake is reported in a third of the time.
    checked = check_config(overrides.get("NEWSMON_CONFIG", project.NEWSMON_CONFIG), outlets=outlets)
    config = checked.config
    for note in config.replaced_notes(outlets):
        logging.getLogger(__name__).warning("newsmon: %s", note)
    _warn_of_notify(checked, overrides)
    db_path = overrides.get("NEWSMON_DB", project.NEWSMON_DB)
    # Migrates it too; the spider, pipeline and ledger share another connection.
    db = open_db(db_path, busy_timeout=float(overrides.get("NEWSMON_DB_BUSY_TIMEOUT", project.NEWSMON_DB_BUSY_TIMEOUT)))
    try:
        # A write lock another process holds (a DB Browser with changes not written) would fail
        # every page of the run, each after the busy timeout: found here, nothing is fetched. So
        # are a file SQLite opened read-only and a disk without room for a page, by a write of
        # the header as it is (one page at commit): an empty transaction let them through, and
        # Scrapy and the workers started to stop at once, "(run None, database_full)".
        version = db.execute("PRAGMA user_version").fetchone()[0]
        with transaction(db):
            db.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        db.conn.close()

    locked = False
    try:
        with outlet_locks(db_path, outlets or list(config.outlets), wait=wait):
            locked = True
            # The extraction workers first: each needs about a second to load the extractors and
            # the topics, which it spends while Scrapy is imported, the crawler built and
            # robots.txt and the feeds fetched, not while the first pages wait for it.
            pool = _early_workers(overrides, config, outlets)
            crawler = None
            try:
                from scrapy.crawler import CrawlerProcess  # only now: the checks above need no Scrapy

                preload_downloader()
                process = CrawlerProcess(crawler_settings(overrides))
                crawler = process.create_crawler("news")
                crawler._newsmon_workers = pool  # the pipeline's (crawler/pipelines.py)
                process.crawl(crawler, outlet=",".join(outlets) or None)
                _hear_stop_requests(crawler)  # after crawl(), which installs Scrapy's reactor
                process.start()
            finally:
                # Shut down by the pipeline as the crawl closed. Not closed (a second SIGTERM or Ctrl-C, the crawl
                # never opened), nothing waits for what the workers hold: waiting for it, a forced stop waited as
                # long as a page took to read (they ignore the stop signals), and the next run reads those pages.
                if pool is not None and not pool.closed:
                    pool.kill()
                from .store import close_crawler_db

                close_crawler_db(crawler)
    except OutletBusy as exc:
        _record_skipped(db_path, outlets or list(config.outlets), overrides, "skipped: outlet busy", errors=0,
                        exit_status=EXIT_BUSY)
        raise OutletBusy(str(exc)) from None
    except DatabaseUnwritable as exc:
        if locked:
            raise
        # The lock files beside the database cannot be taken (another user's, a full disk): the run
        # is recorded, where the database can still be written, so that status says why.
        with suppress(StorageError, sqlite3.Error):
            _record_skipped(db_path, outlets or list(config.outlets), overrides, f"skipped: {exc}"[:300], errors=1,
                            exit_status=EXIT_UNWRITABLE)
        raise
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if stats.get("newsmon/run_id") is not None and not stats.get("finish_reason"):
        _record_forced_stop(db_path, stats)
    if (bugs(stats) or stats.get("finish_reason") == "start_error") and (said := damage(db_path)) is not None:
        # Errors of a damaged file are no bugs of newsmon's: said as what they are, and what to do.
        stats["newsmon/database_damaged"] = str(said)
    return CrawlResult(stats.get("finish_reason"), stats.get("newsmon/run_id"), stats)
