"""Ingest at archive scale: filter first, parts on a real Dask LocalCluster, URLs, listings, the ledger.

The archives are written with warcio from the saved pages (tests/warcs.py). The cluster is a
real ``distributed.LocalCluster`` of 2 worker processes on 127.0.0.1, and the HTTP server a real
one on 127.0.0.1; the runs are shared between the tests that read them.
"""

from __future__ import annotations

import base64
import bz2
import contextlib
import functools
import gzip
import io
import json
import logging
import os
import pickle
import random
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
import zstandard
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import archives, store
from crawler.bodies import Corrupt, decompress
from crawler.extract import extract_article
from crawler.ingest import known_host
from crawler.outlets import outlet_for_url
from crawler.progress import Progress
from crawler.urls import canonical_url
from storage import open_db

from . import warcs
from .conftest import CRASH_MARKER, crashing_env, saved_bytes
from .test_ingest_rescore import _ctrl_c_when

PART = "64k"  # small parts, so that small archives make several
ROOT = Path(__file__).resolve().parent.parent
HOSTS = store.known_hosts(store.outlets_of(None))


def newsmon(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                            timeout=300, cwd=cwd, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def counts(result: subprocess.CompletedProcess) -> dict[str, int]:
    return {name: int(n) for n, name in re.findall(r"(\d+) ([a-z ]+?)(?=,|;|$)", result.stdout.strip())}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """An archive of 60 fetches (a fifth of them outlet pages) in three forms, and a truncated one."""
    d = tmp_path_factory.mktemp("archives")
    fetches = warcs.cc_news_like(60, 0.2, seed=1)
    buffer = io.BytesIO()
    warcs.write(buffer, fetches, requests=True)
    whole = buffer.getvalue()
    (d / "dir").mkdir()
    (d / "dir" / "news.warc.gz").write_bytes(whole)
    warcs.write(d / "dir" / "plain.warc", warcs.cc_news_like(12, 0.5, seed=2), gzip=False)
    warcs.write(d / "dir" / "small.warc.gz", warcs.cc_news_like(6, 0.5, seed=3))
    (d / "cut.warc.gz").write_bytes(whole[:len(whole) * 3 // 5])
    return d


@pytest.fixture(scope="module")
def runs(files) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """The same inputs ingested in this process and on a 2-worker LocalCluster."""
    out = {}
    for name, workers in (("local", "0"), ("cluster", "2")):
        db = files / f"{name}.db"
        out[name] = (newsmon("ingest", str(files / "dir"), str(files / "cut.warc.gz"), "--db", str(db),
                             "--workers", workers, "--part-size", PART), db)
    return out


def test_only_the_outlets_pages_are_extracted_and_each_is_stored(runs):
    result, db = runs["local"]
    assert result.returncode == 1  # cut.warc.gz is read only in part
    found = counts(result)
    stored = {url for (url,) in rows(db, "SELECT url FROM urls")}
    outlet_pages = {canonical_url(f.url, HOSTS) for f in warcs.cc_news_like(60, 0.2, seed=1)
                    if known_host(urlsplit(f.url).hostname, HOSTS)}
    # Every outlet page of the whole archive is in the ledger, in a final state; nothing of another site is.
    assert len(outlet_pages) == 12 and outlet_pages <= stored
    assert all(known_host(urlsplit(u).hostname, HOSTS) for u in stored)
    assert found["other sites"] > found["extracted"] > 0
    kinds = dict(rows(db, "SELECT kind, count(*) FROM urls GROUP BY kind"))
    assert set(kinds) <= {"article", "not_article"} and kinds["article"] > 0


def test_a_cluster_of_two_workers_stores_what_one_process_does(runs, files):
    (local, local_db), (cluster, cluster_db) = runs["local"], runs["cluster"]
    assert cluster.returncode == local.returncode == 1
    assert counts(cluster) == counts(local)
    sql = "SELECT url, title, content_hash, relevant FROM articles ORDER BY url"
    assert rows(cluster_db, sql) == rows(local_db, sql)
    assert rows(cluster_db, "SELECT url, kind FROM urls ORDER BY url") == rows(local_db, "SELECT url, kind FROM urls ORDER BY url")
    # Both say where the truncated archive stopped, with the records counted across its parts: as
    # reading it whole, in one part, does.
    assert cluster.stderr == local.stderr
    whole = archives.PartRead()
    list(archives.read_part(archives.Part(archives.probe(str(files / "cut.warc.gz")), None, 0, None, 0),
                            lambda record, url: None, whole))
    assert whole.stop is not None and "the file is truncated" in whole.stop.describe()
    assert f"cut.warc.gz: read only in part: {whole.stop.describe()}; the records before it are stored" in local.stderr


def test_parts_read_every_record_once(files):
    source = archives.probe(str(files / "dir" / "news.warc.gz"))
    parts = archives.plan(source, part_bytes=64 * 1024)
    assert len(parts) > 3
    seen: list[str] = []
    total = archives.PartRead()
    for part in parts:
        read = archives.PartRead()
        seen += list(archives.read_part(part, lambda record, url: url if record.rec_type == "response" else None,
                                        read))
        assert read.stop is None
        total.records += read.records
    assert seen == [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)]
    assert total.records == 1 + 2 * 60  # warcinfo, then a request and a response per fetch


def test_the_ledger_skips_finished_archives_and_force_reads_them_again(runs, files):
    _, db = runs["local"]
    again = newsmon("ingest", str(files / "dir"), "--db", str(db), "--workers", "0")
    assert again.returncode == 0 and counts(again)["records"] == 0 and "3 archive(s) skipped" in again.stdout
    ledger = rows(db, "SELECT source, finished_at IS NOT NULL, stopped IS NOT NULL FROM ingested_archives ORDER BY source")
    assert [(Path(s).name, f, p) for s, f, p in ledger] == [
        ("cut.warc.gz", 1, 1), ("news.warc.gz", 1, 0), ("plain.warc", 1, 0), ("small.warc.gz", 1, 0)]
    forced = newsmon("ingest", str(files / "dir" / "small.warc.gz"), "--db", str(db), "--force", "--workers", "0")
    assert counts(forced)["records"] == 7 and counts(forced)["new"] == 0


@pytest.mark.parametrize("whole", [True, False], ids=["read-whole", "read-in-part"])
def test_another_archive_at_the_same_path_is_read_from_its_start(tmp_path, whole):
    # A file replaced by another archive of the same name (a rolling download, "today.warc.gz"):
    # the ledger knew it by its path and size, so the new file was skipped as ingested, or, the
    # old one read only in part and the new one larger, resumed at the old one's offset and
    # "read" as a damaged file: none of its records stored.
    pages = warcs.outlet_pages()
    path = tmp_path / "today.warc.gz"
    old = io.BytesIO()
    warcs.write(old, pages[:3])
    path.write_bytes(old.getvalue() if whole else old.getvalue()[: len(old.getvalue()) * 2 // 3])
    db = tmp_path / "n.db"
    first = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert first.returncode == (0 if whole else 1) and counts(first)["new"] >= 1
    new = io.BytesIO()
    warcs.write(new, pages[3:9])
    path.write_bytes(new.getvalue())
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert again.returncode == 0, again.stderr
    assert "1 archive(s) read from the start: another archive was read at the same place before" in again.stdout
    assert counts(again)["records"] == 7 and counts(again)["new"] == 6
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, None)]


def _grown(tmp_path: Path, files: Path, whole: bytes, workers: str,
           name: str = "growing.warc.gz") -> tuple[subprocess.CompletedProcess, Path]:
    """Ingest the first half of ``whole`` (news.warc.gz's 60 fetches in some form), then all of it
    (the download finished): the second run reads on and the two store what news.warc.gz holds."""
    path = tmp_path / name
    path.write_bytes(whole[:len(whole) // 2])
    db = tmp_path / "n.db"
    first = newsmon("ingest", str(path), "--db", str(db), "--workers", workers, "--part-size", PART)
    assert first.returncode == 1 and "read only in part" in first.stderr
    path.write_bytes(whole)  # the download finished
    second = newsmon("ingest", str(path), "--db", str(db), "--workers", workers, "--part-size", PART)
    assert second.returncode == 0, second.stderr
    assert "1 archive(s) resumed" in second.stdout
    assert counts(first)["records"] + counts(second)["records"] == 1 + 2 * 60
    _holds_news_articles(db, files)
    return first, db


def test_a_truncated_archive_that_grows_is_read_on_from_where_it_stopped(tmp_path, files):
    first, db = _grown(tmp_path, files, (files / "dir" / "news.warc.gz").read_bytes(), "0")
    # The ledger counts the articles of both runs, not the second's alone.
    assert rows(db, "SELECT articles, relevant FROM ingested_archives") == \
        rows(db, "SELECT count(*), coalesce(sum(relevant), 0) FROM articles")
    assert counts(first)["new"] > 0


def test_an_archive_read_whole_that_grows_since_is_read_on_from_its_end(tmp_path):
    # wget writes NAME.warc.gz in place, a record at a time, with no .open name: read whole at a
    # record's end, it grew. It was read from its start again, every record extracted twice, and
    # the ledger counted only the articles after the first read (3 of 6).
    pages = warcs.outlet_pages()
    before, after = io.BytesIO(), io.BytesIO()
    warcs.write(before, pages[:3])
    warcs.write(after, pages[3:6])
    path, db = tmp_path / "news.warc.gz", tmp_path / "n.db"
    path.write_bytes(before.getvalue())
    first = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert first.returncode == 0, first.stderr
    path.write_bytes(before.getvalue() + after.getvalue())
    second = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert second.returncode == 0, second.stderr
    assert "1 archive(s) resumed" in second.stdout
    assert counts(second)["responses"] == 3 and counts(second)["seen"] == 0
    assert rows(db, "SELECT articles FROM ingested_archives") == rows(db, "SELECT count(*) FROM articles") == [(6,)]


def test_an_archive_shorter_than_when_it_was_read_keeps_the_ledgers_count_of_its_articles(tmp_path):
    # Its download started again (its first bytes the same): read from its start again, its articles are "seen", and
    # the ledger counted them from 0, as if the archive had given none, and went on so once the file was whole again.
    whole = io.BytesIO()
    warcs.write(whole, warcs.outlet_pages()[:6])
    data = whole.getvalue()
    path, db = tmp_path / "news.warc.gz", tmp_path / "n.db"
    for size in (len(data), _members(data)[4][0], len(data)):  # whole, then its first 3 responses, then whole
        path.write_bytes(data[:size])
        result = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        assert rows(db, "SELECT articles, finished_at IS NOT NULL FROM ingested_archives") == [(6, 1)]
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]


def test_another_archive_at_a_url_without_validators_is_told_by_its_first_bytes(tmp_path):
    # A server that gives no ETag nor Last-Modified: another, smaller archive at the URL was read as the same
    # one started again, the earlier one's articles counted as its own; and a larger one as the same grown,
    # read on from the other's end (garbage there, "cannot be parsed", and the archive marked read).
    pages = warcs.outlet_pages()
    first, other = io.BytesIO(), io.BytesIO()
    warcs.write(first, pages[:12])
    warcs.write(other, pages[20:23])
    path, db = tmp_path / "today.warc.gz", tmp_path / "n.db"
    server = _Server(tmp_path, False)
    try:
        def ingest(data: bytes) -> subprocess.CompletedProcess:
            path.write_bytes(data)
            result = newsmon("ingest", server.base + path.name, "--db", str(db), "--workers", "0")
            assert result.returncode == 0, result.stderr
            return result

        assert counts(ingest(first.getvalue()))["new"] == 12
        smaller = ingest(other.getvalue())
        assert "1 archive(s) read from the start: another archive was read at the same place before" in smaller.stdout
        assert rows(db, "SELECT articles FROM ingested_archives") == [(counts(smaller)["new"],)]
        larger = ingest(first.getvalue())
        assert "read from the start" in larger.stdout and counts(larger)["records"] == 13
        # The same archive, its download started again (its first records), is the same: it keeps its count.
        data = first.getvalue()
        again = ingest(data[:_members(data)[7][0]])
        assert "read from the start" not in again.stdout, again.stdout
        assert counts(again)["seen"] == 6
        assert "1 archive(s) resumed" in ingest(data).stdout
    finally:
        server.close()
    assert rows(db, "SELECT articles, finished_at IS NOT NULL, stopped FROM ingested_archives") == [(0, 1, None)]
    assert [a for _, a in server.requests] == ["bytes=0-4095", None] * 5


def test_a_file_that_only_starts_like_gzip_is_reported_and_the_other_archives_are_read(tmp_path, files):
    # Telling a WARC gzipped whole from one gzipped per record decompresses its first member:
    # garbage after the magic number raised zlib.error there, a traceback that ended the run.
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + b"not deflate data " * 8)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(bad), str(files / "dir" / "small.warc.gz"), "--db", str(db), "--workers", "0")
    assert result.returncode == 1 and f"newsmon: {bad}: " in result.stderr  # one line, no traceback
    assert rows(db, "SELECT count(*) FROM articles") == [(counts(result)["new"],)] and counts(result)["new"] > 0


def test_a_warc_gzipped_whole_is_read_in_one_stream_and_resumed_when_it_grows(tmp_path, files):
    # `gzip file.warc` makes one gzip stream, not a member per record: warcio refused it at its
    # second record ("non-chunked gzip"), and ingest failed the file with none of it read.
    plain = io.BytesIO()
    warcs.write(plain, warcs.cc_news_like(60, 0.2, seed=1), requests=True, gzip=False)
    first, _ = _grown(tmp_path, files, gzip.compress(plain.getvalue()), "2")
    assert counts(first)["records"] > 1


def _arc(fetches: list[warcs.Fetch]) -> list[bytes]:
    """The records of an ARC file (the Internet Archive's format before WARC, version 1, which
    warcio reads): a file description, then a header line and the HTTP response per fetch."""
    version = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [b"filedesc://news.arc 0.0.0.0 20050614070159 text/plain %d\n" % len(version) + version + b"\n"]
    for fetch in fetches:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(fetch.body) + fetch.body
        records.append(f"{fetch.url} 192.0.2.1 20050614070144 text/html {len(http)}\n".encode() + http + b"\n")
    return records


@pytest.mark.parametrize("form", ["per-record", "whole"])
def test_an_arc_gz_is_read_in_parts_every_record_once(tmp_path, form):
    # A later part starts at the first gzip member that holds a record; ARC records start with
    # their URL, not "WARC/": every part but the first found none and read nothing, and the
    # archive was marked finished (exit status 0) with all but its first 4 MB unread. Gzipped
    # whole, it was refused ("non-chunked gzip"), at "byte -50636".
    pages = warcs.outlet_pages()[:40]
    records = _arc(pages)
    path = tmp_path / "news.arc.gz"
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if form == "per-record"
                     else gzip.compress(b"".join(records)))
    source = archives.probe(str(path))
    assert source.kind == ("warc.gz" if form == "per-record" else "whole.gz")
    parts = archives.plan(source, part_bytes=64 * 1024)
    assert len(parts) == 1 if form == "whole" else len(parts) > 10
    seen: list[str] = []
    for part in parts:
        read = archives.PartRead()
        seen += archives.read_part(part, lambda record, url: url, read)
        assert read.stop is None, read.stop
    assert seen == [p.url for p in pages]
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert result.returncode == 0, result.stderr
    assert counts(result)["responses"] == len(pages)


def test_an_ingest_killed_after_a_part_inside_a_large_record_resumes_at_the_next_record(tmp_path, monkeypatch):
    # A part inside a record that an earlier part read whole reads nothing, and ended at its own
    # end: the ledger's resume point was inside that record. Killed there, the next run read
    # garbage at it, said the WARC "cannot be parsed" and marked it finished, the rest unread.
    from crawler import ingest

    pages = warcs.outlet_pages()[:8]
    noise = base64.b64encode(random.Random(1).randbytes(24_000))
    big = warcs.Fetch(pages[2].url, pages[2].body.replace(b"</body>", b"<!-- " + noise + b" --></body>"))
    fetches = [*pages[:2], big, *pages[3:]]
    path = tmp_path / "news.warc.gz"
    warcs.write(path, fetches)
    db = open_db(tmp_path / "n.db")
    store_part = ingest._store

    def killed_after_an_empty_part(db, archive, result, report, progress):
        store_part(db, archive, result, report, progress)
        if result.part.index > 0 and result.read.records == 0:
            raise KeyboardInterrupt  # as a kill: what is stored stays, nothing after it

    monkeypatch.setattr(ingest, "_store", killed_after_an_empty_part)
    with pytest.raises(KeyboardInterrupt):
        ingest.ingest(db, [str(path)], workers=0, part_bytes=4096, progress=Progress("ingest", stream=io.StringIO()))
    monkeypatch.setattr(ingest, "_store", store_part)
    report = ingest.ingest(db, [str(path)], workers=0, part_bytes=4096,
                           progress=Progress("ingest", stream=io.StringIO()))
    assert not report.failed and not report.partial, (report.failed, report.partial)
    stored = {u for (u,) in db.execute("SELECT url FROM urls")}
    assert stored == {canonical_url(f.url, HOSTS) for f in fetches}
    assert db.execute("SELECT finished_at IS NOT NULL, stopped FROM ingested_archives").fetchall() == [(1, None)]
    db.close()


@pytest.mark.parametrize("part", ["4M", "4k"], ids=["one-part", "parts"])
def test_empty_gzip_members_between_and_after_records_are_nothing_lost(tmp_path, part):
    # A writer that opens its file and closes it with no record appends an empty gzip member
    # (20 bytes); warcio reads past one. After the last record it made the archive "read only in
    # part ... it is truncated" on every run; between parts, bytes "no part read".
    pages = warcs.outlet_pages()[:6]
    records = []
    for page in pages:
        one = io.BytesIO()
        warcs.write(one, [page])
        records.append(one.getvalue())
    path = tmp_path / "news.warc.gz"
    path.write_bytes(gzip.compress(b"").join(records) + gzip.compress(b""))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", part)
    assert result.returncode == 0, result.stderr
    assert counts(result)["responses"] == len(pages)
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, None)]
    # Bytes that hold something are still no "nothing": a cut member at the end is a stop.
    path.write_bytes(path.read_bytes() + gzip.compress(b"WARC/1.0\r\n")[:-4])
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", part, "--force")
    assert again.returncode == 1 and "read only in part" in again.stderr


def test_records_no_part_finds_a_start_for_are_a_failure_to_resume_not_a_finished_archive(tmp_path, monkeypatch):
    # The safety net under every way of finding where a part starts: a record the finder does
    # not know for one (as ARC records were) is read by no part. It was lost, the archive
    # marked finished, exit status 0.
    from crawler import ingest

    pages = warcs.outlet_pages()[:12]
    path = tmp_path / "news.warc.gz"
    warcs.write(path, pages)
    hidden = pages[5].url.encode()
    known = archives._record_start
    monkeypatch.setattr(archives, "_record_start", lambda data: known(data) and hidden not in data[:2048])
    db = open_db(tmp_path / "n.db")

    def run() -> ingest.Report:
        return ingest.ingest(db, [str(path)], workers=0, part_bytes=4096, progress=Progress("ingest", stream=io.StringIO()))

    report = run()
    assert len(report.failed) == 1 and "no part read bytes" in report.failed[0][1], report.failed
    assert db.execute("SELECT finished_at FROM ingested_archives").fetchall() == [(None,)]
    stored = {u for (u,) in db.execute("SELECT url FROM urls")}
    assert canonical_url(pages[5].url, HOSTS) not in stored
    monkeypatch.setattr(archives, "_record_start", known)
    report = run()  # resumed where the last part read to
    assert not report.failed
    stored = {u for (u,) in db.execute("SELECT url FROM urls WHERE kind = 'article'")}
    assert {canonical_url(p.url, HOSTS) for p in pages if extract_article(p.body, p.url)} <= stored
    assert db.execute("SELECT finished_at IS NOT NULL FROM ingested_archives").fetchall() == [(1,)]
    db.close()


def test_a_warc_gzipped_whole_with_a_bad_checksum_keeps_its_records_and_says_where(tmp_path):
    # gzip checks a stream's CRC at its end and raises BadGzipFile, an OSError: taken for a failed
    # transport, the whole part was dropped and "resumed" at byte 0 on every run, none of it stored.
    plain = io.BytesIO()
    warcs.write(plain, warcs.cc_news_like(20, 0.5, seed=3), gzip=False)
    damaged = tmp_path / "crc.warc.gz"
    damaged.write_bytes(gzip.compress(plain.getvalue())[:-8] + bytes(4) + gzip.compress(plain.getvalue())[-4:])
    db = tmp_path / "n.db"
    first = newsmon("ingest", str(damaged), "--db", str(db), "--workers", "0")
    assert first.returncode == 1 and "read only in part" in first.stderr and "CRC check failed" in first.stderr
    assert counts(first)["records"] == 20 and counts(first)["new"] > 0  # all but the one the check failed in
    again = newsmon("ingest", str(damaged), "--db", str(db), "--workers", "0")
    assert "1 archive(s) skipped" in again.stdout and counts(again)["records"] == 0


def _members(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each gzip member of ``data``."""
    out, at = [], 0
    while at < len(data):
        rest = zlib.decompressobj(wbits=31)
        rest.decompress(data[at:])
        length = len(data) - at - len(rest.unused_data)
        out.append((at, length))
        at += length
    return out


@pytest.mark.parametrize("how", ["bit", "zeros"])
def test_a_damaged_gzip_member_costs_its_record_only_and_the_ledger_names_the_bytes_skipped(tmp_path, how):
    # A flipped bit or a block of zeros in one member of a WARC.gz (a bad disk, a bad copy): the
    # reading stopped there, "(the file is truncated)" said of a whole file, the ledger called the
    # archive read, and every record after the damage was lost for good.
    pages = warcs.outlet_pages()[:12]
    whole = io.BytesIO()
    warcs.write(whole, pages)
    data = bytearray(whole.getvalue())
    members = _members(bytes(data))
    at, length = members[len(members) // 2]  # a response record's member, half-way
    if how == "bit":
        data[at + length // 2] ^= 0x01
    else:
        data[at + 10: at + length - 8] = bytes(length - 18)
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(bytes(data))
    (tmp_path / "whole.warc.gz").write_bytes(whole.getvalue())
    clean = tmp_path / "clean.db"
    assert newsmon("ingest", str(tmp_path / "whole.warc.gz"), "--db", str(clean), "--workers", "0").returncode == 0
    db = tmp_path / "n.db"
    first = newsmon("ingest", str(damaged), "--db", str(db), "--workers", "0")
    assert first.returncode == 1 and "read only in part" in first.stderr, first.stderr
    assert "bytes skipped, read on from the next record at byte" in first.stderr
    assert "(the file is truncated)" not in first.stderr
    stored = {url for (url,) in rows(db, "SELECT url FROM urls WHERE kind = 'article'")}
    every = {url for (url,) in rows(clean, "SELECT url FROM urls WHERE kind = 'article'")}
    assert len(every - stored) == 1 and stored < every  # the damaged record's article alone
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped LIKE '%bytes skipped%' FROM ingested_archives") == [(1, 1)]
    again = newsmon("ingest", str(damaged), "--db", str(db), "--workers", "0")
    assert "1 archive(s) skipped" in again.stdout and counts(again)["records"] == 0


def _a_part_stored(db: Path) -> bool:
    """Whether the ingest into ``db`` has stored a part of its archive and not finished it."""
    try:
        # Not before the ingest makes the file: connecting would make an empty one.
        return db.exists() and bool(rows(db, "SELECT 1 FROM ingested_archives WHERE resume_offset > 0 "
                                             "AND finished_at IS NULL"))
    except sqlite3.OperationalError:
        return False  # not migrated yet


def _when_a_part_is_stored(proc: subprocess.Popen, db: Path) -> None:
    """Wait until the ingest ``proc`` has stored a part of its archive and not finished it."""
    while proc.poll() is None and not _a_part_stored(db):
        time.sleep(0.02)


def test_an_ingest_killed_half_way_resumes_at_the_part_it_had_not_stored(tmp_path):
    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.cc_news_like(80, 1.0, seed=4))
    db = tmp_path / "n.db"
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db),
                             "--workers", "0", "--part-size", PART], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _when_a_part_is_stored(proc, db)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    (offset, records), = rows(db, "SELECT resume_offset, records FROM ingested_archives WHERE finished_at IS NULL")
    assert 0 < offset < path.stat().st_size
    second = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert second.returncode == 0 and "1 archive(s) resumed" in second.stdout
    assert records + counts(second)["records"] == 1 + 80
    # Each record's URL once; and the next pages of the articles split over pages, each once.
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(80,)]
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code = 'page_missing'") == \
        rows(db, "SELECT count(DISTINCT article_id) FROM urls WHERE reason LIKE '%its first page only%'")
    assert rows(db, "SELECT count(*) FROM urls WHERE kind NOT IN ('article', 'not_article')") == [(0,)]
    assert rows(db, "SELECT articles, relevant FROM ingested_archives") == \
        rows(db, "SELECT count(*), coalesce(sum(relevant), 0) FROM articles")


def _ctrl_c_an_ingest(tmp_path, ready, env: dict[str, str] | None = None, signum: int = signal.SIGINT,
                      group: bool = True) -> tuple[Path, Path, str]:
    """Ctrl-C, as a terminal sends it to the process group, to an ingest of 160 outlet articles on a
    local cluster of 2 workers once ``ready(process, db)``; that it stopped in one line, exit 130,
    and no traceback (``_ctrl_c_when``) nor warning of multiprocessing's resource tracker after it
    (workers started as it exited). ``signum``, ``group``: SIGTERM (exit 143), to the ingest alone.
    Its archive and database, for the next ingest, and its standard error."""
    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.cc_news_like(160, 1.0, seed=5))
    db = tmp_path / "n.db"
    command = [sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db), "--workers", "2",
               "--part-size", PART]
    code, err = _ctrl_c_when(command, lambda process: ready(process, db), env=env, signum=signum, group=group)
    assert code == 128 + signum, err[-3000:]
    said = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == (
        f"newsmon: ingest stopped ({said}); what it stored is kept and the archive being read is left unfinished: run "
        "the same ingest again, it resumes where this one stopped"), err[-3000:]
    assert "resource_tracker" not in err, err[-3000:]  # "There appear to be 6 leaked semaphore objects"
    return path, db, err


def test_ctrl_c_stops_an_ingest_on_its_local_cluster_in_one_line_and_the_next_one_resumes(tmp_path):
    # Ctrl-C reaches the whole process group: each Dask worker died of it with a traceback of its
    # own, and the ingest said "Aborted!" (exit 1), not what was kept nor what to do.
    path, db, _ = _ctrl_c_an_ingest(tmp_path, lambda process, db: _a_part_stored(db))
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert again.returncode == 0 and "1 archive(s) resumed" in again.stdout
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(160,)]


_PRESSED_TWICE = """
import atexit, os, signal, sys, threading
from distributed.deploy.spec import SpecCluster
import crawler.cluster as dask_cluster
from crawler.cli import cli

close = dask_cluster._LocalCluster.close


def close_pressed_again(self, timeout=None):
    if not getattr(close_pressed_again, "pressed", False):
        close_pressed_again.pressed = True
        # Ctrl-C again, to the whole group as a terminal sends it, while the cluster closes
        threading.Timer(0.02, os.killpg, (os.getpgrp(), signal.SIGINT)).start()
    return close(self, timeout)


def left_half_closed():
    # Before Dask's own close at exit (atexit runs the last registered first), which waits up to 10 s on each
    for cluster in list(SpecCluster._instances):
        if cluster.status.name != "closed" and not cluster.abandoned.is_set():
            print(f"left half closed: {cluster.status.name}", file=sys.stderr)


dask_cluster._LocalCluster.close = close_pressed_again
atexit.register(left_half_closed)
cli(sys.argv[1:])
"""


def test_ctrl_c_pressed_again_as_the_local_cluster_closes_leaves_no_cluster_for_dasks_exit_to_wait_on(tmp_path):
    # The second Ctrl-C cut the cluster's close short: Dask's close at exit then waited 10 s on what it had left half
    # closed, and a key pressed twice to stop at once stopped the ingest 10 s later than pressed once.
    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.cc_news_like(160, 1.0, seed=5))
    db = tmp_path / "n.db"
    command = [sys.executable, "-c", _PRESSED_TWICE, "ingest", str(path), "--db", str(db), "--workers", "2",
               "--part-size", PART]
    code, err = _ctrl_c_when(command, lambda process: _a_part_stored(db))
    assert code in (130, -signal.SIGINT), err[-3000:]  # -2: the second Ctrl-C reached Python's exit
    assert "left half closed" not in err, err[-3000:]
    assert err.strip().splitlines()[-1].startswith("newsmon: ingest stopped (Ctrl-C); "), err[-3000:]
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert again.returncode == 0 and "1 archive(s) resumed" in again.stdout
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(160,)]


@pytest.mark.parametrize("group", [False, True], ids=["kill", "systemd-stop"])
def test_sigterm_stops_an_ingest_on_its_local_cluster_in_one_line_and_the_next_one_resumes(tmp_path, group):
    # `kill PID`, or systemd's stop (SIGTERM to each process of the service): the ingest died at once,
    # exit -15, with multiprocessing's "12 leaked semaphore objects" and no word of the archive it left
    # unfinished; sent to its workers too, the scheduler logged "broadcast … failed" as it closed them.
    import psutil

    workers: list[psutil.Process] = []

    def ready(process: subprocess.Popen, db: Path) -> bool:
        if not _a_part_stored(db):
            return False
        workers.extend(psutil.Process(process.pid).children(recursive=True))
        return True

    path, db, err = _ctrl_c_an_ingest(tmp_path, ready, signum=signal.SIGTERM, group=group)
    assert " ERROR " not in err, err[-3000:]
    assert workers and not psutil.wait_procs(workers, timeout=30)[1]  # none left running
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert again.returncode == 0 and "1 archive(s) resumed" in again.stdout
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(160,)]


def test_ctrl_c_as_the_local_cluster_starts_stops_the_ingest_in_one_line_and_the_next_one_reads_it(tmp_path):
    # Pressed while the cluster's workers were importing, Ctrl-C killed each with a traceback of its
    # own ("Nanny failed to start"), and Dask closed the cluster it had half made at exit with more.
    import psutil

    def workers_importing(proc: subprocess.Popen) -> bool:
        # Both workers started, and past Python's own start (its SIGINT handler in place): they load
        # this module's imports, SQLite's among them, long before they take a part.
        importing = 0
        for child in psutil.Process(proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                importing += "spawn_main" in " ".join(child.cmdline()) and any(
                    "_sqlite3" in m.path for m in child.memory_maps())
        return importing >= 2

    path, db, _ = _ctrl_c_an_ingest(tmp_path, lambda process, db: workers_importing(process))
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(160,)]


def _hung_workers(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder each local cluster worker leaves its pid in as it starts, and the environment whose
    Dask preload then hangs it for 10 minutes (longer than any test waits)."""
    hung = tmp_path / "hung"
    hung.mkdir()
    preload = tmp_path / "slow_preload.py"
    preload.write_text(f"import os, pathlib, time\npathlib.Path({str(hung)!r}, str(os.getpid())).touch()\n"
                       "time.sleep(600)\n", encoding="utf-8")
    return hung, {**os.environ, "DASK_DISTRIBUTED__WORKER__PRELOAD": repr([str(preload)])}


def test_ctrl_c_while_the_local_clusters_workers_hang_starting_stops_the_ingest_and_its_workers(tmp_path):
    # A start that hung or was slow (here each worker's preload sleeps for 10 minutes, longer than
    # the test waits for the exit): SIGINT was held in the ingest's main thread until the cluster had
    # started, so the Ctrl-C went to another thread and came out of Dask's next 10 s wait, with the
    # cluster half made, which Dask closed at exit with a traceback ("Status.init"); with the floor
    # versions its nannies started new workers as it exited (their tracebacks, "leaked semaphore").
    import psutil

    hung, env = _hung_workers(tmp_path)
    path, db, _ = _ctrl_c_an_ingest(tmp_path, lambda process, db: len(list(hung.iterdir())) == 2, env=env)
    # (the one line last, exit 130 and no traceback: _ctrl_c_an_ingest)
    workers = [int(p.name) for p in hung.iterdir()]
    left = []
    for pid in workers:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
    assert not left, f"workers left running: {left}"
    assert rows(db, "SELECT count(*) FROM urls") == [(0,)]
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0", "--part-size", PART)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT count(*) FROM urls WHERE reason_code != 'page_missing'") == [(160,)]


#: Starts a local cluster whose workers hang in their preload (``HUNG``, a folder they each leave their
#: pid in); meanwhile another thread starts a process of its own and one of a forkserver started
#: before, then Ctrl-C. Prints which of those processes were running after ``cluster.start`` gave up.
_CTRL_C_AMONG_OTHERS = """
import json, multiprocessing, os, signal, subprocess, sys, threading, time
from pathlib import Path

import psutil


def alive(pid):
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def main():
    from crawler import cluster

    hung = Path(os.environ["HUNG"])
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.Process(target=time.sleep, args=(0,)).start()
    others = {}

    def meanwhile():
        while len(list(hung.iterdir())) < 2:
            time.sleep(0.05)
        others["subprocess"] = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        others["forkserver"] = forkserver.Process(target=time.sleep, args=(120,))
        others["forkserver"].start()
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=meanwhile, daemon=True).start()
    try:
        cluster.start(2, None)
    except KeyboardInterrupt:
        pass
    running = {name: alive(other.pid) for name, other in others.items()}
    for other in others.values():
        other.kill()
    print(json.dumps({"workers": {p.name: alive(int(p.name)) for p in hung.iterdir()}, "others": running}))


if __name__ == "__main__":
    main()
"""


def test_ctrl_c_as_the_local_cluster_starts_kills_its_workers_and_no_other_process(tmp_path):
    # The cluster's processes were taken for all those this process had started since its start
    # began, and SIGKILLed: a process another thread started meanwhile (a test harness's `newsmon`,
    # the extraction workers of a crawl in the same process) went with them, mid-write.
    hung, env = _hung_workers(tmp_path)
    script = tmp_path / "ctrl_c_among_others.py"
    script.write_text(_CTRL_C_AMONG_OTHERS, encoding="utf-8")
    env["HUNG"] = str(hung)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert len(seen["workers"]) == 2 and not any(seen["workers"].values()), seen  # Dask's: killed
    assert seen["others"] == {"subprocess": True, "forkserver": True}, seen  # the others: left running


def test_an_ingest_killed_inside_a_part_of_many_pages_keeps_the_ledgers_counts(tmp_path):
    # The ledger counted a part's articles once the whole part was stored; a part holds thousands
    # of pages (a plain WARC is one), stored 100 a transaction: killed between two, its stored
    # articles were out of the count for good, the resume finding them "seen".
    path = tmp_path / "distinct.warc"
    warcs.write(path, warcs.distinct_articles(260), gzip=False)
    db = tmp_path / "n.db"
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db),
                             "--workers", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None:
            try:
                if db.exists() and rows(db, "SELECT count(*) FROM articles")[0][0] >= 100:
                    break
            except sqlite3.OperationalError:
                pass  # not migrated yet
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert rows(db, "SELECT articles, relevant FROM ingested_archives") == \
        rows(db, "SELECT count(*), coalesce(sum(relevant), 0) FROM articles")
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert again.returncode == 0 and "1 archive(s) resumed" in again.stdout
    assert rows(db, "SELECT articles, relevant FROM ingested_archives") == \
        rows(db, "SELECT count(*), coalesce(sum(relevant), 0) FROM articles")


def test_an_archive_another_ingest_is_reading_is_left_to_it(tmp_path, files):
    # A cron job's ingest of a listing that outlasts the hour, and the next one: the second
    # resumed the archive the first was still reading, read the rest of it again, and the
    # ledger kept the counts of whichever wrote last (278 articles for 2,992 stored, by hand).
    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.cc_news_like(400, 1.0, seed=4))  # a few seconds' reading, to be caught at it
    db = tmp_path / "n.db"
    first = subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db),
                              "--workers", "0", "--part-size", "16k"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        _when_a_part_is_stored(first, db)
        second = newsmon("ingest", str(path), str(files / "dir" / "small.warc.gz"), "--db", str(db), "--workers", "0")
        assert first.poll() is None, "the first ingest finished before the second started"
        out, err = first.communicate(timeout=300)
    finally:
        first.kill()
        first.communicate()
    assert second.returncode == 0, second.stderr
    assert re.fullmatch(rf"newsmon: {re.escape(str(path))}: not read: another newsmon ingest is reading it into this "
                        rf"database \(pid {first.pid} since [\d :-]+ [A-Z]+\); if that one stops before the end, "
                        r"the next ingest resumes it", second.stderr.strip()), second.stderr
    assert counts(second)["records"] == 1 + 6 and "resumed" not in second.stdout  # small.warc.gz only
    assert first.returncode == 0, err
    assert counts(subprocess.CompletedProcess([], 0, out))["records"] == 1 + 400
    # The ledger's counts are the first ingest's, which read the whole archive.
    assert rows(db, f"SELECT records, articles, finished_at IS NOT NULL FROM ingested_archives WHERE source = "
                    f"'{path}'") == [(401, counts(subprocess.CompletedProcess([], 0, out))["new"], 1)]
    # Done with it, the archive is anyone's: a third ingest skips it as finished.
    third = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert third.returncode == 0 and "1 archive(s) skipped" in third.stdout and not third.stderr


def _when_stored_twice_after_dictionaries(proc: subprocess.Popen, db: Path) -> None:
    """Wait until the ingest ``proc`` has page dictionaries (and so sent them to its workers:
    a part stored after they were made) and its archive is not finished yet."""
    seen = None
    while proc.poll() is None:
        try:
            if db.exists() and rows(db, "SELECT 1 FROM page_dicts LIMIT 1"):
                (records, done), = rows(db, "SELECT records, finished_at IS NOT NULL FROM ingested_archives")
                assert not done, "the ingest finished before its workers could be killed"
                seen = records if seen is None else seen
                if records > seen:
                    return
        except (sqlite3.OperationalError, ValueError):
            pass  # not made yet
        time.sleep(0.02)


def test_a_local_workers_death_costs_the_ingest_nothing(tmp_path):
    # Its nanny starts a killed worker (the OOM killer) again, but the page dictionaries scattered
    # to it were gone with it, and so were the parts in flight that needed them: "1 Future
    # cancelled ... already forgotten", the archive left unfinished, exit 1, every time.
    import psutil

    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.distinct_articles(240))
    db = tmp_path / "n.db"
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db),
                             "--workers", "1", "--part-size", PART], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        _when_stored_twice_after_dictionaries(proc, db)
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 1
        workers[0].kill()
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "lose scattered data" not in err
    assert counts(subprocess.CompletedProcess([], 0, out))["parts sent again"] >= 1
    reference = tmp_path / "ref.db"
    newsmon("ingest", str(path), "--db", str(reference), "--workers", "0")
    sql = "SELECT url, content_hash FROM articles ORDER BY url"
    assert rows(db, sql) == rows(reference, sql) and len(rows(db, sql)) > 200
    assert rows(db, "SELECT finished_at IS NOT NULL, records FROM ingested_archives") == [(1, 241)]


def test_waiting_for_a_worker_leaves_the_local_clusters_worker_list_alone():
    # Waiting through Client.wait_for_workers replaced the LocalCluster's copy of the
    # scheduler's worker list: a worker that had just died was then missing from it when the
    # scheduler's notice of its removal came, the cluster's watcher failed (KeyError,
    # dask/distributed#5407), and its error came out of close(): an ingest that had stored
    # everything exited 1 with a traceback (test_a_local_workers_death_costs_the_ingest_nothing,
    # now and then under load).
    from crawler import cluster

    client = cluster.start(1, None)
    try:
        listed = client.cluster.scheduler_info
        cluster.some_worker(client, 30)
        assert client.cluster.scheduler_info is listed
    finally:
        cluster.stop(client)


@pytest.fixture
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """The ERROR records logged in this process, Dask's too: its ``distributed`` logger can keep
    them from the root logger's handlers (it does not propagate as Dask configures it by default)."""
    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not any(r is record for r in found):  # seen twice where ``distributed`` propagates
                found.append(record)

    found: list[logging.LogRecord] = []
    handler = Kept(logging.ERROR)
    loggers = [logging.getLogger("distributed"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield found
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_a_scatter_the_ingest_sends_again_logs_no_traceback(errors_logged):
    # A worker killed as the page dictionaries were scattered: the scheduler's side of it logged
    # "Exception while handling op scatter" with a 40-line traceback on the ingest's terminal
    # (CI, once), though the ingest got the same OSError and sent them again. Other errors of
    # the scheduler still show. (The race itself could not be set up: a stopped worker holds the
    # scatter for minutes, a killed one is dropped from the list before it begins.)
    from crawler import cluster

    client = cluster.start(1, None)
    try:
        log = logging.getLogger("distributed.core")
        for op, exc in [("scatter", OSError("Timed out trying to connect to tcp://127.0.0.1:9 after 30 s")),
                        ("scatter", ValueError("a bug")), ("gather", OSError("Stream is closed"))]:
            try:
                raise exc
            except Exception:  # noqa: BLE001
                log.exception("Exception while handling op %s", op)
    finally:
        cluster.stop(client)
    assert [(r.getMessage(), str(r.exc_info[1])) for r in errors_logged] == [
        ("Exception while handling op scatter", "a bug"), ("Exception while handling op gather", "Stream is closed")]


def test_a_local_cluster_outlives_dasks_lost_worker_race(errors_logged):
    # The race itself, set up: the dead worker already gone from the cluster's list when the
    # scheduler's notice of it comes. The cluster goes on (its nanny starts the worker again),
    # nothing is logged as an error, closing does not raise, and no process stays.
    import psutil

    from crawler import cluster

    # Processes of this file's other tests (its module-scoped Dask scheduler) are theirs to stop.
    others = {p.pid for p in psutil.Process().children(recursive=True)}
    client = cluster.start(1, None)
    [address] = client.cluster.scheduler_info["workers"]
    pid = client.run(os.getpid)[address]
    del client.cluster.scheduler_info["workers"][address]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while address in cluster_workers(client) or not cluster_workers(client):
        assert time.monotonic() < deadline, "the killed worker was not started again"
        time.sleep(0.1)
    assert client.submit(sum, [1, 2]).result(timeout=60) == 3
    assert not client.cluster._watch_worker_status_task.done()
    children = psutil.Process().children(recursive=True)
    cluster.stop(client)
    assert not errors_logged
    # (multiprocessing's resource tracker lives as long as this process does)
    assert not [(p.pid, p.cmdline()) for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                and p.pid not in others and "resource_tracker" not in " ".join(p.cmdline())]


def test_ctrl_c_pressed_again_as_the_local_clusters_loop_stops_says_the_stopped_line(monkeypatch):
    # A second Ctrl-C that came as stop() waited for the loop's thread to end, the cluster already closed: its
    # KeyboardInterrupt became "RuntimeError: Accessing the loop property while the loop is not running" out of
    # _abandon, a traceback and exit 1 in place of the ingest's stopped line. Nothing is left to abandon then.
    import psutil

    from crawler import cluster

    others = {p.pid for p in psutil.Process().children(recursive=True)}
    client = cluster.start(1, None)
    runner = client.cluster.runner
    stop_runner = runner.stop

    def pressed_again(*args, **kwargs):
        stop_runner(*args, **kwargs)  # the loop's thread has ended: the Ctrl-C lands as the join returns
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "stop", pressed_again)
    children = psutil.Process().children(recursive=True)
    with pytest.raises(KeyboardInterrupt):
        cluster.stop(client)
    assert not client.cluster.abandoned.is_set()
    assert not [(p.pid, p.cmdline()) for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                and p.pid not in others and "resource_tracker" not in " ".join(p.cmdline())]


_TERM_AS_ABANDONED = """
import json, os, signal, sys
import psutil
from crawler import cluster


def stopped_by_sigterm(signum, frame):  # as a newsmon command stops on it (cli._stopped_by_sigterm)
    raise KeyboardInterrupt


def close_pressed_again(timeout=None):  # Ctrl-C again as the cluster closes: it is abandoned
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, stopped_by_sigterm)
    client = cluster.start(1, None)
    workers = list(client.run(os.getpid).values())
    workers_started, sent = cluster._workers_started, []

    def sigterm_meanwhile(loop):  # systemd's stop, say, as it is abandoned: its loop held, its workers not killed yet
        if not sent:
            sent.append(os.kill(os.getpid(), signal.SIGTERM))
        return workers_started(loop)

    client.cluster.close = close_pressed_again
    cluster._workers_started = sigterm_meanwhile
    try:
        cluster.stop(client)
    except KeyboardInterrupt:
        pass
    print(json.dumps([pid for pid in workers if psutil.pid_exists(pid) and
                      psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]), flush=True)
    os._exit(0)  # (without it, multiprocessing's exit waited for ever on workers left running)


if __name__ == "__main__":
    main()
"""


def test_sigterm_as_a_local_cluster_is_abandoned_leaves_no_worker_for_the_exit_to_wait_on(tmp_path):
    # A SIGTERM (systemd's stop, `kill`) as stop() abandoned the cluster after a second Ctrl-C cut its close short
    # ended _abandon with the loop held and the workers not killed yet: they ignore SIGTERM and SIGINT, and the exit
    # (multiprocessing's, joining them) waited for ever, past systemd's SIGKILL.
    script = tmp_path / "term_as_abandoned.py"
    script.write_text(_TERM_AS_ABANDONED, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    left = json.loads(result.stdout.strip().splitlines()[-1])
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], result.stderr[-3000:]


def cluster_workers(client) -> set[str]:
    return set(client.scheduler_info(n_workers=-1)["workers"])


class _Dask:
    """A scheduler of its own (`dask scheduler`) and the workers a test starts on it, each as
    on another machine (`dask worker`, one process, with the environment given)."""

    def __init__(self, where: Path) -> None:
        self.dask, self.where = str(Path(sys.executable).parent / "dask"), where
        info = where / "scheduler.json"
        self.started = [subprocess.Popen([self.dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                          "--no-dashboard", "--scheduler-file", str(info)], **self._quiet())]
        while not info.exists():
            time.sleep(0.1)
        self.address = __import__("json").loads(info.read_text())["address"]

    def _quiet(self, env: dict[str, str] | None = None) -> dict:
        return {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": self.where, "env": env}

    def worker(self, env: dict[str, str] | None = None) -> subprocess.Popen:
        proc = subprocess.Popen([self.dask, "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                                 "--no-dashboard"], **self._quiet(env))
        self.started.append(proc)
        return proc

    def ready(self, workers: int = 1) -> None:
        """Wait until the scheduler has ``workers`` workers: a `dask worker` takes seconds to
        join on a loaded machine, longer than a test's NEWSMON_INGEST_NO_WORKERS of 1 s."""
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=60)

    def close(self) -> None:
        for proc in reversed(self.started):
            proc.terminate()
            proc.wait(timeout=60)


def test_a_dashboard_url_for_the_scheduler_is_one_line(files, tmp_path):
    result = newsmon("ingest", str(files / "dir" / "news.warc.gz"), "--db", str(tmp_path / "n.db"),
                     "--cluster", "http://127.0.0.1:8787")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: http://127.0.0.1:8787 is no Dask scheduler address (unknown address "
                                    "scheme 'http'")
    assert result.stderr.rstrip().endswith("give the one `dask scheduler` prints, tcp://HOST:8786 (8787 is its "
                                           "dashboard)")


def test_a_local_cluster_that_cannot_start_is_one_line(files, tmp_path):
    # Its workers cannot make their directory: Dask's "Cluster failed to start" came out as a traceback.
    result = newsmon("ingest", str(files / "dir" / "news.warc.gz"), "--db", str(tmp_path / "n.db"), "--workers", "2",
                     "--part-size", "64k", env=dict(os.environ, DASK_TEMPORARY_DIRECTORY="/proc/newsmon-none"))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the local Dask cluster of 2 workers did not start (") \
        and "/proc/newsmon-none" in result.stderr and "--workers 0" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_cluster_without_workers_is_waited_for_then_left_to_the_next_run(tmp_path):
    # A scheduler holds tasks until a worker comes, for ever: an ingest pointed at one whose
    # workers were not started, or whose machines all went away, waited with them, silently.
    import psutil

    cluster = _Dask(tmp_path)
    env = {**os.environ, "NEWSMON_INGEST_NO_WORKERS": "1"}
    try:
        address = cluster.address
        path = tmp_path / "outlets.warc.gz"
        warcs.write(path, warcs.distinct_articles(240))
        db = tmp_path / "n.db"
        alone = newsmon("ingest", str(path), "--db", str(db), "--cluster", address, env=env)
        assert alone.returncode == 1
        assert alone.stderr.strip() == (
            f"Error: the Dask scheduler at {address} has had no worker for 1 s (NEWSMON_INGEST_NO_WORKERS): start "
            f"them on each machine with `dask worker {address} --nworkers N --nthreads 1`, then run the ingest "
            "again; nothing was read")

        # Its machine gone mid-ingest: the worker and its nanny killed at once.
        worker = cluster.worker()
        cluster.ready()  # else, two suites at once on 2 cores, the ingest gave up before it joined
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "ingest", str(path), "--db", str(db),
                                 "--cluster", address, "--part-size", PART], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            _when_stored_twice_after_dictionaries(proc, db)
            for p in [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]:
                p.kill()
            worker.wait()
            out, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
            proc.communicate()
        assert proc.returncode == 1
        assert ("newsmon: ingest: the Dask scheduler at " + address + " has had no worker for 1 s") in err
        assert "the archives being read are left unfinished, to resume where this ingest stopped" in err
        assert "Traceback" not in err, err
        (records, done), = rows(db, "SELECT records, finished_at IS NOT NULL FROM ingested_archives")
        assert not done and 0 < records < 241
        # Workers again: the next run resumes, and every article is there once.
        cluster.worker()
        cluster.ready()
        again = newsmon("ingest", str(path), "--db", str(db), "--cluster", address, "--part-size", PART, env=env)
        assert again.returncode == 0, again.stderr
        assert "1 archive(s) resumed" in again.stdout
        reference = tmp_path / "ref.db"
        newsmon("ingest", str(path), "--db", str(reference), "--workers", "0")
        sql = "SELECT url, content_hash FROM articles ORDER BY url"
        assert rows(db, sql) == rows(reference, sql)
        assert rows(db, "SELECT finished_at IS NOT NULL, records FROM ingested_archives") == [(1, 241)]
    finally:
        cluster.close()


def test_workers_and_a_cluster_together_are_refused(tmp_path, files):
    # A cluster's workers are its own: --workers was ignored without a word, and the ingest waited
    # for the scheduler as if it had been heard.
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(files / "dir" / "small.warc.gz"), "--db", str(db), "--workers", "1",
                     "--cluster", "tcp://127.0.0.1:9")
    assert result.returncode == 2 and "give --workers or --cluster, not both" in result.stderr
    assert not db.exists()


def test_a_worker_with_other_newsmon_code_is_refused_before_it_reads(tmp_path, files):
    # A worker is installed apart: one with another commit's outlet rules or another trafilatura
    # extracted other text from the same pages, and nothing said so.
    from crawler import ingest
    from crawler.cluster import WorkersDiffer
    from crawler.fingerprint import fingerprint

    other = tmp_path / "other-checkout"
    for package in ("crawler", "storage"):
        shutil.copytree(ROOT / package, other / package, ignore=shutil.ignore_patterns("__pycache__"))
    rules = other / "crawler" / "outlets" / "asahi.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a rule changed since\n", encoding="utf-8")
    cluster = _Dask(tmp_path)
    try:
        # PYTHONPATH before the editable install of this checkout: the worker imports the other.
        cluster.worker(env={**os.environ, "PYTHONPATH": str(other)})
        db = tmp_path / "n.db"
        refused = newsmon("ingest", str(files / "dir" / "news.warc.gz"), "--db", str(db), "--cluster",
                          cluster.address, "--part-size", PART)
    finally:
        cluster.close()
    assert refused.returncode == 1
    ours = dict(fingerprint())["newsmon"]
    assert re.fullmatch(
        rf"Error: 1 of the 1 workers of the Dask scheduler at {cluster.address} would not extract as this machine "
        rf"does \(tcp://127\.0\.0\.1:\d+: newsmon [0-9a-f]{{12}} \(here {ours}\)\): install newsmon from a checkout "
        r"of the same commit, with the same libraries \(`pip install -e \.`, or the same lock\), on every worker, then "
        r"run the ingest again; nothing was read", refused.stderr.strip()), refused.stderr
    assert rows(db, "SELECT count(*) FROM urls") == [(0,)]
    # A worker that joins after that check reads nothing either: each part carries the writer's.
    part = archives.plan(archives.probe(str(files / "dir" / "news.warc.gz")), part_bytes=64 * 1024)[0]
    elsewhere = tuple((name, "0.0" if name == "trafilatura" else version) for name, version in fingerprint())
    with pytest.raises(WorkersDiffer, match=r"this process would not extract as the machine that stores does "
                                            r"\(trafilatura [\d.]+ \(the storing machine's: 0\.0\)\)"):
        ingest.ingest_part(part, ingest.Options(fingerprint=elsewhere))


def test_an_archive_fills_in_the_articles_the_crawl_could_not_get(tmp_path):
    # Walled off, refused by robots.txt, given up, gone since: the README sends users to web
    # archives for exactly these, so their archived pages must be stored, not skipped as seen.
    from storage import frontier, open_db

    pages = warcs.outlet_pages()[:5]
    db_path = tmp_path / "n.db"
    db = open_db(db_path)
    frontier.record_blocked(db, pages[0].url, outlet=None, code="wall_challenge", reason="a bot challenge",
                            backoff=3600)
    frontier.record_refused(db, pages[1].url, outlet=None, code="robots_disallowed", reason="robots.txt")
    frontier.record_failure(db, pages[2].url, outlet=None, code="timeout", reason="timed out", max_attempts=1)
    frontier.record_failure(db, pages[3].url, outlet=None, code="http_410", reason="gone", max_attempts=1,
                            exhausted="gone")
    db.close()
    path = tmp_path / "gaps.warc.gz"
    warcs.write(path, pages)
    result = newsmon("ingest", str(path), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    kinds = dict(rows(db_path, "SELECT url, kind FROM urls"))
    assert [kinds[p.url] for p in pages] == ["article"] * 5


def _write_damaged(path: Path, pages) -> None:
    """An archive at ``path`` of ``pages``, each a 200 whose gzip Content-Encoding is corrupt (``bad_compression``)."""
    damaged = []
    for page in pages:
        inner = bytearray(gzip.compress(page.body))
        inner[len(inner) // 2] ^= 0xFF
        damaged.append(warcs.Fetch(page.url, page.body, headers=(("Content-Encoding", "gzip"),), payload=bytes(inner)))
    warcs.write(path, damaged)


def test_an_archives_unreadable_capture_leaves_a_given_up_url_as_the_crawl_left_it_and_says_so(tmp_path):
    # Stored as one more failure, a damaged capture of a URL the crawl had given up on cleared the one late try
    # still to come, turned a 404's gone into gave_up, and, its tries spent, said "a crawl of the outlet fetches
    # the page again", which no crawl did.
    from datetime import UTC, datetime, timedelta

    from storage import frontier

    pages = warcs.outlet_pages()[:3]
    spent, waiting, gone = (canonical_url(p.url, HOSTS) for p in pages)
    db_path = tmp_path / "n.db"
    db = open_db(db_path)
    for day in range(1, 5):  # three tries, then the late one
        frontier.record_failure(db, spent, outlet=None, code="http_500", reason="an HTTP 500", max_attempts=3,
                                now=f"2026-01-0{day}T00:00:00+00:00")
        frontier.record_failure(db, gone, outlet=None, code="http_404", reason="an HTTP 404", max_attempts=3,
                                exhausted="gone", now=f"2026-01-0{day}T00:00:00+00:00")
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    for _ in range(3):
        frontier.record_failure(db, waiting, outlet=None, code="timeout", reason="timed out", max_attempts=3,
                                now=hour_ago)
    late = frontier.state(db, waiting)["retry_at"]
    db.close()
    _write_damaged(tmp_path / "damaged.warc.gz", pages)
    result = newsmon("ingest", str(tmp_path / "damaged.warc.gz"), "--db", str(db_path), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = {url: (kind, code, retry_at, reason) for url, kind, code, retry_at, reason in
              rows(db_path, "SELECT url, kind, reason_code, retry_at, reason FROM urls")}
    assert states[spent][:3] == ("gave_up", "http_500", None)
    assert states[waiting][:3] == ("gave_up", "timeout", late)
    assert states[gone][:3] == ("gone", "http_404", None)
    for url in (spent, waiting, gone):
        assert "a crawl of the outlet fetches" not in states[url][3]
        assert "an archive's capture of it gave no page either (bad_compression: " in states[url][3]
    assert states[spent][3].startswith("gave up after 4 attempts: an HTTP 500; ")
    assert states[spent][3].endswith("no crawl fetches it again (its tries are spent); another archive's capture "
                                     "may be read")
    assert states[waiting][3].endswith("its one more try is still to come")
    # Read again (--force): said once, not once per ingest.
    assert newsmon("ingest", str(tmp_path / "damaged.warc.gz"), "--db", str(db_path), "--workers", "0",
                   "--force").returncode == 0
    again = dict(rows(db_path, "SELECT url, reason FROM urls"))
    assert again[spent] == states[spent][3]


def test_an_archives_unreadable_capture_is_no_attempt_of_the_crawls(tmp_path):
    # Counted as one of the crawl's attempts (the ingest's own 3), a damaged capture gave up a URL the crawl had a
    # try left for, its own last error lost; and under NEWSMON_MAX_ATTEMPTS=1 it left an error no crawl fetched,
    # whose reason said "attempt 1 of 3; tried again next run".
    from storage import frontier

    pages = warcs.outlet_pages()[:2]
    tried, unseen = (canonical_url(p.url, HOSTS) for p in pages)
    db_path = tmp_path / "n.db"
    db = open_db(db_path)
    for day in (1, 2):
        frontier.record_failure(db, tried, outlet=None, code="timeout", reason="timed out", max_attempts=3,
                                now=f"2026-01-0{day}T00:00:00+00:00")
    db.close()
    _write_damaged(tmp_path / "damaged.warc.gz", pages)
    result = newsmon("ingest", str(tmp_path / "damaged.warc.gz"), "--db", str(db_path), "--workers", "0",
                     env={**os.environ, "NEWSMON_MAX_ATTEMPTS": "1"})
    assert result.returncode == 0, result.stderr
    db = open_db(db_path)
    row = frontier.state(db, tried)
    assert (row["kind"], row["reason_code"], row["attempts"], row["last_error"]) == (
        "error", "bad_compression", 2, "timed out")
    assert frontier.fetch_need(db, tried, max_attempts=3) == "again"
    assert row["reason"].endswith("(an archive's copy, not counted as an attempt; the crawl's attempts so far: 2)")
    row = frontier.state(db, unseen)
    assert (row["kind"], row["attempts"]) == ("error", 0) and " of 3" not in row["reason"]
    assert frontier.fetch_need(db, unseen, max_attempts=1) == "again"
    db.close()


def test_an_empty_body_under_a_transfer_coding_newsmon_cannot_undo_is_an_empty_body(tmp_path):
    # Nothing at all is no coding's output: it was "the bytes are still encoded".
    page = warcs.outlet_pages()[0]
    fetches = [warcs.Fetch(page.url, b"", headers=(("Transfer-Encoding", "compress"),), payload=b"")]
    counted, states, _ = _ingested(tmp_path, fetches)
    kind, code, reason = states[canonical_url(page.url, HOSTS)]
    assert (kind, code) == ("error", "empty_body") and counted["empty bodies"] == 1
    assert reason.startswith("the archive holds an empty body (0 bytes) where the page should be")


def test_the_workers_compress_pages_with_their_outlets_dictionaries_and_they_read_back(tmp_path):
    # The writer is one process for every worker: compressing there cost a third of its time.
    # Pages of outlets with a dictionary are compressed in the workers; read back, they are the
    # bytes of the archive.
    from crawler import ingest
    from storage import pages, queries

    first = warcs.outlet_pages()

    def moved(fetch: warcs.Fetch) -> warcs.Fetch:  # the same page under another URL of its site
        url = urlsplit(fetch.url)
        return warcs.Fetch(url._replace(path=url.path.rstrip("/") + "/again").geturl(), fetch.body,
                           fetch.content_type, fetch.status)

    second = [moved(f) for f in first]
    warcs.write(tmp_path / "first.warc.gz", first)
    warcs.write(tmp_path / "second.warc.gz", second)
    db_path = tmp_path / "n.db"
    assert newsmon("ingest", str(tmp_path / "first.warc.gz"), "--db", str(db_path), "--workers", "0").returncode == 0
    db = open_db(db_path)
    dicts = pages.dictionaries(db, store.outlets_of(None))
    assert len(dicts) >= 3, "the first archive gives the outlets with 8 pages or more their dictionaries"

    part = archives.plan(archives.probe(str(tmp_path / "second.warc.gz"), "second"))[0]
    result = ingest.ingest_part(part, ingest.Options(), dicts)
    with_dict = [p for p in result.pages if p.outlet in dicts]
    assert with_dict and all(p.body is None and p.compressed.dict_id == dicts[p.outlet][0] for p in with_dict)
    assert all(p.body is not None and p.compressed is None for p in result.pages if p.outlet not in dicts)

    ingested = newsmon("ingest", str(tmp_path / "second.warc.gz"), "--db", str(db_path), "--workers", "2",
                       "--part-size", PART)
    assert ingested.returncode == 0, ingested.stderr
    bodies: dict[str, set[bytes]] = {}
    for f in second:  # two saved pages are versions of one article, at one URL
        bodies.setdefault(canonical_url(f.url, HOSTS), set()).add(f.body)
    stored = db.execute("SELECT id, url, dict_id FROM pages WHERE url IN (%s)" % ",".join("?" * len(bodies)),
                        list(bodies)).fetchall()
    assert len(stored) == len(bodies)
    assert sum(dict_id is not None for _, _, dict_id in stored) >= len(with_dict)
    assert all(queries.page_body(db, page_id)[1] in bodies[url] for page_id, url, _ in stored)
    assert db.execute("SELECT count(*) FROM page_dicts").fetchone()[0] == len(
        {r[0] for r in db.execute("SELECT DISTINCT key FROM page_dicts")}), "no outlet got a second dictionary"
    db.close()


def test_a_page_compressed_with_a_dictionary_the_database_lacks_is_refused(tmp_path):
    from storage import pages
    from storage.exceptions import DictionaryMissing

    db = open_db(tmp_path / "n.db")
    foreign = {"asahi": (1, "0" * 64, b"<html><head>" * 1000)}
    compressed = pages.compress(foreign, "https://www.asahi.com/articles/A.html", "asahi", b"<html>page</html>")
    with pytest.raises(DictionaryMissing, match="not in this database; store the page's body instead"):
        pages.save_page(db, "https://www.asahi.com/articles/A.html", None, outlet="asahi", compressed=compressed)
    assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    db.close()


def test_ingest_follows_the_story_settings_as_crawl_and_reextract_do(tmp_path):
    import os

    path = tmp_path / "few.warc.gz"
    warcs.write(path, warcs.outlet_pages()[:3])
    grouped, ungrouped = tmp_path / "grouped.db", tmp_path / "ungrouped.db"
    assert newsmon("ingest", str(path), "--db", str(grouped)).returncode == 0
    off = {**os.environ, "NEWSMON_STORIES_ENABLED": "0"}
    assert newsmon("ingest", str(path), "--db", str(ungrouped), env=off).returncode == 0
    assert rows(grouped, "SELECT count(*) FROM articles WHERE story_id IS NULL") == [(0,)]
    assert rows(ungrouped, "SELECT count(story_id), count(*) FROM articles") == [(0, 3)]


def test_all_sites_skips_other_languages_and_keeps_only_articles_that_score(tmp_path):
    text = "<p>政府は防衛力整備計画の改定と反撃能力の保有について議論を続けている。</p>" * 6
    quiet = "<p>気象庁によると、関東地方は明日から雨が降る見込みで、交通機関への影響に注意が必要だ。</p>" * 6
    page = "<html lang='{}'><head><title>{}</title></head><body><article><h1>{}</h1>{}</article></body></html>"
    fetches = [
        warcs.Fetch("https://blog.example.org/defense", page.format("ja", "防衛力", "防衛力", text).encode()),
        warcs.Fetch("https://blog.example.org/weather", page.format("ja", "天気", "天気", quiet).encode()),
        warcs.Fetch("https://zeitung.example.de/a", page.format("de", "Verteidigung", "V", text).encode()),
    ]
    path = tmp_path / "sites.warc.gz"
    warcs.write(path, fetches)
    db = tmp_path / "n.db"
    only_outlets = newsmon("ingest", str(path), "--db", str(db))
    assert counts(only_outlets) == {"records": 4, "responses": 3, "other sites": 3, "new": 0, "relevant": 0, "seen": 0}
    every = newsmon("ingest", str(path), "--db", str(db), "--all-sites", "--force")
    assert counts(every)["other language"] == 1 and counts(every)["not relevant"] == 1
    assert rows(db, "SELECT url, outlet FROM articles") == [("https://blog.example.org/defense", None)]


def test_all_sites_keeps_a_page_of_another_site_whose_extraction_crashed_with_its_reason(tmp_path):
    text = "<p>政府は防衛力整備計画の改定と反撃能力の保有について議論を続けている。</p>" * 6
    # tests/crash makes extraction raise on a marked page, as a bug of newsmon would.
    crashing = (f"<html lang='ja'><head><title>防衛力</title>{CRASH_MARKER.decode()}</head>"
                f"<body><article><h1>防衛力</h1>{text}</article></body></html>").encode()
    path = tmp_path / "sites.warc.gz"
    warcs.write(path, [warcs.Fetch("https://blog.example.org/crash", crashing)])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(path), "--db", str(db), "--all-sites", env=crashing_env())
    found = counts(result)
    assert found["extract failed"] == 1 and "not relevant" not in found
    (kind, reason, outlet), = rows(db, "SELECT kind, reason, outlet FROM urls WHERE url = 'https://blog.example.org/crash'")
    assert kind == "error" and outlet is None
    assert reason.startswith("extraction failed: RuntimeError: a bug of the extractor")
    assert rows(db, "SELECT url FROM pages") == [("https://blog.example.org/crash",)]  # to extract again
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]


# --- archives over HTTP: streamed, ranged, listed -----------------------------------------------


class _Server:
    """Files on 127.0.0.1, with Range requests or without; every request is logged.

    With ``cut`` set to a byte offset, a response that would go past it ends there: the
    connection is closed (``reset``: reset) as a server going away does, its Content-Length
    still saying the whole (a list: each response is cut at the next offset of it, None for none).
    ``framing``: how a response's end is said, by its Content-Length, by chunks, or by nothing but
    the connection's close (HTTP/1.0's way; a cut is then the end). ``sized`` False: a Range request
    is answered without the file's size (``Content-Range: bytes 0-99/*``), and one past its end 416.
    """

    def __init__(self, root: Path, ranges: bool) -> None:
        self.requests: list[tuple[str, str | None]] = []
        self.cut: int | None = None
        self.reset = False
        #: Requests answered "503 SlowDown" (Retry-After: 0) before any is served, as
        #: data.commoncrawl.org does under load.
        self.busy = 0
        #: How many responses are cut at ``cut`` (None: all of them).
        self.cuts: int | None = None
        #: How many more Range requests are answered, the later ones with the whole file (None: all of
        #: them): a CDN that answers ranges of what it has cached only.
        self.ranged: int | None = None
        self.framing = "length"  # or "chunked", "close"
        self.sized = True
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                # Chunks are HTTP/1.1's (the connection is closed after each response all the same).
                self.protocol_version = "HTTP/1.1" if server.framing == "chunked" else "HTTP/1.0"
                self.close_connection = True
                path = root / self.path.lstrip("/")
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                asked = self.headers.get("Range")
                server.requests.append((self.path, asked))
                if server.busy > 0:
                    server.busy -= 1
                    body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                    self.send_response(503, "Slow Down")
                    self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                match = re.fullmatch(r"bytes=(\d+)-(\d*)", asked or "")
                if ranges and match and server.ranged != 0:
                    if server.ranged is not None:
                        server.ranged -= 1
                    start = int(match.group(1))
                    end = min(int(match.group(2)) + 1 if match.group(2) else len(data), len(data))
                    if start >= len(data) and not server.sized:
                        self.send_response(416, "Range Not Satisfiable")
                        self.send_header("Content-Range", "bytes */*")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data) if server.sized else '*'}")
                    data = data[start:end]
                else:
                    start = 0
                    self.send_response(200)
                if server.framing == "length":
                    self.send_header("Content-Length", str(len(data)))
                elif server.framing == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                    data = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (
                        data[at:at + 65536] for at in range(0, len(data), 65536)) if piece) + b"0\r\n\r\n"
                self.end_headers()
                cut = server.cut
                if isinstance(cut, list):
                    cut = cut.pop(0) if cut else None
                if cut is not None and start < cut < start + len(data) and server.cuts != 0:
                    if server.cuts is not None:
                        server.cuts -= 1
                    self.wfile.write(data[:cut - start])
                    self.wfile.flush()
                    if server.reset:
                        time.sleep(0.2)  # the reader has the headers: what it sees is the reset
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a reader that had what it needed

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@functools.cache
def _news_articles(files: Path) -> list[tuple[str, str]]:
    """The articles of news.warc.gz (``files``) as an ingest of the file alone stores them:
    (url, content_hash), by URL. One ingest, which the tests that compare with it share."""
    reference = files / "reference" / "news.db"
    reference.parent.mkdir()
    result = newsmon("ingest", str(files / "dir" / "news.warc.gz"), "--db", str(reference), "--workers", "0")
    assert result.returncode == 0, result.stderr
    return rows(reference, "SELECT url, content_hash FROM articles ORDER BY url")


def _holds_news_articles(db: Path, files: Path) -> None:
    """``db`` holds the articles of news.warc.gz (``files``), as an ingest of the file stores them."""
    held = rows(db, "SELECT url, content_hash FROM articles ORDER BY url")
    assert held == _news_articles(files) and held


#: A worker's preload (``dask worker --preload``): files under a directory of this name do not
#: exist for it, as a directory of the machine the ingest runs on is on no worker's machine.
NOT_ON_WORKERS = "not-on-workers"
HIDE = f'''
import builtins, errno, os
# Dask may load a preload more than once: the first open() is kept, or each wraps the last.
_open = builtins.__dict__.setdefault("_open_before_hide", builtins.open)
def open(file, *args, **kwargs):
    if isinstance(file, (str, os.PathLike)) and "/{NOT_ON_WORKERS}/" in os.fspath(file):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(file))
    return _open(file, *args, **kwargs)
builtins.open = open
'''


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """A Dask scheduler and 2 worker processes started as on other machines (`dask scheduler`,
    `dask worker`), on 127.0.0.1: what `newsmon ingest --cluster` is for. Their machines have
    no ``not-on-workers`` directory (``HIDE``)."""
    d = tmp_path_factory.mktemp("dask")
    (d / "hide.py").write_text(HIDE)
    info = d / "scheduler.json"
    dask = str(Path(sys.executable).parent / "dask")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(info)], cwd=d, **quiet)]
    try:
        while not info.exists():
            time.sleep(0.1)
        address = __import__("json").loads(info.read_text())["address"]
        started.append(subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1",
                                         "--no-dashboard", "--preload", str(d / "hide.py")], cwd=d, **quiet))
        yield address
    finally:
        for proc in reversed(started):
            proc.terminate()
            proc.wait(timeout=60)


def test_a_path_the_clusters_workers_cannot_open_says_so_and_is_read_once_they_can(files, tmp_path, scheduler):
    # A local path is opened by each worker of a scheduler's cluster: one that exists only where
    # the ingest runs failed each part with "run the ingest again to resume there", every run.
    here = tmp_path / NOT_ON_WORKERS / "news.warc.gz"
    here.parent.mkdir()
    here.write_bytes((files / "dir" / "news.warc.gz").read_bytes())
    db = tmp_path / "n.db"
    failed = newsmon("ingest", str(here), "--db", str(db), "--cluster", scheduler, "--part-size", PART)
    assert failed.returncode == 1
    assert (f"a worker of the cluster on {socket.gethostname()} cannot open {here} (No such file or directory), "
            "which this machine can: with --cluster each worker reads the archives itself") in failed.stderr
    assert counts(failed)["records"] == 0
    assert rows(db, "SELECT finished_at, resume_offset FROM ingested_archives") == [(None, 0)]
    # On a shared filesystem, the same file: read whole, once.
    shared = tmp_path / "shared" / "news.warc.gz"
    shared.parent.mkdir()
    here.rename(shared)
    done = newsmon("ingest", str(shared), "--db", str(db), "--cluster", scheduler, "--part-size", PART)
    assert done.returncode == 0, done.stderr
    reference = tmp_path / "ref.db"
    newsmon("ingest", str(shared), "--db", str(reference), "--workers", "0")
    sql = "SELECT url, content_hash FROM articles ORDER BY url"
    assert rows(db, sql) == rows(reference, sql) and rows(db, sql)


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "no-ranges"])
def test_archives_are_read_from_urls_and_listings(files, tmp_path, ranges, request):
    server = _Server(files, ranges)
    try:
        with gzip.open(files / "warc.paths.gz", "wt") as listing:
            listing.write("dir/news.warc.gz\ndir/small.warc.gz\n")
        db = tmp_path / "n.db"
        open_db(db).close()
        # A reviewer reading all along, in one long read transaction: WAL and the writer's short
        # transactions keep both going.
        reader = sqlite3.connect(db)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        # With ranges on a cluster's workers (--cluster), each reading its own part; without,
        # streamed here.
        where = ["--cluster", request.getfixturevalue("scheduler")] if ranges else ["--workers", "0"]
        result = newsmon("ingest", server.base + "warc.paths.gz", "--base-url", server.base, "--db", str(db),
                         *where, "--part-size", PART)
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (0,)  # its snapshot
        reader.execute("COMMIT")
        reader.close()
        assert result.returncode == 0, result.stderr
        reference = tmp_path / "ref.db"
        newsmon("ingest", str(files / "dir" / "news.warc.gz"), str(files / "dir" / "small.warc.gz"),
                "--db", str(reference), "--workers", "0")
        sql = "SELECT url, content_hash FROM articles ORDER BY url"
        assert rows(db, sql) == rows(reference, sql)
        sources = [s for (s,) in rows(db, "SELECT source FROM ingested_archives ORDER BY source")]
        assert sources == [server.base + "dir/news.warc.gz", server.base + "dir/small.warc.gz"]
        news = [asked for path, asked in server.requests if path == "/dir/news.warc.gz"]
        if ranges:  # the parts were read where they start
            assert len({a for a in news if a and not a.startswith("bytes=0-")}) > 2
        else:
            assert news.count(None) == 1 and all(a in (None, "bytes=0-4095") for a in news)
    finally:
        server.close()


def test_a_server_that_says_slow_down_is_asked_again_and_one_that_keeps_saying_it_is_resumed_later(files, tmp_path):
    # data.commoncrawl.org answers 503 SlowDown under load. Each such answer failed its part at
    # once: the archive was left for the next run after one busy moment, its later parts dropped.
    server = _Server(files, True)
    try:
        server.busy = 5  # the probe's requests and parts' alike
        db = tmp_path / "n.db"
        result = newsmon("ingest", server.base + "dir/news.warc.gz", "--db", str(db), "--workers", "0",
                         "--part-size", PART)
        assert result.returncode == 0, result.stderr
        assert counts(result)["records"] == 1 + 2 * 60 and server.busy == 0
        _holds_news_articles(db, files)
        server.busy = 10 ** 6
        again = newsmon("ingest", server.base + "dir/small.warc.gz", "--db", str(db), "--workers", "0",
                        env={**os.environ, "NEWSMON_INGEST_RETRIES": "2"})
        assert again.returncode == 1
        assert again.stderr.strip() == f"newsmon: {server.base}dir/small.warc.gz: HTTP 503 Slow Down (3 tries)"
    finally:
        server.close()


def test_what_is_tried_again_and_after_how_long():
    import email.message
    import email.utils
    import socket as sockets
    import urllib.error

    def answer(code: int, retry_after: str | None = None) -> urllib.error.HTTPError:
        headers = email.message.Message()
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return urllib.error.HTTPError("https://data.commoncrawl.org/x.warc.gz", code, "", headers, None)

    assert [archives.retry_wait(answer(503), n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert archives.retry_wait(answer(429, "7"), 0) == 7
    assert 100 <= archives.retry_wait(answer(503, email.utils.formatdate(time.time() + 110, usegmt=True)), 0) <= 110
    # Asked to wait longer than the crawl would (NEWSMON_MAX_RETRY_AFTER): the next run, not now.
    assert archives.retry_wait(answer(503, "3600"), 0) is None
    assert archives.retry_wait(answer(404), 0) is None and archives.retry_wait(answer(403), 0) is None
    assert archives.retry_wait(ConnectionResetError(), 1) == 2
    assert archives.retry_wait(urllib.error.URLError(TimeoutError()), 0) == 1
    assert archives.retry_wait(urllib.error.URLError(sockets.gaierror(-2, "Name or service not known")), 0) is None
    assert archives.retry_wait(FileNotFoundError(), 0) is None


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "no-ranges"])
def test_a_warc_gzipped_whole_is_read_over_http_streamed_once(files, tmp_path, ranges):
    # Told apart by its first record: with ranges, from the first MB; without, from the bytes
    # of the one download, read again from the start.
    plain = io.BytesIO()
    warcs.write(plain, warcs.cc_news_like(60, 0.2, seed=1), requests=True, gzip=False)
    (files / "whole.warc.gz").write_bytes(gzip.compress(plain.getvalue()))
    server = _Server(files, ranges)
    try:
        db = tmp_path / "n.db"
        result = newsmon("ingest", server.base + "whole.warc.gz", "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        assert counts(result)["records"] == 1 + 2 * 60
        _holds_news_articles(db, files)
        asked = [a for path, a in server.requests if path == "/whole.warc.gz"]
        assert asked.count(None) == 1 and set(asked) <= {None, "bytes=0-4095", f"bytes=0-{(1 << 20) - 1}"}
    finally:
        server.close()


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "no-ranges"])
def test_a_zstd_warc_with_skippable_frames_is_read_over_http_in_parts_or_streamed(files, tmp_path, ranges):
    # A frame per record, each after a skippable frame (as pzstd writes them): with ranges, read
    # in parts, each from its own request where its first frame starts; without, streamed once.
    plain = _news_warc()
    starts = _record_starts(plain)
    (files / "pzstd.warc.zst").write_bytes(_pzstd(plain, starts[1:]))
    server = _Server(files, ranges)
    try:
        db = tmp_path / "n.db"
        result = newsmon("ingest", server.base + "pzstd.warc.zst", "--db", str(db), "--workers", "0",
                         "--part-size", PART)
        assert result.returncode == 0, result.stderr
        assert counts(result)["records"] == 1 + 2 * 60
        _holds_news_articles(db, files)
        asked = [a for path, a in server.requests if path == "/pzstd.warc.zst"]
        if ranges:
            assert len({a for a in asked if a and not a.startswith("bytes=0-")}) > 2
        else:
            assert asked.count(None) == 1
    finally:
        server.close()


@pytest.mark.parametrize("ranges, reset", [(True, False), (False, False), (False, True)],
                         ids=["ranges-closed", "streamed-closed", "streamed-reset"])
def test_a_connection_lost_mid_archive_leaves_it_unfinished_and_the_next_run_resumes_it(files, tmp_path, ranges,
                                                                                       reset):
    # Streamed (no ranges), the archive is one part that warcio is reading when the connection
    # goes; with ranges, the later parts of the archive are read from their own requests.
    news = files / "dir" / "news.warc.gz"
    server = _Server(files, ranges)
    server.cut, server.reset = news.stat().st_size // 2, reset
    try:
        db = tmp_path / "n.db"
        url = server.base + "dir/news.warc.gz"
        first = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--part-size", PART,
                        env={**os.environ, "NEWSMON_INGEST_RETRIES": "1"})  # the server stays cut
        assert first.returncode == 1
        assert "; 2 tries)" in first.stderr
        where = re.search(rf"^newsmon: {re.escape(url)}: reading from byte (\d+) failed \(.+\); "
                          r"run the ingest again to resume there$", first.stderr, re.M)
        assert where and 0 <= int(where.group(1)) < server.cut, first.stderr
        assert "read only in part" not in first.stderr
        (offset, finished, stopped), = rows(db, "SELECT resume_offset, finished_at, stopped FROM ingested_archives")
        assert finished is None and stopped is None
        # What came whole before the cut is stored and not read again, streamed too (a streamed
        # archive was read from byte 0 again, its first half thrown away on every run).
        assert 0 < offset <= server.cut
        server.cut = None  # the server is back
        second = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--part-size", PART)
        assert second.returncode == 0, second.stderr
        assert "1 archive(s) resumed" in second.stdout
        assert counts(first)["records"] + counts(second)["records"] == 1 + 2 * 60
        _holds_news_articles(db, files)
        assert rows(db, "SELECT count(*) FROM ingested_archives WHERE finished_at IS NOT NULL AND stopped IS NULL") \
            == [(1,)]
    finally:
        server.close()


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "streamed"])
def test_a_connection_lost_once_mid_part_is_read_again_in_the_same_run(files, tmp_path, ranges):
    # One reset failed the part: the archive was left to the next run, its later parts dropped.
    news = files / "dir" / "news.warc.gz"
    server = _Server(files, ranges)
    # Twice: the probe's first look at the file is cut too (and does not mind), then the read.
    server.cut, server.reset, server.cuts = news.stat().st_size // 2, True, 2
    try:
        db = tmp_path / "n.db"
        result = newsmon("ingest", server.base + "dir/news.warc.gz", "--db", str(db), "--workers", "0",
                         "--part-size", PART)
        assert result.returncode == 0, result.stderr
        assert server.cuts == 0 and counts(result)["records"] == 1 + 2 * 60
        assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, None)]
    finally:
        server.close()


@pytest.mark.parametrize("ranges", [True, False], ids=["ranges", "streamed"])
def test_a_record_cut_by_a_dropped_connection_and_read_again_is_counted_once(tmp_path, ranges):
    # Read again from the last whole record, the response the connection broke in was counted twice ("13
    # responses" of an archive of 12), and its revisit or redirect kept twice.
    whole = io.BytesIO()
    warcs.write(whole, warcs.outlet_pages()[:12])
    data = whole.getvalue()
    (tmp_path / "a.warc.gz").write_bytes(data)
    reference = newsmon("ingest", str(tmp_path / "a.warc.gz"), "--db", str(tmp_path / "ref.db"), "--workers", "0")
    at, length = _members(data)[6]  # a response record's member, half-way
    server = _Server(tmp_path, ranges)
    # Twice: the probe's first look at the file is cut too (and does not mind), then the read.
    server.cut, server.reset, server.cuts = at + length // 2, True, 2
    try:
        result = newsmon("ingest", server.base + "a.warc.gz", "--db", str(tmp_path / "n.db"), "--workers", "0")
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    assert server.cuts == 0 and counts(result) == counts(reference) and counts(result)["responses"] == 12


def test_a_stop_after_a_read_that_went_on_past_a_reset_names_its_record_from_the_archives_start(tmp_path):
    # A streamed archive whose connection reset once, read on from its last whole record, then stopped at a damaged
    # record: the stop numbered its record from where reading went on, "5 complete records, then stopped at byte …
    # (record 6)" of the archive's 10th.
    whole = io.BytesIO()
    warcs.write(whole, warcs.outlet_pages()[:12])
    data = bytearray(whole.getvalue())
    members = _members(bytes(data))
    bad, length = members[9]
    data[bad + length // 2] ^= 0x01  # a flipped bit in record 10
    (tmp_path / "a.warc.gz").write_bytes(bytes(data))
    at, length = members[4]
    server = _Server(tmp_path, False)
    # Twice: the probe's first look at the file is cut too (and does not mind), then the read.
    server.cut, server.reset, server.cuts = at + length // 2, True, 2
    try:
        result = newsmon("ingest", server.base + "a.warc.gz", "--db", str(tmp_path / "n.db"), "--workers", "0")
    finally:
        server.close()
    assert server.cuts == 0 and result.returncode == 1
    assert f": read only in part: 9 complete records, then stopped at byte {bad} of {len(data)} (record 10): " in \
        result.stderr, result.stderr


@pytest.mark.parametrize("framing", ["closed", "closed, ranges without a size", "dropped", "dropped inside",
                                     "dropped, then before", "chunked"])
def test_an_archive_its_server_sends_without_a_length_is_read_again_from_where_its_stream_ended(files, tmp_path,
                                                                                                framing):
    # Sent with no Content-Length and not chunked (HTTP/1.0's way), the connection's close is the end of the archive,
    # and so is a connection that dropped: the stream is read again from where it ended (from its start over a server
    # without Range requests, skipped to there). Met again there, that end is the archive's: a whole archive was said
    # unverified on every run, exit status 1, which neither --force nor anything else settled. A drop between two
    # records, or inside one (its record read again from its start), is read on from: the rest was left unread until
    # a --force read it all again. One read again that drops before where the read before ended is no end met
    # again. A chunked stream says where it ends: read once.
    data = (files / "dir" / "news.warc.gz").read_bytes()
    members = _members(data)
    server = _Server(files, framing == "closed, ranges without a size")
    server.framing = "chunked" if framing == "chunked" else "close"
    server.sized = False
    at, length = members[len(members) // 2]
    if framing == "dropped, then before":  # the read, then the read again before that, then none
        server.cut = [None, at, members[10][0]]
    elif framing.startswith("dropped"):
        # Once: the probe's look at the file is cut too (and does not mind), then the read.
        server.cut, server.cuts = at + (length // 2 if framing == "dropped inside" else 0), 2
    url, db = server.base + "dir/news.warc.gz", tmp_path / "n.db"
    try:
        result = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--part-size", PART)
    finally:
        server.close()
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert counts(result)["records"] == 1 + 2 * 60
    _holds_news_articles(db, files)
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, None)]
    asked = [a for _, a in server.requests]
    if framing == "chunked":
        assert asked == ["bytes=0-4095", None]
    elif framing == "closed, ranges without a size":  # read on from its end: nothing there (416)
        assert asked == ["bytes=0-4095", f"bytes=0-{archives._PROBE_BYTES - 1}", None, f"bytes={len(data)}-"]
    else:  # read again from its start, skipped to where the read before ended
        assert asked == ["bytes=0-4095", None, None] + [None] * (framing.startswith("dropped") + ("then" in framing))


@pytest.mark.parametrize("how", ["between", "inside"])
def test_an_archive_without_a_length_that_never_ends_at_the_same_byte_is_said_unverified(files, tmp_path, how):
    # Each read of the stream ended further on, between two records (a connection that keeps dropping, an archive
    # still being written): after NEWSMON_INGEST_RETRIES reads again its end is said unverified, with what to do, on
    # every run (as an archive read only in part is). Inside a record at the same byte every time, the archive as
    # its server sends it is cut there: a stop, said with what to do.
    data = (files / "dir" / "news.warc.gz").read_bytes()
    members = _members(data)
    server = _Server(files, False)
    server.framing = "close"
    if how == "between":  # the probe's look, then the read and two reads again, each further on
        server.cut = [None] + [members[n][0] for n in (40, 60, 80)]
    else:
        at, length = members[61]
        server.cut = at + length // 2
    url, db = server.base + "dir/news.warc.gz", tmp_path / "n.db"
    env = {**os.environ, "NEWSMON_INGEST_RETRIES": "2"}
    try:
        result = newsmon("ingest", url, "--db", str(db), "--workers", "0", env=env)
        server.cut = None
        again = newsmon("ingest", url, "--db", str(db), "--workers", "0", env=env)
        ok = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--partial-ok", env=env)
    finally:
        server.close()
    # Read, then read again from where it ended (twice: it went on; once: it stopped there again).
    reads = 3 if how == "between" else 2
    assert [a for _, a in server.requests] == ["bytes=0-4095"] + [None] * reads + ["bytes=0-4095"] * 2
    if how == "between":
        assert counts(result)["records"] == 80
        stopped = (f"{archives.UNVERIFIED}80 complete records, read to byte {members[80][0]:,}, where its stream "
                   "ended; its server sent it without a length (no Content-Length, not chunked: its end is where the "
                   "connection closed), and read again from where its stream ended, it went on each of 2 time(s): a "
                   "connection that keeps dropping, or an archive still being written; run the ingest again with "
                   "--force (from its start) once it is whole: its end is verified where two reads end at the same "
                   f"byte (NEWSMON_INGEST_RETRIES says how many reads are made), or download it (curl -O {url}) and "
                   "ingest the file")
        said = f"newsmon: {url}: {stopped}; the records read are stored"
    else:  # a request record's member cut in its first bytes, which warcio ends at quietly: no end between two
        assert counts(result)["records"] == 61
        stopped = (f"61 complete records, then stopped at byte {members[61][0]} (record 62): its stream ended "
                   f"{length // 2:,} bytes into this record, before any of it could be read; its server sent it "
                   "without a length (no Content-Length, not chunked: its end is where the connection closed), and a "
                   f"connection that drops closes so too: to be sure no record is missing, download it (curl -O {url}) "
                   "and ingest the file, or run the ingest again with --force (from its start)")
        said = f"newsmon: {url}: read only in part: {stopped}; the records before it are stored"
    assert result.returncode == 1 and result.stderr.strip() == said, result.stderr
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, stopped)]
    assert again.returncode == 1 and again.stderr == result.stderr and "1 archive(s) skipped" in again.stdout
    assert ok.returncode == 0 and ok.stderr == result.stderr
    status = newsmon("status", "--db", str(db))
    assert f"ingest: {url}: " in status.stdout


@pytest.mark.parametrize("where", ["between", "inside"])
def test_a_part_whose_stream_without_a_length_ends_early_is_read_again_not_skipped(files, tmp_path, where):
    # A server that answers Range requests (the archive's size in Content-Range) with no Content-Length: a part's
    # stream runs to the archive's end, and one that ended before it ended where its connection dropped. Between two
    # records, the next part found no record up to there ("no part read bytes …", a bug to report); inside one,
    # the record looked damaged, was skipped for good ("bytes skipped") and the archive marked read.
    data = (files / "dir" / "news.warc.gz").read_bytes()
    at, length = _members(data)[61]  # a response record's member, half-way
    server = _Server(files, True)
    server.framing, server.cut = "close", at + (length // 2 if where == "inside" else 0)
    url, db = server.base + "dir/news.warc.gz", tmp_path / "n.db"
    try:
        first = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--part-size", PART,
                        env={**os.environ, "NEWSMON_INGEST_RETRIES": "1"})  # the server stays cut
        assert first.returncode == 1 and "bytes skipped" not in first.stderr and "bug" not in first.stderr
        said = (rf"newsmon: {re.escape(url)}: reading from byte \d+ failed \(ConnectionError: the server closed the "
                r"connection \d+ bytes before the end of the archive \(its response said no length\); 2 tries\); run "
                r"the ingest again to resume there")
        assert re.fullmatch(said, first.stderr.strip()), first.stderr
        assert rows(db, "SELECT finished_at, stopped FROM ingested_archives") == [(None, None)]
        server.cut = None  # the server is back
        second = newsmon("ingest", url, "--db", str(db), "--workers", "0", "--part-size", PART)
    finally:
        server.close()
    assert second.returncode == 0 and second.stderr == "", second.stderr
    assert counts(first)["records"] + counts(second)["records"] == 1 + 2 * 60
    _holds_news_articles(db, files)
    assert rows(db, "SELECT finished_at IS NOT NULL, stopped FROM ingested_archives") == [(1, None)]


def test_a_wacz_is_read_over_http_without_downloading_it(files, tmp_path):
    import zipfile

    with zipfile.ZipFile(files / "crawl.wacz", "w") as wacz:  # stored, as WACZ files are
        wacz.write(files / "dir" / "small.warc.gz", "archive/a.warc.gz")
        wacz.write(files / "dir" / "plain.warc", "archive/b.warc")
        wacz.writestr("datapackage.json", "{}")
    server = _Server(files, True)
    try:
        db = tmp_path / "n.db"
        result = newsmon("ingest", server.base + "crawl.wacz", "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        reference = tmp_path / "ref.db"
        newsmon("ingest", str(files / "dir" / "small.warc.gz"), str(files / "dir" / "plain.warc"),
                "--db", str(reference), "--workers", "0")
        sql = "SELECT url, content_hash FROM articles ORDER BY url"
        assert rows(db, sql) == rows(reference, sql) and rows(db, sql)
        # Read with Range requests (zipfile seeks), never the whole file in one response.
        assert all(asked for path, asked in server.requests if path == "/crawl.wacz")
    finally:
        server.close()


def test_a_wacz_from_a_server_without_range_requests_says_to_download_it(files, tmp_path):
    # Read in place, a zip is read from its end: each read asked for a range the server answered from the file's
    # start, and a good WACZ was "not a readable WACZ (Truncated central directory)", with nothing to do about it.
    import zipfile

    with zipfile.ZipFile(files / "unranged.wacz", "w") as wacz:
        wacz.write(files / "dir" / "small.warc.gz", "archive/a.warc.gz")
    server = _Server(files, False)
    try:
        url = server.base + "unranged.wacz"
        result = newsmon("ingest", url, str(files / "dir" / "small.warc.gz"), "--db", str(tmp_path / "n.db"),
                         "--workers", "0")
    finally:
        server.close()
    assert result.returncode == 1 and result.stderr.strip() == (
        f"newsmon: {url}: a WACZ is read in place with HTTP Range requests, which its server does not answer (nor "
        f"say its size): download it first (curl -O {url}), then ingest the file")
    assert counts(result)["new"] > 0  # the other archive is read
    assert rows(tmp_path / "n.db", "SELECT count(*) FROM ingested_archives") == [(1,)]


@pytest.mark.parametrize("answered", [1, 9], ids=["its_probe_alone", "its_first_megabytes"])
def test_a_wacz_whose_server_stops_answering_range_requests_says_to_download_it_and_resumes(tmp_path, answered):
    # The probe's range answered, the next ones with the whole file (a CDN answering ranges of what it has cached):
    # the whole file's bytes were taken for the range asked. At its end, a good WACZ was "not a readable WACZ"; in
    # its middle, its next record "cannot be parsed", a stop that marked the archive read: the next ingest skipped
    # it, and the articles after the stop were never read.
    import zipfile

    warc = io.BytesIO()
    warcs.write(warc, warcs.cc_news_like(120, 0.5, seed=3))  # 4 MB: read in 1 MB ranges
    with zipfile.ZipFile(tmp_path / "crawl.wacz", "w") as wacz:
        wacz.writestr("archive/a.warc.gz", warc.getvalue())
    reference = tmp_path / "ref.db"
    assert newsmon("ingest", str(tmp_path / "crawl.wacz"), "--db", str(reference), "--workers", "0").returncode == 0
    server = _Server(tmp_path, True)
    server.ranged = answered
    try:
        url, db = server.base + "crawl.wacz", tmp_path / "n.db"
        result = newsmon("ingest", url, "--db", str(db), "--workers", "0")
        assert result.returncode == 1 and "not a readable WACZ" not in result.stderr and "cannot be parsed" not in \
            result.stderr and f"download it first (curl -O {url}), then ingest the file" in result.stderr, result.stderr
        assert rows(db, "SELECT finished_at, stopped FROM ingested_archives") in ([], [(None, None)])
        server.ranged = None
        assert newsmon("ingest", url, "--db", str(db), "--workers", "0").returncode == 0
    finally:
        server.close()
    sql = "SELECT url, content_hash FROM articles ORDER BY url"
    assert rows(db, sql) == rows(reference, sql) and rows(db, sql)


def test_a_wacz_whose_first_warc_fails_resumes_at_that_warc_not_after_the_next(files, tmp_path):
    import zipfile

    news, small = files / "dir" / "news.warc.gz", files / "dir" / "small.warc.gz"
    with zipfile.ZipFile(files / "two.wacz", "w") as wacz:
        wacz.write(news, "archive/a.warc.gz")
        wacz.write(small, "archive/b.warc.gz")
    with zipfile.ZipFile(files / "two.wacz") as wacz:
        first = wacz.getinfo("archive/a.warc.gz")
    server = _Server(files, True)
    # In the middle of a.warc.gz: past the first read of it (zipfile reads 1 MB at a time).
    server.cut = first.header_offset + first.compress_size * 3 // 4
    try:
        db = tmp_path / "n.db"
        url = server.base + "two.wacz"
        failed = newsmon("ingest", url, "--db", str(db), "--workers", "0",
                         env={**os.environ, "NEWSMON_INGEST_RETRIES": "0"})  # the server stays cut
        assert failed.returncode == 1
        # The records of a.warc.gz read whole before the cut are kept: it resumes after them.
        where = re.search(r"archive/a\.warc\.gz: reading from byte (\d+) failed .*run the ingest again to resume there",
                          failed.stderr)
        assert where, failed.stderr
        (member, offset, finished), = rows(db, "SELECT resume_member, resume_offset, finished_at FROM ingested_archives")
        assert (member, offset, finished) == ("archive/a.warc.gz", int(where.group(1)), None)
        server.cut = None
        again = newsmon("ingest", url, "--db", str(db), "--workers", "0")
        assert again.returncode == 0, again.stderr
        reference = tmp_path / "ref.db"
        newsmon("ingest", str(news), str(small), "--db", str(reference), "--workers", "0")
        sql = "SELECT url, content_hash FROM articles ORDER BY url"
        assert rows(db, sql) == rows(reference, sql) and rows(db, sql)
    finally:
        server.close()


def test_a_missing_url_or_listing_path_is_one_line(files, tmp_path):
    server = _Server(files, True)
    try:
        missing = newsmon("ingest", server.base + "nope.warc.gz", "--db", str(tmp_path / "n.db"))
        assert missing.returncode == 1 and missing.stderr.strip() == \
            f"newsmon: {server.base}nope.warc.gz: HTTP 404 Not Found"
        listing = tmp_path / "warc.paths.gz"
        listing.write_bytes(gzip.compress(b"crawl-data/CC-NEWS/2024/03/CC-NEWS-20240305001234-00123.warc.gz\n"))
        relative = newsmon("ingest", str(listing), "--db", str(tmp_path / "n.db"))
        assert relative.returncode == 1 and "is a relative path: give --base-url" in relative.stderr
        assert len(relative.stderr.strip().splitlines()) == 1
    finally:
        server.close()


def test_a_local_listing_with_one_archive_missing_reads_the_others_and_names_that_one(tmp_path):
    # The whole ingest stopped at the missing line, nothing read, with the hint to give
    # --base-url (an absolute path "is a relative path" too).
    pages = warcs.outlet_pages()[:4]
    warcs.write(tmp_path / "a.warc.gz", pages[:2])
    warcs.write(tmp_path / "b.warc.gz", pages[2:])
    listing = tmp_path / "local.paths"
    listing.write_text(f"a.warc.gz\nmissing.warc.gz\n{tmp_path / 'gone' / 'c.warc.gz'}\nb.warc.gz\n")
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(listing), "--db", str(db), "--workers", "0")
    assert result.returncode == 1 and "--base-url" not in result.stderr, result.stderr
    assert "missing.warc.gz" in result.stderr and "c.warc.gz" in result.stderr
    assert rows(db, "SELECT count(*) FROM urls WHERE kind = 'article'") == [(4,)]


def test_a_listing_or_archive_url_with_a_query_is_known_by_its_path():
    # A presigned URL's query hid the listing's .paths.gz: read as an archive, it was "not a readable
    # WARC file (first line: ['crawl-data/…warc.gz'])".
    from crawler.archives import _is_listing

    assert _is_listing("https://bucket.s3.amazonaws.com/cc-news/warc.paths.gz?X-Amz-Signature=ab12&X-Amz-Expires=3600")
    assert not _is_listing("https://bucket.s3.amazonaws.com/CC-NEWS-2026.warc.gz?X-Amz-Signature=ab12")
    assert _is_listing("/data/warc.paths.gz") and not _is_listing("/data/x.warc.gz")


def test_a_listing_saved_with_a_byte_order_mark_names_its_first_archive_as_written(tmp_path):
    listing = tmp_path / "warc.paths"
    listing.write_bytes("crawl-data/CC-NEWS/2024/03/a.warc.gz\r\ncrawl-data/CC-NEWS/2024/03/b.warc.gz\r\n"
                        .encode("utf-8-sig"))
    assert [url for url, _ in archives.expand([str(listing)], base_url="https://data.commoncrawl.org/")] == [
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/03/a.warc.gz",
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/03/b.warc.gz"]


def test_common_crawls_s3_urls_are_read_over_https_and_other_buckets_are_named(tmp_path):
    # CC-NEWS paths are often copied as s3://commoncrawl/...: such an input was "no such file or
    # directory", and such a --base-url joined to a listing's paths made no URL at all.
    given = "s3://commoncrawl/crawl-data/CC-NEWS/2024/03/CC-NEWS-20240305001234-00123.warc.gz"
    assert list(archives.expand([given])) == [(given.replace("s3://commoncrawl/", "https://data.commoncrawl.org/"),
                                               given)]
    listing = tmp_path / "warc.paths"
    listing.write_text("crawl-data/CC-NEWS/2024/03/a.warc.gz\ns3://commoncrawl/crawl-data/CC-NEWS/2024/03/b.warc.gz\n")
    assert [url for url, _ in archives.expand([str(listing)], base_url="s3://commoncrawl/")] == [
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/03/a.warc.gz",
        "https://data.commoncrawl.org/crawl-data/CC-NEWS/2024/03/b.warc.gz"]
    result = newsmon("ingest", "s3://my-bucket/news.warc.gz", "--db", str(tmp_path / "n.db"))
    assert result.returncode == 1
    assert "s3://my-bucket/news.warc.gz: newsmon reads files and http(s) URLs, not s3:// ones" in result.stderr


def test_an_input_that_names_no_archive_it_can_read_leaves_no_database_behind(tmp_path):
    # Each was one line with exit 1, after a new, migrated database had been made at --db; and
    # ftp://… was "no such file or directory".
    db = tmp_path / "n.db"
    for given, said in [(str(tmp_path / "typo.warc.gz"), "no such file or directory"),
                        ("s3://my-bucket/news.warc.gz", "not s3:// ones"),
                        ("ftp://ftp.example.org/news.warc.gz", "not ftp:// ones: download it first")]:
        result = newsmon("ingest", given, "--db", str(db), "--workers", "0")
        assert result.returncode == 1
        assert result.stderr.startswith(f"Error: {given}: ") and said in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not db.exists()
    # A file:// URL is the file's path.
    warcs.write(tmp_path / "a b.warc.gz", warcs.outlet_pages()[:1])
    result = newsmon("ingest", (tmp_path / "a b.warc.gz").as_uri(), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM urls WHERE kind = 'article'") == [(1,)]


# --- progress ------------------------------------------------------------------------------------


def test_progress_is_a_bar_on_a_terminal_and_lines_in_a_log(monkeypatch):
    # A width from the environment (pytest-xdist's workers have one) cut the bar's counts short
    # with tqdm before 4.68, which takes it for a stream that is no terminal.
    monkeypatch.delenv("COLUMNS", raising=False)
    bar = io.StringIO()
    with Progress("ingest", total=1000, unit="B", rate_of="records", stream=bar, bar=True) as progress:
        progress.update(500, records=40, stored=3, relevant=1, what="CC-NEWS-1.warc.gz")
    assert "ingest" in bar.getvalue() and "50%" in bar.getvalue()
    assert "40 records" in bar.getvalue() and "3 stored" in bar.getvalue() and "CC-NEWS-1.warc.gz" in bar.getvalue()
    monkeypatch.setattr("crawler.progress.LOG_EVERY", 0.0)
    log = io.StringIO()
    with Progress("reextract", total=10, unit="pages", stream=log) as progress:
        progress.update(5, stored=5)
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("newsmon: reextract: 5 pages of 10 (50%)") and "\r" not in log.getvalue()
    assert lines[-1].startswith("newsmon: reextract: 5 pages of 10 (50%)") and "left" not in lines[-1]


def test_a_record_whose_url_cannot_be_parsed_is_counted_and_the_records_around_it_are_stored(tmp_path):
    # A known outlet's page under a URL no parser takes (a broken IPv6 bracket, a port out of
    # range or not a number): it raised in the filter, was taken for a damaged archive and ended
    # the reading there, run after run; in canonicalising, it failed the whole part.
    first, second = warcs.outlet_pages()[:2]
    path = urlsplit(first.url).path
    bad = [warcs.Fetch("http://[bad/x", first.body), warcs.Fetch(f"https://www3.nhk.or.jp:99999{path}", first.body),
           warcs.Fetch(f"https://www3.nhk.or.jp:abc{path}", first.body)]
    archive = tmp_path / "bad.warc.gz"
    warcs.write(archive, [first, *bad, second])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert counts(result)["bad url"] == 3 and counts(result)["records"] == 1 + 5
    stored = {url for (url,) in rows(db, "SELECT url FROM urls")}
    assert stored == {canonical_url(first.url, HOSTS), canonical_url(second.url, HOSTS)}
    assert rows(db, "SELECT stopped, finished_at IS NOT NULL FROM ingested_archives") == [(None, 1)]


def test_an_nhk_article_archived_at_its_www3_and_its_news_web_nhk_address_is_one_url_and_one_article(tmp_path):
    # NHK moved to news.web.nhk (2025-10) and feeds of 2026 still link the www3 address: an
    # archive (or a crawl) meets one article under both, and its AMP twin. One key, one article.
    www3 = "http://www3.nhk.or.jp/news/html/20230403/k10014027131000.html"
    body = saved_bytes("scrapping-webs/nhk-test_article_1.html")
    fetches = [warcs.Fetch(www3, body),
               warcs.Fetch("https://www3.nhk.or.jp/news/html/20230403/amp/k10014027131000.html", body),
               warcs.Fetch("https://news.web.nhk/newsweb/na/na-k10014027131000", body)]
    _, states, db = _ingested(tmp_path, fetches)
    assert list(states) == ["https://news.web.nhk/newsweb/na/na-k10014027131000"]
    assert states[canonical_url(www3, HOSTS)][0] == "article"
    assert rows(db, "SELECT url, outlet FROM articles") == [("https://news.web.nhk/newsweb/na/na-k10014027131000", "nhk")]


def _ingested(tmp_path: Path, fetches: list[warcs.Fetch]) -> tuple[dict[str, int], dict[str, tuple], Path]:
    """An archive of ``fetches`` ingested in this process: its counts, each URL's (kind, reason
    code, reason), and the database."""
    archive = tmp_path / "fetches.warc.gz"
    warcs.write(archive, fetches)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = {url: (kind, code, reason) for url, kind, code, reason in
              rows(db, "SELECT url, kind, reason_code, reason FROM urls")}
    return counts(result), states, db


def _chunked(data: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + 4000]), data[i:i + 4000])
                    for i in range(0, len(data), 4000)) + b"0\r\n\r\n"


#: Content-Encodings a browser or crawler receives pages in, as WARC writers that keep responses
#: as received (Webrecorder, Heritrix, wget) store them.
ENCODED = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def test_pages_in_every_content_encoding_a_browser_accepts_are_read(tmp_path):
    # A brotli-encoded response stopped the ingest at its record, run after run (warcio's br
    # decoder needs brotlipy, not the brotli Scrapy installs); a zstd one was counted as "not
    # text" and its article lost without a URL saying so.
    pages = warcs.outlet_pages()[:len(ENCODED) + 2]
    fetches = [warcs.Fetch(p.url, p.body, headers=(("Content-Encoding", name),), payload=encode(p.body))
               for p, (name, encode) in zip(pages, ENCODED.items())]
    chunked, undecodable = pages[len(ENCODED):]
    fetches.append(warcs.Fetch(chunked.url, chunked.body, payload=_chunked(gzip.compress(chunked.body)),
                               headers=(("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"))))
    fetches.append(warcs.Fetch(undecodable.url, undecodable.body, payload=bz2.compress(undecodable.body),
                               headers=(("Content-Encoding", "x-bzip2"),)))
    counted, states, db = _ingested(tmp_path, fetches)
    assert counted["new"] == len(ENCODED) + 1 and counted["not text"] == 1
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for page in pages[:-1]:
        url = canonical_url(page.url, HOSTS)
        assert texts[url] == store.analyse(page.body, url)["text"], page.url
    # What no decoder undoes is an error of that URL, with the reason, for a crawl to fetch again.
    kind, code, reason = states[canonical_url(undecodable.url, HOSTS)]
    assert (kind, code) == ("error", "not_html")
    assert "bzip2 data" in reason and "Content-Encoding x-bzip2" in reason


def test_a_page_in_transfer_codings_besides_chunked_is_read_or_refused_naming_the_coding(tmp_path):
    # Only a Transfer-Encoding of exactly "chunked" was read: a response kept with its raw transfer
    # coding ("gzip, chunked", or "gzip" and "chunked" in a header each) was "not an HTML page:
    # binary data", and "Chunked;ext=1" stored with its chunk sizes in the text. They are undone
    # after the chunks, before the Content-Encodings; a coding no decoder undoes is said so.
    pages = warcs.outlet_pages()[:9]
    sent = [((("Transfer-Encoding", "gzip, chunked"),), lambda b: _chunked(gzip.compress(b))),
            ((("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")), lambda b: _chunked(gzip.compress(b))),
            ((("Transfer-Encoding", " Chunked ; ext=1"),), _chunked),
            ((("Content-Encoding", "deflate"), ("Transfer-Encoding", "x-gzip,Chunked")),
             lambda b: _chunked(gzip.compress(zlib.compress(b)))),
            ((("Transfer-Encoding", "gzip"),), gzip.compress),  # no chunks: the connection's close ends it
            ((("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")), _chunked)]  # a repeated header
    readable = pages[:len(sent)]
    unknown, misplaced, damaged = pages[len(sent):]
    fetches = [warcs.Fetch(p.url, p.body, headers=h, payload=encode(p.body)) for p, (h, encode) in zip(readable, sent)]
    inner = bytearray(gzip.compress(damaged.body))
    inner[len(inner) // 2] ^= 0xFF
    fetches += [warcs.Fetch(unknown.url, unknown.body, headers=(("Transfer-Encoding", "compress, chunked"),),
                            payload=_chunked(b"\x1f\x9d\x90" + zlib.compress(unknown.body))),
                warcs.Fetch(misplaced.url, misplaced.body, headers=(("Transfer-Encoding", "chunked, gzip"),),
                            payload=gzip.compress(_chunked(misplaced.body))),
                warcs.Fetch(damaged.url, damaged.body, headers=(("Transfer-Encoding", "gzip, chunked"),),
                            payload=_chunked(bytes(inner)))]
    counted, states, db = _ingested(tmp_path, fetches)
    assert counted["new"] == len(sent) and counted["bad compression"] == 3 and "not text" not in counted
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for page in readable:
        url = canonical_url(page.url, HOSTS)
        assert texts[url] == store.analyse(page.body, url)["text"], page.url
    kind, code, reason = states[canonical_url(unknown.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression")
    assert "its Transfer-Encoding (compress, chunked) applies compress, a transfer coding newsmon cannot undo" in reason
    kind, code, reason = states[canonical_url(misplaced.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression") and "(chunked, gzip) applies another coding after" in reason
    kind, code, reason = states[canonical_url(damaged.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression") and "its gzip Transfer-Encoding is corrupt (" in reason


def test_a_page_stored_decoded_under_a_transfer_coding_newsmon_cannot_undo_is_read(tmp_path):
    # A WARC writer that undid the transfer coding and kept its header ("compress, chunked", "chunked,
    # gzip"): the page, read before such headers were looked at, was refused for its header alone,
    # "bad_compression", where warcio reads chunks that are none as they are. Bytes still encoded stay
    # refused; a damaged page names its codings as one thing, not "deflate Content-Encoding and gzip
    # Transfer-Encoding is corrupt".
    pages = warcs.outlet_pages()[:5]
    said = [(("Transfer-Encoding", "compress, chunked"),), (("Transfer-Encoding", "chunked, gzip"),),
            (("Transfer-Encoding", "x-compress"),)]
    decoded, encoded, damaged = pages[:len(said)], pages[len(said)], pages[len(said) + 1]
    inner = bytearray(zlib.compress(damaged.body))
    inner[len(inner) // 2] ^= 0xFF
    fetches = [warcs.Fetch(p.url, p.body, headers=h) for p, h in zip(decoded, said)]
    fetches += [warcs.Fetch(encoded.url, encoded.body, headers=(("Transfer-Encoding", "chunked, gzip"),),
                            payload=gzip.compress(_chunked(encoded.body))),
                warcs.Fetch(damaged.url, damaged.body, payload=_chunked(gzip.compress(bytes(inner))),
                            headers=(("Content-Encoding", "deflate"), ("Transfer-Encoding", "gzip, chunked")))]
    counted, states, db = _ingested(tmp_path, fetches)
    assert counted["new"] == len(decoded) and counted["bad compression"] == 2
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for page in decoded:
        url = canonical_url(page.url, HOSTS)
        assert texts[url] == store.analyse(page.body, url)["text"], page.url
    kind, code, reason = states[canonical_url(encoded.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression") and "(chunked, gzip) applies another coding after" in reason
    kind, code, reason = states[canonical_url(damaged.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression")
    assert "its deflate Content-Encoding under a gzip Transfer-Encoding is corrupt (" in reason


def test_a_page_in_stacked_content_encodings_is_decoded_as_the_crawl_decodes_it(tmp_path):
    # "gzip, br" (or a Content-Encoding header each, as servers send them): warcio undid none or
    # the first header's only, and the page, still compressed, was "not an HTML page", its reason
    # naming one coding of two. The crawl (Scrapy) undoes each, the last applied first.
    pages = warcs.outlet_pages()[:6]
    twice = [lambda b: brotli.compress(gzip.compress(b))] * 3 + [lambda b: _chunked(brotli.compress(gzip.compress(b)))]
    headers = [(("Content-Encoding", "gzip, br"),), (("Content-Encoding", "gzip"), ("Content-Encoding", "br")),
               (("Content-Encoding", "identity, gzip, br"),),
               (("Content-Encoding", "gzip, br"), ("Transfer-Encoding", "chunked"))]
    fetches = [warcs.Fetch(p.url, p.body, headers=h, payload=encode(p.body))
               for p, h, encode in zip(pages, headers, twice)]
    damaged, undecodable = pages[4:]
    inner = bytearray(gzip.compress(damaged.body))
    inner[len(inner) // 2] ^= 0xFF
    fetches.append(warcs.Fetch(damaged.url, damaged.body, headers=(("Content-Encoding", "gzip, br"),),
                               payload=brotli.compress(bytes(inner))))
    fetches.append(warcs.Fetch(undecodable.url, undecodable.body, headers=(("Content-Encoding", "gzip, x-bzip2"),),
                               payload=bz2.compress(gzip.compress(undecodable.body))))
    counted, states, db = _ingested(tmp_path, fetches)
    assert counted["new"] == 4 and counted["bad compression"] == 1 and counted["not text"] == 1
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for page in pages[:4]:
        url = canonical_url(page.url, HOSTS)
        assert texts[url] == store.analyse(page.body, url)["text"], page.url
    # Damaged inside: refused as a damaged single coding is, naming the codings.
    kind, code, reason = states[canonical_url(damaged.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression")
    assert reason.startswith("the page in the archive cannot be read: its gzip, br Content-Encoding is corrupt (")
    # What no decoder undoes is left as it is (not text), the reason naming every coding.
    kind, code, reason = states[canonical_url(undecodable.url, HOSTS)]
    assert (kind, code) == ("error", "not_html")
    assert "bzip2 data" in reason and "Content-Encoding gzip, x-bzip2" in reason

@pytest.mark.parametrize("served", ["", "application/octet-stream"])
def test_an_outlet_page_served_without_a_content_type_is_read_by_its_bytes(tmp_path, served):
    # It was counted "not html" and skipped; the crawl, as a browser, sniffs such a body. So too
    # for a type that says only "bytes" (a page uploaded to a bucket without its type).
    page, picture = warcs.outlet_pages()[:2]
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch(page.url, page.body, content_type=served),
                                              warcs.Fetch(picture.url, image, content_type=served)])
    assert counted["new"] == 1 and counted["not text"] == 1
    assert states[canonical_url(page.url, HOSTS)][0] == "article"
    kind, _, reason = states[canonical_url(picture.url, HOSTS)]
    served_as = f"served as {served}; " if served else ""
    assert kind == "error" and reason.startswith(f"not an HTML page in the archive: PNG image ({served_as}2,056 bytes)")


#: An API's answer (its titles those of a news list) and a data file, where a page should be.
_API = json.dumps({"articles": [{"id": n, "title": f"安保3文書の改定 第{n}報"} for n in range(40)]},
                  ensure_ascii=False).encode()
_CSV = "".join(f"{n},安保3文書の改定 第{n}報\n" for n in range(40)).encode()


@pytest.mark.parametrize("served,data,said", [
    ("application/octet-stream", _API, "JSON served as application/octet-stream"),
    ("", _API, "JSON served without a Content-Type"),
    ("text/html; charset=utf-8", _API, "JSON served as text/html"),
    ("", _CSV, "text with no HTML markup served without a Content-Type"),
], ids=["json-octet-stream", "json-untyped", "json-as-html", "csv-untyped"])
def test_an_outlet_url_that_answered_json_or_text_is_no_article(tmp_path, served, data, said):
    # An API's answer or a data file where the outlet's page should be was extracted and stored
    # as its article (trafilatura reads any text): the URL was then "stored", never fetched again.
    # Refused as the crawl refuses it (crawler.outcome.check_body), it is fetched by the crawl.
    page = warcs.outlet_pages()[0]
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch(page.url, data, content_type=served)])
    assert counted["new"] == 0 and counted["not text"] == 1
    kind, code, reason = states[canonical_url(page.url, HOSTS)]
    assert (kind, code) == ("error", "not_html")
    assert reason.startswith(f"not an HTML page in the archive: {said}")


def test_an_outlet_article_url_served_as_another_type_is_judged_by_its_bytes(tmp_path):
    # A 200 of an outlet's article URL typed text/plain, application/json or image/png was counted
    # "not html" and skipped, its URL in no state: the article dropped without a trace, though the
    # same bytes untyped were an error a crawl fetched again, and the crawl reads a page served
    # as text/plain. The outlet's other URLs (its images, feeds) are counted only, as before.
    page, api, picture, logo = warcs.outlet_pages()[:4]
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(page.url, page.body, content_type="text/plain; charset=utf-8"),
        warcs.Fetch(api.url, _API, content_type="application/json"),
        warcs.Fetch(picture.url, image, content_type="image/png"),
        warcs.Fetch("https://www.asahi.com/images/logo.png", image, content_type="image/png")])
    assert counted["new"] == 1 and counted["not text"] == 2 and counted["not html"] == 1
    assert states[canonical_url(page.url, HOSTS)][0] == "article"
    assert states[canonical_url(api.url, HOSTS)][:2] == ("error", "not_html")
    assert "JSON served as application/json" in states[canonical_url(api.url, HOSTS)][2]
    kind, code, reason = states[canonical_url(picture.url, HOSTS)]
    assert (kind, code) == ("error", "not_html") and "PNG image (served as image/png" in reason
    assert "https://www.asahi.com/images/logo.png" not in states and logo.url not in states


def _bomb(compressor, process: str, finish: str, size: int) -> bytes:
    """``size`` bytes of one repeated letter, compressed a MB at a time (a few KB in the end)."""
    step, block = getattr(compressor, process), b"a" * (1 << 20)
    return b"".join([*(step(block) for _ in range(size >> 20)), getattr(compressor, finish)()])


def test_a_body_larger_than_the_crawl_takes_is_refused_however_it_is_encoded(tmp_path):
    # A record's body was read whole: a 1 GB record labelled HTML, or a few KB of brotli or zstd
    # that decode to gigabytes, and the worker ran out of memory on that part, run after run.
    size = 256 << 20
    pages = warcs.outlet_pages()
    big = b"<html><body>" + b"<p>long</p>" * (1 << 20) + b"</body></html>"  # 11 MB, plain
    fetches = [warcs.Fetch(pages[0].url, big),
               warcs.Fetch(pages[1].url, b"", headers=(("Content-Encoding", "gzip"),),
                           payload=_bomb(zlib.compressobj(9, zlib.DEFLATED, 31), "compress", "flush", size)),
               warcs.Fetch(pages[2].url, b"", headers=(("Content-Encoding", "br"),),
                           payload=_bomb(brotli.Compressor(quality=1), "process", "finish", size)),
               warcs.Fetch(pages[3].url, b"", headers=(("Content-Encoding", "zstd"),),
                           payload=_bomb(zstandard.ZstdCompressor(level=1).compressobj(), "compress", "flush", size)),
               pages[4]]
    archive = tmp_path / "large.warc.gz"
    warcs.write(archive, fetches)
    db = tmp_path / "n.db"
    # Alone in a process of its own, so that the peak memory of its children is this ingest's.
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(r.stdout); "
             "print(r.stderr, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "crawler.cli", "ingest", str(archive),
                             "--db", str(db), "--workers", "0"], capture_output=True, text=True, timeout=300)
    status, peak_kb = map(int, result.stdout.split("\n", 1)[0].split())
    assert status == 0, result.stderr
    assert counts(subprocess.CompletedProcess([], 0, result.stdout.split("\n", 1)[1]))["too large"] == 4
    assert peak_kb < 200 * 1024  # one decoded bomb alone is 256 MB
    states = {url: (kind, code, reason) for url, kind, code, reason in
              rows(db, "SELECT url, kind, reason_code, reason FROM urls")}
    for fetch in fetches[:4]:
        kind, code, reason = states[canonical_url(fetch.url, HOSTS)]
        assert (kind, code) == ("error", "too_large") and "larger than 10,485,760 bytes" in reason
    assert states[canonical_url(pages[4].url, HOSTS)][0] == "article"


def test_a_coding_under_another_that_decodes_past_the_limit_is_refused_as_too_large(tmp_path):
    # "gzip, gzip" whose inner gzip names a file that never ends: its decoder reads on and gives
    # nothing, and the outer gzip was decoded whole under it (a gigabyte and 2 s for a record of a
    # megabyte), the page then called cut. The crawl bounds each coding's output: too large.
    page, after = warcs.outlet_pages()[:2]
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    named = outer.compress(b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\x03")  # FNAME: a name up to a NUL follows
    payload = named + _bomb(outer, "compress", "flush", 64 << 20)
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch(page.url, b"", headers=(("Content-Encoding", "gzip, gzip"),),
                                                          payload=payload), after])
    assert counted["too large"] == 1 and counted["new"] == 1
    assert states[canonical_url(page.url, HOSTS)] == ("error", "too_large", (
        "larger than 10,485,760 bytes in the archive (DOWNLOAD_MAXSIZE; undoing the gzip of its gzip, gzip "
        "Content-Encoding gives more than that already: a compression bomb?): not read (an archive's copy, not "
        "counted as an attempt: a crawl of the outlet fetches the page; the crawl's attempts so far: 0)"))


def test_a_page_the_archive_truncated_is_stored_with_a_note_or_left_for_the_crawl(tmp_path):
    # Common Crawl keeps a page's first MiB and says so (WARC-Truncated: length). Cut before its
    # article, a page was written off as "not an article" for good; cut after it, stored with
    # nothing said. The cuts: where extraction finds no article in one, the article in the other.
    saved = warcs.outlet_pages()
    sankei = next(p for p in saved if "sankei.com" in p.url)
    asahi = next(p for p in saved if "asahi.com/articles" in p.url)
    cut = (("WARC-Truncated", "length"),)
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(sankei.url, sankei.body[:len(sankei.body) * 2 // 5], warc_headers=cut),
        warcs.Fetch(asahi.url, asahi.body[:len(asahi.body) // 2], warc_headers=cut)])
    assert counted["truncated"] == 2 and counted["new"] == 1
    kind, code, reason = states[canonical_url(sankei.url, HOSTS)]
    assert (kind, code) == ("error", "truncated")
    assert reason.startswith(f"no article in the first {len(sankei.body) * 2 // 5:,} bytes of the page: the "
                             "archive truncated the page there (WARC-Truncated: length)")
    kind, code, reason = states[canonical_url(asahi.url, HOSTS)]
    assert (kind, code) == ("article", "stored") and reason.endswith("(WARC-Truncated: length)")


def test_a_later_capture_that_holds_the_article_or_all_of_it_replaces_a_weaker_one(tmp_path):
    # The archive's crawler met the outlet's front page where the article was (a busy site's
    # answer), or the archive kept the first part of the page only, then captured the article
    # whole: the first capture's URL was "seen" and its verdict final ("no article", or the
    # article cut short), the whole capture never read. A second capture that holds no more stays
    # seen, and a crawl's "no article" waiting for its second look keeps that look.
    from storage import frontier, open_db

    pages = [p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url or "sankei.com" in p.url][:3]
    front = saved_bytes("script-crawler/asahi-top-2020-09-19.html")
    cut = (("WARC-Truncated", "length"),)
    assert "sankei.com" in pages[1].url
    half = len(pages[1].body) * 42 // 100  # inside the article: its first half is kept, with a note
    db = tmp_path / "n.db"
    crawled = open_db(db)
    frontier.record_result(crawled, canonical_url(pages[2].url, HOSTS), outlet="asahi", kind="not_article", code="not_article",
                           reason="no article in the page", retry_at="2099-01-01T00:00:00+00:00")
    crawled.close()
    archive = tmp_path / "captures.warc.gz"
    warcs.write(archive, [warcs.Fetch(pages[0].url, front), pages[0],
                          warcs.Fetch(pages[1].url, pages[1].body[:half], warc_headers=cut),
                          pages[1], warcs.Fetch(pages[1].url, front), warcs.Fetch(pages[2].url, front)])
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = {url: (kind, code, reason, retry) for url, kind, code, reason, retry in
              rows(db, "SELECT url, kind, reason_code, reason, retry_at FROM urls")}
    assert states[canonical_url(pages[0].url, HOSTS)][:2] == ("article", "stored")
    kind, _, reason, _ = states[canonical_url(pages[1].url, HOSTS)]
    assert kind == "article" and "bytes only" not in reason, reason
    # The whole capture's text is the article's.
    (tmp_path / "cut").mkdir()
    _, _, cut_db = _ingested(tmp_path / "cut", [warcs.Fetch(pages[1].url, pages[1].body[:half], warc_headers=cut)])
    text = "SELECT length(a.text) FROM articles a JOIN urls u ON u.article_id = a.id WHERE u.url = " \
        + repr(canonical_url(pages[1].url, HOSTS))
    assert rows(db, text)[0][0] > rows(cut_db, text)[0][0] + 100
    assert states[canonical_url(pages[2].url, HOSTS)][::3] == ("not_article", "2099-01-01T00:00:00+00:00")
    # The front page after each whole capture, and beside the crawl's verdict.
    assert counts(result)["seen"] == 3


def test_captures_of_an_article_with_other_texts_are_its_versions_in_the_order_they_were_made(tmp_path):
    # A backfill is read for how the wording changed: a later capture of a stored article with
    # another text was counted "seen" and dropped. Archives are read in no order of time: a
    # capture made before the stored one takes its place among the versions, and the article
    # keeps the newest text; a capture of another page at the URL (a busy site's front page) and
    # one of a version stored already are seen.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    assert asahi.body.count(spot) == 1
    added = ["", "気象庁は同日夜、余震への警戒を呼びかけた。", "宮崎市では一時、約2千世帯が停電した。",
             "県は14日朝、災害対策本部を設置した。"]
    texts = ["".join(added[:n + 1]) for n in range(4)]

    def capture(n: int, day: int) -> warcs.Fetch:
        return warcs.Fetch(asahi.url, asahi.body.replace(spot, texts[n].encode() + spot),
                           warc_headers=(("WARC-Date", f"2025-01-{day:02d}T03:00:00Z"),))

    db = tmp_path / "n.db"

    def ingest(name: str, fetches: list[warcs.Fetch]) -> dict[str, int]:
        warcs.write(tmp_path / name, fetches)
        result = newsmon("ingest", str(tmp_path / name), "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        return counts(result)

    def history() -> list[tuple[int, str, bool]]:
        # Each version's text holds its own sentences and not the next one's.
        return [(v, at, texts[v - 1] in text and (v == len(added) or added[v] not in text)) for v, at, text in rows(
            db, "SELECT version, fetched_at, text FROM article_versions ORDER BY version")]

    assert ingest("late.warc.gz", [capture(2, 15), warcs.Fetch(asahi.url, saved_bytes(
        "script-crawler/asahi-top-2020-09-19.html"), warc_headers=(("WARC-Date", "2025-01-16T03:00:00Z"),))])["new"] == 1
    early = ingest("early.warc.gz", [capture(1, 14), capture(0, 13), capture(1, 14)])
    assert (early.get("earlier versions"), early["seen"], early["new"]) == (2, 1, 0)
    assert history() == [(1, "2025-01-13T03:00:00+00:00", True), (2, "2025-01-14T03:00:00+00:00", True),
                         (3, "2025-01-15T03:00:00+00:00", True)]
    version, text = rows(db, "SELECT version, text FROM articles")[0]
    assert version == 3 and texts[2] in text
    assert ingest("later.warc.gz", [capture(3, 17)])["versions"] == 1
    assert [at for _, at, _ in history()][-1] == "2025-01-17T03:00:00+00:00"
    version, text = rows(db, "SELECT version, text FROM articles")[0]
    assert version == 4 and texts[3] in text
    assert [ok for *_, ok in history()] == [True] * 4 and rows(db, "SELECT count(*) FROM articles")[0][0] == 1


def test_captures_of_one_second_read_again_add_no_version(tmp_path):
    # Two texts of an article captured in one second (a crawler's retry; the article at another of its URLs):
    # read again (--force, or a part read again after an ingest stopped between its batches), each read appended
    # both as the newest versions once more, A, B, A, B, A, B, and the article's history grew with every read.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    later = "気象庁は同日夜、余震への警戒を呼びかけた。"
    second = (("WARC-Date", "2025-01-14T03:00:00Z"),)
    warcs.write(tmp_path / "a.warc.gz", [warcs.Fetch(asahi.url, asahi.body, warc_headers=second),
                                         warcs.Fetch(asahi.url + "?ref=top", asahi.body.replace(
                                             spot, later.encode() + spot), warc_headers=second)])
    _read_thrice_two_versions(tmp_path / "a.warc.gz", later)


def _read_thrice_two_versions(archive: Path, later: str) -> None:
    """``archive``, read, then read again twice with --force, holds one article of two versions each time, the
    second and current one with ``later`` in its text."""
    db = archive.parent / "n.db"
    for force in ((), ("--force",), ("--force",)):
        result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0", *force)
        assert result.returncode == 0, result.stderr
        assert rows(db, "SELECT count(*), max(version) FROM articles") == [(1, 2)], force
        assert [later in text for text, in rows(db, "SELECT text FROM article_versions ORDER BY version")] == [
            False, True]
        assert later in rows(db, "SELECT text FROM articles")[0][0]


@pytest.mark.parametrize("date", ["none", "a day ahead"])
def test_undated_captures_read_again_add_no_version(tmp_path, date):
    # Captures of an article with two texts and no date to place them by (no WARC-Date, or one a clock set
    # wrong wrote): taken for the newest each time, each read again (--force, a part read again after a stop)
    # appended both texts as versions again, A, B, then A, B, A, B.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    later = "気象庁は同日夜、余震への警戒を呼びかけた。"
    ahead = (("WARC-Date", "2099-01-01T00:00:00Z"),) if date != "none" else ()
    plain = io.BytesIO()
    warcs.write(plain, [warcs.Fetch(asahi.url, asahi.body, warc_headers=ahead),
                        warcs.Fetch(asahi.url, asahi.body.replace(spot, later.encode() + spot), warc_headers=ahead)],
                gzip=False)
    data = plain.getvalue()
    if date == "none":  # the responses' WARC-Date taken out (a header line: no length changes), the warcinfo's kept
        at = data.index(b"WARC-Date:") + 1
        data = data[:at] + re.sub(rb"WARC-Date: [^\r]*\r\n", b"", data[at:])
        assert data.count(b"WARC-Date") == 1
    (tmp_path / "a.warc").write_bytes(data)
    _read_thrice_two_versions(tmp_path / "a.warc", later)


def test_undated_captures_read_again_after_a_prune_add_no_version(tmp_path):
    # An undated capture is known by its page's bytes alone: once `newsmon prune` had deleted them, the archive read
    # again (--force, or another archive holding the same captures) appended both texts as versions again.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    later, third = "気象庁は同日夜、余震への警戒を呼びかけた。", "県は14日朝、災害対策本部を設置した。"

    def undated(name: str, texts: list[str]) -> Path:
        plain = io.BytesIO()
        warcs.write(plain, [warcs.Fetch(asahi.url, asahi.body.replace(spot, text.encode() + spot)) for text in texts],
                    gzip=False)
        data = plain.getvalue()
        at = data.index(b"WARC-Date:") + 1  # the warcinfo's kept
        (tmp_path / name).write_bytes(data[:at] + re.sub(rb"WARC-Date: [^\r]*\r\n", b"", data[at:]))
        return tmp_path / name

    db = tmp_path / "n.db"
    archive = undated("a.warc", ["", later])
    assert newsmon("ingest", str(archive), "--db", str(db), "--workers", "0").returncode == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE pages SET fetched_at = '2020-01-01T00:00:00+00:00'")
    conn.close()
    result = newsmon("prune", "--db", str(db), "--keep", "30d")
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM pages") == [(0,)]
    shutil.copy(archive, tmp_path / "copy.warc")
    for again in ((str(archive), "--force"), (str(tmp_path / "copy.warc"),)):
        result = newsmon("ingest", *again, "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        assert rows(db, "SELECT count(*), max(version) FROM articles") == [(1, 2)], again
        assert [later in text for text, in rows(db, "SELECT text FROM article_versions ORDER BY version")] == [
            False, True]
    # A capture of another text, undated too, is a version still.
    assert newsmon("ingest", str(undated("b.warc", [third])), "--db", str(db), "--workers", "0").returncode == 0
    assert rows(db, "SELECT count(*), max(version) FROM articles") == [(1, 3)]
    assert third in rows(db, "SELECT text FROM articles")[0][0]


@pytest.mark.parametrize("order", ["as made", "reversed"])
def test_an_articles_captures_give_the_same_versions_whatever_order_and_url_they_come_in(tmp_path, order):
    # A capture at another URL whose canonical link names the article went the way of a new page:
    # its text a version dated when the ingest ran, after every other, and counted "seen". A text
    # captured again after another (the outlet took an update back) was a version or nothing by the
    # order the archives were read in. A clock set years ahead put a capture after every later one.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    added = ["", "気象庁は同日夜、余震への警戒を呼びかけた。", "宮崎市では一時、約2千世帯が停電した。",
             "県は14日朝、災害対策本部を設置した。"]
    other = asahi.url + "?newsmon_article=1"

    def capture(n: int, day: int, url: str = asahi.url) -> warcs.Fetch:
        return warcs.Fetch(url, asahi.body.replace(spot, "".join(added[:n + 1]).encode() + spot),
                           warc_headers=(("WARC-Date", f"2025-01-{day:02d}T03:00:00Z"),))

    # Texts 0, 1, 2 (at the other URL), 3, then 0 again: the update taken back.
    captures = [capture(0, 13), capture(1, 14), capture(2, 15, other), capture(3, 16), capture(0, 17)]
    db = tmp_path / "n.db"
    for n, fetch in enumerate(captures if order == "as made" else captures[::-1]):
        warcs.write(tmp_path / f"{n}.warc.gz", [fetch])
        result = newsmon("ingest", str(tmp_path / f"{n}.warc.gz"), "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
    history = rows(db, "SELECT version, fetched_at, text FROM article_versions ORDER BY version")
    assert [at[8:10] for _, at, _ in history] == ["13", "14", "15", "16", "17"]
    assert [(added[1] in text, added[2] in text, added[3] in text) for _, _, text in history] == [
        (False, False, False), (True, False, False), (True, True, False), (True, True, True), (False, False, False)]
    assert rows(db, "SELECT count(*), max(version) FROM articles") == [(1, 5)]
    assert added[1] not in rows(db, "SELECT text FROM articles")[0][0]
    assert rows(db, f"SELECT kind, reason_code FROM urls WHERE url = {canonical_url(other, HOSTS)!r}") == [
        ("article", "duplicate")]
    # Dated years ahead: taken as undated, the newest as read now.
    warcs.write(tmp_path / "ahead.warc.gz", [warcs.Fetch(asahi.url, asahi.body.replace(spot, added[3].encode() + spot),
                                                         warc_headers=(("WARC-Date", "2099-01-01T00:00:00Z"),))])
    assert newsmon("ingest", str(tmp_path / "ahead.warc.gz"), "--db", str(db), "--workers", "0").returncode == 0
    assert not rows(db, "SELECT fetched_at FROM article_versions ORDER BY version DESC")[0][0].startswith("2099")


def test_a_capture_at_the_articles_canonical_url_or_cut_at_another_is_placed_or_left(tmp_path):
    # The article stored from another URL of it first (its print view), its capture at the canonical
    # URL itself went the way of a new page: a version dated when the ingest ran, the article's text
    # the older one. And a capture the archive cut short at another URL became the article's text.
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    spot = "震源の深さは約30キロ、地震の規模（<a".encode()
    later = "気象庁は同日夜、余震への警戒を呼びかけた。".encode()
    db = tmp_path / "n.db"

    def ingest(name: str, fetch: warcs.Fetch) -> dict[str, int]:
        warcs.write(tmp_path / name, [fetch])
        result = newsmon("ingest", str(tmp_path / name), "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
        return counts(result)

    ingest("print.warc.gz", warcs.Fetch(asahi.url + "?page=print", asahi.body.replace(spot, later + spot),
                                        warc_headers=(("WARC-Date", "2025-01-15T03:00:00Z"),)))
    assert ingest("own.warc.gz", warcs.Fetch(asahi.url, asahi.body, warc_headers=(
        ("WARC-Date", "2025-01-14T03:00:00Z"),))).get("earlier versions") == 1
    history = rows(db, "SELECT fetched_at, text FROM article_versions ORDER BY version")
    assert [(at[8:10], later.decode() in text) for at, text in history] == [("14", False), ("15", True)]
    cut = asahi.body.replace(spot, later + b"\xe9\x9b\xa8" * 40 + spot)
    ingest("cut.warc.gz", warcs.Fetch(asahi.url + "?variant=9", cut[:len(cut) // 2], warc_headers=(
        ("WARC-Date", "2025-01-16T03:00:00Z"), ("WARC-Truncated", "length"))))
    assert rows(db, "SELECT count(*), max(version) FROM article_versions") == [(2, 2)]
    assert later.decode() in rows(db, "SELECT text FROM articles")[0][0]
    assert rows(db, "SELECT kind, reason_code FROM urls WHERE url LIKE '%variant=9'") == [("article", "duplicate")]


def test_a_page_shorter_than_its_content_length_or_a_records_first_segment_is_cut(tmp_path):
    # Without WARC-Truncated, a capture whose body stops before its HTTP Content-Length, or the
    # first segment of a record the archive split (WARC-Segment-Number), was stored as the whole
    # article: half of it, with nothing said.
    sankei = next(p for p in warcs.outlet_pages() if "sankei.com" in p.url)
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    part = len(sankei.body) * 42 // 100  # inside the article
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(sankei.url, sankei.body, headers=(("Content-Length", str(len(sankei.body))),),
                    payload=sankei.body[:part]),
        warcs.Fetch(asahi.url, asahi.body[:len(asahi.body) // 2], warc_headers=(("WARC-Segment-Number", "1"),))])
    assert counted["truncated"] == 2
    kind, code, reason = states[canonical_url(sankei.url, HOSTS)]
    assert (kind, code) == ("article", "stored") and reason.endswith(
        f"from its first {part:,} bytes only: it ends after {part:,} of the {len(sankei.body):,} bytes its "
        "Content-Length says"), reason
    kind, code, reason = states[canonical_url(asahi.url, HOSTS)]
    assert kind == "article" and reason.endswith("WARC-Segment-Number: 1)"), reason


def _page(fetches: list[warcs.Fetch], part: str) -> warcs.Fetch:
    return next(f for f in fetches if part in f.url)


def test_a_page_whose_content_encoding_breaks_off_or_is_corrupt_is_not_taken_for_whole(tmp_path):
    # warcio decodes what it can of either and says nothing: a page cut there passed for whole
    # (a Sankei page cut so became an "article" of 6 characters, its breadcrumb), and a corrupt
    # one was stored as mojibake (an Asahi page with one byte flipped: 786 characters of it).
    saved = warcs.outlet_pages()
    asahi, nhk, tokyo, mainichi = (_page(saved, part) for part in (
        "asahi.com/articles/AST1F", "nhk.or.jp/news/html/20230403/k10014027131000", "tokyo-np.co.jp",
        "mainichi.jp/articles/20230405"))

    def cut(data: bytes, share: float) -> bytes:
        return data[:int(len(data) * share)]

    cut_gzip = cut(gzip.compress(asahi.body), 0.75)
    cut_br = cut(brotli.compress(nhk.body), 0.5)
    cut_zstd = cut(zstandard.ZstdCompressor().compress(tokyo.body), 0.2)
    corrupt = bytearray(gzip.compress(mainichi.body))
    corrupt[len(corrupt) // 2] ^= 0xFF
    counted, states, db = _ingested(tmp_path, [
        warcs.Fetch(asahi.url, asahi.body, headers=(("Content-Encoding", "gzip"),), payload=cut_gzip),
        warcs.Fetch(nhk.url, nhk.body, headers=(("Content-Encoding", "br"),), payload=cut_br),
        warcs.Fetch(tokyo.url, tokyo.body, headers=(("Content-Encoding", "zstd"),), payload=cut_zstd),
        warcs.Fetch(mainichi.url, mainichi.body, headers=(("Content-Encoding", "gzip"),), payload=bytes(corrupt))])
    assert counted["truncated"] == 3 and counted["bad compression"] == 1 and counted["new"] == 1
    # The outlet's rules found the article in what is left: stored, and its URL says from what.
    kind, _, reason = states[canonical_url(asahi.url, HOSTS)]
    assert kind == "article"
    decoded = zlib.decompressobj(31).decompress(cut_gzip)
    assert reason.endswith(f"from its first {len(decoded):,} bytes only: its gzip Content-Encoding breaks off there "
                           "(the compressed stream ends)")
    assert rows(db, "SELECT text FROM articles") == [(store.analyse(asahi.body, asahi.url)["text"],)]
    # The rules found no article body before the cut: what the generic extractor took there is
    # the site's menus. Left for the crawl, which fetches the page whole.
    kind, code, reason = states[canonical_url(nhk.url, HOSTS)]
    assert (kind, code) == ("error", "truncated")
    assert reason.startswith("the outlet's article body is not in the first ") and \
        "its br Content-Encoding breaks off there" in reason
    # zstd decodes a block (128 KB) whole or not at all.
    kind, code, reason = states[canonical_url(tokyo.url, HOSTS)]
    assert (kind, code) == ("error", "truncated")
    assert reason.startswith("not a byte of the page is left: its zstd Content-Encoding breaks off there")
    kind, code, reason = states[canonical_url(mainichi.url, HOSTS)]
    assert (kind, code) == ("error", "bad_compression")
    assert reason.startswith("the page in the archive cannot be read: its gzip Content-Encoding is corrupt (")


def _corrupt_from_the_start(page: bytes) -> bytes:
    """``page`` in gzip, its deflate stream's first block header (its first two bytes) flipped."""
    data = bytearray(gzip.compress(page))
    data[10] ^= 0xFF
    data[11] ^= 0xFF
    return bytes(data)


def test_a_content_encoding_corrupt_from_its_first_bytes_is_bad_compression_as_in_the_crawl(tmp_path):
    # warcio drops a decoder that fails at its first block and passes the bytes on as they are: a
    # gzip page corrupt from its start (alone or under br) was "not an HTML page: gzip data", and
    # text that is no gzip or br at all (the hostile site's gzip-invalid, br-invalid) was stored
    # as the outlet's article. The crawl says bad_compression for the same bytes. A page an archive
    # stored decoded, its Content-Encoding header kept, is read as before.
    first, stacked, no_gzip, no_br, decoded = warcs.outlet_pages()[:5]
    gzipped = _corrupt_from_the_start(first.body)
    inner = _corrupt_from_the_start(stacked.body)
    fetches = [warcs.Fetch(first.url, first.body, headers=(("Content-Encoding", "gzip"),), payload=gzipped),
               warcs.Fetch(stacked.url, stacked.body, headers=(("Content-Encoding", "gzip, br"),),
                           payload=brotli.compress(inner)),
               warcs.Fetch(no_gzip.url, b"", headers=(("Content-Encoding", "gzip"),), payload=b"this is not gzip" * 10),
               warcs.Fetch(no_br.url, b"", headers=(("Content-Encoding", "br"),), payload=b"this is not brotli" * 10),
               warcs.Fetch(decoded.url, decoded.body, headers=(("Content-Encoding", "gzip"),))]
    counted, states, db = _ingested(tmp_path, fetches)
    assert counted["bad compression"] == 4 and counted["new"] == 1 and "not text" not in counted
    for fetch, coding, sent in zip(fetches, ("gzip", "gzip", "gzip", "br"), (gzipped, inner, b"", b"")):
        kind, code, reason = states[canonical_url(fetch.url, HOSTS)]
        assert (kind, code) == ("error", "bad_compression"), reason
        assert reason.startswith("the page in the archive cannot be read: its ") and \
            "Content-Encoding is corrupt from its first bytes (not valid " in reason, reason
        assert "a crawl of the outlet fetches the page again" in reason
        if sent:
            # The fault the crawl's decoder names for the same bytes.
            with pytest.raises(Corrupt) as crawls:
                decompress(sent, coding, archives.MAX_BODY)
            assert f"(not valid {coding} data: {crawls.value}), nor are the bytes a page stored decoded (gzip data " \
                   in reason
        else:
            assert f"not valid {coding} data: " in reason and \
                "nor are the bytes a page stored decoded (text with no HTML markup (" in reason
    assert rows(db, "SELECT url, text FROM articles") == [
        (canonical_url(decoded.url, HOSTS), store.analyse(decoded.body, decoded.url)["text"])]


def test_a_page_stored_decoded_that_opens_with_other_bytes_than_a_tag_is_read(tmp_path):
    # Archives that store a response decoded keep its Content-Encoding header (CC-NEWS before May
    # 2019): warcio passes the bytes on. A page opening with a second byte-order mark (PHP
    # includes), a PHP notice, a NUL or whitespace before its BOM was "bad_compression", its article
    # lost, where the crawl reads the same bytes sent without the coding. Text with no page's tag
    # under a false gzip is no page still.
    pages = warcs.outlet_pages()
    prefixes = (b"\xef\xbb\xbf\xef\xbb\xbf", b"\nNotice: Undefined index: ref in /var/www/html/a.php on line 12\n",
                b"\x00", b"\r\n \xef\xbb\xbf")
    fetches = [warcs.Fetch(page.url, prefix + page.body, headers=(("Content-Encoding", coding),))
               for page, prefix, coding in zip(pages, prefixes, ("gzip", "br", "gzip", "x-gzip"))]
    liar = pages[len(prefixes)]
    lie = b"Notice: this is not gzip\n" * 9
    counted, states, db = _ingested(tmp_path, [
        *fetches, warcs.Fetch(liar.url, b"", headers=(("Content-Encoding", "gzip"),), payload=lie)])
    assert counted["bad compression"] == 1 and counted["new"] == len(prefixes)
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for fetch in fetches:
        assert states[canonical_url(fetch.url, HOSTS)][:2] == ("article", "stored")
        assert texts[canonical_url(fetch.url, HOSTS)] == store.analyse(fetch.body, fetch.url)["text"]
    assert states[canonical_url(liar.url, HOSTS)][:2] == ("error", "bad_compression")


def test_a_page_cut_where_no_length_says_where_it_ends_is_truncated_as_in_the_crawl(tmp_path):
    # A response sent without a Content-Length nor chunks ends where the server closed the
    # connection, early or not: one that stops before its end tag (the hostile site's
    # cut-nolength) was stored as the whole article, where the crawl says "truncated". Whole, or
    # cut where the archive says so itself (WARC-Truncated), it is read as before.
    sankei = next(p for p in warcs.outlet_pages() if "sankei.com" in p.url)
    asahi = next(p for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    part = len(sankei.body) * 2 // 5
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(sankei.url, sankei.body[:part], headers=(("Connection", "close"),)),
        warcs.Fetch(asahi.url, asahi.body, headers=(("Connection", "close"),))])
    assert counted["truncated"] == 1 and counted["new"] == 1
    kind, code, reason = states[canonical_url(sankei.url, HOSTS)]
    assert (kind, code) == ("error", "truncated")
    assert reason.startswith(f"no article in the first {part:,} bytes of the page: it came without a Content-Length "
                             f"(nor chunks), ended by the connection's close, and stops after {part:,} bytes, before "
                             "its end tag"), reason
    kind, code, reason = states[canonical_url(asahi.url, HOSTS)]
    assert (kind, code) == ("article", "stored") and "bytes only" not in reason, reason


def test_a_page_without_end_tags_whose_end_the_archive_says_was_framed_is_whole(tmp_path):
    # Common Crawl writes a chunked response dechunked, without a Content-Length, its
    # Transfer-Encoding masked (X-Crawler-Transfer-Encoding), a gzip one decoded, its length masked
    # (X-Crawler-Content-Length), and an HTTP/2 one as HTTP/1.1 (WARC-Protocol: h2); a body it
    # could not read whole it marks WARC-Truncated. A whole page without </body></html> (a
    # minifier drops them) was taken for one the connection's close cut: stored "from its first N
    # bytes only", and its later captures "seen", the article's edits never recorded.
    sankei = next(p for p in warcs.outlet_pages() if "sankei.com" in p.url)
    framed = {0: ((("X-Crawler-Transfer-Encoding", "chunked"),), ()),
              1: ((("X-Crawler-Content-Encoding", "gzip"), ("X-Crawler-Content-Length", "23456")), ()),
              2: ((), (("WARC-Protocol", "h2,tls/1.3"),)),
              3: ((), (("WARC-Original-Protocol", "HTTP/2"),))}
    fetches, edits = [], []
    for n, (http, warc) in framed.items():
        url = f"{sankei.url}?v={n}"
        page = re.sub(rb"</(?:body|html)\s*>", b"", sankei.body.replace(sankei.url.encode(), url.encode())
                      .replace(b"</p>", f" {n}</p>".encode()))  # an article of its own
        edited = re.sub("。(?=[^<]*</p>)".encode(), "。追記。".encode(), page, count=3)
        first, later = (*warc, ("WARC-Date", "2025-01-01T09:00:00Z")), (*warc, ("WARC-Date", "2025-02-01T09:00:00Z"))
        fetches.append(warcs.Fetch(url, page, headers=http, warc_headers=first))
        edits.append(warcs.Fetch(url, edited, headers=http, warc_headers=later))
    counted, states, db = _ingested(tmp_path, [*fetches, *edits])
    assert "truncated" not in counted and counted["new"] == len(framed) and counted["versions"] == len(framed)
    for fetch, edit in zip(fetches, edits):
        kind, code, reason = states[canonical_url(fetch.url, HOSTS)]
        assert (kind, code) == ("article", "stored") and "bytes only" not in reason, reason
        assert rows(db, f"SELECT a.text FROM articles a JOIN urls u ON u.article_id = a.id WHERE u.url = "
                        f"'{canonical_url(fetch.url, HOSTS)}'") == [(store.analyse(edit.body, edit.url)["text"],)]


def test_a_cut_page_of_an_outlet_without_rules_keeps_an_article_of_200_characters_or_more(tmp_path):
    # Without rules to say where the article is, a cut page that calls itself an article gave
    # one however little of it was left (15 characters here, its byline).
    page = _page(warcs.other_pages(), "morebikes.co.uk")
    config = tmp_path / "newsmon.toml"
    config.write_text('[outlets.morebikes]\nname = "More Bikes"\nlanguage = "en"\ndomains = ["www.morebikes.co.uk"]\n'
                      'start_urls = ["https://www.morebikes.co.uk/"]\narticle_url_pattern = "/[0-9]+/"\n',
                      encoding="utf-8")
    cut = (("WARC-Truncated", "length"),)
    archive = tmp_path / "cut.warc.gz"
    warcs.write(archive, [warcs.Fetch(page.url, page.body[:len(page.body) // 5], warc_headers=cut),
                          warcs.Fetch(half := page.url.replace("/7908/", "/7909/"), page.body[:len(page.body) // 2],
                                      warc_headers=cut)])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0", "--config", str(config))
    assert result.returncode == 0, result.stderr
    states = dict(rows(db, "SELECT url, reason FROM urls"))
    # Its byline, a link with no sentence, is no text of an article either (crawler/furniture.py):
    # an HTML page with almost no text, which the archive cut.
    assert states[page.url].startswith("an HTML page with almost no text")
    assert f"in the first {len(page.body) // 5:,} bytes of the page: the archive truncated the page there" \
        in states[page.url]
    assert states[half].startswith("stored as article")


def test_an_outlet_of_the_config_read_over_https_has_its_http_links_read_as_the_same_articles(tmp_path):
    # Only the built-in outlets' hosts were known to serve https: an outlet of the user's config
    # whose sections are https had each article that a feed, a sitemap or an archive gave as
    # http:// stored twice, one key for each scheme. One named http:// anywhere is left as it is.
    page = _page(warcs.other_pages(), "morebikes.co.uk")
    assert page.url.startswith("https://www.morebikes.co.uk/")
    plain = "http://" + page.url.removeprefix("https://")
    outlet = ('[outlets.morebikes]\nname = "More Bikes"\nlanguage = "en"\ndomains = ["www.morebikes.co.uk"]\n'
              'start_urls = ["{}://www.morebikes.co.uk/"]\narticle_url_pattern = "/[0-9]+/"\n')
    archive = tmp_path / "both.warc.gz"
    warcs.write(archive, [warcs.Fetch(plain, page.body), warcs.Fetch(page.url, page.body)])
    stored, https = {}, {}
    for scheme in ("https", "http"):
        config = tmp_path / f"{scheme}.toml"
        config.write_text(outlet.format(scheme), encoding="utf-8")
        db = tmp_path / f"{scheme}.db"
        result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0", "--config", str(config))
        assert result.returncode == 0, result.stderr
        stored[scheme] = (rows(db, "SELECT url, kind FROM urls ORDER BY url"), rows(db, "SELECT url FROM articles"))
        # The https hosts go to ingest's workers with the rest.
        hosts = pickle.loads(pickle.dumps(store.known_hosts(store.outlets_of(str(config)))))
        assert "www.morebikes.co.uk" in hosts
        https[scheme] = ("www.morebikes.co.uk" in hosts.https, canonical_url(plain, hosts))
    assert stored["https"] == ([(page.url, "article")], [(page.url,)])
    assert stored["http"] == ([(plain, "article"), (page.url, "article")], [(plain,)])  # one article, two keys
    assert https == {"https": (True, page.url), "http": (False, plain)}


def _revisits(path: Path, original: warcs.Fetch, revisits: list[tuple[str, str]], *, first: bool = True) -> None:
    """A WARC of ``original``'s response, then (or, not ``first``, before it) revisit records
    (identical payload) of (URL, the URL of the capture it refers to)."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        response = writer.create_warc_record(original.url, "response", payload=io.BytesIO(original.body),
                                             length=len(original.body), http_headers=head)
        if first:
            writer.write_record(response)
        for url, target in revisits:
            head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_revisit_record(
                url, digest=response.rec_headers.get_header("WARC-Payload-Digest"), refers_to_uri=target,
                refers_to_date="2025-01-14T03:00:00Z", http_headers=head))
        if not first:
            writer.write_record(response)


def test_a_response_record_with_an_empty_block_is_counted_and_an_outlet_article_url_says_so(tmp_path):
    # A capture that failed, written all the same: counted nowhere, and an outlet's article URL
    # whose only capture it was in no state.
    archive = tmp_path / "empty.warc.gz"
    asahi = next(p.url for p in warcs.outlet_pages() if "asahi.com/articles" in p.url)
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in (asahi, "https://example.org/a"):
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(b""), length=0))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert (counts(result)["responses"], counts(result)["empty records"]) == (2, 2)
    assert rows(db, "SELECT url, kind, reason_code FROM urls") == [(canonical_url(asahi, HOSTS), "error", "empty_body")]


def test_a_revisit_record_of_an_outlet_page_is_counted_and_its_url_says_what_the_archive_holds(tmp_path):
    # Heritrix, wget --warc-dedup and pywb write a revisit record where a capture's payload was
    # the same as an earlier one's: no body. They were skipped without a count, and an outlet's
    # URL that only a revisit names left no trace.
    first, second, third = warcs.outlet_pages()[:3]
    archive = tmp_path / "dedup.warc.gz"
    _revisits(archive, first, [(first.url, first.url), (second.url, first.url),
                               (third.url, "https://www.example.com/elsewhere")])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    counted = counts(result)
    assert counted["revisits"] == 3 and counted["new"] == 1 and counted["seen"] == 2
    states = {url: (kind, code, reason) for url, kind, code, reason in
              rows(db, "SELECT url, kind, reason_code, reason FROM urls")}
    # The revisit of a stored page changes nothing; one that repeats a stored article's capture
    # under another URL makes that URL one more address of the article (the same bytes).
    assert states[canonical_url(first.url, HOSTS)][:2] == ("article", "stored")
    assert states[canonical_url(second.url, HOSTS)] == (
        "article", "duplicate", f"already stored as article 1: the archive's revisit record of this URL repeats the "
                                f"capture of {canonical_url(first.url, HOSTS)}")
    assert rows(db, f"SELECT article_id FROM urls WHERE url = '{canonical_url(second.url, HOSTS)}'") == [(1,)]
    # One whose capture is not in the archive says which it refers to.
    kind, code, reason = states[canonical_url(third.url, HOSTS)]
    assert (kind, code) == ("error", "revisit")
    assert reason.startswith("the archive holds no page here, only a revisit record (identical-payload-digest: the "
                             "capture of https://www.example.com/elsewhere at 2025-01-14T03:00:00Z)")
    # A later crawl or archive that has the page fills it in; a revisit never overwrites a state.
    again = tmp_path / "again.warc.gz"
    _revisits(again, third, [(first.url, first.url)])
    result = newsmon("ingest", str(again), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert rows(db, f"SELECT kind FROM urls WHERE url = '{canonical_url(third.url, HOSTS)}'") == [("article",)]
    assert rows(db, f"SELECT kind FROM urls WHERE url = '{canonical_url(first.url, HOSTS)}'") == [("article",)]


def test_a_revisit_of_a_text_the_outlet_took_back_is_a_capture_of_that_text_at_its_date(tmp_path):
    # A, B, then a revisit of A's capture (warcprox, pywb and wget --warc-dedup dedupe against any
    # earlier capture): the revisit was counted "seen", no sighting noted, and the article stayed
    # at B, the edit the outlet took back. A revisit of the text in effect is a sighting only; one
    # under another URL makes it the article's address, as before.
    page, other = warcs.outlet_pages()[:2]
    edited = page.body.replace("震度5弱".encode(), "震度6弱".encode())
    archive = tmp_path / "dedup.warc.gz"
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=True)

        def capture(kind: str, body: bytes | None, day: int, url: str = page.url, of=None):
            head = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            if kind == "response":
                record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                   http_headers=head)
            else:
                record = writer.create_revisit_record(url, of.rec_headers.get_header("WARC-Payload-Digest"),
                                                      of.rec_headers.get_header("WARC-Target-URI"),
                                                      of.rec_headers.get_header("WARC-Date"), http_headers=head)
            record.rec_headers.replace_header("WARC-Date", f"2024-01-0{day}T00:00:00Z")
            writer.write_record(record)
            return record

        first = capture("response", page.body, 1)
        second = capture("response", edited, 2)
        capture("revisit", None, 3, of=second)  # B still: a sighting
        capture("revisit", None, 4, of=first)  # A again: taken back
        capture("revisit", None, 5, other.url, of=first)  # another URL of the same bytes
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert counts(result)["new"] == 1 and counts(result)["versions"] == 2
    assert rows(db, "SELECT version, fetched_at, title LIKE '%5弱%' FROM article_versions ORDER BY version") == [
        (1, "2024-01-01T00:00:00+00:00", 1), (2, "2024-01-02T00:00:00+00:00", 0), (3, "2024-01-04T00:00:00+00:00", 1)]
    assert rows(db, "SELECT title LIKE '%5弱%', version FROM articles") == [(1, 3)]
    assert ("2024-01-03T00:00:00+00:00",) in rows(db, "SELECT captured_at FROM article_sightings")
    assert rows(db, f"SELECT kind, reason_code, article_id FROM urls WHERE url = '{canonical_url(other.url, HOSTS)}'"
                ) == [("article", "duplicate", 1)]


def test_a_revisit_record_before_the_capture_it_repeats_becomes_that_articles_address(tmp_path):
    # A WARC keeps records in no order an ingest can count on (several crawlers' WARCs merged, a
    # WACZ's members read in turn): a revisit met before its capture said, for good, that the
    # capture "was not ingested" though the same ingest stored it a moment later.
    first, second, third = warcs.outlet_pages()[:3]
    archive = tmp_path / "dedup.warc.gz"
    _revisits(archive, first, [(second.url, first.url), (third.url, "https://www.example.com/elsewhere")],
              first=False)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert counts(result)["new"] == 1
    states = {url: (kind, code, reason, article) for url, kind, code, reason, article in
              rows(db, "SELECT url, kind, reason_code, reason, article_id FROM urls")}
    assert states[canonical_url(second.url, HOSTS)] == (
        "article", "duplicate", f"already stored as article 1: the archive's revisit record of this URL repeats the "
                                f"capture of {canonical_url(first.url, HOSTS)}", 1)
    assert states[canonical_url(third.url, HOSTS)][:2] == ("error", "revisit")


@pytest.mark.parametrize("first", [True, False], ids=["capture-first", "revisit-first"])
def test_a_revisit_of_a_capture_that_holds_no_article_says_so_not_that_it_was_not_ingested(tmp_path, first):
    # The capture was read, and is no article (here an empty page): the revisit's URL said its
    # capture "was not ingested", which was untrue and hid why it has no page. It stays an error
    # (a crawl fetches it); its reason now says what is stored for the capture.
    page, other = warcs.outlet_pages()[:2]
    empty = warcs.Fetch(page.url, b"<html><head><title>x</title></head><body></body></html>")
    archive = tmp_path / "dedup.warc.gz"
    _revisits(archive, empty, [(other.url, page.url)], first=first)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = {url: (kind, code, reason) for url, kind, code, reason in
              rows(db, "SELECT url, kind, reason_code, reason FROM urls")}
    capture, revisit = canonical_url(page.url, HOSTS), canonical_url(other.url, HOSTS)
    kind, code, reason = states[revisit]
    assert (kind, code) == ("error", "revisit") and states[capture][0] != "article"
    assert "was not ingested" not in reason
    assert reason.startswith("the archive holds no page here, only a revisit record (identical-payload-digest: the "
                             f"capture of {capture} at 2025-01-14T03:00:00Z), and no article is stored for {capture} "
                             f"({states[capture][0]}: {states[capture][2][:40]}")


def test_a_revisit_or_a_redirect_waits_for_its_capture_across_ingests(tmp_path):
    # An archive's revisit record (or redirect) of a URL whose capture is in another archive: the
    # link was in the ingest's memory, so the capture stored by a later ingest left the URL an
    # error saying the capture "was not ingested", and a crawl fetched it again.
    first, second, third = warcs.outlet_pages()[:3]
    moved = first.url.replace("02SM", "07SM")
    _revisits(tmp_path / "a.warc.gz", third, [(second.url, first.url)])
    warcs.write(tmp_path / "b.warc.gz", [warcs.Fetch(moved, b"", status="301 Moved Permanently",
                                                     headers=(("Location", first.url),))])
    db = tmp_path / "n.db"
    for archive in ("a.warc.gz", "b.warc.gz"):
        result = newsmon("ingest", str(tmp_path / archive), "--db", str(db), "--workers", "0")
        assert result.returncode == 0, result.stderr
    key = canonical_url(first.url, HOSTS)
    waiting = "SELECT url, kind, reason_code, redirected_to FROM urls WHERE url IN (?, ?)"
    conn = sqlite3.connect(db)
    try:
        assert set(conn.execute(waiting, [canonical_url(second.url, HOSTS), canonical_url(moved, HOSTS)])) == {
            (canonical_url(second.url, HOSTS), "error", "revisit", key),
            (canonical_url(moved, HOSTS), "error", "redirect", key)}
    finally:
        conn.close()
    warcs.write(tmp_path / "c.warc.gz", [first])
    result = newsmon("ingest", str(tmp_path / "c.warc.gz"), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = {url: (kind, code, article, to) for url, kind, code, article, to in
              rows(db, "SELECT url, kind, reason_code, article_id, redirected_to FROM urls")}
    article = states[key][2]
    assert article is not None
    # The revisit's URL is the article's (the same bytes), and no redirect; the redirect's says where it led.
    assert states[canonical_url(second.url, HOSTS)] == ("article", "duplicate", article, None)
    assert states[canonical_url(moved, HOSTS)] == ("article", "duplicate", article, key)


def test_an_outlet_article_url_archived_as_a_redirect_or_an_error_has_a_state_and_a_reason(tmp_path):
    # An outlet's article URL the archive's crawler met as a redirect, a 404 or a 503 was counted
    # "not html" and left in no state: an article whose only capture was a redirect to its new
    # address (an old URL scheme) or a 503 was lost without a trace. A redirect to another article
    # URL now makes it that article's address (whichever record comes first), one the archive does
    # not hold says so for a crawl to fetch, and an error status is an error a crawl fetches again.
    asahi, mainichi = warcs.outlet_pages()[0], warcs.outlet_pages()[2]
    old_asahi = asahi.url.replace("AST1F4445T1FUTIL02SM", "AST1F4445T1FUTIL99SM")
    old_mainichi = mainichi.url.replace("/335000c", "/335999c")
    elsewhere = mainichi.url.replace("/335000c", "/335111c")
    moved, away = asahi.url.replace("02SM", "03SM"), asahi.url.replace("02SM", "04SM")
    busy, missing = asahi.url.replace("02SM", "05SM"), asahi.url.replace("02SM", "06SM")
    image = "https://www.asahi.com/images/AST1F4445T1FUTIL02SM.jpg"
    fetches = [
        warcs.Fetch(old_asahi, b"", status="301 Moved Permanently", headers=(("Location", asahi.url),)),
        asahi,
        mainichi,
        warcs.Fetch(old_mainichi, b"", status="302 Found", headers=(("Location", mainichi.url),)),
        warcs.Fetch(moved, b"", status="301 Moved Permanently", headers=(("Location", elsewhere),)),
        warcs.Fetch(away, b"", status="301 Moved Permanently", headers=(("Location", "/"),)),
        warcs.Fetch(busy, b"<html>busy</html>", status="503 Service Unavailable"),
        warcs.Fetch(missing, b"<html>not found</html>", status="404 Not Found"),
        warcs.Fetch(image, b"", status="404 Not Found"),
        warcs.Fetch("https://blog.example.org/2025/01/x.html", b"", status="301 Moved Permanently",
                    headers=(("Location", "https://blog.example.org/x"),)),
    ]
    for url in (old_asahi, old_mainichi, elsewhere, moved, away, busy, missing):
        assert outlet_for_url(canonical_url(url, HOSTS)).is_article_url(canonical_url(url, HOSTS)), url
    archive = tmp_path / "moves.warc.gz"
    warcs.write(archive, fetches)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    counted = counts(result)
    assert (counted["not ok"], counted["new"]) == (8, 2), result.stdout
    states = {url: (kind, code, reason, article, status, to) for url, kind, code, reason, article, status, to in
              rows(db, "SELECT url, kind, reason_code, reason, article_id, http_status, redirected_to FROM urls")}
    def key(url: str) -> str:
        return canonical_url(url, HOSTS)
    stored = {url: states[key(url)][3] for url in (asahi.url, mainichi.url)}
    assert states[key(old_asahi)] == (
        "article", "duplicate", f"already stored as article {stored[asahi.url]}: the archive's capture of this URL "
                                f"redirects to {key(asahi.url)}", stored[asahi.url], 301, key(asahi.url))
    assert states[key(old_mainichi)][:2] == ("article", "duplicate")
    assert states[key(old_mainichi)][3:] == (stored[mainichi.url], 302, key(mainichi.url))
    kind, code, reason, _, status, _ = states[key(moved)]
    assert (kind, code, status) == ("error", "redirect", 301)
    assert reason.startswith(f"the archive holds no page here, only an HTTP 301 redirect to {key(elsewhere)}, and that "
                             "capture was not ingested")
    kind, code, reason, _, status, _ = states[key(away)]
    assert (kind, code, status) == ("error", "redirected_away", 301)
    assert reason.startswith("in the archive, redirected to a page the outlet's article URL pattern does not take (")
    assert "https://www.asahi.com/" in reason
    assert states[key(busy)][:2] == ("error", "http_503") and states[key(busy)][4] == 503
    assert "HTTP 503 Service Unavailable" in states[key(busy)][2]
    assert states[key(missing)][:2] == ("error", "http_404") and states[key(missing)][4] == 404
    # Each is fetched by the outlet's next crawl, as a URL a crawl left in error is.
    assert {url for url, in rows(db, "SELECT url FROM urls WHERE kind = 'error'")} == {
        key(moved), key(away), key(busy), key(missing)}
    # Not its image, nor another site's redirect: counted only.
    assert set(states) == {key(u) for u in (asahi.url, mainichi.url, old_asahi, old_mainichi, moved, away, busy,
                                            missing)}


def test_pages_archived_as_resource_records_are_read(tmp_path):
    # warcit turns a directory of saved pages into a WARC of "resource" records: the page without
    # the HTTP exchange, its type in the WARC Content-Type. Every such record was skipped without
    # a word, the outlets' pages with them (only "records" counted them).
    first, second = warcs.outlet_pages()[:2]
    archive = tmp_path / "warcit.warc.gz"
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page, ctype in ((first, "text/html"), (second, "text/html; charset=utf-8")):
            writer.write_record(writer.create_warc_record(page.url, "resource", payload=io.BytesIO(page.body),
                                                          length=len(page.body), warc_content_type=ctype))
        writer.write_record(writer.create_warc_record(
            "https://www.asahi.com/img/logo.png", "resource", payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)),
            length=72, warc_content_type="image/png"))
        writer.write_record(writer.create_warc_record(
            "urn:text:20250114/" + first.url, "resource", payload=io.BytesIO(b"text"), length=4,
            warc_content_type="text/plain"))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    counted = counts(result)
    assert counted["resources"] == 2 and counted["new"] == 2
    assert sorted(u for (u,) in rows(db, "SELECT url FROM articles")) == sorted(
        canonical_url(p.url, HOSTS) for p in (first, second))


def _bare_response(url: str, payload: bytes, warc_type: str) -> bytes:
    """A gzipped response record holding ``payload`` without an HTTP status line and headers,
    as warcio refuses to write one."""
    import gzip
    import uuid

    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2025-01-14T12:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nContent-Type: {warc_type}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode()
    return gzip.compress(head + payload + b"\r\n\r\n")


def test_pages_archived_as_response_records_without_the_http_exchange_are_read(tmp_path):
    # A converter that writes saved pages as "response" records, not "resource" ones: no HTTP
    # status line, no headers, the page itself. warcio took the page's first line for a status
    # line and its lines up to a blank one for headers: counted "not html", and an outlet's
    # article in the archive was never stored, its URL in no state.
    from crawler.extract import extract_article

    first, second, third = warcs.outlet_pages()[:3]
    archive = tmp_path / "converted.warc.gz"
    buffer = io.BytesIO()
    warcs.write(buffer, [third])  # a response with its HTTP exchange, as ever
    archive.write_bytes(buffer.getvalue()
                        + _bare_response(first.url, first.body, "application/http; msgtype=response")
                        + _bare_response(second.url, second.body, "text/html")
                        + _bare_response("https://www.asahi.com/img/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64),
                                         "image/png"))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    counted = counts(result)
    assert (counted.get("without http"), counted.get("not html"), counted["new"]) == (3, 1, 3), result.stdout
    texts = dict(rows(db, "SELECT url, text FROM articles"))
    for page in (first, second, third):  # the page whole, its first line too
        assert texts[canonical_url(page.url, HOSTS)] == extract_article(page.body, page.url).text


def test_an_outlet_page_archived_as_an_empty_200_is_an_empty_body_as_in_the_crawl(tmp_path):
    # A 200 with no body, or whitespace only (the hostile site's empty and whitespace routes), was
    # parsed: "the HTML parser could not read the page: Document is empty" (unparseable). The
    # crawl says empty_body. Another site's is counted as another site's, not read.
    empty, blank = warcs.outlet_pages()[:2]
    other = warcs.other_pages()[0]
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch(empty.url, b""), warcs.Fetch(blank.url, b"  \n\t\r\n   "),
                                              warcs.Fetch(other.url, b"")])
    assert counted["empty bodies"] == 2 and counted["other sites"] == 1 and "extracted" not in counted
    assert states[canonical_url(empty.url, HOSTS)] == (
        "error", "empty_body", "the archive holds an empty body (0 bytes) where the page should be, in an HTTP 200 (a "
                               "crawl of the outlet fetches it) (an archive's copy, not counted as an attempt; the "
                               "crawl's attempts so far: 0)")
    kind, code, reason = states[canonical_url(blank.url, HOSTS)]
    assert (kind, code) == ("error", "empty_body") and reason.startswith("the archive holds only whitespace (9 bytes)")
    assert set(states) == {canonical_url(empty.url, HOSTS), canonical_url(blank.url, HOSTS)}


def test_an_outlet_article_url_archived_as_a_redirect_no_parser_takes_or_a_304_says_what_it_was(tmp_path):
    # A Location no URL parser takes (the hostile site's to-broken: "http://[broken/a") raised
    # while the record was judged: the record was reported damaged, its bytes "skipped", the
    # ingest failed (exit status 1), and the article URL was left in no state. A 304 was called
    # "an HTTP 304 without a usable Location", a redirect it is not.
    asahi = warcs.outlet_pages()[0]
    broken, unmodified = asahi.url.replace("02SM", "07SM"), asahi.url.replace("02SM", "08SM")
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(broken, b"", status="300 Multiple Choices", headers=(("Location", "http://[broken/a"),)),
        warcs.Fetch(unmodified, b"", status="304 Not Modified", content_type=""),
        asahi])
    assert counted["not ok"] == 2 and counted["new"] == 1
    assert states[canonical_url(broken, HOSTS)] == (
        "error", "http_300", "the archive's capture of this URL is an HTTP 300 redirect to 'http://[broken/a', which "
                             "no URL parser takes, and no page (a crawl of the outlet fetches it) (an archive's copy, "
                             "not counted as an attempt; the crawl's attempts so far: 0)")
    assert states[canonical_url(unmodified, HOSTS)] == (
        "error", "http_304", "the archive's capture of this URL is an HTTP 304 Not Modified and no page (a crawl of "
                             "the outlet fetches it) (an archive's copy, not counted as an attempt; the crawl's "
                             "attempts so far: 0)")


def test_a_wall_the_archive_met_at_an_error_status_or_behind_a_redirect_is_named_as_the_crawl_names_it(tmp_path):
    # Cloudflare's challenge comes at a 403; a consent or login page behind a redirect. The crawl
    # names each wall; the ingest said "an HTTP 403", and for the redirects "redirected away" (the
    # article taken down, and in time "gone"). A 403 that is no wall stays an http_403.
    from .test_walls import CHALLENGE

    asahi = warcs.outlet_pages()[0]
    challenged, consent, login, forbidden = (asahi.url.replace("02SM", f"{n}SM") for n in (11, 12, 13, 14))
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(challenged, CHALLENGE, status="403 Forbidden", headers=(("Server", "cloudflare"),)),
        warcs.Fetch(consent, b"", status="302 Found", headers=(
            ("Location", "https://consent.yahoo.com/v2/collectConsent?sessionId=3"),)),
        warcs.Fetch(login, b"", status="302 Found", headers=(("Location", "/login?next=%2Farticles%2F13"),)),
        warcs.Fetch(forbidden, b"<html><body><h1>Forbidden</h1></body></html>", status="403 Forbidden")])
    assert counted["not ok"] == 4 and counted["walled"] == 3
    kind, code, reason = states[canonical_url(challenged, HOSTS)]
    assert (kind, code, reason) == ("error", "wall_challenge", "a Cloudflare bot challenge (HTTP 403) in the archive, "
                                                               "not the article (an archive's copy, not counted as an "
                                                               "attempt: a crawl of the outlet fetches the page; the "
                                                               "crawl's attempts so far: 0)")
    kind, code, reason = states[canonical_url(consent, HOSTS)]
    assert (kind, code) == ("error", "wall_consent")
    assert reason.startswith("in the archive, redirected to a consent page: https://consent.yahoo.com/")
    kind, code, reason = states[canonical_url(login, HOSTS)]
    assert (kind, code) == ("error", "wall_login")
    assert reason.startswith("in the archive, redirected to a login page: https://www.asahi.com/login?next=") and \
        "newsmon does not log in" in reason
    assert states[canonical_url(forbidden, HOSTS)][:2] == ("error", "http_403")


def test_a_target_uri_written_in_japanese_is_stored_under_the_url_the_crawl_uses(tmp_path):
    page = warcs.outlet_pages()[0]
    iri = page.url.replace(".html", "-防衛.html")
    _, states, _ = _ingested(tmp_path, [warcs.Fetch(iri, page.body)])
    assert list(states) == [page.url.replace(".html", "-%E9%98%B2%E8%A1%9B.html")]


def test_a_target_uri_with_its_scheme_in_capitals_is_read(tmp_path):
    # HTTPS://… was no http(s) URL to the reader: the record was in no count at all.
    page = warcs.outlet_pages()[0]
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch("HTTPS://" + page.url.split("://", 1)[1], page.body)])
    assert counted["new"] == 1 and states[canonical_url(page.url, HOSTS)][0] == "article"


def test_a_wall_the_archive_captured_instead_of_an_outlet_page_says_so(tmp_path):
    # The archive's crawler met a consent page or a bot check where the article was: its URL
    # said "an empty shell" (or, with enough text on it, "not an article", for good). Akamai's
    # denial without its Reference line was "not an article … a listing, tag or section page?".
    from .test_walls import AKAMAI_DENIED, CHALLENGE

    consent = (b"<html><head><title>Before you continue</title></head><body><form><button>Accept all</button>"
               b"</form></body></html>")
    page, walled, checked, denied = warcs.outlet_pages()[:4]
    counted, states, _ = _ingested(tmp_path, [warcs.Fetch(walled.url, consent), warcs.Fetch(checked.url, CHALLENGE),
                                              warcs.Fetch(denied.url, AKAMAI_DENIED), page])
    assert counted["walled"] == 3 and counted["new"] == 1
    assert states[canonical_url(walled.url, HOSTS)][:2] == ("error", "wall_consent")
    kind, code, reason = states[canonical_url(checked.url, HOSTS)]
    assert (kind, code) == ("error", "wall_challenge") and "Cloudflare" in reason and "in the archive" in reason
    kind, code, reason = states[canonical_url(denied.url, HOSTS)]
    assert (kind, code) == ("error", "wall_challenge") and "Akamai" in reason and "in the archive" in reason


def test_an_archived_redirect_of_an_article_to_a_login_page_is_a_login_wall_as_the_crawl_says(tmp_path):
    # An article URL's capture is a 302 to its outlet's login (a members' article): it was "redirected to a page the
    # outlet's article URL pattern does not take … taken down", redirected_away, which ends gone, where the crawl
    # meets the same redirect as wall_login and says what opens it.
    asahi = warcs.outlet_pages()[0]
    members, devise = asahi.url.replace("02SM", "07SM"), asahi.url.replace("02SM", "08SM")
    login = "https://digital.asahi.com/login/?jumpUrl=" + members.replace(":", "%3A").replace("/", "%2F")
    _, states, _ = _ingested(tmp_path, [
        warcs.Fetch(members, b"", status="302 Found", headers=(("Location", login),)),
        warcs.Fetch(devise, b"", status="302 Found", headers=(("Location", "/users/sign_in"),))])
    for url, target in ((members, login), (devise, "https://www.asahi.com/users/sign_in")):
        kind, code, reason = states[canonical_url(url, HOSTS)]
        assert (kind, code) == ("error", "wall_login"), reason
        assert reason.startswith(f"in the archive, redirected to a login page: {target}") and "`cookies`" in reason


def test_a_database_error_while_storing_is_one_line_and_the_next_run_resumes(tmp_path, monkeypatch):
    # A full disk, or a lock held past the busy timeout: what was committed stays, the archive
    # stays unfinished in the ledger, and the user is told to run the ingest again.
    from click.testing import CliRunner

    from crawler.cli import cli

    path = tmp_path / "five.warc.gz"
    warcs.write(path, warcs.outlet_pages()[:5])
    db = tmp_path / "n.db"
    save, calls = store.save, []

    def full(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("database or disk is full")
        return save(*args, **kwargs)

    monkeypatch.setattr(store, "save", full)
    failed = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(db), "--workers", "0"])
    assert isinstance(failed.exception, SystemExit) and failed.exit_code == 1, failed.exception
    message = [line for line in failed.output.splitlines() if line.startswith("Error:")]
    assert message == [f"Error: the disk holding the database {db} is full (or the file reached a size limit): free "
                       "space on it, then run again; the archive being read is left unfinished, and the same ingest "
                       "resumes it where this one stopped"]
    assert rows(db, "SELECT finished_at FROM ingested_archives") == [(None,)]
    monkeypatch.setattr(store, "save", save)
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert again.returncode == 0 and "1 archive(s) resumed" in again.stdout, again.stderr
    assert rows(db, "SELECT count(*) FROM urls") == [(5,)]


def test_a_database_another_process_holds_locked_is_named_and_the_next_run_reads_the_archive(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from crawler import settings
    from crawler.cli import cli

    path = tmp_path / "five.warc.gz"
    warcs.write(path, warcs.outlet_pages()[:5])
    db = tmp_path / "n.db"
    open_db(db).conn.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # DB Browser for SQLite with an edit not written yet
    monkeypatch.setattr(settings, "NEWSMON_DB_BUSY_TIMEOUT", 0.3)
    try:
        failed = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(db), "--workers", "0"])
    finally:
        holder.close()
    assert failed.exit_code == 1, failed.output
    message = [line for line in failed.output.splitlines() if line.startswith("Error:")]
    assert len(message) == 1 and message[0].startswith(f"Error: the database {db} is locked"), failed.output
    assert message[0].endswith("the same ingest resumes it where this one stopped")
    again = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT count(*) FROM urls") == [(5,)]


@contextlib.contextmanager
def _no_http_server() -> Iterator[str]:
    """The base URL of a server on 127.0.0.1 that answers every request with a line of no HTTP."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        listener.close()


def test_a_server_that_answers_no_http_is_a_failed_input_and_the_other_archives_are_read(tmp_path):
    # A bad status line or a body cut short is an HTTPException, not an OSError: it ended the
    # whole run with a traceback when the archive was probed.
    with _no_http_server() as base:
        url = base + "a.warc.gz"
        good = tmp_path / "good.warc.gz"
        warcs.write(good, warcs.outlet_pages()[:2])
        db = tmp_path / "n.db"
        result = newsmon("ingest", url, str(good), "--db", str(db), "--workers", "0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"newsmon: {url}: the server's answer cannot be read (BadStatusLine: NOT HTTP AT ALL)"], result.stderr
    assert rows(db, "SELECT count(*) FROM urls") == [(2,)]


def test_a_listing_whose_server_answers_no_http_is_one_line_not_a_traceback(tmp_path):
    with _no_http_server() as base:
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "ingest", base + "warc.paths.gz", "--base-url",
                                 base, "--db", str(tmp_path / "n.db")], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert f"{base}warc.paths.gz: cannot read the listing (BadStatusLine: NOT HTTP AT ALL)" in result.stderr


@pytest.mark.parametrize("content", [b"", b"# CC-NEWS 2024-03\n\n", b"# CC-NEWS 2024-03\n  # to read\n\t# again\n"],
                         ids=["empty", "comments", "indented comments"])
def test_a_listing_of_no_archive_is_one_line_as_an_empty_directory_is(tmp_path, content):
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(content))
    result = newsmon("ingest", str(listing), "--db", str(tmp_path / "n.db"))
    assert result.returncode == 1 and result.stderr.strip() == f"Error: {listing}: lists no archive"


def test_an_archive_whose_last_part_fails_on_the_cluster_is_counted_and_finished_once(tmp_path, monkeypatch):
    # The part's failure finished the archive, and the loop finished it again: progress counted
    # two archives for one.
    from crawler import cluster, ingest

    path = tmp_path / "outlets.warc.gz"
    warcs.write(path, warcs.cc_news_like(30, 1.0, seed=5))
    last = len(archives.plan(archives.probe(str(path)), part_bytes=64 * 1024)) - 1
    assert last > 0

    class Future:
        def __init__(self, fn, args):
            self.fn, self.args = fn, args

        def result(self, timeout=None):
            if self.args[0].index == last:
                raise ConnectionError("the worker went away")
            return self.fn(*self.args)

        def release(self):
            pass

        def cancel(self):
            pass

        def cancelled(self):
            return False

    class Client:
        def submit(self, fn, *args, pure=True):
            return Future(fn, args)

    monkeypatch.setattr(cluster, "workers", lambda client: 2)
    db = open_db(tmp_path / "n.db")
    finished = []
    monkeypatch.setattr(ingest, "_finish", lambda *args, _finish=ingest._finish: finished.append(1) or _finish(*args))
    report = ingest.Report(store_options=store.options(None))
    progress = Progress("ingest", total=1, unit="archives", stream=io.StringIO())
    work = ingest._parts(db, [(str(path), "outlets.warc.gz")], report, False, 64 * 1024, progress)
    ingest._distributed(db, work, ingest.Options(), report, progress, Client())
    assert progress.done == 1 and finished == [1]
    assert [where for where, _ in report.failed] == ["outlets.warc.gz"]
    assert db.execute("SELECT finished_at FROM ingested_archives").fetchall() == [(None,)]
    db.close()


def test_every_path_that_extracts_reads_the_charset_of_the_content_type_alike():
    # One function for the crawl, ingest and reextract: ingest's and the store's copies did not
    # take a quoted charset, the crawl's did.
    from crawler import ingest
    from crawler.spiders import news

    assert news.charset_of is store.charset_of and not hasattr(ingest, "_charset")
    assert store.charset_of('text/html; charset="Shift_JIS"') == "shift_jis"
    assert store.charset_of("text/html;charset=EUC-JP; foo=bar") == "euc-jp"
    assert store.charset_of("text/html") is None and store.charset_of("text/html; charset=") is None


def test_an_ingest_in_this_process_leaves_compressing_to_the_writer(tmp_path, monkeypatch):
    # In one process the worker and the writer are the same: the dictionaries were read from the
    # database for every part and gained nothing. The pages are compressed with them all the same.
    from crawler import ingest

    first = warcs.outlet_pages()
    again = [warcs.Fetch(f.url + ("&" if "?" in f.url else "?") + "newsmon_again=1", f.body) for f in first]
    warcs.write(tmp_path / "first.warc.gz", first)
    warcs.write(tmp_path / "again.warc.gz", again)
    db = open_db(tmp_path / "n.db")
    ingest.ingest(db, [str(tmp_path / "first.warc.gz")], workers=0, progress=Progress("ingest", stream=io.StringIO()))
    assert db.execute("SELECT count(*) FROM page_dicts").fetchone()[0] >= 3
    read = []
    monkeypatch.setattr(ingest, "_dictionaries", lambda *args: read.append(1) or {})
    report = ingest.ingest(db, [str(tmp_path / "again.warc.gz")], workers=0, part_bytes=64 * 1024,
                           progress=Progress("ingest", stream=io.StringIO()))
    assert read == [] and report.counts["new"] + report.counts["seen"] > 0
    with_dict = db.execute("SELECT count(*) FROM pages WHERE url LIKE '%newsmon_again=1%' AND dict_id IS NOT NULL")
    assert with_dict.fetchone()[0] > 0
    db.close()


def test_an_article_split_over_pages_is_stored_from_its_first_page_and_revisited_for_the_rest(tmp_path):
    # The archive's page 1 of a Sankei article that goes on at …/2/ (the saved page's pager):
    # stored, and said to be its first page only, not passed off as the whole article.
    sankei = next(p for p in warcs.outlet_pages() if "TBR56U2GRVNKTH6F7ZYGAUXMTE" in p.url)
    counted, states, db = _ingested(tmp_path, [sankei])
    assert counted["next pages"] == 1 and counted["new"] == 1
    first, following = (canonical_url(sankei.url, HOSTS),
                        "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/")
    kind, code, reason = states[first]
    assert (kind, code) == ("article", "stored")
    assert reason.endswith(f"its first page only: the article goes on at {following}, which an ingest does not "
                           "read with it; a crawl of the outlet reads it when it revisits the article")
    # The next page is the article's missing page, and the article is revisited (unlike other
    # archived articles): the outlet's next crawl reads its pages and completes it.
    kind, code, reason = states[following]
    assert (kind, code) == ("article", "page_missing") and "an ingest fetches nothing" in reason
    assert rows(db, "SELECT url, due_at IS NOT NULL FROM revisits") == [(first, 1)]


def test_a_chunked_page_that_breaks_off_is_not_taken_for_whole(tmp_path):
    # warcio takes a chunked body that ends inside a chunk, or where the next chunk's size should
    # be, for complete ("assuming file was cut off"): an Asahi page cut inside a chunk was stored
    # as a whole article with nothing said, and a Sankei page cut between chunks at a fifth was an
    # error blaming the page ("an empty shell or a script-only page"), not the archive.
    saved = warcs.outlet_pages()
    asahi, sankei, nhk = (_page(saved, part) for part in (
        "asahi.com/articles/AST1F", "sankei.com", "nhk.or.jp/news/html/20230403/k10014027131000"))
    chunked = (("Transfer-Encoding", "chunked"),)
    mid_chunk = _chunked(asahi.body)[:len(asahi.body) * 3 // 4]
    whole_chunks = _chunked(sankei.body)
    between = whole_chunks[:whole_chunks.index(b"\r\n%x\r\n" % 4000, len(whole_chunks) // 5) + 2]
    counted, states, _ = _ingested(tmp_path, [
        warcs.Fetch(asahi.url, asahi.body, headers=chunked, payload=mid_chunk),
        warcs.Fetch(sankei.url, sankei.body, headers=chunked, payload=between),
        warcs.Fetch(nhk.url, nhk.body, headers=chunked, payload=_chunked(nhk.body))])
    assert counted["truncated"] == 2 and counted["new"] == 2
    kind, _, reason = states[canonical_url(asahi.url, HOSTS)]
    assert kind == "article" and reason.endswith("bytes only: its chunked Transfer-Encoding breaks off there "
                                                 "(the last chunk never came)")
    kind, code, reason = states[canonical_url(sankei.url, HOSTS)]
    assert (kind, code) == ("error", "truncated") and "its chunked Transfer-Encoding breaks off there" in reason
    kind, code, reason = states[canonical_url(nhk.url, HOSTS)]
    assert (kind, code) == ("article", "stored") and "breaks off" not in reason


SANKEI_LONG = "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/"


def _sankei_page(number: int, text: str, *, last: bool = True) -> warcs.Fetch:
    """Page ``number`` of the saved long Sankei article, written on page 1's template: its text
    paragraphs are ``text``, and it links page ``number + 1`` unless ``last``."""
    sankei = next(p for p in warcs.outlet_pages() if p.url == SANKEI_LONG)
    body = re.sub(rb'(<p class="article-text ">)[^<]*(</p>)', lambda m: m.group(1) + text.encode() + m.group(2),
                  sankei.body)
    # Page 1's own pager (rel=next and "続きを見る" to /2/) means nothing on page 2 and after.
    body = body.replace(f"{SANKEI_LONG}2/".encode(), b"#")
    if not last:
        body = body.replace(b"</head>", f'<link rel="next" href="{SANKEI_LONG}{number + 1}/"></head>'.encode())
    return warcs.Fetch(f"{SANKEI_LONG}{number}/", body)


def test_a_next_page_later_in_the_archive_completes_its_article(tmp_path):
    # The archive holds page 1 of a Sankei article, then its page 2 (written here on page 1's
    # template): page 2 is read with page 1, not stored as an article of its own, nor skipped.
    sankei = next(p for p in warcs.outlet_pages() if "TBR56U2GRVNKTH6F7ZYGAUXMTE" in p.url)
    following = "https://www.sankei.com/article/20211013-TBR56U2GRVNKTH6F7ZYGAUXMTE/2/"
    mine = "（2ページ目）融資をめぐる経緯について、市は第三者委員会を設けて調べる方針を明らかにした。"
    counted, states, db = _ingested(tmp_path, [sankei, _sankei_page(2, mine)])
    assert counted["next pages"] == 1 and counted["next pages read"] == 1 and counted["new"] == 1
    first = canonical_url(sankei.url, HOSTS)
    (article_id, text, version), = rows(db, "SELECT id, text, version FROM articles")
    assert mine in text and text.index(mine) > len(store.analyse(sankei.body, sankei.url)["text"]) - 1
    assert version == 2  # completed, as a revisit completes an article
    assert states[following][:2] == ("article", "continuation") and states[first][:2] == ("article", "stored")
    assert rows(db, "SELECT url FROM pages WHERE part_of IS NOT NULL") == [(following,)]


def test_a_next_page_before_its_first_waits_for_it_and_is_read_with_it(tmp_path):
    # The archive holds page 2 of a Sankei article before page 1 (an archive keeps no order): it
    # was stored as an article of its own, a fragment scored alone, and page 1 then said the
    # article goes on at a page the database held as another article.
    mine = "（2ページ目）融資をめぐる経緯について、市は第三者委員会を設けて調べる方針を明らかにした。"
    sankei = next(p for p in warcs.outlet_pages() if p.url == SANKEI_LONG)
    page2 = _sankei_page(2, mine)
    counted, states, db = _ingested(tmp_path, [page2, sankei])
    assert counted["later pages"] == 1 and counted["pages waiting"] == 1 and counted["next pages read"] == 1
    assert counted["new"] == 1
    (text, version), = rows(db, "SELECT text, version FROM articles")
    assert text.startswith(store.analyse(sankei.body, sankei.url)["text"]) and text.endswith(mine)
    assert version == 1  # read whole when first stored: no version of page 1 alone
    kind, code, reason = states[SANKEI_LONG]
    assert (kind, code) == ("article", "stored") and "read with its next 1 page(s)" in reason
    assert states[page2.url][:2] == ("article", "continuation")
    # The page the archive held is the article's part, kept once; nothing is left to revisit.
    assert rows(db, "SELECT url, part_of IS NOT NULL, article_id IS NOT NULL FROM pages ORDER BY id") == [
        (page2.url, 1, 1), (SANKEI_LONG, 0, 1)]
    assert rows(db, "SELECT count(*) FROM revisits WHERE due_at IS NOT NULL") == [(0,)]


def test_a_next_page_without_its_first_is_no_article_and_queues_the_first_for_the_crawl(tmp_path):
    page2 = _sankei_page(2, "（2ページ目）市は第三者委員会を設けて調べる方針を明らかにした。")
    counted, states, db = _ingested(tmp_path, [page2])
    assert counted["later pages"] == 1 and counted["pages waiting"] == 1 and counted["new"] == 0
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
    kind, code, reason = states[page2.url]
    assert (kind, code) == ("article", "page_waiting")
    assert reason == (f"page 2 of the article at {SANKEI_LONG}, held by the archives before or without its first "
                      "page: kept, and read with that page when an ingest reads it; the first page is queued for "
                      "the outlet's crawl, which reads the article whole")
    assert rows(db, f"SELECT outlet, kind FROM urls WHERE url = '{SANKEI_LONG}'") == [("sankei", "pending")]
    # reextract (which reads every stored page without an article) does not make it one either.
    result = newsmon("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
    assert rows(db, f"SELECT reason_code FROM urls WHERE url = '{page2.url}'") == [("page_waiting",)]


def test_pages_met_in_any_order_make_one_article_of_three(tmp_path):
    # Page 3, then page 1 (which goes on at page 2, not held yet), then page 2: the article,
    # stored from page 1 with page 2 missing, is completed with pages 2 and 3 when page 2 comes.
    sankei = next(p for p in warcs.outlet_pages() if p.url == SANKEI_LONG)
    two, three = "（2ページ目）市は第三者委員会を設ける。", "（3ページ目）委員会は年内に報告をまとめる。"
    page2, page3 = _sankei_page(2, two, last=False), _sankei_page(3, three)
    counted, states, db = _ingested(tmp_path, [page3, sankei, page2])
    assert counted["pages waiting"] == 1 and counted["next pages read"] == 1 and counted["new"] == 1
    (text, version), = rows(db, "SELECT text, version FROM articles")
    first = store.analyse(sankei.body, sankei.url)["text"]
    assert text.startswith(first) and text.rindex(two) < text.index(three) and version == 2
    assert states[page2.url][:2] == states[page3.url][:2] == ("article", "continuation")
    assert "page 3 of article" in states[page3.url][2]
    assert rows(db, "SELECT count(*) FROM pages") == [(3,)]


def test_the_crawl_reading_a_waiting_page_itself_keeps_one_copy_of_it(tmp_path):
    # The outlet's crawl fetches the queued first page and its next page live: the copy the
    # archive held goes, or reextract would read it as a page without an article.
    page2 = _sankei_page(2, "（2ページ目）市は第三者委員会を設けて調べる方針を明らかにした。")
    _, _, path = _ingested(tmp_path, [page2])
    sankei = next(p for p in warcs.outlet_pages() if p.url == SANKEI_LONG)
    record = store.analyse(sankei.body, sankei.url, more=[(page2.body, page2.url, None)])
    db = open_db(path)
    store.save(db, url=SANKEI_LONG, body=sankei.body, record=record, outlet="sankei",
               parts=[store.PagePart(page2.url, page2.body, "text/html", 200)])
    db.close()
    assert rows(path, "SELECT url, part_of IS NOT NULL FROM pages ORDER BY id") == [(SANKEI_LONG, 0), (page2.url, 1)]
    assert rows(path, f"SELECT kind, reason_code FROM urls WHERE url = '{page2.url}'") == [("article", "continuation")]


def test_the_search_index_holds_what_each_article_holds(tmp_path):
    # The index form is made in the workers now (record "_search"), not in the writer: whatever
    # path stored an article (new, joined with pages that waited, completed later), the index
    # must hold its title and text as stored, or a search misses it.
    from storage.queries import index_form

    sankei = next(p for p in warcs.outlet_pages() if p.url == SANKEI_LONG)
    others = [p for p in warcs.outlet_pages() if p.url != SANKEI_LONG][:12]
    page2 = _sankei_page(2, "（2ページ目）市は第三者委員会を設けて調べる方針を明らかにした。")
    _, _, db = _ingested(tmp_path, [page2, *others, sankei])
    stored = rows(db, "SELECT a.title, a.text, s.title, s.text FROM articles a "
                      "JOIN articles_search s ON s.rowid = a.id")
    assert len(stored) == rows(db, "SELECT count(*) FROM articles")[0][0] > 10
    for title, text, *indexed in stored:
        assert tuple(indexed) == index_form(title, text)


def _per_record_zst(plain: bytes, *, dictionary: bool) -> bytes:
    """An uncompressed WARC as ArchiveTeam writes its .warc.zst: a zstd frame per record, with a
    dictionary trained on the records first (itself compressed, in a skippable frame), or none."""
    iterator = ArchiveIterator(io.BytesIO(plain))
    starts = []
    for _ in iterator:
        starts.append(iterator.offset)
    starts.append(len(plain))
    records = [plain[a:b] for a, b in zip(starts, starts[1:])]
    if not dictionary:
        return b"".join(zstandard.ZstdCompressor().compress(r) for r in records)
    trained = zstandard.train_dictionary(16 * 1024, records * 4)
    packed = zstandard.ZstdCompressor().compress(trained.as_bytes())
    compressor = zstandard.ZstdCompressor(dict_data=trained)
    return struct.pack("<II", 0x184D2A5D, len(packed)) + packed + b"".join(compressor.compress(r) for r in records)


def _news_warc() -> bytes:
    """news.warc.gz's records (``files``), uncompressed."""
    plain = io.BytesIO()
    warcs.write(plain, warcs.cc_news_like(60, 0.2, seed=1), requests=True, gzip=False)
    return plain.getvalue()


@pytest.mark.parametrize("dictionary", [True, False], ids=["dictionary", "no-dictionary"])
def test_a_zstd_warc_of_a_frame_per_record_is_read_in_byte_ranges_every_record_once(tmp_path, dictionary):
    # It was read by one worker, start to end, whatever the cores: ArchiveTeam's .warc.zst are
    # gigabytes. A part starts at the first frame in its range that starts a record.
    path = tmp_path / "grab.warc.zst"
    path.write_bytes(_per_record_zst(_news_warc(), dictionary=dictionary))
    source = archives.probe(str(path))
    assert source.kind == "warc.zst"
    # 2 KB: parts smaller than most records, and than the dictionary's frame before the first.
    for part_bytes in (2048, 64 * 1024):
        parts = archives.plan(source, part_bytes=part_bytes)
        assert len(parts) > 3
        seen: list[str] = []
        records = 0
        for part in parts:
            read = archives.PartRead()
            seen += list(archives.read_part(part, lambda record, url: url if record.rec_type == "response" else None,
                                            read))
            assert read.stop is None
            records += read.records
        assert seen == [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)]
        assert records == 1 + 2 * 60


def test_a_warc_zstd_compressed_whole_is_one_part(tmp_path):
    path = tmp_path / "whole.warc.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(_news_warc()))
    source = archives.probe(str(path))
    assert source.kind == "whole.zst" and len(archives.plan(source, part_bytes=2048)) == 1


def test_a_zstd_warc_that_grows_is_read_on_in_parts_from_the_frame_where_it_stopped(tmp_path, files):
    # Its offsets count the file's bytes, at frames: the second run starts at the frame of the
    # record the first could not read, on a cluster of 2 workers each reading byte ranges.
    first, _ = _grown(tmp_path, files, _per_record_zst(_news_warc(), dictionary=True), "2", "growing.warc.zst")
    assert "its zstd stream ends inside a frame (the file is truncated)" in first.stderr
    assert counts(first)["records"] > 1


def _record_starts(plain: bytes) -> list[int]:
    iterator = ArchiveIterator(io.BytesIO(plain))
    starts = []
    for _ in iterator:
        starts.append(iterator.offset)
    return starts


def _pzstd(plain: bytes, cuts: list[int]) -> bytes:
    """``plain`` as pzstd (zstd's parallel compressor, in Debian's zstd package) writes it: a frame
    per piece of the input, cut at ``cuts``, each after a skippable frame that holds its size."""
    out = []
    for a, b in zip([0, *cuts], [*cuts, len(plain)]):
        frame = zstandard.ZstdCompressor().compress(plain[a:b])
        out.append(struct.pack("<III", 0x184D2A50, 4, len(frame)) + frame)
    return b"".join(out)


def _read_split(source: archives.Source, at: int) -> tuple[list[str], int]:
    """The response URLs and the record count read by two parts of ``source`` split at byte ``at``."""
    seen: list[str] = []
    records = 0
    for part in (archives.Part(source, None, 0, at, 0), archives.Part(source, None, at, None, 1)):
        read = archives.PartRead()
        seen += archives.read_part(part, lambda record, url: url if record.rec_type == "response" else None, read)
        assert read.stop is None, (at, read.stop)
        records += read.records
    return seen, records


def test_a_warc_compressed_by_pzstd_is_read_whole(tmp_path):
    # pzstd writes a skippable frame (a zstd frame any reader must skip) before each frame: the
    # file was taken for an uncompressed WARC and refused at its first byte ("not a readable
    # WARC file ... Unknown archive format, first line: P*M"), though `zstd -d` reads it.
    plain = _news_warc()
    path = tmp_path / "pzstd.warc.zst"
    path.write_bytes(_pzstd(plain, list(range(20_000, len(plain), 20_000))))  # pieces cut mid-record
    source = archives.probe(str(path))
    assert source.kind == "whole.zst"
    seen, records = _read_split(source, 0)
    assert seen == [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)] and records == 1 + 2 * 60
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(path), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert counts(result)["records"] == 1 + 2 * 60
    assert rows(db, "SELECT finished_at IS NOT NULL FROM ingested_archives") == [(1,)]


def test_a_zstd_warc_of_a_frame_per_record_after_skippable_frames_is_split_anywhere_reading_each_record_once(
        tmp_path):
    # A part ends before the first record at or after its end and the next starts at the first
    # frame there: the two must agree where a skippable frame stands between a record's frame and
    # the one before, or a part boundary inside the skippable frame reads that record twice.
    plain = _news_warc()
    starts = _record_starts(plain)
    data = _pzstd(plain, starts[1:])
    path = tmp_path / "framed.warc.zst"
    path.write_bytes(data)
    source = archives.probe(str(path))
    assert source.kind == "warc.zst"
    skippable = [m.start() for m in re.finditer(re.escape(struct.pack("<II", 0x184D2A50, 4)), data)]
    assert len(skippable) == len(starts)
    expected = [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)]
    for frame in skippable[1::12]:
        for at in (frame - 1, frame, frame + 1, frame + 6, frame + 11, frame + 12, frame + 13):
            assert _read_split(source, at) == (expected, 1 + 2 * 60), at


def test_a_zstd_warc_of_frames_of_several_records_is_split_anywhere_reading_each_record_once(tmp_path):
    # A record that ends inside a frame leaves the offset at the frame's start: a part reads the
    # frames that start before its end whole, and the next starts at the first frame after.
    plain = _news_warc()
    starts = _record_starts(plain)
    cuts = starts[1::3]  # three records a frame (a warcinfo, a request and a response first)
    data = b"".join(zstandard.ZstdCompressor().compress(plain[a:b])
                    for a, b in zip([0, *cuts], [*cuts, len(plain)]))
    path = tmp_path / "frames.warc.zst"
    path.write_bytes(data)
    source = archives.probe(str(path))
    assert source.kind == "warc.zst"
    frames = [m.start() for m in re.finditer(re.escape(b"\x28\xb5\x2f\xfd"), data)]
    assert len(frames) >= len(cuts) + 1
    expected = [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)]
    for frame, after in list(zip(frames, frames[1:]))[1::8]:
        for at in (frame - 1, frame, frame + 1, (frame + after) // 2):
            assert _read_split(source, at) == (expected, 1 + 2 * 60), at


def test_a_zstd_warc_with_empty_frames_between_records_is_split_anywhere_reading_each_record_once(tmp_path):
    # An empty frame (9 bytes) between two records' frames: a part ended at it, the next started
    # at the frame after it, and the bytes between were "read by no part".
    plain = _news_warc()
    starts = _record_starts(plain)
    compressor = zstandard.ZstdCompressor()
    empty = compressor.compress(b"")
    data = empty.join(compressor.compress(plain[a:b]) for a, b in zip(starts, [*starts[1:], len(plain)]))
    path = tmp_path / "empty-frames.warc.zst"
    path.write_bytes(data)
    source = archives.probe(str(path))
    assert source.kind == "warc.zst"
    expected = [f.url for f in warcs.cc_news_like(60, 0.2, seed=1)]
    for frame in [m.start() for m in re.finditer(re.escape(empty), data)][1::12]:
        for at in (frame - 1, frame, frame + 1, frame + len(empty), frame + len(empty) + 1):
            parts = (archives.Part(source, None, 0, at, 0), archives.Part(source, None, at, None, 1))
            reads = [archives.PartRead() for _ in parts]
            seen = [url for part, read in zip(parts, reads)
                    for url in archives.read_part(part, lambda r, u: u if r.rec_type == "response" else None, read)]
            assert seen == expected and all(r.stop is None for r in reads), at
            assert reads[0].end == reads[1].start or reads[1].records == 0, at  # the parts meet


def test_a_warc_zstd_compressed_with_a_window_larger_than_a_worker_allows_is_refused_with_what_to_do(tmp_path):
    # zstd --long=31 on a file over 128 MB writes a frame that needs a window as large as the
    # file: the decoder refused it as a record that "cannot be parsed", and the archive was
    # called "not a readable WARC file", with nothing said of what to do.
    folder = tmp_path / "archives"
    folder.mkdir()
    plain = _news_warc()
    big = zstandard.ZstdCompressor(compression_params=zstandard.ZstdCompressionParameters(
        window_log=28, enable_ldm=True)).compressobj(size=len(plain) * 200)
    # A frame whose header declares 200 copies: the window is read from the header, and the
    # file need not hold them all.
    (folder / "long.warc.zst").write_bytes(big.compress(plain * 2) + big.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
    warcs.write(folder / "other.warc.gz", warcs.outlet_pages()[:1])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert result.returncode == 1, result.stderr
    assert "long.warc.zst: its zstd frames need a 256 MB window to decompress" in result.stderr
    assert "zstd -d --long=31 FILE" in result.stderr and "not a readable WARC" not in result.stderr
    assert rows(db, "SELECT source LIKE '%other.warc.gz' FROM ingested_archives") == [(1,)]


def _zstd_warc(path: Path, fetches: list[warcs.Fetch], *, dictionary: bool) -> None:
    """A .warc.zst of ``fetches``: as ArchiveTeam writes them (a frame per record, compressed with
    a dictionary that comes first, itself zstd-compressed, in a skippable frame), or as ``zstd
    file.warc`` does (one frame, no dictionary)."""
    records = []
    for fetch in fetches:
        one = io.BytesIO()
        warcs.write(one, [fetch], gzip=False)
        records.append(one.getvalue())
    if not dictionary:
        path.write_bytes(zstandard.ZstdCompressor().compress(b"".join(records)))
        return
    trained = zstandard.train_dictionary(16 * 1024, records * 4)
    packed = zstandard.ZstdCompressor().compress(trained.as_bytes())
    compressor = zstandard.ZstdCompressor(dict_data=trained)
    path.write_bytes(struct.pack("<II", 0x184D2A5D, len(packed)) + packed
                     + b"".join(compressor.compress(r) for r in records))


@pytest.mark.parametrize("dictionary", [True, False], ids=["archiveteam", "zstd"])
def test_a_zstd_compressed_warc_is_read(tmp_path, dictionary):
    # ArchiveTeam's WARCs (of news sites among others) are .warc.zst: warcio takes them for no
    # WARC at all, and a directory of them was skipped without a word.
    pages = warcs.outlet_pages()[:12]
    folder = tmp_path / "grab"
    folder.mkdir()
    _zstd_warc(folder / "grab-00000.warc.zst", pages, dictionary=dictionary)
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    expected = {canonical_url(p.url, HOSTS) for p in pages if extract_article(p.body, p.url) is not None}
    stored = {u for (u,) in rows(db, "SELECT url FROM urls WHERE kind = 'article'")}
    assert expected and expected <= stored and counts(result)["responses"] == len(pages)
    assert rows(db, "SELECT finished_at IS NOT NULL FROM ingested_archives") == [(1,)]


def test_a_zstd_warc_cut_inside_a_frame_says_it_is_truncated(tmp_path):
    # zstandard's stream reader ends quietly where the file ends inside a frame: the records
    # before the cut are stored, and the archive is said to be read only in part.
    pages = warcs.outlet_pages()[:8]
    whole = tmp_path / "whole.warc.zst"
    _zstd_warc(whole, pages, dictionary=True)
    cut = tmp_path / "cut.warc.zst"
    data = whole.read_bytes()
    cut.write_bytes(data[:len(data) * 3 // 4])
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(cut), "--db", str(db), "--workers", "0")
    assert result.returncode == 1
    assert "read only in part" in result.stderr and "its zstd stream ends inside a frame (the file is truncated)" \
        in result.stderr
    assert 0 < counts(result)["responses"] < len(pages) and counts(result)["new"] > 0


@pytest.mark.parametrize("part", ["4M", "4k"], ids=["one-part", "parts"])
def test_a_zstd_warc_whose_dictionary_is_damaged_is_said_unreadable(tmp_path, part):
    # Read when the part was opened, a damaged dictionary failed the read ("run the ingest again
    # to resume there"), the archive left unfinished for every later run to fail on the same way;
    # so did each later part, which reads the dictionary from the file's start.
    whole = tmp_path / "whole.warc.zst"
    _zstd_warc(whole, warcs.outlet_pages()[:4], dictionary=True)
    data = bytearray(whole.read_bytes())
    data[16:48] = bytes(32)  # inside the (compressed) dictionary, after its frame's header
    damaged = tmp_path / "damaged.warc.zst"
    damaged.write_bytes(bytes(data))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(damaged), "--db", str(db), "--workers", "0", "--part-size", part)
    assert result.returncode == 1
    assert "not a readable WARC file" in result.stderr and "its zstd dictionary cannot be read" in result.stderr
    assert "run the ingest again" not in result.stderr
    assert rows(db, "SELECT count(*) FROM ingested_archives") == [(0,)]  # nothing left to resume


def test_archives_still_being_written_in_a_directory_are_named_not_read(tmp_path):
    # Heritrix writes x.warc.gz.open and renames it when done; a download is often x.part until
    # it ends. Such a file was passed over without a word.
    folder = tmp_path / "crawl"
    folder.mkdir()
    first, second = warcs.outlet_pages()[:2]
    warcs.write(folder / "a.warc.gz", [first])
    warcs.write(folder / "b.warc.gz.open", [second])
    (folder / "notes.txt.tmp").write_text("not an archive")
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (f"newsmon: {folder / 'b.warc.gz.open'}: not read: named as a file still being "
                                     "written or downloaded; it is read once renamed (run the ingest again then)")
    assert counts(result)["responses"] == 1
    (folder / "a.warc.gz").unlink()
    only = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert only.returncode == 1 and "its only archives are named as files still being written" in only.stderr
    (folder / "b.warc.gz.open").rename(folder / "b.warc.gz")
    renamed = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert renamed.returncode == 0 and counts(renamed)["responses"] == 1 and not renamed.stderr.strip()


def test_archives_under_names_of_no_archive_in_a_directory_are_named_not_read(tmp_path):
    # wget saves a second download of x.warc.gz as x.warc.gz.1; a WARC saved with no extension: a directory's files
    # are read by their names, and such a file was passed over without a word, its pages in no count.
    folder = tmp_path / "crawl"
    folder.mkdir()
    first, second, third = warcs.outlet_pages()[:3]
    warcs.write(folder / "a.warc.gz", [first])
    warcs.write(folder / "a.warc.gz.1", [second])
    warcs.write(folder / "capture", [third], gzip=False)
    (folder / "a.warc.gz.md5").write_text("0123456789abcdef  a.warc.gz\n")
    (folder / "README").write_text("WARC files of 2025-01-14\n")
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert result.returncode == 1, result.stderr  # read by no later run either: no clean exit
    said = ("not read: it holds WARC records, but a directory's archives are read by their names (.warc, .warc.gz, "
            ".warc.zst, .wacz, .arc, .arc.gz): rename the file so, or give the file itself as an input")
    assert result.stderr.strip().splitlines() == [f"newsmon: {folder / 'a.warc.gz.1'}: {said}",
                                                  f"newsmon: {folder / 'capture'}: {said}"]
    assert counts(result)["responses"] == 1
    # The file given itself beside its directory (as the note advises; the directory twice): read, and not said "not
    # read"; the other named once.
    both = newsmon("ingest", str(folder), str(folder / "a.warc.gz.1"), str(folder), "--db", str(tmp_path / "m.db"),
                   "--workers", "0")
    assert both.returncode == 1 and counts(both)["new"] == 2, both.stderr
    assert both.stderr.strip().splitlines() == [f"newsmon: {folder / 'capture'}: {said}"]
    given = newsmon("ingest", str(folder / "a.warc.gz.1"), str(folder / "capture"), "--db", str(db), "--workers", "0")
    assert given.returncode == 0 and counts(given)["new"] == 2, given.stderr
    (folder / "a.warc.gz").unlink()
    only = newsmon("ingest", str(folder), "--db", str(db), "--workers", "0")
    assert only.returncode == 1 and "its only archives are not named as archives" in only.stderr


def test_a_record_without_a_target_uri_is_counted_and_the_rest_is_read(tmp_path):
    # A response record without WARC-Target-URI (a writer's bug): warcio raised at it, and the archive was "not a
    # readable WARC file" from there, the records after it never read.
    from warcio.warcwriter import WARCWriter

    first, second = warcs.outlet_pages()[:2]
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for fetch in (first, second):
        head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(fetch.url, "response", payload=io.BytesIO(fetch.body),
                                           length=len(fetch.body), http_headers=head)
        if fetch is first:
            record.rec_headers.remove_header("WARC-Target-URI")
        writer.write_record(record)
    (tmp_path / "a.warc.gz").write_bytes(out.getvalue())
    result = newsmon("ingest", str(tmp_path / "a.warc.gz"), "--db", str(tmp_path / "n.db"), "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert counts(result)["bad url"] == 1 and counts(result)["new"] == 1
    assert counts(result)["responses"] == 2  # one, as if the record were none
    assert rows(tmp_path / "n.db", "SELECT url FROM articles") == [(canonical_url(second.url, HOSTS),)]


def test_a_warc_whose_records_name_no_url_is_read_and_text_read_as_an_arc_file_counts_none(tmp_path):
    # A WARC whose every record lacks WARC-Target-URI was "no WARC record found: is it a WARC … file?" under its own
    # count of "1 bad url", and stayed out of the ledger; text that warcio reads as an ARC record with a blank first
    # field (its URL) was counted a bad url.
    (tmp_path / "a.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
                                      b"Content-Length: 5\r\n\r\nhello\r\n\r\n")
    result = newsmon("ingest", str(tmp_path / "a.warc"), "--db", str(tmp_path / "n.db"), "--workers", "0")
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert counts(result)["bad url"] == 1
    assert rows(tmp_path / "n.db", "SELECT records, finished_at IS NOT NULL FROM ingested_archives") == [(1, 1)]
    (tmp_path / "notes.arc").write_bytes(b" a b c 5\nhello\n")
    text = newsmon("ingest", str(tmp_path / "notes.arc"), "--db", str(tmp_path / "m.db"), "--workers", "0")
    assert text.returncode == 1 and "no WARC record found" in text.stderr
    assert "bad url" not in text.stdout


def test_a_warc_gz_of_members_of_several_records_after_a_single_one_says_what_to_do(tmp_path):
    # Its first member a record, the next ones several each: warcio refuses the second record of
    # such a member ("non-chunked gzip"), and newsmon said the WARC stopped "at byte -49770".
    from warcio.warcwriter import WARCWriter

    pages = warcs.outlet_pages()[:4]
    head = io.BytesIO()
    writer = WARCWriter(head, gzip=True)
    writer.write_record(writer.create_warcinfo_record("pairs.warc.gz", {"software": "newsmon tests"}))
    members = [head.getvalue()]
    for pair in (pages[:2], pages[2:]):
        plain = io.BytesIO()
        warcs.write(plain, pair, gzip=False)
        members.append(gzip.compress(plain.getvalue()))
    path = tmp_path / "pairs.warc.gz"
    path.write_bytes(b"".join(members))
    result = newsmon("ingest", str(path), "--db", str(tmp_path / "n.db"), "--workers", "0")
    assert result.returncode == 1
    assert (f"stopped at byte {len(members[0])} of {path.stat().st_size} (record 3): its gzip members hold several "
            "records each: `warcio recompress FILE NEW.warc.gz` rewrites it a record a member") in result.stderr
    fixed = tmp_path / "fixed.warc.gz"
    subprocess.run([str(Path(sys.executable).parent / "warcio"), "recompress", str(path), str(fixed)], check=True,
                   capture_output=True)
    again = newsmon("ingest", str(fixed), "--db", str(tmp_path / "n.db"), "--workers", "0", "--part-size", "4k")
    assert again.returncode == 0, again.stderr
    assert counts(again)["responses"] == len(pages)


def test_a_warc_compressed_whole_with_bzip2_is_named_with_what_to_do(tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    first, second = warcs.outlet_pages()[:2]
    warcs.write(folder / "a.warc.gz", [first])
    plain = io.BytesIO()
    warcs.write(plain, [second], gzip=False)
    (folder / "b.warc.bz2").write_bytes(bz2.compress(plain.getvalue()))
    result = newsmon("ingest", str(folder), "--db", str(tmp_path / "n.db"), "--workers", "0")
    assert result.returncode == 1  # one input could not be read; the other is stored
    assert f"{folder / 'b.warc.bz2'}: compressed with bzip2 as a whole" in result.stderr
    assert "bunzip2 FILE" in result.stderr and counts(result)["new"] == 1


def test_a_revisit_record_may_name_its_capture_in_angle_brackets(tmp_path):
    # WARC/1.0's grammar puts URIs in angle brackets (GNU wget writes its WARC-Target-URI so).
    # warcio takes them off the WARC-Target-URI, not off WARC-Refers-To-Target-URI: such a revisit
    # record's capture matched no stored URL, and its URL stayed an error saying the capture was
    # not ingested.
    first, second = warcs.outlet_pages()[:2]
    archive = tmp_path / "wget.warc.gz"
    with open(archive, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        response = writer.create_warc_record(f"<{first.url}>", "response", payload=io.BytesIO(first.body),
                                             length=len(first.body), http_headers=head)
        writer.write_record(response)
        writer.write_record(writer.create_revisit_record(
            f"<{second.url}>", digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri=f"<{first.url}>", refers_to_date="2025-01-14T03:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")))
    db = tmp_path / "n.db"
    result = newsmon("ingest", str(archive), "--db", str(db), "--workers", "0")
    assert result.returncode == 0, result.stderr
    states = dict(rows(db, "SELECT url, reason_code FROM urls"))
    assert states == {canonical_url(first.url, HOSTS): "stored", canonical_url(second.url, HOSTS): "duplicate"}


def test_dasks_cancel_of_a_call_not_yet_begun_is_not_logged_over_the_ctrl_c_line(caplog):
    # Ctrl-C while the ingest waits on its cluster: Dask's sync() schedules a cancel whose closure
    # has no future yet when the call had not begun, and its NameError was logged with a
    # traceback above the ingest's one line (once in four runs of the Ctrl-C test, 2 busy cores).
    from crawler.cluster import _cancel_unbound

    def sync():
        def cancel():
            return future.cancel()  # as distributed.utils.sync's: bound only once the call begins

        cancel()
        future = None  # noqa: F841

    try:
        sync()
    except NameError as exc:
        unbound = exc
    other = NameError("name 'x' is not defined")
    log = logging.getLogger("tornado.application")
    log.addFilter(_cancel_unbound)
    try:
        with caplog.at_level(logging.ERROR, logger="tornado.application"):
            for error in (unbound, other):
                log.error("Exception in callback", exc_info=(NameError, error, error.__traceback__))
    finally:
        log.removeFilter(_cancel_unbound)
    assert [r.exc_info[1] for r in caplog.records] == [other]
