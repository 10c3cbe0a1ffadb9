"""``newsmon demo``: the real crawl, end to end, against the saved-pages site on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path

import click

from storage import open_db
from storage.health import ALARM

from .crawl import LOOPBACK_SETTINGS, STOPPED_BY, run_crawl
from .testsite import LoopbackSite

DEMO_OUTLET = "demo"


def typed_name(argv0: str | None = None) -> str:
    """How to type this newsmon in the commands the demo prints: ``newsmon`` where the shell finds this one so, else
    the path it was started by. After the Quick start's `.venv/bin/newsmon demo`, its virtualenv not activated,
    "newsmon serve --db demo.db" as printed was "command not found"."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name != "newsmon" or os.sep not in argv0:
        return "newsmon"  # `python -m crawler.cli` (argv[0] its cli.py), or no path to name
    found = shutil.which("newsmon")
    try:
        if found and os.path.samefile(found, argv0):
            return "newsmon"
    except OSError:
        pass
    return shlex.quote(argv0)


class DemoStopped(Exception):
    """The demo's crawl was stopped by ``signame`` ("SIGINT", "SIGTERM"); ``said``: what it kept and what goes on."""

    def __init__(self, said: str, signame: str) -> None:
        super().__init__(said)
        self.said, self.signame = said, signame


def run_demo(db_path: str, port: int, keep_serving: bool = False, again: str = "newsmon demo") -> int:
    """Serve the snapshot, crawl it into ``db_path``, print what was stored; return the run's exit code.

    Raises:
        DemoStopped: SIGTERM or Ctrl-C stopped the crawl (``again``: the command that goes on).
    """
    try:
        site = LoopbackSite(port=port)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        site.start()
    except OSError as exc:
        raise click.ClickException(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); "
                                   "choose another port with --port") from None
    config_path = Path(db_path).with_suffix(".toml")
    config_path.write_text(
        "# Written by `newsmon demo`: the loopback site as a user-defined outlet.\n"
        + site.toml_snippet(DEMO_OUTLET), encoding="utf-8")
    click.echo(f"Serving {len(site.articles)} saved pages of Japanese outlets at {site.base_url} "
               f"(feeds, sitemaps and a section page built around them)", err=True)
    try:
        result = run_crawl([DEMO_OUTLET], {
            "NEWSMON_DB": db_path, "NEWSMON_CONFIG": str(config_path), "NEWSMON_TRIGGER": "demo",
            "LOG_LEVEL": "WARNING", **LOOPBACK_SETTINGS,
        })
        if (stopped := result.stopped(again)) and not (result.stats.get("newsmon/database_damaged")
                                                       or result.stats.get("newsmon/database_unwritable")):
            # As a crawl stopped so: its line and 130 or 143. The report of a finished demo came first, then "Error:
            # the crawl was stopped …", exit 1, a failed installation to a script. A database that could not be
            # written is said as a crawl says it (stopped as well, it said what it had downloaded "is stored").
            raise DemoStopped("demo" + stopped.removeprefix("crawl"), result.stats[STOPPED_BY])
        # Before serving on: what was stored is what the user runs `check` or `serve` against.
        healthy = _report(db_path, config_path, result.stats) and _ended_well(result)
        if keep_serving:
            try:
                # Scrapy's shutdown handlers outlive its crawl: Ctrl-C and SIGTERM went on asking
                # the finished crawl to stop, and the site served until killed.
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, _interrupt)
                click.echo(f"Still serving at {site.base_url} ({typed_name()} check {DEMO_OUTLET} --config "
                           f"{config_path} reads it); Ctrl-C to stop.", err=True)
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        site.stop()
    return 0 if result.ok and healthy else 1


def _ended_well(result) -> bool:
    """Whether the crawl ended as a demo's should; if not, why, on standard error (a full disk
    stopped it with its report read as a success, "no article is fetched twice" and exit 1)."""
    if result.trouble is None:
        return True
    click.echo(f"\nError: {result.trouble}", err=True)
    return False


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _report(db_path: str, config_path: Path, stats: dict) -> bool:
    """Print what the run stored; whether the demo outlet is not failing or blocked."""
    db = open_db(db_path)
    click.echo("")
    click.echo(f"This run: {stats.get('downloader/request_count', 0)} requests, "
               f"{stats.get('newsmon/articles/new', 0)} new articles "
               f"({stats.get('newsmon/articles/relevant', 0)} relevant), "
               f"{stats.get('newsmon/discovery/already_seen', 0)} article URLs already stored and not fetched again.")
    click.echo("")
    # Crawled as one outlet (the snapshot site, DEMO_OUTLET), each page is stored as the outlet it was saved from:
    # a new user read 18 outlets here and "one outlet, demo" below, with nothing to tie the two.
    click.echo(f"Articles stored, by the outlet each saved page is of (crawled as one outlet, {DEMO_OUTLET}):")
    for row in db.query("select coalesce(outlet, '?') as outlet, count(*) as n, sum(relevant) as relevant "
                        "from articles group by 1 order by 2 desc"):
        click.echo(f"  {row['outlet']:<14} {row['n']:>4}   relevant: {row['relevant'] or 0}")
    click.echo("")
    click.echo("Relevant articles (the review queue):")
    rows = list(db.query("select id, outlet, published_at, title, score, matched_terms "
                         "from articles where relevant = 1 order by score desc"))
    if not rows:
        click.echo("  (none)")
    for row in rows:
        terms = ", ".join(f"{m['term']}×{m['count']}" for m in json.loads(row["matched_terms"] or "[]"))
        click.echo(f"  [{row['score']:.1f}] {row['title']}")
        click.echo(f"        {row['outlet']}, {row['published_at']}: {terms}")
    click.echo("")
    newsmon = typed_name()
    click.echo(f"The database is {db_path}. Open it with:")
    click.echo(f"  {newsmon} serve --db {db_path}          (Datasette, in your browser)")
    click.echo(f"  sqlite3 {db_path} 'select * from review_queue'")
    click.echo(f"  or DB Browser for SQLite: File > Open Database > {db_path}, Browse Data > review_queue")
    # `newsmon status` reports crawls by the outlet crawled: one, the snapshot site, where the
    # lines above count the articles by the outlet each page is of.
    click.echo(f"  {newsmon} status --db {db_path}          (the crawl's health: one outlet, {DEMO_OUTLET}, "
               "the snapshot site)")
    health = db.execute("SELECT status, problems FROM health WHERE outlet = ?", [DEMO_OUTLET]).fetchone()
    if health is not None and health[0] in ALARM:
        # The site is on this machine and unchanged: a failing demo is a broken installation or
        # network setup, which "0 new articles" and exit status 0 did not tell.
        click.echo(f"\nThe demo outlet is {health[0]}: {health[1]}", err=True)
        return False
    if stats.get("finish_reason") == "finished" and not stats.get("newsmon/database_unwritable"):
        click.echo("Run the demo again: the site is unchanged, so no article is fetched twice.")
    return True
