"""Web archives in, and the stored data reworked without fetching: ingest, rescore, reextract."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .conftest import saved_bytes

PAGES = {
    "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/": "scrapping-webs/nikkei-test_article_1.html",
    "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/": "fundus-jp/SankeiShimbun_2025_01_21.html",
    "http://www.yomiuri.co.jp/e-japan/gifu/news/20110410-OYT8T00124.htm": "snacktory/yomiuri.sjis.html",
}


def write_warc(path) -> None:
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, relpath in PAGES.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            body = saved_bytes(relpath)
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          length=len(body), http_headers=headers))
        # Not articles: an image, and an error page.
        img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://www.nikkei.com/logo.png", "response",
                                                      payload=io.BytesIO(b"\x89PNG"), length=4, http_headers=img))
        gone = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://www.nikkei.com/gone", "response",
                                                      payload=io.BytesIO(b"<html>not found</html>"), length=22,
                                                      http_headers=gone))


def newsmon(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, timeout=120)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    return result


def count(db, sql: str, *params) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def warc(tmp_path):
    path = tmp_path / "news.warc.gz"
    write_warc(path)
    return path


def test_ingest_warc_twice_adds_nothing_the_second_time(tmp_path, warc):
    db = str(tmp_path / "n.db")
    first = newsmon("ingest", str(warc), "--db", db)
    assert first.returncode == 0
    assert "3 new" in first.stderr.decode() + first.stdout.decode()
    assert count(db, "select count(*) from articles") == 3
    assert count(db, "select count(*) from articles where relevant = 1") == 1
    assert count(db, "select count(*) from pages") == 3
    second = newsmon("ingest", str(warc), "--db", db)
    assert second.returncode == 0
    assert "0 new" in second.stdout.decode()
    assert count(db, "select count(*) from articles") == 3


def test_a_forced_read_again_keeps_the_ledgers_count_of_the_articles_the_archive_stored(tmp_path, warc):
    # Read again with --force, its articles are "seen", not new: the ledger said the archive gave
    # 0 articles, 0 relevant, though every one of them was stored from it.
    db = str(tmp_path / "n.db")
    ledger = "select records, articles, relevant, finished_at is not null from ingested_archives"
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    with closing(sqlite3.connect(db)) as conn:
        first = conn.execute(ledger).fetchall()
    assert first == [(5, 3, 1, 1)]
    forced = newsmon("ingest", str(warc), "--db", db, "--force")
    assert forced.returncode == 0 and "0 new" in forced.stdout.decode()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute(ledger).fetchall() == first
    # Another archive at its place, forced: its row counts its own articles, not the one before's.
    with open(warc, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        body = saved_bytes("fundus-jp/MainichiShimbun_2025_01_14.html")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://mainichi.jp/articles/20250114/k00/00m/030/335000c",
                                                      "response", payload=io.BytesIO(body), length=len(body),
                                                      http_headers=headers))
    assert newsmon("ingest", str(warc), "--db", db, "--force").returncode == 0
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute(ledger).fetchall() == [(1, 1, 0, 1)]


def test_ingest_wacz(tmp_path, warc):
    wacz = tmp_path / "crawl.wacz"
    with zipfile.ZipFile(wacz, "w") as z:
        z.write(warc, "archive/data.warc.gz")
        z.writestr("datapackage.json", "{}")
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(wacz), "--db", db).returncode == 0
    assert count(db, "select count(*) from articles") == 3


def test_ingest_rejects_a_file_that_is_no_archive(tmp_path):
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not a WARC file\n" * 10)
    result = newsmon("ingest", str(junk), "--db", str(tmp_path / "n.db"))
    assert result.returncode == 1
    assert "junk.warc" in result.stderr.decode()


def test_rescore_after_the_topics_change(tmp_path, warc):
    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    assert count(db, "select count(*) from articles where relevant = 1") == 1
    config = tmp_path / "topics.toml"
    config.write_text(
        '[topics.police-radio]\nname = "Police radio"\ndescription = "test"\nthreshold = 2\ntitle_boost = 1.5\n'
        '[[topics.police-radio.terms]]\nterm = "警察無線"\nweight = 3\n', encoding="utf-8")
    conn = sqlite3.connect(db)
    nikkei_since = conn.execute("select relevant_since from articles where relevant = 1").fetchone()[0]
    conn.close()
    before = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result = newsmon("rescore", "--db", db, "--config", str(config))
    assert result.returncode == 0, result.stderr.decode()
    # The Sankei police-radio article is now relevant too; the Nikkei one still is.
    assert count(db, "select count(*) from articles where relevant = 1") == 2
    assert count(db, "select count(*) from articles where topic = 'police-radio'") == 1
    # Its story counts it, and its score: the stories table said 0 relevant of it.
    with closing(sqlite3.connect(db)) as conn:
        stories = conn.execute("select s.relevant_count, s.best_score, sum(a.relevant), max(a.score) from stories s "
                               "join articles a on a.story_id = s.id group by s.id").fetchall()
    assert stories and all(row[:2] == row[2:] for row in stories), stories
    # It entered the review queue now: said, and marked so (the desk's unread, the next digest);
    # it had come and gone from the queue without a word.
    assert b"newsmon: 1 entered the review queue (unread on the desk, in the next digest), 0 left it" \
        in result.stdout
    assert count(db, "select count(*) from articles where topic = 'police-radio' and relevant_since >= ?",
                 before) == 1
    assert count(db, "select count(*) from articles where topic != 'police-radio' and relevant = 1 "
                     "and relevant_since = ?", nikkei_since) == 1  # relevant before: its time stays


def test_a_dismissed_article_a_rescore_makes_relevant_is_said_and_listed_on_the_desk(tmp_path, warc):
    # Dismissed when no topic held it (the reviewer read it, as about nothing of theirs), then
    # relevant under a topic added since: out of the queue for its status, it was in no list of
    # the desk, though the digest tells it as a new relevant article.
    from crawler.desk import LISTS

    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    sankei = count(db, "select id from articles where outlet = 'sankei'")
    assert count(db, "select relevant from articles where id = ?", sankei) == 0
    assert newsmon("review", str(sankei), "--status", "dismissed", "--db", db).returncode == 0
    config = tmp_path / "topics.toml"
    config.write_text('[topics.police-radio]\nname = "Police radio"\nthreshold = 2\n'
                      '[[topics.police-radio.terms]]\nterm = "警察無線"\nweight = 3\n', encoding="utf-8")
    result = newsmon("rescore", "--db", db, "--config", str(config))
    assert result.returncode == 0, result.stderr.decode()
    assert b"newsmon: 1 dismissed article is relevant under these topics: the desk lists them under Updated" \
        in result.stdout
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select status, relevant from articles where id = ?", [sankei]).fetchone() == \
            ("dismissed", 1)
        assert [r[0] for r in conn.execute(LISTS["updated"].sql)] == [sankei]


def test_scored_again_without_the_config_that_defines_a_topic_says_so(tmp_path, warc):
    # A user's topic, then a reextract (status's advice after an upgrade) or rescore without its
    # --config: its articles were scored under the shipped topics only and left the queue,
    # reextract without a word.
    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    config = tmp_path / "topics.toml"
    config.write_text('[topics.police-radio]\nname = "Police radio"\nthreshold = 2\n'
                      '[[topics.police-radio.terms]]\nterm = "警察無線"\nweight = 3\n', encoding="utf-8")
    assert newsmon("rescore", "--db", db, "--config", str(config)).returncode == 0
    assert count(db, "select count(*) from articles where topic = 'police-radio' and relevant = 1") == 1
    for command in ("reextract", "rescore"):
        result = newsmon(command, "--db", db)
        assert result.returncode == 0, result.stderr.decode()
        assert count(db, "select count(*) from articles where topic = 'police-radio' and relevant = 1") == 0
        assert ("newsmon: warning: 1 article relevant to topic(s) police-radio was scored again under the shipped "
                "topics (no --config or NEWSMON_CONFIG was given), which does not define it: it is off it now") \
            in result.stderr.decode(), result.stderr.decode()
        assert "newsmon rescore --config FILE" in result.stderr.decode()
        assert newsmon("rescore", "--db", db, "--config", str(config)).returncode == 0
    # With it, nothing to say.
    assert b"warning" not in newsmon("reextract", "--db", db, "--config", str(config)).stderr


def test_a_rescore_leaves_the_score_a_crawl_gave_the_version_it_stored_meanwhile(tmp_path, warc, monkeypatch):
    # A crawl's revisit stored an article's new text, off the topics, and scored it while a rescore
    # scored the text it had read before: the rescore wrote its score over the crawl's, and the
    # article stayed relevant, in the queue, with evidence its text no longer held.
    from click.testing import CliRunner

    from crawler import store
    from crawler.cli import cli
    from storage import open_db, queries

    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    crawl = open_db(db)
    article_id, url = crawl.execute("select id, url from articles where relevant = 1").fetchone()
    scored_alone = store.score_batch
    revisited = []

    def scoring_while_a_crawl_revisits(config_path, rows):
        scored = scored_alone(config_path, rows)
        if not revisited and any(row[0] == article_id for row in rows):
            title, text = "市営バスの路線再編案", "市は市営バスの路線を再編する案をまとめ、住民に説明を始めた。" * 4
            _, topics = store.context(None)
            queries.store_article(crawl, {"url": url, "title": title, "text": text,
                                          **store.score_fields(title, text, topics)}, article_id=article_id)
            revisited.append(article_id)
        return scored

    monkeypatch.setattr(store, "score_batch", scoring_while_a_crawl_revisits)
    result = CliRunner().invoke(cli, ["rescore", "--db", db])
    assert result.exit_code == 0, result.output
    assert revisited and "rescored 3 articles" in result.output
    assert "; 1 changed by a crawl while they were scored, and were scored again on their new text" in result.output
    assert crawl.execute("select version, relevant, score from articles where id = ?", [article_id]).fetchone() == (
        2, 0, 0.0)
    assert crawl.execute("select count(*) from review_queue where id = ?", [article_id]).fetchone()[0] == 0
    crawl.conn.close()


def test_reextract_rebuilds_from_stored_pages_and_keeps_the_review(tmp_path, warc):
    from crawler.article import EXTRACTION_VERSION

    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    assert count(db, "select count(*) from articles where extraction = ?", EXTRACTION_VERSION) == 3
    assert b"extraction:" not in newsmon("status", "--db", db).stdout
    conn = sqlite3.connect(db)
    with conn:
        # As if an older extractor had leaked a sidebar and got the title wrong.
        conn.execute("update articles set text = text || '\nPOPULAR ARTICLE', title = 'wrong', extraction = ?, "
                     "status = 'follow-up', review_note = 'ask the desk' where outlet = 'sankei'",
                     [EXTRACTION_VERSION - 1])
        conn.execute("update articles set extraction = NULL where outlet = 'nikkei'")  # stored before m027
        # Read by this newsmon (its reading spoilt here to show whether it is read again).
        conn.execute("update articles set title = 'as this newsmon read it' where outlet = 'yomiuri'")
    conn.close()
    # Nothing told the user that the articles stored before an upgrade keep the older reading.
    assert ("extraction: 2 articles were read by an older newsmon, whose extraction has improved since: newsmon "
            "reextract --outdated reads them again") in newsmon("status", "--db", db).stdout.decode()
    result = newsmon("reextract", "--db", db, "--outdated")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().startswith("newsmon: re-extracted 2 articles")
    assert b"extraction:" not in newsmon("status", "--db", db).stdout
    # None outdated now: nothing read again, and the stories left as they are. Rebuilt anyway, every
    # story took the config's window, undoing a `newsmon regroup --window` made since. An article in
    # no story (a reextract killed in its regroup, which clears every story first, left them all
    # so, and its rerun found nothing outdated) is placed into them, as `regroup --storyless` does.
    with closing(sqlite3.connect(db)) as conn, conn:
        kept = conn.execute("select id, story_id from articles where outlet != 'sankei' order by id").fetchall()
        conn.execute("update articles set story_id = NULL where outlet = 'sankei'")
        conn.execute("update stories set title = 'kept' where id in (select story_id from articles)")
    result = newsmon("reextract", "--db", db, "--outdated")
    assert result.stdout.decode().startswith("newsmon: re-extracted 0 articles")
    assert count(db, "select count(*) from articles where story_id is null") == 0
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select id, story_id from articles where outlet != 'sankei' order by id").fetchall() == kept
        assert conn.execute("select count(*) from stories where title = 'kept'").fetchone()[0] == len(
            {story for _, story in kept})
    assert count(db, "select count(*) from articles where title = 'as this newsmon read it'") == 1  # not read again
    result = newsmon("reextract", "--db", db)  # every article
    assert result.returncode == 0, result.stderr.decode()
    assert count(db, "select count(*) from articles where title = 'as this newsmon read it'") == 0
    conn = sqlite3.connect(db)
    title, text, status, note = conn.execute(
        "select title, text, status, review_note from articles where outlet = 'sankei'").fetchone()
    conn.close()
    assert title.startswith("小笠原諸島の警察無線") and "POPULAR ARTICLE" not in text
    assert (status, note) == ("follow-up", "ask the desk")
    assert count(db, "select count(*) from articles") == 3


def test_reextract_of_a_page_that_held_no_article_before_updates_its_url(tmp_path):
    # Better rules find an article in a page an older extractor saw none in: the URL must say so
    # (it said "no article in the page", with no article id, while the article existed).
    from crawler import store
    from storage import frontier, open_db

    url = "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/"
    db = open_db(tmp_path / "n.db")
    store.save(db, url=url, body=saved_bytes(PAGES[url]), record=None, outlet="sankei")
    assert frontier.state(db, url)["kind"] == "not_article"
    counts = store.reextract(db, None, store.Options(stories=False))
    assert counts["articles"] == 1
    row = frontier.state(db, url)
    article_id = db.execute("SELECT id FROM articles").fetchone()[0]
    assert (row["kind"], row["article_id"], row["reason_code"]) == ("article", article_id, "stored")
    assert "newsmon reextract" in row["reason"]
    db.close()


def test_rescore_stopped_with_ctrl_c_says_how_far_it_got_and_the_next_one_finishes(tmp_path, warc):
    # Ctrl-C reaches the whole process group: each scoring worker died with a traceback of its own,
    # Click said "Aborted!" (exit 1), and part of the articles held new scores, the rest old ones,
    # without a word of it.
    import os
    import signal
    import time

    import psutil

    db = str(tmp_path / "n.db")
    newsmon("ingest", str(warc), "--db", db)
    conn = sqlite3.connect(db)
    with conn:  # 6,000 articles: scored in worker processes, batches of 500
        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] != "id"]
        shown = ", ".join(columns)
        copied = ", ".join(f"[{c}] || '?copy=' || n" if c in ("url", "canonical_url") else f"[{c}]" for c in columns)
        conn.execute(f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 2000) "
                     f"INSERT INTO articles ({shown}) SELECT {copied} FROM articles, k")
    conn.close()
    assert count(db, "select count(*) from articles") == 6003
    config = tmp_path / "topics.toml"
    config.write_text('[topics.police-radio]\nname = "Police radio"\ndescription = "test"\nthreshold = 2\n'
                      '[[topics.police-radio.terms]]\nterm = "警察無線"\nweight = 3\n', encoding="utf-8")
    command = [sys.executable, "-m", "crawler.cli", "rescore", "--db", db, "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while not parent.children() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the scoring workers are started: the rescore is under way
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
    stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr.decode(), stderr.decode()[-3000:]
    assert process.returncode == 130, stderr.decode()[-3000:]
    line = stderr.decode().strip().splitlines()[-1]
    assert line.startswith("newsmon: rescore stopped (Ctrl-C) after ") and line.endswith(
        f" of 6,003 articles, each batch done stored: run `newsmon rescore --db {db} --config {config}` again to "
        "finish"), line  # the command given: `newsmon rescore` alone took police-radio's articles off it
    again = subprocess.run(command, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()[-3000:]
    assert count(db, "select count(*) from articles where topic = 'police-radio'") == 2001


def _copies(db: str, n: int) -> None:
    """``n`` copies of each stored article, under URLs of their own, in no story."""
    conn = sqlite3.connect(db)
    with conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] not in ("id", "story_id")]
        shown = ", ".join(columns)
        copied = ", ".join(f"[{c}] || '?copy=' || n" if c in ("url", "canonical_url") else f"[{c}]" for c in columns)
        conn.execute(f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {n}) "
                     f"INSERT INTO articles ({shown}) SELECT {copied} FROM articles, k")
    conn.close()


def _ctrl_c_when(command: list[str], ready, env: dict[str, str] | None = None, signum: int = signal.SIGINT,
                 group: bool = True) -> tuple[int, str]:
    """Run ``command`` (in ``env``) in a process group of its own and send it SIGINT, as a terminal's
    Ctrl-C, once ``ready(process)``; (exit status, standard error). ``signum``: another signal;
    ``group``: to the whole group (as a terminal and systemd send it), or to the process alone."""
    import os
    import time

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env=env)
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and not ready(process) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "it ended before it could be stopped"
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        stderr = process.communicate(timeout=120)[1].decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "Traceback" not in stderr, stderr[-3000:]
    return process.returncode, stderr


@contextmanager
def _migration_held(tmp_path, warc) -> Iterator[str]:
    """A database ingested from ``warc`` with a migration to do (this one only fills a column from the
    rows, again the same), its write lock held meanwhile by another connection: a command opening it
    waits to migrate it."""
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("DELETE FROM _migrations WHERE name = 'm040_redirect_off_scope_targets'")
    lock.execute("BEGIN IMMEDIATE")
    try:
        yield db
    finally:
        lock.rollback()
        lock.close()


def _opened(db: str):
    """Whether a process has ``db`` open (``_ctrl_c_when``'s ``ready``)."""
    import psutil

    return lambda process: any(f.path == db for f in psutil.Process(process.pid).open_files())


@pytest.mark.parametrize("command, said", [
    (["rescore"], "rescore stopped (Ctrl-C) before it scored an article; no score was changed: run "
                  "`newsmon rescore --db {db}` again"),
    (["reextract", "--outdated"], "reextract stopped (Ctrl-C) before it read an article again; no article was "
                                  "changed: run `newsmon reextract --outdated --db {db}` again"),
    (["regroup", "--window", "48h"], "regroup stopped (Ctrl-C) before it placed an article; no story was changed: "
                                     "run `newsmon regroup --window 48h --db {db}` again"),
    (["prune", "--keep", "1d"], "prune stopped (Ctrl-C) before it deleted a page: run `newsmon prune --keep 1d --db "
                                "{db}` again"),
    (["ingest", "{warc}"], "ingest stopped (Ctrl-C); what it stored is kept and the archive being read is left "
                           "unfinished: run the same ingest again, it resumes where this one stopped"),
    (["crawl", "nhk"], "crawl stopped (Ctrl-C) before it fetched anything: run `newsmon crawl nhk --db {db}` again"),
    (["status"], "status stopped (Ctrl-C)"),
], ids=["rescore", "reextract", "regroup", "prune", "ingest", "crawl", "status"])
def test_ctrl_c_while_a_command_waits_to_migrate_the_database_says_so_and_the_next_run_does_it(
        tmp_path, warc, command, said):
    # Ctrl-C before a long command's own handler: as it migrated a database another process held
    # the write lock of (a crawl, a reviewer's DB Browser), before its first batch. Click said
    # "Aborted!", exit 1, and neither what was done nor what to do.
    args = [arg.format(warc=warc) for arg in command]
    with _migration_held(tmp_path, warc) as db:
        code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", *args, "--db", db], _opened(db))
    assert code == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "newsmon: " + said.format(db=db), stderr[-3000:]
    assert count(db, "select count(*) from crawl_runs") == 0
    if command[0] in ("crawl", "status"):
        return  # a crawl would fetch nhk's site
    again = newsmon(*args, "--db", db)
    assert again.returncode == 0, again.stderr.decode()[-3000:]
    assert count(db, "select count(*) from _migrations where name = 'm040_redirect_off_scope_targets'") == 1


def test_sigterm_while_a_command_waits_to_migrate_the_database_says_so_and_exits_143(tmp_path, warc):
    # `kill`, systemd's stop: Python's default let the process die at once, exit -15, without a word.
    with _migration_held(tmp_path, warc) as db:
        code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", "rescore", "--db", db], _opened(db),
                                    signum=signal.SIGTERM, group=False)
    assert code == 143, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (
        f"newsmon: rescore stopped (SIGTERM) before it scored an article; no score was changed: run `newsmon rescore "
        f"--db {db}` again"), stderr[-3000:]
    assert newsmon("rescore", "--db", db).returncode == 0


_SWALLOWED = """
import os, signal, sys
from crawler.cli import cli


class Finalized:
    def __del__(self):  # Ctrl-C as a finalizer runs: Python can only print what it raised here
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10 ** 7):
            pass


def as_it_waits(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "_busy":  # the database's write lock was found held
        sys.setprofile(None)
        Finalized()


sys.setprofile(as_it_waits)
cli(sys.argv[1:])
"""


def test_ctrl_c_that_python_swallowed_in_a_finalizer_still_stops_the_command(tmp_path, warc):
    # Python 3.13's importlib drops each lazily imported module's lock in a weakref callback: a
    # Ctrl-C arriving there was printed as "Exception ignored" with a traceback, and the command,
    # waiting to migrate a locked database, went on waiting its 30 s, then said it was locked.
    with _migration_held(tmp_path, warc) as db:
        done = subprocess.run([sys.executable, "-c", _SWALLOWED, "status", "--db", db], capture_output=True,
                              timeout=120, start_new_session=True)
    stderr = done.stderr.decode(errors="replace")
    assert "Exception ignored" not in stderr and "locked" not in stderr, stderr[-3000:]
    assert done.returncode == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "newsmon: status stopped (Ctrl-C)", stderr[-3000:]


def test_sigterm_that_python_swallowed_in_a_finalizer_stops_a_command_that_ignores_ctrl_c(tmp_path, warc):
    # Sent again as SIGINT, a SIGTERM swallowed in a finalizer was lost in a process that ignores SIGINT (one a
    # script started with `&`): the command waited out its lock and ran on, where SIGTERM once killed it.
    with _migration_held(tmp_path, warc) as db:
        done = subprocess.run([sys.executable, "-c", _SWALLOWED.replace("SIGINT", "SIGTERM"), "status", "--db", db],
                              capture_output=True, timeout=120, start_new_session=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    stderr = done.stderr.decode(errors="replace")
    assert "Exception ignored" not in stderr and "locked" not in stderr, stderr[-3000:]
    assert done.returncode == 143, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "newsmon: status stopped (SIGTERM)", stderr[-3000:]


_IN_A_STRING = """
import sys
from crawler.cli import cli


def as_it_waits(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "_busy":  # the database's write lock was found held
        sys.setprofile(None)
        # Ctrl-C as code made from a string runs (a dataclass's __init__, as a module is imported)
        exec("import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\nfor _ in range(10 ** 7):\\n    pass", {})


sys.setprofile(as_it_waits)
cli(sys.argv[1:])
"""


def test_ctrl_c_in_code_run_from_a_string_exits_130_under_python_m(tmp_path, warc):
    # CPython marks a KeyboardInterrupt that ended a string's code as never caught; a `python -m` run
    # (the scheduler's crawls, these tests) then killed itself with SIGINT after saying it was
    # stopped: exit -2, seen once in 50 runs of the Ctrl-C tests under load.
    (tmp_path / "stopped_in_a_string.py").write_text(_IN_A_STRING, encoding="utf-8")
    with _migration_held(tmp_path, warc) as db:
        done = subprocess.run([sys.executable, "-m", "stopped_in_a_string", "rescore", "--db", db], capture_output=True,
                              timeout=120, start_new_session=True, cwd=tmp_path)
    stderr = done.stderr.decode(errors="replace")
    assert done.returncode == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1].startswith("newsmon: rescore stopped (Ctrl-C) before it scored"), stderr


_REGROUP_STOPPED_AT = """
import sys
from crawler.cli import cli

WHERE = sys.argv.pop(1)


def at(frame, event, arg):
    if WHERE == "first batch stored":  # its COMMIT done, before the progress counted it
        if event != "c_return" or frame.f_code.co_name != "transaction" or frame.f_locals["conn"].in_transaction:
            return
        caller = frame
        while caller is not None and caller.f_code.co_name != "flush":
            caller = caller.f_back
    else:  # "forgetting ends": contextlib's __exit__ of the forgetting's block, before its COMMIT
        if event != "call" or frame.f_code.co_name != "__exit__" or frame.f_locals.get("typ") is not None:
            return
        caller = frame.f_back if frame.f_back is not None and frame.f_back.f_code.co_name == "clear" else None
    if caller is not None:
        sys.setprofile(None)
        raise KeyboardInterrupt


sys.setprofile(at)
cli(sys.argv[1:])
"""


@pytest.mark.parametrize("where", ["first batch stored", "forgetting ends"])
def test_regroup_stopped_at_its_first_commits_says_what_it_changed(tmp_path, warc, where):
    # After the first batch's COMMIT, before the progress counted it, every story forgotten and 200 articles placed
    # anew: it said "no story was changed". As the forgetting's block ended, its transaction left open (and rolled
    # back as the database closed): it saw no story, and said to place the articles with --storyless.
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    _copies(db, 1000)
    assert newsmon("regroup", "--window", "48h", "--db", db).returncode == 0
    stories = count(db, "select count(*) from stories")
    done = subprocess.run([sys.executable, "-c", _REGROUP_STOPPED_AT, where, "regroup", "--window", "48h", "--db", db],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr[-3000:]
    line = done.stderr.strip().splitlines()[-1]
    if where == "first batch stored":
        assert count(db, "select count(*) from articles where story_id is not null") == 200
        assert line.startswith("newsmon: regroup stopped (Ctrl-C) after 200 of 3,003 articles") and line.endswith(
            f"each batch done stored: run `newsmon regroup --window 48h --storyless --db {db}` to place the "
            "others"), line
    else:
        assert count(db, "select count(*) from stories") == stories
        assert count(db, "select count(*) from articles where story_id is null") == 0
        assert line == (f"newsmon: regroup stopped (Ctrl-C) before it placed an article; no story was changed: run "
                        f"`newsmon regroup --window 48h --db {db}` again"), line


def test_regroup_stopped_with_ctrl_c_says_how_far_it_got_and_storyless_places_the_rest(tmp_path, warc):
    # Stopped, a regroup leaves the articles it had not reached in no story: Click said "Aborted!",
    # exit 1, and not that `newsmon regroup --storyless` places them.
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    _copies(db, 1000)
    assert count(db, "select count(*) from articles where story_id is null") == 3000

    def placed(_) -> bool:  # the first batch of 200 (3 articles were in a story before)
        try:
            return count(db, "select count(*) from articles where story_id is not null") >= 200
        except sqlite3.OperationalError:  # locked a moment
            return False

    code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", "regroup", "--window", "48h", "--db", db],
                                placed)
    assert code == 130, stderr[-3000:]
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("newsmon: regroup stopped (Ctrl-C) after ") and line.endswith(
        f" of 3,003 articles, each batch done stored: run `newsmon regroup --window 48h --storyless --db {db}` to "
        "place the others"), line
    assert count(db, "select count(*) from articles where story_id is null") > 0
    again = newsmon("regroup", "--window", "48h", "--storyless", "--db", db)
    assert again.returncode == 0, again.stderr.decode()[-3000:]
    assert count(db, "select count(*) from articles where story_id is null") == 0


_STOPPED_AT_A_BATCH = """
import sys
from crawler.cli import cli

WHERE, N, BATCH = sys.argv.pop(1), int(sys.argv.pop(1)), sys.argv.pop(1)
seen = 0


def at(frame, event, arg):
    global seen
    if WHERE == "stored":  # the Nth COMMIT of a batch's `with transaction` (in function BATCH), before it is counted
        if event != "c_return" or frame.f_code.co_name != "transaction" or frame.f_locals["conn"].in_transaction:
            return
        block = frame.f_back.f_back if frame.f_back is not None else None
    else:  # "ends": contextlib's __exit__ of the Nth such block, entered without an error, before its COMMIT
        if event != "call" or frame.f_code.co_name != "__exit__" or not frame.f_code.co_filename.endswith(
                "contextlib.py") or frame.f_locals.get("typ") is not None:
            return
        block = frame.f_back
    if block is not None and block.f_code.co_name == BATCH:
        seen += 1
        if seen == N:
            sys.setprofile(None)
            raise KeyboardInterrupt


sys.setprofile(at)
cli(sys.argv[1:])
"""


def _stopped_at_a_batch(db: str, where: str, n: int, batch: str, *command: str) -> str:
    """``command`` run on ``db`` under ``_STOPPED_AT_A_BATCH``: the line it said as it stopped, exit 130."""
    done = subprocess.run([sys.executable, "-c", _STOPPED_AT_A_BATCH, where, str(n), batch, *command, "--db", db],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("where, n", [("stored", 1), ("ends", 2)])
def test_rescore_stopped_at_a_batch_commit_says_what_the_database_holds(tmp_path, warc, where, n):
    # Just after the first batch's COMMIT, before the progress counted it: "after 0 of 1,002 articles" of a database
    # holding 500 rescored. As the second batch's block ends, before its COMMIT: its transaction left open, rolled back
    # as the database closes, is not counted.
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    _copies(db, 333)  # 1,002 articles: batches of 500, scored in this process
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET score = -1")  # every score is moved: the database tells those rescored
    line = _stopped_at_a_batch(db, where, n, "write", "rescore")
    assert count(db, "select count(*) from articles where score != -1") == 500
    assert line == (f"newsmon: rescore stopped (Ctrl-C) after 500 of 1,002 articles, each batch done stored: run "
                    f"`newsmon rescore --db {db}` again to finish"), line


@pytest.mark.parametrize("where, n, copies, done, total", [("stored", 1, 0, 1, 3), ("ends", 2, 0, 1, 3),
                                                           ("stored", 5, 2, 5, 9)], ids=["stored", "ends", "kept"])
def test_reextract_stopped_at_an_article_commit_says_what_the_database_holds(tmp_path, warc, where, n, copies, done,
                                                                             total):
    # Just after an article's COMMIT, before the progress counted it: "after 0 of 3 articles" of a database holding 1
    # read again. As the second one's block ends, before its COMMIT: its transaction left open is not counted. Articles
    # with no page left to read (copies), marked read again as they are, were never counted: "after 3 of 9" of 5.
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    if copies:
        _copies(db, copies)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET extraction = NULL")  # every one outdated: the database tells those read again
    line = _stopped_at_a_batch(db, where, n, "reextract", "reextract", "--outdated")
    assert count(db, "select count(*) from articles where extraction is not null") == done
    assert line == (f"newsmon: reextract stopped (Ctrl-C) after {done} of {total} articles, each batch done stored: "
                    f"run `newsmon reextract --outdated --db {db}` again to finish"), line


_STOPPED_IN = """
import sys
import storage.db
from crawler import store
from crawler.cli import cli

FUNCTION, N, AGAIN = sys.argv.pop(1), int(sys.argv.pop(1)), sys.argv.pop(1) == "again"
seen = 0


def at(frame, event, arg):
    global seen
    if FUNCTION.startswith("COMMIT of "):  # just after the Nth COMMIT of a `with transaction` block in that function
        if event != "c_return" or frame.f_code.co_name != "transaction" or frame.f_locals["conn"].in_transaction:
            return
        block = frame.f_back.f_back if frame.f_back is not None else None
        if block is None or block.f_code.co_name != FUNCTION[len("COMMIT of "):]:
            return
    elif event != "call" or frame.f_code.co_name != FUNCTION:  # as the function is called the Nth time
        return
    seen += 1
    if seen == N:
        sys.setprofile(None)
        raise KeyboardInterrupt


settle = storage.db.settle


def pressed_again(db):  # a second Ctrl-C as the first's handler rolls back what it left open
    settle(db)
    if not pressed_again.done:
        pressed_again.done = True
        raise KeyboardInterrupt


pressed_again.done = False


if AGAIN:
    storage.db.settle = store.settle = pressed_again
sys.setprofile(at)
cli(sys.argv[1:])
"""


def _stopped_in(db: str, function: str, n: int, again: bool, *command: str) -> str:
    """``command`` run on ``db`` under ``_STOPPED_IN``: the line it said as it stopped, exit 130."""
    done = subprocess.run([sys.executable, "-c", _STOPPED_IN, function, str(n), "again" if again else "once",
                           *command, "--db", db], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("function, n, again, held", [("refresh_of", 1, False, 0), ("update_relevance", 2, False, 500),
                                                      ("COMMIT of write", 1, True, 500)],
                         ids=["in-the-block", "in-the-second-block", "pressed-again"])
def test_rescore_stopped_in_a_batch_that_moves_no_score_says_what_the_database_holds(tmp_path, warc, function, n,
                                                                                     again, held):
    # A batch whose scores do not move (a topic's threshold changed, and no article crosses it; the classifier
    # retrained) was counted whatever the database held: stopped inside its block, rolled back, "after 500 of 1,002
    # articles" of a database holding none rescored. A Ctrl-C pressed again as the first one's handler counted the
    # batch just committed said "after 0".
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    _copies(db, 333)  # 1,002 articles: batches of 500, scored in this process
    with closing(sqlite3.connect(db)) as conn, conn:
        if again:
            conn.execute("UPDATE articles SET score = -1")
        else:  # the config's threshold (6.0) is written back to each article rescored; no score moves
            conn.execute("UPDATE articles SET threshold = 5.0 WHERE threshold = 6.0")
    line = _stopped_in(db, function, n, again, "rescore")
    rescored = "score != -1" if again else "threshold = 6.0"
    last = count(db, f"select coalesce(max(id), 0) from articles where {rescored}")
    assert (last + 499) // 500 * 500 == held  # batches of 500 by id
    assert line == (f"newsmon: rescore stopped (Ctrl-C) after {held} of 1,002 articles, each batch done stored: run "
                    f"`newsmon rescore --db {db}` again to finish"), line


@pytest.mark.parametrize("function, n, again", [("_write_own", 2, False), ("rehash_sightings", 2, False),
                                                ("COMMIT of reextract", 1, True)],
                         ids=["in-the-block", "at-its-end", "pressed-again"])
def test_reextract_stopped_at_an_article_whose_text_holds_says_what_the_database_holds(tmp_path, warc, function, n,
                                                                                        again):
    # `newsmon reextract OUTLET` after its rules were mended to read dates: an article whose title and text read as
    # stored has the extraction, version and hash it had, and the one stopped inside its block (rolled back) was
    # counted: "after 2 of 3 articles" of a database holding 1 read again. A Ctrl-C pressed again as the first one's
    # handler counted the article just committed said "after 0".
    db = str(tmp_path / "n.db")
    assert newsmon("ingest", str(warc), "--db", db).returncode == 0
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE articles SET published_at = '2000-01-01'")  # each article read again has its date back
    line = _stopped_in(db, function, n, again, "reextract")
    assert count(db, "select count(*) from articles where published_at != '2000-01-01'") == 1
    assert line == (f"newsmon: reextract stopped (Ctrl-C) after 1 of 3 articles, each batch done stored: run "
                    f"`newsmon reextract --db {db}` again to finish"), line
