"""The one news spider: discovers article URLs of the configured outlets and fetches the new ones.

Discovery: RSS/Atom feeds, (news) sitemaps and section pages, each read once per run; only URLs
that match the outlet's article URL pattern are followed, and nothing is followed from an
article. A URL already stored (or given up on) is never requested again: that state is in the
database, not in the spider, so it holds across runs and processes.

The spider stays thin: pages go to ``crawler.pipelines.StorePipeline`` as ``FetchedPage`` items.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

import scrapy
from lxml import etree
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.internet.error import TCPTimedOutError

from storage import frontier, open_db, queries

from ..config import ConfigError, load_config
from ..outlets import Outlet
from ..urls import canonical_url


@dataclass
class FetchedPage:
    """A fetched article page (or the failure to fetch one), on its way to storage."""

    url: str
    outlet: str
    status: int | None
    body: bytes | None = None
    content_type: str | None = None
    charset: str | None = None
    error: str | None = None
    discovered_via: list[str] = field(default_factory=list)


def feed_links(body: bytes) -> list[str]:
    """Article links of an RSS 1.0/2.0 or Atom feed, in feed order."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False,
                                                             no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag == "link":
            # Atom: <link rel="alternate" href=…>; RSS: <link>url</link> inside <item>.
            parent = etree.QName(el.getparent()).localname if el.getparent() is not None else ""
            href = el.get("href")
            if href and parent == "entry" and el.get("rel", "alternate") == "alternate":
                links.append(href.strip())
            elif not href and parent == "item" and el.text:
                links.append(el.text.strip())
        elif tag == "item" and el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"):
            links.append(el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about").strip())
    return list(dict.fromkeys(links))


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, outlet: str | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outlet_arg = outlet

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        try:
            config = load_config(settings.get("NEWSMON_CONFIG"))
        except ConfigError as exc:
            raise scrapy.exceptions.UsageError(str(exc)) from None
        spider.all_outlets = config.outlets
        wanted = [k.strip() for k in (spider.outlet_arg or "").split(",") if k.strip()]
        unknown = [k for k in wanted if k not in config.outlets]
        if unknown:
            raise scrapy.exceptions.UsageError(
                f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(config.outlets))}")
        spider.outlets = {k: config.outlets[k] for k in (wanted or config.outlets)}
        spider.hosts = {d for o in config.outlets.values() for d in o.domains}
        live = [h for o in spider.outlets.values() for h in o.domains if h not in ("127.0.0.1", "localhost", "::1")]
        if live and not settings.get("NEWSMON_CONTACT"):
            spider.logger.warning("newsmon: NEWSMON_CONTACT is not set: site operators cannot reach you "
                                  "through the User-Agent. Set it to your URL or mailto: address.")
        spider.db = open_db(settings.get("NEWSMON_DB"))
        spider.max_articles = settings.getint("NEWSMON_MAX_ARTICLES")
        spider.max_attempts = settings.getint("NEWSMON_MAX_ATTEMPTS")
        spider.queued: dict[str, int] = {}
        spider.scheduled: set[str] = set()
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for key, outlet in self.outlets.items():
            for url in outlet.feeds:
                yield self._discovery(url, key, self.parse_feed)
            for url in outlet.sitemaps:
                yield self._discovery(url, key, self.parse_sitemap)
            for url in outlet.start_urls:
                yield self._discovery(url, key, self.parse_section, conditional=False)
        # What earlier runs discovered but did not get: their feeds may never list it again.
        for key in self.outlets:
            due = frontier.due_urls(self.db, key, max_attempts=self.max_attempts, limit=self.max_articles)
            for request in self._requests(due, key, via="frontier"):
                yield request

    def _discovery(self, url: str, outlet: str, callback, conditional: bool = True) -> scrapy.Request:
        # Discovery pages are fetched every run (dont_filter) but conditionally, so an unchanged
        # feed costs a 304 and nothing more.
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                              priority=10, cb_kwargs={"outlet": outlet},
                              meta={"newsmon_conditional": conditional, "newsmon_outlet": outlet,
                                    "handle_httpstatus_list": [304]})

    def _not_modified(self, response: Response) -> bool:
        # Every discovery response passes here: per-outlet counts for outlet health.
        outlet = response.meta.get("newsmon_outlet", "")
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_ok")
        if response.status == 304:
            self.crawler.stats.inc_value("newsmon/discovery/not_modified")
            return True
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_changed")
        return False

    def parse_feed(self, response: Response, outlet: str):
        if self._not_modified(response):
            return
        self.crawler.stats.inc_value("newsmon/discovery/feed")
        yield from self._articles(feed_links(response.body), outlet, via="feed")

    def parse_sitemap(self, response: Response, outlet: str):
        if self._not_modified(response):
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError):
                self.logger.warning("newsmon: sitemap %s is not valid gzip", response.url)
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types on garbage; a bad sitemap is one warning
            self.logger.warning("newsmon: %s is not a sitemap", response.url)
            return
        self.crawler.stats.inc_value("newsmon/discovery/sitemap")
        locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            for loc in locs:
                yield self._discovery(response.urljoin(loc), outlet, self.parse_sitemap)
        else:
            yield from self._articles(locs, outlet, via="sitemap")

    def parse_section(self, response: Response, outlet: str):
        if self._not_modified(response) or not hasattr(response, "text"):
            return
        self.crawler.stats.inc_value("newsmon/discovery/section")
        pattern = self.outlets[outlet].article_url_pattern
        links = LinkExtractor(allow=pattern).extract_links(response)
        yield from self._articles([link.url for link in links], outlet, via="section")

    def _articles(self, urls: Iterable[str], outlet_key: str, via: str):
        outlet: Outlet = self.outlets[outlet_key]
        fresh: list[str] = []
        for raw in urls:
            url = canonical_url(raw, self.hosts)
            if not outlet.is_article_url(url):
                self.crawler.stats.inc_value("newsmon/discovery/not_article_url")
                continue
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet_key}/discovered")
            if url in self.scheduled or url in fresh:
                continue
            if queries.url_done(self.db, url, max_attempts=self.max_attempts):
                self.crawler.stats.inc_value("newsmon/discovery/already_seen")
                continue
            fresh.append(url)
        # Remembered before any is fetched, so a killed or limited run loses none of them.
        frontier.add_pending(self.db, fresh, outlet=outlet_key)
        yield from self._requests(fresh, outlet_key, via)

    def _requests(self, urls: Iterable[str], outlet_key: str, via: str):
        for url in urls:
            if url in self.scheduled:
                continue
            if self.queued.get(outlet_key, 0) >= self.max_articles:
                self.crawler.stats.inc_value("newsmon/discovery/over_limit")
                continue
            self.scheduled.add(url)
            self.queued[outlet_key] = self.queued.get(outlet_key, 0) + 1
            self.crawler.stats.inc_value(f"newsmon/discovery/new_via_{via}")
            yield scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                 cb_kwargs={"outlet": outlet_key},
                                 # Error statuses reach parse_article, so they are recorded per URL.
                                 meta={"newsmon_outlet": outlet_key, "handle_httpstatus_all": True})

    def parse_article(self, response: Response, outlet: str):
        url = response.request.url if response.request else response.url
        if response.status >= 400 or response.status in (204, 304):
            self.crawler.stats.inc_value("newsmon/article/failed")
            self.logger.warning("newsmon: could not fetch %s: HTTP %s", url, response.status)
            yield FetchedPage(url=url, outlet=outlet, status=response.status, error=f"HTTP {response.status}")
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        charset = None
        if content_type and "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip() or None
        # The requested (canonical) URL is the key; a redirect target is what the page says it is.
        yield FetchedPage(url=url, outlet=outlet, status=response.status, body=response.body,
                          content_type=content_type, charset=charset)

    def article_failed(self, failure):
        request = failure.request
        if failure.check(IgnoreRequest):  # robots.txt said no: not a failure of the site
            self.crawler.stats.inc_value("newsmon/article/ignored")
            return
        status, error = None, failure.getErrorMessage() or failure.type.__name__
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        elif failure.check(TxTimeoutError, TCPTimedOutError):
            error = "timeout"
        self.crawler.stats.inc_value("newsmon/article/failed")
        self.logger.warning("newsmon: could not fetch %s: %s", request.url, error)
        yield FetchedPage(url=request.url, outlet=request.meta.get("newsmon_outlet", ""),
                          status=status, error=error)

    def discovery_failed(self, failure):
        if failure.check(IgnoreRequest):
            return
        self.crawler.stats.inc_value("newsmon/discovery/failed")
        outlet = failure.request.meta.get("newsmon_outlet", "")
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_failed")
        self.logger.warning("newsmon: discovery page %s failed: %s", failure.request.url,
                            failure.getErrorMessage() or failure.type.__name__)
