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
    # Before anything is applied: a newer newsmon's schema is not this one's to change.
    _refuse_newer(db)
    if not MIGRATIONS.pending(db):
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
def m004_url_states(db: Database) -> None:
    """Every URL in one state with a readable reason; what each run's discovery pages gave.

    The states (``urls.kind``) and their meaning are in ``storage.frontier``. This also mends
    what the first crawler left behind: a redirect it stored as a 0-byte page marked
    ``not_article``, and errors it retried three times, become fetchable again or ``gave_up``.
    """
    _run(db, [
        "ALTER TABLE urls ADD COLUMN reason TEXT",          # why it is in its state, for a reader
        "ALTER TABLE urls ADD COLUMN reason_code TEXT",     # the same as a code (http_404, empty_body…)
        "ALTER TABLE urls ADD COLUMN redirected_to TEXT",   # where it redirected, when it did
        "ALTER TABLE urls ADD COLUMN page_id INTEGER",      # its newest raw page (pages.id)
        "ALTER TABLE urls ADD COLUMN run_id INTEGER",       # the run that last set its state
        "ALTER TABLE urls ADD COLUMN retry_at TEXT",        # not to be tried before this time
        "CREATE INDEX idx_urls_outlet_kind ON urls(outlet, kind)",
        "CREATE INDEX idx_urls_run_id ON urls(run_id)",
        # A state typed by hand in DB Browser that the crawler does not know would leave the URL
        # in no state at all: refuse it, as for articles.status.
        """
        CREATE TRIGGER urls_kind_insert BEFORE INSERT ON urls
        WHEN NEW.kind NOT IN ('pending', 'fetched', 'article', 'not_article', 'error', 'gave_up', 'gone', 'refused', 'blocked')
        BEGIN
            SELECT RAISE(ABORT, 'urls.kind must be one of: pending, fetched, article, not_article, error, gave_up, gone, refused, blocked');
        END
        """,
        """
        CREATE TRIGGER urls_kind_update BEFORE UPDATE OF kind ON urls
        WHEN NEW.kind NOT IN ('pending', 'fetched', 'article', 'not_article', 'error', 'gave_up', 'gone', 'refused', 'blocked')
        BEGIN
            SELECT RAISE(ABORT, 'urls.kind must be one of: pending, fetched, article, not_article, error, gave_up, gone, refused, blocked');
        END
        """,
        # Mend: redirects and empty bodies were stored as not_article; fetch them again.
        """
        UPDATE urls SET kind = 'pending', attempts = 0, reason_code = 'requeued',
            reason = 'fetched again: newsmon before m004 stored this redirect or empty page as no article'
        WHERE kind = 'not_article' AND (http_status BETWEEN 300 AND 399
            OR url IN (SELECT url FROM pages WHERE size = 0))
        """,
        # Errors that used up the default three attempts were silently never tried again.
        """
        UPDATE urls SET kind = 'gave_up', reason_code = 'attempts',
            reason = 'gave up after ' || attempts || ' attempts: ' || coalesce(last_error, 'unknown error')
        WHERE kind = 'error' AND attempts >= 3
        """,
        "UPDATE urls SET reason = coalesce(last_error, reason) WHERE kind = 'error' AND reason IS NULL",
        # One row per discovery page (feed, sitemap, section) fetched per run: what it gave, or why
        # it gave nothing. A feed that turns into an HTML error page is named here.
        """
        CREATE TABLE discovery (
            id INTEGER PRIMARY KEY,
            run_id INTEGER,
            outlet TEXT NOT NULL,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,          -- feed, sitemap, section
            fetched_at TEXT NOT NULL,
            http_status INTEGER,
            ok INTEGER NOT NULL,         -- 1: read (or 304); 0: failed or not parseable
            entries INTEGER,             -- links/entries it listed
            article_urls INTEGER,        -- of those, article URLs of the outlet
            new_urls INTEGER,            -- of those, not known before
            refused INTEGER,             -- entries out of the outlet's scope (other hosts, file:…)
            reason TEXT                  -- why it failed or was not read; 'not modified' for a 304
        )
        """,
        "CREATE INDEX idx_discovery_run ON discovery(run_id, outlet)",
        "CREATE INDEX idx_discovery_url ON discovery(url, id)",
        # robots.txt as last seen per host: a disallowed URL is tried again only once it changes.
        """
        CREATE TABLE robots (
            netloc TEXT PRIMARY KEY,
            http_status INTEGER,
            sha256 TEXT,                 -- of the body; NULL when it could not be fetched
            fetched_at TEXT NOT NULL,
            changed_at TEXT
        )
        """,
        "ALTER TABLE outlet_runs ADD COLUMN discovery_broken INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE outlet_runs ADD COLUMN robots_unavailable INTEGER NOT NULL DEFAULT 0",
        # Bot walls, consent pages and logins met instead of pages (articles and discovery).
        "ALTER TABLE outlet_runs ADD COLUMN walls INTEGER NOT NULL DEFAULT 0",
        # JSON {state: n}: the URLs of the outlet this run left in each state.
        "ALTER TABLE outlet_runs ADD COLUMN url_states TEXT",
        # The health view gains what the URLs of each outlet came to: its last run's URL states,
        # and how many URLs it has given up on or been refused, so a loss is seen where health is.
        "DROP VIEW health",
        """
        CREATE VIEW health AS
        SELECT
            h.outlet,
            h.status,
            (SELECT group_concat(json_extract(value, '$.message'), '; ') FROM json_each(h.reasons)) AS problems,
            h.since,
            h.checked_at,
            h.run_id,
            (SELECT o.url_states FROM outlet_runs o WHERE o.run_id = h.run_id AND o.outlet = h.outlet) AS last_run_urls,
            (SELECT count(*) FROM urls u WHERE u.outlet = h.outlet AND u.kind = 'gave_up') AS urls_gave_up,
            (SELECT count(*) FROM urls u WHERE u.outlet = h.outlet AND u.kind = 'error') AS urls_failing,
            (SELECT count(*) FROM urls u WHERE u.outlet = h.outlet AND u.kind = 'refused') AS urls_refused
        FROM outlet_health h
        ORDER BY CASE h.status WHEN 'failing' THEN 0 WHEN 'blocked' THEN 1 WHEN 'degraded' THEN 2 ELSE 3 END, h.outlet
        """,
        # URLs a reviewer should know about: given up, gone, refused or failing, newest first.
        """
        CREATE VIEW url_problems AS
        SELECT outlet, kind AS state, reason, attempts, http_status, url, redirected_to, last_seen_at, run_id
        FROM urls
        WHERE kind IN ('error', 'gave_up', 'gone', 'refused', 'blocked')
        ORDER BY last_seen_at DESC
        """,
    ])


@MIGRATIONS()
def m005_review_log(db: Database) -> None:
    """Every review decision kept (history, appended notes, undo), each reviewer's last visit, and
    an index in the review queue's order."""
    _run(db, [
        # One row per decision (or note), in order. The review columns of ``articles``
        # (status, review_note, reviewed_by, reviewed_at) are kept equal to what this log says;
        # storage/review.py is the one writer of both.
        """
        CREATE TABLE review_log (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,         -- equal to from_status for a note alone
            note TEXT,
            reviewer TEXT,
            at TEXT NOT NULL,                -- UTC, ISO 8601
            undoes INTEGER REFERENCES review_log(id),     -- this row is the undo of that one
            undone_by INTEGER REFERENCES review_log(id)   -- set when this row was undone
        )
        """,
        "CREATE INDEX idx_review_log_article ON review_log(article_id, id)",
        # The review_queue view's filter and order (m003): its first page and its count read
        # this index instead of sorting the whole queue (with 10,000 queued articles, 0.3 ms
        # instead of 45 ms for a page of 100). datetime() of a column (never of 'now') may be
        # indexed; SQLite 3.9+ (and DB Browser) read such indexes.
        "CREATE INDEX idx_articles_queue ON articles(relevant, status, "
        "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC)",
        # "New since my last visit": a visit is page loads less than half an hour apart; what
        # arrived after the end of the visit before this one is new to the reviewer.
        """
        CREATE TABLE reviewer_visits (
            reviewer TEXT PRIMARY KEY,
            previous_visit_at TEXT,          -- end of the visit before this one; NULL: first visit
            visit_started_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        )
        """,
        # Decisions made before the log existed become its first rows, so that history, notes
        # and undo cover them too. Where they came from is unknown; 'new' is the only status
        # an article has before a reviewer touches it.
        """
        INSERT INTO review_log (article_id, from_status, to_status, note, reviewer, at)
        SELECT id, 'new', status, nullif(trim(review_note), ''), reviewed_by, reviewed_at
        FROM articles
        WHERE reviewed_at IS NOT NULL AND (status != 'new' OR nullif(trim(review_note), '') IS NOT NULL)
        ORDER BY reviewed_at, id
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
            model BLOB NOT NULL              -- the fitted model as zlib-compressed JSON (no pickle: files are shared)
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


@MIGRATIONS()
def m007_stories_versions(db: Database) -> None:
    """Stories (one event across outlets), wire copies, article versions and revisits.

    Every article gets a story: the articles stored before this migration each get one of their
    own (id = the article's id), to be grouped by ``newsmon regroup``; new articles join or
    start one as they are stored (``storage.stories``). ``article_versions`` keeps the history
    of articles whose title or text changed (the ``articles`` row holds the newest, and
    ``version`` counts them); ``revisits`` schedules the conditional re-fetches that find
    those changes.
    """
    _run(db, [
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT,                      -- the title of its earliest article
            lead_article_id INTEGER,         -- that article
            first_published_at TEXT,         -- UTC, of its earliest article (published, else first seen)
            last_published_at TEXT,          -- UTC, of its latest article
            outlets TEXT NOT NULL,           -- JSON list of outlet keys
            article_count INTEGER NOT NULL DEFAULT 0,
            relevant_count INTEGER NOT NULL DEFAULT 0,
            best_score REAL,
            status TEXT NOT NULL DEFAULT 'new',  -- 'new' while any article is new, else their common decision
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_stories_last_published ON stories(last_published_at)",
        "ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL",
        # A wire copy (a Kyodo story in a regional paper) points at the original it copies.
        "ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL",
        # The number of the version the row holds (1 until the title or text changes).
        "ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE articles ADD COLUMN updated_at TEXT",       # when its newest version was found
        "ALTER TABLE articles ADD COLUMN relevant_since TEXT",   # when it became relevant (digest)
        "CREATE INDEX idx_articles_story_id ON articles(story_id)",
        "CREATE INDEX idx_articles_duplicate_of ON articles(duplicate_of)",
        # Every article before this migration is a story of its own until `newsmon regroup`.
        """
        INSERT INTO stories (id, title, lead_article_id, first_published_at, last_published_at, outlets,
                             article_count, relevant_count, best_score, status, created_at, updated_at)
        SELECT id, title, id,
               coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', published_at), first_seen_at),
               coalesce(strftime('%Y-%m-%dT%H:%M:%S+00:00', published_at), first_seen_at),
               json_array(coalesce(outlet, '')), 1, relevant, score, status, first_seen_at, last_seen_at
        FROM articles
        """,
        "UPDATE articles SET story_id = id, relevant_since = CASE WHEN relevant = 1 THEN first_seen_at END",
        # Versions 1..n of an article whose title or text changed; none for one that never did.
        """
        CREATE TABLE article_versions (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            title TEXT,
            lead TEXT,
            text TEXT,
            modified_at TEXT,            -- as the page states it
            page_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,  -- the raw page it was read from
            score REAL,
            relevant INTEGER,
            PRIMARY KEY (article_id, version)
        )
        """,
        # Story grouping's index (storage.stories): per article its MinHash signature and its
        # weighted terms; keys (LSH bands, salient terms) with the article's time, to find the
        # candidates of a new article within the window; document frequencies for IDF
        # (the term '' counts the articles).
        """
        CREATE TABLE story_features (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            at INTEGER NOT NULL,         -- unix time: published, else first seen
            signature BLOB NOT NULL,     -- MinHash, 32-bit values
            terms TEXT NOT NULL,         -- JSON {term: weight}, unit length
            wire INTEGER NOT NULL DEFAULT 0,  -- 1 a wire service's, -1 credits one, 0 neither
            keys BLOB NOT NULL           -- its keys in story_keys, 64-bit values
        )
        """,
        # No index on article_id: an article's keys are deleted by their full primary key
        # (story_features.keys), so each key costs one B-tree, not two.
        "CREATE TABLE story_keys (key INTEGER NOT NULL, at INTEGER NOT NULL, article_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, at, article_id)) WITHOUT ROWID",
        "CREATE TABLE story_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID",
        # Revisits of stored articles on a decaying schedule, with the validators for conditional
        # requests (ETag, Last-Modified) of the article URL.
        """
        CREATE TABLE revisits (
            url TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            outlet TEXT,
            first_seen_at TEXT NOT NULL,  -- the schedule counts from here
            step INTEGER NOT NULL DEFAULT 0,  -- revisits of the schedule already done (or skipped)
            due_at TEXT,                  -- next revisit; NULL when the schedule is over
            etag TEXT,
            last_modified TEXT,
            revisits INTEGER NOT NULL DEFAULT 0,  -- requests made
            last_revisit_at TEXT,
            last_status INTEGER,
            last_result TEXT              -- not_modified, unchanged, version N, failed: why
        )
        """,
        "CREATE INDEX idx_revisits_due ON revisits(outlet, due_at) WHERE due_at IS NOT NULL",
        "ALTER TABLE crawl_runs ADD COLUMN revisits INTEGER",          # revisit requests of the run
        "ALTER TABLE crawl_runs ADD COLUMN revisits_not_modified INTEGER",
        "ALTER TABLE crawl_runs ADD COLUMN revisits_failed INTEGER",
        "ALTER TABLE crawl_runs ADD COLUMN versions_new INTEGER",      # articles that changed
        # One row per story with at least one relevant article nobody has reviewed: what the
        # reviewer works through first. The best article is the new relevant one that scores
        # highest; its evidence says why the story is here.
        """
        CREATE VIEW story_queue AS
        SELECT
            s.id AS story_id,
            s.title,
            (SELECT group_concat(value, ', ') FROM json_each(s.outlets)) AS outlets,
            s.article_count AS articles,
            q.new_relevant,
            q.updated,
            s.first_published_at,
            s.last_published_at,
            q.best_score,
            b.id AS best_article_id,
            b.title AS best_title,
            b.evidence,
            b.url AS best_url
        FROM (
            SELECT story_id, count(*) AS new_relevant, max(score) AS best_score, sum(version > 1) AS updated
            FROM articles
            WHERE relevant = 1 AND status = 'new' AND story_id IS NOT NULL
            GROUP BY story_id
        ) AS q
        JOIN stories s ON s.id = q.story_id
        JOIN articles b ON b.id = (
            SELECT id FROM articles
            WHERE story_id = q.story_id AND relevant = 1 AND status = 'new'
            ORDER BY score DESC, id LIMIT 1)
        ORDER BY s.last_published_at DESC, s.id DESC
        """,
    ])


@MIGRATIONS()
def m008_storage_scale(db: Database) -> None:
    """Raw pages in zstd with a dictionary per outlet, the ledger of ingested archives, and the
    indexes that keep pruning and the facets fast at a million articles."""
    _run(db, [
        # zstd dictionaries of raw pages (storage/pages.py), one per outlet (or host), built from
        # its first pages; a page names the one it was compressed with.
        """
        CREATE TABLE page_dicts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,           -- the outlet key, or the host of pages of no outlet
            created_at TEXT NOT NULL,
            pages INTEGER NOT NULL,      -- pages it was built from
            size INTEGER NOT NULL,       -- bytes
            sha256 TEXT NOT NULL,
            dict BLOB NOT NULL           -- a zstd raw-content dictionary
        )
        """,
        "CREATE INDEX idx_page_dicts_key ON page_dicts(key, id)",
        # body_gz keeps its name (other tools read it): zstd, gzip (before m008) or zlib, told
        # apart by the blob's first bytes.
        "ALTER TABLE pages ADD COLUMN outlet TEXT",  # its dictionary's key; NULL before m008
        "ALTER TABLE pages ADD COLUMN dict_id INTEGER REFERENCES page_dicts(id)",
        "CREATE INDEX idx_pages_outlet_dict ON pages(outlet, dict_id)",
        "CREATE INDEX idx_pages_fetched_at ON pages(fetched_at)",   # newsmon prune
        # Pages of URLs still waiting for extraction are never pruned; few, so a small index.
        "CREATE INDEX idx_urls_fetched ON urls(page_id) WHERE kind = 'fetched'",
        # The facets the desk's Datasette pages show (crawler/datasette/metadata.yaml), each
        # counted from an index alone: at a million articles 30-120 ms instead of ~1 s (bench/million).
        # outlet, status and relevant have theirs since m001.
        "CREATE INDEX idx_articles_language ON articles(language)",
        "CREATE INDEX idx_articles_topic ON articles(topic)",
        "CREATE INDEX idx_articles_published_day ON articles(date(published_at))",
        # idx_articles_queue (m005) with first_seen_at: the header's unread count reads the queue
        # from the index alone (10 ms instead of 100 at 30,000 queued), its first page as before.
        "CREATE INDEX idx_articles_queue_seen ON articles(relevant, status, "
        "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC, first_seen_at)",
        "DROP INDEX idx_articles_queue",
        # One row per archive newsmon ingest has read (a file path or URL): a re-run skips the
        # finished ones and resumes an interrupted one at resume_member/resume_offset.
        """
        CREATE TABLE ingested_archives (
            source TEXT PRIMARY KEY,     -- absolute path or URL
            size INTEGER,                -- bytes, when known
            records INTEGER NOT NULL DEFAULT 0,    -- WARC records read
            articles INTEGER NOT NULL DEFAULT 0,   -- new articles stored
            relevant INTEGER NOT NULL DEFAULT 0,   -- of those, relevant
            started_at TEXT NOT NULL,
            finished_at TEXT,            -- NULL: interrupted; the next run resumes it
            resume_member TEXT,          -- the WARC inside a WACZ reading resumes in
            resume_offset INTEGER NOT NULL DEFAULT 0,  -- every record before this byte is stored
            stopped TEXT                 -- read only in part: where reading stopped, and why
        )
        """,
    ])


@MIGRATIONS()
def m009_primary_sources(db: Database) -> None:
    """Articles of the policy's primary sources (Ministry of Defense, Prime Minister's Office)
    marked, so that the review queue shows them apart from the news outlets' articles."""
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
        first_seen_at,
        primary_source
    """
    order = ("ORDER BY relevance_p IS NULL, relevance_p DESC, "
             "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC")
    _run(db, [
        # 1: the outlet is a primary source (crawler.outlets.Outlet.primary_source) when stored.
        "ALTER TABLE articles ADD COLUMN primary_source INTEGER NOT NULL DEFAULT 0",
        # The built-in primary sources when this migration was written; later articles are marked
        # by the store path from the outlet registry.
        "UPDATE articles SET primary_source = 1 WHERE outlet IN ('mod', 'mod_en', 'kantei', 'kantei_en')",
        "DROP VIEW review_queue",
        f"""
        CREATE VIEW review_queue AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        {order}
        """,
        "DROP VIEW maybe_missed",
        f"""
        CREATE VIEW maybe_missed AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 0 AND status = 'new' AND relevance_flag = 'maybe-missed'
        {order}
        """,
    ])


@MIGRATIONS()
def m010_queue_order(db: Database) -> None:
    """The review queue read in its own order from an index, with each article's story.

    m006 put the classifier's probability first in the queue's order, which
    ``idx_articles_queue_seen`` (m008) does not have: every read of the queue sorted it (20 ms
    at 10,000 queued for the whole queue, 16 ms for its first page). The new index is that order
    (the view's ORDER BY, term for term: the planner uses it only then), then ``first_seen_at``
    (the header's unread count) and ``story_id`` (the desk groups the queue by story, now a
    column of both views): both are read from the index alone. ``maybe_missed`` gets a partial
    index of its few rows: counting it otherwise reads every unqueued article (1.2 s at a
    million).
    """
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
        first_seen_at,
        primary_source,
        story_id
    """
    order_terms = ("relevance_p IS NULL, relevance_p DESC, "
                   "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC")
    _run(db, [
        # relevance_p and published_at again as themselves: columns inside the order's
        # expressions do not count for SQLite's covering check.
        f"CREATE INDEX idx_articles_queue_order ON articles(relevant, status, {order_terms}, first_seen_at, "
        "story_id, relevance_p, published_at)",
        "DROP INDEX idx_articles_queue_seen",
        # relevance_flag among the equalities: the planner prefers this index to the one above.
        f"CREATE INDEX idx_articles_maybe_missed ON articles(relevant, status, relevance_flag, {order_terms}) "
        "WHERE relevance_flag = 'maybe-missed'",
        "DROP VIEW review_queue",
        f"""
        CREATE VIEW review_queue AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        ORDER BY {order_terms}
        """,
        "DROP VIEW maybe_missed",
        f"""
        CREATE VIEW maybe_missed AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 0 AND status = 'new' AND relevance_flag = 'maybe-missed'
        ORDER BY {order_terms}
        """,
    ])


@MIGRATIONS()
def m011_blocked_since(db: Database) -> None:
    """When a blocked URL met its first wall: it is given up on a week after that, not a week
    after it was discovered (a URL that waited in the backlog was given up on at its first wall)."""
    _run(db, [
        "ALTER TABLE urls ADD COLUMN blocked_since TEXT",
        # URLs blocked now: their week counted from discovery until this migration, and still does.
        "UPDATE urls SET blocked_since = first_seen_at WHERE kind = 'blocked'",
    ])


@MIGRATIONS()
def m012_published_day(db: Database) -> None:
    """The day of publication in Japan as a column of its own, for the facet by day.

    Datasette's ``date: published_at`` facet groups by ``date(published_at)``: the UTC day (an
    article published at 08:00 in Tokyo counted on the day before) and, at a million articles,
    107-146 ms from the expression index of m008, which SQLite 3.40 does not read as covering
    (it fetched every row). A plain indexed column is counted from its index alone: 62 ms at a
    million (bench/million). Triggers keep it, so every writer (crawl, ingest, reextract, a
    reviewer in DB Browser) gets it without knowing.
    """
    columns = """
        id,
        published_at,
        published_day,
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
        first_seen_at,
        primary_source,
        story_id
    """
    order_terms = ("relevance_p IS NULL, relevance_p DESC, "
                   "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC")
    # '+9 hours' after date()'s conversion to UTC: Japan has no daylight saving time.
    day = "date({}.published_at, '+9 hours')"
    _run(db, [
        "ALTER TABLE articles ADD COLUMN published_day TEXT",
        f"UPDATE articles SET published_day = {day.format('articles')} WHERE published_at IS NOT NULL",
        f"""
        CREATE TRIGGER articles_published_day_insert AFTER INSERT ON articles
        WHEN new.published_at IS NOT NULL
        BEGIN
            UPDATE articles SET published_day = {day.format('new')} WHERE id = new.id;
        END
        """,
        f"""
        CREATE TRIGGER articles_published_day_update AFTER UPDATE OF published_at ON articles
        BEGIN
            UPDATE articles SET published_day = {day.format('new')} WHERE id = new.id;
        END
        """,
        "CREATE INDEX idx_articles_day ON articles(published_day)",
        "DROP INDEX idx_articles_published_day",
        "DROP VIEW review_queue",
        f"""
        CREATE VIEW review_queue AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 1 AND status = 'new'
        ORDER BY {order_terms}
        """,
        "DROP VIEW maybe_missed",
        f"""
        CREATE VIEW maybe_missed AS
        SELECT {columns}
        FROM articles
        WHERE relevant = 0 AND status = 'new' AND relevance_flag = 'maybe-missed'
        ORDER BY {order_terms}
        """,
    ])


@MIGRATIONS()
def m013_page_series(db: Database) -> None:
    """Pages 2, 3 … of an article split over several (``crawler.pagination``): each is kept, raw,
    with ``part_of`` the id of the first page fetched with it, so that ``reextract`` reads the
    article from all of them again, not from its first page alone. A next page that could not
    be read (``reason_code`` ``page_missing``) has its article revisited, relevant or not: the
    partial index finds those few."""
    _run(db, [
        "ALTER TABLE pages ADD COLUMN part_of INTEGER",
        "CREATE INDEX idx_pages_part_of ON pages(part_of) WHERE part_of IS NOT NULL",
        "CREATE INDEX idx_urls_page_missing ON urls(article_id) WHERE reason_code = 'page_missing'",
    ])


@MIGRATIONS()
def m014_zstd_offsets(db: Database) -> None:
    """The ledger's offsets into a WARC.zst written a frame per record (ArchiveTeam's) count the
    file's bytes, as a WARC.gz's do, now that its parts are byte ranges read by several workers;
    they counted what it decompresses to. One left unfinished is read again from its start: what
    was stored then is seen again, not stored twice."""
    _run(db, [
        "UPDATE ingested_archives SET resume_offset = 0, resume_member = NULL, records = 0 "
        "WHERE instr(lower(source), '.zst') > 0 AND resume_offset > 0 "
        "AND (finished_at IS NULL OR stopped IS NOT NULL)",
    ])


@MIGRATIONS()
def m015_outlet_lags(db: Database) -> None:
    """How late each run found its outlet's new articles (``storage.health.run_lags``): a JSON
    list of ``[publication to discovery, discovery to storage, missed]`` per article, seconds,
    for the ``late`` and ``dates`` health checks and ``newsmon status``. Runs before it have none."""
    _run(db, ["ALTER TABLE outlet_runs ADD COLUMN lags TEXT"])


@MIGRATIONS()
def m016_removed_articles(db: Database) -> None:
    """An article its outlet took down after newsmon stored it: a revisit answered 404 or 410, or
    found the page reduced to a short notice ("この記事は削除しました"). ``removed_at``: when
    first seen so; ``removed``: what was seen; ``removed_run``: the crawl run that saw it (whose
    digest tells it). The article keeps its text, score and place in the queue; a revisit that
    finds it whole again clears the three."""
    _run(db, ["ALTER TABLE articles ADD COLUMN removed_at TEXT",
              "ALTER TABLE articles ADD COLUMN removed TEXT",
              "ALTER TABLE articles ADD COLUMN removed_run INTEGER",
              # The few removed ones, for the digest and `newsmon status`: the columns come after
              # the text, which a scan of a million articles would read through.
              "CREATE INDEX idx_articles_removed ON articles(removed_at, removed_run) WHERE removed_at IS NOT NULL"])


@MIGRATIONS()
def m017_queued_since(db: Database) -> None:
    """The queued articles by when they entered the queue (``relevant_since``): the desk counts
    as unread those made relevant since the reviewer's last visit (an update of their text, a
    ``newsmon rescore`` under new topics), not only those first seen since. Partial: the queue's
    rows only."""
    _run(db, ["CREATE INDEX idx_articles_queued_since ON articles(relevant_since, first_seen_at) "
              "WHERE relevant = 1 AND status = 'new'"])


@MIGRATIONS()
def m018_discovery_known(db: Database) -> None:
    """How many of a feed's article URLs were seen before the run that read it: none, of a feed
    read before, and it turned over since, maybe dropping articles newsmon never saw (outlet
    health's ``overflow``). Rows before it have none."""
    _run(db, ["ALTER TABLE discovery ADD COLUMN known INTEGER"])


@MIGRATIONS()
def m019_discovery_pace(db: Database) -> None:
    """The newest entry of a feed (or Google News sitemap) when it was read, and the seconds
    between its entries: a feed that lists nothing new for many times that, while its outlet
    publishes, is frozen or has moved (outlet health's ``stale``). Rows before it have none."""
    _run(db, ["ALTER TABLE discovery ADD COLUMN newest_entry TEXT",
              "ALTER TABLE discovery ADD COLUMN entry_interval INTEGER"])


@MIGRATIONS()
def m020_feed_read_at(db: Database) -> None:
    """When a feed was last read whole (a 200), apart from its 304s: a server whose validators
    say "not modified" while its feed changes hides every new entry, so a feed that has answered
    304 for ``NEWSMON_FULL_READ_AFTER`` is read once without them. Rows before it have none, and
    are read whole at their next fetch."""
    _run(db, ["ALTER TABLE feed_state ADD COLUMN read_at TEXT"])


@MIGRATIONS()
def m021_updated_after_review(db: Database) -> None:
    """The articles a reviewer marked relevant or follow-up that their outlet changed after the
    decision (a new version since ``reviewed_at``): the desk's "Updated" list, read from this
    partial index at any size."""
    _run(db, ["CREATE INDEX idx_articles_updated_after_review ON articles(updated_at) "
              "WHERE status IN ('relevant', 'follow-up') AND updated_at > reviewed_at"])


@MIGRATIONS()
def m022_sitemap_state(db: Database) -> None:
    """What a sitemap was when it was last read whole: the child sitemaps of an index
    (``children``), asked for when it answers 304 (a static file whose children a CMS rewrites);
    whether it is a Google News sitemap (``news``), read whole now and then as a feed is
    (``NEWSMON_FULL_READ_AFTER``). The validators of the sitemaps read before it are dropped, so
    that each is read whole once and says what it is."""
    _run(db, ["ALTER TABLE feed_state ADD COLUMN children TEXT",
              "ALTER TABLE feed_state ADD COLUMN news INTEGER",
              "UPDATE feed_state SET etag = NULL, last_modified = NULL "
              "WHERE url IN (SELECT url FROM discovery WHERE kind = 'sitemap')"])


@MIGRATIONS()
def m023_sitemap_lastmods(db: Database) -> None:
    """What lets an archive sitemap rest: the ``<lastmod>`` its index gave it when it was last
    fetched (``index_lastmod``), and when it last listed an article URL not seen before
    (``listed_new_at``; its first fetch since counts as one). One that has listed nothing new
    for two days, its lastmod unchanged, is asked for once a ``NEWSMON_SITEMAP_RECHECK``, not
    every run (an index of 300 monthly archives cost 300 requests a run, ahead of every
    article). ``lastmods_lie``: why an index's lastmods are not believed any more (a child listed
    new articles while its lastmod stood still); all its children are then asked for every run."""
    _run(db, ["ALTER TABLE feed_state ADD COLUMN index_lastmod TEXT",
              "ALTER TABLE feed_state ADD COLUMN listed_new_at TEXT",
              "ALTER TABLE feed_state ADD COLUMN lastmods_lie TEXT"])


@MIGRATIONS()
def m024_revisit_prompts(db: Database) -> None:
    """Why a stored article is read again before its schedule says (``prompted``: a feed or
    news sitemap dated its entry after newsmon last read it, an update), and the entry date
    that did (``listed_date``: the same date does not prompt twice). Revisited whatever its
    relevance, as the update may be what makes it relevant."""
    _run(db, ["ALTER TABLE revisits ADD COLUMN prompted TEXT",
              "ALTER TABLE revisits ADD COLUMN listed_date TEXT",
              # Read for every stored article a dated feed lists, every run.
              "CREATE INDEX idx_revisits_article ON revisits(article_id)"])


@MIGRATIONS()
def m025_discovery_unlinked(db: Database) -> None:
    """How many of a feed's entries gave no URL at all (no link, no permalink guid): a template
    that moved its items' links where no reader looks loses their articles while the feed reads
    "ok" (outlet health's ``unlinked``). Rows before it have none."""
    _run(db, ["ALTER TABLE discovery ADD COLUMN unlinked INTEGER"])


@MIGRATIONS()
def m026_outlet_runs_paywalled(db: Database) -> None:
    """How many of a run's new articles of an outlet were a paywall's teaser only: a jump in
    their share is an outlet that now serves its pages cut short (outlet health's
    ``paywalled``), where every count else reads well. NULL for the runs before it, which did
    not count them: taken for none, they made every outlet's usual share 0 %."""
    _run(db, ["ALTER TABLE outlet_runs ADD COLUMN paywalled INTEGER"])


@MIGRATIONS()
def m027_article_extraction(db: Database) -> None:
    """Which newsmon extraction read each article (``crawler.article.EXTRACTION_VERSION``), or
    went over it in a ``newsmon reextract``: articles an older one read keep the text it gave
    (a reading that has since improved: a line of furniture, a name cut in two by its reading)
    until a reextract, which ``newsmon status`` asks for. NULL for the articles before it."""
    _run(db, ["ALTER TABLE articles ADD COLUMN extraction INTEGER",
              "CREATE INDEX idx_articles_extraction ON articles(extraction)"])


@MIGRATIONS()
def m028_not_article_second_look(db: Database) -> None:
    """A crawl's "no article in the page" made before newsmon took a second look six hours later
    (``crawler.store.NOT_ARTICLE_RECHECK``) was final at once: a site under load that answered an
    article URL with its chrome and a line at 200 lost that article for good. Such verdicts (a
    crawl's, one look at the page, no word of a second) get their second look at the next crawl.
    An archive's (no run) stays final, as ``newsmon ingest`` makes it."""
    _run(db, ["""
        UPDATE urls SET retry_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'),
            reason = coalesce(reason, 'no article in the page') || '; looked at once more at the next crawl '
                || '(the newsmon that read it took a crawl''s first look as final: a passing error page?)'
        WHERE kind = 'not_article' AND retry_at IS NULL AND run_id IS NOT NULL
            AND coalesce(reason, '') NOT LIKE '%look found none either%'
            AND (SELECT count(*) FROM pages p WHERE p.url = urls.url) < 2
    """])


@MIGRATIONS()
def m029_listed_words(db: Database) -> None:
    """What the feed or Google News sitemap that listed an article URL said of it (its title and
    summary, ``crawler.discovery.Discovered.listed``). An article behind a wall, or whose page
    failed for days, was a URL and a reason only: nobody could tell one on the monitored topics
    from the rest. With these words ``newsmon status`` names those that are
    (``storage.frontier.unread_listed``). NULL for URLs listed before it, and for links of
    section pages, which say nothing of their articles."""
    _run(db, ["ALTER TABLE urls ADD COLUMN listed TEXT",
              "CREATE INDEX idx_urls_unread_listed ON urls(first_seen_at) "
              "WHERE kind IN ('blocked', 'gave_up') AND listed IS NOT NULL"])


@MIGRATIONS()
def m030_listed_reads(db: Database) -> None:
    """The articles on the topics newsmon could not read that a reviewer has read at the outlet
    (``storage.review.read_listed``): the desk lists such articles above the queue for the week a
    wall is waited out, and without a record of who read which, each stayed there, unread as far
    as anyone could tell, read or not. One row per URL: the first reviewer to say so, and when."""
    _run(db, ["""
        CREATE TABLE listed_reads (
            url TEXT PRIMARY KEY,            -- urls.url
            read_by TEXT,
            read_at TEXT NOT NULL
        )
    """])


@MIGRATIONS()
def m031_not_read_kinds(db: Database) -> None:
    """The URLs whose article newsmon did not read are named by their listed words whatever kept
    it from them, not only a wall or a give-up: a page in which no article was found, one gone
    before it was read, one refused (an article URL pattern that no longer takes the outlet's
    URLs; robots.txt). A feed's article on the topics lost to any of these was a URL and a reason
    among thousands. m029's partial index, over the new states (``storage.frontier.NOT_READ``)."""
    _run(db, ["DROP INDEX IF EXISTS idx_urls_unread_listed",
              "CREATE INDEX idx_urls_unread_listed ON urls(first_seen_at) "
              "WHERE kind IN ('blocked', 'gave_up', 'not_article', 'gone', 'refused') AND listed IS NOT NULL"])


@MIGRATIONS()
def m032_archive_head(db: Database) -> None:
    """What tells an archive from another at the same path or URL (``archives.Source.head``): a
    file replaced by another archive of the same name, larger, was resumed at the old one's
    offset, "read" as a damaged file and called finished, none of its records stored. NULL for
    archives read before it: taken as the same."""
    _run(db, ["ALTER TABLE ingested_archives ADD COLUMN head TEXT"])


@MIGRATIONS()
def m033_runs_by_start(db: Database) -> None:
    """The crawl runs in the order they started (``storage.health._run_of``): an outlet's last
    run is the last started, not the last recorded, as the runs ``newsmon schedule`` records
    once its database can be written again come after the run that got through. Sorted
    without it, 40,000 runs (a year) took 19 ms an outlet for ``newsmon status`` and the desk."""
    _run(db, ["CREATE INDEX idx_crawl_runs_started ON crawl_runs(started_at)"])


@MIGRATIONS()
def m034_health_lookups(db: Database) -> None:
    """What each crawl and each health check now read, by index: the URLs an article URL pattern
    refused, read back once it takes them (``frontier.readmit``: every outlet, every run); an
    outlet's URLs by when they were first listed (``health.unmatched``, over the week and over
    its last runs); a run's deliveries (``notifications.missed_health_changes``). Without them a
    reviewer measured 0.09 s and 0.075 s an outlet a run at 400,000 URLs, and a scan of the
    notifications table per change looked at."""
    _run(db, ["CREATE INDEX idx_urls_pattern_refused ON urls(outlet) "
              "WHERE reason_code IN ('not_article_url', 'redirected_away')",
              "CREATE INDEX idx_urls_outlet_seen ON urls(outlet, first_seen_at)",
              "CREATE INDEX idx_notifications_run ON notifications(run_id, ok)"])


@MIGRATIONS()
def m035_stand_in_links(db: Database) -> None:
    """The URLs an archive held only as a revisit record or as a redirect to another article URL
    (``frontier.STAND_INS``), by the capture they wait for: an ingest that stores that capture
    makes them its article's addresses. The link was in the ingest's memory only, so a capture
    a later ingest stored left them saying it "was not ingested", and a crawl fetched them. The
    stand-ins recorded before it have no link (``redirected_to`` NULL): they stay errors."""
    _run(db, ["CREATE INDEX idx_urls_stand_ins ON urls(redirected_to) "
              "WHERE kind = 'error' AND reason_code IN ('revisit', 'redirect')"])


@MIGRATIONS()
def m036_page_captures(db: Database) -> None:
    """When the archive's crawler fetched a page an ingest read (its ``WARC-Date``); NULL for a
    crawl's page, fetched when it was stored (``fetched_at``). A later capture of an archived
    article with another text was counted "seen" and dropped: the change of wording a backfill
    is read for was lost. It is now a version of the article, placed among its versions by this
    time, whatever order the archives are read in (``storage.versions.chain``)."""
    _run(db, ["ALTER TABLE pages ADD COLUMN captured_at TEXT"])


@MIGRATIONS()
def m037_off_scope_urls(db: Database) -> None:
    """The URLs refused as out of the scope of the outlet that listed them, which each crawl reads
    (``frontier.readmit_in_scope``): an outlet whose domains take one, now or since, fetches it."""
    _run(db, ["CREATE INDEX idx_urls_off_scope ON urls(outlet) WHERE kind = 'refused' AND reason_code = 'off_scope'"])


@MIGRATIONS()
def m038_article_sightings(db: Database) -> None:
    """Each dated capture an ingest read of a stored article (``WARC-Date``, its text's content
    hash), whether it made a version or not. A version was placed among the others by the captures
    read before it only: a text taken back (versions A, B, then A again) lost its second A when
    that capture was read before B's, as the one in effect then (3 of 8 reading orders). The
    versions are now the runs of one text in the sightings and the versions' own captures, in
    time order (``storage.versions.chain``), whatever order the archives are read in."""
    _run(db, ["CREATE TABLE article_sightings (article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
              "captured_at TEXT NOT NULL, content_hash TEXT NOT NULL, "
              "PRIMARY KEY (article_id, captured_at, content_hash)) WITHOUT ROWID"])


@MIGRATIONS()
def m039_discovery_retry_at(db: Database) -> None:
    """When a feed, sitemap or section may be asked for again, where its site answered 429 or 503
    with a Retry-After longer than a crawl waits. Only article URLs kept it (``urls.retry_at``):
    a feed whose site asked for two hours was asked again at the next run, 15 minutes on, and at
    every run after. Each run that does not ask for it records so, carrying the time forward."""
    _run(db, ["ALTER TABLE discovery ADD COLUMN retry_at TEXT"])


@MIGRATIONS()
def m040_redirect_off_scope_targets(db: Database) -> None:
    """Where each URL refused as redirected off its outlet's domains (``redirect_off_scope``) was
    sent, read off its reason's redirect chain (``… → target``) into ``redirected_to``, as a crawl
    now keeps it: each crawl readmits those whose target its outlet's domains have come to take
    (``frontier.readmit_redirected_off``), and an outlet whose articles moved to a host since
    added fetches them."""
    rows = db.execute("SELECT url, reason FROM urls WHERE kind = 'refused' AND reason_code = 'redirect_off_scope' "
                      "AND redirected_to IS NULL").fetchall()
    for url, reason in rows:
        target = (reason or "").rsplit(" → ", 1)[-1].strip() if " → " in (reason or "") else ""
        if target.startswith(("http://", "https://")):
            db.execute("UPDATE urls SET redirected_to = ? WHERE url = ?", [target, url])


@MIGRATIONS()
def m041_outlet_runs_garbled(db: Database) -> None:
    """How many of a run's new articles of an outlet read as bytes decoded with the wrong codec
    (outlet health's ``garbled``): stored so, each scored 0 and left the queue while the outlet
    read "ok". NULL for the runs before it, which did not count them."""
    _run(db, ["ALTER TABLE outlet_runs ADD COLUMN garbled INTEGER"])


@MIGRATIONS()
def m042_health_log_resolved(db: Database) -> None:
    """The reasons a health change told as ended within the status (``health.update_health``,
    JSON ``[{code, message}]``; NULL: none), so that the next digest delivered tells them when
    none of the run's was (``notifications.missed_health_changes``)."""
    _run(db, ["ALTER TABLE health_log ADD COLUMN resolved TEXT"])


@MIGRATIONS()
def m043_health_log_told(db: Database) -> None:
    """Whether a health change was told (``health.update_health`` returned it for the run's digest: 1)
    or logged only (0: said since its status began, damped while the outlet flaps, or what its reasons
    are about changing run to run); NULL for the rows before, which did not say. A digest no channel
    delivered is told again by the next (``notifications.missed_health_changes``), and re-sent every
    row its run logged: a feed of twenty failing by turns, logged each run and told by code alone,
    came back as "degraded -> degraded" changes nobody had been told."""
    _run(db, ["ALTER TABLE health_log ADD COLUMN told INTEGER"])


@MIGRATIONS()
def m044_urls_listed_as(db: Database) -> None:
    """The AMP copy's address a feed, sitemap or section listed an article URL as (``listed_as``), which
    the crawl asks for where the URL's own address answers 404 or 410. Known only to the run that read
    the listing, it was lost once the feed rolled past the article: one read from its copy was marked
    removed by its first revisit (the copy still served it), and one whose copy failed once (a 503, a
    wall) was asked for again at its own address alone, then ``gone``. Read off the reasons of the
    URLs that named their copy before."""
    _run(db, ["ALTER TABLE urls ADD COLUMN listed_as TEXT"])
    # "read from the AMP copy it was listed as, COPY (URL answered …)", or "URL answered HTTP 404, and
    # the AMP copy it was listed as, COPY, failed too: …" (spiders.news).
    mark = "the AMP copy it was listed as, "
    rows = db.execute("SELECT url, reason FROM urls WHERE reason LIKE ?", [f"%{mark}%"]).fetchall()
    for url, reason in rows:
        copy = reason.split(mark, 1)[1].split(" ", 1)[0].removesuffix(",")
        if copy.startswith(("http://", "https://")):
            db.execute("UPDATE urls SET listed_as = ? WHERE url = ?", [copy, url])


@MIGRATIONS()
def m045_health_log_began(db: Database) -> None:
    """The rows that began a status (``previous IS NOT status``), by outlet and time: a digest looks up the one
    that began each outlet's current status (``outlet_health.since``) when it is older than its day of catch-up
    (``notifications.missed_health_changes``). By ``idx_health_log_outlet`` it read every row the outlet logged
    since, newest first: ~300 ms a digest at a year of 30 outlets degraded all year, feeds failing by turns."""
    _run(db, ["CREATE INDEX idx_health_log_began ON health_log(outlet, at) WHERE previous IS NOT status"])


@MIGRATIONS()
def m046_relevant_after_dismissal(db: Database) -> None:
    """The desk's "Updated" list by one partial index: the articles marked relevant or follow-up
    that their outlet changed after the decision (m021's), and those a reviewer dismissed that
    became relevant after it (``relevant_since``: a new version of their text, a reextract, a
    rescore under other topics). A flash dismissed as about nothing, then written by its outlet
    into an article on the documents, was in no list of the desk, though the digest told it as a
    new relevant article. Keyed by when each changed (its new version; its relevance), the order
    of the list. m021's index stays: the digest's updated articles are read from it."""
    _run(db, [
        "CREATE INDEX idx_articles_changed_after_review ON articles("
        "(CASE WHEN status = 'dismissed' THEN relevant_since ELSE updated_at END)) "
        "WHERE ((status IN ('relevant', 'follow-up') AND updated_at > reviewed_at) "
        "OR (status = 'dismissed' AND relevant = 1 AND relevant_since >= reviewed_at))",
    ])


@MIGRATIONS()
def m047_discovery_listing(db: Database) -> None:
    """A section page's own listing, apart from its sidebars (``crawler.discovery.main_listing``):
    how many article URLs it held, and how many of them were seen before the run. A page whose
    list turned over beside a ranking of articles seen yesterday had ``known`` 5, so its next page
    was not read and health never said ``overflow``. ``known`` stays the whole page's count, which
    ``stale`` reads. Rows before it, and a feed's or sitemap's, have none."""
    _run(db, ["ALTER TABLE discovery ADD COLUMN listing_urls INTEGER",
              "ALTER TABLE discovery ADD COLUMN listing_known INTEGER"])


@MIGRATIONS()
def m048_updated_in_the_second_of_the_review(db: Database) -> None:
    """The articles marked relevant or follow-up changed after their review count a version
    stored in the second of the decision, as those dismissed that became relevant did
    (``storage.review.UPDATED_AFTER_REVIEW``): times are whole seconds, and a revisit storing a
    version just after a reviewer's click, in its second, was later than the decision and in no
    list (``updated_at > reviewed_at``). The digest's index (m021's) and the desk's (m046's) are
    made again with the rule; their WHERE is the one the queries write."""
    _run(db, [
        "DROP INDEX idx_articles_updated_after_review",
        "CREATE INDEX idx_articles_updated_after_review ON articles(updated_at) "
        "WHERE status IN ('relevant', 'follow-up') AND updated_at >= reviewed_at",
        "DROP INDEX idx_articles_changed_after_review",
        "CREATE INDEX idx_articles_changed_after_review ON articles("
        "(CASE WHEN status = 'dismissed' THEN relevant_since ELSE updated_at END)) "
        "WHERE ((status IN ('relevant', 'follow-up') AND updated_at >= reviewed_at) "
        "OR (status = 'dismissed' AND relevant = 1 AND relevant_since >= reviewed_at))",
    ])


@MIGRATIONS()
def m049_health_log_notices(db: Database) -> None:
    """The rows that told a change (``told = 1``), by outlet: a digest looks up the notice that an outlet still
    flapping flaps (its last told row: the flap's changes after it are logged only) when it is older than its day of
    catch-up (``notifications._flap_notices``). By ``idx_health_log_outlet`` it read every row of the flap, newest
    first, each digest: a row a run, 8,760 at a year of hourly runs."""
    _run(db, ["CREATE INDEX idx_health_log_notices ON health_log(outlet, id) WHERE told = 1"])


@MIGRATIONS()
def m050_urls_archive_place(db: Database) -> None:
    """Of a URL only an archive sitemap listed (its old or undated entries at a first read: ``spiders.news._archived``),
    its place in that sitemap; none once a feed, a news sitemap, a section or a recent entry lists it. The backlog
    (``frontier.due_urls``) takes the day's news an earlier run left before the archive, the archive in the order its
    sitemap listed it: ordered by when they were first seen, the day's articles a first run's feed listed over
    ``NEWSMON_MAX_ARTICLES``, or a burst's, waited behind the archive read before them (50,000 at 500 a run: 100
    runs). URLs discovered before it have none, and wait as they did."""
    _run(db, ["ALTER TABLE urls ADD COLUMN archive_place INTEGER"])


@MIGRATIONS()
def m051_review_time_of_a_status_set_by_hand(db: Database) -> None:
    """A review status set outside newsmon (by hand in DB Browser or the sqlite3 shell, as the README allows) is a
    decision taken when it is written: ``reviewed_at`` is stamped then. It was left empty (or the time of the last
    decision newsmon logged), and the desk's Updated list, which counts from ``reviewed_at``
    (``storage.review.CHANGED_AFTER_REVIEW``), never listed a new version of an article marked relevant so, nor one
    dismissed so that became relevant (``updated_at >= NULL`` is never true).

    A status newsmon writes is the one its log's last row for the article sets (``storage.review``: the row first,
    then the columns): that is left alone, the time an undo gives back included. So is a ``reviewed_at`` written in
    the same statement (a shell's UPDATE that says when). ``reviewed_by`` naming the author of the last decision
    logged is cleared (the article page said the hand's status was set by them); a name typed there is kept.
    Articles reviewed by hand before this migration, with no time, take the migration's: when it noticed them."""
    now = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"  # as storage.queries.now_utc writes times
    _run(db, [
        f"""
        CREATE TRIGGER articles_status_by_hand AFTER UPDATE OF status ON articles
        WHEN new.status IS NOT old.status AND new.reviewed_at IS old.reviewed_at
            AND new.status IS NOT coalesce((SELECT to_status FROM review_log WHERE article_id = new.id
                                            ORDER BY id DESC LIMIT 1), 'new')
        BEGIN
            UPDATE articles SET reviewed_at = {now},
                reviewed_by = CASE WHEN reviewed_by IS (
                    SELECT reviewer FROM review_log WHERE article_id = new.id AND undoes IS NULL
                    AND undone_by IS NULL ORDER BY id DESC LIMIT 1) THEN NULL ELSE reviewed_by END
            WHERE id = new.id;
        END
        """,
        f"UPDATE articles SET reviewed_at = {now} WHERE reviewed_at IS NULL AND status != 'new'",
    ])


@MIGRATIONS()
def m052_pruned_pages(db: Database) -> None:
    """What ``newsmon prune`` deleted of an article's undated pages (no ``captured_at``: a crawl's, or an archive's
    capture without a usable ``WARC-Date``): their URL, size and sha256. An undated capture read again (``--force``,
    another archive holding it) is known by its bytes alone (``store.save_capture``); once its page was pruned, it was
    taken for a later capture, and each read appended its texts as versions again (A, B, then A, B, A, B)."""
    _run(db, ["CREATE TABLE pruned_pages (article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
              "url TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, "
              "PRIMARY KEY (article_id, url, size, sha256)) WITHOUT ROWID"])


@MIGRATIONS()
def m053_urls_due(db: Database) -> None:
    """The URLs an outlet's backlog may take (``frontier.due_urls``), in the order it takes them: the day's news
    first, oldest first, then the archive in its sitemap's order. By ``idx_urls_outlet_kind`` it read every URL the
    outlet ever had, articles stored long ago among them, and sorted those due in a temporary B-tree at each run;
    from this, the first ``limit`` in order, as it stops: a run's 500 over 1,000 times faster at 50,000 and 500,000
    of one outlet waiting, a first run's whole backlog twice as fast (``bench/ledger``). Its WHERE is the one the
    query writes (``frontier._may_be_due``): what may be due at some time; the query tells, of those, what is due
    now. Its 10000000 is the archive's block (``frontier.ARCHIVE_BLOCK``), written out: a
    migration is as it was run, whatever the constant becomes (another block size wants another index)."""
    _run(db, ["CREATE INDEX idx_urls_due ON urls(outlet, archive_place IS NOT NULL, archive_place / 10000000, "
              "CASE WHEN archive_place >= 10000000 THEN NULL ELSE first_seen_at END, archive_place, url) "
              "WHERE kind IN ('pending', 'error', 'blocked') "
              "OR (kind = 'refused' AND reason_code = 'robots_unavailable') "
              "OR (kind IN ('not_article', 'gave_up', 'gone') AND retry_at IS NOT NULL)"])


@MIGRATIONS()
def m054_history_lookups(db: Database) -> None:
    """Lookups of the run history that read all of it, bounded (``bench/ledger``: a year of hourly runs of 14
    outlets). The runs still open (``queries.close_stale_runs`` at every crawl's start; ``newsmon status`` and the
    desk, whether a crawl of an outlet runs): every run ever read for the one or none. Per feed, sitemap or
    section (``health.stale``, ``health.unlinked_documents``, at every outlet's check after every run): its newest
    read that dated its entries (a section never does), its reads that listed something new (those of the last
    month; its last few), its newest whole read (not a 304): each read by ``idx_discovery_url``, all of its reads
    since it was first read, 8,760 a year of hourly runs. Their WHERE is the one the queries write."""
    listed_new = ("(CASE WHEN listing_urls IS NOT NULL THEN listing_urls > listing_known "
                  "ELSE new_urls > 0 OR article_urls > known END)")
    _run(db, ["CREATE INDEX idx_crawl_runs_open ON crawl_runs(id) WHERE finished_at IS NULL",
              "CREATE INDEX idx_discovery_dated ON discovery(url, id) WHERE newest_entry IS NOT NULL",
              "CREATE INDEX idx_discovery_whole ON discovery(url, id) WHERE entries IS NOT NULL",
              f"CREATE INDEX idx_discovery_listed_new ON discovery(url, id) WHERE {listed_new}",
              f"CREATE INDEX idx_discovery_listed_since ON discovery(url, fetched_at) WHERE {listed_new}"])


@MIGRATIONS()
def m055_articles_of_the_day(db: Database) -> None:
    """The articles first seen in the last 24 hours, per outlet (``health.outlet_status``: ``newsmon status``, the
    desk's outlets page): with no index of either, every URL the ledger ever had was read, each looked up in
    articles for its time: 30 ms at 135,000 URLs, 300 ms at 1,350,000 (630,000 of them articles). From the day's
    articles on, each one's URLs: 0.2 ms and 7 ms, for 21 MB and 7 MB of index at the larger."""
    _run(db, ["CREATE INDEX idx_articles_first_seen ON articles(first_seen_at)",
              "CREATE INDEX idx_urls_article ON urls(article_id) WHERE article_id IS NOT NULL"])


@MIGRATIONS()
def m056_archive_places_by_outlet(db: Database) -> None:
    """The places archive sitemaps gave an outlet's URLs (``archive_place``), by outlet: an archive's first placement
    in a run (``frontier.archive_block``) asks for the outlet's highest. By ``idx_urls_outlet_seen`` it read every URL
    the outlet ever had, each looked up in the table: 88 ms at 500,000 of narrow rows. m053's ``idx_urls_due`` does
    not serve it: it holds only what may be due, and an archive's entries stored, refused or given up keep their
    places (a refusal read again, ``frontier.readmit``, is due in its block's order), so a block given from it alone
    could be one they hold. From this, the one entry at the end of the outlet's range; only URLs an archive placed
    are in it. And by the run that last set them (``frontier.archive_taken``, at each outlet's health check:
    whether its last day of runs asked for any of its archive): by ``idx_urls_run_id`` every URL of those runs,
    every outlet's, was read (25 hourly runs of 14 outlets at 500 each: up to 175,000); from this, those of an
    archive alone."""
    _run(db, ["CREATE INDEX idx_urls_archive_place ON urls(outlet, archive_place) WHERE archive_place IS NOT NULL",
              "CREATE INDEX idx_urls_archive_run ON urls(run_id) WHERE archive_place IS NOT NULL"])


@MIGRATIONS()
def m057_notified_health_changes(db: Database) -> None:
    """The health changes a delivered digest told as missed (``health_changes_missed``), as ``notified_articles`` its
    articles: no later digest tells them again (``notifications.missed_health_changes``). A retirement is told by the
    next digest delivered, of any run: one of a later run sent after it was logged was taken as having told it, by
    times of whole seconds taken as the digest began (``sent_at``). One sent in the second of the retirement, or built
    for longer than a second before it read the retirement, had told it, and the next digest told it again. The
    retirements that rule took as told are taken so still."""
    _run(db, ["CREATE TABLE notified_health_changes (health_log_id INTEGER PRIMARY KEY REFERENCES health_log(id) "
              "ON DELETE CASCADE, run_id INTEGER, notified_at TEXT NOT NULL)",
              "INSERT INTO notified_health_changes (health_log_id, run_id, notified_at) "
              "SELECT h.id, n.run_id, n.sent_at FROM health_log h JOIN notifications n ON n.id = ("
              "SELECT m.id FROM notifications m WHERE m.ok = 1 AND m.run_id > h.run_id AND m.sent_at > h.at "
              "ORDER BY m.sent_at, m.id LIMIT 1) WHERE h.status = 'retired'"])


@MIGRATIONS()
def m058_retirements_told_by_their_runs(db: Database) -> None:
    """The retirements a delivered digest of the run they were logged under was taken as having told, kept as told
    (``notified_health_changes``, as its digest now keeps them): any digest of that run was taken so, and the second
    one the daemon sends of a run another crawl checked as killed first (``health.record_lost_run``) did not hold
    it, which left it told by none. Those are told so still, as that rule took them; one of them not kept so would
    be told again by the next digest, as a retirement no digest delivered."""
    _run(db, ["INSERT OR IGNORE INTO notified_health_changes (health_log_id, run_id, notified_at) "
              "SELECT h.id, n.run_id, n.sent_at FROM health_log h JOIN notifications n ON n.id = ("
              "SELECT m.id FROM notifications m WHERE m.ok = 1 AND m.run_id = h.run_id ORDER BY m.id LIMIT 1) "
              "WHERE h.status = 'retired'"])


@MIGRATIONS()
def m059_page_references(db: Database) -> None:
    """What names a raw page, by the page: each page ``newsmon prune`` deleted had SQLite read every version there
    is to find its own (``article_versions.page_id``, a foreign key of ``pages``, ON DELETE SET NULL), and each
    batch of 500 every URL of the ledger to find those naming one of its pages (``urls.page_id``): a prune's time
    grew with the pages it deletes times the versions and the URLs stored. 100,000 pages of as many articles, a
    tenth with two versions, beside 400,000 URLs without a page: 221 s before, 20 s after, of which 14 s the sha256
    of each undated page's body, decompressed (``pruned_pages``: no stored value is that hash)."""
    _run(db, ["CREATE INDEX idx_article_versions_page ON article_versions(page_id) WHERE page_id IS NOT NULL",
              "CREATE INDEX idx_urls_page ON urls(page_id) WHERE page_id IS NOT NULL"])


@MIGRATIONS()
def m060_health_changes_told_by_their_digests(db: Database) -> None:
    """The health changes a delivered digest was taken as having told, kept as told (``notified_health_changes``), as
    a digest now keeps those it holds, its run's own and those it tells as missed: a change was taken as told by any
    delivered digest of a run of its outlet since its own, and the daemon's digest of a run another crawl had checked
    as killed first (``health.record_lost_run``) did not hold the change that check logged under its id: no digest
    ever said the outlet began failing. Those are told so still, as that rule took them, each by the first such
    digest; one not kept so would be told again by the next digest of its outlet. A change no delivered digest of its
    outlet's runs followed is left to the next one, as that rule left it. Each outlet's delivered digests first, a row
    each, in a temporary table with an index (one pass over the digests), each change's first one lookup of it: sought
    among all digests, each read for its run's outlets, a change read every digest from its run to its outlet's next,
    30 s at a year of hourly runs of an outlet a config without [notify] crawled and the one with it crawled only the
    day before; 0.5 s so, and 1.4 s at 8,800 changes and 105,600 digests (0.7 s sought)."""
    outlets = "json_each(CASE WHEN json_valid(r.outlets) THEN r.outlets ELSE '[]' END)"
    _run(db, [f"""CREATE TEMP TABLE m060_digests AS SELECT j.value AS outlet, n.run_id, n.id, n.sent_at
                  FROM notifications n JOIN crawl_runs r ON r.id = n.run_id, {outlets} j WHERE n.ok = 1""",
              "CREATE INDEX temp.m060_digests_of_outlet ON m060_digests(outlet, run_id, id)",
              """INSERT OR IGNORE INTO notified_health_changes (health_log_id, run_id, notified_at)
                 SELECT h.id, d.run_id, d.sent_at FROM health_log h JOIN m060_digests d ON d.rowid = (
                     SELECT rowid FROM m060_digests WHERE outlet = h.outlet AND run_id >= h.run_id
                     ORDER BY run_id, id LIMIT 1)
                 WHERE coalesce(h.told, 1) = 1 AND NOT (h.previous IS NULL AND h.status = 'ok')""",
              "DROP TABLE temp.m060_digests"])


@MIGRATIONS()
def m061_own_listing_lookups(db: Database) -> None:
    """A section page's newest read whose own listing listed an article URL (``frontier.last_listing``'s ``own``,
    ``frontier.own_listing_noted``), asked at each read of a page whose links are all in boxes of other articles:
    by ``idx_discovery_url`` every read of the page was walked back to that one, and a page so designed from its
    first read has none, so all of them were, every run (5,000 reads of one section: 35,000 SQLite VM steps and
    2 ms a lookup; from this, about 20 and 0.02 ms, as at 50 reads)."""
    _run(db, ["CREATE INDEX idx_discovery_own_listing ON discovery(url, id) WHERE listing_urls > 0"])
