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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .outlets import Outlet, registry

_LIST_FIELDS = ("domains", "feeds", "sitemaps", "start_urls")
_TEXT_FIELDS = ("name", "language", "article_url_pattern")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the message says where and how."""


@dataclass
class Config:
    outlets: dict[str, Outlet]
    topics: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)
    notify: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    #: ``[stories]``: grouping of articles into stories (``window``).
    stories: dict[str, Any] = field(default_factory=dict)
    #: ``[revisit]``: when stored articles are fetched again (``after``, ``articles``).
    revisit: dict[str, Any] = field(default_factory=dict)


def _outlet(key: str, spec: dict[str, Any], base: Outlet | None, where: str) -> Outlet:
    unknown = set(spec) - set(_LIST_FIELDS) - set(_TEXT_FIELDS)
    if unknown:
        raise ConfigError(f"{where}: [outlets.{key}] has unknown field(s) {sorted(unknown)}; "
                          f"allowed: {sorted(_LIST_FIELDS + _TEXT_FIELDS)}")
    values: dict[str, Any] = {}
    for name in _LIST_FIELDS:
        if name in spec:
            value = spec[name]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: [outlets.{key}] {name} must be a list of URLs/strings")
            values[name] = tuple(value)
    for name in _TEXT_FIELDS:
        if name in spec:
            if not isinstance(spec[name], str):
                raise ConfigError(f"{where}: [outlets.{key}] {name} must be a string")
            values[name] = spec[name]
    if base is not None:
        return dataclasses.replace(base, **values)
    if "article_url_pattern" not in values:
        raise ConfigError(f"{where}: [outlets.{key}] needs article_url_pattern (a regex that "
                          "matches the outlet's article URLs, e.g. \"/articles/\")")
    if not any(values.get(n) for n in ("feeds", "sitemaps", "start_urls")):
        raise ConfigError(f"{where}: [outlets.{key}] needs at least one of feeds, sitemaps, start_urls")
    if "domains" not in values:
        # The hosts the outlet is reached at: where its feeds, sitemaps and sections live.
        hosts = {urlsplit(u).hostname for n in ("feeds", "sitemaps", "start_urls") for u in values.get(n, ())}
        values["domains"] = tuple(sorted(h for h in hosts if h))
    return Outlet(key=key, name=values.pop("name", key), language=values.pop("language", "ja"), **values)


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
    for key, spec in (data.get("outlets") or {}).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: outlets.{key} must be a table: [outlets.{key}]")
        outlets[key] = _outlet(key, spec, outlets.get(key), where)
    return Config(
        outlets=outlets,
        topics=data.get("topics") or {},
        schedule=data.get("schedule") or {},
        notify=data.get("notify") or {},
        path=where,
        stories=_table(data, "stories", where),
        revisit=_table(data, "revisit", where),
    )


def _table(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {name} must be a table: [{name}]")
    return value


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | int | float, what: str, *, allow_zero: bool = False) -> float:
    """Seconds from "90s", "15m", "72h", "2d" or a bare number of seconds.

    Raises:
        ConfigError: not a duration (or not more than 0, unless ``allow_zero``); names ``what``.
    """
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds is None:
        raise ConfigError(f"{what} = {value!r}: write a number with unit s, m, h or d, e.g. \"72h\"")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"{what} = {value!r}: must be more than 0 seconds")
    return seconds
