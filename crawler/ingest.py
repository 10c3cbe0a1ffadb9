"""Read web archives (WARC, WARC.gz, WACZ) into the database through the crawl's own path.

warcio does the record parsing (and its chunked/gzip decoding); a WACZ is a zip whose
``archive/`` folder holds WARC files. Only HTML responses with status 200 are considered, and a
URL already stored is skipped, so ingesting the same archive twice adds nothing.

An archive cut short (a download that stopped, a full disk) or with a record that cannot be
parsed is read up to that point: what came before is stored, and where reading stopped is
reported (:class:`Stop`). warcio itself ends silently at a truncated gzip member and only
prints a complaint for a corrupt one, so the checks are ours: every record must be complete
(its Content-Length read in full), and reading must reach the end of the file.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, redirect_stderr
from dataclasses import dataclass, field
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from storage import queries
from storage import stories as story_db

from . import store
from .bodies import sniff_binary
from .urls import canonical_url


@dataclass(frozen=True)
class Stop:
    """Where reading one WARC stopped before its end, and why."""

    #: The WARC inside a WACZ; ``None`` for the archive file itself.
    member: str | None
    #: Byte offset, in the (compressed) WARC, of the record that could not be read.
    offset: int
    #: That record's number in the WARC, from 1 (the ones before it were read).
    record: int
    error: str
    #: Bytes of the WARC from ``offset`` to its end, unread.
    unread: int = 0

    def describe(self) -> str:
        where = f"{self.member}: " if self.member else ""
        return (f"{where}{self.record - 1} complete records, then stopped at byte {self.offset} of "
                f"{self.offset + self.unread} (record {self.record}): {self.error}")


@dataclass
class ArchiveRead:
    """What reading an archive came to: complete records, and where it stopped early."""

    records: int = 0
    stops: list[Stop] = field(default_factory=list)
    #: Records that name an http(s) URL: an archive with none is not an archive at all.
    http_records: int = 0


def _warc_streams(path: str, stack: ExitStack) -> Iterator[tuple[str | None, IO[bytes], int]]:
    """(member name or None, stream, size in bytes) of each WARC of the archive."""
    if zipfile.is_zipfile(path):
        archive = stack.enter_context(zipfile.ZipFile(path))
        names = [n for n in archive.namelist() if n.startswith("archive/") and ".warc" in n]
        if not names:
            raise ValueError("a zip file without archive/*.warc[.gz]: not a WACZ")
        for name in sorted(names):
            yield name, stack.enter_context(archive.open(name)), archive.getinfo(name).file_size
    else:
        stream = stack.enter_context(open(path, "rb"))
        yield None, stream, os.fstat(stream.fileno()).st_size


def _complaint(captured: io.StringIO) -> str:
    """The last thing warcio printed (it prints rather than raises for a corrupt gzip member)."""
    lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class _Unreadable(Exception):
    """A record warcio read without complaint but that is not whole (our own checks)."""


def _printable(message: str, limit: int = 160) -> str:
    # warcio quotes the bad line it found: garbage bytes, decoded as whatever they were.
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in " ".join(message.split()))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _read_warc(member: str | None, stream: IO[bytes], size: int,
               read: ArchiveRead) -> Iterator[tuple[str, bytes, str]]:
    """The 200 HTML responses of one WARC, up to its end or its first unreadable record."""
    captured = io.StringIO()
    records = ArchiveIterator(stream)
    number = 0
    end = 0  # where the last complete record ended
    while True:
        number += 1
        found = None
        try:
            with redirect_stderr(captured):
                record = next(records, None)
                if record is None:
                    break
                if record.format == "warc" and not (record.rec_headers.get_header("Content-Length") or "").isdigit():
                    raise _Unreadable("a record without a valid Content-Length header")
                # warcio reads any text as an (old) ARC file; a record naming no http(s) URL is
                # what garbage looks like through it.
                url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("uri") or ""
                http = url.startswith(("http://", "https://"))
                if (http and record.rec_type == "response" and record.http_headers is not None
                        and record.http_headers.get_statuscode() == "200"
                        and "html" in (record.http_headers.get_header("Content-Type") or "").lower()):
                    found = (url, record.content_stream().read(), record.http_headers.get_header("Content-Type"))
                records.read_to_end()
                if isinstance(record.raw_stream, LimitReader) and record.raw_stream.limit > 0:
                    raise _Unreadable(f"the record ends {record.raw_stream.limit} bytes short of its Content-Length"
                                     + (f" ({_complaint(captured)})" if _complaint(captured) else
                                        " (the file is truncated)"))
        # warcio raises what its parsers raise on bad input (ArchiveLoadFailed, ValueError,
        # EOFError, zlib.error, ...): any of them means this record cannot be read.
        except Exception as exc:  # noqa: BLE001
            problem = str(exc) if isinstance(exc, _Unreadable) else \
                f"the record cannot be parsed ({type(exc).__name__}: {exc})"
            read.stops.append(Stop(member, end, number, _printable(problem), size - end))
            return
        end = records.offset
        read.records += 1
        read.http_records += http
        if found:
            yield found
    if end < size:
        complaint = _complaint(captured)
        read.stops.append(Stop(member, end, number, "no complete record in the rest of the file "
                               + (f"({complaint})" if complaint else "(it is truncated)"), size - end))


def iter_html_responses(path: str, read: ArchiveRead | None = None) -> Iterator[tuple[str, bytes, str]]:
    """(target URL, body, Content-Type) of each 200 HTML response in an archive.

    Reading stops at the first record of a WARC that cannot be read (the next WARC of a WACZ
    is still read); ``read`` says how many records were read and where it stopped.

    Raises:
        ValueError: the file is no WARC, WARC.gz or WACZ (not one record could be read).
    """
    read = read if read is not None else ArchiveRead()
    with ExitStack() as stack:
        for member, stream, size in _warc_streams(path, stack):
            yield from _read_warc(member, stream, size, read)
    if read.http_records == 0:
        if read.stops:
            raise ValueError(f"not a readable WARC file ({read.stops[0].describe()})")
        raise ValueError("no WARC record found: is it a WARC, WARC.gz or WACZ file?")


def ingest_archive(db, path: str, config_path: str | None = None,
                   opts: store.Options | None = None) -> tuple[dict[str, int], ArchiveRead]:
    """Extract, score, store and group every new HTML page of one archive.

    Archived articles are not revisited: the archive is a record of the past, not the live site.

    Returns:
        Counts of responses, new, relevant, seen, no_article and not_text (bodies that are
        no text: :func:`crawler.bodies.sniff_binary`), and what reading the archive came to:
        when ``ArchiveRead.stops`` is not empty, the archive was read only in part.

    Raises:
        ValueError: the file is no archive.
    """
    outlets, _ = store.context(config_path)
    opts = opts or store.options(config_path)
    hosts = store.known_hosts(outlets)
    counts = {"responses": 0, "new": 0, "relevant": 0, "seen": 0, "no_article": 0, "not_text": 0}
    read = ArchiveRead()
    for url, body, ctype in iter_html_responses(path, read):
        counts["responses"] += 1
        if sniff_binary(body):
            # A PDF or image labelled HTML: not a page, and an archive is never fetched again.
            counts["not_text"] += 1
            continue
        key = canonical_url(url, hosts)
        if queries.url_done(db, key):
            counts["seen"] += 1
            continue
        charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype.lower() else None
        record = store.analyse(body, key, charset, config_path, story_features=opts.stories)
        saved = store.save(db, url=key, body=body, record=record,
                           outlet=store.outlet_key(key, outlets), content_type=ctype, opts=opts)
        if record is None:
            counts["no_article"] += 1
        elif saved.new:
            counts["new"] += 1
            counts["relevant"] += int(saved.relevant)
        else:
            counts["seen"] += 1
    story_db.flush_terms(db)
    return counts, read
