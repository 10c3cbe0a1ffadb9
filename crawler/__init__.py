"""newsmon: crawl Japanese news outlets, extract articles, score them, store them in SQLite."""

__version__ = "0.1.0"
