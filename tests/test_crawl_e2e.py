"""End to end: the real `newsmon crawl` process, over real HTTP, against saved pages on 127.0.0.1.

The site's own request log is the witness of what the crawler fetched; the SQLite file is the
witness of what it stored.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.pipelines import StorePipeline
from crawler.testsite import (ARCHIVE_SITEMAP_PATH, ATOM_PATH, NEWS_SITEMAP_PATH, RSS_PATH, SECTION_PATH, SITEMAP_PATH,
                              LoopbackSite, urlset)
from storage import frontier

from .conftest import HOLD_MARKER, as_permissions_bind, saved_bytes
from .hostile import listing_html
from .saved import divs_for_ps
from .test_schedule import strip_rule_anchors

PAGES = [
    "scrapping-webs/nikkei-test_article_1.html",  # 反撃能力: relevant
    "fundus-jp/TheJapanNews_2024_10_13.html",
    "fundus-jp/SankeiShimbun_2025_01_21.html",
    "fundus-jp/MainichiShimbun_2025_01_14.html",
    "scrapping-webs/nhk-test_article_1.html",
    "scrapping-webs/asahi-test_article_1.html",
    "snacktory/yomiuri.sjis.html",  # Shift_JIS
]
# Published later, one at a time, to show that only new articles are fetched.
LATER = "scrapping-webs/nhk-test_article_8.html"
LOOPBACK = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=1", "NEWSMON_EXTRACT_WORKERS=1"]


@pytest.fixture
def site():
    # Each page in a different channel mix, so that feed, sitemap and section discovery all count.
    placement = {PAGES[1]: ["sitemap"], PAGES[2]: ["section"], PAGES[3]: ["feed"]}
    with LoopbackSite(PAGES, placement=placement) as s:
        yield s


@pytest.fixture
def env(tmp_path, site):
    env = site_env(site, tmp_path)
    yield env
    assert_every_url_has_a_state_and_a_reason(env["db"])


def site_env(site: LoopbackSite, directory: Path) -> dict[str, str]:
    """A database and a config of ``site``'s outlet in ``directory``: what ``crawl`` takes."""
    config = directory / "newsmon.toml"
    config.write_text(site.toml_snippet("site"), encoding="utf-8")
    return {"db": str(directory / "news.db"), "config": str(config)}


def assert_every_url_has_a_state_and_a_reason(db: str) -> None:
    """What every test's crawls left: each URL in a state with a reason someone can read (after a
    killed run too: 'fetched', downloaded and waiting for extraction, says so)."""
    if not os.path.exists(db):
        return
    conn = sqlite3.connect(db)
    try:
        silent = conn.execute("SELECT url, kind, reason FROM urls WHERE kind NOT IN ({}) OR coalesce(trim(reason), '') "
                              "= ''".format(", ".join("?" for _ in frontier.STATES)), frontier.STATES).fetchall()
    except sqlite3.OperationalError:  # killed before its tables were made
        return
    finally:
        conn.close()
    assert silent == [], f"URLs without a state or a reason: {silent[:5]}"


def crawl_cmd(env, *extra: str, outlet: str = "site") -> list[str]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", outlet, "--db", env["db"], "--config", env["config"]]
    for pair in LOOPBACK + list(extra):
        cmd += ["-s", pair]
    return cmd


def crawl(env, *extra: str, outlet: str = "site") -> subprocess.CompletedProcess:
    result = subprocess.run(crawl_cmd(env, *extra, outlet=outlet), capture_output=True, timeout=180)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-3000:]
    return result


def crawl_ok(env, outlet: str) -> None:
    """``crawl`` of one outlet of the config, which must end with exit status 0."""
    result = crawl(env, outlet=outlet)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]


def rows(env, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(env["db"])
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def kill_crawl_when(env, ready, *extra: str) -> None:
    """Start a crawl and SIGKILL it once ``ready()`` (checked every 0.1 s, for 60 s at most)."""
    proc = subprocess.Popen(crawl_cmd(env, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if ready() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()


def stored_one(env) -> bool:
    try:
        return os.path.exists(env["db"]) and rows(env, "select count(*) as n from articles")[0]["n"] >= 1
    except sqlite3.OperationalError:
        return False  # tables not created yet


def last_run(env) -> dict:
    return rows(env, "select * from crawl_runs order by id desc limit 1")[0]


def test_first_run_stores_everything_and_flags_the_relevant(env, site):
    result = crawl(env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    articles = rows(env, "select * from articles")
    assert len(articles) == len(PAGES)
    by_title = {a["title"]: a for a in articles}
    relevant = [a for a in articles if a["relevant"]]
    assert [a["title"] for a in relevant] == ["反撃能力行使、同盟国への攻撃例示 岸田文雄首相が言及"]
    terms = {m["term"] for m in json.loads(relevant[0]["matched_terms"])}
    assert "反撃能力" in terms
    # Stored as extracted: Shift_JIS decoded, boilerplate gone, raw page kept for reextract.
    assert any("チューリップ" in t for t in by_title)
    assert all("POPULAR ARTICLE" not in a["text"] for a in articles)
    assert rows(env, "select count(*) as n from pages")[0]["n"] == len(PAGES)
    queue = rows(env, "select * from review_queue")
    assert len(queue) == 1
    run = last_run(env)
    assert run["finish_reason"] == "finished" and run["finished_at"]
    assert run["articles_new"] == len(PAGES) and run["articles_relevant"] == 1
    # Paywall teasers are counted for the outlet's health (``paywalled``: their share jumping).
    teasers = sum(a["paywalled"] for a in articles)
    assert teasers and rows(env, "select sum(paywalled) as n from outlet_runs where run_id = ?",
                            run["id"]) == [{"n": teasers}]
    # The polite crawler asked for robots.txt and never for what it disallows.
    paths = [r.path for r in site.requests()]
    assert "/robots.txt" in paths and "/private/secret.html" not in paths
    assert all(r.user_agent and r.user_agent.startswith("newsmon/") for r in site.requests())


def test_second_run_fetches_no_article_and_a_new_one_alone(env, site):
    assert crawl(env).returncode == 0
    site.clear_log()
    assert crawl(env).returncode == 0
    assert site.article_requests() == []
    feed = [r for r in site.requests() if r.path == RSS_PATH]
    assert feed and feed[0].status == 304 and feed[0].if_none_match  # conditional GET
    assert last_run(env)["articles_new"] == 0

    added = site.add_article(LATER)
    site.clear_log()
    assert crawl(env).returncode == 0
    fetched = {r.path for r in site.article_requests()}
    assert fetched == {added.path}
    assert last_run(env)["articles_new"] == 1
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES) + 1


def test_an_article_published_since_the_last_run_is_fetched_before_the_backlog_of_earlier_runs(env, site):
    # A backlog (a first run's archive sitemaps, a day the outlet walled newsmon off, a killed
    # run) was fetched first, oldest first, and used up NEWSMON_MAX_ARTICLES: an article
    # published since waited behind it for as many runs as the backlog took, hours or days.
    assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
    backlog = {r["url"] for r in rows(env, "select url from urls where kind = 'pending'")}
    assert len(backlog) == len(PAGES) - 2
    added = site.add_article(LATER)
    site.clear_log()
    assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
    fetched = [r.path for r in site.article_requests()]
    assert len(fetched) == 2 and fetched[0] == added.path, fetched
    # The room left went to the backlog, oldest first; the rest waits for the next run.
    assert site.url(fetched[1]) in backlog
    assert rows(env, "select count(*) as n from urls where kind = 'pending'") == [{"n": len(backlog) - 1}]
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles") == [{"n": len(PAGES) + 1}]


@pytest.mark.parametrize("lastmod", ["as served", None, "2099-12-31", "built now"],
                         ids=["dated", "undated", "dated_far_ahead", "stamped_with_its_build_time"])
def test_a_first_runs_archive_sitemap_leaves_the_room_to_the_articles_its_feeds_list(tmp_path, lastmod):
    # A new outlet's archive sitemap (its entries dated years ago), read before its slow feed,
    # used up NEWSMON_MAX_ARTICLES: the day's article the feed listed waited behind the archive
    # for as many runs as the archive took. So did one whose entries give no lastmod (or a
    # placeholder years ahead), which says nothing of being the day's news: ordered by URL behind
    # its older numbers, while no health signal counts an article the first run found. And one
    # that stamps every entry with one date, the time it was built (today): read as the day's news.
    if lastmod == "built now":
        lastmod = datetime.now(UTC).isoformat(timespec="seconds")
    with LoopbackSite(PAGES, placement={page: ["sitemap"] for page in PAGES}, news_sitemap_size=0) as archive:
        today = archive.add_article(LATER, channels=["feed"])
        if lastmod != "as served":
            date = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            archive.answer(ARCHIVE_SITEMAP_PATH, 200, urlset("".join(
                f"<url><loc>{archive.url(a.path)}</loc>{date}</url>" for a in archive.articles
                if a.path != today.path)), {"Content-Type": "application/xml"})
        for feed in (RSS_PATH, ATOM_PATH):
            archive.hang(feed, 1.0)
        config = tmp_path / "newsmon.toml"
        config.write_text(archive.toml_snippet("site"), encoding="utf-8")
        env = {"db": str(tmp_path / "news.db"), "config": str(config)}
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = [r.path for r in archive.article_requests()]
    # The feed's article, then what room was left for the archive, oldest first; the rest waits.
    assert len(fetched) == 2 and fetched[0] == today.path, fetched
    assert rows(env, "select count(*) as n from urls where kind = 'pending'") == [{"n": len(PAGES) - 1}]


@pytest.mark.parametrize("stamp", ["day", "minute"])
def test_a_first_runs_sitemap_of_the_days_few_articles_dated_alike_is_read_before_the_archive(tmp_path, stamp):
    # A sitemap of the day's articles (no feed, no section), each dated with the day alone (2026-12-06) or all
    # published in one minute, read after the outlet's archive sitemap: taken for a sitemap stamped with its build
    # time, its three articles waited behind the archive's eight, 4 runs at 3 a run (50,000 at 500: 100 runs).
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    with LoopbackSite([]) as site:
        for n in range(1, 9):
            site.publish_html(f"/site/old/{n}.html", news_page(n, old), title=f"第{n}報", published=old, channels=[])
        for n in range(1, 4):
            site.publish_html(f"/site/today/{n}.html", news_page(20 + n, now), title=f"第{20 + n}報", published=now,
                              channels=[])
        site.answer("/archive.xml", 200, urlset("".join(
            f"<url><loc>{site.url(f'/site/old/{n}.html')}</loc><lastmod>2020-05-0{n}</lastmod></url>"
            for n in range(1, 9))), {"Content-Type": "application/xml"})
        date = now.date().isoformat() if stamp == "day" else now.isoformat(timespec="minutes")
        site.answer("/latest.xml", 200, urlset("".join(
            f"<url><loc>{site.url(f'/site/today/{n}.html')}</loc><lastmod>{date}</lastmod></url>"
            for n in range(1, 4))), {"Content-Type": "application/xml"}, delay=1.0)
        config = tmp_path / "newsmon.toml"
        config.write_text(f"[outlets.site]\nname = 'Site'\nlanguage = 'ja'\n"
                          f"sitemaps = ['{site.url('/archive.xml')}', '{site.url('/latest.xml')}']\n"
                          f"article_url_pattern = '^{re.escape(site.url('/site/'))}'\n", encoding="utf-8")
        env = {"db": str(tmp_path / "news.db"), "config": str(config)}
        assert crawl(env, "NEWSMON_MAX_ARTICLES=3").returncode == 0
        fetched = [r.path for r in site.article_requests()]
    assert sorted(fetched) == [f"/site/today/{n}.html" for n in range(1, 4)], fetched
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_an_archive_sitemap_added_after_the_first_run_leaves_the_room_to_the_days_news(tmp_path):
    # An archive sitemap added to an outlet after its first run (a newer outlet definition, the user's config, an
    # index's new child) was read as the day's news: its old articles took NEWSMON_MAX_ARTICLES ahead of the article
    # the outlet's news sitemap listed since, for as many runs as the archive took (50,000 at 500: 100 runs).
    now = datetime.now(UTC).replace(microsecond=0)
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    with LoopbackSite([]) as site:
        def latest(count):
            site.answer("/latest.xml", 200, urlset("".join(
                f"<url><loc>{site.url(f'/site/today/{n}.html')}</loc><lastmod>{now.isoformat()}</lastmod></url>"
                for n in range(1, count + 1))), {"Content-Type": "application/xml"}, delay=1.0)

        for n in range(1, 3):
            site.publish_html(f"/site/today/{n}.html", news_page(20 + n, now), title=f"第{20 + n}報", published=now,
                              channels=[])
        latest(1)
        assert crawl(_site_config(tmp_path, site, "/latest.xml"), "NEWSMON_MAX_ARTICLES=2").returncode == 0
        for n in range(1, 9):
            site.publish_html(f"/site/old/{n}.html", news_page(n, old), title=f"第{n}報", published=old, channels=[])
        site.answer("/archive.xml", 200, urlset("".join(
            f"<url><loc>{site.url(f'/site/old/{n}.html')}</loc><lastmod>2020-05-0{n}</lastmod></url>"
            for n in range(1, 9))), {"Content-Type": "application/xml"})
        latest(2)
        site.clear_log()
        env = _site_config(tmp_path, site, "/archive.xml", "/latest.xml")
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = [r.path for r in site.article_requests()]
    # The news sitemap's new article, then the room left for the archive; the rest waits, pending.
    assert len(fetched) == 2 and fetched[0] == "/site/today/2.html", fetched
    assert rows(env, "select count(*) as n from urls where kind = 'pending'") == [{"n": 7}]
    assert_every_url_has_a_state_and_a_reason(env["db"])


def _undated(site: LoopbackSite, paths) -> bytes:
    return urlset("".join(f"<url><loc>{site.url(p)}</loc></url>" for p in paths))


def _site_config(tmp_path: Path, site: LoopbackSite, *sitemaps: str, feed: bool = False) -> dict[str, str]:
    """The env of a config of outlet ``site`` reading ``sitemaps`` (paths of ``site``), and its RSS feed if ``feed``."""
    path = tmp_path / "newsmon.toml"
    feeds = f"feeds = [{site.url(RSS_PATH)!r}]\n" if feed else ""
    path.write_text(f"[outlets.site]\nname = 'Site'\nlanguage = 'ja'\n{feeds}"
                    f"sitemaps = [{', '.join(repr(site.url(s)) for s in sitemaps)}]\n"
                    f"article_url_pattern = '^{re.escape(site.url('/site/'))}'\n", encoding="utf-8")
    return {"db": str(tmp_path / "news.db"), "config": str(path)}


def test_an_indexs_new_undated_child_after_the_first_run_is_the_days_news_not_the_backlogs(tmp_path):
    # A new month's child of a sitemap index, undated, read for the first time while the outlet's first run's
    # archive still waits: its day's article was taken for the archive and waited behind the whole backlog
    # (50,000 at 500 a run: 100 runs), where before it was read as the day's news.
    now = datetime.now(UTC).replace(microsecond=0)
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    with LoopbackSite([]) as site:
        def index(*children):
            site.answer("/index.xml", 200, (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<sitemap><loc>{site.url(c)}</loc></sitemap>" for c in children)
                + "</sitemapindex>").encode(), {"Content-Type": "application/xml"})

        for n in range(1, 9):
            site.publish_html(f"/site/old/{n}.html", news_page(n, old), title=f"第{n}報", published=old, channels=[])
        for month, n in (("nov", 30), ("dec", 40)):
            site.publish_html(f"/site/{month}/1.html", news_page(n, now), title=f"第{n}報", published=now,
                              channels=[])
        site.answer("/archive.xml", 200, _undated(site, [f"/site/old/{n}.html" for n in range(1, 9)]),
                    {"Content-Type": "application/xml"})
        site.answer("/2026-11.xml", 200, _undated(site, ["/site/nov/1.html"]), {"Content-Type": "application/xml"})
        site.answer("/2026-12.xml", 200, _undated(site, ["/site/dec/1.html"]), {"Content-Type": "application/xml"})
        index("/2026-11.xml", "/archive.xml")
        env = _site_config(tmp_path, site, "/index.xml")
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        index("/2026-12.xml", "/2026-11.xml", "/archive.xml")
        site.clear_log()
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = [r.path for r in site.article_requests()]
    assert fetched[0] == "/site/dec/1.html" and len(fetched) == 2, fetched
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_sitemap_cut_short_at_every_read_has_its_new_articles_read_in_the_run_that_finds_them(tmp_path):
    # Never read whole (cut short inside its last entry, its problem named in health), a sitemap counted as read
    # for the first time at every run: its new articles, undated, were taken for an archive and waited behind
    # every URL earlier runs left, run after run.
    now = datetime.now(UTC).replace(microsecond=0)
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    with LoopbackSite([]) as site:
        def cut(numbers):  # the newest first, the document cut short inside its last entry
            body = _undated(site, [f"/site/new/{n}.html" for n in numbers] + ["/site/lost.html"])
            site.answer("/news.xml", 200, body[:body.rindex(b"lost.html") - 5], {"Content-Type": "application/xml"})

        for n in range(1, 9):
            site.publish_html(f"/site/old/{n}.html", news_page(n, old), title=f"第{n}報", published=old, channels=[])
        for n in range(1, 4):
            site.publish_html(f"/site/new/{n}.html", news_page(20 + n, now), title=f"第{20 + n}報", published=now,
                              channels=[])
        site.answer("/archive.xml", 200, _undated(site, [f"/site/old/{n}.html" for n in range(1, 9)]),
                    {"Content-Type": "application/xml"})
        env = _site_config(tmp_path, site, "/archive.xml", "/news.xml")
        fetched = []
        for n in (1, 2, 3):
            cut(range(n, 0, -1))
            site.clear_log()
            assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
            fetched.append([r.path for r in site.article_requests()])
    assert all(f"/site/new/{n}.html" in run for n, run in zip((2, 3), fetched[1:])), fetched
    assert rows(env, "select count(*) as n from discovery where url like '%/news.xml' and ok = 1") == [{"n": 0}]
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_first_runs_undated_archive_is_asked_for_in_the_order_it_lists(tmp_path):
    # An undated sitemap beside sections (tokyo_np's, tbs's): the day's articles it alone listed,
    # first in it, waited with the archive, asked for by URL (its oldest numbers first) for as many
    # runs as the archive took; asked for in its own order, they come first.
    with LoopbackSite(PAGES, placement={page: ["sitemap"] for page in PAGES}, news_sitemap_size=0) as archive:
        listed = sorted((a for a in archive.articles), key=lambda a: a.path, reverse=True)
        archive.answer(ARCHIVE_SITEMAP_PATH, 200, urlset("".join(
            f"<url><loc>{archive.url(a.path)}</loc></url>" for a in listed)), {"Content-Type": "application/xml"})
        config = tmp_path / "newsmon.toml"
        config.write_text(archive.toml_snippet("site"), encoding="utf-8")
        env = {"db": str(tmp_path / "news.db"), "config": str(config)}
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = [r.path for r in archive.article_requests()]
    assert sorted(fetched) == sorted(a.path for a in listed[:2]), fetched


def _old_archive(site: LoopbackSite, numbers, suffix: str = "") -> None:
    """Articles of 2020 at /site/old/<n>.html, listed by /archive.xml alone, dated, in the order of ``numbers``."""
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    for n in numbers:
        site.publish_html(f"/site/old/{n}.html", news_page(n, old), title=f"第{n}報", published=old, channels=[])
    site.answer("/archive.xml", 200, urlset("".join(
        f"<url><loc>{site.url(f'/site/old/{n}.html')}{suffix}</loc><lastmod>2020-05-0{n}</lastmod></url>"
        for n in numbers)), {"Content-Type": "application/xml"})


def _quota_runs(site: LoopbackSite, env: dict[str, str], rooms) -> list[list[str]]:
    """The article paths each run asked for, sorted, one run per NEWSMON_MAX_ARTICLES of ``rooms``."""
    runs = []
    for room in rooms:
        site.clear_log()
        assert crawl(env, f"NEWSMON_MAX_ARTICLES={room}").returncode == 0
        runs.append(sorted(r.path for r in site.article_requests()))
    return runs


def _today(site: LoopbackSite, numbers) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    for n in numbers:
        site.publish_html(f"/site/today/{n}.html", news_page(20 + n, now), title=f"第{20 + n}報", published=now,
                          channels=["feed"])


def test_the_days_articles_a_first_run_left_come_before_its_archive_which_follows_in_the_order_listed(tmp_path):
    # A first run's feed listed more of the day's articles than NEWSMON_MAX_ARTICLES; its archive sitemap, read
    # before the slow feed, was left pending too. The next runs took the backlog oldest first: the day's articles
    # waited behind the archive (50,000 at 500 a run: 100 runs), and the archive came by URL, not in its order.
    with LoopbackSite([]) as site:
        _old_archive(site, range(8, 0, -1))  # listed newest first
        _today(site, range(1, 5))
        site.hang(RSS_PATH, 1.0, times=1)
        env = _site_config(tmp_path, site, "/archive.xml", feed=True)
        runs = _quota_runs(site, env, (2, 2, 2))
    assert runs == [["/site/today/3.html", "/site/today/4.html"], ["/site/today/1.html", "/site/today/2.html"],
                    ["/site/old/7.html", "/site/old/8.html"]], runs
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_bursts_leftover_articles_come_before_the_archive_an_earlier_run_left(tmp_path):
    # A later run's quota went to a burst of the day's articles; the rest, pending, waited behind the archive the
    # outlet's first run left, older than they are. An old article the feed lists again is the day's news too.
    with LoopbackSite([]) as site:
        _old_archive(site, range(1, 9))
        _today(site, [0])
        env = _site_config(tmp_path, site, "/archive.xml", feed=True)
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0  # today/0, and old/1 in the room left
        _today(site, range(1, 5))
        _feed_of(site, [*(f"/site/today/{n}.html" for n in (4, 3, 2, 1)), "/site/old/6.html"])
        runs = _quota_runs(site, env, (2, 3))
    assert runs == [["/site/today/3.html", "/site/today/4.html"],
                    ["/site/old/6.html", "/site/today/1.html", "/site/today/2.html"]], runs
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_first_runs_archive_listed_under_a_tracking_parameter_leaves_the_room_to_the_feed(tmp_path):
    # The archive's entries were told by their canonical URL: listed with a tracking parameter (or http:// on an
    # https host, a path in Japanese), none was the archive's, and the archive took the quota ahead of the feed.
    with LoopbackSite([]) as site:
        _old_archive(site, range(1, 9), suffix="?utm_source=sitemap")
        _today(site, [1])
        site.hang(RSS_PATH, 1.0, times=1)
        env = _site_config(tmp_path, site, "/archive.xml", feed=True)
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = [r.path for r in site.article_requests()]
    assert "/site/today/1.html" in fetched and len(fetched) == 2, fetched
    assert_every_url_has_a_state_and_a_reason(env["db"])


def _feed_of(site: LoopbackSite, paths) -> None:
    site.answer(RSS_PATH, 200, (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Site</title>' + "".join(
            f"<item><title>{path}</title><link>{site.url(path)}</link></item>" for path in paths)
        + "</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})


def test_an_archives_article_the_feed_lists_while_it_is_not_due_is_the_days_news_once_due(tmp_path):
    # The feed listed an archive's article while its site had asked (429, Retry-After) for an hour: not to be
    # fetched, it stayed the archive's, and once due waited behind the day's news later runs left.
    with LoopbackSite([]) as site:
        _old_archive(site, range(1, 9))
        site.fail("/site/old/1.html", 429, retry_after=3600)
        env = _site_config(tmp_path, site, "/archive.xml", feed=True)
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0  # old/1 (asked to wait an hour), old/2
        _today(site, range(1, 5))
        _feed_of(site, [*(f"/site/today/{n}.html" for n in (4, 3, 2, 1)), "/site/old/1.html"])
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0  # today/4 and /3; old/1 not due
        _feed_of(site, [f"/site/today/{n}.html" for n in (4, 3, 2, 1)])  # rolled past old/1
        site.remove_fault("/site/old/1.html")
        with sqlite3.connect(env["db"]) as db:  # the hour over
            db.execute("UPDATE urls SET retry_at = '2020-01-01T00:00:00+00:00' WHERE url = ?",
                       [site.url("/site/old/1.html")])
        db.close()
        site.clear_log()
        assert crawl(env, "NEWSMON_MAX_ARTICLES=2").returncode == 0
        fetched = sorted(r.path for r in site.article_requests())
    # Seen in the first run, it is the oldest of the day's news left.
    assert fetched == ["/site/old/1.html", "/site/today/1.html"], fetched
    assert_every_url_has_a_state_and_a_reason(env["db"])


def _index_of(site: LoopbackSite, children) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{site.url(c)}</loc></sitemap>" for c in children) + "</sitemapindex>").encode()


@pytest.mark.parametrize("nested", [False, True])
def test_an_indexs_childrens_archives_come_in_the_indexs_order(tmp_path, nested):
    # Each child's entries were numbered from 1: two children read in the same second interleaved in the backlog,
    # and its second child, answering first (a second before the first), came first. Nested, an index of a year's
    # index each: given blocks when its answer came, a nested index's children came in the order the nested indexes
    # answered, 2025's archive before 2026's (which answered a second later).
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    xml = {"Content-Type": "application/xml"}
    with LoopbackSite([]) as site:
        for month in ("nov", "oct"):
            for n in (1, 2, 3):
                site.publish_html(f"/site/{month}/{n}.html", news_page(n, old), title=f"{month}{n}", published=old,
                                  channels=[])
            site.answer(f"/{month}.xml", 200, _undated(site, [f"/site/{month}/{n}.html" for n in (1, 2, 3)]), xml,
                        delay=1.2 if month == "nov" and not nested else 0.0)
        if nested:
            site.answer("/y2026.xml", 200, _index_of(site, ["/nov.xml"]), xml, delay=1.2)
            site.answer("/y2025.xml", 200, _index_of(site, ["/oct.xml"]), xml)
        site.answer("/index.xml", 200, _index_of(site, ["/y2026.xml", "/y2025.xml"] if nested else
                                                 ["/nov.xml", "/oct.xml"]), xml)
        env = _site_config(tmp_path, site, "/index.xml")
        runs = _quota_runs(site, env, (2, 2, 2))
    assert runs == [["/site/nov/1.html", "/site/nov/2.html"], ["/site/nov/3.html", "/site/oct/1.html"],
                    ["/site/oct/2.html", "/site/oct/3.html"]], runs
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_an_indexs_child_sitemap_whose_query_ampersand_is_escaped_is_asked_for_under_its_whole_query(tmp_path):
    # An index escaping its locs twice: "&#38;" asked for "?y=2025&" (the '#' a fragment's), "&amp;" the parameter
    # "amp;m"; a site that serves each month under its query gave another month, or none.
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    with LoopbackSite([]) as site:
        for month in ("jan", "feb"):
            site.publish_html(f"/site/{month}/1.html", news_page(1, old), title=month, published=old, channels=[])
            site.answer(f"/{month}.php", 200, _undated(site, [f"/site/{month}/1.html"]),
                        {"Content-Type": "application/xml"})
        site.answer("/index.xml", 200, (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url('/jan.php')}?y=2025&amp;#38;m=1</loc></sitemap>"
            f"<sitemap><loc>{site.url('/feb.php')}?y=2025&amp;amp;m=2</loc></sitemap>"
            "</sitemapindex>").encode(), {"Content-Type": "application/xml"})
        env = _site_config(tmp_path, site, "/index.xml")
        assert crawl(env).returncode == 0
        asked = sorted((r.path, r.query) for r in site.requests() if r.path.endswith(".php"))
        fetched = sorted(r.path for r in site.article_requests())
    assert asked == [("/feb.php", "y=2025&m=2"), ("/jan.php", "y=2025&m=1")], asked
    assert fetched == ["/site/feb/1.html", "/site/jan/1.html"], fetched
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_errors_are_counted_and_do_not_stop_the_run(env, site):
    articles = site.articles
    site.fail(articles[0].path, 404)
    site.fail(articles[1].path, 500)
    site.hang(articles[2].path, 10)
    site.fail(ATOM_PATH, 500)  # its articles the RSS feed lists too
    result = crawl(env)
    assert result.returncode == 0
    # The run's line says the feed failed too: "0 failed pages" alone read as a good run when every
    # feed of an outlet failed.
    [said] = [line for line in result.stderr.decode().splitlines() if line.startswith("newsmon: ") and "requests" in line]
    assert re.search(r", 3 failed pages, 1 of \d+ feeds, sitemaps and sections failed or broken \(newsmon status", said), said
    run = last_run(env)
    statuses = json.loads(run["responses_by_status"])
    assert statuses.get("404") and statuses.get("500")
    assert run["errors"] >= 3
    assert run["articles_new"] == len(PAGES) - 3
    failed = rows(env, "select url, kind from urls where kind = 'error'")
    assert len(failed) == 3

    # Once the site recovers, the next run fetches exactly the three it missed.
    for a in articles[:3]:
        site.remove_fault(a.path)
    site.remove_fault(ATOM_PATH)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert {r.path for r in site.article_requests()} == {a.path for a in articles[:3]}
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_articles_whose_pages_failed_for_three_runs_are_tried_once_more_hours_later(env, site):
    # The outlet's origin answers 503 for the better part of an hour while its CDN still serves
    # the feeds: three runs a quarter of an hour apart, three failures, given up for good.
    down, missing = site.articles[0], site.articles[1]
    site.fail(down.path, 503)
    site.fail(missing.path, 404)  # listed before its page went up
    for _ in range(3):
        assert crawl(env).returncode == 0
    states = {r["url"]: r for r in rows(env, "select url, kind, attempts, reason, retry_at from urls")}
    assert (states[site.url(down.path)]["kind"], states[site.url(missing.path)]["kind"]) == ("gave_up", "gone")
    assert states[site.url(down.path)]["reason"].startswith("gave up after 3 attempts: HTTP 503")
    assert "; tried once more after " in states[site.url(down.path)]["reason"]
    site.remove_fault(down.path)
    site.remove_fault(missing.path)
    site.clear_log()
    assert crawl(env).returncode == 0 and site.article_requests() == []  # not before its time
    conn = sqlite3.connect(env["db"])
    with conn:  # six hours on (the ledger's clock)
        conn.execute("UPDATE urls SET retry_at = '2000-01-01T00:00:00+00:00' WHERE retry_at IS NOT NULL")
    conn.close()
    assert crawl(env).returncode == 0
    assert {r.path for r in site.article_requests()} == {down.path, missing.path}
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_sigkill_mid_run_leaves_a_consistent_database_and_the_next_run_finishes(env, site):
    for a in site.articles[1:]:
        site.hang(a.path, 2.5)  # slow pages: the crawl is still running when it is killed
    kill_crawl_when(env, lambda: stored_one(env), "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_TIMEOUT=20")
    assert rows(env, "pragma integrity_check")[0]["integrity_check"] == "ok"
    stored = rows(env, "select count(*) as n from articles")[0]["n"]
    assert 1 <= stored < len(PAGES)
    # Every stored article has its raw page: page and article were written in one transaction.
    assert rows(env, "select count(*) as n from articles where id not in (select article_id from pages)")[0]["n"] == 0
    assert last_run(env)["finished_at"] is None

    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES), \
        rows(env, "select url, kind, attempts, reason from urls")
    runs = rows(env, "select finish_reason from crawl_runs order by id")
    assert [r["finish_reason"] for r in runs] == ["killed", "finished"]
    # The kill is a failure of the outlet's, told (logged as told: the next digest delivered says it) before the
    # recovery the next run found. Closed by the next run with no outlet_runs row, no check ever saw it: under
    # cron, a crawl the OOM killer took every other run left its outlet "ok", and no digest said a run had failed.
    said = rows(env, "select run_id, previous, status, reasons, told from health_log order by id")
    assert [(h["run_id"], h["previous"], h["status"], h["told"]) for h in said] == [
        (1, None, "failing", 1), (2, "failing", "ok", 1)], said
    assert json.loads(said[0]["reasons"])[0]["message"] == "the last run ended without closing (killed)"
    # The killed run's articles' term counts (kept in memory until it closed) are lost: story grouping
    # weighs by skewed counts, which status says until a regroup counts them again.
    status = [sys.executable, "-m", "crawler.cli", "status", "--db", env["db"], "--config", env["config"]]
    said = subprocess.run(status, capture_output=True, text=True, timeout=120).stdout
    assert f"stories: the term counts that story grouping weighs by miss {stored} article" in said, said
    regroup = subprocess.run([sys.executable, "-m", "crawler.cli", "regroup", "--db", env["db"], "--config",
                              env["config"]], capture_output=True, text=True, timeout=120)
    assert regroup.returncode == 0, regroup.stderr
    assert "term counts" not in subprocess.run(status, capture_output=True, text=True, timeout=120).stdout


def test_a_crawl_stopped_by_a_second_ctrl_c_is_recorded_as_forced_not_killed(env, site):
    # A second SIGTERM or Ctrl-C stops Scrapy at once, before newsmon's close: the next run
    # called it "killed", which says the kernel or a power loss ended it, and status showed the
    # run unfinished until then.
    for a in site.articles[1:]:
        site.hang(a.path, 5)  # the first Ctrl-C waits for these pages; the second does not
    proc = subprocess.Popen(crawl_cmd(env, "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_TIMEOUT=20"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if stored_one(env) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=60)[1].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]  # stopped, as asked: not a failure
    assert "crawl stopped (Ctrl-C) before it could close" in err, err[-3000:]
    assert "recorded as 'shutdown: forced'" in err, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    forced = last_run(env)
    assert (forced["finish_reason"], forced["exit_status"]) == ("shutdown: forced", 130)
    assert forced["finished_at"] is not None and forced["requests"] >= 2
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert [r["finish_reason"] for r in rows(env, "select finish_reason from crawl_runs order by id")] == [
        "shutdown: forced", "finished"]
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


@pytest.mark.parametrize("signum, status, said", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_a_crawl_stopped_once_keeps_what_it_stored_leaves_the_rest_pending_and_says_it_was_stopped(env, site, signum,
                                                                                                   status, said):
    # Scrapy's graceful stop sent every request already in its downloader, each after its delay, and waited for each
    # up to DOWNLOAD_TIMEOUT: 19-24 s, then "Error: …", exit 1, which cron and systemd count as a failed crawl.
    for a in site.articles[1:]:
        site.hang(a.path, 30)  # in flight at the signal, and longer than the stop gives them
    # One request a second to the outlet: those not sent yet wait in the downloader as the signal comes.
    code, err, _ = stop_crawl_when(env, lambda: stored_one(env), "DOWNLOAD_DELAY=1", "DOWNLOAD_TIMEOUT=60",
                                   signum=signum)
    assert code == status, err[-3000:]
    assert "Traceback" not in err and "Aborted!" not in err and "Error:" not in err, err[-3000:]
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"newsmon: crawl stopped ({said}) and closed cleanly, recorded as run 1 'shutdown': what it "
                           "had downloaded is stored (1 new article);"), last
    assert "URLs of its outlets wait as pending, and the next run fetches them: run `newsmon crawl site" in last, last
    stopped = last_run(env)
    assert (stopped["finish_reason"], stopped["exit_status"]) == ("shutdown", status)
    assert rows(env, "select count(*) as n from articles")[0]["n"] == 1
    # Neither dropped nor cut short is a failure of the page or of the outlet: each waits, with its reason.
    assert_every_url_has_a_state_and_a_reason(env["db"])
    left = rows(env, "select kind, reason, attempts from urls where kind != 'article'")
    assert left and {r["kind"] for r in left} == {"pending"} and all(r["attempts"] == 0 for r in left), left
    assert str(len(left)) + " URLs of its outlets wait" in last
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def stop_crawl_when(env, ready, *extra: str, signum: int = signal.SIGTERM, group: bool = False,
                    environ: dict[str, str] | None = None, then: Callable[[], None] | None = None,
                    twice: bool = False, within: float = 120) -> tuple[int, str, float]:
    """Start a crawl (in ``environ``) and send it ``signum`` once ``ready()``, then call ``then()``: its exit
    status, its standard error and when the signal was sent (``time.time()``, the clock of the site's request
    log). ``group``: to each process of the crawl (its extraction workers too), as a terminal's Ctrl-C, systemd's
    stop and `kill -- -PGID` send it; the crawl runs in a process group of its own. ``twice``: sent again half a
    second later (a forced stop). The crawl must end ``within`` seconds after."""
    proc = subprocess.Popen(crawl_cmd(env, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=group, env=environ)
    try:
        for _ in range(600):
            if ready() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        sent = time.time()
        for n in range(2 if twice else 1):
            if n:
                time.sleep(0.5)
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
        if then is not None:
            then()
        _, err = proc.communicate(timeout=within)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err.decode(errors="replace"), sent


def _held_in_extraction(site, tmp_path):
    """An article page an extraction worker holds once it begins reading it (tests/crash/sitecustomize.py: it writes
    ``reading-PID`` in the ``hold`` directory, and reads on once ``go`` is there): the page, its own body, ``hold``
    and the crawl's environment."""
    import urllib.request

    from .conftest import crashing_env

    held = site.article(PAGES[1])
    body = urllib.request.urlopen(site.url(held.path), timeout=10).read()
    site.answer(held.path, 200, body.replace(b"<body", HOLD_MARKER + b"<body", 1),
                {"Content-Type": "text/html; charset=utf-8"})
    hold = tmp_path / "hold"
    hold.mkdir()
    return held, body, hold, {**crashing_env(), "TESTS_CRASH_HOLD": str(hold)}


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_sent_to_the_crawls_process_group_as_a_page_is_read_stores_the_page_and_blames_nothing(
        env, site, tmp_path, signum, status):
    # systemd's stop (KillMode=control-group) sends SIGTERM to every process of the crawl, its extraction workers and
    # their forkserver too: the worker reading a page died, and so did the forkserver, which broke each worker's pool.
    # Every page in the workers was a "worker died" error in the run's count, and with two workers a page retried on
    # the other's broken pool was failed for good: `extract_failed`, "died on this page twice", and a page without an
    # article in the outlet's health. The stop rule: what was downloaded is stored.
    held, _, hold, environ = _held_in_extraction(site, tmp_path)
    code, err, _ = stop_crawl_when(env, lambda: any(hold.glob("reading-*")), "NEWSMON_EXTRACT_WORKERS=2",
                                   "NEWSMON_EXTRACT_WORKERS_MAX=2", signum=signum, group=True, environ=environ,
                                   then=(hold / "go").touch)
    assert code == status, err[-3000:]
    assert "Traceback" not in err and "worker died" not in err, err[-3000:]
    assert rows(env, "select kind, reason_code from urls where url = ?", site.url(held.path)) == [
        {"kind": "article", "reason_code": "stored"}]
    assert rows(env, "select url, reason from urls where reason_code = 'extract_failed'") == []
    assert rows(env, "select no_article, errors from outlet_runs") == [{"no_article": 0, "errors": 0}]
    assert (last_run(env)["finish_reason"], last_run(env)["errors"]) == ("shutdown", 0)


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_second_stop_sent_to_the_crawls_process_group_does_not_wait_for_the_page_a_worker_reads(
        env, site, tmp_path, signum, status):
    # The workers leave a stop sent to the whole group to the crawl, the second too, and the crawl's exit waited for
    # the page each had begun: a huge page in a C parser held `kill -- -PGID` or Ctrl-C pressed twice for as long as
    # it took to read (here: the 120 s tests/crash holds it). A forced stop's pages are the next run's to read.
    held, body, hold, environ = _held_in_extraction(site, tmp_path)
    code, err, _ = stop_crawl_when(env, lambda: any(hold.glob("reading-*")), signum=signum, group=True, twice=True,
                                   environ=environ, within=60)
    assert code == status, err[-3000:]
    assert "recorded as 'shutdown: forced'" in err and "Traceback" not in err, err[-3000:]
    assert last_run(env)["finish_reason"] == "shutdown: forced"
    assert rows(env, "select kind from urls where url = ?", site.url(held.path)) != [{"kind": "article"}]
    site.answer(held.path, 200, body, {"Content-Type": "text/html; charset=utf-8"})
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(held.path)) == [{"kind": "article"}]


# robots.txt answers within the stop's 5 s, or is cut short with the downloads in flight.
@pytest.mark.parametrize("robots_delay", [3, 30])
def test_a_crawl_stopped_while_robots_txt_is_read_sends_nothing_after_and_blames_no_robots_txt(env, site, robots_delay):
    # The feeds, sitemaps and sections waited for robots.txt as the signal came. Answered, they went out after the
    # stop, one per DOWNLOAD_DELAY, and those after the 5 s were not cut short: the crawl waited up to DOWNLOAD_TIMEOUT
    # for each (42 s; the daemon kills a crawl 30 s after its SIGTERM). Cut short, robots.txt was recorded as
    # unreachable: the outlet "failing: its robots.txt … could not be fetched" after a run that was only stopped.
    site.hang("/robots.txt", robots_delay, times=1)
    for path in (RSS_PATH, ATOM_PATH, SITEMAP_PATH, NEWS_SITEMAP_PATH, SECTION_PATH, "/"):
        site.hang(path, 30)
    status, err, sent = stop_crawl_when(env, lambda: any(r.path == "/robots.txt" for r in site.requests()),
                                        "DOWNLOAD_DELAY=2", "DOWNLOAD_TIMEOUT=60")
    assert status == 143, err[-3000:]
    assert "Traceback" not in err and "could not be fetched" not in err, err[-3000:]
    assert [r.path for r in site.requests() if r.time > sent] == []
    assert rows(env, "select outlet, robots_unavailable, errors from outlet_runs") == [
        {"outlet": "site", "robots_unavailable": 0, "errors": 0}]
    assert rows(env, "select url from urls where kind != 'pending'") == []
    for path in (RSS_PATH, ATOM_PATH, SITEMAP_PATH, NEWS_SITEMAP_PATH, SECTION_PATH, "/"):
        site.remove_fault(path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_crawl_stopped_while_a_page_waits_out_its_retry_after_ends_without_waiting_and_leaves_it_pending(env, site):
    # A 503's Retry-After is waited inside the retry middleware: the request is in neither the downloader's queue
    # nor its transfers, so the stop neither dropped nor cut it, and the crawl waited the whole Retry-After (here
    # 600 s: the communicate below times out) after its SIGTERM; the schedule kills a crawl 30 s after its own.
    for a in site.articles[1:]:
        site.fail(a.path, 503, retry_after=600)
    asked = {a.path for a in site.articles[1:]}
    status, err, _ = stop_crawl_when(env, lambda: stored_one(env) and any(r.path in asked for r in site.requests()),
                                     "NEWSMON_MAX_RETRY_AFTER=900")
    assert status == 143, err[-3000:]
    assert "Traceback" not in err and "Error:" not in err, err[-3000:]
    assert_every_url_has_a_state_and_a_reason(env["db"])
    left = rows(env, "select kind, attempts from urls where kind != 'article'")
    assert left and {r["kind"] for r in left} == {"pending"} and all(r["attempts"] == 0 for r in left), left
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_crawl_stopped_with_a_downloader_unlike_scrapys_ends_as_scrapys_own_stop_and_says_so(env, site, monkeypatch):
    # The stop reads Scrapy's downloader queues, which a later Scrapy (or another DOWNLOADER) may keep otherwise: it
    # unpacked a queued (request, Deferred, when), lost it to a ValueError (a traceback), and the crawl waited for
    # it for ever.
    for a in site.articles[1:]:
        site.hang(a.path, 8)
    # The crawl runs in the test's directory: tests.reshaped is found from the checkout's root.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                   os.environ.get("PYTHONPATH")])))
    status, err, _ = stop_crawl_when(env, lambda: stored_one(env), "DOWNLOAD_DELAY=1", "DOWNLOAD_TIMEOUT=60",
                                     "DOWNLOADER=tests.reshaped.ReshapedDownloader")
    assert status == 143, err[-3000:]
    assert "Traceback" not in err and "Unhandled" not in err, err[-3000:]
    assert "newsmon: stopping (SIGTERM): the downloader of Scrapy" in err, err[-3000:]
    assert "is not as newsmon knows it (a queue not of (request, Deferred) pairs)" in err, err[-3000:]
    assert "sent and awaited as Scrapy's own stop does" in err, err[-3000:]
    assert last_run(env)["finish_reason"] == "shutdown"
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_dead_extraction_workers_are_replaced_and_no_page_is_lost(env, site, tmp_path):
    # A worker killed under the crawl (the kernel's OOM killer, a crash in a C parser) breaks its
    # pool: without a new worker every later page sent there would end as an error.
    import psutil

    for a in site.articles[1:]:
        site.hang(a.path, 1.5)  # the crawl is still going when its workers are killed
    log = tmp_path / "crawl.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(crawl_cmd(env, "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_TIMEOUT=20"),
                                stdout=subprocess.DEVNULL, stderr=err)
        try:
            for _ in range(600):
                try:
                    if os.path.exists(env["db"]) and rows(env, "select count(*) as n from articles")[0]["n"] >= 1:
                        break
                except sqlite3.OperationalError:
                    pass
                assert proc.poll() is None, "the crawl ended before its workers could be killed"
                time.sleep(0.1)
            # The pool's workers are the forkserver's children, the crawl's grandchildren.
            workers = [w for child in psutil.Process(proc.pid).children() for w in child.children()]
            assert workers
            for worker in workers:
                worker.kill()
            assert proc.wait(timeout=120) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "a new one is started" in log.read_text(errors="replace")
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES), \
        rows(env, "select url, kind, reason from urls where kind != 'article'")


def test_a_downloaded_page_gone_before_its_extraction_is_downloaded_again(env, site):
    # A killed run left a URL downloaded but not extracted; its raw page is gone since (pruned,
    # or the file restored from a backup): the URL must not stay "fetched" with a dead page.
    assert crawl(env).returncode == 0
    url = rows(env, "select url from urls where kind = 'article' order by url limit 1")[0]["url"]
    conn = sqlite3.connect(env["db"])
    with conn:
        conn.execute("update urls set kind = 'fetched', page_id = 999999 where url = ?", [url])
    conn.close()
    assert crawl(env).returncode == 0
    state = rows(env, "select kind, reason from urls where url = ?", url)[0]
    assert state["kind"] == "pending" and "no longer in the database" in state["reason"]
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", url)[0]["kind"] == "article"


class FailingStore:
    """An item pipeline that fails on the Nikkei page, as a bug in storing a page would (the
    crawl process imports it by name: ``-s ITEM_PIPELINES``)."""

    def process_item(self, item):
        if "nikkei" in item.url:
            raise RuntimeError("a bug in storing")
        return item


def test_a_bug_while_storing_a_page_fails_the_run_and_the_next_run_stores_it(env, site):
    pipelines = json.dumps({f"{__name__}.FailingStore": 100, "crawler.pipelines.StorePipeline": 300})
    root = str(Path(__file__).resolve().parents[1])  # where the crawl process finds this module
    result = subprocess.run(crawl_cmd(env, f"ITEM_PIPELINES={pipelines}"), capture_output=True, timeout=180,
                            env={**os.environ, "PYTHONPATH": root})
    assert result.returncode == 1
    assert b"newsmon failed 1 time(s) on the way" in result.stderr
    assert last_run(env)["exit_status"] == 1
    nikkei = rows(env, "select kind from urls where url like '%nikkei%'")
    assert [r["kind"] for r in nikkei] == ["pending"]
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


class KilledAfterDownload(StorePipeline):
    """The store pipeline of a crawl killed between keeping a page and extracting it, at the page
    of an URL under /site/old-address/ (imported by name by the crawl process)."""

    async def _extract(self, item, url, page_id, **kwargs):
        if "/site/old-address/" in item.url:
            os._exit(137)  # as SIGKILL there: the page kept, the URL "fetched"
        return await super()._extract(item, url, page_id, **kwargs)


def test_a_redirected_page_downloaded_by_a_killed_run_is_stored_under_both_urls(env, site):
    # The page a redirect led to is kept under where it led; extracted by the next run, it was
    # read as the first URL's own page: the article under the first URL, the one it led to in
    # no state at all, the redirect lost.
    assert crawl(env).returncode == 0
    fresh = site.add_article("scrapping-webs/nhk-test_article_2.html", channels=[])
    old = "/site/old-address/1.html"
    site.redirect(old, site.url(fresh.path))
    item = f"<item><title>移転</title><link>{site.url(old)}</link></item>"
    site.answer(RSS_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                f"{item}</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})
    pipelines = json.dumps({f"{__name__}.KilledAfterDownload": 300})
    root = str(Path(__file__).resolve().parents[1])
    # Its output to a file: the extraction workers it leaves behind hold a pipe open until they see it gone.
    with open(Path(env["db"]).with_suffix(".log"), "wb") as log:
        killed = subprocess.run(crawl_cmd(env, f"ITEM_PIPELINES={pipelines}"), stdout=log, stderr=log, timeout=180,
                                env={**os.environ, "PYTHONPATH": root})
    assert killed.returncode == 137, Path(env["db"]).with_suffix(".log").read_text(errors="replace")[-2000:]
    assert rows(env, "select kind from urls where url = ?", site.url(old)) == [{"kind": "fetched"}]
    assert crawl(env).returncode == 0
    first = rows(env, "select kind, reason_code, redirected_to, article_id from urls where url = ?", site.url(old))
    there = rows(env, "select kind, reason_code, article_id from urls where url = ?", site.url(fresh.path))
    assert there and there[0]["kind"] == "article"
    assert first == [{"kind": "article", "reason_code": "stored", "redirected_to": site.url(fresh.path),
                      "article_id": there[0]["article_id"]}]
    assert rows(env, "select url from articles where id = ?", there[0]["article_id"]) == [{"url": site.url(fresh.path)}]


def hold_write_lock(path: str) -> sqlite3.Connection:
    """Another process's write held open on the database, as DB Browser for SQLite holds one from
    a reviewer's first edit until Write Changes (its own connection: the crawl is another process)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_database_locked_before_the_crawl_fetches_nothing_and_says_so(env, site):
    from storage import open_db

    open_db(env["db"]).conn.close()
    holder = hold_write_lock(env["db"])
    try:
        result = subprocess.run(crawl_cmd(env, "NEWSMON_DB_BUSY_TIMEOUT=0.5"), capture_output=True, timeout=180)
    finally:
        holder.rollback()
        holder.close()
    err = result.stderr.decode(errors="replace")
    # Before: every page waited 30 s for the lock and failed with a traceback, the run unrecorded.
    assert result.returncode == 74, err[-3000:]
    assert "Traceback" not in err
    assert f"the database {env['db']} is locked" in err and "nothing was fetched" in err
    assert site.requests() == []
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_database_file_this_user_may_only_read_fetches_nothing_and_says_so(env, site):
    # The check before the crawl asked for the write lock and wrote nothing: a file SQLite opened
    # read-only passed, and Scrapy and the workers started only to stop, "(run None, …)".
    from storage import open_db

    open_db(env["db"]).conn.close()
    os.chmod(env["db"], 0o444)
    command = [*as_permissions_bind(), *crawl_cmd(env)]
    try:
        result = subprocess.run(command, capture_output=True, timeout=180)
    finally:
        os.chmod(env["db"], 0o644)
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 74, err[-3000:]
    assert "attempt to write a readonly database" in err and "nothing was fetched" in err and "Traceback" not in err
    assert site.requests() == []


def test_lock_files_that_cannot_be_taken_stop_the_crawl_in_one_line_and_the_run_says_why(env, site):
    # The outlets' lock files live beside the database (news.db.locks/): one an administrator's run
    # left, owned by root, or a full disk when it is made, ended every later crawl in a traceback
    # (exit 1, no run recorded), and status said "ok". Here the place is taken by a file.
    from storage import open_db

    open_db(env["db"]).conn.close()
    locks = Path(env["db"] + ".locks")
    shutil.rmtree(locks, ignore_errors=True)
    locks.write_text("not a directory")
    try:
        result = subprocess.run(crawl_cmd(env), capture_output=True, timeout=180)
    finally:
        locks.unlink()
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 74, err[-3000:]
    assert "Traceback" not in err and f"{locks}" in err and "nothing was fetched" in err
    assert site.requests() == []
    last = rows(env, "select finish_reason, exit_status from crawl_runs order by id desc limit 1")[0]
    assert last["exit_status"] == 74 and str(locks) in last["finish_reason"]
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_damaged_database_is_said_to_be_damaged_with_what_to_do_not_a_bug(env, site, tmp_path):
    # A page of an index overwritten (a disk's error, a copy taken mid-write): the crawl said "a bug:
    # please report" (or, where only its search for URLs left by earlier runs failed, exit 0, and
    # went on writing into the damaged file), and `newsmon status` ended in a traceback.
    assert crawl(env).returncode == 0

    def damaged(index: str) -> str:
        path = str(tmp_path / f"{index}.db")
        conn = sqlite3.connect(env["db"])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root, = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [index]).fetchone()
        size, = conn.execute("PRAGMA page_size").fetchone()
        conn.close()
        shutil.copy(env["db"], path)
        with open(path, "r+b") as file:  # the index's root page: every search of it starts there
            file.seek((root - 1) * size)
            file.write(b"\xff" * size)
        return path

    path = damaged("sqlite_autoindex_urls_1")  # every URL the crawl looks up
    result = subprocess.run(crawl_cmd({**env, "db": path}), capture_output=True, timeout=180)
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 1, err[-3000:]
    assert f"Error: the database {path} is damaged" in err and ".recover" in err and "a bug" not in err
    path = damaged("idx_articles_first_seen")  # what status counts the day's articles by (m055)
    status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--db", path], capture_output=True,
                            text=True, timeout=120)
    assert status.returncode == 1 and "Traceback" not in status.stderr, status.stderr[-3000:]
    assert status.stderr.startswith(f"Error: the database {path} is damaged")


def test_a_run_whose_database_stays_locked_to_its_end_is_recorded_as_stopped_so_not_killed(env, site):
    # The lock held past the crawl's end too: it could not write its run's end, and the next run
    # called it "killed", its reason (the database locked) lost.
    for a in site.articles[1:]:
        site.hang(a.path, 1.0)
    code, err = crawl_locked_when(env, lambda: stored_one(env), to_the_end=True)
    assert code == 74 and "this run could not be recorded in crawl_runs" in err, err[-3000:]
    assert last_run(env)["finished_at"] is None
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    runs = rows(env, "select finish_reason, exit_status from crawl_runs order by id")
    assert [(r["finish_reason"], r["exit_status"]) for r in runs] == [("database_locked", 74), ("finished", 0)]
    assert not list(Path(env["db"] + ".locks").glob("run-*"))


def test_a_crawl_sent_sigterm_while_it_waits_for_a_locked_database_stops_and_its_end_is_kept(env, site):
    # SQLite's wait for another process's write held the crawl's signals: sent SIGTERM (the
    # daemon's stop, systemd's) while a reviewer's DB Browser held the file, it heard it only
    # when its busy timeout ran out, then waited as long again to record its run: the daemon
    # killed it at its stop_timeout. Here the crawl would wait ten minutes.
    for a in site.articles[1:]:
        site.hang(a.path, 1.0)
    proc = subprocess.Popen(crawl_cmd(env, "CONCURRENT_REQUESTS_PER_DOMAIN=1", "NEWSMON_DB_BUSY_TIMEOUT=600"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder = None
    try:
        for _ in range(600):
            if stored_one(env) or proc.poll() is not None:
                break
            time.sleep(0.05)
        holder = hold_write_lock(env["db"])
        time.sleep(1.5)  # its next page is stored, or waits for the lock
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=120)[1].decode(errors="replace")
    finally:
        if holder is not None:
            holder.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 74, err[-3000:]
    assert "which this process, asked to stop, waited for only 2 s" in err and "Traceback" not in err, err[-3000:]
    assert last_run(env)["finished_at"] is None  # its end waits beside the database for the next run
    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    runs = rows(env, "select finish_reason, exit_status from crawl_runs order by id")
    assert [(r["finish_reason"], r["exit_status"]) for r in runs] == [("database_locked", 74), ("finished", 0)]
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def crawl_locked_when(env, ready, *extra: str, to_the_end: bool = False) -> tuple[int, str]:
    """A crawl whose database another process locks once ``ready()``, and frees once the crawl
    has given up (so that it can record its run as it closes), or, ``to_the_end``, once the
    crawl has ended: (exit status, standard error). ``extra``: more settings."""
    proc = subprocess.Popen(crawl_cmd(env, "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_TIMEOUT=20",
                                      "NEWSMON_DB_BUSY_TIMEOUT=1", *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    holder = None
    try:
        for _ in range(600):
            if ready():
                break
            time.sleep(0.05)
        holder = hold_write_lock(env["db"])
        stderr = b""
        for line in proc.stderr:  # released once the crawl has given up: it records its run as it closes
            stderr += line
            if b"this crawl stops" in line and not to_the_end:
                holder.rollback()
                break
        stderr += proc.communicate(timeout=120)[1]
    finally:
        if holder is not None:
            holder.close()
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, stderr.decode(errors="replace")


def assert_stopped_once(code: int, err: str) -> None:
    assert code == 74, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert err.count("is locked") == 1  # one message, not one per page waiting
    assert "the pages it had not stored are fetched by the next run" in err


def test_a_database_locked_mid_run_stops_the_crawl_once_and_the_next_run_stores_the_rest(env, site):
    for a in site.articles[1:]:
        site.hang(a.path, 1.0)  # the crawl is still fetching when the lock is taken
    assert_stopped_once(*crawl_locked_when(env, lambda: stored_one(env)))  # met storing a page
    stored = rows(env, "select count(*) as n from articles")[0]["n"]
    assert 1 <= stored < len(PAGES)
    run = last_run(env)
    assert (run["finish_reason"], run["exit_status"]) == ("database_locked", 74)
    # No outlet health from a run our own database stopped.
    assert rows(env, "select count(*) as n from outlet_runs where run_id = ?", run["id"])[0]["n"] == 0

    for a in site.articles:
        site.remove_fault(a.path)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES), \
        rows(env, "select url, kind, reason from urls")
    assert [r["finish_reason"] for r in rows(env, "select finish_reason from crawl_runs order by id")] == [
        "database_locked", "finished"]


def test_a_database_locked_while_a_section_page_is_read_stops_the_crawl_and_its_links_are_read_next_run(env, site):
    from crawler.testsite import SECTION_PATH

    site.hang(SECTION_PATH, 1.0)
    code, err = crawl_locked_when(env, lambda: any(r.path == SECTION_PATH for r in site.requests()))
    assert_stopped_once(code, err)  # met in the spider's callback, listing the section's links
    only_there = site.article(PAGES[2]).path
    assert not any(r.path == only_there for r in site.requests())
    site.remove_fault(SECTION_PATH)
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


@pytest.mark.parametrize("failure", ["500", "timeout"])
def test_a_database_locked_while_a_failed_feed_is_recorded_stops_the_crawl_too(env, site, failure):
    # What a failed feed, sitemap or section records is written in its errback: the lock met
    # there stops the crawl as in a callback (the spider middleware is given its exception too).
    # A download that failed without a response (a timeout) reaches the errback otherwise than
    # an HTTP error does: the lock met there was logged as a spider error, with two tracebacks.
    from crawler.testsite import ATOM_PATH

    whole = Path(env["config"]).read_text(encoding="utf-8")
    # The failing feed alone, so that its errback makes the first write after the lock is taken.
    alone = {"feeds": f'feeds = ["{site.url(ATOM_PATH)}"]', "sitemaps": "sitemaps = []", "start_urls": "start_urls = []"}
    Path(env["config"]).write_text("\n".join(alone.get(line.split(" ")[0], line) for line in whole.splitlines()),
                                   encoding="utf-8")
    if failure == "500":
        site.fail(ATOM_PATH, 500, delay=1.0)
    else:
        site.hang(ATOM_PATH, 4.0)
    timeout = ("DOWNLOAD_TIMEOUT=2", "RETRY_TIMES=0") if failure == "timeout" else ()
    code, err = crawl_locked_when(env, lambda: any(r.path == ATOM_PATH for r in site.requests()), *timeout)
    assert_stopped_once(code, err)
    assert ("atom.xml of site failed: HTTP 500" if failure == "500" else "atom.xml of site failed: timed out") in err
    site.remove_fault(ATOM_PATH)
    Path(env["config"]).write_text(whole, encoding="utf-8")
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_full_disk_stops_the_crawl_once_and_the_next_run_stores_the_rest(env, site):
    import resource

    from storage import open_db

    open_db(env["db"]).conn.close()
    room = os.path.getsize(env["db"]) + 120_000  # a few pages' worth of write-ahead log

    def small_disk() -> None:
        # Writes past the limit fail (EFBIG) as on a full disk, instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    result = subprocess.run(crawl_cmd(env, "CONCURRENT_REQUESTS_PER_DOMAIN=1"), capture_output=True, timeout=180,
                            preexec_fn=small_disk)
    err = result.stderr.decode(errors="replace")
    # Before: a traceback for each of the pages, every page's repr in the log, no run recorded,
    # and "newsmon failed 7 time(s) on the way (a bug: please report ...)".
    assert result.returncode == 74, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    said = [line for line in err.splitlines() if "this crawl stops" in line]
    assert len(said) == 1 and f"the database {env['db']}" in said[0], err[-3000:]
    assert "the pages it had not stored are fetched by the next run" in err
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_run_killed_before_the_sitemaps_were_read_has_the_next_run_read_them_again(env, site):
    # The sitemap index is answered, its children are not yet: a run killed then must not leave
    # the index's validators behind, or the next run gets a 304 for it, never asks for the
    # children, and the article only they list is never fetched.
    sitemap_only = next(a for a in site.articles if a.channels == {"sitemap"})
    for path in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH):
        site.hang(path, 30)
    kill_crawl_when(env, lambda: {NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH} <= {r.path for r in site.requests()},
                    "DOWNLOAD_TIMEOUT=60")
    for path in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH):
        site.remove_fault(path)
    site.clear_log()

    assert crawl(env).returncode == 0
    index = [r for r in site.requests() if r.path == SITEMAP_PATH]
    assert [r.status for r in index] == [200]
    assert rows(env, "select kind from urls where url like ?", f"%{sitemap_only.path}")[0]["kind"] == "article"


def test_a_robots_txt_that_shuts_newsmon_out_blocks_the_outlet_until_it_lets_it_in(env, site):
    # Each refused URL said why, and the crawl's log too, but the outlet's health stayed "ok"
    # and `newsmon status` exited 0 while no article of it could be fetched any more.
    assert crawl(env).returncode == 0
    site.answer("/robots.txt", 200, b"User-agent: *\nDisallow: /site/\n", {"Content-Type": "text/plain"})
    added = site.add_article(LATER)
    site.clear_log()
    result = crawl(env)
    assert result.returncode == 0 and b"outlet site is now blocked: its robots.txt disallows 1 of the 1" in result.stderr
    assert site.article_requests() == []  # obeyed
    for _ in range(2):  # the refused URL is not asked again; the outlet stays blocked all the same
        [health] = rows(env, "select status, problems from health where outlet = 'site'")
        assert health["status"] == "blocked" and health["problems"].startswith(
            "its robots.txt disallows 1 of the 1 article URLs it listed since ")
        status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "site", "--db", env["db"],
                                 "--config", env["config"]], capture_output=True, text=True, timeout=120)
        assert status.returncode == 1 and "! its robots.txt disallows 1 of the 1" in status.stdout
        assert crawl(env).returncode == 0
    site.remove_fault("/robots.txt")
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(added.path)) == [{"kind": "article"}]
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_no_request_to_a_host_goes_out_while_its_robots_txt_is_on_its_way(env, site):
    # Scrapy's middleware hands the parser to the first request that waited for robots.txt and
    # None, "allowed", to every later one (each waiter awaited one Deferred, whose first callback
    # returned nothing): a section page was fetched from a host whose robots.txt answered 503,
    # while the outlet's status said "RFC 9309 says fetch nothing, so nothing was".
    site.fail("/robots.txt", 503, delay=0.5)
    result = crawl(env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"robots.txt answered HTTP 503" in result.stderr
    assert {r.path for r in site.requests()} == {"/robots.txt"}  # asked once more (Scrapy retries a 503)
    # All four of its feeds, sitemaps and sections were refused, each saying why; none was fetched.
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "failing" and "RFC 9309 says fetch nothing, so nothing was" in health["problems"]
    assert "none of its 4 feeds, sitemaps and sections could be read" in health["problems"]


def test_a_crawl_delay_in_robots_txt_spaces_the_requests_to_its_host(env, site):
    # Scrapy reads Crawl-delay (Protego) and does nothing with it: with the crawl's own delays
    # at 0 (LOOPBACK), the site got its pages 8 at a time.
    site.answer("/robots.txt", 200, b"User-agent: *\nCrawl-delay: 0.4\nDisallow: /private/\n",
                {"Content-Type": "text/plain"})
    result = crawl(env)
    assert result.returncode == 0 and b"asks for 0.4 s between requests (Crawl-delay): honoured" in result.stderr
    started = sorted(r.time for r in site.requests() if r.path != "/robots.txt")
    assert len(started) >= 10 and len(rows(env, "select id from articles")) == len(PAGES)
    # The server's times are of arrival, not of sending: on a loaded machine one request held up
    # on its way arrives closer to the next (0.32 s apart, once), so no single gap bounds it. Each
    # is sent 0.4 s after the last at least, so their span does, and so do most gaps (8 at a time,
    # as without the delay, both are near 0).
    gaps = sorted(b - a for a, b in zip(started, started[1:]))
    assert started[-1] - started[0] >= 0.4 * len(gaps) - 0.2 and gaps[len(gaps) // 2] >= 0.35, gaps


@pytest.mark.parametrize("channel", ["feed", "sitemap"])
def test_articles_under_a_url_scheme_the_pattern_does_not_take_are_recorded_and_degrade_the_outlet(env, site, channel):
    # The outlet starts publishing under /site/news/, which the configured pattern does not
    # take: the entries of its feed, or of its Google News sitemap (all a sitemap-only outlet
    # such as Yomiuri lists), were skipped without a trace, and health stayed "ok".
    config = [line if not line.startswith("article_url_pattern") else
              f"article_url_pattern = '^{re.escape(site.url('/site/'))}(?!news/)'"  # a TOML literal string
              for line in site.toml_snippet("site").splitlines()]
    Path(env["config"]).write_text("\n".join(config) + "\n", encoding="utf-8")
    published = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for n in range(1, 5):
        # The first on the monitored topics, by its feed entry's or news sitemap entry's title.
        title = "安保3文書の改定へ有識者会議 第1報" if n == 1 else f"第{n}報"
        site.publish_html(f"/site/news/{n}.html", news_page(n, published), title=title, published=published,
                          channels=[channel])
    result = crawl(env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    refused = rows(env, "select url, reason from urls where reason_code = 'not_article_url' order by url")
    assert [r["url"] for r in refused] == [site.url(f"/site/news/{n}.html") for n in range(1, 5)]
    listed_by = "a feed" if channel == "feed" else "a news sitemap"
    assert refused[0]["reason"].startswith(f"listed by {listed_by}, but the outlet's article URL pattern does not "
                                           "take it")
    assert all(not r.path.startswith("/site/news/") for r in site.article_requests())
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"its article URL pattern does not take 4 of the {len(PAGES) + 4} URLs its feeds, sitemaps and sections "
        f"listed over the last week (e.g. {site.url('/site/news/')}")
    assert "): a new URL scheme for its articles? None of them is fetched" in health["problems"]
    # The one on the topics is named at once, by what its entry said: not one of four URLs in a
    # health line the day the outlet moved its articles.
    status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--json", "--db", env["db"], "--config",
                             env["config"]], capture_output=True, text=True, timeout=120)
    row = next(r for r in json.loads(status.stdout) if r["outlet"] == "site")
    assert [(u["url"], u["kind"], u["listed"]) for u in row["unread_on_topic"]] == [
        (site.url("/site/news/1.html"), "refused", "安保3文書の改定へ有識者会議 第1報")]
    # The pattern widened as advised: the URLs it refused are read, the one no channel lists any
    # more too, and health no longer quotes them. They stayed refused for good.
    site.unlist("/site/news/4.html")
    Path(env["config"]).write_text(site.toml_snippet("site") + "\n", encoding="utf-8")
    result = crawl(env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert {r["url"]: r["kind"] for r in rows(env, "select url, kind from urls where url like '%/site/news/%'")} == {
        site.url(f"/site/news/{n}.html"): "article" for n in range(1, 5)}
    [health] = rows(env, "select status from health where outlet = 'site'")
    assert health["status"] == "ok"


def test_an_article_another_outlet_lists_is_fetched_by_the_outlet_it_belongs_to(tmp_path, site):
    # One outlet's feed links another's article: the URL, one row whoever lists it, was refused as
    # off the first outlet's domains, and the outlet it belongs to counted it seen in every run and
    # never fetched it, its health ok.
    with LoopbackSite(PAGES[:2], host="127.0.0.2") as beta:
        shared = beta.url(beta.articles[0].path)
        site.answer("/links.xml", 200, f"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</title>"
                                       f"<link>{shared}</link></item></channel></rss>".encode(),
                    {"Content-Type": "application/rss+xml"})
        config = tmp_path / "newsmon.toml"
        config.write_text(f"[outlets.alpha]\nname = 'Alpha'\nlanguage = 'ja'\nfeeds = ['{site.url('/links.xml')}']\n"
                          f"article_url_pattern = '^{re.escape(site.url('/site/'))}'\n\n" + beta.toml_snippet("beta"),
                          encoding="utf-8")
        env = {"db": str(tmp_path / "news.db"), "config": str(config)}

        crawl_ok(env, "alpha")
        assert rows(env, "select outlet, kind, reason_code from urls where url = ?", shared) == [
            {"outlet": "alpha", "kind": "refused", "reason_code": "off_scope"}]
        crawl_ok(env, "beta")
        [row] = rows(env, "select outlet, kind, article_id from urls where url = ?", shared)
        assert (row["outlet"], row["kind"]) == ("beta", "article") and row["article_id"] is not None
        assert len(rows(env, "select url from urls where outlet = 'beta' and kind = 'article'")) == 2
        assert [r.path for r in beta.article_requests()].count(beta.articles[0].path) == 1
        assert_every_url_has_a_state_and_a_reason(env["db"])


@pytest.mark.parametrize("listed_by_its_own", [True, False], ids=["its_section_lists_it", "no_channel_of_its_own"])
def test_an_article_an_outlet_on_the_same_host_refused_is_fetched_by_the_outlet_whose_pattern_takes_it(
        tmp_path, site, listed_by_its_own):
    # Two outlets on one host (mod and mod_en on www.mod.go.jp, nippon_com and nippon_com_en, a news
    # sitemap of asahi.com listing AJW's English articles): the Japanese outlet's feed lists an English
    # article, which its pattern refuses. The English outlet, finding the URL known, never fetched
    # it, whether its own section listed it too or it had no channel that did (mod_en's list page
    # stands behind a wall), and its health was ok.
    published = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for n, path in enumerate(("/site/ja/1.html", "/site/en/1.html"), 1):
        site.publish_html(path, news_page(n, published), title=f"第{n}報", published=published, channels=[])
    english = site.url("/site/en/1.html")
    site.answer("/ja.xml", 200, ("<?xml version='1.0'?><rss version='2.0'><channel>" + "".join(
        f"<item><title>x</title><link>{site.url(path)}</link></item>"
        for path in ("/site/ja/1.html", "/site/en/1.html")) + "</channel></rss>").encode(),
                {"Content-Type": "application/rss+xml"})
    site.answer("/en/", 200, section_html(site, ["/site/en/1.html"] if listed_by_its_own else []))
    config = tmp_path / "newsmon.toml"
    config.write_text("".join(f"[outlets.{key}]\nname = '{key}'\nlanguage = '{key}'\n{channel} = ['{site.url(path)}']\n"
                              f"article_url_pattern = '^{re.escape(site.url(f'/site/{key}/'))}'\n\n"
                              for key, channel, path in (("ja", "feeds", "/ja.xml"), ("en", "start_urls", "/en/"))),
                      encoding="utf-8")
    env = {"db": str(tmp_path / "news.db"), "config": str(config)}

    crawl_ok(env, "ja")
    assert rows(env, "select outlet, kind, reason_code from urls where url = ?", english) == [
        {"outlet": "ja", "kind": "refused", "reason_code": "not_article_url"}]
    crawl_ok(env, "en")
    [row] = rows(env, "select outlet, kind, reason from urls where url = ?", english)
    assert (row["outlet"], row["kind"]) == ("en", "article"), row
    assert [r.path for r in site.article_requests()].count("/site/en/1.html") == 1
    # The Japanese outlet's feed lists it again: it stays the English outlet's article.
    crawl_ok(env, "ja")
    assert rows(env, "select outlet, kind from urls where url = ?", english) == [{"outlet": "en", "kind": "article"}]
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_section_page_a_script_builds_is_read_from_its_data(env, site):
    # A Next.js section page lists its articles in its state (__NEXT_DATA__) or JSON-LD only, its
    # HTML links the site's menus: its articles were never read, and beside a feed listing others
    # the section said nothing of it.
    published = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for n in (1, 2):
        site.publish_html(f"/site/spa-{n}.html", news_page(n, published), title=f"第{n}報", published=published,
                          channels=[])
    state = json.dumps({"props": {"pageProps": {"items": [
        {"title": "安保3文書の改定へ有識者会議", "href": "/site/spa-1.html", "image": "/img/spa-1.jpg"}]}}})
    ld = json.dumps({"@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "url": site.url("/site/spa-2.html"), "name": "第2報"}]}, ensure_ascii=False)
    site.answer("/spa/", 200, (f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
                               f'<nav><a href="/">トップ</a></nav><div id="__next"></div><script id="__NEXT_DATA__" '
                               f'type="application/json">{state}</script></body></html>').encode())
    config = Path(env["config"])
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'start_urls = ["{site.url(SECTION_PATH)}"]', f'start_urls = ["{site.url("/spa/")}"]'), encoding="utf-8")
    assert site.url("/spa/") in config.read_text(encoding="utf-8")
    result = crawl(env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    found = {r["url"]: (r["kind"], r["listed"]) for r in rows(env, "select url, kind, listed from urls "
                                                                  "where url like '%/spa-%'")}
    assert found == {site.url("/site/spa-1.html"): ("article", "安保3文書の改定へ有識者会議"),
                     site.url("/site/spa-2.html"): ("article", "第2報")}
    # `newsmon check` reads the section as the crawl does (it said "no article URL" of it).
    checked = subprocess.run([sys.executable, "-m", "crawler.cli", "check", "site", "--config", env["config"],
                              "--articles", "0", "--json", *[a for p in LOOPBACK for a in ("-s", p)]],
                             capture_output=True, text=True, timeout=180)
    [section] = [d for d in json.loads(checked.stdout)["site"]["discovery"] if d["kind"] == "section"]
    assert section["articles"] == 2, section


def test_an_archive_sitemaps_pages_the_pattern_does_not_take_are_no_url_scheme(env, site):
    # An archive sitemap lists tag, section and author pages beside the articles: skipped
    # without a record, so that they neither fill the urls table nor make a "pattern" health.
    tags = "".join(f"<url><loc>{site.url(f'/tag/{n}/')}</loc></url>" for n in range(6))
    site.answer(ARCHIVE_SITEMAP_PATH, 200, urlset(tags), {"Content-Type": "application/xml"})
    assert crawl(env).returncode == 0
    assert rows(env, "select url from urls where url like '%/tag/%'") == []
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_a_sitemap_whose_entries_give_no_url_says_so_and_degrades_the_outlet(env, site):
    # A sitemap generator that writes some entries without their <loc> (a permalink the CMS
    # failed to render): the sitemap read "ok", and their articles were never seen.
    ok = "".join(f"<url><loc>{site.url(a.path)}</loc></url>" for a in site.articles[:2])
    holes = "<url><loc></loc><lastmod>2026-11-30</lastmod></url>" * 2 + "<url><lastmod>2026-11-30</lastmod></url>"
    site.answer(ARCHIVE_SITEMAP_PATH, 200, urlset(ok + holes), {"Content-Type": "application/xml"})
    assert crawl(env).returncode == 0
    [read] = rows(env, f"select ok, reason, unlinked from discovery where url = '{site.url(ARCHIVE_SITEMAP_PATH)}'")
    assert (read["ok"], read["reason"], read["unlinked"]) == (1, "3 of its 5 entries give no URL (no <loc>)", 3)
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"entries of its feeds or sitemaps give no URL: sitemap {site.url(ARCHIVE_SITEMAP_PATH)} (3 of its 5 entries)")


@pytest.mark.parametrize("channel", ["feed", "sitemap"])
def test_a_feed_or_news_sitemap_that_lists_its_articles_on_a_new_host_degrades_the_outlet(env, site, channel):
    # The outlet moves its articles to a new host and its feed, or its Google News sitemap,
    # follows: each entry is refused as off the outlet's domains, with its reason, and nothing
    # else said that its articles stopped.
    moved = site.url("/").replace("127.0.0.1", "localhost")
    if channel == "feed":
        items = "".join(f"<item><title>第{n}報</title><link>{moved}site/moved/{n}.html</link></item>"
                        for n in range(4))
        site.answer(RSS_PATH, 200, (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                    f"<title>t</title>{items}</channel></rss>").encode(),
                    {"Content-Type": "application/rss+xml"})
    else:
        items = "".join(f"<url><loc>{moved}site/moved/{n}.html</loc><news:news><news:title>第{n}報</news:title>"
                        "</news:news></url>" for n in range(4))
        site.answer(NEWS_SITEMAP_PATH, 200, urlset(items, news=True), {"Content-Type": "application/xml"})
    assert crawl(env).returncode == 0
    refused = rows(env, "select reason from urls where reason_code = 'off_scope'")
    listed_by = "a feed" if channel == "feed" else "a news sitemap"
    assert len(refused) == 4 and refused[0]["reason"].startswith(
        f"listed by {listed_by} but out of scope: host localhost is not one of the outlet's domains (127.0.0.1)")
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"4 of the {len(PAGES) + 4} URLs its feeds, sitemaps and sections listed over the last week are on hosts "
        "that are not among its domains (localhost): did its articles move? None of them is fetched")


def moved_back(env, column: str, minutes: int, url: str | None = None) -> None:
    """Move ``feed_state.<column>`` of every feed and sitemap (or of ``url``) ``minutes`` back:
    the ledger's clock, instead of waiting."""
    conn = sqlite3.connect(env["db"])
    with conn:
        conn.execute(f"UPDATE feed_state SET {column} = strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}, "
                     f"'-{minutes} minutes') WHERE ? IS NULL OR url = ?", [url, url])
    conn.close()


def whole_reads_an_hour_ago(env) -> None:
    """Move the last whole read of every feed and sitemap 61 minutes back."""
    moved_back(env, "read_at", 61)


def test_feeds_whose_server_answers_304_whatever_they_hold_are_read_whole_within_the_hour(env, site):
    # Both feeds' server says "not modified" to every conditional request (a Last-Modified that
    # is its template's): a new article listed by the feeds alone was never seen, every run "ok".
    assert crawl(env).returncode == 0
    for path in (RSS_PATH, ATOM_PATH):
        site.lie_not_modified(path)
    later = site.add_article(LATER, channels=["feed"])
    site.clear_log()
    assert crawl(env).returncode == 0
    feeds = [r for r in site.requests() if r.path in (RSS_PATH, ATOM_PATH)]
    assert len(feeds) == 2 and all(r.if_none_match and r.status == 304 for r in feeds)
    assert site.article_requests() == []
    # An hour on, each feed is read once without its validators.
    whole_reads_an_hour_ago(env)
    site.clear_log()
    assert crawl(env, "NEWSMON_FULL_READ_AFTER=2h").returncode == 0 and site.article_requests() == []
    site.clear_log()
    assert crawl(env).returncode == 0
    feeds = [r for r in site.requests() if r.path in (RSS_PATH, ATOM_PATH)]
    assert len(feeds) == 2 and not any(r.if_none_match or r.if_modified_since for r in feeds)
    assert [r.path for r in site.article_requests()] == [later.path]
    assert last_run(env)["articles_new"] == 1
    # Read whole, the feeds ask with their validators again.
    site.clear_log()
    assert crawl(env).returncode == 0
    assert all(r.if_none_match for r in site.requests() if r.path in (RSS_PATH, ATOM_PATH))


def test_sitemaps_whose_server_answers_304_are_read_whole_within_the_hour_but_for_archives(tmp_path):
    # A sitemap index (its new month's child is named there alone) and a sitemap of the day's articles (an entry
    # dated, or a new article listed after its first read, in the last two days) whose server answers 304
    # whatever they hold: each run "not modified", a sitemap-only outlet's new articles never seen, its health ok.
    # An archive's 304s are believed: up to 50 MB read whole every hour for nothing; so is one that lists again
    # the backlog its first run left (new_urls), none of it new: taken for the day's, read whole every hour until
    # the backlog was fetched. A sitemap quiet for two days that is still what last listed something new of its
    # outlet (a weekend and a holiday) is no archive: taken for one, its wrong 304s were believed for ever.
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import ConditionalGetMiddleware
    from crawler.store import close_crawler_db
    from storage import queries

    crawler = get_crawler(settings_dict={"NEWSMON_DB": str(tmp_path / "news.db")})
    middleware = ConditionalGetMiddleware.from_crawler(crawler)
    db, now = middleware.db, datetime.now(timezone.utc)

    def ago(**delta) -> str:
        return (now - timedelta(**delta)).isoformat(timespec="seconds")

    def read(url: str, at: str, new: int, newest: str | None = None, children: dict | None = None,
             known: int | None = None, outlet: str = "o") -> None:
        frontier.record_discovery(db, run_id=None, outlet=outlet, url=url, kind="sitemap", ok=True, http_status=200,
                                  entries=5, article_urls=5, new_urls=new, known=5 - new if known is None else known,
                                  newest_entry=newest, now=at)
        queries.set_feed_state(db, url, etag='"1"', last_modified=None, status=200, children=children, now=at)

    # In the order they were read, as a database's ids are.
    read("https://a.jp/index.xml", ago(days=30), 0, children={"https://a.jp/2026-12.xml": None})
    read("https://a.jp/archive.xml", ago(days=30), 5, newest=ago(days=40))
    read("https://a.jp/backlog.xml", ago(days=5), 5, newest=ago(days=400))
    read("https://a.jp/undated.xml", ago(days=5), 5)
    read("https://b.jp/quiet.xml", ago(days=5), 5, outlet="p")
    read("https://b.jp/quiet.xml", ago(days=3), 1, outlet="p")
    read("https://b.jp/quiet.xml", ago(hours=2), 0, outlet="p")
    read("https://a.jp/new-archive.xml", ago(hours=2), 5)  # its first read: all it holds is new
    read("https://a.jp/archive.xml", ago(hours=2), 0)
    read("https://a.jp/backlog.xml", ago(hours=2), 5, known=5)  # its first read's backlog, listed again
    read("https://a.jp/today.xml", ago(hours=2), 5, newest=ago(hours=3))
    read("https://a.jp/undated.xml", ago(hours=2), 1)
    try:
        asked = {}
        for url in ("https://a.jp/index.xml", "https://a.jp/today.xml", "https://a.jp/undated.xml",
                    "https://a.jp/archive.xml", "https://a.jp/new-archive.xml", "https://a.jp/backlog.xml",
                    "https://b.jp/quiet.xml"):
            request = Request(url, meta={"newsmon_conditional": True, "newsmon_discovery": "sitemap",
                                         "newsmon_outlet": "p" if "b.jp" in url else "o"})
            middleware.process_request(request)
            asked[url.rsplit("/", 1)[1].removesuffix(".xml")] = request.headers.get("If-None-Match")
    finally:
        close_crawler_db(crawler)
    assert asked == {"index": None, "today": None, "undated": None, "quiet": None,
                     "archive": b'"1"', "new-archive": b'"1"', "backlog": b'"1"'}


def test_a_new_url_that_redirects_to_a_stored_article_is_that_article_without_fetching_it_again(env, site):
    # An old URL of a stored article (another URL scheme, http for https) listed later redirects
    # to the stored URL: the article was fetched in full once more, and its own row rewritten a
    # "duplicate" of itself.
    assert crawl(env).returncode == 0
    stored = site.articles[0]
    old = "/site/old-scheme/12345.html"
    site.redirect(old, site.url(stored.path))
    item = f"<item><title>旧URL</title><link>{site.url(old)}</link></item>"
    site.answer(RSS_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                f"{item}</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})
    before = rows(env, "select reason_code, reason from urls where url = ?", site.url(stored.path))
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = [r.path for r in site.requests()]
    assert old in asked and stored.path not in asked
    [row] = rows(env, "select kind, reason_code, reason, article_id, redirected_to, http_status from urls where url = ?",
                 site.url(old))
    article = rows(env, "select article_id from urls where url = ?", site.url(stored.path))[0]["article_id"]
    assert (row["kind"], row["reason_code"], row["article_id"], row["redirected_to"], row["http_status"]) == (
        "article", "duplicate", article, site.url(stored.path), 301)
    assert row["reason"].startswith(f"already stored as article {article}: redirected to its URL (")
    assert rows(env, "select reason_code, reason from urls where url = ?", site.url(stored.path)) == before


def section_html(site, paths: list[str], next_page: str | None = None, words: str = "次へ") -> bytes:
    items = "".join(f'<li><a href="{site.url(path)}">記事 {n}</a></li>' for n, path in enumerate(paths))
    more = f'<a href="{next_page}">{words} &raquo;</a>' if next_page else ""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ニュース一覧</title></head><body>'
            f'<h1>ニュース一覧</h1><ul>{items}</ul><nav>{more}</nav></body></html>').encode()


def test_a_section_that_turned_over_is_read_on_its_next_pages_until_one_lists_a_known_article(env, site):
    # Since the last run the section's first page filled with new articles, and those it pushed
    # on to its next page were in no feed: only the first page was read, and they were lost while
    # the outlet read "ok". A page that lists an article seen before ends the reading.
    assert crawl(env).returncode == 0
    fresh = [site.add_article(f"scrapping-webs/nhk-test_article_{n}.html", channels=[]) for n in (2, 3, 4)]
    known = site.articles[0]
    site.answer(SECTION_PATH, 200, section_html(site, [fresh[0].path, fresh[1].path], "/news/page/2/"))
    site.answer("/news/page/2/", 200, section_html(site, [fresh[2].path, known.path], "/news/page/3/"))
    site.answer("/news/page/3/", 200, section_html(site, [], None))
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = [r.path for r in site.requests()]
    assert "/news/page/2/" in asked and "/news/page/3/" not in asked
    assert sorted(r.path for r in site.article_requests()) == sorted(a.path for a in fresh)
    assert rows(env, "select kind, article_urls, known from discovery where url = ?", site.url("/news/page/2/")) == [
        {"kind": "section_page", "article_urls": 2, "known": 1}]
    # A first page with an article seen before has turned over no further: its next is not read.
    site.clear_log()
    site.answer(SECTION_PATH, 200, section_html(site, [known.path], "/news/page/2/"))
    assert crawl(env).returncode == 0
    assert "/news/page/2/" not in [r.path for r in site.requests()]


def _published_now(site: LoopbackSite, paths: list[str], channels: list[str] | None = None) -> list[str]:
    """``paths`` published five minutes ago, article n the n-th of them (listed by ``channels``: none by default)."""
    published = datetime.now(timezone.utc) - timedelta(minutes=5)
    for n, path in enumerate(paths):
        site.publish_html(path, news_page(n, published), title=f"第{n}報", published=published, channels=channels or [])
    return paths


def ranked_section_html(site, listed: list[str], ranked: list[str], next_page: str | None = None) -> bytes:
    """A section page as Japanese outlets make theirs: a pinned story and a ranking (アクセスランキング)
    of the days before beside its list, neither in an ``<aside>``: asahi.com's 2020 page held
    its ranking in ``div#Sub``."""
    items = "".join(f'<li class="item"><a href="{site.url(p)}">記事 {n}</a><time>12:00</time></li>'
                    for n, p in enumerate(listed))
    ranks = "".join(f'<dd><span>{n + 1}</span><a href="{site.url(p)}">人気の記事 {n}</a></dd>'
                    for n, p in enumerate(ranked))
    more = f'<a href="{next_page}">次へ</a>' if next_page else ""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
            f'<div id="Main"><div class="pickup"><a href="{site.url(ranked[0])}">注目の記事</a></div>'
            f'<h1>政治</h1><ul class="List">{items}</ul><p>{more}</p></div><div id="Sub"><h2>アクセスランキング</h2>'
            f'<dl class="Ranking">{ranks}</dl></div></body></html>').encode()


def test_a_section_that_turned_over_beside_a_ranking_of_articles_seen_before_is_read_on_its_next_page(env, site):
    # Every Japanese outlet's section page carries a ranking, a pinned story, related articles,
    # seen the day before: a list that turned over whole still held articles seen before, its
    # next page was never read (the articles pushed there lost if no feed listed them) and
    # health never said overflow. Its own listing is what turned over, or not.
    assert crawl(env).returncode == 0
    old = [a.path for a in site.articles]
    fresh = _published_now(site, [f"/site/ranked/{n}.html" for n in range(10)])
    site.answer(SECTION_PATH, 200, ranked_section_html(site, fresh[:6], old[:5], "/news/page/2/"))
    site.answer("/news/page/2/", 200, ranked_section_html(site, fresh[6:8] + old[2:], old[:5], "/news/page/3/"))
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = [r.path for r in site.requests()]
    assert "/news/page/2/" in asked and "/news/page/3/" not in asked
    assert sorted(r.path for r in site.article_requests()) == sorted(fresh[:8])
    assert rows(env, "select kind, known, listing_urls, listing_known from discovery where kind like 'section%' "
                     "and run_id = ? order by id", last_run(env)["id"]) == [
        {"kind": "section", "known": 5, "listing_urls": 6, "listing_known": 0},
        {"kind": "section_page", "known": 7, "listing_urls": 7, "listing_known": 5}]
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"its section {site.url(SECTION_PATH)} (6 articles) listed only articles never seen before"), health
    # A list that holds articles seen before, beside the same ranking, did not turn over: its next
    # page is not read, every run.
    site.answer(SECTION_PATH, 200, ranked_section_html(site, fresh[8:] + fresh[:4], old[:5], "/news/page/2/"))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert "/news/page/2/" not in [r.path for r in site.requests()]
    assert sorted(r.path for r in site.article_requests()) == sorted(fresh[8:])
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_a_section_whose_list_a_script_draws_now_beside_its_ranking_says_its_own_list_is_gone(env, site):
    # The section's list is drawn by JavaScript now; its ranking and pinned story are still in its HTML. The
    # ranking was taken for its listing: the page read "ok", listing articles of days before, and nothing said
    # when the section stopped listing its news.
    assert crawl(env).returncode == 0
    old = [a.path for a in site.articles]
    fresh = _published_now(site, [f"/site/scripted/{n}.html" for n in range(8)])
    site.answer(SECTION_PATH, 200, ranked_section_html(site, fresh[:6], old[:5]))
    assert crawl(env).returncode == 0
    listed = last_run(env)["started_at"][:16].replace("T", " ")
    scripted = ranked_section_html(site, [], old[:5]).replace(
        b'<ul class="List"></ul>', b'<div id="app"></div><script src="/assets/list.js"></script>')
    site.answer(SECTION_PATH, 200, scripted)
    for _ in range(2):  # named until it lists again, measured against its last list of its own
        assert crawl(env).returncode == 0
        [read] = rows(env, "select ok, article_urls, listing_urls, reason from discovery where url = ? and run_id = ?",
                      site.url(SECTION_PATH), last_run(env)["id"])
        assert (read["ok"], read["article_urls"], read["listing_urls"]) == (0, 5, 0), read
        said = ("its own list is gone: only boxes of other articles are left (a ranking, the most read, picks, "
                f"a pinned story: 5 article URLs), where its read of {listed}")
        assert read["reason"].startswith(said) and read["reason"].endswith(
            " UTC listed 6 in its own: drawn by JavaScript now, or moved?"), read["reason"]
        [health] = rows(env, "select status, problems from health where outlet = 'site'")
        assert health["status"] == "degraded" and f"{site.url(SECTION_PATH)}: {said}" in health["problems"], health
    # Its list back: read again, and the outlet "ok".
    site.answer(SECTION_PATH, 200, ranked_section_html(site, fresh[2:], old[:5]))
    assert crawl(env).returncode == 0
    assert rows(env, "select ok, listing_urls from discovery where url = ? and run_id = ?", site.url(SECTION_PATH),
                last_run(env)["id"]) == [{"ok": 1, "listing_urls": 6}]
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_a_section_listing_its_newest_with_photos_then_as_text_turned_over_only_when_both_blocks_did(env, site):
    # asahi.com's markup (its saved top page's): in one div.Section the newest articles with photos
    # (ul.List.ListSideImage), then the rest as text (ul.List); its ranking in div#Sub. The photo
    # block alone was taken for its listing: after more new articles than it shows, its next page
    # was read and health said overflow ("crawl it more often"), though the text block still listed
    # articles seen in the run before.
    def page(photo: list[str], text: list[str], ranked: list[str]) -> bytes:
        pics = "".join(f'<li><a href="{site.url(p)}"><img src="/i{n}.jpg"></a><a href="{site.url(p)}">写真 {n}</a>'
                       "</li>" for n, p in enumerate(photo))
        rest = "".join(f'<li><a href="{site.url(p)}">記事 {n}</a></li>' for n, p in enumerate(text))
        rank = "".join(f'<dd><a href="{site.url(p)}">人気 {n}</a></dd>' for n, p in enumerate(ranked))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
                f'<div id="Main"><div class="Section"><ul class="List ListSideImage">{pics}</ul><ul class="List">'
                f'{rest}</ul></div><p><a href="/news/page/2/">次へ</a></p></div><div id="Sub"><dl class="Ranking">'
                f"{rank}</dl></div></body></html>").encode()

    published = datetime.now(timezone.utc) - timedelta(minutes=5)
    paths = [f"/site/seiji/{n}.html" for n in range(40)]
    for n, path in enumerate(paths):
        site.publish_html(path, news_page(n, published), title=f"第{n}報", published=published, channels=[])
    site.answer(SECTION_PATH, 200, page(paths[:6], paths[6:10], paths[:3]))
    site.answer("/news/page/2/", 200, page([], paths[10:20], paths[:3]))
    assert crawl(env).returncode == 0 and crawl(env).returncode == 0
    # Eight published since: the photo block lists six of them, the text block two and two seen.
    listing = paths[20:28][::-1] + paths[:10]
    site.answer(SECTION_PATH, 200, page(listing[:6], listing[6:10], paths[:3]))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert "/news/page/2/" not in [r.path for r in site.requests()]
    assert sorted(r.path for r in site.article_requests()) == sorted(paths[20:28])
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]
    # Both blocks turned over: the next page is read, and health says so.
    site.answer(SECTION_PATH, 200, page(paths[28:34], paths[34:38], paths[:3]))
    site.answer("/news/page/2/", 200, page([], paths[38:40] + paths[20:28], paths[:3]))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert "/news/page/2/" in [r.path for r in site.requests()]
    assert sorted(r.path for r in site.article_requests()) == sorted(paths[28:40])
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "degraded"}]


def _turned_over_beside_a_ranking(env, site, page: Callable[[list[str], list[str]], bytes],
                                  under: str) -> tuple[list[str], datetime]:
    """A section page (``page``: its list's and its ranking's article paths) listing 12 articles beside a ranking
    of 15, crawled; then its list turned over whole, its ranking of articles seen before, its next page listing
    the rest: the next page is read, and the section's own listing counted 12 articles, none seen before. Returns
    the 43 articles' paths and when they were published."""
    published = datetime.now(timezone.utc) - timedelta(minutes=5)
    paths = [f"/site/{under}/{n}.html" for n in range(43)]
    for n, path in enumerate(paths):
        site.publish_html(path, news_page(n, published), title=f"第{n}報", published=published, channels=[])
    site.answer(SECTION_PATH, 200, page(paths[:12], paths[12:27]))
    assert crawl(env).returncode == 0
    site.answer(SECTION_PATH, 200, page(paths[27:39], paths[12:27]))
    site.answer("/news/page/2/", 200, page(paths[39:43] + paths[:8], paths[12:27]))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert "/news/page/2/" in [r.path for r in site.requests()]
    assert sorted(r.path for r in site.article_requests()) == sorted(paths[27:43])
    assert rows(env, "select listing_urls, listing_known from discovery where kind = 'section' and run_id = ?",
                last_run(env)["id"]) == [{"listing_urls": 12, "listing_known": 0}]
    return paths, published


def test_a_section_that_turned_over_beside_a_ranking_larger_than_its_listing_is_read_on_its_next_page(env, site):
    # Nikkan Gendai's markup (its saved page's): the section's list (ul.article-container-a) in main,
    # its アクセスランキング of 15 beside it in div.right-menu, in no <aside>, larger than the list of 12.
    # The ranking was taken for the listing: a list that turned over whole was judged by the ranking
    # of articles seen before, its next page never read (the articles pushed there lost where no
    # feed listed them) and health said ok.
    def page(listed: list[str], ranked: list[str]) -> bytes:
        items = "".join(f'<li class="article-box"><figure><a href="{site.url(p)}"><img src="/i{n}.jpg"></a></figure>'
                        f'<p><a href="{site.url(p)}">記事 {n}</a></p></li>' for n, p in enumerate(listed))
        ranks = "".join(f'<li class="lank-{n + 1}"><div class="t-cell"><span class="rank-no">{n + 1}</span></div>'
                        f'<a class="clearfix" href="{site.url(p)}"><p class="news-title">人気 {n}</p></a></li>'
                        for n, p in enumerate(ranked))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
                f'<div class="clearfix contents-wrapper"><main id="main" class="main-contents">'
                f'<div class="article-wrap"><div class="topics-menu"><h2>最新の政治記事</h2></div>'
                f'<ul class="article-container-a clearfix">{items}'
                f'</ul><p><a href="/news/page/2/">次へ</a></p></div></main><div class="right-menu">'
                f'<div class="access-ranking lanking-box"><ul class="time-select"><li class="selected yesterday">'
                f'<h2>アクセスランキング</h2></li><li class="week"><h2>週間</h2></li></ul><ol class="lank-list accesslank">'
                f"{ranks}</ol></div></div></div></body></html>").encode()

    _turned_over_beside_a_ranking(env, site, page, "gendai")
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"its section {site.url(SECTION_PATH)} (12 articles) listed only articles never seen before"), health


def test_a_section_whose_column_opens_with_a_box_of_videos_is_judged_by_its_own_list_and_a_ranking_page_by_its_ranking(
        env, site):
    # The section's column opens with a box of videos under "おすすめ動画" (links to no article), then
    # its list under its own heading; a ranking of 15 beside it. The column's first heading was taken
    # for the list's: the list was judged a box of recommended articles and the ranking, larger, its
    # listing again. A list that turned over whole had its next page never read (health ok).
    def page(listed: list[str], ranked: list[str]) -> bytes:
        items = "".join(f'<li><a href="{site.url(p)}">記事 {n}</a></li>' for n, p in enumerate(listed))
        ranks = "".join(f'<li><a href="{site.url(p)}">人気 {n}</a></li>' for n, p in enumerate(ranked))
        videos = "".join(f'<li><a href="/movie/{n}/"><h3>動画 {n}</h3></a></li>' for n in range(4))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
                f'<div class="wrapper"><div class="main"><section class="movie"><h2>おすすめ動画</h2><ul>{videos}'
                f'</ul></section><section class="news"><h2>政治</h2><ul class="list">{items}</ul>'
                f'<p><a href="/news/page/2/">次へ</a></p></section></div><div class="side"><div class="access-ranking">'
                f"<h2>アクセスランキング</h2><ol>{ranks}</ol></div></div></div></body></html>").encode()

    paths, published = _turned_over_beside_a_ranking(env, site, page, "movie")
    # A ranking page among the sections (Yahoo!ニュース's /ranking/access/news/domestic): its ranking is its
    # listing, not the box of three beside it; the ranking turned over whole, its next page is read.
    ranking = "/ranking/access/news/"

    def ranked(listed: list[str], noted: list[str]) -> bytes:
        items = "".join(f'<li><a href="{site.url(p)}">人気 {n}</a></li>' for n, p in enumerate(listed))
        notes = "".join(f'<li><a href="{site.url(p)}">注目 {n}</a></li>' for n, p in enumerate(noted))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ランキング</title></head><body>'
                f'<div class="main"><h2>アクセスランキング（国内）</h2><ol class="newsFeed_list">{items}</ol>'
                f'<p><a href="/ranking/access/news/2/">次へ</a></p></div><div class="sub"><h2>注目</h2>'
                f"<ul>{notes}</ul></div></body></html>").encode()

    config = Path(env["config"])
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'start_urls = ["{site.url(SECTION_PATH)}"]', f'start_urls = ["{site.url(ranking)}"]'), encoding="utf-8")
    assert site.url(ranking) in config.read_text(encoding="utf-8")
    fresh = [f"/site/ranked/{n}.html" for n in range(12)]
    for n, path in enumerate(fresh):
        site.publish_html(path, news_page(100 + n, published), title=f"第{100 + n}報", published=published, channels=[])
    site.answer(ranking, 200, ranked(paths[:8], paths[8:11]))
    assert crawl(env).returncode == 0
    site.answer(ranking, 200, ranked(fresh[:8], paths[8:11]))
    site.answer("/ranking/access/news/2/", 200, ranked(fresh[8:] + paths[:2], paths[8:11]))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert "/ranking/access/news/2/" in [r.path for r in site.requests()]
    assert sorted(r.path for r in site.article_requests()) == sorted(fresh)
    assert rows(env, "select listing_urls, listing_known from discovery where kind = 'section' and run_id = ?",
                last_run(env)["id"]) == [{"listing_urls": 8, "listing_known": 0}]


def test_a_section_whose_list_is_named_as_picks_is_its_own_listing_where_it_has_a_next_page(env, site):
    # The section's own list sits in div.pickup-list under ピックアップ (its editors' picks of the newest), a
    # ranking of 15 beside it. Both were taken for boxes of other articles: no own listing, counted (0, 0), so a
    # list that turned over whole never had its next page read (the articles pushed there lost where no feed
    # listed them) while the section read "ok". A page with a next page has a list of its own: its picks.
    def page(listed: list[str], ranked: list[str]) -> bytes:
        items = "".join(f'<li><a href="{site.url(p)}">記事 {n}</a><time>12:{n:02d}</time></li>'
                        for n, p in enumerate(listed))
        ranks = "".join(f'<li><a href="{site.url(p)}">人気 {n}</a></li>' for n, p in enumerate(ranked))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
                f'<div class="main"><section><h2>ピックアップ</h2><div class="pickup-list"><ul>{items}</ul></div>'
                f'</section><p><a href="/news/page/2/">次へ</a></p></div><div class="side">'
                f'<div class="access-ranking"><h2>アクセスランキング</h2><ol>{ranks}</ol></div></div></body></html>').encode()

    paths, _ = _turned_over_beside_a_ranking(env, site, page, "picks")
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"its section {site.url(SECTION_PATH)} (12 articles) listed only articles never seen before"), health
    # A page of a ranking only, of no next page, from its first read: its turnover cannot be told, and it says
    # so on its row (read "ok", its links all asked for), where it said nothing.
    ranking = "/topics/"
    config = Path(env["config"])
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'start_urls = ["{site.url(SECTION_PATH)}"]', f'start_urls = ["{site.url(ranking)}"]'), encoding="utf-8")
    assert site.url(ranking) in config.read_text(encoding="utf-8")
    ranks = "".join(f'<li><a href="{site.url(p)}">人気 {n}</a></li>' for n, p in enumerate(paths[:6]))
    site.answer(ranking, 200, ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>話題</title>'
                               f'</head><body><div class="access-ranking"><h2>アクセスランキング</h2><ol>{ranks}</ol>'
                               "</div></body></html>").encode())
    assert crawl(env).returncode == 0
    [read] = rows(env, "select ok, article_urls, listing_urls, reason from discovery where url = ? and run_id = ?",
                  site.url(ranking), last_run(env)["id"])
    assert (read["ok"], read["article_urls"], read["listing_urls"]) == (1, 6, 0), read
    assert read["reason"].startswith("no list of its own told apart: its 6 article URLs are all in boxes of other "
                                     "articles"), read["reason"]
    # Shown where the outlet's health is: on its row alone, no command said it.
    status = [sys.executable, "-m", "crawler.cli", "status", "--db", env["db"], "--config", env["config"]]
    shown = subprocess.run([*status, "site"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and (f"    note: section {site.url(ranking)}: {read['reason']}"
                                      in shown.stdout.splitlines()), shown.stdout
    [row] = json.loads(subprocess.run([*status, "--json", "site"], capture_output=True, text=True, timeout=60).stdout)
    assert row["health"] == "ok" and row["notes"] == [{"url": site.url(ranking), "note": read["reason"]}], row


def _picks_section_html(site, listed: list[str], picked: list[str], ranked: list[str], next_page: bool = True) -> bytes:
    """A section page: ``listed`` in a list of its own (none: drawn by a script now), ``picked`` in div.pickup-list
    under ピックアップ, ``ranked`` in a ranking; a next page or not."""
    items = "".join(f'<li><a href="{site.url(p)}">記事 {n}</a></li>' for n, p in enumerate(listed))
    picks = "".join(f'<li><a href="{site.url(p)}">注目 {n}</a></li>' for n, p in enumerate(picked))
    ranks = "".join(f'<li><a href="{site.url(p)}">人気 {n}</a></li>' for n, p in enumerate(ranked))
    own = f'<ul class="news-list">{items}</ul>' if listed else '<div id="app"></div><script src="/list.js"></script>'
    more = '<p><a href="/news/page/2/">次へ</a></p>' if next_page else ""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>政治</title></head><body>'
            f'<div class="main"><section><h2>ピックアップ</h2><div class="pickup-list"><ul>{picks}</ul></div></section>'
            f'<h2>政治</h2>{own}{more}</div><div class="side"><div class="access-ranking"><h2>アクセスランキング</h2>'
            f"<ol>{ranks}</ol></div></div></body></html>").encode()


def _section_read(env, site) -> dict:
    [read] = rows(env, "select ok, article_urls, listing_urls, reason from discovery where url = ? and run_id = ?",
                  site.url(SECTION_PATH), last_run(env)["id"])
    return read


def test_a_section_whose_list_went_leaving_its_picks_and_next_page_says_its_list_is_gone_once(env, site):
    # Its list (ul.news-list) drawn by a script now, its ピックアップ box, ranking and next page left: the picks
    # were taken for its list (a page with a next page), the row read "ok", and nothing said the list had gone,
    # where it said "its own list is gone" before picks could be a page's list.
    assert crawl(env).returncode == 0
    paths = _published_now(site, [f"/site/picked/{n}.html" for n in range(24)])
    site.answer(SECTION_PATH, 200, _picks_section_html(site, paths[:8], paths[8:14], paths[14:24]))
    assert crawl(env).returncode == 0
    assert _section_read(env, site)["listing_urls"] == 8
    listed = last_run(env)["started_at"][:16].replace("T", " ")
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[8:14], paths[14:24]))
    assert crawl(env).returncode == 0
    read = _section_read(env, site)
    assert (read["ok"], read["listing_urls"]) == (0, 6), read
    assert read["reason"].startswith("its own list is its box named as picks now (6 article URLs") and (
        f"its own list is gone, where its read of {listed} UTC listed 8 in it" in read["reason"]), read["reason"]
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and "its own list is gone" in health["problems"], health
    # Said once: renamed as picks or gone, its picks are its list from then on.
    assert crawl(env).returncode == 0
    read = _section_read(env, site)
    assert (read["ok"], read["listing_urls"]) == (1, 6) and read["reason"].startswith(
        "its own list is its box named as picks: 6 article URLs"), read


def test_a_section_whose_list_is_its_picks_stays_so_when_its_next_page_link_goes(env, site):
    # Its list in div.pickup-list, read as its own for its next page; the next page's link gone (a "more" button a
    # script runs), the same list read as "its own list is gone" (broken), every run.
    assert crawl(env).returncode == 0
    paths = _published_now(site, [f"/site/picked/{n}.html" for n in range(22)])
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[:12], paths[12:22]))
    assert crawl(env).returncode == 0
    assert _section_read(env, site)["listing_urls"] == 12
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[:12], paths[12:22], next_page=False))
    for _ in range(2):
        assert crawl(env).returncode == 0
        read = _section_read(env, site)
        assert (read["ok"], read["listing_urls"]) == (1, 12), read
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]
    # Its picks gone too, a ranking left: its own list is gone.
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], [], paths[12:22], next_page=False))
    assert crawl(env).returncode == 0
    read = _section_read(env, site)
    assert read["ok"] == 0 and read["reason"].startswith("its own list is gone: only boxes of other articles"), read


def test_a_section_of_no_next_page_whose_list_is_renamed_as_picks_says_so_once_then_reads_them_as_its_list(env, site):
    # Its list's class changed from news-list to pickup-list, no next page: no list of its own but picks, its picks
    # never its list on a page of no next page, it read "its own list is gone" (broken) at every run, its turnover
    # never judged. Picks as many as its list held are that list renamed; a sidebar's few left where a list went
    # are not.
    assert crawl(env).returncode == 0
    paths = _published_now(site, [f"/site/renamed/{n}.html" for n in range(32)])
    site.answer(SECTION_PATH, 200, _picks_section_html(site, paths[:12], [], paths[12:20], next_page=False))
    assert crawl(env).returncode == 0
    listed = last_run(env)["started_at"][:16].replace("T", " ")
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[:12], paths[12:20], next_page=False))
    assert crawl(env).returncode == 0
    read = _section_read(env, site)
    assert (read["ok"], read["listing_urls"]) == (0, 12), read
    assert read["reason"].startswith("its own list is its box named as picks now (12 article URLs") and (
        f"as many as its list held, on a page of no next page): its own list is gone, where its read of {listed} "
        "UTC listed 12 in it: renamed as picks" in read["reason"]), read["reason"]
    for _ in range(2):  # said once; its picks its list, their turnover judged
        assert crawl(env).returncode == 0
        read = _section_read(env, site)
        assert (read["ok"], read["listing_urls"]) == (1, 12) and read["reason"].startswith(
            "its own list is its box named as picks: 12 article URLs"), read
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]
    # Turned over whole: told, as a list's turnover is.
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[20:32], paths[12:20], next_page=False))
    assert crawl(env).returncode == 0
    assert rows(env, "select listing_urls, listing_known from discovery where url = ? and run_id = ?",
                site.url(SECTION_PATH), last_run(env)["id"]) == [{"listing_urls": 12, "listing_known": 0}]


def test_a_section_of_no_next_page_whose_list_went_leaving_a_few_picks_says_its_list_is_gone_every_run(env, site):
    assert crawl(env).returncode == 0
    paths = _published_now(site, [f"/site/left/{n}.html" for n in range(24)])
    site.answer(SECTION_PATH, 200, _picks_section_html(site, paths[:12], paths[12:16], paths[16:24], next_page=False))
    assert crawl(env).returncode == 0
    site.answer(SECTION_PATH, 200, _picks_section_html(site, [], paths[12:16], paths[16:24], next_page=False))
    for _ in range(2):
        assert crawl(env).returncode == 0
        read = _section_read(env, site)
        assert (read["ok"], read["listing_urls"]) == (0, 0) and read["reason"].startswith(
            "its own list is gone: only boxes of other articles are left"), read


def test_a_section_page_naming_a_base_has_its_next_page_read_where_the_base_puts_it(env, site):
    # A page with <base href> whose links, its next page's among them, are written from that base:
    # its articles were read from there, its next page joined to the page's own URL (/news/news/
    # page/2/, a 404), and the articles only that page listed were lost.
    assert crawl(env).returncode == 0
    fresh = _published_now(site, [f"/site/based/{n}.html" for n in range(6)])

    def based(paths: list[str], more: str) -> bytes:
        items = "".join(f'<li><a href="{p.lstrip("/")}">記事 {n}</a></li>' for n, p in enumerate(paths))
        return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><base href="{site.url("/")}">'
                f'<title>ニュース</title></head><body><ul>{items}</ul>{more}</body></html>').encode()

    site.answer(SECTION_PATH, 200, based(fresh[:3], '<a href="news/page/2/">次へ</a>'))
    site.answer("/news/page/2/", 200, based(fresh[3:], ""))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert [r.path for r in site.requests() if "/page/" in r.path] == ["/news/page/2/"]
    assert sorted(r.path for r in site.article_requests()) == sorted(fresh)


def test_a_sitemaps_redirect_whose_location_escapes_its_ampersands_is_followed_as_its_site_means_it(env, site):
    # A CMS writing its headers from an HTML template: "Location: …?type=news&amp;page=2", followed as written, asked
    # for the parameter "amp;page": a site that leaves out what it does not know answered its page 1, at 200, and
    # page 2's articles were never read, nothing said. The query's "&amp;" is read as "&", as an index's child's is.
    assert crawl(env).returncode == 0
    config = Path(env["config"])
    config.write_text(config.read_text(encoding="utf-8").replace(site.url(SITEMAP_PATH), site.url("/old-sitemap.xml")),
                      encoding="utf-8")
    site.redirect("/old-sitemap.xml", f"{site.url(NEWS_SITEMAP_PATH)}?type=news&amp;page=2&amp;amp;x=1")
    site.clear_log()
    assert crawl(env).returncode == 0
    assert [r.query for r in site.requests() if r.path == NEWS_SITEMAP_PATH] == ["type=news&page=2&x=1"]
    [read] = rows(env, "select ok from discovery where url = ? and run_id = ?", site.url("/old-sitemap.xml"),
                  last_run(env)["id"])
    assert read["ok"] == 1


@pytest.mark.parametrize("written", ["&amp;amp;", "&amp;#38;"])
def test_a_section_pages_next_page_whose_query_ampersand_is_escaped_is_asked_for_under_its_whole_query(env, site,
                                                                                                     written):
    # A pager whose href is escaped twice: "&#38;" asked for "?cat=pol&" (the '#' a fragment's), "&amp;" the
    # parameter "amp;page": the first page again, or none, and the articles only the next page listed were lost.
    assert crawl(env).returncode == 0
    fresh = [site.add_article(f"scrapping-webs/nhk-test_article_{n}.html", channels=[]) for n in (2, 3, 4)]
    site.answer(SECTION_PATH, 200, section_html(site, [fresh[0].path, fresh[1].path],
                                                f"/news/list.php?cat=pol{written}page=2"))
    site.answer("/news/list.php", 200, section_html(site, [fresh[2].path], None))
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = [(r.path, r.query) for r in site.requests() if r.path == "/news/list.php"]
    assert asked == [("/news/list.php", "cat=pol&page=2")], asked
    assert sorted(r.path for r in site.article_requests()) == sorted(a.path for a in fresh)
    assert_every_url_has_a_state_and_a_reason(env["db"])


def test_a_feed_that_moved_is_asked_for_with_the_validators_of_where_it_is_now(env, site):
    # A feed answering 301 to its new address: the request sent on carried the old address's
    # ETag (which a 301 never updates), never the new one's, and an unchanged feed came back
    # whole every run.
    assert crawl(env).returncode == 0
    moved = "/feeds/atom.xml"
    site.serve_as(moved, ATOM_PATH)
    site.redirect(ATOM_PATH, site.url(moved))
    site.add_article(LATER, channels=["feed"])  # the feed changes: its ETag with it
    assert crawl(env).returncode == 0
    site.clear_log()
    assert crawl(env).returncode == 0
    [asked] = [r for r in site.requests() if r.path == moved]
    [(etag,)] = sqlite3.connect(env["db"]).execute("SELECT etag FROM feed_state WHERE url = ?",
                                                   [site.url(moved)]).fetchall()
    assert (asked.if_none_match, asked.status) == (etag, 304)


def test_articles_of_a_sitemap_under_nested_indexes_are_fetched_in_the_run_that_finds_them(env, site):
    # An index of indexes of indexes (a CMS that groups by year, then month): the articles of the
    # sitemap at the bottom were four links from the start, one past Scrapy's DEPTH_LIMIT of 3,
    # and their requests were dropped without a word; each waited, pending, for the next run.
    xml = {"Content-Type": "application/xml"}
    site.answer(SITEMAP_PATH, 200, _index(site, {"/sitemap-2026.xml": "2026-11-30"}), xml)
    site.answer("/sitemap-2026.xml", 200, _index(site, {"/sitemap-2026-11.xml": "2026-11-30"}), xml)
    site.answer("/sitemap-2026-11.xml", 200, _index(site, {ARCHIVE_SITEMAP_PATH: "2026-11-30"}), xml)
    only = site.articles[1]  # listed by the sitemap alone, as today's (an undated entry of a first run's
    # sitemap is an archive's, asked for with the backlog at depth 0, and no depth drops it)
    today = datetime.now(UTC).isoformat(timespec="seconds")
    site.answer(ARCHIVE_SITEMAP_PATH, 200,
                urlset(f"<url><loc>{site.url(only.path)}</loc><lastmod>{today}</lastmod></url>"), xml)
    # With the old limit, the deepest index says why its articles wait.
    assert crawl(env, "DEPTH_LIMIT=3").returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(only.path)) == [{"kind": "pending"}]
    [deepest] = rows(env, "select ok, reason from discovery where url = ?", site.url("/sitemap-2026-11.xml"))
    assert deepest["ok"] == 0 and deepest["reason"].startswith(
        "nested 3 sitemap indexes deep, deeper than the crawl follows (DEPTH_LIMIT 3)")
    later = site.add_article(LATER, channels=["sitemap"])
    site.answer(ARCHIVE_SITEMAP_PATH, 200, urlset(f"<url><loc>{site.url(later.path)}</loc></url>"), xml)
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(later.path)) == [{"kind": "article"}]


def test_a_sitemap_index_that_lists_itself_is_read_once_a_run(env, site):
    # A misconfigured index lists itself beside its children (a plugin adding "every sitemap"):
    # each reading asked for it again, its children with it, until DEPTH_LIMIT (four readings
    # of each). Nor may its 304s, which ask for its children, loop.
    index = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             + "".join(f"<sitemap><loc>{site.url(p)}</loc></sitemap>"
                       for p in (SITEMAP_PATH, NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH)) + "</sitemapindex>")
    site.answer(SITEMAP_PATH, 200, index.encode(), {"Content-Type": "application/xml", "ETag": '"index-1"'})
    for run in (1, 2):
        site.clear_log()
        result = crawl(env, "CLOSESPIDER_TIMEOUT=60")
        assert result.returncode == 0 and b"closespider_timeout" not in result.stderr
        assert [r.status for r in site.requests() if r.path == SITEMAP_PATH] == [200 if run == 1 else 304]
        assert {r.path for r in site.requests()} >= {NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH}
        site.lie_not_modified(SITEMAP_PATH)  # its second run: a 304, and its children from the first
    assert rows(env, "select count(*) as n from urls where kind = 'article'") == [{"n": len(PAGES)}]


def test_a_news_sitemap_whose_server_answers_304_whatever_it_holds_is_read_whole_within_the_hour(env, site):
    # The CDN in front of both child sitemaps says "not modified" to every conditional request.
    # The news sitemap (a few kilobytes, the newest articles) is read whole now and then, as a feed
    # is; the archive sitemap (up to 50 MB on a real outlet) keeps asking with its validators.
    assert crawl(env).returncode == 0
    for path in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH):
        site.lie_not_modified(path)
    later = site.add_article(LATER, channels=["sitemap"])
    site.clear_log()
    assert crawl(env).returncode == 0 and site.article_requests() == []
    whole_reads_an_hour_ago(env)
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = {r.path: r for r in site.requests()}
    assert not (asked[NEWS_SITEMAP_PATH].if_none_match or asked[NEWS_SITEMAP_PATH].if_modified_since)
    assert asked[ARCHIVE_SITEMAP_PATH].if_none_match and asked[ARCHIVE_SITEMAP_PATH].status == 304
    assert [r.path for r in site.article_requests()] == [later.path]


def test_the_children_of_a_sitemap_index_that_answers_304_are_still_read(env, site):
    # A static index (a file on a CDN, its ETag stable) lists a news sitemap its CMS rewrites:
    # the index is "not modified" run after run while its child changes. Taken as a 304 for the
    # whole tree, the news sitemap was never read again, and what only it listed never fetched.
    assert crawl(env).returncode == 0
    site.lie_not_modified(SITEMAP_PATH)
    later = site.add_article(LATER, channels=["sitemap"])
    site.clear_log()
    assert crawl(env).returncode == 0
    asked = {r.path: r for r in site.requests() if r.path in (SITEMAP_PATH, NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH)}
    assert asked[SITEMAP_PATH].status == 304
    # Its children are asked for, each with its own validators: one unchanged costs a 304.
    assert asked[NEWS_SITEMAP_PATH].if_none_match and asked[ARCHIVE_SITEMAP_PATH].if_none_match
    assert [r.path for r in site.article_requests()] == [later.path]
    assert rows(env, "select kind from urls where url = ?", site.url(later.path)) == [{"kind": "article"}]
    # Nothing changed since: the index and both children answer 304, nothing else is asked for.
    site.clear_log()
    assert crawl(env).returncode == 0
    assert sorted((r.path, r.status) for r in site.requests() if "sitemap" in r.path) == sorted(
        [(SITEMAP_PATH, 304), (NEWS_SITEMAP_PATH, 304), (ARCHIVE_SITEMAP_PATH, 304)])
    assert site.article_requests() == []


def _index(site, children: dict[str, str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{site.url(path)}</loc><lastmod>{lastmod}</lastmod></sitemap>"
                      for path, lastmod in children.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>").encode()


def _urlset(site, paths: list[str]) -> bytes:
    return urlset("".join(f"<url><loc>{site.url(path)}</loc></url>" for path in paths))


def test_an_article_whose_url_is_longer_than_2083_characters_is_fetched(env, site):
    # A slug of Japanese words, percent-encoded, 9 characters each: past Scrapy's URLLENGTH_LIMIT
    # (2083, an old browser's) the request was dropped at INFO level, and the URL stayed
    # "pending" run after run. A server that cannot take such a URL says so (414), with a reason.
    slug = quote("防衛力の抜本的強化と反撃能力の保有をめぐる国会審議の行方" * 9)
    published = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    page = site.publish_html(f"/site/2026/{slug}.html", news_page(1, published), title="第1報", published=published,
                             channels=["feed"])
    assert len(site.url(page.path)) > 2083
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(page.path)) == [{"kind": "article"}]


def test_a_sitemap_larger_than_a_page_may_be_is_read_whole(env, site):
    # sitemaps.org allows 50 MB; DOWNLOAD_MAXSIZE (10 MB, for pages) cut a big archive sitemap
    # off, and every article it listed was lost to a "too large" discovery error.
    pad = "".join(f"<url><loc>{site.url(f'/tag/{n:06d}/' + 'x' * 180)}</loc><lastmod>2026-11-30</lastmod></url>"
                  for n in range(48_000))
    last = site.articles[1]
    big = urlset(pad + f"<url><loc>{site.url(last.path)}</loc></url>")
    assert 10 * 1024 * 1024 < len(big) < 50 * 1024 * 1024
    site.answer(ARCHIVE_SITEMAP_PATH, 200, big, {"Content-Type": "application/xml"})
    assert crawl(env).returncode == 0
    [read] = rows(env, "select ok, reason, entries, article_urls from discovery where url = ?",
                  site.url(ARCHIVE_SITEMAP_PATH))
    assert (read["ok"], read["reason"], read["entries"], read["article_urls"]) == (1, None, 48_001, 1)
    assert rows(env, "select kind from urls where url = ?", site.url(last.path)) == [{"kind": "article"}]


@pytest.mark.parametrize("said", [True, False])
def test_a_sitemap_gzipped_twice_is_read_whole(env, site, said):
    # A .xml.gz its server gzips again, saying so in Content-Encoding (Scrapy undoes that layer) or
    # not: what reached the parser was gzip still, or gzip twice, "not XML", and every article the
    # sitemap listed was lost every run.
    last = site.articles[1]
    body = gzip.compress(gzip.compress(urlset(f"<url><loc>{site.url(last.path)}</loc></url>")))
    site.answer(ARCHIVE_SITEMAP_PATH, 200, body,
                {"Content-Type": "application/x-gzip", **({"Content-Encoding": "gzip"} if said else {})})
    assert crawl(env).returncode == 0
    [read] = rows(env, "select ok, reason, entries, article_urls from discovery where url = ?",
                  site.url(ARCHIVE_SITEMAP_PATH))
    assert (read["ok"], read["reason"], read["entries"], read["article_urls"]) == (1, None, 1, 1)


def test_archive_sitemaps_that_list_nothing_new_are_asked_for_once_a_day(env, site):
    # An index of monthly archives: each run asked for every one of them, an index of 300
    # months 300 requests a run, ahead of the outlet's articles (discovery goes first).
    xml = {"Content-Type": "application/xml"}
    may, june = "/sitemap-2025-05.xml", "/sitemap-2025-06.xml"
    day = datetime(2025, 6, 3, tzinfo=timezone.utc)
    archived = site.publish_html("/site/archive/1.html", news_page(1, day), title="第1報", published=day, channels=[])
    # The index is a static file: its news sitemap's lastmod is as old as the archives'.
    lastmods = {NEWS_SITEMAP_PATH: "2025-01-01T00:00:00Z", may: "2025-05-31", june: "2025-06-30T23:10:00+09:00"}
    site.answer(SITEMAP_PATH, 200, _index(site, lastmods), xml)
    site.answer(may, 200, _urlset(site, []), xml)
    site.answer(june, 200, _urlset(site, [archived.path]), xml)
    assert crawl(env).returncode == 0
    assert {r.path for r in site.article_requests()} >= {archived.path}

    def asked() -> list[str]:
        return sorted(r.path for r in site.requests() if r.path in lastmods)

    # The next run, all are asked for: newsmon has not seen them list nothing new for two days.
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == sorted(lastmods)
    # Two days on, nothing moved: the archives are not asked for; the news sitemap is, whatever
    # its lastmod says (it lists the newest articles, as a feed does).
    moved_back(env, "listed_new_at", 49 * 60)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == [NEWS_SITEMAP_PATH]
    [note] = [r["reason"] for r in rows(env, "select reason from discovery where url = ? order by id desc limit 1",
                                        site.url(SITEMAP_PATH))]
    assert note.startswith("2 of its 3 child sitemaps not asked for: archives that have listed nothing new for "
                           "2.0 days, their lastmods here unchanged since they were fetched (the oldest ")
    assert note.endswith("each is asked again 24.0 h after it was, or when its lastmod moves")
    # June's archive gains an article, and its lastmod moves: it is asked for.
    added = site.publish_html("/site/archive/2.html", news_page(2, day), title="第2報", published=day, channels=[])
    site.answer(june, 200, _urlset(site, [archived.path, added.path]), xml)
    lastmods[june] = "2025-07-01T09:00:00+09:00"
    site.answer(SITEMAP_PATH, 200, _index(site, lastmods), xml)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == sorted([NEWS_SITEMAP_PATH, june])
    assert [r.path for r in site.article_requests()] == [added.path]
    # May's archive gains one, its lastmod standing still (the index's lastmods are not the
    # children's): not asked for until a day after its last fetch, then read, and from then on
    # the index's lastmods are not believed.
    hidden = site.publish_html("/site/archive/3.html", news_page(3, day), title="第3報", published=day, channels=[])
    site.answer(may, 200, _urlset(site, [hidden.path]), xml)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == sorted([NEWS_SITEMAP_PATH, june]) and site.article_requests() == []
    moved_back(env, "last_fetched_at", 25 * 60, site.url(may))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == sorted([NEWS_SITEMAP_PATH, may, june])
    assert [r.path for r in site.article_requests()] == [hidden.path]
    [lie] = [r["lastmods_lie"] for r in rows(env, "select lastmods_lie from feed_state where url = ?",
                                             site.url(SITEMAP_PATH))]
    assert lie.startswith(f"{site.url(may)} listed 1 new article URL on ") and lie.endswith(
        "while its lastmod here stood at 2025-05-31: every child is asked for every run")
    moved_back(env, "listed_new_at", 49 * 60)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert asked() == sorted(lastmods)


def test_an_outlet_whose_archive_sitemaps_all_rest_is_not_said_to_list_nothing(env, site):
    # An outlet discovered through a sitemap index of archives alone: the run in which they all
    # rest reads the index anew (200) and lists no article URL, which health took for a pattern
    # that no longer matches ("no_links", failing).
    config = Path(env["config"])
    config.write_text(re.sub(r"(?m)^(feeds|start_urls) = .*$", r"\1 = []", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    xml = {"Content-Type": "application/xml"}
    months = {"/sitemap-2025-05.xml": "2025-05-31", "/sitemap-2025-06.xml": "2025-06-30"}
    site.answer(SITEMAP_PATH, 200, _index(site, months), xml)
    for path in months:
        site.answer(path, 200, _urlset(site, [site.article(PAGES[0]).path]), xml)
    for _ in range(2):
        assert crawl(env).returncode == 0
    moved_back(env, "listed_new_at", 49 * 60)
    site.clear_log()
    assert crawl(env).returncode == 0
    assert [r.path for r in site.requests() if "sitemap" in r.path] == [SITEMAP_PATH]
    assert rows(env, "select status, problems from health where outlet = 'site'") == [
        {"status": "ok", "problems": None}]


def test_an_article_its_feed_dates_after_newsmon_read_it_is_read_again_at_once(env, site):
    # An outlet adds to a stored article what makes it relevant, and its Atom feed says so
    # (<updated>). The article was not relevant, so its revisits (relevant ones only, by default)
    # passed it over: the update was never read, and the article never reached the queue.
    published = datetime.now(timezone.utc) - timedelta(hours=2)
    path = "/site/updated/1.html"
    site.publish_html(path, news_page(1, published), title="第1報", published=published, channels=["feed"])
    assert crawl(env).returncode == 0
    [before] = rows(env, "select id, relevant, version from articles where url = ?", site.url(path))
    assert (before["relevant"], before["version"]) == (0, 1)
    added = ("<p>市は同日、政府が安保3文書を改定し、国家安全保障戦略と国家防衛戦略に反撃能力の保有を明記したことを受け、"
             "防衛力整備計画に基づく駐屯地の拡張について国と協議すると発表した。反撃能力の運用をめぐる説明も求める。</p>")
    # Dated 150 s on: later than newsmon's read by more than a clock's drift (2 min), not yet
    # "in the future" (5 min), so that the test need not wait.
    site.update_html(path, news_page(1, published).replace("</article>", added + "</article>"),
                     updated=datetime.now(timezone.utc) + timedelta(seconds=150))
    site.clear_log()
    assert crawl(env).returncode == 0
    assert [r.path for r in site.article_requests()] == [path]
    [after] = rows(env, "select id, relevant, version from articles where url = ?", site.url(path))
    assert (after["id"], after["relevant"], after["version"]) == (before["id"], 1, 2)
    [revisit] = rows(env, "select prompted, listed_date, last_result from revisits where article_id = ?", after["id"])
    assert revisit["prompted"] is None and revisit["last_result"] == "version 2" and revisit["listed_date"]
    # The same date does not ask again.
    site.clear_log()
    assert crawl(env).returncode == 0
    assert site.article_requests() == []


def test_a_feed_that_turned_over_between_two_runs_degrades_the_outlet(env, site):
    # An outlet published more between two runs than its feed holds: the feed now lists only
    # articles never seen, and those that dropped off it in between were never seen at all.
    assert crawl(env).returncode == 0
    published = datetime.now(timezone.utc) - timedelta(minutes=5)
    paths = [f"/site/burst/{n}.html" for n in range(6)]
    for n, path in enumerate(paths):
        site.publish_html(path, news_page(n, published), title=f"第{n}報", published=published, channels=["section"])
    # The RSS feed holds the six newest only (the Atom feed still lists the older ones).
    items = "".join(f"<item><title>第{n}報</title><link>{site.url(path)}</link></item>" for n, path in enumerate(paths))
    site.answer(RSS_PATH, 200, (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                f"{items}</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})
    result = crawl(env)
    assert result.returncode == 0
    feed = rows(env, "select known, article_urls from discovery where url = ? order by id desc limit 1",
                site.url(RSS_PATH))
    assert feed == [{"known": 0, "article_urls": 6}]
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        f"its feed {site.url(RSS_PATH)} (6 articles) listed only articles never seen before: more were published")
    # The section lists the old articles with the new (all but the two the fixture keeps out of
    # it): it did not turn over.
    assert rows(env, "select known from discovery where kind = 'section' order by id desc limit 1") == [
        {"known": len(PAGES) - 2}]
    # The run after, the feed holds what was seen: nothing to say.
    assert crawl(env).returncode == 0
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


@pytest.mark.parametrize("channel", ["feed", "sitemap"])
def test_a_feed_or_sitemap_its_server_prints_a_php_warning_before_is_read_and_the_warning_said(env, site, channel):
    # A WordPress site after a PHP upgrade prints a deprecation notice before every feed and
    # sitemap it serves: each was "XML, but not a feed: its root element is <br>", and what only
    # it listed was lost for as long as the notice stayed; feed readers read past it.
    published = datetime.now(timezone.utc) - timedelta(minutes=5)
    site.publish_html("/site/php/1.html", news_page(1, published), title="第1報", published=published, channels=[])
    warning = (b"<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in "
               b"<b>/var/www/html/wp-content/plugins/x/x.php</b> on line <b>12</b><br />\n")
    if channel == "feed":
        path, body = RSS_PATH, ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                f'<item><title>第1報</title><link>{site.url("/site/php/1.html")}</link></item>'
                                "</channel></rss>").encode()
    else:
        path, body = NEWS_SITEMAP_PATH, urlset(f'<url><loc>{site.url("/site/php/1.html")}</loc></url>', news=True)
    site.answer(path, 200, warning + body, {"Content-Type": "application/xml"})
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url("/site/php/1.html")) == [{"kind": "article"}]
    [read] = rows(env, "select ok, article_urls, reason from discovery where url = ?", site.url(path))
    assert (read["ok"], read["article_urls"]) == (1, 1)
    assert read["reason"].startswith(f'read past the {len(warning)} bytes before its XML ("<br /> <b>Deprecated</b>: ')
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_a_feed_and_sitemaps_served_as_web_pages_with_relative_urls_are_read(env, site):
    # A CMS that serves its feed and sitemaps as text/html, and writes their URLs as paths (a
    # child sitemap's too): read by their bytes, not their type, each path against the document's
    # own URL. (Already so; this says it stays so.)
    published = datetime.now(UTC) - timedelta(minutes=5)
    for n in (1, 2):
        site.publish_html(f"/site/rel/{n}.html", news_page(n, published), title=f"第{n}報", published=published,
                          channels=[])
    page = {"Content-Type": "text/html; charset=utf-8"}
    site.answer(RSS_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                "<item><title>第1報</title><link>/site/rel/1.html</link></item>"
                                "</channel></rss>").encode(), page)
    site.answer(SITEMAP_PATH, 200, b'<?xml version="1.0" encoding="UTF-8"?>'
                                   b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   b"<sitemap><loc>/sitemap-rel.xml</loc></sitemap></sitemapindex>", page)
    site.answer("/sitemap-rel.xml", 200, urlset("<url><loc>/site/rel/2.html</loc></url>"), page)
    assert crawl(env).returncode == 0
    for n in (1, 2):
        assert rows(env, "select kind from urls where url = ?", site.url(f"/site/rel/{n}.html")) == [
            {"kind": "article"}]
    read = {r["url"]: r for r in rows(env, "select url, ok, reason, article_urls from discovery")}
    for path in (RSS_PATH, SITEMAP_PATH, "/sitemap-rel.xml"):
        assert (read[site.url(path)]["ok"], read[site.url(path)]["reason"]) == (1, None), path
    assert (read[site.url(RSS_PATH)]["article_urls"], read[site.url("/sitemap-rel.xml")]["article_urls"]) == (1, 1)


def test_a_feed_and_a_sitemap_in_upper_case_with_urls_around_comments_and_over_lines_are_read_and_said_to(env, site):
    # <URLSET><URL><LOC>, a comment in a <loc>, a URL wrapped over an indented line; <RSS><CHANNEL>
    # <ITEM><LINK>, a zero-width space pasted into a URL, an Atom href wrapped over an indented line:
    # each was "not a sitemap" or "not a feed" (or, in lower case with such entries, read "ok" with
    # nothing in it), or a URL of no article, every article only it listed lost.
    published = datetime.now(UTC) - timedelta(minutes=5)
    for n in (1, 2, 3, 4):
        site.publish_html(f"/site/upper/{n}.html", news_page(n, published), title=f"第{n}報", published=published,
                          channels=[])
    entries = (f"<URL><LOC><!-- cached -->{site.url('/site/upper/1.html')}</LOC></URL>"
               f"<URL><LOC>{site.url('/site/upper/')}\n        2.html</LOC></URL>")
    site.answer(ARCHIVE_SITEMAP_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                            '<URLSET xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                            f"{entries}</URLSET>").encode(), {"Content-Type": "application/xml"})
    site.answer(RSS_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?>\n<RSS VERSION="2.0"><CHANNEL><TITLE>t</TITLE>'
                                f"<ITEM><TITLE>第3報</TITLE><LINK>{site.url('/site/upper/')}\u200b3.html</LINK>"
                                f"<PUBDATE>{format_datetime(published)}</PUBDATE></ITEM></CHANNEL></RSS>").encode(),
                {"Content-Type": "application/rss+xml"})
    site.answer(ATOM_PATH, 200, ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                                 f'<entry><title>第4報</title><link href="{site.url("/site/upper/")}\n          4.html"/>'
                                 f"<updated>{published.isoformat()}</updated></entry></feed>").encode(),
                {"Content-Type": "application/atom+xml"})
    assert crawl(env).returncode == 0
    for n in (1, 2, 3, 4):
        assert rows(env, "select kind from urls where url = ?", site.url(f"/site/upper/{n}.html")) == [
            {"kind": "article"}]
    [read] = rows(env, "select ok, reason, article_urls from discovery where url = ?", site.url(ARCHIVE_SITEMAP_PATH))
    assert (read["ok"], read["article_urls"], read["reason"]) == (
        1, 2, ("writes its tags in other than lower case (<URLSET>, <URL>, <LOC>), which XML reads as other names "
               "than the protocol's: read as the sitemap it is"))
    [read] = rows(env, "select ok, reason, article_urls from discovery where url = ?", site.url(RSS_PATH))
    assert (read["ok"], read["article_urls"], read["reason"]) == (
        1, 1, ("writes its tags in other than the case its format defines (<RSS>, <CHANNEL>, <TITLE>, <ITEM>, …), "
               "which XML reads as other names than the format's: read as the feed it is; 1 of its URLs held "
               "invisible characters (zero-width spaces, byte-order marks, soft hyphens: pasted into its CMS with "
               "them?), which no URL is written with: read without them"))
    [read] = rows(env, "select ok, reason, article_urls from discovery where url = ?", site.url(ATOM_PATH))
    assert (read["ok"], read["article_urls"], read["reason"]) == (
        1, 1, ("1 of its URLs in attributes (an Atom link's href, rdf:about) were broken over lines, which XML reads "
               "as runs of spaces: read without them"))


def test_a_feed_a_sitemap_and_a_section_that_list_no_article_any_more_are_named_until_they_list_again(env, site):
    # The section page is redrawn by JavaScript (its HTML holds the site's navigation only), the
    # RSS feed's generator writes an empty channel and the news sitemap an empty urlset: all
    # answer 200, and the Atom feed and the archive sitemap still list articles, so no count of
    # the run says anything.
    assert crawl(env).returncode == 0
    emptied = (site.url(SECTION_PATH), site.url(RSS_PATH), site.url(NEWS_SITEMAP_PATH))
    listed = {r["kind"]: r["article_urls"] for r in rows(
        env, "select kind, article_urls from discovery where url in (?, ?, ?)", *emptied)}
    assert listed == {"section": len(PAGES) - 2, "feed": len(PAGES) - 2, "sitemap": 5}
    nav = "".join(f'<li><a href="/{s}/">{s}</a></li>' for s in ("politics", "economy", "world", "society"))
    site.answer(SECTION_PATH, 200, (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ニュース</title>'
                                    f'</head><body><nav><ul>{nav}</ul></nav><div id="app"></div>'
                                    '<script src="/assets/list.js"></script></body></html>').encode())
    site.answer(RSS_PATH, 200, b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                               b"</channel></rss>", {"Content-Type": "application/rss+xml"})
    site.answer(NEWS_SITEMAP_PATH, 200, urlset("", news=True), {"Content-Type": "application/xml"})
    result = crawl(env)
    assert result.returncode == 0
    broken = {r["kind"]: r for r in rows(env, "select kind, ok, reason from discovery where run_id = 2 and url in (?, ?, ?)",
                                         *emptied)}
    assert broken["section"]["ok"] == 0 and broken["section"]["reason"].startswith(
        f"lists no article URL (of its 4 links), where its read of {last_run(env)['started_at'][:10]}")
    assert broken["section"]["reason"].endswith(f"UTC listed {len(PAGES) - 2}: emptied, moved, its links drawn by "
                                                "JavaScript now, or under a URL scheme the article pattern does not take?")
    assert broken["feed"]["ok"] == 0 and broken["feed"]["reason"].startswith("lists no article URL (of its 0 entries)")
    assert broken["sitemap"]["ok"] == 0 and broken["sitemap"]["reason"].startswith(
        "lists no article URL (of its 0 entries)")
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and health["problems"].startswith(
        "3 of its 6 feeds, sitemaps and sections failed or were broken: ")
    for url in emptied:
        assert f"{url}: lists no article URL" in health["problems"]
    # Still empty a run later: still named (the listing they are measured against is the last
    # that held articles, not the empty one before).
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from discovery where run_id = 3 and ok = 0") == [{"n": 3}]
    for path in (SECTION_PATH, RSS_PATH, NEWS_SITEMAP_PATH):
        site.remove_fault(path)
    assert crawl(env).returncode == 0
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_articles_fetched_again_under_a_per_visit_parameter_degrade_the_outlet(env, site):
    # The feed starts adding a session parameter to its links, new at every visit: every URL is
    # new, every page an article already stored, and each run fetches them all again.
    assert crawl(env).returncode == 0
    items = "".join(f"<item><title>t</title><link>{site.url(a.path)}?sess=8f3a{n}</link></item>"
                    for n, a in enumerate(site.articles))
    site.answer(RSS_PATH, 200, (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
                                f"{items}</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})
    site.clear_log()
    assert crawl(env).returncode == 0
    assert len(site.article_requests()) == len(PAGES)  # all fetched again
    [health] = rows(env, "select h.status, h.problems, o.reasons from health h join outlet_health o using (outlet) "
                         "where outlet = 'site'")
    assert health["status"] == "degraded" and [r["code"] for r in json.loads(health["reasons"])] == ["refetched"]
    assert health["problems"].startswith(
        f"{len(PAGES)} of the {len(PAGES)} article pages of its last run were articles already stored under another "
        f"of its URLs ({site.url('/site/')}")
    assert "?sess=8f3a" in health["problems"] and "a URL parameter that changes with every visit?" in health["problems"]


#: What a news site under load answers at 200 where an article should be: its chrome and a line.
BUSY = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ただいまアクセスが集中しています</title></head>'
        '<body><header><nav>' + "".join(f'<a href="/site/{s}/">{n}</a>' for s, n in (
            ("politics", "政治"), ("economy", "経済"), ("world", "国際"), ("society", "社会"), ("sports", "スポーツ")))
        + '</nav></header><main><h1>ただいまアクセスが集中しています</h1><p>ただいまアクセスが集中し、ページを表示しにくく'
        'なっています。しばらく時間をおいてから、もう一度お試しください。ご迷惑をおかけして申し訳ありません。</p></main>'
        '<footer><p>記事・写真・図表などの無断転載を禁じます。著作権は当社またはその情報提供者に帰属します。</p></footer>'
        '</body></html>').encode()


def test_an_article_behind_a_busy_page_is_stored_and_a_page_without_one_is_looked_at_once_more(env, site):
    # A site under load answered the article's URL with a "busy" page at 200: "not an article",
    # final, and the article was never fetched again. It is an error now, tried at the next run.
    busy = site.add_article(LATER, channels=["feed"])
    site.answer(busy.path, 200, BUSY, times=1)
    # And a URL that holds no article either time (a list of links in the article's place).
    site.publish_html("/site/news/index.html", news_page(0, datetime(2026, 11, 20, tzinfo=timezone.utc)),
                      title="一覧", published=datetime(2026, 11, 20, tzinfo=timezone.utc), channels=["feed"])
    site.answer("/site/news/index.html", 200, listing_html().encode())
    assert crawl(env).returncode == 0
    [waiting] = rows(env, "select * from urls where url = ?", site.url(busy.path))
    assert (waiting["kind"], waiting["reason_code"]) == ("error", "site_busy")
    assert "ただいまアクセスが集中しています" in waiting["reason"]
    [index] = rows(env, "select * from urls where url = ?", site.url("/site/news/index.html"))
    assert index["kind"] == "not_article" and "looked at once more after" in index["reason"] and index["retry_at"]
    assert not rows(env, "select * from articles where title like '%アクセスが集中%'")
    site.clear_log()
    assert crawl(env).returncode == 0
    assert {r.path for r in site.article_requests()} == {busy.path}  # the page without one: not before its time
    [article] = rows(env, "select u.kind, a.title from urls u join articles a on a.id = u.article_id where u.url = ?",
                     site.url(busy.path))
    assert article["kind"] == "article" and "チューリップ" not in article["title"]
    # Six hours on (the ledger's clock): the page without an article is fetched once more.
    conn = sqlite3.connect(env["db"])
    with conn:
        conn.execute("UPDATE urls SET retry_at = '2000-01-01T00:00:00+00:00' WHERE kind = 'not_article'")
    conn.close()
    site.clear_log()
    assert crawl(env).returncode == 0
    assert {r.path for r in site.article_requests()} == {"/site/news/index.html"}
    [index] = rows(env, "select * from urls where url = ?", site.url("/site/news/index.html"))
    assert index["kind"] == "not_article" and index["retry_at"] is None
    assert index["reason"].endswith("; the second look found none either")
    site.clear_log()
    assert crawl(env).returncode == 0 and site.article_requests() == []  # final now


def test_article_urls_sent_on_to_one_page_without_an_article_each_get_their_second_look(env, site):
    # Their pages are stored under where they lead: the second URL counted the first's look there
    # as its own, and "the second look found none either" ended it at its first.
    for n in (1, 2):
        path = f"/site/news/moved-{n}.html"
        site.publish_html(path, news_page(n, datetime(2026, 11, 20, tzinfo=timezone.utc)), title=f"記事{n}",
                          published=datetime(2026, 11, 20, tzinfo=timezone.utc), channels=["feed"])
        site.redirect(path, "/site/news/list.html", 302)
    site.publish_html("/site/news/list.html", news_page(0, datetime(2026, 11, 20, tzinfo=timezone.utc)),
                      title="一覧", published=datetime(2026, 11, 20, tzinfo=timezone.utc), channels=[])
    site.answer("/site/news/list.html", 200, listing_html().encode())
    assert crawl(env).returncode == 0
    for n in (1, 2):
        [state] = rows(env, "select * from urls where url = ?", site.url(f"/site/news/moved-{n}.html"))
        assert state["kind"] == "not_article" and state["retry_at"], state
        assert "looked at once more after" in state["reason"], state["reason"]
    conn = sqlite3.connect(env["db"])
    with conn:
        # Theirs only: the listing they lead to, due as well, was fetched under its own URL in the
        # same run, and whichever came first decided (on a loaded machine, the listing: the two
        # were left pending, "not fetched twice; asked again next run", as they should).
        conn.execute("UPDATE urls SET retry_at = '2000-01-01T00:00:00+00:00' WHERE kind = 'not_article' "
                     "AND url LIKE '%/moved-%'")
    conn.close()
    assert crawl(env).returncode == 0
    for n in (1, 2):  # and the second look is the last
        [state] = rows(env, "select * from urls where url = ?", site.url(f"/site/news/moved-{n}.html"))
        assert state["kind"] == "not_article" and state["retry_at"] is None
        assert state["reason"].endswith("; the second look found none either"), state["reason"]


def news_page(n: int, published: datetime) -> str:
    """A short article of our own, with its publication time where outlets put it."""
    title = f"市営バス路線の再編案 第{n}報"
    body = "".join(f"<p>{p}</p>" for p in (
        f"市は、市営バスの路線を再編する案の第{n}報をまとめ、沿線の住民に説明を始めた。",
        f"案では利用の少ない{n + 3}路線を統合し、浮いた車両を朝夕の通勤路線に回すとしている。",
        "住民からは「通院の足がなくなる」との声が上がり、市は乗り合いタクシーの導入も検討する。",
        f"市議会は来月、再編案を審議する予定で、実施は早くても{n % 3 + 1}年後になる見通しだ。"))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{published.isoformat(timespec="seconds")}">'
            f'</head><body><article><h1>{title}</h1>{body}</article></body></html>')


def publish(site, numbers, published: datetime) -> None:
    for n in numbers:
        site.publish_html(f"/site/late/{n}.html", news_page(n, published), title=f"第{n}報",
                          published=published, channels=["feed"])


def test_articles_the_feed_lists_hours_late_make_the_outlet_late_and_status_says_how_late(env, site):
    # Every article arrives, so no count, error or ratio of the crawl says anything: only when
    # they arrive does. Two runs, then their rows are moved 3 and 2 hours back (the clock is the
    # ledger's): five articles published between them appear in the feed only now.
    assert crawl(env).returncode == 0 and crawl(env).returncode == 0
    now = datetime.now(timezone.utc)
    conn = sqlite3.connect(env["db"])
    with conn:
        for run_id, hours in ((1, 3), (2, 2)):
            conn.execute("UPDATE crawl_runs SET started_at = ?, finished_at = ? WHERE id = ?",
                         [(now - timedelta(hours=hours)).isoformat(timespec="seconds"),
                          (now - timedelta(hours=hours, seconds=-5)).isoformat(timespec="seconds"), run_id])
    conn.close()
    jst = timezone(timedelta(hours=9))
    publish(site, range(1, 6), (now - timedelta(hours=2, minutes=30)).astimezone(jst))
    result = crawl(env)
    assert result.returncode == 0 and last_run(env)["articles_new"] == 5
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded"
    assert health["problems"].startswith("its new articles were found 2.5 h after they were published "
                                         "(median of the last 5); 5 of them were published "
                                                 "before an earlier run that did not find them")
    assert b"outlet site is now degraded: its new articles were found 2.5 h" in result.stderr
    status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "site", "--db", env["db"],
                             "--config", env["config"]], capture_output=True, text=True, timeout=120)
    assert status.returncode == 0  # degraded: worth a look, no alarm
    line = next(ln for ln in status.stdout.splitlines() if ln.startswith("site "))
    assert line.split()[1] == "degraded" and line.endswith("2.5 h (5)")
    assert "! its new articles were found 2.5 h after" in status.stdout

    # Then six pages whose time lies 9 hours ahead (JST read as UTC): dates read wrong.
    publish(site, range(6, 12), now + timedelta(hours=9))
    assert crawl(env).returncode == 0
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and "publication times lie 9.0 h after newsmon stored them" in \
        health["problems"]


def test_a_feed_that_froze_while_its_outlet_publishes_degrades_the_outlet_until_it_lists_again(env, site):
    # The outlet retires its RSS feed and leaves it answering its last copy: 200, well-formed, its
    # entries an hour apart, the newest two days old. Every count of every run looks normal.
    assert crawl(env).returncode == 0
    now = datetime.now(timezone.utc)
    conn = sqlite3.connect(env["db"])
    back = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {}, '-2 days')"
    with conn:  # the first run two days back (the ledger's clock)
        conn.execute(f"UPDATE crawl_runs SET started_at = {back.format('started_at')}, "
                     f"finished_at = {back.format('finished_at')}")
        conn.execute(f"UPDATE discovery SET fetched_at = {back.format('fetched_at')}")
    conn.close()
    last_copy = "".join(f"<item><title>{a.title}</title><link>{site.url(a.path)}</link><pubDate>"
                        f"{format_datetime(now - timedelta(days=2, hours=n + 1))}</pubDate></item>"
                        for n, a in enumerate(site.articles))
    frozen = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
              f"{last_copy}</channel></rss>").encode()
    site.answer(RSS_PATH, 200, frozen, {"Content-Type": "application/rss+xml"})
    # Its sections list five articles published since.
    publish_at = now - timedelta(hours=1)
    for n in range(5):
        site.publish_html(f"/site/new/{n}.html", news_page(n, publish_at), title=f"第{n}報", published=publish_at,
                          channels=["section"])
    result = crawl(env)
    assert result.returncode == 0 and last_run(env)["articles_new"] == 5
    [feed] = rows(env, "select newest_entry, entry_interval, new_urls from discovery where url = ? order by id desc "
                       "limit 1", site.url(RSS_PATH))
    assert feed == {"newest_entry": (now - timedelta(days=2, hours=1)).isoformat(timespec="seconds"),
                    "entry_interval": 3600, "new_urls": 0}
    [health] = rows(env, "select h.status, h.problems, o.reasons from health h join outlet_health o using (outlet) "
                         "where outlet = 'site'")
    assert health["status"] == "degraded" and [r["code"] for r in json.loads(health["reasons"])] == ["stale"]
    assert health["problems"].startswith(f"its feed {site.url(RSS_PATH)} (nothing new since ")
    assert "2.0 days; it used to list one every 60 min) lists nothing new while its other feeds" in health["problems"]
    assert b"outlet site is now degraded: its feed" in result.stderr
    # The feed lists again: nothing to say.
    site.remove_fault(RSS_PATH)
    site.publish_html("/site/new/5.html", news_page(5, now), title="第5報", published=now, channels=["feed"])
    assert crawl(env).returncode == 0
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "ok"}]


def test_a_flash_that_becomes_a_relevant_article_is_revisited_and_enters_the_queue(env, site):
    # 【速報】: two lines, no term of a topic. Within the hour the outlet writes the story into
    # the same URL. Only relevant articles were revisited: the story was never seen.
    published = datetime.now(timezone.utc) - timedelta(minutes=20)
    title = "【速報】政府、臨時閣議を開く"
    flash = (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
             f'<meta property="og:type" content="article"><meta property="article:published_time" '
             f'content="{published.isoformat(timespec="seconds")}"></head><body><article><h1>{title}</h1>'
             "<p>政府は16日午前、臨時閣議を開いた。詳しい内容は分かり次第お伝えします。</p>"
             "</article></body></html>")
    site.publish_html("/site/flash/1.html", flash, title=title, published=published, channels=["feed"])
    assert crawl(env).returncode == 0
    [stored] = rows(env, "select id, relevant, length(text) as chars from articles where url like '%/flash/1.html'")
    assert stored["relevant"] == 0 and stored["chars"] < 200
    story = flash.replace("詳しい内容は分かり次第お伝えします。", "".join(f"<p>{p}</p>" for p in (
        "閣議では国家安全保障戦略など安保関連3文書の改定を決定した。3文書は相手のミサイル発射拠点などを"
        "たたく反撃能力の保有を明記した。",
        "防衛費は2027年度に国内総生産（GDP）比2%に達するよう増やす。財源の一部は増税でまかなう。",
        "首相は記者会見で「戦後の安全保障政策を大きく転換するものだ」と述べた。")))
    site.update_html("/site/flash/1.html", story)
    conn = sqlite3.connect(env["db"])
    with conn:  # an hour on (the ledger's clock): its first revisit is due
        conn.execute("UPDATE revisits SET due_at = '2000-01-01T00:00:00+00:00' WHERE article_id = ?", [stored["id"]])
    conn.close()
    site.clear_log()
    assert crawl(env).returncode == 0
    assert [r.path for r in site.article_requests()] == ["/site/flash/1.html"]
    [article] = rows(env, "select relevant, version, relevant_since from articles where id = ?", stored["id"])
    assert article["relevant"] == 1 and article["version"] == 2 and article["relevant_since"]
    assert rows(env, "select count(*) as n from review_queue where id = ?", stored["id"]) == [{"n": 1}]


def _revisit_now(env, article_id: int) -> None:
    conn = sqlite3.connect(env["db"])
    with conn:  # an hour on (the ledger's clock): its revisit is due
        conn.execute("UPDATE revisits SET due_at = '2000-01-01T00:00:00+00:00' WHERE article_id = ?", [article_id])
    conn.close()


def test_a_revisit_after_a_redesign_is_no_new_version_unless_the_article_changed(env, site):
    # Nikkei's relevant article, read by its rules, then revisited after the outlet changed its
    # markup: read another way now, its text differs by how it was read (captions, spacing), not
    # by what the outlet wrote. As a new version it was "updated after review" on the desk and in
    # the digest, for every revisited article of an outlet that changed its markup.
    assert crawl(env).returncode == 0
    path = site.articles[0].path
    [before] = rows(env, "select id, version, method, updated_at, text from articles where url = ?", site.url(path))
    assert before["method"].startswith("rules:nikkei")
    # Its paragraphs made <div>s, its body still named so: its rules' paragraphs read nothing, its
    # body read a line a block gives the text as stored.
    redesigned = divs_for_ps(saved_bytes(PAGES[0]))
    site.update_html(path, redesigned)
    _revisit_now(env, before["id"])
    assert crawl(env).returncode == 0
    [revisit] = rows(env, "select last_result from revisits where article_id = ?", before["id"])
    assert revisit["last_result"] == "unchanged"
    # The body's name gone too: read generically. The article stays as stored (its rules' text),
    # and the revisit says why it is unchanged.
    redesigned = strip_rule_anchors(redesigned, "https://www.nikkei.com/article/DGXZQOUA0464Q0U3A400C2000000/")
    site.update_html(path, redesigned)
    _revisit_now(env, before["id"])
    assert crawl(env).returncode == 0
    [after] = rows(env, "select version, method, updated_at, text from articles where id = ?", before["id"])
    assert after == {k: before[k] for k in after}
    assert rows(env, "select count(*) as n from article_versions where article_id = ?", before["id"]) == [{"n": 0}]
    [revisit] = rows(env, "select last_result from revisits where article_id = ?", before["id"])
    assert revisit["last_result"].startswith("unchanged: read by generic:trafilatura now, by rules:nikkei")
    # Redesigned and a sentence added: a new version all the same.
    said = "具体的な事例をあげて明言するのは初めて。".encode()
    site.update_html(path, redesigned.replace(said, said + "政府は同日、関係閣僚会議を開き、今後の対応を協議した。".encode()))
    _revisit_now(env, before["id"])
    assert crawl(env).returncode == 0
    [edited] = rows(env, "select version, text from articles where id = ?", before["id"])
    assert edited["version"] == before["version"] + 1 and "関係閣僚会議" in edited["text"]


def test_retry_after_is_honoured_and_oversized_pages_are_dropped(env, site):
    articles = site.articles
    sizes = {a.path: len(saved_bytes(a.relpath)) for a in articles}
    throttled = min(sizes, key=sizes.get)
    limit = sorted(sizes.values())[-2]  # the largest page is over the limit, the rest are not
    site.fail(throttled, 503, retry_after=1, times=1)
    assert crawl(env, f"DOWNLOAD_MAXSIZE={limit}").returncode == 0
    hits = [r for r in site.requests() if r.path == throttled]
    assert [r.status for r in hits] == [503, 200]
    assert hits[1].time - hits[0].time >= 0.9  # waited as the server asked, not Scrapy's default
    stored = {r["url"] for r in rows(env, "select url from urls where kind = 'article'")}
    assert site.url(throttled) in stored
    biggest = max(sizes, key=sizes.get)
    assert rows(env, "select kind from urls where url = ?", site.url(biggest)) == [{"kind": "error"}]
    assert last_run(env)["articles_new"] == len(PAGES) - 1


def test_a_sitemap_that_lists_what_another_document_found_first_in_the_run_listed_something_new(env, site):
    # A sitemap's dates are read at an outlet's first run only, and what a feed or a section read
    # before it in the run listed was theirs (new_urls 0): nothing said a working sitemap listed
    # anything new, and two days on it was "stale", its address to be replaced.
    assert crawl(env).returncode == 0
    added = site.add_article(LATER)
    assert crawl(env).returncode == 0
    run = last_run(env)["id"]
    [sitemap] = rows(env, "select article_urls, known, new_urls from discovery where run_id = ? and kind = 'sitemap' "
                          "and url like '%/sitemap-1.xml'", run)
    assert sitemap["article_urls"] == sitemap["known"] + 1, sitemap
    assert rows(env, "select kind from urls where url = ?", site.url(added.path)) == [{"kind": "article"}]


def test_a_page_whose_site_asked_for_an_hour_is_not_asked_again_before_it(env, site):
    # A 429 whose Retry-After asked for an hour (longer than a crawl waits) was asked again at
    # the next run, 15 minutes later on the default schedule, and given up after the third: 45
    # minutes of asking a site that had said an hour, and its article lost.
    throttled, absurd = site.articles[0].path, site.articles[1].path
    site.fail(throttled, 429, retry_after=3600)
    # A number no timedelta holds: every crawl ended in a traceback, the URL never given up.
    site.answer(absurd, 503, b"<h1>busy</h1>", {"Retry-After": "9" * 20})
    result = crawl(env)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-2000:]
    [far] = rows(env, "select kind, retry_at, reason from urls where url = ?", site.url(absurd))
    assert far["kind"] == "error" and "of which newsmon waits a day (Retry-After)" in far["reason"]
    assert datetime.fromisoformat(far["retry_at"]) - datetime.now(timezone.utc) <= timedelta(days=1)
    [row] = rows(env, "select kind, attempts, retry_at, reason from urls where url = ?", site.url(throttled))
    assert (row["kind"], row["attempts"]) == ("error", 1)
    assert "it asked for a wait of 3,600 s (Retry-After)" in row["reason"] and "as the site asked)" in row["reason"]
    asked = datetime.fromisoformat(row["retry_at"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=50) < asked <= timedelta(hours=1)
    site.remove_fault(throttled)
    site.remove_fault(absurd)
    site.clear_log()
    for _ in range(2):
        assert crawl(env).returncode == 0
    assert [r for r in site.requests() if r.path in (throttled, absurd)] == []
    assert rows(env, "select kind, attempts from urls where url = ?", site.url(throttled)) == [
        {"kind": "error", "attempts": 1}]
    # The hour over, the next run fetches it.
    with sqlite3.connect(env["db"]) as db:
        db.execute("UPDATE urls SET retry_at = '2020-01-01T00:00:00+00:00' WHERE url = ?", [site.url(throttled)])
    db.close()
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(throttled)) == [{"kind": "article"}]


def test_a_feed_whose_site_asked_for_an_hour_is_not_asked_again_before_it(env, site):
    # Only article URLs kept what a long Retry-After asked: a feed whose site asked for an hour was
    # asked again at every run, a quarter of an hour apart.
    site.fail(RSS_PATH, 429, retry_after=3600)
    assert crawl(env).returncode == 0
    [read] = rows(env, "select ok, http_status, retry_at, reason from discovery where url = ?", site.url(RSS_PATH))
    assert (read["ok"], read["http_status"]) == (0, 429)
    assert "it asked for a wait of 3,600 s (Retry-After)" in read["reason"]
    asked = datetime.fromisoformat(read["retry_at"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=50) < asked <= timedelta(hours=1)
    site.remove_fault(RSS_PATH)
    site.clear_log()
    for _ in range(2):
        assert crawl(env).returncode == 0
    assert [r for r in site.requests() if r.path == RSS_PATH] == []
    # Each run says it did not ask, and until when; the outlet's status names the feed.
    waited = rows(env, "select ok, retry_at, reason from discovery where url = ? order by id", site.url(RSS_PATH))[1:]
    assert [(w["ok"], w["retry_at"]) for w in waited] == [(0, read["retry_at"])] * 2
    assert waited[0]["reason"].startswith("not asked this run: HTTP 429 asked not to be asked again before ")
    assert site.url(RSS_PATH) in rows(env, "select problems from health")[0]["problems"]
    # The hour over, the next run reads it.
    with sqlite3.connect(env["db"]) as db:
        db.execute("UPDATE discovery SET retry_at = '2020-01-01T00:00:00+00:00' WHERE url = ?", [site.url(RSS_PATH)])
    db.close()
    assert crawl(env).returncode == 0
    assert [r.status for r in site.requests() if r.path == RSS_PATH] == [200]
    assert rows(env, "select ok, retry_at from discovery where url = ? order by id desc limit 1",
                site.url(RSS_PATH)) == [{"ok": 1, "retry_at": None}]


def extraction_workers(err: str) -> int:
    """The extraction workers a crawl's stats say it had at its end (0: none, all extracted in the crawl process).
    Not one exactly: the pool adds a worker once pages wait half a second, as they may on a loaded machine (a spread
    suite of two processes per core failed on "'newsmon/extract/workers': 2")."""
    found = re.search(r"'newsmon/extract/workers': (\d+)", err)
    return int(found.group(1)) if found else 0


def test_scrapy_crawl_news_as_the_readme_allows_stores_everything(env, site):
    # `scrapy crawl news` builds the crawl without `newsmon crawl`: the pipeline then starts its
    # own extraction workers (newsmon crawl starts them before Scrapy and hands them over).
    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "outlet=site",
           "-s", f"NEWSMON_DB={env['db']}", "-s", f"NEWSMON_CONFIG={env['config']}"]
    for pair in LOOPBACK:
        cmd += ["-s", pair]
    result = subprocess.run(cmd, cwd=root, capture_output=True, timeout=180)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-3000:]
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)
    assert rows(env, "select count(*) as n from urls where kind = 'fetched'")[0]["n"] == 0
    assert last_run(env)["finish_reason"] == "finished"
    # Extracted in a worker process of the pipeline's, not in the crawl process.
    assert extraction_workers(result.stderr.decode(errors="replace")) >= 1


def test_workers_that_cannot_start_before_the_crawl_are_started_by_it(env, site):
    # Starting processes can fail (no memory, too many open files) before Scrapy has even
    # started: the crawl goes on, and the pipeline starts its workers itself.
    code = ("import sys, crawler.crawl as c\n"
            "def fail(*a, **k): raise OSError(24, 'Too many open files')\n"
            "c.crawl_workers = fail\n"
            "from crawler.cli import main\n"
            "sys.argv = ['newsmon'] + sys.argv[1:]\n"
            "main()\n")
    cmd = [sys.executable, "-c", code, *crawl_cmd(env)[3:]]
    result = subprocess.run(cmd, capture_output=True, timeout=180)
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 0, err[-3000:]
    assert "Traceback" not in err and "cannot start the extraction workers before the crawl" in err
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)
    assert extraction_workers(err) >= 1


def test_a_sitemap_that_lists_its_child_sitemaps_as_pages_is_read_as_the_index_it_is(env, site):
    # A generator that writes an index's children as <url> entries of a urlset (nokia.com's
    # sitemap_index.xml; adobe/helix-importer-ui#140): no article URL among them, so nothing was
    # fetched, and every article only its child sitemaps list was lost, the run "ok".
    xml = {"Content-Type": "application/xml"}
    children = "".join(f"<url><loc>{site.url(path)}</loc><lastmod>2026-11-30</lastmod></url>"
                       for path in (NEWS_SITEMAP_PATH, ARCHIVE_SITEMAP_PATH))
    site.answer(SITEMAP_PATH, 200, urlset(children), xml)
    only = site.articles[1]  # listed by the sitemaps alone
    # The opposite shape below it: a CMS plugin's own sitemap appended to a urlset of pages as a <sitemap>
    # entry. Taken for a page (no article URL), it was dropped with a count, and its articles never seen.
    import urllib.request

    archive = urllib.request.urlopen(site.url(ARCHIVE_SITEMAP_PATH), timeout=10).read()
    plugin = site.add_article(LATER, channels=[])  # listed by the plugin's sitemap alone
    old = datetime(2020, 5, 1, 3, tzinfo=UTC)
    page = site.publish_html("/site/old/1.html", news_page(1, old), title="第1報", published=old, channels=[])
    site.answer(ARCHIVE_SITEMAP_PATH, 200, archive.replace(b"</urlset>", f"<url><loc>{site.url(page.path)}</loc></url>"
                                                                         f"<sitemap><loc>{site.url('/plugin.xml')}"
                                                                         "</loc></sitemap></urlset>".encode()), xml)
    site.answer("/plugin.xml", 200, _urlset(site, [plugin.path]), xml)
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", site.url(only.path)) == [{"kind": "article"}]
    [index] = rows(env, "select ok, entries, reason from discovery where url = ?", site.url(SITEMAP_PATH))
    assert index == {"ok": 1, "entries": 2, "reason": "lists its 2 child sitemaps as <url> entries, where an index "
                                                      "lists <sitemap> entries: read as the sitemap index it is"}
    assert rows(env, "select kind from urls where url = ?", site.url(plugin.path)) == [{"kind": "article"}]
    [pages] = rows(env, "select ok, entries, reason from discovery where url = ?", site.url(ARCHIVE_SITEMAP_PATH))
    listed = archive.count(b"<url>") + 1  # and the old page
    assert pages == {"ok": 1, "entries": listed, "reason": (
        f"lists 1 child sitemap as <sitemap> entries among its {listed} <url> pages, where only an index lists "
        "<sitemap> entries: read as its child sitemaps, beside its pages")}
    assert rows(env, "select ok, entries from discovery where url = ?", site.url("/plugin.xml")) == [
        {"ok": 1, "entries": 1}]
    # Its backlog in its order, its pages before its child's: given places after them (an index's child, in the
    # index's block), its child's shared them, each interleaved with its own pages.
    placed = {r["url"]: r["archive_place"] for r in rows(env, "select url, archive_place from urls")}
    assert None not in (placed[site.url(page.path)], placed[site.url(plugin.path)]), placed
    assert placed[site.url(page.path)] < placed[site.url(plugin.path)], placed


def test_an_outlets_consent_cookie_from_its_config_opens_its_pages(env, site):
    # NHK ONE answers a fetch without its consent cookie with a 401 naming the JWT token: every
    # article a wall, blocked run after run, and nothing a user could do about it. The cookie of
    # a browser where the user consented goes in the outlet's config, and with its requests.
    site.require_consent("nhk_consent=granted-2026")
    assert crawl(env).returncode == 0
    # After three walls in a row the outlet's other articles wait for the next run (pending).
    kinds = {r["kind"] for r in rows(env, "select kind from urls")}
    assert "blocked" in kinds and kinds <= {"blocked", "pending"}, kinds
    assert rows(env, "select status from health where outlet = 'site'") == [{"status": "blocked"}]
    with open(env["config"], "a", encoding="utf-8") as config:
        config.write('cookies = { nhk_consent = "granted-2026" }\n')
    conn = sqlite3.connect(env["db"])
    with conn:  # an hour on, when the walls are asked again
        conn.execute("UPDATE urls SET retry_at = '2000-01-01T00:00:00+00:00' WHERE kind = 'blocked'")
    conn.close()
    site.clear_log()
    assert crawl(env).returncode == 0
    assert {r["kind"] for r in rows(env, "select kind from urls")} == {"article"}
    assert len(rows(env, "select id from articles")) == len(PAGES)
    # Sent to the outlet's pages, feeds and sitemaps; not with robots.txt, which is no outlet's.
    sent = {r.path: r.headers.get("cookie") for r in site.requests()}
    assert sent.pop("/robots.txt", None) is None
    assert sent and all(cookie == "nhk_consent=granted-2026" for cookie in sent.values()), sent


def test_an_article_behind_a_wall_whose_feed_names_the_topics_is_named_by_status(env, site):
    # The relevant article answers with NHK ONE's wall, every time: it was `blocked`, a URL and a
    # reason, and nothing told the reviewers that the one article on their topics was the one
    # missing. What its feed and news sitemap said of it is kept, and status names it.
    relevant = site.article(PAGES[0])
    site.answer(relevant.path, 401, b'{"error": "JWT token is missing"}', {"Content-Type": "application/json"})
    digests = Path(env["db"]).parent / "digests"
    script = Path(env["db"]).parent / "on_digest.py"
    script.write_text(f"import sys, time\nopen({str(digests)!r} + '/' + str(time.time_ns()), 'wb')"
                      ".write(sys.stdin.buffer.read())\n", encoding="utf-8")
    digests.mkdir()
    with open(env["config"], "a", encoding="utf-8") as config:
        config.write(f'\n[notify]\ncommand = [{json.dumps(sys.executable)}, {json.dumps(str(script))}]\n'
                     'always = true\n')
    assert crawl(env).returncode == 0
    listed = {r["url"]: r for r in rows(env, "select url, kind, listed from urls where listed is not null")}
    url = site.url(relevant.path)
    assert listed[url]["kind"] == "blocked" and listed[url]["listed"].startswith(relevant.title[:20])
    # A section page's link says the article's headline: PAGES[2] is listed there only.
    assert listed[site.url(site.article(PAGES[2]).path)]["listed"] == site.article(PAGES[2]).title
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--db", env["db"], "--config",
                             env["config"]], capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("unread: "))
    assert lines[at].startswith("unread: 1 article on the topics by what its listing (feed, sitemap, section page) "
                                "said, not read by newsmon (1 blocked)"), lines[at]
    assert lines[at + 1].startswith(f"  site: 「{relevant.title[:20]}") and url in lines[at + 1]
    assert "consent" in lines[at + 1] or "NHK ONE" in lines[at + 1], lines[at + 1]
    # Its time to be tried again as every time of status is said (the machine's, its zone named), where it said
    # Japan's in the desk's words ("12月5日 20:23") under rows in UTC.
    assert re.search(r"tried again after \d{4}-\d\d-\d\d \d\d:\d\d \w+\)", lines[at + 1]), lines[at + 1]
    # The other articles were read: not named, whatever their feed said.
    assert [line for line in lines if line.startswith("  site: ")] == [lines[at + 1]]
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--json", "--db", env["db"], "--config",
                             env["config"]], capture_output=True, text=True, timeout=120)
    row = next(r for r in json.loads(result.stdout) if r["outlet"] == "site")
    assert [(u["url"], u["kind"]) for u in row["unread_on_topic"]] == [(url, "blocked")]
    # The run's digest told it, at its first wall; the next run's wall is no news (status keeps it).
    (sent,) = [json.loads(p.read_bytes()) for p in digests.iterdir()]  # (always = true: one a run)
    assert [(u["url"], u["kind"]) for u in sent["articles_unread"]] == [(url, "blocked")]
    assert "1 article on the topics unread" in sent["title"] and relevant.title[:20] in sent["text"]
    conn = sqlite3.connect(env["db"])
    with conn:  # an hour on, when the wall is asked again
        conn.execute("UPDATE urls SET retry_at = '2000-01-01T00:00:00+00:00' WHERE kind = 'blocked'")
    conn.close()
    assert crawl(env).returncode == 0
    assert rows(env, "select kind, attempts from urls where url = ?", url) == [{"kind": "blocked", "attempts": 2}]
    (second,) = [d for d in (json.loads(p.read_bytes()) for p in digests.iterdir()) if d["run"]["id"] != sent["run"]["id"]]
    assert second["articles_unread"] == [] and "unread" not in second["title"]


def test_an_article_walled_before_a_feed_listed_it_gets_the_feeds_words_when_one_does(tmp_path):
    # Found on a full run: the section page listed the article first (no words then), and the feed
    # that listed it after, in the same run, gave its words to new URLs only. Here a run apart: the
    # section page's link gives its headline, the feed's headline and summary replace it.
    with LoopbackSite(PAGES[:2], placement={PAGES[0]: ["section"], PAGES[1]: ["feed"]}) as site:
        config = tmp_path / "newsmon.toml"
        config.write_text(site.toml_snippet("site"), encoding="utf-8")
        env = {"db": str(tmp_path / "news.db"), "config": str(config)}
        relevant = site.article(PAGES[0])
        url = site.url(relevant.path)
        site.answer(relevant.path, 401, b'{"error": "JWT token is missing"}', {"Content-Type": "application/json"})
        assert crawl(env).returncode == 0
        assert rows(env, "select kind, listed from urls where url = ?", url) == [
            {"kind": "blocked", "listed": relevant.title}]
        feed = (f"<rss version='2.0'><channel><item><title>{relevant.title}</title><link>{url}</link>"
                "<description>政府は国家安全保障戦略の改定を急ぐ</description></item></channel></rss>")
        site.answer(RSS_PATH, 200, feed.encode(), {"Content-Type": "application/rss+xml"})
        assert crawl(env).returncode == 0
        (row,) = rows(env, "select kind, listed from urls where url = ?", url)
        assert row == {"kind": "blocked", "listed": f"{relevant.title} — 政府は国家安全保障戦略の改定を急ぐ"}
        status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--db", env["db"], "--config",
                                 env["config"]], capture_output=True, text=True, timeout=120).stdout
        assert f"  site: 「{relevant.title}」 {url} (blocked: " in status
    assert_every_url_has_a_state_and_a_reason(env["db"])


class BuggyMiddleware:
    """A downloader middleware with a bug on one URL (run inside the crawl process)."""

    def process_request(self, request):
        if "nikkei" in request.url:
            return undefined_name  # noqa: F821  (the bug)
        return None


def test_a_bug_in_a_downloader_middleware_fails_the_run_and_the_next_run_fetches_the_page(env, site):
    # A NameError in a middleware reached the errback as if the network had failed: the run
    # ended "finished", exit status 0, "1 failed page", and the URL an error like a timeout's.
    from crawler import settings as project

    middlewares = {**project.DOWNLOADER_MIDDLEWARES, f"{__name__}.BuggyMiddleware": 50}
    root = str(Path(__file__).resolve().parents[1])  # where the crawl process finds this module
    result = subprocess.run(crawl_cmd(env, f"DOWNLOADER_MIDDLEWARES={json.dumps(middlewares)}"), capture_output=True,
                            timeout=180, env={**os.environ, "PYTHONPATH": root})
    assert result.returncode == 1, result.stderr.decode(errors="replace")[-2000:]
    assert b"newsmon failed 1 time(s) on the way" in result.stderr
    assert b"NameError: name 'undefined_name' is not defined" in result.stderr  # its traceback, logged
    [nikkei] = rows(env, "select kind, reason_code, reason from urls where url like '%nikkei%'")
    assert (nikkei["kind"], nikkei["reason_code"]) == ("error", "crawl_bug")
    assert nikkei["reason"].startswith("a bug of newsmon while fetching: NameError: name 'undefined_name'")
    assert crawl(env).returncode == 0
    assert rows(env, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_feed_whose_reading_raises_is_named_broken_and_read_whole_next_run(env, site):
    # A parser's bug on a feed no test had (a crash, since fixed, on an undeclared prefix) left
    # the feed no row in the run: health could not name it, and what only it listed was lost
    # with nothing but a traceback to say so.
    import urllib.request

    from .conftest import CRASH_MARKER, crashing_env

    for path, kind in ((RSS_PATH, "rss"), (ATOM_PATH, "atom")):
        feed = urllib.request.urlopen(site.url(path), timeout=10).read()
        site.answer(path, 200, re.sub(rb"(<\?xml[^>]*>)", lambda m: m.group(1) + CRASH_MARKER, feed, count=1),
                    {"Content-Type": f"application/{kind}+xml"})
    result = subprocess.run(crawl_cmd(env), capture_output=True, timeout=180, env=crashing_env())
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"TypeError: a bug of the feed parser (tests/crash)" in result.stderr  # its traceback, logged
    read = rows(env, "select ok, http_status, reason from discovery where url in (?, ?)", site.url(RSS_PATH),
                site.url(ATOM_PATH))
    assert [(r["ok"], r["http_status"]) for r in read] == [(0, 200)] * 2
    for r in read:
        assert r["reason"].startswith("a bug of newsmon while reading it: TypeError: a bug of the feed parser")
    [health] = rows(env, "select status, problems from health where outlet = 'site'")
    assert health["status"] == "degraded" and f"{site.url(RSS_PATH)}: a bug of newsmon" in health["problems"]
    # The article only the feeds list waits for the next run, which reads them whole.
    only_in_feed = site.url(site.article(PAGES[3]).path)
    assert rows(env, "select count(*) as n from urls where url = ?", only_in_feed) == [{"n": 0}]
    for path in (RSS_PATH, ATOM_PATH):
        site.remove_fault(path)
    assert crawl(env).returncode == 0
    assert rows(env, "select kind from urls where url = ?", only_in_feed) == [{"kind": "article"}]



def test_a_section_page_whose_own_listing_raises_is_broken_with_what_was_read_of_it(env, site):
    # Its links were read and its new articles asked for before its own listing raised: recorded with no counts
    # and said as a page that could not be read, the row hid the articles it listed, and what the bug cost.
    import urllib.request

    from .conftest import CRASH_MARKER, crashing_env

    page = urllib.request.urlopen(site.url(SECTION_PATH), timeout=10).read()
    site.answer(SECTION_PATH, 200, page.replace(b"<body>", b"<body>" + CRASH_MARKER, 1),
                {"Content-Type": "text/html; charset=utf-8"})
    result = subprocess.run(crawl_cmd(env), capture_output=True, timeout=180, env=crashing_env())
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"TypeError: a bug of the listing reader (tests/crash)" in result.stderr
    [read] = rows(env, "select ok, article_urls, new_urls, reason from discovery where url = ?", site.url(SECTION_PATH))
    listed = [a for a in site.articles if "section" in a.channels]
    assert read["ok"] == 0 and read["article_urls"] == len(listed) and len(listed) >= 2, read
    assert read["reason"].startswith("a bug of newsmon while reading it: TypeError: a bug of the listing reader")
    assert f"its {len(listed)} article links were read" in read["reason"] and "nor its next page" in read["reason"]
    stored = {r["url"] for r in rows(env, "select url from urls where kind = 'article'")}
    assert {site.url(a.path) for a in listed} <= stored

def test_scrapys_tls_aliases_are_named_without_walking_the_stack():
    # In a fresh process, as a crawl starts: Scrapy's deprecated TLS aliases named their module
    # through inspect.stack(), a walk over sys.modules for each of ~40 frames (127 module
    # lookups); preload_downloader gives them the same names with the frames alone.
    probe = (
        "import inspect, crawler.crawl\n"
        "calls = []\n"
        "real_getmodule = inspect.getmodule\n"
        "inspect.getmodule = lambda *a, **k: calls.append(1) or real_getmodule(*a, **k)\n"
        "real_stack = inspect.stack\n"
        "crawler.crawl.preload_downloader()\n"
        "import scrapy.core.downloader.tls as tls, scrapy.core.downloader.contextfactory as cf\n"
        "assert inspect.stack is real_stack\n"
        "print(len(calls), tls.ScrapyClientTLSOptions.__module__, cf.ScrapyClientContextFactory.__module__,\n"
        "      cf.AcceptableProtocolsContextFactory.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["scrapy.core.downloader.tls", "scrapy.core.downloader.contextfactory",
                       "scrapy.core.downloader.contextfactory"]
    assert int(out[0]) <= 3  # one per alias, for its module; 127 with the real inspect.stack
