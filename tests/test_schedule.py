"""The real `newsmon schedule` process, with seconds-long intervals, against the loopback site.

Witnesses: the ``crawl_runs`` ledger and ``outlet_health`` in the SQLite file, the site's own
request log, and a webhook receiver on 127.0.0.1. Every wait is a bounded poll.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from crawler.config import ConfigError
from crawler.encoding import decode_html
from crawler.outlets import compile_selector, outlet_for_url
from crawler.scheduler import build_schedule, parse_duration
from crawler.testsite import ATOM_PATH, LoopbackSite, read_manifest

SAVED = Path(__file__).parent / "fixtures" / "saved"
RELEVANT = "scrapping-webs/nikkei-test_article_1.html"  # 反撃能力: relevant to the default topic
PAGES = [RELEVANT, "fundus-jp/SankeiShimbun_2025_01_21.html", "scrapping-webs/mainichi-test_article_1.html"]
TULIPS = "snacktory/yomiuri.sjis.html"  # relevant to the test config's own topic
LOOPBACK = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "DOWNLOAD_TIMEOUT=20", "RETRY_TIMES=0", "NEWSMON_EXTRACT_WORKERS=1", "LOG_LEVEL=WARNING"]
TOPIC = """
[topics.tulips]
name = "Tulips"
threshold = 1.0
terms = [{ term = "チューリップ", weight = 2 }]
"""


# --- helpers ----------------------------------------------------------------------------------

class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        posts: list[dict] = []
        headers: list[dict[str, str]] = []
        self.posts, self.headers = posts, headers

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers.append({k.lower(): v for k, v in self.headers.items()})
                posts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def write_config(path: Path, site: LoopbackSite, *, schedule: str, webhook: str | None = None) -> str:
    text = site.toml_snippet("site") + f"\n[schedule]\n{schedule}\n" + TOPIC
    if webhook:
        # The saved pages were published years before this crawl first sees them: news here.
        text += f'\n[notify]\nwebhook = "{webhook}"\nnews_age = "off"\n'
    path.write_text(text, encoding="utf-8")
    return str(path)


def rows(db: str, sql: str, *params) -> list[dict]:
    if not os.path.exists(db):
        return []
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []  # not migrated yet
        raise
    finally:
        conn.close()


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 60, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group: the crawl, its forkserver and workers."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


@contextmanager
def daemon(tmp_path: Path, db: str, config: str, *extra: str) -> Iterator[subprocess.Popen]:
    """`newsmon schedule site` running; whatever happens, it and its crawls are gone after."""
    cmd = [sys.executable, "-m", "crawler.cli", "schedule", "site", "--db", db, "--config", config]
    for pair in LOOPBACK + list(extra):
        cmd += ["-s", pair]
    log = tmp_path / "schedule.log"
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    proc.log = log  # type: ignore[attr-defined]
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for run in rows(db, "select pid from crawl_runs where pid is not null"):
            try:
                os.killpg(run["pid"], signal.SIGKILL)  # a crawl left behind by a failed test
            except (ProcessLookupError, PermissionError):
                pass


def stop(proc: subprocess.Popen, signum: int = signal.SIGTERM) -> int:
    """SIGTERM, as systemd sends it (or SIGINT, Ctrl-C); returns the exit status (bounded wait)."""
    proc.send_signal(signum)
    return proc.wait(timeout=60)


def finished_schedule_runs(db: str) -> list[dict]:
    return rows(db, "select * from crawl_runs where trigger = 'schedule' and finish_reason = 'finished' order by id")


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- the schedule itself ----------------------------------------------------------------------

def test_schedule_config_becomes_jobs_with_ids_and_graces():
    plan = build_schedule({"interval": "15m", "jitter": "30s", "timeout": "5m",
                           "outlets": {"nhk": "5m", "nikkei": "*/30 6-23 * * *"}},
                          ["asahi", "nhk", "nikkei"])
    assert [(j.id, j.outlets, j.interval, j.cron) for j in plan.jobs] == [
        ("crawl:nhk", ["nhk"], 300.0, None),
        ("crawl:nikkei", ["nikkei"], None, "*/30 6-23 * * *"),
        ("crawl:default", ["asahi"], 900.0, None),
    ]
    assert (plan.jitter, plan.timeout, plan.stop_timeout) == (30.0, 300.0, 30.0)
    # Half the period: a short stall does not drop a run (APScheduler's default grace is 1 s).
    assert [j.grace(plan.timezone) for j in plan.jobs] == [150, 900, 450]
    assert build_schedule({}, ["a"], "90s").jobs[0].interval == 90.0  # NEWSMON_SCHEDULE_INTERVAL
    assert build_schedule({}, ["a"]).jobs[0].interval == 900.0  # default 15m
    assert parse_duration("2h", "x") == 7200 and parse_duration("1.5s", "x") == 1.5
    # A number without its unit was seconds: `interval = 15` crawled every outlet every 15 seconds.
    for bare in (15, 1.5, "15"):
        with pytest.raises(ConfigError, match="a number needs its unit, s, m, h or d"):
            parse_duration(bare, "interval")
    assert parse_duration(0, "jitter", zero_ok=True) == 0  # nothing, in any unit


def test_a_crontabs_grace_is_half_its_shortest_gap_whenever_the_scheduler_starts():
    from datetime import datetime, timedelta, timezone

    job = build_schedule({"outlets": {"nikkei": "*/30 6-23 * * *"}}, ["nikkei"]).jobs[0]
    jst = timezone(timedelta(hours=9))
    # Started at 23:20 in Tokyo the next two runs are 6.5 h apart; the grace stays 15 minutes.
    for started in (datetime(2026, 11, 30, 23, 20, tzinfo=jst), datetime(2026, 11, 30, 12, 5, tzinfo=jst)):
        assert job.period("Asia/Tokyo", now=started) == 1800.0


@pytest.mark.parametrize("table, message", [
    ({"interval": "15 minutes"}, "interval = '15 minutes': write a number with unit s, m, h or d"),
    ({"interval": "0s"}, "interval must be more than 0"),
    ({"every": "5m"}, "unknown key(s) ['every']"),
    ({"outlets": {"bbc": "5m"}}, "unknown outlet(s) ['bbc']"),
    ({"outlets": {"nhk": "61 * * * *"}}, "nhk = '61 * * * *': not a crontab expression"),
    # A crontab of too few fields was read as a duration: "write a number with unit s, m, h or d".
    ({"outlets": {"nhk": "* * *"}}, "nhk = '* * *': neither a duration (\"15m\") nor a crontab expression, which "
                                    "has five fields (minute hour day month weekday"),
    # One field that is no duration: the message named durations only, where a crontab would do too.
    ({"outlets": {"nhk": "5x"}}, "outlets.nhk = '5x': write a number with unit s, m, h or d, e.g. \"15m\"; or a "
                                 "crontab expression of five fields"),
    ({"timezone": "Mars/Olympus"}, "timezone = 'Mars/Olympus'"),
])
def test_bad_schedule_config_says_what_to_fix(table, message):
    with pytest.raises(ConfigError) as exc:
        build_schedule(table, ["nhk"])
    assert message in str(exc.value)


def test_an_outlets_duration_out_of_range_is_not_told_of_crontabs():
    # "0s" is a duration, too short: "or a crontab expression" sent its writer to another syntax.
    with pytest.raises(ConfigError) as exc:
        build_schedule({"outlets": {"nhk": "0s"}}, ["nhk"])
    assert "must be more than 0 seconds" in str(exc.value) and "crontab" not in str(exc.value)


def test_an_outlet_keyed_default_cannot_have_a_job_of_its_own():
    # Its job was crawl:default, the shared job's id: one of the two was never run.
    with pytest.raises(ConfigError) as exc:
        build_schedule({"outlets": {"default": "5m"}}, ["default", "nhk"])
    assert 'an outlet keyed "default" cannot have a schedule of its own' in str(exc.value)
    assert [j.id for j in build_schedule({}, ["default", "nhk"]).jobs] == ["crawl:default"]


def test_check_prints_the_plan_and_the_environment_overrides_the_interval(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[schedule]\ninterval = "1h"\n[schedule.outlets]\nnhk = "*/30 6-23 * * *"\n', encoding="utf-8")
    env = dict(os.environ, NEWSMON_SCHEDULE_INTERVAL="90s")
    # --check reads the database a schedule writes (it refuses one that is not there: a mistyped --db).
    from storage import open_db

    open_db(str(tmp_path / "n.db")).conn.close()
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", "nhk", "asahi", "--check",
                             "--db", str(tmp_path / "n.db"), "--config", str(config)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "crawl:nhk (nhk) at '*/30 6-23 * * *'" in result.stdout
    assert "crawl:default (asahi) every 90s" in result.stdout  # the variable beat the file's 1h
    assert "misfire grace 45s" in result.stdout
    assert "! runs" not in result.stdout  # every 90s and every 30 minutes keep "within the hour"
    # Runs two hours apart cannot: said before the daemon starts (no outlet's health says it).
    env["NEWSMON_SCHEDULE_INTERVAL"] = "2h"
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", "asahi", "--check",
                             "--db", str(tmp_path / "n.db"), "--config", str(config)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert ("  ! runs 2h apart: articles are found up to 2h after publication, more than NEWSMON_LATE_AFTER (1h); "
            "a shorter interval keeps 'within the hour'") in result.stdout


# --- the daemon, end to end -------------------------------------------------------------------

@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite(PAGES) as s:
        yield s


def test_a_crawl_that_waited_for_a_busy_outlet_says_how_long_it_waited(tmp_path):
    # It said "pass --wait SECONDS to wait for it" to a crawl given --wait 60, as if ignored.
    from crawler.locks import OutletBusy, outlet_locks

    db = str(tmp_path / "news.db")
    with outlet_locks(db, ["site"]):
        with pytest.raises(OutletBusy) as busy:
            with outlet_locks(db, ["site"]):
                pass
        assert str(busy.value).endswith("try again later, or pass --wait SECONDS to wait for it"), busy.value
        with pytest.raises(OutletBusy) as waited:
            with outlet_locks(db, ["site"], wait=0.5):
                pass
        assert str(waited.value).endswith("waited 0.5 s for it; try again later, or give a longer --wait"), \
            waited.value
    with outlet_locks(db, ["site"], wait=0.5):
        pass  # free again


def test_runs_on_schedule_never_overlap_a_manual_crawl_and_stop_cleanly(tmp_path, site, receiver):
    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "2s"\ntimeout = "60s"',
                          webhook=receiver.url)
    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: len(finished_schedule_runs(db)) >= 2, "two scheduled runs", log=proc.log)
        # One digest, for the run that found the relevant article; the quiet run sent none.
        assert [[a["title"] for a in p["articles"]] for p in receiver.posts] == [
            ["反撃能力行使、同盟国への攻撃例示 岸田文雄首相が言及"]]
        assert receiver.posts[0]["run"]["trigger"] == "schedule"
        # A second daemon on the database refuses to start: two crawled every outlet twice as often
        # as configured, every run finishing, and nothing said so.
        second = subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", "site", "--db", db, "--config",
                                 config], capture_output=True, text=True, timeout=120)
        assert second.returncode == 75, second.stderr[-2000:]
        assert re.search(rf"another newsmon schedule \(pid {proc.pid} since [^)]+\) already crawls", second.stderr), \
            second.stderr

        # A slow feed keeps the daemon's next crawl going while a manual one starts.
        site.hang(ATOM_PATH, 6)
        hung_from = time.time()  # a request logged from now on is answered late
        wait_for(lambda: any(r.path == ATOM_PATH and r.status is None and r.time >= hung_from
                             for r in site.requests()),
                 "a scheduled crawl waiting on the slow feed", log=proc.log)
        manual = [sys.executable, "-m", "crawler.cli", "crawl", "site", "--db", db, "--config", config]
        for pair in LOOPBACK:
            manual += ["-s", pair]
        busy = subprocess.run(manual + ["-s", "USER_AGENT=manual-nowait"], capture_output=True, text=True,
                              timeout=120)
        assert busy.returncode == 75, busy.stderr[-2000:]
        assert re.search(r"is being crawled right now by pid \d+ since \S+ \S+ [A-Z]+\b", busy.stderr), busy.stderr
        assert "--wait" in busy.stderr
        site.remove_fault(ATOM_PATH)  # the request already waiting keeps waiting
        waited = subprocess.run(manual + ["--wait", "60", "-s", "USER_AGENT=manual-wait"], capture_output=True,
                                text=True, timeout=120)
        assert waited.returncode == 0, waited.stderr[-2000:]

        # A new relevant article: the next run's digest lists it, and only it.
        site.add_article(TULIPS)
        wait_for(lambda: len(receiver.posts) >= 2, "the second digest", log=proc.log)
        assert stop(proc) == 0

    runs = rows(db, "select * from crawl_runs order by id")
    assert all(r["finished_at"] for r in runs), runs  # nothing left unfinished
    scheduled = [r for r in runs if r["trigger"] == "schedule" and r["finish_reason"] == "finished"]
    assert len(scheduled) >= 4
    # On schedule: one at start, then one per interval, never back to back (2 s interval,
    # timestamps in whole seconds).
    starts = [_t(r["started_at"]) for r in scheduled]
    assert all((b - a).total_seconds() >= 1 for a, b in zip(starts, starts[1:]))
    # The manual run that found the outlet busy is in the ledger too.
    assert [r["exit_status"] for r in runs if r["finish_reason"] == "skipped: outlet busy" and r["trigger"] == "manual"] == [75]
    # Never two crawls of the outlet at once: the runs that crawled are disjoint in time ...
    crawled = sorted((r for r in runs if not r["finish_reason"].startswith("skipped")), key=lambda r: r["started_at"])
    for a, b in zip(crawled, crawled[1:]):
        assert b["started_at"] >= a["finished_at"], (a, b)
    # ... and, to the millisecond, no daemon request fell inside the manual crawl's requests.
    log = site.requests()
    mine = [r.time for r in log if r.user_agent == "manual-wait"]
    assert mine and not [r for r in log if r.user_agent == "manual-nowait"]
    assert not [r for r in log if r.user_agent != "manual-wait" and min(mine) <= r.time <= max(mine)]
    tulips = rows(db, "select title from articles where title like '%チューリップ%'")[0]["title"]
    assert [[a["title"] for a in p["articles"]] for p in receiver.posts][1:] == [[tulips]]


def test_a_config_broken_while_the_daemon_runs_is_named_in_its_failed_runs(tmp_path, site, receiver):
    # Edited while the daemon ran, the config made every crawl exit 2: the run history and the digest
    # said "failed: exit status 2", the reason in the daemon's log alone.
    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "60s"',
                          webhook=receiver.url)
    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: finished_schedule_runs(db), "a scheduled run", log=proc.log)
        text = Path(config).read_text(encoding="utf-8")
        Path(config).write_text(text.replace('interval = "1s"', 'interval = "1s"\njitter = 5'), encoding="utf-8")
        failed = wait_for(lambda: rows(db, "select * from crawl_runs where finish_reason like 'failed:%'"),
                          "a run that refused the config", log=proc.log)[0]
        assert failed["exit_status"] == 2
        assert failed["finish_reason"].startswith("failed: its config does not load: ") and \
            "[schedule] jitter = 5: a number needs its unit" in failed["finish_reason"], failed["finish_reason"]
        Path(config).write_text(text, encoding="utf-8")  # mended: the daemon had read the old one at its start
        post = wait_for(lambda: [p for p in receiver.posts if p.get("health_changes")], "the digest of the failure",
                        log=proc.log)[0]
        assert "its config does not load" in json.dumps(post, ensure_ascii=False)
        assert stop(proc) == 0


def test_a_schedule_edited_while_the_daemon_runs_applies_without_a_restart(tmp_path, site):
    # The daemon kept the [schedule] of its start: an interval shortened (or an outlet added to the
    # config) never applied until someone restarted it, and nothing said so.
    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1h"\ntimeout = "60s"')
    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: finished_schedule_runs(db), "the run at the start", log=proc.log)
        text = Path(config).read_text(encoding="utf-8")
        Path(config).write_text(text.replace('timeout = "60s"', 'timeout = "60s"\n[schedule.outlets]\nsite = "2s"'),
                                encoding="utf-8")
        wait_for(lambda: len(finished_schedule_runs(db)) >= 3, "runs every 2 s", log=proc.log)
        assert "its [schedule] and [notify] are read again; schedule now: crawl:site (site) every 2s" in \
            proc.log.read_text(errors="replace")
        # One that does not load leaves the schedule as it was.
        Path(config).write_text(text.replace('interval = "1h"', 'interval = 15'), encoding="utf-8")
        wait_for(lambda: "changed but does not load" in proc.log.read_text(errors="replace"), "the warning",
                 log=proc.log)
        assert stop(proc) == 0


def test_an_outlet_named_at_the_start_and_removed_from_the_config_leaves_the_others_crawled(tmp_path, site):
    # The daemon was started for two outlets; one removed from the file made the whole config "not
    # load": every run of the other failed (exit 2) and every later edit was ignored.
    db = str(tmp_path / "news.db")
    config = tmp_path / "c.toml"
    both = site.toml_snippet("site") + "\n" + site.toml_snippet("twin") + '\n[schedule]\ninterval = "2s"\n' + TOPIC
    config.write_text(both, encoding="utf-8")
    cmd = [sys.executable, "-m", "crawler.cli", "schedule", "site", "twin", "--db", db, "--config", str(config)]
    log = tmp_path / "schedule.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen([*cmd, *[a for p in LOOPBACK for a in ("-s", p)]], stdout=out, stderr=subprocess.STDOUT,
                                cwd=tmp_path)
    try:
        wait_for(lambda: finished_schedule_runs(db), "a run of both", log=log)
        config.write_text(both.replace(site.toml_snippet("twin"), ""), encoding="utf-8")
        wait_for(lambda: "no longer has outlet(s) twin: not crawled from now on" in log.read_text(errors="replace"),
                 "the reload", log=log)
        seen = len(rows(db, "select id from crawl_runs"))
        wait_for(lambda: [r for r in finished_schedule_runs(db)[1:] if json.loads(r["outlets"]) == ["site"]],
                 "a run of site alone", log=log)
        assert not [r for r in rows(db, "select * from crawl_runs where id > ?", seen)
                    if (r["finish_reason"] or "").startswith("failed")]
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_the_daemons_own_digests_go_where_the_config_says_now(tmp_path, site, receiver):
    # The crawls read their config afresh each run; the daemon's own digests (of a run it killed)
    # went on to the webhook of its start after the config named another.
    db = str(tmp_path / "news.db")
    # The timeout leaves room for a slow start under load: a first run killed at it (4 s, once)
    # told its health change where the config then said, before the test moved it.
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "8s"', webhook=receiver.url)
    moved = Receiver()
    try:
        with daemon(tmp_path, db, config) as proc:
            wait_for(lambda: finished_schedule_runs(db), "a scheduled run", log=proc.log)
            told_before = len([p for p in receiver.posts if p.get("health_changes")])
            Path(config).write_text(Path(config).read_text(encoding="utf-8").replace(receiver.url, moved.url),
                                    encoding="utf-8")
            site.hang(ATOM_PATH, 30)
            wait_for(lambda: [p for p in moved.posts if p.get("health_changes")], "the timeout's digest at the new "
                     "webhook", log=proc.log)
            assert len([p for p in receiver.posts if p.get("health_changes")]) == told_before
            site.remove_fault(ATOM_PATH)
            assert stop(proc) == 0
    finally:
        moved.stop()


def test_a_hung_crawl_is_killed_at_its_timeout_and_recorded(tmp_path, site, receiver):
    db = str(tmp_path / "news.db")
    # The timeout leaves room for a slow process start under load: the second run must still be
    # running (not yet timed out) when SIGTERM arrives, so that stop_timeout is what kills it.
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "8s"\nstop_timeout = "2s"',
                          webhook=receiver.url)
    site.hang(ATOM_PATH, 30)
    with daemon(tmp_path, db, config) as proc:
        timed_out = wait_for(lambda: rows(db, "select * from crawl_runs where finish_reason = 'timeout'"),
                             "a run killed at its timeout", log=proc.log)[0]
        assert (timed_out["trigger"], timed_out["exit_status"]) == ("schedule", -9)
        # The crawl and its extraction workers are gone: the whole process group was killed.
        wait_for(lambda: not group_members(timed_out["pid"]), "the killed process group to be gone", timeout=10)
        health = wait_for(lambda: rows(db, "select * from health where outlet = 'site'"), "the health row")[0]
        assert health["status"] == "failing" and "killed at its timeout" in health["problems"]
        wait_for(lambda: receiver.posts, "the digest of the health change", log=proc.log)
        change = receiver.posts[0]["health_changes"][0]
        assert (change["outlet"], change["status"], change["reasons"][0]["code"]) == ("site", "failing", "timeout")

        # The next run hangs too; SIGTERM gives it stop_timeout to close, then kills it. Not before
        # it hangs: its row is written as it starts, and a SIGTERM before its feed request went out
        # let it close within stop_timeout ("shutdown"; once in a full suite on 2 cores).
        next_run = wait_for(lambda: rows(db, "select * from crawl_runs where finished_at is null"), "the next run",
                            log=proc.log)[0]
        since = datetime.fromisoformat(next_run["started_at"]).timestamp()
        wait_for(lambda: [r for r in site.requests() if r.path == ATOM_PATH and r.time >= since],
                 "the next run asking for the hanging feed", log=proc.log)
        started = time.monotonic()
        assert stop(proc) == 0
        assert time.monotonic() - started < 30  # bounded: stop_timeout (2 s) and bookkeeping
    runs = rows(db, "select * from crawl_runs order by id")
    assert all(r["finished_at"] for r in runs)
    assert runs[-1]["finish_reason"] == "shutdown: killed"
    assert not _alive(runs[-1]["pid"])


def test_a_database_another_process_holds_locked_is_alerted_once_and_the_runs_go_on_after(tmp_path, site, receiver):
    from storage import open_db

    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "60s"',
                          webhook=receiver.url)
    open_db(db).conn.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # DB Browser for SQLite, a reviewer's edit not written yet
    try:
        with daemon(tmp_path, db, config, "NEWSMON_DB_BUSY_TIMEOUT=0.5") as proc:
            # Three: the second's end is tried while the third runs, the first's again with it.
            wait_for(lambda: proc.log.read_text(errors="replace").count("ended with exit status 74") >= 3,
                     "three runs that found the database locked", log=proc.log)
            # At WARNING, as a crash or a kill is: at INFO, `journalctl -p warning` left them out.
            assert re.search(r"WARNING: newsmon: crawl:\S+: crawl \(pid \d+\) ended with exit status 74",
                             proc.log.read_text(errors="replace"))
            # Before: each run's end was a traceback in the daemon's log, and nobody was told.
            alerts = [p for p in receiver.posts if p["type"] == "newsmon.alert"]
            assert [a["alert"] for a in alerts] == ["database_unwritable"]
            assert alerts[0]["database"] == db and "DB Browser" in alerts[0]["text"]
            holder.rollback()
            wait_for(lambda: finished_schedule_runs(db), "a run that could write", log=proc.log)
            wait_for(lambda: len([p for p in receiver.posts if p["type"] == "newsmon.alert"]) == 2,
                     "the alert that the database can be written", log=proc.log)
            assert stop(proc) == 0
    finally:
        holder.close()
    assert [p["alert"] for p in receiver.posts if p["type"] == "newsmon.alert"] == [
        "database_unwritable", "database_writable"]
    assert "Traceback" not in proc.log.read_text(errors="replace")
    # Each run's end waiting to be recorded is said once, not again with every later run's.
    said = re.findall(r"the end of crawl pid ([\d, ]+) is recorded once", proc.log.read_text(errors="replace"))
    pids = [pid for line in said for pid in line.split(", ")]
    assert pids and len(pids) == len(set(pids)), said
    runs = rows(db, "select * from crawl_runs order by id")
    # The runs that found it locked are recorded once it could be written, and are no evidence
    # of the outlet's health; the articles are all there.
    skipped = [r for r in runs if r["finish_reason"] == "skipped: database unwritable"]
    assert len(skipped) >= 2 and {r["exit_status"] for r in skipped} == {74}
    assert rows(db, "select status from health where outlet = 'site'")[0]["status"] == "ok"
    assert rows(db, "select count(*) as n from articles")[0]["n"] == len(PAGES)


def test_a_database_whose_disk_cannot_be_written_since_is_alerted_and_the_runs_recorded_after(tmp_path, site,
                                                                                                 receiver):
    # A disk that filled up or went read-only between runs fails the first write of every
    # process, the WAL's files: each crawl ended in a traceback (exit status 1), the daemon's
    # bookkeeping of it too, no alert, and the runs were never recorded. Directories where the
    # WAL's files go stand for such a disk here (a test run as root writes any read-only file).
    from storage import open_db

    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "60s"',
                          webhook=receiver.url)
    blocked = [Path(db + "-wal"), Path(db + "-shm")]

    def block() -> bool:
        # Between two runs, once the last connection has closed and the WAL's files are gone.
        try:
            for path in blocked:
                path.mkdir()
        except FileExistsError:
            for path in blocked:
                if path.is_dir():
                    path.rmdir()
            return False
        return True

    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: finished_schedule_runs(db), "a first run", log=proc.log)
        wait_for(block, "a moment between two runs", log=proc.log)
        wait_for(lambda: proc.log.read_text(errors="replace").count("ended with exit status 74") >= 2,
                 "two runs that could not write", log=proc.log)
        alerts = [p for p in receiver.posts if p["type"] == "newsmon.alert"]
        assert [a["alert"] for a in alerts] == ["database_unwritable"]
        assert "could not write to" in alerts[0]["text"]
        for path in blocked:
            path.rmdir()
        wait_for(lambda: len([p for p in receiver.posts if p["type"] == "newsmon.alert"]) == 2,
                 "the alert that the database can be written", log=proc.log)
        assert stop(proc) == 0
    assert "Traceback" not in proc.log.read_text(errors="replace")
    runs = rows(db, "select * from crawl_runs order by id")
    skipped = [r for r in runs if r["finish_reason"] == "skipped: database unwritable"]
    assert len(skipped) >= 2 and {r["exit_status"] for r in skipped} == {74}
    # Each when it ended, not when it could be recorded: they were all stamped with the end of the
    # run that got through, which then read as the moment every one of them stopped.
    writable = [p for p in receiver.posts if p["type"] == "newsmon.alert"][1]
    assert writable["alert"] == "database_writable"
    assert all(r["finished_at"] < writable["until"] for r in skipped), (skipped, writable["until"])
    assert rows(db, "select count(*) as n from articles")[0]["n"] == len(PAGES)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_lets_the_running_crawl_close_its_run(tmp_path, site, signum):
    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1h"')
    for article in site.articles:
        site.hang(article.path, 2)
    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: site.article_requests(), "the crawl fetching articles", log=proc.log)
        assert stop(proc, signum) == 0
    run = rows(db, "select * from crawl_runs")[0]
    # Scrapy closed the run itself (its own reason, its counts), within stop_timeout.
    assert run["finished_at"] and run["finish_reason"] == "shutdown" and run["requests"] > 0
    assert not _alive(run["pid"])
    assert rows(db, "pragma integrity_check")[0]["integrity_check"] == "ok"


# --- a redesign that breaks an outlet's rules ----------------------------------------------------

def strip_rule_anchors(data: bytes, url: str) -> bytes:
    """The page as after a redesign: the elements its outlet's rules anchor on lose their names.

    The text is all still there, so generic extraction reads the page: the silent failure.
    """
    tree = lxml_html.document_fromstring(decode_html(data)[0])
    for rules in outlet_for_url(url).rules:
        for selector in rules.body:
            for el in compile_selector(selector)(tree):
                if isinstance(el, etree._Element):
                    el.tag = "div"
                    el.attrib.clear()
    for meta in tree.xpath("//meta[@charset or @http-equiv]"):
        meta.drop_tree()
    return b'<!DOCTYPE html>\n<meta charset="utf-8">\n' + lxml_html.tostring(tree, encoding="utf-8")


REDESIGNED = ["scrapping-webs/nikkei-test_article_2.html", "scrapping-webs/sankei-test_article_2.html",
              "scrapping-webs/mainichi-test_article_2.html"]


def redesign_root(tmp_path: Path) -> tuple[Path, list[str]]:
    """A saved-pages root: PAGES as saved, and REDESIGNED rewritten under redesign/."""
    root = tmp_path / "saved"
    manifest = read_manifest(SAVED)
    header = (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[0]
    fields = header.split("\t")
    lines = [header]
    for rel in PAGES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        src = SAVED / rel if (SAVED / rel).exists() else SAVED / (rel + ".gz")
        (root / src.relative_to(SAVED)).write_bytes(src.read_bytes())
        lines.append("\t".join(manifest[rel][f] or "" for f in fields))
    added = []
    for rel in REDESIGNED:
        row = dict(manifest[rel], local_file="redesign/" + rel)
        src = SAVED / rel if (SAVED / rel).exists() else SAVED / (rel + ".gz")
        data = src.read_bytes()
        if src.suffix == ".gz":
            import gzip

            data = gzip.decompress(data)
        (root / row["local_file"]).parent.mkdir(parents=True, exist_ok=True)
        (root / row["local_file"]).write_bytes(strip_rule_anchors(data, row["original_url_if_known"]))
        lines.append("\t".join(row[f] or "" for f in fields))
        added.append(row["local_file"])
    (root / "MANIFEST.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root, added


def test_an_outlet_whose_rules_stop_matching_is_flagged(tmp_path, receiver):
    root, redesigned = redesign_root(tmp_path)
    db = str(tmp_path / "news.db")
    with LoopbackSite(PAGES, root=root) as site:
        config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"', webhook=receiver.url)
        with daemon(tmp_path, db, config) as proc:
            wait_for(lambda: rows(db, "select * from health where outlet = 'site'"), "the first health check",
                     log=proc.log)
            assert rows(db, "select status from health where outlet = 'site'")[0]["status"] == "ok"
            for rel in redesigned:  # the outlets redesign: new articles come in the new layout
                site.add_article(rel)
            flagged = wait_for(lambda: rows(db, "select * from health where outlet = 'site' and status != 'ok'"),
                               "the outlet flagged", log=proc.log)[0]
            wait_for(lambda: any(p["health_changes"] for p in receiver.posts), "the digest of the change")
            assert stop(proc) == 0
        # Read by `newsmon status` below with an hourly schedule: at "1s", three runs missed since
        # the daemon stopped (3 s; a loaded machine took 4) make the outlet "failing", rightly,
        # and exit 1 (test_health's test_status_fails_an_outlet_whose_crawls_stopped_finishing).
        write_config(tmp_path / "c.toml", site, schedule='interval = "1h"', webhook=receiver.url)
    assert flagged["status"] == "degraded"
    assert "rules no longer match: 3 of 3 articles were read without them (generic extraction" in flagged["problems"]
    # The redesigned pages were fetched (by one run, or two if it began mid-publication) and all
    # counted as read generically.
    counts = rows(db, "select sum(pages) as pages, sum(rules_missed) as missed from outlet_runs "
                      "where run_id > (select min(run_id) from outlet_runs)")[0]
    assert (counts["pages"], counts["missed"]) == (3, 3)
    change = next(p for p in receiver.posts if p["health_changes"])["health_changes"][0]
    assert (change["outlet"], change["previous"], change["status"]) == ("site", "ok", "degraded")
    status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "site", "--db", db, "--config",
                             str(tmp_path / "c.toml")], capture_output=True, text=True, timeout=60)
    # Its table says why, when it alarms (a failed delivery, a failing outlet).
    assert status.returncode == 0, status.stdout + status.stderr
    line = next(line for line in status.stdout.splitlines() if line.startswith("site "))
    assert "degraded" in line and "finished" in line
    assert "! rules no longer match: 3 of 3 articles" in status.stdout


@contextmanager
def _watched(tmp_path, monkeypatch, next_run, watch: float = 0.05):
    """A daemon's scheduler running a 15-minute job due at ``next_run`` (as the job looks once the
    clock moved), with its clock watcher looking every ``watch`` seconds; stopped at the end."""
    from crawler import scheduler as sched

    monkeypatch.setattr(sched, "CONFIG_WATCH_SECONDS", watch)
    plan = build_schedule({"interval": "15m"}, ["site"])
    daemon_ = sched.Daemon(plan, db_path=str(tmp_path / "news.db"), config_path=None)
    daemon_.add_jobs(run_now=False)
    started = threading.Thread(target=daemon_.scheduler.start, daemon=True)
    started.start()
    try:
        wait_for(lambda: daemon_.scheduler.running, "the scheduler")
        daemon_.scheduler.modify_job("crawl:default", next_run_time=next_run)
        threading.Thread(target=daemon_._watch_clock, daemon=True).start()
        time.sleep(0.2)
        yield daemon_
    finally:
        monkeypatch.undo()
        daemon_.stopping.set()
        if daemon_.scheduler.running:  # not shut down by the test
            daemon_.scheduler.shutdown(wait=False)
        started.join(timeout=10)


def test_a_clock_set_back_sets_each_jobs_next_run_from_now(tmp_path, monkeypatch, caplog):
    # APScheduler reads the wall clock: set back an hour (NTP correcting a clock that ran ahead, a
    # VM restored), every job waited that hour, nothing said, and `status` read "ok" (its last
    # runs seemed to lie in the future, none missed).
    from datetime import timedelta, timezone

    from crawler import scheduler as sched

    # As the job looks once the clock is an hour behind: due in an hour and a quarter.
    ahead = datetime.now(timezone.utc) + timedelta(minutes=75)
    with _watched(tmp_path, monkeypatch, ahead) as daemon_:
        real = time.time
        monkeypatch.setattr(sched.time, "time", lambda: real() - 3600)
        wait_for(lambda: daemon_.scheduler.get_job("crawl:default").next_run_time < ahead - timedelta(minutes=30),
                 "the job's next run set from now", timeout=10)
        due = daemon_.scheduler.get_job("crawl:default").next_run_time
        assert abs((due - datetime.now(timezone.utc)).total_seconds() - 900) < 30, due
        assert "the system clock was set back by 1h: each job's next run is set from now" in caplog.text


def _step_clock(monkeypatch, seconds: float) -> None:
    """Step the wall clock ``seconds`` as the watcher reads it (``time.time``) and as APScheduler
    does (``datetime.now``), which the other tests leave as it is."""
    from datetime import timedelta

    import apscheduler.executors.base
    import apscheduler.schedulers.base
    import apscheduler.triggers.interval

    class Stepped(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=seconds)

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)
    for module in (apscheduler.schedulers.base, apscheduler.executors.base, apscheduler.triggers.interval):
        monkeypatch.setattr(module, "datetime", Stepped)


@pytest.mark.parametrize("minutes", [60, 64])
def test_a_clock_set_forward_neither_skips_nor_runs_the_job_it_made_seem_due(tmp_path, monkeypatch, caplog, minutes):
    # The job due in 10 minutes, the clock set forward an hour: its times 10 to 55 minutes on seemed
    # past. APScheduler's next look (the config's watch every 5 s, another job's time), before the
    # watcher's, ran the last at once (5 minutes past) or, 9 minutes past, beyond its grace of 7.5,
    # logged "a run of crawl:default was skipped": no run was missed, 10 minutes had not passed.
    from datetime import timedelta, timezone

    from crawler import scheduler as sched

    ran = threading.Event()
    monkeypatch.setattr(sched.Daemon, "run_job", lambda self, job: ran.set())
    caplog.set_level("INFO", logger="apscheduler")
    # The watcher looks no more: the scheduler's own look finds the step.
    ahead = datetime.now(timezone.utc) + timedelta(minutes=10)
    with _watched(tmp_path, monkeypatch, ahead, watch=3600) as daemon_:
        _step_clock(monkeypatch, minutes * 60)
        daemon_.scheduler.wakeup()
        wait_for(lambda: daemon_.scheduler.get_job("crawl:default").next_run_time != ahead, "the job looked at",
                 timeout=10)
        time.sleep(0.3)
        logged = caplog.text
        due = daemon_.scheduler.get_job("crawl:default").next_run_time
    assert "skipped" not in logged and "was missed" not in logged and not ran.is_set(), logged
    assert f"the system clock was set forward by {sched._human(minutes * 60)}: each job's next run" in logged
    assert abs((due - datetime.now(timezone.utc)).total_seconds() - minutes * 60 - 900) < 30, due


@pytest.mark.parametrize("minutes", [60, 64])
def test_a_clock_step_right_after_the_schedulers_look_neither_runs_nor_skips_a_job(tmp_path, monkeypatch, caplog,
                                                                                   minutes):
    # The scheduler looks at the clock, then APScheduler reads it again to find the jobs due: a step
    # forward in between (NTP correcting a VM, once in 40 stress runs) ran the job 10 minutes from due
    # at once, or logged it "skipped", as if no look had been made. The step here lands exactly there.
    from datetime import timedelta, timezone

    from apscheduler.events import EVENT_JOB_SUBMITTED

    from crawler import scheduler as sched

    ran = threading.Event()
    monkeypatch.setattr(sched.Daemon, "run_job", lambda self, job: ran.set())
    caplog.set_level("INFO", logger="apscheduler")
    ahead = datetime.now(timezone.utc) + timedelta(minutes=10)
    with _watched(tmp_path, monkeypatch, ahead, watch=3600) as daemon_:
        submitted: list[str] = []
        daemon_.scheduler.add_listener(lambda event: submitted.append(event.job_id), EVENT_JOB_SUBMITTED)
        look, looks = daemon_.scheduler._look, []

        def look_then_step():
            seen = look()
            looks.append(seen)
            if len(looks) == 1:
                _step_clock(monkeypatch, minutes * 60)  # after the look's reading, before APScheduler's
            return seen

        monkeypatch.setattr(daemon_.scheduler, "_look", look_then_step)
        daemon_.scheduler.wakeup()
        wait_for(lambda: looks, "the scheduler's look", timeout=10)
        daemon_.scheduler.wakeup()  # a second look, once the first round ends, whatever it found due
        wait_for(lambda: len(looks) >= 2 and "set forward" in caplog.text, "the step looked at", timeout=10)
        due = daemon_.scheduler.get_job("crawl:default").next_run_time
    assert submitted == [] and not ran.is_set(), submitted
    assert "skipped" not in caplog.text and "was missed" not in caplog.text, caplog.text
    assert f"the system clock was set forward by {sched._human(minutes * 60)}: each job's next run" in caplog.text
    assert abs((due - datetime.now(timezone.utc)).total_seconds() - minutes * 60 - 900) < 30, due


def test_a_clock_step_after_a_job_is_found_due_neither_loses_its_run_nor_says_it_skipped(tmp_path, monkeypatch,
                                                                                       caplog):
    # The job found due at the clock the scheduler's look judged, the run's thread reads the clock
    # once more, to judge whether the run missed its time: a step forward in between had the run,
    # really due, not run, and logged "skipped (missed its time by more than its grace)".
    from datetime import timedelta, timezone

    from crawler import scheduler as sched

    ran = threading.Event()
    monkeypatch.setattr(sched.Daemon, "run_job", lambda self, job: ran.set())
    ahead = datetime.now(timezone.utc) + timedelta(minutes=10)
    # The watcher finds the step: APScheduler 3.10 waits for the job's next run by the clock before it.
    with _watched(tmp_path, monkeypatch, ahead) as daemon_:
        executor, stepped = daemon_.scheduler._lookup_executor("default"), []
        submit = executor.submit_job

        def step_then_submit(job, run_times):
            if not stepped:
                stepped.append(job.id)
                _step_clock(monkeypatch, 3600)  # the job found due; the run's thread reads the clock next
            return submit(job, run_times)

        monkeypatch.setattr(executor, "submit_job", step_then_submit)
        daemon_.scheduler.modify_job("crawl:default", next_run_time=datetime.now(timezone.utc))
        wait_for(lambda: ran.is_set() or "skipped" in caplog.text, "the due run judged", timeout=10)
        wait_for(lambda: "set forward" in caplog.text, "the step looked at", timeout=10)
        due = daemon_.scheduler.get_job("crawl:default").next_run_time
    assert stepped == ["crawl:default"] and ran.is_set(), caplog.text
    assert "skipped" not in caplog.text and "was missed" not in caplog.text, caplog.text
    assert "the system clock was set forward by 1h: each job's next run is set from now" in caplog.text
    assert abs((due - datetime.now(timezone.utc)).total_seconds() - 3600 - 900) < 30, due


def test_a_stop_while_a_look_waits_for_a_config_reread_sets_no_job(tmp_path, monkeypatch, caplog):
    # The clock stepped while an edited config was being read; the daemon stopped before the read
    # ended: the look, let through then, set the jobs of a scheduler shut down, and logged each
    # as an error with its traceback.
    from datetime import timedelta, timezone

    ahead = datetime.now(timezone.utc) + timedelta(minutes=10)
    with _watched(tmp_path, monkeypatch, ahead, watch=3600) as daemon_:
        with daemon_._rereading:  # a config re-read under way
            _step_clock(monkeypatch, 3600)
            look = threading.Thread(target=daemon_._look_at_clock)
            look.start()
            wait_for(lambda: "the system clock was set forward by 1h" in caplog.text, "the step looked at", timeout=10)
            daemon_.stopping.set()
            daemon_.scheduler.shutdown(wait=False)
        look.join(timeout=10)
    assert not look.is_alive()
    assert "could not set its next run" not in caplog.text, caplog.text


def test_a_daemon_stopped_while_the_database_is_locked_leaves_its_runs_and_the_alert_to_the_next(tmp_path, site,
                                                                                                   receiver):
    # Restarted while a reviewer's edit held the database (what one does after the alert): the runs
    # the daemon had said "are recorded once the database can be written" were dropped, and the next
    # daemon never said it could be written again: the last alert said crawls stopped, for good.
    from storage import open_db

    db = str(tmp_path / "news.db")
    config = write_config(tmp_path / "c.toml", site, schedule='interval = "1s"\ntimeout = "60s"',
                          webhook=receiver.url)
    open_db(db).conn.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with daemon(tmp_path, db, config, "NEWSMON_DB_BUSY_TIMEOUT=0.5") as proc:
            wait_for(lambda: proc.log.read_text(errors="replace").count("ended with exit status 74") >= 2,
                     "two runs that found the database locked", log=proc.log)
            assert stop(proc) == 0
        assert re.search(r"\d+ run end\(s\) not recorded yet, left in ", proc.log.read_text(errors="replace"))
    finally:
        holder.rollback()
        holder.close()
    with daemon(tmp_path, db, config) as proc:
        wait_for(lambda: finished_schedule_runs(db), "a run that could write", log=proc.log)
        wait_for(lambda: len([p for p in receiver.posts if p["type"] == "newsmon.alert"]) == 2,
                 "the alert that the database can be written", log=proc.log)
        assert stop(proc) == 0
    assert [p["alert"] for p in receiver.posts if p["type"] == "newsmon.alert"] == [
        "database_unwritable", "database_writable"]
    skipped = rows(db, "select * from crawl_runs where finish_reason = 'skipped: database unwritable'")
    assert len(skipped) >= 2 and {r["exit_status"] for r in skipped} == {74}


def test_run_ends_left_by_a_daemon_are_taken_once_where_their_file_cannot_be_removed(tmp_path, monkeypatch):
    # news.db.locks not writable by the daemon's user (made by another, a read-only mount): the file
    # stayed, and every daemon started after took its run ends again and sent database_writable
    # again, for an outage long over.
    import pathlib

    from crawler import scheduler as sched
    from storage.db import beside

    db = tmp_path / "news.db"
    beside(db).mkdir()
    left = beside(db) / "schedule-unrecorded.json"
    left.write_text(json.dumps({"unwritable_since": "2026-03-01T00:00:00+00:00", "ends": [
        {"job": "crawl:default", "outlets": ["site"], "pid": 4242, "spawned": "2026-03-01T00:00:00+00:00",
         "code": 74, "reason": None, "ended": "2026-03-01T00:00:02+00:00"}]}), encoding="utf-8")

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pathlib.Path, "unlink", refused)
    plan = build_schedule({"interval": "15m"}, ["site"])
    first = sched.Daemon(plan, db_path=str(db), config_path=None)
    first._take_unrecorded()
    assert len(first.unrecorded) == 1 and first.unwritable_since is not None
    again = sched.Daemon(plan, db_path=str(db), config_path=None)
    again._take_unrecorded()
    assert again.unrecorded == [] and again.unwritable_since is None


def test_a_sleep_is_no_clock_step_and_each_job_keeps_its_times(tmp_path, monkeypatch, caplog):
    # Linux's monotonic clock stands still while the machine is suspended: a laptop's night asleep
    # read as "the system clock was set forward by 8h", and every job's next run was pushed a
    # period past the wake, though the wall clock was right all along.
    from datetime import timedelta, timezone

    from crawler import scheduler as sched

    caplog.set_level("INFO", logger="newsmon.schedule")
    due = datetime.now(timezone.utc) + timedelta(hours=9)  # as the job looks after 8 h asleep
    with _watched(tmp_path, monkeypatch, due) as daemon_:
        real, slept = time.time, getattr(sched, "_asleep", lambda: 0.0)
        monkeypatch.setattr(sched, "_asleep", lambda: slept() + 8 * 3600, raising=False)
        monkeypatch.setattr(sched.time, "time", lambda: real() + 8 * 3600)
        wait_for(lambda: "asleep" in caplog.text, "the sleep said", timeout=10)
        time.sleep(0.3)
        assert "the machine was asleep (suspended) for 8h" in caplog.text
        assert "system clock was set" not in caplog.text
        assert daemon_.scheduler.get_job("crawl:default").next_run_time == due
