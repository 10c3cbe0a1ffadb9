"""Articles an outlet splits over several pages: which link is the next page, and the pages joined.

Sankei ends the first page of a long article with "続きを見る" and ``<link rel="next">`` to
``/article/<id>/2/`` (java-extractarticle/000015-sankei, 2021-10); Yahoo!ニュース with "次ページは：…"
and a pager to ``/articles/<hex>?page=2`` … ``?page=3`` (3 of its 5 saved pages). Reading the
first page only, the crawl stored a part of the article as the whole and scored that part: a
term on page 2 never reached the topics. The next page is followed instead, and the pages'
texts make one article (``crawler.pipelines``).

Only a link whose URL is the page's own URL with the next page number counts: the same path with
``/2`` or ``/2/`` added, or the same URL with ``page=2`` in its query. A blog's
``<link rel="next">`` names the next *post* (the saved fc2 and WordPress pages: 13 of them), a
different path, and is not followed; nor is anything on another host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from lxml import etree

from .article import Article
from .urls import query_ampersands

if TYPE_CHECKING:
    from .outlets import Outlet

#: Pages of one article read at most (the first included), unless ``NEWSMON_MAX_ARTICLE_PAGES``
#: says otherwise: a pager that never ends (a site bug, a calendar) must not keep the crawl on
#: one article.
MAX_PAGES = 10

_PAGE_PARAM = "page"
_PATH_PAGE = re.compile(r"^(?P<base>.+?)/(?P<n>[1-9]\d?)/?$")


def _hrefs_to(tree: etree._Element, number: int) -> Iterator[str]:
    """The links of the page (``<a>``, ``<link rel=next>``) that may lead to page ``number``.

    One walk of the tree, tested in Python: 0.5 ms a saved page, 0.4 of it the walk itself (the
    267 saved pages, a median of 156 links each), where an XPath testing every href with
    ``contains()`` took 0.6-0.7 ms, and a regular expression over the bytes 1.9 ms."""
    ends = (f"/{number}", f"/{number}/")
    by_query = f"page={number}"
    for element in tree.iter("a", "link"):
        href = element.get("href")
        if href and (href.endswith(ends) or by_query in href) and (
                element.tag == "a" or (element.get("rel") or "").lower() == "next"):
            yield href


def page_of(url: str) -> tuple[str, frozenset[tuple[str, str]], int]:
    """``(first page's scheme, host and path; its query; page number)`` of ``url``: ``…/2/`` and
    ``…?page=2`` are page 2 of ``…``; any other URL is page 1 of itself. A trailing slash and the
    fragment do not count."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    number = 1
    for name, value in query:
        if name == _PAGE_PARAM and re.fullmatch(r"[1-9]\d?", value):
            number = int(value)
            query = [(n, v) for n, v in query if n != _PAGE_PARAM]
            break
    path = parts.path
    if number == 1 and (found := _PATH_PAGE.match(path)):
        path, number = found.group("base"), int(found.group("n"))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path.rstrip('/')}", frozenset(query), number


def first_page(url: str) -> str | None:
    """The URL of page 1 of the article of which ``url`` is a later page (``page_of``): the page
    number taken out, the rest of the URL as it was (a trailing slash kept); ``None`` for a URL
    that is page 1 of itself."""
    parts = urlsplit(url)
    pieces = parts.query.split("&") if parts.query else []
    for n, piece in enumerate(pieces):
        name, _, value = piece.partition("=")
        if name == _PAGE_PARAM and re.fullmatch(r"[1-9]\d?", value):
            if value == "1":
                return None
            query = "&".join(pieces[:n] + pieces[n + 1:])
            return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    found = _PATH_PAGE.match(parts.path)
    if found is None or found.group("n") == "1":
        return None
    path = found.group("base") + ("/" if parts.path.endswith("/") else "")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def continuation_of(url: str, outlet: Outlet | None) -> str | None:
    """The first page of the article ``url`` continues, where the outlet says so: its article
    URL pattern takes that first page and not ``url`` (Sankei's ``…/2/``, Yahoo!ニュース's
    ``?page=2``). An archive may hold such a page without, or before, its first: it is a part
    of that article, not an article of its own (``crawler.ingest``)."""
    if outlet is None or not outlet.article_url_pattern or outlet.matches_pattern(url):
        return None
    first = first_page(url)
    return first if first is not None and outlet.matches_pattern(first) else None


def next_page(tree: etree._Element, url: str | None) -> str | None:
    """The URL of the page after ``url`` of the same article, if the page links one.

    Same scheme, host and path (less the page number), and no query parameter the page's own URL
    lacks (a feed's ``?source=rss`` on the first page is not on the pager's links; ``?k=<id>``,
    where the query names the article, must be the page's own)."""
    if not url:
        return None
    first, query, number = page_of(url)
    for href in _hrefs_to(tree, number + 1):
        try:
            # Escaped twice ("&amp;#38;page=2", "&amp;amp;page=2"), as the article's URL is read (``query_ampersands``).
            target = urljoin(url, query_ampersands(href.strip()))
            where, their_query, their_number = page_of(target)
        except ValueError:
            continue
        if where == first and their_number == number + 1 and their_query <= query:
            return target.split("#", 1)[0]
    return None


def whole_at(url: str | None, links: Sequence[etree._Element]) -> str | None:
    """The URL of an outlet's "read the whole article" link (``Rules.whole_at``) among ``links``:
    another view of the page's own article, so the page's scheme, host and path with another
    query (TBS: ``…/417606?display=1``)."""
    if not url:
        return None
    here = urlsplit(url)
    for link in links:
        href = (link.get("href") or "").strip()
        try:
            target = urlsplit(urljoin(url, query_ampersands(href)).split("#", 1)[0]) if href else None
        except ValueError:
            continue
        if (target is not None and (target.scheme, target.netloc.lower(), target.path.rstrip("/"))
                == (here.scheme, here.netloc.lower(), here.path.rstrip("/")) and target.query != here.query):
            return target.geturl()
    return None


_SPACE = re.compile(r"\s+")


def _teaser(shown: Sequence[str], whole: Sequence[str]) -> bool:
    """Whether ``shown`` is the first lines of ``whole``, cut short ("…"): a page that shows an
    article's beginning and links the whole (TBS NEWS DIG's "続きを読む")."""
    head = _SPACE.sub("", "".join(shown)).rstrip("…").rstrip(".")
    return len(head) >= 10 and _SPACE.sub("", "".join(whole)).startswith(head)


def join(first: Article, rest: Sequence[Article]) -> Article:
    """One article of the pages' articles: the first page's metadata, every page's paragraphs in
    order (a later page's repeat of the headline or lead dropped), the last page's next page. A
    page whose text begins with all that came before (cut short there) is the whole of it, and
    replaces it."""
    paragraphs = list(first.paragraphs)
    for page in rest:
        more = [p for p in page.paragraphs if p not in (first.title, first.lead)]
        if _teaser(paragraphs, more):
            paragraphs = more
        else:
            paragraphs.extend(more)
    last = rest[-1] if rest else first
    return replace(first, paragraphs=paragraphs, next_page=last.next_page,
                   paywalled=first.paywalled or any(page.paywalled for page in rest))
