"""A news site on 127.0.0.1 that serves real saved pages behind feeds, sitemaps and a section page.

No news site can be reached from where newsmon is developed and tested, and the pages it must
read are the outlets' own, so this module builds a site around them: each saved article (see
``tests/fixtures/saved/MANIFEST.tsv``) is served byte-for-byte at ``/site/<host><path>`` of its
original URL, and the discovery documents a crawler starts from are generated to point at them.
``newsmon demo`` and the end-to-end tests both run it; a human can too::

    python -m crawler.testsite --port 8000

URL layout (all under ``http://127.0.0.1:<port>``):

* ``/site/<host><path>``: an article, e.g. ``/site/www.asahi.com/articles/AST1F4445T1FUTIL02SM.html``
* ``/rss.xml`` (RSS 2.0) and ``/atom.xml`` (Atom): the articles placed in the ``feed``
* ``/sitemap.xml``: a sitemap index of ``/sitemap-news.xml`` (Google News: the newest few) and
  ``/sitemap-1.xml`` (all); both list only articles placed in the ``sitemap``
* ``/news/``: the section page: links to the articles placed in the ``section``, to pages that are
  not articles (``/about/``, ``/tag/defense/``) and to ``/private/secret.html``
* ``/robots.txt``: everything allowed but ``/private/``
* ``/``: a home page linking to the above

Generated documents and articles carry an ETag and a Last-Modified and answer 304 to a
matching If-None-Match / If-Modified-Since. Articles written for a test (``publish_html``) can
be served too, and changed later (``update_html``), as outlets update their articles. Every
request is logged, and faults (error statuses, slow responses) can be injected at run time. Only the standard library (and newsmon's own page
readers, to give feed items their title and date) is used.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import hashlib
import html
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from lxml import etree, html as lxml_html

from .dates import JST, normalise_date, parse_http_date
from .encoding import decode_html
from .metadata import ld_text, read_meta

Channel = Literal["feed", "sitemap", "section"]
ALL_CHANNELS: frozenset[Channel] = frozenset(("feed", "sitemap", "section"))

HOME_PATH = "/"
RSS_PATH = "/rss.xml"
ATOM_PATH = "/atom.xml"
SITEMAP_PATH = "/sitemap.xml"
NEWS_SITEMAP_PATH = "/sitemap-news.xml"
ARCHIVE_SITEMAP_PATH = "/sitemap-1.xml"
SECTION_PATH = "/news/"
ROBOTS_PATH = "/robots.txt"
ARTICLE_PREFIX = "/site/"
#: Linked from the section page, but not articles: a crawler must not store them.
NON_ARTICLE_PATHS = ("/about/", "/tag/defense/")
#: Linked from the section page and disallowed by robots.txt: a polite crawler never fetches it.
PRIVATE_PATH = "/private/secret.html"

SITE_NAME = "newsmon test site"
# Stands in for the date of a page that states none, in its URL or in MANIFEST: old enough to
# sort after every dated page in the feeds.
UNDATED = datetime(2000, 1, 1, tzinfo=JST)

_DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "saved"
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# 2020/02/18 or 20190411 in an article URL; the day may run on into an ID (AJ201710240039).
_URL_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)(?:/(\d\d)/(\d\d)|(\d\d)(\d\d))")
_CRAWL_DATE = re.compile(r"crawl_date (\d{4}-\d\d-\d\d)")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ARTICLE_DATE_META = ("article:published_time", "og:article:published_time", "pubdate",
                      "publishdate", "date", "dc.date", "dcterms.created", "datepublished")


@dataclass(frozen=True)
class SiteArticle:
    """One saved article as the test site publishes it."""

    #: Its path in MANIFEST.tsv (``local_file``), relative to the saved-pages directory.
    relpath: str
    #: Where it is served: ``/site/<host><path>`` of the original URL (query dropped).
    path: str
    #: The URL the page was saved from, or ``None`` when MANIFEST does not know it.
    original_url: str | None
    outlet: str
    language: str
    title: str
    #: Its date in the feeds and sitemaps (timezone-aware).
    published: datetime
    #: Where ``published`` came from: ``page`` (its own metadata), ``url``, ``manifest``, ``none``.
    date_source: str
    #: The discovery documents that list it; empty means served but linked from nowhere.
    channels: frozenset[Channel] = ALL_CHANNELS
    #: When it was last updated, as the Atom feed's ``<updated>`` says (``published`` until then).
    updated: datetime | None = None


@dataclass
class LoggedRequest:
    """One request the site received. ``status`` is ``None`` until the response is sent."""

    method: str
    path: str
    query: str
    #: All request headers, names in lower case.
    headers: dict[str, str]
    time: float
    status: int | None = None

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")

    @property
    def if_none_match(self) -> str | None:
        return self.headers.get("if-none-match")

    @property
    def if_modified_since(self) -> str | None:
        return self.headers.get("if-modified-since")


@dataclass
class _Fault:
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    #: How many more requests it applies to; ``None``: until removed.
    times: int | None = None
    #: A whole answer instead of the generic error page (``LoopbackSite.answer``).
    body: bytes | None = None
    headers: dict[str, str] | None = None


@dataclass
class _Document:
    body: bytes
    content_type: str
    etag: str
    last_modified: int


def read_manifest(root: Path) -> dict[str, dict[str, str]]:
    """The rows of ``root/MANIFEST.tsv`` by ``local_file``."""
    with open(root / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        return {row["local_file"]: row for row in csv.DictReader(f, delimiter="\t")}


def default_pages(root: Path | None = None) -> list[str]:
    """Every article of a news outlet in MANIFEST, one per original URL.

    Two saved pages of one URL cannot both be served at its path; the first in MANIFEST wins.
    """
    rows = read_manifest(_check_root(root))
    seen: set[str] = set()
    pages: list[str] = []
    for relpath, row in rows.items():
        # The extraction benchmarks' pages of other sites (Scrapinghub, the generic-extraction
        # set marked "[generic…]") are not the Japanese outlets the site stands for.
        if (row["page_kind"] != "article" or relpath.startswith("scrapinghub-benchmark/")
                or "[generic" in row["outlet"]):
            continue
        path = _served_path(relpath, row["original_url_if_known"] or None)
        if path not in seen:
            seen.add(path)
            pages.append(relpath)
    return pages


def _check_root(root: Path | str | None) -> Path:
    path = Path(root) if root is not None else _DEFAULT_ROOT
    if not (path / "MANIFEST.tsv").is_file():
        hint = "" if root is not None else (
            "; the saved pages ship with the source, not the package: "
            "run from a source checkout (pip install -e .)")
        raise FileNotFoundError(f"no saved pages at {path} (MANIFEST.tsv missing){hint}")
    return path


def _served_path(relpath: str, original_url: str | None) -> str:
    if not original_url:
        return f"{ARTICLE_PREFIX}saved/{relpath}"
    parts = urlsplit(original_url)
    return f"{ARTICLE_PREFIX}{parts.hostname}{parts.path or '/'}"


def _read_saved(root: Path, relpath: str) -> bytes:
    path = root / relpath
    if path.is_file():
        return path.read_bytes()
    gz = root / (relpath + ".gz")
    if gz.is_file():
        return gzip.decompress(gz.read_bytes())
    raise FileNotFoundError(f"saved page {relpath} is in MANIFEST.tsv but not in {root}")


def _page_date(meta_date: str | None, url: str | None, notes: str) -> tuple[datetime, str]:
    iso = normalise_date(meta_date)
    if iso:
        value = datetime.fromisoformat(iso)
        return (value if value.tzinfo else value.replace(tzinfo=JST)), "page"
    m = _URL_DATE.search(urlsplit(url or "").path)
    if m:
        y, mo, d = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
        try:
            return datetime(int(y), int(mo), int(d), tzinfo=JST), "url"
        except ValueError:
            pass
    m = _CRAWL_DATE.search(notes)
    if m:
        return datetime.fromisoformat(m.group(1)).replace(tzinfo=JST), "manifest"
    return UNDATED, "none"


def _describe(relpath: str, row: dict[str, str], data: bytes, channels: frozenset[Channel]) -> SiteArticle:
    """Title and date from the page's own metadata (cheap: no extraction), else from MANIFEST."""
    url = row["original_url_if_known"] or None
    title = meta_date = None
    text = decode_html(data)[0]
    try:
        tree = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"),
                                             parser=lxml_html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        tree = None
    if tree is not None:
        page = read_meta(tree, url)
        title = page.get("og:title") or page.html_title
        meta_date = ld_text(page.jsonld.get("datePublished")) or page.get(*_ARTICLE_DATE_META)
    published, source = _page_date(meta_date, url, row.get("notes", ""))
    return SiteArticle(
        relpath=relpath, path=_served_path(relpath, url), original_url=url, outlet=row["outlet"],
        language=row["language"], title=" ".join((title or relpath).split()), published=published,
        date_source=source, channels=channels,
    )


def _xml(text: str) -> str:
    return escape(_XML_INVALID.sub("", text), {'"': "&quot;"})


def _http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


class _QuietServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawl opening 16 connections at once
    # overflowed it, and each dropped SYN came back a second later (the kernel's retransmit
    # timeout), a second in which the crawl waited for pages a real site would have served.
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        # A crawler that drops a connection (a page over its size limit, a timeout) is normal
        # here, not something to print a traceback for.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class LoopbackSite:
    """The test site: saved articles plus generated feeds, sitemaps and section page.

    Example::

        with LoopbackSite(["fundus-jp/AsahiShimbun_2025_01_13.html"]) as site:
            urllib.request.urlopen(site.url(RSS_PATH))
            assert site.article_requests() == []

    Args:
        pages: MANIFEST paths of the articles to publish; default: ``default_pages()``.
        root: the saved-pages directory (with MANIFEST.tsv); default: the source checkout's.
        placement: per page, the channels that list it (``feed``, ``sitemap``, ``section``);
            pages not named here are in all three.
        http_charset: ``"declared"`` sends the charset the page declares in its ``<meta>``
            (none if it declares none), ``"none"`` never sends one, any other value is sent
            for every article (a server that lies about its pages).
        port: 0 for any free port.
        news_sitemap_size: how many of the newest sitemap articles the news sitemap lists.
        echo: called with each request once answered (the command line prints them).
        host: the loopback address to listen on (``127.0.0.2`` for a second outlet's host).
        article_validators: send ETag/Last-Modified with articles and answer their conditional
            requests (False: a server that always sends the whole page).
    """

    def __init__(
        self,
        pages: Iterable[str] | None = None,
        *,
        root: Path | str | None = None,
        placement: Mapping[str, Iterable[Channel]] | None = None,
        http_charset: str = "declared",
        port: int = 0,
        news_sitemap_size: int = 5,
        echo: Callable[[LoggedRequest], None] | None = None,
        host: str = "127.0.0.1",
        article_validators: bool = True,
    ) -> None:
        if not host.startswith("127."):
            raise ValueError(f"host {host!r}: the test site listens on loopback addresses (127.x.x.x) only")
        self._host = host
        self._article_validators = article_validators
        self._stamps: dict[str, int] = {}  # Last-Modified of each article, by served path
        self.root = _check_root(root)
        self._manifest = read_manifest(self.root)
        self._http_charset = http_charset
        self._port = port
        self._news_size = news_sitemap_size
        self._echo = echo
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._log: list[LoggedRequest] = []
        self._faults: dict[str, _Fault] = {}
        self._not_modified_always: set[str] = set()  # paths whose 304s are wrong (lie_not_modified)
        self._aliases: dict[str, str] = {}  # a path that serves another's document (serve_as)
        self._consent: str | None = None  # the "name=value" cookie its articles ask for (require_consent)
        self._articles: dict[str, SiteArticle] = {}  # by served path
        self._bodies: dict[str, bytes] = {}  # by served path
        self._documents: dict[str, _Document] = {}
        self._built_for = -1  # the revision self._documents were built for
        self._revision = 0  # counts publications
        self._stamp = 0  # Last-Modified of the documents that changed in the latest build
        pages = default_pages(self.root) if pages is None else list(pages)
        placement = dict(placement or {})
        unknown = set(placement) - set(pages)
        if unknown:
            raise ValueError(f"placement names pages that are not published: {sorted(unknown)}")
        for relpath in pages:
            self._publish(relpath, placement.get(relpath, ALL_CHANNELS))

    # -- articles ---------------------------------------------------------------------------

    def _publish(self, relpath: str, channels: Iterable[Channel]) -> SiteArticle:
        chosen = frozenset(channels)
        if not chosen <= ALL_CHANNELS:
            raise ValueError(f"{relpath}: unknown channel(s) {sorted(chosen - ALL_CHANNELS)}; "
                             f"use {sorted(ALL_CHANNELS)}")
        row = self._manifest.get(relpath)
        if row is None:
            raise ValueError(f"{relpath} is not in {self.root / 'MANIFEST.tsv'}: pass its local_file")
        data = _read_saved(self.root, relpath)
        return self._serve_article(_describe(relpath, row, data, chosen), data)

    def _serve_article(self, article: SiteArticle, data: bytes) -> SiteArticle:
        with self._lock:
            taken = self._articles.get(article.path)
            if taken is not None:
                raise ValueError(f"{article.relpath} would be served at {article.path}, where "
                                 f"{taken.relpath} already is (same original URL)")
            self._articles[article.path] = article
            self._bodies[article.path] = data
            self._stamps[article.path] = self._next_stamp(article.path)
            self._revision += 1
        return article

    def _next_stamp(self, path: str) -> int:
        # Whole seconds, as HTTP dates: a changed article gets a later second than before.
        return max(int(time.time()), self._stamps.get(path, 0) + 1)

    def publish_html(self, path: str, body: str | bytes, *, title: str, published: datetime,
                     channels: Iterable[Channel] = ALL_CHANNELS, outlet: str = SITE_NAME,
                     language: str = "ja") -> SiteArticle:
        """Publish an article written for a test (not a saved page) at ``path``
        (``/site/<anything>``), listed in ``channels`` under ``title`` and ``published``."""
        if not path.startswith(ARTICLE_PREFIX):
            raise ValueError(f"{path}: articles are served under {ARTICLE_PREFIX}")
        chosen = frozenset(channels)
        if not chosen <= ALL_CHANNELS:
            raise ValueError(f"{path}: unknown channel(s) {sorted(chosen - ALL_CHANNELS)}; use {sorted(ALL_CHANNELS)}")
        data = body.encode("utf-8") if isinstance(body, str) else body
        article = SiteArticle(relpath=f"html:{path}", path=path, original_url=None, outlet=outlet, language=language,
                              title=title, published=published, date_source="page", channels=chosen)
        return self._serve_article(article, data)

    def update_html(self, path: str, body: str | bytes, *, updated: datetime | None = None) -> None:
        """Change a published article's page, as an outlet updates an article: new bytes, a new
        ETag and a later Last-Modified; its place in the feeds stays. ``updated``: the Atom feed
        dates its entry so from now on (an outlet that says when it updated)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            if path not in self._articles:
                raise KeyError(path)
            self._bodies[path] = data
            self._stamps[path] = self._next_stamp(path)
            if updated is not None:
                self._articles[path] = dataclasses.replace(self._articles[path], updated=updated)
                self._revision += 1

    def unlist(self, path: str) -> None:
        """Take a published article off every feed, sitemap and section, as they roll over; its
        page is still served."""
        with self._lock:
            self._articles[path] = dataclasses.replace(self._articles[path], channels=frozenset())
            self._revision += 1

    def add_article(self, relpath: str, channels: Iterable[Channel] = ALL_CHANNELS) -> SiteArticle:
        """Publish one more article: it is served, and listed in ``channels`` from now on."""
        return self._publish(relpath, channels)

    @property
    def articles(self) -> list[SiteArticle]:
        """The published articles, in the order they were published."""
        with self._lock:
            return list(self._articles.values())

    def article(self, relpath: str) -> SiteArticle:
        """The published article saved as ``relpath``."""
        for article in self.articles:
            if article.relpath == relpath:
                return article
        raise KeyError(relpath)

    def article_urls(self) -> dict[str, SiteArticle]:
        """Every served article URL, with what it stands for (``.original_url``)."""
        return {self.url(a.path): a for a in self.articles}

    # -- server -----------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen on 127.0.0.1 (or the loopback ``host`` given), only: the pages are the publishers' and
        are not ours to share."""
        if self._server is not None or self._stopping.is_set():
            raise RuntimeError("a LoopbackSite starts once; make a new one")
        server = _QuietServer((self._host, self._port), _Handler)
        server.site = self  # type: ignore[attr-defined]
        server.daemon_threads = True
        self._server = server
        # A short poll interval: stop() waits up to one interval, and tests stop many sites.
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="newsmon-testsite", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; responses held by ``hang`` are released at once."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (or the ``host`` given), without a trailing slash; known once started."""
        if self._server is None:
            raise RuntimeError("the site is not started: call start() or use it in a with block")
        return f"http://{self._host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of a site path (``site.url(RSS_PATH)``)."""
        return self.base_url + path

    def outlet_config(self, name: str = "Test site (saved pages)", language: str = "ja") -> dict[str, str | list[str]]:
        """The ``[outlets.<key>]`` table that makes newsmon crawl this site."""
        return {
            "name": name,
            "language": language,
            "feeds": [self.url(RSS_PATH), self.url(ATOM_PATH)],
            "sitemaps": [self.url(SITEMAP_PATH)],
            "start_urls": [self.url(SECTION_PATH)],
            "article_url_pattern": "^" + re.escape(self.url(ARTICLE_PREFIX)),
        }

    def toml_snippet(self, key: str = "testsite") -> str:
        """``outlet_config()`` as TOML, ready to paste into a config file."""
        lines = [f"[outlets.{key}]"]
        for name, value in self.outlet_config().items():
            items = value if isinstance(value, list) else [value]
            quoted = [_toml_string(v) for v in items]
            lines.append(f"{name} = " + (f"[{', '.join(quoted)}]" if isinstance(value, list) else quoted[0]))
        return "\n".join(lines) + "\n"

    # -- request log ------------------------------------------------------------------------

    def requests(self) -> list[LoggedRequest]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._log)

    def article_requests(self) -> list[LoggedRequest]:
        """The requests of article paths (served or not)."""
        return [r for r in self.requests() if r.path.startswith(ARTICLE_PREFIX)]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- faults -----------------------------------------------------------------------------

    def fail(self, path: str, status: int, *, retry_after: int | None = None, times: int | None = None,
             delay: float = 0.0) -> None:
        """Answer ``path`` (a site path or URL) with ``status``, ``times`` times or until removed,
        after ``delay`` seconds.

        ``retry_after`` (seconds) is sent as Retry-After, as servers do with 503 and 429.
        """
        with self._lock:
            self._faults[_path_of(path)] = _Fault(status=status, retry_after=retry_after, times=times, delay=delay)

    def answer(self, path: str, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None, *,
               times: int | None = None, delay: float = 0.0) -> None:
        """Answer ``path`` with this status, body and headers (a wall, a moved feed, an empty one),
        after ``delay`` seconds (a slow document, read after the others)."""
        with self._lock:
            self._faults[_path_of(path)] = _Fault(status=status, times=times, body=body, delay=delay,
                                                  headers={"Content-Type": "text/html; charset=utf-8",
                                                           **dict(headers or {})})

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """Redirect ``path`` to ``to`` (a path or URL), as a site does when it moves a page."""
        self.answer(path, status, b"", {"Location": to})

    def serve_as(self, path: str, document: str) -> None:
        """Serve the generated ``document`` (a feed's path) at ``path`` too, its validators with
        it: where a feed moved to (``redirect`` its old path there)."""
        with self._lock:
            self._aliases[_path_of(path)] = _path_of(document)

    def hang(self, path: str, seconds: float, *, times: int | None = None) -> None:
        """Wait ``seconds`` before answering ``path``, ``times`` times or until removed."""
        with self._lock:
            self._faults[_path_of(path)] = _Fault(delay=seconds, times=times)

    def lie_not_modified(self, path: str, lie: bool = True) -> None:
        """Answer every conditional request of ``path`` (If-None-Match, If-Modified-Since) with
        304, whatever it now holds, as a server whose Last-Modified is its template's does; an
        unconditional request still gets the document."""
        with self._lock:
            (self._not_modified_always.add if lie else self._not_modified_always.discard)(_path_of(path))

    def require_consent(self, cookie: str | None) -> None:
        """Answer every article request without the cookie ``cookie`` ("name=value") as NHK ONE
        answers one without its consent cookie: 401 and a JSON error naming the JWT token.
        ``None`` opens the articles again."""
        with self._lock:
            self._consent = cookie

    def remove_fault(self, path: str) -> None:
        with self._lock:
            self._faults.pop(_path_of(path), None)

    # -- serving ----------------------------------------------------------------------------

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            fault = self._faults.get(path)
            if fault is not None and fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[path]
            return fault

    def _documents_now(self) -> dict[str, _Document]:
        """The generated documents as of now, rebuilt after a publication."""
        with self._lock:
            if self._built_for != self._revision:
                self._rebuild()
            return self._documents

    def _rebuild(self) -> None:
        # Called with the lock held. HTTP dates have whole seconds: a build that changes
        # anything gets a later second than the build before, or an If-Modified-Since sent back
        # within the same second would wrongly get a 304.
        stamp = max(int(time.time()), self._stamp + 1) if self._stamp else int(time.time())
        articles = sorted(self._articles.values(), key=lambda a: (a.published, a.path), reverse=True)
        base = self.base_url
        docs: dict[str, _Document] = {}

        def put(path: str, body: str, content_type: str) -> None:
            data = body.encode("utf-8")
            old = self._documents.get(path)
            # A document whose bytes did not change keeps its validators.
            if old is not None and old.body == data:
                docs[path] = old
            else:
                etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
                docs[path] = _Document(data, content_type, etag, stamp)

        in_feed = [a for a in articles if "feed" in a.channels]
        in_sitemap = [a for a in articles if "sitemap" in a.channels]
        in_section = [a for a in articles if "section" in a.channels]
        put(RSS_PATH, _rss(base, in_feed), "application/rss+xml; charset=utf-8")
        put(ATOM_PATH, _atom(base, in_feed), "application/atom+xml; charset=utf-8")
        put(NEWS_SITEMAP_PATH, _news_sitemap(base, in_sitemap[: self._news_size]), "application/xml; charset=utf-8")
        put(ARCHIVE_SITEMAP_PATH, _sitemap(base, in_sitemap), "application/xml; charset=utf-8")
        children = [(base + p, docs[p].last_modified) for p in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH)]
        put(SITEMAP_PATH, _sitemap_index(children), "application/xml; charset=utf-8")
        put(SECTION_PATH, _section(in_section), "text/html; charset=utf-8")
        put(ROBOTS_PATH, f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}{SITEMAP_PATH}\n",
            "text/plain; charset=utf-8")
        for path, body in _static_pages().items():
            put(path, body, "text/html; charset=utf-8")
        if any(doc.last_modified == stamp for doc in docs.values()):
            self._stamp = stamp
        self._documents, self._built_for = docs, self._revision

    def _respond(self, handler: BaseHTTPRequestHandler, send_body: bool) -> None:
        parts = urlsplit(handler.path)
        entry = LoggedRequest(handler.command, parts.path, parts.query,
                              {k.lower(): v for k, v in handler.headers.items()}, time.time())
        with self._lock:
            self._log.append(entry)
        status, headers, body = self._answer(entry)
        entry.status = status
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            if status != 304:
                handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if send_body and status != 304:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to tell it
        if self._echo is not None:
            self._echo(entry)

    def _answer(self, entry: LoggedRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            lying = entry.path in self._not_modified_always
        if lying and ("if-none-match" in entry.headers or "if-modified-since" in entry.headers):
            return 304, {}, b""
        fault = self._take_fault(entry.path)
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.body is not None:
            return fault.status or 200, dict(fault.headers or {}), fault.body
        if fault is not None and fault.status is not None:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return fault.status, headers, f"<h1>Error {fault.status}</h1>\n".encode()
        with self._lock:
            article = self._articles.get(entry.path)
            body = self._bodies.get(entry.path)
            stamp = self._stamps.get(entry.path, 0)
            consent = self._consent
        sent = [c.strip() for c in entry.headers.get("cookie", "").split(";")]
        if article is not None and consent is not None and consent not in sent:
            return 401, {"Content-Type": "application/json"}, b'{"error": "invalid JWT token", "status": 401}'
        if article is not None and body is not None:
            content_type = "text/html"
            charset = self._charset_for(body)
            if charset:
                content_type += f"; charset={charset}"
            if not self._article_validators:
                return 200, {"Content-Type": content_type}, body
            doc = _Document(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"', stamp)
            validators = {"ETag": doc.etag, "Last-Modified": _http_date(stamp)}
            if _not_modified(entry.headers, doc):
                return 304, validators, b""
            return 200, {"Content-Type": content_type, **validators}, body
        with self._lock:
            served = self._aliases.get(entry.path, entry.path)
        doc = self._documents_now().get(served)
        if doc is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Not Found</h1>\n"
        headers = {"Content-Type": doc.content_type, "ETag": doc.etag,
                   "Last-Modified": _http_date(doc.last_modified)}
        if _not_modified(entry.headers, doc):
            return 304, {"ETag": doc.etag, "Last-Modified": headers["Last-Modified"]}, b""
        return 200, headers, doc.body

    def _charset_for(self, body: bytes) -> str | None:
        if self._http_charset == "none":
            return None
        if self._http_charset == "declared":
            m = _META_CHARSET.search(body[:16384])
            return m.group(1).decode("ascii") if m else None
        return self._http_charset


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsmon-testsite"
    # An idle keep-alive connection is dropped after this, so a long-running demo does not
    # collect threads.
    timeout = 60

    def do_GET(self) -> None:
        self.server.site._respond(self, send_body=True)  # type: ignore[attr-defined]

    def do_HEAD(self) -> None:
        self.server.site._respond(self, send_body=False)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        pass  # the site keeps its own log; see LoopbackSite.requests()


def _path_of(path_or_url: str) -> str:
    return urlsplit(path_or_url).path or "/"


def _not_modified(headers: Mapping[str, str], doc: _Document) -> bool:
    # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110, 13.2.2).
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or doc.etag in tags
    ims = headers.get("if-modified-since")
    if ims is None:
        return False
    since = parse_http_date(ims)
    if since is None:
        return False
    return doc.last_modified <= since.timestamp()


def _toml_string(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{out}"'


def _newest(articles: list[SiteArticle]) -> datetime:
    return max((a.published for a in articles), default=UNDATED)


def _rss(base: str, articles: list[SiteArticle]) -> str:
    items = "".join(
        f"<item><title>{_xml(a.title)}</title><link>{_xml(base + a.path)}</link>"
        f'<guid isPermaLink="true">{_xml(base + a.path)}</guid>'
        f"<pubDate>{format_datetime(a.published)}</pubDate></item>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>{SITE_NAME}</title><link>{base}{SECTION_PATH}</link>"
        f"<description>Saved articles of Japanese outlets</description><language>ja</language>"
        f"<lastBuildDate>{format_datetime(_newest(articles))}</lastBuildDate>\n{items}</channel></rss>\n"
    )


def _atom(base: str, articles: list[SiteArticle]) -> str:
    entries = "".join(
        f"<entry><title>{_xml(a.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{_xml(base + a.path)}"/>'
        f"<id>{_xml(base + a.path)}</id><published>{a.published.isoformat()}</published>"
        f"<updated>{(a.updated or a.published).isoformat()}</updated></entry>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<title>{SITE_NAME}</title><id>{base}{ATOM_PATH}</id>'
        f'<link rel="self" href="{base}{ATOM_PATH}"/><link rel="alternate" href="{base}{SECTION_PATH}"/>'
        f"<updated>{_newest(articles).isoformat()}</updated><author><name>{SITE_NAME}</name></author>\n"
        f"{entries}</feed>\n"
    )


_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(entries: str, *, news: bool = False) -> bytes:
    """A sitemap around ``entries`` (``<url>`` elements, as written), declaring the Google News
    namespace when ``news``: what a test serves in place of one of the site's sitemaps."""
    namespace = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_URLSET}{namespace}>{entries}</urlset>\n'.encode()


def _publication_name(outlet: str) -> str:
    # MANIFEST notes in brackets ("[extra]") are ours, not the outlet's name.
    return re.sub(r"\s*\[.*?\]", "", outlet)


def _news_sitemap(base: str, articles: list[SiteArticle]) -> str:
    urls = "".join(
        f"<url><loc>{_xml(base + a.path)}</loc><news:news><news:publication>"
        f"<news:name>{_xml(_publication_name(a.outlet))}</news:name>"
        f"<news:language>{_xml(a.language)}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{_xml(a.title)}</news:title></news:news></url>\n"
        for a in articles
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _URLSET
            + ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n")


def _sitemap(base: str, articles: list[SiteArticle]) -> str:
    urls = "".join(f"<url><loc>{_xml(base + a.path)}</loc><lastmod>{a.published.isoformat()}</lastmod></url>\n"
                   for a in articles)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _URLSET + ">\n" + urls + "</urlset>\n"


def _sitemap_index(children: list[tuple[str, int]]) -> str:
    entries = "".join(
        f"<sitemap><loc>{_xml(url)}</loc>"
        f"<lastmod>{datetime.fromtimestamp(ts, timezone.utc).isoformat()}</lastmod></sitemap>\n"
        for url, ts in children
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f" | {SITE_NAME}</title></head>\n<body>\n{body}\n</body></html>\n")


def _section(articles: list[SiteArticle]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(a.path)}">{html.escape(a.title)}</a> '
        f'<time datetime="{a.published.isoformat()}">{a.published:%Y-%m-%d}</time></li>'
        for a in articles
    )
    return _page("ニュース", (
        f'<nav><a href="/">Home</a> <a href="{NON_ARTICLE_PATHS[0]}">About</a> '
        f'<a href="{NON_ARTICLE_PATHS[1]}">#defense</a></nav>\n'
        f"<h1>ニュース</h1>\n<ul>\n{items}\n</ul>\n"
        f'<aside><a href="{PRIVATE_PATH}">Members only</a></aside>'
    ))


def _static_pages() -> dict[str, str]:
    feeds = (f'<link rel="alternate" type="application/rss+xml" href="{RSS_PATH}">'
             f'<link rel="alternate" type="application/atom+xml" href="{ATOM_PATH}">')
    return {
        HOME_PATH: _page("Home", f'{feeds}\n<h1>{SITE_NAME}</h1>\n<p><a href="{SECTION_PATH}">ニュース</a> '
                                 f'<a href="{NON_ARTICLE_PATHS[0]}">About</a></p>'),
        NON_ARTICLE_PATHS[0]: _page("About", "<h1>About</h1>\n<p>Real saved pages of Japanese outlets, "
                                             "served on 127.0.0.1 to test newsmon.</p>"),
        NON_ARTICLE_PATHS[1]: _page("#defense", "<h1>#defense</h1>\n<p>No articles with this tag.</p>"),
        PRIVATE_PATH: _page("Private", "<h1>Private</h1>\n<p>robots.txt disallows this page.</p>"),
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the test site until Ctrl-C; print its URLs and the config to crawl it."""
    parser = argparse.ArgumentParser(prog="python -m crawler.testsite", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free one); default 8000")
    parser.add_argument("--page", action="append", dest="pages", metavar="LOCAL_FILE",
                        help="publish only this MANIFEST page (repeatable); default: all articles")
    parser.add_argument("--root", help="saved-pages directory with MANIFEST.tsv; default: the checkout's")
    args = parser.parse_args(argv)

    def echo(r: LoggedRequest) -> None:
        print(f"{r.method} {r.path}{'?' + r.query if r.query else ''} {r.status}", file=sys.stderr, flush=True)

    try:
        site = LoopbackSite(args.pages, root=args.root, port=args.port, echo=echo).start()
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port} ({exc.strerror or exc}); "
              "try another --port, or --port 0 for any free one", file=sys.stderr)
        return 2
    print(f"{SITE_NAME}: {len(site.articles)} saved articles at {site.url(HOME_PATH)}")
    for label, path in (("RSS", RSS_PATH), ("Atom", ATOM_PATH), ("Sitemap", SITEMAP_PATH),
                        ("Section", SECTION_PATH), ("robots.txt", ROBOTS_PATH)):
        print(f"  {label:<11}{site.url(path)}")
    print(f"\nTo crawl it, add to your config file:\n\n{site.toml_snippet()}\nCtrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
