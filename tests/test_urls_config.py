"""URL canonicalisation and the user's config file."""

from __future__ import annotations

from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

import pytest

from crawler.config import ConfigError, load_config
from crawler.outlets import outlet_for_url, registry
from crawler.store import known_hosts
from crawler.urls import amp_copy, canonical_url, parsable

HOSTS = {"www.asahi.com", "www.sankei.com", "mainichi.jp"}


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html",
        "HTTPS://WWW.ASAHI.COM/articles/ASV5C451NV5CUEFT01YM.html",
        "https://www.asahi.com:443/articles/ASV5C451NV5CUEFT01YM.html",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html#comments",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?utm_source=twitter&utm_medium=social",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?ref=rss&fbclid=abc",
        "https://www.asahi.com/amp/articles/ASV5C451NV5CUEFT01YM.html",
        "https://m.asahi.com/articles/ASV5C451NV5CUEFT01YM.html",
        # a session in the URL: another with every visit, the article fetched again with each
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?sessionid=8f3a2c",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?PHPSESSID=b1946ac92492d2347c6235b4d2611184",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html;jsessionid=0A1B2C3D4E5F",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?ASPSESSIONIDQQSRCTBS=KJHGFDSAPOIU",
    ],
)
def test_variants_of_one_article_share_one_key(variant):
    assert canonical_url(variant, HOSTS) == "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html"


@pytest.mark.parametrize(
    "variant,key",
    [
        # Asahi's feed links http:// with ?ref=rss, its pages ?iref=…, its smartphone copy /sp/
        # (lakeoffire/asahi-newsheadlines-land-cruiser.rdf, fundus-jp/AsahiShimbun_2025_01_13).
        ("http://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?ref=rss",
         "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html"),
        ("https://www.asahi.com/articles/ASV5F0C1PV5FULOB01HM.html?iref=pc_rellink_01",
         "https://www.asahi.com/articles/ASV5F0C1PV5FULOB01HM.html"),
        ("https://www.asahi.com/sp/articles/AST1F4445T1FUTIL02SM.html",
         "https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html"),
        ("https://www.tokyo-np.co.jp/article/379022?rct=national", "https://www.tokyo-np.co.jp/article/379022"),
        ("https://www.chunichi.co.jp/article/1011135?rct=national", "https://www.chunichi.co.jp/article/1011135"),
        ("https://www.sankei.com/article/20230418-W2AZVFWOP5KZRMU2PKRMYPATZQ/?ownedutm_source=owned%20site"
         "&ownedutm_medium=referral&ownedutm_campaign=ranking",
         "https://www.sankei.com/article/20230418-W2AZVFWOP5KZRMU2PKRMYPATZQ/"),
        ("https://mainichi.jp/articles/20230408/k00/00m/040/228000c?cx_testId=122&cx_testVariant=cx_2&cx_artPos=0",
         "https://mainichi.jp/articles/20230408/k00/00m/040/228000c"),
        ("https://mainichi.jp/articles/20211013/k00/00m/040/098000c.amp",
         "https://mainichi.jp/articles/20211013/k00/00m/040/098000c"),
        ("https://www.nikkan-gendai.com/articles/view/present/366660?print=true",
         "https://www.nikkan-gendai.com/articles/view/present/366660"),
        # AFPBB's own links say where they sat (?cx_part=) or which photo to open on (?pid=), and its
        # 2018 page is http (newspaper4k/japanese_article2).
        ("http://www.afpbb.com/articles/-/3179163?cx_part=topstory", "https://www.afpbb.com/articles/-/3179163"),
        ("http://www.afpbb.com/articles/-/3178894?pid=20237040", "https://www.afpbb.com/articles/-/3178894"),
        # The Ministry of Defense's feed gives paths; the white paper's 2023 HTML was linked as http.
        ("http://www.clearing.mod.go.jp/hakusho_data/2023/html/n230103000.html",
         "https://www.clearing.mod.go.jp/hakusho_data/2023/html/n230103000.html"),
        # NHK moved to news.web.nhk (2025-10), where an article is read under its www3 id; feeds
        # of 2025-26 linked http://www3…, and each 2023 article page links its /amp/ twin.
        ("http://www3.nhk.or.jp/news/html/20250930/k10014936121000.html",
         "https://news.web.nhk/newsweb/na/na-k10014936121000"),
        ("https://www3.nhk.or.jp/news/html/20230403/amp/k10014027131000.html",
         "https://news.web.nhk/newsweb/na/na-k10014027131000"),
        ("https://www3.nhk.or.jp/news/html/20260428/k10015110361000.html?utm_source=rss",
         "https://news.web.nhk/newsweb/na/na-k10015110361000"),
        # A regional station's article: the 10 digits are its nb- id.
        ("https://www3.nhk.or.jp/shutoken-news/20251012/1000122742.html",
         "https://news.web.nhk/newsweb/na/nb-1000122742"),
        ("https://www3.nhk.or.jp/lnews/morioka/20250616/6040025919.html",
         "https://news.web.nhk/newsweb/na/nb-6040025919"),
        # Yomiuri's article URLs end in "/", and so must their AMP copies' canonical form.
        ("https://www.yomiuri.co.jp/economy/20211013-OYT1T50086/amp/",
         "https://www.yomiuri.co.jp/economy/20211013-OYT1T50086/"),
    ],
)
def test_outlet_variants_share_the_article_key(variant, key):
    assert canonical_url(variant, known_hosts(registry())) == key


def test_a_url_written_in_japanese_has_the_key_of_its_percent_encoded_form():
    # A feed or a WARC header may give an IRI, a sitemap or Scrapy the same URL percent-encoded:
    # two keys were two fetches of one article, and the ingested page no match for the crawled.
    encoded = "https://www.sankei.com/tag/%E9%98%B2%E8%A1%9B/?q=%E5%AE%89%E4%BF%9D"
    assert canonical_url("https://www.sankei.com/tag/防衛/?q=安保", HOSTS) == encoded
    assert canonical_url(encoded, HOSTS) == encoded


def test_an_escape_in_lower_case_is_the_same_path_as_in_upper_case():
    # A sitemap wrote /articles/%e9%98%b2…, a feed the same path in UTF-8 (encoded %E9%98%B2…):
    # each was fetched, one article twice.
    upper = "https://example-news.jp/articles/%E9%98%B2%E8%A1%9B%E8%B2%BB-14/"
    for listed in ("https://example-news.jp/articles/防衛費-14/", upper, upper.lower()):
        assert canonical_url(listed, {"example-news.jp"}) == upper


def test_a_mobile_host_is_made_the_host_a_configured_outlet_is_served_on(tmp_path):
    # Made the bare domain, m.example-news.jp/… was fetched at example-news.jp, which a site served
    # on www need not answer (its robots.txt then "unavailable", the article refused), and an
    # article linked both ways was fetched twice.
    path = tmp_path / "newsmon.toml"
    path.write_text('[outlets.ex]\nname = "Ex"\nlanguage = "ja"\ndomains = ["example-news.jp"]\n'
                    'feeds = ["https://www.example-news.jp/rss.xml"]\narticle_url_pattern = "/articles/"\n'
                    '[outlets.bare]\nname = "Bare"\nlanguage = "ja"\ndomains = ["bare-news.jp"]\n'
                    'feeds = ["https://bare-news.jp/rss.xml"]\narticle_url_pattern = "/articles/"\n',
                    encoding="utf-8")
    hosts = known_hosts(load_config(path).outlets)
    # (https: the host its feeds are read from serves https, as they are.)
    assert canonical_url("http://m.example-news.jp/articles/12/", hosts) == "https://www.example-news.jp/articles/12/"
    assert canonical_url("http://sp.bare-news.jp/articles/12/", hosts) == "https://bare-news.jp/articles/12/"
    # Its feeds' host, not any host on its domain: another site's is never guessed at.
    assert canonical_url("https://m.other-news.jp/a", hosts) == "https://m.other-news.jp/a"


def test_the_mobile_host_an_outlet_is_served_on_is_its_site_not_a_copy(tmp_path):
    # A site served on its m. host alone, its domains the bare domain: its article URLs were made the
    # bare domain's, which its pattern refused, each of its articles "a new URL scheme?"; with a
    # pattern without a host they were fetched at a host that does not serve them.
    path = tmp_path / "newsmon.toml"
    path.write_text('[outlets.mobi]\nname = "Mobi"\nlanguage = "ja"\ndomains = ["mobi-news.jp"]\n'
                    'feeds = ["https://m.mobi-news.jp/rss.xml"]\n'
                    'article_url_pattern = "^https://m\\\\.mobi-news\\\\.jp/article/"\n'
                    '[outlets.ex]\nname = "Ex"\nlanguage = "ja"\ndomains = ["example-news.jp"]\n'
                    'sitemaps = ["https://sp.example-news.jp/sitemap.xml"]\n'
                    'start_urls = ["https://www.example-news.jp/news/"]\narticle_url_pattern = "/articles/"\n',
                    encoding="utf-8")
    outlets = load_config(path).outlets
    hosts = known_hosts(outlets)
    assert canonical_url("http://m.mobi-news.jp/article/12", hosts) == "https://m.mobi-news.jp/article/12"
    assert outlets["mobi"].is_article_url(canonical_url("https://m.mobi-news.jp/article/12", hosts))
    # A mobile host it reads nothing from is a copy; so is one it reads its sitemap from where it reads its
    # sections from the desktop host too (kept, each article the sitemap listed was fetched a second time).
    assert canonical_url("https://sp.example-news.jp/articles/3", hosts) == "https://www.example-news.jp/articles/3"
    assert canonical_url("https://m.example-news.jp/articles/3", hosts) == "https://www.example-news.jp/articles/3"


def test_a_mobile_host_read_beside_the_sites_desktop_host_is_a_copy_of_it(tmp_path):
    # A sitemap read from sp., sections from www (one outlet, or two on one site): sp. kept as a site of its own,
    # each article was fetched under both hosts, and stored twice where the two pages read apart.
    path = tmp_path / "newsmon.toml"
    path.write_text('[outlets.ex]\nname = "Ex"\nlanguage = "ja"\ndomains = ["example-news.jp"]\n'
                    'sitemaps = ["https://sp.example-news.jp/sitemap.xml"]\n'
                    'start_urls = ["https://www.example-news.jp/news/"]\narticle_url_pattern = "/articles/"\n'
                    '[outlets.mob]\nname = "Mob"\nlanguage = "ja"\ndomains = ["two-news.jp"]\n'
                    'feeds = ["https://m.two-news.jp/rss.xml"]\narticle_url_pattern = "/a/"\n'
                    '[outlets.desk]\nname = "Desk"\nlanguage = "ja"\ndomains = ["www.two-news.jp"]\n'
                    'start_urls = ["https://www.two-news.jp/"]\narticle_url_pattern = "/a/"\n'
                    '[outlets.sp]\nname = "Sp"\nlanguage = "ja"\ndomains = ["sp-news.jp"]\n'
                    'sitemaps = ["https://sp.sp-news.jp/sitemap.xml"]\narticle_url_pattern = "/a/"\n',
                    encoding="utf-8")
    hosts = known_hosts(load_config(path).outlets)
    assert canonical_url("https://sp.example-news.jp/articles/3", hosts) == "https://www.example-news.jp/articles/3"
    assert canonical_url("https://m.two-news.jp/a/1", hosts) == "https://www.two-news.jp/a/1"
    # A site served on its mobile host alone stays there.
    assert canonical_url("https://sp.sp-news.jp/a/1", hosts) == "https://sp.sp-news.jp/a/1"


def test_an_outlet_read_over_https_has_its_http_links_made_https_and_a_pattern_naming_http_takes_them(tmp_path):
    # One key for an article listed http:// by a feed and https:// by a sitemap; a pattern copied
    # from the feed's http:// links (^http://…) took none of the articles made https.
    path = tmp_path / "newsmon.toml"
    outlet = ('[outlets.{key}]\nname = "M"\nlanguage = "ja"\ndomains = ["{host}"]\n'
              'feeds = ["https://www.{host}/rss.xml"]\narticle_url_pattern = "{pattern}"\n')
    path.write_text(outlet.format(key="any", host="minato-news.jp", pattern="/articles/[0-9]+")
                    + outlet.format(key="both", host="kita-news.jp", pattern="^https?://www\\\\.kita-news\\\\.jp/a/")
                    + outlet.format(key="plain", host="minami-news.jp", pattern="^http://www\\\\.minami-news\\\\.jp/a/"),
                    encoding="utf-8")
    outlets = load_config(path).outlets
    hosts = known_hosts(outlets)
    assert canonical_url("http://www.minato-news.jp/articles/12", hosts) == "https://www.minato-news.jp/articles/12"
    assert canonical_url("http://www.kita-news.jp/a/12", hosts) == "https://www.kita-news.jp/a/12"
    assert outlets["both"].is_article_url(canonical_url("http://www.kita-news.jp/a/12", hosts))
    # One key still, and its pattern takes it.
    assert canonical_url("http://www.minami-news.jp/a/12", hosts) == "https://www.minami-news.jp/a/12"
    assert outlets["plain"].is_article_url(canonical_url("http://www.minami-news.jp/a/12", hosts))
    assert not outlets["plain"].is_article_url("https://www.minami-news.jp/b/12")


def test_a_query_in_shift_jis_is_fetched_as_it_was_given_and_is_its_own_key():
    # Older Japanese CGI sites take their query in Shift_JIS. Decoded as UTF-8 with errors
    # replaced, ?kw=防衛 was fetched as ?kw=%EF%BF%BDh%EF%BF%BDq (a 404: the URL "gone" though the
    # article was there), and ?kw=あ and ?kw=い were one key: the second article lost, unrecorded.
    def kw(url):  # the bytes the site is sent
        return unquote_to_bytes(dict(pair.split("=") for pair in urlsplit(url).query.split("&"))["kw"])

    for word, encoding in (("防衛", "shift_jis"), ("あ", "shift_jis"), ("い", "shift_jis"), ("防衛", "euc_jp")):
        given = "http://127.0.0.1:8000/art/sjisq?kw=" + quote_from_bytes(word.encode(encoding))
        key = canonical_url(given)
        assert kw(key) == word.encode(encoding), (given, key)
        assert canonical_url(key) == key
    assert canonical_url("http://127.0.0.1:8000/art/sjisq?kw=%82%A0") != canonical_url("http://127.0.0.1:8000/art/sjisq?kw=%82%A2")
    # As any query: trackers dropped, parameters sorted, escapes upper-case, with UTF-8 beside it.
    assert canonical_url("https://example.jp/cgi/search.cgi?utm_source=rss&q=%E5%AE%89&kw=%82%a0") == \
        "https://example.jp/cgi/search.cgi?kw=%82%A0&q=%E5%AE%89"
    # And so in a URL written with Japanese, whose own characters are encoded in UTF-8.
    assert canonical_url("https://example.jp/防衛/?kw=%96%68%89%71") == "https://example.jp/%E9%98%B2%E8%A1%9B/?kw=%96h%89q"


def test_a_path_in_shift_jis_is_kept_as_it_was_given():
    # The path is never decoded: its escapes stay the bytes they were, on a host whose paths are
    # written lower-case too.
    assert canonical_url("http://127.0.0.1:8000/cgi/%96%68%89%71.html?p=%82%A0") == \
        "http://127.0.0.1:8000/cgi/%96%68%89%71.html?p=%82%A0"
    assert canonical_url("https://asia.nikkei.com/Tag/%96%68%89%71", HOSTS) == "https://asia.nikkei.com/tag/%96%68%89%71"
    # (The same bytes: an escape is written upper-case, as RFC 3986 normalises it.)
    assert canonical_url("https://example.jp/防衛/%82%a0.html") == "https://example.jp/%E9%98%B2%E8%A1%9B/%82%A0.html"


def test_https_only_for_built_in_hosts_and_outlet_trackers_only_on_their_site():
    hosts = known_hosts(registry())
    # The loopback test site and a user's outlets are fetched as given: http stays http.
    assert canonical_url("http://127.0.0.1:8000/articles/1.html", hosts) == "http://127.0.0.1:8000/articles/1.html"
    assert canonical_url("http://example.jp/a?rct=1&iref=2", hosts) == "http://example.jp/a?iref=2&rct=1"
    # A built-in host on a non-default port is not the https site.
    assert canonical_url("http://www.asahi.com:8080/x", hosts) == "http://www.asahi.com:8080/x"
    assert canonical_url("http://www.asahi.com:80/x", hosts) == "https://www.asahi.com/x"
    # The outlets' domains (asahi.com) are what the spider knows: m. still maps to www.
    assert canonical_url("https://m.asahi.com/articles/X.html", hosts) == "https://www.asahi.com/articles/X.html"


def test_parameters_are_sorted_so_patterns_must_not_depend_on_their_order():
    assert canonical_url("https://example.jp/a?k=2026041200244&g=eco") == "https://example.jp/a?g=eco&k=2026041200244"


def test_an_ampersand_left_escaped_in_a_feeds_link_separates_its_parameters():
    # A feed escaping its links twice (&amp;amp;, which XML reads once) or inside CDATA (read as written) gave
    # "?id=1&amp;p=2": the parameter "amp;p", another key than the site's other links' "?id=1&p=2", and each was
    # fetched, one article twice (the feed's under a query its server does not read as meant).
    from crawler.discovery import parse_feed

    one, two = "https://example.jp/news/view.php?id=1&p=2", "https://example.jp/news/view.php?id=2&p=2"
    feed = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>a</title><link>{one.replace('&', '&amp;amp;')}</link></item>"
            f"<item><title>b</title><link><![CDATA[{two.replace('&', '&amp;')}]]></link></item>"
            "</channel></rss>").encode()
    listed = parse_feed(feed).links
    assert [canonical_url(url) for url in listed] == [one, two], listed
    # However many times, and in a Jiji link, whose genre is no part of its key.
    assert canonical_url("https://example.jp/a?id=1&amp;amp;amp;p=2&AMP;q=3") == "https://example.jp/a?id=1&p=2&q=3"
    assert canonical_url("https://www.jiji.com/jc/article?k=2025070500264&amp;g=int", HOSTS) == \
        "https://www.jiji.com/jc/article?k=2025070500264"
    # An ampersand percent-encoded in a value is the value's, as is one in the path.
    assert canonical_url("https://example.jp/a?q=AT%26amp%3BT") == "https://example.jp/a?q=AT%26amp%3BT"
    assert canonical_url("https://example.jp/a&amp;b/c?x=1") == "https://example.jp/a&amp;b/c?x=1"


def test_a_numeric_reference_of_an_ampersand_in_a_links_query_separates_its_parameters():
    # "&amp;#38;" in a feed or sitemap (read once: "&#38;"), "&#x26;" inside CDATA, an href escaped twice: the URL
    # parser took the '#' for a fragment's, and "?id=1&#38;p=2" was "?id=1", another article's address or none.
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor

    from crawler.discovery import parse_feed, parse_sitemap

    one = "https://example.jp/news/view.php?id=1&p=2"
    feed = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            "<item><title>a</title><link>https://example.jp/news/view.php?id=1&amp;#38;p=2</link></item>"
            "<item><title>b</title><link><![CDATA[https://example.jp/news/view.php?id=1&#x26;p=2]]></link></item>"
            "</channel></rss>").encode()
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               "<url><loc>https://example.jp/news/view.php?id=1&amp;#038;p=2</loc></url></urlset>").encode()
    page = HtmlResponse("https://example.jp/news/", body=b'<a href="view.php?id=1&amp;#38;p=2">a</a>'
                        b'<a href="view.php?id=1&amp;#X26;p=2">b</a>', encoding="utf-8")
    listed = [*parse_feed(feed).links, *parse_sitemap(sitemap).links,
              *(link.url for link in LinkExtractor(unique=False).extract_links(page))]
    assert [canonical_url(url) for url in listed] == [one] * 5, listed
    # Escaped twice over, and a named reference escaped once more.
    assert canonical_url("https://example.jp/a?id=1&amp;#38;p=2&#38;amp;q=3") == "https://example.jp/a?id=1&p=2&q=3"
    # A fragment is the fragment's, whatever it holds; a '?' in it is no query's; '#' percent-encoded is a value's.
    assert canonical_url("https://example.jp/a?id=1#top") == "https://example.jp/a?id=1"
    assert canonical_url("https://example.jp/a?id=1#p&#38;q=2") == "https://example.jp/a?id=1"
    assert canonical_url("https://example.jp/a#x?id=1&#38;p=2") == "https://example.jp/a"
    assert canonical_url("https://example.jp/a?q=AT%26%2338%3BT") == "https://example.jp/a?q=AT%26%2338%3BT"


def test_a_numeric_reference_of_an_ampersand_or_a_question_mark_in_a_links_path_is_read_as_it():
    # An href escaped twice ("/view.php&amp;#63;id=1", read once): the '#' ended the path, and "/a&#38;b" was
    # asked for and stored as "/a&", a page of nothing; its fragment "38;b" is no anchor of any page.
    assert canonical_url("https://example.jp/a&#38;b/c.html") == "https://example.jp/a&b/c.html"
    assert canonical_url("https://example.jp/view.php&#63;id=1&#38;p=2") == "https://example.jp/view.php?id=1&p=2"
    assert canonical_url("https://example.jp/view.php&#x3F;id=1&amp;p=2") == "https://example.jp/view.php?id=1&p=2"
    # A fragment's are the fragment's, and "&amp;" in the path is the path's own; other references are not read.
    assert canonical_url("https://example.jp/a#x&#38;b") == "https://example.jp/a"
    assert canonical_url("https://example.jp/a&amp;b&#38;c") == "https://example.jp/a&amp;b&c"
    assert canonical_url("https://example.jp/a&#61;b") == "https://example.jp/a&"


def test_an_ampersand_escaped_over_and_over_is_read_in_one_pass(monkeypatch):
    # An untrusted page's href of "&amp;amp;amp;…" or "/a&#38;#38;#38;…" was read one escape a pass, the URL
    # rebuilt each time: reading grew with the square of its length (1 MB of it, 15-30 s of the crawl held up).
    from crawler import urls

    class Counted:
        def __init__(self, pattern):
            self.pattern, self.calls = pattern, 0

        def __getattr__(self, name):
            self.calls += 1
            return getattr(self.pattern, name)

    query, path = Counted(urls._ESCAPED_AMPERSAND), Counted(urls._PATH_REFERENCE)
    monkeypatch.setattr(urls, "_ESCAPED_AMPERSAND", query)
    monkeypatch.setattr(urls, "_PATH_REFERENCE", path)
    assert canonical_url("https://example.jp/a?id=1&" + "amp;" * 500 + "#38;" * 500 + "p=2") == \
        "https://example.jp/a?id=1&p=2"
    assert canonical_url("https://example.jp/a&" + "#38;" * 500 + "#x3f;p=2&#38;q=3") == "https://example.jp/a?p=2&q=3"
    assert canonical_url("https://example.jp/a" + "&#38;" * 100 + "b") == "https://example.jp/a" + "&" * 100 + "b"
    assert query.calls <= 2 and path.calls <= 101, (query.calls, path.calls)


def test_a_feed_a_page_advertises_under_an_escaped_ampersand_is_read_under_its_whole_query():
    # A front page where a feed should be, its <link rel=alternate> escaped twice: "&#38;" named "?c=pol&" (the '#' a
    # fragment's), "&amp;" the parameter "amp;t": the feed read in the retired one's place was another, or none.
    from crawler.discovery import advertised_feeds

    body = ('<html><head><link rel="alternate" type="application/rss+xml" href="/feed.php?c=pol&amp;#38;t=rss">'
            '<link rel="alternate" type="application/atom+xml" href="/feed.php?c=eco&amp;amp;t=atom"></head></html>')
    assert advertised_feeds(body.encode(), "https://example.jp/") == [
        "https://example.jp/feed.php?c=pol&t=rss", "https://example.jp/feed.php?c=eco&t=atom"]


def test_a_jiji_article_is_its_k_whatever_else_its_links_carry():
    # Its feed's &m=rss, a genre, a photo and a referrer, in any order, and its smartphone copy:
    # one URL to fetch. Each was fetched again under its own key.
    one = "https://www.jiji.com/jc/article?k=2025070500264"
    for link in ("https://www.jiji.com/jc/article?k=2025070500264&g=int&m=rss",
                 "https://www.jiji.com/jc/article?g=int&k=2025070500264",
                 "https://www.jiji.com/jc/article?k=2025070500264&g=int&p=20250705at46S&rel=pv",
                 "https://www.jiji.com/sp/article?k=2025070500264&g=int"):
        assert canonical_url(link, HOSTS) == one, link
    # Elsewhere on the site ?g= is the page: the politics section, the news list.
    assert canonical_url("https://www.jiji.com/jc/c?g=pol", HOSTS) == "https://www.jiji.com/jc/c?g=pol"
    assert canonical_url("https://www.jiji.com/sp/list?g=news", HOSTS) == "https://www.jiji.com/sp/list?g=news"


def test_a_nikkei_asia_article_is_one_url_in_either_case_of_its_path():
    # The same article linked in 2025 (capitalised) and 2026 (lower-case), tests/fixtures/urls/nikkei_asia.tsv.
    old = "https://asia.nikkei.com/Business/Technology/Artificial-intelligence/Positive-review-only-Researchers-hide-AI-prompts-in-papers"
    new = "https://asia.nikkei.com/business/technology/artificial-intelligence/positive-review-only-researchers-hide-ai-prompts-in-papers"
    assert canonical_url(old, HOSTS) == canonical_url(new, HOSTS) == new
    # Escapes keep their hex upper-case; the query and other hosts keep their case.
    assert canonical_url("https://asia.nikkei.com/Opinion/Caf%C3%A9-Talk-x?Q=A", HOSTS) == \
        "https://asia.nikkei.com/opinion/caf%C3%A9-talk-x?Q=A"
    assert canonical_url("https://www.nikkei.com/article/DGXZQOUA1234A/", HOSTS) == "https://www.nikkei.com/article/DGXZQOUA1234A/"


def test_an_asahi_article_is_one_url_on_either_host_and_whatever_click_it_counts():
    www = "https://www.asahi.com/articles/ASV4X3C9GV4XPJLB00KM.html"
    assert canonical_url("https://digital.asahi.com/articles/ASV4X3C9GV4XPJLB00KM.html", HOSTS) == www
    assert canonical_url("http://digital.asahi.com/articles/ASV4X3C9GV4XPJLB00KM.html?iref=pc_extlink", HOSTS) == www
    # Only its articles: the rest of that host is another site (que.digital.asahi.com is another host).
    assert canonical_url("https://digital.asahi.com/info/", HOSTS) == "https://digital.asahi.com/info/"
    assert canonical_url("https://globe.asahi.com/article/14458240?cid=asadigi_rnavi_globe", HOSTS) == \
        "https://globe.asahi.com/article/14458240"


def test_an_nhk_article_linked_at_its_old_www3_address_is_its_news_web_nhk_article():
    outlet = registry()["nhk"]
    old = "http://www3.nhk.or.jp/news/html/20260808/k10015199841000.html"
    assert canonical_url(old, HOSTS) == canonical_url("https://news.web.nhk/newsweb/na/na-k10015199841000", HOSTS)
    assert outlet.is_article_url(canonical_url(old, HOSTS))
    # What has no id of the new site stays where it is: EASY's old pages (its new ids are other),
    # NHK WORLD, an article's video page, the section lists, a station's feed.
    for kept in ("https://www3.nhk.or.jp/news/easy/k10011959621000/k10011959621000.html",
                 "https://www3.nhk.or.jp/nhkworld/en/news/20230403_01/",
                 "https://www3.nhk.or.jp/news/html/20230403/movie/k10014027341_202304031356_202304031357.html",
                 "https://www3.nhk.or.jp/news/cat07.html",
                 "https://www3.nhk.or.jp/lnews/fukuoka/index.rdf"):
        assert canonical_url(kept, HOSTS) == kept


def test_a_bare_domain_is_its_www_host_where_the_site_is_served_on_www():
    assert canonical_url("https://sankei.com/article/20260106-FBLZCTMAKVJYHMXCNG6VMXUCXI/", HOSTS) == \
        "https://www.sankei.com/article/20260106-FBLZCTMAKVJYHMXCNG6VMXUCXI/"
    assert canonical_url("http://japantimes.co.jp/news/national/crime-legal", HOSTS) == \
        "https://www.japantimes.co.jp/news/national/crime-legal"
    # A site served on its bare domain keeps it (Japan Today's links of 2025-26), and so does a host
    # newsmon knows nothing of.
    assert canonical_url("https://japantoday.com/category/crime", HOSTS) == "https://japantoday.com/category/crime"
    assert canonical_url("https://example.jp/a", HOSTS) == "https://example.jp/a"


def test_a_yahoo_feed_link_is_the_article_it_links():
    article = "https://news.yahoo.co.jp/articles/154528fd964de95a6c02ae01d4cc7bcd74d3a517"
    assert canonical_url(article + "?source=rss", HOSTS) == article
    assert canonical_url(article + "?page=2&source=rss", HOSTS) == article + "?page=2"


def test_meaningful_query_and_unknown_mobile_hosts_are_kept():
    assert canonical_url("https://example.jp/a?id=2&page=1") == "https://example.jp/a?id=2&page=1"
    assert canonical_url("https://m.example.jp/a") == "https://m.example.jp/a"
    assert canonical_url("https://mainichi.jp/articles/20250114/k00/00m/030/335000c/amp", HOSTS) == \
        "https://mainichi.jp/articles/20250114/k00/00m/030/335000c"


@pytest.mark.parametrize("url, copy", [
    # Each form whose marker the key drops: the address a feed may list alone (spiders.news asks
    # for it where the key's answers 404).
    ("https://www.asahi.com/amp/articles/ASV5C451NV5CUEFT01YM.html", True),
    ("https://mainichi.jp/articles/20250114/k00/00m/030/335000c/amp", True),
    ("https://mainichi.jp/articles/20211013/k00/00m/040/098000c.amp", True),
    ("https://www.yomiuri.co.jp/economy/20211013-OYT1T50086/amp/", True),
    ("https://example.jp/news/123.amp.html", True),
    ("https://www3.nhk.or.jp/news/html/20230403/amp/k10014027131000.html", True),
    ("https://amp.example.jp/news/123.html", True),
    ("https://example.jp/news/123.html?amp=1", True),
    ("https://example.jp/news/123.html?outputType=amp", True),
    # The article's own address, and one that only names AMP in a word of its path.
    ("https://mainichi.jp/articles/20250114/k00/00m/030/335000c", False),
    ("https://example.jp/news/amplifier-123.html", False),
    ("https://example.jp/amp-news/123.html", False),
    ("https://example.jp/news/123.html?outputType=json", False),
])
def test_an_amp_copy_is_told_by_the_marker_its_key_drops(url, copy):
    assert amp_copy(url) is copy
    if copy:
        assert canonical_url(url, HOSTS | {"example.jp"}) != url


CONFIG = """
[outlets.example]
name = "Example Shimbun"
language = "ja"
feeds = ["http://127.0.0.1:8000/rss.xml"]
sitemaps = ["http://127.0.0.1:8000/sitemap.xml"]
start_urls = ["http://127.0.0.1:8000/news/"]
article_url_pattern = "/articles/"

[outlets.asahi]
feeds = ["https://www.asahi.com/rss/own.rdf"]
"""


def test_config_adds_an_outlet_and_overrides_a_builtin(tmp_path):
    path = tmp_path / "newsmon.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    example = config.outlets["example"]
    assert example.name == "Example Shimbun" and example.domains == ("127.0.0.1",)
    assert example.is_article_url("http://127.0.0.1:8000/articles/1.html")
    assert not example.rules  # generic extraction
    asahi = config.outlets["asahi"]
    assert asahi.feeds == ("https://www.asahi.com/rss/own.rdf",)
    assert asahi.rules == load_config(None).outlets["asahi"].rules  # only what was set changed


@pytest.mark.parametrize(
    "text,needle",
    [
        ("[outlets.x]\nname = 'X'\nfeeds = ['http://a/']\n", "article_url_pattern"),
        ("[outlets.x]\narticle_url_pattern = '/a/'\n", "at least one of feeds"),
        ("[outlets.x]\nfeeds = 'http://a/'\narticle_url_pattern = '/a/'\ncolour = 1\n", "unknown field"),
        ("[outlets.x\n", "not valid TOML"),
        ("[outlets.nhk]\ncookies = 'z_at=abc'\n", "must be a table of cookie names and values"),
        ("[outlets.nhk]\ncookies = { 'z at' = 'abc' }\n", "is not a cookie name"),
        ("[outlets.nhk]\ncookies = { z_at = 'a b; c' }\n", "is not a cookie value"),
        # A document not on the (built-in's) domains: the crawl refused it, the outlet "failing".
        ("[outlets.asahi]\nfeeds = ['http://127.0.0.1:8000/asahi.rdf']\n", "not on the domains of the built-in outlet"),
        ("[outlets.kyodo]\ndomains = ['kyodo.example']\nfeeds = ['http://kyodo.example/rss']\n",
         "start_urls: https://english.kyodonews.net/, the built-in outlet Kyodo News's, is not on the domains this "
         "table gives it"),
        ("[outlets.x]\ndomains = ['a.example']\nfeeds = ['http://b.example/']\narticle_url_pattern = '/a/'\n",
         "is not on the outlet's domains"),
    ],
)
def test_bad_config_says_what_to_fix(tmp_path, text, needle):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_config(path)


def test_an_outlets_cookies_are_read_and_override_nothing_else(tmp_path):
    # A consent given in a browser (NHK ONE's JWT, base64url with padding), for a built-in outlet.
    path = tmp_path / "c.toml"
    path.write_text('[outlets.nhk]\ncookies = { z_at = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln==", cmp = "\\"1\\"" }\n',
                    encoding="utf-8")
    nhk = load_config(path).outlets["nhk"]
    assert nhk.cookies == (("z_at", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln=="), ("cmp", '"1"'))
    assert nhk.feeds == load_config(None).outlets["nhk"].feeds and load_config(None).outlets["nhk"].cookies == ()


@pytest.mark.parametrize("written", [
    "feeds = ['http://日本語.jp/rss.xml']\n",
    "feeds = ['http://日本語.jp/rss.xml']\ndomains = ['xn--wgv71a119e.jp']\n",
    "feeds = ['http://xn--wgv71a119e.jp/rss.xml']\ndomains = ['日本語.jp']\n",
])
def test_an_outlet_on_a_japanese_domain_is_on_it_however_the_name_is_written(tmp_path, written):
    # The crawl requests 日本語.jp as xn--wgv71a119e.jp (Scrapy's safe_url_string): domains derived
    # as 日本語.jp refused its own feed ("failing"), punycode domains refused the feed written in
    # Japanese at load ("add its host to domains"), and 日本語.jp was "not a host name".
    path = tmp_path / "c.toml"
    path.write_text(f"[outlets.idn]\n{written}article_url_pattern = '/articles/'\n", encoding="utf-8")
    outlet = load_config(path).outlets["idn"]
    assert outlet.domains == ("xn--wgv71a119e.jp",)
    for url in ("http://日本語.jp/rss.xml", "http://xn--wgv71a119e.jp/rss.xml", "http://www.日本語.jp/a"):
        assert outlet.in_scope(url)
    assert outlet.is_article_url(canonical_url("http://日本語.jp/articles/1"))
def test_a_built_in_key_given_to_another_site_says_the_built_in_is_crawled_no_more(tmp_path):
    # [outlets.kyodo] for the Kyoto Shimbun: Kyodo News left every crawl without a word (meant, as in
    # tests/stories_site.py, or not); a path-scoped built-in's path took the other site's articles
    # off its scope.
    path = tmp_path / "c.toml"
    path.write_text("[outlets.kyodo]\nname = 'Kyoto'\ndomains = ['www.kyoto-np.example']\n"
                    "feeds = ['https://www.kyoto-np.example/rss']\nsitemaps = []\nstart_urls = []\n"
                    "article_url_pattern = '/articles/'\n"
                    "[outlets.mainichi_en]\ndomains = ['news.example']\nfeeds = ['https://news.example/rss']\n"
                    "sitemaps = []\nstart_urls = []\narticle_url_pattern = '/news/'\n"
                    "[outlets.nhk]\ndomains = ['nhk.or.jp', 'news.web.nhk', 'nhk-cdn.example']\n"
                    "[outlets.asahi]\nfeeds = ['https://www.asahi.com/rss/own.rdf']\n", encoding="utf-8")
    config = load_config(path)
    assert sorted(config.replaced) == ["kyodo", "mainichi_en"]  # nhk and asahi are their own sites still
    note, = config.replaced_notes(["kyodo", "asahi"])
    assert "[outlets.kyodo] is another site (www.kyoto-np.example) than the built-in outlet Kyodo News" in note
    assert "Kyodo News is not crawled" in note and "[outlets.my_kyodo]" in note
    assert len(config.replaced_notes()) == 2 and config.replaced_notes(["asahi"]) == []
    assert outlet_for_url("https://news.example/news/1", config.outlets).key == "mainichi_en"
def test_a_verbose_pattern_written_on_lines_of_its_own_is_taken(tmp_path):
    # (?x): white space and comments are no part of what it matches; refused for its line breaks,
    # as a pasted space is, a pattern that worked stopped the config.
    path = tmp_path / "c.toml"
    path.write_text("[outlets.ex]\nfeeds = ['http://news.example.jp/rss.xml']\narticle_url_pattern = \'\'\'(?x)\n"
                    "    ^/news/\n    \\d{8}/   # the day\n    [a-z0-9]+\\.html\n\'\'\'\n", encoding="utf-8")
    outlet = load_config(path).outlets["ex"]
    assert outlet.is_article_url("http://news.example.jp/news/20261206/abc.html")
    assert not outlet.is_article_url("http://news.example.jp/news/")
    path.write_text("[outlets.ex]\nfeeds = ['http://news.example.jp/rss.xml']\narticle_url_pattern = '/news/ '\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="begins or ends with a space"):
        load_config(path)


def test_missing_config_names_the_flag(tmp_path):
    with pytest.raises(ConfigError, match="NEWSMON_CONFIG"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("claimed", ["https://[broken/a", "https://news.example.jp:port/a"])
def test_a_page_claiming_a_url_no_parser_takes_keeps_its_article_under_the_fetch_url(claimed):
    # Its canonical link, og:url and JSON-LD url raised ValueError in every later step, and the
    # article was an extraction error, given up after three tries.
    from crawler.store import analyse

    page = (f'<html><head><link rel="canonical" href="{claimed}"><meta property="og:url" content="{claimed}">'
            f'<script type="application/ld+json">{{"@type": "NewsArticle", "url": "{claimed}"}}</script>'
            "<title>防衛力整備計画</title></head><body><article><h1>防衛力整備計画</h1>"
            + "<p>政府は防衛力整備計画の見直しについて有識者会議で議論を始めた。</p>" * 8
            + "</article></body></html>").encode()
    record = analyse(page, "https://news.example.jp/articles/1")
    assert record is not None
    assert record["url"] == record["canonical_url"] == "https://news.example.jp/articles/1"
    assert parsable(claimed) is None and parsable("/a/b", "https://x.jp/c") == "https://x.jp/a/b"
