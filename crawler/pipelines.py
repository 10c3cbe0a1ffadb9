"""Item pipeline: fetched pages → extract and score (in worker processes) → SQLite."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from storage import open_db, queries, transaction

from . import health, store
from .spiders.news import FetchedPage

logger = logging.getLogger(__name__)


class StorePipeline:
    """Store each fetched article page exactly once, with its raw HTML and its score.

    Extraction runs in ``NEWSMON_EXTRACT_WORKERS`` processes: in the reactor thread it would
    stall every download while it parses (PERF_NOTES.md). Writes stay in this process, one short
    transaction per page, so readers (Datasette, DB Browser) are never locked out for long.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.db_path = settings.get("NEWSMON_DB")
        self.config_path = settings.get("NEWSMON_CONFIG")
        self.workers = settings.getint("NEWSMON_EXTRACT_WORKERS")
        self.max_attempts = settings.getint("NEWSMON_MAX_ATTEMPTS")
        self.executor: ProcessPoolExecutor | None = None
        # Pages per outlet whose rules text is also compared with generic extraction (health).
        self.crosscheck = settings.getint("NEWSMON_HEALTH_CROSSCHECK")
        self.crosschecks: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        if self.workers > 0:
            # forkserver, not fork: a forked worker would inherit the reactor's state and the
            # outlet lock files (crawler/locks.py), and keep the locks after a SIGKILL of ours.
            # No preload: a forkserver that imported the extractors would double their memory.
            context = multiprocessing.get_context("forkserver")
            self.executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                initializer=store.watch_parent, initargs=(os.getpid(),))
        self.outlets, _ = store.context(self.config_path)

    def close_spider(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    async def _analyse(self, page: FetchedPage):
        crosscheck = self.crosschecks.get(page.outlet, 0) < self.crosscheck
        if crosscheck:
            self.crosschecks[page.outlet] = self.crosschecks.get(page.outlet, 0) + 1
        args = (page.body, page.url, page.charset, self.config_path, crosscheck)
        if self.executor is None:
            record, signals = health.analyse(*args)
        else:
            record, signals = await asyncio.wrap_future(self.executor.submit(health.analyse, *args))
        for name, value in signals.items():
            self.stats.inc_value(health.stat_key(page.outlet, name), value)
        return record

    def _count(self, outlet: str, name: str) -> None:
        self.stats.inc_value(health.stat_key(outlet, name))

    async def process_item(self, item):
        if not isinstance(item, FetchedPage):
            return item
        if item.body is None:
            with transaction(self.db):
                queries.record_url(self.db, item.url, outlet=item.outlet, kind="error",
                                   http_status=item.status, error=item.error, now=store.now_iso())
            self.stats.inc_value("newsmon/errors")
            self._count(item.outlet, "errors")
            return item
        self._count(item.outlet, "pages")
        try:
            record = await self._analyse(item)
        except Exception as exc:  # one bad page must not end the run; it is kept for reextract
            logger.error("newsmon: extraction failed for %s: %s: %s", item.url, type(exc).__name__, exc)
            self.stats.inc_value("newsmon/extract/failed")
            self._count(item.outlet, "no_article")
            record, error = None, f"extraction failed: {type(exc).__name__}: {exc}"
        else:
            error = None
        if record is None:
            self.stats.inc_value("newsmon/extract/empty")
        elif record.get("outlet") is None:
            record["outlet"] = item.outlet
        saved = store.save(self.db, url=item.url, body=item.body, record=record, outlet=item.outlet,
                           http_status=item.status or 200, content_type=item.content_type, error=error)
        if saved.new:
            self.stats.inc_value("newsmon/articles/new")
            self._count(item.outlet, "articles_new")
            if saved.relevant:
                self.stats.inc_value("newsmon/articles/relevant")
                self._count(item.outlet, "articles_relevant")
        elif saved.article_id is not None:
            self.stats.inc_value("newsmon/articles/duplicate")
        return item
