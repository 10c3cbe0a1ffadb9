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

PAGE = "https://www.example.jp/articles/20261202-001"


def _settings() -> dict:
    return {name: getattr(project, name) for name in dir(project) if name.isupper()}


@pytest.fixture(scope="module")
def middleware():
    return BrowserRedirectMiddleware.from_crawler(get_crawler(settings_dict=_settings()))


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
