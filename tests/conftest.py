"""Shared test helpers: saved real pages live in tests/fixtures/saved (see PROVENANCE.md)."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from .saved import EXPECTED, FIXTURES, SAVED, saved_bytes, saved_json  # noqa: F401  (re-exported)


# The suite's sites are on 127.0.0.1, which a proxy of the environment (an office network's
# http_proxy) cannot reach: run there, every crawl test failed. Their processes inherit this.
for _proxy in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_proxy, None)

# A suite started in the background by a shell without job control (`pytest &` in a script, a CI step
# so written) ignores SIGINT and SIGQUIT, and so did every command the Ctrl-C tests start (an ignored
# signal stays ignored through exec): each waited out its 30 s or its work and 16 failed. Python's own
# handler set here is reset to the default in the processes started after, as in a terminal's.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config):
    # The suite starts some two thousand Python processes (crawls and their workers, CLI runs,
    # Dask workers), and each imports newsmon. An editable install's modules are compiled at
    # their first import and kept; but where PYTHONDONTWRITEBYTECODE is set (this machine's
    # images set it) nothing is kept, and every process compiled newsmon's sources again: 0.1-0.2
    # s of CPU each. Compiled once here (by the controller, not by each xdist worker), they are
    # read as an installed newsmon's are. A tree that cannot be written is only slower.
    if not hasattr(config, "workerinput"):
        import compileall

        root = Path(__file__).resolve().parent.parent
        for tree in ("crawler", "storage", "tests"):
            compileall.compile_dir(root / tree, quiet=2)


#: The test files whose tests share a module's fixture (one server, one crawl, one database built for the file): each
#: runs in one process, as a whole. Every other file's tests are spread one by one over the processes: spread file by
#: file, the suite waited on its longest, test_crawl_e2e's hundred-odd real crawls one after another in one process,
#: while the processes that had done the rest sat idle. A test of a file not named here that uses such a fixture stops
#: the run (``pytest_itemcollected``): spread, its fixture would be built again in each process.
SHARING_FIXTURES = frozenset(f"tests/{name}.py" for name in (
    "test_article_notices", "test_browser", "test_check", "test_connections", "test_desk", "test_export",
    "test_hostile", "test_ingest_scale", "test_pages_e2e", "test_redirects", "test_relevance", "test_review",
    "test_scoring", "test_serve", "test_stories_e2e", "test_validate"))


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_itemcollected(item):
    info = getattr(item, "_fixtureinfo", None)
    shared = sorted({name for name, definitions in (info.name2fixturedefs.items() if info else ())
                     for definition in definitions if definition.scope in ("module", "package", "class")})
    if shared and _file(item.nodeid) not in SHARING_FIXTURES:
        raise pytest.UsageError(f"{item.nodeid} uses the fixture(s) {', '.join(shared)}, built once per file: add "
                                f"{_file(item.nodeid)!r} to SHARING_FIXTURES in tests/conftest.py, so that its tests "
                                "run in one process")


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":  # pyproject.toml's; another given on the command line is xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class _Spread(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _file(nodeid) if _file(nodeid) in SHARING_FIXTURES else nodeid

    return _Spread(config, log)


def pytest_xdist_auto_num_workers(config):
    # Most of a test's time is spent waiting on the processes it starts (crawls, servers, a browser) rather than
    # computing: with one process per core the cores were idle a third of the time.
    return 2 * (os.cpu_count() or 1)


#: A page carrying this crashes the extractor of a process run with ``crashing_env()``
#: (tests/crash/sitecustomize.py, which holds the same marker).
CRASH_MARKER = b"<!-- newsmon-test: extraction crashes here -->"
#: A page carrying this is read by a process run with ``crashing_env()`` and ``TESTS_CRASH_HOLD`` (a folder) once a
#: file ``go`` is in that folder, after a file ``reading-<pid>`` there says it is being read (tests/crash too).
HOLD_MARKER = b"<!-- newsmon-test: extraction waits here -->"


def as_permissions_bind() -> list[str]:
    """A command prefix under which file permissions bind: for root, ``setpriv`` without the
    capabilities that let root write any file (the test is skipped without it); else none."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv")
    return ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


def crashing_env() -> dict[str, str]:
    """This environment, and tests/crash on PYTHONPATH: its newsmon processes (and their Dask
    workers) crash extracting a page that carries ``CRASH_MARKER``. A PYTHONPATH already set is kept after it:
    sitecustomize imports ``crawler`` before the working directory is on the path, and without it a checkout
    tested with another's virtualenv crashed that one's code."""
    crash = str(Path(__file__).resolve().parent / "crash")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [crash, os.environ.get("PYTHONPATH")]))}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    # No test may read a user's config or write the default database.
    for name in ("NEWSMON_DB", "NEWSMON_CONFIG", "NEWSMON_SCHEDULE_INTERVAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def _template_db(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The review database (tests/test_serve.py build_review_db), built once per test module."""
    from .test_serve import build_review_db

    path = tmp_path_factory.mktemp("review") / "template.db"
    return path, build_review_db(path)


def fresh_copy(template: tuple[Path, dict[str, int]], tmp_path: Path, name: str) -> tuple[Path, dict[str, int]]:
    """A copy of a database built once per module, for one test to change: (path, ids)."""
    path = tmp_path / name
    shutil.copy(template[0], path)
    return path, template[1]


@pytest.fixture
def review_db(_template_db, tmp_path) -> tuple[Path, dict[str, int]]:
    """A fresh copy of the review database for one test: (path, article ids by key)."""
    return fresh_copy(_template_db, tmp_path, "review.db")
