"""Shared test helpers: saved real pages live in tests/fixtures/saved (see PROVENANCE.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SAVED = FIXTURES / "saved"
EXPECTED = FIXTURES / "expected"


def saved_bytes(relpath: str) -> bytes:
    """The bytes of a saved file, by its path in MANIFEST.tsv (gzipped or not on disk)."""
    path = SAVED / relpath
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((SAVED / (relpath + ".gz")).read_bytes())


def saved_json(relpath: str):
    return json.loads(saved_bytes(relpath))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    # No test may read a user's config or write the default database.
    for name in ("NEWSMON_DB", "NEWSMON_CONFIG", "NEWSMON_SCHEDULE_INTERVAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
