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


def _claiming(path: str, canonical: str) -> tuple[str, bytes]:
    import re

    url, body = _nhk(path)
    assert re.search(rb'<link rel="canonical" href="[^"]+"', body)
    return url, re.sub(rb'<link rel="canonical" href="[^"]+"', f'<link rel="canonical" href="{canonical}"'.encode(),
                       body)


def _states(db) -> dict[str, tuple[str, str, int]]:
    return {url: (code, reason, article_id) for url, code, reason, article_id
            in db.execute("SELECT url, reason_code, reason, article_id FROM urls")}


def test_articles_whose_canonical_link_names_another_article_are_stored_apart(tmp_path):
    # A template that copies one article's canonical link into the next ones (or a CMS that
    # names the story's first article in each follow-up): each page was stored as a "version" of
    # the first, its text replaced by theirs, none of them new. Their texts say otherwise.
    db = open_db(tmp_path / "n.db")
    paths = list(NHK_PAGES)
    first_url, first_body = _nhk(paths[0])
    first = store.save(db, url=first_url, body=first_body, record=store.analyse(first_body, first_url), outlet="nhk")
    text = db.execute("SELECT text FROM articles").fetchone()[0]
    others = []
    for path in paths[1:]:
        url, body = _claiming(path, first_url)
        record = store.analyse(body, url)
        assert record["canonical_url"] == first_url
        others.append(store.save(db, url=url, body=body, record=record, outlet="nhk"))
    assert [s.new for s in others] == [True, True]
    assert len({first.article_id, *(s.article_id for s in others)}) == 3
    assert db.execute("SELECT text, version FROM articles WHERE id = ?", [first.article_id]).fetchone() == (text, 1)
    states = _states(db)
    for path, saved in zip(paths[1:], others):
        url = _nhk(path)[0]
        assert states[url] == ("stored", f"stored as article {saved.article_id} (rules:nhk@2023-04); its page names "
                                         f"{first_url} (article {first.article_id}) as its canonical URL, but they "
                                         "share too little text to be one article: kept apart", saved.article_id)
        assert db.execute("SELECT canonical_url FROM articles WHERE id = ?", [saved.article_id]).fetchone() == (url,)


def test_an_article_that_claimed_another_pages_url_gives_it_back(tmp_path):
    # The other order: the follow-up (claiming the first article's URL) was read first. The first
    # article's own page, at that URL, is then its own article, and the follow-up takes its own URL.
    db = open_db(tmp_path / "n.db")
    paths = list(NHK_PAGES)
    first_url, first_body = _nhk(paths[0])
    second_url, second_body = _claiming(paths[1], first_url)
    second = store.save(db, url=second_url, body=second_body, record=store.analyse(second_body, second_url),
                        outlet="nhk")
    first = store.save(db, url=first_url, body=first_body, record=store.analyse(first_body, first_url), outlet="nhk")
    assert first.new and second.new and first.article_id != second.article_id
    assert db.execute("SELECT id, canonical_url FROM articles ORDER BY id").fetchall() == [
        (second.article_id, second_url), (first.article_id, first_url)]
    # Both pages again (an archive holding them both): each is its own article's sighting.
    again = [store.save(db, url=url, body=body, record=store.analyse(body, url), outlet="nhk")
             for url, body in ((second_url, second_body), (first_url, first_body))]
    assert [(s.article_id, s.new, s.changed) for s in again] == [
        (second.article_id, False, False), (first.article_id, False, False)]


def test_a_page_that_names_its_flash_as_canonical_is_the_flashs_update(tmp_path):
    # What a canonical link to another URL is for: the same article, grown. A flash of its first
    # paragraph, then the whole article at another URL naming the flash's: one article, version 2.
    db = open_db(tmp_path / "n.db")
    paths = list(NHK_PAGES)
    url, body = _nhk(paths[0])
    record = store.analyse(body, url)
    whole = record["text"]
    flash = dict(record, text=whole.split("\n")[0], content_hash=None)
    first = store.save(db, url=url, body=body, record=flash, outlet="nhk")
    later_url, later_body = _claiming(paths[0], url)
    later_url = later_url.replace("/20230403/", "/20230404/")
    grown = store.save(db, url=later_url, body=later_body, record=store.analyse(later_body, later_url), outlet="nhk")
    assert (grown.article_id, grown.new, grown.changed, grown.version) == (first.article_id, False, True, 2)
    assert _states(db)[later_url][1] == f"already stored as article {first.article_id} (rules:nhk@2023-04)"


def test_a_word_for_word_reprint_in_another_outlet_is_stored_as_its_copy(tmp_path):
    from .hostile import article_html

    db = open_db(tmp_path / "n.db")
    body = article_html(4, "防衛省、南西諸島の部隊配置を見直しへ").encode()
    saved = [store.save(db, url=url, body=body, record=store.analyse(body, url), outlet=outlet,
                        opts=store.options(None))
             for url, outlet in (("https://www.kyodo.co.jp/politics/2026-11-05/abcd/", "kyodo"),
                                 ("https://www.tokyo-np.co.jp/article/412345", "tokyo_np"))]
    assert [s.new for s in saved] == [True, True]
    rows = db.execute("SELECT id, outlet, story_id, duplicate_of FROM articles ORDER BY id").fetchall()
    (wire, _, story, none), (copy, outlet, same_story, original) = rows
    assert (outlet, same_story, original, none) == ("tokyo_np", story, wire, None) and story is not None


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
