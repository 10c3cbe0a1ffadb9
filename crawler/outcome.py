"""What became of a fetch: a code and a reason a reviewer can read, for every way a page fails.

Pure functions, no Scrapy: the spider turns Scrapy's and Twisted's failures into plain facts
(status, exception name, message) and these decide the URL's state (``storage.frontier``). The
rule throughout is that a failure of the site or of the network is never a verdict on the page:
an empty 200, a truncated gzip, a PDF served as text/html are errors, tried again next run,
and only a well-formed HTML page without an article is ``not_article``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .bodies import sniff_binary

#: HTTP statuses whose URL is gone at once: the site says so for good.
GONE_AT_ONCE = (410,)
#: Statuses that mean the URL is gone once every attempt got them (a 404 can be a hiccup of a
#: CMS publishing the page a minute later than its feed).
GONE_EVENTUALLY = (404,)
#: A page that says so at 200 is a 404 too: a "page not found" page (a soft 404), a deletion or
#: end-of-publication notice (``extract.page_notice``). Tried as a 404 is, then ``gone``: a CMS
#: serves its not-found page for an article its feed lists a minute early, and one look would
#: lose it for good.
NOTICE_CODES = ("soft_404", "withdrawn")
#: An article URL sent on to a page the outlet's article URL pattern does not take (its front
#: page, a section, a "not found" page at another address): how outlets take articles down as
#: often as with a 404, and tried as a 404 is (``redirected_away``). Read as an article, a
#: section page was stored under the first such URL and every later one was its duplicate.
GONE_CODES = (*NOTICE_CODES, "redirected_away")


@dataclass(frozen=True)
class Problem:
    """Why a fetch gave no usable page: ``code`` for programs, ``reason`` for people."""

    code: str
    reason: str


#: Types that say what the bytes are and that they are no page (``application/octet-stream``
#: says only "bytes": they decide, ``_MARKUP_OPENING``).
_NON_HTML_TYPES = re.compile(
    r"^(?:application/(?:pdf|zip|msword|vnd\.|x-(?:gzip|bzip2|7z|tar)|gzip|zstd)|image/|audio/|video/|font/)", re.I)
#: Types whose bytes are taken for a page as they come: extraction decides.
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_WS = re.compile(rb"^\s*$")
#: How a page opens: markup (a tag, a doctype, a comment, an XML declaration) after any
#: byte-order mark and whitespace. A body served without a type, as ``application/octet-stream``
#: (a bucket upload), ``text/plain`` or any other text type is a page only when it opens so,
#: as a browser sniffs one (WHATWG MIME Sniffing 7.1; RFC 9110 8.3 lets a reader look at the
#: bytes then): JSON, CSV or plain text so served is no page, and no verdict on an article.
_MARKUP_OPENING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<[A-Za-z!?]")
#: A feed, a sitemap or an OPML list where a page should be: markup, but no page. A moved
#: article's URL sent on to the outlet's feed, a CMS answering an article's address with its RSS:
#: read as a page, its links and dates were stored as an article, scored and grouped like one.
#: The root element, after any XML declaration, comments, processing instructions and doctype
#: (XHTML, served with its own declaration, has ``html`` there).
_XML_DOCUMENT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<(rss|feed|rdf:RDF|urlset|sitemapindex|opml)[\s>/]",
    re.S | re.I)
_XML_KINDS = {b"rss": "an RSS feed", b"feed": "an Atom feed", b"rdf:rdf": "an RSS 1.0 feed", b"urlset": "a sitemap",
              b"sitemapindex": "a sitemap index", b"opml": "an OPML list"}
#: How a markup document ends, and how far from a body's end that is looked for (trackers and
#: comments written after ``</html>``).
_DOCUMENT_END = re.compile(rb"</(?:html|body|rss|feed|rdf:RDF|urlset|sitemapindex|opml)\s*>", re.I)
_END_TAG_BYTES = 16 * 1024
#: The largest body starting like JSON that is parsed to tell (a JSON API answer is small).
JSON_SNIFF_MAX = 2 * 1024 * 1024


#: How a UTF-16 body starts (a byte-order mark, or ``<`` and a zero byte): little-endian first.
_UTF16_STARTS = (b"\xff\xfe", b"<\x00", b"\xfe\xff", b"\x00<")


#: What may come before a document's first markup without counting against the 4 KB looked at: a byte-order mark
#: and the blank lines a template writes (a JSP's or PHP's directives, one a line). A page whose ``<!DOCTYPE html>``
#: came after 5 KB of them was "text with no HTML markup" where no type said it was a page: a saved page given to
#: ``newsmon extract``, a body served as bytes.
_LEAD = re.compile(rb"(?:\xef\xbb\xbf)?\s*")


def _head(body: bytes) -> bytes:
    """The first 4 KB of ``body`` after its lead (``_LEAD``) as ASCII-compatible bytes (UTF-16 re-encoded)."""
    head = body[:4096]
    little, big = head.startswith(_UTF16_STARTS[:2]), head.startswith(_UTF16_STARTS[2:])
    if little or big:
        return head.decode("utf-16-le" if little else "utf-16-be", "ignore").lstrip("\ufeff").encode()
    start = _LEAD.match(body).end()
    return body[start:start + 4096]


def _json(body: bytes) -> bool:
    """Whether ``body`` is a JSON document (an API's answer), which no HTML page is."""
    if len(body) > JSON_SNIFF_MAX or body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return False
    try:
        json.loads(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        return False
    return True


def check_body(body: bytes, content_type: str | None = None, *, sniffed: bool = False) -> Problem | None:
    """Whether a 200 body can be an HTML page at all; ``None`` when it can.

    Cheap enough for every response (a few byte comparisons and, for the rare suspect body, a
    count of control bytes or a JSON parse): it runs before the page is stored or extracted.
    ``sniffed``: the caller found the body no binary already (``sniff_binary``, most of the
    cost), as ingest does to name a Content-Encoding in its reason.
    """
    if not body:
        return Problem("empty_body", "the server sent an empty body (0 bytes)")
    if len(body) < 65536 and _WS.match(body):
        return Problem("empty_body", f"the server sent only whitespace ({len(body)} bytes)")
    # The bytes first (one detector for the crawl, ingest and `newsmon extract`), then what the
    # server says they are.
    written = (content_type or "").split(";")[0].strip()
    mime, served = written.lower(), f"served as {written}" if written else "served without a Content-Type"
    binary = None if sniffed else sniff_binary(body)
    if binary is not None:
        return Problem("not_html", f"not an HTML page: {binary}{f' {served}' if written else ''} ({len(body):,} bytes)")
    if _NON_HTML_TYPES.match(mime):
        return Problem("not_html", f"not an HTML page: Content-Type {written} ({len(body):,} bytes)")
    # An API's JSON answer where a page should be (PHP serves anything as text/html).
    if _json(body):
        return Problem("not_html", f"not an HTML page: JSON {served} ({len(body):,} bytes)")
    head = _head(body)
    if document := _XML_DOCUMENT.match(head):
        return Problem("not_html", f"not an HTML page: {_XML_KINDS[document[1].lower()]} {served} ({len(body):,} bytes)")
    if mime in _HTML_TYPES or _MARKUP_OPENING.match(head):
        return None
    return Problem("not_html", f"not an HTML page: text with no HTML markup {served} ({len(body):,} bytes)")


#: An HTML document's own tags (``opens_late``).
_DOCUMENT_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)


def opens_late(data: bytes) -> bool:
    """Whether ``data``, which does not open as markup, is a page all the same: text the crawl
    reads as a page (``check_body`` of an HTML type), with a document's own tag in its first 4 KB
    after whatever came before it: a second byte-order mark (PHP includes), a PHP notice, a NUL,
    whitespace before the mark. Stored decoded under the Content-Encoding header kept, such a page
    was "bad_compression", its article lost; text with no such tag ("not gzip at all") is none.
    A saved page so (``newsmon extract``, which has no Content-Type to go by) is one too."""
    return _DOCUMENT_TAG.search(data, 0, 4096) is not None and check_body(data, "text/html") is None


def cut_short(body: bytes) -> Problem | None:
    """The problem of a markup body that stops before its document's end tag, for a body whose
    length HTTP could not vouch for: sent without a Content-Length or chunks, its end was the
    server closing the connection, early or not (Scrapy flags such a response ``partial``). Cut
    so, an article was stored with the paragraphs that came, as if whole. ``None`` for a body
    that ends (``</html>``, ``</body>``, a feed's or sitemap's root), or that is no markup: the
    other checks judge that.
    """
    if body.startswith(_UTF16_STARTS) or not _MARKUP_OPENING.match(_head(body)):
        return None  # UTF-16 (its tags are no ASCII bytes), or no markup
    if _DOCUMENT_END.search(body, max(0, len(body) - _END_TAG_BYTES)):
        return None
    return Problem("truncated", f"the connection closed before the page ended: it came without a Content-Length "
                                f"and stops after {len(body):,} bytes, before its end tag (tried again)")


def http_status_problem(status: int) -> Problem:
    """The problem of an HTTP error status that reached the crawler (after Scrapy's retries)."""
    if status in GONE_AT_ONCE:
        return Problem(f"http_{status}", f"HTTP {status} Gone: the site removed the page for good")
    if status == 404:
        return Problem("http_404", "HTTP 404 Not Found")
    if status in (401, 403):
        return Problem(f"http_{status}", f"HTTP {status}: the site refused access")
    if status == 429:
        return Problem("http_429", "HTTP 429 Too Many Requests: the site is throttling us")
    if status == 304:
        return Problem("http_304", "HTTP 304 Not Modified to a request that asked for no such thing")
    if 300 <= status < 400:
        return Problem(f"http_{status}", f"HTTP {status} redirect without a usable Location header")
    if 500 <= status < 600:
        return Problem(f"http_{status}", f"HTTP {status}: server error")
    if status >= 600:
        return Problem(f"http_{status}", f"HTTP {status}: no standard status (some sites answer bots so)")
    return Problem(f"http_{status}", f"HTTP {status}")


def exhausted_state(code: str) -> tuple[str, int | None]:
    """``(state, attempts)`` a failure ends in once attempts run out: ``gone`` for 404 (after
    the usual attempts) and 410 (after one), ``gave_up`` for the rest (``None``: the usual)."""
    status = int(code[5:]) if code.startswith("http_") and code[5:].isdigit() else None
    if status in GONE_AT_ONCE:
        return "gone", 1
    if status in GONE_EVENTUALLY or code in GONE_CODES:
        return "gone", None
    return "gave_up", None


def extraction_crash(exc: BaseException) -> Problem:
    """Extraction raised on a page: a bug of ours, never a verdict on the page (tried again)."""
    return Problem("extract_failed", f"extraction failed: {type(exc).__name__}: {exc} "
                                     "(a bug of newsmon: please report it with the page)")


def reading_crash(exc: BaseException) -> str:
    """Why a feed, sitemap or section is broken whose reading raised: a bug of ours, not the
    document's verdict (the crawl reads it whole again next run)."""
    return f"a bug of newsmon while reading it: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


#: Exceptions no network, server or page raises on its own: a fetch that ends in one met a bug
#: (newsmon's, in a middleware or an errback's path, or Scrapy's), not the site.
BUG_TYPES = frozenset({"NameError", "AttributeError", "TypeError", "KeyError", "IndexError", "AssertionError",
                       "ZeroDivisionError", "RecursionError", "ImportError", "NotImplementedError"})


#: How Twisted's HTTP client says it has no decoder for a response's Transfer-Encoding: the KeyError of its
#: lookup, a bytes repr of the header's value, inside the ResponseFailed Scrapy wraps.
_UNREAD_FRAMING = re.compile(r"Failure builtins\.KeyError: b'([A-Za-z0-9 ,;=._-]{1,80})'")


def failure_problem(kinds: list[str], message: str) -> Problem:
    """The problem of a fetch that raised instead of answering.

    ``kinds``: the exception's class name and its bases' (Scrapy 2.19 wraps Twisted's errors in
    its own ``Download*Error`` types; older code paths raise Twisted's directly). One of
    ``BUG_TYPES`` is ``crawl_bug``: the caller counts it as a bug, and the run fails.
    """
    names = set(kinds)
    text = " ".join((message or "").split())
    if names & BUG_TYPES:
        return Problem("crawl_bug", f"a bug of newsmon while fetching: {kinds[0]}: {text} (please report it with "
                                    "the traceback in the log; tried again next run)")
    if names & {"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError"}:
        return Problem("timeout", "timed out waiting for the server (DOWNLOAD_TIMEOUT)"
                       + (f": {text}" if text else ""))
    if names & {"DownloadCancelledError", "CancelledError"} or "max size" in text or "DOWNLOAD_MAXSIZE" in text:
        return Problem("too_large", "larger than DOWNLOAD_MAXSIZE" + (f": {text}" if text else ""))
    if names & {"ResponseDataLossError", "_DataLoss"}:
        return Problem("truncated", "the connection closed before the whole body arrived (data loss)")
    if names & {"DownloadConnectionRefusedError", "ConnectionRefusedError"}:
        return Problem("connection_refused", "connection refused: is the site down?")
    # Scrapy 2.19 raises its own CannotResolveHostError (no subclass of Twisted's): "fetch_failed".
    if names & {"DNSLookupError", "DownloadDNSLookupError", "CannotResolveHostError"}:
        return Problem("dns", "the host name does not resolve" + (f": {text}" if text else ""))
    if names & {"ResponseFailed", "DownloadFailedError"} and (framed := _UNREAD_FRAMING.search(text)):
        # Twisted looks the first Transfer-Encoding header up among its decoders (chunked alone) and fails on any
        # other ("gzip, chunked", "compress"): said as a lost connection and a Failure's repr, where no fetch of the
        # page will ever read the server's framing. As ingest says of such a coding: tried again, then given up.
        return Problem("bad_compression", f"the server sent it with a Transfer-Encoding of {framed.group(1)!r}, which "
                                          "the crawl's HTTP client cannot read (it reads chunked alone); a capture "
                                          "of the page in a web archive may be read by newsmon ingest")
    if names & {"ConnectionLost", "ConnectionDone", "ResponseFailed", "ResponseNeverReceived",
                "DownloadFailedError", "ConnectionResetError"}:
        return Problem("connection_lost", "the connection was lost before a complete response"
                       + (f": {text}" if text else ""))
    kind = kinds[0] if kinds else "error"
    return Problem("fetch_failed", f"{kind}: {text}" if text else kind)


def redirect_chain(urls: list[str], final: str, reasons: Sequence[int | str] = ()) -> str:
    """``a → b → c`` for a reason text; long chains keep both ends. ``reasons``: Scrapy's
    ``redirect_reasons``, one a hop: a hop that was no HTTP redirect says what it was
    (``a [Refresh header] → b``), where a reader would look for a 3xx."""
    whys = [*reasons, *[0] * len(urls)]
    chain = [f"{url} [{why}]" if isinstance(why, str) else url for url, why in zip(urls, whys)]
    chain.append(final)
    if len(chain) > 6:
        chain = chain[:2] + ["…"] + chain[-3:]
    return " → ".join(chain)


def redirected_away(urls: list[str], final: str, reasons: Sequence[int | str] = ()) -> Problem:
    """The problem of an article URL that redirects (``urls``, then ``final``) to a page that is
    no article of its outlet by its URL: never read as one (``GONE_CODES``)."""
    return Problem("redirected_away", f"redirected to a page the outlet's article URL pattern does not take "
                                      f"({redirect_chain(urls, final, reasons)}): the article taken down, or "
                                      "moved; if the outlet's articles now live at such URLs, widen "
                                      "article_url_pattern")


#: Scrapy's default ``METAREFRESH_MAXDELAY`` (newsmon's settings keep it): a refresh or a script
#: that waits longer is no redirect.
METAREFRESH_MAXDELAY = 100

#: Below this many visible characters an HTML page is an empty document, not a page without an
#: article: a listing or tag page of a news site carries at least its headlines.
EMPTY_DOCUMENT_CHARS = 100
#: Elements that end a line where they end (what ``no_article_problem`` reads as a page's text).
_BLOCKS = ("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
           "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
           "pre", "section", "table", "td", "th", "tr", "ul")


#: A <noscript> that asks the reader to turn JavaScript on (``_app_shell``), read NFKC (ＪａｖａＳｃｒｉｐｔ).
_NEEDS_SCRIPT = re.compile(r"javascript\s*(?:の設定)?\s*(?:を|が|は)?\s*(?:有効|オン|許可|ON|無効|オフ|OFF)|(?:enable|turn\s+on|"
                           r"requires?|needs?|without)\s+javascript|javascript\s+(?:is\s+)?(?:not\s+)?(?:required|"
                           r"disabled|enabled|turned\s+off|must\s+be\s+enabled)", re.I)
#: The element a script framework draws the page into (React's #root, Vue's #app, Next's and Nuxt's own, Nuxt 2's
#: #__layout), empty or holding only its loading indicator.
_APP_ROOTS = ("//*[@id='root' or @id='app' or @id='__next' or @id='__nuxt' or @id='__layout' or @id='___gatsby' or "
              "@id='svelte' or @id='main-app' or @id='app-root'] | //app-root")
_LOADING = re.compile(r"^(?:loading|読み込み中|ロード中|しばらくお待ちください)[.…・\s]*$", re.I)
#: Links of a headline's length beside an empty root: a server-rendered listing with a widget's root, not a shell.
HEADLINE_CHARS = 15
LISTING_HEADLINES = 5


def _app_shell(tree) -> str | None:
    """What a page's <noscript> says when the page is a script framework's shell: an empty root element to draw
    into and a <noscript> asking for JavaScript; ``None`` otherwise. Its menus and footer are text enough for "a
    listing?", a verdict final at the second look: every article of an outlet that became such an app was given up
    as no article, and the outlet read "degraded". A server-rendered listing fills its root, or has none; one with
    a widget's empty root elsewhere (a modal, a recommendation box) shows its headlines, and stays a listing."""
    def empty(root) -> bool:
        if root.xpath(".//a|.//img|.//video|.//iframe"):
            return False
        words = " ".join(" ".join(root.xpath(".//text()[not(ancestor::script or ancestor::style)]")).split())
        return not words or bool(_LOADING.match(words))

    if not any(empty(root) for root in tree.xpath(_APP_ROOTS)):
        return None
    headlines = sum(len("".join(a.text_content().split())) >= HEADLINE_CHARS for a in tree.xpath("//a[@href]"))
    if headlines >= LISTING_HEADLINES:
        return None
    return next((" ".join(n.text_content().split())[:120] for n in tree.xpath("//noscript")
                 if _NEEDS_SCRIPT.search(unicodedata.normalize("NFKC", n.text_content()))), None)


def no_article_problem(body: bytes, http_charset: str | None = None) -> Problem:
    """Why extraction found no article in a page that passed ``check_body``.

    ``not_article`` (the verdict, final after a second look) only for a readable page with text: a listing, a tag
    page. A page that says there is no article (a "page not found" page, a deletion notice) is
    ``soft_404`` or ``withdrawn`` (``NOTICE_CODES``), a 404 by its words; one that says the site is
    busy or down for maintenance ``site_busy``, an error tried again as a 503 is; one that asks for a
    login or the reader's age, or refuses this machine's region (``walls.stated_wall``) ``wall_login``,
    ``wall_age`` or ``wall_geo``; one whose article only
    its scripts hold (``extract.drawn_by_script``) ``drawn_by_script``. A page with almost no
    text (an empty shell, a script-only page) or nested too deep to parse is a problem of the
    fetch, tried again.
    """
    from lxml import etree
    from lxml import html as lxml_html

    from .encoding import decode_html
    from .extract import SCRIPT_ARTICLE_CHARS, drawn_by_script, markup_too_deep, page_notice
    from .walls import own_text, stated_wall

    if markup_too_deep(body, http_charset):
        return Problem("markup_too_deep", "the HTML is nested deeper than the parser can read, even without "
                                          "its div/span wrappers")
    text, encoding = decode_html(body, http_charset)
    try:
        tree = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"),
                                             parser=lxml_html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        return Problem("unparseable", f"the HTML parser could not read the page: {exc}")
    shell = _app_shell(tree)
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for block in tree.iter(*_BLOCKS):
        # A block ends a line, as a browser shows it: the menus' last word and the notice after
        # them were read as one ("スポーツ申し訳ございません。"), and a notice that opens its line
        # (a server error's) was not seen to.
        block.tail = " " + (block.tail or "")
    words = tree.text_content().split()
    visible = "".join(words)
    title = " ".join((tree.findtext(".//title") or "").split())[:80]
    named = f", title {title!r}" if title else ""
    # Before the empty document: a bare "この記事は削除されました" is a notice, not a bot's wall.
    headings = [title, *tree.xpath("//meta[@property='og:title']/@content")[:1],
                *(h.text_content() for h in tree.xpath("//h1|//h2")[:4])]
    notice = page_notice(headings, " ".join(words))
    if notice is None:
        # In a real site's template the menus, rankings and footer are thousands of characters
        # (a Mainichi page's: 2,200), over what a notice page is told by: what the page shows
        # outside them (``own_text``) is the notice alone.
        notice = page_notice(headings, " ".join(lines := own_text(tree)), lines)
    if notice is not None:
        kind, words = notice
        if kind == "busy":
            return Problem("site_busy", f"the site says it is busy or down for maintenance: 「{words}」 (HTTP 200); "
                                        "the article is tried again")
        if kind == "withdrawn":
            return Problem("withdrawn", f"the outlet withdrew the article: its page reads 「{words}」 (HTTP 200; a "
                                        "deletion or end-of-publication notice, taken as a 404)")
        return Problem("soft_404", f"a 'page not found' page served with HTTP 200 (a soft 404): 「{words}」; taken as a "
                                   "404")
    # A page that only asks for a login or the reader's age is no verdict on the article: with a
    # session or the answer (the outlet's cookies) it is there; nor is one that refuses where this
    # machine is (a region's block). Not a listing either.
    wall = stated_wall(tree)
    if wall is not None:
        return Problem(wall.code, wall.reason)
    # Only a page showing less than an article's worth outside its links is drawn by its scripts
    # (``drawn_by_script`` says so, as it does to extraction): parsed again only for such a page.
    unlinked = len(visible) - sum(len("".join(a.text_content().split())) for a in tree.xpath("//a"))
    drawn = drawn_by_script(body, http_charset) if unlinked < SCRIPT_ARTICLE_CHARS else None
    if drawn is not None:
        # No wall and no listing: the article is there, where only a browser reads it.
        script, chars = drawn
        return Problem("drawn_by_script", f"the article is drawn by JavaScript: its text ({chars:,} characters) is "
                                          f"in the page's {script} script, its HTML shows {len(visible):,} characters"
                                          f"{named}; newsmon runs no scripts: the outlet needs rules that read it "
                                          "(please report the outlet)")
    sent = _sent_on(body, encoding)
    if len(visible) < EMPTY_DOCUMENT_CHARS:
        return Problem("empty_document", f"an HTML page with almost no text ({len(visible)} characters{named}): "
                                         f"an empty shell or a script-only page where an article should be{sent}")
    if shell is not None and unlinked < SCRIPT_ARTICLE_CHARS:
        # Above an empty document (a bare shell is a bot's wall until shown otherwise): menus around nothing.
        return Problem("drawn_by_script", f"the page is drawn by JavaScript: its HTML shows {len(visible):,} "
                                          f"characters{named} around an empty element its scripts fill, and asks for "
                                          f"them (<noscript>: 「{shell}」); newsmon runs no scripts: the outlet needs "
                                          "rules that read its data, or another source (please report the outlet)")
    links = len(tree.xpath("//a[@href]"))
    return Problem("not_article", f"no article in the page ({len(visible):,} characters, {links} links{named}): "
                                  f"a listing, tag or section page?{sent}")


def _sent_on(body: bytes, encoding: str) -> str:
    """Where the page's script sends the browser, said after the reason of a page that is no
    article, where the crawl did not follow it (``middlewares.BrowserRedirectMiddleware``): the
    reviewer sees where the article may be. ``""`` for a page whose scripts name no one URL."""
    from .stubs import script_way

    way = script_way(body, encoding)
    if way.target is None:
        return ""
    if way.cookie:
        why = "its script sets a cookie first, a gate newsmon cannot pass so"
    elif way.delay >= METAREFRESH_MAXDELAY:
        why = f"it waits {way.delay:g} s first, longer than a redirect does (METAREFRESH_MAXDELAY)"
    else:
        why = "a script's way on is taken only from a page that shows no text of its own or says it moved"
    return f"; its script sends the browser to {way.target[:200]} (not followed: {why})"
