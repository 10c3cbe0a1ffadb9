"""The one news spider: discovers article URLs of the configured outlets and fetches the new ones.

Discovery: RSS/Atom feeds, (news) sitemaps and section pages, each read once per run; only URLs
on the outlet's domains that match its article URL pattern are followed, and nothing is
followed from an article. A URL's state (``storage.frontier``) is in the database, not in the
spider, so it holds across runs and processes: a URL already stored, gone or given up on is
never requested again, and every request ends in a state with a reason, whichever way it fails.

Revisits: once the spider is idle (discovery done, new articles fetched), the stored articles
whose revisit is due (``storage.versions``) are requested again, conditionally (If-None-Match /
If-Modified-Since), with what is left of each outlet's ``NEWSMON_MAX_ARTICLES``; they pass the
same politeness (robots.txt, delays, concurrency) as any request.

The spider stays thin: pages (and failures) go to ``crawler.pipelines.StorePipeline`` as
``FetchedPage`` items; what a failure means is decided in ``crawler.outcome``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url

from storage import frontier, queries, versions
from storage.exceptions import DatabaseUnwritable
from storage.health import crawled_outlets, duration_text

from ..config import ConfigError, load_config, parse_duration
from ..discovery import (FUTURE_SLACK, HTML_PAGE, MAX_ADVERTISED, NO_URL, DataLink, Discovered, advertised_feeds,
                         advertised_note, link_words, own_links, page_data_links, page_listing, parse_feed,
                         parse_sitemap, sitemap_maxsize)
from ..encoding import charset_of
from ..middlewares import (QUIET_FOR, STOPPED, UNRETRIED, AlreadyStored, Postponed, Refused, Unusable, Walled,
                           keep_validators, retry_after_seconds)
from ..outcome import Problem, failure_problem, http_status_problem, reading_crash, redirect_chain
from ..outlets import Outlet
from ..store import crawler_db, database_unwritable, known_hosts, now_iso, settings_options
from ..urls import amp_copy, canonical_url, parsable, query_ampersands
from ..walls import SUSPECT_STATUSES, Wall, detect_wall, stated_region, wall_headers

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Walls in a row from one outlet after which its other article requests wait for the next run:
#: a site that blocks us is not asked for every article again in the same minute.
WALLS_BEFORE_STOP = 3
#: Stored articles a feed or news sitemap may have read again for an update in one run (their
#: entries dated after newsmon last read them); the others wait for the next run.
PROMPTS_PER_DOCUMENT = 20
#: On an outlet's first run, an archive sitemap's entry dated this long ago or more is asked for
#: once the run has asked for what its feeds, news sitemaps, sections and the sitemaps' fresh
#: entries listed: the day's news first, what room NEWSMON_MAX_ARTICLES leaves to the archive.
#: Later runs find the archive known, and ask for any URL no run has seen at once.
ARCHIVE_AFTER = timedelta(days=2)


@dataclass
class FetchedPage:
    """A fetched article page, or the failure to fetch one, on its way to storage.

    ``url`` is the URL as discovered (canonical); ``final_url`` the canonical URL the page was
    finally served from, when redirects led elsewhere. A failure has ``problem`` and no body;
    a refusal (scope, robots.txt) has ``refused`` set too. ``page_id`` is set for a page
    already stored by an earlier, killed run (extracted again, not fetched).
    """

    url: str
    outlet: str
    status: int | None
    body: bytes | None = None
    content_type: str | None = None
    charset: str | None = None
    problem: Problem | None = None
    refused: bool = False
    blocked: bool = False
    postponed: bool = False
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    #: Scrapy's ``redirect_reasons``, one a hop of ``redirects``: a status, or how a page sent on.
    redirect_reasons: list[int | str] = field(default_factory=list)
    page_id: int | None = None
    #: A revisit of this stored article (its id), not a first fetch.
    revisit: int | None = None
    #: The revisit's conditional request was answered 304 Not Modified.
    not_modified: bool = False
    #: The site asked not to be asked again before then (a 429 or 503's Retry-After), ISO 8601 UTC.
    not_before: str | None = None
    #: The server failed it in the crawl's stop before the retries a run gives it (``middlewares.UNRETRIED``): its
    #: failure is recorded, and counts no attempt.
    unretried: bool = False
    #: Where a redirect off the outlet's domains led (``redirect_off_scope``), never requested.
    sent_off: str | None = None
    #: The response's validators, kept for conditional revisits.
    etag: str | None = None
    last_modified: str | None = None
    #: A redirect to the URL of an article stored before (``AlreadyStored``): (its id, that URL).
    stored_as: tuple[int, str] | None = None
    #: Said after the URL's reason: where the page was read from, when not from ``url`` (an AMP
    #: copy a feed listed, where ``url`` answered 404: ``NewsSpider._amp_fallback``).
    note: str | None = None


#: What a section page's link to its next page says (``NewsSpider._next_section_page``), arrows aside.
_NEXT_WORDS = re.compile(r"(?:次へ|次のページ|次ページ|next|next page|older)\s*[>›»→]*", re.I)
#: A feed, sitemap or section whose last listing held fewer article URLs than this says nothing
#: by listing none (a breaking-news feed between two alerts); one that held more is broken when
#: it lists none.
EMPTIED_MIN = 5
#: How the row of a section page begins whose own listing is its box named as picks (``page_listing``): its
#: later reads know by it that the list they see there is the one it had, not picks left where a list went.
PICKS_LISTED = "its own list is its box named as picks"
#: A section page's box named as picks holding this share of what its last list of its own held, or more, where no
#: list of its own is left, is that list renamed (``NewsSpider._renamed_as_picks``): not all of it, as a list's
#: length may vary a little from read to read.
RENAMED_SHARE = 0.8


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
        spider.hosts = known_hosts(config.outlets)
        spider.max_retry_after = settings.getfloat("NEWSMON_MAX_RETRY_AFTER", 120.0)
        live = [h for o in spider.outlets.values() for h in o.domains if h not in _LOOPBACK]
        if live and not settings.get("NEWSMON_CONTACT"):
            spider.logger.warning("newsmon: NEWSMON_CONTACT is not set: site operators cannot reach you "
                                  "through the User-Agent. Set it to your URL or mailto: address.")
        spider.db = crawler_db(crawler)
        try:
            spider.store_options = settings_options(settings)
        except ConfigError as exc:
            raise scrapy.exceptions.UsageError(str(exc)) from None
        # What this run stores is not revisited in this run (its revisits count from now): the
        # articles stored before it are those with an id up to the newest now.
        spider.stored_before = spider.db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        spider.backlog_queued = spider.revisits_queued = False
        # New URLs of archive sitemaps, left for when_idle (by URL, its outlet): one the day's news lists after is
        # asked for at once.
        spider.deferred = {}
        # Of each outlet, the blocks of archive places (``frontier.ARCHIVE_BLOCK``) this run gave out, and the first
        # no earlier run gave (``frontier.archive_block``, read when an archive is first placed).
        spider.archive_blocks: dict[str, int] = {}
        spider.archive_first_block: dict[str, int] = {}
        crawled = set(crawled_outlets(spider.db))
        spider.first_runs = set(spider.outlets) - crawled
        crawler.signals.connect(spider.when_idle, signal=signals.spider_idle)
        spider.max_articles = settings.getint("NEWSMON_MAX_ARTICLES")
        spider.max_attempts = settings.getint("NEWSMON_MAX_ATTEMPTS")
        spider.section_pages = settings.getint("NEWSMON_SECTION_PAGES", 5)
        spider.sitemap_maxsize = sitemap_maxsize(settings.getint("DOWNLOAD_MAXSIZE"))
        spider.depth_limit = settings.getint("DEPTH_LIMIT")
        spider.queued: dict[str, int] = {}
        spider.scheduled: set[str] = set()
        # Canonical URL → the AMP copy's address a feed, sitemap or section listed for it (``urls.amp_copy``),
        # asked for where the canonical one answers 404 or 410 (``_amp_fallback``).
        spider.listed_as: dict[str, str] = {}
        spider.walls_in_a_row: dict[str, int] = {}
        # outlet → why its remaining article requests wait for the next run (ScopeMiddleware).
        spider.walled: dict[str, str] = {}
        # (outlet, URL) of every sitemap asked for this run: an index that lists itself, or two
        # that list each other, were read again, their children with them, to DEPTH_LIMIT.
        spider.sitemaps_asked: set[tuple[str, str]] = set()
        spider.advertised_asked: set[tuple[str, str]] = set()
        try:
            spider.sitemap_recheck = timedelta(seconds=parse_duration(
                settings.get("NEWSMON_SITEMAP_RECHECK") or "1d", "NEWSMON_SITEMAP_RECHECK"))
        except ConfigError as exc:
            raise scrapy.exceptions.UsageError(str(exc)) from None
        return spider

    def note_wall(self, outlet: str, wall: Wall) -> None:
        """One more wall from ``outlet``; after WALLS_BEFORE_STOP in a row, stop asking it."""
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/walls")
        self.walls_in_a_row[outlet] = self.walls_in_a_row.get(outlet, 0) + 1
        if self.walls_in_a_row[outlet] >= WALLS_BEFORE_STOP and outlet not in self.walled:
            self.walled[outlet] = (f"not fetched this run: {self.walls_in_a_row[outlet]} walls in a row from "
                                   f"{outlet} (last: {wall.reason}); tried next run")
            self.logger.warning("newsmon: %s: %s", outlet, self.walled[outlet])

    def note_gate(self, outlet: str, wall: Wall) -> None:
        """One more page of ``outlet`` that asks for a login or the reader's age: a wall for its
        health, no sign that the outlet walls newsmon off (``note_wall``)."""
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/walls")

    def note_page(self, outlet: str) -> None:
        self.walls_in_a_row[outlet] = 0

    @property
    def run_started(self) -> str:
        """When this run started (its ``crawl_runs`` row; now, before the ledger opened one)."""
        if getattr(self, "_run_started", None) is None:
            row = self.db.execute("SELECT started_at FROM crawl_runs WHERE id = ?", [self.run_id]).fetchone() \
                if self.run_id is not None else None
            if row is None:
                return now_iso()
            self._run_started = row[0]
        return self._run_started

    @property
    def run_id(self) -> int | None:
        return self.crawler.stats.get_value("newsmon/run_id")

    async def start(self) -> AsyncIterator[scrapy.Request | FetchedPage]:
        try:
            self._readmit()
        except DatabaseUnwritable as exc:
            database_unwritable(self.crawler, exc)
            return
        # Pages a killed run downloaded but did not extract: extracted now, never fetched again.
        for key in self.outlets:
            for url, page_id in frontier.fetched_urls(self.db, key):
                self.scheduled.add(url)
                self.crawler.stats.inc_value("newsmon/resumed")
                yield FetchedPage(url=url, outlet=key, status=200, page_id=page_id)
        try:
            for key, outlet in self.outlets.items():
                for url in outlet.feeds:
                    for request in self._ask(url, key, "feed", self.parse_feed):
                        yield request
                for url in self._unasked(outlet.sitemaps, key, None):
                    for request in self._ask(url, key, "sitemap", self.parse_sitemap):
                        yield request
                for url in outlet.start_urls:
                    for request in self._ask(url, key, "section", self.parse_section, conditional=False):
                        yield request
        except DatabaseUnwritable as exc:  # recording a document its site asked not to be asked for yet
            database_unwritable(self.crawler, exc)
            return
        # What earlier runs discovered but did not get (their feeds may never list it again) is
        # asked for once the run has fetched what it found new: ``when_idle``.

    def _readmit(self) -> None:
        """Each outlet's URLs its article URL pattern refused, or that were on a host not among its
        domains or redirected off them, that it takes now (widened since): pending again, fetched
        this run (``frontier.readmit``, ``readmit_in_scope``, ``readmit_redirected_off``)."""
        for key, outlet in self.outlets.items():
            if outlet.article_url_pattern and (back := frontier.readmit(self.db, key, outlet.matches_pattern,
                                                                        run_id=self.run_id)):
                self.logger.info("newsmon: %s: %d URL(s) its article URL pattern did not take, it takes now: "
                                 "fetched this run", key, back)
                self.crawler.stats.inc_value("newsmon/readmitted", back)
            if back := frontier.readmit_in_scope(self.db, key, lambda url, o=outlet: o.in_scope(url)
                                                 and o.is_article_url(url), run_id=self.run_id):
                self.logger.info("newsmon: %s: %d URL(s) refused as on a host not among its domains are on them "
                                 "now: fetched this run", key, back)
                self.crawler.stats.inc_value("newsmon/readmitted", back)
            if back := frontier.readmit_refused_by(self.db, key, _sharing_a_host(outlet, self.all_outlets),
                                                   outlet.is_article_url, run_id=self.run_id):
                self.logger.info("newsmon: %s: %d URL(s) an outlet on the same domains refused as no article of its "
                                 "own are %s's articles: fetched this run", key, back, key)
                self.crawler.stats.inc_value("newsmon/readmitted", back)
            if back := frontier.readmit_redirected_off(self.db, key, outlet.in_scope, run_id=self.run_id):
                self.logger.info("newsmon: %s: %d URL(s) refused as redirected off its domains lead to them now: "
                                 "fetched this run", key, back)
                self.crawler.stats.inc_value("newsmon/readmitted", back)

    # -- discovery ------------------------------------------------------------------------

    def _discovery(self, url: str, outlet: str, kind: str, callback, conditional: bool = True,
                   index: _Index | None = None, child: _Child | None = None) -> scrapy.Request:
        # Discovery pages are fetched every run (dont_filter) but conditionally, so an unchanged
        # feed costs a 304 and nothing more.
        meta = {"newsmon_conditional": conditional, "newsmon_outlet": outlet, "newsmon_discovery": kind,
                "handle_httpstatus_list": [304], "newsmon_index": index, "newsmon_child": child,
                "newsmon_index_lastmod": child.lastmod if child else None}
        if kind == "sitemap":
            meta["download_maxsize"] = self.sitemap_maxsize
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                              priority=10, cb_kwargs={"outlet": outlet}, meta=meta)

    def _ask(self, url: str, outlet: str, kind: str, callback, **kwargs) -> Iterable[scrapy.Request]:
        """The request for a feed, sitemap or section (``_discovery``), unless its site asked not to
        be asked for it before a time still to come (a 429 or 503 whose Retry-After was longer than
        a crawl waits): then nothing, and the document is recorded as not read, with that time."""
        waiting = frontier.asked_wait(self.db, url)
        if waiting is None:
            yield self._discovery(url, outlet, kind, callback, **kwargs)
            return
        until, status = waiting
        said = f"HTTP {status}" if status else "its site"
        reason = (f"not asked this run: {said} asked not to be asked again before {until[:16].replace('T', ' ')} "
                  "UTC (Retry-After)")
        self.crawler.stats.inc_value("newsmon/discovery/failed")
        self.crawler.stats.inc_value("newsmon/discovery/waiting")
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_failed")
        self.logger.info("newsmon: %s %s of %s %s", kind, url, outlet, reason)
        frontier.record_discovery(self.db, run_id=self.run_id, outlet=outlet, url=url, kind=kind, ok=False,
                                  http_status=status, reason=reason, retry_at=until)
        self._document_done({"newsmon_index": kwargs.get("index")}, False)

    def _children(self, index: str, children: dict[str, str | None], outlet: str,
                  parent: _Child | None = None) -> tuple[list[_Child], str | None]:
        """The child sitemaps of sitemap ``index`` to ask for this run (those not asked yet), and
        a note of those that are not: archives (``queries.settled_sitemaps``: nothing new for
        ``QUIET_FOR``, their lastmod in the index unchanged since they were fetched, less than
        ``NEWSMON_SITEMAP_RECHECK`` ago). An index whose lastmods stood still while a child
        changed is not believed again (``_lastmod_stood``). ``parent``: ``index`` as a child of
        another index, whose archive places its children share (``_child_places``)."""
        asked = self._unasked(children, outlet, index)
        now = datetime.now(timezone.utc)
        dated = {} if queries.lastmods_lie(self.db, index) else {url: children[url] for url in asked if children[url]}
        stood = queries.settled_sitemaps(self.db, dated, quiet_since=(now - QUIET_FOR).isoformat(timespec="seconds"))
        since = (now - self.sitemap_recheck).isoformat(timespec="seconds")
        resting = {url: at for url, at in stood.items() if at >= since}
        out = [url for url in asked if url not in resting]
        # A block of archive places each, in the index's order: read in the order their answers come, one child's
        # archive came before another's as it happened, and two read in one second interleaved.
        places = self._child_places(outlet, len(out), parent)
        out = [_Child(url, children[url], index if url in stood else None, places[n]) for n, url in enumerate(out)]
        if not resting:
            return out, None
        self.crawler.stats.inc_value("newsmon/discovery/sitemaps_resting", len(resting))
        oldest = min(resting.values())[:16].replace("T", " ")
        return out, (f"{len(resting)} of its {len(children)} child sitemaps not asked for: archives that have listed "
                     f"nothing new for {duration_text(QUIET_FOR.total_seconds())}, their lastmods here unchanged "
                     f"since they were fetched (the oldest {oldest} UTC); each is asked again "
                     f"{duration_text(self.sitemap_recheck.total_seconds())} after it was, or when its lastmod moves")

    def _archive_blocks(self, outlet: str, n: int) -> int:
        """The first of ``n`` blocks of archive places of ``outlet`` (``frontier.ARCHIVE_BLOCK``), after the run's
        others, numbered from this run's first (``_archive_place``)."""
        first = self.archive_blocks.get(outlet, 0)
        self.archive_blocks[outlet] = first + n
        return first

    def _child_places(self, outlet: str, n: int, parent: _Child | None) -> list[tuple[int, int]]:
        """The archive places of an index's ``n`` children (``_Child.places``), in the index's order: a block
        each; an index that is itself a child (``parent``) shares out its own places among its children. Given
        blocks of the run's when its answer came, a nested index's children came after its later siblings', and
        children of two nested indexes in the order the indexes answered (2025's archive before 2026's)."""
        if parent is None or parent.places is None:
            first = self._archive_blocks(outlet, n)
            return [((first + k) * frontier.ARCHIVE_BLOCK, frontier.ARCHIVE_BLOCK) for k in range(n)]
        start, room = parent.places
        each = max(1, room // max(1, n))
        return [(start + k * each, each) for k in range(n)]

    def _archive_place(self, outlet: str, places: tuple[int, int] | None) -> int:
        """The place before the first of a sitemap's archive places ``places`` (an index's child's; ``None``: a
        block of its own, a sitemap the outlet names), after every place earlier runs gave
        (``frontier.archive_block``)."""
        start = self._archive_blocks(outlet, 1) * frontier.ARCHIVE_BLOCK if places is None else places[0]
        if outlet not in self.archive_first_block:
            self.archive_first_block[outlet] = frontier.archive_block(self.db, outlet)
        return self.archive_first_block[outlet] * frontier.ARCHIVE_BLOCK + start

    def _lastmod_stood(self, response: Response, new: int) -> None:
        """A child sitemap asked for although its lastmod had not moved (a recheck) listed
        ``new`` article URLs not seen before: its index's lastmods do not say when its children
        change, and are not believed again."""
        child = response.meta.get("newsmon_child")
        if child is None or child.stood is None or response.status != 200 or not new:
            return
        when = now_iso()[:16].replace("T", " ")
        why = (f"{response.url} listed {new} new article URL{'s' if new > 1 else ''} on {when} UTC while its "
               f"lastmod here stood at {child.lastmod}: every child is asked for every run")
        queries.distrust_lastmods(self.db, child.stood, why)
        self.crawler.stats.inc_value("newsmon/discovery/lastmods_lie")
        self.logger.warning("newsmon: sitemap index %s: %s", child.stood, why)

    def _unasked(self, sitemaps: Iterable[str], outlet: str, index: str | None) -> list[str]:
        """Those of ``sitemaps`` not asked for yet this run for ``outlet`` (listed by sitemap
        ``index``, or by the outlet's definition), now asked for."""
        out = []
        for url in sitemaps:
            if (outlet, url) in self.sitemaps_asked:
                if index is not None:
                    self.logger.warning("newsmon: sitemap index %s lists %s, already read this run: not read again",
                                        index, url)
                continue
            self.sitemaps_asked.add((outlet, url))
            out.append(url)
        return out

    def _document_done(self, meta: dict, ok: bool) -> None:
        """A feed, sitemap or section has been read (``ok``: every URL it lists is recorded) or
        could not be. Only then are its validators written (``ConditionalGetMiddleware``): a run
        killed before has the next one read the document again instead of getting a 304. A
        sitemap index is done when its children are, and read only if they all were."""
        if ok:
            keep_validators(self.db, meta)
        # The index itself, not its URL: one index read twice in a run (by two outlets) is two
        # readings, each done when its own children are.
        index = meta.get("newsmon_index")
        if index is None:
            return
        index.left -= 1
        index.ok = index.ok and ok
        if index.left == 0:
            self._document_done(index.meta, index.ok)

    def _record_discovery(self, response_or_url, outlet: str, kind: str, *, ok: bool, status: int | None = None,
                          found: tuple[int, int, int, int] | None = None, reason: str | None = None,
                          known: int | None = None, pace: tuple[str | None, int | None] = (None, None),
                          unlinked: int | None = None, retry_at: str | None = None,
                          listing: tuple[int, int] | None = None) -> None:
        # Recorded under the URL the outlet names; a redirect is said in the reason, so that a
        # moved feed shows up (and its new address can go into the outlet definition).
        if isinstance(response_or_url, str):
            url = response_or_url
        else:
            hops = response_or_url.meta.get("redirect_urls") or []
            url = hops[0] if hops else response_or_url.url
            if hops:
                moved = f"redirected to {response_or_url.url}"
                reason = f"{reason}; {moved}" if reason else moved
        entries, articles, new, refused = found or (None, None, None, None)
        frontier.record_discovery(self.db, run_id=self.run_id, outlet=outlet, url=url, kind=kind, ok=ok,
                                  http_status=status, entries=entries, article_urls=articles, new_urls=new,
                                  refused=refused, reason=reason, known=known, newest_entry=pace[0],
                                  entry_interval=pace[1], unlinked=unlinked, retry_at=retry_at, listing=listing)

    def _unasked_304(self, response: Response, outlet: str, kind: str) -> bool:
        """Whether ``response`` is a 304 to a request that named no copy (no If-None-Match, no
        If-Modified-Since: the feed never came whole). Recorded as the document's failure: taken
        for "not modified", a feed answered so every run read "ok" and was never read once."""
        headers = response.request.headers if response.request is not None else {}
        if response.status != 304 or headers.get("If-None-Match") or headers.get("If-Modified-Since"):
            return False
        self.crawler.stats.inc_value("newsmon/discovery/failed")
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_failed")
        reason = (f"{http_status_problem(304).reason}: the {kind} named no copy newsmon has (it never read the {kind} "
                  "whole), so nothing was read; asked again next run")
        self.logger.warning("newsmon: %s %s of %s failed: %s", kind, response.url, outlet, reason)
        self._record_discovery(response, outlet, kind, ok=False, status=304, reason=reason)
        self._document_done(response.meta, False)
        return True

    def _not_modified(self, response: Response, outlet: str, kind: str, note: str | None = None) -> bool:
        # Every discovery response passes here: per-outlet counts for outlet health.
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_ok")
        if response.status == 304:
            self.crawler.stats.inc_value("newsmon/discovery/not_modified")
            self._record_discovery(response, outlet, kind, ok=True, status=304,
                                   reason="not modified" + (f"; {note}" if note else ""))
            return True
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_changed")
        return False

    def _read(self, response: Response, outlet: str, kind: str, found: Discovered, first: bool = False):
        """Follow what a feed or sitemap listed, and record what it gave (or why nothing); ``first``: a
        sitemap's first read (``_first_read``), whose archive waits for the day's news."""
        if found.problem:
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
            self.logger.warning("newsmon: %s %s of %s is broken: %s", kind, response.url, outlet, found.problem)
        self.crawler.stats.inc_value(f"newsmon/discovery/{kind}")
        if kind == "sitemap" and found.kind == "sitemapindex":
            asked, problem, resting = self._child_sitemaps(response, outlet, found.links, found.lastmods)
            problem = found.problem or problem
            if problem and not found.problem:
                self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
            # An index lists sitemaps, not articles: read anew while its children rest, it is no
            # document that listed no article URL (outlet health's ``no_links``).
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_changed", -1)
            if found.note:
                self.logger.info("newsmon: sitemap %s of %s %s", response.url, outlet, found.note)
            self._record_discovery(response, outlet, kind, ok=not problem, status=response.status,
                                   found=(len(found.links), 0, 0, 0),
                                   reason=problem or "; ".join(filter(None, [found.note, resting])) or None)
            if not asked:
                self._document_done(response.meta, not found.problem)
                return
            index = _Index(left=len(asked), ok=not found.problem, meta=response.meta)
            for child in asked:
                yield from self._ask(child.url, outlet, "sitemap", self.parse_sitemap, index=index, child=child)
            return
        own = unread = resting = None
        child = response.meta.get("newsmon_child")
        places = child.places if child else None
        if found.children:
            # Child sitemaps a urlset lists among its pages: asked for as an index's children are. The urlset is
            # done when they are and its pages are recorded (``_parse_document``), its own read one more of them.
            # Its pages' archive places are taken first: given after its children's, the pages it lists first
            # waited behind its children's archives (a nested one's shared their places, interleaved).
            places, parent = self._own_places(outlet, child)
            asked, unread, resting = self._child_sitemaps(response, outlet, found.children, found.lastmods, "sitemap",
                                                          parent)
            if unread and not found.problem:
                self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
            own = _Index(left=len(asked) + 1, ok=True, meta=response.meta)
            for child in asked:
                yield from self._ask(child.url, outlet, "sitemap", self.parse_sitemap, index=own, child=child)
        # A syndicated entry: the outlet's own page where its origLink names the partner's (off its domains).
        own_links(found, self.outlets[outlet].in_scope, response.url)
        # Feeds should give absolute URLs; some give paths, which mean the feed's own host. An
        # entry no URL parser takes stays as it is, to be refused with its reason (_articles).
        links = [parsable(link, response.url) or link for link in found.links]
        # Entry dates say when an entry changed only where they differ (a CMS may stamp every
        # entry with its build time).
        dated = {parsable(link, response.url) or link: date for link, date in found.dated.items()} \
            if found.interval else None
        # A Google News sitemap's entries say they are articles, as a feed's do (an archive
        # sitemap lists tag and section pages beside them).
        declared = {link for written, link in zip(found.links, links) if written in found.declared}
        # A feed lists the day's news; a sitemap read again, its dates unread, does not say which (None).
        archived = _archived(found, links, self.max_articles) if first else frozenset() if kind == "feed" else None
        words = {parsable(link, response.url) or link: text for link, text in found.listed.items()}
        requests, counts = self._articles(links, outlet, via=kind, strict=True, dated=dated, declared=declared,
                                          archived=archived, words=words, places=places)
        if not found.problem:
            # A feed, or a sitemap (an index returned above): a Google News sitemap emptied by a
            # CMS change, a child whose entries moved elsewhere. Broken, as an unreadable one:
            # _parse_document keeps no validators, and the next run reads it again.
            found.problem = self._emptied(response, outlet, f"{len(links)} entries", counts[0])
        # Not broken (an announcement may have no page), but said: an item whose link a template
        # moved where no reader looks is an article lost.
        unlinked = (f"{found.unlinked} of its {len(links) + found.unlinked} entries "
                    f"{'gives' if found.unlinked == 1 else 'give'} no URL ({NO_URL[kind]})") if found.unlinked else None
        for said in filter(None, [found.note, unlinked]):
            self.logger.info("newsmon: %s %s of %s: %s", kind, response.url, outlet, said)
        # A document read past what its server printed before it (found.note) is not broken, but said. Child
        # sitemaps it cannot read make it broken, as they make an index (its validators kept all the same).
        problem = found.problem or unread
        self._record_discovery(response, outlet, kind, ok=not problem, status=response.status,
                               found=(len(links), *counts[:3]),
                               reason=problem or "; ".join(filter(None, [found.note, unlinked, resting])) or None,
                               known=counts[3], pace=(found.newest, found.interval), unlinked=found.unlinked)
        if "newsmon_validators" in response.meta:  # what the next runs go by (ConditionalGetMiddleware)
            response.meta["newsmon_validators"].update(news=found.news, listed_new=counts[1] > 0)
        self._lastmod_stood(response, counts[1])
        yield from requests
        return own

    def _own_places(self, outlet: str, child: _Child | None) -> tuple[tuple[int, int], _Child | None]:
        """The archive places of the pages of a urlset that lists child sitemaps among them, and the urlset as the
        parent its children's places come from (``_child_places``): a block of its own before theirs; as an index's
        child (``child``), the first half of its places, its children sharing the rest."""
        if child is None or child.places is None:
            return (self._archive_blocks(outlet, 1) * frontier.ARCHIVE_BLOCK, frontier.ARCHIVE_BLOCK), child
        start, room = child.places
        half = max(1, room // 2)
        return (start, half), replace(child, places=(start + half, max(1, room - half)))

    def _child_sitemaps(self, response: Response, outlet: str, locs: list[str], lastmods: dict[str, str],
                        what: str = "sitemap index", parent: _Child | None = None
                        ) -> tuple[list[_Child], str | None, str | None]:
        """Of the child sitemaps ``locs`` that sitemap ``response`` lists (an index's; a urlset's among its pages),
        with their lastmods there (``lastmods``, by loc): those to ask for this run (``_children``), why some are
        not read (off the outlet's domains, or nested deeper than the crawl follows), and a note of those resting.
        Noted as its children at once (``queries.note_children``), and as what its 304s stand for. ``what``: the
        document, as logs name it; ``parent``: the document as a child, if not its request's (``_own_places``)."""
        wanted, unread = [], []
        for loc in locs:
            # Its query's ampersands written escaped, as an article's are read (``canonical_url``): "&#38;"
            # asked for the index's "?y=2025&" (the '#' a fragment's), "&amp;" for the parameter "amp;m".
            child = parsable(query_ampersands(loc), response.url)
            if child is None:
                # One junk entry costs only itself (the index counts as read): logged.
                self.logger.warning("newsmon: %s %s lists %r, which is no URL: not read", what, response.url,
                                    loc[:200])
            elif self.outlets[outlet].in_scope(child):
                wanted.append((child, lastmods.get(loc)))
            else:
                self.logger.warning("newsmon: %s %s lists %s, off the outlet's domains: not read", what,
                                    response.url, child[:200])
                unread.append(child[:200])
        # A child sitemap on another host (a CDN's) holds articles the crawl would never see:
        # the index is broken until the outlet's domains name that host.
        named = ", ".join(unread[:2]) + (" …" if len(unread) > 2 else "")
        problem = (f"{len(unread)} of its {len(locs)} child sitemaps are off the outlet's domains and not read "
                   f"({named}): add their host to the outlet's domains") if unread else None
        depth = response.meta.get("depth", 0)
        if self.depth_limit and depth + 2 > self.depth_limit and wanted:
            # Scrapy would drop its children's articles (DepthMiddleware), logging at DEBUG.
            problem = problem or (f"nested {depth + 1} sitemap indexes deep, deeper than the crawl follows "
                                  f"(DEPTH_LIMIT {self.depth_limit}): the articles of its child sitemaps are "
                                  "not fetched; list a deeper sitemap among the outlet's sitemaps")
        children = {url: lastmod for url, lastmod in wanted}
        queries.note_children(self.db, response.url, children)
        if "newsmon_validators" in response.meta:  # what its 304s will stand for
            response.meta["newsmon_validators"]["children"] = children
        asked, resting = self._children(response.url, children, outlet, parent or response.meta.get("newsmon_child"))
        return asked, problem, resting

    def _walled(self, response: Response, outlet: str, kind: str) -> bool:
        """A discovery page that is a wall: recorded as broken, and counted as a wall."""
        return self._record_wall(response, outlet, kind, detect_wall(response.status, wall_headers(response),
                                                                     response.body, response.url))

    def _refused_region(self, response: Response, outlet: str, kind: str) -> bool:
        """A discovery page that gave nothing and states a region's refusal (``walls.stated_region``):
        recorded and counted as ``_walled`` records a wall (that check was made as it came)."""
        return self._record_wall(response, outlet, kind, stated_region(
            response.status, response.body, response.headers.get("Content-Type", b"").decode("latin-1")))

    def _record_wall(self, response: Response, outlet: str, kind: str, wall: Wall | None) -> bool:
        if wall is None:
            return False
        self.note_wall(outlet, wall)
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
        self.logger.warning("newsmon: %s %s of %s is walled off: %s", kind, response.url, outlet, wall.reason)
        self._record_discovery(response, outlet, kind, ok=False, status=response.status,
                               reason=f"{wall.reason} where the {kind} should be")
        return True

    def parse_feed(self, response: Response, outlet: str):
        yield from self._parse_document(response, outlet, "feed", parse_feed)

    def parse_sitemap(self, response: Response, outlet: str):
        yield from self._parse_document(response, outlet, "sitemap", parse_sitemap)

    def _first_read(self, response: Response, outlet: str) -> bool:
        """Whether the sitemap ``response`` answers for was never read whole for ``outlet`` before:
        in its first run, or since (an archive sitemap a newer outlet definition or the user's config
        added, an index's new child). Read as the day's news, a sitemap added after the first run
        took the quota ahead of the feed, its 50,000 old articles for 100 runs."""
        url = (response.meta.get("redirect_urls") or [response.url])[0]  # as _record_discovery keys it
        return outlet in self.first_runs or self.db.execute(
            "SELECT 1 FROM discovery WHERE url = ? AND outlet = ? AND ok = 1 LIMIT 1", [url, outlet]).fetchone() is None

    def _parse_document(self, response: Response, outlet: str, kind: str, parse):
        if self._unasked_304(response, outlet, kind):
            return
        if kind == "sitemap" and response.status == 304:
            # An index unchanged says its list of children is, not that they are: a static
            # index's news sitemap changes by the minute. Each is asked for with its own
            # validators, but for archives whose lastmods here have not moved (``_children``).
            children = queries.feed_children(self.db, response.url)
            asked, resting = self._children(response.url, children, outlet) if children else ([], None)
            self._not_modified(response, outlet, kind, note=resting)
            self._document_done(response.meta, True)
            for child in asked:
                yield from self._ask(child.url, outlet, "sitemap", self.parse_sitemap, child=child)
            return
        if self._not_modified(response, outlet, kind):
            self._document_done(response.meta, True)
            return
        if self._walled(response, outlet, kind):
            self._document_done(response.meta, False)
            return
        # A sitemap's first read (an outlet's first run; one added to an outlet, or a new child of
        # its index, since) reads its dates (most of a big sitemap's parse, once): the archive it
        # lists waits for the day's news (``_archived``). Asked once, of a sitemap read anew: not of a 304.
        first = kind == "sitemap" and self._first_read(response, outlet)
        try:
            charset = charset_of(response.headers.get("Content-Type", b"").decode("latin-1"))
            found = (partial(parse, newest=True) if first else parse)(response.body, charset=charset)
        except Exception as exc:  # noqa: BLE001  (a parser's bug costs this document, said, not the run's others)
            self._parser_bug(response, outlet, kind, exc)
            return
        if found.problem and self._refused_region(response, outlet, kind):
            self._document_done(response.meta, False)
            return
        instead = self._advertised(response, outlet, kind, found)
        # A urlset that lists child sitemaps among its pages is done when they are, as an index is, and its
        # pages are recorded (``_read`` gives the reading that waits for them); an index when its children are.
        own = yield from self._read(response, outlet, kind, found, first)
        if own is not None:
            self._document_done({"newsmon_index": own}, not found.problem)
        elif found.kind != "sitemapindex":
            self._document_done(response.meta, not found.problem)
        for url in instead:
            request = self._discovery(url, outlet, "feed", self.parse_feed)
            request.meta["newsmon_advertised_by"] = response.url
            yield request

    def _advertised(self, response: Response, outlet: str, kind: str, found: Discovered) -> list[str]:
        """The feeds to read in place of a feed that answered with a web page advertising them (a
        retired feed's address serving the front page): what only they list is not lost while the
        outlet names the old address. The feed stays broken, its reason naming them; none is read
        twice in a run, nor is a feed of the outlet's own, nor one a page read so advertises."""
        if kind != "feed" or found.problem != HTML_PAGE:
            return []
        advertised = advertised_feeds(response.body, response.url)
        if not advertised:
            return []
        definition = self.outlets[outlet]
        instead = [] if response.meta.get("newsmon_advertised_by") else [
            url for url in advertised if definition.in_scope(url) and url not in definition.feeds
            and (outlet, url) not in self.advertised_asked][:MAX_ADVERTISED]
        self.advertised_asked.update((outlet, url) for url in instead)
        found.problem += f"; {advertised_note(advertised)}"
        if instead:
            found.problem += f": {', '.join(instead)} read in its place this run (name it among the outlet's feeds)"
            self.logger.warning("newsmon: feed %s of %s answers a web page that advertises %s: read in its place",
                                response.url, outlet, ", ".join(instead))
        return instead

    def _parser_bug(self, response: Response, outlet: str, kind: str, exc: Exception,
                    found: tuple[int, int, int, int] | None = None, known: int | None = None,
                    read: str | None = None) -> None:
        """A feed, sitemap or section whose reading raised: a bug of newsmon's, on input no test had.
        Raised on, it had no row in the run (health could not name it) and every article it listed
        was lost without a word but a traceback; recorded broken, it is named in outlet health, and
        the next run reads it whole again (its validators are not kept). As a page whose extraction
        raises, it does not fail the run: one odd feed would fail every run until it changes.
        ``found``, ``known``, ``read``: what was read of it before the bug (a section page's links,
        its articles asked for), recorded and said with it."""
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
        self.logger.error("newsmon: a bug while reading %s %s of %s", kind, response.url, outlet, exc_info=exc)
        self._record_discovery(response, outlet, kind, ok=False, status=response.status, found=found, known=known,
                               reason=f"{reading_crash(exc)}{f'; {read}' if read else ''} (please report it with "
                                      "the document and the traceback in the log; read again next run)")
        self._document_done(response.meta, False)

    def parse_section(self, response: Response, outlet: str, page: int = 1):
        # A section's next page (``_next_section_page``) is its own kind of document: its
        # listings come and go with the first page's, which health must not read as its pace.
        kind = "section" if page == 1 else "section_page"
        if self._unasked_304(response, outlet, kind) or self._not_modified(response, outlet, kind) \
                or self._walled(response, outlet, kind):
            return
        if not hasattr(response, "text"):
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
            self._record_discovery(response, outlet, kind, ok=False, status=response.status,
                                   reason=f"not an HTML page ({response.headers.get('Content-Type', b'').decode()})")
            return
        self.crawler.stats.inc_value("newsmon/discovery/section")
        try:
            # Every link, not one per URL: the first to an article is often its photo's, textless.
            extracted = LinkExtractor(unique=False).extract_links(response)
            # And the links of its data (a Next.js page's state, JSON-LD's ItemList): a page a
            # script builds lists its articles there only.
            data = page_data_links(response, response.url)
        except Exception as exc:  # noqa: BLE001  (as a feed's parser's: _parser_bug)
            self._parser_bug(response, outlet, kind, exc)
            return
        links = list(dict.fromkeys([*(link.url for link in extracted), *(link.url for link in data)]))
        taken: dict[str, str | None] = {}
        requests, counts = self._articles(links, outlet, via="section", strict=False, taken=taken, words=link_words(
            [*((link.url, link.text) for link in extracted), *((link.url, link.words) for link in data)]))
        asked: list[tuple[str | None, bool]] = []  # its next page and whether its picks are its list, if asked
        try:
            own, mine = self._own_listing(response, outlet, data, taken, asked, first=page == 1) or (None, False)
        except Exception as exc:  # noqa: BLE001  (as a feed's parser's: _parser_bug)
            # Its links were read and its new articles are asked for: recorded with no counts, and said as
            # a page that could not be read, the row hid the articles it did list, and what the bug cost
            # (a next page of a listing that turned over, never looked for).
            self._parser_bug(response, outlet, kind, exc, found=(len(links), *counts[:3]), known=counts[3],
                             read=f"its {counts[0]} article links were read ({counts[1]} new, to fetch), but its "
                                  "own listing was not told from its sidebars, nor its next page looked for")
            yield from requests  # remembered as pending already: asked for now, as the page's links were read
            return
        if not counts[0] and self._refused_region(response, outlet, kind):
            return
        boxed = counts[0] if own and not mine else None
        emptied = self._emptied(response, outlet, f"{len(links)} links", counts[0], boxed) if page == 1 else None
        unjudged = self._unjudged(response, outlet, boxed) if page == 1 and boxed is not None and not emptied else None
        # Its picks taken for its list (``page_listing`` asked, and was told yes): said on its row, and where its last
        # list of its own was another, that this one went.
        picked = bool(own) and mine and bool(asked) and asked[0][1]
        if picked:
            unjudged, gone = self._picks_left(response, outlet, len(own), page, paged=asked[0][0] is not None)
            emptied = unjudged if gone else None
        # Of its own listing, its sidebars left out: every Japanese outlet's section page carries a
        # ranking, related or recommended articles, a pinned story, seen before; counted with them,
        # a list that turned over whole still held articles seen before, and its next page was
        # never read. Where it finds none (no link or data of it is an article's), the page's counts;
        # where its own list is gone (``page_listing``), none: its ranking is no list of its own.
        listing = (0, 0) if boxed is not None else (len(own), frontier.seen_before(
            self.db, sorted(own), self.run_id, self.run_started)) if own else (counts[0], counts[3] or 0)
        turned_over = bool(listing[0]) and listing[1] == 0 and (
            page > 1 or frontier.last_listing(self.db, outlet, self._first_url(response)) is not None)
        self._record_discovery(response, outlet, kind, ok=not emptied, status=response.status,
                               found=(len(links), *counts[:3]), reason=emptied or unjudged, known=counts[3],
                               listing=listing)
        yield from requests
        if turned_over and page < self.section_pages:
            # None of its listing's article URLs was seen before, where an earlier run read it: it
            # turned over since, and the articles it dropped unseen may be on its next page. Only
            # the first page was read, and they were lost while health said the outlet was fine.
            nxt = asked[0][0] if asked else self._next_section_page(response, outlet)  # looked for once a page
            if nxt is not None:
                self.crawler.stats.inc_value("newsmon/discovery/section_pages")
                for request in self._ask(nxt, outlet, "section_page", self.parse_section, conditional=False):
                    request.cb_kwargs["page"] = page + 1
                    yield request

    def _own_listing(self, response: Response, outlet: str, data: list[DataLink],
                     taken: Mapping[str, str | None] | None = None,
                     asked: list[tuple[str | None, bool]] | None = None,
                     first: bool = True) -> tuple[set[str], bool] | None:
        """The article URLs of a section page's own listing, and whether it is its own (``page_listing``), as
        ``_articles`` takes them (canonical, in the outlet's scope and pattern); ``data``: the links of its data;
        ``taken``: what ``_articles`` took each of the page's link URLs for (``_articles``' own); ``asked``: given
        its next page and whether its picks are its list, where ``page_listing`` asked; ``first``: the section's
        first page (not a next page)."""
        definition, base = self.outlets[outlet], get_base_url(response)
        taken = taken or {}

        def article_url(href: str) -> str | None:
            # An href written as the link extractor gave it (absolute) was read by ``_articles``: canonicalised
            # again, each link of a page cost a section page 14 ms more (asahi.com's front page, 736 links).
            if href in taken:
                return taken[href]
            url = parsable(href.strip(), base)
            if url in taken:
                return taken[url]
            try:
                url = canonical_url(url, self.hosts) if url else None
            except ValueError:  # "https://[broken/a", as _articles refuses it
                return None
            return url if url and definition.in_scope(url) and definition.is_article_url(url) else None

        def picks_are_list(picked: int) -> bool:
            # Asked only where every group of its links is a box: a list named as picks is its own on a page that has
            # a next page (``page_listing``), or whose last list of its own was its picks: a next page's link gone (a
            # "more" button a script runs), its list still there read as gone, every run. Or, of a page of no next
            # page, where its ``picked`` are as many as its last list of its own held (``_renamed_as_picks``).
            nxt = self._next_section_page(response, outlet)
            picks = nxt is not None or frontier.own_listing_noted(self.db, outlet, self._first_url(response),
                                                                  PICKS_LISTED) \
                or (first and self._renamed_as_picks(response, outlet, picked))
            if asked is not None:
                asked.append((nxt, picks))
            return picks

        return page_listing(response.selector.root, article_url,
                            [(url, link.where) for link in data if (url := article_url(link.url))], url=response.url,
                            picks_are_list=picks_are_list)

    @staticmethod
    def _first_url(response: Response) -> str:
        hops = response.meta.get("redirect_urls") or []
        return hops[0] if hops else response.url

    def _next_section_page(self, response: Response, outlet: str) -> str | None:
        """The URL of a section page's next page, when the page names one (``rel="next"``, a
        link saying 次へ or "Next") on the outlet's domains; ``None`` otherwise. Joined to the page's
        ``<base href>``, as its article links are: joined to its own URL, the next page of a page
        that names a base was another address (a 404), and the articles it listed were lost."""
        base = get_base_url(response)
        found = response.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " next ")]/@href'
                               ' | //a[contains(concat(" ", normalize-space(@rel), " "), " next ")]/@href').getall()
        found += [a.attrib.get("href", "") for a in response.xpath("//a[@href]")
                  if _NEXT_WORDS.fullmatch(" ".join(a.xpath("string(.)").get("").split()))]
        for href in found:
            # Its query's ampersands written escaped, as an index's children's are read (``query_ampersands``):
            # "&#38;" asked for "?cat=pol&" (the '#' a fragment's), "&amp;" for the parameter "amp;page".
            url = parsable(query_ampersands(href.strip()), base)
            if url and url != response.url and self.outlets[outlet].in_scope(url) \
                    and not self.outlets[outlet].is_article_url(canonical_url(url, self.hosts)):
                return url
        return None

    def _picks_left(self, response: Response, outlet: str, listed: int, page: int,
                    paged: bool = True) -> tuple[str, bool]:
        """What the row of a section page says whose ``listed`` article URLs of its own listing are its box named as
        picks (``page_listing``), and whether that is broken: where the first page's last list of its own was
        another (of ``EMPTIED_MIN`` or more), it went; said once, the next read's last list its picks. Without, a list
        a script draws now beside the page's picks and next page read "ok", its picks taken for it, where it read
        "its own list is gone"; said every run, a list renamed as picks (``div.pickup-list``) read as gone for ever.
        ``paged``: the page has a next page; without, its picks were taken for its list as they are as many as that
        list held (``_renamed_as_picks``)."""
        before = self._own_listing_before(response, outlet) if page == 1 else None
        if before is None or frontier.own_listing_noted(self.db, outlet, self._first_url(response), PICKS_LISTED):
            return (f"{PICKS_LISTED}: {listed} article URLs under ピックアップ, pickup or recommend, the page's only list "
                    "but its boxes of other articles, read as its own as the page has a next page or its reads before "
                    "took them so"), False
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
        self.logger.warning("newsmon: %s of %s has no list of its own any more but its picks (%d before)",
                            response.url, outlet, before[1])
        why = "the page has a next page" if paged else "they are as many as its list held, on a page of no next page"
        return (f"{PICKS_LISTED} now ({listed} article URLs under ピックアップ, pickup or recommend, read as its own as "
                f"{why}): its own list is gone, where its read of "
                f"{before[0][:16].replace('T', ' ')} UTC listed {before[1]} in it: renamed as picks, or drawn by "
                "JavaScript now, or moved? Said once: its picks are read as its list from now on, its turnover "
                "judged on them"), True

    def _renamed_as_picks(self, response: Response, outlet: str, picked: int) -> bool:
        """Whether a section page of no next page whose article links are all in boxes, the largest named as picks
        holding ``picked`` article URLs, had its list renamed as picks (``div.article-list`` now ``div.pickup-list``):
        where its last list of its own held ``EMPTIED_MIN`` or more, and its picks hold as many, or nearly
        (``RENAMED_SHARE``). Read as its list gone at every read, its turnover was never judged, and an outlet
        degraded every run by a class name no setting changes is an alarm soon unread. Picks fewer than that are
        taken for a sidebar's box left where a list went (Yomiuri's ピックアップ box of 11 or 12): its list gone
        still, said every run. Picks as many as a list that went are taken for it, said once (``_picks_left``), as on
        a page with a next page."""
        before = self._own_listing_before(response, outlet)
        return before is not None and picked >= before[1] * RENAMED_SHARE

    def _own_listing_before(self, response: Response, outlet: str) -> tuple[str, int] | None:
        """When the section page's last read with a list of its own read it, and how many that list held, where it
        held ``EMPTIED_MIN`` or more (enough for its loss to say something); ``None`` otherwise."""
        before = frontier.last_listing(self.db, outlet, self._first_url(response), own=True)
        return before if before is not None and before[1] >= EMPTIED_MIN else None

    def _unjudged(self, response: Response, outlet: str, boxed: int) -> str:
        """What a section page cannot tell whose every article link is in a box of other articles
        (``page_listing``) and whose own list no read before held (``_emptied`` names one whose did): whether
        it turned over, so when to read its next page or say it overflowed. Said on its row and in the log:
        silent, such a page lost what dropped off it unseen. Not named broken: nothing of it stopped working
        (its ``boxed`` article URLs are all read), and an outlet degraded every run by a page's design no
        setting changes is an alarm soon unread."""
        # Info, not a warning: said every run of a page so designed, a warning no one can act on (its row says it).
        self.logger.info("newsmon: %s of %s has no list of its own, only boxes of other articles: its turnover "
                         "cannot be told", response.url, outlet)
        urls = f"{boxed} article URL{'s are' if boxed != 1 else ' is'}"
        return (f"no list of its own told apart: its {urls} all in boxes of other articles (a ranking, the most "
                "read, picks on a page of no next page never read as its list, a pinned story), all read, but whether "
                "it turned over since its last read cannot be told, nor its next page read then: articles that drop "
                "off it unseen are lost unless a feed or sitemap of the outlet lists them")

    def _emptied(self, response: Response, outlet: str, listed: str, articles: int,
                 boxed: int | None = None) -> str | None:
        """Why a feed, sitemap or section that listed articles before and lists none now is broken;
        ``None`` when it lists some, or never listed enough (``EMPTIED_MIN``) for their absence to
        say anything. Every count of the run looks normal otherwise: its other channels still work.
        ``boxed``: of a section page whose own list is gone (``page_listing``), how many article URLs
        its boxes of other articles list: its ranking still listed some, and the page read "ok"."""
        if boxed is not None:
            before = self._own_listing_before(response, outlet)
            if before is None:
                return None
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
            self.logger.warning("newsmon: %s of %s has no list of its own any more, only boxes of other articles "
                                "(%d before)", response.url, outlet, before[1])
            return (f"its own list is gone: only boxes of other articles are left (a ranking, the most read, picks, a "
                    f"pinned story: {boxed} article URL{'s' if boxed != 1 else ''}), where its read of "
                    f"{before[0][:16].replace('T', ' ')} UTC listed {before[1]} in its own: drawn by JavaScript now, "
                    "or moved?")
        if articles:
            return None
        before = frontier.last_listing(self.db, outlet, self._first_url(response))
        if before is None or before[1] < EMPTIED_MIN:
            return None
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_broken")
        self.logger.warning("newsmon: %s of %s lists no article URL any more (%d before)", response.url, outlet,
                            before[1])
        return (f"lists no article URL (of its {listed}), where its read of {before[0][:16].replace('T', ' ')} UTC "
                f"listed {before[1]}: emptied, moved, its links drawn by JavaScript now, or under a URL scheme the "
                "article pattern does not take?")

    def _articles(self, urls: Iterable[str], outlet_key: str, via: str, strict: bool,
                  dated: dict[str, str] | None = None, declared: Set[str] = frozenset(),
                  archived: Set[str] | None = frozenset(), words: dict[str, str] | None = None,
                  taken: dict[str, str | None] | None = None, places: tuple[int, int] | None = None,
                  ) -> tuple[list[scrapy.Request], tuple[int, int, int, int | None]]:
        """Requests for the new article URLs among ``urls``; and (article URLs, new, refused,
        known): ``known``, for a feed, a section or a sitemap of up to ``KNOWN_MAX_SITEMAP`` article
        URLs, how many of them were seen before this run (none, of one read before: it turned over
        since, and may have dropped some unseen); of a bigger sitemap, how many of them were seen before.

        ``strict``: every entry is meant to be an article (a feed, a sitemap), so one that lies
        outside the outlet's scope is recorded as refused; a section page links anywhere, and
        only out-of-scope links that look like the outlet's articles are recorded. ``dated``:
        the entries' dates, by the URL as listed: a stored article dated after newsmon last read
        it is revisited now (``versions.prompt_revisits``). ``declared``: the URLs, as listed, of
        a sitemap's entries that say they are news articles (``Discovered.declared``): refused
        with a reason, as a feed's entries are, when the article URL pattern does not take them.
        ``archived``: the URLs, as listed, of a sitemap's entries dated ``ARCHIVE_AFTER`` ago or more,
        asked for, if new, when the spider is idle, with the backlog (``when_idle``), and kept as the
        archive's (``archive_place``: after the day's news in later runs' backlog too); after the
        outlet's first run, only where more are new than a run asks for. The others are the day's
        news; ``None``: the document's entries were not told apart (a sitemap read again, its dates
        unread: an archive's relisted entries are no news), but those that say they are news
        (``declared``). ``words``: what the document said of each entry, by the URL as listed
        (``Discovered.listed``), kept with the URL. ``taken``: filled with the article URL each of
        ``urls`` is (canonical, in the outlet's scope and pattern), ``None`` for any other link: a
        section page's own listing reads its links so (``_own_listing``). ``places``: the archive places
        of a child of an index (``_Child``), ``None`` of a sitemap the outlet names.
        """
        outlet: Outlet = self.outlets[outlet_key]
        words = words or {}
        told, archived = archived is not None, archived or frozenset()
        fresh: list[str] = []
        unseen: list[str] = []
        held: list[str] = []  # new URLs of ``archived``
        relisted: dict[str, None] = {}  # URLs the day's news lists, no archive's whatever an archive said of them
        listed: list[str] = []
        updated: dict[str, str] = {}
        said_of: dict[str, str] = {}
        copies: dict[str, str] = {}
        articles = refused = never = 0
        taken = {} if taken is None else taken
        for raw in urls:
            taken[raw] = None
            said = "news sitemap" if raw in declared else via  # what listed it, in reasons
            try:
                url = canonical_url(raw, self.hosts)
            except ValueError as exc:  # "https://[broken/a", a port that is no number
                refused += 1
                self._refuse_unparsable(raw, exc, outlet, via)
                continue
            if not outlet.in_scope(url):
                if strict or outlet.matches_pattern(url):
                    refused += 1
                    self._refuse_out_of_scope(url, raw, outlet, said, words.get(raw))
                continue
            if not outlet.is_article_url(url):
                self.crawler.stats.inc_value("newsmon/discovery/not_article_url")
                if said in ("feed", "news sitemap"):  # listed as an article: told, not dropped
                    refused += 1
                    self._refuse_unmatched(url, outlet, said, words.get(raw))
                continue
            articles += 1
            taken[raw] = url
            listed.append(url)
            if raw.strip() != url and amp_copy(raw) and outlet.in_scope(raw.strip()):
                # An AMP copy, asked for under the canonical address, which a site that serves the
                # AMP copy alone answers 404: the article was lost, its reason "HTTP 404".
                self.listed_as.setdefault(url, raw.strip())
                copies.setdefault(url, raw.strip())
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet_key}/discovered")
            if len(words.get(raw, "")) > len(said_of.get(url, "")):
                # The most said of it: one article linked as listed twice (tracking parameters).
                said_of[url] = words[raw]
            # ``archived`` and ``declared`` hold URLs as listed: told by the canonical URL, an archive whose
            # entries carry a tracking parameter (or http:// on an https host, a Japanese path) was read as
            # the day's news, and took the quota ahead of the feed.
            news = raw in declared or (told and raw not in archived)
            if news:
                # Whether it is to be fetched now or not: one not due yet (a Retry-After, a wall's wait, a late
                # try) kept its archive place, and once due waited behind the day's news later runs left.
                relisted[url] = None
            if url in self.scheduled or url in fresh:
                continue
            if url in self.deferred and news:
                # An archive sitemap's entry that this feed, news sitemap or section lists too:
                # not old news after all, and asked for now.
                self.deferred.pop(url, None)
                unseen.append(url)
                continue
            # Refused where another outlet listed it: this outlet's, never fetched.
            need = frontier.fetch_need(self.db, url, max_attempts=self.max_attempts, claim_for=outlet_key,
                                       run_id=self.run_id)
            if need is None:
                self.crawler.stats.inc_value("newsmon/discovery/already_seen")
                if dated and raw in dated:
                    updated[url] = dated[raw]
                continue
            fresh.append(url)
            never += need == "new"
            if need == "new" and raw in archived:
                held.append(url)
            elif need == "new":
                unseen.append(url)
        # Listed twice, as the archive's and as news (another spelling, dated twice): the day's news.
        unseen += [url for url in held if url in relisted]
        held = [url for url in held if url not in relisted]
        archive: dict[str, int] = {}
        if held and outlet_key not in self.first_runs and len(held) <= self.max_articles:
            # A sitemap read for the first time after the outlet's first run whose new entries one
            # run's room holds (an index's new child, a new month's, undated; one never read whole,
            # cut short at every read): the day's news, as read before, taking one run's room at
            # most. Held back, they waited behind every URL earlier runs left (an archive's
            # 50,000 at 500 a run: 100 runs), a backlog a first run has not.
            unseen += held
        else:
            # A first run's archive, listed before its feed was read, used up the outlet's
            # NEWSMON_MAX_ARTICLES, and the articles of the day waited behind it for runs. Kept
            # as the archive's, in the order listed: what the run leaves of it waits behind the
            # day's news that later runs leave too (``frontier.due_urls``).
            start = self._archive_place(outlet_key, places) if held else 0
            for place, url in enumerate(held, 1):
                self.deferred.setdefault(url, outlet_key)
                archive[url] = start + place
        # A sitemap's too, up to a size a run reads in milliseconds: its dates are read at an
        # outlet's first run only, and a section read before it in the same run claims the URLs it
        # lists first, so nothing said a working sitemap listed anything new: "stale", and its
        # address to be replaced.
        # A bigger one's from what it gave of those never seen (one first listed by this run's feed counts as seen):
        # its ``new_urls`` counts the backlog it lists again, and an archive whose first run's backlog waited was
        # taken to list the day's news at every read (``health.live_sitemap``), 50 MB read whole every hour.
        known = frontier.seen_before(self.db, listed, self.run_id, self.run_started) \
            if via in ("feed", "section") or (via == "sitemap" and len(listed) <= KNOWN_MAX_SITEMAP) \
            else len(listed) - never if via == "sitemap" else None
        # Remembered before any is fetched, so a killed or limited run loses none of them.
        frontier.add_pending(self.db, fresh, outlet=outlet_key, run_id=self.run_id,
                             reason=f"discovered via {via} in run {self.run_id}; not fetched yet",
                             # Every listed URL's, not only the new ones': one a section page listed
                             # first in this run (no words) is asked for once, here or there.
                             listed=said_of,
                             # Kept: its revisits and retries come after the listing has rolled past it.
                             copies=copies, archive=archive, news=relisted)
        if updated and self.store_options.revisit_after:
            prompted = versions.prompt_revisits(self.db, updated, outlet=outlet_key, via=via, now=now_iso(),
                                                limit=PROMPTS_PER_DOCUMENT)
            self.crawler.stats.inc_value("newsmon/revisits/prompted", prompted)
        # Only what no run has seen is asked for now; what an earlier run left (pending, failed)
        # waits for ``when_idle``, with the room these leave: a backlog asked for first used up
        # NEWSMON_MAX_ARTICLES, and an article published since the last run waited behind it.
        return list(self._requests(unseen, outlet_key, via)), (articles, len(fresh), refused, known)

    def _refuse_out_of_scope(self, url: str, raw: str, outlet: Outlet, via: str, words: str | None) -> None:
        self.crawler.stats.inc_value("newsmon/discovery/refused")
        key = url if url.startswith(("http://", "https://")) else raw.strip()[:500]
        scheme = urlsplit(key).scheme or "no scheme"
        why = (f"{scheme}: URL" if scheme not in ("http", "https")
               else f"host {urlsplit(key).hostname} is not one of the outlet's domains ({', '.join(outlet.domains)})")
        self.logger.warning("newsmon: %s of %s lists %s: %s; not fetched", via, outlet.key, key[:200], why)
        if not frontier.state(self.db, key):
            frontier.record_refused(self.db, key, outlet=outlet.key, code="off_scope", run_id=self.run_id,
                                    reason=f"listed by a {via} but out of scope: {why}", listed=words)

    def _refuse_unmatched(self, url: str, outlet: Outlet, said: str, words: str | None) -> None:
        """A feed's or news sitemap's entry on the outlet's domains that its article URL pattern
        does not take: a video or a special page, or articles under a URL scheme the pattern does
        not know yet (outlet health says so when they are many: ``storage.health.unmatched``; what
        the entry said of it names one on the topics at once: ``newsmon status``, the desk)."""
        if not frontier.state(self.db, url):
            frontier.record_refused(self.db, url, outlet=outlet.key, code="not_article_url", run_id=self.run_id,
                                    reason=f"listed by a {said}, but the outlet's article URL pattern does not take "
                                           "it: not fetched (a new URL scheme? then article_url_pattern needs it)",
                                    listed=words)

    def _refuse_unparsable(self, raw: str, exc: ValueError, outlet: Outlet, via: str) -> None:
        """An entry no URL parser takes: refused under its own text, so that one bad entry
        neither loses the document's other URLs nor goes unrecorded."""
        self.crawler.stats.inc_value("newsmon/discovery/refused")
        key = raw.strip()[:500]
        self.logger.warning("newsmon: %s of %s lists %r, which is no URL (%s); not fetched", via, outlet.key,
                            key[:200], exc)
        if key and not frontier.state(self.db, key):
            frontier.record_refused(self.db, key, outlet=outlet.key, code="bad_url", run_id=self.run_id,
                                    reason=f"listed by a {via} but no URL parser takes it ({exc})")

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
            # Error statuses reach the errback (HttpError), redirects are followed (scope is
            # checked on each hop), and dont_filter: a redirect back to a URL already requested
            # must end as a "redirect loop" error, not vanish in Scrapy's duplicate filter.
            meta = {"newsmon_outlet": outlet_key, "newsmon_url": url}
            if copy := self._listed_as(url, stored=via == "frontier"):
                meta["newsmon_listed_as"] = copy
            yield scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                                 dont_filter=True, cb_kwargs={"outlet": outlet_key}, meta=meta)

    # -- revisits ---------------------------------------------------------------------------

    def when_idle(self) -> None:
        """Once the run has fetched the articles it found new, request what earlier runs left
        (``frontier.due_urls``: the day's news oldest first, then the archive), then the revisits
        that are due: each once, with the room left of each outlet's ``NEWSMON_MAX_ARTICLES``."""
        if not self.backlog_queued:
            self.backlog_queued = True
            try:
                requests = list(self._backlog())
            except DatabaseUnwritable as exc:
                database_unwritable(self.crawler, exc)
                return
            except Exception:
                # Scrapy logs a signal handler's error and goes on: the run "finished", exit 0,
                # without the URLs earlier runs left, and no one told.
                self.crawler.stats.inc_value("newsmon/bugs")
                self.logger.exception("newsmon: the URLs earlier runs left could not be read")
                requests = []
            if requests:
                self.logger.info("newsmon: %d article URLs left by earlier runs", len(requests))
                for request in requests:
                    self.crawler.engine.crawl(request)
                raise DontCloseSpider
        self.revisit_when_idle()

    def _backlog(self):
        for key in self.outlets:
            room = max(0, self.max_articles - self.queued.get(key, 0))
            if not room:
                continue
            # A first run's archive, in the order its sitemap listed it, after the rest (what the
            # day's feeds and sections listed over the quota): ordered by URL with the rest, an
            # undated archive listing the newest first had its oldest numbers asked for first, and
            # the day's articles it alone listed waited for as many runs as it took. In the order the
            # next runs take it (``due_urls``): taken in the order its documents were read, an index's
            # children came in the order their answers came, not the index's.
            # Less what this run asked for already: a URL that failed in it is tried next run.
            due = frontier.due_urls(self.db, key, max_attempts=self.max_attempts, limit=room + len(self.scheduled))
            due = [url for url in due if url not in self.scheduled]
            yield from self._requests(due[:room], key, via="frontier")

    def revisit_when_idle(self) -> None:
        """Once the run has done its new articles, request the revisits that are due, once."""
        if self.revisits_queued:
            return
        self.revisits_queued = True
        try:
            requests = list(self._revisits())
        except DatabaseUnwritable as exc:  # often the first write of a quiet run, where no page was new
            database_unwritable(self.crawler, exc)
            return
        except Exception:  # as for the backlog (when_idle)
            self.crawler.stats.inc_value("newsmon/bugs")
            self.logger.exception("newsmon: the revisits due could not be read")
            return
        if not requests:
            return
        self.logger.info("newsmon: %d revisits of stored articles due", len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _revisits(self):
        opts = self.store_options
        if not opts.revisit_after:
            return
        now = now_iso()
        for key in self.outlets:
            if not opts.revisit_all:
                versions.expire_revisits(self.db, key, now=now, span=max(opts.revisit_after))
            # Revisits share the outlet's NEWSMON_MAX_ARTICLES with this run's new articles;
            # the ones over it stay due for the next run.
            room = max(0, self.max_articles - self.queued.get(key, 0))
            due = versions.due_revisits(self.db, key, now=now, stored_before=self.stored_before,
                                        relevant_only=not opts.revisit_all, limit=room + 1)
            if len(due) > room:
                self.crawler.stats.inc_value("newsmon/revisit/over_limit", len(due) - room)
            for row in due[:room]:
                self.queued[key] = self.queued.get(key, 0) + 1
                self.crawler.stats.inc_value("newsmon/revisit/queued")
                headers = {}
                # An article whose next page could not be read is asked for whole: its first
                # page has not changed, and a 304 would leave the missing page unread for good.
                if row["etag"] and not row["incomplete"]:
                    headers["If-None-Match"] = row["etag"]
                if row["last_modified"] and not row["incomplete"]:
                    headers["If-Modified-Since"] = row["last_modified"]
                meta = {"newsmon_outlet": key, "newsmon_url": row["url"], "newsmon_revisit": row["article_id"],
                        "handle_httpstatus_list": [304]}
                if copy := self._listed_as(row["url"], stored=True):
                    # Read from the AMP copy a feed lists, or listed: its canonical address's 404 is no take-down.
                    meta["newsmon_listed_as"] = copy
                yield scrapy.Request(row["url"], callback=self.parse_article, errback=self.article_failed,
                                     dont_filter=True, headers=headers, cb_kwargs={"outlet": key}, meta=meta)

    # -- articles ---------------------------------------------------------------------------

    def parse_article(self, response: Response, outlet: str):
        url = response.meta.get("newsmon_url") or response.url
        hops = response.meta.get("redirect_urls") or []
        final = canonical_url(response.url, self.hosts) if hops else None
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        page = FetchedPage(url=url, outlet=outlet, status=response.status, body=response.body,
                           content_type=content_type, charset=charset_of(content_type),
                           final_url=final if final != url else None, redirects=hops,
                           redirect_reasons=response.meta.get("redirect_reasons") or [],
                           revisit=response.meta.get("newsmon_revisit"), etag=_header(response, "ETag"),
                           last_modified=_header(response, "Last-Modified"))
        if "newsmon_amp_from" in response.meta:
            status, listed = response.meta["newsmon_amp_from"]
            page.note = f"read from the AMP copy it was listed as, {listed} ({url} answered HTTP {status})"
        if response.status == 304:
            page.body, page.not_modified = None, True
            yield page
            return
        if response.status == 206 and not response.request.headers.get("Range"):
            # A part of the page where the whole was asked for: stored, it was the article cut short.
            page.body, page.problem = None, Problem("partial_content", "HTTP 206 Partial Content to a request for the "
                                                                      f"whole page ({len(response.body):,} bytes of it)")
            yield page
            return
        wall = detect_wall(response.status, wall_headers(response), response.body, response.url)
        if wall is not None:
            self.logger.warning("newsmon: %s is walled off: %s", url, wall.reason)
            page.body, page.blocked, page.problem = None, True, Problem(wall.code, wall.reason)
        yield page

    def article_failed(self, failure):
        request = failure.request
        if request.meta.get(STOPPED):
            return  # dropped or cut short as the crawl stopped: its URL keeps its state, for the next run
        url = request.meta.get("newsmon_url") or request.url
        outlet = request.meta.get("newsmon_outlet", "")
        hops, whys = request.meta.get("redirect_urls") or [], request.meta.get("redirect_reasons") or []
        page = FetchedPage(url=url, outlet=outlet, status=None, redirects=hops, redirect_reasons=whys,
                           revisit=request.meta.get("newsmon_revisit"), unretried=bool(request.meta.get(UNRETRIED)))
        if failure.check(Postponed):
            page.postponed, page.problem = True, Problem(failure.value.code, failure.value.reason)
            yield page
            return
        if failure.check(AlreadyStored):
            self.crawler.stats.inc_value("newsmon/article/redirected_to_stored")
            page.stored_as, page.final_url = (failure.value.article_id, failure.value.target), failure.value.target
            page.problem = Problem("duplicate", failure.value.reason)
            yield page
            return
        if failure.check(Walled):
            page.blocked, page.problem = True, Problem(failure.value.wall.code, failure.value.wall.reason)
        elif failure.check(Refused):
            page.refused, page.problem = True, Problem(failure.value.code, failure.value.reason)
            if failure.value.code == "redirect_off_scope":
                page.sent_off = request.url
        elif failure.check(Unusable):
            page.problem = Problem(failure.value.code, failure.value.reason)
        elif failure.check(HttpError) and (again := self._amp_fallback(request, failure.value.response)) is not None:
            yield again
            return
        elif failure.check(HttpError):
            response = failure.value.response
            page.status = response.status
            wall = detect_wall(response.status, wall_headers(response), response.body, response.url) \
                if response.status in SUSPECT_STATUSES else None
            if wall is not None:
                page.blocked, page.problem = True, Problem(wall.code, wall.reason)
            else:
                page.problem = _status_problem(response, hops)
                page.refused = page.problem.code == "redirect_off_scope"
                if page.refused:  # a Location of another scheme (ftp:, mailto:): kept, never readmitted
                    location = response.headers.get("Location", b"").decode("latin-1")
                    page.sent_off = (response.urljoin(location) if _scheme(response, location) else location)[:500]
                if response.status in (429, 503):
                    # The crawl's stop waited out no Retry-After: the next run does, whatever its length.
                    page.not_before, page.problem = _asked_wait(response, page.problem,
                                                                0 if page.unretried else self.max_retry_after)
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            if "max redirections" in message:
                page.problem = Problem("too_many_redirects", f"more than {len(hops)} redirects: "
                                                             f"{redirect_chain(hops, request.url, whys)}")
            else:
                page.problem = Problem("ignored", f"not fetched: {message}")
        else:
            page.problem = self._fetch_failure(failure)
        if hops and not page.blocked and page.problem.code not in ("too_many_redirects", "redirect_loop",
                                                                     "redirect_off_scope"):
            page.problem = Problem(page.problem.code,
                                   f"{page.problem.reason} (after redirects {redirect_chain(hops, request.url, whys)})")
        if "newsmon_amp_from" in request.meta:
            status, listed = request.meta["newsmon_amp_from"]
            said = f"{url} answered HTTP {status}, and the AMP copy it was listed as, {listed}, "
            if page.refused:
                # Not the URL's verdict: the canonical address's 404 is, tried as a 404 is.
                page.refused, page.sent_off = False, None
                page.problem = Problem(f"http_{status}", f"{said}was not fetched: {page.problem.reason}")
            else:
                page.problem = Problem(page.problem.code, f"{said}failed too: {page.problem.reason}")
        verdict = "refused" if page.refused else "walled off" if page.blocked else "could not fetch"
        self.crawler.stats.inc_value(f"newsmon/article/{verdict.replace(' ', '_')}")
        self.logger.warning("newsmon: %s %s: %s", verdict, url, page.problem.reason)
        yield page

    def _listed_as(self, url: str, *, stored: bool) -> str | None:
        """The AMP copy's address ``url`` was listed as: by this run's listings, or (``stored``: a retry, a
        revisit) by an earlier run's (``frontier.listed_as``), which the feed may have rolled past since."""
        return self.listed_as.get(url) or (frontier.listed_as(self.db, url) if stored else None)

    def _amp_fallback(self, request: scrapy.Request, response: Response) -> scrapy.Request | None:
        """The request for the AMP copy a URL was listed as (``listed_as``) where its canonical address
        answered 404 or 410: read from there, the article is stored under the canonical URL, its
        reason naming the copy. Once: a copy that fails too ends the URL with both addresses said."""
        listed = request.meta.get("newsmon_listed_as")
        if response.status not in (404, 410) or not listed or "newsmon_amp_from" in request.meta:
            return None
        self.crawler.stats.inc_value("newsmon/article/amp_fallback")
        self.logger.info("newsmon: %s answered HTTP %d: asking for the AMP copy it was listed as, %s",
                         request.meta.get("newsmon_url"), response.status, listed)
        meta = {key: request.meta[key] for key in ("newsmon_outlet", "newsmon_url", "newsmon_revisit")
                if key in request.meta}
        meta["newsmon_amp_from"] = (response.status, listed)
        return scrapy.Request(listed, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
                              cb_kwargs={"outlet": meta.get("newsmon_outlet", "")}, meta=meta)

    def _fetch_failure(self, failure) -> Problem:
        """The problem of a request that raised; one that met a bug (``crawl_bug``: a NameError in
        a middleware) is logged with its traceback and fails the run, which otherwise read as a
        quiet day of network errors, exit status 0."""
        problem = failure_problem([c.__name__ for c in type(failure.value).__mro__], failure.getErrorMessage())
        if problem.code == "crawl_bug":
            self.crawler.stats.inc_value("newsmon/bugs")
            self.logger.error("newsmon: a bug while fetching %s:\n%s", failure.request.url, failure.getTraceback())
        return problem

    def discovery_failed(self, failure):
        request = failure.request
        if request.meta.get(STOPPED):
            return  # as the crawl stopped: no failure of the outlet's, and the next run reads it
        outlet = request.meta.get("newsmon_outlet", "")
        kind = request.meta.get("newsmon_discovery", "feed")
        hops = request.meta.get("redirect_urls") or []
        status = retry_at = None
        if failure.check(Walled):
            self.note_wall(outlet, failure.value.wall)
            problem = Problem(failure.value.wall.code, f"{failure.value.wall.reason}, where the {kind} should be")
        elif failure.check(Refused, Unusable):
            problem = Problem(failure.value.code, failure.value.reason)
        elif failure.check(HttpError):
            response = failure.value.response
            status = response.status
            wall = detect_wall(status, wall_headers(response), response.body, response.url) \
                if status in SUSPECT_STATUSES else None
            if wall is not None:
                self.note_wall(outlet, wall)
                problem = Problem(wall.code, f"{wall.reason} where the {kind} should be")
            else:
                problem = _status_problem(response, hops)
                if status in (429, 503):
                    retry_at, problem = _asked_wait(response, problem,
                                                    0 if request.meta.get(UNRETRIED) else self.max_retry_after)
        elif failure.check(IgnoreRequest):
            problem = Problem("ignored", str(failure.value))
        else:
            problem = self._fetch_failure(failure)
        self.crawler.stats.inc_value("newsmon/discovery/failed")
        self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/discovery_failed")
        if problem.code == "robots_unavailable":
            self.crawler.stats.inc_value(f"newsmon/outlet/{outlet}/robots_unavailable")
        self.logger.warning("newsmon: %s %s of %s failed: %s", kind, request.url, outlet, problem.reason)
        try:
            self._record_discovery(hops[0] if hops else request.url, outlet, kind, ok=False, status=status,
                                   reason=problem.reason, retry_at=retry_at)
        except DatabaseUnwritable as exc:
            # A failure without a response (a timeout, a refused connection) reaches this errback
            # past the spider middlewares, so UnwritableDatabaseMiddleware never sees what it raises:
            # Scrapy logged the lock as a spider error, with the download's traceback besides.
            database_unwritable(self.crawler, exc)
            return
        self._document_done(request.meta, False)


@dataclass
class _Index:
    """A sitemap index being read: its children not read yet, whether all so far were."""

    left: int
    ok: bool
    meta: dict


@dataclass(frozen=True)
class _Child:
    """A child sitemap asked for: the lastmod its index gives it, and the index's URL when that
    lastmod has not moved since it was last fetched (a recheck: ``NewsSpider._lastmod_stood``)."""

    url: str
    lastmod: str | None
    stood: str | None = None
    # Its archive's places in the run's (first, how many), in the index's order (``NewsSpider._child_places``).
    places: tuple[int, int] | None = None


def _archived(found: Discovered, links: list[str], room: int) -> frozenset[str]:
    """The URLs (``links``, as the crawl reads them) of a sitemap's entries that are not news
    (Google News entries never are) and dated ``ARCHIVE_AFTER`` ago or more, or not dated at all:
    an entry without a lastmod says nothing of being the day's news, nor does one dated more than a
    day ahead (a CMS's placeholder, ``discovery.FUTURE_SLACK``); read before the outlet's feed or
    sections, such an archive took the whole quota, and the day's articles they listed waited
    behind it (ordered by URL, an archive's older numbers first) for as many runs as it took. Nor does
    a date that its entries all carry alike (two or more, without a pace: the time the sitemap was
    built, stamped on every entry), as for the revisits entry dates prompt (``NewsSpider._read``):
    read as the day's news, such a sitemap of 50,000 old articles took 100 runs' quota before the
    feed's. Only where they are more than a run asks for (``room``: NEWSMON_MAX_ARTICLES): a day's
    few articles dated alike (a lastmod of the day alone, 2026-12-06; two published in one minute)
    are what they say, and taken for a stamp they waited behind the whole archive (4 runs for 3
    articles behind 8 at 3 a run; 100 runs behind 50,000 at 500), where as the day's news they take
    one run's room at most."""
    now = datetime.now(timezone.utc)
    cutoff = (now - ARCHIVE_AFTER).isoformat(timespec="seconds")
    ahead = (now + FUTURE_SLACK).isoformat(timespec="seconds")
    dated = {} if len(found.dated) > max(1, room) and not found.interval else found.dated
    return frozenset(link for written, link in zip(found.links, links) if written not in found.declared
                     and not (cutoff <= (dated.get(written) or "") <= ahead))


def _sharing_a_host(outlet: Outlet, outlets: dict[str, Outlet]) -> list[str]:
    """The keys of ``outlets`` other than ``outlet`` whose domains share a host with its (one is the
    other or under it: mod and mod_en on www.mod.go.jp, nikkei's nikkei.com above asia.nikkei.com):
    what one of them refused as no article of its own may be ``outlet``'s."""
    def under(host: str, domain: str) -> bool:
        return host == domain or host.endswith("." + domain)

    return [key for key, other in outlets.items() if key != outlet.key and any(
        under(mine, theirs) or under(theirs, mine) for mine in outlet.domains for theirs in other.domains)]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


#: The largest sitemap (article URLs) whose URLs seen before a run are counted (``known``) by ``frontier.seen_before``;
#: a bigger one's ``known`` is what the frontier knew of its URLs as it read them (``_articles``).
KNOWN_MAX_SITEMAP = 10_000

#: The longest wait a site's Retry-After puts between a URL's tries across runs: a clock or a
#: header gone wrong ("Retry-After: 31536000") must not shelve an article for a year.
MAX_ASKED_WAIT = timedelta(days=1)


def _asked_wait(response: Response, problem: Problem, waited: float) -> tuple[str | None, Problem]:
    """When to ask for a page again after a 429 or 503 whose Retry-After asked for longer than a
    crawl waits (``waited``, ``NEWSMON_MAX_RETRY_AFTER``: ``RetryAfterMiddleware`` waited for a
    shorter one, and the run's tries are spent), and the problem saying so. Asked again at the next
    run (15 minutes later on the default schedule), a page whose site asked for an hour was given
    up after three runs, 45 minutes."""
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    if not wait or wait <= waited:
        return None, problem
    # Capped before it is a timedelta: "Retry-After: 99999999999999999999" overflows one, and
    # every crawl ended in a traceback, the URL never given up.
    longest = MAX_ASKED_WAIT.total_seconds()
    until = datetime.now(timezone.utc) + timedelta(seconds=min(wait, longest))
    said = f"{wait:,.0f} s" if wait < longest else f"{wait:,.0f} s, of which newsmon waits a day"
    return until.isoformat(timespec="seconds"), Problem(problem.code, f"{problem.reason}; it asked for a wait of "
                                                                      f"{said} (Retry-After)")


def _scheme(response: Response, location: str) -> str:
    """The scheme of a redirect's ``Location`` as a browser reads it; "" for one no URL parser
    takes ("http://[…": the errback raised, and the URL was left without a state)."""
    try:
        return urlsplit(response.urljoin(location)).scheme
    except ValueError:
        return ""


def _status_problem(response: Response, hops: list[str]) -> Problem:
    location = response.headers.get("Location")
    if 300 <= response.status < 400 and location:
        target = location.decode("latin-1")[:200]
        if _scheme(response, target) in ("http", "https"):
            # A 300 (Multiple Choices) or another 3xx Scrapy does not follow, to a fine URL: it
            # was refused for good as "not an http(s) URL".
            return Problem(f"http_{response.status}", f"HTTP {response.status} to {target}: a redirect status "
                                                      "newsmon does not follow (it follows 301, 302, 303, 307, 308)")
        return Problem("redirect_off_scope", f"HTTP {response.status} redirect to {target}: not an http(s) URL")
    return http_status_problem(response.status)

