"""One crawl of an outlet, and one ingest of an archive, at a time, across processes: the daemon,
cron and a person at a shell.

Each outlet has a lock file beside the database (``news.db.locks/<outlet>.lock``) held with
``flock`` for the whole crawl, and each archive an ingest reads one (``ingest-<hash>.lock``)
until it is done with it. The kernel releases it when the process ends, however it ends
(SIGKILL included), so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from storage.db import beside
from storage.exceptions import DatabaseFull, DatabaseUnwritable


class OutletBusy(RuntimeError):
    """Another process is crawling one of the outlets; the message names it and its pid."""


def lock_dir(db_path: str) -> Path:
    return beside(db_path)


def _holder(path: Path) -> str:
    # A holder that has just made its file writes itself into it after taking the lock: read in
    # between, the file is empty, and the message named no pid to look for.
    for _ in range(5):
        try:
            said = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            break
        if said:
            return said
        time.sleep(0.02)
    return "another process"


def _unusable(path: Path, exc: OSError) -> DatabaseUnwritable:
    """Why the lock file at ``path`` cannot be taken, and what to do: a crawl or an ingest that
    cannot lock cannot run, and one that failed here ended in a traceback, run after run (a lock
    file an administrator's run left, owned by root; a full disk), while status said "ok"."""
    where = f"the lock file {path}"
    if exc.errno == errno.ENOSPC:
        return DatabaseFull(f"{where} cannot be written: the disk holding the database is full; free space on it, "
                            "then run again", path=str(path))
    if isinstance(exc, PermissionError):
        try:
            owner = f", which belongs to uid {path.stat().st_uid}" if path.exists() else ""
        except OSError:
            owner = ""
        return DatabaseUnwritable(
            f"{where}{owner} cannot be opened by this user ({exc.strerror}): a newsmon run as another user made it; "
            f"run newsmon as one user, or let both write {path.parent} (chown, or chmod g+w with a shared group)",
            path=str(path))
    return DatabaseUnwritable(f"{where} cannot be used ({exc.strerror or exc}): check {path.parent}, which "
                              "newsmon keeps beside the database", path=str(path))


def _take(path: Path) -> int | None:
    """The lock file at ``path``, held (its descriptor, which says who holds it), or ``None``
    at once when another process holds it. Raises ``DatabaseUnwritable`` when it cannot be
    opened at all."""
    try:
        # Group-writable, as far as the umask allows: a service's user and an administrator in its group.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o664)
        writable = True
    except PermissionError as exc:
        # Another user's file that this one may read: flock needs no write access.
        try:
            fd, writable = os.open(path, os.O_RDONLY), False
        except OSError:
            raise _unusable(path, exc) from None
    except OSError as exc:
        raise _unusable(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if writable:
        with suppress(OSError):  # who holds it is said for others' messages; a full disk costs only that
            # The machine's local time with its zone: beside the UTC and JST times of newsmon's messages.
            said = f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S %Z')}".encode()
            os.pwrite(fd, said, 0)  # over the last holder's line, then cut: never empty to a reader
            os.ftruncate(fd, len(said))
    return fd


def _lock_dir(db_path: str) -> Path:
    directory = lock_dir(db_path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unusable(directory, exc) from None
    return directory


def release(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextmanager
def outlet_locks(db_path: str, outlets: list[str], *, wait: float = 0.0) -> Iterator[None]:
    """Hold the locks of ``outlets`` (sorted, so two processes never deadlock).

    ``wait`` is how many seconds to keep trying; 0 fails at once with ``OutletBusy``.
    """
    directory = _lock_dir(db_path)
    held: list[int] = []
    deadline = time.monotonic() + wait
    try:
        for outlet in sorted(set(outlets)):
            path = directory / f"{outlet}.lock"
            while (fd := _take(path)) is None:
                if time.monotonic() >= deadline:
                    # After a --wait, "pass --wait SECONDS" read as if the one given had been ignored.
                    advice = (f"waited {wait:g} s for it; try again later, or give a longer --wait" if wait else
                              "try again later, or pass --wait SECONDS to wait for it")
                    raise OutletBusy(f"outlet {outlet!r} is being crawled right now by {_holder(path)}; {advice}")
                time.sleep(0.2)
            held.append(fd)
        yield
    finally:
        for fd in held:
            release(fd)


def archive_lock(db_path: str, location: str) -> tuple[int | None, str]:
    """The lock of one archive an ingest reads into the database at ``db_path``: ``(fd, "")``
    once held, ``(None, holder)`` when another process holds it (an ingest still reading it: a
    cron job's run that outlasted the hour, a second ingest of the same listing). Two ingests of
    one archive read it twice, and the ledger kept the counts of whichever wrote last."""
    return _try(_lock_dir(db_path) / f"ingest-{hashlib.sha256(location.encode()).hexdigest()[:16]}.lock")


def schedule_lock(db_path: str) -> tuple[int | None, str]:
    """The lock of the one ``newsmon schedule`` of the database at ``db_path``: ``(fd, "")`` once
    held, ``(None, holder)`` when another daemon holds it. Two daemons crawled every outlet twice
    as often as configured, each run finishing, and nothing said so."""
    return _try(_lock_dir(db_path) / "schedule.lock")


def _try(path) -> tuple[int | None, str]:
    """``(fd, "")`` once the lock at ``path`` is held, ``(None, holder)`` when another process holds it."""
    fd = _take(path)
    return (fd, "") if fd is not None else (None, _holder(path))
