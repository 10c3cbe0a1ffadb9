"""Asahi Shimbun (朝日新聞デジタル, www.asahi.com), Japanese edition.

Two layouts are in the saved pages:

* the React layout, checked on pages of 2021-10, 2022, 2023-04, 2025-01 and 2026-05. Its CSS
  class names are generated and change with each build (the body is ``div._2rW9J`` in 2021,
  ``div.nfyQp`` later), so the rules anchor on ids instead: the body is the parent of the
  ``p#_gtm_LastLine`` end marker, or (2026, no marker) the ``div`` inside ``<main>`` that has
  paragraphs and the in-article ad slot ``#kijinaka_rect``. The text is that div's own ``p`` and
  ``h2`` children; photos, captions, video captions and related-link boxes are other children.
  A paid article (有料記事, 有料会員記事) shows a teaser, then "この記事は有料記事 残りN文字" in a
  box after the body; its header carries a 有料記事 label linking to /news/gold.html.
  Every page, free or not, ends with "有料会員になると会員限定の有料記事もお読みいただけます":
  that line is an advertisement, not a paywall.
* the older layout (2019-03): ``div.ArticleText`` inside ``div.ArticleBody``.

Reporters: JSON-LD ``author`` is the organisation; ``creator`` lists the reporters (read by the
core), cleaner than the header byline ("北京=上地一姫 冨名腰隆", "編集委員・田村建二").
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

# <meta name="pubdate"> is the publication time on both layouts. @value: the two saved
# postlight-parser copies were re-serialised by cheerio, which wrote every meta's content as
# value=; reading both keeps those pages and real ones working.
_PUBDATE = '//meta[@name="pubdate"]/@content | //meta[@name="pubdate"]/@value'
_TITLE_SUFFIX = r"\s*[：:]\s*朝日新聞(?:デジタル)?"

# The feed survey "ニュース source カタログ（N1）": one read-only fetch of each feed on 2026-09-28,
# with each outlet's RSS terms; a public GitHub file the search index does not name.
_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"
_FUNDUS = "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8"

#: Words of every page's <meta name="keywords"> that name the site, not the article's topics
#: (its topics are the rest: "社会", "災害・気象", "宮崎県" on the 2025 page, as Fundus reads them).
_SITE_WORDS = r"^(?:朝日新聞(?:デジタル)?|ニュース|新聞)$"

OUTLET = Outlet(
    key="asahi",
    name="朝日新聞デジタル",
    language="ja",
    domains=("asahi.com",),
    feeds=(
        "https://www.asahi.com/rss/asahi/newsheadlines.rdf",
        "https://www.asahi.com/rss/asahi/national.rdf",
        "https://www.asahi.com/rss/asahi/politics.rdf",
        "https://www.asahi.com/rss/asahi/international.rdf",
        "https://www.asahi.com/rss/asahi/business.rdf",
    ),
    sitemaps=("https://www.asahi.com/sitemap.xml",),
    start_urls=(
        "https://www.asahi.com/news/",
        "https://www.asahi.com/national/",
        "https://www.asahi.com/politics/",
        "https://www.asahi.com/politics/list/diplomacy.html",
        "https://www.asahi.com/international/",
        "https://www.asahi.com/business/",
        "https://www.asahi.com/opinion/",
    ),
    # /articles/AS<17-18 letters and digits>.html (web articles; feeds add ?ref=rss, links
    # ?iref=...). Photo pages are /articles/photo/AS<digits>.html, smartphone copies /sp/articles/,
    # the English edition /ajw/articles/ (the asahi_ajw outlet): none of them match. DA3S<8 digits>
    # is the id form of print-edition (紙面) articles: linked from the saved pages of 2019 and
    # 2021 (DA3S15074118.html?iref=com_fbox_d1_02) and in public files of 2025-26 (editorials,
    # DA3S16496826).
    # Re-checked 2026-12-03: 朝日新聞GLOBE+, Asahi's international-affairs magazine, is
    # globe.asahi.com/article/<8 digits>; every www.asahi.com page links it in its right-hand
    # GLOBE+ box (every saved page, 2019 to 2026: /article/16266066?iref=asadigi_rnavi_globe_l in
    # lakeoffire/asahi-land-cruiser-article, 2026-05), the top page too (?iref=comtop_Globe_02),
    # and public files cite it in 2025-26 (/article/16509669 of 2026-04-21). The pattern refused
    # it: it is taken now, without a query (iref and cid are dropped by canonical_url; the front
    # globe.asahi.com/ is no article).
    # Left out on purpose, though linked from the same boxes: the lifestyle and commerce brands
    # &w/&M/&Travel (/and/…/article/…), /and/pressrelease/ (PR TIMES releases), /relife/,
    # /thinkcampus/, book.asahi.com, sippo.asahi.com and asm.asahi.com: no news. Links to
    # digital.asahi.com/articles/<id>.html (the same article under the old members' host, in
    # public files up to 2026-04) are canonicalised to www (crawler/urls.py). GCO<16 digits> is
    # a Kyodo wire story carried by asahi.com: the top page's sports list of 2020-09-19 links four
    # (GCO2020091901001594.html, script-crawler/asahi-top-2020-09-19); none seen since, and
    # taken all the same, since a wire story on the strategy would be as lost as Asahi's own.
    article_url_pattern=(
        r"^https?://(?:www\.asahi\.com/articles/(?:AS[A-Z0-9]{15,18}|DA3S\d{8}|GCO\d{16})\.html(?:[?#].*)?"
        r"|globe\.asahi\.com/article/\d{8})$"
    ),
    feed_terms=(
        "no use on commercial sites (https://www.asahi.com/information/service/rss.html, as "
        "summarised by the N1 feed survey, 2026-09-28)"
    ),
    evidence=(
        Evidence(
            "https://www.asahi.com/rss/asahi/newsheadlines.rdf",
            _N1,
            "2026-09-28",
            "200 with 36 items in 24 h; the saved copy lakeoffire/asahi-newsheadlines-land-cruiser"
            ".rdf (2026-05) links http://www.asahi.com/articles/…?ref=rss, which canonicalises to "
            "the https page",
        ),
        Evidence(
            "https://www.asahi.com/rss/asahi/newsheadlines.rdf",
            "twill3c/midashi-sanmenkyo:tests/testthat/fixtures/asahi_sample.xml"
            "@e67d5751548af2cacd5a1c70fb0cb289e2f73b2f"
            " (saved: tests/fixtures/saved/midashi-sanmenkyo/asahi_sample.xml)",
            "2026-08-19",
            "a whole copy of the feed (channel dc:date 2026-08-19T22:29+09:00): RSS 1.0, 40 items, every "
            "link http://www.asahi.com/articles/…?ref=rss, every one taken and dated (test_registry)",
        ),
        *(
            Evidence(
                f"https://www.asahi.com/rss/asahi/{name}.rdf",
                "public GitHub feed lists (search-index ids 40667117672, 51818849135, 63490394154)",
                "2026-11-30",
                "listed beside newsheadlines.rdf by several 2025-2026 feed readers (undated files, "
                "read 2026-11-30); not fetched by any dated survey found",
            )
            for name in ("national", "politics", "international", "business")
        ),
        Evidence(
            "https://www.asahi.com/sitemap.xml",
            _FUNDUS,
            "2026-08-05",
            "the NewsMap of Fundus's AsahiShimbun publisher, not deprecated at that commit",
        ),
        Evidence(
            "https://www.asahi.com/news/",
            "tests/fixtures/saved/fundus-jp/AsahiShimbun_2025_01_13.html (navigation)",
            "2025-01-13",
            "linked as http://www.asahi.com/news/?iref=com_latestnews_p (iref is a click tracker)",
        ),
        *(
            Evidence(
                url,
                "tests/fixtures/saved/fundus-jp/AsahiShimbun_2025_01_13.html (navigation)",
                "2025-01-13",
                "linked with ?iref=pc_gnavi (a click tracker canonicalisation drops)",
            )
            for url in (
                "https://www.asahi.com/national/",
                "https://www.asahi.com/politics/",
                "https://www.asahi.com/politics/list/diplomacy.html",
                "https://www.asahi.com/international/",
                "https://www.asahi.com/business/",
                "https://www.asahi.com/opinion/",
            )
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/asahi.tsv (saved pages 2019-2026; public files of 2026)",
            "2026-08-13",
            "AS… ids of 2019-2026 with http/https, ?ref=rss and ?iref variants; the DA3S print-edition "
            "form was not seen in any source (it was: see the re-check below)",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/saved/ (the GLOBE+ box of every saved page, 2019-2026); public GitHub "
            "files (search-index ids 54338558150, 48953233503, 58735334076)",
            "2026-04-23",
            "re-checked 2026-12-03: GLOBE+ articles globe.asahi.com/article/<8 digits> (linked 2019 "
            "to 2026-05) were refused, now taken; DA3S links of 2019-2021 pages and editorials of "
            "2025-26 fit",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/saved/script-crawler/asahi-top-2020-09-19.html",
            "2020-09-19",
            "Kyodo wire stories /articles/GCO<16 digits>.html in the top page's sports list (four), "
            "refused until 2026-12-03; not seen in a later source",
        ),
    ),
    rules=(
        Rules(
            version="2021-10",
            keywords_drop=_SITE_WORDS,
            body=(
                '//main//p[@id="_gtm_LastLine"]/..',
                '//main//div[p][.//div[@id="kijinaka_rect"]]',
            ),
            # The body's own paragraphs and sub-headings only: related-link boxes, figures,
            # the "[PR]" ad and video captions are nested in other children.
            paragraphs="./p | ./h2 | ./h3",
            title_suffix=_TITLE_SUFFIX,
            # The header <time> (UTC) equals datePublished on every saved page, also on pages
            # updated later; it is the fallback when the meta is missing.
            published=(_PUBDATE, "//main//h1/following-sibling::div//time/@datetime"),
            paywall=(
                # "この記事は有料記事 残り821文字" / "この記事は有料会員記事 残り977文字"
                '//main//div[starts-with(normalize-space(.), "この記事は")]'
                '[contains(normalize-space(.), "有料")][contains(., "残り")]',
                # The 有料記事 / 有料会員記事 label in the header.
                '//main//h1/following-sibling::div//a[contains(@href, "/news/gold.html")]',
            ),
        ),
        Rules(
            version="2019-03",
            keywords_drop=_SITE_WORDS,
            body=("div.ArticleBody div.ArticleText", "div.ArticleText"),
            paragraphs="p, h2, h3",
            title=("div.ArticleTitle h1",),
            title_suffix=_TITLE_SUFFIX,
            published=(_PUBDATE,),
        ),
    ),
    fixtures=(
        "fundus-jp/AsahiShimbun_2025_01_13.html",
        "scrapping-webs/asahi-test_article_1.html",
        "scrapping-webs/asahi-test_article_2.html",
        "lakeoffire/asahi-land-cruiser-article.html",
        "java-extractarticle/000007-asahi.html",
        "java-extractarticle/000008-asahi.html",
        "java-extractarticle/000009-asahi.html",
        "postlight-parser/www.asahi.com.html",
        "postlight-parser/www.asahi.com_1551436747155.html",
    ),
    discovery_notes=(
        "Feeds, sitemap, start URLs and the article URL pattern were checked against saved pages "
        "and public evidence (see evidence); nothing was fetched live."
    ),
)
