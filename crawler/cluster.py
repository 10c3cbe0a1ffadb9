"""The Dask cluster ``newsmon ingest`` runs its parts on: a ``LocalCluster`` or a scheduler's.

Kept apart from ``crawler/ingest.py`` on purpose: this module imports nothing of newsmon's but
``crawler.fingerprint`` and ``crawler.workers`` (which import nothing of it), so a worker can load
it (and run :class:`ImportFix`) before anything imports the ``storage`` package.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from distributed import Client, LocalCluster
from distributed.client import AllExit
from distributed.diagnostics.plugin import WorkerPlugin

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
    """A local cluster's worker ignores SIGINT: Ctrl-C reaches the whole process group, and each
    worker died of it with a traceback of its own while the ingest itself, which closes them,
    stopped. Not for a cluster's own workers (``--cluster``): their Ctrl-C is their owner's."""

    name = "newsmon-leave-ctrl-c"

    def setup(self, worker) -> None:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


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

    def _update_worker_status(self, op, msg):
        if op == "remove" and msg not in self.scheduler_info["workers"]:
            return
        super()._update_worker_status(op, msg)


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
    # SIGINT held until the cluster has started, then closed with it: a Ctrl-C as its workers
    # imported killed each with a traceback, broke the start ("Nanny failed to start"), or came out
    # of Dask with the cluster half made, which Dask closed at exit with tracebacks of its own.
    client = None
    try:
        with sigint_held():  # the cluster's thread and processes are started here and inherit it
            client = _local(workers)
    except KeyboardInterrupt:
        if client is not None:
            stop(client)
        raise
    return client


def _local(workers: int) -> Client:
    """A client of a new ``LocalCluster`` of ``workers`` processes (``start``)."""
    # dashboard ":0": the scheduler's HTTP server on a free port, not 8787, which another
    # cluster on the machine may hold (Dask then warns on standard error).
    try:
        local = _LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=":0", silence_logs=logging.ERROR)
    except (OSError, RuntimeError) as exc:
        # RuntimeError: "Cluster failed to start", its cause a worker's (a temporary directory
        # it cannot write, DASK_TEMPORARY_DIRECTORY, no room for its spill directory).
        cause = exc.__cause__ or exc.__context__ or exc
        raise OSError(f"the local Dask cluster of {workers} workers did not start ({type(cause).__name__}: "
                      f"{' '.join(str(cause).split())[:300]}); --workers 0 reads in this process alone") from None
    client = Client(local)
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
    if cluster is not None:
        try:
            client.run(_quiet)
        except Exception:  # noqa: BLE001  (a worker already gone has nothing left to say)
            pass
    client.close()
    if cluster is not None:
        cluster.close()
