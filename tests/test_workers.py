"""The crawl's extraction workers (crawler/workers.py): real processes, a real event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import pytest

from crawler.workers import Workers


def slow_square(n: int) -> tuple[int, int]:
    time.sleep(0.02)
    return n * n, os.getpid()


def run(pool: Workers, coro):
    try:
        return asyncio.run(coro)
    finally:
        pool.shutdown()


def test_pages_that_keep_waiting_get_another_worker():
    pool = Workers(1, 2)
    pool.launch()

    async def crawl():
        # A backfill: pages arrive much faster than one worker extracts them.
        return await asyncio.gather(*(pool.run(slow_square, n) for n in range(80)))

    results = run(pool, crawl())
    assert [square for square, _ in results] == [n * n for n in range(80)]
    assert pool.size == 2 and pool.grown == 1
    # The second worker did take pages.
    assert len({pid for _, pid in results}) == 2
    assert pool.in_flight == 0 and not pool.waiters


def test_no_worker_is_added_while_pages_do_not_wait():
    pool = Workers(1, 2)
    pool.launch()

    async def crawl():
        # A live crawl: one page at a time, with the politeness delay between them.
        return [await pool.run(slow_square, n) for n in range(40)]

    results = run(pool, crawl())
    assert pool.size == 1 and pool.grown == 0
    assert len({pid for _, pid in results}) == 1


def slow_start() -> None:
    time.sleep(1.0)  # a worker importing the extractors and compiling the topics


def quick(n: int) -> int:
    return n


def test_pages_queued_while_the_first_worker_starts_add_no_worker():
    # A crawl's first responses arrive together while the worker still starts: once it runs,
    # it clears them in a moment, and a second process would hold its memory for nothing.
    pool = Workers(1, 2, warm=slow_start)
    pool.launch()

    async def crawl():
        return await asyncio.gather(*(pool.run(quick, n) for n in range(30)))

    assert run(pool, crawl()) == list(range(30))
    assert pool.size == 1 and pool.grown == 0


def slow_page(n: int) -> tuple[int, int]:
    time.sleep(0.12)  # a page through trafilatura
    return n, os.getpid()


def test_few_slow_pages_that_wait_get_another_worker():
    # Twenty pages of 120 ms: 2.4 s on one worker. Waiting is counted in seconds, not pages,
    # so the second worker starts early enough to take some of them.
    pool = Workers(1, 2)
    pool.launch()

    async def crawl():
        return await asyncio.gather(*(pool.run(slow_page, n) for n in range(20)))

    results = run(pool, crawl())
    assert [n for n, _ in results] == list(range(20))
    assert pool.grown == 1 and len({pid for _, pid in results}) == 2


def hold(seconds: float) -> int:
    time.sleep(seconds)  # one huge page through trafilatura
    return os.getpid()


def test_a_page_that_holds_its_worker_for_seconds_does_not_hold_off_another():
    # Growth is looked at when pages finish, and also GROW_AFTER after pages began to wait:
    # while one page keeps the only worker for 4 s, nothing finishes, yet the pages queued
    # behind it are taken by a second worker long before it is done.
    pool = Workers(1, 2)
    pool.launch()
    done: list[str] = []

    async def page(name: str, fn, arg):
        result = await pool.run(fn, arg)
        done.append(name)
        return result

    async def crawl():
        return await asyncio.gather(page("first", quick, 0), page("long", hold, 4.0),
                                    *(page(f"quick {n}", quick, n) for n in range(6)))

    run(pool, crawl())
    assert pool.grown == 1
    assert done[0] == "first" and done.index("long") > 1, done


def test_a_fixed_count_never_grows():
    pool = Workers(1, 1)
    pool.launch()

    async def crawl():
        return await asyncio.gather(*(pool.run(slow_square, n) for n in range(40)))

    run(pool, crawl())
    assert pool.size == 1


def test_a_page_cancelled_while_waiting_takes_no_slot_with_it():
    pool = Workers(1, 1)
    pool.launch()

    async def crawl():
        tasks = [asyncio.ensure_future(pool.run(slow_square, n)) for n in range(6)]
        await asyncio.sleep(0)  # all of them in: two sent to the worker, four waiting
        for task in tasks[2:4]:
            task.cancel()
        done = await asyncio.gather(*tasks, return_exceptions=True)
        # The slots of the cancelled ones are free: later pages are not held up for ever.
        later = await asyncio.wait_for(asyncio.gather(*(pool.run(slow_square, n) for n in range(4))), 30)
        return done, later

    done, later = run(pool, crawl())
    assert [isinstance(d, asyncio.CancelledError) for d in done] == [False, False, True, True, False, False]
    assert [square for square, _ in later] == [0, 1, 4, 9]
    assert pool.in_flight == 0 and not pool.waiters


def die(_: int) -> None:
    os._exit(1)  # as a worker killed for its memory, or a crash in a C parser


def test_a_dead_worker_is_replaced_and_the_others_pages_are_untouched():
    from concurrent.futures import BrokenExecutor

    pool = Workers(2, 2)
    pool.launch()

    async def crawl():
        # One page on each worker: the slow one is on the worker that survives.
        slow = asyncio.ensure_future(pool.run(slow_square, 7))
        await asyncio.sleep(0)
        with pytest.raises(BrokenExecutor):
            await pool.run(die, 0)
        after = await asyncio.gather(*(pool.run(slow_square, n) for n in range(6)))
        return await slow, after

    (square, _), after = run(pool, crawl())
    assert square == 49
    assert [s for s, _ in after] == [n * n for n in range(6)]
    assert pool.size == 2 and pool.replaced == 1
    assert len({pid for _, pid in after}) == 2


def test_at_least_one_process():
    with pytest.raises(ValueError, match="at least one process"):
        Workers(0, 2)


_STARTS_WORKERS = """
import asyncio, os, signal, sys
from crawler.workers import crawl_workers

pool = crawl_workers(1, 1, None)
for signum in (signal.SIGINT, signal.SIGTERM):  # the crawl's own stop is not this test's
    signal.signal(signum, signal.SIG_IGN)
print("started", flush=True)
sys.stdin.readline()  # the stop was sent
try:
    print("answered", asyncio.run(pool.run(os.getpid)), flush=True)
finally:
    pool.shutdown()
"""


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
def test_ctrl_c_as_a_worker_starts_leaves_it_to_the_crawl(signum):
    # Ctrl-C reaches the whole process group. A crawl's worker is forked from the forkserver with
    # Python's handler, and one pressed while it imported the extractors (in its initializer,
    # before ``store.watch_parent`` ignores it) killed it with "Exception in initializer" and a
    # traceback, its pool broken; before Scrapy ran, the crawl itself stopped. systemd's stop sends
    # SIGTERM to the whole group as well: it killed the worker, and the forkserver.
    import signal
    import subprocess
    import sys

    import psutil

    proc = subprocess.Popen([sys.executable, "-c", _STARTS_WORKERS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline() == "started\n", proc.stderr.read()

        def importing() -> bool:  # the extractors (lxml): ``store``, imported by the worker's initializer
            for child in psutil.Process(proc.pid).children(recursive=True):
                try:
                    if any(m.path.endswith(".so") and "/lxml/" in m.path for m in child.memory_maps()):
                        return True
                except psutil.Error:
                    pass
            return False

        deadline = time.monotonic() + 60
        while not importing() and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.Signals[signum])
        out, err = proc.communicate("\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode == 0 and out.startswith("answered "), err[-3000:]


_STUCK_IN_C = """
import asyncio, functools, os, re
from crawler.workers import Workers, _watch_parent

pool = Workers(1, 1, initializer=_watch_parent, initargs=(os.getpid(),))  # a crawl's, without its warm-up
pool.launch()

async def crawl():
    first = asyncio.ensure_future(pool.run(os.getpid))
    # Then a page that keeps the worker in C with the GIL held: a regex backtracking for ever.
    stuck = asyncio.ensure_future(pool.run(functools.partial(re.fullmatch, "(a+)+b", "a" * 64)))
    print(await first, flush=True)
    await stuck

asyncio.run(crawl())
"""


def test_a_worker_stuck_in_c_dies_with_a_sigkilled_crawl():
    # The worker's thread that watches for the crawl needs the GIL: a worker stuck in C outlived a SIGKILLed crawl
    # (the schedule's stop_timeout, the OOM killer), burning a core, and kept its forkserver, which kept the worker.
    import signal
    import subprocess
    import sys

    import psutil

    proc = subprocess.Popen([sys.executable, "-c", _STUCK_IN_C], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    left: list[psutil.Process] = []
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), proc.stderr.read()
        worker = psutil.Process(int(line))
        left = [worker, worker.parent()]  # the forkserver
        time.sleep(0.1)  # in the regex
        assert worker.status() != psutil.STATUS_ZOMBIE
        proc.kill()
        proc.wait()
        def running(process: psutil.Process) -> bool:  # a zombie is gone: its reaping is its new parent's
            try:
                return process.status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return False

        deadline = time.monotonic() + 5
        while any(map(running, left)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not [p for p in left if running(p)], "running 5 s after the crawl's SIGKILL"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for process in left:
            with contextlib.suppress(psutil.Error):
                process.send_signal(signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()
