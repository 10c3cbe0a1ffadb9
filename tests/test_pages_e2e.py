"""An article split over several pages is read whole, or says which page it lacks, and is completed.

Real `newsmon crawl` processes over real HTTP against the hostile site's long articles
(tests/hostile.py ``add_series``): three pages each, linked by a pager, the strategy documents
named on page 3 only. Before, the crawl stored page 1 as the article: not relevant, and nothing
said that two thirds of it were never read. The second crawl revisits (``NEWSMON_REVISIT_AFTER``
0 s), with the article whose page 3 failed now healed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .hostile import SERIES_TEXT, Site
from .test_hostile import crawl, query

REVISIT = ["NEWSMON_REVISIT_AFTER=0s,1h"]


def _article(db: Path, url: str) -> dict:
    (row,) = query(db, "SELECT a.*, u.reason AS url_reason FROM articles a JOIN urls u ON u.article_id = a.id "
                       "WHERE u.url = ?", url)
    return row


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("series")
    site = Site(tmp, full=False, seed=900)
    site.add_series()
    site.start()
    config = tmp / "newsmon.toml"
    config.write_text(site.toml("series"), encoding="utf-8")
    db = tmp / "news.db"
    try:
        crawl(db, config, ["series"], *REVISIT)
        first = {"broken": _article(db, site.url("/a/long-broken")), "long": _article(db, site.url("/a/long")),
                 "urls": {r["url"]: r for r in query(db, "SELECT * FROM urls")},
                 "requests": [r.path for r in site.requests()]}
        site.healed = True
        mark = len(site.requests())
        crawl(db, config, ["series"], *REVISIT)
        second = {"broken": _article(db, site.url("/a/long-broken")), "long": _article(db, site.url("/a/long")),
                  "urls": {r["url"]: r for r in query(db, "SELECT * FROM urls")},
                  "requests": [r.path for r in site.requests()[mark:]]}
        yield {"site": site, "db": db, "first": first, "second": second, "config": config}
    finally:
        site.stop()


def test_the_pages_of_a_long_article_are_one_article_scored_whole(series):
    site, db, long = series["site"], series["db"], series["first"]["long"]
    for number, paragraphs in SERIES_TEXT.items():
        for paragraph in paragraphs:
            assert f"{paragraph}（long）" in long["text"], (number, long["text"])
    assert long["text"].index("公表した") < long["text"].index("不安の声") < long["text"].index("反撃能力")
    assert long["relevant"] == 1  # by page 3's words
    assert "read from 3 pages" in long["url_reason"]
    urls = series["first"]["urls"]
    for number in (2, 3):
        row = urls[site.url(f"/a/long/{number}")]
        assert (row["kind"], row["reason_code"], row["article_id"]) == ("article", "continuation", long["id"])
        assert f"page {number} of article {long['id']}" in row["reason"]
    # Kept raw beside the first page, for reextract.
    first_page = urls[site.url("/a/long")]["page_id"]
    parts = query(db, "SELECT url FROM pages WHERE part_of = ? ORDER BY id", first_page)
    assert [p["url"] for p in parts] == [site.url("/a/long/2"), site.url("/a/long/3")]


def test_a_page_that_fails_is_said_and_the_revisit_completes_the_article(series):
    site, first, second = series["site"], series["first"], series["second"]
    broken = first["broken"]
    assert "（long-broken）" in broken["text"] and "反撃能力" not in broken["text"]
    assert broken["relevant"] == 0
    assert "first 2 page(s) only: page 3" in broken["url_reason"] and "503" in broken["url_reason"]
    missing = first["urls"][site.url("/a/long-broken/3")]
    assert (missing["kind"], missing["reason_code"]) == ("article", "page_missing")
    assert "could not be read" in missing["reason"]
    # The outlet's health hears of it: next pages that stop working only shorten articles.
    runs = query(series["db"], "SELECT errors FROM outlet_runs WHERE outlet = 'series' ORDER BY run_id")
    assert [r["errors"] for r in runs] == [1, 0]
    # Not relevant as read, it is revisited all the same (only relevant articles are, by default),
    # and unconditionally: its first page is unchanged, and answers 304 to a request naming its
    # ETag, which would leave page 3 unread for good. The revisit that reads page 3 makes it a
    # new version, now relevant.
    after = second["broken"]
    assert after["id"] == broken["id"] and after["version"] == 2
    assert "反撃能力" in after["text"] and after["relevant"] == 1
    assert broken["relevant_since"] is None and after["relevant_since"] is not None  # the next digest has it
    healed = second["urls"][site.url("/a/long-broken/3")]
    assert (healed["kind"], healed["reason_code"]) == ("article", "continuation")


def test_a_revisit_of_a_whole_article_reads_its_pages_and_finds_it_unchanged(series):
    # Page 1 alone would read as a shorter text: a new version that loses pages 2 and 3.
    second = series["second"]
    assert second["requests"].count("/a/long") == 1
    assert second["requests"].count("/a/long/2") == 1 and second["requests"].count("/a/long/3") == 1
    long = second["long"]
    assert long["version"] == 1 and long["text"] == series["first"]["long"]["text"]


def test_a_pager_that_goes_on_and_on_is_read_to_ten_pages_and_says_so(series):
    site, first = series["site"], series["first"]
    endless = _article(series["db"], site.url("/a/endless"))
    assert "第10ページでは" in endless["text"] and "第11ページ" not in endless["text"]
    assert (f"read from its first 10 pages only (NEWSMON_MAX_ARTICLE_PAGES = 10): it goes on at "
            f"{site.url('/a/endless/11')}" in endless["url_reason"])
    assert "/a/endless/11" not in first["requests"]


def test_the_pages_read_of_one_article_are_a_setting(series, tmp_path):
    site, config = series["site"], series["config"]
    db = tmp_path / "fewer.db"
    crawl(db, config, ["series"], "NEWSMON_MAX_ARTICLE_PAGES=3")
    endless = _article(db, site.url("/a/endless"))
    assert "第4ページでは" not in endless["text"] and SERIES_TEXT[3][0] + "（endless）" in endless["text"]
    assert "read from its first 3 pages only (NEWSMON_MAX_ARTICLE_PAGES = 3)" in endless["url_reason"]


def test_next_pages_are_never_fetched_as_articles_of_their_own(series):
    db = series["db"]
    assert query(db, "SELECT count(*) AS n FROM articles WHERE title LIKE '公共施設%'")[0]["n"] == 3
    first = series["first"]["requests"]
    assert first.count("/a/long/2") == 1 and first.count("/a/long-broken/3") == 2  # one retry of the 503
