"""The Dask cluster ``newsmon ingest`` runs its parts on: a ``LocalCluster`` or a scheduler's.

Kept apart from ``crawler/ingest.py`` on purpose: this module imports nothing of newsmon's, so a
worker can load it (and run :class:`ImportFix`) before anything imports the ``storage`` package.
"""

from __future__ import annotations

import logging
import os
import sys

from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin


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


def fix_imports() -> None:
    def shadows(entry: str) -> bool:
        folder = os.path.join(entry or ".", "storage")
        return os.path.isdir(folder) and not os.path.exists(os.path.join(folder, "__init__.py"))

    sys.path[:] = [entry for entry in sys.path if not shadows(entry)]
    loaded = sys.modules.get("storage")
    if loaded is not None and getattr(loaded, "__file__", None) is None:
        del sys.modules["storage"]


def start(workers: int, address: str | None) -> Client:
    """A client of the scheduler at ``address``, or of a new ``LocalCluster`` of ``workers``
    processes (one thread each: extraction holds the GIL) on 127.0.0.1.

    Raises:
        OSError: the scheduler cannot be reached.
    """
    if address:
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
                          "`dask scheduler` and workers with `dask worker` (see the README)") from None
    else:
        # dashboard ":0": the scheduler's HTTP server on a free port, not 8787, which another
        # cluster on the machine may hold (Dask then warns on standard error).
        local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(local)
    client.register_plugin(ImportFix())
    return client


def workers(client: Client) -> int:
    return len(client.scheduler_info(n_workers=-1)["workers"])


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
