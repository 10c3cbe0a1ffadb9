"""``newsmon review``: a review decision (or its undo) from the command line.

The same storage function as the browser's buttons (``storage.review``): the decision is logged
in ``review_log``, a note is added to the article's notes, and ``--undo`` takes back the last
decision still in force. It shows no text: it says which version of the article's text it decided
on, and when that version (or the article's relevance) changed after the last review unread, that
the decision took the change off the desk's Updated list; ``--version N`` decides only on the
version read, as the browser's pages do.
"""

from __future__ import annotations

import getpass

import click

from storage.queries import STATUSES


def default_reviewer() -> str:
    """The login name, the reviewer recorded when none is given."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): any name will do
        return "reviewer"


def describe(decision) -> str:
    """One line for a logged decision: which article, from what to what, by whom."""
    title = f" «{decision.title}»" if decision.title else ""
    if decision.undoes is not None:
        what = f"decision undone, back to {decision.to_status}"
    elif decision.from_status == decision.to_status:
        what = f"note added (still {decision.to_status})"
    else:
        what = f"{decision.from_status} → {decision.to_status}"
    on = f", on version {decision.version} of its text" if decision.undoes is None and decision.version else ""
    return f"article {decision.article_id}{title}: {what} (by {decision.reviewer}{on})"


def unread_warning(decision) -> str | None:
    """What a decision that named no version took off the desk's Updated list unread, or None."""
    if decision.unread_change is None:
        return None
    from .desk import jst

    at, article_id = jst(decision.unread_change), decision.article_id
    changed = (f"article {article_id} became relevant at {at} JST, after its dismissal"
               if decision.from_status == "dismissed" else
               f"version {decision.version} of article {article_id} was stored at {at} JST, after its last review")
    return (f"{changed}, and nobody read it through newsmon: this decision took it off the desk's Updated list. Read "
            f"it on its page (newsmon serve: /newsmon/articles/{article_id}); `newsmon review {article_id} --undo` "
            "takes the decision back, and --version N decides only on the version you read")


@click.command()
@click.argument("article_id", type=int, metavar="ID")
@click.option("--status", type=click.Choice(STATUSES), help="The decision: relevant, follow-up, dismissed, "
              "or new (back to the queue).")
@click.option("--note", metavar="TEXT", help="A note, added to the article's notes (alone: a note without "
              "a new status).")
@click.option("--as", "reviewer", metavar="NAME", help="Who decides. Default: your login name.")
@click.option("--version", "read_version", type=click.IntRange(min=1), metavar="N",
              help="The version of the article's text you read (its page lists them): the decision is refused if "
              "another is stored now. Without it, the decision is on the stored one, and says which.")
@click.option("--undo", is_flag=True, help="Take back the article's last decision still in force.")
@click.option("--db", "db_path", metavar="FILE", help="SQLite file. Default: NEWSMON_DB or ./newsmon.db.")
def review(article_id: int, status: str | None, note: str | None, reviewer: str | None, read_version: int | None,
           undo: bool, db_path: str | None) -> None:
    """Mark an article relevant, follow-up, dismissed or new, or undo its last decision.

    The decision is kept in the review_log table with who and when, as a decision made in the
    browser is; the article's ID is in its address (/newsmon/articles/ID). It says which version
    of the article's text it decided on, and warns when that version (or the article's relevance)
    changed after its last review and nobody read it through newsmon.

    Example:

    \b
        newsmon review 42 --status dismissed --note "covered by the Mainichi piece"
        newsmon review 42 --status relevant --version 3
        newsmon review 42 --undo
    """
    import sqlite3
    from pathlib import Path

    from storage import review as reviews
    from storage.exceptions import StorageError

    from . import settings
    from .cli import open_database, require_database

    if undo and (status or note or read_version):
        raise click.UsageError("--undo takes back the last decision: give it without --status, --note and --version")
    if not undo and not status and not note:
        raise click.UsageError("say what to do: --status relevant|follow-up|dismissed|new, --note TEXT, or --undo")
    if not undo and not status and not note.strip():
        # A blank note is no note (storage.review): alone it would do nothing and say so as if a
        # status were meant.
        raise click.UsageError("the note is blank: give --note some text, or a --status")
    path = db_path or settings.NEWSMON_DB
    if not Path(path).is_file():  # an empty file is migrated, as a database made by `sqlite3` is
        require_database(path)
    who = reviewer or default_reviewer()
    db = open_database(path)
    try:
        if undo:
            decision = reviews.undo(db, article_id, by=who)
        else:
            decision = reviews.review(db, article_id, status, note=note, by=who, expected_version=read_version)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.Error as exc:  # locked past the busy timeout, a read-only file: nothing was changed
        raise click.ClickException(f"article {article_id} was not changed: {exc} (database {path})") from None
    finally:
        db.conn.close()
    if decision is None:
        click.echo(f"newsmon: article {article_id} is already {status}; nothing changed", err=True)
        return
    click.echo(f"newsmon: {describe(decision)}", err=True)
    warning = unread_warning(decision)
    if warning:
        # Taken (a script's decision stands, as the browser's without a version), but said: the
        # change was the reason the desk listed the article, and it is not listed any more.
        click.echo(f"newsmon: warning: {warning}", err=True)


if __name__ == "__main__":  # python -m crawler.review, as `newsmon review`
    review()
