"""What a page says about itself: JSON-LD, ``<meta>`` tags and the canonical link.

Outlets fill these for search engines and they are more stable across redesigns than the
visible markup, so extraction reads them first and uses selectors only where they fall short.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .urls import parsable

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "webpage",
}
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_TRACKBACK_DATE = re.compile(r"<rdf:Description\b[^>]*?\bdc:date=\"([^\"]+)\"")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class PageMeta:
    """The self-description of one page."""

    jsonld: dict[str, Any] = field(default_factory=dict)
    #: Every JSON-LD ``@type`` on the page, lower-cased (``collectionpage`` marks a listing).
    ld_types: set[str] = field(default_factory=set)
    meta: dict[str, str] = field(default_factory=dict)
    canonical: str | None = None
    html_title: str | None = None
    html_lang: str | None = None
    #: ``dc:date`` of the page's trackback RDF (Movable Type, gooブログ), in an HTML comment: a
    #: blog entry's own date where the page has no other for a machine. Without it htmldate took
    #: the oldest date it found in the text (a photo's "(2015/7/21撮影)" for an entry of 2020).
    trackback_date: str | None = None

    @property
    def is_article(self) -> bool:
        """The page says it is an article (JSON-LD type or og:type)."""
        kind = _types(self.jsonld)
        if kind & (_ARTICLE_TYPES - {"webpage"}):
            return True
        return self.meta.get("og:type", "").lower() == "article"

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.meta.get(name)
            if value:
                return value
        return None


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _load_json(text: str) -> Any:
    text = _CONTROL.sub(" ", text.strip().removeprefix("<!--").removesuffix("-->"))
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        # Hand-written JSON-LD with trailing commas is common on Japanese CMS templates.
        try:
            return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except json.JSONDecodeError:
            return None


def _walk(data: Any):
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])


def _pick_article(blocks: list[Any]) -> dict[str, Any]:
    best: dict[str, Any] = {}
    best_rank = 99
    for data in blocks:
        for obj in _walk(data):
            kinds = _types(obj)
            if not kinds & _ARTICLE_TYPES:
                continue
            # A real article type beats a WebPage; the first of equal rank wins.
            rank = 1 if "webpage" in kinds else 0
            if "headline" not in obj and "datePublished" not in obj:
                rank += 2
            if rank < best_rank:
                best, best_rank = obj, rank
    return best


def read_meta(tree: etree._Element, url: str | None) -> PageMeta:
    """Collect JSON-LD, meta tags, canonical link, ``<title>``, ``lang`` and the trackback date
    (where its comments were kept) of a parsed page."""
    page = PageMeta()
    blocks = [
        _load_json(s.text or "")
        for s in tree.iterfind(".//script")
        if "ld+json" in (s.get("type") or "").lower()
    ]
    page.jsonld = _pick_article([b for b in blocks if b is not None])
    page.ld_types = {t for b in blocks if b is not None for o in _walk(b) for t in _types(o) if t}
    for el in tree.iterfind(".//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content and key not in page.meta:
            page.meta[key] = html.unescape(content).strip()
    for el in tree.iterfind(".//link"):
        if "canonical" in (el.get("rel") or "").lower().split() and parsable(el.get("href"), url):
            page.canonical = parsable(el.get("href"), url)
            break
    # One entry's: an index page's comments describe each of its entries.
    trackback = [m.group(1) for c in tree.iter(etree.Comment) if "rdf:RDF" in (c.text or "")
                 for m in _TRACKBACK_DATE.finditer(c.text)]
    if len(trackback) == 1:
        page.trackback_date = trackback[0]
    title = tree.find(".//title")
    if title is not None and title.text_content():
        page.html_title = " ".join(title.text_content().split())
    root = tree.getroottree().getroot()
    page.html_lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or None)
    return page


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as one clean string (first of a list; entities decoded)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("@id")
    if value is None:
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None


def ld_names(value: Any, *, persons_only: bool = False) -> list[str]:
    """Names from a JSON-LD author/keywords value: a string, a dict, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if persons_only and "organization" in _types(item):
                continue
            name = ld_text(item.get("name"))
        else:
            name = ld_text(item)
        if name and name not in names:
            names.append(name)
    return names
