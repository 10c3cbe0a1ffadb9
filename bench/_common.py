"""Shared by the bench scripts: the saved pages, their ground truth, and the two extractors.

"Ours" is ``crawler.extract.extract_article``; "bare" is what a crawler would do without
newsmon: ``trafilatura.extract(html, output_format="json", with_metadata=True)``. Both get
the same bytes and the same URL (from MANIFEST.tsv), so neither is helped by the other's input.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import trafilatura

from crawler.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the saved pages and their readers live in tests/
from tests.saved import (  # noqa: E402,F401  (re-exported)
    SAVED, fundus_truth, generic_truths, leaked_lines, saved_bytes, saved_json,
)
JST = timezone(timedelta(hours=9))
SCRAPINGHUB = "scrapinghub-benchmark/"


def stem(relpath: str) -> str:
    return relpath.removesuffix(".html")


@cache
def manifest() -> dict[str, dict[str, str]]:
    text = (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8")
    return {row["local_file"]: row for row in csv.DictReader(text.splitlines(), delimiter="\t")}


@dataclass(frozen=True)
class Page:
    path: str
    url: str | None
    html: bytes

    @property
    def is_scrapinghub(self) -> bool:
        return self.path.startswith(SCRAPINGHUB)


def article_pages(prefix: str = "") -> list[Page]:
    """Every saved article page (Japanese outlets and the Scrapinghub set), bytes in memory."""
    return [
        Page(path, row["original_url_if_known"] or None, saved_bytes(path))
        for path, row in sorted(manifest().items())
        if row["page_kind"] == "article" and path.startswith(prefix)
    ]


# --- the two extractors --------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    text: str
    title: str | None
    published: str | None


def run_ours(page: Page) -> Result:
    article = extract_article(page.html, page.url)
    if article is None:
        return Result("", None, None)
    # The lead is body text to every ground truth here; Article.text leaves it out.
    text = "\n".join(([article.lead] if article.lead else []) + article.paragraphs)
    return Result(text, article.title, article.published_at)


def run_bare(page: Page) -> Result:
    raw = trafilatura.extract(page.html, url=page.url, output_format="json", with_metadata=True)
    if raw is None:
        return Result("", None, None)
    doc = json.loads(raw)
    return Result(doc.get("text") or "", doc.get("title"), doc.get("date"))


EXTRACTORS = {"ours": run_ours, "bare": run_bare}


# --- ground truth --------------------------------------------------------------------------


@cache
def _scrapinghub_truth() -> dict[str, str]:
    data = saved_json(SCRAPINGHUB + "ground-truth.json")
    return {key: item["articleBody"] for key, item in data.items()}


def scrapinghub_truth(path: str) -> str:
    return _scrapinghub_truth()[path.rsplit("/", 1)[1].removesuffix(".html")]


@dataclass(frozen=True)
class MetaTruth:
    """A page's true title and/or publication time; ``has_time`` False: the day only."""

    title: str | None
    published: datetime | date | None
    source: str


def _when(value: str | None) -> datetime | date | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.date() if len(value) <= 10 else parsed


def meta_truths() -> dict[str, MetaTruth]:
    """Title/date ground truth of the Japanese-outlet pages that have any (scraper or hand)."""
    out: dict[str, MetaTruth] = {}
    for path in manifest():
        base = stem(path)
        if path.startswith("fundus-jp/") and (SAVED / (base + ".json")).exists():
            v1 = saved_json(base + ".json")["V1"]
            out[path] = MetaTruth(v1["title"], _when(v1["publishing_date"]), "fundus")
        elif path.startswith("scrapping-webs/"):
            data = saved_json(base + ".json")["parsed_data"]
            out[path] = MetaTruth(data["title"][0], _when(data["published_at"][0]), "scrapping-webs")
        elif path.startswith("trafilatura-eval/") and (SAVED / (base + ".json")).exists():
            data = saved_json(base + ".json")
            out[path] = MetaTruth(data["title"], _when(data["date"]), "trafilatura-eval")
        elif path.startswith("postlight-parser/") and (SAVED / (base + ".expected.json")).exists():
            data = saved_json(base + ".expected.json")
            out[path] = MetaTruth(data["title"], _when(data["date_published"]), "postlight-parser")
        elif path.startswith("htmldate-eval/") and (SAVED / (base + ".json")).exists():
            out[path] = MetaTruth(None, _when(saved_json(base + ".json")["date"]), "htmldate-eval")
        elif path.startswith("lakeoffire/") and path.endswith(".html"):
            out[path] = MetaTruth(saved_json(base + ".expected.json")["title"], None, "lakeoffire")
    return out


# --- measures ------------------------------------------------------------------------------


def same_title(found: str | None, truth: str) -> bool:
    """Equal after NFKC (full-width forms) and collapsing whitespace."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).split())
    return found is not None and norm(found) == norm(truth)


def same_day(found: str | None, truth: datetime | date) -> bool:
    """Same calendar day in Japan time (a date-only value is taken as already local)."""
    when = _parse_found(found)
    if when is None:
        return False
    return _jst_day(when) == _jst_day(truth)


def same_minute(found: str | None, truth: datetime) -> bool:
    """The same instant to the minute; a found value without a time never matches."""
    when = _parse_found(found)
    if not isinstance(when, datetime):
        return False

    def minute(value: datetime) -> datetime:
        value = value if value.tzinfo else value.replace(tzinfo=JST)
        return value.astimezone(timezone.utc).replace(second=0, microsecond=0)
    return minute(when) == minute(truth)


def _parse_found(value: str | None) -> datetime | date | None:
    try:
        return _when(value)
    except ValueError:
        return None


def _jst_day(when: datetime | date) -> date:
    if isinstance(when, datetime):
        return (when.astimezone(JST) if when.tzinfo else when).date()
    return when


def has_time(when: datetime | date | None) -> bool:
    return isinstance(when, datetime)
