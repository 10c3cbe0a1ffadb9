"""Web archives for the tests and the ingest benchmark, written with warcio from the saved pages.

``cc_news_like`` stands in for a CC-NEWS file: a ``warcinfo`` record, then a ``request`` and a
``response`` per fetch, most of them pages of sites newsmon does not watch (the saved pages of
other sites, under their own URLs), some of known outlets (the saved outlet pages under their
real URLs, each fetch a distinct URL), and a few responses that are not 200 HTML.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.outlets import outlet_for_url

from .saved import SAVED, saved_bytes


@dataclass(frozen=True)
class Fetch:
    url: str
    body: bytes
    content_type: str = "text/html"
    status: str = "200 OK"
    #: More HTTP headers (Content-Encoding, Transfer-Encoding), and the bytes as they were sent
    #: under them (``body`` encoded), when not ``body`` itself.
    headers: tuple[tuple[str, str], ...] = ()
    payload: bytes | None = None
    #: More WARC headers of the response record (WARC-Truncated).
    warc_headers: tuple[tuple[str, str], ...] = ()


def write(out: BinaryIO | Path | str, fetches: Iterable[Fetch], *, gzip: bool = True, requests: bool = False) -> None:
    """A WARC (gzip: one member per record, as CC-NEWS) of ``fetches``."""
    if not hasattr(out, "write"):
        with open(out, "wb") as stream:
            write(stream, fetches, gzip=gzip, requests=requests)
        return
    writer = WARCWriter(out, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("newsmon-test.warc.gz", {"software": "newsmon tests"}))
    for fetch in fetches:
        if requests:
            path = "/" + fetch.url.split("/", 3)[-1] if fetch.url.count("/") >= 3 else "/"
            head = StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", fetch.url.split("/")[2])], is_http_request=True)
            writer.write_record(writer.create_warc_record(fetch.url, "request", http_headers=head))
        typed = [("Content-Type", fetch.content_type)] if fetch.content_type else []
        headers = StatusAndHeaders(fetch.status, [*typed, *fetch.headers], protocol="HTTP/1.1")
        sent = fetch.body if fetch.payload is None else fetch.payload
        writer.write_record(writer.create_warc_record(fetch.url, "response", payload=io.BytesIO(sent),
                                                      length=len(sent), http_headers=headers,
                                                      warc_headers_dict=dict(fetch.warc_headers)))


def _manifest() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in (SAVED / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return [(cols[0], cols[4]) for cols in rows if cols[3] == "article" and cols[4]]


def outlet_pages() -> list[Fetch]:
    """The saved pages of known outlets, under their original URLs."""
    return [Fetch(url, saved_bytes(path)) for path, url in _manifest() if outlet_for_url(url)]


def other_pages() -> list[Fetch]:
    """The saved pages of other sites (blogs, English news, the Scrapinghub benchmark)."""
    return [Fetch(url, saved_bytes(path)) for path, url in _manifest() if not outlet_for_url(url)]


def _distinct(fetch: Fetch, n: int) -> Fetch:
    """The same page fetched under the n-th URL of its site (a query CC-NEWS would keep)."""
    sep = "&" if "?" in fetch.url else "?"
    return Fetch(f"{fetch.url}{sep}newsmon_fetch={n}", fetch.body, fetch.content_type, fetch.status)


def distinct_articles(records: int) -> list[Fetch]:
    """``records`` outlet pages, each a distinct article: the saved pages in turn, the n-th under
    its own URL (a query), named so in its canonical link and og:url, with its text marked. A
    month of CC-NEWS holds an outlet's articles once each; ``cc_news_like`` repeats 75 pages,
    whose copies the store takes for the article it has (most of them "seen")."""
    known = outlet_pages()
    out = []
    for n in range(records):
        fetch = known[n % len(known)]
        url = f"{fetch.url}{'&' if '?' in fetch.url else '?'}newsmon_article={n}"
        out.append(Fetch(url, fetch.body.replace(fetch.url.encode(), url.encode())
                         .replace("。".encode(), f"。{n}".encode()).replace(b"</p>", f" {n}</p>".encode())))
    return out


def cc_news_like(records: int, known_share: float, *, seed: int = 13) -> list[Fetch]:
    """``records`` responses, ``known_share`` of them known outlets' pages, shuffled; 3 % of
    the others are not 200 HTML (an image, a 404, a redirect)."""
    rng = random.Random(seed)
    known, other = outlet_pages(), other_pages()
    n_known = round(records * known_share)
    out = [_distinct(known[i % len(known)], i) for i in range(n_known)]
    for i in range(records - n_known):
        roll = rng.random()
        if roll < 0.01:
            out.append(Fetch(f"https://img.example.com/{i}.png", b"\x89PNG\r\n\x1a\n" + bytes(2000), "image/png"))
        elif roll < 0.02:
            out.append(Fetch(f"https://news.example.com/gone/{i}", b"<html>not found</html>", status="404 Not Found"))
        elif roll < 0.03:
            out.append(Fetch(f"https://news.example.com/moved/{i}", b"", status="301 Moved Permanently"))
        else:
            out.append(_distinct(other[i % len(other)], i))
    rng.shuffle(out)
    return out
