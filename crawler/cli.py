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

    The classifier's probabilities and flags are recomputed too, with the models `newsmon
    learn` trained (it does not retrain them).

    Example:

        newsmon rescore --config my-topics.toml
    """
    from storage import queries, transaction

    from . import relevance, store
    from .config import ConfigError

    database, settings = _open(db, config)
    try:
        _, topics = store.context(settings.get("NEWSMON_CONFIG"))
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    models = relevance.load_models(database)
    changed = total = 0
    counts = {"classified": 0, "maybe-missed": 0, "likely-false-positive": 0}
    with transaction(database):
        for rows, scored in store.rescore_batches(database, settings.get("NEWSMON_CONFIG")):
            queries.update_scores(database, scored)
            for row, fields in zip(rows, scored):
                total += 1
                changed += fields["score"] != row["score"] or fields["relevant"] != row["relevant"]
            updates = relevance.classify([{**row, **fields} for row, fields in zip(rows, scored)], models)
            queries.update_relevance(database, updates)
            for _, p, _, flagged in updates:
                counts["classified"] += p is not None
                if flagged:
                    counts[flagged] += 1
    click.echo(f"newsmon: rescored {total} articles, {changed} changed")
    if models:
        click.echo(f"newsmon: classifier: {counts['classified']} articles rated, {counts['maybe-missed']} maybe missed, "
                   f"{counts['likely-false-positive']} likely false positives")


@cli.command()
@db_option
@config_option
@click.option("--min-decisions", default=30, show_default=True, metavar="N",
              help="Decisions needed of each class (relevant/follow-up, dismissed) before a topic gets a model.")
def learn(db: str | None, config: str | None, min_decisions: int) -> None:
    """Train each topic's classifier on the reviewers' decisions and rate every article with it.

    relevant and follow-up are positive examples, dismissed negative. A topic with fewer than
    --min-decisions of either stays on the rules alone. The model, its training size and its
    cross-validated precision and recall are stored in the database (relevance_models); its
    probability orders the review queue, fills the maybe_missed lane and flags likely false
    positives. Nothing is downloaded; training takes seconds.

    Example:

        newsmon learn --db news.db
    """
    from . import relevance, store
    from .config import ConfigError

    if min_decisions < 2:
        raise click.BadParameter("must be at least 2 (cross-validation needs two of each class)",
                                 param_hint="--min-decisions")
    database, settings = _open(db, config)
    try:
        _, topics = store.context(settings.get("NEWSMON_CONFIG"))
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for done in relevance.learn(database, topics, min_per_class=min_decisions):
        if done.model_id is None:
            click.echo(f"newsmon: {done.topic}: rules only (cold start): {done.positives} relevant/follow-up and "
                       f"{done.negatives} dismissed decisions, {min_decisions} of each needed")
        else:
            click.echo(f"newsmon: {done.topic}: model {done.model_id} trained on {done.positives + done.negatives} "
                       f"decisions ({done.positives} relevant, {done.negatives} dismissed) in {done.seconds:.1f}s; "
                       f"cross-validated ({done.cv_folds} folds) precision {done.cv_precision:.2f}, "
                       f"recall {done.cv_recall:.2f}")
    models = relevance.load_models(database)
    if models:
        counts = relevance.apply(database, models)
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
    from .config import ConfigError

    database, settings = _open(db, config)
    try:
        _, topics = store.context(settings.get("NEWSMON_CONFIG"))
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
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


@cli.command()
@db_option
@config_option
def reextract(db: str | None, config: str | None) -> None:
    """Rebuild every stored article from its stored raw page (after extraction rules improve).

    Nothing is fetched. Review status and notes are kept.

    Example:

        newsmon reextract
    """
    from storage import queries, transaction

    from . import store

    database, settings = _open(db, config)
    config_path = settings.get("NEWSMON_CONFIG")
    outlets, _ = store.context(config_path)
    done = empty = 0
    for _page_id, url, _article_id, body, content_type in list(queries.iter_pages(database)):
        charset = None
        if content_type and "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip()
        record = store.analyse(body, url, charset, config_path)
        if record is None:
            empty += 1
            continue
        with transaction(database):
            queries.save_article(database, record, now=store.now_iso(), replace=True)
        done += 1
    click.echo(f"newsmon: re-extracted {done} articles; {empty} stored pages hold no article")


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
    totals = {"responses": 0, "new": 0, "relevant": 0, "seen": 0, "no_article": 0}
    for path in files:
        try:
            counts = ingest_archive(database, path, settings.get("NEWSMON_CONFIG"))
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
            for reason in rows[i - 1]["reasons"]:
                click.echo(f"    ! {reason['message']}")
    _print_classifier(database)


def _print_classifier(database) -> None:
    """The relevance classifier's state, below the outlet table (crawler/relevance.py)."""
    from .relevance import status_lines

    for line in status_lines(database):
        click.echo(line)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
