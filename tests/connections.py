"""Which SQLite connections newsmon left open when it was done.

Every connection opened while ``tracked`` is in force is kept (so that none is collected, and
closed, unseen) and asked afterwards whether it is still open. A command or a crawl that leaves
one open holds the file, its WAL reader and its locks until the garbage collector finds it, which
in a process that goes on (the scheduler's, a program that calls newsmon) may be never; Python 3.13
also warns of each one.

Run as a module, it is ``newsmon`` with the tracking on, and says what was left open on its last
line of standard output: ``python -m tests.connections crawl site --db ...``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = tuple(str(ROOT / d) + "/" for d in ("crawler", "storage"))
PREFIX = "left open: "


@contextmanager
def tracked() -> Iterator[list[tuple[sqlite3.Connection, str]]]:
    """The connections opened meanwhile, each with where newsmon opened it."""
    opened: list[tuple[sqlite3.Connection, str]] = []
    connect = sqlite3.connect

    def tracking(*args, **kwargs):
        conn = connect(*args, **kwargs)
        opened.append((conn, _where()))
        return conn

    sqlite3.connect = tracking
    try:
        yield opened
    finally:
        sqlite3.connect = connect


def left_open(opened: list[tuple[sqlite3.Connection, str]]) -> list[str]:
    """Where each connection newsmon opened and has not closed was opened."""
    left = []
    for conn, where in opened:
        try:
            conn.total_changes
        except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
            continue
        if where:
            left.append(where)
    return left


def _where() -> str:
    """newsmon's innermost frames, up to the caller of ``storage.db`` that asked for the
    connection ("" for a connection of another package's)."""
    own = [f for f in traceback.extract_stack()[:-2] if f.filename.startswith(OWN)]
    said = []
    for frame in reversed(own):
        said.append(f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} in {frame.name}")
        if not frame.filename.endswith("storage/db.py"):
            break
    return " < ".join(said)


if __name__ == "__main__":
    from crawler.cli import cli

    with tracked() as opened:
        try:
            cli.main(sys.argv[1:], prog_name="newsmon")
            code = 0
        except SystemExit as exc:
            code = exc.code
    print(PREFIX + json.dumps(left_open(opened)), flush=True)
    sys.exit(code)
