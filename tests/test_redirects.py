"""The redirects a browser follows that are no 3xx (``BrowserRedirectMiddleware``), and those it
must not take for one.

Real Scrapy requests and responses through the real middleware, built by Scrapy from newsmon's
settings; the crawl over HTTP is tests/test_hostile.py's (``/a/refresh-header``,
``/a/script-redirect``, ``/a/script-elsewhere``, ``/a/reload``).
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.middlewares import BrowserRedirectMiddleware
from crawler.store import close_crawler_db

PAGE = "https://www.example.jp/articles/20261202-001"


def _settings() -> dict:
    return {name: getattr(project, name) for name in dir(project) if name.isupper()}


@pytest.fixture(scope="module")
def middleware(tmp_path_factory):
    # Its extensions open the database (closed after): a file of its own, not newsmon.db where
    # the tests run, which a checkout's own crawls (or an older newsmon) may have migrated.
    db = tmp_path_factory.mktemp("redirects") / "news.db"
    crawler = get_crawler(settings_dict={**_settings(), "NEWSMON_DB": str(db)})
    yield BrowserRedirectMiddleware.from_crawler(crawler)
    close_crawler_db(crawler)


def answer(middleware, body: bytes = b"", headers: dict | None = None, status: int = 200, html: bool = True):
    request = Request(PAGE)
    cls = HtmlResponse if html else Response
    response = cls(PAGE, status=status, body=body, headers=headers or {}, request=request)
    got = middleware.process_response(request, response)
    return got.url if isinstance(got, Request) else None


def script_page(script: str, text: str = "") -> bytes:
    return (f"<html><head><title>移動</title><script>{script}</script></head><body><p>{text}</p></body></html>"
            ).encode()


def test_a_refresh_header_is_followed_as_browsers_follow_it(middleware):
    assert answer(middleware, headers={"Refresh": "0; url=/articles/moved"}) == "https://www.example.jp/articles/moved"
    assert answer(middleware, headers={"Refresh": '1;URL="https://www.example.jp/b?x=1&y=2"'},
                  html=False) == "https://www.example.jp/b?x=1&y=2"
    # Under METAREFRESH_MAXDELAY (100 s) only, as Scrapy's meta refresh; a reload is no redirect.
    assert answer(middleware, headers={"Refresh": "300; url=/articles/later"}) is None
    assert answer(middleware, headers={"Refresh": f"60; url={PAGE}"}) is None
    assert answer(middleware, headers={"Refresh": "30"}) is None
    # Only where the page is one: a 404 with a Refresh header is a 404.
    assert answer(middleware, headers={"Refresh": "0; url=/"}, status=404) is None


@pytest.mark.parametrize("script", [
    'window.location.replace("/articles/moved");',
    "location.href = '/articles/moved';",
    'top.location="https://www.example.jp/articles/moved"',
    'document.location.assign( "/articles/moved" )',
])
def test_a_page_with_no_text_whose_script_goes_on_is_a_redirect(middleware, script):
    assert answer(middleware, script_page(script)) == "https://www.example.jp/articles/moved"


@pytest.mark.parametrize(("headers", "body"), [
    ({}, b'<html><head><meta http-equiv="refresh" content="0; url=/articles/moved?id=1&amp;amp;p=2"></head></html>'),
    ({"Refresh": "0; url=/articles/moved?id=1&amp;amp;p=2"}, b""),
    ({}, script_page('location.replace("/articles/moved?id=1&amp;p=2");')),
])
def test_a_way_on_whose_query_ampersands_a_template_escaped_is_followed_as_its_site_means_it(middleware, headers, body):
    # A refresh escaped twice, or a script written from an HTML template: followed as written, the parameter "amp;p",
    # a site's answer to what it does not know (its page 1 for page 2, at 200), as a 3xx's Location was.
    assert answer(middleware, body, headers) == "https://www.example.jp/articles/moved?id=1&p=2"


def test_a_noscript_refresh_on_a_page_with_no_text_is_followed(middleware):
    # Scrapy skips <noscript> (METAREFRESH_IGNORE_TAGS): a page that is only a way on is not
    # left as an empty document for that.
    body = b'<html><body><noscript><meta http-equiv="refresh" content="0; url=/articles/moved"></noscript></body></html>'
    assert answer(middleware, body) == "https://www.example.jp/articles/moved"


@pytest.mark.parametrize("body", [
    # An article whose script sends a reader somewhere on a click, or a widget: its text says it is the page.
    script_page('location.href = "/signup";', text="防衛省は2日、反撃能力の運用方針を公表した。" * 10),
    # A target made at run time, or two: no one way on.
    script_page('location.href = "/login?next=" + encodeURIComponent(location.pathname);'),
    script_page('if (mobile) { location.href = "/sp/a"; } else { location.href = "/pc/a"; }'),
    # A script that sets a cookie before it goes on is a gate newsmon cannot pass so.
    script_page('document.cookie = "ok=1; path=/"; location.replace("/articles/moved");'),
    # A bot challenge's script goes on too: it stays the wall it is.
    script_page('window._cf_chl_opt={cType: "managed"}; location.replace("/cdn-cgi/challenge-platform/h/b");')
    .replace(b"<title>\xe7\xa7\xbb\xe5\x8b\x95</title>", b"<title>Just a moment...</title>"),
    # A comparison, a property of another object, a reload.
    script_page('if (location.href == "/x") {} ad.location = "top"; location.reload();'),
])
def test_what_is_no_way_on_is_read_as_the_page_it_is(middleware, body):
    assert answer(middleware, body) is None


def test_a_meta_refresh_is_still_followed_and_a_reload_is_not(middleware):
    moved = b'<html><head><meta http-equiv="refresh" content="0; url=/articles/moved"></head><body>x</body></html>'
    assert answer(middleware, moved) == "https://www.example.jp/articles/moved"
    reload = moved.replace(b"/articles/moved", PAGE.encode())
    assert answer(middleware, reload) is None


def test_a_busy_page_that_reloads_itself_stays_the_error_it_is(middleware):
    # A 503 "please wait" page that reloads itself: retried as a 503, not ended as a redirect loop.
    busy = f'<html><head><meta http-equiv="refresh" content="30; url={PAGE}"></head><body>混雑</body></html>'.encode()
    assert answer(middleware, busy, status=503) is None


def test_a_refresh_past_the_first_4096_characters_is_followed_as_browsers_follow_it(middleware):
    # Scrapy reads a page's first 4,096 characters for one; a CMS's long head puts it further.
    head = "".join(f'<meta name="x-cms-{n}" content="{"値" * 40}">' for n in range(60))
    late = f'<html><head>{head}<meta http-equiv="REFRESH" content="0; URL=/articles/moved"></head><body>移動</body></html>'
    assert len(late.split("REFRESH")[0]) > 4096
    assert answer(middleware, late.encode()) == "https://www.example.jp/articles/moved"
    # As for one Scrapy reads: a reload of the page itself, or one after METAREFRESH_MAXDELAY, is none.
    assert answer(middleware, late.replace("/articles/moved", PAGE).encode()) is None
    assert answer(middleware, late.replace('"0; URL', '"600; URL').encode()) is None
    # Past what is read for one (the first 32 KB), it is left alone.
    far = late.replace(head, head * 8)
    assert answer(middleware, far.encode()) is None


# -- a moved article's page in the outlet's template, whose script sends the browser on ------------

MENUS = "".join(f'<li><a href="/section/{n}">{name}{n}</a></li>' for n, name in enumerate(
    ["政治", "経済", "国際", "社会", "スポーツ", "文化", "科学", "地域", "オピニオン", "ランキング"] * 4))
STYLE = "".join(f".c{n}{{margin:{n}px;padding:{n}px;color:#{n:06x}}}" for n in range(600))


def template(main: str, script: str) -> bytes:
    """A page in an outlet's template (a long head, menus, a footer of text) around ``main``:
    longer than the 16 KB and 100 characters a bare stub is read for."""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>毎朝新聞</title><style>{STYLE}'
            f'</style><script>{script}</script></head><body><header><nav><ul>{MENUS}</ul></nav></header>'
            f'<main>{main}</main><footer><p>記事・写真・図表などの無断転載を禁じます。著作権は毎朝新聞社またはその情報提供者に'
            '帰属します。お問い合わせは読者センターまで。</p></footer></body></html>').encode()


@pytest.mark.parametrize("script", [
    'setTimeout(function(){ location.href = "/articles/moved" }, 3000);',
    "window.location = '/articles/moved';",
    'location.assign("/articles/moved");',
    'setTimeout(() => { window.location.replace("/articles/moved"); }, 5000);',
])
@pytest.mark.parametrize("main", [
    "<h1>この記事は移動しました</h1><p>お探しの記事は新しいURLに移動しました。5秒後に自動的に移動します。移動しない場合は"
    "<a href='/articles/moved'>こちら</a>をクリックしてください。</p>",
    "<p>自動的に移動します。しばらくお待ちください。</p>",
    "<h1>This page has moved</h1><p>You will be redirected to its new address in a few seconds.</p>",
    # No words of its own at all, in its template: a stub.
    "<div id='app'><p>読み込み中…</p></div>",
], ids=["moved", "automatic", "english", "stub"])
def test_a_template_page_that_moved_is_followed_where_its_script_sends_the_browser(middleware, script, main):
    # Before: only pages under 16 KB with under 100 characters of text were read for a script's way
    # on; the moved article's page in its template was stored, or `not_article`, its article never read.
    body = template(main, script)
    assert len(body) > 16 * 1024
    assert answer(middleware, body) == "https://www.example.jp/articles/moved"


ARTICLE = ("<article><h1>本社を移転、新社屋で業務開始</h1>" + "".join(f"<p>{p}</p>" for p in [
    "同社は1日、本社を市中心部の新社屋に移転しました。旧本社の跡地は市に売却し、公園として整備される。",
    "新社屋は地上12階建てで、災害時には一時避難所として周辺の住民を受け入れる。自家発電設備も備える。",
    "社長は「地域とともに歩む拠点にしたい」と述べた。旧本社で働いていた約800人が順次移る。"]) + "</article>")


@pytest.mark.parametrize("main, script", [
    # An article whose script sends a phone to the mobile site (as Jiji's saved pages do), or a
    # reader to a login or checkout on a click: the page is the article, whatever it says.
    (ARTICLE, 'if (/iPhone|Android/.test(navigator.userAgent)) { location.href = "/sp/article?k=1"; }'),
    (ARTICLE, 'function login() { location.href = "/login/?mode=login"; }'),
    # A page that moved, whose script waits longer than METAREFRESH_MAXDELAY (100 s): no redirect.
    ("<h1>この記事は移動しました</h1>", 'setTimeout(function(){ location.href = "/articles/moved" }, 300000);'),
    # A moved page's script that sets a cookie first: a gate newsmon cannot pass so.
    ("<h1>この記事は移動しました</h1>", 'document.cookie = "moved=1"; location.replace("/articles/moved");'),
], ids=["mobile-article", "login-article", "late", "cookie"])
def test_a_template_page_whose_script_is_no_way_on_is_read_as_it_is(middleware, main, script):
    assert answer(middleware, template(main, script)) is None


def test_a_page_whose_script_redirect_is_not_followed_names_where_it_sends_the_browser():
    from crawler.outcome import no_article_problem

    body = template("<h1>この記事は移動しました</h1>", 'document.cookie = "moved=1"; location.replace("/articles/moved");')
    problem = no_article_problem(body)
    assert problem.code in ("not_article", "empty_document") and "/articles/moved" in problem.reason


def test_a_redirect_to_a_stored_article_stops_a_first_fetch_but_not_a_revisit_or_a_next_page(tmp_path):
    # A new URL sent on to a stored article's URL is that article, not fetched again. A revisit
    # reads the page for changes, and an article's next page sent back to its first is a page it
    # lacks, named so by the pipeline ("redirected to …"): neither is stopped.
    from types import SimpleNamespace

    from crawler import store
    from crawler.middlewares import AlreadyStored, ScopeMiddleware
    from crawler.outlets import registry

    from .conftest import saved_bytes

    url = "https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html"
    crawler = get_crawler(settings_dict={**_settings(), "NEWSMON_DB": str(tmp_path / "n.db")})
    try:
        db = store.crawler_db(crawler)
        body = saved_bytes("fundus-jp/AsahiShimbun_2025_01_13.html")
        saved = store.save(db, url=url, body=body, record=store.analyse(body, url), outlet="asahi")
        outlets = {"asahi": registry()["asahi"]}
        crawler.spider = SimpleNamespace(outlets=outlets, hosts=store.known_hosts(outlets))
        middleware = ScopeMiddleware.from_crawler(crawler)
        old = url.replace("02SM", "99SM")

        def sent_on(**meta):
            return Request(url, meta={"newsmon_outlet": "asahi", "newsmon_url": old, "redirect_urls": [old],
                                      "redirect_reasons": [301], **meta})

        with pytest.raises(AlreadyStored) as stopped:
            middleware.process_request(sent_on())
        assert (stopped.value.article_id, stopped.value.target) == (saved.article_id, url)
        assert middleware.process_request(sent_on(newsmon_revisit=saved.article_id)) is None
        assert middleware.process_request(sent_on(newsmon_part=True)) is None
        # Nor is a URL sent on to one that holds no article yet.
        assert middleware.process_request(Request(url.replace("02SM", "03SM"), meta={
            "newsmon_outlet": "asahi", "newsmon_url": old, "redirect_urls": [old]})) is None
    finally:
        close_crawler_db(crawler)


def test_a_redirect_to_an_article_url_this_run_fetches_itself_is_not_followed(tmp_path):
    # A feed lists /a/1/ and a section /a/1 (the site sends the one to the other): both are asked
    # for, and following the redirect downloaded the article a second time, each new article of
    # such an outlet twice. The URL waits for the next run, when its redirect names the stored
    # article (the test above); the redirect to a URL no request of the run holds is followed.
    from types import SimpleNamespace

    from crawler import store
    from crawler.middlewares import Postponed, ScopeMiddleware
    from crawler.outlets import registry

    url = "https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html"
    old = url + "/"
    crawler = get_crawler(settings_dict={**_settings(), "NEWSMON_DB": str(tmp_path / "n.db")})
    try:
        store.crawler_db(crawler)
        outlets = {"asahi": registry()["asahi"]}
        crawler.spider = SimpleNamespace(outlets=outlets, hosts=store.known_hosts(outlets), scheduled={url, old})
        middleware = ScopeMiddleware.from_crawler(crawler)

        def sent_on(target, **meta):
            return Request(target, meta={"newsmon_outlet": "asahi", "newsmon_url": old, "redirect_urls": [old],
                                         "redirect_reasons": [301], **meta})

        with pytest.raises(Postponed) as waits:
            middleware.process_request(sent_on(url))
        assert url in waits.value.reason and "not fetched twice" in waits.value.reason
        # A revisit, a next page, and a redirect to a URL the run did not ask for go on.
        assert middleware.process_request(sent_on(url, newsmon_revisit=1)) is None
        assert middleware.process_request(sent_on(url, newsmon_part=True)) is None
        assert middleware.process_request(sent_on(url.replace("02SM", "03SM"))) is None
        # Nor is a URL that comes back to itself (http to https of its own key) held back.
        assert middleware.process_request(Request(url, meta={
            "newsmon_outlet": "asahi", "newsmon_url": url, "redirect_urls": [url.replace("https", "http", 1)],
            "redirect_reasons": [301]})) is None
        # Nor one to a URL held back so itself (A and B sending each other on): the loop is found and said.
        from storage import frontier

        frontier.postpone(store.crawler_db(crawler), url, outlet="asahi", reason="redirects to … (held back)")
        assert middleware.process_request(sent_on(url)) is None
    finally:
        close_crawler_db(crawler)


@pytest.mark.parametrize("content", [
    "0; url = /articles/moved",          # blanks around "=": a browser follows it, w3lib's pattern did not
    " 0 ;  url = '/articles/moved' ",
    "0, url=/articles/moved",            # a comma for the semicolon
    "0; /articles/moved",                # the URL without "url="
])
def test_a_meta_refresh_a_browser_follows_however_it_is_spaced_is_followed(middleware, content):
    # Read by w3lib alone, such a moved article's stub was an empty document: a bot wall, retried
    # for a week and given up, and the article it leads to never fetched.
    quote = '"' if "'" in content else "'"
    stub = (f"<html><head><meta http-equiv=\"refresh\" content={quote}{content}{quote}><title>移動</title></head>"
            "<body></body></html>")
    assert answer(middleware, stub.encode()) == "https://www.example.jp/articles/moved"
    # Not one in <noscript> on a page with text, nor one a minute off, nor a reload.
    text = "<p>" + "防衛省は2日、反撃能力の運用方針を公表した。" * 10 + "</p>"
    hidden = (stub.replace("<meta", "<noscript><meta").replace("<title>", "</noscript><title>")
              .replace("<body>", "<body>" + text))
    assert answer(middleware, hidden.encode()) is None
    assert answer(middleware, stub.replace(content, content.replace("0", "600", 1)).encode()) is None
    assert answer(middleware, stub.replace("/articles/moved", PAGE).encode()) is None


@pytest.mark.parametrize("meta", [
    '<meta http-equiv="refresh" content="0;url=javascript:void(0)">',        # no page: a request of it raised
    '<meta http-equiv="refresh" content="0; url = mailto:desk@example.jp">',
    '<meta http-equiv="refresh" content="600"><meta http-equiv="refresh" content="0, url=/articles/moved">',
    # The first a reload, the second one w3lib reads (2.6 the one above too): Scrapy's meta refresh followed it.
    '<meta http-equiv="refresh" content="600"><meta http-equiv="refresh" content="0; url=/articles/moved">',
    '<template><meta http-equiv="refresh" content="0, url=/articles/moved"></template>',
    '<meta http-equiv="refresh" data-content="0, url=/articles/moved" content="900">',
    '<meta http-equiv="refresh" content="０, url=/articles/moved">',          # no ASCII digit
])
def test_a_refresh_a_browser_does_not_follow_leaves_the_article_be(middleware, meta):
    # Followed (or, to javascript:, a ValueError: fetch_failed, then given up), the article
    # this page is was never stored.
    text = "<p>" + "防衛省は2日、反撃能力の運用方針を公表した。" * 10 + "</p>"
    body = f"<html><head><title>記事</title>{meta}</head><body>{text}</body></html>"
    assert answer(middleware, body.encode()) is None
