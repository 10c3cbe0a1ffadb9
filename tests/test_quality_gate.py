"""Extraction quality gate over the saved real pages (as trafilatura's ``tests/eval_gate.py``).

Three checks, each against ground truth that ships with the pages (see saved/PROVENANCE.md):

* every Fundus page, and every newspaper4k page (Nikkei, AFPBB; newspaper4k's expected body
  text), reaches a character-bigram F1 of ``FUNDUS_FLOOR``;
* on the English Scrapinghub benchmark, ``extract_article`` is no worse on average than bare
  ``trafilatura.extract`` measured in the same run, and no lower than pinned floors;
* no page's text carries a boilerplate marker (rankings, "related", share bars, paywall
  prompts) that its ground truth does not, and the with/without snippets hold.

A floor that fails because an outlet's rules are not written yet is the gate doing its job:
write the rules, do not lower the floor. Each page is extracted once per session (``_ours``,
``_bare`` are cached), so the whole file runs in a few seconds.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from functools import cache
from statistics import fmean

import pytest
import trafilatura

from crawler.article import Article
from crawler.extract import extract_article
from crawler.similarity import bigram_prf, word_prf

from .saved import SAVED, fundus_truth, generic_truths, leaked_lines, saved_bytes, saved_json

# Fundus's expected bodies are hand-checked; 0.98 leaves room for whitespace, a stray caption.
FUNDUS_FLOOR = 0.98
# Mean over the 91 Scrapinghub pages, measured 2026-11-25 with trafilatura 2.3.1 / lxml 6.1.3
# (`pytest tests/test_quality_gate.py`, bench/quality prints the same figures): ours bigram
# F1 0.9628, word F1 0.9676; bare trafilatura 0.9600 / 0.9649. Pinned a little under ours.
# Extraction is deterministic, so these only move when the code or trafilatura does.
SCRAPINGHUB_BIGRAM_FLOOR = 0.955
SCRAPINGHUB_WORD_FLOOR = 0.960

# Cues of page furniture (name: pattern). One that the page's ground truth does not contain
# is a leak. Case-sensitive on purpose: "Share" as a word, not "shares" or "market share".
MARKERS = {
    name: re.compile(pattern)
    for name, pattern in {
        "POPULAR ARTICLE": r"POPULAR ARTICLE",
        "ACCESS RANKING": r"ACCESS RANKING",
        "アクセスランキング": r"アクセスランキング",
        "ランキング": r"ランキング",
        "関連記事": r"関連記事",
        "おすすめ": r"おすすめ|オススメ",
        "シェア": r"シェア",
        "Share": r"\bShare\b",
        "RELATED STORIES": r"RELATED STORIES|Related Stories",
        "Most Read": r"Most Read|MOST READ",
        "有料会員": r"有料会員",
        "会員限定": r"会員限定",
        "有料記事": r"有料記事",
        "残りN文字": r"残り\d+文字",
        "続きを読む": r"続きを読む",
        # English paywall prompts (newsletter and YouTube "Subscribe to …" promos are not).
        "subscriber prompt": r"Subscribe (?:now|today|to (?:continue|read))|(?i:already a subscriber"
        r"|subscribers? only|to continue reading)",
    }.items()
}

_MANIFEST = {
    row["local_file"]: row
    for row in csv.DictReader(
        (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t"
    )
}


def _url(page: str) -> str | None:
    return _MANIFEST[page]["original_url_if_known"] or None


def _stem(page: str) -> str:
    return page.removesuffix(".html")


def _pages(prefix: str) -> list[str]:
    return sorted(p for p, row in _MANIFEST.items() if p.startswith(prefix) and row["page_kind"] == "article")


def body_text(article: Article | None) -> str:
    """The article's whole body: lead (if the rules split one out) and paragraphs.

    Ground truths count the lead as body (Fundus ``body.summary``), ``Article.text`` does not.
    A ``None`` is an empty text.
    """
    if article is None:
        return ""
    return "\n".join(([article.lead] if article.lead else []) + article.paragraphs)


@cache
def _ours(page: str) -> Article | None:
    return extract_article(saved_bytes(page), _url(page))


@cache
def _bare(page: str) -> str:
    result = trafilatura.extract(
        saved_bytes(page), url=_url(page), output_format="json", with_metadata=True
    )
    if result is None:
        return ""
    return json.loads(result)["text"] or ""


# --- ground truth --------------------------------------------------------------------------

FUNDUS = _pages("fundus-jp/")
SCRAPINGHUB = _pages("scrapinghub-benchmark/")
SCRAPPING_WEBS = _pages("scrapping-webs/")
IR_RESEARCH = _pages("ir-research-data/")
# newspaper4k's test pages with its expected body (``<page>.txt``): Nikkei's 2018 teaser and the
# AFPBB page of 2018, each read by its outlet's rules.
NEWSPAPER4K = _pages("newspaper4k/")
# The trafilatura pages with their own ``.json`` truth; the rest (evaldata-en-generic.json) are
# part of the generic set below.
TRAFILATURA_EVAL = [p for p in _pages("trafilatura-eval/") if (SAVED / (_stem(p) + ".json")).exists()]


@cache
def _scrapinghub_truth() -> dict[str, str]:
    return {k: v["articleBody"] for k, v in saved_json("scrapinghub-benchmark/ground-truth.json").items()}


def scrapinghub_truth(page: str) -> str:
    return _scrapinghub_truth()[page.rsplit("/", 1)[1].removesuffix(".html")]


def snippets(page: str) -> tuple[list[str], list[str]]:
    """(must appear, must not appear) in the text of a page whose ground truth is snippets."""
    if page.startswith("trafilatura-eval/"):
        data = saved_json(_stem(page) + ".json")
        return data["with"], data["without"]
    if page.startswith("fetch_util/"):
        data = saved_json(_stem(page) + ".expected.json")
        return data["includes"], data["excludes"]
    if page.startswith("lakeoffire/"):
        data = saved_json(_stem(page) + ".expected.json")
        # "<the title>": the headline must not be repeated in the body.
        banned = [data["title"] if s == "<the title>" else s for s in data["content_must_not_contain"]]
        return data["content_contains"], banned
    raise KeyError(page)


SNIPPET_PAGES = TRAFILATURA_EVAL + _pages("fetch_util/") + _pages("lakeoffire/")


def truth_text(page: str) -> str:
    """What the page's ground truth says its text contains (for snippets: only the snippets)."""
    if page in FUNDUS:
        return fundus_truth(page)
    if page in SCRAPINGHUB:
        return scrapinghub_truth(page)
    if page in SCRAPPING_WEBS:
        # The upstream scraper's output, not hand-checked: good enough to say a marker is real.
        return "\n".join(saved_json(_stem(page) + ".json")["parsed_data"]["text"])
    if page in IR_RESEARCH:
        return saved_bytes(_stem(page) + ".gold.txt").decode("cp1252")
    if page in NEWSPAPER4K:
        return newspaper4k_truth(page)
    return "\n".join(snippets(page)[0])


def newspaper4k_truth(page: str) -> str:
    """newspaper4k's expected article text for one of its test pages (UTF-8, blank-line paragraphs)."""
    return saved_bytes(_stem(page) + ".txt").decode("utf-8")


TRUTH_PAGES = FUNDUS + SCRAPINGHUB + SCRAPPING_WEBS + IR_RESEARCH + NEWSPAPER4K + SNIPPET_PAGES


def test_corpus_is_complete():
    # Guards every check below against passing vacuously on a missing or renamed fixture.
    assert len(FUNDUS) == 11
    assert len(SCRAPINGHUB) == 91 and set(_scrapinghub_truth()) >= {
        p.rsplit("/", 1)[1].removesuffix(".html") for p in SCRAPINGHUB
    }
    assert len(SCRAPPING_WEBS) == 30 and len(IR_RESEARCH) == 2 and len(SNIPPET_PAGES) == 4
    assert NEWSPAPER4K == ["newspaper4k/japanese_article.html", "newspaper4k/japanese_article2.html"]
    assert len(GENERIC) == 183 and len(GENERIC_JA) == 22 and len(GENERIC_EN_TITLED) == 70


# --- Fundus: per page ----------------------------------------------------------------------


#: Text a page shows in its article's body that Fundus's ground truth (its parser's output) leaves
#: out and newsmon keeps: compared without it, once it is found in ours.
BEYOND_FUNDUS = {
    # The profiles of the two new executives under the personnel story, a <div> of <br> lines
    # after its paragraphs: the paper's text on the people the story is about (2026-12-05).
    "fundus-jp/Nikkei_2025_01_14.html": ("◇イオン銀行 木坂 有朗氏", "◇イオンフィナンシャルサービス 白川 俊介氏"),
}


@pytest.mark.parametrize("page", FUNDUS, ids=[p.split("/")[-1] for p in FUNDUS])
def test_fundus_page_bigram_f1(page):
    ours = body_text(_ours(page))
    for start in BEYOND_FUNDUS.get(page, ()):
        paragraph = next((line for line in ours.split("\n") if line.startswith(start)), None)
        assert paragraph is not None, f"no paragraph {start!r}…"
        ours = ours.replace(paragraph, "")
    precision, recall, f1 = bigram_prf(ours, fundus_truth(page, readings=False))
    assert f1 >= FUNDUS_FLOOR, f"F1 {f1:.4f} (P {precision:.4f}, R {recall:.4f}) < {FUNDUS_FLOOR}"


@pytest.mark.parametrize("page", NEWSPAPER4K, ids=[p.split("/")[-1] for p in NEWSPAPER4K])
def test_newspaper4k_page_bigram_f1(page):
    # Outlet pages read by rules (nikkei, afpbb) against an upstream expected body: the same
    # floor as Fundus's, and the rules, not generic extraction, must have read them.
    article = _ours(page)
    assert article is not None and article.method.startswith("rules:")
    precision, recall, f1 = bigram_prf(body_text(article), newspaper4k_truth(page))
    assert f1 >= FUNDUS_FLOOR, f"F1 {f1:.4f} (P {precision:.4f}, R {recall:.4f}) < {FUNDUS_FLOOR}"


# --- Scrapinghub: mean, against bare trafilatura and pinned floors --------------------------


@cache
def _scrapinghub_means() -> dict[str, float]:
    ours = [body_text(_ours(p)) for p in SCRAPINGHUB]
    bare = [_bare(p) for p in SCRAPINGHUB]
    truth = [scrapinghub_truth(p) for p in SCRAPINGHUB]
    return {
        "ours_bigram": fmean(bigram_prf(o, t)[2] for o, t in zip(ours, truth)),
        "bare_bigram": fmean(bigram_prf(b, t)[2] for b, t in zip(bare, truth)),
        "ours_word": fmean(word_prf(o, t)[2] for o, t in zip(ours, truth)),
        "bare_word": fmean(word_prf(b, t)[2] for b, t in zip(bare, truth)),
    }


@pytest.mark.parametrize("measure", ["bigram", "word"])
def test_scrapinghub_not_worse_than_bare_trafilatura(measure):
    means = _scrapinghub_means()
    ours, bare = means[f"ours_{measure}"], means[f"bare_{measure}"]
    assert ours >= bare, f"mean {measure} F1: ours {ours:.4f} < bare trafilatura {bare:.4f}"


@pytest.mark.parametrize(
    "measure,floor", [("bigram", SCRAPINGHUB_BIGRAM_FLOOR), ("word", SCRAPINGHUB_WORD_FLOOR)]
)
def test_scrapinghub_floor(measure, floor):
    ours = _scrapinghub_means()[f"ours_{measure}"]
    assert ours >= floor, f"mean {measure} F1 {ours:.4f} < pinned floor {floor}"


# --- Boilerplate markers and snippets ------------------------------------------------------


def leaked_markers(text: str, truth: str) -> list[str]:
    """Markers found in ``text`` that ``truth`` does not contain, with some context."""
    leaks = []
    for name, pattern in MARKERS.items():
        found = pattern.search(text)
        if found and not pattern.search(truth):
            leaks.append(f"{name}: …{text[max(0, found.start() - 30):found.end() + 30]}…")
    return leaks


def test_marker_check_can_fail():
    assert leaked_markers("本文。\nアクセスランキング\n1位", "本文。") != []
    assert leaked_markers("Shares rose; market share grew.", "") == []
    assert leaked_markers("ランキング上位", "ランキング上位") == []


@pytest.mark.parametrize("page", TRUTH_PAGES)
def test_no_boilerplate_marker_the_truth_lacks(page):
    leaks = leaked_markers(body_text(_ours(page)), truth_text(page))
    assert not leaks, "\n".join(leaks)


# Snippets whose upstream expectation contradicts a deliberate choice of newsmon. Strict: the
# case fails as soon as the text does contain the snippet, so the entry cannot go stale.
_DISAGREE = {
    ("fetch_util/nhk_article.html", "注目ワード"): (
        "fetch_util's NHK extractor keeps the topic-keyword block; newsmon ends the body at its "
        "heading (extract._STOP) and keeps the keywords as Article.tags"
    ),
}
_SNIPPET_CASES = [
    pytest.param(
        page, wanted, snippet,
        id=f"{page.split('/')[-1]}-{'with' if wanted else 'without'}{i}",
        marks=[pytest.mark.xfail(reason=_DISAGREE[page, snippet], strict=True)]
        if (page, snippet) in _DISAGREE else [],
    )
    for page in SNIPPET_PAGES
    for wanted, group in zip((True, False), snippets(page))
    for i, snippet in enumerate(group)
]


def _norm(text: str) -> str:
    # Whitespace-normalised substring match, as trafilatura's evaluation does.
    return re.sub(r"[\s\u200b\ufeff]+", " ", text).strip()


@pytest.mark.parametrize("page,wanted,snippet", _SNIPPET_CASES)
def test_snippet(page, wanted, snippet):
    text = _norm(body_text(_ours(page)))
    if wanted:
        assert _norm(snippet) in text, f"missing from the text: {snippet!r}"
    else:
        assert _norm(snippet) not in text, f"boilerplate in the text: {snippet!r}"


# --- Pages of sites without rules: generic titles and trailing blocks -------------------------

_GENERIC_TRUTH = generic_truths()
GENERIC = sorted(_GENERIC_TRUTH)
GENERIC_JA = [p for p in GENERIC if not p.startswith(("trafilatura-eval/", "scrapinghub"))]
GENERIC_EN_TITLED = [p for p in GENERIC if p.startswith("trafilatura-eval/")]
# Measured 2026-11-30 with trafilatura 2.3.1 (bench/quality prints the same): titles exact, ours
# 22 of 22 Japanese and 56 of 70 English (bare trafilatura 6 and 41); pages leaking furniture,
# ours 1 / 5 / 0 (Japanese / English trafilatura set / Scrapinghub), bare 5 / 12 / 3.
GENERIC_TITLE_FLOOR = {"ja": 22, "en": 56}
GENERIC_LEAK_CEILING = 6


def _same_title(found: str | None, truth: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).split())
    return found is not None and norm(found) == norm(truth)


@cache
def _bare_title(page: str) -> str | None:
    result = trafilatura.extract(saved_bytes(page), url=_url(page), output_format="json", with_metadata=True)
    return json.loads(result)["title"] if result else None


def test_leak_check_can_fail():
    truth = _GENERIC_TRUTH[GENERIC_EN_TITLED[0]]
    assert leaked_lines("Body.\nRelated Stories\nOther headline", truth) == ["Related Stories"]
    assert leaked_lines("It was related to the newsletter market.", truth) == []


# Pages whose true title is not the headline the page declares (JSON-LD ``headline``,
# ``og:title``), which newsmon trusts before a visible ``<h1>``. Strict: fails once they agree.
_TITLE_DISAGREE = {
    "trafilatura-eval/latimes.com.bloomberg.html": "truth is the <h1>; JSON-LD and <title> give another headline",
    "trafilatura-eval/theatlantic.com.disasters.html": "truth is the <h1>; JSON-LD and og:title give another headline",
    "trafilatura-eval/acpjournals.org.3075.html": "truth leaves out the article's subtitle, which og:title and <h1> hold",
}


@pytest.mark.parametrize("page", [
    pytest.param(p, marks=[pytest.mark.xfail(reason=_TITLE_DISAGREE[p], strict=True)] if p in _TITLE_DISAGREE else [])
    for p in GENERIC if _GENERIC_TRUTH[p].title
])
def test_generic_title_not_worse_than_bare(page):
    truth = _GENERIC_TRUTH[page].title
    article = _ours(page)
    if _same_title(_bare_title(page), truth):
        assert article is not None and _same_title(article.title, truth), (article and article.title, truth)


@pytest.mark.parametrize("page", GENERIC)
def test_generic_leaks_not_worse_than_bare(page):
    truth = _GENERIC_TRUTH[page]
    ours = leaked_lines(body_text(_ours(page)), truth)
    bare = leaked_lines(_bare(page), truth)
    assert len(ours) <= len(bare), f"ours {ours} / bare {bare}"


def test_generic_floors():
    exact = {
        lang: sum(_same_title(_ours(p) and _ours(p).title, _GENERIC_TRUTH[p].title) for p in pages)
        for lang, pages in (("ja", GENERIC_JA), ("en", GENERIC_EN_TITLED))
    }
    leaky = sum(bool(leaked_lines(body_text(_ours(p)), _GENERIC_TRUTH[p])) for p in GENERIC)
    assert exact["ja"] >= GENERIC_TITLE_FLOOR["ja"] and exact["en"] >= GENERIC_TITLE_FLOOR["en"], exact
    assert leaky <= GENERIC_LEAK_CEILING, f"{leaky} pages leak furniture"


_POST, _NEWS = "java-extractarticle/000033-hatena.html", "trafilatura-eval/bbc.com.52241221.html"


# Sentences written for the test, each as a paragraph of its own three quarters into a saved page
# read generically (a blog post, a news article): each begins with the words of a block under an
# article (its heading) or has those of a newsletter prompt, and was taken for it: the text was
# cut there, or the sentence dropped.
@pytest.mark.parametrize("page,line", [
    (_POST, "この記事を読んだ人から、たくさんの感想をいただきました。"),
    (_POST, "関連記事の数も増えた。"),
    (_POST, "人気記事も書き直しました。"),
    (_POST, "人気記事の傾向"),  # a sub-heading: no 。
    (_POST, "メルマガの登録者が1000人を超えました。"),
    (_NEWS, "Residents can sign up for the city's email newsletter to receive evacuation updates, officials said."),
    (_NEWS, "The ministry also began sending a weekly email newsletter to residents near the base."),
], ids=["kono-kiji-wo-yonda-hito", "kanren-kiji", "ninki-kiji", "ninki-kiji-heading", "merumaga",
        "newsletter-said", "newsletter-ministry"])
def test_a_sentence_of_a_page_read_generically_is_not_the_furniture_around_it(page, line):
    from lxml import etree, html

    from crawler.encoding import decode_html

    before = _ours(page).paragraphs
    tree = html.document_fromstring(decode_html(saved_bytes(page), None)[0])
    there = before[len(before) * 3 // 4]
    anchor = next(p for p in tree.iter("p") if " ".join(p.text_content().split()) == there)
    added = etree.Element("p")
    added.text = line
    anchor.addnext(added)
    after = extract_article(html.tostring(tree, encoding="unicode"), _url(page))
    assert after.method == "generic:trafilatura"
    assert [p for p in after.paragraphs if p != line] == before and line in after.paragraphs


# The Japanese pages of sites without rules whose publication day htmldate's evaluation records
# (MANIFEST: "date: htmldate tests/eval_….json (YYYY-MM-DD)").
_GENERIC_DAYS = {
    page: m.group(1) for page, row in _MANIFEST.items()
    if (m := re.search(r"date: htmldate \S+ \((\d{4}-\d{2}-\d{2})\)", row["has_ground_truth"]))
}


@pytest.mark.parametrize("page", sorted(_GENERIC_DAYS))
def test_a_page_without_rules_is_published_on_its_day(page):
    # The gooブログ entry of 2020-07-12 was given 2015-07-21, the day a photo in it was taken: its
    # own date is in the entry's trackback RDF, inside an HTML comment, which the parser drops.
    article = _ours(page)
    assert article is not None and article.method == "generic:trafilatura"
    assert (article.published_at or "")[:10] == _GENERIC_DAYS[page]
