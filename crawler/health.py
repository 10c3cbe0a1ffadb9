"""Per-page health signals, measured where a page is extracted, and the per-outlet counts of a run.

Each fetched page is classified in the extraction worker (``analyse``) as it is extracted: no
article found, no title, no date, (almost) no text, and, for an outlet that has rules, whether
they matched or the page was read without them. For the first few rules-extracted pages of each
outlet and run, the generic extractor also reads the page and the two texts are compared
(character-bigram F1): rules that still match but select the wrong block show up there.

The pipeline adds the signals to per-outlet stats (``newsmon/outlet/<key>/<signal>``); the run
ledger stores them per outlet (``outlet_runs``) and ``storage.health`` judges the outlet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storage.health import COUNTS

from . import store
from .encoding import garbled
from .extract import BODY_METHOD_PREFIX, GENERIC_METHOD, extract_article
from .outcome import Problem, no_article_problem
from .outlets import Outlet
from .similarity import bigram_f1

#: Below this many characters of text, an article that is not a paywalled teaser is "empty".
SHORT_TEXT = 100
#: Rules and generic extraction "disagree" on a page below this bigram F1. On the saved pages
#: the two agree at 0.85-1.0 where the rules are right; the few below 0.5 are paywalled
#: teasers (not cross-checked) and photo captions.
DISAGREE_F1 = 0.5

#: Two readings of one article, by one method, from its page before and after its outlet changed
#: the markup, differ by that change: a line the new markup puts in the text (an "(更新)" label of
#: Nikkei's made a <div>: F1 0.997). With every <p> of the 72 saved rule pages made a <div>, 55
#: readings are this close (49 identical). An edit as small, made as the markup changed, is not
#: seen: a figure corrected (0.998), a clause added (0.996); a sentence added is (0.988).
SAME_ARTICLE_F1 = 0.99

_NO_RULES: dict[str | None, dict[str, Outlet]] = {}
_BODY_ONLY: dict[str | None, dict[str, Outlet]] = {}
# An XPath that selects nothing: rules' paragraphs that read none of their body.
_NO_PARAGRAPHS = "./*[false()]"


def _without_rules(config_path: str | None) -> dict[str, Outlet]:
    if config_path not in _NO_RULES:
        outlets = store.outlets_of(config_path)
        _NO_RULES[config_path] = {k: dataclasses.replace(o, rules=()) for k, o in outlets.items()}
    return _NO_RULES[config_path]


def _body_only(config_path: str | None) -> dict[str, Outlet]:
    """The outlets, their rules' paragraph selectors naming nothing: a page whose body a rule
    finds is read a line a block of that body, as a page its rules missed is (``body:`` methods)."""
    if config_path not in _BODY_ONLY:
        _BODY_ONLY[config_path] = {
            k: dataclasses.replace(o, rules=tuple(dataclasses.replace(r, paragraphs=_NO_PARAGRAPHS) for r in o.rules))
            for k, o in store.outlets_of(config_path).items()}
    return _BODY_ONLY[config_path]


def reading_of(method: str | None) -> str | None:
    """How a page read by ``method`` was read when its rules were not: ``generic`` (set aside),
    ``body`` (their body read a line a block), else ``None`` (as any page is)."""
    if method == GENERIC_METHOD:
        return "generic"
    if method and method.startswith(BODY_METHOD_PREFIX):
        return "body"
    return None


def signals(record: Mapping[str, Any] | None, body: bytes, url: str, http_charset: str | None = None,
            config_path: str | None = None, crosscheck: bool = False) -> dict[str, int]:
    """The health signals of one extracted page (``record`` as ``store.analyse`` gives it)."""
    if record is None:
        return {"no_article": 1}
    out: dict[str, int] = {}
    if not record.get("title"):
        out["no_title"] = 1
    if not record.get("published_at"):
        out["no_date"] = 1
    text = record.get("text") or ""
    if garbled(f"{record.get('title') or ''}\n{text}", record.get("language")):
        out["garbled"] = 1
    if record.get("paywalled"):
        out["paywalled"] = 1
    elif len("".join(text.split())) < SHORT_TEXT:
        out["short_text"] = 1
    outlets = store.outlets_of(config_path)
    outlet = outlets.get(record.get("outlet") or "")
    if outlet is None or not outlet.rules:
        return out
    out["rules_expected"] = 1
    if not str(record.get("method", "")).startswith("rules:"):
        out["rules_missed"] = 1
    elif crosscheck and not record.get("paywalled"):
        # Text against text: the quick generic pass gives the same verdicts on the saved outlet
        # pages (the same 5 of 61 below DISAGREE_F1) in half the time (80 ms a page, not 174).
        generic = extract_article(body, url, http_charset=http_charset, outlets=_without_rules(config_path),
                                  fast=True)
        out["crosschecked"] = 1
        if bigram_f1(generic.text if generic else "", text) < DISAGREE_F1:
            out["disagreed"] = 1
    return out


def analyse(body: bytes, url: str, http_charset: str | None = None, config_path: str | None = None,
            crosscheck: bool = False, story_features: bool = True, more: Sequence[tuple[bytes, str, str | None]] = (),
            ) -> tuple[dict[str, Any] | None, dict[str, int], Problem | None]:
    """``store.analyse`` plus the page's health signals, and why there is no article when there
    is none (``outcome.no_article_problem``). Runs in the extraction workers. ``more``: the
    article's next pages (``store.analyse``)."""
    record = store.analyse(body, url, http_charset, config_path, story_features, more)
    problem = no_article_problem(body, http_charset) if record is None else None
    return record, signals(record, body, url, http_charset, config_path, crosscheck), problem


def reads_as(body: bytes, url: str, http_charset: str | None, config_path: str | None, reading: str | None,
             title: str | None, text: str, more: Sequence[tuple[bytes, str, str | None]] = ()) -> bool:
    """Whether a page (and its next pages, ``more``) read now as a page its rules missed is
    (``reading``: ``generic``, by generic extraction alone; ``body``, its rules' body a line a
    block; ``reading_of``) or else as any page is, gives the article ``title`` and ``text``: the
    same title, the texts within ``SAME_ARTICLE_F1``. A revisit read by another method than its
    article was stored by reads the stored pages so (``pipelines``), to tell a change of the
    article from one of its reading."""
    outlets = {"generic": _without_rules, "body": _body_only}.get(reading or "", store.outlets_of)(config_path)
    read = store.read_pages(body, url, http_charset, outlets, more)
    return read is not None and read[0].title == title and bigram_f1(read[0].text, text) >= SAME_ARTICLE_F1


_READERS: dict[str, Any] = {}


def analyse_stored(db_file: str, page_id: int, url: str, http_charset: str | None = None,
                   config_path: str | None = None, crosscheck: bool = False, story_features: bool = True,
                   ) -> tuple[dict[str, Any] | None, dict[str, int], Problem | None]:
    """``analyse`` of a page the crawl has stored (``store.keep_page``), read from the database
    here, in the worker (one connection per worker and file, used only to read)."""
    from storage import open_db, queries

    if db_file not in _READERS:
        _READERS[db_file] = open_db(db_file, migrate=False)
    stored = queries.page_body(_READERS[db_file], page_id)
    if stored is None:  # pruned in between: nothing to extract; the URL is tried again
        return None, {}, Problem("extract_failed", f"the stored page {page_id} is gone")
    return analyse(stored[1], url, http_charset, config_path, crosscheck, story_features)


def warm(config_path: str | None = None, generic: bool = False) -> None:
    """Load what extraction needs in a new worker (outlets, topics, the extractors), before pages
    come; with ``generic``, also what the first page without rules would build (``generic.warm``:
    0.4 s, for a crawl of an outlet without rules)."""
    analyse(b"<html><head><title>newsmon</title></head><body><p>" + "防衛 defense ".encode() * 40
            + b"</p></body></html>", "https://warm.invalid/a", None, config_path)
    if generic:
        from . import generic as generic_path

        generic_path.warm()


def stat_key(outlet: str, name: str) -> str:
    return f"newsmon/outlet/{outlet}/{name}"


def outlet_counts(stats: Mapping[str, Any], outlets: Iterable[str]) -> dict[str, dict[str, int]]:
    """The ``outlet_runs`` counts of each outlet from a crawl's stats."""
    return {o: {name: int(stats.get(stat_key(o, name), 0)) for name in COUNTS} for o in outlets}
