"""The SQLite layer of newsmon: schema, migrations and queries. Knows nothing of Scrapy."""

from .db import DEFAULT_DB, open_db, transaction

__all__ = ["DEFAULT_DB", "open_db", "transaction"]
