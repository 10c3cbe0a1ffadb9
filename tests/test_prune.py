"""``newsmon prune``: raw pages older than [storage] keep_pages go, articles and their review stay."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from crawler import store
from storage import frontier, open_db

from .conftest import saved_bytes

PAGES = {
    "https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/": "fundus-jp/SankeiShimbun_2025_01_21.html",
    "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/": "scrapping-webs/nikkei-test_article_1.html",
}


def newsmon(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_prune_keeps_articles_reviews_and_pages_awaiting_extraction(tmp_path):
    path = tmp_path / "n.db"
    db = open_db(path)
    for url, relpath in PAGES.items():
        body = saved_bytes(relpath)
        store.save(db, url=url, body=body, record=store.analyse(body, url), outlet=store.outlet_key(url, store.outlets_of(None)))
    waiting = store.keep_page(db, "https://www.sankei.com/article/2/", b"<html><p>later</p></html>", outlet="sankei")
    # Page 2 of an article an archive held without its first page: read with it, however late.
    later = "https://www.sankei.com/article/3/?page=2"
    store.keep_waiting(db, url=later, first="https://www.sankei.com/article/3/", body=b"<html><p>2</p></html>",
                       content_type="text/html", outlet="sankei")
    later_page = store.waiting_page(db, later)
    with db.conn:
        db.execute("UPDATE pages SET fetched_at = '2020-01-01T00:00:00+00:00'")
        db.execute("UPDATE articles SET status = 'follow-up', review_note = 'ask the desk' WHERE outlet = 'sankei'")
    db.close()
    config = tmp_path / "newsmon.toml"
    config.write_text('[storage]\nkeep_pages = "365d"\n', encoding="utf-8")
    result = newsmon("prune", "--db", str(path), "--config", str(config), "--vacuum")
    assert result.returncode == 0, result.stderr
    assert "pruned 2 raw pages" in result.stdout and "vacuumed" in result.stdout
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT id FROM pages ORDER BY id").fetchall() == [(waiting,), (later_page,)]
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (2,)
        assert conn.execute("SELECT status, review_note FROM articles WHERE outlet = 'sankei'").fetchone() == \
            ("follow-up", "ask the desk")
    finally:
        conn.close()
    db = open_db(path)
    assert frontier.fetched_urls(db, "sankei") == [("https://www.sankei.com/article/2/", waiting)]
    db.close()
    # reextract has nothing left to rebuild the pruned articles from, and keeps them as they are.
    again = newsmon("reextract", "--db", str(path))
    assert again.returncode == 0, again.stderr
    assert "re-extracted 0 articles (0 versions of changed ones); 2 articles kept as they are" in again.stdout
    assert "1 stored pages hold no article" in again.stdout


def test_vacuum_says_the_size_the_file_has_after_it(tmp_path):
    # In WAL mode VACUUM writes the rebuilt file to the log: read before a checkpoint, the file
    # still had its old size, and the report said nothing was given back ("4.4 MB -> 4.4 MB").
    from storage import queries

    path = tmp_path / "n.db"
    db = open_db(path)
    for n in range(40):  # 2 MB of pages that do not compress
        queries.save_page(db, f"https://www.sankei.com/article/{n}/", os.urandom(50_000), article_id=None,
                          http_status=200, content_type="text/html", now="2020-01-01T00:00:00+00:00", outlet="sankei")
    db.close()
    result = newsmon("prune", "--db", str(path), "--keep", "365d", "--vacuum")
    assert result.returncode == 0, result.stderr
    assert "pruned 40 raw pages" in result.stdout
    reported = result.stdout.strip().splitlines()[-1]
    on_disk = sum(os.path.getsize(f"{path}{end}") for end in ("", "-wal") if os.path.exists(f"{path}{end}"))
    assert reported.startswith(f"newsmon: vacuumed {path}: ") and reported.endswith(f" -> {on_disk / 1e6:.1f} MB")
    before = float(reported.split(": ")[-1].split(" MB")[0])
    assert before - on_disk / 1e6 >= 1.5  # most of the 2 MB given back, and said so


def test_prune_needs_a_duration(tmp_path):
    open_db(tmp_path / "n.db").close()
    none = newsmon("prune", "--db", str(tmp_path / "n.db"))
    assert none.returncode == 2 and "give --keep 365d, or set [storage] keep_pages" in none.stderr
    config = tmp_path / "bad.toml"
    config.write_text('[storage]\nkeep_pages = "5m"\nkeep = 1\n', encoding="utf-8")
    bad = newsmon("status", "--db", str(tmp_path / "n.db"), "--config", str(config))
    assert bad.returncode == 2 and bad.stderr.strip() == \
        f"Error: {config}: [storage] has unknown key(s) keep; allowed: keep_pages"
    config.write_text('[storage]\nkeep_pages = "5m"\n', encoding="utf-8")
    bad = newsmon("prune", "--db", str(tmp_path / "n.db"), "--config", str(config))
    assert bad.returncode == 2 and "[storage] keep_pages = '5m': write a number of hours, days" in bad.stderr


def _no_bigger_files_than(limit: int):
    def limited():  # in the child: files past ``limit`` bytes fail to write (EFBIG), as on a full disk
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error to report, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limited


def test_a_vacuum_that_fails_is_one_line_and_the_pruning_stays(tmp_path):
    path = tmp_path / "n.db"
    db = open_db(path)
    url, relpath = next(iter(PAGES.items()))
    body = saved_bytes(relpath)
    store.save(db, url=url, body=body, record=store.analyse(body, url), outlet="sankei")
    (old,), = db.execute("SELECT id FROM pages").fetchall()
    with db.conn:
        db.execute("UPDATE pages SET fetched_at = '2020-01-01T00:00:00+00:00'")
    for n in range(40):  # recent pages, kept: a file VACUUM has to copy whole
        store.keep_page(db, f"https://www.sankei.com/article/{n}/", body + str(n).encode() * 2000, outlet="sankei")
    db.close()
    size = path.stat().st_size
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "prune", "--db", str(path), "--keep", "365d",
                             "--vacuum"], capture_output=True, text=True, timeout=120,
                            preexec_fn=_no_bigger_files_than(size // 2))
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1 and "pruned 1 raw pages" in result.stdout
    assert result.stderr.startswith(f"Error: cannot vacuum {path} (") and len(result.stderr.splitlines()) == 1
    assert "then run `newsmon prune --vacuum` again" in result.stderr
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM pages WHERE id = ?", [old]).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pages").fetchone() == (40,)
    finally:
        conn.close()


def test_a_prune_writes_little_of_what_it_deletes_so_it_runs_on_a_nearly_full_disk(tmp_path):
    # Debian's SQLite overwrites freed pages with zeros (secure_delete): a prune wrote every byte
    # it deleted again, through the WAL, and one run to make room on a nearly full disk stopped
    # with "the disk is full" (seen on a 6 MB tmpfs with 1.5 MB free: 1.6 MB of pages to prune).
    from storage import pages

    path = tmp_path / "n.db"
    db = open_db(path)
    url, relpath = next(iter(PAGES.items()))
    body = saved_bytes(relpath)
    for n in range(40):  # pages of articles read long ago (none awaits extraction), 30 KB that no codec shrinks
        pages.save_page(db, f"https://www.sankei.com/article/{n}/", body + os.urandom(30_000), outlet="sankei",
                        now="2020-01-01T00:00:00+00:00")
    stored = db.execute("SELECT sum(length(body_gz)) FROM pages").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA wal_autocheckpoint = 0")  # what the prune wrote stays in the WAL, to be measured
    secure = db.execute("PRAGMA secure_delete").fetchone()[0]
    assert sum(pages.prune(db, "2021-01-01T00:00:00+00:00")) == 40
    written = (tmp_path / "n.db-wal").stat().st_size
    assert written < stored / 4, (written, stored)
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == secure  # the connection's setting is back
    assert db.execute("SELECT count(*) FROM pages").fetchone() == (0,)
    db.close()


def test_a_prune_finds_the_versions_of_each_page_it_deletes_by_an_index(tmp_path):
    # article_versions.page_id names a page (ON DELETE SET NULL): for each page deleted, SQLite read every version
    # there is to find its own, and a prune of 100,000 pages of as many articles, a tenth with two versions, spent
    # most of its minutes there, and each batch read every URL of the ledger (221 s, 20 s after it). m059 indexes
    # both; the versions stay, their page unnamed.
    from storage import pages

    path = tmp_path / "n.db"
    db = open_db(path)
    for url, relpath in PAGES.items():
        body = saved_bytes(relpath)
        store.save(db, url=url, body=body, record=store.analyse(body, url),
                   outlet=store.outlet_key(url, store.outlets_of(None)))
    with db.conn:
        db.execute("INSERT INTO article_versions (article_id, version, fetched_at, content_hash, page_id) "
                   "SELECT article_id, v.n, fetched_at, 'h' || v.n, id FROM pages, (SELECT 1 AS n UNION SELECT 2) AS v")
        db.execute("UPDATE pages SET fetched_at = '2020-01-01T00:00:00+00:00'")
    said = []
    db.conn.set_trace_callback(said.append)
    assert sum(pages.prune(db, "2021-01-01T00:00:00+00:00")) == 2
    db.conn.set_trace_callback(None)
    # Each deleted page's versions (SQLite's foreign key action), and, a batch at a time, its URLs.
    statements = list(dict.fromkeys(sql for sql in said
                                    if sql.lstrip().startswith(("DELETE FROM pages", "UPDATE urls"))))
    assert len(statements) == 2
    for sql in statements:
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert not [step for step in plan if step.startswith(("SCAN article_versions", "SCAN urls"))], plan
    assert db.execute("SELECT count(*), count(page_id) FROM article_versions").fetchone() == (4, 0)
    db.close()


def _three_thousand_old_pages(path) -> None:
    db = open_db(path)
    for url, relpath in PAGES.items():
        body = saved_bytes(relpath)
        store.save(db, url=url, body=body, record=store.analyse(body, url),
                   outlet=store.outlet_key(url, store.outlets_of(None)))
    with db.conn:  # 3,000 old pages: 6 batches
        columns = ", ".join(r[1] for r in db.execute("PRAGMA table_info(pages)") if r[1] != "id")
        db.execute(f"WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 1500) "
                   f"INSERT INTO pages ({columns}) SELECT {columns} FROM pages, k")
        db.execute("UPDATE pages SET fetched_at = '2020-01-01T00:00:00+00:00'")
    db.close()


def _pages(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    finally:
        conn.close()


def _stopped_line(path, total: int, err: str) -> None:
    assert "Traceback" not in err, err[-3000:]
    line = err.strip().splitlines()[-1]
    left = _pages(path)
    assert 0 < left < total
    assert line == (f"newsmon: prune stopped (Ctrl-C) after it pruned {total - left:,} raw pages, each batch done "
                    f"stored: run `newsmon prune --keep 365d --db {path}` again to finish"), line
    again = newsmon("prune", "--keep", "365d", "--db", str(path))
    assert again.returncode == 0, again.stderr
    assert _pages(path) == 0


def _prune_stopped(tmp_path, script: str, *, given: tuple[str, ...] = (), options: tuple[str, ...] = ()):
    """A prune of 3,000 old pages run under ``script``, a `python -c` wrapper that stops it (``given``: its own
    arguments): (the database, its pages before, the prune's CompletedProcess), which exited 130."""
    path = tmp_path / "n.db"
    _three_thousand_old_pages(path)
    total = _pages(path)
    done = subprocess.run([sys.executable, "-c", script, *given, "prune", "--db", str(path), "--keep", "365d",
                           *options], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr[-3000:]
    return path, total, done


def test_prune_stopped_with_ctrl_c_says_how_far_it_got_and_the_next_one_finishes(tmp_path):
    # Click said "Aborted!", exit 1: not that the pages pruned stay pruned, nor what prunes the rest.
    import signal
    import time

    path = tmp_path / "n.db"
    _three_thousand_old_pages(path)
    total = _pages(path)
    command = [sys.executable, "-m", "crawler.cli", "prune", "--db", str(path), "--keep", "365d"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and _pages(path) == total and time.monotonic() < deadline:
            time.sleep(0.01)  # until its first batch is stored
        assert proc.poll() is None, "the prune ended before it could be stopped"
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
        err = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err[-3000:]
    _stopped_line(path, total, err)


_AT_THE_SECOND_COMMIT = """
import os
import sys
from crawler.cli import cli

commits = 0


def at_commit(frame, event, arg):
    global commits
    # c_call: as the COMMIT starts (it rolls back); c_return: once it is done
    if event != "{event}" or frame.f_code.co_name != "transaction":
        return
    caller = frame
    while caller is not None and not caller.f_code.co_filename.endswith(os.path.join("storage", "pages.py")):
        caller = caller.f_back
    if caller is not None:  # a batch of pages.prune
        commits += 1
        if commits == 2:
            sys.setprofile(None)
            raise KeyboardInterrupt


sys.setprofile(at_commit)
cli(sys.argv[1:])
"""


@pytest.mark.parametrize("event, pruned", [("c_return", 1000), ("c_call", 500)], ids=["after", "before"])
def test_prune_stopped_at_a_batch_commit_counts_what_is_stored(tmp_path, event, pruned):
    # The line summed the counts the batches had yielded: a Ctrl-C between a batch's COMMIT and its
    # yield (where the test above, waiting for the first batch to show, often sends it) said 500 of 1,000.
    path, total, done = _prune_stopped(tmp_path, _AT_THE_SECOND_COMMIT.format(event=event))
    assert _pages(path) == total - pruned
    _stopped_line(path, total, done.stderr)


_AS_THE_SECOND_BATCH_ENDS = """
import sys
from crawler.cli import cli

ends = 0


def at_exit(frame, event, arg):
    global ends
    # contextlib's __exit__ of a batch's `with transaction(db)`, entered without an error: the DELETE done, before
    # it resumes transaction() to COMMIT (where a SIGINT arriving just after the DELETE is raised)
    if event != "call" or frame.f_code.co_name != "__exit__" or not frame.f_code.co_filename.endswith("contextlib.py"):
        return
    if frame.f_back is None or frame.f_back.f_code.co_name != "_batches" or frame.f_locals.get("typ") is not None:
        return
    ends += 1
    if ends == 2:
        sys.setprofile(None)
        raise KeyboardInterrupt


sys.setprofile(at_exit)
cli(sys.argv[1:])
"""


def test_prune_stopped_as_a_batch_ends_before_its_commit_counts_only_what_is_stored(tmp_path):
    # The batch's transaction stayed open under the KeyboardInterrupt's traceback: deleted() saw its own uncommitted
    # DELETE and said 1,000, the exit rolled it back (500 gone), with "Exception ignored in: <generator object
    # transaction>" and its traceback after the line.
    path, total, done = _prune_stopped(tmp_path, _AS_THE_SECOND_BATCH_ENDS)
    assert _pages(path) == total - 500
    _stopped_line(path, total, done.stderr)


_INGESTED_AFTER_THE_FIRST_COMMIT = """
import sqlite3
import sys
from crawler.cli import cli

DB = sys.argv[sys.argv.index("--db") + 1]


def at_commit(frame, event, arg):
    if event == "c_return" and frame.f_code.co_name == "transaction" and frame.f_back is not None \\
            and frame.f_back.f_code.co_name == "__exit__":
        sys.setprofile(None)
        other = sqlite3.connect(DB, timeout=30)  # an ingest, its write done as the batch's lock is let go
        columns = ", ".join(r[1] for r in other.execute("PRAGMA table_info(pages)") if r[1] != "id")
        with other:
            other.execute(f"INSERT INTO pages ({columns}) SELECT {columns} FROM pages ORDER BY id LIMIT 3")
        other.close()
        raise KeyboardInterrupt


sys.setprofile(at_commit)
cli(sys.argv[1:])
"""


def test_pages_another_process_adds_as_a_prune_stops_do_not_make_its_count_short(tmp_path):
    # The first batch held the highest ids (an archive's old pages, inserted last): rows inserted after its COMMIT took
    # three of them again, and deleted(), by id alone, said 497 of 500.
    path = tmp_path / "n.db"
    _three_thousand_old_pages(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE pages SET fetched_at = '2019-01-01T00:00:00+00:00' "
                     "WHERE id > (SELECT max(id) - 500 FROM pages)")
    conn.close()
    done = subprocess.run([sys.executable, "-c", _INGESTED_AFTER_THE_FIRST_COMMIT, "prune", "--db", str(path),
                           "--keep", "365d"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.stderr.strip().splitlines()[-1].startswith(
        "newsmon: prune stopped (Ctrl-C) after it pruned 500 raw pages, each batch done stored"), done.stderr[-3000:]


_STOPPED_AGAIN = """
import sys
from crawler.cli import cli
from storage import pages

MODE = sys.argv.pop(1)
commits = 0
real = pages.Pruning.deleted


def deleted(self):  # a second Ctrl-C, as its query starts
    pages.Pruning.deleted = real
    raise KeyboardInterrupt


def at(frame, event, arg):
    global commits
    if MODE == "second" and event == "c_return" and frame.f_code.co_name == "transaction" \\
            and frame.f_back is not None and frame.f_back.f_code.co_name == "__exit__":
        commits += 1
        if commits == 2:  # just after the second batch's COMMIT
            sys.setprofile(None)
            raise KeyboardInterrupt
    if MODE == "after" and event == "call" and frame.f_code.co_name == "__exit__" \\
            and frame.f_code.co_filename.endswith("progress.py"):  # every batch done
        sys.setprofile(None)
        raise KeyboardInterrupt


if MODE == "second":
    pages.Pruning.deleted = deleted
sys.setprofile(at)
cli(sys.argv[1:])
"""


@pytest.mark.parametrize("mode", ["second", "after"])
def test_a_ctrl_c_past_the_batches_says_what_was_pruned(tmp_path, mode):
    # Past the prune's handler (a second Ctrl-C as it counts, or one as the progress bar closes, every page pruned),
    # the catch-all said the line set at the start: "prune stopped (Ctrl-C) before it deleted a page".
    path, total, done = _prune_stopped(tmp_path, _STOPPED_AGAIN, given=(mode,))
    if mode == "second":
        assert _pages(path) == total - 1000
        _stopped_line(path, total, done.stderr)
    else:
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert _pages(path) == 0
        assert done.stderr.strip().splitlines()[-1].startswith(
            f"newsmon: prune stopped (Ctrl-C) after it pruned {total:,} raw pages, all those fetched before ")


def test_a_ctrl_c_after_the_batches_of_a_prune_with_vacuum_says_the_space_is_not_given_back(tmp_path):
    # Its line said all the pages were pruned, and nothing of the vacuum it never ran.
    path, total, done = _prune_stopped(tmp_path, _STOPPED_AGAIN, given=("after",), options=("--vacuum",))
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert _pages(path) == 0
    assert done.stderr.strip().splitlines()[-1] == (
        f"newsmon: prune stopped (Ctrl-C) after it pruned {total:,} raw pages, all those fetched before "
        f"{done.stderr.split('fetched before ')[1][:10]}, before it vacuumed: run `newsmon prune --keep 365d --vacuum "
        f"--db {path}` to give the space back")


_STOPPED_AS_IT_HAS_COUNTED = """
import sys
from crawler.cli import cli

commits = 0


def at_commit(frame, event, arg):
    global commits
    if event == "c_return" and frame.f_code.co_name == "transaction" and frame.f_back is not None \\
            and frame.f_back.f_code.co_name == "__exit__":
        commits += 1
        if commits == 2:  # just after the second batch's COMMIT (a profile function that raises is unset)
            raise KeyboardInterrupt


def as_it_says(frame, event, arg):  # a second Ctrl-C, as the line read from the database is returned
    if event == "call" and frame.f_code.co_name == "stopped":
        return as_it_says
    if event == "return" and frame.f_code.co_name == "stopped":
        sys.settrace(None)
        raise KeyboardInterrupt


sys.settrace(as_it_says)
sys.setprofile(at_commit)
cli(sys.argv[1:])
"""


def test_a_second_ctrl_c_as_the_prune_has_counted_says_what_was_pruned(tmp_path):
    # It fell to the catch-all, whose line was still "prune stopped (Ctrl-C) before it deleted a page".
    path, total, done = _prune_stopped(tmp_path, _STOPPED_AS_IT_HAS_COUNTED)
    assert _pages(path) == total - 1000
    _stopped_line(path, total, done.stderr)
