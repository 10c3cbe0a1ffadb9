"""Shared test helpers: saved real pages live in tests/fixtures/saved (see PROVENANCE.md)."""

from __future__ import annotations

import pytest

from .saved import EXPECTED, FIXTURES, SAVED, saved_bytes, saved_json  # noqa: F401  (re-exported)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    # No test may read a user's config or write the default database.
    for name in ("NEWSMON_DB", "NEWSMON_CONFIG", "NEWSMON_SCHEDULE_INTERVAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
