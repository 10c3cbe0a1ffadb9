"""The crawl-run ledger: one row in ``crawl_runs`` per crawl, whatever way it ends."""

from __future__ import annotations

import logging
import os

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from storage import health as health_db
from storage import frontier, notifications, open_db, queries
from storage.exceptions import DatabaseUnwritable

from . import health, notify, store
from .config import ConfigError, load_config
from .crawl import EXIT_UNWRITABLE, bugs, stopped_status
from .scheduler import late_after

logger = logging.getLogger(__name__)


class CrawlRunLedger:
    """Write a ``crawl_runs`` row when the spider opens and complete it when it closes.

    A run killed before it could close keeps ``finished_at`` empty; the next run marks it
    ``killed`` (see ``queries.close_stale_runs``), so the ledger never shows a run as going on
    forever.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = store.crawler_db(crawler)
        self.trigger = crawler.settings.get("NEWSMON_TRIGGER", "manual")
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        try:
            self._start(spider)
        except DatabaseUnwritable as exc:  # since run_crawl found it writable: spider_closed records the run
            store.database_unwritable(self.crawler, exc)

    def _start(self, spider) -> None:
        self.run_id = queries.start_run(self.db, sorted(getattr(spider, "outlets", {}) or []), self.trigger,
                                        pid=os.getpid())
        self.crawler.stats.set_value("newsmon/run_id", self.run_id)
        killed: list[health_db.HealthChange] = []
        try:
            queries.close_stale_runs(self.db, killed=lambda stale: killed.extend(self._check_killed(stale)))
        except DatabaseUnwritable:
            raise
        except Exception:  # a bug of ours: the run goes on, and the runs found killed stay open for the next run
            self.crawler.stats.inc_value("newsmon/bugs")
            logger.exception("newsmon: could not check the outlet health of the runs found killed; the next run "
                             "checks them again")
        _log_changes(killed)

    def _check_killed(self, stale: list[int]) -> list[health_db.HealthChange]:
        """Check the outlets of the runs found killed (``health.record_killed_runs``): each such run
        failed, logged as told, and this run's digest, or the next of those outlets', tells it
        (``notifications.missed_health_changes``), before its own check tells the recovery. In the
        transaction that closes them (``queries.close_stale_runs``): a write lock held past the busy
        timeout, or a bug, leaves them open for the next run, which checks them then."""
        late = late_after(self.crawler.settings.get("NEWSMON_LATE_AFTER"))
        return [change for run_id in health_db.record_killed_runs(self.db, stale)
                for change in health_db.update_run_health(self.db, run_id, late_after=late)]

    def item_error(self, item, response, spider, failure) -> None:
        # A bug of ours while storing a page (Scrapy logs it and goes on): the run must not end
        # as if all went well. The URL keeps its state (pending or fetched) for the next run.
        self.crawler.stats.inc_value("newsmon/bugs")

    async def spider_closed(self, spider, reason: str) -> None:
        unwritable = store.write_again(self.crawler)
        try:
            if self.run_id is None:
                if not unwritable:
                    return
                self._start(spider)  # it could not be written when the run opened
            self._finish(reason, unwritable)
        except DatabaseUnwritable as exc:
            logger.error("newsmon: this run could not be recorded in crawl_runs: %s", exc)
            self._leave_end(reason, unwritable)
            return
        if unwritable:
            return  # a run stopped by our own database is no evidence of its outlets' health
        stats = self.crawler.stats.get_stats()
        # Outlet health and the run's digest come after the ledger row, which they read, and
        # must never cost the run its row.
        try:
            counts = health.outlet_counts(stats, getattr(spider, "outlets", {}) or [])
            waiting = 0
            for outlet, outlet_counts in counts.items():
                states = frontier.run_states(self.db, self.run_id, outlet)
                waiting += states.get("pending", 0)
                health_db.record_outlet_run(self.db, self.run_id, outlet, outlet_counts, url_states=states)
            # What a stopped crawl says it left for the next run (``newsmon crawl``).
            self.crawler.stats.set_value("newsmon/urls_waiting", waiting)
            late = late_after(self.crawler.settings.get("NEWSMON_LATE_AFTER"))
            changes = health_db.update_run_health(self.db, self.run_id, late_after=late)
        except Exception:
            logger.exception("newsmon: could not record the outlet health of run %s", self.run_id)
            return
        _log_changes(changes)
        if not self.crawler.settings.getbool("NEWSMON_NOTIFY_ENABLED"):
            return
        config_path = self.crawler.settings.get("NEWSMON_CONFIG")
        try:
            settings = notify.parse_settings(load_config(config_path).notify)
        except ConfigError as exc:
            logger.error("newsmon: no notification sent: %s", exc)
            try:  # the first digest once the config is mended tells these changes
                notifications.record_unsent(self.db, self.run_id, f"the config could not be read: {exc}",
                                            health_changes=len(changes))
            except DatabaseUnwritable:
                pass
            return
        if settings is None:
            return
        # In a thread: a slow webhook must not stall the reactor; Scrapy waits for it to finish.
        await maybe_deferred_to_future(
            deferToThread(_notify, self.crawler.settings.get("NEWSMON_DB"), self.run_id, changes, settings,
                          config_path))

    def _leave_end(self, reason: str, unwritable) -> None:
        """The end of a run its database could not take, left beside it for the next run
        (``queries.close_stale_runs``), which called the run ``killed`` and lost why it ended."""
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        db_path = self.crawler.settings.get("NEWSMON_DB")
        try:
            queries.leave_run_end(db_path, self.run_id, run_end(stats, reason, self._status(reason, unwritable, stats)))
        except OSError as error:  # the disk that took the database's space takes this one's too
            logger.error("newsmon: the end of this run could not be left in %s either (%s): the next run calls it "
                         "killed", queries.run_end_file(db_path, self.run_id), error.strerror or error)

    @staticmethod
    def _status(reason: str, unwritable: bool, stats: dict) -> int:
        if unwritable:
            return EXIT_UNWRITABLE
        if reason == "shutdown" and (stopped := stopped_status(stats)):
            return stopped  # the process's own: 143 SIGTERM, 130 Ctrl-C
        return 0 if reason == "finished" and not bugs(stats) else 1

    def _finish(self, reason: str, unwritable: bool) -> None:
        stats = self.crawler.stats.get_stats()
        prefix = "downloader/response_status_count/"
        by_status = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
        errors = run_errors(stats)
        status = self._status(reason, unwritable, stats)
        queries.finish_run(
            self.db, self.run_id,
            requests=stats.get("downloader/request_count", 0),
            responses_by_status=by_status,
            articles_new=stats.get("newsmon/articles/new", 0),
            articles_relevant=stats.get("newsmon/articles/relevant", 0),
            errors=errors,
            finish_reason=reason,
            exit_status=status,
            revisits={"requests": stats.get("newsmon/revisit/requests", 0),
                      "not_modified": stats.get("newsmon/revisit/not_modified", 0),
                      "failed": stats.get("newsmon/revisit/failed", 0),
                      "versions_new": stats.get("newsmon/revisit/changed", 0)},
        )


def _log_changes(changes: list[health_db.HealthChange]) -> None:
    for change in changes:
        logger.warning("newsmon: outlet %s is now %s: %s", change.outlet, change.status,
                       "; ".join([*(r.message for r in change.reasons),
                                  *(f"resolved: {r.message}" for r in change.resolved)])
                       or (f"recovered, {change.lasted()}" if change.lasted() else "recovered"))


def run_errors(stats: dict) -> int:
    """A crawl's errors as its run records them (``crawl_runs.errors``)."""
    return (stats.get("newsmon/errors", 0) + stats.get("newsmon/extract/failed", 0)
            + stats.get("newsmon/discovery/failed", 0) + stats.get("log_count/ERROR", 0))


def run_end(stats: dict, reason: str, exit_status: int) -> dict:
    """The end of a run (``queries.end_run``), from its crawl's stats, where the ledger's close
    could not record it: its database could not take it, or a forced stop came first."""
    return {"finished_at": queries.now_utc(), "finish_reason": reason, "exit_status": exit_status,
            "requests": stats.get("downloader/request_count", 0),
            "articles_new": stats.get("newsmon/articles/new", 0), "errors": run_errors(stats)}


def _notify(db_path: str, run_id: int, changes, settings, config_path: str | None) -> None:
    db = open_db(db_path)  # its own connection: SQLite connections stay in their thread
    try:
        notify.notify_run(db, run_id, changes, settings, config_path=config_path)
    except Exception:  # a broken notifier must not turn a finished crawl into a failed one
        logger.exception("newsmon: notification of run %s failed", run_id)
    finally:
        db.conn.close()
