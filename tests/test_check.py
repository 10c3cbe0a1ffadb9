"""`newsmon check` against loopback variants of the test site: healthy, moved, empty feed, walls.

One real `newsmon check` process over real HTTP checks five outlets at once; its JSON report and
exit status are what a new user would read.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from crawler.testsite import (ARCHIVE_SITEMAP_PATH, ATOM_PATH, NEWS_SITEMAP_PATH, RSS_PATH, SECTION_PATH, SITEMAP_PATH,
                              LoopbackSite, urlset)

from .conftest import CRASH_MARKER, crashing_env

PAGES = ["fundus-jp/AsahiShimbun_2025_01_13.html", "scrapping-webs/nhk-test_article_1.html",
         "fundus-jp/MainichiShimbun_2025_01_14.html"]
CHALLENGE = (b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             b'<noscript><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></noscript>'
             b"</body></html>")


def _toml(key: str, table: dict) -> str:
    lines = [f"[outlets.{key}]"]
    for name, value in table.items():
        items = value if isinstance(value, list) else [value]
        quoted = ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in items)
        lines.append(f"{name} = [{quoted}]" if isinstance(value, list) else f"{name} = {quoted}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("check")
    sites = {key: LoopbackSite(PAGES).start() for key in ("healthy", "moved", "emptyfeed", "challenge", "consent")}
    try:
        config = ""
        for key, site in sites.items():
            table = site.outlet_config(name=key)
            if key == "moved":
                site.redirect("/old-rss.xml", site.url(RSS_PATH))
                # Its sitemap moved without a redirect; robots.txt names the new one.
                site.answer("/old-sitemap.xml", 404, b"<h1>Not Found</h1>", {"Content-Type": "text/html"})
                table.update(feeds=[site.url("/old-rss.xml")], sitemaps=[site.url("/old-sitemap.xml")], start_urls=[])
            elif key == "emptyfeed":
                site.answer("/empty.xml", 200, b"", {"Content-Type": "application/rss+xml"})
                table.update(feeds=[site.url("/empty.xml")], sitemaps=[], start_urls=[], language="en")
            elif key == "challenge":
                for article in site.articles:
                    site.answer(article.path, 403, CHALLENGE, {"Server": "cloudflare"})
            elif key == "consent":
                for article in site.articles:
                    site.redirect(article.path, site.url("/consent/?continue=" + article.path), 302)
            config += _toml(key, {k: v for k, v in table.items() if v != []})
        path = tmp / "newsmon.toml"
        path.write_text(config, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "check", "--config", str(path), "--json", "--stale-after", "36500",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *sites],
            capture_output=True, text=True, timeout=180)
        text = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "check", "--config", str(path), "--articles", "1", "--stale-after", "36500",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "healthy", "moved"],
            capture_output=True, text=True, timeout=180)
        logs = {key: site.requests() for key, site in sites.items()}
    finally:
        for site in sites.values():
            site.stop()
    assert "Traceback" not in result.stderr + text.stderr, result.stderr[-3000:]
    return {"result": result, "reports": json.loads(result.stdout), "text": text, "logs": logs}


def test_a_broken_outlet_fails_the_check(checked):
    assert checked["result"].returncode == 1
    assert checked["text"].returncode == 0  # healthy and moved only: nothing broken


def test_healthy(checked):
    report = checked["reports"]["healthy"]
    assert report["verdict"] == "ok", report["reasons"]
    kinds = {d["kind"] for d in report["discovery"]}
    assert kinds == {"feed", "sitemap", "section"}
    feed = next(d for d in report["discovery"] if d["url"].endswith(RSS_PATH))
    assert feed["status"] == 200 and feed["entries"] == len(PAGES) and feed["articles"] == len(PAGES)
    assert feed["newest"].startswith("2025-01")
    assert len(report["articles"]) == 2
    for article in report["articles"]:
        assert article["title"] and article["published_at"] and article["text_chars"] > 200 and not article["wall"]


def test_moved_feed_is_named_with_its_new_address(checked):
    report = checked["reports"]["moved"]
    assert report["verdict"] == "degraded"
    feed = next(d for d in report["discovery"] if d["kind"] == "feed")
    assert feed["moved_to"].endswith(RSS_PATH) and feed["articles"] == len(PAGES)
    assert any("moved to" in r and r.endswith("update the outlet") for r in report["reasons"])
    sitemap = next(d for d in report["discovery"] if d["kind"] == "sitemap")
    assert sitemap["status"] == 404 and report["robots_sitemaps"] == [sitemap["url"].replace("/old-", "/")]
    assert f"its robots.txt names sitemaps the outlet does not read: {report['robots_sitemaps'][0]}: did a " \
           "sitemap that failed move there? update the outlet's sitemaps" in report["reasons"]
    assert "moved to" in checked["text"].stdout and "healthy: ok" in checked["text"].stdout


def test_empty_feed_is_broken(checked):
    report = checked["reports"]["emptyfeed"]
    assert report["verdict"] == "broken"
    assert report["discovery"][0]["problem"].startswith("empty body")
    assert report["articles"] == []


@pytest.mark.parametrize("key,wall", [("challenge", "challenge"), ("consent", "consent")])
def test_walls_make_the_outlet_blocked(checked, key, wall):
    report = checked["reports"][key]
    assert report["verdict"] == "blocked", report
    assert report["articles"] and all(a["wall"] == wall for a in report["articles"])
    assert not any(r.path.startswith("/consent") for r in checked["logs"][key])  # never followed into the wall


def test_politeness(checked):
    for log in checked["logs"].values():
        paths = [r.path for r in log]
        assert "/robots.txt" in paths and all(r.user_agent.startswith("newsmon/") for r in log)
        for path in (RSS_PATH, ATOM_PATH, SITEMAP_PATH, SECTION_PATH):
            assert paths.count(path) <= 2  # once per check run (the test runs two)


def test_each_outlet_is_asked_for_its_pages_in_its_language(checked):
    # Scrapy asks every site for English: a site of several editions may answer so.
    asked = {key: {r.headers.get("accept-language") for r in log if r.path != "/robots.txt"}
             for key, log in checked["logs"].items()}
    assert asked["healthy"] == {"ja,en;q=0.5"} and asked["emptyfeed"] == {"en,ja;q=0.5"}


def test_an_accept_language_of_the_users_own_goes_to_every_site():
    from types import SimpleNamespace

    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import OutletLanguageMiddleware
    from crawler.outlets import registry

    def asked(settings: dict) -> bytes | None:
        crawler = get_crawler(settings_dict=settings)
        crawler.spider = SimpleNamespace(outlets={"asahi": registry()["asahi"]})
        request = Request("https://www.asahi.com/articles/A.html", meta={"newsmon_outlet": "asahi"})
        OutletLanguageMiddleware.from_crawler(crawler).process_request(request)
        return request.headers.get("Accept-Language")

    assert asked({}) == b"ja,en;q=0.5"
    assert asked({"DEFAULT_REQUEST_HEADERS": {"Accept-Language": "de"}}) is None  # left to the default headers


def test_verdicts_from_results():
    from datetime import datetime, timezone

    from crawler.check import verdict
    from crawler.outlets import registry

    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    outlet = registry()["asahi"]

    def feed(**over):
        return {"kind": "feed", "url": "https://www.asahi.com/rss/x.rdf", "status": 200, "moved_to": None,
                "entries": 30, "articles": 30, "newest": "2026-11-30T00:00:00+00:00", "problem": None, "wall": None,
                **over}

    sample = {"url": "https://www.asahi.com/articles/A.html", "status": 200, "moved_to": None, "wall": None,
              "problem": None, "method": "rules:asahi@2021-10", "title": "t", "published_at": "2026-11-29T10:00:00+09:00",
              "text_chars": 900, "paywalled": False}
    assert verdict(outlet, {"discovery": [feed()], "articles": [sample]}, now=now)["verdict"] == "ok"
    # --articles 0 asks for none: a healthy outlet read "degraded, no sample article could be fetched".
    assert verdict(outlet, {"discovery": [feed()], "articles": []}, now=now, asked=0) == {"verdict": "ok",
                                                                                         "reasons": []}
    assert "no sample article could be fetched" in verdict(outlet, {"discovery": [feed()], "articles": []},
                                                           now=now)["reasons"]
    pattern_gone = verdict(outlet, {"discovery": [feed(articles=0)], "articles": []}, now=now)
    assert pattern_gone["verdict"] == "broken" and "30 links" in pattern_gone["reasons"][0]
    stale = verdict(outlet, {"discovery": [feed(newest="2026-10-01T00:00:00+00:00")], "articles": [sample]}, now=now)
    assert stale["verdict"] == "degraded" and "stale" in stale["reasons"][0]
    generic = verdict(outlet, {"discovery": [feed()], "articles": [{**sample, "method": "generic:trafilatura"}]}, now=now)
    assert generic["verdict"] == "degraded" and "rules no longer match" in generic["reasons"][0]
    # Read from the rules' body: where its text is now, for whoever mends the rules.
    body = {**sample, "method": "body:asahi@2021-10", "hint": "4 × div.article-text, 98% of the body's text"}
    assert verdict(outlet, {"discovery": [feed()], "articles": [body]}, now=now)["reasons"] == [
        f"article {sample['url']}: the outlet's rules no longer match (read from its rules' body a line a block; the "
        "text is in 4 × div.article-text, 98% of the body's text: their paragraphs selector names none of them)"]
    # A third of a feed's entries under a URL scheme the pattern does not take: named, degraded.
    scheme = [f"https://www.asahi.com/premium/{n}.html" for n in range(12)]
    moved = verdict(outlet, {"discovery": [feed(articles=18, unmatched=scheme)], "articles": [sample]}, now=now)
    assert moved["verdict"] == "degraded" and moved["reasons"] == [
        "feed https://www.asahi.com/rss/x.rdf: the article URL pattern does not take 12 of its 30 entries on the "
        "outlet's domains (e.g. https://www.asahi.com/premium/0.html, https://www.asahi.com/premium/1.html): a new URL "
        "scheme for its articles? widen article_url_pattern"]
    # A video or two among its articles is no such thing.
    assert verdict(outlet, {"discovery": [feed(articles=28, unmatched=scheme[:2])], "articles": [sample]},
                   now=now)["verdict"] == "ok"
    # A third of its entries without any URL: their links moved where no reader looks.
    unlinked = verdict(outlet, {"discovery": [feed(entries=20, articles=20, unlinked=10)], "articles": [sample]},
                       now=now)
    assert unlinked["verdict"] == "degraded" and unlinked["reasons"] == [
        "feed https://www.asahi.com/rss/x.rdf: 10 of its 30 entries give no URL (no link, no permalink guid): their "
        "articles are not crawled; where does the feed put their links now?"]
    assert verdict(outlet, {"discovery": [feed(unlinked=1)], "articles": [sample]}, now=now)["verdict"] == "ok"
    # A third of them on a host that is not among the outlet's domains: its articles moved?
    elsewhere = [f"https://digital.asahi.example/articles/{n}.html" for n in range(10)]
    host = verdict(outlet, {"discovery": [feed(articles=20, off_domains=elsewhere)], "articles": [sample]}, now=now)
    assert host["verdict"] == "degraded" and host["reasons"] == [
        "feed https://www.asahi.com/rss/x.rdf: 10 of its 30 entries are on hosts that are not among the outlet's "
        "domains (digital.asahi.example): did its articles move? add the host to domains"]
    assert verdict(outlet, {"discovery": [feed(articles=28, off_domains=elsewhere[:2])], "articles": [sample]},
                   now=now)["verdict"] == "ok"
    # Every entry on another host: the pattern is not what refused them (it blamed the pattern).
    everywhere = [f"https://asahi.example/articles/{n}.html" for n in range(30)]
    off = verdict(outlet, {"discovery": [feed(articles=0, off_domains=everywhere)], "articles": []}, now=now)
    assert off["verdict"] == "broken" and off["reasons"][0].startswith(
        "discovery gave 30 links, none on the outlet's domains (asahi.com) that the article URL pattern accepts: 30 "
        "of its feeds' and sitemaps' entries are on asahi.example (e.g. https://asahi.example/articles/0.html)") \
        and off["reasons"][0].endswith("add the host to the outlet's domains")
    # A feed or section that lists no article beside documents that do: the crawl's health names
    # it after two weeks and sends the user here, where it read "ok".
    sitemap = feed(kind="sitemap", url="https://www.asahi.com/sitemap.xml")
    empty = verdict(outlet, {"discovery": [sitemap, feed(entries=0, articles=0, newest=None)], "articles": [sample]},
                    now=now)
    assert empty == {"verdict": "degraded", "reasons": [
        "feed https://www.asahi.com/rss/x.rdf: lists nothing, while the outlet's other feeds, sitemaps and sections "
        "list articles: a wrong address, or a feed emptied or moved? mend or remove it in the outlet's definition"]}
    unlinked = verdict(outlet, {"discovery": [sitemap, feed(entries=0, articles=0, unlinked=2)], "articles": [sample]},
                       now=now)["reasons"]
    assert unlinked[0].startswith("feed https://www.asahi.com/rss/x.rdf: lists 2 entries, none with a URL, while")
    section = feed(kind="section", url="https://www.asahi.com/politics/", entries=40, articles=0, newest=None)
    assert verdict(outlet, {"discovery": [sitemap, section], "articles": [sample]}, now=now)["reasons"] == [
        "section https://www.asahi.com/politics/: lists 40 links, none an article URL the pattern takes, while the "
        "outlet's other feeds, sitemaps and sections list articles: a wrong address, or a feed emptied or moved? "
        "mend or remove it in the outlet's definition"]
    # Said once: one whose entries the pattern refuses, or that are on another host, is named so.
    refusing = verdict(outlet, {"discovery": [sitemap, feed(articles=0, unmatched=scheme)], "articles": [sample]},
                       now=now)["reasons"]
    assert len(refusing) == 1 and "does not take 12 of its 30 entries" in refusing[0]
    # An empty sitemap is no such thing: this month's lists nothing on the 1st until the first article.
    assert verdict(outlet, {"discovery": [feed(), {**sitemap, "entries": 0, "articles": 0}], "articles": [sample]},
                   now=now)["verdict"] == "ok"
    # Refused by the pattern: which URLs, for whoever writes it.
    refused = verdict(outlet, {"discovery": [feed(articles=0, unmatched=scheme)], "articles": []}, now=now)
    assert refused["reasons"][0].endswith("it refuses e.g. https://www.asahi.com/premium/0.html, "
                                          "https://www.asahi.com/premium/1.html")
    # A robots.txt Crawl-delay longer than the time between the feed's entries: each hour the
    # crawl can fetch fewer articles than the outlet publishes.
    slow = {"discovery": [feed(interval=120)], "articles": [sample], "crawl_delays": {"www.asahi.com": 240.0}}
    assert verdict(outlet, slow, now=now)["reasons"] == [
        "robots.txt of www.asahi.com asks for 240 s between requests (Crawl-delay): at most 15 pages an hour, where "
        "feed https://www.asahi.com/rss/x.rdf lists an article every 120 s: the crawl will fall behind (can a feed "
        "on another host list them?)"]
    assert verdict(outlet, {**slow, "crawl_delays": {"www.asahi.com": 60.0}}, now=now)["verdict"] == "ok"
    # Sample articles fetched whole, none of which reads: a crawl would store nothing.
    crashed = {**sample, "method": None, "problem": "extraction failed: RuntimeError: boom"}
    unread = verdict(outlet, {"discovery": [feed()], "articles": [crashed, {**crashed, "problem": "no article"}]},
                     now=now)
    assert unread["verdict"] == "broken" and unread["reasons"][0].startswith(
        "none of the 2 sample articles could be read (extraction failed: RuntimeError: boom): a crawl would store "
        "none of them")
    assert unread["reasons"][1:] == [f"article {sample['url']}: extraction failed: RuntimeError: boom",
                                     f"article {sample['url']}: no article"]
    # One that reads is enough; samples that failed by HTTP alone say only that.
    assert verdict(outlet, {"discovery": [feed()], "articles": [crashed, sample]}, now=now)["verdict"] == "degraded"
    gone = {**crashed, "status": 404, "problem": "HTTP 404"}
    assert verdict(outlet, {"discovery": [feed()], "articles": [gone, gone]}, now=now)["verdict"] == "degraded"


def _check(site: LoopbackSite, tmp_path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    config = tmp_path / "newsmon.toml"
    config.write_text(_toml("site", {k: v for k, v in site.outlet_config(name="site").items() if v != []}),
                      encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "check", "--config", str(config), "--stale-after", "36500",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *args, "site"],
        capture_output=True, text=True, timeout=180, env=env)


def test_a_check_cut_short_gives_no_verdict_and_fails(tmp_path):
    with LoopbackSite(PAGES) as site:
        for article in site.articles:
            site.hang(article.path, 10)  # the samples are still being fetched when time is up
        result = _check(site, tmp_path, "--json", "-s", "CLOSESPIDER_TIMEOUT=1")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: the check ended with 'closespider_timeout' before every outlet was checked, so it gives no "
        "verdicts; run it again to the end (a larger CLOSESPIDER_TIMEOUT, or fewer outlets)")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_check_stopped_sends_no_more_requests_says_so_and_exits_as_stopped(tmp_path, signum):
    # Scrapy's own stop sent every queued sample after the outlet's delay and waited for each (a minute on a slow
    # outlet), then "Error: the check ended with 'shutdown' …", exit 1: a failed check to a script.
    from .test_ingest_rescore import _ctrl_c_when

    with LoopbackSite(PAGES) as site:
        for article in site.articles:
            site.hang(article.path, 20)  # a slow outlet: its samples are in flight, or waiting their turn
        config = tmp_path / "newsmon.toml"
        config.write_text(_toml("site", {k: v for k, v in site.outlet_config(name="site").items() if v != []}),
                          encoding="utf-8")
        code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", "check", "--config", str(config),
                                     "--articles", "3", "site"], lambda process: site.article_requests(),
                                    signum=signum, group=signum == signal.SIGINT)
        asked = len(site.article_requests())
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert code == 128 + signum, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (
        f"newsmon: check stopped ({how}) before every outlet was checked, so it gives no verdicts (it stores nothing): "
        f"run `newsmon check site --articles 3 --config {config}` again")
    assert asked < 3  # the samples waiting their turn were never asked for


@pytest.mark.parametrize("crashing,verdict,status", [(1, "degraded", 0), (3, "broken", 1)])
def test_a_sample_whose_extraction_crashes_is_that_samples_problem(tmp_path, crashing, verdict, status):
    # tests/crash makes extraction raise on a marked page, as a bug of newsmon would. Where every
    # sample crashes, a crawl would store none of the outlet's articles: broken, and the exit says so.
    with LoopbackSite(PAGES) as site:
        broken = site.articles[:crashing]
        page = (b'<html><head>' + CRASH_MARKER + b'<title>t</title></head><body>'
                b"<article><h1>t</h1>" + b"<p>" + "本文の段落。".encode() * 40 + b"</p></article></body></html>")
        for article in broken:
            site.answer(article.path, 200, page)
        result = _check(site, tmp_path, "--json", "--articles", "3", env=crashing_env())
        urls = {site.url(article.path) for article in broken}
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    crashed = [a for a in report["articles"] if a["url"] in urls]
    assert len(crashed) == crashing and all(a["method"] is None for a in crashed)
    assert all(a["problem"].startswith("extraction failed: RuntimeError: a bug of the extractor") for a in crashed)
    assert report["verdict"] == verdict
    assert all(any(r.startswith(f"article {url}: extraction failed") for r in report["reasons"]) for url in urls)
    assert result.returncode == status


def test_a_feed_whose_reading_raises_is_that_feeds_problem(tmp_path):
    # A parser's bug left the feed's line of the report empty, no problem: the feed read "ok".
    with LoopbackSite(PAGES) as site:
        site.answer(RSS_PATH, 200, b'<?xml version="1.0" encoding="UTF-8"?>' + CRASH_MARKER
                    + b'<rss version="2.0"><channel><title>t</title></channel></rss>',
                    {"Content-Type": "application/rss+xml"})
        result = _check(site, tmp_path, "--json", "--articles", "1", env=crashing_env())
        feed = site.url(RSS_PATH)
    report = json.loads(result.stdout)["site"]
    [read] = [d for d in report["discovery"] if d["url"] == feed]
    assert read["problem"].startswith("a bug of newsmon while reading it: TypeError: a bug of the feed parser")
    assert report["verdict"] == "degraded" and any(r.startswith(f"feed {feed}: a bug of newsmon")
                                                  for r in report["reasons"])


def test_a_feed_whose_entries_are_on_another_host_is_named_with_that_host(tmp_path):
    with LoopbackSite(PAGES) as site:
        moved = site.url("/").replace("127.0.0.1", "localhost")
        items = "".join(f"<item><title>t</title><link>{moved}site/moved/{n}.html</link></item>" for n in range(4))
        site.answer(RSS_PATH, 200, (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                    f"<title>t</title>{items}</channel></rss>").encode(),
                    {"Content-Type": "application/rss+xml"})
        result = _check(site, tmp_path, "--json", "--articles", "1")
        feed = site.url(RSS_PATH)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    assert report["verdict"] == "degraded" and f"feed {feed}: 4 of its 4 entries are on hosts that are not among " \
        "the outlet's domains (localhost): did its articles move? add the host to domains" in report["reasons"]


def test_a_sample_that_is_page_1_of_several_says_so():
    # Its character count is the first page's: a crawl reads the next pages too (crawler/pagination).
    from crawler.check import report_lines

    sample = {"url": "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/", "status": 200,
              "moved_to": None, "wall": None, "problem": None, "method": "rules:sankei@2021-10", "title": "t",
              "published_at": None, "text_chars": 900, "paywalled": False,
              "next_page": "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/"}
    report = {"verdict": "ok", "reasons": [], "discovery": [], "articles": [sample], "name": "産経新聞"}
    (line,) = [line for line in report_lines({"sankei": report}) if line.strip().startswith("article")]
    assert "900 chars, page 1 of several (next https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/)" \
        in line


def test_a_document_that_gave_entries_says_its_problem_on_its_line_too():
    # A gzipped sitemap cut short gives 0 entries and a problem: the line said "0 entries" only,
    # and the problem, taken for shown there, was left out of the reasons below it.
    from crawler.check import report_lines

    cut = {"kind": "sitemap", "url": "https://a.jp/sitemap.xml.gz", "status": 200, "moved_to": None, "newest": None,
           "entries": 0, "articles": 0, "problem": "gzipped sitemap that does not decompress: the stream is cut short"}
    report = {"verdict": "broken", "reasons": [f"sitemap {cut['url']}: {cut['problem']}"], "discovery": [cut],
              "articles": [], "name": "A"}
    lines = report_lines({"a": report})
    assert lines[1].endswith("0 entries, 0 article URLs; gzipped sitemap that does not decompress: the stream is cut "
                             "short")
    assert len(lines) == 2  # said once


def test_a_sample_read_from_its_rules_body_says_where_its_text_is():
    # A redesign made the paragraphs <div>s: the check names the elements that hold the text now,
    # which is what mending the rules' paragraphs selector needs.
    from scrapy.http import HtmlResponse, Request

    from crawler.spiders.check import CheckSpider

    from .conftest import saved_bytes
    from .saved import divs_for_ps

    url = "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/"
    spider = CheckSpider()
    spider.config_path, spider.results = None, {"sankei": {"discovery": [], "articles": []}}
    for page in (saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html"),
                 divs_for_ps(saved_bytes("fundus-jp/SankeiShimbun_2025_01_21.html"))):
        spider.parse_article(HtmlResponse(url, body=page, headers={"Content-Type": "text/html; charset=utf-8"},
                                          request=Request(url, meta={"check_url": url})), "sankei")
    as_is, redesigned = spider.results["sankei"]["articles"]
    assert as_is["method"] == "rules:sankei@2021-10" and "hint" not in as_is
    assert redesigned["method"] == "body:sankei@2021-10"
    assert redesigned["hint"] == "9 × div.article-text, 98% of the body's text"


def test_a_news_sitemap_whose_entries_the_pattern_does_not_take_is_named(tmp_path):
    # A sitemap-only outlet (Yomiuri) moves its articles to a new URL scheme: its Google News
    # sitemap's entries say they are articles, so the check names them as a feed's.
    with LoopbackSite(PAGES) as site:
        entries = "".join(f"<url><loc>{site.url(f'/v2/articles/{n}.html')}</loc><news:news><news:title>t"
                          "</news:title></news:news></url>" for n in range(4))
        site.answer(NEWS_SITEMAP_PATH, 200, urlset(entries, news=True), {"Content-Type": "application/xml"})
        result = _check(site, tmp_path, "--json", "--articles", "1")
        news, example = site.url(NEWS_SITEMAP_PATH), site.url("/v2/articles/0.html")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    assert report["verdict"] == "degraded" and any(r.startswith(
        f"sitemap {news}: the article URL pattern does not take 4 of its 4 entries on the outlet's domains "
        f"(e.g. {example}") for r in report["reasons"]), report["reasons"]


def test_a_robots_txt_crawl_delay_is_reported(tmp_path):
    with LoopbackSite(PAGES) as site:
        site.answer("/robots.txt", 200, b"User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n",
                    {"Content-Type": "text/plain"})
        result = _check(site, tmp_path, "--articles", "1")
        host = site.url("/").split("/")[2]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert f"  robots   {host}  Crawl-delay 0.3 s: at most 12,000 requests an hour" in result.stdout.splitlines()


def test_a_robots_txt_written_from_an_html_template_names_its_sitemaps_with_their_ampersands_read(tmp_path):
    # robots.txt is no XML: its "&amp;" is a template's, and "?type=news&amp;page=1" named the parameter "amp;page",
    # an address that, copied into the outlet's sitemaps, had the crawl ask for the site's answer to it.
    with LoopbackSite(PAGES) as site:
        site.answer(SITEMAP_PATH, 404, b"<h1>Not Found</h1>")
        site.answer("/robots.txt", 200, f"User-agent: *\nSitemap: {site.url(NEWS_SITEMAP_PATH)}?type=news&amp;page=1\n"
                    f"Sitemap: {site.url('/map.xml')}?a=1&amp;amp;b=2\n".encode(), {"Content-Type": "text/plain"})
        result = _check(site, tmp_path, "--json", "--articles", "1")
        named = [f"{site.url(NEWS_SITEMAP_PATH)}?type=news&page=1", f"{site.url('/map.xml')}?a=1&b=2"]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    assert report["robots_sitemaps"] == named, report["robots_sitemaps"]
    assert f"its robots.txt names sitemaps the outlet does not read: {', '.join(named)}: did a sitemap that failed " \
           "move there? update the outlet's sitemaps" in report["reasons"], report["reasons"]


def test_a_sitemap_configured_with_its_ampersands_escaped_is_not_taken_for_the_one_robots_txt_names(tmp_path):
    # Asked for as written, "?type=news&amp;page=2" is the parameter "amp;page" (a 404 here); compared with its
    # ampersands read, it was taken for the robots.txt's "?type=news&page=2", and the address to read never named.
    with LoopbackSite(PAGES) as site:
        site.answer(SITEMAP_PATH, 404, b"<h1>Not Found</h1>")
        moved = f"{site.url(SITEMAP_PATH)}?type=news&page=2"
        site.answer("/robots.txt", 200, f"User-agent: *\nSitemap: {moved}\n".encode(), {"Content-Type": "text/plain"})
        table = {k: v for k, v in site.outlet_config(name="site").items() if v != []}
        table["sitemaps"] = [f"{site.url(SITEMAP_PATH)}?type=news&amp;page=2"]
        config = tmp_path / "newsmon.toml"
        config.write_text(_toml("site", table), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "check", "--config", str(config), "--stale-after", "36500",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--json", "--articles", "1", "site"],
            capture_output=True, text=True, timeout=180)
        asked = [r.query for r in site.requests() if r.path == SITEMAP_PATH]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert asked == ["type=news&amp;page=2"], asked
    report = json.loads(result.stdout)["site"]
    assert f"its robots.txt names sitemaps the outlet does not read: {moved}: did a sitemap that failed move there? " \
           "update the outlet's sitemaps" in report["reasons"], report["reasons"]


def test_a_sitemap_that_lists_its_child_sitemaps_as_pages_is_read_as_an_index(tmp_path):
    xml = {"Content-Type": "application/xml"}
    with LoopbackSite(PAGES) as site:
        paths = (ARCHIVE_SITEMAP_PATH, NEWS_SITEMAP_PATH)
        children = "".join(f"<url><loc>{site.url(path)}</loc></url>" for path in paths)
        site.answer(SITEMAP_PATH, 200, urlset(children), xml)
        # Its first child (the one a check reads) lists a CMS plugin's sitemap among its pages, as the crawl reads
        # it: unread, the articles only that one lists were not seen, and an outlet of them alone was "broken".
        site.answer(ARCHIVE_SITEMAP_PATH, 200, urlset(f"<url><loc>{site.url(site.articles[0].path)}</loc></url>"
                                                      f"<sitemap><loc>{site.url('/plugin.xml')}</loc></sitemap>"), xml)
        site.answer("/plugin.xml", 200, urlset("".join(f"<url><loc>{site.url(a.path)}</loc></url>"
                                                       for a in site.articles[1:])), xml)
        result = _check(site, tmp_path, "--articles", "1")
        index, plugin = site.url(SITEMAP_PATH), site.url("/plugin.xml")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert any(line.endswith(f"{index}  2 child sitemaps (lists its 2 child sitemaps as <url> entries, where an index "
                             "lists <sitemap> entries: read as the sitemap index it is)") for line in lines), lines
    assert any(line.endswith("  1 entries, 1 article URLs (lists 1 child sitemap as <sitemap> entries among its 1 "
                             "<url> page, where only an index lists <sitemap> entries: read as its child sitemaps, "
                             "beside its pages)") for line in lines), lines
    assert any(line.endswith(f"{plugin}  {len(PAGES) - 1} entries, {len(PAGES) - 1} article URLs") for line in lines)
    assert "site: ok" in result.stdout


def test_a_feed_that_answers_a_front_page_names_the_feeds_it_advertises(tmp_path):
    # A retired feed's address serving the site's front page: where the feeds are now is said.
    with LoopbackSite(PAGES) as site:
        front = ('<!DOCTYPE html><html><head><title>トップ</title><link rel="alternate" '
                 'type="application/atom+xml" href="/rss/new.xml"></head><body><h1>トップ</h1></body></html>')
        site.answer(RSS_PATH, 200, front.encode(), {"Content-Type": "text/html; charset=utf-8"})
        result = _check(site, tmp_path, "--json", "--articles", "1")
        feed = site.url(RSS_PATH)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    assert f"feed {feed}: an HTML page, not XML (an error or login page where the feed should be?); it advertises " \
        f"the feed {site.url('/rss/new.xml')}: name it among the outlet's feeds?" in report["reasons"]


def test_a_site_that_refuses_the_checks_region_is_blocked_and_says_so(tmp_path):
    # A feed answering the page was "an HTML page, not XML", the section "0 article URLs", a 451
    # "HTTP 451": broken, for no reason anyone could act on.
    region = ("<html><head><meta charset='utf-8'><title>ご利用いただけません</title></head><body><p>このサービスは"
              "日本国内でのみご利用いただけます。</p></body></html>").encode()
    html = {"Content-Type": "text/html; charset=utf-8"}
    with LoopbackSite(PAGES) as site:
        for path in (RSS_PATH, ATOM_PATH, SECTION_PATH):
            site.answer(path, 200, region, html)
        for article in site.articles:
            site.answer(article.path, 451, region, html)
        # The sitemaps still list the articles: their pages are what refuse.
        result = _check(site, tmp_path, "--json", "--articles", "1")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)["site"]
    assert report["verdict"] == "blocked", report
    refused = [d for d in report["discovery"] if d["wall"]]
    assert {d["url"] for d in refused} == {site.url(p) for p in (RSS_PATH, ATOM_PATH, SECTION_PATH)}
    # Shown as walls are (their reason on the line), not as documents of 0 entries.
    assert all(d["wall"] == "geo" and "日本国内でのみご利用いただけます" in d["problem"] and d["entries"] is None
               for d in refused)
    assert report["articles"] and all(a["wall"] == "geo" for a in report["articles"])


def test_a_check_stopped_before_its_crawl_began_says_the_command_that_goes_on(tmp_path):
    # Ctrl-C as it read its config (here a named pipe not written yet), before its crawl heard signals itself:
    # "newsmon: check stopped (Ctrl-C)" alone, without what it did or the command, which every other command says.
    import os

    config = tmp_path / "newsmon.toml"
    os.mkfifo(config)
    process = subprocess.Popen([sys.executable, "-m", "crawler.cli", "check", "--config", str(config), "asahi"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        writer = os.open(config, os.O_WRONLY)  # returns once the check has opened it to read
        os.killpg(process.pid, signal.SIGINT)
        stderr = process.communicate(timeout=120)[1]
        os.close(writer)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (
        "newsmon: check stopped (Ctrl-C) before it sent a request, so it gives no verdicts (it stores nothing): run "
        f"`newsmon check asahi --config {config}` again")
