"""The reviewer's desk in an in-process Datasette: the lists, what other work adds to the schema,
unread, search, outlets, the CSV download. The browser side is in tests/test_browser.py."""

from __future__ import annotations

import html as html_lib
import json
import re
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crawler import desk
from crawler.cli import cli
from crawler.desk import jst
from crawler.serve import build_datasette
from storage import open_db, queries

from .conftest import fresh_copy
from .deskdb import WRITTEN, build_desk_db
from .test_serve import REVIEWER, SAME_ORIGIN, call, decide, running_server

JST = timezone(timedelta(hours=9))


@pytest.fixture(scope="module")
def _desk_template(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("desk") / "template.db"
    return path, build_desk_db(path)


@pytest.fixture
def desk_db(_desk_template, tmp_path) -> tuple[Path, dict[str, int]]:
    return fresh_copy(_desk_template, tmp_path, "desk.db")


def sql(path: Path, *statements: str, params: tuple = ()) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        for statement in statements:
            conn.execute(statement, params)


def rows_of(html: str) -> list[str]:
    """The article ids of the list rows, in order."""
    return re.findall(r'<li class="nm-item[^"]*" id="nm-(\d+)"', html)


def not_read(html: str) -> str:
    """The queue page's list of the articles newsmon could not read (above the queue)."""
    return html.split('<div class="nm-not-read-box">', 1)[1].split('<div class="nm-head">', 1)[0]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-25T12:10:00+09:00", "11月25日 12:10"),
    ("2026-11-25T03:10:00+00:00", "11月25日 12:10"),  # UTC as stored by newsmon, shown in JST
    ("2026-11-25T20:00:00+00:00", "11月26日 05:00"),
    ("2024-10-13T17:41:47+09:00", "2024年10月13日 17:41"),  # another year says so
    ("2024-10-13", "2024年10月13日"),
    ("令和6年", "令和6年"),
    (None, ""),
])
def test_times_in_jst(value, expected):
    assert jst(value, now=datetime(2026, 11, 30, tzinfo=JST)) == expected


# --- the triage page ----------------------------------------------------------------------------

def test_the_triage_page_rows_header_and_banner(desk_db):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/").text
    listed = rows_of(html)
    assert len(listed) == 14 and str(ids["written-0"]) in listed and str(ids["asahi_quake"]) not in listed
    # Newest first: the written articles are an hour apart, newest first.
    written = [str(ids[f"written-{n}"]) for n in range(len(WRITTEN))]
    assert [i for i in listed if i in written] == written
    row = html.split(f'id="nm-{ids["written-0"]}"', 1)[1].split("</li>", 1)[0]
    # Score against the topic's threshold (defense-strategy: 6 in crawler/topics.toml), outlet,
    # time in JST, the first evidence line with its term marked.
    assert re.search(r'<span class="nm-score"[^>]*>[\d.]+ / 6</span>', row)
    assert "nhk" in row and re.search(r"<time [^>]*>\d+月\d+日 \d\d:\d\d</time>", row)
    assert "<b>安保3文書</b> ×2" in row and "<mark>安保3文書</mark>" in row
    assert 'class="nm-new"' in row  # a first visit: everything is unread
    # Header on every page: queue count, unread, follow-up, outlets with the worst health.
    nav = text(html.split('<ul class="nm-nav">', 1)[1].split("</ul>", 1)[0])
    # Two failing: nhk's last run hung, and no crawl of asahi has finished for 3 hours of runs
    # every 15 minutes (its last run's health "ok"), as the banner and the outlets page say.
    assert "Queue 14 14 unread" in nav and "Follow-up 0" in nav and "Outlets 2 failing" in nav
    assert "Maybe missed 0" in nav  # m006's lane, empty until `newsmon learn` flags articles
    # The failing outlet where the reviewer works: which, why, since when.
    banner = text(html.split('<div class="nm-banner" role="alert">', 1)[1].split("</div>", 1)[0])
    assert re.search(r"failing NHK NEWS WEB \(nhk\) since \d+月\d+日 \d\d:\d\d: the last run hung", banner)
    assert '<link rel="alternate" type="application/atom+xml" title="newsmon review queue" ' \
           'href="/newsmon/queue_feed.atom">' in html
    for page in ("/follow-up", "/decisions", "/search", "/outlets", f"/newsmon/articles/{ids['nikkei']}",
                 "/newsmon/articles", "/newsmon"):
        assert '<ul class="nm-nav">' in call(ds, "get", page).text, page


def test_the_banner_says_when_crawls_stopped_finishing_and_a_notification_channel_fails(desk_db, tmp_path):
    # The reviewer works at the desk: with the daemon dead or the notifications failing, an empty
    # queue read as "no news". `newsmon status` said so to monitoring only (the runs of the desk
    # database were scheduled every 15 minutes; asahi's last finished 3 hours ago).
    path, _ = desk_db
    config = tmp_path / "newsmon.toml"
    config.write_text('[notify]\nwebhook = "https://hooks.example.org/newsmon"\n', encoding="utf-8")
    failed = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="seconds")
    for channel in ("webhook", "webhook", "command"):  # the command is no longer in the config
        sql(path, "INSERT INTO notifications (run_id, sent_at, channel, ok, error, articles, health_changes) "
                  "VALUES (1, ?, ?, 0, 'URLError: <urlopen error [Errno 111] Connection refused>', 1, 0)",
            params=(failed, channel))
    banner = text(call(build_datasette(path, reviewer=REVIEWER, config_path=str(config)), "get", "/").text
                  .split('<div class="nm-banner" role="alert">', 1)[1].split("</div>", 1)[0])
    assert re.search(r"failing 朝日新聞デジタル \(asahi\) since \d+月\d+日 \d\d:\d\d: no crawl of it has finished "
                     r"for 3\.\d h: is `newsmon schedule` \(or the cron job\) running", banner), banner
    assert re.search(r"failing Notifications \(webhook\) since \d+月\d+日 \d\d:\d\d: 2 deliveries failed, the last "
                     r"with URLError: &lt;urlopen error \[Errno 111\] Connection refused&gt;: fix the channel", banner), banner
    assert "(command)" not in banner
    # The outlets page says what the banner says (it read the outlets' last health alone: asahi "ok").
    ds = build_datasette(path, reviewer=REVIEWER, config_path=str(config))
    outlets = call(ds, "get", "/outlets").text
    asahi = outlets.split('data-outlet="asahi"', 1)[1].split("</tr>", 1)[0]
    assert "nm-h-failing" in asahi and "no crawl of it has finished for 3." in asahi


def named_by_status(path: Path) -> list[str]:
    """The URLs `newsmon status --json` names as unread articles on the topics."""
    status = CliRunner().invoke(cli, ["status", "--db", str(path), "--json"])
    return sorted(u["url"] for row in json.loads(status.output) for u in row["unread_on_topic"])


def test_the_queue_page_names_the_articles_on_the_topics_newsmon_could_not_read(desk_db):
    # NHK's pages behind NHK ONE's wall: each URL ended `blocked` with its reason and the banner
    # said NHK was blocked, but the reviewer at the desk could not tell its report of a 安保3文書
    # decision from the weather (`newsmon status` and the digest could).
    from storage import frontier

    path, _ = desk_db
    now = datetime.now(timezone.utc)
    at = lambda hours: (now - timedelta(hours=hours)).isoformat(timespec="seconds")  # noqa: E731
    db = open_db(path)
    listed = {"https://news.web.nhk/newsweb/na/na-k10015000000001": "反撃能力の運用で与党協議 — 政府は安保3文書の改定を急ぐ",
              "https://news.web.nhk/newsweb/na/na-k10015000000002": "台風9号 沖縄に接近 — 気象庁によると",
              "https://news.web.nhk/newsweb/na/na-k10015000000003": "安保3文書の改定へ有識者会議",
              "https://www.asahi.com/articles/ASTEST0001.html": "Japan to revise National Security Strategy by year-end",
              "https://news.web.nhk/newsweb/na/na-k10015000000004": "国家安全保障戦略の改定を閣議決定"}
    hours = [2, 3, 30, 5, 9 * 24]  # the last was first seen before the week a wall is waited out
    for (url, words), ago in zip(listed.items(), hours):
        outlet = "asahi" if "asahi" in url else "nhk"
        frontier.add_pending(db, [url], outlet=outlet, now=at(ago), listed={url: words})
        if outlet == "nhk":
            frontier.record_blocked(db, url, outlet=outlet, code="wall_consent", backoff=3600, now=at(ago),
                                    reason="NHK ONE's consent page (HTTP 401): set NEWSMON_COOKIES for news.web.nhk")
        else:
            db.execute("UPDATE urls SET kind = 'gave_up', reason = 'HTTP 503 on 6 tries over 3 days' WHERE url = ?",
                       [url])
    db.conn.close()
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/").text
    panel = not_read(html)
    # The three on the topics, newest first, each a link to its outlet's page with why it is missing.
    assert re.findall(r'<a href="([^"]+)" rel="noopener noreferrer"', panel) == [
        "https://news.web.nhk/newsweb/na/na-k10015000000001", "https://www.asahi.com/articles/ASTEST0001.html",
        "https://news.web.nhk/newsweb/na/na-k10015000000003"]
    shown = html_lib.unescape(text(panel))
    # Open on a first visit (all three are new to the reviewer), its line counts them.
    assert '<details class="nm-not-read" open>' in html
    assert "Not read by newsmon: 3 articles on the topics by their headlines (NHK NEWS WEB, 朝日新聞デジタル), 3 new" in shown
    assert re.search(r"反撃能力の運用で与党協議 NHK NEWS WEB · first listed \d+月\d+日 \d\d:\d\d · behind a wall: "
                     r"NHK ONE's consent page \(HTTP 401\)", shown), shown
    # When it is asked for again, as the desk says times: in JST, not as stored.
    assert re.search(r"\(tried again after \d+月\d+日 \d\d:\d\d\)", shown) and "+00:00" not in shown, shown
    assert re.search(r"Japan to revise National Security Strategy by year-end 朝日新聞デジタル · first listed .+ · "
                     r"given up: HTTP 503 on 6 tries", shown), shown
    assert "台風9号" not in panel and "閣議決定" not in panel
    assert 'lang="en">Japan to revise' in panel and 'lang="ja">反撃能力' in panel
    # The reviewer's next visit (half an hour later): nothing new since, so it is folded to its line.
    sql(path, "UPDATE reviewer_visits SET last_seen_at = ?", params=(at(0.6),))
    assert '<details class="nm-not-read">' in call(build_datasette(path, reviewer=REVIEWER), "get", "/").text
    # "Read": the reviewer read one at its outlet (the page's own form, posted as a browser without
    # script does): it folds below with who and when, and `newsmon status` stops naming it.
    asahi = "https://www.asahi.com/articles/ASTEST0001.html"
    ds = build_datasette(path, reviewer=REVIEWER)
    form, = [f for f in re.findall(r'<form class="nm-listed".*?</form>', panel, re.S) if asahi in f]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["url"] == asahi and fields["read"] == "1" and 'action="/-/listed"' in form
    del fields["csrftoken"]
    assert call(ds, "post", "/-/listed", headers=SAME_ORIGIN, data=fields).status_code == 302
    page = call(ds, "get", "/").text
    panel = not_read(page)
    unread, done = panel.split('<details class="nm-read-done">', 1)
    assert asahi not in unread and "Not read by newsmon: 2 articles on the topics by their headlines (NHK NEWS WEB)" in \
        text(unread)
    assert asahi in done and re.search(rf"1 not read by newsmon, read at the outlet by a reviewer .*read by {REVIEWER} \d+月\d+日", text(done))
    assert named_by_status(path) == ["https://news.web.nhk/newsweb/na/na-k10015000000001",
                                     "https://news.web.nhk/newsweb/na/na-k10015000000003"]
    # Taken back ("Mark not read", JSON as a script sends it), it is named again; a URL never listed is refused.
    reply = call(ds, "post", "/-/listed", headers=SAME_ORIGIN, json={"url": asahi, "read": False})
    assert reply.json() == {"ok": True, "changed": True, "message": f"Back among the articles not read: {asahi}"}
    assert asahi in named_by_status(path)
    assert call(ds, "post", "/-/listed", headers=SAME_ORIGIN, json={"url": "https://example.org/x"}).status_code == 404
    assert call(ds, "post", "/-/listed", headers=SAME_ORIGIN, json={"url": 5}).status_code == 400
    assert "nm-read-done" not in call(ds, "get", "/").text
    # Once the wall lets it through and the article is stored, it leaves the panel (the queue has it).
    db = open_db(path)
    db.execute("UPDATE urls SET kind = 'fetched' WHERE url = ?", ["https://news.web.nhk/newsweb/na/na-k10015000000001"])
    db.conn.close()
    assert "反撃能力の運用で与党協議" not in not_read(call(ds, "get", "/").text)
    # Only the queue page shows it.
    assert 'class="nm-not-read-box"' not in call(ds, "get", "/follow-up").text
    # Whatever kept newsmon from it, said beside it: here a URL the outlet's pattern does not take.
    db = open_db(path)
    frontier.record_refused(db, "https://news.web.nhk/newsweb/na/nv-1", outlet="nhk", code="not_article_url",
                            reason="listed by a feed, but the outlet's article URL pattern does not take it",
                            listed="国家安全保障戦略の改定案を公表")
    db.conn.close()
    shown = html_lib.unescape(text(not_read(call(ds, "get", "/").text)))
    assert re.search(r"国家安全保障戦略の改定案を公表 NHK NEWS WEB · first listed .+ · not fetched: listed by a feed, "
                     r"but the outlet's article URL pattern does not take it", shown), shown
    # The outlets page counts them per outlet, not those a reviewer read at the outlet.
    row = lambda outlet: text(call(ds, "get", "/outlets").text.split(f'data-outlet="{outlet}"', 1)[1]  # noqa: E731
                              .split("</tr>", 1)[0])
    assert "2 on the topics not read" in row("nhk") and "1 on the topics not read" in row("asahi")
    call(ds, "post", "/-/listed", headers=SAME_ORIGIN, json={"url": asahi})
    assert "on the topics not read" not in row("asahi") and "on the topics not read" not in row("mainichi")


def test_an_article_its_outlet_took_down_says_so_in_the_queue_and_on_its_page(desk_db):
    path, ids = desk_db
    db = open_db(path)
    removed_at = "2026-11-25T03:10:00+00:00"
    assert queries.mark_removed(db, ids["written-0"], "its page answers HTTP 410 Gone", run_id=3, now=removed_at)
    db.close()
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/").text
    assert str(ids["written-0"]) in rows_of(html)  # still in the queue, with its text and score
    row = html.split(f'id="nm-{ids["written-0"]}"', 1)[1].split("</li>", 1)[0]
    assert '<a class="nm-removed" href="/newsmon/articles/' in row and 'title="its page answers HTTP 410 Gone"' in row
    other = html.split(f'id="nm-{ids["written-1"]}"', 1)[1].split("</li>", 1)[0]
    assert "nm-removed" not in other
    page = text(call(ds, "get", f"/newsmon/articles/{ids['written-0']}").text)
    # The moment as jst says it today: "11月25日 12:10" in 2026, with its year from 2027 on.
    assert f"Removed by the outlet (first seen so {jst(removed_at)}): its page answers HTTP 410 Gone. The text " \
           "below is as newsmon stored it." in page
    assert "Removed by the outlet" not in text(call(ds, "get", f"/newsmon/articles/{ids['written-1']}").text)


def test_unread_is_what_arrived_since_the_last_visit(desk_db):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    call(ds, "get", "/")  # the first visit
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=3)).isoformat(timespec="seconds")
    # Everything stored so far was there at that visit, which ended two hours ago.
    sql(path, "UPDATE articles SET first_seen_at = ?, relevant_since = ?", params=(long_ago, long_ago))
    sql(path, "UPDATE reviewer_visits SET last_seen_at = ?",
        params=((datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="seconds"),))
    db = open_db(path)
    new_id, _ = queries.save_article(db, {"url": "https://example.jp/new", "title": "安保3文書 新着",
                                          "text": "安保3文書の続報。", "relevant": True, "score": 9.0,
                                          "topic": "defense-strategy", "matched_terms": []})
    db.close()
    html = call(ds, "get", "/").text
    assert "Queue 15 1 unread" in text(html)
    unread = re.findall(r'<li class="nm-item nm-unread" id="nm-(\d+)"', html)
    assert unread == [str(new_id)]
    # Another reviewer has never visited: everything is unread to them.
    assert "Queue 15 15 unread" in text(call(build_datasette(path, reviewer="sato"), "get", "/follow-up").text)


def test_an_article_a_rescore_puts_in_the_queue_after_the_last_visit_is_unread(desk_db):
    # First seen long before the visit, relevant only since a rescore under new topics: it came
    # into the queue after the reviewer last looked, and was marked read among the old ones.
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    call(ds, "get", "/")
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=3)).isoformat(timespec="seconds")
    sql(path, "UPDATE articles SET first_seen_at = ?, relevant_since = ?", params=(long_ago, long_ago))
    sql(path, "UPDATE reviewer_visits SET last_seen_at = ?",
        params=((datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="seconds"),))
    quake = ids["asahi_quake"]  # not relevant, not in the queue
    sql(path, "UPDATE articles SET relevant_since = NULL WHERE id = ?", params=(quake,))
    db = open_db(path)
    queries.update_scores(db, [{"id": quake, "topic": "defense-strategy", "score": 9.0, "relevant": True,
                                "matched_terms": [], "threshold": 6.0}])
    db.close()
    html = call(ds, "get", "/").text
    assert "Queue 15 1 unread" in text(html)
    assert re.findall(r'<li class="nm-item nm-unread" id="nm-(\d+)"', html) == [str(quake)]


def test_an_article_stored_in_the_second_the_last_visit_ended_is_unread(desk_db):
    # Times are kept in whole seconds: an article stored in the same second as the reviewer's
    # last page load may have come after it, and was marked read, never shown as new.
    path, _ = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    call(ds, "get", "/")
    ended = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="seconds")
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=3)).isoformat(timespec="seconds")
    sql(path, "UPDATE articles SET first_seen_at = ?, relevant_since = ?", params=(long_ago, long_ago))
    sql(path, "UPDATE reviewer_visits SET last_seen_at = ?", params=(ended,))
    db = open_db(path)
    same_second, _ = queries.save_article(db, {"url": "https://example.jp/same-second", "title": "安保3文書 続報",
                                               "text": "安保3文書の続報。", "relevant": True, "score": 9.0,
                                               "topic": "defense-strategy", "matched_terms": []}, now=ended)
    db.close()
    html = call(ds, "get", "/").text
    assert "Queue 15 1 unread" in text(html)
    assert re.findall(r'<li class="nm-item nm-unread" id="nm-(\d+)"', html) == [str(same_second)]


def test_an_article_whose_write_waited_for_another_is_unread_at_the_next_visit(desk_db):
    # The crawl dated an article when its write began waiting for another writer's (an ingest's
    # batch, a rescore's), not when it was written: a queue page loaded in between lacked it, and
    # at the next visit it was older than that load, neither marked unread nor counted.
    import threading
    import time

    from crawler import store
    from storage import review, transaction

    from .stories_site import ARTICLES, HOSTS, page

    path, _ = desk_db
    story = ARTICLES["b"]
    url, body = f"http://{HOSTS[story.outlet]}:8000{story.path}", page(ARTICLES["b"]).encode()
    record = {**store.analyse(body, url), "outlet": story.outlet}
    other = open_db(path)
    page_id = store.keep_page(other, url, body, outlet=story.outlet)  # fetched; extracted by a worker
    review.visit(other, REVIEWER)
    opened, held, stored = threading.Event(), threading.Event(), {}

    def crawl() -> None:  # the crawl's pipeline writes the verdict, on a connection of its own
        crawl_db = open_db(path)
        opened.set()
        held.wait()
        stored["id"] = store.save_verdict(crawl_db, url=url, page_id=page_id, record=record, outlet=story.outlet,
                                          attempt=True).article_id
        crawl_db.close()

    thread = threading.Thread(target=crawl)
    thread.start()
    opened.wait()
    with transaction(other):  # the other writer: the crawl's write waits
        held.set()
        time.sleep(1.5)
        # A queue page loads meanwhile (in this transaction: before the crawl's write, surely).
        seen = review.visit(other, REVIEWER)
        items, _ = desk.list_page(other.conn, "queue", thresholds={}, since=seen)
    thread.join()
    assert stored["id"] not in {i for item in items for i in item.ids}
    later = (datetime.now(timezone.utc) + timedelta(minutes=31)).isoformat(timespec="seconds")
    since = review.visit(other, REVIEWER, now=later)  # back after a break
    items, _ = desk.list_page(other.conn, "queue", thresholds={}, since=since)
    assert [item.ids for item in items if item.unread] == [[stored["id"]]]
    assert desk.counts(other.conn, since=since, feats=desk.features(other.conn))["unread"] == 1
    other.close()


def test_only_the_reviewer_opening_the_queue_is_a_visit(desk_db):
    # Any web page can make the browser load http://127.0.0.1:PORT/ (as an image): that load
    # must not record a visit, which would wipe the unread marks.
    path, ids = desk_db

    def visits() -> list[tuple]:
        with closing(sqlite3.connect(path)) as conn, conn:
            return conn.execute("SELECT reviewer FROM reviewer_visits").fetchall()

    with running_server(path) as server:
        foreign = httpx.get(server.base_url + "/", timeout=60,
                            headers={"sec-fetch-site": "cross-site", "sec-fetch-dest": "image"})
        assert foreign.status_code == 200
        assert "Queue 14 14 unread" in text(foreign.text)
        assert visits() == []
        typed = httpx.get(server.base_url + "/", timeout=60,
                          headers={"sec-fetch-site": "none", "sec-fetch-dest": "document"})
        assert typed.status_code == 200
        assert visits() == [(REVIEWER,)]


def test_threshold_and_probability_from_the_view_when_it_has_them(desk_db):
    # What the relevance work (m006_relevance) stores per article: the queue view carries both.
    path, ids = desk_db
    sql(path, "UPDATE articles SET threshold = 8.5, relevance_p = 0.42 WHERE id = ?", params=(ids["written-0"],))
    ds = build_datasette(path, reviewer=REVIEWER)
    row = call(ds, "get", "/").text.split(f'id="nm-{ids["written-0"]}"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'[\d.]+ / 8.5 · p 0.42</span>', row)


def test_follow_up_shows_the_stored_threshold_and_probability(desk_db):
    # The follow-up list reads its rows from articles, not from the queue view: it must show what
    # is stored there as the queue does, and the topic's threshold only where none is stored.
    path, ids = desk_db
    stored, unset = ids["written-0"], ids["written-1"]
    sql(path, "UPDATE articles SET threshold = 8.5, relevance_p = 0.42 WHERE id = ?", params=(stored,))
    sql(path, "UPDATE articles SET threshold = NULL, relevance_p = NULL WHERE id = ?", params=(unset,))
    ds = build_datasette(path, reviewer=REVIEWER)
    decide(ds, stored, "follow-up")
    decide(ds, unset, "follow-up")
    page = call(ds, "get", "/follow-up").text
    row = page.split(f'id="nm-{stored}"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'[\d.]+ / 8.5 · p 0.42</span>', row)
    row = page.split(f'id="nm-{unset}"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'<span class="nm-score"[^>]*>[\d.]+ / 6</span>', row)  # crawler/topics.toml's


def test_list_page_reads_the_stored_threshold_before_the_configured_one(tmp_path):
    path = tmp_path / "plain.db"
    db = open_db(path)
    for n, threshold in enumerate((8.5, None)):
        queries.save_article(db, {"url": f"https://example.jp/{n}", "title": f"t{n}", "text": f"text {n}",
                                  "relevant": True, "score": 9.0, "topic": "defense-strategy", "matched_terms": [],
                                  "threshold": threshold})
    db.conn.execute("UPDATE articles SET status = 'follow-up', relevance_p = CASE id WHEN 1 THEN 0.42 END")
    db.conn.commit()
    items, total = desk.list_page(db.conn, "follow-up", thresholds={"defense-strategy": 6.0}, since=None)
    db.close()
    got = {i.article["id"]: (i.article["threshold"], i.article.get("probability")) for i in items}
    assert total == 2 and got == {1: (8.5, 0.42), 2: (6.0, None)}


def test_a_queue_view_with_other_columns_still_works(desk_db):
    # Another definition of the queue (the relevance work may write one): only id is required.
    path, ids = desk_db
    sql(path, "DROP VIEW review_queue",
        "CREATE VIEW review_queue AS SELECT id, title, score, 7.0 AS threshold FROM articles "
        "WHERE relevant = 1 AND status = 'new' ORDER BY id DESC")
    ds = build_datasette(path, reviewer=REVIEWER)
    call(ds, "get", "/")
    sql(path, "UPDATE reviewer_visits SET previous_visit_at = ?", params=("2000-01-01T00:00:00+00:00",))
    html = call(ds, "get", "/follow-up").text
    assert "Queue 14 14 unread" in text(html)
    page = call(ds, "get", "/").text
    assert rows_of(page)[0] == str(max(ids.values()))
    assert re.search(r'[\d.]+ / 7</span>', page)


def test_maybe_missed_appears_only_with_its_view(desk_db):
    path, ids = desk_db
    # The lane is m006's maybe_missed view: articles under the threshold the classifier rates likely.
    sql(path, "UPDATE articles SET relevance_flag = 'maybe-missed', relevance_p = 0.61 WHERE id IN (?, ?)",
        params=(ids["nhk_kodomo"], ids["asahi_quake"]))
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/").text
    assert "Maybe missed 2" in text(html.split('<ul class="nm-nav">', 1)[1].split("</ul>", 1)[0])
    page = call(ds, "get", "/maybe-missed").text
    assert set(rows_of(page)) == {str(ids["nhk_kodomo"]), str(ids["asahi_quake"])}
    assert "p 0.61" in page
    # Decided from there like the queue; the row's status is what the decision expects.
    assert decide(ds, ids["nhk_kodomo"], "relevant").status_code == 200
    assert rows_of(call(ds, "get", "/maybe-missed").text) == [str(ids["asahi_quake"])]


def test_stories_are_one_row_each_when_the_schema_has_them(desk_db):
    # What the stories work (issue 11, m007) adds: articles.story_id and a story_queue view.
    path, ids = desk_db
    a, b, c = ids["written-1"], ids["written-3"], ids["written-0"]
    sql(path, "UPDATE articles SET story_id = 9999 WHERE id IN (?, ?)", params=(a, b))
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/").text
    listed = rows_of(html)
    assert len(listed) == 13 and str(b) not in listed and str(c) in listed
    story = html.split(f'id="nm-{a}"', 1)[1].split("</li>", 1)[0]
    assert f'data-ids="{a},{b}"' in html and "2 articles" in story
    assert "1 more in this story" in story and f'href="/newsmon/articles/{b}"' in story
    # Its buttons say that they decide both (one key once dismissed a story's 293 unawares).
    buttons = html.split(f'id="nm-{a}"', 1)[1].split("</form>", 1)[0]
    assert ">Dismiss all 2</button>" in buttons and 'title="Relevant, all 2 articles of the story (r)"' in buttons
    single = html.split(f'id="nm-{c}"', 1)[1].split("</form>", 1)[0]
    assert ">Dismiss</button>" in single
    assert "Review queue <span class=\"nm-count\">13</span>" in html
    # Each article's page says it is one of the story, and that its decision is its own: deciding
    # one there moved the rest of its story elsewhere in the queue, and the page said nothing.
    page = call(ds, "get", f"/newsmon/articles/{b}").text
    box = page.split('<div class="newsmon-story">', 1)[1].split("</div>", 1)[0]
    assert "One of a story of 2 articles: a decision here is\n      this article's alone" in box
    assert re.findall(r'href="/newsmon/articles/(\d+)"', box) == [str(a)] and "status-new" in box
    assert '<div class="newsmon-story">' not in call(ds, "get", f"/newsmon/articles/{c}").text
    # A decision on the row covers the story's articles.
    response = call(ds, "post", "/-/review", json={"ids": [a, b], "status": "dismissed",
                                                   "expected": {a: "new", b: "new"}}, headers=SAME_ORIGIN)
    assert response.json()["message"] == f"Dismissed: «{WRITTEN[1][2]}» and 1 more"
    assert len(rows_of(call(ds, "get", "/").text)) == 12


def test_the_empty_queue_says_what_to_do_next(desk_db):
    path, _ = desk_db
    sql(path, "UPDATE articles SET status = 'dismissed'")
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/").text
    empty = text(html.split('<div class="nm-empty"', 1)[1].split("</div>", 1)[0])
    assert "Nothing left to review." in empty
    assert "follow-ups" in empty and "search everything" in empty and "Last crawl" in empty


def test_a_page_past_the_end_of_its_list_says_how_many_wait_and_links_back(desk_db):
    # Its rows decided meanwhile (or a link kept), a page at a later offset said "Nothing left to
    # review." with 14 in the queue, and had no link back: the paging links were the rows'.
    path, _ = desk_db
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/", params={"offset": "200"}).text
    assert rows_of(html) == []
    empty = html.split('<div class="nm-empty"', 1)[1].split("</div>", 1)[0]
    assert '<p class="nm-none" hidden>' in empty
    assert re.search(r'<p class="nm-more">.*14</span>\s+more in this list</b>, not on this page: '
                     r'<a href="\?">show them \(j\)</a>', empty, re.S), empty
    assert '<a href="?offset=100">← Previous</a>' in html


def test_search_pages_through_every_match_with_its_filters(desk_db, monkeypatch):
    # The first 50 matches were all there was: "50+ (the first 50)", no way to the rest.
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    params = {"q": "防衛 OR 安全保障 OR security", "order": "newest", "language": "ja"}

    def found(html: str) -> list[str]:
        return re.findall(r'<a class="nm-title" href="/newsmon/articles/(\d+)"', html)

    everything = found(call(ds, "get", "/search", params=params).text)
    assert len(everything) > 5
    monkeypatch.setattr(desk, "SEARCH_LIMIT", 2)
    pages, url = [], "/search?" + "&".join(f"{k}={v}" for k, v in params.items())
    while url:
        html = call(ds, "get", url).text
        pages.append(found(html))
        counted = text(html.split('class="nm-muted nm-result-count">', 1)[1].split("</p>", 1)[0]).strip()
        start = 2 * (len(pages) - 1)
        assert counted.startswith(f"Articles {start + 1}–{start + len(pages[-1])}"), counted
        assert ("← Previous" in html) == (len(pages) > 1)
        nxt = re.search(r'<a href="(\?[^"]+)" rel="next">Next →</a>', html)
        url = "/search" + html_lib.unescape(nxt.group(1)) if nxt else None
        if url:
            assert "language=ja" in url and "order=newest" in url and f"offset={2 * len(pages)}" in url
    assert [i for page in pages for i in page] == everything  # every match once, in the same order
    assert all(len(page) == 2 for page in pages[:-1]) and 1 <= len(pages[-1]) <= 2
    past = call(ds, "get", "/search", params={**params, "offset": "500"}).text
    assert "No more matches." in past and "← Previous" in past


def test_the_csv_of_a_list_is_that_list(desk_db):
    # The CSV link of "Maybe missed" and "Updated" downloaded the review queue.
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    sql(path, f"UPDATE articles SET status = 'relevant', reviewed_at = '2026-01-01T00:00:00+00:00', "
              f"updated_at = '2026-01-02T00:00:00+00:00' WHERE id IN ({ids['nikkei']}, {ids['written-0']})")
    page = call(ds, "get", "/updated").text
    assert 'href="/export.csv?list=updated"' in page and "queue_feed.atom\">Atom" not in page
    listed = rows_of(page)
    assert sorted(listed) == sorted([str(ids["nikkei"]), str(ids["written-0"])])
    response = call(ds, "get", "/export.csv", params={"list": "updated"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="newsmon-updated-')
    exported = [line.split(",", 1)[0] for line in response.content.decode("utf-8-sig").splitlines()[1:]]
    assert exported == listed
    assert call(ds, "get", "/export.csv", params={"list": "maybe-missed"}).content.decode("utf-8-sig").splitlines() \
        == ["id,published_at,outlet,language,title,url,topic,score,status,evidence,review_note,reviewed_by,"
            "reviewed_at,first_seen_at,removed_at,removed"]
    assert call(ds, "get", "/export.csv", params={"list": "queue"}).status_code == 400
    assert 'href="/export.csv"' in call(ds, "get", "/").text


def test_follow_up_and_decisions_pages(desk_db):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    decide(ds, ids["written-2"], "follow-up", "call the ministry")
    decide(ds, ids["written-4"], "dismissed")
    page = call(ds, "get", "/follow-up").text
    assert rows_of(page) == [str(ids["written-2"])]
    assert 'name="expected" value="follow-up"' in page and "call the ministry" in page
    decisions = call(ds, "get", "/decisions").text
    items = decisions.split('<li class="nm-decision')[1:]
    assert len(items) == 2 and "Dismissed" not in items[0]
    assert "new → <span class=\"newsmon-status status-dismissed\">dismissed</span>" in items[0]
    assert all('action="/-/undo"' in item for item in items)  # each is its article's latest


def test_an_article_its_outlet_changed_after_the_review_is_listed_until_seen(desk_db):
    # Marked relevant, out of the queue: when the outlet then rewrote it (a correction, a new
    # paragraph), nothing took the reviewer back to it.
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    decide(ds, ids["written-2"], "relevant")
    decide(ds, ids["written-3"], "dismissed")
    now = datetime.now(timezone.utc)
    stored, reviewed, later = ((now - timedelta(minutes=m)).isoformat(timespec="seconds") for m in (90, 60, 30))
    sql(path, "UPDATE review_log SET at = ?", "UPDATE articles SET reviewed_at = ? WHERE reviewed_at IS NOT NULL",
        params=(reviewed,))
    # Relevant when it was stored, before the reviews (the dismissed one was dismissed as relevant).
    sql(path, "UPDATE articles SET relevant_since = ? WHERE relevant_since IS NOT NULL", params=(stored,))
    db = open_db(path)
    for key in ("written-2", "written-3", "written-4"):  # marked relevant, dismissed, in the queue
        row = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [ids[key]]).fetchone()
        added = row[2] + "\n（追記）政府は同日、詳細を発表した。"
        stored = queries.store_article(db, {"url": row[0], "title": row[1], "text": added}, now=later)
        assert stored.changed
    db.close()
    page = call(ds, "get", "/updated").text
    assert rows_of(page) == [str(ids["written-2"])]  # not the dismissed one, nor the queued one
    assert f"changed {jst(later)}, after the review of {jst(reviewed)}" in text(page)
    assert "Updated after review" in page and "Updated 1" in text(call(ds, "get", "/").text)
    # "Seen": the page's own form, posted as a browser without script does.
    form = page.split(f'<form id="nm-seen-{ids["written-2"]}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["note"] == "read version 2" and fields["expected"] == "relevant"
    del fields["csrftoken"]
    response = call(ds, "post", "/-/review", headers=SAME_ORIGIN, data=fields)
    assert response.status_code == 302
    page = call(ds, "get", "/updated").text
    assert str(ids["written-2"]) not in rows_of(page)
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT status, review_note FROM articles WHERE id = ?", [ids["written-2"]]).fetchone() \
            == ("relevant", "read version 2")
        # m046's partial index answers the list, in its order.
        plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {desk.LISTS['updated'].sql}"))
        assert "idx_articles_changed_after_review" in plan and "TEMP B-TREE" not in plan


def test_seen_on_a_page_older_than_the_articles_newest_version_leaves_it_listed(desk_db):
    # The Updated list showed version 2; a revisit stored version 3 while it was open. "Seen"
    # ("read version 2") was a note later than version 3, which took it off the list unread.
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    article = ids["written-2"]
    decide(ds, article, "relevant")
    reviewed = (datetime.now(timezone.utc) - timedelta(minutes=60)).isoformat(timespec="seconds")
    sql(path, "UPDATE review_log SET at = ?", "UPDATE articles SET reviewed_at = ? WHERE reviewed_at IS NOT NULL",
        params=(reviewed,))

    def revisit(added: str) -> None:
        db = open_db(path)
        url, title, body = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [article]).fetchone()
        assert queries.store_article(db, {"url": url, "title": title, "text": body + added}, article_id=article).changed
        db.close()

    revisit("\n（追記）政府は同日、詳細を発表した。")
    page = call(ds, "get", "/updated").text
    form = page.split(f'<form id="nm-seen-{article}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert (fields["note"], fields["versions"]) == ("read version 2", "2")
    del fields["csrftoken"]
    revisit("\n（訂正）数字を改めた。")
    response = call(ds, "post", "/-/review", headers=SAME_ORIGIN, data=fields)
    assert response.status_code == 302
    page = call(ds, "get", "/updated", cookies={"ds_messages": response.cookies["ds_messages"]}).text
    assert "was not changed: its text changed after this page was loaded (version 3, stored " in page
    assert rows_of(page) == [str(article)]
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT status, review_note FROM articles WHERE id = ?", [article]).fetchone() \
            == ("relevant", None)


def test_a_version_stored_in_the_second_of_the_decision_is_listed_as_updated(desk_db):
    # A revisit's write just after the reviewer's click, in its second (times are whole seconds):
    # "updated_at > reviewed_at" left the version in no list, read by nobody (a follow-up kept its
    # row on Follow-up, without the change said). The dismissed ones' rule counts the same second.
    from storage import review as reviews

    path, ids = desk_db
    at = (datetime.now(timezone.utc) - timedelta(minutes=10)).isoformat(timespec="seconds")
    db = open_db(path)
    for key, status in (("written-2", "relevant"), ("written-3", "follow-up")):
        version = db.execute("SELECT version FROM articles WHERE id = ?", [ids[key]]).fetchone()[0]
        reviews.review(db, ids[key], status, by=REVIEWER, expected_version=version, now=at)
        url, title, body = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [ids[key]]).fetchone()
        assert queries.store_article(db, {"url": url, "title": title, "text": body + "\n（訂正）数字を改めた。"},
                                     article_id=ids[key], now=at).changed
    db.close()
    ds = build_datasette(path, reviewer=REVIEWER)
    page = call(ds, "get", "/updated").text
    assert sorted(rows_of(page)) == sorted(str(ids[k]) for k in ("written-2", "written-3"))
    assert f"changed {jst(at)}, after the review of {jst(at)}" in text(page)
    with closing(sqlite3.connect(path)) as conn, conn:
        plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {desk.LISTS['updated'].sql}"))
        assert "idx_articles_changed_after_review" in plan and "TEMP B-TREE" not in plan


def test_a_dismissed_article_an_update_made_relevant_is_listed_until_seen(desk_db):
    # A flash dismissed as about nothing (it named nothing of the documents), then written by its
    # outlet into an article on them: relevant now, but dismissed it was in no list of the desk
    # (the queue is the undecided, "Updated" those marked relevant or follow-up), while the digest
    # told it as a new relevant article. Stored as the crawl stores it (crawler.store.save).
    from crawler import store

    from .stories_site import ARTICLES, HOSTS, UPDATED, page

    def save(db, story):
        url = f"http://{HOSTS[story.outlet]}:8000{story.path}"
        body = page(story).encode()
        return store.save(db, url=url, body=body, record={**store.analyse(body, url), "outlet": story.outlet},
                          outlet=story.outlet)

    path, ids = desk_db
    db = open_db(path)
    flash = save(db, ARTICLES["c"])
    db.close()
    assert not flash.relevant
    ds = build_datasette(path, reviewer=REVIEWER)
    decide(ds, flash.article_id, "dismissed", "nothing on the documents")
    decide(ds, ids["written-3"], "dismissed")  # dismissed as relevant: its updates are no news
    reviewed = (datetime.now(timezone.utc) - timedelta(minutes=30)).isoformat(timespec="seconds")
    sql(path, "UPDATE review_log SET at = ?", "UPDATE articles SET reviewed_at = ? WHERE reviewed_at IS NOT NULL",
        params=(reviewed,))
    sql(path, "UPDATE articles SET relevant_since = ? WHERE id = ?", params=("2026-01-01T00:00:00+00:00",
                                                                               ids["written-3"]))
    assert call(ds, "get", "/updated").status_code == 200 and rows_of(call(ds, "get", "/updated").text) == []
    db = open_db(path)
    updated = save(db, UPDATED["c"])
    db.close()
    assert updated.became_relevant and updated.version == 2
    # Made relevant 20 minutes ago, the reviewer's "Seen" now: in whole seconds apart, as people are.
    since = (datetime.now(timezone.utc) - timedelta(minutes=20)).isoformat(timespec="seconds")
    sql(path, "UPDATE articles SET relevant_since = ?, updated_at = ? WHERE id = ?",
        params=(since, since, flash.article_id))
    page_text = call(ds, "get", "/updated").text
    assert rows_of(page_text) == [str(flash.article_id)]
    assert f"relevant since {jst(since)}, after its dismissal of {jst(reviewed)}" in text(page_text)
    assert "Updated 1" in text(call(ds, "get", "/").text)
    # "Seen" keeps the dismissal, a note says the reviewer read it, and it leaves the list.
    form = page_text.split(f'<form id="nm-seen-{flash.article_id}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["note"] == "read version 2" and fields["expected"] == "dismissed"
    del fields["csrftoken"]
    assert call(ds, "post", "/-/review", headers=SAME_ORIGIN, data=fields).status_code == 302
    assert rows_of(call(ds, "get", "/updated").text) == []
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT status, relevant, review_note FROM articles WHERE id = ?", [flash.article_id]) \
            .fetchone() == ("dismissed", 1, "nothing on the documents\nread version 2")


def test_the_queue_opens_when_the_visit_cannot_be_recorded_and_a_failed_write_is_said(desk_db):
    # A write SQLite refuses (a file locked past the busy timeout, a full disk; here a trigger) is
    # a value for the page to handle: Datasette's write thread raised it again, so the queue page
    # was a 500 whenever the reviewer's visit could not be recorded, the one write it can do without.
    path, ids = desk_db
    sql(path, "CREATE TRIGGER full_disk BEFORE INSERT ON reviewer_visits BEGIN SELECT RAISE(ABORT, 'database or "
              "disk is full'); END",
        "CREATE TRIGGER full_disk_too BEFORE INSERT ON review_log BEGIN SELECT RAISE(ABORT, 'database or disk is "
        "full'); END")
    ds = build_datasette(path, reviewer=REVIEWER)
    page = call(ds, "get", "/")
    assert page.status_code == 200 and str(ids["written-0"]) in rows_of(page.text)
    assert 'class="nm-new"' in page.text  # no visit recorded: everything is still unread
    # A form post without script comes back to the page with the error said, nothing changed.
    reply = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                 data={"ids": str(ids["written-0"]), "status": "dismissed", "return": "/"})
    assert reply.status_code == 302
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT status FROM articles WHERE id = ?", [ids["written-0"]]).fetchone() == ("new",)


def test_a_batch_that_fails_half_way_says_what_was_done_and_what_failed(desk_db):
    # Each decision is its own transaction: when SQLite fails on one (a locked or full file; here
    # a trigger), those before it are committed, and the page needs them in the reply to undo them.
    path, ids = desk_db
    first, broken, last = ids["written-1"], ids["written-3"], ids["written-5"]
    fail_on = ("CREATE TRIGGER fail_here BEFORE INSERT ON review_log WHEN NEW.article_id = {} "
               "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    sql(path, fail_on.format(broken))
    ds = build_datasette(path, reviewer=REVIEWER)
    response = call(ds, "post", "/-/review", headers=SAME_ORIGIN,
                    json={"ids": [first, broken, last], "status": "dismissed"})
    reply = response.json()
    assert reply["ok"] is False
    assert [d["article_id"] for d in reply["decisions"]] == [first, last]
    assert reply["failed"] == [{"article_id": broken, "error": "disk I/O error"}]
    assert reply["error"] == f"Article {broken} was not changed: disk I/O error."
    assert reply["message"].startswith("Dismissed: «") and reply["message"].endswith("» and 1 more")
    with closing(sqlite3.connect(path)) as conn, conn:
        status = dict(conn.execute("SELECT id, status FROM articles WHERE id IN (?, ?, ?)", [first, broken, last]))
    assert status == {first: "dismissed", broken: "new", last: "dismissed"}

    # Undo goes on past a failure the same way.
    sql(path, "DROP TRIGGER fail_here")
    entry = decide(ds, broken, "dismissed").json()["decisions"][0]["id"]
    sql(path, fail_on.format(broken))
    undone = call(ds, "post", "/-/undo", headers=SAME_ORIGIN,
                  json={"entries": [reply["decisions"][0]["id"], entry]}).json()
    assert [d["article_id"] for d in undone["decisions"]] == [first]
    assert undone["error"] == f"Decision {entry} was not undone: disk I/O error."


# --- search ---------------------------------------------------------------------------------

def test_without_the_maybe_missed_view_there_is_no_lane(desk_db):
    path, _ = desk_db
    sql(path, "DROP VIEW maybe_missed")
    ds = build_datasette(path, reviewer=REVIEWER)
    assert call(ds, "get", "/maybe-missed").status_code == 404
    assert "Maybe missed" not in text(call(ds, "get", "/").text.split('<ul class="nm-nav">', 1)[1].split("</ul>", 1)[0])


@pytest.mark.parametrize(("query", "params", "expected"), [
    ("反撃能力 OR counterstrike", {}, {"nikkei", "counterstrike", "written-0", "written-1", "written-4",
                                       "written-5", "written-6", "written-8", "written-9"}),
    ('"three security documents"', {}, {"counterstrike", "written-5", "written-6"}),
    ("反撃能力 OR counterstrike", {"language": "en"}, {"counterstrike", "written-5", "written-6"}),
    ("安保3文書", {"outlet": "sankei"}, {"written-4"}),
    ("防衛", {"from": "2024-10-01", "to": "2024-10-31"}, set()),
    ("安全保障", {"from": "2023-01-01", "to": "2023-12-31"}, {"nikkei", "nhk_ukraine"}),
])
def test_search_supports_or_phrases_and_filters(desk_db, query, params, expected):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/search", params={"q": query, **params}).text
    found = set(re.findall(r'<a class="nm-title" href="/newsmon/articles/(\d+)"', html))
    assert found == {str(ids[k]) for k in expected}, text(html)[-800:]


def test_search_highlights_terms_and_refuses_what_it_cannot_read(desk_db):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/search", params={"q": "反撃能力 OR counterstrike", "order": "newest"}).text
    assert html.index('id="nm-q"') < html.index('class="nm-results"')  # the box first
    assert "<mark>Counterstrike</mark> capability debate" in html  # in the title, any case
    assert '<p class="nm-snippet" lang="ja">与党は<mark>反撃能力</mark>の行使要件' in html
    newest = re.findall(r'<a class="nm-title" href="/newsmon/articles/(\d+)"', html)
    assert newest[:3] == [str(ids["counterstrike"]), str(ids["written-0"]), str(ids["written-1"])]
    refused = call(ds, "get", "/search", params={"q": '"安保 防衛'}).text
    assert "a quote is not closed" in refused
    assert "OR needs a word on each side" in call(ds, "get", "/search", params={"q": "OR 安保"}).text
    assert "write a date as YYYY-MM-DD" in call(ds, "get", "/search", params={"q": "安保", "from": "x"}).text
    # Leaving a word out, and a lower-case "or": said, not searched for as words.
    assert "a search cannot leave a word out" in call(ds, "get", "/search", params={"q": "安保 -防衛"}).text
    lower = call(ds, "get", "/search", params={"q": "反撃能力 or counterstrike"}).text
    assert "Alternatives need OR in capitals" in lower
    assert "Alternatives need OR" not in call(ds, "get", "/search", params={"q": "反撃能力 OR counterstrike"}).text


# --- outlets and the CSV ------------------------------------------------------------------------

def test_outlets_page_lists_every_outlet_worst_first(desk_db):
    from crawler.outlets import registry

    path, _ = desk_db
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/outlets").text
    listed = re.findall(r'<tr class="nm-outlet nm-row-(\w+)" data-outlet="(\w+)">', html)
    assert {outlet for _, outlet in listed} == set(registry())
    # asahi's last run was ok, but none has finished for 3 hours of runs every 15 minutes: failing,
    # as the banner and `newsmon status` say.
    assert listed[:2] == [("failing", "asahi"), ("failing", "nhk")]
    assert {health for health, _ in listed[2:]} == {"unknown"}
    assert "no crawl of it has finished for 3." in html
    assert "never ran" in html and "the last run hung and was killed at its timeout" in html
    # How long after their publication asahi's articles were found, the median of 3.
    assert re.search(r'data-outlet="asahi">.*?<td data-label="Found after">25 min \(3\)</td>', html, re.S)


def test_outlets_page_notes_a_sections_unwatchable_list_and_the_urls_left_as_newsmon_status_does(desk_db):
    # `newsmon status` said under an outlet that a section page reads well but its turnover cannot be told (what
    # drops off it goes unseen), or that its own list is its box of picks, and the URL states its last run left; the
    # desk's outlets page said neither.
    from storage import frontier, health

    path, _ = desk_db
    unjudged = "no list of its own told apart: its 6 article URLs are all in boxes of other articles"
    picks = "its own list is its box named as picks: 12 article URLs under ピックアップ, pickup or recommend"
    at = (datetime.now(timezone.utc) - timedelta(minutes=30)).isoformat(timespec="seconds")
    db = open_db(path)
    run_id = queries.start_run(db, ["nhk"], "schedule", now=at)
    for url, reason in (("https://news.web.nhk/rank/?a=1&b=<2>", unjudged), ("http://news.web.nhk/p", picks),
                        ("http://news.web.nhk/news", "redirected to https://news.web.nhk/news/")):
        frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=url, kind="section", ok=True, http_status=200,
                                  article_urls=6, reason=reason, now=at)
    queries.finish_run(db, run_id, requests=3, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="finished", exit_status=0, now=at)
    health.record_outlet_run(db, run_id, "nhk", {"discovery_ok": 3})
    db.execute("UPDATE outlet_runs SET url_states = ? WHERE run_id = ?", ['{"article": 40, "not_article": 2}', run_id])
    db.conn.close()
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/outlets").text
    row = lambda outlet: html.split(f'data-outlet="{outlet}"', 1)[1].split("</tr>", 1)[0]  # noqa: E731
    notes = re.findall(r'<div class="nm-outlet-note">(.*?)</div>', row("nhk"), re.S)
    # Each section a link to it, its URL escaped.
    assert notes == ['note: section <a href="http://news.web.nhk/p">http://news.web.nhk/p</a>: ' + picks,
                     'note: section <a href="https://news.web.nhk/rank/?a=1&amp;b=&lt;2&gt;">'
                     'https://news.web.nhk/rank/?a=1&amp;b=&lt;2&gt;</a>: ' + unjudged], notes
    # Worded as `newsmon status` words them, and a redirect is no note.
    status = CliRunner().invoke(cli, ["status", "--db", str(path)]).output
    said = [line.strip() for line in status.splitlines() if line.startswith("    note: ")]
    assert [html_lib.unescape(re.sub(r"<[^>]+>", "", note)) for note in notes] == said, status
    # An outlet without notes shows nothing more.
    assert "nm-outlet-note" not in row("asahi") and "nm-outlet-note" not in row("mainichi")
    # The URL states its last run left, as status counts them (the page did not say them).
    assert f"    urls of run {run_id}: 40 article, 2 not_article" in status.splitlines()
    assert f"urls of run {run_id}: 40 article, 2 not_article" in text(row("nhk")), row("nhk")


def test_an_outlet_no_crawl_of_which_finished_is_failing_since_its_last_finished_crawl_as_status_says(desk_db):
    # The page said since when its stored health was "ok" (an outlet ok for weeks read "failing since" weeks ago),
    # `newsmon status` since its last crawl finished (scheduler.flag_overdue).
    path, _ = desk_db
    sql(path, "UPDATE outlet_health SET since = '2026-01-05T00:00:00+00:00' WHERE outlet = 'asahi'")
    with closing(sqlite3.connect(path)) as conn:
        [finished] = conn.execute("SELECT max(finished_at) FROM crawl_runs r, json_each(r.outlets) j "
                                  "WHERE j.value = 'asahi'").fetchone()
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/outlets").text
    health = html.split('data-outlet="asahi"', 1)[1].split('<td data-label="Why">', 1)[0]
    assert "failing" in health and f"since {jst(finished)}" in health, health
    status = CliRunner().invoke(cli, ["status", "--db", str(path)]).output
    assert re.search(r"^    failing since .+ ago\)$", status, re.M), status  # the same moment, said as status says it


def test_a_degraded_outlet_no_crawl_of_which_finished_is_failing_since_its_last_crawl_in_the_banner_too(desk_db):
    # The banner kept a degraded outlet's stored since once no crawl of it finished for too long: "failing since" the
    # day it turned degraded (weeks back) above the queue, since its last finished crawl on the outlets page and in
    # `newsmon status`.
    path, _ = desk_db
    sql(path, "UPDATE outlet_health SET status = 'degraded', since = '2020-01-05T00:00:00+00:00', reasons = ? "
              "WHERE outlet = 'asahi'", params=('[{"code": "lag", "message": "articles found late"}]',))
    [row] = [r for r in json.loads(CliRunner().invoke(cli, ["status", "--db", str(path), "--json"]).output)
             if r["outlet"] == "asahi"]
    assert row["health"] == "failing" and not row["health_since"].startswith("2020-01-05"), row
    ds = build_datasette(path, reviewer=REVIEWER)
    banner = text(call(ds, "get", "/").text.split('<div class="nm-banner" role="alert">', 1)[1].split("</div>", 1)[0])
    assert f"(asahi) since {jst(row['health_since'])}: articles found late; no crawl of it has finished" in banner, \
        banner
    health = call(ds, "get", "/outlets").text.split('data-outlet="asahi"', 1)[1].split('<td data-label="Why">', 1)[0]
    assert f"since {jst(row['health_since'])}" in health, health


def test_outlets_no_run_crawls_any_more_are_retired_no_alarm_in_the_header(desk_db):
    # Retired (storage.health.retire): taken out of the schedule, no alarm. Every crawled outlet of the desk's
    # database retired, the header's Outlets read "2 retired" as it reads "2 failing".
    path, _ = desk_db
    sql(path, "UPDATE outlet_health SET status = 'retired'")
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/outlets").text
    nav = html.split('<ul class="nm-nav">', 1)[1].split("</ul>", 1)[0]
    assert "nm-badge" not in nav, nav
    listed = re.findall(r'<tr class="nm-outlet nm-row-(\w+)" data-outlet="(\w+)">', html)
    assert [outlet for health, outlet in listed if health == "retired"] == ["asahi", "nhk"]
    assert "<b>retired</b> (no run has crawled it" in html


def test_outlets_of_the_config_are_listed_too(desk_db, tmp_path):
    path, _ = desk_db
    config = tmp_path / "c.toml"
    config.write_text('[outlets.example]\nname = "Example Shimbun"\nfeeds = ["http://127.0.0.1:9/rss"]\n'
                      'article_url_pattern = "/a/"\n', encoding="utf-8")
    html = call(build_datasette(path, reviewer=REVIEWER, config_path=str(config)), "get", "/outlets").text
    assert 'data-outlet="example"' in html and "Example Shimbun" in html


def test_the_outlets_page_does_not_read_every_run_of_every_outlet(desk_db):
    # SELECT DISTINCT outlet FROM outlet_runs read a row for every run of every outlet (122,000 at a year of hourly
    # runs of 14: bench/ledger) at each look at the page. An outlet only checked is listed still.
    from datasette import hookimpl
    from datasette.plugins import pm

    path, _ = desk_db
    sql(path, "INSERT INTO outlet_health (outlet, status, reasons, since, checked_at) "
              "VALUES ('checkedonly', 'ok', '[]', '2026-12-01T00:00:00+00:00', '2026-12-01T00:00:00+00:00')")
    seen: list[str] = []

    class Traced:
        @staticmethod
        @hookimpl
        def prepare_connection(conn):
            conn.set_trace_callback(seen.append)

    pm.register(Traced, name="traced")
    try:
        html = call(build_datasette(path, reviewer=REVIEWER), "get", "/outlets").text
    finally:
        pm.unregister(name="traced")
    assert 'data-outlet="checkedonly"' in html and 'data-outlet="asahi"' in html
    statements = dict.fromkeys(s for s in seen if "outlet_runs" in s and s.lstrip().startswith(("SELECT", "WITH")))
    assert statements
    with closing(sqlite3.connect(path)) as conn:
        for statement in statements:
            steps = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
            assert not [s for s in steps if re.match(r"SCAN (outlet_runs|o)\b", s)], (statement, steps)


def test_the_csv_download_has_a_bom(desk_db):
    path, _ = desk_db
    response = call(build_datasette(path, reviewer=REVIEWER), "get", "/export.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbfid,published_at,")
    assert response.headers["content-disposition"].startswith('attachment; filename="newsmon-queue-')
    assert len(response.content.decode("utf-8-sig").splitlines()) == 1 + 14


def test_datasette_table_pages_show_times_in_jst(desk_db):
    path, ids = desk_db
    ds = build_datasette(path, reviewer=REVIEWER)
    html = call(ds, "get", "/newsmon/articles").text
    stamps = re.findall(r'<time datetime="([^"]+)" title="[^"]+">(\d+月\d+日 \d\d:\d\d) JST</time>', html)
    assert stamps, "no time rendered in JST"
    stored, shown = stamps[0]
    moment = datetime.fromisoformat(stored).astimezone(timezone(timedelta(hours=9)))
    assert shown == f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def test_primary_sources_are_shown_apart(desk_db):
    path, ids = desk_db
    sql(path, "UPDATE articles SET primary_source = 1 WHERE id = ?", params=(ids["written-2"],))
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/").text
    marked = html.split(f'id="nm-{ids["written-2"]}"', 1)[1].split("</li>", 1)[0]
    other = html.split(f'id="nm-{ids["written-3"]}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="nm-primary"' in marked and "nm-primary" not in other


def test_the_config_is_read_once_for_the_desk_and_the_article_pages(desk_db, tmp_path, monkeypatch):
    # The desk's settings and each article page's scoring trace need the same outlets and topics.
    import crawler.config
    import crawler.store

    path, ids = desk_db
    config = tmp_path / "once.toml"
    config.write_text('[outlets.example]\nname = "Example Shimbun"\nfeeds = ["http://127.0.0.1:9/rss"]\n'
                      'article_url_pattern = "/a/"\n', encoding="utf-8")
    reads = []
    load_config = crawler.config.load_config

    def counted(config_path=None):
        reads.append(config_path)
        return load_config(config_path)

    monkeypatch.setattr(crawler.config, "load_config", counted)
    monkeypatch.setattr(crawler.store, "load_config", counted)
    ds = build_datasette(path, reviewer=REVIEWER, config_path=str(config))
    assert "Example Shimbun" in call(ds, "get", "/outlets").text
    for _ in range(2):
        assert call(ds, "get", f"/newsmon/articles/{ids['written-0']}").status_code == 200
    assert reads == [str(config)]


def test_an_article_whose_next_page_could_not_be_read_is_marked_incomplete(desk_db):
    # Its text and score are a part's: the row says so, and leads to the page that says which.
    path, ids = desk_db
    db = open_db(path)
    article = ids["written-2"]
    db.execute("INSERT INTO urls (url, outlet, kind, reason, reason_code, article_id, first_seen_at, last_seen_at, "
               "attempts) VALUES ('https://e.jp/a/2', 'nhk', 'article', 'page 2 of article … could not be read', "
               "'page_missing', ?, '2026-11-30T00:00:00+00:00', '2026-11-30T00:00:00+00:00', 1)", [article])
    db.conn.commit()
    html = call(build_datasette(path, reviewer=REVIEWER), "get", "/").text
    marked = html.split(f'id="nm-{article}"', 1)[1].split("</li>", 1)[0]
    other = html.split(f'id="nm-{ids["written-3"]}"', 1)[1].split("</li>", 1)[0]
    assert '<a class="nm-incomplete"' in marked and "nm-incomplete" not in other
