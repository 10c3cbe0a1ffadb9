"""Walls: what stands where an article should be (bot challenges, consent pages, logins).

A wall is neither an article nor a page without one: storing it as either would lose the
article silently (PRIOR_ART.md: a bot wall recorded as nothing). ``detect_wall`` says whether a
response is one, from its status, a few headers and the first bytes of its body; the URL is
then ``blocked`` (``storage.frontier``), tried again later with backoff, and the outlet's health
says so. newsmon does not try to get past a wall (README: "When an outlet is blocked").

Signatures are facts about the walls' own markup and headers, as documented by their vendors
and seen in public projects that detect them (see each entry's note); they are data, so a new
wall is one more entry. Pure functions: no Scrapy, no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

#: How much of the body is searched: walls put their markers in the head or near the top.
SCAN_BYTES = 65536


@dataclass(frozen=True)
class Wall:
    """``kind``: challenge, consent, login, age or empty; ``vendor``: who put it there, if known."""

    kind: str
    vendor: str
    reason: str

    @property
    def code(self) -> str:
        return f"wall_{self.kind}"


@dataclass(frozen=True)
class _Signature:
    kind: str
    vendor: str
    #: Lower-case header name → lower-case substring of its value: only on a wall, never on a page.
    proof: tuple[tuple[str, str], ...] = ()
    #: Headers (name, value substring; "" = present) that every response of a site behind the
    #: vendor carries: they count only with an error status (SUSPECT_STATUSES).
    headers: tuple[tuple[str, str], ...] = ()
    #: Body markers (lower-case bytes), some of which also appear on ordinary pages (sensor
    #: scripts): they count only with an error status or on a page with little text.
    markers: tuple[bytes, ...] = ()
    #: The wall's own markup where its template prints what no story does (a request's ID): with it, the markers
    #: count on a small page at a 200; without it, only with an error status. A short story quoting the words a
    #: reader met (an attack's brief, a support desk's) is an article.
    shape: re.Pattern[bytes] | None = None
    #: Markers of the vendor's error-page template, which its pages for the origin's failure carry as its denials do:
    #: on a 5xx titled as such a failure (``_ORIGIN_FAILED``) they count no more than its headers.
    errors: tuple[bytes, ...] = ()
    #: Markers of what the vendor puts in every page of a site it guards (its sensor, its SDK): on a page with an
    #: article's metadata, at a 200, they are the story's page; a challenge's own markers count there still.
    sensors: tuple[bytes, ...] = ()
    note: str = ""


SIGNATURES: tuple[_Signature, ...] = (
    _Signature(
        "challenge", "Cloudflare",
        proof=(("cf-mitigated", "challenge"),),
        markers=(b"<title>just a moment...</title>", b"cf_chl_opt", b"cf-browser-verification",
                 b"attention required! | cloudflare", b'id="cf-error-details"', b"challenge-error-text"),
        errors=(b'id="cf-error-details"',),
        note="Cloudflare's managed challenge: title 'Just a moment...', window._cf_chl_opt, 'Enable JavaScript and "
             "cookies to continue' (#challenge-error-text); block pages carry #cf-error-details; the "
             "cf-mitigated: challenge header (Cloudflare docs, 'Detect a Challenge Page response'). Not "
             "/cdn-cgi/challenge-platform/ alone: Cloudflare injects it into ordinary pages too.",
    ),
    _Signature(
        "challenge", "Akamai",
        headers=(("server", "akamaighost"),),
        # Its denial page writes the reference URL entity-escaped ("https&#58;&#47;&#47;errors&#46;edgesuite&#46;net
        # &#47;18&#46;…"), as it writes the denied URL: the plain name alone never matched that page.
        markers=(b"errors.edgesuite.net", b"errors&#46;edgesuite&#46;net", b"sec-if-cpt-container", b"bm-verify"),
        errors=(b"errors.edgesuite.net", b"errors&#46;edgesuite&#46;net"),
        note="Akamai edge denials ('Access Denied … Reference #', errors.edgesuite.net, Server: AkamaiGHost) "
             "and Bot Manager's sec-if-cpt / bm-verify interstitials.",
    ),
    _Signature(
        "challenge", "HUMAN (PerimeterX)",
        markers=(b"px-captcha", b"captcha.px-cdn.net", b"_pxappid"),
        sensors=(b"_pxappid",),
        note="HUMAN/PerimeterX 'Press & Hold' captcha (#px-captcha, px-cdn.net); its _pxAppId sensor is on "
             "ordinary pages too, hence suspect responses only.",
    ),
    _Signature(
        "challenge", "DataDome",
        headers=(("x-datadome", ""), ("x-dd-b", "")),
        # Not a sensor: its tag on every page is js.datadome.co's tags.js; (geo.|ct.)captcha-delivery.com is its
        # challenge's (the captcha's iframe, its c.js), on a page with an article's metadata a wall still.
        markers=(b"captcha-delivery.com",),
        note="DataDome: captcha served from (geo.)captcha-delivery.com; the x-datadome header is on every "
             "response of a protected site.",
    ),
    _Signature(
        "challenge", "Imperva (Incapsula)",
        headers=(("x-iinfo", ""), ("x-cdn", "incapsula")),
        markers=(b"_incapsula_resource", b"incapsula incident id"),
        sensors=(b"_incapsula_resource",),
        errors=(b"incapsula incident id",),
        note="Imperva/Incapsula: 'Incapsula incident ID', _Incapsula_Resource; x-iinfo on every response.",
    ),
    _Signature(
        "challenge", "AWS WAF",
        proof=(("x-amzn-waf-action", ""),),
        markers=(b"awswafintegration", b"token.awswaf.com"),
        sensors=(b"awswafintegration", b"token.awswaf.com"),
        note="AWS WAF challenge/captcha actions set x-amzn-waf-action (AWS WAF docs).",
    ),
    _Signature(
        "challenge", "Sucuri",
        proof=(("x-sucuri-block", ""),),
        markers=(b"sucuri website firewall",),
    ),
    _Signature(
        "challenge", "F5 BIG-IP",
        markers=(b"the requested url was rejected. please consult with your administrator", b"your support id is"),
        # The ID its template prints (<%TS.request.ID()%>), a 64-bit number: a brief quoting the page (県のサイトに
        # 「The requested URL was rejected…」と表示) or a desk's "Your support ID is" was a bot challenge, not stored.
        shape=re.compile(rb"your support id is\s*:?\s*(?:<[^>]*>\s*)*\d{10,20}\b"),
        note="F5 BIG-IP ASM / Advanced WAF's default blocking page: title 'Request Rejected', 'The requested URL was "
             "rejected. Please consult with your administrator. Your support ID is: <%TS.request.ID()%>' (F5 docs, "
             "'Configuring what happens if a request is blocked'), served with HTTP 200 by its default response "
             "headers: every article read 'no article in the page', final at the second look, and the outlet "
             "'degraded'. Its other default pages carry the support ID line too.",
    ),
    _Signature(
        "consent", "NHK ONE",
        markers=(b"jwt token",),
        note="news.web.nhk answers a fetch without NHK ONE's consent cookie with a 401 JSON error naming "
             "the JWT token (seen in public NHK RSS scrapers' recovery code, 2025-2026).",
    ),
)

#: Statuses a wall comes with when it is not a 200.
SUSPECT_STATUSES = (401, 403, 407, 429, 451, 503)
#: Below this many visible characters a 200 page is small enough for a wall's markers to count.
SMALL_PAGE_CHARS = 1500

_CAPTCHA = (b"g-recaptcha", b"h-captcha", b"hcaptcha.com/1/api.js", b"cf-turnstile", b"captcha")
# A CAPTCHA widget is on many ordinary pages too (comment forms): only a page whose title says
# it is a check is a wall.
_CHECK_TITLE = re.compile(r"captcha|robot|verif|human|security check|access denied|blocked|"
                          r"認証|確認|ロボット|アクセス(?:が)?(?:制限|拒否)", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_TITLE_TEXT = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_CONSENT_TITLE = re.compile(r"同意|consent|cookie|before you continue|プライバシー|ご利用にあたって", re.I)
# 同意 is a headline's word as often as a consent page's: after a particle, a mark or a noun (…で協力に同意, 知事が同意へ,
# 地元同意, 不同意性交罪), quoted (“同意画面スルー”に要注意) or as a story uses it (同意せず, 同意なき, 同意取り付け,
# 同意の有無), it is what a story reports. A brief so titled, small or beside a CMP's banner, was a consent wall, the
# article lost. Such a title still names a consent page when it also says what is consented to (Cookieの利用に同意,
# 利用規約に同意), unless a story's verb says what happened to it (個人情報の提供に同意せず); a small page that a
# headline's reading leaves (利用同意, 同意が必要です) is one where a control that consents is its own (``_agree_shown``).
_HEADLINE_AGREES = re.compile(r"[にでがとはもへ、,，・「『“\u4e00-\u9fff]同意|同意(?:せ|し[なた]|すべ|得|な[くしいき]|へ|を|が|案"
                             r"|見送|拒|でき|求|取|撤|年齢|の(?:有無|上で)|[、,，])")
_HEADLINE_VERB = re.compile(r"同意(?:せ|し[なた]|へ|求|見送|拒|なき|でき)")
#: A button or a submit that consents (同意する, 同意して続ける, Accept, I agree), read in the lower-cased head.
_AGREE_CONTROL = re.compile(rb"<button\b[^>]*>(?:\s|<(?!/button)[^>]*>)*[^<]{0,20}"
                            rb"(?:\xe5\x90\x8c\xe6\x84\x8f|agree|accept)"
                            rb"|<input\b[^>]*\btype\s*=\s*[\"']?submit[^>]*\bvalue\s*=\s*[\"']?[^\"'>]{0,20}"
                            rb"(?:\xe5\x90\x8c\xe6\x84\x8f|agree|accept)")
_CONSENTED_TO = re.compile(r"consent|cookie|クッキー|before you continue|プライバシー|ご利用にあたって|規約|ポリシー|個人情報",
                           re.I)
# Whole words in English ("Design Insights", "Signing ceremony", "Blog index" name no login), next to Japanese too.
_LOGIN_TITLE = re.compile(r"ログイン|ログオン|会員登録|(?<![a-z])(?:sign|log)[ -]?ins?(?![a-z])", re.I)
# Rails' Devise signs in at /users/sign_in, PHP member systems at /member/login_form.php: each was an empty shell
# (a bot wall, holding back the outlet's other articles) or a page the article was "taken down" to. After "login_",
# only the words a login page's address uses: an article at /games/login_bonus.html was a login wall by its URL.
_LOGIN_PATH = re.compile(r"/(?:login(?:_(?:form|page|input|check|entry|top|index))?|log-in|log_in|signin|sign-in"
                         r"|sign_in|sso|auth|oauth2?|account/login|member/login)(?:/|\.|\?|$)", re.I)
#: A password field, its type quoted or not (minified pages drop the quotes), and no "password-hint"; read in a
#: lower-cased head, and only a first look: ``_password_shown`` says whether the page shows it.
_PASSWORD = re.compile(rb"""<input[^>]*\stype\s*=\s*["']?password(?=["'\s/>])""")
#: Where a password field is none the page shows as its own: the site's header, menus, footer and asides (the login
#: drop-down every page of a site carries, an article's too), markup a script draws from (<template>, <noscript>;
#: a script's strings are no elements), a closed <dialog>.
_UNSHOWN = frozenset({"header", "nav", "footer", "aside", "template", "noscript", "script", "dialog"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: Classes a page's hidden-until-clicked boxes carry (Bootstrap's and their like): the saved real pages' password
#: fields are in a "modal fade", a "popup … hidden" drawer.
_UNSHOWN_CLASSES = frozenset({"modal", "popup", "dropdown", "dropdown-menu", "drawer", "offcanvas", "hidden", "d-none",
                              "is-hidden"})
#: Akamai's edge denial as its template writes it: title and heading "Access Denied", then "You don't
#: have permission to access "URL" on this server." A copy without the "Reference #18.…" line after
#: it (and so without the errors.edgesuite.net URL, a marker above), served with a 200, was stored
#: as "no article in the page: a listing, tag or section page?", by the crawl and the ingest alike.
#: Apache's 403 says the same words under the title "403 Forbidden": an error, not a wall. The
#: quoted URL and "on this server" too: a short story titled so (a film's review, an outage's
#: brief) that quotes the words a reader saw was a bot wall, its article never stored.
_DENIED_TITLE = "access denied"
_DENIED = re.compile(rb"you don(?:'|&#39;|&#x27;|&rsquo;|\xe2\x80\x99)t have permission to access\s*(?:\"|&quot;)"
                     rb"[^\"<>]{1,2048}?(?:\"|&quot;)\s*on this server")
#: The titles of CDNs' pages for their origin's failure (Akamai's "Service Unavailable", "Gateway Timeout"; Cloudflare's
#: "host | 522: Connection timed out" and the rest of its 5xx): the site is down, not walled.
_ORIGIN_FAILED = re.compile(r"\b(?:service (?:temporarily )?unavailable|bad gateway|gateway time-?out|internal server "
                            r"error|origin is unreachable|web server is (?:down|returning an unknown error)|connection "
                            r"timed out|a timeout occurred|ssl handshake failed|invalid ssl certificate"
                            r"|railgun error)\b", re.I)
_CONSENT_HOST = re.compile(r"^(?:consent|guce|cmp)\.", re.I)
_CONSENT_PATH = re.compile(r"/(?:consent|cookie-consent|collectconsent)(?:/|\.|\?|$)", re.I)
_TAGS = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]+>", re.I | re.S)


def visible_chars(body: bytes, enough: int) -> int:
    """Non-space characters outside tags, scripts and styles in the first ``SCAN_BYTES``; counting
    stops once there are ``enough`` (an article page is known not to be small within its first
    few KB of text, not after stripping all 64 KB)."""
    data = body[:SCAN_BYTES]
    count = last = 0
    for tag in _TAGS.finditer(data):
        count += len(b"".join(data[last:tag.start()].split()))
        if count >= enough:
            return count
        last = tag.end()
    return count + len(b"".join(data[last:].split()))


def _title(body: bytes, content_type: str = "") -> str:
    found = _TITLE.search(body[:SCAN_BYTES])
    if found is None:
        return ""
    try:
        title = found.group(1).decode("utf-8")
    except UnicodeDecodeError:
        # A Shift_JIS or EUC-JP page: read as UTF-8, "ログイン" in its title was mojibake, and a
        # login or check page of an outlet that still serves those was taken for an empty page.
        # The page's own codec, found as the extractor finds it; rare enough to decode the head.
        from .encoding import charset_of, decode_html

        text = decode_html(body[:SCAN_BYTES], charset_of(content_type))[0]
        again = _TITLE_TEXT.search(text)
        title = again.group(1) if again else found.group(1).decode("utf-8", "replace")
    return " ".join(title.split())[:120]


def detect_wall(status: int, headers: Mapping[str, str], body: bytes, url: str | None = None) -> Wall | None:
    """The wall this response is, or ``None`` for an ordinary page (or an ordinary error).

    Args:
        status: the HTTP status.
        headers: response headers, names in any case.
        body: the (decompressed) body; only the first ``SCAN_BYTES`` are read.
        url: the URL finally served (after redirects): a login or consent host or path there is
            a wall even when the page itself says little.
    """
    lower = {k.lower(): (v or "").lower() for k, v in headers.items()}
    if status == 451:
        # Before the vendors: a CDN's server header on a legal refusal is no bot challenge.
        return _refusal(status, body, lower.get("content-type", ""))
    head = body[:SCAN_BYTES].lower()
    is_small: bool | None = None

    def small() -> bool:
        # Counting the visible text costs ~1.5 ms on an outlet's page (scripts and styles first):
        # done only once a marker or the title makes the page's size matter, rarely on an article.
        nonlocal is_small
        if is_small is None:
            is_small = visible_chars(body, SMALL_PAGE_CHARS) < SMALL_PAGE_CHARS
        return is_small

    told: bool | None = None

    def no_story() -> bool:
        # An article's own metadata says the page is the story, however little text it shows: real outlets' article
        # pages are often small (Sankei's, Yomiuri's, NHK's show 200-900 characters of their own; a script draws the
        # rest), and beside a vendor's sensor on every page of a site (``_Signature.sensors``: Incapsula's resource
        # script, HUMAN's _pxAppId, AWS WAF's SDK), or titled with a check's word beside a comment form's
        # reCAPTCHA, each was a bot challenge: the article lost and its outlet blocked.
        nonlocal told
        if told is None:
            told = _ARTICLE_META.search(head) is not None
        return not told

    def has(pairs: tuple[tuple[str, str], ...]) -> bool:
        return any(name in lower and value in lower[name] for name, value in pairs)

    title = _title(body, lower.get("content-type", ""))
    # A CDN's own page for its origin's failure carries the vendor's header and error-page markup as its denials do:
    # an Akamai "Service Unavailable - Zero size object", a Cloudflare "522: Connection timed out" was a bot challenge,
    # the outlet "blocked" with a hint to change the User-Agent, while its server was down. There, only a challenge's
    # own markers count (a Bot Manager interstitial, a captcha served at a 503 so titled).
    failed = status >= 500 and _ORIGIN_FAILED.search(title)
    for sig in SIGNATURES:
        markers = [m for m in sig.markers if m not in sig.errors] if failed else sig.markers
        by_header = status in SUSPECT_STATUSES and not failed and has(sig.headers)
        seen = [m for m in markers if m in head]
        if has(sig.proof) or by_header or (seen and (status in SUSPECT_STATUSES or (
                (no_story() or not set(seen) <= set(sig.sensors)) and small()
                and (sig.shape is None or sig.shape.search(head))))):
            return Wall(sig.kind, sig.vendor, f"{_a(sig.vendor)} {sig.vendor} {_KIND_TEXT[sig.kind]} (HTTP {status})")
    found = url_wall(url) if url else None
    if found is not None:
        return found
    if title.lower() == _DENIED_TITLE and _DENIED.search(head) and no_story() and small():
        return Wall("challenge", "Akamai", f"an Akamai bot challenge (HTTP {status}: its \"Access Denied\" page)")
    # The title first: it is a few words, the head is 64 KB to search (a page's hot path).
    if _CHECK_TITLE.search(title) and any(m in head for m in _CAPTCHA) and b"<form" in head and no_story() and small():
        return Wall("challenge", "captcha", f"a CAPTCHA page (HTTP {status}, title {title!r})")
    if (_LOGIN_TITLE.search(title) and _PASSWORD.search(head) and small()
            and _password_shown(body, lower.get("content-type", ""))):
        return _login_form(status, title)
    consent = _consent_title(title)
    if (consent or (consent is None and _AGREE_CONTROL.search(head))) and (b"<form" in head or b"<button" in head) \
            and no_story() and small() and (consent or _agree_shown(body, lower.get("content-type", ""))):
        return Wall("consent", "consent page", f"a consent page (HTTP {status}, title {title!r})")
    if consent and (vendor := consent_screen(body, lower.get("content-type", ""))) is not None:
        return Wall("consent", vendor, f"{_a(vendor)} {vendor} consent page (HTTP {status}, title {title!r}): its "
                                       "consent form is the page's content, in the site's template")
    if status == 403 and small():
        return _refusal(status, body, lower.get("content-type", ""))
    return None


def _consent_title(title: str) -> bool | None:
    """Whether a page's title names a consent page: 同意 in a headline's sense (``_HEADLINE_AGREES``) does not, unless
    the title also says what is consented to, and never with a story's verb (``_HEADLINE_VERB``). ``None``: only
    the headline's reading of its 同意 says no, which a consent control on the page overrules."""
    if _CONSENT_TITLE.search(title) is None or _HEADLINE_VERB.search(title):
        return False
    if _CONSENTED_TO.search(title) is not None or _HEADLINE_AGREES.search(title) is None:
        return True
    return None


def _a(vendor: str) -> str:
    """The article a vendor's name is read with: "an AWS WAF", "an F5 BIG-IP", "a HUMAN", "a Cloudflare"."""
    return "an" if vendor.startswith(("Akamai", "AWS", "F5", "Imperva", "NHK")) else "a"


# -- a consent screen in the site's full template ----------------------------------------------------
# What EU visitors get from some outlets: the site's header, menus, rankings and footer around a
# consent management platform's form and its cookies text (a thousand characters and more), over
# the small page a consent page is told by above; a privacy article is as long, hence the limit.
# Stored, it was the outlet's "article", and every other article URL its duplicate. Told by the
# CMP's own form as most of what the page shows, with no article's metadata.

#: The CMPs' consent UI, as an element's id or class (their CSS, inline on many ordinary pages,
#: names them too, and their scripts are on every page of a site that uses them: neither counts).
_CMP_UI = re.compile(
    r"\b(onetrust-(?:consent-sdk|banner-sdk|pc-sdk|accept-btn-handler|policy-text)"
    r"|truste(?:-consent-(?:track|content|button)|_box_overlay)|didomi-(?:notice|popup|host)"
    r"|qc-cmp2-(?:container|ui|summary-info)|fc-(?:consent-root|dialog-container|cta-consent)|sp_message_container"
    r"|cybotcookiebotdialog)\b", re.I)
_CMP_ATTR = re.compile(rb"""\b(?:id|class)\s*=\s*["']?[^"'>]*?(?:onetrust-|truste|didomi-|qc-cmp2-|fc-consent"""
                       rb"""|fc-dialog|sp_message_container|cybotcookiebotdialog)""", re.I)
_CMP_VENDORS = (("onetrust", "OneTrust"), ("truste", "TrustArc"), ("didomi", "Didomi"), ("qc-cmp2", "Quantcast"),
                ("fc-", "Google Funding Choices"), ("sp_message", "Sourcepoint"), ("cybotcookiebot", "Cookiebot"))
#: An article's own metadata: a page that carries it is the article, whatever banner it also shows.
_ARTICLE_META = re.compile(rb"""["']@type["']\s*:\s*["'](?:News|Reportage|Analysis|Opinion|Report|Blog)?"""
                           rb"""(?:Article|Posting)["']|["']articleBody["']"""
                           rb"""|property\s*=\s*["']article:published_time""", re.I)


#: The text a consent screen's form shows at least (its purposes, its partners): a banner beside an
#: article says a few lines (300 characters), the screen in place of one a legal text.
CONSENT_TEXT_CHARS = 500


def consent_screen(body: bytes, content_type: str = "") -> str | None:
    """The CMP (OneTrust, TrustArc, Didomi, Quantcast, Google Funding Choices, Sourcepoint, Cookiebot)
    whose consent form is a page's content, whatever its size: the form's text is a consent
    screen's (``CONSENT_TEXT_CHARS``) and two thirds of the page's own (``own_text``: outside its
    menus, header, footer, links and buttons), and the page carries no article's metadata (JSON-LD
    Article, articleBody, article:published_time). ``None`` for an article with a consent banner
    beside it, or a page without one. Asked of a page titled as a consent (``detect_wall``): parsed
    only when a CMP's element is in it."""
    if _CMP_ATTR.search(body) is None or _ARTICLE_META.search(body) is not None:
        return None
    tree = _tree(body, content_type, limit=None)
    if tree is None:
        return None
    forms = [e for e in tree.iter() if isinstance(e.tag, str)
             and _CMP_UI.search(f"{e.get('id') or ''} {e.get('class') or ''}")]
    outer = [e for e in forms if not any(a in forms for a in e.iterancestors())]
    if not outer:
        return None

    def chars(lines: list[str]) -> int:
        return sum(len("".join(line.split())) for line in lines)

    inside = sum(chars(own_text_of(e)) for e in outer)
    if inside < CONSENT_TEXT_CHARS or inside < 2 * (chars(own_text(tree)) - inside):
        return None
    name = f"{outer[0].get('id') or ''} {outer[0].get('class') or ''}".lower()
    return next((vendor for mark, vendor in _CMP_VENDORS if mark in name), "consent management platform")


def _login_form(status: int, title: str) -> Wall:
    return Wall("login", "login form", f"a login page (HTTP {status}, title {title!r}){LOGIN_HINT}")


def login_page(status: int, body: bytes, content_type: str = "") -> Wall | None:
    """A login page of any size: titled as one, with a password field it shows (``_password_shown``). Asked only of
    the page a redirect sent an article's URL on to, at no article's address (``pipelines``): there a login page in
    the site's full template (menus, rankings, footer) is a members' article's gate. ``detect_wall`` takes small
    pages only, as it must tell a login page from an article about a login with a login box in its header; such a
    page passed it, and the URL ended ``redirected_away``, "taken down", then ``gone``. The top page an article
    taken down is sent to, with the site's login drop-down in its header, is none."""
    if not _PASSWORD.search(body[:SCAN_BYTES].lower()):
        return None
    title = _title(body, content_type)
    if not _LOGIN_TITLE.search(title) or not _password_shown(body, content_type):
        return None
    return _login_form(status, title)


def _password_shown(body: bytes, content_type: str = "") -> bool:
    """Whether the page shows a password field as its own, outside ``_UNSHOWN`` and hidden elements. A login page's
    form is its content; a page whose only password field is the site's header drop-down, or a modal a script
    draws, is a top page, a section or an article (``_PASSWORD`` found each, and each was a login wall)."""
    tree = _tree(body, content_type)
    if tree is None:
        return False
    for field in tree.iter("input"):
        if (field.get("type") or "").strip().lower() != "password":
            continue
        if not any(_unshown(el) for el in (field, *field.iterancestors())):
            return True
    return False


#: Where a consenting button is no consent page's own: a banner's or a CMP's beside the story (its cookie notice), a
#: form to write in (a comment's "同意して投稿する"), or what ``_unshown`` says the page does not show.
_BESIDE = re.compile(r"cookie|banner", re.I)
_AGREE_WORD = re.compile(r"同意|agree|accept", re.I)


def _agree_shown(body: bytes, content_type: str = "") -> bool:
    """Whether a button or a submit that consents (``_AGREE_CONTROL``) is the page's own: asked only where the title
    reads its 同意 as a headline's. A brief so titled, small, beside a CMP's or the site's cookie banner (同意する) or
    over a comment form (同意して投稿する), was a consent page, the article lost."""
    tree = _tree(body, content_type)
    if tree is None:
        return False
    for control in tree.iter("button", "input"):
        if control.tag == "input":
            if (control.get("type") or "").strip().lower() != "submit":
                continue
            text = control.get("value") or ""
        else:
            text = " ".join(control.itertext())
        text = " ".join(text.split())
        if len(text) > 40 or not _AGREE_WORD.search(text):
            continue
        chain = (control, *control.iterancestors())
        if any(_unshown(el) for el in chain):
            continue
        # Not <html>'s or <body>'s names: they are the page's, not a box's beside it (Modernizr's "cookies",
        # WordPress cookie plugins' "cookies-not-set", a theme's "has-banner").
        if any(_CMP_UI.search(f"{el.get('id') or ''} {el.get('class') or ''}")
               or _BESIDE.search(f"{el.get('id') or ''} {el.get('class') or ''}")
               for el in chain if el.tag not in ("html", "body")):
            continue
        form = next((el for el in chain if el.tag == "form"), None)
        if form is not None and next(form.iter("textarea"), None) is not None:
            continue
        return True
    return False


def _unshown(el) -> bool:
    if el.tag in _UNSHOWN and not (el.tag == "dialog" and el.get("open") is not None):
        return True
    return (el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true"
            or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
            or not _UNSHOWN_CLASSES.isdisjoint((el.get("class") or "").lower().split()))


def url_wall(url: str) -> Wall | None:
    """A wall known by where a redirect leads: a consent host or path, a login path.

    Checked on every redirect hop, before scope: a redirect to ``consent.yahoo.com`` is a wall
    to report, not merely an off-domain link to refuse.
    """
    parts = urlsplit(url)
    if _CONSENT_HOST.match(parts.hostname or "") or _CONSENT_PATH.search(parts.path or ""):
        return Wall("consent", parts.hostname or "", f"redirected to a consent page: {url[:160]}")
    if _LOGIN_PATH.search(parts.path or ""):
        return Wall("login", parts.hostname or "", f"redirected to a login page: {url[:160]}{LOGIN_HINT}")
    return None


_KIND_TEXT = {"challenge": "bot challenge", "consent": "consent wall", "login": "login wall"}
#: What opens a login or an age gate, said in its reason: newsmon neither logs in nor answers,
#: but sends an outlet's ``cookies`` (``middlewares.OutletCookiesMiddleware``), as for a consent.
LOGIN_HINT = ("; newsmon does not log in: if you may read the outlet's members' articles, put your session cookie "
              "in the outlet's `cookies` (README: When an outlet is blocked or broken)")
AGE_HINT = ("; newsmon answers no such question: the cookie a browser keeps once you answer it, in the outlet's "
            "`cookies`, opens it (README: When an outlet is blocked or broken)")

#: The codes of the walls a page states in words (``asked_wall``), found once extraction found
#: no article (``outcome.no_article_problem``), where the other walls are found before.
ASKED_CODES = ("wall_login", "wall_age")
#: Every wall a page states in words (``stated_wall``): those it asks, and a region's refusal
#: (``geo``), which is no one article's gate but the whole outlet's, as a bot challenge is.
STATED_CODES = (*ASKED_CODES, "wall_geo")

# -- walls a page states in words ------------------------------------------------------------------
# A page that asks for a login with no password form on it (the form is a click away, on the
# outlet's ID site), or asks the reader's age before its content: no bot's verdict, and no page
# without an article either. Read where extraction found no article (``outcome``): a paywall's
# teaser, its lead read, is an article, however it ends; and by extraction where it read no text,
# for a page that asks for a login under its article's headline is that article's teaser.

#: A request to the reader, in the form a wall makes it: "ログインしてください", "続きを読むには
#: ログインが必要です", "この記事は会員限定です". A headline reporting a login ("閲覧にログインが必要に")
#: makes none, and a story quoting one quotes it (「…」).
_LOGIN_ASK = re.compile(
    r"ログイン(?:して(?:ください|下さい|から|いただ|ご覧|お読み)|が必要(?:です|となります|になります)|すると|後に|の上)"
    r"|(?:この|本|当)(?:記事|ページ|コンテンツ)は、?(?:有料|読者|無料|プレミアム)?会員(?:限定|専用|様限定|の方のみ)"
    r"|(?i:(?:please )?(?:log ?in|sign ?in) to (?:continue|read|view|access|see|keep reading)"
    r"|you (?:must|need to|have to) (?:be )?(?:log(?:ged)? ?in|sign(?:ed)? ?in)"
    r"|(?:this|the) (?:article|story|content|page) is (?:only )?(?:available )?(?:to|for) (?:registered )?"
    r"(?:members|subscribers))")
#: A question of the reader's age before the content: 年齢確認, "あなたは18歳以上ですか", "Are you
#: 18 or older?". An article stating an age limit ("18歳未満の方はご覧になれません") asks none.
_AGE_ASK = re.compile(
    r"年齢(?:確認|認証)|(?:18|20|１８|２０)歳以上(?:ですか|の方|です[かね]?)"
    r"|(?i:age verification|verify your age|are you (?:over |at least )?(?:18|21)\b|(?:18|21) or older\?)")
#: A way to answer: a link or button that logs in, or says yes or no to the question (the whole
#: of its words: "No.1" or "戻る" is a page's link, no answer).
_LOGIN_CHOICE = re.compile(r"ログイン|ログオン|サインイン|(?i:\blog ?in\b|\bsign ?in\b)")
_AGE_CHOICE = re.compile(r"(?:はい|いいえ|(?i:yes|no|enter|exit|leave))(?:[、,！!].{0,20})?|入る|入場する|退出する"
                         r"|.{0,10}\d+歳(?:以上|未満)です.{0,10}|(?i:i am|i'm) (?:18|21|over (?:18|21))\b.{0,20}")
#: A membership's pitch around the ask ("会員登録（無料）すると…", "Subscribe for…"): part of the wall.
_PITCH = re.compile(r"会員|登録|購読|ログイン|無料|有料|プラン|年齢|歳(?:以上|未満)"
                    r"|(?i:\b(?:members?(?:hip)?|subscri\w*|sign(?:ed)? ?(?:in|up)|log ?in|accounts?|regist\w*"
                    r"|adults?)\b)")
#: Text a page shows besides its headings, its ask and its pitch, above which it is a page with
#: content of its own (a listing's, an article's), not a wall: an article's lead runs longer.
WALL_TEXT_CHARS = 100
# A full stop ends a sentence before a space only: "No.1", "3.5%" go on.
_SENTENCE = re.compile(r"(?:[^。！？!?.]|\.(?!\s|$))+[。！？!?.]?")
_CHROME = frozenset({"nav", "header", "footer", "aside", "a", "button", "select", "script", "style", "noscript",
                     "template"})
_HEADINGS = "//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"


def asked_wall(tree, status: int = 200) -> Wall | None:
    """The wall a parsed page is by its own words, or ``None``: a login it asks for in place of
    its article (``login``) or an age it asks before its content (``age``).

    The ask is a sentence of the page's own text (outside its menus, header, footer, links and
    buttons), not quoted; a link or button answers it (a login, a yes or no); and the page shows
    no more than ``WALL_TEXT_CHARS`` characters besides its headings and the wall's own words.
    The reason quotes the ask and says what opens the wall (``LOGIN_HINT``, ``AGE_HINT``).
    """
    own = own_text(tree)
    headings = {" ".join(h.text_content().split()) for h in tree.xpath(_HEADINGS)}
    # The question itself rather than a heading naming it ("年齢確認"), where the page has both.
    found = _first_ask([t for t in own if t not in headings]) or _first_ask([t for t in own if t in headings])
    if found is None:
        return None
    kind, words = found
    rest = sum(len("".join(s.split())) for t in own if t not in headings
               for s in _SENTENCE.findall(t) if not _PITCH.search(s) and not _AGE_ASK.search(s))
    if rest > WALL_TEXT_CHARS:
        return None
    choice = _LOGIN_CHOICE if kind == "login" else _AGE_CHOICE
    answers = (" ".join((el.text_content() if el.tag != "input" else el.get("value") or "").split())
               for el in tree.xpath("//a|//button|//input[@type='submit' or @type='button']"))
    hrefs = (el.get("href") or "" for el in tree.xpath("//a[@href]"))
    if not (any(choice.fullmatch(a) if kind == "age" else len(a) <= 30 and choice.search(a) for a in answers)
            or kind == "login" and any(_LOGIN_PATH.search(h.split("?")[0].split("#")[0]) for h in hrefs)):
        return None
    if kind == "login":
        return Wall("login", "login prompt", f"a login wall: the page reads 「{words}」 and no article (HTTP {status})"
                                             + LOGIN_HINT)
    return Wall("age", "age gate", f"an age gate: the page asks 「{words}」 before its content (HTTP {status})"
                                   + AGE_HINT)


# -- a region's refusal ------------------------------------------------------------------------------
# Yahoo! JAPAN serves the EEA and the UK no page since April 2022; some outlets serve video or
# their whole site in Japan only; American sites answer Europe with HTTP 451. A crawl on a cloud
# machine abroad met such a page where every article should be, and stored "an empty shell" or
# "a listing page?", telling nobody that the machine's location was the wall.

#: What a page says when it serves no one where this machine is: the statement, not a mention of
#: regions (an outage notice's "海外からのアクセスが集中" refuses nobody).
_GEO = re.compile(
    r"日本国内(?:から|で|に)?(?:のみ|限定)(?:で)?(?:の)?(?:ご利用|利用|ご覧|閲覧|視聴|アクセス|提供|配信|お楽しみ)"
    r"|(?:海外|日本国外|国外)(?:から|では|で|から(?:の|は))(?:の)?(?:アクセス|ご利用|利用|ご覧|閲覧|視聴|接続)"
    r"(?:は|を|が|に)?(?:できません|いただけません|頂けません|になれません|出来ません|制限|お断り|遮断|受け付けて(?:い|お)りません)"
    r"|(?:お住まい|ご利用|お客様|現在)の(?:国・?地域|地域|国)(?:から|では|で)は?(?:ご利用|利用|ご覧|閲覧|アクセス|視聴)"
    r"(?:いただけません|頂けません|できません|出来ません|になれません)"
    r"|欧州経済領域.{0,40}?(?:(?:ご利用|アクセス|閲覧)(?:いただけ|頂け)(?:ません|なくなりました)|利用できません)"
    r"|(?i:(?:not|isn[’']t) (?:currently )?(?:available|accessible) (?:in|from) your (?:country|region|location|area"
    r"|territory)|unavailable (?:in|from) your (?:country|region|location|area|territory)"
    r"|(?:is|are) (?:only )?available (?:only )?(?:in|to (?:users|visitors|readers|people) in) Japan\b"
    r"|(?:not available|unavailable|not accessible) (?:outside|from outside) (?:of )?Japan"
    r"|(?:currently )?(?:unavailable|not available) in (?:most )?(?:European countries|the (?:EEA|EU|UK|European "
    r"Economic Area|European Union|United Kingdom))|geo-?(?:blocked|restricted))")
#: What opens a region's wall: a machine where the outlet serves its pages.
GEO_HINT = ("; the outlet serves no page where this machine is: run newsmon on a machine in a region the outlet "
            "serves, or set `https_proxy` (and `http_proxy`) to a proxy there, which the crawl goes through (README: "
            "When an outlet is blocked or broken)")


def geo_wall(tree, status: int = 200) -> Wall | None:
    """The region's refusal a parsed page states in its own text (not quoted), or ``None``."""
    for text in own_text(tree):
        for sentence in _SENTENCE.findall(text):
            found = _GEO.search(sentence)
            if found is None:
                continue
            if _quoted(sentence[:found.start()]):
                continue  # a story about a site's block, not the site's
            # The whole line where it is one short sentence in Japanese: "Yahoo! JAPANは、…" is one
            # statement, not two.
            one = len(text) <= 80 and "。" not in text.rstrip("。")
            words = (text if one else sentence).strip(" 。.？?")[:80]
            return Wall("geo", "region", f"a region block: the page reads 「{words}」 (HTTP {status}){GEO_HINT}")
    return None


def stated_wall(tree, status: int = 200) -> Wall | None:
    """A wall a page without an article states in words: a region's refusal, a login or an age it
    asks (``asked_wall``)."""
    return geo_wall(tree, status) or asked_wall(tree, status)


def stated_region(status: int, body: bytes, content_type: str = "") -> Wall | None:
    """A page with little text that states a region's refusal (``geo_wall``), where a feed,
    sitemap or section page gave nothing: it was "not a feed" or "no article URLs", and the outlet
    broken for reasons nobody could act on. Asked only of a document that listed nothing: a feed
    item saying "この動画は日本国内でのみご覧いただけます" is no wall."""
    if visible_chars(body, SMALL_PAGE_CHARS) >= SMALL_PAGE_CHARS:
        return None
    return _region(status, body, content_type)


def _region(status: int, body: bytes, content_type: str) -> Wall | None:
    tree = _tree(body, content_type)
    return geo_wall(tree, status) if tree is not None else None


def _tree(body: bytes, content_type: str = "", *, limit: int | None = SCAN_BYTES):
    """The page parsed (its first ``limit`` bytes; ``None``: all of it), or ``None`` where it cannot be."""
    from .encoding import charset_of
    from .extract import parse_page

    return parse_page(body if limit is None else body[:limit], charset_of(content_type))


def _refusal(status: int, body: bytes, content_type: str) -> Wall | None:
    """A 403 or 451 whose page states a region's refusal; any 451 (Unavailable For Legal
    Reasons, how sites answer a region they do not serve) is one, said or not."""
    wall = _region(status, body, content_type)
    if wall is None and status == 451:
        wall = Wall("geo", "HTTP 451", "HTTP 451 Unavailable For Legal Reasons: the outlet refuses the page here, by "
                                       "law or by region" + GEO_HINT)
    return wall


#: A heading that is a wall's own and names no article: "会員限定記事", "ログイン", "Members only".
_WALL_HEADING = re.compile(
    r"(?:(?:有料|読者|プレミアム|無料)?会員(?:限定|専用)?(?:の)?(?:記事|コンテンツ|ページ)?|有料記事|ログイン(?:ページ)?|会員登録"
    r"|(?i:(?:members?|subscribers?)(?:[ -]only)?(?: (?:article|content|page))?|sign ?in|log ?in|premium content))")


def wall_heading(heading: str | None) -> bool:
    """Whether ``heading`` (a page's title, its site's name cut off) is a wall's and no article's:
    a login page in an article's template, whose headline is "会員限定記事" rather than the news."""
    return bool(heading and _WALL_HEADING.fullmatch(" ".join(heading.split()).strip(" 。.!！")))


def own_text(tree) -> list[str]:
    """The page's own text, a string a text node: what it shows outside its menus, header,
    footer, asides, links, buttons and scripts."""
    body = tree.find("body")
    return own_text_of(body) if body is not None else []


def own_text_of(element) -> list[str]:
    """``own_text`` of one element's subtree (its text, without its tail)."""
    out: list[str] = [element.text or ""]

    # A walk that skips those subtrees: an XPath that asks each text node for its ancestors took
    # 1.6 ms an outlet's page, this 0.3 ms.
    def walk(parent) -> None:
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _CHROME:
                out.append(child.text or "")
                walk(child)
            out.append(child.tail or "")

    walk(element)
    return [text for text in (" ".join(t.split()) for t in out) if text]


def states_region(text: str) -> bool:
    """Whether ``text`` says a region is refused (a cheap look before ``geo_wall`` parses a page)."""
    return _GEO.search(text) is not None


def asks_age(text: str) -> bool:
    """Whether ``text`` asks the reader's age (a cheap look before ``asked_wall`` parses a page)."""
    return _AGE_ASK.search(text) is not None


def _quoted(before: str) -> bool:
    """Whether what follows ``before`` in its sentence is inside quotes (「…」, “…”, "…")."""
    return before.count("「") > before.count("」") or before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _first_ask(texts: list[str]) -> tuple[str, str] | None:
    """``(kind, sentence)`` of the first sentence that asks for a login or an age, unquoted."""
    for text in texts:
        for sentence in _SENTENCE.findall(text):
            for kind, ask in (("login", _LOGIN_ASK), ("age", _AGE_ASK)):
                found = ask.search(sentence)
                if found is None:
                    continue
                if _quoted(sentence[:found.start()]):
                    continue  # a story's words about a site, not the site's
                return kind, sentence.strip(" 。.？?")[:80]
    return None


def empty_document_wall(reason: str) -> Wall:
    """An HTML page with (almost) no text where an article should be: served to bots by some
    sites instead of a challenge (The Japan News, April 2026), or a page built by JavaScript."""
    return Wall("empty", "", f"{reason}; a bot wall serving empty documents, or a page built by JavaScript")


#: Headers ``detect_wall`` reads; the spider keeps only these from a response.
WALL_HEADERS = tuple(sorted({name for sig in SIGNATURES for name, _ in sig.headers + sig.proof}
                            # The charset a Shift_JIS or EUC-JP title (``_title``) or refusal is read in.
                            | {"content-type"}))


def wall_headers(response) -> dict[str, str]:
    """The headers of a Scrapy response that ``detect_wall`` reads (``WALL_HEADERS``)."""
    out = {}
    for name in WALL_HEADERS:
        value = response.headers.get(name)
        if value is not None:
            out[name] = value.decode("latin-1")
    return out
