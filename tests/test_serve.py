"""`newsmon serve`: Datasette on a database of real saved articles, as a reviewer meets it.

The database is built the way the crawler builds it: saved pages of real outlets extracted and
scored by ``crawler.store.analyse`` and stored by ``crawler.store.save``. A test topic (below)
widens the shipped topics so that the queue holds three real articles, not one; the only
made-up article is the English one that names "counterstrike", a word no saved page contains.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest
from click.testing import CliRunner

from crawler import store
from crawler.serve import build_datasette, is_loopback, serve
from storage import open_db, queries
from storage.search import fts_query

from .conftest import SAVED, as_permissions_bind, saved_bytes

# Real saved pages: key -> path in tests/fixtures/saved.
REVIEW_PAGES = {
    "nikkei": "scrapping-webs/nikkei-test_article_1.html",  # 反撃能力, 安保関連3文書: relevant (shipped topic)
    "nhk_ukraine": "scrapping-webs/nhk-test_article_8.html",  # 軍事支援, 安全保障: relevant (test topic)
    "japannews": "fundus-jp/TheJapanNews_2024_10_13.html",  # SOFA, deterrence: relevant (test topic)
    "nhk_kodomo": "scrapping-webs/nhk-test_article_2.html",  # names 防衛費 once: not relevant
    "asahi_quake": "fundus-jp/AsahiShimbun_2025_01_13.html",  # an earthquake: not relevant
}
QUEUE = {"nikkei", "nhk_ukraine", "japannews", "counterstrike"}

TEST_TOPICS = """
[topics.security-watch]
name = "Security news (review UI tests)"
description = "Wider security news, so that the review UI tests have a queue of several real articles."
threshold = 2.0
title_boost = 1.5
terms = [
  { term = "安全保障", weight = 2 },
  { term = "軍事支援", weight = 2 },
  { term = "deterrence", weight = 2 },
  { term = "Status of Forces Agreement", weight = 2 },
]
"""

COUNTERSTRIKE = {
    "url": "https://example.com/newsmon-test/counterstrike",
    "outlet": "test",
    "language": "en",
    "title": "Cabinet weighs how to use counterstrike capability",
    "text": "The government discussed when Japan could use its counterstrike capability.\n"
            "The three security documents adopted in 2022 allow it under strict conditions.",
}

REVIEWER = "reviewer-under-test"


def _manifest_urls() -> dict[str, str]:
    with open(SAVED / "MANIFEST.tsv", encoding="utf-8") as f:
        return {row["local_file"]: row["original_url_if_known"] for row in csv.DictReader(f, delimiter="\t")}


def build_review_db(path: Path) -> dict[str, int]:
    """Store the review pages (and the counterstrike article) in a new database; ids by key."""
    config = path.with_name(path.stem + "-topics.toml")
    config.write_text(TEST_TOPICS, encoding="utf-8")
    urls = _manifest_urls()
    db = open_db(path)
    ids = {}
    for key, relpath in REVIEW_PAGES.items():
        url = urls[relpath]
        record = store.analyse(saved_bytes(relpath), url, config_path=str(config))
        assert record is not None, f"{relpath} gave no article"
        ids[key] = store.save(db, url=url, body=None, record=record, outlet=record["outlet"]).article_id
    _, topics = store.context(None)
    record = {**COUNTERSTRIKE, **store.score_fields(COUNTERSTRIKE["title"], COUNTERSTRIKE["text"], topics)}
    ids["counterstrike"], _ = queries.save_article(db, record)
    db.conn.close()
    return ids


def row(path: Path, article_id: int) -> dict:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("select * from articles where id = ?", [article_id]).fetchone())
    finally:
        conn.close()


def call(datasette, method: str, path: str, **kwargs) -> httpx.Response:
    """One request to an in-process Datasette (its Host is ``localhost``)."""
    return asyncio.run(getattr(datasette.client, method)(path, **kwargs))


SAME_ORIGIN = {"origin": "http://localhost"}


def decide(datasette, article_id: int, status: str | None, note: str = "", **headers: str) -> httpx.Response:
    """A decision as the desk's script posts it (JSON), from a page of this server by default."""
    return call(datasette, "post", "/-/review", json={"ids": [article_id], "status": status, "note": note},
                headers=headers or SAME_ORIGIN)


# --- the queue, the facets, search ------------------------------------------------------------

def test_the_review_queue_is_the_first_page(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    response = call(ds, "get", "/")
    assert response.status_code == 200
    assert "<h1>Review queue" in response.text
    for key in QUEUE:
        assert f'href="/newsmon/articles/{ids[key]}"' in response.text
    assert f'href="/newsmon/articles/{ids["asahi_quake"]}"' not in response.text


def test_queue_holds_relevant_unreviewed_articles_with_facets_and_evidence(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    data = call(ds, "get", "/newsmon/review_queue.json?_shape=objects").json()
    assert {r["id"] for r in data["rows"]} == {ids[k] for k in QUEUE}
    assert {"outlet", "topic", "published_day"} <= set(data["facet_results"])
    html = call(ds, "get", "/newsmon/review_queue").text
    # Each row links to its article page and shows its evidence (term ×count — whose: snippet).
    assert f'href="/newsmon/articles/{ids["nikkei"]}"' in html
    assert "<b>反撃能力 ×5 — Japan (" in html
    assert 'id="_search"' in html


def test_articles_table_has_facets_by_outlet_language_status_topic_and_date(review_db):
    ds = build_datasette(review_db[0], reviewer=REVIEWER)
    data = call(ds, "get", "/newsmon/articles.json?_shape=objects").json()
    assert {"outlet", "language", "status", "topic", "published_day"} <= set(data["facet_results"])
    languages = {v["value"] for v in data["facet_results"]["language"]["results"]}
    assert languages == {"ja", "en"}
    days = {v["value"] for v in data["facet_results"]["published_day"]["results"]}
    assert days and all(len(day) == 10 and day[4] == "-" for day in days), days


def test_the_articles_table_shows_every_time_in_jst_and_an_empty_list_as_none(review_db):
    # relevant_since showed as "2026-12-05T06:37:53+00:00" beside "12月5日 15:37 JST", and an
    # article without authors or tags as "[]": Datasette takes "" for "no rendering".
    path, ids = review_db
    stored = row(path, ids["counterstrike"])
    assert stored["relevant_since"] and stored["authors"] == "[]"
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", f"/newsmon/articles?id={ids['counterstrike']}").text
    assert f'<td class="col-relevant_since type-str"><time datetime="{stored["relevant_since"]}"' in html
    assert '<td class="col-authors type-str">[]</td>' not in html and ">[]<" not in html
    assert 'class="newsmon-none">–</span>' in html


SEARCHES = [
    ("防衛", {"nikkei", "nhk_kodomo"}),  # two characters; 防衛費 in the NHK article
    ("安保", {"nikkei"}),
    ("安全保障", {"nikkei", "nhk_ukraine"}),
    ("counterstrike", {"counterstrike"}),
    ("deterrence", {"japannews"}),
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_table_search_box_finds_short_japanese_words_and_english(review_db, query, expected):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    found = call(ds, "get", "/newsmon/articles.json", params={"_search": query, "_shape": "objects"}).json()
    assert {r["id"] for r in found["rows"]} == {ids[k] for k in expected}


@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_search_canned_query(review_db, query, expected):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    found = call(ds, "get", "/newsmon/search.json", params={"q": query, "_shape": "array"}).json()
    assert {r["article_id"] for r in found} == {ids[k] for k in expected}
    assert all(r["excerpt"] for r in found)


def test_queue_search_finds_only_queued_articles(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    found = call(ds, "get", "/newsmon/review_queue.json", params={"_search": "防衛", "_shape": "objects"}).json()
    assert [r["id"] for r in found["rows"]] == [ids["nikkei"]]


def test_an_offset_past_sqlites_integers_is_a_page_past_the_last(review_db):
    # "Python int too large to convert to SQLite INTEGER": an error 500 page for a hand-made URL.
    path, _ = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    for url in ("/search?q=防衛&offset=99999999999999999999", "/?offset=99999999999999999999"):
        assert call(ds, "get", url).status_code == 200, url


def test_search_for_nothing_finds_nothing_rather_than_failing(review_db):
    ds = build_datasette(review_db[0], reviewer=REVIEWER)
    response = call(ds, "get", "/newsmon/articles.json", params={"_search": "「」", "_shape": "objects"})
    assert response.status_code == 200
    assert response.json()["rows"] == []


# --- the article page -------------------------------------------------------------------------

def test_article_page_shows_paragraphs_evidence_link_and_review_form(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    article = row(path, ids["nikkei"])
    html = call(ds, "get", f"/newsmon/articles/{ids['nikkei']}").text
    text_html = html.split('<article class="newsmon-text" lang="ja">', 1)[1].split("</article>", 1)[0]
    paragraphs = [line for line in article["text"].split("\n") if line.strip()]
    assert text_html.count("<p>") == len(paragraphs) > 3
    assert "<mark>反撃能力</mark>" in text_html
    assert f'href="{article["url"]}"' in html
    assert "安保関連3文書 ×1" in html.replace("</b>", "")
    assert 'action="/-/review"' in html
    for status in ("relevant", "dismissed", "follow-up"):
        assert f'name="status" value="{status}"' in html
    assert f"Recorded as {REVIEWER}." in html


def test_article_page_shows_the_section_and_topics_its_outlet_gave(review_db):
    # The outlet's own labels are a quick cue for the reviewer, beside the text.
    path, ids = review_db
    article = row(path, ids["nhk_ukraine"])
    assert article["section"] == "国際" and json.loads(article["tags"]) == ["ウクライナ情勢 軍事", "ロシア", "ウクライナ情勢"]
    html = call(build_datasette(path, reviewer=REVIEWER), "get", f"/newsmon/articles/{ids['nhk_ukraine']}").text
    meta = html.split('<p class="newsmon-meta">', 1)[1].split("</p>", 1)[0]
    assert '<span lang="ja" class="newsmon-section">国際</span>' in meta
    tags = html.split('<p class="newsmon-tags">', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'class="newsmon-tag">([^<]*)<', tags) == ["ウクライナ情勢 軍事", "ロシア", "ウクライナ情勢"]
    nikkei = call(build_datasette(path, reviewer=REVIEWER), "get", f"/newsmon/articles/{ids['nikkei']}").text
    assert 'class="newsmon-tags"' not in nikkei  # no topics, no empty line


@pytest.mark.parametrize("path", ["/newsmon/articles/999999", "/no-such-page", "/nosuchdb/articles"])
def test_a_page_that_is_not_there_is_a_404_page(review_db, path):
    # Datasette's error page has no csrftoken(): our base.html made every 404 a bare 500.
    ds = build_datasette(review_db[0], reviewer=REVIEWER)
    response = call(ds, "get", path)
    assert response.status_code == 404
    assert "<title>Error 404</title>" in response.text
    assert '<ul class="nm-nav"><li><a href="/">Queue</a></li></ul>' in response.text  # the way back

# --- the review workflow ----------------------------------------------------------------------

def test_marking_records_status_note_who_and_when(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    response = decide(ds, ids["japannews"], "follow-up", "Ask the Tokyo desk about SOFA")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] and body["message"] == f"Follow-up: «{row(path, ids['japannews'])['title']}»"
    marked = row(path, ids["japannews"])
    assert (marked["status"], marked["review_note"], marked["reviewed_by"]) == (
        "follow-up", "Ask the Tokyo desk about SOFA", REVIEWER)
    assert marked["reviewed_at"].endswith("+00:00")
    queue = call(ds, "get", "/newsmon/review_queue.json?_shape=objects").json()["rows"]
    assert ids["japannews"] not in {r["id"] for r in queue}
    follow_up = call(ds, "get", "/newsmon/follow_up.json?_shape=array").json()
    assert [r["article_id"] for r in follow_up] == [ids["japannews"]]

    # A later decision without a note keeps the note; another note is added to it.
    decide(ds, ids["japannews"], "relevant", "  ")
    assert row(path, ids["japannews"])["review_note"] == "Ask the Tokyo desk about SOFA"
    decide(ds, ids["japannews"], None, "The desk says yes")
    marked = row(path, ids["japannews"])
    assert (marked["status"], marked["review_note"]) == ("relevant", "Ask the Tokyo desk about SOFA\nThe desk says yes")


def test_a_stale_view_and_a_wrong_id_are_refused_with_a_reason(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    nikkei = ids["nikkei"]
    assert call(ds, "post", "/-/review", json={"ids": [nikkei], "status": "dismissed", "expected": {nikkei: "new"}},
                headers=SAME_ORIGIN).status_code == 200
    # A second page, loaded before, still shows it as new.
    stale = call(ds, "post", "/-/review", json={"ids": [nikkei], "status": "relevant", "expected": {nikkei: "new"}},
                 headers=SAME_ORIGIN)
    assert stale.status_code == 409
    conflict = stale.json()["conflicts"][0]
    assert (conflict["status"], conflict["by"]) == ("dismissed", REVIEWER)
    assert f"it is dismissed now, set by {REVIEWER} at" in stale.json()["error"]
    assert row(path, nikkei)["status"] == "dismissed"
    # Set by hand (DB Browser): said so, where the desk said "set by someone".
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE articles SET status = 'follow-up' WHERE id = ?", [nikkei])
    by_hand = call(ds, "post", "/-/review", json={"ids": [nikkei], "status": "relevant",
                                                  "expected": {nikkei: "dismissed"}}, headers=SAME_ORIGIN)
    assert by_hand.status_code == 409
    assert "it is follow-up now, set outside newsmon (in DB Browser or the sqlite3 shell, say) after this page" \
        in by_hand.json()["error"]
    missing = decide(ds, 999999, "dismissed")
    assert missing.status_code == 404
    assert missing.json()["error"] == "No article has id 999999."
    assert decide(ds, nikkei, "dismised").status_code == 400


def test_a_decision_on_a_page_older_than_the_articles_text_is_refused_and_says_so(review_db):
    # The page showed version 1; a revisit stored version 2 (its relevance as before); the reviewer
    # dismissed from the page. Only the status was checked: the dismissal was taken, later than
    # version 2, which then was in no list of the desk and read by nobody.
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    nikkei, japannews = ids["nikkei"], ids["japannews"]
    queue = call(ds, "get", "/").text
    article_page = call(ds, "get", f"/newsmon/articles/{japannews}").text
    db = open_db(path)
    for article_id in (nikkei, japannews):
        url, title, text = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [article_id]).fetchone()
        assert queries.store_article(db, {"url": url, "title": title, "text": text + "\n（訂正）数字を改めた。"},
                                     article_id=article_id).version == 2
    db.close()

    def fields(page: str, start: str) -> dict[str, str]:
        form = page.split(start, 1)[1].split("</form>", 1)[0]
        found = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        del found["csrftoken"]
        return found

    # The queue's row and the article's page, posted as a browser without script posts them.
    for form, article_id in ((fields(queue, f'id="nm-{nikkei}"'), nikkei),
                             (fields(article_page, '<form class="nm-decide"'), japannews)):
        assert form["versions"] == "1"
        response = call(ds, "post", "/-/review", headers=SAME_ORIGIN, data={**form, "status": "dismissed"})
        assert response.status_code == 302
        shown = call(ds, "get", form["return"], cookies={"ds_messages": response.cookies["ds_messages"]}).text
        assert f"«{row(path, article_id)['title'][:8]}" in shown
        assert "» was not changed: its text changed after this page was loaded (version 2, stored " in shown
        assert "; this page shows version 1). Reload to read it, then decide." in shown
        assert row(path, article_id)["status"] == "new"
    # As the page's script posts it: refused with which version and when, then taken on version 2.
    stale = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                 json={"ids": [nikkei], "status": "dismissed", "expected": {nikkei: "new"}, "versions": {nikkei: 1}})
    assert stale.status_code == 409
    conflict = stale.json()["conflicts"][0]
    assert (conflict["version"], conflict["seen_version"], conflict["at"]) == (2, 1, row(path, nikkei)["updated_at"])
    assert call(ds, "post", "/-/review", headers=SAME_ORIGIN, json={"ids": [nikkei], "status": "dismissed",
                                                                    "versions": {str(nikkei): "2"}}).status_code == 200
    # A client that sends no version (a script of before) decides as it did.
    assert decide(ds, japannews, "dismissed").status_code == 200
    assert (row(path, nikkei)["status"], row(path, japannews)["status"]) == ("dismissed", "dismissed")
    # A form's versions are its ids', one each.
    mismatched = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                      data={"ids": f"{nikkei},{japannews}", "status": "new", "versions": "2", "return": "/"})
    assert mismatched.status_code == 400
    assert mismatched.json()["error"] == "Bad request: versions: 1 for 2 ids; give one per id, in their order"
    mismatched = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                      data={"ids": f"{nikkei},{japannews}", "status": "new", "texts": "abc", "return": "/"})
    assert mismatched.json()["error"] == "Bad request: texts: 1 for 2 ids; give one per id, in their order"


def test_an_older_version_an_ingest_adds_leaves_the_open_pages_decision_taken(tmp_path):
    # An archive's capture from before the article's versions, read by an ingest while its page was
    # open: placed first among the versions, it made the text shown (version 2) version 3, unchanged.
    # Compared by number, the page's decision was refused: "its text changed after this page was
    # loaded (version 3 …)", which it had not. A newer capture is refused still.
    import copy

    from .test_store import _asahi_versions

    asahi, added, bodies, records = _asahi_versions()
    path = tmp_path / "archive.db"
    db = open_db(path)
    article_id = store.save(db, url=asahi.url, body=bodies["A"], record=copy.deepcopy(records["A"]), outlet="asahi",
                            captured="2025-01-14T03:00:00+00:00").article_id
    assert store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records["B"]),
                              captured="2025-01-16T03:00:00+00:00", body=bodies["B"], outlet="asahi").kind == "newer"
    db.close()
    ds = build_datasette(path, reviewer=REVIEWER)
    page = call(ds, "get", f"/newsmon/articles/{article_id}").text
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"',
                           page.split('<form class="nm-decide"', 1)[1].split("</form>", 1)[0]))
    del form["csrftoken"]
    assert form["versions"] == "2" and form["texts"] == row(path, article_id)["content_hash"]
    assert f'data-texts="{form["texts"]}"' in page  # what the page's script sends
    db = open_db(path)
    assert store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records["C"]),
                              captured="2025-01-10T03:00:00+00:00", body=bodies["C"], outlet="asahi").kind == "older"
    db.close()
    # The text is the newest by date still, numbered 3.
    assert (row(path, article_id)["version"], added["B"] in row(path, article_id)["text"]) == (3, True)
    response = call(ds, "post", "/-/review", headers=SAME_ORIGIN, data={**form, "status": "follow-up"})
    assert response.status_code == 302
    shown = call(ds, "get", form["return"], cookies={"ds_messages": response.cookies["ds_messages"]}).text
    assert "was not changed" not in shown and row(path, article_id)["status"] == "follow-up"
    # As the script posts it: the texts compared; a newer capture since, refused.
    body = {"ids": [article_id], "status": "relevant", "expected": {str(article_id): "follow-up"},
            "versions": {str(article_id): 2}, "texts": {str(article_id): form["texts"]}}
    assert call(ds, "post", "/-/review", headers=SAME_ORIGIN, json=body).status_code == 200
    db = open_db(path)
    assert store.save_capture(db, url=asahi.url, article_id=article_id, record=copy.deepcopy(records["C"]),
                              captured="2025-01-20T03:00:00+00:00", body=bodies["C"], outlet="asahi").kind == "newer"
    db.close()
    stale = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                 json={**body, "status": "dismissed", "expected": {str(article_id): "relevant"}})
    assert stale.status_code == 409 and row(path, article_id)["status"] == "relevant"
    assert "its text changed after this page was loaded (version 4, stored " in stale.json()["error"]
    assert "; this page shows version 2)" in stale.json()["error"]


@pytest.mark.parametrize(("body", "error"), [
    # int() takes both as article 1: neither is an article id.
    ({"ids": [True], "status": "dismissed"}, "ids: true is not an article id"),
    ({"ids": [1.9], "status": "dismissed"}, "ids: 1.9 is not an article id"),
    ({"ids": ["1a"], "status": "dismissed"}, 'ids: "1a" is not an article id'),
    # Past SQLite's 64-bit integers: the query raised, an error 500.
    ({"ids": [2**63], "status": "dismissed"}, "ids: 9223372036854775808 is not an article id"),
    ({"ids": "{nikkei}", "status": "dismissed", "expected": {"x": "new"}}, 'expected: "x" is not an article id'),
    ({"ids": ["{nikkei}"], "status": "dismissed", "expected": {"{nikkei}": 1}},
     "expected: the status expected of an article is a string, not 1"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "note": 5}, "note: a string or null, not 5"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "versions": [1]},
     "versions: an object of article ids and the versions of their text the page showed"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "versions": {"{nikkei}": 0}},
     "versions: versions are numbered from 1, not 0"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "versions": {"{nikkei}": True}},
     "versions: true is not a version number"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "texts": {"{nikkei}": 1}},
     "texts: an object of article ids and the content hashes of their text the page showed"),
    ({"ids": ["{nikkei}"], "status": "dismissed", "note": ["call"]}, 'note: a string or null, not ["call"]'),
    ({"ids": ["{nikkei}"], "status": False}, "status: a string or null, not false"),
    ({"ids": ["{nikkei}"], "status": {"to": "dismissed"}}, 'status: a string or null, not {"to": "dismissed"}'),
    (["{nikkei}"], "the request is a JSON object"),
])
def test_a_malformed_decision_is_refused_in_one_line(review_db, body, error):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    body = json.loads(json.dumps(body).replace("{nikkei}", str(ids["nikkei"])))
    response = call(ds, "post", "/-/review", json=body, headers=SAME_ORIGIN)
    assert response.status_code == 400, response.text
    assert response.json() == {"ok": False, "error": f"Bad request: {error}"}
    assert "\n" not in response.json()["error"]
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone() == (0,)
    bad_entry = call(ds, "post", "/-/undo", json={"entries": [True]}, headers=SAME_ORIGIN)
    assert bad_entry.status_code == 400
    assert bad_entry.json()["error"] == "Bad request: entries: true is not a decision id"


def test_ids_may_be_numbers_or_digit_strings(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    a, b = ids["nikkei"], ids["japannews"]
    response = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                    json={"ids": [a, str(b)], "status": "dismissed", "note": None, "expected": {str(b): "new"}})
    assert response.status_code == 200, response.text
    assert (row(path, a)["status"], row(path, b)["status"]) == ("dismissed", "dismissed")


def test_undo_from_the_browser(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    entry = decide(ds, ids["nikkei"], "dismissed", "covered").json()["decisions"][0]["id"]
    response = call(ds, "post", "/-/undo", json={"entries": [entry]}, headers=SAME_ORIGIN)
    assert response.status_code == 200
    assert response.json()["message"].startswith("Undone: «反撃能力行使")
    assert (row(path, ids["nikkei"])["status"], row(path, ids["nikkei"])["review_note"]) == ("new", None)
    again = call(ds, "post", "/-/undo", json={"entries": [entry]}, headers=SAME_ORIGIN)
    assert again.status_code == 409 and "already undone" in again.json()["error"]


def test_a_form_post_without_script_redirects_back_with_the_confirmation(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    response = call(ds, "post", "/-/review", headers={**SAME_ORIGIN},
                    data={"ids": str(ids["nikkei"]), "status": "dismissed", "expected": "new", "note": "",
                          "return": "/follow-up"})
    assert response.status_code == 302
    assert response.headers["location"] == "/follow-up"
    assert row(path, ids["nikkei"])["status"] == "dismissed"
    # Datasette's flash message, shown on the page the reviewer goes back to.
    page = call(ds, "get", "/follow-up", cookies={"ds_messages": response.cookies["ds_messages"]})
    assert "Dismissed: «反撃能力行使" in page.text
    # Never an open redirect.
    response = call(ds, "post", "/-/review", headers={**SAME_ORIGIN},
                    data={"ids": str(ids["japannews"]), "status": "dismissed", "return": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_anonymous_visitors_cannot_write(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=None)
    response = decide(ds, ids["nikkei"], "dismissed", "x")
    assert response.status_code == 403
    assert row(path, ids["nikkei"])["status"] == "new"
    assert "Log in to review" in call(ds, "get", f"/newsmon/articles/{ids['nikkei']}").text


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site", "origin": "http://other.localhost"},
    {"sec-fetch-site": "cross-site", "origin": "null"},
    {"origin": "null"},  # a sandboxed frame or a data: page, with nothing else to show
    {},  # a script: no Origin, no Sec-Fetch-Site, no token
    {"sec-fetch-site": "none"},
    {"origin": "http://localhost:9999"},  # another port is another origin
])
def test_a_write_without_same_origin_evidence_is_refused(review_db, headers):
    # The local server needs no login, so a page on any site could otherwise post to it.
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    response = call(ds, "post", "/-/review", json={"ids": [ids["nikkei"]], "status": "dismissed"}, headers=headers)
    assert response.status_code == 403
    assert response.text.startswith("Refused:")
    assert row(path, ids["nikkei"])["status"] == "new"


@pytest.mark.parametrize("headers", [
    # What Chromium sends for our own forms: Datasette's pages are no-referrer.
    {"origin": "null", "sec-fetch-site": "same-origin"},
    {"sec-fetch-site": "same-origin"},
    {"origin": "http://localhost"},  # the served origin
])
def test_a_write_with_same_origin_evidence_is_accepted(review_db, headers):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    assert decide(ds, ids["nikkei"], "dismissed", **headers).status_code == 200
    assert row(path, ids["nikkei"])["status"] == "dismissed"


def test_the_csrf_token_is_same_origin_evidence(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    page = call(ds, "get", "/")
    token = page.text.split('<meta name="newsmon-csrftoken" content="', 1)[1].split('"', 1)[0]
    cookies = {"ds_csrftoken": page.cookies["ds_csrftoken"]}
    # The script's way: the x-csrftoken header, with Origin: null and nothing else.
    response = call(ds, "post", "/-/review", json={"ids": [ids["nikkei"]], "status": "dismissed"},
                    headers={"origin": "null", "x-csrftoken": token}, cookies=cookies)
    assert response.status_code == 200, response.text
    # A form's way: the csrftoken field.
    response = call(ds, "post", "/-/review", headers={"origin": "null"}, cookies=cookies,
                    data={"csrftoken": token, "ids": str(ids["japannews"]), "status": "dismissed"})
    assert response.status_code == 302, response.text
    assert row(path, ids["japannews"])["status"] == "dismissed"
    # A token that is not the cookie's, or not signed by this server, is no evidence.
    forged = call(ds, "post", "/-/review", headers={"origin": "null", "x-csrftoken": "forged"},
                  json={"ids": [ids["nhk_ukraine"]], "status": "dismissed"}, cookies={"ds_csrftoken": "forged"})
    assert forged.status_code == 403
    # Another site's page says so, token or not.
    cross = call(ds, "post", "/-/review", headers={"sec-fetch-site": "cross-site", "x-csrftoken": token},
                 json={"ids": [ids["nhk_ukraine"]], "status": "dismissed"}, cookies=cookies)
    assert cross.status_code == 403
    assert row(path, ids["nhk_ukraine"])["status"] == "new"


@pytest.mark.parametrize(("host", "answered"), [
    ("127.0.0.1:8001", True), ("127.0.0.2:8001", True), ("127.255.0.9", True), ("localhost:8001", True),
    ("[::1]:8001", True), ("evil.example:8001", False), ("10.0.0.1:8001", False), ("[::1", False)])
def test_on_loopback_every_loopback_host_is_answered_and_no_other(review_db, host, answered):
    ds = build_datasette(review_db[0], reviewer=REVIEWER)
    response = call(ds, "get", "/newsmon/review_queue", headers={"host": host})
    assert response.status_code == (200 if answered else 403)
    if not answered:  # DNS rebinding: a foreign name resolving to 127.0.0.1 gets nothing
        assert "this machine only" in response.text


def test_accounts_require_a_password_and_record_the_login(review_db):
    from datasette_auth_passwords.utils import hash_password

    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER, accounts={"alice": hash_password("s3cret")})

    def basic(user: str, password: str) -> dict[str, str]:
        return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    assert call(ds, "get", "/newsmon/review_queue").status_code == 401
    assert call(ds, "get", "/newsmon/review_queue", headers=basic("alice", "wrong")).status_code == 401
    assert call(ds, "get", "/newsmon/review_queue", headers=basic("alice", "s3cret")).status_code == 200
    response = call(ds, "post", "/-/review", json={"ids": [ids["nikkei"]], "status": "relevant"},
                    headers={**basic("alice", "s3cret"), **SAME_ORIGIN})
    assert response.status_code == 200
    assert (row(path, ids["nikkei"])["status"], row(path, ids["nikkei"])["reviewed_by"]) == ("relevant", "alice")


# --- the Atom feed ------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_of_the_queue(review_db):
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    response = call(ds, "get", "/newsmon/queue_feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert {e.findtext(f"{ATOM}id") for e in entries} == {row(path, ids[k])["url"] for k in QUEUE}
    assert feed.findtext(f"{ATOM}title") == "newsmon review queue"
    # Each entry leads to the article's review page here, and to the original as related.
    links = {e.findtext(f"{ATOM}id"): {link.get("rel"): link.get("href") for link in e.findall(f"{ATOM}link")}
             for e in entries}
    nikkei = row(path, ids["nikkei"])
    assert links[nikkei["url"]] == {"alternate": f"http://localhost/newsmon/articles/{ids['nikkei']}",
                                    "related": nikkei["url"]}


def test_the_atom_feed_holds_the_articles_that_entered_the_queue_last(review_db):
    # The feed holds 200 entries: it took them in the queue's order (probability, then publication),
    # so with a longer queue an article published before the 200th (a slow outlet, an archive, an
    # update that made it relevant), or rated low, entered the queue and never reached a feed reader.
    path, _ = review_db
    _, topics = store.context(None)
    db = open_db(path)
    scored = store.score_fields(COUNTERSTRIKE["title"], COUNTERSTRIKE["text"], topics)
    start = datetime.now(timezone.utc) - timedelta(hours=4)
    for n in range(205):  # a queue of 209, published and stored a minute apart
        at = (start + timedelta(minutes=n)).isoformat(timespec="seconds")
        queries.save_article(db, {**COUNTERSTRIKE, **scored, "url": f"{COUNTERSTRIKE['url']}/{n}",
                                  "title": f"{COUNTERSTRIKE['title']} ({n})", "text": f"{COUNTERSTRIKE['text']} {n}",
                                  "published_at": at}, now=at)
    late = f"{COUNTERSTRIKE['url']}/late"  # stored last, published a fortnight ago
    queries.save_article(db, {**COUNTERSTRIKE, **scored, "url": late, "text": f"{COUNTERSTRIKE['text']} late",
                              "published_at": (start - timedelta(days=14)).isoformat(timespec="seconds")})
    db.close()
    ds = build_datasette(path, reviewer=REVIEWER)
    entries = ET.fromstring(call(ds, "get", "/newsmon/queue_feed.atom").content).findall(f"{ATOM}entry")
    fed = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(fed) == 200 and fed[0] == late
    # Those left out entered the queue before every article the feed holds.
    with closing(sqlite3.connect(path)) as conn:
        entered = dict(conn.execute("SELECT url, relevant_since FROM articles WHERE relevant = 1 AND status = 'new'"))
    assert len(entered) == 210
    assert max(at for url, at in entered.items() if url not in fed) <= min(entered[url] for url in fed)


def test_atom_feed_of_an_empty_queue_is_a_valid_empty_feed(review_db):
    # datasette-atom answers 500 here (max() of no rows); an empty queue is the normal end of a day.
    path, ids = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    for key in QUEUE:
        decide(ds, ids[key], "dismissed")
    response = call(ds, "get", "/newsmon/queue_feed.atom")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall(f"{ATOM}entry") == []


def test_atom_of_a_table_without_a_feed_says_where_the_feed_is(review_db):
    # Datasette renders .atom for any table (can_render only hides the link): the articles
    # table's was "Error 500 'atom_id'", a KeyError with its traceback in the server's log.
    path, _ = review_db
    ds = build_datasette(path, reviewer=REVIEWER)
    for url in ("/newsmon/articles.atom", "/newsmon/review_queue.atom", "/newsmon/story_queue.atom"):
        response = call(ds, "get", url)
        assert response.status_code == 404, url
        assert "/newsmon/queue_feed.atom" in response.text
    assert call(ds, "get", "/newsmon/queue_feed.atom").status_code == 200


# --- without Datasette ------------------------------------------------------------------------

def test_the_file_reads_without_custom_functions(review_db):
    # What DB Browser for SQLite and the sqlite3 shell do: plain SQL, no newsmon functions.
    path, ids = review_db
    conn = sqlite3.connect(path)
    try:
        queued = {r[0] for r in conn.execute("select id from review_queue")}
        found = {r[0] for r in conn.execute(
            "select rowid from articles_search where articles_search match ?", [fts_query("安保")])}
    finally:
        conn.close()
    assert queued == {ids[k] for k in QUEUE}
    assert found == {ids["nikkei"]}


# --- the command ------------------------------------------------------------------------------

def test_serving_beyond_loopback_needs_an_account(review_db):
    result = CliRunner().invoke(serve, ["--db", str(review_db[0]), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--account NAME:HASH" in result.output


def test_a_malformed_account_is_named(review_db):
    result = CliRunner().invoke(serve, ["--db", str(review_db[0]), "--account", "alice"])
    assert result.exit_code == 2
    assert "datasette hash-password" in result.output


def test_a_missing_database_is_not_created(tmp_path):
    result = CliRunner().invoke(serve, ["--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert "no database at" in result.output
    assert not (tmp_path / "nope.db").exists()


@pytest.mark.parametrize("trouble", ["read-only", "locked"])
def test_a_database_sqlite_cannot_migrate_is_one_line(tmp_path, monkeypatch, trouble):
    # SQLite's own errors (not newsmon's StorageError) when serve migrates the file: the same
    # one line as `newsmon review` and `export` give, not a sqlite3 traceback.
    import storage.db

    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # an empty file: every migration is pending
    held = None
    if trouble == "read-only":
        path.chmod(0o444)
        if os.geteuid() == 0:  # permission bits do not stop root: open it as they open it for others
            connect = sqlite3.connect
            monkeypatch.setattr(storage.db.sqlite3, "connect",
                                lambda name, uri=False, **kw: connect(name if uri else f"file:{name}?mode=ro",
                                                                      uri=True, **kw))
    else:
        # What the command waits for the lock (NEWSMON_DB_BUSY_TIMEOUT): 30 s of this test otherwise.
        import crawler.settings
        monkeypatch.setattr(crawler.settings, "NEWSMON_DB_BUSY_TIMEOUT", 0.1)
        held = sqlite3.connect(path, isolation_level=None)
        held.execute("BEGIN EXCLUSIVE")
    try:
        result = CliRunner().invoke(serve, ["--db", str(path)])
    finally:
        if held is not None:
            held.close()
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    # Named as the crawl names them (storage.db.open_db): what is wrong with the file, and what to do.
    # A file it may not write is served to read, as it is (test_serve_reads_a_database_it_may_not_write),
    # but not one that must be migrated first.
    said = {"read-only": f"Error: {str(path)!r} is an empty SQLite file, not yet a newsmon database",
            "locked": f"Error: the database {path} is locked: another process"}[trouble]
    assert len(lines) == 1 and lines[0].startswith(said), lines
    if trouble == "read-only":
        assert f"(and it cannot be written: cannot write to the database {path} (attempt to write a readonly " \
               "database)" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.org", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


# --- a real server process, and a crawl writing meanwhile ------------------------------------

def serve_command() -> list[str]:
    """`newsmon serve` as a process: through the CLI once it has the command, else the module."""
    from crawler.cli import cli

    if "serve" in getattr(cli, "commands", {}):
        return [sys.executable, "-m", "crawler.cli", "serve"]
    return [sys.executable, "-m", "crawler.serve"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def running_server(db: Path, *, reviewer: str = REVIEWER, host: str = "127.0.0.1", log_dir: Path | None = None,
                   prefix: tuple[str, ...] = ()) -> Iterator[Server]:
    """A `newsmon serve` process on a free port of ``host``, up when the block starts (run
    through ``prefix``, its log in ``log_dir``, else beside the database)."""
    port = free_port()
    log = (log_dir or db.parent) / f"serve-{port}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [*prefix, *serve_command(), "--db", str(db), "--host", host, "--port", str(port), "--reviewer", reviewer],
            stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://{host}:{port}"
    try:
        for _ in range(600):  # up to a minute on a slow machine; usually a second
            if process.poll() is not None:
                pytest.fail(f"newsmon serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(base_url + "/-/versions.json", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"newsmon serve did not answer on {base_url}:\n{log.read_text()}")
        yield Server(base_url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_stopped_by_sigterm_ends_as_a_service_stopped_well(review_db):
    # systemd's stop sends SIGTERM: a process it kills is a service stopped well, and exit status 143 a failed one.
    # uvicorn closes the server and sends SIGTERM again, which the commands' handler (a stopped line, 143) took.
    import signal

    path, _ = review_db
    with running_server(path) as server:
        server.process.terminate()
        assert server.process.wait(timeout=60) == -signal.SIGTERM, server.log.read_text()
    assert "Traceback" not in server.log.read_text()


def test_the_queue_page_answers_while_another_process_holds_the_write_lock(review_db):
    # The page records the reviewer's visit (the unread marks) on the desk's one writer: with DB
    # Browser holding the write lock (an edit not written yet) the queue itself waited the whole
    # busy timeout, 30 s, and every decision sent meanwhile queued behind it. The visit is left
    # unrecorded; the page answers while the lock is held.
    import threading

    path, _ = review_db
    with running_server(path) as server:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        answered: list[tuple[int, str, bool]] = []
        released = threading.Event()

        def load() -> None:
            page = httpx.get(server.base_url + "/", timeout=120)
            answered.append((page.status_code, page.text, not released.is_set()))

        reader = threading.Thread(target=load)
        reader.start()
        reader.join(25)  # the busy timeout is 30 s: a page that waits for the lock is still loading
        released.set()
        holder.close()
        reader.join(60)
    [(status, text, while_held)] = answered
    assert status == 200 and "Review queue" in text
    assert while_held
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("select count(*) from reviewer_visits").fetchone()[0] == 0


def test_serving_on_another_loopback_address_answers(review_db):
    # 127.0.0.2 is this machine too: it starts without --account, and it answers (not 403).
    path, ids = review_db
    with running_server(path, host="127.0.0.2") as server:
        assert server.base_url.startswith("http://127.0.0.2:")
        page = httpx.get(server.base_url + "/", timeout=60)
        assert page.status_code == 200, page.text[:300]
        assert "Review queue" in page.text
        response = httpx.post(server.base_url + "/-/review", headers={"origin": server.base_url}, timeout=60,
                              json={"ids": [ids["nikkei"]], "status": "dismissed"})
        assert response.status_code == 200, response.text[:300]
        refused = httpx.post(server.base_url + "/-/review", headers={"origin": "null"}, timeout=60,
                             json={"ids": [ids["japannews"]], "status": "dismissed"})
        assert refused.status_code == 403
    assert row(path, ids["nikkei"])["status"] == "dismissed"
    assert row(path, ids["japannews"])["status"] == "new"


def test_serve_reads_a_database_it_may_not_write_and_says_decisions_cannot_be_recorded(review_db, tmp_path):
    # A snapshot on a read-only disk, another user's file: serve said "cannot write to the
    # database" and served nothing. It now serves it to read, on every page saying why nothing
    # can be recorded, and offers no review buttons; a decision posted anyway is refused in words.
    path, ids = review_db
    prefix = tuple(as_permissions_bind())
    logs = tmp_path / "logs"
    logs.mkdir()
    for leftover in path.parent.glob(path.name + "-*"):
        leftover.unlink()  # closed cleanly: no -wal or -shm, as a copy onto a snapshot has none
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        with running_server(path, log_dir=logs, prefix=prefix) as server:
            queue = httpx.get(server.base_url + "/", timeout=60)
            article = httpx.get(server.base_url + f"/newsmon/articles/{ids['nikkei']}", timeout=60)
            search = httpx.get(server.base_url + "/search", params={"q": "安保"}, timeout=60)
            posted = httpx.post(server.base_url + "/-/review", headers={"origin": server.base_url}, timeout=60,
                                json={"ids": [ids["nikkei"]], "status": "dismissed"})
            log = server.log.read_text()
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    assert "newsmon: read only, as it is: cannot write to the database" in log
    assert "decisions cannot be recorded in this file: the desk is read only" in log
    assert queue.status_code == 200 and "Review queue" in queue.text
    assert "<b>Read only</b>: decisions cannot be recorded in this file" in queue.text
    assert 'class="nm-select"' not in queue.text and "Log in to review" not in queue.text
    assert article.status_code == 200 and "<b>Read only</b>" in article.text
    assert search.status_code == 200
    assert posted.json()["error"].startswith("this desk reads the database as it is and records nothing")
    assert row(path, ids["nikkei"])["status"] == "new"


def test_a_port_in_use_is_one_line_and_no_desk_is_announced_there(review_db):
    # The desk was announced at the address, then uvicorn's "[Errno 98]" line and exit status 3.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*serve_command(), "--db", str(review_db[0]), "--port", str(port)],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port} (Address already in use)")
    assert "choose another with --port" in result.stderr and "desk at" not in result.stderr


WRITER = r"""
import sys
from pathlib import Path
from storage import open_db, queries

db_path, stop_file, template_id, limit = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db = open_db(db_path)
article = dict(next(db.query("select * from articles where id = ?", [template_id])))
fields = {k: article[k] for k in ("url", "outlet", "language", "title", "text", "published_at", "topic",
                                   "score", "relevant")}
written = 0
print("started", flush=True)
while written < limit and not stop_file.exists():
    # A new article each time (new URL, new text), one short transaction each, as a crawl stores them.
    record = {**fields, "url": f"{fields['url']}?copy={written}", "text": f"{fields['text']}\n(copy {written})",
              "matched_terms": []}
    queries.save_article(db, record)
    written += 1
print(written, flush=True)
"""


PAGES_UNDER_LOAD = ["/", "/search?q=安保", "/outlets",
                    "/newsmon/review_queue", "/newsmon/articles?_search=防衛", "/newsmon/articles/{nhk_ukraine}",
                    "/newsmon/search?q=安保", "/newsmon/queue_feed.atom",
                    "/newsmon/articles.json?_sort_desc=id&_size=5"]


def test_review_pages_load_while_a_crawl_writes(review_db, tmp_path):
    path, ids = review_db
    stop = tmp_path / "stop"
    with running_server(path) as server:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(stop), str(ids["nikkei"]), "100000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "started"
            reviews = 0
            with httpx.Client(base_url=server.base_url, timeout=60) as client, \
                    closing(sqlite3.connect(path)) as browser_db:  # a SQLite browser on the same file
                for i in range(20):
                    for page in PAGES_UNDER_LOAD:
                        page = page.format(**ids)
                        response = client.get(page)
                        assert response.status_code == 200, (page, response.text[:500])
                        assert "database is locked" not in response.text
                    browser_db.execute("select count(*) from review_queue").fetchone()
                    browser_db.execute("select count(*) from articles").fetchone()
                    if i % 4 == 0:  # the reviewer writes too, through Datasette, while the crawl writes
                        key = ["nikkei", "nhk_ukraine", "japannews", "counterstrike", "nhk_kodomo"][i // 4]
                        # No cookies, like a script that names this server as its origin; the
                        # browser's way (the page's script with its CSRF token) is in test_browser.py.
                        response = httpx.post(f"{server.base_url}/-/review", timeout=60,
                                              headers={"origin": server.base_url},
                                              json={"ids": [ids[key]], "status": "follow-up", "note": f"n{i}"})
                        assert response.status_code == 200, response.text[:500]
                        reviews += 1
            # The crawl was still writing when the last page was loaded: the two overlapped.
            assert writer.poll() is None, "the writer finished before the reader; raise its limit"
        finally:
            stop.touch()
            out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "locked" not in err
    assert "locked" not in server.log.read_text()
    written = int(out.split()[-1])
    assert written > 0
    conn = sqlite3.connect(path)
    try:
        total = conn.execute("select count(*) from articles").fetchone()[0]
        followed = conn.execute("select count(*) from articles where status = 'follow-up'").fetchone()[0]
    finally:
        conn.close()
    assert total == len(ids) + written
    assert followed == reviews == 5


def test_article_page_says_an_article_was_read_from_several_pages_or_lacks_one(tmp_path):
    # A long article read from its pages says so; one whose page 3 could not be read says which
    # page and why: the reviewer reads a part, whose relevance is the part's.
    from .hostile import series_html

    path = tmp_path / "n.db"
    db = open_db(path)
    ids = {}
    for name, failed in (("whole", False), ("part", True)):
        base = f"https://e.jp/a/{name}"
        pages = {n: series_html(f"/a/{name}", n, 3, name) for n in (1, 2, 3)}
        more = [(pages[2], f"{base}/2", None)] + ([] if failed else [(pages[3], f"{base}/3", None)])
        record = store.analyse(pages[1], base, more=more)
        page_id = store.keep_page(db, base, pages[1], outlet=None)
        parts = [store.PagePart(f"{base}/2", pages[2], "text/html", 200),
                 store.PagePart(f"{base}/3", problem="HTTP 503 (Service Unavailable)") if failed
                 else store.PagePart(f"{base}/3", pages[3], "text/html", 200)]
        ids[name] = store.save_verdict(db, url=base, page_id=page_id, record=record, outlet=None, parts=parts).article_id
    ds = build_datasette(path, reviewer=REVIEWER)
    whole = call(ds, "get", f"/newsmon/articles/{ids['whole']}").text
    assert "Read from 3 pages" in whole and "Incomplete" not in whole
    part = call(ds, "get", f"/newsmon/articles/{ids['part']}").text
    assert "Read from 2 pages" in part
    assert (f"Incomplete: page 3 of article {ids['part']} (https://e.jp/a/part) could not be read: HTTP 503 "
            "(Service Unavailable); the article holds its first 2 page(s) only until a revisit reads this one."
            in part)
