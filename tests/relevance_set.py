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


@cache
def load() -> tuple[Case, ...]:
    """Every case of the set, written ones first, in file order."""
    cases: list[Case] = []
    for line in (RELEVANCE / "written.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        cases.append(Case(rec["id"], rec["lang"], rec["family"], int(rec["label"]), rec["title"], rec["text"],
                          rec["source"]))
    for line in (RELEVANCE / "saved.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        title, text = saved_article(rec["saved"])
        cases.append(Case(rec["id"], rec["lang"], rec["family"], int(rec["label"]), title, text, rec["source"]))
    return tuple(cases)
