"""Wall detection: each kind of wall is recognised, and no real saved page is taken for one."""

from __future__ import annotations

import csv

import pytest

from crawler.walls import detect_wall, url_wall

from .hostile import article_html
from .saved import SAVED, saved_bytes

CHALLENGE = (b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             b'<noscript><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></noscript>'
             b'<script>window._cf_chl_opt={cType: "managed"};</script></body></html>')


@pytest.mark.parametrize("status,headers,body,url,kind,vendor", [
    (403, {"Server": "cloudflare"}, CHALLENGE, None, "challenge", "Cloudflare"),
    (200, {"cf-mitigated": "challenge"}, b"", None, "challenge", "Cloudflare"),
    (403, {"Server": "AkamaiGHost"}, b"<html><body><h1>Access Denied</h1>Reference #18.1</body></html>", None,
     "challenge", "Akamai"),
    (403, {}, b'<html><body><div id="px-captcha"></div></body></html>', None, "challenge", "HUMAN (PerimeterX)"),
    (403, {"x-datadome": "protected"}, b"<html><body></body></html>", None, "challenge", "DataDome"),
    (200, {}, b"<html><body><iframe src='https://geo.captcha-delivery.com/captcha/'></iframe></body></html>", None,
     "challenge", "DataDome"),
    (405, {"x-amzn-waf-action": "captcha"}, b"", None, "challenge", "AWS WAF"),
    (401, {"Content-Type": "application/json"}, b'{"error":"invalid JWT token","status":401}', None, "consent",
     "NHK ONE"),
    (200, {}, b"<html><head><title>Before you continue</title></head><body><form><button>Accept all</button>"
              b"</form></body></html>", None, "consent", "consent page"),
    (200, {}, b"<html><body>x</body></html>", "https://consent.yahoo.com/v2/collectConsent?sessionId=1", "consent",
     "consent.yahoo.com"),
    (200, {}, "<html><head><title>ログイン</title></head><body><form><input type='password'></form></body></html>"
     .encode(), None, "login", "login form"),
    (200, {}, b"<html><body>x</body></html>", "https://id.example.jp/login?next=/articles/1", "login", "id.example.jp"),
    (200, {}, b"<html><head><title>Security check</title></head><body><form><div class='g-recaptcha'></div></form>"
              b"</body></html>", None, "challenge", "captcha"),
])
def test_walls_are_recognised(status, headers, body, url, kind, vendor):
    wall = detect_wall(status, headers, body, url)
    assert wall is not None and (wall.kind, wall.vendor) == (kind, vendor)
    assert wall.code == f"wall_{kind}" and wall.reason


def test_vendor_sensors_on_an_ordinary_page_are_not_a_wall():
    page = article_html(1).replace("</body>", "<script>window._pxAppId='PX1';</script>"
                                   "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></body>")
    assert detect_wall(200, {"x-datadome": "protected", "Server": "AkamaiGHost"}, page.encode() * 3) is None
    # An ordinary error is an error, not a wall.
    assert detect_wall(404, {"Server": "AkamaiGHost"}, b"<h1>Not Found</h1>") is None
    assert detect_wall(403, {"Server": "Apache"}, b"<h1>Forbidden</h1><p>You don't have permission to access "
                                                  b"this resource.</p>") is None
    assert url_wall("https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html") is None
    # A comment form's CAPTCHA on a short blog post is not a check page.
    assert detect_wall(200, {}, b"<html><head><title>My day | Blog</title></head><body><p>short post</p>"
                                b"<form><div class='g-recaptcha'></div></form></body></html>") is None


def test_no_saved_real_page_is_taken_for_a_wall():
    with open(SAVED / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) > 150
    walls = {r["local_file"]: detect_wall(200, {}, saved_bytes(r["local_file"]), r["original_url_if_known"] or None)
             for r in rows}
    assert {k: v for k, v in walls.items() if v} == {}
