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
