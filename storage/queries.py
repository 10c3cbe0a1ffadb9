"""Reads and writes of the newsmon database: plain functions taking the database first.

Every write runs in ``transaction(db)``: alone, each call is one short transaction; inside a
caller's ``with transaction(db):`` the calls share that one. Times are ISO 8601 strings in UTC
with an offset (``2024-03-05T01:30:00+00:00``), passed in as ``now`` or taken from the clock.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import pages, versions
from .db import beside, pid_alive, transaction
from .exceptions import ArticleNotFound
from .search import bigrams, fts_query, shingles

STATUSES = ("new", "relevant", "dismissed", "follow-up")
"""Review statuses, in workflow order; ``new`` is the review queue."""

# What extraction gives (``crawler.article.Article.to_dict`` less ``paragraphs``), what
# scoring adds, and the hash. Anything else in an article dict is an error, not dropped:
# a field the extractor starts producing needs a column, i.e. a migration.
_EXTRACTED = ("url", "canonical_url", "outlet", "language", "title", "lead", "authors",
              "published_at", "modified_at", "text", "section", "tags", "paywalled", "method",
              "site_name", "primary_source")
_SCORED = ("topic", "score", "relevant", "matched_terms", "threshold")
# What the classifier adds (crawler.relevance); kept apart: a rescore by the rules alone leaves it.
_CLASSIFIED = ("relevance_p", "relevance_model_id", "relevance_flag")
# Which newsmon extraction read the article (``crawler.article.EXTRACTION_VERSION``).
_READ_BY = ("extraction",)
ARTICLE_FIELDS = _EXTRACTED + _SCORED + _CLASSIFIED + ("content_hash",) + _READ_BY
# Updated on an already-stored article whose content changed (a new version).
_CONTENT = ("title", "lead", "text", "modified_at", "content_hash")
_NEWEST = ("authors", "tags", "section", "paywalled", "method") + _READ_BY

_BATCH = 500


def now_utc() -> str:
    """The current time as stored: UTC, ISO 8601, seconds, with offset."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json(value: Any) -> str:
    # ensure_ascii=False: the JSON columns stay readable Japanese in DB Browser.
    return json.dumps(value, ensure_ascii=False)


# --- URLs ------------------------------------------------------------------------------------

def url_seen(db: Database, url: str) -> bool:
    """Whether the crawler has recorded ``url`` (canonicalised by the caller) in any way."""
    return db.execute("SELECT 1 FROM urls WHERE url = ?", [url]).fetchone() is not None


def url_done(db: Database, url: str, *, max_attempts: int = 3) -> bool:
    """Whether ``url`` needs no fetch: stored, or known not to be an article, or failed too often.

    A ``pending`` URL (discovered, not fetched yet) still needs its fetch.
    """
    row = db.execute("SELECT kind, attempts FROM urls WHERE url = ?", [url]).fetchone()
    if row is None:
        return False
    kind, attempts = row
    if kind == "pending":
        return False
    return kind != "error" or attempts >= max_attempts


def record_url(db: Database, url: str, *, outlet: str | None, kind: str, http_status: int | None = None,
               article_id: int | None = None, error: str | None = None, now: str | None = None) -> None:
    """Record one fetch of ``url``: its latest kind, status and error; one more attempt."""
    now = now or now_utc()
    with transaction(db):
        db.execute(
            """
            INSERT INTO urls (url, outlet, kind, http_status, article_id, first_seen_at,
                              last_seen_at, attempts, last_error)
            VALUES (:url, :outlet, :kind, :http_status, :article_id, :now, :now, 1, :error)
            ON CONFLICT (url) DO UPDATE SET
                outlet = coalesce(excluded.outlet, urls.outlet),
                kind = excluded.kind,
                http_status = excluded.http_status,
                article_id = coalesce(excluded.article_id, urls.article_id),
                last_seen_at = excluded.last_seen_at,
                attempts = urls.attempts + 1,
                last_error = excluded.last_error
            """,
            {"url": url, "outlet": outlet, "kind": kind, "http_status": http_status,
             "article_id": article_id, "now": now, "error": error})


# --- articles --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def nfkc(text: str) -> str:
    """``text`` in Unicode's NFKC form. The last few are remembered: a worker hashes, scores and
    matches the same title and text of a page, and NFKC of a 1,000-character article takes
    0.2 ms each time (3 % of extracting and scoring it)."""
    return unicodedata.normalize("NFKC", text)


def content_hash(title: str | None, text: str | None) -> str:
    """sha256 of the NFKC-normalised title and text: equal for the same story at two URLs."""
    data = nfkc(title or "") + "\n" + nfkc(text or "")
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def evidence(matched_terms: list[dict[str, Any]]) -> str | None:
    """``matched_terms`` as text, one line per term: ``term ×count [kind] — whose: snippet``,
    e.g. ``国家安全保障戦略 ×3 [foreign] — US (トランプ政権): …``; the kind only when the term
    does not count in full (foreign, cited, against)."""
    lines = []
    for match in matched_terms:
        snippet = " ".join(str(match.get("snippet") or "").split())
        head = f"{match.get('term')} ×{match.get('count', 0)}"
        if match.get("kind") in ("foreign", "cited", "against"):
            head += f" [{match['kind']}]"
        if match.get("attribution"):
            head += f" — {match['attribution']}"
        lines.append(f"{head}: {snippet}" if snippet else head)
    return "\n".join(lines) or None


def _article_row(article: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(article) - set(ARTICLE_FIELDS))
    if unknown:
        raise ValueError(f"article has unknown field(s) {', '.join(unknown)}: drop them before saving, "
                         "or add the columns in a new migration in storage/migrations.py")
    if not article.get("url"):
        raise ValueError("article has no url: every stored article needs the URL it was fetched from")
    row = {key: article[key] for key in ARTICLE_FIELDS if key in article}
    row["canonical_url"] = row.get("canonical_url") or row["url"]
    row["text"] = row.get("text") or ""
    for key in ("authors", "tags"):
        row[key] = _json(list(row.get(key) or []))
    row["paywalled"] = int(bool(row.get("paywalled")))
    if "relevant" in row:
        row["relevant"] = int(bool(row["relevant"]))
    if "matched_terms" in row:
        terms = list(row["matched_terms"] or [])
        row["matched_terms"] = _json(terms)
        row["evidence"] = evidence(terms)
    if not row.get("content_hash"):
        row["content_hash"] = content_hash(row.get("title"), row["text"])
    return row


def index_form(title: str | None, text: str | None) -> tuple[str, str]:
    """What ``articles_search`` holds of an article: its title and text in bigram form
    (``storage.search.bigrams``). The crawl's and the ingest's workers make it (``store_article``'s
    ``indexed``): a third of an ingest writer's Python time a new article otherwise."""
    return bigrams(title or ""), bigrams(text or "")


def _index(db: Database, article_id: int, title: str | None, text: str | None,
           indexed: tuple[str, str] | None = None) -> None:
    db.execute("DELETE FROM articles_search WHERE rowid = ?", [article_id])
    db.execute("INSERT INTO articles_search (rowid, title, text) VALUES (?, ?, ?)",
               [article_id, *(indexed or index_form(title, text))])


def _update_article(db: Database, article_id: int, changes: dict[str, Any]) -> None:
    # Plain SQL: sqlite-utils' update reads the table's columns and the row before writing, three
    # statements more for each page the writer stores. The names come from ARTICLE_FIELDS and
    # this module, never from a page.
    assignments = ", ".join(f"[{column}] = ?" for column in changes)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*changes.values(), article_id])


def _find_article(db: Database, row: dict[str, Any], passed: Iterable[int] = ()) -> dict[str, Any] | None:
    # An article without text is matched by URL only: pages whose extraction failed would
    # otherwise all share one hash and collapse into one article. By hash within its outlet
    # only: a regional paper's or Yahoo!'s word-for-word reprint of a Kyodo article is that
    # outlet's article (a copy, ``duplicate_of``, in the wire story's story), not a sighting of
    # Kyodo's. ``passed``: articles found before whose claim did not hold (``_claims_only``).
    by_hash = row["content_hash"] if row["text"].strip() else None
    passed = list(passed)
    found = db.execute(
        f"""
        SELECT id, canonical_url, content_hash, url FROM articles
        WHERE (canonical_url = ? OR url = ? OR (content_hash = ? AND outlet IS ?))
          AND id NOT IN ({", ".join("?" * len(passed))})
        ORDER BY canonical_url = ? DESC, url = ? DESC, id
        LIMIT 1
        """,
        [row["canonical_url"], row["url"], by_hash, row.get("outlet"), *passed, row["canonical_url"],
         row["url"]]).fetchone()
    return dict(zip(("id", "canonical_url", "content_hash", "url"), found)) if found else None


#: The share of the shorter text's shingles (``search.shingles``) the longer must hold for two
#: texts to be one article's: two articles on one subject share some, an article and its update
#: most; different articles of the saved pages share at most 0.43 (English, across sites), most
#: of them under 0.2; a flash holds all of its shingles in the article it grows into.
SHARED_SHINGLES = 0.5
#: Fewer shingles than this in the shorter text tell nothing: the texts are taken as one.
FEWEST_SHINGLES = 12


def shares_text(one: str | None, other: str | None) -> bool:
    """Whether two texts can be one article's: the shorter's shingles mostly in the longer (an
    update, a flash grown into the article, a teaser of it), or too short to tell."""
    a, b = (set(shingles(nfkc(text or "").lower())) for text in (one, other))
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) < FEWEST_SHINGLES:
        return True
    return len(shorter & longer) >= SHARED_SHINGLES * len(shorter)


def shares_article_text(db: Database, article_id: int, text: str | None) -> bool:
    """Whether ``text`` can be stored article ``article_id``'s (``shares_text``); not, when there
    is no such article."""
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    return row is not None and shares_text(row[0], text)


def _claims_only(db: Database, found: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether ``found`` matched ``row`` by a canonical URL alone, and the texts say that claim
    is false: a template that copies one article's canonical link into the next ones made
    each of them a "version" of the first, its text replaced and none of them new."""
    if found["canonical_url"] != row["canonical_url"] or found["url"] == row["url"] \
            or found["content_hash"] == row["content_hash"]:
        return False
    stored = db.execute("SELECT text FROM articles WHERE id = ?", [found["id"]]).fetchone()[0]
    return bool(stored.strip()) and not shares_text(stored, row["text"])


def _find_credible(db: Database, row: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The article ``row`` is a sighting of, if any, and the one its canonical URL named falsely.

    A page whose canonical URL names a stored article it shares no text with is its own article,
    under its own URL (``row`` is changed so). When the stored article is the one that claimed
    this page's URL, it gets back its own: the page at a URL says best what the URL is.
    """
    found = _find_article(db, row)
    if found is None or not _claims_only(db, found, row):
        return found, None
    named = found
    row["canonical_url"] = row["url"]
    found = _find_article(db, row, passed=[named["id"]])
    if found is not None and _claims_only(db, found, row) and _gave_back(db, found):
        found = None  # a second article had claimed this page's URL
    if found is None and named["canonical_url"] == row["canonical_url"] and not _gave_back(db, named):
        return named, None  # its own URL is a third article's: too tangled to undo, stored as before
    return found, named


def _gave_back(db: Database, claimant: dict[str, Any]) -> bool:
    """``claimant`` holds another page's URL as its canonical one, falsely: it takes its own URL
    instead, unless another article holds that."""
    if db.execute("SELECT 1 FROM articles WHERE canonical_url = ?", [claimant["url"]]).fetchone():
        return False
    db.execute("UPDATE articles SET canonical_url = url WHERE id = ?", [claimant["id"]])
    return True


@dataclass(frozen=True)
class StoredArticle:
    """What ``store_article`` did."""

    id: int
    #: A new article (not one already stored).
    new: bool
    #: Its title or text changed: a new version was recorded.
    changed: bool = False
    #: The version the ``articles`` row holds now.
    version: int = 1
    #: It is relevant now and was not before (new and relevant, or a version that made it so).
    became_relevant: bool = False
    #: The article (id, URL) the page's canonical URL named but whose text it does not share: it
    #: was stored apart from that one (``_find_credible``).
    named: tuple[int, str] | None = None
    #: ``named`` is the article that had taken this page's URL for its canonical one (it took its
    #: own back), not one this page's canonical link named.
    named_claimed: bool = False


def save_article(db: Database, article: dict[str, Any], *, now: str | None = None,
                 replace: bool = False) -> tuple[int, bool]:
    """Store an extracted (and scored) article once; return ``(id, is_new)``.

    ``store_article`` with its answer cut to the id and whether the article is new.
    """
    stored = store_article(db, article, now=now, replace=replace)
    return stored.id, stored.new


def store_article(db: Database, article: dict[str, Any], *, now: str | None = None, replace: bool = False,
                  page_id: int | None = None, article_id: int | None = None,
                  classify: Callable[[], dict[str, Any]] | None = None,
                  indexed: tuple[str, str] | None = None, captured: str | None = None) -> StoredArticle:
    """Store an extracted (and scored) article once.

    An article already stored under the same ``canonical_url`` or ``url``, or with the same
    ``content_hash`` in the same outlet (the same story at another URL), is not stored again: its
    ``last_seen_at`` is updated and, if its title or text changed, a new version is recorded
    (``storage.versions``) and its row takes the new content and score; its first published
    time stays (it is only filled in when unknown). With ``replace=True`` (``newsmon
    reextract``) every extracted and score field is overwritten instead, and no version is
    recorded. Review status and notes are always kept. A canonical URL is not taken on its word:
    a page that shares no text with the article it names is stored apart (``_find_credible``).

    Args:
        article: Fields named in ``ARTICLE_FIELDS``; ``authors``/``tags``/``matched_terms`` as
            Python lists. ``content_hash`` is computed when absent.
        now: The time of this sighting.
        page_id: The raw page (``pages.id``) the article was read from, kept with a new version.
        article_id: The stored article this is a fetch of (a revisit), whatever its URLs say.
        classify: gives the classifier's fields (``relevance_p`` …) of the article; called only
            when its row is written (new, changed or replaced), not for a duplicate: it costs a
            few ms with a model, in the one process that writes.
        indexed: ``index_form`` of the article's title and text, made elsewhere (a worker).
        captured: when an archive's crawler fetched the page, if an ingest read it: a new
            version's time (``now`` is when newsmon stored it).

    Raises:
        ValueError: an unknown field, or no ``url``.
        ArticleNotFound: ``article_id`` names no article.
    """
    row = _article_row(article)
    with transaction(db):
        # Read once the write lock is held: the article is dated when a reader can see it, not when
        # the write began waiting for another (a queue page loaded meanwhile would miss it as unread).
        now = now or now_utc()
        if article_id is not None:
            hit = db.execute("SELECT id, canonical_url, content_hash, url FROM articles WHERE id = ?",
                             [article_id]).fetchone()
            if hit is None:
                raise ArticleNotFound(f"no article has id {article_id}")
            found = dict(zip(("id", "canonical_url", "content_hash", "url"), hit))
            named = None
        else:
            found, named = _find_credible(db, row)
        claimed = (named["id"], named["url"]) if named else None
        claimant = bool(named) and named["canonical_url"] == row["url"] != named["url"]
        if found is None:
            row.update(classify() if classify else {})
            row.update(first_seen_at=now, last_seen_at=now)
            if row.get("relevant"):
                row["relevant_since"] = now
            # Plain SQL, as _update_article: sqlite-utils' insert looks the table up in
            # sqlite_master twice for every article the writer stores.
            columns = ", ".join(f"[{column}]" for column in row)
            new_id = db.execute(f"INSERT INTO articles ({columns}) VALUES ({', '.join('?' * len(row))})",
                                list(row.values())).lastrowid
            _index(db, new_id, row.get("title"), row["text"], indexed)
            return StoredArticle(new_id, True, became_relevant=bool(row.get("relevant")), named=claimed,
                                 named_claimed=claimant)
        changes: dict[str, Any] = {"last_seen_at": now}
        before = db.execute("SELECT version, relevant, published_at FROM articles WHERE id = ?",
                            [found["id"]]).fetchone()
        version, was_relevant, published = before
        changed = False
        if classify and (replace or row["content_hash"] != found["content_hash"]):
            row.update(classify())
        if replace:
            changes.update((k, v) for k, v in row.items() if k != "canonical_url")
            taken = db.execute("SELECT 1 FROM articles WHERE canonical_url = ? AND id != ?",
                               [row["canonical_url"], found["id"]]).fetchone()
            if not taken:
                changes["canonical_url"] = row["canonical_url"]
        elif row["content_hash"] != found["content_hash"]:
            changed = True
            version = versions.record_version(db, found["id"], row, now=captured or now, page_id=page_id)
            changes.update((k, row[k]) for k in _CONTENT + _NEWEST + _SCORED + _CLASSIFIED + ("evidence",) if k in row)
            changes.update(version=version, updated_at=now)
            if not published and row.get("published_at"):
                changes["published_at"] = row["published_at"]
        elif "extraction" in row:
            # The same title and text as stored: what this extraction reads, the stored article is.
            changes["extraction"] = row["extraction"]
        if "relevant" in changes and changes["relevant"] and not was_relevant:
            changes["relevant_since"] = now
        _update_article(db, found["id"], changes)
        if "content_hash" in changes:
            _index(db, found["id"], row.get("title"), row["text"], indexed)
        return StoredArticle(found["id"], False, changed, version,
                             bool(changes.get("relevant")) and not was_relevant, claimed, claimant)


def mark_removed(db: Database, article_id: int, reason: str, *, run_id: int | None = None,
                 now: str | None = None) -> bool:
    """Note that the outlet took article ``article_id`` down (``reason``: what a revisit of run
    ``run_id`` saw); its text, score and review state stay. True when it was not marked already:
    the time and run of the first sighting stay (that run's digest tells it), the reason becomes
    the newest."""
    with transaction(db):
        before = db.execute("SELECT removed_at FROM articles WHERE id = ?", [article_id]).fetchone()
        if before is None:
            raise ArticleNotFound(f"no article has id {article_id}")
        if before[0] is None:
            db.execute("UPDATE articles SET removed_at = ?, removed = ?, removed_run = ? WHERE id = ?",
                       [now or now_utc(), reason[:500], run_id, article_id])
        else:
            db.execute("UPDATE articles SET removed = ? WHERE id = ?", [reason[:500], article_id])
    return before[0] is None


def clear_removed(db: Database, article_id: int) -> None:
    """A revisit found the article whole again: it is no longer marked removed."""
    with transaction(db):
        db.execute("UPDATE articles SET removed_at = NULL, removed = NULL, removed_run = NULL "
                   "WHERE id = ? AND removed_at IS NOT NULL", [article_id])


# An article a new score makes relevant enters the queue now: ``relevant_since`` says so (the
# desk's unread marks, the next digest), as for an update of its text. SET reads the old row.
_RESCORED = ("UPDATE articles SET topic = ?, score = ?, relevant = ?, matched_terms = ?, evidence = ?, threshold = ?, "
             "relevant_since = CASE WHEN ? = 1 AND relevant = 0 THEN ? ELSE relevant_since END WHERE id = ?")


def update_score(db: Database, article_id: int, *, topic: str | None, score: float, relevant: bool | int,
                 matched_terms: list[dict[str, Any]], threshold: float | None = None, now: str | None = None) -> None:
    """Replace an article's score, relevance, threshold and evidence (``newsmon rescore``)."""
    update_scores(db, [{"id": article_id, "topic": topic, "score": score, "relevant": relevant,
                        "matched_terms": matched_terms, "threshold": threshold}], now=now, strict=True)


def update_scores(db: Database, rows: list[dict[str, Any]], *, now: str | None = None, strict: bool = False) -> None:
    """``update_score`` for many articles (dicts with ``id`` and the score fields), one statement.
    ``strict``: an id that names no article is an error (``ArticleNotFound``)."""
    with transaction(db):
        now = now or now_utc()  # once the lock is held, as store_article's
        before = db.conn.total_changes
        db.conn.executemany(
            _RESCORED,
            [(r["topic"], r["score"], int(bool(r["relevant"])), _json(list(r["matched_terms"])),
              evidence(r["matched_terms"]), r.get("threshold"), int(bool(r["relevant"])), now, r["id"]) for r in rows])
        if strict and db.conn.total_changes - before < len(rows):
            raise ArticleNotFound(f"no article has id {rows[0]['id']}" if len(rows) == 1
                                  else "an id names no article")


def unchanged_since(db: Database, rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """The ids of ``rows`` (read with ``content_hash``) whose article still has that title and
    text: a score computed from them is the article's. Inside the transaction that writes it: a
    crawl's revisit that stored a new version meanwhile scored that version itself."""
    ids = [row["id"] for row in rows]
    now = {}
    for at in range(0, len(ids), _BATCH):
        some = ids[at:at + _BATCH]
        now.update(db.execute(f"SELECT id, content_hash FROM articles WHERE id IN ({', '.join('?' * len(some))})",
                              some).fetchall())
    return {row["id"] for row in rows if row["id"] in now and now[row["id"]] == row["content_hash"]}


def update_relevance(db: Database, rows: list[tuple[int, float | None, int | None, str | None]]) -> None:
    """Set ``(article id, probability, model id, flag)`` of many articles in one transaction."""
    with transaction(db):
        db.conn.executemany(
            "UPDATE articles SET relevance_p = ?, relevance_model_id = ?, relevance_flag = ? WHERE id = ?",
            [(p, model, flag, article_id) for article_id, p, model, flag in rows])


# --- relevance models ------------------------------------------------------------------------

def decisions(db: Database) -> Iterator[dict[str, Any]]:
    """Every reviewed article (relevant, follow-up, dismissed) with what the classifier reads."""
    yield from db.query(
        "SELECT id, topic, title, text, score, threshold, matched_terms, status FROM articles "
        "WHERE status IN ('relevant', 'follow-up', 'dismissed') ORDER BY id")


def save_model(db: Database, row: dict[str, Any]) -> int:
    """Store a trained model (a row of ``relevance_models``); return its id."""
    with transaction(db):
        return db.table("relevance_models").insert(row).last_rowid


def latest_models(db: Database, *, with_blob: bool = True) -> dict[str, dict[str, Any]]:
    """The newest model of each topic, by topic."""
    columns = "*" if with_blob else ", ".join(
        c.name for c in db["relevance_models"].columns if c.name != "model")
    rows = db.query(
        f"SELECT {columns} FROM relevance_models AS m "
        "WHERE id = (SELECT max(id) FROM relevance_models WHERE topic = m.topic) ORDER BY topic")
    return {row["topic"]: row for row in rows}


def latest_model_id(db: Database) -> int | None:
    """The id of the newest model of any topic (cheap: tells a process its models changed)."""
    return db.execute("SELECT max(id) FROM relevance_models").fetchone()[0]


def set_status(db: Database, article_id: int, status: str, *, note: str | None = None,
               by: str | None = None, now: str | None = None) -> None:
    """Record a reviewer's decision (``storage.review.review``: logged, the note added).

    Raises:
        InvalidStatus: ``status`` is not one of ``STATUSES``.
        ArticleNotFound: no article has ``article_id``.
    """
    from .review import review

    review(db, article_id, status, note=note, by=by, now=now)


_RESCORE_COLUMNS = ("id, outlet, language, title, text, topic, score, relevant, threshold, matched_terms, status, "
                    "content_hash")


def iter_articles(db: Database, ids: Sequence[int] | None = None) -> Iterator[dict[str, Any]]:
    """Every article's id, outlet, language, title, text, current score, review status and
    content hash, by id (for rescoring); of ``ids`` only, when given.

    Read in batches by id, so the caller may update the rows it is given as it goes.
    """
    if ids is not None:
        for at in range(0, len(ids), _BATCH):
            some = list(ids[at:at + _BATCH])
            yield from db.query(f"SELECT {_RESCORE_COLUMNS} FROM articles WHERE id IN ({', '.join('?' * len(some))}) "
                                "ORDER BY id", some)
        return
    last = 0
    while True:
        rows = list(db.query(
            f"SELECT {_RESCORE_COLUMNS} FROM articles "
            "WHERE id > ? ORDER BY id LIMIT ?", [last, _BATCH]))
        yield from rows
        if len(rows) < _BATCH:
            return
        last = rows[-1]["id"]


def _excerpt(text: str, query: str, width: int = 40) -> str:
    folded = unicodedata.normalize("NFKC", text)
    lowered = folded.lower()
    for term in unicodedata.normalize("NFKC", query).lower().split():
        at = lowered.find(term)
        if at >= 0:
            start, end = max(0, at - width), at + len(term) + width
            excerpt = " ".join(folded[start:end].split())
            return ("…" if start else "") + excerpt + ("…" if end < len(folded) else "")
    return " ".join(folded[: 2 * width].split())


#: Matches a search ranks (or orders by date) at most: the newest this many (by id, the order
#: articles were stored). FTS5 hands matches over in rowid order and stops at a LIMIT only in that
#: order; ranking every match of a common two-character word costs seconds at a million articles
#: (bm25 for each of ~400,000 matches), these few milliseconds (bench/million).
SEARCH_CANDIDATES = 1000
#: The orders a search can have: ``best`` (bm25, a match in the title counting 5 times one in the
#: text) and ``newest`` (published, else first seen).
SEARCH_ORDERS = ("best", "newest")
_WHEN = "coalesce(datetime(a.published_at), datetime(a.first_seen_at))"


def search_sql(columns: str, where: Iterable[str] = (), *, order: str = "best",
               candidates: int | None = SEARCH_CANDIDATES) -> str:
    """The SQL of a search: ``columns`` of the articles ``a`` matching ``:q`` (an FTS5 expression),
    with the ``where`` conditions on ``a``, in ``order``, ``:limit`` rows after the first ``:offset``.

    The newest ``candidates`` matches (by id) are read, filters applied as they are read, and
    only those are ordered, so a common word costs what a rare one does; ``candidates=None``
    orders every match (exact, slow at scale). The search table is read first (CROSS JOIN): in
    rowid order, so FTS5 stops once it has the candidates.

    Raises:
        ValueError: an unknown ``order``.
    """
    if order not in SEARCH_ORDERS:
        raise ValueError(f"unknown search order {order!r}: use one of {', '.join(SEARCH_ORDERS)}")
    conditions = " AND ".join(["articles_search MATCH :q", *where])
    key = "rank" if order == "best" else "_when DESC, id DESC"
    return f"""
        SELECT * FROM (
            SELECT {columns}, bm25(articles_search, 5.0, 1.0) AS rank, {_WHEN} AS _when
            FROM articles_search CROSS JOIN articles a ON a.id = articles_search.rowid
            WHERE {conditions}
            ORDER BY articles_search.rowid DESC
            {"LIMIT :candidates" if candidates is not None else ""}
        )
        ORDER BY {key}
        LIMIT :limit OFFSET :offset
        """


def search(db: Database, query: str, limit: int = 50, *, order: str = "best",
           candidates: int | None = SEARCH_CANDIDATES) -> list[dict[str, Any]]:
    """Articles matching every word of ``query`` (see ``storage.search.fts_query``), best first:
    among the newest ``candidates`` matches (``search_sql``; ``None``: among all).

    Raises:
        ValueError: ``query`` holds no word to search for.
    """
    expression = fts_query(query)
    if not expression:
        raise ValueError(f"nothing to search for in {query!r}: give at least one word")
    rows = db.query(search_sql("a.id, a.published_at, a.outlet, a.title, a.score, a.relevant, a.status, a.url, a.text",
                               order=order, candidates=candidates),
                    {"q": expression, "limit": limit, "offset": 0, "candidates": candidates})
    results = []
    for row in rows:
        row.pop("_when")
        row["snippet"] = _excerpt(row.pop("text") or "", query)
        results.append(row)
    return results


def review_queue(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    """The relevant articles nobody has reviewed yet, newest first (the ``review_queue`` view)."""
    return list(db.query("SELECT * FROM review_queue LIMIT ?", [limit]))


# --- raw pages -------------------------------------------------------------------------------

def save_page(db: Database, url: str, body: bytes | None, *, article_id: int | None = None, http_status: int = 200,
              content_type: str | None = None, now: str | None = None, outlet: str | None = None,
              compressed: pages.Compressed | None = None, part_of: int | None = None,
              captured_at: str | None = None) -> int:
    """Keep the raw bytes of a fetched page, compressed (``storage.pages``: zstd with the outlet's
    dictionary; ``compressed``: done already), so it can be re-extracted without a fetch.
    ``part_of``: the first page's id, for page 2, 3 … of an article split over several.
    ``captured_at``: when an archive's crawler fetched it (an ingest's page)."""
    return pages.save_page(db, url, body, article_id=article_id, http_status=http_status,
                           content_type=content_type, outlet=outlet, now=now or now_utc(), compressed=compressed,
                           part_of=part_of, captured_at=captured_at)


def continuation_pages(db: Database, page_id: int) -> list[tuple[str, bytes, str | None]]:
    """``(url, body, content_type)`` of the pages fetched as page 2, 3 … after ``page_id``, in
    order (those still stored)."""
    out = []
    for (part_id,) in db.execute("SELECT id FROM pages WHERE part_of = ? ORDER BY id", [page_id]).fetchall():
        stored = pages.page_body(db, part_id)
        if stored is not None:
            out.append((stored[0], stored[1], stored[2]))
    return out


def page_body(db: Database, page_id: int) -> tuple[str, bytes, str | None, int | None] | None:
    """``(url, body, content_type, http_status)`` of a stored page, or ``None`` if it is gone."""
    return pages.page_body(db, page_id)


def iter_pages(db: Database,
               outlets: Sequence[str] = ()) -> Iterator[tuple[int, str, int | None, bytes, str | None]]:
    """``(page_id, url, article_id, body, content_type)`` of the newest page of each URL, by id
    (of pages fetched for ``outlets``, when given)."""
    return pages.iter_pages(db, outlets)


# --- feeds and sitemaps ----------------------------------------------------------------------

def get_feed_state(db: Database, url: str) -> dict[str, Any] | None:
    """The conditional-GET state of a feed or sitemap: ``etag``, ``last_modified``, ...; ``None`` if new."""
    rows = list(db.query("SELECT * FROM feed_state WHERE url = ?", [url]))
    return rows[0] if rows else None


def feed_children(db: Database, url: str) -> dict[str, str | None]:
    """The child sitemaps sitemap index ``url`` listed when it was last read whole, each with the
    ``<lastmod>`` it gave (``None``: none); ``{}`` for any other document, or one never read."""
    found = db.execute("SELECT children FROM feed_state WHERE url = ?", [url]).fetchone()
    children = json.loads(found[0]) if found and found[0] else {}
    # m022's rows: a list, without lastmods.
    return dict.fromkeys(children) if isinstance(children, list) else children


def set_feed_state(db: Database, url: str, *, etag: str | None, last_modified: str | None, status: int,
                   children: dict[str, str | None] | None = None, news: bool = False,
                   index_lastmod: str | None = None, listed_new: bool = False, now: str | None = None) -> None:
    """Remember a feed's validators (ETag, Last-Modified) and last status for the next fetch; a
    200 is also the time it was last read whole (``read_at``), and says which child sitemaps it
    lists (``children``, a sitemap index's, with their lastmods; ``None``: it is no index), asked
    for when it answers 304 (``feed_children``), whether it is a Google News sitemap (``news``)
    and whether it listed an article URL not seen before (``listed_new``: ``listed_new_at``, which
    its first fetch also sets). ``index_lastmod``: the lastmod the index that listed this sitemap
    gave it (``settled_sitemaps``)."""
    now = now or now_utc()
    row = {"url": url, "etag": etag, "last_modified": last_modified, "last_status": status, "last_fetched_at": now,
           "index_lastmod": index_lastmod}
    if status == 200:
        row.update(read_at=now, children=_json(children) if children is not None else None, news=int(news))
        if listed_new:
            row["listed_new_at"] = now
    with transaction(db):
        db.table("feed_state").upsert(row, pk="url")
        # Its quiet is counted from its first fetch (or the first since m023) at the earliest.
        db.execute("UPDATE feed_state SET listed_new_at = ? WHERE url = ? AND listed_new_at IS NULL", [now, url])


def note_children(db: Database, url: str, children: dict[str, str | None]) -> None:
    """Say that ``url`` is a sitemap index listing ``children``, as soon as it is read: its validators wait
    until its children are read (``set_feed_state``), but outlet health counts it as an index, which lists
    no article, from the run it was first read in (a child that failed from the start, no conditional GET)."""
    with transaction(db):
        db.execute("INSERT INTO feed_state (url, children) VALUES (?, ?) "
                   "ON CONFLICT(url) DO UPDATE SET children = excluded.children", [url, _json(children)])


def settled_sitemaps(db: Database, lastmods: dict[str, str], *, quiet_since: str) -> dict[str, str]:
    """Of the child sitemaps in ``lastmods`` (URL → the lastmod their index gives now), the
    archives: last fetched well (200 or 304) under that same lastmod, neither a Google News
    sitemap nor an index (whose own children may be this month's), and listing nothing new since
    ``quiet_since`` (by newsmon's own reads, not the index's word). URL → when each was last
    fetched."""
    settled = {}
    urls = list(lastmods)
    for start in range(0, len(urls), _BATCH):
        part = urls[start:start + _BATCH]
        marks = ", ".join("?" * len(part))
        for url, lastmod, fetched in db.execute(
                f"SELECT url, index_lastmod, last_fetched_at FROM feed_state WHERE url IN ({marks}) "
                "AND last_status IN (200, 304) AND NOT news AND children IS NULL AND listed_new_at < ?",
                [*part, quiet_since]):
            if lastmod == lastmods[url]:
                settled[url] = fetched
    return settled


def lastmods_lie(db: Database, index: str) -> str | None:
    """Why sitemap index ``index``'s lastmods are not believed (``distrust_lastmods``), if so."""
    found = db.execute("SELECT lastmods_lie FROM feed_state WHERE url = ?", [index]).fetchone()
    return found[0] if found else None


def distrust_lastmods(db: Database, index: str, why: str) -> None:
    """Sitemap index ``index`` gave a child a lastmod that stood still while the child changed:
    its children are asked for every run from now on, whatever their lastmods say."""
    with transaction(db):
        db.execute("INSERT INTO feed_state (url, lastmods_lie) VALUES (?, ?) "
                   "ON CONFLICT(url) DO UPDATE SET lastmods_lie = excluded.lastmods_lie", [index, why[:500]])


# --- crawl runs ------------------------------------------------------------------------------

def start_run(db: Database, outlets: list[str], trigger: str, pid: int | None = None, *,
              now: str | None = None) -> int:
    """Open a ``crawl_runs`` row for a crawl that is starting; return its id."""
    with transaction(db):
        return db.table("crawl_runs").insert(
            {"started_at": now or now_utc(), "outlets": _json(list(outlets)), "trigger": trigger,
             "pid": pid}).last_rowid


def finish_run(db: Database, run_id: int, *, requests: int, responses_by_status: dict[str, int],
               articles_new: int, articles_relevant: int, errors: int, finish_reason: str,
               exit_status: int, now: str | None = None, revisits: dict[str, int] | None = None) -> None:
    """Complete a run's row with its counts and how it ended.

    ``revisits``: ``requests`` (revisit requests sent, part of ``requests``), ``not_modified``,
    ``failed`` and ``versions_new`` (articles found changed) of the run's revisits.
    """
    counts = revisits or {}
    with transaction(db):
        db.table("crawl_runs").update(run_id, {
            "finished_at": now or now_utc(), "requests": requests,
            "responses_by_status": json.dumps({str(k): v for k, v in responses_by_status.items()},
                                              sort_keys=True),
            "articles_new": articles_new, "articles_relevant": articles_relevant, "errors": errors,
            "finish_reason": finish_reason, "exit_status": exit_status,
            "revisits": counts.get("requests", 0), "revisits_not_modified": counts.get("not_modified", 0),
            "revisits_failed": counts.get("failed", 0), "versions_new": counts.get("versions_new", 0)})


def close_stale_runs(db: Database, *, is_alive: Callable[[int], bool] = pid_alive,
                     now: str | None = None, killed: Callable[[list[int]], Any] | None = None) -> list[int]:
    """Mark ``killed`` the unfinished runs whose process is gone; return the ids of those it closed.

    A crawl killed (SIGKILL, power loss) never writes ``finished_at``; without this its row
    would say it is still going. ``finished_at`` becomes the time the loss was noticed.
    Runs of live processes, on this machine, are left alone; so is a run another process closed
    since it was read (``newsmon schedule`` recording its crawl's ``timeout``, another crawl starting
    at the same moment): its end was overwritten with ``killed``, and both crawls checked the run's
    outlets for it (``health.record_killed_runs``), the daemon's "timeout" told again as "killed".

    ``killed``: called with the ids of the runs marked ``killed``, in the same transaction: what it
    writes (their outlets' health) is committed with their close, or neither is, and the next call
    finds them open again. Closed first, a check that failed (a bug, the write lock another process
    held) left them closed and never checked: their failure told by no one.
    """
    stale = [run_id for run_id, pid in db.execute(
        "SELECT id, pid FROM crawl_runs WHERE finished_at IS NULL").fetchall()
        if pid is None or not is_alive(pid)]
    path = db.execute("PRAGMA database_list").fetchone()[2]
    ended = {run_id: _run_end(path, run_id) for run_id in stale} if path else {}
    closed = []
    with transaction(db):
        for run_id in stale:
            end = ended.get(run_id)
            if end is not None:  # it ended as its process said, when its database could not take it
                done = end_run(db, run_id, end, now=now)
            else:
                done = db.execute("UPDATE crawl_runs SET finished_at = ?, finish_reason = 'killed' WHERE id = ? "
                                  "AND finished_at IS NULL", [now or now_utc(), run_id]).rowcount > 0
            if done:
                closed.append(run_id)
        marked = [run_id for run_id in closed if ended.get(run_id) is None]
        if killed is not None and marked:
            killed(marked)
    for run_id, end in ended.items():
        if end is not None:
            with suppress(OSError):
                run_end_file(path, run_id).unlink()
    return closed


def end_run(db: Database, run_id: int, end: dict[str, Any], *, now: str | None = None) -> bool:
    """Close run ``run_id``, left open, as ``end`` says it ended (``finished_at``,
    ``finish_reason``, ``exit_status``, ``requests``, ``articles_new``, ``errors``): what its
    process knew where its own close could not write it (``run_end_file``) or did not run.
    ``False`` when it was closed already."""
    return db.execute("UPDATE crawl_runs SET finished_at = ?, finish_reason = ?, exit_status = ?, requests = ?, "
                      "articles_new = ?, errors = ? WHERE id = ? AND finished_at IS NULL",
                      [end.get("finished_at") or now or now_utc(), end.get("finish_reason") or "killed",
                       end.get("exit_status"), end.get("requests", 0), end.get("articles_new", 0),
                       end.get("errors", 0), run_id]).rowcount > 0


def run_end_file(db_path: str, run_id: int) -> Path:
    """Where a run whose database could not take its end (full, locked) leaves it, for the next
    run's ``close_stale_runs``: a row left unfinished was called ``killed``, its reason lost."""
    return beside(db_path) / f"run-{run_id}.end.json"


def leave_run_end(db_path: str, run_id: int, end: dict[str, Any]) -> None:
    """Leave ``end`` (``end_run``'s) in ``run_end_file`` for the next run. Raises ``OSError``."""
    run_end_file(db_path, run_id).write_text(json.dumps(end), encoding="utf-8")


def _run_end(db_path: str, run_id: int) -> dict[str, Any] | None:
    try:
        end = json.loads(run_end_file(db_path, run_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return end if isinstance(end, dict) else None


def loose_ends(db: Database, *, now: datetime | None = None, extraction: int | None = None) -> dict[str, Any]:
    """What long commands left undone, for ``newsmon status``: the archives an ingest did not
    finish (interrupted, or read only in part: ``ingested_archives``) and how many articles are
    in no story (stored with stories off, or a ``regroup`` that was interrupted); how many
    relevant articles their outlets took down in the last 24 hours (``removed``), which the
    digest told once, where it goes; and how many articles an extraction older than
    ``extraction`` read, which no ``reextract`` has read again since (``older_extraction``); and
    how many articles story grouping's term counts miss (``uncounted``)."""
    archives = [dict(zip(("source", "size", "resume_offset", "finished_at", "stopped"), row)) for row in db.execute(
        "SELECT source, size, resume_offset, finished_at, stopped FROM ingested_archives "
        "WHERE finished_at IS NULL OR stopped IS NOT NULL ORDER BY started_at")]
    storyless = db.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0]
    day_ago = ((now or datetime.now(timezone.utc)) - timedelta(hours=24)).isoformat(timespec="seconds")
    removed = db.execute("SELECT count(*) FROM articles WHERE +relevant = 1 AND removed_at >= ?",  # m016's index
                         [day_ago]).fetchone()[0]
    older = db.execute("SELECT count(*) FROM articles WHERE extraction IS NULL OR extraction < ?",
                       [extraction]).fetchone()[0] if extraction is not None else 0
    # The articles story grouping weighs terms over, against those its term counts hold: a process
    # keeps up to stories.FLUSH_EVERY articles' counts in memory, lost where it ended without
    # closing (killed, its database full or locked). Said only while no crawl runs.
    indexed = db.execute("SELECT count(*) FROM story_features").fetchone()[0]
    counted = db.execute("SELECT df FROM story_terms WHERE term = ''").fetchone()
    running = any(pid_alive(pid) for (pid,) in db.execute("SELECT pid FROM crawl_runs WHERE finished_at IS NULL"))
    uncounted = 0 if running else max(0, indexed - (counted[0] if counted else 0))
    return {"archives": archives, "storyless": storyless, "removed": removed, "older_extraction": older,
            "uncounted": uncounted}
