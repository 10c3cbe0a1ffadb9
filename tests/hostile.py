"""A hostile news site on 127.0.0.1: one route per way a live site can fail a crawler.

Every route is an "article" listed in the site's RSS feed, and each misbehaves in its own way:
empty and whitespace bodies, truncated and invalid gzip, a gzip bomb, pages over the size limit
with and without Content-Length, PDF/PNG/zip served as text/html, 50,000 nested divs,
redirects (same host, to https, to another host, loops, 10 hops, to file:), 404/410/500/503/429,
a hang, a dribble, a reset. Some heal after the first crawl (``heals``): the second crawl must
then store them, which proves one hiccup loses nothing.

Articles are written here (``article_html``), not taken from outlets: they only need to read as
articles to the generic extractor, and each has its own text so that none deduplicates another.
Only the standard library: the server under test must not share code with the client.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import socket
import ssl
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import zstandard

_TOPICS = ("港湾の再整備", "地方鉄道の存続", "図書館の電子化", "漁業資源の管理", "山林火災の予防",
           "観光客の分散", "空き家の活用", "給食費の無償化", "河川の治水", "医師の偏在")


def article_html(n: int, title: str | None = None) -> str:
    """A small news article of our own (Japanese), different for every ``n``."""
    topic = _TOPICS[n % len(_TOPICS)]
    title = title or f"{topic}をめぐり市が新方針 第{n}報"
    paragraphs = [
        f"市は{n}日、{topic}に関する新たな方針を市議会に示した。担当者は「住民の声を反映した」と説明している。",
        f"方針では今後{n % 7 + 3}年間で段階的に予算を確保し、{topic}の効果を毎年検証するとしている。",
        f"市議会では賛否が分かれ、委員会での審議は{n % 4 + 2}回にわたった。反対する議員は財源の見通しを問題視した。",
        f"市民団体の代表は「{topic}は長年の課題で、ようやく前に進む」と話し、説明会の開催を求めた。",
        f"市は来月以降、地区ごとに説明会を開き、寄せられた意見をもとに計画を修正する方針だ。（記事番号{n:05d}）",
    ]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2026-11-{n % 28 + 1:02d}T09:00:00+09:00">'
            f'</head><body><header><nav><a href="/">トップ</a></nav></header>'
            f'<article><h1>{title}</h1>\n{body}\n</article><footer>hostile test site</footer></body></html>')


#: The pages of the long articles of ``Site.add_series``: page 3 alone speaks of the strategy
#: documents, so that an article read from its first pages only is not relevant.
SERIES_TEXT = {
    1: ["市は1日、公共施設の統廃合に向けた計画案を公表した。対象は市内の集会所や体育館など42施設に上る。",
        "計画案では今後10年間で施設の数を3割減らし、維持管理費の削減分を子育て支援に回すとしている。"],
    2: ["住民説明会では、身近な集会所がなくなることへの不安の声が相次いだ。市は代替の場所を確保すると説明した。",
        "一方で、老朽化した施設の修繕費は年々膨らんでおり、財政担当者は「先送りはできない」と話している。"],
    3: ["計画案の公表と同じ日、政府は国家安全保障戦略など安保3文書の改定に向けた有識者会議を開いた。",
        "会議では反撃能力の保有や防衛力整備計画の規模が議論され、市内の自衛隊基地の役割にも言及があった。"],
}


def series_html(path: str, number: int, last: int, name: str) -> bytes:
    """Page ``number`` of ``last`` of a long article at ``path`` (``path/2``, ``path/3`` …), with a
    pager as outlets print one ("次へ", page numbers)."""
    title = f"公共施設の統廃合計画 {name}"
    paragraphs = SERIES_TEXT.get(number) or [f"第{number}ページでは、施設ごとの利用者数と修繕費の推移を一覧で示している。",
                                             f"市は第{number}ページの数字をもとに、地区ごとの説明会で意見を聞く方針だ。"]
    body = "\n".join(f"<p>{p}（{name}）</p>" for p in paragraphs)
    links = "".join(f'<li><a href="{path if k == 1 else f"{path}/{k}"}">{k}</a></li>' if k != number
                    else f"<li>{k}</li>" for k in range(1, last + 1))
    following = f'<a class="next" href="{path}/{number + 1}">次へ</a>' if number < last else ""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2026-11-20T09:00:00+09:00">'
            f'</head><body><header><nav><a href="/">トップ</a></nav></header>'
            f'<article><h1>{title}</h1>\n{body}\n</article>'
            f'<nav class="pagination"><ul>{links}</ul>{following}<p>{number}/{last}ページ</p></nav>'
            f'<footer>hostile test site</footer></body></html>').encode()


def jsonld_shell_html(n: int) -> str:
    """A page built by JavaScript (a Next.js shell) that gives its article to search engines in
    its JSON-LD only: ``articleBody``, its paragraphs a line each, as such sites write it."""
    article = article_html(n)
    title = re.search(r"<title>(.*?)</title>", article).group(1)
    paragraphs = re.findall(r"<p>(.*?)</p>", article)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": f"2026-11-{n % 28 + 1:02d}T09:00:00+09:00", "articleBody": "\n".join(paragraphs)}
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            f'<script src="/_next/static/chunks/main.js" defer></script></head>'
            f'<body><div id="__next"></div><script>self.__next_f=self.__next_f||[]</script></body></html>')


def listing_html() -> str:
    items = "".join(f'<li><a href="/list/{i}">{_TOPICS[i]}の一覧 第{i}回</a></li>' for i in range(10))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>記事一覧</title></head><body>'
            f'<h1>記事一覧</h1><ul>{items}</ul><p>ページ 1 / 5</p></body></html>')


def busy_html() -> str:
    """A site's answer under load: its chrome (every section's headlines) and one line saying so."""
    items = "".join(f'<li><a href="/news/{i}">{_TOPICS[i % len(_TOPICS)]}をめぐる動き 第{i}報 政府と与党の協議続く</a></li>'
                    for i in range(30))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ただいまアクセスが集中しています</title>'
            f'<meta property="og:type" content="article"></head><body><nav><ul>{items}</ul></nav><main>'
            f'<p>ただいまアクセスが集中しています。しばらく時間をおいてから、再度アクセスしてください。</p></main></body></html>')


def deep_html(depth: int = 50_000) -> bytes:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>深い入れ子の記事</title>"
            "<meta property='og:type' content='article'></head><body>" + "<div>" * depth
            + article_html(999, "深い入れ子の記事").split("<body>", 1)[1].split("</body>")[0]
            + "</div>" * depth + "</body></html>").encode()


def _bomb(size: int) -> bytes:
    # Built from a streaming compressor, so the 11 MB never exist in memory at once.
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        zeros = b"\0" * 65536
        for _ in range(size // len(zeros) + 1):
            gz.write(zeros)
    return out.getvalue()


BIG = 11 * 1024 * 1024  # over Scrapy's (and newsmon's) 10 MB DOWNLOAD_MAXSIZE

#: F5 BIG-IP ASM's default blocking page, which it serves with HTTP 200.
F5_REJECTED = (b"<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please "
               b"consult with your administrator.<br><br>Your support ID is: 14816549817698155436<br><br>"
               b"<a href='javascript:history.back();'>[Go Back]</a></body></html>")


#: Consent management platforms' markup, as their consent form is written into a page: its
#: container and its accept button (each vendor's documented ids and classes).
CMP_MARKUP = {
    "OneTrust": ('<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" role="dialog">',
                 '<button id="onetrust-accept-btn-handler">同意する</button></div></div>'),
    "TrustArc": ('<div id="truste-consent-track" class="truste-consent-track"><div id="truste-consent-content">',
                 '<button id="truste-consent-button" class="truste-button1">同意する</button></div></div>'),
    "Didomi": ('<div id="didomi-host"><div id="didomi-popup" class="didomi-popup-container">',
               '<button id="didomi-notice-agree-button" class="didomi-button">同意する</button></div></div>'),
    "Quantcast": ('<div id="qc-cmp2-container"><div id="qc-cmp2-ui" class="qc-cmp2-summary-info" role="dialog">',
                  '<button mode="primary">同意する</button></div></div>'),
    "Google Funding Choices": ('<div class="fc-consent-root"><div class="fc-dialog-container" role="dialog">',
                               '<button class="fc-button fc-cta-consent">同意する</button></div></div>'),
}
#: What such a form says: the purposes it asks consent for, over a thousand characters.
COOKIE_PURPOSES = "".join(
    f"<p>当社および当社のパートナーは、{purpose}のために、Cookie（クッキー）や類似の技術を使用して、お使いの端末に情報を"
    "保存し、端末上の情報にアクセスします。これにはIPアドレスや閲覧履歴などの個人データの処理が含まれる場合があります。"
    "「同意する」を選ぶと、これらの目的での利用に同意したことになります。設定はいつでも変更できます。</p>"
    for purpose in ("閲覧状況の分析", "広告の配信と効果測定", "コンテンツの最適化", "不正アクセスの防止", "外部事業者へのデータ提供"))


def consent_screen_html(cmp: str = "OneTrust") -> bytes:
    """A CMP's consent form (``CMP_MARKUP``) as a page's content in the site's full template: its
    menus, rankings and footer around it, over the small page a consent page is told by
    (walls.SMALL_PAGE_CHARS), as outlets serve EU visitors in place of each article."""
    start, end = CMP_MARKUP[cmp]
    menus = "".join(f'<li><a href="/news/{i}">{_TOPICS[i % len(_TOPICS)]}をめぐる動き 第{i}報 政府と与党の協議続く</a></li>'
                    for i in range(40))
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>Cookieの利用に関する同意 | 毎朝新聞'
            f'</title><meta property="og:type" content="article"></head><body><header><nav><ul>{menus}</ul></nav>'
            f'</header><main>{start}<h2>Cookieの利用について</h2>{COOKIE_PURPOSES}{end}</main>'
            f'<footer><p>毎朝新聞社 記事・写真の無断転載を禁じます。</p></footer></body></html>').encode()


@dataclass
class Logged:
    path: str
    status: int | None
    user_agent: str | None
    time: float
    #: The request named a copy it has (If-None-Match, If-Modified-Since).
    conditional: bool = False


@dataclass
class Case:
    """One article route and how it answers; ``heals``: answers with a good article from the
    second crawl on (``Site.heal()``)."""

    path: str
    answer: Callable[[BaseHTTPRequestHandler, "Site"], None]
    heals: bool = False


#: Feed entries that are no URL: an unclosed IPv6 bracket, a port that is no number.
BAD_ENTRIES = ("https://[broken/a/1", "http://127.0.0.1:port/a/2")

def _send(h: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str | None] | None = None,
          length: bool = True) -> None:
    h.send_response(status)
    headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    for k, v in headers.items():
        if v is not None:  # None: the header left out (a body served without a type)
            h.send_header(k, v)
    if length:
        h.send_header("Content-Length", str(len(body)))
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    h.server.site._status(h, status)  # type: ignore[attr-defined]
    if body and h.command != "HEAD":
        h.wfile.write(body)


def _send_framed(h: BaseHTTPRequestHandler, body: bytes, coding: str) -> None:
    """A 200 whose body is sent in chunks under the Transfer-Encoding ``coding`` (its codings other than chunked
    applied to ``body`` already by the caller)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Transfer-Encoding", coding)
    h.end_headers()
    h.server.site._status(h, 200)  # type: ignore[attr-defined]
    h.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))


def _send_validated(h: BaseHTTPRequestHandler, body: bytes) -> None:
    """A 200 with an ETag, or a 304 to a request that names it (as outlets answer revisits)."""
    etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
    if h.headers.get("If-None-Match") == etag:
        return _send(h, 304, b"", {"ETag": etag})
    _send(h, 200, body, {"ETag": etag})


def good(n: int) -> Callable:
    return lambda h, site: _send(h, 200, article_html(n + site.seed).encode())


def redirect(to: Callable[["Site"], str], status: int = 301) -> Callable:
    return lambda h, site: _send(h, status, b"", {"Location": to(site)})


class Site:
    """The hostile site: ``cases`` on 127.0.0.1, a TLS twin for https redirects, a second host
    (127.0.0.2) that must never be asked anything, and feeds (good and broken)."""

    def __init__(self, tmp: Path, *, full: bool = True, robots_status: int = 200, seed: int = 0) -> None:
        self.tmp = tmp
        self.seed = seed
        self.full = full
        self.robots_status = robots_status
        self.healed = False
        # Saved with a byte-order mark, as Windows editors save it: Scrapy before 2.14 handed the
        # mark to Protego, which then took no group and allowed everything.
        self.robots = "\ufeffUser-agent: *\nDisallow: /private/\n"
        self.log: list[Logged] = []
        self.other_log: list[Logged] = []
        self._lock = threading.Lock()
        self.bomb = self.big = b""  # built by start(): reading the expectations needs neither
        whole = gzip.compress(article_html(31).encode())
        self.cases: dict[str, Case] = {}
        self.expect: dict[str, dict] = {}

        def case(name: str, answer: Callable, *, heals: bool = False, first: dict, second: dict) -> None:
            self.cases[f"/a/{name}"] = Case(f"/a/{name}", answer, heals)
            self.expect[f"/a/{name}"] = {"first": first, "second": second}

        def err(code: str, attempts: int, state: str = "error") -> dict:
            return {"state": state, "code": code, "attempts": attempts}

        article = {"state": "article"}
        case("ok", good(1), first=article, second=article)
        self.feeds = {"/feed.xml"}
        self._once_done: set[str] = set()
        if not full:
            return
        case("empty", lambda h, s: _send(h, 200, b""), first=err("empty_body", 1), second=err("empty_body", 2, "gave_up"))
        case("empty-heals", lambda h, s: _send(h, 200, b""), heals=True, first=err("empty_body", 1), second=article)
        case("whitespace", lambda h, s: _send(h, 200, b"  \n\t\r\n   "), first=err("empty_body", 1),
             second=err("empty_body", 2, "gave_up"))
        case("gzip-truncated", lambda h, s: _send(h, 200, whole[: len(whole) // 2], {"Content-Encoding": "gzip"}),
             heals=True, first=err("bad_compression", 1), second=article)
        case("gzip-invalid", lambda h, s: _send(h, 200, b"this is not gzip at all" * 10, {"Content-Encoding": "gzip"}),
             first=err("bad_compression", 1), second=err("bad_compression", 2, "gave_up"))
        # The same cut in the encodings a CDN prefers when the crawler accepts them (Scrapy asks for
        # br and zstd): Scrapy read half of a br or deflate page as the page, and nothing of a zstd one.
        for name, packed in (("br", brotli.compress(article_html(31).encode())),
                             ("zstd", zstandard.ZstdCompressor().compress(article_html(31).encode())),
                             ("deflate", zlib.compress(article_html(31).encode()))):
            case(f"{name}-truncated", lambda h, s, name=name, packed=packed: _send(
                h, 200, packed[: len(packed) * 2 // 3], {"Content-Encoding": name}),
                 heals=True, first=err("bad_compression", 1), second=article)
        # "identity" or an empty member beside gzip (a proxy's "gzip," or "gzip, identity"): Scrapy
        # stopped undoing there, and the page, still in gzip, was "not an HTML page", given up.
        for name, said, n in (("gzip-identity", "gzip, identity", 32), ("gzip-comma", "gzip,", 33)):
            case(name, lambda h, s, said=said, n=n: _send(h, 200, gzip.compress(article_html(n).encode()),
                                                          {"Content-Encoding": said}),
                 first=article, second=article)
        # A Transfer-Encoding other than chunked ("gzip, chunked", as a server compressing per hop sends): the
        # crawl's HTTP client (Twisted's) reads chunked alone and fails the fetch; its reason named "the connection
        # lost" and a Failure's repr, where the server's framing is what no fetch will ever read.
        case("te-gzip-chunked", lambda h, s: _send_framed(h, gzip.compress(article_html(35).encode()), "gzip, chunked"),
             first=err("bad_compression", 1), second=err("bad_compression", 2, "gave_up"))
        case("br-invalid", lambda h, s: _send(h, 200, b"this is not brotli at all" * 10, {"Content-Encoding": "br"}),
             first=err("bad_compression", 1), second=err("bad_compression", 2, "gave_up"))
        case("gzip-bomb", lambda h, s: _send(h, 200, s.bomb, {"Content-Encoding": "gzip"}),
             first=err("too_large", 1), second=err("too_large", 2, "gave_up"))
        case("big-length", lambda h, s: _send(h, 200, s.big), first=err("too_large", 1),
             second=err("too_large", 2, "gave_up"))
        case("big-nolength", lambda h, s: _send(h, 200, s.big, length=False), first=err("too_large", 1),
             second=err("too_large", 2, "gave_up"))
        case("pdf", lambda h, s: _send(h, 200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n" * 50),
             first=err("not_html", 1), second=err("not_html", 2, "gave_up"))
        case("png", lambda h, s: _send(h, 200, b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\0" * 400),
             first=err("not_html", 1), second=err("not_html", 2, "gave_up"))
        case("zip", lambda h, s: _send(h, 200, b"PK\x03\x04" + b"\x14\0" * 300), first=err("not_html", 1),
             second=err("not_html", 2, "gave_up"))
        case("deep", lambda h, s: _send(h, 200, deep_html()), first=article, second=article)
        # An article uploaded to a bucket without its type: served as application/octet-stream.
        case("octet-stream", lambda h, s: _send(h, 200, article_html(14).encode(),
                                                {"Content-Type": "application/octet-stream"}),
             first=article, second=article)
        # A page served without any Content-Type (a browser sniffs it): read; an API's JSON answer
        # where the article should be (PHP serves anything as text/html): an error, not an article.
        case("untyped", lambda h, s: _send(h, 200, article_html(15).encode(), {"Content-Type": None}),
             first=article, second=article)
        api = b'{"status": "ok", "items": [' + b'{"id": 1, "title": "x"}, ' * 60 + b'{"id": 2}]}'
        case("json", lambda h, s: _send(h, 200, api), first=err("not_html", 1), second=err("not_html", 2, "gave_up"))
        # The outlet's feed where the article was (a moved article's URL sent on to it): its links
        # and dates were stored as an article.
        feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title>'
                + b"<item><title>t</title><link>http://127.0.0.1/a/1</link></item>" * 30 + b"</channel></rss>")
        case("rss", lambda h, s: _send(h, 200, feed, {"Content-Type": "application/rss+xml"}),
             first=err("not_html", 1), second=err("not_html", 2, "gave_up"))
        # A part of the page where the whole was asked for (no Range was sent): stored, it was
        # the article cut short; and a 300 to a fine URL, refused for good as "not an http(s) URL".
        case("partial", lambda h, s: _send(h, 206, article_html(16).encode()[:1500],
                                           {"Content-Range": "bytes 0-1499/9999"}),
             heals=True, first=err("partial_content", 1), second=article)
        # A page whose server closed the connection early where it sent no Content-Length (nor
        # chunks): HTTP cannot tell the cut, and the article was stored cut short. The same page
        # whole, sent so, is read.
        cut = article_html(17).encode()
        case("cut-nolength", lambda h, s: _send(h, 200, cut[: len(cut) * 3 // 5], length=False),
             heals=True, first=err("truncated", 1), second=article)
        case("whole-nolength", lambda h, s: _send(h, 200, article_html(18).encode(), length=False),
             first=article, second=article)
        case("choices", lambda h, s: _send(h, 300, b"", {"Location": "/a/ok"}), first=err("http_300", 1),
             second=err("http_300", 2, "gave_up"))
        # The site's "too busy" page at 200 (chrome and a line): stored as an article of menu
        # headlines, and each article URL answered so since a duplicate of it, never fetched again.
        case("busy", lambda h, s: _send(h, 200, busy_html().encode()), heals=True,
             first=err("site_busy", 1), second=article)
        case("listing", lambda h, s: _send(h, 200, listing_html().encode()),
             first={"state": "not_article", "code": "not_article"}, second={"state": "not_article"})
        # An empty shell where an article should be is a wall (blocked, tried again after an hour):
        # the second crawl does not ask again.
        case("shell", lambda h, s: _send(h, 200, b"<html><head><title>x</title><script>load()</script></head>"
                                               b"<body><div id='app'></div></body></html>"),
             first={"state": "blocked", "code": "wall_empty", "attempts": 1},
             second={"state": "blocked", "code": "wall_empty", "attempts": 1})
        # A page built by JavaScript whose article is in its JSON-LD only (articleBody): read so
        # (trafilatura's baseline), where the page alone is an empty shell, a wall.
        case("jsonld-shell", lambda h, s: _send(h, 200, jsonld_shell_html(21).encode()), first=article,
             second=article)
        # A UTF-8 page with a character cut in two where its template shortened a teaser by bytes:
        # read as UTF-8 all the same (it was guessed to be mac-latin2, its text mojibake).
        cut_teaser = article_html(7).replace("<footer>", "<aside>関連記事: 防衛費の増額</aside><footer>") \
            .encode().replace("増額".encode(), "増額".encode()[:-1])
        case("cut-character", lambda h, s: _send(h, 200, cut_teaser), first=article, second=article)
        # Redirects
        self.cases["/a/moved-target"] = Case("/a/moved-target", good(2))
        self.cases["/a/tls-target"] = Case("/a/tls-target", good(10))
        case("moved", redirect(lambda s: "/a/moved-target"), first={"state": "article", "redirected_to": "/a/moved-target"},
             second={"state": "article"})
        case("to-https", redirect(lambda s: s.tls_url("/a/tls-target")),
             first={"state": "article", "redirected_to": "tls:/a/tls-target"}, second={"state": "article"})
        case("to-other-host", redirect(lambda s: s.other_url("/a/elsewhere"), 302),
             first={"state": "refused", "code": "redirect_off_scope", "attempts": 0}, second={"state": "refused"})
        case("to-file", redirect(lambda s: "file:///etc/passwd", 302),
             first={"state": "refused", "code": "redirect_off_scope", "attempts": 0}, second={"state": "refused"})
        # A 300 (which Scrapy does not follow) to an address no URL parser takes: the errback
        # raised, and the URL was left without a state.
        case("to-broken", redirect(lambda s: "http://[broken/a", 300),
             first={"state": "refused", "code": "redirect_off_scope", "attempts": 0}, second={"state": "refused"})
        # Two article URLs sent on to a section page (an outlet taking articles down), whose lead
        # story reads as an article: it was stored under the first, and the second was its
        # duplicate, never read. Neither is an article of the outlet by its URL: gone, as by a 404.
        self.cases["/news/"] = Case("/news/", good(12))
        for name in ("to-section", "to-section-too"):
            case(name, redirect(lambda s: "/news/", 302), first=err("redirected_away", 1),
                 second=err("redirected_away", 2, "gone"))
        # A page that sends the reader on with <meta http-equiv="refresh"> (an outlet's moved article).
        self.cases["/a/refresh-target"] = Case("/a/refresh-target", good(6))
        refresh = (b'<html><head><meta http-equiv="refresh" content="0; url=/a/refresh-target"><title>moved</title>'
                   b'</head><body><p>This article has moved.</p></body></html>')
        case("refresh", lambda h, s: _send(h, 200, refresh),
             first={"state": "article", "redirected_to": "/a/refresh-target"}, second={"state": "article"})
        # A live page that reloads itself every minute (<meta http-equiv="refresh"> to its own URL):
        # a reload, not a redirect; followed, it was a "redirect loop" and the article was lost.
        reload = article_html(13).replace("<title>", '<meta http-equiv="refresh" content="60; url=/a/reload"><title>')
        case("reload", lambda h, s: _send(h, 200, reload.encode()), first=article, second=article)
        # A CMS's long head (scripts, tags: its "moved" stub keeps the site's template) puts the
        # refresh past the 4,096 characters Scrapy reads for one: the stub was read as the page.
        self.cases["/a/refresh-late-target"] = Case("/a/refresh-late-target", good(20))
        late = ('<html><head><title>記事は移動しました</title>'
                + "".join(f'<meta name="x-cms-{n}" content="{"v" * 60}">' for n in range(60))
                + '<meta http-equiv="refresh" content="0; url=/a/refresh-late-target"></head><body><header>'
                + "".join(f'<a href="/section/{n}">ニュース{n}</a>' for n in range(40))
                + '</header><p>この記事は移動しました。</p></body></html>')
        case("refresh-late", lambda h, s: _send(h, 200, late.encode()),
             first={"state": "article", "redirected_to": "/a/refresh-late-target"}, second={"state": "article"})
        # Redirects a browser follows that are no 3xx. An HTTP Refresh header on an empty 200 (PHP's
        # header("Refresh: 0; url=…")): it was an empty body, an error, then given up.
        self.cases["/a/refresh-header-target"] = Case("/a/refresh-header-target", good(17))
        case("refresh-header", lambda h, s: _send(h, 200, b"", {"Refresh": "0; url=/a/refresh-header-target"}),
             first={"state": "article", "redirected_to": "/a/refresh-header-target"}, second={"state": "article"})
        # A page with no text whose script sends the browser on (with a <noscript> refresh, which
        # Scrapy skips): it was an empty document, a wall, retried for a week and given up.
        self.cases["/a/script-target"] = Case("/a/script-target", good(18))
        script = ('<html><head><title>移動しました</title><script type="text/javascript">\n'
                  '  window.location.replace("{to}");\n</script></head><body><noscript>'
                  '<meta http-equiv="refresh" content="0; url={to}"></noscript></body></html>')
        case("script-redirect", lambda h, s: _send(h, 200, script.format(to="/a/script-target").encode()),
             first={"state": "article", "redirected_to": "/a/script-target"}, second={"state": "article"})
        case("script-elsewhere", lambda h, s: _send(h, 200, script.format(to=s.other_url("/a/elsewhere")).encode()),
             first={"state": "refused", "code": "redirect_off_scope", "attempts": 0}, second={"state": "refused"})
        # A cookie gate: a first visit is sent back to the same URL with a cookie to show it
        # (a metering or consent script's, a CDN's); with the cookie, the article. A browser sees
        # the article; taken for a loop, it was an error, then given up.
        case("cookie-gate", lambda h, s: _send(h, 200, article_html(16).encode()) if "gate=1" in (
            h.headers.get("Cookie") or "") else _send(h, 302, b"", {"Location": "/a/cookie-gate",
                                                                   "Set-Cookie": "gate=1; Path=/"}),
             first=article, second=article)
        self.cases["/a/loop-b"] = Case("/a/loop-b", redirect(lambda s: "/a/loop-a", 302))
        case("loop-a", redirect(lambda s: "/a/loop-b", 302), first=err("redirect_loop", 1),
             second=err("redirect_loop", 2, "gave_up"))
        for i in range(10):
            self.cases[f"/a/hop-{i}"] = Case(f"/a/hop-{i}", redirect(lambda s, i=i: f"/a/hop-{i + 1}", 302))
        self.cases["/a/hop-10"] = Case("/a/hop-10", good(3))
        self.expect["/a/hop-0"] = {"first": err("too_many_redirects", 1), "second": err("too_many_redirects", 2, "gave_up")}
        # Statuses
        case("404", lambda h, s: _send(h, 404, b"<h1>Not Found</h1>"), first=err("http_404", 1),
             second=err("http_404", 2, "gone"))
        case("410", lambda h, s: _send(h, 410, b"<h1>Gone</h1>"), first=err("http_410", 1, "gone"),
             second=err("http_410", 1, "gone"))
        case("500", lambda h, s: _send(h, 500, b"<h1>Error</h1>"), first=err("http_500", 1),
             second=err("http_500", 2, "gave_up"))
        case("503-retry-after", self._once(lambda h, s: _send(h, 503, b"busy", {"Retry-After": "1"})),
             first=article, second=article)
        case("429-date", self._once(lambda h, s: _send(h, 429, b"slow down", {"Retry-After": format_datetime(
            dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2), usegmt=True)})), first=article, second=article)
        case("hang", self._hang, heals=True, first=err("timeout", 1), second=article)
        case("dribble", self._dribble, first=err("timeout", 1), second=err("timeout", 2, "gave_up"))
        case("reset", self._reset, first=err("truncated", 1), second=err("truncated", 2, "gave_up"))
        # robots.txt: disallowed until the test changes it
        self.cases["/private/secret"] = Case("/private/secret", good(4))
        self.expect["/private/secret"] = {"first": {"state": "refused", "code": "robots_disallow", "attempts": 0},
                                          "second": {"state": "refused", "code": "robots_disallow"}}
        # An article under a query URL, listed by a feed that writes its & bare (/feed-loose.xml):
        # any other query is no article.
        self.cases["/a/loose"] = Case("/a/loose", lambda h, s: good(11)(h, s) if sorted(
            urlsplit(h.path).query.split("&")) == ["g=pol", "k=11"] else _send(h, 404, b"<h1>Not Found</h1>"))
        # And an article whose item gives its URL in an Atom link only, beside one that gives none.
        self.cases["/a/atomlink"] = Case("/a/atomlink", good(12))
        # A retired feed's address answering with the front page, which advertises the feed that
        # replaced it (and /feed.xml, read already): the article only the new one lists is read.
        self.cases["/a/only-new"] = Case("/a/only-new", good(19))
        self.feeds = {"/feed.xml", "/feed-invalid.xml", "/feed-html.xml", "/feed-empty.xml", "/feed-escape.xml",
                      "/feed-loose.xml", "/feed-retired.xml", "/feed-304.xml"}

    def add_walls(self) -> dict[str, str]:
        """Publish one article route per kind of wall; return {path: expected reason code}."""
        challenge = (
            '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
            '<meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper" role="main">'
            '<h2 id="challenge-running">Checking if the site connection is secure</h2>'
            '<noscript><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></noscript>'
            '<script>(function(){window._cf_chl_opt={cvId: "3", cType: "managed"};})();</script>'
            '</div></body></html>').encode()
        consent = ('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>ご利用にあたって（同意のお願い）'
                   '</title></head><body><h1>ご利用にあたって</h1><p>サービスの利用には利用規約への同意が必要です。</p>'
                   '<form method="post" action="/consent/accept"><button type="submit">同意する</button></form>'
                   '</body></html>').encode()
        routes = {
            "/a/wall-challenge": (lambda h, s: _send(h, 403, challenge, {"Server": "cloudflare"}), "wall_challenge"),
            "/a/wall-header": (lambda h, s: _send(h, 200, b"<html><body></body></html>", {"cf-mitigated": "challenge"}),
                               "wall_challenge"),
            "/a/wall-consent-page": (lambda h, s: _send(h, 200, consent), "wall_consent"),
            "/a/wall-consent-redirect": (redirect(lambda s: "/consent/?continue=%2Fa%2Fwall-consent-redirect", 302),
                                         "wall_consent"),
            "/a/wall-login": (redirect(lambda s: "/login?next=%2Fa%2Fwall-login", 302), "wall_login"),
            "/a/wall-jwt": (lambda h, s: _send(h, 401, b'{"error": "invalid JWT token", "status": 401}',
                                               {"Content-Type": "application/json"}), "wall_consent"),
            # A WAF's block at 200: it was "no article in the page", final at the second look.
            "/a/wall-f5": (lambda h, s: _send(h, 200, F5_REJECTED), "wall_challenge"),
            # A CMP's consent form in the site's full template (EU visitors'): stored as the article,
            # every other article URL its duplicate.
            "/a/wall-consent-screen": (lambda h, s: _send(h, 200, consent_screen_html()), "wall_consent"),
        }
        for path, (answer, _) in routes.items():
            self.cases[path] = Case(path, answer)
            self.expect[path] = {}
        return {path: code for path, (_, code) in routes.items()}

    def add_series(self) -> None:
        """Articles split over pages (``series_html``): ``/a/long`` (3 pages), ``/a/long-broken``
        (3 pages, page 3 answers 503 until the site is healed; its pages have an ETag and answer
        304 to a request that names it) and ``/a/endless`` (12 pages)."""
        for name, last in (("long", 3), ("long-broken", 3), ("endless", 12)):
            path = f"/a/{name}"
            for number in range(1, last + 1):
                route = path if number == 1 else f"{path}/{number}"
                page = series_html(path, number, last, name)
                answer = _send_validated if name == "long-broken" else lambda h, body: _send(h, 200, body)
                self.cases[route] = Case(route, lambda h, s, page=page, answer=answer: answer(h, page))
            self.expect[path] = {}
        whole = series_html("/a/long-broken", 3, 3, "long-broken")
        self.cases["/a/long-broken/3"] = Case("/a/long-broken/3", lambda h, s: _send(h, 200, whole) if s.healed
                                              else _send(h, 503, b"<h1>busy</h1>"))

    # -- special answers ----------------------------------------------------------------------

    def _once(self, first: Callable) -> Callable:
        def answer(h, site):
            key = h.path
            with self._lock:
                seen = key in self._once_done
                self._once_done.add(key)
            if seen:
                good(5 + len(key))(h, site)
            else:
                first(h, site)
        return answer

    def _hang(self, h, site):
        self.stopping.wait(30)
        _send(h, 200, article_html(8).encode())

    def _dribble(self, h, site):
        body = article_html(9).encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        self._status(h, 200)
        try:
            for byte in body:
                if self.stopping.wait(0.5):
                    return
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
        except OSError:
            return  # the crawler gave up, as it should

    def _reset(self, h, site):
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body><p>")
        h.wfile.flush()
        self._status(h, 200)
        # SO_LINGER 0: close with a TCP reset instead of a clean end of stream.
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    # -- routing ------------------------------------------------------------------------------

    def _status(self, h, status: int) -> None:
        h._logged.status = status

    def handle(self, h: BaseHTTPRequestHandler, other: bool = False) -> None:
        path = urlsplit(h.path).path
        entry = Logged(path, None, h.headers.get("User-Agent"), time.time(),
                       bool(h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since")))
        h._logged = entry
        with self._lock:
            (self.other_log if other else self.log).append(entry)
        if other:
            return _send(h, 200, article_html(6).encode())
        if path == "/robots.txt" and path not in self.cases:  # a case of its own: a robots.txt that fails so
            if self.robots_status != 200:
                return _send(h, self.robots_status, b"<h1>robots error</h1>")
            return _send(h, 200, self.robots.encode(), {"Content-Type": "text/plain"})
        if path in self.feeds or path == "/feed-new.xml":  # the new feed is in no outlet's definition
            return self._feed(h, path)
        case = self.cases.get(path)
        if case is None:
            return _send(h, 404, b"<h1>Not Found</h1>")
        if case.heals and self.healed:
            # An article of its own per route (by its path's CRC: its length gave two routes one).
            return good(1000 + zlib.crc32(path.encode()) % 100_000)(h, self)
        case.answer(h, self)

    def _feed(self, h, path: str) -> None:
        if path == "/feed-304.xml":  # "not modified" to every request, one that names no copy too
            return _send(h, 304, b"", {"ETag": '"v1"'})
        if path == "/feed-invalid.xml":
            return _send(h, 200, b"<?xml version='1.0'?><rss><channel><item><link>oops", {"Content-Type": "application/rss+xml"})
        if path == "/feed-html.xml":
            return _send(h, 200, b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>")
        if path == "/feed-retired.xml":
            return _send(h, 200, (f'<!DOCTYPE html><html><head><title>ホスタイル新聞</title>'
                                  f'<link rel="alternate" type="application/rss+xml" href="/feed-new.xml">'
                                  f'<link rel="alternate" type="application/rss+xml" href="{self.url("/feed.xml")}">'
                                  f'</head><body><h1>ホスタイル新聞</h1></body></html>').encode())
        if path == "/feed-new.xml":
            return _send(h, 200, (f"<?xml version='1.0'?><rss version='2.0'><channel><item><title>t</title>"
                                  f"<link>{self.url('/a/only-new')}</link></item></channel></rss>").encode(),
                         {"Content-Type": "application/rss+xml"})
        if path == "/feed-empty.xml":
            return _send(h, 200, b"", {"Content-Type": "application/rss+xml"})
        if path == "/feed-loose.xml":  # not well-formed XML, as feeds written by hand are: every reader takes it
            items = (f"<item><title>防衛&nbsp;& 安保</title><link>{self.url('/a/loose')}?k=11&g=pol</link></item>"
                     f"<item><title>a</title><atom:link rel='alternate' href='{self.url('/a/atomlink')}'/></item>"
                     + "".join(f"<item><title>お知らせ{n}</title><description>メンテナンスのお知らせ</description></item>"
                               for n in range(3)))
            return _send(h, 200, ("<?xml version='1.0'?><rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'>"
                                  f"<channel>{items}</channel></rss>").encode(), {"Content-Type": "application/rss+xml"})
        if path == "/feed-escape.xml":
            links = ["file:///etc/passwd", "file:///a/escape-file", self.other_url("/a/escape-other"),
                     "ftp://127.0.0.1/a/escape-ftp"]
        else:
            # Two entries no URL parser takes, first: they must cost nothing but themselves.
            links = [*BAD_ENTRIES, *(self.url(p) for p in self.expect)]
        items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
        body = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>hostile</title>{items}</channel></rss>"
        _send(h, 200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})

    # -- servers ------------------------------------------------------------------------------

    def start(self) -> "Site":
        self.stopping = threading.Event()
        self._servers = []
        self.port = self._serve("127.0.0.1", 0)
        if self.full:
            self.bomb = _bomb(BIG)
            self.big = (article_html(7000).replace("</article>", "<p>" + "あ" * (BIG // 3) + "</p></article>")).encode()
            self.other_port = self._serve("127.0.0.2", 0, other=True)
            self.tls_port = self._serve("127.0.0.1", 0, tls=True)
        return self

    def _serve(self, host: str, port: int, *, other: bool = False, tls: bool = False) -> int:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def do_GET(self):
                try:
                    site.handle(self, other=other)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # socketserver's 5 drops SYNs: a second lost each (testsite.py)

            def handle_error(self, request, client_address):
                pass  # dropped connections are the point of this site

        server = Server((host, port), Handler)
        server.site = self
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert, key = self._certificate()
            context.load_cert_chain(cert, key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._servers.append(server)
        return server.server_address[1]

    def _certificate(self) -> tuple[str, str]:
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        return str(cert), str(key)

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def tls_url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.tls_port}{path}"

    def other_url(self, path: str) -> str:
        return f"http://127.0.0.2:{self.other_port}{path}"

    def requests(self, path: str | None = None) -> list[Logged]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def toml(self, key: str = "hostile") -> str:
        feeds = ", ".join(f'"{self.url(p)}"' for p in sorted(self.feeds))
        return (f'[outlets.{key}]\nname = "Hostile site"\nlanguage = "ja"\ndomains = ["127.0.0.1"]\n'
                f'feeds = [{feeds}]\narticle_url_pattern = "^/(?:a|private)/"\n')


