"""The one store path: what a page's outcome does to the URL's state."""

from __future__ import annotations

import copy

from crawler import store
from crawler.article import EXTRACTION_VERSION
from crawler.urls import canonical_url
from storage import open_db, queries

from .conftest import saved_bytes
from .test_ingest_scale import newsmon

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


def test_a_new_url_that_redirects_to_a_stored_article_leaves_that_articles_own_url_as_it_was(tmp_path):
    # An outlet's old URL, listed later, redirects to an article stored under its own URL: that
    # URL's row was rewritten "already stored as article N (redirected: …)", a duplicate of itself.
    db = open_db(tmp_path / "n.db")
    body = saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html")
    first = store.save(db, url=URL, body=body, record=store.analyse(body, URL), outlet="sankei")
    old = URL.replace("20250121-", "20250120-")
    again = store.save_verdict(db, url=old, page_id=None, record=store.analyse(body, URL), outlet="sankei",
                               final_url=URL, redirects=[old])
    assert again.article_id == first.article_id and not again.new
    rows = {url: (code, reason, to) for url, code, reason, to in
            db.execute("SELECT url, reason_code, reason, redirected_to FROM urls").fetchall()}
    assert rows[URL][0] == "stored" and rows[URL][1].startswith(f"stored as article {first.article_id} (")
    assert rows[URL][2] is None
    assert rows[old][0] == "duplicate" and rows[old][2] == URL and "redirected: " in rows[old][1]


def test_a_url_an_ingest_stored_while_a_crawl_fetched_it_keeps_its_own_row(tmp_path):
    # An ingest and a crawl of the same URLs at once: the crawl fetched the page the ingest had
    # just stored, and rewrote the article's own URL as "already stored as article N", a duplicate
    # of itself.
    db = open_db(tmp_path / "n.db")
    body = saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html")
    first = store.save(db, url=URL, body=body, record=store.analyse(body, URL), outlet="sankei")
    page_id = queries.save_page(db, URL, body, outlet="sankei")
    again = store.save_verdict(db, url=URL, page_id=page_id, record=store.analyse(body, URL), outlet="sankei",
                               run_id=1, attempt=True)
    assert again.article_id == first.article_id and not again.new
    code, reason = db.execute("SELECT reason_code, reason FROM urls WHERE url = ?", [URL]).fetchone()
    assert code == "stored" and reason.startswith(f"stored as article {first.article_id} (")


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
        # (The www3 article's key is its address on news.web.nhk, where NHK moved: crawler.urls.)
        assert record["canonical_url"] == record["url"] == canonical_url(url)
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
        assert record["canonical_url"] == canonical_url(first_url)
        others.append(store.save(db, url=url, body=body, record=record, outlet="nhk"))
    assert [s.new for s in others] == [True, True]
    assert len({first.article_id, *(s.article_id for s in others)}) == 3
    assert db.execute("SELECT text, version FROM articles WHERE id = ?", [first.article_id]).fetchone() == (text, 1)
    states = _states(db)
    for path, saved in zip(paths[1:], others):
        url = _nhk(path)[0]
        assert states[url] == ("stored", f"stored as article {saved.article_id} (rules:nhk@2023-04); its page names "
                                         f"{canonical_url(first_url)} (article {first.article_id}) as its canonical "
                                         "URL, but they share too little text to be one article: kept apart",
                               saved.article_id)
        assert db.execute("SELECT canonical_url FROM articles WHERE id = ?", [saved.article_id]).fetchone() == (
            canonical_url(url),)


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
        (second.article_id, canonical_url(second_url)), (first.article_id, canonical_url(first_url))]
    # Its URL's reason says which page named which: "its page names <the follow-up>" blamed the
    # first article's page for the follow-up's canonical link.
    assert _states(db)[first_url][1] == (
        f"stored as article {first.article_id} (rules:nhk@2023-04); article {second.article_id} "
        f"({canonical_url(second_url)}) had taken this URL for its canonical one, but they share too little text to "
        "be one article: kept apart, each under its own URL")
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
    later_url = later_url.replace("/k10014027131000.", "/k10014027139000.")
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


def _merged_as_before(db, first: tuple[str, bytes], others: list[tuple[str, bytes]]) -> int:
    """What newsmon made of ``others`` before it checked canonical claims against the text (stop
    31): pages whose template named the first article's URL as theirs, each stored as a new
    version of the first article, its URL done as that article's."""
    from storage import frontier

    url, body = first
    first_id = store.save(db, url=url, body=body, record=store.analyse(body, url), outlet="nhk").article_id
    for url, body in others:
        record = store.split(store.analyse(body, url))[0]
        page_id = queries.save_page(db, url, body, article_id=first_id, outlet="nhk")
        queries.store_article(db, record, article_id=first_id, page_id=page_id)
        frontier.record_result(db, url, outlet="nhk", kind="article", code="stored", article_id=first_id,
                               page_id=page_id, reason=f"already stored as article {first_id}")
    return first_id


def test_reextract_gives_the_articles_an_old_database_merged_into_another_their_own(tmp_path):
    # A database written before the claim check keeps such pages as versions of the first
    # article: only the newest shows, the others are in no queue, their URLs done. Their raw
    # pages are kept, and a reextract reads each as the article it is.
    db = open_db(tmp_path / "n.db")
    paths = list(NHK_PAGES)
    first = _nhk(paths[0])
    others = [_claiming(path, first[0]) for path in paths[1:]]
    texts = [store.analyse(body, url)["text"] for url, body in (first, *others)]
    first_id = _merged_as_before(db, first, others)
    assert db.execute("SELECT count(*), max(version) FROM articles").fetchone() == (1, 3)
    db.execute("UPDATE articles SET extraction = NULL")  # as before m027
    db.conn.close()
    # As a user upgrading meets it: status asks for a reextract, which says what it took apart.
    status = newsmon("status", "--db", str(tmp_path / "n.db")).stdout
    assert "extraction: 1 article was read by an older newsmon" in status
    result = newsmon("reextract", "--db", str(tmp_path / "n.db"), "--outdated")
    assert result.returncode == 0
    assert ("; 2 articles that an older newsmon had merged into another (a version whose text that one does not "
            "share, taken on its canonical link's word; another outlet's word-for-word copy) are articles of their "
            "own now, in the review queue if relevant") in result.stdout
    db = open_db(tmp_path / "n.db")
    rows = db.execute("SELECT id, url, canonical_url, text, version, status FROM articles ORDER BY id").fetchall()
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        (canonical_url(url), canonical_url(url), text, 1, "new") for (url, _), text in zip((first, *others), texts)]
    assert rows[0][0] == first_id
    assert db.execute("SELECT count(*) FROM article_versions").fetchone() == (0,)
    states = _states(db)
    for (url, _), (article_id, *_rest) in zip(others, rows[1:]):
        code, reason, points_at = states[url]
        assert (code, points_at) == ("stored", article_id)
        assert reason == (f"stored as article {article_id} by newsmon reextract (rules:nhk@2023-04); its page had been "
                          f"stored as a version of article {first_id}, which shares no text with it (a canonical link "
                          "taken on its word by an older newsmon)")
        assert db.execute("SELECT article_id FROM pages WHERE url = ?", [url]).fetchone() == (article_id,)
    assert states[first[0]][2] == first_id
    # Read again, nothing moves.
    again = store.reextract(db, None, store.options(None))
    assert again.get("split", 0) == 0
    assert db.execute("SELECT id, url, text, version FROM articles ORDER BY id").fetchall() == [
        (r[0], r[1], r[3], 1) for r in rows]


def test_reextract_keeps_an_article_grown_at_another_url_one_article(tmp_path):
    # The other side: a version at another URL that shares the article's text (a flash grown
    # into the article, a page moved) is the article's, as when it was stored.
    db = open_db(tmp_path / "n.db")
    paths = list(NHK_PAGES)
    url, body = _nhk(paths[0])
    last = store.analyse(body, url)["text"].split("\n")[-1].encode()
    assert body.count(last) == 1
    shorter = body.replace(last, b"")
    first = store.save(db, url=url, body=shorter, record=store.analyse(shorter, url), outlet="nhk")
    later_url, later_body = _claiming(paths[0], url)
    later_url = later_url.replace("/20230403/", "/20230404/")
    grown = store.save(db, url=later_url, body=later_body, record=store.analyse(later_body, later_url), outlet="nhk")
    assert (grown.article_id, grown.version) == (first.article_id, 2)
    counts = store.reextract(db, None, store.options(None))
    assert counts.get("split", 0) == 0
    assert db.execute("SELECT count(*), max(version) FROM articles").fetchone() == (1, 2)
    assert _states(db)[later_url][2] == first.article_id


def test_reextract_gives_a_reprint_an_old_database_took_for_another_outlets_article_its_own(tmp_path):
    # Before a content hash matched within one outlet only, a regional paper's word-for-word
    # reprint of a Kyodo article was a sighting of Kyodo's: its page kept, its URL done, no
    # article of that outlet. Its page is read again as the outlet's article, a copy of Kyodo's.
    from storage import frontier

    from .hostile import article_html

    db = open_db(tmp_path / "n.db")
    body = article_html(4, "防衛省、南西諸島の部隊配置を見直しへ").encode()
    wire_url = "https://www.kyodo.co.jp/politics/2026-11-05/abcd/"
    copy_url = "https://www.tokyo-np.co.jp/article/412345"
    record = store.analyse(body, wire_url)
    # As the crawl does: the page names no outlet (kyodo.co.jp is none of the outlet's domains), the
    # outlet is the one it was fetched for; a reextract keeps it.
    store.assign_outlet(record, "kyodo", store.outlets_of(None))
    wire = store.save(db, url=wire_url, body=body, record=record, outlet="kyodo", opts=store.options(None)).article_id
    record = store.split(store.analyse(body, copy_url))[0]
    assert record["outlet"] == "tokyo_np"
    page_id = queries.save_page(db, copy_url, body, article_id=wire, outlet="tokyo_np")
    assert not queries.store_article(db, record, article_id=wire, page_id=page_id).changed
    frontier.record_result(db, copy_url, outlet="tokyo_np", kind="article", code="duplicate", article_id=wire,
                           page_id=page_id, reason=f"already stored as article {wire}")
    counts = store.reextract(db, None, store.options(None))
    assert counts["split"] == 1
    rows = db.execute("SELECT id, url, outlet, duplicate_of, version FROM articles ORDER BY id").fetchall()
    assert [r[1:] for r in rows] == [(wire_url, "kyodo", None, 1), (copy_url, "tokyo_np", wire, 1)]
    copy = rows[1][0]
    assert _states(db)[copy_url] == ("stored", f"stored as article {copy} by newsmon reextract (generic:trafilatura); "
                                               f"its page had been taken for article {wire} of kyodo, an article of "
                                               "another outlet with the same text (by an older newsmon)", copy)
    assert db.execute("SELECT article_id FROM pages WHERE id = ?", [page_id]).fetchone() == (copy,)
    assert store.reextract(db, None, store.options(None)).get("split", 0) == 0


def test_reextract_leaves_a_copy_in_another_outlet_that_names_its_original_with_it(tmp_path):
    # The other side: a syndicated copy whose canonical link names its original is a sighting of
    # it, as the store took it; read again, it stays one.
    from .hostile import article_html

    db = open_db(tmp_path / "n.db")
    wire_url = "https://www.kyodo.co.jp/politics/2026-11-05/abcd/"
    copy_url = "https://www.tokyo-np.co.jp/article/412345"
    body = article_html(4, "防衛省、南西諸島の部隊配置を見直しへ").encode()
    copy = body.replace(b"</head>", f'<link rel="canonical" href="{wire_url}"></head>'.encode())
    assert copy != body
    record = store.analyse(body, wire_url)
    store.assign_outlet(record, "kyodo", store.outlets_of(None))
    wire = store.save(db, url=wire_url, body=body, record=record, outlet="kyodo", opts=store.options(None))
    again = store.save(db, url=copy_url, body=copy, record=store.analyse(copy, copy_url), outlet="tokyo_np",
                       opts=store.options(None))
    assert (again.article_id, again.new) == (wire.article_id, False)
    before = _states(db)
    assert store.reextract(db, None, store.options(None))["split"] == 0
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    assert _states(db) == before


def test_reextract_of_one_outlet_reads_only_its_articles_and_pages(tmp_path):
    # After mending one outlet's rules, its articles are read again, not a million others.
    path = tmp_path / "n.db"
    db = open_db(path)
    nhk_url, nhk_body = _nhk(list(NHK_PAGES)[0])
    store.save(db, url=nhk_url, body=nhk_body, record=store.analyse(nhk_body, nhk_url), outlet="nhk")
    body = saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html")
    store.save(db, url=URL, body=body, record=store.analyse(body, URL), outlet="sankei")
    store.save(db, url=URL + "?list", body=b"<html><body>listing</body></html>", record=None, outlet="sankei")
    db.execute("UPDATE articles SET extraction = NULL")
    db.conn.close()
    result = newsmon("reextract", "--db", str(path), "nhk")
    assert result.returncode == 0 and "re-extracted 1 articles" in result.stdout, result.stderr
    assert "; 0 stored pages hold no article" in result.stdout  # sankei's listing was not read
    db = open_db(path)
    assert db.execute("SELECT outlet, extraction FROM articles ORDER BY outlet").fetchall() == [
        ("nhk", EXTRACTION_VERSION), ("sankei", None)]
    wrong = newsmon("reextract", "--db", str(path), "nhkk")
    assert wrong.returncode != 0 and "unknown outlet(s) nhkk; known: " in wrong.stderr


def _asahi_versions():
    """Asahi's saved article (a warcs Fetch under its real URL) in three texts, A (as saved) and B and
    C with a sentence more: ``(fetch, added sentence by text, page bodies, analysed records)``. Each
    record is analysed once; take a ``copy.deepcopy`` of it for each store (it is changed there)."""
    from tests import warcs

    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    added = {"A": "", "B": "気象庁は同日夜、余震への警戒を呼びかけた。", "C": "宮崎市では一時、約2千世帯が停電した。"}
    bodies = {name: asahi.body.replace(spot, line.encode() + spot) for name, line in added.items()}
    return asahi, added, bodies, {name: store.analyse(body, asahi.url) for name, body in bodies.items()}


def test_an_archives_captures_give_the_same_versions_in_every_order_they_are_read_in(tmp_path):
    # A text taken back (versions A, B, then A again) lost its second A when that capture was
    # read before B's: the A of then, no version (3 of 8 reading orders in a probe), and the
    # article's history showed the update as standing. Every order of five captures of one
    # article, two of them of the first text in a row, gives the runs of its texts in time order.
    import itertools

    asahi, added, bodies, records = _asahi_versions()
    captures = [("A", 13), ("A", 14), ("B", 15), ("A", 16), ("C", 17)]
    expected = [("A", 13), ("B", 15), ("A", 16), ("C", 17)]

    def which(text: str) -> str:
        return "B" if added["B"] in text else "C" if added["C"] in text else "A"

    outcomes = set()
    for n, order in enumerate(itertools.permutations(captures)):
        db = open_db(tmp_path / f"{n}.db")
        for name, day in order:
            at = f"2025-01-{day}T03:00:00+00:00"
            record = copy.deepcopy(records[name])
            held = db.execute("SELECT id FROM articles").fetchone()
            if held is None:
                store.save(db, url=asahi.url, body=asahi.body, record=record, outlet="asahi", captured=at)
            else:
                store.save_capture(db, url=asahi.url, article_id=held[0], record=record, captured=at,
                                   body=asahi.body, outlet="asahi")
        # Each version read from a page of its text (reextract reads it again from there).
        assert db.execute("SELECT count(*) FROM article_versions WHERE page_id IS NULL").fetchone()[0] == 0, order
        got = [(which(text), int(at[8:10])) for at, text in db.execute(
            "SELECT fetched_at, text FROM article_versions ORDER BY version")]
        version, text = db.execute("SELECT version, text FROM articles").fetchone()
        outcomes.add((tuple(got), version, which(text)))
        db.conn.close()
    assert outcomes == {(tuple(expected), 4, "C")}


def test_a_reextract_keeps_the_sightings_of_the_texts_it_reads_anew(tmp_path):
    # A reextract that reads the versions' texts anew (other hashes) left the sightings under the
    # old ones, texts no version holds: a capture read after it between two of them lost the text
    # taken back, and the article's row (its newest text) disagreed with its newest version.
    asahi, added, bodies, records = _asahi_versions()
    db = open_db(tmp_path / "n.db")
    store.save(db, url=asahi.url, body=asahi.body, record=copy.deepcopy(records["A"]), outlet="asahi",
               captured="2025-01-13T03:00:00+00:00")
    article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    assert store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records["A"]),
                              captured="2025-01-16T03:00:00+00:00", body=asahi.body, outlet="asahi").kind is None
    # As an older extraction stored it: every hash other than what this one reads.
    for table, column in (("articles", "content_hash"), ("article_sightings", "content_hash")):
        db.execute(f"UPDATE {table} SET {column} = 'old-' || {column}")
    store.reextract(db, None, store.Options())
    made = store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records["B"]),
                              captured="2025-01-15T03:00:00+00:00", body=asahi.body, outlet="asahi")
    assert made.kind == "older"
    history = [(at[8:10], added["B"] in text) for at, text in db.execute(
        "SELECT fetched_at, text FROM article_versions ORDER BY version")]
    assert history == [("13", False), ("15", True), ("16", False)]
    assert db.execute("SELECT version FROM articles").fetchone()[0] == 3


def test_older_captures_read_after_a_crawls_versions_leave_the_crawls_newest_text(tmp_path):
    # A crawl read A, then B on a revisit (today); an ingest then read captures of A, B and C of
    # 2025: B's version was dated 2025 by its capture and nothing kept that the crawl read it
    # today, so C of 2025 was taken as newer than every version, and the article's text.
    asahi, added, bodies, records = _asahi_versions()
    db = open_db(tmp_path / "n.db")
    article_id = store.save(db, url=asahi.url, body=bodies["A"], record=copy.deepcopy(records["A"]),
                            outlet="asahi").article_id
    revisit = store.split(copy.deepcopy(records["B"]))[0]
    queries.store_article(db, revisit, article_id=article_id,
                          page_id=queries.save_page(db, asahi.url, bodies["B"], article_id=article_id, outlet="asahi"))
    for name, day in (("A", 13), ("B", 14), ("C", 15)):
        store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records[name]),
                           captured=f"2025-01-{day}T03:00:00+00:00", body=bodies[name], outlet="asahi")
    text = db.execute("SELECT text FROM articles").fetchone()[0]
    assert added["B"] in text and added["C"] not in text
    newest = db.execute("SELECT fetched_at, text FROM article_versions ORDER BY version DESC LIMIT 1").fetchone()
    assert not newest[0].startswith("2025") and added["B"] in newest[1]


def test_two_texts_captured_in_one_second_make_no_third_version(tmp_path):
    # B and A captured in one second, then an older C: a version's own capture and the sightings of
    # both at that second were ordered B, A, B, and the versions read C, B, A, B, their newest not
    # the article's text (found by a re-check).
    asahi, added, bodies, records = _asahi_versions()
    db = open_db(tmp_path / "n.db")
    at = "2025-01-13T03:00:00+00:00"
    article_id = store.save(db, url=asahi.url, body=bodies["B"], record=copy.deepcopy(records["B"]), outlet="asahi",
                            captured=at).article_id
    for name, when in (("A", at), ("C", "2025-01-10T03:00:00+00:00")):
        store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records[name]),
                           captured=when, body=bodies[name], outlet="asahi")
    texts = [text for (text,) in db.execute("SELECT text FROM article_versions ORDER BY version")]
    newest, version = db.execute("SELECT text, version FROM articles").fetchone()
    assert len(texts) == version == 3 and texts[-1] == newest and added["C"] in texts[0]
