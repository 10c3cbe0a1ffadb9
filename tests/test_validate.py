"""Wrong settings, config files, databases and inputs: one line that names them, never a traceback.

Every case of :data:`CASES` is a real ``newsmon`` process that must fail before any crawl or
write starts, with one line on stderr naming what is wrong, and the exit status of its kind
(2: a usage or config error; 1: a file that cannot be used). The processes are independent, so
they run a few at a time. The pure checks behind them (settings rules, the config loader,
``bodies.sniff_binary``) are tested in-process at the end.
"""

from __future__ import annotations

import gzip
import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import settings as project_settings
from crawler.bodies import sniff_binary
from crawler import store
from crawler.config import ConfigError
from crawler.validate import SETTINGS, SettingError, check_config, check_settings
from storage import open_db

from .conftest import SAVED, saved_bytes

PAGE = "fundus-jp/SankeiShimbun_2025_01_21.html"
GOOD_OUTLET = '[outlets.x]\nfeeds = ["http://127.0.0.1:9/rss.xml"]\narticle_url_pattern = "/articles/"\n'
BAD_REGEX = '[outlets.example]\nfeeds = ["http://127.0.0.1:9/rss.xml"]\narticle_url_pattern = "("\n'


def article_html(n: int) -> bytes:
    return (f"<html><head><title>記事 {n}</title></head><body><article><h1>記事 {n}</h1>"
            + ("<p>防衛力整備計画の改定について、政府は検討を続けている。"
               "これは試験用の文章です。</p>") * 8
            + "</article></body></html>").encode("utf-8")


def warc(pages: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      length=len(body), http_headers=headers))
    return out.getvalue()


def articles_of(n: int) -> list[tuple[str, bytes]]:
    return [(f"https://example.org/articles/{i}", article_html(i)) for i in range(n)]


def stored(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in conn.execute("SELECT url FROM articles"))
    finally:
        conn.close()


# --- the cases --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One ``newsmon`` run: its arguments ("{d}" is the cases' directory) and what it must say."""

    args: tuple[str, ...]
    status: int
    needles: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    #: Checked after the run: what it must have left in the directory (nothing, some articles).
    then: Callable[[Path, subprocess.CompletedProcess], None] | None = None


def no_database(name: str) -> Callable[[Path, subprocess.CompletedProcess], None]:
    def check(d: Path, result: subprocess.CompletedProcess) -> None:
        assert not (d / name).exists(), "the command opened the database before checking"
    return check


def articles_stored(db: str, *numbers: int) -> Callable[[Path, subprocess.CompletedProcess], None]:
    def check(d: Path, result: subprocess.CompletedProcess) -> None:
        assert stored(d / db) == [f"https://example.org/articles/{n}" for n in numbers]
        assert f"{len(numbers)} new" in result.stdout
    return check


CASES: dict[str, Case] = {}

# The config file: `newsmon crawl` refuses it before it opens the database.
BAD_CONFIGS = {
    "outlets = 5": ("outlets = 5\n", "{d}/outlets5.toml: outlets = 5: outlets must be a table"),
    "feeds = 3": ("feeds = 3\n", "{d}/feeds3.toml: unknown key(s) or table(s) feeds at the top level; a config "
                  "has the tables [outlets], [topics], [schedule], [notify], [storage], [stories], [revisit] only"),
    "invalid regex": (BAD_REGEX, "{d}/regex.toml: [outlets.example] article_url_pattern: invalid regex '(': "
                      "missing ), unterminated subpattern at position 0"),
    "feed without scheme": ('[outlets.x]\nfeeds = ["127.0.0.1:9/rss.xml"]\narticle_url_pattern = "/a/"\n',
                            "{d}/scheme.toml: [outlets.x] feeds: '127.0.0.1:9/rss.xml' is not an http(s) URL"),
    "notify timeout": ("[notify]\nwebhook = 'https://hooks.example.org/x'\ntimeout = -1\n",
                       "{d}/notify.toml: [notify] timeout = -1: give a number of seconds above 0"),
    "topics shape": ("[topics]\nsecurity = 5\n", "{d}/topics.toml: [topics.security] is not a table but 5"),
    "story window": ('[stories]\nwindow = "soon"\n',
                     "{d}/stories.toml: [stories] window = 'soon': write a number with unit s, m, h or d"),
    "revisit key": ('[revisit]\nafer = ["1h"]\n',
                    "{d}/revisit.toml: [revisit] has unknown key(s) ['afer']; allowed: after, articles"),
    # A number without its unit was seconds: every outlet crawled every 15 seconds, every story split.
    "interval without a unit": ("[schedule]\ninterval = 15\n", "{d}/interval.toml: [schedule] interval = 15: a "
                                "number needs its unit, s, m, h or d: \"15m\" for 15 minutes, \"15s\" for seconds"),
    "story window without a unit": ('[stories]\nwindow = "72"\n', "{d}/window.toml: [stories] window = '72': a "
                                    "number needs its unit"),
    # Past year 9999: a traceback in every command.
    "keep_pages of 3000 years": ('[storage]\nkeep_pages = "3000y"\n', "{d}/keep.toml: [storage] keep_pages = "
                                 "'3000y': keep raw pages at most 100 years"),
}
CONFIG_FILES = {"outlets = 5": "outlets5.toml", "feeds = 3": "feeds3.toml", "invalid regex": "regex.toml",
                "feed without scheme": "scheme.toml", "notify timeout": "notify.toml", "topics shape": "topics.toml",
                "story window": "stories.toml", "revisit key": "revisit.toml",
                "interval without a unit": "interval.toml", "story window without a unit": "window.toml",
                "keep_pages of 3000 years": "keep.toml"}
for name, (_, message) in BAD_CONFIGS.items():
    CASES[f"crawl --config: {name}"] = Case(("crawl", "--db", "{d}/c.db", "--config", "{d}/" + CONFIG_FILES[name]),
                                            2, (message,), then=no_database("c.db"))

# Every command that reads the config checks it the same way.
for command in (("status",), ("rescore",), ("reextract",), ("schedule", "--check"), ("ingest", "{d}/whole.warc.gz")):
    CASES[f"{command[0]} --config: invalid regex"] = Case(
        (*command, "--db", "{d}/c.db", "--config", "{d}/regex.toml"), 2,
        ("{d}/regex.toml: [outlets.example] article_url_pattern: invalid regex '('",), then=no_database("c.db"))

# Settings given with -s, and in the environment.
for pair, message in {
    "NEWSMON_MAX_ATTEMPTS=abc": "-s NEWSMON_MAX_ATTEMPTS=abc: must be a whole number >= 1",
    "DOWNLOAD_TIMEOUT=-1": "-s DOWNLOAD_TIMEOUT=-1: must be a number > 0",
    "NEWSMON_MAX_ARTICLES=-5": "-s NEWSMON_MAX_ARTICLES=-5: must be a whole number >= 1",
    "NEWSMON_MAX_ATTEMPT=5": ("-s NEWSMON_MAX_ATTEMPT=5: no such newsmon setting (did you mean NEWSMON_MAX_ATTEMPTS?); "
                              "known: NEWSMON_CONDITIONAL_GET, NEWSMON_CONFIG, NEWSMON_CONTACT, NEWSMON_DB"),
    "NEWSMON_MAX_ATTEMPTS": "-s NEWSMON_MAX_ATTEMPTS: write NAME=VALUE",
}.items():
    CASES[f"crawl -s {pair}"] = Case(("crawl", "--db", "{d}/c.db", "-s", pair), 2, (message,),
                                     then=no_database("c.db"))
CASES["schedule -s RETRY_TIMES=-1"] = Case(
    ("schedule", "--check", "--db", "{d}/c.db", "-s", "RETRY_TIMES=-1"), 2,
    ("-s RETRY_TIMES=-1: must be a whole number >= 0",), then=no_database("c.db"))
for command in (("crawl",), ("status",), ("schedule", "--check"), ("demo",)):
    CASES[f"{command[0]} with NEWSMON_MAX_ARTICLES=-5"] = Case(
        (*command, "--db", "{d}/c.db"), 2,
        ("environment variable NEWSMON_MAX_ARTICLES=-5: must be a whole number >= 1",),
        env={"NEWSMON_MAX_ARTICLES": "-5"}, then=no_database("c.db"))
CASES["regroup --window soon"] = Case(("regroup", "--window", "soon", "--db", "{d}/c.db"), 2,
                                     ("Error: --window = 'soon': write a number with unit s, m, h or d",),
                                     then=no_database("c.db"))
CASES["status with NEWSMON_MAX_ARTICLE=5"] = Case(
    ("status", "--db", "{d}/c.db"), 2,
    ("environment variable NEWSMON_MAX_ARTICLE=5: no such newsmon variable (did you mean NEWSMON_MAX_ARTICLES?); "
     "known: NEWSMON_CONFIG",), env={"NEWSMON_MAX_ARTICLE": "5"}, then=no_database("c.db"))
CASES["schedule with NEWSMON_SCHEDULE_INTERVAL=soon"] = Case(
    ("schedule", "--check", "--db", "{d}/c.db"), 2,
    ("environment variable NEWSMON_SCHEDULE_INTERVAL=soon: must be a duration",),
    env={"NEWSMON_SCHEDULE_INTERVAL": "soon"}, then=no_database("c.db"))

# A --db that is not a newsmon database, or one of a newer newsmon: the message `serve` gives.
for command in (("status",), ("export", "--format", "csv"), ("ingest", "{d}/whole.warc.gz"), ("rescore",),
                ("reextract",), ("crawl",), ("schedule", "--check"), ("serve",), ("demo",)):
    CASES[f"{command[0]} --db notes.db"] = Case(
        (*command, "--db", "{d}/notes.db"), 1, ("'{d}/notes.db' is not a newsmon database", "--db"))
# ... nor another application's SQLite file: newsmon switched it to WAL and wrote its schema and pages into it.
for command in (("status",), ("ingest", "{d}/whole.warc.gz"), ("crawl",), ("demo",)):
    CASES[f"{command[0]} --db app.db"] = Case(
        (*command, "--db", "{d}/app.db"), 1,
        ("'{d}/app.db' is not a newsmon database (a SQLite file of another application: its tables notes)", "--db"))
# A --db that does not exist: only the commands that store what they fetch or read start one.
# Opened, a mistyped path was an empty database that `status` found healthy (exit 0, for cron).
for command in (("status",), ("rescore",), ("reextract",), ("regroup",), ("learn",), ("explain", "1"),
                ("prune", "--keep", "1y"), ("export", "--format", "csv"), ("serve",), ("review", "1", "--undo"),
                ("schedule", "--check")):
    CASES[f"{command[0]} --db missing.db"] = Case(
        (*command, "--db", "{d}/missing.db"), 1, ("no database at {d}/missing.db: give --db the file",),
        then=no_database("missing.db"))
# ... nor an empty file (`touch`, a copy that failed): `status` made it a database and found every outlet fine.
for command in (("status",), ("rescore",), ("export", "--format", "csv"), ("explain", "1"), ("schedule", "--check")):
    CASES[f"{command[0]} --db empty.db"] = Case(
        (*command, "--db", "{d}/empty.db"), 1, ("{d}/empty.db is an empty file, not a newsmon database",))
# A --db whose directory cannot be made (it was a FileNotFoundError traceback).
for command in (("ingest", "{d}/whole.warc.gz"), ("crawl",), ("demo",)):
    CASES[f"{command[0]} --db in a directory that cannot be made"] = Case(
        (*command, "--db", "/proc/newsmon-nope/x.db"), 1,
        ("cannot open '/proc/newsmon-nope/x.db'", "/proc/newsmon-nope", "give --db a writable file path"))
for command in (("status",), ("export", "--format", "jsonl"), ("crawl",), ("review", "1", "--status", "relevant")):
    CASES[f"{command[0]} --db newer.db"] = Case(
        (*command, "--db", "{d}/newer.db"), 1, ("migrated by a newer newsmon", "m999_from_the_future"))

# extract: files that are no page.
for name, reason in {"truncated.html.gz": "truncated gzip data", "corrupt.html.gz": "corrupt gzip data",
                     "noise.html": "not an HTML page: binary data", "doc.html": "not an HTML page: PDF document",
                     "logo.html": "not an HTML page: PNG image"}.items():
    CASES[f"extract {name}"] = Case(("extract", "{d}/" + name, "--format", "jsonl"), 1,
                                    ("newsmon: {d}/" + name + ": " + reason,))
CASES["extract a directory"] = Case(("extract", "{d}"), 1, ("newsmon: cannot read {d}: Is a directory",))

# A [notify] apprise URL apprise does not understand: `check` refuses it as `schedule` does, in its words (it checked
# the rest alone, and crawls of a config it passed sent no digest); a crawl warns of it and crawls (``GOES_ON``).
BROKEN_APPRISE = GOOD_OUTLET + '\n[notify]\napprise = "mailtoo://me:pw@gmail.com"\n'
for command in (("check", "x"), ("schedule", "x", "--check", "--db", "{d}/apprise.db")):
    CASES[f"{command[0]} --config: a broken apprise URL"] = Case((*command, "--config", "{d}/apprise.toml"), 2,
                                                                ("{d}/apprise.toml: [notify] apprise",),
                                                                then=no_database("apprise.db"))
#: Runs that warn of a mistake and go on: more than one line, read by their own tests.
GOES_ON = {"crawl --config: a broken apprise URL": ("crawl", "x", "--config", "{d}/apprise.toml",
                                                    "--db", "{d}/apprise-crawl.db", "-s", "RETRY_TIMES=0",
                                                    "-s", "NEWSMON_EXTRACT_WORKERS=0"),
           "check --config: a broken apprise URL, notifications off": (
               "check", "x", "--config", "{d}/apprise.toml", "-s", "NEWSMON_NOTIFY_ENABLED=0", "-s", "RETRY_TIMES=0")}

# ingest: archives read in part store what they can and say where they stopped. (example.org
# is no outlet: --all-sites reads its pages.)
CASES["ingest cut.warc.gz"] = Case(
    ("ingest", "--all-sites", "{d}/cut.warc.gz", "--db", "{d}/cut.db"), 1,
    ("{d}/cut.warc.gz: read only in part: 3 complete records, then stopped at byte {cut_at} of {cut_size} "
     "(record 4): no complete record in the rest of the file (it is truncated)",),
    then=articles_stored("cut.db", 0, 1, 2))
CASES["ingest --partial-ok cut.warc.gz"] = Case(
    ("ingest", "--all-sites", "--partial-ok", "{d}/cut.warc.gz", "--db", "{d}/cut-ok.db"), 0,
    ("{d}/cut.warc.gz: read only in part: 3 complete records, then stopped at byte {cut_at}",),
    then=articles_stored("cut-ok.db", 0, 1, 2))
CASES["ingest damaged.warc.gz"] = Case(
    ("ingest", "--all-sites", "{d}/damaged.warc.gz", "--db", "{d}/damaged.db"), 1,
    # The damaged member costs its record only: the article after it is read too.
    ("{d}/damaged.warc.gz: read only in part: record 3 at byte {damage_at} could not be read (a record without a "
     "valid Content-Length header):", "bytes skipped, read on from the next record at byte"),
    then=articles_stored("damaged.db", 0, 1, 9))
CASES["ingest crawl.wacz"] = Case(
    ("ingest", "--all-sites", "{d}/crawl.wacz", "--db", "{d}/wacz.db"), 1,
    ("{d}/crawl.wacz: read only in part: archive/a.warc.gz: 1 complete records, then stopped",),
    then=articles_stored("wacz.db", 0, 7))


def make_files(d: Path) -> dict[str, str]:
    """Write every file the cases use; return the values of their other placeholders."""
    for name, (text, _) in BAD_CONFIGS.items():
        (d / CONFIG_FILES[name]).write_text(text, encoding="utf-8")
    (d / "regex.toml").write_text(BAD_REGEX, encoding="utf-8")
    (d / "apprise.toml").write_text(BROKEN_APPRISE, encoding="utf-8")
    (d / "notes.db").write_bytes(b"these are my notes, not a database\n" * 200)
    (d / "empty.db").write_bytes(b"")
    app = sqlite3.connect(d / "app.db")
    app.execute("CREATE TABLE notes (x)")
    app.execute("INSERT INTO notes VALUES (1)")
    app.commit()
    app.close()
    newer = open_db(d / "newer.db")
    with newer.conn:
        newer.execute("INSERT INTO _migrations (migration_set, name, applied_at) "
                      "SELECT migration_set, 'm999_from_the_future', '2030-01-01' FROM _migrations LIMIT 1")
    newer.conn.close()
    (d / "truncated.html.gz").write_bytes(gzip.compress(saved_bytes(PAGE))[:4000])
    (d / "corrupt.html.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"garbage" * 50)
    (d / "noise.html").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(5000)))
    (d / "doc.html").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    (d / "logo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (d / "whole.warc.gz").write_bytes(warc(articles_of(1)))
    # Four articles, cut in the middle of the fourth record.
    first = warc(articles_of(3))
    whole = first + warc([("https://example.org/articles/3", article_html(3))])
    (d / "cut.warc.gz").write_bytes(whole[:len(first) + (len(whole) - len(first)) // 2])
    # Two articles, a gzip member that holds no WARC record, then one more article.
    good = warc(articles_of(2))
    (d / "damaged.warc.gz").write_bytes(good + gzip.compress(b"WARC/1.0\r\nthis is no record header\r\n\r\n")
                                        + warc([("https://example.org/articles/9", article_html(9))]))
    # A WACZ whose first WARC is cut short: the second is read all the same.
    with zipfile.ZipFile(d / "crawl.wacz", "w") as z:
        z.writestr("archive/a.warc.gz", warc(articles_of(2))[:-40])
        z.writestr("archive/b.warc.gz", warc([("https://example.org/articles/7", article_html(7))]))
    return {"d": str(d), "cut_at": str(len(first)), "cut_size": str((d / "cut.warc.gz").stat().st_size),
            "damage_at": str(len(good))}


def newsmon(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          env={**environ, **env}, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, subprocess.CompletedProcess]]:
    """Every case run once, four processes at a time (each is mostly interpreter start-up)."""
    d = tmp_path_factory.mktemp("cli")
    values = make_files(d)
    with ThreadPoolExecutor(max_workers=4) as pool:
        # The crawls first: the longest runs, the others beside them.
        futures = {name: pool.submit(newsmon, [a.format(**values) for a in args], {}, d)
                   for name, args in GOES_ON.items()}
        futures |= {name: pool.submit(newsmon, [a.format(**values) for a in case.args], case.env, d)
                    for name, case in CASES.items()}
        return d, values, {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_one_line_that_names_the_problem_and_the_exit_status_of_its_kind(ran, name):
    d, values, results = ran
    case, result = CASES[name], results[name]
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.returncode == case.status, (result.returncode, result.stderr)
    for needle in case.needles:
        assert needle.format(**values) in lines[0], (needle.format(**values), lines[0])
    if case.then:
        case.then(d, result)


def test_a_broken_apprise_url_is_refused_by_check_as_by_schedule_and_a_crawl_warns_of_it_once_and_crawls(ran):
    d, _, results = ran
    refusal = results["check --config: a broken apprise URL"].stderr
    assert refusal == results["schedule --config: a broken apprise URL"].stderr  # shared, not a copy
    said = refusal.strip().removeprefix("Error: ")
    crawl = results["crawl --config: a broken apprise URL"]
    assert "Traceback" not in crawl.stderr, crawl.stderr[-3000:]
    lines = crawl.stderr.splitlines()
    warned = [i for i, line in enumerate(lines) if said in line]
    started = next(i for i, line in enumerate(lines) if "Scrapy" in line and "started" in line)
    assert len(warned) == 1 and warned[0] < started, crawl.stderr[-3000:]
    assert lines[warned[0]] == f"newsmon: {said}; this crawl goes on, but its digest cannot be sent through [notify] " \
                               "apprise until that is fixed (`newsmon check` says when it is)"
    # It crawled: the outlet's robots.txt asked for (nothing listens there), the run finished.
    conn = sqlite3.connect(d / "apprise-crawl.db")
    try:
        assert conn.execute("SELECT finish_reason, requests FROM crawl_runs").fetchall() == [("finished", 1)]
    finally:
        conn.close()
    assert crawl.returncode == 0


def test_with_notifications_off_check_notes_a_broken_apprise_url_and_checks(ran):
    # As a crawl then says nothing of it: no digest is tried. Refused, a machine without apprise, its config copied from
    # the one that sends, could check no outlet (exit 2 before any request).
    _, _, results = ran
    said = results["check --config: a broken apprise URL"].stderr.strip().removeprefix("Error: ")
    check = results["check --config: a broken apprise URL, notifications off"]
    assert [line for line in check.stderr.splitlines() if "apprise" in line] == [
        f"newsmon: note: {said} (notifications are off here, NEWSMON_NOTIFY_ENABLED)"]
    assert check.stdout.startswith("x: broken") and check.returncode == 1  # checked: nothing listens on its port


def test_a_file_that_is_not_a_database_is_left_as_it_was(ran):
    d, _, _ = ran
    assert (d / "notes.db").read_bytes() == b"these are my notes, not a database\n" * 200
    assert (d / "empty.db").read_bytes() == b""
    app = sqlite3.connect(d / "app.db")
    assert app.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert app.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    app.close()


# --- the checks themselves, in-process --------------------------------------------------------

def test_every_newsmon_setting_has_a_rule_that_its_default_passes():
    names = sorted(n for n in vars(project_settings) if n.startswith("NEWSMON_"))
    assert names and not [n for n in names if n not in SETTINGS], "give each NEWSMON_* setting a rule in SETTINGS"
    for name in names:
        default = getattr(project_settings, name)
        if default is not None:
            assert SETTINGS[name](default) == default, name


def test_settings_are_parsed_as_scrapy_will_read_them():
    parsed = check_settings({"NEWSMON_MAX_ATTEMPTS": " 5 ", "NEWSMON_NOTIFY_ENABLED": "off", "DOWNLOAD_DELAY": "0.5",
                             "LOG_LEVEL": "warning", "FEED_EXPORT_INDENT": "whatever"}, {})
    assert parsed == {"NEWSMON_MAX_ATTEMPTS": 5, "NEWSMON_NOTIFY_ENABLED": False, "DOWNLOAD_DELAY": 0.5,
                      "LOG_LEVEL": "WARNING", "FEED_EXPORT_INDENT": "whatever"}  # unlisted Scrapy names pass
    with pytest.raises(SettingError, match=r"^environment variable NEWSMON_CONTACT=me: must be an http\(s\) URL"):
        check_settings({}, {"NEWSMON_CONTACT": "me"})
    with pytest.raises(SettingError, match="environment variable NEWSMON_MAX_ATEMPTS=3: no such newsmon variable"):
        check_settings({}, {"NEWSMON_MAX_ATEMPTS": "3"})
    assert check_settings({}, {"NEWSMON_MAX_ATTEMPTS": ""}) == {}  # NAME= is unset


def test_a_setting_only_s_gives_set_in_the_environment_says_to_give_it_with_s():
    # It was "no such newsmon variable (did you mean NEWSMON_CONTACT?)": another setting, and no word of -s.
    with pytest.raises(SettingError) as exc:
        check_settings({}, {"NEWSMON_CONDITIONAL_GET": "0"})
    assert str(exc.value) == ("environment variable NEWSMON_CONDITIONAL_GET=0: NEWSMON_CONDITIONAL_GET is not read "
                              "from the environment; give it with -s NEWSMON_CONDITIONAL_GET=0 (newsmon crawl, check "
                              "or schedule)")
    assert check_settings({"NEWSMON_CONDITIONAL_GET": "0"}, {}) == {"NEWSMON_CONDITIONAL_GET": False}


@pytest.mark.parametrize("name, value, message", [
    ("NEWSMON_MAX_RETRY_AFTER", "nan", "must be a number >= 0"),
    ("NEWSMON_NOTIFY_ENABLED", "maybe", "must be one of 1, 0, true, false, yes, no, on, off"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "0", "must be a whole number >= 1"),
    ("NEWSMON_EXTRACT_WORKERS", "-1", "must be a whole number >= 0"),
    ("NEWSMON_HEALTH_CROSSCHECK", "1.5", "must be a whole number >= 0"),
    ("NEWSMON_SCHEDULE_INTERVAL", "0s", "must be a duration above 0"),
    ("NEWSMON_LATE_AFTER", "an hour", "must be a duration above 0"),
    ("DOWNLOAD_MAXSIZE", "10MB", "must be a whole number >= 0"),
    ("LOG_LEVEL", "LOUD", "must be one of"),
    ("USER_AGENT", "newsmon\r\nX-Evil: 1", "must be a non-empty text on one line"),
    ("NEWSMON_LOG_LEVEL", "DEBUG", "NEWSMON_LOG_LEVEL is an environment variable; give LOG_LEVEL"),
    # Scrapy's names are case-sensitive: in lower case they were passed on, read by nothing.
    ("newsmon_max_articles", "1", "setting names are upper case: NEWSMON_MAX_ARTICLES=1"),
    ("download_delay", "5", "setting names are upper case: DOWNLOAD_DELAY=5"),
    # Scrapy's own settings newsmon does not check: `-s log_file=crawl.log` wrote no log, exit 0.
    ("log_file", "crawl.log", "setting names are upper case: LOG_FILE=crawl.log"),
    ("Httpcache_Enabled", "1", "setting names are upper case: HTTPCACHE_ENABLED=1"),
])
def test_setting_rules(name, value, message):
    with pytest.raises(SettingError) as exc:
        check_settings({name: value}, {})
    assert str(exc.value).startswith(f"-s {name}={value}: {message}"), str(exc.value)


def test_a_good_config_passes_and_overrides_keep_their_meaning(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(GOOD_OUTLET + 'domains = ["Example.ORG.", "127.0.0.1"]\n[schedule]\njitter = 0\n'
                      '[notify]\nwebhook = "https://hooks.example.org/x"\nwebhook_headers = { X-Token = "a" }\n',
                      encoding="utf-8")
    checked = check_config(str(config), outlets=["x"])
    assert checked.config.outlets["x"].domains == ("example.org", "127.0.0.1")
    # The story and revisit tables the README documents are read, not refused.
    config.write_text(GOOD_OUTLET + '[stories]\nwindow = "48h"\n[revisit]\nafter = ["2h", "1d"]\narticles = "all"\n',
                      encoding="utf-8")
    check_config(str(config))
    opts = store.options(str(config))
    assert (opts.window, opts.revisit_after, opts.revisit_all) == (48 * 3600, (7200.0, 86400.0), True)
    config.write_text(GOOD_OUTLET + 'domains = ["Example.ORG.", "127.0.0.1"]\n[schedule]\njitter = 0\n'
                      '[notify]\nwebhook = "https://hooks.example.org/x"\nwebhook_headers = { X-Token = "a" }\n',
                      encoding="utf-8")
    checked = check_config(str(config), outlets=["x"])
    assert checked.notify is not None and checked.notify.webhook_headers == {"X-Token": "a"}
    assert checked.schedule is not None and checked.schedule.jitter == 0


@pytest.mark.parametrize("text, message", [
    ("[outlet.x]\nfeeds = []\n", "unknown key(s) or table(s) outlet at the top level"),
    ("[outlets.x]\nfeeds = 3\narticle_url_pattern = '/a/'\n",
     "[outlets.x] feeds: must be a list of URLs (strings), got 3"),
    ('[outlets.x]\nstart_urls = ["file:///etc/passwd"]\narticle_url_pattern = "/a/"\n',
     "[outlets.x] start_urls: 'file:///etc/passwd' is not an http(s) URL"),
    (GOOD_OUTLET + 'domains = ["https://example.org/"]\n', "[outlets.x] domains: 'https://example.org/' is not a host"),
    ('[outlets.asahi]\narticle_url_pattern = "[a"\n', "[outlets.asahi] article_url_pattern: invalid regex '[a'"),
    ('[outlets.x]\nfeeds = ["http://a.example/"]\narticle_url_pattern = ""\n',
     "[outlets.x] article_url_pattern: must be a non-empty string"),
    ('[topics.x]\nthreshold = "high"\nterms = [{ term = "防衛", weight = 1 }]\n', "[topics.x] threshold"),
    ("[notify]\nwebhook = 'https://hooks.example.org/x'\nalways = 'no'\n", "[notify] always = 'no'"),
    ("[notify]\nwebhook = 'hooks.example.org'\n", "[notify] webhook = 'hooks.example.org'"),
    ("[schedule]\ninterval = '15 minutes'\n", "[schedule] interval = '15 minutes'"),
    ("[schedule]\ntimeout = -5\n", "[schedule] timeout must be more than 0"),
    ("[schedule]\njitter = -1\n", "[schedule] jitter must be 0 or more"),
    ("[schedule.outlets]\nbbc = '5m'\n", "[schedule.outlets] names unknown outlet(s) ['bbc']"),
    ('[outlets."../etc"]\nfeeds = ["http://a.example/"]\narticle_url_pattern = "/a/"\n', "[outlets] '../etc'"),
    (GOOD_OUTLET + 'language = "Japanese"\n', "[outlets.x] language: 'Japanese'"),
    # Stored under "jp" or "ja-JP", its articles were hidden by the desk's Japanese filter.
    (GOOD_OUTLET + 'language = "jp"\n', "[outlets.x] language: 'jp' is a country code, not a language: write \"ja\""),
    (GOOD_OUTLET + 'language = "ja-JP"\n', "[outlets.x] language: write the language alone, \"ja\""),
    # A document the outlet's domains do not take is never fetched: the crawl read "failing".
    (GOOD_OUTLET + 'domains = ["example.org"]\n',
     "[outlets.x] feeds: http://127.0.0.1:9/rss.xml is not on the outlet's domains (example.org)"),
    ('[outlets.ryukyu_shimpo]\nfeeds = ["https://www.ryuyo-shimpo.example/rss.xml"]\n',
     "is not on the domains of the built-in outlet 琉球新報 (ryukyushimpo.jp), which this table overrides"),
    ("[outlets.x]\nfeeds = ['http://127.0.0.1:9/rss.xml']\narticle_url_pattern = \"\"\"\n/articles/\n\"\"\"\n",
     "[outlets.x] article_url_pattern: '/articles/\\n' begins or ends with a space or line break"),
    ('[outlets.x]\nfeeds = ["http://a.example:99999/"]\narticle_url_pattern = "/a/"\n', "is not a valid URL"),
    ("[[outlets]]\nname = 'x'\n", "outlets must be a table"),
    ("[notify]\nwebhook = 'https://h.example/'\nwebhook_headers = { 'X-A' = \"a\\nb\" }\n", "is not an HTTP header"),
    ("[notify]\nwebhook = 'https://h.example/'\ntimeout = nan\n", "[notify] timeout = nan"),
    ("[schedule]\ninterval = inf\n", "[schedule] interval = inf"),
])
def test_more_config_mistakes_name_their_key(tmp_path, text, message):
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        check_config(str(config))
    assert str(exc.value).startswith(f"{config}: ") and message in str(exc.value), str(exc.value)


@pytest.mark.parametrize("body, reason", [
    (b"%PDF-1.4\n", "PDF document"),
    (b"\n\n  %PDF-1.4\n", "PDF document"),
    (b"\x89PNG\r\n\x1a\n....", "PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    (b"GIF89a....", "GIF image"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WebP image"),
    (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", "zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "legacy Office document"),
    (gzip.compress(b"<html></html>", mtime=0), "gzip data"),
    (bytes(range(256)) * 10, "binary data"),
    (b"<html>" + b"\x00\x01\x02\x03" * 100 + b"</html>", "binary data"),
])
def test_sniff_binary_names_what_is_not_text(body, reason):
    assert reason in (sniff_binary(body) or "")


@pytest.mark.parametrize("body", [
    b"",
    "<html><body><p>防衛力整備計画</p></body></html>".encode("utf-8"),
    "<html><body><p>防衛力整備計画</p></body></html>".encode("cp932"),
    "<html><body><p>防衛力整備計画</p></body></html>".encode("euc-jp"),
    "<html><body><p>防衛力整備計画</p></body></html>".encode("iso-2022-jp") * 50,
    "<html><body><p>防衛力整備計画</p></body></html>".encode("utf-16"),
    b"<html><body><p>a stray NUL \x00 from a broken CMS</p>" + b"<p>text</p>" * 100 + b"</body></html>",
    b"PKWARE's history, in text: <html></html>",
])
def test_sniff_binary_lets_text_through(body):
    assert sniff_binary(body) is None


def test_no_saved_page_is_taken_for_binary():
    pages = [p for p in SAVED.rglob("*") if p.is_file() and ".htm" in p.name]
    assert len(pages) > 100
    for page in pages:
        data = page.read_bytes()
        assert sniff_binary(gzip.decompress(data) if page.suffix == ".gz" else data) is None, page


def test_a_crawl_does_not_even_import_the_remote_control_or_the_telnet_console():
    # Both would open a local server that runs code sent to it; and Scrapy imports every
    # extension it is given to read its settings (the remote control imports aiohttp: 0.3 s of
    # every start), so they are left out of the list rather than set to None.
    import subprocess
    import sys

    code = ("import sys; from crawler.crawl import crawler_settings; "
            "loaded = crawler_settings().get_component_priority_dict_with_base('EXTENSIONS'); "
            "print(sorted(loaded)); "
            "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'scrapy.extensions.remote_control', "
            "'scrapy.extensions.telnet'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    extensions, imported = out.splitlines()
    assert "crawler.extensions.CrawlRunLedger" in extensions and "AutoThrottle" in extensions
    assert imported == "[]"


def test_the_crawls_extensions_are_scrapys_less_the_two_servers():
    # newsmon keeps its own copy of Scrapy's EXTENSIONS_BASE (see crawler/settings.py): an
    # extension a Scrapy upgrade adds must be taken in or left out on purpose.
    from scrapy.settings.default_settings import EXTENSIONS_BASE

    from crawler import settings

    servers = {"scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl"}
    assert settings.EXTENSIONS_BASE == {k: v for k, v in EXTENSIONS_BASE.items() if k not in servers}
