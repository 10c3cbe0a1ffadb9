"""`newsmon extract` as a user runs it: a real process, real files, exit codes and streams."""

from __future__ import annotations

import gzip
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from .conftest import SAVED, saved_bytes

PAGE = "fundus-jp/SankeiShimbun_2025_01_21.html"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, input=stdin, timeout=120
    )


def test_jsonl_one_line_per_path_in_order_with_nulls(tmp_path):
    plain = tmp_path / "page.html"
    plain.write_bytes(saved_bytes(PAGE))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.html"
    gz = SAVED / "fundus-jp/Nikkei_2025_01_14.html.gz"
    result = run("extract", str(plain), str(missing), str(empty), str(gz), "--format", "jsonl")
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 4
    first, second, third, fourth = (json.loads(line) for line in lines)
    assert second is None and third is None
    for record in (first, fourth):
        assert {"url", "outlet", "language", "title", "text", "published_at", "modified_at",
                "authors", "paywalled", "method"} <= set(record)
    assert first["url"].startswith("https://www.sankei.com/article/20250121-")
    assert first["title"].startswith("小笠原諸島の警察無線")
    assert fourth["url"] == "https://www.nikkei.com/article/DGXZQOUB148MY0U5A110C2000000/"
    stderr = result.stderr.decode("utf-8")
    assert str(missing) in stderr and str(empty) in stderr
    assert "Traceback" not in stderr
    assert result.returncode == 1  # the unreadable path, reported after the others were done


def test_an_outlet_of_the_config_is_known_to_extract_as_to_a_crawl(tmp_path, monkeypatch):
    # Someone adding an outlet tries its pages with extract first: without the config they read
    # as no outlet's, which is not what a crawl will store.
    page = tmp_path / "page.html"
    page.write_bytes(saved_bytes("htmldate-eval/1649432346-prtimes.html"))  # no outlet's page, no lang attribute
    config = tmp_path / "newsmon.toml"
    config.write_text('[outlets.example]\nname = "Example Shimbun"\nlanguage = "ja"\ndomains = ["news.example.jp"]\n'
                      'feeds = ["https://news.example.jp/rss.xml"]\narticle_url_pattern = "/articles/"\n',
                      encoding="utf-8")
    url = "https://news.example.jp/articles/1"
    alone = json.loads(run("extract", str(page), "--url", url).stdout)
    assert (alone["outlet"], alone["language"]) == (None, None)
    for how in (["--config", str(config)], []):
        if not how:
            monkeypatch.setenv("NEWSMON_CONFIG", str(config))
        result = run("extract", str(page), "--url", url, *how)
        assert result.returncode == 0, result.stderr
        article = json.loads(result.stdout)
        assert (article["outlet"], article["language"], article["url"]) == ("example", "ja", url)
        assert article["title"] == alone["title"] and article["text"] == alone["text"]
    config.write_text("[outlets.example]\narticle_url_pattern = \"(\"\n", encoding="utf-8")
    bad = run("extract", str(page), "--config", str(config))
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    assert b"article_url_pattern: invalid regex" in bad.stderr


def test_a_file_that_is_no_html_page_is_said_to_be_none_and_fails(tmp_path):
    # A user who gives extract the wrong file (its README, an API's JSON, a feed, nothing) is told what was read
    # and what to give: a Markdown file was read as an article, the rest said "no article found", all with exit
    # status 0. Judged as a crawl judges a body without a Content-Type (outcome.check_body); the pages after them,
    # one whose markup opens after a PHP notice and one after 5 KB of a template's blank lines, are read.
    # The README's HTML example, under a code fence, is no page after a preamble (``outcome.opens_late``).
    files = {"README.md": b"# newsmon\n\nMonitor Japanese news outlets.\n\n## Quick start\n\n`pip install .`\n\n"
                          b"```html\n<!DOCTYPE html>\n<html><body><p>An article page</p></body></html>\n```\n",
             "api.json": b'{"articles": [{"title": "x"}]}', "empty.html": b"",
             "feed.xml.gz": (SAVED / "feedreader/Rss20JapanTimes.xml.gz").read_bytes()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    pages = [tmp_path / "page.html", tmp_path / "blank-lines.html"]
    pages[0].write_bytes(b"PHP Notice:  Undefined index: id in /var/www/a.php on line 3\n" + saved_bytes(PAGE))
    pages[1].write_bytes(b"\r\n" * 2500 + saved_bytes(PAGE))
    result = run("extract", *(str(tmp_path / name) for name in files), *map(str, pages), "--format", "jsonl")
    *refused, read, late = (json.loads(line) for line in result.stdout.decode("utf-8").splitlines())
    assert refused == [None] * len(files)
    assert read["title"].startswith("小笠原諸島の警察無線") and late["title"] == read["title"]
    assert result.returncode == 1
    said = result.stderr.decode("utf-8").splitlines()
    hint = ": give extract a web page saved as HTML (a browser's \"Save Page As\", curl -o; gzipped or not)"
    assert said == [f"newsmon: {tmp_path / name}: not an HTML page: {what}{hint}" for name, what in (
        ("README.md", f"text with no HTML markup ({len(files['README.md'])} bytes)"), ("api.json", "JSON (30 bytes)"),
        ("empty.html", "empty (0 bytes)"), ("feed.xml.gz", "an RSS feed (88,777 bytes)"))]


def test_no_article_is_not_an_error(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"<html><body></body></html>")
    result = run("extract", str(empty), "--format", "jsonl")
    assert result.stdout.decode().strip() == "null"
    assert "no article" in result.stderr.decode()
    assert result.returncode == 0


def test_extract_says_which_codec_read_a_page_whose_text_comes_garbled(tmp_path):
    # Outlet health's ``garbled`` sends the user here: a page whose Japanese is half UTF-8, half
    # Shift_JIS (a site serving mixed bytes) reads in no codec.
    text = saved_bytes(PAGE).decode("utf-8")
    mixed = "。".encode().join(part.encode("cp932" if i % 2 else "utf-8", "xmlcharrefreplace")
                                for i, part in enumerate(text.split("。")))
    page = tmp_path / "mixed.html"
    page.write_bytes(mixed)
    result = run("extract", str(page))
    assert result.returncode == 0
    stderr = result.stderr.decode("utf-8")
    assert "its text reads as bytes decoded with the wrong codec: read as" in stderr
    assert "the page declares: utf-8" in stderr
    # A page read well says nothing of it.
    page.write_bytes(saved_bytes(PAGE))
    assert "wrong codec" not in run("extract", str(page)).stderr.decode("utf-8")


def test_url_option_overrides_the_page(tmp_path):
    page = tmp_path / "p.html"
    page.write_bytes(gzip.decompress((SAVED / (PAGE + ".gz")).read_bytes()))
    result = run("extract", str(page), "--url", "https://www.sankei.com/article/x/?utm_source=a")
    assert result.returncode == 0
    assert json.loads(result.stdout)["url"] == "https://www.sankei.com/article/x/?utm_source=a"


def test_url_with_many_paths_is_a_usage_error(tmp_path):
    result = run("extract", "a", "b", "--url", "https://x/")
    assert result.returncode == 2
    assert "--url" in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_text_format_and_stdin():
    result = run("extract", "-", "--format", "text", stdin=saved_bytes(PAGE))
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0
    assert out.splitlines()[0].startswith("小笠原諸島の警察無線")
    assert "Published: 2025-01-21T" in out


def test_the_summary_line_of_a_run_its_database_never_took_names_no_run():
    from crawler.cli import _run_said

    assert _run_said({"newsmon/run_id": 12, "finish_reason": "finished"}) == "run 12, finished"
    assert _run_said({"finish_reason": "database_full"}) == "not recorded, database_full"  # was "run None"
    assert _run_said({}) == "not recorded, stopped before it could close"  # was "run None, None"


def test_a_command_that_meets_the_database_locked_says_so_in_one_line(tmp_path):
    import sqlite3

    from storage import open_db

    db = tmp_path / "news.db"
    open_db(db).conn.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # DB Browser for SQLite with an edit not written yet
    try:
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "regroup", "--db", str(db)], capture_output=True,
                                text=True, timeout=120, env={**os.environ, "NEWSMON_DB_BUSY_TIMEOUT": "0.3"})
    finally:
        holder.close()
    # Before: a traceback ending in "sqlite3.OperationalError: database is locked".
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: the database {db} is locked") and "Traceback" not in result.stderr


def test_a_demo_on_a_port_in_use_says_so_and_leaves_no_empty_database(tmp_path):
    # The database was made before the site failed to start: an empty demo.db read as a demo that
    # found nothing, to `newsmon status` and `newsmon serve` alike. One made before is left as it was.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for existed in (False, True):
            if existed:
                sqlite3.connect(tmp_path / "demo.db").close()
            result = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--db", str(tmp_path / "demo.db"),
                                     "--port", str(port)], capture_output=True, text=True, timeout=120)
            assert result.returncode == 1
            assert result.stderr.startswith(f"Error: cannot serve the demo site on 127.0.0.1:{port}"), result.stderr
            assert (tmp_path / "demo.db").exists() is existed
            assert not (tmp_path / "demo.toml").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_demo_keeping_its_site_served_stops_on_ctrl_c_and_sigterm(tmp_path, signum):
    # Scrapy's shutdown handlers outlived the demo's crawl: Ctrl-C ("Ctrl-C to stop", it says)
    # and SIGTERM went to them, and the site served until the process was killed.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "demo", "--db", str(tmp_path / "demo.db"), "--port",
                             str(port), "--keep-serving"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if line.startswith("Still serving at"):
                break
        assert f"newsmon check demo --config {tmp_path / 'demo.toml'} reads it" in line
        # What it stored is said while it serves, not only once stopped.
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        shown = os.read(proc.stdout.fileno(), 1 << 16).decode() if ready else ""
        proc.send_signal(signum)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "This run: 86 requests, 79 new articles (1 relevant)" in shown


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_demo_stopped_as_it_crawls_says_what_it_kept_and_the_next_one_finishes(tmp_path, signum):
    # Its report of what was stored came first, then "Error: the crawl was stopped …", exit 1: a failed demo.
    from .test_ingest_rescore import _ctrl_c_when, count

    db = str(tmp_path / "demo.db")
    port = _free_port()

    def crawling(process) -> bool:
        try:
            return os.path.exists(db) and count(db, "select count(*) from articles") >= 3
        except sqlite3.OperationalError:  # not made, or not migrated yet
            return False

    command = [sys.executable, "-m", "crawler.cli", "demo", "--db", db, "--port", str(port)]
    code, stderr = _ctrl_c_when(command, crawling, signum=signum, group=signum == signal.SIGINT)
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    stored = count(db, "select count(*) from articles")
    assert code == 128 + signum, stderr[-3000:]
    line = stderr.strip().splitlines()[-1]
    assert line.startswith(f"newsmon: demo stopped ({how}) and closed cleanly, recorded as run 1 'shutdown': what it "
                           f"had downloaded is stored ({stored} new articles); "), line
    assert line.endswith(f", and the next run fetches them: run `newsmon demo --db {db} --port {port}` again"), line
    assert count(db, "select count(*) from crawl_runs where finish_reason = 'shutdown'") == 1
    again = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr[-3000:]
    assert count(db, "select count(*) from articles") == 79


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_goes_around_a_proxy_in_the_environment_and_says_when_its_outlet_fails(tmp_path):
    # http_proxy set, as on many office networks: the demo's requests for 127.0.0.1 went to the
    # proxy, which cannot reach it; it fetched nothing and said "0 new articles", exit status 0.
    proxied = {**os.environ, "http_proxy": f"http://127.0.0.1:{_free_port()}", "no_proxy": ""}
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--db", str(tmp_path / "demo.db"), "--port",
                             str(_free_port())], capture_output=True, text=True, timeout=180, env=proxied)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "This run: 86 requests, 79 new articles (1 relevant)" in result.stdout
    # Its articles are counted by their outlets, its crawl's health by the one outlet crawled: said,
    # where `newsmon status` next showed one outlet, "demo", and the article's outlets never crawled.
    assert f"newsmon status --db {tmp_path / 'demo.db'}          (the crawl's health: one outlet, demo, the " \
        "snapshot site)" in result.stdout
    # Whatever makes its crawl fail (here the proxy, let in again), the demo says so and fails.
    let_in = ("import sys; import crawler.crawl as c; c.LOOPBACK_SETTINGS['HTTPPROXY_ENABLED'] = True; "
              "from crawler.cli import cli; sys.argv[0] = 'newsmon'; cli()")
    failed = subprocess.run([sys.executable, "-c", let_in, "demo", "--db", str(tmp_path / "failed.db"), "--port",
                             str(_free_port())], capture_output=True, text=True, timeout=180, env=proxied)
    assert failed.returncode == 1, failed.stderr[-2000:]
    assert "0 new articles" in failed.stdout and "Run the demo again" not in failed.stdout
    assert "The demo outlet is failing: " in failed.stderr and "robots.txt" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_the_demo_prints_its_next_commands_as_they_can_be_typed_where_it_ran(tmp_path, monkeypatch, capsys):
    # The Quick start runs `.venv/bin/newsmon demo` without activating the virtualenv: the demo's
    # "newsmon serve --db demo.db" was then "command not found" (exit 127) as printed.
    from crawler import demo
    from storage import open_db

    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "newsmon").write_text("#!/bin/sh\n")
    (venv_bin / "newsmon").chmod(0o755)
    db = tmp_path / "demo.db"
    open_db(db).conn.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [".venv/bin/newsmon", "demo"])
    for path, typed in (("/usr/bin:/bin", ".venv/bin/newsmon"), (f"{venv_bin}:/usr/bin:/bin", "newsmon")):
        monkeypatch.setenv("PATH", path)
        demo._report("demo.db", tmp_path / "demo.toml", {})
        out = capsys.readouterr().out
        assert f"  {typed} serve --db demo.db " in out and f"  {typed} status --db demo.db " in out, out
    # Run as a module (the tests' way), it is `newsmon`, as before.
    monkeypatch.setattr(sys, "argv", [demo.__file__.replace("demo.py", "cli.py"), "demo"])
    assert demo.typed_name() == "newsmon"


@pytest.mark.parametrize("stopped", [False, True])
def test_a_demo_whose_database_stops_its_crawl_says_why_and_not_that_all_is_well(tmp_path, stopped):
    # A full disk or a locked file stopped the demo's crawl: it printed its report, "Run the demo
    # again: … no article is fetched twice", and exited 1 with no reason said. Ctrl-C'd as it closed, it said "demo
    # stopped … what it had downloaded is stored" and exited 130, as if nothing had failed to be written.
    slow = ("import sys; import crawler.demo as d; start = d.LoopbackSite.start\n"
            f"def slowed(self):\n    start(self)\n    [self.hang(a.path, {3 if stopped else 0.5}) for a in "
            "self.articles[1:]]\n    return self\n"
            "d.LoopbackSite.start = slowed; from crawler.cli import cli; sys.argv[0] = 'newsmon'; cli()")
    db = tmp_path / "demo.db"
    proc = subprocess.Popen([sys.executable, "-c", slow, "demo", "--db", str(db), "--port", str(_free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NEWSMON_DB_BUSY_TIMEOUT": "1"})
    holder = None
    try:
        for _ in range(600):
            try:
                if db.exists() and sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]:
                    break
            except sqlite3.OperationalError:
                pass
            time.sleep(0.05)
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        err = ""
        for line in proc.stderr:
            err += line
            if "this crawl stops" in line:
                if stopped:
                    proc.send_signal(signal.SIGINT)  # as it closes, its pages of 3 s in flight
                holder.rollback()
                break
        out, rest = proc.communicate(timeout=120)
        err += rest
    finally:
        if holder is not None:
            holder.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err[-3000:]
    assert "Error: the crawl stopped: its database could not be written" in err and "Traceback" not in err
    assert "is stored" not in err, err[-3000:]
    assert "Run the demo again: the site is unchanged" not in out


def test_a_page_its_rules_missed_says_where_its_text_is(tmp_path):
    # Extracting a saved page of a redesigned outlet is how its rules are mended: stderr says
    # which elements hold the text now; the article is read all the same.
    from .saved import divs_for_ps

    page = tmp_path / "redesigned.html"
    page.write_bytes(divs_for_ps(saved_bytes(PAGE)))
    result = run("extract", str(page))
    assert result.returncode == 0 and json.loads(result.stdout)["method"] == "body:sankei@2021-10"
    assert result.stderr.decode("utf-8") == (
        f"newsmon: {page}: its outlet's rules no longer name its paragraphs (body:sankei@2021-10: read from their "
        "body a line a block); the text is in 9 × div.article-text, 98% of the body's text\n")
    assert run("extract", str(SAVED / (PAGE + ".gz"))).stderr == b""  # as the rules read it: nothing to say
    # Asahi's page with its body redesigned too: no layout of the rules matches, and the page read
    # generically said nothing at all.
    asahi = tmp_path / "asahi.html"
    asahi.write_bytes(divs_for_ps(saved_bytes("fundus-jp/AsahiShimbun_2025_01_13.html")))
    result = run("extract", str(asahi), "--url", "https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html")
    assert result.returncode == 0 and json.loads(result.stdout)["method"] == "generic:trafilatura"
    assert result.stderr.decode("utf-8") == (
        f"newsmon: {asahi}: no layout of asahi's rules matches it (2 tried): read by generic extraction "
        "(generic:trafilatura); if asahi was redesigned, its rules in crawler/outlets/asahi.py need a layout for it\n")


def test_a_page_without_an_article_says_what_a_crawl_would_record_of_it(tmp_path):
    # "(a listing, error or empty page?)" was all it said, of a redesigned outlet's page whose
    # scripts draw the article too: the crawl's reason says which script holds it.
    paragraphs = [f"政府は国家安全保障戦略の改定に向けた有識者会議の第{n}回会合を開き、反撃能力の運用を議論した。"
                  for n in range(1, 11)]
    page = tmp_path / "drawn.html"
    page.write_text('<html><head><meta charset="utf-8"><title>有識者会議が初会合</title></head><body><nav>'
                    '<a href="/">トップ</a></nav><div id="app"><h1>有識者会議が初会合</h1></div>'
                    '<script type="application/json" id="app-state">'
                    + json.dumps({"title": "有識者会議が初会合", "body": paragraphs}, ensure_ascii=False)
                    + "</script></body></html>", encoding="utf-8")
    result = run("extract", str(page))
    assert result.returncode == 0 and result.stdout.strip() == b"null"
    assert result.stderr.decode("utf-8").startswith(
        f"newsmon: no article found in {page}: the article is drawn by JavaScript: its text (461 characters) "
        "is in the page's application/json \"app-state\" script")
    assert result.stderr.decode("utf-8").endswith("(drawn_by_script)\n")


def _url_rows() -> list[tuple[str, str, str]]:
    import csv

    rows = []
    for path in sorted((SAVED.parent / "urls").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows += [(path.stem, r["url"], r["expect"]) for r in csv.DictReader(f, delimiter="\t")]
    return rows


def test_urls_says_what_a_crawl_would_do_with_every_real_url_of_the_registry():
    # tests/fixtures/urls holds every outlet's real URLs, article or not: the command must pick
    # the same outlet and the same verdict the registry's tests expect, for each of them.
    rows = _url_rows()
    assert len(rows) > 900
    result = run("urls", stdin="\n".join(url for _, url, _ in rows).encode())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == len(rows)
    wrong = []
    for (key, url, expect), line in zip(rows, lines):
        verdict, outlet, _, given = line.split("\t")
        assert given == url.strip()
        if (verdict == "article" and outlet == key) != (expect == "article"):
            wrong.append((key, expect, verdict, outlet, url))
    assert not wrong, wrong[:10]
    assert "not_article_url" in result.stderr.decode()


def test_urls_gives_the_url_the_crawl_would_fetch_and_names_what_is_no_article(tmp_path):
    listing = tmp_path / "found.txt"
    listing.write_text("# a partner's list\n"
                       "https://www.jiji.com/jc/article?k=2025070500264&g=int&m=rss\n"
                       "https://news.yahoo.co.jp/pickup/6574325?source=rss\n"
                       "\n"
                       "https://example.com/a\n"
                       "https://[broken/a/1\n"
                       "/jc/article?k=2025070500264\n"  # relative, and bare words: no URL a crawl fetches
                       "http://\n"
                       "see the list\n", encoding="utf-8")
    result = run("urls", str(listing))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        "article\tjiji\thttps://www.jiji.com/jc/article?k=2025070500264\t"
        "https://www.jiji.com/jc/article?k=2025070500264&g=int&m=rss",
        "not_article_url\tyahoo\thttps://news.yahoo.co.jp/pickup/6574325\thttps://news.yahoo.co.jp/pickup/6574325?source=rss",
        "off_scope\t-\thttps://example.com/a\thttps://example.com/a",
        "bad_url\t-\thttps://[broken/a/1\thttps://[broken/a/1",
        "bad_url\t-\t/jc/article?k=2025070500264\t/jc/article?k=2025070500264",
        "bad_url\t-\thttp://\thttp://",
        "bad_url\t-\tsee the list\tsee the list",
    ]
    said = result.stderr.decode()
    assert "7 URLs: 1 article, 1 not_article_url, 1 off_scope, 4 bad_url" in said and "yahoo 1" in said
    only = run("urls", str(listing), "--only", "not_article_url")
    assert only.stdout.decode().splitlines() == [
        "not_article_url\tyahoo\thttps://news.yahoo.co.jp/pickup/6574325\thttps://news.yahoo.co.jp/pickup/6574325?source=rss"]


def test_a_long_reason_is_cut_at_a_words_end_and_says_so():
    from crawler.cli import _clip

    reason = ("a consent wall (HTTP 401) where the article should be; tried again after 12月5日 07:20: the article "
              "taken down")
    assert _clip(reason, 200) == reason
    cut = _clip(reason, 100)
    assert len(cut) <= 100 and cut.endswith("…") and reason.startswith(cut[:-1] + " ")  # a word's end
    assert _clip("反撃能力" * 50, 10) == "反撃能力反撃能力反…"


def test_a_crawl_stopped_by_ctrl_c_says_so_rather_than_send_the_user_to_the_log():
    # "crawl ended with 'shutdown'; see the log above" sent the one who pressed Ctrl-C to the log
    # to learn that they had.
    from crawler.crawl import CrawlResult

    assert CrawlResult("shutdown", 1, {}).trouble == (
        "the crawl was stopped (SIGTERM or Ctrl-C) and closed cleanly, recorded as 'shutdown': the next run fetches "
        "what it had not")
    assert CrawlResult("closespider_timeout", 1, {}).trouble == "crawl ended with 'closespider_timeout'; see the log above"


def test_a_stop_as_the_crawl_closes_for_its_own_reason_says_the_reason_the_runs_record():
    # SIGTERM as CLOSESPIDER_TIMEOUT was closing the crawl: the line said "recorded as run 3 'shutdown'", the runs
    # (and status) 'closespider_timeout'.
    from crawler.crawl import STOPPED_BY, CrawlResult

    stats = {STOPPED_BY: "SIGTERM", "newsmon/articles/new": 2, "newsmon/urls_waiting": 5}
    assert CrawlResult("closespider_timeout", 3, stats).stopped("newsmon crawl") == (
        "crawl stopped (SIGTERM) as it was closing for 'closespider_timeout', and closed cleanly, recorded as run 3 "
        "'closespider_timeout': what it had downloaded is stored (2 new articles); 5 URLs of its outlets wait as "
        "pending, and the next run fetches them: run `newsmon crawl` again")
    assert CrawlResult("shutdown", 3, stats).stopped("newsmon crawl").startswith(
        "crawl stopped (SIGTERM) and closed cleanly, recorded as run 3 'shutdown': ")


_STOPPED_TWICE = """
import os, signal, sys
import click
from crawler.cli import cli

second = getattr(signal, sys.argv[1])
write = click.echo


def echo(message=None, *args, **kwargs):
    if str(message).startswith("newsmon: "):
        os.kill(os.getpid(), second)  # the second stop, as the stopped line is written
        for _ in range(10 ** 6):
            pass
    return write(message, *args, **kwargs)


def hook(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "require_database":
        raise KeyboardInterrupt  # the first Ctrl-C, as the command starts (a raise unsets the hook)


click.echo = echo
sys.setprofile(hook)
cli(sys.argv[2:])
"""


@pytest.mark.parametrize("second", ["SIGINT", "SIGTERM"])
def test_a_second_stop_as_the_stopped_line_is_written_ends_the_command_with_that_line(tmp_path, second):
    # The second Ctrl-C was raised in the line's write: Click said "Aborted!" instead, exit 1; a SIGTERM there (systemd
    # stopping a unit a Ctrl-C had stopped, a script's `kill` after its own SIGINT) killed the process, no line.
    path = tmp_path / "n.db"
    path.write_bytes(b"x")
    done = subprocess.run([sys.executable, "-c", _STOPPED_TWICE, second, "status", "--db", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (130, "newsmon: status stopped (Ctrl-C)\n")

    # ... and after a first SIGTERM, the line and the exit status say SIGTERM.
    hooked = _STOPPED_TWICE.replace("raise KeyboardInterrupt  #",
                                    "os.kill(os.getpid(), signal.SIGTERM); [0 for _ in range(10 ** 6)]  #")
    done = subprocess.run([sys.executable, "-c", hooked, second, "status", "--db", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (143, "newsmon: status stopped (SIGTERM)\n")


_STOPPED_THEN_AGAIN = """
import os, signal, sys, threading
import click
from crawler.cli import cli

where, command = sys.argv[1], sys.argv[2:]
said = []
write, call_on_close = click.echo, click.Context.call_on_close


def echo(message=None, *args, **kwargs):
    write(message, *args, **kwargs)
    if str(message).startswith("newsmon: "):
        said.append(message)
        if where == "put back":
            sys.setprofile(putting_back)


def putting_back(frame, event, arg):
    # A stop (SIGTERM's, its handler put back first) raised as Ctrl-C's handler is put back, the line out.
    if event == "call" and frame.f_code is signal.signal.__code__ and frame.f_back.f_code.co_name == "put_back" \
            and frame.f_locals["signalnum"] == signal.SIGINT:
        raise KeyboardInterrupt  # (a raise unsets the hook)


def closed_pressed_again(self, close):
    def closing():
        close()
        if said:
            raise KeyboardInterrupt  # Ctrl-C again as the command's database is closed, the line out

    return call_on_close(self, closing if where == "closing" else close)


def exiting():
    # A thread Python's exit waits for (as for a cluster's): Ctrl-C again once it does, the line out.
    while threading.main_thread().is_alive():
        threading.Event().wait(0.01)
    if not said:
        threading.Event().wait()
    # Sent again if the exit still waits 10 s on: one that lands as the main thread is about to block on the lock
    # (after its last look at signals, before the wait) does not wake it, and ended 2 of 60 runs under load in the
    # test's timeout. Each one a held Ctrl-C swallows, so that hang stays the test's failure.
    for _ in range(10):
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        threading.Event().wait(10)
    threading.Event().wait()  # for ever: the Ctrl-C cuts the exit's wait short, or the test's timeout ends it


def hook(frame, event, arg):
    if event == "call" and frame.f_code.co_name in ("require_database", "ingest_part"):
        raise KeyboardInterrupt  # the first Ctrl-C (a raise unsets the hook)


click.echo, click.Context.call_on_close = echo, closed_pressed_again
if where in ("exiting", "put back"):
    threading.Thread(target=exiting).start()
sys.setprofile(hook)
cli(command)
"""


@pytest.mark.parametrize("command, where", [("ingest", "closing"), ("ingest", "exiting"), ("status", "exiting"),
                                            ("status", "put back")])
def test_ctrl_c_pressed_again_after_the_stopped_line_ends_the_command_with_that_line_alone(tmp_path, command, where):
    # A key pressed twice: the second Ctrl-C, after the stopped line, met the command on its way out. As its database
    # closed, it said the line again under the first, or Click's "Aborted!", exit 1; in Python's exit (its wait for
    # the threads left, a closed Dask cluster's), "Exception ignored in: <module 'threading'>" and a traceback. And a
    # stop that landed as the handlers held during the line were put back left Ctrl-C held for good: that exit's wait
    # never ended ("put back").
    from . import warcs

    path = tmp_path / "n.db"
    if command == "status":
        path.write_bytes(b"x")
        args, line = ["status", "--db", str(path)], "newsmon: status stopped (Ctrl-C)"
    else:
        warcs.write(tmp_path / "a.warc.gz", warcs.outlet_pages()[:2])
        args = ["ingest", str(tmp_path / "a.warc.gz"), "--db", str(path), "--workers", "0"]
        line = ("newsmon: ingest stopped (Ctrl-C); what it stored is kept and the archive being read is left "
                "unfinished: run the same ingest again, it resumes where this one stopped")
    # The exit's wait for the thread is cut short by the second Ctrl-C, as before: a hang is the timeout's failure.
    done = subprocess.run([sys.executable, "-c", _STOPPED_THEN_AGAIN, where, *args], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr) == (130, line + "\n")


_STOPPED_BLOCKED = """
import os, sys
import click
from crawler.cli import cli

os.set_blocking(2, False)
try:
    while True:
        os.write(2, b"x" * 4096)  # standard error's pipe full: its reader (less, a log driver) reads no more for now
except BlockingIOError:
    pass
os.set_blocking(2, True)
write = click.echo


def echo(message=None, *args, **kwargs):
    if str(message).startswith("newsmon: "):
        print("writing", flush=True)
    return write(message, *args, **kwargs)


def hook(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "require_database":
        raise KeyboardInterrupt  # the first Ctrl-C


click.echo = echo
sys.setprofile(hook)
cli(sys.argv[1:])
"""


# SIGTERM, as systemd and `kill` stop a command: Ctrl-C's next ones end it too, but with Click 8.3 its "Aborted!" goes
# on to Python's exit, where the flush of standard error waits in C, which no Ctrl-C reaches.
@pytest.mark.parametrize("again", ["SIGTERM"])
def test_a_stopped_command_whose_line_cannot_get_out_is_still_ended_by_the_next_stops(tmp_path, again):
    # One stop is held as the line is written, no more: all were, and a command whose standard error no one read
    # (`newsmon crawl 2>&1 | less`, a stalled log driver) ran on deaf to every Ctrl-C and SIGTERM, until SIGKILL.
    path = tmp_path / "n.db"
    path.write_bytes(b"x")
    read, write = os.pipe()
    process = subprocess.Popen([sys.executable, "-c", _STOPPED_BLOCKED, "status", "--db", str(path)],
                               stdout=subprocess.PIPE, stderr=write, text=True)
    os.close(write)
    try:
        assert process.stdout.readline() == "writing\n"
        # Each stop after the held one ends the write it meets: held, no number of them ended it.
        for _ in range(4):
            process.send_signal(getattr(signal, again))
            try:
                process.wait(1)
                break
            except subprocess.TimeoutExpired:
                pass
        assert process.poll() is not None
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        os.close(read)


def test_output_whose_reader_went_away_ends_quietly_not_as_a_failure(tmp_path):
    # `newsmon status | head -1`: click exits 1 when its output pipe closes, which is status's
    # "an outlet is failing", a false alarm in a cron job with pipefail. It ends as a Unix tool a
    # SIGPIPE ends, 141, saying nothing.
    listed = tmp_path / "urls.txt"
    listed.write_text("https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html\n" * 50, encoding="utf-8")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "urls", str(listed)], stdout=write,
                                stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (141, b"")
    assert run("urls", str(listed)).returncode == 0


def test_a_time_ahead_of_the_clock_is_said_so_in_status():
    # After the system clock was set back, status read a run "(-1768s ago)".
    from datetime import UTC, datetime, timedelta

    from crawler.cli import _when

    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    assert _when((now - timedelta(minutes=30)).isoformat(), now).endswith("(30m ago)")
    assert _when((now + timedelta(seconds=1768)).isoformat(), now).endswith(
        "(29m ahead of this machine's clock: was the clock set back?)")
    assert _when((now + timedelta(seconds=5)).isoformat(), now).endswith("(0s ago)")  # seconds apart: no alarm


#: Every command that only reads its database, with its options: given a --db that does not exist, each says so. Opened,
#: a mistyped path became an empty database: `schedule --check` printed its plan, exit 0, and left `typo.db` behind,
#: which the daemon, started with the right path, never read.
READS_ONLY = [("status",), ("status", "--json", "nhk"), ("export", "--format", "csv"),
              ("export", "--format", "atom", "-o", "feed.xml"), ("explain", "1", "--json"),
              ("review", "1", "--status", "dismissed"), ("review", "1", "--undo"), ("learn",), ("rescore",),
              ("reextract", "--outdated"), ("regroup", "--storyless"), ("prune", "--keep", "1y", "--vacuum"),
              ("serve", "--port", "9"), ("schedule", "--check"), ("schedule", "--check", "nhk", "--interval", "5m")]
#: The commands that store what they fetch or read, and start a database where there was none.
STARTS_ONE = {"crawl", "ingest", "demo", "schedule"}


def test_every_command_of_a_database_is_one_that_reads_it_only_or_one_that_starts_it():
    from crawler.cli import cli

    with_db = {name for name, command in cli.commands.items()
               if any("--db" in param.opts for param in command.params)}
    assert with_db == {args[0] for args in READS_ONLY} | STARTS_ONE, "add the command to READS_ONLY or STARTS_ONE"


# The path comes to every command the same way: --db for all, the environment and the default for two.
@pytest.mark.parametrize("args, given", [(args, "--db") for args in READS_ONLY] + [
    (args, given) for args in READS_ONLY if args[0] in ("status", "schedule") for given in ("NEWSMON_DB", "default")],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value)
def test_a_command_that_only_reads_makes_no_database_where_there_was_none(tmp_path, args, given):
    name = "newsmon.db" if given == "default" else "typo.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    if given == "NEWSMON_DB":
        env["NEWSMON_DB"] = name
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args, *(["--db", name] if given == "--db" else [])],
                            capture_output=True, text=True, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                            timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert f"no database at {name} (in {tmp_path}): give --db the file" in result.stderr
    assert "to start one there" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no database, -wal or -shm, nor an empty output file


@pytest.mark.parametrize("args", [("status",), ("schedule", "--check"), ("export", "--format", "csv")], ids=" ".join)
def test_a_command_that_only_reads_given_a_directory_says_it_is_one(tmp_path, args):
    # It said "no database at news, … or run `newsmon crawl --db news` first to start one there", which cannot.
    (tmp_path / "news").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args, "--db", "news"], capture_output=True,
                            text=True, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert f"news (in {tmp_path}) is a directory, not a newsmon database: give --db the database file" in result.stderr
    assert "(e.g. news/newsmon.db)" in result.stderr and "start one there" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["news"] and not any((tmp_path / "news").iterdir())
