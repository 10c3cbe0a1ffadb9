"""Notifications: the [notify] settings, what a digest lists, and real delivery on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest

from crawler import notify
from crawler.config import ConfigError
from storage import health, open_db, queries

from .test_schedule import Receiver

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def crawl(db, outlet: str, at: datetime, articles: list[tuple[str, bool]], finish_reason: str | None = "finished") -> int:
    """A run of ``outlet`` at ``at`` that stored ``articles`` (title, relevant), finished with ``finish_reason``
    (``None``: never recorded as ended, a crawl killed before anything could say so)."""
    stamp = at.isoformat()
    run_id = queries.start_run(db, [outlet], "schedule", pid=None, now=stamp)
    for title, relevant in articles:
        url = f"https://{outlet}.example/{title}"
        article_id, _ = queries.save_article(db, {"url": url, "title": title, "text": title * 3, "outlet": outlet,
                                                  "relevant": relevant, "score": 9.0 if relevant else 0.0,
                                                  "topic": "defense-strategy",
                                                  "matched_terms": [{"term": "反撃能力", "count": 2}]}, now=stamp)
        queries.record_url(db, url, outlet=outlet, kind="article", article_id=article_id, now=stamp)
    if finish_reason is not None:
        queries.finish_run(db, run_id, requests=1, responses_by_status={"200": 1}, articles_new=len(articles),
                           articles_relevant=sum(r for _, r in articles), errors=0, finish_reason=finish_reason,
                           exit_status=0, now=stamp)
    return run_id


def needs_apprise() -> None:
    try:
        notify._import_apprise()  # not importorskip: apprise's import warns of a deprecation
    except ImportError:
        pytest.skip("apprise is not installed (pip install apprise)")


def titles(digest) -> list[str]:
    return [a["title"] for a in digest["articles"]] if digest else []


# --- settings ---------------------------------------------------------------------------------

def test_settings_from_the_config_table():
    assert notify.parse_settings({}) is None
    assert notify.parse_settings({"always": True}) is None  # no channel, nothing to send
    settings = notify.parse_settings({"webhook": "https://hooks.example.org/x", "command": "notify-send -u low",
                                      "webhook_headers": {"Authorization": "Bearer t"}, "timeout": 3})
    assert settings.channels == ["webhook", "command"]
    assert settings.command == ["notify-send", "-u", "low"] and settings.timeout == 3.0


@pytest.mark.parametrize("table, message", [
    ({"url": "https://x"}, "unknown key(s) ['url']"),
    ({"webhook": "hooks.example.org"}, "give an http:// or https:// URL"),
    ({"command": []}, "command must be a command line"),
    ({"webhook": "https://x", "timeout": "10s"}, "give a number of seconds"),
    ({"apprise": [1]}, "apprise must be an apprise URL"),
    ({"webhook": "https://x", "news_age": "a week"}, '[notify] news_age (or "off") = \'a week\': write a number'),
])
def test_bad_settings_say_what_to_fix(table, message):
    with pytest.raises(ConfigError) as exc:
        notify.parse_settings(table)
    assert message in str(exc.value)


def test_apprise_urls_are_checked_at_start():
    needs_apprise()
    with pytest.raises(ConfigError, match="'bogus://x' is not one apprise understands"):
        notify.check_apprise(notify.NotifySettings(apprise=["bogus://x"]))
    notify.check_apprise(notify.NotifySettings(apprise=["json://127.0.0.1:9/hook"]))


# --- what a digest lists ----------------------------------------------------------------------

def test_a_digest_lists_each_new_relevant_article_once(db):
    first = crawl(db, "nhk", NOW, [("防衛費", True), ("天気", False)])
    digest = notify.build_digest(db, first, [], now=NOW)
    assert titles(digest) == ["防衛費"] and digest["articles_total"] == 1
    assert digest["articles"][0]["matched_terms"] == ["反撃能力"]
    assert digest["run"]["outlets"] == ["nhk"] and digest["type"] == "newsmon.digest"
    assert digest["title"] == "newsmon: 1 new relevant article"
    assert "- 防衛費 (nhk)\n  https://nhk.example/防衛費\n  matched: 反撃能力" in digest["text"]
    from storage import notifications

    notifications.record(db, first, "webhook", ok=True, error=None, articles=1, health_changes=0, now=NOW)
    notifications.mark_notified(db, [digest["articles"][0]["id"]], first, now=NOW)
    # The next run found nothing: no digest at all, unless a heartbeat is wanted.
    quiet = crawl(db, "nhk", NOW + timedelta(minutes=15), [])
    assert notify.build_digest(db, quiet, [], now=NOW + timedelta(minutes=15)) is None
    assert titles(notify.build_digest(db, quiet, [], always=True, now=NOW)) == []
    # Another outlet's articles are its own run's business.
    other = crawl(db, "asahi", NOW + timedelta(minutes=20), [("安保3文書", True)])
    assert titles(notify.build_digest(db, quiet, [], now=NOW + timedelta(minutes=20))) == []
    assert titles(notify.build_digest(db, other, [], now=NOW + timedelta(minutes=20))) == ["安保3文書"]


def test_a_reviewed_article_its_outlet_changes_is_told_once_by_the_run_that_found_it(db):
    from storage import review

    first = crawl(db, "nhk", NOW, [("防衛費", True), ("反撃能力", True)])
    marked, queued = (db.execute("SELECT id FROM articles WHERE title = ?", [title]).fetchone()[0]
                      for title in ("防衛費", "反撃能力"))
    review.review(db, marked, "relevant", by="sato", now=(NOW + timedelta(minutes=5)).isoformat())
    later = NOW + timedelta(minutes=15)
    second = queries.start_run(db, ["nhk"], "schedule", pid=None, now=later.isoformat())
    for article_id in (marked, queued):  # a revisit of each finds a new paragraph
        row = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [article_id]).fetchone()
        queries.store_article(db, {"url": row[0], "title": row[1], "text": row[2] + "\n（追記）"},
                              article_id=article_id, now=(later + timedelta(seconds=30)).isoformat())
    # And a new relevant article of the same run, listed as news beside it.
    fresh = {"url": "https://nhk.example/new", "title": "安保3文書", "text": "安保3文書" * 3, "outlet": "nhk",
             "relevant": True, "score": 9.0, "topic": "defense-strategy"}
    new_id, _ = queries.save_article(db, fresh, now=(later + timedelta(seconds=40)).isoformat())
    queries.record_url(db, "https://nhk.example/new", outlet="nhk", kind="article", article_id=new_id,
                       now=(later + timedelta(seconds=40)).isoformat())
    from storage import notifications

    notifications.mark_notified(db, [marked, queued], first, now=NOW)  # the first run's digest told them
    queries.finish_run(db, second, requests=2, responses_by_status={"200": 2}, articles_new=1, articles_relevant=1,
                       errors=0, finish_reason="finished", exit_status=0,
                       now=(later + timedelta(minutes=1)).isoformat())
    digest = notify.build_digest(db, second, [], now=later)
    assert titles(digest) == ["安保3文書"]
    # The queued one is the queue's business; the reviewed one would reach nobody.
    assert [a["id"] for a in digest["articles_updated"]] == [marked]
    assert digest["title"] == "newsmon: 1 new relevant article; 1 reviewed article updated"
    assert "Changed by their outlets after your review" in digest["text"]
    assert "- 防衛費 (nhk, relevant, now version 2)\n  https://nhk.example/防衛費" in digest["text"]
    # The run after found nothing new: nothing to tell again.
    assert notify.build_digest(db, crawl(db, "nhk", later + timedelta(minutes=15), []), [], now=later) is None


def test_turning_notifications_on_does_not_send_the_whole_history(db):
    crawl(db, "nhk", NOW - timedelta(days=30), [("昔の記事", True)])
    run_id = crawl(db, "nhk", NOW, [("今日の記事", True)])
    assert titles(notify.build_digest(db, run_id, [], now=NOW)) == ["今日の記事"]


def test_a_killed_runs_articles_reach_the_first_digest_ever(db):
    # No digest has gone out yet (the runs before had nothing to tell): the runs killed before they could send
    # theirs, in the last day, leave their articles to this one; a finished run's and a day-old one's are history.
    crawl(db, "nhk", NOW - timedelta(days=2), [("おととい", True)], finish_reason="killed")
    crawl(db, "nhk", NOW - timedelta(hours=3), [("終えた回", True)])
    crawl(db, "nhk", NOW - timedelta(hours=2), [("止められた回", True)], finish_reason="shutdown: forced")
    crawl(db, "nhk", NOW - timedelta(hours=1), [("記録のない回", True)], finish_reason=None)
    run_id = crawl(db, "nhk", NOW, [("今日の記事", True)])
    assert titles(notify.build_digest(db, run_id, [], now=NOW)) == ["止められた回", "記録のない回", "今日の記事"]


def test_the_first_digest_catches_up_on_its_own_outlets_killed_runs_and_on_a_failed_first_try(tmp_path):
    from storage import notifications

    # Another outlet's run left unclosed is no reason to send this outlet's history (finished runs while [notify]
    # was off): the look-back swept every outlet's.
    db = open_db(tmp_path / "a.db")
    crawl(db, "asahi", NOW - timedelta(hours=20), [], finish_reason="timeout")
    crawl(db, "nhk", NOW - timedelta(hours=10), [("十時間前の記事", True)])
    run_id = crawl(db, "nhk", NOW, [("今日の記事", True)])
    assert titles(notify.build_digest(db, run_id, [], now=NOW)) == ["今日の記事"]
    # A killed run's health change recorded unsent (the schedule stopping) is no digest: its articles were lost.
    db = open_db(tmp_path / "b.db")
    killed = crawl(db, "nhk", NOW - timedelta(hours=2), [("止められた回", True)],
                   finish_reason="failed: killed by signal 15")
    notifications.record_unsent(db, killed, "the schedule was stopping", health_changes=1,
                                now=NOW - timedelta(hours=2) + timedelta(minutes=1))
    run_id = crawl(db, "nhk", NOW, [("今日の記事", True)])
    assert titles(notify.build_digest(db, run_id, [], now=NOW)) == ["止められた回", "今日の記事"]
    # The first digest ever tried failed, 40 s after its article was stored: the next window began at the try.
    db = open_db(tmp_path / "c.db")
    first = crawl(db, "nhk", NOW, [("防衛費", True)])
    notifications.record(db, first, "webhook", ok=False, error="Connection refused", articles=1, health_changes=0,
                         now=NOW + timedelta(seconds=40))
    later = crawl(db, "nhk", NOW + timedelta(minutes=15), [("反撃能力", True)])
    assert titles(notify.build_digest(db, later, [], now=NOW + timedelta(minutes=15))) == ["防衛費", "反撃能力"]


def test_a_backfills_old_articles_are_counted_not_listed_as_news(db):
    # `newsmon ingest` of last year's archives stores relevant articles first seen now: the
    # digests after it listed them as "new relevant articles", 50 an hour for a day.
    earlier = crawl(db, "nhk", NOW - timedelta(hours=2), [("前の記事", True)])
    assert notify.notify_run(db, earlier, [], notify.NotifySettings(command=[sys.executable, "-c", "pass"]),
                             now=NOW - timedelta(hours=2))
    stored = (NOW - timedelta(minutes=30)).isoformat()
    for title, published in [("2022年の記事", "2022-12-16T10:00:00+09:00"), ("2023年の記事", "2023-01-05T08:00:00+09:00"),
                             ("8日前の記事", (NOW - timedelta(days=8)).isoformat()),
                             ("2日前の記事", (NOW - timedelta(days=2)).isoformat())]:
        url = f"https://nhk.example/{title}"
        article_id, _ = queries.save_article(db, {"url": url, "title": title, "text": title * 3, "outlet": "nhk",
                                                  "relevant": True, "score": 9.0, "published_at": published},
                                             now=stored)
        queries.record_url(db, url, outlet="nhk", kind="article", article_id=article_id, now=stored)
    run_id = crawl(db, "nhk", NOW, [("今日の記事", True)])
    settings = notify.NotifySettings(command=[sys.executable, "-c", "import sys; sys.stdin.read()"])
    digest = notify.notify_run(db, run_id, [], settings, now=NOW)
    # An archive's copy of a two-day-old article is news the crawl missed; the others are not.
    assert titles(digest) == ["2日前の記事", "今日の記事"] and digest["articles_total"] == 2
    assert digest["title"] == "newsmon: 2 new relevant articles"
    assert len(digest["articles_older"]) == 3
    assert ("3 older relevant articles also stored, published more than 7 days before newsmon first saw them or "
            "found them relevant (a backfill from web archives, an outlet's archive, a rescore under new topics): in "
            "the review queue, not listed here") in digest["text"]
    # Delivered, they are counted once: the next digest neither lists nor counts them.
    later = crawl(db, "nhk", NOW + timedelta(minutes=15), [("次の記事", True)])
    digest = notify.build_digest(db, later, [], now=NOW + timedelta(minutes=15))
    assert titles(digest) == ["次の記事"] and digest["articles_older"] == []
    assert "older" not in digest["text"]
    # news_age = "off": every article is news.
    assert notify.parse_settings({"command": ["true"], "news_age": "off"}).news_age is None
    assert notify.parse_settings({"command": ["true"]}).news_age == timedelta(days=7)
    assert notify.parse_settings({"command": ["true"], "news_age": "36h"}).news_age == timedelta(hours=36)
    # And they are in the review queue, for the reviewer to read.
    queue = {t for (t,) in db.execute("SELECT title FROM review_queue")}
    assert {"2022年の記事", "2023年の記事", "8日前の記事"} <= queue


def test_articles_a_rescore_makes_relevant_are_news_only_when_recent(db):
    # Before, such an article kept the time it was first seen: the digests after the rescore
    # neither listed nor counted it, and the desk showed it as read.
    earlier = crawl(db, "nhk", NOW - timedelta(days=20), [("20日前の記事", False)])
    recent = crawl(db, "nhk", NOW - timedelta(days=2), [("2日前の記事", False), ("その日の記事", True)])
    for run_id, age in ((earlier, 20), (recent, 2)):
        db.execute("UPDATE articles SET published_at = ? WHERE id IN (SELECT article_id FROM urls u JOIN crawl_runs r "
                   "ON r.id = ? WHERE u.first_seen_at = r.started_at)",
                   [(NOW - timedelta(days=age)).isoformat(), run_id])
    sent = notify.notify_run(db, recent, [], notify.NotifySettings(command=[sys.executable, "-c", "pass"]),
                             now=NOW - timedelta(days=2))
    assert titles(sent) == ["その日の記事"]
    rescored = (NOW - timedelta(minutes=10)).isoformat()
    queries.update_scores(db, [{"id": i, "topic": "defense-strategy", "score": 9.0, "relevant": True,
                                "matched_terms": [], "threshold": 6.0}
                               for (i,) in db.execute("SELECT id FROM articles").fetchall()], now=rescored)
    run_id = crawl(db, "nhk", NOW, [])
    digest = notify.build_digest(db, run_id, [], now=NOW)
    assert titles(digest) == ["2日前の記事"] and len(digest["articles_older"]) == 1


def test_an_unread_article_on_the_topics_makes_a_digest_and_one_that_cannot_be_judged_stops_none(db, tmp_path):
    from storage import frontier

    run = crawl(db, "nhk", NOW, [])
    wall = "https://nhk.example/wall"
    frontier.add_pending(db, [wall, "https://nhk.example/weather"], outlet="nhk", run_id=run, now=NOW.isoformat(),
                         listed={wall: "反撃能力の運用で与党協議 — 政府は安保3文書の改定を急ぐ",
                                 "https://nhk.example/weather": "台風9号 沖縄に接近"})
    for url in (wall, "https://nhk.example/weather"):
        frontier.record_blocked(db, url, outlet="nhk", code="wall_consent", reason="a consent wall (HTTP 401)",
                                backoff=3600, run_id=run, now=NOW.isoformat())
    digest = notify.build_digest(db, run, [], now=NOW)
    assert [(u["url"], u["headline"], u["kind"]) for u in digest["articles_unread"]] == [
        (wall, "反撃能力の運用で与党協議", "blocked")]
    assert digest["title"] == "newsmon: 1 article on the topics unread"
    # When it is tried again, in the analysts' time as the desk says it (it read 2026-03-05T13:00:00+00:00).
    assert re.search(f"- 反撃能力の運用で与党協議 \\(nhk, blocked\\)\n  {re.escape(wall)}\n  a consent wall \\(HTTP 401\\) "
                     r"\(tried again after (2026年)?3月5日 22:00\)", digest["text"]), digest["text"]
    # Topics that cannot be read cost the digest those lines, not the digest.
    broken = tmp_path / "broken.toml"
    broken.write_text("[topics.x]\nterms = 5\n", encoding="utf-8")
    relevant = crawl(db, "nhk", NOW, [("防衛費", True)])
    frontier.add_pending(db, [wall + "2"], outlet="nhk", run_id=relevant, listed={wall + "2": "反撃能力"},
                         now=NOW.isoformat())
    frontier.record_blocked(db, wall + "2", outlet="nhk", code="wall_consent", reason="a wall", backoff=60,
                            run_id=relevant, now=NOW.isoformat())
    digest = notify.build_digest(db, relevant, [], now=NOW, config_path=str(broken))
    assert titles(digest) == ["防衛費"] and digest["articles_unread"] == []


def test_a_health_change_alone_makes_a_digest(db):
    run_id = crawl(db, "nikkei", NOW, [])
    change = health.HealthChange("nikkei", "ok", "degraded", [health.Reason("rules_missed", "rules no longer match")])
    digest = notify.build_digest(db, run_id, [change], now=NOW)
    assert digest["title"] == "newsmon: nikkei degraded"
    assert digest["health_changes"] == [{"outlet": "nikkei", "previous": "ok", "status": "degraded",
                                         "reasons": [{"code": "rules_missed", "message": "rules no longer match"}]}]
    assert "Health of nikkei: ok -> degraded\n  rules no longer match" in digest["text"]


def test_a_reason_ended_within_a_status_is_told_as_resolved(db):
    run_id = crawl(db, "nikkei", NOW, [])
    feed = health.Reason("discovery", "1 of its 2 feeds, sitemaps and sections failed or were broken: "
                                      "https://www.nikkei.com/rss.xml: HTTP 404")
    rules = health.Reason("rules_missed", "rules no longer match")
    change = health.HealthChange("nikkei", "degraded", "degraded", [rules],
                                 previous_since=(NOW - timedelta(days=3)).isoformat(), at=NOW.isoformat(),
                                 resolved=[feed])
    digest = notify.build_digest(db, run_id, [change], now=NOW)
    assert digest["title"] == "newsmon: nikkei degraded (1 reason resolved)"
    assert digest["health_changes"][0]["resolved"] == [{"code": "discovery", "message": feed.message}]
    assert ("  rules no longer match\n  resolved (3 runs in a row without it): 1 of its 2 feeds, sitemaps and sections "
            "failed or were broken: https://www.nikkei.com/rss.xml: HTTP 404") in digest["text"], digest["text"]


# --- delivery ---------------------------------------------------------------------------------

def test_webhook_and_command_get_the_digest(db, receiver, tmp_path):
    out = tmp_path / "digest.json"
    script = tmp_path / "on_digest.py"
    script.write_text(f"import sys\nopen({str(out)!r}, 'wb').write(sys.stdin.buffer.read())\n", encoding="utf-8")
    settings = notify.NotifySettings(webhook=receiver.url, webhook_headers={"Authorization": "Bearer s3cret"},
                                     command=[sys.executable, str(script)])
    run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
    sent = notify.notify_run(db, run_id, [], settings, now=NOW)
    assert titles(sent) == ["防衛費"]
    assert [titles(p) for p in receiver.posts] == [["防衛費"]]
    assert receiver.headers[0]["authorization"] == "Bearer s3cret"
    assert receiver.headers[0]["content-type"] == "application/json; charset=utf-8"
    assert titles(json.loads(out.read_text(encoding="utf-8"))) == ["防衛費"]
    log = db.execute("SELECT channel, ok, error, articles FROM notifications ORDER BY id").fetchall()
    assert log == [("webhook", 1, None, 1), ("command", 1, None, 1)]
    # Delivered: the next run does not repeat it.
    again = crawl(db, "nhk", NOW + timedelta(minutes=15), [])
    assert notify.notify_run(db, again, [], settings, now=NOW + timedelta(minutes=15)) is None
    assert len(receiver.posts) == 1


def test_an_undelivered_digest_leaves_its_articles_for_the_next_one(db, receiver):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
    notify.notify_run(db, run_id, [], notify.NotifySettings(webhook=dead, timeout=2), now=NOW)
    [(ok, error)] = db.execute("SELECT ok, error FROM notifications").fetchall()
    assert ok == 0 and "Connection refused" in error
    later = crawl(db, "nhk", NOW + timedelta(minutes=15), [("反撃能力", True)])
    sent = notify.notify_run(db, later, [], notify.NotifySettings(webhook=receiver.url), now=NOW + timedelta(minutes=15))
    assert titles(sent) == ["防衛費", "反撃能力"]


def test_articles_no_digest_delivered_for_a_day_are_counted_once_and_status_names_the_channel(db, tmp_path):
    # A webhook down over a weekend: each digest failed, and the relevant articles of Friday
    # fell out of the 24-hour catch-up, never told, without a word; `newsmon status` said all
    # was well (exit 0).
    from click.testing import CliRunner

    from crawler.cli import cli

    now = datetime.now(timezone.utc)  # `newsmon status` reads the clock
    failing = notify.NotifySettings(command=[sys.executable, "-c", "import sys; sys.exit('mail server down')"])
    friday = crawl(db, "nhk", now - timedelta(days=3), [("金曜の記事", True)])
    assert notify.notify_run(db, friday, [], failing, now=now - timedelta(days=3))
    saturday = crawl(db, "nhk", now - timedelta(days=2), [("土曜の記事", True)])
    notify.notify_run(db, saturday, [], failing, now=now - timedelta(days=2))
    db.conn.commit()
    config = tmp_path / "newsmon.toml"
    config.write_text('[notify]\ncommand = ["sendmail", "analysts@example.org"]\n', encoding="utf-8")
    shown = ["status", "--db", str(tmp_path / "news.db"), "--config", str(config)]
    # (--overdue: that no crawl has finished for two days is an alarm of its own)
    status = CliRunner().invoke(cli, [*shown, "--overdue", "3d"])
    assert status.exit_code == 1, status.output
    assert ("notifications: command: 2 deliveries failed since " in status.output
            and "the last with RuntimeError: exit status 1: mail server down: fix the channel" in status.output)
    # A script reading the rows is told why too, on stderr: every outlet's row says nothing of it.
    scripted = CliRunner().invoke(cli, [*shown, "--overdue", "3d", "--json"])
    assert scripted.exit_code == 1 and "nhk" in {r["outlet"] for r in json.loads(scripted.stdout)}
    assert scripted.stderr.startswith("newsmon: notifications: command: 2 deliveries failed since ")

    monday = crawl(db, "nhk", now, [("月曜の記事", True)])
    works = notify.NotifySettings(command=[sys.executable, "-c", "import sys; sys.stdin.read()"])
    digest = notify.notify_run(db, monday, [], works, now=now)
    assert titles(digest) == ["月曜の記事"] and len(digest["articles_undelivered"]) == 2
    assert ("2 relevant articles stored more than a day ago no digest delivered (the channels failing, see the "
            "notifications table, or more than a digest lists): in the review queue, not listed here") in digest["text"]
    later = crawl(db, "nhk", now + timedelta(minutes=15), [("次の記事", True)])
    digest = notify.build_digest(db, later, [], now=now + timedelta(minutes=15))
    assert titles(digest) == ["次の記事"] and digest["articles_undelivered"] == []  # counted once
    # A channel taken out of the config fails no more.
    notify.notify_run(db, later, [], notify.NotifySettings(webhook="http://127.0.0.1:9/hook", timeout=2),
                      now=now + timedelta(minutes=15))
    db.conn.commit()
    status = CliRunner().invoke(cli, shown)
    assert status.exit_code == 0 and "notifications:" not in status.output, status.output


def test_a_failing_command_is_logged_with_its_message(db, tmp_path):
    run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
    settings = notify.NotifySettings(command=[sys.executable, "-c", "import sys; sys.exit('no mail server')"])
    notify.notify_run(db, run_id, [], settings, now=NOW)
    assert db.execute("SELECT ok, error FROM notifications").fetchall() == [(0, "RuntimeError: exit status 1: no mail server")]


def test_apprise_delivers_the_digest_as_text(db, receiver):
    needs_apprise()
    run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
    url = receiver.url.replace("http://", "json://")
    notify.notify_run(db, run_id, [], notify.NotifySettings(apprise=[url]), now=NOW)
    [post] = receiver.posts
    assert post["title"] == "newsmon: 1 new relevant article"
    assert "防衛費" in post["message"]


def dead_webhook() -> notify.NotifySettings:
    """A webhook on a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return notify.NotifySettings(webhook=f"http://127.0.0.1:{s.getsockname()[1]}/hook", timeout=2)


def checked_run(db, at: datetime, *, down: bool, outlet: str = "nhk",
                articles: list[tuple[str, bool]] | None = None) -> tuple[int, health.HealthChange | None]:
    """A run of ``outlet`` whose article pages all failed (``down``) or came back, its health checked."""
    run_id = crawl(db, outlet, at, articles or [])
    health.record_outlet_run(db, run_id, outlet, {"errors": 6 if down else 0, "pages": 0 if down else 3,
                                                  "discovery_ok": 2})
    return run_id, health.update_health(db, outlet, run_id, now=at)


def notified_run(db, at: datetime, settings, *, down: bool, outlet: str = "nhk",
                 articles: list[tuple[str, bool]] | None = None) -> dict | None:
    """``checked_run``, then its digest sent through ``settings``."""
    run_id, change = checked_run(db, at, down=down, outlet=outlet, articles=articles)
    return notify.notify_run(db, run_id, [change] if change else [], settings, now=at)


def test_a_health_change_no_channel_delivered_is_told_by_the_next_digest_delivered(db, receiver):
    # The webhook answered 500 when the outlet began failing: the next digests re-sent its
    # articles but never said the outlet had been failing.
    live = notify.NotifySettings(webhook=receiver.url)
    notified_run(db, NOW, live, down=False)
    failing = notified_run(db, NOW + timedelta(minutes=15), dead_webhook(), down=True)
    assert failing["health_changes"][0]["status"] == "failing"  # built, never delivered
    # Still failing: no change of its own, but the missed one makes a digest, and is told.
    later = notified_run(db, NOW + timedelta(minutes=30), live, down=True)
    assert later is not None and later["health_changes"] == []
    [missed] = later["health_changes_missed"]
    assert (missed["outlet"], missed["previous"], missed["status"], missed["run_id"]) == ("nhk", "ok", "failing", 2)
    assert missed["reasons"][0]["code"] == "errors"
    assert "1 earlier health change not recorded as told" in later["title"]
    assert "Health of nhk: ok -> failing at 2026-03-05 21:15 JST (run 2)" in later["text"]
    assert receiver.posts[-1]["health_changes_missed"] == later["health_changes_missed"]
    # Delivered now: not told again.
    assert notified_run(db, NOW + timedelta(minutes=45), live, down=True) is None


def test_the_end_of_a_reason_no_channel_delivered_is_told_by_the_next_digest_delivered(db, receiver):
    # Told in one digest only, which the webhook missed: no later digest said the feed read again,
    # the analyst's last word of it its 404.
    live = notify.NotifySettings(webhook=receiver.url)
    sent = []
    for n, feed_down in enumerate([False, False, True, False, False, False, False]):
        at = NOW + timedelta(hours=n)
        run_id = crawl(db, "nhk", at, [])
        health.record_outlet_run(db, run_id, "nhk", {"pages": 10, "rules_expected": 10, "rules_missed": 10,
                                                     "discovery_ok": 1 if feed_down else 2,
                                                     "discovery_failed": int(feed_down), "discovered": 4})
        change = health.update_health(db, "nhk", run_id, now=at)
        sent.append(notify.notify_run(db, run_id, [change] if change else [], dead_webhook() if n == 5 else live,
                                      now=at))
    assert [r["code"] for r in sent[5]["health_changes"][0]["resolved"]] == ["discovery"]  # built, never delivered
    [missed] = sent[6]["health_changes_missed"]
    assert (missed["previous"], missed["status"], missed["run_id"]) == ("degraded", "degraded", 6)
    assert missed["resolved"] == sent[5]["health_changes"][0]["resolved"]
    assert ("Health of nhk: degraded -> degraded at 2026-03-06 02:00 JST (run 6)\n  rules no longer match: 10 of 10 "
            "articles") in sent[6]["text"], sent[6]["text"]
    assert ("  resolved (3 runs in a row without it): 1 of its 2 feeds, sitemaps and sections failed or were broken"
            in sent[6]["text"]), sent[6]["text"]
    assert receiver.posts[-1]["health_changes_missed"] == sent[6]["health_changes_missed"]


def test_a_digest_of_another_outlets_run_does_not_count_as_telling_a_missed_change(db, receiver):
    live = notify.NotifySettings(webhook=receiver.url)
    notified_run(db, NOW, live, down=False)
    notified_run(db, NOW + timedelta(minutes=5), dead_webhook(), down=True)
    # Another job's run (another outlet) delivers its own news: nhk's change is still missed.
    other = crawl(db, "asahi", NOW + timedelta(minutes=6), [("反撃能力", True)])
    told = notify.notify_run(db, other, [], live, now=NOW + timedelta(minutes=6))
    assert titles(told) == ["反撃能力"] and told["health_changes_missed"] == []
    nhk = crawl(db, "nhk", NOW + timedelta(minutes=20), [])
    later = notify.notify_run(db, nhk, [], live, now=NOW + timedelta(minutes=20))
    assert [(c["outlet"], c["status"]) for c in later["health_changes_missed"]] == [("nhk", "failing")]


def test_a_recovery_says_how_long_the_outage_lasted(db, receiver):
    live = notify.NotifySettings(webhook=receiver.url)
    digests = [notified_run(db, NOW + timedelta(minutes=minutes), live, down=down)
               for minutes, down in ((0, False), (15, True), (30, True), (55, False))]
    assert [d and d["title"] for d in digests] == [None, "newsmon: nhk failing", None, "newsmon: nhk ok"]
    assert "previous_since" not in digests[1]["health_changes"][0]  # from ok: no outage to time
    [back] = digests[3]["health_changes"]
    assert (back["previous"], back["status"], back["previous_since"]) == ("failing", "ok", "2026-03-05T12:15:00+00:00")
    assert "Health of nhk: failing -> ok (failing since 2026-03-05 21:15 JST, 40 min)" in digests[3]["text"]


def test_a_change_damped_while_an_outlet_flaps_is_not_sent_later_as_missed(db, receiver):
    live, dead = notify.NotifySettings(webhook=receiver.url), dead_webhook()
    sent = [notified_run(db, NOW + timedelta(minutes=15 * n), settings, down=down,
                         articles=[("反撃能力", True)] if n == 4 else None)
            for n, (down, settings) in enumerate([(False, live), (True, live), (False, live), (True, live),
                                                  (False, dead), (True, live)])]
    assert [[r["code"] for r in c["reasons"]] for c in sent[3]["health_changes"]] == [
        ["errors", "flapping"]]  # told once that it flaps
    assert sent[4]["health_changes"] == []  # the next change damped; its digest (an article) not delivered
    assert titles(sent[5]) == ["反撃能力"] and sent[5]["health_changes_missed"] == []


def test_a_change_logged_but_not_told_is_not_sent_later_as_missed(db, receiver):
    # One job of two outlets: nhk degraded, two of its six feeds failing by turns (each run logged, told by
    # code alone once they change run to run); asahi failing in the run whose digest no channel delivered.
    # The next digest re-sent every row that run logged: nhk's "degraded -> degraded", never told.
    from storage import frontier

    feeds = [f"https://www3.nhk.or.jp/rss/cat{n}.xml" for n in range(6)]
    live, dead = notify.NotifySettings(webhook=receiver.url), dead_webhook()
    sent = []
    for n in range(7):
        at = (NOW + timedelta(hours=n)).isoformat()
        run_id = queries.start_run(db, ["asahi", "nhk"], "schedule", pid=None, now=at)
        queries.finish_run(db, run_id, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0,
                           errors=0, finish_reason="finished", exit_status=0, now=at)
        down = {feeds[n % 6], feeds[(n + 2) % 6]} if n else set()
        health.record_outlet_run(db, run_id, "nhk", {"pages": 10, "rules_expected": 10, "rules_missed": 10,
                                                     "discovered": 6, "discovery_ok": 6 - len(down),
                                                     "discovery_failed": len(down)})
        for url in feeds:
            frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=url, kind="feed", ok=url not in down,
                                      http_status=404 if url in down else 200, now=at)
        health.record_outlet_run(db, run_id, "asahi", {"errors": 6 if n >= 5 else 0, "pages": 0 if n >= 5 else 3,
                                                       "discovery_ok": 2})
        changes = health.update_run_health(db, run_id, now=NOW + timedelta(hours=n))
        sent.append(notify.notify_run(db, run_id, changes, dead if n == 5 else live, now=NOW + timedelta(hours=n)))
    logged = db.execute("SELECT outlet, previous, status FROM health_log WHERE run_id = 6 ORDER BY outlet").fetchall()
    assert logged == [("asahi", "ok", "failing"), ("nhk", "degraded", "degraded")]
    told = [(c["outlet"], c["previous"], c["status"]) for c in sent[5]["health_changes"]]
    assert told == [("asahi", "ok", "failing")]
    assert [(c["outlet"], c["previous"], c["status"]) for c in sent[6]["health_changes_missed"]] == [
        ("asahi", "ok", "failing")]


def test_a_health_change_not_sent_at_all_is_told_by_the_next_digest(db, receiver):
    # A hung run recorded while the schedule stopped, or a config that could not be read: the
    # change was never sent, and no failed delivery said so; it was lost for good.
    from storage import notifications

    live = notify.NotifySettings(webhook=receiver.url)
    checked_run(db, NOW, down=False)
    hung, change = checked_run(db, NOW + timedelta(minutes=15), down=True)
    assert change.status == "failing"
    notifications.record_unsent(db, hung, "the schedule was stopping", health_changes=1)
    assert notifications.failing_channels(db, live.channels) == []  # no channel of the config failed
    later = crawl(db, "nhk", NOW + timedelta(minutes=30), [])
    sent = notify.notify_run(db, later, [], live, now=NOW + timedelta(minutes=30))
    assert [(c["previous"], c["status"]) for c in sent["health_changes_missed"]] == [("ok", "failing")]


def test_a_failed_alert_of_a_status_that_outlasts_the_window_is_told_by_the_next_digest(db, receiver):
    # The webhook down when nhk began failing, then the daemon down 2 days: the next digest, nhk still
    # failing, looked back 24 h only and was None; the analyst never learnt nhk was failing.
    live, dead = notify.NotifySettings(webhook=receiver.url), dead_webhook()
    notified_run(db, NOW, live, down=False)
    assert notified_run(db, NOW + timedelta(minutes=15), dead, down=True)["health_changes"][0]["status"] == "failing"
    later = notified_run(db, NOW + timedelta(days=2, minutes=15), live, down=True)
    assert later is not None and later["health_changes"] == []
    assert [(c["previous"], c["status"], c["run_id"]) for c in later["health_changes_missed"]] == [("ok", "failing", 2)]
    assert "Health of nhk: ok -> failing at 2026-03-05 21:15 JST (run 2)" in later["text"]
    assert receiver.posts[-1]["health_changes_missed"] == later["health_changes_missed"]
    # Delivered: not told again, however long the outage lasts.
    assert notified_run(db, NOW + timedelta(days=2, minutes=30), live, down=True) is None


def test_a_failed_notice_that_an_outlet_flaps_is_told_after_the_window_while_it_flaps(db, receiver):
    # nhk fails every other run; the one digest that told it flaps (its changes after are damped) was not
    # delivered, nor any for a day and a half. Each damped change began a status of its own, never told, so the
    # row that began the current one said nothing, and the notice was dropped after 24 h: the flap went on untold.
    live, dead = notify.NotifySettings(webhook=receiver.url), dead_webhook()
    sent = [notified_run(db, NOW + timedelta(minutes=15 * n), live if n < 3 else dead, down=n % 2 == 1)
            for n in range(4)]
    assert [r["code"] for r in sent[3]["health_changes"][0]["reasons"]] == ["errors", "flapping"]
    for n in range(4, 4 * 36):  # a day and a half, every digest (the missed notice's) failing
        notified_run(db, NOW + timedelta(minutes=15 * n), dead, down=n % 2 == 1)
    later = NOW + timedelta(minutes=15 * 4 * 36)
    told = notified_run(db, later, live, down=False)
    assert "flapping" in health.current(db, "nhk").codes()
    assert [(c["previous"], c["status"], c["run_id"]) for c in told["health_changes_missed"]] == [("ok", "failing", 4)]
    assert receiver.posts[-1]["health_changes_missed"] == told["health_changes_missed"]
    # Delivered: not told again.
    assert notified_run(db, later + timedelta(minutes=15), live, down=True) is None


def flapped_for(path, runs: int, *, delivered: bool) -> tuple[int, list[tuple]]:
    """nhk flapping for ``runs`` hourly runs (down every other run, a damped row a run: real checks for the first 12,
    their digests ``delivered`` or not, the rest their copies); then a run's missed changes looked up: the SQLite
    VM steps (hundreds) and what they are."""
    from storage import notifications

    db = open_db(path)
    start, settings = NOW - timedelta(hours=runs + 1), notify.NotifySettings(command=["true" if delivered else "false"])
    for n in range(12):
        run_id, change = checked_run(db, start + timedelta(hours=n), down=n % 2 == 1)
        notify.notify_run(db, run_id, [change] if change else [], settings, now=start + timedelta(hours=n))
    assert "flapping" in health.current(db, "nhk").codes()
    damped = db.execute("SELECT previous, status, reasons FROM health_log ORDER BY id DESC LIMIT 2").fetchall()
    with db.conn:
        for n in range(12, runs):
            at = (start + timedelta(hours=n)).isoformat()
            run_id = db.conn.execute("INSERT INTO crawl_runs (started_at, finished_at, outlets, trigger, "
                                     "finish_reason, exit_status) VALUES (?, ?, '[\"nhk\"]', 'schedule', "
                                     "'finished', 0)", [at, at]).lastrowid
            db.conn.execute("INSERT INTO health_log (outlet, at, run_id, previous, status, reasons, told) VALUES "
                            "('nhk', ?, ?, ?, ?, ?, 0)", [at, run_id, *damped[n % 2]])
        db.conn.execute("UPDATE outlet_health SET since = ?, status = ?, reasons = ?",
                        [at, *damped[(runs - 1) % 2][1:]])
    run_id = crawl(db, "nhk", NOW, [])
    steps = []
    db.conn.set_progress_handler(lambda: steps.append(1) and 0, 100)
    missed = notifications.missed_health_changes(db, run_id, now=NOW)
    db.close()
    return len(steps), [(m["previous"], m["status"], m["run_id"]) for m in missed]


@pytest.mark.parametrize("delivered", [True, False])
def test_a_digest_finds_the_notice_that_an_outlet_flaps_by_index_not_by_every_row_of_the_flap(tmp_path, delivered):
    # Each of a flap's damped changes is a row: read newest first down to the notice, every digest read every row
    # of the flap, 8 ms a digest at a year of hourly runs. At 8 times the rows, the same work, and the same told.
    few = flapped_for(tmp_path / "few.db", 1200, delivered=delivered)
    many = flapped_for(tmp_path / "many.db", 9600, delivered=delivered)
    assert many[0] <= few[0] * 1.1 and few[1] == many[1] == ([] if delivered else [("ok", "failing", 4)]), (few, many)


def test_of_failed_alerts_past_the_window_only_the_one_that_began_the_current_status_is_told(db, receiver):
    # Failing, then back to ok, both digests lost, then 2 days without a digest: the recovery is what is
    # current; the outage that ended is no longer news past the window.
    live, dead = notify.NotifySettings(webhook=receiver.url), dead_webhook()
    notified_run(db, NOW, live, down=False)
    notified_run(db, NOW + timedelta(minutes=15), dead, down=True)
    assert notified_run(db, NOW + timedelta(minutes=30), dead, down=False)["health_changes"][0]["status"] == "ok"
    later = crawl(db, "nhk", NOW + timedelta(days=2), [("反撃能力", True)])
    sent = notify.notify_run(db, later, [], live, now=NOW + timedelta(days=2))
    assert [(c["previous"], c["status"], c["run_id"]) for c in sent["health_changes_missed"]] == [("failing", "ok", 3)]


def test_a_change_of_a_run_killed_before_its_digest_is_told_by_the_next_digest(db, receiver):
    # The run logged its change as told, then was killed before its digest: no notifications row, so
    # nothing said it was missed, and the next digest, the outlet still failing, was None.
    live = notify.NotifySettings(webhook=receiver.url)
    # Before any digest was ever tried: no [notify] then, the history turning notifications on does not send.
    assert checked_run(db, NOW - timedelta(hours=2), down=True, outlet="asahi")[1].status == "failing"
    checked_run(db, NOW - timedelta(hours=2), down=False)
    notified_run(db, NOW - timedelta(minutes=30), live, down=False, articles=[("反撃能力", True)])
    assert [p["health_changes"] for p in receiver.posts] == [[]]
    killed, change = checked_run(db, NOW, down=True)  # its digest never built: the process died here
    assert change.status == "failing" and db.execute("SELECT told FROM health_log WHERE run_id = ?",
                                                     [killed]).fetchone() == (1,)
    later = notified_run(db, NOW + timedelta(minutes=15), live, down=True)
    assert later is not None and later["health_changes"] == []
    assert [(c["previous"], c["status"], c["run_id"]) for c in later["health_changes_missed"]] == [
        ("ok", "failing", killed)]
    assert receiver.posts[-1]["health_changes_missed"] == later["health_changes_missed"]
    # Delivered: not told again.
    assert notified_run(db, NOW + timedelta(minutes=30), live, down=True) is None
    assert notified_run(db, NOW + timedelta(minutes=45), live, down=True, outlet="asahi") is None


def digested_run(db, outlets: list[str], at: datetime, settings) -> dict | None:
    """A run of ``outlets`` as the ledger records one (``test_health.crawl_of``: the runs found killed checked at its
    start, their changes logged only), its digest sent through ``settings`` a minute later, after its crawl."""
    from .test_health import crawl_of

    _, changes = crawl_of(db, outlets, at)
    return notify.notify_run(db, max(r[0] for r in db.execute("SELECT id FROM crawl_runs")), changes, settings,
                             now=at + timedelta(minutes=1))


@pytest.mark.parametrize("killed", [False, True])
def test_a_retirement_is_told_by_the_next_digest_delivered_once_whatever_the_config(db, receiver, killed):
    # asahi, taken out of the config, retires at the run of the 14th day without it, told in that run's digest only:
    # its outlet is in no later run, so a digest no channel delivered lost it. Retired by the check of a run found
    # killed (at a run's start, its changes logged only), no digest told it at all.
    live = notify.NotifySettings(webhook=receiver.url, always=True)  # a heartbeat: digests went out before
    digested_run(db, ["mainichi"], NOW - timedelta(minutes=5), live)  # another config's outlet, same database
    digested_run(db, ["asahi", "nhk"], NOW, live)
    for day in range(1, 14):
        digested_run(db, ["nhk"], NOW + timedelta(days=day), live)
        digested_run(db, ["mainichi"], NOW + timedelta(days=day, minutes=5), live)
    day = NOW + timedelta(days=14)
    if killed:
        # nhk's run of the 13th day killed as it ran (a mainichi digest delivered meanwhile: not yet 14 days);
        # mainichi's next run checks it, and retires asahi under the killed run's id, older than that digest's.
        dead = queries.start_run(db, ["nhk"], "schedule", pid=os.getpid(), now=(day - timedelta(hours=13)).isoformat())
        assert "asahi" not in json.dumps(digested_run(db, ["mainichi"], day - timedelta(hours=12, minutes=30), live))
        with db.conn:
            db.conn.execute("UPDATE crawl_runs SET pid = NULL WHERE id = ?", [dead])  # its process gone
        digests = [digested_run(db, ["mainichi"], day, live)]
        assert db.execute("SELECT run_id FROM health_log WHERE status = 'retired'").fetchone() == (dead,)
    else:
        digests = [digested_run(db, ["nhk"], day, dead_webhook())]
        assert [(c["outlet"], c["status"]) for c in digests[0]["health_changes"]] == [("asahi", "retired")]
    assert health.current(db, "asahi").status == "retired"
    digests += [digested_run(db, outlets, day + timedelta(minutes=10 * n), live)
                for n, outlets in enumerate([["mainichi"], ["nhk"], ["mainichi"]], 1)]
    # Told by the next digest delivered (the killed run's checker's; else mainichi's, of another config), and by
    # no other: not by nhk's, whose config asahi was of.
    missed = [[(c["outlet"], c["previous"], c["status"]) for c in d["health_changes_missed"] if c["outlet"] == "asahi"]
              for d in digests]
    assert missed == [[("asahi", "ok", "retired")] if n == (0 if killed else 1) else [] for n in range(4)]
    told = [p for p in receiver.posts if any(c["outlet"] == "asahi" and c["status"] == "retired"
                                             for c in p["health_changes"] + p["health_changes_missed"])]
    assert len(told) == 1 and "Health of asahi: ok -> retired at 2026-03-19 21:00 JST" in told[0]["text"], \
        told[0]["text"]


def test_an_outlet_put_back_the_day_it_retired_is_not_told_retired_again(db, receiver):
    # Its retirement told (its digest delivered, by a run of another config's outlets), the desk puts asahi back:
    # the first run crawling it again read its retirement, in asahi's window, as a change no digest of asahi's
    # runs delivered, and told "ok -> retired" as missed, of an outlet crawled again.
    live = notify.NotifySettings(webhook=receiver.url, always=True)
    digested_run(db, ["asahi", "nhk"], NOW, live)
    for day in range(1, 15):
        digest = digested_run(db, ["nhk"], NOW + timedelta(days=day), live)
    assert [(c["outlet"], c["status"]) for c in digest["health_changes"]] == [("asahi", "retired")]
    back = digested_run(db, ["asahi", "nhk"], NOW + timedelta(days=14, hours=2), live)
    assert health.current(db, "asahi").status == "ok"
    assert back["health_changes_missed"] == []
    assert [p for p in receiver.posts if any(c["status"] == "retired" for c in p["health_changes_missed"])] == []


@pytest.mark.parametrize("sent", ["in_its_second", "begun_before_it", "in_its_second_before_it"])
def test_a_retirement_a_digest_told_in_its_second_is_told_by_no_other(db, receiver, sent):
    # Retired by the check of a run found killed (under that run's id), told as missed by the next digest delivered.
    # A digest took it as told by a later run's digest sent after it was logged: by times of whole seconds, taken as
    # the digest began. One sent in the second of the retirement (in_its_second), or whose build, begun before,
    # read the retirement logged meanwhile (begun_before_it: the unread articles' extractors loading), had told
    # it, and the next digest told it again. One built in that second before it was logged did not tell it, and
    # is not taken as having told it (in_its_second_before_it).
    from .test_health import crawl_of

    live = notify.NotifySettings(webhook=receiver.url, always=True)
    digested_run(db, ["asahi", "nhk"], NOW, live)
    for day in range(1, 14):
        digested_run(db, ["nhk"], NOW + timedelta(days=day), live)
    day = NOW + timedelta(days=14)
    dead = queries.start_run(db, ["nhk"], "schedule", pid=None, now=(day - timedelta(hours=13)).isoformat())
    digests = []
    if sent == "in_its_second_before_it":
        other = queries.start_run(db, ["mainichi"], "schedule", pid=None, now=day.isoformat())
        digests.append(notify.notify_run(db, other, [], live, now=day))
    _, changes = crawl_of(db, ["mainichi"], day)
    assert db.execute("SELECT run_id, at FROM health_log WHERE status = 'retired'").fetchall() == [
        (dead, day.isoformat())]
    checker = max(r[0] for r in db.execute("SELECT id FROM crawl_runs"))
    digests.append(notify.notify_run(db, checker, changes, live, now={
        "in_its_second": day, "begun_before_it": day - timedelta(seconds=3)}.get(sent, day + timedelta(minutes=1))))
    digests += [digested_run(db, outlets, day + timedelta(minutes=10 * n), live)
                for n, outlets in enumerate([["nhk"], ["mainichi"]], 1)]
    told = [[c["status"] for c in d["health_changes_missed"] if c["outlet"] == "asahi"] for d in digests]
    assert told == ([[]] if sent == "in_its_second_before_it" else []) + [["retired"], [], []]
    assert len([p for p in receiver.posts if "asahi: ok -> retired" in p["text"]]) == 1


def test_a_retirement_logged_under_a_run_the_daemon_digests_again_is_told(db, receiver):
    # The daemon kills its hung crawl of nhk; a crawl of mainichi starting that moment finds it dead first, checks
    # it, and retires asahi under its id (logged only). The daemon then records that run's end (record_lost_run
    # takes a run already "killed"), checks it again and sends its digest, without asahi: retired already. Any
    # digest of the run a retirement was logged under was taken as having told it; it was told by none.
    live = notify.NotifySettings(webhook=receiver.url, always=True)
    digested_run(db, ["asahi", "nhk"], NOW, live)
    for day in range(1, 14):
        digested_run(db, ["nhk"], NOW + timedelta(days=day), live)
    day = NOW + timedelta(days=14)
    hung = 2 ** 22 + 1  # the daemon's crawl: never alive to crawl_of's close_stale_runs
    dead = queries.start_run(db, ["nhk"], "schedule", pid=hung, now=(day - timedelta(hours=1)).isoformat())
    from .test_health import crawl_of

    _, changes = crawl_of(db, ["mainichi"], day)
    checker = max(r[0] for r in db.execute("SELECT id FROM crawl_runs"))
    assert db.execute("SELECT run_id FROM health_log WHERE status = 'retired'").fetchall() == [(dead,)]
    ended = day + timedelta(seconds=20)
    assert health.record_lost_run(db, pid=hung, since=day - timedelta(hours=1), outlets=["nhk"], trigger="schedule",
                                  reason="timeout", exit_status=-9, now=ended) == [dead]
    again = notify.notify_run(db, dead, health.update_run_health(db, dead, now=ended), live, now=ended)
    assert "asahi" not in again["text"]
    digests = [notify.notify_run(db, checker, changes, live, now=day + timedelta(minutes=1))]
    digests += [digested_run(db, outlets, day + timedelta(minutes=10 * n), live)
                for n, outlets in enumerate([["nhk"], ["mainichi"]], 1)]
    assert [[c["status"] for c in d["health_changes_missed"] if c["outlet"] == "asahi"] for d in digests] == [
        ["retired"], [], []]
    assert len([p for p in receiver.posts if "asahi: ok -> retired" in p["text"]]) == 1


@pytest.mark.parametrize("ended_as", ["failed: killed by signal 9", "timeout"])
def test_a_change_logged_under_a_run_the_daemon_digests_again_is_told(db, receiver, ended_as):
    # The daemon's crawl of nhk dies (or is killed at its timeout); a crawl of mainichi starting that moment finds it
    # dead first and checks it: "nhk ok -> failing" logged under the dead run's id, in no digest (logged only). The
    # daemon then records that run's end (record_lost_run takes a run already "killed"), checks it again (nothing
    # new; at a timeout, "failing -> failing" for its hang) and sends its digest, which does not hold the change. A
    # delivered digest of a run of nhk since was taken as having told it: no digest ever said nhk began failing.
    live = notify.NotifySettings(webhook=receiver.url, always=True)
    for hour in range(3):
        digested_run(db, ["nhk"], NOW + timedelta(hours=hour), live)
    at = NOW + timedelta(hours=4)
    pid = 2 ** 22 + 1  # the daemon's crawl: never alive to crawl_of's close_stale_runs
    dead = queries.start_run(db, ["nhk"], "schedule", pid=pid, now=(at - timedelta(minutes=30)).isoformat())
    from .test_health import crawl_of

    killed, _ = crawl_of(db, ["mainichi"], at)
    assert [(c.outlet, c.previous, c.status) for c in killed] == [("nhk", "ok", "failing")]
    ended = at + timedelta(seconds=20)
    assert health.record_lost_run(db, pid=pid, since=at - timedelta(minutes=30), outlets=["nhk"], trigger="schedule",
                                  reason=ended_as, exit_status=-9, now=ended) == [dead]
    again = notify.notify_run(db, dead, health.update_run_health(db, dead, now=ended), live, now=ended)
    assert [(c["previous"], c["status"]) for c in again["health_changes"]] == (
        [("failing", "failing")] if ended_as == "timeout" else [])
    assert again["health_changes_missed"] == []
    digests = [digested_run(db, ["nhk"], at + timedelta(minutes=10 * n), live) for n in (1, 2)]
    missed = [[(c["outlet"], c["previous"], c["status"], c["run_id"]) for c in d["health_changes_missed"]]
              for d in digests]
    assert missed == [[("nhk", "ok", "failing", dead)], []]
    assert len([p for p in receiver.posts if "Health of nhk: ok -> failing" in p["text"]]) == 1


def test_a_webhook_that_redirects_is_a_failed_delivery_naming_where_it_points(db):
    # urllib follows a 301 to a POST with a GET without the body: the digest never arrived, and its
    # delivery was recorded as made (an http:// address the receiver moved to https://).
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[tuple[str, int]] = []

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(("POST", int(self.headers.get("Content-Length") or 0)))
            self.send_response(301)
            self.send_header("Location", "/landing")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            seen.append(("GET", 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
        hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
        notify.notify_run(db, run_id, [], notify.NotifySettings(webhook=hook), now=NOW)
    finally:
        server.shutdown()
        server.server_close()
    assert [method for method, _ in seen] == ["POST"]  # not sent on as a GET
    ((ok, error),) = db.execute("SELECT ok, error FROM notifications").fetchall()
    assert ok == 0 and "the webhook redirects to http://127.0.0.1:" in error and "/landing" in error, error
    assert "set [notify] webhook to that address" in error


def test_a_command_past_its_timeout_is_killed_with_what_it_started(db, tmp_path):
    # Only the command was killed: a shell script's curl (here a sleep) ran on, one more every run.
    import psutil

    marker = tmp_path / "child.pid"
    script = tmp_path / "hook.sh"
    script.write_text(f"#!/bin/sh\ncat >/dev/null\nsleep 60 &\necho $! > {marker}\nwait\n", encoding="utf-8")
    script.chmod(0o755)
    run_id = crawl(db, "nhk", NOW, [("防衛費", True)])
    notify.notify_run(db, run_id, [], notify.NotifySettings(command=[str(script)], timeout=1), now=NOW)
    ((ok, error),) = db.execute("SELECT ok, error FROM notifications").fetchall()
    assert ok == 0 and error.startswith("TimeoutExpired"), error
    child = int(marker.read_text())
    deadline = time.monotonic() + 10
    while psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


# --- a service with a length limit ------------------------------------------------------------

class ChatService:
    """A chat's incoming webhook on 127.0.0.1 (apprise's json:// payload) that takes messages of ``limit``
    characters at most: over it, it ``refuses`` the message (Telegram's and Discord's 400 "message is too
    long") or keeps its start (a service that cuts)."""

    def __init__(self, limit: int, *, refuses: bool) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        messages: list[str] = []
        self.messages = messages

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["message"]
                too_long = len(text) > limit
                if not (too_long and refuses):
                    messages.append(text[:limit])
                self.send_response(400 if too_long and refuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"newsmonchat://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat_plugin():
    """apprise's json:// as a service whose messages hold 1,500 characters, its title in the body (as
    Telegram's), under the scheme newsmonchat://: apprise's own sizing, as for its Telegram or Discord."""
    needs_apprise()
    with notify._apprise_warnings():
        from apprise.apprise import N_MGR
        from apprise.plugins.custom_json import NotifyJSON

    class NotifyChat(NotifyJSON):
        service_name = "a chat with a limit"
        protocol, secure_protocol = "newsmonchat", "newsmonchats"
        body_maxlen, title_maxlen = 1500, 0

    with notify._apprise_warnings():  # its first add loads every plugin, some importing the deprecated imghdr
        N_MGR.add(NotifyChat)
    yield NotifyChat
    N_MGR.remove("newsmonchat", "newsmonchats")


@pytest.mark.parametrize("refuses", [True, False], ids=["service-refuses", "service-cuts"])
def test_a_digest_longer_than_an_apprise_service_takes_reaches_it_whole(db, chat_plugin, refuses):
    # A busy hour's digest over the service's limit: Telegram refused it (and every longer one after), a
    # service that cuts lost its end, where the news that an outlet stopped working was.
    service = ChatService(chat_plugin.body_maxlen, refuses=refuses)
    titles_sent = [f"防衛費{i:02d}" + "の" * 60 for i in range(15)]
    try:
        run_id, change = checked_run(db, NOW, down=True, articles=[(title, True) for title in titles_sent])
        digest = notify.notify_run(db, run_id, [change], notify.NotifySettings(apprise=[service.url]), now=NOW)
    finally:
        service.stop()
    assert len(digest["text"]) > chat_plugin.body_maxlen
    assert db.execute("SELECT channel, ok FROM notifications").fetchall() == [("apprise", 1)]
    assert len(service.messages) > 1 and all(len(m) <= chat_plugin.body_maxlen for m in service.messages)
    assert "Health of nhk: new -> failing" in service.messages[0]  # first, whatever a reader's client shows
    told = "".join(service.messages)
    assert all(f"https://nhk.example/{title}" in told for title in titles_sent)
    # All of it delivered: marked told, the next run's digest repeats none of it.
    later, _ = checked_run(db, NOW + timedelta(minutes=15), down=True)
    assert notify.build_digest(db, later, [], now=NOW + timedelta(minutes=15)) is None


def test_an_apprise_that_moved_the_helpers_newsmon_reads_urls_with_still_splits_and_refuses_truncate(monkeypatch):
    # url_to_dict and parse_urls are outside apprise's documented API: moved by a later apprise, the config check
    # and every digest raised ImportError (a traceback as `newsmon schedule` started). apprise's own imports of them
    # are untouched here; only a new import by name fails, as it would after such a move.
    import types

    apprise = pytest.importorskip("apprise")
    import apprise.plugins
    import apprise.utils.parse

    for name, helper in (("apprise.plugins", "url_to_dict"), ("apprise.utils.parse", "parse_urls")):
        moved = types.ModuleType(name)
        moved.__dict__.update({k: v for k, v in vars(sys.modules[name]).items() if k != helper})
        monkeypatch.setitem(sys.modules, name, moved)
    modes = [s.overflow_mode for s in notify._apprise_services(apprise, "json://127.0.0.1:9/hook")]
    assert modes == [apprise.OverflowMode.SPLIT]
    with pytest.raises(ValueError, match="overflow=truncate"):
        notify._apprise_services(apprise, "json://127.0.0.1:9/hook?overflow=truncate")


def test_an_apprise_url_that_truncates_is_refused_and_one_upstream_is_left_to_the_service(db, chat_plugin):
    service = ChatService(chat_plugin.body_maxlen, refuses=True)
    try:
        with pytest.raises(ConfigError, match="overflow=truncate cuts a digest longer than the service takes"):
            notify.check_apprise(notify.NotifySettings(apprise=[service.url + "?overflow=truncate"]))
        run_id = crawl(db, "nhk", NOW, [(f"防衛費{i:02d}" + "の" * 60, True) for i in range(15)])
        # The config edited under a running schedule: not sent cut, a failed delivery that leaves its articles.
        notify.notify_run(db, run_id, [], notify.NotifySettings(apprise=[service.url + "?overflow=Truncate"]), now=NOW)
        # overflow=upstream, as the user wrote: the service gets it whole, and refuses it.
        notify.notify_run(db, run_id, [], notify.NotifySettings(apprise=[service.url + "?overflow=upstream"]), now=NOW)
    finally:
        service.stop()
    assert service.messages == []
    [(truncate, _), (_, upstream)] = db.execute("SELECT error, ok FROM notifications ORDER BY id").fetchall()
    assert "overflow=truncate cuts a digest" in truncate and upstream == 0
    later = crawl(db, "nhk", NOW + timedelta(minutes=15), [])
    assert notify.build_digest(db, later, [], now=NOW + timedelta(minutes=15))["articles_total"] == 15


# --- a delivery the database cannot record ----------------------------------------------------

@contextmanager
def write_held(path):
    """Another process holding a write on the database (a reviewer's DB Browser with changes not written yet)."""
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_delivered_digest_the_database_cannot_record_is_said_so_and_not_told_as_undelivered(tmp_path, receiver,
                                                                                              caplog):
    # The database locked (a reviewer's DB Browser) as apprise said yes: the crawl's log blamed the notification,
    # and the next digest told the same outage again as "not delivered", and its articles again as new ones.
    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.2)
    live = notify.NotifySettings(webhook=receiver.url)
    notified_run(db, NOW - timedelta(minutes=15), live, down=False, articles=[("前の記事", True)])
    first, change = checked_run(db, NOW, down=True, articles=[("防衛費", True)])
    archive = "https://nhk.example/古い記事"  # an archive's article the digest counts, not lists
    older, _ = queries.save_article(db, {"url": archive, "title": "古い記事", "text": "古い記事" * 3, "outlet": "nhk",
                                         "relevant": True, "score": 9.0, "published_at": "2025-01-01T00:00:00+00:00",
                                         "matched_terms": []}, now=NOW.isoformat())
    queries.record_url(db, archive, outlet="nhk", kind="article", article_id=older, now=NOW.isoformat())
    with write_held(path):
        sent = notify.notify_run(db, first, [change], live, now=NOW)
    assert titles(sent) == ["防衛費"] and sent["articles_older"] == [older] and len(receiver.posts) == 2
    [said] = [r.getMessage() for r in caplog.records if "WAS delivered" in r.getMessage()]
    left = tmp_path / "news.db.locks" / f"run-{first}.notified.json"
    assert said.startswith(f"newsmon: the digest of run {first} WAS delivered (through webhook), but the "
                           "database could not record it (") and f"left in {left}" in said, said
    # The lock let go a while: the next crawl stored an article and a new version of the one told.
    second, _ = checked_run(db, NOW + timedelta(minutes=15), down=True, articles=[("新しい記事", True)])
    stamp = (NOW + timedelta(minutes=15)).isoformat()
    told, _ = queries.save_article(db, {"url": "https://nhk.example/防衛費", "title": "防衛費", "text": "防衛費 改訂" * 3,
                                        "outlet": "nhk", "relevant": True, "score": 9.0, "topic": "defense-strategy",
                                        "matched_terms": [{"term": "反撃能力", "count": 2}]}, now=stamp)
    third, _ = checked_run(db, NOW + timedelta(minutes=30), down=True)
    with write_held(path):
        # Still locked at the next digest: it tells the change and the article again, as told before, not as
        # undelivered nor as new; the new article first, as news.
        again = notify.notify_run(db, second, [], live, now=NOW + timedelta(minutes=15))
        assert again["health_changes_missed"][0]["told"] is True
        assert again["title"] == "newsmon: 1 new relevant article; 1 article told again; 1 health change told again"
        assert [(a["title"], a["version"], a.get("told")) for a in again["articles"]] == [
            ("新しい記事", 1, None), ("防衛費", 2, True)]
        assert again["articles_told_again"] == [told, older] and again["articles_total"] == 2
        assert receiver.posts[-1]["articles_told_again"] == [told, older] and receiver.posts[-1]["articles"][1]["told"]
        assert "not listed here (1 of them told again: the last digest counted it, but its delivery could not be " \
            "recorded)" in again["text"]
        assert "Told again: the last digest's delivery could not be recorded:\nHealth of nhk: ok -> failing" \
            in again["text"]
        assert "- 新しい記事 (nhk)\n  https://nhk.example/新しい記事\n  matched: 反撃能力\nArticles told again: the last " \
            "digest's delivery could not be recorded:\n- 防衛費 (nhk, updated: version 2)" in again["text"], again["text"]
        # Nothing but what delivered digests told: no digest (of them alone, each run's, unrecordable too).
        assert notify.notify_run(db, third, [], live, now=NOW + timedelta(minutes=30)) is None
        assert len(receiver.posts) == 3
    # Writable again: the next digest records what both delivered, and repeats none of it.
    fourth, _ = checked_run(db, NOW + timedelta(minutes=45), down=True)
    assert notify.notify_run(db, fourth, [], live, now=NOW + timedelta(minutes=45)) is None
    assert db.execute("SELECT run_id, channel, ok FROM notifications ORDER BY id").fetchall() == [
        (first - 1, "webhook", 1), (first, "webhook", 1), (second, "webhook", 1)]
    assert db.execute("SELECT health_log_id FROM notified_health_changes").fetchall() == [(change.log_id,)]
    assert db.execute("SELECT a.title, n.run_id FROM notified_articles n JOIN articles a ON a.id = n.article_id "
                      "ORDER BY n.article_id").fetchall() == [("前の記事", first - 1), ("防衛費", first),
                                                              ("古い記事", first), ("新しい記事", second)]
    assert not list((tmp_path / "news.db.locks").glob("*.notified.json"))
    db.close()


def test_articles_told_again_past_the_limit_are_not_said_to_be_left_for_the_next_digest(tmp_path, receiver):
    # More than a digest lists while the last one's record waited: the told-again ones past the limit were counted
    # among those "for the next digest", which records their delivery and lists none of them.
    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.2)
    live = notify.NotifySettings(webhook=receiver.url)
    notified_run(db, NOW - timedelta(minutes=15), live, down=False, articles=[("前の記事", True)])
    first = crawl(db, "nhk", NOW, [(f"記事{i:02d}", True) for i in range(notify.MAX_ARTICLES + 5)])
    with write_held(path):
        assert "... and 5 more, for the next digest" in notify.notify_run(db, first, [], live, now=NOW)["text"]
    second = crawl(db, "nhk", NOW + timedelta(minutes=15), [("新しい記事", True)])
    with write_held(path):
        again = notify.notify_run(db, second, [], live, now=NOW + timedelta(minutes=15))
    assert again["title"] == "newsmon: 6 new relevant articles; 50 articles told again"
    assert sum(1 for a in again["articles"] if a.get("told")) == notify.MAX_ARTICLES - 6
    assert "for the next digest" not in again["text"], again["text"]
    assert "... and 6 more told again, not listed here (a digest delivered listed them, whose delivery could not be " \
        "recorded)" in again["text"], again["text"]
    # Writable again: none of them is listed again, nor the 6 new ones.
    third, _ = checked_run(db, NOW + timedelta(minutes=30), down=False, articles=[("三本目", True)])
    assert titles(notify.notify_run(db, third, [], live, now=NOW + timedelta(minutes=30))) == ["三本目"]
    db.close()


def test_a_digest_counts_and_lists_its_articles_at_one_moment(tmp_path, receiver, monkeypatch):
    # Its queries read apart: another process's digest recorded the waiting delivery between the count of pending
    # articles and the list of those told again, and the digest told the article as news already told (counted as
    # new, listed as told again, articles_told_again empty), though nothing was new.
    from storage import notifications

    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.2)
    live = notify.NotifySettings(webhook=receiver.url)
    notified_run(db, NOW - timedelta(minutes=15), live, down=False, articles=[("前の記事", True)])
    first = crawl(db, "nhk", NOW, [("防衛費", True)])
    with write_held(path):
        waiting = notifications.record_unrecorded(db, str(path))
        assert titles(notify.notify_run(db, first, [], live, now=NOW)) == ["防衛費"]
        waiting = notifications.record_unrecorded(db, str(path))
    assert len(waiting.article_ids) == 1
    second = crawl(db, "nhk", NOW + timedelta(minutes=15), [])
    other = open_db(path)
    told_between = notifications.pending_told

    def landed_meanwhile(*args, **kwargs):
        notifications.record_unrecorded(other, str(path))
        return told_between(*args, **kwargs)

    monkeypatch.setattr(notifications, "pending_told", landed_meanwhile)
    try:
        assert notify.build_digest(db, second, [], now=NOW + timedelta(minutes=15),
                                   told_articles=waiting.article_ids) is None
    finally:
        other.close()
    assert db.execute("SELECT count(*) FROM notified_articles WHERE run_id = ?", [first]).fetchone()[0] == 1
    db.close()


def test_an_apprise_entry_of_several_urls_reaches_each_and_overflow_is_read_as_apprise_reads_it(db, chat_plugin):
    # apprise's own form "url1, url2", which the check at start accepted: the first service got the digest at a path
    # made of both URLs, the second nothing, and the delivery was recorded as made.
    needs_apprise()
    one, two = Receiver(), Receiver()
    try:
        entry = f"{one.url.replace('http://', 'json://')}, {two.url.replace('http://', 'json://')}"
        settings = notify.NotifySettings(apprise=[entry])
        notify.check_apprise(settings)
        notify.notify_run(db, crawl(db, "nhk", NOW, [("防衛費", True)]), [], settings, now=NOW)
    finally:
        one.stop()
        two.stop()
    assert [len(one.posts), len(two.posts)] == [1, 1] and "防衛費" in two.posts[0]["message"]
    # Where urllib reads no overflow (after a #channel, a query of ';') apprise reads one: refused as it truncates.
    service = ChatService(chat_plugin.body_maxlen, refuses=True)
    try:
        for url in (f"{service.url}#x?overflow=truncate", f"{service.url}?overflow=upstream;overflow=truncate"):
            with pytest.raises(ConfigError, match="overflow=truncate cuts a digest longer than the service takes"):
                notify.check_apprise(notify.NotifySettings(apprise=[url]))
        # An empty overflow= is apprise's default, upstream: split, as where the URL names none.
        busy = [(f"防衛費{i:02d}" + "の" * 60, True) for i in range(15)]
        run_id = crawl(db, "nhk", NOW + timedelta(minutes=15), busy)
        digest = notify.notify_run(db, run_id, [], notify.NotifySettings(apprise=[service.url + "?overflow="]),
                                   now=NOW + timedelta(minutes=15))
    finally:
        service.stop()
    assert len(digest["text"]) > chat_plugin.body_maxlen and len(service.messages) > 1
    assert db.execute("SELECT ok FROM notifications WHERE run_id = ?", [run_id]).fetchall() == [(1,)]


def left_delivery(tmp_path, receiver) -> tuple:
    """A database whose first digest was delivered while another process held a write: its record left beside it."""
    import sqlite3

    path = tmp_path / "news.db"
    db = open_db(path, busy_timeout=0.2)
    notified_run(db, NOW - timedelta(minutes=15), notify.NotifySettings(webhook=receiver.url), down=False,
                 articles=[("前の記事", True)])
    run_id, change = checked_run(db, NOW, down=True, articles=[("防衛費", True)])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        notify.notify_run(db, run_id, [change], notify.NotifySettings(webhook=receiver.url), now=NOW)
    finally:
        holder.rollback()
        holder.close()
    left = tmp_path / "news.db.locks" / f"run-{run_id}.notified.json"
    assert left.exists()
    return db, run_id, change, left


def test_a_left_record_two_digests_read_at_once_is_recorded_once(tmp_path, receiver):
    # The daemon's digest and a crawl's each read the file before the other removed it (or its unlink failed): the
    # notifications table got the delivery twice.
    from storage import notifications

    db, run_id, _, left = left_delivery(tmp_path, receiver)
    kept = left.read_text(encoding="utf-8")
    assert notifications.record_unrecorded(db, str(tmp_path / "news.db")) == (set(), set())
    left.write_text(kept, encoding="utf-8")  # as the other process had read it
    assert notifications.record_unrecorded(db, str(tmp_path / "news.db")) == (set(), set())
    assert db.execute("SELECT run_id, channel, ok FROM notifications WHERE run_id = ?", [run_id]).fetchall() == [
        (run_id, "webhook", 1)]
    assert not left.exists()
    db.close()


@pytest.mark.parametrize("spoilt", ["cut", "shape", "refused"])
def test_a_left_record_no_digest_can_record_is_set_aside_once_and_status_names_it(tmp_path, receiver, caplog, spoilt):
    # Cut short (the disk filled as it was written), of another shape, or one the database refuses (an article
    # deleted since): logged by every digest for ever, its changes "told again" for ever; {} stopped every digest.
    from click.testing import CliRunner

    from crawler.cli import cli

    db, run_id, _, left = left_delivery(tmp_path, receiver)
    delivery = json.loads(left.read_text(encoding="utf-8"))
    left.write_text({"cut": json.dumps(delivery)[:40], "shape": "{}",
                     "refused": json.dumps({**delivery, "article_ids": [999999]})}[spoilt], encoding="utf-8")
    live = notify.NotifySettings(webhook=receiver.url)
    digests = []
    for minutes in (15, 30):
        later, _ = checked_run(db, NOW + timedelta(minutes=minutes), down=True, articles=[(f"記事{minutes}", True)])
        digests.append(notify.notify_run(db, later, [], live, now=NOW + timedelta(minutes=minutes)))
    # Not recorded: its articles and health change told again by the next digest, as not recorded as told.
    assert titles(digests[0]) == ["防衛費", "記事15"] and titles(digests[1]) == ["記事30"]
    assert "1 earlier health change not recorded as told" in digests[0]["title"] and "told again" not in \
        digests[0]["title"] + digests[1]["title"]
    [said] = [r.getMessage() for r in caplog.records if "notified" in r.getMessage()
              and "WAS delivered" not in r.getMessage()]
    aside = left.with_name(f"run-{run_id}.notified.unrecordable.json")
    assert f"set aside as {aside.name}" in said and aside.exists() and not left.exists(), said
    db.conn.commit()
    status = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "news.db")])
    assert f"notifications: {aside} holds a delivered digest's record no digest could record" in status.output, \
        status.output
    db.close()


def test_left_records_wait_for_a_locked_database_once_and_status_counts_them(tmp_path, receiver, caplog):
    import sqlite3

    from click.testing import CliRunner

    from crawler.cli import cli
    from storage import notifications

    db, run_id, change, left = left_delivery(tmp_path, receiver)
    delivery = json.loads(left.read_text(encoding="utf-8"))
    for other in (run_id + 100, run_id + 200):
        (left.parent / f"run-{other}.notified.json").write_text(json.dumps({**delivery, "run_id": other}))
    holder = sqlite3.connect(tmp_path / "news.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    caplog.clear()
    try:
        waiting = notifications.record_unrecorded(db, str(tmp_path / "news.db"))
        assert waiting.health_log_ids == set(delivery["health_log_ids"]) == {change.log_id}
        assert waiting.article_ids == set(delivery["article_ids"]) and delivery["article_ids"]
        status = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "news.db")])
    finally:
        holder.rollback()
        holder.close()
    # One wait for the lock, not one a file (each waited the busy timeout before the digest went out): one message.
    [said] = [r.getMessage() for r in caplog.records if "still cannot be recorded" in r.getMessage()]
    assert f"the delivered digests of runs {run_id}, {run_id + 100}, {run_id + 200} left in {left.parent}" in said
    assert f"notifications: 3 delivered digests the database could not record wait in {left.parent}" in status.output
    db.close()
