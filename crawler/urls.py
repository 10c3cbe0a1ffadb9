"""URL canonicalisation: one key per article, however a feed, sitemap or share link spells it.

A URL that differs only by tracking parameters (the common ones and an outlet's own), fragment,
host case, default port, an AMP or a mobile variant, or by http where the outlet serves https,
is the same article, and must be fetched and stored once; so is an article's address before its
site moved to another host, where the new one is made of the same id (NHK's www3 → news.web.nhk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Parameters that identify a campaign or a click, never an article.
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|ito|n_cid|cid_\w+"
    r"|ref|ref_src|rss|from|fm|via|share|s_cid|cmpid|icid|outputType|amp|ncid|trk"
    # A server's session (Java, PHP, ASP's ASPSESSIONIDQQSRCTBS, the plain name): a new one with each visit, so each
    # crawl read the article under a URL it had not seen, and fetched and stored it again.
    r"|jsessionid|phpsessid|aspsessionid\w*|sessionid|sessid)$",
    re.IGNORECASE,
)
# The servlet's form of the same: /article/1.html;jsessionid=0A1B…?page=2 (RFC 3986 path parameter).
_SESSION_PATH = re.compile(r";jsessionid=[^/;]*", re.IGNORECASE)
# Parameters an outlet adds to its own links to say where on its site a link was clicked, by the
# domain they are used on (its subdomains too): (the paths they are dropped on, None for all; the
# names). Dropped only there: on another site the same name may well choose what the page shows.
# Each was seen on real links (the saved pages, tests/fixtures/urls/), next to the same URL
# without it.
_SITE_TRACKING: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str]]] = {
    # ?iref=pc_gnavi, com_footer, com_rnavi_…, comtop_…: 6,281 links of the saved Asahi pages
    # (2019–2026), e.g. /news/?iref=com_latestnews_p on fundus-jp/AsahiShimbun_2025_01_13; and
    # the bare ?apital marker of the health section's links (java-extractarticle/000007, 2021).
    # ?cid=asadigi_rnavi_globe, pre1, pre2 …: the same clicks counted on the links to GLOBE+,
    # the book pages and &w of the saved pages of 2021-2025 (a GLOBE+ link with it was refused).
    "asahi.com": (None, re.compile(r"^(?:iref|apital|cid)$")),
    # ?rct=national on the "new in section" article links of fundus-jp/TokyoShimbun_2025_01_13
    # and ChunichiShimbun_2025_01_13 (/article/379022?rct=national); ?ref= is dropped above.
    "tokyo-np.co.jp": (None, re.compile(r"^rct$")),
    "chunichi.co.jp": (None, re.compile(r"^rct$")),
    # ?ownedutm_source=owned site&ownedutm_medium=referral&ownedutm_campaign=ranking&
    # ownedutm_content=<headline>: the ranking links of the saved 2023 Sankei pages.
    "sankei.com": (None, re.compile(r"^ownedutm_\w+$")),
    # ?cx_testId=122&cx_testVariant=cx_2&cx_artPos=0 (Cxense recommendation test): on the
    # article URL in the login link of scrapping-webs/mainichi-test_article_2 (2023-04).
    "mainichi.jp": (None, re.compile(r"^cx_\w+$")),
    # ?print=true: the print view of the same article, linked from every article page
    # (fundus-jp/NikkanGeadai_2025_01_22).
    "nikkan-gendai.com": (None, re.compile(r"^print$")),
    # ?cx_part=topstory / nav / sub_button (where on the page the link sat) on every article link
    # of the saved AFPBB page (newspaper4k/japanese_article2, 2018), ?cx_position=7 on a link of
    # the same era elsewhere; and ?pid=<n>, which only picks the photo the article page opens on
    # (the page's own share links: /articles/-/3178894?pid=20237040).
    "afpbb.com": (None, re.compile(r"^(?:cx_\w+|pid)$")),
    # ?source=rss on every link of Yahoo!ニュース's feeds (sakatake706/secnews's 2025-26 collector,
    # tests/fixtures/urls/yahoo.tsv); a reader's script drops the query of its feed links.
    "news.yahoo.co.jp": (None, re.compile(r"^source$")),
    # A Jiji article is its ?k=<13 digits>: its feed's links add &m=rss (a 2026 collector's
    # pattern for ranking.rdf, ``…&g=(pol|soc)(?:&m=rss)?``; a reader's script keeps ?k= alone of
    # every jiji link, and fetches that URL), links of 2025-26 carry &rel=pv and &p=<photo>
    # (k=2025070500264&g=int&p=20250705at46S&rel=pv), and one article is linked with and without
    # &g=<genre> (k=2026040300929; all in tests/fixtures/urls/jiji.tsv). On /jc/article only:
    # elsewhere ?g= is the page (/jc/c?g=pol, a section).
    "www.jiji.com": (re.compile(r"^/jc/article$"), re.compile(r"^(?:g|m|p|rel)$")),
}
# Another host's copy of a path, by host: (the path's start, the host it is read on). Asahi's
# articles were at digital.asahi.com/articles/<id>.html for subscribers, and are still linked so
# (ASM3W0014M3VUHBI02R of 2019 … ASV4X3C9GV4XPJLB00KM, a 2026-04 list of press coverage): the
# same ids as on www.asahi.com, one article.
_SITE_COPY_HOST: dict[str, tuple[re.Pattern[str], str]] = {
    "digital.asahi.com": (re.compile(r"^/articles/"), "www.asahi.com"),
}
# Hosts whose paths are one page in any letter case, written lower-case now. Nikkei Asia's were
# capitalised until its 2025-26 redesign (/Business/Technology/…/Positive-review-only-…, a link
# list of 2025-07) and are lower-case since (the same article at /business/technology/…, 2026):
# links of both kinds are in feeds, pages and archives, one article.
_LOWER_CASE_PATH_HOSTS = frozenset({"asia.nikkei.com"})
_ESCAPE = re.compile(r"%[0-9a-f]{2}")
_ANY_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Mobile and AMP copies told apart by a path segment the generic rules below do not cover, by
# host: (the segment, what replaces it). NHK's article pages each link their AMP twin
# /news/html/<date>/amp/k<id>.html (the eight saved 2023 NHK pages); Asahi's give their
# smartphone copy /sp/articles/<id>.html as <link rel=alternate> (fundus-jp/AsahiShimbun_2025_01_13),
# and so do Jiji's, /sp/article?k=… for /jc/article?k=… (a11y-converter/jiji-2022101700794).
_SITE_COPY_PATH: dict[str, tuple[re.Pattern[str], str]] = {
    "www3.nhk.or.jp": (re.compile(r"(?<=/news/html/\d{8})/amp(?=/k\d{14}\.html$)"), ""),
    "www.asahi.com": (re.compile(r"^/sp(?=/articles/)"), ""),
    "www.jiji.com": (re.compile(r"^/sp(?=/article$)"), "/jc"),
}
# Hosts of built-in outlets that serve every page over https: each saved page's canonical URL is
# https, while feeds still print http:// links (Asahi's newsheadlines.rdf of 2026, NHK's feeds of
# 2025), so the http:// and https:// URLs are one article. Only these hosts are rewritten: the
# canonical URL is also the URL fetched, and other hosts (the loopback test site, an outlet of
# the user's config) may serve http only. A built-in outlet added later lists its hosts here.
HTTPS_HOSTS = frozenset({
    "www.asahi.com",              # asahi, asahi_ajw
    "japannews.yomiuri.co.jp",    # japannews
    "www.japantimes.co.jp",       # japantimes (https since 2019 in the saved pages)
    "mainichi.jp",                # mainichi
    "www3.nhk.or.jp",             # nhk (its 2025 feeds linked http://www3…)
    "news.web.nhk",               # nhk
    "www.nikkan-gendai.com",      # nikkan_gendai
    "www.nikkei.com",             # nikkei
    "asia.nikkei.com",            # nikkei_asia
    "www.sankei.com",             # sankei
    "www.tokyo-np.co.jp",         # tokyo_np
    "www.chunichi.co.jp",         # tokyo_np
    "www.yomiuri.co.jp",          # yomiuri
    "www.jiji.com",               # jiji (https in its 2022 saved pages and their links)
    "newsdig.tbs.co.jp",          # tbs
    "www.nippon.com",             # nippon_com
    "news.yahoo.co.jp",           # yahoo
    "english.kyodonews.net",      # kyodo (https in every link of 2020-2026 found)
    "www.47news.jp",              # kyodo_47news
    "www.afpbb.com",              # afpbb (http in its 2018 saved page, https in links of 2019-2026)
    "japantoday.com",             # japantoday (https in the 2017 feed and in links of 2025-2026)
    "www.japantoday.com",         # japantoday
    "www.fnn.jp",                 # fnn
    "www.mod.go.jp",              # mod, mod_en (https in its feeds' resolved links and robots.txt fixture)
    "www.clearing.mod.go.jp",     # mod (defense white paper HTML of 2022-2023)
    "www.kantei.go.jp",           # kantei (https in its 2026 feed; http in links of 2010-2016)
    "japan.kantei.go.jp",         # kantei_en
    "www.okinawatimes.co.jp",     # okinawa_times (http in its feed's links of 2020, https in those of 2024-2026)
    "ryukyushimpo.jp",            # ryukyu_shimpo (its http:// feed address redirects to https, 2026-09)
})
# Articles of a site that moved to another host, where they are read under ids of their old URLs,
# by old host: (the old path, the new host, the new path). NHK NEWS WEB moved to news.web.nhk
# ("NHK ONE", 2025-10): its national article www3.nhk.or.jp/news/html/<date>/k<14 digits>.html is
# news.web.nhk/newsweb/na/na-k<the same digits> (a 2026 reader app rewrites
# http://www3…/20260428/k10015110361000.html to na-k10015110361000 before it fetches; news.web.nhk
# serves ids of 2025-05 too, na-k10014827681000), and a regional station's article
# /<area>-news/<date>/<10 digits>.html or /lnews/<station>/<date>/<10 digits>.html is nb-<the 10
# digits> (a 2025-10 tracker of the stations' feeds rewrites tohoku's 20251009/6000033450.html to
# nb-6000033450). Feeds of 2026 still link the old form (a www3 link of 2026-08,
# tests/fixtures/urls/nhk.tsv) while news.web.nhk's own feeds and sitemap give the new: each
# article was fetched twice, once under each key. (EASY's new ids are not its old ones: not mapped.)
_SITE_MOVED: dict[str, tuple[tuple[re.Pattern[str], str, str], ...]] = {
    "www3.nhk.or.jp": (
        (re.compile(r"^/news/html/\d{8}/(k\d{14})\.html$"), "news.web.nhk", r"/newsweb/na/na-\1"),
        (re.compile(r"^/(?:lnews/[a-z]+|[a-z]+-news)/\d{8}/(\d{10})\.html$"), "news.web.nhk", r"/newsweb/na/nb-\1"),
    ),
}


class KnownHosts(frozenset):
    """The hosts of our outlets (``canonical_url``'s ``known_hosts``), knowing which of them serve
    https: those of an outlet of the user's config whose feeds, sitemaps and sections on that host
    are all https (``store.known_hosts``), where ``HTTPS_HOSTS`` names the built-in outlets' own.
    A configured outlet's feed that printed http:// links beside its https sitemap's had each
    article fetched and stored twice, once under each scheme. ``served``: the hosts the outlets'
    own feeds, sitemaps and sections are read from, which are the sites and no mobile copies."""

    https: frozenset[str]
    served: frozenset[str]

    def __new__(cls, hosts: Iterable[str] = (), https: Iterable[str] = (), served: Iterable[str] = ()) -> KnownHosts:
        self = super().__new__(cls, hosts)
        self.https = frozenset(https)
        self.served = frozenset(served)
        return self

    def __reduce__(self):
        # frozenset pickles its items alone: the https and served hosts go along (to ingest's workers).
        return (KnownHosts, (list(self), list(self.https), list(self.served)))


_DEFAULT_PORTS = {"http": 80, "https": 443}
# An ampersand of the query still escaped as XML and HTML write it, "&amp;": a feed that escapes its links twice
# (&amp;amp;, which its XML parser reads once), or inside CDATA (read as written), a page's href escaped twice.
# Kept, "?id=1&amp;p=2" was the parameter "amp;p", another key than the "?id=1&p=2" the site's other links give:
# the article fetched twice, and asked for under a query its server does not read as meant. Its numeric
# references too (&#38;, &#038;, &#x26;: &amp;#38; read once, or in CDATA), whose '#' the URL parser took for a
# fragment's: "?id=1&#38;p=2" was "?id=1", another article's address or none, and the article lost.
# Escaped as often as it was (&amp;amp;, &amp;#38;), read in one pass: read once a pass until none was left, a
# URL of an untrusted page's href repeating "amp;" was read in time that grew with the square of its length.
_ESCAPED_AMPERSAND = re.compile(r"&(?:(?:amp|#0*38|#x0*26);)+", re.IGNORECASE)
# The same references of a '&' or a '?' in the path (an href escaped twice: "/view.php&amp;#63;id=1", read once):
# no server is sent them, for a URL's first '#' ends its path, and "/a&#38;b" was asked for as "/a&", a page
# of nothing, its fragment "38;b" no anchor of any page. A named "&amp;" in the path is left (a path may hold it).
# Escaped as often as it was ("&#38;#38;", "&#38;#63;"), read at once; a '?' ends the path, and the run.
_PATH_REFERENCE = re.compile(r"&(?:#0*38;|#x0*26;)*(#0*63;|#x0*3f;)?", re.IGNORECASE)
# How a query's escapes are decoded and encoded again (canonical_url): the same both ways, so that
# bytes that are no UTF-8 survive.
_QUERY_ERRORS = "surrogateescape"
_MOBILE_PREFIXES = ("m.", "sp.", "amp.", "mobile.")
# /amp/<path> (Asahi), <path>/amp (Mainichi), <path>/amp/ (Yomiuri, whose article URLs end in
# "/": the slash is kept), <name>.amp.html.
_AMP_PATH = re.compile(r"(?:^/amp(?=/)|/amp(?=/?$)|\.amp(?=\.html?$|/?$))")


def amp_copy(url: str) -> bool:
    """Whether ``url`` is an AMP copy's address whose canonical form drops its marker (``_AMP_PATH``,
    an ``amp.`` host, NHK's ``/amp/k…``, ``?amp``, ``?outputType=amp``): one a feed may list alone,
    where the article's own address is not served (a 404). The crawl asks for the canonical
    address first, and for this one where that answers 404 or 410 (``spiders.news``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    site = _SITE_COPY_PATH.get(host)
    return bool(_AMP_PATH.search(parts.path) or host.startswith("amp.")
                or site is not None and "amp" in site[0].pattern and site[0].search(parts.path)
                or any(k.lower() == "amp" or k.lower() == "outputtype" and v.lower() == "amp"
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)))


def parsable(url: str | None, base: str | None = None) -> str | None:
    """``url`` (joined to ``base``) if the URL parser takes it, else None.

    For URLs a page claims for itself (canonical link, og:url, JSON-LD): "https://[broken/a"
    or a port that is no number raise ValueError in every later step, and the article was
    lost with them.
    """
    if not url or not url.strip():
        return None
    try:
        joined = urljoin(base or "", url.strip())
        urlsplit(joined).port  # noqa: B018  (the port is parsed, and checked, only when read)
    except ValueError:
        return None
    return joined


def canonical_url(url: str, known_hosts: Iterable[str] = ()) -> str:
    """The canonical form of ``url``.

    ``known_hosts`` are the hosts of our outlets: a mobile or AMP host (``m.example.jp``) is
    mapped to its desktop host only when that host is one of them (or in ``HTTPS_HOSTS``), so
    that an unknown site's ``m.`` host is never guessed at. ``http`` becomes ``https`` only on
    the hosts of ``HTTPS_HOSTS`` and, when ``known_hosts`` is a ``KnownHosts``, its
    ``https``. A URL written with other than ASCII characters (an IRI:
    ``/articles/防衛.html``, as feeds and WARC headers may give it) is percent-encoded in UTF-8
    first, as Scrapy requests it: one article, one URL, whichever way it was listed. An escape
    that is no UTF-8 (Shift_JIS, as older Japanese CGI sites take it: ``?kw=%96%68%89%71``) stands
    for the same byte in the canonical form, in the query as in the path. An ampersand of the query
    left escaped (``&amp;``: a feed's link escaped twice, or inside CDATA) separates its parameters,
    as the site's other links write it (``_ESCAPED_AMPERSAND``), and "&#38;" or "&#63;" in the path is
    the '&' or '?' it stands for (``_PATH_REFERENCE``).
    """
    url = url.strip()
    if not url.isascii():
        url = safe_url_string(url)
    if "&" in url:
        url = query_ampersands(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = _desktop_host((parts.hostname or "").lower().rstrip("."), known_hosts)
    path = _AMP_PATH.sub("", _SESSION_PATH.sub("", parts.path) if ";" in parts.path else parts.path) or "/"
    if host in _SITE_COPY_HOST and _SITE_COPY_HOST[host][0].match(path):
        host = _SITE_COPY_HOST[host][1]
    if host in _SITE_COPY_PATH:
        segment, replacement = _SITE_COPY_PATH[host]
        path = segment.sub(replacement, path) or "/"
    for old_path, new_host, new_path in _SITE_MOVED.get(host, ()):
        if old_path.match(path):
            host, path = new_host, old_path.sub(new_path, path)
            break
    port = parts.port
    if port == _DEFAULT_PORTS.get(scheme):
        port = None
    if scheme == "http" and port is None and (host in HTTPS_HOSTS or host in getattr(known_hosts, "https", ())):
        scheme = "https"
    netloc = f"{host}:{port}" if port else host
    if host in _LOWER_CASE_PATH_HOSTS:
        path = _ESCAPE.sub(lambda m: m.group().upper(), path.lower())
    elif "%" in path:
        # %e9%98%b2 (a sitemap) and %E9%98%B2 (a feed's 防, encoded as Scrapy encodes it) are
        # one path (RFC 3986, 6.2.2.1): each was fetched, one article twice.
        path = _ANY_ESCAPE.sub(lambda m: m.group().upper(), path)
    site_tracking = _site_tracking(host, path)
    query = parts.query
    # The query is decoded to drop and sort its parameters, and encoded again: both ways with
    # surrogateescape, so that a byte that is no UTF-8 comes back as itself. Replaced (parse_qsl's
    # default), ?kw=%96%68%89%71 (防衛 in Shift_JIS) was fetched as ?kw=%EF%BF%BDh%EF%BF%BDq, a 404,
    # and あ (%82%A0) and い (%82%A2) were one key, one article lost. A UTF-8 query decodes as it did
    # (stored keys stay as they are); the path is never decoded.
    query = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True, errors=_QUERY_ERRORS)
        if not _TRACKING.match(k) and not (site_tracking and site_tracking.match(k))
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True, errors=_QUERY_ERRORS), ""))


def query_ampersands(url: str) -> str:
    """``url`` with the ampersands of its query written as escaped (``_ESCAPED_AMPERSAND``) read as "&", and a '&'
    or '?' of its path written as a numeric reference (``_PATH_REFERENCE``) as itself. Read before the URL is
    split: split first, the '#' of "&#38;" had ended the query. A '?' after a '#' is a fragment's, left as it is,
    and so is "&amp;" in the path (the path's own). Of an article's URL (``canonical_url``), and of the URLs a
    page or document names that are no article's and keep their form: a child sitemap an index lists, a section's
    or an article's next page, a feed a page advertises."""
    # Read from the start, each piece once: the URL rebuilt at each reference, a page's href of "&#38;" repeated was
    # read in time that grew with the square of its length.
    read, pos = [], 0
    while ((at := url.find("#", pos)) > pos and "?" not in url[pos:at]
           and (reference := _PATH_REFERENCE.match(url, at - 1)) and reference.end() > at):
        read += [url[pos:at - 1], "?" if reference.group(1) else "&"]
        pos = reference.end()
        if reference.group(1):
            break
    if read:
        url = "".join(read) + url[pos:]
    start = url.find("?")
    if start < 0 or "#" in url[:start]:
        return url
    return url[:start] + _ESCAPED_AMPERSAND.sub("&", url[start:])


def _desktop_host(host: str, known_hosts: Iterable[str]) -> str:
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix):
            # Made a set only here: most hosts are no mobile host, and a crawl canonicalises
            # every link of every feed.
            hosts = known_hosts if isinstance(known_hosts, (set, frozenset)) else set(known_hosts)
            bare = host[len(prefix) :]
            # A host we know serves the site ("www.asahi.com"; a configured outlet's feeds' host,
            # ``store.known_hosts``) wins over a bare outlet domain ("asahi.com") that only says
            # which site it is: m.example-news.jp was made example-news.jp, which answered
            # nothing, and the article was refused for its robots.txt.
            for candidate in (bare, "www." + bare):
                if candidate in HTTPS_HOSTS:
                    return candidate
            served = getattr(known_hosts, "served", frozenset())
            if host in served and not any(candidate in served for candidate in ("www." + bare, bare)):
                # The host an outlet's own feeds, sitemaps or sections are read from is its site,
                # not a copy of it (a site served on m. or sp. alone): made the bare domain, each of
                # its articles was refused as a URL its pattern (^https://m\.…) does not take.
                # Where the site's desktop host is read from too (a sitemap on sp., sections on
                # www), the mobile host is its copy still: kept, each article was fetched twice.
                return host
            for candidate in ("www." + bare, bare):
                if candidate in hosts:
                    return candidate
            return host
    # The bare domain of a site served on www (sankei.com/article/… in a 2026 scraper's docstring,
    # japantimes.co.jp in links of 2025-26): the www host, whose URLs the pattern takes.
    if host not in HTTPS_HOSTS and "www." + host in HTTPS_HOSTS:
        return "www." + host
    return host


def _site_tracking(host: str, path: str) -> re.Pattern[str] | None:
    for domain, (on_path, keys) in _SITE_TRACKING.items():
        if (host == domain or host.endswith("." + domain)) and (on_path is None or on_path.match(path)):
            return keys
    return None
