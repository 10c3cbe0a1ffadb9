"""Wall detection: each kind of wall is recognised, and no real saved page is taken for one."""

from __future__ import annotations

import csv
import re

import pytest

from crawler.walls import SMALL_PAGE_CHARS, detect_wall, login_page, url_wall, visible_chars

from .hostile import CMP_MARKUP, COOKIE_PURPOSES, F5_REJECTED, article_html, consent_screen_html
from .saved import SAVED, saved_bytes

#: Akamai's denial page without its "Reference #18.…" line (nor the errors.edgesuite.net URL after it).
AKAMAI_DENIED = (b'<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n'
                 b'You don\'t have permission to access "http&#58;&#47;&#47;www&#46;asahi&#46;com&#47;articles&#47;'
                 b'AST1F4445T1FUTIL02SM&#46;html" on this server.<P>\n</BODY>\n</HTML>\n')
CHALLENGE = (b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             b'<noscript><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></noscript>'
             b'<script>window._cf_chl_opt={cType: "managed"};</script></body></html>')


@pytest.mark.parametrize("status,headers,body,url,kind,vendor", [
    (403, {"Server": "cloudflare"}, CHALLENGE, None, "challenge", "Cloudflare"),
    (200, {"cf-mitigated": "challenge"}, b"", None, "challenge", "Cloudflare"),
    (403, {"Server": "AkamaiGHost"}, b"<html><body><h1>Access Denied</h1>Reference #18.1</body></html>", None,
     "challenge", "Akamai"),
    # Its denial page served at 200 without its Server header (a CDN in front), the reference URL entity-escaped as
    # Akamai writes it: it was "no article", a listing given up on.
    (200, {}, b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't have permission "
              b"to access this page.<P>Reference&#32;&#35;18&#46;5e1f2d17&#46;1733400000&#46;1a2b3c<P>https&#58;&#47;"
              b"&#47;errors&#46;edgesuite&#46;net&#47;18&#46;5e1f2d17&#46;1733400000&#46;1a2b3c</P></BODY></HTML>",
     None, "challenge", "Akamai"),
    # The same without its Reference line: it was "no article in the page … a listing, tag or section page?".
    (200, {}, AKAMAI_DENIED, None, "challenge", "Akamai"),
    (403, {}, AKAMAI_DENIED, None, "challenge", "Akamai"),
    (403, {}, b'<html><body><div id="px-captcha"></div></body></html>', None, "challenge", "HUMAN (PerimeterX)"),
    (403, {"x-datadome": "protected"}, b"<html><body></body></html>", None, "challenge", "DataDome"),
    (200, {}, b"<html><body><iframe src='https://geo.captcha-delivery.com/captcha/'></iframe></body></html>", None,
     "challenge", "DataDome"),
    (405, {"x-amzn-waf-action": "captcha"}, b"", None, "challenge", "AWS WAF"),
    # F5 BIG-IP's block page, at 200 as F5 serves it by default (it was "no article in the page", final) or at 403.
    (200, {}, F5_REJECTED, None, "challenge", "F5 BIG-IP"),
    (403, {}, F5_REJECTED, None, "challenge", "F5 BIG-IP"),
    (401, {"Content-Type": "application/json"}, b'{"error":"invalid JWT token","status":401}', None, "consent",
     "NHK ONE"),
    (200, {}, b"<html><head><title>Before you continue</title></head><body><form><button>Accept all</button>"
              b"</form></body></html>", None, "consent", "consent page"),
    (200, {}, b"<html><body>x</body></html>", "https://consent.yahoo.com/v2/collectConsent?sessionId=1", "consent",
     "consent.yahoo.com"),
    (200, {}, "<html><head><title>ログイン</title></head><body><form><input type='password'></form></body></html>"
     .encode(), None, "login", "login form"),
    (200, {}, b"<html><body>x</body></html>", "https://id.example.jp/login?next=/articles/1", "login", "id.example.jp"),
    # Rails' (Devise) and PHP member systems' login addresses: the page, titled by the site's name, was an empty shell.
    (200, {}, b"<html><body>x</body></html>", "https://www.example.jp/users/sign_in?return_to=%2Farticles%2F1", "login",
     "www.example.jp"),
    (200, {}, b"<html><body>x</body></html>", "https://www.example.jp/member/login_form.php?ref=1", "login",
     "www.example.jp"),
    # A password field whose type a minifier left unquoted.
    (200, {}, "<html><head><title>ログイン</title></head><body><form><input type=password name=pw></form></body></html>"
     .encode(), None, "login", "login form"),
    (200, {}, b"<html><head><title>Security check</title></head><body><form><div class='g-recaptcha'></div></form>"
              b"</body></html>", None, "challenge", "captcha"),
])
def test_walls_are_recognised(status, headers, body, url, kind, vendor):
    wall = detect_wall(status, headers, body, url)
    assert wall is not None and (wall.kind, wall.vendor) == (kind, vendor)
    assert wall.code == f"wall_{kind}" and wall.reason


# Older outlets' member and check pages still come in Shift_JIS or EUC-JP; their titles were read as
# UTF-8, so "ログイン" was mojibake and the login page went on as an empty page ("no text").
LEGACY_WALLS = [
    ("<title>会員ログイン｜毎朝新聞</title>", "<form action='/login'><input type='password' name='pw'></form>", "login"),
    ("<title>アクセス確認</title>", "<form><div class='g-recaptcha'></div></form>", "challenge"),
    ("<title>ご利用にあたって</title>", "<p>クッキーの利用に同意してください。</p><form><button>同意する</button></form>",
     "consent"),
]


@pytest.mark.parametrize("codec,declared", [("cp932", "meta"), ("cp932", "http"), ("euc-jp", "meta")])
@pytest.mark.parametrize("title,body,kind", LEGACY_WALLS, ids=[k for _, _, k in LEGACY_WALLS])
def test_walls_in_a_legacy_japanese_codec_are_recognised(codec, declared, title, body, kind):
    label = {"cp932": "Shift_JIS", "euc-jp": "EUC-JP"}[codec]
    meta = f"<meta http-equiv='Content-Type' content='text/html; charset={label}'>" if declared == "meta" else ""
    page = f"<html><head>{meta}{title}</head><body>{body}</body></html>".encode(codec)
    headers = {"Content-Type": f"text/html; charset={label}"} if declared == "http" else {}
    wall = detect_wall(200, headers, page)
    assert wall is not None and wall.kind == kind
    # Its reason quotes the title as the page shows it.
    assert title[7:-8].split("｜")[0] in wall.reason


def test_a_login_page_in_the_sites_template_is_one_where_a_redirect_sent_the_article():
    # Its menus and rankings make it no small page, which detect_wall must let pass (an article about a login has the
    # site's login box in its header too): sent on to it, a members' article was "taken down", then gone.
    ranking = "<ol>" + "".join(f"<li><a href='/articles/{n}'>市営バスの路線再編をめぐり住民説明会で意見相次ぐ 第{n}報</a></li>"
                               for n in range(60)) + "</ol>"
    page = outlet_page("ログイン | 毎朝新聞", "<h1>ログイン</h1><form method=post><input type=email name=id>"
                       f"<input type=password name=pw><button>ログインする</button></form>{ranking}")
    assert detect_wall(200, {}, page) is None
    wall = login_page(200, page)
    assert wall is not None and wall.code == "wall_login"
    assert "ログイン | 毎朝新聞" in wall.reason and "`cookies`" in wall.reason
    # A page with a login box whose title says no login (an article, a section) is none.
    header_box = outlet_page("市営バス路線再編 | 毎朝新聞", "<form><input type='password' name='pw'></form>" + ranking)
    assert login_page(200, header_box) is None and login_page(200, article_html(1).encode()) is None


#: The header every page of a site carries: a login drop-down, minified (its type unquoted), hidden until clicked.
HEADER_LOGIN = ("<header><a href=/>毎朝新聞</a><nav><a href=/politics/>政治</a></nav><div class=login-menu hidden>"
                "<form action=/member/ method=post><input type=email name=id><input type=password name=pw>"
                "<button>ログイン</button></form></div></header>")
RANKING = "<ol>" + "".join(f"<li><a href='/articles/{n}'>市営バスの路線再編をめぐり住民説明会で意見相次ぐ 第{n}報</a></li>"
                           for n in range(60)) + "</ol>"


def _site_page(title: str, main: str, extra: str = "", header: str = HEADER_LOGIN) -> bytes:
    return (f"<!DOCTYPE html><html lang=ja><head><meta charset=utf-8><title>{title}</title></head><body>{header}"
            f"<main>{main}</main>{extra}<footer>毎朝新聞</footer></body></html>").encode()


@pytest.mark.parametrize("page", [
    # The top page an article taken down is sent to, its title naming the members' login, its header the box.
    _site_page("毎朝新聞デジタル｜ニュース速報・会員ログイン", RANKING),
    # The same box shown in the header, not hidden; and in a closed dialog.
    _site_page("毎朝新聞デジタル｜ニュース速報・会員ログイン", RANKING, header=HEADER_LOGIN.replace(" hidden", "")),
    _site_page("毎朝新聞デジタル｜会員ログイン", RANKING, "<dialog id=login><form><input type=password></form></dialog>",
               header=""),
    # A login modal a script draws, or a <template> holds, and a field whose type only begins with "password".
    _site_page("毎朝新聞デジタル｜会員ログイン", RANKING, "<script>var m = '<form><input name=\"pw\" type = \"password\">"
               "</form>';</script>", header=""),
    _site_page("毎朝新聞デジタル｜会員ログイン", RANKING, "<template><form><input type=password></form></template>",
               header=""),
    _site_page("ログイン履歴の確認方法 | 毎朝新聞", RANKING + "<input type=password-hint readonly value='8文字以上'>", header=""),
    # English titles name a login in words of their own: "Design", "Signing", "Blog index" do not.
    _site_page("Design Insights | Maiasa", RANKING + "<div class=side><form><input type=password></form></div>",
               header=""),
    _site_page("Signing ceremony for trade pact | Maiasa", RANKING + "<div class=side><input type=password></div>",
               header=""),
], ids=["top-page", "shown-header", "dialog", "script", "template", "password-hint", "design", "signing"])
def test_a_page_whose_only_password_field_it_does_not_show_as_its_own_is_no_login_page(page):
    # Each was a login page where a redirect sent an article (login_page): a members' article behind a login,
    # "put your session cookie in `cookies`", tried again for ever, where it was taken down or moved.
    assert login_page(200, page) is None


def test_an_article_with_the_sites_login_drop_down_is_an_article_wherever_it_is():
    # A short article about a game's login bonus, in the site's template whose header holds the login drop-down
    # (minified, its type unquoted): a login page by its title and that field, never stored.
    story = article_html(4, "ゲーム各社、ログインボーナス競争が過熱").replace(
        '<header><nav><a href="/">トップ</a></nav></header>', HEADER_LOGIN).encode()
    assert detect_wall(200, {}, story) is None and login_page(200, story) is None
    # Its login page, in the same template: one, the field its content.
    page = _site_page("ログイン | 毎朝新聞", "<h1>ログイン</h1><form method=post><input type=email name=id>"
                      "<input type=password name=pw><button>ログインする</button></form>" + RANKING)
    assert login_page(200, page) is not None
    assert detect_wall(200, {}, _site_page("ログイン | 毎朝新聞", "<form><input type=password></form>")).kind == "login"
    # An article whose own address names a login bonus; login pages' addresses still are walls.
    assert url_wall("https://www.maiasa.example/games/login_bonus.html") is None
    assert url_wall("https://www.maiasa.example/tag/login_campaign/") is None
    assert url_wall("https://www.maiasa.example/member/login_check.php?ref=1") is not None


@pytest.mark.parametrize("page", [
    "<p>県の公式サイトが4日夜から閲覧しにくい。アクセスすると「The requested URL was rejected. Please consult with your "
    "administrator.」と表示される。</p><p>県は外部からの大量の通信を防御装置が遮断しているとみている。</p>",
    "<p>市はIT相談窓口を開いた。英語表示の画面では「Your support ID is」に続く番号が示され、それを伝えれば記録を確認できる。"
    "</p><p>窓口は平日の午前9時から午後5時まで。</p>",
    "<p>Residents trying to reach the city's site on Monday met a page reading \"The requested URL was rejected. "
    "Please consult with your administrator. Your support ID is\" followed by a long number.</p>",
], ids=["attack", "desk", "english"])
def test_a_short_story_quoting_f5s_block_page_is_an_article_not_a_wall(page):
    # F5's markers counted on any small page at 200: each brief was a bot challenge, never stored, and three in a
    # row held back the outlet's other articles for the run. Its own page prints the request's ID.
    story = f"<html><head><title>県のサイト閲覧できず｜毎朝新聞</title></head><body><h1>県のサイト閲覧できず</h1>{page}</body></html>"
    assert detect_wall(200, {}, story.encode()) is None
    wall = detect_wall(200, {}, F5_REJECTED.replace(b"Request Rejected", b"Error"))
    assert wall is not None and wall.vendor == "F5 BIG-IP"


def test_vendor_sensors_on_an_ordinary_page_are_not_a_wall():
    page = article_html(1).replace("</body>", "<script>window._pxAppId='PX1';</script>"
                                   "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></body>")
    assert detect_wall(200, {"x-datadome": "protected", "Server": "AkamaiGHost"}, page.encode() * 3) is None
    # An ordinary error is an error, not a wall.
    assert detect_wall(404, {"Server": "AkamaiGHost"}, b"<h1>Not Found</h1>") is None
    assert detect_wall(403, {"Server": "Apache"}, b"<h1>Forbidden</h1><p>You don't have permission to access "
                                                  b"this resource.</p>") is None
    # Apache's 403 of the old wording, and a short story headlined "Access Denied" that quotes the words.
    assert detect_wall(403, {}, b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You "
                                b"don't have permission to access /x.html on this server.</p></body></html>") is None
    story = ("<html><head><title>Access Denied｜毎朝新聞</title></head><body><h1>Access Denied</h1><p>省庁のサイトが"
             "「You don't have permission to access」とだけ表示し、閲覧できない状態が続いている。</p></body></html>")
    assert detect_wall(200, {}, story.encode()) is None
    # Titled by its headline alone, as many sites title a page: Akamai's quoted URL "on this server" is not in it.
    for title, quoted in (("Access Denied", "You don't have permission to access this server."),
                          ("Access Denied", "you don&#39;t have permission to access")):
        brief = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>Ticket buyers met a page "
                 f"that said \"{quoted}\" for two hours on Monday; its CDN was to blame.</p></body></html>")
        assert detect_wall(200, {}, brief.encode()) is None, quoted
    assert url_wall("https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html") is None
    # A comment form's CAPTCHA on a short blog post is not a check page.
    assert detect_wall(200, {}, b"<html><head><title>My day | Blog</title></head><body><p>short post</p>"
                                b"<form><div class='g-recaptcha'></div></form></body></html>") is None



#: Akamai's page when the origin answered nothing (its "Reference #" line and errors.edgesuite.net URL, entity-escaped).
AKAMAI_ZERO_SIZE = (b"<HTML><HEAD><TITLE>Service Unavailable</TITLE></HEAD><BODY><H1>Service Unavailable - Zero size "
                    b"object</H1>The server is temporarily unable to service your request.  Please try again later."
                    b"<P>Reference&#32;&#35;15&#46;5e1f2d17&#46;1733400000&#46;1a2b3c</P><P>https&#58;&#47;&#47;errors"
                    b"&#46;edgesuite&#46;net&#47;15&#46;5e1f2d17&#46;1733400000&#46;1a2b3c</P></BODY></HTML>")
#: Cloudflare's page when the origin did not answer in time (its error details block, as its 1020 denial has).
CLOUDFLARE_522 = (b'<!DOCTYPE html><html class="no-js" lang="en-US"><head><title>www.example.jp | 522: Connection '
                  b'timed out</title></head><body><div id="cf-wrapper"><div id="cf-error-details" class="p-0">'
                  b'<header><h1><span class="inline-block">Connection timed out</span> <span class="code-label">'
                  b'Error code 522</span></h1></header><p>The initial connection between Cloudflare\'s network and '
                  b"the origin web server timed out.</p></div></div></body></html>")


def test_a_cdns_page_for_its_origins_failure_is_an_outage_not_a_wall():
    # The outlet's server down behind its CDN: "an Akamai bot challenge (HTTP 503)", "a Cloudflare bot challenge
    # (HTTP 522)", the outlet "blocked" with a hint to change the User-Agent or cookies.
    assert detect_wall(503, {"Server": "AkamaiGHost"}, AKAMAI_ZERO_SIZE) is None
    timeout = b"<HTML><HEAD><TITLE>Gateway Timeout</TITLE></HEAD><BODY><H1>Gateway Timeout</H1>Reference&#32;&#35;97"
    assert detect_wall(504, {"Server": "AkamaiGHost"}, timeout + b"</BODY></HTML>") is None
    assert detect_wall(522, {"Server": "cloudflare"}, CLOUDFLARE_522) is None
    assert detect_wall(502, {"Server": "cloudflare"},
                       CLOUDFLARE_522.replace(b"522: Connection timed out", b"502: Bad gateway")) is None
    # Their challenges and denials, at 503 too, are walls still.
    assert detect_wall(503, {"Server": "cloudflare"}, CHALLENGE).vendor == "Cloudflare"
    assert detect_wall(503, {"cf-mitigated": "challenge"},
                       CLOUDFLARE_522.replace(b"522: Connection timed out", b"503: Service temporarily unavailable")
                       ).vendor == "Cloudflare"
    assert detect_wall(503, {"Server": "AkamaiGHost"}, b"<html><body><div id='sec-if-cpt-container'></div></body>"
                                                       b"</html>").vendor == "Akamai"
    assert detect_wall(403, {"Server": "AkamaiGHost"}, AKAMAI_DENIED).vendor == "Akamai"
    # A challenge's own markers count under such a title; the vendor's error-page markup and headers do not.
    unavailable = b"<html><head><title>503 Service Unavailable</title></head><body>%s</body></html>"
    assert detect_wall(503, {"x-datadome": "protected"}, unavailable % b"<script src='https://ct.captcha-delivery.com/"
                                                                     b"c.js'></script>").vendor == "DataDome"
    assert detect_wall(503, {"Server": "AkamaiGHost"}, unavailable % b"<div id='sec-if-cpt-container'></div><p>"
                                                                      b"errors.edgesuite.net</p>").vendor == "Akamai"
    assert detect_wall(503, {"x-iinfo": "1-2-3"}, unavailable % b"Incapsula incident ID: 123000-456") is None

# -- a CMP's consent form in the site's full template (EU visitors') ---------------------------------

def in_mainichi_template(title: str, main: str, metadata: bool = False) -> bytes:
    """A saved Mainichi page with ``main`` in place of its article: its menus, rankings and footer
    around it; without its article's metadata (JSON-LD, article:published_time) unless ``metadata``."""
    import re

    text = saved_bytes("scrapping-webs/mainichi-test_article_1.html").decode()
    text = re.sub(r"(<article[^>]*>).*?(</article>)", lambda m: m.group(1) + main + m.group(2), text, count=1,
                  flags=re.S)
    text = re.sub(r"<title>.*?</title>", f"<title>{title}</title>", text, count=1, flags=re.S)
    if not metadata:
        text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", text, flags=re.S)
        text = re.sub(r'<meta (?!charset|name="viewport"|property="og:(?:type|site_name)")[^>]*>', "", text)
    return text.encode()


def cmp_form(cmp: str, text: str = COOKIE_PURPOSES) -> str:
    start, end = CMP_MARKUP[cmp]
    return f"{start}<h2>Cookieの利用について</h2>{text}{end}"


@pytest.mark.parametrize("cmp", sorted(CMP_MARKUP))
def test_a_consent_form_in_the_sites_full_template_is_a_consent_wall(cmp):
    # Over the small page a consent page was told by: stored as the outlet's article, its cookies
    # text for text, and every other article URL its duplicate.
    for body in (consent_screen_html(cmp), in_mainichi_template("Cookieの利用に関する同意 - 毎日新聞", cmp_form(cmp))):
        assert visible_chars(body, SMALL_PAGE_CHARS) >= SMALL_PAGE_CHARS
        wall = detect_wall(200, {}, body)
        assert wall is not None and (wall.kind, wall.vendor) == ("consent", cmp), wall
        assert "consent page" in wall.reason and "Cookieの利用に関する同意" in wall.reason


ARTICLE_MAIN = re.search(r"<article[^>]*>(.*?)</article>", saved_bytes(
    "scrapping-webs/mainichi-test_article_1.html").decode(), re.S).group(1)


@pytest.mark.parametrize("title, main, metadata", [
    # An article (its headline says 同意) with a CMP's banner beside it, its own metadata kept.
    ("不同意性交罪で起訴 - 毎日新聞", ARTICLE_MAIN + cmp_form("OneTrust"), True),
    # ... without metadata (a site that carries none): its text outweighs the banner's.
    ("不同意性交罪で起訴 - 毎日新聞", ARTICLE_MAIN + cmp_form("Didomi"), False),
    # A brief on the cookie rules beside a banner of a few lines.
    ("Cookie規制、同意の取り方に指針 - 毎日新聞", "<h1>Cookie規制、同意の取り方に指針</h1><p>個人情報保護委員会は、Cookieの"
     "利用に利用者の同意を求める際の指針案をまとめた。</p>" + cmp_form(
         "OneTrust", "<p>当サイトではCookieを使用します。詳しくはプライバシーポリシーをご覧ください。</p>"), False),
    # A privacy policy article about consent (its own long text, no CMP's form): as before.
    ("プライバシーポリシーへの同意について - 毎日新聞", "<h1>プライバシーポリシー</h1>" + COOKIE_PURPOSES * 2, False),
])
def test_an_article_beside_a_consent_banner_or_about_consent_is_no_wall(title, main, metadata):
    assert detect_wall(200, {}, in_mainichi_template(title, main, metadata)) is None


AGREES_BRIEF = ("<p>防衛相は10日、来日した国防長官と会談し、反撃能力の運用をめぐり情報共有の枠組みを具体化することで"
                "同意した。安保3文書の改定後、初の会談となった。</p>")


def small_page(title: str, main: str, extra: str = "") -> bytes:
    return (f"<html><head><meta charset=utf-8><title>{title}</title>{extra}</head><body><header><form action=/search>"
            f"<input name=q><button>検索</button></form></header>{main}<footer>毎朝新聞社</footer></body></html>").encode()


@pytest.mark.parametrize("headline", [
    "日米防衛相、反撃能力の運用で協力に同意", "知事が再稼働に同意へ", "地元同意ないまま着工", "与党、防衛費の財源案に同意せず",
    "日英首脳、円滑化協定の早期締結で同意した", "不同意性交罪で起訴", "11月以降LINEが使えなくなる？“同意画面スルー”に要注意",
    "首相、野党の同意取り付けへ"])
def test_a_brief_whose_headline_says_doui_is_no_consent_wall(headline):
    # 同意 is a story's word as often as a consent page's: a brief small enough, with the site's search form, was a
    # consent wall, the article lost; so was the same brief beside a CMP's banner, in a template without metadata.
    title = f"{headline} | 毎朝新聞"
    main = f"<h1>{headline}</h1>{AGREES_BRIEF}"
    assert visible_chars(small_page(title, main), SMALL_PAGE_CHARS) < SMALL_PAGE_CHARS
    assert detect_wall(200, {}, small_page(title, main)) is None
    for cmp in ("OneTrust", "Didomi"):
        assert detect_wall(200, {}, small_page(title, main + cmp_form(cmp))) is None
        assert detect_wall(200, {}, in_mainichi_template(title, main + cmp_form(cmp), False)) is None


@pytest.mark.parametrize("title", ["同意", "同意確認 | 毎朝新聞", "ご同意のお願い", "Cookieの利用に同意 | 毎朝新聞",
                                   "利用規約への同意", "個人情報の取り扱いに関する同意", "ご利用にあたって（同意のお願い）"])
def test_a_small_page_titled_as_a_consent_is_a_consent_wall(title):
    wall = detect_wall(200, {}, small_page(title, "<p>続けるには同意してください。</p><button>同意する</button>"))
    assert wall is not None and wall.kind == "consent", title


SMALL_REAL_ARTICLES = ["scrapping-webs/sankei-test_article_1.html", "java-extractarticle/000011-yomiuri.html",
                       "scrapping-webs/nhk-test_article_5.html", "fundus-jp/SankeiShimbun_2025_01_21.html"]


@pytest.mark.parametrize("relpath", SMALL_REAL_ARTICLES)
@pytest.mark.parametrize("headline", ["北朝鮮の弾道ミサイル発射を確認", "反撃能力の運用、日米が手順を確認", "日米防衛相、協力に同意",
                                      "Japan verifies the missile launch", "同意書偽造で職員処分"])
def test_a_real_small_article_titled_with_a_walls_word_is_no_wall(relpath, headline):
    # These outlets' article pages show little text of their own (a script draws it): small as a wall's page is. With
    # a comment form's reCAPTCHA or a consent button, one titled with a check's or a consent's word was that wall.
    page = saved_bytes(relpath)
    assert visible_chars(page, SMALL_PAGE_CHARS) < SMALL_PAGE_CHARS
    page = re.sub(rb"<title[^>]*>.*?</title>", f"<title>{headline} | 毎朝新聞</title>".encode(), page, count=1, flags=re.S)
    widgets = ('<form action="/comments" method="post"><div class="g-recaptcha" data-sitekey="k"></div>'
               '<button>同意して投稿する</button></form>').encode()
    page = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + widgets, page, count=1, flags=re.I)
    assert b"g-recaptcha" in page[:65536]
    assert detect_wall(200, {}, page) is None


# What a vendor puts in every page of a site it guards, an article's too (its sensor, its SDK).
SENSORS = {
    "Imperva (Incapsula)": '<script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"></script>',
    "HUMAN (PerimeterX)": '<script>window._pxAppId = "PXa1b2c3d4";</script>',
    "AWS WAF": '<script src="https://a1b2.token.awswaf.com/a1b2/c3d4/challenge.js"></script>',
}


@pytest.mark.parametrize("relpath", SMALL_REAL_ARTICLES)
@pytest.mark.parametrize("vendor", sorted(SENSORS))
def test_a_real_small_article_with_a_vendors_sensor_is_no_wall_unless_refused(relpath, vendor):
    # Each was "a … bot challenge (HTTP 200)": every article of an outlet whose pages carry the sensor lost, and the
    # outlet blocked. Served with a refusal's status, the same page is the vendor's wall still.
    page = re.sub(rb"(<head[^>]*>)", lambda m: m.group(1) + SENSORS[vendor].encode(), saved_bytes(relpath), count=1,
                  flags=re.I)
    assert detect_wall(200, {}, page) is None
    wall = detect_wall(403, {}, page)
    assert wall is not None and wall.vendor == vendor


@pytest.mark.parametrize("relpath", SMALL_REAL_ARTICLES)
@pytest.mark.parametrize("vendor, marker", [
    ("Cloudflare", "<script>window._cf_chl_opt = {cvId: '3', cType: 'managed'};</script>"),
    ("HUMAN (PerimeterX)", '<div id="px-captcha"></div><script>window._pxAppId = "PXa1b2c3d4";</script>'),
    ("Imperva (Incapsula)", "<iframe>Request unsuccessful. Incapsula incident ID: 1234-5678</iframe>"),
    # DataDome's sensor is js.datadome.co's tags.js (no signature reads it); captcha-delivery.com is its captcha's.
    ("DataDome", '<script src="https://ct.captcha-delivery.com/c.js"></script>'
                 '<iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA"></iframe>')])
def test_a_challenges_own_marker_is_a_wall_whatever_metadata_the_page_keeps(relpath, vendor, marker):
    # Only a vendor's sensor, on every page it guards, is an article's too: its challenge's own markup is none.
    page = re.sub(rb"(<head[^>]*>)", lambda m: m.group(1) + marker.encode(), saved_bytes(relpath), count=1, flags=re.I)
    wall = detect_wall(200, {}, page)
    assert wall is not None and wall.vendor == vendor


def test_a_small_page_with_an_articles_metadata_is_no_consent_page_whatever_its_title():
    # A headline no rule reads as one (同意書 is a consent form's name too): its page's metadata says it is the story.
    meta = '<meta property="article:published_time" content="2026-12-06T09:00:00+09:00">'
    title, main = "同意書偽造、職員を処分 | 毎朝新聞", f"<h1>同意書偽造、職員を処分</h1>{AGREES_BRIEF}"
    assert detect_wall(200, {}, small_page(title, main, meta)) is None
    assert detect_wall(200, {}, small_page(title, main)) is not None


@pytest.mark.parametrize("title", ["同意して続ける | 毎朝新聞", "同意する | 毎朝新聞", "利用同意 | 毎朝新聞", "外部送信同意",
                                   "ご利用には同意が必要です", "データ利用への同意をお願いします", "位置情報の利用に同意する"])
def test_a_consent_page_whose_title_reads_as_a_headline_is_told_by_its_consent_button(title):
    # Read as a headline's 同意 (同意して, 利用同意, 同意が, 同意を, に同意), each consent page was stored as the article.
    wall = detect_wall(200, {}, small_page(title, "<p>続けるには同意してください。</p><button>同意する</button>"))
    assert wall is not None and wall.kind == "consent", title


@pytest.mark.parametrize("headline", ["日米防衛相、反撃能力の運用で協力に同意", "不同意性交罪で起訴", "地元同意ないまま着工"])
@pytest.mark.parametrize("beside", [
    cmp_form("OneTrust", "<p>当サイトではCookieを使用します。詳しくはプライバシーポリシーをご覧ください。</p>"),
    cmp_form("Didomi", "<p>当サイトではCookieを使用します。</p>"),
    '<div class="cookie-banner"><p>当サイトではCookieを使用します。</p><button>同意する</button></div>',
    '<form action="/comments" method="post"><textarea name="c"></textarea><button>規約に同意して投稿する</button></form>'])
def test_a_brief_whose_headline_says_doui_beside_a_short_banners_consent_button_is_no_consent_wall(headline, beside):
    # A CMP's banner of a few lines (not its >1,000 characters of purposes, which made the page no small one), the
    # site's own cookie notice, a comment form: each has a button that consents, and the brief was a consent page.
    title = f"{headline} | 毎朝新聞"
    page = small_page(title, f"<h1>{headline}</h1>{AGREES_BRIEF}{beside}")
    assert visible_chars(page, SMALL_PAGE_CHARS) < SMALL_PAGE_CHARS
    assert detect_wall(200, {}, page) is None, title


@pytest.mark.parametrize("headline", ["同意なき性交、処罰対象に", "同意の有無が争点", "「同意」なく撮影、男を逮捕", "同意できず 協議は決裂",
                                      "同意年齢引き上げ", "同意取り付け急ぐ", "同意求める声", "LINEヤフー、個人情報の提供に同意せず",
                                      "利用規約に同意した覚えない", "外部送信の同意、義務化へ検討"])
def test_more_headlines_saying_doui_are_no_consent_wall(headline):
    title = f"{headline} | 毎朝新聞"
    assert detect_wall(200, {}, small_page(title, f"<h1>{headline}</h1>{AGREES_BRIEF}")) is None, title


def test_no_saved_real_page_is_taken_for_a_wall():
    with open(SAVED / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) > 150
    walls = {r["local_file"]: detect_wall(200, {}, saved_bytes(r["local_file"]), r["original_url_if_known"] or None)
             for r in rows}
    assert {k: v for k, v in walls.items() if v} == {}


def test_no_saved_real_page_with_a_password_field_is_a_login_page_whatever_its_title():
    # The real pages with a password field carry it in their header, a modal ("modal fade") or a hidden drawer: sent
    # on to such a page titled with a login word (a top page's "…｜会員ログイン"), an article was behind a login.
    import re

    with open(SAVED / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        pages = [saved_bytes(r["local_file"]) for r in csv.DictReader(f, delimiter="\t")]
    fields = [p for p in pages if re.search(rb"<input[^>]*\stype\s*=\s*[\"']?password[\"'\s>]", p[:65536], re.I)]
    assert len(fields) >= 4
    for page in fields:
        retitled = re.sub(rb"<title[^>]*>.*?</title>", "<title>ログイン | 毎朝新聞</title>".encode(), page, count=1,
                          flags=re.S | re.I)
        assert login_page(200, retitled) is None and detect_wall(200, {}, retitled) is None


# -- walls a page states in words: a login it asks for, an age it asks ----------------------------

def outlet_page(title: str, main: str, og_type: str = "website") -> bytes:
    """A page in an outlet's template: a header with its menus and a login link, as outlets
    carry on every page, articles included."""
    header = ('<header><a href="/">毎朝新聞</a><nav>' + "".join(f'<a href="/{s}/">{n}</a>' for s, n in (
        ("politics", "政治"), ("economy", "経済"), ("world", "国際"), ("society", "社会"), ("sports", "スポーツ")))
        + '</nav><a href="https://id.maiasa.example/login?next=/">ログイン</a><a href="/signup">会員登録</a></header>')
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="{og_type}"></head><body>{header}<main>{main}</main>'
            '<footer><p>記事・写真・図表などの無断転載を禁じます。著作権は当社またはその情報提供者に帰属します。</p></footer>'
            '</body></html>').encode()


ASKING = {
    "members-only": (outlet_page("会員限定記事 | 毎朝新聞", "<h1>会員限定記事</h1><p>この記事は会員限定です。ログインしてください。"
                                                     '</p><p><a href="/login">ログイン</a> <a href="/signup">会員登録（無料）'
                                                     "</a></p>"),
                     "login", "この記事は会員限定です"),
    "log-in-to-read-on": (outlet_page("毎朝新聞", "<div class='gate'><p>続きを読むにはログインが必要です。</p>"
                                                  "<button type='button'>ログイン</button></div>"),
                          "login", "続きを読むにはログインが必要です"),
    "english": (outlet_page("Members only | Maiasa", "<h1>Members only</h1><p>Please sign in to continue reading."
                                                      "</p><a class='btn' href='/account/'>Sign in</a>"),
                "login", "Please sign in to continue reading"),
    "age-gate": (outlet_page("年齢確認 | 毎朝新聞", "<h1>年齢確認</h1><p>このページには18歳未満の方の閲覧に適さない内容が"
                                               "含まれています。あなたは18歳以上ですか？</p><a href='/?age=yes'>はい</a> "
                                               "<a href='/'>いいえ</a>"),
                 "age", "あなたは18歳以上ですか"),
    "age-gate-article-template": (outlet_page("年齢確認 | 毎朝新聞", "<h1>年齢確認</h1><p>このページには18歳未満の方の閲覧に"
                                                                "適さない内容が含まれています。あなたは18歳以上ですか？</p>"
                                                                "<a href='/?age=yes'>はい</a> <a href='/'>いいえ</a>",
                                              og_type="article"),
                                  "age", "あなたは18歳以上ですか"),
    "age-gate-english": (outlet_page("Age verification", "<h1>Age verification</h1><p>This page contains content "
                                                         "for adults only. Are you 18 or older?</p><button>Yes"
                                                         "</button><button>No</button>"),
                         "age", "Are you 18 or older"),
}


@pytest.mark.parametrize("name", sorted(ASKING))
def test_a_page_that_asks_for_a_login_or_an_age_in_place_of_its_article_is_a_wall(name):
    # Before: `not_article` ("a listing, tag or section page?", final) or `wall_empty`, or the
    # age gate stored as the outlet's article; never tried with the session or the answer it asks.
    from crawler.extract import extract_article
    from crawler.outcome import no_article_problem

    body, kind, words = ASKING[name]
    assert extract_article(body, "https://www.maiasa.example/articles/1") is None
    problem = no_article_problem(body)
    assert problem.code == f"wall_{kind}"
    # Its reason quotes the page and says what opens it.
    assert f"「{words}" in problem.reason and "`cookies`" in problem.reason


LAW = ["政府は、オンラインサービスの利用者に年齢確認を義務づける法案の概要をまとめた。",
       "対象は交流サイトや動画配信で、18歳未満の利用者には保護者の同意を求める。事業者には本人確認書類や"
       "クレジットカードによる確認を求め、違反した場合は是正命令を出せるようにする。",
       "事業者の団体は「ログインのたびに確認を求められれば利用者が離れる」として、段階的な導入を求めている。",
       "政府は来年の通常国会への提出を目指し、年齢確認の方法について有識者会議で議論を続ける。"]


@pytest.mark.parametrize("body", [
    # An article about age-verification law, with the outlet's login link in its header.
    outlet_page("SNSに年齢確認義務づけへ | 毎朝新聞", "<article><h1>SNSに年齢確認義務づけへ</h1>"
                + "".join(f"<p>{p}</p>" for p in LAW) + "</article>", og_type="article"),
    # A short flash whose headline reports a login requirement: news, not a request to the reader.
    outlet_page("【速報】大手SNS、閲覧にログインが必要に | 毎朝新聞", "<article><h1>【速報】大手SNS、閲覧にログインが必要に"
                "</h1><p>大手SNSは1日、投稿の閲覧にログインを必要とする仕様に変更した。</p></article>", og_type="article"),
    # A flash that quotes what a site asked its users: quoted, they are the story's words.
    outlet_page("市のサイトに障害 | 毎朝新聞", "<article><h1>市のサイトに障害</h1><p>市の予約サイトで1日、"
                "「ログインしてください」と繰り返し表示され、予約できない障害が起きた。はい、いいえの選択肢も出なかった。"
                "</p></article>", og_type="article"),
    # A film review saying who may see the film: a line of an article, with no question to answer.
    outlet_page("映画評 | 毎朝新聞", "<article><h1>映画評「夜の港」</h1><p>港町を舞台にした群像劇。この作品は18歳未満の"
                "方はご覧になれません。監督は3年ぶりの新作で、撮影は全編を地元で行った。</p></article>", og_type="article"),
], ids=["age-law", "login-flash", "quoted-login", "age-line"])
def test_an_article_that_speaks_of_logins_or_ages_is_an_article(body):
    from crawler.extract import extract_article

    assert extract_article(body, "https://www.maiasa.example/articles/1") is not None


def test_a_listing_with_a_login_link_or_a_members_box_stays_a_page_without_an_article():
    from crawler.outcome import no_article_problem

    items = "".join(f'<li><a href="/articles/{n}">市営バスの路線再編、住民説明会で意見相次ぐ 第{n}報</a></li>'
                    for n in range(12))
    box = "<aside><p>この機能は会員限定です。ログインしてください。</p><a href='/login'>ログイン</a></aside>"
    for main in (f"<h1>社会</h1><ul>{items}</ul>", f"<h1>社会</h1><ul>{items}</ul>{box}"):
        assert no_article_problem(outlet_page("社会 | 毎朝新聞", main)).code == "not_article"


# -- a region's refusal: the machine's location is the wall ------------------------------------------
# Yahoo! JAPAN serves the EEA and the UK no page (2022-04); some sites serve Japan only, and American
# ones answer Europe with 451. Before, such a page at 200 was an "empty shell" or "a listing page?",
# the 451 an HTTP error like any other, and a Japan-only page in an article's template was stored as
# the outlet's article: nothing said that the crawl's location was what stood in the way.
REGION = {
    "japan-only": (outlet_page("ご利用いただけません | 毎朝新聞", "<h1>ご利用いただけません</h1><p>申し訳ございません。"
                                                          "このサービスは日本国内でのみご利用いただけます。</p>"),
                   "このサービスは日本国内でのみご利用いただけます"),
    "eea": ("<html><head><meta charset='utf-8'><title>Yahoo! JAPAN</title></head><body><header><a href='/'>Yahoo! "
            "JAPAN</a></header><p>Yahoo! JAPANは、欧州経済領域（EEA）およびイギリスからご利用いただけなくなりました。</p>"
            "<p><a href='/help'>詳しくはこちら</a></p></body></html>".encode(),
            "Yahoo! JAPANは、欧州経済領域（EEA）およびイギリスからご利用いただけなくなりました"),
    "english-region": (b"<html><head><title>Not available</title></head><body><h1>Sorry</h1><p>This content is not "
                       b"available in your region.</p></body></html>", "This content is not available in your region"),
    # Read as a short article by the generic extractor, before.
    "europe": (b"<html><head><title>Unavailable</title></head><body><p>Unfortunately, our website is currently "
               b"unavailable in most European countries. We are engaged on the issue and committed to looking at "
               b"options that support our full range of digital offerings to the EU market.</p></body></html>",
               "Unfortunately, our website is currently unavailable in most European countries"),
}


@pytest.mark.parametrize("name", sorted(REGION))
def test_a_page_that_refuses_this_machines_region_is_a_wall(name):
    from crawler.extract import extract_article
    from crawler.outcome import no_article_problem

    body, words = REGION[name]
    assert extract_article(body, "https://www.maiasa.example/articles/1") is None
    problem = no_article_problem(body)
    assert problem.code == "wall_geo"
    # It quotes the page and says what opens it.
    assert f"「{words}」" in problem.reason and "`https_proxy`" in problem.reason
    # Served with 403, it is the same wall (an error status is no page to extract).
    wall = detect_wall(403, {}, body)
    assert wall is not None and wall.code == "wall_geo" and words in wall.reason


def test_a_451_is_a_region_or_legal_wall_whatever_its_server():
    wall = detect_wall(451, {"Server": "cloudflare"}, b"<html><body><h1>451</h1></body></html>")
    assert wall is not None and wall.code == "wall_geo" and "Unavailable For Legal Reasons" in wall.reason
    page, words = REGION["europe"]
    assert words in detect_wall(451, {"Content-Type": "text/html"}, page).reason


@pytest.mark.parametrize("body", [
    # An outage notice names foreign access and refuses nobody.
    "<html><head><title>お知らせ</title></head><body><p>海外からのアクセスが集中し、つながりにくくなっています。</p></body></html>",
    # A story quoting a site's block.
    "<html><head><title>x</title></head><body><p>同社のサイトには「日本国内でのみご利用いただけます」と表示される。</p></body></html>",
], ids=["outage", "quoted"])
def test_a_page_that_names_regions_refuses_none(body):
    from crawler.outcome import no_article_problem

    assert no_article_problem(body.encode()).code != "wall_geo"
    assert detect_wall(403, {}, body.encode()) is None


def test_a_dated_flash_about_a_region_block_is_an_article():
    from crawler.extract import extract_article

    flash = outlet_page("ヤフー、欧州で利用不可に | 毎朝新聞",
                        "<article><h1>ヤフー、欧州で利用不可に</h1><time datetime='2022-02-01T18:00:00+09:00'>2022年2月1日"
                        "</time><p>Yahoo! JAPANは欧州経済領域（EEA）およびイギリスからご利用いただけなくなりました。4月6日から。</p>"
                        "</article>", og_type="article").replace(
        b"</head>", b"<meta property='article:published_time' content='2022-02-01T18:00:00+09:00'></head>")
    article = extract_article(flash, "https://www.maiasa.example/articles/2")
    assert article is not None and "欧州経済領域" in " ".join(article.paragraphs)


@pytest.mark.parametrize("html, body", [(' class="js flexbox cookies"', ""), ("", ' class="home cookies-not-set"'),
                                        ("", ' id="top" class="has-banner"')])
def test_a_consent_page_whose_html_or_body_is_named_for_cookies_or_a_banner_is_still_one(html, body):
    # Modernizr's "cookies" on <html>, a WordPress cookie plugin's "cookies-not-set" on <body>: every button was in
    # a "cookie" element, and a consent page whose title reads as a headline (利用同意) was stored as the article.
    page = (f"<html{html}><head><meta charset=utf-8><title>利用同意</title></head><body{body}><main><p>ご利用を続けるには"
            f"同意してください。</p><form method=post><button>同意する</button></form></main></body></html>").encode()
    wall = detect_wall(200, {}, page)
    assert wall is not None and wall.kind == "consent"
