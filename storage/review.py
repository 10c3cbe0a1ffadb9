"""Review decisions: the one path by which an article's review status changes, with history and undo.

Every decision (``review``) and every undo (``undo``) is a row of ``review_log``; the review
columns of ``articles`` (``status``, ``review_note``, ``reviewed_by``, ``reviewed_at``) are then
set from the log in the same transaction, so the two never disagree:

- ``status``: what the last decision set (an undo puts back what was there before it);
- ``review_note``: the notes of the decisions still in force, oldest first, one per line
  (a note is added, never replaces another);
- ``reviewed_by`` / ``reviewed_at``: who made the last decision still in force, and when.

A status set outside newsmon (DB Browser, the sqlite3 shell: one the log's last row does not set) is stamped with
the time it was written by m051's trigger, which leaves the statuses written here alone.

The browser (``newsmon serve``) and ``newsmon review`` both call these functions. A decision
taken on a stale view (the reviewer saw the article as ``new``, someone has dismissed it since)
is refused with ``ReviewConflict``, which names who changed it and when; so is one taken on a
version of the text that is not the stored one (a revisit stored version 2 while the page showed
version 1): taken, it was later than the new version, which no list then showed (see ``review``).
A decision that names no version (``newsmon review``, a script) is taken on the stored one, and
says which (``Decision.version``) and whether it took a change nobody read off the Updated list
(``Decision.unread_change``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from . import stories
from .db import transaction
from .exceptions import ArticleNotFound, InvalidStatus, NothingToUndo, ReviewConflict
from .queries import STATUSES, now_utc

#: Articles marked relevant or follow-up with a version newer than the decision (m048's partial
#: index, named for ``INDEXED BY``): what the reviewer chose to care about changed. A dismissed
#: one's updates are not news, unless they made it relevant (``RELEVANT_AFTER_DISMISSAL``).
#: The same second counts, as there: a revisit storing a version just after a decision, in its
#: second, was later than it and in no list (m021's index said ``>``).
UPDATED_AFTER_REVIEW = "status IN ('relevant', 'follow-up') AND updated_at >= reviewed_at"
UPDATED_INDEX = "idx_articles_updated_after_review"
#: Articles dismissed that newsmon counts relevant since the decision (``relevant_since``: a new
#: version of their text, a reextract, a rescore under other topics): the reviewer said no to a
#: text or a topic newsmon did not count relevant then. Out of the queue for their status, no
#: list showed them again (a flash dismissed, then written into an article on the documents).
#: The same second counts: times are whole seconds, and a revisit may store in the second of the
#: dismissal; a reviewer cannot dismiss an article in the second it was stored, before seeing it.
RELEVANT_AFTER_DISMISSAL = "status = 'dismissed' AND relevant = 1 AND relevant_since >= reviewed_at"
#: The desk's "Updated" list: both of the above, by m048's partial index (its WHERE and key written
#: as here, or SQLite does not take it), newest change first (``CHANGED_AT``).
CHANGED_AFTER_REVIEW = f"(({UPDATED_AFTER_REVIEW}) OR ({RELEVANT_AFTER_DISMISSAL}))"
CHANGED_INDEX = "idx_articles_changed_after_review"
CHANGED_AT = "(CASE WHEN status = 'dismissed' THEN relevant_since ELSE updated_at END)"


def updated_after_review(article: Mapping[str, Any]) -> bool:
    """``UPDATED_AFTER_REVIEW`` of one article's row."""
    return (article.get("status") in ("relevant", "follow-up") and bool(article.get("reviewed_at"))
            and (article.get("updated_at") or "") >= article["reviewed_at"])


def relevant_after_dismissal(article: Mapping[str, Any]) -> bool:
    """``RELEVANT_AFTER_DISMISSAL`` of one article's row."""
    return (article.get("status") == "dismissed" and bool(article.get("relevant")) and bool(article.get("reviewed_at"))
            and (article.get("relevant_since") or "") >= article["reviewed_at"])


#: The note "Seen" on the Updated list adds (``newsmon_desk.html``): the version of the text read, by number. An
#: ingest that places an older capture among the versions renumbers them (``versions.rewrite``); ``renumber_notes``
#: then renumbers the note, which named another text after it.
SEEN_NOTE = re.compile(r"read version (\d+)")


def _renumbered(note: str, numbers: Mapping[int, int]) -> str:
    """``note`` with the version named by each of its lines that is a ``SEEN_NOTE`` renumbered by ``numbers`` (old
    number: new one)."""
    def line(text: str) -> str:
        seen = SEEN_NOTE.fullmatch(text)
        return f"read version {numbers[int(seen[1])]}" if seen and int(seen[1]) in numbers else text
    return "\n".join(line(text) for text in note.split("\n"))


def renumber_notes(db: Database, article_id: int, numbers: Mapping[int, int]) -> None:
    """Renumber the versions the article's notes name as read (``SEEN_NOTE``, a line of its own), in its log and in
    ``review_note`` alike (``_sync`` keeps a line of the column that no note of the log holds: a typed one):
    ``numbers`` maps each old number to the new one."""
    if all(old == new for old, new in numbers.items()):
        return
    with transaction(db):
        for entry_id, note in db.execute("SELECT id, note FROM review_log WHERE article_id = ? AND note IS NOT NULL",
                                         [article_id]).fetchall():
            if (now := _renumbered(note, numbers)) != note:
                db.execute("UPDATE review_log SET note = ? WHERE id = ?", [now, entry_id])
        note = db.execute("SELECT review_note FROM articles WHERE id = ?", [article_id]).fetchone()[0]
        if note and (now := _renumbered(note, numbers)) != note:
            db.execute("UPDATE articles SET review_note = ? WHERE id = ?", [now, article_id])


#: Page loads further apart than this start a new visit ("new since my last visit").
VISIT_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Decision:
    """One row of ``review_log``, with the article's title for messages."""

    id: int
    article_id: int
    title: str | None
    from_status: str
    to_status: str
    note: str | None
    reviewer: str | None
    at: str
    undoes: int | None = None
    #: The version of the article's text the decision was taken on: the stored one.
    version: int | None = None
    #: When the article changed after its last review (a version of one marked relevant or
    #: follow-up, relevance of one dismissed: the Updated list), where the decision named no
    #: version it was read at: a change nobody read through newsmon, which the decision takes
    #: off that list. ``None`` otherwise.
    unread_change: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _article(db: Database, article_id: int) -> tuple[str, str | None]:
    row = db.execute("SELECT status, title FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise ArticleNotFound(f"no article has id {article_id}: check the id (it is in the article's "
                              "address, /newsmon/articles/ID)")
    return row[0], row[1]


def _entry(db: Database, where: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT * FROM review_log WHERE {where} ORDER BY id DESC LIMIT 1", params))
    return rows[0] if rows else None


def _in_force(db: Database, article_id: int) -> dict[str, Any] | None:
    """The article's last decision that is neither an undo nor undone."""
    return _entry(db, "article_id = ? AND undoes IS NULL AND undone_by IS NULL", [article_id])


def _outside(last: dict[str, Any] | None, status: str) -> str | None:
    """Why ``status`` was not set by a logged decision (set by hand in DB Browser or the sqlite3
    shell), or None: ``last``, the article's last row of the log (a decision or an undo), set
    another one, or none set any and the article is not ``new``."""
    if last is None:
        return None if status == "new" else "no decision is logged"
    if last["to_status"] != status:
        return f"the last logged one, by {last['reviewer'] or 'someone'} at {last['at']}, set {last['to_status']}"
    return None


def _conflict(db: Database, article_id: int, title: str | None, status: str, seen: str,
              basis: str = "as the page showed") -> ReviewConflict:
    last = _entry(db, "article_id = ?", [article_id])
    outside = _outside(last, status) or (None if last else "no decision is logged")
    by, at = (None, None) if outside else (last["reviewer"], last["at"])
    who = f" outside newsmon ({outside})" if outside else f" by {by or 'someone'}"
    when = f" at {at}" if at else ""
    # A note added since, the status as it was: "is relevant now, not relevant" named its writer as
    # the one who set it.
    noted = not outside and status == seen and last is not None and last["from_status"] == last["to_status"]
    if noted:
        return ReviewConflict(
            f"article {article_id} was noted{who}{when}, after the decision {basis}; look at it as it is now (on "
            "the desk: reload the page) and decide again",
            article_id=article_id, title=title, status=status, by=by, at=at, noted=True)
    return ReviewConflict(
        f"article {article_id} is {status} now, not {seen} {basis}: changed{who}{when}; look at it as it is "
        "now (on the desk: reload the page) and decide again",
        article_id=article_id, title=title, status=status, by=by, at=at, outside=outside)


def _version_conflict(db: Database, article_id: int, title: str | None, status: str, seen: int | None,
                      text: str | None = None) -> ReviewConflict | None:
    """The refusal of a decision on a text of the article that is not the stored one, or None.

    ``text``, the content hash of the text the page showed, when given; else ``seen``, its
    version number. By number alone, an older capture an ingest placed among the versions
    (an archive's of last year) made the stored text version 3 of the page's version 2, and
    the decision was refused as taken on an older text, which it was not. Nor is the text alone
    enough: changed and changed back (versions 2 and 3 of version 1's text), the stored text is
    the one the page showed, and a decision taken was later than version 2, which nobody read.
    """
    version, at, stored = db.execute("SELECT version, updated_at, content_hash FROM articles WHERE id = ?",
                                     [article_id]).fetchone()
    # A version numbered from the page's on that holds its text, but for the stored one: the page
    # showed that one, and another text came after it. Renumbered alone, the text is in no other.
    back = text is not None and stored == text and seen is not None and seen != version and db.execute(
        "SELECT 1 FROM article_versions WHERE article_id = ? AND content_hash = ? AND version >= ? AND version != ? "
        "LIMIT 1", [article_id, text, seen, version]).fetchone() is not None
    if (stored == text and not back) if text is not None else (version == seen):
        return None
    when = f" at {at}" if at else ""
    if back:
        said = (f"article {article_id} is at version {version} now, not version {seen} as the page showed: its text "
                f"changed and changed back{when}, and the versions between were read by nobody")
    elif seen is None or seen == version:
        # The same number, another text: read again since (`newsmon reextract`).
        said = (f"article {article_id}'s text is not the one the page showed: version {version} (stored{when}) was "
                "read again or changed since")
    elif seen > version:
        # A number past the last (`newsmon review --version 3` of an article at version 1, or a
        # page's version a reextract merged away): "its text changed" said a change there was not.
        said = f"article {article_id} has no version {seen}: its text is at version {version} (stored{when})"
    else:
        said = (f"article {article_id} is at version {version} now, not version {seen} as the page showed: its "
                f"text changed{when}")
    return ReviewConflict(
        f"{said}; look at it as it is now (on the desk: reload the page, its page shows the difference) and decide "
        "again", article_id=article_id, title=title, status=status, by=None, at=at, version=version,
        seen_version=seen)


def _sync(db: Database, article_id: int, status: str, *, undone_at: str | None = None) -> None:
    """Set the article's review columns from its log (see the module doc).

    Lines of ``review_note`` no decision ever wrote (typed in DB Browser or the sqlite3 shell,
    which the README allows) are kept after the log's notes: rebuilt from the log alone, the
    next decision erased them.

    ``undone_at``: the time of the decision an undo takes back. Where no decision stays in force
    and the status it gives back is not ``new`` (set outside newsmon before it), it is the last
    review newsmon knows of: ``reviewed_at`` left empty, an article marked relevant had none of
    its later versions on the Updated list (``updated_at >= NULL`` is never true).
    """
    logged = db.execute("SELECT note, undoes IS NULL AND undone_by IS NULL FROM review_log "
                        "WHERE article_id = ? AND note IS NOT NULL ORDER BY id", [article_id]).fetchall()
    notes = [note for note, in_force in logged if in_force]
    written = {line for note, _ in logged for line in note.splitlines()}
    before = db.execute("SELECT review_note FROM articles WHERE id = ?", [article_id]).fetchone()[0] or ""
    notes += [line for line in before.splitlines() if line.strip() and line not in written]
    last = _in_force(db, article_id)
    at = last["at"] if last else undone_at if status != "new" else None
    db.execute("UPDATE articles SET status = ?, review_note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
               [status, "\n".join(notes) or None, last and last["reviewer"], at, article_id])
    # The story's status and counts are its articles': a decision changes them.
    story = db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()
    if story and story[0] is not None:
        stories.refresh(db, story[0], now=now_utc())


def _decision(row: dict[str, Any], title: str | None, version: int | None = None,
              unread_change: str | None = None) -> Decision:
    return Decision(id=row["id"], article_id=row["article_id"], title=title, from_status=row["from_status"],
                    to_status=row["to_status"], note=row["note"], reviewer=row["reviewer"], at=row["at"],
                    undoes=row["undoes"], version=version, unread_change=unread_change)


def _changed_after_review(db: Database, article_id: int) -> tuple[int | None, str | None]:
    """The article's version, and when it changed after its last review (``CHANGED_AT`` of an
    article on the Updated list), or ``None``."""
    row = next(iter(db.query("SELECT version, status, relevant, relevant_since, updated_at, reviewed_at FROM articles "
                             "WHERE id = ?", [article_id])))
    changed = row["updated_at"] if updated_after_review(row) else \
        row["relevant_since"] if relevant_after_dismissal(row) else None
    return row["version"], changed


def review(db: Database, article_id: int, status: str | None, *, note: str | None = None, by: str | None = None,
           expected: str | None = None, expected_version: int | None = None, expected_text: str | None = None,
           now: str | None = None) -> Decision | None:
    """Set an article's review status (and/or add a note), logged in ``review_log``.

    Args:
        status: One of ``STATUSES``; ``None`` (or the current status) with a ``note`` adds the
            note alone.
        note: Added to the article's notes; blank is no note.
        by: The reviewer.
        expected: The status the reviewer saw. When the article's status is another one now
            (someone decided meanwhile), nothing changes and ``ReviewConflict`` says who and when.
        expected_version: The version of the text the reviewer saw (``articles.version``). When
            another is stored now (a revisit's, while the page was open), nothing changes and
            ``ReviewConflict`` says which and when: taken, the decision was later than the new
            version, so neither the queue nor "Updated" listed it, and nobody read it. A note
            alone too ("Seen" on the Updated list took off it a version nobody had read).
        expected_text: The content hash of the text the reviewer saw (``articles.content_hash``):
            when given, the text is compared, not its number (``_version_conflict``: an older
            version placed before it by an ingest renumbers it, and changes nothing the reviewer
            read); a ``SEEN_NOTE`` of ``expected_version`` then names the text by its number now.
        now: The time of the decision (UTC ISO 8601); default the clock.

    Returns:
        The logged decision, with the version it was taken on and, where it named none, when the
        article changed after its last review unread (``Decision.unread_change``); ``None`` when
        there was nothing to do (same status, no note).

    Raises:
        InvalidStatus, ArticleNotFound, ReviewConflict.
    """
    if status is not None and status not in STATUSES:
        raise InvalidStatus(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    note = (note or "").strip() or None
    with transaction(db):
        current, title = _article(db, article_id)
        status = status or current
        if expected is not None and current != expected:
            raise _conflict(db, article_id, title, current, expected)
        named = expected_version is not None or expected_text is not None
        stale = named and _version_conflict(db, article_id, title, current, expected_version, expected_text)
        if stale:
            raise stale
        if current == status and note is None:
            return None
        version, changed = _changed_after_review(db, article_id)
        if note is not None and expected_text is not None and expected_version is not None:
            # The page showed the stored text (else refused above) under its number then: an ingest that placed an
            # older capture among the versions since (the page still open) renumbered it, after the notes it renumbered.
            note = _renumbered(note, {expected_version: version})
        entry_id = db.table("review_log").insert({
            "article_id": article_id, "from_status": current, "to_status": status, "note": note,
            "reviewer": by, "at": now or now_utc()}).last_rowid
        _sync(db, article_id, status)
        # Back in the queue, it is read there; any other decision is later than the change, but for
        # one in the change's own second, which leaves it on the list (the same second counts): taken
        # off nothing, it warned "took it off the desk's Updated list" of a change still there.
        unread = changed if changed and not named and status != "new" and \
            _changed_after_review(db, article_id)[1] != changed else None
        return _decision(db.table("review_log").get(entry_id), title, version, unread)


def undo(db: Database, article_id: int | None = None, *, entry_id: int | None = None, by: str | None = None,
         now: str | None = None) -> Decision:
    """Undo a decision: the article's last one in force, or ``entry_id`` if it still is the last.

    The article gets back the status it had before, the decision's note is withdrawn, and the
    undo is itself a row of the log (``undoes`` = the decision). Undoing again undoes the
    decision before, and so on.

    Raises:
        ArticleNotFound: no article has ``article_id``.
        NothingToUndo: the article has no decision in force, or ``entry_id`` is unknown or undone.
        ReviewConflict: a later decision was made on the article since ``entry_id``, or its
            status was changed outside newsmon.
    """
    if (article_id is None) == (entry_id is None):
        raise ValueError("give the article id or the decision's entry_id, not both")
    with transaction(db):
        if entry_id is not None:
            entry = _entry(db, "id = ?", [entry_id])
            if entry is None or entry["undoes"] is not None:
                raise NothingToUndo(f"no decision {entry_id} to undo")
            if entry["undone_by"] is not None:
                raise NothingToUndo(f"decision {entry_id} was already undone")
            article_id = entry["article_id"]
        current, title = _article(db, article_id)
        last = _in_force(db, article_id)
        if last is None:
            outside = _outside(_entry(db, "article_id = ?", [article_id]), current)
            raise NothingToUndo(f"article {article_id} has no decision to undo (it is {current}"
                                + (f", set outside newsmon: {outside})" if outside else ")"))
        if entry_id is not None and last["id"] != entry_id:
            raise _conflict(db, article_id, title, current, entry["to_status"], "as that decision set it")
        if current != last["to_status"]:
            # Said of a page ("as the page showed … reload") to `newsmon review --undo` too.
            raise _conflict(db, article_id, title, current, last["to_status"], "as its last logged decision set it")
        undo_id = db.table("review_log").insert({
            "article_id": article_id, "from_status": current, "to_status": last["from_status"], "note": None,
            "reviewer": by, "at": now or now_utc(), "undoes": last["id"]}).last_rowid
        db.execute("UPDATE review_log SET undone_by = ? WHERE id = ?", [undo_id, last["id"]])
        _sync(db, article_id, last["from_status"], undone_at=last["at"])
        return _decision(db.table("review_log").get(undo_id), title)


def history(db: Database, article_id: int) -> list[dict[str, Any]]:
    """The article's log, oldest first; each row says whether it was undone (``undone_by``)."""
    return list(db.query("SELECT * FROM review_log WHERE article_id = ? ORDER BY id", [article_id]))


def recent(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The last decisions and undos of all articles, newest first, with the article's title and
    ``in_force`` (1 for each article's last decision in force: the one an undo would take back)."""
    return list(db.query(
        """
        SELECT l.*, a.title, a.outlet, a.status AS current_status,
               l.undoes IS NULL AND l.undone_by IS NULL AND l.id = (
                   SELECT max(id) FROM review_log
                   WHERE article_id = l.article_id AND undoes IS NULL AND undone_by IS NULL) AS in_force
        FROM review_log l JOIN articles a ON a.id = l.article_id
        ORDER BY l.id DESC LIMIT ?
        """, [limit]))


# --- visits -----------------------------------------------------------------------------------

def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def visit(db: Database, reviewer: str, *, now: str | None = None) -> str | None:
    """Record that ``reviewer`` looked at the queue; return the end of their previous visit.

    Articles first seen after the returned time are "new since my last visit"; ``None`` (a first
    visit) means all of them are.
    """
    now = now or now_utc()
    with transaction(db):
        row = db.execute("SELECT previous_visit_at, visit_started_at, last_seen_at FROM reviewer_visits "
                         "WHERE reviewer = ?", [reviewer]).fetchone()
        if row is None:
            db.execute("INSERT INTO reviewer_visits (reviewer, previous_visit_at, visit_started_at, last_seen_at) "
                       "VALUES (?, NULL, ?, ?)", [reviewer, now, now])
            return None
        previous, _started, last_seen = row
        if _parse(now) - _parse(last_seen) > VISIT_GAP:
            previous = last_seen
            db.execute("UPDATE reviewer_visits SET previous_visit_at = ?, visit_started_at = ?, last_seen_at = ? "
                       "WHERE reviewer = ?", [previous, now, now, reviewer])
        else:
            db.execute("UPDATE reviewer_visits SET last_seen_at = ? WHERE reviewer = ?", [now, reviewer])
        return previous


def read_listed(db: Database, url: str, *, by: str | None, read: bool = True, now: str | None = None) -> bool:
    """Record that reviewer ``by`` read at its outlet an article newsmon did not read
    (``storage.frontier.unread_listed``), or, ``read=False``, take that back. Returns whether
    anything changed.

    Raises:
        ArticleNotFound: newsmon never listed ``url`` with words of its feed (nothing to read).
    """
    with transaction(db):
        if db.execute("SELECT 1 FROM urls WHERE url = ? AND listed IS NOT NULL", [url]).fetchone() is None:
            raise ArticleNotFound(f"No article not read by newsmon has the URL {url}: was it read since? Reload the page.")
        if not read:
            return db.execute("DELETE FROM listed_reads WHERE url = ?", [url]).rowcount > 0
        return db.execute("INSERT INTO listed_reads (url, read_by, read_at) VALUES (?, ?, ?) ON CONFLICT(url) DO "
                          "NOTHING", [url, by, now or now_utc()]).rowcount > 0


def last_visit(db: Database, reviewer: str) -> tuple[bool, str | None]:
    """``(visited before, end of the previous visit)`` without recording a visit."""
    row = db.execute("SELECT previous_visit_at FROM reviewer_visits WHERE reviewer = ?", [reviewer]).fetchone()
    return (row is not None, row[0] if row else None)
