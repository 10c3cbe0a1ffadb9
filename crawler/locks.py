"""One crawl of an outlet at a time, across processes: the daemon, cron and a person at a shell.

Each outlet has a lock file beside the database (``news.db.locks/<outlet>.lock``) held with
``flock`` for the whole crawl. The kernel releases it when the process ends, however it ends
(SIGKILL included), so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
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
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = _holder(path)
                        os.close(fd)
                        raise OutletBusy(
                            f"outlet {outlet!r} is being crawled right now by {holder}; "
                            "try again later, or pass --wait SECONDS to wait for it") from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
            held.append(fd)
        yield
    finally:
        for fd in held:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
