"""Which link is an article's next page (crawler.pagination), on the saved pages and on shapes
they do not show; and reextract reads a stored article from all its pages again."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from crawler import store
from crawler.outlets import registry
from crawler.pagination import continuation_of, first_page, next_page, page_of
from crawler.testsite import read_manifest
from storage import open_db

from .hostile import SERIES_TEXT, series_html
from .saved import SAVED, saved_bytes

#: The saved pages with a pager to their page 2 (all of them: tests/fixtures/saved, 2026-12-01).
PAGED = {
    "java-extractarticle/000001-yahoo.html": "https://news.yahoo.co.jp/articles/a6d17c414d357ac2a5d8d7aabe7d720c22e053e6?page=2",
    "java-extractarticle/000002-yahoo.html": "https://news.yahoo.co.jp/articles/6d19a1e3c576789da6cd60c567eeb1da34c63ef1?page=2",
    "java-extractarticle/000003-yahoo.html": "https://news.yahoo.co.jp/articles/7ec8b60c829fc9d6506559cb3f5802f8a601f8ee?page=2",
    "java-extractarticle/000015-sankei.html": "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/",
    "fundus-jp/NikkanGeadai_2025_01_31.html": "https://www.nikkan-gendai.com/articles/view/sports/367061/2",
}


def test_the_next_page_of_every_saved_page_and_of_no_other():
    # 13 of the saved blog and WordPress pages have a <link rel="next"> to the next *post*.
    found = {}
    for relpath, row in read_manifest(SAVED).items():
        tree = lxml_html.fromstring(saved_bytes(relpath))
        url = row.get("original_url_if_known") or None
        canonical = tree.xpath("//link[@rel='canonical']/@href")
        following = next_page(tree, url or (canonical[0] if canonical else None))
        if following:
            found[relpath] = following
    assert found == PAGED


@pytest.mark.parametrize("url, link, expected", [
    ("https://e.jp/articles/abc", "/articles/abc?page=2", True),
    ("https://e.jp/articles/abc?source=rss", "/articles/abc?page=2", True),  # a feed's mark on page 1
    ("https://e.jp/articles/abc?page=2", "/articles/abc?page=3", True),
    ("https://e.jp/articles/abc?page=2", "/articles/abc?page=2", False),  # itself
    ("https://e.jp/articles/abc", "/articles/abc?page=3", False),  # not the next
    ("https://e.jp/article/ID/", "/article/ID/2/", True),
    ("https://e.jp/article/ID/2/", "https://e.jp/article/ID/3/", True),
    ("https://e.jp/article/ID/2/", "/article/ID/", False),  # back to page 1
    ("https://e.jp/article/ID/", "https://other.jp/article/ID/2/", False),
    ("https://e.jp/article?k=1", "/article?k=2&page=2", False),  # the query names another article
    ("https://e.jp/article?k=1", "/article?k=1&page=2", True),
    ("https://e.jp/2026/11/post-a/", "/2026/11/post-b/", False),  # a blog's next post
    ("https://e.jp/news/316000", "/news/316001", False),
])
def test_a_next_page_is_the_same_url_with_the_next_page_number(url, link, expected):
    tree = lxml_html.fromstring(f'<html><body><p>x</p><a href="{link}">次へ</a></body></html>')
    assert (next_page(tree, url) is not None) is expected


def test_page_of_reads_a_path_or_a_query_page_number():
    assert page_of("https://e.jp/a/ID/3/") == ("https://e.jp/a/ID", frozenset(), 3)
    assert page_of("https://e.jp/a?k=1&page=4#top") == ("https://e.jp/a", frozenset({("k", "1")}), 4)
    assert page_of("https://E.jp/a/ID/") == ("https://e.jp/a/ID", frozenset(), 1)


@pytest.mark.parametrize(("url", "first"), [
    ("https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/",
     "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/"),
    ("https://example.com/news/123/3", "https://example.com/news/123"),
    ("https://news.yahoo.co.jp/articles/ccefeb5eab47eae5919373c8bf3b24c6f8725f7a?source=rss&page=2#top",
     "https://news.yahoo.co.jp/articles/ccefeb5eab47eae5919373c8bf3b24c6f8725f7a?source=rss"),
    ("https://news.yahoo.co.jp/articles/ccefeb5eab47eae5919373c8bf3b24c6f8725f7a?page=1", None),
    ("https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/", None),
    ("https://example.com/news/2024/123", None),
])
def test_the_first_page_of_a_later_page_is_its_url_without_the_page_number(url, first):
    assert first_page(url) == first
    if first is not None:
        assert page_of(first)[:2] == page_of(url)[:2] and page_of(first)[2] == 1


@pytest.mark.parametrize(("url", "first"), [
    ("https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/",
     "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/"),
    ("https://news.yahoo.co.jp/articles/ccefeb5eab47eae5919373c8bf3b24c6f8725f7a?page=3",
     "https://news.yahoo.co.jp/articles/ccefeb5eab47eae5919373c8bf3b24c6f8725f7a"),
    # The outlet's pattern takes the URL: an article (numbered paths are not page numbers there).
    ("https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/", None),
    # Photo pages are no article, nor the first page's continuation.
    ("https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/photo/2/", None),
])
def test_a_later_page_is_a_continuation_where_its_outlets_pattern_says_so(url, first):
    outlets = registry()
    outlet = outlets["sankei"] if "sankei" in url else outlets["yahoo"]
    assert continuation_of(url, outlet) == first
    assert continuation_of(url, None) is None


def test_reextract_reads_an_article_from_all_its_pages_again(tmp_path):
    # Page 1 alone would read as a shorter article: reextract made every long article so.
    db = open_db(tmp_path / "n.db")
    base = "https://e.jp/a/long"
    pages = {n: series_html("/a/long", n, 3, "long") for n in (1, 2, 3)}
    urls = {1: base, 2: f"{base}/2", 3: f"{base}/3"}
    record = store.analyse(pages[1], base, more=[(pages[2], urls[2], None), (pages[3], urls[3], None)])
    assert record["_pages"] == 3 and record["_next_page"] is None
    page_id = store.keep_page(db, base, pages[1], outlet=None)
    parts = [store.PagePart(urls[n], pages[n], "text/html; charset=utf-8", 200) for n in (2, 3)]
    saved = store.save_verdict(db, url=base, page_id=page_id, record=record, outlet=None, parts=parts)
    whole = db.execute("SELECT text FROM articles WHERE id = ?", [saved.article_id]).fetchone()[0]
    assert SERIES_TEXT[3][1] in whole
    db.execute("UPDATE articles SET text = 'x', content_hash = 'x' WHERE id = ?", [saved.article_id])
    store.reextract(db, None, store.Options())
    assert db.execute("SELECT text FROM articles WHERE id = ?", [saved.article_id]).fetchone()[0] == whole


def test_reextract_finds_an_article_read_from_its_first_page_only_and_plans_its_revisit(tmp_path):
    # Stored before newsmon read articles split over pages: page 1 only, and nothing would ever
    # read the rest. reextract fetches nothing; it makes the next page the article's missing page
    # and its revisit due, which the outlet's next crawl does (unconditionally: tests/test_pages_e2e).
    db = open_db(tmp_path / "n.db")
    url = "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/"
    body = saved_bytes("java-extractarticle/000015-sankei.html")
    record = store.split(store.analyse(body, url))[0]
    saved = store.save(db, url=url, body=body, record=record, outlet="sankei")
    counts = store.reextract(db, None, store.Options())
    assert counts["first_page_only"] == 1
    (kind, code, article_id), = db.execute(
        "SELECT kind, reason_code, article_id FROM urls WHERE url = ?", [f"{url}2/"]).fetchall()
    assert (kind, code, article_id) == ("article", "page_missing", saved.article_id)
    assert db.execute("SELECT count(*) FROM revisits WHERE url = ? AND due_at IS NOT NULL", [url]).fetchone()[0] == 1
    # Once planned, not again.
    assert "first_page_only" not in store.reextract(db, None, store.Options())


def test_a_reextract_stopped_as_it_plans_the_next_pages_leaves_the_article_to_the_next_outdated_one(tmp_path,
                                                                                                    monkeypatch):
    # Planned after the article's COMMIT, a Ctrl-C between the two left the article current: `reextract --outdated`
    # passed it by, and its next pages were never planned, never fetched.
    db = open_db(tmp_path / "n.db")
    url = "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/"
    body = saved_bytes("java-extractarticle/000015-sankei.html")
    store.save(db, url=url, body=body, record=store.split(store.analyse(body, url))[0], outlet="sankei")
    db.execute("UPDATE articles SET extraction = 0")  # outdated: stored by an older newsmon

    def pressed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(store, "_plan_next_pages", pressed)
        with pytest.raises(KeyboardInterrupt):
            store.reextract(db, None, store.Options(), articles=store.articles_to_reextract(db, outdated=True))
    counts = store.reextract(db, None, store.Options(), articles=store.articles_to_reextract(db, outdated=True))
    assert counts["first_page_only"] == 1
    assert db.execute("SELECT reason_code FROM urls WHERE url = ?", [f"{url}2/"]).fetchall() == [("page_missing",)]


def test_a_missing_page_that_is_no_longer_a_page_of_its_article_is_missing_no_more(tmp_path):
    # The site joined the article's pages (or its pager now ends sooner): a revisit reads it whole
    # without page 3, which must not stay "missing" (the article flagged incomplete, and asked for
    # unconditionally at every revisit) for good.
    db = open_db(tmp_path / "n.db")
    base = "https://e.jp/a/long"
    pages = {n: series_html("/a/long", n, 3, "long") for n in (1, 2)}
    record = store.analyse(pages[1], base, more=[(pages[2], f"{base}/2", None)])
    page_id = store.keep_page(db, base, pages[1], outlet=None)
    parts = [store.PagePart(f"{base}/2", pages[2], "text/html", 200), store.PagePart(f"{base}/3", problem="HTTP 503")]
    article_id = store.save_verdict(db, url=base, page_id=page_id, record=record, outlet=None, parts=parts).article_id
    code = "SELECT reason_code FROM urls WHERE url = ?"
    assert db.execute(code, [f"{base}/3"]).fetchone() == ("page_missing",)
    whole = series_html("/a/long", 1, 1, "long")  # one page now, no pager
    done = store.save_revisit(db, url=base, article_id=article_id, body=whole, record=store.analyse(whole, base),
                              opts=store.Options())
    assert done.changed
    assert db.execute(code, [f"{base}/3"]).fetchone() == ("page_gone",)
    assert "no longer a page of article" in db.execute("SELECT reason FROM urls WHERE url = ?", [f"{base}/3"]).fetchone()[0]


def _page_3_missing(tmp_path):
    """A database holding an article of 3 pages stored from its first 2, its page 3 an HTTP 503 (``page_missing``),
    its revisits on: (db, first page's URL, the article's id, options, its first 2 pages)."""
    db = open_db(tmp_path / "n.db")
    base = "https://e.jp/a/long"
    pages = {n: series_html("/a/long", n, 3, "long") for n in (1, 2)}
    record = store.analyse(pages[1], base, more=[(pages[2], f"{base}/2", None)])
    parts = [store.PagePart(f"{base}/2", pages[2], "text/html", 200), store.PagePart(f"{base}/3", problem="HTTP 503")]
    opts = store.Options()
    saved = store.save_verdict(db, url=base, page_id=store.keep_page(db, base, pages[1], outlet=None), record=record,
                               outlet=None, parts=parts, revisit=True, opts=opts)
    return db, base, saved.article_id, opts, pages


def test_a_missing_pages_reason_says_it_stays_missing_once_no_revisit_is_to_read_it(tmp_path):
    # "the article holds its first 2 page(s) only until a revisit reads this one", where the last of the planned
    # revisits had failed too, or revisits were off: no revisit ever came, and the reason went on saying one would.
    db, base, article_id, opts, pages = _page_3_missing(tmp_path)
    reason = "SELECT reason FROM urls WHERE url = ?"
    assert db.execute(reason, [f"{base}/3"]).fetchone()[0].endswith("until a revisit reads this one")
    store.revisit_failed(db, base, "HTTP 503", opts=opts)  # the first, an hour in: others follow
    assert db.execute(reason, [f"{base}/3"]).fetchone()[0].endswith("until a revisit reads this one")
    db.execute("UPDATE revisits SET first_seen_at = '2026-01-01T00:00:00+00:00' WHERE article_id = ?", [article_id])
    store.revisit_failed(db, base, "HTTP 503", opts=opts)  # past the last (72 h)
    said = db.execute(reason, [f"{base}/3"]).fetchone()[0]
    assert "until a revisit" not in said and "could not read it either, and no other is planned" in said
    other = "https://e.jp/a/other"
    off = store.save_verdict(db, url=other, page_id=None, record=store.analyse(pages[1], other), outlet=None,
                             parts=[store.PagePart(f"{other}/2", problem="HTTP 503")], revisit=True,
                             opts=store.Options(revisit_after=()))
    assert off.article_id is not None
    said = db.execute(reason, [f"{other}/2"]).fetchone()[0]
    assert said.endswith("page(s) only for good: revisits are off ([revisit] after, NEWSMON_REVISIT_AFTER), and "
                         "none reads it")


def test_a_missing_pages_reason_follows_the_revisits_whatever_the_last_one_met(tmp_path):
    # The last planned revisit found the article taken down (a 404): it read none of its pages, and the missing
    # page's reason went on saying a revisit would read it. A revisit planned again (the outlet dated an update)
    # took nothing back: "for good", with a revisit on its way.
    from storage import versions

    db, base, article_id, opts, _ = _page_3_missing(tmp_path)
    reason = "SELECT reason FROM urls WHERE url = ?"
    db.execute("UPDATE revisits SET first_seen_at = '2026-01-01T00:00:00+00:00' WHERE article_id = ?", [article_id])
    store.revisit_removed(db, base, "its page answers an HTTP 404", article_id=article_id, opts=opts, status=404)
    said = db.execute(reason, [f"{base}/3"]).fetchone()[0]
    assert said.startswith("page 3 of article 1 (https://e.jp/a/long) could not be read: HTTP 503; the article holds "
                           "its first 2 page(s) only for good: the last of its planned revisits (")
    assert said.endswith("UTC) found the article removed and did not read it, and no other is planned")
    versions.revisit_now(db, base, article_id=article_id, outlet=None, now="2026-02-01T00:00:00+00:00")
    assert db.execute(reason, [f"{base}/3"]).fetchone()[0] == (
        "page 3 of article 1 (https://e.jp/a/long) could not be read: HTTP 503; the article holds its first 2 page(s) "
        "only until a revisit reads this one")
    store.revisit_failed(db, base, "HTTP 503", opts=opts)  # that one, the last again
    assert "could not read it either, and no other is planned" in db.execute(reason, [f"{base}/3"]).fetchone()[0]


@pytest.mark.parametrize("relpath, url, paragraph", [
    ("java-extractarticle/000001-yahoo.html", "https://news.yahoo.co.jp/articles/a6d17c414d357ac2a5d8d7aabe7d720c22e053e6",
     rb'(<p class="[^"]*highLightSearchTarget[^"]*">)[^<]*(</p>)'),
    ("java-extractarticle/000015-sankei.html", "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/",
     rb'(<p class="article-text ">)[^<]*(</p>)'),
])
def test_the_outlets_rules_read_page_2_on_their_template_and_the_article_is_both(relpath, url, paragraph):
    # Page 2 is page 1's real template with its body paragraphs written here: what a crawl reads
    # of such an article is page 1's text and then page 2's, scored whole.
    import re

    first = saved_bytes(relpath)
    mine = "（続き）市は来年度の予算案に関連経費を盛り込む方針で、議会の審議が注目される。"
    second = re.sub(paragraph, lambda m: m.group(1) + mine.encode() + m.group(2), first)
    following = PAGED[relpath]
    alone = store.analyse(first, url)
    record = store.analyse(first, url, more=[(second, following, None)])
    assert alone["_next_page"] == following and record["_pages"] == 2
    assert record["text"].startswith(alone["text"]) and record["text"].endswith(mine)
    assert record["method"] == alone["method"] and record["method"].startswith("rules:")


#: The saved TBS NEWS DIG pages that show a teaser and link the whole article (their dataLayer:
#: the ``article_0`` view, 407 / 288 / 96 characters, of which they hold 100 / 98 / 86).
TEASERS = {
    "https://newsdig.tbs.co.jp/articles/tuf/418305?display=1&mwplay=1": "https://newsdig.tbs.co.jp/articles/tuf/418305?display=1",
    "https://newsdig.tbs.co.jp/articles/-/417606": "https://newsdig.tbs.co.jp/articles/-/417606?display=1",
    "https://newsdig.tbs.co.jp/articles/bss/276175": "https://newsdig.tbs.co.jp/articles/bss/276175?display=1",
}


def test_extraction_gives_a_next_page_for_the_paged_and_the_teaser_pages_only():
    from tests import warcs

    found = {f.url: r["_next_page"] for f in warcs.outlet_pages()
             if (r := store.analyse(f.body, f.url)) is not None and r["_next_page"]}
    paged = {row["original_url_if_known"]: PAGED[rel] for rel, row in read_manifest(SAVED).items() if rel in PAGED}
    assert found == {**paged, **TEASERS}


def test_a_teaser_is_replaced_by_the_whole_article_it_links():
    # TBS NEWS DIG's article_0 view: the first lines and "…", "続きを読む" to ?display=1, the
    # whole text on the same template. Appended, the teaser's lines would be there twice.
    import re

    url = "https://newsdig.tbs.co.jp/articles/-/417606"
    teaser_page = saved_bytes("scrapping-webs/tbs-test_article_2.html")
    teaser = store.analyse(teaser_page, url)
    assert teaser["text"].endswith("…") and teaser["_next_page"] == TEASERS[url]
    rest = ["男は調べに対し「刺したことは間違いない」と容疑を認めているということです。",
            "警察は、２人の間に何らかのトラブルがあったとみて詳しい経緯を調べています。"]
    whole_text = teaser["text"].rstrip("…") + "した疑いが持たれています。<br>" + "<br>".join(rest)
    whole_page = re.sub(rb'(<div class="article-body[^"]*">\s*<p>).*?(</p>)',
                        lambda m: m.group(1) + whole_text.encode() + m.group(2), teaser_page, flags=re.S)
    whole_page = re.sub(rb'<a class="c-button-read"[^>]*>[^<]*</a>', b"", whole_page)
    record = store.analyse(teaser_page, url, more=[(whole_page, TEASERS[url], None)])
    assert record["_pages"] == 2 and record["_next_page"] is None
    lines = record["text"].split("\n")
    assert lines[0].startswith(teaser["text"].rstrip("…")) and lines[0].endswith("した疑いが持たれています。")
    assert lines[1:] == rest  # the teaser is not there twice


@pytest.mark.parametrize("href, expected", [
    ("/articles/-/417606?display=1", "https://newsdig.tbs.co.jp/articles/-/417606?display=1"),
    ("?display=1", "https://newsdig.tbs.co.jp/articles/-/417606?display=1"),
    ("/articles/-/417607?display=1", None),  # another article's
    ("https://other.example/articles/-/417606?display=1", None),
    ("/articles/-/417606", None),  # the page itself
])
def test_the_whole_article_link_is_another_view_of_the_same_article(href, expected):
    from crawler.pagination import whole_at

    tree = lxml_html.fromstring(f'<html><body><a class="more" href="{href}">続きを読む</a></body></html>')
    assert whole_at("https://newsdig.tbs.co.jp/articles/-/417606", tree.xpath("//a")) == expected


@pytest.mark.parametrize("written", ["&amp;amp;", "&amp;#38;", "&amp;#x26;"])
def test_a_next_page_or_whole_article_link_whose_query_ampersand_is_escaped_is_read_whole(written):
    # An href escaped twice, read once by the HTML parser: "&#38;page=2" was "?k=7&" (the '#' a fragment's), no next
    # page, and the pages after the first lost; "&amp;page=2" the parameter "amp;page", no next page either. The
    # whole article's link was asked for as "?k=7&", the page itself again.
    tree = lxml_html.fromstring(f'<html><body><p>x</p><a href="/view.php?k=7{written}page=2">次へ</a>'
                                f'<a class="more" href="/view.php?k=7{written}display=1">続きを読む</a></body></html>')
    assert next_page(tree, "https://e.jp/view.php?k=7") == "https://e.jp/view.php?k=7&page=2"
    from crawler.pagination import whole_at

    whole = whole_at("https://e.jp/view.php?k=7", tree.xpath("//a[@class='more']"))
    assert whole == "https://e.jp/view.php?k=7&display=1"
