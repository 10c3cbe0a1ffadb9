"""Errors raised by the storage layer; each message says what to do about it.

``StorageError`` is the base of all of them:

- ``DatabaseFileError``: ``open_db`` was given a file that is not a SQLite database, or one
  it cannot open.
- ``NewerSchemaError``: ``open_db`` / ``migrate`` found migrations this version of newsmon does
  not know, i.e. the file was written by a newer newsmon.
- ``InvalidStatus`` (also a ``ValueError``): ``set_status`` got a review status outside
  ``STATUSES``.
- ``ArticleNotFound`` (also a ``LookupError``): ``update_score`` / ``set_status`` /
  ``review.review`` / ``review.undo`` got an id no article has.
- ``ReviewConflict``: ``review.review`` / ``review.undo`` found the article changed since the
  reviewer saw it; it names the status now, who set it and when.
- ``NothingToUndo``: ``review.undo`` found no decision in force to take back.
- ``StoryNotFound`` (also a ``LookupError``): ``stories.set_story_status`` got an id no story has.
- ``DictionaryMissing`` (also a ``LookupError``): ``pages.save_page`` got a page compressed
  with a dictionary this database does not hold.
- ``DatabaseUnwritable`` (also a ``sqlite3.OperationalError``): ``db.transaction`` could not
  write to the file: ``DatabaseLocked``, another process's write held it past the busy
  timeout; ``DatabaseFull``, its disk is full; else read-only or failing (I/O errors).
"""

from __future__ import annotations

import sqlite3


class StorageError(Exception):
    """Base class of the errors of ``storage``."""


class DatabaseFileError(StorageError):
    """The path given to ``open_db`` is not a usable SQLite database."""


class NewerSchemaError(StorageError):
    """The database holds migrations unknown to this version of newsmon."""


class InvalidStatus(StorageError, ValueError):
    """A review status that is not one of ``queries.STATUSES``."""


class ArticleNotFound(StorageError, LookupError):
    """No article has the given id."""


class ReviewConflict(StorageError):
    """A decision on a stale view: the article changed since the reviewer loaded it."""

    def __init__(self, message: str, *, article_id: int, title: str | None, status: str, by: str | None,
                 at: str | None, outside: str | None = None, noted: bool = False, version: int | None = None,
                 seen_version: int | None = None) -> None:
        super().__init__(message)
        self.article_id = article_id
        self.title = title
        self.status = status
        self.by = by
        self.at = at
        #: Why the status was set outside newsmon (DB Browser, the sqlite3 shell), if it was.
        self.outside = outside
        #: Whether ``by`` only added a note (the status as it was) at ``at``.
        self.noted = noted
        #: The article's version now, when its text changed since the page showed ``seen_version``
        #: (``at``: when that version was stored); ``None`` when the conflict is its status.
        self.version = version
        self.seen_version = seen_version


class NothingToUndo(StorageError):
    """``review.undo`` has no decision in force to take back."""


class StoryNotFound(StorageError, LookupError):
    """No story has the given id."""


class DictionaryMissing(StorageError, LookupError):
    """A page compressed elsewhere names a page dictionary the database does not hold."""


class DatabaseDamaged(StorageError):
    """The database file is damaged (SQLite: "database disk image is malformed"); the message
    says how to recover what it holds."""


class DatabaseUnwritable(StorageError, sqlite3.OperationalError):
    """The database file cannot be written now; the message says why and what to do.

    Also an ``OperationalError``, which is what SQLite raised: code that handled its errors
    before handles them still. ``code`` names the cause for machines (a crawl's finish reason).
    """

    code = "database_unwritable"

    def __init__(self, message: str, *, path: str | None) -> None:
        super().__init__(message)
        self.path = path


class DatabaseLocked(DatabaseUnwritable):
    """Another process has held a write on the file for longer than the busy timeout."""

    code = "database_locked"

    def __init__(self, message: str, *, path: str | None, waited: float) -> None:
        super().__init__(message, path=path)
        self.waited = waited


class DatabaseFull(DatabaseUnwritable):
    """The disk holding the file is full, or the file reached a size limit."""

    code = "database_full"
