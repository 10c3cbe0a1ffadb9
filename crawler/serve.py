"""``newsmon serve``: the database in Datasette, set up for a reviewer.

The reviewer's desk (the triage page at ``/``, follow-up, decisions, search, outlets, and the
review endpoints) is in ``crawler/datasette/pages.py``, what it reads in ``crawler/desk.py``;
the metadata (titles, facets, search, canned queries) in ``crawler/datasette/metadata.yaml``,
the pages' templates in ``crawler/datasette/templates/``, the hooks in
``crawler/datasette/plugin.py`` and the request checks in ``crawler/datasette/guard.py``. The
file is always served as ``/newsmon``, so Datasette's own queue table is at
``/newsmon/review_queue`` whatever the file is called.
"""

from __future__ import annotations

import copy
import errno
import signal
import socket
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import click
import yaml

from .datasette.guard import is_loopback
from .review import default_reviewer

__all__ = ["build_datasette", "is_loopback", "listen", "load_metadata", "parse_accounts", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001


def load_metadata() -> dict[str, Any]:
    """The shipped Datasette metadata (``crawler/datasette/metadata.yaml``)."""
    text = resources.files("crawler.datasette").joinpath("metadata.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def parse_accounts(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``NAME:HASH`` pairs (hashes from ``datasette hash-password``) as a dict.

    Raises:
        click.BadParameter: a value is not ``NAME:HASH``.
    """
    accounts = {}
    for value in values:
        name, sep, password_hash = value.partition(":")
        if not sep or not name or not password_hash.startswith("pbkdf2_sha256$"):
            raise click.BadParameter(
                f"{value!r}: write NAME:HASH, the hash printed by `datasette hash-password`",
                param_hint="--account")
        accounts[name] = password_hash
    return accounts


def desk_settings(config_path: str | None) -> dict[str, Any]:
    """What the desk pages need from the config: topic thresholds and every outlet's name.

    Raises:
        click.ClickException: the config or its topics cannot be read (the message says where).
    """
    from .config import ConfigError
    from .store import context

    try:
        # Cached per process: each article page's scoring trace reads the same (plugin._trace).
        outlets, topics = context(config_path)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    return {"thresholds": {key: topic.threshold for key, topic in topics.items()},
            "outlets": {key: outlet.name for key, outlet in sorted(outlets.items())},
            # For the scoring trace on each article page (crawler.relevance.explain_article).
            "config_path": config_path}


def build_datasette(db_path: str | Path, *, reviewer: str | None = None,
                    accounts: dict[str, str] | None = None, config_path: str | None = None,
                    read_only: str | None = None, immutable: bool = False):
    """A Datasette serving ``db_path`` as ``/newsmon`` with newsmon's metadata and plugin.

    Args:
        db_path: An existing newsmon database (already migrated).
        reviewer: The actor id of every request (loopback serving without accounts); ``None``
            leaves requests anonymous unless they log in.
        accounts: ``{name: password hash}``; when given, every request needs one of them
            (HTTP basic auth) and the login name is the actor.
        config_path: The config file (outlets, topics) the crawler uses: the desk shows each
            score against its topic's threshold and lists every outlet, crawled or not.
        read_only: Why the file cannot be written, to serve it as it is: the desk says so on
            every page and offers no review buttons.
        immutable: Open it as an immutable file (``storage.db.open_read_only`` could read it
            no other way: a WAL file whose -shm index cannot be made beside it).

    Returns:
        A ``datasette.app.Datasette``.
    """
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from .datasette import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsmon")
    metadata = copy.deepcopy(load_metadata())
    plugins = metadata.setdefault("plugins", {})
    plugins["newsmon"] = {"reviewer": None if accounts else reviewer, "read_only": read_only,
                          **desk_settings(config_path)}
    if accounts:
        plugins["datasette-auth-passwords"] = {
            **{f"{name}_password_hash": password_hash for name, password_hash in accounts.items()},
            "http_basic_auth": True,
        }
    datasette = Datasette(
        [],
        metadata=metadata,
        template_dir=str(resources.files("crawler.datasette").joinpath("templates")),
        settings={
            # The article text is long; in table views show the start, the article page has it all.
            "truncate_cells_html": 300,
            "facet_time_limit_ms": 500,
            # Suggestions would clutter the queue above its rows; the useful facets are set.
            "suggest_facets": False,
        },
    )
    # Datasette adds an in-memory database when given no file; the reviewer has no use for it.
    if "_memory" in datasette.databases:
        datasette.remove_database("_memory")
    # Datasette's readers open a file "mode=ro", which a WAL file refuses where its -shm index
    # cannot be made beside it: immutable there.
    datasette.add_database(Database(datasette, path=str(db_path), is_mutable=not immutable), name=plugin.DATABASE)
    return datasette


def listen(host: str, port: int) -> socket.socket:
    """The desk's socket, bound before the desk is announced at its address.

    Raises:
        click.ClickException: the address is taken or not this machine's; the message says what to do.
    """
    # Bound by uvicorn, a taken port came after "the reviewer's desk at …" as uvicorn's own
    # "[Errno 98]" line and exit status 3: the address shown was another program's.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fix = ("another program (another newsmon serve?) has the port: choose another with --port"
               if exc.errno == errno.EADDRINUSE else "give --host an address of this machine, or 127.0.0.1")
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror or exc}): {fix}") from None
    return sock


@click.command()
@click.option("--db", "db_path", metavar="FILE", help="SQLite file. Default: NEWSMON_DB or ./newsmon.db.")
@click.option("--config", "config_path", metavar="FILE", help="TOML config with outlets and topics, as "
              "the crawler's. Default: NEWSMON_CONFIG.")
@click.option("--host", metavar="HOST", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Any but a loopback address (127.x.x.x, ::1) needs --account.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535), metavar="N",
              help="Port to listen on.")
@click.option("--account", "accounts", multiple=True, metavar="NAME:HASH",
              help="A reviewer who may log in, with the password hash printed by "
              "`datasette hash-password` (repeatable). With accounts, every page asks for a password.")
@click.option("--reviewer", metavar="NAME", help="On a loopback address without accounts: the name recorded "
              "with your review decisions. Default: your login name.")
def serve(db_path: str | None, config_path: str | None, host: str, port: int, accounts: tuple[str, ...],
          reviewer: str | None) -> None:
    """Open the database in Datasette, to review the queue in a browser.

    The reviewer's desk comes first: the queue to triage with the keyboard (? lists the keys),
    follow-ups, recent decisions with undo, search, and the outlets' health. On a loopback
    address you review as yourself; on any other every page needs a password (--account) and
    the login is recorded with each decision.

    Example:

        newsmon serve --db demo.db
    """
    import uvicorn

    from . import settings
    # Imported here, as review.py and export.py do: crawler.cli imports this module for its command.
    from .cli import open_database, require_database, unwritable_why

    path = db_path or settings.NEWSMON_DB
    if not Path(path).is_file():  # an empty file is migrated, as a database made by `sqlite3` is
        require_database(path)
    account_hashes = parse_accounts(accounts)
    if not is_loopback(host) and not account_hashes:
        raise click.UsageError(
            f"--host {host} makes the articles and the review forms reachable from other machines: "
            "give at least one --account NAME:HASH (make the hash with `datasette hash-password`), "
            "or serve on 127.0.0.1")
    # Migrates the file and puts it in WAL mode, so that Datasette's readers and the crawler's
    # writes never wait for each other. A file it cannot use (locked, not newsmon's) is one line,
    # as for the other commands; one it cannot write (a snapshot on a read-only disk, a full
    # disk) is served as it is, to read, with a banner saying decisions cannot be recorded.
    database = open_database(path, reading=True)
    unwritable = getattr(database, "unwritable", None)
    immutable = getattr(database, "immutable", False)
    database.conn.close()
    sock = listen(host, port)
    datasette = build_datasette(path, reviewer=reviewer or default_reviewer(), accounts=account_hashes,
                                config_path=config_path or settings.NEWSMON_CONFIG,
                                read_only=unwritable_why(unwritable) if unwritable else None,
                                immutable=immutable)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newsmon: the reviewer's desk at http://{shown}:{port}/  (Ctrl-C stops)", err=True)
    if account_hashes:
        click.echo(f"newsmon: password required; accounts: {', '.join(account_hashes)}", err=True)
    if unwritable:
        click.echo("newsmon: decisions cannot be recorded in this file: the desk is read only", err=True)
    elif not account_hashes:
        click.echo(f"newsmon: decisions are recorded as {reviewer or default_reviewer()!r}", err=True)
    server = uvicorn.Server(uvicorn.Config(datasette.app(), host=host, port=port, log_level="warning",
                                           lifespan="on"))
    # SIGTERM is a server's stop (systemd's): uvicorn closes the server, then sends it again, and Python's default
    # ends the process as a service stopped well. The commands' own handler (a stopped line, exit 143) took it, and
    # systemd read 143 as a failed service.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server.run(sockets=[sock])


if __name__ == "__main__":  # python -m crawler.serve, as `newsmon serve`
    serve()
