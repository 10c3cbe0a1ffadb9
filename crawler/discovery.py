"""Reading discovery documents: RSS/Atom feeds and sitemaps, and saying when one is broken.

Pure functions, no Scrapy. A feed that has turned into an HTML error page, an empty body or
invalid XML yields no links either way; the difference is that here it also yields a reason,
which the crawl records per run (``discovery`` table) and outlet health reports.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml import etree

from storage.frontier import WORDS_PARTS

from .bodies import TooLarge, Truncated, gunzip
from .dates import JST, parse_datetime
from .urls import parsable, query_ampersands

_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_ROOTS = {"rss", "feed", "RDF"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
#: Elements whose text is an entry's date: RSS, Dublin Core, Atom, sitemaps, Google News sitemaps.
_DATE_TAGS = {"pubDate", "date", "published", "updated", "lastmod", "publication_date"}


#: Japan's zone by its name, as Japanese feeds write it ("Thu, 04 Jun 2026 17:00:00 JST": the
#: Financial Services Agency's, Chiba Prefecture's): RFC 822 names North America's zones only,
#: so such a feed had no dates, and neither its pace nor its updates could be read.
_JST = re.compile(r"\s*\bJST$", re.I)


#: The digits of a Unix time a CMS writes for a date (a Google News sitemap's
#: ``<news:publication_date>1733554800</news:publication_date>``): seconds, or JavaScript's milliseconds.
#: No calendar form has 10 or 13 digits alone (ISO 8601's basic forms have 8, 12 or 14).
_EPOCH_DIGITS = {10: 1, 13: 1000}
#: The first second a Unix time takes 10 digits for (2001-09-09): no earlier time is one a page of news is dated.
_EPOCH_FIRST = 10 ** 9


def _epoch(text: str) -> str | None:
    """The moment a Unix time in ``_EPOCH_DIGITS`` gives, in UTC ISO 8601; ``None`` outside 2001-09-09 to
    ``FUTURE_SLACK`` ahead of now: digits that are no Unix time (a compact "2024120717", 2034 as one). Unread, a
    news sitemap so dated had no newest entry and no pace: its staleness was judged from its reads alone."""
    seconds = int(text) / _EPOCH_DIGITS[len(text)]
    if not _EPOCH_FIRST <= seconds <= (datetime.now(timezone.utc) + FUTURE_SLACK).timestamp():
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def _date(text: str | None) -> str | None:
    """An entry's date in UTC ISO 8601 (RFC 822 as in RSS, ISO 8601, as Japanese pages write dates,
    or a Unix time: ``_epoch``; Japan time when it names no zone); ``None`` if unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) in _EPOCH_DIGITS:
        return _epoch(text)
    iso = text[:4].isdigit()
    text = _JST.sub("+09:00" if iso else " +0900", text)
    try:
        moment = datetime.fromisoformat(text) if iso else parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        # As Japanese pages write dates ("2026/11/30 17:00", "2026年11月30日 17時00分"), which
        # some feeds take over as they are.
        found = parse_datetime(text)
        if found is None:
            return None
        moment = found if isinstance(found, datetime) else datetime(found.year, found.month, found.day)
    if moment.tzinfo is None:
        # Japan time, as a naive time from a Japanese outlet is (``crawler.dates``), and a W3C
        # date-only lastmod ("2026-12-01", which sitemaps.org allows) that day's start there.
        # Unread, such a document had no pace, no newest entry for health's ``stale`` and no
        # updates to prompt. Read as JST where the CMS meant UTC, a date reads 9 h early: an
        # update within 9 h of newsmon's last read is missed, and none is prompted that did not
        # happen.
        moment = moment.replace(tzinfo=JST)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


#: The elements that are one entry of a feed (RSS and RDF items, Atom entries) or of a sitemap
#: (URLs, an index's child sitemaps), in any namespace.
_FEED_ENTRIES = ("{*}item", "{*}entry")
_SITEMAP_ENTRIES = ("{*}url", "{*}sitemap")
_DATE_ELEMENTS = tuple("{*}" + tag for tag in _DATE_TAGS)
#: Google News sitemaps list the newest articles only, as a feed does: their dates say whether
#: the outlet still writes them. Other sitemaps list a site's archive, old by design.
_NEWS_SITEMAP_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: Its namespace as generators write it too: with https (a web framework's template), a trailing
#: slash, Google's local host; Google reads them all as news sitemaps. The value of any
#: declaration in a document's text, where one may declare it on each <news:news>.
_NEWS_NAMESPACE = re.compile(r"https?://www\.google\.[a-z.]{2,10}/schemas/sitemap-news/[0-9.]{1,8}/?")
_NEWS_DECLARATION = re.compile(
    rb"""xmlns:[A-Za-z_][\w.-]*\s*=\s*["']([^"'<>]{0,200}/schemas/sitemap-news/[^"'<>]{0,20})["']""")
#: The share of a document's dated entries, newest first, its pace is read from: a feed that
#: keeps an old announcement pinned among its news would otherwise look ten times slower.
_PACE_SHARE = 0.8


def _entry_date(entry: etree._Element) -> str | None:
    """The latest date an entry's elements give (Atom's updated beside its published, a
    sitemap's lastmod beside its news publication date); ``None`` if none. The feed's or
    channel's own dates (a build time that changes when nothing else does) are no entry's."""
    return max((d for d in map(_date, (el.text for el in entry.iter(*_DATE_ELEMENTS))) if d), default=None)


#: How much of what an entry says of its article is kept: a headline and the start of a summary.
WORDS_MAX = 300
_MARKUP = re.compile(r"<[^<>]{0,1000}>")


def _entry_words(elements: Iterable[etree._Element]) -> str | None:
    """What an entry says of its article, as one line of plain text, from its ``elements`` (a
    feed entry's title and summary, ``news:title`` of a Google News sitemap entry): the markup a
    description often carries as text, and its character references, taken out; ``None`` if it
    says nothing."""
    return _words("".join(element.itertext()) for element in elements)


def _words(texts: Iterable[str]) -> str | None:
    """``_entry_words`` of an entry's title and summary as text."""
    parts: list[str] = []
    for text in texts:
        text = " ".join(html.unescape(_MARKUP.sub(" ", text)).split())
        if text and text not in parts:
            parts.append(text)
    words = WORDS_PARTS.join(parts)
    return words[:WORDS_MAX] or None


def link_words(links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """What a section page's links say of the pages they lead to, by URL as linked: of the
    ``(url, text)`` of each link, the longest text (a headline; the photo's link beside it says
    nothing), on one line, at most ``WORDS_MAX`` characters. A section page's link to an article
    is its headline: an article only a section lists, that newsmon cannot read, is known by it."""
    words: dict[str, str] = {}
    for url, text in links:
        text = " ".join(text.split())[:WORDS_MAX]
        if len(text) > len(words.get(url, "")):
            words[url] = text
    return words


#: Where a page's furniture is (``crawler.furniture``'s): a listing in one is never the page's own
#: while it has another (a ranking in ``<aside>``, latest news in ``<header>``).
_FURNITURE_BLOCKS = frozenset(("aside", "nav", "footer", "header"))
#: And what a page holds without showing it: a ``<template>`` is markup a script copies in (a ranking
#: filled in after the page loads, a tab's list); its links are the page's, never its own listing.
_UNSHOWN_BLOCKS = _FURNITURE_BLOCKS | {"template"}
#: A class, id or data key naming a box of other articles than the page's own listing, wherever the
#: page puts it: a ranking (asahi.com's div#AccessRanking, Sankei's section.ranking, TBS's m-ranking,
#: Nikkan Gendai's div.access-ranking.lanking-box and ol.accesslank, its "lank" as written), the most read
#: or popular (asahi.com's PopularNews, The Japan News' popularlist, The Japan Times' trending), recommended
#: or picked articles (Recommend, osusume, pickup). Not the words "rank" and "lank" are in: blank, frank,
#: crank, prank, plank, flank, clank, Sri Lanka (a list in div.tag-sri-lanka was taken for a box of others).
_SIDE_NAMES = re.compile(r"(?<![cdfp])rank|(?<![bcfp])lank(?!a)|popular|most[-_]?(?:read|view|popular)|trending|ninki"
                         r"|recommend|osusume|pick[-_]?up", re.I)
#: A heading naming such a box, just before its links (Yahoo!ニュース's div#accr says so in its h2 only):
#: アクセスランキング, 人気記事, よく読まれている記事, "POPULAR ARTICLE", "JN ACCESS RANKING", "Most read".
_SIDE_WORDS = re.compile(r"ランキング|人気(?:の)?(?:記事|ニュース)|よく読まれ|読まれている|最も読まれ|おすすめ|オススメ|ピックアップ"
                         r"|popular (?:articles?|stories|news|posts|now)|most[ -](?:read|viewed|popular|shared)|ranking"
                         r"|trending|recommended|pick[ -]?up", re.I)
#: Of those names and headings, the ones a section's own list may bear too: an editor's picks (ピックアップ,
#: おすすめ, ``pickup-list``, ``recommend``) are what a page of picks, or a section's newest as its editors
#: show them, lists. A box so named is another's only where the page has a list of its own, or where
#: nothing says it is the page's list (``page_listing``: a next page); a ranking or the most read never
#: is the page's own.
_PICK_NAMES = re.compile(r"recommend|osusume|pick[-_]?up", re.I)
_PICK_WORDS = re.compile(r"おすすめ|オススメ|ピックアップ|recommended|pick[ -]?up", re.I)
#: How strongly a name or heading says its box holds other articles than the page's own: not at all,
#: as picks (``_PICK_NAMES``), as a ranking or the most read.
NOT_A_BOX, PICKS, OTHERS = 0, 1, 2
#: A heading is an h1-h6, or an element whose class or id says it is a title (Chunichi's h2.ttl > span.txt).
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_TITLE_NAMES = re.compile(r"title|ttl|heading|hdg|midashi", re.I)
#: How many elements of a container before its first article link, and of the siblings before it and its
#: box, may hold its heading.
_HEADING_REACH = 30


def main_listing(root: etree._Element, article_url: Callable[[str], str | None],
                 data: Iterable[str | tuple[str, str]] = (), url: str = "") -> set[str] | None:
    """The article URLs of a section page's own listing, among those of its sidebars (アクセスランキング,
    関連記事, おすすめ, "POPULAR ARTICLE", a pinned top story): of the links of ``root`` (a parsed
    page) to articles (``article_url``: an ``href``'s canonical article URL, ``None`` for any other
    link), the largest group whose containers share one markup path, outside the page's furniture
    and its boxes of other articles while there is such a group. A link's container is its nearest
    ancestor that holds two article URLs or more, its path the tags, ids and classes from the root
    down to it: the items of a list split by day (``ul.List`` under each date) are one group, a
    ranking (``dl#AccessTop_list``) or a related list another; groups whose containers sit side by
    side in one element are one (a list of photo items beside the text items after them, a top
    story's card beside its list). A box of other articles (``_side_box``: a ranking, the most read,
    recommended or picked ones) is no listing however large (but picks, where nothing else is and the
    page has a next page: ``page_listing``), as the furniture is not: Nikkan Gendai's
    ranking of 15 beside a section's list of 12 was taken for it. The saved listing pages' main lists
    are so told apart from their sidebars (asahi.com's 69 of 120 article URLs, from its rankings of 5;
    The Japan Times' 37 of 70, its lists and the top story card beside each, from its editors' picks
    of 5). ``data``: the article URLs of the page's data (``page_data_links``), each alone or with
    where the data holds it (``DataLink.where``): those no link of the page leads to are groups
    more, one of each place (the whole listing of a page a script builds; a ranking it draws after
    loading, under a key naming one, is a box of other articles). ``url``: the page's address; one
    naming a ranking, the most read or picks (Yahoo!ニュース's section /ranking/access/news/domestic)
    lists them as its own, and its largest group is its listing, as on a page of such boxes only: its
    ranking was taken for a box of others, and a box of three beside it for its listing. ``None``
    where nothing leads to an article. Where the page has no listing of its own left, the largest of
    its boxes (``page_listing`` says so)."""
    found = page_listing(root, article_url, data, url)
    return found[0] if found else None


def page_listing(root: etree._Element, article_url: Callable[[str], str | None],
                 data: Iterable[str | tuple[str, str]] = (), url: str = "",
                 picks_are_list: Callable[[int], bool] | None = None) -> tuple[set[str], bool] | None:
    """``main_listing``'s listing of a page, and whether it is the page's own: ``False`` where every
    article link of the page is in its furniture or a box of other articles (a ranking, the most read,
    picks), or a lone link beside them (a pinned story): its own list is gone, drawn by a script now
    or moved, and its ranking was taken for it, the section read "ok" and listing its ranking.
    ``picks_are_list``: given how many article URLs the largest box named as picks only (``_PICK_NAMES``,
    ``_PICK_WORDS``) holds, whether it is the page's own list (the page has a next page, or it is as many as the
    list the page had), asked only where every group is a box: then that box is its own list, not a ranking."""
    own_boxes = bool(_SIDE_NAMES.search(urlsplit(url).path)) if url else False
    found: list[tuple[etree._Element, str]] = []
    for link in root.iter("a", "area"):
        href = link.get("href")
        listed = article_url(href) if href else None
        if listed is not None:
            found.append((link, listed))
    linked = {listed for _, listed in found}
    scripted: dict[str, set[str]] = {}
    for item in data:
        listed, where = (item, "") if isinstance(item, str) else item
        if listed not in linked:
            scripted.setdefault(where, set()).add(listed)
    # Of each group: its URLs, where it starts on the page, whether it is no listing of the page's own.
    listings: dict[str, tuple[set[str], int, int]] = {
        f"data:{where}": (urls, len(found), NOT_A_BOX if own_boxes else _naming(where, _SIDE_NAMES, _PICK_NAMES))
        for where, urls in scripted.items()}
    if found:
        listings.update(_link_groups(root, found, judged=not own_boxes))
    if not listings:
        return None
    # The largest outside the furniture and the boxes of other articles; of two alike, the first on the
    # page (sidebars come after).
    urls, _, boxed = max(listings.values(), key=lambda g: (not g[2], len(g[0]), -g[1]))
    # One link is no list where boxes stand beside it: the pinned story left above a list a script draws now.
    own = not boxed and (len(urls) > 1 or not any(g[2] for g in listings.values()))
    if not own and picks_are_list is not None:
        # No list of its own but picks, on a page that has a next page: its list is named as its picks
        # (div.pickup-list, ul.recommend, under ピックアップ). Taken for a box of others, its turnover was
        # never told, its next page never read, and a redesign naming it so read as its list gone. A
        # ranking is no page's list, nor a box beside a list of the page's own; nor are picks on a page
        # of no next page, where its list may be gone (drawn by a script now), its picks left, but where they
        # are as many as that list held (its list renamed: ``picks_are_list`` is given their count).
        picks = [g for g in listings.values() if g[2] == PICKS and len(g[0]) > 1]
        largest = max(picks, key=lambda g: (len(g[0]), -g[1]))[0] if picks else set()
        if largest and picks_are_list(len(largest)):
            return largest, True
    return urls, own


def _link_groups(root: etree._Element, found: list[tuple[etree._Element, str]],
                 judged: bool = True) -> dict[str, tuple[set[str], int, int]]:
    """``main_listing``'s groups of the page's article links ``found`` (each link and its URL): by
    markup path, those side by side in one box merged, each with its URLs, the index in ``found``
    of its first link, and whether it is furniture or (where ``judged``) a box of other articles
    (``_side_box``): ``NOT_A_BOX``, ``PICKS`` (a box named as picks only), ``OTHERS``."""
    # Of each element, the one article URL it holds, or that it holds two or more (``multi``). A
    # walk up from a link stops where the element knows its URL already or holds two: a page
    # 2,000 elements deep with 2,000 links took 0.74 s walked whole from each link, this 0.01.
    first: dict[etree._Element, str] = {}
    multi: set[etree._Element] = set()
    for link, url in found:
        for ancestor in link.iterancestors():
            held = first.get(ancestor)
            if ancestor in multi or held == url:
                break  # so is every element above it
            if held is None:
                first[ancestor] = url
            else:
                multi.add(ancestor)
    nearest: dict[etree._Element, etree._Element | None] = {}

    def container(link: etree._Element) -> etree._Element | None:
        # Its nearest ancestor holding two article URLs or more, each element's kept on the way up.
        chain, node = [], link.getparent()
        while node is not None and node not in multi and node not in nearest:
            chain.append(node)
            node = node.getparent()
        held = node if node is None or node in multi else nearest[node]
        for element in chain:
            nearest[element] = held
        return held

    paths: dict[etree._Element | None, tuple[str, bool]] = {None: ("", False)}

    def path(element: etree._Element | None) -> tuple[str, bool]:
        # Up to the nearest ancestor already known, then down: no recursion, however deep the page.
        chain = []
        while element not in paths:
            chain.append(element)
            element = element.getparent()
        for below in reversed(chain):
            above, furniture = paths[below.getparent()]
            classes = ".".join(sorted((below.get("class") or "").split()))
            paths[below] = (f"{above}/{below.tag}#{below.get('id') or ''}.{classes}",
                            furniture or below.tag in _UNSHOWN_BLOCKS)
        return paths[chain[0]] if chain else paths[element]

    # Of each element that is or holds an article link, how many of its children hold one, and one
    # more if it is one: a box of other articles is told by the element around its container that holds
    # no other. Walked up from each link to the first element known, not over the whole page: every
    # element of a page of 8,700 (goo's) read into Python cost the page's parse time again, and more.
    links = {link for link, _ in found}
    holders: dict[etree._Element, int] = {}
    for link in links:
        if link in holders:  # it holds one (an <area> of its map): its ancestors know it
            holders[link] += 1
            continue
        holders[link] = 1
        for element in link.iterancestors():
            known = element in holders
            holders[element] = holders.get(element, 0) + 1
            if known:
                break

    groups: dict[str, tuple[set[str], int, bool]] = {}
    boxes: dict[str, set[etree._Element]] = {}  # of each group, the elements its containers sit in
    sides: dict[etree._Element | None, int] = {None: NOT_A_BOX}
    # Of each group: its containers that are boxes of other articles, those named a ranking or the most read, all.
    votes: dict[str, list[int]] = {}
    for at, (link, url) in enumerate(found):
        held = container(link)
        key, furniture = path(held)
        group = groups.setdefault(key, (set(), at, furniture))
        group[0].add(url)
        if held not in sides:
            sides[held] = _side_box(held, holders, links) if judged else NOT_A_BOX
            vote = votes.setdefault(key, [0, 0, 0])
            vote[0] += sides[held] != NOT_A_BOX
            vote[1] += sides[held] == OTHERS
            vote[2] += 1
        if held is not None and held.getparent() is not None:
            boxes.setdefault(key, set()).add(held.getparent())

    def side(key: str, furniture: bool) -> int:
        # A group is a box of other articles where half its containers or more are (a ranking's tabs, the
        # first under its heading); of picks only where none of them is named a ranking or the most read.
        if furniture:
            return OTHERS
        boxed, others, every = votes.get(key, (0, 0, 1))
        return NOT_A_BOX if 2 * boxed < every else OTHERS if others else PICKS

    sided = {key: (urls, at, side(key, furniture)) for key, (urls, at, furniture) in groups.items()}
    # Groups whose containers sit side by side in one box are one listing in markups of its own:
    # the newest with photos (asahi.com's ul.List.ListSideImage) before the rest as text (ul.List),
    # a grid of cards before a list, a top story's card (The Japan Times' div.featured), items of
    # two articles each under an id of their own (li#post-…). Apart, the newest block was taken for
    # the listing: it turned over whenever more were published than it shows, and health said
    # overflow of a listing that still listed articles seen before. A ranking or a pinned story in
    # a box of its own stays apart; so do the furniture and the boxes of other articles.
    merged: dict[str, str] = {key: key for key in sided}

    def root_of(key: str) -> str:
        while merged[key] != key:
            merged[key] = key = merged[merged[key]]
        return key

    in_box: dict[etree._Element, str] = {}
    for key, elements in boxes.items():
        if sided[key][2]:
            continue
        for box in elements:
            other = in_box.setdefault(box, key)
            merged[root_of(key)] = root_of(other)
    listings: dict[str, tuple[set[str], int, int]] = {}
    for key, (listed, first_at, boxed) in sided.items():
        urls, at, _ = listings.setdefault(root_of(key), (set(), first_at, boxed))
        urls |= listed
        listings[root_of(key)] = (urls, min(at, first_at), boxed)
    return listings


def _side_box(held: etree._Element | None, holders: dict[etree._Element, int], links: set[etree._Element]) -> int:
    """Whether container ``held`` is a box of other articles than the page's own listing: a ranking,
    the most read (``OTHERS``), recommended or picked ones (``PICKS``); ``NOT_A_BOX``. Its box is the
    largest element around it that holds no other article link (below ``<body>``): a class or id from
    the container up to it naming such a box (``_SIDE_NAMES``) says so, or its heading naming one
    (``_box_heading``, ``_naming_side``), the stronger of them. Outside the box, a page's class
    (``body.ranking-enabled``) says nothing of the listing beside it; nor does a tab "ランキング" after
    a listing's own heading (政治, 新着)."""
    if held is None:
        return NOT_A_BOX
    box = held
    while (parent := box.getparent()) is not None and parent.tag not in ("body", "html") and holders.get(parent) == 1:
        box = parent
    named, element = NOT_A_BOX, held
    while named != OTHERS:
        named = max(named, _naming(f"{element.get('class') or ''} {element.get('id') or ''}", _SIDE_NAMES, _PICK_NAMES))
        if element is box:
            break
        element = element.getparent()
    if named == OTHERS:
        return named
    heading = _box_heading(held, box, holders, links)
    return max(named, _naming_side(heading) if heading is not None else NOT_A_BOX)


def _naming(words: str, side: re.Pattern[str], picks: re.Pattern[str]) -> int:
    """How strongly ``words`` (a class and id, a key of a page's data, a heading) name a box of other
    articles: ``OTHERS`` where one of its names of ``side`` is no pick's (``picks``: Nikkan Gendai's
    ``osusume-ranking`` is a ranking), ``PICKS`` where each is, ``NOT_A_BOX`` where none."""
    found = [match.group() for match in side.finditer(words)]
    if not found:
        return NOT_A_BOX
    return PICKS if all(picks.fullmatch(name) for name in found) else OTHERS


def _box_heading(held: etree._Element, box: etree._Element, holders: dict[etree._Element, int],
                 links: set[etree._Element]) -> etree._Element | None:
    """The heading of container ``held`` (``_side_box``): the first in it before its first article
    link; failing one, the nearest before it, from the container up to its ``box`` and then beside
    the box: of the siblings before each, nearest first, the first that is a heading or holds one
    (its first), past those that hold two or more (a tab bar 新着 | ランキング, another box's title
    over its own headlines) and comments, up to one holding an article link or furniture. The first
    heading of the box was another's where the list had its own nearer: a box of videos "おすすめ動画"
    or a ranking a script fills in, above the list's "政治" in one column, made the list a ranking."""
    looked = 0
    for element in held.iter():
        if element in links or looked >= _HEADING_REACH:
            break
        looked += 1
        if _heading(element):
            return element
    element = held
    while True:
        for sibling in element.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str):
                continue  # a comment ("<!-- ranking -->" between a box and its heading)
            if looked >= _HEADING_REACH or sibling in holders or sibling.tag in _FURNITURE_BLOCKS:
                return None
            found: list[etree._Element] = []
            for inner in sibling.iter():
                looked += 1
                # A heading's own parts (h2.title > span.title-text) are not a second heading.
                if _heading(inner) and not (found and found[-1] in inner.iterancestors()):
                    found.append(inner)
                    if inner is sibling or len(found) > 1:
                        break
                if looked >= _HEADING_REACH:
                    break
            if len(found) == 1:
                return found[0]
        if element is box:
            return None
        element = element.getparent()


def _heading(element: etree._Element) -> bool:
    """Whether ``element`` is a heading: an h1-h6, or an element whose class or id says it is a title;
    not one of two links or more (a tab bar "新着 | ランキング" is a menu)."""
    return isinstance(element.tag, str) and (
        element.tag in _HEADINGS or bool(_TITLE_NAMES.search(f"{element.get('class') or ''} {element.get('id') or ''}"))
    ) and sum(1 for _ in element.iter("a")) < 2


def _naming_side(heading: etree._Element) -> int:
    """Whether ``heading`` names a box of other articles (``_side_box``, ``_naming``): in a few words, not a
    headline's; not an ``<h1>``, the page's own title, which names what the page lists (a page of picks'
    ピックアップ, a ranking page's アクセスランキング): its list was taken for a box of others beside the page's own."""
    words = " ".join("".join(heading.itertext()).split())
    return _naming(words, _SIDE_WORDS, _PICK_WORDS) if heading.tag != "h1" and len(words) <= 60 else NOT_A_BOX


#: The scripts of a page that hold data, not code: a Next.js or Nuxt page's state, JSON-LD.
_DATA_SCRIPTS = ("__NEXT_DATA__", "__NUXT_DATA__")
#: A string of a page's data that is a link: absolute, or a path from the site's root.
_DATA_LINK = re.compile(r"(?:https?://[^\s\"'<>]{3,}|/(?!/)[^\s\"'<>]{2,})")
#: What a link in a page's data leads to when it is no page.
_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|ico|css|js|mjs|json|mp4|m3u8|webm|mp3|woff2?|ttf|pdf)"
                    r"(?:[?#]|$)", re.I)
#: The keys of an item's headline, beside its link, in a page's data.
_HEADLINE_KEYS = ("headline", "title", "name")
#: A route's template, not a page: Next.js puts "/articles/[id]" in every page's state.
_TEMPLATE = re.compile(r"[\[\]{}]")
#: The JSON-LD types whose ``url`` is a page the section lists (an ItemList's entries, articles):
#: the page's own WebPage, its publisher, authors, logos and images are not.
_LISTED_TYPES = re.compile(r"^(?:ListItem|ItemList|\w*Article|BlogPosting|Report|NewsArticle|VideoObject)$")


#: The scripts of a page that may hold its links as data, as XPath (``page_data_links``).
_DATA_SCRIPTS_XPATH = ("//script[contains(translate(@type, 'JSON', 'json'), 'json') or @id = '__NEXT_DATA__' "
                       "or @id = '__NUXT_DATA__']")


class DataLink(NamedTuple):
    """A link of a page's data (``data_links``): the URL, the headline beside it in its object, and
    where the data holds it (the script, then the keys down to its object: ``__NEXT_DATA__/pageProps/
    ranking``, ``script 3/mainEntity/itemListElement``), which tells the data's lists apart as markup
    paths tell a page's (``main_listing``)."""
    url: str
    words: str
    where: str


def page_data_links(page, base: str) -> list[DataLink]:
    """``data_links`` of a page as parsel reads it (a Scrapy response, a ``parsel.Selector``)."""
    return data_links(((script.attrib.get("type", ""), script.attrib.get("id", ""), script.xpath("string(.)").get())
                       for script in page.xpath(_DATA_SCRIPTS_XPATH)), base)


def data_links(scripts: Iterable[tuple[str, str, str]], base: str) -> list[DataLink]:
    """The links of a page's data (``DataLink``; ``url`` and ``words`` are ``link_words``' pairs): of
    each script ``(type, id, text)`` that holds JSON (``application/json``, ``application/ld+json``,
    or a Next.js or Nuxt page's state), the strings that are links to pages, joined to ``base``, each
    with the headline beside it in its object, if any. A section page built by a script lists its
    articles there only: its HTML links were the site's menus, its articles never read, and the
    section said nothing of it beside a feed that lists others."""
    import json

    found: list[DataLink] = []

    def walk(value, typed: bool, where: str, depth: int = 0) -> None:
        # ``typed``: JSON-LD, whose objects say what they are: only listed pages' links are read.
        if depth > 40:
            return
        if isinstance(value, dict):
            words = next((v for k in _HEADLINE_KEYS if isinstance(v := value.get(k), str) and v.strip()), "")
            kinds = value.get("@type")
            kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
            listed = not typed or any(isinstance(k, str) and _LISTED_TYPES.match(k) for k in kinds)
            for key, item in value.items():
                if isinstance(item, str):
                    if listed and (not typed or key in ("url", "@id", "item", "mainEntityOfPage")):
                        link(item, words, where)
                else:
                    walk(item, typed, f"{where}/{key}", depth + 1)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    if not typed:
                        link(item, "", where)
                else:
                    walk(item, typed, where, depth + 1)

    def link(text: str, words: str, where: str) -> None:
        text = text.strip()
        if len(text) < 500 and _DATA_LINK.fullmatch(text) and not _ASSET.search(text) and not _TEMPLATE.search(text):
            url = parsable(text, base)
            if url:
                found.append(DataLink(url, words, where))

    for n, (kind, name, text) in enumerate(scripts):
        kind = kind.split(";")[0].strip().lower()
        if not (kind in ("application/json", "application/ld+json") or name in _DATA_SCRIPTS) or not text.strip():
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON after all: no links
            continue
        if name == "__NEXT_DATA__" and isinstance(data, dict):
            # The page's props only: beside them, its route, build and asset prefix ("/news/_next").
            data = data.get("props")
        walk(data, kind == "application/ld+json", name or f"script {n + 1}")
    return found


def _summary_elements(entry: etree._Element) -> list[etree._Element]:
    """A feed entry's own title, description and summary (not an enclosure's media:description)."""
    return [child for child in entry if isinstance(child.tag, str)
            and _local(child) in ("title", "description", "summary")]


#: An Atom link's rel that names the entry's own page: as written, and as RFC 4287 4.2.7.2 lets
#: one write it (an IRI of IANA's registry), in any case (feed readers compare it so).
_ALTERNATE = ("alternate", "http://www.iana.org/assignments/relation/alternate")
#: The media types of a page (a link without one is taken for a page).
_PAGE_TYPE = re.compile(r"\s*(?:text/html|application/xhtml\+xml)\b", re.I)
#: FeedBurner's element naming an entry's article (``<feedburner:origLink>``) where its ``<link>`` is
#: FeedBurner's redirect (feeds.feedburner.com, feedproxy.google.com), off the outlet's domains: each such
#: entry was refused as out of scope, every article of the feed lost. Feed readers take it first.
_ORIGINAL = "origLink"


def _entry_url(entry: etree._Element, mended: Counter[str] | None = None,
               originals: dict[str, str] | None = None) -> str | None:
    """The URL an entry lists (as ``parse_feed`` and ``parse_sitemap`` read it). An RSS item's is
    its ``<link>``; failing that, an Atom ``<atom:link>`` (RSS makes the link optional, and
    feed readers, feedparser among them, take an item's link there), its ``rdf:about`` (RSS
    1.0), then its permalink ``<guid>``. Before any of them, in an RSS item or an Atom entry, a
    FeedBurner ``<feedburner:origLink>`` (``_ORIGINAL``), the URL the entry gives besides kept in ``originals``
    (``Discovered.originals``). ``mended`` counts the URLs read other than as written (``_url_text``,
    ``_attribute_url``)."""
    written = href = other = original = None
    for child in entry:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child)
        if tag == _ORIGINAL:
            if original is None and _web((text := _url_text(child.text, mended))):
                original = _based(child, text)
        elif tag == "link" and child.get("href"):
            if href is None and child.get("rel", "alternate").strip().lower() in _ALTERNATE:
                # The article's page, where an entry offers it in several forms (a PDF, an audio
                # file) besides: the first one listed was taken, a PDF of no article.
                if _PAGE_TYPE.match(child.get("type") or "text/html"):
                    href = _based(child, _attribute_url(child.get("href"), mended))
                elif other is None:
                    other = _based(child, _attribute_url(child.get("href"), mended))
        elif tag in ("link", "loc") and written is None and (text := _url_text(child.text, mended)):
            written = _based(child, text)
    href = href or other
    kind = _local(entry)
    if kind == "item":
        own = written or href or _attribute_url(entry.get(_RDF_ABOUT), mended) or _permalink(entry, mended)
    elif kind == "entry":
        own = href or written
    else:
        # A sitemap's <url> is its <loc>: its <xhtml:link rel="alternate" hreflang=…> names the page
        # in another language.
        return written
    if original and own and own != original and originals is not None:
        originals.setdefault(original, own)
    return original or own


#: A line break, with the indentation around it, in a URL a template or a pretty-printer wrapped
#: over lines: no URL holds one (RFC 3986), so it is no part of the URL; kept, the URL was
#: requested with the indentation percent-encoded, a URL of no article.
_WRAPPED = re.compile(r"\s*[\r\n]\s*")


#: Characters no URL is written with (RFC 3986 has them percent-encoded) that text pasted into a
#: CMS brings along: zero-width space, non-joiner and joiner, word joiner, byte-order mark, soft
#: hyphen. Kept, the URL was requested with them encoded (".../%E2%80%8B1.html"), a URL of no
#: article, and one before "https://" made it no URL at all, refused.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def _visible(text: str, mended: Counter[str] | None) -> str:
    """``text`` without ``_INVISIBLE`` characters, counted in ``mended`` if it held any."""
    if not _INVISIBLE.search(text):
        return text
    if mended is not None:
        mended["invisible"] += 1
    return _INVISIBLE.sub("", text)


def _url_text(text: str | None, mended: Counter[str] | None = None) -> str:
    """The URL an element's text gives: without the blanks around it, nor a line break or an
    invisible character (``_INVISIBLE``) within it."""
    text = text or ""
    if not text.isascii():  # most URLs are: told at C speed, on a sitemap's 50,000
        text = _visible(text, mended)
    text = text.strip()
    return _WRAPPED.sub("", text) if "\n" in text or "\r" in text else text


#: What a line break and its indentation leave in an attribute: XML reads each of "\n" "\r" "\t"
#: there as a space (attribute-value normalisation, XML 1.0 3.3.3), so a URL a template wrapped,
#: href="https://a.jp/news/\n      1.html", arrives as "https://a.jp/news/       1.html". Two
#: blanks or more are that (an indented break gives at least two); one is left as written, as
#: ``_url_text`` leaves it: a break without indentation gives no more than a space the URL holds.
#: A break written as "&#10;" is kept by XML, and read as ``_url_text`` reads one.
_SPREAD = re.compile(r"\s{2,}|\s*[\r\n]\s*")


def _attribute_url(value: str | None, mended: Counter[str] | None = None) -> str:
    """The URL an attribute gives (an Atom link's ``href``, ``rdf:about``), read as ``_url_text``
    reads an element's, a line break in it inferred from what XML leaves of it (``_SPREAD``)."""
    value = value or ""
    value = (value if value.isascii() else _visible(value, mended)).strip()
    if " " in value or "\n" in value or "\r" in value:
        joined = _SPREAD.sub("", value)
        if joined != value and mended is not None:
            mended["spread"] += 1
        return joined
    return value


def _mended_note(mended: Counter[str]) -> str | None:
    """What a document's row says of the URLs read other than as written (``_entry_url``). A line
    break in an element's text is not said: it is seen there, where in an attribute it is inferred."""
    said = []
    if mended["invisible"]:
        said.append(f"{mended['invisible']} of its URLs held invisible characters (zero-width spaces, byte-order "
                    "marks, soft hyphens: pasted into its CMS with them?), which no URL is written with: read "
                    "without them")
    if mended["spread"]:
        said.append(f"{mended['spread']} of its URLs in attributes (an Atom link's href, rdf:about) were broken over "
                    "lines, which XML reads as runs of spaces: read without them")
    return "; ".join(said) or None


def _local(element: etree._Element) -> str:
    """An element's name without its namespace, or without a prefix it uses undeclared: libxml2
    keeps such an element under its whole name ("dc:creator"), which ``etree.QName`` refuses."""
    return element.tag.rpartition("}")[2].rpartition(":")[2]


def _name(element: etree._Element) -> str | None:
    """``_local`` of ``element``; ``None`` where libxml2 kept half a UTF-16 pair ("&#xD800;" in an
    xmlns) in its namespace as bytes no UTF-8 decoder takes, and reading its name raised: the
    document had no row in its run, and its URLs were lost."""
    try:
        return _local(element)
    except UnicodeDecodeError:
        return None


def _based(element: etree._Element, url: str) -> str:
    """``url`` resolved against the ``xml:base`` in scope, if any: an Atom feed may give its links
    relative to one, and the feed's own URL (what the crawl resolves them against) is then the
    wrong base: a URL of no article."""
    base = element.base  # None without an xml:base: the document was parsed from bytes
    try:
        return urljoin(base, url) if base else url
    except ValueError:  # "http://[a.jp/": the link as written, refused with its reason by the crawl
        return url


#: How far ahead of now an entry may be dated and still count (``_pace``): a day, for a site that
#: writes Japan's time as UTC (9 hours ahead) or dates an item by its print edition's day. An
#: archive's capture dated further ahead is taken as undated (``ingest._iso_time``).
FUTURE_SLACK = timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _dates(entries: Iterable[tuple[str | None, str | None]]) -> tuple[str | None, int | None, dict[str, str]]:
    """(newest, interval, dated) of a document (``Discovered``) from (URL, date) of its entries."""
    dated = [(url, date) for url, date in entries if date]
    return (*_pace(sorted((date for _, date in dated), reverse=True)), {url: date for url, date in dated if url})


def _pace(dates: list[str]) -> tuple[str | None, int | None]:
    """(the newest entry's date, the seconds between two entries over the newest ``_PACE_SHARE``
    of them) of ``dates`` (newest first); the pace is ``None`` when they do not show one (one
    entry, or all of one time). A date more than ``FUTURE_SLACK`` ahead is no entry's time (a
    CMS's placeholder, a year typed wrong): one item dated 2031 made the feed's newest entry
    2031 and its pace 82 days, so that it could never be found frozen (``health.stale``)."""
    latest = datetime.now(timezone.utc) + FUTURE_SLACK
    dates = [date for date in dates if _aware(datetime.fromisoformat(date)) <= latest]
    if len(dates) < 2:
        return (dates or [None])[0], None
    oldest = max(1, int((len(dates) - 1) * _PACE_SHARE))
    span = (datetime.fromisoformat(dates[0]) - datetime.fromisoformat(dates[oldest])).total_seconds()
    return dates[0], round(span / oldest) if span > 0 else None


@dataclass
class Discovered:
    """The links of one discovery document, or why there are none."""

    links: list[str] = field(default_factory=list)
    #: ``urlset`` or ``sitemapindex`` for a sitemap; ``rss``, ``feed`` or ``RDF`` for a feed.
    kind: str | None = None
    #: Set when the document is not what it should be; ``links`` is then empty.
    problem: str | None = None
    #: The newest date any entry carries (UTC, ISO 8601), when entries carry dates: always for a
    #: feed or a Google News sitemap (a frozen one is told by it, ``storage.health.stale``), for
    #: another sitemap only when asked (``newest=True``: ``newsmon check``; on a 50,000-URL
    #: sitemap it is most of the parse).
    newest: str | None = None
    #: Seconds between two of its entries, from their dates (``_pace``): how soon an entry is due.
    interval: int | None = None
    #: A Google News sitemap: the newest articles only, as a feed lists them.
    news: bool = False
    #: The date of each dated entry, by the URL it lists, where ``newest`` is read: an article
    #: stored before whose entry is dated after newsmon last read it was updated (an Atom
    #: ``<updated>``, a lastmod), and is read again (``storage.versions.prompt_revisits``).
    dated: dict[str, str] = field(default_factory=dict)
    #: A sitemap index's ``<lastmod>`` of each child that gives one, as written: an archive whose
    #: lastmod stands still need not be asked for every run (``NEWSMON_SITEMAP_RECHECK``).
    lastmods: dict[str, str] = field(default_factory=dict)
    #: Entries that give no URL at all (``NO_URL``): for a feed an announcement without a page, or
    #: articles lost to a template that moved their links; for a sitemap a generator that wrote
    #: an entry without its ``<loc>``. The crawl records how many with the document's read.
    unlinked: int = 0
    #: A sitemap's entries that say they are news articles (a ``<news:news>`` child): listed as
    #: articles, as a feed's entries are, so that one the article URL pattern does not take is a
    #: URL scheme newsmon lacks, not an archive's tag page (``NewsSpider._articles``).
    declared: set[str] = field(default_factory=set)
    #: What the document says of each article it lists, by the URL as listed: a feed entry's
    #: title and summary, a Google News sitemap entry's ``news:title`` (``_entry_words``; a
    #: section page's links give their text, ``link_words``). Kept with the URL: where its page
    #: cannot be read (a wall, a page that failed for days), it is all a reviewer can know of the
    #: article (``storage.frontier.unread_listed``).
    listed: dict[str, str] = field(default_factory=dict)
    #: What the crawl says of a document read as it is rather than as it is written (a urlset
    #: of child sitemaps read as an index), with its read: not a problem, but not to be silent.
    note: str | None = None
    #: Of a feed's entries whose URL is their ``<feedburner:origLink>``, that URL → the one the entry gives besides
    #: (its ``<link>``): taken where the origLink is off the outlet's domains and it is on them (``own_links``).
    originals: dict[str, str] = field(default_factory=dict)
    #: A urlset's child sitemaps listed among its pages, as an index lists them (``<sitemap>`` entries a
    #: CMS plugin appends): asked for as an index's children are (``lastmods`` gives theirs), while
    #: ``links`` holds its pages only.
    children: list[str] = field(default_factory=list)


#: What an entry that gives no URL lacks, by the kind of document (said in reasons).
NO_URL = {"feed": "no link, no permalink guid", "sitemap": "no <loc>"}

_BOM = b"\xef\xbb\xbf"
#: Tags that, after a document's root element, open the entries of a second document; a CMS's
#: or a cache's trailer (``<script>…``, NUL padding) holds none of them.
_TRAILING_ENTRIES = (b"<item", b"<entry", b"<url", b"<sitemap", b"<loc")


#: Why a document is no feed or sitemap when it is a web page (``advertised_feeds`` reads it).
HTML_PAGE = "an HTML page, not XML (an error or login page where the feed should be?)"
#: The types of a feed an HTML page advertises in its head.
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


def advertised_feeds(body: bytes, base: str) -> list[str]:
    """The feeds an HTML page advertises (``<link rel="alternate" type="application/rss+xml">``),
    resolved against ``base``, in order. A feed an outlet names that answers with its site's
    front page (a retired feed's address, a CMS's catch-all) says there where its feeds are now."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(body[:65536])  # the head, where feeds are advertised
    except (etree.ParserError, ValueError):
        return []
    found = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        # Its query's ampersands written escaped (an href escaped twice), read as "&" (``query_ampersands``).
        href = query_ampersands((link.get("href") or "").strip())
        if "alternate" in rel and kind in _FEED_TYPES and (url := parsable(href, base)):
            found.append(url)
    return list(dict.fromkeys(found))


#: Feeds read in place of one that answers a web page advertising them, and named: a front page
#: advertises its site's main feed or two; more are a blog's per-category feeds.
MAX_ADVERTISED = 3


def advertised_note(advertised: list[str]) -> str:
    """What a web page where a feed should be says of where its feeds are now."""
    named = ", ".join(advertised[:MAX_ADVERTISED]) + (" …" if len(advertised) > MAX_ADVERTISED else "")
    return f"it advertises the feed{'s' if len(advertised) > 1 else ''} {named}"


def _xml_root(body: bytes, declared: set[str] | None = None) -> tuple[etree._Element | None, str | None]:
    """The root element of a feed or sitemap, and a problem of one partly read (or ``None`` and
    why there is none). ``declared``: the prefixes it used undeclared, declared on its root now."""
    if not body.strip():
        return None, f"empty body ({len(body)} bytes)"
    # A blank line before the XML declaration (a PHP template's, a BOM's) breaks XML, not the
    # feed: every reader takes it, and reported, it left the feed "broken" in every run, so the
    # day it did break nothing changed in its health.
    body = body[3:].lstrip() if body.startswith(_BOM) else body.lstrip()
    if declared is None:
        body = _in_utf8(body)
    head = body[:512].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        return None, HTML_PAGE
    # Without comments and processing instructions, as Scrapy's Sitemap reads them: libxml2 keeps the
    # text before one as its element's text, and "<loc><!-- cached -->https://…</loc>" gave no URL,
    # "<link>https://a.jp/<!-- c -->1</link>" a URL cut short, of no article.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return None, f"not well-formed XML: {exc}"
    if root is None:
        errors = [e.message for e in parser.error_log][:1]
        return None, "not XML" + (f": {errors[0]}" if errors else "")
    if declared is None and (undeclared := _undeclared(parser.error_log)):
        return _xml_root(_declaring(body, undeclared), declared=undeclared)
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal and all(e.type == etree.ErrorTypes.ERR_DOCUMENT_END for e in fatal) and not _more_entries(body, root):
        return root, None  # read whole: what follows its root element holds no entry
    if fatal:
        # recover=True read what it could; say so, but keep what was read.
        return root, f"invalid XML, partly read: {fatal[0].message} (line {fatal[0].line})"
    return root, None


#: The encoding an XML declaration names.
_XML_ENCODING = re.compile(rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})["']""")
#: The same in the decoded text, the name after group 1 (to be named UTF-8 there).
_XML_ENCODING_TEXT = re.compile(r"""(<\?xml\s[^>]*?\bencoding\s*=\s*["'])[A-Za-z0-9_.:-]{1,40}(?=["'])""")


def _declared_encoding(body: bytes) -> re.Match[bytes] | None:
    """The encoding the document's XML declaration names (group 1), where the document begins: at
    its first byte, or past the blank lines or the PHP notice its server printed first
    (``_past_junk``). Looked for at the first byte only, a Shift_JIS feed after a blank line (a
    template's newline before ``<?xml``) with few Japanese characters was read as UTF-8 with those
    characters replaced: its Japanese URLs requested as ``%EF%BF%BD…`` (404), its headlines lost."""
    start = _XML_DECLARATION.search(body, 0, _JUNK_MAX)
    return _XML_ENCODING.match(body, start.start()) if start else None


#: The charsets a server names that say nothing against UTF-8 (``_in_utf8``), and the bad bytes a
#: document in UTF-8 may hold at least.
_NOT_JAPANESE = ("utf-8", "utf8", "iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252")
_FEW_BAD = 8


def _in_utf8(body: bytes, http_charset: str | None = None) -> bytes:
    """``body`` in UTF-8 when its XML declaration names another encoding, or when it names none
    (or UTF-8) and the bytes are not UTF-8, decoded as a browser decodes a page
    (``encoding.decode_html``: the HTTP ``charset`` first, as RFC 7303 has it for XML; Shift_JIS as
    Windows' CP932, a declaration its bytes belie not trusted). libxml2's iconv tables lack the
    characters Windows added to Shift_JIS and EUC-JP (髙, ①, ㈱): its reading stopped at the
    first, every entry after it lost. A Shift_JIS feed without a declaration, its charset in the
    HTTP header only, was read as Windows-1252 by feedparser: its Japanese URLs fetched as
    mojibake (404), its headlines lost."""
    declaration = _declared_encoding(body)
    if declaration is None or declaration.group(1).lower() in (b"utf-8", b"utf8"):
        try:
            body.decode("utf-8")
            return body
        except UnicodeDecodeError:
            pass
        if (http_charset or "utf-8").lower().replace("_", "-") in _NOT_JAPANESE and b"\x00" not in body[:4096]:
            # UTF-8 is XML's own default, and a few bytes that are not (a character cut in two
            # where a CMS shortened a description) make no other codec of it, nor does the
            # Latin-1 a server names for every text: read as one, every URL was mojibake (404).
            # (NUL bytes: UTF-16 or UTF-32, which libxml2 tells by their bytes.)
            nearly = body.decode("utf-8", errors="replace")
            if nearly.count("\ufffd") <= max(_FEW_BAD, len(nearly) // 1000):
                return nearly.encode("utf-8")
    from .encoding import decode_html  # charset-normalizer, for the few documents not in UTF-8

    text, used = decode_html(body, http_charset)
    if used.startswith(("utf-16", "utf-32")):
        return body
    if declaration is None:
        return text.encode("utf-8")
    # Found again in the text: a server's notice before it may hold characters that make the
    # text's offsets other than the bytes'.
    return _XML_ENCODING_TEXT.sub(r"\g<1>UTF-8", text, count=1).encode("utf-8")


#: The namespaces of the prefixes feeds and sitemaps use, for one that uses a prefix without
#: declaring it (a template's <dc:date>, <news:news>, <xhtml:link>). Feed readers know them;
#: left undeclared, such an entry's date, rdf:about or news declaration was not read.
_KNOWN_PREFIXES = {
    "atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
    "image": "http://www.google.com/schemas/sitemap-image/1.1", "media": "http://search.yahoo.com/mrss/",
    "news": "http://www.google.com/schemas/sitemap-news/0.9", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "video": "http://www.google.com/schemas/sitemap-video/1.1", "xhtml": "http://www.w3.org/1999/xhtml",
}
_UNDECLARED = re.compile(r"^Namespace prefix ([A-Za-z_][\w.-]{0,63}) (?:on|for) ")
#: What may stand before a document's root element, and its root element's opening tag.
_PROLOGUE = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE(?:[^>\[]|\[.*?\])*>|<([A-Za-z_][\w.:-]*)", re.S)


def _undeclared(errors) -> set[str]:
    """The namespace prefixes a document uses without declaring them, by libxml2's errors."""
    return {m.group(1) for e in errors if e.type == etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE
            and (m := _UNDECLARED.match(e.message))}


def _declaring(body: bytes, prefixes: set[str]) -> bytes:
    """``body`` with ``prefixes`` declared on its root element: a known one for its namespace, any
    other for a namespace of its own."""
    if b"\x00" in body[:64]:  # UTF-16: no ASCII to insert into
        return body
    for tag in _PROLOGUE.finditer(body):
        if tag.group(1):
            declarations = "".join(f' xmlns:{p}="{_KNOWN_PREFIXES.get(p, "urn:newsmon:undeclared:" + p)}"'
                                   for p in sorted(prefixes))
            return body[:tag.end()] + declarations.encode() + body[tag.end():]
    return body


def _root_end(body: bytes, root: etree._Element) -> int:
    """Where the closing tag of ``root`` begins in ``body``; -1 if it has none (cut short)."""
    # A prefix used undeclared is part of the tag as libxml2 keeps it ("rdf:RDF"), without a prefix.
    closing = ((f"{root.prefix}:" if root.prefix else "") + root.tag.rpartition("}")[2]).encode()
    end = body.find(b"</" + closing)
    if end < 0 and (found := re.search(b"</" + re.escape(closing), body, re.IGNORECASE)):
        return found.start()  # a sitemap's root read in any case (``_fold_case``), as it closes it
    return end


def _more_entries(body: bytes, root: etree._Element) -> bool:
    """Whether what follows the end of ``root`` in ``body`` opens an entry (a second feed
    appended to the first), or the end cannot be found."""
    end = _root_end(body, root)
    return end < 0 or any(tag in body[end:].lower() for tag in _TRAILING_ENTRIES)


#: How a document in UTF-32 or UTF-16 begins: its byte-order mark (UTF-32's first: UTF-16's begins
#: it), else, without one, its "<?" in UTF-16.
_WIDE_STARTS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                (codecs.BOM_UTF16_BE, "utf-16"), (b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml\s[^>]*?\bencoding\s*=\s*["'])[^"']*""")


def _narrowed(body: bytes) -> bytes:
    """``body`` in UTF-8 if it is in UTF-16 or UTF-32. What mends a document (a bare ``&`` escaped,
    an undeclared prefix declared, a PHP notice read past) reads its bytes as ASCII: in UTF-16 the
    "&amp;" written into it shifted every character after it, and "?a=1&b=2" read "?a=1愦灭;b=2",
    a URL of no article, with the document "ok"."""
    codec = next((codec for start, codec in _WIDE_STARTS if body.startswith(start)), None)
    if codec is None:
        return body
    text = body.decode(codec, "replace").lstrip("\ufeff")
    return _DECLARED_ENCODING.sub(r"\g<1>UTF-8", text, count=1).encode()


def _document(body: bytes, roots: set[str], what: str, *, skipped: bool = False
              ) -> tuple[etree._Element | None, str | None, str | None, bytes, str | None]:
    """(root, its kind, a problem of a partly read document, the bytes read, a note) of a feed or
    sitemap; or (None, None, why it is none, ``body``, None). One that is not well-formed is read
    again ``_escaped``: once libxml2 has recovered from one bare ``&``, it drops the ``&`` of
    well-escaped URLs after it too. Read so, a document still cut short keeps its problem, and its
    URLs as written. One that something precedes (``_past_junk``) is read from where it begins.
    Its root's name is read in any case (``<URLSET>``, ``<RSS>``): its other names are read so by
    ``parse_sitemap`` and ``parse_feed``, which say so."""
    def kind_of(element: etree._Element) -> str | None:
        name = _name(element)
        if name is None or name in roots:
            return name
        return next((root for root in roots if root.lower() == name.lower()), name)

    body = _narrowed(body)
    root, problem = _xml_root(body)
    if root is not None and problem and (mended := _escaped(body)) != body:
        again, again_problem = _xml_root(mended)
        # A root whose name does not decode (half a character in its xmlns) is no reading to keep.
        if again is not None and _name(again) is not None and _name(root) in (_name(again), None):
            root, problem = again, again_problem
    if (root is None or kind_of(root) not in roots) and problem != HTML_PAGE and not skipped \
            and (start := _past_junk(body, roots)):
        read = _document(body[start:], roots, what, skipped=True)
        if read[0] is not None:
            junk = " ".join(body[:start].decode("utf-8", "replace").split())
            return *read[:4], (f'read past the {start} bytes before its XML ("{junk[:80]}…"): a warning its server '
                               "prints first?")
    if root is None:
        return None, None, problem, body, None
    kind = kind_of(root)
    if kind is None:
        return None, None, ("XML whose root element's namespace holds a reference to what is no character (half of "
                            "a UTF-16 pair, \"&#xD800;\"): not read; its publisher has to mend it"), body, None
    if kind not in roots:
        return None, None, f"XML, but not a {what}: its root element is <{_name(root)}>", body, None
    return root, kind, problem, body, None


#: The most a server prints before a document that is still read past: a PHP warning or three.
_JUNK_MAX = 16384
_XML_DECLARATION = re.compile(rb"<\?xml\s")


def _past_junk(body: bytes, roots: set[str]) -> int:
    """Where a feed or sitemap begins that something precedes (a PHP notice printed before the
    template: "<br /><b>Deprecated</b>: …"), within ``_JUNK_MAX`` bytes: its XML declaration, else
    its root element; 0 if neither. What stands before a declaration is no part of an XML
    document, so no document is cut there. Feed readers read past it."""
    head = body[:_JUNK_MAX]
    found = _XML_DECLARATION.search(head, 1) or _opening(*roots).search(head, 1)
    return found.start() if found else 0


def parse_feed(body: bytes, charset: str | None = None) -> Discovered:
    """Article links of an RSS 1.0/2.0 or Atom feed (gzipped or not), in feed order, and the pace of
    its entries. ``charset``: the HTTP header's (``_in_utf8``)."""
    body, problem = _gunzipped(body, "feed")
    if problem:
        return Discovered(problem=problem)
    body = _in_utf8(body[3:] if body.startswith(_BOM) else body, charset)
    root, kind, problem, body, note = _document(body, _FEED_ROOTS, "feed")
    if root is None:
        return Discovered(problem=problem)
    found = _feed(root, kind, problem)
    cased = None
    # Only a feed that gave less than a feed gives is looked at for names in another case: one in
    # the case its format defines, with its links and dates, is read as written at no cost (an
    # undated one costs a walk of its names, 0.2 ms for 100 items).
    if _local(root) != kind or not found.links or found.unlinked or found.newest is None:
        folded = _fold_feed(root)
        if folded and len((again := _feed(root, kind, problem)).links) >= len(found.links):
            found = again
            named = ", ".join(folded[:4]) + (", …" if len(folded) > 4 else "")
            cased = (f"writes its tags in other than the case its format defines ({named}), which XML reads as "
                     "other names than the format's: read as the feed it is")
    if problem and len(body) <= LOOSE_MAX_BYTES:
        found = _read_loosely(body, found, root)
    found.note = "; ".join(filter(None, [note, cased, found.note])) or None
    return found


def own_links(found: Discovered, in_scope: Callable[[str], bool], base: str) -> None:
    """Of ``found``'s entries whose URL is their origLink (``Discovered.originals``), those whose origLink is off the
    outlet's domains (``in_scope``) and whose own link is on them, listed by their own link, with their dates and
    words: a syndicated entry, the outlet's page of a partner's article. Taken by its origLink, it was refused as out
    of scope, and the outlet's page never fetched. ``base``: the feed's URL, which a relative link is read against."""
    def scoped(url: str) -> bool:
        return in_scope(parsable(url, base) or url)

    instead = {original: own for original, own in found.originals.items() if not scoped(original) and scoped(own)}
    if not instead:
        return
    found.links = list(dict.fromkeys(instead.get(link, link) for link in found.links))
    found.dated = {instead.get(link, link): date for link, date in found.dated.items()}
    found.listed = {instead.get(link, link): words for link, words in found.listed.items()}


def _feed(root: etree._Element, kind: str, problem: str | None) -> Discovered:
    mended: Counter[str] = Counter()
    originals: dict[str, str] = {}
    read = [(entry, _entry_url(entry, mended, originals)) for entry in root.iter(*_FEED_ENTRIES)]
    entries = [(url, _entry_date(entry)) for entry, url in read]
    links = [url for url, _ in entries if url]
    newest, interval, dated = _dates(entries)
    listed: dict[str, str] = {}
    for entry, url in read:
        if url and url not in listed and (words := _entry_words(_summary_elements(entry))):
            listed[url] = words
    return Discovered(list(dict.fromkeys(links)), kind, problem, newest, interval, dated=dated,
                      unlinked=len(entries) - len(links), note=_mended_note(mended), listed=listed,
                      originals=originals)


def _opening(*tags: str) -> re.Pattern[bytes]:
    """An opening tag of ``tags`` in a document's text, with any namespace prefix."""
    return re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(?:" + "|".join(tags).encode() + rb")[\s>/]")


#: The largest feed read again by feedparser: it reads about a megabyte a second, in the crawl
#: process's event loop, so that no download waits on it for long (a feed of 100 entries is
#: 25 KB). A larger one keeps libxml2's reading, and its problem.
LOOSE_MAX_BYTES = 4 * 1024 * 1024
#: An entry's opening tag in a feed's text, in any case (``_fold_feed``): what a feed read whole
#: gave a link for each of.
_FEED_ENTRY = re.compile(_opening("item", "entry").pattern, re.IGNORECASE)


def _read_loosely(body: bytes, strict: Discovered, root: etree._Element) -> Discovered:
    """A feed that is not well-formed XML even ``_escaped``, read again by feedparser's loose parser.

    libxml2 recovers from HTML left unescaped in a description (``<br>``) by losing the entries
    after it; feedparser reads such a feed as feed readers do. Its links are taken where
    it read at least as many entries; and when it read one for every entry (``_read_whole``),
    the feed is not broken.
    """
    import feedparser  # only for a broken feed: 80 ms of every crawl otherwise

    try:
        # A stream, not bytes: feedparser opens a str or bytes that names a file or a URL.
        parsed = feedparser.parse(io.BytesIO(body), resolve_relative_uris=False, sanitize_html=False)
    except Exception:  # a third party's parser on any bytes a server sends: its failure costs only itself
        return strict
    links, dated, unlinked, mended, listed, originals = [], {}, 0, Counter(), {}, {}
    for entry in parsed.entries:
        # FeedBurner's origLink first, as ``_entry_url`` takes it (feedparser keeps it by its prefix's name).
        original = _url_text(str(dict.get(entry, "feedburner_origlink") or ""), mended)
        own = _url_text(entry.get("link"), mended)
        link = original if _web(original) else own
        if link != own and own:
            originals.setdefault(link, own)
        if not link:
            unlinked += 1
            continue
        links.append(link)
        # What the entry says of its article: dropped on this path, so that a broken feed's
        # article newsmon could not read was nowhere known by its headline (``urls.listed``).
        if link not in listed and (words := _words(str(dict.get(entry, key) or "") for key in ("title", "summary"))):
            listed[link] = words
        # dict.get: FeedParserDict.get("updated") gives "published" when there is none, and warns.
        dates = [d for d in map(_date, (dict.get(entry, "updated"), dict.get(entry, "published"))) if d]
        if dates:
            dated[link] = max(dates)
    links = list(dict.fromkeys(links))
    if len(links) < len(strict.links):
        # libxml2's reading gave more (feedparser takes no RSS 1.0 item's rdf:about): when it
        # gave one for every entry, what broke the feed lay where no URL is. Reported broken, an
        # RDF feed with a <br> in a description left its outlet degraded every run.
        if strict.problem and _read_whole(body, root, len(strict.links), _FEED_ENTRY):
            strict.problem = None
        return strict
    whole = len(links) == len(parsed.entries) and _read_whole(body, root, len(links), _FEED_ENTRY)
    newest, interval = _pace(sorted(dated.values(), reverse=True))
    return Discovered(links, strict.kind, None if whole else strict.problem, newest, interval, dated=dated,
                      unlinked=unlinked, note=_mended_note(mended), listed=listed, originals=originals)


def _read_whole(body: bytes, root: etree._Element, read: int, opening: re.Pattern[bytes]) -> bool:
    """Whether a document not well-formed was read whole all the same: its root element ends (it
    is not cut short) and ``read`` URLs are one for every entry its text opens (``opening``), so
    what broke it lay where no URL is. Reported broken, it was broken in every run, and the day
    it did break nothing changed in its outlet's health."""
    return _root_end(body, root) >= 0 and read == len(opening.findall(body))


def _permalink(item: etree._Element, mended: Counter[str] | None = None) -> str | None:
    """The URL an RSS 2.0 item gives in its ``<guid>``: a permalink unless ``isPermaLink="false"``."""
    for child in item:
        if isinstance(child.tag, str) and _local(child) == "guid" \
                and child.get("isPermaLink", "true").strip().lower() != "false":
            text = _url_text(child.text, mended)
            if _web(text):
                return text
    return None


def _web(text: str) -> bool:
    """Whether an entry's URL text is an absolute http(s) one (not a tag: URI, a path, ``javascript:``)."""
    return text.lower().startswith(("http://", "https://"))


#: What XML does not take and feeds and sitemaps are written with all the same: an ``&`` that
#: begins no reference (``?k=1&g=pol``), and HTML's named references (``&nbsp;`` in a title);
#: kept apart, the sections where they are text as written.
_VERBATIM = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.S)
_AMPERSAND = re.compile(rb"&(?:([A-Za-z][A-Za-z0-9]{0,31});|#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)?")
_XML_NAMED = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _escaped_ampersand(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if match.group(0) == b"&":
        return b"&amp;"
    if name is None or name in _XML_NAMED:
        return match.group(0)
    code = html.entities.name2codepoint.get(name.decode())
    return f"&#{code};".encode() if code else b"&amp;" + match.group(0)[1:]


#: A run of numeric character references: a character beyond the BMP may be written as the two
#: UTF-16 halves a Java escaper of old (commons-lang 2's escapeXml) holds it as, "&#55362;&#57271;"
#: for 𠮷, which XML forbids; libxml2 called such a feed "partly read", feedparser raised on it.
_CHARACTER_REFERENCES = re.compile(rb"(?:&#(?:[xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});)+")
_CHARACTER_REFERENCE = re.compile(rb"&#([xX][0-9A-Fa-f]+|[0-9]+);")


def _xml_character(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _characters(match: re.Match[bytes]) -> bytes:
    """A run of character references with its UTF-16 halves joined, and any reference to what is no
    XML character (a lone half, "&#0;") made U+FFFD."""
    codes = [int(ref[1:], 16) if ref[:1] in b"xX" else int(ref) for ref in _CHARACTER_REFERENCE.findall(match[0])]
    out, at = [], 0
    while at < len(codes):
        code = codes[at]
        if 0xD800 <= code < 0xDC00 and at + 1 < len(codes) and 0xDC00 <= codes[at + 1] < 0xE000:
            code, at = 0x10000 + ((code - 0xD800) << 10) + codes[at + 1] - 0xDC00, at + 1
        out.append(code if _xml_character(code) else 0xFFFD)
        at += 1
    return "".join(f"&#{code};" for code in out).encode()


def _escaped(body: bytes) -> bytes:
    """``body`` with its bare ``&`` escaped, HTML's named references made numeric and its numeric
    ones made characters XML takes (``_characters``), outside CDATA sections and comments.
    libxml2's recovery read ``<loc>…?k=1&g=pol</loc>`` as ``…?k=1=pol``, a URL of no article. No
    sitemap library reads such a sitemap (they parse as strictly, or recover as libxml2 does); a
    feed that this does not mend goes on to feedparser."""
    def mended(text: bytes) -> bytes:
        return _AMPERSAND.sub(_escaped_ampersand, _CHARACTER_REFERENCES.sub(_characters, text))

    out, at = [], 0
    for verbatim in _VERBATIM.finditer(body):
        out += [mended(body[at:verbatim.start()]), verbatim.group(0)]
        at = verbatim.end()
    out.append(mended(body[at:]))
    return b"".join(out)


#: An entry's opening tag in a sitemap's text (``<url>``, an index's ``<sitemap>``), in any case
#: (``_fold_case``).
_SITEMAP_ENTRY = re.compile(_opening("url", "sitemap").pattern, re.IGNORECASE)
#: The names of the sitemap protocol and of Google's extensions to it (news, image), all lower
#: case; ``_fold_case`` reads them in any case.
_SITEMAP_NAMES = frozenset({
    "urlset", "sitemapindex", "url", "sitemap", "loc", "lastmod", "changefreq", "priority", "link",
    "news", "publication", "name", "language", "publication_date", "title", "keywords", "genres", "access",
    "stock_tickers", "image", "caption", "geo_location", "license"})


def _fold_case(element: etree._Element) -> str | None:
    """Its name as written, if ``element`` is a sitemap's (``_SITEMAP_NAMES``) written in other than
    lower case (``<URL>``, ``<Loc>``); renamed to the protocol's name. XML names are case-sensitive,
    but CMSes write them so: a root <URLSET> was "not a sitemap", and a urlset of <Url><Loc>
    entries listed nothing and was read "ok", every article it listed lost without a word."""
    tag = element.tag
    at = tag.rfind("}") + 1
    namespace = tag[1:at - 1] if at else ""
    prefix, _, name = tag[at:].rpartition(":")  # a prefix used undeclared is part of the name
    if name.lower() not in _SITEMAP_NAMES or (namespace and "/schemas/sitemap" not in namespace):
        return None
    element.tag = tag[:at] + (f"{prefix}:" if prefix else "") + name.lower()
    return (f"{element.prefix}:" if element.prefix else f"{prefix}:" if prefix else "") + name


#: The names RSS 0.9x, 1.0 and 2.0, Atom and Dublin Core give their elements, by their lower case:
#: ``_fold_feed`` reads a feed's names in any case as these. A table, not lower case: RSS writes
#: some in camel case (pubDate, lastBuildDate), RSS 1.0 its root rdf:RDF.
_FEED_NAMES = {name.lower(): name for name in (
    "rss", "channel", "item", "title", "link", "description", "language", "copyright", "managingEditor",
    "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs", "ttl", "image", "url", "author",
    "comments", "enclosure", "guid", "source", "RDF", "items", "Seq", "li", "feed", "entry", "id", "updated",
    "published", "summary", "content", "subtitle", "rights", "name", "email", "uri", "date", "creator", "subject")}
#: The attributes an entry's URL is read from (``_entry_url``, ``_permalink``), by their lower case,
#: and the elements they are read on (an item's rdf:about besides).
_FEED_ATTRIBUTES = {name.lower(): name for name in ("href", "rel", "type", "isPermaLink")}
_URL_ELEMENTS = frozenset({"link", "guid", "item"})
#: The namespaces of ``_FEED_NAMES``: none (RSS 0.9x and 2.0, an undeclared prefix's name), RSS
#: 0.90's and 1.0's, Atom's, RDF's, Dublin Core's. An extension's names (<media:Title>) are its own.
_FEED_NAMESPACES = frozenset({
    "", "http://my.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0/", "http://www.w3.org/2005/Atom",
    "http://purl.org/atom/ns#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/"})
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _fold_feed(root: etree._Element) -> list[str]:
    """The names, as written, of a feed's elements and attributes that its format defines in
    another case (``<ITEM>``, ``<PubDate>``, ``HREF=``), in document order; each renamed to the
    format's. XML names are case-sensitive, but CMSes write them so: a root <RSS> was "not a
    feed", and an <rss> of <Item><Link> items listed nothing and was read "ok"."""
    written: dict[str, None] = {}
    # (its name, whether to look at its attributes) by each tag as written: a feed has few.
    folds: dict[str, tuple[str, bool]] = {}
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag not in folds:
            at = tag.rfind("}") + 1
            prefix, _, name = tag[at:].rpartition(":")  # a prefix used undeclared is part of the name
            canonical = _FEED_NAMES.get(name.lower(), name) if (tag[1:at - 1] if at else "") in _FEED_NAMESPACES \
                else name
            folds[tag] = (tag[:at] + (f"{prefix}:" if prefix else "") + canonical, canonical in _URL_ELEMENTS)
        folded, attributes = folds[tag]
        if folded != tag:
            as_written = tag.rpartition("}")[2]  # with a prefix used undeclared, which is part of it
            written[f"<{element.prefix}:{as_written}>" if element.prefix else f"<{as_written}>"] = None
            element.tag = folded
        if attributes:
            for key in element.attrib.keys():
                namespace, _, attribute = key[1:].partition("}") if key[:1] == "{" else ("", "", key)
                canonical = _FEED_ATTRIBUTES.get(attribute.lower()) if not namespace else \
                    "about" if namespace == _RDF and attribute.lower() == "about" else None
                if canonical and canonical != attribute:
                    element.set(f"{{{namespace}}}{canonical}" if namespace else canonical, element.attrib.pop(key))
                    written["rdf:" + attribute + "=" if namespace else attribute + "="] = None
    return list(written)


#: The address of a sitemap (``.xml``, ``.xml.gz``, before any query): never an article's.
_SITEMAP_URL = re.compile(r"\.xml(?:\.gz)?(?:[?#]|$)", re.I)
#: The largest sitemap, uncompressed, that sitemaps.org allows.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def sitemap_maxsize(download_maxsize: int) -> int:
    """The bytes a sitemap request may download: the protocol's 50 MB, more than newsmon lets a
    page be (``DOWNLOAD_MAXSIZE``, 10 MB), or that setting when it is larger. A big archive
    sitemap cut off at a page's limit lost every article it listed."""
    return max(MAX_SITEMAP_BYTES, download_maxsize)


def _news_namespaces(body: bytes, root: etree._Element) -> set[str]:
    """The namespaces of Google News sitemaps ``root`` uses, as written (``_NEWS_NAMESPACE``): on
    its root, or, where its text names one, on any element."""
    written = set(root.nsmap.values())
    if b"/schemas/sitemap-news/" in body:  # a fast search: an archive sitemap may be 50 MB
        written.update(m.group(1).decode("utf-8", "replace") for m in _NEWS_DECLARATION.finditer(body))
    return {ns for ns in written if ns and _NEWS_NAMESPACE.fullmatch(ns.strip())}


#: A line of a text sitemap: one absolute URL.
_TEXT_SITEMAP_LINE = re.compile(r"https?://\S+")


def _text_sitemap(body: bytes) -> list[str] | None:
    """The URLs of a text sitemap (sitemaps.org's other format: one URL a line), or ``None`` if
    ``body`` is not one (markup, an error message: any line that is not a URL)."""
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"<", b""):
        return None
    from .encoding import decode_html  # charset-normalizer, for this rare format only

    lines = [line.strip() for line in decode_html(body)[0].splitlines() if line.strip()]
    return lines if all(_TEXT_SITEMAP_LINE.fullmatch(line) for line in lines) else None


#: The gzip layers read off a document: a .xml.gz that its server gzips again, saying so once (Scrapy
#: undoes that one) or not at all; and no more, for a gzip that decompresses to itself.
_GZIP_LAYERS = 3


def _gunzipped(body: bytes, what: str) -> tuple[bytes, str | None]:
    """``body`` with its gzip layers undone, and why it is not read if they cannot be."""
    for _ in range(_GZIP_LAYERS):
        if body[:2] != b"\x1f\x8b":
            return body, None
        # Bounded by the sitemap protocol's own limit: a compression bomb is a problem, not a MemoryError.
        try:
            body = gunzip(body, MAX_SITEMAP_BYTES)
        except TooLarge:
            return body, f"gzipped {what} over {MAX_SITEMAP_BYTES:,} bytes once decompressed " + (
                "(sitemaps.org allows 50 MB): not read" if what == "sitemap" else "(a compression bomb?): not read")
        except Truncated:
            return body, f"gzipped {what} that does not decompress: the stream is cut short"
        except zlib.error as exc:
            return body, f"gzipped {what} that does not decompress: {exc}"
    if body[:2] == b"\x1f\x8b":
        return body, (f"gzipped {what} that is gzip still after {_GZIP_LAYERS} decompressions (a server that "
                      "compresses what it compressed already?): not read")
    return body, None


def parse_sitemap(body: bytes, *, newest: bool = False, charset: str | None = None) -> Discovered:
    """The ``<loc>`` URLs of a sitemap or sitemap index (gzipped or not, once or twice), in order; the
    pace of its entries for a Google News sitemap, or any when ``newest``. ``charset``: the HTTP
    header's (``_in_utf8``)."""
    body, problem = _gunzipped(body, "sitemap")
    if problem:
        return Discovered(problem=problem)
    body = _in_utf8(body[3:] if body.startswith(_BOM) else body, charset)
    root, kind, problem, body, note = _document(body, _SITEMAP_ROOTS, "sitemap")
    if root is None:
        listed = _text_sitemap(body)
        return Discovered(list(dict.fromkeys(listed)), "urlset") if listed else Discovered(problem=problem)
    # Every entry's <loc>; of a urlset's, its pages' (<url>) and the child sitemaps (<sitemap>) among them.
    locs, pages, appended, folded, mended = [], [], [], {}, Counter()
    # In document order: an element's parent is read, and named, before it.
    for el in root.iter(etree.Element):
        tag = el.tag
        if not tag.islower() and (written := _fold_case(el)):
            folded[written] = None
            tag = el.tag
        # <image:loc> and the like belong to other namespaces than the sitemap's own.
        if tag.endswith("loc") and _local(el) == "loc" and (parent := _local(el.getparent())) in ("url", "sitemap") \
                and (text := _url_text(el.text, mended)):
            locs.append(text)
            (appended if parent == "sitemap" and kind == "urlset" else pages).append(text)
    if folded:
        named = ", ".join(f"<{name}>" for name in list(folded)[:4]) + (", …" if len(folded) > 4 else "")
        cased = (f"writes its tags in other than lower case ({named}), which XML reads as other names than the "
                 "protocol's: read as the sitemap it is")
        note = "; ".join(filter(None, [note, cased]))
    if problem and _read_whole(body, root, len(locs), _SITEMAP_ENTRY):
        problem = None  # a bare "<" or a <br> in a news:title, a control character
    news = _news_namespaces(body, root)
    # An index's child without one is a sitemap unread; counted for a urlset, whose entries are pages.
    unlinked = max(0, sum(1 for _ in root.iterchildren("{*}url")) - len(pages)) if kind == "urlset" else 0
    # Each entry's URL read once, for its date and for what it declares; not for an archive
    # sitemap without ``newest`` (reading them is most of a big one's parse).
    entries = [(entry, _entry_url(entry)) for entry in root.iter(*_SITEMAP_ENTRIES)] if newest or news else []
    marks = [f"{{{ns}}}news" for ns in news]
    declared = {url for entry, url in entries if url and any(entry.find(mark) is not None for mark in marks)}
    lastmods, as_index, children, indexed = {}, None, [], ("{*}sitemap",)
    if kind == "urlset" and not news and pages and all(_SITEMAP_URL.search(loc) for loc in pages):
        # Child sitemaps written as a urlset's pages (no article URL among them): each lost with
        # the articles it lists, had they been taken for pages.
        kind, unlinked, indexed = "sitemapindex", 0, ("{*}url", "{*}sitemap")
        as_index = (f"lists its {len(set(locs))} child sitemaps as <url> entries, where an index lists <sitemap> "
                    "entries: read as the sitemap index it is")
    elif appended and not pages:
        kind = "sitemapindex"
        as_index = (f"lists its {len(set(appended))} child sitemaps in a <urlset>, where an index is a "
                    "<sitemapindex>: read as the sitemap index it is")
    elif appended:
        # Child sitemaps a CMS plugin appends to a urlset of pages, as <sitemap> entries: taken for
        # pages, each was no article URL, dropped with every article it lists. Read as an index's children
        # are; its <url> entries stay pages, and its entries' dates are theirs alone.
        children, paged = list(dict.fromkeys(appended)), len(set(pages))
        entries = [(entry, url) for entry, url in entries if _local(entry) == "url"]
        as_index = (f"lists {len(children)} child sitemap{'s' if len(children) > 1 else ''} as <sitemap> entries "
                    f"among its {paged} <url> page{'s' if paged > 1 else ''}, where only an index lists <sitemap> "
                    "entries: read as its child sitemaps, beside its pages")
    note = "; ".join(filter(None, [note, _mended_note(mended), as_index])) or None
    if kind == "sitemapindex" or children:
        for child in root.iterchildren(*indexed):
            loc, lastmod = _url_text(child.findtext("{*}loc")), (child.findtext("{*}lastmod") or "").strip()
            if loc and lastmod:
                lastmods[loc] = lastmod[:64]
    latest, interval, dated = _dates((url, _entry_date(entry)) for entry, url in entries)
    listed: dict[str, str] = {}
    # Only a news sitemap's entries say what their article is (an entry.iter() of no tags would
    # read every element of the entry).
    titles = [f"{{{ns}}}title" for ns in news]
    for entry, url in entries if titles else ():
        if url in declared and url not in listed and (words := _entry_words(entry.iter(*titles))):
            listed[url] = words
    return Discovered(list(dict.fromkeys(pages if children else locs)), kind, problem, latest, interval,
                      news=bool(news), lastmods=lastmods, dated=dated, declared=declared, unlinked=unlinked, note=note,
                      listed=listed, children=children)
