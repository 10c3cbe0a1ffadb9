"""``newsmon schedule``: an APScheduler 3.x daemon that starts one ``newsmon crawl`` process per run.

Each crawl runs in its own process because Scrapy's reactor cannot be restarted (scrapy#2941),
and so that the daemon itself holds no crawl state: its memory stays flat over months. The
daemon's job is timing, timeouts, closing the ledger rows of the runs it had to kill, and
telling about them; a crawl records its own run, outlet health and digest.

The ``[schedule]`` table of the config::

    [schedule]
    interval = "15m"            # s, m or h; NEWSMON_SCHEDULE_INTERVAL overrides it
    jitter = "30s"              # random delay added to each run, so outlets are not hit on the minute
    timeout = "10m"             # a crawl still running then is killed and recorded as 'timeout'
    stop_timeout = "30s"        # on SIGTERM, how long running crawls get to close cleanly
    timezone = "Asia/Tokyo"     # of the crontab expressions
    [schedule.outlets]
    nhk = "5m"                  # a per-outlet interval ...
    nikkei = "*/30 6-23 * * *"  # ... or a crontab expression

Outlets named in ``[schedule.outlets]`` get a job of their own (``crawl:<outlet>``); all the
others share ``crawl:default``. Different jobs never crawl the same outlet, each job runs one
instance at a time, and the per-outlet locks (``crawler/locks.py``) keep a ``newsmon crawl``
started by hand or by cron off the outlets the daemon is crawling, and the other way round.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from storage import health as health_db
from storage import notifications, open_db
from storage.db import beside, stop_waiting
from storage.exceptions import DatabaseUnwritable

from . import notify
from .config import ConfigError
from .config import parse_duration as config_duration
from .crawl import EXIT_BUSY, EXIT_UNWRITABLE

logger = logging.getLogger("newsmon.schedule")

_KEYS = {"interval", "jitter", "timeout", "stop_timeout", "timezone", "outlets"}
DEFAULT_INTERVAL = "15m"
DEFAULT_TIMEOUT = "10m"
DEFAULT_STOP_TIMEOUT = "30s"
DEFAULT_TIMEZONE = "Asia/Tokyo"

def parse_duration(value: str | int | float, what: str, *, zero_ok: bool = False, label: str | None = None) -> float:
    """Seconds of a ``[schedule]`` duration (``crawler.config.parse_duration``).

    ``what``: its key in ``[schedule]``; ``label``: what the message names instead (a flag, a
    variable); ``zero_ok``: 0 is allowed (jitter).
    """
    return config_duration(value, label or f"[schedule] {what}", allow_zero=zero_ok)


def late_after(value: str | int | float | None) -> timedelta:
    """``NEWSMON_LATE_AFTER`` (checked by crawler/validate.py before anything runs) as a timedelta."""
    return timedelta(seconds=parse_duration(value or "1h", "late_after", label="NEWSMON_LATE_AFTER"))


@dataclass
class Job:
    """One scheduled crawl: a set of outlets and when to crawl them."""

    id: str
    outlets: list[str]
    interval: float | None = None
    cron: str | None = None

    def trigger(self, jitter: float, tz: str):
        if self.cron:
            return CronTrigger.from_crontab(self.cron, timezone=tz)
        return IntervalTrigger(seconds=self.interval, jitter=jitter or None, timezone=tz)

    def period(self, tz: str, now: datetime | None = None) -> float:
        """Seconds between runs; for a crontab, the shortest gap between its fire times.

        Not the gap between the next two: "*/30 6-23 * * *" read at 23:20 would give the night's
        6.5 hours, and a grace of half that, fixed for as long as the scheduler runs, would let
        a stalled daytime run start hours late.
        """
        if self.interval:
            return self.interval
        trigger = CronTrigger.from_crontab(self.cron, timezone=tz)
        times = [trigger.get_next_fire_time(None, now or datetime.now(timezone.utc))]
        # 200 fire times: a day of a crontab every 10 minutes, a week of one every hour.
        while times[-1] is not None and len(times) < 200:
            times.append(trigger.get_next_fire_time(times[-1], times[-1] + timedelta(seconds=1)))
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:]) if a and b]
        return min(gaps) if gaps else 3600.0

    def grace(self, tz: str) -> int:
        # APScheduler's default grace of 1 s drops runs after a short stall (apscheduler#423);
        # half the period is late enough to still be useful and early enough not to pile up.
        return max(1, int(self.period(tz) / 2))

    def describe(self) -> str:
        what = f"every {_human(self.interval)}" if self.interval else f"at '{self.cron}'"
        return f"{self.id} ({', '.join(self.outlets)}) {what}"


def _asleep() -> float:
    """Seconds this machine has been suspended since it booted (0 where no clock says): how far
    the boot clock, which counts a suspend, is ahead of the monotonic clock, which does not."""
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    if boot is None:
        return 0.0
    try:
        return time.clock_gettime(boot) - time.monotonic()
    except OSError:
        return 0.0


def _human(seconds: float | None) -> str:
    seconds = seconds or 0
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


@dataclass
class Schedule:
    jobs: list[Job]
    jitter: float = 0.0
    timeout: float = 600.0
    stop_timeout: float = 30.0
    timezone: str = DEFAULT_TIMEZONE
    extra_args: list[str] = field(default_factory=list)

    def missed(self, outlet: str, since: datetime, now: datetime, most: int = 1000) -> int:
        """How many runs of ``outlet`` this schedule would have started after ``since`` up to
        ``now`` (at most ``most``): a crontab's night counts none."""
        job = next((j for j in self.jobs if outlet in j.outlets), None)
        if job is None or now <= since:
            return 0
        if job.interval:
            return min(most, int((now - since).total_seconds() // job.interval))
        trigger = CronTrigger.from_crontab(job.cron, timezone=self.timezone)
        count, at = 0, since
        while count < most:
            at = trigger.get_next_fire_time(None, at + timedelta(seconds=1))
            if at is None or at > now:
                break
            count += 1
        return count


def build_schedule(table: dict[str, Any], outlets: list[str], interval_override: str | None = None,
                   *, override_from: str = "--interval") -> Schedule:
    """Turn the ``[schedule]`` table into jobs: one per overridden outlet, one for the rest.

    ``interval_override`` (``--interval`` or ``NEWSMON_SCHEDULE_INTERVAL``, named in errors by
    ``override_from``) replaces ``[schedule] interval``.

    Raises:
        ConfigError: an unknown key, a bad duration or crontab, an unknown outlet.
    """
    unknown_keys = set(table) - _KEYS
    if unknown_keys:
        raise ConfigError(f"[schedule] has unknown key(s) {sorted(unknown_keys)}; allowed: {sorted(_KEYS)}")
    interval = (parse_duration(interval_override, "interval", label=override_from) if interval_override
                else parse_duration(table.get("interval", DEFAULT_INTERVAL), "interval"))
    jitter = parse_duration(table.get("jitter", 0), "jitter", zero_ok=True)
    timeout = parse_duration(table.get("timeout", DEFAULT_TIMEOUT), "timeout")
    stop_timeout = parse_duration(table.get("stop_timeout", DEFAULT_STOP_TIMEOUT), "stop_timeout")
    tz = table.get("timezone", DEFAULT_TIMEZONE)
    try:
        CronTrigger.from_crontab("0 * * * *", timezone=tz)
    except Exception:  # zoneinfo and pytz raise different types for an unknown zone
        raise ConfigError(f"[schedule] timezone = {tz!r}: not a time zone name such as \"Asia/Tokyo\"") from None
    per_outlet = table.get("outlets") or {}
    if not isinstance(per_outlet, dict):
        raise ConfigError("[schedule] outlets must be a table: [schedule.outlets] with outlet = \"5m\"")
    unknown = sorted(set(per_outlet) - set(outlets))
    if unknown:
        raise ConfigError(f"[schedule.outlets] names unknown outlet(s) {unknown}; known: {', '.join(sorted(outlets))}")
    if "default" in per_outlet:
        # Its job would be "crawl:default", the id of the outlets' shared job: one of them was lost.
        raise ConfigError("[schedule.outlets] default: an outlet keyed \"default\" cannot have a schedule of its own "
                          "(crawl:default is the id of the job of every other outlet); rename the outlet's key")
    jobs: list[Job] = []
    for key, when in sorted(per_outlet.items()):
        if isinstance(when, str) and len(when.split()) == 5:
            try:
                CronTrigger.from_crontab(when, timezone=tz)
            except ValueError as exc:
                raise ConfigError(f"[schedule.outlets] {key} = {when!r}: not a crontab expression ({exc})") from None
            jobs.append(Job(id=f"crawl:{key}", outlets=[key], cron=when))
        elif isinstance(when, str) and len(when.split()) > 1:
            # "* * *" was read as a duration ("write a number with unit s, m, h or d"), which told a
            # user who meant a crontab nothing of what was wrong.
            raise ConfigError(f"[schedule.outlets] {key} = {when!r}: neither a duration (\"15m\") nor a crontab "
                              f"expression, which has five fields (minute hour day month weekday: \"*/30 6-23 * * *\"), "
                              f"not {len(when.split())}")
        else:
            try:
                every = parse_duration(when, f"outlets.{key}")
            except ConfigError as exc:
                # An outlet's value may be a crontab too, which the duration's message ("5x": "write a number with
                # unit s, m, h or d") did not say; a duration out of range ("0s", "400d") is a duration still.
                if "write a number with unit" not in str(exc):
                    raise
                raise ConfigError(f"{exc}; or a crontab expression of five fields (minute hour day month weekday: "
                                  "\"*/30 6-23 * * *\")") from None
            jobs.append(Job(id=f"crawl:{key}", outlets=[key], interval=every))
    rest = [o for o in outlets if o not in per_outlet]
    if rest:
        jobs.append(Job(id="crawl:default", outlets=rest, interval=interval))
    return Schedule(jobs=jobs, jitter=jitter, timeout=timeout, stop_timeout=stop_timeout, timezone=tz)


#: Scheduled runs an outlet may miss before it is failing (``overdue``): one is a slow crawl or
#: a restart of the daemon, three is the daemon gone or every crawl failing early.
OVERDUE_RUNS = 3


def overdue(db, config, now: datetime, limit: float | None = None) -> dict[str, dict[str, str]]:
    """The outlets no crawl of which has finished for too long: ``{outlet: {"since", "message"}}``.

    Too long: ``limit`` seconds, whoever crawls them; without it, ``OVERDUE_RUNS`` runs of the
    config's ``[schedule]`` (as ``newsmon schedule`` without ``--interval`` builds it; a
    crontab's night counts none), for outlets whose last run the daemon started. A daemon that
    died, or crawls that stop before they can record a run (the database not writable), left
    every outlet at its last run's health, "ok", and whoever watched saw nothing. ``db``: a
    ``Database`` or the desk's ``sqlite3.Connection``.
    """
    from storage.health import crawl_times, duration_text

    from . import settings

    try:
        plan = build_schedule(config.schedule, list(config.outlets), settings.NEWSMON_SCHEDULE_INTERVAL,
                              override_from="NEWSMON_SCHEDULE_INTERVAL")
    except ConfigError:  # the daemon refuses it too, and says why
        plan = None
    out = {}
    # No run has named them for weeks (storage.health.retire): overdue by --overdue for ever. But for one a
    # crawl runs again: crawled again, its first crawl hung, every run of it skipped, it read "retired" for good.
    retired = {row[0] for row in db.execute("SELECT outlet FROM outlet_health WHERE status = 'retired'")}
    for outlet, times in crawl_times(db, now).items():
        if times["success"] is None or outlet in retired and not times["running"]:
            continue  # never finished: its runs' health says why
        if limit is not None:
            last = times["success"]
            late = (now - datetime.fromisoformat(last)).total_seconds() > limit
        else:
            # The daemon's runs are what it misses: a crawl by hand after the daemon died is no run
            # of the schedule (it made the outlet "ok" for good, the daemon still gone).
            last = times.get("scheduled_success") or times["success"]
            late = (times.get("scheduled", False) and plan is not None
                    and plan.missed(outlet, datetime.fromisoformat(last), now, OVERDUE_RUNS) >= OVERDUE_RUNS)
        if not late:
            continue
        quiet = duration_text((now - datetime.fromisoformat(last)).total_seconds())
        if times["running"]:
            # A crawl that holds the outlet's lock and goes on (stopped with Ctrl-Z, its output
            # blocked on a full pipe) has every scheduled run skipped as "outlet busy": it was never
            # judged, since it runs, and the outlet read "ok".
            message = (f"no crawl of it has finished for {quiet}, and one started "
                       f"{times.get('running_since', '?')[:16].replace('T', ' ')} UTC (pid {times.get('running_pid')}) "
                       "still holds it, every run of the schedule skipped meanwhile: is it stuck? (end it)")
        elif last != times["success"]:
            message = (f"no run of the schedule has finished for {quiet} (a crawl by hand did since): is `newsmon "
                       "schedule` running, and can its crawls write to the database? (its log says)")
        else:
            message = (f"no crawl of it has finished for {quiet}: is `newsmon schedule` (or the cron job) running, and "
                       "can its crawls write to the database? (its log says)")
        out[outlet] = {"since": last, "message": message}
    return out


def flag_overdue(rows: list[dict], late: dict[str, dict[str, str]]) -> None:
    """Fail, in ``storage.health.outlet_status`` rows, the outlets ``overdue`` names: `newsmon
    status` and the desk's outlets page say the same."""
    from storage.health import severity

    for row in rows:
        if row["outlet"] in late:
            if row["health"] not in ("failing", "blocked"):
                # Failing since its last crawl finished, not since its health last changed (to "ok").
                row["health_since"] = late[row["outlet"]]["since"]
            row["health"] = min(row["health"], "failing", key=severity)
            row["reasons"].append({"code": "overdue", "message": late[row["outlet"]]["message"]})


#: How often the daemon looks whether its config file changed (``Daemon.reread``), and its job's id.
CONFIG_WATCH_SECONDS = 5
CONFIG_WATCH_JOB = "newsmon:config"
#: Threads the daemon's scheduler may run at once, at least: one per job running a crawl.
MAX_JOBS = 64


#: A step of the system clock this large (NTP correcting a clock that was off, a VM restored, a
#: hand's `date -s`) sets every job's next run from now: APScheduler reads the wall clock, and a
#: clock set back an hour kept every job waiting that hour, silently (and `newsmon status` read
#: "ok": the last runs seemed to lie in the future, none missed).
CLOCK_JUMP_SECONDS = 60


class _Scheduler(BlockingScheduler):
    """APScheduler's blocking scheduler, that has the clock looked at (``look``) each time before
    it looks for the jobs due, and finds them due only at the clock that look judged.

    A step of the clock forward made the jobs' times past on the wall clock alone: the scheduler's
    next look (the config's watch every 5 s, another job's time) ran a job at once, or, its last
    time past by more than its grace, logged "a run of crawl:default was skipped", before the
    watcher, looking every 5 s too, set each job's next run from now; no run had been missed.
    ``_process_jobs`` is where APScheduler 3 (3.10 and 3.11 read) finds the jobs due and submits
    them; their executor judges the misfire (``executors.base.run_job``, ``_LookedExecutor``).

    The look reads the clock, and ``_process_jobs`` reads it again (``datetime.now``) a moment
    later: a step in between still ran a job. That second reading reaches us only as the ``now`` of
    the job store's ``get_due_jobs`` (``_LookedJobStore``), the one APScheduler then judges every
    job's times by; one that is not the clock the look judged finds no job due, and the scheduler,
    whose earliest job then seems past, comes straight back and looks again."""

    def __init__(self, look: Callable[[], tuple[float, float]], **options: Any) -> None:
        super().__init__(jobstores={"default": _LookedJobStore(self._as_looked)}, **options)
        self._look = look
        # The look's wall clock less the monotonic one, and its time asleep (``Daemon._clock``).
        self._looked: tuple[float, float] | None = None

    def _process_jobs(self):
        self._looked = self._look()
        return super()._process_jobs()

    def _as_looked(self, now: datetime) -> bool:
        """Is ``now``, APScheduler's reading of the clock, the clock the last look judged? A step
        the look would have called one, between its reading and ``now``, makes it not."""
        # The monotonic clock read a moment after ``now``: that moment (microseconds, the job store's
        # lock) is no step, and a wait long enough to seem one is only one look more.
        return self._looked is None or abs(now.timestamp() - time.monotonic() - self._looked[0]) < CLOCK_JUMP_SECONDS


class _LookedJobStore(MemoryJobStore):
    """APScheduler's job store in memory, whose jobs are due only at a clock the scheduler's look
    judged (``_Scheduler``)."""

    def __init__(self, as_looked: Callable[[datetime], bool]) -> None:
        super().__init__()
        self._as_looked = as_looked

    def get_due_jobs(self, now):
        if not self._as_looked(now):
            logger.debug("newsmon: the clock moved since it was looked at: looking again before any job runs")
            return []
        return super().get_due_jobs(now)


class _LookedExecutor(ThreadPoolExecutor):
    """APScheduler's pool of threads, that judges whether a run missed its time at the clock the
    scheduler's look judged (``_Scheduler``), the one its job was found due at.

    The run's thread reads the clock once more, to judge the misfire (``executors.base.run_job``):
    a step forward after the job was found due, before that reading, had a run really due not run,
    and logged "skipped (missed its time by more than its grace)". Its times reach that reading
    moved as far as the step moved the clock; a sleep meanwhile moves none (``_look_at_clock``)."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers)
        self._pool = _LookedPool(self._pool, lambda: getattr(self._scheduler, "_looked", None))


class _LookedPool:
    """The thread pool ``_LookedExecutor`` submits each run to, as ``run_job(job, jobstore_alias,
    run_times, logger_name)`` (``executors.pool.BasePoolExecutor._do_submit_job``, 3.10 and 3.11 read)."""

    def __init__(self, pool, looked: Callable[[], tuple[float, float] | None]) -> None:
        self._pool, self._looked = pool, looked

    def submit(self, run_job, job, jobstore_alias, run_times, logger_name):
        looked = self._looked()  # by the scheduler's thread, in the round whose look found the job due
        if looked is None:
            return self._pool.submit(run_job, job, jobstore_alias, run_times, logger_name)

        def run():
            skew, asleep = looked
            step = time.time() - time.monotonic() - skew - (_asleep() - asleep)
            # A new list: the scheduler's thread reads its own (the job's next run) meanwhile.
            times = [at + timedelta(seconds=step) for at in run_times] if abs(step) >= CLOCK_JUMP_SECONDS else run_times
            return run_job(job, jobstore_alias, times, logger_name)

        return self._pool.submit(run)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait)


class Daemon:
    """Runs the schedule until SIGTERM/SIGINT; each run is a child ``newsmon crawl`` process."""

    def __init__(self, schedule: Schedule, *, db_path: str, config_path: str | None,
                 crawl_args: list[str] | None = None, notify_settings: notify.NotifySettings | None = None,
                 busy_timeout: float | None = None, late_after: timedelta = health_db.LATE_AFTER,
                 reload: Callable[[], Any] | None = None) -> None:
        """``reload``: checks the config file as it is now and builds its schedule as at the start
        (``validate.check_config`` with the command's outlets and interval); without it, only the
        config's ``[notify]`` is read again when the file changes."""
        self.schedule = schedule
        self._reload = reload
        self._rereading = threading.Lock()
        self.busy_timeout = busy_timeout
        self.late_after = late_after
        self.db_path = os.path.abspath(db_path)
        self.config_path = os.path.abspath(config_path) if config_path else None
        self.crawl_args = crawl_args or []
        self._notify_settings = notify_settings
        self._config_mtime = self._mtime()
        self.children: dict[int, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active = 0  # run_job calls in progress
        self.stopping = threading.Event()
        self.force = threading.Event()
        # Since when crawls have found the database unwritable (None: they write), and the ends
        # of runs that could not be recorded meanwhile: the alert goes once, the rows later.
        self.unwritable_since: datetime | None = None
        self.unrecorded: list[tuple[Job, int, datetime, int, str | None, datetime]] = []
        # The wall clock against the monotonic one, and the time asleep, when last looked at (``_look_at_clock``).
        self._clock = (time.time() - time.monotonic(), _asleep())
        self._clock_lock = threading.Lock()
        # Threads, not processes: each job only waits on its child process.
        self.scheduler = _Scheduler(
            self._look_at_clock,
            # Threads are made as runs need them; the bound leaves room for the jobs a config
            # edited since adds (a thread per job that runs, and the config's watch).
            executors={"default": _LookedExecutor(max_workers=max(len(schedule.jobs) + 2, MAX_JOBS))},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=schedule.timezone,
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def _missed(self, event) -> None:
        if event.job_id == CONFIG_WATCH_JOB:
            return  # a look at the config, not a run: the next one looks
        logger.warning("newsmon: a run of %s was skipped (%s)", event.job_id,
                       "the previous one is still running" if event.code == EVENT_JOB_MAX_INSTANCES
                       else "missed its time by more than its grace")

    def command(self, job: Job) -> list[str]:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", *job.outlets, "--db", self.db_path]
        if self.config_path:
            cmd += ["--config", self.config_path]
        return cmd + self.crawl_args

    def run_job(self, job: Job) -> int | None:
        # The config edited since the last look: a run due between the edit and that look crawled
        # an outlet just removed (exit 2, a failure recorded for an outlet no longer configured).
        self.reread()
        job = next((j for j in self.schedule.jobs if j.id == job.id), None)  # type: ignore[assignment]
        if job is None:
            return None  # removed by the edit
        with self.lock:
            # Checked and registered under the lock, so stop() signals every child it can.
            if self.stopping.is_set():
                return None
            spawned = datetime.now(timezone.utc).replace(microsecond=0)
            env = dict(os.environ, NEWSMON_TRIGGER="schedule")
            # Its own session: a timeout kills the crawl and its extraction workers alike, and a
            # Ctrl-C at the daemon's terminal reaches the daemon only, which then stops them.
            child = subprocess.Popen(self.command(job), env=env, start_new_session=True, stdin=subprocess.DEVNULL)
            self.children[child.pid] = child
            self.active += 1
        reason = None
        try:
            logger.info("newsmon: %s: crawl of %s started (pid %s)", job.id, ", ".join(job.outlets), child.pid)
            try:
                code = child.wait(timeout=self.schedule.timeout)
            except subprocess.TimeoutExpired:
                logger.error("newsmon: %s: crawl (pid %s) still running after %s; killing it", job.id,
                             child.pid, _human(self.schedule.timeout))
                _killpg(child)
                code = child.wait()
                reason = "timeout"
            ended = datetime.now(timezone.utc)
            with self.lock:
                self.children.pop(child.pid, None)
            if reason is None and self.stopping.is_set() and code != 0:
                # We stopped it; a run that closed itself keeps its own reason ('shutdown').
                reason = "shutdown: killed" if code == -signal.SIGKILL else "shutdown"
            # A crawl that crashed or was killed at WARNING: at INFO, `journalctl -p warning` left it out.
            # 75: an outlet busy, said at once; a run we stopped: said by the stop.
            quiet = code in (0, EXIT_BUSY) or self.stopping.is_set()
            logger.log(logging.INFO if quiet else logging.WARNING,
                       "newsmon: %s: crawl (pid %s) ended with exit status %s", job.id, child.pid, code)
            self._database_state(job, code)
            self._close_ledger(job, child.pid, spawned, code, reason, ended)
            return code
        finally:
            with self.lock:
                self.children.pop(child.pid, None)
                self.active -= 1
                self.idle.notify_all()

    def _database_state(self, job: Job, code: int) -> None:
        """Tell, once, that crawls stop because they cannot write to the database (another
        process holds its write lock: a DB Browser for SQLite with changes not written yet, a
        VACUUM; or its disk is full): every run until then fails the same way, and no outlet's
        health can say so. Tell once more when a crawl gets through again."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        with self.lock:
            since = self.unwritable_since
            if code == EXIT_UNWRITABLE and since is None:
                self.unwritable_since = now
            elif code == 0 and since is not None:
                self.unwritable_since = None
            else:
                return
        told = self.notify_settings is not None and not self.stopping.is_set()
        if since is None:
            logger.error("newsmon: %s: the crawl could not write to %s (its log above says why); every run fails so "
                         "until it can%s", job.id, self.db_path,
                         " (alert sent)" if told else " ([notify] would send an alert)")
            alert = {"alert": "database_unwritable", "since": now.isoformat(),
                     "title": "newsmon: crawls stopped: the database cannot be written",
                     "text": f"The crawls since {now.isoformat()} could not write to {self.db_path}: another "
                             "process holds its write lock (DB Browser for SQLite with changes not written yet, a "
                             "VACUUM, a long newsmon command), or its disk is full, or it is read-only; the "
                             "schedule's log says which. The schedule goes on trying; what was not stored is "
                             "fetched by the first run that can write."}
        else:
            logger.info("newsmon: %s: the database can be written again (not since %s)", job.id, since.isoformat())
            alert = {"alert": "database_writable", "since": since.isoformat(), "until": now.isoformat(),
                     "title": "newsmon: crawls running again: the database can be written",
                     "text": f"{self.db_path} could not be written from {since.isoformat()} to {now.isoformat()}; "
                             f"the crawl of {', '.join(job.outlets)} since has stored what it fetched."}
        if told:
            notify.send(self.notify_settings, {"type": "newsmon.alert", "version": 1, "database": self.db_path,
                                               **alert})

    def _close_ledger(self, job: Job, pid: int, spawned: datetime, code: int, reason: str | None,
                      ended: datetime) -> None:
        """Record what the crawl process could not: its kill, its crash, its early death, a
        database it could not write to (and, once it can be written, such records, each with
        the time it ended, not the time it could be recorded)."""
        with self.lock:  # jobs end in threads of their own
            ends, self.unrecorded = self.unrecorded + [(job, pid, spawned, code, reason, ended)], []
        for at, end in enumerate(ends):
            try:
                self._record_end(*end)
            except DatabaseUnwritable:
                waiting = [e for e in ends[at:] if e[3] != 0 or e[4] is not None]
                # Said of this job's end alone: those carried over were said when they first waited,
                # and every later job's end tried the first again and said so each time.
                if ends[-1] in waiting:
                    logger.error("newsmon: the end of crawl pid %s is recorded once the database can be written "
                                 "(%d waiting)", pid, len(waiting))
                with self.lock:
                    self.unrecorded += waiting
                return

    def _record_end(self, job: Job, pid: int, spawned: datetime, code: int, reason: str | None,
                    ended: datetime) -> None:
        if reason is None and code == 0:
            return
        if reason is None and code == EXIT_UNWRITABLE:
            reason = "skipped: database unwritable"  # as a run of an outlet another crawl holds: no evidence
        if reason is None and code == 2 and (problem := self._load_config()[1]):
            # The config edited while the daemon runs: every crawl refuses it. "failed: exit status 2"
            # in the digest and the run history sent the reader to the daemon's log for why.
            reason = f"failed: its config does not load: {problem}"
        if reason is None:
            reason = (f"failed: killed by signal {-code}" if code < 0 else f"failed: exit status {code}")
        db = open_db(self.db_path, busy_timeout=self.busy_timeout)
        try:
            run_ids = health_db.record_lost_run(db, pid=pid, since=spawned, outlets=job.outlets,
                                                trigger="schedule", reason=reason, exit_status=code, now=ended)
            for run_id in run_ids:
                changes = health_db.update_run_health(db, run_id, late_after=self.late_after)
                if not self.stopping.is_set():
                    notify.notify_run(db, run_id, changes, self.notify_settings, config_path=self.config_path)
                elif self.notify_settings is not None:
                    # A hung run's "failing: timeout" was lost when the schedule stopped: the next
                    # schedule's first digest tells it.
                    notifications.record_unsent(db, run_id, "the schedule was stopping",
                                                health_changes=len(changes))
        except DatabaseUnwritable:
            raise
        except Exception:  # the schedule must go on whatever happened to one run's bookkeeping
            logger.exception("newsmon: could not record the end of crawl pid %s", pid)
        finally:
            db.conn.close()

    def _mtime(self) -> int | None:
        try:
            return os.stat(self.config_path).st_mtime_ns if self.config_path else None
        except OSError:
            return None

    @property
    def notify_settings(self) -> notify.NotifySettings | None:
        """The config's ``[notify]``, read again when the file changed (``reread``)."""
        self.reread()
        return self._notify_settings

    def reread(self) -> None:
        """Read the config again when the file changed since: the crawls read it afresh each run,
        while the daemon's own digests (of runs it killed) and alerts went on to the channels of
        its start, and its jobs kept the ``[schedule]`` and the outlets of its start: an outlet
        added to the config was never crawled, an interval changed never applied, until someone
        restarted the daemon. A config that does not load leaves all of them as they were."""
        with self._rereading:
            mtime = self._mtime()
            if mtime == self._config_mtime:
                return
            if self._empty():
                # An editor that truncates the file before it writes it: read in between, an empty
                # config scheduled every built-in outlet in place of the user's.
                return
            self._config_mtime = mtime
            checked, problem = self._load_config()
            if checked is None:
                logger.warning("newsmon: %s changed but does not load (%s): the daemon's schedule, digests and "
                               "alerts stay as they were", self.config_path, problem)
                return
            self._notify_settings = checked.notify
            if self.stopping.is_set():
                return  # stopping: the scheduler holds no jobs to change (its [notify] still counts)
            if self._reload is not None and checked.schedule is not None and checked.schedule != self.schedule:
                try:
                    self._reschedule(checked.schedule)
                except Exception:  # noqa: BLE001  (the scheduler's own; the jobs of before run on)
                    logger.exception("newsmon: %s changed, but its schedule could not be applied", self.config_path)
                    return
                logger.info("newsmon: %s changed: its [schedule] and [notify] are read again; schedule now: %s; %s",
                            self.config_path, "; ".join(j.describe() for j in self.schedule.jobs), self._limits())
                for job in self.schedule.jobs:
                    for line in self._too_sparse(job):
                        logger.warning("newsmon: %s: %s", job.describe(), line)
            else:
                logger.info("newsmon: %s changed: its [notify] is read again", self.config_path)

    def _empty(self) -> bool:
        try:
            return bool(self.config_path) and os.path.getsize(self.config_path) == 0  # type: ignore[arg-type]
        except OSError:
            return False

    def _limits(self) -> str:
        return (f"timeout {_human(self.schedule.timeout)}, stop_timeout {_human(self.schedule.stop_timeout)}, "
                f"jitter {_human(self.schedule.jitter)}, cron time zone {self.schedule.timezone}")

    def _reschedule(self, new: Schedule) -> None:
        """Make the scheduler's jobs ``new``'s: a job whose times did not change keeps its next run
        (only its outlets change), one whose times did starts over from now, a new interval job
        runs now as at the start, a job gone is removed (its running crawl finishes)."""
        old = {job.id: job for job in self.schedule.jobs}
        # What a job's times depend on: an interval's jitter, a crontab's time zone.
        same_jitter, same_zone = new.jitter == self.schedule.jitter, new.timezone == self.schedule.timezone
        for gone in old.keys() - {job.id for job in new.jobs}:
            self.scheduler.remove_job(gone)
        self.schedule = new
        for job in new.jobs:
            before = old.get(job.id)
            same_clock = same_zone if job.cron else same_jitter
            if before is not None and same_clock and (before.interval, before.cron) == (job.interval, job.cron):
                if before != job:
                    self.scheduler.modify_job(job.id, args=[job], name=f"crawl {' '.join(job.outlets)}")
                continue
            self._add_job(job, run_now=before is None)

    def _load_config(self):
        """The config file as it is now, checked (``validate.Checked``; with the schedule built,
        ``reload``), or ``None`` and why it does not load (what a crawl that exits 2 refused)."""
        from .validate import check_config

        try:
            return (self._reload() if self._reload is not None else check_config(self.config_path)), None
        except ConfigError as exc:
            return None, str(exc)[:500]
        except Exception as exc:  # noqa: BLE001  (a reason or the channels are at stake, not the run's record)
            logger.exception("newsmon: could not check the config %s", self.config_path)
            return None, f"{type(exc).__name__}: {exc}"[:500]

    def stop(self, signum=None, frame=None) -> None:
        """Stop scheduling; ask running crawls to finish (SIGTERM: Scrapy closes the run cleanly).

        A second signal stops waiting for them.
        """
        stop_waiting()  # its own writes (a crawl's end it records) wait a moment more, not the busy timeout
        if self.stopping.is_set():
            logger.warning("newsmon: second signal: killing the running crawls")
            self.force.set()
            return
        self.stopping.set()
        with self.lock:
            children = list(self.children.values())
        logger.info("newsmon: stopping (signal %s); %d crawl(s) running", signum, len(children))
        for child in children:
            # The crawl process alone, not its group: Scrapy shuts its extraction workers down
            # itself, and a worker killed mid-page would lose that page's extraction.
            try:
                child.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        # Not in the handler: it interrupted the main thread, maybe inside the scheduler's locks.
        threading.Thread(target=self._shutdown_scheduler, name="newsmon-stop", daemon=True).start()

    def _shutdown_scheduler(self) -> None:
        for _ in range(100):
            try:
                self.scheduler.shutdown(wait=False)
                return
            except SchedulerNotRunningError:
                time.sleep(0.05)  # the signal came before start(): wait for it

    def _unrecorded_file(self):
        return beside(self.db_path) / "schedule-unrecorded.json"

    def _leave_unrecorded(self) -> None:
        """At the stop: the ends of runs the database could not take yet, and since when it could
        not, left beside it for the next daemon (``_take_unrecorded``). They were dropped: the
        daemon had said each "is recorded once the database can be written", and the restarted
        one, knowing nothing, never sent "database_writable" after the "database_unwritable" of
        its predecessor: the last alert said crawls stopped, for good."""
        with self.lock:
            ends, since = list(self.unrecorded), self.unwritable_since
        if not ends and since is None:
            return
        data = {"unwritable_since": since.isoformat() if since else None,
                "ends": [{"job": job.id, "outlets": job.outlets, "pid": pid, "spawned": spawned.isoformat(),
                          "code": code, "reason": reason, "ended": ended.isoformat()}
                         for job, pid, spawned, code, reason, ended in ends]}
        try:
            self._unrecorded_file().write_text(json.dumps(data), encoding="utf-8")
        except OSError as exc:  # the disk that took the database's space takes this one's too
            logger.error("newsmon: the ends of %d run(s) (pid %s) could not be recorded, nor left in %s (%s)",
                         len(ends), ", ".join(str(e[1]) for e in ends), self._unrecorded_file(), exc.strerror or exc)
            return
        logger.warning("newsmon: the database could not be written since %s: %d run end(s) not recorded yet, left "
                       "in %s for the next newsmon schedule", since.isoformat() if since else "?", len(ends),
                       self._unrecorded_file())

    def _take_unrecorded(self) -> None:
        """What the last daemon left (``_leave_unrecorded``): recorded with the first run's end,
        and the first run that writes says the database can be written again."""
        path = self._unrecorded_file()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            since = datetime.fromisoformat(data["unwritable_since"]) if data.get("unwritable_since") else None
            ends = [(Job(id=e["job"], outlets=list(e["outlets"])), int(e["pid"]), datetime.fromisoformat(e["spawned"]),
                     int(e["code"]), e["reason"], datetime.fromisoformat(e["ended"])) for e in data.get("ends", [])]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("newsmon: %s, left by the last newsmon schedule, cannot be read (%s): its runs' ends are "
                           "not recorded", path, exc)
            ends, since = [], None
        with self.lock:
            self.unrecorded, self.unwritable_since = ends + self.unrecorded, since
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            # Its directory not writable by this user (made by another, a read-only mount): left
            # there, every later daemon took its ends again and sent database_writable again, for
            # an outage long over, at each start. The file itself may be writable: emptied.
            try:
                path.write_text("{}", encoding="utf-8")
            except OSError:
                logger.error("newsmon: %s cannot be removed (%s): each newsmon schedule started after this one takes "
                             "its run ends again and says again that the database can be written; remove it",
                             path, exc.strerror or exc)
        if ends or since:
            logger.info("newsmon: the last newsmon schedule could not write to the database since %s: %d run end(s) "
                        "are recorded once it can", since.isoformat() if since else "?", len(ends))

    def _watch_clock(self) -> None:
        """Every few seconds (of the monotonic clock), look at the clock (``_look_at_clock``): a
        clock set back leaves the scheduler waiting, that nothing else wakes."""
        while not self.stopping.wait(CONFIG_WATCH_SECONDS):
            self._look_at_clock()

    def _look_at_clock(self) -> tuple[float, float]:
        """Has the wall clock jumped since the last look? Then say so and set every job's next run
        from now, as when the daemon started (but none at once). By the watcher every few seconds,
        and by the scheduler before it looks for the jobs due (``_Scheduler``, which finds them due
        only at the clock this look judged, and judges their misfires by it: the wall clock less the
        monotonic one, and the time asleep, returned).

        A sleep is no step: Linux's monotonic clock stands still while the machine is suspended,
        and the wall clock, right all along, seemed set forward by the sleep's length ("the system
        clock was set forward by 8h" each morning), every job's run pushed a period past the wake.
        The boot clock counts a suspend: what the wall clock moved with it was a sleep."""
        # One look at a time, to its end: the scheduler's look waits while the watcher sets the jobs after a
        # step it found, rather than judge them as they were (its own look, the step taken, finds none).
        with self._clock_lock:
            now_skew, now_asleep = looked = time.time() - time.monotonic(), _asleep()
            (skew, asleep), self._clock = self._clock, looked
            jump, slept = now_skew - skew, now_asleep - asleep
            if self.stopping.is_set():
                return looked  # the scheduler's last look, as it stops: no job to set
            if slept >= CLOCK_JUMP_SECONDS:
                logger.info("newsmon: the machine was asleep (suspended) for %s: no run could start meanwhile; "
                            "each job keeps its times", _human(round(slept)))
                jump -= slept
                # Its wait, counted on the monotonic clock, ran the sleep's length past the job's time.
                self.scheduler.wakeup()
            if abs(jump) < CLOCK_JUMP_SECONDS:
                return looked
            logger.warning("newsmon: the system clock was set %s by %s: each job's next run is set from now",
                           "back" if jump < 0 else "forward", _human(round(abs(jump))))
            with self._rereading:  # not while an edited config changes the jobs
                if self.stopping.is_set():
                    # Stopped while a re-read held the jobs: the scheduler shut down holds none to set, and each
                    # was logged as an error with its traceback ("could not set its next run").
                    return looked
                for job in self.schedule.jobs:
                    try:
                        self.scheduler.reschedule_job(job.id, trigger=job.trigger(self.schedule.jitter,
                                                                                  self.schedule.timezone))
                    except Exception:  # noqa: BLE001  (a job removed meanwhile; the others go on)
                        logger.exception("newsmon: %s: could not set its next run after the clock jumped", job.id)
                if self.config_path:
                    try:
                        self.scheduler.reschedule_job(CONFIG_WATCH_JOB,
                                                      trigger=IntervalTrigger(seconds=CONFIG_WATCH_SECONDS))
                    except Exception:  # noqa: BLE001
                        pass
        return looked

    def add_jobs(self, *, run_now: bool = True) -> None:
        for job in self.schedule.jobs:
            self._add_job(job, run_now=run_now)
        if self.config_path:
            # A stat every few seconds: the config's edits reach the schedule (``reread``).
            self.scheduler.add_job(self.reread, trigger=IntervalTrigger(seconds=CONFIG_WATCH_SECONDS),
                                   id=CONFIG_WATCH_JOB, name="read the config again when it changed",
                                   replace_existing=True, misfire_grace_time=CONFIG_WATCH_SECONDS)

    def _add_job(self, job: Job, *, run_now: bool) -> None:
        self.scheduler.add_job(
            self.run_job, trigger=job.trigger(self.schedule.jitter, self.schedule.timezone), args=[job],
            id=job.id, name=f"crawl {' '.join(job.outlets)}", replace_existing=True,
            misfire_grace_time=job.grace(self.schedule.timezone),
            # Interval jobs run once at start; a crontab job waits for its time.
            **({"next_run_time": datetime.now(timezone.utc)} if run_now and job.interval else {}),
        )

    def _too_sparse(self, job: Job) -> list[str]:
        """A job whose runs are further apart than ``late_after``: its outlets' articles are found
        that late by design, which no outlet's health calls late (the schedule's choice)."""
        period = job.period(self.schedule.timezone)
        if period <= self.late_after.total_seconds():
            return []
        return [f"runs {_human(period)} apart: articles are found up to {_human(period)} after publication, "
                f"more than NEWSMON_LATE_AFTER ({_human(self.late_after.total_seconds())}); a shorter interval "
                "keeps 'within the hour'"]

    def plan_lines(self) -> list[str]:
        """What ``newsmon schedule --check`` prints: each job, its next run, the limits."""
        now = datetime.now(timezone.utc)
        lines = []
        for job in self.schedule.jobs:
            trigger = job.trigger(0, self.schedule.timezone)
            first = now if job.interval else trigger.get_next_fire_time(None, now)
            lines.append(f"{job.describe()}: next run {first.astimezone():%Y-%m-%d %H:%M:%S %Z}"
                         f"{' (at start)' if job.interval else ''}, misfire grace "
                         f"{_human(job.grace(self.schedule.timezone))}")
            lines += [f"  ! {line}" for line in self._too_sparse(job)]
        channels = self.notify_settings.channels if self.notify_settings else []
        lines.append(f"{self._limits()}; notifications: {', '.join(channels) or 'none'}")
        return lines

    def run(self, *, run_now: bool = True) -> int:
        """Schedule until stopped; return the exit status (0: stopped by a signal, cleanly)."""
        self._take_unrecorded()
        self.add_jobs(run_now=run_now)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        logger.info("newsmon: schedule started (pid %s): %s; timeout %s", os.getpid(),
                    "; ".join(j.describe() for j in self.schedule.jobs), _human(self.schedule.timeout))
        for job in self.schedule.jobs:
            for line in self._too_sparse(job):
                logger.warning("newsmon: %s: %s", job.describe(), line)
        threading.Thread(target=self._watch_clock, name="newsmon-clock", daemon=True).start()
        self.scheduler.start()  # blocks until stop()
        # Running crawls got SIGTERM; they have stop_timeout to close, then they are killed.
        deadline = time.monotonic() + self.schedule.stop_timeout
        while time.monotonic() < deadline and not self.force.is_set():
            with self.lock:
                if not self.children:
                    break
            time.sleep(0.1)
        with self.lock:
            children = list(self.children.values())
        for child in children:
            logger.warning("newsmon: crawl pid %s did not stop within %s; killing it", child.pid,
                           _human(self.schedule.stop_timeout))
            _killpg(child)
        # The job threads close the ledger rows of what was killed; that takes moments.
        with self.lock:
            self.idle.wait_for(lambda: self.active == 0, timeout=30)
        self._leave_unrecorded()
        logger.info("newsmon: schedule stopped")
        return 0


def _killpg(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
