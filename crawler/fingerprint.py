"""What a worker makes of a page depends on: newsmon's own files and the libraries it extracts with.

``newsmon ingest --cluster`` runs on workers installed apart from the machine that stores what
they return. One with newsmon of another commit (older outlet rules, another scorer) or another
trafilatura extracts other text from the same page, and nothing said so. The writer compares each
worker's fingerprint with its own (``crawler/cluster.py`` before the first part, and every part's
result after). This module imports nothing of newsmon's, so a worker can run it before
``cluster.ImportFix`` has made ``storage`` importable.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path


class WorkersDiffer(OSError):
    """A worker cannot run the ingest as this machine would: newsmon missing, or another
    newsmon or extraction library. Here, not with the cluster's code: a part that failed in
    the ingest's own process is told by it without importing Dask."""


#: The distributions whose version changes what a worker extracts, scores or stores of a page.
LIBRARIES = ("trafilatura", "htmldate", "lxml", "charset-normalizer", "warcio", "brotli", "zstandard", "rensa",
             "pyahocorasick", "scikit-learn")


@functools.cache
def fingerprint() -> tuple[tuple[str, str], ...]:
    """``(name, version)`` pairs: ``newsmon`` with a digest of its code, outlet rules and topics
    (``crawler/`` and ``storage/``), then each of ``LIBRARIES``. Cached: the files do not change
    under a running process (what it imported is what it runs)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("crawler", "storage"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    found = [("newsmon", digest.hexdigest()[:12])]
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return tuple(found)


def differences(theirs: tuple[tuple[str, str], ...]) -> list[tuple[str, str, str]]:
    """``(name, theirs, ours)`` for each entry of ``theirs`` that this process's fingerprint differs in."""
    other = dict(theirs)
    return [(name, other.get(name, "unknown"), version) for name, version in fingerprint()
            if other.get(name) != version]
