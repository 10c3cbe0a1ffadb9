"""Every way a live site fails a crawler ends in a URL state with a reason, and loses nothing.

Real `newsmon crawl` processes over real HTTP against the hostile site of tests/hostile.py (one
route per failure), two crawls sharing one database: after each, every route's URL is in the
state the issue's state table says, with its attempts and reason; nothing outside the outlet's
scope was asked for (the servers' own logs); no article is lost or stored twice. A third crawl,
after robots.txt changes, fetches what it used to disallow.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler import discovery

from .hostile import BAD_ENTRIES, Case, Site, _send, article_html, good, redirect, series_html

SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "DOWNLOAD_TIMEOUT=2", "RETRY_TIMES=1", "NEWSMON_EXTRACT_WORKERS=1", "NEWSMON_MAX_ATTEMPTS=2",
            "NEWSMON_MAX_RETRY_AFTER=5"]
OUTLETS = ["hostile", "robots5xx", "robots4xx", "walled"]


def crawl(db: Path, config: Path, outlets: list[str], *extra: str) -> subprocess.CompletedProcess:
    cmd, env = crawl_cmd(db, config, outlets, *extra)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def crawl_cmd(db: Path, config: Path, outlets: list[str], *extra: str) -> tuple[list[str], dict[str, str]]:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", *outlets, "--db", str(db), "--config", str(config)]
    for pair in SETTINGS + list(extra):
        cmd += ["-s", pair]
    # Nowhere to reach but the sites under test: a request to anywhere else (the Public Suffix
    # List that Scrapy's cookie middleware asks tldextract for, the first time a site sets a
    # cookie) meets a closed port and says so, as on a machine without a network. Its cache
    # starts cold, so that what a fresh machine does is what is tested.
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead,
           "NO_PROXY": "127.0.0.1,127.0.0.2,localhost", "no_proxy": "127.0.0.1,127.0.0.2,localhost",
           "TLDEXTRACT_CACHE": str(db.parent / "tldextract")}
    return cmd, env


def query(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, dict]:
    return {r["url"]: r for r in query(db, "SELECT * FROM urls")}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    site = Site(tmp).start()
    robots5xx = Site(tmp, full=False, robots_status=503, seed=500).start()
    robots4xx = Site(tmp, full=False, robots_status=404, seed=400).start()
    walled = Site(tmp, full=False, seed=700)
    wall_codes = walled.add_walls()
    walled.start()
    config = tmp / "newsmon.toml"
    config.write_text(site.toml() + robots5xx.toml("robots5xx") + robots4xx.toml("robots4xx") + walled.toml("walled"),
                      encoding="utf-8")
    db = tmp / "news.db"
    runs = {}
    try:
        crawl(db, config, OUTLETS)
        runs["first"] = (snapshot(db), site.requests(), robots5xx.requests())
        walled_first = walled.requests()
        site.healed, robots5xx.robots_status = True, 200
        log_mark = len(site.requests())
        crawl(db, config, OUTLETS)
        walled_mark = len(walled.requests())
        runs["second"] = (snapshot(db), site.requests()[log_mark:], robots5xx.requests())
        walled_second = walled.requests()[walled_mark:]
        status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "hostile", "--db", str(db),
                                 "--config", str(config)], capture_output=True, text=True, timeout=60)
        site.robots = "User-agent: *\nDisallow:\n"  # the site now allows /private/
        crawl(db, config, ["hostile"])
        runs["third"] = (snapshot(db), site.requests(), [])
        runs["stopped"] = crawl_stopped_in_the_grace(tmp_path_factory.mktemp("grace"))
        yield {"site": site, "db": db, "runs": runs, "status": status, "walled": walled, "wall_codes": wall_codes,
               "walled_logs": (walled_first, walled_second)}
    finally:
        for s in (site, robots5xx, robots4xx, walled):
            s.stop()


def crawl_stopped_in_the_grace(tmp: Path) -> dict:
    """A crawl sent SIGTERM as its documents are in flight, each answered inside the 5 s the stop gives them
    (``crawl.STOP_GRACE``) with a failure of the server's: an article's 500 and reset, an article's next page's reset,
    a feed's 500, and (``robots``, a host of its own) a robots.txt's 503. What it recorded, and its exit status."""
    signalled = threading.Event()

    def after_the_signal(status: int | None, headers: dict[str, str] | None = None) -> Callable:
        def answer(h, site):
            signalled.wait(60)
            site.stopping.wait(0.5)  # the crawl has heard the signal
            if status is not None:
                return _send(h, status, f"<h1>{status}</h1>".encode(), headers)
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
        return answer

    site, robots = Site(tmp, full=False, seed=960), Site(tmp, full=False, seed=961)
    late = {"/a/late-500": after_the_signal(500), "/a/late-reset": after_the_signal(None),
            "/a/late-503": after_the_signal(503, {"Retry-After": "3"}),
            "/a/long/2": after_the_signal(None), "/feed-late.xml": after_the_signal(500)}
    site.cases.update({path: Case(path, answer) for path, answer in late.items()})
    site.cases["/a/long"] = Case("/a/long", lambda h, s: _send(h, 200, series_html("/a/long", 1, 2, "long")))
    site.expect.update({path: {} for path in ("/a/late-500", "/a/late-reset", "/a/late-503", "/a/long")})  # listed
    robots.cases["/robots.txt"] = Case("/robots.txt", after_the_signal(503))
    site.start()
    robots.start()
    config = tmp / "c.toml"
    config.write_text(f'[outlets.grace]\nname = "Grace"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\nfeeds = '
                      f'["{site.url("/feed.xml")}", "{site.url("/feed-late.xml")}"]\narticle_url_pattern = "^/a/"\n'
                      + robots.toml("robots"), encoding="utf-8")
    db = tmp / "news.db"
    # One attempt a URL: a failure in the grace counted as the run's gives the article up, for good.
    cmd, env = crawl_cmd(db, config, ["grace", "robots"], "DOWNLOAD_TIMEOUT=60", "NEWSMON_EXTRACT_WORKERS=0",
                         "NEWSMON_MAX_ATTEMPTS=1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(1200):
            if all(site.requests(path) for path in late) and robots.requests("/robots.txt") or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        signalled.set()
        _, err = proc.communicate(timeout=60)
    finally:
        signalled.set()
        if proc.poll() is None:
            proc.kill()
        site.stop()
        robots.stop()
    return {"site": site, "robots": robots, "db": db, "status": proc.returncode, "err": err, "urls": snapshot(db)}


def _cases() -> list[str]:
    # The expectations are data of the site itself; build one to read them (no server started).
    return sorted(Site(Path(".")).expect)


@pytest.mark.parametrize("crawl_no", ["first", "second"])
@pytest.mark.parametrize("path", _cases())
def test_each_route_ends_in_its_state_with_a_reason(hostile, path, crawl_no):
    site, (urls, _, _) = hostile["site"], hostile["runs"][crawl_no]
    expected = site.expect[path][crawl_no]
    row = urls.get(site.url(path))
    assert row is not None, f"{path} left no trace after the {crawl_no} crawl"
    assert row["kind"] == expected["state"], row
    assert row["reason"] and len(row["reason"]) > 10, row
    if "code" in expected:
        assert row["reason_code"] == expected["code"], row
    if "attempts" in expected:
        assert row["attempts"] == expected["attempts"], row
    if "redirected_to" in expected:
        target = expected["redirected_to"]
        want = site.tls_url(target[4:]) if target.startswith("tls:") else site.url(target)
        assert row["redirected_to"] == want
        final = urls[want]
        assert final["kind"] == "article" and final["article_id"] == row["article_id"]


def test_a_redirect_that_is_no_3xx_says_what_it_was(hostile):
    # A reader of the reason looks for a 3xx and finds none: the hop says what sent the crawl on.
    site, urls = hostile["site"], hostile["runs"]["first"][0]
    for path, how in (("/a/refresh-header", "Refresh header"), ("/a/script-redirect", "script"),
                      ("/a/refresh-late", "meta refresh"), ("/a/refresh", "meta refresh"),
                      ("/a/script-elsewhere", "script")):
        assert f"{site.url(path)} [{how}] → " in urls[site.url(path)]["reason"], urls[site.url(path)]
    assert f"{site.url('/a/moved')} → {site.url('/a/moved-target')}" in urls[site.url("/a/moved")]["reason"]


def test_every_url_is_in_a_known_state_with_a_reason(hostile):
    for crawl_no in ("first", "second", "third"):
        urls = hostile["runs"][crawl_no][0]
        for row in urls.values():
            assert row["kind"] in ("pending", "article", "not_article", "error", "gave_up", "gone", "refused",
                                   "blocked"), row
            assert row["reason"], row


def test_nothing_out_of_scope_was_requested(hostile):
    site = hostile["site"]
    assert site.other_log == []  # neither the redirect to 127.0.0.2 nor the feed entry reached it
    paths = {r.path for r in site.requests()}
    assert not {p for p in paths if p.startswith("/a/escape")}
    urls = hostile["runs"]["first"][0]
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/a/escape-ftp", site.other_url("/a/escape-other")):
        assert urls[url]["kind"] == "refused" and urls[url]["reason_code"] == "off_scope", url


def test_a_feed_entry_that_is_no_url_is_refused_alone(hostile):
    # Before: canonical_url raised on the first of them and the feed's other URLs were lost,
    # every run (each route's own test then fails too).
    urls = hostile["runs"]["first"][0]
    for entry in BAD_ENTRIES:
        assert urls[entry]["kind"] == "refused" and urls[entry]["reason_code"] == "bad_url", urls.get(entry)
        assert "no URL parser takes it" in urls[entry]["reason"]


def test_a_page_with_a_character_cut_in_two_is_stored_as_the_utf8_it_is(hostile):
    site, db = hostile["site"], hostile["db"]
    (row,) = query(db, "SELECT a.text FROM articles a JOIN urls u ON u.article_id = a.id WHERE u.url = ?",
                   site.url("/a/cut-character"))
    text = row["text"]
    assert "市は7日" in text and "\ufffd" not in text  # the cut teaser is not in the article; its text intact


def test_final_states_are_not_fetched_again(hostile):
    second = {r.path for r in hostile["runs"]["second"][1]}
    for path in ("/a/ok", "/a/410", "/a/listing", "/a/moved", "/a/moved-target", "/a/deep", "/a/to-other-host",
                 "/a/to-file", "/private/secret"):
        assert path not in second, path
    for path in ("/a/empty-heals", "/a/hang", "/a/404", "/a/500", "/a/pdf"):
        assert path in second, path


def test_no_article_is_lost_or_stored_twice(hostile):
    db = hostile["db"]
    articles = query(db, "SELECT id, content_hash FROM articles")
    assert len({a["content_hash"] for a in articles}) == len(articles)
    stored = query(db, "SELECT DISTINCT article_id FROM urls WHERE kind = 'article'")
    assert {r["article_id"] for r in stored} == {a["id"] for a in articles}
    # Every article page has its raw page, and every fetched page ended in a verdict.
    assert query(db, "SELECT count(*) AS n FROM urls WHERE kind = 'fetched'")[0]["n"] == 0
    assert query(db, "SELECT count(*) AS n FROM articles WHERE id NOT IN (SELECT article_id FROM pages "
                     "WHERE article_id IS NOT NULL)")[0]["n"] == 0


def test_robots_txt_as_rfc_9309_says(hostile):
    db = hostile["db"]
    first = query(db, "SELECT * FROM discovery WHERE outlet = 'robots5xx' AND run_id = 1")
    assert [r["ok"] for r in first] == [0] and "answered HTTP 503" in first[0]["reason"]
    robots5xx_log = hostile["runs"]["first"][2]
    assert {r.path for r in robots5xx_log} == {"/robots.txt"}  # nothing but robots.txt was fetched
    health = query(db, "SELECT * FROM health_log WHERE outlet = 'robots5xx' ORDER BY id")
    assert health[0]["status"] == "failing" and "robots" in health[0]["reasons"]
    # Next run, robots.txt answers: its article is fetched and stored. Every site's feed lists the
    # same BAD_ENTRIES; their rows go to whichever outlet read its feed first (by timing).
    own = "SELECT kind FROM urls WHERE outlet = ? AND reason_code IS NOT 'bad_url'"
    assert query(db, own, "robots5xx") == [{"kind": "article"}]
    assert health[-1]["status"] == "ok"
    # robots.txt 404 allows everything.
    assert query(db, own, "robots4xx") == [{"kind": "article"}]
    # A disallowed URL stays refused until robots.txt changes, then it is fetched.
    third = hostile["runs"]["third"][0][hostile["site"].url("/private/secret")]
    assert third["kind"] == "article" and third["attempts"] == 1


def test_failures_of_the_servers_inside_the_stops_grace_are_recorded_as_theirs(hostile):
    # Retried, each went out again after the signal and was stopped: the article left pending as never fetched, the
    # feed and the next page that failed unsaid, the robots.txt that answered 503 "not read: the crawl was stopped",
    # and the outlets' health heard of none. (A download the stop cuts short stays pending: test_crawl_e2e.)
    # A failure before the retries a run gives is no attempt: counted, one try in the grace was the run's and gave the
    # article up ("gave up after 1 attempt"; after two runs' failures, NEWSMON_MAX_ATTEMPTS=3, not asked again for
    # 6 h), and the 503's Retry-After the stop did not wait out was lost.
    stopped = hostile["runs"]["stopped"]
    site, robots, db = stopped["site"], stopped["robots"], stopped["db"]
    assert stopped["status"] == 143 and "Traceback" not in stopped["err"], stopped["err"][-3000:]
    urls = stopped["urls"]
    said = {path: (urls[site.url(path)]["kind"], urls[site.url(path)]["reason_code"], urls[site.url(path)]["attempts"])
            for path in ("/a/late-500", "/a/late-reset", "/a/late-503", "/a/long", "/a/long/2")}
    assert said == {"/a/late-500": ("error", "http_500", 0), "/a/late-reset": ("error", "connection_lost", 0),
                    "/a/late-503": ("error", "http_503", 0), "/a/long": ("article", "stored", 1),
                    "/a/long/2": ("article", "page_missing", 1)}
    assert "stopped before it could try again: not counted as an attempt, 0 of 1 so far; tried again next run" in urls[
        site.url("/a/late-500")]["reason"]
    assert urls[site.url("/a/late-503")]["retry_at"] is not None  # Retry-After: 3, kept for the next run
    assert f"page 2 ({site.url('/a/long/2')}) could not be read (the connection was lost" in urls[
        site.url("/a/long")]["reason"]
    feeds = {r["url"]: r for r in query(db, "SELECT url, http_status, ok, reason FROM discovery")}
    assert (feeds[site.url("/feed-late.xml")]["http_status"], feeds[site.url("/feed-late.xml")]["ok"]) == (500, 0)
    assert "answered HTTP 503" in feeds[robots.url("/feed.xml")]["reason"]
    assert query(db, "SELECT http_status FROM robots WHERE netloc = ?", robots.url("")[7:]) == [{"http_status": 503}]
    runs = {r["outlet"]: r for r in query(db, "SELECT * FROM outlet_runs")}
    assert {key: (runs[key]["errors"], runs[key]["discovery_failed"], runs[key]["robots_unavailable"])
            for key in runs} == {"grace": (4, 1, 0), "robots": (0, 1, 1)}


def test_broken_feeds_are_recorded_and_named_in_health_and_status(hostile):
    db, site = hostile["db"], hostile["site"]
    rows = {r["url"]: r for r in query(db, "SELECT * FROM discovery WHERE run_id = 2 AND outlet = 'hostile'")}
    assert rows[site.url("/feed-empty.xml")]["ok"] == 0 and "empty body" in rows[site.url("/feed-empty.xml")]["reason"]
    assert "HTML page" in rows[site.url("/feed-html.xml")]["reason"]
    assert "invalid XML" in rows[site.url("/feed-invalid.xml")]["reason"]
    assert rows[site.url("/feed.xml")]["ok"] == 1 and rows[site.url("/feed.xml")]["article_urls"] == len(site.expect)
    # A 304 to a request that named no copy is no "not modified": the feed was never read. Taken
    # for one, it read "ok" every run; its ETag kept, every later request named a copy never read.
    unasked = rows[site.url("/feed-304.xml")]
    assert (unasked["ok"], unasked["http_status"]) == (0, 304) and "named no copy" in unasked["reason"]
    assert [r.conditional for r in site.requests("/feed-304.xml")] == [False] * 3
    assert rows[site.url("/feed-escape.xml")]["refused"] == 4
    # A bare & and an HTML entity: read whole, not broken, and its article stored under its URL;
    # an item's Atom link is its URL, and an item without any is said.
    loose = rows[site.url("/feed-loose.xml")]
    assert (loose["ok"], loose["reason"], loose["article_urls"]) == \
        (1, "3 of its 5 entries give no URL (no link, no permalink guid)", 2)
    for path in ("/a/loose?g=pol&k=11", "/a/atomlink"):
        stored = hostile["runs"]["first"][0][site.url(path)]
        assert stored["kind"] == "article", stored
    # A retired feed answering the front page stays broken, named with the feed it advertises,
    # which is read in its place: the article only that one lists is not lost meanwhile.
    retired = rows[site.url("/feed-retired.xml")]
    assert retired["ok"] == 0 and retired["reason"] == (
        f"{discovery.HTML_PAGE}; it advertises the feeds {site.url('/feed-new.xml')}, {site.url('/feed.xml')}: "
        f"{site.url('/feed-new.xml')} read in its place this run (name it among the outlet's feeds)")
    assert rows[site.url("/feed-new.xml")]["ok"] == 1 and rows[site.url("/feed-new.xml")]["article_urls"] == 1
    assert hostile["runs"]["first"][0][site.url("/a/only-new")]["kind"] == "article"
    assert len(site.requests("/feed.xml")) == 3  # once a run: not again for being advertised
    health = query(db, "SELECT * FROM health WHERE outlet = 'hostile'")[0]
    assert site.url("/feed-html.xml") in health["problems"]
    assert site.url("/feed-304.xml") in health["problems"]
    # More items without a URL than with one: said in health, though the feed reads "ok".
    assert loose["unlinked"] == 3 and f"{site.url('/feed-loose.xml')} (3 of its 5 entries)" in health["problems"]
    # What the URLs came to is in the health view too: the losses are seen where health is.
    assert health["urls_gave_up"] >= 10 and json.loads(health["last_run_urls"]) == {"article": 1}  # run 3
    status = hostile["status"]
    assert status.returncode in (0, 1) and "Traceback" not in status.stderr
    assert site.url("/feed-empty.xml") in status.stdout
    # Per-state counts of the outlet's last run.
    line = next(ln for ln in status.stdout.splitlines() if "urls of run 2" in ln)
    states = json.loads(query(db, "SELECT url_states FROM outlet_runs WHERE run_id = 2 AND outlet = 'hostile'")[0]
                        ["url_states"])
    assert states["gave_up"] >= 10 and states["gone"] == 3  # the 404 and the two sent on to a section
    assert f"{states['gave_up']} gave_up" in line and "3 gone" in line


def test_walls_are_blocked_never_stored_and_the_outlet_says_so(hostile):
    db, walled, codes = hostile["db"], hostile["walled"], hostile["wall_codes"]
    first, second = (hostile["runs"][n][0] for n in ("first", "second"))
    blocked_first = []
    for path, code in codes.items():
        row = first[walled.url(path)]
        if row["kind"] == "pending":  # held back: the outlet had walled us off three times in a row
            assert row["reason_code"] == "postponed" and "walls in a row" in row["reason"]
        else:
            assert (row["kind"], row["reason_code"]) == ("blocked", code), row
            assert row["retry_at"] > row["last_seen_at"] and "tried again after" in row["reason"]
            blocked_first.append(path)
        # By the second crawl every wall is blocked with its reason; none was stored.
        assert (second[walled.url(path)]["kind"], second[walled.url(path)]["reason_code"]) == ("blocked", code)
    assert len(blocked_first) >= 3
    # Blocked URLs wait (an hour here): the second crawl did not ask for them again.
    asked_again = {r.path for r in hostile["walled_logs"][1]}
    assert not asked_again & set(blocked_first)
    # The redirect to the consent page and the login page was never followed.
    assert not {r.path for r in hostile["walled_logs"][0] + hostile["walled_logs"][1]} & {"/consent/", "/login"}
    stored = query(db, "SELECT count(*) AS n FROM urls WHERE outlet = 'walled' AND kind = 'article'")[0]["n"]
    assert stored == 1  # /a/ok only
    log = query(db, "SELECT status, reasons FROM health_log WHERE outlet = 'walled' ORDER BY id")
    assert log[0]["status"] == "blocked" and "were walls" in log[0]["reasons"]


def test_an_outlet_that_walls_us_off_is_not_asked_for_every_article(tmp_path):
    """Three walls in a row hold back the outlet's other article requests until the next run.

    Requests already handed to the downloader (at most CONCURRENT_REQUESTS) still go out; the
    rest wait, pending, and are never sent this run.
    """
    site, db = crawl_walls_only(tmp_path, 900, lambda walls: {f"/a/c{n}": walls["/a/wall-challenge"].answer
                                                              for n in range(20)},
                                "CONCURRENT_REQUESTS=4")
    # The site's feed also lists BAD_ENTRIES, refused as no URLs (test_a_feed_entry_that_is_no_url...).
    rows = query(db, "SELECT url, kind, reason_code, reason FROM urls WHERE reason_code IS NOT 'bad_url'")
    blocked = [r for r in rows if r["kind"] == "blocked"]
    held = [r for r in rows if r["kind"] == "pending"]
    assert len(rows) == 20 and len(blocked) + len(held) == 20
    assert 3 <= len(blocked) <= 3 + 4 + 1 and all(r["reason_code"] == "wall_challenge" for r in blocked)
    assert all(r["reason_code"] == "postponed" and "3 walls in a row" in r["reason"] for r in held)
    asked = {site.url(r.path) for r in site.requests() if r.path.startswith("/a/")}
    assert asked == {r["url"] for r in blocked}  # the held-back ones were never requested


def test_articles_behind_a_login_in_a_row_hold_back_none_of_the_outlets_others(tmp_path):
    # Members' articles one after the other (each sent to the login page) held back the outlet's
    # free articles, as a bot challenge does: a login is one article's gate, not a wall against
    # newsmon.
    _, db = crawl_walls_only(tmp_path, 901, lambda walls: {
        f"/a/m{n}": redirect(lambda s, n=n: f"/login?next=%2Fa%2Fm{n}", 302) for n in range(8)}, "CONCURRENT_REQUESTS=1")
    rows = query(db, "SELECT url, kind, reason_code FROM urls WHERE reason_code IS NOT 'bad_url'")
    assert len(rows) == 8 and {(r["kind"], r["reason_code"]) for r in rows} == {("blocked", "wall_login")}, rows


def test_new_articles_all_sent_on_to_one_page_are_named_so_in_health_not_only_as_take_downs(tmp_path):
    # Each URL's reason says "taken down, or moved; widen article_url_pattern"; told of a run
    # whose every article went to one page (a front page that reads as no wall), health names it.
    menu = ("<html><head><meta charset='utf-8'><title>毎朝新聞</title></head><body><nav><a href='/'>ホーム</a>"
            "<a href='/news/'>ニュース</a></nav><ul>" + "".join(f"<li><a href='/x/{n}'>見出し{n}</a></li>"
                                                          for n in range(30)) + "</ul></body></html>").encode()
    _, db = crawl_walls_only(tmp_path, 905, lambda walls: {
        **{f"/a/moved{n}": redirect(lambda s, n=n: f"/top/?from=moved{n}", 302) for n in range(4)},
        "/top/": lambda h, s: _send(h, 200, menu)})
    rows = query(db, "SELECT kind, reason_code, redirected_to FROM urls WHERE url LIKE '%/a/moved%'")
    assert len(rows) == 4 and {(r["kind"], r["reason_code"]) for r in rows} == {("error", "redirected_away")}, rows
    [row] = query(db, "SELECT status, problems FROM health WHERE outlet = 'walls'")
    assert row["status"] == "failing", row
    assert "4 article URLs first fetched in the run were redirected to one page, http://127.0.0.1:" in (
        row["problems"]), row
    assert "/top/: a login, consent or bot page" in row["problems"], row


def test_walls_found_by_reading_the_page_count_once_against_the_runs_pages(tmp_path):
    # Blank shells a bot wall serves (an empty document, found by reading the page) were counted as pages and as
    # walls: 4 of 6 article pages were "4 of the 10 pages", under half, and the outlet read "degraded: no
    # article", where 4 challenges known by their headers blocked it.
    shell = ("<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>ニュース</title></head><body>"
             "<noscript>JavaScriptを有効にしてください。</noscript><div id='root'></div></body></html>").encode()
    _, db = crawl_walls_only(tmp_path, 907, lambda walls: {
        **{f"/a/shell{n}": (lambda h, s: _send(h, 200, shell)) for n in range(4)},
        "/a/fine1": good(1), "/a/fine2": good(2)})
    kinds = query(db, "SELECT kind, count(*) AS n FROM urls WHERE url LIKE '%/a/%' AND reason_code IS NOT 'bad_url' "
                  "GROUP BY kind ORDER BY kind")
    assert [(k["kind"], k["n"]) for k in kinds] == [("article", 2), ("blocked", 4)], kinds
    [row] = query(db, "SELECT status, problems FROM health WHERE outlet = 'walls'")
    assert row["status"] == "blocked", row
    assert "4 of the 6 pages of its last run were walls" in row["problems"], row


def test_articles_redirected_off_the_outlets_domains_fail_it_and_are_fetched_once_their_host_is_added(tmp_path):
    # Refused by the outlet's scope, never an error: every article of a run sent to another host
    # (the host its articles moved to, a login's) read "ok", and stayed refused for good after the
    # host was added to its domains.
    site = Site(tmp_path, full=False, seed=906)
    del site.expect["/a/ok"], site.cases["/a/ok"]
    for n in range(4):
        site.cases[f"/a/m{n}"] = Case(f"/a/m{n}", redirect(lambda s, n=n: f"http://localhost:{s.port}/a/new/m{n}", 302))
        site.expect[f"/a/m{n}"] = {}  # listed by its feed
        site.cases[f"/a/new/m{n}"] = Case(f"/a/new/m{n}", good(60 + n))
    # Sent to the front page (taken down), then to an ftp: address: the first redirect's target,
    # in scope, was kept as where it led, and the URL readmitted and fetched at every run.
    answers = iter([redirect(lambda s: "/top/", 302), *[redirect(lambda s: "ftp://files.example.jp/y", 301)] * 5])
    site.cases["/a/y"] = Case("/a/y", lambda h, s: next(answers)(h, s))
    site.expect["/a/y"] = {}
    site.cases["/top/"] = Case("/top/", good(70))
    site.start()
    config = tmp_path / "c.toml"
    db = tmp_path / "news.db"
    try:
        config.write_text(site.toml("moved"), encoding="utf-8")
        crawl(db, config, ["moved"])
        rows = query(db, "SELECT kind, reason_code, redirected_to FROM urls WHERE url LIKE '%/a/m%' ORDER BY url")
        assert [(r["kind"], r["reason_code"]) for r in rows] == [("refused", "redirect_off_scope")] * 4
        assert rows[0]["redirected_to"] == f"http://localhost:{site.port}/a/new/m0"
        [health] = query(db, "SELECT status, problems FROM health WHERE outlet = 'moved'")
        assert health["status"] == "failing" and health["problems"].startswith(
            "4 of its article URLs over its last run were redirected off its domains (1 fetched), 4 of them to "
            f"localhost (e.g. {site.url('/a/m0')} → http://localhost:{site.port}/a/new/m0)"), health
        assert not site.requests("/a/new/m0")
        # A run that brings nothing new reads "ok" no more: nothing came in since.
        crawl(db, config, ["moved"])
        assert query(db, "SELECT status FROM health WHERE outlet = 'moved'") == [{"status": "failing"}]
        assert query(db, "SELECT kind, redirected_to FROM urls WHERE url LIKE '%/a/y'") == [
            {"kind": "refused", "redirected_to": "ftp://files.example.jp/y"}]
        # The host added, as health advised: each is fetched, and stored.
        config.write_text(site.toml("moved").replace('domains = ["127.0.0.1"]', 'domains = ["127.0.0.1", "localhost"]'),
                          encoding="utf-8")
        crawl(db, config, ["moved"])
        crawl(db, config, ["moved"])
    finally:
        site.stop()
    rows = query(db, "SELECT kind FROM urls WHERE url LIKE '%/a/m%'")
    assert [r["kind"] for r in rows] == ["article"] * 4, rows
    assert query(db, "SELECT count(*) AS n FROM articles") == [{"n": 4}]
    assert query(db, "SELECT status FROM health WHERE outlet = 'moved'") == [{"status": "ok"}]
    assert len(site.requests("/a/y")) == 2  # the front page's, then ftp's; never readmitted


def test_an_article_sent_on_to_a_members_page_that_asks_a_login_in_words_is_behind_a_wall_not_taken_down(tmp_path):
    # The page is at no login path (url_wall), and no article URL of the outlet: it ended
    # redirected_away, then gone, where it is a members' article behind a login.
    page = ("<html><head><meta charset='utf-8'><title>有料会員限定記事｜毎朝新聞</title></head><body><header><nav>"
            "<a href='/'>ホーム</a></nav></header><main><h1>この記事は有料会員限定です</h1><p>続きは有料会員になると"
            "お読みいただけます。ログインしてください。</p><a href='/login'>ログイン</a> <a href='/subscribe'>会員登録</a>"
            "</main></body></html>").encode()
    _, db = crawl_walls_only(tmp_path, 903, lambda walls: {
        "/a/members": redirect(lambda s: "/premium/only.html?return=%2Fa%2Fmembers", 302),
        "/premium/only.html": lambda h, s: _send(h, 200, page)})
    [row] = query(db, "SELECT kind, reason_code, reason, redirected_to FROM urls WHERE url LIKE '%/a/members'")
    assert (row["kind"], row["reason_code"]) == ("blocked", "wall_login"), row
    # Where the wall stood: the reason and the row said nothing of the redirect.
    assert row["redirected_to"].endswith("/premium/only.html?return=%2Fa%2Fmembers")
    assert f"(at {row['redirected_to']}, where the article's URL was sent on)" in row["reason"]


def test_a_login_page_in_shift_jis_or_euc_jp_is_a_login_wall(tmp_path):
    # Its title read as UTF-8 was mojibake: the member's article was `wall_empty`, a page with
    # almost no text, with nothing saying that a login stood in the way or what opens it.
    def login(codec: str, http: bool):
        label = {"cp932": "Shift_JIS", "euc-jp": "EUC-JP"}[codec]
        meta = "" if http else f"<meta charset='{label}'>"
        body = (f"<html><head>{meta}<title>会員ログイン｜毎朝新聞</title></head><body><h1>ログイン</h1>"
                "<form action='/login' method='post'><input type='email' name='id'><input type='password' name='pw'>"
                "<button>ログインする</button></form></body></html>").encode(codec)
        headers = {"Content-Type": f"text/html; charset={label}" if http else "text/html"}
        return lambda h, s: _send(h, 200, body, headers)

    # A consent page in EUC-JP whose charset only its header names, which no guess reads right (big5):
    # the crawl kept no Content-Type among the headers wall detection reads.
    consent = "<html><head><title>同意</title></head><body><form><button>OK</button></form></body></html>".encode("euc-jp")
    _, db = crawl_walls_only(tmp_path, 902, lambda walls: {
        "/a/sjis": login("cp932", True), "/a/euc": login("euc-jp", False),
        "/a/agree": lambda h, s: _send(h, 200, consent, {"Content-Type": "text/html; charset=EUC-JP"})})
    rows = {r["url"].rsplit("/", 1)[1]: r for r in
            query(db, "SELECT url, kind, reason_code, reason FROM urls WHERE reason_code IS NOT 'bad_url'")}
    assert {k: (r["kind"], r["reason_code"]) for k, r in rows.items()} == {
        "sjis": ("blocked", "wall_login"), "euc": ("blocked", "wall_login"), "agree": ("blocked", "wall_consent")}, rows
    assert all("会員ログイン" in rows[k]["reason"] for k in ("sjis", "euc")) and "'同意'" in rows["agree"]["reason"]


def test_articles_sent_on_to_a_login_page_no_address_rule_knew_are_behind_a_login_not_taken_down(tmp_path):
    # Rails' /users/sign_in, titled by the site's name, was an empty shell (a bot wall, three in a row holding back
    # the outlet's others); a login page in the site's template at /member/, no small page, an article "taken down,
    # or moved", then gone. Neither said that a login stood in the way, nor what opens it.
    sign_in = ("<html><head><meta charset='utf-8'><title>毎朝新聞</title></head><body><form action='/users/sign_in' "
               "method='post'><input type='email' name='user[email]'><input type='password' name='user[password]'>"
               "<button>送信</button></form></body></html>").encode()
    menu = "".join(f"<li><a href='/sec/{n}'>セクション{n}の最新ニュース一覧</a></li>" for n in range(40))
    member = ("<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>ログイン | 毎朝新聞</title></head><body>"
              f"<header><nav><ul>{menu}</ul></nav></header><main><h1>ログイン</h1><form method=post action=/member/>"
              "<input type=email name=id><input type=password name=pw><button>ログインする</button></form></main>"
              "<footer><p>記事・写真・図表などの無断転載を禁じます。</p></footer></body></html>").encode()
    _, db = crawl_walls_only(tmp_path, 909, lambda walls: {
        "/a/devise": redirect(lambda s: "/users/sign_in?return_to=%2Fa%2Fdevise", 302),
        "/users/sign_in": lambda h, s: _send(h, 200, sign_in),
        "/a/members": redirect(lambda s: "/member/?return=%2Fa%2Fmembers", 302),
        "/member/": lambda h, s: _send(h, 200, member)})
    rows = {r["url"].rsplit("/", 1)[1]: r for r in query(
        db, "SELECT url, kind, reason_code, reason, redirected_to FROM urls WHERE url LIKE '%/a/%' "
            "AND reason_code IS NOT 'bad_url'")}
    assert {k: (r["kind"], r["reason_code"]) for k, r in rows.items()} == {
        "devise": ("blocked", "wall_login"), "members": ("blocked", "wall_login")}, rows
    assert all("`cookies`" in r["reason"] for r in rows.values())
    assert f"(at {rows['members']['redirected_to']}, where the article's URL was sent on)" in rows["members"]["reason"]


def test_articles_sent_on_to_a_page_with_the_sites_login_drop_down_are_taken_down_or_stored_not_walled(tmp_path):
    # The login drop-down every page of the site carries in its header (minified, hidden until clicked) made a
    # login page of any page titled with a login word: an article taken down and sent to the top page, or moved
    # to an address the URL pattern does not take, was a members' article behind a login ("put your session cookie
    # in `cookies`"), tried again for ever; moved to one it takes, a short article about a login bonus was never
    # stored. A login page in the same template, its form its content, is still one.
    from .test_walls import HEADER_LOGIN, RANKING, _site_page

    def page(body: bytes) -> Callable:
        return lambda h, s: _send(h, 200, body)

    def story(n: int, title: str) -> bytes:
        return article_html(n, title).replace('<header><nav><a href="/">トップ</a></nav></header>', HEADER_LOGIN).encode()

    login = _site_page("ログイン | 毎朝新聞", "<h1>ログイン</h1><form method=post><input type=email name=id>"
                       "<input type=password name=pw><button>ログインする</button></form>" + RANKING)
    _, db = crawl_walls_only(tmp_path, 911, lambda walls: {
        "/a/taken-down": redirect(lambda s: "/", 301),
        "/a/bonus": redirect(lambda s: "/games/2026/bonus.html", 301),
        "/a/old": redirect(lambda s: "/a/new/bonus", 301),
        "/a/members": redirect(lambda s: "/member/?return=%2Fa%2Fmembers", 302)}, unlisted={
        "/": page(_site_page("毎朝新聞デジタル｜ニュース速報・会員ログイン", RANKING)),
        "/games/2026/bonus.html": page(story(3, "人気ゲーム、ログインボーナスを拡充 利用者つなぎ止め")),
        "/a/new/bonus": page(story(4, "ゲーム各社、ログインボーナス競争が過熱")),
        "/member/": page(login)})
    rows = {r["url"].split("/", 3)[3]: r for r in query(
        db, "SELECT url, kind, reason_code, reason FROM urls WHERE reason_code IS NOT 'bad_url'")}
    assert {k: (r["kind"], r["reason_code"]) for k, r in rows.items()} == {
        "a/taken-down": ("error", "redirected_away"), "a/bonus": ("error", "redirected_away"),
        "a/old": ("article", "stored"), "a/new/bonus": ("article", "stored"),
        "a/members": ("blocked", "wall_login")}, rows
    assert "`cookies`" not in rows["a/taken-down"]["reason"] + rows["a/bonus"]["reason"]


def test_short_stories_quoting_f5s_block_page_or_at_a_login_bonus_address_are_stored(tmp_path):
    # F5's markers counted on any small page at 200: a brief on an attack quoting the page a reader met, a desk's
    # "Your support ID is" were bot challenges, never stored (three in a row held the outlet's others back); and an
    # article at /a/games/login_bonus.html was a login wall by its address alone. F5's own page is a challenge still.
    def story(n: int, title: str, line: str) -> Callable:
        body = article_html(n, title).replace("</h1>", f"</h1><p>{line}</p>").encode()
        return lambda h, s: _send(h, 200, body)

    _, db = crawl_walls_only(tmp_path, 912, lambda walls: {
        "/a/attack": story(1, "県のサイト閲覧できず サイバー攻撃か",
                           "県のサイトにアクセスすると「The requested URL was rejected. Please consult with your "
                           "administrator.」と表示される。"),
        "/a/desk": story(2, "市役所にIT相談窓口", "英語の画面では「Your support ID is」に続く番号が示される。"),
        "/a/games/login_bonus.html": good(3), "/a/f5": walls["/a/wall-f5"].answer})
    rows = {r["url"].split("/", 3)[3]: (r["kind"], r["reason_code"]) for r in query(
        db, "SELECT url, kind, reason_code FROM urls WHERE reason_code IS NOT 'bad_url'")}
    assert rows == {"a/attack": ("article", "stored"), "a/desk": ("article", "stored"),
                    "a/games/login_bonus.html": ("article", "stored"), "a/f5": ("blocked", "wall_challenge")}, rows


def test_an_outlet_that_refuses_the_crawls_region_is_walled_off_and_says_where_the_wall_is(tmp_path):
    # A region's block stands before every article of the outlet, as a bot challenge does: after 3
    # in a row the rest wait for the next run. Before, each page was an "empty shell" (the 200s) or
    # an HTTP error (the 451s), and nothing said that the machine's location was the wall.
    page = ("<html><head><meta charset='utf-8'><title>Yahoo! JAPAN</title></head><body><p>Yahoo! JAPANは、欧州経済領域"
            "（EEA）およびイギリスからご利用いただけなくなりました。</p></body></html>").encode()
    html = {"Content-Type": "text/html; charset=utf-8"}
    site, db = crawl_walls_only(tmp_path, 903, lambda walls: {
        f"/a/r{n}": (lambda h, s: _send(h, 200, page, html)) if n % 2 else (lambda h, s: _send(h, 451, page, html))
        for n in range(10)}, "CONCURRENT_REQUESTS=1")
    rows = query(db, "SELECT url, kind, reason_code, reason FROM urls WHERE reason_code IS NOT 'bad_url'")
    blocked = [r for r in rows if r["kind"] == "blocked"]
    held = [r for r in rows if r["kind"] == "pending"]
    assert len(rows) == 10 and len(blocked) + len(held) == 10
    # The 200s are walls once extracted, in the workers: how many more went out by then varies.
    assert len(blocked) >= 3 and {r["reason_code"] for r in blocked} == {"wall_geo"}, blocked
    assert all("欧州経済領域" in r["reason"] and "`https_proxy`" in r["reason"] for r in blocked)
    assert all(r["reason_code"] == "postponed" and "walls in a row" in r["reason"] for r in held)


def test_a_feed_and_a_section_that_refuse_the_crawls_region_say_so(tmp_path):
    # Before: the feed "not a feed: an HTML page", the section a page listing no article URL, the
    # outlet broken, with nothing naming the machine's location as the cause.
    site = Site(tmp_path, full=False, seed=904)
    page = ("<html><head><meta charset='utf-8'><title>Yahoo! JAPAN</title></head><body><p>Yahoo! JAPANは、欧州経済領域"
            "（EEA）およびイギリスからご利用いただけなくなりました。</p><p><a href='/help'>詳しくはこちら</a></p></body>"
            "</html>").encode()
    for path in ("/region-feed.xml", "/region-section/"):
        site.cases[path] = Case(path, lambda h, s: _send(h, 200, page, {"Content-Type": "text/html; charset=utf-8"}))
    site.start()
    config = tmp_path / "c.toml"
    config.write_text(f'[outlets.region]\nname = "Region"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\n'
                      f'feeds = ["{site.url("/region-feed.xml")}"]\nstart_urls = ["{site.url("/region-section/")}"]\n'
                      f'article_url_pattern = "^/a/"\n', encoding="utf-8")
    db = tmp_path / "news.db"
    try:
        crawl(db, config, ["region"])
    finally:
        site.stop()
    rows = query(db, "SELECT url, ok, reason FROM discovery WHERE outlet = 'region'")
    assert len(rows) == 2 and not any(r["ok"] for r in rows), rows
    assert all(r["reason"].startswith("a region block: the page reads 「Yahoo! JAPANは、欧州経済領域") and "`https_proxy`"
               in r["reason"] for r in rows), rows
    health = query(db, "SELECT * FROM health WHERE outlet = 'region'")[0]
    # Nothing read is what fails first (as for a bot challenge on every feed); the wall is named.
    assert health["status"] == "failing" and "were walls" in health["problems"] \
        and "region block" in health["problems"], health


def crawl_walls_only(tmp_path, seed: int, answers: Callable[[dict[str, Case]], dict[str, Callable]], *settings: str,
                     unlisted: dict[str, Callable] | None = None):
    """Crawl, one request at a time per domain, an outlet whose only articles are ``answers(walls)``
    (path: how it answers), given the site's wall cases by path, and which serves ``unlisted`` too (pages its
    redirects lead to, in no feed); return the site and the database."""
    site = Site(tmp_path, full=False, seed=seed)
    del site.expect["/a/ok"], site.cases["/a/ok"]
    walls = {path: site.cases.pop(path) for path in site.add_walls()}
    for path in walls:
        del site.expect[path]
    for path, answer in answers(walls).items():
        site.cases[path], site.expect[path] = Case(path, answer), {}
    for path, answer in (unlisted or {}).items():
        site.cases[path] = Case(path, answer)
    site.start()
    config = tmp_path / "c.toml"
    config.write_text(site.toml("walls"), encoding="utf-8")
    db = tmp_path / "news.db"
    try:
        crawl(db, config, ["walls"], "CONCURRENT_REQUESTS_PER_DOMAIN=1", *settings)
    finally:
        site.stop()
    return site, db


def test_an_article_listed_only_as_its_amp_copy_is_read_from_there_under_its_canonical_url(tmp_path):
    # The crawl asks for an AMP copy under its key (urls.canonical_url drops /amp, .amp), which a
    # site serving the copy alone answers 404: the URL ended gone, its reason "HTTP 404" naming
    # no address the feed gave, and the article was lost.
    site, db = crawl_walls_only(tmp_path, 915, lambda walls: {
        "/a/amp1/amp": good(1), "/a/amp2.amp.html": good(2),
        "/a/gone/amp": lambda h, s: _send(h, 404, b"<h1>Not Found</h1>"),
        "/a/both/amp": good(3), "/a/both": good(4)})
    urls = {r["url"]: r for r in query(db, "SELECT url, kind, reason_code, reason, article_id FROM urls "
                                           "WHERE url LIKE '%/a/%' AND reason_code IS NOT 'bad_url'")}
    assert sorted(urls) == sorted(site.url(p) for p in ("/a/amp1", "/a/amp2.html", "/a/gone", "/a/both")), urls
    for key, listed in (("/a/amp1", "/a/amp1/amp"), ("/a/amp2.html", "/a/amp2.amp.html")):
        row = urls[site.url(key)]
        assert row["kind"] == "article", row
        assert f"read from the AMP copy it was listed as, {site.url(listed)} ({site.url(key)} answered HTTP 404)" \
            in row["reason"], row
    stored = query(db, "SELECT url FROM articles ORDER BY url")
    assert [r["url"] for r in stored] == sorted(site.url(p) for p in ("/a/amp1", "/a/amp2.html", "/a/both"))
    # Both gone: said of both addresses, tried again as a 404 is.
    gone = urls[site.url("/a/gone")]
    assert (gone["kind"], gone["reason_code"]) == ("error", "http_404"), gone
    assert f"{site.url('/a/gone')} answered HTTP 404, and the AMP copy it was listed as, " \
           f"{site.url('/a/gone/amp')}, failed too: HTTP 404" in gone["reason"], gone
    # Its own address answers: the copy is never asked for.
    assert site.requests("/a/both/amp") == [] and len(site.requests("/a/both")) == 1


def test_the_amp_copy_an_article_was_listed_as_is_asked_for_after_the_feed_rolled_past_it(tmp_path):
    # The copy was known only to the run that read the feed: once the feed no longer listed it, an
    # article read from it was marked removed by its first revisit (its own address still 404, the
    # copy still served), and one whose copy failed through a run was asked for at its own address
    # alone, then gone.
    from datetime import UTC, datetime

    from crawler.testsite import LoopbackSite

    from .test_article_notices import BUS, _revisit_now, story
    from .test_crawl_e2e import crawl as crawl_site
    from .test_crawl_e2e import rows, site_env

    now = datetime.now(UTC).replace(microsecond=0)
    with LoopbackSite([]) as site:
        env = site_env(site, tmp_path)
        for n in (7, 8, 9):
            site.publish_html(f"/site/a/{n}/amp", story(f"市営バス再編案 第{n}報", BUS, now), title=f"第{n}報",
                              published=now, channels=["feed"])
        site.fail("/site/a/8/amp", 503)  # through the run's own retries
        assert crawl_site(env).returncode == 0
        assert [r["url"] for r in rows(env, "SELECT url FROM articles ORDER BY url")] == [
            site.url("/site/a/7"), site.url("/site/a/9")]
        for n in (7, 8, 9):
            site.unlist(f"/site/a/{n}/amp")
        site.remove_fault("/site/a/8/amp")
        site.answer("/site/a/9/amp", 404, b"<h1>Not Found</h1>")  # taken down: both addresses answer 404
        _revisit_now(env)
        site.clear_log()
        assert crawl_site(env).returncode == 0
        asked = [r.path for r in site.article_requests()]
        assert all(asked.count(f"/site/a/{n}/amp") == 1 for n in (7, 8, 9)), asked
        articles = {r["url"]: r for r in rows(env, "SELECT a.url, a.removed, u.kind, u.reason FROM articles a "
                                                   "JOIN urls u ON u.url = a.url")}
        assert sorted(articles) == [site.url(f"/site/a/{n}") for n in (7, 8, 9)]
        read = articles[site.url("/site/a/7")]
        assert read["removed"] is None, read
        assert read["reason"].endswith(f": unchanged (read from the AMP copy it was listed as, "
                                       f"{site.url('/site/a/7/amp')} ({site.url('/site/a/7')} answered HTTP 404))")
        retried = articles[site.url("/site/a/8")]
        assert retried["kind"] == "article" and "read from the AMP copy" in retried["reason"], retried
        gone = articles[site.url("/site/a/9")]
        assert gone["removed"] and f"the AMP copy it was listed as, {site.url('/site/a/9/amp')}, failed too: " \
            "HTTP 404" in gone["removed"], gone


def test_an_article_read_from_its_own_address_is_removed_when_it_answers_404_or_410_not_read_from_its_copy(tmp_path):
    # Listed as its AMP copy but served at its own address: the copy was kept (m044) and asked for at the
    # revisit after the outlet took the article down, where a cache still served it: the article was
    # "unchanged", never marked removed.
    from datetime import UTC, datetime

    from crawler.testsite import LoopbackSite

    from .test_article_notices import BUS, _revisit_now, story
    from .test_crawl_e2e import crawl as crawl_site
    from .test_crawl_e2e import rows, site_env

    now = datetime.now(UTC).replace(microsecond=0)
    with LoopbackSite([]) as site:
        env = site_env(site, tmp_path)
        for n in (1, 2):
            page = story(f"市営バス再編案 第{n}報", BUS, now)
            site.publish_html(f"/site/a/{n}", page, title=f"第{n}報", published=now, channels=[])
            site.publish_html(f"/site/a/{n}/amp", page, title=f"第{n}報", published=now, channels=["feed"])
        assert crawl_site(env).returncode == 0
        assert [r["url"] for r in rows(env, "SELECT url FROM articles ORDER BY url")] == [
            site.url("/site/a/1"), site.url("/site/a/2")]
        assert crawl_site(env).returncode == 0  # listed again: not kept for an article its own address served
        for n in (1, 2):
            site.unlist(f"/site/a/{n}/amp")
        site.answer("/site/a/1", 404, b"<h1>Not Found</h1>")
        site.answer("/site/a/2", 410, b"<h1>Gone</h1>")
        _revisit_now(env)
        site.clear_log()
        assert crawl_site(env).returncode == 0
        assert [r.path for r in site.article_requests() if r.path.endswith("/amp")] == []
        removed = {r["url"]: r["removed"] for r in rows(env, "SELECT url, removed FROM articles")}
        assert removed == {site.url("/site/a/1"): "its page answers HTTP 404 Not Found",
                           site.url("/site/a/2"): "its page answers HTTP 410 Gone: the site removed the page for good"}


def test_an_article_read_from_its_copy_whose_own_address_answers_304_again_is_removed_at_its_404(tmp_path):
    # Read from its AMP copy while its own address answered 404; the address back, its revisit sent the copy's
    # validators there and was answered 304 (the same page): the copy was kept, and once the feed rolled past it
    # and the article was taken down, its revisit read the copy a cache still served, 'unchanged', never removed.
    from datetime import UTC, datetime

    from crawler.testsite import LoopbackSite

    from .test_article_notices import BUS, _revisit_now, story
    from .test_crawl_e2e import crawl as crawl_site
    from .test_crawl_e2e import rows, site_env

    now = datetime.now(UTC).replace(microsecond=0)
    with LoopbackSite([]) as site:
        env = site_env(site, tmp_path)
        page = story("市営バス再編案", BUS, now)
        site.publish_html("/site/a/1", page, title="再編案", published=now, channels=[])
        site.publish_html("/site/a/1/amp", page, title="再編案", published=now, channels=["feed"])
        site.answer("/site/a/1", 404, b"<h1>Not Found</h1>")
        assert crawl_site(env).returncode == 0
        assert [r["url"] for r in rows(env, "SELECT url FROM articles")] == [site.url("/site/a/1")]
        site.remove_fault("/site/a/1")
        _revisit_now(env)
        site.clear_log()
        assert crawl_site(env).returncode == 0
        assert [(r.path, r.status) for r in site.article_requests()] == [("/site/a/1", 304)]
        site.unlist("/site/a/1/amp")
        site.answer("/site/a/1", 404, b"<h1>Not Found</h1>")
        _revisit_now(env)
        site.clear_log()
        assert crawl_site(env).returncode == 0
        assert [r.path for r in site.article_requests()] == ["/site/a/1"]
        removed = [r["removed"] for r in rows(env, "SELECT removed FROM articles")]
        assert removed == ["its page answers HTTP 404 Not Found"], removed


def test_a_child_sitemap_whose_site_asked_for_hours_is_not_asked_again_before_them_and_its_index_is_read(tmp_path):
    # A child sitemap's long Retry-After held at the next run as a feed's does: its index read
    # again (it was not read whole), its other child and its article as ever, the run finished.
    throttled = Case("/sitemap-busy.xml", lambda h, s: _send(h, 503, b"busy", {"Retry-After": "7200"}))
    site, config = sitemap_index_site(tmp_path, 952, lambda s: "/sitemap-busy.xml", throttled)
    db = tmp_path / "news.db"
    try:
        crawl(db, config, ["maps"])
        asked = len(site.requests("/sitemap-busy.xml"))
        crawl(db, config, ["maps"])
        assert len(site.requests("/sitemap-busy.xml")) == asked >= 1
        assert [r.status for r in site.requests("/sitemap-index.xml")] == [200, 200]
    finally:
        site.stop()
    busy = query(db, "SELECT ok, http_status, retry_at, reason FROM discovery WHERE url LIKE '%/sitemap-busy.xml' "
                     "ORDER BY id")
    assert [(b["ok"], b["http_status"]) for b in busy] == [(0, 503), (0, 503)]
    assert busy[0]["retry_at"] == busy[1]["retry_at"] and "not asked this run: HTTP 503" in busy[1]["reason"]
    assert query(db, "SELECT url, kind FROM urls") == [{"url": site.url("/a/ok"), "kind": "article"}]
    assert [r["finish_reason"] for r in query(db, "SELECT finish_reason FROM crawl_runs ORDER BY id")] == [
        "finished", "finished"]


def test_a_long_retry_after_holds_a_sections_next_page_and_a_feed_two_outlets_list_and_a_short_one_holds_nothing(
        tmp_path):
    # Each held by what the site asked (found by a re-check): a section's next page, asked when the
    # section turned over, was asked at every such run; a feed two outlets list was asked by the
    # second's run two seconds after it asked the first's for an hour; and a feed whose 503 asked
    # for a second, within what a crawl waits, was held past the run when its tries were spent.
    site = Site(tmp_path, full=False, seed=953)
    site.feeds = set()
    listed = iter(range(10))
    site.cases["/news/"] = Case("/news/", lambda h, s: _send(h, 200, (
        f"<html><head><meta charset='utf-8'><title>ニュース</title></head><body><ul><li><a href='/a/s{next(listed)}'>"
        "市の新方針</a></li></ul><a href='/news/2/'>次へ</a></body></html>").encode()))
    site.cases["/news/2/"] = Case("/news/2/", lambda h, s: _send(h, 429, b"slow down", {"Retry-After": "3600"}))
    site.cases["/shared.xml"] = Case("/shared.xml", lambda h, s: _send(h, 429, b"", {"Retry-After": "3600"}))
    site.cases["/busy.xml"] = Case("/busy.xml", lambda h, s: _send(h, 503, b"", {"Retry-After": "1"}))
    for n in range(10):
        site.cases[f"/a/s{n}"] = Case(f"/a/s{n}", good(40 + n))
    site.start()
    config = tmp_path / "c.toml"
    config.write_text("".join(
        f'[outlets.{key}]\nname = "{key}"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\n{docs}\narticle_url_pattern = "^/a/"\n'
        for key, docs in (("sect", f'start_urls = ["{site.url("/news/")}"]'),
                          ("one", f'feeds = ["{site.url("/shared.xml")}", "{site.url("/busy.xml")}"]'),
                          ("two", f'feeds = ["{site.url("/shared.xml")}"]'))), encoding="utf-8")
    db = tmp_path / "news.db"
    try:
        for _ in range(3):
            crawl(db, config, ["sect"])
        crawl(db, config, ["one"])
        crawl(db, config, ["two"])
        asked = {path: len(site.requests(path)) for path in ("/news/", "/news/2/", "/shared.xml", "/busy.xml")}
    finally:
        site.stop()
    # The section read at every run, its next page at the second (the first run had no listing
    # to turn over from), then held; the shared feed asked once; the busy feed tried twice
    # (RETRY_TIMES=1 here).
    assert asked == {"/news/": 3, "/news/2/": 1, "/shared.xml": 1, "/busy.xml": 2}
    held = query(db, "SELECT outlet, url, reason FROM discovery WHERE reason LIKE 'not asked this run%' ORDER BY id")
    assert [(h["outlet"], h["url"]) for h in held] == [("sect", site.url("/news/2/")),
                                                       ("two", site.url("/shared.xml"))]
    [busy] = query(db, "SELECT http_status, retry_at FROM discovery WHERE url = ?", site.url("/busy.xml"))
    assert busy == {"http_status": 503, "retry_at": None}


def sitemap_index_site(tmp_path, seed: int, first: Callable[[Site], str], *cases: Case) -> tuple[Site, Path]:
    """A started site whose outlet's one sitemap is an index of ``first(site)`` and of a sitemap
    listing one article, answering ``cases`` too; the site and the outlet's config."""
    site = Site(tmp_path, full=False, seed=seed)
    site.feeds = set()
    xml = {"Content-Type": "application/xml"}
    site.cases["/sitemap-index.xml"] = Case("/sitemap-index.xml", lambda h, s: _send(h, 200, (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{first(s)}</loc></sitemap><sitemap><loc>/sitemap-1.xml</loc></sitemap>"
        "</sitemapindex>").encode(), xml))
    site.cases["/sitemap-1.xml"] = Case("/sitemap-1.xml", lambda h, s: _send(h, 200, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{s.url('/a/ok')}</loc></url></urlset>").encode(), xml))
    site.cases.update({case.path: case for case in cases})
    site.start()
    config = tmp_path / "c.toml"
    config.write_text(f'[outlets.maps]\nname = "Maps"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\n'
                      f'sitemaps = ["{site.url("/sitemap-index.xml")}"]\narticle_url_pattern = "^/a/"\n',
                      encoding="utf-8")
    return site, config


def test_a_sitemap_only_outlet_whose_one_sitemap_fails_from_its_first_run_fails(tmp_path):
    # Its index read well, the one news sitemap it lists answering 404 from the start: the index was known as one
    # only once its children had all been read well, never here, and "1 of its 2 … failed" kept it degraded.
    site = Site(tmp_path, full=False, seed=908)
    site.feeds = set()
    site.cases["/sitemap-index.xml"] = Case("/sitemap-index.xml", lambda h, s: _send(h, 200, (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>/sitemap-news.xml</loc></sitemap></sitemapindex>").encode(),
        {"Content-Type": "application/xml"}))
    site.cases["/sitemap-news.xml"] = Case("/sitemap-news.xml", lambda h, s: _send(h, 404, b"not found"))
    site.start()
    config = tmp_path / "c.toml"
    config.write_text(f'[outlets.maps]\nname = "Maps"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\n'
                      f'sitemaps = ["{site.url("/sitemap-index.xml")}"]\narticle_url_pattern = "^/a/"\n',
                      encoding="utf-8")
    db = tmp_path / "news.db"
    try:
        crawl(db, config, ["maps"], "NEWSMON_CONDITIONAL_GET=False")
    finally:
        site.stop()
    [row] = query(db, "SELECT status, problems FROM health WHERE outlet = 'maps'")
    assert row["status"] == "failing", row
    assert "none of its 1 feeds, sitemaps and sections could be read (only the sitemap index listing them " \
           "answered" in row["problems"], row


def crawl_sitemap_index(tmp_path, seed: int, first: Callable[[Site], str]):
    """Crawl an outlet whose one sitemap is an index of ``first(site)`` and of a sitemap listing
    one article; return the site, the database and the finished crawl."""
    site, config = sitemap_index_site(tmp_path, seed, first)
    db = tmp_path / "news.db"
    try:
        result = crawl(db, config, ["maps"])
    finally:
        site.stop()
    assert query(db, "SELECT url, kind FROM urls") == [{"url": site.url("/a/ok"), "kind": "article"}]
    return site, db, result


def test_a_sitemap_index_entry_that_is_no_url_costs_only_itself(tmp_path):
    """The index's other sitemaps are read and their articles stored; the bad entry is named in
    the log, and the index itself counts as read."""
    site, db, result = crawl_sitemap_index(tmp_path, 950, lambda s: BAD_ENTRIES[0])
    assert f"lists {BAD_ENTRIES[0]!r}, which is no URL" in result.stderr
    index = query(db, "SELECT ok FROM discovery WHERE url = ?", site.url("/sitemap-index.xml"))
    assert index and all(r["ok"] == 1 for r in index)


def test_a_sitemap_index_whose_child_is_on_another_host_is_broken_and_named(tmp_path):
    """A child sitemap off the outlet's domains (a CDN's host) is not read: its articles would
    never be seen, so the index is broken, named in the outlet's health, not only in the log."""
    site, db, _ = crawl_sitemap_index(tmp_path, 951, lambda s: f"http://localhost:{s.port}/sitemap-2.xml")
    elsewhere = f"http://localhost:{site.port}/sitemap-2.xml"
    [index] = query(db, "SELECT ok, reason FROM discovery WHERE url = ?", site.url("/sitemap-index.xml"))
    assert index["ok"] == 0 and index["reason"] == (
        f"1 of its 2 child sitemaps are off the outlet's domains and not read ({elsewhere}): add their host to the "
        "outlet's domains")
    [health] = query(db, "SELECT status, problems FROM health WHERE outlet = 'maps'")
    assert health["status"] == "degraded" and elsewhere in health["problems"]


# -- killed mid-run ---------------------------------------------------------------------------

KILL_ARTICLES = 200
KILLS = 10


def test_ten_kills_fetch_each_article_about_once_and_store_it_exactly_once(tmp_path):
    """After 10 SIGKILLs, all article requests together stay within 1.3 x the articles."""
    site = Site(tmp_path, full=False)
    del site.expect["/a/ok"], site.cases["/a/ok"]
    for n in range(KILL_ARTICLES):
        path = f"/a/k{n}"
        site.cases[path] = Case(path, lambda h, s, n=n: _send(h, 200, article_html(10_000 + n).encode()))
        site.expect[path] = {}
    site.start()
    config = tmp_path / "c.toml"
    config.write_text(site.toml("many"), encoding="utf-8")
    db = tmp_path / "news.db"
    # Politeness defaults for concurrency (2 per site) and a delay of 50 ms instead of a second:
    # what a real crawl loses when it dies is what is in flight. With no delay at all, loopback
    # answers arrive so fast that the few responses between the socket and the pipeline at the
    # moment of the kill (a few event-loop turns) are several pages, which no crawl reaches.
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "many", "--db", str(db), "--config", str(config),
           "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "NEWSMON_EXTRACT_WORKERS=1"]
    try:
        kills = 0
        before = _progress(db)
        while kills < KILLS:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                # Kill once this run has downloaded a few more pages, or (every other run) once it
                # has extracted a few more: downloads outrun the extraction worker's start, so
                # the second kind dies while pages stored by the runs before are being extracted.
                by = 0 if kills % 2 == 0 else 1
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and proc.poll() is None:
                    if _progress(db)[by] >= before[by] + 8:
                        break
                    time.sleep(0.05)
                if proc.poll() is not None:
                    break  # finished before it could be killed: nothing left to kill
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                kills += 1
                before = _progress(db)
            finally:
                if proc.poll() is None:
                    proc.kill()
        final = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        assert final.returncode == 0, final.stderr[-3000:]
    finally:
        site.stop()
    assert kills >= 5, f"only {kills} kills happened before the crawl finished"
    requests = [r for r in site.requests() if r.path.startswith("/a/k")]
    assert len(requests) <= 1.3 * KILL_ARTICLES, f"{len(requests)} article requests for {KILL_ARTICLES} articles"
    assert query(db, "PRAGMA integrity_check")[0]["integrity_check"] == "ok"
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == KILL_ARTICLES
    states = query(db, "SELECT kind, count(*) AS n FROM urls GROUP BY kind")
    assert states == [{"kind": "article", "n": KILL_ARTICLES}, {"kind": "refused", "n": len(BAD_ENTRIES)}]


def _progress(db: Path) -> tuple[int, int]:
    """(pages downloaded, pages extracted) so far."""
    if not db.exists():
        return 0, 0
    try:
        row = query(db, "SELECT count(CASE WHEN kind IN ('article', 'fetched') THEN 1 END) AS downloaded, "
                        "count(CASE WHEN kind = 'article' THEN 1 END) AS extracted FROM urls")[0]
    except sqlite3.OperationalError:
        return 0, 0  # not migrated yet, or busy
    return row["downloaded"], row["extracted"]
