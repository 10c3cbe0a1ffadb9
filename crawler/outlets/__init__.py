"""The outlet registry: one module per outlet in this package, each defining ``OUTLET``.

An outlet's rules are data (selectors and patterns), not code, so that a layout change means a
new dated ``Rules`` entry at the front of ``rules`` while the old one stays for old pages, as
Fundus versions its parsers. Selectors are CSS unless they start with ``/``, ``.`` or ``(``,
in which case they are XPath.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from cssselect import HTMLTranslator
from lxml import etree

_CSS = HTMLTranslator()


@cache
def compile_selector(selector: str) -> etree.XPath:
    """Compile a CSS or XPath selector once; every rule selector goes through here."""
    if selector.startswith(("/", ".", "(")):
        return etree.XPath(selector)
    return etree.XPath(_CSS.css_to_xpath(selector, prefix="descendant-or-self::"))


@dataclass(frozen=True)
class Rules:
    """How to read one layout of one outlet's article pages.

    Metadata comes from JSON-LD and ``<meta>`` first; the selectors here add to it or
    override it where the page's own metadata is missing or wrong.
    """

    #: The layout this applies to, by the date it was first seen (``"2025-01"``); it becomes
    #: part of ``Article.method`` so stored rows say which rules made them.
    version: str
    #: The article body container; the first selector that matches wins. A rules entry whose
    #: body matches nothing does not apply to the page, and the next (older) entry is tried.
    body: tuple[str, ...]
    #: Within the body: the elements whose text is a paragraph (or a sub-heading).
    paragraphs: str = "p, h2, h3"
    #: The layout separates paragraphs with ``<br>`` inside one element instead of with
    #: elements (NHK, Nikkan Gendai): each selected element gives one paragraph per line.
    split_br: bool = False
    #: The layout shows the body's text as it is written (CSS ``white-space: pre-wrap``,
    #: Yahoo!ニュース): a newline in its source is a line break, and each line a paragraph.
    pre_wrap: bool = False
    #: Removed from the whole page before anything is read (sidebars, share bars, rankings).
    prune: tuple[str, ...] = ()
    #: Selectors for the headline, tried before JSON-LD ``headline`` and ``og:title``.
    title: tuple[str, ...] = ()
    #: A regex removed from the end of every title candidate (" - 日本経済新聞").
    title_suffix: str | None = None
    #: Selectors for the subtitle or lead shown above the body.
    lead: tuple[str, ...] = ()
    #: Selectors whose ``datetime``/``content`` attribute or text holds the time, tried before
    #: JSON-LD and meta. ``published`` must never point at an "updated" time.
    published: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    #: A regex removed from each author name ("記者", "By ").
    author_strip: str | None = None
    #: The article's section where the page shows it and its metadata does not name it.
    section: tuple[str, ...] = ()
    #: The page's own list of topics (its 関連キーワード links), tried before the keyword metadata.
    tags: tuple[str, ...] = ()
    #: A regex: a word of the page's keyword or section metadata (JSON-LD ``keywords``,
    #: ``articleSection``, ``genre``, ``news_keywords``, ``keywords``) that matches it is not one
    #: of the article's topics nor its section: the site's own name ("朝日新聞デジタル"), the words
    #: every page of the site carries ("ニュース", Sankei's list of its sections, NHK's "一般"), a
    #: flag ("無料記事"). Applied to the metadata only, never to ``tags`` or ``section``.
    keywords_drop: str | None = None
    #: False: the page's keyword metadata is none of the article's (the site's list on every page,
    #: the headline cut into words); its tags are ``tags``' only.
    keywords: bool = True
    #: Any match means the page is a member-only or paid teaser.
    paywall: tuple[str, ...] = ()
    #: Regexes: paragraphs that match one are dropped (credits, "続きを読む").
    drop: tuple[str, ...] = ()
    #: Regexes: a paragraph that matches one ends the article; it and all after it are dropped.
    stop: tuple[str, ...] = ()
    #: The link to the whole article on a page that shows its first lines only ("続きを読む" to a
    #: view of the same article): followed as the article's next page, whose text replaces the
    #: teaser it begins with (``crawler.pagination``).
    whole_at: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Where and when one discovery URL (or the article URL pattern) was confirmed.

    Live outlet URLs cannot be fetched where newsmon is developed, so each is checked against
    public evidence instead: another project's feed list or crawler config, a saved page's
    navigation, real article URLs in public files. The next person re-checks from here.
    """

    #: A feed, sitemap or start URL of the outlet, exactly as in the outlet, or
    #: ``"article_url_pattern"``.
    what: str
    #: Where it was confirmed: a public URL, ``owner/repo:path@commit``, or a saved page
    #: (``tests/fixtures/saved/...``).
    source: str
    #: When the evidence dates from (ISO date, ``2026-05`` or ``2026-05-14``): the source's own
    #: date where it has one, else the day it was read.
    checked: str
    note: str = ""


@dataclass(frozen=True)
class Outlet:
    """A news outlet: where its articles are, how to find them, how to read them."""

    key: str
    name: str
    language: str
    #: Host names (a subdomain of one matches too) whose pages belong to this outlet.
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    #: Section / listing pages whose links lead to articles.
    start_urls: tuple[str, ...] = ()
    #: A regex on the full URL: only URLs that match are article pages.
    article_url_pattern: str = ""
    #: Newest layout first. Empty: generic extraction only.
    rules: tuple[Rules, ...] = ()
    #: Saved pages (relative to tests/fixtures/saved/) the rules were checked against; each has
    #: expected output in tests/fixtures/expected/. Empty means the outlet is unverified.
    fixtures: tuple[str, ...] = ()
    #: What of the discovery URLs was checked and against what; the rest is unverified.
    discovery_notes: str = "feeds, sitemaps and sections not verified: no saved copy"
    #: Per discovery URL and for the article URL pattern: where and when it was confirmed.
    evidence: tuple[Evidence, ...] = ()
    #: A primary source of the policy itself (Ministry of Defense, Cabinet Secretariat, Kantei),
    #: not a news outlet: the review queue shows its documents apart.
    primary_source: bool = False
    #: How far back its feeds reach ("~3 hours", "50 items"), when known: a crawl interval
    #: longer than this loses articles unless a sitemap or section covers them.
    feed_window: str = ""
    #: The terms of use of its feeds, where they restrict use ("personal use only").
    feed_terms: str = ""
    #: Bot walls, consent pages or logins known to stand in front of its pages, with the source.
    known_walls: str = ""
    #: (name, value) cookies sent with each of its requests, from the user's config: a consent
    #: the user gave in a browser (NHK ONE's), without which its pages are a wall.
    cookies: tuple[tuple[str, str], ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def verified(self) -> bool:
        return bool(self.fixtures)

    def matches_host(self, host: str) -> bool:
        return self._on_domains(ascii_host(host))

    def _on_domains(self, host: str) -> bool:
        # ``host`` as ``ascii_host`` gives it: made so once by a caller that asks every outlet.
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def in_scope(self, url: str) -> bool:
        """Whether newsmon may fetch ``url`` for this outlet: http(s), on one of its domains.

        Checked at discovery, on every redirect and before storing (see crawler/scope.py):
        a feed entry ``file:///etc/passwd`` or a link to another site is never fetched.
        """
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:  # an invalid port or IPv6 literal: not a URL we can fetch
            return False
        return parts.scheme in ("http", "https") and bool(host) and self.matches_host(host)

    def is_article_url(self, url: str) -> bool:
        """Whether ``url`` is in scope and matches the article URL pattern.

        A pattern that names a scheme (``^https?://www\\.asahi\\.com/articles/``, as the
        built-in outlets' do) is matched against the whole URL; any other (``/articles/``, as a
        user writes one in the config) against the path and query only, so that it cannot
        accept a URL of another host or scheme by matching its path.
        """
        return self.in_scope(url) and self.matches_pattern(url)

    def matches_pattern(self, url: str) -> bool:
        """The article URL pattern alone, scope unchecked (to name out-of-scope look-alikes)."""
        if not self.article_url_pattern:
            return False
        pattern = _compiled(self.article_url_pattern)
        if pattern.search(_pattern_subject(self.article_url_pattern, url)) is not None:
            return True
        # A pattern that names the scheme (^http://www\.example\.jp/…, copied from the http:// links a
        # feed prints) takes the https URL newsmon makes of such a link on a host it reads over https
        # (``urls.KnownHosts``): none of the outlet's articles was taken.
        return "://" in self.article_url_pattern and url.startswith("https://") \
            and pattern.search("http://" + url.removeprefix("https://")) is not None


def ascii_host(host: str) -> str:
    """``host`` as a crawl requests it: lower case, without the root's dot, a name in another script
    in its IDNA form (日本語.jp → xn--wgv71a119e.jp, as Scrapy's ``safe_url_string`` writes it).

    An outlet's domains are kept so: a feed written https://日本語.jp/rss.xml was requested as
    xn--wgv71a119e.jp and refused as off the outlet's domains (日本語.jp), the outlet failing.
    """
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # no IDNA name (an empty label, a label too long): compared as written
        return host


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern_subject(pattern: str, url: str) -> str:
    if "://" in pattern:
        return url
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@cache
def registry() -> dict[str, Outlet]:
    """Every built-in outlet, by key, loaded from the modules of this package."""
    outlets: dict[str, Outlet] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        outlet = getattr(module, "OUTLET", None)
        if not isinstance(outlet, Outlet):
            raise TypeError(f"crawler/outlets/{info.name}.py must define OUTLET = Outlet(...)")
        if outlet.key in outlets:
            raise ValueError(f"outlet key {outlet.key!r} is defined twice")
        outlets[outlet.key] = outlet
    return outlets


def outlet_for_url(url: str | None, outlets: dict[str, Outlet] | None = None) -> Outlet | None:
    """The outlet a URL belongs to; the most specific domain wins (asahi.com/ajw vs asahi.com)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = ascii_host(parts.hostname or "")
    best: tuple[int, Outlet] | None = None
    for outlet in (outlets or registry()).values():
        if not outlet._on_domains(host):
            continue
        # A path-scoped outlet ("asahi.com/ajw/") beats the host-wide one.
        prefix = outlet.extra.get("path_prefix")
        if prefix and not parts.path.startswith(prefix):
            continue
        weight = max(len(d) for d in outlet.domains if host == d or host.endswith("." + d))
        weight += 1000 if prefix else 0
        if best is None or weight > best[0]:
            best = (weight, outlet)
    return best[1] if best else None
