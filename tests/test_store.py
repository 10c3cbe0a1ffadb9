"""The one store path: what a page's outcome does to the URL's state."""

from __future__ import annotations

from crawler import store
from storage import open_db, queries

from .conftest import saved_bytes

URL = "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/"


def test_an_article_is_done_and_kept_with_its_page(tmp_path):
    db = open_db(tmp_path / "n.db")
    body = saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html")
    saved = store.save(db, url=URL, body=body, record=store.analyse(body, URL), outlet="sankei")
    assert saved.new and queries.url_done(db, URL)
    assert [p[3] for p in queries.iter_pages(db)] == [body]


def test_storing_an_analysed_page_compiles_no_topics(tmp_path, monkeypatch):
    # The crawl process and the ingest writer only store what workers analysed: compiling the
    # topics there was a tenth of a second of every crawl's start, beside its starting workers.
    body = saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html")
    record = store.analyse(body, URL)  # as a worker does
    monkeypatch.setattr(store, "_CONFIGS", {})
    monkeypatch.setattr(store, "_TOPICS", {})

    def refuse(*args, **kwargs):
        raise AssertionError("topics compiled by a process that only stores")

    monkeypatch.setattr(store, "load_topics", refuse)
    db = open_db(tmp_path / "n.db")
    outlet = store.outlet_key(URL, store.outlets_of(None))
    saved = store.save(db, url=URL, body=body, record=record, outlet=outlet, opts=store.options(None))
    assert outlet == "sankei" and saved.new and queries.url_done(db, URL)


def test_a_page_without_article_is_not_fetched_again(tmp_path):
    db = open_db(tmp_path / "n.db")
    store.save(db, url=URL, body=b"<html><body>listing</body></html>", record=None, outlet="sankei")
    assert queries.url_done(db, URL)


def test_a_crashed_extraction_is_retried_not_written_off(tmp_path):
    db = open_db(tmp_path / "n.db")
    store.save(db, url=URL, body=b"<html>...</html>", record=None, outlet="sankei",
               error="extraction failed: BrokenProcessPool: worker died")
    row = db.execute("select kind, last_error from urls where url = ?", [URL]).fetchone()
    assert row == ("error", "extraction failed: BrokenProcessPool: worker died")
    assert not queries.url_done(db, URL, max_attempts=3)


def test_articles_of_a_primary_source_are_marked(tmp_path):
    """The Ministry of Defense's own pages are stored as a primary source, apart from the news."""
    from storage import open_db

    from .hostile import article_html

    db = open_db(tmp_path / "news.db")
    body = article_html(3, "防衛省、国家防衛戦略の改定に向けた検討状況を公表").encode()
    url = "https://www.mod.go.jp/j/press/news/2026/08/19a.html"
    record = store.analyse(body, url)
    assert record is not None and record["outlet"] == "mod" and record["primary_source"] == 1
    store.save(db, url=url, body=body, record=record, outlet="mod")
    news = store.analyse(body, "https://www.sankei.com/article/20260819-ABCDEFGHIJKLMNOPQRSTUVWXYZ/")
    assert news is not None and news["primary_source"] == 0
    assert db.execute("SELECT outlet, primary_source FROM articles").fetchall() == [("mod", 1)]


def test_an_article_record_has_every_field_and_lists_of_its_own():
    """``Article.to_dict`` (the record every store path starts from) copies no more than it
    must, but a record changed by the store must never change the article it came from."""
    import dataclasses

    from crawler.extract import extract_article

    article = extract_article(saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html"), URL)
    record = article.to_dict()
    assert record == {**dataclasses.asdict(article), "text": article.text}
    for name, value in record.items():
        if isinstance(value, list):
            value.append("changed")
    assert "changed" not in article.paragraphs + article.authors + article.tags


NHK_PAGES = {"scrapping-webs/nhk-test_article_1.html": "k10014027131000",
             "scrapping-webs/nhk-test_article_2.html": "k10014027091000",
             "scrapping-webs/nhk-test_article_3.html": "k10014027341000"}


def _nhk(path: str) -> tuple[str, bytes]:
    return f"https://www3.nhk.or.jp/news/html/20230403/{NHK_PAGES[path]}.html", saved_bytes(path)


def test_articles_whose_canonical_link_is_no_article_url_are_stored_apart(tmp_path):
    # The store takes pages with one canonical URL for one article. A template that names the
    # home page, the section or a listing there made each article of the outlet a new "version"
    # of the first: its text replaced, none of them new in the queue.
    import re

    db = open_db(tmp_path / "n.db")
    stored = []
    for path, canonical in zip(NHK_PAGES, ("https://www3.nhk.or.jp/", "https://www3.nhk.or.jp/news/",
                                           "https://www3.nhk.or.jp/news/catnew.html")):
        url, body = _nhk(path)
        assert re.search(rb'<link rel="canonical" href="[^"]+"', body)
        body = re.sub(rb'<link rel="canonical" href="[^"]+"', f'<link rel="canonical" href="{canonical}"'.encode(), body)
        record = store.analyse(body, url)
        assert record["canonical_url"] == url
        stored.append(store.save(db, url=url, body=body, record=record, outlet="nhk"))
    assert [s.new for s in stored] == [True, True, True] and len({s.article_id for s in stored}) == 3


def test_a_canonical_link_without_the_trailing_slash_is_the_articles_own():
    # (The section rule took ".../21" for a section above ".../21/": the same page.)
    from crawler.extract import _can_be_canonical

    url = "https://pawszilla.com/pop-culture/celebrities/fans-expressed-fears/21/"
    assert _can_be_canonical(url.rstrip("/"), url, None)
    assert _can_be_canonical(url, url.rstrip("/"), None)
    assert not _can_be_canonical("https://pawszilla.com/pop-culture/", url, None)


def test_a_canonical_link_to_the_article_elsewhere_still_names_one_article(tmp_path):
    # The other side: NHK's pages name their article on news.web.nhk; a fetch of either URL is
    # the same article.
    db = open_db(tmp_path / "n.db")
    url, body = _nhk(next(iter(NHK_PAGES)))
    moved = body.replace(url.encode(), b"https://news.web.nhk/newsweb/na/na-k10014027131000")
    record = store.analyse(moved, url)
    assert record["canonical_url"] == "https://news.web.nhk/newsweb/na/na-k10014027131000"
    first = store.save(db, url=url, body=moved, record=record, outlet="nhk")
    other = "https://news.web.nhk/newsweb/na/na-k10014027131000"
    again = store.save(db, url=other, body=moved, record=store.analyse(moved, other), outlet="nhk")
    assert first.new and not again.new and again.article_id == first.article_id


def test_a_teaser_or_a_notice_in_place_of_a_stored_article_is_no_new_version():
    from crawler.store import revisit_loss

    paragraphs = ["政府は20日、安保3文書の改定に向けた与党協議を開き、反撃能力の運用について議論した。",
                  "協議では、反撃能力を行使する際の判断基準をどこまで明文化するかが焦点となった。",
                  "公明党は歯止めが必要だと主張し、国会への事前報告を条件とするよう求めた。"]
    stored = "\n".join(paragraphs)
    # The outlet made it members-only: its teaser keeps the first sentence.
    kind, why = revisit_loss(stored, False, {"text": paragraphs[0], "paywalled": True})
    assert kind == "paywalled" and why.startswith(f"the outlet now shows {len(paragraphs[0])} of the ")
    # Taken down: a notice, quoted.
    kind, why = revisit_loss(stored, False, {"title": "おわび", "text": "この記事は削除しました。"})
    assert (kind, why) == ("removed", f"its page now reads 「おわび この記事は削除しました。」 (12 characters, where "
                                      f"{len(''.join(stored.split()))} were stored); the text stored is kept")
    # Updates: a paragraph added, a figure corrected, a paragraph cut, a teaser opened to all.
    assert revisit_loss(stored, False, {"text": stored + "\n（追記）会合は2時間に及んだ。"}) is None
    assert revisit_loss(stored, False, {"text": stored.replace("20日", "21日")}) is None
    assert revisit_loss(stored, False, {"text": "\n".join(paragraphs[:2])}) is None
    assert revisit_loss(paragraphs[0], True, {"text": stored}) is None
