"""The schema of the newsmon database, as named, append-only migrations.

Never edit a migration that has shipped: databases out there have already run it and will not
run it again. To change the schema, append a new function decorated with ``@MIGRATIONS()``
(``m002_...``, ``m003_...``); ``migrate`` applies the missing ones in order and records each, by
name and time, in the ``_migrations`` table. ``tests/test_storage.py`` pins the resulting
columns, so a schema change also updates that list.

Tables are not STRICT, and nothing needs a custom SQL function, so the file opens in DB Browser
for SQLite and the sqlite3 shell as well as in Datasette.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from .db import transaction
from .exceptions import NewerSchemaError


class _NewsmonMigrations(Migrations):
    """sqlite-utils' migrations, bookkept in ``_migrations`` and knowing their own names."""

    # The table name the project documents; sqlite-utils' default is _sqlite_migrations.
    migrations_table = "_migrations"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.names: list[str] = []

    def __call__(self, *, name: str | None = None, transactional: bool = True):
        register = super().__call__(name=name, transactional=transactional)

        def inner(fn):
            register(fn)
            self.names.append(name or fn.__name__)
            return fn

        return inner


MIGRATIONS = _NewsmonMigrations("newsmon")


def _run(db: Database, statements: list[str]) -> None:
    for sql in statements:
        db.execute(sql)


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Articles, raw pages, seen URLs, feed state, crawl runs, bigram search, the review queue."""
    _run(db, [
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL UNIQUE,
            outlet TEXT,
            language TEXT,
            title TEXT,
            lead TEXT,
            authors TEXT,            -- JSON list of names
            published_at TEXT,       -- ISO 8601 with offset
            modified_at TEXT,
            text TEXT,
            section TEXT,
            tags TEXT,               -- JSON list
            paywalled INTEGER NOT NULL DEFAULT 0,
            method TEXT,             -- how the text was extracted
            site_name TEXT,
            topic TEXT,
            score REAL,
            relevant INTEGER NOT NULL DEFAULT 0,
            matched_terms TEXT,      -- JSON list of {term, count, snippet}
            evidence TEXT,           -- matched_terms as readable lines, for DB Browser users
            status TEXT NOT NULL DEFAULT 'new',
            review_note TEXT,
            reviewed_at TEXT,
            reviewed_by TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            content_hash TEXT NOT NULL  -- sha256 of NFKC title + text
        )
        """,
        "CREATE INDEX idx_articles_outlet ON articles(outlet)",
        "CREATE INDEX idx_articles_published_at ON articles(published_at)",
        "CREATE INDEX idx_articles_status ON articles(status)",
        "CREATE INDEX idx_articles_relevant ON articles(relevant)",
        "CREATE INDEX idx_articles_content_hash ON articles(content_hash)",
        "CREATE INDEX idx_articles_url ON articles(url)",
        # Reviewers edit status by hand in DB Browser; a typo would silently drop the article
        # from every list. Triggers (not CHECK) so that a later migration can change the set by
        # recreating them instead of rebuilding the table.
        """
        CREATE TRIGGER articles_status_insert BEFORE INSERT ON articles
        WHEN NEW.status NOT IN ('new', 'relevant', 'dismissed', 'follow-up')
        BEGIN
            SELECT RAISE(ABORT, 'status must be one of: new, relevant, dismissed, follow-up');
        END
        """,
        """
        CREATE TRIGGER articles_status_update BEFORE UPDATE OF status ON articles
        WHEN NEW.status NOT IN ('new', 'relevant', 'dismissed', 'follow-up')
        BEGIN
            SELECT RAISE(ABORT, 'status must be one of: new, relevant, dismissed, follow-up');
        END
        """,
        """
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            fetched_at TEXT NOT NULL,
            http_status INTEGER,
            content_type TEXT,
            body_gz BLOB NOT NULL,   -- gzip of the raw response body, as fetched
            size INTEGER NOT NULL    -- length of the raw body in bytes
        )
        """,
        "CREATE INDEX idx_pages_url ON pages(url)",
        "CREATE INDEX idx_pages_article_id ON pages(article_id)",
        """
        CREATE TABLE urls (
            url TEXT PRIMARY KEY,    -- canonicalised by the crawler
            outlet TEXT,
            kind TEXT NOT NULL,      -- article, not_article, error, feed, ...
            http_status INTEGER,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """,
        """
        CREATE TABLE feed_state (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            last_status INTEGER,
            last_fetched_at TEXT
        )
        """,
        """
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outlets TEXT,                -- JSON list of outlet keys
            trigger TEXT,                -- manual, schedule, demo, ...
            requests INTEGER,
            responses_by_status TEXT,    -- JSON object {"200": 12, "404": 1}
            articles_new INTEGER,
            articles_relevant INTEGER,
            errors INTEGER,
            finish_reason TEXT,
            exit_status INTEGER,
            pid INTEGER
        )
        """,
        # Standalone (not external-content) so that it is maintained from Python without
        # triggers: its text is the bigram form of storage.search.bigrams, which plain SQL
        # cannot compute. rowid = articles.id.
        "CREATE VIRTUAL TABLE articles_search USING fts5(title, text, tokenize = 'unicode61')",
        # datetime() normalises the offsets (+09:00 vs +00:00) so that newest-first is true
        # time order, not string order.
        """
        CREATE VIEW review_queue AS
        SELECT
            id,
            published_at,
            outlet,
            title,
            score,
            topic,
            evidence,
            url,
            first_seen_at
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        ORDER BY coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC
        """,
    ])


def migrate(db: Database) -> list[str]:
    """Apply the migrations ``db`` lacks, in order; return their names (``[]`` if none).

    Raises:
        NewerSchemaError: the database has migrations this version does not know.
    """
    if not MIGRATIONS.pending(db):
        _refuse_newer(db)
        return []
    # One write transaction for the lot: a second process opening a new file at the same
    # moment waits here, then finds nothing pending instead of creating the tables twice.
    with transaction(db):
        names = [m.name for m in MIGRATIONS.pending(db)]
        MIGRATIONS.apply(db)
    _refuse_newer(db)
    return names


def _refuse_newer(db: Database) -> None:
    known = set(MIGRATIONS.names)
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        raise NewerSchemaError(
            f"the database was migrated by a newer newsmon (unknown migrations: {', '.join(unknown)}); "
            "upgrade newsmon, or use another --db file")


@MIGRATIONS()
def m002_outlet_health(db: Database) -> None:
    """Per-outlet counts of each run, outlet health and its history, the notifications sent."""
    _run(db, [
        # One row per run and outlet, written when the crawl closes (or by `newsmon schedule`
        # for a run it had to kill): what the outlet's discovery pages and article pages gave.
        """
        CREATE TABLE outlet_runs (
            run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
            outlet TEXT NOT NULL,
            discovery_ok INTEGER NOT NULL DEFAULT 0,       -- feeds, sitemaps, sections: 200 or 304
            discovery_changed INTEGER NOT NULL DEFAULT 0,  -- of those, read anew (200)
            discovery_failed INTEGER NOT NULL DEFAULT 0,
            discovered INTEGER NOT NULL DEFAULT 0,         -- article URLs they listed, new or not
            pages INTEGER NOT NULL DEFAULT 0,              -- article pages fetched
            errors INTEGER NOT NULL DEFAULT 0,             -- article pages that could not be fetched
            articles_new INTEGER NOT NULL DEFAULT 0,
            articles_relevant INTEGER NOT NULL DEFAULT 0,
            no_article INTEGER NOT NULL DEFAULT 0,         -- pages where extraction found no article
            no_title INTEGER NOT NULL DEFAULT 0,
            no_date INTEGER NOT NULL DEFAULT 0,
            short_text INTEGER NOT NULL DEFAULT 0,         -- text under 100 characters, not paywalled
            rules_expected INTEGER NOT NULL DEFAULT 0,     -- articles of an outlet that has rules
            rules_missed INTEGER NOT NULL DEFAULT 0,       -- of those, read by generic extraction
            crosschecked INTEGER NOT NULL DEFAULT 0,       -- rules text compared with generic text
            disagreed INTEGER NOT NULL DEFAULT 0,          -- of those, bigram F1 under 0.5
            PRIMARY KEY (run_id, outlet)
        )
        """,
        "CREATE INDEX idx_outlet_runs_outlet ON outlet_runs(outlet, run_id)",
        """
        CREATE TABLE outlet_health (
            outlet TEXT PRIMARY KEY,
            status TEXT NOT NULL,            -- ok, degraded, failing
            reasons TEXT NOT NULL,           -- JSON list of {code, message}
            since TEXT NOT NULL,             -- when the status last changed
            checked_at TEXT NOT NULL,
            run_id INTEGER                   -- the run it was last checked after
        )
        """,
        """
        CREATE TABLE health_log (
            id INTEGER PRIMARY KEY,
            outlet TEXT NOT NULL,
            at TEXT NOT NULL,
            run_id INTEGER,
            previous TEXT,                   -- status before; NULL for an outlet's first check
            status TEXT NOT NULL,
            reasons TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_health_log_outlet ON health_log(outlet, id)",
        """
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            run_id INTEGER,
            sent_at TEXT NOT NULL,
            channel TEXT NOT NULL,           -- webhook, command, apprise
            ok INTEGER NOT NULL,
            error TEXT,
            articles INTEGER NOT NULL,       -- relevant articles the digest listed
            health_changes INTEGER NOT NULL
        )
        """,
        # An article is in at most one delivered digest.
        """
        CREATE TABLE notified_articles (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            run_id INTEGER,
            notified_at TEXT NOT NULL
        )
        """,
        # What a reviewer opens in DB Browser or Datasette: one line per outlet, problems first.
        """
        CREATE VIEW health AS
        SELECT
            outlet,
            status,
            (SELECT group_concat(json_extract(value, '$.message'), '; ')
             FROM json_each(outlet_health.reasons)) AS problems,
            since,
            checked_at,
            run_id
        FROM outlet_health
        ORDER BY CASE status WHEN 'failing' THEN 0 WHEN 'degraded' THEN 1 ELSE 2 END, outlet
        """,
    ])


@MIGRATIONS()
def m003_review_queue_language(db: Database) -> None:
    """The review queue shows each article's language, so a reviewer can facet on it."""
    _run(db, [
        "DROP VIEW review_queue",
        """
        CREATE VIEW review_queue AS
        SELECT
            id,
            published_at,
            outlet,
            language,
            title,
            score,
            topic,
            evidence,
            url,
            first_seen_at
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        ORDER BY coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC
        """,
    ])


@MIGRATIONS()
def m006_relevance(db: Database) -> None:
    """Relevance that learns from the reviewers: each article's threshold and classifier
    probability, the models trained on the review decisions, the queue ordered by probability
    and a "maybe missed" lane of articles under the threshold that the model rates relevant."""
    columns = """
        id,
        published_at,
        outlet,
        language,
        title,
        score,
        threshold,
        relevance_p AS probability,
        relevance_flag AS flag,
        topic,
        evidence,
        url,
        first_seen_at
    """
    order = ("ORDER BY relevance_p IS NULL, relevance_p DESC, "
             "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC")
    _run(db, [
        # The threshold of the topic the score is for, when it was scored: shown beside it.
        "ALTER TABLE articles ADD COLUMN threshold REAL",
        # The classifier's probability that the article is relevant (NULL: no model, or the
        # article names nothing of any topic), which model gave it, and what it suggests:
        # 'maybe-missed' (under the threshold, rated relevant) or 'likely-false-positive'.
        "ALTER TABLE articles ADD COLUMN relevance_p REAL",
        "ALTER TABLE articles ADD COLUMN relevance_model_id INTEGER",
        "ALTER TABLE articles ADD COLUMN relevance_flag TEXT",
        "CREATE INDEX idx_articles_relevance_flag ON articles(relevance_flag)",
        # One row per training (`newsmon learn`); the newest row of a topic is its model.
        """
        CREATE TABLE relevance_models (
            id INTEGER PRIMARY KEY,
            topic TEXT NOT NULL,
            trained_at TEXT NOT NULL,
            positives INTEGER NOT NULL,      -- decisions relevant or follow-up
            negatives INTEGER NOT NULL,      -- decisions dismissed
            cv_folds INTEGER,
            cv_precision REAL,               -- cross-validated, at the cutoff
            cv_recall REAL,
            cutoff REAL NOT NULL,            -- probability from which the model calls it relevant
            flag_below REAL NOT NULL,        -- a relevant article under this is a likely false positive
            features TEXT NOT NULL,          -- what the model reads, in words
            library TEXT NOT NULL,           -- scikit-learn version it was trained with
            train_seconds REAL,
            model BLOB NOT NULL              -- the fitted model (pickle), read by newsmon only
        )
        """,
        "CREATE INDEX idx_relevance_models_topic ON relevance_models(topic, id)",
        "DROP VIEW review_queue",
        f"""
        CREATE VIEW review_queue AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        {order}
        """,
        f"""
        CREATE VIEW maybe_missed AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 0 AND status = 'new' AND relevance_flag = 'maybe-missed'
        {order}
        """,
    ])
