"""The one path from a fetched page to a stored article: extract, score, store, group.

The crawl pipeline, ``newsmon ingest`` (web archives) and ``newsmon reextract`` (stored raw
pages) all go through here, so an article is the same whichever way it arrived: stored once,
placed in a story (``storage.stories``), its versions kept when its text changes
(``storage.versions``), and, when the crawl fetched it, its revisits planned.

``analyse`` is pure and picklable, for worker processes (it also computes the story features,
so that the crawl's reactor only looks them up); ``save`` writes one page and its article in
one transaction, so a process killed at any moment leaves either both or neither.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from storage import frontier, open_db, queries, transaction
from storage.db import BUSY_TIMEOUT_SECONDS, landed, set_busy_timeout
from storage.exceptions import ArticleNotFound, DatabaseUnwritable
from storage import stories as story_db
from storage import versions
from storage.pages import Compressed, decompress as page_bytes, read_before
from storage.review import renumber_notes

from . import pagination, stories
from .article import EXTRACTION_VERSION, Article
from .config import Config, ConfigError, load_config, parse_duration
from .encoding import charset_of
from .extract import extract_article
from .outcome import Problem, exhausted_state, redirect_chain
from .outlets import Outlet, ascii_host, outlet_for_url
from .scoring import TermMatch, Topic, best, load_topics, score_article
from .urls import KnownHosts, canonical_url
from .workers import die_with_parent, sigint_held

logger = logging.getLogger(__name__)

# Per process: each config file, read once, and its topics, compiled once where something is
# scored (0.1 s that the crawl process and the ingest writer, which only store, need not spend).
_CONFIGS: dict[str | None, Config] = {}
_TOPICS: dict[str | None, dict[str, Topic]] = {}


def config_of(config_path: str | None) -> Config:
    """The config file, read once per process (``ConfigError`` each time while it cannot be)."""
    if config_path not in _CONFIGS:
        _CONFIGS[config_path] = load_config(config_path)
    return _CONFIGS[config_path]


def outlets_of(config_path: str | None) -> dict[str, Outlet]:
    """The outlets of a config file, built-in ones included (cached per process)."""
    return config_of(config_path).outlets


def context(config_path: str | None) -> tuple[dict[str, Outlet], dict[str, Topic]]:
    """The outlets and topics for a config file (cached per process)."""
    if config_path not in _TOPICS:
        _TOPICS[config_path] = load_topics(overrides=config_of(config_path).topics or None)
    return outlets_of(config_path), _TOPICS[config_path]


def watch_parent(pid: int, ignored: tuple[signal.Signals, ...] = (signal.SIGINT,)) -> None:
    """Extraction-worker initializer: exit once the crawl process that started us is gone.

    A crawl killed with SIGKILL cannot shut its pool down, and a worker blocked on its queue
    would otherwise live on (holding memory, and the forkserver with it). ``ignored``: the
    signals sent to the whole process group that are the parent's to act on (``workers.STOP_SIGNALS`` for a crawl's).
    """

    # Ctrl-C reaches the whole process group: the parent stops its workers (its pool's shutdown),
    # and a worker that took it for itself died with a traceback apiece, mid-batch. One pressed
    # while the worker started waits blocked (``sigint_held``) and goes with the unblocking.
    # SIGTERM is left to kill a rescore's workers (their batches are the parent's to store, and it stops
    # without waiting for them), not a crawl's (``workers.crawl_workers``).
    for signum in ignored:
        signal.signal(signum, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(ignored))
    # The kernel's word first: the thread below needs the GIL, which a page in C may hold for minutes.
    parent = os.getppid()
    die_with_parent()

    def watch() -> None:
        # Also where the kernel cannot be asked. A parent that is gone leaves us another (not fooled by a pid used
        # again, as ``os.kill`` is); checked at once too: a page that holds the GIL may come straight after.
        while True:
            try:
                if os.getppid() != parent:
                    os._exit(0)
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            time.sleep(1.0)

    threading.Thread(target=watch, name="newsmon-parent-watch", daemon=True).start()


def crawler_db(crawler):
    """The database connection of one crawl, shared by its components (spider, pipeline,
    middlewares, run ledger): they all run in the reactor thread, and one connection is one
    set of prepared statements and one WAL reader instead of four."""
    db = getattr(crawler, "_newsmon_db", None)
    if db is None:
        db = open_db(crawler.settings.get("NEWSMON_DB"), busy_timeout=busy_timeout(crawler))
        crawler._newsmon_db = db
    return db


def close_crawler_db(crawler) -> None:
    """Close the crawl's connection (``crawler_db``), if it opened one, once its process has
    returned from ``CrawlerProcess.start``: its components still write while the engine stops
    (the run ledger's end, after a SIGTERM too), in no set order with any signal of Scrapy's."""
    if (db := getattr(crawler, "_newsmon_db", None)) is not None:
        db.conn.close()


def busy_timeout(crawler) -> float:
    return crawler.settings.getfloat("NEWSMON_DB_BUSY_TIMEOUT", BUSY_TIMEOUT_SECONDS)


def database_unwritable(crawler, exc: DatabaseUnwritable) -> None:
    """The crawl's database cannot be written (another process's lock held past the busy
    timeout, a full disk, a read-only file): the crawl stops.

    Every page would fail the same way, each after the busy timeout with the reactor blocked
    meanwhile: the crawl closes (its finish reason is ``exc.code``: ``database_locked``,
    ``database_full``, ``database_unwritable``), and its connection stops waiting, so the writes
    already under way fail at once. Nothing is lost: a URL whose page was not stored keeps its
    state and the next run fetches it; the run ledger tries once more as it closes.
    """
    crawler.stats.inc_value("newsmon/database_unwritable")
    if crawler.stats.get_value("newsmon/database_unwritable") > 1:
        return
    logger.error("newsmon: %s; this crawl stops: the pages it has not stored are fetched by the next run", exc)
    set_busy_timeout(crawler_db(crawler), 0)
    engine, spider = crawler.engine, crawler.spider
    if engine is None or spider is None:
        return
    from scrapy.utils.defer import deferred_from_coro

    close = getattr(engine, "close_spider_async", None)  # Scrapy 2.14 and later
    if close is not None:
        deferred_from_coro(close(reason=exc.code))
    else:
        engine.close_spider(spider, exc.code)


def write_again(crawler) -> bool:
    """After ``database_unwritable``: let the crawl's writes wait again, for what it closes
    with. ``False`` when its database was writable all along."""
    if not crawler.stats.get_value("newsmon/database_unwritable"):
        return False
    set_busy_timeout(crawler_db(crawler), busy_timeout(crawler))
    return True


_DAMPED: dict[str | None, frozenset[str]] = {}


def damped_tokens(config_path: str | None) -> frozenset[str]:
    """The tokens of the config's topic terms, which weigh less in story features (cached)."""
    if config_path not in _DAMPED:
        _, topics = context(config_path)
        _DAMPED[config_path] = stories.topic_tokens(stories.topic_phrases(topics))
    return _DAMPED[config_path]


#: When revisits of a stored article are due, after it was first seen (``[revisit] after``).
DEFAULT_REVISIT_AFTER = ("1h", "6h", "24h", "72h")
_REVISIT_ARTICLES = ("relevant", "all")


@dataclass(frozen=True)
class Options:
    """What the store does besides storing: group articles into stories, plan revisits.

    ``options()`` reads them from the config file's ``[stories]`` and ``[revisit]`` tables and
    the settings that override those (``NEWSMON_STORY_WINDOW``, ``NEWSMON_REVISIT_AFTER``,
    ``NEWSMON_REVISIT_ARTICLES``, ``NEWSMON_STORIES_ENABLED``).
    """

    #: Place new articles into stories (off: ``newsmon regroup`` does it later).
    stories: bool = True
    #: Seconds around an article's time within which its story's articles lie.
    window: int = story_db.DEFAULT_WINDOW
    #: Seconds after first seen at which a crawled article is fetched again; empty: never.
    revisit_after: tuple[float, ...] = (3600.0, 6 * 3600.0, 24 * 3600.0, 72 * 3600.0)
    #: Revisit every article, not only the relevant ones.
    revisit_all: bool = False
    #: Tokens that weigh less in features computed in this process; ``None``: those of
    #: ``config_path``'s topics (``damped_tokens``), loaded when first needed. A crawl's workers
    #: compute the features of its pages, so the crawl process needs them only for a page stored
    #: without them, and compiling the topics was 0.1 s of its start.
    damping: frozenset[str] | None = field(default=frozenset(), repr=False)
    config_path: str | None = field(default=None, repr=False)

    @property
    def damped(self) -> frozenset[str]:
        return damped_tokens(self.config_path) if self.damping is None else self.damping


def _durations(values, where: str) -> tuple[float, ...]:
    if isinstance(values, str):
        values = [] if values.strip().lower() in ("", "off", "none", "never") else values.split(",")
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"{where} must be a list of durations, e.g. [\"1h\", \"6h\", \"24h\", \"72h\"]")
    out = sorted(parse_duration(v, where, allow_zero=True) for v in values)
    return tuple(out)


def options(config_path: str | None, *, window: str | None = None, revisit_after: str | None = None,
            revisit_articles: str | None = None, enabled: bool = True) -> Options:
    """The store's options for a config file, the settings overriding it (``None``: not set).

    Raises:
        ConfigError: a duration or a choice that cannot be read; the message names it.
    """
    config = load_config(config_path)
    span, after, which = table_options(config, window=window, revisit_after=revisit_after,
                                       revisit_articles=revisit_articles)
    return Options(stories=enabled, window=int(span), revisit_after=after, revisit_all=which == "all",
                   damping=None, config_path=config_path)


def table_options(config, *, window: str | None = None, revisit_after: str | None = None,
                  revisit_articles: str | None = None) -> tuple[float, tuple[float, ...], str]:
    """The story window, revisit delays and revisit choice of a loaded config's ``[stories]`` and
    ``[revisit]`` tables, the settings overriding them; checked (``check_config`` calls this).

    Raises:
        ConfigError: an unknown key, a duration or a choice that cannot be read.
    """
    table = config.stories
    unknown = set(table) - {"window"}
    if unknown:
        raise ConfigError(f"[stories] has unknown key(s) {sorted(unknown)}; allowed: window")
    revisit = config.revisit
    unknown = set(revisit) - {"after", "articles"}
    if unknown:
        raise ConfigError(f"[revisit] has unknown key(s) {sorted(unknown)}; allowed: after, articles")
    if window is not None:
        span = parse_duration(window, "NEWSMON_STORY_WINDOW")
    else:
        span = parse_duration(table.get("window", "72h"), "[stories] window")
    if revisit_after is not None:
        after = _durations(revisit_after, "NEWSMON_REVISIT_AFTER")
    else:
        after = _durations(revisit.get("after", list(DEFAULT_REVISIT_AFTER)), "[revisit] after")
    which = revisit_articles if revisit_articles is not None else revisit.get("articles", "relevant")
    if which not in _REVISIT_ARTICLES:
        where = "NEWSMON_REVISIT_ARTICLES" if revisit_articles is not None else "[revisit] articles"
        raise ConfigError(f"{where} = {which!r}: use \"relevant\" or \"all\"")
    return span, after, which


def settings_options(settings) -> Options:
    """``options()`` from Scrapy-style settings (``crawler.crawl.crawler_settings``)."""
    return options(settings.get("NEWSMON_CONFIG"), window=settings.get("NEWSMON_STORY_WINDOW"),
                   revisit_after=settings.get("NEWSMON_REVISIT_AFTER"),
                   revisit_articles=settings.get("NEWSMON_REVISIT_ARTICLES"),
                   enabled=settings.getbool("NEWSMON_STORIES_ENABLED", True))


def assign_outlet(record: dict[str, Any], outlet: str | None, outlets: dict[str, Outlet]) -> None:
    """The record's outlet (the one extraction found, else ``outlet``: the one it was fetched
    for) and whether that outlet is a primary source of the policy (``Outlet.primary_source``)."""
    if record.get("outlet") is None:
        record["outlet"] = outlet
    found = outlets.get(record["outlet"] or "")
    record["primary_source"] = int(bool(found and found.primary_source))


def known_hosts(outlets: dict[str, Outlet]) -> frozenset[str]:
    """The outlets' domains, and the hosts on them their feeds, sitemaps and start URLs are
    served from: a mobile host (``m.example.jp``) is made the one of these that serves the site
    (``urls.canonical_url``), "www.example.jp", not the bare domain that only names the site."""
    served = [(ascii_host(p.hostname or ""), p.scheme == "https" and p.port in (None, 443))
              for p in (urlsplit(url) for o in outlets.values() for url in (*o.feeds, *o.sitemaps, *o.start_urls)
                        if o.in_scope(url)) if p.hostname]
    hosts = {host for host, _ in served}
    # A host of which some document is named http:// (or at another port) may serve http only:
    # kept as it is written. The default port only: 127.0.0.1:8443's twin at :8080 is no copy.
    plain = {host for host, https in served if not https}
    return KnownHosts([*(d for o in outlets.values() for d in o.domains), *hosts], hosts - plain, served=hosts)


_HOSTS: dict[str | None, frozenset[str]] = {}


def context_hosts(config_path: str | None) -> frozenset[str]:
    """``known_hosts`` of the config's outlets (cached per process, as ``context`` is)."""
    if config_path not in _HOSTS:
        _HOSTS[config_path] = known_hosts(outlets_of(config_path))
    return _HOSTS[config_path]


def score_fields(title: str | None, text: str, topics: dict[str, Topic]) -> dict[str, Any]:
    """The score columns of an article: best topic, its score and threshold, relevance and
    evidence. ``topic`` is None (and the score 0) when no topic's terms matched at all."""
    top = best(score_article(title, text, topics))
    if top is None:
        return {"topic": None, "score": 0.0, "relevant": 0, "matched_terms": [], "threshold": None}
    return {
        "topic": top.topic,
        "score": round(top.score, 3),
        "relevant": int(top.relevant),
        "threshold": top.threshold,
        "matched_terms": [matched_term(m) for m in top.matches],
    }


def listed_on_topic(rows: list[dict[str, Any]], config_path: str | None) -> list[dict[str, Any]]:
    """The URL rows (``storage.frontier.unread_listed``, ``unread_of_run``) whose listed words,
    scored as a headline and its summary the way the article itself would be, are relevant to a
    topic; each with its ``headline``."""
    found = []
    for row in rows:
        headline, _, summary = (row["listed"] or "").partition(frontier.WORDS_PARTS)
        if _listed_relevant(config_path, headline, summary):
            found.append({**row, "headline": headline})
    return found


@functools.lru_cache(maxsize=1 << 16)
def _listed_relevant(config_path: str | None, headline: str, summary: str) -> bool:
    # Remembered per process, as the topics are (``context``): the desk scores the week's listed
    # words at every load of its queue page, 0.05 ms a URL, 100 ms for 2,000 (bench/desk --not-read).
    _, topics = context(config_path)
    return bool(score_fields(headline, summary, topics)["relevant"])


def unread_on_topic(db, config_path: str | None, now: datetime) -> list[dict[str, Any]]:
    """The articles newsmon did not read (``storage.frontier.NOT_READ``: a wall, given up, no
    article in the page, gone, refused), first seen within the week a wall is waited out, whose
    feed, news sitemap or section page said what makes them relevant: an outlet's health says it
    is blocked, not which of its articles the reviewers are missing. Newest first; what
    ``newsmon status`` lists and the desk shows above the queue."""
    since = (now - frontier.WALL_GIVE_UP).isoformat(timespec="seconds")
    return listed_on_topic(frontier.unread_listed(db, since=since), config_path)


def score_batch(config_path: str | None, rows: list[tuple[int, str | None, str | None]]) -> list[dict[str, Any]]:
    """Score ``(id, title, text)`` rows with the topics of ``config_path``: ``newsmon rescore``'s
    unit of work in a worker process."""
    _, topics = context(config_path)
    return [{"id": article_id, **score_fields(title, text or "", topics)} for article_id, title, text in rows]


def rescore_batches(db, config_path: str | None, workers: int | None = None,
                    batch: int = 500) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Every stored article, in batches of ``(rows, score fields)``, scored in worker processes
    (one per core; in this process for a small database or one core). The caller may update the
    rows it is given as it goes."""
    from storage import queries

    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    workers = (os.cpu_count() or 1) if workers is None else workers
    rows: list[dict[str, Any]] = []
    batches = _chunks(queries.iter_articles(db), batch)
    if workers <= 1 or total < 4 * batch:
        for rows in batches:
            yield rows, score_batch(config_path, [(r["id"], r["title"], r["text"]) for r in rows])
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # Bounded: at most two batches per worker in flight, so a million articles are never all in memory. Submitted
    # from the thread that iterates (the command's main one): its workers die with it (``workers.die_with_parent``).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        pending: deque = deque()
        for rows in batches:
            with sigint_held():  # a submit may start a worker
                future = pool.submit(score_batch, config_path, [(r["id"], r["title"], r["text"]) for r in rows])
            pending.append((rows, future))
            if len(pending) >= 2 * workers:
                done_rows, future = pending.popleft()
                yield done_rows, future.result()
        while pending:
            done_rows, future = pending.popleft()
            yield done_rows, future.result()


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def matched_term(match: TermMatch) -> dict[str, Any]:
    """One entry of ``matched_terms``: the term, count, snippet, points, how it counted
    (core, structure, context, foreign, cited, against) and whose it is."""
    entry: dict[str, Any] = {"term": match.term, "count": match.count, "snippet": match.snippet,
                             "points": round(match.points, 3), "kind": match.kind}
    if match.owners:
        entry["attribution"] = match.attribution()
    return entry


def read_pages(body: bytes, url: str, http_charset: str | None, outlets: dict[str, Outlet],
               more: Sequence[tuple[bytes, str, str | None]] = ()) -> tuple[Article, int] | None:
    """The article of a page and its next pages (``more``: body, URL, charset), up to the first
    that holds no article, and how many pages it was read from; ``None`` without one."""
    article = extract_article(body, url, http_charset=http_charset, outlets=outlets)
    if article is None:
        return None
    rest = []
    for page_body, page_url, page_charset in more:
        found = extract_article(page_body, page_url, http_charset=page_charset, outlets=outlets)
        if found is None:
            break
        rest.append(found)
    return (pagination.join(article, rest) if more else article), 1 + len(rest)


def analyse(body: bytes, url: str, http_charset: str | None = None,
            config_path: str | None = None, story_features: bool = True,
            more: Sequence[tuple[bytes, str, str | None]] = ()) -> dict[str, Any] | None:
    """Extract and score one page; ``None`` when it holds no article. Runs in workers.

    With ``story_features`` the record also carries ``_story``: the article's story features
    (``crawler.stories.Features.to_dict``), which the store takes out before saving; and always
    ``_search``, its search index form (``queries.index_form``).

    ``more``: the article's next pages (body, URL, charset), in order (``crawler.pagination``):
    one article of all their texts, scored whole. ``_pages`` says how many were read: up to the
    first that holds no article. ``_next_page``: the page after the last one read, if it links
    one; both are taken out before saving, as ``_story``.
    """
    outlets, topics = context(config_path)
    read = read_pages(body, url, http_charset, outlets, more)
    if read is None:
        return None
    article, pages = read
    record = article.to_dict()
    del record["paragraphs"]  # ``text`` keeps them, one per line
    record["_next_page"] = record.pop("next_page")
    if pages > 1:
        record["_pages"] = pages
    hosts = context_hosts(config_path)
    record["url"] = canonical_url(url, hosts)
    record["canonical_url"] = canonical_url(article.canonical_url or url, hosts)
    record.update(score_fields(article.title, record["text"], topics))
    # Hashed here, in the worker: the writer (one process for every worker) only compares.
    record["content_hash"] = queries.content_hash(record.get("title"), record.get("text"))
    record["extraction"] = EXTRACTION_VERSION
    assign_outlet(record, record.get("outlet"), outlets)
    if story_features:
        record["_story"] = features_of(record, damped_tokens(config_path)).to_dict()
    # Made here, where there are as many cores as workers, rather than in the one writer.
    record["_search"] = queries.index_form(record.get("title"), record.get("text"))
    return record


def split(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ``analyse`` record as stored, and what it carries for the writer only (``_story``,
    ``_search``, ``_next_page``, ``_pages``)."""
    return ({k: v for k, v in record.items() if not k.startswith("_")},
            {k: v for k, v in record.items() if k.startswith("_")})


def features_of(record: dict[str, Any], damped: frozenset[str]) -> stories.Features:
    """The story features of an article record (``analyse``'s, or a stored row)."""
    return stories.features(record.get("title"), record.get("text") or "", lead=record.get("lead"),
                            outlet=record.get("outlet"), damped=damped)


def _place(db, article_id: int, record: dict[str, Any], story: dict[str, Any] | None, opts: Options, *,
           now: str, new: bool) -> None:
    """Group a new article into a story, or index a changed one anew (it keeps its story)."""
    found = stories.Features.from_dict(story) if story else features_of(record, opts.damped)
    row = db.execute("SELECT published_at, first_seen_at, story_id FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    at = story_db.event_time(row[0], row[1])
    args = dict(signature=found.signature, terms=found.terms, band_keys=found.band_keys(), wire=found.wire, at=at)
    if new or row[2] is None:
        story_db.assign(db, article_id, window=opts.window, now=now, **args)
    else:
        story_db.reindex(db, article_id, **args)
        story_db.refresh(db, row[2], now=now)


@dataclass
class Saved:
    article_id: int | None
    new: bool
    relevant: bool
    #: The URL's state after this page: article, not_article, error, gave_up, gone.
    state: str = "article"
    #: The article's title or text changed: a new version (``version``) was recorded.
    changed: bool = False
    version: int = 1
    #: It became relevant with this page (new and relevant, or through a new version).
    became_relevant: bool = False


@dataclass
class PagePart:
    """Page 2, 3 … of an article split over several (``crawler.pagination``), as the crawl got
    it: its body, or why it could not be read (``problem``)."""

    url: str
    body: bytes | None = None
    content_type: str | None = None
    status: int | None = None
    problem: str | None = None
    #: Its raw page, kept already: an archive's record of it that waited for its first page
    #: (``page_waiting``, ``crawler.ingest``).
    page_id: int | None = None
    #: Not fetched because the crawl was stopped (SIGTERM, Ctrl-C): no failure of the outlet's.
    stopped: bool = False

    @property
    def charset(self) -> str | None:
        return charset_of(self.content_type)


def _keep_parts(db, parts: Sequence[PagePart], *, first_url: str, article_id: int, page_id: int | None,
                outlet: str | None, run_id: int | None, now: str, first_number: int = 2) -> None:
    """The next pages of an article (numbered from ``first_number``): kept raw beside its first
    page (``part_of``), their URLs settled as parts of it; the one that could not be read says so,
    and that a revisit of the article tries it again (``versions.due_revisits`` takes such
    articles, relevant or not)."""
    for number, part in enumerate(parts, start=first_number):
        if part.problem is None and part.body is not None:
            waited = waiting_page(db, part.url)
            if part.page_id is not None:
                part_id = part.page_id
                db.execute("UPDATE pages SET article_id = ?, part_of = ? WHERE id = ?", [article_id, page_id, part_id])
            else:
                part_id = queries.save_page(db, part.url, part.body, article_id=article_id,
                                            http_status=part.status or 200, content_type=part.content_type, now=now,
                                            outlet=outlet, part_of=page_id)
            frontier.record_result(db, part.url, outlet=outlet, kind="article", code="continuation",
                                   reason=f"page {number} of article {article_id} ({first_url}): its text is part "
                                          "of that article's", article_id=article_id, page_id=part_id,
                                   http_status=part.status, run_id=run_id, attempt=True, now=now)
            if waited is not None and waited != part_id:
                # The page an archive held, fetched again by the crawl: the copy that waited
                # would otherwise be read by reextract as an article of its own.
                db.execute("DELETE FROM pages WHERE id = ?", [waited])
        else:
            frontier.record_result(db, part.url, outlet=outlet, kind="article", code="page_missing",
                                   reason=f"page {number} of article {article_id} ({first_url}) could not be read: "
                                          f"{part.problem}; the article holds its first {number - 1} page(s) only "
                                          f"{versions.UNTIL_REVISIT}", article_id=article_id,
                                   http_status=part.status, run_id=run_id, attempt=True, now=now)


def _settle_missing(db, article_id: int, url: str, pages_now: set[str], *, now: str) -> None:
    """The article's ``page_missing`` URLs that its pages, read whole just now, no longer include."""
    for (gone,) in db.execute("SELECT url FROM urls WHERE reason_code = 'page_missing' AND article_id = ?",
                              [article_id]).fetchall():
        if gone not in pages_now:
            db.execute("UPDATE urls SET reason_code = 'page_gone', reason = ?, last_seen_at = ? WHERE url = ?",
                       [f"no longer a page of article {article_id} ({url}): its pages, read whole on {now}, "
                        "end before it", now, gone])


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: A crawl's page without an article is fetched once more this much later (``save_verdict``).
NOT_ARTICLE_RECHECK = timedelta(hours=6)


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


def keep_page(db, url: str, body: bytes, *, outlet: str | None, http_status: int = 200,
              content_type: str | None = None, final_url: str | None = None, run_id: int | None = None) -> int:
    """Store a downloaded page and mark its URL ``fetched``, before extraction; return the page id.

    Extraction comes after, in a worker: a crawl killed in between leaves the page here and
    the URL ``fetched``, and the next run extracts it without downloading it again.
    """
    now = now_iso()
    with transaction(db):
        page_id = queries.save_page(db, final_url or url, body, article_id=None, http_status=http_status,
                                    content_type=content_type, now=now, outlet=outlet)
        frontier.mark_fetched(db, url, outlet=outlet, page_id=page_id, http_status=http_status, run_id=run_id,
                              now=now)
    return page_id


def _annotate(db, record: dict[str, Any]) -> None:
    # The classifier's probability beside the rules' score, when a model is trained: on every
    # text that becomes an article's, or the queue orders and flags it by an older text's.
    from . import relevance

    relevance.annotate(db, record)


def _classified(db, record: dict[str, Any]) -> dict[str, Any]:
    """The classifier's fields for ``record`` (``queries.store_article``'s ``classify``)."""
    annotated = dict(record)
    _annotate(db, annotated)
    return {k: annotated[k] for k in ("relevance_p", "relevance_model_id", "relevance_flag") if k in annotated}


def save_verdict(db, *, url: str, page_id: int | None, record: dict[str, Any] | None, outlet: str | None,
                 problem: Problem | None = None, final_url: str | None = None, redirects: list[str] | None = None,
                 redirect_reasons: Sequence[int | str] = (), max_attempts: int = 3, http_status: int | None = 200,
                 run_id: int | None = None, attempt: bool = False, opts: Options | None = None, revisit: bool = False,
                 etag: str | None = None, last_modified: str | None = None, note: str | None = None,
                 parts: Sequence[PagePart] = (), captured: str | None = None, copy: bool = False) -> Saved:
    """What extraction made of a stored page, in one transaction: the article and the URL's state.

    ``record`` None: ``problem`` says why (``outcome.no_article_problem``): ``not_article`` is
    final (but for a crawl's first look at the URL, looked at again ``NOT_ARTICLE_RECHECK``
    later), anything else (an empty document, markup too deep) an error tried again. A
    redirected URL (``final_url``) and its target both end as the article; the target is where
    the article is stored, the original an alias of it, and neither is fetched again.

    A new article joins or starts a story (``opts.stories``); with ``revisit`` (the crawl
    fetched it) its revisits are planned at the URL it was served from, with the response's
    validators (``etag``, ``last_modified``) for conditional requests. ``note``: said after the
    URL's reason (how the page was had, when the reviewer should know). ``parts``: the article's
    next pages (``record`` is then the article of all of them), kept with it. ``captured``: when
    an archive's crawler fetched the page (an ingest's), noted as a sighting of the article's text
    (``versions.record_sighting``) when the page holds it. ``copy``: the page is an archive's copy (an ingest's):
    its failure is no attempt of the crawl's (``frontier.record_failure``).
    """
    opts = opts or Options()
    urls = [url] + ([final_url] if final_url and final_url != url else [])
    via = f" (redirected: {redirect_chain(redirects or [url], final_url, redirect_reasons)})" \
        if final_url and final_url != url else ""
    with transaction(db):
        # Read once the write lock is held (``queries.store_article``'s reason): read before, while the write
        # waited for another (an ingest's batch, a rescore's), a queue page loaded meanwhile lacked the article,
        # and the reviewer's next visit took it for one seen before that load (not unread, not counted).
        now = queries.now_utc()
        if record is not None:
            record, extra = split(record)
            story = extra.get("_story")
            stored = queries.store_article(db, record, now=now, page_id=page_id,
                                           classify=lambda: _classified(db, record), indexed=extra.get("_search"))
            article_id, new = stored.id, stored.new
            if captured is not None and not stored.changed:
                versions.record_sighting(db, article_id, captured,
                                         queries.content_hash(record.get("title"), record.get("text")))
            if page_id is not None:
                db.execute("UPDATE pages SET article_id = ? WHERE id = ?", [article_id, page_id])
            _keep_parts(db, parts, first_url=urls[-1], article_id=article_id, page_id=page_id, outlet=outlet,
                        run_id=run_id, now=now)
            if not opts.revisit_after and any(part.problem is not None for part in parts):
                # No crawl revisits an article then (``due_revisits`` is not asked): no revisit reads the page.
                db.execute("UPDATE urls SET reason = replace(reason, ?, ?) WHERE reason_code = 'page_missing' "
                           "AND article_id = ?", [versions.UNTIL_REVISIT, f"{versions.FOR_GOOD}revisits are off "
                                                  "([revisit] after, NEWSMON_REVISIT_AFTER), and none reads it",
                                                  article_id])
            if opts.stories and (new or stored.changed):
                _place(db, article_id, record, story, opts, now=now, new=new)
            if new and revisit and opts.revisit_after:
                versions.schedule_revisit(db, urls[-1], article_id=article_id, outlet=outlet, first_seen=now,
                                          after=opts.revisit_after, etag=etag, last_modified=last_modified)
            told = "stored as article" if new else "already stored as article"
            reason = f"{told} {article_id} ({record.get('method') or 'extracted'}){via}"
            if stored.named and stored.named_claimed:
                # Said the other way round, the reason blamed this page for the other's canonical link.
                reason += (f"; article {stored.named[0]} ({stored.named[1]}) had taken this URL for its canonical "
                           "one, but they share too little text to be one article: kept apart, each under its own URL")
            elif stored.named:
                reason += (f"; its page names {stored.named[1]} (article {stored.named[0]}) as its canonical URL, "
                           "but they share too little text to be one article: kept apart")
            reason += f"; {note}" if note else ""
            for one in urls:
                own = not new and _holds(db, one, article_id)
                if own and not stored.changed:
                    # The page a new URL redirected to, stored under its own URL before, or a URL
                    # an ingest stored while this crawl fetched it: its row says so still
                    # (rewritten, it called the article a duplicate of itself).
                    continue
                said = reason if not own else (f"stored as article {article_id} ({record.get('method') or 'extracted'})"
                                               f"{via}, version {stored.version}" + (f"; {note}" if note else ""))
                frontier.record_result(db, one, outlet=outlet, kind="article",
                                       code="stored" if new or own else "duplicate", reason=said,
                                       article_id=article_id, page_id=page_id, http_status=http_status,
                                       redirected_to=final_url if one != urls[-1] else None, run_id=run_id,
                                       attempt=attempt, now=now)
            return Saved(article_id, new, bool(record.get("relevant")), "article", stored.changed, stored.version,
                         stored.became_relevant)
        problem = problem or Problem("not_article", "no article in the page")
        if problem.code == "not_article":
            reason, retry_at = problem.reason + via, None
            # A crawl's first look gets a second one: under load a site answers an article URL
            # with its chrome and a line ("アクセスが集中しています", a maintenance notice) at
            # 200, and that article would be lost for good. An archive's old page is no such thing.
            if run_id is not None:
                # The pages stored under this URL are its looks; a URL sent on stores its pages under
                # where it leads, and one page many article URLs lead to (the home page) counted each
                # other's look there: only the first of them had a second. Its fetches are its
                # looks then (this one counted; an earlier failed fetch counts too, never endlessly).
                if len(urls) > 1:
                    looks = db.execute("SELECT attempts FROM urls WHERE url = ?", [url]).fetchone()[0] or 1
                else:
                    looks = db.execute("SELECT count(*) FROM pages WHERE url = ?", [url]).fetchone()[0]
                if looks < 2:
                    retry_at = versions.at(now, NOT_ARTICLE_RECHECK.total_seconds())
                    when = retry_at[:16].replace("T", " ")
                    reason += f"; looked at once more after {when} UTC (a passing error page?)"
                else:
                    reason += f"; the {_ordinal(looks)} look found none either"
            for one in urls:
                frontier.record_result(db, one, outlet=outlet, kind="not_article", code="not_article",
                                       reason=reason, page_id=page_id, http_status=http_status,
                                       redirected_to=final_url if one != urls[-1] else None, run_id=run_id,
                                       attempt=attempt, retry_at=retry_at, now=now)
            return Saved(None, False, False, "not_article")
        # A page that says there is no article (outcome.NOTICE_CODES) ends ``gone``, as a 404 does.
        exhausted = exhausted_state(problem.code)[0]
        state = frontier.record_failure(db, url, outlet=outlet, code=problem.code, reason=problem.reason + via,
                                        max_attempts=max_attempts, http_status=http_status, run_id=run_id,
                                        attempt=attempt, redirected_to=final_url, now=now, exhausted=exhausted,
                                        copy=copy)
        return Saved(None, False, False, state)


def _holds(db, url: str, article_id: int) -> bool:
    """Whether ``url`` is recorded as the address of article ``article_id``."""
    row = db.execute("SELECT kind, article_id FROM urls WHERE url = ?", [url]).fetchone()
    return row is not None and tuple(row) == ("article", article_id)


def _read_before(db, url: str, article_id: int, body: bytes | None, compressed: Compressed | None) -> bool:
    """Whether the article holds, at ``url``, an undated page of these very bytes: an undated capture
    (``save_capture``) read before, which nothing but its bytes tells from a later capture; pruned
    since, its bytes are known by their hash (``storage.pages.read_before``)."""
    raw = body if body is not None else page_bytes(db, compressed.blob, compressed.dict_id)  # type: ignore[union-attr]
    return read_before(db, article_id, url, raw)


def save(db, *, url: str, body: bytes | None, record: dict[str, Any] | None, outlet: str | None,
         http_status: int = 200, content_type: str | None = None, keep_page: bool = True,
         error: str | None = None, opts: Options | None = None, problem: Problem | None = None,
         compressed: Compressed | None = None, note: str | None = None, parts: Sequence[PagePart] = (),
         captured: str | None = None) -> Saved:
    """Store one page, its article (if any) and the URL's state, in one transaction.

    For pages that arrive whole (``newsmon ingest``, tests); the crawl stores the raw page
    first (``keep_page``) and the verdict after extraction (``save_verdict``). With ``error``
    (extraction crashed) the URL is kept as an ``error`` to be tried again, never as
    ``not_article``: a bug of ours must not lose the article for good. ``problem``: why
    ``record`` is None (``outcome.no_article_problem``), as the crawl passes it. ``compressed``:
    the page compressed by a worker already (``storage.pages.compress``), instead of ``body``.
    ``parts``: the article's next pages (``save_verdict``); one that was not read has the new
    article's revisits planned, as a crawl plans them, so that the outlet's crawl reads it.
    ``captured``: when an archive's crawler fetched the page (an ingest's ``WARC-Date``).
    """
    now = now_iso()
    with transaction(db):
        page_id = None
        if (body is not None or compressed is not None) and keep_page:
            page_id = queries.save_page(db, url, body, article_id=None, http_status=http_status,
                                        content_type=content_type, now=now, outlet=outlet, compressed=compressed,
                                        captured_at=captured)
        problem = Problem("extract_failed", error) if error else problem
        return save_verdict(db, url=url, page_id=page_id, record=record, outlet=outlet, problem=problem,
                            http_status=http_status, attempt=True, opts=opts, note=note, parts=parts,
                            revisit=any(part.problem is not None for part in parts), captured=captured, copy=True)


# --- revisits -----------------------------------------------------------------------------------

@dataclass
class Revisited:
    """What a revisit came to: ``result`` as recorded (``not_modified``, ``unchanged``,
    ``version N``, ``paywalled: why``, ``removed: why``, ``failed: why``); for a new version, the
    article's new state."""

    result: str
    changed: bool = False
    version: int = 1
    became_relevant: bool = False
    failed: bool = False
    #: The outlet put the article behind its paywall, or took it down: the article stored stays
    #: as it was.
    paywalled: bool = False
    removed: bool = False


#: An update that leaves less than this share of the stored text is no new version of the
#: article but what replaced it: a deletion notice ("この記事は削除しました"), an apology, an
#: error page. Real updates add paragraphs or correct figures; they do not cut two thirds.
KEPT_SHARE = 1 / 3
#: Characters of such a notice quoted in the article's ``removed`` reason.
NOTICE_QUOTE = 80


def _length(text: str | None) -> int:
    return len("".join((text or "").split()))


def revisit_loss(stored_text: str | None, stored_paywalled: bool, record: dict[str, Any]) -> tuple[str, str] | None:
    """Whether a revisit's article is a loss, not a new version of the one stored: ``("paywalled",
    why)`` when only a paywall's teaser of a text stored whole is left, ``("removed", why)`` when
    a short notice replaced it; ``None`` for an update worth a version. Pure: the caller keeps
    the stored article either way."""
    old, new = _length(stored_text), _length(record.get("text"))
    if record.get("paywalled") and not stored_paywalled and new < old:
        return "paywalled", (f"the outlet now shows {new} of the {old} characters stored and keeps the rest for "
                             "its members; the full text stored is kept")
    if new < old * KEPT_SHARE:
        notice = " ".join(part for part in (record.get("title"), record.get("text")) if part)
        notice = " ".join(notice.split())
        quoted = notice[:NOTICE_QUOTE] + ("…" if len(notice) > NOTICE_QUOTE else "")
        return "removed", (f"its page now reads 「{quoted}」 ({new} characters, where {old} were stored); "
                           "the text stored is kept")
    return None


def revisit_removed(db, url: str, reason: str, *, article_id: int, opts: Options, status: int | None = None,
                    run_id: int | None = None) -> Revisited:
    """A revisit answered 404 or 410, or was sent on to a page without an article: the article
    was taken down. It stays, with its text, score and place in the queue, marked ``removed``
    (the digest of run ``run_id`` tells it); its revisits go on, with the stored text's
    validators, and one that finds it as stored clears the mark."""
    now = now_iso()
    result = f"removed: {reason}"
    with transaction(db):
        try:
            queries.mark_removed(db, article_id, reason, run_id=run_id, now=now)
        except ArticleNotFound:  # deleted by hand since it was scheduled, as save_revisit says
            result = "failed: the article is no longer stored"
            versions.record_revisit(db, url, result=result, after=(), now=now, status=status)
            return Revisited(result, failed=True)
        versions.record_revisit(db, url, result=result, after=opts.revisit_after, now=now, status=status)
        frontier.note_revisit(db, url, failed=False, result=result, now=now)
    return Revisited(result, removed=True)


def revisit_failed(db, url: str, reason: str, *, opts: Options, status: int | None = None,
                   counted: bool = True) -> Revisited:
    """A revisit that gave no usable page (an error, a wall, robots.txt, an empty body): the
    article stays as it was, its URL stays ``article``, and its reason says the revisit failed."""
    now = now_iso()
    result = f"failed: {reason}"
    with transaction(db):
        versions.record_revisit(db, url, result=result, after=opts.revisit_after, now=now, status=status,
                                counted=counted)
        frontier.note_revisit(db, url, failed=True, result=reason, now=now)
    return Revisited(result, failed=True)


def revisit_not_modified(db, url: str, *, article_id: int, opts: Options, etag: str | None = None,
                         last_modified: str | None = None) -> Revisited:
    """A 304 to a revisit's conditional request: nothing is stored but the schedule's progress.
    The validators are those of the text stored: the article is there as stored (no longer
    removed, if a revisit had found it so)."""
    now = now_iso()
    with transaction(db):
        queries.clear_removed(db, article_id)
        versions.record_revisit(db, url, result="not_modified", after=opts.revisit_after, now=now, status=304,
                                etag=etag, last_modified=last_modified)
        frontier.note_revisit(db, url, failed=False, result="not modified (304)", now=now)
    return Revisited("not_modified")


def save_revisit(db, *, url: str, article_id: int, body: bytes, record: dict[str, Any], opts: Options,
                 http_status: int = 200, content_type: str | None = None, etag: str | None = None,
                 last_modified: str | None = None, parts: Sequence[PagePart] = (), run_id: int | None = None,
                 read_before: str | None = None, note: str | None = None) -> Revisited:
    """A revisit's page, extracted: a new version when the title or text changed, else nothing.

    Only a changed article costs a row: its raw page (kept for ``reextract``), its versions, its
    new content and score in the ``articles`` row (an article an update makes relevant enters the
    review queue and the next digest); it keeps its story, indexed anew. An unchanged one (new
    ads, new markup) stores nothing but the schedule's progress. One transaction: a crawl killed
    in the middle leaves the revisit due, to be done again by the next run. ``parts``: the
    article's next pages as the revisit read them (``record`` is of all of them), kept with a
    new version. ``read_before``: the method the article was stored by, when its stored pages,
    read as this revisit was, give this revisit's title and text (``pipelines``): how the page is
    read changed, not the article, which stays as stored. ``note``: where the page was read from, when not
    from ``url`` (``FetchedPage.note``: the AMP copy it was listed as), said after the URL's revisit result.
    """
    said = f" ({note})" if note else ""
    record, extra = split(record)
    story = extra.get("_story")
    fresh = queries.content_hash(record.get("title"), record.get("text"))
    with transaction(db):
        now = queries.now_utc()  # once the write lock is held, as save_verdict's
        row = db.execute("SELECT content_hash, text, paywalled FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:  # deleted by hand since it was scheduled
            versions.record_revisit(db, url, result="failed: the article is no longer stored",
                                    after=(), now=now, status=http_status)
            return Revisited("failed: the article is no longer stored", failed=True)
        lost = revisit_loss(row[1], bool(row[2]), record) if row[0] != fresh and not read_before else None
        if lost is not None:
            # No version: the article's text, score and place in the queue stay what they were.
            # Nor its validators: those kept are the stored text's, so that a 304 always means
            # "as stored" and the teaser or notice is fetched whole until the article is back.
            kind, why = lost
            if kind == "removed":
                queries.mark_removed(db, article_id, why, run_id=run_id, now=now)
            result = f"{kind}: {why}"
            versions.record_revisit(db, url, result=result, after=opts.revisit_after, now=now, status=http_status)
            frontier.note_revisit(db, url, failed=False, result=result + said, now=now)
            return Revisited(result, paywalled=kind == "paywalled", removed=kind == "removed")
        queries.clear_removed(db, article_id)  # whole again, or updated
        # Read whole this time: a page it lacked that is no longer one of its pages (the site
        # joined them, or its pager ends before) is missing no more.
        _settle_missing(db, article_id, url, {part.url for part in parts}, now=now)
        if row[0] == fresh or read_before:
            result = "unchanged" if row[0] == fresh else (
                f"unchanged: read by {record.get('method')} now, by {read_before} when stored; its page "
                "stored then reads the same now: how the page is read changed, not the article")
            versions.record_revisit(db, url, result=result, after=opts.revisit_after, now=now,
                                    status=http_status, etag=etag, last_modified=last_modified)
            frontier.note_revisit(db, url, failed=False, result=result + said, now=now)
            return Revisited("unchanged")
        page_id = queries.save_page(db, url, body, article_id=article_id, http_status=http_status,
                                    content_type=content_type, now=now)
        outlet = db.execute("SELECT outlet FROM urls WHERE url = ?", [url]).fetchone()
        _keep_parts(db, parts, first_url=url, article_id=article_id, page_id=page_id,
                    outlet=outlet[0] if outlet else record.get("outlet"), run_id=None, now=now)
        _annotate(db, record)
        stored = queries.store_article(db, record, now=now, page_id=page_id, article_id=article_id,
                                       indexed=extra.get("_search"))
        db.execute("UPDATE urls SET page_id = ? WHERE url = ?", [page_id, url])
        if opts.stories:
            _place(db, article_id, record, story, opts, now=now, new=False)
        result = f"version {stored.version}"
        versions.record_revisit(db, url, result=result, after=opts.revisit_after, now=now, status=http_status,
                                etag=etag, last_modified=last_modified)
        frontier.note_revisit(db, url, failed=False, result=f"changed: now version {stored.version}{said}", now=now)
    return Revisited(result, stored.changed, stored.version, stored.became_relevant)


@dataclass
class Captured:
    """What ``save_capture`` made of a capture: ``"newer"``, ``"older"`` or ``None`` (no version)."""

    kind: str | None
    became_relevant: bool = False


def save_capture(db, *, url: str, article_id: int, record: dict[str, Any], captured: str | None,
                 body: bytes | None = None, compressed: Compressed | None = None, content_type: str | None = None,
                 http_status: int = 200, outlet: str | None = None, opts: Options | None = None,
                 part: bool = False) -> Captured:
    """An archive's capture of a stored article (at its URL or at another its canonical link names),
    extracted (``newsmon ingest``): a version of the article when its title or text is not the
    version in effect when it was captured. ``"newer"``: made after the newest version stored, the
    article takes it, as from a revisit (score, queue and story with it), unless it is less than the
    stored text (a paywall's teaser, a notice: ``revisit_loss``); ``"older"``: made before, it takes
    its place among the versions, the article unchanged (a flash before the article it grew into
    is its first version, whatever order the archives are read in). ``None``: the text in effect
    then (a capture of it made earlier than known dates it earlier), or a text that shares none of
    the article's (``queries.shares_text``): another page the archive's crawler was given at the
    URL, a busy site's front page. A URL that is not the article's own is recorded as its address.

    ``captured``: when the archive's crawler fetched the page (``WARC-Date``, ISO 8601 UTC);
    ``None`` (an archive that does not say) is taken as newer than what is stored. ``part``: the
    capture holds part of the article only (cut short by the archive, or its first page of several):
    no version, the URL recorded as the article's address."""
    opts = opts or Options()
    record, extra = split(record)
    fresh = queries.content_hash(record.get("title"), record.get("text"))
    record["content_hash"] = fresh
    now = now_iso()
    with transaction(db):
        row = db.execute("SELECT text, paywalled, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None or not queries.shares_text(row[0], record.get("text")):
            return Captured(None)
        seen = versions.events(db, article_id)
        newest = versions.newest_of(seen)
        older = captured is not None and newest is not None and captured < newest

        def address(said: str, sighted: bool = True) -> Captured:
            # No version: a URL that is not the article's own is recorded as its address still,
            # with its page (as for a crawl's duplicate). ``sighted``: it holds a version's text,
            # noted for the captures read after it (not a part of it, nor a teaser).
            if sighted and captured is not None:
                versions.record_sighting(db, article_id, captured, fresh)
            if not _holds(db, url, article_id):
                kept = queries.save_page(db, url, body, article_id=article_id, http_status=http_status,
                                         content_type=content_type, now=now, outlet=outlet, compressed=compressed,
                                         captured_at=captured)
                frontier.record_result(db, url, outlet=outlet, kind="article", code="duplicate",
                                       reason=f"already stored as article {article_id} ({record.get('method')}); "
                                              f"the archive's capture here {said}", article_id=article_id,
                                       page_id=kept, http_status=http_status, attempt=True, now=now)
            return Captured(None)

        if part:
            return address("holds part of it only (cut short, or its first page of several)", sighted=False)
        if older:
            # Placed by time among the versions and the other captures of their texts: whatever
            # order the archives are read in, the same versions (a text taken back included).
            # Each version's own capture is a sighting too: dated earlier by this one, a version a
            # crawl read today still says it was seen today (or a 2025 capture read next would be
            # taken as newer than it, and the article its text).
            versions.keep_starts(db, article_id, seen)
            before = versions.chain(seen)
            after = versions.chain(seen, (captured, fresh))  # type: ignore[arg-type]
            if [r.content_hash for r in after] == [r.content_hash for r in before]:
                moved = [was.version for r, was in zip(after, before) if r.at < was.at and was.version is not None]
                if moved and db.execute("SELECT 1 FROM article_versions WHERE article_id = ?",
                                        [article_id]).fetchone():
                    db.execute("UPDATE article_versions SET fetched_at = ? WHERE article_id = ? AND version = ?",
                               [captured, article_id, moved[0]])
                return address("holds the text of its next version, captured earlier" if moved
                               else "holds its text as it was then")
        elif fresh == row[2]:
            return address("holds its text as it was then")
        elif captured is not None and any(at == captured and text == fresh for at, _, _, text, _, _ in seen):
            # Its text is known at this very time already: this capture read again (--force, a part read again
            # after an ingest stopped between its batches) or another of the same second. No new run, as
            # ``versions.chain`` says of it: appended as the newest, each read of the same archive added its
            # texts of one second as versions again (A, B, then A, B, A, B), and the article took one back.
            return address("holds its text as it was then")
        elif captured is None and _read_before(db, url, article_id, body, compressed):
            # Undated (no WARC-Date, or one a day ahead), and its page is stored already, byte for byte: this
            # capture read again (--force, a part read again after a stop), which no date tells from a later one.
            # Taken for the newest each time, each read appended the texts of its undated captures as versions
            # again (A, B, then A, B, A, B). (A later capture the same to the byte, an outlet's text taken back in
            # a page otherwise unchanged, is taken for it too: it has no date to tell them apart.)
            return address("is a capture of it read before (undated, its page the same to the byte)")
        elif lost := revisit_loss(row[0], bool(row[1]), record):
            return address(f"is {lost[0]}: {lost[1]}", sighted=False)
        page_id = queries.save_page(db, url, body, article_id=article_id, http_status=http_status,
                                    content_type=content_type, now=now, outlet=outlet, compressed=compressed,
                                    captured_at=captured)
        if captured is not None:
            versions.record_sighting(db, article_id, captured, fresh)
        if older:
            fields = {**versions.fields_by_text(db, article_id), fresh: record}
            new = (captured, fresh, page_id)
            number = versions.rewrite(db, article_id, after, fields, new, seen)  # type: ignore[arg-type]
            made = Captured("older")
        else:
            _annotate(db, record)
            stored = queries.store_article(db, record, now=now, page_id=page_id, article_id=article_id,
                                           indexed=extra.get("_search"), captured=captured)
            number = stored.version
            if opts.stories:
                _place(db, article_id, record, extra.get("_story"), opts, now=now, new=False)
            made = Captured("newer", stored.became_relevant)
        if _holds(db, url, article_id):
            if made.kind == "newer":
                db.execute("UPDATE urls SET page_id = ? WHERE url = ?", [page_id, url])
        else:
            frontier.record_result(db, url, outlet=outlet, kind="article", code="duplicate",
                                   reason=f"already stored as article {article_id} ({record.get('method')}); the "
                                          f"archive's capture here is its version {number}",
                                   article_id=article_id, page_id=page_id, http_status=http_status, attempt=True,
                                   now=now)
        return made


# --- rebuilding ------------------------------------------------------------------------------------

def regroup(db, opts: Options, *, progress=None, storyless: bool = False, batch_size: int = 200,
            forgotten: Callable[[], None] | None = None) -> dict[str, int]:
    """Rebuild every story from the stored articles, in time order (``newsmon regroup``).

    The same database gives the same stories every time. Reviewers' decisions are on the
    articles and stay; each story's status is derived from them again. ``progress``: a
    ``crawler.progress.Progress`` told of each batch of articles placed (a million articles take
    a quarter of an hour). ``storyless``: place only the articles in no story, in time order,
    into the stories as they are: those stored with stories off, and those a stopped regroup had
    not reached (each batch is placed and its terms counted in one transaction, so whenever a
    regroup stops, ``storyless`` finishes it as it would have finished itself). ``forgotten``: called once every
    story is forgotten (committed), before the first article is placed.
    """
    if not storyless:
        story_db.clear(db)
        if forgotten is not None:
            forgotten()
    now = now_iso()
    counts = {"articles": 0, "stories": 0, "copies": 0}
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        stories = 0
        done = getattr(progress, "done", None)  # a Progress's; told again only where this batch's update did not run
        state: dict[str, bool] = {}  # how far its write got (``landed``)
        try:
            with transaction(db):
                for row in batch:
                    placed = _assign_row(db, row, opts, now)
                    stories += int(placed.new_story)
                    counts["copies"] += int(placed.duplicate_of is not None)
                # With the placements: the term statistics the next batch is placed by.
                story_db.flush_terms(db)
                state["written"] = True
            state["committed"] = True
            counts["stories"] += stories
            if progress is not None:
                progress.update(len(batch), stories=stories)
        except KeyboardInterrupt:
            # A Ctrl-C just after the batch's COMMIT, before the progress counted it: the stopped line said "after 0
            # of 3,003 articles" of a database holding 200 placed. Told by the batch's last article, in a story once
            # its COMMIT is done.
            if landed(db, state, lambda: db.execute("SELECT story_id IS NOT NULL FROM articles WHERE id = ?",
                                                    [batch[-1]["id"]]).fetchone()[0]) \
                    and progress is not None and batch and progress.done == done:
                progress.update(len(batch), stories=stories)
            raise
        batch.clear()

    for row in story_db.iter_for_grouping(db, storyless=storyless):
        batch.append(row)
        counts["articles"] += 1
        if len(batch) >= batch_size:
            flush()
    flush()
    counts["copies"] = db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
    return counts


def regroup_shown(db, opts: Options, *, stream=None, storyless: bool = False) -> dict[str, int]:
    """``regroup`` with its progress shown (``crawler.progress``) on ``stream`` (standard error)."""
    from .progress import Progress

    with Progress("regroup", total=to_regroup(db, storyless=storyless), unit="articles", stream=stream) as progress:
        return regroup(db, opts, progress=progress, storyless=storyless)


def to_regroup(db, *, storyless: bool = False) -> int:
    """How many articles ``regroup`` places: every one, or with ``storyless`` those in no story."""
    return db.execute("SELECT count(*) FROM articles" + (" WHERE story_id IS NULL" if storyless else "")).fetchone()[0]


def _assign_row(db, row: dict[str, Any], opts: Options, now: str) -> story_db.Placement:
    found = features_of(row, opts.damped)
    return story_db.assign(db, row["id"], signature=found.signature, terms=found.terms,
                           band_keys=found.band_keys(), wire=found.wire,
                           at=story_db.event_time(row["published_at"], row["first_seen_at"]),
                           window=opts.window, now=now)


def articles_to_reextract(db, *, outdated: bool = False, outlets: Sequence[str] = ()) -> list[int]:
    """The ids of the articles ``reextract`` reads again, in order: every one, or with
    ``outdated`` those an older extraction read (``articles.extraction``), whom a reextract that
    was stopped had not reached yet; with ``outlets``, of those outlets only (after their rules
    were mended)."""
    where, params = [], []
    if outdated:
        where.append("(extraction IS NULL OR extraction < ?)")
        params.append(EXTRACTION_VERSION)
    if outlets:
        where.append(f"outlet IN ({', '.join('?' * len(outlets))})")
        params.extend(outlets)
    sql = "SELECT id FROM articles" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return [r[0] for r in db.execute(sql, params).fetchall()]


def _count_stored(db, progress, done: float | None, article_id: int, state: dict[str, bool], **written: Any) -> None:
    """``reextract`` stopped by a Ctrl-C at one article: it is counted (``progress``, whose count was ``done`` before
    it) if it landed (``landed``: ``state``, else its row holds what was ``written`` to it).

    A Ctrl-C just after the article's COMMIT, before the progress counted it, said "after 0 of 3 articles" of a
    database holding 1 read again. Told by its row alone, an article that reads as it was stored but for its date
    (`reextract OUTLET` after its rules are mended) holds the row's extraction, version and hash either way, and was
    counted rolled back."""
    where = " AND ".join(f"{column} IS ?" for column in written)
    if landed(db, state, lambda: db.execute(f"SELECT 1 FROM articles WHERE id = ? AND {where}",
                                            [article_id, *written.values()]).fetchone() is not None) \
            and progress is not None and progress.done == done:
        progress.update(1)


def _others_versions(chain: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The versions of an article (``reextract``'s chain, oldest first) that are other articles',
    a list a page URL (``_without`` gives the article's own).

    Before newsmon checked a canonical link against the text (``queries._find_credible``), a
    template naming one article's URL in the next ones made each of them a new "version" of the
    first: only the newest showed, the others were in no queue and their URLs done. A version
    read from a page at another URL than the article's first version that shares no text with
    any version read at that URL is such an article. One that shares text (a flash grown into
    the article, a page moved, a copy at a second address) is the article's own, as before. So
    is a version whose page is gone: there is nothing to tell it by. Nothing is taken apart when
    the article's own newest version has no page left to read it from (its row could not be
    written back).
    """
    home = chain[0]["url"]
    own = [c for c in chain if c["url"] is None or c["url"] == home]
    by_url: dict[str, list[dict[str, Any]]] = {}
    for entry in chain:
        if entry["url"] is not None and entry["url"] != home:
            by_url.setdefault(entry["url"], []).append(entry)
    apart = [entries for entries in by_url.values()
             if not any(queries.shares_text(o["record"].get("text"), e["record"].get("text"))
                        for o in own for e in entries)]
    if not apart or home is None or _without(chain, apart)[-1]["kept"]:
        return []
    return apart


def _without(chain: list[dict[str, Any]], apart: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The versions of ``chain`` that are none of ``apart``'s, none reading as the one before it."""
    taken = {id(e) for entries in apart for e in entries}
    out: list[dict[str, Any]] = []
    for entry in chain:
        if id(entry) not in taken and (not out or out[-1]["record"]["content_hash"] != entry["record"]["content_hash"]):
            out.append(entry)
    return out


class _Trial(Exception):
    """Roll back what a trial wrote."""


def _taken_apart(db, article_id: int, whole: list[dict[str, Any]], apart: list[list[dict[str, Any]]],
                 outlet: str | None) -> list[list[dict[str, Any]]]:
    """Those of ``apart`` that the store keeps apart from article ``article_id`` once its own
    versions are written back: a trial, rolled back. A page it takes for the article still (its
    own URL another article's canonical one: too tangled to undo) stays one of its versions."""
    taken: list[list[dict[str, Any]]] = []
    try:
        with transaction(db):
            _write_own(db, article_id, _without(whole, apart))
            taken = [others for others in apart if _store_apart(db, others, article_id, outlet) is not None]
            raise _Trial
    except _Trial:
        pass
    return taken


def _version_rows(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``versions.replace_versions``'s rows of a chain of readings (``reextract``'s)."""
    return [{**{k: c["record"].get(k) for k in versions.VERSION_FIELDS}, "page_id": c["page_id"],
             "fetched_at": c["fetched_at"]} for c in chain]


def _write_own(db, article_id: int, chain: list[dict[str, Any]]) -> None:
    """Write article ``article_id`` back from its versions as read again (``chain``, oldest first)."""
    if not chain[-1]["kept"]:
        _annotate(db, chain[-1]["record"])
        queries.store_article(db, chain[-1]["record"], now=now_iso(), replace=True, article_id=article_id,
                              indexed=chain[-1]["indexed"])
    db.execute("UPDATE articles SET version = ?, extraction = ? WHERE id = ?",
               [len(chain), EXTRACTION_VERSION, article_id])
    versions.replace_versions(db, article_id, _version_rows(chain))


def _other_outlets(db, article_id: int, outlet: str | None, chain: list[dict[str, Any]],
                   apart: list[list[dict[str, Any]]], config_path: str | None,
                   outlets: dict[str, Outlet]) -> list[list[dict[str, Any]]]:
    """The pages of article ``article_id`` (of ``outlet``) that are none of its versions and read
    as another outlet's article, a list each (``_store_apart``'s ``chain``).

    Before a content hash matched within one outlet only, a regional paper's (or Yahoo!'s)
    word-for-word reprint of a wire article was a sighting of the wire's article: its page kept
    beside it, its URL done, no article of that outlet. Only pages on another outlet's domains
    are read: a copy at a second address of the same outlet is a sighting still.
    """
    read = {c["page_id"] for c in chain} | {c["page_id"] for entries in apart for c in entries}
    newest: dict[str, tuple[int, str]] = {}
    for page_id, url, fetched_at in db.execute(
            "SELECT id, url, fetched_at FROM pages WHERE article_id = ? AND part_of IS NULL ORDER BY id", [article_id]):
        if page_id not in read and outlet_key(url, outlets) not in (None, outlet):
            newest[url] = (page_id, fetched_at)
    if not newest:
        return []
    # A page that names the article by its URL is a sighting of it whatever its outlet: a
    # syndicated copy whose canonical link names its original.
    names = set(db.execute("SELECT url, canonical_url FROM articles WHERE id = ?", [article_id]).fetchone())
    out = []
    for url, (page_id, fetched_at) in newest.items():
        stored = queries.page_body(db, page_id)
        record = analyse(stored[1], url, charset_of(stored[2]), config_path, story_features=False) if stored else None
        if record is None or record.get("outlet") in (None, outlet) or record.get("canonical_url") in names:
            continue
        indexed = record.get("_search")
        out.append([{"record": split(record)[0], "page_id": page_id, "fetched_at": fetched_at, "kept": False,
                     "url": url, "following": None, "indexed": indexed, "copy_of": outlet}])
    return out


class _SameArticle(Exception):
    """The store takes the page for the article that held it after all: nothing to give back."""


def _store_apart(db, chain: list[dict[str, Any]], held_by: int, outlet: str | None) -> int | None:
    """Store the versions of one page that article ``held_by`` of ``outlet`` held as its own
    (``_others_versions``, ``_other_outlets``) as the article they are, with their raw pages and
    URLs; return its id, or ``None`` when the store takes them for ``held_by`` still (nothing
    written: not a sighting or a version of it that a second reading made)."""
    newest = chain[-1]
    _annotate(db, newest["record"])
    try:
        with transaction(db):  # a savepoint inside reextract's transaction
            stored = queries.store_article(db, newest["record"], now=chain[0]["fetched_at"],
                                           indexed=newest["indexed"])
            if stored.id == held_by:
                raise _SameArticle
    except _SameArticle:
        return None
    now = now_iso()
    if stored.new:
        # Relevant, it enters the queue now (unread since the reviewer's last visit), not when
        # its page was fetched.
        db.execute("UPDATE articles SET version = ?, last_seen_at = ?, relevant_since = "
                   "CASE WHEN relevant THEN ? END WHERE id = ?",
                   [len(chain), newest["fetched_at"], now, stored.id])
        versions.replace_versions(db, stored.id, _version_rows(chain))
    page_ids = [c["page_id"] for c in chain if c["page_id"] is not None]
    marks = ", ".join("?" * len(page_ids))
    db.execute(f"UPDATE pages SET article_id = ? WHERE article_id = ? AND (id IN ({marks}) OR part_of IN ({marks}))",
               [stored.id, held_by, *page_ids, *page_ids])
    told = "stored as article" if stored.new else "already stored as article"
    how = (f"had been taken for article {held_by} of {outlet}, an article of another outlet with the same text (by an "
           "older newsmon)" if newest.get("copy_of") else
           f"had been stored as a version of article {held_by}, which shares no text with it (a canonical link "
           "taken on its word by an older newsmon)")
    method = newest["record"].get("method") or "extracted"
    reason = f"{told} {stored.id} by newsmon reextract ({method}); its page {how}"
    for (url,) in db.execute(f"SELECT url FROM urls WHERE article_id = ? AND (url = ? OR page_id IN ({marks}))",
                             [held_by, newest["url"], *page_ids]).fetchall():
        frontier.record_result(db, url, outlet=newest["record"].get("outlet"), kind="article",
                               code="stored" if stored.new else "duplicate", article_id=stored.id,
                               page_id=newest["page_id"], reason=reason, now=now)
    db.execute("UPDATE revisits SET article_id = ? WHERE article_id = ? AND url = ?",
               [stored.id, held_by, newest["url"]])
    return stored.id


def reextract(db, config_path: str | None, opts: Options, progress=None,
              articles: Sequence[int] | None = None, outlets: Sequence[str] = ()) -> dict[str, int]:
    """Rebuild every article, and its versions, from the stored raw pages (``newsmon reextract``).

    An article is read again from the page of each of its versions (its first page when it
    never changed), oldest first; versions that now read the same are one, and the newest is
    the article. Pages that gave no article before are read again too (the newest of each
    URL): better rules may find one. Nothing is fetched; review status and notes are kept.
    Stories are rebuilt at the end (``regroup``) when grouping is on. ``progress``: a
    ``crawler.progress.Progress`` told of each article and page as it is done. ``articles``:
    the ids of the articles to read again (``articles_to_reextract``), every one by default;
    ``outlets``: the pages that held no article are read again only if fetched for those.
    """
    counts = {"articles": 0, "versions": 0, "empty": 0, "kept": 0, "split": 0}
    known = outlets_of(config_path)
    for article_id in articles_to_reextract(db, outlets=outlets) if articles is None else articles:
        outlet = db.execute("SELECT outlet FROM articles WHERE id = ?", [article_id]).fetchone()[0]
        chain: list[dict[str, Any]] = []
        read_as: dict[str, str] = {}  # each version's text as stored, by what it reads as now
        read: list[tuple[int, str, str]] = []  # each version's number, capture and text as it reads now
        for entry in versions.versions(db, article_id):
            stored = queries.page_body(db, entry["page_id"]) if entry.get("page_id") else None
            record = following = indexed = None
            if stored is not None:
                url, body, content_type, _status = stored
                more = [(b, u, charset_of(c)) for u, b, c in queries.continuation_pages(db, entry["page_id"])]
                record = analyse(body, url, charset_of(content_type), config_path, story_features=False, more=more)
                # A first page whose next pages were never fetched (stored before newsmon read
                # articles split over pages, or by an ingest that did not plan them).
                following = record.get("_next_page") if record is not None and not more else None
                indexed = record.get("_search") if record is not None else None
                record = split(record)[0] if record is not None else None
                if record is not None:
                    # The outlet the page was fetched for, where the page names none (as the crawl).
                    assign_outlet(record, outlet, known)
            # A version whose page is gone (pruned) or reads as no article now stays as it was
            # stored: dropping it would lose its text, which is nowhere else.
            kept = record is None
            if kept:
                record = {k: entry.get(k) for k in versions.VERSION_FIELDS}
            read_as[entry["content_hash"]] = record["content_hash"]
            read.append((entry["version"], entry["fetched_at"], record["content_hash"]))
            if chain and chain[-1]["record"]["content_hash"] == record["content_hash"]:
                continue
            chain.append({"record": record, "page_id": entry["page_id"] if stored is not None else None,
                          "fetched_at": entry["fetched_at"], "kept": kept, "url": stored[0] if stored else None,
                          "following": following, "indexed": indexed})
        done = getattr(progress, "done", None)  # a Progress's; told again only where this article's update did not run
        state: dict[str, bool] = {}  # how far its write got (``_count_stored``)
        if all(c["kept"] for c in chain):
            # No readable page (pruned, or none kept): the article stays as it is, gone over by
            # this extraction all the same (``newsmon status`` asks for no reextract of it).
            counts["kept"] += 1
            try:
                with transaction(db):
                    db.execute("UPDATE articles SET extraction = ? WHERE id = ?", [EXTRACTION_VERSION, article_id])
                    state["written"] = True
                state["committed"] = True
                # Counted as the others are: uncounted, a reextract stopped past them said fewer articles done
                # than the database held (`--outdated` goes on after them).
                if progress is not None:
                    progress.update(1)
            except KeyboardInterrupt:
                _count_stored(db, progress, done, article_id, state, extraction=EXTRACTION_VERSION)
                raise
            continue
        whole = chain
        apart = _others_versions(whole)
        apart += _other_outlets(db, article_id, outlet, whole, apart, config_path, known)
        try:
            with transaction(db):
                if apart:
                    apart = _taken_apart(db, article_id, whole, apart, outlet)
                chain = _without(whole, apart)
                _write_own(db, article_id, chain)
                versions.rehash_sightings(db, article_id, read_as)
                # Versions that read alike now are one, and those after it are numbered down (so are those after a
                # version taken apart): a note naming a version read ("Seen") named another text, or none.
                renumber_notes(db, article_id, versions.renumbered(
                    read, [(c["record"]["content_hash"], c["fetched_at"]) for c in chain]))
                # After the article's own row is written back: it held the newest of their texts.
                for others in apart:
                    _store_apart(db, others, article_id, outlet)
                # In the article's own transaction: planned after its COMMIT, a Ctrl-C between the two left it current
                # (`reextract --outdated` passes it by) with its next pages never planned, never fetched.
                newest = chain[-1]
                planned = bool(newest["following"] and opts.revisit_after
                               and frontier.state(db, newest["following"]) is None)
                if planned:
                    _plan_next_pages(db, article_id, newest["url"], newest["following"])
                state["written"] = True
            state["committed"] = True
            counts["split"] += len(apart)
            counts["articles"] += 1
            counts["versions"] += len(chain) if len(chain) > 1 else 0
            if planned:
                counts["first_page_only"] = counts.get("first_page_only", 0) + 1
            if progress is not None:
                progress.update(1, articles=1)
        except KeyboardInterrupt:
            _count_stored(db, progress, done, article_id, state, extraction=EXTRACTION_VERSION, version=len(chain),
                          content_hash=chain[-1]["record"]["content_hash"])
            raise
    # Streamed in batches (raw pages are most of the database); writing article_id as we go
    # does not disturb iter_pages, which pages by id.
    for _page_id, url, article_id, body, content_type in queries.iter_pages(db, outlets):
        if article_id is not None or db.execute(
                "SELECT 1 FROM urls WHERE url = ? AND reason_code IN ('page_waiting', 'page_missing', 'continuation')",
                [url]).fetchone():
            # Page 2, 3 … of an article (waiting for its first page, or a copy left beside its
            # part): never an article of its own.
            continue
        record = analyse(body, url, charset_of(content_type), config_path, story_features=False)
        if record is None:
            counts["empty"] += 1
            continue
        record, extra = split(record)
        _annotate(db, record)
        with transaction(db):
            stored = queries.store_article(db, record, now=now_iso(), replace=True, indexed=extra.get("_search"))
            db.execute("UPDATE pages SET article_id = ? WHERE id = ?", [stored.id, _page_id])
            # The URLs of the page said "no article" (or an error): they say what it holds now.
            told = "stored as article" if stored.new else "already stored as article"
            for one in {url, *(r[0] for r in db.execute("SELECT url FROM urls WHERE page_id = ?", [_page_id]))}:
                frontier.record_result(db, one, outlet=record.get("outlet"), kind="article",
                                       code="stored" if stored.new else "duplicate", article_id=stored.id,
                                       page_id=_page_id, reason=f"{told} {stored.id} by newsmon reextract "
                                                                f"({record.get('method') or 'extracted'})")
        counts["articles"] += 1
    if opts.stories and (counts["articles"] or counts["split"]):
        # Not when nothing was read again (`--outdated` with none outdated): rebuilt anyway, every
        # story took the config's window, undoing a `newsmon regroup --window` made since.
        if progress is not None:
            # A bar of its own: the articles re-extracted are done, their stories not yet.
            regroup_shown(db, opts, stream=progress.stream)
        else:
            regroup(db, opts)
    elif opts.stories and db.execute("SELECT 1 FROM articles WHERE story_id IS NULL LIMIT 1").fetchone():
        # Articles in no story, and nothing read again: a reextract stopped in its regroup (which
        # clears every story first) had left every article current and no story at all, and its
        # rerun, finding none outdated, left it so. Placed into the stories as they are, as
        # ``regroup --storyless`` places them.
        if progress is not None:
            regroup_shown(db, opts, stream=progress.stream, storyless=True)
        else:
            regroup(db, opts, storyless=True)
    return counts


def add_next_page(db, url: str, body: bytes, content_type: str | None, *, config_path: str | None,
                  opts: Options) -> Revisited | None:
    """A page a stored article lacks (its URL ``page_missing``), had on its own: an archive's
    record of it. Read with the article's first page and the next pages it has, the article is
    completed as a revisit completes it (a new version), the page kept as its part. ``None``:
    ``url`` is no such page, or does not read as the article's next one (its first page pruned,
    say): a ``page_missing`` URL then keeps that state and reason, and its article's planned
    revisit reads it. Extracts in this process (the first page is here, not in a worker): a few
    ms, for the few articles split over pages."""
    state = frontier.state(db, url)
    if state is None or state.get("reason_code") != "page_missing" or state.get("article_id") is None:
        return None
    article_id = state["article_id"]
    first = db.execute("SELECT id FROM pages WHERE article_id = ? AND part_of IS NULL ORDER BY id DESC LIMIT 1",
                       [article_id]).fetchone()
    stored = queries.page_body(db, first[0]) if first else None
    if stored is None:
        return None
    first_url, first_body, first_type, _status = stored
    have = queries.continuation_pages(db, first[0])
    more = [(b, u, charset_of(c)) for u, b, c in have] + [(body, url, charset_of(content_type))]
    first_page = (first_body, first_url, charset_of(first_type))
    record = analyse(*first_page, config_path, opts.stories, more)
    if record is None or record.get("_pages", 1) != len(more) + 1:
        return None
    record, waited = read_waiting(db, record, first_page, more, config_path=config_path, stories=opts.stories)
    record, extra = split(record)
    now = now_iso()
    outlet = state.get("outlet")
    with transaction(db):
        _annotate(db, record)
        done = queries.store_article(db, record, now=now, page_id=first[0], article_id=article_id,
                                     indexed=extra.get("_search"))
        number = len(have) + 2
        _keep_parts(db, [PagePart(url, body, content_type, 200), *waited], first_url=first_url,
                    article_id=article_id, page_id=first[0], outlet=outlet, run_id=None, now=now, first_number=number)
        if extra.get("_next_page") and frontier.state(db, extra["_next_page"]) is None:
            _keep_parts(db, [PagePart(extra["_next_page"], problem="not among the pages read so far")],
                        first_url=first_url, article_id=article_id, page_id=first[0], outlet=outlet, run_id=None,
                        now=now, first_number=number + 1 + len(waited))
        if opts.stories and done.changed:
            _place(db, article_id, record, extra.get("_story"), opts, now=now, new=False)
    return Revisited(f"version {done.version}", done.changed, done.version, done.became_relevant)


def keep_waiting(db, *, url: str, first: str, body: bytes | None, content_type: str | None, outlet: str | None,
                 compressed: Compressed | None = None, note: str | None = None) -> None:
    """Page 2, 3 … of an article that an archive held before, or without, its first page
    (``pagination.continuation_of``): not an article of its own. Its raw page is kept and its URL
    is ``article``/``page_waiting`` until the article's earlier pages are read (``read_waiting``);
    a first page nothing knows yet is queued (``pending``) for the outlet's crawl, which reads
    the article whole. ``note``: what the archive did to the page (truncated)."""
    now = now_iso()
    number = pagination.page_of(url)[2]
    with transaction(db):
        page_id = queries.save_page(db, url, body, article_id=None, content_type=content_type, now=now,
                                    outlet=outlet, compressed=compressed)
        if outlet:
            frontier.add_pending(db, [first], outlet=outlet, now=now,
                                 reason=f"the first page of {url}, which an archive held without it; not fetched yet")
        known = db.execute("SELECT kind FROM urls WHERE url = ?", [first]).fetchone()
        queued = known is not None and known[0] == "pending"
        frontier.record_result(
            db, url, outlet=outlet, kind="article", code="page_waiting", page_id=page_id, attempt=True, now=now,
            reason=(f"page {number} of the article at {first}, held by the archives before or without its first "
                    "page: kept, and read with that page when an ingest reads it"
                    + ("; the first page is queued for the outlet's crawl, which reads the article whole"
                       if queued else "") + (f" ({note})" if note else "")))


def waiting_page(db, url: str) -> int | None:
    """The raw page kept of ``url`` while it waits for its article's first page (``keep_waiting``)."""
    row = db.execute("SELECT page_id FROM urls WHERE url = ? AND reason_code = 'page_waiting'", [url]).fetchone()
    return row[0] if row else None


def read_waiting(db, record: dict[str, Any], first: tuple[bytes, str, str | None],
                 more: list[tuple[bytes, str, str | None]], *, config_path: str | None, stories: bool,
                 ) -> tuple[dict[str, Any], list[PagePart]]:
    """The article's next pages that an ingest kept waiting for it (``page_waiting``: an archive
    held them before, or without, their first page), read with the pages read so far.

    ``record``: ``analyse``'s of ``first`` (body, URL, charset) and ``more``; ``more`` grows with
    the pages read. Returns the record of them all and those pages (``PagePart`` with their kept
    raw pages): none when the page ``record`` goes on at is not waiting, or does not read as the
    article's next one. Extracts in this process, as ``add_next_page`` does."""
    parts: list[PagePart] = []
    while (following := record.get("_next_page")) and len(more) + 1 < pagination.MAX_PAGES:
        page_id = waiting_page(db, following)
        stored = queries.page_body(db, page_id) if page_id is not None else None
        if stored is None:
            break
        _url, body, content_type, _status = stored
        page = (body, following, charset_of(content_type))
        found = analyse(*first, config_path, stories, [*more, page])
        if found is None or found.get("_pages", 1) != len(more) + 2:
            break
        more.append(page)
        parts.append(PagePart(following, body, content_type, 200, page_id=page_id))
        record = found
    return record, parts


def _plan_next_pages(db, article_id: int, url: str, following: str) -> None:
    """An article read from its first page only, whose next pages were never fetched: its next
    page is its ``page_missing`` page, and its revisit is due now, so that the outlet's next crawl
    reads its pages (``reextract`` fetches nothing itself)."""
    now = now_iso()
    row = db.execute("SELECT outlet FROM urls WHERE url = ?", [url]).fetchone()
    outlet = row[0] if row else None
    with transaction(db):
        _keep_parts(db, [PagePart(following, problem="never fetched: the article was stored before newsmon read "
                                                      "articles split over pages")],
                    first_url=url, article_id=article_id, page_id=None, outlet=outlet, run_id=None, now=now)
        versions.revisit_now(db, url, article_id=article_id, outlet=outlet, now=now)


def outlet_key(url: str, outlets: dict[str, Outlet]) -> str | None:
    outlet = outlet_for_url(url, outlets)
    return outlet.key if outlet else None
