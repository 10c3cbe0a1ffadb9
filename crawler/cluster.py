"""The Dask cluster ``newsmon ingest`` runs its parts on: a ``LocalCluster`` or a scheduler's.

Kept apart from ``crawler/ingest.py`` on purpose: this module imports nothing of newsmon's but
``crawler.fingerprint`` and ``crawler.workers`` (which import nothing of it), so a worker can load
it (and run :class:`ImportFix`) before anything imports the ``storage`` package.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from distributed import Client, LocalCluster
from distributed.client import AllExit
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.utils import LoopRunner

from .fingerprint import WorkersDiffer, differences, fingerprint
from .workers import sigint_held


class ImportFix(WorkerPlugin):
    """Let a worker import newsmon's ``storage`` package, not its own spill directory.

    A Dask worker puts its local directory on ``sys.path`` and spills to a ``storage`` folder
    in it. With newsmon installed in editable mode (``pip install -e``, as the README does), the
    import system finds that folder first and takes it for a namespace package, and the
    worker dies importing ``crawler.ingest``. Such folders are taken off ``sys.path`` before
    any task runs (only those: a ``storage`` directory without ``__init__.py``).
    """

    name = "newsmon-import-fix"

    def setup(self, worker) -> None:
        fix_imports()


class LeaveCtrlCToTheIngest(WorkerPlugin):
    """A local cluster's worker ignores SIGINT and SIGTERM: Ctrl-C reaches the whole process group,
    and so does systemd's stop (SIGTERM to each process of the service), and each worker died of it
    (with a traceback of its own; with the scheduler's "broadcast … failed" errors as it closed them)
    while the ingest itself, which closes them, stopped. Not for a cluster's own workers
    (``--cluster``): their signals are their owner's."""

    name = "newsmon-leave-ctrl-c"

    def setup(self, worker) -> None:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


def fix_imports() -> None:
    def shadows(entry: str) -> bool:
        folder = os.path.join(entry or ".", "storage")
        return os.path.isdir(folder) and not os.path.exists(os.path.join(folder, "__init__.py"))

    sys.path[:] = [entry for entry in sys.path if not shadows(entry)]
    loaded = sys.modules.get("storage")
    if loaded is not None and getattr(loaded, "__file__", None) is None:
        del sys.modules["storage"]


class _LocalCluster(LocalCluster):
    """A ``LocalCluster`` whose watcher outlives the notice of a worker it no longer lists.

    SpecCluster looks the removed worker up in its copy of the scheduler's worker list, which a
    refresh may have renewed without it since (dask/distributed#5407): the KeyError ended the
    watcher, was logged with a traceback, and came back out of ``close``, so an ingest that had
    stored everything after a worker was killed exited 1 (now and then, under load). Such a
    worker's nanny starts it again, as for any other death.
    """

    def __init__(self, *args, runner: LoopRunner, abandoned: threading.Event, **kwargs) -> None:
        #: The thread of the cluster's loop, newsmon's (``_start_local``): stopped with the cluster.
        self.runner = runner
        self.abandoned = abandoned
        super().__init__(*args, loop=runner.loop, **kwargs)

    def _update_worker_status(self, op, msg):
        if op == "remove" and msg not in self.scheduler_info["workers"]:
            return
        super()._update_worker_status(op, msg)

    def close(self, timeout=None):
        # Left as Ctrl-C found it as it started (``_abandon``): its loop is held for good, and Dask's
        # close at exit (distributed.deploy.spec.close_clusters) waited 10 s on it for nothing.
        if self.abandoned.is_set():
            return None
        return super().close(timeout)


class NoWorkers(OSError):
    """The scheduler has had no worker for ``NEWSMON_INGEST_NO_WORKERS`` seconds."""


def start(workers: int, address: str | None, wait: float = 120.0) -> Client:
    """A client of the scheduler at ``address``, or of a new ``LocalCluster`` of ``workers``
    processes (one thread each: extraction holds the GIL) on 127.0.0.1.

    Args:
        wait: seconds to wait for the scheduler to have a worker: it holds tasks for ever
            without one (none started yet, or their machines gone).

    Raises:
        OSError: the scheduler cannot be reached.
        NoWorkers: it has no worker after ``wait`` seconds.
    """
    logging.getLogger("asyncio").addFilter(_gather_closed)
    for name in ("tornado.application", "asyncio"):
        logging.getLogger(name).addFilter(_cancel_unbound)
    if address:
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
                          "`dask scheduler` and workers with `dask worker` (see the README)") from None
        except ValueError as exc:  # "unknown address scheme 'http'": the dashboard's URL, say
            raise OSError(f"{address} is no Dask scheduler address ({exc}): give the one `dask scheduler` prints, "
                          "tcp://HOST:8786 (8787 is its dashboard)") from None
        try:
            some_worker(client, wait)
            check_workers(client, address)
        except NoWorkers as exc:
            client.close()
            raise NoWorkers(f"{exc}; nothing was read") from None
        except WorkersDiffer:
            client.close()
            raise
        client.register_plugin(ImportFix())
        return client
    return _start_local(workers)


def _start_local(workers: int) -> Client:
    """``_local`` in a thread of its own, this one waiting for it, so that Ctrl-C stops it at once.

    SIGINT is held in the thread of the cluster's loop, whose threads start the worker processes
    (they inherit it: a Ctrl-C as they imported killed each with a traceback of its own and broke
    the start, "Nanny failed to start"). Held in this thread too, as it was, the Ctrl-C of a start
    that hung or was slow (a worker's slow import) went to a thread that did not hold it (numpy's
    OpenBLAS, Dask's), and this one saw it only when Dask's wait for the start came round, every
    10 s (``distributed.utils.sync``), with the cluster half made, which Dask closed at exit with a
    traceback of its own. Here it comes at once, and the cluster is left (``_abandon``).
    """
    runner = LoopRunner()
    abandoned = threading.Event()
    made: dict[str, object] = {}
    # Not Thread.join: interrupted, it takes the thread for ended (CPython 3.11, bpo-45274).
    done = threading.Event()

    def run() -> None:
        try:
            made["client"] = _local(workers, runner, abandoned)
        except BaseException as exc:  # noqa: BLE001  (raised in the caller's thread, below)
            made["error"] = exc
        finally:
            done.set()

    with sigint_held():  # the threads started here inherit it, and so do those they start, and their processes
        runner.start()
        threading.Thread(target=run, name="newsmon-cluster-start", daemon=True).start()
    try:
        while not done.wait(0.1):  # in steps: the signal may reach another thread, which only marks it for this one
            pass
    except KeyboardInterrupt:
        if not done.is_set():
            _abandon(runner, abandoned)
        elif "client" in made:
            stop(made["client"])  # started meanwhile: closed as any other
        else:
            runner.stop()
        raise
    if "error" in made:
        runner.stop()
        raise made["error"]  # type: ignore[misc]
    return made["client"]  # type: ignore[return-value]


def _abandon(runner: LoopRunner, abandoned: threading.Event) -> None:
    """Leave a local cluster that has not finished starting, its worker processes killed: this
    process is about to exit (Ctrl-C).

    Not Dask's close: a nanny waits for its worker to have started before it asks it to stop, as
    long as the start hangs; and a nanny whose worker dies while it starts starts another (at exit,
    after multiprocessing had released the semaphores its queues use: "leaked semaphore" warnings
    and the new workers' tracebacks). So the cluster's loop is held for good, which stops all that
    Dask does in this process, before its processes are killed.
    """
    # A second Ctrl-C (a key pressed twice) would leave the processes to multiprocessing's exit, and so would a SIGTERM
    # (systemd's stop after a Ctrl-C, `kill`): its exit then waited for ever on workers that ignore both, the loop held.
    before = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        import psutil

        abandoned.set()
        held = threading.Event()

        def hold() -> None:
            held.set()
            threading.Event().wait()

        runner.loop.add_callback(hold)
        held.wait(5)  # at once, unless the loop is busy; the processes are killed all the same
        left: dict[int, psutil.Process] = {}
        deadline = time.monotonic() + 5
        while True:
            # The cluster's own, not every process started since: others of this process (a test's
            # subprocess, the crawl's extraction workers) were killed with them.
            pids, starting = _workers_started(runner.loop)
            # Descendants, not children: a worker is a forkserver's child with that start method.
            for process in psutil.Process().children(recursive=True):
                if process.pid in pids and process.pid not in left:
                    try:
                        for each in [*process.children(recursive=True), process]:
                            each.send_signal(signal.SIGKILL)
                            left[each.pid] = each
                    except psutil.NoSuchProcess:
                        pass
            # One being started as the loop was held has its pid once the start returns (a thread
            # of its own, not the loop's).
            if not starting or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        # Gone before this process exits. Waited for, not reaped: Dask's own threads reap them.
        running = list(left.values())
        while running and time.monotonic() < deadline:
            running = [p for p in running if _running(p)]
            time.sleep(0.02)
    finally:
        for signum, handler in before.items():
            if handler is not None:  # None: not set from Python, nothing to put back
                signal.signal(signum, handler)


def _workers_started(loop) -> tuple[set[int], int]:
    """The pids of the worker processes the nannies on ``loop`` have started, and how many more
    they are starting (a process whose pid is not known yet)."""
    from distributed.nanny import Nanny

    pids, starting = set(), 0
    for nanny in list(Nanny._instances):
        process = getattr(nanny.process, "process", None) if nanny.loop is loop else None  # an AsyncProcess
        if process is not None:
            if process.pid is None:
                starting += 1
            else:
                pids.add(process.pid)
    return pids, starting


def _running(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _local(workers: int, runner: LoopRunner, abandoned: threading.Event) -> Client:
    """A client of a new ``LocalCluster`` of ``workers`` processes on ``runner``'s loop (``start``)."""
    # dashboard ":0": the scheduler's HTTP server on a free port, not 8787, which another
    # cluster on the machine may hold (Dask then warns on standard error).
    try:
        local = _LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=":0", silence_logs=logging.ERROR, runner=runner,
                              abandoned=abandoned)
    except (OSError, RuntimeError) as exc:
        # RuntimeError: "Cluster failed to start", its cause a worker's (a temporary directory
        # it cannot write, DASK_TEMPORARY_DIRECTORY, no room for its spill directory).
        cause = exc.__cause__ or exc.__context__ or exc
        raise OSError(f"the local Dask cluster of {workers} workers did not start ({type(cause).__name__}: "
                      f"{' '.join(str(cause).split())[:300]}); --workers 0 reads in this process alone") from None
    # Not the default client: Dask's close of that at exit waited 3 s on an abandoned cluster's loop.
    client = Client(local, set_as_default=False)
    # This process runs the scheduler of a LocalCluster: its complaint when a killed worker
    # took the only copy of the page dictionaries with it is answered (``ingest``: they
    # are sent again, with the parts that needed them, counted as "parts sent again").
    logging.getLogger("distributed.scheduler").addFilter(_answered)
    logging.getLogger("distributed.core").addFilter(_scatter_retried)
    client.register_plugin(LeaveCtrlCToTheIngest())
    client.register_plugin(ImportFix())
    return client


def check_workers(client: Client, address: str) -> None:
    """Refuse a cluster with a worker that would make something else of the pages than this
    machine: without newsmon (each part failed with "No module named 'crawler'", the message
    said to run the ingest again), or with another newsmon or extraction library (it extracted
    other text from the same pages, silently). A worker that joins later refuses each part it
    is given (``ingest.Options.fingerprint``)."""
    theirs = client.run(fingerprint, on_error="return")
    problems = []
    for worker, found in sorted(theirs.items()):
        if isinstance(found, BaseException) and "No module named 'crawler'" in str(found):
            # Dask hands the worker's failure to unpickle the function back as a plain Exception.
            problems.append(f"{worker}: newsmon is not installed")
        elif isinstance(found, BaseException):
            problems.append(f"{worker}: {type(found).__name__}: {found}")
        elif differences(found):
            problems.append(f"{worker}: " + ", ".join(f"{name} {theirs_} (here {ours})"
                                                      for name, theirs_, ours in differences(found)))
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise WorkersDiffer(
            f"{len(problems)} of the {len(theirs)} workers of the Dask scheduler at {address} would not extract as "
            f"this machine does ({shown}): install newsmon from a checkout of the same commit, with the same "
            "libraries (`pip install -e .`, or the same lock), on every worker, then run the ingest again; nothing "
            "was read")


def _answered(record: logging.LogRecord) -> bool:
    return "lose scattered data" not in record.getMessage()


def _scatter_retried(record: logging.LogRecord) -> bool:
    # The scheduler's side of a scatter to a worker killed as it began (listed still, its port
    # closed: "Timed out trying to connect ... after 30 s", seen once in CI): logged with a
    # traceback, though the ingest gets the same error and sends the dictionaries again to the
    # workers there are then (``ingest._scatter``), and says so if it cannot.
    return not (record.getMessage() == "Exception while handling op scatter" and record.exc_info
                and isinstance(record.exc_info[1], OSError))


def _gather_closed(record: logging.LogRecord) -> bool:
    # A result still being gathered when the client closes (the ingest stopped for want of
    # workers, and said so) ends its task with AllExit, which asyncio logs as a traceback.
    return not (record.exc_info and isinstance(record.exc_info[1], AllExit))


def _cancel_unbound(record: logging.LogRecord) -> bool:
    # Ctrl-C while this process waits on the cluster: Dask's sync() schedules a cancel of the call
    # it waits for, and when the interrupt came before that call had begun, the cancel's closure
    # has no future yet (distributed/utils.py: "NameError: cannot access free variable 'future'"),
    # logged as "Exception in callback" with a traceback above the ingest's one line (seen once
    # in four runs on 2 busy cores). Nothing was running to cancel.
    error = record.exc_info[1] if record.exc_info else None
    return not (isinstance(error, NameError) and "free variable 'future'" in str(error))


def workers(client: Client) -> int:
    return len(client.scheduler_info(n_workers=-1)["workers"])


def some_worker(client: Client, wait: float) -> None:
    """Return once the scheduler has a running worker; ``NoWorkers`` after ``wait`` seconds without one.

    Asked of the scheduler, not through ``Client.wait_for_workers``: with a ``LocalCluster`` that
    hands over to the cluster, which replaces its copy of the scheduler's worker list, and a
    worker that died just before is then missing from it when the scheduler's notice of its
    removal arrives (``_LocalCluster``).
    """
    deadline = time.monotonic() + wait
    while not any(w.get("status") == "running" for w in client.scheduler_info(n_workers=-1)["workers"].values()):
        if time.monotonic() >= deadline:
            address = client.scheduler.address
            raise NoWorkers(f"the Dask scheduler at {address} has had no worker for {wait:g} s "
                            f"(NEWSMON_INGEST_NO_WORKERS): start them on each machine with `dask worker {address} "
                            "--nworkers N --nthreads 1`, then run the ingest again")
        time.sleep(0.1)


def _quiet() -> None:
    """Run in each worker of a local cluster about to close. A heartbeat in flight when the
    scheduler goes is logged at ERROR with a traceback ("Failed to communicate with scheduler
    during heartbeat"): on the terminal, after an ingest that went well (seen once in a full test
    run on 2 busy cores). Errors during the ingest still show: only the closing is quieted."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def stop(client: Client) -> None:
    """Close the client, and the local cluster if it started one (a scheduler's is left running)."""
    cluster = getattr(client, "cluster", None)
    closed = False
    try:
        if cluster is not None:
            try:
                client.run(_quiet)
            except Exception:  # noqa: BLE001  (a worker already gone has nothing left to say)
                pass
        client.close()
        if cluster is not None:
            cluster.close()
            closed = True
            runner = getattr(cluster, "runner", None)
            if runner is not None:
                runner.stop()
    except KeyboardInterrupt:
        # A second Ctrl-C (a key pressed twice) as the cluster closed cut its close short, and Dask's own at exit
        # waited 10 s on what was left half closed: the cluster is left as one Ctrl-C found starting is.
        # Not once it is closed: Dask's close at exit has nothing left to wait on, and as its loop stops (the Ctrl-C
        # came as ``runner.stop`` waited for it) there is none to hold: "Accessing the loop property while the loop
        # is not running" came out of ``_abandon``, a traceback and exit 1 in place of the stopped line.
        if isinstance(cluster, _LocalCluster) and not closed:
            _abandon(cluster.runner, cluster.abandoned)
        raise
