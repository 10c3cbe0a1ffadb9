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
