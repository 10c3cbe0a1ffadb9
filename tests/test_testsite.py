"""The loopback test site: real HTTP with urllib against real saved pages, no mocks."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from crawler.config import load_config
from crawler.dates import JST
from crawler.testsite import (
    ALL_CHANNELS,
    ARCHIVE_SITEMAP_PATH,
    ATOM_PATH,
    NEWS_SITEMAP_PATH,
    NON_ARTICLE_PATHS,
    PRIVATE_PATH,
    ROBOTS_PATH,
    RSS_PATH,
    SECTION_PATH,
    SITEMAP_PATH,
    UNDATED,
    LoopbackSite,
    default_pages,
    read_manifest,
)

from .conftest import SAVED, saved_bytes

ASAHI = "fundus-jp/AsahiShimbun_2025_01_13.html"
SJIS = "snacktory/yomiuri.sjis.html"  # Shift_JIS bytes, declared in a <meta>
NIKKEI = "scrapping-webs/nikkei-test_article_1.html"
NHK_EASY = "trafilatura-eval/nhk.or.jp.k100.html"  # UTF-8 with a BOM; states no date
YAHOO = "java-extractarticle/000001-yahoo.html"  # declares no charset
JAPAN_NEWS = "fundus-jp/TheJapanNews_2024_10_13.html"
PAGES = [ASAHI, SJIS, NIKKEI, NHK_EASY]

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site():
    with LoopbackSite(PAGES) as s:
        yield s


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET; error statuses are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def rss_links(site: LoopbackSite) -> list[str]:
    return [i.findtext("link") for i in ET.fromstring(get(site.url(RSS_PATH))[2]).iter("item")]


def atom_links(site: LoopbackSite) -> list[str]:
    root = ET.fromstring(get(site.url(ATOM_PATH))[2])
    return [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]


def sitemap_locs(site: LoopbackSite, path: str) -> list[str]:
    return [loc.text for loc in ET.fromstring(get(site.url(path))[2]).iter(f"{SM}loc")]


def section_links(site: LoopbackSite) -> list[str]:
    return re.findall(r'href="([^"]+)"', get(site.url(SECTION_PATH))[2].decode())


def served(site: LoopbackSite, *relpaths: str) -> set[str]:
    return {site.url(site.article(r).path) for r in relpaths}


# -- the articles ---------------------------------------------------------------------------


def test_default_selection_is_every_outlet_article_but_the_benchmarks_one_per_url():
    pages = default_pages()
    rows = read_manifest(SAVED)
    assert all(rows[p]["page_kind"] == "article" for p in pages)
    assert not [p for p in pages if p.startswith("scrapinghub-benchmark/")]
    # Nor the generic-extraction set's pages of sites that are not news outlets.
    assert not [p for p in pages if "[generic" in rows[p]["outlet"]]
    # Two saved copies of one Asahi URL: the first in MANIFEST is served.
    assert "postlight-parser/www.asahi.com_1551436747155.html" in pages
    assert "postlight-parser/www.asahi.com.html" not in pages
    # The two Jiji pages differ only in their query (?k=…): served at one path, the first wins.
    assert "a11y-converter/jiji-2022101700794.html" in pages
    assert "text-extractor/jiji-2022092300560.html" not in pages
    others = [p for p, r in rows.items() if r["page_kind"] == "article" and not p.startswith("scrapinghub")
              and "[generic" not in r["outlet"]]
    assert len(pages) == len(others) - 2
    site = LoopbackSite()  # not started: reading the pages needs no server
    assert [a.relpath for a in site.articles] == pages
    assert len({a.path for a in site.articles}) == len(pages)


def test_articles_keep_their_original_path_and_say_where_they_came_from(site):
    asahi = site.article(ASAHI)
    assert asahi.original_url == "https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html"
    assert asahi.path == "/site/www.asahi.com/articles/AST1F4445T1FUTIL02SM.html"
    assert site.article_urls()[site.url(asahi.path)] == asahi
    # Dates: the page's own metadata, else the date in its URL, else none.
    assert (asahi.published, asahi.date_source) == (datetime(2025, 1, 13, 21, 37, tzinfo=JST), "page")
    assert site.article(SJIS).date_source == "url"
    assert site.article(SJIS).published == datetime(2011, 4, 10, tzinfo=JST)
    assert site.article(NHK_EASY).published == UNDATED
    assert asahi.title.startswith("宮崎県で震度5弱")
    assert site.article(SJIS).title.startswith("色とりどりのチューリップ")  # decoded from Shift_JIS


def test_a_page_without_a_known_url_is_served_under_saved():
    site = LoopbackSite(["snacktory/yomiuri2.sjis.html"])
    (article,) = site.articles
    assert article.original_url is None
    assert article.path == "/site/saved/snacktory/yomiuri2.sjis.html"


def test_articles_are_served_byte_for_byte(site):
    for relpath in PAGES:
        status, headers, body = get(site.url(site.article(relpath).path))
        assert status == 200
        assert body == saved_bytes(relpath)
    # The charset in the header is the one the page declares.
    assert get(site.url(site.article(SJIS).path))[1]["Content-Type"] == "text/html; charset=Shift_JIS"
    assert get(site.url(site.article(ASAHI).path))[1]["Content-Type"] == "text/html; charset=UTF-8"


def test_charset_header_is_configurable():
    with LoopbackSite([YAHOO, SJIS], http_charset="declared") as site:
        assert get(site.url(site.article(YAHOO).path))[1]["Content-Type"] == "text/html"
    with LoopbackSite([SJIS], http_charset="none") as site:
        assert get(site.url(site.article(SJIS).path))[1]["Content-Type"] == "text/html"
    with LoopbackSite([SJIS], http_charset="utf-8") as site:  # a server that lies
        status, headers, body = get(site.url(site.article(SJIS).path))
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert body == saved_bytes(SJIS)


# -- discovery documents --------------------------------------------------------------------


def test_feeds_list_exactly_the_articles_newest_first(site):
    expected = served(site, *PAGES)
    assert set(rss_links(site)) == set(atom_links(site)) == expected
    assert len(rss_links(site)) == len(PAGES)
    items = ET.fromstring(get(site.url(RSS_PATH))[2]).findall("./channel/item")
    dates = [datetime.strptime(i.findtext("pubDate"), "%a, %d %b %Y %H:%M:%S %z") for i in items]
    assert dates == sorted(dates, reverse=True)
    asahi = next(i for i in items if i.findtext("link") == site.url(site.article(ASAHI).path))
    assert asahi.findtext("pubDate") == "Mon, 13 Jan 2025 21:37:00 +0900"
    assert asahi.findtext("title") == site.article(ASAHI).title


def test_sitemap_index_leads_to_news_and_archive_sitemaps(site):
    assert sitemap_locs(site, SITEMAP_PATH) == [site.url(NEWS_SITEMAP_PATH), site.url(ARCHIVE_SITEMAP_PATH)]
    assert set(sitemap_locs(site, ARCHIVE_SITEMAP_PATH)) == served(site, *PAGES)
    news = ET.fromstring(get(site.url(NEWS_SITEMAP_PATH))[2])
    dates = {u.findtext(f"{SM}loc"): u.findtext(f"{NEWS}news/{NEWS}publication_date") for u in news}
    assert dates[site.url(site.article(ASAHI).path)] == "2025-01-13T21:37:00+09:00"
    assert set(dates) <= served(site, *PAGES)


def test_news_sitemap_holds_only_the_newest():
    with LoopbackSite(PAGES, news_sitemap_size=2) as site:
        newest = sorted(site.articles, key=lambda a: a.published, reverse=True)[:2]
        assert sitemap_locs(site, NEWS_SITEMAP_PATH) == [site.url(a.path) for a in newest]
        assert len(sitemap_locs(site, ARCHIVE_SITEMAP_PATH)) == len(PAGES)


def test_section_page_links_articles_and_pages_that_are_not(site):
    links = section_links(site)
    articles = {site.url(link) for link in links if link.startswith("/site/")}
    assert articles == served(site, *PAGES)
    for path in (*NON_ARTICLE_PATHS, PRIVATE_PATH):
        assert path in links
        assert get(site.url(path))[0] == 200  # a crawler that fetches them gets a page
    # The outlet's article pattern tells them apart.
    pattern = site.outlet_config()["article_url_pattern"]
    assert all(re.search(pattern, url) for url in articles)
    assert not [link for link in links if link not in {a.path for a in site.articles}
                and re.search(pattern, site.url(link))]


def test_each_article_can_be_left_to_one_way_of_discovery():
    placement = {ASAHI: ["feed"], SJIS: ["sitemap"], NIKKEI: ["section"], NHK_EASY: []}
    with LoopbackSite(PAGES, placement=placement) as site:
        assert site.article(ASAHI).channels == {"feed"}
        assert set(rss_links(site)) == set(atom_links(site)) == served(site, ASAHI)
        assert set(sitemap_locs(site, ARCHIVE_SITEMAP_PATH)) == served(site, SJIS)
        assert set(sitemap_locs(site, NEWS_SITEMAP_PATH)) == served(site, SJIS)
        assert {site.url(x) for x in section_links(site) if x.startswith("/site/")} == served(site, NIKKEI)
        # Linked from nowhere, still served.
        assert get(site.url(site.article(NHK_EASY).path))[0] == 200


def test_robots_txt_disallows_private(site):
    parser = urllib.robotparser.RobotFileParser(site.url(ROBOTS_PATH))
    parser.parse(get(site.url(ROBOTS_PATH))[2].decode().splitlines())
    assert not parser.can_fetch("newsmon", site.url(PRIVATE_PATH))
    assert parser.can_fetch("newsmon", site.url(site.article(ASAHI).path))
    assert parser.can_fetch("newsmon", site.url(SECTION_PATH))
    assert parser.site_maps() == [site.url(SITEMAP_PATH)]


def test_unknown_paths_are_404(site):
    assert get(site.url("/site/www.asahi.com/articles/nothing.html"))[0] == 404
    assert site.requests()[-1].status == 404


# -- conditional requests -------------------------------------------------------------------


@pytest.mark.parametrize("path", [RSS_PATH, ATOM_PATH, SITEMAP_PATH, NEWS_SITEMAP_PATH, SECTION_PATH])
def test_conditional_requests_get_304(site, path):
    status, headers, body = get(site.url(path))
    assert status == 200 and body
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert get(site.url(path), {"If-None-Match": etag})[:1] == (304,)
    assert get(site.url(path), {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert get(site.url(path), {"If-Modified-Since": modified})[0] == 304
    assert get(site.url(path), {"If-None-Match": '"stale"'})[0] == 200
    # An ETag that no longer matches wins over a date that would.
    assert get(site.url(path), {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    assert get(site.url(path), {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    status, headers, body = get(site.url(path), {"If-None-Match": etag})
    assert body == b"" and headers["ETag"] == etag


def test_add_article_changes_feeds_and_their_validators(site):
    before = {p: get(site.url(p))[1] for p in (RSS_PATH, SITEMAP_PATH, ARCHIVE_SITEMAP_PATH, SECTION_PATH)}
    added = site.add_article(JAPAN_NEWS)
    assert added.channels == ALL_CHANNELS
    new_url = site.url(added.path)
    assert new_url in rss_links(site) and new_url in atom_links(site)
    assert new_url in sitemap_locs(site, ARCHIVE_SITEMAP_PATH)
    assert added.path in section_links(site)
    for path, headers in before.items():
        status, now, _ = get(site.url(path), {"If-None-Match": headers["ETag"]})
        assert status == 200, path
        assert now["ETag"] != headers["ETag"]
        assert get(site.url(path), {"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    assert get(new_url)[2] == saved_bytes(JAPAN_NEWS)


def test_add_article_to_the_feed_only_leaves_the_sitemap_unchanged(site):
    sitemap_etag = get(site.url(ARCHIVE_SITEMAP_PATH))[1]["ETag"]
    rss_etag = get(site.url(RSS_PATH))[1]["ETag"]
    site.add_article(JAPAN_NEWS, channels=["feed"])
    assert get(site.url(ARCHIVE_SITEMAP_PATH), {"If-None-Match": sitemap_etag})[0] == 304
    assert get(site.url(RSS_PATH), {"If-None-Match": rss_etag})[0] == 200


def test_add_article_refuses_a_second_page_at_the_same_url(site):
    with pytest.raises(ValueError, match="already"):
        site.add_article(ASAHI)
    with pytest.raises(ValueError, match="MANIFEST"):
        site.add_article("fundus-jp/nope.html")
    with pytest.raises(ValueError, match="channel"):
        site.add_article(JAPAN_NEWS, channels=["twitter"])


# -- request log ----------------------------------------------------------------------------


def test_log_records_requests(site):
    get(site.url(RSS_PATH), {"User-Agent": "newsmon-test/1", "If-None-Match": '"x"'})
    get(site.url(site.article(ASAHI).path) + "?utm_source=rss")
    get(site.url(PRIVATE_PATH))
    log = site.requests()
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", RSS_PATH, 200), ("GET", site.article(ASAHI).path, 200), ("GET", PRIVATE_PATH, 200)]
    assert log[0].user_agent == "newsmon-test/1" and log[0].if_none_match == '"x"'
    assert log[1].query == "utm_source=rss"
    assert log[0].time <= log[1].time <= time.time()
    assert [r.path for r in site.article_requests()] == [site.article(ASAHI).path]
    site.clear_log()
    assert site.requests() == [] and site.article_requests() == []


def test_head_requests_send_no_body(site):
    request = urllib.request.Request(site.url(RSS_PATH), method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == b""
        assert int(response.headers["Content-Length"]) == len(get(site.url(RSS_PATH))[2])
    assert site.requests()[0].method == "HEAD"


# -- faults ---------------------------------------------------------------------------------


def test_fail_answers_with_the_status_until_removed(site):
    article = site.url(site.article(ASAHI).path)
    site.fail(article, 404)
    assert get(article)[0] == 404
    site.fail(RSS_PATH, 503, retry_after=7)
    status, headers, _ = get(site.url(RSS_PATH))
    assert (status, headers["Retry-After"]) == (503, "7")
    assert get(site.url(RSS_PATH))[0] == 503
    site.remove_fault(RSS_PATH)
    site.remove_fault(article)
    assert get(site.url(RSS_PATH))[0] == 200
    assert get(article)[2] == saved_bytes(ASAHI)
    assert [r.status for r in site.requests()] == [404, 503, 503, 200, 200]


def test_fail_a_number_of_times_then_recover(site):
    site.fail(SITEMAP_PATH, 500, times=2)
    assert [get(site.url(SITEMAP_PATH))[0] for _ in range(3)] == [500, 500, 200]


def test_hang_makes_a_client_time_out(site):
    article = site.article(NIKKEI).path
    site.hang(article, 5)
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        get(site.url(article), timeout=0.3)
    assert time.monotonic() - started < 2
    assert [r.path for r in site.article_requests()] == [article]  # logged on arrival
    site.remove_fault(article)
    assert get(site.url(article), timeout=2)[0] == 200


def test_hang_delays_then_answers(site):
    site.hang(RSS_PATH, 0.3, times=1)
    started = time.monotonic()
    assert get(site.url(RSS_PATH))[0] == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert get(site.url(RSS_PATH))[0] == 200
    assert time.monotonic() - started < 0.3


def test_stop_does_not_wait_for_a_hanging_response():
    site = LoopbackSite([ASAHI]).start()
    site.hang(RSS_PATH, 30)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        get(site.url(RSS_PATH), timeout=0.2)
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 2


# -- configuration --------------------------------------------------------------------------


def test_outlet_config_as_toml_is_accepted_by_load_config(site, tmp_path):
    config = site.outlet_config()
    assert tomllib.loads(site.toml_snippet())["outlets"]["testsite"] == config
    assert config["feeds"] == [site.url(RSS_PATH), site.url(ATOM_PATH)]
    assert config["sitemaps"] == [site.url(SITEMAP_PATH)]
    assert config["start_urls"] == [site.url(SECTION_PATH)]
    path = tmp_path / "newsmon.toml"
    path.write_text(site.toml_snippet(), encoding="utf-8")
    outlet = load_config(path).outlets["testsite"]
    assert outlet.domains == ("127.0.0.1",)
    assert all(outlet.is_article_url(url) for url in site.article_urls())
    assert not outlet.is_article_url(site.url(NON_ARTICLE_PATHS[0]))
    assert not outlet.is_article_url(site.url(SECTION_PATH))


def test_base_url_needs_a_started_site():
    site = LoopbackSite([ASAHI])
    with pytest.raises(RuntimeError, match="start"):
        site.base_url


def test_missing_saved_pages_say_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="MANIFEST.tsv"):
        LoopbackSite(root=tmp_path)


def test_command_line_prints_urls_and_config():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.testsite", "--port", str(port), "--page", ASAHI],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("article_url_pattern"):
                break
        output = "".join(lines)
        base = f"http://127.0.0.1:{port}"
        assert f"{base}{RSS_PATH}" in output and f"{base}{SITEMAP_PATH}" in output
        snippet = output[output.index("[outlets.testsite]"):]
        assert tomllib.loads(snippet)["outlets"]["testsite"]["start_urls"] == [f"{base}{SECTION_PATH}"]
        assert get(f"{base}{RSS_PATH}")[0] == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


# -- articles written for a test, updated, on another loopback host ----------------------------


def test_an_article_written_for_a_test_is_served_conditionally_and_can_change():
    with LoopbackSite([], host="127.0.0.2", article_validators=True) as site:
        assert site.base_url.startswith("http://127.0.0.2:")
        path = "/site/test/1.html"
        site.publish_html(path, "<html><body><p>一</p></body></html>", title="見出し",
                          published=datetime(2026, 11, 20, tzinfo=JST), channels=["feed"])
        assert rss_links(site) == [site.url(path)]
        status, headers, body = get(site.url(path))
        assert status == 200 and body.decode() == "<html><body><p>一</p></body></html>"
        assert get(site.url(path), {"If-None-Match": headers["ETag"]})[0] == 304
        assert get(site.url(path), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        site.update_html(path, "<html><body><p>二</p></body></html>")
        status, now, body = get(site.url(path), {"If-None-Match": headers["ETag"]})
        assert status == 200 and body.decode().count("二") == 1 and now["ETag"] != headers["ETag"]
        assert get(site.url(path), {"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    with LoopbackSite([], article_validators=False) as site:
        site.publish_html("/site/x.html", b"<p>x</p>", title="x", published=datetime(2026, 1, 1, tzinfo=JST))
        status, headers, _ = get(site.url("/site/x.html"), {"If-None-Match": "*"})
        assert status == 200 and "ETag" not in headers
    with pytest.raises(ValueError, match="loopback"):
        LoopbackSite([], host="10.0.0.1")
