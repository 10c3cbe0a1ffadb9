"""Every SQLite connection newsmon opens, it closes: its commands, however they end, and a crawl.

Python 3.11 closes a forgotten connection in silence when it is collected; 3.13 warns of each
one, and in a process that goes on (the scheduler's, a program that calls newsmon) one held by a
reference cycle keeps the file, its WAL reader and its locks. The suite ignores 3.13's warning
(Datasette 0.65 leaves its own connections unclosed), so these tests are what says newsmon's are
closed, on any Python.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.testsite import LoopbackSite

from .connections import PREFIX, ROOT, left_open, tracked
from .test_crawl_e2e import LOOPBACK, PAGES, site_env

COMMANDS = {
    "status": ["status"],
    "status --json": ["status", "--json"],
    "explain": ["explain", "{counterstrike}"],
    "explain of no article": ["explain", "999999"],
    "rescore": ["rescore"],
    "reextract": ["reextract"],
    "regroup": ["regroup"],
    "learn": ["learn"],
    "prune": ["prune", "--keep", "1d"],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_command_closes_the_database_it_opened_however_it_ends(review_db, args):
    path, ids = review_db
    with tracked() as opened:
        result = CliRunner().invoke(cli, [a.format(**ids) for a in args] + ["--db", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert opened, "the command opened no database: it tested nothing"
    assert left_open(opened) == []


def test_a_crawl_closes_the_database_it_opened(tmp_path):
    """A real crawl, to its end, in the process `newsmon crawl` runs in."""
    with LoopbackSite(PAGES[:2]) as site:
        env = site_env(site, tmp_path)
        cmd = [sys.executable, "-m", "tests.connections", "crawl", "site", "--db", env["db"], "--config",
               env["config"]]
        for pair in LOOPBACK:
            cmd += ["-s", pair]
        result = subprocess.run(cmd, capture_output=True, timeout=180, cwd=ROOT)
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 0, err[-3000:]
    assert "2 new articles" in err, err[-3000:]
    last = result.stdout.decode().splitlines()[-1]
    assert last.startswith(PREFIX), result.stdout
    assert json.loads(last[len(PREFIX):]) == []
