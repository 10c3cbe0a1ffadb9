"""The saved real pages in tests/fixtures/saved (see PROVENANCE.md) and their ground truth.

Shared by the tests and the bench scripts, so that both read pages and truth the same way.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
SAVED = FIXTURES / "saved"
EXPECTED = FIXTURES / "expected"


def saved_bytes(relpath: str) -> bytes:
    """The bytes of a saved file, by its path in MANIFEST.tsv (gzipped or not on disk)."""
    path = SAVED / relpath
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((SAVED / (relpath + ".gz")).read_bytes())


def divs_for_ps(page: bytes) -> bytes:
    """A page after the commonest redesign: the article's container stays, its <p> become <div>."""
    return re.sub(rb"<p(?=[\s>])", b"<div", page).replace(b"</p>", b"</div>")


def share_bar_above(page: bytes, outlet, line: str = "この記事をシェア") -> str:
    """A page with a share bar's ``line`` first in the body its ``outlet``'s rules read."""
    from lxml import etree, html

    tree, _, body = _rules_body(page, outlet)
    bar = etree.Element("p")
    bar.text = line
    body.insert(0, bar)
    return html.tostring(tree, encoding="unicode")


def line_amid(page: bytes, outlet, line: str) -> str:
    """A page with ``line`` as a paragraph of its own after the middle paragraph of the body its
    ``outlet``'s rules read, made like that paragraph (tag and class)."""
    from lxml import etree, html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    paragraphs = compile_selector(rules.paragraphs)(body)
    middle = paragraphs[len(paragraphs) // 2]
    added = etree.Element(middle.tag, dict(middle.attrib))
    added.text = line
    middle.addnext(added)
    return html.tostring(tree, encoding="unicode")


def box_amid(page: bytes, outlet, heading: str, headlines: list[str], *, first: bool = False) -> str:
    """A page with a box after the middle paragraph of the body its ``outlet``'s rules read
    (``first``: before its first paragraph): a paragraph made like that one saying ``heading``,
    then each of ``headlines`` as a paragraph holding a link (as a related-links list or a
    ranking reads, line by line)."""
    from lxml import etree, html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    paragraphs = compile_selector(rules.paragraphs)(body)
    middle = paragraphs[len(paragraphs) // 2]
    added = []
    for n, words in enumerate([heading, *headlines]):
        line = etree.Element(middle.tag, dict(middle.attrib))
        if n:
            link = etree.SubElement(line, "a", href=f"/other/{n}")
            link.text = words
        else:
            line.text = words
        added.append(line)
    for line in reversed(added) if not first else added:
        if first:
            paragraphs[0].addprevious(line)
        else:
            middle.addnext(line)
    return html.tostring(tree, encoding="unicode")


def link_box_amid(page: bytes, outlet, heading: str | None, headlines: list[str], *, teaser: str | None = None,
                  times: bool = False, first: bool = False) -> str:
    """A page with a box of other articles after the middle paragraph of the body its ``outlet``'s
    rules read (``first``: before its first paragraph), marked up as a redesign's component would
    be (a CSS-module class no rule names): a ``<section>`` with ``heading`` in an ``<h2>`` (none
    when ``None``), then a list of ``headlines``, each a link holding an ``<h3>``, with its rank,
    and, under it, ``teaser`` and a time (``times``) in paragraphs made like the body's."""
    from lxml import html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    paragraphs = compile_selector(rules.paragraphs)(body)
    middle = paragraphs[len(paragraphs) // 2]
    made = f'{middle.tag} class="{middle.get("class", "")}"'
    items = "".join(
        f'<li><span class="styles_rank__u2Lk0">{n + 1}</span><a href="/other/{n}"><h3>{words}</h3></a>'
        + (f"<{made}>{teaser}</{middle.tag}>" if teaser else "")
        + (f"<{made}>1月21日 {10 + n}:00</{middle.tag}>" if times else "") + "</li>"
        for n, words in enumerate(headlines))
    box = html.fragment_fromstring(
        '<section class="styles_ranking__x9Fq2">' + (f"<h2>{heading}</h2>" if heading is not None else "")
        + f"<ol>{items}</ol></section>")
    if first:
        paragraphs[0].addprevious(box)
    else:
        middle.addnext(box)
        box.tail, middle.tail = middle.tail, None
    return html.tostring(tree, encoding="unicode")


def fragment_amid(page: bytes, outlet, fragment: str, *, unlinked: bool = False) -> str:
    """A page with the markup ``fragment`` after the second paragraph of the text of the body its
    ``outlet``'s rules read, its ``<p>`` made like that paragraph (Sankei's rules read
    ``p.article-text`` only); ``unlinked``: its links made plain text (``<span>``), the page a
    fragment of the article's own must read as."""
    from lxml import html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    # Not a byline's or a date's <p>.
    second = [p for p in compile_selector(rules.paragraphs)(body) if p.tag == "p" and len(p.text_content()) > 40][1]
    for el in reversed(html.fragments_fromstring(fragment)):
        for p in el.iter("p"):
            if second.get("class") and not p.get("class"):
                p.set("class", second.get("class"))
        for a in list(el.iter("a")) if unlinked else ():
            a.tag = "span"
            a.attrib.pop("href", None)
        second.addnext(el)
    return html.tostring(tree, encoding="unicode")


def article_paths(key: str) -> list[str]:
    """The paths of articles of outlet ``key`` (tests/fixtures/urls), as its pages link to its other articles."""
    from urllib.parse import urlsplit

    rows = (FIXTURES / "urls" / f"{key}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [urlsplit(row.split("\t")[0]).path for row in rows if row.split("\t")[1] == "article"]


def later_paragraphs_as_divs(page: bytes, outlet, share: float = 0.5) -> str:
    """A page after a redesign of part of its template: the last ``share`` of the paragraphs the
    body of its ``outlet``'s rules holds are classless <div>s (the text after an ad slot moved into
    markup the selector does not name); the others are as they were."""
    from lxml import html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    paragraphs = compile_selector(rules.paragraphs)(body)
    for paragraph in paragraphs[len(paragraphs) - round(len(paragraphs) * share):]:
        paragraph.tag = "div"
        paragraph.attrib.pop("class", None)
    return html.tostring(tree, encoding="unicode")


def box_like_the_body_above(page: bytes, outlet, line: str = "別の記事の書き出しの一文です。") -> str:
    """A page with a box made like the body its ``outlet``'s rules read (a related article's
    start in the same template) just above that body: a copy of it with one paragraph, saying
    ``line``."""
    import copy

    from lxml import html

    from crawler.outlets import compile_selector

    tree, rules, body = _rules_body(page, outlet)
    box = copy.deepcopy(body)
    box.tail = None
    first, *others = compile_selector(rules.paragraphs)(box)
    for paragraph in others:
        if paragraph.getparent() is not None:
            paragraph.drop_tree()
    for child in list(first):
        first.remove(child)
    first.text = line
    body.addprevious(box)
    return html.tostring(tree, encoding="unicode")


def _rules_body(page: bytes, outlet):
    """The parsed page, the first rules of ``outlet`` whose body it has, and that body."""
    from lxml import etree, html

    from crawler.encoding import decode_html
    from crawler.outlets import compile_selector

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode_html(page, None)[0])  # lxml refuses it in a str
    tree = html.document_fromstring(text)
    return next((tree, rules, found[0]) for rules in outlet.rules for found in [
        [e for sel in rules.body for e in compile_selector(sel)(tree) if isinstance(e, etree._Element)]] if found)


def saved_json(relpath: str):
    return json.loads(saved_bytes(relpath))


def fundus_truth(page: str, *, readings: bool = True) -> str:
    """Fundus V1 body of a ``fundus-jp/*.html`` page: summary, then each section's headline and
    paragraphs. ``readings=False``: without the page's ruby readings, which Fundus keeps in
    brackets ("尹錫悦（ユンソンニョル）") and newsmon leaves out of the text by design
    (``crawler.extract``): what newsmon's text is measured against."""
    body = saved_json(page.removesuffix(".html") + ".json")["V1"]["body"]
    parts = list(body["summary"])
    for section in body["sections"]:
        parts += section["headline"] + section["paragraphs"]
    text = "\n".join(parts)
    if not readings:
        from lxml import html

        tree = html.document_fromstring(saved_bytes(page))
        for reading in {r.text_content().strip() for r in tree.iter("rt")} - {""}:
            text = re.sub(rf"\s*（\s*{re.escape(reading)}\s*）\s*", "", text)
    return text


# --- pages of sites without rules: the generic-extraction measurement set --------------------


@dataclass(frozen=True)
class GenericTruth:
    """What is known of one page of a site without rules: its true title, the text the article
    certainly holds (``""`` when no body truth ships) and snippets that must not be in it."""

    title: str | None
    text: str
    without: tuple[str, ...] = ()


def generic_truths() -> dict[str, GenericTruth]:
    """Every page of the generic measurement set, by its path in MANIFEST.tsv.

    Japanese: 22 pages of blogs, portals and press-release sites (titles read by hand,
    ``expected/generic-ja-titles.tsv``). English: 70 pages of trafilatura's evaluation set with
    their titles and with/without snippets, and the 91 Scrapinghub benchmark pages (body only).
    """
    out: dict[str, GenericTruth] = {}
    rows = (EXPECTED / "generic-ja-titles.tsv").read_text(encoding="utf-8").splitlines()
    for row in csv.DictReader(rows, delimiter="\t"):
        out[row["page"]] = GenericTruth(row["title"], "")
    for entry in saved_json("trafilatura-eval/evaldata-en-generic.json").values():
        out["trafilatura-eval/" + entry["file"]] = GenericTruth(
            entry["title"], "\n".join(entry["with"]), tuple(entry["without"]))
    truth = saved_json("scrapinghub-benchmark/ground-truth.json")
    for key, item in truth.items():
        path = f"scrapinghub-benchmark/html/{key}.html"
        if (SAVED / (path + ".gz")).exists() or (SAVED / path).exists():
            out[path] = GenericTruth(None, item["articleBody"])
    return out


# A paragraph that is one of these, whole, is page furniture: a related-links, recommendation,
# newsletter or share block's heading or prompt. Whole-line matches only, so that a sentence
# that mentions "related" or a newsletter is never counted.
LEAK_LINE = re.compile(
    r"(?:Related|RELATED|Related (?:Stories|Articles?|Posts|News|Content|Coverage|Links|Topics|Reading)"
    r"|RELATED (?:STORIES|ARTICLES?|POSTS|NEWS|CONTENT|COVERAGE)|Read [Mm]ore|READ MORE|(?:Read|READ) [Mm]ore:.*"
    r"|More (?:from|on) .{1,60}|More (?:Stories|News|Articles)|MORE (?:STORIES|NEWS)"
    r"|You (?:may|might) (?:also )?(?:like|enjoy).{0,40}|Recommended(?: for you| Stories| Reading| Articles)?"
    r"|Most (?:Read|Popular|Viewed)|MOST (?:READ|POPULAR)|Trending(?: Now| Stories)?|Popular (?:Posts|Stories)"
    r"|Further reading|See also:?.{0,80}|Share this(?: article| story| post)?:?|Sign up.{0,160}"
    r"|(?=.*\b(?:[Ss]ign up|[Ss]ubscribe|[Ii]nbox|[Ee]-?mail)\b).{0,80}\b[Nn]ewsletters?\b.{0,120}"
    r"|関連記事.*|関連ニュース.*|関連リンク|おすすめ.{0,30}|オススメ.{0,30}|あわせて読みたい.*|合わせて読みたい.*"
    r"|こちらもおすすめ.*|人気記事.*|(?:アクセス)?ランキング.{0,20}|この記事を読んだ人.*|最新記事.*|新着記事.*"
    r"|次の記事.*|前の記事.*|もっと見る.*|この記事をシェア.*|シェアする)"
)


def leaked_lines(text: str, truth: GenericTruth) -> list[str]:
    """Lines of ``text`` that are furniture (``LEAK_LINE``) the truth does not hold, and the
    truth's ``without`` snippets found in ``text``."""
    norm = " ".join(truth.text.split())
    found = [line for line in (" ".join(raw.split()) for raw in text.split("\n"))
             if line and LEAK_LINE.fullmatch(line) and line not in norm]
    flat = " ".join(text.split())
    found += [snippet for snippet in truth.without if " ".join(snippet.split()) in flat]
    return found
