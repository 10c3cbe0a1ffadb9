"""One crawl of an outlet, and one ingest of an archive, at a time, across processes: the daemon,
cron and a person at a shell.

Each outlet has a lock file beside the database (``news.db.locks/<outlet>.lock``) held with
``flock`` for the whole crawl, and each archive an ingest reads one (``ingest-<hash>.lock``)
until it is done with it. The kernel releases it when the process ends, however it ends
(SIGKILL included), so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator


class OutletBusy(RuntimeError):
    """Another process is crawling one of the outlets; the message names it and its pid."""


def lock_dir(db_path: str) -> Path:
    return Path(str(Path(db_path).resolve()) + ".locks")


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


def _take(path: Path) -> int | None:
    """The lock file at ``path``, held (its descriptor, which says who holds it), or ``None``
    at once when another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
    return fd


def release(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextmanager
def outlet_locks(db_path: str, outlets: list[str], *, wait: float = 0.0) -> Iterator[None]:
    """Hold the locks of ``outlets`` (sorted, so two processes never deadlock).

    ``wait`` is how many seconds to keep trying; 0 fails at once with ``OutletBusy``.
    """
    directory = lock_dir(db_path)
    directory.mkdir(parents=True, exist_ok=True)
    held: list[int] = []
    deadline = time.monotonic() + wait
    try:
        for outlet in sorted(set(outlets)):
            path = directory / f"{outlet}.lock"
            while (fd := _take(path)) is None:
                if time.monotonic() >= deadline:
                    raise OutletBusy(f"outlet {outlet!r} is being crawled right now by {_holder(path)}; "
                                     "try again later, or pass --wait SECONDS to wait for it")
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
    directory = lock_dir(db_path)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"ingest-{hashlib.sha256(location.encode()).hexdigest()[:16]}.lock"
    fd = _take(path)
    return (fd, "") if fd is not None else (None, _holder(path))
