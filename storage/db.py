"""Opening the newsmon database, and the transaction helper every write goes through."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.request import pathname2url

from .exceptions import (DatabaseDamaged, DatabaseFileError, DatabaseFull, DatabaseLocked, DatabaseUnwritable,
                         StorageError)


@contextmanager
def _hidden(*names: str) -> Iterator[None]:
    """Imports of ``names`` fail inside the block (``None`` in ``sys.modules``), unless one of
    them is imported already."""
    hide = [name for name in names if name not in sys.modules]
    for name in hide:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hide:
            del sys.modules[name]


# sqlite-utils imports numpy and pandas when they are installed, only to know their number
# types when it creates a table from inserted values. newsmon creates its tables by migrations
# and writes Python values only (``relevance.predict`` returns floats), and numpy, installed for
# scikit-learn, is 50 ms of every process newsmon starts: the crawl, each of its extraction
# workers, every command. Code that needs numpy later imports it as usual.
with _hidden("numpy", "pandas"):
    import sqlite_utils

DEFAULT_DB = "newsmon.db"
"""The database file when none is given, relative to the current directory."""

BUSY_TIMEOUT_SECONDS = 30.0
"""How long a write waits for another process's write to finish before failing.

The crawler, a scheduled run, ``newsmon rescore`` and a reviewer's DB Browser may all hold the
file at once; every write transaction is short, so 30 s only runs out when something is stuck
or long on purpose: a DB Browser for SQLite with changes not written yet holds its write until
the reviewer writes or reverts them, a ``VACUUM`` of a large file holds it for minutes. Then
``transaction`` raises ``DatabaseLocked``. ``open_db(busy_timeout=)`` sets another wait.
"""


def _refuse_anothers(conn: sqlite3.Connection, path: str | os.PathLike) -> None:
    """Refuse another application's SQLite file, before anything is written to it: its tables
    and no newsmon migration. newsmon switched it to WAL and wrote its schema and pages into it
    (or, where a table's name was one of newsmon's, ended in a traceback)."""
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name")]
    if tables and "_migrations" not in tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        raise DatabaseFileError(
            f"{os.fspath(path)!r} is not a newsmon database (a SQLite file of another application: its tables "
            f"{shown}); it was left as it was: point --db / NEWSMON_DB at a newsmon database or at a new file name")


def open_db(path: str | os.PathLike, *, migrate: bool = True,
            busy_timeout: float | None = None) -> sqlite_utils.Database:
    """Open (creating if need be) the newsmon database at ``path``, migrated to the current schema.

    Args:
        path: The database file; missing parent directories are created. ``":memory:"``
            gives a private in-memory database.
        migrate: Apply pending migrations (``storage.migrations``). Pass ``False`` only to
            inspect a file as it is.
        busy_timeout: Seconds a write waits for another process's write (default
            ``BUSY_TIMEOUT_SECONDS``).

    Returns:
        A ``sqlite_utils.Database`` in WAL mode with foreign keys enforced.

    Raises:
        DatabaseFileError: ``path`` is not a SQLite database or cannot be opened.
        NewerSchemaError: the file was migrated by a newer newsmon.
    """
    from .migrations import migrate as apply_migrations

    in_memory = str(path) == ":memory:"
    if not in_memory:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # every command reports this as it does a file SQLite cannot open
            raise DatabaseFileError(f"cannot open {os.fspath(path)!r} (cannot make its directory "
                                    f"{os.fspath(Path(path).parent)!r}: {exc.strerror or exc}); "
                                    "give --db a writable file path") from None
    try:
        wait = BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout
        conn = sqlite3.connect(str(path), timeout=wait)
    except sqlite3.OperationalError as exc:
        raise DatabaseFileError(f"cannot open {os.fspath(path)!r} ({exc}); give --db a writable file path") from None
    db = sqlite_utils.Database(conn)
    try:
        set_busy_timeout(db, wait)
        if not in_memory and migrate:
            try:
                _refuse_anothers(conn, path)
            except DatabaseFileError:
                conn.close()
                raise
        if not in_memory:
            # WAL: readers (Datasette, DB Browser, `newsmon serve`) never block the crawler's
            # writes, nor the writes them.
            db.enable_wal()
        # NORMAL is durable across application crashes in WAL mode; only a power loss can undo
        # the last commits, which a re-crawl recovers. FULL would fsync on every page stored.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate:
            apply_migrations(db)
    except sqlite3.DatabaseError as exc:
        # A disk that filled up or went read-only since the file was made fails here, at the
        # first write (the WAL's files): raised as SQLite's bare error, a crawl ended in a
        # traceback with exit status 1, and the schedule recorded neither it nor its own
        # bookkeeping, and alerted no one.
        said = None if in_memory else _unopenable(db, path, exc)
        conn.close()
        if said is not None:
            raise said from None
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise DatabaseFileError(
                f"{os.fspath(path)!r} is not a newsmon database ({exc}); "
                "point --db / NEWSMON_DB at a newsmon database or at a new file name") from None
        raise
    except BaseException:
        conn.close()
        raise
    return db


def open_read_only(path: str | os.PathLike) -> tuple[sqlite_utils.Database, str]:
    """Open the newsmon database at ``path`` to read it as it is, for a command that only reads
    (``newsmon status``, ``export``, ``explain``) where ``open_db`` cannot write it: a read-only
    disk (a snapshot, a backup mounted read-only), a file of another user.

    Returns:
        The database, its connection read-only (``PRAGMA query_only``; ``db.immutable`` when
        SQLite could read it only as an immutable file), and what a reader of the output should
        know of it: ``""``, or that the last writes of its ``-wal`` file are left out (SQLite
        reads a WAL file only where it may make its ``-shm`` index beside it).

    Raises:
        DatabaseFileError: not a newsmon database, or not one at all.
        NewerSchemaError: migrated by a newer newsmon.
        DatabaseUnwritable: written by an older newsmon: its migrations would have to write.
    """
    from .migrations import MIGRATIONS, _refuse_newer

    where = os.fspath(path)
    url = f"file:{pathname2url(os.path.abspath(path))}"
    left_out, immutable = "", False

    def not_newsmon(exc: sqlite3.DatabaseError) -> DatabaseFileError:
        return DatabaseFileError(f"{where!r} is not a newsmon database ({exc}); point --db / NEWSMON_DB at a newsmon "
                                 "database")

    conn = sqlite3.connect(f"{url}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if not (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY",
                                                                              "SQLITE_IOERR")):
            raise DatabaseFileError(f"cannot read {where!r} ({exc}); check --db / NEWSMON_DB") from None
        # A WAL database whose -shm index cannot be made here (a read-only disk: CANTOPEN, or
        # READONLY_CANTINIT in a directory this user may not write), or be given its size (a
        # full disk): only as an immutable file, its -wal file unread.
        conn, immutable = sqlite3.connect(f"{url}?immutable=1", uri=True), True
        wal = Path(f"{where}-wal")
        if wal.is_file() and wal.stat().st_size:
            left_out = (f"the last writes, in {wal.name} ({wal.stat().st_size:,} bytes), are left out: copy the "
                        "database with its -wal file to a writable disk to read them")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise not_newsmon(exc) from None
    db = sqlite_utils.Database(conn)
    # Read so, a WAL file's -wal is not read: what opens the file after (Datasette) must too.
    db.immutable = immutable
    try:
        db.execute("PRAGMA query_only = ON")
        _refuse_anothers(conn, path)
        if not [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE name = '_migrations'")]:
            raise DatabaseFileError(f"{where!r} is an empty SQLite file, not yet a newsmon database; point --db / "
                                    "NEWSMON_DB at the file `newsmon crawl` wrote")
        _refuse_newer(db)
        pending = MIGRATIONS.pending(db)
        if pending:
            raise DatabaseUnwritable(
                f"the database {where} was written by an older newsmon and must be migrated ({len(pending)} "
                "migrations), which writes to it: copy it to a disk this user may write, or run any newsmon "
                "command there once", path=where)
        db.execute("PRAGMA foreign_keys = ON")
    except StorageError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise not_newsmon(exc) from None
    except BaseException:
        conn.close()
        raise
    return db, left_out


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction: commit at the end of the block, roll back on an exception.

    Outside a transaction this starts one with ``BEGIN IMMEDIATE``: the write lock is taken up
    front, so a read-then-write (a dedupe lookup, then the insert) waits on ``busy_timeout`` for
    another writer instead of failing with "database is locked" when it upgrades to a write.
    Inside one (nested calls, ``db.atomic()``) it becomes a savepoint, so the queries compose:

        with transaction(db):
            article_id, new = queries.save_article(db, record)
            queries.save_page(db, url, body, article_id=article_id)

    Keep the block short: other processes wait while it is open. For a long batch, open one
    transaction per few hundred rows rather than one for all.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        _begin(conn)
    except sqlite3.OperationalError as exc:
        said = unwritable(db, exc)
        if said is None:
            raise
        if isinstance(said, DatabaseLocked) and _stopping.is_set():
            said = locked(db, stopping=True)
        raise said from None
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException as exc:
        # The error may itself have ended the transaction (a RAISE(ROLLBACK) trigger). So may the
        # connection's close: a Ctrl-C as the block ended, before this resumed to COMMIT, left this
        # suspended until the interpreter's exit, after the command closed the database (which rolled
        # back): "Exception ignored … Cannot operate on a closed database", under the stopped line.
        try:
            left_open = conn.in_transaction
        except sqlite3.ProgrammingError:
            left_open = False
        if left_open:
            conn.execute("ROLLBACK")
        said = unwritable(db, exc)
        if said is None:
            raise
        raise said from None


@contextmanager
def reading(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Reads that must agree with each other: one read transaction (a plain ``BEGIN``), so every query of the
    block sees the database as its first query found it, whatever another process commits meanwhile (WAL keeps
    that snapshot without blocking the writer). Inside a transaction already, the block reads in it.

    Keep the block to reads: its first write would wait for the write lock with no ``transaction()`` retry.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN")
    try:
        yield db
    finally:
        # Nothing to keep: a read transaction ends the same either way, and ROLLBACK cannot fail for a busy database.
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def settle(db: sqlite_utils.Database) -> None:
    """Roll back the transaction a Ctrl-C left open: raised as a ``with transaction(db)`` block ended,
    before ``transaction()`` resumed to COMMIT, a KeyboardInterrupt leaves it suspended and its
    transaction open until the database closes, and what a stopped command then reads is the
    uncommitted work. Called outside every block, where any open transaction is such a one."""
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def landed(db: sqlite_utils.Database, state: Mapping[str, bool], check: Callable[[], bool]) -> bool:
    """Whether the write a Ctrl-C stopped is in the database, the transaction it left open rolled back first
    (``settle``): a stopped command counts it in the line it says ("after N of M"), or not.

    ``state``: how far the write got, "written" set as its ``with transaction(db)`` block's last statement and
    "committed" once the block is done. ``check()`` asks the database only where the two cannot be told apart (written,
    its transaction not left open: the Ctrl-C came after the COMMIT or before it, in contextlib's exit); asked by the
    database alone, a write that changed nothing it could see was counted though rolled back. Asked again at a second
    Ctrl-C, which asks for what is being done."""
    left_open = db.conn.in_transaction
    while True:
        try:
            settle(db)
            return bool(state.get("committed") or (state.get("written") and not left_open and check()))
        except KeyboardInterrupt:
            continue


TRY_SECONDS = 0.25
"""How long one try for the write lock lets SQLite wait before Python has control again.

SQLite waits for another process's write inside one C call, in which Python runs no signal
handler: a crawl sent SIGTERM (the daemon's stop, systemd's) while it waited for a reviewer's
DB Browser heard it only when the busy timeout ran out, 30 s, then waited as long again to
record its run, and was killed at the daemon's stop_timeout. ``transaction`` waits in tries
of this length, the busy timeout in all, and handles signals between them.
"""

STOPPING_WAIT_SECONDS = 2.0
"""How long a write waits for another process's once this process was asked to stop
(``stop_waiting``): what it has not written by then, the next run does."""

_stopping = threading.Event()


def stop_waiting() -> None:
    """This process was asked to stop (SIGTERM, a first Ctrl-C): from now on its writes wait at
    most ``STOPPING_WAIT_SECONDS`` for another process's, then fail as ``DatabaseLocked``."""
    _stopping.set()


def _busy(exc: sqlite3.OperationalError) -> bool:
    return (getattr(exc, "sqlite_errorname", None) or "").startswith("SQLITE_BUSY") or str(exc) == "database is locked"


def _begin(conn: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for another process's write as long as the connection's busy
    timeout says, in tries of ``TRY_SECONDS``."""
    wait_ms = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try_ms = round(TRY_SECONDS * 1000)
    if wait_ms <= try_ms:
        conn.execute("BEGIN IMMEDIATE")
        return
    started = time.monotonic()
    conn.execute(f"PRAGMA busy_timeout = {try_ms}")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                waited = time.monotonic() - started
                if (not _busy(exc) or waited * 1000 >= wait_ms - try_ms
                        or (_stopping.is_set() and waited >= STOPPING_WAIT_SECONDS)):
                    raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {wait_ms}")


def set_busy_timeout(db: sqlite_utils.Database, seconds: float) -> None:
    """How long this connection's writes wait for another process's write (0: not at all)."""
    db.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")


def unwritable(db: sqlite_utils.Database, exc: BaseException) -> DatabaseUnwritable | None:
    """What an error of a write means when it is the file's and not the query's: another
    process's write held past the busy timeout, a full disk, a read-only file, a failing disk
    (``None`` for any other error)."""
    if isinstance(exc, DatabaseUnwritable) or not isinstance(exc, sqlite3.OperationalError):
        return None
    name, text = getattr(exc, "sqlite_errorname", None) or "", str(exc)
    if name.startswith("SQLITE_BUSY") or text == "database is locked":
        return locked(db)
    path = _path(db)
    if name.startswith("SQLITE_FULL") or text == "database or disk is full":
        return DatabaseFull(f"the disk holding the database {path} is full (or the file reached a size limit): "
                            "free space on it, then run again", path=path)
    if (name.startswith("SQLITE_IOERR") or text == "disk I/O error") and _disk_full(path):
        # A full disk fails SQLite's first write to the WAL's -shm index as an I/O error.
        return DatabaseFull(f"the disk holding the database {path} is full ({text}): free space on it, then run "
                            "again", path=path)
    if name.startswith(("SQLITE_IOERR", "SQLITE_READONLY")) or text in ("disk I/O error",
                                                                        "attempt to write a readonly database"):
        return DatabaseUnwritable(f"cannot write to the database {path} ({text}): its disk may be full or failing, "
                                  "or this user may not write the file and its directory; see to it, then run again",
                                  path=path)
    return None


def _disk_full(path: str) -> bool:
    """Whether the disk holding ``path`` has less room left than SQLite needs for a write (its
    -shm index alone is 32 KB)."""
    try:
        disk = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except (OSError, AttributeError):  # statvfs is POSIX only
        return False
    return disk.f_bavail * disk.f_frsize < 1 << 20


def damaged(exc: BaseException, path: str | os.PathLike | None) -> DatabaseDamaged | None:
    """``exc`` as the damage of the database file it is (SQLite's SQLITE_CORRUPT, "database disk
    image is malformed"), with what to do; ``None`` for any other error."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, DatabaseDamaged):
        return None
    name = getattr(exc, "sqlite_errorname", None) or ""
    if not (name.startswith("SQLITE_CORRUPT") or "malformed" in str(exc)):
        return None
    return _damaged(path, str(exc))


def _damaged(path: str | os.PathLike | None, why: str) -> DatabaseDamaged:
    where = os.fspath(path) if path else "news.db"
    return DatabaseDamaged(
        f"the database {where} is damaged ({why}): a disk's error, or a copy taken while it was written. Restore a "
        f"backup, or recover what it holds: sqlite3 {where} .recover | sqlite3 recovered.db, then give --db "
        "recovered.db (the next crawl fetches again what it lost)")


def damage(path: str | os.PathLike) -> DatabaseDamaged | None:
    """Whether the database file at ``path`` is damaged, by SQLite's own check (``PRAGMA
    quick_check``: every page read once; seconds for gigabytes): asked once a crawl met errors."""
    try:
        conn = sqlite3.connect(f"file:{pathname2url(os.path.abspath(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return damaged(exc, path)
    finally:
        conn.close()
    if found == ["ok"]:
        return None
    said = "; ".join(line.strip() for row in found for line in row.splitlines() if line.strip() and "***" not in line)
    return _damaged(path, f"SQLite's check: {said[:200]}")


def _unopenable(db: sqlite_utils.Database, path: str | os.PathLike, exc: BaseException) -> DatabaseUnwritable | None:
    """``unwritable`` for an error of ``open_db``'s first statements, and an existing file
    SQLite cannot open for writing (its directory read-only: the WAL's files cannot be made)."""
    try:
        said = unwritable(db, exc)
    except sqlite3.Error:
        said = None
    if said is not None or not isinstance(exc, sqlite3.OperationalError) or not Path(path).exists():
        return said
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith("SQLITE_CANTOPEN") or str(exc) == "unable to open database file":
        where = os.fspath(path)
        return DatabaseUnwritable(f"cannot write to the database {where} ({exc}): this user may not write the file or "
                                  f"its directory (the WAL's -wal and -shm files are made beside it), or it is on a "
                                  "read-only disk; see to it, then run again", path=where)
    return None


def _path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:"


def locked(db: sqlite_utils.Database, *, stopping: bool = False) -> DatabaseLocked:
    """The error for a write that waited this connection's busy timeout in vain (``stopping``:
    ``STOPPING_WAIT_SECONDS``, this process asked to stop)."""
    path = _path(db)
    if stopping:
        return DatabaseLocked(
            f"the database {path} is locked by another process's write, which this process, asked to stop, waited "
            f"for only {STOPPING_WAIT_SECONDS:g} s", path=path, waited=STOPPING_WAIT_SECONDS)
    waited = db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    return DatabaseLocked(
        f"the database {path} is locked: another process has been writing to it for longer than the {waited:g} s "
        "newsmon waits "
        "(DB Browser for SQLite with changes not written yet, a `newsmon prune --vacuum`, a long newsmon command); "
        "write or revert the changes there, or let it finish, then run again", path=path, waited=waited)


def beside(path: str | os.PathLike) -> Path:
    """The directory newsmon keeps beside the database file at ``path`` (``news.db.locks``): the
    outlets' and archives' lock files, and the end of a run or the delivery of a digest its database could not
    take."""
    return Path(str(Path(path).resolve()) + ".locks")


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` (a run's, in the ledger) still runs, for a run left unfinished.
    Off POSIX it is taken to: ``os.kill(pid, 0)`` would send Ctrl-C on Windows."""
    if pid is None:
        return False
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, under another user
    return True
