"""The saved real pages in tests/fixtures/saved (see PROVENANCE.md) and their ground truth.

Shared by the tests and the bench scripts, so that both read pages and truth the same way.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

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


def fundus_truth(page: str) -> str:
    """Fundus V1 body of a ``fundus-jp/*.html`` page: summary, then each section's headline and paragraphs."""
    body = saved_json(page.removesuffix(".html") + ".json")["V1"]["body"]
    parts = list(body["summary"])
    for section in body["sections"]:
        parts += section["headline"] + section["paragraphs"]
    return "\n".join(parts)
