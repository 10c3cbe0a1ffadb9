"""Web archives as ``newsmon ingest`` reads them: where they are, and how they split into parts.

An input is a WARC, WARC.gz, WARC.zst or WACZ file (or an ARC file, WARC's predecessor), a
directory of them, an http(s) URL of one (streamed, never written to disk), or a listing of
archive paths such as CC-NEWS's ``warc.paths.gz`` (one path per line, relative to
``--base-url``). Each archive is read in *parts* that workers take one at a time: a byte range
of a WARC.gz or of a WARC.zst written a frame per record (its records are gzip members or zstd
frames, so a worker finds the first record that starts in its range and reads those that start
before the range ends), a whole uncompressed, gzipped-whole or zstd-whole WARC, or one WARC of a
WACZ. Parts are what the ledger of archives counts in: an interrupted ingest resumes where the
parts it had stored read to, and a part that does not start where those before it ended is a
failure, not a gap.

Nothing here extracts, scores or stores; ``crawler/ingest.py`` does.
"""

from __future__ import annotations

import email.utils
import hashlib
import gzip
import io
import os
import re
import struct
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, redirect_stderr, suppress
from dataclasses import dataclass, field
from http.client import HTTPException, HTTPResponse, IncompleteRead
from itertools import takewhile
from pathlib import Path
from typing import IO, NamedTuple, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import brotli
import zstandard
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders

from . import __version__, settings
from .bodies import Corrupt, decompress
from .outcome import check_body, cut_short, opens_late
from .settings import DOWNLOAD_MAXSIZE

#: The byte ranges a WARC.gz is split into, for the workers. Small enough that a part's kept
#: pages (at most its bytes ×5 uncompressed, when every record is an outlet's page) stay well
#: inside a worker's memory, and that an interrupted ingest re-reads little; large enough that
#: handing a part to a worker costs nothing next to reading it.
PART_BYTES = 4 * 1024 * 1024
_ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".wacz", ".arc", ".arc.gz",
                     # Not read, but named: skipped in a directory without a word, they were lost.
                     ".warc.bz2", ".warc.xz")
_LISTING_SUFFIXES = (".paths", ".paths.gz", ".txt", ".txt.gz")
#: What a file is named while it is written or downloaded (Heritrix's ``.warc.gz.open``, a
#: browser's or download manager's): an archive after one of these is not read from a directory,
#: and said so; once renamed, it is.
_UNFINISHED_SUFFIXES = (".open", ".part", ".partial", ".crdownload", ".download", ".tmp")
_GZIP = b"\x1f\x8b\x08"
#: A zstd frame, and the skippable frame in which a WARC-zstd file (ArchiveTeam's ``.warc.zst``;
#: IIPC's proposed "Zstandard Compression for WARC Files") carries its dictionary.
_ZSTD = b"\x28\xb5\x2f\xfd"
_ZSTD_DICT = b"\x5d\x2a\x4d\x18"


#: The largest window a zstd frame may need to be read: libzstd's own default limit, which keeps
#: a worker's memory bounded. `zstd --long=28` and above on a file larger than 128 MB write frames
#: that need more (as much as the file, up to 2 GB); `zstd -d` refuses them too without --long.
ZSTD_MAX_WINDOW = 1 << 27
#: The longest zstd frame header (ZSTD_FRAMEHEADERSIZE_MAX).
_ZSTD_HEADER_MAX = 18


def _skippable(magic: bytes) -> bool:
    """Whether 4 bytes start a skippable zstd frame (magic 0x184D2A50-5F), which any reader must
    skip: pzstd (zstd's parallel compressor) writes one before each frame; a .warc.zst's
    dictionary is in one (0x184D2A5D)."""
    return len(magic) == 4 and magic[1:] == b"\x2a\x4d\x18" and magic[0] & 0xF0 == 0x50


#: How an ARC record starts (the Internet Archive's format before WARC, which warcio reads too):
#: its header line's URL, IP address and 14-digit date; its length ends the line.
_ARC_START = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:\S* \S+ \d{14} ")
_ARC_HEADER = re.compile(rb"[^\n]* (\d+)\r?\n")
#: Enough decompressed bytes to see an ARC record's start: its URL, however long (8 KB and more
#: is refused by most servers), and the two fields after it.
_HEAD_BYTES = 8192


def _record_start(data: bytes) -> bool:
    """Whether ``data`` starts a WARC record, or an ARC record (``_ARC_START``)."""
    return data.startswith(b"WARC/") or _ARC_START.match(data) is not None


#: Whole-file compressions warcio cannot read, with the command that undoes each.
_UNREADABLE = {b"BZh": ("bzip2", "bunzip2"), b"\xfd7zXZ\x00": ("xz", "unxz")}
T = TypeVar("T")
_USER_AGENT = f"newsmon/{__version__} (newsmon ingest)"
_TIMEOUT = 60.0
#: What probe reads of a WARC.gz to tell whether it is gzipped whole: its first record, which
#: comes first in either form (a warcinfo record of a few hundred bytes, usually).
_PROBE_BYTES = 1 << 20


#: The largest page body read from an archive, as the crawl's (DOWNLOAD_MAXSIZE): no article page
#: is that large, and a worker's memory stays bounded whatever a record claims or decodes to.
MAX_BODY = DOWNLOAD_MAXSIZE


class _Capped:
    """A decoder behind the interface warcio calls (zlib's decompressobj: ``decompress``,
    ``unused_data``, ``flush``) that stops decoding past ``MAX_BODY``: the reader refuses such
    a page anyway, and a few bytes of brotli or zstd can decode to gigabytes."""

    #: One stream a body: nothing follows it (warcio asks, to find a next gzip member).
    unused_data = b""

    def __init__(self) -> None:
        self._left = MAX_BODY + 1

    def decompress(self, data: bytes) -> bytes:
        out = self._decode(data, self._left) if self._left > 0 else b""
        self._left -= len(out)
        return out

    def _decode(self, data: bytes, limit: int) -> bytes:
        raise NotImplementedError

    def flush(self) -> bytes:
        return b""

    @property
    def eof(self) -> bool:
        """Whether the stream's end was decoded (``read_body`` asks, as zlib's objects answer)."""
        raise NotImplementedError


class _Brotli(_Capped):
    """Google's brotli decompressor (the one Scrapy installs), for warcio.

    warcio expects brotlipy's, which can be given attributes; Google's cannot, so warcio's own
    ``br`` decoder raised at the first brotli-encoded response and the ingest stopped there, the
    rest of the archive unread on every run (webrecorder/warcio#73). Webrecorder's WARCs keep
    responses as the browser received them, brotli included.
    """

    def __init__(self) -> None:
        super().__init__()
        self._decompressor = brotli.Decompressor()

    def _decode(self, data: bytes, limit: int) -> bytes:
        return self._decompressor.process(data, output_buffer_limit=limit)

    @property
    def eof(self) -> bool:
        return self._decompressor.is_finished()


class _Zstd(_Capped):
    """zstd for warcio, fed in small steps (its decompressor has no output limit, and one
    128 KB block is 4 bytes when it repeats a byte)."""

    STEP = 256  # bytes of input: at most ~8 MB of output each

    def __init__(self) -> None:
        super().__init__()
        self._decompressor = zstandard.ZstdDecompressor().decompressobj()

    def _decode(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        for at in range(0, len(data), self.STEP):
            if len(out) >= limit:
                break
            out += self._decompressor.decompress(data[at:at + self.STEP])
        return bytes(out)

    @property
    def eof(self) -> bool:
        return self._decompressor.eof


#: Content-Encodings warcio cannot undo by itself. Undecoded, a page is compressed bytes:
#: counted as "not text" and its article lost. zstd: Chrome has sent it since version 123
#: (2024); x-gzip: gzip's old name, which RFC 9110 (8.4.1.3) says to read as gzip.
BufferedReader.DECOMPRESSORS.update({"br": _Brotli, "zstd": _Zstd, "x-gzip": BufferedReader.DECOMPRESSORS["gzip"]})


class InputError(ValueError):
    """An input that is not an archive, a directory of them or a listing; the message says which."""


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


#: Common Crawl's bucket, as its own documentation gives it, and the same files over HTTPS
#: ("s3://commoncrawl/[...] ... and https://data.commoncrawl.org/[...]": commoncrawl.org/get-started,
#: read 2026-12-01). CC-NEWS paths are often copied in the first form.
_S3_HTTPS = {"s3://commoncrawl/": "https://data.commoncrawl.org/"}


def _over_https(location: str) -> str:
    """``location``, with a bucket URL newsmon knows the HTTPS form of in that form.

    Raises:
        InputError: another cloud-storage URL, which newsmon does not read.
    """
    lowered = location.lower()
    for bucket, https in _S3_HTTPS.items():
        if lowered.startswith(bucket):
            return https + location[len(bucket):]
    scheme = lowered.partition("://")[0]
    if "://" in lowered and scheme in ("s3", "s3a", "s3n", "gs", "gcs", "az", "abfs", "abfss", "hdfs"):
        raise InputError(f"{location}: newsmon reads files and http(s) URLs, not {scheme}:// ones: give its "
                         "https:// form if the bucket has one, or download it first")
    if scheme == "file" and lowered.startswith("file:///"):
        return unquote(location[len("file://"):])
    if re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) and "://" in lowered and not is_url(location):
        # Read as a path, ftp://host/x.warc.gz was "no such file or directory".
        raise InputError(f"{location}: newsmon reads files and http(s) URLs, not {scheme}:// ones: download it "
                         "first, or give its http(s) URL if its server has one")
    return location


def check_inputs(inputs: Iterable[str]) -> None:
    """Say what is wrong with an input that can be told without reading any: a file that is
    not there, a URL newsmon does not read. ``newsmon ingest`` asks before it opens the database,
    so a mistyped path leaves no new database behind; ``expand`` finds the rest.

    Raises:
        InputError: as ``expand`` would for the same input.
    """
    for given in inputs:
        given = _over_https(given)
        if not is_url(given) and not Path(given).exists():
            raise InputError(f"{given}: no such file or directory")


#: Answers that say "try later": a rate limit (data.commoncrawl.org's 503 SlowDown), a gateway.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The longest wait between tries when the server does not say (Retry-After) how long.
_RETRY_WAIT_MAX = 60.0


def retry_wait(exc: BaseException, attempt: int) -> float | None:
    """Seconds to wait before trying a request again after ``exc`` (its ``attempt``-th failure,
    from 0), or ``None`` when trying again cannot help (a 404, a name that does not resolve) or
    the server asks for a longer wait than ``NEWSMON_MAX_RETRY_AFTER``, as the crawl reads it:
    then the next run resumes."""
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code not in _RETRY_STATUSES:
            return None
        said = (exc.headers.get("Retry-After") or "").strip() if exc.headers else ""
        asked = None
        if said.isdigit():
            asked = float(said)
        elif said:
            with suppress(TypeError, ValueError, IndexError, OverflowError):
                asked = max(0.0, email.utils.parsedate_to_datetime(said).timestamp() - time.time())
        if asked is not None:
            return asked if asked <= float(settings.NEWSMON_MAX_RETRY_AFTER) else None
    elif not isinstance(exc.reason if isinstance(exc, urllib.error.URLError) else exc,
                        (ConnectionError, TimeoutError, IncompleteRead)):
        return None  # not an answer that says "later", nor a connection that broke: garbage, a 404
    return min(float(2 ** attempt), _RETRY_WAIT_MAX)


def tried(call: Callable[[], T], retries: int) -> T:
    """``call()``, called again up to ``retries`` times after a failure ``retry_wait`` says to
    wait out (and waited). A failure that already says how often it was tried (a request inside
    ``call``) is not tried again.

    Raises:
        OSError, HTTPException: the last failure, its ``newsmon_tries`` saying how many tries
            there were (URLError and HTTPError are OSErrors).
    """
    attempt = 0
    while True:
        try:
            return call()
        except (OSError, HTTPException) as exc:
            tried_before = hasattr(exc, "newsmon_tries")
            wait = None if tried_before or attempt >= retries else retry_wait(exc, attempt)
            if wait is None:
                if not tried_before:
                    exc.newsmon_tries = attempt + 1  # type: ignore[union-attr]
                raise
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            time.sleep(wait)
            attempt += 1


def _request(url: str, start: int = 0, end: int | None = None, method: str = "GET"):
    """The response to a request of ``url`` (bytes ``start`` to ``end``), tried again as
    ``NEWSMON_INGEST_RETRIES`` says when the answer says "later" or the connection fails
    (``tried``)."""
    headers = {"User-Agent": _USER_AGENT}
    if start or end is not None:
        headers["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
    request = urllib.request.Request(url, headers=headers, method=method)
    return tried(lambda: urllib.request.urlopen(request, timeout=_TIMEOUT), int(settings.NEWSMON_INGEST_RETRIES))


def _read_listing(location: str) -> list[str]:
    if is_url(location):
        with _request(location) as response:
            data = response.read()
    else:
        data = Path(location).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    # utf-8-sig: a listing saved by a Windows editor starts with a byte-order mark, which made
    # its first path a URL of no archive.
    # A comment indented (or after a tab) is one too: taken for a path, it failed the listing, "No such file".
    return [line for line in map(str.strip, data.decode("utf-8-sig", "replace").splitlines())
            if line and not line.startswith("#")]


#: What to do about an archive a directory holds under a name of no archive (``expand``).
MISNAMED = ("a directory's archives are read by their names (.warc, .warc.gz, .warc.zst, .wacz, .arc, .arc.gz): "
            "rename the file so, or give the file itself as an input")


def _holds_records(path: Path) -> bool:
    """Whether a file starts with a WARC or ARC record, as it is or gzipped (a record a member or
    whole) or in zstd frames: an archive, whatever its name says."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(_HEAD_BYTES)
        if head[:3] == _GZIP:
            head = zlib.decompressobj(wbits=31).decompress(head, _HEAD_BYTES)
        elif head[:4] == _ZSTD_DICT:
            return True  # a WARC-zstd file's dictionary, which no other file starts with
        elif head[:4] == _ZSTD:
            head = zstandard.ZstdDecompressor().decompressobj().decompress(head)[:_HEAD_BYTES]
    except (OSError, zlib.error, zstandard.ZstdError):
        return False
    return _record_start(head)


def _file_name(location: str) -> str:
    """The file name a path or URL ends in, lower-cased, without a URL's query or fragment (a
    presigned listing's ``?X-Amz-Signature=…`` hid its ``.paths.gz``)."""
    path = urlsplit(location).path if "://" in location else location
    return path.rsplit("/", 1)[-1].lower()


def _is_listing(location: str) -> bool:
    name = _file_name(location)
    return name.endswith(_LISTING_SUFFIXES) and not name.endswith(_ARCHIVE_SUFFIXES)


def expand(inputs: Iterable[str], base_url: str | None = None, unfinished: list[str] | None = None,
           misnamed: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Every archive the inputs name, in order: ``(location, shown)``, the absolute path or URL
    (the ledger's key) and the name to show the user (as given, or found in a directory).
    ``unfinished``: gets the files of a directory named as archives still being written or
    downloaded (``_UNFINISHED_SUFFIXES``), which are not read. ``misnamed``: gets those that hold
    WARC or ARC records under a name of no archive (``_holds_records``), not read either.

    Raises:
        InputError: a path that does not exist, a directory without archives, a listing of
            none, a listing of relative paths without ``base_url``, or a cloud-storage URL
            newsmon has no https:// form of (Common Crawl's ``s3://commoncrawl/`` it has).
    """
    if base_url:
        base_url = _over_https(base_url)
    for given in inputs:
        shown = given
        given = _over_https(given)
        if _is_listing(given):
            try:
                lines = _read_listing(given)
            except (OSError, urllib.error.URLError, EOFError, zlib.error, HTTPException) as exc:
                # HTTPException: an answer that is no HTTP, which is no OSError either.
                raise InputError(f"{given}: cannot read the listing ({type(exc).__name__}: "
                                 f"{' '.join(str(exc).split())})") from None
            if not lines:  # as an empty directory: an ingest of nothing is a wrong input, not a success
                raise InputError(f"{given}: lists no archive")
            # A local listing of local files: one missing is that archive's error alone (probe says
            # so), not the listing's. A listing none of whose relative paths is here is a remote
            # one's (CC-NEWS's warc.paths.gz, downloaded): it needs --base-url.
            local = not is_url(given) and not base_url and any(
                not is_url(_over_https(line)) and (Path(given).parent / line).exists() for line in lines)
            for line in lines:
                line = _over_https(line)
                if is_url(line):
                    yield line, line
                elif base_url:
                    url = urljoin(base_url.rstrip("/") + "/", line.lstrip("/"))
                    yield url, url
                elif not is_url(given) and (local or os.path.isabs(line) or (Path(given).parent / line).exists()):
                    path = Path(given).parent / line
                    yield os.path.abspath(path), str(path)
                else:
                    raise InputError(f"{given}: {line!r} is a relative path: give --base-url, e.g. "
                                     "--base-url https://data.commoncrawl.org/ for CC-NEWS")
        elif is_url(given):
            yield given, shown
        elif Path(given).is_dir():
            files = sorted(p for p in Path(given).rglob("*") if p.is_file())
            found = [p for p in files if p.name.lower().endswith(_ARCHIVE_SUFFIXES)]
            writing = [str(p) for p in files if p.name.lower().endswith(_UNFINISHED_SUFFIXES)
                       and p.name.lower().rsplit(".", 1)[0].endswith(_ARCHIVE_SUFFIXES)]
            # A WARC under another name (wget's second download of x.warc.gz is x.warc.gz.1; one saved with no
            # extension) was passed over without a word, its pages in no count.
            named = {str(p) for p in found} | set(writing)
            unnamed = [str(p) for p in files if str(p) not in named and not p.name.lower().endswith(
                _UNFINISHED_SUFFIXES) and _holds_records(p)]
            if not found and writing:
                raise InputError(f"{given}: its only archives are named as files still being written or "
                                 f"downloaded ({', '.join(writing[:3])}{', …' if len(writing) > 3 else ''}): "
                                 "nothing to read until they are renamed")
            if not found and unnamed:
                raise InputError(f"{given}: its only archives are not named as archives ({', '.join(unnamed[:3])}"
                                 f"{', …' if len(unnamed) > 3 else ''}): {MISNAMED}")
            if not found:
                raise InputError(f"{given}: a directory without .warc, .warc.gz, .warc.zst, .wacz or .arc(.gz) files")
            if unfinished is not None:
                unfinished += writing
            if misnamed is not None:
                misnamed += unnamed
            for path in found:
                yield os.path.abspath(path), str(path)
        elif Path(given).exists():
            yield os.path.abspath(given), given
        else:
            raise InputError(f"{given}: no such file or directory")


@dataclass(frozen=True)
class Source:
    """One archive: where it is, how big, and whether byte ranges of it can be read."""

    location: str
    #: The name shown to the user.
    shown: str
    size: int | None
    #: Parts can start anywhere: a local file, or a server that answers Range requests.
    ranges: bool
    #: ``warc.gz`` (a gzip member per record), ``warc.zst`` (a zstd frame per record, with a
    #: dictionary or without: ArchiveTeam's), ``warc`` (uncompressed), ``wacz``, ``whole.gz``:
    #: a WARC gzipped as one stream (``gzip file.warc``), or ``whole.zst`` (``zstd file.warc``,
    #: or a .warc.zst streamed from a server that does not answer Range requests); the last
    #: two are read as one part, and their offsets count uncompressed bytes.
    kind: str
    #: What tells this archive from another at the same place: a server's ETag or Last-Modified, else a hash
    #: of its first 4 KB (a WARC's first record names the file and its date); None when a server that gives
    #: neither sent fewer bytes than that of a larger archive.
    head: str | None = None

    @property
    def name(self) -> str:
        return self.shown.rstrip("/").rsplit("/", 1)[-1]


def _kind(head: bytes, location: str) -> str:
    """What an archive is, from its first bytes (6 are enough).

    Raises:
        InputError: a whole-file compression warcio cannot read (bzip2, xz), with what to do.
    """
    if head[:4] == b"PK\x03\x04" or _file_name(location).endswith(".wacz"):
        return "wacz"
    if head[:4] == _ZSTD or _skippable(head[:4]):
        return "warc.zst"
    for magic, (name, command) in _UNREADABLE.items():
        if head.startswith(magic):
            raise InputError(f"compressed with {name} as a whole, which warcio (newsmon's WARC reader) cannot "
                             f"read: decompress it first ({command} FILE), then ingest the .warc (or gzip it per "
                             "record: warcio recompress FILE.warc FILE.warc.gz)")
    return "warc.gz" if head[:2] == b"\x1f\x8b" else "warc"


def _zstd_dictionary(raw: IO[bytes]) -> tuple[zstandard.ZstdCompressionDict | None, int]:
    """The dictionary a .warc.zst starts with (in a skippable frame, itself zstd-compressed or
    not), read off ``raw`` (a buffered stream at the file's start), and the bytes its frame
    takes; ``(None, 0)`` when the file has none (``zstd file.warc``).

    Raises:
        _Unreadable: the dictionary is damaged.
    """
    if raw.peek(4)[:4] != _ZSTD_DICT:  # type: ignore[attr-defined]
        return None, 0
    _magic, size = struct.unpack("<II", raw.read(8))
    data = raw.read(size)
    try:
        if data[:4] == _ZSTD:
            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        dictionary = zstandard.ZstdCompressionDict(data)
        zstandard.ZstdDecompressor(dict_data=dictionary).decompressobj()  # checks it
    except zstandard.ZstdError as exc:
        raise _Unreadable(f"its zstd dictionary cannot be read ({exc})") from None
    return dictionary, 8 + size


class _ZstdFrames(io.RawIOBase):
    """A ``.warc.zst`` decompressed as it is read, frame after frame. Its dictionary, if it has
    one, comes first in a skippable frame, itself zstd-compressed or not (ArchiveTeam's WARCs: a
    frame per record, compressed with it); a WARC compressed by ``zstd`` alone has none.

    zstandard's own stream reader ends quietly where a file cut inside a frame ends: its last
    record then failed as unparsable header lines. This one says the file is truncated, and is
    fed in small steps (its decompressor has no output limit). It also notes where each frame
    starts, in the file and in its output (``frame_at``): where a part of the archive may start.

    Args:
        raw: the archive's bytes from ``base`` on, ``base`` being 0 or a frame's start.
        dictionary: the file's dictionary, for a stream that does not start at the file's start
            (``_zstd_dictionary``); at the start, it is read there.
        frames: note where frames start (a WARC.zst of a frame per record; a WARC compressed
            whole has no use for them, and may have millions).
    """

    #: Compressed bytes fed at a time: zstd's RLE blocks make a few bytes into 128 KB, so one step
    #: of a frame of zeros gives 66 MB (measured; 8 KB would give four times that), well inside a
    #: worker's memory. As fast as 8 KB steps on a 108 MB WARC (0.06 s).
    STEP = 2048

    def __init__(self, raw: IO[bytes], *, dictionary: zstandard.ZstdCompressionDict | None = None,
                 base: int = 0, frames: bool = True) -> None:
        self.raw = raw if hasattr(raw, "peek") else io.BufferedReader(raw)  # type: ignore[arg-type]
        self.dictionary = dictionary
        self.context: zstandard.ZstdDecompressor | None = None  # at the first read: see _start
        self.started = False  # the current frame has had input
        self.pending, self.at = b"", 0  # output not handed out yet: pending[at:]
        #: Compressed bytes read, from the file's start; output bytes made, from this stream's.
        self.consumed, self.produced = base, 0
        #: ``(output offset, file offset)`` of each frame start not yet asked for (``frame_at``).
        self.bounds: deque[tuple[int, int]] = deque()
        self.frames = frames
        self.first = True  # no byte of a frame read yet

    def _start(self) -> None:
        # At the first read, not when the part is opened: a damaged dictionary is then a record
        # that cannot be read (the archive said unreadable), not a read that failed (to be
        # tried again on every run).
        if self.consumed == 0:
            self.dictionary, taken = _zstd_dictionary(self.raw)
            self.consumed += taken
        self.context = zstandard.ZstdDecompressor(dict_data=self.dictionary) if self.dictionary is not None \
            else zstandard.ZstdDecompressor()
        self.frame = self.context.decompressobj()

    def _note(self, made: int, data: bytes) -> None:
        """A frame starts where ``data`` (read ahead) does, at output ``made`` of this step."""
        if not self.frames:
            return
        at = (self.produced + made, self.consumed - len(data))
        if self.bounds and self.bounds[-1][0] == at[0]:
            # The frame before made nothing (an empty frame): the record there starts in this
            # one, where _first_frame finds it. (warcio reads on past a record's end to the next
            # one's first line, so this frame is known before frame_at is asked.)
            self.bounds[-1] = at
        else:
            self.bounds.append(at)

    def _read(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.consumed += len(data)
        return data

    @staticmethod
    def _truncated() -> _Unreadable:
        # Not an EOFError: warcio takes that for the end of the archive, and says nothing.
        return _Unreadable("its zstd stream ends inside a frame (the file is truncated)")

    def _past_skippable(self, data: bytes) -> bytes:
        """``data``, read where a frame starts, past the skippable frames there (reading on as
        they need): the next frame's first bytes, or nothing at the end of the file.

        Skipped here, not by zstandard (which would too): a frame's bound is then where its own
        bytes start, as ``_first_frame`` finds frames, so a part that ends inside a skippable
        frame and the part after it agree on which of them reads the next record."""
        while True:
            if len(data) < 8:
                data += self._read(8 - len(data))  # a short read only at the end of the file
            if not _skippable(data[:4]):
                # A frame (zstandard says if it is none), or the end of the file.
                return self._window_checked(data) if data[:4] == _ZSTD else data
            if len(data) < 8:
                raise self._truncated()
            skip = 8 + struct.unpack_from("<I", data, 4)[0]
            if skip <= len(data):
                data = data[skip:]
                continue
            skip -= len(data)
            while skip:
                piece = self._read(min(skip, 1 << 16))
                if not piece:
                    raise self._truncated()
                skip -= len(piece)
            data = b""

    def _window_checked(self, data: bytes) -> bytes:
        """``data``, a frame's first bytes (and its whole header, read on as needed), if
        the frame can be decoded within ``ZSTD_MAX_WINDOW``.

        Raises:
            _WindowTooLarge: it cannot (written by ``zstd --long`` from a large file). The decoder
                refused it too, but as a record that "cannot be parsed": the archive was said
                to be no readable WARC, with nothing to do about it.
        """
        if len(data) < _ZSTD_HEADER_MAX:
            data += self._read(_ZSTD_HEADER_MAX - len(data))
        try:
            window = zstandard.get_frame_parameters(data[:_ZSTD_HEADER_MAX]).window_size
        except zstandard.ZstdError:
            return data  # no valid header: the decoder says so where it reads it
        if window > ZSTD_MAX_WINDOW:
            raise _WindowTooLarge(
                f"its zstd frames need a {window / 2 ** 20:,.0f} MB window to decompress (written by zstd "
                f"--long from a large file), more than the {ZSTD_MAX_WINDOW >> 20} MB a worker allows itself: "
                "decompress it first (zstd -d --long=31 FILE) and ingest the .warc, or compress it again "
                "without --long (zstd -d --long=31 -c FILE | zstd -o NEW.warc.zst)")
        return data

    def frame_at(self, offset: int) -> int | None:
        """The file offset of the frame that starts at ``offset`` of the output, if one does.
        Asked in increasing order: frames before ``offset`` are forgotten."""
        while self.bounds and self.bounds[0][0] < offset:
            self.bounds.popleft()
        return self.bounds[0][1] if self.bounds and self.bounds[0][0] == offset else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.context is None:
            self._start()
        while self.at >= len(self.pending):
            data = self._read(self.STEP)
            if not data:
                if self.started:
                    raise self._truncated()
                return 0
            out: list[bytes] = []
            made = 0
            if self.first:  # the stream's first frame starts here, maybe after skippable ones
                data = self._past_skippable(data)
                self._note(made, data)
                self.first = False
            while data:
                out.append(self.frame.decompress(data))
                made += len(out[-1])
                self.started = True
                data = b""
                if self.frame.eof:  # the frame ended in this chunk: the rest is the next one's
                    data = self._past_skippable(self.frame.unused_data)
                    self._note(made, data)  # where the next frame starts, or the file ends
                    self.frame, self.started = self.context.decompressobj(), False
            self.pending, self.at = b"".join(out), 0
            self.produced += made
        # Handed out by offset: slicing off the rest at every read copied a step's output again
        # and again (a 66 MB step read 16 KB at a time).
        count = min(len(buffer), len(self.pending) - self.at)
        buffer[:count] = memoryview(self.pending)[self.at:self.at + count]
        self.at += count
        return count


def _gzipped_whole(stream: IO[bytes]) -> bool:
    """Whether a WARC.gz is one gzip stream (``gzip file.warc``) rather than a member per record.

    warcio refuses such a file at its second record ("non-chunked gzip"); its parts cannot be
    found by their gzip members, but read from the start it is a WARC like any other. Told
    apart by where the first member ends: after the first record, or past the next one's start.
    """
    decompressor = zlib.decompressobj(wbits=31)
    kept, base = b"", 0  # the output from offset ``base`` on (the first record's body is dropped)
    following = None  # where a second record would start
    while not decompressor.eof:
        chunk = stream.read(1 << 16)
        if not chunk:
            return False
        try:
            kept += decompressor.decompress(chunk)
        except zlib.error:
            return False  # damaged: reading it says where, as for any WARC.gz
        if following is None:
            if _ARC_START.match(kept):
                # An ARC record: its header line ends with its length; a newline follows it.
                line = _ARC_HEADER.match(kept)
                if line is None:
                    if len(kept) > 1 << 16:
                        return False
                    continue
                following = line.end() + int(line.group(1)) + 1
            else:
                head_end = kept.find(b"\r\n\r\n")
                if head_end < 0:
                    if len(kept) > 1 << 16:
                        return False  # no WARC record header: not for this test to say what it is
                    continue
                length = re.search(rb"(?im)^content-length:[ \t]*(\d+)", kept[:head_end])
                if length is None:
                    return False
                following = head_end + 4 + int(length.group(1)) + 4  # the record, then CRLF CRLF
        if base + len(kept) >= following + _HEAD_BYTES or (decompressor.eof and base + len(kept) > following):
            return _record_start(kept[following - base:following - base + _HEAD_BYTES].lstrip(b"\r\n"))
        drop = min(len(kept), following - base)
        kept, base = kept[drop:], base + drop
    return False


def _zstd_framed(stream: IO[bytes]) -> bool:
    """Whether a .warc.zst is written a frame per record (ArchiveTeam's), so that a part may
    start at any frame that starts a record: told by its first two frames, each of which must
    start one, within the first ``_PROBE_BYTES`` (a ``zstd file.warc`` is one frame).

    Raises:
        InputError: its frames need a larger window than a worker allows (``zstd --long``).
    """
    frames = _ZstdFrames(stream)
    seen = bytearray()
    try:
        while frames.consumed < _PROBE_BYTES and len(seen) < 4 * _PROBE_BYTES:
            chunk = frames.read(1 << 16)
            if not chunk:
                break
            seen += chunk
            later = [at for at, _ in frames.bounds if 0 < at <= len(seen) - 5]
            if later:
                return seen.startswith(b"WARC/") and seen[later[0]:later[0] + 5] == b"WARC/"
    except _WindowTooLarge as exc:
        raise InputError(str(exc)) from None
    except (_Unreadable, zstandard.ZstdError):
        return False  # damaged: reading it from the start says where, as for any WARC
    return False


#: The first bytes of an archive that tell it from another at the same place (``Source.head``): a WARC's first
#: record names its file and when it was written.
_HEAD_HASHED = 4096


def _head_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def probe(location: str, shown: str | None = None) -> Source:
    """Size, kind and range support of an archive (a read of its first 4 KB for a URL, and
    the first record of a gzipped one, the first two frames of a zstd one).

    Raises:
        OSError: the file or URL cannot be read.
    """
    if not is_url(location):
        with open(location, "rb") as f:
            head = _head_digest(f.read(_HEAD_HASHED))
            f.seek(0)
            kind = _kind(f.read(6), location)
            if kind == "warc.gz":
                f.seek(0)
                kind = "whole.gz" if _gzipped_whole(f) else kind
            elif kind == "warc.zst":
                f.seek(0)
                kind = kind if _zstd_framed(f) else "whole.zst"
            return Source(location, shown or location, os.fstat(f.fileno()).st_size, True, kind, head)
    try:
        with _request(location, 0, _HEAD_HASHED) as response:
            head = response.read(_HEAD_HASHED)
            ranged = response.status == 206
            validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
            total = response.headers.get("Content-Range", "").rpartition("/")[2]
            size = int(total) if total.isdigit() else None
            if not ranged:
                length = response.headers.get("Content-Length")
                size = int(length) if length and length.isdigit() else None
        if not validator and (len(head) == _HEAD_HASHED or (size is not None and len(head) >= size)):
            # Without an ETag or Last-Modified, its first bytes tell it from another archive at the URL, as a
            # file's do: a smaller one was read as the same archive started again, the earlier one's articles
            # counted as its own, and a larger one as the same grown, read on from the other's end (garbage there,
            # "cannot be parsed", and the archive marked read). (Fewer bytes than asked, of more: a probe cut short,
            # which tells nothing.)
            validator = _head_digest(head)
        kind = _kind(head, location)
        if kind == "warc.gz" and ranged:
            # Without ranges the archive is one part streamed once; open_part tells it then.
            with _request(location, 0, _PROBE_BYTES) as response:
                kind = "whole.gz" if _gzipped_whole(_Body(response)) else kind
        elif kind == "warc.zst" and not ranged:
            kind = "whole.zst"  # one part streamed once: its offsets count what it decompresses to
        elif kind == "warc.zst":
            with _request(location, 0, _PROBE_BYTES) as response:
                kind = kind if _zstd_framed(_Body(response)) else "whole.zst"
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code} {exc.reason}{_tries(exc)}") from None
    except urllib.error.URLError as exc:
        raise OSError(f"{exc.reason}{_tries(exc)}") from None
    return Source(location, shown or location, size, ranged, kind, validator)


def _tries(exc: BaseException) -> str:
    tries = getattr(exc, "newsmon_tries", 1)
    return f" ({tries} tries)" if tries > 1 else ""


@dataclass(frozen=True)
class Part:
    """What one worker reads: the records of ``source`` (of WARC ``member`` in a WACZ) that
    start at or after byte ``start`` and before ``end`` (``None``: to the end)."""

    source: Source
    member: str | None
    start: int
    end: int | None
    #: This part's place in its archive, from 0.
    index: int

    @property
    def length(self) -> int:
        """Bytes of the archive this part stands for (for progress and ETA)."""
        if self.end is not None:
            return self.end - self.start
        return max(0, (self.source.size or 0) - self.start) if self.member is None else 0


def plan(source: Source, *, part_bytes: int = PART_BYTES, resume_member: str | None = None,
         resume_offset: int = 0) -> list[Part]:
    """The parts of an archive, from where a previous ingest stopped (``resume_*``)."""
    if source.kind == "wacz":
        with ExitStack() as stack:
            members = _wacz_members(source, stack)
        names = [name for name, _ in members]
        first = names.index(resume_member) if resume_member in names else 0
        return [Part(source, name, resume_offset if name == resume_member else 0, None, i)
                for i, (name, size) in enumerate(members)
                if i >= first and not (name == resume_member and resume_offset >= size)]
    if source.kind not in ("warc.gz", "warc.zst") or not source.ranges or source.size is None:
        # An uncompressed WARC has no boundary a worker could find for sure, nor a WARC gzipped
        # or zstd-compressed whole; read it in one stream (there, offsets count its uncompressed
        # bytes).
        return [Part(source, None, resume_offset, None, 0)]
    starts = list(range(resume_offset, source.size, part_bytes)) or [resume_offset]
    return [Part(source, None, start, starts[i + 1] if i + 1 < len(starts) else None, i)
            for i, start in enumerate(starts)]


class RangesIgnored(OSError):
    """A server that answered a Range request of a WACZ read in place (``_RangeFile``) with other bytes
    than those asked for: a transport's failure, not a damaged archive (the ledger keeps it unfinished)."""


class _RangeFile(io.RawIOBase):
    """A seekable file over HTTP Range requests: what ``zipfile`` needs to read a remote WACZ
    without downloading it (wrapped in a large read buffer, one request per buffer)."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size, self.pos = url, size, 0
        #: The server's answer to a Range request that was not the range (``RangesIgnored``), which ``zipfile``
        #: says as "File is not a zip file" where it meets it reading the central directory (``_zip``).
        self.ignored: RangesIgnored | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence] + offset
        return self.pos

    def readinto(self, buffer) -> int:
        if self.pos >= self.size:
            return 0
        end = min(self.size, self.pos + len(buffer))
        with _request(self.url, self.pos, end) as response:
            given = (response.headers.get("Content-Range") or "").removeprefix("bytes ").partition("-")[0].strip()
            if response.status != 206 or (given.isdigit() and int(given) != self.pos):
                # A server that answers Range for some requests only (a CDN's for what it has not cached, the
                # probe's six bytes alone): the whole file's bytes were taken for the range, and a good WACZ was
                # "not a readable WACZ", or its rest "cannot be parsed", a stop that marked it read.
                self.ignored = RangesIgnored(
                    f"its server answered a Range request (bytes {self.pos}-{end - 1}) with "
                    + ("the whole file (HTTP 200)" if response.status == 200 else
                       f"HTTP {response.status} from byte {given or '?'}")
                    + ": a WACZ is read in place with Range requests, which this server answers only at times; "
                    f"download it first (curl -O {self.url}), then ingest the file")
                raise self.ignored
            data = response.read()
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


class _Reading(ExitStack):
    """What a part's reading holds open, and whether an HTTP response among it came with no length."""

    #: A response sent with no Content-Length and not chunked (HTTP/1.0's way): its end is the connection's
    #: close, and so is a dropped connection's, between two records or inside one.
    unframed = False
    #: Its body (its last bytes kept), and the archive's offset where it starts.
    body: _Body | None = None
    base = 0


#: How the ledger's ``stopped`` and the ingest say an archive whose end no length or chunk confirmed.
UNVERIFIED = "its end could not be verified: "


def _unframed(url: str) -> str:
    """Why an archive sent with no length may have been read only in part, and what to do about it."""
    return ("its server sent it without a length (no Content-Length, not chunked: its end is where the "
            "connection closed), and a connection that drops closes so too: to be sure no record is missing, "
            f"download it (curl -O {url}) and ingest the file, or run the ingest again with --force (from its "
            "start)")


def went_on(url: str, times: int) -> str:
    """Why an archive sent with no length, read again from where its stream ended ``times`` times (``ingest_part``),
    going on each time, may still not have been read whole."""
    return ("its server sent it without a length (no Content-Length, not chunked: its end is where the connection "
            f"closed), and read again from where its stream ended, it went on each of {times} time(s): a connection "
            "that keeps dropping, or an archive still being written; run the ingest again with --force (from its "
            "start) once it is whole: its end is verified where two reads end at the same byte "
            f"(NEWSMON_INGEST_RETRIES says how many reads are made), or download it (curl -O {url}) and ingest "
            "the file")


def _open_raw(source: Source, stack: ExitStack, start: int = 0) -> IO[bytes]:
    """The archive's bytes from ``start`` on: a file seeked there, or an HTTP stream (one with no
    length noted on a ``_Reading`` stack)."""
    if not is_url(source.location):
        stream = stack.enter_context(open(source.location, "rb"))
        stream.seek(start)
        return stream
    if source.kind == "wacz":
        if not source.ranges or source.size is None:
            # A zip is read from its end (its central directory) and at each member: each such read asked for a
            # range this server answered from the file's start, and the archive was "not a readable WACZ
            # (Truncated central directory)", a good file said to be damaged.
            raise InputError("a WACZ is read in place with HTTP Range requests, which its server does not answer "
                             f"(nor say its size): download it first (curl -O {source.location}), then ingest the "
                             "file")
        return stack.enter_context(io.BufferedReader(_RangeFile(source.location, source.size), 1 << 20))
    try:
        response = stack.enter_context(_request(source.location, start))
    except urllib.error.HTTPError as exc:
        if exc.code != 416 or not start or (source.size is not None and start < source.size):
            raise
        # Range Not Satisfiable: nothing from ``start`` on, says a server that answers Range requests (of an archive
        # whose size it did not say, where a stream with no length ended): its end, read again (``ingest_part``).
        exc.close()
        return io.BytesIO(b"")
    unframed = response.length is None and not response.chunked
    # Sent with no length, the answer runs to the archive's end where its size is known (from where it starts:
    # the range asked, or the file's start where the server ignored Range).
    base = start if response.status == 206 else 0
    left = source.size - base if unframed and source.size is not None else None
    body = _Body(response, left, tail=unframed)
    if unframed and isinstance(stack, _Reading):
        stack.unframed, stack.body, stack.base = True, body, base
    if start and response.status != 206:  # the server ignored Range: skip to the start ourselves
        _skip(body, start, stack)
    return body


class _Replayed(io.RawIOBase):
    """A stream whose first bytes can be read twice: once to look at them, then from the start."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.seen, self.replaying = raw, bytearray(), False

    def readable(self) -> bool:
        return True

    def replay(self) -> None:
        self.replaying = True

    def readinto(self, buffer) -> int:
        if self.replaying and self.seen:
            count = min(len(buffer), len(self.seen))
            buffer[:count] = self.seen[:count]
            del self.seen[:count]
            return count
        count = self.raw.readinto(buffer)
        if not self.replaying:
            self.seen += buffer[:count]
        return count


class _Body(io.RawIOBase):
    """An HTTP response's body that raises when the connection closes before its Content-Length,
    or, sent with none, before ``left`` bytes (to the archive's end, where its size is known).

    ``http.client`` ends such a body quietly, as if it were whole, and a WARC ending early reads
    as a truncated file: its archive would be marked read, never to be resumed. Sent with no length,
    a part's stream that a dropped connection ended between two records made the next part's first
    record look like none ("no part read bytes …", a bug to report), and one that ended inside a
    record made it look damaged: skipped for good, the rest read on ("bytes skipped").
    """

    def __init__(self, response: HTTPResponse, left: int | None = None, tail: bool = False) -> None:
        self.response, self.left = response, left
        #: Bytes read so far, and (``tail``) the last ``_NOTHING_MAX`` of them: where a stream with no length
        #: ended, and whether what it ended with after its last whole record is a record cut short.
        self.delivered, self.tail = 0, bytearray() if tail else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.response.readinto(buffer)
        if not count and len(buffer) and self.response.length:
            raise ConnectionError(f"the server closed the connection {self.response.length} bytes "
                                  "before the end of its response")
        if self.left is not None:
            if not count and len(buffer) and self.left > 0:
                raise ConnectionError(f"the server closed the connection {self.left} bytes before the end of the "
                                      "archive (its response said no length)")
            self.left -= count
        self.delivered += count
        if self.tail is not None and count:
            self.tail += buffer[:count]
            del self.tail[:-_NOTHING_MAX]
        return count


def _skip(stream: IO[bytes], count: int, stack: ExitStack | None = None) -> None:
    """Read past ``count`` bytes of ``stream``. One sent with no length (noted on a ``_Reading`` ``stack``) that ends
    before them ended where its connection dropped: raised as such, as ``_Body`` raises where a length says so. (Quiet,
    a read resumed where the one before ended, to see whether it went on, took such a stream for the same end met
    again, the end of the archive.)"""
    left = count
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            if getattr(stack, "unframed", False):
                raise ConnectionError(f"the server closed the connection {left:,} bytes before byte {count:,}, where "
                                      "reading resumes (its response said no length)")
            return
        left -= len(chunk)


def _zip(source: Source, stack: ExitStack) -> zipfile.ZipFile:
    """A WACZ opened as the zip it is; a server's answer that was not the range asked for raised as
    itself (``RangesIgnored``), where ``zipfile`` says any failed read of its end is no zip file."""
    stream = _open_raw(source, stack)
    try:
        return stack.enter_context(zipfile.ZipFile(stream))
    except zipfile.BadZipFile:
        ignored = getattr(getattr(stream, "raw", None), "ignored", None)
        if ignored is not None:
            raise ignored from None
        raise


def _wacz_members(source: Source, stack: ExitStack) -> list[tuple[str, int]]:
    try:
        archive = _zip(source, stack)
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a readable WACZ ({exc})") from None
    names = [n for n in archive.namelist() if n.startswith("archive/") and ".warc" in n]
    if not names:
        raise InputError("a zip file without archive/*.warc[.gz]: not a WACZ")
    return [(name, archive.getinfo(name).file_size) for name in sorted(names)]


def open_part(part: Part, stack: ExitStack) -> tuple[IO[bytes], int, int | None]:
    """The stream of a part, positioned at its first record, that record's offset, and the
    size of what is read (the WARC, or the WACZ member; ``None`` when a server did not say).

    The offset is the part's ``start`` for the first part of a WARC; for a later part of a
    WARC.gz, the first gzip member at or after ``start`` that holds a WARC record (the size
    when none starts before ``end``: the part is empty). A WARC gzipped whole is one part,
    decompressed as it is read; its offsets count uncompressed bytes.
    """
    source = part.source
    if part.member is not None:
        archive = _zip(source, stack)
        size = archive.getinfo(part.member).file_size
        stream = stack.enter_context(archive.open(part.member))
        if part.start:
            if stream.seekable():
                stream.seek(part.start)
            else:
                _skip(stream, part.start)
        return stream, part.start, size
    size = source.size
    raw = None
    if source.kind == "warc.gz" and not source.ranges:
        # Streamed once from its start (probe could not look ahead without a second download):
        # whether it is gzipped whole is told from the bytes read first, then read again here.
        raw = _Replayed(_open_raw(source, stack))
        whole = _gzipped_whole(raw)
        raw.replay()
        if not whole:
            _skip(raw, part.start, stack)
            return raw, part.start, size
    if source.kind == "whole.zst":
        stream = stack.enter_context(_ZstdFrames(_open_raw(source, stack), frames=False))
        _skip(stream, part.start, stack)
        return stream, part.start, None  # as a WARC gzipped whole: offsets count uncompressed bytes
    if source.kind == "warc.zst":
        if part.start == 0:
            return stack.enter_context(_ZstdFrames(_open_raw(source, stack))), 0, size
        # A later part, or an ingest resumed: at the first frame that starts a record, with the
        # dictionary from the file's start.
        with ExitStack() as head:
            raw = _open_raw(source, head)
            if not hasattr(raw, "peek"):  # an HTTP response's body
                raw = head.enter_context(io.BufferedReader(raw, 1 << 16))  # type: ignore[arg-type]
            dictionary, _ = _zstd_dictionary(raw)
        limit = part.end if part.end is not None else size if size is not None else 1 << 62
        first = _first_frame(source, part.start, limit, dictionary)
        if first is None:
            return io.BytesIO(b""), limit, size
        return stack.enter_context(_ZstdFrames(_open_raw(source, stack, first), dictionary=dictionary,
                                               base=first)), first, size
    if source.kind == "whole.gz" or raw is not None:
        stream = stack.enter_context(gzip.GzipFile(fileobj=raw if raw is not None else _open_raw(source, stack),
                                                   mode="rb"))
        _skip(stream, part.start, stack)
        return stream, part.start, None  # its uncompressed size is known only at its end
    if part.index == 0 or source.kind != "warc.gz":
        return _open_raw(source, stack, part.start), part.start, size
    limit = part.end if part.end is not None else size if size is not None else 1 << 62
    first = _first_member(source, part.start, limit)
    if first is None:
        return io.BytesIO(b""), limit, size
    return _open_raw(source, stack, first), first, size


#: The most bytes ``holds_no_record`` reads: what writers leave between records is a few bytes.
_NOTHING_MAX = 1 << 16


def holds_no_record(part: Part, start: int, end: int) -> bool:
    """Whether bytes ``[start, end)`` of the part's WARC.gz hold nothing: empty gzip members (a
    writer that opened its file and closed it without a record writes one, 20 bytes) or line
    ends, which warcio reads past. Between two parts, or after the last record, they are no
    record lost."""
    if part.member is not None or part.source.kind != "warc.gz" or not 0 < end - start <= _NOTHING_MAX:
        return False
    try:
        with ExitStack() as stack:
            data = _open_raw(part.source, stack, start).read(end - start)
    except (OSError, HTTPException):
        return False  # unread, then: said so, and read again next run
    return len(data) == end - start and _nothing(data)


def _nothing(data: bytes, kind: str = "warc.gz") -> bool:
    """Whether ``data``, after a record, holds no record: empty gzip members or line ends (an uncompressed WARC's
    between records), which warcio reads past."""
    if kind == "warc":
        return not data.strip(b"\r\n")
    out = b""
    while data:
        decompressor = zlib.decompressobj(wbits=31)
        try:
            out += decompressor.decompress(data, _NOTHING_MAX)
        except zlib.error:
            return False
        if not decompressor.eof or out.strip(b"\r\n"):
            return False
        data = decompressor.unused_data
    return True


def _first_record(source: Source, start: int, end: int, magic: bytes, head: Callable[[bytes], bytes], *,
                  need: int, take: int) -> int | None:
    """The offset of the first ``magic`` in ``[start, end)`` whose bytes from there (``take`` of
    them) ``head`` decompresses to the start of a WARC or ARC record (a gzip member, a zstd
    frame); ``need``: the bytes a candidate is checked with, fewer only at the end of the file."""
    with ExitStack() as local:
        stream = _open_raw(source, local, start)
        buffer, base = b"", start  # base: the offset of buffer[0]
        while True:
            chunk = stream.read(1 << 20)
            buffer += chunk
            at = 0
            while True:
                at = buffer.find(magic, at)
                if at < 0:
                    break
                if base + at >= end:
                    return None
                if len(buffer) - at < need and chunk:
                    break  # too little after the candidate to check it: read on
                if _record_start(head(buffer[at:at + take])):
                    return base + at
                at += 1
            if not chunk:
                return None
            # Keep an unchecked candidate, or the bytes a magic number could straddle.
            keep = at if at >= 0 else max(0, len(buffer) - len(magic) + 1)
            buffer, base = buffer[keep:], base + keep


def _first_member(source: Source, start: int, end: int) -> int | None:
    """The offset of the first gzip member in ``[start, end)`` that decompresses to a WARC (or
    ARC) record."""
    def head(data: bytes) -> bytes:
        try:
            return zlib.decompressobj(wbits=31).decompress(data, _HEAD_BYTES)
        except zlib.error:
            return b""

    return _first_record(source, start, end, _GZIP, head, need=_HEAD_BYTES, take=65536)


def _first_frame(source: Source, start: int, end: int,
                 dictionary: zstandard.ZstdCompressionDict | None) -> int | None:
    """The offset of the first zstd frame in ``[start, end)`` that decompresses to a WARC (or
    ARC) record."""
    context = zstandard.ZstdDecompressor(dict_data=dictionary) if dictionary is not None \
        else zstandard.ZstdDecompressor()

    def head(data: bytes) -> bytes:
        try:
            return context.decompressobj().decompress(data)
        except zstandard.ZstdError:
            return b""

    # A frame's first block is at most 128 KB: enough of it to see its first bytes.
    return _first_record(source, start, end, _ZSTD, head, need=(1 << 17) + 64, take=(1 << 17) + 64)


# --- reading the records of a part -----------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Where reading one WARC stopped before its end, and why."""

    #: The WARC inside a WACZ; ``None`` for the archive file itself.
    member: str | None
    #: Byte offset, in the (compressed) WARC, of the record that could not be read.
    offset: int
    #: That record's number in the WARC, from 1 (the ones before it were read); counted from
    #: the start of the part until the ingest renumbers it (``renumbered``).
    record: int
    error: str
    #: Bytes of the WARC from ``offset`` to its end, unread (to ``skipped_to`` for a hole).
    unread: int = 0
    #: Where reading went on after a damaged record (``None``: it stopped there).
    skipped_to: int | None = None

    def describe(self) -> str:
        where = f"{self.member}: " if self.member else ""
        if self.skipped_to is not None:
            return (f"{where}record {self.record} at byte {self.offset} could not be read ({self.error}): "
                    f"{self.unread:,} bytes skipped, read on from the next record at byte {self.skipped_to}")
        # unread is 0 where the size is unknown (a server that did not say; a WARC gzipped
        # whole, whose offsets count its uncompressed bytes)
        of = f" of {self.offset + self.unread}" if self.unread else ""
        return (f"{where}{self.record - 1} complete records, then stopped at byte {self.offset}{of} "
                f"(record {self.record}): {self.error}")

    def renumbered(self, before: int) -> Stop:
        """The same stop with ``before`` records read ahead of its part."""
        return Stop(self.member, self.offset, self.record + before, self.error, self.unread, self.skipped_to)


@dataclass
class PartRead:
    """What reading one part came to."""

    #: Complete records read.
    records: int = 0
    #: Of those, records naming an http(s) URL: an archive with none is not an archive at all.
    http_records: int = 0
    #: Where reading stopped before the part's end (a truncated or damaged WARC).
    stop: Stop | None = None
    #: Damaged records skipped, reading going on at the next (``Stop.skipped_to``).
    holes: list[Stop] = field(default_factory=list)
    #: Why reading broke off after ``end`` for good, the records before it whole (a connection
    #: that kept failing; said as the user reads it): kept, and resumed there by the next run.
    broken: str | None = None
    #: Where the part's reading ended: the first record of the next part, or the end.
    end: int = 0
    #: Where its first record starts (its end when it found none): where the part before it
    #: ended, or records between the two were read by neither.
    start: int = 0
    #: Why the end the part's reading met may not be the archive's (``UNVERIFIED``): its server sent it with
    #: no length, its end the connection's close, which a dropped connection's is too.
    unverified: str | None = None
    #: Its stream came with no length (and no size said where the archive ends): where it ended, or stopped inside a
    #: record, may be where its connection dropped (``ingest_part`` reads it again from there).
    unframed: bool = False


def _complaint(captured: io.StringIO) -> str:
    """The last thing warcio printed (it prints rather than raises for a corrupt gzip member)."""
    lines = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class _Unreadable(Exception):
    """A record warcio read without complaint but that is not whole (our own checks)."""


class _WindowTooLarge(_Unreadable):
    """A .warc.zst whose frames need a larger window than ``ZSTD_MAX_WINDOW`` to decompress."""


def _printable(message: str, limit: int = 160) -> str:
    # warcio quotes the bad line it found: garbage bytes, decoded as whatever they were.
    text = "".join(c if c.isprintable() and c.isascii() else "?" for c in " ".join(message.split()))
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Body(NamedTuple):
    """A response's body as ``read_body`` reads it."""

    data: bytes
    #: The Content-Encoding ends before the compressed stream's end (a server that closed the
    #: connection mid-page): ``data`` is the start of the page, as decoded; why, in words.
    cut: str | None = None
    #: The Content-Encoding is corrupt: a deflate stream damaged before it was archived decodes
    #: to garbage long before zlib notices, so none of ``data`` can be trusted; why, in words.
    corrupt: str | None = None
    #: A coding under another (stacked codings) decodes past ``MAX_BODY``: why, in words. The page
    #: is larger, as the crawl refuses it (each coding's output is bounded there), and not read.
    too_large: str | None = None
    #: A Transfer-Encoding no reader here undoes (``transfer_refusal``), and the bytes as stored are
    #: no page (a writer that undid it, its header kept, stored one): why, in words. Nothing of the
    #: body is read: it is still encoded, and was counted "not text" with nothing said why.
    undecodable: str | None = None


class _Chunked(ChunkedDataReader):
    """warcio's de-chunking, knowing whether the body reached its last chunk.

    Where the record ends inside a chunk, or where a chunk's size should be, warcio takes the
    body for complete ("assuming file was cut off"): a page a server stopped sending half-way
    passed for whole, as a compressed one did before ``read_body`` asked its decoder."""

    broke_off = False

    def _try_decode(self, length_header: bytes) -> None:
        if length_header == b"":
            self.broke_off = True  # the record ends where the next chunk's size should be
        super()._try_decode(length_header)
        if self.all_chunks_read and not self.not_chunked and length_header[:-2].split(b";")[0].strip(b" 0"):
            self.broke_off = True  # all read, but not by the last (zero-size) chunk: it ran out in one


class _Layer:
    """A coding's decoded bytes where the decoder of the coding under it reads them (stacked
    codings): ``MAX_BODY + 1`` of them at most, as the crawl bounds each coding's output. A
    decoder that reads on and gives nothing (a gzip header whose file name never ends, a stream
    corrupt after its start) had the gzip over it decode all it held, 2 s and a gigabyte for a
    record of a megabyte, and the page was then "cut", not a compression bomb."""

    def __init__(self, reader, coding: str) -> None:
        self.reader, self.coding, self.left = reader, coding, MAX_BODY + 1

    @property
    def over(self) -> bool:
        return self.left <= 0

    def read(self, size: int) -> bytes:  # as the decoder's reader asks: a block at a time
        data = self.reader.read(min(size, self.left))
        self.left -= len(data)
        return data


def content_codings(http: StatusAndHeaders | None) -> list[str]:
    """A response's Content-Encodings in the order the server applied them, from every
    Content-Encoding header (RFC 9110 8.4: one list, however many headers carry it), lower-case,
    without "identity", which changes nothing."""
    if http is None or isinstance(http, NoHttp):
        return []
    return [coding for name, value in http.headers if name.lower() == "content-encoding"
            for coding in (part.strip().lower() for part in value.split(",")) if coding and coding != "identity"]


def transfer_codings(http: StatusAndHeaders | None) -> list[str]:
    """A response's Transfer-Encodings in the order the server applied them (chunked last, where it
    framed the body), from every Transfer-Encoding header (RFC 9112 6.1: one list, however many
    headers carry it), lower-case, without a coding's parameters, nor "identity" (RFC 2616's, which
    changes nothing). WARC writers that keep the response as it came keep "gzip, chunked" so."""
    if http is None or isinstance(http, NoHttp):
        return []
    return [coding for name, value in http.headers if name.lower() == "transfer-encoding"
            for coding in (part.split(";")[0].strip().lower() for part in value.split(","))
            if coding and coding != "identity"]


def _framing(http: StatusAndHeaders | None) -> tuple[bool, list[str]]:
    """Whether the body is chunked, and the transfer codings applied before the chunking, in order.
    A "chunked" said again at the end is one chunking (RFC 9112 forbids chunking twice: a header a
    proxy repeated)."""
    codings = transfer_codings(http)
    chunked = codings[-1:] == ["chunked"]
    while codings[-1:] == ["chunked"]:
        codings.pop()
    return chunked, codings


def transfer_refusal(http: StatusAndHeaders | None) -> str | None:
    """Why a body's Transfer-Encoding cannot be undone, or ``None`` when it can. The crawl's client
    (Twisted's) reads only a first header of exactly "chunked", and fails the fetch otherwise."""
    chunked, codings = _framing(http)
    said = ", ".join(transfer_codings(http))
    if "chunked" in codings:
        return (f"its Transfer-Encoding ({said}) applies another coding after chunked, which newsmon does not undo "
                "(chunked comes last, RFC 9112 6.1)")
    known = BufferedReader.get_supported_decompressors()
    if unknown := [coding for coding in codings if coding not in known]:
        return (f"its Transfer-Encoding ({said}) applies {', '.join(unknown)}, a transfer coding newsmon cannot undo "
                "(it undoes chunked, gzip, deflate, br, zstd): the bytes are still encoded")
    return None


def _codings_named(http: StatusAndHeaders | None, transfer: bool = True) -> str:
    """The codings a body was sent in, as its reasons name them, one subject of "is corrupt" and "breaks
    off": "gzip, br Content-Encoding", "gzip Transfer-Encoding", "deflate Content-Encoding under a gzip
    Transfer-Encoding" (chunked, which says where the body ends, apart; ``transfer``: the transfer
    codings are undone; not where the body was read as stored, ``transfer_refusal``)."""
    named = [f"{', '.join(codings)} {header}" for codings, header in
             ((content_codings(http), "Content-Encoding"), (_framing(http)[1] if transfer else [], "Transfer-Encoding"))
             if codings]
    return " under a ".join(named)


def _readers(record: ArcWarcRecord, transfer_undone: bool = True) -> list:
    """The readers a response's body goes through, the one that gives the page last: the record's
    (``_Chunked`` for a chunked body; whole for a response record that holds no HTTP response,
    ``NoHttp``), then one decoder a Content-Encoding, the last applied first, as the crawl's
    (Scrapy's HttpCompressionMiddleware) undoes them. warcio's own (``content_stream``) undoes the
    first header's value when that is one coding it knows: a page sent "gzip, br" (or in a header
    each) came out still compressed, "not an HTML page". Undoing stops at a coding warcio has no
    decoder for: what is left is not text, and says so.

    Transfer codings other than chunked ("gzip, chunked", or a header each) were applied after the
    Content-Encodings, and are undone first (``transfer_refusal`` first: one no decoder undoes);
    before, only a Transfer-Encoding of exactly "chunked" was read, and such a body, still
    chunked or compressed, was "not an HTML page", or stored with its chunk sizes in its text.
    Without ``transfer_undone`` they are taken as undone by the archive's writer (``read_body``), the
    chunks too where there may be any (warcio's de-chunking passes on a body that is none)."""
    headers = record.http_headers
    if isinstance(headers, NoHttp):
        return [io.BufferedReader(_Prefixed(headers.first_line, record.raw_stream))]
    known = BufferedReader.get_supported_decompressors()
    chunked, transfer = _framing(headers)
    if not transfer_undone:
        chunked, transfer = "chunked" in transfer_codings(headers), []
    codings = list(takewhile(lambda coding: coding in known, reversed(content_codings(headers) + transfer)))
    last = codings[0] if codings else None
    if chunked:
        readers = [_Chunked(record.raw_stream, decomp_type=last)]
    else:
        readers = [BufferedReader(record.raw_stream, decomp_type=last) if last else record.raw_stream]
    for undone, coding in zip(codings, codings[1:]):
        readers.append(_Layer(readers[-1], undone))
        readers.append(BufferedReader(readers[-1], decomp_type=coding))
    return readers


def read_body(record: ArcWarcRecord) -> Body:
    """A response's body, decoded, ``MAX_BODY + 1`` bytes at most, and whether its
    Content-Encoding ends early or is corrupt.

    warcio returns what it could decode of either and says nothing (it writes a corrupt
    stream's complaint to standard error): an outlet's page cut there passed for a whole one,
    its article stored cut or written off as "not an article", and a corrupt one was stored as
    mojibake. The crawl refuses both (``middlewares``: ``bad_compression``); an archive may hold
    the only copy of a page, so its reader decides what a cut one is worth. A body warcio could
    not decode at all comes back as it was sent (compressed bytes, which are not text).
    """
    refused = transfer_refusal(record.http_headers)
    readers = _readers(record, transfer_undone=not refused)
    complaint = io.StringIO()
    with redirect_stderr(complaint):
        data = readers[-1].read(MAX_BODY + 1)
    # A page the archive's writer stored decoded, the Transfer-Encoding header kept (as warcio allows for
    # chunks that are none): it was read before such codings were undone, and refused only for its header.
    # Nothing at all (or whitespace) is no coding's output: an empty page, said so (``empty_body``); refused, it
    # was "the bytes are still encoded", where there were none.
    if refused and (unfit := check_body(data)) is not None and unfit.code != "empty_body" and not opens_late(data):
        return Body(b"", undecodable=refused)
    if len(data) > MAX_BODY:
        return Body(data)
    named = _codings_named(record.http_headers, transfer=not refused)
    if over := [reader.coding for reader in readers if isinstance(reader, _Layer) and reader.over]:
        return Body(data, too_large=f"undoing the {over[0]} of its {named} gives more than that already: "
                                    "a compression bomb?")
    if unread := _undecoded(readers, data):
        return Body(data, corrupt=f"its {named} {unread}")
    # A decoder warcio dropped at its first bytes passed them on as they were: a page stored decoded.
    decoders = [decoder for reader in readers if (decoder := getattr(reader, "decompressor", None)) is not None]
    if all(getattr(decoder, "eof", True) for decoder in decoders):
        if getattr(readers[0], "broke_off", False):
            return Body(data, cut="its chunked Transfer-Encoding breaks off there (the last chunk never came)")
        if not decoders and (short := _short_of_length(record, data)):
            return Body(data, cut=short)
        return Body(data)
    said = _complaint(complaint)
    if said:
        return Body(data, corrupt=f"its {named} is corrupt ({_printable(said)} after {len(data):,} bytes decoded)")
    return Body(data, cut=f"its {named} breaks off there (the compressed stream ends)")


def _undecoded(readers: list, data: bytes) -> str | None:
    """Why a body one of whose Content-Encodings cannot be undone from its first bytes is no page,
    or ``None`` when it is one all the same, or every coding was undone.

    warcio drops a decoder that fails at its first block and passes the bytes on as they are (for
    archives that stored a response decoded, its Content-Encoding header kept): a gzip body
    corrupt from its start came out as gzip bytes, "not an HTML page", where the crawl says
    ``bad_compression`` for the same bytes; and "not gzip at all" as text, stored as an article.
    Bytes that are a page as they are (``check_body`` without the type the server claimed, or a
    page's text after other bytes: ``opens_late``) were stored decoded, and are read."""
    dropped = [reader for reader in readers if isinstance(reader, BufferedReader)
               and reader.decomp_type and reader.decompressor is None]
    if not dropped or (unfit := check_body(data)) is None or opens_late(data):
        return None
    coding = dropped[0].decomp_type.removesuffix("_alt")  # warcio's raw deflate, tried after zlib's
    said = f"no {coding} data"
    if all(reader in dropped for reader in readers[readers.index(dropped[0]):]
           if isinstance(reader, BufferedReader) and reader.decomp_type):
        # Every decoder after it passed the bytes on too: they are its input, whose fault the
        # crawl's own decoder names.
        try:
            decompress(data, coding, MAX_BODY)
        except Corrupt as exc:
            said = f"not valid {coding} data: {exc}"
        except (ValueError, LookupError):
            pass
    what = unfit.reason.removeprefix("not an HTML page: ").replace(" served without a Content-Type", "")
    return f"is corrupt from its first bytes ({said}), nor are the bytes a page stored decoded ({what})"


#: Where a WARC writer rewrote the HTTP headers, what says the body's end was framed all the same:
#: Common Crawl's masks of the Transfer-Encoding and Content-Length it undid (CC-NEWS, CC-MAIN:
#: "X-Crawler-"; the body stored dechunked and decoded, without a Content-Length when none came, a
#: body read short marked WARC-Truncated), and an HTTP/2 or 3 exchange written as HTTP/1.1, its
#: protocol named in the WARC header (WARC-Protocol: "h2,tls/1.3"; WARC-Original-Protocol, the
#: HTTP/2 extension's).
_FRAMING_MASKS = ("X-Crawler-Transfer-Encoding", "X-Crawler-Content-Length")
_PROTOCOL_FIELDS = ("WARC-Protocol", "WARC-Original-Protocol")
_FRAMED_PROTOCOL = re.compile(r"(?:^|[\s,;])(?:h2c?|h3|http/[23](?:\.0)?)(?=$|[\s,;])", re.I)


def _short_of_length(record: ArcWarcRecord, data: bytes) -> str | None:
    """Why a body sent as it is (no Content-Encoding) is only the start of the page: its HTTP
    Content-Length says more, and no chunks (which that length does not measure) were sent. The
    archive's crawler lost the connection, and wrote what came without saying so (no
    ``WARC-Truncated``). Or, sent without a Content-Length nor chunks over HTTP/1 (the server's
    closing the connection ends such a body, early or not), it stops before its end tag, as the
    crawl tells such a cut (``outcome.cut_short``): it was stored as the whole article."""
    http = record.http_headers
    if http is None or isinstance(http, NoHttp) or _framing(http)[0]:
        return None
    declared = (http.get_header("Content-Length") or "").strip()
    if declared.isdigit():
        return None if int(declared) <= len(data) else \
            f"it ends after {len(data):,} of the {int(declared):,} bytes its Content-Length says"
    # HTTP/2 and 3 frame a body's end without a length; a record the archive says is cut says
    # why itself (``ingest``), better than this guess.
    if declared or not (http.protocol or "").upper().startswith("HTTP/1.") or \
            any(record.rec_headers.get_header(name) for name in ("WARC-Truncated", "WARC-Segment-Number")):
        return None
    # Framed all the same, where the archive rewrote the headers: Common Crawl's records of chunked
    # and HTTP/2 responses (most of CC-NEWS) come so, and a whole page without its end tags (a
    # minifier drops them) was stored "from its first bytes only", its later captures "seen".
    if any(http.get_header(name) is not None for name in _FRAMING_MASKS) or \
            any(_FRAMED_PROTOCOL.search(record.rec_headers.get_header(name) or "") for name in _PROTOCOL_FIELDS):
        return None
    if cut_short(data) is None:
        return None
    return (f"it came without a Content-Length (nor chunks), ended by the connection's close, and stops after "
            f"{len(data):,} bytes, before its end tag")


def target_uri(value: str | None) -> str:
    """A URL as a WARC header gives it. WARC/1.0's grammar put URIs in angle brackets (GNU wget
    still writes ``WARC-Target-URI: <https://…>``); warcio takes them off ``WARC-Target-URI``
    only, so a revisit record written so named in ``WARC-Refers-To-Target-URI`` a capture that
    no stored URL matched."""
    value = (value or "").strip()
    return value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value


class NoHttp(StatusAndHeaders):
    """The HTTP headers of a ``response`` record that holds no HTTP response, only the page (a
    converter that wrote saved pages as responses, not as ``resource`` records): none, and the
    line of the page read to find so, which ``read_body`` gives back in front of the rest.
    warcio took the page's first line for a status line and its next lines, up to a blank
    one, for headers: a status of "html><head>…", counted "not html", and a watched outlet's
    article in the archive never stored, its URL in no state."""

    def __init__(self, first_line: bytes) -> None:
        super().__init__("", [], protocol="")
        self.first_line = first_line


class _Prefixed(io.RawIOBase):
    """``first`` and then what ``rest`` reads."""

    def __init__(self, first: bytes, rest: IO[bytes]) -> None:
        self.first, self.rest = first, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.first:
            n = min(len(buffer), len(self.first))
            buffer[:n], self.first = self.first[:n], self.first[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class _AnyCaseLoader(ArcWarcRecordLoader):
    """warcio's record loader, for which ``HTTPS://`` is an http(s) URL too: it read the HTTP
    headers of ``http:``/``https:`` targets alone, so a response to HTTPS://… had none, and its
    page was in no count at all. A response whose payload does not start with an HTTP status
    line gets ``NoHttp``. A record without a ``WARC-Target-URI`` (a writer's bug) has none: warcio
    raised at it, and the rest of the archive went unread ("not a readable WARC file")."""

    def load_http_headers(self, rec_type, uri, stream, length):
        uri = uri[:8].lower() + uri[8:] if uri else ""
        if rec_type != "response" or length == 0 or not (uri or "").startswith(self.HTTP_SCHEMES):
            return super().load_http_headers(rec_type, uri, stream, length)
        line = read = stream.readline()
        while line and not line.strip():  # a page's blank lines before its <!DOCTYPE>
            line = stream.readline()
            read += line
        if not line.strip() or line.lstrip()[:5].upper() == b"HTTP/":
            return self.http_parser.parse(stream, full_statusline=line or read)
        return NoHttp(read)


#: The records that hold a page, or stand for one (``read_part``).
_PAGE_RECORDS = ("response", "resource", "revisit")


def _iterator(stream: IO[bytes]) -> ArchiveIterator:
    records = ArchiveIterator(stream)
    records.loader.__class__ = _AnyCaseLoader  # the loader the iterator made, as it made it
    return records


def _next_member(part: Part, damaged: int, size: int | None) -> int | None:
    """Where the gzip member after a damaged one at ``damaged`` starts in the part, for a WARC.gz
    of a record a member whose bytes can be read anywhere (a file, a server that answers Range
    requests); ``None`` when there is none before the part's end (a file cut short: it may grow)."""
    source = part.source
    if part.member is not None or source.kind != "warc.gz" or (is_url(source.location) and not source.ranges):
        return None
    limit = part.end if part.end is not None else size
    if limit is None or damaged + 1 >= limit:
        return None
    return _first_member(source, damaged + 1, limit)


def read_part(part: Part, keep: Callable[[ArcWarcRecord, str], T | None], read: PartRead,
              mark: Callable[[], Callable[[], None]] | None = None) -> Iterator[T]:
    """What ``keep`` makes of each complete record of the part that names an http(s) URL.

    ``keep(record, url)`` sees the record's WARC and HTTP headers first and reads the body only
    if it wants the record (returning ``None`` skips it). A candidate is yielded once its record
    is known to be whole; reading stops at the first record that cannot be read (``read.stop``).
    ``mark()``, called as each record starts, returns what undoes what ``keep`` did of it, called
    where the record turns out not whole (cut by a dropped connection and read again from its
    start, damaged, or where reading stops): it was counted each time it was read.

    warcio ends silently at a truncated gzip member and only prints a complaint for a corrupt
    one, so the checks are ours: every record must be complete (its Content-Length read in
    full), and reading the last part must reach the end of the WARC.
    """
    with _Reading() as stack:
        stream, first, size = open_part(part, stack)
        captured = io.StringIO()
        records = _iterator(stream)
        origin = records.offset  # the iterator counts from where the stream was opened
        # A WARC.zst written a frame per record counts its offsets in the file, at frames, where
        # the iterator counts what they decompress to.
        frames = stream if part.source.kind == "warc.zst" and isinstance(stream, _ZstdFrames) else None
        number = 0
        end = read.end = read.start = first  # where the last complete record ended
        while part.end is None or end < part.end:  # a record starting later is the next part's
            number += 1
            found = None
            undo = mark() if mark is not None else None
            try:
                with redirect_stderr(captured):
                    record = next(records, None)
                    if record is None:
                        break
                    if frames is not None and number == 1 and (at := frames.frame_at(0)) is not None:
                        # The file's first record starts after its dictionary's frame, maybe
                        # past a part smaller than that frame: then it is the next part's.
                        end = read.end = at
                        if part.end is not None and end >= part.end:
                            break
                    if record.format == "warc" and not (record.rec_headers.get_header("Content-Length") or "").isdigit():
                        raise _Unreadable("a record without a valid Content-Length header")
                    # warcio reads any text as an (old) ARC file; a record naming no http(s) URL
                    # is what garbage looks like through it.
                    url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("uri") or ""
                    http = url[:8].lower().startswith(("http://", "https://"))  # HTTPS:// too: a scheme has no case
                    if not url.strip() and record.rec_type in _PAGE_RECORDS and record.format == "warc":
                        # A WARC record naming no URL at all is ``keep``'s to count (a page it held was in no count),
                        # and a WARC's record still: a file of them only was "no WARC record found". (Not an ARC
                        # one: text read as an ARC file has a blank first field as easily as any.)
                        http = True
                    if http:
                        found = keep(record, url)
                    records.read_to_end()
                    if isinstance(record.raw_stream, LimitReader) and record.raw_stream.limit > 0:
                        raise _Unreadable(f"the record ends {record.raw_stream.limit} bytes short of its Content-Length"
                                          + (f" ({_complaint(captured)})" if _complaint(captured) else
                                             " (the file is truncated)"))
            # warcio raises what its parsers raise on bad input (ArchiveLoadFailed, ValueError,
            # EOFError, zlib.error, ...): any of them means this record cannot be read.
            except Exception as exc:  # noqa: BLE001
                if undo is not None:
                    undo()
                if isinstance(exc, (OSError, HTTPException)) and not isinstance(exc, gzip.BadGzipFile):
                    # Not a damaged record but a transport that failed (a connection reset or timed
                    # out, a disk that stopped answering): the part fails, and the ledger keeps the
                    # archive unfinished for the next run to resume here. A stop would mark it read.
                    # (gzip's BadGzipFile, an OSError, is damage: a WARC gzipped whole whose CRC or
                    # next member is wrong, which reading again would meet again.)
                    raise
                problem = str(exc) if isinstance(exc, _Unreadable) else \
                    f"the record cannot be parsed ({type(exc).__name__}: {exc})"
                if "non-chunked gzip" in str(exc):
                    # warcio's words for a gzip member of several records, which it reads only as
                    # the first member after a single-record one; its own command rewrites it.
                    problem = ("its gzip members hold several records each: `warcio recompress FILE "
                               "NEW.warc.gz` rewrites it a record a member")
                elif (after := _next_member(part, end, size)) is not None:
                    # A damaged member (a flipped bit, a block of zeros) in a WARC.gz of a record a
                    # member costs that record only: the rest of the file was lost with it, for good,
                    # since the ledger called the archive read. Reading goes on at the next member
                    # that holds a record, and the ledger names the bytes skipped.
                    # (Not cut short, as a record short of its length at the file's end would be.)
                    problem = problem.replace("(the file is truncated)", "(its gzip member is damaged)")
                    read.holes.append(Stop(part.member, end, number, _printable(problem), after - end, after))
                    stream = _open_raw(part.source, stack, after)
                    captured = io.StringIO()
                    records = _iterator(stream)
                    first, origin = after, records.offset
                    end = read.end = after
                    continue
                # Sent with no length, the stream may have ended here because its connection dropped, not
                # because the file is damaged or truncated: it says so, and what to do.
                said = _printable(problem) + (f"; {_unframed(part.source.location)}" if stack.unframed else "")
                read.stop = Stop(part.member, end, number, said, (size or end) - end)
                read.unframed = stack.unframed and size is None
                return
            if frames is None:
                # Never backwards: inside a gzip member of several records (which warcio refuses
                # at the next record) its offsets are no file offsets, and went negative.
                end = max(end, first + records.offset - origin)
            elif (at := frames.frame_at(records.offset - origin)) is not None:
                # A record that ends inside a frame (several records in one) leaves the offset at
                # the frame's start: a part reads a frame whole, resuming re-reads it.
                end = at
            read.records += 1
            read.http_records += http
            read.end = end
            if found is not None:
                yield found
        if part.end is None and size is not None and end < size and not holds_no_record(part, end, size):
            complaint = _complaint(captured)
            read.stop = Stop(part.member, end, number, "no complete record in the rest of the file "
                             + (f"({complaint})" if complaint else "(it is truncated)"), size - end)
        elif part.end is None and size is None and stack.unframed:
            body = stack.body
            rest = stack.base + body.delivered - end if body is not None and part.source.kind in ("warc.gz", "warc") \
                else 0
            read.unframed = True
            if rest > 0 and (rest > len(body.tail) or not _nothing(bytes(body.tail[-rest:]), part.source.kind)):
                # It ended inside a record too short to read anything of (a gzip member cut in its first bytes,
                # which warcio ends at quietly): read as an end between two records, and met again there by a
                # read again (``ingest_part``), the archive was called whole, the rest never read.
                read.stop = Stop(part.member, end, number, f"its stream ended {rest:,} bytes into this record, "
                                 f"before any of it could be read; {_unframed(part.source.location)}")
            else:
                # Its end is where the connection closed, between two records: no length said where the archive
                # ends, and a connection that dropped there read as its end, the rest never read and the archive
                # marked read. Said so (``UNVERIFIED``), not called whole (``ingest_part`` reads it again there).
                read.unverified = _unframed(part.source.location)
