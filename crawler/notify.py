"""Notifications: one digest per run, listing its new relevant articles and health changes.

Set in the ``[notify]`` table of the config file; every key is optional::

    [notify]
    webhook = "https://hooks.example.org/newsmon"     # POST the digest as JSON
    webhook_headers = { Authorization = "Bearer …" }
    command = ["/usr/local/bin/on-newsmon-digest"]    # the digest as JSON on its standard input
    apprise = ["mailto://me:app-password@gmail.com", "ntfy://ntfy.sh/my-newsmon"]  # pip install apprise
    always = false                                     # true: a digest after every run (a heartbeat)
    timeout = 10                                       # seconds per channel
    news_age = "7d"                                    # older when first seen: counted, not listed ("off")

A run that found no new relevant article and changed no outlet's health sends nothing (unless
``always``), so a quiet day is quiet. A digest that no channel delivered leaves its articles for
the next run's digest (``storage.notifications``).

The JSON webhook is a plain POST (urllib); apprise is used, when installed, for the 100-odd
services it knows (mail, Slack, Matrix, ntfy, Telegram...), which get the digest as text, health changes first,
in several messages where it is longer than the service takes.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.request
import warnings
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from storage import health as health_db
from storage import notifications
from storage.db import reading

from . import __version__
from .config import ConfigError, parse_duration, url_problem
from .dates import JST
from .desk import jst_in

logger = logging.getLogger("newsmon.notify")

_KEYS = {"webhook", "webhook_headers", "command", "apprise", "always", "timeout", "news_age"}
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # an RFC 9110 token
#: Articles listed in one digest at most; the rest are counted, and left for the next one.
MAX_ARTICLES = 50


@dataclass
class NotifySettings:
    webhook: str | None = None
    webhook_headers: dict[str, str] = field(default_factory=dict)
    command: list[str] | None = None
    apprise: list[str] = field(default_factory=list)
    always: bool = False
    timeout: float = 10.0
    #: An article published longer than this before newsmon first saw it is counted, not
    #: listed (``storage.notifications.NEWS_AGE``); ``None``: every one is listed.
    news_age: timedelta | None = notifications.NEWS_AGE

    @property
    def channels(self) -> list[str]:
        return [name for name, on in (("webhook", self.webhook), ("command", self.command),
                                      ("apprise", self.apprise)) if on]


def parse_settings(table: dict[str, Any] | None) -> NotifySettings | None:
    """The ``[notify]`` table as settings; ``None`` when it sets no channel.

    Raises:
        ConfigError: an unknown key or a value of the wrong kind.
    """
    if not table:
        return None
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"[notify] has unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    settings = NotifySettings()
    webhook = table.get("webhook")
    if webhook is not None:
        if url_problem(webhook):
            raise ConfigError(f"[notify] webhook = {webhook!r}: give an http:// or https:// URL with a host name")
        settings.webhook = webhook
    headers = table.get("webhook_headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ConfigError('[notify] webhook_headers must be a table of strings, e.g. { Authorization = "Bearer …" }')
    for name, value in headers.items():
        # urllib refuses these only when it sends, after the crawl: say so now.
        if not _HEADER_NAME.match(name) or any(c in value for c in "\r\n\0"):
            raise ConfigError(f"[notify] webhook_headers: {name!r} = {value!r} is not an HTTP header "
                              "(a name of letters, digits and -, a value on one line)")
    settings.webhook_headers = dict(headers)
    command = table.get("command")
    if command is not None:
        if isinstance(command, str):
            command = shlex.split(command)
        if not isinstance(command, list) or not command or not all(isinstance(c, str) and c for c in command):
            raise ConfigError("[notify] command must be a command line (a string or a list of strings)")
        settings.command = command
    urls = table.get("apprise") or []
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.strip() for u in urls):
        raise ConfigError("[notify] apprise must be an apprise URL or a list of them")
    settings.apprise = urls
    always = table.get("always", False)
    if not isinstance(always, bool):
        raise ConfigError(f"[notify] always = {always!r}: write true or false")
    settings.always = always
    timeout = table.get("timeout", 10)
    if (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout)
            or timeout <= 0):
        raise ConfigError(f"[notify] timeout = {timeout!r}: give a number of seconds above 0, e.g. 10")
    settings.timeout = float(timeout)
    if "news_age" in table:  # else NotifySettings' default, storage.notifications.NEWS_AGE
        news_age = table["news_age"]
        settings.news_age = None if news_age == "off" else \
            timedelta(seconds=parse_duration(news_age, "[notify] news_age (or \"off\")"))
    return settings if settings.channels else None


def check_apprise(settings: NotifySettings) -> None:
    """Fail early (at ``newsmon schedule`` start) on apprise URLs that cannot work.

    Raises:
        ConfigError: apprise is not installed, or does not understand a URL.
    """
    if not settings.apprise:
        return
    try:
        apprise = _import_apprise()
    except ImportError:
        raise ConfigError("[notify] apprise is set but the apprise package is not installed: "
                          "pip install apprise") from None
    for url in settings.apprise:
        try:
            _apprise_services(apprise, url)
        except ValueError as exc:
            raise ConfigError(f"[notify] {exc}") from None


_TRUNCATE = ("overflow=truncate cuts a digest longer than the service takes, and what it cuts (articles, an outlet's "
             "health) no other digest tells: remove it (newsmon has apprise split such a digest into several "
             "messages) or write overflow=upstream (the service gets it whole, or refuses it: a failed delivery)")


def _apprise_services(apprise, url: str) -> list:
    """The services of one ``[notify] apprise`` entry, split where its URL names no ``overflow``.

    An entry may name several URLs ("mailto://…, ntfy://…"), as ``Apprise.add`` reads it: one service each.
    Whether a URL names ``overflow``, and what, is read by apprise's own parser: urllib's missed it after a
    ``#channel`` (Slack, Discord) or in a query written with ``;``, and apprise truncated what newsmon took for
    a URL saying nothing, or for one saying ``upstream``.

    Raises:
        ValueError: apprise does not understand a URL, or one says ``overflow=truncate``.
    """
    with _apprise_warnings():
        # Helpers apprise keeps outside its documented API (1.6 to 2.3 at least). Where a later one moved them, the
        # entry is read as one URL and a mode left at apprise's default is taken for none named: split all the same.
        try:
            from apprise.plugins import url_to_dict
        except ImportError:
            url_to_dict = None
        try:
            from apprise.utils.parse import parse_urls
        except ImportError:  # apprise before 1.9.2 (pyproject asks 1.6 on), whose utils were one module
            try:
                from apprise.utils import parse_urls
            except ImportError:
                parse_urls = None

        services = []
        for part in (parse_urls(url) if parse_urls else None) or [url]:
            parsed = url_to_dict(part) if url_to_dict else part
            service = apprise.Apprise.instantiate(parsed) if parsed else None
            if service is None:
                raise ValueError(f"apprise URL {url!r} is not one apprise understands"
                                 + (f" ({part!r} of it)" if part != url.strip() else "")
                                 + " (see https://github.com/caronc/apprise/wiki)")
            named = parsed.get("overflow") if url_to_dict else service.overflow_mode != apprise.OverflowMode.UPSTREAM
            if not named:  # none, or an empty one, which apprise takes as its default
                # apprise's default (upstream) hands the service a body over its limit whole: Telegram and Discord
                # refused it (every digest after failed too, longer), others kept its start. Split, every part is
                # sent, and apprise says delivered only when each one was.
                service.overflow_mode = apprise.OverflowMode.SPLIT
            if service.overflow_mode == apprise.OverflowMode.TRUNCATE:
                raise ValueError(f"apprise URL {url!r}: {_TRUNCATE}")
            services.append(service)
    return services


# --- the digest -------------------------------------------------------------------------------

def build_digest(db: Database, run_id: int, changes: list[health_db.HealthChange], *,
                 always: bool = False, now: datetime | None = None,
                 news_age: timedelta | None = notifications.NEWS_AGE,
                 config_path: str | None = None,
                 unrecorded: frozenset[int] | set[int] = frozenset(),
                 told_articles: frozenset[int] | set[int] = frozenset()) -> dict[str, Any] | None:
    """The digest of a run; ``None`` when there is nothing to tell (and not ``always``).
    ``config_path``: the config whose topics judge what unread articles' listings said of them. ``unrecorded``,
    ``told_articles``: the ``health_log`` ids and the article ids a delivered digest told whose delivery the database
    could not take yet."""
    # Its counts and lists are of one moment: read apart, an article a crawl stored or a digest's record landed
    # between two of them was counted in one and missing from the other (told again, yet counted as news).
    with reading(db):
        return _build_digest(db, run_id, changes, always=always, now=now, news_age=news_age,
                             config_path=config_path, unrecorded=unrecorded, told_articles=told_articles)


def _build_digest(db: Database, run_id: int, changes: list[health_db.HealthChange], *, always: bool,
                  now: datetime | None, news_age: timedelta | None, config_path: str | None,
                  unrecorded: frozenset[int] | set[int], told_articles: frozenset[int] | set[int]
                  ) -> dict[str, Any] | None:
    info = notifications.run(db, run_id)
    if info is None:
        return None
    articles, total = notifications.pending_articles(db, run_id, now=now, limit=MAX_ARTICLES, news_age=news_age,
                                                     told=told_articles)
    # Pending again only as their record waits: told again, as such, not counted as new (the analysts read them).
    again = notifications.pending_told(db, run_id, told_articles, now=now, news_age=news_age)
    removed = notifications.removed_articles(db, run_id)
    updated = notifications.updated_articles(db, run_id)
    unread = _unread(db, run_id, info["started_at"], config_path)
    missed = notifications.missed_health_changes(db, run_id, now=now)
    for change in missed:
        if change["id"] in unrecorded:
            change["told"] = True
    # Told by a delivered digest whose record the database could not take: told again along with news, as such.
    untold = [change for change in missed if not change.get("told")]
    # Told again alone they make no digest: the analysts have them, and while the database stays locked each run's
    # digest of them alone, unrecordable too, told them once more.
    if total == len(again) and not changes and not removed and not updated and not unread and not untold and not always:
        return None  # older articles alone make no digest: the next one counts them
    older = notifications.older_articles(db, run_id, now=now, news_age=news_age)
    undelivered = notifications.undelivered_articles(db, run_id, now=now)
    digest = {
        "type": "newsmon.digest",
        "version": 1,
        "run": {k: info[k] for k in ("id", "trigger", "outlets", "started_at", "finished_at",
                                     "finish_reason", "exit_status", "articles_new")},
        "articles": articles,
        "articles_total": total,
        # Of those listed or counted (here, in articles_older, in articles_undelivered), the ids a delivered digest
        # told whose record the database could not take yet: told again, not news (those listed say ``told``).
        "articles_told_again": sorted(set(again) | (set(older) | set(undelivered)) & set(told_articles)),
        # Relevant articles stored since, published long before newsmon first saw them (a
        # backfill, an outlet's archive): their ids, not listed as news.
        "articles_older": older,
        # Relevant articles no digest delivered in time (every channel failing for a day, or more
        # than one digest lists): their ids, counted once instead of dropped without a word.
        "articles_undelivered": undelivered,
        "news_age": _age(news_age),
        # Relevant articles their outlet took down since they were stored (a 404 or 410, a
        # deletion notice in their place), first seen so by this run; newsmon keeps their text.
        "articles_removed": removed,
        # Articles a reviewer marked relevant or follow-up that this run found changed since the
        # decision (a new version): out of the queue, the desk lists them under "Updated".
        "articles_updated": updated,
        # Articles this run left unread (storage.frontier.unread_of_run) whose feed, news sitemap
        # or section said what makes them relevant: not in any queue, and no other word of them.
        "articles_unread": unread,
        "health_changes": [c.to_dict() for c in changes],
        # Health changes of earlier runs that no delivered digest held (each with ``at``, ``run_id`` and its
        # health_log ``id``), oldest first: an outlet's alert is not lost with its digest.
        "health_changes_missed": missed,
    }
    digest["title"], digest["text"] = digest_text(digest)
    return digest


def _unread(db: Database, run_id: int, started_at: str, config_path: str | None) -> list[dict[str, Any]]:
    from storage import frontier

    rows = frontier.unread_of_run(db, run_id, started_at)
    if not rows:
        return []
    from .store import listed_on_topic  # the extractors and topics: only when there is something to judge

    try:
        found = listed_on_topic(rows, config_path)
    except Exception:  # noqa: BLE001  (the digest's relevant articles must go out all the same)
        logger.exception("newsmon: the unread articles of run %s could not be judged; `newsmon status` lists them",
                         run_id)
        return []
    return [{k: row[k] for k in ("url", "outlet", "kind", "headline", "reason")} for row in found]


def _age(news_age: timedelta | None) -> str | None:
    if news_age is None:
        return None
    days, seconds = news_age.days, news_age.seconds
    return f"{days} days" if not seconds else f"{news_age.total_seconds() / 3600:g} hours"


def _change_lines(change: dict[str, Any], when: str) -> list[str]:
    """A health change's lines in a digest's text: its head (``when`` after it), its reasons, those resolved."""
    return ([f"Health of {change['outlet']}: {change['previous'] or 'new'} -> {change['status']}{when}"]
            + [f"  {r['message']}" for r in change["reasons"]]
            + [f"  resolved ({health_db.SETTLE_RUNS} runs in a row without it): {r['message']}"
               for r in change.get("resolved") or ()])


def digest_text(digest: dict[str, Any]) -> tuple[str, str]:
    """A title and a plain-text body for people (mail, chat, the command's log)."""
    total = digest["articles_total"]
    changes = digest["health_changes"]
    # Of articles_total, those a delivered digest listed whose record waits (articles_told_again holds the counted
    # ones too, which are no part of it).
    again = len(set(digest.get("articles_told_again") or ()) - set(digest.get("articles_older") or ())
                - set(digest.get("articles_undelivered") or ()))
    parts = []
    if total - again:
        parts.append(f"{total - again} new relevant article{'s' if total - again != 1 else ''}")
    if again:
        parts.append(f"{again} article{'s' if again != 1 else ''} told again")
    removed = digest.get("articles_removed") or []
    if removed:
        parts.append(f"{len(removed)} relevant article{'s' if len(removed) != 1 else ''} removed by "
                     f"{'their outlets' if len(removed) != 1 else 'its outlet'}")
    reviewed = digest.get("articles_updated") or []
    if reviewed:
        parts.append(f"{len(reviewed)} reviewed article{'s' if len(reviewed) != 1 else ''} updated")
    unread = digest.get("articles_unread") or []
    if unread:
        parts.append(f"{len(unread)} article{'s' if len(unread) != 1 else ''} on the topics unread")
    for change in changes:
        resolved = len(change.get("resolved") or ())
        parts.append(f"{change['outlet']} {change['status']}"
                     + (f" ({resolved} reason{'s' if resolved != 1 else ''} resolved)" if resolved else ""))
    missed = digest.get("health_changes_missed") or []
    untold = [change for change in missed if not change.get("told")]
    if untold:
        parts.append(f"{len(untold)} earlier health change{'s' if len(untold) != 1 else ''} not recorded as told")
    if len(untold) < len(missed):
        told = len(missed) - len(untold)
        parts.append(f"{told} health change{'s' if told != 1 else ''} told again")
    title = "newsmon: " + ("; ".join(parts) if parts else "nothing new")
    lines = []
    # The outlets' health first: a service that cuts a long body (apprise's overflow=truncate, a chat that
    # keeps its first 4,096 characters) cut the digest's end, where a busy hour's 50 articles had put the
    # news that an outlet stopped working.
    for change in changes:
        lasted, began, ended = "", change.get("previous_since"), digest["run"]["finished_at"]
        if began:
            took = datetime.fromisoformat(ended) - datetime.fromisoformat(began) if ended else None
            lasted = f" ({change['previous']} since {_jst(began)}" + \
                (f", {health_db.duration_text(took.total_seconds())})" if took is not None else ")")
        lines += _change_lines(change, lasted)
    told_again = [change for change in missed if change.get("told")]
    for heading, group in (("Health changes of earlier runs no digest is recorded as having told (no channel "
                            "delivered them, or a delivery could not be recorded):", untold),
                           ("Told again: the last digest's delivery could not be recorded:", told_again)):
        if group:
            lines.append(heading)
        for change in group:
            lines += _change_lines(change, f" at {_jst(change['at'])} (run {change['run_id']})")
    # Those told again after the news, under a heading of their own: the analysts read them in the last digest.
    for heading, told in ((None, False), ("Articles told again: the last digest's delivery could not be recorded:",
                                          True)):
        group = [article for article in digest["articles"] if bool(article.get("told")) is told]
        if heading and group:
            lines.append(heading)
        for article in group:
            when = (article["published_at"] or "")[:16].replace("T", " ")
            updated = f", updated: version {article['version']}" if (article.get("version") or 1) > 1 else ""
            lines.append(f"- {article['title'] or '(no title)'} ({article['outlet'] or '?'}"
                         f"{', ' + when if when else ''}{updated})\n  {article['url']}")
            if article["matched_terms"]:
                lines.append("  matched: " + ", ".join(article["matched_terms"][:8]))
    # Told again ones past the limit are not left for the next digest: it records their delivery, and lists none.
    listed_again = sum(1 for article in digest["articles"] if article.get("told"))
    more, more_again = total - again - (len(digest["articles"]) - listed_again), again - listed_again
    if more > 0:
        lines.append(f"... and {more} more, for the next digest (now in newsmon serve, or the review_queue view)")
    if more_again > 0:
        lines.append(f"... and {more_again} more told again, not listed here (a digest delivered listed "
                     f"{'them' if more_again != 1 else 'it'}, whose delivery could not be recorded)")
    articles_again = set(digest.get("articles_told_again") or ())

    def counted_again(ids: list[int]) -> str:
        again = len(articles_again.intersection(ids))
        return (f" ({again} of them told again: the last digest counted {'them' if again != 1 else 'it'}, but its "
                "delivery could not be recorded)") if again else ""

    older = len(digest.get("articles_older") or ())
    if older:
        them = "them" if older != 1 else "it"
        lines.append(f"{older} older relevant article{'s' if older != 1 else ''} also stored, published more than "
                     f"{digest['news_age']} before newsmon first saw {them} or found {them} relevant (a backfill "
                     "from web archives, an outlet's archive, a rescore under new topics): in the review queue, "
                     "not listed here" + counted_again(digest["articles_older"]))
    undelivered = len(digest.get("articles_undelivered") or ())
    if undelivered:
        lines.append(f"{undelivered} relevant article{'s' if undelivered != 1 else ''} stored more than a day ago "
                     "no digest delivered (the channels failing, see the notifications table, or more than a "
                     "digest lists): in the review queue, not listed here"
                     + counted_again(digest["articles_undelivered"]))
    if removed:
        lines.append("Removed by their outlets since newsmon stored them (the text stored is kept):")
    for article in removed:
        lines.append(f"- {article['title'] or '(no title)'} ({article['outlet'] or '?'})\n  {article['url']}\n"
                     f"  {article['removed']}")
    if reviewed:
        lines.append("Changed by their outlets after your review (the difference is on the article's page):")
    for article in reviewed:
        lines.append(f"- {article['title'] or '(no title)'} ({article['outlet'] or '?'}, {article['status']}, "
                     f"now version {article['version']})\n  {article['url']}")
    if unread:
        lines.append("Not read by newsmon, on the topics by what their feeds, sitemaps or sections said "
                     "(`newsmon status` and the desk list them for a week):")
    for article in unread:
        lines.append(f"- {article['headline']} ({article['outlet'] or '?'}, {article['kind'].replace('_', ' ')})\n"
                     f"  {article['url']}\n  {jst_in(article['reason'] or '')[:200]}")
    run = digest["run"]
    lines.append(f"(run {run['id']}, {run['trigger']}, {', '.join(run['outlets'])}: {run['finish_reason']})")
    return title, "\n".join(lines)


def _jst(stamp: str) -> str:
    """A stored UTC time as the analysts read times: ``2026-12-04 20:14 JST``."""
    return f"{datetime.fromisoformat(stamp).astimezone(JST):%Y-%m-%d %H:%M} JST"


# --- channels ---------------------------------------------------------------------------------

class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook's redirect is a failure that names where it points. urllib follows a 301, 302 or
    303 to a POST with a GET without the body: the digest never arrived, and its delivery was
    recorded as made (an http:// address the receiver moved to https://, a trailing slash)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"{msg}: the webhook redirects to {newurl}; a digest is not "
                                     "sent on: set [notify] webhook to that address", headers, fp)


_WEBHOOK_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(settings: NotifySettings, digest: dict[str, Any]) -> None:
    data = json.dumps(digest, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"newsmon/{__version__}",
               **settings.webhook_headers}
    request = urllib.request.Request(settings.webhook, data=data, headers=headers, method="POST")
    with _WEBHOOK_OPENER.open(request, timeout=settings.timeout) as response:
        response.read()


def _run_command(settings: NotifySettings, digest: dict[str, Any]) -> None:
    # A session of its own, killed whole at the timeout: killing the command alone left what it
    # had started (a shell script's curl) running for ever, one more with every run.
    process = subprocess.Popen(settings.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = process.communicate(json.dumps(digest, ensure_ascii=False).encode("utf-8"),
                                        timeout=settings.timeout)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):  # a grandchild of a session of its own may hold the pipes
            process.communicate(timeout=5)
        process.kill()
        process.wait()
        raise subprocess.TimeoutExpired(settings.command, settings.timeout) from None
    if process.returncode != 0:
        tail = stderr.decode("utf-8", "replace").strip()[-300:]
        raise RuntimeError(f"exit status {process.returncode}" + (f": {tail}" if tail else ""))


@contextmanager
def _apprise_warnings():
    # apprise's plugins import the stdlib's deprecated imghdr (Python 3.11-3.12) as they load,
    # which is not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _import_apprise():
    with _apprise_warnings():
        import apprise
    return apprise


def _apprise(settings: NotifySettings, digest: dict[str, Any]) -> None:
    apprise = _import_apprise()
    with _apprise_warnings():
        sender = apprise.Apprise()
        for url in settings.apprise:
            try:
                sender.add(_apprise_services(apprise, url))
            except ValueError as exc:  # the config edited under a running schedule
                raise RuntimeError(str(exc)) from None
        delivered = sender.notify(title=digest["title"], body=digest["text"],
                                  body_format=apprise.NotifyFormat.TEXT)
    if not delivered:
        raise RuntimeError("apprise could not deliver to every URL (its log says why)")


_SENDERS = {"webhook": _post, "command": _run_command, "apprise": _apprise}


def send(settings: NotifySettings, digest: dict[str, Any]) -> dict[str, str | None]:
    """Deliver ``digest`` through every channel; return the error of each (``None``: delivered)."""
    results: dict[str, str | None] = {}
    for channel in settings.channels:
        try:
            _SENDERS[channel](settings, digest)
            results[channel] = None
        except ImportError:
            results[channel] = "apprise is not installed: pip install apprise"
        except (OSError, urllib.error.URLError, subprocess.SubprocessError, RuntimeError) as exc:
            results[channel] = f"{type(exc).__name__}: {exc}"
        if results[channel]:
            logger.error("newsmon: notification through %s failed: %s", channel, results[channel])
    return results


def notify_run(db: Database, run_id: int, changes: list[health_db.HealthChange],
               settings: NotifySettings | None, *, now: datetime | None = None,
               config_path: str | None = None) -> dict[str, Any] | None:
    """Build the run's digest, send it, log it; return it (``None``: nothing was sent)."""
    if settings is None:
        return None
    now = now or datetime.now(timezone.utc)
    db_path = db.execute("PRAGMA database_list").fetchone()[2]
    waiting = notifications.record_unrecorded(db, db_path) if db_path else notifications.Waiting(set(), set())
    digest = build_digest(db, run_id, changes, always=settings.always, now=now, news_age=settings.news_age,
                          config_path=config_path, unrecorded=waiting.health_log_ids,
                          told_articles=waiting.article_ids)
    if digest is None:
        return None
    results = send(settings, digest)
    delivery = {"run_id": run_id, "at": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
                "results": results, "articles": len(digest["articles"]), "health_changes": len(changes),
                "article_ids": [a["id"] for a in digest["articles"]] + digest["articles_older"]
                + digest["articles_undelivered"],
                "health_log_ids": [c["id"] for c in digest["health_changes_missed"]]
                + [c.log_id for c in changes if c.log_id is not None]}
    try:
        notifications.record_delivery(db, delivery)
    except sqlite3.Error as exc:  # locked past the busy timeout, the disk full
        _unrecorded(db_path, delivery, exc)
    return digest


def _unrecorded(db_path: str | None, delivery: dict[str, Any], error: sqlite3.Error) -> None:
    """Say where it happens that a digest's delivery could not be recorded, and leave a delivered one's record
    beside the database for the next digest: unsaid, the next digest told it all again, its health changes as
    "not delivered", and the crawl's log blamed the notification."""
    run_id, told = delivery["run_id"], [c for c, e in delivery["results"].items() if e is None]
    if not told:
        logger.error("newsmon: no channel delivered the digest of run %s, and the database could not record the "
                     "tries either (%s): the next digest tells its articles and health changes", run_id, error)
        return
    said = (f"newsmon: the digest of run {run_id} WAS delivered (through {', '.join(told)}), but the database "
            f"could not record it ({error})")
    try:
        if not db_path:
            raise OSError("an in-memory database has no directory beside it")
        left = notifications.leave_unrecorded(db_path, delivery)
    except OSError as exc:
        logger.error("%s, nor could it be left beside the database (%s): the next digest tells its %d articles and "
                     "%d health changes again", said, exc, len(delivery["article_ids"]),
                     len(delivery["health_log_ids"]))
    else:
        logger.error("%s: left in %s, which the next digest records (while the database still cannot take it, "
                     "that digest tells its articles and health changes again, as such)", said, left)
