"""Scrapy settings of newsmon. The only place that reads ``NEWSMON_*`` environment variables.

Every newsmon setting can also be given with ``scrapy crawl news -s NAME=VALUE``; the CLI passes
its flags the same way. Overrides of Scrapy defaults say what the default was and why.

A variable is parsed by its rule in ``crawler/validate.py``; one that does not parse is kept as
written, so that importing this module never fails and every ``newsmon`` command refuses it
first, in one line naming the variable. Empty variables (``NAME=``) count as unset.
"""

from __future__ import annotations

import os
from typing import Any

from crawler import __version__
from crawler.validate import parse_setting

#: The ``NEWSMON_*`` environment variables newsmon started with, for crawler/validate.py.
#: (Lower case: Scrapy takes only upper-case names of this module as settings.)
environment = {name: value for name, value in os.environ.items() if name.startswith("NEWSMON_")}


def _env(name: str, default: Any) -> Any:
    value = environment.get(name, "")
    if value == "":
        return default
    try:
        return parse_setting(name, value)
    except ValueError:
        return value  # refused by crawler/validate.py before any command runs


BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- newsmon's own settings -------------------------------------------------------------
#: The SQLite file (relative to the current directory unless absolute).
NEWSMON_DB = _env("NEWSMON_DB", "newsmon.db")
#: Seconds a write to the database waits for another process's write before giving up: a
#: DB Browser for SQLite with changes not written yet holds the file until they are, a VACUUM
#: for minutes. A crawl that gives up stops at once (exit status 74), its pages not stored
#: fetched again by the next run; a schedule that runs a VACUUM at night may wait it out.
NEWSMON_DB_BUSY_TIMEOUT = _env("NEWSMON_DB_BUSY_TIMEOUT", 30.0)
#: A TOML file adding or overriding outlets, topics, schedule and notifications.
NEWSMON_CONFIG = _env("NEWSMON_CONFIG", None)
#: How many times `newsmon ingest` tries an archive's HTTP request again after an answer that
#: says "later" (429, 500, 502, 503, 504) or a connection reset or timed out, waiting 1, 2, 4 …
#: seconds (at most 60; the server's Retry-After when it gives one). Common Crawl's
#: data.commoncrawl.org answers 503 SlowDown under load, and its staff advise trying again.
NEWSMON_INGEST_RETRIES = _env("NEWSMON_INGEST_RETRIES", 5)
#: Seconds `newsmon ingest --cluster` waits for the scheduler to have a worker, at the start or
#: after losing them all (their machines gone), before it leaves its archives unfinished and
#: exits 1: a scheduler without workers holds tasks for ever, and the ingest waited with them.
NEWSMON_INGEST_NO_WORKERS = _env("NEWSMON_INGEST_NO_WORKERS", 120.0)
#: Who runs this crawler: a URL or mailto: that site operators can reach. Set yours; the
#: User-Agent says so when it is not set, rather than name a contact that would reach no one.
NEWSMON_CONTACT = _env("NEWSMON_CONTACT", "")
#: Worker processes for extraction a crawl starts with (0 = in the reactor thread). Extraction
#: blocks downloads while it runs in the reactor (PERF_NOTES.md), so it gets its own process;
#: one per spare core, which leaves a core to the reactor and SQLite.
NEWSMON_EXTRACT_WORKERS = _env("NEWSMON_EXTRACT_WORKERS", max(1, (os.cpu_count() or 2) - 1))
#: How many extraction workers a crawl may grow to while pages keep waiting for one
#: (crawler/workers.py): a live crawl paced by politeness delays keeps one, a backfill grows.
#: Set it to NEWSMON_EXTRACT_WORKERS for a fixed count.
NEWSMON_EXTRACT_WORKERS_MAX = _env("NEWSMON_EXTRACT_WORKERS_MAX", os.cpu_count() or 2)
#: Article pages fetched per run and outlet at most: a first run on a sitemap with 50,000
#: URLs must not become a backfill by accident.
NEWSMON_MAX_ARTICLES = _env("NEWSMON_MAX_ARTICLES", 500)
#: Pages of one section read at most in a run, the first included: the next one (rel="next",
#: 次へ) is read only when the one before listed no article URL seen before (it turned over
#: since the last run, and what it dropped may be on the next page).
NEWSMON_SECTION_PAGES = _env("NEWSMON_SECTION_PAGES", 5)
#: A URL that failed this many times (404, 5xx, timeout) is not tried again.
NEWSMON_MAX_ATTEMPTS = _env("NEWSMON_MAX_ATTEMPTS", 3)
#: Pages of one article read at most, the first included (an article split over pages:
#: crawler/pagination.py); a pager that goes on is named in the article's URL reason.
NEWSMON_MAX_ARTICLE_PAGES = _env("NEWSMON_MAX_ARTICLE_PAGES", 10)
#: Seconds before a URL that met a bot wall, consent page or login is tried again; the wait
#: doubles with each wall (at most a day), and a URL blocked for a week is given up.
NEWSMON_WALL_BACKOFF = _env("NEWSMON_WALL_BACKOFF", 3600.0)
#: The longest Retry-After (seconds) we wait for; a longer one gives the request up for this run.
NEWSMON_MAX_RETRY_AFTER = _env("NEWSMON_MAX_RETRY_AFTER", 120.0)
#: The longest wait (seconds) between two requests to a host that its robots.txt's Crawl-delay
#: is honoured up to; a longer one is waited this long, and said.
NEWSMON_MAX_CRAWL_DELAY = _env("NEWSMON_MAX_CRAWL_DELAY", 60.0)
#: What started the run ('manual', 'schedule', 'demo'): recorded in crawl_runs.
NEWSMON_TRIGGER = _env("NEWSMON_TRIGGER", "manual")
#: How often `newsmon schedule` crawls ("90s", "15m", "2h"); overrides the config's
#: [schedule] interval, whose default is 15m.
NEWSMON_SCHEDULE_INTERVAL = _env("NEWSMON_SCHEDULE_INTERVAL", None)
#: Pages per outlet and run whose rules extraction is also done generically and compared
#: (outlet health: rules that match the wrong block); 0 = never. Each costs one quick
#: trafilatura pass (no fallback extractors, no metadata), ~75 ms.
NEWSMON_HEALTH_CROSSCHECK = _env("NEWSMON_HEALTH_CROSSCHECK", 3)
#: How long after its publication an outlet's article may be found: when the median of its newest
#: is later, and earlier runs missed them, the outlet is degraded, "late" (storage/health.py).
NEWSMON_LATE_AFTER = _env("NEWSMON_LATE_AFTER", "1h")
#: A feed that has answered 304 (not modified) for this long is read once without its validators:
#: a server whose 304s are wrong would otherwise hide its new entries for ever (crawler/middlewares.py).
NEWSMON_FULL_READ_AFTER = _env("NEWSMON_FULL_READ_AFTER", "1h")
#: An archive sitemap (nothing new for two days, its lastmod in its index unchanged since it was
#: last fetched) is asked for once in this long, not every run (crawler/spiders/news.py).
NEWSMON_SITEMAP_RECHECK = _env("NEWSMON_SITEMAP_RECHECK", "1d")
#: Place each new article into a story as it is stored (False: leave it to `newsmon regroup`).
NEWSMON_STORIES_ENABLED = _env("NEWSMON_STORIES_ENABLED", True)
#: Articles further apart in time than this ("72h") are never one story; overrides the
#: config's [stories] window, whose default is 72h.
NEWSMON_STORY_WINDOW = _env("NEWSMON_STORY_WINDOW", None)
#: When stored articles are fetched again, after first seen ("1h,6h,24h,72h"; "off": never);
#: overrides the config's [revisit] after, whose default is 1h, 6h, 24h, 72h.
NEWSMON_REVISIT_AFTER = _env("NEWSMON_REVISIT_AFTER", None)
#: Which stored articles are revisited: "relevant" or "all"; overrides [revisit] articles
#: (default "relevant").
NEWSMON_REVISIT_ARTICLES = _env("NEWSMON_REVISIT_ARTICLES", None)
#: Send the [notify] digest of the config file at the end of a crawl (False: never).
NEWSMON_NOTIFY_ENABLED = _env("NEWSMON_NOTIFY_ENABLED", True)

# --- politeness ---------------------------------------------------------------------------
USER_AGENT = (f"newsmon/{__version__} (news monitoring crawler; +{NEWSMON_CONTACT})" if NEWSMON_CONTACT
              else f"newsmon/{__version__} (news monitoring crawler; operator contact not set)")
ROBOTSTXT_OBEY = True  # default False
AUTOTHROTTLE_ENABLED = True  # default False
AUTOTHROTTLE_START_DELAY = 2.0  # default 5.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0  # default 0: one second between requests to the same outlet
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # default 8: news sites are shared infrastructure
DOWNLOAD_TIMEOUT = 30  # default 180
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # default 1 GiB; no article page is 10 MB
DOWNLOAD_WARNSIZE = 3 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# --- components ---------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt: no request (nor robots.txt) leaves for a host or scheme out of scope.
    "crawler.middlewares.ScopeMiddleware": 60,
    # Replaced by a subclass that reads a 5xx or unreachable robots.txt as RFC 9309 says.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsPolicyMiddleware": 100,
    # After robots.txt, which requests wait for: none leaves once the crawl is asked to stop.
    "crawler.middlewares.StopGateMiddleware": 110,
    # Before the default headers (400): each outlet asked for its pages in its language.
    "crawler.middlewares.OutletLanguageMiddleware": 390,
    # Replaced by a subclass that honours Retry-After on 429/503.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    # Before the retries, in the way back: a failure inside the stop's grace is the server's, not retried into a stop.
    "crawler.middlewares.StopGraceMiddleware": 555,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
    # Replaced by a subclass that follows what a browser follows (a Refresh header, a script's way on
    # from a page with no text) and for which a refresh to the page itself is a reload.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.BrowserRedirectMiddleware": 580,
    # Replaced by a subclass for which a truncated gzip body is an error, not half a page.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.StrictDecompressionMiddleware": 590,
    # After the decompression: a page ended by a closed connection before its end tag is cut short.
    "crawler.middlewares.CutShortMiddleware": 585,
    # Between the cookies (700) and the redirects (600): a cookie gate is no redirect loop.
    "crawler.middlewares.CookieGateMiddleware": 650,
    # Before the redirects (600): a Location whose query's "&" is written "&amp;" followed as its site means it.
    "crawler.middlewares.LocationAmpersandsMiddleware": 640,
    # Before the cookies (700): an outlet's configured cookies (a consent given in a browser).
    "crawler.middlewares.OutletCookiesMiddleware": 660,
}
# default: file, data, s3 and ftp handlers too. newsmon fetches web pages: a feed entry
# file:///etc/passwd must have no handler to reach, whatever any check above misses.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
# default 20: a moved article is one or two hops; more is a loop or a parking page.
REDIRECT_MAX_TIMES = 5
SPIDER_MIDDLEWARES = {"crawler.middlewares.UnwritableDatabaseMiddleware": 1000}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.extensions.CrawlRunLedger": 100}
# Scrapy's own list less its telnet console and remote control: each would open a local server
# that runs code sent to it. Both are also off below, but Scrapy imports every extension it is
# given, even one set to None in EXTENSIONS, to be told so (the remote control with aiohttp:
# 0.3 s of every crawl's start). tests/test_validate.py compares this with the installed
# Scrapy's, so an upgrade that adds an extension fails there rather than dropping it unseen.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.memdebug.MemoryDebugger": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}

# --- Scrapy housekeeping ------------------------------------------------------------------
# default True: a local server that runs code sent to it; a crawler on a schedule needs none.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
# default 100: Scrapy starts that many tasks per callback result; 10 is plenty (PERF_NOTES.md).
CONCURRENT_ITEMS = 10
# Discovery pages → articles, through sitemap indexes that may nest others (by year, then by
# month): 3 cut the articles of an index of indexes of indexes, silently. Loops are stopped by
# NewsSpider.sitemaps_asked; five levels of indexes are followed, a deeper one is reported broken.
DEPTH_LIMIT = 6
# default 2083 (an old browser's limit): a longer URL's request was dropped at INFO level, and the
# URL stayed pending run after run. Off: a server that cannot take a URL answers 414, a reason.
URLLENGTH_LIMIT = 0
LOG_LEVEL = _env("NEWSMON_LOG_LEVEL", "INFO")
FEED_EXPORT_ENCODING = "utf-8"
