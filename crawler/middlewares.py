"""Downloader middlewares: conditional GET for discovery pages, and Retry-After."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured

from storage import open_db, queries, transaction

from .dates import parse_http_date


class ConditionalGetMiddleware:
    """Send If-None-Match / If-Modified-Since for feeds and sitemaps, and remember the answers.

    The state lives in the database (``feed_state``) so that a run every 15 minutes costs the
    outlet a 304 per unchanged feed. Only requests with ``meta["newsmon_conditional"]`` take part.
    """

    def __init__(self, db_path: str, stats) -> None:
        self.db = open_db(db_path)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSMON_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(crawler.settings.get("NEWSMON_DB"), crawler.stats)

    def process_request(self, request):
        if not request.meta.get("newsmon_conditional"):
            return None
        state = queries.get_feed_state(self.db, request.url)
        if state:
            if state.get("etag"):
                request.headers.setdefault("If-None-Match", state["etag"])
            if state.get("last_modified"):
                request.headers.setdefault("If-Modified-Since", state["last_modified"])
        return None

    def process_response(self, request, response):
        if request.meta.get("newsmon_conditional") and response.status in (200, 304):
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            previous = queries.get_feed_state(self.db, request.url) or {}
            with transaction(self.db):
                queries.set_feed_state(
                    self.db, request.url,
                    etag=etag.decode("latin-1") if etag else previous.get("etag"),
                    last_modified=modified.decode("latin-1") if modified else previous.get("last_modified"),
                    status=response.status,
                )
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    when = parse_http_date(text)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, plus: on 429/503 wait as long as the server's Retry-After asks.

    A wait longer than ``NEWSMON_MAX_RETRY_AFTER`` gives the request up for this run: the URL
    stays unfetched and the next scheduled run tries again, instead of holding the crawl.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSMON_MAX_RETRY_AFTER", 120.0)

    async def process_response(self, request, response):
        if (response.status in (429, 503) and response.status in self.retry_http_codes
                and not request.meta.get("dont_retry", False)):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None:
                if wait > self.max_wait:
                    self.crawler.stats.inc_value("newsmon/retry_after/too_long")
                    return response
                self.crawler.stats.inc_value("newsmon/retry_after/waited")
                # Only this response waits; the reactor keeps serving other requests.
                await asyncio.sleep(wait)
        return super().process_response(request, response)
