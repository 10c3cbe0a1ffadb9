"""Reading discovery documents: RSS/Atom feeds and sitemaps, and saying when one is broken.

Pure functions, no Scrapy. A feed that has turned into an HTML error page, an empty body or
invalid XML yields no links either way; the difference is that here it also yields a reason,
which the crawl records per run (``discovery`` table) and outlet health reports.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from lxml import etree

from .bodies import GzipTooLarge, GzipTruncated, gunzip

_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_ROOTS = {"rss", "feed", "RDF"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
#: Elements whose text is an entry's date: RSS, Dublin Core, Atom, sitemaps, Google News sitemaps.
_DATE_TAGS = {"pubDate", "date", "published", "updated", "lastmod", "publication_date"}


def _date(text: str | None) -> str | None:
    """An entry's date in UTC ISO 8601 (RFC 822 as in RSS, or ISO 8601); ``None`` if unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text) if not text[:4].isdigit() else datetime.fromisoformat(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None  # a date without its zone cannot be ordered against the others
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _newest(root: etree._Element) -> str | None:
    dates = [_date(el.text) for el in root.iter() if isinstance(el.tag, str)
             and etree.QName(el).localname in _DATE_TAGS and el.getparent() is not None
             and etree.QName(el.getparent()).localname not in ("channel", "feed")]
    return max((d for d in dates if d), default=None)


@dataclass
class Discovered:
    """The links of one discovery document, or why there are none."""

    links: list[str] = field(default_factory=list)
    #: ``urlset`` or ``sitemapindex`` for a sitemap; ``rss``, ``feed`` or ``RDF`` for a feed.
    kind: str | None = None
    #: Set when the document is not what it should be; ``links`` is then empty.
    problem: str | None = None
    #: The newest date any entry carries (UTC, ISO 8601), when entries carry dates and it was
    #: asked for (``newest=True``: ``newsmon check``; the crawl has no use for it, and on a
    #: 50,000-URL sitemap it is most of the parse).
    newest: str | None = None


def _xml_root(body: bytes) -> tuple[etree._Element | None, str | None]:
    if not body.strip():
        return None, f"empty body ({len(body)} bytes)"
    head = body.lstrip()[:512].lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        return None, "an HTML page, not XML (an error or login page where the feed should be?)"
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return None, f"not well-formed XML: {exc}"
    if root is None:
        errors = [e.message for e in parser.error_log][:1]
        return None, "not XML" + (f": {errors[0]}" if errors else "")
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:
        # recover=True read what it could; say so, but keep what was read.
        return root, f"invalid XML, partly read: {fatal[0].message} (line {fatal[0].line})"
    return root, None


def _document(body: bytes, roots: set[str], what: str) -> tuple[etree._Element | None, str | None, str | None]:
    """(root, its kind, a problem of a partly read document) of a feed or sitemap; or (None,
    None, why it is none)."""
    root, problem = _xml_root(body)
    if root is None:
        return None, None, problem
    kind = etree.QName(root).localname
    if kind not in roots:
        return None, None, f"XML, but not a {what}: its root element is <{kind}>"
    return root, kind, problem


def parse_feed(body: bytes, *, newest: bool = False) -> Discovered:
    """Article links of an RSS 1.0/2.0 or Atom feed, in feed order."""
    root, kind, problem = _document(body, _FEED_ROOTS, "feed")
    if root is None:
        return Discovered(problem=problem)
    links: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag == "link":
            # Atom: <link rel="alternate" href=…>; RSS: <link>url</link> inside <item>.
            parent = etree.QName(el.getparent()).localname if el.getparent() is not None else ""
            href = el.get("href")
            if href and parent == "entry" and el.get("rel", "alternate") == "alternate":
                links.append(href.strip())
            elif not href and parent == "item" and el.text:
                links.append(el.text.strip())
        elif tag == "item" and el.get(_RDF_ABOUT):
            links.append(el.get(_RDF_ABOUT).strip())
    return Discovered(list(dict.fromkeys(links)), kind, problem, _newest(root) if newest else None)


#: The largest sitemap, uncompressed, that sitemaps.org allows.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def parse_sitemap(body: bytes, *, newest: bool = False) -> Discovered:
    """The ``<loc>`` URLs of a sitemap or sitemap index (gzipped or not), in order."""
    if body[:2] == b"\x1f\x8b":
        # Bounded by the protocol's own limit: a compression bomb is a problem, not a MemoryError.
        try:
            body = gunzip(body, MAX_SITEMAP_BYTES)
        except GzipTooLarge:
            return Discovered(problem=f"gzipped sitemap over {MAX_SITEMAP_BYTES:,} bytes once decompressed "
                                      "(sitemaps.org allows 50 MB): not read")
        except GzipTruncated:
            return Discovered(problem="gzipped sitemap that does not decompress: the stream is cut short")
        except zlib.error as exc:
            return Discovered(problem=f"gzipped sitemap that does not decompress: {exc}")
    root, kind, problem = _document(body, _SITEMAP_ROOTS, "sitemap")
    if root is None:
        return Discovered(problem=problem)
    locs = [el.text.strip() for el in root.iter() if isinstance(el.tag, str)
            and etree.QName(el).localname == "loc" and el.text and el.text.strip()
            # <image:loc> and the like belong to other namespaces than the sitemap's own.
            and etree.QName(el.getparent()).localname in ("url", "sitemap")]
    return Discovered(list(dict.fromkeys(locs)), kind, problem, _newest(root) if newest else None)
