"""The pure parts of the URL state machine: body checks, failure reasons, discovery parsing,
and the ledger's transitions on a real SQLite file."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pytest

from crawler import discovery
from crawler.discovery import parse_feed, parse_sitemap
from crawler.outcome import check_body, cut_short, exhausted_state, failure_problem, no_article_problem
from storage import frontier, open_db

from .conftest import SAVED, saved_bytes
from .hostile import article_html, deep_html


@pytest.mark.parametrize("body,content_type,code", [
    (b"", "text/html", "empty_body"),
    (b" \r\n\t ", "text/html", "empty_body"),
    (b"%PDF-1.4\n...", "text/html", "not_html"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "text/html", "not_html"),
    (b"PK\x03\x04\x14\0\x06\0", "text/html; charset=utf-8", "not_html"),
    (b"\x1f\x8b\x08\0\0\0\0\0", "text/html", "not_html"),
    (bytes(range(256)) * 8, None, "not_html"),
    (b"<html><body><p>ok</p></body></html>", "application/pdf", "not_html"),
    # Bytes of unknown type are a page only when they open as one, and JSON never is: an API's
    # answer or a data file where a page should be was extracted, and stored as an article.
    (b"{\"html\": \"<html>\"}", "application/octet-stream", "not_html"),
    (b'{"articles": [{"title": "\xe5\xae\x89\xe4\xbf\x9d"}]}', None, "not_html"),
    (b' [{"title": "x"}]', "text/html; charset=utf-8", "not_html"),
    (b"id,title\n1,\xe5\xae\x89\xe4\xbf\x9d\n", None, "not_html"),
    (b"Service Unavailable", "text/plain", "not_html"),
])
def test_bodies_that_cannot_be_a_page(body, content_type, code):
    problem = check_body(body, content_type)
    assert problem is not None and problem.code == code
    assert problem.reason


@pytest.mark.parametrize("body", [
    article_html(1).encode(),
    article_html(2).encode("cp932", errors="replace"),  # Shift_JIS has no control bytes either
    article_html(3).encode("iso2022_jp", errors="replace"),  # ESC sequences are allowed
    "\ufeff<html>テスト</html>".encode("utf-16"),
])
def test_pages_in_any_encoding_pass(body):
    assert check_body(body, "text/html") is None


@pytest.mark.parametrize("opening", [b"", b"\xef\xbb\xbf\n", b'<?xml version="1.0"?>\n', b"<!-- cms 4.2 -->\n  ",
                                     b"\xef\xbb\xbf" + b"\r\n" * 2500])
def test_a_page_served_as_bytes_of_unknown_type_is_read(opening):
    # A page uploaded to a bucket without its type comes back application/octet-stream: it was
    # refused as not HTML, every time, and the article lost. Its bytes say what it is. The blank
    # lines a JSP writes before its doctype, 5 KB of them, do not hide it (they were all of the 4 KB looked at).
    body = opening + article_html(4).encode()
    assert check_body(body, "application/octet-stream") is None
    assert check_body(body, "application/pdf").code == "not_html"


@pytest.mark.parametrize("body,said", [
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><item><link>https://x.jp/a/1</link>'
     b'</item></channel></rss>', "an RSS feed"),
    (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="/s.xsl"?>\n'
     b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.jp/a/1</loc></url></urlset>',
     "a sitemap"),
    (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>', "a sitemap index"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', "an Atom feed"),
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>',
     "an RSS 1.0 feed"),
])
@pytest.mark.parametrize("served", ["application/rss+xml", "application/xml", "text/html", None])
def test_a_feed_or_sitemap_where_a_page_should_be_is_no_page(body, said, served):
    # A moved article's URL sent on to the outlet's feed, a CMS answering with its RSS: read as a
    # page, its links and dates were stored as an article, scored and grouped like one.
    problem = check_body(body, served)
    assert problem is not None and problem.code == "not_html"
    assert problem.reason.startswith(f"not an HTML page: {said} ")


def test_a_site_too_busy_to_show_the_article_is_tried_again():
    from .hostile import busy_html

    problem = no_article_problem(busy_html().encode())
    assert problem.code == "site_busy" and "ただいまアクセスが集中しています" in problem.reason
    assert exhausted_state(problem.code) == ("gave_up", None)  # an error tried again, not a verdict


def test_a_page_sent_without_a_length_that_stops_before_its_end_is_cut_short():
    page = article_html(8).encode()
    for cut in (page[: len(page) // 2], page[: page.index(b"</body>")], page[:200], b"\n" * 5000 + page[:200]):
        problem = cut_short(cut)
        assert problem.code == "truncated" and f"after {len(cut):,} bytes" in problem.reason
    assert exhausted_state("truncated") == ("gave_up", None)  # an error tried again, not a verdict
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b"<item><link>http://x/a</link></item>" * 20
    assert cut_short(feed).code == "truncated"


@pytest.mark.parametrize("body", [
    article_html(8).encode(),
    article_html(8).encode().replace(b"</html>", b""),  # ends with </body>: the article came whole
    article_html(8).encode() + b"\n<script>track()</script>\n" * 200,  # a tracker written after </html>
    article_html(8).encode().upper(),
    b'<?xml version="1.0"?><rss version="2.0"><channel><item/></channel></rss>\n',
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/a</loc></url></urlset>',
    b'{"items": [1, 2', b"", b"plain text, cut",  # no markup: check_body judges those
    article_html(8).encode("utf-16")[:400],  # UTF-16: its tags are no ASCII bytes
])
def test_a_body_that_ends_or_is_no_markup_is_not_cut_short(body):
    assert cut_short(body) is None


def test_every_saved_page_ends():
    pages = [p for p in SAVED.rglob("*") if p.is_file() and ".htm" in p.name]
    assert len(pages) > 250
    cut = [p.name for p in pages if cut_short(gzip.decompress(p.read_bytes()) if p.suffix == ".gz"
                                                else p.read_bytes()) is not None]
    assert cut == []


def test_xhtml_with_its_declaration_is_a_page():
    body = (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            + article_html(5).encode().split(b"<html", 1)[1].split(b">", 1)[1])
    assert check_body(body, "application/xhtml+xml") is None
    assert check_body(body, "application/xml") is None


@pytest.mark.parametrize("served", [None, "application/octet-stream", "text/plain", "text/xml"])
@pytest.mark.parametrize("body", [b"<div class='article'><p>\xe6\x9c\xac\xe6\x96\x87</p></div>",
                                  b"\n<meta charset='utf-8'><title>t</title><p>text",
                                  "\ufeff<html>テスト</html>".encode("utf-16")])
def test_markup_of_any_type_that_says_nothing_is_read(body, served):
    # A fragment, a page without a doctype, UTF-16: the bytes open with markup, as a browser
    # sniffs a page (the fragment served as bytes was refused before: nothing says it is none).
    assert check_body(body, served) is None


@pytest.mark.parametrize("body,served,said", [
    (b'{"a": 1}', None, "JSON served without a Content-Type (8 bytes)"),
    (b'{"a": 1}', "text/html; charset=UTF-8", "JSON served as text/html (8 bytes)"),
    (b"a,b\n", "text/plain", "text with no HTML markup served as text/plain (4 bytes)"),
])
def test_what_is_no_page_is_named(body, served, said):
    assert check_body(body, served).reason == f"not an HTML page: {said}"


def test_a_page_that_mentions_json_is_still_a_page():
    # The JSON check parses only what opens as JSON, and whole: a page is never one.
    assert check_body(b'{"broken": <html><body><p>x</p></body></html>', "text/html") is None
    assert check_body(b'<script>var a = {"b": 1};</script>' + article_html(5).encode(), None) is None


def test_what_extraction_found_nothing_in():
    assert no_article_problem(b"<html><head><title>x</title></head><body><div id=app></div></body></html>").code \
        == "empty_document"
    listing = ("<html><body><ul>" + "".join(f"<li><a href='/{i}'>見出し{i}の記事の一覧です</a></li>" for i in range(20))
               + "</ul></body></html>").encode()
    assert no_article_problem(listing).code == "not_article"
    nested = b"<html><body>" + b"<b>" * 50_000 + b"<p>text</p></body></html>"
    assert no_article_problem(nested).code == "markup_too_deep"


def test_a_script_frameworks_shell_asking_for_javascript_is_drawn_by_script_not_a_listing():
    # An outlet remade as a JavaScript app: its menus and footer around an empty root, and a <noscript> asking for
    # scripts. Read as "a listing?", each article was given up for good at the second look, the outlet "degraded".
    nav = "".join(f"<li><a href='/c/{i}'>{w}</a></li>" for i, w in enumerate(
        ["政治", "経済", "国際", "社会", "スポーツ", "文化", "科学", "地域", "オピニオン", "特集", "ランキング", "動画",
         "写真", "天気", "おくやみ", "お問い合わせ", "会社案内", "購読のお申し込み"]))
    footer = "<footer><p>Copyright 毎朝新聞社 All rights reserved. 当サイトに掲載の記事・写真の無断転載を禁じます。</p></footer>"
    ask = "<noscript><p>このページを表示するにはJavaScriptを有効にしてください。</p></noscript>"

    def shell(root: str, noscript: str = ask) -> bytes:
        return (f"<html><head><meta charset='utf-8'><title>記事 | 毎朝新聞</title></head><body><header><nav><ul>{nav}"
                f"</ul></nav></header>{noscript}{root}{footer}<script src='/static/app.js'></script></body></html>"
                ).encode()

    problem = no_article_problem(shell("<div id='app'></div>"))
    assert problem.code == "drawn_by_script", problem
    assert "JavaScriptを有効にしてください" in problem.reason and "newsmon runs no scripts" in problem.reason
    assert no_article_problem(shell("<div id='__next'></div>", "<noscript>Please enable JavaScript.</noscript>")
                              ).code == "drawn_by_script"
    # Without the ask, or with its root filled (a server-rendered listing under a site-wide <noscript>), a listing.
    assert no_article_problem(shell("<div id='app'></div>", "")).code == "not_article"
    listing = ("<div id='app'><ul>" + "".join(f"<li><a href='/a/{i}'>見出し{i}の記事</a></li>" for i in range(20))
               + "</ul></div>")
    assert no_article_problem(shell(listing)).code == "not_article"
    # A bare shell that asks for scripts is a bot's wall until shown otherwise, as before.
    bare = (b"<html><body><noscript>Enable JavaScript and cookies to continue</noscript><div id='root'></div>"
            b"</body></html>")
    assert no_article_problem(bare).code == "empty_document"
    # A re-check's shells it called listings: other roots, a root holding its loading line or spinner, the ask said
    # as "disabled" or in full-width letters.
    for root, noscript in [("<div id='__layout'></div>", ask),
                           ("<div id='main-app'><div class='spinner'></div></div>", ask),
                           ("<div id='__nuxt'><div id='nuxt-loading'>Loading...</div></div>", ask),
                           ("<div id='root'>読み込み中...</div>", ask),
                           ("<div id='app'></div>", "<noscript>JavaScriptが無効になっているため、表示できません。</noscript>"),
                           ("<div id='app'></div>", "<noscript>ＪａｖａＳｃｒｉｐｔを有効にしてください。</noscript>")]:
        assert no_article_problem(shell(root, noscript)).code == "drawn_by_script", (root, noscript)
    # A server-rendered tag page under a site-wide <noscript> with a widget's empty root (a modal) shows its
    # headlines: a listing still. Called drawn by script, three such pages among thirty articles failed the outlet.
    headlines = "<main><ul>" + "".join(f"<li><a href='/a/{i}'>防衛省、来年度予算の概算要求を発表 第{i}報</a></li>"
                                      for i in range(20)) + "</ul></main>"
    assert no_article_problem(shell(headlines + "<div id='app'></div>")).code == "not_article"


def test_a_vue_apps_shell_is_no_article_however_generic_extraction_reads_it():
    # Vue CLI's own <noscript> between menus and a copyright: generic extraction read them as the article, and every
    # later article URL was its duplicate, none read nor retried.
    from crawler.extract import extract_article

    nav = "".join(f"<li><a href='/c/{i}'>{w}</a></li>" for i, w in enumerate(
        ["政治", "経済", "国際", "社会", "スポーツ", "文化", "科学", "地域", "オピニオン", "特集", "ランキング", "動画",
         "写真", "天気", "おくやみ", "お問い合わせ", "会社案内", "購読のお申し込み", "よくある質問", "サイトマップ"]))
    page = ("<html><head><meta charset='utf-8'><title>毎朝新聞</title></head><body><noscript><strong>We're sorry but "
            "maiasa-web doesn't work properly without JavaScript enabled. Please enable it to continue.</strong>"
            "</noscript><header><nav><ul>" + nav + "</ul></nav></header><main><div id='app'></div></main><p>当サイトに"
            "掲載の記事・写真の無断転載を禁じます。すべての内容は日本の著作権法並びに国際条約により保護されています。</p>"
            "<footer><p>Copyright 毎朝新聞社 All rights reserved.</p></footer></body></html>").encode()
    assert extract_article(page, "https://example.jp/articles/1") is None
    assert no_article_problem(page).code == "drawn_by_script"
    # A flash the server drew, in a page that also holds an empty root and a site-wide ask (read with them by
    # generic extraction), is the article: two sentences were dropped as a shell.
    flash = ("政府は15日、国家安全保障戦略の改定に向けた有識者会議の初会合を首相官邸で開いた。年内の改定を目指し、反撃能力の運用"
             "や防衛装備品の輸出ルールの見直しなどを議論する。")
    page = ("<html><head><meta charset='utf-8'><title>有識者会議が初会合 | 毎朝新聞</title><meta property='og:type' "
            "content='article'><meta property='article:published_time' content='2026-12-05T10:00:00+09:00'></head>"
            "<body><noscript>この"
            "サイトを快適にご利用いただくためにはJavaScriptを有効にしてください。</noscript><header><nav><ul>"
            "<li><a href='/p/'>政治</a></li><li><a href='/e/'>経済</a></li></ul></nav></header><article><h1>有識者会議が"
            f"初会合</h1><p>{flash}</p></article><div id='app'></div><footer><p>Copyright 毎朝新聞社</p></footer>"
            "</body></html>").encode()
    article = extract_article(page, "https://example.jp/articles/2")
    assert article is not None and flash in article.text


def test_deep_wrappers_are_read_not_lost():
    from crawler.extract import extract_article

    article = extract_article(deep_html(), "http://127.0.0.1/a/deep")
    assert article is not None and "市議会" in article.text


def test_failure_reasons():
    assert failure_problem(["DownloadTimeoutError", "Exception"], "took longer than 2.0 seconds").code == "timeout"
    assert failure_problem(["ResponseDataLossError"], "").code == "truncated"
    assert failure_problem(["DownloadCancelledError"], "").code == "too_large"
    assert failure_problem(["DownloadConnectionRefusedError"], "").code == "connection_refused"
    # What the spider passes: the names of the raised class's MRO (Scrapy 2.19's own DNS error
    # subclasses nothing of Twisted's, and was "fetch_failed").
    import scrapy.exceptions

    scrapy_dns = getattr(scrapy.exceptions, "CannotResolveHostError", None)
    if scrapy_dns is not None:
        assert failure_problem([c.__name__ for c in scrapy_dns.__mro__], "DNS lookup failed").code == "dns"
    assert failure_problem(["WeirdError"], "boom").reason == "WeirdError: boom"
    # An exception no site causes is a bug, not a network failure (the run fails for it).
    bug = failure_problem(["NameError", "Exception", "BaseException", "object"], "name 'key' is not defined")
    assert bug.code == "crawl_bug" and bug.reason.startswith("a bug of newsmon while fetching: NameError: name 'key'")
    assert failure_problem(["ValueError", "Exception"], "Missing scheme in request url").code == "fetch_failed"
    assert exhausted_state("http_410") == ("gone", 1)
    assert exhausted_state("http_404") == ("gone", None)
    assert exhausted_state("timeout") == ("gave_up", None)


def test_feeds_and_sitemaps_say_why_they_give_nothing():
    assert parse_feed(b"").problem.startswith("empty body")
    assert "HTML page" in parse_feed(b"<!DOCTYPE html><html><body>503</body></html>").problem
    assert "not a feed" in parse_feed(b"<?xml version='1.0'?><urlset/>").problem
    broken = parse_feed(b"<rss><channel><item><link>https://a.jp/1</link></item><item><link>oops")
    assert broken.problem.startswith("invalid XML") and broken.links[0] == "https://a.jp/1"
    good = parse_feed(b"<rss version='2.0'><channel><item><link>https://a.jp/1</link></item></channel></rss>")
    assert (good.links, good.problem) == (["https://a.jp/1"], None)
    # RSS 2.0 makes <link> optional: an item's permalink guid is its URL (one that is not, or a
    # guid beside a link, is not); such a feed listed nothing, and was "emptied".
    guids = parse_feed(b"<rss version='2.0'><channel>"
                       b"<item><title>a</title><guid>https://a.jp/2</guid></item>"
                       b"<item><guid isPermaLink='true'> https://a.jp/3 </guid></item>"
                       b"<item><guid isPermaLink='false'>https://a.jp/4</guid></item>"
                       b"<item><guid>tag:a.jp,2026:5</guid></item>"
                       b"<item><link>https://a.jp/6</link><guid>https://a.jp/6?guid</guid></item>"
                       b"</channel></rss>")
    assert (guids.links, guids.unlinked) == (["https://a.jp/2", "https://a.jp/3", "https://a.jp/6"], 2)
    # Neither <link> nor guid, but an Atom link: read as feed readers read it; such an item was
    # lost without a word, with the feed read and "ok".
    atom_links = parse_feed(b"<rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'><channel>"
                            b"<atom:link href='https://a.jp/feed.xml' rel='self'/>"
                            b"<item><title>a</title><atom:link href='https://a.jp/7' rel='alternate'/></item>"
                            b"<item><atom:link href='https://a.jp/8?amp' rel='amphtml'/><atom:link href='https://a.jp/8'/>"
                            b"</item><item><atom:link href='https://a.jp/9?amp' rel='amphtml'/>"
                            b"<link>https://a.jp/9</link></item></channel></rss>")
    assert (atom_links.links, atom_links.unlinked) == (["https://a.jp/7", "https://a.jp/8", "https://a.jp/9"], 0)
    # Atom links relative to an xml:base: the feed's own URL, against which the crawl resolves a
    # relative link, is not theirs.
    based = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom' xml:base='https://a.jp/news/'>"
                       b"<entry><link href='2026/12.html'/></entry>"
                       b"<entry xml:base='/en/'><link href='13.html'/></entry>"
                       b"<entry><link href='https://b.jp/14.html'/></entry></feed>")
    assert based.links == ["https://a.jp/news/2026/12.html", "https://a.jp/en/13.html", "https://b.jp/14.html"]
    # RSS 1.0: an item's <link> is the page, where its rdf:about differs (a tracking parameter).
    rdf = parse_feed(b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' xmlns='http://purl.org/rss/1.0/'>"
                     b"<item rdf:about='https://a.jp/10?ref=rss'><link>https://a.jp/10</link></item>"
                     b"<item rdf:about='https://a.jp/11'><title>x</title></item></rdf:RDF>")
    assert (rdf.links, rdf.unlinked) == (["https://a.jp/10", "https://a.jp/11"], 0)
    index = parse_sitemap(gzip.compress(b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                        b"<sitemap><loc>https://a.jp/s1.xml</loc></sitemap></sitemapindex>"))
    assert (index.kind, index.links) == ("sitemapindex", ["https://a.jp/s1.xml"])
    assert "not a sitemap" in parse_sitemap(b"<rss/>").problem
    assert "does not decompress" in parse_sitemap(b"\x1f\x8bnot gzip").problem
    assert "cut short" in parse_sitemap(gzip.compress(b"<urlset/>" * 100)[:-12]).problem
    # A compression bomb (60 MB of zeros in 60 KB) is refused, not decompressed into memory.
    bomb = parse_sitemap(gzip.compress(b"\0" * (60 * 1024 * 1024)))
    assert "over 52,428,800 bytes once decompressed" in bomb.problem and bomb.links == []
    # Two gzip members are one stream (RFC 1952), as gzip.decompress reads them: both halves count.
    xml = (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/1</loc></url>"
           b"<url><loc>https://a.jp/2</loc></url></urlset>")
    halves = parse_sitemap(gzip.compress(xml[:60]) + gzip.compress(xml[60:]))
    assert (halves.links, halves.problem) == (["https://a.jp/1", "https://a.jp/2"], None)


def test_what_a_feed_or_news_sitemap_says_of_each_article_is_kept_as_plain_text():
    # Kept with the URL, for an article whose page cannot be read (storage.frontier.unread_listed).
    rss = parse_feed("<rss version='2.0'><channel><title>チャンネル</title>"
                     "<item><title>反撃能力の運用</title><link>https://a.jp/1</link>"
                     "<description>&lt;p&gt;与党 &amp;amp; 政府が&lt;b&gt;協議&lt;/b&gt;&lt;/p&gt;</description>"
                     "<media:content xmlns:media='http://search.yahoo.com/mrss/'><media:description>写真"
                     "</media:description></media:content></item>"
                     "<item><link>https://a.jp/2</link></item>"
                     "<item><title>再掲</title><link>https://a.jp/1</link></item></channel></rss>".encode())
    # The markup a description carries as text and its references go; an enclosure's caption is
    # no summary; an entry that says nothing has no words; the first entry of a URL gives them.
    assert rss.listed == {"https://a.jp/1": "反撃能力の運用 — 与党 & 政府が 協議"}
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title type='html'>A &lt;em&gt;b&lt;/em&gt;"
                      b"</title><link href='https://a.jp/3'/><summary>" + "要約".encode() * 200 + b"</summary></entry></feed>")
    assert atom.listed["https://a.jp/3"].startswith("A b — 要約") and len(atom.listed["https://a.jp/3"]) == discovery.WORDS_MAX
    news = parse_sitemap("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                         "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9' "
                         "xmlns:image='http://www.google.com/schemas/sitemap-image/1.1'>"
                         "<url><loc>https://a.jp/4</loc><news:news><news:publication><news:name>A</news:name>"
                         "</news:publication><news:title>安保3文書の改定</news:title></news:news>"
                         "<image:image><image:title>写真</image:title></image:image></url>"
                         "<url><loc>https://a.jp/tag/x</loc></url></urlset>".encode())
    assert news.listed == {"https://a.jp/4": "安保3文書の改定"}


def test_a_section_pages_links_say_their_articles_headlines():
    # Asahi's front page as saved (2020-09-19), read as the spider reads a section page: each
    # article's words are its link's text, the longest of its links (a photo's link says nothing).
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor

    page = HtmlResponse("https://www.asahi.com/", body=saved_bytes("script-crawler/asahi-top-2020-09-19.html"))
    words = discovery.link_words((link.url, link.text) for link in LinkExtractor(unique=False).extract_links(page))
    assert words["https://www.asahi.com/articles/ASN9M3DZJN9MUTFK004.html?iref=comtop_8_04"] == \
        "安倍前首相が靖国神社に参拝 「退任を英霊にご報告」10:28"
    assert words["https://www.asahi.com/articles/ASN9K6WZ5N9KUHNB00M.html?iref=comtop_urgent_1"] == \
        "谷川岳ロープウェイ運休「コロナとダブルパンチ」"
    assert discovery.link_words([("https://a.jp/1", ""), ("https://a.jp/1", " 見出し\n 12:00 "),
                                 ("https://a.jp/1", "続き"), ("https://a.jp/2", "  ")]) == {"https://a.jp/1": "見出し 12:00"}
    assert len(discovery.link_words([("https://a.jp/3", "長" * 400)])["https://a.jp/3"]) == discovery.WORDS_MAX


@pytest.mark.parametrize("saved, url, outlet, sidebar, listed, linked", [
    ("script-crawler/asahi-top-2020-09-19.html", "https://www.asahi.com/", "asahi",
     '//*[@id="AccessRanking"]', 69, 120),
    ("feedreader/japantimes-home.html", "https://www.japantimes.co.jp/", "japantimes",
     '//*[contains(@class, "bl_sideDiv")]', 37, 70)])
def test_a_section_pages_own_listing_is_told_from_its_rankings_and_picks(saved, url, outlet, sidebar, listed, linked):
    # A section page's listing turned over whole beside a ranking of articles seen the day before
    # had articles seen before, and its next page was not read. The saved listing pages, read as
    # the spider reads a section page: their own listing is their largest group of article links
    # under one markup path, their rankings (asahi's #AccessRanking) and picks (The Japan Times'
    # sidebar tabs) left out but for an article the listing lists too.
    from scrapy.http import HtmlResponse

    from crawler.outlets import registry
    from crawler.store import known_hosts
    from crawler.urls import canonical_url

    page, definition, hosts = HtmlResponse(url, body=saved_bytes(saved)), registry()[outlet], known_hosts(registry())

    def article_url(href: str) -> str | None:
        found = canonical_url(urljoin(url, href.strip()), hosts)
        return found if definition.in_scope(found) and definition.is_article_url(found) else None

    own = discovery.main_listing(page.selector.root, article_url)
    every = {article_url(href) for href in page.xpath("//a/@href").getall()} - {None}
    ranked = {article_url(href) for href in page.xpath(f"{sidebar}//a/@href").getall()} - {None}
    assert (len(own), len(every)) == (listed, linked)
    assert len(ranked) >= 8 and len(ranked & own) <= 1
    # And said to be its own: a page whose own list is gone is named broken (``page_listing``).
    assert discovery.page_listing(page.selector.root, article_url) == (own, True)


def test_a_section_pages_own_listing_reads_its_links_as_the_spider_took_them_not_canonicalised_again(
        tmp_path, monkeypatch):
    # The spider took each link of a section page for an article URL or not (``_articles``), and its own listing
    # canonicalised every link again: 14 ms a page more on asahi.com's front page (736 links), 6 of 7 of the time
    # its listing took. Read off what the spider took them for, the listing is the same.
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor
    from scrapy.utils.test import get_crawler

    import crawler.spiders.news as news
    from crawler import settings as project
    from crawler.store import close_crawler_db
    from crawler.urls import canonical_url

    settings = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    crawler = get_crawler(news.NewsSpider, settings_dict={**settings, "NEWSMON_DB": str(tmp_path / "news.db")})
    spider = news.NewsSpider.from_crawler(crawler)
    try:
        page = HtmlResponse("https://www.asahi.com/", body=saved_bytes("script-crawler/asahi-top-2020-09-19.html"))
        links = list(dict.fromkeys(link.url for link in LinkExtractor(unique=False).extract_links(page)))
        taken: dict[str, str | None] = {}
        spider._articles(links, "asahi", via="section", strict=False, taken=taken)
        alone = spider._own_listing(page, "asahi", [])
        calls = []
        monkeypatch.setattr(news, "canonical_url", lambda *args: calls.append(args) or canonical_url(*args))
        # Its own (``page_listing``), the 69 of its main list.
        assert spider._own_listing(page, "asahi", [], taken) == alone and len(alone[0]) == 69 and alone[1]
        assert len(calls) < 20, f"{len(calls)} links of {len(links)} canonicalised again"
    finally:
        close_crawler_db(crawler)


def test_a_section_page_without_sidebars_is_its_own_listing_and_one_a_script_builds_its_datas():
    from lxml import html

    def article_url(href: str) -> str | None:
        return href if href.startswith("/a/") else None

    def listing(body: str, data: list[str] = ()) -> set[str] | None:
        return discovery.main_listing(html.fromstring(f"<html><body>{body}</body></html>"), article_url, data)

    # One list, or links strewn over the page: every article link.
    assert listing('<ul><li><a href="/a/1">1</a></li><li><a href="/a/2">2</a> <a href="/tag/x">x</a></li></ul>'
                   '<nav><a href="/">top</a></nav>') == {"/a/1", "/a/2"}
    assert listing('<p><a href="/a/1">1</a></p><div><p><a href="/a/2">2</a></p></div>') == {"/a/1", "/a/2"}
    # A list split by day is one; a ranking in an <aside>, larger, and a pinned story are not its.
    days = "".join(f'<h2>{d}日</h2><ul class="List"><li><a href="/a/{d}1">-</a></li>'
                   f'<li><a href="/a/{d}2">-</a></li></ul>' for d in (1, 2))
    ranking = "".join(f'<li><a href="/a/r{n}">-</a></li>' for n in range(8))
    pinned = '<div class="top"><a href="/a/pin">-</a></div>'
    assert listing(f"{pinned}<main>{days}</main><aside><ol>{ranking}</ol></aside>") == {"/a/11", "/a/12", "/a/21", "/a/22"}
    # A page whose links are its menus lists its articles in its data only.
    assert listing('<a href="/">top</a>', ["/a/1", "/a/2"]) == {"/a/1", "/a/2"}
    assert listing('<a href="/">top</a>') is None


def test_a_section_pages_listing_in_blocks_side_by_side_is_one_listing_its_ranking_apart():
    from lxml import html

    def article_url(href: str) -> str | None:
        return href if href.startswith("/a/") else None

    def listing(body: str) -> set[str] | None:
        return discovery.main_listing(html.fromstring(f"<html><body>{body}</body></html>"), article_url)

    def items(names, tail=""):
        return "".join(f'<li><a href="/a/{n}">-</a>{tail}</li>' for n in names)

    # asahi.com's markup: the newest with photos, then the rest as text, in one div.Section; its
    # ranking in div#Sub. The photo block alone was taken for the listing: it turned over whenever
    # more were published than it shows, though the text block still listed articles seen before.
    ranking = '<div id="Sub"><div id="AccessRanking"><dl class="Ranking">' + "".join(
        f'<dd><a href="/a/r{n}">-</a></dd>' for n in range(5)) + "</dl></div></div>"
    page = (f'<div id="Main"><div class="pickup"><a href="/a/pin">-</a></div><div class="Section">'
            f'<ul class="List ListSideImage">{items(range(12), "<img>")}</ul><ul class="List">{items(range(12, 20))}'
            f"</ul></div></div>{ranking}")
    assert listing(page) == {f"/a/{n}" for n in range(20)}
    # A grid of cards before a list; items of two articles each (a story and its follow-up) under
    # ids of their own, beside a ranking larger than any one of them.
    cards = "".join(f'<div class="card"><a href="/a/{n}"><img></a><h3><a href="/a/{n}">-</a></h3></div>'
                    for n in range(6))
    assert listing(f'<main><div class="grid">{cards}</div><ul class="list">{items(range(6, 10))}</ul></main>'
                   f"{ranking}") == {f"/a/{n}" for n in range(10)}
    pairs = "".join(f'<li id="post-{n}"><a href="/a/{n}">-</a> <a href="/a/{n}f">続報</a></li>' for n in range(4))
    assert listing(f'<main><ul class="list">{pairs}</ul></main>{ranking}') == (
        {f"/a/{n}" for n in range(4)} | {f"/a/{n}f" for n in range(4)})
    # A ranking in a box of its own, a pinned story, a list in the furniture stay apart.
    assert listing(f'<div id="Main"><ul class="List">{items(range(8))}</ul></div>{ranking}') == {
        f"/a/{n}" for n in range(8)}


@pytest.mark.parametrize("saved, url, outlet, box", [
    # Nikkan Gendai's アクセスランキング of 15: div.access-ranking.lanking-box > ol.accesslank ("lank" as written).
    ("fundus-jp/NikkanGeadai_2025_01_22.html", "https://www.nikkan-gendai.com/articles/view/present/366660",
     "nikkan_gendai", '//div[@class="access-ranking lanking-box"]'),
    # Yahoo!ニュース's: div#accr, whose h2 alone says アクセスランキング（野球）.
    ("java-extractarticle/000002-yahoo.html",
     "https://news.yahoo.co.jp/articles/6d19a1e3c576789da6cd60c567eeb1da34c63ef1", "yahoo", '//*[@id="accr"]/..'),
    # Sankei's section.ranking; Nikkei's div.cmn-sub_access_ranking; The Japan News' div.ranking.
    ("scrapping-webs/sankei-test_article_1.html", "https://www.sankei.com/article/20230331-D5BZ37LIINLKLC7WJCEH3Y5X4M/",
     "sankei", '//section[@class="ranking"]'),
    ("newspaper4k/japanese_article.html", "https://www.nikkei.com/article/DGXMZO31897660Y8A610C1000000/", "nikkei",
     '//div[@class="cmn-sub_access_ranking"]'),
    ("fundus-jp/TheJapanNews_2024_10_13.html",
     "https://japannews.yomiuri.co.jp/politics/politics-government/20241013-216478/", "japannews",
     '//div[@class="ranking_1 ranking"]')])
def test_a_ranking_larger_than_a_section_pages_listing_is_no_listing(saved, url, outlet, box):
    # Nikkan Gendai's section pages carry a ranking of 15 in no <aside>, larger than a list of 12:
    # taken for the listing, a list that turned over whole was judged by the ranking of articles
    # seen before, its next page never read and health said ok. The outlets' real rankings, each
    # beside a list of one article fewer than it holds.
    from lxml import etree, html
    from scrapy.http import HtmlResponse

    from crawler.outlets import registry
    from crawler.store import known_hosts
    from crawler.urls import canonical_url

    definition, hosts = registry()[outlet], known_hosts(registry())

    def article_url(href: str) -> str | None:
        found = canonical_url(urljoin(url, href.strip()), hosts)
        return found if definition.in_scope(found) and definition.is_article_url(found) else None

    ranking = HtmlResponse(url, body=saved_bytes(saved)).selector.root.xpath(box)[0]
    ranked = {article_url(a.get("href")) for a in ranking.iter("a") if a.get("href")} - {None}
    listed = [urljoin(url, f"/listed/{n}") for n in range(len(ranked) - 1)]
    items = "".join(f'<li class="item"><a href="{u}">見出し</a></li>' for u in listed)
    page = html.fromstring(f'<html><body class="gen-news"><div class="contents-wrapper"><main><h1>政治</h1>'
                           f'<ul class="list">{items}</ul></main>'
                           f'<div class="side">{etree.tostring(ranking, encoding="unicode")}</div>'
                           "</div></body></html>")
    own = discovery.main_listing(page, lambda href: href if href in listed else article_url(href))
    assert len(ranked) >= 5 and own == set(listed)


def test_a_box_of_other_articles_is_told_by_its_name_or_heading_in_it_not_by_the_page_around_it():
    from lxml import html

    def article_url(href: str) -> str | None:
        return href if href.startswith("/a/") else None

    def listing(body: str, data=(), page_class: str = "") -> set[str] | None:
        return discovery.main_listing(html.fromstring(f'<html><body class="{page_class}">{body}</body></html>'),
                                      article_url, data)

    def items(names, tag="li"):
        return "".join(f'<{tag}><a href="/a/{n}">-</a></{tag}>' for n in names)

    main = f'<main><h1>政治</h1><ul class="list">{items(range(6))}</ul></main>'
    listed = {f"/a/{n}" for n in range(6)}
    # Larger than the list: named by a class or id, by its heading in it or just before it, in a
    # <template> a script fills it from; recommended or picked articles too.
    for side in (f'<div class="ranking-box"><ol>{items(range(10, 20))}</ol></div>',
                 f'<div id="popularNews"><ol>{items(range(10, 20))}</ol></div>',
                 f'<div><h2>よく読まれている記事</h2><ol>{items(range(10, 20))}</ol></div>',
                 f'<div><div class="box-ttl"><span>Most read</span></div><ol>{items(range(10, 20))}</ol></div>',
                 f'<h3>人気記事</h3><ol class="x">{items(range(10, 20))}</ol>',
                 f'<template id="later"><ol>{items(range(10, 20))}</ol></template>',
                 f'<div class="osusume"><ul>{items(range(10, 20))}</ul></div>',
                 f'<section><h2>ピックアップ</h2><ul>{items(range(10, 20))}</ul></section>'):
        assert listing(main + side) == listed, side
    # Smaller than the list, in the same element as it: merged into the listing as a block of it was
    # (the newest with photos, then as text), the listing always held articles seen before.
    for side in (f'<ol class="ranking">{items(range(10, 13))}</ol>',
                 f'<h2>アクセスランキング</h2><ol>{items(range(10, 13))}</ol>'):
        assert listing(f'<div id="main"><h1>政治</h1><ul class="list">{items(range(6))}</ul>{side}</div>') == listed
    # The list's own heading first, then a tab bar naming a ranking (a menu, not a heading), a page
    # class naming one: the list is still the page's listing, the larger block beside it another.
    tabs = '<div class="tab-title"><a href="/new">新着</a><a href="/rank">アクセスランキング</a></div>'
    other = f'<div class="more"><ul>{items(range(30, 33))}</ul></div>'
    assert listing(f'<main>{tabs}<ul class="list">{items(range(6))}</ul></main>{other}') == listed
    assert listing(f'<main><h1>ニュース</h1><ul class="list">{items(range(6))}</ul></main>{other}',
                   page_class="ranking-enabled popular") == listed
    # A page of rankings only: the largest of them, as before.
    assert listing(f'<div class="ranking"><ol>{items(range(3))}</ol></div>'
                   f'<div class="ranking2"><ol>{items(range(5, 9))}</ol></div>') == {f"/a/{n}" for n in range(5, 9)}
    # A page's data: each of its places a group of its own, and one under a key naming a ranking no
    # listing; what the page shows stays its listing. A page a script builds lists its largest.
    ranked = [(f"/a/r{n}", "__NEXT_DATA__/pageProps/accessRanking") for n in range(12)]
    shown = [(f"/a/{n}", "__NEXT_DATA__/pageProps/articles") for n in range(6)]
    assert listing(main, [*shown, *ranked]) == listed
    more = [(f"/a/m{n}", "__NEXT_DATA__/pageProps/more") for n in range(4)]
    assert listing('<a href="/">top</a>', [*ranked, *shown, *more]) == {f"/a/{n}" for n in range(6)}


def test_a_list_is_told_by_its_own_heading_and_a_ranking_page_by_its_ranking():
    from lxml import html

    def article_url(href: str) -> str | None:
        return href if href.startswith("/a/") else None

    def listing(body: str, url: str = "") -> set[str] | None:
        return discovery.main_listing(html.fromstring(f"<html><body>{body}</body></html>"), article_url, url=url)

    def items(names):
        return "".join(f'<li><a href="/a/{n}">-</a></li>' for n in names)

    listed = {f"/a/{n}" for n in range(12)}
    ul = f'<ul class="list">{items(range(12))}</ul>'
    ranking = (f'<div class="side"><div class="access-ranking"><h2>アクセスランキング</h2><ol>{items(range(100, 115))}</ol>'
               "</div></div>")
    # The first heading of the list's column was another box's, the list's own nearer: a box of videos
    # (links to no article), a ranking a script fills in. The list was judged a ranking, and Nikkan
    # Gendai's ranking of 15 beside it taken for the listing again.
    videos = ('<section class="movie"><h2>おすすめ動画</h2><ul><li><a href="/movie/1"><h3>動画</h3></a></li>'
              '<li><a href="/movie/2"><h3>動画</h3></a></li></ul></section>')
    assert listing(f"<main>{videos}<section><h2>政治</h2>{ul}</section></main>{ranking}") == listed
    assert listing(f"<main>{videos}<h2>政治</h2>{ul}</main>{ranking}") == listed
    filled = '<div class="box"><h2>アクセスランキング</h2><div id="js-rank"></div></div>'
    assert listing(f"<main>{filled}<h2>新着</h2>{ul}</main>{ranking}") == listed
    # A page's <h1> titles the page: a page of picks lists them as its own.
    assert listing(f"<main><h1>ピックアップ</h1>{ul}</main>{ranking}") == listed
    # A ranking's heading still names it past the tabs under it and a comment between them.
    tabs = '<ul class="tab"><li><h3 class="tab-ttl">24時間</h3></li><li><h3 class="tab-ttl">週間</h3></li></ul>'
    main = f"<main><h2>政治</h2>{ul}</main>"
    for side in (f"<div><h2>よく読まれている記事</h2>{tabs}<ol>{items(range(100, 115))}</ol></div>",
                 f'<div id="wrap"><h2>アクセスランキング</h2><!-- ranking --><div class="box"><ol>'
                 f'{items(range(100, 115))}</ol></div><ul class="x">{items(range(200, 202))}</ul></div>'):
        assert listing(main + side) == listed, side
    # Words "rank" and "lank" are in say nothing of a box.
    for name in ("frank-list", "planks", "tag-sri-lanka", "l-flank"):
        assert listing(f'<main><h2>政治</h2><div class="{name}">{ul}</div></main>{ranking}') == listed, name
    # A ranking page (Yahoo!ニュース's /ranking/access/news/domestic, one of its sections): its ranking is its
    # listing, not a box of three beside it; elsewhere the box of three is.
    page = (f'<main><h2>アクセスランキング（国内）</h2><ol class="newsFeed_list">{items(range(50))}</ol></main>'
            f'<div class="sub"><h2>注目</h2><ul>{items(range(200, 203))}</ul></div>')
    assert listing(page, "https://news.yahoo.co.jp/ranking/access/news/domestic") == {f"/a/{n}" for n in range(50)}
    assert listing(page, "https://news.yahoo.co.jp/categories/domestic") == {f"/a/{n}" for n in range(200, 203)}


def test_a_list_named_as_picks_is_the_pages_own_where_it_has_a_next_page_and_no_other_list():
    from lxml import html

    def article_url(href: str) -> str | None:
        return href if href.startswith("/a/") else None

    def listing(body: str, paginated: bool | None, data=()) -> tuple[set[str], bool] | None:
        asked = []
        picks_are_list = None if paginated is None else lambda n: asked.append(n) or paginated
        found = discovery.page_listing(html.fromstring(f"<html><body>{body}</body></html>"), article_url, data,
                                       picks_are_list=picks_are_list)
        return found, len(asked)

    def items(names):
        return "".join(f'<li><a href="/a/{n}">-</a></li>' for n in names)

    listed = {f"/a/{n}" for n in range(12)}
    ranking = (f'<div class="side"><div class="access-ranking"><h2>アクセスランキング</h2><ol>{items(range(100, 115))}'
               "</ol></div></div>")
    pinned = '<div class="top"><a href="/a/pin">-</a></div>'
    # A section's list in div.pickup-list, ul.recommend, under ピックアップ or おすすめ, beside a ranking larger
    # than it, or alone: taken for a box of other articles, its turnover was never told nor its next page read.
    for main in (f'<div class="pickup-list"><ul>{items(range(12))}</ul></div>',
                 f'<ul class="recommend">{items(range(12))}</ul>',
                 f'<section><h2>ピックアップ</h2><ul>{items(range(12))}</ul></section>',
                 f'<div class="box"><div class="box-ttl">編集部おすすめ</div><ul>{items(range(12))}</ul></div>'):
        for side in (ranking, "", pinned):
            assert listing(f"<main>{main}</main>{side}", True) == ((listed, True), 1), (main, side)
            # Of no next page, its list may be gone (drawn by a script now), its picks left: no list of its own.
            assert listing(f"<main>{main}</main>{side}", False)[0][1] is False, (main, side)
    # Asked with the picks' count: as many as a list that went are that list renamed (``NewsSpider._renamed_as_picks``).
    counted = []
    discovery.page_listing(html.fromstring(f"<html><body><main>{main}</main>{ranking}</body></html>"), article_url,
                           picks_are_list=lambda n: counted.append(n) or False)
    assert counted == [12]
    # A ranking or the most read is no page's own list, a next page or not; nor is a box named a ranking and picks
    # (Nikkan Gendai's div.osusume-ranking.lanking-box); nor a lone pick beside a ranking.
    for main in (f'<div class="ranking-list"><ul>{items(range(12))}</ul></div>',
                 f'<div class="osusume-ranking"><ul>{items(range(12))}</ul></div>',
                 f'<section><h2>おすすめランキング</h2><ul>{items(range(12))}</ul></section>',
                 '<div class="pickup"><a href="/a/0">-</a></div>'):
        assert listing(f"<main>{main}</main>{ranking}", True)[0][1] is False, main
    # Beside a list of the page's own, picks larger than it stay a box, its next page unasked for.
    page = (f'<main><h2>政治</h2><ul class="list">{items(range(6))}</ul></main>'
            f'<div class="osusume"><ul>{items(range(10, 20))}</ul></div>')
    assert listing(page, True) == (({f"/a/{n}" for n in range(6)}, True), 0)
    # A page a script builds: its list under a key naming picks, as its links' are.
    picked = [(f"/a/{n}", "__NEXT_DATA__/pageProps/pickupArticles") for n in range(12)]
    ranked = [(f"/a/r{n}", "__NEXT_DATA__/pageProps/accessRanking") for n in range(15)]
    assert listing('<a href="/">top</a>', True, [*picked, *ranked]) == ((listed, True), 1)
    assert listing('<a href="/">top</a>', False, [*picked, *ranked])[0][1] is False


def test_a_listed_urls_words_are_kept_once_and_given_to_one_listed_without(tmp_path):
    db = open_db(tmp_path / "n.db")
    assert frontier.add_pending(db, ["https://a.jp/1", "https://a.jp/2"], outlet="a",
                                listed={"https://a.jp/1": "反撃能力の運用"}) == 2
    # Listed again, by a feed that says more or a section that says nothing: the first words stay;
    # a URL first met on a section page gets the feed's words when a feed lists it.
    frontier.add_pending(db, ["https://a.jp/1", "https://a.jp/2"], outlet="a",
                         listed={"https://a.jp/1": "別の見出し", "https://a.jp/2": "安保3文書"})
    assert dict(db.execute("SELECT url, listed FROM urls ORDER BY url").fetchall()) == {
        "https://a.jp/1": "反撃能力の運用", "https://a.jp/2": "安保3文書"}
    # A headline alone (a section page's link) gives way to a feed's headline and summary, not
    # the other way round, and not to another headline.
    frontier.add_pending(db, ["https://a.jp/1"], outlet="a", listed={"https://a.jp/1": "反撃能力の運用 — 与党が協議"})
    frontier.add_pending(db, ["https://a.jp/1"], outlet="a", listed={"https://a.jp/1": "反撃能力の運用 — 別の要約"})
    frontier.add_pending(db, ["https://a.jp/2"], outlet="a", listed={"https://a.jp/2": "安保3文書の改定"})
    assert dict(db.execute("SELECT url, listed FROM urls ORDER BY url").fetchall()) == {
        "https://a.jp/1": "反撃能力の運用 — 与党が協議", "https://a.jp/2": "安保3文書"}
    frontier.record_blocked(db, "https://a.jp/1", outlet="a", code="wall_consent", reason="a consent wall", backoff=60)
    frontier.record_result(db, "https://a.jp/2", outlet="a", kind="article", code="stored", reason="stored")
    assert [r["url"] for r in frontier.unread_listed(db, since="2000-01-01")] == ["https://a.jp/1"]
    assert frontier.unread_listed(db, since="2999-01-01") == []


def test_every_url_newsmon_did_not_read_is_named_by_its_words_and_each_run_tells_its_own_once(tmp_path):
    # A page with no article found in it, one gone before it was read, a URL the pattern does not
    # take: each lost a feed's article as surely as a wall, and only walls and give-ups were named.
    db = open_db(tmp_path / "n.db")
    at = "2026-12-03T10:00:00+00:00"
    urls = {kind: f"https://a.jp/{kind}" for kind in ("not_article", "gone", "refused", "error", "article", "gone410",
                                                       "robots")}
    frontier.add_pending(db, list(urls.values()), outlet="a", run_id=1, now=at,
                         listed={u: f"見出し {k}" for k, u in urls.items() if k not in ("refused", "robots")})
    frontier.record_result(db, urls["not_article"], outlet="a", kind="not_article", code="not_article", run_id=1,
                           reason="no article in the page", retry_at="2026-12-03T16:00:00+00:00", now=at)
    for _ in range(3):  # a 404 at each of NEWSMON_MAX_ATTEMPTS tries
        frontier.record_failure(db, urls["gone"], outlet="a", code="http_404", reason="HTTP 404", max_attempts=3,
                                exhausted="gone", http_status=404, run_id=1, now=at)
    frontier.record_failure(db, urls["gone410"], outlet="a", code="http_410", reason="HTTP 410", max_attempts=1,
                            exhausted="gone", http_status=410, run_id=1, now=at)
    frontier.record_refused(db, urls["refused"], outlet="a", code="not_article_url", reason="the pattern does not "
                            "take it", run_id=1, now=at, listed="見出し refused")
    frontier.record_refused(db, urls["robots"], outlet="a", code="robots_unavailable", reason="robots.txt: HTTP 503",
                            run_id=1, now=at, listed="見出し robots")
    frontier.record_failure(db, urls["error"], outlet="a", code="timeout", reason="timed out", max_attempts=3,
                            run_id=1, now=at)
    frontier.record_result(db, urls["article"], outlet="a", kind="article", code="stored", reason="stored", run_id=1,
                           now=at)
    named = {r["url"]: r["kind"] for r in frontier.unread_listed(db, since="2026-12-01")}
    assert named == {urls["not_article"]: "not_article", urls["gone"]: "gone", urls["gone410"]: "gone",
                     urls["refused"]: "refused", urls["robots"]: "refused"}  # not the error (tried again), nor read
    assert db.execute("SELECT listed FROM urls WHERE url = ?", [urls["refused"]]).fetchone() == ("見出し refused",)
    plan = " ".join(r[3] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT url FROM urls WHERE kind IN ({}) AND listed IS NOT NULL AND first_seen_at >= ?".format(
            ", ".join(repr(k) for k in frontier.NOT_READ)), ["2026-12-01"]))
    assert "idx_urls_unread_listed" in plan, plan
    # The run's digest: gone (a 404 each try, a 410 at once), refused for good (not while robots.txt
    # cannot be read); not the "no article" of a first look, which is looked at again.
    told = lambda run: sorted(r["url"] for r in frontier.unread_of_run(db, run, at))  # noqa: E731
    assert told(1) == [urls["gone"], urls["gone410"], urls["refused"]]
    # Run 2: the second look finds no article either (told), the 404's late try is a 404 again (not
    # told twice).
    frontier.record_result(db, urls["not_article"], outlet="a", kind="not_article", code="not_article", run_id=2,
                           reason="no article in the page; the second look found none either", now=at)
    frontier.record_failure(db, urls["gone"], outlet="a", code="http_404", reason="HTTP 404", max_attempts=3,
                            exhausted="gone", http_status=404, run_id=2, now=at)
    assert frontier.state(db, urls["gone"])["kind"] == "gone"
    assert told(2) == [urls["not_article"]] and told(3) == []


def test_a_sitemap_or_feed_gzipped_twice_is_read():
    # A .xml.gz its server gzips again (PHP's ob_gzhandler under mod_deflate, a CDN), saying so
    # once or not at all: Scrapy undoes the layer the Content-Encoding names, and what it handed
    # on was still gzip, "not XML: Start tag expected", broken every run with every URL it listed.
    xml = (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
           b"<url><loc>https://a.jp/1</loc></url></urlset>")
    for layers in (2, 3):
        body = xml
        for _ in range(layers):
            body = gzip.compress(body)
        assert (parse_sitemap(body).links, parse_sitemap(body).problem) == (["https://a.jp/1"], None), layers
    rss = b"<rss version='2.0'><channel><item><link>https://a.jp/1</link></item></channel></rss>"
    for body in (gzip.compress(rss), gzip.compress(gzip.compress(rss))):
        assert (parse_feed(body).links, parse_feed(body).problem) == (["https://a.jp/1"], None)
    # Bounded: a bomb in a gzip wrapper is refused as one, a gzip that decompresses to itself (or
    # four layers) is not decompressed for ever, a layer cut short is said.
    bomb = parse_sitemap(gzip.compress(gzip.compress(b"\0" * (60 * 1024 * 1024))))
    assert "over 52,428,800 bytes once decompressed" in bomb.problem and bomb.links == []
    assert parse_feed(gzip.compress(b"\0" * (60 * 1024 * 1024))).problem.startswith(
        "gzipped feed over 52,428,800 bytes once decompressed")
    four = gzip.compress(gzip.compress(gzip.compress(gzip.compress(rss))))
    assert parse_feed(four).problem == ("gzipped feed that is gzip still after 3 decompressions (a server that "
                                        "compresses what it compressed already?): not read")
    assert parse_feed(gzip.compress(gzip.compress(rss))[:-12]).problem == (
        "gzipped feed that does not decompress: the stream is cut short")


def test_an_html_page_where_a_feed_should_be_names_the_feeds_it_advertises():
    # A retired feed's address answering with the site's front page: where the feeds are now is
    # in its head. Real pages: The Japan Times' front page, a Hatena blog (Atom and RSS, in order).
    front = saved_bytes("feedreader/japantimes-home.html")
    assert parse_feed(front).problem == discovery.HTML_PAGE
    assert discovery.advertised_feeds(front, "https://www.japantimes.co.jp/rss/news") == [
        "https://www.japantimes.co.jp/feed/topstories"]
    assert discovery.advertised_feeds(saved_bytes("java-extractarticle/000033-hatena.html"), "https://x.jp/") == [
        "https://blog.takuros.net/feed", "https://blog.takuros.net/rss"]
    # Relative, in any attribute order, type parameters, rel among others; not a stylesheet, not a
    # page's own language versions, not a link without an address.
    page = (b'<html><head><link href="/rss/new.xml" type="application/rss+xml; charset=utf-8" rel="alternate">'
            b'<link rel="alternate stylesheet" href="/s.css" type="text/css">'
            b'<link rel="alternate" hreflang="en" href="/en/">'
            b'<link rel="alternate" type="application/atom+xml">'
            b'<link rel="Alternate" type="application/atom+xml" href="https://news.example.jp/atom">'
            b'</head><body>front page</body></html>')
    assert discovery.advertised_feeds(page, "https://news.example.jp/old/feed.xml") == [
        "https://news.example.jp/rss/new.xml", "https://news.example.jp/atom"]
    assert discovery.advertised_feeds(b"<!DOCTYPE html><html><body>503</body></html>", "https://a.jp/") == []


def test_a_feed_with_blank_lines_before_it_or_a_trailer_after_it_is_read_whole_and_not_broken():
    # Reported broken, such a feed was broken in every run: the day it did break, its health did
    # not change.
    rss = (b"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
           b"<item><link>https://a.jp/1</link></item><item><link>https://a.jp/2</link></item></channel></rss>")
    for body in (b"\n\n" + rss, b"\xef\xbb\xbf\r\n" + rss, rss + b"\n<script>var t = 1;</script>\n",
                 rss + b"\0\0\0", b"\r\n" + rss + b"<!-- cached -->"):
        found = parse_feed(body)
        assert (found.links, found.problem) == (["https://a.jp/1", "https://a.jp/2"], None), body
    sitemap = (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
               b"<url><loc>https://a.jp/3</loc></url></urlset>")
    assert (parse_sitemap(b"\n" + sitemap + b"<p>generated in 0.2 s</p>").problem, parse_sitemap(b"\n" + sitemap).links) \
        == (None, ["https://a.jp/3"])
    # What follows the root and lists entries is a second document: read loosely (below), whole.
    twice = parse_feed(rss + rss.split(b"?>", 1)[1].replace(b"a.jp/", b"a.jp/x"))
    assert (twice.links, twice.problem) == (["https://a.jp/1", "https://a.jp/2", "https://a.jp/x1", "https://a.jp/x2"],
                                            None)
    # Cut short, within an entry or between two: what was read is kept, and the feed is broken.
    for cut in (rss[:-len(b"</channel></rss>")] + b"<item><link>https://a.jp/3", rss[:-len(b"</channel></rss>")]):
        assert parse_feed(cut).problem.startswith("invalid XML, partly read")
        assert parse_feed(cut).links[:2] == ["https://a.jp/1", "https://a.jp/2"]


def test_a_feed_or_sitemap_after_a_php_warning_is_read_and_the_warning_noted():
    # A WordPress site on a newer PHP prints a deprecation notice before its feed, in every
    # response until someone mends the plugin: the feed was "not a feed: its root element is
    # <br>" (or "not XML"), every article only it listed lost; feed readers read past it.
    warning = (b"<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in "
               b"<b>/var/www/html/wp-content/plugins/x/x.php</b> on line <b>12</b><br />\n")
    plain = b"\nWarning: Cannot modify header information - headers already sent in /var/www/feed.php on line 8\n"
    rss = (b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title>'
           b"<item><link>https://a.jp/1</link></item><item><link>https://a.jp/2</link></item></channel></rss>")
    for before in (warning, plain, warning * 3):
        for body in (before + rss, before + rss.split(b"?>\n", 1)[1]):
            found = parse_feed(body)
            assert (found.kind, found.links, found.problem) == ("rss", ["https://a.jp/1", "https://a.jp/2"], None)
            assert found.note.startswith(f"read past the {len(before)} bytes before its XML (")
            assert found.note.endswith("): a warning its server prints first?")
    assert '("<br /> <b>Deprecated</b>: Function create_function() is deprecated in <b>/var/ww…")' in \
        parse_feed(warning + rss).note
    sitemap = parse_sitemap(warning + b"<?xml version='1.0'?>"
                                      b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                      b"<url><loc>https://a.jp/1</loc></url></urlset>")
    assert (sitemap.kind, sitemap.links, sitemap.problem) == ("urlset", ["https://a.jp/1"], None)
    assert sitemap.note.startswith(f"read past the {len(warning)} bytes before its XML")
    # A document read as written says nothing; an error page stays one, and a PHP error where the
    # feed should be, with no feed after it, is no feed.
    assert parse_feed(rss).note is None and parse_feed(b"\n\n" + rss).note is None
    assert parse_feed(b"<!DOCTYPE html><html><body><?xml version='1.0'?><rss/></body></html>").problem == \
        discovery.HTML_PAGE
    fatal = parse_feed(warning.replace(b"Deprecated", b"Fatal error"))
    assert (fatal.links, fatal.problem) == ([], "XML, but not a feed: its root element is <br>")


def test_a_feed_that_is_not_well_formed_is_read_as_feed_readers_read_it(monkeypatch):
    # libxml2's recovery dropped what follows a bare & up to the next = (Jiji's ?k=…&g=pol became
    # ?k=…=pol, a URL of no article), and the entries after HTML left unescaped in a description;
    # an undefined entity left the feed broken in every run although every link was read.
    def rss(items: str) -> bytes:
        return ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>時事</title>"
                f"<link>https://www.jiji.com/</link>{items}</channel></rss>").encode()

    ampersand = parse_feed(rss("<item><title>日豪 & 米</title><link>https://www.jiji.com/jc/article?k=2026120100123&g=pol"
                               "</link></item><item><link>https://www.jiji.com/jc/article?k=2026120100456&amp;g=int"
                               "</link></item>"))
    assert (ampersand.links, ampersand.problem) == (
        ["https://www.jiji.com/jc/article?k=2026120100123&g=pol", "https://www.jiji.com/jc/article?k=2026120100456&g=int"],
        None)
    dated = ("<pubDate>Tue, 01 Dec 2026 10:00:00 +0900</pubDate>", "<pubDate>Tue, 01 Dec 2026 09:00:00 +0900</pubDate>")
    markup = parse_feed(rss(f"<item><title>a</title><description><p>防衛費<br>増額</description>"
                            f"<link>https://a.jp/1</link>{dated[0]}</item><item><link>https://a.jp/2</link>{dated[1]}</item>"))
    assert (markup.links, markup.problem) == (["https://a.jp/1", "https://a.jp/2"], None)
    assert (markup.newest, markup.interval, markup.dated["https://a.jp/2"]) == (
        "2026-12-01T01:00:00+00:00", 3600, "2026-12-01T00:00:00+00:00")
    for junk in ("&nbsp;", "&copy;", "\x0b"):
        found = parse_feed(rss(f"<item><title>a{junk}b</title><link>https://a.jp/1</link></item>"
                               "<item><link>https://a.jp/2</link></item>"))
        assert (found.links, found.problem) == (["https://a.jp/1", "https://a.jp/2"], None), junk
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>a&nbsp;b</title>"
                      b"<link rel='alternate' href='https://a.jp/1?x=1&y=2'/><updated>2026-12-01T00:00:00Z</updated>"
                      b"</entry></feed>")
    assert (atom.links, atom.problem, atom.dated) == (["https://a.jp/1?x=1&y=2"], None,
                                                      {"https://a.jp/1?x=1&y=2": "2026-12-01T00:00:00+00:00"})
    # Cut short after a bare &: broken, and what was read is read as written.
    cut = parse_feed(rss("<item><link>https://a.jp/1?k=1&g=pol</link></item><item><link>https://a.jp/2</link></item>")
                     .split(b"</channel>")[0] + b"<item><link>https://a.jp/3")
    assert cut.links == ["https://a.jp/1?k=1&g=pol", "https://a.jp/2", "https://a.jp/3"]
    assert cut.problem.startswith("invalid XML, partly read")
    # One too large to read again without holding up the crawl keeps libxml2's reading.
    markup_body = rss("<item><description><p>a<br></description><link>https://a.jp/1</link></item>"
                      "<item><link>https://a.jp/2</link></item>")
    monkeypatch.setattr(discovery, "LOOSE_MAX_BYTES", len(markup_body) - 1)
    assert parse_feed(markup_body).problem.startswith("invalid XML, partly read")
    monkeypatch.undo()
    # feedparser failing on it costs only its second reading: the feed is broken, as read.
    import feedparser

    def fails(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(feedparser, "parse", fails)
    assert parse_feed(markup_body).problem.startswith("invalid XML, partly read")
    monkeypatch.undo()
    # A feed whose file names a path is a feed, not a file to open.
    assert parse_feed(b"/etc/hostname").problem is not None and parse_feed(b"<rss>&bogus;/etc/hostname").links == []


def test_a_feed_read_again_loosely_keeps_its_headlines_and_one_in_a_charset_its_header_names_is_read_in_it():
    # HTML left in a description sends a feed to feedparser, which read its links but dropped what
    # each entry said (urls.listed): an article newsmon could not read was known by nothing.
    loose = parse_feed(("<?xml version='1.0'?><rss version='2.0'><channel><item><title>"
                        "反撃能力の保有を閣議決定へ 安保3文書</title><description>詳細<br>です。</description>"
                        "<link>https://a.jp/1</link></item>"
                        "<item><title>二</title><link>https://a.jp/2</link></item></channel></rss>").encode())
    assert loose.links == ["https://a.jp/1", "https://a.jp/2"]
    assert loose.listed == {"https://a.jp/1": "反撃能力の保有を閣議決定へ 安保3文書 — 詳細 です。", "https://a.jp/2": "二"}
    # A feed or sitemap in Shift_JIS or EUC-JP without an XML declaration, its charset in the HTTP
    # header: read as Windows-1252, its Japanese URLs were fetched as mojibake (404) and its
    # headlines lost. The header's charset, or failing it the bytes, say what it is.
    rss = ("<rss version='2.0'><channel><item><title>防衛費の増額</title><link>https://a.jp/news/防衛費</link></item>"
           "</channel></rss>")
    for codec, charset in (("cp932", "Shift_JIS"), ("euc-jp", "EUC-JP"), ("cp932", None)):
        found = parse_feed(rss.encode(codec), charset)
        assert (found.links, found.listed, found.problem) == (
            ["https://a.jp/news/防衛費"], {"https://a.jp/news/防衛費": "防衛費の増額"}, None), (codec, charset)
    # Nor when its headlines have no hiragana (the header saying UTF-8, or nothing): read as CP949 or
    # CP1256, its entries' words were mojibake, and a walled article they name scored from nothing.
    rss = ("<rss version='2.0'><channel><item><title>防衛費増額、閣議決定</title><link>https://a.jp/1</link></item>"
           "<item><title>岸田首相</title><link>https://a.jp/2</link></item></channel></rss>")
    for codec, charset in (("cp932", "utf-8"), ("euc-jp", "utf-8"), ("cp932", None), ("euc-jp", None)):
        found = parse_feed(rss.encode(codec), charset)
        assert found.listed == {"https://a.jp/1": "防衛費増額、閣議決定", "https://a.jp/2": "岸田首相"}, (codec, charset)
    sitemap = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/news/防衛費</loc></url>"
               "</urlset>")
    assert parse_sitemap(sitemap.encode("cp932"), charset="Shift_JIS").links == ["https://a.jp/news/防衛費"]
    # An RSS 1.0 feed whose items name their page in rdf:about only (feedparser reads no link in
    # them) with a <br> in each description: libxml2 read every item, and the feed was reported
    # broken in every run, its outlet degraded for good.
    rdf = parse_feed(("<?xml version='1.0' encoding='UTF-8'?><rdf:RDF xmlns='http://purl.org/rss/1.0/' "
                      "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" + "".join(
                          f"<item rdf:about='https://a.jp/{n}'><title>t{n}</title><description>a<br>b</description>"
                          "</item>" for n in range(3)) + "</rdf:RDF>").encode())
    assert (rdf.links, rdf.problem) == (["https://a.jp/0", "https://a.jp/1", "https://a.jp/2"], None)


def test_a_section_pages_data_gives_the_pages_it_lists_not_its_routes_logos_or_authors():
    # A route's template ("/articles/[id]", in every Next.js page's state), the state's asset prefix,
    # and JSON-LD's own page, publisher logo and author were fetched as articles where an outlet's
    # pattern was loose, and the outlet read as failing on their 404s. A state over 2 MB gave nothing.
    import json

    from crawler.discovery import data_links

    items = [{"title": f"第{n}報", "href": f"/articles/{n}"} for n in range(40000)]
    state = json.dumps({"page": "/articles/[id]", "assetPrefix": "/articles/_next", "buildId": "x",
                        "props": {"pageProps": {"items": items, "route": "/articles/[id]"}}})
    assert len(state) > 2 * 1024 * 1024
    ld = json.dumps({"@type": "CollectionPage", "url": "/articles/", "author": {"@type": "Person", "url": "/articles/me"},
                     "publisher": {"@type": "Organization", "logo": {"@type": "ImageObject", "url": "/articles/logo"}},
                     "mainEntity": {"@type": "ItemList", "itemListElement": [
                         {"@type": "ListItem", "position": 1, "url": "/articles/x", "name": "見出し"},
                         {"@type": "ListItem", "item": {"@type": "NewsArticle", "url": "/articles/y", "headline": "Y"}}]}})
    found = data_links([("application/json", "__NEXT_DATA__", state), ("application/ld+json", "", ld)],
                       "https://a.jp/section/")
    assert len(found) == 40002 and found[0] == ("https://a.jp/articles/0", "第0報", "__NEXT_DATA__/pageProps/items")
    # Each with where the data holds it, as a link's markup path says where the page shows it.
    assert found[-2:] == [("https://a.jp/articles/x", "見出し", "script 2/mainEntity/itemListElement"),
                          ("https://a.jp/articles/y", "Y", "script 2/mainEntity/itemListElement/item")]


def test_a_utf8_feed_with_a_character_cut_in_two_is_read_as_utf8():
    # Without a declaration, one bad byte sent the whole feed to a Windows codepage: its Japanese
    # URLs fetched as mojibake, 404.
    rss = ("<rss version='2.0'><channel><item><title>見出し</title><description>CUT</description>"
           "<link>https://a.jp/news/記事0</link></item></channel></rss>").encode().replace(b"CUT", "説明".encode()[:4])
    for charset in (None, "utf-8", "ISO-8859-1"):
        assert parse_feed(rss, charset).links == ["https://a.jp/news/記事0"], charset


def test_a_feed_whose_escaper_writes_characters_beyond_the_bmp_as_two_references_is_read_whole_and_not_broken():
    # A Java escaper of old (commons-lang 2's escapeXml) writes 𠮷 or an emoji as the two UTF-16
    # halves it holds them as: "&#55362;&#57271;", which XML forbids. libxml2 read every link
    # and called the feed "partly read", feedparser raised on it: the feed was broken in every
    # run, so the day it did break, its outlet's health did not change.
    items = "".join(f"<item><title>{'&#55362;&#57271;野家 &#xD83D;&#xDE00;' if n == 1 else '見出し'}</title>"
                    f"<link>https://a.jp/{n}</link><description>&#55357;</description></item>" for n in range(4))
    found = parse_feed(f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode())
    assert (found.links, found.problem) == ([f"https://a.jp/{n}" for n in range(4)], None)
    # One where a URL is: read, as a mended character, not raised on (which lost the document, its
    # row and every other URL it lists); a reference to no character at all is mended too.
    for junk in ("&#xD800;", "&#0;", "&#x1F;", "&#xFFFE;"):
        odd = parse_feed(f"<rss><channel><item><link>https://a.jp/1{junk}</link></item>"
                         "<item><link>https://a.jp/2</link></item></channel></rss>".encode())
        assert odd.links == ["https://a.jp/1\ufffd", "https://a.jp/2"]
        sitemap = parse_sitemap(f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/1"
                                f"{junk}</loc></url><url><loc>https://a.jp/2</loc></url></urlset>".encode())
        assert sitemap.links == ["https://a.jp/1\ufffd", "https://a.jp/2"]
    # An xml:base no URL parser takes leaves its links as written, to be refused with a reason.
    based = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://[a.jp/'>"
                       b"<entry><link href='https://a.jp/1'/></entry><entry><link href='2'/></entry></feed>")
    assert based.links == ["https://a.jp/1", "2"]


def test_a_namespace_written_with_a_reference_to_half_a_character_is_read_not_raised_on(monkeypatch):
    # "&#xD800;" in an xmlns: libxml2 keeps the half as bytes no UTF-8 decoder takes, and reading the
    # element's name raised UnicodeDecodeError: the document had no row in its run, and every URL it
    # listed was lost, every run, without a word.
    sitemap = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9&#xD800;'>"
                            b"<url><loc>https://a.jp/1</loc></url><url><loc>https://a.jp/2</loc></url></urlset>")
    assert (sitemap.kind, sitemap.links) == ("urlset", ["https://a.jp/1", "https://a.jp/2"])
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom&#xDC00;'><entry><link href='https://a.jp/1'/></entry>"
                      b"</feed>")
    assert (atom.kind, atom.links) == ("feed", ["https://a.jp/1"])
    rdf = parse_feed(b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#&#55357;' "
                     b"xmlns='http://purl.org/rss/1.0/'><item rdf:about='https://a.jp/1'><link>https://a.jp/1</link>"
                     b"</item></rdf:RDF>")
    assert (rdf.kind, rdf.links) == ("RDF", ["https://a.jp/1"])
    news = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                         b"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9&#xDBFF;'>"
                         b"<url><loc>https://a.jp/1</loc><news:news/></url></urlset>")
    assert news.links == ["https://a.jp/1"]
    # Were it read as written (mending it left to libxml2), its row says why it gives nothing.
    monkeypatch.setattr(discovery, "_escaped", lambda body: body)
    unread = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9&#xD800;'>"
                           b"<url><loc>https://a.jp/1</loc></url></urlset>")
    assert (unread.links, unread.problem) == ([], ("XML whose root element's namespace holds a reference to what is no "
                                                   'character (half of a UTF-16 pair, "&#xD800;"): not read; its '
                                                   "publisher has to mend it"))


def test_a_url_written_around_a_comment_in_a_cdata_section_or_between_blank_lines_is_read_whole():
    # A template that leaves a comment in a <loc> or <link> ("<!-- generated -->", a CMS's cache
    # marker): libxml2 keeps the text before the comment as the element's text, so a URL after one
    # was no URL (its entry counted among those that give none) and one around one was cut short
    # at it, a URL of no article. CDATA sections and blank lines around a URL were read already.
    sitemap = parse_sitemap(b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                            b"<sitemap><loc><!-- cached -->https://a.jp/s1.xml</loc><lastmod>2026-12-01</lastmod>"
                            b"</sitemap><sitemap><loc>https://a.jp/<!-- y -->s2.xml<?cms end?></loc></sitemap>"
                            b"<sitemap><loc>\n    <![CDATA[ https://a.jp/s3.xml?a=1&b=2 ]]>\n  </loc></sitemap>"
                            b"<sitemap><loc>\r\n\t https://a.jp/s4.xml \r\n</loc></sitemap></sitemapindex>")
    assert (sitemap.links, sitemap.lastmods, sitemap.unlinked) == (
        ["https://a.jp/s1.xml", "https://a.jp/s2.xml", "https://a.jp/s3.xml?a=1&b=2", "https://a.jp/s4.xml"],
        {"https://a.jp/s1.xml": "2026-12-01"}, 0)
    urls = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                         b"<url><loc><!-- c -->https://a.jp/1</loc></url><url><loc>https://a.jp/2</loc></url></urlset>")
    assert (urls.links, urls.unlinked) == (["https://a.jp/1", "https://a.jp/2"], 0)
    feed = parse_feed(b"<rss version='2.0'><channel>"
                      b"<item><link><!-- c -->https://a.jp/1</link></item>"
                      b"<item><link>https://a.jp/<!-- c -->2</link></item>"
                      b"<item><guid><!-- c -->https://a.jp/3</guid></item>"
                      b"<item><link><![CDATA[https://a.jp/4?a=1&b=2]]></link></item>"
                      b"<item><link>\n      <![CDATA[ https://a.jp/5 ]]>\n    </link></item>"
                      b"<item><link>\n      https://a.jp/6\n    </link></item></channel></rss>")
    assert (feed.links, feed.unlinked) == (["https://a.jp/1", "https://a.jp/2", "https://a.jp/3",
                                            "https://a.jp/4?a=1&b=2", "https://a.jp/5", "https://a.jp/6"], 0)


def test_a_url_a_template_broke_over_an_indented_line_is_read_as_one_url():
    # A template or a pretty-printer that wraps a long URL: "https://a.jp/news/2026/\n      1.html"
    # was kept so, requested with the spaces percent-encoded (the newline dropped by the URL parser),
    # a URL of no article. No URL holds a line break, so the break and the indentation around it
    # are no part of it; a space without one is left as written, for the crawl to encode.
    wrapped = "https://a.jp/news/2026/\n      {n}.html"
    urls = [f"https://a.jp/news/2026/{n}.html" for n in range(4)]
    feed = parse_feed(("<rss version='2.0'><channel>"
                       f"<item><link>{wrapped.format(n=0)}</link></item>"
                       f"<item><link>\n  {wrapped.format(n=1).replace(chr(10), chr(13) + chr(10))}\n</link></item>"
                       f"<item><guid>{wrapped.format(n=2)}</guid></item>"
                       f"<item><link>https://a.jp/news/2026/\n\n\t3.html</link></item>"
                       "<item><link>https://a.jp/news/a b.html</link></item></channel></rss>").encode())
    assert feed.links == [*urls, "https://a.jp/news/a b.html"]
    sitemap = parse_sitemap(("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                             + "".join(f"<url><loc>{wrapped.format(n=n)}</loc></url>" for n in range(4))
                             + "</urlset>").encode())
    assert sitemap.links == urls
    index = parse_sitemap(b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap>"
                          b"<loc>https://a.jp/sitemap-\n   2026.xml</loc><lastmod>2026-12-01</lastmod></sitemap>"
                          b"</sitemapindex>")
    assert (index.links, index.lastmods) == (["https://a.jp/sitemap-2026.xml"],
                                             {"https://a.jp/sitemap-2026.xml": "2026-12-01"})
    # A feed read loosely (HTML left in a description) too.
    loose = parse_feed(("<rss version='2.0'><channel><item><description><p>x<br></description>"
                        f"<link>{wrapped.format(n=0)}</link></item></channel></rss>").encode())
    assert loose.links == urls[:1]


def test_a_url_a_template_broke_over_an_indented_line_in_an_attribute_is_read_as_one_url_and_said_to():
    # XML reads a line break in an attribute, and each blank of its indentation, as a space (its
    # attribute-value normalisation): an Atom href or an rdf:about a template wrapped arrived as
    # "https://a.jp/news/       1.html", requested with %20s, a URL of no article. The break is
    # gone; the run of blanks it leaves is joined, and said, the break being inferred. One space is
    # left as written, as in an element's text: a break without indentation looks the same as a
    # space of the URL's own.
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'>"
                      b"<entry><link href='https://a.jp/news/\n      1.html'/></entry>"
                      b"<entry><link rel='alternate' href='https://a.jp/news/\r\n\t2.html'/></entry>"
                      b"<entry><link href='https://a.jp/news/&#10;  3.html'/></entry>"
                      b"<entry><link href='  https://a.jp/news/4.html\n  '/></entry>"
                      b"<entry><link href='https://a.jp/news/a b.html'/></entry></feed>")
    assert atom.links == [*(f"https://a.jp/news/{n}.html" for n in range(1, 5)), "https://a.jp/news/a b.html"]
    assert atom.note == ("3 of its URLs in attributes (an Atom link's href, rdf:about) were broken over lines, "
                         "which XML reads as runs of spaces: read without them")
    rdf = parse_feed(b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
                     b"xmlns='http://purl.org/rss/1.0/'><item rdf:about='https://a.jp/news/\n    1.html'/></rdf:RDF>")
    assert (rdf.links, rdf.note[:35]) == (["https://a.jp/news/1.html"], "1 of its URLs in attributes (an Ato")
    # An element's text is read as before, and not said: its line break is seen, not inferred.
    rss = parse_feed(b"<rss version='2.0'><channel><item><link>https://a.jp/news/\n  1.html</link></item>"
                     b"</channel></rss>")
    assert (rss.links, rss.note) == (["https://a.jp/news/1.html"], None)


def test_an_invisible_character_pasted_into_a_url_is_dropped_and_said_to():
    # A zero-width space, joiner or word joiner, a BOM, a soft hyphen: pasted into a CMS with a URL.
    # No URL is written with one (RFC 3986 would have it percent-encoded): kept, the URL was
    # requested as ".../%E2%80%8B1.html", a URL of no article, and one before its "https://" was
    # refused as no URL. A URL in Japanese (an IRI) keeps its characters.
    sitemap = parse_sitemap(("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                             "<url><loc>\u200bhttps://a.jp/1</loc></url><url><loc>https://a.jp/ne\u00adws/2</loc></url>"
                             "<url><loc> https://a.jp/3\ufeff </loc></url><url><loc>https://a.jp/&#8203;4</loc></url>"
                             "<url><loc>https://a.jp/防衛/5</loc></url></urlset>").encode())
    assert sitemap.links == ["https://a.jp/1", "https://a.jp/news/2", "https://a.jp/3", "https://a.jp/4",
                             "https://a.jp/防衛/5"]
    assert sitemap.note == ("4 of its URLs held invisible characters (zero-width spaces, byte-order marks, soft "
                            "hyphens: pasted into its CMS with them?), which no URL is written with: read without "
                            "them")
    index = parse_sitemap(("<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap>"
                           "<loc>https://a.jp/s\u20601.xml</loc><lastmod>2026-12-01</lastmod></sitemap>"
                           "</sitemapindex>").encode())
    assert (index.links, index.lastmods) == (["https://a.jp/s1.xml"], {"https://a.jp/s1.xml": "2026-12-01"})
    feed = parse_feed(("<rss version='2.0' xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
                       "xmlns:atom='http://www.w3.org/2005/Atom'><channel>"
                       "<item><link>https://a.jp/\u200c1</link>"
                       "<pubDate>Thu, 03 Dec 2026 10:00:00 +0900</pubDate></item>"
                       "<item><guid>\u2060https://a.jp/2</guid></item>"
                       "<item><atom:link href='https://a.jp/\u200d3'/></item>"
                       "<item rdf:about='\ufeffhttps://a.jp/4'/>"
                       "<item><link>https://a.jp/5</link></item></channel></rss>").encode())
    assert (feed.links, feed.unlinked, feed.dated) == (
        [f"https://a.jp/{n}" for n in range(1, 6)], 0, {"https://a.jp/1": "2026-12-03T01:00:00+00:00"})
    assert feed.note.startswith("4 of its URLs held invisible characters")
    atom = parse_feed("<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='https://a.jp/\u200b1'/>"
                      "</entry><entry><link href='https://a.jp/2'/></entry></feed>".encode())
    assert atom.links == ["https://a.jp/1", "https://a.jp/2"]
    assert atom.note.startswith("1 of its URLs held invisible characters")
    plain = parse_feed(b"<rss version='2.0'><channel><item><link>https://a.jp/1</link></item></channel></rss>")
    assert plain.note is None


def test_an_atom_entry_is_its_page_whatever_else_it_links_and_however_it_writes_alternate():
    # An entry that offers its article as a PDF too (or a podcast's audio) listed first gave the
    # PDF, a URL of no article; rel="ALTERNATE" and rel written as IANA's IRI (RFC 4287 4.2.7.2)
    # gave no URL at all, the entry counted among those that give none and its article lost.
    entries = (
        ("<entry><link rel='alternate' type='application/pdf' href='https://a.jp/1.pdf'/>"
         "<link rel='alternate' type='text/html; charset=utf-8' href='https://a.jp/1'/></entry>"),
        "<entry><link rel='ALTERNATE' href='https://a.jp/2'/></entry>",
        "<entry><link rel='http://www.iana.org/assignments/relation/alternate' href='https://a.jp/3'/></entry>",
        # Only another form: the link it gives, for the crawl to judge (not an article URL, not HTML).
        ("<entry><link rel='alternate' type='audio/mpeg' href='https://a.jp/4.mp3'/>"
         "<link rel='enclosure' href='https://a.jp/4.m4a'/></entry>"),
    )
    found = parse_feed(f"<feed xmlns='http://www.w3.org/2005/Atom'>{''.join(entries)}</feed>".encode())
    assert (found.links, found.unlinked) == (["https://a.jp/1", "https://a.jp/2", "https://a.jp/3",
                                              "https://a.jp/4.mp3"], 0)


@pytest.mark.parametrize("broken", [False, True])
def test_a_feedburner_entry_is_the_article_its_origlink_names_not_feedburners_redirect(broken):
    # FeedBurner writes its own redirect as each entry's link (feeds.feedburner.com, feedproxy.google.com),
    # off the outlet's domains, and the article's URL as <feedburner:origLink>: every entry was refused as
    # out of scope, every article of the feed lost. A feed not well-formed (feedparser's reading) too.
    fb = "xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'"
    junk = "<description><p>a<br></description>" if broken else ""
    rss = parse_feed(f"<rss version='2.0' {fb}><channel><item><title>a</title>{junk}"
                     "<link>http://feedproxy.google.com/~r/a/~3/x1/</link><guid isPermaLink='false'>a-1</guid>"
                     "<feedburner:origLink> https://a.jp/1 </feedburner:origLink></item>"
                     "<item><link>https://a.jp/2</link><guid>https://a.jp/2?guid</guid></item>"
                     "<item><guid>https://a.jp/3</guid><feedburner:origLink>tag:a.jp,1</feedburner:origLink></item>"
                     "</channel></rss>".encode())
    # Before a link, as before a permalink guid; an origLink that is no URL is none.
    assert (rss.links, rss.problem, list(rss.listed)) == (
        ["https://a.jp/1", "https://a.jp/2", "https://a.jp/3"], None, ["https://a.jp/1"])
    atom = parse_feed(f"<feed xmlns='http://www.w3.org/2005/Atom' {fb}><entry>"
                      "<link rel='alternate' type='text/html' href='https://feeds.feedburner.com/~r/a/~3/x4/'/>"
                      "<feedburner:origLink>https://a.jp/4</feedburner:origLink></entry>"
                      "<entry><link href='https://a.jp/5'/></entry></feed>".encode())
    assert atom.links == ["https://a.jp/4", "https://a.jp/5"]
    # A syndicated entry, its origLink the partner's original off the outlet's domains, its link the outlet's own
    # page: the page is taken (``own_links``), with its date and words. Taken by its origLink, it was refused as
    # out of scope, the outlet's page never fetched. FeedBurner's redirect, off them too, is not.
    syndicated = parse_feed(f"<rss version='2.0' {fb}><channel><item><title>s</title>{junk}<link>/news/9</link>"
                            "<pubDate>Sat, 07 Dec 2024 10:00:00 +0900</pubDate>"
                            "<feedburner:origLink>https://partner.jp/9</feedburner:origLink></item>"
                            "<item><title>a</title><link>http://feedproxy.google.com/~r/a/~3/x1/</link>"
                            "<feedburner:origLink>https://a.jp/1</feedburner:origLink></item></channel></rss>".encode())
    discovery.own_links(syndicated, lambda url: urlsplit(url).hostname == "a.jp", "https://a.jp/rss.xml")
    assert (syndicated.links, list(syndicated.dated), list(syndicated.listed)) == (
        ["/news/9", "https://a.jp/1"], ["/news/9"], ["/news/9", "https://a.jp/1"])


def test_a_sitemap_with_a_bare_ampersand_or_an_html_entity_is_read_with_its_urls_as_written():
    # libxml2's recovery read ?k=…&g=pol as ?k=…=pol, and the sitemap was broken in every run.
    news = ("<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            "<url><loc>https://www.jiji.com/jc/article?k=2026120100123&g=pol</loc><news:news>"
            "<news:publication_date>2026-12-01T10:00:00+09:00</news:publication_date>"
            "<news:title>日米&nbsp;& 豪 &unknown; &amp; &#x9632;</news:title></news:news></url>"
            "<url><loc>https://www.jiji.com/jc/article?k=2026120100456&amp;g=int</loc><news:news>"
            "<news:publication_date>2026-12-01T09:00:00+09:00</news:publication_date>"
            "<news:title><![CDATA[CDATA as written: &nbsp; & ]]></news:title></news:news></url></urlset>").encode()
    found = parse_sitemap(news)
    urls = ["https://www.jiji.com/jc/article?k=2026120100123&g=pol", "https://www.jiji.com/jc/article?k=2026120100456&g=int"]
    assert (found.links, found.problem, found.news, list(found.dated)) == (urls, None, True, urls)
    index = parse_sitemap(b"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap>"
                          b"<loc>https://a.jp/sitemap?type=news&page=2</loc><lastmod>2026-12-01</lastmod></sitemap>"
                          b"</sitemapindex>")
    assert (index.links, index.problem, index.lastmods) == (
        ["https://a.jp/sitemap?type=news&page=2"], None, {"https://a.jp/sitemap?type=news&page=2": "2026-12-01"})
    # What escaping does not mend stays broken, with what was read as written.
    cut = parse_sitemap(news[:news.rindex(b"<url>")] + b"<url><loc>https://a.jp/3")
    assert cut.problem.startswith("invalid XML, partly read") and cut.links == [urls[0], "https://a.jp/3"]


def test_a_feed_or_sitemap_that_uses_a_namespace_prefix_it_never_declared_is_read():
    # A template that writes <dc:creator>, <media:thumbnail>, <xhtml:link> or <image:image>
    # without its xmlns: libxml2 recovers, keeping "dc:creator" as the element's whole name, which
    # lxml's QName refuses: parse_feed raised, the feed had no row in its run, its articles were
    # lost every run, and its outlet's health said "ok".
    rss = parse_feed(b"<rss version='2.0'><channel><title>t</title><item><title>a</title>"
                     b"<dc:creator>x</dc:creator><link>https://a.jp/1</link></item>"
                     b"<item><title>b</title><link>https://a.jp/2</link><dc:date>2026-12-01</dc:date></item>"
                     b"</channel></rss>")
    assert (rss.kind, rss.links, rss.unlinked) == ("rss", ["https://a.jp/1", "https://a.jp/2"], 0)
    # Read as feed readers read them: a known prefix in its namespace, so its dates are dates.
    assert rss.newest == "2026-11-30T15:00:00+00:00"
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><media:thumbnail url='https://a.jp/1.jpg'/>"
                      b"<link href='https://a.jp/1'/></entry></feed>")
    assert atom.links == ["https://a.jp/1"]
    rdf = parse_feed(b"<rdf:RDF xmlns='http://purl.org/rss/1.0/'><item><link>https://a.jp/1</link></item></rdf:RDF>")
    assert (rdf.kind, rdf.links) == ("RDF", ["https://a.jp/1"])
    for extra in ("<xhtml:link rel='alternate' hreflang='en' href='https://a.jp/en/1'/>",
                  "<image:image><image:loc>https://a.jp/1.jpg</image:loc></image:image>"):
        sitemap = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/1</loc>"
                   f"{extra}<lastmod>2026-12-01</lastmod></url><url><loc>https://a.jp/2</loc></url></urlset>").encode()
        for newest in (False, True):
            found = parse_sitemap(sitemap, newest=newest)
            assert (found.kind, found.links, found.unlinked) == ("urlset", ["https://a.jp/1", "https://a.jp/2"], 0)
    news = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/1</loc>"
                         b"<news:news><news:publication_date>2026-12-01T10:00:00+09:00</news:publication_date>"
                         b"</news:news></url></urlset>")
    assert (news.links, news.news, news.declared, news.newest) == (
        ["https://a.jp/1"], True, {"https://a.jp/1"}, "2026-12-01T01:00:00+00:00")


@pytest.mark.parametrize("namespace", ["http://www.google.com/schemas/sitemap-news/0.9",
                                       "https://www.google.com/schemas/sitemap-news/0.9",
                                       "http://www.google.com/schemas/sitemap-news/0.9/",
                                       "http://www.google.co.jp/schemas/sitemap-news/0.9"])
@pytest.mark.parametrize("where", ["root", "entry"])
def test_a_google_news_sitemap_is_one_whichever_way_it_writes_its_namespace(namespace, where):
    # Generators write Google's namespace with https (a common web framework template), a trailing
    # slash or Google's local host, or declare it on each <news:news>. Read as an archive sitemap,
    # its entries the article URL pattern does not take were skipped unrecorded, and neither its
    # newest entry (a frozen sitemap told from a quiet outlet) nor its pace was read.
    declaration = f"xmlns:news='{namespace}'"
    urls = "".join(f"<url><loc>https://a.jp/{n}</loc><news:news{' ' + declaration if where == 'entry' else ''}>"
                   f"<news:publication_date>2026-11-30T0{n}:00:00+09:00</news:publication_date></news:news></url>"
                   for n in range(3))
    found = parse_sitemap((f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
                           f"{' ' + declaration if where == 'root' else ''}>{urls}"
                           "<url><loc>https://a.jp/politics/</loc></url></urlset>").encode())
    assert (found.news, found.declared, found.newest, found.interval) == (
        True, {f"https://a.jp/{n}" for n in range(3)}, "2026-11-29T17:00:00+00:00", 3600)
    # Another schema of Google's is no news sitemap.
    image = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                          b"xmlns:image='https://www.google.com/schemas/sitemap-image/1.1'>"
                          b"<url><loc>https://a.jp/1</loc><image:image><image:loc>https://a.jp/1.jpg</image:loc>"
                          b"</image:image></url></urlset>")
    assert (image.news, image.declared) == (False, set())


@pytest.mark.parametrize(("declared", "codec", "title"), [
    ("Shift_JIS", "cp932", "髙橋①"),   # Windows characters, as every Shift_JIS reader decodes them
    ("EUC-JP", "euc_jis_2004", "①"),   # NEC's row 13, as every EUC-JP reader decodes it
    ("Shift_JIS", "utf-8", "髙橋"),     # a CMS moved to UTF-8, its template's declaration left behind
])
def test_a_sitemap_declared_in_a_japanese_encoding_is_read_as_browsers_read_it(declared, codec, title):
    # libxml2 decodes Shift_JIS and EUC-JP with iconv's tables, which lack the characters Windows
    # added to them (髙, ①, ㈱): it stopped at the first one, and every entry after it was lost
    # in every run (the sitemap "broken", its problem one its publisher would not mend: Google
    # and browsers read it).
    urls = "".join(f"<url><loc>https://a.jp/{n}</loc><news:news><news:publication_date>2026-12-01T1{n}:00:00+09:00"
                   f"</news:publication_date><news:title>{title if n == 1 else '見出し'}</news:title>"
                   "</news:news></url>" for n in range(6))
    body = (f'<?xml version="1.0" encoding="{declared}"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode(codec)
    found = parse_sitemap(body)
    assert (found.links, found.problem) == ([f"https://a.jp/{n}" for n in range(6)], None)
    assert found.newest == "2026-12-01T06:00:00+00:00"


@pytest.mark.parametrize("before", [b"\n", b"\r\n  ", b"\xef\xbb\xbf\n",
                                    b"<br />\n<b>Deprecated</b>:  f() is deprecated in <b>/feed.php</b><br />\n"])
@pytest.mark.parametrize(("declared", "codec"), [("Shift_JIS", "cp932"), ("EUC-JP", "euc_jp")])
def test_a_japanese_encoding_declared_after_a_blank_line_or_a_notice_is_read(before, declared, codec):
    # Its declaration was looked for at the first byte only: a document with a few Japanese
    # characters (an English feed, a sitemap of ASCII URLs and a Japanese slug) after a template's
    # blank line was read as UTF-8 with those replaced, "ok": the slug's article requested as
    # /%EF%BF%BDh%EF%BF%BDq/… (404), its headline "�h�q".
    declaration = f'<?xml version="1.0" encoding="{declared}"?>'
    feed = parse_feed(before + (f"{declaration}<rss version='2.0'><channel><title>News</title><item><title>防衛 cuts"
                                "</title><link>https://a.jp/防衛/1</link></item><item><title>Cabinet</title>"
                                "<link>https://a.jp/2</link></item></channel></rss>").encode(codec))
    assert (feed.links, feed.problem) == (["https://a.jp/防衛/1", "https://a.jp/2"], None)
    assert feed.listed["https://a.jp/防衛/1"] == "防衛 cuts"
    sitemap = parse_sitemap(before + (f"{declaration}<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                      "<url><loc>https://a.jp/防衛/1</loc></url><url><loc>https://a.jp/2</loc></url>"
                                      "</urlset>").encode(codec))
    assert (sitemap.links, sitemap.problem) == (["https://a.jp/防衛/1", "https://a.jp/2"], None)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le", "utf-32"])
def test_a_feed_or_sitemap_in_utf_16_with_a_bare_ampersand_keeps_its_urls_as_written(codec):
    # What mends a document (a bare & escaped, an undeclared prefix declared, a PHP notice skipped)
    # reads its bytes as ASCII: in UTF-16, "&amp;" written in ASCII into the text shifted every
    # character after it, "?a=1&b=2" read "?a=1愦灭;b=2", a URL of no article, and "ok".
    declaration = f'<?xml version="1.0" encoding="{codec.upper()[:6]}"?>\n'
    rss = (f"{declaration}<rss version='2.0'><channel><item><title>防衛 & 安保</title>"
           "<link>https://a.jp/1?a=1&b=2</link></item><item><link>https://a.jp/2</link></item></channel></rss>")
    feed = parse_feed(rss.encode(codec))
    assert (feed.links, feed.problem) == (["https://a.jp/1?a=1&b=2", "https://a.jp/2"], None)
    sitemap = parse_sitemap((f"{declaration}<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                             "<url><loc>https://a.jp/1?a=1&b=2</loc></url><url><loc>https://a.jp/2</loc></url>"
                             "</urlset>").encode(codec))
    assert (sitemap.links, sitemap.problem) == (["https://a.jp/1?a=1&b=2", "https://a.jp/2"], None)


def test_what_japanese_outlets_serve_around_a_document_is_read_as_written():
    # Already read so, and meant to stay so: byte-order marks and blank lines in any order before
    # the declaration; a stray CP932 byte in a UTF-8 feed (a title pasted from Windows); Shift_JIS
    # or EUC-JP with no declaration; .NET's XmlWriter declaring "utf-16" over UTF-8 bytes; CP932 as
    # Windows-31J; &nbsp;, NBSP or an ideographic space around a URL; a prefixed sitemap namespace.
    items = "".join(f"<item><title>{'TITLE' if n == 1 else '見出し'}</title><link>https://a.jp/{n}</link></item>"
                    for n in range(3))
    rss = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
    urls = [f"https://a.jp/{n}" for n in range(3)]
    declared = "<?xml version='1.0' encoding='{}'?>\n"
    for body in (b"\n\xef\xbb\xbf" + declared.format("UTF-8").encode() + rss.replace("TITLE", "髙").encode(),
                 b"\xef\xbb\xbf\xef\xbb\xbf  " + declared.format("UTF-8").encode() + rss.encode(),
                 rss.replace("TITLE", "防衛").encode().replace("防衛".encode(), "髙".encode("cp932")),
                 declared.format("UTF-8").encode() + rss.replace("TITLE", "x").encode().replace(b"x", b"\x82\xa0"),
                 rss.replace("TITLE", "髙橋①").encode("cp932"),
                 rss.replace("TITLE", "防衛費").encode("euc_jp"),
                 (declared.format("utf-16") + rss.replace("TITLE", "防衛")).encode(),
                 (declared.format("Windows-31J") + rss.replace("TITLE", "髙橋①")).encode("cp932")):
        found = parse_feed(body)
        assert (found.links, found.problem) == (urls, None), body[:80]
    spaced = parse_sitemap("<sm:urlset xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                           "<sm:url><sm:loc>https://a.jp/0&nbsp;</sm:loc></sm:url>"
                           "<sm:url><sm:loc>\u00a0https://a.jp/1\u00a0</sm:loc></sm:url>"
                           "<sm:url><sm:loc>\u3000https://a.jp/2\u3000</sm:loc></sm:url></sm:urlset>".encode())
    assert (spaced.links, spaced.problem) == (urls, None)


def test_a_text_sitemap_is_read():
    # sitemaps.org's other format, one URL a line: it was "not XML: Start tag expected", broken in
    # every run, with every article it listed lost.
    found = parse_sitemap("\ufeffhttps://a.jp/1\r\nhttps://a.jp/日本/2 \n\nhttps://a.jp/1\n".encode())
    assert (found.kind, found.links, found.problem) == ("urlset", ["https://a.jp/1", "https://a.jp/日本/2"], None)
    assert parse_sitemap(gzip.compress(b"https://a.jp/1\n")).links == ["https://a.jp/1"]
    # Text that is not one URL a line is no sitemap: an error message, a page's text.
    for text in (b"Service Unavailable\n", b"https://a.jp/1\nnot found\n", b"/a/1\n/a/2\n"):
        assert parse_sitemap(text).problem.startswith("not XML")


def test_a_urlset_of_child_sitemaps_is_read_as_an_index():
    # Its children written as <url> entries (nokia.com's index, adobe/helix-importer-ui#140):
    # taken for pages, none an article, the articles they list were lost.
    children = ["https://example.jp/sitemap-2026-11.xml", "https://example.jp/sitemap-2026-10.xml.gz?v=2"]
    body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{children[0]}</loc><lastmod>2026-11-30</lastmod></url><url><loc>{children[1]}</loc></url>"
            "</urlset>").encode()
    found = parse_sitemap(body)
    assert (found.kind, found.links, found.lastmods, found.problem) == (
        "sitemapindex", children, {children[0]: "2026-11-30"}, None)
    assert found.note == ("lists its 2 child sitemaps as <url> entries, where an index lists <sitemap> entries: "
                          "read as the sitemap index it is")
    # Beside a page, or in a Google News sitemap, an .xml entry is the page it says it is.
    mixed = body.replace(b"</urlset>", b"<url><loc>https://example.jp/articles/1.html</loc></url></urlset>")
    assert (parse_sitemap(mixed).kind, parse_sitemap(mixed).note) == ("urlset", None)
    news = body.replace(b'schemas/sitemap/0.9"', b'schemas/sitemap/0.9" '
                        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
    assert parse_sitemap(news).kind == "urlset"
    # With an index's <sitemap> entry as well, every entry is a child, with its lastmod.
    both = body.replace(b"</urlset>", b"<sitemap><loc>https://example.jp/s3.xml</loc><lastmod>2026-12-01</lastmod>"
                                      b"</sitemap></urlset>")
    assert (parse_sitemap(both).kind, parse_sitemap(both).links, parse_sitemap(both).lastmods) == (
        "sitemapindex", [*children, "https://example.jp/s3.xml"],
        {children[0]: "2026-11-30", "https://example.jp/s3.xml": "2026-12-01"})


def test_a_urlset_that_lists_child_sitemaps_among_its_pages_gives_them_as_children():
    # A CMS plugin appends its own sitemaps to a urlset of pages as <sitemap> entries: each was taken
    # for a page, no article URL, dropped with a count, and every article that child lists never seen.
    pages = "".join(f"<url><loc>https://a.jp/articles/{n}.html</loc><lastmod>2026-11-30T1{n}:00:00+09:00</lastmod>"
                    "</url>" for n in range(2))
    plugin = ("<sitemap><loc>https://a.jp/plugin-sitemap.xml</loc><lastmod>2026-12-01T09:00:00+09:00</lastmod>"
              "</sitemap><sitemap><loc>https://a.jp/plugin?page=2</loc></sitemap>")
    body = f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{pages}<url/>{plugin}</urlset>".encode()
    for newest in (False, True):
        found = parse_sitemap(body, newest=newest)
        assert (found.kind, found.links, found.children, found.lastmods, found.unlinked) == (
            "urlset", ["https://a.jp/articles/0.html", "https://a.jp/articles/1.html"],
            ["https://a.jp/plugin-sitemap.xml", "https://a.jp/plugin?page=2"],
            {"https://a.jp/plugin-sitemap.xml": "2026-12-01T09:00:00+09:00"}, 1)
        assert found.note == ("lists 2 child sitemaps as <sitemap> entries among its 2 <url> pages, where only an "
                              "index lists <sitemap> entries: read as its child sitemaps, beside its pages")
    # Its pace is its pages': a child's lastmod is no entry's date.
    assert (found.newest, list(found.dated)) == ("2026-11-30T02:00:00+00:00", found.links)
    # Of <sitemap> entries alone, it is an index whatever its root says; a urlset of pages has no children.
    index = parse_sitemap(f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{plugin}</urlset>".encode())
    assert (index.kind, index.links, index.children, index.note) == (
        "sitemapindex", ["https://a.jp/plugin-sitemap.xml", "https://a.jp/plugin?page=2"], [],
        "lists its 2 child sitemaps in a <urlset>, where an index is a <sitemapindex>: read as the sitemap index it is")
    assert parse_sitemap(f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{pages}</urlset>".encode()
                         ).children == []


def test_a_sitemap_that_writes_its_tags_in_upper_or_mixed_case_is_read_and_said_to():
    # XML names are case-sensitive and the protocol's are lower case, but CMSes write <URLSET>,
    # <Url>, <LOC>: read as written, an upper-case root was "not a sitemap", and a lower-case one
    # whose entries were <Url><Loc> listed nothing and was read "ok", every article it listed lost
    # without a word (Scrapy's Sitemap and ultimate-sitemap-parser compare names as written too).
    upper = parse_sitemap(b"<?xml version='1.0' encoding='UTF-8'?>\n"
                          b"<URLSET xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                          b"<URL><LOC>https://a.jp/1</LOC><LASTMOD>2026-12-01</LASTMOD></URL>"
                          b"<URL><LOC>https://a.jp/2</LOC></URL></URLSET>")
    assert (upper.kind, upper.links, upper.problem, upper.unlinked) == ("urlset", ["https://a.jp/1", "https://a.jp/2"],
                                                                       None, 0)
    assert upper.note == ("writes its tags in other than lower case (<URLSET>, <URL>, <LOC>, <LASTMOD>), which "
                          "XML reads as other names than the protocol's: read as the sitemap it is")
    bare = parse_sitemap(b"<URLSET><URL><LOC>https://a.jp/1</LOC></URL></URLSET>")  # no namespace at all
    assert (bare.kind, bare.links) == ("urlset", ["https://a.jp/1"])
    mixed = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><Url><Loc>https://a.jp/1</Loc>"
                          b"</Url><url><loc>https://a.jp/2</loc></url></urlset>")
    assert (mixed.kind, mixed.links, mixed.unlinked) == ("urlset", ["https://a.jp/1", "https://a.jp/2"], 0)
    assert mixed.note.startswith("writes its tags in other than lower case (<Url>, <Loc>)")
    index = parse_sitemap(b"<SitemapIndex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><Sitemap>"
                          b"<Loc>https://a.jp/s1.xml</Loc><LastMod>2026-12-01</LastMod></Sitemap></SitemapIndex>")
    assert (index.kind, index.links, index.lastmods) == ("sitemapindex", ["https://a.jp/s1.xml"],
                                                         {"https://a.jp/s1.xml": "2026-12-01"})
    # Its Google News entries are news, dated; a <br> in a title does not make it broken when every
    # entry it opens gave its URL; another schema's names (Google's PageMap) are not the protocol's.
    news = parse_sitemap(b"<URLSET xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                         b"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
                         b"<URL><LOC>https://a.jp/1</LOC><news:News><news:Publication_Date>2026-12-01T10:00:00+09:00"
                         b"</news:Publication_Date><news:Title>a<br>b</news:Title></news:News></URL></URLSET>")
    assert (news.links, news.news, news.declared, news.newest, news.problem) == (
        ["https://a.jp/1"], True, {"https://a.jp/1"}, "2026-12-01T01:00:00+00:00", None)
    pagemap = parse_sitemap(b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>https://a.jp/1"
                            b"</loc><PageMap xmlns='http://www.google.com/schemas/sitemap-pagemap/1.0'>"
                            b"<DataObject type='x'/></PageMap></url></urlset>")
    assert (pagemap.links, pagemap.note) == (["https://a.jp/1"], None)


def test_a_feed_that_writes_its_tags_in_upper_or_mixed_case_is_read_and_said_to():
    # <RSS><CHANNEL><ITEM><LINK>, <FEED><ENTRY><LINK HREF=…>: a CMS's template in upper case was "not a
    # feed", and a lower-case <rss> of <Item><Link> items listed nothing and was read "ok", every
    # article it listed never fetched (feedparser reads them, its loose parser folding case). RSS
    # names some in camel case (pubDate, isPermaLink), so they are read by the format's table.
    upper = parse_feed(b"<?xml version='1.0' encoding='UTF-8'?>\n<RSS VERSION='2.0'><CHANNEL><TITLE>t</TITLE>"
                       b"<LASTBUILDDATE>Thu, 03 Dec 2026 12:00:00 +0900</LASTBUILDDATE>"
                       b"<ITEM><LINK>https://a.jp/1</LINK><PUBDATE>Thu, 03 Dec 2026 10:00:00 +0900</PUBDATE></ITEM>"
                       b"<ITEM><GUID ISPERMALINK='true'>https://a.jp/2</GUID>"
                       b"<PUBDATE>Thu, 03 Dec 2026 09:00:00 +0900</PUBDATE></ITEM>"
                       b"<ITEM><GUID ISPERMALINK='FALSE'>https://a.jp/?p=3</GUID></ITEM></CHANNEL></RSS>")
    assert (upper.kind, upper.links, upper.problem, upper.unlinked, upper.newest, upper.interval) == (
        "rss", ["https://a.jp/1", "https://a.jp/2"], None, 1, "2026-12-03T01:00:00+00:00", 3600)
    assert upper.note == ("writes its tags in other than the case its format defines (<RSS>, <CHANNEL>, <TITLE>, "
                          "<LASTBUILDDATE>, …), which XML reads as other names than the format's: read as the feed "
                          "it is")
    mixed = parse_feed(b"<rss version='2.0'><channel><Item><Link>https://a.jp/1</Link><PubDate>"
                       b"Thu, 03 Dec 2026 10:00:00 +0900</PubDate></Item><item><link>https://a.jp/2</link></item>"
                       b"</channel></rss>")
    assert (mixed.links, mixed.newest, mixed.unlinked) == (["https://a.jp/1", "https://a.jp/2"],
                                                           "2026-12-03T01:00:00+00:00", 0)
    assert mixed.note.startswith("writes its tags in other than the case its format defines (<Item>, <Link>, "
                                 "<PubDate>)")
    dated = parse_feed(b"<rss version='2.0'><channel><item><link>https://a.jp/1</link>"
                       b"<PUBDATE>Thu, 03 Dec 2026 10:00:00 +0900</PUBDATE></item></channel></rss>")
    assert (dated.links, dated.newest) == (["https://a.jp/1"], "2026-12-03T01:00:00+00:00")
    atom = parse_feed(b"<FEED xmlns='http://www.w3.org/2005/Atom'><ENTRY><LINK REL='ALTERNATE' TYPE='text/html' "
                      b"HREF='https://a.jp/1'/><Link Rel='enclosure' Href='https://a.jp/1.mp3'/>"
                      b"<UPDATED>2026-12-03T10:00:00+09:00</UPDATED></ENTRY>"
                      b"<entry><link HREF='https://a.jp/2'/></entry></FEED>")
    assert (atom.kind, atom.links, atom.newest, atom.unlinked) == (
        "feed", ["https://a.jp/1", "https://a.jp/2"], "2026-12-03T01:00:00+00:00", 0)
    rdf = parse_feed(b"<rdf:rdf xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
                     b"xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                     b"<ITEM rdf:ABOUT='https://a.jp/1'>"
                     b"<dc:DATE>2026-12-03T10:00:00+09:00</dc:DATE></ITEM></rdf:rdf>")
    assert (rdf.kind, rdf.links, rdf.newest) == ("RDF", ["https://a.jp/1"], "2026-12-03T01:00:00+00:00")
    assert rdf.note.startswith("writes its tags in other than the case its format defines (<rdf:rdf>, <ITEM>, "
                               "rdf:ABOUT=, <dc:DATE>)")
    # A feed in the case its format defines is read as before, and said nothing of; another
    # namespace's names are not the format's (an extension's <media:Title> stays its own).
    plain = parse_feed(b"<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel><item>"
                       b"<link>https://a.jp/1</link><media:Link>https://a.jp/m</media:Link></item></channel></rss>")
    assert (plain.links, plain.note) == (["https://a.jp/1"], None)
    other = parse_feed(b"<rss version='2.0' xmlns:x='urn:x'><channel><Item><x:Link>https://a.jp/x</x:Link>"
                       b"</Item></channel></rss>")
    assert (other.links, other.unlinked) == ([], 1)


def test_a_sitemap_not_well_formed_where_no_url_is_is_read_whole_and_not_broken():
    # A bare "<" or a <br> in a news:title, a control character: every URL was read, and the
    # sitemap was "invalid XML, partly read" in every run; the day it did break, nothing changed.
    def sitemap(title: str, entry: str = "") -> bytes:
        urls = "".join(f"<url><loc>https://a.jp/{n}</loc><news:news><news:title>{title if n == 1 else 't'}"
                       "</news:title></news:news></url>" for n in range(3))
        return ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{urls}{entry}</urlset>").encode()
    urls = ["https://a.jp/0", "https://a.jp/1", "https://a.jp/2"]
    for title in ("株価 < 3万円", "防衛<br>費", "a\x0bb"):
        found = parse_sitemap(sitemap(title))
        assert (found.links, found.problem) == (urls, None), title
    # An entry whose URL was lost, or a text cut short, stays broken.
    lost = parse_sitemap(sitemap("t", "<url><lo c>https://a.jp/3</loc></url><url><loc>https://a.jp/4</loc></url>"))
    assert lost.links == [*urls, "https://a.jp/4"] and lost.problem.startswith("invalid XML, partly read")
    cut = sitemap("株価 < 3万円")[:-len("</urlset>")]
    assert parse_sitemap(cut).links == urls and parse_sitemap(cut).problem.startswith("invalid XML, partly read")


def test_a_feed_tells_its_newest_entry_and_the_pace_of_its_entries():
    # The real feeds of the Ministry of Defense and the Prime Minister's Office (fetched
    # 2026-08-19/20): 125 press releases over 79 days, 25 notices over 10.
    mod = parse_feed(saved_bytes("kasumigaseki-lens/mod.xml"))
    assert (mod.newest, round(mod.interval / 3600, 1)) == ("2026-08-19T09:02:36+00:00", 15.6)
    kantei = parse_feed(saved_bytes("kasumigaseki-lens/kantei.xml"))
    assert (kantei.newest, round(kantei.interval / 3600, 1)) == ("2026-08-19T18:13:00+00:00", 11.4)
    # Japan Times' feed of 2017 dates its channel only: no entry's date, no pace.
    japantimes = parse_feed(saved_bytes("feedreader/Rss20JapanTimes.xml"))
    assert len(japantimes.links) == 118 and (japantimes.newest, japantimes.interval) == (None, None)

    def rss(dates: list[str]) -> bytes:
        items = "".join(f"<item><link>https://a.jp/{n}</link><pubDate>{d}</pubDate></item>" for n, d in enumerate(dates))
        return f"<rss version='2.0'><channel><pubDate>Tue, 01 Dec 2026 09:00:00 +0900</pubDate>{items}</channel></rss>".encode()
    # Ten entries an hour apart and an announcement pinned since spring: the pace is the news's.
    hourly = [f"Mon, 30 Nov 2026 {h:02d}:00:00 +0900" for h in range(20, 10, -1)]
    pinned = parse_feed(rss(hourly + ["Fri, 01 May 2026 10:00:00 +0900"]))
    assert (pinned.newest, pinned.interval) == ("2026-11-30T11:00:00+00:00", 3600)
    # An entry dated years ahead (a placeholder, a year typed wrong) is no entry's time: it made
    # the newest entry 2031 and the pace months, and a frozen feed was never found so.
    ahead = parse_feed(rss(["Wed, 01 Jan 2031 00:00:00 +0900"] + hourly))
    assert (ahead.newest, ahead.interval) == ("2026-11-30T11:00:00+00:00", 3600)
    assert ahead.dated["https://a.jp/0"] == "2030-12-31T15:00:00+00:00"  # its date still said as given
    # One entry, or entries of one time, show no pace; the channel's build time is no entry's.
    assert parse_feed(rss(hourly[:1])).interval is None
    assert parse_feed(rss(hourly[:1] * 5)).interval is None
    assert parse_feed(rss([])).newest is None
    # Japanese feeds name Japan's zone (the Financial Services Agency's: "17:00:00 JST"), which
    # RFC 822 does not: such a feed had no dates, no pace, and its updates prompted nothing.
    named = parse_feed(rss([d.replace("+0900", "JST") for d in hourly[:3]] + ["2026-11-30T17:00:00 JST"]))
    assert (named.newest, named.interval, named.dated["https://a.jp/3"]) == (
        "2026-11-30T11:00:00+00:00", 3600, "2026-11-30T08:00:00+00:00")
    # Atom: an entry's update counts as its latest date.
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><updated>2026-12-01T00:00:00Z</updated>"
                      b"<entry><link href='https://a.jp/1'/><published>2026-11-01T00:00:00Z</published>"
                      b"<updated>2026-11-02T00:00:00Z</updated></entry>"
                      b"<entry><link href='https://a.jp/2'/><published>2026-10-31T00:00:00Z</published></entry></feed>")
    assert (atom.newest, atom.interval) == ("2026-11-02T00:00:00+00:00", 2 * 86400)
    # A Google News sitemap lists the newest articles, as a feed: its pace is read. An archive
    # sitemap's dates are old by design, and reading them is most of a big one's parse: not read.
    urls = "".join(f"<url><loc>https://a.jp/{n}</loc><news:news><news:publication_date>2026-11-30T0{n}:00:00+09:00"
                   "</news:publication_date></news:news></url>" for n in range(3))
    news_sitemap = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                    f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{urls}</urlset>")
    news = parse_sitemap(news_sitemap.encode())
    assert (news.newest, news.interval, news.news) == ("2026-11-29T17:00:00+00:00", 3600, True)
    # Its dates written as a Unix time, in seconds or milliseconds: unread, it had no newest entry and no pace.
    # Digits that give no time from 2001 to tomorrow are none (a compact "2026113009" would be 2034).
    for scale in (1, 1000):
        stamps = "".join(f"<url><loc>https://a.jp/{n}</loc><news:news><news:publication_date> "
                         f"{(1733554800 + n * 3600) * scale} </news:publication_date></news:news></url>"
                         for n in range(3))
        epoch = parse_sitemap(news_sitemap.replace(urls, stamps).encode())
        assert (epoch.newest, epoch.interval, epoch.dated["https://a.jp/0"]) == (
            "2024-12-07T09:00:00+00:00", 3600, "2024-12-07T07:00:00+00:00"), scale
    unread = ("999999999", "2026113009", "17335548000", "１７３３５５４８００")
    assert [discovery._date(text) for text in unread] == [None] * 4
    # Its entries that carry <news:news> say they are articles, as a feed's do; a page beside
    # them (a section listed too) says nothing, nor does an archive sitemap's entry.
    mixed = parse_sitemap(("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                           f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{urls}"
                           "<url><loc>https://a.jp/politics/</loc></url></urlset>").encode())
    assert (mixed.links[-1], mixed.declared) == ("https://a.jp/politics/", {f"https://a.jp/{n}" for n in range(3)})
    # An entry's date is its <loc>'s, not that of the page in another language it links.
    hreflang = parse_sitemap(("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
                              "xmlns:xhtml='http://www.w3.org/1999/xhtml'><url><loc>https://a.jp/ja/1</loc>"
                              "<xhtml:link rel='alternate' hreflang='en' href='https://a.jp/en/1'/>"
                              "<lastmod>2026-11-30T10:00:00+09:00</lastmod></url></urlset>").encode(), newest=True)
    assert (hreflang.links, hreflang.dated) == (["https://a.jp/ja/1"], {"https://a.jp/ja/1": "2026-11-30T01:00:00+00:00"})
    archive = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>" + "".join(
        f"<url><loc>https://a.jp/{n}</loc><lastmod>2024-0{n + 1}-01</lastmod></url>" for n in range(3)) + "</urlset>")
    assert parse_sitemap(archive.encode()).newest is None and not parse_sitemap(archive.encode()).news
    assert parse_sitemap(archive.encode()).declared == set()
    # An entry written without its <loc> (or an empty one) is an article lost: counted.
    holes = parse_sitemap(archive.replace("<loc>https://a.jp/1</loc>", "<loc> </loc>")
                          .replace("<loc>https://a.jp/2</loc>", "").encode())
    assert (holes.links, holes.unlinked, parse_sitemap(archive.encode()).unlinked) == (["https://a.jp/0"], 2, 0)
    # Dates that name no zone are Japan time, a date-only lastmod that day's start there: unread,
    # such a document had no newest entry and no pace, and its updates prompted nothing.
    assert parse_sitemap(archive.encode(), newest=True).newest == "2024-02-29T15:00:00+00:00"
    naive = parse_feed(rss(["2026-11-30T12:00:00", "Mon, 30 Nov 2026 11:00:00", "2026-11-30 10:00",
                            "2026/11/30 09:00", "2026年11月30日 8時00分"]))
    assert (naive.newest, naive.interval, naive.dated["https://a.jp/2"], naive.dated["https://a.jp/4"]) == (
        "2026-11-30T03:00:00+00:00", 3600, "2026-11-30T01:00:00+00:00", "2026-11-29T23:00:00+00:00")


def test_ledger_transitions(tmp_path):
    db = open_db(tmp_path / "news.db")
    url = "https://example.jp/a/1"
    frontier.add_pending(db, [url], outlet="x")
    assert frontier.needs_fetch(db, url, max_attempts=2)
    assert frontier.record_failure(db, url, outlet="x", code="timeout", reason="timed out", max_attempts=2) == "error"
    assert frontier.needs_fetch(db, url, max_attempts=2)
    assert frontier.record_failure(db, url, outlet="x", code="timeout", reason="timed out", max_attempts=2,
                                   now="2026-12-01T09:00:00+00:00") == "gave_up"
    row = frontier.state(db, url)
    assert (row["kind"], row["attempts"], row["reason"]) == (
        "gave_up", 2, "gave up after 2 attempts: timed out; tried once more after 2026-12-01 15:00 UTC")
    # Its tries were a run apart: an origin down for an hour, or a page listed before it was up,
    # would lose the article. Six hours on, one more; then never again.
    assert not frontier.needs_fetch(db, url, max_attempts=2, now="2026-12-01T14:59:00+00:00")
    assert frontier.due_urls(db, "x", max_attempts=2, limit=5, now="2026-12-01T14:59:00+00:00") == []
    assert frontier.needs_fetch(db, url, max_attempts=2, now="2026-12-01T15:00:00+00:00")
    assert frontier.due_urls(db, "x", max_attempts=2, limit=5, now="2026-12-01T15:00:00+00:00") == [url]
    assert frontier.record_failure(db, url, outlet="x", code="timeout", reason="timed out", max_attempts=2,
                                   now="2026-12-01T15:01:00+00:00") == "gave_up"
    row = frontier.state(db, url)
    assert (row["attempts"], row["reason"], row["retry_at"]) == (3, "gave up after 3 attempts: timed out", None)
    assert not frontier.needs_fetch(db, url, max_attempts=2, now="2026-12-30T00:00:00+00:00")
    # Repeated 404s get their late try too; a 410 says it is gone for good.
    for _ in range(2):
        frontier.record_failure(db, url + "n", outlet="x", code="http_404", reason="HTTP 404", max_attempts=2,
                                exhausted="gone", now="2026-12-01T09:00:00+00:00")
    assert frontier.state(db, url + "n")["retry_at"] == "2026-12-01T15:00:00+00:00"
    assert frontier.record_failure(db, url + "g", outlet="x", code="http_410", reason="gone", max_attempts=1,
                                   exhausted="gone") == "gone"
    assert frontier.state(db, url + "g")["retry_at"] is None
    # A state typed by hand that the crawler does not know is refused by the database.
    with pytest.raises(Exception, match="urls.kind must be one of"):
        db.execute("UPDATE urls SET kind = 'done' WHERE url = ?", [url])


def test_a_blocked_url_is_given_up_a_week_after_its_first_wall_not_its_discovery(tmp_path):
    db = open_db(tmp_path / "news.db")
    url = "https://example.jp/a/2"
    day = timedelta(days=1)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def wall(at: datetime) -> str:
        return frontier.record_blocked(db, url, outlet="x", code="wall_challenge", reason="a bot challenge",
                                       backoff=3600, now=at.isoformat(timespec="seconds"))

    frontier.add_pending(db, [url], outlet="x", now=start.isoformat(timespec="seconds"))
    # Eight days in the backlog (the outlet was down), then a first wall: tried again later.
    assert wall(start + 8 * day) == "blocked"
    assert wall(start + 12 * day) == "blocked"
    assert frontier.state(db, url)["blocked_since"] == (start + 8 * day).isoformat(timespec="seconds")
    assert wall(start + 15 * day + timedelta(hours=1)) == "gave_up"
    assert "blocked for more than 7 days" in frontier.state(db, url)["reason"]


def test_a_blocked_url_held_back_while_its_outlet_walls_us_off_keeps_its_week(tmp_path):
    # A blocked URL due again is postponed (pending) while its outlet walls us off; the next wall
    # must not start a new week, or an outlet that keeps walling us keeps its URLs for ever.
    db = open_db(tmp_path / "news.db")
    url, other = "https://example.jp/a/3", "https://example.jp/a/4"
    at = lambda d: datetime(2026, 1, d, tzinfo=timezone.utc).isoformat(timespec="seconds")  # noqa: E731

    def wall(u: str, d: int) -> str:
        return frontier.record_blocked(db, u, outlet="x", code="wall_challenge", reason="a bot challenge",
                                       backoff=3600, now=at(d))

    assert wall(url, 2) == "blocked"
    frontier.postpone(db, url, outlet="x", reason="3 walls in a row", now=at(5))
    assert frontier.state(db, url)["blocked_since"] == at(2)
    assert wall(url, 8) == "blocked"
    assert wall(url, 10) == "gave_up"
    # A page that gets through ends the week: a later wall starts a new one.
    assert wall(other, 2) == "blocked"
    frontier.record_result(db, other, outlet="x", kind="not_article", code="not_article", reason="a listing",
                           now=at(4))
    assert frontier.state(db, other)["blocked_since"] is None
    assert wall(other, 10) == "blocked"
    assert frontier.state(db, other)["blocked_since"] == at(10)


def test_robots_change_requeues_what_it_disallowed(tmp_path):
    db = open_db(tmp_path / "news.db")
    url = "http://127.0.0.1:8000/private/a"
    assert not frontier.robots_seen(db, "127.0.0.1:8000", http_status=200, sha256="a")
    frontier.record_refused(db, url, outlet="x", code="robots_disallow", reason="disallowed")
    assert not frontier.needs_fetch(db, url, max_attempts=3)
    assert not frontier.robots_seen(db, "127.0.0.1:8000", http_status=200, sha256="a")
    assert frontier.state(db, url)["kind"] == "refused"
    assert frontier.robots_seen(db, "127.0.0.1:8000", http_status=200, sha256="b")
    assert frontier.state(db, url)["kind"] == "pending"


def test_what_was_refused_while_robots_txt_was_down_is_pending_once_it_is_read_again(tmp_path):
    # Left refused "robots.txt answered HTTP 503" through a run that read it (its quota taken by
    # newer articles), a URL's state said robots.txt was down when it was not.
    db = open_db(tmp_path / "news.db")
    url, elsewhere = "http://127.0.0.1:8000/a/1", "http://127.0.0.1:8001/a/1"
    assert not frontier.robots_seen(db, "127.0.0.1:8000", http_status=200, sha256="a")
    for u in (url, elsewhere):
        frontier.record_refused(db, u, outlet="x", code="robots_unavailable", reason="robots.txt answered HTTP 503")
    assert not frontier.robots_seen(db, "127.0.0.1:8000", http_status=503, sha256=None)
    assert frontier.state(db, url)["kind"] == "refused"
    assert not frontier.robots_seen(db, "127.0.0.1:8000", http_status=200, sha256="a")
    assert (frontier.state(db, url)["kind"], frontier.state(db, url)["reason_code"]) == ("pending", "robots_changed")
    assert frontier.state(db, elsewhere)["kind"] == "refused"  # another host's robots.txt says nothing of it


def test_m004_mends_what_the_first_crawler_lost(tmp_path):
    """A redirect stored as an empty page and marked not_article is fetched again; an error
    that used up its attempts says it gave up."""
    from storage.migrations import MIGRATIONS, migrate

    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m004_url_states")
    now = "2026-11-01T00:00:00+00:00"
    rows = [("https://a.jp/moved", "not_article", 301, 1, None), ("https://a.jp/empty", "not_article", 200, 1, None),
            ("https://a.jp/listing", "not_article", 200, 1, None), ("https://a.jp/dead", "error", 503, 3, "HTTP 503")]
    for url, kind, status, attempts, error in rows:
        db.execute("INSERT INTO urls (url, outlet, kind, http_status, first_seen_at, last_seen_at, attempts, last_error) "
                   "VALUES (?, 'x', ?, ?, ?, ?, ?, ?)", [url, kind, status, now, now, attempts, error])
    for url, size in (("https://a.jp/empty", 0), ("https://a.jp/listing", 5000)):
        db.execute("INSERT INTO pages (url, fetched_at, http_status, body_gz, size) VALUES (?, ?, 200, x'00', ?)",
                   [url, now, size])
    assert migrate(db)[0] == "m004_url_states"  # and the later ones
    kinds = {r["url"]: r for r in db.query("SELECT * FROM urls")}
    assert kinds["https://a.jp/moved"]["kind"] == "pending" and kinds["https://a.jp/moved"]["attempts"] == 0
    assert kinds["https://a.jp/empty"]["kind"] == "pending"
    assert kinds["https://a.jp/listing"]["kind"] == "not_article"
    assert kinds["https://a.jp/dead"]["kind"] == "gave_up" and "HTTP 503" in kinds["https://a.jp/dead"]["reason"]


@pytest.mark.parametrize("body, binary", [
    (b"BZh91AY&SY" + bytes(range(256)) * 4, True),                    # bzip2
    (b"<html>" + (b"\x01" * 3 + b"a" * 97) * 100 + b"</html>", True),  # 3 % control bytes
    ("<html><body>防衛</body></html>".encode("utf-16-le"), False),     # UTF-16 without a BOM
    ("<html><body>防衛</body></html>".encode("utf-8"), False),
])
def test_the_crawl_and_ingest_judge_the_same_bytes_alike(body, binary):
    # check_body (the crawl) and sniff_binary (ingest, `newsmon extract`) had two tables and two
    # thresholds, and judged these bodies differently.
    from crawler.bodies import sniff_binary

    assert (sniff_binary(body) is not None) is binary
    problem = check_body(body, "text/html")
    assert (problem is not None and problem.code == "not_html") is binary
