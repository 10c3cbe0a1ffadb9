"""The user's configuration file (TOML): outlets, topics, schedule and notifications.

Example::

    [outlets.example]
    name = "Example Shimbun"
    language = "ja"
    feeds = ["http://127.0.0.1:8000/rss.xml"]
    sitemaps = ["http://127.0.0.1:8000/sitemap.xml"]
    start_urls = ["http://127.0.0.1:8000/news/"]
    article_url_pattern = "/articles/"

An outlet whose key is a built-in one overrides only the fields it sets; a new key adds an
outlet that uses generic extraction.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .outlets import Outlet, ascii_host, registry

_URL_FIELDS = ("feeds", "sitemaps", "start_urls")
_LIST_FIELDS = ("domains", *_URL_FIELDS)
_TEXT_FIELDS = ("name", "language", "article_url_pattern")
#: true/false fields: a primary source of the policy (a ministry's press releases) is shown apart.
_FLAG_FIELDS = ("primary_source",)
#: Tables of an outlet: ``cookies = { name = "value" }``, sent with each of its requests.
_TABLE_FIELDS = ("cookies",)
#: A cookie's name (an RFC 6265 token) and value (cookie-octets, optionally quoted).
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_COOKIE_OCTETS = r"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*"
_COOKIE_VALUE = re.compile(rf'^(?:{_COOKIE_OCTETS}|"{_COOKIE_OCTETS}")$')
#: The tables of a config file; anything else at the top level is a mistake (a typo, or a key
#: written above its table) and is refused rather than ignored.
TABLES = ("outlets", "topics", "schedule", "notify", "storage", "stories", "revisit")
# Outlet keys name lock files, schedule jobs and CLI arguments: plain words only.
_OUTLET_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the message says where and how."""


def url_problem(url: object) -> str | None:
    """Why ``url`` is not an http(s) URL newsmon can fetch or post to; ``None`` when it is one."""
    if not isinstance(url, str):
        return f"{url!r} is not a URL (a string)"
    if not url or any(c.isspace() or ord(c) < 0x20 for c in url):
        return f"{url!r} is not a URL: it is empty or has spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number 0-65535)
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not url.lower().startswith(("http://", "https://")):
        return f"{url!r} is not an http(s) URL: write it with http:// or https://"
    if not parts.hostname:
        return f"{url!r} has no host name"
    return None


@dataclass
class Config:
    outlets: dict[str, Outlet]
    topics: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)
    notify: dict[str, Any] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    #: ``[stories]``: grouping of articles into stories (``window``).
    stories: dict[str, Any] = field(default_factory=dict)
    #: ``[revisit]``: when stored articles are fetched again (``after``, ``articles``).
    revisit: dict[str, Any] = field(default_factory=dict)
    #: Built-in outlets a table of the same key put another site in the place of (domains none of
    #: whose hosts are the built-in's), by key: the built-in is crawled no more.
    replaced: dict[str, Outlet] = field(default_factory=dict)

    def replaced_notes(self, outlets: Sequence[str] = ()) -> list[str]:
        """What to tell of ``replaced`` (of ``outlets``, all when empty): the built-in outlet the
        user's table took the place of.

        Meant (tests/stories_site.py gives the key ``kyodo`` to a wire service of its own) or not
        (a table [outlets.kyodo] for the Kyoto Shimbun), the built-in was dropped from every crawl
        without a word: not an error, but said.
        """
        return [f"{self.path}: [outlets.{key}] is another site ({', '.join(self.outlets[key].domains)}) than the "
                f"built-in outlet {base.name} ({', '.join(base.domains)}), and takes its place: {base.name} is "
                f"not crawled. To crawl both, give yours a key of its own, e.g. [outlets.my_{key}]"
                for key, base in sorted(self.replaced.items()) if not outlets or key in outlets]


def _outlet(key: str, spec: dict[str, Any], base: Outlet | None, where: str) -> Outlet:
    if not _OUTLET_KEY.match(key):
        raise ConfigError(f"{where}: [outlets] {key!r}: an outlet key is letters, digits, '_' and '-' only, "
                          "e.g. [outlets.my_paper]")
    table = f"{where}: [outlets.{key}]"
    unknown = set(spec) - set(_LIST_FIELDS) - set(_TEXT_FIELDS) - set(_FLAG_FIELDS) - set(_TABLE_FIELDS)
    if unknown:
        raise ConfigError(f"{table} has unknown field(s) {sorted(unknown)}; "
                          f"allowed: {sorted(_LIST_FIELDS + _TEXT_FIELDS + _FLAG_FIELDS + _TABLE_FIELDS)}")
    values: dict[str, Any] = {}
    for name in _LIST_FIELDS:
        if name in spec:
            value = spec[name]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                what = "host names" if name == "domains" else "URLs"
                raise ConfigError(f"{table} {name}: must be a list of {what} (strings), got {spec[name]!r}")
            for item in value:
                problem = _host_problem(item) if name == "domains" else url_problem(item)
                if problem:
                    raise ConfigError(f"{table} {name}: {problem}")
            values[name] = tuple(ascii_host(v) for v in value) if name == "domains" else tuple(value)
    for name in _TEXT_FIELDS:
        if name in spec:
            if not isinstance(spec[name], str) or not spec[name].strip():
                raise ConfigError(f"{table} {name}: must be a non-empty string, got {spec[name]!r}")
            values[name] = spec[name]
    for name in _FLAG_FIELDS:
        if name in spec:
            if not isinstance(spec[name], bool):
                raise ConfigError(f"{table} {name}: must be true or false, got {spec[name]!r}")
            values[name] = spec[name]
    if "cookies" in spec:
        values["cookies"] = _cookies(spec["cookies"], f"{table} cookies")
    if "language" in values:
        _check_language(values["language"], table)
    if "article_url_pattern" in values:
        pattern = values["article_url_pattern"]
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{table} article_url_pattern: invalid regex "
                              f"{values['article_url_pattern']!r}: {exc}") from None
        if pattern != pattern.strip() and not compiled.flags & re.VERBOSE:
            # A TOML multi-line string or a pasted space: no URL holds it, and every article of the
            # outlet was refused while the pattern "compiled". In a (?x) pattern, written on lines of
            # its own with comments, white space is no part of what it matches.
            raise ConfigError(f"{table} article_url_pattern: {pattern!r} begins or ends with a space or line break, "
                              "which no URL has: remove it")
    if base is not None:
        outlet = dataclasses.replace(base, **values)
        _check_scope(outlet, table, None if "domains" in values else base,
                     kept={n: base.name for n in _URL_FIELDS if n not in values})
        return outlet
    if "article_url_pattern" not in values:
        raise ConfigError(f"{table} needs article_url_pattern (a regex that "
                          "matches the outlet's article URLs, e.g. \"/articles/\")")
    if not any(values.get(n) for n in _URL_FIELDS):
        raise ConfigError(f"{table} needs at least one of feeds, sitemaps, start_urls")
    if "domains" not in values:
        # The hosts the outlet is reached at: where its feeds, sitemaps and sections live.
        hosts = {urlsplit(u).hostname for n in _URL_FIELDS for u in values.get(n, ())}
        values["domains"] = tuple(sorted({ascii_host(h) for h in hosts if h}))
    outlet = Outlet(key=key, name=values.pop("name", key), language=values.pop("language", "ja"), **values)
    _check_scope(outlet, table, None)
    return outlet


def _check_scope(outlet: Outlet, table: str, builtin: Outlet | None, kept: dict[str, str] | None = None) -> None:
    """Every feed, sitemap and start URL of ``outlet`` is on its domains: a crawl fetches no other
    (it read "failing", each document "not http(s) on the outlet's domains", the config accepted).
    ``builtin``: the built-in outlet whose domains the table kept; ``kept``: the fields the table did
    not set, by the name of the built-in outlet they are still of."""
    for name in _URL_FIELDS:
        for url in getattr(outlet, name):
            if outlet.in_scope(url):
                continue
            if kept and name in kept:
                raise ConfigError(f"{table} {name}: {url}, the built-in outlet {kept[name]}'s, is not on the domains "
                                  f"this table gives it ({', '.join(outlet.domains)}), so a crawl would not fetch it: "
                                  f"write {name} = [] or your own {name}")
            if builtin is not None:
                raise ConfigError(f"{table} {name}: {url} is not on the domains of the built-in outlet "
                                  f"{builtin.name} ({', '.join(builtin.domains)}), which this table overrides, so a "
                                  f"crawl would not fetch it: for another site, give the outlet a key of its own, e.g. "
                                  f"[outlets.my_{outlet.key}]; for this one, add the host to domains")
            raise ConfigError(f"{table} {name}: {url} is not on the outlet's domains ({', '.join(outlet.domains)}), "
                              "so a crawl would not fetch it: add its host to domains")


#: Country codes written where a language is meant: "jp" is Japan, its language "ja".
_COUNTRIES = {"jp": "ja", "cn": "zh", "kr": "ko", "tw": "zh", "us": "en", "gb": "en"}


def _check_language(language: str, table: str) -> None:
    """``language`` of an outlet: the language alone, as its articles are stored and filtered.

    "jp" (Japan's country code) and "ja-JP" (a page's ``lang``) were taken as they were: the
    articles were stored under them, the desk's "Japanese" filter (``language = 'ja'``) never showed
    them, and the garbled-text check, which knows ja, en, zh and ko, passed their mojibake.
    """
    if not _LANGUAGE.match(language):
        raise ConfigError(f"{table} language: {language!r} is not a language code such as \"ja\" or \"en\"")
    primary = language.split("-")[0]
    if primary in _COUNTRIES:
        raise ConfigError(f"{table} language: {language!r} is a country code, not a language: write "
                          f"\"{_COUNTRIES[primary]}\" ({'Japanese' if primary == 'jp' else 'its language'})")
    if primary != language:
        raise ConfigError(f"{table} language: write the language alone, \"{primary}\", not {language!r}: its "
                          "articles are stored, filtered on the desk and checked by it")


def _cookies(table: object, where: str) -> tuple[tuple[str, str], ...]:
    """The ``cookies`` of an outlet, checked as a server would have to send them."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of cookie names and values, e.g. "
                          f"cookies = {{ consent = \"yes\" }}, got {table!r}")
    for name, value in table.items():
        if not _COOKIE_NAME.match(name):
            raise ConfigError(f"{where}: {name!r} is not a cookie name (letters, digits and !#$%&'*+.^_`|~- only)")
        if not isinstance(value, str) or not _COOKIE_VALUE.match(value):
            raise ConfigError(f"{where}.{name}: {value!r} is not a cookie value: a string without spaces, "
                              "quotes, commas, semicolons or backslashes, as the browser's developer tools show it")
    return tuple(table.items())


def _host_problem(host: str) -> str | None:
    if _HOST.match(ascii_host(host)):
        return None
    return f"{host!r} is not a host name: write it as www.example.org, without scheme, port or path"


def load_config(path: str | Path | None) -> Config:
    """Read a config file; ``None`` gives the built-in outlets and nothing else."""
    outlets = dict(registry())
    if path is None:
        return Config(outlets=outlets)
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {where} not found: check --config / NEWSMON_CONFIG") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {where}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) or table(s) {', '.join(unknown)} at the top level; "
                          f"a config has the tables {', '.join(f'[{t}]' for t in TABLES)} only")
    for name in TABLES:
        if name in data and not isinstance(data[name], dict):
            example = f"[{name}.KEY]" if name in ("outlets", "topics") else f"[{name}]"
            raise ConfigError(f"{where}: {name} = {data[name]!r}: {name} must be a table, written {example}")
    replaced: dict[str, Outlet] = {}
    for key, spec in data.get("outlets", {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: outlets.{key} = {spec!r}: an outlet must be a table, written [outlets.{key}]")
        outlets[key] = _outlet(key, spec, outlets.get(key), where)
        base = registry().get(key)
        if base is not None and "domains" in spec and not _same_site(outlets[key], base):
            replaced[key] = base
            # The built-in's part of a shared host (asahi.com/ajw/) is no part of the other site: kept,
            # its articles outside that path were "off_scope" (newsmon urls) and of no outlet (ingest).
            outlets[key] = dataclasses.replace(outlets[key], extra={
                k: v for k, v in outlets[key].extra.items() if k != "path_prefix"})
    return Config(
        outlets=outlets,
        topics=data.get("topics", {}),
        schedule=data.get("schedule", {}),
        notify=data.get("notify", {}),
        storage=data.get("storage", {}),
        path=where,
        stories=data.get("stories", {}),
        revisit=data.get("revisit", {}),
        replaced=replaced,
    )


def _same_site(outlet: Outlet, base: Outlet) -> bool:
    """Whether one of ``outlet``'s domains is, holds or is held by one of ``base``'s."""
    return any(a == b or a.endswith("." + b) or b.endswith("." + a) for a in outlet.domains for b in base.domains)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest duration any setting takes: longer than any schedule, window or revisit, and it
#: keeps date arithmetic in range.
MAX_DURATION = 366 * 86400.0


def parse_duration(value: str | int | float, what: str, *, allow_zero: bool = False) -> float:
    """Seconds from "90s", "15m", "72h", "2d"; a number without a unit only when it is 0.

    The one reader of durations: the schedule, the story window, revisits. ``what`` names the
    value in messages ("[schedule] interval", "NEWSMON_STORY_WINDOW").

    Raises:
        ConfigError: not a duration, a number other than 0 without a unit, not above 0 (unless
            ``allow_zero``), not finite or longer than a year; the message names ``what``.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"{what} = {value!r}: write a number with unit s, m, h or d, e.g. \"15m\"")
    if isinstance(value, str):
        m = _DURATION.match(value)
        if not m:
            raise ConfigError(f"{what} = {value!r}: write a number with unit s, m, h or d, e.g. \"15m\"")
        number, unit = float(m.group(1)), m.group(2)
    else:
        number, unit = float(value), ""
    if number < 0:
        raise ConfigError(f"{what} must be {'0 or more' if allow_zero else 'more than 0'} seconds, got {value!r}")
    if not unit and number and math.isfinite(number):
        # Taken for seconds, `interval = 15` crawled every outlet every 15 seconds and a story
        # `window = 72` split every story: the unit the writer meant is theirs to say.
        shown = f"{number:g}"
        raise ConfigError(f"{what} = {value!r}: a number needs its unit, s, m, h or d: \"{shown}m\" for "
                          f"{shown} minute{'' if number == 1 else 's'}, \"{shown}s\" for seconds")
    seconds = number * _UNITS[unit]
    # nan and inf are TOML floats.
    if not math.isfinite(seconds) or seconds > MAX_DURATION:
        raise ConfigError(f"{what} = {value!r}: give at most a year (366 days), e.g. \"24h\"")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"{what} must be {'0 or more' if allow_zero else 'more than 0'} seconds, got {value!r}")
    return seconds


_KEEP = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdwy])\s*$")
_KEEP_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
#: The longest ``keep_pages``: any longer is "for ever", which leaving it out says.
MAX_KEEP = timedelta(days=100 * 365)


def parse_keep(value: object, label: str) -> timedelta:
    """How long raw pages are kept: "365d", "52w", "1y", "36h"; at least a day.

    Raises:
        ConfigError: not such a duration; the message names ``label`` (the key or the flag).
    """
    match = _KEEP.match(value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f"{label} = {value!r}: write a number of hours, days, weeks or years, e.g. \"365d\", "
                          "\"52w\", \"1y\", \"36h\"")
    seconds = float(match.group(1)) * _KEEP_UNITS[match.group(2)]
    if seconds > MAX_KEEP.total_seconds():
        # "3000y" ran date arithmetic out of range: a traceback in every command, the config's.
        raise ConfigError(f"{label} = {value!r}: keep raw pages at most 100 years (\"100y\"), or leave "
                          "keep_pages out to keep them for ever")
    kept = timedelta(seconds=seconds)
    if kept < timedelta(days=1):
        raise ConfigError(f"{label} = {value!r}: keep raw pages at least a day (\"1d\"): reextract needs them "
                          "after a rules fix")
    return kept


def keep_pages(config: Config) -> timedelta | None:
    """``[storage] keep_pages`` of the config: raw pages older than this are pruned; ``None``: kept.

    Raises:
        ConfigError: an unknown key in ``[storage]``, or a value that is no duration.
    """
    where = config.path or "config"
    unknown = sorted(set(config.storage) - {"keep_pages"})
    if unknown:
        raise ConfigError(f"{where}: [storage] has unknown key(s) {', '.join(unknown)}; allowed: keep_pages")
    if "keep_pages" not in config.storage:
        return None
    return parse_keep(config.storage["keep_pages"], f"{where}: [storage] keep_pages")
