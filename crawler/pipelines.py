"""Item pipeline: fetched pages → raw page stored → extract and score (in worker processes) → SQLite.

Every ``FetchedPage`` ends in a URL state with a reason (``storage.frontier``): a failure or a
refusal at once; a body that cannot be a page (empty, a PDF, binary) as an error before it is
stored; any other page is stored raw first, then extracted, so that a crawl killed while the
workers are busy loses no download.

A revisit of a stored article (``FetchedPage.revisit``) never changes its URL's state: a 304 or
an unchanged text stores nothing, a changed one a new version (``store.save_revisit``), and a
failure, a wall or an empty body is noted in the URL's reason while the article stays.
"""

from __future__ import annotations

import logging
from concurrent.futures import BrokenExecutor

import scrapy

from storage import frontier, queries
from storage import stories as story_terms
from storage.exceptions import DatabaseUnwritable

from . import health, pagination, store
from .encoding import charset_of
from .middlewares import Stopped
from .outcome import (NOTICE_CODES, Problem, check_body, exhausted_state, extraction_crash, failure_problem,
                      http_status_problem, no_article_problem, redirected_away)
from .spiders.news import FetchedPage
from .walls import ASKED_CODES, STATED_CODES, Wall, detect_wall, empty_document_wall, login_page, wall_headers
from .workers import Workers, crawl_workers


def read_wall(problem: Problem | None) -> Wall | None:
    """The wall a page's reading found where the article should be (an empty document, a login or an age asked in
    words, a region refused), ``None`` for any other problem: tried again, never a verdict on the article."""
    if problem is None:
        return None
    if problem.code == "empty_document":
        return empty_document_wall(problem.reason)
    if problem.code in STATED_CODES:
        return Wall(problem.code.removeprefix("wall_"), "", problem.reason)
    return None

logger = logging.getLogger(__name__)

#: A revisit answered so: the outlet took the article down (the article stays, marked removed).
GONE = (404, 410)


class StorePipeline:
    """Store each fetched article page exactly once, with its raw HTML and its score.

    Extraction runs in ``NEWSMON_EXTRACT_WORKERS`` processes, more (up to
    ``NEWSMON_EXTRACT_WORKERS_MAX``) while pages wait for them (``crawler/workers.py``): in the
    reactor thread it would stall every download while it parses (PERF_NOTES.md). Writes stay in this process, short
    transactions, so readers (Datasette, DB Browser) are never locked out for long.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.config_path = settings.get("NEWSMON_CONFIG")
        self.workers = settings.getint("NEWSMON_EXTRACT_WORKERS")
        self.most_workers = settings.getint("NEWSMON_EXTRACT_WORKERS_MAX")
        self.max_attempts = settings.getint("NEWSMON_MAX_ATTEMPTS")
        self.max_pages = settings.getint("NEWSMON_MAX_ARTICLE_PAGES", pagination.MAX_PAGES)
        self.wall_backoff = settings.getfloat("NEWSMON_WALL_BACKOFF")
        self.pool: Workers | None = None
        # Pages per outlet whose rules text is also compared with generic extraction (health).
        self.crosscheck = settings.getint("NEWSMON_HEALTH_CROSSCHECK")
        self.crosschecks: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = store.crawler_db(self.crawler)
        # The database file, for workers to read stored pages from (none for an in-memory one).
        self.db_file = self.db.execute("PRAGMA database_list").fetchone()[2] or None
        # Started by run_crawl before Scrapy, to load while the crawler is built; else here.
        self.pool = getattr(self.crawler, "_newsmon_workers", None)
        if self.pool is None and self.workers > 0:
            self.pool = crawl_workers(self.workers, self.most_workers, self.config_path)
        self.outlets = store.outlets_of(self.config_path)
        self.opts = getattr(self.crawler.spider, "store_options", None) or store.settings_options(
            self.crawler.settings)

    async def _extract(self, item: FetchedPage, url: str, page_id: int | None, *,
                       revisit: bool = False) -> tuple[dict | None, Problem | None]:
        """``_analyse`` for a page; what goes wrong is the page's ``Problem``, never the run's.

        A worker that dies (killed for its memory, a crash in a C parser) takes the pages it had
        with it; ``Workers`` starts another in its place (without one, every later page sent there
        would fail too), and each of those pages is tried once more; killing a worker again, it
        is its own error. The other workers and their pages are untouched.
        """
        retried = False
        while True:
            try:
                return await self._analyse(item.outlet, item.body, url, item.charset, page_id, revisit=revisit)
            except BrokenExecutor as exc:
                # crawler/workers.py has started a new worker in place of the dead one.
                logger.error("newsmon: an extraction worker died while extracting %s (%s); a new one is started",
                             url, exc)
                if not retried:
                    retried = True
                    continue
                failure = f"the extraction worker died on this page twice ({exc}); its raw page is kept"
            except Exception as exc:  # one bad page must not end the run; its raw page is kept
                logger.error("newsmon: extraction failed for %s: %s: %s", url, type(exc).__name__, exc)
                failure = extraction_crash(exc).reason
            if not revisit:  # a revisit is no evidence of the outlet's health
                self.stats.inc_value("newsmon/extract/failed")
                self._count(item.outlet, "no_article")
            return None, Problem("extract_failed", failure)

    async def _series(self, item: FetchedPage, url: str, record: dict | None, *, revisit: bool = False,
                      ) -> tuple[dict | None, list[store.PagePart], str | None]:
        """An article split over several pages: its next pages fetched and read with it.

        Returns the record of all the pages read (scored whole), the next pages as fetched
        (``store.PagePart``: a body, or why none), and a note for the URL's reason. A page that
        cannot be fetched or holds no article text ends the reading there: the article is what
        came before, and says so, and the outlet's health counts an error (next pages that
        stop working would otherwise only shorten its articles). Nothing is kept until the whole
        article is: a run killed in between reads the first page again, and its next pages with it.
        """
        if record is None or not record.get("_next_page"):
            return record, [], None
        parts: list[store.PagePart] = []
        more: list[tuple[bytes, str, str | None]] = []
        while (following := record.get("_next_page")) and len(parts) + 1 < self.max_pages:
            if following == url or any(p.url == following for p in parts):
                break  # a pager that leads back (page_of rules most such out)
            part = await self._fetch_part(following, item.outlet)
            parts.append(part)
            self.stats.inc_value("newsmon/pages/next_fetched")
            if part.problem is not None:
                break
            more.append((part.body, following, part.charset))
            try:
                found = await self._analyse_more(item, url, more)
            except Exception as exc:  # noqa: BLE001  (the pages read so far are the article)
                found, part.problem = None, f"extraction failed: {type(exc).__name__}: {exc}"
            if found is None or found.get("_pages", 1) <= len(more):
                part.problem = part.problem or "no article text in it"
                break
            record = found
        read = 1 + sum(p.problem is None for p in parts)
        failed = next(((n, p) for n, p in enumerate(parts, start=2) if p.problem is not None), None)
        if failed is not None:
            self.stats.inc_value("newsmon/pages/next_missing")
            if not revisit and not failed[1].stopped:
                self._count(item.outlet, "errors")
            number, part = failed
            note = (f"read from its first {read} page(s) only: page {number} ({part.url}) could not be read "
                    f"({part.problem}); a revisit tries again")
        elif record.get("_next_page"):
            note = (f"read from its first {read} pages only (NEWSMON_MAX_ARTICLE_PAGES = {self.max_pages}): it goes "
                    f"on at {record['_next_page']}")
        else:
            note = f"read from {read} pages, the last {parts[-1].url}"
        return record, parts, note

    async def _fetch_part(self, url: str, outlet: str) -> store.PagePart:
        """One next page, through the downloader middlewares (robots.txt, scope, politeness)."""
        request = scrapy.Request(url, dont_filter=True, meta={"newsmon_outlet": outlet, "newsmon_url": url,
                                                              "newsmon_part": True})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001  (refused, walled, timed out: the reason is kept)
            if isinstance(exc, Stopped):
                # Dropped or cut short by the stop (``middlewares.StopGraceMiddleware``): no failure of the outlet's,
                # and the next page is not said to be missing. A failure of the server's in the stop's grace is one.
                return store.PagePart(url, problem="not fetched: the crawl was stopped before it", stopped=True)
            reason = getattr(exc, "reason", None) or getattr(getattr(exc, "wall", None), "reason", None)
            if reason:
                return store.PagePart(url, problem=reason)
            problem = failure_problem([c.__name__ for c in type(exc).__mro__], str(exc))
            if problem.code == "crawl_bug":  # as the spider's errbacks count one (NewsSpider._fetch_failure)
                self.stats.inc_value("newsmon/bugs")
                logger.exception("newsmon: a bug while fetching %s", url)
            return store.PagePart(url, problem=problem.reason)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if response.status != 200:
            return store.PagePart(url, status=response.status, problem=http_status_problem(response.status).reason)
        if response.url != url and pagination.page_of(response.url) != pagination.page_of(url):
            # Past its last page, a site may send the reader to the first, or to its home page.
            return store.PagePart(url, status=200, problem=f"redirected to {response.url[:200]}")
        wall = detect_wall(200, wall_headers(response), response.body, response.url)
        problem = wall.reason if wall is not None else getattr(check_body(response.body, content_type), "reason", None)
        if problem is not None:
            return store.PagePart(url, status=200, problem=problem)
        return store.PagePart(url, response.body, content_type, 200)

    async def _analyse_more(self, item: FetchedPage, url: str, more: list[tuple[bytes, str, str | None]]
                            ) -> dict | None:
        # Every page read again with the first (a few ms each, for the few articles that have
        # next pages): the worker returns one article, scored and grouped as a whole.
        args = (item.body, url, item.charset, self.config_path, False, self.opts.stories, more)
        if self.pool is None:
            return health.analyse(*args)[0]
        return (await self.pool.run(health.analyse, *args))[0]

    def close_spider(self) -> None:
        if self.pool is not None:
            self.stats.set_value("newsmon/extract/workers", self.pool.size)
            self.pool.shutdown(wait=True)
        try:
            story_terms.flush_terms(self.db)  # the IDF statistics of this run's articles
        except DatabaseUnwritable:  # the ledger says why the run stopped; nothing to add here but the loss
            logger.warning("newsmon: the story term counts of this run's articles are not stored (the database is "
                           "not writable); `newsmon regroup` counts every article's again")

    @property
    def run_id(self) -> int | None:
        return self.stats.get_value("newsmon/run_id")

    async def _analyse(self, outlet: str, body: bytes, url: str, charset: str | None, page_id: int | None, *,
                       revisit: bool = False):
        # A revisit is no new evidence of the outlet's health: its signals are not counted.
        crosscheck = not revisit and self.crosschecks.get(outlet, 0) < self.crosscheck
        if crosscheck:
            self.crosschecks[outlet] = self.crosschecks.get(outlet, 0) + 1
        args = (body, url, charset, self.config_path, crosscheck, self.opts.stories)
        if self.pool is None:
            record, signals, problem = health.analyse(*args)
        elif page_id is not None and self.db_file:
            # The page is in the database already (keep_page): the worker reads it there, so the
            # crawl process never pickles a 100 KB body through a pipe (and the GIL) again.
            record, signals, problem = await self.pool.run(health.analyse_stored, self.db_file, page_id, url,
                                                           charset, self.config_path, crosscheck, self.opts.stories)
        else:
            record, signals, problem = await self.pool.run(health.analyse, *args)
        if not revisit:
            for name, value in signals.items():
                self.stats.inc_value(health.stat_key(outlet, name), value)
        return record, problem

    def _sent_away(self, item: FetchedPage) -> bool:
        """Whether a redirect led ``item`` to a page its outlet's article URL pattern does not take
        (its front page, a section): no article of the outlet, as far as its URL goes. Extracted,
        a section page was stored as an article, and every later URL sent on to it became that
        article's duplicate, never read."""
        outlet = self.outlets.get(item.outlet)
        return bool(item.final_url and outlet is not None and outlet.article_url_pattern
                    and not outlet.matches_pattern(item.final_url))

    @staticmethod
    def _walled_in_words(item: FetchedPage) -> bool:
        """Whether the page a redirect led to says it is a wall (a members' login asked in words, a
        region refused, an empty shell): a wall where the article is, tried again as one, never
        an article taken down."""
        if check_body(item.body or b"", item.content_type) is not None:
            return False
        try:
            problem = no_article_problem(item.body or b"", item.charset)
        except Exception:  # noqa: BLE001  (no verdict on it: the URL ends redirected_away, with its reason)
            logger.exception("newsmon: the page %s was sent on to could not be read for a wall", item.url)
            return False
        return read_wall(problem) is not None

    def _count(self, outlet: str, name: str) -> None:
        self.stats.inc_value(health.stat_key(outlet, name))

    def _failed(self, item: FetchedPage, problem: Problem, *, attempt: bool = True) -> None:
        """An error of the fetch (or of the body): tried again next run until attempts run out."""
        state, attempts = exhausted_state(problem.code)
        left = frontier.record_failure(self.db, item.url, outlet=item.outlet, code=problem.code,
                                       reason=problem.reason, max_attempts=attempts or self.max_attempts,
                                       exhausted=state, http_status=item.status, run_id=self.run_id,
                                       attempt=attempt, redirected_to=item.final_url, not_before=item.not_before,
                                       unretried=item.unretried)
        self.stats.inc_value("newsmon/errors")
        self.stats.inc_value(f"newsmon/url_state/{left}")
        self._count(item.outlet, "errors")

    def _spider_note(self, method: str, *args) -> None:
        spider = self.crawler.spider
        if hasattr(spider, method):  # the news spider; `newsmon check` runs without walls bookkeeping
            getattr(spider, method)(*args)

    def _blocked(self, item: FetchedPage, wall: Wall, *, attempt: bool = True) -> None:
        """A wall where the article should be: never stored; tried again after a growing wait."""
        reason = wall.reason
        if item.final_url and item.final_url not in reason:
            # A members' page the article was sent on to: where the wall stood is half of what to do.
            reason += f" (at {item.final_url[:200]}, where the article's URL was sent on)"
        left = frontier.record_blocked(self.db, item.url, outlet=item.outlet, code=wall.code, reason=reason,
                                       backoff=self.wall_backoff, http_status=item.status, run_id=self.run_id,
                                       attempt=attempt, redirected_to=item.final_url)
        self.stats.inc_value(f"newsmon/url_state/{left}")
        self._note_wall(item.outlet, wall)

    def _note_wall(self, outlet: str, wall: Wall) -> None:
        # A login or an age one article's page asks for (``walls.ASKED_CODES``) is that article's
        # gate: the outlet's free articles beside it are still asked for, where after a bot
        # challenge or a consent wall in a row the others wait (the spider's WALLS_BEFORE_STOP).
        self._spider_note("note_gate" if wall.code in ASKED_CODES else "note_wall", outlet, wall)

    async def _revisit(self, item: FetchedPage) -> None:
        """A revisit's answer: a new version, nothing, or a failure noted (the article stays)."""
        if item.postponed:  # the outlet walled us off: still due, next run
            self.stats.inc_value("newsmon/revisit/postponed")
            return
        if not item.refused:
            self.stats.inc_value("newsmon/revisit/requests")
        if item.problem is not None:
            if item.status in GONE:
                self._removed(item, f"its page answers {item.problem.reason}")
                return
            if item.blocked:
                self._note_wall(item.outlet, Wall(item.problem.code.removeprefix("wall_"), "", item.problem.reason))
            store.revisit_failed(self.db, item.url, item.problem.reason, opts=self.opts, status=item.status,
                                 counted=not item.refused)
            self.stats.inc_value("newsmon/revisit/failed")
            return
        if item.not_modified:
            store.revisit_not_modified(self.db, item.url, article_id=item.revisit, opts=self.opts, etag=item.etag,
                                       last_modified=item.last_modified)
            if not item.note:
                # Its own address answered the copy's validators, the same page: it serves it again. Kept, the
                # copy a cache still served read its takedown as 'unchanged' once the feed rolled past it.
                frontier.forget_copy(self.db, item.url)
            self.stats.inc_value("newsmon/revisit/not_modified")
            return
        problem = check_body(item.body or b"", item.content_type)
        record, parts = None, []
        if problem is None:
            record, problem = await self._extract(item, item.final_url or item.url, None, revisit=True)
            if (record is not None and self._sent_away(item)
                    and not queries.shares_article_text(self.db, item.revisit, record.get("text"))):
                # A section's lead story where the article was was stored as its new version; the
                # article moved to a URL of another shape keeps its text, and is read as it is.
                self._removed(item, f"its URL now leads to {item.final_url}, which the outlet's article URL "
                                    "pattern does not take, and whose text is not the article's")
                return
            record, parts, _ = await self._series(item, item.final_url or item.url, record, revisit=True)
        missing = next((n for n, p in enumerate(parts, start=2) if p.problem is not None), None)
        if missing is not None:
            # A part of the article is no new version of it: tried again at the next revisit.
            part = parts[missing - 2]
            store.revisit_failed(self.db, item.url, f"page {missing} ({part.url}) could not be read: {part.problem}",
                                 opts=self.opts, status=item.status)
            self.stats.inc_value("newsmon/revisit/failed")
            return
        if record is None:
            problem = problem or Problem("not_article", "no article in the page")
            if problem.code in NOTICE_CODES:
                # A deletion notice or a "not found" page where the article was: taken down, as
                # by a 404. Its words are no version of the article, whose text stays; where the URL
                # was sent on to it, that is said first (how outlets take articles down).
                moved = item.final_url and item.final_url != item.url
                self._removed(item, f"its URL now leads to {item.final_url}, where there is no article: "
                                    f"{problem.reason}" if moved else problem.reason)
                return
            if (wall := read_wall(problem)) is not None:
                self._note_wall(item.outlet, wall)
                reason = wall.reason
            else:
                reason = f"no article in the page any more: {problem.reason}" if problem.code == "not_article" \
                    else problem.reason
            if problem.code == "not_article" and item.final_url and item.final_url != item.url:
                # Sent on to a page with no article (the outlet's front page, a "not found" page
                # served with 200): how outlets take articles down as often as with a 404.
                self._removed(item, f"its URL now leads to {item.final_url}, where there is no article")
                return
            store.revisit_failed(self.db, item.url, reason, opts=self.opts, status=item.status)
            self.stats.inc_value("newsmon/revisit/failed")
            return
        self._spider_note("note_page", item.outlet)
        if record.get("outlet") is None:
            store.assign_outlet(record, item.outlet, self.outlets)
        read_before = await self._read_as_before(item, record)
        done = store.save_revisit(self.db, url=item.url, article_id=item.revisit, body=item.body, record=record,
                                  opts=self.opts, http_status=item.status or 200, content_type=item.content_type,
                                  etag=item.etag, last_modified=item.last_modified, parts=parts, run_id=self.run_id,
                                  read_before=read_before, note=item.note)
        if not item.note and not (done.failed or done.removed):
            frontier.forget_copy(self.db, item.url)  # its own address serves it again
        if done.failed:
            self.stats.inc_value("newsmon/revisit/failed")
        elif done.removed or done.paywalled:
            self.stats.inc_value(f"newsmon/revisit/{'removed' if done.removed else 'paywalled'}")
        elif done.changed:
            self.stats.inc_value("newsmon/revisit/changed")
            if done.became_relevant:
                self.stats.inc_value("newsmon/articles/became_relevant")
        else:
            self.stats.inc_value("newsmon/revisit/unchanged")

    async def _read_as_before(self, item: FetchedPage, record: dict) -> str | None:
        """A revisit read by another method than its article was stored by (the outlet's rules
        stopped matching, or match again) gives another text for the same article: captions,
        spacing, a line more or less. The pages stored for the article, read again now the same
        way: the method it was stored by when they give the revisit's title and text, the outlet
        having changed nothing of the article; else ``None``. One more reading, only for such a
        revisit."""
        row = self.db.execute("SELECT a.method, a.content_hash, u.page_id FROM articles a LEFT JOIN urls u "
                              "ON u.url = ? WHERE a.id = ?", [item.url, item.revisit]).fetchone()
        if row is None or not row[0] or row[2] is None or row[0] == record.get("method"):
            return None
        if record.get("content_hash") == row[1]:  # hashed in the worker (store.analyse)
            return None
        stored = queries.page_body(self.db, row[2])
        if stored is None:  # pruned
            return None
        # Read as reextract reads it: under the URL it was fetched from, in the charset it was
        # served in, with the next pages kept with it.
        more = [(b, u, store.charset_of(c)) for u, b, c in queries.continuation_pages(self.db, row[2])]
        args = (stored[1], stored[0], store.charset_of(stored[2]), self.config_path,
                health.reading_of(record.get("method")), record.get("title"), record.get("text") or "", more)
        try:
            same = health.reads_as(*args) if self.pool is None else await self.pool.run(health.reads_as, *args)
        except Exception as exc:  # noqa: BLE001  (the revisit is stored as it reads: a new version)
            logger.warning("newsmon: the stored page of article %s could not be read again: %s: %s", item.revisit,
                           type(exc).__name__, exc)
            return None
        return row[0] if same else None

    def _removed(self, item: FetchedPage, reason: str) -> None:
        """A revisit found the article taken down: it stays, marked removed (``store.revisit_removed``)."""
        done = store.revisit_removed(self.db, item.url, reason, article_id=item.revisit, opts=self.opts,
                                     status=item.status, run_id=self.run_id)
        self.stats.inc_value(f"newsmon/revisit/{'failed' if done.failed else 'removed'}")

    async def process_item(self, item):
        if not isinstance(item, FetchedPage):
            return item
        try:
            return await self._store(item)
        except DatabaseUnwritable as exc:
            # The crawl stops; the URL keeps the state it had, and the next run fetches it.
            store.database_unwritable(self.crawler, exc)
            return item

    async def _store(self, item: FetchedPage) -> FetchedPage:
        if item.revisit is not None:
            await self._revisit(item)
            return item
        if item.stored_as is not None:  # a redirect to a stored article's URL, not fetched again
            article_id, target = item.stored_as
            status = item.redirect_reasons[0] if item.redirect_reasons else None
            reason = item.problem.reason if item.problem else f"already stored as article {article_id}"
            frontier.record_result(self.db, item.url, outlet=item.outlet, kind="article", code="duplicate",
                                   reason=reason, article_id=article_id,
                                   http_status=status if isinstance(status, int) else None,
                                   redirected_to=target, run_id=self.run_id, attempt=True)
            self.stats.inc_value("newsmon/url_state/article")
            return item
        if item.problem is not None:
            if item.postponed:
                frontier.postpone(self.db, item.url, outlet=item.outlet, reason=item.problem.reason, run_id=self.run_id)
                self.stats.inc_value("newsmon/url_state/pending")
            elif item.blocked:
                self._blocked(item, Wall(item.problem.code.removeprefix("wall_"), "", item.problem.reason))
            elif item.refused:
                frontier.record_refused(self.db, item.url, outlet=item.outlet, code=item.problem.code,
                                        reason=item.problem.reason, run_id=self.run_id, redirected_to=item.sent_off)
                self.stats.inc_value("newsmon/url_state/refused")
                if item.problem.code == "robots_unavailable":
                    self._count(item.outlet, "robots_unavailable")
            else:
                self._failed(item, item.problem)
            return item
        url = item.final_url or item.url
        if item.page_id is None:
            outlet = self.outlets.get(item.outlet)
            # The third scope check (discovery and the downloader did theirs): nothing from
            # another host or scheme is ever stored.
            if outlet is not None and not outlet.in_scope(url):
                frontier.record_refused(self.db, item.url, outlet=item.outlet, code="off_scope",
                                        reason=f"served from {url[:200]}, off the outlet's domains", run_id=self.run_id)
                return item
            if self._sent_away(item):
                # A login page in the site's template, at an address no login's (``walls.url_wall``): a members'
                # article's gate, never an article taken down.
                if (wall := login_page(item.status or 200, item.body or b"", item.content_type or "")) is not None:
                    self._blocked(item, wall)
                    return item
                if not self._walled_in_words(item):
                    self._failed(item, redirected_away(item.redirects or [item.url], url, item.redirect_reasons))
                    return item
            problem = check_body(item.body or b"", item.content_type)
            if problem is not None:
                logger.warning("newsmon: %s: %s", item.url, problem.reason)
                self._failed(item, problem)
                return item
            item.page_id = store.keep_page(self.db, item.url, item.body, outlet=item.outlet, http_status=item.status,
                                           content_type=item.content_type, final_url=item.final_url,
                                           run_id=self.run_id)
        else:  # downloaded by a run that was killed before extracting it
            stored = queries.page_body(self.db, item.page_id)
            if stored is None:
                # add_pending would leave the URL as it is (fetched, with a dead page id) and it
                # would come back every run: pending again, it is downloaded anew.
                frontier.postpone(self.db, item.url, outlet=item.outlet, run_id=self.run_id,
                                  reason="its downloaded page is no longer in the database; fetched again next run")
                self.stats.inc_value("newsmon/url_state/pending")
                return item
            url, item.body, item.content_type, item.status = stored
            item.charset = charset_of(item.content_type)
            if url != item.url:
                # Stored under where the URL was sent on (``keep_page``): a redirect. Read without
                # it, the article took the first URL for its own and the page's URL had no row.
                item.final_url = url
        self._count(item.outlet, "pages")
        record, problem = await self._extract(item, url, item.page_id)
        record, parts, note = await self._series(item, url, record)
        note = "; ".join(n for n in (item.note, note) if n) or None
        if record is None:
            self.stats.inc_value("newsmon/extract/empty")
        elif record.get("outlet") is None:
            store.assign_outlet(record, item.outlet, self.outlets)
        if record is None and (wall := read_wall(problem)) is not None:
            # An empty document where the outlet's article should be (a wall until shown otherwise), a login or
            # an age asked, the region refused: tried again, not a verdict on it. Counted as a wall (``_blocked``),
            # not as a page too, nor as a page without an article: counted twice, 4 empty shells of 6 article
            # pages were "4 of the 10 pages", under half, where 4 challenges of 6 blocked the outlet.
            self.stats.inc_value(health.stat_key(item.outlet, "pages"), -1)
            self.stats.inc_value(health.stat_key(item.outlet, "no_article"), -1)
            self._blocked(item, wall, attempt=False)
            return item
        if record is not None:
            self._spider_note("note_page", item.outlet)
        saved = store.save_verdict(self.db, url=item.url, page_id=item.page_id, record=record, outlet=item.outlet,
                                   problem=problem, final_url=item.final_url, redirects=item.redirects,
                                   redirect_reasons=item.redirect_reasons, max_attempts=self.max_attempts,
                                   http_status=item.status, run_id=self.run_id, opts=self.opts, revisit=True,
                                   etag=item.etag, last_modified=item.last_modified, note=note, parts=parts)
        if saved.state == "article" and not item.note:  # read from its own address, not its AMP copy
            frontier.forget_copy(self.db, item.url)
        self.stats.inc_value(f"newsmon/url_state/{saved.state}")
        if saved.state not in ("article", "not_article"):
            self.stats.inc_value("newsmon/errors")
            self._count(item.outlet, "errors")
        if saved.new:
            self.stats.inc_value("newsmon/articles/new")
            self._count(item.outlet, "articles_new")
            if saved.relevant:
                self.stats.inc_value("newsmon/articles/relevant")
                self._count(item.outlet, "articles_relevant")
        elif saved.article_id is not None:
            self.stats.inc_value("newsmon/articles/duplicate")
        return item
