"""The storage layer against real SQLite files under tmp_path: schema, dedupe, search, review."""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
from pathlib import Path

import pytest
import yaml

import crawler
from storage import DEFAULT_DB, frontier, open_db, queries, transaction
from storage.exceptions import DatabaseFileError, DatabaseFull, DatabaseLocked, InvalidStatus, NewerSchemaError
from storage.migrations import MIGRATIONS, migrate
from storage.search import bigrams, fts_query

from .conftest import SAVED, saved_bytes

# The schema the migrations produce. A new migration that changes it updates this list too.
EXPECTED_COLUMNS = {
    "_migrations": ["id", "migration_set", "name", "applied_at"],
    "articles": [
        "id", "url", "canonical_url", "outlet", "language", "title", "lead", "authors",
        "published_at", "modified_at", "text", "section", "tags", "paywalled", "method",
        "site_name", "topic", "score", "relevant", "matched_terms", "evidence", "status",
        "review_note", "reviewed_at", "reviewed_by", "first_seen_at", "last_seen_at",
        "content_hash", "threshold", "relevance_p", "relevance_model_id", "relevance_flag",
        "story_id", "duplicate_of", "version", "updated_at", "relevant_since", "primary_source",
        "published_day", "removed_at", "removed", "removed_run", "extraction",
    ],
    "relevance_models": ["id", "topic", "trained_at", "positives", "negatives", "cv_folds", "cv_precision",
                         "cv_recall", "cutoff", "flag_below", "features", "library", "train_seconds", "model"],
    "pages": ["id", "url", "article_id", "fetched_at", "http_status", "content_type", "body_gz", "size",
              "outlet", "dict_id", "part_of", "captured_at"],
    "urls": ["url", "outlet", "kind", "http_status", "article_id", "first_seen_at", "last_seen_at",
             "attempts", "last_error", "reason", "reason_code", "redirected_to", "page_id", "run_id", "retry_at",
             "blocked_since", "listed", "listed_as", "archive_place"],
    "discovery": ["id", "run_id", "outlet", "url", "kind", "fetched_at", "http_status", "ok", "entries",
                  "article_urls", "new_urls", "refused", "reason", "known",
                  "newest_entry", "entry_interval", "unlinked", "retry_at", "listing_urls", "listing_known"],
    "robots": ["netloc", "http_status", "sha256", "fetched_at", "changed_at"],
    "feed_state": ["url", "etag", "last_modified", "last_status", "last_fetched_at", "read_at", "children", "news",
                   "index_lastmod", "listed_new_at", "lastmods_lie"],
    "crawl_runs": ["id", "started_at", "finished_at", "outlets", "trigger", "requests",
                   "responses_by_status", "articles_new", "articles_relevant", "errors",
                   "finish_reason", "exit_status", "pid", "revisits", "revisits_not_modified", "revisits_failed",
                   "versions_new"],
    "articles_search": ["title", "text"],
    # m005_review_log
    "review_log": ["id", "article_id", "from_status", "to_status", "note", "reviewer", "at", "undoes",
                   "undone_by"],
    "reviewer_visits": ["reviewer", "previous_visit_at", "visit_started_at", "last_seen_at"],
    "stories": ["id", "title", "lead_article_id", "first_published_at", "last_published_at", "outlets",
                "article_count", "relevant_count", "best_score", "status", "created_at", "updated_at"],
    "article_versions": ["article_id", "version", "fetched_at", "content_hash", "title", "lead", "text",
                         "modified_at", "page_id", "score", "relevant"],
    "story_features": ["article_id", "at", "signature", "terms", "wire", "keys"],
    "story_keys": ["key", "at", "article_id"],
    "story_terms": ["term", "df"],
    "revisits": ["url", "article_id", "outlet", "first_seen_at", "step", "due_at", "etag", "last_modified",
                 "revisits", "last_revisit_at", "last_status", "last_result", "prompted", "listed_date"],
    # m008_storage_scale
    "page_dicts": ["id", "key", "created_at", "pages", "size", "sha256", "dict"],
    "ingested_archives": ["source", "size", "records", "articles", "relevant", "started_at", "finished_at",
                          "resume_member", "resume_offset", "stopped", "head"],
}
MIGRATION_NAMES = ["m001_initial", "m002_outlet_health", "m003_review_queue_language", "m004_url_states",
                   "m005_review_log", "m006_relevance", "m007_stories_versions", "m008_storage_scale",
                   "m009_primary_sources", "m010_queue_order", "m011_blocked_since",
                   "m012_published_day", "m013_page_series", "m014_zstd_offsets",
                   "m015_outlet_lags",
                   "m016_removed_articles", "m017_queued_since",
                   "m018_discovery_known", "m019_discovery_pace",
                   "m020_feed_read_at", "m021_updated_after_review", "m022_sitemap_state",
                   "m023_sitemap_lastmods", "m024_revisit_prompts",
                   "m025_discovery_unlinked", "m026_outlet_runs_paywalled",
                   "m027_article_extraction", "m028_not_article_second_look", "m029_listed_words",
                   "m030_listed_reads", "m031_not_read_kinds", "m032_archive_head", "m033_runs_by_start",
                   "m034_health_lookups", "m035_stand_in_links", "m036_page_captures",
                   "m037_off_scope_urls", "m038_article_sightings", "m039_discovery_retry_at",
                   "m040_redirect_off_scope_targets",
                   "m041_outlet_runs_garbled", "m042_health_log_resolved", "m043_health_log_told",
                   "m044_urls_listed_as", "m045_health_log_began", "m046_relevant_after_dismissal",
                   "m047_discovery_listing", "m048_updated_in_the_second_of_the_review",
                   "m049_health_log_notices",
                   "m050_urls_archive_place", "m051_review_time_of_a_status_set_by_hand",
                   "m052_pruned_pages", "m053_urls_due", "m054_history_lookups", "m055_articles_of_the_day",
                   "m056_archive_places_by_outlet",
                   "m057_notified_health_changes",
                   "m058_retirements_told_by_their_runs", "m059_page_references",
                   "m060_health_changes_told_by_their_digests", "m061_own_listing_lookups"]
STORY_QUEUE_COLUMNS = ["story_id", "title", "outlets", "articles", "new_relevant", "updated", "first_published_at",
                       "last_published_at", "best_score", "best_article_id", "best_title", "evidence", "best_url"]
REVIEW_QUEUE_COLUMNS = ["id", "published_at", "published_day", "outlet", "language", "title", "score", "threshold", "probability",
                        "flag", "topic", "evidence", "url", "first_seen_at", "primary_source",
                        "story_id"]

JA_TEXT = ("政府は安保関連3文書を改定し、敵のミサイル基地などをたたく反撃能力の保有を明記した。"
           "防衛力の抜本的強化に向け、防衛費を増額する。")
EN_TEXT = "The government will acquire a counterstrike capability under the new strategy."
OTHER_TEXT = "気象庁によると、関東地方は明日から雨が降る見込みで、交通機関への影響に注意が必要だ。"


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def article(n: int, **fields):
    record = {
        "url": f"https://www.example.jp/articles/{n}?ref=rss",
        "canonical_url": f"https://www.example.jp/articles/{n}",
        "outlet": "example",
        "language": "ja",
        "title": f"記事{n}",
        "text": f"本文{n}",
        "authors": ["山田太郎"],
        "tags": ["政治"],
        "method": "rules",
    }
    record.update(fields)
    return record


def test_blank_database_migrates_to_the_pinned_schema(tmp_path):
    db = open_db(tmp_path / "fresh.db")
    tables = {name: [c.name for c in db[name].columns] for name in EXPECTED_COLUMNS}
    assert tables == EXPECTED_COLUMNS
    assert [c.name for c in db["review_queue"].columns] == REVIEW_QUEUE_COLUMNS
    assert [c.name for c in db["maybe_missed"].columns] == REVIEW_QUEUE_COLUMNS
    assert [c.name for c in db["story_queue"].columns] == STORY_QUEUE_COLUMNS
    assert [row["name"] for row in db.query("SELECT name FROM _migrations")] == MIGRATION_NAMES
    assert {"idx_articles_outlet", "idx_articles_published_at", "idx_articles_status",
            "idx_articles_relevant", "idx_articles_content_hash"} <= {i.name for i in db["articles"].indexes}


def test_migrate_applies_missing_ones_once(tmp_path):
    db = open_db(tmp_path / "news.db", migrate=False)
    assert db.table_names() == []
    assert migrate(db) == MIGRATION_NAMES
    schema = db.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone()
    assert migrate(db) == []
    db.close()
    db = open_db(tmp_path / "news.db")
    assert db.execute("SELECT group_concat(sql) FROM sqlite_master").fetchone() == schema
    assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATION_NAMES)


def test_open_db_settings_and_parent_directory(tmp_path):
    path = tmp_path / "deep" / "er" / "news.db"
    db = open_db(path)
    assert path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert DEFAULT_DB == "newsmon.db"


def test_open_db_refuses_other_files_with_a_hint(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(DatabaseFileError, match="--db"):
        open_db(junk)
    newer = open_db(tmp_path / "newer.db")
    newer["_migrations"].insert({"migration_set": "newsmon", "name": "m999_future", "applied_at": "x"})
    newer.close()
    with pytest.raises(NewerSchemaError, match="m999_future"):
        open_db(tmp_path / "newer.db")


def test_a_newer_schema_is_refused_before_any_migration_is_applied(tmp_path):
    # A file a newer newsmon made, lacking this version's migrations (the newer one's m010 is
    # another): this version must not build its own schema into it.
    path = tmp_path / "other.db"
    other = open_db(path, migrate=False)
    other["_migrations"].insert({"migration_set": "newsmon", "name": "m999_future", "applied_at": "x"})
    other.close()
    with pytest.raises(NewerSchemaError, match="m999_future"):
        open_db(path)
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [
        ("_migrations",)]


def test_save_article_inserts_then_dedupes_by_canonical_url(db):
    first_id, new = queries.save_article(db, article(1), now="2024-03-05T01:00:00+00:00")
    assert new
    again_id, new = queries.save_article(db, article(1, url="https://www.example.jp/articles/1?ref=top"),
                                         now="2024-03-06T01:00:00+00:00")
    assert (again_id, new) == (first_id, False)
    row = db["articles"].get(first_id)
    assert db["articles"].count == 1
    assert (row["first_seen_at"], row["last_seen_at"]) == ("2024-03-05T01:00:00+00:00", "2024-03-06T01:00:00+00:00")
    assert json.loads(row["authors"]) == ["山田太郎"]
    assert row["status"] == "new"


def test_changed_content_updates_text_and_search(db):
    article_id, _ = queries.save_article(db, article(1, text=OTHER_TEXT))
    queries.save_article(db, article(1, text=JA_TEXT, modified_at="2024-03-05T12:00:00+09:00"))
    row = db["articles"].get(article_id)
    assert (row["text"], row["modified_at"]) == (JA_TEXT, "2024-03-05T12:00:00+09:00")
    assert row["content_hash"] == queries.content_hash(row["title"], JA_TEXT)
    assert [r["id"] for r in queries.search(db, "防衛")] == [article_id]
    assert queries.search(db, "気象庁") == []


def test_an_article_says_which_extraction_read_it(db):
    # Stored by an older newsmon (1), seen again as it was by a newer one (2): the newer one
    # reads it so, and says so; changed, by the one that read the change.
    article_id, _ = queries.save_article(db, article(1, extraction=1))
    queries.save_article(db, article(1, extraction=2))
    assert db["articles"].get(article_id)["extraction"] == 2
    queries.save_article(db, article(1, text=OTHER_TEXT, extraction=3))
    assert db["articles"].get(article_id)["extraction"] == 3
    assert queries.loose_ends(db, extraction=3)["older_extraction"] == 0
    assert queries.loose_ends(db, extraction=4)["older_extraction"] == 1


def test_same_story_at_another_url_dedupes_by_content_hash(db):
    first_id, _ = queries.save_article(db, article(1, title="防衛費増額", text=JA_TEXT))
    # Full-width digits and letters: NFKC makes the hash the same.
    other = article(2, title="防衛費増額", text=JA_TEXT.replace("3", "３"))
    assert queries.save_article(db, other) == (first_id, False)
    assert db["articles"].count == 1


def test_texts_are_one_articles_when_the_shorter_is_mostly_in_the_longer():
    update = JA_TEXT + "与党内には財源を巡って慎重な意見も残る。"
    other = ("政府は安保関連3文書の改定に合わせ、自衛隊の統合司令部を新設する方針を固めた。"
             "陸海空の部隊を一元的に指揮し、有事への即応性を高める。")
    assert queries.shares_text(JA_TEXT, update) and queries.shares_text(update, JA_TEXT)
    assert queries.shares_text(JA_TEXT.split("。")[0], JA_TEXT)  # a flash of its first sentence
    assert not queries.shares_text(JA_TEXT, other)  # one subject, another article
    assert not queries.shares_text(EN_TEXT, "Japan and Australia signed a reciprocal access agreement in Tokyo.")
    assert queries.shares_text("本文1", "本文2")  # too short to tell: as the canonical URL says


def test_a_page_naming_a_stored_article_it_shares_no_text_with_is_its_own(db):
    first, _ = queries.save_article(db, article(1, text=JA_TEXT))
    claim = article(2, canonical_url=article(1)["canonical_url"], text=OTHER_TEXT * 2)
    stored = queries.store_article(db, claim)
    assert stored.new and stored.id != first and stored.named == (first, article(1)["url"])
    assert db.execute("SELECT canonical_url FROM articles WHERE id = ?", [stored.id]).fetchone() == (claim["url"],)
    assert db["articles"].get(first)["text"] == JA_TEXT


def test_a_claim_too_tangled_to_undo_is_stored_as_before(db):
    # Article 1 (at .../1?ref=rss) claims .../2; article 3 claims .../1?ref=rss, the URL article 1
    # would take back. Page 2, at .../2, naming itself, cannot have its URL: it is stored into
    # article 1 as it was before canonical URLs were checked, and nothing raises.
    one, _ = queries.save_article(db, article(1, canonical_url="https://www.example.jp/articles/2", text=JA_TEXT))
    queries.save_article(db, article(3, canonical_url=article(1)["url"], text=EN_TEXT * 3))
    page = article(2, url="https://www.example.jp/articles/2", text=OTHER_TEXT * 2)
    stored = queries.store_article(db, page)
    assert (stored.id, stored.new, stored.changed, stored.named) == (one, False, True, None)
    assert db["articles"].count == 2


def test_the_same_text_in_another_outlet_is_that_outlets_article(db):
    # A regional paper's word-for-word reprint of a wire article: merged into the wire's by its
    # hash, the paper's article was lost ("already stored"), and with it that it ran the story.
    wire, _ = queries.save_article(db, article(1, outlet="kyodo", title="防衛費増額", text=JA_TEXT))
    reprint, new = queries.save_article(db, article(2, outlet="tokyo_np", title="防衛費増額", text=JA_TEXT))
    assert new and reprint != wire
    # Its own second URL is still the same article.
    assert queries.save_article(db, article(3, outlet="tokyo_np", title="防衛費増額", text=JA_TEXT)) == (reprint, False)


def test_articles_without_text_are_not_merged_by_hash(db):
    one, _ = queries.save_article(db, article(1, title="NHKニュース", text=""))
    two, new = queries.save_article(db, article(2, title="NHKニュース", text=""))
    assert new and one != two


def test_save_article_rejects_unknown_fields(db):
    with pytest.raises(ValueError, match="paragraphs.*migration"):
        queries.save_article(db, article(1, paragraphs=["a"]))


def test_replace_keeps_the_review(db):
    article_id, _ = queries.save_article(db, article(1, text=OTHER_TEXT))
    queries.set_status(db, article_id, "follow-up", note="ask the desk", by="ito")
    assert queries.save_article(db, article(1, title="新しい見出し", text=JA_TEXT), replace=True) == (article_id, False)
    row = db["articles"].get(article_id)
    assert (row["title"], row["status"], row["review_note"]) == ("新しい見出し", "follow-up", "ask the desk")


def test_bigram_index_form_and_queries():
    assert bigrams("防衛力を強化") == "防衛 衛力 力を を強 強化 化"
    assert bigrams("F35戦闘機と counterstrike") == "F35 戦闘 闘機 機と と counterstrike"
    assert bigrams("核") == "核"
    assert fts_query("防衛力") == '"防衛 衛力"'
    assert fts_query("防衛 counterstrike") == '"防衛" AND "counterstrike"'
    assert fts_query('say "hi" OR') == '"say" AND """hi""" AND "OR"'
    assert fts_query("核") == '"核"*'
    assert fts_query("  ・ ") == ""


def test_a_word_split_by_a_line_break_of_its_page_is_found_whole(db):
    # "国家安全保障\n戦略": a paragraph hard-wrapped in its HTML, as generic extraction reads it.
    # Japanese writes no space between words: indexed without it, the word is found.
    assert bigrams("国家安全保障\n戦略 2022年 12月") == "国家 家安 安全 全保 保障 障戦 戦略 略 2022 年 12 月"
    article_id, _ = queries.save_article(db, article(1, text="政府は国家安全保障\n戦略を改定した。" * 3))
    assert [r["id"] for r in queries.search(db, "国家安全保障戦略")] == [article_id]


def test_search_with_or_and_phrases(db):
    from storage.search import QueryError, parse_query

    assert parse_query("安保 反撃能力 OR counterstrike") == (
        '("安保" AND "反撃 撃能 能力") OR ("counterstrike")', ["安保", "反撃能力", "counterstrike"])
    assert parse_query('"counterstrike capability"') == ('"counterstrike capability"', ["counterstrike capability"])
    assert parse_query("or 安保") == ('"or" AND "安保"', ["or", "安保"])  # only OR in capitals is OR
    assert parse_query("  ") == ("", [])
    assert parse_query("安保 AND 防衛") == parse_query("安保 防衛")
    for bad in ('"安保', "OR 安保", "安保 OR", "安保 OR OR 防衛", "安保 NOT 防衛", "安保 -防衛"):
        with pytest.raises(QueryError):
            parse_query(bad)
    with pytest.raises(QueryError, match="-防衛: a search cannot leave a word out"):
        parse_query("安保 -防衛")
    assert parse_query("counter-strike")[0]  # a hyphen inside a word is no -word
    ja, en, other = (queries.save_article(db, article(n, text=t))[0] for n, t in enumerate((JA_TEXT, EN_TEXT, OTHER_TEXT)))

    def found(query: str) -> set[int]:
        return {r[0] for r in db.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH ?",
                                         [parse_query(query)[0]])}

    assert found("反撃能力 OR counterstrike") == {ja, en}
    assert found('"counterstrike capability"') == {en}
    assert found('"capability counterstrike"') == set()  # a phrase is in order
    assert found("気象庁 OR 防衛費") == {ja, other}
    # Kanji parted by a space in a quoted phrase are found as the index holds them, joined, as
    # they are unquoted: the phrase asked each word's last kanji alone ("障"), and found nothing.
    strategy = queries.save_article(db, article(7, text="政府は国家安全保障戦略など安保3文書を改定した。" * 3))[0]
    for query in ('"国家安全保障 戦略"', '"安保3文書 を改定"', "国家安全保障 戦略", '"国家安全保障戦略"'):
        assert found(query) == {strategy}, query
    assert found('"戦略 国家安全保障"') == set()  # still in order


@pytest.fixture
def corpus(db):
    ids = {
        "ja": queries.save_article(db, article(1, title="安保3文書を閣議決定", text=JA_TEXT))[0],
        "en": queries.save_article(db, article(2, language="en", title="Japan's new strategy", text=EN_TEXT))[0],
        "other": queries.save_article(db, article(3, title="関東で雨", text=OTHER_TEXT))[0],
    }
    return ids


@pytest.mark.parametrize(("query", "expected"), [
    ("防衛", ["ja"]),
    ("安保", ["ja"]),
    ("防衛力", ["ja"]),
    ("反撃能力 ミサイル", ["ja"]),
    ("核", []),
    ("counterstrike", ["en"]),
    ("Counterstrike strategy", ["en"]),
    ("雨", ["other"]),
    ("交通機関", ["other"]),
    ("防衛 気象庁", []),
])
def test_search_finds_short_japanese_terms_and_english_words(db, corpus, query, expected):
    assert [r["id"] for r in queries.search(db, query)] == [corpus[k] for k in expected]


def test_search_ranks_and_explains(db, corpus):
    body_only, _ = queries.save_article(db, article(4, title="国会の動き", text="防衛について質疑があった。" + OTHER_TEXT))
    results = queries.search(db, "防衛")
    assert [r["id"] for r in results] == [corpus["ja"], body_only]  # three hits beat one
    assert "防衛" in results[1]["snippet"]
    with pytest.raises(ValueError, match="at least one word"):
        queries.search(db, " 。 ")


def test_review_queue_lists_relevant_new_articles_newest_first(db):
    def save(n, published_at, relevant=1):
        return queries.save_article(db, article(n, published_at=published_at, relevant=relevant, score=2.0,
                                                matched_terms=[{"term": "反撃能力", "count": 3,
                                                                "snippet": "…たたく反撃能力の\n行使…"}]),
                                    now="2024-03-06T00:00:00+00:00")[0]

    # 08:00 in Tokyo is 23:00 UTC the day before: older than 23:30 UTC, though it sorts after as text.
    tokyo = save(1, "2024-03-05T08:00:00+09:00")
    utc = save(2, "2024-03-04T23:30:00+00:00")
    undated = save(3, None)  # first seen 2024-03-06: newest
    save(4, "2024-03-05T09:00:00+09:00", relevant=0)
    queue = queries.review_queue(db)
    assert [r["id"] for r in queue] == [undated, utc, tokyo]
    assert queue[0]["evidence"] == "反撃能力 ×3: …たたく反撃能力の 行使…"
    queries.set_status(db, utc, "dismissed", by="ito", now="2024-03-07T00:00:00+00:00")
    assert [r["id"] for r in queries.review_queue(db)] == [undated, tokyo]
    assert db["articles"].get(utc)["reviewed_at"] == "2024-03-07T00:00:00+00:00"


@pytest.mark.parametrize("sql, index", [
    ("SELECT id, story_id FROM review_queue", "COVERING INDEX idx_articles_queue_order"),
    ("SELECT * FROM review_queue LIMIT 100", "idx_articles_queue_order"),
    ("SELECT count(*) FROM (SELECT first_seen_at FROM review_queue LIMIT -1) WHERE first_seen_at > '2026'",
     "COVERING INDEX idx_articles_queue_order"),
    ("SELECT count(*) FROM (SELECT id FROM maybe_missed LIMIT -1)", "idx_articles_maybe_missed"),
])
def test_the_queues_are_read_in_an_indexs_order_not_sorted(db, sql, index):
    # A view order the index does not have sorts the whole queue on every page load (m010):
    # a later change of a view's ORDER BY or WHERE needs its index changed with it.
    plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan and "TEMP B-TREE" not in plan, plan


def _articles_facets() -> list[str]:
    metadata = yaml.safe_load((Path(crawler.__file__).parent / "datasette" / "metadata.yaml").read_text())
    return metadata["databases"]["newsmon"]["tables"]["articles"]["facets"]


@pytest.mark.parametrize("column", _articles_facets())
def test_every_facet_of_the_articles_table_is_counted_from_an_index(db, column):
    # Datasette's SQL for a column facet (datasette/facets.py). Read from the table, one facet takes
    # ~1 s at a million articles; from an index alone 20-80 ms (bench/million).
    assert isinstance(column, str), "a date: facet groups by date(column), which SQLite 3.40 reads row by row"
    sql = (f"SELECT {column} AS value, count(*) AS count FROM (SELECT * FROM articles) WHERE {column} IS NOT NULL "
           f"GROUP BY {column} ORDER BY count DESC, value LIMIT 31")
    plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "COVERING INDEX" in plan and "GROUP BY" not in plan, plan


def test_published_day_is_the_day_in_japan_whoever_writes_the_article(db):
    tokyo_morning, _ = queries.save_article(db, article(1, published_at="2024-03-05T08:00:00+09:00"))
    utc_night, _ = queries.save_article(db, article(2, published_at="2024-03-04T23:30:00+00:00"))
    undated, _ = queries.save_article(db, article(3, published_at=None))
    days = lambda: {r["id"]: r["published_day"] for r in db.query("SELECT id, published_day FROM articles")}
    # date(published_at) would say 03-04 for both: the UTC day.
    assert days() == {tokyo_morning: "2024-03-05", utc_night: "2024-03-05", undated: None}
    # A reviewer correcting the time in DB Browser moves the day with it.
    db.execute("UPDATE articles SET published_at = '2024-03-05T15:00:00+00:00' WHERE id = ?", [utc_night])
    db.execute("UPDATE articles SET published_at = '2024-03-01T12:00:00+09:00' WHERE id = ?", [undated])
    db.execute("UPDATE articles SET published_at = NULL WHERE id = ?", [tokyo_morning])
    assert days() == {tokyo_morning: None, utc_night: "2024-03-06", undated: "2024-03-01"}


def test_m012_fills_published_day_of_stored_articles(tmp_path):
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m012_published_day")
    queries.save_article(db, article(1, published_at="2024-03-05T08:00:00+09:00"))
    queries.save_article(db, article(2, published_at=None))
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m012_published_day"):]
    assert [r["published_day"] for r in db.query("SELECT published_day FROM articles ORDER BY id")] == \
        ["2024-03-05", None]


def test_m014_reads_unfinished_zstd_archives_again_from_their_start(tmp_path):
    # Their offsets counted decompressed bytes; now a WARC.zst's count the file's. Resumed at the
    # old number, a read would start past records never stored.
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m014_zstd_offsets")
    ledger = [("/a/grab.warc.zst", None, None, 90_000), ("/a/cut.warc.zst", "2026-12-01", "stopped at byte", 70_000),
              ("/a/done.warc.zst", "2026-12-01", None, 80_000), ("/a/news.warc.gz", None, None, 60_000)]
    for source, finished, stopped, offset in ledger:
        db["ingested_archives"].insert({"source": source, "records": 9, "started_at": "2026-12-01",
                                        "finished_at": finished, "stopped": stopped, "resume_offset": offset})
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m014_zstd_offsets"):]
    assert {r["source"]: (r["resume_offset"], r["records"]) for r in db.query("SELECT * FROM ingested_archives")} == {
        "/a/grab.warc.zst": (0, 0), "/a/cut.warc.zst": (0, 0), "/a/done.warc.zst": (80_000, 9),
        "/a/news.warc.gz": (60_000, 9)}


def test_status_is_validated_in_python_and_in_the_file(db):
    article_id, _ = queries.save_article(db, article(1))
    with pytest.raises(InvalidStatus, match="use one of new, relevant, dismissed, follow-up"):
        queries.set_status(db, article_id, "dismised")
    # A reviewer typing in DB Browser goes through the triggers.
    with pytest.raises(sqlite3.IntegrityError, match="status must be one of"):
        db.execute("UPDATE articles SET status = 'done' WHERE id = ?", [article_id])


def test_update_score_rewrites_evidence(db):
    article_id, _ = queries.save_article(db, article(1, text=JA_TEXT))
    queries.update_score(db, article_id, topic="security_documents", score=4.5, relevant=True,
                         matched_terms=[{"term": "反撃能力", "count": 1, "snippet": "…たたく反撃能力の保有…"},
                                        {"term": "防衛力", "count": 1, "snippet": ""}])
    row = db["articles"].get(article_id)
    assert (row["topic"], row["score"], row["relevant"]) == ("security_documents", 4.5, 1)
    assert row["evidence"] == "反撃能力 ×1: …たたく反撃能力の保有…\n防衛力 ×1"
    assert [r["id"] for r in queries.iter_articles(db)] == [article_id]


def test_raw_page_round_trips_byte_for_byte(db):
    body = "<html><meta charset=shift_jis><p>防衛力</p></html>".encode("shift_jis") + bytes(range(256))
    article_id, _ = queries.save_article(db, article(1))
    queries.save_page(db, "https://www.example.jp/articles/1", b"old version", article_id=article_id)
    page_id = queries.save_page(db, "https://www.example.jp/articles/1", body, article_id=article_id,
                                content_type="text/html; charset=Shift_JIS")
    other_id = queries.save_page(db, "https://www.example.jp/list", b"<html></html>", http_status=200)
    stored = db["pages"].get(page_id)
    assert stored["size"] == len(body) and stored["body_gz"][:4] == b"\x28\xb5\x2f\xfd"  # zstd
    assert list(queries.iter_pages(db)) == [
        (page_id, "https://www.example.jp/articles/1", article_id, body, "text/html; charset=Shift_JIS"),
        (other_id, "https://www.example.jp/list", None, b"<html></html>", None),
    ]


def test_urls_are_recorded_once_with_attempts(db):
    url = "https://www.example.jp/articles/9"
    assert not queries.url_seen(db, url) and not queries.url_done(db, url)
    queries.record_url(db, url, outlet="example", kind="error", http_status=503, error="503", now="2024-01-01T00:00:00+00:00")
    assert queries.url_seen(db, url) and not queries.url_done(db, url, max_attempts=2)
    queries.record_url(db, url, outlet=None, kind="error", http_status=503, error="503", now="2024-01-02T00:00:00+00:00")
    assert queries.url_done(db, url, max_attempts=2)
    queries.record_url(db, url, outlet=None, kind="article", http_status=200, now="2024-01-03T00:00:00+00:00")
    row = db["urls"].get(url)
    assert (row["outlet"], row["kind"], row["attempts"], row["last_error"]) == ("example", "article", 3, None)
    assert (row["first_seen_at"], row["last_seen_at"]) == ("2024-01-01T00:00:00+00:00", "2024-01-03T00:00:00+00:00")


def test_a_pending_url_is_seen_but_not_done(db):
    # The frontier (storage/frontier.py) records discovered URLs as 'pending', attempts 0.
    url = "https://www.example.jp/articles/10"
    db["urls"].insert({"url": url, "outlet": "example", "kind": "pending", "attempts": 0,
                       "first_seen_at": "2024-01-01T00:00:00+00:00", "last_seen_at": "2024-01-01T00:00:00+00:00"})
    assert queries.url_seen(db, url) and not queries.url_done(db, url, max_attempts=1)
    queries.record_url(db, url, outlet=None, kind="article", http_status=200, now="2024-01-02T00:00:00+00:00")
    assert queries.url_done(db, url) and db["urls"].get(url)["attempts"] == 1


def test_the_backlog_gives_the_days_news_before_the_archive_and_the_archive_in_the_order_listed(db):
    # An outlet's first run read its archive sitemap (listed newest first), then its feed, whose articles over
    # NEWSMON_MAX_ARTICLES stayed pending too; a later run left a burst's. Oldest first, the day's articles waited
    # behind the whole archive (50,000 at 500 a run: 100 runs), and the archive came by URL, its oldest numbers first.
    first, later = "2026-12-01T00:00:00+00:00", "2026-12-02T00:00:00+00:00"
    archive = [f"https://x.jp/a/{n}" for n in (9, 8, 7, 6)]
    frontier.add_pending(db, archive, outlet="x", now=first,
                         archive={url: place for place, url in enumerate(archive, 1)})
    frontier.add_pending(db, ["https://x.jp/a/11", "https://x.jp/a/10"], outlet="x", now=first)
    frontier.add_pending(db, ["https://x.jp/a/13", "https://x.jp/a/12"], outlet="x", now=later)
    assert frontier.due_urls(db, "x", max_attempts=3, limit=10) == [
        "https://x.jp/a/10", "https://x.jp/a/11", "https://x.jp/a/12", "https://x.jp/a/13", *archive]
    # An archive's article the day's news lists (a feed, a section) is the day's news, as old as it is; one that
    # failed stays the archive's; an archive sitemap read again (no news= of it) says nothing of it.
    frontier.record_failure(db, archive[0], outlet="x", code="http_503", reason="HTTP 503", max_attempts=3)
    frontier.add_pending(db, [archive[3]], outlet="x", now=later, news=[archive[3]])
    frontier.add_pending(db, archive, outlet="x", now=later)
    assert frontier.due_urls(db, "x", max_attempts=3, limit=10) == [
        "https://x.jp/a/10", "https://x.jp/a/11", "https://x.jp/a/6", "https://x.jp/a/12", "https://x.jp/a/13",
        *archive[:3]]
    assert frontier.due_urls(db, "x", max_attempts=3, limit=3) == ["https://x.jp/a/10", "https://x.jp/a/11",
                                                                   "https://x.jp/a/6"]


def test_the_archives_of_an_indexs_children_keep_the_indexs_order_and_a_later_reads_come_after(db):
    # Numbered from 1 in each child, two children of an index read in the same second interleaved their entries, and
    # children read a second apart came in the order their answers came. Each read has a block of places: the
    # index's order within a read, a later read's after an earlier's, and places of before blocks (0) first.
    first, later = "2026-12-01T00:00:00+00:00", "2026-12-01T00:00:01+00:00"
    frontier.add_pending(db, ["https://x.jp/old/1", "https://x.jp/old/2"], outlet="x", now=first,
                         archive={"https://x.jp/old/1": 2, "https://x.jp/old/2": 1})
    assert frontier.archive_block(db, "x") == 1 and frontier.archive_block(db, "y") == 1
    block = frontier.ARCHIVE_BLOCK
    second = [f"https://x.jp/oct/{n}" for n in (1, 2, 3)]  # the index's second child, read first
    frontier.add_pending(db, second, outlet="x", now=first,
                         archive={url: 2 * block + place for place, url in enumerate(second, 1)})
    one = [f"https://x.jp/nov/{n}" for n in (1, 2, 3)]
    frontier.add_pending(db, one, outlet="x", now=later,
                         archive={url: block + place for place, url in enumerate(one, 1)})
    assert frontier.archive_block(db, "x") == 3
    news = "https://x.jp/today/1"
    frontier.add_pending(db, [news], outlet="x", now=later)
    assert frontier.due_urls(db, "x", max_attempts=3, limit=20) == [
        news, "https://x.jp/old/2", "https://x.jp/old/1", *one, *second]


def test_an_archives_block_is_read_from_an_index_of_the_places_after_those_its_stored_entries_keep(db):
    # max(archive_place) read every URL the outlet ever had, each looked up in the table (0.66 s at 500,000), at
    # each archive's first placement in a run. m053's index of what may be due would not do: an archive's stored
    # or refused entries keep their places (a refusal readmitted is due in its block's order again).
    now = "2026-12-01T00:00:00+00:00"
    block = frontier.ARCHIVE_BLOCK
    urls = [f"https://x.jp/old/{n}" for n in range(4)]
    frontier.add_pending(db, urls, outlet="x", now=now, archive={url: block + n for n, url in enumerate(urls, 1)})
    frontier.add_pending(db, ["https://x.jp/late/1"], outlet="x", now=now, archive={"https://x.jp/late/1": 2 * block})
    frontier.record_result(db, "https://x.jp/late/1", outlet="x", kind="article", reason="stored", code="stored",
                           now=now)
    frontier.record_refused(db, urls[0], outlet="x", code="robots_disallow", reason="disallowed", now=now)
    frontier.add_pending(db, ["https://y.jp/a/1"], outlet="y", now=now, archive={"https://y.jp/a/1": 5 * block})
    assert frontier.archive_block(db, "x") == 3 and frontier.archive_block(db, "z") == 1
    seen = []
    db.conn.set_trace_callback(seen.append)
    frontier.archive_block(db, "x")
    db.conn.set_trace_callback(None)
    plan = " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + seen[-1]))
    assert "idx_urls_archive_place" in plan and "SCAN" not in plan, plan


def test_a_sections_last_own_listing_is_found_by_an_index_of_the_reads_that_had_one(db):
    # Asked at every read of a page whose links are all in boxes of other articles (``picks_are_list``,
    # ``_emptied``): by idx_discovery_url every read of the page was walked back to its last own listing, and a page
    # so designed from its first read has none: all of them, every run (35,000 VM steps a lookup at 5,000 reads).
    url = "https://x.jp/news/"

    def reads(n: int, first_listed: int) -> None:
        db["discovery"].insert_all(
            {"run_id": run, "outlet": "x", "url": url, "kind": "section", "fetched_at": f"2026-01-01T{run:06}",
             "ok": 1, "article_urls": 12, "listing_urls": first_listed if run == 0 else 0,
             "reason": "its own list is its box named as picks: 12" if run == 0 else None} for run in range(n))

    def steps() -> int:
        counted = []
        db.conn.set_progress_handler(lambda: counted.append(1) and 0, 10)
        assert frontier.own_listing_noted(db, "x", url, "its own list is its box named as picks")
        assert frontier.last_listing(db, "x", url, own=True)[1] == 12
        db.conn.set_progress_handler(None, 0)
        return len(counted)

    reads(20, 12)
    few = steps()
    db["discovery"].delete_where()
    reads(2000, 12)
    assert steps() <= few + 1
    seen = []
    db.conn.set_trace_callback(seen.append)
    frontier.own_listing_noted(db, "x", url, "its own list is its box named as picks")
    frontier.last_listing(db, "x", url, own=True)
    db.conn.set_trace_callback(None)
    for sql in seen[-2:]:
        plan = " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
        assert "idx_discovery_own_listing" in plan, plan


def test_the_backlog_is_read_in_its_order_from_an_index_of_what_may_be_due(db):
    # Sorted in a temporary B-tree, every URL the outlet ever had read to find those due, a run's 500 of 50,000
    # waiting took over 1,000 times as long as read in order from m053's index, the first 500 alone (bench/ledger).
    now, later = "2026-12-01T00:00:00+00:00", "2026-12-03T00:00:00+00:00"
    url = lambda n: f"https://x.jp/a/{n:02}"
    frontier.add_pending(db, [url(n) for n in range(1, 30)], outlet="x", now=now,
                         archive={url(n): 30 - n for n in range(20, 30)})
    frontier.record_result(db, url(1), outlet="x", kind="article", reason="stored", code="stored", now=now)
    frontier.record_result(db, url(2), outlet="x", kind="not_article", reason="no article", code="no_article",
                           retry_at="2026-12-02T00:00:00+00:00", now=now)
    frontier.record_result(db, url(3), outlet="x", kind="not_article", reason="no article", code="no_article", now=now)
    frontier.record_failure(db, url(4), outlet="x", code="http_503", reason="HTTP 503", max_attempts=3, now=now)
    frontier.record_failure(db, url(5), outlet="x", code="http_429", reason="HTTP 429", max_attempts=3, now=now,
                            not_before="2026-12-09T00:00:00+00:00")
    frontier.record_failure(db, url(6), outlet="x", code="http_404", reason="HTTP 404", max_attempts=1,
                            exhausted="gone", now=now)
    for n in (7, 8):
        frontier.record_failure(db, url(n), outlet="x", code="http_500", reason="HTTP 500", max_attempts=2, now=now)
        frontier.record_failure(db, url(n), outlet="x", code="http_500", reason="HTTP 500", max_attempts=2,
                                exhausted="gone" if n == 8 else "gave_up", now=now)
    frontier.record_refused(db, url(9), outlet="x", code="robots_unavailable", reason="robots.txt 503", now=now)
    frontier.record_refused(db, url(10), outlet="x", code="robots_disallow", reason="disallowed", now=now)
    frontier.record_blocked(db, url(11), outlet="x", code="wall", reason="a wall", backoff=3600, now=now)
    frontier.mark_fetched(db, url(12), outlet="x", page_id=1, http_status=200, now=now)
    frontier.record_failure(db, url(21), outlet="x", code="http_503", reason="HTTP 503", max_attempts=3, now=now)
    seen = []
    db.conn.set_trace_callback(seen.append)
    due = frontier.due_urls(db, "x", max_attempts=3, limit=100, now=later)
    db.conn.set_trace_callback(None)
    # The index holds what may be due at some time; what is due now is the ledger's own rule, URL by URL.
    assert due == [url(n) for n in (2, 4, 7, 8, 9, 11, *range(13, 20), 29, 28, 27, 26, 25, 24, 23, 22, 21, 20)]
    assert set(due) == {url(n) for n in range(1, 30) if frontier.fetch_need(db, url(n), max_attempts=3, now=later)}
    plan = " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + next(s for s in seen if "ORDER BY" in s)))
    assert "idx_urls_due" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("refusals", [frontier.RETRY_REFUSALS, (*frontier.RETRY_REFUSALS, "robots_timeout")])
def test_the_backlog_takes_every_url_the_ledger_says_is_due_whatever_its_state(db, monkeypatch, refusals):
    # m053's index holds what may be due; a state it left out was never due again, no word said. A refusal
    # added to RETRY_REFUSALS was such a state while the index's WHERE was written apart from it.
    monkeypatch.setattr(frontier, "RETRY_REFUSALS", refusals)
    rng = random.Random(53)
    urls = [f"https://x.jp/a/{n}" for n in range(300)]
    frontier.add_pending(db, urls, outlet="x", now="2026-11-01T00:00:00+00:00",
                         archive={url: rng.choice([3, 10_000_001, 20_000_002]) for url in urls[::3]})
    codes = [None, "robots_unavailable", "robots_timeout", "robots_disallow", "off_scope", "http_503", "wall"]
    times = [None, "2026-11-30T00:00:00+00:00", "2026-12-01T00:00:00+00:00", "2026-12-05T00:00:00+00:00"]
    with transaction(db):
        db.conn.executemany("UPDATE urls SET kind = ?, attempts = ?, reason_code = ?, retry_at = ? WHERE url = ?",
                            [(rng.choice(frontier.STATES), rng.randint(0, 4), rng.choice(codes), rng.choice(times),
                              url) for url in urls])
    now = "2026-12-01T00:00:00+00:00"
    due = frontier.due_urls(db, "x", max_attempts=3, limit=len(urls), now=now)
    assert sorted(due) == sorted(url for url in urls if frontier.fetch_need(db, url, max_attempts=3, now=now))
    added = [url for url in due if (frontier.state(db, url)["kind"], frontier.state(db, url)["reason_code"]) == (
        "refused", "robots_timeout")]
    assert bool(added) == ("robots_timeout" in refusals)


def test_the_backlogs_index_holds_what_the_backlog_asks_for(db):
    # The planner takes idx_urls_due only where the query repeats its WHERE word for word: a refusal added to
    # RETRY_REFUSALS is still taken (above), read without the index, each run, until a new migration rebuilds it.
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'idx_urls_due'").fetchone()[0]
    assert sql.endswith(f" WHERE {frontier._may_be_due()}"), (sql, frontier._may_be_due())


def test_the_archives_of_a_nested_indexs_children_keep_its_order_whichever_was_read_first(db):
    # An index that is an index's child shares its block among its children, each a part in its order: ordered by
    # when each was read within the block, its second child's archive, read a second before its first's, came first.
    # The day's news still comes oldest first, before either.
    block, part = frontier.ARCHIVE_BLOCK, frontier.ARCHIVE_BLOCK // 2
    early, later = "2026-12-01T00:00:00+00:00", "2026-12-01T00:00:01+00:00"
    second = [f"https://x.jp/2025/oct/{n}" for n in (1, 2)]
    frontier.add_pending(db, second, outlet="x", now=early,
                         archive={url: block + part + place for place, url in enumerate(second, 1)})
    first = [f"https://x.jp/2026/nov/{n}" for n in (1, 2)]
    frontier.add_pending(db, first, outlet="x", now=later,
                         archive={url: block + place for place, url in enumerate(first, 1)})
    frontier.add_pending(db, ["https://x.jp/today/b"], outlet="x", now=early)
    frontier.add_pending(db, ["https://x.jp/today/a"], outlet="x", now=later)
    assert frontier.due_urls(db, "x", max_attempts=3, limit=20) == [
        "https://x.jp/today/b", "https://x.jp/today/a", *first, *second]


def test_feed_state_round_trips(db):
    url = "https://www.example.jp/rss.xml"
    assert queries.get_feed_state(db, url) is None
    queries.set_feed_state(db, url, etag='W/"1"', last_modified=None, status=200, now="2024-01-01T00:00:00+00:00")
    queries.set_feed_state(db, url, etag='W/"2"', last_modified="Tue, 05 Mar 2024 01:00:00 GMT", status=304,
                           now="2024-01-02T00:00:00+00:00")
    assert queries.get_feed_state(db, url) == {
        "url": url, "etag": 'W/"2"', "last_modified": "Tue, 05 Mar 2024 01:00:00 GMT", "last_status": 304,
        "last_fetched_at": "2024-01-02T00:00:00+00:00",
        # A 304 is no whole read: the 200's time stays.
        "read_at": "2024-01-01T00:00:00+00:00", "children": None, "news": 0, "index_lastmod": None,
        "listed_new_at": "2024-01-01T00:00:00+00:00", "lastmods_lie": None}


def test_what_a_sitemap_was_at_its_last_whole_read_outlasts_its_304s(db):
    url = "https://www.example.jp/sitemap.xml"
    children = {"https://www.example.jp/sitemap-news.xml": None,
                "https://www.example.jp/sitemap-2024-01.xml": "2024-01-31"}
    queries.set_feed_state(db, url, etag='"1"', last_modified=None, status=200, children=children)
    queries.set_feed_state(db, url, etag='"1"', last_modified=None, status=304)
    assert queries.feed_children(db, url) == children
    # m022 kept a list, without lastmods.
    db.execute("UPDATE feed_state SET children = ? WHERE url = ?", [json.dumps(list(children)), url])
    assert queries.feed_children(db, url) == dict.fromkeys(children)
    queries.set_feed_state(db, url, etag='"2"', last_modified=None, status=200, news=True)  # a news urlset now
    queries.set_feed_state(db, url, etag='"2"', last_modified=None, status=304)
    assert queries.feed_children(db, url) == {} and queries.feed_children(db, "https://www.example.jp/new.xml") == {}
    assert queries.get_feed_state(db, url)["news"] == 1
    queries.set_feed_state(db, url, etag='"3"', last_modified=None, status=200)
    assert queries.get_feed_state(db, url)["news"] == 0


def test_only_quiet_archive_sitemaps_under_an_unmoved_lastmod_are_settled(db):
    base = "https://www.example.jp/sitemap-"
    fetched = "2026-11-20T00:00:00+00:00"
    for name, kw in (("archive", {}), ("news", {"news": True}), ("index", {"children": {base + "x": None}}),
                     ("busy", {"listed_new": True})):
        queries.set_feed_state(db, base + name, etag=None, last_modified=None, status=200, index_lastmod="2025-01-31",
                               now=fetched, **kw)
    queries.set_feed_state(db, base + "busy", etag=None, last_modified=None, status=200, index_lastmod="2025-01-31",
                           listed_new=True, now="2026-11-29T00:00:00+00:00")
    queries.set_feed_state(db, base + "failed", etag=None, last_modified=None, status=200,
                           index_lastmod="2025-01-31", now=fetched)
    db.execute("UPDATE feed_state SET last_status = 404 WHERE url = ?", [base + "failed"])
    names = ("archive", "news", "index", "busy", "failed", "never")
    settled = queries.settled_sitemaps(db, {base + n: "2025-01-31" for n in names},
                                       quiet_since="2026-11-28T00:00:00+00:00")
    assert settled == {base + "archive": fetched}
    # Its lastmod moved: no longer what was fetched.
    assert queries.settled_sitemaps(db, {base + "archive": "2025-02-01"}, quiet_since="2026-11-28T00:00:00+00:00") == {}
    # Fetched first (its quiet counts from then) two days after.
    assert queries.settled_sitemaps(db, {base + "archive": "2025-01-31"}, quiet_since="2026-11-19T00:00:00+00:00") == {}


def test_a_stored_article_dated_after_it_was_read_is_revisited_once_per_date(db):
    from storage import frontier, versions

    seen = "2026-11-30T10:00:00+00:00"
    ids = {}
    for n in (1, 2, 3):
        ids[n], _ = queries.save_article(db, article(n), now=seen)
        frontier.record_result(db, article(n)["url"], outlet="example", kind="article", code="stored", reason="stored",
                               article_id=ids[n], now=seen)
    versions.schedule_revisit(db, article(2)["url"], article_id=ids[2], outlet="example", first_seen=seen,
                              after=[3600.0])
    now = "2026-11-30T12:00:00+00:00"
    dated = {article(1)["url"]: "2026-11-30T11:00:00+00:00",  # updated after it was read
             article(2)["url"]: "2026-11-30T11:30:00+00:00",  # its revisit is planned: moved to now
             article(3)["url"]: "2026-11-30T10:01:00+00:00",  # a minute after: a clock ahead of ours
             "https://www.example.jp/articles/4": "2026-11-30T11:00:00+00:00"}  # not stored
    assert versions.prompt_revisits(db, dated, outlet="example", via="feed", now=now, limit=20) == 2
    due = {r["article_id"] for r in versions.due_revisits(db, "example", now=now, stored_before=3, relevant_only=True,
                                                             limit=10)}
    assert due == {ids[1], ids[2]}  # not relevant, but prompted
    [why] = db.execute("SELECT prompted FROM revisits WHERE article_id = ?", [ids[1]]).fetchone()
    assert why == "its feed dates it 2026-11-30 11:00 UTC, after newsmon last read it"
    # The same dates prompt nothing more; a date in the future (a clock's error) neither.
    assert versions.prompt_revisits(db, dated, outlet="example", via="feed", now=now, limit=20) == 0
    assert versions.prompt_revisits(db, {article(3)["url"]: "2026-11-30T13:00:00+00:00"}, outlet="example",
                                    via="feed", now=now, limit=20) == 0
    # A revisit that failed leaves it due within the hour (its schedule of one step is over).
    versions.record_revisit(db, article(1)["url"], result="failed: timeout", after=[3600.0], now=now)
    assert db.execute("SELECT prompted IS NOT NULL, due_at FROM revisits WHERE article_id = ?",
                      [ids[1]]).fetchone() == (1, "2026-11-30T13:00:00+00:00")
    # Given up once its date is older than the schedule's span.
    versions.record_revisit(db, article(1)["url"], result="failed: timeout", after=[3600.0],
                            now="2026-11-30T12:30:00+00:00")
    assert db.execute("SELECT prompted FROM revisits WHERE article_id = ?", [ids[1]]).fetchone() == (None,)
    db.execute("UPDATE revisits SET prompted = 'x' WHERE article_id = ?", [ids[1]])
    # Read: the prompt is spent, the relevance rule is back.
    versions.record_revisit(db, article(1)["url"], result="unchanged", after=[3600.0], now=now)
    assert db.execute("SELECT prompted FROM revisits WHERE article_id = ?", [ids[1]]).fetchone() == (None,)
    # At most ``limit`` a call.
    later = {article(n)["url"]: "2026-11-30T12:30:00+00:00" for n in (1, 2, 3)}
    assert versions.prompt_revisits(db, later, outlet="example", via="feed", now="2026-11-30T13:00:00+00:00",
                                    limit=2) == 2


def test_m022_has_the_sitemaps_read_before_it_read_whole_once(tmp_path):
    # Their children were not kept: an index among them answering 304 would hide them for good.
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m022_sitemap_state")
    for url, kind in (("https://x.jp/sitemap.xml", "sitemap"), ("https://x.jp/rss.xml", "feed")):
        db["feed_state"].insert({"url": url, "etag": '"1"', "last_modified": "Mon, 01 Jan 2024 00:00:00 GMT",
                                 "last_status": 200, "last_fetched_at": "2024-01-01T00:00:00+00:00"})
        db["discovery"].insert({"url": url, "kind": kind, "outlet": "x", "fetched_at": "2024-01-01T00:00:00+00:00",
                                "ok": 1})
    assert migrate(db)[0] == "m022_sitemap_state"
    assert [(r["url"], r["etag"], r["last_modified"]) for r in db.query("SELECT * FROM feed_state ORDER BY url")] == [
        ("https://x.jp/rss.xml", '"1"', "Mon, 01 Jan 2024 00:00:00 GMT"), ("https://x.jp/sitemap.xml", None, None)]


def test_crawl_runs_round_trip_and_stale_runs_close(db):
    run_id = queries.start_run(db, ["asahi", "nhk"], "schedule", pid=4242, now="2024-01-01T00:00:00+00:00")
    queries.finish_run(db, run_id, requests=12, responses_by_status={200: 10, "404": 2}, articles_new=5,
                       articles_relevant=2, errors=1, finish_reason="finished", exit_status=0,
                       now="2024-01-01T00:05:00+00:00")
    row = db["crawl_runs"].get(run_id)
    assert (json.loads(row["outlets"]), row["trigger"], row["pid"]) == (["asahi", "nhk"], "schedule", 4242)
    assert json.loads(row["responses_by_status"]) == {"200": 10, "404": 2}
    assert (row["requests"], row["articles_new"], row["articles_relevant"], row["errors"]) == (12, 5, 2, 1)
    assert (row["finished_at"], row["finish_reason"], row["exit_status"]) == ("2024-01-01T00:05:00+00:00", "finished", 0)

    dead = queries.start_run(db, ["asahi"], "manual", pid=1)
    alive = queries.start_run(db, ["nhk"], "manual", pid=2)
    assert queries.close_stale_runs(db, is_alive=lambda pid: pid == 2) == [dead]
    assert db["crawl_runs"].get(dead)["finish_reason"] == "killed"
    assert db["crawl_runs"].get(alive)["finished_at"] is None


def test_transaction_rolls_back_the_whole_block(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            article_id, _ = queries.save_article(db, article(1))
            queries.save_page(db, "https://www.example.jp/articles/1", b"x", article_id=article_id)
            raise RuntimeError("killed mid-write")
    assert (db["articles"].count, db["pages"].count, db["articles_search"].count) == (0, 0, 0)


def test_a_block_a_ctrl_c_left_open_ends_quietly_once_its_database_is_closed(tmp_path):
    # A Ctrl-C as a block ended, before transaction() resumed to COMMIT, left it suspended until the interpreter's
    # exit closed it, after the command had closed the database: "Exception ignored … Cannot operate on a closed
    # database", with its traceback, under the command's stopped line.
    path = tmp_path / "news.db"
    db = open_db(path)
    block = transaction(db)
    block.__enter__()
    queries.save_article(db, article(1))
    db.close()  # SQLite rolls the open transaction back
    block.gen.close()  # as the interpreter's exit does
    assert open_db(path)["articles"].count == 0


def test_a_write_another_process_holds_past_the_busy_timeout_is_database_locked_naming_the_file(tmp_path):
    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLocked) as raised, transaction(db):
            queries.save_article(db, article(1))
    finally:
        holder.rollback()
        holder.close()
    # Still what SQLite raised, for code that handled "database is locked" before.
    assert isinstance(raised.value, sqlite3.OperationalError)
    assert (raised.value.path, raised.value.waited) == (str(path), 0.2)
    assert f"the database {path} is locked" in str(raised.value) and "DB Browser" in str(raised.value)
    with transaction(db):  # released: the same connection writes, waiting as long as before
        queries.save_article(db, article(1))
    assert db["articles"].count == 1


def test_a_signal_while_a_write_waits_for_anothers_is_heard_and_a_process_asked_to_stop_waits_no_longer(tmp_path):
    # SQLite waits for another process's write inside one C call, where Python runs no signal
    # handler: a crawl sent SIGTERM while a reviewer's DB Browser held the file heard it only once
    # the busy timeout (30 s) ran out, then waited as long again to record its run, and the
    # daemon's stop_timeout killed it. Here a SIGALRM handler stands for Scrapy's SIGTERM handler
    # with newsmon's hook before it; the write would wait a minute.
    import signal

    from storage import db as storage_db

    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=60)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    heard = []

    def asked_to_stop(signum, frame):
        heard.append(signum)
        storage_db.stop_waiting()

    before = signal.signal(signal.SIGALRM, asked_to_stop)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(DatabaseLocked) as raised, transaction(db):
            queries.save_article(db, article(1))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
        storage_db._stopping.clear()
        holder.rollback()
        holder.close()
    assert heard == [signal.SIGALRM]
    assert raised.value.waited == storage_db.STOPPING_WAIT_SECONDS  # not the minute it was given
    assert "asked to stop, waited for only 2 s" in str(raised.value)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 60_000  # its later writes wait as before
    with transaction(db):
        queries.save_article(db, article(1))
    assert db["articles"].count == 1


def test_a_write_that_finds_the_disk_full_is_database_full_and_leaves_nothing_half_written(tmp_path):
    path = tmp_path / "news.db"
    db = open_db(path)
    queries.save_article(db, article(1))
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")  # a disk with no room
    with pytest.raises(DatabaseFull) as raised, transaction(db):
        article_id, _ = queries.save_article(db, article(2, text=JA_TEXT * 50))
        queries.save_page(db, "https://www.example.jp/articles/2", b"x" * 200_000, article_id=article_id)
    assert isinstance(raised.value, sqlite3.OperationalError) and raised.value.code == "database_full"
    assert f"the disk holding the database {path} is full" in str(raised.value)
    assert (db["articles"].count, db["pages"].count) == (1, 0)


def test_plain_sqlite3_reads_the_view_and_the_search_table(db, tmp_path):
    queries.save_article(db, article(1, title="安保3文書", text=JA_TEXT, relevant=1, score=3.0,
                                     matched_terms=[{"term": "反撃能力", "count": 1, "snippet": "反撃能力"}]))
    queries.save_article(db, article(2, text=OTHER_TEXT))
    db.close()
    # What the sqlite3 shell or DB Browser does: no newsmon code, no custom function.
    conn = sqlite3.connect(tmp_path / "news.db")
    try:
        assert conn.execute("SELECT title, evidence FROM review_queue").fetchall() == [("安保3文書", "反撃能力 ×1: 反撃能力")]
        assert conn.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH '防衛'").fetchall() == [(1,)]
    finally:
        conn.close()


# --- raw pages: zstd with a dictionary per outlet ------------------------------------------------

def _outlet_pages() -> list[tuple[str, bytes]]:
    """(URL, bytes) of the saved Sankei articles."""
    rows = [line.split("\t") for line in (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return [(cols[4], saved_bytes(cols[0])) for cols in rows if cols[3] == "article" and "sankei.com/article/" in cols[4]]


def test_an_outlets_pages_share_a_dictionary_built_from_its_first_pages(db):
    from storage import pages

    saved = _outlet_pages()
    assert len(saved) > pages.DICT_AFTER
    ids = [queries.save_page(db, url, body, outlet="sankei") for url, body in saved]
    dicts = list(db.query("SELECT id, key, pages FROM page_dicts"))
    assert dicts == [{"id": 1, "key": "sankei", "pages": pages.DICT_AFTER}]
    rows = list(db.query("SELECT id, dict_id, size, length(body_gz) AS stored FROM pages ORDER BY id"))
    # The first pages were re-stored with the dictionary built from them; later ones use it at once.
    assert {r["dict_id"] for r in rows} == {1}
    gzipped = sum(len(gzip.compress(body, 9)) for _, body in saved)
    assert sum(r["stored"] for r in rows) < gzipped / 2
    for page_id, (url, body) in zip(ids, saved):
        assert queries.page_body(db, page_id) == (url, body, None, 200)
    # Pages of no outlet get their host's dictionary, and other hosts never share it.
    queries.save_page(db, "https://blog.example.org/post/1", b"<html>post</html>")
    assert db.execute("SELECT outlet, dict_id FROM pages ORDER BY id DESC LIMIT 1").fetchone() == \
        ("blog.example.org", None)


def test_pages_written_before_zstd_are_still_read(db):
    body = "<html><p>防衛力の抜本的強化</p></html>".encode()
    for blob in (gzip.compress(body, 9), __import__("zlib").compress(body)):
        db.execute("INSERT INTO pages (url, fetched_at, http_status, body_gz, size) VALUES (?, ?, 200, ?, ?)",
                   ["https://www.example.jp/old", "2024-01-01T00:00:00+00:00", blob, len(body)])
    assert [p[3] for p in queries.iter_pages(db)] == [body]  # the newest page of the URL
    assert queries.page_body(db, 1)[1] == body


def test_prune_drops_old_pages_keeps_articles_and_pages_awaiting_extraction(db):
    from storage import frontier, pages

    article_id, _ = queries.save_article(db, article(1))
    old = queries.save_page(db, "https://www.example.jp/articles/1", b"<html>1</html>", article_id=article_id,
                            now="2024-01-01T00:00:00+00:00")
    waiting = queries.save_page(db, "https://www.example.jp/articles/2", b"<html>2</html>",
                                now="2024-01-01T00:00:00+00:00")
    frontier.mark_fetched(db, "https://www.example.jp/articles/2", outlet="example", page_id=waiting, http_status=200)
    recent = queries.save_page(db, "https://www.example.jp/articles/3", b"<html>3</html>",
                               now="2025-06-01T00:00:00+00:00")
    assert sum(pages.prune(db, "2025-01-01T00:00:00+00:00")) == 1
    assert [r[0] for r in db.execute("SELECT id FROM pages ORDER BY id")] == [waiting, recent]
    assert queries.page_body(db, old) is None and db["articles"].count == 1


def test_the_storage_layer_starts_without_numpy_and_leaves_it_importable():
    # numpy is 50 ms of every process start (the crawl, each extraction worker); sqlite-utils
    # would import it for nothing (storage/db.py). Hidden for that import only: relevance needs it.
    import subprocess
    import sys

    code = ("import sys, storage, sqlite_utils.db\n"
            "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
            "assert sqlite_utils.db.np is None\n"
            "import numpy\n"
            "print(numpy.float32(1.5) * 2)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3.0"


def test_an_article_marked_removed_keeps_when_and_by_which_run_it_was_first_seen_so(tmp_path):
    db = open_db(tmp_path / "news.db")
    article_id, _ = queries.save_article(db, article(1))
    assert queries.mark_removed(db, article_id, "its page answers HTTP 404 Not Found", run_id=4,
                                now="2026-12-01T10:00:00+00:00")
    # Seen again: not newly removed; the first sighting stays, the reason is the newest.
    assert not queries.mark_removed(db, article_id, "its page answers HTTP 410 Gone", run_id=5,
                                    now="2026-12-01T11:00:00+00:00")
    row = db["articles"].get(article_id)
    assert (row["removed_at"], row["removed_run"], row["removed"]) == (
        "2026-12-01T10:00:00+00:00", 4, "its page answers HTTP 410 Gone")
    assert row["text"] == article(1)["text"]
    queries.clear_removed(db, article_id)  # found whole again
    row = db["articles"].get(article_id)
    assert (row["removed_at"], row["removed_run"], row["removed"]) == (None, None, None)
    with pytest.raises(queries.ArticleNotFound):
        queries.mark_removed(db, 999, "gone")


def test_m028_gives_a_crawls_final_first_look_its_second(tmp_path):
    # Before newsmon looked again six hours later, a crawl's "no article" was final at once: a
    # busy page at 200 where an article should be lost that article for good.
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m028_not_article_second_look")
    at = "2025-06-01T00:00:00+00:00"
    rows = {  # url: (run_id, pages stored, reason)
        "https://x.jp/a/1": (7, 1, "no article in the page (312 characters, 4 links): a listing, tag or section page?"),
        "https://x.jp/a/2": (None, 1, "no article in the page (an archive's)"),
        "https://x.jp/a/3": (8, 2, "no article in the page (...); the second look found none either"),
    }
    for url, (run_id, pages, reason) in rows.items():
        db["urls"].insert({"url": url, "outlet": "x", "kind": "not_article", "reason": reason,
                           "reason_code": "not_article", "first_seen_at": at, "last_seen_at": at, "run_id": run_id,
                           "attempts": 1})
        for _ in range(pages):
            queries.save_page(db, url, b"<html><body>busy</body></html>", now=at)
    # (due_urls reads a column of a later migration: asked of each URL, as discovery asks.)
    assert not any(frontier.needs_fetch(db, url, max_attempts=3) for url in rows)
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m028_not_article_second_look"):]
    # The crawl's one look is looked at again; the archive's and a second look stay final.
    assert frontier.due_urls(db, "x", max_attempts=3, limit=10) == ["https://x.jp/a/1"]
    reason = db.execute("SELECT reason FROM urls WHERE url = 'https://x.jp/a/1'").fetchone()[0]
    assert reason == (rows["https://x.jp/a/1"][2] + "; looked at once more at the next crawl (the newsmon that read "
                      "it took a crawl's first look as final: a passing error page?)")


def test_urls_the_article_pattern_refused_are_pending_again_once_it_takes_them(tmp_path):
    db = open_db(tmp_path / "news.db")
    frontier.record_refused(db, "https://a.jp/news/1", outlet="a", code="not_article_url", reason="listed by a feed…")
    frontier.record_refused(db, "https://a.jp/video/2", outlet="a", code="not_article_url", reason="listed by a feed…")
    frontier.record_refused(db, "https://b.jp/news/3", outlet="b", code="not_article_url", reason="listed by a feed…")
    frontier.record_failure(db, "https://a.jp/articles/4", outlet="a", code="redirected_away", reason="redirected…",
                            max_attempts=1, exhausted="gone", redirected_to="https://a.jp/news/")
    frontier.record_failure(db, "https://a.jp/articles/5", outlet="a", code="redirected_away", reason="redirected…",
                            max_attempts=3, exhausted="gone", redirected_to="https://a.jp/top/")

    def takes(url: str) -> bool:  # the pattern widened to take /news/ too
        return "/articles/" in url or "/news/" in url

    assert frontier.readmit(db, "a", takes, run_id=7) == 2
    kinds = {r["url"]: (r["kind"], r["reason_code"]) for r in db.query("SELECT * FROM urls")}
    assert kinds == {"https://a.jp/news/1": ("pending", "readmitted"),
                     "https://a.jp/video/2": ("refused", "not_article_url"),
                     "https://b.jp/news/3": ("refused", "not_article_url"),
                     "https://a.jp/articles/4": ("pending", "readmitted"),
                     "https://a.jp/articles/5": ("error", "redirected_away")}
    assert set(frontier.due_urls(db, "a", max_attempts=3, limit=10)) == {
        "https://a.jp/news/1", "https://a.jp/articles/4", "https://a.jp/articles/5"}
    assert frontier.state(db, "https://a.jp/news/1")["reason"].startswith("its article URL pattern now takes it")
    assert frontier.state(db, "https://a.jp/articles/4")["attempts"] == 0  # its attempts were the pattern's doing
    assert frontier.readmit(db, "a", takes) == 0


def test_urls_refused_as_off_an_outlets_domains_are_pending_again_once_it_takes_them(tmp_path):
    # The host added to the outlet's domains as its health advised, the URLs refused on it stayed
    # refused for good, the reason untrue, and health went on counting them.
    db = open_db(tmp_path / "news.db")
    for url, outlet in (("https://cdn.a.jp/news/1", "a"), ("https://cdn.a.jp/video/2", "a"),
                        ("https://b.jp/news/3", "a"), ("https://cdn.a.jp/news/4", "b")):
        frontier.record_refused(db, url, outlet=outlet, code="off_scope", reason="listed by a feed but out of scope: …")

    def takes(url: str) -> bool:  # cdn.a.jp among its domains now; its pattern takes /news/
        return url.startswith("https://cdn.a.jp/news/")

    assert frontier.readmit_in_scope(db, "a", takes, run_id=3) == 2
    kinds = {r["url"]: (r["outlet"], r["kind"], r["reason_code"]) for r in db.query("SELECT * FROM urls")}
    # b's listing of a URL on a's domains too, which a's own feeds never list.
    assert kinds == {"https://cdn.a.jp/news/1": ("a", "pending", "readmitted"),
                     "https://cdn.a.jp/video/2": ("a", "refused", "off_scope"),
                     "https://b.jp/news/3": ("a", "refused", "off_scope"),
                     "https://cdn.a.jp/news/4": ("a", "pending", "readmitted")}
    assert frontier.state(db, "https://cdn.a.jp/news/1")["reason"] == (
        "on the domains of a (it was refused as out of scope where a listed it, before its domains took the host); "
        "not fetched yet")
    assert frontier.state(db, "https://cdn.a.jp/news/4")["reason"].startswith(
        "on the domains of a (it was refused as out of scope where b listed it)")
    assert sorted(frontier.due_urls(db, "a", max_attempts=3, limit=10)) == ["https://cdn.a.jp/news/1",
                                                                           "https://cdn.a.jp/news/4"]
    # One the outlet lists is claimed at once, in the run that lists it.
    frontier.record_refused(db, "https://cdn.a.jp/news/5", outlet="b", code="off_scope", reason="listed by a feed…")
    assert frontier.fetch_need(db, "https://cdn.a.jp/news/5", max_attempts=3, claim_for="a") == "new"
    assert frontier.fetch_need(db, "https://cdn.a.jp/news/1", max_attempts=3, claim_for="a") == "again"
    assert frontier.state(db, "https://cdn.a.jp/news/5")["outlet"] == "a"


def test_urls_an_outlet_on_the_same_host_refused_as_no_article_of_its_own_are_the_outlet_whose_pattern_takes_them(
        tmp_path):
    # mod's feed lists an English page of mod_en, which mod's pattern refuses: mod_en found the URL
    # known and never fetched it, and mod's health counted it as a URL scheme its pattern lacked.
    db = open_db(tmp_path / "news.db")
    for url, outlet in (("https://www.mod.go.jp/en/article/1.html", "mod"), ("https://www.mod.go.jp/j/video/2", "mod"),
                        ("https://www.mod.go.jp/en/list/3", "mod"),
                        ("https://www.mod.go.jp/en/article/4.html", "mod_en"),
                        ("https://www.mod.go.jp/en/article/5.html", "other")):
        frontier.record_refused(db, url, outlet=outlet, code="not_article_url", reason="listed by a feed…")

    def takes(url: str) -> bool:  # mod_en's pattern
        return url.startswith("https://www.mod.go.jp/en/article/")

    assert frontier.readmit_refused_by(db, "mod_en", ["mod"], takes, run_id=3) == 1
    kinds = {r["url"]: (r["outlet"], r["kind"], r["reason_code"]) for r in db.query("SELECT * FROM urls")}
    assert kinds == {"https://www.mod.go.jp/en/article/1.html": ("mod_en", "pending", "readmitted"),
                     "https://www.mod.go.jp/j/video/2": ("mod", "refused", "not_article_url"),
                     "https://www.mod.go.jp/en/list/3": ("mod", "refused", "not_article_url"),
                     # its own refusal is ``readmit``'s, once its pattern takes it; an outlet sharing no host, none
                     "https://www.mod.go.jp/en/article/4.html": ("mod_en", "refused", "not_article_url"),
                     "https://www.mod.go.jp/en/article/5.html": ("other", "refused", "not_article_url")}
    assert frontier.state(db, "https://www.mod.go.jp/en/article/1.html")["reason"] == (
        "an article URL of mod_en, which takes it (it was refused as no article URL of mod, which listed it); "
        "not fetched yet")
    assert frontier.readmit_refused_by(db, "mod_en", [], takes) == 0
    # One the outlet lists is claimed at once, in the run that lists it; its own refusal is not.
    frontier.record_refused(db, "https://www.mod.go.jp/en/article/6.html", outlet="mod", code="not_article_url",
                            reason="listed by a feed…")
    six, four = "https://www.mod.go.jp/en/article/6.html", "https://www.mod.go.jp/en/article/4.html"
    assert frontier.fetch_need(db, six, max_attempts=3, claim_for="mod_en") == "new"
    assert frontier.state(db, six)["outlet"] == "mod_en"
    assert frontier.fetch_need(db, four, max_attempts=3, claim_for="mod_en") is None


def test_a_url_gone_at_its_last_attempt_says_what_the_ones_before_were(tmp_path):
    # Two empty bodies, then a 404: it read "HTTP 404 Not Found on 3 attempts".
    db = open_db(tmp_path / "news.db")
    url = "https://www.asahi.com/articles/ASV1.html"
    for _ in range(2):
        frontier.record_failure(db, url, outlet="asahi", code="empty_body", max_attempts=3,
                                reason="the server sent an empty body (0 bytes)")
    frontier.record_failure(db, url, outlet="asahi", code="http_404", reason="HTTP 404 Not Found", max_attempts=3,
                            exhausted="gone", http_status=404)
    row = frontier.state(db, url)
    assert row["kind"] == "gone" and row["reason"].startswith(
        "HTTP 404 Not Found at the last of 3 attempts (the one before: the server sent an empty body (0 bytes))")
    again = "https://www.asahi.com/articles/ASV2.html"
    for _ in range(3):
        frontier.record_failure(db, again, outlet="asahi", code="http_404", reason="HTTP 404 Not Found",
                                max_attempts=3, exhausted="gone", http_status=404)
    assert frontier.state(db, again)["reason"].startswith("HTTP 404 Not Found on 3 attempts")
    # The one before said the same, under another code: not said twice.
    same = "https://www.asahi.com/articles/ASV3.html"
    frontier.record_failure(db, same, outlet="asahi", code="discovered", reason="a 'page not found' page",
                            max_attempts=2)
    frontier.record_failure(db, same, outlet="asahi", code="soft_404", reason="a 'page not found' page",
                            max_attempts=2, exhausted="gone")
    assert frontier.state(db, same)["reason"].startswith("a 'page not found' page on 2 attempts")


def test_a_failure_the_crawls_stop_kept_from_its_retries_counts_no_attempt(db):
    # One try in the stop's grace, where a run makes 1 + RETRY_TIMES: counted, an article that had failed in two runs
    # was given up on it, and one on its last try (6 h after) given up for good.
    url, now = "https://www.asahi.com/articles/ASV9.html", "2026-12-07T20:00:00+00:00"
    for _ in range(2):
        frontier.record_failure(db, url, outlet="asahi", code="http_500", reason="HTTP 500", max_attempts=3, now=now)
    assert frontier.record_failure(db, url, outlet="asahi", code="http_503", reason="HTTP 503", max_attempts=3,
                                   now=now, not_before="2026-12-07T20:01:00+00:00", unretried=True) == "error"
    row = frontier.state(db, url)
    assert (row["attempts"], row["retry_at"], row["last_error"]) == (2, "2026-12-07T20:01:00+00:00", "HTTP 503")
    assert "not counted as an attempt, 2 of 3 so far; tried again at the first run after 2026-12-07 20:01" in row[
        "reason"]
    frontier.record_failure(db, url, outlet="asahi", code="http_500", reason="HTTP 500", max_attempts=3, now=now)
    assert frontier.state(db, url)["kind"] == "gave_up"
    assert frontier.record_failure(db, url, outlet="asahi", code="http_500", reason="HTTP 500", max_attempts=3,
                                   now="2026-12-08T03:00:00+00:00", unretried=True) == "gave_up"
    row = frontier.state(db, url)
    assert (row["attempts"], row["retry_at"]) == (3, "2026-12-08T09:00:00+00:00")  # its last try, put off again


def _retired_before(tmp_path, migration: str) -> tuple:
    """A database before ``migration`` where three outlets retired at one time (runs 5, 7, 9); and that time."""
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before=migration)
    at = "2026-12-06T10:00:00+00:00"
    for outlet, run_id in (("asahi", 5), ("nhk", 7), ("mainichi", 9)):
        db["health_log"].insert({"outlet": outlet, "at": at, "run_id": run_id, "previous": "ok", "status": "retired",
                                 "reasons": "[]", "told": 1})
    return db, at


def test_m057_takes_the_retirements_a_later_digest_told_as_told_still(tmp_path):
    # Before m057 a retirement was told by a later run's digest sent after it was logged (whole seconds): those
    # stay told, or every retired outlet's retirement would be told again after the upgrade. One whose only later
    # digest was sent in its second, or failed, was untold then, and is so still.
    db, at = _retired_before(tmp_path, "m057_notified_health_changes")
    for run_id, sent_at, ok in ((6, "2026-12-06T10:00:01+00:00", 1), (8, at, 1), (10, "2026-12-06T10:05:00+00:00", 0)):
        db["notifications"].insert({"run_id": run_id, "sent_at": sent_at, "channel": "webhook", "ok": ok,
                                    "articles": 0, "health_changes": 0})
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m057_notified_health_changes"):]
    told = db.execute("SELECT h.outlet, t.run_id, t.notified_at FROM notified_health_changes t "
                      "JOIN health_log h ON h.id = t.health_log_id ORDER BY h.id").fetchall()
    assert told == [("asahi", 6, "2026-12-06T10:00:01+00:00")]


def test_m058_takes_the_retirements_their_runs_digest_told_as_told_still(tmp_path):
    # Before m058 a retirement was told by any digest delivered of the run it was logged under: those stay told, or
    # every retired outlet's retirement would be told again after the upgrade. One whose run's digest failed, or
    # whose only digest delivered is another run's, was untold then (m057 takes that one), and is so still.
    db, at = _retired_before(tmp_path, "m058_retirements_told_by_their_runs")
    for run_id, channel, ok in ((5, "webhook", 0), (5, "apprise", 1), (7, "webhook", 0), (8, "webhook", 1)):
        db["notifications"].insert({"run_id": run_id, "sent_at": at, "channel": channel, "ok": ok,
                                    "articles": 0, "health_changes": 1})
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m058_retirements_told_by_their_runs"):]
    told = db.execute("SELECT h.outlet, t.run_id FROM notified_health_changes t "
                      "JOIN health_log h ON h.id = t.health_log_id ORDER BY h.id").fetchall()
    assert told == [("asahi", 5)]


def test_m060_takes_the_changes_a_later_digest_of_their_outlet_told_as_told_still(tmp_path):
    # Before m060 a change was told by any delivered digest of a run of its outlet since its own, whether it held the
    # change or not: those stay told, or the next digest of each outlet would tell its changes of the last day again.
    # One that no delivered digest of its outlet followed (its run's failed, another outlet's delivered) was untold
    # then, and is so still: the next digest of its outlet tells it.
    from datetime import datetime, timedelta, timezone

    from storage import notifications

    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m060_health_changes_told_by_their_digests")
    start = datetime(2026, 12, 6, 10, tzinfo=timezone.utc)
    runs = {}
    for n, (name, outlet, channels) in enumerate([
            ("nhk", "nhk", [("webhook", 1)]),  # its change told by its own digest
            ("nhk, checked", "nhk", [("webhook", 1)]),  # its change logged by another crawl's check, not held
            ("asahi", "asahi", [("webhook", 0)]),  # its digest failed ...
            ("nhk, later", "nhk", [("webhook", 1)]),  # ... and only another outlet's was delivered since
            ("mainichi", "mainichi", [("webhook", 0), ("apprise", 0)]),  # its digest failed ...
            ("mainichi, later", "mainichi", [("webhook", 0), ("apprise", 1)])]):  # ... the next one's delivered
        at = (start + timedelta(minutes=10 * n)).isoformat()
        runs[name] = queries.start_run(db, [outlet], "schedule", pid=None, now=at)
        if name in ("nhk", "nhk, checked", "asahi", "mainichi"):
            db["health_log"].insert({"outlet": outlet, "at": at, "run_id": runs[name], "previous": "ok",
                                     "status": "failing", "reasons": "[]", "told": 1})
        for channel, ok in channels:
            db["notifications"].insert({"run_id": runs[name], "sent_at": at, "channel": channel, "ok": ok,
                                        "articles": 0, "health_changes": int(name in ("nhk", "asahi", "mainichi"))})
    db["health_log"].insert({"outlet": "nhk", "at": start.isoformat(), "run_id": runs["nhk, later"], "told": 0,
                             "previous": "failing", "status": "failing", "reasons": "[]"})  # logged only
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m060_health_changes_told_by_their_digests"):]
    told = db.execute("SELECT h.outlet, h.run_id, t.run_id FROM notified_health_changes t "
                      "JOIN health_log h ON h.id = t.health_log_id ORDER BY h.id").fetchall()
    assert told == [("nhk", runs["nhk"], runs["nhk"]), ("nhk", runs["nhk, checked"], runs["nhk, checked"]),
                    ("mainichi", runs["mainichi"], runs["mainichi, later"])]
    later = start + timedelta(hours=1)
    missed = {outlet: [(c["outlet"], c["run_id"]) for c in notifications.missed_health_changes(
        db, queries.start_run(db, [outlet], "schedule", pid=None, now=later.isoformat()), now=later)]
        for outlet in ("nhk", "asahi", "mainichi")}
    assert missed == {"nhk": [], "asahi": [("asahi", runs["asahi"])], "mainichi": []}


def m060_on_old_history(path, days: int) -> tuple[int, list[tuple]]:
    """A database before m060 with ``days`` of hourly runs of two configs: one without [notify] crawling nhk (a health
    change every 6 hours), one with it crawling 30 other outlets, each run's digest delivered on two channels, and nhk
    in its last run only (nhk added to it the day before). m060 applied: the SQLite VM steps (hundreds), and what it
    kept told."""
    from datetime import datetime, timedelta, timezone

    db = open_db(path, migrate=False)
    MIGRATIONS.apply(db, stop_before="m060_health_changes_told_by_their_digests")
    others = [f"outlet{n:02d}" for n in range(30)]
    with db.conn:
        for hour in range(days * 24):
            at = (datetime(2025, 12, 1, tzinfo=timezone.utc) + timedelta(hours=hour)).isoformat()
            alone = db.conn.execute("INSERT INTO crawl_runs (started_at, finished_at, outlets, trigger) "
                                    "VALUES (?, ?, '[\"nhk\"]', 'schedule')", [at, at]).lastrowid
            if hour % 6 == 0:
                db.conn.execute("INSERT INTO health_log (outlet, at, run_id, previous, status, reasons, told) "
                                "VALUES ('nhk', ?, ?, 'ok', 'failing', '[]', 1)", [at, alone])
            notified = db.conn.execute(
                "INSERT INTO crawl_runs (started_at, finished_at, outlets, trigger) VALUES (?, ?, ?, 'schedule')",
                [at, at, json.dumps(sorted([*others, "nhk"] if hour == days * 24 - 1 else others))]).lastrowid
            for channel in ("webhook", "apprise"):
                db.conn.execute("INSERT INTO notifications (run_id, sent_at, channel, ok, articles, health_changes) "
                                "VALUES (?, ?, ?, 1, 0, 0)", [notified, at, channel])
    steps = []
    db.conn.set_progress_handler(lambda: steps.append(1) and 0, 100)
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m060_health_changes_told_by_their_digests"):]
    db.conn.set_progress_handler(None, 0)
    told = db.execute("SELECT h.run_id, t.run_id FROM notified_health_changes t JOIN health_log h "
                      "ON h.id = t.health_log_id ORDER BY h.id").fetchall()
    db.close()
    return len(steps), told


def test_m060_reads_each_digest_once_not_once_a_change(tmp_path):
    # Each change's first delivered digest of its outlet was sought among all digests since its run, each read for
    # its run's outlets: a year of changes each reading the year's digests after it, 30 s at upgrade, the database
    # held all along. At 4 times the history, 4 times the work, not 16; each change told by the one digest of nhk.
    few, many = m060_on_old_history(tmp_path / "few.db", 8), m060_on_old_history(tmp_path / "many.db", 32)
    assert many[0] <= few[0] * 5, (few[0], many[0])
    assert {digest for _, digest in few[1]} == {384} and {digest for _, digest in many[1]} == {1536}
    assert (len(few[1]), len(many[1])) == (32, 128)


def test_m044_reads_the_amp_copy_a_url_was_listed_as_off_its_reason(tmp_path):
    # Kept by the run that read the feed only: a revisit after the feed rolled past the article asked
    # its own address alone, whose 404 marked it removed while its copy still served it.
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m044_urls_listed_as")
    read = ("stored as article 1 (generic:trafilatura); read from the AMP copy it was listed as, https://a.jp/a/1/amp "
            "(https://a.jp/a/1 answered HTTP 404); last revisit 2026-12-06T11:00:00+00:00: unchanged")
    failed = ("https://a.jp/a/2 answered HTTP 404, and the AMP copy it was listed as, https://a.jp/a/2.amp.html, "
              "failed too: HTTP 503: server error (attempt 1 of 3; tried again next run)")
    for url, kind, reason in (("https://a.jp/a/1", "article", read), ("https://a.jp/a/2", "error", failed),
                              ("https://a.jp/a/3", "article", "stored as article 2 (generic:trafilatura)")):
        db["urls"].insert({"url": url, "outlet": "a", "kind": kind, "reason": reason, "attempts": 1,
                           "first_seen_at": "2026-12-06T10:00:00+00:00", "last_seen_at": "2026-12-06T10:00:00+00:00"})
    assert migrate(db) == MIGRATION_NAMES[MIGRATION_NAMES.index("m044_urls_listed_as"):]
    assert {url: frontier.listed_as(db, url) for url in ("https://a.jp/a/1", "https://a.jp/a/2", "https://a.jp/a/3",
                                                         "https://a.jp/a/4")} == {
        "https://a.jp/a/1": "https://a.jp/a/1/amp", "https://a.jp/a/2": "https://a.jp/a/2.amp.html",
        "https://a.jp/a/3": None, "https://a.jp/a/4": None}
    # A listing's copy is kept for a URL known before too, the latest over an earlier; not for an article
    # read from its own address (3), whose 404 or 410 at a revisit is the article taken down, not a stale copy's
    # cue, nor once its own address served it (forget_copy).
    frontier.add_pending(db, ["https://a.jp/a/5"], outlet="a", copies={"https://a.jp/a/3": "https://amp.a.jp/a/3",
                                                                       "https://a.jp/a/5": "https://a.jp/a/5/amp"})
    frontier.add_pending(db, [], outlet="a", copies={"https://a.jp/a/1": "https://a.jp/amp/a/1"})
    assert [frontier.listed_as(db, f"https://a.jp/a/{n}") for n in (1, 3, 5)] == [
        "https://a.jp/amp/a/1", None, "https://a.jp/a/5/amp"]
    frontier.forget_copy(db, "https://a.jp/a/1")
    assert frontier.listed_as(db, "https://a.jp/a/1") is None
    db.close()


def test_m040_reads_where_a_refused_redirect_led_off_its_reason(tmp_path):
    # Refused before their redirect's target was kept: without it, an outlet whose articles
    # moved to a host added to its domains since never fetched them.
    from storage.migrations import m040_redirect_off_scope_targets

    db = open_db(tmp_path / "n.db")
    chain = "redirected off the outlet's domains (a.jp): https://a.jp/a/1 → https://b.jp/a/1"
    for url, reason in (("https://a.jp/a/1", chain), ("https://a.jp/a/2", "redirected off …: https://a.jp/a/2 → "
                                                                            "ftp://files.a.jp/2")):
        frontier.record_refused(db, url, outlet="a", code="redirect_off_scope", reason=reason)
    db.execute("UPDATE urls SET redirected_to = NULL")
    m040_redirect_off_scope_targets(db)
    assert dict(db.execute("SELECT url, redirected_to FROM urls ORDER BY url").fetchall()) == {
        "https://a.jp/a/1": "https://b.jp/a/1", "https://a.jp/a/2": None}
    assert frontier.readmit_redirected_off(db, "a", lambda url: url.startswith("https://b.jp/")) == 1
    [(kind, reason)] = db.execute("SELECT kind, reason FROM urls WHERE url = 'https://a.jp/a/1'").fetchall()
    assert kind == "pending" and reason.startswith("it redirects to https://b.jp/a/1, on the domains of a now")
    db.close()
