"""The one path from a fetched page to a stored article: extract, score, store.

The crawl pipeline, ``newsmon ingest`` (web archives) and ``newsmon reextract`` (stored raw
pages) all go through here, so an article is the same whichever way it arrived.

``analyse`` is pure and picklable, for worker processes; ``save`` writes one page and its
article in one transaction, so a process killed at any moment leaves either both or neither.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from storage import frontier, open_db, queries, transaction

from .config import load_config
from .extract import extract_article
from .outcome import Problem, redirect_chain
from .outlets import Outlet, outlet_for_url
from .scoring import Topic, load_topics, score_article
from .urls import canonical_url

# Per worker process: the outlets and topics of each config file, loaded once.
_CONTEXT: dict[str | None, tuple[dict[str, Outlet], dict[str, Topic]]] = {}


def context(config_path: str | None) -> tuple[dict[str, Outlet], dict[str, Topic]]:
    """The outlets and topics for a config file (cached per process)."""
    if config_path not in _CONTEXT:
        config = load_config(config_path)
        _CONTEXT[config_path] = (config.outlets, load_topics(overrides=config.topics or None))
    return _CONTEXT[config_path]


def watch_parent(pid: int) -> None:
    """Extraction-worker initializer: exit once the crawl process that started us is gone.

    A crawl killed with SIGKILL cannot shut its pool down, and a worker blocked on its queue
    would otherwise live on (holding memory, and the forkserver with it).
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, name="newsmon-parent-watch", daemon=True).start()


def crawler_db(crawler):
    """The database connection of one crawl, shared by its components (spider, pipeline,
    middlewares, run ledger): they all run in the reactor thread, and one connection is one
    set of prepared statements and one WAL reader instead of four."""
    db = getattr(crawler, "_newsmon_db", None)
    if db is None:
        db = open_db(crawler.settings.get("NEWSMON_DB"))
        crawler._newsmon_db = db
    return db


def known_hosts(outlets: dict[str, Outlet]) -> set[str]:
    return {d for o in outlets.values() for d in o.domains}


def score_fields(title: str | None, text: str, topics: dict[str, Topic]) -> dict[str, Any]:
    """The score columns of an article: best topic, its score, relevance and evidence."""
    scores = score_article(title, text, topics)
    best = scores[0] if scores else None
    if best is None:
        return {"topic": None, "score": 0.0, "relevant": 0, "matched_terms": []}
    return {
        "topic": best.topic,
        "score": round(best.score, 3),
        "relevant": int(best.relevant),
        "matched_terms": [{"term": m.term, "count": m.count, "snippet": m.snippet} for m in best.matches],
    }


def analyse(body: bytes, url: str, http_charset: str | None = None,
            config_path: str | None = None) -> dict[str, Any] | None:
    """Extract and score one page; ``None`` when it holds no article. Runs in workers."""
    outlets, topics = context(config_path)
    article = extract_article(body, url, http_charset=http_charset, outlets=outlets)
    if article is None:
        return None
    record = article.to_dict()
    del record["paragraphs"]  # ``text`` keeps them, one per line
    hosts = known_hosts(outlets)
    record["url"] = canonical_url(url, hosts)
    record["canonical_url"] = canonical_url(article.canonical_url or url, hosts)
    record.update(score_fields(article.title, article.text, topics))
    return record


@dataclass
class Saved:
    article_id: int | None
    new: bool
    relevant: bool
    #: The URL's state after this page: article, not_article, error, gave_up, gone.
    state: str = "article"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


def save_verdict(db, *, url: str, page_id: int | None, record: dict[str, Any] | None, outlet: str | None,
                 problem: Problem | None = None, final_url: str | None = None, redirects: list[str] | None = None,
                 max_attempts: int = 3, http_status: int | None = 200, run_id: int | None = None,
                 attempt: bool = False) -> Saved:
    """What extraction made of a stored page, in one transaction: the article and the URL's state.

    ``record`` None: ``problem`` says why (``outcome.no_article_problem``): ``not_article`` is
    final, anything else (an empty document, markup too deep) an error tried again. A
    redirected URL (``final_url``) and its target both end as the article; the target is where
    the article is stored, the original an alias of it, and neither is fetched again.
    """
    now = now_iso()
    urls = [url] + ([final_url] if final_url and final_url != url else [])
    via = f" (redirected: {redirect_chain(redirects or [url], final_url)})" if final_url and final_url != url else ""
    with transaction(db):
        if record is not None:
            article_id, new = queries.save_article(db, record, now=now)
            if page_id is not None:
                db.execute("UPDATE pages SET article_id = ? WHERE id = ?", [article_id, page_id])
            told = "stored as article" if new else "already stored as article"
            reason = f"{told} {article_id} ({record.get('method') or 'extracted'}){via}"
            for one in urls:
                frontier.record_result(db, one, outlet=outlet, kind="article", code="stored" if new else "duplicate",
                                       reason=reason, article_id=article_id, page_id=page_id, http_status=http_status,
                                       redirected_to=final_url if one != urls[-1] else None, run_id=run_id,
                                       attempt=attempt, now=now)
            return Saved(article_id, new, bool(record.get("relevant")), "article")
        problem = problem or Problem("not_article", "no article in the page")
        if problem.code == "not_article":
            for one in urls:
                frontier.record_result(db, one, outlet=outlet, kind="not_article", code="not_article",
                                       reason=problem.reason + via, page_id=page_id, http_status=http_status,
                                       redirected_to=final_url if one != urls[-1] else None, run_id=run_id,
                                       attempt=attempt, now=now)
            return Saved(None, False, False, "not_article")
        state = frontier.record_failure(db, url, outlet=outlet, code=problem.code, reason=problem.reason + via,
                                        max_attempts=max_attempts, http_status=http_status, run_id=run_id,
                                        attempt=attempt, redirected_to=final_url, now=now)
        return Saved(None, False, False, state)


def save(db, *, url: str, body: bytes | None, record: dict[str, Any] | None, outlet: str | None,
         http_status: int = 200, content_type: str | None = None, keep_page: bool = True,
         error: str | None = None, problem: Problem | None = None) -> Saved:
    """Store one page, its article (if any) and the URL's state, in one transaction.

    For pages that arrive whole (``newsmon ingest``, tests); the crawl stores the raw page
    first (``keep_page``) and the verdict after extraction (``save_verdict``). With ``error``
    (extraction crashed) the URL is kept as an ``error`` to be tried again, never as
    ``not_article``: a bug of ours must not lose the article for good. ``problem``: why
    ``record`` is None (``outcome.no_article_problem``), as the crawl passes it.
    """
    now = now_iso()
    with transaction(db):
        page_id = None
        if body is not None and keep_page:
            page_id = queries.save_page(db, url, body, article_id=None, http_status=http_status,
                                        content_type=content_type, now=now, outlet=outlet)
        problem = Problem("extract_failed", error) if error else problem
        return save_verdict(db, url=url, page_id=page_id, record=record, outlet=outlet, problem=problem,
                            http_status=http_status, attempt=True)


def outlet_key(url: str, outlets: dict[str, Outlet]) -> str | None:
    outlet = outlet_for_url(url, outlets)
    return outlet.key if outlet else None
