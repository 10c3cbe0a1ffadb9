"""Raw pages: stored zstd-compressed with a dictionary per outlet, read back whatever wrote them.

A raw page is kept so that ``newsmon reextract`` can rebuild its article after the rules
improve, and so that a crawl killed between download and extraction loses nothing. They are
most of the database, so they are stored small:

- zstd (level 3: a fraction of gzip-9's cost, which was a quarter of the crawl's CPU time) with
  a *raw-content dictionary* per outlet: the outlet's first pages, concatenated. Pages of one
  outlet share their template (head, scripts, menus, footer), so the dictionary holds most of
  each new page. On the saved pages of the outlets with at least 5 (``bench/storage``), a page
  compressed with a dictionary built from the *other* pages of its outlet is 38 % of its gzip-9
  size; dictionaries trained with ``zstandard.train_dictionary`` on so few pages did worse
  (55 % at the same size and level), and gzip-9 → plain zstd-3 alone gains almost nothing (95 %).
- The dictionary is built once ``DICT_AFTER`` pages of an outlet (or, for pages of no known
  outlet, of a host) are stored; those first pages are then re-stored with it. Dictionaries
  live in ``page_dicts``; each page names its own (``pages.dict_id``), so a later dictionary
  never makes an older page unreadable.
- Pages stored by earlier versions (gzip) and by other tools (zlib) are read as they are: the
  codec is told by the blob's first bytes, not by a column.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import zstandard
from sqlite_utils import Database

from .db import settle, transaction
from .exceptions import DictionaryMissing

#: zstd level for every page: 0.7 ms for a 136 KB page with a dictionary (gzip-9: ~10 ms);
#: level 6 saves another 12 % of bytes for twice the time (bench/storage). Faster levels lose
#: what the dictionary gains: level 1 stores held-out pages in 66 % of gzip-9's bytes (level 3:
#: 37 %) for 0.52 ms a page against 0.6, level -1 in 96 % (bench/storage, 2026-11-30).
LEVEL = 3
#: Pages of one outlet stored before its dictionary is built from them.
DICT_AFTER = 8
#: Bytes of the outlet's first pages kept as its dictionary (the most recent part of them).
#: 512 KB: 38 % of gzip-9 on held-out pages; 256 KB: 44 %; 1 MB: 32 % for twice the memory.
DICT_BYTES = 512 * 1024

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"
_BATCH = 500

# Compressors and decompressors by dictionary content (sha256): preparing a 512 KB dictionary
# costs a few ms, a page 0.7 ms. Keyed by content, not id, so two databases never mix theirs up.
# zstandard's (de)compressor objects are not thread-safe: one set per thread.
_local = threading.local()


def _cache() -> dict[tuple[str, str], object]:
    if not hasattr(_local, "cache"):
        _local.cache = {}
    return _local.cache


def dict_key(url: str, outlet: str | None) -> str:
    """Which dictionary a page belongs to: its outlet, else its host (a site of no outlet)."""
    return outlet or (urlsplit(url).hostname or "")


def _dictionary(db: Database, dict_id: int) -> tuple[str, zstandard.ZstdCompressionDict | None]:
    row = db.execute("SELECT sha256 FROM page_dicts WHERE id = ?", [dict_id]).fetchone()
    if row is None:
        raise LookupError(f"page dictionary {dict_id} is missing from page_dicts; the page cannot be read")
    sha = row[0]
    if ("dict", sha) not in _cache():
        _prepared(sha, db.execute("SELECT dict FROM page_dicts WHERE id = ?", [dict_id]).fetchone()[0])
    return sha, _cache()[("dict", sha)]  # type: ignore[return-value]


def _prepared(sha: str, data: bytes) -> zstandard.ZstdCompressionDict:
    if ("dict", sha) not in _cache():
        _cache()[("dict", sha)] = zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return _cache()[("dict", sha)]  # type: ignore[return-value]


def _dict_compressor(sha: str, prepared: zstandard.ZstdCompressionDict) -> zstandard.ZstdCompressor:
    if ("c", sha) not in _cache():
        _cache()[("c", sha)] = zstandard.ZstdCompressor(level=LEVEL, dict_data=prepared)
    return _cache()[("c", sha)]  # type: ignore[return-value]


def _compressor(db: Database, dict_id: int | None) -> zstandard.ZstdCompressor:
    if dict_id is None:
        key = ("c", "")
        if key not in _cache():
            _cache()[key] = zstandard.ZstdCompressor(level=LEVEL)
        return _cache()[key]  # type: ignore[return-value]
    return _dict_compressor(*_dictionary(db, dict_id))


def _decompressor(db: Database, dict_id: int | None) -> zstandard.ZstdDecompressor:
    if dict_id is None:
        key = ("d", "")
        if key not in _cache():
            _cache()[key] = zstandard.ZstdDecompressor()
        return _cache()[key]  # type: ignore[return-value]
    sha, data = _dictionary(db, dict_id)
    if ("d", sha) not in _cache():
        _cache()[("d", sha)] = zstandard.ZstdDecompressor(dict_data=data)
    return _cache()[("d", sha)]  # type: ignore[return-value]


def decompress(db: Database, blob: bytes, dict_id: int | None = None) -> bytes:
    """The raw body of a stored page: zstd (with its dictionary), gzip or zlib."""
    if blob[:4] == _ZSTD_MAGIC:
        # Streaming read: a frame written by a streaming compressor may not record its size.
        return _decompressor(db, dict_id).decompressobj().decompress(blob)
    # gzip is what newsmon wrote before m008; zlib is accepted for pages stored by other tools.
    return gzip.decompress(blob) if blob[:2] == _GZIP_MAGIC else zlib.decompress(blob)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def current_dict(db: Database, key: str) -> int | None:
    """The id of the dictionary new pages of ``key`` are compressed with, if it has one yet."""
    row = db.execute("SELECT id FROM page_dicts WHERE key = ? ORDER BY id DESC LIMIT 1", [key]).fetchone()
    return row[0] if row else None


def dictionaries(db: Database, keys: Iterable[str]) -> dict[str, tuple[int, str, bytes]]:
    """``{key: (dict_id, sha256, dictionary)}``: the current dictionary of each of ``keys`` that
    has one, for processes that compress pages away from the database (``compress``)."""
    out = {}
    for key in keys:
        dict_id = current_dict(db, key)
        if dict_id is not None:
            out[key] = (dict_id, *db.execute("SELECT sha256, dict FROM page_dicts WHERE id = ?", [dict_id]).fetchone())
    return out


def compress(dicts: Mapping[str, tuple[int, str, bytes]], url: str, outlet: str | None,
             body: bytes) -> Compressed | None:
    """The page as ``save_page`` would store it, compressed with its key's dictionary from
    ``dicts`` (``dictionaries``), or ``None`` when its key has none there. For the workers of an
    ingest: the writer stores the blob as it is, and receives a tenth of the bytes."""
    found = dicts.get(dict_key(url, outlet))
    if found is None:
        return None
    dict_id, sha, data = found
    return Compressed(dict_id, sha, _dict_compressor(sha, _prepared(sha, data)).compress(body), len(body))


@dataclass(frozen=True)
class Compressed:
    """A page compressed elsewhere (``compress``), with the dictionary it needs."""

    dict_id: int
    sha256: str  # of the dictionary: the same id in another database is not the same dictionary
    blob: bytes
    size: int


def save_page(db: Database, url: str, body: bytes | None, *, article_id: int | None = None, http_status: int = 200,
              content_type: str | None = None, outlet: str | None = None, now: str | None = None,
              compressed: Compressed | None = None, part_of: int | None = None,
              captured_at: str | None = None) -> int:
    """Keep the raw bytes of a fetched page, compressed, so it can be re-extracted without a fetch.

    Args:
        outlet: the outlet the page belongs to: its dictionary is used (built from the
            outlet's first pages once there are ``DICT_AFTER``). Without one, the host's.
        compressed: the page compressed already (``compress``; ``body`` may then be None):
            stored as it is.
        part_of: for page 2, 3 … of an article split over several, the id of its first page.
        captured_at: when an archive's crawler fetched the page (an ingest's), if not now.

    Raises:
        DictionaryMissing: ``compressed`` names a dictionary this database does not have.
    """
    key = dict_key(url, outlet)
    with transaction(db):
        if compressed is not None:
            row = db.execute("SELECT sha256 FROM page_dicts WHERE id = ?", [compressed.dict_id]).fetchone()
            # A key's current dictionary is never replaced nor pruned (build_dict runs only for a
            # key without one), so this holds unless page_dicts was edited by hand.
            if row is None or row[0] != compressed.sha256:
                raise DictionaryMissing(f"page dictionary {compressed.dict_id} the page was compressed with is "
                                        "not in this database; store the page's body instead")
            return _insert(db, url, article_id, now, http_status, content_type, compressed.blob,
                           compressed.size, key, compressed.dict_id, part_of, captured_at)
        if body is None:
            raise ValueError("save_page needs the page's body or the page compressed")
        dict_id = current_dict(db, key) if key else None
        page_id = _insert(db, url, article_id, now, http_status, content_type,
                          _compressor(db, dict_id).compress(body), len(body), key, dict_id, part_of, captured_at)
        if dict_id is None and key:
            waiting = db.execute("SELECT count(*) FROM pages WHERE outlet = ? AND dict_id IS NULL",
                                 [key]).fetchone()[0]
            if waiting >= DICT_AFTER:
                build_dict(db, key)
        return page_id


def _insert(db: Database, url: str, article_id: int | None, now: str | None, http_status: int,
            content_type: str | None, blob: bytes, size: int, key: str, dict_id: int | None,
            part_of: int | None = None, captured_at: str | None = None) -> int:
    # Plain SQL: sqlite-utils' insert looks the table up in sqlite_master on every call. The
    # capture time only when there is one: a crawl's page has none, and is written so into a
    # database of before m036 (the migration tests build their old states so).
    captured = ", captured_at" if captured_at is not None else ""
    return db.execute(
        f"INSERT INTO pages (url, article_id, fetched_at, http_status, content_type, body_gz, size, outlet, dict_id, "
        f"part_of{captured}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?{', ?' if captured else ''})",
        [url, article_id, now or _now(), http_status, content_type, blob, size, key or None, dict_id,
         part_of, *([captured_at] if captured else [])]).lastrowid


def build_dict(db: Database, key: str, *, now: str | None = None) -> int | None:
    """Build the dictionary of ``key`` from its pages stored without one, and re-store them with it.

    Returns the dictionary's id, or ``None`` when ``key`` has no such page.
    """
    with transaction(db):
        rows = db.execute("SELECT id, body_gz, dict_id FROM pages WHERE outlet = ? AND dict_id IS NULL ORDER BY id",
                          [key]).fetchall()
        bodies = [(page_id, decompress(db, blob, dict_id)) for page_id, blob, dict_id in rows]
        sample = b"".join(body for _, body in bodies if body)[-DICT_BYTES:]
        if not sample:
            return None
        dict_id = db.table("page_dicts").insert({
            "key": key, "created_at": now or _now(), "pages": len(bodies), "size": len(sample),
            "sha256": hashlib.sha256(sample).hexdigest(), "dict": sample}).last_rowid
        compressor = _compressor(db, dict_id)
        db.conn.executemany("UPDATE pages SET body_gz = ?, dict_id = ? WHERE id = ?",
                            [(compressor.compress(body), dict_id, page_id) for page_id, body in bodies])
        return dict_id


def page_body(db: Database, page_id: int) -> tuple[str, bytes, str | None, int | None] | None:
    """``(url, body, content_type, http_status)`` of a stored page, or ``None`` if it is gone."""
    row = db.execute("SELECT url, body_gz, content_type, http_status, dict_id FROM pages WHERE id = ?",
                     [page_id]).fetchone()
    if row is None:
        return None
    return row[0], decompress(db, row[1], row[4]), row[2], row[3]


def iter_pages(db: Database,
               outlets: Sequence[str] = ()) -> Iterator[tuple[int, str, int | None, bytes, str | None]]:
    """``(page_id, url, article_id, body, content_type)`` of the newest page of each URL, by id;
    with ``outlets``, of pages fetched for those outlets only.

    Read in batches: the caller may write between pages (``newsmon reextract`` does).
    """
    last = 0
    only = f"AND p.outlet IN ({', '.join('?' * len(outlets))})" if outlets else ""
    while True:
        rows = db.execute(
            f"""
            SELECT id, url, article_id, body_gz, content_type, dict_id FROM pages AS p
            WHERE id > ? {only} AND NOT EXISTS (SELECT 1 FROM pages WHERE url = p.url AND id > p.id)
            ORDER BY id LIMIT ?
            """, [last, *outlets, _BATCH]).fetchall()
        for page_id, url, article_id, blob, content_type, dict_id in rows:
            yield page_id, url, article_id, decompress(db, blob, dict_id), content_type
        if len(rows) < _BATCH:
            return
        last = rows[-1][0]


def _remember(db: Database, ids: tuple[int, ...]) -> None:
    """Keep what tells an article's undated pages among ``ids`` (``read_before``) once they are deleted (page 2, 3 …
    of an article is never a capture of its own)."""
    marks = ",".join("?" * len(ids))
    kept = []
    for article_id, url, size, blob, dict_id in db.execute(
            f"SELECT article_id, url, size, body_gz, dict_id FROM pages WHERE id IN ({marks}) "
            "AND captured_at IS NULL AND article_id IS NOT NULL AND part_of IS NULL", ids):
        try:
            body = decompress(db, blob, dict_id)
        except (LookupError, OSError, EOFError, zlib.error, zstandard.ZstdError):
            continue  # unreadable, it told no capture from another before the prune either
        kept.append((article_id, url, size, hashlib.sha256(body).hexdigest()))
    db.conn.executemany("INSERT OR IGNORE INTO pruned_pages (article_id, url, size, sha256) VALUES (?, ?, ?, ?)", kept)


def read_before(db: Database, article_id: int, url: str, body: bytes) -> bool:
    """Whether ``article_id`` held, at ``url``, an undated page of these very bytes (no ``captured_at``: a crawl's,
    or an archive's capture without a usable date), stored still or pruned since (``prune``)."""
    found = db.execute("SELECT id, body_gz, dict_id FROM pages WHERE article_id = ? AND url = ? "
                       "AND captured_at IS NULL AND size = ?", [article_id, url, len(body)]).fetchall()
    if any(decompress(db, blob, dict_id) == body for _, blob, dict_id in found):
        return True
    return db.execute("SELECT 1 FROM pruned_pages WHERE article_id = ? AND url = ? AND size = ? AND sha256 = ?",
                      [article_id, url, len(body), hashlib.sha256(body).hexdigest()]).fetchone() is not None


def prune(db: Database, before: str, *, batch: int = _BATCH) -> Pruning:
    """Delete the raw pages fetched before ``before`` (ISO 8601 UTC); iterating yields how many per batch.

    Articles stay (and whatever else was built from the pages); a page whose URL still waits
    for extraction (``urls.kind = 'fetched'``) is kept, or the next crawl could not extract it,
    and so is page 2, 3 … of an article that an archive held without its first page
    (``page_waiting``): it is read with that page when an ingest meets it, however late.
    Each batch is its own short transaction, so a crawl or a reviewer is never held up for long.
    Dictionaries no page uses any more, other than each outlet's current one, go too. Of an
    article's undated pages, their URL, size and sha256 stay (``pruned_pages``): an archive's
    capture without a date, read again, is known by its bytes alone (``read_before``).

    Freed pages are not overwritten with zeros (``secure_delete``, on in Debian's SQLite): that
    wrote every deleted byte again, through the WAL, so that a prune run to make room on a
    nearly full disk failed for want of the room it was to make.

    A prune stopped by Ctrl-C says :meth:`deleted`: the sum of the counts yielded can miss the
    last batch, whose COMMIT may have happened just before the KeyboardInterrupt was raised.
    """
    return Pruning(db, before, batch)


class Pruning:
    """One run of :func:`prune`: its batches, and how many pages it deleted."""

    def __init__(self, db: Database, before: str, batch: int) -> None:
        self._db, self._before, self._batch = db, before, batch
        # (pages of the batches committed before the current one, the current batch's (id, url, fetched_at)): one
        # attribute, set in one store, so no Ctrl-C can fall between the two and count a batch twice.
        self._done: tuple[int, tuple[tuple[int, str, str], ...]] = (0, ())

    def __iter__(self) -> Iterator[int]:
        db = self._db
        secure = db.execute("PRAGMA secure_delete").fetchone()[0]
        db.execute("PRAGMA secure_delete = OFF")
        try:
            yield from self._batches()
        finally:
            db.execute(f"PRAGMA secure_delete = {int(secure)}")

    def deleted(self) -> int:
        """How many pages this prune deleted, whatever point a Ctrl-C stopped it at."""
        settled, current = self._done
        if not current:
            return settled
        # By id, url and fetched_at, not id alone: pages.id is no AUTOINCREMENT, and a page another process inserts once
        # the batch is committed (an ingest waiting for the write lock, a Ctrl-C while the next batch waits for it)
        # takes a freed id again when the batch held the highest ones, and the batch was counted short.
        marks = ",".join("?" * len(current))
        rows = self._db.execute(f"SELECT id, url, fetched_at FROM pages WHERE id IN ({marks})",
                                [page[0] for page in current]).fetchall()
        return settled + len(set(current) - set(rows))

    def _batches(self) -> Iterator[int]:
        db = self._db
        while True:
            try:
                with transaction(db):
                    pruned = tuple(db.execute(
                        """
                        SELECT id, url, fetched_at FROM pages WHERE fetched_at < ?
                          AND id NOT IN (SELECT page_id FROM urls
                                         WHERE (kind = 'fetched' OR reason_code = 'page_waiting')
                                           AND page_id IS NOT NULL)
                        ORDER BY fetched_at LIMIT ?
                        """, [self._before, self._batch]).fetchall())
                    if not pruned:
                        break
                    self._done = (self._done[0] + len(self._done[1]), pruned)
                    ids = tuple(page[0] for page in pruned)
                    marks = ",".join("?" * len(ids))
                    db.execute(f"UPDATE urls SET page_id = NULL WHERE page_id IN ({marks})", ids)
                    _remember(db, ids)
                    db.execute(f"DELETE FROM pages WHERE id IN ({marks})", ids)
            except BaseException:
                # A Ctrl-C as the block ended, before its COMMIT, left the DELETE open: deleted() counted the batch
                # the database's close then rolled back.
                settle(db)
                raise
            yield len(ids)
        with transaction(db):
            db.execute("""
                DELETE FROM page_dicts WHERE id NOT IN (SELECT max(id) FROM page_dicts GROUP BY key)
                  AND NOT EXISTS (SELECT 1 FROM pages WHERE dict_id = page_dicts.id)
            """)
