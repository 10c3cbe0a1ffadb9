"""Relevance scoring: how strongly an article is about a topic, and the evidence for it.

Topics are data (``crawler/topics.toml``, overridable from the user's config). Each topic is
compiled once into a single regular expression; an article's title and text are NFKC-normalised
(full-width ３ and half-width 3 alike), whitespace-collapsed and matched case-insensitively.

Matching rules, for every form of a term (the term and its variants):

- a form's end that is a Latin letter or digit must not touch another one, so ``defense`` does
  not match ``defenseless`` and ``3文書`` not ``13文書``; Japanese matches as a substring;
- a space in a form matches any run of spaces and hyphens, a hyphen matches a hyphen, a space
  or nothing (``counter-strike`` matches ``counterstrike`` and ``counter strike``), and ``・``
  is optional (``スタンド・オフ`` matches ``スタンドオフ``);
- at each position the longest form wins and the match consumes its span, so 安保関連3文書 is
  counted once and never again as 安保 or 3文書.

Score of a topic: each matched core term gives ``weight × (1 + log2(count))``, times
``title_boost`` when the term is in the title; each context term gives its weight once (times
``title_boost``), and only when at least one core term matched. The article is relevant when
the score reaches the topic's ``threshold``.

This module is pure: no Scrapy, no SQLite.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

#: Characters of normalised text kept on each side of a term in a snippet.
SNIPPET_WIDTH = 30

_WS = re.compile(r"\s+")
# After NFKC the dashes that remain distinct are U+2010..U+2015 besides the ASCII hyphen.
_SEPARATORS = " -\u2010\u2011\u2012\u2013\u2014\u2015"
_SEP = r"[\s\-\u2010-\u2015]"
_SEP_RUN = re.compile(rf"{_SEP}+")
_TOPIC_FIELDS = {"name", "description", "threshold", "title_boost", "terms", "context"}
_TERM_FIELDS = {"term", "weight", "variants"}
_TERM_EXAMPLE = '{ term = "反撃能力", weight = 4, variants = ["敵基地攻撃能力"] }'


class TopicError(ValueError):
    """A topic definition is invalid; the message names the source, topic and field, and the fix.

    Raised by :func:`load_topics` for the shipped file, a topics file or the config's overrides.
    """


@dataclass(frozen=True)
class Term:
    """A term to look for: its label, its weight and the other spellings that count as it."""

    term: str
    weight: float
    variants: tuple[str, ...] = ()
    #: A context term counts only when a core (non-context) term of the topic matched.
    context: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.variants)


@dataclass(frozen=True)
class Topic:
    """A topic with its terms; the matcher is compiled once, when the topic is made."""

    key: str
    name: str
    description: str
    threshold: float
    title_boost: float
    terms: tuple[Term, ...]
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _keys: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        pattern, keys = _compile(self.terms)
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_keys", keys)


@dataclass(frozen=True)
class TermMatch:
    """Evidence for one term: how often it occurred and where it first did."""

    term: str
    count: int
    snippet: str
    #: What the term added to the score.
    points: float = 0.0
    in_title: bool = False


@dataclass(frozen=True)
class Score:
    """The score of one article for one topic (``topic`` is the topic's key)."""

    topic: str
    score: float
    relevant: bool
    matches: tuple[TermMatch, ...] = ()


# --- Matching --------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """NFKC with whitespace runs collapsed to one space: the text that terms are matched on."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _is_latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _fold(ch: str) -> str:
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def _key(text: str) -> str:
    """What a form and any text it matches have in common: case and separators dropped."""
    return "".join(_fold(ch) for ch in _SEP_RUN.sub("", text).replace("・", ""))


def _char(ch: str) -> str:
    """The regex of one character of a form: ``・`` optional, letters in either case.

    Case is spelled out (``[Nn]``) rather than left to ``re.IGNORECASE``, whose folding
    (``İ`` matches ``i``) is not the one ``_key`` can reproduce.
    """
    if ch == "・":
        return "・?"
    lower, upper = ch.lower(), ch.upper()
    cases = {c for c in (ch, lower, upper) if len(c) == 1}
    return f"[{''.join(sorted(cases))}]" if len(cases) > 1 else re.escape(ch)


def _units(form: str) -> tuple[list[str], str]:
    """The regex pieces of one normalised form, one per character or separator run, and its tail."""
    units: list[str] = []
    pos = 0
    for sep in _SEP_RUN.finditer(form):
        units += [_char(ch) for ch in form[pos:sep.start()]]
        units.append(f"{_SEP}+" if " " in sep.group() else f"{_SEP}*")
        pos = sep.end()
    units += [_char(ch) for ch in form[pos:]]
    if _is_latin_alnum(form[0]):
        units[0] = r"(?<![0-9A-Za-z])" + units[0]
    return units, (r"(?![0-9A-Za-z])" if _is_latin_alnum(form[-1]) else "")


def _compile(terms: tuple[Term, ...]) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """One regex over every form of every term, and the term index of each form's key.

    The forms are merged into a trie (``防衛費|防衛省`` becomes ``防衛(?:費|省)``): a plain
    alternation of 200 forms tries every form at every position and is some 50 times slower.
    At each node the longer continuations come first and ending there last, so the longest
    form wins at a position.
    """
    keys: dict[str, int] = {}
    trie: dict[str | None, Any] = {}
    for index, term in enumerate(terms):
        for form in term.forms:
            form = "".join(_fold(ch) for ch in normalise(form))
            keys.setdefault(_key(form), index)
            units, tail = _units(form)
            node = trie
            for unit in units:
                node = node.setdefault(unit, {})
            node[None] = tail
    if not trie:
        return None, keys
    return re.compile(_trie_regex(trie)), keys


def _trie_depth(node: dict[str | None, Any]) -> int:
    return max((1 + _trie_depth(child) for unit, child in node.items() if unit is not None), default=0)


def _trie_regex(node: dict[str | None, Any]) -> str:
    children = sorted(((u, c) for u, c in node.items() if u is not None), key=lambda uc: -_trie_depth(uc[1]))
    branches = [unit + _trie_regex(child) for unit, child in children]
    if not branches:
        return node.get(None, "")
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if None not in node:
        return body
    return f"(?:{body})?" if node[None] == "" else f"(?:{body}|{node[None]})"


def _scan(topic: Topic, text: str) -> dict[int, list[int]]:
    """Term index → [count, start, end of the first occurrence]."""
    found: dict[int, list[int]] = {}
    if topic._pattern is None or not text:
        return found
    keys = topic._keys
    for match in topic._pattern.finditer(text):
        index = keys[_key(match.group())]
        if index in found:
            found[index][0] += 1
        else:
            found[index] = [1, match.start(), match.end()]
    return found


def _snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    left, right = max(0, start - width), min(len(text), end + width)
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


# --- Scoring ---------------------------------------------------------------------------------

def _score(title: str, text: str, topic: Topic) -> Score:
    in_title, in_text = _scan(topic, title), _scan(topic, text)
    core: list[TermMatch] = []
    context: list[TermMatch] = []
    for index in sorted(in_title.keys() | in_text.keys()):
        term = topic.terms[index]
        count = in_title.get(index, [0])[0] + in_text.get(index, [0])[0]
        boost = topic.title_boost if index in in_title else 1.0
        # Context terms count once: they show the setting, and a long article repeating
        # "security" must not add up to a core term.
        points = term.weight * (1.0 if term.context else 1 + math.log2(count)) * boost
        # The body says more about the term than the headline, which reviewers see anyway.
        source, (_, start, end) = (text, in_text[index]) if index in in_text else (title, in_title[index])
        match = TermMatch(term.term, count, _snippet(source, start, end), points, index in in_title)
        (context if term.context else core).append(match)
    matches = core + context if core else []
    matches.sort(key=lambda m: (-m.points, m.term))
    total = sum(m.points for m in matches)
    return Score(topic.key, total, total >= topic.threshold, tuple(matches))


def score_article(title: str | None, text: str, topics: Mapping[str, Topic]) -> list[Score]:
    """Score an article for every topic.

    Args:
        title: the article's headline, or ``None``.
        text: the extracted article text (never the raw page: menus name 防衛 and 安全保障).
        topics: topics by key, as :func:`load_topics` returns them.

    Returns:
        One :class:`Score` per topic, best first (ties by topic key).
    """
    title_n, text_n = normalise(title or ""), normalise(text or "")
    scores = [_score(title_n, text_n, topic) for topic in topics.values()]
    scores.sort(key=lambda s: (-s.score, s.topic))
    return scores


def best(scores: Iterable[Score]) -> Score | None:
    """The highest score, or ``None`` when there are none or nothing matched at all."""
    top = max(scores, key=lambda s: s.score, default=None)
    return top if top is not None and top.score > 0 else None


# --- Loading ---------------------------------------------------------------------------------

def load_topics(path: str | os.PathLike[str] | None = None,
                overrides: Mapping[str, Any] | None = None, *, overrides_from: str = "config") -> dict[str, Topic]:
    """Read topic definitions.

    Args:
        path: a TOML file with ``[topics.KEY]`` tables; ``None`` for the shipped
            ``crawler/topics.toml``.
        overrides: the parsed ``[topics]`` table of a user's config file: each topic there
            replaces the topic of the same key, or adds one.
        overrides_from: what errors in ``overrides`` name as their source (the config file).

    Returns:
        Topics by key.

    Raises:
        TopicError (a ``ValueError``): a file is missing or not TOML, or a definition is
            invalid; the message names the topic and field and says how to fix it.
    """
    if path is None:
        where = "crawler/topics.toml"
        raw = resources.files("crawler").joinpath("topics.toml").read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TopicError(f"topics file {where} not found: check the path") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TopicError(f"cannot read topics file {where}: {exc}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(f"{where} is not valid TOML: {exc}") from None
    table = data.get("topics")
    if not isinstance(table, dict) or not table:
        raise TopicError(f"{where} defines no topic: add a table [topics.KEY] with name, threshold, "
                         f"title_boost and terms")
    topics = {key: _topic(key, spec, where) for key, spec in table.items()}
    for key, spec in (overrides or {}).items():
        topics[key] = _topic(key, spec, overrides_from, override=True)
    return topics


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _topic(key: str, spec: Any, where: str, override: bool = False) -> Topic:
    def fail(name: str, problem: str, fix: str) -> TopicError:
        return TopicError(f"{where}: [topics.{key}] {name} {problem}: {fix}".replace("]  ", "] "))

    if not isinstance(spec, Mapping):
        raise fail("", f"is not a table but {spec!r}", f"write it as a table [topics.{key}]")
    unknown = sorted(set(spec) - _TOPIC_FIELDS)
    if unknown:
        raise fail(", ".join(unknown), "is not a topic field",
                   f"use only {', '.join(sorted(_TOPIC_FIELDS))}")
    name = spec.get("name", key)
    if not isinstance(name, str) or not name.strip():
        raise fail("name", f"must be a non-empty string, got {name!r}", 'e.g. name = "Security documents"')
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise fail("description", f"must be a string, got {description!r}", "quote it")
    threshold = spec.get("threshold")
    if not _number(threshold) or threshold <= 0:
        raise fail("threshold", f"must be a number above 0, got {threshold!r}",
                   "e.g. threshold = 6.0 (the score at which an article counts as relevant)")
    boost = spec.get("title_boost", 1.0)
    if not _number(boost) or boost < 1:
        raise fail("title_boost", f"must be a number of at least 1, got {boost!r}",
                   "e.g. title_boost = 1.5 (1 means a title match counts like one in the text)")
    if not isinstance(spec.get("terms"), list) or not spec["terms"]:
        whole = (" (a topic in the config replaces the shipped one whole: copy its terms from "
                 "crawler/topics.toml)" if override else "")
        raise fail("terms", "must be a non-empty list of terms", f"e.g. terms = [ {_TERM_EXAMPLE} ]{whole}")
    context = spec.get("context", [])
    if not isinstance(context, list):
        raise fail("context", "must be a list of terms", 'e.g. context = [ { term = "防衛", weight = 0.5 } ]')
    terms = [_term(entry, f"terms[{i}]", False, fail) for i, entry in enumerate(spec["terms"])]
    terms += [_term(entry, f"context[{i}]", True, fail) for i, entry in enumerate(context)]
    # Forms that differ only in case, spaces, hyphens or ・ match the same text: one term each.
    seen: dict[str, str] = {}
    for term in terms:
        for form in term.forms:
            owner = seen.setdefault(_key(normalise(form)), term.term)
            if owner != term.term:
                raise fail("terms/context", f"match {form!r} under both {owner!r} and {term.term!r}",
                           "keep it under one term only")
    return Topic(key=key, name=name, description=description, threshold=float(threshold),
                 title_boost=float(boost), terms=tuple(terms))


def _term(entry: Any, name: str, context: bool, fail: Callable[[str, str, str], TopicError]) -> Term:
    if not isinstance(entry, Mapping):
        raise fail(name, f"must be a table, got {entry!r}", f"write {_TERM_EXAMPLE}")
    unknown = sorted(set(entry) - _TERM_FIELDS)
    if unknown:
        raise fail(name, f"has unknown field(s) {', '.join(unknown)}",
                   f"use only term, weight, variants: {_TERM_EXAMPLE}")
    text = entry.get("term")
    variants = entry.get("variants", [])
    if not isinstance(variants, list):
        raise fail(f"{name}.variants", f"must be a list of strings, got {variants!r}", f"e.g. {_TERM_EXAMPLE}")
    for label, form in [("term", text), *((f"variants[{i}]", v) for i, v in enumerate(variants))]:
        if not isinstance(form, str) or not normalise(form).strip(_SEPARATORS + "・"):
            raise fail(f"{name}.{label}", f"must be a non-empty string, got {form!r}",
                       f"e.g. {_TERM_EXAMPLE}")
    weight = entry.get("weight")
    if not _number(weight) or weight <= 0:
        raise fail(f"{name}.weight", f"of {text!r} must be a number above 0, got {weight!r}",
                   f"e.g. {_TERM_EXAMPLE}")
    return Term(term=text, weight=float(weight), variants=tuple(variants), context=context)
