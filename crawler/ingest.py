"""``newsmon ingest``: web archives (CC-NEWS and the like) into the database, through the crawl's store path.

Filter first: most of a CC-NEWS file is other sites in other languages, and extraction costs a
hundred times what reading a record does, so a record is judged by its WARC and HTTP headers
before its body is read: a 200 HTML response of a known outlet's domains (built-in and
configured) goes on, anything else is counted and skipped. With ``all_sites``, HTML of any site
goes on unless its headers or its ``<html lang>`` name a language the topics are not written
in, and only articles that score above zero are kept.

Extraction and scoring run in *parts* (``crawler/archives.py``: byte ranges of a WARC.gz, whole
WARCs) on a Dask distributed cluster: a ``LocalCluster`` of one worker process per core, or the
scheduler at ``cluster``. A worker returns compact records; this process is the one writer and
stores them in order, in short batched transactions, through ``crawler.store`` (URL states,
dedupe, and whatever the store path adds), and keeps the ledger of archives
(``ingested_archives``) so that a re-run skips what is done and resumes what is not.

An archive cut short (a download that stopped, a full disk) or with a record that cannot be
parsed is read up to that point: what came before is stored, and where reading stopped is
reported (``Stop``); the rest of that WARC is not stored, the other WARCs of a WACZ and the
other archives are.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import time
import urllib.error
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from http.client import HTTPException
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from storage import frontier, pages, queries, transaction, versions

from storage import stories as story_db

from . import archives, locks, pagination, settings, store
from .archives import Part, PartRead, Source, Stop
from .bodies import sniff_binary
from .discovery import FUTURE_SLACK
from .fingerprint import WorkersDiffer, differences
from .outcome import Problem, check_body, extraction_crash, redirected_away
from .progress import Progress
from .urls import canonical_url, parsable
from .walls import SUSPECT_STATUSES, WALL_HEADERS, detect_wall, url_wall

#: The languages the topics are written in: a page declaring another cannot score (``all_sites``).
LANGUAGES = ("ja", "en")
#: The fewest characters of text an article the generic extractor found in a page cut short is
#: stored with (what it asks of a page that does not declare itself an article): fewer, and
#: the URL is left for the crawl, which fetches the page whole.
SHORTEST_CUT = 200
#: Pages stored per write transaction: long enough to be cheap (PERF_NOTES: 100 rows per
#: transaction is 5× one per row), short enough that a reviewer's write never waits long.
BATCH = 100
#: Times a part the cluster dropped (its dictionaries lost with a worker) is sent again.
RESUBMITS = 3
#: Said in the reason of an article stored from the first part of its page (``keep``): a whole
#: capture met later is stored over it (``_settled``).
CUT_NOTE = " bytes only: "
#: The statuses whose Location leads on (Scrapy follows all but 300; a 304 has none to follow).
_REDIRECTS = (300, 301, 302, 303, 307, 308)
#: A Content-Type that says only "bytes": the bytes decide (RFC 9110 8.3).
_OCTET = re.compile(r"\s*application/octet-stream\s*(?:;|$)", re.I)
_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_COUNTS = ("records", "responses", "without_http", "resources", "revisits", "not_ok", "other_sites", "not_html",
           "bad_url", "other_language", "not_text", "too_large", "bad_compression", "walled", "empty_records",
           "empty_bodies", "extracted", "truncated", "next_pages", "later_pages", "next_pages_read", "pages_waiting",
           "new", "relevant", "versions", "earlier_versions", "seen", "no_article", "not_relevant", "extract_failed",
           "parts_sent_again")


# --- in the workers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    """What every worker needs besides its part. The config travels as text, so a worker on
    another machine needs newsmon installed but not the config file."""

    config_text: str | None = None
    all_sites: bool = False
    #: The writer's ``crawler.fingerprint``, on a scheduler's cluster: a worker that differs
    #: (one that joined after the check of ``cluster.start``) reads nothing.
    fingerprint: tuple[tuple[str, str], ...] = ()


@dataclass
class Page:
    """One record a worker kept: what the writer stores."""

    url: str  # canonical
    outlet: str | None
    content_type: str | None
    body: bytes | None  # None: sent compressed
    record: dict[str, Any] | None
    problem: Problem | None = None
    #: The page compressed with its outlet's dictionary, when the worker had it (``pages.compress``).
    compressed: pages.Compressed | None = None
    #: Said after the URL's reason: the record was truncated in the archive.
    note: str | None = None
    #: A revisit record's: the (canonical) URL of the capture whose payload it repeats; an archived
    #: redirect's (``frontier.STAND_INS``): the (canonical) article URL it sends to.
    refers_to: str | None = None
    #: Page 2, 3 … of an article (``pagination.continuation_of``): the URL of its first page.
    continues: str | None = None
    #: The archived response's HTTP status (a redirect or an error of an outlet's article URL).
    http_status: int = 200
    #: When the archive's crawler fetched it (``WARC-Date``, ISO 8601 UTC), if the archive says.
    captured: str | None = None
    #: A revisit record's: when the capture it repeats was made (``WARC-Refers-To-Date``, as ``captured``).
    refers_at: str | None = None


class _Kept(NamedTuple):
    """A record a worker reads the body of."""

    url: str
    content_type: str
    body: bytes
    known: bool  # on a watched outlet's domains
    headers: dict[str, str]  # the HTTP headers wall detection and decoding read
    #: Why the body is only the start of the page: the archive truncated the record
    #: (WARC-Truncated), or its Content-Encoding breaks off (``archives.read_body``).
    cut: str | None
    #: Why the body cannot be trusted at all: its Content-Encoding is corrupt.
    corrupt: str | None
    #: Why the body is larger than ``archives.MAX_BODY`` where it is shorter: a coding under
    #: another decodes past it (``archives.Body.too_large``).
    too_large: str | None
    #: Why the body was not read at all: a Transfer-Encoding no reader here undoes (``archives.Body.undecodable``).
    undecodable: str | None
    captured: str | None  # Page.captured


@dataclass
class PartResult:
    """What a worker made of one part."""

    part: Part
    read: PartRead
    pages: list[Page] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


_CONFIGS: dict[str, str | None] = {}


def _config_path(options: Options) -> str | None:
    """A file with the config's text on this worker (the same text gives the same file)."""
    if options.config_text is None:
        return None
    digest = hashlib.sha256(options.config_text.encode()).hexdigest()[:16]
    if digest not in _CONFIGS:
        path = Path(tempfile.gettempdir()) / f"newsmon-ingest-{digest}.toml"
        if not path.exists():
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(options.config_text, encoding="utf-8")
            tmp.replace(path)
        _CONFIGS[digest] = str(path)
    return _CONFIGS[digest]


def known_host(host: str, hosts: set[str] | frozenset[str]) -> bool:
    """Whether ``host`` is one of ``hosts`` or under one (www3.nhk.or.jp under nhk.or.jp)."""
    host = host.lower().rstrip(".")
    while host:
        if host in hosts:
            return True
        host = host.partition(".")[2]
    return False


def _wanted(language: str | None) -> bool:
    return not language or language.strip().lower()[:2] in LANGUAGES


def ingest_part(part: Part, options: Options, dicts: Mapping[str, tuple[int, str, bytes]] | None = None,
                ) -> PartResult:
    """Read one part, extract and score what passes the filter. Runs in a worker process.

    ``dicts``: the outlets' page dictionaries (``pages.dictionaries``): the pages of those outlets
    are compressed here, where there are as many cores as workers, not in the one writer.

    A part over HTTP whose connection breaks while it is read is read on from the end of the
    last whole record it read, and again from there after a break that read none
    (``NEWSMON_INGEST_RETRIES`` times, waiting 1, 2, 4 … s), as a request that failed to open
    is (``archives.tried``): one reset no longer leaves the archive to the next run. Each read
    of the part started again from its start, and threw away what the one before had read: a
    server without Range requests whose connection broke at the same place every time gave
    nothing, run after run. When the tries run out, what was read is kept (``PartRead.broken``:
    stored, and the next run resumes after it). A stream sent with no length, whose end a dropped
    connection's looks like, is read again from where it ended as many times: an end met again at
    the same byte is the archive's.
    """
    if options.fingerprint:
        _same_code(options.fingerprint)
    if not archives.is_url(part.source.location):
        try:
            return _ingest_part(part, options, dicts)
        except OSError as exc:
            # The machine that could not open the file: on a scheduler's cluster, maybe not the
            # one the ingest was started on (``_failed``).
            exc.newsmon_host = socket.gethostname()  # type: ignore[attr-defined]
            raise
    retries, attempt = int(settings.NEWSMON_INGEST_RETRIES), 0
    done: PartResult | None = None
    piece = part
    # Where a stream sent with no length last ended (between two records, or inside one), and how many times it was
    # read again from there.
    ended, again = None, 0
    while True:
        result = PartResult(piece, PartRead())
        try:
            more = _ingest_part(piece, options, dicts, result)
        except (OSError, HTTPException) as exc:
            read_to = result.read.end if result.read.records else None
            if read_to is not None and read_to > piece.start:
                # Whole records came before the break: kept, and read on from after them.
                done = _joined(done, result)
                piece, attempt = replace(part, start=read_to), 0
                continue
            wait = None if hasattr(exc, "newsmon_tries") or attempt >= retries else archives.retry_wait(exc, attempt)
            if wait is None:
                if not hasattr(exc, "newsmon_tries"):
                    exc.newsmon_tries = attempt + 1  # type: ignore[union-attr]
                if done is None:
                    raise
                done.read.broken = _reading_failed(done.read.end, exc)
                done.read.unverified = None  # left unfinished: the next run reads on from its end
                return done
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            time.sleep(wait)
            attempt += 1
            continue
        read = more.read
        # A stream sent with no length ends where its connection closed: at the archive's end, or where the connection
        # dropped, between two records or inside one (a stop). Read again from there (``ended``), it tells which.
        open_end = read.unverified is not None or (read.unframed and read.stop is not None)
        if open_end and piece.start == ended and not read.records:
            # Nothing more where the read before ended.
            if (read.stop is None) == (done.read.stop is None):  # type: ignore[union-attr]
                # The same end met again, which a connection that dropped would not meet twice at the same byte: the
                # archive's (said unverified, a whole archive from a server that sends no length was an alarm on every
                # run, exit status 1, that neither --force nor anything else settled); a stop met again stands.
                read.unverified = None
                return _joined(done, more)
            if read.stop is not None:
                # No record where the read before ended between two (it ended inside a gzip member's last bytes,
                # after its record): nothing tells more of that end than that read did.
                read.stop, read.unverified = None, done.read.unverified  # type: ignore[union-attr]
                return _joined(done, more)
            # (Ended there between two records, where the read before met part of a record: read again.)
        if open_end and again < retries:
            # Its end may be where the connection dropped: read again from there (from its start over a server without
            # Range requests, skipped to there), the records read kept; a stop's record read again from its start.
            ended, again, attempt = read.end, again + 1, 0
            done, piece = _joined(done, more), replace(part, start=read.end)
            continue
        if read.unverified is not None and again:
            read.unverified = archives.went_on(part.source.location, again)
        return _joined(done, more)


def _joined(done: PartResult | None, more: PartResult) -> PartResult:
    """What the reads of one part came to, ``more`` read on from where ``done`` ended."""
    # The records count is set at a read's end, which one that raised did not reach.
    more.counts["records"] = more.read.records
    if done is None:
        return more
    done.pages += more.pages
    done.counts.update(more.counts)
    done.seconds += more.seconds
    read, after = done.read, more.read
    # Its stop and holes number their records from where it started: "0 complete records, then stopped at byte …
    # (record 1)" of a stop after a read that went on past a reset, its record the 10th.
    before = read.records
    read.records += after.records
    read.http_records += after.http_records
    read.holes += [hole.renumbered(before) for hole in after.holes]
    read.end, read.unverified = after.end, after.unverified
    read.stop = after.stop.renumbered(before) if after.stop is not None else None
    done.counts["records"] = read.records
    return done


def _same_code(writer: tuple[tuple[str, str], ...]) -> None:
    """Raise ``WorkersDiffer`` in a worker whose newsmon or extraction libraries are not the writer's."""
    found = differences(writer)
    if found:
        try:
            from distributed import get_worker

            where = f"the worker at {get_worker().address}"
        except ValueError:  # not in a worker
            where = "this process"
        raise WorkersDiffer(f"{where} would not extract as the machine that stores does ("
                            + ", ".join(f"{name} {ours} (the storing machine's: {theirs})"
                                        for name, theirs, ours in found)
                            + "): install newsmon from a checkout of the same commit, with the same libraries, on "
                              "every worker")


def _capture_time(headers) -> str | None:
    """A record's ``WARC-Date`` (an ARC file's ``archive-date``, 14 digits) as stored times are:
    ISO 8601, UTC, seconds; ``None`` when it has none that reads as a time."""
    return _iso_time(headers.get_header("WARC-Date") or headers.get_header("archive-date"))


def _iso_time(said: str | None) -> str | None:
    """A WARC header's time (or an ARC file's 14 digits) as ``_capture_time`` gives it."""
    said = (said or "").strip()
    try:
        at = datetime.strptime(said, "%Y%m%d%H%M%S") if said.isdigit() else datetime.fromisoformat(said)
    except ValueError:
        return None
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
    if at > datetime.now(timezone.utc) + FUTURE_SLACK:
        # A clock set wrong where the archive was written (a day ahead is no real date, as for a
        # feed's entry): dated so, the capture stood after every version a crawl records later,
        # and every true capture read after it was "earlier".
        return None
    return at.isoformat(timespec="seconds")


def _ingest_part(part: Part, options: Options, dicts: Mapping[str, tuple[int, str, bytes]] | None,
                 result: PartResult | None = None) -> PartResult:
    """Read the part into ``result`` (a new one by default): what a read that raises had read
    by then is in it, its records whole up to ``result.read.end``."""
    from .outcome import no_article_problem

    started = time.monotonic()
    config_path = _config_path(options)
    outlets, _ = store.context(config_path)
    hosts = store.known_hosts(outlets)
    result = result if result is not None else PartResult(part, PartRead())
    counts = result.counts

    def keep(record, url: str) -> _Kept | None:
        if not url.strip():
            # A record that names no URL (no WARC-Target-URI): nothing its page could be stored as. A response
            # all the same, as one whose URL no parser takes.
            counts["responses"] += record.rec_type == "response"
            counts["bad_url"] += 1
            return None
        if record.rec_type == "revisit":
            revisit(record, url)
            return None
        http = record.http_headers
        if record.rec_type == "resource":
            # A page archived as a file, without the HTTP exchange (warcit, which turns saved
            # pages into a WARC; a browser extension's capture): its WARC Content-Type is the
            # page's. They were skipped without a word, outlet pages included.
            ctype = record.rec_headers.get_header("Content-Type") or ""
            if "html" not in ctype.lower():
                counts["not_html"] += 1  # as a response's image is
                return None
            counts["resources"] += 1
        elif record.rec_type != "response":
            return None
        elif http is None:
            # A response record with an empty block (a capture that failed, written all the same):
            # counted nowhere, and an outlet's article URL whose only capture it was in no state.
            counts["responses"] += 1
            counts["empty_records"] += 1
            empty(url)
            return None
        elif isinstance(http, archives.NoHttp):
            # The page without the HTTP exchange, in a response record (``archives.NoHttp``):
            # read as a resource record is, its type the WARC's unless that names the HTTP
            # message it should have held (then the bytes decide).
            counts["responses"] += 1
            counts["without_http"] += 1
            ctype = record.rec_headers.get_header("Content-Type") or ""
            if ctype.lower().startswith("application/http"):
                ctype = ""
            if ctype and "html" not in ctype.lower() and not _OCTET.match(ctype):
                counts["not_html"] += 1
                return None
            http = None
        else:
            counts["responses"] += 1
            # A response without a Content-Type (a browser sniffs its bytes; so does the crawl): the
            # type the archive's crawler identified (Common Crawl's header), else the bytes decide.
            # So for application/octet-stream, a type that says only "bytes" (a bucket upload).
            ctype = (http.get_header("Content-Type")
                     or record.rec_headers.get_header("WARC-Identified-Payload-Type") or "")
            unknown = bool(_OCTET.match(ctype))
            if (status := http.get_statuscode()) != "200":
                counts["not_ok"] += 1
                not_ok(record, url, status, http)
                return None
            if ctype and "html" not in ctype.lower() and not unknown and not outlet_article(url):
                # (An outlet's article URL served as another type is judged by its bytes, as the
                # crawl judges them: a page labelled text/plain is read, JSON or an image is an
                # error naming it. Skipped here, the article was lost without a trace, its URL in
                # no state, while the same bytes untyped were an error a crawl fetched again.)
                counts["not_html"] += 1
                return None
        if parsable(url) is None:
            # A URL no parser takes ("http://[bad/x", a port that is no number): one record the
            # ledger cannot key, not a damaged archive; raising here would end the reading.
            counts["bad_url"] += 1
            return None
        known = known_host(urlsplit(url).hostname or "", hosts)
        if not known:
            if not options.all_sites:
                counts["other_sites"] += 1
                return None
            declared = (record.rec_headers.get_header("WARC-Identified-Content-Language")
                        or (http.get_header("Content-Language") if http is not None else None))
            if not _wanted(declared.split(",")[0] if declared else None):
                counts["other_language"] += 1
                return None
        # Only the headers present: detect_wall reads a header's presence as a sign.
        headers = {name: value for name in WALL_HEADERS
                   if http is not None and (value := http.get_header(name)) is not None}
        if codings := archives.content_codings(http):
            headers["Content-Encoding"] = ", ".join(codings)  # every one, as a reason names them
        body = archives.read_body(record)
        # Common Crawl keeps the first MiB of a page and says so here ("length").
        truncated = record.rec_headers.get_header("WARC-Truncated")
        # A record split in segments (WARC 1.1, 7.3.4) continues in records newsmon does not join.
        segment = record.rec_headers.get_header("WARC-Segment-Number")
        cut = body.cut or (f"the archive truncated the page there (WARC-Truncated: {truncated})" if truncated else
                           f"the archive split the record, and this is its first segment (WARC-Segment-Number: "
                           f"{segment})" if segment else None)
        return _Kept(url, ctype, body.data, known, headers, cut, body.corrupt, body.too_large, body.undecodable,
                     _capture_time(record.rec_headers))

    def outlet_article(url: str) -> bool:
        # Whether ``url`` is a watched outlet's article URL (by its ``article_url_pattern``).
        if parsable(url) is None or not known_host(urlsplit(url).hostname or "", hosts):
            return False
        key = canonical_url(url, hosts)
        outlet = store.outlet_key(key, outlets)
        return outlet is not None and outlets[outlet].is_article_url(key)

    def revisit(record, url: str) -> None:
        # A revisit record stands for a capture whose page the archive holds elsewhere (Heritrix,
        # wget --warc-dedup and pywb write one where the payload was the same as an earlier
        # capture's, or the server said "not modified"): no body to read. Its original, if this
        # ingest read it, stored the URL already; if not, the URL says why it has no page.
        status = record.http_headers.get_statuscode() if record.http_headers else None
        if status not in (None, "200", "304") or parsable(url) is None:
            return
        known = known_host(urlsplit(url).hostname or "", hosts)
        if not (known or options.all_sites):
            return
        counts["revisits"] += 1
        if known:
            headers = record.rec_headers
            profile = (headers.get_header("WARC-Profile") or "").rstrip("/").rsplit("/", 1)[-1] or "no profile"
            target = archives.target_uri(headers.get_header("WARC-Refers-To-Target-URI")) or url
            date = headers.get_header("WARC-Refers-To-Date") or "a date it does not give"
            refers_to = canonical_url(target, hosts) if parsable(target) else None
            refuse(url, "", Problem("revisit", f"the archive holds no page here, only a revisit record ({profile}: "
                                               f"the capture of {target} at {date}){_NOT_INGESTED}"), refers_to)
            # A capture of the page the capture it repeats held, when it was made: a sighting of
            # that text (``_revisit_sighting``).
            result.pages[-1].captured = _capture_time(headers)
            result.pages[-1].refers_at = _iso_time(headers.get_header("WARC-Refers-To-Date"))

    def empty(url: str) -> None:
        if outlet_article(url):
            refuse(url, "", Problem("empty_body", "the archive's record of this URL holds no response at all (an "
                                                  "empty block): no page (a crawl of the outlet fetches it)"))

    def not_ok(record, url: str, status: str, http) -> None:
        # An outlet's article URL the archive's crawler met as a redirect or an error: it was
        # counted "not html" and left in no state, so that an article whose only capture sent
        # to its new address (an old URL scheme), or was a 503, was lost without a trace. Its
        # URL is an error a crawl of the outlet fetches again, or, sent to another article URL,
        # that article's address once it is stored (as for a revisit record). Other URLs of
        # the outlet (images, sections, feeds) are counted only, as another site's.
        if parsable(url) is None or not status.isdigit():
            return
        key = canonical_url(url, hosts)
        outlet = store.outlet_key(key, outlets)
        if outlet is None or not outlets[outlet].is_article_url(key):
            return
        code = int(status)
        if code in SUSPECT_STATUSES:
            # A bot check or a login at a 403, 401 or 503 (Cloudflare's challenge comes so) is the
            # wall the crawl names, not "an HTTP 403": its body says which, as in the crawl.
            headers = {name: value for name in WALL_HEADERS if (value := http.get_header(name)) is not None}
            if (wall := detect_wall(code, headers, archives.read_body(record).data, url)) is not None:
                counts["walled"] += 1
                problem = Problem(wall.code, f"{wall.reason} in the archive, not the article")
                result.pages.append(Page(key, outlet, None, None, None, problem, http_status=code))
                return
        location = (http.get_header("Location") or "").strip() if code in _REDIRECTS else ""
        try:
            target = urljoin(url, location) if location else ""
        except ValueError:
            # "http://[broken/a": raised here, it ended the record as damage ("could not be
            # read", its bytes skipped and the ingest failed), and the URL was left in no state.
            target = ""
        usable = bool(target) and parsable(target) is not None
        if not usable or canonical_url(target, hosts) == key:
            said = (f"an HTTP {status} redirect to {location[:160]!r}, which no URL parser takes,"
                    if location and not usable else
                    f"an HTTP {status} without a usable Location" if code in _REDIRECTS and not location else
                    f"an HTTP {status} redirect to {target}, the same article URL," if usable else
                    f"an HTTP {http.statusline.strip() or status}")
            problem = Problem(f"http_{code}", f"the archive's capture of this URL is {said} and no page (a crawl of "
                                              "the outlet fetches it)")
            result.pages.append(Page(key, outlet, None, None, None, problem, http_status=code))
            return
        if (wall := url_wall(target)) is not None:
            # Sent to a consent or login page (the crawl checks every hop so): the article is
            # behind it, not taken down, as "redirected away" would say, and in time "gone".
            counts["walled"] += 1
            problem = Problem(wall.code, f"in the archive, {wall.reason}")
            result.pages.append(Page(key, outlet, None, None, None, problem, http_status=code))
            return
        sent = canonical_url(target, hosts)
        there = store.outlet_key(sent, outlets)
        if there is None or not outlets[there].is_article_url(sent):
            away = redirected_away([key], target, [code])
            problem = Problem(away.code, f"in the archive, {away.reason}")
            result.pages.append(Page(key, outlet, None, None, None, problem, http_status=code))
            return
        problem = Problem("redirect", f"the archive holds no page here, only an HTTP {status} redirect to {sent}"
                                      f"{_NOT_INGESTED}")
        result.pages.append(Page(key, outlet, None, None, None, problem, refers_to=sent, http_status=code))

    def refuse(url: str, ctype: str, problem: Problem, refers_to: str | None = None) -> None:
        # A watched outlet's record that is no page to extract: its URL keeps the reason as an
        # error, which a crawl of the outlet fetches again (another site's is only counted).
        key = canonical_url(url, hosts)
        result.pages.append(Page(key, store.outlet_key(key, outlets), ctype, None, None, problem,
                                 refers_to=refers_to))

    def mark():
        # What a record's ``keep`` counted and kept, undone where the record is not whole after all: one cut by
        # a dropped connection was counted again when read again (a response counted twice), or where reading
        # stopped or skipped it (its revisit or redirect stored for a record that could not be read).
        kept, said = len(result.pages), counts.copy()

        def undo() -> None:
            del result.pages[kept:]
            counts.clear()
            counts.update(said)
        return undo

    for url, ctype, body, known, headers, cut, corrupt, too_large, undecodable, captured in archives.read_part(
            part, keep, result.read, mark):
        encoding = headers.get("Content-Encoding")
        if undecodable:
            # Still encoded, its bytes say nothing of the page (it was "not an HTML page: binary data", the
            # coding unnamed): a compression newsmon cannot undo, where the crawl's client fails the fetch.
            counts["bad_compression"] += 1
            if known:
                refuse(url, ctype, Problem("bad_compression", f"the page in the archive cannot be read: {undecodable}; "
                                                              "a crawl of the outlet fetches the page again, and "
                                                              "another archive's capture of it may be readable"))
            continue
        if len(body) > archives.MAX_BODY or too_large:
            # Read no further (the rest of the record is skipped, not decoded): as the crawl's.
            counts["too_large"] += 1
            if known:
                refuse(url, ctype, Problem("too_large", f"larger than {archives.MAX_BODY:,} bytes in the archive "
                                                        f"(DOWNLOAD_MAXSIZE{'; ' + too_large if too_large else ''}): "
                                                        "not read"))
            continue
        if corrupt:
            counts["bad_compression"] += 1
            if known:
                refuse(url, ctype, Problem("bad_compression", f"the page in the archive cannot be read: {corrupt}; "
                                                              f"{_DAMAGED}"))
            continue
        binary = sniff_binary(body)
        if binary:
            # A PDF or image labelled HTML, or a body in a Content-Encoding nobody could undo.
            counts["not_text"] += 1
            if known:
                served = "; ".join([*([f"served as {ctype.split(';')[0].strip()}"] if ctype else []),
                                    *([f"Content-Encoding {encoding}"] if encoding else []), f"{len(body):,} bytes"])
                refuse(url, ctype, Problem("not_html", f"not an HTML page in the archive: {binary} ({served})"))
            continue
        wall = detect_wall(200, headers, body, url) if known else None
        if wall is not None:
            # A consent page, login or bot check where the article should be: the archive's crawler
            # met it, not the article; the crawl fetches the URL again (outcome as in the crawl).
            counts["walled"] += 1
            refuse(url, ctype, Problem(wall.code, f"{wall.reason} in the archive, not the article"))
            continue
        unfit = check_body(body, ctype, sniffed=True)
        if unfit is not None and unfit.code == "empty_body" and not cut:  # (cut: "not a byte of the page is left")
            # A 200 with nothing (or only whitespace) where the page should be: as the crawl says
            # it; parsed, it was "the HTML parser could not read the page: Document is empty".
            counts["empty_bodies"] += 1
            if known:
                said = unfit.reason.replace("the server sent", "the archive holds", 1)
                refuse(url, ctype, Problem("empty_body", f"{said} where the page should be, in an HTTP 200 (a crawl "
                                                         "of the outlet fetches it)"))
            continue
        if unfit is not None and unfit.code == "not_html":
            # Bytes without a type (or "bytes" only, octet-stream) are a page when they open as
            # one, and JSON never is, as in the crawl (check_body): they were extracted, and an
            # API's answer stored as the outlet's article, its URL never fetched again.
            counts["not_text"] += 1
            if known:
                refuse(url, ctype, Problem("not_html", unfit.reason.replace("not an HTML page:",
                                                                            "not an HTML page in the archive:", 1)))
            continue
        if not known:
            lang = _LANG.search(body[:4096])
            if lang and not _wanted(lang.group(1).decode("ascii")):
                counts["other_language"] += 1
                continue
        key = canonical_url(url, hosts)
        outlet = store.outlet_key(key, outlets)
        first = pagination.continuation_of(key, outlets[outlet]) if outlet else None
        if first is not None:
            # Page 2, 3 … of an article (its outlet's URL pattern says so): a part of that
            # article, never one of its own. The writer reads it with its first page, now or
            # when that comes (an archive holds them in no order an ingest can wait for).
            counts["later_pages"] += 1
            compressed = pages.compress(dicts, key, outlet, body) if dicts else None
            result.pages.append(Page(key, outlet, ctype, None if compressed else body, None, None, compressed,
                                     f"cut in the archive: {cut}" if cut else None, continues=first))
            continue
        charset = store.charset_of(ctype)
        counts["extracted"] += 1
        note = None
        try:
            record = store.analyse(body, key, charset, config_path)
            problem = no_article_problem(body, charset) if record is None and known else None
        except Exception as exc:  # one bad page must not cost the archive; its URL is tried again
            counts["extract_failed"] += 1
            record, problem = None, extraction_crash(exc)
        if cut:
            counts["truncated"] += 1
            if problem is not None and problem.code != "extract_failed":
                # The article may be in the bytes the archive left out: not a verdict on the page,
                # which a crawl of its outlet fetches whole (nor is markup the cut left unparsable).
                said = "no article" if problem.code == "not_article" else problem.reason
                problem = Problem("truncated", f"{said} in the first {len(body):,} bytes of the page: {cut}" if body
                                  else f"not a byte of the page is left: {cut}")
            elif record is not None and not str(record.get("method") or "").startswith("rules:"):
                ruled = bool(outlet and outlets[outlet].rules)
                if ruled or len(record.get("text") or "") < SHORTEST_CUT:
                    # Where the outlet's rules found no article body in a cut page, the generic
                    # extractor took the site's menus for it (130 of the 132 such cuts of the saved
                    # pages at 20-95 %, the others empty); and a page that calls itself an article
                    # is kept however short its text, but a cut one cannot tell short from cut
                    # ("トップ 速報").
                    said = ("the outlet's article body is not" if ruled else
                            f"only {len(record.get('text') or ''):,} characters of an article are")
                    record = None  # (another site's page: not relevant, as one without an article)
                    if known:
                        problem = Problem("truncated", f"{said} in the first {len(body):,} bytes of the page: {cut}")
            if record is not None:
                note = f"from its first {len(body):,}{CUT_NOTE}{cut}"
        if record is not None and record.get("_next_page"):
            # An article split over pages (crawler.pagination): the archive may hold the next
            # ones as records of their own, in any order. The writer reads those it has kept
            # with this one; the rest an outlet's crawl reads when it revisits the article.
            counts["next_pages"] += 1
        # A page that crashed extraction is kept whatever its site: unread, its relevance is
        # unknown, and dropped it would leave no trace. Stored, its URL is an error with the
        # reason, its page kept, and a later ingest that reads it again extracts it again.
        if problem is None and not known and (record is None or not (record.get("score") or 0) > 0):
            counts["not_relevant"] += 1
            continue
        compressed = pages.compress(dicts, key, outlet, body) if dicts else None
        result.pages.append(Page(key, outlet, ctype, None if compressed else body, record, problem, compressed, note,
                                 captured=captured))
    result.counts["records"] = result.read.records
    result.seconds = time.monotonic() - started
    return result


# --- in this process: the ledger, the writer, the cluster --------------------------------------------

@dataclass
class Archive:
    """One archive being ingested: its ledger row and what its parts came to so far."""

    source: Source
    parts: int
    resumed: bool
    #: Records read before this run (a resumed archive), and since.
    records: int = 0
    http_records: int = 0
    new: int = 0
    relevant: int = 0
    stored_parts: int = 0
    stops: list[Stop] = field(default_factory=list)
    #: Records read per WARC (the archive or a WACZ member), to number a stop's record.
    member_records: Counter = field(default_factory=Counter)
    #: WARCs (None: the archive itself) where reading stopped: their later parts are dropped.
    stopped: set[str | None] = field(default_factory=set)
    #: Per WARC, where the parts stored so far read to: the next part's first record starts there.
    read_to: dict[str | None, int] = field(default_factory=dict)
    error: str | None = None
    progress: Progress | None = None
    #: Why its end could not be verified (``archives.UNVERIFIED``): read to where its server's stream ended,
    #: which gave no length, so that a connection that dropped there looked the same.
    unverified: str | None = None


@dataclass
class Report:
    """What an ingest came to, for the command's summary and exit status."""

    counts: Counter = field(default_factory=Counter)
    #: The store's options (stories) the writer stores with: ingested articles join stories as
    #: crawled ones do; they are not revisited (an archive is the past, not the live site), but
    #: for an outlet's article split over pages, whose next pages only its crawl can read.
    store_options: store.Options | None = field(default=None, repr=False)
    #: The config the writer reads outlets from (the workers get its text: ``Options``).
    config_path: str | None = None
    #: (archive, stop): archives read only in part.
    partial: list[tuple[str, str]] = field(default_factory=list)
    #: (archive, why): archives read to where their server's stream ended, which may not be their end
    #: (``archives.UNVERIFIED``); as the partial ones, reported on every run.
    unverified: list[tuple[str, str]] = field(default_factory=list)
    #: (input, error): inputs that could not be read at all.
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Archives finished by an earlier run and skipped.
    skipped: list[str] = field(default_factory=list)
    #: Files of a directory named as archives still being written or downloaded, not read.
    unfinished: list[str] = field(default_factory=list)
    #: Files of a directory that hold WARC or ARC records under a name of no archive, not read.
    misnamed: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    #: Archives another one had been read at the place of (their first bytes differ): read anew.
    replaced: list[str] = field(default_factory=list)
    #: (archive, holder): archives another ingest is reading into the same database, not read.
    busy: list[tuple[str, str]] = field(default_factory=list)
    #: The database's file (locks beside it: ``crawler/locks.py``); None: in memory, no locks.
    db_path: str | None = None
    #: The locks held of the archives this run reads, by location; released when each is done.
    locks: dict[str, int] = field(default_factory=dict, repr=False)


def _ledger_row(db, location: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM ingested_archives WHERE source = ?", [location]))
    return rows[0] if rows else None


def _start_archive(db, source: Source, row: dict[str, Any] | None, force: bool, part_bytes: int,
                   report: Report) -> tuple[Archive, list[Part]] | None:
    """The parts still to read of an archive, after what the ledger says; ``None``: skip it."""
    other = row is not None and bool(row.get("head")) and bool(source.head) and row["head"] != source.head
    # The same archive read again from its start (--force, or shorter than when it was read: its download
    # started again): the articles it stored are "seen" now, not new, and a ledger that counted from 0 said the
    # archive gave none, and went on saying so once the file was whole again and read on. Its row goes on from
    # what the earlier reads stored; another archive at its place starts from none.
    carried = (row["articles"] or 0, row["relevant"] or 0) if row is not None and not other else (0, 0)
    if other and not force:
        # Another archive at the same place (a file replaced, a URL's content changed): read from its start.
        report.replaced.append(source.shown)
        force = True
    resume = row is not None and not force and row["finished_at"] is None and (
        row["size"] is None or source.size is None or source.size >= row["size"])
    # Grown since it was read, whole or in part, its first bytes the same: written on in place (wget
    # writes NAME.warc.gz a record at a time, with no .open name, so a file may be read whole at a
    # record's end and grow). Read from its start again, every record was extracted twice and the
    # ledger counted only the articles after the first read.
    grown = (row is not None and not force and row["finished_at"] is not None
             and source.size is not None and row["size"] is not None and source.size > row["size"])
    if row is not None and not force and row["finished_at"] is not None and not grown and \
            (row["size"] == source.size or source.size is None):
        report.skipped.append(source.shown)
        if row["stopped"]:
            _read_in_part(report, source.shown, row["stopped"])
        return None
    if resume or grown:
        # A download that went on since: the records before the stop are stored; read on from there.
        report.resumed.append(source.shown)
        parts = archives.plan(source, part_bytes=part_bytes, resume_member=row["resume_member"],
                              resume_offset=row["resume_offset"])
        # The counts go on from the ledger's: each part writes them whole (``_advance``).
        archive = Archive(source, len(parts), True, records=row["records"], new=row["articles"] or 0,
                          relevant=row["relevant"] or 0)
        if row["resume_member"] is None:
            archive.member_records[None] = row["records"]
        with transaction(db):
            # (Its head kept where a ledger of before heads of URLs without validators had none.)
            db.execute("UPDATE ingested_archives SET size = ?, finished_at = NULL, stopped = NULL, "
                       "head = coalesce(head, ?) WHERE source = ?", [source.size, source.head, source.location])
        return archive, parts
    parts = archives.plan(source, part_bytes=part_bytes)
    with transaction(db):
        db.execute("DELETE FROM ingested_archives WHERE source = ?", [source.location])
        db.table("ingested_archives").insert({
            "source": source.location, "size": source.size, "records": 0, "articles": carried[0],
            "relevant": carried[1], "started_at": store.now_iso(), "resume_offset": 0, "head": source.head})
    return Archive(source, len(parts), False, new=carried[0], relevant=carried[1]), parts


def _store(db, archive: Archive, result: PartResult, report: Report, progress: Progress) -> None:
    """Store one part's pages in short transactions, then move the archive's resume point past it."""
    part, read = result.part, result.read
    if part.member in archive.stopped:
        return  # an earlier part of this WARC stopped: the rest of it is not stored
    ended = archive.read_to.get(part.member)
    if ended is not None and read.start > ended and not archives.holds_no_record(part, ended, read.start):
        _unread(archive, part, ended, read.start, report)
        return
    archive.read_to[part.member] = max(ended or 0, read.end)
    counts = report.counts
    for key, value in result.counts.items():
        counts[key] += value
    new = relevant = 0
    kept = result.pages
    for at in range(0, max(len(kept), 1), BATCH):
        last = at + BATCH >= len(kept)
        with transaction(db):
            for page in kept[at:at + BATCH]:
                if page.continues is not None:
                    counts[_later_page(db, page, report)] += 1
                    continue
                if (held := _held(db, page)) is not None:
                    made = store.save_capture(
                        db, url=page.url, article_id=held, record=_with_outlet(page, report), captured=page.captured,
                        body=page.body, compressed=page.compressed, content_type=page.content_type,
                        http_status=page.http_status, outlet=page.outlet, opts=report.store_options,
                        part=page.note is not None or bool(page.record and page.record.get("_next_page")))
                    if made.kind is not None or _holds_article(db, page.url):
                        counts[{"newer": "versions", "older": "earlier_versions"}.get(made.kind or "", "seen")] += 1
                        relevant += int(made.became_relevant)
                        continue
                is_revisit = page.problem is not None and page.problem.code in frontier.STAND_INS
                if is_revisit and (made := _revisit_sighting(db, page, report)) is not None:
                    counts[{"newer": "versions", "older": "earlier_versions"}.get(made.kind or "", "seen")] += 1
                    relevant += int(made.became_relevant)
                    continue
                capture = _capture(db, page) if is_revisit else None
                if _settled(db, page) or (is_revisit and _revisited(db, page, capture)):
                    counts["seen"] += 1
                    continue
                if not is_revisit and _crawl_verdict_stands(db, page):
                    counts["no_article"] += 1
                    continue
                if is_revisit:
                    page.problem = _revisit_problem(page, capture)
                record, parts, note = _with_next_pages(db, page, _with_outlet(page, report), report)
                counts["next_pages_read"] += sum(part.page_id is not None for part in parts)
                saved = store.save(db, url=page.url, body=page.body, record=record, outlet=page.outlet,
                                   http_status=page.http_status, content_type=page.content_type, problem=page.problem,
                                   opts=report.store_options, compressed=page.compressed, note=note,
                                   parts=parts, captured=page.captured)
                if is_revisit and page.refers_to and page.refers_to != page.url:
                    # It waits for that capture, in this ingest or a later one (records come in
                    # no order an ingest can count on).
                    frontier.stands_for(db, page.url, page.refers_to)
                elif waiting := frontier.waiting_on(db, page.url):
                    # The capture that revisit records or redirects met before it stand for: their
                    # URLs are its article's, or say that it holds none.
                    target = frontier.state(db, page.url) if saved.article_id is None else None
                    for one in waiting:
                        if saved.article_id is not None:
                            _as_duplicate(db, one["url"], one["outlet"], page.url, saved.article_id,
                                          one["reason_code"], one["http_status"])
                        elif target is not None:
                            _no_article_duplicate(db, one["url"], page.url, target)
                if record is None:
                    counts["no_article"] += 1
                elif saved.new:
                    new += 1
                    relevant += int(saved.relevant)
                else:
                    counts["seen"] += 1
            if last:
                _advance(db, archive, result, new, relevant)
            elif archive.error is None:
                # The articles of this batch counted with it: a part holds thousands of pages (a plain
                # WARC is one part), and an ingest killed between batches left them stored but out of
                # the ledger's count, which its resume, finding them "seen", never made up.
                db.execute("UPDATE ingested_archives SET articles = ?, relevant = ? WHERE source = ?",
                           [archive.new + new, archive.relevant + relevant, archive.source.location])
    if read.broken is not None and archive.error is None:
        # The connection broke for good after whole records, stored: the next run reads on after them.
        _left_unfinished(archive, part, report, read.broken)
    counts["new"] += new
    counts["relevant"] += relevant
    progress.update(part.length if progress.unit == "B" else 0, records=read.records, stored=new,
                    relevant=relevant, what=archive.source.name)


def _body(db, page: Page) -> bytes:
    return page.body if page.body is not None else pages.decompress(db, page.compressed.blob, page.compressed.dict_id)


def _later_page(db, page: Page, report: Report) -> str:
    """Store page 2, 3 … of an article (``page.continues``); return the count it makes.

    A page a stored article lacks (``page_missing``: its first page came earlier in the
    archives) is read with it now (``store.add_next_page``); one whose earlier pages have not
    been read waits for them, kept (``store.keep_waiting``)."""
    row = db.execute("SELECT kind, reason_code FROM urls WHERE url = ?", [page.url]).fetchone()
    if row is not None and row[1] == "page_missing":
        done = store.add_next_page(db, page.url, _body(db, page), page.content_type, config_path=report.config_path,
                                   opts=report.store_options or store.Options())
        # Not read with it (its first page pruned): the URL keeps its reason, which the
        # article's planned revisit reads.
        return "next_pages_read" if done is not None else "seen"
    if row is not None and row[0] in ("article", "not_article"):
        return "seen"
    store.keep_waiting(db, url=page.url, first=page.continues, body=page.body, compressed=page.compressed,
                       content_type=page.content_type, outlet=page.outlet, note=page.note)
    return "pages_waiting"


def _with_next_pages(db, page: Page, record: dict[str, Any] | None, report: Report,
                     ) -> tuple[dict[str, Any] | None, list[store.PagePart], str | None]:
    """The record of an article split over pages, read with the next pages the archives held
    before it (kept waiting: ``store.read_waiting``); its parts for ``store.save``, and the note
    that says what it was read from."""
    following = record.get("_next_page") if record is not None else None
    if not following:
        return record, [], page.note
    parts: list[store.PagePart] = []
    if page.outlet and store.waiting_page(db, following) is not None:
        opts = report.store_options or store.Options()
        first = (_body(db, page), page.url, store.charset_of(page.content_type))
        record, parts = store.read_waiting(db, record, first, [], config_path=report.config_path,
                                           stories=opts.stories)
        following = record.get("_next_page")
    read = (f"read with its next {len(parts)} page(s), which the archives held before it" if parts else
            "its first page only")
    if following:
        # An outlet's is revisited by its crawl, which reads the rest (save plans it).
        said = (f"{read}: the article goes on at {following}, which an ingest does not read with it"
                + ("; a crawl of the outlet reads it when it revisits the article" if page.outlet else ""))
        if page.outlet:
            parts.append(store.PagePart(following, problem="the archives read so far do not hold it, and an ingest "
                                                           "fetches nothing"))
    else:
        said = read
    return record, parts, f"{page.note}; {said}" if page.note else said


#: What a revisit record's reason says while the capture it repeats is not stored.
_NOT_INGESTED = ", and that capture was not ingested"
#: What to do about a page the archive holds damaged (``bad_compression``).
_DAMAGED = ("the archive's copy is damaged (or the server sent it so): a crawl of the outlet fetches the page again, "
            "and another archive's capture of it may be whole")


def _no_article_there(reason: str, capture: str, state: dict[str, Any]) -> str:
    """A revisit record's reason once its capture's URL is stored without an article (a listing,
    a wall, a page that failed): "not ingested" was then untrue, and hid why."""
    said = " ".join((state["reason"] or "").split())
    said = said if len(said) <= 200 else said[:199] + "…"
    # Replaced where it stands: a stored reason goes on with the attempts (record_failure).
    return reason.replace(_NOT_INGESTED, f", and no article is stored for {capture} ({state['kind']}: {said})", 1)


def _with_outlet(page: Page, report: Report) -> dict[str, Any] | None:
    """The page's record, with the outlet it was read for where the page names none (as the crawl)."""
    if page.record is not None and page.record.get("outlet") is None:
        store.assign_outlet(page.record, page.outlet, store.outlets_of(report.config_path))
    return page.record


def _held(db, page: Page) -> int | None:
    """The stored article ``page`` is another capture of, at its URL or at another its canonical
    link names, when it may be a version of it (``store.save_capture``): a backfill is read for how
    the wording changed. At the article's own URL, not a capture cut short by the archive, nor the
    first of an article's pages (the article is stored with all of them), nor one over an article
    stored from a cut capture (``_settled``: stored over it). Through another URL it went the way of
    a new page, and a changed text became a version dated when the ingest ran, put after every
    other."""
    if page.record is None or page.continues:
        return None
    row = db.execute("SELECT kind, article_id, reason FROM urls WHERE url = ?", [page.url]).fetchone()
    if row is not None and row[0] == "article":
        whole = page.note is None and not page.record.get("_next_page")
        return row[1] if whole and row[1] is not None and CUT_NOTE not in (row[2] or "") else None
    if row is not None:
        return None
    # The article its canonical link names (or this URL itself, the article stored from another
    # URL of it before), a cut capture or a first page too: stored the way of a new page, its text
    # became the article's newest version, dated when the ingest ran (``save_capture``'s ``part``).
    named = page.record.get("canonical_url") or page.url
    found = db.execute("SELECT id FROM articles WHERE canonical_url = ? OR url = ? LIMIT 2", [named, named]).fetchall()
    return found[0][0] if len(found) == 1 else None


def _holds_article(db, url: str) -> bool:
    """Whether ``url`` is recorded as an article's address."""
    row = db.execute("SELECT kind FROM urls WHERE url = ?", [url]).fetchone()
    return row is not None and row[0] == "article"


def _settled(db, page: Page) -> bool:
    """Whether ``page``'s URL needs nothing this capture of it can give: an article stored whole,
    or, when this capture holds no article either, an article at all or a verdict of none. An
    archive may capture a URL twice: first the site's front page (a busy site's answer) or the
    page's first part only (``WARC-Truncated``), then the article whole; the first capture's
    verdict was final, and the whole one never read. A capture that holds no more leaves a
    stored verdict alone: a crawl's "no article" keeps its second look (``retry_at``). What an
    archive's copy fills in where the crawl could not get a page (blocked, refused, failed,
    gone since) is stored whatever this capture holds."""
    row = db.execute("SELECT kind, reason FROM urls WHERE url = ?", [page.url]).fetchone()
    if row is None or row[0] not in ("article", "not_article"):
        return False
    if page.record is None:
        return True
    return row[0] == "article" and (page.note is not None or CUT_NOTE not in (row[1] or ""))


#: A reason's note of an archive's capture that gave nothing where the crawl gave up (``_crawl_verdict_stands``).
_ARCHIVE_NOTE = "; an archive's capture of it"


def _crawl_verdict_stands(db, page: Page) -> bool:
    """Whether ``page``, a capture that gave no article (``problem``), leaves its URL's verdict as it is: the URL
    is ``gave_up`` or ``gone``, its tries spent, or its one late try to come (``frontier.LAST_TRY_AFTER``). Stored
    as a failure, an unreadable capture was one more attempt: it cleared a late try not yet made, turned a 404's
    ``gone`` into ``gave_up``, and left, final, a reason that said "a crawl of the outlet fetches the page again",
    which no crawl did. The archive's copy says nothing of the live page; the reason tells of it. A page that
    crashed extraction is stored as before, for a later read."""
    if page.record is not None or page.problem is None or page.problem.code == "extract_failed":
        return False
    row = frontier.state(db, page.url)
    if row is None or row["kind"] not in ("gave_up", "gone"):
        return False
    when = f" ({page.captured[:10]})" if page.captured else ""
    said = " ".join(page.problem.reason.split(frontier.CRAWL_FETCHES)[0].split()).rstrip(" ;:,(")
    said = said if len(said) <= 300 else said[:299] + "…"
    last = ("its one more try is still to come" if row["retry_at"] else
            "no crawl fetches it again (its tries are spent); another archive's capture may be read")
    frontier.restate(db, page.url, f"{(row['reason'] or '').split(_ARCHIVE_NOTE)[0]}{_ARCHIVE_NOTE}{when} gave no "
                                   f"page either ({page.problem.code}: {said}): {last}")
    return True


def _capture(db, page: Page) -> dict[str, Any] | None:
    """What is stored for the capture a revisit record repeats under another URL, if anything."""
    return frontier.state(db, page.refers_to) if page.refers_to and page.refers_to != page.url else None


def _revisit_sighting(db, page: Page, report: Report) -> store.Captured | None:
    """A revisit record of a stored article's capture, dated: a capture of the text that capture
    held, at the revisit's time (``store.save_capture``), as a response with the same payload
    would be. It was counted "seen" and dropped, so that a text the outlet took back (A, B, then a
    revisit of A's capture: warcprox, pywb and ``wget --warc-dedup`` dedupe against any earlier
    capture) left the article at B. ``None``: not such a record, or the capture's text is not
    known (not stored yet, or undated): the URL is settled as before."""
    if page.problem is None or page.problem.code != "revisit" or not page.captured or not page.refers_at:
        return None
    target = page.refers_to or page.url
    row = db.execute("SELECT kind, article_id FROM urls WHERE url = ?", [target]).fetchone()
    if row is None or row[0] != "article" or row[1] is None:
        return None
    article_id = row[1]
    held = db.execute("SELECT content_hash FROM article_sightings WHERE article_id = ? AND captured_at = ?",
                      [article_id, page.refers_at]).fetchall()
    if len(held) != 1:
        return None
    text = held[0][0]
    here = frontier.state(db, page.url)
    if here is not None and here["kind"] not in ("article",) and not _no_more_than_a_revisit(here):
        return None  # something else is stored at the revisit's URL
    seen = versions.events(db, article_id)
    if [r.content_hash for r in versions.chain(seen, (page.captured, text))] == \
            [r.content_hash for r in versions.chain(seen)] and _holds_article(db, page.url):
        versions.record_sighting(db, article_id, page.captured, text)  # the text in effect then
        return store.Captured(None)
    # Another text than the one in effect then (or another URL to record): read the page of a
    # capture of that text again, and store it as this capture (its payload was the same).
    found = db.execute("SELECT p.id FROM pages p WHERE p.article_id = ? AND p.captured_at = ? UNION ALL "
                       "SELECT v.page_id FROM article_versions v WHERE v.article_id = ? AND v.content_hash = ? "
                       "AND v.page_id IS NOT NULL", [article_id, page.refers_at, article_id, text]).fetchall()
    for (page_id,) in found:
        stored = pages.page_body(db, page_id)
        if stored is None:
            continue
        url, body, content_type, _ = stored
        try:
            record = store.analyse(body, url, store.charset_of(content_type), report.config_path)
        except Exception:  # noqa: BLE001 (as a worker's extraction: the URL is settled as before)
            return None
        if record is None or queries.content_hash(record.get("title"), record.get("text")) != text:
            continue  # read otherwise now (rules changed since): not that text
        if record.get("outlet") is None:
            store.assign_outlet(record, page.outlet, store.outlets_of(report.config_path))
        return store.save_capture(db, url=page.url, article_id=article_id, record=record, captured=page.captured,
                                  body=body, content_type=content_type, outlet=page.outlet,
                                  opts=report.store_options)
    return None


def _revisit_problem(page: Page, capture: dict[str, Any] | None) -> Problem | None:
    """A revisit record's problem, told what is stored for the capture it repeats (``_capture``)."""
    if page.problem is None or capture is None or capture["kind"] in ("article", "pending", "fetched"):
        return page.problem  # not stored (yet), or an article (made a duplicate): nothing to tell
    return Problem("revisit", _no_article_there(page.problem.reason, page.refers_to or "", capture))


def _revisited(db, page: Page, capture: dict[str, Any] | None) -> bool:
    """Whether a revisit record's URL is settled without its error: it has a state (which says
    more than a record without a page), or the capture it repeats (``_capture``) is a stored
    article, of which this URL is then recorded as one more address (its payload was the same,
    byte for byte)."""
    if frontier.state(db, page.url) is not None:
        return True
    if capture is None or capture["kind"] != "article" or capture["article_id"] is None:
        return False
    _as_duplicate(db, page.url, page.outlet, page.refers_to, capture["article_id"],  # type: ignore[arg-type]
                  page.problem.code if page.problem else "revisit", page.http_status)
    return True


def _no_more_than_a_revisit(state: dict[str, Any] | None) -> bool:
    """Whether a URL's state (``frontier.state``) is none, or a revisit record's error: nothing
    else has been stored there, so what its capture turns out to hold may be said instead."""
    return state is None or (state["kind"] == "error" and state["reason_code"] in frontier.STAND_INS)


def _as_duplicate(db, url: str, outlet: str | None, capture: str, article_id: int, code: str = "revisit",
                  http_status: int | None = None) -> None:
    """A revisit record's URL made one more address of the article its capture holds (its
    payload was the same, byte for byte), or an archived redirect's of the article it sends to,
    unless something else has been stored there since."""
    if not _no_more_than_a_revisit(frontier.state(db, url)):
        return
    said = (f"the archive's capture of this URL redirects to {capture}" if code == "redirect" else
            f"the archive's revisit record of this URL repeats the capture of {capture}")
    frontier.record_result(db, url, outlet=outlet, kind="article", code="duplicate",
                           reason=f"already stored as article {article_id}: {said}", article_id=article_id,
                           http_status=http_status, redirected_to=capture if code == "redirect" else None,
                           now=store.now_iso())


def _no_article_duplicate(db, url: str, capture: str, state: dict[str, Any]) -> None:
    """A revisit record's URL, met before the capture it repeats, which holds no article: its
    error stays (a crawl fetches it), its reason says so, unless something else is stored there."""
    row = frontier.state(db, url)
    if row is not None and _no_more_than_a_revisit(row):
        frontier.restate(db, url, _no_article_there(row["reason"] or "", capture, state))


def _dictionaries(db, report: Report) -> dict[str, tuple[int, str, bytes]]:
    """The page dictionaries of the outlets (built-in and configured), for the workers."""
    return pages.dictionaries(db, store.outlets_of(report.config_path))


def _advance(db, archive: Archive, result: PartResult, new: int, relevant: int) -> None:
    """The ledger after one more part: its records counted, reading resumes after it."""
    part, read = result.part, result.read
    if archive.error is not None:
        # An earlier part failed (a WACZ's other WARC): the resume point stays before it, or the
        # next run would start past what that part did not read. This part's pages are stored
        # all the same; read again next run, they are seen.
        return
    before = archive.member_records[part.member]
    archive.member_records[part.member] += read.records
    archive.records += read.records
    archive.http_records += read.http_records
    archive.new += new
    archive.relevant += relevant
    changes: dict[str, Any] = {"records": archive.records, "articles": archive.new, "relevant": archive.relevant}
    # A damaged record skipped is named as a stop is; the rest of the WARC is stored all the same.
    archive.stops.extend(hole.renumbered(before) for hole in read.holes)
    if read.stop is not None:
        stop = read.stop.renumbered(before)
        archive.stops.append(stop)
        archive.stopped.add(part.member)
    if read.unverified is not None and read.stop is None:
        end = max(read.end, archive.read_to.get(part.member, 0))
        archive.unverified = (f"{archive.member_records[part.member]:,} complete records, read to byte {end:,}, "
                              f"where its stream ended; {read.unverified}")
    if read.stop is not None or read.holes or archive.unverified:
        changes["stopped"] = "; ".join([*(s.describe() for s in archive.stops),
                                        *([archives.UNVERIFIED + archive.unverified] if archive.unverified else [])])
    # Reading resumes after this part: where the parts so far read to (a part inside a record
    # that an earlier one read whole ends at its own end, inside that record, where a resumed
    # ingest read garbage and said the WARC was damaged). A WARC that stopped resumes at the
    # record it could not read if it grows (a download that went on); a WACZ's goes on with its
    # next WARC.
    resume = max(read.end, archive.read_to.get(part.member, 0))
    if read.stop is not None:
        resume = read.stop.offset if part.member is None else read.stop.offset + read.stop.unread
    changes.update(resume_member=part.member, resume_offset=resume)
    db.table("ingested_archives").update(archive.source.location, changes)


def _parts_done(db, archive: Archive, report: Report, count: int = 1) -> bool:
    """``count`` more parts of the archive are stored, failed or dropped; with its last, the
    archive is finished (once: progress counts it). True: the archive is done."""
    archive.stored_parts += count
    if count and archive.stored_parts == archive.parts:
        _finish(db, archive, report)
    return archive.stored_parts == archive.parts


def _finish(db, archive: Archive, report: Report) -> None:
    try:
        _finished(db, archive, report)
    finally:
        _unlock(report, archive.source.location)


def _unlock(report: Report, location: str) -> None:
    fd = report.locks.pop(location, None)
    if fd is not None:
        locks.release(fd)


def _finished(db, archive: Archive, report: Report) -> None:
    if archive.progress is not None and archive.progress.unit == "archives":
        archive.progress.update(1)
    if archive.error is not None:
        return  # unfinished: the next run resumes it
    if archive.http_records == 0 and not archive.resumed:
        if archive.stops:
            archive.error = f"not a readable WARC file ({archive.stops[0].describe()})"
        else:
            archive.error = "no WARC record found: is it a WARC, WARC.gz, WARC.zst, WACZ or ARC file?"
        report.failed.append((archive.source.shown, archive.error))
        with transaction(db):  # nothing to resume in a file that is no archive
            db.execute("DELETE FROM ingested_archives WHERE source = ?", [archive.source.location])
        return
    for stop in archive.stops:
        report.partial.append((archive.source.shown, stop.describe()))
    if archive.unverified:
        report.unverified.append((archive.source.shown, archive.unverified))
    with transaction(db):
        db.execute("UPDATE ingested_archives SET finished_at = ? WHERE source = ?",
                   [store.now_iso(), archive.source.location])


def _parts(db, locations: Iterable[tuple[str, str]], report: Report, force: bool, part_bytes: int,
           progress: Progress) -> Iterator[tuple[Archive, Part]]:
    """Every part to read, archive after archive, as the ledger leaves them."""
    by_archive = progress.unit == "archives"
    for location, shown in locations:
        if report.db_path:
            fd, holder = locks.archive_lock(report.db_path, location)
            if fd is None:
                report.busy.append((shown, holder))
                progress.update(1 if by_archive else 0)
                continue
            report.locks[location] = fd
        try:
            source = archives.probe(location, shown)
            started = _start_archive(db, source, _ledger_row(db, location), force, part_bytes, report)
        except (OSError, ValueError, HTTPException) as exc:
            _unlock(report, location)
            # HTTPException: a bad status line or a body cut short, which are no OSError; one
            # input the server garbles must not end the run.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            if isinstance(exc, HTTPException) and not isinstance(exc, OSError):
                reason = f"the server's answer cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())})"
            report.failed.append((shown, str(reason)))
            progress.update(1 if by_archive else 0)
            continue
        if started is None:
            _unlock(report, location)
            progress.update(1 if by_archive else 0)
            continue
        archive, parts = started
        archive.progress = progress
        if not parts:
            _finish(db, archive, report)
        for part in parts:
            yield archive, part


def _read_in_part(report: Report, shown: str, stopped: str) -> None:
    """An archive the ledger says was read only in part (``stopped``), or to an end that could not be
    verified, reported again as its run reported it."""
    if stopped.startswith(archives.UNVERIFIED):
        report.unverified.append((shown, stopped.removeprefix(archives.UNVERIFIED)))
    else:
        report.partial.append((shown, stopped))


def _unread(archive: Archive, part: Part, ended: int, start: int, report: Report) -> None:
    """Records between two parts that neither read: the part before ended at ``ended``, this
    one found its first record at ``start``. A record there that newsmon cannot tell for one
    (ARC records were such, every later part of an ARC.gz reading nothing) would otherwise be
    lost with the archive marked finished. It stays unfinished, to resume at ``ended``."""
    archive.error = (f"{part.member + ': ' if part.member else ''}no part read bytes {ended} to {start} "
                     "(newsmon found no record start there; a bug to report with the file): the archive is "
                     "left unfinished, to resume there")
    archive.stopped.add(part.member)
    report.failed.append((archive.source.shown, archive.error))


def _failed(db, archive: Archive, part: Part, exc: BaseException, report: Report, *, remote: bool = False) -> None:
    """A part that could not be read at all (the server went away, a worker died): the archive
    stays unfinished in the ledger, and the next run resumes it at this part.

    ``remote``: the part ran on a scheduler's workers (``--cluster``), which open a local path
    themselves: one that exists here but not on a worker's machine failed every run, with a
    message that said to run the ingest again."""
    location = archive.source.location
    if isinstance(exc, WorkersDiffer):
        error = f"{exc}; then run the ingest again (it resumes at byte {part.start})"
    elif (remote and isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError))
            and not archives.is_url(location) and os.path.exists(location)):
        host = getattr(exc, "newsmon_host", None)
        error = (f"a worker of the cluster{f' on {host}' if host else ''} cannot open {location} "
                 f"({exc.strerror or type(exc).__name__}), which this machine can: with --cluster each worker "
                 "reads the archives itself; give them at a path that is the same on every worker machine (a "
                 "shared filesystem) or as http(s) URLs, then run the ingest again (it resumes at byte "
                 f"{part.start})")
    else:
        error = _reading_failed(part.start, exc)
    _left_unfinished(archive, part, report, error)


def _reading_failed(offset: int, exc: BaseException) -> str:
    """Why reading a part failed at ``offset``, where the next run resumes."""
    tries = getattr(exc, "newsmon_tries", 1)  # archives._request's, over HTTP
    return (f"reading from byte {offset} failed ({type(exc).__name__}: {exc}{f'; {tries} tries' if tries > 1 else ''}); "
            "run the ingest again to resume there")


def _left_unfinished(archive: Archive, part: Part, report: Report, error: str) -> None:
    """The archive stays unfinished in the ledger, ``error`` said; this run stores no more of its WARC."""
    archive.error = f"{part.member}: {error}" if part.member else error
    archive.stopped.add(part.member)
    report.failed.append((archive.source.shown, archive.error))


def _local(db, work: Iterator[tuple[Archive, Part]], options: Options, report: Report,
           progress: Progress) -> None:
    for archive, part in work:
        if part.member not in archive.stopped:
            try:
                # No dictionaries: compressing here or in the writer is the same process, and
                # reading them from the database for every part cost a query each.
                result = ingest_part(part, options)
            except Exception as exc:  # noqa: BLE001  (reported; the archive resumes next run)
                _failed(db, archive, part, exc, report)
            else:
                _store(db, archive, result, report, progress)
        _parts_done(db, archive, report)


def _distributed(db, work: Iterator[tuple[Archive, Part]], options: Options, report: Report, progress: Progress,
                 client) -> None:
    """Parts on the cluster, a few per worker in flight; results stored in their order."""
    from . import cluster

    window = 2 * max(1, cluster.workers(client)) + 1
    remote = getattr(client, "cluster", None) is None  # a scheduler's, not a LocalCluster here
    if remote:
        from .fingerprint import fingerprint

        options = replace(options, fingerprint=fingerprint())
    pending: list[tuple[Archive, Part, Any]] = []
    work = iter(work)
    exhausted = False
    # The outlets' page dictionaries, on every worker once (~0.5 MB an outlet), sent again when
    # the writer has built new ones (an outlet's first pages).
    dicts_made, dicts = None, None
    resent: Counter = Counter()

    def stop(exc: OSError) -> None:
        # Nothing more can be read this run: what is stored stays, each archive resumes where
        # its stored parts end.
        report.failed.append(("ingest", f"{exc}; the archives being read are left unfinished, to resume where "
                                        "this ingest stopped, and those not reached yet are read by the next run"))
        for _, _, other in pending:
            if other is not None:
                other.cancel()

    while True:
        latest = db.execute("SELECT max(id) FROM page_dicts").fetchone()[0]
        # Lost with the last worker that held them (killed, its machine gone): sent again.
        if latest != dicts_made or (dicts is not None and dicts.status != "finished"):
            found = _dictionaries(db, report)
            try:
                dicts = _scatter(client, found) if found else None
            except OSError as exc:
                return stop(exc)
            dicts_made = latest
        pending = [(archive, part, future if future is not None else
                    client.submit(ingest_part, part, options, dicts, pure=False))
                   for archive, part, future in pending]
        while not exhausted and len(pending) < window:
            item = next(work, None)
            if item is None:
                exhausted = True
                break
            archive, part = item
            if part.member in archive.stopped:
                _parts_done(db, archive, report)
                continue
            pending.append((archive, part, client.submit(ingest_part, part, options, dicts, pure=False)))
        if not pending:
            return
        archive, part, future = pending.pop(0)
        try:
            result = _result(client, future, remote)
        except cluster.NoWorkers as exc:
            pending.insert(0, (archive, part, future))
            return stop(exc)
        except Exception as exc:  # noqa: BLE001  (reported; the archive resumes next run)
            if future.cancelled() and resent[part] < RESUBMITS:
                # The scheduler forgot the part when the dictionaries it was given were lost
                # with their last worker ("already forgotten"): a worker killed under the ingest,
                # which its nanny starts again, failed every part in flight and left the archive
                # to the next run. Sent again, with the dictionaries sent again.
                resent[part] += 1
                report.counts["parts_sent_again"] += 1
                pending.insert(0, (archive, part, None))
                continue
            _failed(db, archive, part, exc, report, remote=remote)
            result = None
        future.release()
        if result is not None:
            _store(db, archive, result, report, progress)
        if not _parts_done(db, archive, report) and part.member in archive.stopped:
            # Drop this WARC's later parts: already running or not, nothing after a stop is stored.
            for other in pending:
                if other[0] is archive and other[1].member == part.member:
                    other[2].cancel()
            kept = [p for p in pending if not (p[0] is archive and p[1].member == part.member)]
            _parts_done(db, archive, report, len(pending) - len(kept))
            pending = kept


def _scatter(client, dicts: dict[str, tuple[int, str, bytes]]):
    """The dictionaries on every worker (a future of them). A worker being killed may still be
    listed and refuse them ("Stream is closed"): tried again, on the workers there are then.

    Raises:
        NoWorkers: none for ``NEWSMON_INGEST_NO_WORKERS`` seconds.
        OSError: they could not be sent ``RESUBMITS`` times over.
    """
    from . import cluster

    for attempt in range(RESUBMITS + 1):
        # Scattered to no worker, they would be nowhere ("No valid workers found").
        cluster.some_worker(client, float(settings.NEWSMON_INGEST_NO_WORKERS))
        try:
            # hash=False: a key of its own, not a hash of ~0.5 MB an outlet in this (the writer's)
            # process each time; newer dictionaries are new data anyway.
            return client.scatter([dicts], broadcast=True, hash=False)[0]
        except OSError as exc:
            if attempt == RESUBMITS:
                raise OSError(f"cannot send the page dictionaries to the cluster's workers ({exc})") from None
            time.sleep(1)


def _result(client, future, remote: bool) -> PartResult:
    """``future``'s result, once it has one. A scheduler's cluster (``remote``) that has no
    worker left is given ``NEWSMON_INGEST_NO_WORKERS`` seconds to get one (``NoWorkers``): it
    would hold the part for ever, and so would a result that was on a worker killed before this
    process fetched it (Dask computes it again: "Couldn't gather 1 keys, rescheduling"). A
    ``LocalCluster``'s nannies start its workers again themselves."""
    from . import cluster

    while True:
        try:
            return future.result(timeout=5 if remote else None)
        except TimeoutError:
            pass
        if not cluster.workers(client):
            cluster.some_worker(client, float(settings.NEWSMON_INGEST_NO_WORKERS))


def ingest(db, inputs: Iterable[str], *, config_path: str | None = None, base_url: str | None = None,
           workers: int | None = None, cluster: str | None = None, all_sites: bool = False, force: bool = False,
           part_bytes: int = archives.PART_BYTES, progress: Progress | None = None,
           store_options: store.Options | None = None) -> Report:
    """Ingest archives: files, directories, URLs, listings (``crawler/archives.py``).

    Args:
        workers: processes of the ``LocalCluster`` (default: one per core); 0: in this process.
            An ingest of a single part (a small archive) runs in this process: starting workers
            would cost more than it saves.
        cluster: the address of a running Dask scheduler (``tcp://host:8786``) to use instead.
        force: read archives the ledger says are done, from their start.
        store_options: how pages are stored (stories), as the command's settings give them;
            default: the config file's alone.

    Raises:
        archives.InputError: an input names no archive (not found, an empty directory or listing, a
            listing of relative paths without ``base_url``).
        OSError: the cluster cannot be reached.
    """
    report = Report(store_options=store_options or store.options(config_path), config_path=config_path,
                    db_path=db.execute("PRAGMA database_list").fetchone()[2] or None)
    locations = list(archives.expand(inputs, base_url, report.unfinished, report.misnamed))
    # A file of a directory given itself too (as the note on it advises) is read: it was said "not read" all the
    # same. A directory given twice named each of its files twice.
    reading = {location for location, _ in locations}
    report.unfinished[:] = [p for p in dict.fromkeys(report.unfinished) if os.path.abspath(p) not in reading]
    report.misnamed[:] = [p for p in dict.fromkeys(report.misnamed) if os.path.abspath(p) not in reading]
    config_text = Path(config_path).read_text(encoding="utf-8") if config_path else None
    options = Options(config_text=config_text, all_sites=all_sites)
    # A missing file is its own error (``_parts``), counted as nothing here.
    sizes = [(os.path.getsize(loc) if os.path.isfile(loc) else 0) if not archives.is_url(loc) else None
             for loc, _ in locations]
    # Bytes when every archive is a local file (their sizes are known now); archives otherwise.
    progress = progress or (Progress("ingest", total=sum(sizes), unit="B", rate_of="records")  # type: ignore[arg-type]
                            if None not in sizes else
                            Progress("ingest", total=len(locations), unit="archives", rate_of="records"))
    workers = (os.cpu_count() or 1) if workers is None else workers
    work = _parts(db, locations, report, force, part_bytes, progress)
    try:
        with progress:
            if cluster is None and workers == 0:
                _local(db, work, options, report, progress)
                return report
            first = [item for _, item in zip(range(2), work)]
            if cluster is None and len(first) < 2:
                _local(db, iter(first), options, report, progress)
                return report
            from . import cluster as dask

            client = dask.start(workers, cluster, float(settings.NEWSMON_INGEST_NO_WORKERS))
            try:
                _distributed(db, _chain(first, work), options, report, progress, client)
            finally:
                dask.stop(client)
        return report
    finally:
        story_db.flush_terms(db)  # the stories' word counts this process kept in memory
        for location in list(report.locks):  # archives left unfinished: the next run resumes them
            _unlock(report, location)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def summary(counts: Counter) -> str:
    """The counts of an ingest as one line, in a fixed order: the main ones always, others when not 0."""
    return ", ".join(f"{counts.get(k, 0)} {k.replace('_', ' ')}" for k in _COUNTS
                     if k in ("records", "new", "relevant", "seen") or counts.get(k))


def report_lines(report: Report) -> tuple[list[str], str]:
    """(lines for standard error, the summary line) of an ingest."""
    errors = [f"newsmon: {where}: {reason}" for where, reason in report.failed]
    errors += [f"newsmon: {where}: read only in part: {stop}; the records before it are stored"
               for where, stop in report.partial]
    errors += [f"newsmon: {where}: {archives.UNVERIFIED}{why}; the records read are stored"
               for where, why in report.unverified]
    errors += [f"newsmon: {where}: not read: named as a file still being written or downloaded; it is read once "
               "renamed (run the ingest again then)" for where in report.unfinished]
    errors += [f"newsmon: {where}: not read: it holds WARC records, but {archives.MISNAMED}"
               for where in report.misnamed]
    errors += [f"newsmon: {where}: not read: another newsmon ingest is reading it into this database ({holder}); "
               "if that one stops before the end, the next ingest resumes it" for where, holder in report.busy]
    line = f"newsmon: {summary(report.counts)}"
    if report.resumed:
        line += f"; {len(report.resumed)} archive(s) resumed where an earlier ingest stopped"
    if report.replaced:
        line += (f"; {len(report.replaced)} archive(s) read from the start: another archive was read at the same "
                 "place before")
    if report.skipped:
        line += f"; {len(report.skipped)} archive(s) skipped: ingested before (--force reads them again)"
    return errors, line
