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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from storage import queries, transaction

from .config import load_config
from .extract import extract_article
from .outlets import Outlet, outlet_for_url
from .scoring import TermMatch, Topic, best, load_topics, score_article
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


def known_hosts(outlets: dict[str, Outlet]) -> set[str]:
    return {d for o in outlets.values() for d in o.domains}


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

    # Bounded: at most two batches per worker in flight, so a million articles are never all in memory.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=watch_parent, initargs=(os.getpid(),)) as pool:
        pending: deque = deque()
        for rows in batches:
            pending.append((rows, pool.submit(score_batch, config_path,
                                              [(r["id"], r["title"], r["text"]) for r in rows])))
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


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def save(db, *, url: str, body: bytes | None, record: dict[str, Any] | None, outlet: str | None,
         http_status: int = 200, content_type: str | None = None, keep_page: bool = True,
         error: str | None = None) -> Saved:
    """Store one fetched page, its article (if any) and the URL's state, in one transaction.

    With ``error`` (extraction crashed, a worker died) the URL is kept as an ``error`` to be
    fetched again, never as ``not_article``: a bug of ours must not lose the article for good.
    """
    now = now_iso()
    if record is not None:
        from . import relevance

        # The classifier's probability beside the rules' score, when a model is trained.
        relevance.annotate(db, record)
    with transaction(db):
        article_id, new = (None, False)
        if record is not None:
            article_id, new = queries.save_article(db, record, now=now)
        if body is not None and keep_page:
            queries.save_page(db, url, body, article_id=article_id, http_status=http_status,
                              content_type=content_type, now=now)
        kind = "article" if record else ("error" if error else "not_article")
        queries.record_url(db, url, outlet=outlet, kind=kind, http_status=http_status,
                           article_id=article_id, error=error, now=now)
    return Saved(article_id, new, bool(record and record.get("relevant")))


def outlet_key(url: str, outlets: dict[str, Outlet]) -> str | None:
    outlet = outlet_for_url(url, outlets)
    return outlet.key if outlet else None
