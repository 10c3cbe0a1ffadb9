"""Relevance scoring: how strongly an article is about a topic, and the evidence for it.

Topics are data (``crawler/topics.toml``, overridable from the user's config). Each topic is
compiled once into a single regular expression; an article's title and text are NFKC-normalised
(full-width ３ and half-width 3 alike), whitespace-collapsed and matched case-insensitively.

Matching rules, for every form of a term (the term and its variants):

- a form's end that is a Latin letter or digit must not touch another one, so ``defense`` does
  not match ``defenseless`` and ``3文書`` not ``13文書``; Japanese matches as a substring;
- a space in a form matches any run of spaces and hyphens, a hyphen matches a hyphen, a space
  or nothing (``counter-strike`` matches ``counterstrike`` and ``counter strike``), ``・``
  is optional (``スタンド・オフ`` matches ``スタンドオフ``), and so is a space between a Latin
  letter or digit and Japanese (``安保3文書`` matches ``安保 3 文書``);
- at each position the longest form wins and the match consumes its span, so 安保関連3文書 is
  counted once and never again as 安保 or 3文書.

Score of a topic: each matched core term gives ``weight × (1 + log2(count))``, times
``title_boost`` when the term is in the title (or, a document, named there in short: "Japan's new
security strategy", 安保関連文書); each context term gives its weight once (in the title too:
no boost), and only when at least one core term matched. The article is relevant when
the score reaches the topic's ``threshold``.

This module is pure: no Scrapy, no SQLite.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import re
import tomllib
import unicodedata

import ahocorasick
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from storage.queries import nfkc
from storage.search import join_cjk

from .attribution import AHEAD, HEAD_OPEN, RESPONSE, Attribution, within

#: Characters of normalised text kept on each side of a term in a snippet.
SNIPPET_WIDTH = 30

# After NFKC the dashes that remain distinct are U+2010..U+2015 besides the ASCII hyphen.
_SEPARATORS = " -\u2010\u2011\u2012\u2013\u2014\u2015"
_SEP = r"[\s\-\u2010-\u2015]"
_SEP_RUN = re.compile(rf"{_SEP}+")
_TOPIC_FIELDS = {"name", "description", "threshold", "title_boost", "terms", "context", "against", "home",
                 "structure"}
_TERM_FIELDS = {"term", "weight", "variants", "document", "own", "needs", "unless", "veto", "reports", "law"}
_STRUCTURE_FIELDS = {"label", "weight", "qualifiers", "nouns", "verbs", "exclude", "gap", "sets", "set_weight",
                     "clause_words", "clause_verbs", "clause_gap", "own_qualifiers", "policy_nouns"}
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
    #: A word of another subject (災害派遣, revenue, 正当防衛): subtracts its weight once, beside a
    #: core term.
    against: bool = False
    #: The name of a document: cited in passing ("国家安全保障戦略を踏まえ", "under the ... Program")
    #: it counts only as context.
    document: bool = False
    #: A name only the home's documents bear (安保3文書): the home's whoever the sentence names beside
    #: it ("安保3文書改定を評価 米国務省" is the US on Japan's).
    own: bool = False
    #: Words one of which must be in the sentence of an occurrence for it to count (a headline is
    #: one sentence): a sum is the documents' only beside a word of defense (43兆円 of household
    #: assets, of a market's value, is no one's five-year plan).
    needs: tuple[str, ...] = ()
    #: Words none of which may be in the sentence of an occurrence for it to count (a headline is one sentence): "to
    #: spend 3.5% of GDP on defense" is Japan's goal in "Japan to spend …", NATO's and the Pentagon's call in "urges
    #: allies to spend …", whoever a neighbouring sentence names.
    unless: tuple[str, ...] = ()
    #: An ``against`` word whose subject owns the topic's phrasings outright (a coach, a boxing title, a courtroom):
    #: beside it the structure and the terms no government claims do not count.
    veto: bool = False
    #: An ``against`` word that names a report on the topic (the defense white paper, a poll): it subtracts from the
    #: policies and documents it reports on, not from a revision of the home's documents it tells of (the structure
    #: matched).
    reports: bool = False
    #: A capability with a law of its own (能動的サイバー防御法, 防衛生産基盤強化法): named as that law's name it is the
    #: law's story and counts as a document cited does; the policies' bills (反撃能力法案, "defense spending bill")
    #: are the documents' own steps.
    law: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.variants)


@dataclass(frozen=True)
class Structure:
    """A document noun with a security/defense qualifier and a revision or adoption verb in one
    sentence, attributed to the topic's home: it scores like a document name.

    ``phrase`` matches the qualifier and noun ("安全保障関連の3文書", "national security documents"), or
    a name of the set that needs no qualifier (3文書, group ``set``); ``verb`` the verbs (改定, 見直し,
    revise, update, overhaul, ...), ``exclude`` the phrases that look alike but are someone else's
    (経営計画, 食料安全保障, "business plan").
    """

    label: str
    weight: float
    phrase: re.Pattern[str]
    verb: re.Pattern[str]
    exclude: re.Pattern[str] | None = None
    #: The normalised words the patterns were made of (the gate of _may_match reads them).
    verbs: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    nouns: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    #: What a match of a set's name weighs (the set's own names weigh 6, a document's 5).
    set_weight: float = 0.0
    #: The sets' names alone: a text without a revision verb is searched for these only.
    set_phrase: re.Pattern[str] | None = None
    #: Qualifiers whose phrase in a headline that names no one, in a text that names no one, is the
    #: home's (a Japanese outlet's "安保戦略、年内改定へ" leaves out its 政府).
    own_qualifiers: tuple[str, ...] = ()
    #: Nouns that name the documents only as a qualifier's policy's own (安保政策の指針, 外交・安全保障政策の基本方針):
    #: anywhere else they are other rules' (防衛装備移転三原則の運用指針).
    policy_nouns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """A topic with its terms; the matcher is compiled once, when the topic is made."""

    key: str
    name: str
    description: str
    threshold: float
    title_boost: float
    terms: tuple[Term, ...]
    #: Whose documents the topic is about (an actor key of crawler/actors.toml, e.g. "JP"): a
    #: core term attributed to anyone else counts only as context. None: no attribution.
    home: str | None = None
    structure: Structure | None = None
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)
    _keys: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)
    #: A keyword automaton over the pieces of the core forms and the structure's words: an
    #: article in which no core form can match, nor the structure, scores 0 whatever else it
    #: says, so most articles are done after one pass in C (see _may_match).
    _gate: Any = field(init=False, repr=False, compare=False, default=None)
    #: Whether a term has ``needs`` or ``unless`` (then every article's sentences are looked at).
    _needs: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        object.__setattr__(self, "_needs", any(t.needs or t.unless for t in self.terms))
        pattern, keys = _compile(self.terms)
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_gate", _gate(self))


@dataclass(frozen=True)
class Owned:
    """How many occurrences of a term one owner has, and the word that said so."""

    owner: str | None   # actor key, None: unattributed
    label: str          # "Japan", "US", "unattributed"
    count: int
    cue: str = ""


@dataclass(frozen=True)
class TermMatch:
    """Evidence for one term: how often it occurred and where it first did."""

    term: str
    count: int
    snippet: str
    #: What the term added to the score.
    points: float = 0.0
    in_title: bool = False
    #: core, context, structure; foreign (every occurrence someone else's) or cited (named in
    #: passing as the basis of something else): those two count only as context.
    kind: str = "core"
    #: Whose the occurrences are, most first (only for topics with a ``home``).
    owners: tuple[Owned, ...] = ()

    def attribution(self) -> str:
        """``"US (トランプ政権)"``, ``"Japan (政府) ×2, US (米国) ×1"``; empty when not attributed."""
        if not self.owners:
            return ""
        parts = [f"{o.label} ({o.cue})" if o.cue else o.label for o in self.owners]
        if len(self.owners) == 1:
            return parts[0]
        return ", ".join(f"{p} ×{o.count}" for p, o in zip(parts, self.owners))


@dataclass(frozen=True)
class Score:
    """The score of one article for one topic (``topic`` is the topic's key)."""

    topic: str
    score: float
    relevant: bool
    matches: tuple[TermMatch, ...] = ()
    #: The topic's threshold, to show beside the score.
    threshold: float = 0.0


# --- Matching --------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """NFKC with whitespace runs collapsed to one space, and none left between two kanji/kana
    (``storage.search.join_cjk``: "国家安全保障 戦略", a line break of a page's source): the text
    that terms are matched on."""
    # str.split() splits on the same Unicode whitespace as \s, at a third of the cost.
    return join_cjk(" ".join(nfkc(text).split()))


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


def _script_change(a: str, b: str) -> bool:
    """Whether ``a`` then ``b`` go from a Latin letter or digit to Japanese or back: where sites put a
    space (安保 3 文書, GDP 比 2%) and a line break of the page's source stays one (join_cjk joins only
    Japanese to Japanese)."""
    return (_is_latin_alnum(a) and not b.isascii()) or (not a.isascii() and _is_latin_alnum(b))


def _chars(part: str) -> list[str]:
    """The regex of a run of a form's characters, an optional space where the script changes."""
    units: list[str] = []
    for i, ch in enumerate(part):
        if i and _script_change(part[i - 1], ch):
            units.append(" ?")
        units.append(_char(ch))
    return units


def _units(form: str) -> tuple[list[str], str]:
    """The regex pieces of one normalised form, one per character or separator run, and its tail."""
    units: list[str] = []
    pos = 0
    for sep in _SEP_RUN.finditer(form):
        units += _chars(form[pos:sep.start()])
        units.append(f"{_SEP}+" if " " in sep.group() else f"{_SEP}*")
        pos = sep.end()
    units += _chars(form[pos:])
    if _is_latin_alnum(form[0]):
        # Nor, a number, the decimals of another: "5% of GDP" is not the end of "1.5% of GDP" (NATO's security share)
        # nor "2% of GDP" of "1.2% of GDP" (Japan's spending in a budget story).
        units[0] = r"(?<![0-9A-Za-z])" + (r"(?<![0-9][.,])" if form[0].isdigit() else "") + units[0]
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
    starts: list[str] = []
    for index, term in enumerate(terms):
        for form in term.forms:
            form = "".join(_fold(ch) for ch in normalise(form))
            starts.append(form.lstrip("・") or form)
            keys.setdefault(_key(form), index)
            units, tail = _units(form)
            node = trie
            for unit in units:
                node = node.setdefault(unit, {})
            node[None] = tail
    if not trie:
        return None, keys
    # Only a position whose character can start a form is worth trying: the lookahead lets the
    # engine skip the rest without entering the trie (about twice as fast on long texts).
    # A Latin letter or digit must also start a word (the forms' own rule, see _units), so in
    # English only word starts are tried.
    firsts = {c for form in starts for c in (form[0].lower(), form[0].upper()) if len(c) == 1}
    latin = sorted(c for c in firsts if _is_latin_alnum(c))
    other = sorted(c for c in firsts if not _is_latin_alnum(c))
    head = "(?=" + "|".join(
        ([f"[{''.join(re.escape(c) for c in other)}]"] if other else [])
        + ([f"(?<![0-9A-Za-z])[{''.join(latin)}]"] if latin else [])) + ")"
    return re.compile(head + "(?:" + _trie_regex(trie) + ")"), keys


def _trie_regex(node: dict[str | None, Any]) -> str:
    return _trie_branch(node)[0]


def _trie_branch(node: dict[str | None, Any]) -> tuple[str, int]:
    """The regex of a trie node and its depth; the deepest branch is tried first. Each node is
    visited once: the countries' names and their words of government make a trie of tens of
    thousands of nodes, where asking each child's depth anew took seconds."""
    children = [(unit, *_trie_branch(child)) for unit, child in node.items() if unit is not None]
    children.sort(key=lambda c: -c[2])
    branches = [unit + regex for unit, regex, _ in children]
    depth = 1 + children[0][2] if children else 0
    if not branches:
        return node.get(None, ""), depth
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if None not in node:
        return body, depth
    return (f"(?:{body})?" if node[None] == "" else f"(?:{body}|{node[None]})"), depth


def _scan(topic: Topic, text: str) -> dict[int, list[tuple[int, int]]]:
    """Term index → the (start, end) of every occurrence, in text order."""
    found: dict[int, list[tuple[int, int]]] = {}
    if topic._pattern is None or not text:
        return found
    keys = topic._keys
    for match in topic._pattern.finditer(text):
        found.setdefault(keys[_key(match.group())], []).append(match.span())
    return found


def _needed(topic: Topic, found: dict[int, list[tuple[int, int]]], part: "_Text",
            headline: bool = False, title: str = "") -> dict[int, list[tuple[int, int]]]:
    """``found`` without the occurrences of a term with ``needs`` whose sentence has none of them;
    a ``headline`` is one sentence, whatever its full stops ("earmark ¥43 tril. for defense"). A body's sentence
    may leave to its ``title`` what the story is about: "政府は今年度中にGDP比2%の目標を達成すると説明してきた"
    under "防衛費、NATO基準でGDP比1.8%" is the defense goal (audit13), under "基礎的財政収支、GDP比2%の赤字" a deficit.
    Not a sentence that names a subject of its own, a word of ``against``: "国債費は30兆円を超え、GDP比で5%に達する"
    under "来年度予算案、過去最大122兆円 防衛費は9兆円台" is the debt service's share (it passed at 8: a re-check). A
    report on the topic (``reports``: the white paper, a poll) is no other subject: its sentence on the goal is the
    goal's. An occurrence after a word of the term's ``unless`` in its sentence never counts, whatever its headline
    says (see _calls)."""
    kept: dict[int, list[tuple[int, int]]] = {}
    others = [] if headline else [s for i, spans in found.items() if topic.terms[i].against
                                  and not topic.terms[i].reports for s, _ in spans]
    for index, spans in found.items():
        needs = topic.terms[index].needs
        if needs:
            titled = not headline and _says_any(needs, title)
            spans = [(s, e) for s, e in spans
                     if _says_any(needs, part.text if headline else _sentence_of(part, s, e))
                     or titled and not _another_subject(part, s, e, others)]
        unless = topic.terms[index].unless
        if unless:
            spans = [(s, e) for s, e in spans
                     if not _calls(unless, part.text[0 if headline else part.sentence(s)[0]:s],
                                   part.text[e:len(part.text) if headline else part.sentence(e - 1)[1]])]
        if spans:
            kept[index] = spans
    return kept


def _another_subject(part: "_Text", start: int, end: int, against: list[int]) -> bool:
    """Whether the sentence of ``start:end`` holds one of the ``against`` words (their starts)."""
    lo, hi = part.sentence(start)[0], part.sentence(end - 1)[1]
    return any(lo <= at < hi for at in against)


# Words with 防衛 in them that are no defense: an economic package's 生活防衛 (households' defense against prices), a
# company's takeover defense, a household's 家計防衛 against prices. A 43兆円 package "to defend livelihoods" was the
# documents' 43兆円, and so was "家計負担、5年で43兆円増 家計防衛が急務" (audit7). Nor is a government's growth or a
# company's business strategy a word of the documents: "Takaichi's growth strategy targets investment" over investment
# raised "to 2% of GDP" made the share the defense goal (a re-check of audit13).
_NOT_DEFENSE = re.compile("生活防衛|買収防衛|家計防衛|(?:growth|business|investment) strateg(?:y|ies)")


# A phrase set off by a comma from the clause after it, opening with a preposition, a participle or a relative pronoun:
# "Under U.S. pressure, Japan to spend 3.5% of GDP on defense", "Japan, urged by Trump, to spend …" tell of Japan's
# goal. Not a clause that opens with its subject ("Pentagon presses Japan, Australia to spend …", "urges allies,
# including Japan, to spend …"): the call on others.
_SET_OFF = re.compile(r"\s*(?:under|amid|despite|facing|after|following|with|as|while|in|urged|pressed|pressured|asked|"
                      r"called|which|who)(?![a-z])")
_COMMA = re.compile(r"[,;:()]")


def _calls(words: tuple[str, ...], before: str, after: str) -> bool:
    """Whether a sentence has one of ``words`` (see Term.unless), as a whole word, ``before`` an occurrence outside a
    phrase set off by a comma (_SET_OFF), or ``after`` it as the verb of the clause ending the sentence that names the
    caller ("Japan should spend 3.5% of GDP on defense, US urges"). Not elsewhere after it: "as allies watch", "amid US
    demands", "an official who asked not to be named" are no call on others, nor are "tasks" or "masked"."""
    lowered, rest = before.lower(), after.lower()
    for word in words:
        for found in re.finditer(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered):
            if not _COMMA.search(lowered, found.end()):
                return True
            opens = [m.end() for m in _COMMA.finditer(lowered, 0, found.start())]
            if not _SET_OFF.match(lowered, opens[-1] if opens else 0):
                return True
        if re.search(rf",\s*(?:{_CALLER}[^\s,;:]+\s+){{1,4}}{re.escape(word)}(?![a-z])[^,;:]*$", rest):
            return True
    return False


# The words of a clause ending a sentence that names the caller before its verb ("a senior U.S. official urged"), not
# a participle's phrase whose noun the word is ("meeting allies' demands", "responding to the demands of its ally") or
# a reporting verb's ("Takaichi told reporters asked about it").
_CALLER = (r"(?![a-z]*ing(?![a-z]))(?!(?:to|the|its|their|his|her|who|which|that|according|as|amid|says|said|tells|"
           r"told)(?![a-z]))")


def _says_any(words: tuple[str, ...], sentence: str) -> bool:
    lowered = _NOT_DEFENSE.sub("", sentence.lower())  # once, not once a word
    return any(word in lowered for word in words)


def _sentence_of(part: "_Text", start: int, end: int) -> str:
    # To the end of the sentence the occurrence ends in: "43 tril. yen" is no two sentences.
    return part.text[part.sentence(start)[0]:part.sentence(end - 1)[1]]


def _snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    left, right = max(0, start - width), min(len(text), end + width)
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


# --- Scoring ---------------------------------------------------------------------------------

#: What a term that is someone else's (foreign) or named in passing (cited) adds: like a context
#: term, once, and only next to a core term of the topic's home.
SECONDARY_WEIGHT = 1.0

# A document named as the basis of something else: "国家安全保障戦略を踏まえ", "に基づき",
# "under the National Defense Strategy", "due to the expansion of the Defense Buildup Program".
_CITED_AFTER = re.compile(r"(?:など)?(?:を踏まえ|に基づ|に沿っ|に沿い|に沿う|で示し|で示さ|が定め|の下で|のもとで)")
_CITED_BEFORE = re.compile(
    r"(?:under|in line with|based on|due to|driven by|thanks to|backed by|pursuant to|according to|"
    r"in accordance with|consistent with)\s+(?:[\w'’.-]+\s+){0,6}$", re.IGNORECASE)

# A revision verb tied to a date in the past says when a document was made, not that it is being
# revised: "2022年12月に改定した国家安全保障戦略", "2013年策定の", "which adopted its ... Strategy in December
# 2022", "In 2013, Japan drafted". Only a year written out dates it (a future "2026年に改定する" is not past;
# 昨年12月に, "last year" name no year and stay undated).
# A year with its end, decade or fiscal year too: "22年末に改定した", "1990年代に策定した".
_JA_YEAR = r"(?:19|20)?[0-9]{2}年(?:末|代|度)?(?:[0-9]{1,2}月)?(?:[0-9]{1,2}日)?"
_JA_YEAR_BEFORE = re.compile(_JA_YEAR + r"(?:に|、)?(?:初めて|初の|初)?$")
# The year before the document the verb takes as its object: "日本は22年12月に国家安全保障戦略を策定した".
_JA_YEAR_OBJECT_BEFORE = re.compile(_JA_YEAR + r"(?:に|、)[^。、「」]{1,40}を$")
# し、 and に…の are left out: "26年に改定し、27年度から運用", "26年に改定の方向" are plans. して以降 is して以来's
# other word: "白書は、政府が22年に安保戦略を改定して以降の歩みを紹介した" (the white paper, which subtracts nothing beside
# the structure, passed on it at 6.5: a re-check of audit13).
_JA_PAST_AFTER = ("した", "され", "して以来", "して以降")
# But a し、 (or a してから) whose sentence ends in the past or in what has been going on since: "22年12月に…を策定し、
# 同志国との防衛協力を進めている", "22年に…を改定してからの3年間の取り組みをまとめた" (a plan's sentence ends in a plan:
# "…運用する", "26年末に…を改定してから、新たな計画に基づく予算を組む").
_JA_SINCE = ("し、", "してから")
_JA_SINCE_END = re.compile(r"(?:た|ている|ています|てきた|ました)$")
_JA_YEAR_JUST_BEFORE = re.compile(r"年(?:[0-9]{1,2}月)?$")
_EN_FUTURE_BEFORE = re.compile(r"\b(?:be|being)\s+$", re.IGNORECASE)
_EN_SINCE_BEFORE = re.compile(r"\bsince\s+$", re.IGNORECASE)
# "Since updating it in 2026 will require …": the phrase is a subject, its since a "because".
_EN_CAUSE_VERB = re.compile(r"\s+(?:will|would|is|was|are|were|has|have|had|requires?|required|means?|meant|costs?|"
                            r"could|can|may|might|must|should|needs?|calls?|makes?|demands?)\b", re.IGNORECASE)
_MONTH = (r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+)?")
_EN_YEAR_AFTER = re.compile(rf"(?:\s+[\w'’.,-]+){{0,6}}?\s+in\s+(?:(?:late|early|mid|fiscal)[- ])?{_MONTH}"
                            r"(?:19|20)[0-9]{2}(?![0-9])")
_EN_YEAR_BEFORE = re.compile(rf"\b[Ii]n\s+{_MONTH}(?:19|20)[0-9]{{2}},?\s+(?:[\w'’-]+\s+){{0,3}}$")
# A verb's base form after a past helper is as past as its -ed form: "who helped draw up Japan's first National
# Security Strategy in 2013" (an obituary, audit8), "went on to draft".
# Not after "has"/"have": "Takaichi has sought to revise the three security documents in 2026" is this revision.
_EN_PAST_HELPER = re.compile(r"(?<!\bhas\s)(?<!\bhave\s)\b(?:helped|helped\s+to|went\s+on\s+to|sought\s+to|tried\s+to|"
                             r"worked\s+to)\s+$", re.IGNORECASE)


def _dated(text: str, verb: re.Match[str]) -> bool:
    """Whether a revision verb is tied to a year in the past (see _JA_YEAR_BEFORE)."""
    word, start, end = verb.group(), verb.start(), verb.end()
    if not word.isascii():
        near = bool(_JA_YEAR_BEFORE.search(text, max(0, start - 16), start))
        if not near and not _JA_YEAR_OBJECT_BEFORE.search(text, max(0, start - 60), start):
            return False
        if text.startswith(_JA_PAST_AFTER, end):
            return True
        if text.startswith(_JA_SINCE, end):
            stop = text.find("。", end)
            return bool(_JA_SINCE_END.search(text[end:stop if stop >= 0 else len(text)].rstrip()))
        # 2022年改定の国家防衛戦略: the year right before the verb.
        return near and text.startswith("の", end) and bool(_JA_YEAR_JUST_BEFORE.search(text, max(0, start - 4), start))
    # "since adopting its ... in December 2022" is as past as "which adopted" (audit7), unless the phrase is a verb's
    # subject: "Since updating the strategy in 2026 will require new funds" is "because", its year the revision's to
    # come; "after revising ... in 2026" may be a plan, and stays undated.
    if word.lower().endswith("ing") and _EN_SINCE_BEFORE.search(text, max(0, start - 8), start):
        year = _EN_YEAR_AFTER.match(text, end, end + 90)
        return bool(year) and _EN_CAUSE_VERB.match(text, year.end()) is None
    if not (word.lower().endswith("ed") or word.lower() in ("drew up", "drawn up", "rewrote")
            or _EN_PAST_HELPER.search(text, max(0, start - 16), start)):
        return False
    if _EN_FUTURE_BEFORE.search(text, max(0, start - 8), start):  # "is to be revised in 2026"
        return False
    return bool(_EN_YEAR_AFTER.match(text, end, end + 90) or _EN_YEAR_BEFORE.search(text, max(0, start - 40), start))


# A reaction to Japan's "new" document ("The White House welcomed Japan's new National Security Strategy", 中国…日本の
# 新たな安保戦略…に反発した) is news of its revision as a revision verb is; "new" alone is not, for Japan's 2022 documents
# stayed "new" in background lines for years ("Japan, which adopted a new ... in 2022"), and neither is a reaction
# dated in the past. A narrower list than attribution.RESPONSE, whose 精査, 分析, "studied" are no news of a revision.
_REACTION = re.compile(r"歓迎|批判|反発|懸念|非難|抗議|称賛|(?<![A-Za-z])(?:welcom|prais|hail|criticiz|criticis|condemn|"
                       r"applaud|protest|denounc|slam)", re.IGNORECASE)
_NEW_BEFORE = re.compile(r"(?:(?<![A-Za-z])new\s+|新たな|新しい|新)$", re.IGNORECASE)
_PAST = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|昨年|去年|年前|(?<![A-Za-z])(?:ago|last\s+year|since)\b",
                   re.IGNORECASE)


def _reacted_to_new(part: "_Text", match: re.Match[str], lo: int, hi: int, home: str | None, title: bool) -> bool:
    """Whether ``match`` is home's "new" document in a sentence reacting to it (see _REACTION). A headline
    reacting to it need not say "new" (中国、日本の安保戦略に反発): a headline is the day's news."""
    text = part.text
    return bool((title or _NEW_BEFORE.search(text, max(lo, match.start() - 8), match.start()))
                and _REACTION.search(text, lo, hi) and not _PAST.search(text, lo, hi)
                and _prefixed(part, match, home))


def _revised_here(structure: Structure, text: str, lo: int, hi: int) -> bool | None:
    """Whether the sentence text[lo:hi] has a revision verb that is not dated; None: no verb at all."""
    verbs = list(structure.verb.finditer(text, lo, hi))
    if not verbs:
        return None
    return any(not _dated(text, v) for v in verbs)


_ATTRIBUTOR: Any = None


def attributor() -> Any:
    """The shipped actors, loaded once per process (see crawler/attribution.py)."""
    global _ATTRIBUTOR
    if _ATTRIBUTOR is None:
        from .attribution import load_attributor

        _ATTRIBUTOR = load_attributor()
    return _ATTRIBUTOR


@dataclass
class Occurrence:
    """One occurrence of a term or structure, with whose it is: the scoring trace's unit."""

    where: str                   # title or text
    start: int
    end: int
    owner: str | None = None
    how: str = ""
    cue: str = ""
    cited: bool = False


# What an envoy says of a document when responding to it: RESPONSE, and a headline's bare 評価 (RESPONSE wants 評価し/評価す,
# as 評価額 is a price) and 期待, an envoy's hope for what the host will decide.
_ENVOY_RESPONDS = re.compile(RESPONSE.pattern + r"|評価(?!額|損|益|替)|期待|(?<![A-Za-z])(?:expect|hope)", re.IGNORECASE)
# ... unless another's: a marker joined to the response word by の is the one responding (米大使、国家防衛戦略で講演
# 日本の反発も: Japan's backlash at the US envoy's own strategy, which dropping the envoy made Japan's; a re-check of
# audit14). Not one joined by は or が: the subject responding is the attribution's to weigh (中国は反発 leaves the envoy
# out, as before).
_OTHERS_RESPONSE = re.compile(r"(?:側)?の")


class _Text:
    """A title or body with its markers and sentences, computed on first use."""

    def __init__(self, text: str, attrib: Any) -> None:
        self.text, self._attrib = text, attrib
        self._markers: list | None = None
        self._sentences: list[int] | None = None
        #: Markers that are the prefix of a term ("米国の国家安全保障戦略"): no one else's.
        self.claimed: frozenset[int] = frozenset()
        #: Those of them joined by が or は, the subject of their clause (日本が反撃能力を…).
        self.subjects: frozenset[int] = frozenset()

    @property
    def markers(self) -> list:
        if self._markers is None:
            markers = self._attrib.markers(self.text)
            if self._attrib.envoys:
                # A foreign envoy in Tokyo responding (米大使、国家安全保障戦略の改定を歓迎; 防衛費GDP比3.5%案を評価) speaks
                # of Japan's documents: as the responder, the envoy's marker made them the envoy's government's.
                markers = [m for m in markers if m.text not in self._attrib.envoys or not self._responds(m, markers)]
            self._markers = markers
        return self._markers

    def _responds(self, envoy: Any, markers: list) -> bool:
        """Whether the ``envoy``'s sentence responds, by a word no other marker right before it owns."""
        return any(not any(other is not envoy and _OTHERS_RESPONSE.fullmatch(self.text, other.end, said.start())
                           for other in markers)
                   for said in _ENVOY_RESPONDS.finditer(self.text, *self.sentence(envoy.start)))

    @property
    def sentences(self) -> list[int]:
        if self._sentences is None:
            self._sentences = self._attrib.sentences(self.text)
        return self._sentences

    def retell(self, story: str, documents: Sequence[tuple[str, int]] = ()) -> None:
        """Read its English weak markers as the ``story``'s government's (Attributor.retold)."""
        self._markers = self._attrib.retold(self.text, self.markers, story, documents)

    def sentence(self, at: int) -> tuple[int, int]:
        sentences = self.sentences
        i = bisect.bisect_right(sentences, at) - 1
        return sentences[i], sentences[i + 1] if i + 1 < len(sentences) else len(self.text)


def _cited(text: str, start: int, end: int) -> bool:
    return bool(_CITED_AFTER.match(text, end, end + 8)) or bool(
        _CITED_BEFORE.search(text, max(0, start - 80), start))


# One more item a text also touches on, in a story another government heads ("台湾、国防報告書を公表": …日本が
# 防衛費をGDP比2%に増やす方針にも触れた; "Taiwan releases defense report, which mentions Japan's defense
# buildup"): Japan's policy or document is named in passing in someone else's report (it passed at exactly the
# threshold). A bare 言及 or "mentioned" is not: "首相、反撃能力に言及" is news; nor is Japan's own story.
_JA_PASSING_AFTER = re.compile(r"にも(?:触れ|言及)")
_EN_PASSING_BEFORE = re.compile(r"\b(?:(?:notes|noted|mentions|mentioned)\s+that|(?:also|which|that)\s+(?:also\s+)?"
                                r"(?:mentions?|mentioned|notes|noted|refers\s+to|referred\s+to|touches\s+on|touched\s+on|"
                                r"cites|cited)|in\s+passing)\b", re.IGNORECASE)


# Japan's document or policy as the yardstick of the other government's own ("韓国、国防中期計画を発表": …日本の
# 防衛力整備計画に相当するもので; "a plan similar to Japan's Defense Buildup Program"): named to explain theirs.
_JA_COMPARED_AFTER = re.compile(r"(?:に相当|にあた|に当た|と同様|と同じ|に似|に倣|をモデル|を参考|も参考)")
# Whoever heads the story, Japan's spending as the measure of something else's: "中国の国防費は日本の防衛費の約4倍"
# (a headline "中国国防費、7.2%増" names no government for _lead).
_JA_MEASURE_AFTER = re.compile(r"の(?:約|およそ)?[0-9]+(?:\.[0-9]+)?倍")
_EN_COMPARED_BEFORE = re.compile(r"\b(?:similar\s+to|equivalent\s+to|akin\s+to|comparable\s+to|modell?ed\s+on|"
                                 r"counterpart\s+(?:to|of))\s+(?:the\s+)?(?:\S+\s+){0,2}$", re.IGNORECASE)


def _in_passing(part: _Text, start: int, end: int, foreign: bool) -> bool:
    if _JA_MEASURE_AFTER.match(part.text, end):
        return True
    if not foreign:
        return False
    lo, hi = part.sentence(start)
    return bool(_JA_PASSING_AFTER.search(part.text, end, hi) or _EN_PASSING_BEFORE.search(part.text, lo, start)
                or _JA_COMPARED_AFTER.match(part.text, end) or _EN_COMPARED_BEFORE.search(part.text, lo, start))


def _backdrop(part: _Text, where: str, start: int, end: int, others: list[Occurrence], home: str | None) -> bool:
    """Whether the term at ``start:end`` is in a clause ending in 中、 whose main clause names someone else's
    document (``others``) and presses no one of ``home``: "日本が安保3文書の改定を進める中、米国防総省も国家防衛
    戦略を改定した" under a US headline is the US strategy's story, Japan's revision its background (it passed at
    13.5); "…中、米国防総省は新たな国家防衛戦略で日本に防衛費の増額を求めた" is pressure on Japan's."""
    _, hi = part.sentence(start)
    attrib = attributor()
    amid = attrib.amid(part.text, end, hi)
    if amid is None or not any(o.where == where and amid.end() <= o.start < hi for o in others):
        return False
    pressed = attrib.addressee(part.text, part.markers, amid.end(), hi)
    return pressed is None or pressed.owner != home


# What the home should do, in the words of someone closing its sentence: "Japan should spend 3.5% of GDP on defense,
# Hegseth says", "Japan must …, U.S. official says", "日本は防衛費をGDP比3.5%に引き上げるべきだ 米国防長官" are another
# government's demand, read as Japan's goal (9: the sentence's first marker is Japan); "…, LDP panel says" is Japan's
# own, and "Japan will spend …, U.S. official says" a report of Japan's plan, no demand.
_EN_OUGHT = re.compile(r"(?<![A-Za-z])(?:should|must|needs?\s+to|ought\s+to|has\s+to|have\s+to)(?![A-Za-z])",
                       re.IGNORECASE)
_EN_SPEAKER = re.compile(r"[^,;:]*(?:,\s*(?P<who>[^,;:]+?)\s+(?:says|said|urges|urged|argues|argued|insists|insisted|"
                         r"tells|told)(?![A-Za-z])[^,;:]*|,\s*(?:says|said)\s+(?P<said>[^,;:]+)|:\s*(?P<tag>[^,;:]+))"
                         r"[\s.\"”’']*$", re.IGNORECASE)
# In Japanese, the speaker right after べきだ ends the headline (join_cjk has taken the space out): a title at most.
_JA_OUGHT = re.compile(r"[^。、「」]*?べき(?:だ|である)?[」』]?")
_JA_SPEAKER_TAIL = re.compile(r"[^。、をにがはの]{0,6}$")


def _demanded(part: _Text, start: int, end: int, home: str | None) -> Attribution | None:
    """The government whose speaker closes the sentence of the term at ``start:end`` and says what the home should
    do with it (see _EN_OUGHT): no one of the home's among the speaker's words."""
    text = part.text
    lo, hi = part.sentence(start)
    if text[start:end].isascii():
        clause = max([lo, *(m.end() for m in _COMMA.finditer(text, lo, start))])
        said = _EN_SPEAKER.match(text, end, hi)
        if said is None or not _EN_OUGHT.search(text, clause, start):
            return None
        who = next(g for g in ("who", "said", "tag") if said.group(g) is not None)
        speakers = within(part.markers, said.start(who), said.end(who))
    else:
        ought = _JA_OUGHT.match(text, end, hi)
        first = within(part.markers, ought.end(), hi)[:1] if ought is not None else []
        speakers = [m for m in first if m.start == ought.end() and _JA_SPEAKER_TAIL.match(text, m.end, hi)]
    owners = {m.owner for m in speakers}
    if not owners or home in owners:
        return None
    found = next(m for m in speakers if m.owner != home)
    return Attribution(found.owner, "speaker", found.text)


# A capability the documents created named as its own law's name (防衛生産基盤強化法, 能動的サイバー防御法, "active cyber
# defense law"): a story of that law and its basic policy, which the held-out convention labels 0 (ho-en-001), passed
# at 9-11 with the name in the headline and the text (audit12). Counts as a document cited does, for a term marked
# ``law`` only: 防衛財源確保法案, 反撃能力法案 and "defense spending bill" are the documents' policies enacted.
_LAW_AFTER = re.compile(r"(?:強化|関連|整備)?法(?:案)?(?![人廷的])|\s+(?:law|laws|bill|bills|legislation)(?![A-Za-z])",
                        re.IGNORECASE)


def _background(topic: Topic, part: _Text, at: int) -> bool:
    """A document named in a sentence whose every revision verb is dated ("Japan, which adopted its
    National Security Strategy in December 2022, has deepened ties with Manila"): the background of
    another story, like a document cited as the basis of something else."""
    if topic.structure is None:
        return False
    lo, hi = part.sentence(at)
    return _revised_here(topic.structure, part.text, lo, hi) is False


@dataclass
class _Trace:
    """Everything :func:`_score` decided, for :func:`explain` and :func:`score_article`."""

    score: Score
    occurrences: dict[str, list[Occurrence]]
    article_owner: Any = None


# A sentence whose subject points back at the government the sentence before it named (同省は, 同国も, "The ministry
# will also ...", "It will ..."): a name of its own, if not a marker.
_JA_ANAPHOR = re.compile(r"同(?:省|国|政府|政権|部|庁|院|軍)(?:は|が|も|では|として)")
_EN_ANAPHOR = re.compile(r"[\s\"“‘'(]*(?:It(?!\s+(?:is|was)\b|'s|’s)|The\s+(?:ministry|department|country|agency))\b")


def _points_back(body: _Text, start: int, home: str | None) -> bool:
    """Whether the sentence of the term at ``start`` has for its subject an anaphor (:data:`_JA_ANAPHOR`,
    :data:`_EN_ANAPHOR`) of a government other than ``home``: the first full marker of the last sentence before it that
    names one. "韓国国防省は国家防衛戦略を発表した。同省は防衛力整備計画も来年まとめる" is Seoul's plan."""
    lo, _ = body.sentence(start)
    if not (_JA_ANAPHOR.search(body.text, lo, start) or _EN_ANAPHOR.match(body.text, lo)):
        return False
    before = [m for m in body.markers if m.end <= lo and m.weight >= 1.0]
    if not before:
        return False
    plo, _ = body.sentence(before[-1].start)
    return next(m for m in before if m.start >= plo).owner != home


def _attribute_all(topic: Topic, title: _Text, body: _Text, spans: list[tuple[str, int, int, int]],
                   lead: Any) -> tuple[list[Occurrence], Any]:
    """Attribute each (where, start, end), in reading order, title first. Prefixes first: a
    marker that is one term's prefix ("米国の国家安全保障戦略") says nothing about the others.
    ``lead``: the headline's subject (``_lead``)."""
    if not spans:
        return [], None
    attrib = attributor()
    article = attrib.article_owner(body.text, body.markers)
    prefixes = [attrib.prefix((title if w == "title" else body).text, s, e,
                              (title if w == "title" else body).markers) for w, s, e, _ in spans]
    for where, part in (("title", title), ("text", body)):
        part.claimed = frozenset(p.at for p, (w, _, _, _) in zip(prefixes, spans) if p is not None and w == where)
        part.subjects = frozenset(p.at for p, (w, _, _, _) in zip(prefixes, spans)
                                  if p is not None and p.subject and w == where)
    out: list[Occurrence] = []
    previous = None
    # Each document's attributions in the text so far, by term index (the article-wide guess is
    # not one): when they are all one owner's, a bare mention is that owner's; a story comparing
    # Japan's with the US one names both, and its bare mentions are left to the neighbours.
    same: dict[int, list[Any]] = {}
    # Before any: the headline's. Its subject for its own mentions ("政府、国家防衛戦略改定へ 米国の要求踏まえ");
    # for the body's, whose document the headline names when it names one only as a noun
    # ("米国防総省、新戦略を公表", "Pentagon unveils new defense strategy").
    noun = _headline_noun(topic, title, lead)
    # ... and the body's, by a short name with its owner before it, as a lead names it before the document's
    # full name ("Taiwan welcomed Japan's new security strategy. The foreign ministry in Taipei said the revised
    # National Security Strategy would ..."): an earlier mention of the documents its noun names.
    named = _body_names(topic, body, [(s, e) for w, s, e, _ in spans if w == "text"])
    home_named = any(m.owner == topic.home for m in body.markers)
    # Each document's mentions in each part, in order: a first mention that only responds reads the next ones.
    mentions: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for where, start, end, index in spans:
        if topic.terms[index].document:
            mentions.setdefault((where, index), []).append((start, end))
    for (where, start, end, index), found in zip(spans, prefixes):
        part = title if where == "title" else body
        while where == "text" and named and named[0][0] < start:
            _, owner, phrase = named.pop(0)
            for i, term in enumerate(topic.terms):
                if term.document and any(phrase in _SEP_RUN.sub(" ", form.lower()) for form in term.forms) or (
                        _named(term, frozenset(phrase.split()) & _SET_NOUNS)):
                    same.setdefault(i, []).append(owner)
        if found is None and topic.terms[index].own:
            found = Attribution(topic.home, "own", "")
        if found is None:
            # The headline's noun names the body's document only where another government could have it: "U.S. defense
            # strategy calls on allies to shoulder more" says nothing of "the Defense Buildup Program" or "the three
            # security documents" below it, which no government but Japan has (weight enough on its own), in a text
            # that names Japan (Tokyo, 日本), and Japan's revision, told under the Pentagon's news, scored 0. A text
            # that never names Japan takes the name for the headline's government's own.
            # Not where the sentence's subject points back at another government ("South Korea's Defense Ministry
            # released its ... The ministry will also compile a new Defense Buildup Program", 同省は…): its own plan,
            # named loosely, in a story that names Japan only for its protest.
            sole = where == "text" and home_named and topic.terms[index].document \
                and topic.terms[index].weight >= topic.threshold and not _points_back(body, start, topic.home)
            before = same.get(index) or [x for x in [lead if where == "title" else noun] if x is not None and not (
                sole and x.owner != topic.home)]
            own = mentions.get((where, index), [])
            at = bisect.bisect_right(own, (start, end))
            later = own[at:at + AHEAD]
            found = attrib.attribute(part.text, start, end, part.markers, part.sentences,
                                     previous if where == "text" else None, article, part.claimed,
                                     before[-1] if len({a.owner for a in before}) == 1 else None, part.subjects,
                                     lead=lead, later=later)
            if sole and found.how == "carried" and found.owner not in (topic.home, None) \
                    and article.owner in (topic.home, None) \
                    and (any(o.owner == topic.home for o in out)
                         or any(m.owner == topic.home for m in within(body.markers, *body.sentence(start)))):
                # ... nor does another document's owner carried over from before it, in a story no government
                # heads: "The Pentagon released its National Defense Strategy. The government, which is revising
                # the National Security Strategy and the Defense Buildup Program, will study the U.S. document."
                # Only where its sentence names Japan or reads as Japan's ("the government", Tokyo), or a document of
                # Japan's came before it: "The Philippines updated its National Defense Strategy. The three defense
                # documents will guide ... Japan and the Philippines signed ..." is Manila's documents, Japan named
                # for another story.
                found = Attribution(None, "none")
        if found.owner is not None and topic.terms[index].document and found.how != "article":
            same.setdefault(index, []).append(found)
        if where == "text" and found.owner is not None:
            previous = found
        out.append(Occurrence(where, start, end, found.owner, found.how, found.cue))
    return out, article


def _body_names(topic: Topic, body: _Text, terms: list[tuple[int, int]]) -> list[tuple[int, Any, str]]:
    """The body's phrases of the structure outside the terms whose owner is named right before them ("Japan's new
    security strategy"), each with where it starts, that owner and its words (lower case, one space between).
    Such a phrase names a document whose name contains it (security strategy, 防衛戦略), or any (documents)."""
    structure = topic.structure
    if structure is None or not body.text:
        return []
    out = []
    attrib = attributor()
    overlaps = _Spans(terms)
    for match in _phrases(structure, body):
        if overlaps.any(match.start(), match.end()) or _excluded(structure, body.text, match.start(), match.end()):
            continue
        owner = attrib.prefix(body.text, match.start(), match.end(), body.markers)
        if owner is not None:
            out.append((match.start(), replace(owner, how="same"), _SEP_RUN.sub(" ", match.group().lower())))
    return out


def _opened_by_theirs(topic: Topic, title: _Text, spans: list, attributed: list[Occurrence]) -> bool:
    """Whether the headline opens with another government's document, its name right after that government's word
    ("豪国家防衛戦略、長距離打撃力を拡充", "米国家防衛戦略「韓国が…」"): that government heads the story as one opening
    with the government does (_lead), and Japan's 反撃能力 as the yardstick of Australia's strike weapons (日本の反撃
    能力に相当する) scored 8, audit16."""
    first = next(((span, occ) for span, occ in zip(spans, attributed) if span[0] == "title"), None)
    if first is None:
        return False
    (_, start, _, index), occ = first
    if not topic.terms[index].document or occ.how != "prefix" or occ.owner in (topic.home, None) or not occ.cue:
        return False
    opening = HEAD_OPEN.match(title.text).end()
    return re.fullmatch(re.escape(occ.cue) + r"(?:の|['’]s)?\s*", title.text[opening:start]) is not None


def _lead(title: _Text) -> Any:
    """The headline's subject (Attributor.lead), unless the headline responds: the subject of "中国、
    日本の安保戦略改定に反発" responds to someone else's document."""
    if not title.text or RESPONSE.search(title.text):
        return None
    return attributor().lead(title.text, title.markers)


@functools.cache
def _noun_pattern(nouns: tuple[str, ...]) -> re.Pattern[str]:
    """Any of a structure's nouns, the longest first, English ones as whole words."""
    return re.compile("|".join(re.escape(n) if not n.isascii() else rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])"
                               for n in sorted(nouns, key=len, reverse=True)), re.IGNORECASE)


def _headline_noun(topic: Topic, title: _Text, lead: Any) -> Any:
    """Whose document the headline names as a noun of the structure (戦略, strategy, 文書) when it names
    none of the terms: the noun's own attribution in the headline, the headline's subject (``lead``)
    deciding only where the headline's words do not; None without such a noun."""
    structure = topic.structure
    if structure is None or not title.text:
        return None
    found = _noun_pattern(structure.nouns).search(title.text)
    if found is None:
        return None
    owner = attributor().attribute(title.text, found.start(), found.end(), title.markers, title.sentences,
                                   claimed=title.claimed, subjects=title.subjects)
    if owner.owner is None or owner.how not in ("prefix", "agent", "antecedent", "sentence"):
        return lead
    return replace(owner, how="headline")


def _owners(occurrences: list[Occurrence]) -> tuple[Owned, ...]:
    attrib = attributor()
    counts: dict[str | None, list] = {}
    for occ in occurrences:
        entry = counts.setdefault(occ.owner, [0, occ.cue])
        entry[0] += 1
        entry[1] = entry[1] or occ.cue
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0] or "~"))
    return tuple(Owned(owner, attrib.label(owner), n, cue) for owner, (n, cue) in ranked)


def _pieces(form: str) -> list[str]:
    """The parts of a normalised form between separators, ・ and changes of script (see _chars),
    lower-cased."""
    spaced = "".join(ch if not i or not _script_change(form[i - 1], ch) else " " + ch for i, ch in enumerate(form))
    return [p for p in _SEP_RUN.split(spaced.replace("・", " ").lower()) if p]


@dataclass(frozen=True)
class _Gate:
    """What :func:`_may_match` looks for: a keyword automaton (pyahocorasick) over the pieces
    of every core form and the structure's verbs, qualifiers and nouns."""

    automaton: Any
    forms: tuple[frozenset[str], ...]          # the pieces of each core form
    verbs: frozenset[str]
    qualifiers: frozenset[str]
    nouns: frozenset[str]
    sets: tuple[frozenset[str], ...] = ()      # the pieces of each of the structure's set names


def _gate(topic: Topic) -> _Gate | None:
    # Latin pieces under three characters ("of" in "2% of GDP", the 3 of 安保 3 文書) are left out where
    # the form has longer ones: they would be found in every article and only cost time. Japanese ones
    # stay (安全保障3文書 opened by 安全保障 alone would let most political news through), and so do
    # numbers (43 of 43兆円).
    forms = set()
    for term in topic.terms:
        if term.context:
            continue
        for form in term.forms:
            pieces = _pieces(normalise(form))
            long = [p for p in pieces if len(p) >= 3 or not p.isascii() or (len(p) == 2 and p[0].isdigit())]
            forms.add(frozenset(long or pieces))
    forms.discard(frozenset())
    structure = topic.structure if topic.home is not None else None
    groups = [frozenset(p for f in (getattr(structure, name) if structure else ()) for p in _pieces(f))
              for name in ("verbs", "qualifiers", "nouns")]
    if structure is not None:  # the policy's guide is a noun of the structure too (Structure.policy_nouns)
        groups[2] |= {p for f in structure.policy_nouns for p in _pieces(f)}
    sets = tuple(frozenset(_pieces(f)) for f in (structure.sets if structure else ()))
    words = set().union(*forms, *groups, *sets)
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return _Gate(automaton, tuple(forms), *groups, sets)


def _may_match(topic: Topic, text: str) -> bool:
    """Whether a core term or the structure can match ``text``: every piece of some core form
    is in it, or a verb, a qualifier and a noun of the structure are. False: the score is 0."""
    gate = topic._gate
    if gate is None:
        return False
    found = {word for _, word in gate.automaton.iter(text.lower())}
    if not found:
        return False
    if any(pieces <= found for pieces in gate.forms):
        return True
    # A set's name needs no verb with Japan's name before it (see _structure): which the gate cannot see;
    # nor does Japan's "new" document reacted to (_REACTION).
    return any(pieces <= found for pieces in gate.sets) or bool(
        found & gate.qualifiers and found & gate.nouns and (found & gate.verbs or _REACTION.search(text)))


def _marker_start(marker: Any) -> int:
    return marker.start


class _Spans:
    """Spans (start, end) in order of their start, asked which overlap ``[lo, hi)``: by bisection within the
    longest span's reach. A scan of all for each phrase made a long article's scoring grow with the square
    of its length (a 131 KB text 4.3 s)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.reach = max((e - s for s, e in spans), default=0)

    def among(self, lo: int, hi: int) -> Iterator[int]:
        """The indexes of the spans that overlap ``[lo, hi)``, in order."""
        first = bisect.bisect_left(self.starts, lo - self.reach)
        return (k for k in range(first, bisect.bisect_left(self.starts, hi)) if self.spans[k][1] > lo)

    def any(self, lo: int, hi: int) -> bool:
        return next(self.among(lo, hi), None) is not None


def _excluded(structure: Structure, text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> bool:
    """Whether one of the structure's ``exclude`` words (someone else's plan, another kind of security) stands
    by the phrase text[start:end]: from 12 characters before it to 4 after, within the sentence text[lo:hi] and
    the phrase's own clause. Not across a comma (、 or ,), as the phrase itself never is: "日豪防衛協力の行動計画を
    踏まえ、安全保障関連の文書を改定" and "宇宙基本計画の改定に合わせ、安保関連文書も見直す" are the documents' revision, the
    other plan another clause's object, and scored 0 (a re-check of audit12)."""
    if structure.exclude is None:
        return False
    lo, hi = max(lo, start - 12), min(len(text) if hi is None else hi, end + 4)
    lo = max(lo, text.rfind("、", lo, start) + 1, text.rfind(",", lo, start) + 1)
    hi = min([hi] + [i for i in (text.find("、", end, hi), text.find(",", end, hi)) if i >= 0])
    return structure.exclude.search(text, lo, hi) is not None


def _phrases(structure: Structure, part: _Text) -> Iterable[re.Match[str]]:
    """The structure's phrases in ``part``, but not one whose qualifier begins a name that ends inside it:
    the 防衛 of 防衛省 ("防衛省の自衛官採用計画": the ministry's recruitment plan), "Self-Defense Forces'
    plan", 国家安全保障局 are an actor, not a kind of document. The search goes on after the name's first
    character (防衛省の防衛力整備計画 still finds 防衛力…計画)."""
    text, pos = part.text, 0
    while (match := structure.phrase.search(text, pos)) is not None:
        # Markers do not overlap: the one that may hold the phrase's start is the last to start by it.
        i = bisect.bisect_right(part.markers, match.start(), key=_marker_start) - 1
        if i >= 0 and part.markers[i].start <= match.start() < part.markers[i].end < match.end():
            pos = match.start() + 1
            continue
        yield match
        pos = max(match.end(), match.start() + 1)


def _structure(topic: Topic, title: _Text, body: _Text,
               terms: Iterable[Occurrence] = (), lead: Any = None) -> list[tuple[Occurrence, float]]:
    """The structure matches of title and text whose sentence has a revision verb and that are
    attributed to the topic's home, each with its weight (a set's name weighs ``set_weight``). A match
    that is (part of) a term's occurrence is whose the term's is (``terms``: the attributed ones);
    ``lead``: the headline's subject (``_lead``)."""
    structure = topic.structure
    if structure is None:
        return []
    found: list[tuple[Occurrence, float]] = []
    attrib = attributor()
    article = None
    terms = list(terms)
    attributed = {w: [o for o in terms if o.where == w and o.owner is not None] for w in ("title", "text")}
    spans = {w: _Spans([(o.start, o.end) for o in occs]) for w, occs in attributed.items()}
    for where, part in (("title", title), ("text", body)):
        text = part.text
        if not text:
            continue
        verbs = structure.verb.search(text) is not None
        reacts = _REACTION.search(text) is not None
        if not verbs and not reacts and (structure.set_phrase is None or not structure.set_phrase.search(text)):
            continue
        for match in _phrases(structure, part):
            if not verbs and not reacts and not match.groupdict().get("set"):
                continue
            lo, hi = part.sentence(match.start())
            revised = _revised_here(structure, text, lo, hi) if verbs else None
            # The set by its number with Japan's name right before it (日本の3文書に…記述されていることに抗議) is the set
            # whatever is done to it, as its names are; with no verb that name alone says whose it is.
            named_set = revised is None and bool(match.groupdict().get("set")) and _prefixed(part, match, topic.home)
            if not (revised or named_set
                    or reacts and _reacted_to_new(part, match, lo, hi, topic.home, where == "title")):
                continue
            if _excluded(structure, text, match.start(), match.end(), lo, hi):
                continue
            if article is None:
                article = attrib.article_owner(body.text, body.markers)
            term = next((attributed[where][k] for k in spans[where].among(match.start(), match.end())), None)
            if term is not None:
                owner, how, cue = term.owner, term.how, term.cue
            else:
                found_by = attrib.attribute(text, match.start(), match.end(), part.markers, part.sentences,
                                            None, article, part.claimed, subjects=part.subjects, lead=lead)
                if found_by.owner is None and where == "title" and lead is not None and not lead.cue.isascii():
                    # The headline's own words say nothing, its subject does (政府、…; …改定へ 政府). Not in
                    # English, whose opening "Japanese" is as often an adjective ("Japanese automaker revises
                    # security plan"), and whose subjects its words attribute.
                    found_by = lead
                owner, how, cue = found_by.owner, found_by.how, found_by.cue
            if owner is None and where == "title" and structure.own_qualifiers \
                    and match.group().lower().startswith(structure.own_qualifiers) \
                    and all(m.owner == topic.home for m in (*title.markers, *body.markers)) \
                    and not _other_subject(topic, text, match.start()):
                # Nobody else named anywhere: a Japanese headline's subject left out is its own country's. A word of
                # the home's that decides nothing leaves it so (安保文書改定へ有識者会議 関係者: the panel as an object
                # weighs under a decision, and the headline scored 0: audit14).
                owner, how, cue = topic.home, "unnamed", ""
            if owner == topic.home:
                weight = structure.set_weight if match.groupdict().get("set") else structure.weight
                found.append((Occurrence(where, match.start(), match.end(), owner, how, cue), weight))
    return found


# A headline's opening subject, whoever it is: words before its first 、, が or は ("トヨタ、…").
_HEAD_SUBJECT = re.compile(r"\s*([^、,。\s]{1,15}?)(?:、|が|は)")
# What may follow a topic's term in an opening that is the topic (防衛費の新目標, 反撃能力の運用, 防衛費増額): a short noun of
# it. A longer tail ends in a subject of its own (防衛費の膨張批判のNPO、安全保障戦略を策定: an NGO's strategy).
_TOPIC_OPENING_TAIL = re.compile(r"の?[一-龥々ぁ-んァ-ヶー]{0,3}")


def _other_subject(topic: Topic, title: str, start: int) -> bool:
    """Whether the headline opens with a subject before ``start`` that no marker names (a
    company's "トヨタ、安全保障戦略を見直し"): its document is that subject's, not the home's. Not an opening that is
    one of the topic's own terms or a short noun of it (防衛費の新目標、安保戦略に明記へ: its topic, no one's name;
    audit14)."""
    opened = _HEAD_SUBJECT.match(title)
    if opened is None or opened.end(1) > start:
        return False
    close = opened.end(1)
    return not any(start_ < close and (end >= close or _TOPIC_OPENING_TAIL.fullmatch(title, end, close))
                   for k, spans in _scan(topic, title).items()
                   if not (topic.terms[k].context or topic.terms[k].against) for start_, end in spans)


def _prefixed(part: _Text, match: re.Match[str], home: str | None) -> bool:
    """Whether the marker right before ``match`` (Attributor.prefix) is ``home``'s."""
    found = attributor().prefix(part.text, match.start(), match.end(), part.markers)
    return found is not None and found.owner == home


# The structure's nouns that name the set (安保関連文書, "security documents"): any of its documents is one.
_SET_NOUNS = frozenset({"文書", "document", "documents", "paper", "papers"})


def _headline_names(topic: Topic, title: _Text, terms: list[tuple[int, int]], article: Any) -> frozenset[str]:
    """The nouns of the headline's phrases of the structure ("Japan's new security strategy", 安保関連文書)
    that are the topic's home's, outside the terms the headline names: a headline naming the body's
    document in short, with or without a verb."""
    structure = topic.structure
    if structure is None or not title.text:
        return frozenset()
    nouns = set()
    for match in _phrases(structure, title):
        if any(s < match.end() and match.start() < e for s, e in terms):
            continue
        if _excluded(structure, title.text, match.start(), match.end()):
            continue
        owner = attributor().attribute(title.text, match.start(), match.end(), title.markers, title.sentences,
                                       None, article, title.claimed, subjects=title.subjects)
        if owner.owner == topic.home:
            nouns.update(n.group().lower() for n in _noun_pattern(structure.nouns).finditer(match.group()))
    return frozenset(nouns)


def _named(term: Term, nouns: frozenset[str]) -> bool:
    """Whether one of the headline's ``nouns`` names the document ``term``: its own noun (strategy is the
    National Security Strategy's, 計画 the 防衛力整備計画's), or the set's."""
    return term.document and any(n in _SET_NOUNS or any(n in form.lower() for form in term.forms) for n in nouns)


def _score(title: str, text: str, topic: Topic) -> _Trace:
    if not _may_match(topic, title + "\n" + text):
        return _Trace(Score(topic.key, 0.0, False, (), topic.threshold), {})
    in_title, in_text = _scan(topic, title), _scan(topic, text)
    attributing = topic.home is not None
    home = topic.home
    occurrences: dict[str, list[Occurrence]] = {}
    article_owner = None
    title_t = body_t = None
    if topic._needs and (in_title or in_text):
        title_t, body_t = _Text(title, attributor()), _Text(text, attributor())
        in_title = _needed(topic, in_title, title_t, headline=True)
        in_text = _needed(topic, in_text, body_t, title=title)
    indices = sorted(in_title.keys() | in_text.keys())
    named: frozenset[str] = frozenset()
    others: list[Occurrence] = []
    if attributing:
        attrib = attributor()
        if title_t is None:
            title_t, body_t = _Text(title, attrib), _Text(text, attrib)
        spans = sorted(((w, s, e, i) for i in indices if not topic.terms[i].context
                        for w, found in (("title", in_title), ("text", in_text)) for s, e in found.get(i, [])),
                       key=lambda x: (x[0] != "title", x[1]))
        # "The government" of a story headed by one government only is that one's (Attributor.retold), unless the
        # headline responds ("China criticizes new security strategy": the strategy and the government are Japan's).
        # A sentence naming a document by a name enough on its own (the Defense Buildup Program, the three security
        # documents: no other government's bears it) is the home's still: "The Pentagon unveiled its ... The government
        # will revise the three security documents" was the US's, and Japan's revision scored 0.
        if not RESPONSE.search(title_t.text) and (story := attrib.story(title_t.text, title_t.markers)) is not None:
            body_t.retell(story, [(home, s) for w, s, _, i in spans if w == "text" and topic.terms[i].document
                                  and topic.terms[i].weight >= topic.threshold])
        lead = _lead(title_t)
        attributed, article_owner = _attribute_all(topic, title_t, body_t, spans, lead)
        named = _headline_names(topic, title_t, [span for i in indices if not topic.terms[i].context
                                                 for span in in_title.get(i, [])], article_owner)
        foreign = lead is not None and lead.owner not in (home, None) or _opened_by_theirs(topic, title_t, spans,
                                                                                   attributed)
        # In a story another government heads, its own documents (see _backdrop).
        others = [o for (_, _, _, i), o in zip(spans, attributed)
                  if foreign and topic.terms[i].document and o.owner not in (home, None)]
        for (_, _, _, index), occ in zip(spans, attributed):
            source = title if occ.where == "title" else text
            part = title_t if occ.where == "title" else body_t
            # A goal someone else says the home should reach is that one's demand; a document stays the home's
            # whoever asks for its revision.
            if occ.owner in (home, None) and not (topic.terms[index].document or topic.terms[index].own) and (
                    speaker := _demanded(part, occ.start, occ.end, home)) is not None:
                occ.owner, occ.how, occ.cue = speaker.owner, speaker.how, speaker.cue
            if topic.terms[index].document and (_cited(source, occ.start, occ.end) or _background(
                    topic, part, occ.start)) or topic.terms[index].law and _LAW_AFTER.match(
                    source, occ.end) or _in_passing(part, occ.start, occ.end, foreign) or (
                    others and _backdrop(part, occ.where, occ.start, occ.end, others, home)):
                occ.cited = True
            occurrences.setdefault(topic.terms[index].term, []).append(occ)
    vetoed = attributing and any(topic.terms[i].veto for i in indices)
    core: list[TermMatch] = []
    secondary: list[TermMatch] = []
    context: list[TermMatch] = []
    reports: set[str] = set()  # the against words that name a report (see Term.reports)
    for index in indices:
        term = topic.terms[index]
        title_spans, text_spans = in_title.get(index, []), in_text.get(index, [])
        count = len(title_spans) + len(text_spans)
        # The body says more about the term than the headline, which reviewers see anyway.
        source, (start, end) = (text, text_spans[0]) if text_spans else (title, title_spans[0])
        snippet = _snippet(source, start, end)
        if term.context:
            # Context terms count once: they show the setting, and a long article repeating
            # "security" must not add up to a core term.
            if term.against:
                context.append(TermMatch(term.term, count, snippet, -term.weight, bool(title_spans), "against"))
                if term.reports:
                    reports.add(term.term)
                continue
            # Not boosted in the title: 防衛相 and 自衛隊 in a headline on a base visit were worth a
            # second core term, and one 防衛力の強化 in the body made it relevant.
            context.append(TermMatch(term.term, count, snippet, term.weight, bool(title_spans), "context"))
            continue
        if not attributing:
            boost = topic.title_boost if title_spans else 1.0
            core.append(TermMatch(term.term, count, snippet, term.weight * (1 + math.log2(count)) * boost,
                                  bool(title_spans)))
            continue
        occs = occurrences[term.term]
        owners = _owners(occs)
        # Beside a word of another subject, a term no government's word claims is that subject's (巨人の反撃能力).
        own = [o for o in occs if (o.owner == home or o.owner is None and not vetoed) and not o.cited]
        if own:
            # Named in the headline by its name, or in short (see _headline_names).
            in_head = any(o.where == "title" for o in own) or _named(term, named)
            boost = topic.title_boost if in_head else 1.0
            first = next((o for o in own if o.where == "text"), own[0])
            source = text if first.where == "text" else title
            core.append(TermMatch(term.term, count, _snippet(source, first.start, first.end),
                                  term.weight * (1 + math.log2(len(own))) * boost, in_head, "core", owners))
        else:
            kind = "cited" if all(o.cited for o in occs) else "foreign"
            secondary.append(TermMatch(term.term, count, snippet, min(term.weight, SECONDARY_WEIGHT),
                                       bool(title_spans), kind, owners))
    if attributing and topic.structure is not None:
        # A word of another subject (a coach, a title defence, 売上高) vetoes the structure, the weakest evidence: its
        # phrasings (defense strategy, security plan) are those subjects' own words too, and a flat subtraction once
        # could not outweigh a phrase scored in the headline and the text (15).
        # Japan's document touched on in passing or as the yardstick of another government's, in a story that government
        # heads (改定にあたっては日本の国家安全保障戦略も参考にした, audit7), is context as its name is.
        weighed = [(o, w) for o, w in _structure(topic, title_t, body_t, attributed, lead)
                   if not vetoed and not (others and _backdrop(title_t if o.where == "title" else body_t, o.where,
                                                              o.start, o.end, others, home))
                   and not _in_passing(title_t if o.where == "title" else body_t, o.start, o.end, foreign)]
        if weighed:
            found = [o for o, _ in weighed]
            occurrences[topic.structure.label] = found
            # A phrase the headline names in short as the home's, as for a term ("Japan's new security strategy" over
            # "Japan's revised security strategy will …": 5.8, audit15): the body's phrase is the headline's document.
            nouns = _noun_pattern(topic.structure.nouns)
            in_head = any(o.where == "title" for o in found) or any(
                n.group().lower() in named for o in found for n in nouns.finditer(text, o.start, o.end))
            first = next((o for o in found if o.where == "text"), found[0])
            source = text if first.where == "text" else title
            boost = topic.title_boost if in_head else 1.0
            # One match of the set's name is worth the set's names: 3文書の前倒し改定 is 3文書の改定.
            weight = max(w for _, w in weighed)
            core.append(TermMatch(topic.structure.label, len(found), _snippet(source, first.start, first.end),
                                  weight * (1 + math.log2(len(found))) * boost, in_head,
                                  "structure", _owners(found)))
    if any(m.kind == "structure" for m in core):
        # "26年版防衛白書は、政府が年内に安全保障戦略を改定する方針を記した" is news of the revision, the white paper its
        # source: it scored 4.5 where the sentence alone scores 6.5 (audit13).
        context = [replace(m, points=0.0) if m.kind == "against" and m.term in reports else m for m in context]
    # Without a core term of its own nothing counts; someone else's documents are still shown
    # (at 0 points) so that a reviewer sees why a US strategy story is not relevant.
    matches = core + secondary + context if core else [replace(m, points=0.0) for m in secondary]
    matches.sort(key=lambda m: (-m.points, m.term))
    total = sum(m.points for m in matches)
    score = Score(topic.key, total, total >= topic.threshold, tuple(matches), topic.threshold)
    return _Trace(score, occurrences, article_owner)


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
    scores = [_score(title_n, text_n, topic).score for topic in topics.values()]
    scores.sort(key=lambda s: (-s.score, s.topic))
    return scores


def best(scores: Iterable[Score]) -> Score | None:
    """The highest score, or ``None`` when there are none or nothing matched at all (a score of
    0 with someone else's documents matched is still returned: it has evidence to show)."""
    top = max(scores, key=lambda s: (s.score, bool(s.matches)), default=None)
    return top if top is not None and (top.score > 0 or top.matches) else None


def explain(title: str | None, text: str, topics: Mapping[str, Topic],
            probabilities: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The full scoring trace of an article, as plain data (JSON-ready) for ``newsmon explain``
    and the review UI.

    Args:
        title, text: as for :func:`score_article`.
        topics: topics by key.
        probabilities: the classifier's probability of relevance per topic key, if a model is
            trained (``crawler.relevance``); shown beside the rules, never instead of them.

    Returns:
        ``{"best": topic key or None, "topics": [...]}``, best topic first; each topic:
        ``{topic, name, score, threshold, relevant, probability, article_owner, matches: [{term,
        kind, count, points, in_title, snippet, attribution, owners: [{owner, label, count, cue}],
        occurrences: [{where, start, end, owner, label, how, cue, cited, sentence}]}]}``.
    """
    title_n, text_n = normalise(title or ""), normalise(text or "")
    traces = [_score(title_n, text_n, topic) for topic in topics.values()]
    # The topic score_article stores (best(), over the topics in the same order): a score of 0
    # with someone else's documents matched is still the article's topic.
    chosen = best(t.score for t in traces)
    traces.sort(key=lambda t: (-t.score.score, t.score.topic))
    attrib = attributor()
    # Each source's sentence starts once: found again for every occurrence, an article of many
    # matches took quadratic time (a 21 KB one 4 s, a 400 KB one 20 minutes on its review page).
    starts = {"title": attrib.sentences(title_n), "text": attrib.sentences(text_n)}
    out: list[dict[str, Any]] = []
    for trace in traces:
        score, topic = trace.score, topics[trace.score.topic]
        matches = []
        for m in score.matches:
            occs = []
            for occ in trace.occurrences.get(m.term, []):
                source = title_n if occ.where == "title" else text_n
                sentences = starts["title" if occ.where == "title" else "text"]
                i = bisect.bisect_right(sentences, occ.start) - 1
                hi = sentences[i + 1] if i + 1 < len(sentences) else len(source)
                occs.append({"where": occ.where, "start": occ.start, "end": occ.end, "owner": occ.owner,
                             "label": attrib.label(occ.owner), "how": occ.how, "cue": occ.cue,
                             "cited": occ.cited, "sentence": source[sentences[i]:hi].strip()})
            matches.append({"term": m.term, "kind": m.kind, "count": m.count, "points": round(m.points, 3),
                            "in_title": m.in_title, "snippet": m.snippet, "attribution": m.attribution(),
                            "owners": [{"owner": o.owner, "label": o.label, "count": o.count, "cue": o.cue}
                                       for o in m.owners],
                            "occurrences": occs})
        owner = trace.article_owner
        out.append({
            "topic": score.topic, "name": topic.name, "score": round(score.score, 3),
            "threshold": score.threshold, "relevant": score.relevant,
            "probability": (probabilities or {}).get(score.topic),
            "home": topic.home,
            "article_owner": None if owner is None or owner.owner is None else
            {"owner": owner.owner, "label": attrib.label(owner.owner), "cue": owner.cue},
            "matches": matches,
        })
    return {"best": chosen.topic if chosen else None, "topics": out}


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


def _invisible(form: str) -> str | None:
    """The first invisible character of ``form`` that NFKC keeps (format characters: zero-width
    space and joiners, BOM, soft hyphen, word joiner; variation selectors, the ideographic ones too:
    葛󠄀 pasted from a page that asks for its glyph is 葛 and U+E0100, and matched no article's 葛), named;
    ``None``."""
    for ch in nfkc(form):
        if unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
            return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()
    return None


def _no_invisible(form: str, where: str, fail: Callable[[str, str, str], TopicError]) -> None:
    """Refuse a form of a topic (a term, a variant, a word a term needs, a word of the structure) that
    holds an invisible character: pasted from a web page or a spreadsheet (a zero-width space, a BOM,
    a soft hyphen), it looks right in the file and matched no article, the topic scoring nothing (a
    term that ``needs`` it never counted)."""
    hidden = _invisible(form)
    if hidden:
        raise fail(where, f"{form!r} holds an invisible character, {hidden}, which no article's words have between "
                   "their letters", "delete it (retype the word)")


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
    against = spec.get("against", [])
    if not isinstance(against, list):
        raise fail("against", "must be a list of terms", 'e.g. against = [ { term = "災害派遣", weight = 2 } ]')
    terms = [_term(entry, f"terms[{i}]", False, fail) for i, entry in enumerate(spec["terms"])]
    terms += [_term(entry, f"context[{i}]", True, fail) for i, entry in enumerate(context)]
    terms += [_term(entry, f"against[{i}]", True, fail, against=True) for i, entry in enumerate(against)]
    # Forms that differ only in case, spaces, hyphens or ・ match the same text: one term each.
    seen: dict[str, str] = {}
    for term in terms:
        for form in term.forms:
            owner = seen.setdefault(_key(normalise(form)), term.term)
            if owner != term.term:
                raise fail("terms/context", f"match {form!r} under both {owner!r} and {term.term!r}",
                           "keep it under one term only")
    home = spec.get("home")
    if home is not None:
        known = attributor().labels  # cached: scoring needs the same actors next
        if home not in known:
            raise fail("home", f"is not a known actor: {home!r}", f"use one of {', '.join(sorted(known))} "
                       "(crawler/actors.toml)")
    structure = _structure_spec(spec.get("structure"), fail) if spec.get("structure") is not None else None
    if structure is not None and home is None:
        raise fail("structure", "needs a home", 'add home = "JP": the structure must be attributed to someone')
    return Topic(key=key, name=name, description=description, threshold=float(threshold),
                 title_boost=float(boost), terms=tuple(terms), home=home, structure=structure)


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", r"[\s\-]+") for f in sorted(forms, key=len, reverse=True))


def _structure_spec(spec: Any, fail: Callable[[str, str, str], TopicError]) -> Structure:
    example = 'e.g. [topics.KEY.structure] weight = 5, qualifiers = ["安全保障"], nouns = ["戦略"], verbs = ["改定"]'
    if not isinstance(spec, Mapping):
        raise fail("structure", f"must be a table, got {spec!r}", example)
    unknown = sorted(set(spec) - _STRUCTURE_FIELDS)
    if unknown:
        raise fail("structure", f"has unknown field(s) {', '.join(unknown)}",
                   f"use only {', '.join(sorted(_STRUCTURE_FIELDS))}")
    lists: dict[str, list[str]] = {}
    for name in ("qualifiers", "nouns", "verbs", "exclude", "sets", "clause_words", "clause_verbs", "own_qualifiers",
                 "policy_nouns"):
        optional = name in ("exclude", "sets", "clause_words", "clause_verbs", "own_qualifiers", "policy_nouns")
        value = spec.get(name, [] if optional else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value) or (
                not value and not optional):
            raise fail(f"structure.{name}", "must be a non-empty list of strings", example)
        for i, v in enumerate(value):
            _no_invisible(v, f"structure.{name}[{i}]", fail)
        lists[name] = [normalise(v) for v in value]
    weight, gap = spec.get("weight"), spec.get("gap", 10)
    if not _number(weight) or weight <= 0:
        raise fail("structure.weight", f"must be a number above 0, got {weight!r}", example)
    set_weight = spec.get("set_weight", weight)
    if not _number(set_weight) or set_weight <= 0:
        raise fail("structure.set_weight", f"must be a number above 0, got {set_weight!r}",
                   "e.g. set_weight = 6 (what a match of one of the sets weighs)")
    if not isinstance(gap, int) or isinstance(gap, bool) or gap < 0:
        raise fail("structure.gap", f"must be a whole number of characters, got {gap!r}", "e.g. gap = 10")
    clause_gap = spec.get("clause_gap", 2 * gap)
    if not isinstance(clause_gap, int) or isinstance(clause_gap, bool) or clause_gap < 0:
        raise fail("structure.clause_gap", f"must be a whole number of characters, got {clause_gap!r}",
                   "e.g. clause_gap = 24")
    if not set(lists["own_qualifiers"]) <= set(lists["qualifiers"]):
        raise fail("structure.own_qualifiers", "must be some of its qualifiers",
                   f"drop {', '.join(sorted(set(lists['own_qualifiers']) - set(lists['qualifiers'])))} or add it "
                   "to qualifiers")
    if bool(lists["clause_words"]) != bool(lists["clause_verbs"]):
        raise fail("structure.clause_words/clause_verbs", "must be given together",
                   'e.g. clause_words = ["方針"], clause_verbs = ["定めた"]')

    def split(forms: list[str]) -> tuple[list[str], list[str]]:
        return [f for f in forms if not f.isascii()], [f for f in forms if f.isascii()]

    (q_ja, q_en), (n_ja, n_en), (v_ja, v_en) = (split(lists[k]) for k in ("qualifiers", "nouns", "verbs"))
    phrases = []
    if q_ja and n_ja:
        # Japanese: qualifier, at most ``gap`` characters of the same clause, noun. Not across は: the
        # qualifier is then the sentence's topic, not the noun's (防衛省は…の採用計画を見直す).
        phrases.append(rf"(?:{_alternation(q_ja)})[^。、,.!?!?「」\nは]{{0,{gap}}}?(?:{_alternation(n_ja)})")
    if q_ja and n_ja and lists["clause_words"]:
        # A longer clause that defines the document: the qualifier's own policy right after it (安全保障政策の
        # 基本理念, 防衛力の整備規模), up to ``clause_gap`` characters in all, and a verb of defining right before
        # the noun (…を定めた戦略, …に位置づけられる戦略).
        stop, noun = "[^。、,.!?!?「」\nは]", f"(?:{_alternation(lists['clause_verbs'])})(?:{_alternation(n_ja)})"
        phrases.append(rf"(?:{_alternation(q_ja)})(?={stop}{{0,{clause_gap}}}?{noun}){stop}{{0,3}}?の{stop}{{0,6}}?"
                       rf"(?:{_alternation(lists['clause_words'])}){stop}*?{noun}")
    if q_ja and lists["policy_nouns"]:
        # The documents as the papers describe them, the policy's guide right after it (安保政策の指針, 外交・安全保障
        # 政策の長期指針, 安全保障政策の基本方針): the nouns apart from it are the export rules' 運用指針 and the economic
        # security act's 基本方針 (audit4, audit15).
        phrases.append(rf"(?:{_alternation(q_ja)})政策の(?:{_alternation(lists['policy_nouns'])})")
    if q_en and n_en:
        # English: qualifier, at most two more words, noun ("security-related documents",
        # "core security policy papers").
        phrases.append(rf"(?<![A-Za-z])(?:{_alternation(q_en)})(?:[\s\-]+[A-Za-z'’\-]+){{0,2}}?[\s\-]+"
                       rf"(?:{_alternation(n_en)})(?![A-Za-z])")
    set_phrase = None
    if lists["sets"]:
        # The set by its number needs no qualifier (3文書, 三文書); not 13文書; "3 文書" as sites space digits.
        sets = "|".join("".join(_chars(f)) for f in sorted(lists["sets"], key=len, reverse=True))
        set_phrase = rf"(?P<set>(?<![0-9A-Za-z])(?:{sets})(?![A-Za-z]))"
        phrases.append(set_phrase)
    # An English verb is a stem with any ending (revis: revise, revised, revision), but not an adjective of what can be
    # done ("reviewable"): no revision of anything.
    verbs = ([_alternation(v_ja)] if v_ja else []) + (
        [f"(?<![A-Za-z])(?:{_alternation(v_en)})(?![a-z]*ables?(?![a-z]))[a-z]*"] if v_en else [])
    exclude = re.compile(_alternation(lists["exclude"]), re.IGNORECASE) if lists["exclude"] else None
    label = spec.get("label", "document revision")
    if not isinstance(label, str) or not label.strip():
        raise fail("structure.label", f"must be a non-empty string, got {label!r}", 'e.g. label = "document revision"')
    return Structure(label=label, weight=float(weight), phrase=re.compile("|".join(phrases), re.IGNORECASE),
                     verb=re.compile("|".join(verbs), re.IGNORECASE), exclude=exclude,
                     verbs=tuple(lists["verbs"]), qualifiers=tuple(lists["qualifiers"]),
                     nouns=tuple(lists["nouns"]), sets=tuple(lists["sets"]), set_weight=float(set_weight),
                     set_phrase=re.compile(set_phrase, re.IGNORECASE) if set_phrase else None,
                     own_qualifiers=tuple(lists["own_qualifiers"]), policy_nouns=tuple(lists["policy_nouns"]))


def _term(entry: Any, name: str, context: bool, fail: Callable[[str, str, str], TopicError],
          against: bool = False) -> Term:
    if not isinstance(entry, Mapping):
        raise fail(name, f"must be a table, got {entry!r}", f"write {_TERM_EXAMPLE}")
    unknown = sorted(set(entry) - _TERM_FIELDS)
    if unknown:
        raise fail(name, f"has unknown field(s) {', '.join(unknown)}",
                   f"use only term, weight, variants, document, own: {_TERM_EXAMPLE}")
    text = entry.get("term")
    variants = entry.get("variants", [])
    if not isinstance(variants, list):
        raise fail(f"{name}.variants", f"must be a list of strings, got {variants!r}", f"e.g. {_TERM_EXAMPLE}")
    for label, form in [("term", text), *((f"variants[{i}]", v) for i, v in enumerate(variants))]:
        if not isinstance(form, str) or not normalise(form).strip(_SEPARATORS + "・"):
            raise fail(f"{name}.{label}", f"must be a non-empty string, got {form!r}",
                       f"e.g. {_TERM_EXAMPLE}")
        _no_invisible(form, f"{name}.{label}", fail)
    weight = entry.get("weight")
    # An against word of weight 0 only names another subject for a sentence's ``needs`` (an economic package's sum):
    # it subtracts nothing from an article that tells of the topic beside it.
    if not _number(weight) or weight < 0 or weight == 0 and not against:
        raise fail(f"{name}.weight", f"of {text!r} must be a number above 0{' (or 0)' if against else ''}, "
                   f"got {weight!r}", f"e.g. {_TERM_EXAMPLE}")
    document = entry.get("document", False)
    if not isinstance(document, bool):
        raise fail(f"{name}.document", f"must be true or false, got {document!r}", f"e.g. {_TERM_EXAMPLE}")
    own = entry.get("own", False)
    if not isinstance(own, bool):
        raise fail(f"{name}.own", f"must be true or false, got {own!r}", f"e.g. {_TERM_EXAMPLE}")
    needs = _words(entry, f"{name}.needs", 'e.g. { term = "43兆円", weight = 4, needs = ["防衛", "defense"] }', fail)
    unless = _words(entry, f"{name}.unless",
                    'e.g. { term = "3.5% of GDP on defense", weight = 6, unless = ["allies", "urge"] }', fail)
    veto = entry.get("veto", False)
    if not isinstance(veto, bool) or (veto and not against):
        raise fail(f"{name}.veto", f"must be true or false, and only on an against term, got {veto!r}",
                   '{ term = "coach", weight = 3, veto = true }')
    reports = entry.get("reports", False)
    if not isinstance(reports, bool) or (reports and not against):
        raise fail(f"{name}.reports", f"must be true or false, and only on an against term, got {reports!r}",
                   '{ term = "防衛白書", weight = 2, reports = true }')
    law = entry.get("law", False)
    if not isinstance(law, bool) or (law and (context or against or document)):
        raise fail(f"{name}.law", f"must be true or false, and only on a core term that names no document, "
                   f"got {law!r}", '{ term = "能動的サイバー防御", weight = 3, law = true }')
    return Term(term=text, weight=float(weight), variants=tuple(variants), context=context, document=document,
                against=against, own=own, needs=needs, unless=unless, veto=veto, reports=reports, law=law)


def _words(entry: dict, field: str, example: str, fail: Callable[[str, str, str], Exception]) -> tuple[str, ...]:
    """A term's list of words (``needs``, ``unless``) at ``field``, normalised and lower-cased as sentences are."""
    words = entry.get(field.rsplit(".", 1)[1], [])
    if not isinstance(words, list) or not all(isinstance(w, str) and normalise(w).strip() for w in words):
        raise fail(field, f"must be a list of words, got {words!r}", example)
    for i, word in enumerate(words):
        _no_invisible(word, f"{field}[{i}]", fail)
    return tuple(normalise(w).lower() for w in words)
