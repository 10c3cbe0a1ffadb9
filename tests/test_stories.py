"""Stories, versions and revisits in the store path, on real SQLite files: grouping decisions,
the original of wire copies, the window, versions and their diff, the revisit schedule, the
migration of an existing database, and an archive ingested through the same path."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import store
from crawler.diff import article_diff, diff_html, diff_texts, split_sentences
from crawler.stories import features, tokens
from storage import open_db, queries, versions
from storage import stories as story_db
from storage.exceptions import InvalidStatus, StoryNotFound
from storage.migrations import MIGRATIONS

from .stories_site import ARTICLES, DAY, HOSTS, UPDATED, Story, page


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def url_of(story: Story) -> str:
    return f"http://{HOSTS[story.outlet]}:8000{story.path}"


def save(db, story: Story, *, opts: store.Options | None = None, hour_shift: int = 0) -> store.Saved:
    if hour_shift:
        story = Story(story.key, story.outlet, story.path.replace(".html", f"-{hour_shift}.html"), story.title,
                      story.paragraphs, story.hour)
    body = page(story).encode()
    if hour_shift:
        later = DAY.replace(hour=story.hour).timestamp() + hour_shift * 3600
        from datetime import datetime

        stamp = datetime.fromtimestamp(later, DAY.tzinfo).isoformat()
        body = body.replace(DAY.replace(hour=story.hour).isoformat().encode(), stamp.encode())
    record = store.analyse(body, url_of(story))
    record["outlet"] = story.outlet
    return store.save(db, url=url_of(story), body=body, record=record, outlet=story.outlet, opts=opts)


def story_of(db, article_id: int) -> int:
    return db.execute("select story_id from articles where id = ?", [article_id]).fetchone()[0]


# -- features ---------------------------------------------------------------------------------------

def test_tokens_are_kanji_pairs_katakana_words_and_latin_words():
    assert tokens("首相官邸でミサイル配備 2026年 12日 the SDF") == ["首相", "相官", "官邸", "ミサイル", "配備", "2026", "sdf"]


def test_a_wire_credit_marks_a_copy_and_a_wire_outlet_an_original():
    assert features("t", "本文。（共同）").wire == -1
    assert features("t", "本文。", outlet="kyodo").wire == 1
    assert features("t", "本文。", outlet="toto").wire == 0


# -- grouping ---------------------------------------------------------------------------------------

def test_a_copy_stored_before_its_wire_original_points_at_it_once_the_original_arrives(db):
    copy = save(db, ARTICLES["regional"])
    assert db.execute("select duplicate_of from articles where id = ?", [copy.article_id]).fetchone()[0] is None
    original = save(db, ARTICLES["kyodo"])
    rows = dict(db.execute("select id, duplicate_of from articles").fetchall())
    assert rows == {copy.article_id: original.article_id, original.article_id: None}
    assert story_of(db, copy.article_id) == story_of(db, original.article_id)


def test_articles_further_apart_than_the_window_are_two_stories(db):
    opts = store.Options(window=72 * 3600)
    first = save(db, ARTICLES["kyodo"], opts=opts)
    inside = save(db, ARTICLES["regional"], opts=opts, hour_shift=48)
    outside = save(db, ARTICLES["d"], opts=opts, hour_shift=150)  # 97 h after the copy, too
    assert story_of(db, inside.article_id) == story_of(db, first.article_id)
    assert story_of(db, outside.article_id) != story_of(db, first.article_id)
    # A shorter window, set as a setting would: regroup puts the 48-hour-later copy apart too.
    counts = store.regroup(db, store.options(None, window="24h"))
    assert counts == {"articles": 3, "stories": 3, "copies": 0}
    assert len({story_of(db, s.article_id) for s in (first, inside, outside)}) == 3


def grouping(database) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for url, story in database.execute("select url, story_id from articles").fetchall():
        groups.setdefault(story, set()).add(url.split("/site/")[1])
    return {frozenset(g) for g in groups.values()}


def test_regroup_gives_the_same_stories_whatever_order_the_articles_came_in(db, tmp_path):
    for key in ("regional", "e", "h", "a", "kyodo", "c", "d", "b", "e2"):
        save(db, ARTICLES[key])
    other = open_db(tmp_path / "other.db")
    for key in ARTICLES:
        save(other, ARTICLES[key])

    opts = store.options(None)
    store.regroup(db, opts)
    store.regroup(other, opts)
    assert grouping(db) == grouping(other) and len(grouping(db)) == 4
    before = grouping(db)
    store.regroup(db, opts)
    assert grouping(db) == before


def test_regroup_shows_its_progress(db):
    # A million articles take a quarter of an hour to regroup (0.9 ms each measured): in
    # silence, before; reextract's bar sat at 100 % meanwhile.
    import io

    from crawler.progress import Progress

    for key in ("regional", "e", "h", "a", "kyodo"):
        save(db, ARTICLES[key])
    bar = io.StringIO()
    with Progress("regroup", total=5, unit="articles", stream=bar, bar=True) as progress:
        counts = store.regroup(db, store.options(None), progress=progress)
    assert progress.done == 5 and progress.counts == {"stories": counts["stories"]}
    assert "regroup" in bar.getvalue() and "100%" in bar.getvalue() and f"{counts['stories']} stories" in bar.getvalue()


def test_a_stopped_regroup_is_finished_by_regroup_storyless_as_it_would_have_finished_itself(db):
    # At a million articles a regroup takes a quarter of an hour; stopped (Ctrl-C, a kill, the
    # database locked), it left the rest in no story, and the only way on was all of it again.
    for key in ARTICLES:
        save(db, ARTICLES[key])
    opts = store.options(None)
    store.regroup(db, opts)
    whole = grouping(db)
    stories = db.execute("select article_count, relevant_count, first_published_at, last_published_at, outlets "
                         "from stories order by first_published_at").fetchall()
    terms = dict(db.execute("select term, df from story_terms").fetchall())  # what the next articles are placed by

    class Stopped(Exception):
        pass

    class StopsAfterTwoBatches:  # told after each batch is committed, as the progress bar is
        def __init__(self) -> None:
            self.batches = 0

        def update(self, n: int, **counts) -> None:
            self.batches += 1
            if self.batches == 2:
                raise Stopped

    with pytest.raises(Stopped):
        store.regroup(db, opts, progress=StopsAfterTwoBatches(), batch_size=2)
    # Another process goes on: what the stopped one held in memory is gone with it.
    resumed = open_db(db.execute("pragma database_list").fetchone()[2])
    left = resumed.execute("select count(*) from articles where story_id is null").fetchone()[0]
    assert left == len(ARTICLES) - 4
    counts = store.regroup(resumed, opts, storyless=True, batch_size=2)
    assert counts["articles"] == left
    assert grouping(resumed) == whole
    assert resumed.execute("select article_count, relevant_count, first_published_at, last_published_at, outlets "
                           "from stories order by first_published_at").fetchall() == stories
    assert dict(resumed.execute("select term, df from story_terms").fetchall()) == terms
    assert store.regroup(resumed, opts, storyless=True)["articles"] == 0
    resumed.close()


def test_grouping_off_leaves_articles_without_a_story_until_regroup(db):
    saved = save(db, ARTICLES["a"], opts=store.Options(stories=False))
    assert story_of(db, saved.article_id) is None
    store.regroup(db, store.options(None))
    assert story_of(db, saved.article_id) is not None


def test_a_decision_for_a_whole_story_reaches_its_articles_and_its_status(db):
    ids = [save(db, ARTICLES[k]).article_id for k in ("a", "b", "c")]
    story_id = story_of(db, ids[0])
    queries.set_status(db, ids[1], "dismissed")
    assert story_db.set_story_status(db, story_id, "relevant", note="本件", by="rev", now="2026-11-21T00:00:00+00:00",
                                     only_new=True) == 2
    statuses = [r[0] for r in db.execute("select status from articles order by id")]
    assert statuses == ["relevant", "dismissed", "relevant"]
    assert story_db.story(db, story_id)["status"] == "relevant"
    assert story_db.story(db, story_id)["outlets"] == ["hoso", "kanto", "toto"]
    # Earliest first: a and c at 10:00 (by id), b at 11:00.
    assert [m["id"] for m in story_db.members(db, story_id)] == [ids[0], ids[2], ids[1]]
    assert db.execute("select count(*) from story_queue").fetchone()[0] == 0  # nothing new and relevant left
    with pytest.raises(InvalidStatus):
        story_db.set_story_status(db, story_id, "later", now="2026-11-21T00:00:00+00:00")
    with pytest.raises(StoryNotFound):
        story_db.set_story_status(db, 999, "relevant", now="2026-11-21T00:00:00+00:00")


def test_a_decision_for_a_whole_story_is_each_articles_logged_decision(db):
    # Written to the articles' columns alone, it was in no log: no undo took it back, the article's history did
    # not show it, and its note replaced the notes the articles had.
    from storage import review

    ids = [save(db, ARTICLES[k]).article_id for k in ("a", "b", "c")]
    story_id = story_of(db, ids[0])
    review.review(db, ids[0], None, note="earlier note", by="rev", now="2026-11-20T00:00:00+00:00")
    assert story_db.set_story_status(db, story_id, "dismissed", note="story note", by="lead",
                                     now="2026-11-21T00:00:00+00:00") == 3
    for article_id in ids:
        last = review.history(db, article_id)[-1]
        assert (last["from_status"], last["to_status"], last["reviewer"], last["note"]) == \
            ("new", "dismissed", "lead", "story note")
    assert db.execute("select review_note from articles where id = ?", [ids[0]]).fetchone()[0] == \
        "earlier note\nstory note"
    review.undo(db, ids[1], by="lead", now="2026-11-21T00:01:00+00:00")
    assert [r[0] for r in db.execute("select status from articles order by id")] == ["dismissed", "new", "dismissed"]
    assert story_db.story(db, story_id)["status"] == "new"
    # Those already so are not counted; a note reaches them too.
    assert story_db.set_story_status(db, story_id, "dismissed", note="all of it", now="2026-11-21T00:02:00+00:00") == 1
    assert all(note.endswith("all of it") for (note,) in db.execute("select review_note from articles"))


def test_a_reviewers_decision_on_an_article_updates_its_storys_status(db):
    # The desk and `newsmon review` decide per article (storage.review): the story's status
    # and counts are its articles', and must follow.
    from storage import review

    ids = [save(db, ARTICLES[k]).article_id for k in ("a", "b", "c")]
    story_id = story_of(db, ids[0])
    assert story_db.story(db, story_id)["status"] == "new"
    for article_id in ids:
        review.review(db, article_id, "dismissed", by="rev")
    assert story_db.story(db, story_id)["status"] == "dismissed"
    review.undo(db, ids[2], by="rev")
    assert story_db.story(db, story_id)["status"] == "new"


# -- versions and diffs ----------------------------------------------------------------------------

def test_sentences_split_on_japanese_stops_and_lines_never_inside_quotes():
    assert split_sentences("首相は「反撃能力は必要だ。」と述べた。防衛費は？\n（追記）午後に会見") == [
        "首相は「反撃能力は必要だ。」と述べた。", "防衛費は？", "（追記）午後に会見"]
    assert split_sentences("It rose. It fell!  Then?") == ["It rose.", "It fell!", "Then?"]


def test_the_diff_names_added_and_removed_sentences_and_escapes_html():
    diff = diff_texts("A社は<b>増益</b>。株価は100円。", "A社は<b>増益</b>。株価は120円。配当も増やす。")
    assert diff.removed == ["株価は100円。"] and diff.added == ["株価は120円。", "配当も増やす。"]
    html = diff_html(diff)
    assert "&lt;b&gt;増益" in html and "<del>株価は100円。</del>" in html and "<ins>配当も増やす。</ins>" in html
    assert diff_texts("同じ。", "同じ。").added == []


def test_a_changed_text_is_a_new_version_an_unchanged_one_is_not(db):
    first = save(db, ARTICLES["a"])
    assert versions.versions(db, first.article_id)[0]["version"] == 1
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 0
    again = save(db, ARTICLES["a"])  # the same page again: nothing new
    assert (again.new, again.changed) == (False, False)
    updated = save(db, UPDATED["a"])
    assert (updated.new, updated.changed, updated.version) == (False, True, 2)
    chain = versions.versions(db, first.article_id)
    assert [v["version"] for v in chain] == [1, 2] and all(v["page_id"] for v in chain)
    assert article_diff(db, first.article_id).added[-1].startswith("（追記）")
    assert article_diff(db, first.article_id, 1, 3) is None  # no version 3


# -- revisits ---------------------------------------------------------------------------------------

def test_the_revisit_schedule_decays_and_skips_what_a_pause_missed():
    after = (3600.0, 6 * 3600.0, 24 * 3600.0, 72 * 3600.0)
    start = "2026-11-20T00:00:00+00:00"
    assert versions.next_step(start, after, "2026-11-20T01:05:00+00:00") == (1, "2026-11-20T06:00:00+00:00")
    assert versions.next_step(start, after, "2026-11-21T02:00:00+00:00") == (3, "2026-11-23T00:00:00+00:00")
    assert versions.next_step(start, after, "2026-11-24T00:00:00+00:00") == (4, None)


#: Not relevant, nothing of a topic in it, and long enough to be no flash.
HARBOUR = Story("harbour", "nanyo", "/site/nanyo/local/0322.html", "港湾の再整備計画、市が素案を公表", (
    "市は20日、老朽化した港湾施設の再整備計画の素案を公表した。岸壁の耐震化と物流倉庫の集約が柱となる。"
    "計画は今後10年を見通したもので、港の取扱量の回復と防災機能の強化を同時に進めるねらいがある。",
    "事業費は約80億円を見込み、来年度から10年かけて段階的に進める。国の補助金を活用し、市の負担は"
    "半分程度に抑える。初年度は調査と設計にあて、工事は再来年度から始まる予定だ。",
    "素案では、旧倉庫街の一部を市民が利用できる緑地に改めることも盛り込んだ。周辺の商店街からは、"
    "人の流れが戻ることへの期待の声が上がる一方、工事中の交通規制を心配する意見もある。",
    "市は12月に説明会を開き、事業者や住民の意見を募る。寄せられた意見を踏まえて来年3月までに計画を"
    "まとめ、市議会に報告する。市長は会見で「港を市の成長の拠点にしたい」と述べた。",
), 15)
#: The same length, and one term of a topic in passing: scored, below the threshold.
BUDGET = Story("budget", "nanyo", "/site/nanyo/local/0323.html", "市議会、来年度予算案を可決", (
    "市議会は20日の本会議で、一般会計で約900億円の来年度予算案を賛成多数で可決した。"
    "子育て支援と港湾の再整備に重点を置いた予算で、前年度より3%増えた。",
    "審議では、国の防衛費の増額が地方交付税に及ぼす影響を問う質問も出たが、市は「影響は見通せない」と答えた。"
    "議会は併せて、市立病院の建て替えに向けた基金の条例改正案も可決した。",
    "市は来年度、保育所の定員を200人増やし、待機児童の解消を目指す。学校給食費の補助も拡大する。"
    "港湾の再整備には約8億円を計上し、岸壁の調査と設計を始める。",
    "市長は閉会後の会見で「市民の暮らしを守る予算だ」と述べた。財源の一部には基金の取り崩しをあてる。"
    "市の財政調整基金の残高は年度末に約60億円となる見込みだ。",
), 16)


def test_revisits_go_to_relevant_articles_and_those_an_update_may_make_relevant_unless_all_are(db):
    # A flash ("港湾の再整備計画…", three lines) becomes its article within the hour; an article a
    # topic's term scored below the threshold may be updated over it. Neither was revisited: what
    # an update made relevant was never seen.
    saved = {key: save(db, story) for key, story in (("relevant", ARTICLES["d"]), ("flash", ARTICLES["e2"]),
                                                       ("long", HARBOUR), ("partial", BUDGET))}
    stories = {"relevant": ARTICLES["d"], "flash": ARTICLES["e2"], "long": HARBOUR, "partial": BUDGET}
    for key, one in saved.items():
        versions.schedule_revisit(db, url_of(stories[key]), article_id=one.article_id, outlet="x",
                                  first_seen="2026-11-20T00:00:00+00:00", after=(3600.0,))
    texts = {key: db.execute("select length(text), score, relevant from articles where id = ?",
                             [one.article_id]).fetchone() for key, one in saved.items()}
    assert texts["flash"][0] < versions.FLASH_CHARS <= min(texts["long"][0], texts["partial"][0])
    assert texts["long"][1:] == (0.0, 0) and 0 < texts["partial"][1] and texts["partial"][2] == 0
    now, newest = "2026-11-20T02:00:00+00:00", max(one.article_id for one in saved.values())
    due = versions.due_revisits(db, "x", now=now, stored_before=newest, relevant_only=True, limit=10)
    assert sorted(r["article_id"] for r in due) == sorted(saved[k].article_id for k in ("relevant", "flash", "partial"))
    assert len(versions.due_revisits(db, "x", now=now, stored_before=newest, relevant_only=False, limit=10)) == 4
    assert versions.due_revisits(db, "x", now=now, stored_before=min(one.article_id for one in saved.values()) - 1,
                                 relevant_only=False, limit=10) == []  # stored in this run: not yet
    # A flash past its first steps is left alone: its story has been written by then.
    db.execute("update revisits set step = ? where article_id = ?", [versions.FLASH_STEPS, saved["flash"].article_id])
    due = versions.due_revisits(db, "x", now=now, stored_before=newest, relevant_only=True, limit=10)
    assert sorted(r["article_id"] for r in due) == sorted(saved[k].article_id for k in ("relevant", "partial"))
    # The long irrelevant article and the flash, overdue by more than the whole schedule, stop waiting.
    assert versions.expire_revisits(db, "x", now="2026-11-25T00:00:00+00:00", span=3600.0) == 2
    assert versions.revisit_state(db, url_of(HARBOUR))["due_at"] is None
    assert versions.revisit_state(db, url_of(BUDGET))["due_at"] is not None


def test_a_failed_revisit_keeps_the_article_and_says_so_in_the_reason(db):
    saved = save(db, ARTICLES["d"])
    url = url_of(ARTICLES["d"])
    opts = store.Options(revisit_after=(0.0, 3600.0))
    versions.schedule_revisit(db, url, article_id=saved.article_id, outlet="saikai",
                              first_seen=store.now_iso(), after=opts.revisit_after)
    store.revisit_failed(db, url, "HTTP 503: server error", opts=opts, status=503)
    row = db.execute("select kind, reason_code, reason from urls where url = ?", [url]).fetchone()
    assert row[:2] == ("article", "revisit_failed") and "last revisit" in row[2] and "503" in row[2]
    assert row[2].startswith("stored as article")
    assert db.execute("select count(*) from articles").fetchone()[0] == 1
    store.revisit_not_modified(db, url, article_id=saved.article_id, opts=opts, etag='"x"')
    row = db.execute("select kind, reason_code from urls where url = ?", [url]).fetchone()
    assert row == ("article", "stored")
    assert versions.revisit_state(db, url)["etag"] == '"x"'


# -- an existing database, an archive ---------------------------------------------------------------

def test_the_migration_gives_every_existing_article_a_story_of_its_own(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = __import__("sqlite_utils").Database(conn)
    MIGRATIONS.apply(old, stop_before="m007_stories_versions")
    for n, relevant in ((1, 1), (2, 0)):
        old["articles"].insert({"url": f"https://x.jp/{n}", "canonical_url": f"https://x.jp/{n}", "outlet": "x",
                                "title": f"記事{n}", "text": "本文", "relevant": relevant, "score": 7.0 * relevant,
                                "published_at": "2026-11-20T09:00:00+09:00", "evidence": "安保3文書 ×1",
                                "first_seen_at": "2026-11-20T01:00:00+00:00",
                                "last_seen_at": "2026-11-20T01:00:00+00:00", "content_hash": str(n)})
    conn.commit()
    conn.close()
    db = open_db(path)
    rows = db.execute("select id, story_id, version from articles order by id").fetchall()
    assert rows == [(1, 1, 1), (2, 2, 1)]
    assert db.execute("select first_published_at from stories where id = 1").fetchone()[0] == \
        "2026-11-20T00:00:00+00:00"
    assert [r[0] for r in db.execute("select story_id from story_queue")] == [1]


def test_an_archive_is_grouped_through_the_same_path(tmp_path):
    warc = tmp_path / "news.warc.gz"
    with open(warc, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for key in ("kyodo", "regional", "a"):
            body = page(ARTICLES[key]).encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url_of(ARTICLES[key]), "response",
                                                          payload=io.BytesIO(body), length=len(body),
                                                          http_headers=headers))
    db_path = tmp_path / "news.db"
    # ingest reads only the pages of known outlets: the test outlets, by their hosts.
    config = tmp_path / "newsmon.toml"
    config.write_text("".join(
        f'[outlets.{key}]\nfeeds = ["http://{HOSTS[key]}:8000/rss.xml"]\ndomains = ["{HOSTS[key]}"]\n'
        f'start_urls = []\nsitemaps = []\narticle_url_pattern = "/site/"\n' for key in ("kyodo", "regional", "toto")),
        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "ingest", str(warc), "--db", str(db_path),
                             "--config", str(config), "--workers", "0"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    conn = sqlite3.connect(db_path)
    rows = {url.split("/site/")[1].split("/")[0]: (story, dup) for url, story, dup in
            conn.execute("select url, story_id, duplicate_of from articles")}
    assert rows["kyodo"][0] == rows["regional"][0] != rows["toto"][0]
    assert rows["regional"][1] is not None and rows["kyodo"][1] is None
    assert conn.execute("select count(*) from revisits").fetchone()[0] == 0  # archives are not revisited
    count = conn.execute("select article_count from stories where id = ?", [rows["kyodo"][0]]).fetchone()[0]
    assert count == 2


def test_the_store_options_damp_the_config_topics_terms(tmp_path):
    """Features computed in the storing process (a page stored without its worker's features)
    weigh the topics' own terms less, as the workers' do: the config's topics, read when
    first needed. Bare ``Options()`` damp nothing."""
    config = tmp_path / "newsmon.toml"
    config.write_text('[topics.drills]\nname = "Drills"\nthreshold = 2\n'
                      'terms = [{term = "離島奪還訓練", weight = 2}]\n', encoding="utf-8")
    opts = store.options(str(config))
    assert opts.damped == store.damped_tokens(str(config))
    assert {"離島", "奪還", "訓練"} <= opts.damped
    assert store.Options().damped == frozenset()
