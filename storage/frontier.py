"""The crawl frontier: article URLs discovered but not yet fetched, kept across runs.

A feed or sitemap answers 304 once it has been read, so a URL it listed must be remembered
when it is discovered, not when it is fetched: a run killed, limited (``NEWSMON_MAX_ARTICLES``)
or failing half-way leaves its URLs ``pending`` (or ``error``), and the next run fetches them
whether or not any discovery page lists them again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from .db import transaction
from .queries import now_utc


def add_pending(db: Database, urls: Iterable[str], *, outlet: str, now: str | None = None) -> int:
    """Remember newly discovered URLs (already known ones are left as they are); return how many were new."""
    now = now or now_utc()
    with transaction(db):
        before = db.conn.total_changes
        db.conn.executemany(
            "INSERT OR IGNORE INTO urls (url, outlet, kind, first_seen_at, last_seen_at, attempts) "
            "VALUES (?, ?, 'pending', ?, ?, 0)",
            [(url, outlet, now, now) for url in urls])
        return db.conn.total_changes - before


def due_urls(db: Database, outlet: str, *, max_attempts: int, limit: int) -> list[str]:
    """URLs of ``outlet`` still to fetch: pending ones, and failed ones with attempts left; oldest first."""
    return [row[0] for row in db.execute(
        "SELECT url FROM urls WHERE outlet = ? AND (kind = 'pending' OR (kind = 'error' AND attempts < ?)) "
        "ORDER BY first_seen_at, url LIMIT ?", [outlet, max_attempts, limit]).fetchall()]
