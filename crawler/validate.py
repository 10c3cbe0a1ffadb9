"""Check the settings and the config file before a command does anything: one place, one line.

Every command that reads settings or the config goes through here first, so a wrong value
stops it with one line that names the setting and where it came from, or the file, table and
key, instead of a traceback half-way through a crawl (or a crawl that "finished" with an
outlet whose pattern could never match)::

    -s NEWSMON_MAX_ATTEMPTS=abc: must be a whole number >= 1
    environment variable NEWSMON_MAX_ARTICLES=-5: must be a whole number >= 1
    newsmon.toml: [outlets.example] article_url_pattern: invalid regex '(': missing ), ...

The rules for settings are data (:data:`SETTINGS`). The config's tables are checked by the
parsers that use them: outlets by ``config.load_config``, topics by ``scoring.load_topics``,
``[schedule]`` by ``scheduler.build_schedule``, ``[notify]`` by ``notify.parse_settings``,
``[storage]`` by ``config.keep_pages``.

Raised errors are ``ValueError``s: :class:`SettingError` and ``config.ConfigError``; the CLI
turns them into exit status 2.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the daemon and Scrapy's settings module import this: keep it light
    from .config import Config
    from .notify import NotifySettings
    from .scheduler import Schedule


class SettingError(ValueError):
    """A setting (``-s NAME=VALUE`` or ``NEWSMON_*`` variable) is unknown or has a wrong value.

    The message names the setting, its value and where it came from, and what it must be.
    """


Parse = Callable[[Any], Any]
"""A setting's check: returns the value parsed, or raises ``ValueError`` saying what it must be."""


def whole(minimum: int) -> Parse:
    """A whole number of at least ``minimum`` ("5", 5)."""

    def parse(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number >= {minimum}")
        return value

    return parse


def number(minimum: float, *, above: bool = False) -> Parse:
    """A finite number of at least ``minimum`` (``above``: more than it)."""
    need = f"must be a number {'>' if above else '>='} {minimum:g}"

    def parse(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValueError(need) from None
        if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                or value < minimum or (above and value == minimum)):
            raise ValueError(need)
        return value

    return parse


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def flag(value: Any) -> bool:
    """A boolean: true/false, 1/0, yes/no, on/off (any case)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError("must be one of 1, 0, true, false, yes, no, on, off")


def text(value: Any) -> str:
    """A non-empty string on one line (it ends up in headers, file names and log lines)."""
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n\0"):
        raise ValueError("must be a non-empty text on one line")
    return value


def log_level(value: Any) -> str:
    """A logging level name: DEBUG, INFO, WARNING, ERROR or CRITICAL."""
    names = [n for n in logging.getLevelNamesMapping() if n != "NOTSET"]
    if not isinstance(value, str) or value.strip().upper() not in names:
        raise ValueError(f"must be one of {', '.join(sorted(names, key=logging.getLevelName))}")
    return value.strip().upper()


def durations(value: Any) -> str:
    """Comma-separated durations ("1h,6h,24h,72h"), or "off" (kept as written)."""
    from .config import ConfigError, parse_duration

    text = str(value).strip()
    if text.lower() in ("off", "none", "never"):
        return text
    try:
        for part in text.split(","):
            parse_duration(part, "it", allow_zero=True)
    except ConfigError:
        raise ValueError('must be comma-separated durations such as "1h,6h,24h,72h", or "off"') from None
    return text


def choice(*allowed: str) -> Parse:
    def parse(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return value
    return parse


def duration(value: Any) -> str:
    """A duration such as "90s", "15m" or "2h" (kept as written: the scheduler reads it)."""
    from .config import ConfigError
    from .scheduler import parse_duration

    try:
        parse_duration(value, "interval", label="it")
    except ConfigError:
        raise ValueError('must be a duration above 0 such as "90s", "15m" or "2h", at most a year') from None
    return value


_CONTACT = re.compile(r"^(https?://[^\s/]+\S*|mailto:[^\s@]+@[^\s@]+|[^\s@:/]+@[^\s@]+\.[^\s@]+)$")


def contact(value: Any) -> str:
    """Empty, or an http(s) URL or a (mailto:) mail address: it goes into the User-Agent."""
    if value == "":
        return value
    if not isinstance(value, str) or not _CONTACT.match(value):
        raise ValueError("must be an http(s) URL or a mailto: address, e.g. mailto:you@example.org")
    return value


#: Every setting newsmon reads, and the Scrapy settings it relies on, with the check of its
#: value. A Scrapy setting not listed here is passed to Scrapy unchecked; a ``NEWSMON_*`` name
#: that is neither here nor in ``crawler/settings.py`` is refused (a typo would do nothing).
SETTINGS: dict[str, Parse] = {
    "NEWSMON_DB": text,
    "NEWSMON_CONFIG": text,
    "NEWSMON_DB_BUSY_TIMEOUT": number(0, above=True),
    "NEWSMON_CONTACT": contact,
    "NEWSMON_EXTRACT_WORKERS": whole(0),
    "NEWSMON_EXTRACT_WORKERS_MAX": whole(1),
    "NEWSMON_MAX_ARTICLES": whole(1),
    "NEWSMON_MAX_ATTEMPTS": whole(1),
    "NEWSMON_MAX_ARTICLE_PAGES": whole(1),
    "NEWSMON_SECTION_PAGES": whole(1),
    "NEWSMON_MAX_RETRY_AFTER": number(0),
    "NEWSMON_MAX_CRAWL_DELAY": number(0),
    "NEWSMON_WALL_BACKOFF": number(0),
    "NEWSMON_TRIGGER": text,
    "NEWSMON_SCHEDULE_INTERVAL": duration,
    "NEWSMON_HEALTH_CROSSCHECK": whole(0),
    "NEWSMON_LATE_AFTER": duration,
    "NEWSMON_FULL_READ_AFTER": duration,
    "NEWSMON_SITEMAP_RECHECK": duration,
    "NEWSMON_INGEST_RETRIES": whole(0),
    "NEWSMON_INGEST_NO_WORKERS": number(0),
    "NEWSMON_STORIES_ENABLED": flag,
    "NEWSMON_STORY_WINDOW": duration,
    "NEWSMON_REVISIT_AFTER": durations,
    "NEWSMON_REVISIT_ARTICLES": choice("relevant", "all"),
    "NEWSMON_NOTIFY_ENABLED": flag,
    "NEWSMON_CONDITIONAL_GET": flag,
    # Scrapy's own, as newsmon's politeness and limits depend on them.
    "DOWNLOAD_TIMEOUT": number(0, above=True),
    "DOWNLOAD_MAXSIZE": whole(0),  # 0: no limit (Scrapy's meaning)
    "DOWNLOAD_WARNSIZE": whole(0),
    "DOWNLOAD_DELAY": number(0),
    "RANDOMIZE_DOWNLOAD_DELAY": flag,
    "CONCURRENT_REQUESTS": whole(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": whole(1),
    "CONCURRENT_REQUESTS_PER_IP": whole(0),
    "CONCURRENT_ITEMS": whole(1),
    "RETRY_ENABLED": flag,
    "RETRY_TIMES": whole(0),
    "REDIRECT_ENABLED": flag,
    "REDIRECT_MAX_TIMES": whole(0),
    "AUTOTHROTTLE_ENABLED": flag,
    "AUTOTHROTTLE_START_DELAY": number(0),
    "AUTOTHROTTLE_MAX_DELAY": number(0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": number(0, above=True),
    "ROBOTSTXT_OBEY": flag,
    "DEPTH_LIMIT": whole(0),
    "DNS_TIMEOUT": number(0, above=True),
    "CLOSESPIDER_TIMEOUT": number(0),
    "CLOSESPIDER_ITEMCOUNT": whole(0),
    "CLOSESPIDER_PAGECOUNT": whole(0),
    "CLOSESPIDER_ERRORCOUNT": whole(0),
    "USER_AGENT": text,
    "LOG_LEVEL": log_level,
    "LOG_ENABLED": flag,
}
#: Environment variables that set a setting of another name.
ENVIRONMENT_ONLY: dict[str, str] = {"NEWSMON_LOG_LEVEL": "LOG_LEVEL"}


def parse_setting(name: str, value: Any) -> Any:
    """``value`` parsed by the rule of setting (or variable) ``name``; as it is without a rule.

    Raises:
        ValueError: the value breaks the rule; the message says what it must be.
    """
    rule = SETTINGS.get(ENVIRONMENT_ONLY.get(name, name))
    return rule(value) if rule else value


def _newsmon_settings() -> tuple[list[str], list[str]]:
    """(``NEWSMON_*`` settings, ``NEWSMON_*`` environment variables) newsmon knows."""
    from . import settings

    read = {n for n in vars(settings) if n.startswith("NEWSMON_")}
    names = sorted(read | {n for n in SETTINGS if n.startswith("NEWSMON_")})
    return names, sorted(read | set(ENVIRONMENT_ONLY))


def _unknown(kind: str, name: str, known: list[str]) -> str:
    """Why ``name`` is refused, the name it is closest to first: a typo is the usual cause, and the
    list of every name is long to search."""
    close = difflib.get_close_matches(name, known, n=1)
    guess = f" (did you mean {close[0]}?)" if close else ""
    return f"no such newsmon {kind}{guess}; known: {', '.join(known)}"


def _scrapy_setting(name: str) -> bool:
    """Whether ``name`` is one of Scrapy's own settings (LOG_FILE, JOBDIR, HTTPCACHE_ENABLED): asked of
    a name not in upper case only, so Scrapy is imported on that mistake's path alone."""
    from scrapy.settings import default_settings

    return name.isupper() and hasattr(default_settings, name)


def check_settings(overrides: Mapping[str, Any], environment: Mapping[str, str] | None = None,
                   *, origin: str = "-s") -> dict[str, Any]:
    """Check settings given for a run and the ``NEWSMON_*`` environment variables.

    Args:
        overrides: ``-s NAME=VALUE`` pairs (strings) or settings set by code (typed).
        environment: the ``NEWSMON_*`` variables; default: those ``crawler/settings.py`` saw.
        origin: how the overrides were given, for the message (``-s``).

    Returns:
        ``overrides`` with each checked value parsed ("5" → 5, "off" → False), so Scrapy's
        ``getint``/``getbool`` read them as newsmon checked them.

    Raises:
        SettingError: the first unknown ``NEWSMON_*`` name or wrong value.
    """
    if environment is None:
        from . import settings

        environment = settings.environment
    names, variables = _newsmon_settings()
    for name, value in sorted(environment.items()):
        if value == "":  # NAME= in a shell: unset, as crawler/settings.py reads it
            continue
        where = f"environment variable {name}={value}"
        if name in names and name not in variables:
            # A setting only -s gives (NEWSMON_CONDITIONAL_GET): "no such variable (did you mean
            # NEWSMON_CONTACT?)" sent the user to another setting.
            raise SettingError(f"{where}: {name} is not read from the environment; give it with -s {name}={value} "
                               "(newsmon crawl, check or schedule)")
        if name not in variables:
            raise SettingError(f"{where}: {_unknown('variable', name, variables)}")
        try:
            parse_setting(name, value)
        except ValueError as exc:
            raise SettingError(f"{where}: {exc}") from None
    parsed = dict(overrides)
    for name, value in overrides.items():
        where = f"{origin} {name}={value}"
        if name in ENVIRONMENT_ONLY:
            raise SettingError(f"{where}: {name} is an environment variable; give {ENVIRONMENT_ONLY[name]} "
                               f"with {origin} instead")
        upper = name.upper()
        if upper != name and (upper.startswith("NEWSMON_") or upper in SETTINGS or _scrapy_setting(upper)):
            # Scrapy's names are case-sensitive: -s newsmon_max_articles=1 or -s download_delay=5 was
            # passed on as a setting nothing reads, the crawl run as if it had not been given.
            raise SettingError(f"{where}: setting names are upper case: {upper}={value}")
        if name.startswith("NEWSMON_") and name not in names:
            raise SettingError(f"{where}: {_unknown('setting', name, names)}")
        try:
            parsed[name] = parse_setting(name, value)
        except ValueError as exc:
            raise SettingError(f"{where}: {exc}") from None
    return parsed


@dataclass
class Checked:
    """A config file that passed every check, with what the checks built on the way."""

    config: Config
    #: The ``[notify]`` channels; ``None`` when none is set.
    notify: NotifySettings | None
    #: The schedule, when it was asked for or the file has a ``[schedule]`` table.
    schedule: Schedule | None


def check_config(path: str | None, *, outlets: Sequence[str] = (), schedule: bool = False,
                 interval: str | None = None, interval_from: str = "--interval",
                 apprise: bool = False) -> Checked:
    """Load the config file and check every table of it.

    Args:
        path: the config file; ``None``: built-in outlets and topics only.
        outlets: outlet keys named on the command line: each must exist.
        schedule: build the schedule of ``outlets`` (all when empty) even without a
            ``[schedule]`` table (``newsmon schedule``).
        interval: ``--interval`` / ``NEWSMON_SCHEDULE_INTERVAL``, replacing ``[schedule] interval``.
        interval_from: how ``interval`` was given, for its error message.
        apprise: also check that apprise is installed and understands the ``[notify]``
            apprise URLs (``notify_problem``: ``schedule``, which sends notifications, and ``check``).

    Raises:
        ConfigError: the first problem, naming the file, the table and the key.
    """
    from .config import ConfigError, keep_pages, load_config
    from .notify import parse_settings
    from .scoring import TopicError, load_topics
    from .store import table_options

    config = load_config(path)
    where = config.path or "config"
    keep_pages(config)
    try:
        # [stories] and [revisit]: read by crawl, ingest and reextract inside their work; a
        # mistake there is the file's, said before anything starts.
        table_options(config)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    unknown = [o for o in outlets if o not in config.outlets]
    if unknown:
        raise ConfigError(f"unknown outlet(s) {', '.join(unknown)}; known: {', '.join(sorted(config.outlets))} "
                          "(add one with --config)")
    if config.topics:
        try:
            load_topics(overrides=config.topics, overrides_from=where)
        except TopicError as exc:
            raise ConfigError(str(exc)) from None
    plan = None
    if config.schedule or schedule or interval:
        from .scheduler import build_schedule, parse_duration

        if interval:
            parse_duration(interval, "interval", label=interval_from)
        try:
            # The whole table against every outlet: a mistake in it is the file's.
            build_schedule(config.schedule, list(config.outlets))
            table = dict(config.schedule)
            if outlets and isinstance(table.get("outlets"), dict):
                # Outlets named on the command line: the others' own intervals do not apply.
                table["outlets"] = {k: v for k, v in table["outlets"].items() if k in outlets}
            plan = build_schedule(table, list(outlets or config.outlets), interval, override_from=interval_from)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    try:
        notify = parse_settings(config.notify)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    checked = Checked(config=config, notify=notify, schedule=plan)
    if apprise and (problem := notify_problem(checked)):
        raise ConfigError(problem)
    return checked


def notify_problem(checked: Checked) -> str | None:
    """Why the config's ``[notify] apprise`` URLs cannot work (apprise not installed, a URL it does not
    understand or that truncates), in the words ``check_config(apprise=True)`` refuses the config with;
    ``None`` when they can, or none is set. It imports apprise (0.2 s) only when one is set."""
    from .config import ConfigError
    from .notify import check_apprise

    if checked.notify is None:
        return None
    try:
        check_apprise(checked.notify)
    except ConfigError as exc:
        return f"{checked.config.path or 'config'}: {exc}"
    return None


def notifying(overrides: dict[str, Any]) -> bool:
    """Whether a command run with ``overrides`` sends digests (``NEWSMON_NOTIFY_ENABLED``, as the crawl's extension
    reads it): only then is a broken ``[notify]`` channel a reason to refuse or warn (``notify_problem``)."""
    from . import settings as project

    return flag(overrides.get("NEWSMON_NOTIFY_ENABLED", project.NEWSMON_NOTIFY_ENABLED))
