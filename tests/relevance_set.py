"""The labelled relevance development set (tests/fixtures/relevance/*.jsonl), for tests and bench.

Two files, one case a line: ``id``, ``lang``, ``family``, ``label`` (1 relevant to the
defense-strategy topic, 0 not) and ``source`` (where the case comes from), and

- ``written.jsonl``: ``title`` and ``text`` written by us after reading the real article at
  ``source`` (its facts and vocabulary, our words; the wire-style ones say so in ``note``);
- ``saved.jsonl``: ``saved``, a page in tests/fixtures/saved (MANIFEST.tsv); its title and text
  are the page's ground truth where it has one, else what ``extract_article`` gives.

Families: positives ``jp-documents``, ``jp-structure`` (phrasings outside the term list),
``wire-short``, ``jp-policy``, ``jp-vs-foreign``; hard negatives ``foreign-*`` (other
governments' documents), ``whitepaper-relief``, ``equipment-export``, ``economic-security``,
``food-security``, ``title-defense``, ``self-defense-law``, ``sdf-relief``, ``mod-scandal``,
``corporate``, ``nk-launch``; and ``ordinary`` news.

A third file, ``heldout.jsonl``, has the same fields and families: cases written by readers who
had not read the rules, never tuned against (``heldout.md``), for the figures a development set
cannot give.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache

from .saved import FIXTURES, SAVED, saved_bytes, saved_json

RELEVANCE = FIXTURES / "relevance"


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    family: str
    label: int
    title: str
    text: str
    source: str

    @property
    def foreign(self) -> bool:
        return self.family.startswith("foreign-")


def _manifest_urls() -> dict[str, str]:
    import csv

    text = (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8")
    return {r["local_file"]: r["original_url_if_known"] or None for r in csv.DictReader(text.splitlines(),
                                                                                        delimiter="\t")}


def saved_article(relpath: str) -> tuple[str, str]:
    """(title, text) of a saved page: its ground truth where there is one, else our extraction."""
    if relpath == "seed-article.txt":
        # The naive extraction's sidebar is cut as tests/test_scoring.py does (PROVENANCE.md).
        raw = (SAVED / "seed-article.txt").read_text(encoding="utf-8")
        title, _, body = raw.partition("\n")
        return title, body.split('"World" POPULAR ARTICLE')[0]
    stem = relpath.removesuffix(".html")
    if relpath.startswith("fundus-jp/"):
        v1 = saved_json(stem + ".json")["V1"]
        return v1["title"], "\n".join(p for s in v1["body"]["sections"] for p in s["paragraphs"])
    if relpath.startswith("scrapping-webs/"):
        data = saved_json(stem + ".json")["parsed_data"]
        return data["title"][0], "\n".join(data["text"])
    if relpath.startswith("scrapinghub-benchmark/"):
        truth = json.loads(gzip.decompress((SAVED / "scrapinghub-benchmark/ground-truth.json.gz").read_bytes()))
        body = truth[relpath.rsplit("/", 1)[1].removesuffix(".html")]["articleBody"]
        from crawler.extract import extract_article

        article = extract_article(saved_bytes(relpath), None)
        return (article.title if article else "") or "", body
    from crawler.extract import extract_article

    article = extract_article(saved_bytes(relpath), _manifest_urls().get(relpath))
    return (article.title or "", article.text) if article else ("", "")


def _written(name: str, title: str = "title", text: str = "text") -> list[Case]:
    """The cases of ``name`` (a .jsonl of this folder), their words under ``title`` and ``text``."""
    return [Case(rec["id"], rec["lang"], rec["family"], int(rec["label"]), rec[title], rec[text], rec["source"])
            for rec in map(json.loads, (RELEVANCE / name).read_text(encoding="utf-8").splitlines())]


@cache
def load() -> tuple[Case, ...]:
    """Every case of the set, written ones first, in file order."""
    cases = _written("written.jsonl")
    for line in (RELEVANCE / "saved.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        title, text = saved_article(rec["saved"])
        cases.append(Case(rec["id"], rec["lang"], rec["family"], int(rec["label"]), title, text, rec["source"]))
    return tuple(cases)


@cache
def load_heldout() -> tuple[Case, ...]:
    """The held-out cases (``heldout.jsonl``, written by readers of the news who had not read the
    rules: see ``heldout.md``), in file order. Never tuned against."""
    return tuple(_written("heldout.jsonl"))


@cache
def load_heldout_listings() -> tuple[Case, ...]:
    """The held-out listings (``heldout_listings.jsonl``: a feed's or section page's headline,
    with the feed's summary or alone), as cases: title the headline, text the summary."""
    return tuple(_written("heldout_listings.jsonl", "headline", "summary"))


# --- measures (shared by tests/test_relevance.py and bench/relevance) ------------------------

@dataclass(frozen=True)
class Report:
    """The rules' decisions on the set: overall, per family, and the foreign documents."""

    tp: int
    fp: int
    fn: int
    tn: int
    families: dict[str, dict[str, float]]
    foreign_total: int
    foreign_passed: int
    missed: tuple[str, ...]
    passed: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def evaluate(cases: tuple[Case, ...], relevant: dict[str, bool]) -> Report:
    """Score the decisions ``relevant`` (by case id) against the labels.

    Per family: a positive family reports its recall; a negative family its pass rate (the share
    of its cases judged relevant) and its precision, that is the precision of the decisions on
    all positives of the set plus this family's negatives (how precise the scorer is when this
    family is what it must tell the documents from).
    """
    tp = sum(1 for c in cases if c.label and relevant[c.id])
    fp = sum(1 for c in cases if not c.label and relevant[c.id])
    fn = sum(1 for c in cases if c.label and not relevant[c.id])
    tn = len(cases) - tp - fp - fn
    families: dict[str, dict[str, float]] = {}
    for family in sorted({c.family for c in cases}):
        members = [c for c in cases if c.family == family]
        positives = [c for c in members if c.label]
        negatives = [c for c in members if not c.label]
        row: dict[str, float] = {"cases": len(members), "positives": len(positives)}
        if positives:
            row["recall"] = sum(relevant[c.id] for c in positives) / len(positives)
        if negatives:
            passed = sum(relevant[c.id] for c in negatives)
            row["passed"] = passed
            row["pass_rate"] = passed / len(negatives)
            row["precision"] = tp / (tp + passed) if tp + passed else 0.0
        families[family] = row
    foreign = [c for c in cases if c.foreign and not c.label]
    return Report(tp, fp, fn, tn, families, len(foreign), sum(relevant[c.id] for c in foreign),
                  tuple(c.id for c in cases if c.label and not relevant[c.id]),
                  tuple(c.id for c in cases if not c.label and relevant[c.id]))


def rules_decisions(cases: tuple[Case, ...], topics) -> dict[str, bool]:
    """Whether the shipped rules find each case relevant to the defense-strategy topic."""
    from crawler.scoring import score_article

    return {c.id: score_article(c.title, c.text, {"defense-strategy": topics["defense-strategy"]})[0].relevant
            for c in cases}


def top_half_share(probabilities: list[float], labels: list[int]) -> float:
    """The share of the positives that a queue ordered by ``probabilities`` puts in its top half."""
    order = sorted(range(len(labels)), key=lambda i: -probabilities[i])
    top = set(order[: len(order) // 2])
    positives = [i for i, label in enumerate(labels) if label]
    return sum(i in top for i in positives) / len(positives) if positives else 0.0
