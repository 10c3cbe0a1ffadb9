"""Stories, versions and revisits end to end: real `newsmon crawl` processes against eight outlets'
sites on 127.0.0.1-8 (tests/stories_site.py), SQLite as the witness of what was stored, the
sites' request logs as the witness of what was fetched.

One scenario, two crawls, shared by every test here:

1. the first crawl stores nine articles: two events of one topic on one day (three outlets on an
   expert panel's first meeting, two on a missile deployment, plus Kyodo's wire story on the
   deployment and a regional paper's reprint of it), and two unrelated local stories;
2. between the crawls one outlet corrects a figure and adds a paragraph, another turns its flash
   into the full (now relevant) story, a third's robots.txt starts disallowing its articles,
   Kyodo's site puts up a bot challenge and another answers with an empty page;
3. the second crawl has revisits due for every stored article (``NEWSMON_REVISIT_AFTER=0s,1h``),
   with ``NEWSMON_MAX_ARTICLES=1``.
"""

from __future__ import annotations

import html
import json
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.diff import article_diff, diff_html
from storage import open_db
from storage import stories as story_db

from .stories_site import ARTICLES, DAY, MISSILES, PANEL, UPDATED, config_toml, page, start_sites

#: What a bot challenge looks like (crawler/walls.py knows it by the header and the title).
CHALLENGE = (b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             b'<script>window._cf_chl_opt={cvId: "3"};</script></body></html>')

LOOPBACK = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "DOWNLOAD_TIMEOUT=5", "RETRY_TIMES=1", "NEWSMON_EXTRACT_WORKERS=1",
            # Revisits due at once after the first crawl (and then in an hour), of every article.
            "NEWSMON_REVISIT_AFTER=0s,1h", "NEWSMON_REVISIT_ARTICLES=all"]


@dataclass
class World:
    db: str
    config: str
    sites: dict
    digests: Path
    first: dict      # what the first crawl left: {key: article row}
    second_log: dict  # outlet -> the second crawl's requests
    tmp: Path

    def rows(self, sql: str, *params, db: str | None = None) -> list[dict]:
        conn = sqlite3.connect(db or self.db)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def articles(self, db: str | None = None) -> dict[str, dict]:
        """The stored articles by test key (matched on their URL path)."""
        by_path = {s.path: k for k, s in ARTICLES.items()}
        return {by_path["/" + r["url"].split("/", 3)[3]]: r for r in self.rows("select * from articles", db=db)}


def newsmon(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, timeout=180)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-3000:]
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    return result


def crawl(db: str, config: str, *extra: str) -> None:
    cmd = ["crawl", "--db", db, "--config", config]
    for pair in LOOPBACK + list(extra):
        cmd += ["-s", pair]
    newsmon(*cmd)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stories")
    sites = start_sites(validators={"regional": False})  # the regional paper sends no validators
    try:
        digests = tmp / "digests.jsonl"
        hook = f"import sys; open({str(digests)!r}, 'a', encoding='utf-8').write(sys.stdin.read() + '\\n')"
        # The sites' articles carry fixed dates, weeks before the day the tests run: news here.
        notify = f"\n[notify]\ncommand = {json.dumps([sys.executable, '-c', hook])}\nnews_age = \"off\"\n"
        config = tmp / "newsmon.toml"
        config.write_text(config_toml(sites, notify), encoding="utf-8")
        db = str(tmp / "news.db")
        crawl(db, str(config))
        w = World(db, str(config), sites, digests, {}, {}, tmp)
        w.first = w.articles()
        # Between the crawls: two outlets update an article, one disallows its articles.
        sites["toto"].update_html(ARTICLES["a"].path, page(UPDATED["a"]))
        sites["hoso"].update_html(ARTICLES["c"].path, page(UPDATED["c"]))
        sites["kanto"].answer("/robots.txt", 200, b"User-agent: *\nDisallow: /site/kanto/\n",
                              {"Content-Type": "text/plain; charset=utf-8"})
        sites["kyodo"].answer(ARTICLES["kyodo"].path, 403, CHALLENGE, {"cf-mitigated": "challenge"})
        sites["hokuriku"].answer(ARTICLES["h"].path, 200, b"")
        for site in sites.values():
            site.clear_log()
        crawl(db, str(config), "NEWSMON_MAX_ARTICLES=1")
        w.second_log = {outlet: site.article_requests() for outlet, site in sites.items()}
        yield w
    finally:
        for site in sites.values():
            site.stop()


def partition(articles: dict[str, dict]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for key, row in articles.items():
        groups.setdefault(row["story_id"], set()).add(key)
    return {frozenset(g) for g in groups.values()}


# -- stories ----------------------------------------------------------------------------------

def test_two_events_of_one_topic_on_one_day_are_two_stories_none_mixed(world):
    first = world.first
    assert set(first) == set(ARTICLES)
    assert partition(first) == {frozenset(PANEL), frozenset(MISSILES), frozenset({"e2"}), frozenset({"h"})}
    # The second crawl (revisits, new versions) moved no article to another story.
    assert {k: r["story_id"] for k, r in world.articles().items()} == {k: r["story_id"] for k, r in first.items()}
    panel = world.rows("select * from stories where id = ?", first["a"]["story_id"])[0]
    assert json.loads(panel["outlets"]) == ["hoso", "kanto", "toto"] and panel["article_count"] == 3
    missiles = world.rows("select * from stories where id = ?", first["d"]["story_id"])[0]
    assert json.loads(missiles["outlets"]) == ["kyodo", "nanyo", "regional", "saikai"]
    # The story's title is its earliest article's (the deployment: 9:00 JST).
    assert missiles["title"] == ARTICLES["d"].title and missiles["first_published_at"] == "2026-11-20T00:00:00+00:00"


def test_a_kyodo_story_reprinted_by_a_regional_paper_is_a_copy_in_the_same_story(world):
    first = world.first
    assert first["regional"]["duplicate_of"] == first["kyodo"]["id"]
    assert first["regional"]["story_id"] == first["kyodo"]["story_id"]
    assert [k for k, r in first.items() if r["duplicate_of"] is not None] == ["regional"]


def test_the_story_queue_has_one_row_per_story_with_new_relevant_articles(world):
    queue = {r["story_id"]: r for r in world.rows("select * from story_queue")}
    now = world.articles()
    assert set(queue) == {now["a"]["story_id"], now["d"]["story_id"]}  # not the local story
    panel = queue[now["a"]["story_id"]]
    assert panel["outlets"] == "hoso, kanto, toto" and panel["articles"] == 3
    assert panel["new_relevant"] == 3 and panel["updated"] == 2  # a and c have a second version
    best = max((now[k] for k in PANEL), key=lambda r: (r["score"], -r["id"]))
    assert (panel["best_article_id"], panel["best_score"]) == (best["id"], best["score"])
    assert "安保3文書" in panel["evidence"]
    members = story_db.members(open_db(world.db), now["d"]["story_id"])
    assert [m["id"] for m in members][0] == now["d"]["id"]  # earliest first
    assert {m["id"]: m["duplicate_of"] for m in members}[now["regional"]["id"]] == now["kyodo"]["id"]


# -- revisits and versions ----------------------------------------------------------------------

def test_a_changed_article_gets_a_second_version_and_a_readable_diff(world):
    a = world.articles()["a"]
    versions = world.rows("select * from article_versions where article_id = ? order by version", a["id"])
    assert [v["version"] for v in versions] == [1, 2] and a["version"] == 2
    assert versions[0]["text"] == world.first["a"]["text"] and versions[1]["text"] == a["text"]
    assert "委員16人" in a["text"] and "追記" in a["text"]
    assert a["published_at"] == world.first["a"]["published_at"]  # the first published time never moves
    # Both versions can be extracted again: each has its raw page.
    pages = world.rows("select id, article_id from pages where id in (?, ?)", versions[0]["page_id"],
                       versions[1]["page_id"])
    assert len(pages) == 2 and {p["article_id"] for p in pages} == {a["id"]}
    diff = article_diff(open_db(world.db), a["id"])
    assert diff.removed == ["会議は委員15人で構成し、月1回のペースで議論を重ねる。"]
    assert diff.added == ["会議は委員16人で構成し、月1回のペースで議論を重ねる。",
                          "（追記）会合後、山川座長は記者団に「年内に論点を整理して示したい」と語った。"]
    html = diff_html(diff)
    assert "<del>会議は委員15人" in html and "<ins>（追記）" in html


def test_an_update_that_makes_an_article_relevant_puts_it_in_the_queue_and_the_digest(world):
    c_before, c = world.first["c"], world.articles()["c"]
    assert not c_before["relevant"] and c["relevant"] and c["version"] == 2
    assert c["title"] == UPDATED["c"].title and c["relevant_since"] > c_before["first_seen_at"]
    assert c["id"] in {r["id"] for r in world.rows("select id from review_queue")}
    digests = [json.loads(line) for line in world.digests.read_text(encoding="utf-8").splitlines()]
    assert len(digests) == 2
    assert {a["id"] for a in digests[0]["articles"]} == {world.first[k]["id"] for k in ("a", "b", "d", "e", "kyodo",
                                                                                            "regional")}
    assert [(a["id"], a["version"]) for a in digests[1]["articles"]] == [(c["id"], 2)]
    assert "updated: version 2" in digests[1]["text"]


def test_unchanged_articles_get_no_version_and_a_304_costs_no_row(world):
    now = world.articles()
    changed = {now["a"]["id"], now["c"]["id"]}
    assert {r["article_id"] for r in world.rows("select distinct article_id from article_versions")} == changed
    assert all(r["version"] == 1 for k, r in now.items() if k not in ("a", "c"))
    # Conditional requests, answered 304, where the site sends validators.
    for outlet in ("saikai", "nanyo"):
        [hit] = world.second_log[outlet]
        assert hit.status == 304 and hit.if_none_match and hit.if_modified_since
    # The regional site sends no validators: a full 200, the same text, and nothing stored.
    [hit] = world.second_log["regional"]
    assert hit.status == 200 and hit.if_none_match is None
    assert len(world.rows("select id from pages")) == len(ARTICLES) + 2  # only the two new versions' pages
    states = world.rows("select url, kind, reason from urls")
    assert {r["kind"] for r in states} == {"article"}
    results = {r["url"].split("/site/", 1)[1]: r["last_result"] for r in world.rows("select * from revisits")}
    assert results["saikai/article/20261120-missile.html"] == "not_modified"
    assert results["regional/national/77120.html"] == "unchanged"
    assert results["toto/politics/20261120-01.html"] == "version 2"


def test_a_wall_or_an_empty_page_on_revisit_is_no_version_and_the_article_stays(world):
    now = world.articles()
    for key, outlet, words in (("kyodo", "kyodo", "challenge"), ("h", "hokuriku", "empty")):
        assert [r.status for r in world.second_log[outlet]] == [403 if key == "kyodo" else 200]
        assert now[key]["text"] == world.first[key]["text"] and now[key]["version"] == 1
        [url] = world.rows("select * from urls where article_id = ?", now[key]["id"])
        assert url["kind"] == "article" and url["reason_code"] == "revisit_failed"
        assert "last revisit" in url["reason"] and words in url["reason"], url["reason"]
    assert world.rows("select count(*) as n from article_versions where article_id in (?, ?)",
                      now["kyodo"]["id"], now["h"]["id"]) == [{"n": 0}]


def test_revisits_honour_robots_and_the_per_outlet_limit_and_are_counted(world):
    # robots.txt now disallows kanto's articles: not fetched; the article stays, the reason says so.
    assert world.second_log["kanto"] == []
    b = world.articles()["b"]
    assert b["text"] == world.first["b"]["text"]
    [url] = world.rows("select * from urls where article_id = ?", b["id"])
    assert url["kind"] == "article" and url["reason_code"] == "revisit_failed"
    assert "last revisit" in url["reason"] and "robots.txt" in url["reason"]
    # NEWSMON_MAX_ARTICLES=1: one of nanyo's two due revisits went out; the other waits.
    assert len(world.second_log["nanyo"]) == 1
    waiting = world.rows("select * from revisits where outlet = 'nanyo' and step = 0 and due_at is not null")
    assert len(waiting) == 1
    run = world.rows("select * from crawl_runs order by id desc limit 1")[0]
    sent = sum(len(log) for log in world.second_log.values())
    assert sent == 7 and run["revisits"] == sent and run["requests"] >= sent
    # 304: saikai, nanyo; versions: toto, hoso; failed: kanto (robots), kyodo (wall), hokuriku (empty).
    assert (run["revisits_not_modified"], run["versions_new"], run["revisits_failed"]) == (2, 2, 3)


# -- rebuilding ----------------------------------------------------------------------------------

def test_reextract_rebuilds_versions_and_regroup_gives_the_same_stories(world):
    copy = str(world.tmp / "copy.db")
    shutil.copy(world.db, copy)
    before = world.articles(copy)
    hashes = world.rows("select article_id, version, content_hash from article_versions order by 1, 2", db=copy)
    newsmon("reextract", "--db", copy, "--config", world.config)
    after = world.articles(copy)
    assert world.rows("select article_id, version, content_hash from article_versions order by 1, 2",
                      db=copy) == hashes
    assert {k: (r["text"], r["version"]) for k, r in after.items()} == \
           {k: (r["text"], r["version"]) for k, r in before.items()}
    assert partition(after) == partition(before)
    assert after["regional"]["duplicate_of"] == after["kyodo"]["id"]
    out = newsmon("regroup", "--db", copy, "--config", world.config)
    assert b"9 articles in 4 stories (1 wire copies)" in out.stdout
    again = world.articles(copy)
    assert partition(again) == partition(before)
    assert again["regional"]["duplicate_of"] == again["kyodo"]["id"]


def test_reextract_keeps_the_versions_whose_pages_were_pruned(world):
    # Old versions' pages go first when raw pages are pruned; their text is in article_versions
    # only, and reextract must not drop it with the page.
    copy = str(world.tmp / "pruned.db")
    shutil.copy(world.db, copy)
    hashes = world.rows("select article_id, version, content_hash from article_versions order by 1, 2", db=copy)
    first = [r for r in world.rows("select article_id, page_id from article_versions where version = 1", db=copy)]
    assert first, "the world has articles with versions"
    conn = sqlite3.connect(copy)
    conn.execute("pragma foreign_keys = on")  # as newsmon prune deletes them: versions keep no dead page id
    with conn:
        conn.executemany("delete from pages where id = ?", [(r["page_id"],) for r in first])
    conn.close()
    newsmon("reextract", "--db", copy, "--config", world.config)
    assert world.rows("select article_id, version, content_hash from article_versions order by 1, 2",
                      db=copy) == hashes
    versions = {r["id"]: r["version"] for r in world.rows("select id, version from articles", db=copy)}
    assert all(versions[r["article_id"]] == 2 for r in first)


# -- what replaces an article: a paywall, a removal ---------------------------------------------

#: One relevant article of our own, in four wordings (one per URL: each its own article).
POLICY = ("与党は20日、国家安全保障戦略など安保3文書の改定に向けた協議を開き、反撃能力の運用について議論した。",
          "協議では、反撃能力を行使する際の判断基準をどこまで明文化するかが焦点となった。自民党は柔軟な運用を求めた。",
          "公明党は「専守防衛の理念を損なわない歯止めが必要だ」と主張し、国会への事前報告を条件とするよう求めた。",
          "政府は年内に改定案をまとめ、閣議決定を目指す。防衛費の財源をめぐる議論も並行して進める方針だ。")
LOSSES = {"paywalled": "反撃能力の歯止め焦点 与党協議", "gone": "安保3文書改定、反撃能力で与党が議論",
          "notice": "反撃能力、国会報告を条件に 公明が主張", "moved": "反撃能力の判断基準、明文化が焦点",
          "back": "安保3文書、年内に改定案 閣議決定へ", "sent": "反撃能力の運用、政府が指針案",
          "reshaped": "防衛力整備計画、見直し論議始まる"}


def policy_page(title: str, paragraphs) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{html.escape(title)}">'
            f'<meta property="article:published_time" content="{DAY.replace(hour=10).isoformat()}"></head><body>'
            f'<article><h1>{html.escape(title)}</h1>{body}</article></body></html>')


#: Where an outlet sends the URL of an article it took down: a page of links, no article.
NOT_FOUND = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ページが見つかりません</title></head>'
             '<body><header><nav>' + "".join(f'<a href="/site/{s}/">{n}</a>' for s, n in (
                 ("politics", "政治"), ("economy", "経済"), ("world", "国際"), ("society", "社会"), ("sports", "スポーツ"),
                 ("culture", "文化"))) + '</nav></header><main><h1>お探しのページは見つかりませんでした</h1>'
             '<p>お探しのページは、掲載期間が終了したか、削除された可能性があります。URLをご確認のうえ、トップページから'
             'お探しください。記事の掲載期間は、配信元との契約により異なります。</p>'
             '<ul>' + "".join(f'<li><a href="/site/{s}/">{n}のニュース一覧へ</a></li>' for s, n in (
                 ("politics", "政治"), ("economy", "経済"), ("world", "国際"))) + '</ul></main>'
             '<footer><p>このサイトに掲載している記事、写真、図表などの無断転載を禁じます。著作権は各社に帰属します。'
             'サイトのご利用にあたっては、利用規約とプライバシーポリシーをお読みください。</p></footer></body></html>')


@pytest.fixture(scope="module")
def losses(tmp_path_factory):
    """Five relevant articles crawled, then revisited after their outlet (1) put one behind its
    paywall, (2) removed one (410), (3) replaced one by a deletion notice, (4) sent one's URL to
    a "not found" page, (5) answered one with a 404; then, an hour on, revisited again, (5)
    being back."""
    from crawler.testsite import LoopbackSite

    tmp = tmp_path_factory.mktemp("losses")
    with LoopbackSite([]) as site:
        for i, (key, title) in enumerate(LOSSES.items()):
            turned = POLICY[i % 4:] + POLICY[:i % 4]
            site.publish_html(f"/site/news/{key}.html", policy_page(title, turned), title=title,
                              published=DAY.replace(hour=10), channels=["feed", "section"])
        digests = tmp / "digests.jsonl"
        hook = f"import sys; open({str(digests)!r}, 'a', encoding='utf-8').write(sys.stdin.read() + '\\n')"
        config = tmp / "newsmon.toml"
        config.write_text(site.toml_snippet("site") + f"\n[notify]\ncommand = {json.dumps([sys.executable, '-c', hook])}"
                          '\nnews_age = "off"\n', encoding="utf-8")
        world = World(str(tmp / "news.db"), str(config), {}, digests, {}, {}, tmp)

        def crawl_site() -> dict[str, dict]:
            args = ["crawl", "site", "--db", world.db, "--config", world.config]
            for pair in LOOPBACK:
                args += ["-s", pair]
            newsmon(*args)
            return {r["url"].rsplit("/", 1)[1][:-5]: r for r in world.rows("select * from articles")}

        world.first = crawl_site()
        site.update_html("/site/news/paywalled.html", policy_page(LOSSES["paywalled"], [
            POLICY[0][:30], "この記事は有料会員限定です。残り850文字"]))
        site.answer("/site/news/gone.html", 410, b"<html><body><h1>Gone</h1></body></html>")
        site.update_html("/site/news/notice.html", policy_page("おわび", [
            "この記事は、取材内容に誤りがあったため削除しました。読者の皆様におわびします。"]))
        site.answer("/site/notfound.html", 200, NOT_FOUND.encode())
        site.redirect("/site/news/moved.html", "/site/notfound.html", 301)
        site.answer("/site/news/back.html", 404, b"<html><body><h1>Not Found</h1></body></html>")
        # Sent on to its section (no article URL of the outlet), whose lead story reads as an
        # article: stored as a new version of the article it replaced.
        site.answer("/politics/", 200, policy_page("政治", [
            "市議会は20日、新しい図書館の建設計画を可決した。駅前の再開発区域に2028年の開館を目指す。",
            "計画では蔵書を現在の2倍に増やし、子ども向けの読み聞かせの部屋や自習室も設ける。",
            "市は建設費を約40億円と見込み、国の補助金や寄付を募って負担を抑えるとしている。"]).encode())
        site.redirect("/site/news/sent.html", "/politics/", 302)
        # Moved to a URL of a shape the pattern does not take, its text the same: still the
        # article, not one taken down.
        site.answer("/story/reshaped", 200, policy_page(LOSSES["reshaped"], POLICY[2:] + POLICY[:2]).encode())
        site.redirect("/site/news/reshaped.html", "/story/reshaped", 301)
        second = crawl_site()
        revisits = {r["url"].rsplit("/", 1)[1][:-5]: r for r in world.rows("select * from revisits")}
        # An hour on (the revisits' clock is the database's): the 404 was passing.
        site.remove_fault("/site/news/back.html")
        conn = sqlite3.connect(world.db)
        with conn:
            conn.execute("UPDATE revisits SET due_at = '2000-01-01T00:00:00+00:00' WHERE due_at IS NOT NULL")
        conn.close()
        third = crawl_site()
        yield {"first": world.first, "second": second, "revisits": revisits, "third": third, "world": world,
               "digests": [json.loads(line) for line in digests.read_text(encoding="utf-8").splitlines()]}


def test_a_paywall_or_a_removal_found_by_a_revisit_replaces_nothing_and_the_article_stays_in_the_queue(losses):
    first, second = losses["first"], losses["second"]
    assert len(first) == len(LOSSES) and all(r["relevant"] for r in first.values())
    for key in LOSSES:
        # The text, its score, its relevance and its place in the queue are what was stored.
        assert (second[key]["text"], second[key]["score"], second[key]["relevant"], second[key]["version"]) == \
            (first[key]["text"], first[key]["score"], 1, 1), key
    world = losses["world"]
    assert world.rows("select count(*) as n from article_versions") == [{"n": 0}]
    results = {key: r["last_result"] for key, r in losses["revisits"].items()}
    assert results["paywalled"].startswith("paywalled: the outlet now shows 30 of the ")
    assert second["paywalled"]["removed_at"] is None  # a paywall is no removal: the full text is kept
    assert second["reshaped"]["removed_at"] is None  # moved, its text the same
    removed = {k: r["removed"] for k, r in second.items() if r["removed_at"]}
    assert removed == {
        "gone": "its page answers HTTP 410 Gone: the site removed the page for good",
        "notice": removed["notice"], "moved": removed["moved"],
        "back": "its page answers HTTP 404 Not Found", "sent": removed["sent"]}, removed
    assert removed["sent"].startswith("its URL now leads to http://127.0.0.1:") and removed["sent"].endswith(
        "/politics/, which the outlet's article URL pattern does not take, and whose text is not the article's")
    assert removed["notice"].startswith("its page now reads 「おわび この記事は、取材内容に誤りがあったため削除しました。")
    assert removed["moved"].startswith("its URL now leads to http://127.0.0.1:") and "where there is no article" in \
        removed["moved"]
    # The URLs stay articles; their reasons say what the last revisit saw.
    urls = {r["url"].rsplit("/", 1)[1][:-5]: r for r in world.rows("select * from urls where kind = 'article'")}
    assert set(urls) == set(LOSSES)
    assert "last revisit" in urls["gone"]["reason"] and "removed: its page answers HTTP 410" in urls["gone"]["reason"]
    # Revisits are no evidence of the outlet's health: a page of links where an article was is no wall.
    assert world.rows("select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_the_digest_tells_a_removal_once_and_a_revisit_that_finds_the_article_again_clears_it(losses):
    digests = losses["digests"]
    assert len(digests) == 2  # the first crawl's news, the removals; the third crawl tells nothing new
    told = {a["url"].rsplit("/", 1)[1][:-5]: a for a in digests[1]["articles_removed"]}
    assert set(told) == {"gone", "notice", "moved", "back", "sent"}
    assert "5 relevant articles removed by their outlets" in digests[1]["title"]
    assert "Removed by their outlets since newsmon stored them" in digests[1]["text"]
    # The third crawl's revisits: the 404 was passing; the others are still gone (not told again).
    now = losses["third"]
    assert now["back"]["removed_at"] is None and now["back"]["text"] == losses["first"]["back"]["text"]
    assert now["gone"]["removed_at"] == losses["second"]["gone"]["removed_at"]  # when first seen so
