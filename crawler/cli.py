"""The ``newsmon`` command line."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click

from . import __version__
from .article import Article
from .extract import extract_article


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmon")
def cli() -> None:
    """Monitor Japanese news outlets for articles on Japan's security-document revisions."""


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    data = Path(path).read_bytes()
    # Saved pages are often kept gzipped (ours are); read them as they are.
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


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


def _extract_path(path: str, url: str | None) -> tuple[Article | None, bool]:
    """Extract one saved page; messages go to stderr. Returns (article, path was usable)."""
    try:
        data = _read(path)
    except OSError as exc:
        click.echo(f"newsmon: cannot read {path}: {exc.strerror or exc}", err=True)
        return None, False
    try:
        article = extract_article(data, url)
    except Exception as exc:  # a bug of ours must not cost the user the other pages
        click.echo(f"newsmon: extraction failed for {path}: {type(exc).__name__}: {exc} "
                   "(please report this with the page)", err=True)
        return None, False
    if article is None:
        click.echo(f"newsmon: no article found in {path} (a listing, error or empty page?)", err=True)
    return article, True


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", help="The URL the page was fetched from (one PATH only). "
              "Default: the page's canonical link, og:url or JSON-LD url.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True, help="jsonl: one line per PATH, in order; null where no article.")
def extract(paths: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Extract the article from saved HTML pages.

    Pages may be in any encoding and may be gzipped; '-' reads standard input.

    Example:

        newsmon extract tests/fixtures/saved/fundus-jp/TheJapanNews_2024_10_13.html.gz --format text
    """
    if url and len(paths) > 1:
        raise click.UsageError("--url names the URL of one page: give a single PATH with it.")
    results: list[dict | None] = []
    failed = False
    for path in paths:
        article, ok = _extract_path(path, url)
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
            raise click.BadParameter(f"{pair!r}: write NAME=VALUE, e.g. -s NEWSMON_MAX_ARTICLES=50",
                                     param_hint="-s")
        out[name] = value
    return out


def _open(db: str | None, config: str | None):
    from storage import open_db

    from .crawl import crawler_settings

    settings = crawler_settings(_settings(db, config))
    return open_db(settings.get("NEWSMON_DB")), settings


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
    from .config import ConfigError
    from .crawl import EXIT_BUSY, run_crawl
    from .locks import OutletBusy

    try:
        result = run_crawl(list(outlets), _settings(db, config, _setting_pairs(pairs)), wait=wait)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    except OutletBusy as exc:
        click.echo(f"newsmon: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    _print_run(result.stats)
    if not result.ok:
        raise click.ClickException(f"crawl ended with {result.finish_reason!r}; see the log above")


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@config_option
@click.option("-s", "--set", "pairs", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy or NEWSMON_* setting for this check (repeatable).")
@click.option("--articles", default=2, show_default=True, type=click.IntRange(0, 20),
              help="Sample articles fetched and extracted per outlet.")
@click.option("--stale-after", default=7.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="DAYS", help="A feed or sitemap whose newest entry is older than this is stale.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per outlet) instead of the report.")
def check(outlets: tuple[str, ...], config: str | None, pairs: tuple[str, ...], articles: int, stale_after: float,
          as_json: bool) -> None:
    """Check each outlet's feeds, sitemaps, start URLs and a few articles, live.

    Politely (robots.txt, delays, your NEWSMON_CONTACT in the User-Agent), nothing stored.
    Verdict per outlet: ok, degraded, blocked (walls) or broken (no article URL found);
    the exit status is 1 when any outlet is broken.

    Example:

        newsmon check asahi nhk --articles 3
    """
    from .check import report_lines, run_check
    from .config import ConfigError, load_config

    overrides = _settings(None, config, _setting_pairs(pairs))
    try:
        known = load_config(overrides.get("NEWSMON_CONFIG") or _env_config()).outlets
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    unknown = [o for o in outlets if o not in known]
    if unknown:
        raise click.UsageError(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    from datetime import timedelta

    reports = run_check(list(outlets), overrides, articles=articles, stale_after=timedelta(days=stale_after))
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        for line in report_lines(reports):
            click.echo(line)
    if any(r["verdict"] == "broken" for r in reports.values()):
        sys.exit(1)


def _env_config() -> str | None:
    from . import settings as defaults

    return defaults.NEWSMON_CONFIG


def _print_run(stats: dict) -> None:
    click.echo(
        f"newsmon: {stats.get('downloader/request_count', 0)} requests, "
        f"{stats.get('newsmon/articles/new', 0)} new articles, "
        f"{stats.get('newsmon/articles/relevant', 0)} relevant, "
        f"{stats.get('newsmon/errors', 0)} failed pages (run {stats.get('newsmon/run_id')}, "
        f"{stats.get('finish_reason')})", err=True)


@cli.command()
@db_option
@config_option
def rescore(db: str | None, config: str | None) -> None:
    """Recompute every stored article's score from its stored text (after topics change).

    Example:

        newsmon rescore --config my-topics.toml
    """
    from storage import queries, transaction

    from . import store
    from .config import ConfigError

    database, settings = _open(db, config)
    try:
        _, topics = store.context(settings.get("NEWSMON_CONFIG"))
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    changed = total = 0
    with transaction(database):
        for row in queries.iter_articles(database):
            fields = store.score_fields(row["title"], row["text"] or "", topics)
            total += 1
            if fields["score"] != row["score"] or fields["relevant"] != row["relevant"]:
                changed += 1
            queries.update_score(database, row["id"], topic=fields["topic"], score=fields["score"],
                                 relevant=fields["relevant"], matched_terms=fields["matched_terms"])
    click.echo(f"newsmon: rescored {total} articles, {changed} changed")


def _store_options(settings):
    from . import store
    from .config import ConfigError

    try:
        return store.settings_options(settings)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@db_option
@config_option
def reextract(db: str | None, config: str | None) -> None:
    """Rebuild every stored article and its versions from the stored raw pages (after extraction
    rules improve).

    Nothing is fetched. Review status and notes are kept; stories are rebuilt after.

    Example:

        newsmon reextract
    """
    from . import store

    database, settings = _open(db, config)
    opts = _store_options(settings)
    counts = store.reextract(database, settings.get("NEWSMON_CONFIG"), opts)
    click.echo(f"newsmon: re-extracted {counts['articles']} articles ({counts['versions']} versions of changed "
               f"ones); {counts['empty']} stored pages hold no article")


@cli.command()
@db_option
@config_option
@click.option("--window", metavar="DURATION", help="Articles further apart than this are never one story "
              "(\"72h\", \"2d\"). Default: NEWSMON_STORY_WINDOW, else [stories] window, else 72h.")
def regroup(db: str | None, config: str | None, window: str | None) -> None:
    """Rebuild every story from the stored articles, as if they had arrived in time order.

    Same event across outlets: one story; wire copies: one story, each copy marked as a
    duplicate of its original. Review decisions are kept. Run it after upgrading a database
    made before stories existed, or after changing the window.

    Example:

        newsmon regroup --window 48h
    """
    from . import store

    database, settings = _open(db, config)
    if window:
        settings.set("NEWSMON_STORY_WINDOW", window, priority="cmdline")
    opts = _store_options(settings)
    counts = store.regroup(database, opts)
    click.echo(f"newsmon: {counts['articles']} articles in {counts['stories']} stories "
               f"({counts['copies']} wire copies)")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@db_option
@config_option
def ingest(files: tuple[str, ...], db: str | None, config: str | None) -> None:
    """Store the articles of web archives (WARC, WARC.gz, WACZ), e.g. Common Crawl's CC-NEWS.

    Every HTML response goes through the same extract, score and store path as a crawl;
    ingesting the same archive twice adds nothing.

    Example:

        newsmon ingest CC-NEWS-20240305.warc.gz
    """
    from .ingest import ingest_archive

    database, settings = _open(db, config)
    opts = _store_options(settings)
    totals = {"responses": 0, "new": 0, "relevant": 0, "seen": 0, "no_article": 0}
    for path in files:
        try:
            counts = ingest_archive(database, path, settings.get("NEWSMON_CONFIG"), opts)
        except ValueError as exc:
            raise click.ClickException(f"{path}: {exc}") from None
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    click.echo("newsmon: " + ", ".join(f"{v} {k}" for k, v in totals.items()))


@cli.command()
@click.option("--db", "db", default="demo.db", show_default=True, metavar="FILE", help="SQLite file to write.")
@click.option("--port", default=8642, show_default=True, help="Port of the snapshot site on 127.0.0.1.")
@click.option("--keep-serving", is_flag=True, help="Keep the snapshot site up after the crawl (Ctrl-C stops).")
def demo(db: str, port: int, keep_serving: bool) -> None:
    """Crawl a bundled snapshot of real saved pages, served on 127.0.0.1, into demo.db.

    No network needed. Run it twice: the second run fetches no article again.

    Example:

        newsmon demo
    """
    from .demo import run_demo

    sys.exit(run_demo(db, port, keep_serving))


from .export import export  # noqa: E402  (the review commands live beside what they serve)
from .serve import serve  # noqa: E402

cli.add_command(serve)
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

    from storage import open_db
    from storage.exceptions import StorageError

    # The settings module itself, not Scrapy's Settings: the daemon never imports Scrapy, which
    # would cost it 25 MB for nothing (its crawls are other processes).
    from . import settings as defaults
    from .config import ConfigError, load_config
    from .notify import check_apprise, parse_settings
    from .scheduler import Daemon, build_schedule

    extra = _setting_pairs(pairs)
    settings = {"NEWSMON_DB": db or defaults.NEWSMON_DB, "NEWSMON_CONFIG": config or defaults.NEWSMON_CONFIG,
                "NEWSMON_SCHEDULE_INTERVAL": defaults.NEWSMON_SCHEDULE_INTERVAL}
    try:
        # Opened to migrate and to fail early on a bad file; the crawls open their own.
        open_db(settings["NEWSMON_DB"]).conn.close()
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        cfg = load_config(settings.get("NEWSMON_CONFIG"))
        unknown = [o for o in outlets if o not in cfg.outlets]
        if unknown:
            raise ConfigError(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(cfg.outlets))} "
                              "(add one with --config)")
        plan = build_schedule(cfg.schedule, list(outlets or cfg.outlets),
                              interval or settings.get("NEWSMON_SCHEDULE_INTERVAL"))
        notify_settings = parse_settings(cfg.notify)
        if notify_settings is not None:
            check_apprise(notify_settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    crawl_args = [arg for name, value in extra.items() for arg in ("-s", f"{name}={value}")]
    daemon = Daemon(plan, db_path=settings.get("NEWSMON_DB"), config_path=settings.get("NEWSMON_CONFIG"),
                    crawl_args=crawl_args, notify_settings=notify_settings)
    if check:
        for line in daemon.plan_lines():
            click.echo(line)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    # APScheduler logs every run at INFO and each skipped one at WARNING; ours say it once.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    sys.exit(daemon.run())


def _when(value: str | None, now) -> str:
    if not value:
        return "never"
    from datetime import datetime

    moment = datetime.fromisoformat(value)
    ago = (now - moment).total_seconds()
    if ago < 90:
        span = f"{ago:.0f}s"
    elif ago < 5400:
        span = f"{ago / 60:.0f}m"
    elif ago < 172800:
        span = f"{ago / 3600:.0f}h"
    else:
        span = f"{ago / 86400:.0f}d"
    return f"{moment.astimezone():%Y-%m-%d %H:%M} ({span} ago)"


@cli.command()
@click.argument("outlets", nargs=-1, metavar="[OUTLET]...")
@db_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per outlet) instead of a table.")
def status(outlets: tuple[str, ...], db: str | None, config: str | None, as_json: bool) -> None:
    """Per outlet: last run, last success, articles of the last 24 hours, errors, health.

    Health comes from the outlet_health table (the `health` view): 'degraded' when extraction
    goes wrong (rules no longer matching, empty texts, missing titles or dates), 'failing' when
    crawling does (timeouts, errors dominating, feeds listing nothing, silence).

    Example:

        newsmon status --db news.db
    """
    from datetime import datetime, timezone

    from storage import health as health_db

    from .config import ConfigError, load_config

    database, settings = _open(db, config)
    try:
        known = list(load_config(settings.get("NEWSMON_CONFIG")).outlets)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # Outlets the database has crawled are shown even when today's config does not name them
    # (a status without --config must not hide the outlets the daemon crawls).
    crawled = [r[0] for r in database.execute("SELECT DISTINCT outlet FROM outlet_runs ORDER BY outlet").fetchall()]
    # Crawled outlets first: the built-in ones never crawled here are the least interesting rows.
    known = crawled + [o for o in known if o not in crawled]
    unknown = [o for o in outlets if o not in known]
    if unknown:
        raise click.ClickException(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    now = datetime.now(timezone.utc)
    rows = health_db.outlet_status(database, list(outlets) or known, now=now)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    scheduled = health_db.last_scheduled_run(database)
    click.echo("schedule: " + (f"last scheduled run {_when(scheduled['started_at'], now)}, run {scheduled['id']}, "
                               f"{scheduled['finish_reason'] or 'running'}" if scheduled else "no scheduled run yet"))
    table = [("OUTLET", "HEALTH", "LAST RUN", "RESULT", "LAST SUCCESS", "24H NEW (RELEVANT)", "24H ERRORS")]
    for row in rows:
        last = row["last_run"]
        result = "running" if row["running"] else (last["finish_reason"] or "running") if last else ""
        table.append((row["outlet"], row["health"], _when(last and last["started_at"], now), result,
                      _when(row["last_success"], now), f"{row['articles_24h']} ({row['relevant_24h']})",
                      str(row["errors_24h"])))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for i, line in enumerate(table):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
        if i:
            row = rows[i - 1]
            if row["url_states"]:
                counts = ", ".join(f"{n} {state}" for state, n in row["url_states"].items())
                click.echo(f"    urls of run {row['url_states_run']}: {counts}")
            for reason in row["reasons"]:
                click.echo(f"    ! {reason['message']}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
