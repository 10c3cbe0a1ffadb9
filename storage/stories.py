"""Stories: one event told by several outlets (and wire copies of one text) as one group.

An article joins or starts a story when it is stored (``assign``), at a cost that does not
grow with the database: its candidates are looked up in an index (``story_keys``: the LSH
bands of its MinHash signature and its heaviest terms, each with the article's time), only
within ``window`` seconds of its own time, and at most ``CANDIDATES`` of them are compared.

- A candidate whose signature agrees on ``DUPLICATE_JACCARD`` of its positions is the same
  text: the article joins its story and is a copy (``articles.duplicate_of``) of the group's
  original: a wire service's own article first, then an article that credits no wire
  service, then the earliest.
- Otherwise the candidate whose weighted terms are closest (cosine of IDF-weighted term
  vectors, IDF from ``story_terms``) gives its story when the similarity reaches
  ``SAME_EVENT``; else the article starts a story of its own.

Grouping depends on the order articles arrive in; ``regroup`` rebuilds every story as if the
articles had arrived in time order (``newsmon regroup``), and gives the same stories every
time it runs. The features (signature, terms) come from ``crawler.stories.features``: this
module knows nothing of text, only of numbers and terms.
"""

from __future__ import annotations

import hashlib
import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database

from .db import transaction
from .exceptions import InvalidStatus, StoryNotFound

#: Default window: articles further apart than this are never one story (``[stories] window``).
DEFAULT_WINDOW = 72 * 3600
#: Two signatures agreeing on this share of positions are one text (a wire copy).
DUPLICATE_JACCARD = 0.5
#: Cosine of the IDF-weighted terms of title and lead at which two articles tell one event.
#: Calibrated on the 59 saved real Japanese pages (tests/fixtures/saved): the two outlets'
#: reports of one 森友 decision score 0.56, the Asahi and Chunichi reports of one earthquake
#: 0.34; of the other 1,709 pairs, all different events, none reaches 0.24.
SAME_EVENT = 0.28
#: Candidates compared at most: the ones sharing the most keys with the article.
CANDIDATES = 24
#: Terms of an article written into the index (its heaviest after IDF): each is a page written
#: per article stored, so few; and the terms a new article looks up, which cost only reads, so
#: more: two reports of one event share some of the one's heaviest among the other's.
INDEX_TERMS = 6
QUERY_TERMS = 16
#: The article count kept under this term in ``story_terms``.
_TOTAL = ""

STATUS_ORDER = ("relevant", "follow-up", "dismissed")
"""A story none of whose articles is new takes the first of these any of them has."""


def stable_key(text: str) -> int:
    """A 47-bit integer hash of ``text``, the same in every process (SQLite stores it in 6 bytes)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=6).digest(), "big") >> 1


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """The Jaccard similarity two MinHash signatures estimate: the share of equal positions."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b) if x == y) / len(a)


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two unit-length term vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def event_time(published_at: str | None, first_seen_at: str | None) -> int:
    """Unix time of an article for grouping: when it was published, else when first seen."""
    for value in (published_at, first_seen_at):
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return int(moment.timestamp())
    return int(datetime.now(timezone.utc).timestamp())


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Placement:
    """Where ``assign`` put an article."""

    story_id: int
    #: The original this article copies, if it is a copy.
    duplicate_of: int | None
    #: It started a story of its own.
    new_story: bool
    #: Its similarity to the article that decided (Jaccard for a copy, else cosine); 0 if none.
    similarity: float = 0.0


def _pack(signature: Sequence[int]) -> bytes:
    return array("I", signature).tobytes()


def _unpack(blob: bytes) -> array:
    values = array("I")
    values.frombytes(blob)
    return values


#: Articles whose document frequencies a process keeps in memory before it writes them.
FLUSH_EVERY = 256


def _pending(db: Database) -> Counter[str]:
    pending = getattr(db, "_newsmon_story_terms", None)
    if pending is None:
        pending = Counter()
        db._newsmon_story_terms = pending  # type: ignore[attr-defined]
    return pending


def _count_terms(db: Database, terms: Iterable[str], delta: int) -> dict[str, int]:
    """Add ``delta`` to the document frequency of each term (and the article count); return the
    frequencies now.

    The increments are kept in memory and written every ``FLUSH_EVERY`` articles and when the
    caller is done (``flush_terms``): the terms of one article lie on some thirty pages of the
    table, and writing them for every article stored doubled what a crawl writes to disk. A
    process killed before it flushes loses its share of the statistics (IDF is an estimate;
    ``newsmon regroup`` counts again); nothing else.
    """
    names = list(dict.fromkeys([*terms, _TOTAL]))
    pending = _pending(db)
    for name in names:
        pending[name] += delta
    df: dict[str, int] = {}
    for start in range(0, len(names), 400):
        chunk = names[start:start + 400]
        marks = ", ".join("?" for _ in chunk)
        df.update(db.execute(f"SELECT term, df FROM story_terms WHERE term IN ({marks})", chunk).fetchall())
    counts = {name: max(0, df.get(name, 0) + pending[name]) for name in names}
    if abs(pending[_TOTAL]) >= FLUSH_EVERY:
        flush_terms(db)
    return counts


def flush_terms(db: Database) -> int:
    """Write the document frequencies this process counted in memory; return how many terms.

    The crawl calls it when it closes, ``ingest``, ``regroup`` and ``reextract`` when done.
    """
    pending = _pending(db)
    rows = sorted((term, delta) for term, delta in pending.items() if delta)
    pending.clear()
    if rows:
        with transaction(db):
            db.conn.executemany(
                "INSERT INTO story_terms (term, df) VALUES (?, ?) "
                "ON CONFLICT (term) DO UPDATE SET df = max(0, df + excluded.df)", rows)
    return len(rows)


def _weigh(terms: Mapping[str, float], df: Mapping[str, int]) -> dict[str, float]:
    """IDF-weighted, unit-length term vector; IDF is smoothed, so a new term counts most."""
    n = df.get(_TOTAL, 0)
    weights = {t: w * (math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0) for t, w in terms.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: round(w / norm, 4) for t, w in weights.items()}


def _keys(weights: Mapping[str, float], band_keys: Iterable[int], terms: int = INDEX_TERMS) -> list[int]:
    heaviest = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:terms]
    return list(dict.fromkeys([*band_keys, *(stable_key("t:" + t) for t, _ in heaviest)]))


def _index(db: Database, article_id: int, *, at: int, signature: Sequence[int], weights: Mapping[str, float],
           wire: int, keys: list[int]) -> None:
    db.execute("INSERT INTO story_features (article_id, at, signature, terms, wire, keys) VALUES (?, ?, ?, ?, ?, ?)",
               [article_id, at, _pack(signature), json.dumps(weights, ensure_ascii=False), wire,
                array("q", keys).tobytes()])
    db.conn.executemany("INSERT OR IGNORE INTO story_keys (key, at, article_id) VALUES (?, ?, ?)",
                        [(k, at, article_id) for k in keys])


def _unindex(db: Database, article_id: int) -> None:
    """Take an article out of the index (its terms no longer counted); it keeps its story."""
    row = db.execute("SELECT terms, at, keys FROM story_features WHERE article_id = ?", [article_id]).fetchone()
    if row is None:
        return
    _count_terms(db, json.loads(row[0]), -1)
    keys = array("q")
    keys.frombytes(row[2])
    db.conn.executemany("DELETE FROM story_keys WHERE key = ? AND at = ? AND article_id = ?",
                        [(k, row[1], article_id) for k in keys])
    db.execute("DELETE FROM story_features WHERE article_id = ?", [article_id])


@dataclass
class _Candidate:
    article_id: int
    at: int
    signature: array
    terms: str  # JSON; read only when no candidate is a copy
    wire: int
    story_id: int | None
    duplicate_of: int | None

    @property
    def weights(self) -> dict[str, float]:
        return json.loads(self.terms)


def _candidates(db: Database, article_id: int, keys: list[int], at: int, window: int) -> list[_Candidate]:
    if not keys:
        return []
    marks = ", ".join("?" for _ in keys)
    rows = db.execute(
        f"""
        SELECT f.article_id, f.at, f.signature, f.terms, f.wire, a.story_id, a.duplicate_of
        FROM (SELECT article_id, count(*) AS hits FROM story_keys
              WHERE key IN ({marks}) AND at BETWEEN ? AND ? AND article_id != ?
              GROUP BY article_id ORDER BY hits DESC, article_id LIMIT ?) AS c
        JOIN story_features f ON f.article_id = c.article_id
        JOIN articles a ON a.id = c.article_id
        """, [*keys, at - window, at + window, article_id, CANDIDATES]).fetchall()
    return [_Candidate(r[0], r[1], _unpack(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def _original(db: Database, ids: set[int]) -> int:
    """Of articles that are one text, the original: a wire service's, then one crediting none,
    then the earliest."""
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(f"SELECT article_id, wire, at FROM story_features WHERE article_id IN ({marks})",
                      list(ids)).fetchall()
    known = {r[0]: (-r[1], r[2], r[0]) for r in rows}
    return min(ids, key=lambda i: known.get(i, (0, 2**62, i)))


def assign(db: Database, article_id: int, *, signature: Sequence[int], terms: Mapping[str, float],
           band_keys: Sequence[int], wire: int = 0, at: int, window: int = DEFAULT_WINDOW,
           now: str) -> Placement:
    """Put a newly stored article into a story (an existing one, or its own); index it.

    Args:
        article_id: the article (stored, in no story yet).
        signature, terms, band_keys, wire: its features (``crawler.stories.Features``).
        at: its time (``event_time``).
        window: seconds around ``at`` within which its story's articles lie.
        now: the time of storing, for the story rows.
    """
    with transaction(db):
        _unindex(db, article_id)
        weights = _weigh(terms, _count_terms(db, terms, 1))
        keys = _keys(weights, band_keys)
        lookup = _keys(weights, band_keys, QUERY_TERMS)
        candidates = [c for c in _candidates(db, article_id, lookup, at, window) if c.story_id is not None]
        copies = [(jaccard(signature, c.signature), c) for c in candidates]
        copies = [(s, c) for s, c in copies if s >= DUPLICATE_JACCARD]
        story_id: int | None = None
        duplicate_of = None
        similarity = 0.0
        if copies:
            similarity, best = max(copies, key=lambda sc: (sc[0], -sc[1].article_id))
            story_id = best.story_id
            group = {article_id} | {c.duplicate_of or c.article_id for _, c in copies}
            _index(db, article_id, at=at, signature=signature, weights=weights, wire=wire, keys=keys)
            original = _original(db, group)
            for other in group - {original, article_id}:
                db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?",
                           [original, other, other])
            duplicate_of = None if original == article_id else original
        else:
            scored = [(cosine(weights, c.weights), c) for c in candidates]
            if scored:
                similarity, best = max(scored, key=lambda sc: (sc[0], -sc[1].article_id))
                if similarity >= SAME_EVENT:
                    story_id = best.story_id
            _index(db, article_id, at=at, signature=signature, weights=weights, wire=wire, keys=keys)
        new_story = story_id is None
        if new_story:
            story_id = db.execute(
                "INSERT INTO stories (outlets, created_at, updated_at) VALUES ('[]', ?, ?)", [now, now]).lastrowid
        db.execute("UPDATE articles SET story_id = ?, duplicate_of = ? WHERE id = ?",
                   [story_id, duplicate_of, article_id])
        _add_member(db, story_id, article_id, at, now)
        return Placement(story_id, duplicate_of, new_story, round(similarity, 3))


def reindex(db: Database, article_id: int, *, signature: Sequence[int], terms: Mapping[str, float],
            band_keys: Sequence[int], wire: int = 0, at: int) -> None:
    """An article's text changed (a new version): index its new features; it keeps its story."""
    with transaction(db):
        _unindex(db, article_id)
        weights = _weigh(terms, _count_terms(db, terms, 1))
        _index(db, article_id, at=at, signature=signature, weights=weights, wire=wire,
               keys=_keys(weights, band_keys))


def _add_member(db: Database, story_id: int, article_id: int, at: int, now: str) -> None:
    """Fold one new article into its story's summary: O(1), whatever the story's size."""
    row = db.execute("SELECT title, outlet, score, relevant, status FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    story = db.execute("SELECT first_published_at, last_published_at, outlets, article_count, relevant_count, "
                       "best_score, status FROM stories WHERE id = ?", [story_id]).fetchone()
    title, outlet, score, relevant, status = row
    first, last, outlets, count, relevant_count, best, story_status = story
    when = _iso(at)
    changes: dict[str, Any] = {"article_count": count + 1, "relevant_count": relevant_count + int(bool(relevant)),
                               "updated_at": now}
    if first is None or when < first:
        changes.update(first_published_at=when, title=title, lead_article_id=article_id)
    if last is None or when > last:
        changes["last_published_at"] = when
    names = json.loads(outlets or "[]")
    if outlet and outlet not in names:
        changes["outlets"] = json.dumps(sorted([*names, outlet]), ensure_ascii=False)
    if score is not None and (best is None or score > best):
        changes["best_score"] = score
    if status == "new" and story_status != "new":
        changes["status"] = "new"
    sets = ", ".join(f"{k} = ?" for k in changes)
    db.execute(f"UPDATE stories SET {sets} WHERE id = ?", [*changes.values(), story_id])


def refresh(db: Database, story_id: int, *, now: str) -> None:
    """Recompute a story's summary from its articles (after a new version or a review); a story
    left without articles is deleted."""
    with transaction(db):
        rows = db.execute(
            "SELECT a.id, a.title, a.outlet, a.score, a.relevant, a.status, a.published_at, a.first_seen_at, f.at "
            "FROM articles a LEFT JOIN story_features f ON f.article_id = a.id WHERE a.story_id = ?",
            [story_id]).fetchall()
        if not rows:
            db.execute("DELETE FROM stories WHERE id = ?", [story_id])
            return
        timed = sorted(((r[8] if r[8] is not None else event_time(r[6], r[7]), r[0], r) for r in rows))
        lead = timed[0][2]
        statuses = {r[5] for r in rows}
        status = "new" if "new" in statuses else next((s for s in STATUS_ORDER if s in statuses), "new")
        scores = [r[3] for r in rows if r[3] is not None]
        db.execute(
            """
            UPDATE stories SET title = ?, lead_article_id = ?, first_published_at = ?, last_published_at = ?,
                outlets = ?, article_count = ?, relevant_count = ?, best_score = ?, status = ?, updated_at = ?
            WHERE id = ?
            """,
            [lead[1], lead[0], _iso(timed[0][0]), _iso(timed[-1][0]),
             json.dumps(sorted({r[2] for r in rows if r[2]}), ensure_ascii=False), len(rows),
             sum(1 for r in rows if r[4]), max(scores) if scores else None, status, now, story_id])


def refresh_of(db: Database, article_ids: list[int], *, now: str) -> int:
    """``refresh`` the stories of ``article_ids`` (their scores changed: ``newsmon rescore``);
    how many."""
    found: set[int] = set()
    for at in range(0, len(article_ids), 500):
        chunk = article_ids[at:at + 500]
        found.update(r[0] for r in db.execute(
            f"SELECT DISTINCT story_id FROM articles WHERE id IN ({', '.join('?' * len(chunk))}) "
            "AND story_id IS NOT NULL", chunk))
    for story_id in sorted(found):
        refresh(db, story_id, now=now)
    return len(found)


def clear(db: Database) -> None:
    """Forget every story and the index (the start of ``regroup``)."""
    _pending(db).clear()
    with transaction(db):
        db.execute("UPDATE articles SET story_id = NULL, duplicate_of = NULL WHERE story_id IS NOT NULL "
                   "OR duplicate_of IS NOT NULL")
        for table in ("story_keys", "story_features", "story_terms", "stories"):
            db.execute(f"DELETE FROM {table}")


def iter_for_grouping(db: Database, batch: int = 500, *, storyless: bool = False):
    """Every article's id, outlet, title, lead, text and times, in time order (for ``regroup``);
    ``storyless``: those in no story only.

    The order is by published time (else first seen), then id, with every offset normalised to
    UTC, so that it is true time order. The order is read once (ids only), the rows in batches.
    """
    order = [r[0] for r in db.execute(
        "SELECT id FROM articles " + ("WHERE story_id IS NULL " if storyless else "")
        + "ORDER BY coalesce(strftime('%Y-%m-%dT%H:%M:%S', published_at), "
        "strftime('%Y-%m-%dT%H:%M:%S', first_seen_at)), id").fetchall()]
    for start in range(0, len(order), batch):
        ids = order[start:start + batch]
        marks = ", ".join("?" for _ in ids)
        rows = {r["id"]: r for r in db.query(
            f"SELECT id, outlet, title, lead, text, published_at, first_seen_at FROM articles WHERE id IN ({marks})",
            ids)}
        yield from (rows[i] for i in ids if i in rows)


# --- reading stories (the review UI) ---------------------------------------------------------

def story(db: Database, story_id: int) -> dict[str, Any] | None:
    """A story's row (``outlets`` as a list), or ``None``."""
    rows = list(db.query("SELECT * FROM stories WHERE id = ?", [story_id]))
    if not rows:
        return None
    row = rows[0]
    row["outlets"] = json.loads(row["outlets"] or "[]")
    return row


def members(db: Database, story_id: int) -> list[dict[str, Any]]:
    """The articles of a story, earliest first: id, outlet, title, url, published_at,
    first_seen_at, score, relevant, status, duplicate_of (the original of a wire copy), version
    (> 1: updated ``version - 1`` times), updated_at, evidence."""
    rows = list(db.query(
        """
        SELECT a.id, a.outlet, a.title, a.url, a.published_at, a.first_seen_at, a.score, a.relevant, a.status,
               a.duplicate_of, a.version, a.updated_at, a.evidence, f.at
        FROM articles a LEFT JOIN story_features f ON f.article_id = a.id
        WHERE a.story_id = ?
        """, [story_id]))
    rows.sort(key=lambda r: (r["at"] if r["at"] is not None else event_time(r["published_at"], r["first_seen_at"]),
                             r["id"]))
    for row in rows:
        del row["at"]
    return rows


def set_story_status(db: Database, story_id: int, status: str, *, note: str | None = None, by: str | None = None,
                     now: str | None = None, only_new: bool = False) -> int:
    """A reviewer's decision for a whole story: every article of it (or, with ``only_new``,
    those still ``new``) takes ``status``, each decision logged as the reviewer's on the article
    (``storage.review.review``); returns how many articles changed.

    Written to the articles' columns alone, the decision was in no log: ``newsmon review --undo``
    could not take it back, the article's history did not show it, ``note`` replaced the notes the
    article had, and a status its log did not give was taken for one set by hand (m051).

    Raises:
        InvalidStatus: ``status`` is not a review status.
        StoryNotFound: no story has ``story_id``.
    """
    from .queries import STATUSES, now_utc
    from .review import review

    now = now or now_utc()
    if status not in STATUSES:
        raise InvalidStatus(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with transaction(db):
        if db.execute("SELECT 1 FROM stories WHERE id = ?", [story_id]).fetchone() is None:
            raise StoryNotFound(f"no story has id {story_id}")
        where = "story_id = ?" + (" AND status = 'new'" if only_new else "")
        changed = 0
        for (article_id,) in db.execute(f"SELECT id FROM articles WHERE {where} ORDER BY id", [story_id]).fetchall():
            # One already so takes the note alone (``review``: nothing at all without one), as each article did.
            decision = review(db, article_id, status, note=note, by=by, now=now)
            changed += decision is not None and decision.from_status != decision.to_status
        return changed
