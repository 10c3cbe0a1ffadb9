"""The ``newsmon`` command line."""

from __future__ import annotations

import gzip
import json
import os
import shlex
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .article import Article


class _Commands(click.Group):
    def invoke(self, ctx: click.Context):
        import sqlite3

        from storage.db import damaged
        from storage.exceptions import DatabaseUnwritable

        _SAID.clear()
        try:
            # SIGTERM's handler outlives the hook: a SIGTERM sent again (``_ctrl_c_kept``) never meets Python's default.
            with _stopped_by_sigterm(), _ctrl_c_kept():
                return super().invoke(ctx)
        except DatabaseUnwritable as exc:  # any command's write (locked, disk full), long after the open
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            # A damaged file met by any command's read: a traceback ended `newsmon status`.
            said = damaged(exc, _db_argument())
            if said is None:
                raise
            raise click.ClickException(str(said)) from None
        except KeyboardInterrupt:
            if _SAID:
                # A further Ctrl-C (a key pressed twice) after the stopped line, as the command unwound to its exit
                # (its database closed, its cluster's threads ended): it said the line again under the first.
                _exit_said()
            # Ctrl-C where the command's own handler (``_resumable``, ingest's) does not reach: as it
            # opened or migrated the database, before its first batch. Click said "Aborted!", exit
            # 1, which a script reads as the command's failure, and not what was done.
            _say_stopped(ctx.meta.get(_STOPPED) or f"{ctx.invoked_subcommand} stopped (Ctrl-C)")
        except BrokenPipeError:
            # The reader of the output went away (`newsmon status | head -1`): click exits 1, which
            # is status's "an outlet is failing", a false alarm under cron with pipefail. Quietly, as
            # a Unix tool a SIGPIPE ends: 141 (128 + 13), its flush at exit sent nowhere.
            with suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(BROKEN_PIPE)


@contextmanager
def _ctrl_c_kept() -> Iterator[None]:
    """A Ctrl-C that Python swallowed is sent to the main thread again.

    Python raises KeyboardInterrupt in whatever Python code runs as SIGINT arrives; in a finalizer or
    a weakref callback (Python 3.13's importlib runs one as each module imported lazily is done) it
    cannot get out: "Exception ignored", a traceback, and the command went on as if no key was
    pressed (a command waiting to migrate a locked database waited its 30 s, then said the database
    was locked). Sent again a moment later, from a thread, it is raised where the command is by then.
    The hook before is put back after the command, for commands run inside another program (tests)."""
    import signal
    import threading

    before = sys.unraisablehook
    main = threading.main_thread()
    # Held while a Ctrl-C is sent again, and once the command has ended: none is sent after it (one
    # arriving as the interpreter exits, Python's handler gone, would kill the process after its message).
    sending = threading.Lock()
    ended = False

    def again() -> None:
        with sending:
            if not ended:
                # SIGTERM's KeyboardInterrupt (``_stopped_by_sigterm``) is sent again as SIGTERM: as SIGINT, a process
                # that ignores SIGINT (started with `&` by a script) ignored it, and ran on as if never stopped.
                signal.pthread_kill(main.ident, signal.SIGTERM if _TERMINATED else signal.SIGINT)

    def kept(unraisable) -> None:
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and threading.current_thread() is main):
            before(unraisable)
            return
        # Not from here: raised before this hook returns, it would be swallowed again ("Exception
        # ignored in sys.unraisablehook").
        timer = threading.Timer(0.05, again)
        timer.daemon = True
        timer.start()

    sys.unraisablehook = kept
    try:
        yield
    finally:
        with sending:
            ended = True
        sys.unraisablehook = _quiet_after_stop(before) if _SAID else before  # (``_say_stopped``)


#: "SIGTERM" once one has stopped this command (``_stopped_by_sigterm``); ``_say_stopped`` says so.
_TERMINATED: list[str] = []
#: The exit status once the command has said how it stopped (``_say_stopped``): a further Ctrl-C or SIGTERM
#: only hastens that end, without a word (``_exit_said``, ``_quiet_after_stop``).
_SAID: list[int] = []


def _exit_said() -> NoReturn:
    """End the command with the exit status its stopped line said (``_say_stopped``), whatever Ctrl-C or SIGTERM
    comes meanwhile: one more there (a key pressed twice) was raised out of the command's handler, and said the line
    again under the first, or Click's "Aborted!", exit 1."""
    while True:
        try:
            # CPython marks a KeyboardInterrupt that ended code run from a string (exec, eval: each dataclass's
            # __init__, as a module being imported makes one) as never caught, and a `python -m` run (the
            # scheduler's crawls, the tests' commands) ends by killing itself with SIGINT then, whatever it
            # exits with: exit -2 after saying it was stopped, in 2 of ~100 runs of a Ctrl-C test. A string run
            # after clears the mark.
            exec("pass", {})
            break
        except KeyboardInterrupt:
            continue
    sys.exit(_SAID[0])


def _quiet_after_stop(before: Callable[[Any], None]) -> Callable[[Any], None]:
    """``before``, the unraisable hook, but silent on the KeyboardInterrupt of a Ctrl-C (or SIGTERM) that comes after
    the stopped line: what Python's exit runs then (its join of the threads left, atexit's work: Dask's close of its
    clusters) met it with "Exception ignored in: <module 'threading'>" and a traceback under the line, the exit status
    130 all the same. It cuts that wait short as before; it is only not told. Kept for the process's exit, past the
    command; in a program that runs commands itself, until its next one (``_SAID`` cleared)."""
    if getattr(before, "newsmon_quiet_after_stop", False):
        return before

    def hook(unraisable) -> None:
        if not (_SAID and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            before(unraisable)

    hook.newsmon_quiet_after_stop = True  # type: ignore[attr-defined]
    return hook


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (`kill`, systemd's stop, a container's) stops a command as Ctrl-C does: the line saying
    what it kept and what finishes it, its workers and local cluster closed, exit status 143 (128 + 15).

    Python's default let the process die at once: an ingest stopped so said nothing of the archive it
    left unfinished, exit -15, and multiprocessing's warning of 12 leaked semaphores. A handler the
    command sets (Scrapy's in a crawl, the schedule's) takes its place while it runs; one set before
    the command (an embedding program's) is left alone."""
    import signal
    import threading

    _TERMINATED.clear()
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum, frame) -> NoReturn:
        _TERMINATED[:] = ["SIGTERM"]
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


#: The exit status of a command whose output pipe closed before it had written all (``_Commands``).
BROKEN_PIPE = 128 + 13


def _db_argument() -> str | None:
    """The database this command was given (--db, NEWSMON_DB), for a message about it."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--db" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--db="):
            return arg[5:]
    return os.environ.get("NEWSMON_DB", "newsmon.db")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmon")
def cli() -> None:
    """Monitor Japanese news outlets for articles on Japan's security-document revisions."""


class UnreadablePage(ValueError):
    """A saved page that cannot be read as a page: corrupt or truncated gzip, or no HTML page at all."""


def _read(path: str) -> bytes:
    """The bytes of a saved page (``-``: standard input), gunzipped when they are gzip.

    Raises:
        OSError: the path cannot be read.
        UnreadablePage: truncated or corrupt gzip data, or bytes that are no HTML page (``_no_page``).
    """
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    # Saved pages are often kept gzipped (ours are); read them as they are.
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except EOFError:
            raise UnreadablePage("truncated gzip data (the file ends before the compressed "
                                 "stream does)") from None
        except (OSError, zlib.error) as exc:
            raise UnreadablePage(f"corrupt gzip data ({exc})") from None
    if reason := _no_page(data):
        raise UnreadablePage(f"{reason}: give extract a web page saved as HTML (a browser's \"Save Page As\", "
                             "curl -o; gzipped or not)")
    return data


def _no_page(data: bytes) -> str | None:
    """Why ``data`` is no HTML page, judged as a crawl judges a body served without a Content-Type (a file has
    none: ``outcome.check_body``), or ``None``. A Markdown file, JSON, a feed or an empty file passed: read as an
    article (text with no markup), or "no article found" with exit status 0, the user who gave the wrong file was
    told neither. A page whose markup opens late (a PHP notice before it) is one all the same, as in an archive;
    not a Markdown file whose HTML example, under a code fence, is what ``opens_late`` found: it was read as an
    article (a server writes no fence before its page)."""
    import re

    from .outcome import check_body, opens_late

    unfit = check_body(data)
    if unfit is None or (opens_late(data) and not re.search(rb"^[ \t]{0,3}(?:```|~~~)", data[:4096], re.M)):
        return None
    # Its words are a response's: a file was served by nobody, and has no body but itself.
    reason = unfit.reason.replace(" served without a Content-Type", "")
    if unfit.code == "empty_body":
        reason = "not an HTML page: " + reason.replace("the server sent an empty body", "empty").replace(
            "the server sent only", "only")
    return reason


def _as_text(article: Article) -> str:
    lines = [article.title or "(no title)"]
    for label, value in (
        ("URL", article.url),
        ("Outlet", article.outlet),
        ("Published", article.published_at),
        ("Modified", article.modified_at),
        ("Authors", ", ".join(article.authors)),
        ("Paywalled", "yes" if article.paywalled else None),
        ("Method", article.method),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if article.lead:
        lines += ["", article.lead]
    lines += [""] + article.paragraphs
    return "\n".join(lines)


def _extract_path(path: str, url: str | None, outlets: dict | None = None) -> tuple[Article | None, bool]:
    """Extract one saved page; messages go to stderr. Returns (article, path was usable)."""
    try:
        data = _read(path)
    except OSError as exc:
        click.echo(f"newsmon: cannot read {path}: {exc.strerror or exc}", err=True)
        return None, False
    except UnreadablePage as exc:
        click.echo(f"newsmon: {path}: {exc}", err=True)
        return None, False
    # Imported here: trafilatura costs every other command 0.2 s.
    from .extract import BODY_METHOD_PREFIX, GENERIC_METHOD, extract_article, paragraph_hint
    from .outlets import outlet_for_url

    try:
        article = extract_article(data, url, outlets=outlets)
    except Exception as exc:  # a bug of ours must not cost the user the other pages
        click.echo(f"newsmon: extraction failed for {path}: {type(exc).__name__}: {exc} "
                   "(please report this with the page)", err=True)
        return None, False
    if article is None:
        # What a crawl would record of it: "a listing, error or empty page?" left the one who
        # extracts a redesigned outlet's page to guess that its scripts draw the article.
        from .outcome import no_article_problem

        problem = no_article_problem(data)  # a page: ``_read`` refused the rest
        click.echo(f"newsmon: no article found in {path}: {problem.reason} ({problem.code})", err=True)
    elif article.method.startswith(BODY_METHOD_PREFIX):
        # Whoever extracts a saved page of a redesigned outlet is mending its rules: say where.
        hint = paragraph_hint(data, article.url)
        click.echo(f"newsmon: {path}: its outlet's rules no longer name its paragraphs ({article.method}: read "
                   f"from their body a line a block)" + (f"; the text is in {hint}" if hint else ""), err=True)
    elif article.method == GENERIC_METHOD and (outlet := outlet_for_url(article.url, outlets)) is not None \
            and outlet.rules:
        # No rules' layout of the outlet matched the page at all (a redesign of its body too): as
        # much for whoever mends them to know as a body read a line a block.
        click.echo(f"newsmon: {path}: no layout of {outlet.key}'s rules matches it ({len(outlet.rules)} tried): "
                   f"read by generic extraction ({article.method}); if {outlet.key} was redesigned, its rules in "
                   f"crawler/outlets/{outlet.key}.py need a layout for it", err=True)
    from .encoding import declared_encodings, decode_html, garbled

    if article is not None and garbled(f"{article.title or ''}\n{article.text}", article.language):
        # What outlet health's ``garbled`` sends the user here to learn: which codec read the page.
        used = decode_html(data)[1]
        claims = ", ".join(declared_encodings(data)) or "none"
        click.echo(f"newsmon: {path}: its text reads as bytes decoded with the wrong codec: read as {used} "
                   f"(the page declares: {claims}); the Content-Type of its HTTP response may name another "
                   "(newsmon extract cannot know it)", err=True)
    return article, True


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", metavar="URL", help="The URL the page was fetched from (one PATH only). "
              "Default: the page's canonical link, og:url or JSON-LD url.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True, help="jsonl: one line per PATH, in order; null where no article.")
@click.option("--config", "config", metavar="FILE", help="TOML config whose outlets are known as a crawl knows "
              "them (its own outlets, its language for a built-in one). Default: NEWSMON_CONFIG.")
def extract(paths: tuple[str, ...], url: str | None, fmt: str, config: str | None) -> None:
    """Extract the article from saved HTML pages.

    Pages may be in any encoding and may be gzipped; '-' reads standard input.

    Example:

    \b
        newsmon extract tests/fixtures/saved/fundus-jp/TheJapanNews_2024_10_13.html.gz --format text
    """
    if url and len(paths) > 1:
        raise click.UsageError("--url names the URL of one page: give a single PATH with it.")
    # Without a config, the built-in outlets (extract_article's default): nothing to check or load.
    outlets = _outlets(config) if config or os.environ.get("NEWSMON_CONFIG") else None
    results: list[dict | None] = []
    failed = False
    for path in paths:
        article, ok = _extract_path(path, url, outlets)
        failed = failed or not ok
        results.append(article.to_dict() if article else None)
        if fmt == "jsonl":
            click.echo(json.dumps(results[-1], ensure_ascii=False))
        elif fmt == "text" and article is not None:
            if len(results) > 1:
                click.echo("\n" + "-" * 40)
            click.echo(_as_text(article))
    if fmt == "json":
        payload = results[0] if len(paths) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


# --- crawling and storage ---------------------------------------------------------------------

db_option = click.option("--db", "db", metavar="FILE", help="SQLite file. Default: NEWSMON_DB or ./newsmon.db.")
config_option = click.option("--config", "config", metavar="FILE", help="TOML config with outlets and topics. "
                             "Default: NEWSMON_CONFIG.")


class BadConfig(click.ClickException):
    """A wrong setting or config file: one line that names it, exit status 2 (a usage error)."""

    exit_code = 2


def _outlets(config: str | None) -> dict:
    """The outlets of ``config`` (default ``NEWSMON_CONFIG``), the built-in ones with it, checked
    as every command checks a config (``BadConfig`` on a mistake)."""
    from . import settings as defaults
    from .validate import check_config

    with _checked():
        return check_config(config or defaults.NEWSMON_CONFIG).config.outlets


@contextmanager
def _checked() -> Iterator[None]:
    """Report the errors of ``crawler/validate.py`` as :class:`BadConfig`, without a traceback."""
    from .config import ConfigError
    from .validate import SettingError

    try:
        yield
    except (ConfigError, SettingError) as exc:
        raise BadConfig(str(exc)) from None


#: Exit status of a command stopped with Ctrl-C (SIGINT), as a shell gives one.
EXIT_INTERRUPTED = 130
#: Exit status of a command stopped with SIGTERM, as a shell gives one.
EXIT_TERMINATED = 128 + 15

#: Where a command keeps what it says if Ctrl-C stops it before its own handler can (``_if_stopped``).
_STOPPED = "newsmon.stopped"


def _if_stopped(said: str) -> None:
    """What this command says, after "newsmon: ", if Ctrl-C stops it from here on where its own
    handler does not reach (``_Commands``): what it had done, and the command that does the rest."""
    click.get_current_context().meta[_STOPPED] = said


def _read_stopped(said: Callable[[], str]) -> str:
    """The line a stopped command reads from the database as it stops: asked again at a second Ctrl-C (one
    query, no lock to wait for), which fell to the catch-all's line set before the command began."""
    while True:
        try:
            return said()
        except KeyboardInterrupt:
            continue


def _say_stopped(said: str, heard: str | None = None) -> NoReturn:
    """``heard``: the signal a Scrapy crawl's own handlers heard ("SIGTERM", "SIGINT"), not ``_stopped_by_sigterm``."""
    import signal
    import threading

    if heard is not None:
        _TERMINATED[:] = ["SIGTERM"] if heard == "SIGTERM" else []
    if _TERMINATED:
        said = said.replace("(Ctrl-C)", f"({_TERMINATED[0]})")
    code = EXIT_TERMINATED if _TERMINATED else EXIT_INTERRUPTED
    # A second Ctrl-C or SIGTERM as the line is written asks for what is being done: raised in the write, it reached
    # the command-wide handler, which said a second line ("… stopped (SIGTERM)" under "… after 1,000 of 3,000 …").
    # One is held, no more: a line that cannot get out (standard error a pipe its reader stopped reading: `2>&1 |
    # less`, a stalled log driver) left the command deaf to every SIGTERM and Ctrl-C after, until SIGKILL; the next
    # one ends it, as before. A handler not set from Python (None: an embedding program's own) is left alone, as it
    # could not be put back: replaced, the program's SIGTERM handler never ran again.
    held: dict[int, Any] = {}

    def put_back() -> None:
        # Each set before it leaves ``held``: a stop raised between the two (SIGTERM's, its handler back first) finds
        # it still there for the next try. Taken out first, SIGINT's was lost, and Ctrl-C held for good: the exit's
        # wait (a thread's join, a cluster's close) could no longer be cut short. Setting one twice is harmless.
        while held:
            for signum, handler in list(held.items()):
                signal.signal(signum, handler)
                held.pop(signum, None)

    def hold(signum, frame) -> None:
        put_back()

    def hold_all() -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signum not in held and (handler := signal.getsignal(signum)) is not None:
                held[signum] = handler
                signal.signal(signum, hold)

    try:
        if threading.current_thread() is threading.main_thread():
            try:
                hold_all()
            except KeyboardInterrupt:
                # The second stop, as they were swapped (SIGINT's held, SIGTERM's not yet): raised here, before the
                # line, it left SIGINT held for good and said the command-wide handler's line or Click's "Aborted!".
                hold_all()
        click.echo(f"newsmon: {said}", err=True)
        _SAID[:] = [code]
        sys.unraisablehook = _quiet_after_stop(sys.unraisablehook)
    finally:
        # Back as they were for the exit's own work (a local cluster's close), which a Ctrl-C may still cut short.
        # The line out, a Ctrl-C as they are put back only hastens the end it said (``_exit_said``).
        while True:
            try:
                put_back()
                break
            except KeyboardInterrupt:
                if not _SAID:
                    raise
    _exit_said()


@contextmanager
def _resumable(command: str, progress, again: str, finish: str = "again to finish") -> Iterator[None]:
    """Ctrl-C in a command that stores its work a batch at a time: one line saying how far it got
    and what finishes it, exit status 130. Click's "Aborted!" said neither, under its workers'
    tracebacks, while part of the articles held new scores and the rest old ones."""
    try:
        yield
    except KeyboardInterrupt:
        progress.close()
        _say_stopped(f"{command} stopped (Ctrl-C) after {progress.done:,.0f} of {progress.total:,.0f} {progress.unit}, "
                     f"each batch done stored: run `{again}` {finish}")
    _if_stopped(f"{command} stopped (Ctrl-C) as it ended: its work is stored")


def _again(words: Sequence[str], db: str | None, config: str | None) -> str:
    """The command that finishes a stopped one, as it was given: with its --db and --config. Said as
    `newsmon rescore`, it rescored another database (news.db), or this one under the shipped topics
    only, taking the articles of the user's own topics off them."""
    return shlex.join(["newsmon", *words, *(["--db", db] if db else []), *(["--config", config] if config else [])])


def require_database(path: str, made_by: str = "`newsmon crawl` or `newsmon demo`", start: str | None = None) -> None:
    """That ``path`` is a file with something in it, for a command that does not start a database.

    Opened, a mistyped path became an empty database, and so did an empty file (`touch`, a copy
    that failed): `status` said every outlet was fine, `export` exported nothing, exit 0.
    ``made_by``: the commands that write one; ``start``: how to start one there, for the message.
    """
    # A relative path is said with the directory it was looked for in: the default ./newsmon.db,
    # or a --db given in another directory than the crawls' (cron's is the home directory).
    where = path if os.path.isabs(path) else f"{path} (in {os.getcwd()})"
    if Path(path).is_dir():
        # "no database at news/ …, or run `newsmon crawl --db news/` to start one there": that crawl cannot open it.
        raise click.ClickException(f"{where} is a directory, not a newsmon database: give --db the database file "
                                   f"{made_by} wrote in it (e.g. {os.path.join(path, 'newsmon.db')})")
    if not Path(path).is_file():
        start = start or f"run `newsmon crawl --db {shlex.quote(path)}` first to start one there"
        raise click.ClickException(f"no database at {where}: give --db the file {made_by} wrote, or {start}")
    if Path(path).stat().st_size == 0:
        raise click.ClickException(f"{where} is an empty file, not a newsmon database: give --db the file "
                                   f"{made_by} wrote")


def open_database(path: str, *, reading: bool = False):
    """``storage.open_db`` for a command: a file it cannot use is one line, exit status 1.

    The same message ``newsmon serve`` gives: not a newsmon database, cannot be opened,
    migrated by a newer newsmon. A command that only ``reading`` reads a file it may not write
    as it is (``storage.db.open_read_only``), and says so on standard error.
    """
    import sqlite3

    from storage import open_db
    from storage.db import open_read_only
    from storage.exceptions import DatabaseLocked, DatabaseUnwritable, StorageError

    from . import settings as defaults
    from .validate import check_settings

    with _checked():  # NEWSMON_DB_BUSY_TIMEOUT among them, read here
        check_settings({})
    try:
        return open_db(path, busy_timeout=defaults.NEWSMON_DB_BUSY_TIMEOUT)
    except DatabaseUnwritable as exc:
        # status and export on a backup or a snapshot mounted read-only, or on a full disk, said
        # only that the file could not be written, which they had no need to do.
        if not reading or isinstance(exc, DatabaseLocked):
            raise click.ClickException(str(exc)) from None
        try:
            database, left_out = open_read_only(path)
        except StorageError as again:
            raise click.ClickException(f"{again} (and it cannot be written: {exc})") from None
        click.echo(f"newsmon: read only, as it is: {unwritable_why(exc)}" + (f"; {left_out}" if left_out else ""),
                   err=True)
        database.unwritable = exc  # `newsmon status` alarms on a full disk: no crawl can store
        return database
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.Error as exc:  # e.g. a read-only file that needs migrating
        raise click.ClickException(f"cannot use the database {path!r} ({exc}); check --db / NEWSMON_DB") from None


def unwritable_why(exc: Exception) -> str:
    """What ``open_database`` found of a file it may not write, without what to do about it
    (the reader of a read-only file has nothing to do)."""
    return str(exc).split(":", 1)[0]


def _settings(db: str | None, config: str | None, extra: dict | None = None) -> dict:
    overrides = dict(extra or {})
    if db:
        overrides["NEWSMON_DB"] = db
    if config:
        overrides["NEWSMON_CONFIG"] = config
    return overrides


def _setting_pairs(pairs: tuple[str, ...]) -> dict:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise BadConfig(f"-s {pair}: write NAME=VALUE, e.g. -s NEWSMON_MAX_ARTICLES=50")
        out[name] = value
    return out


def _open(db: str | None, config: str | None, *, create: bool = False, reading: bool = False):
    """Check the settings and the config, then open the database: (database, checked config).

    Only a command that stores what it fetches or reads (``create``) may start a new file; one
    that only reads it (``reading``) reads it as it is where it may not write it.
    """
    from . import settings as defaults
    from .validate import check_config, check_settings

    with _checked():
        check_settings({})
        checked = check_config(config or defaults.NEWSMON_CONFIG)
    path = db or defaults.NEWSMON_DB
    if not create:
        require_database(path)
    database = open_database(path, reading=reading)
    # Closed with the command however it ends: a command run in a process that goes on (a test's,
    # an embedding program's) otherwise left the file open until the garbage collector found it.
    click.get_current_context().call_on_close(database.conn.close)
    return database, checked


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@db_option
@config_option
@click.option("-s", "--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or NEWSMON_* setting for this run (repeatable).")
@click.option("--wait", default=0.0, metavar="SECONDS", show_default=True,
              help="When another process is crawling one of the outlets, wait this long for it.")
def crawl(outlets: tuple[str, ...], db: str | None, config: str | None, pairs: tuple[str, ...],
          wait: float) -> None:
    """Fetch new articles of the outlets (all when none is named) into the database.

    Example:

        newsmon crawl asahi nikkei --db news.db
    """
    # Once Scrapy runs, Ctrl-C is its own: the run closes cleanly and says so (``CrawlResult.trouble``).
    again = _again(["crawl", *outlets, *(w for pair in pairs for w in ("-s", pair)),
                    *(["--wait", str(wait)] if wait else [])], db, config)
    _if_stopped(f"crawl stopped (Ctrl-C) before it fetched anything: run `{again}` again")

    from storage.exceptions import DatabaseUnwritable, StorageError

    from .crawl import EXIT_BUSY, EXIT_UNWRITABLE, STOPPED_BY, run_crawl
    from .locks import OutletBusy

    try:
        with _checked():
            result = run_crawl(list(outlets), _settings(db, config, _setting_pairs(pairs)), wait=wait)
    except DatabaseUnwritable as exc:
        click.echo(f"Error: {exc}; nothing was fetched", err=True)
        sys.exit(EXIT_UNWRITABLE)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    except OutletBusy as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    _if_stopped("crawl stopped (Ctrl-C) as it ended: its run is recorded (`newsmon status` shows it)")
    _print_run(result.stats)
    trouble = result.trouble
    if trouble is None:
        return
    if result.stats.get("newsmon/database_unwritable"):
        click.echo(f"Error: {trouble}", err=True)
        sys.exit(EXIT_UNWRITABLE)
    if (stopped := result.stopped(again)) and not result.stats.get("newsmon/database_damaged"):
        # Stopped as asked, not failed: 130 or 143, as every command stopped so (it was "Error: …", exit 1, which cron
        # and systemd count as the crawl's failure). Scrapy's handlers heard the signal, not ``_stopped_by_sigterm``.
        _say_stopped(stopped, result.stats[STOPPED_BY])
    raise click.ClickException(trouble)


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@config_option
@click.option("-s", "--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or NEWSMON_* setting for this check (repeatable).")
@click.option("--articles", default=2, show_default=True, type=click.IntRange(0, 20), metavar="N",
              help="Sample articles fetched and extracted per outlet.")
@click.option("--stale-after", default=7.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="DAYS", help="A feed or sitemap whose newest entry is older than this is stale.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an object keyed by outlet) instead of the report.")
def check(outlets: tuple[str, ...], config: str | None, pairs: tuple[str, ...], articles: int, stale_after: float,
          as_json: bool) -> None:
    """Check each outlet's feeds, sitemaps, start URLs and a few articles, live.

    Politely (robots.txt, delays, your NEWSMON_CONTACT in the User-Agent), nothing stored.
    Verdict per outlet: ok, degraded, blocked (walls) or broken (no article URL found, or
    none of the sample articles reads); the exit status is 1 when any outlet is broken.

    Example:

        newsmon check asahi nhk --articles 3
    """
    from datetime import timedelta

    from . import settings as defaults
    from .check import Unfinished, report_lines, run_check
    from .validate import check_config, check_settings, notify_problem, notifying

    again = _again(["check", *outlets, *(w for pair in pairs for w in ("-s", pair)),
                    *(["--articles", str(articles)] if articles != 2 else []),
                    *(["--stale-after", f"{stale_after:g}"] if stale_after != 7 else []),
                    *(["--json"] if as_json else [])], None, config)
    # Until its crawl hears the signal itself: "check stopped (Ctrl-C)" alone said neither what it did nor the command.
    _if_stopped(f"check stopped (Ctrl-C) before it sent a request, so it gives no verdicts (it stores nothing): run "
                f"`{again}` again")
    with _checked():
        overrides = check_settings(_settings(None, config, _setting_pairs(pairs)))
        # Its [notify] too, as `schedule` checks it: the crawls of a config `check` passed sent no digest, the broken
        # apprise URL found only by a failed delivery after the first relevant article. Refused only with notifications
        # on, as a crawl warns only then (``crawl._warn_of_notify``): off, no digest is tried, and a machine without
        # apprise, its config copied from the one that sends, could check no outlet. Said as a note then.
        sending = notifying(overrides)
        checked = check_config(overrides.get("NEWSMON_CONFIG", defaults.NEWSMON_CONFIG), outlets=outlets,
                               apprise=sending)
    for note in checked.config.replaced_notes(outlets):
        click.echo(f"newsmon: note: {note}", err=True)
    if not sending and (problem := notify_problem(checked)):
        click.echo(f"newsmon: note: {problem} (notifications are off here, NEWSMON_NOTIFY_ENABLED)", err=True)
    try:
        reports = run_check(list(outlets), overrides, articles=articles, stale_after=timedelta(days=stale_after))
    except Unfinished as exc:
        if exc.stopped_by:
            # Stopped as asked, not failed (as a crawl: Scrapy's handlers heard the signal, not _stopped_by_sigterm).
            _say_stopped(f"check stopped (Ctrl-C) before every outlet was checked, so it gives no verdicts (it stores "
                         f"nothing): run `{again}` again", exc.stopped_by)
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        for line in report_lines(reports):
            click.echo(line)
    if any(r["verdict"] == "broken" for r in reports.values()):
        sys.exit(1)


#: What ``newsmon urls`` says of a URL: the codes a crawl records for it.
_URL_VERDICTS = ("article", "not_article_url", "off_scope", "bad_url")


@cli.command()
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8", errors="replace"), metavar="[FILE]...")
@config_option
@click.option("--only", "only", type=click.Choice(_URL_VERDICTS),
              metavar="VERDICT", help="Print only the URLs of this verdict.")
def urls(files: tuple, config: str | None, only: str | None) -> None:
    """Say what a crawl would do with each URL: the outlet, the URL it would fetch, the verdict.

    Reads URLs, one per line (FILE, or standard input), offline. Verdicts, as the crawl records
    them: article (its outlet's article URL pattern takes it), not_article_url (on an outlet's
    domains, but the pattern does not take it: refused from a feed, ignored on a section page),
    off_scope (on no outlet's domains), bad_url (no http(s) URL with a host: a relative one, or
    one no URL parser takes). Prints one tab-separated line
    per URL: verdict, outlet, the URL as the crawl keys it, the URL as given; counts go to
    standard error. Run it on an outlet's URLs found elsewhere (a partner's list, an archive,
    another crawler's log) to see which articles its pattern would miss.

    Example:

        newsmon urls found.txt --only not_article_url
    """
    from collections import Counter
    from urllib.parse import urlsplit

    from .outlets import outlet_for_url
    from .store import known_hosts
    from .urls import canonical_url

    outlets = _outlets(config)
    hosts = known_hosts(outlets)
    verdicts: Counter = Counter()
    missed: Counter = Counter()  # by outlet: its URLs its pattern does not take
    for line in (line for f in (files or (click.get_text_stream("stdin"),)) for line in f):
        given = line.strip()
        if not given or given.startswith("#"):
            continue
        try:
            url = canonical_url(given, hosts)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                # "foo", "/articles/1", "http://": no crawl fetches them as they are (it reads a
                # feed's relative links against the feed's URL).
                raise ValueError("no http(s) URL with a host")
            outlet = outlet_for_url(url, outlets)
        except ValueError:  # "https://[broken", a port that is no number
            url, outlet, verdict = given, None, "bad_url"
        else:
            verdict = ("off_scope" if outlet is None or not outlet.in_scope(url)
                       else "article" if outlet.is_article_url(url) else "not_article_url")
        key = outlet.key if outlet else "-"
        verdicts[verdict] += 1
        if verdict == "not_article_url":
            missed[key] += 1
        if only in (None, verdict):
            click.echo(f"{verdict}\t{key}\t{url}\t{given}")
    total = sum(verdicts.values())
    click.echo(f"newsmon: {total} URL{'' if total == 1 else 's'}: " + ", ".join(
        f"{verdicts[v]} {v}" for v in _URL_VERDICTS if verdicts[v]), err=True)
    if missed:
        click.echo("newsmon: on an outlet's domains, not taken by its article URL pattern: "
                   + ", ".join(f"{key} {n}" for key, n in sorted(missed.items())), err=True)


def _discovery_counts(stats: dict) -> tuple[int, int]:
    """(failed or broken, read) of a run's feeds, sitemaps and sections, over its outlets."""
    def total(*ends: str) -> int:
        return sum(v for k, v in stats.items() if k.startswith("newsmon/outlet/") and k.endswith(ends))

    return total("/discovery_failed", "/discovery_broken"), total("/discovery_ok", "/discovery_failed")


def _print_run(stats: dict) -> None:
    # "0 failed pages" alone, after a run whose every feed failed, read as a good run.
    bad, read = _discovery_counts(stats)
    discovery = f", {bad} of {read} feeds, sitemaps and sections failed or broken (newsmon status says which)" \
        if bad else ""
    click.echo(
        f"newsmon: {stats.get('downloader/request_count', 0)} requests, "
        f"{stats.get('newsmon/articles/new', 0)} new articles, "
        f"{stats.get('newsmon/articles/relevant', 0)} relevant, "
        f"{stats.get('newsmon/errors', 0)} failed pages{discovery} ({_run_said(stats)})", err=True)


def _run_said(stats: dict) -> str:
    """The run as the summary line says it ("run 12, finished"): one its database never took was
    "run None"."""
    reason = stats.get("finish_reason") or "stopped before it could close"
    run_id = stats.get("newsmon/run_id")
    return f"run {run_id}, {reason}" if run_id is not None else f"not recorded, {reason}"


#: Times ``rescore`` reads again the articles a crawl changed while it scored them.
RESCORE_AGAIN = 3


@cli.command()
@db_option
@config_option
def rescore(db: str | None, config: str | None) -> None:
    """Recompute every stored article's score from its stored text (after topics change).

    The classifier's probabilities and flags are recomputed too, with the models `newsmon
    learn` trained (it does not retrain them).

    Example:

        newsmon rescore --config my-topics.toml
    """
    rerun = _again(["rescore"], db, config)
    _if_stopped(f"rescore stopped (Ctrl-C) before it scored an article; no score was changed: run `{rerun}` again")

    from storage import queries, transaction
    from storage import stories as story_db
    from storage.db import landed

    from . import relevance, store
    from .progress import Progress

    database, checked = _open(db, config)
    config_path = checked.config.path
    _, topics = store.context(config_path)
    lost = _topics_lost(database, topics)
    models = relevance.load_models(database)
    changed = total = entered = left = revived = 0
    counts = {"classified": 0, "maybe-missed": 0, "likely-false-positive": 0}
    articles = database.execute("SELECT count(*) FROM articles").fetchone()[0]
    stale: list[int] = []

    def write(rows: list[dict], scored: list[dict]) -> None:
        nonlocal changed, total, entered, left, revived
        # One transaction per batch: a reviewer's decision never waits for the whole run.
        with transaction(database):
            # A crawl that revisited an article meanwhile stored a new version and scored it: the
            # score of the text read before was written over it, and an article no longer on the
            # topics stayed in the queue with evidence its text no longer holds. Those are read again.
            current = queries.unchanged_since(database, rows)
            stale.extend(row["id"] for row in rows if row["id"] not in current)
            pairs = [(row, fields) for row, fields in zip(rows, scored) if row["id"] in current]
            moved = [row["id"] for row, fields in pairs
                     if fields["score"] != row["score"] or fields["relevant"] != row["relevant"]]
            queries.update_scores(database, [fields for _, fields in pairs])
            updates = relevance.classify([{**row, **fields} for row, fields in pairs], models)
            queries.update_relevance(database, updates)
            # Their stories' relevant count and best score with them: left as they were, the
            # stories table said 0 relevant of a story of 19.
            story_db.refresh_of(database, moved, now=queries.now_utc())
            in_flight["written"] = True  # the block's last statement: a Ctrl-C before it rolled the batch back
        in_flight["committed"] = True
        for row, fields in pairs:
            total += 1
            changed += fields["score"] != row["score"] or fields["relevant"] != row["relevant"]
            if row["status"] == "new" and bool(fields["relevant"]) != bool(row["relevant"]):
                entered += bool(fields["relevant"])
                left += not fields["relevant"]
            # Dismissed when it was not relevant: the desk lists it as changed since its review.
            revived += row["status"] == "dismissed" and bool(fields["relevant"]) and not row["relevant"]
        unreviewed = {row["id"] for row, _ in pairs if row["status"] == "new"}
        for article_id, p, _, flagged in updates:
            counts["classified"] += p is not None
            if flagged and article_id in unreviewed:  # as status counts them: a reviewed one is in no lane
                counts[flagged] += 1

    def stored(rows: list[dict], scored: list[dict]) -> bool:
        """Whether the database holds a batch's scores: told by the last article whose score it moves, written
        with the others in the batch's one transaction (a batch that moves none holds them either way)."""
        moved = [(row["id"], fields["score"], int(bool(fields["relevant"]))) for row, fields in zip(rows, scored)
                 if fields["score"] != row["score"] or fields["relevant"] != row["relevant"]]
        return not moved or database.execute("SELECT 1 FROM articles WHERE id = ? AND score = ? AND relevant = ?",
                                             moved[-1]).fetchone() is not None

    in_flight: dict[str, bool] = {}
    with Progress("rescore", total=articles, unit="articles") as progress, \
            _resumable("rescore", progress, rerun):
        for rows, scored in store.rescore_batches(database, config_path):
            before, done = changed, progress.done
            in_flight.clear()
            try:
                write(rows, scored)
                progress.update(len(rows), changed=changed - before)
            except KeyboardInterrupt:
                # A Ctrl-C just after the batch's COMMIT, before the progress counted it: the stopped line said "after
                # 0 of 1,002 articles" of a database holding 500 rescored. Told by the scores alone, a batch that moves
                # none (a threshold changed, the classifier retrained) was counted though rolled back (``landed``).
                if landed(database, in_flight, lambda: stored(rows, scored)) and progress.done == done:
                    progress.update(len(rows))
                raise
        again_read = 0
        for _ in range(RESCORE_AGAIN):
            again, stale[:] = list(queries.iter_articles(database, stale)), []
            if again:
                again_read += len(again) if not again_read else 0
                write(again, store.score_batch(config_path, [(r["id"], r["title"], r["text"]) for r in again]))
    click.echo(f"newsmon: rescored {total} articles, {changed} changed"
               + (f"; {again_read} changed by a crawl while they were scored, and were scored again on their new "
                  "text" if again_read else "")
               + (f"; {len(stale)} changed again as they were rescored (a crawl revisiting them): their scores are "
                  "the crawl's" if stale else ""))
    if entered or left:
        # Unreviewed articles come and go from the queue with their relevance: said, not silent.
        click.echo(f"newsmon: {entered} entered the review queue (unread on the desk, in the next digest), "
                   f"{left} left it unreviewed (relevant no more under these topics; kept in the articles table)")
    if revived:
        # Out of the queue for their status: said, and on the desk's "Updated" list (m046).
        click.echo(f"newsmon: {revived} dismissed article{'s are' if revived != 1 else ' is'} relevant under these "
                   "topics: the desk lists them under Updated, to decide again")
    if models:
        click.echo(f"newsmon: classifier: {counts['classified']} articles rated, {counts['maybe-missed']} maybe missed, "
                   f"{counts['likely-false-positive']} likely false positives")
    _say_topics_lost(database, lost, config_path)


def _topics_lost(database, topics) -> dict[str, int]:
    """Relevant articles by their topic, of the topics ``topics`` does not define: scored again
    under ``topics`` (``rescore``, ``reextract``), they are on none of them."""
    rows = database.execute("SELECT topic, count(*) FROM articles WHERE relevant = 1 AND topic IS NOT NULL "
                            "GROUP BY topic").fetchall()
    return {topic: n for topic, n in rows if topic not in topics}


def _say_topics_lost(database, before: dict[str, int], config_path: str | None) -> None:
    """Warn of the articles a rescore under other topics took off a topic the run did not know
    (``before``: ``_topics_lost`` before it): a `rescore` or `reextract` without the --config that
    defines the user's own topics emptied them, reextract without a word."""
    after = _topics_lost(database, {})
    lost = {t: n - after.get(t, 0) for t, n in before.items() if n > after.get(t, 0)}
    if not lost:
        return
    where = config_path or "the shipped topics (no --config or NEWSMON_CONFIG was given)"
    names = ", ".join(sorted(lost))
    n = sum(lost.values())
    them = "them" if len(lost) > 1 else "it"
    click.echo(f"newsmon: warning: {n} article{'s' if n != 1 else ''} relevant to topic(s) {names} "
               f"{'were' if n != 1 else 'was'} scored again under {where}, which does not define {them}: "
               f"{'they are' if n != 1 else 'it is'} off {them} now (on a shipped topic, or on none). If your config "
               f"file defines {them}, run `newsmon rescore --config FILE` to score {'them' if n != 1 else 'it'} "
               "again", err=True)


@cli.command()
@db_option
@config_option
@click.option("--min-decisions", default=30, show_default=True, metavar="N",
              help="Decisions needed of each class (relevant/follow-up, dismissed) before a topic gets a model "
                   "(2 at least).")
def learn(db: str | None, config: str | None, min_decisions: int) -> None:
    """Train each topic's classifier on the reviewers' decisions and rate with it every article the
    rules matched something of its topic in.

    relevant and follow-up are positive examples, dismissed negative. A topic with fewer than
    --min-decisions of either stays on the rules alone. The model, its training size and its
    cross-validated precision and recall are stored in the database (relevance_models); its
    probability orders the review queue, fills the maybe_missed lane and flags likely false
    positives. Nothing is downloaded; training takes seconds.

    Example:

        newsmon learn --db news.db
    """
    again = _again(["learn", *(["--min-decisions", str(min_decisions)] if min_decisions != 30 else [])], db, config)
    _if_stopped(f"learn stopped (Ctrl-C) before it stored a model; nothing was changed: run `{again}` again")

    from storage.db import settle

    from . import relevance, store

    if min_decisions < 2:
        raise click.BadParameter("must be at least 2 (cross-validation needs two of each class)",
                                 param_hint="--min-decisions")
    database, checked = _open(db, config)
    _, topics = store.context(checked.config.path)
    newest = database.execute("SELECT coalesce(max(id), 0) FROM relevance_models").fetchone()[0]

    def stopped() -> str:
        # Read from the database: a model stored, or a batch of ratings, just before the Ctrl-C is there, and one whose
        # transaction it left open is not (``settle``).
        settle(database)
        stored = database.execute("SELECT id, topic FROM relevance_models WHERE id > ? ORDER BY id",
                                  [newest]).fetchall()
        if not stored:
            return f"learn stopped (Ctrl-C) before it stored a model; nothing was changed: run `{again}` again"
        ids = [row[0] for row in stored]
        marks = ", ".join("?" * len(ids))
        rated = database.execute(f"SELECT count(*) FROM articles WHERE relevance_model_id IN ({marks})",
                                 ids).fetchone()[0]
        to_rate = database.execute(f"SELECT count(*) FROM articles WHERE topic IN ({marks}) AND topic IS NOT NULL",
                                   [row[1] for row in stored]).fetchone()[0]
        said = (f"learn stopped (Ctrl-C) after it stored {'models' if len(ids) > 1 else 'model'} "
                + ", ".join(f"{i} ({topic})" for i, topic in stored))
        if rated >= to_rate:
            return f"{said} and rated every article it reads with {'them' if len(ids) > 1 else 'it'}: nothing is left"
        return (f"{said} and rated {rated:,} of the {to_rate:,} articles it reads, each batch done stored; the others "
                f"keep their earlier rating: run `{again}` again to rate them all (it trains anew on the decisions)")

    try:
        trained = relevance.learn(database, topics, min_per_class=min_decisions)
        models = relevance.load_models(database)
        counts = relevance.apply(database, models) if models else None
    except KeyboardInterrupt:
        # Said here, while the database is open: it is closed before _Commands' catch-all would say it.
        _say_stopped(_read_stopped(stopped))
    # Its models and ratings stored, it may yet be stopped as it prints them (a terminal paused with Ctrl-S, a pipe
    # not read): it said "before it stored a model; nothing was changed".
    _if_stopped(_read_stopped(stopped))
    for done in trained:
        if done.model_id is None:
            click.echo(f"newsmon: {done.topic}: rules only (cold start): {done.positives} relevant/follow-up and "
                       f"{done.negatives} dismissed decisions, {min_decisions} of each needed")
        else:
            click.echo(f"newsmon: {done.topic}: model {done.model_id} trained on {done.positives + done.negatives} "
                       f"decisions ({done.positives} relevant, {done.negatives} dismissed) in {done.seconds:.1f}s; "
                       f"cross-validated ({done.cv_folds} folds) precision {done.cv_precision:.2f}, "
                       f"recall {done.cv_recall:.2f}")
    if counts is not None:
        click.echo(f"newsmon: {counts['classified']} articles rated, {counts['maybe-missed']} maybe missed, "
                   f"{counts['likely-false-positive']} likely false positives")


@cli.command()
@click.argument("article_id", type=int, metavar="ID")
@db_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
def explain(article_id: int, db: str | None, config: str | None, as_json: bool) -> None:
    """Print the full scoring trace of article ID: every term with whose it is, structure matches,
    context, the threshold, and the classifier's probability when a model is trained.

    Example:

        newsmon explain 42 --db news.db
    """
    from storage.exceptions import ArticleNotFound

    from . import relevance, store

    database, checked = _open(db, config, reading=True)
    _, topics = store.context(checked.config.path)
    try:
        trace = relevance.explain_article(database, article_id, topics)
    except ArticleNotFound:
        raise click.ClickException(f"no article has id {article_id}; the ids are in the review queue "
                                   "(newsmon serve) or: sqlite3 FILE 'select id, title from articles'") from None
    if as_json:
        click.echo(json.dumps(trace, ensure_ascii=False, indent=2))
        return
    _print_trace(trace)


def _print_trace(trace: dict) -> None:
    article, stored = trace["article"], trace["stored"]
    click.echo(f"article {article['id']}: {article['title']}")
    click.echo(f"  {article['url']}  ({article['outlet'] or 'no outlet'}, status {article['status']})")
    click.echo(f"  stored: topic {stored['topic'] or 'none'}, score {stored['score']} / threshold "
               f"{stored['threshold'] if stored['threshold'] is not None else '-'}, "
               f"{'relevant' if stored['relevant'] else 'not relevant'}, probability "
               f"{stored['relevance_p'] if stored['relevance_p'] is not None else '-'}"
               f"{', ' + stored['relevance_flag'] if stored['relevance_flag'] else ''}")
    for topic in trace["topics"]:
        verdict = "relevant" if topic["relevant"] else "not relevant"
        p = topic.get("probability")
        click.echo(f"\ntopic {topic['topic']} ({topic['name']}): score {topic['score']} / threshold "
                   f"{topic['threshold']}: {verdict}; classifier: "
                   + (f"probability {p:.2f}" if p is not None else "no model (rules only)"))
        if topic.get("article_owner"):
            owner = topic["article_owner"]
            click.echo(f"  whose story: {owner['label']} ({owner['cue']})")
        if not topic["matches"]:
            click.echo("  nothing matched")
        for m in topic["matches"]:
            whose = f" — {m['attribution']}" if m["attribution"] else ""
            click.echo(f"  {m['points']:+7.2f}  {m['term']} ×{m['count']} [{m['kind']}]{whose}")
            for occ in m["occurrences"]:
                why = f"{occ['label']} by {occ['how']}" + (f" ({occ['cue']})" if occ["cue"] else "")
                cited = ", cited in passing" if occ["cited"] else ""
                click.echo(f"             {occ['where']}@{occ['start']}: {why}{cited}: {occ['sentence'][:90]}")
            if not m["occurrences"]:
                click.echo(f"             {m['snippet']}")
    if trace.get("flag"):
        click.echo(f"\nclassifier flag: {trace['flag']}")


def _store_options(config_path: str | None, *, window: str | None = None):
    """The store's options (stories, revisits) from the config and the NEWSMON_* settings."""
    from . import settings as defaults
    from . import store

    with _checked():
        return store.options(config_path, window=window or defaults.NEWSMON_STORY_WINDOW,
                             revisit_after=defaults.NEWSMON_REVISIT_AFTER,
                             revisit_articles=defaults.NEWSMON_REVISIT_ARTICLES,
                             enabled=bool(defaults.NEWSMON_STORIES_ENABLED))


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@db_option
@config_option
@click.option("--outdated", is_flag=True, help="Only the articles an older newsmon's extraction read (those "
              "`newsmon status` counts); stopped, it goes on where it stopped. Without it, every article, as "
              "after a change of the config's outlets.")
def reextract(outlets: tuple[str, ...], db: str | None, config: str | None, outdated: bool) -> None:
    """Rebuild every stored article (of the OUTLETs named, else of all) and its versions from the
    stored raw pages (after extraction rules improve: name the outlet whose rules you mended).

    Nothing is fetched. Review status and notes are kept; stories are rebuilt after. Pages
    that held no article are read again too.

    Example:

    \b
        newsmon reextract --outdated
        newsmon reextract nikkei
    """
    again = _again(["reextract", *outlets, *(["--outdated"] if outdated else [])], db, config)
    _if_stopped(f"reextract stopped (Ctrl-C) before it read an article again; no article was changed: run "
                f"`{again}` again")

    from . import store
    from .progress import Progress

    database, checked = _open(db, config)
    known = set(checked.config.outlets) | {r[0] for r in database.execute(
        "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL").fetchall()}
    unknown = [o for o in outlets if o not in known]
    if unknown:
        raise BadConfig(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    opts = _store_options(checked.config.path)
    _, topics = store.context(checked.config.path)
    lost = _topics_lost(database, topics)
    articles = store.articles_to_reextract(database, outdated=outdated, outlets=outlets)
    with Progress("reextract", total=len(articles), unit="articles") as progress, \
            _resumable("reextract", progress, again):
        counts = store.reextract(database, checked.config.path, opts, progress=progress, articles=articles,
                                 outlets=outlets)
    kept = (f"; {counts['kept']} articles kept as they are (no raw page left to read: pruned?)"
            if counts.get("kept") else "")
    partial = (f"; {counts['first_page_only']} articles are the first page of several whose next pages were never "
               "fetched: their revisits are due, and the next crawl of their outlets reads them"
               if counts.get("first_page_only") else "")
    apart = (f"; {counts['split']} articles that an older newsmon had merged into another (a version whose text "
             "that one does not share, taken on its canonical link's word; another outlet's word-for-word copy) are "
             "articles of their own now, in the review queue if relevant" if counts.get("split") else "")
    click.echo(f"newsmon: re-extracted {counts['articles']} articles ({counts['versions']} versions of changed "
               f"ones){kept}; {counts['empty']} stored pages hold no article{partial}{apart}")
    _say_topics_lost(database, lost, checked.config.path)


@cli.command()
@db_option
@config_option
@click.option("--window", metavar="DURATION", help="Articles further apart than this are never one story "
              "(\"72h\", \"2d\"). Default: NEWSMON_STORY_WINDOW, else [stories] window, else 72h.")
@click.option("--storyless", is_flag=True, help="Place only the articles in no story (stored with stories off, "
              "or not reached by a regroup that was stopped) into the stories as they are.")
def regroup(db: str | None, config: str | None, window: str | None, storyless: bool) -> None:
    """Rebuild every story from the stored articles, as if they had arrived in time order.

    Same event across outlets: one story; wire copies: one story, each copy marked as a
    duplicate of its original. Review decisions are kept. Run it after upgrading a database
    made before stories existed, or after changing the window. Stopped, it leaves the articles
    it had not reached without a story (they stay in the review queue): --storyless places
    them as this run would have.

    Example:

        newsmon regroup --window 48h
    """
    words = ["regroup", *(["--window", window] if window else [])]
    _if_stopped(f"regroup stopped (Ctrl-C) before it placed an article; no story was changed: run "
                f"`{_again([*words, *(['--storyless'] if storyless else [])], db, config)}` again")

    from storage.db import settle

    from . import store
    from .config import parse_duration
    from .progress import Progress

    if window is not None:
        with _checked():  # here, or the error names NEWSMON_STORY_WINDOW, which the user did not set
            parse_duration(window, "--window")
    database, checked = _open(db, config)
    opts = _store_options(checked.config.path, window=window)
    # Stopped once it has begun (every story forgotten first, unless --storyless), the articles it
    # had not reached are in no story: --storyless places them as this run would have.
    with Progress("regroup", total=store.to_regroup(database, storyless=storyless), unit="articles") as progress, \
            _resumable("regroup", progress, _again([*words, "--storyless"], db, config), "to place the others"):
        forgotten: list[bool] = []
        try:
            counts = store.regroup(database, opts, progress=progress, storyless=storyless,
                                   forgotten=lambda: forgotten.append(True))
        except KeyboardInterrupt:
            # Stopped as it forgot the stories (one transaction, seconds on a large database),
            # they are all there still: nothing was changed, as said before it began. Not told by
            # the progress: a Ctrl-C after the first batch's COMMIT, before it was counted, said
            # "no story was changed" of a database whose stories were all forgotten. Nor by the
            # stories it sees in a transaction a Ctrl-C left open as the forgetting's block ended
            # (none): rolled back as the database closes, so now (``settle``).
            settle(database)
            if storyless or forgotten or not database.execute("SELECT 1 FROM stories LIMIT 1").fetchone():
                raise
            progress.close()
            _say_stopped(click.get_current_context().meta[_STOPPED])
    if storyless:
        click.echo(f"newsmon: {counts['articles']} articles without a story placed ({counts['stories']} new stories)")
        return
    click.echo(f"newsmon: {counts['articles']} articles in {counts['stories']} stories "
               f"({counts['copies']} wire copies)")


@cli.command()
@db_option
@config_option
@click.option("--keep", metavar="DURATION", help="Keep raw pages this long (\"365d\", \"52w\", \"1y\"). "
              "Default: the config's [storage] keep_pages.")
@click.option("--vacuum", is_flag=True, help="Then rebuild the file to give the freed space back to the disk "
              "(needs as much free space as the file; other processes wait until it is done).")
def prune(db: str | None, config: str | None, keep: str | None, vacuum: bool) -> None:
    """Delete raw pages older than [storage] keep_pages (or --keep); articles stay.

    Raw pages are kept so `newsmon reextract` can rebuild articles after a rules fix, and they
    are most of the database. Articles, their review and everything else stay; pages not
    extracted yet (a crawl's, or an archive's page 2 waiting for its first page) are kept
    whatever their age. SQLite reuses the freed pages for new data; --vacuum gives the space
    back to the disk.

    Example:

        newsmon prune --keep 365d --vacuum
    """
    again = _again(["prune", *(["--keep", keep] if keep else []), *(["--vacuum"] if vacuum else [])], db, config)
    _if_stopped(f"prune stopped (Ctrl-C) before it deleted a page: run `{again}` again")

    import os
    from datetime import datetime, timezone

    from storage import pages

    from .config import keep_pages, parse_keep
    from .progress import Progress

    database, checked = _open(db, config)
    with _checked():
        kept = parse_keep(keep, "--keep") if keep else keep_pages(checked.config)
    if kept is None:
        raise BadConfig("nothing says how long to keep raw pages: give --keep 365d, or set [storage] "
                        "keep_pages = \"365d\" in the config")
    before = (datetime.now(timezone.utc) - kept).isoformat(timespec="seconds")
    path = database.execute("PRAGMA database_list").fetchone()[2]

    def on_disk() -> int:  # the file and its write-ahead log, where the latest writes are until a checkpoint
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) if path else 0

    size = on_disk()
    pruned = 0
    pruning = pages.prune(database, before)
    batches_done = False

    def stopped() -> str:
        # Counted in the database: the batches' sum misses one whose COMMIT came just before the Ctrl-C.
        said = f"prune stopped (Ctrl-C) after it pruned {pruning.deleted():,} raw pages"
        if not batches_done:
            return f"{said}, each batch done stored: run `{again}` again to finish"
        return f"{said}, all those fetched before {before[:10]}" + (
            f", before it vacuumed: run `{again}` to give the space back" if vacuum else "")

    try:
        with Progress("prune", unit="pages") as progress:
            for n in pruning:
                pruned += n
                progress.update(n)
            batches_done = True
        click.echo(f"newsmon: pruned {pruned} raw pages fetched before {before[:10]}; articles kept")
        _if_stopped(f"prune stopped (Ctrl-C) after it pruned {pruned:,} raw pages"
                    + (f", as it vacuumed: run `{again}` to give the space back" if vacuum else ""))
    except KeyboardInterrupt:
        # Said here, while the database is open: it is closed before _Commands' catch-all would say it.
        _say_stopped(_read_stopped(stopped))
    if vacuum:
        import sqlite3

        try:
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.execute("VACUUM")
            # In WAL mode the rebuilt file is written to the log: the file shrinks (and the log
            # empties) only at this checkpoint, so the size said after it is the disk's.
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            # The pruning is committed; only giving the space back failed, and it can be retried.
            raise click.ClickException(
                f"cannot vacuum {path} ({exc}); the pages are pruned all the same. VACUUM needs free disk space "
                "as large as the file and no other newsmon process writing to it: make room or wait for them, "
                "then run `newsmon prune --vacuum` again") from None
        click.echo(f"newsmon: vacuumed {path}: {size / 1e6:.1f} MB -> {on_disk() / 1e6:.1f} MB")


def _size(value: str) -> int:
    """Bytes from "4M", "512k", "1G" or a plain number (--part-size)."""
    units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = value.strip().lower().removesuffix("b")
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "")
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise click.BadParameter(f"{value!r}: write a size such as 4M, 512k or 1G") from None
    if size < 4096:
        raise click.BadParameter(f"{value!r}: give at least 4k")
    return size


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@db_option
@config_option
@click.option("--base-url", metavar="URL", help="Where the relative paths of a listing (warc.paths.gz) are, "
              "e.g. https://data.commoncrawl.org/ for CC-NEWS.")
@click.option("--workers", type=click.IntRange(min=0), metavar="N",
              help="Worker processes of the local Dask cluster. Default: one per core; 0: in this process.")
@click.option("--cluster", metavar="tcp://HOST:8786", help="Run on this Dask scheduler's workers instead of a "
              "local cluster (see the README: each worker needs the same newsmon and libraries installed, which "
              "is checked, and must reach the archives at the same paths or URLs).")
@click.option("--all-sites", is_flag=True, help="Read the HTML of every site, not only the outlets' (still "
              "skipping pages in languages the topics are not in); keep only articles that score above 0.")
@click.option("--force", is_flag=True, help="Read archives again that an earlier ingest finished.")
@click.option("--part-size", "part_size", default="4M", show_default=True, metavar="SIZE",
              help="The byte ranges a .warc.gz is split into for the workers.")
@click.option("--partial-ok", is_flag=True, help="Exit 0 when an archive could be read only in part "
              "(truncated, or a record that cannot be parsed) or to an end that could not be verified (a server "
              "that sent no length); the warning is printed all the same.")
def ingest(inputs: tuple[str, ...], db: str | None, config: str | None, base_url: str | None, workers: int | None,
           cluster: str | None, all_sites: bool, force: bool, part_size: str, partial_ok: bool) -> None:
    """Store the articles of web archives (WARC, WARC.gz, WARC.zst, WACZ, ARC), e.g. Common Crawl's CC-NEWS.

    INPUT is an archive file, a directory of them, an http(s) URL of one (streamed, not
    downloaded; s3://commoncrawl/ paths are read from https://data.commoncrawl.org/), or a
    listing of archive paths such as CC-NEWS's warc.paths.gz. Only the pages
    of known outlets (built-in and --config) are read, judged by their headers before their
    bodies, and they go through the same extract, score and store path as a crawl. Archives an
    earlier ingest finished are skipped (--force reads them again); an interrupted one is
    resumed. An archive cut short, or with a record that cannot be parsed, is stored up to
    there; newsmon says where it stopped and exits with status 1 (0 with --partial-ok).

    Example:

    \b
        newsmon ingest CC-NEWS-20240305.warc.gz
        newsmon ingest --base-url https://data.commoncrawl.org/ warc.paths.gz
    """
    stopped = ("ingest stopped (Ctrl-C); what it stored is kept and the archive being read is left unfinished: run "
               "the same ingest again, it resumes where this one stopped")
    _if_stopped(stopped)  # as it opens the database too, before the handler below

    import sqlite3

    from storage.exceptions import DatabaseUnwritable, DictionaryMissing

    from .archives import InputError, check_inputs
    from .ingest import ingest as run_ingest, report_lines

    size = _size(part_size)
    if workers is not None and cluster is not None:
        # The cluster's workers are its own (`dask worker --nworkers`): --workers was ignored without a word.
        raise click.BadParameter("give --workers or --cluster, not both: a cluster's workers are started with it "
                                 "(dask worker --nworkers N)", param_hint="--workers")
    try:
        check_inputs(inputs)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    database, checked = _open(db, config, create=True)
    try:
        report = run_ingest(database, inputs, config_path=checked.config.path, base_url=base_url, workers=workers,
                            cluster=cluster, all_sites=all_sites, force=force, part_bytes=size,
                            store_options=_store_options(checked.config.path))
    except (InputError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    except DictionaryMissing as exc:  # a page dictionary removed from the database while the workers used it
        raise click.ClickException(f"{exc}; what was stored before is kept: run the same ingest again, "
                                   "it resumes where this one stopped") from None
    except DatabaseUnwritable as exc:
        raise click.ClickException(f"{exc}; the archive being read is left unfinished, and the same ingest "
                                   "resumes it where this one stopped") from None
    except sqlite3.Error as exc:  # any other of the file's: the ledger keeps the resume point
        raise click.ClickException(f"cannot store in the database ({exc}); the archive being read is left "
                                   "unfinished: run the same ingest again, it resumes where this one stopped") from None
    except KeyboardInterrupt:
        _say_stopped(stopped)
    errors, line = report_lines(report)
    for error in errors:
        click.echo(error, err=True)
    click.echo(line)
    # An archive a directory holds under a name of no archive is read by no later run either (an unfinished one is,
    # once renamed by its writer): exit 0, a cron job's ingest left its pages out unseen.
    if report.failed or report.misnamed or ((report.partial or report.unverified) and not partial_ok):
        sys.exit(1)


@cli.command()
@click.option("--db", "db", default="demo.db", show_default=True, metavar="FILE", help="SQLite file to write.")
@click.option("--port", default=8642, show_default=True, metavar="N", help="Port of the snapshot site on 127.0.0.1.")
@click.option("--keep-serving", is_flag=True, help="Keep the snapshot site up after the crawl (Ctrl-C stops).")
def demo(db: str, port: int, keep_serving: bool) -> None:
    """Crawl a bundled snapshot of real saved pages, served on 127.0.0.1, into demo.db.

    No network needed. Run it twice: the second run fetches no article again.

    Example:

        newsmon demo
    """
    from storage.exceptions import StorageError

    from .demo import DemoStopped, run_demo
    from .validate import check_settings

    # Before the site starts: the NEWSMON_* variables apply to the demo's crawl too.
    with _checked():
        check_settings({})
    made = not os.path.exists(db)
    open_database(db).conn.close()
    again = shlex.join(["newsmon", "demo", *(["--db", db] if db != "demo.db" else []),
                        *(["--port", str(port)] if port != 8642 else []),
                        *(["--keep-serving"] if keep_serving else [])])
    _if_stopped(f"demo stopped (Ctrl-C) before its crawl began: run `{again}` again")
    try:
        with _checked():
            code = run_demo(db, port, keep_serving, again)
    except DemoStopped as exc:
        _say_stopped(exc.said, exc.signame)  # Scrapy's handlers heard it (as a crawl's)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    except click.ClickException:
        if made:
            # Nothing was crawled (the port was taken): an empty demo.db left behind read as a
            # demo that found nothing, to status and serve alike.
            for path in (db, f"{db}-wal", f"{db}-shm"):
                with suppress(FileNotFoundError):
                    os.remove(path)
        raise
    sys.exit(code)


from .export import export  # noqa: E402  (the review commands live beside what they serve)
from .review import review  # noqa: E402
from .serve import serve  # noqa: E402

cli.add_command(serve)
cli.add_command(review)
cli.add_command(export)


# --- scheduled operation ----------------------------------------------------------------------

@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@db_option
@config_option
@click.option("-s", "--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or NEWSMON_* setting for every crawl (repeatable).")
@click.option("--interval", metavar="DURATION", help="Crawl this often (\"90s\", \"15m\", \"2h\"). "
              "Default: NEWSMON_SCHEDULE_INTERVAL, else [schedule] interval, else 15m.")
@click.option("--check", is_flag=True, help="Print the jobs and when each runs next, then exit.")
def schedule(outlets: tuple[str, ...], db: str | None, config: str | None, pairs: tuple[str, ...],
             interval: str | None, check: bool) -> None:
    """Crawl the outlets (all when none is named) on the config's [schedule] until stopped.

    Each run is a `newsmon crawl` process of its own.

    SIGTERM or Ctrl-C stops it: running crawls get [schedule] stop_timeout (30s) to close their
    run cleanly, then are killed. A crawl still running at [schedule] timeout (10m) is killed
    and recorded as 'timeout'.

    Example:

        newsmon schedule --config newsmon.toml --db news.db nhk asahi nikkei
    """
    import logging

    # The settings module itself, not Scrapy's Settings: the daemon never imports Scrapy, which
    # would cost it 25 MB for nothing (its crawls are other processes).
    from . import settings as defaults
    from .scheduler import Daemon, late_after
    from .validate import check_config, check_settings

    with _checked():
        # Checked here, once, rather than failing in every crawl the daemon starts.
        extra = check_settings(_setting_pairs(pairs))
        if interval:
            interval_from = "--interval"
        elif "NEWSMON_SCHEDULE_INTERVAL" in extra:
            interval, interval_from = extra["NEWSMON_SCHEDULE_INTERVAL"], "-s NEWSMON_SCHEDULE_INTERVAL"
        else:
            interval = defaults.NEWSMON_SCHEDULE_INTERVAL
            interval_from = "environment variable NEWSMON_SCHEDULE_INTERVAL"
        settings = {"NEWSMON_DB": db or extra.get("NEWSMON_DB") or defaults.NEWSMON_DB,
                    "NEWSMON_CONFIG": config or extra.get("NEWSMON_CONFIG") or defaults.NEWSMON_CONFIG}
        checked = check_config(settings["NEWSMON_CONFIG"], outlets=outlets, schedule=True, interval=interval,
                               interval_from=interval_from, apprise=True)
    plan, notify_settings = checked.schedule, checked.notify
    if not check:
        # Opened to migrate and to fail early on a bad file; the crawls open their own.
        open_database(settings["NEWSMON_DB"]).conn.close()
    crawl_args = [arg for pair in pairs for arg in ("-s", pair)]
    daemon = Daemon(plan, db_path=settings.get("NEWSMON_DB"), config_path=settings.get("NEWSMON_CONFIG"),
                    crawl_args=crawl_args, notify_settings=notify_settings,
                    busy_timeout=float(extra.get("NEWSMON_DB_BUSY_TIMEOUT", defaults.NEWSMON_DB_BUSY_TIMEOUT)),
                    late_after=late_after(extra.get("NEWSMON_LATE_AFTER", defaults.NEWSMON_LATE_AFTER)),
                    # The config edited while it runs: its schedule built as here (``Daemon.reread``).
                    reload=lambda: _schedule_again(settings["NEWSMON_CONFIG"], outlets, interval, interval_from))
    if check:
        for line in daemon.plan_lines():
            click.echo(line)
        # --check only reads: opened, a mistyped --db became an empty database, exit 0, and the daemon started with
        # the right path found none of it. Said after the plan, which is worth reading before the first crawl too.
        require_database(settings["NEWSMON_DB"], made_by="`newsmon crawl` or an earlier `newsmon schedule`",
                         start="start `newsmon schedule` without --check to start one there")
        open_database(settings["NEWSMON_DB"], reading=True).conn.close()
        return
    from .crawl import EXIT_BUSY
    from .locks import schedule_lock

    held, holder = schedule_lock(settings["NEWSMON_DB"])  # held until this process ends
    if held is None:
        click.echo(f"Error: another newsmon schedule ({holder}) already crawls {settings['NEWSMON_DB']}: two would "
                   "crawl every outlet twice as often as configured; stop that one first", err=True)
        sys.exit(EXIT_BUSY)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    # APScheduler logs every run at INFO and each skipped one at WARNING; ours say it once.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    sys.exit(daemon.run())


def _schedule_again(config: str | None, outlets: tuple[str, ...], interval: str | None, interval_from: str):
    """The config as ``newsmon schedule`` checked it at its start, read again while it runs: of the
    outlets named on its command line, those the config still has (one removed from the file made
    the whole config "not load": every named outlet's crawl failed, and every later edit was
    ignored until the daemon was restarted)."""
    import logging

    from .config import ConfigError
    from .validate import check_config

    if outlets:
        known = check_config(config).config.outlets
        if gone := [o for o in outlets if o not in known]:
            kept = tuple(o for o in outlets if o in known)
            if not kept:
                raise ConfigError(f"none of the outlets the daemon was started for is in it any more "
                                  f"({', '.join(gone)})")
            logging.getLogger("newsmon.schedule").warning(
                "newsmon: %s no longer has outlet(s) %s: not crawled from now on", config, ", ".join(gone))
            outlets = kept
    return check_config(config, outlets=outlets, schedule=True, interval=interval, interval_from=interval_from,
                        apprise=True)


def _local(moment) -> str:
    """A moment as status says every one: the machine's time, its zone named (the same run read
    00:20 on a UTC server and 09:20 under TZ=Asia/Tokyo)."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def _when(value: str | None, now) -> str:
    if not value:
        return "never"
    from datetime import datetime

    moment = datetime.fromisoformat(value)
    ago = (now - moment).total_seconds()
    if ago < -90:
        # A time ahead of this machine's clock: the clock was set back since it was written (or
        # the database comes from a machine whose clock ran ahead). "(-1768s ago)" said neither.
        return f"{_local(moment)} ({_when_span(-ago)} ahead of this machine's clock: was the clock set back?)"
    return f"{_local(moment)} ({_when_span(max(ago, 0))} ago)"


def _when_span(ago: float) -> str:
    if ago < 90:
        return f"{ago:.0f}s"
    if ago < 5400:
        return f"{ago / 60:.0f}m"
    if ago < 172800:
        return f"{ago / 3600:.0f}h"
    return f"{ago / 86400:.0f}d"


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@db_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of one object per outlet, its name under \"outlet\") instead of a table.")
@click.option("--overdue", metavar="DURATION", help="An outlet no crawl of which has finished for this long is "
              "failing (\"6h\"). Default: 3 runs of the config's [schedule] missed, for the outlets `newsmon "
              "schedule` crawls.")
def status(outlets: tuple[str, ...], db: str | None, config: str | None, as_json: bool, overdue: str | None) -> None:
    """Per outlet: last run, last success, articles of the last 24 hours, errors, health.

    Health comes from the outlet_health table (the `health` view): 'degraded' when extraction
    goes wrong (rules no longer matching, empty texts, missing titles or dates), 'failing' when
    crawling does (timeouts, errors dominating, feeds listing nothing, silence, no crawl
    finished for --overdue), 'blocked' at a bot wall, 'unknown' before an outlet's first run.
    Worst first; coloured on a terminal.

    Exit status 1 when any outlet shown is failing or blocked, or a notification channel's last
    delivery failed (for cron and monitoring), else 0.

    Example:

        newsmon status --db news.db
    """
    from datetime import datetime, timezone

    from storage import health as health_db
    from storage import notifications
    from storage.db import pid_alive
    from storage.exceptions import DatabaseFull

    database, checked = _open(db, config, reading=True)
    known = list(checked.config.outlets)
    # Outlets the database has crawled are shown even when today's config does not name them
    # (a status without --config must not hide the outlets the daemon crawls).
    crawled = health_db.crawled_outlets(database)
    # Crawled outlets first: the built-in ones never crawled here are the least interesting rows.
    known = crawled + [o for o in known if o not in crawled]
    unknown = [o for o in outlets if o not in known]
    if unknown:
        raise BadConfig(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    now = datetime.now(timezone.utc)
    rows = health_db.outlet_status(database, list(outlets) or known, now=now)
    with _checked():
        _flag_overdue(database, rows, checked.config, overdue, now)
    # Worst first; the sort is stable, so crawled outlets stay before the never-crawled ones.
    rows.sort(key=lambda r: health_db.severity(r["health"]))
    # A channel whose deliveries fail tells nobody, itself least: the analysts wait for news.
    failing = notifications.failing_channels(database, checked.notify.channels if checked.notify else [])
    # A full disk stops every crawl at its first write, and no run is recorded to show it.
    full = getattr(database, "unwritable", None)
    full = full if isinstance(full, DatabaseFull) else None
    alarm = any(r["health"] in health_db.ALARM for r in rows) or bool(failing) or bool(full)
    # What alarms beyond the outlets' rows, said below the table, and on stderr with --json: a
    # script reading the rows saw exit status 1 with every outlet "ok", and no reason.
    database_line = ([f"database: {full}: until then every crawl stops before fetching anything, and no run is "
                      "recorded"] if full else [])
    channel_lines = [
        f"notifications: {f['channel']}: {f['failed']} deliveries failed since {_when(f['since'], now)}, the last "
        f"with {f['error']}: fix the channel ([notify]); the digests after list what it missed, a day back, and "
        "count the rest" for f in failing]
    path = database.execute("PRAGMA database_list").fetchone()[2]
    waiting, aside = notifications.left_records(path) if path else ([], [])
    # Said only in the log of the process that sent it: a digest delivered that the database could not record.
    channel_lines += [f"notifications: {len(waiting)} delivered digest{'s' if len(waiting) != 1 else ''} the database "
                      f"could not record wait{'s' if len(waiting) == 1 else ''} in {waiting[0].parent} (locked, full): "
                      "the next digest records them"] if waiting else []
    channel_lines += [f"notifications: {left} holds a delivered digest's record no digest could record: what it "
                      "told may be told again; delete it once read" for left in aside]
    shown = {r["outlet"] for r in rows}
    from .store import unread_on_topic

    # Those a reviewer has read at the outlet (the desk's "Mark read") are no longer missing.
    unread = [u for u in unread_on_topic(database, config, now) if u["outlet"] in shown and not u["read_at"]]
    if as_json:
        for row in rows:
            row["unread_on_topic"] = [{k: u[k] for k in ("url", "kind", "reason", "listed", "first_seen_at")}
                                      for u in unread if u["outlet"] == row["outlet"]]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        for line in database_line + channel_lines:
            click.echo(f"newsmon: {line}", err=True)
        sys.exit(1 if alarm else 0)
    # The outlets never crawled here in one line below the table, unless asked for by name: on a
    # database of one outlet (the demo's) thirty "unknown" rows stood before the one that ran.
    never = [r["outlet"] for r in rows if r["health"] == "unknown" and r["last_run"] is None] if not outlets else []
    rows = [r for r in rows if r["outlet"] not in never]
    scheduled = health_db.last_scheduled_run(database)
    if scheduled:
        # Without its end recorded: running while its process is, else killed (a power loss).
        result = health_db.run_result(scheduled, not scheduled["finish_reason"] and pid_alive(scheduled["pid"]))
        click.echo(f"schedule: last scheduled run {_when(scheduled['started_at'], now)}, run {scheduled['id']}, "
                   f"{result}")
    else:
        click.echo("schedule: no scheduled run yet")
    table = [("OUTLET", "HEALTH", "LAST RUN", "RESULT", "LAST FINISHED", "24H NEW (RELEVANT)", "24H ERRORS",
              "24H FOUND AFTER")]
    for row in rows:
        last = row["last_run"]
        result = health_db.run_result(last, row["running"])
        # "Within the hour" as kept: the median delay from publication to storage, of how many.
        table.append((row["outlet"], row["health"], _when(last and last["started_at"], now), result,
                      _when(row["last_success"], now), f"{row['articles_24h']} ({row['relevant_24h']})",
                      str(row["errors_24h"]), health_db.found_after_text(row["found_after_24h"])))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for i, line in enumerate(table):
        cells = [cell.ljust(w) for cell, w in zip(line, widths)]
        if i:  # padded before styling, so the columns line up with and without colour
            cells[1] = click.style(cells[1], **HEALTH_STYLE.get(rows[i - 1]["health"], {}))
        # click.echo drops the colour when standard output is not a terminal.
        click.echo("  ".join(cells).rstrip())
        if i:
            row = rows[i - 1]
            if row["url_states"]:
                click.echo(f"    {health_db.url_states_text(row)}")
            if row["health"] not in ("ok", "unknown") and row.get("health_since"):
                click.echo(f"    {row['health']} since {_when(row['health_since'], now)}")
            for reason in row["reasons"]:
                click.echo(f"    ! {reason['message']}")
            # What a section page's row says where it reads well: no alarm, but what newsmon cannot watch there.
            for note in row["notes"]:
                click.echo(f"    {health_db.SECTION_NOTE_LINE.format(**note)}")
    from .relevance import status_lines

    # The relevance classifier's state (crawler/relevance.py), then what long commands left.
    lines = database_line + status_lines(database) + _loose_ends(database) + _unread_lines(unread) + channel_lines
    if never:
        lines.append(f"never crawled: {len(never)} outlets ({', '.join(never[:6])}{', …' if len(never) > 6 else ''}): "
                     "no health until a crawl of them runs; `newsmon status OUTLET` shows one")
    if lines:
        click.echo("")  # apart from the outlet table: scripts read the table up to the blank line
    for line in lines:
        click.echo(line)
    sys.exit(1 if alarm else 0)


def _flag_overdue(database, rows: list[dict], config, overdue: str | None, now) -> None:
    """Fail the outlets no crawl of which has finished for too long (``scheduler.overdue``)."""
    from .config import parse_duration
    from .scheduler import flag_overdue
    from .scheduler import overdue as late_outlets

    flag_overdue(rows, late_outlets(database, config, now, parse_duration(overdue, "--overdue") if overdue else None))


#: Unfinished archives `newsmon status` names; more are counted.
_ARCHIVES_SHOWN = 5


#: How many of the unread articles on the topics ``newsmon status`` names.
_UNREAD_SHOWN = 5


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word's end, with "…" where it was cut ("the
    article take)" read as a word)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut).rstrip(" ,;:(") + "…"


def _unread_lines(found: list[dict]) -> list[str]:
    """``crawler.store.unread_on_topic``'s articles, as ``newsmon status`` prints them below the table."""
    from collections import Counter

    if not found:
        return []
    kinds = Counter(r["kind"].replace("_", " ") for r in found)
    n = len(found)
    lines = [f"unread: {n} article{'s' if n != 1 else ''} on the topics by what "
             f"{'their listings' if n != 1 else 'its listing'} (feed, sitemap, section page) said, not read by "
             f"newsmon ({', '.join(f'{c} {k}' for k, c in kinds.items())}); no reviewer has {'them' if n != 1 else 'it'} "
             "(the urls table's `listed`), newest first:"]
    from datetime import datetime

    from .desk import MOMENT

    def local(found_moment) -> str:
        # As every other time of status (it said "12月5日 20:23", Japan's time in the desk's words,
        # under rows in UTC).
        return _local(datetime.fromisoformat(found_moment.group(0).replace("Z", "+00:00")))

    for row in found[:_UNREAD_SHOWN]:
        lines.append(f"  {row['outlet']}: 「{row['headline']}」 {row['url']} ({row['kind'].replace('_', ' ')}: "
                     f"{_clip(MOMENT.sub(local, row['reason'] or ''), 160)})")
    if n > _UNREAD_SHOWN:
        from storage.frontier import NOT_READ

        lines.append(f"  and {n - _UNREAD_SHOWN} more: select url, listed, reason from urls where listed is not null "
                     f"and kind in ({', '.join(repr(k) for k in NOT_READ)})")
    return lines


def _loose_ends(database) -> list[str]:
    """What an ingest or a regroup left undone: it says so only in its own run's output, which a
    cron job may have sent nowhere."""
    from storage import queries

    from .archives import UNVERIFIED
    from .article import EXTRACTION_VERSION

    ends = queries.loose_ends(database, extraction=EXTRACTION_VERSION)
    lines = []
    for row in ends["archives"][:_ARCHIVES_SHOWN]:
        if row["finished_at"] is None:
            of = f" of {row['size']:,}" if row["size"] else ""
            lines.append(f"ingest: {row['source']}: unfinished, read to byte {row['resume_offset']:,}{of}: run the "
                         "same newsmon ingest again to resume it")
        elif row["stopped"].startswith(UNVERIFIED):  # read to where a stream of no length ended
            lines.append(f"ingest: {row['source']}: {row['stopped']}")
        else:
            lines.append(f"ingest: {row['source']}: read only in part: {row['stopped']}")
    if len(ends["archives"]) > _ARCHIVES_SHOWN:
        lines.append(f"ingest: and {len(ends['archives']) - _ARCHIVES_SHOWN} more archives unfinished or read in part "
                     "(the ingested_archives table)")
    if ends["storyless"]:
        lines.append(f"stories: {ends['storyless']} articles in no story (stored with stories off, or a regroup "
                     "stopped): newsmon regroup --storyless places them")
    if ends["uncounted"]:
        n = ends["uncounted"]
        lines.append(f"stories: the term counts that story grouping weighs by miss {n} article{'s' if n != 1 else ''} "
                     "(a crawl or ingest that ended without closing: killed, or its database full or locked; or one "
                     "running now): new articles are grouped by skewed weights until newsmon regroup counts them "
                     "again")
    removed = ends["removed"]
    if removed:
        lines.append(f"removed: {removed} relevant article{'s' if removed != 1 else ''} taken down by "
                     f"{'their outlets' if removed != 1 else 'its outlet'} in the last 24 hours (articles.removed; "
                     "the text stored is kept)")
    if ends["older_extraction"]:
        n = ends["older_extraction"]
        lines.append(f"extraction: {n} {'articles were' if n != 1 else 'article was'} read by an older newsmon, whose "
                     f"extraction has improved since: newsmon reextract --outdated reads {'them' if n != 1 else 'it'} "
                     f"again from {'their' if n != 1 else 'its'} stored pages (nothing is fetched; review decisions "
                     "are kept)")
    return lines


#: How `newsmon status` colours each health on a terminal.
HEALTH_STYLE = {"failing": {"fg": "red", "bold": True}, "blocked": {"fg": "magenta", "bold": True},
                "degraded": {"fg": "yellow"}, "unknown": {"dim": True}, "ok": {"fg": "green"}}


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
