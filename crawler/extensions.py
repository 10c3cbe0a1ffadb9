"""The crawl-run ledger: one row in ``crawl_runs`` per crawl, whatever way it ends."""

from __future__ import annotations

import os

from scrapy import signals

from storage import open_db, queries


class CrawlRunLedger:
    """Write a ``crawl_runs`` row when the spider opens and complete it when it closes.

    A run killed before it could close keeps ``finished_at`` empty; the next run marks it
    ``killed`` (see ``queries.close_stale_runs``), so the ledger never shows a run as going on
    forever.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.db = open_db(crawler.settings.get("NEWSMON_DB"))
        self.trigger = crawler.settings.get("NEWSMON_TRIGGER", "manual")
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        queries.close_stale_runs(self.db)
        outlets = sorted(getattr(spider, "outlets", {}) or [])
        self.run_id = queries.start_run(self.db, outlets, self.trigger, pid=os.getpid())
        self.crawler.stats.set_value("newsmon/run_id", self.run_id)

    def spider_closed(self, spider, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        prefix = "downloader/response_status_count/"
        by_status = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
        errors = (stats.get("newsmon/errors", 0) + stats.get("newsmon/extract/failed", 0)
                  + stats.get("newsmon/discovery/failed", 0) + stats.get("log_count/ERROR", 0))
        queries.finish_run(
            self.db, self.run_id,
            requests=stats.get("downloader/request_count", 0),
            responses_by_status=by_status,
            articles_new=stats.get("newsmon/articles/new", 0),
            articles_relevant=stats.get("newsmon/articles/relevant", 0),
            errors=errors,
            finish_reason=reason,
            exit_status=0 if reason == "finished" else 1,
        )
