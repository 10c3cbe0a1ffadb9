"""The check spider: one polite look at each outlet's discovery URLs and a few of its articles.

``newsmon check`` runs it (``crawler/check.py``) before anything is crawled for real: every
feed, sitemap and start URL is fetched once, without conditional requests, through the same
scope, robots.txt and decompression middlewares as a crawl; a few article URLs they list are
fetched and extracted. Nothing is stored: the results stay on the spider for the report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.spidermiddlewares.httperror import HttpError

from ..config import ConfigError, load_config
from ..discovery import (HTML_PAGE, advertised_feeds, advertised_note, own_links, page_data_links, parse_feed,
                         parse_sitemap, sitemap_maxsize)
from ..encoding import charset_of
from ..extract import BODY_METHOD_PREFIX, paragraph_hint
from ..middlewares import Refused, Unusable, Walled
from ..outcome import check_body, extraction_crash, failure_problem, http_status_problem, reading_crash
from ..store import analyse, known_hosts, outlets_of
from ..urls import canonical_url, parsable, query_ampersands
from ..walls import STATED_CODES, SUSPECT_STATUSES, detect_wall, stated_region, wall_headers


class CheckSpider(scrapy.Spider):
    name = "check"

    def __init__(self, outlet: str | None = None, articles: int = 2, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outlet_arg = outlet
        self.sample_size = int(articles)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            config = load_config(crawler.settings.get("NEWSMON_CONFIG"))
        except ConfigError as exc:
            raise scrapy.exceptions.UsageError(str(exc)) from None
        wanted = [k for k in (spider.outlet_arg or "").split(",") if k]
        spider.outlets = {k: config.outlets[k] for k in (wanted or config.outlets)}
        spider.hosts = known_hosts(config.outlets)
        spider.config_path = crawler.settings.get("NEWSMON_CONFIG")
        spider.results = {k: {"discovery": [], "articles": [], "robots_sitemaps": []} for k in spider.outlets}
        spider.sampled = {k: set() for k in spider.outlets}
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for key, outlet in self.outlets.items():
            for kind, urls in (("feed", outlet.feeds), ("sitemap", outlet.sitemaps), ("section", outlet.start_urls)):
                for url in urls:
                    yield scrapy.Request(url, callback=self.parse_discovery, errback=self.discovery_failed,
                                         dont_filter=True, priority=10,
                                         meta={"newsmon_outlet": key, "check_kind": kind, "check_url": url,
                                               **self._maxsize(kind)},
                                         cb_kwargs={"outlet": key, "kind": kind})
            # The sitemaps its hosts' robots.txt names: where a sitemap that no longer answers went.
            for origin in dict.fromkeys(f"{u.scheme}://{u.netloc}" for u in map(urlsplit, outlet.sitemaps)):
                yield scrapy.Request(f"{origin}/robots.txt", callback=self.parse_robots, errback=self.robots_failed,
                                     dont_filter=True, priority=10,
                                     meta={"newsmon_outlet": key, "dont_obey_robotstxt": True},
                                     cb_kwargs={"outlet": key})

    def _maxsize(self, kind: str) -> dict[str, int]:
        """A sitemap's size limit (``sitemap_maxsize``), as the crawl's."""
        if kind != "sitemap":
            return {}
        return {"download_maxsize": sitemap_maxsize(self.settings.getint("DOWNLOAD_MAXSIZE"))}

    def parse_robots(self, response: Response, outlet: str):
        if response.status != 200:
            return
        named = ProtegoRobotParser(response.body, self).rp.sitemaps  # Scrapy's reading, as the crawl's
        found = self.results[outlet]["robots_sitemaps"]
        # A robots.txt written from an HTML template escapes its ampersands ("?type=news&amp;page=1"): read as an
        # index's children are (``query_ampersands``). As written, the sitemap the outlet reads was named as one it
        # does not, and the address to copy into its sitemaps asked for the parameter "amp;page".
        read = (parsable(query_ampersands(s.strip()), response.url) for s in named)
        found += [u for u in read if u and u not in found]

    def robots_failed(self, failure):
        pass  # its own request (the middleware's) says what a robots.txt that fails means

    # -- discovery ------------------------------------------------------------------------

    def _entry(self, request_or_response, kind: str) -> dict[str, Any]:
        meta = request_or_response.meta
        hops = meta.get("redirect_urls") or []
        return {"kind": kind, "url": meta.get("check_url"), "status": None,
                "moved_to": request_or_response.url if hops else None,
                "entries": None, "articles": None, "newest": None, "problem": None, "wall": None}

    def parse_discovery(self, response: Response, outlet: str, kind: str):
        entry = self._entry(response, kind)
        entry["status"] = response.status
        self.results[outlet]["discovery"].append(entry)
        wall = detect_wall(response.status, wall_headers(response), response.body, response.url)
        if wall is not None:
            entry["wall"], entry["problem"] = wall.kind, wall.reason
            return
        try:
            yield from self._read_discovery(response, outlet, kind, entry)
        except Exception as exc:  # noqa: BLE001  (as the crawl's: the document is broken, said, and the check goes on)
            self.logger.error("newsmon: a bug while reading %s %s of %s", kind, response.url, outlet, exc_info=exc)
            entry["problem"] = f"{reading_crash(exc)} (please report it with the document)"

    def _read_discovery(self, response: Response, outlet: str, kind: str, entry: dict):
        if kind == "section":
            if not hasattr(response, "text"):
                entry["problem"] = "not an HTML page"
                return
            # As the crawl reads a section: its links, and those of its data (a page a script builds).
            links = [link.url for link in LinkExtractor().extract_links(response)]
            links += [link.url for link in page_data_links(response, response.url)]
        else:
            charset = charset_of(response.headers.get("Content-Type", b"").decode("latin-1"))
            found = parse_feed(response.body, charset) if kind == "feed" else \
                parse_sitemap(response.body, newest=True, charset=charset)
            if kind == "feed" and found.problem == HTML_PAGE and (advertised := advertised_feeds(response.body,
                                                                                                 response.url)):
                found.problem += f"; {advertised_note(advertised)}: name it among the outlet's feeds?"
            own_links(found, self.outlets[outlet].in_scope, response.url)  # as the crawl takes a syndicated entry's
            entry["problem"], entry["newest"], entry["unlinked"] = found.problem, found.newest, found.unlinked
            entry["interval"] = found.interval
            links = [u for u in (parsable(link, response.url) for link in found.links) if u]
            if kind == "sitemap" and found.kind == "sitemapindex":
                entry["entries"], entry["articles"] = len(links), None
                entry["children"], entry["note"] = len(links), found.note
                # The newest child sitemap (listed first by convention, else last) is read too.
                yield from self._child_sitemap(links, outlet)
                return
            if found.children:
                # A urlset's child sitemaps among its pages, read by the crawl as an index's are: unread here, an
                # outlet whose articles only they list was "broken", its urlset's pages none of them.
                entry["note"] = found.note
                yield from self._child_sitemap([u for u in (parsable(c, response.url) for c in found.children) if u],
                                               outlet)
        listed = list(dict.fromkeys(canonical_url(link, self.hosts) for link in links))
        articles = [u for u in listed if self.outlets[outlet].is_article_url(u)]
        entry["entries"], entry["articles"] = len(links), len(articles)
        if not articles and (wall := stated_region(response.status, response.body,
                                                   response.headers.get("Content-Type", b"").decode("latin-1"))):
            # A region's refusal where it should be: shown as a wall is, not as a document of 0 entries.
            entry["wall"], entry["problem"], entry["entries"], entry["articles"] = wall.kind, wall.reason, None, None
            return
        # A feed lists articles, and so do a Google News sitemap's entries: those on the outlet's
        # domains the pattern does not take, and those on other hosts, are articles lost.
        said = listed if kind == "feed" else []  # a section links anywhere
        if kind == "sitemap":
            declared = {canonical_url(u, self.hosts) for u in (parsable(link, response.url)
                                                                for link in found.declared) if u}
            said = [u for u in listed if u in declared]
        if said:
            entry["unmatched"] = [u for u in said if self.outlets[outlet].in_scope(u)
                                  and not self.outlets[outlet].is_article_url(u)]
            entry["off_domains"] = [u for u in said if not self.outlets[outlet].in_scope(u)]
        for url in articles:
            if len(self.sampled[outlet]) >= self.sample_size:
                break
            if url in self.sampled[outlet]:
                continue
            self.sampled[outlet].add(url)
            yield scrapy.Request(url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
                                 meta={"newsmon_outlet": outlet, "check_url": url}, cb_kwargs={"outlet": outlet})

    def _child_sitemap(self, children: list[str], outlet: str):
        """The request of the first of a sitemap's ``children`` (the newest, listed first by convention)."""
        for child in children[:1]:
            yield scrapy.Request(child, callback=self.parse_discovery, errback=self.discovery_failed, dont_filter=True,
                                 priority=10, cb_kwargs={"outlet": outlet, "kind": "sitemap"},
                                 meta={"newsmon_outlet": outlet, "check_kind": "sitemap", "check_url": child,
                                       **self._maxsize("sitemap")})

    def discovery_failed(self, failure):
        request = failure.request
        kind = request.meta.get("check_kind", "feed")
        entry = self._entry(request, kind)
        entry["problem"], entry["status"], entry["wall"] = self._failure(failure)
        self.results[request.meta["newsmon_outlet"]]["discovery"].append(entry)

    def _failure(self, failure) -> tuple[str, int | None, str | None]:
        """(reason, HTTP status, wall kind) of a failed request."""
        if failure.check(Walled):
            return failure.value.wall.reason, None, failure.value.wall.kind
        if failure.check(Refused, Unusable):
            return failure.value.reason, None, None
        if failure.check(HttpError):
            response = failure.value.response
            wall = detect_wall(response.status, wall_headers(response), response.body, response.url) \
                if response.status in SUSPECT_STATUSES else None
            if wall is not None:
                return wall.reason, response.status, wall.kind
            return http_status_problem(response.status).reason, response.status, None
        if failure.check(IgnoreRequest):
            return str(failure.value), None, None
        problem = failure_problem([c.__name__ for c in type(failure.value).__mro__], failure.getErrorMessage())
        return problem.reason, None, None

    # -- sample articles ------------------------------------------------------------------

    def parse_article(self, response: Response, outlet: str):
        entry: dict[str, Any] = {"url": response.meta.get("check_url"), "status": response.status,
                                 "moved_to": response.url if response.meta.get("redirect_urls") else None,
                                 "wall": None, "problem": None, "method": None, "title": None, "published_at": None,
                                 "text_chars": None, "paywalled": None}
        self.results[outlet]["articles"].append(entry)
        wall = detect_wall(response.status, wall_headers(response), response.body, response.url)
        if wall is not None:
            entry["wall"], entry["problem"] = wall.kind, wall.reason
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        problem = check_body(response.body, content_type)
        if problem is not None:
            entry["problem"] = problem.reason
            return
        try:
            record = analyse(response.body, response.url, charset_of(content_type), self.config_path)
        except Exception as exc:  # noqa: BLE001  (one page's crash is that sample's problem, not the check's)
            entry["problem"] = extraction_crash(exc).reason
            return
        if record is None:
            from ..outcome import no_article_problem

            problem = no_article_problem(response.body, charset_of(content_type))
            entry["problem"] = problem.reason
            if problem.code == "empty_document":
                entry["wall"] = "empty"
            elif problem.code in STATED_CODES:
                entry["wall"] = problem.code.removeprefix("wall_")
            return
        entry.update(method=record.get("method"), title=record.get("title"), published_at=record.get("published_at"),
                     text_chars=len("".join((record.get("text") or "").split())),
                     paywalled=bool(record.get("paywalled")), next_page=record.get("_next_page"))
        if str(record.get("method")).startswith(BODY_METHOD_PREFIX):
            # Read from the rules' body: where its text is now is what mending the rules needs.
            entry["hint"] = paragraph_hint(response.body, response.url, http_charset=charset_of(content_type),
                                           outlets=outlets_of(self.config_path))

    def article_failed(self, failure):
        request = failure.request
        reason, status, wall = self._failure(failure)
        self.results[request.meta["newsmon_outlet"]]["articles"].append(
            {"url": request.meta.get("check_url"), "status": status, "moved_to": None, "wall": wall,
             "problem": reason, "method": None, "title": None, "published_at": None, "text_chars": None,
             "paywalled": None})
