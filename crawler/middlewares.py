"""Downloader middlewares: fetch scope, robots.txt as RFC 9309 says, strict decompression,
conditional GET for discovery pages, and Retry-After.

The exceptions here are ``IgnoreRequest`` subclasses carrying a code and a reason: the spider's
errbacks turn them into URL states (``storage.frontier``), so nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import inspect
import logging
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from lxml import etree, html as lxml_html
from scrapy.core.downloader import Slot
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.http.request import NO_CALLBACK
from scrapy.settings import default_settings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_base_url, get_meta_refresh
from twisted.internet.defer import Deferred
from w3lib.html import get_meta_refresh as w3lib_refresh

from storage import frontier, queries
from storage.exceptions import DatabaseUnwritable
from storage.health import live_sitemap

from . import store
from .bodies import Corrupt, TooLarge, Truncated, decompress
from .config import parse_duration
from .dates import parse_http_date
from .outcome import EMPTY_DOCUMENT_CHARS, cut_short, redirect_chain
from .stubs import assigns, is_stub, script_way
from .urls import canonical_url, query_ampersands
from .walls import detect_wall, url_wall, visible_chars, wall_headers

logger = logging.getLogger(__name__)

_SLOT_JITTER = "jitter" in inspect.signature(Slot).parameters


class Refused(IgnoreRequest):
    """newsmon will not fetch this request: out of the outlet's scope, or robots.txt says no."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Unusable(IgnoreRequest):
    """The response arrived but cannot be used: too large once decompressed, broken compression,
    a redirect loop. An error of the fetch: the URL is tried again next run."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Postponed(IgnoreRequest):
    """Not sent this run after all: the outlet has walled us off (``NewsSpider.note_wall``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.code = "postponed"
        self.reason = reason


#: Request meta of a request the crawl's stop dropped before it was sent, or cut short as it was downloaded
#: (``crawl.stop_fetching``): its errback records nothing, and its URL stays as it was for the next run.
STOPPED = "newsmon_stopped"


class Stopped(IgnoreRequest):
    """Not sent: the crawl was stopped (SIGTERM, Ctrl-C) before its turn (``crawl.stop_fetching``). Its URL keeps
    its state (pending, or the error it is retried for), and the next run fetches it."""

    def __init__(self, signame: str) -> None:
        super().__init__(f"not fetched: the crawl was stopped ({signame}) before its turn; the next run fetches it")


#: Request meta of a request whose server failed it in the stop's grace before the retries a run gives it
#: (``StopGraceMiddleware``): recorded as the server's failure, but no attempt of the URL's
#: (``frontier.record_failure``'s ``unretried``).
UNRETRIED = "newsmon_unretried"


#: Request meta of the robots.txt requests newsmon's robots.txt middleware makes: a stop drops them as it drops pages.
ROBOTS = "newsmon_robots"


def stopped_by(crawler) -> str | None:
    """The signal that stopped the crawl ("SIGTERM", "SIGINT"), once one did (``crawl.STOPPED_BY``)."""
    from .crawl import STOPPED_BY

    return crawler.stats.get_value(STOPPED_BY)


def stop(request: Request, signame: str) -> Stopped:
    request.meta[STOPPED] = True
    return Stopped(signame)


class StopGateMiddleware:
    """Once the crawl is asked to stop, no request leaves: one that reaches the downloader after the signal is
    ``Stopped``, as those the stop drops from the downloader's queue (``crawl.stop_fetching``). Pages that waited for
    their host's robots.txt went out after the stop, one per DOWNLOAD_DELAY, after the 5 s the stop gives downloads
    in flight (and were not cut short: the crawl waited up to DOWNLOAD_TIMEOUT for each); a robots.txt too. Scrapy's
    public way in: every request passes here, whatever its downloader keeps in its queues."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if signame := stopped_by(self.crawler):
            raise stop(request, signame)


class StopGraceMiddleware:
    """Who ended a download in the stop's grace (``crawl.STOP_GRACE``): the server or the stop. Before the retries
    (550) on the way back: a server's 5xx, reset or timeout in the grace was retried, the retry stopped
    (``StopGateMiddleware``) and the failure put down to the stop: the article left pending as if never fetched, a
    feed's or a next page's failure unsaid, a robots.txt's 503 "not read: the crawl was stopped". The server's
    answer is recorded as after its last try outside a stop, though one the run would have tried again counts no
    attempt of the URL's (``UNRETRIED``). A download the stop cut short (``crawl._cut_downloads``
    marks it) fails as ``Stopped``, whoever awaits it: a robots.txt's or a next page's caller sees a redirect's
    last hop fail, not the request it made and could read a mark on."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        # What RetryAfterMiddleware would do with the failure, read as it reads it (Scrapy's RetryMiddleware).
        self.retries = RetryMiddleware(settings) if settings.getbool("RETRY_ENABLED") else None
        self.max_wait = settings.getfloat("NEWSMON_MAX_RETRY_AFTER", 120.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if stopped_by(self.crawler):
            if self.retries and response.status in self.retries.retry_http_codes and not (
                    response.status in (429, 503)
                    and (retry_after_seconds(response.headers.get("Retry-After")) or 0) > self.max_wait):
                self._unretried(request)
            request.meta["dont_retry"] = True
        return response

    def process_exception(self, request, exception, spider=None):
        if signame := stopped_by(self.crawler):
            if request.meta.get(STOPPED) and not isinstance(exception, Stopped):
                raise Stopped(signame) from exception
            if self.retries and isinstance(exception, self.retries.exceptions_to_retry):
                self._unretried(request)
            request.meta["dont_retry"] = True
        return None

    def _unretried(self, request) -> None:
        # Its try in the grace was one a run follows with its retries: counted as the run's attempt, one 5xx or
        # reset as the crawl stopped gave up an article that had failed twice before ("gave up after 3 attempts",
        # not asked again for 6 h), and a Retry-After the crawl did not wait out was not kept for the next run.
        if not request.meta.get("dont_retry") and request.meta.get("retry_times", 0) < request.meta.get(
                "max_retry_times", self.retries.max_retry_times):
            request.meta[UNRETRIED] = True


class AlreadyStored(IgnoreRequest):
    """A new article URL redirected to the URL of an article stored before: that is the article,
    and it is not fetched again (``ScopeMiddleware``)."""

    def __init__(self, article_id: int, target: str, reason: str) -> None:
        super().__init__(reason)
        self.article_id = article_id
        self.target = target
        self.reason = reason


class Walled(IgnoreRequest):
    """A redirect led to a wall (a consent or login page): the URL is blocked, not refused."""

    def __init__(self, wall) -> None:
        super().__init__(wall.reason)
        self.wall = wall


def _outlet_of(crawler, request):
    """The outlet a request was made for (``meta["newsmon_outlet"]``); ``None`` for robots.txt
    and any request of no outlet."""
    key = request.meta.get("newsmon_outlet")
    return (getattr(crawler.spider, "outlets", None) or {}).get(key) if key else None


class ScopeMiddleware:
    """Refuse any request of an outlet that is not http(s) on the outlet's domains; hold back
    the article requests of an outlet that has walled us off this run.

    Runs before robots.txt (no robots.txt is fetched from a host we will not crawl) and on every
    redirect hop, since a redirected request passes through the middlewares again. Discovery
    already drops out-of-scope links; this is the second of three checks (the store path is
    the third), so that no future code path can fetch ``file:///etc/passwd`` for a feed.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        outlet = _outlet_of(self.crawler, request)
        if outlet is None:
            return None
        hops, whys = request.meta.get("redirect_urls") or [], request.meta.get("redirect_reasons") or ()
        wall = url_wall(request.url) if hops else None
        if wall is not None:
            raise Walled(wall)
        if request.url in hops and _looped(request, hops):
            raise Unusable("redirect_loop", f"redirect loop: {redirect_chain(hops, request.url, whys)}")
        walled = getattr(self.crawler.spider, "walled", {}).get(outlet.key)
        if walled and "newsmon_url" in request.meta:
            raise Postponed(walled)
        if not outlet.in_scope(request.url):
            target = request.url[:200]
            if hops:
                raise Refused("redirect_off_scope", f"redirected off the outlet's domains "
                                                    f"({', '.join(outlet.domains)}): "
                                                    f"{redirect_chain(hops, target, whys)}")
            raise Refused("off_scope", f"not http(s) on the outlet's domains ({', '.join(outlet.domains)}): {target}")
        if hops and "newsmon_url" in request.meta and not (request.meta.get("newsmon_revisit")
                                                           or request.meta.get("newsmon_part")):
            # (A next page of an article sent back to its first is told apart by the pipeline.)
            self._stored_already(request, hops, whys)
        return None

    def _stored_already(self, request, hops: list[str], whys) -> None:
        # A new URL of an article stored before (an old URL scheme, http for https, a slash
        # left off) redirects to its stored URL: the article was fetched in full once more,
        # and its row rewritten as a duplicate of itself. Its revisits read it for changes.
        spider = self.crawler.spider
        target = canonical_url(request.url, getattr(spider, "hosts", ()))
        state = frontier.state(store.crawler_db(self.crawler), target)
        if state is not None and state["kind"] == "article" and state["article_id"] is not None:
            raise AlreadyStored(state["article_id"], target,
                                f"already stored as article {state['article_id']}: redirected to its URL "
                                f"({redirect_chain(hops, request.url, whys)}), not fetched again")
        # Its target is a new article URL this run asked for itself (a feed lists /a/1/, a section
        # /a/1): that request fetches it, and following the redirect fetched it a second time,
        # each new article of such an outlet twice. Asked again next run, when the redirect
        # names the stored article (above). Not a target known to hold no article (a page that
        # several URLs lead to, due for its second look): read as before, each URL its verdict;
        # nor one held back so itself (A and B sending each other on: the loop is found and said).
        if target != request.meta.get("newsmon_url") and target in getattr(spider, "scheduled", ()) \
                and (state is None or state["kind"] in ("pending", "fetched", "error", "blocked")) \
                and not (state is not None and state["reason_code"] == "postponed"):
            raise Postponed(f"redirects to {target} ({redirect_chain(hops, request.url, whys)}), which this "
                            "run fetches under its own URL: not fetched twice; asked again next run, when "
                            "its redirect leads to the stored article")


def _looped(request, hops: list[str]) -> bool:
    """Whether a request back to a URL of its redirect chain is a loop: one that no response
    since its last visit set a cookie on the way (``CookieGateMiddleware``). A cookie gate (a
    metering or consent script's, a CDN's) sends a first visit back to the same URL with a
    cookie to show, and serves the page to it: a browser sees the article. A gate that sets one
    at every hop ends at ``REDIRECT_MAX_TIMES`` (``too_many_redirects``)."""
    last_visit = len(hops) - 1 - hops[::-1].index(request.url)
    return request.meta.get("newsmon_cookie_hop", -1) < last_visit


class CookieGateMiddleware:
    """Note on a redirect response that sets a cookie where in its chain it came: between the
    cookie middleware (700), which keeps the cookie, and the redirect middleware (600), whose
    next request carries the note on in its meta."""

    def process_response(self, request, response, spider=None):
        if 300 <= response.status < 400 and response.headers.getlist("Set-Cookie"):
            request.meta["newsmon_cookie_hop"] = len(request.meta.get("redirect_urls") or [])
        return response


class LocationAmpersandsMiddleware:
    """A redirect's ``Location`` with the ampersands of its query written escaped read as "&" (``query_ampersands``),
    before the redirect middleware (600) follows it: a CMS that writes its headers from an HTML template sends
    ``?type=news&amp;page=2``, the parameter ``amp;page``, which no site means. A browser follows it as written, and
    the page served was the site's answer to an unknown parameter: a 404, or, where the site leaves it out, page 1
    for page 2 at 200, a sitemap's second page never read with nothing said. Where the literal works (the site reads
    ``amp;page`` as ``page``), so does the unescaped. Not tried literal first: a wrong page at 200 is no failure."""

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location:
            written = location.decode("latin-1")
            read = query_ampersands(written)
            if read != written:
                response.headers["Location"] = read.encode("latin-1")
        return response


class OutletCookiesMiddleware:
    """Send an outlet's cookies (``cookies`` in its config table) with each of its requests,
    before the cookie middleware (700) files them under the host asked: a consent the user gave
    in a browser (NHK ONE's) opens pages that answer newsmon with a wall without it. Only on the
    outlet's own domains; with ``COOKIES_ENABLED`` off, as a Cookie header."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.cookies_enabled = crawler.settings.getbool("COOKIES_ENABLED")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        outlet = _outlet_of(self.crawler, request)
        if outlet is None or not outlet.cookies or not outlet.in_scope(request.url):
            return None
        if not self.cookies_enabled:
            request.headers.setdefault("Cookie", "; ".join(f"{name}={value}" for name, value in outlet.cookies))
            return None
        # Filed for the whole host (path "/"): without a path, the jar filed one copy under each
        # path asked, and sent every copy at once.
        own = request.cookies.items() if isinstance(request.cookies, dict) else ()
        listed = [] if isinstance(request.cookies, dict) else list(request.cookies)
        request.cookies = [*({"name": name, "value": value, "path": "/"} for name, value in outlet.cookies),
                           *({"name": name, "value": value} for name, value in own), *listed]
        return None


class OutletLanguageMiddleware:
    """Ask for each outlet's pages in its language (``Accept-Language``). Scrapy asks every site
    for English: a site of several editions may answer a Japanese outlet's URL with its English
    one, or send it there. Before the default headers (400), which only fill in what is unset;
    a user's own ``DEFAULT_REQUEST_HEADERS`` Accept-Language is sent as it is, to every site."""

    LANGUAGES = {"ja": "ja,en;q=0.5", "en": "en,ja;q=0.5"}

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        asked = crawler.settings.getdict("DEFAULT_REQUEST_HEADERS").get("Accept-Language")
        self.enabled = asked in (None, default_settings.DEFAULT_REQUEST_HEADERS["Accept-Language"])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        outlet = _outlet_of(self.crawler, request)
        if self.enabled and outlet is not None:
            request.headers.setdefault("Accept-Language", self.LANGUAGES.get(outlet.language, outlet.language))
        return None


class _Disallow:
    """A robots.txt that could not be read: RFC 9309 2.3.1.4, assume complete disallow."""

    def __init__(self, reason: str, *, stopped: bool = False) -> None:
        self.reason = reason
        self.stopped = stopped  # not read because the crawl was stopped: no answer of the host's

    def allowed(self, url, user_agent) -> bool:
        return False


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's answers to a robots.txt that fails.

    Scrapy parses whatever robots.txt returns, so a 503 error page (no rules in it) allows
    everything, and a network failure does too. RFC 9309: a 4xx robots.txt ("unavailable")
    allows all; a 5xx or no answer ("unreachable") means complete disallow. Such refusals are
    ``robots_unavailable``: the next run asks again. A URL robots.txt disallows is refused
    until robots.txt changes (``storage.frontier.robots_seen``).
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.db = store.crawler_db(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("NEWSMON_MAX_CRAWL_DELAY", 60.0)
        self.download_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self._crawl_delays: dict[str, float] = {}

    async def robot_parser(self, request):
        # Scrapy's own logs a traceback for every robots.txt it cannot fetch (a DNS failure, a
        # timeout); here that is an expected outcome with a one-line warning (_robots_error).
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots = Request(f"{url.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                             meta={"dont_obey_robotstxt": True, ROBOTS: True}, callback=NO_CALLBACK)
            try:
                response = await self.crawler.engine.download_async(robots)
                await self._parse_robots(response, netloc, request)
            except Exception as exc:  # any failure to fetch robots.txt is "unreachable" (RFC 9309)
                if isinstance(exc, Stopped):
                    # Dropped or cut short by the crawl's stop (``StopGraceMiddleware``): not the host's answer.
                    # Recorded as one, the outlet was "failing: robots.txt could not be fetched" and its feeds,
                    # sitemaps and sections refused. A 5xx, reset or timeout of the host's in the grace is its answer.
                    self._settle(netloc, _Disallow(f"robots.txt of {netloc} was not read: the crawl was stopped",
                                                   stopped=True))
                    logger.info("newsmon: robots.txt of %s not read: the crawl was stopped; asked again next run",
                                netloc)
                    return self._parsers[netloc]
                self._robots_error(exc, netloc)
            self.crawler.stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            # A Deferred of its own for each request that waits: the shared one passes its result
            # from callback to callback, and a future's callback returns None, so Scrapy's (which
            # awaits the shared one) gave the second and every later waiter None, "allowed", and
            # they went out before robots.txt was read, whatever it said.
            mine: Deferred = Deferred()

            def pass_on(result):
                mine.callback(result)
                return result

            parser.addCallback(pass_on)
            return await maybe_deferred_to_future(mine)
        return parser

    async def _parse_robots(self, response, netloc, request) -> None:
        status = response.status
        if 500 <= status < 600:
            self.crawler.stats.inc_value("newsmon/robots/unavailable")
            logger.warning("newsmon: %s/robots.txt answered HTTP %s: no page of %s is fetched this run "
                           "(RFC 9309: an unreachable robots.txt means disallow)", netloc, status, netloc)
            self._remember(netloc, status, None)
            self._settle(netloc, _Disallow(f"robots.txt of {netloc} answered HTTP {status}; RFC 9309 says "
                                           "assume complete disallow (asked again next time)"))
            return
        if 400 <= status < 500:
            # "Unavailable": no rules at all. Parse an empty file, not the error page's HTML.
            response = response.replace(body=b"")
        self._remember(netloc, status, hashlib.sha256(response.body).hexdigest())
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc) -> None:
        reason = f"robots.txt of {netloc} could not be fetched ({type(exc).__name__}: {exc}); RFC 9309 says " \
                 "assume complete disallow (asked again next time)"
        # Settled first: every request to the host waits on it, and a crawl whose robots.txt
        # stayed unsettled waited for ever (as it did when an older Scrapy's middleware failed).
        self._settle(netloc, _Disallow(reason))
        self.crawler.stats.inc_value("newsmon/robots/unavailable")
        logger.warning("newsmon: %s", reason)
        self._remember(netloc, None, None)

    def _settle(self, netloc, parser) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred) and not waiting.called:
            waiting.callback(parser)

    def _remember(self, netloc: str, status: int | None, sha256: str | None) -> None:
        try:
            if frontier.robots_seen(self.db, netloc, http_status=status, sha256=sha256):
                logger.info("newsmon: robots.txt of %s changed: the URLs it disallowed are pending again", netloc)
        except DatabaseUnwritable as exc:
            store.database_unwritable(self.crawler, exc)
        except Exception:  # bookkeeping must never cost the crawl its robots decision
            logger.exception("newsmon: could not record robots.txt of %s", netloc)

    def process_request_2(self, rp, request) -> None:
        if isinstance(rp, _Disallow) and not rp.stopped:
            # The host's robots.txt failed (in the stop's grace too): what waited for it is refused for that, sending
            # nothing, as without a stop; left ``Stopped``, the outlet's health never heard robots.txt was down.
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise Refused("robots_unavailable", rp.reason)
        if signame := stopped_by(self.crawler):
            # It waited for robots.txt while the crawl was asked to stop: not refused, not sent (StopGateMiddleware).
            raise stop(request, signame)
        if rp is None:  # never settled so (robot_parser): fetched unread, the host's rules unknown
            rp = _Disallow(f"robots.txt of {urlparse_cached(request).netloc} was not read; asked again next time")
        if isinstance(rp, _Disallow):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise Refused("robots_unavailable", rp.reason)
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc
            raise Refused("robots_disallow", f"robots.txt of {netloc} disallows it (refused until "
                                             "robots.txt changes)") from None
        if delay := self._crawl_delay(rp, request):
            self._pace(request, delay)

    def _crawl_delay(self, rp, request) -> float:
        """The seconds the host's robots.txt asks between two requests (``Crawl-delay``, for
        newsmon's user agent or ``*``), at most ``NEWSMON_MAX_CRAWL_DELAY``; 0 when it asks none.
        Not in RFC 9309, but a site that writes one says how hard it may be crawled, and Scrapy
        reads it (Protego) without acting on it."""
        netloc = urlparse_cached(request).netloc
        if netloc not in self._crawl_delays:
            agent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
            try:
                asked = rp.crawl_delay(agent) if hasattr(rp, "crawl_delay") else None
            except Exception:  # a third party's parser on any bytes a server sends
                asked = None
            delay = min(asked, self.max_crawl_delay) if asked and asked > 0 else 0.0
            if delay:
                logger.info("newsmon: robots.txt of %s asks for %s s between requests (Crawl-delay): honoured",
                            netloc, f"{asked:g}")
                if asked > delay:
                    logger.warning("newsmon: robots.txt of %s asks for %s s between requests; newsmon waits %s s "
                                   "(NEWSMON_MAX_CRAWL_DELAY)", netloc, f"{asked:g}", f"{delay:g}")
                self.crawler.stats.set_value(f"newsmon/robots/crawl_delay/{netloc}", delay)
            self._crawl_delays[netloc] = delay
        return self._crawl_delays[netloc]

    def _pace(self, request, delay: float) -> None:
        """Keep the host's download slot at least ``delay`` apart, without jitter (Scrapy's ±50 %
        would send half the requests sooner), and out of AutoThrottle's hands, which would
        lower it towards the server's latency; also for the slot Scrapy makes again after
        dropping an idle one (``DOWNLOAD_SLOTS``'s per-slot settings)."""
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        delay = max(delay, self.download_delay)
        # Scrapy 2.19 calls the jitter a number (``jitter``), 2.18 a flag (``randomize_delay``).
        steady = {"jitter": 0} if _SLOT_JITTER else {"randomize_delay": False}
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, **steady)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = delay
            for name, value in steady.items():
                setattr(slot, name, value)


class StrictDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, but a truncated or invalid body is an error, not a page.

    Scrapy returns whatever part of a cut gzip, deflate or br stream it could decode (half a
    page, which extraction would then store cut, or judge "no article" for good) and nothing of
    a cut zstd one (an "empty body"). Here each is ``Unusable`` ``bad_compression`` (tried again
    next run), and so is a body over DOWNLOAD_MAXSIZE once decompressed, with its sizes.
    """

    @staticmethod
    def _split_encodings(content_encoding: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        # "identity" changes nothing and an empty member names nothing (RFC 9110 8.4: "gzip," or an
        # empty header beside "gzip"): Scrapy stopped undoing at either and left the page in gzip,
        # "not an HTML page", where the ingest reads the same response (archives.content_codings).
        named = [coding for value in content_encoding for part in value.split(b",")
                 if (coding := part.strip().lower()) and coding != b"identity"]
        return HttpCompressionMiddleware._split_encodings(named)

    def _decode(self, body: bytes, encoding: bytes, max_size: int) -> bytes:  # type: ignore[override]
        name = encoding.decode("latin-1")
        try:
            return decompress(body, name, max_size)
        except LookupError:  # an encoding Scrapy learns after this was written: its decoder
            return super()._decode(body, encoding, max_size)
        except TooLarge:
            raise Unusable("too_large", f"over DOWNLOAD_MAXSIZE ({max_size:,} bytes) once decompressed "
                                        f"({len(body):,} bytes compressed): a compression bomb?") from None
        except Truncated as exc:
            raise Unusable("bad_compression", f"{exc} (a truncated response)") from None
        except Corrupt as exc:
            raise Unusable("bad_compression", f"the body is not valid {name} data: {exc}") from None


class CutShortMiddleware:
    """A page the server ended by closing the connection, with no Content-Length nor chunks to
    say where it ends (Scrapy flags the response ``partial``), that stops before its end tag is
    ``Unusable`` ``truncated``, tried again (``outcome.cut_short``): HTTP cannot tell such a cut
    from the end, and the article was stored with the paragraphs that came, as if whole. After
    the decompression (a cut gzip stream is its error already) and before the refreshes."""

    def process_response(self, request, response, spider=None):
        if "partial" in response.flags and 200 <= response.status < 300 and request.method != "HEAD" \
                and not request.meta.get("dont_obey_robotstxt"):  # robots.txt: its middleware's to judge
            if (problem := cut_short(response.body)) is not None:
                raise Unusable(problem.code, problem.reason)
        return response


#: ``http-equiv="refresh"`` in a page's bytes; and how far into a page one is looked for.
_REFRESH_TAG = re.compile(rb"""http-equiv\s*=\s*["']?refresh""", re.I)
_LATE_REFRESH_BYTES = 32 * 1024
#: A page this small with no text is read whole for a way on (its scripts, a refresh in its
#: ``<noscript>``): such a page is a few hundred bytes; an article page is tens of kilobytes. A
#: larger one only for a script that assigns ``location`` a string in its first
#: ``_STUB_SCRIPT_BYTES`` (``stubs.ASSIGNS``), followed when the page is a stub.
_WAY_ON_BYTES = 16 * 1024
_STUB_SCRIPT_BYTES = 64 * 1024


class BrowserRedirectMiddleware(MetaRefreshMiddleware):
    """The redirects a browser follows that are no 3xx, less a refresh to the page itself.

    - ``<meta http-equiv="refresh">`` (Scrapy's), except to the page itself: a live page
      (election night, a breaking-news page) reloads itself every minute. Followed as a
      redirect, the page came back with the same refresh, and ``ScopeMiddleware`` ended it as a
      redirect loop: the article was an error, then gave up. And one past the 4,096 characters
      Scrapy reads (``_late_refresh``): a moved article's stub in the site's template, with its
      long head, was stored as the article, and the article itself never fetched.
    - The HTTP ``Refresh`` header, which browsers read as that tag (PHP's
      ``header("Refresh: 0; url=…")``); Scrapy does not. On an empty 200 the article was an
      ``empty_body`` error, then given up.
    - A page with no text (under ``EMPTY_DOCUMENT_CHARS``) that is no wall, whose scripts send
      the browser to one URL (``location.replace("…")``, ``location.href = "…"``), or whose
      ``<noscript>`` holds a refresh (Scrapy skips ``noscript``): it was an empty document, a
      wall retried for a week and given up, its article never read. And a moved article's page
      in its outlet's template whose script goes on, when it shows no text of its own or says
      it moved (``stubs.is_stub``): it was stored as the article, or ``not_article``.

    Each way on is a redirect like any other: scope, walls, loops and ``REDIRECT_MAX_TIMES`` are
    checked on it, and the URL records where it led (``redirected_to``)."""

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_redirect") or request.method == "HEAD" \
                or urlparse_cached(request).scheme not in ("http", "https"):
            return response
        # Scrapy decodes the whole page to look for a refresh in its first 4,096 characters (130 µs
        # of a 100 KB page); three in four pages do not say "refresh" anywhere near their start.
        head = response.body[:_LATE_REFRESH_BYTES]
        mentioned = isinstance(response, HtmlResponse) and (b"refresh" in head.lower() or b"\x00" in head[:512])
        if mentioned:
            # Scrapy caches what it reads per response: its own process_response reads it again free.
            _, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            if url and self._no_way_on(self._first_refresh(response)):
                return response
            if url:
                # Not to javascript:, mailto: or tel: (no page: a browser does not go there, and
                # as a request it raised, and the article was a fetch_failed, then given up).
                return response if _same_page(url, response.url) or not _web_url(url) \
                    else super().process_response(request, response)
        if not 200 <= response.status < 300:
            return response
        how, url = "meta refresh", self._late_refresh(response) if mentioned else None
        if url is None and mentioned:
            url = self._declared_refresh(response)
        if url is None:
            how, url = "Refresh header", _refresh_header(response, self._maxdelay)
        if url is None and isinstance(response, HtmlResponse):
            how, url = _way_on(response, self._maxdelay, mentioned)
        if url is None or _same_page(url, response.url) or not _web_url(url):
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in ("http", "https"):
            return response
        return self._redirect(redirected, request, how)

    def _redirect_request_using_get(self, request, response, redirect_url):
        # Every way on of a page (Scrapy's meta refresh too), its query's ampersands written escaped read as "&", as a
        # redirect's Location is (``LocationAmpersandsMiddleware``): a refresh escaped twice ("&amp;amp;p=2"), a
        # Refresh header or a script written from an HTML template ("&amp;p=2") asked for the parameter "amp;p",
        # a site's page 1 for its page 2 at 200.
        return super()._redirect_request_using_get(request, response, query_ampersands(redirect_url))

    def _late_refresh(self, response) -> str | None:
        """A ``<meta http-equiv="refresh">`` past the 4,096 characters Scrapy reads for one (a CMS's
        long head: its moved-article stub keeps the site's template), in the page's first
        ``_LATE_REFRESH_BYTES``, as a browser reads it wherever it is. For a page that says
        "refresh" there (one in four, mostly in scripts)."""
        body = response.body
        end = min(len(body), _LATE_REFRESH_BYTES)
        found = _REFRESH_TAG.search(body, 0, end)
        if found is None or found.start() < 4096:  # Scrapy's reading found none there
            return None
        text = body[:end].decode(response.encoding or "utf-8", "replace")
        delay, url = w3lib_refresh(text, get_base_url(response), ignore_tags=self._ignore_tags)
        return url if url and delay is not None and delay < self._maxdelay else None

    def _declared_refresh(self, response) -> str | None:
        """A ``<meta http-equiv="refresh">`` whose content w3lib's pattern does not take but a
        browser follows (HTML's "shared declarative refresh steps"): ``0; url = /a``, ``0, url=/a``,
        ``0; /a``, `` 0 ; url = '/a' ``. Such a moved article's stub was an empty document, a
        bot wall retried for a week, and the article it leads to never fetched."""
        first = self._first_refresh(response)
        if first is None or self._no_way_on(first):
            return None  # a browser heeds the first refresh it can read (a reload, a long wait), no later one
        try:
            return urljoin(get_base_url(response), first[1])
        except ValueError:
            return None

    def _first_refresh(self, response) -> tuple[float, str] | None:
        """The first ``<meta http-equiv="refresh">`` a browser can read, (delay, URL or ""), the only one it heeds."""
        body = response.body[:_LATE_REFRESH_BYTES]
        if _REFRESH_TAG.search(body) is None:
            return None
        text = _NOSCRIPT.sub("", body.decode(response.encoding or "utf-8", "replace"))
        for tag in _META_REFRESH.findall(text):
            content = _CONTENT_ATTR.search(tag)
            parsed = _declarative_refresh(html.unescape(next(g for g in content.groups() if g is not None))) \
                if content else None
            if parsed is not None:
                return parsed
        return None

    def _no_way_on(self, first: tuple[float, str] | None) -> bool:
        """Whether a page's first refresh (``_first_refresh``) is a reload or a long wait, which a browser heeds alone:
        w3lib takes a later one too (2.6 reads ``0, url=/a``, which 2.5 did not), and a page reloading itself every
        10 minutes was left for the second refresh's page, the article it is never stored."""
        return first is not None and (not first[1] or first[0] >= self._maxdelay)


# What a browser does not read a refresh in: <noscript> (with scripts on), comments (IE's
# conditional ones: CNN's pages send IE 9 and older to "unsupported browser" so), scripts.
# Nor in <template>, <textarea>, <title>, <style>, <svg> or <math> (no HTML <meta> there).
_NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>|<!--.*?-->|<script\b.*?</script\s*>"
                       r"|<(template|textarea|title|style|svg|math|xmp|iframe)\b.*?</\1\s*>", re.I | re.S)
_META_REFRESH = re.compile(r"""<meta\b[^>]*?(?<![\w-])http-equiv\s*=\s*["']?refresh(?![\w-])[^>]*>""", re.I)
_CONTENT_ATTR = re.compile(r"""(?<![\w-])content\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_HTML_SPACE = " \t\n\f\r"


def _declarative_refresh(content: str) -> tuple[float, str] | None:
    """(delay, URL as written) of a refresh's ``content``, read as HTML's shared declarative
    refresh steps read it; ``None`` where a browser would not refresh."""
    rest = content.lstrip(_HTML_SPACE)
    time = re.match(r"([0-9]*)[0-9.]*", rest)  # ASCII digits: not ０ (\d takes any script's)
    if not time.group(0):
        return None
    delay, rest = float(time.group(1) or 0), rest[time.end():]
    if rest and rest[0] not in ";," + _HTML_SPACE:
        return None
    rest = rest.lstrip(_HTML_SPACE)
    rest = rest[1:] if rest[:1] in ";," else rest
    rest = rest.lstrip(_HTML_SPACE)
    named = re.match(rf"url[{_HTML_SPACE}]*=[{_HTML_SPACE}]*", rest, re.I)
    rest = rest[named.end():] if named else rest
    if rest[:1] in ("'", '"'):
        rest = rest[1:].split(rest[0], 1)[0]
    return delay, rest.strip(_HTML_SPACE)


def _web_url(url: str) -> bool:
    """Whether a way on leads to a web page (http, https, or relative): not ``javascript:``,
    ``mailto:``, ``tel:``, ``data:``."""
    scheme = url.strip().split(":", 1)[0].lower() if ":" in url else ""
    return not scheme or scheme in ("http", "https") or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme)


def _same_page(url: str, page: str) -> bool:
    """Whether a refresh to ``url`` reloads ``page``."""
    try:
        return canonical_url(url) == canonical_url(page)
    except ValueError:  # a refresh to no URL any parser takes: Scrapy's to judge
        return False


def _refresh_header(response, max_delay: float) -> str | None:
    """Where the ``Refresh`` header sends the browser now (``0; url=…``, under
    ``METAREFRESH_MAXDELAY`` seconds), resolved against the response's URL; ``None`` when it
    has no such header. Read by w3lib as the ``<meta>`` tag it stands for."""
    value = response.headers.get("Refresh")
    if not value:
        return None
    text = value.decode("latin-1")
    quote = next((q for q in "\"'" if q not in text), None)
    if quote is None:
        return None
    delay, url = w3lib_refresh(f"<meta http-equiv=refresh content={quote}{text}{quote}>", response.url)
    return url if url and delay is not None and delay < max_delay else None


def _way_on(response, max_delay: float, mentioned: bool) -> tuple[str, str | None]:
    """How (``script``, ``noscript refresh``) and to which one URL a page that stands for another
    sends the browser: a page with no text (under ``_WAY_ON_BYTES``), or a page of its outlet's
    template that shows no text of its own or says it moved (``stubs.is_stub``). No URL for
    any other page, for a script that sets a cookie first or waits ``max_delay`` seconds or
    more, and for a wall (a challenge's script goes on too). ``mentioned``: the page says
    "refresh" (its first ``_LATE_REFRESH_BYTES``, all of such a page)."""
    body = response.body
    bare = len(body) <= _WAY_ON_BYTES and (b"location" in body or mentioned) \
        and visible_chars(body, EMPTY_DOCUMENT_CHARS) < EMPTY_DOCUMENT_CHARS
    # A page that says more is read only for the scripts that assign ``location`` a string in
    # its first 64 KB, where a moved page's head or notice puts it; its encoding (Scrapy decodes
    # the page to find it) only then.
    if not bare and not assigns(body, _STUB_SCRIPT_BYTES):
        return "", None
    way = script_way(body, response.encoding, whole=bare, end=_STUB_SCRIPT_BYTES)
    if way.cookie:  # a script that sets a cookie first is a gate newsmon cannot pass so
        return "", None
    how, url = "script", way.target if way.delay < max_delay else None
    if not way.targets and bare:
        # Scrapy's get_meta_refresh caches its first reading, which skipped <noscript>.
        delay, found = w3lib_refresh(response.text, get_base_url(response), ignore_tags=())
        how, url = "noscript refresh", found if found and delay is not None and delay < max_delay else None
    if url is None or not (bare or _is_stub(response)):
        return "", None
    if detect_wall(response.status, wall_headers(response), body, response.url) is not None:
        return "", None
    return how, response.urljoin(url)


def _is_stub(response) -> bool:
    """``stubs.is_stub`` of a response: parsed only here, for a page that assigns one URL."""
    try:
        tree = lxml_html.document_fromstring(response.body, parser=lxml_html.HTMLParser(
            encoding=response.encoding or "utf-8"))
    except (etree.ParserError, ValueError):
        return False
    return is_stub(tree)


#: A child sitemap that has listed nothing new for this long (by newsmon's own reads) is an archive: while
#: its lastmod in its index stands still it is asked for once a ``NEWSMON_SITEMAP_RECHECK``
#: (``NewsSpider._children``), and its 304s are believed (``ConditionalGetMiddleware._live_sitemap``).
#: This month's, a category's or a news sitemap lists something new every day, and is asked for every run.
QUIET_FOR = timedelta(days=2)


class ConditionalGetMiddleware:
    """Send If-None-Match / If-Modified-Since for feeds and sitemaps, and pass the answers on.

    The state lives in the database (``feed_state``) so that a run every 15 minutes costs the
    outlet a 304 per unchanged feed. Only requests with ``meta["newsmon_conditional"]`` take part.
    A 200's validators are not written here but left in ``meta["newsmon_validators"]``: the
    spider writes them once it has recorded every URL the document listed
    (``NewsSpider._document_done``). Written here, a run killed before the spider read the
    document (or a sitemap index whose children were not read yet) would get a 304 next time,
    and what the document listed would never be fetched.
    """

    def __init__(self, db, stats, full_read_after: float = 3600.0) -> None:
        self.db = db
        self.stats = stats
        self.full_read_after = full_read_after

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSMON_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(store.crawler_db(crawler), crawler.stats,
                   parse_duration(crawler.settings.get("NEWSMON_FULL_READ_AFTER") or "1h", "NEWSMON_FULL_READ_AFTER"))

    def process_request(self, request):
        if not request.meta.get("newsmon_conditional"):
            return None
        if request.meta.get("redirect_urls"):
            # Sent on by a redirect, the request carries the validators of the address it was
            # sent from (a 301 never updates them): a moved feed was asked for with its old ETag,
            # never its own, and came back whole every run.
            for name in (b"If-None-Match", b"If-Modified-Since"):
                request.headers.pop(name, None)
        state = queries.get_feed_state(self.db, request.url)
        if state and self._due_whole(state.get("read_at")) and (
                request.meta.get("newsmon_discovery") == "feed" or state.get("news")
                or self._live_sitemap(state, request.meta.get("newsmon_outlet"))):
            # A server may answer 304 while its feed changes (a Last-Modified that is the
            # template's, a CDN's stale copy): every new entry hidden, each run "not modified".
            # Read whole now and then, the loss is bounded; a feed is a few kilobytes, and so
            # is a Google News sitemap (not an archive sitemap: up to 50 MB).
            self.stats.inc_value("newsmon/discovery/full_read")
            return None
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
            validators = {"url": request.url,
                          "etag": etag.decode("latin-1") if etag else previous.get("etag"),
                          "last_modified": modified.decode("latin-1") if modified else previous.get("last_modified"),
                          "status": response.status,
                          "index_lastmod": request.meta.get("newsmon_index_lastmod")}
            if response.status == 304:  # nothing new to read: the state stays as it was
                if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
                    # Not for a 304 to a request that named no copy: its validators, kept, had
                    # the next request name a copy newsmon never read, and "not modified" stood.
                    queries.set_feed_state(self.db, **validators)
            else:
                request.meta["newsmon_validators"] = validators
        return response

    def _live_sitemap(self, state: dict, outlet: str | None) -> bool:
        """Whether a sitemap whose server answers 304 may hide what it lists now, as a feed's may: an index
        (the new month's child is named there alone: its 304 had the children it listed before asked for,
        for ever), or one that lists the day's articles (``health.live_sitemap``: an entry dated, or a new
        article listed after its first read, within ``QUIET_FOR``, or what last listed something new of
        ``outlet``). Not an archive, which lists nothing new (up to 50 MB, read whole for nothing). Never read
        whole again, a sitemap-only outlet read "not modified" and "ok" every run, its new articles never seen."""
        since = (datetime.now(timezone.utc) - QUIET_FOR).isoformat(timespec="seconds")
        return bool(state.get("children")) or live_sitemap(self.db, state["url"], since, outlet)

    def _due_whole(self, read_at: str | None) -> bool:
        if read_at is None:
            return True
        read = datetime.fromisoformat(read_at)
        return (datetime.now(timezone.utc) - read).total_seconds() >= self.full_read_after


class UnwritableDatabaseMiddleware:
    """Spider middleware: a callback's (or an HTTP error's errback's) write that found the database
    unwritable (locked by another process, a full disk) stops the crawl (``store.database_unwritable``)
    instead of logging a traceback for every feed, sitemap and section read until it closes.
    What the document listed after it is listed again next run: its conditional-GET validators
    are written only once it is read whole."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_exception(self, response, exception, spider=None):
        if isinstance(exception, DatabaseUnwritable):
            store.database_unwritable(self.crawler, exception)
            return []
        return None


def keep_validators(db, meta: dict) -> None:
    """Write the validators ``ConditionalGetMiddleware`` left in a request's ``meta``, if any."""
    validators = meta.pop("newsmon_validators", None)
    if validators:
        queries.set_feed_state(db, **validators)


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
                # The last try spent waits for nothing: it is given up (the run's end waited for it,
                # up to NEWSMON_MAX_RETRY_AFTER a document or page).
                if request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retry_times):
                    self.crawler.stats.inc_value("newsmon/retry_after/waited")
                    # Only this response waits; the reactor keeps serving other requests. A stop ends the wait:
                    # in neither the downloader's queue nor its transfers, the request held a stopped crawl up to
                    # NEWSMON_MAX_RETRY_AFTER (120 s; the schedule kills a crawl 30 s after its SIGTERM).
                    loop = asyncio.get_running_loop()
                    until = loop.time() + wait
                    while (left := until - loop.time()) > 0:
                        if signame := stopped_by(self.crawler):
                            raise stop(request, signame)
                        await asyncio.sleep(min(left, 0.25))
        return super().process_response(request, response)
