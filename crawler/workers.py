"""The crawl's extraction workers: processes that grow in number while pages wait for them.

A second worker pays only when pages queue for extraction: a backfill (a sitemap, many outlets
at once) or sites without rules (trafilatura, 40-80 ms a page). A scheduled crawl of live sites,
paced by its politeness delays, never queues pages, and a second process would hold 80-140 MB
for nothing. So the pool decides from what it sees: it starts with ``NEWSMON_EXTRACT_WORKERS``
processes and adds one, up to ``NEWSMON_EXTRACT_WORKERS_MAX``, when pages have kept waiting for
a free worker for ``GROW_AFTER`` seconds together: longer than a new worker takes to start, so
it will have pages to take when it is ready. The clock runs in seconds, not pages: a worker
that needs 100 ms a page (trafilatura) made 20 waiting pages last 2 s on one core, and the
clock starts only once a worker has answered, so the pages that queue while the first worker
imports the extractors do not count. bench/crawl (2 cores, 600 pages, 2026-11-30): the crawl
with a worker added this way against the same crawl with one worker fixed, 1.08-1.19× on the
outlets mix in every run; on the generic mix 0.92× over 7 rounds (0.91-1.25× in shorter runs):
there one worker bounds the crawl, and two beside the crawl process ask for more than 2 cores.
With more cores, or workers slower than the crawl process, the added worker pays. It never
shrinks: a crawl run is short, and a worker that has started has paid its cost.

Each worker is a ``ProcessPoolExecutor`` of one process, so how many run is ours to say: one
pool of n starts another process whenever a task finds the others busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from functools import partial
from typing import Any

logger = logging.getLogger(__name__)


class Workers:
    """Single-process pools, each given at most ``PER_PROCESS`` tasks at a time; pages beyond
    that wait here, where their number tells whether another worker would help."""

    #: Tasks sent to a process at once: the ones behind keep it busy while a result travels back
    #: and the crawl process, busy with Scrapy and the database, gets round to sending the next.
    #: 4 against 2, bench/crawl's mixes alternating in 12 rounds (2 cores, 2026-11-30): generic
    #: 82.2 against 78.6 pages/s, outlets 98.7 against 92.9, faster in 10 of 12 pairs on each.
    #: More would let a slow page (trafilatura, 100 ms) hold more quick ones behind it.
    PER_PROCESS = 4
    #: Another worker when pages have been waiting for this many seconds without a break (a
    #: worker starts in about a second: importing the extractors, compiling the topics).
    GROW_AFTER = 0.5

    def __init__(self, start: int, most: int, *, warm: Callable[[], Any] | None = None,
                 initializer: Callable[..., Any] | None = None, initargs: tuple = ()) -> None:
        if start < 1:
            raise ValueError("Workers needs at least one process; run in-process without it")
        self.start = start
        self.most = max(start, most)
        self.warm = warm
        self.initializer, self.initargs = initializer, initargs
        self.pools: list[ProcessPoolExecutor] = []
        self.busy: dict[ProcessPoolExecutor, int] = {}
        #: Processes started again after theirs died.
        self.replaced = 0
        self.in_flight = 0
        self.waiters: deque[asyncio.Future] = deque()
        #: Since when pages have waited without a break, counted from a finished page.
        self.waiting_since: float | None = None
        #: The worker added last, until it has answered once (no other is added meanwhile).
        self.warming: ProcessPoolExecutor | None = None
        self.grown = 0
        self.closed = False

    # --- processes ------------------------------------------------------------------------------

    def _add(self) -> None:
        # forkserver, not fork: a forked worker would inherit the reactor's state and the
        # outlet lock files (crawler/locks.py), and keep the locks after a SIGKILL of ours.
        # No preload: a forkserver that imported the extractors would double their memory.
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=self.initializer, initargs=self.initargs)
        self.pools.append(pool)
        self.busy[pool] = 0
        if self.warm is not None:
            # Started now, while robots.txt and the feeds are fetched (or while the others work):
            # importing the extractors and compiling the topics takes a worker about a second.
            # SIGINT and SIGTERM held: the first start begins the forkserver, whose mask every worker
            # forked from it inherits (it restores Python's handler in them): a Ctrl-C before Scrapy had
            # started killed each in its imports, with a traceback apiece. The forkserver keeps SIGTERM
            # blocked for its life (it ignores SIGINT itself): a stop sent to the whole group (systemd's)
            # killed it, and with it the sentinel of every worker, each pool broken though its worker lived.
            with stops_held():
                pool.submit(self.warm)

    def launch(self) -> None:
        """Start the first ``start`` processes (at once: they warm up while the crawl begins)."""
        while len(self.pools) < self.start:
            self._add()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new process for one whose process died (killed for its memory, a crash in a C
        parser): its pool is broken for good, the others and their pages are untouched."""
        if broken not in self.busy:
            return  # replaced already, by another page that met it
        broken.shutdown(wait=False, cancel_futures=True)
        at = self.pools.index(broken)
        del self.busy[broken]
        self.pools.remove(broken)
        self._add()
        self.pools.insert(at, self.pools.pop())
        if self.warming is broken:
            self.warming = self.pools[at]
        self.replaced += 1

    def shutdown(self, wait: bool = True) -> None:
        self.closed = True
        for pool in self.pools:
            pool.shutdown(wait=wait, cancel_futures=True)

    def kill(self) -> None:
        """End every process now, the pages they hold dropped: for a crawl that stops without reading them (a
        forced stop). ``shutdown`` waits for each page a worker has begun, and a crawl's workers ignore SIGTERM
        and SIGINT (``store.watch_parent``): a huge page in a C parser kept a second Ctrl-C or SIGTERM waiting."""
        for pool in self.pools:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()  # SIGKILL; one already gone is no error
        self.shutdown(wait=True)  # at once: their processes are gone

    @property
    def size(self) -> int:
        return len(self.pools)

    @property
    def capacity(self) -> int:
        return self.PER_PROCESS * len(self.pools)

    # --- tasks ----------------------------------------------------------------------------------

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the least busy worker, once one has room.

        Raises whatever ``fn`` raises, and ``concurrent.futures.BrokenExecutor`` when its
        worker died; a new worker has replaced it by then, so the caller may try again.
        """
        await self._acquire()
        try:
            pool = min(self.pools, key=self.busy.__getitem__)
            self.busy[pool] += 1
            try:
                return await asyncio.wrap_future(pool.submit(fn, *args))
            except BrokenExecutor:
                self._replace(pool)
                raise
            finally:
                if pool in self.busy:  # not replaced meanwhile
                    self.busy[pool] -= 1
                if pool is self.warming:
                    self.warming = None
        finally:
            self._release()

    async def _acquire(self) -> None:
        if self.in_flight < self.capacity and not self.waiters:
            self.in_flight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter in self.waiters:
                self.waiters.remove(waiter)
            elif waiter.done() and not waiter.cancelled():
                self._hand_on()  # the slot was ours already: pass it on
            raise

    def _release(self) -> None:
        now = time.monotonic()
        if not self.waiters:
            self.waiting_since = None
        elif self.waiting_since is None:
            self.waiting_since = now
            # Looked at again then, whether or not a page has finished by then: one page can
            # keep a worker for seconds (a huge page through trafilatura).
            asyncio.get_running_loop().call_later(self.GROW_AFTER, self._still_waiting, now)
        else:
            self._grow(now)
        self._hand_on()

    def _still_waiting(self, since: float) -> None:
        if self.waiting_since == since:  # the same wait, unbroken
            self._grow(time.monotonic())

    def _grow(self, now: float) -> None:
        """Another worker, if pages have waited ``GROW_AFTER`` and there is room for one."""
        if (self.closed or not self.waiters or self.waiting_since is None
                or now - self.waiting_since < self.GROW_AFTER or self.warming is not None
                or len(self.pools) >= self.most):
            return
        self._add()
        self.warming = self.pools[-1]
        self.grown += 1
        logger.info("newsmon: pages have waited for extraction for %.1f s (%d waiting): %d extraction "
                    "workers now", now - self.waiting_since, len(self.waiters), len(self.pools))
        self.waiting_since = None
        while self.waiters and self.in_flight < self.capacity:
            self.in_flight += 1
            self._hand_on()

    def _hand_on(self) -> None:
        """Give a finished task's slot to the next waiting page, or free it."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_flight -= 1


def _warm(config_path: str | None, generic: bool) -> None:
    from . import health

    health.warm(config_path, generic)


def _watch_parent(pid: int) -> None:
    from . import store

    # SIGTERM ignored too: systemd's stop (KillMode=control-group) and `kill -- -PGID` send it to every process of
    # the crawl. A worker killed by it took the pages it held with it ("worker died" errors in the run's count), and
    # with two workers a page retried on the other's broken pool failed for good: `extract_failed`, "died on this
    # page twice", and a page without an article in the outlet's health, where nothing was wrong with it. Ignored,
    # the pages in hand are read and stored as the stop rule says; the worker still ends with the pool's shutdown,
    # or with the crawl's death (SIGKILL; the schedule's stop_timeout), in C or not (``die_with_parent``).
    store.watch_parent(pid, STOP_SIGNALS)


def crawl_workers(start: int, most: int, config_path: str | None, *, generic: bool = True) -> Workers:
    """The extraction workers of a crawl, started: each loads the extractors and the topics of
    ``config_path`` at once (``health.warm``; with ``generic``, what pages without rules need
    too: a crawl of an outlet without rules) and exits when the crawl process is gone
    (``store.watch_parent``). Nothing of the extraction is imported here, so a crawl can start
    them first and build its Scrapy crawler while they load (``crawler.crawl.run_crawl``)."""
    pool = Workers(start, most, warm=partial(_warm, config_path, generic), initializer=_watch_parent,
                   initargs=(os.getpid(),))
    pool.launch()
    return pool


#: ``prctl``'s option that names the signal this process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Have the kernel SIGKILL this process as its parent dies, whatever it is doing then (Linux); False where it
    cannot, and ``store.watch_parent``'s thread is all there is.

    That thread needs the GIL, and a page in C that holds it for long (a regex backtracking in ``re``, an lxml call
    that keeps it) never let it run: a crawl SIGKILLed (the schedule's stop_timeout, the OOM killer) left such a
    worker burning a core, and its forkserver with it, and the crawls of a schedule piled them up. A crawl's
    worker is the forkserver's child, not the crawl's: the forkserver ends with the crawl once the worker has let
    go of its "alive" pipe (``_leave_forkserver``), and its end is the worker's signal.

    The kernel's parent is the *thread* that started the process: the forkserver's only one for a crawl's worker,
    but for a spawned pool's (``store.rescore_batches``) the thread whose ``submit`` started it, which must live as
    long as the pool: a thread that ended killed its workers, each batch a BrokenProcessPool.
    """
    parent = os.getppid()  # a forkserver's child: its forkserver, which cannot end before the pipe is let go
    _leave_forkserver()
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        set_it = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):  # a Python without ctypes, no libc found (static), no prctl in it
        return False
    if set_it and os.getppid() != parent:
        os._exit(0)  # the parent died before the kernel was asked: nothing will come
    return set_it


def _leave_forkserver() -> None:
    """Close this process's end of its forkserver's "alive" pipe, if a forkserver started it.

    multiprocessing gives each process it forks the pipe's write end, and the forkserver ends once no process holds
    one: a worker stuck in C kept the forkserver of a SIGKILLed crawl, which kept the worker (its parent's death the
    worker's signal to go). Let go, the crawl's end is the only one. A worker starts no processes through it (one
    that did would start a forkserver of its own: it is not its forkserver's starter).
    """
    from multiprocessing import forkserver

    if forkserver.get_inherited_fds() is None:
        return  # not started by a forkserver (the crawl process itself, a rescore's spawned worker)
    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is None:
        return
    server._forkserver_alive_fd = None
    with contextlib.suppress(OSError):
        os.close(fd)


#: The signals that stop a command: a terminal sends Ctrl-C's SIGINT to its whole foreground process group, and
#: systemd's stop (KillMode=control-group) and `kill -- -PGID` send SIGTERM to every process, workers included.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def sigint_held() -> contextlib.AbstractContextManager[None]:
    """SIGINT blocked in this thread meanwhile: worker processes started here inherit the mask,
    so a Ctrl-C during their start-up (Python's own, before ``store.watch_parent`` ignores it)
    does not kill one in its imports; this process gets it once it is unblocked."""
    return _held((signal.SIGINT,))


def stops_held() -> contextlib.AbstractContextManager[None]:
    """``sigint_held``, SIGTERM held too: for workers that ignore both (``store.watch_parent``)."""
    return _held(STOP_SIGNALS)


@contextlib.contextmanager
def _held(signums: tuple[signal.Signals, ...]) -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from multiprocessing import resource_tracker

    # Started first: the thread that starts it has SIGINT and SIGTERM unblocked after (CPython's resource_tracker
    # before 3.14), and so every process started from that thread after, the first a worker.
    resource_tracker.ensure_running()
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set(signums))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
