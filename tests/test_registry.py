"""The whole registry against real URLs and recorded evidence.

Every outlet keeps ``tests/fixtures/urls/<key>.tsv``: real URLs of its site, found in saved pages
and public files (never made up), each marked ``article`` or ``not_article`` with where and when it
was seen. Its article URL pattern must accept every article URL after canonicalisation (as the
spider sees them) and reject every other; every feed, sitemap and start URL and the pattern
itself must say where and when they were confirmed. A new outlet is covered by adding its file.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from crawler.discovery import parse_feed
from crawler.outlets import Outlet, outlet_for_url, registry
from crawler.store import known_hosts
from crawler.urls import HTTPS_HOSTS, canonical_url

from .saved import saved_bytes

URLS = Path(__file__).parent / "fixtures" / "urls"
OUTLETS = registry()
HOSTS = known_hosts(OUTLETS)
MIN_ARTICLES, MIN_OTHERS = 10, 4

# Outlets without saved pages, URL samples or evidence yet (issue 9): expected to fail here
# until they get them; strict, so the entry must go once they do.
PENDING: set[str] = set()
# Outlets with fewer real article URLs in public sources than MIN_ARTICLES (strict: remove the
# entry once the file has enough).
FEW_SAMPLES: dict[str, str] = {}


def _keys(few: bool = False) -> list:
    params = []
    for key in sorted(OUTLETS):
        if key in PENDING:
            params.append(pytest.param(key, marks=pytest.mark.xfail(strict=True, reason="samples and evidence pending")))
        elif few and key in FEW_SAMPLES:
            params.append(pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=FEW_SAMPLES[key])))
        else:
            params.append(key)
    return params


def _rows(key: str) -> list[dict[str, str]]:
    path = URLS / f"{key}.tsv"
    assert path.exists(), f"{path.relative_to(URLS.parents[2])} is missing: add real URLs of the outlet"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        assert reader.fieldnames == ["url", "expect", "source", "seen"], f"{path.name}: bad header"
        return list(reader)


def _is_date(text: str) -> bool:
    """An ISO date, or its year-month or year (a source that gives no day)."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        return False
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("key", _keys(few=True))
def test_outlet_has_enough_real_url_samples(key):
    rows = _rows(key)
    urls = [r["url"] for r in rows]
    assert len(urls) == len(set(urls)), f"{key}.tsv lists a URL twice"
    for row in rows:
        assert row["expect"] in ("article", "not_article"), row
        assert row["source"].strip(), f"{row['url']}: say where it was found"
        assert _is_date(row["seen"]), f"{row['url']}: 'seen' must be a date, not {row['seen']!r}"
    assert sum(r["expect"] == "article" for r in rows) >= MIN_ARTICLES
    assert sum(r["expect"] == "not_article" for r in rows) >= MIN_OTHERS


@pytest.mark.parametrize("key", _keys())
def test_pattern_accepts_the_outlets_articles_and_rejects_the_rest(key):
    outlet = OUTLETS[key]
    wrong = []
    for row in _rows(key):
        url = canonical_url(row["url"], HOSTS)
        if row["expect"] == "article":
            if not outlet.is_article_url(url):
                wrong.append(f"article rejected: {row['url']} -> {url}")
            elif outlet_for_url(url, OUTLETS) is not outlet:
                wrong.append(f"article given to another outlet: {row['url']} -> {url}")
        else:
            takers = [o.key for o in OUTLETS.values() if o.is_article_url(url)]
            if takers:
                wrong.append(f"not an article, accepted by {takers}: {row['url']} -> {url}")
    assert not wrong, "\n".join(wrong)


def _identity(outlet: Outlet, url: str) -> tuple:
    """What names one article regardless of scheme, tracking parameters and fragment: host and
    path, plus the query parameters the outlet's pattern itself names (``k=`` of Jiji)."""
    parts = urlsplit(url)
    named = set(re.findall(r"([A-Za-z_]\w*)=", outlet.article_url_pattern))
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k in named))
    return (parts.hostname, parts.path, query)


def test_variants_of_one_article_share_one_key():
    groups: dict[tuple, set[str]] = defaultdict(set)
    for key in sorted(set(OUTLETS) - PENDING):
        outlet = OUTLETS[key]
        for row in _rows(key):
            if row["expect"] == "article":
                groups[(key, *_identity(outlet, row["url"]))].add(row["url"])
    split = {}
    for ident, urls in groups.items():
        keys = {canonical_url(u, HOSTS) for u in urls}
        if len(keys) > 1:
            split[ident] = keys
        for u in urls:
            once = canonical_url(u, HOSTS)
            assert canonical_url(once, HOSTS) == once, f"canonical form of {u} is not stable"
            if urlsplit(once).hostname in HTTPS_HOSTS:
                assert once.startswith("https://"), once
    assert not split, split
    # The files must hold real variants, or this test proves nothing.
    variants = [urls for urls in groups.values() if len(urls) > 1]
    assert any({urlsplit(u).scheme for u in urls} == {"http", "https"} for urls in variants)
    assert any(len({urlsplit(u).query for u in urls}) > 1 for urls in variants)


@pytest.mark.parametrize("key", _keys())
def test_every_discovery_url_and_the_pattern_has_evidence(key):
    outlet = OUTLETS[key]
    wanted = [*outlet.feeds, *outlet.sitemaps, *outlet.start_urls, "article_url_pattern"]
    by_what = {e.what: e for e in outlet.evidence}
    missing = [w for w in wanted if w not in by_what]
    assert not missing, f"{key}: no evidence for {missing}"
    stale = sorted(set(by_what) - set(wanted))
    assert not stale, f"{key}: evidence for URLs the outlet no longer has: {stale}"
    for e in outlet.evidence:
        assert e.source.strip(), f"{key}: evidence for {e.what} names no source"
        assert _is_date(e.checked) and len(e.checked) >= 7, f"{key}: {e.what}: checked={e.checked!r}"


@pytest.mark.parametrize("key", sorted(OUTLETS))
def test_discovery_urls_are_https_on_the_outlets_hosts(key):
    outlet = OUTLETS[key]
    for url in (*outlet.feeds, *outlet.sitemaps, *outlet.start_urls):
        assert url.startswith("https://") and outlet.in_scope(url), f"{key}: {url}"


# Every link of the outlets' own front pages that a daily index of Japanese news sites recorded from
# 2026-07-22 to 2026-08-22 (groundcobra009/japan-news-frontpage-index @ d87d67e7, data/2026/*/*.csv,
# MIT): 19,978 distinct links of 15 outlets' hosts, with the day and the paper's name, the rest of
# the rows left out (tests/fixtures/urls/frontpages-2026.tsv.gz). Before 2026-12-04 the patterns
# refused 61 of them: 55 Nikkei ids with an underscore, 5 of 18 Ryukyu Shimpo links (/region/ and
# other genres) and a Sankei editorial (an id ending in -2).
FRONT_PAGES = URLS / "frontpages-2026.tsv.gz"
#: Links on the outlets' hosts that are meant to be refused: 週刊エコノミスト Online, a magazine of its
#: own on a Mainichi subdomain (another layout, its own site), and Asahi's "not found" page.
NOT_AN_OUTLETS_ARTICLE = re.compile(r"^https://weekly-economist\.mainichi\.jp/|^https://www\.asahi\.com/notfound/")


def test_every_link_of_the_outlets_front_pages_in_2026_is_an_article_of_theirs():
    import gzip
    import io

    text = gzip.decompress(FRONT_PAGES.read_bytes()).decode("utf-8")
    taken, wrong = 0, []
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        url = canonical_url(row["url"], HOSTS)
        outlet = outlet_for_url(url, OUTLETS)
        if outlet is not None and outlet.is_article_url(url):
            taken += 1
        elif not NOT_AN_OUTLETS_ARTICLE.search(url):
            wrong.append(f"{row['date']} {row['newspaper']}: {row['url']}")
    assert not wrong, "\n".join(wrong[:30])
    assert taken >= 19_900


# Real copies of outlets' feeds (tests/fixtures/saved, see PROVENANCE.md), with the URL each was
# fetched from: every link a feed gives, resolved as the spider resolves it, must be an article
# URL of that outlet, except the kinds the outlet means to skip (PDF releases, index pages).
# Each row: outlet, saved copy, the feed's URL, articles at least, its newest entry's date.
SAVED_FEEDS = [
    ("mod", "kasumigaseki-lens/mod.xml", "https://www.mod.go.jp/j/rss/news.xml", 100, "2026-08-19T09:02:36+00:00"),
    ("kantei", "kasumigaseki-lens/kantei.xml", "https://www.kantei.go.jp/index-jnews.rdf", 24,
     "2026-08-19T18:13:00+00:00"),
    ("japantoday", "feedreader/Rss20JapanToday.xml", "https://japantoday.com/feed", 20, "2017-01-07T08:12:55+00:00"),
    ("japantimes", "photojournalism/japantimes.xml", "https://www.japantimes.co.jp/feed/", 30,
     "2023-11-24T12:37:00+00:00"),
    # RSS 2.0 of news.web.nhk; RDF with http:// links and ?ref=rss; RDF named .rss, in CRLF.
    ("nhk", "midashi-sanmenkyo/nhk_sample.xml", "https://news.web.nhk/n-data/conf/na/rss/cat0.xml", 7,
     "2026-08-19T13:11:45+00:00"),
    ("asahi", "midashi-sanmenkyo/asahi_sample.xml", "https://www.asahi.com/rss/asahi/newsheadlines.rdf", 40,
     "2026-08-19T14:01:00+00:00"),
    ("mainichi", "midashi-sanmenkyo/mainichi_sample.xml", "https://mainichi.jp/rss/etc/mainichi-flash.rss", 20,
     "2026-08-19T14:10:26+00:00"),
]
_SKIPPED = re.compile(r"(?:\.pdf|/index\.html)$")


@pytest.mark.parametrize("key,feed,feed_url,articles,newest", SAVED_FEEDS, ids=[f[1] for f in SAVED_FEEDS])
def test_every_link_of_a_saved_real_feed_is_an_article_or_meant_to_be_skipped(key, feed, feed_url, articles, newest):
    found = parse_feed(saved_bytes(feed))
    assert found.problem is None and found.links, found.problem
    accepted, wrong = 0, []
    for link in found.links:
        url = canonical_url(urljoin(feed_url, link), HOSTS)
        if OUTLETS[key].is_article_url(url):
            accepted += 1
        elif not _SKIPPED.search(url):
            wrong.append(url)
    assert not wrong, "\n".join(wrong)
    assert accepted >= articles
    # Every entry's own date read (what says an outlet's feed is late or frozen), not the channel's.
    assert set(found.dated) == set(found.links) and found.newest == newest
