"""Sankei Shimbun (www.sankei.com), Japanese edition.

One layout family in the saved pages (Arc Publishing, since the 2021 relaunch; seen in 2021-10,
2023-03 and 2025-01): ``div.article-body`` with ``p.article-text`` paragraphs. In 2021 the
sub-headings were ``span.article-middle-headline`` and the headline an ``h3``; later ``h2`` and
``h1``. Member-only articles ("有料会員記事") carry ``article.paid_members`` and show a teaser.
Sankei's ``<meta name="author">`` is the publisher "SANKEI DIGITAL INC." and the JSON-LD
author is often the organisation "産経ニュース": bylines are read from the article header.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

#: Every saved page (2019-2025) carries the same <meta name="news_keywords">: the site's name
#: and its sections. The article's own are the section links above its title.
_SITE_WORDS = r"^(?:産経新聞|産経|サンケイ|新聞|ニュース|速報|政治|経済|社会|国際|スポーツ|エンタメ)$"

OUTLET = Outlet(
    key="sankei",
    name="産経ニュース",
    language="ja",
    domains=("www.sankei.com", "sankei.com"),
    feeds=(
        "https://www.sankei.com/arc/outboundfeeds/rss/?outputType=xml",
        "https://www.sankei.com/arc/outboundfeeds/rss/category/politics/?outputType=xml",
    ),
    sitemaps=("https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml",),
    start_urls=(
        "https://www.sankei.com/flash/",
        "https://www.sankei.com/politics/",
        "https://www.sankei.com/world/",
        "https://www.sankei.com/affairs/",
        "https://www.sankei.com/economy/",
        "https://www.sankei.com/column/editorial/",
    ),
    # /article/<yyyymmdd>-<26-character Arc id>/ . Continuation pages (/…/2/, "続きを見る" and
    # <link rel=next> on the first) and photo pages (/…/photo/<id>/) are parts of an article, not
    # articles; the crawl reads the continuation pages with the first (crawler/pagination.py). An id
    # may end in -<n>: the editorial <主張>成田で土地収用… of 2026-07-28 on the front page was
    # /article/20260728-XKGWIN6NMJORLKFXXQAQ5HENPI-2/ (refused before 2026-12-04).
    article_url_pattern=r"^https?://www\.sankei\.com/article/\d{8}-[A-Z0-9]{26}(?:-\d{1,2})?/?(?:[?#].*)?$",
    feed_terms="no terms published for the feeds (N1 feed survey, 2026-09-28: to be asked)",
    evidence=(
        Evidence(
            "article_url_pattern",
            "groundcobra009/japan-news-frontpage-index@d87d67e7 data/2026/07/2026-07-28.csv "
            "(tests/fixtures/urls/sankei.tsv)",
            "2026-07-28",
            "an editorial (主張) linked from the front page at an id ending in -2, refused by the pattern before "
            "2026-12-04; the other 2,000-odd Sankei links of 2026-07/08 there have the bare 26-character id",
        ),
        Evidence(
            "https://www.sankei.com/arc/outboundfeeds/rss/?outputType=xml",
            "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)",
            "2026-09-28",
            "200 (the old /rss/news/*.xml feeds answer 404)",
        ),
        Evidence(
            "https://www.sankei.com/arc/outboundfeeds/rss/category/politics/?outputType=xml",
            "public GitHub file (search-index id 10351687947)",
            "2026-11-30",
            "a feed reader's fix replaces https://www.sankei.com/rss/politics.xml by this URL "
            "(undated file, read 2026-11-30); the same Arc outbound-feed scheme as the main feed",
        ),
        Evidence(
            "https://www.sankei.com/feeds/sitemapindex-category/?outputType=xml",
            "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
            "2026-08-05",
            "the NewsMap of Fundus's SankeiShimbun publisher, not deprecated at that commit",
        ),
        *(
            Evidence(
                f"https://www.sankei.com/{section}/",
                "tests/fixtures/saved/fundus-jp/SankeiShimbun_2025_01_21.html (navigation)",
                "2025-01-21",
                "a link of the site navigation (also on the 2021 and 2023 pages)",
            )
            for section in ("flash", "politics", "world", "affairs", "economy", "column/editorial")
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/sankei.tsv (saved pages 2021-2025; public files of 2026)",
            "2026-09-28",
            "Arc ids of 2021-2026, with and without the trailing slash, ?outputType=amp and the "
            "ownedutm_ ranking trackers",
        ),
    ),
    rules=(
        Rules(
            version="2021-10",
            keywords_drop=_SITE_WORDS,
            # The sections above its title ("社会", "地震・災害", "関東": ul.section-list in 2025,
            # ul.article-header-section-list before) and its series tag below it ("特集・連載：
            # ウクライナ侵攻").
            tags=("//ul[contains(concat(' ', @class, ' '), ' section-list ') "
                  "or contains(concat(' ', @class, ' '), ' article-header-section-list ')]/li "
                  "| //div[@class='article-footer-tag']/a",),
            # The first of those: its section ("社会"); the page's metadata names none.
            section=("ul.section-list > li", "ul.article-header-section-list > li"),
            body=("div.article-body",),
            paragraphs="p.article-text, h2, h3, *.article-middle-headline",
            prune=(
                "div.article-body figure",
                "div.article-body div.article-link_list",
                "div.article-body div.inline-gptAd",
                "div.article-body div.inline-ad",
            ),
            title_suffix=r"\s*(?:（\d+/\d+ページ）)?\s*[-|｜]\s*産経(?:ニュース|新聞).*$",
            # The reporter link in the header (a.author-name in 2021-2023, div.author-name in
            # 2025); pages without a byline give none rather than the organisation.
            authors=("div.article-header *.author-name",),
            # The article element is "article-wrapper free" on free pages and "article-wrapper
            # paid_members" on 有料会員記事; anything but "free" (registration-only 会員記事
            # too) restricts the text. The header labels restricted articles.
            paywall=(
                "//article"
                '[contains(concat(" ", normalize-space(@class), " "), " article-wrapper ")]'
                '[not(contains(concat(" ", normalize-space(@class), " "), " free "))]',
                "div.article-header span.restrictions",
                "#__member_offer_block",
            ),
            # Section dividers ("□ □", "◇") are typography, not text.
            drop=(r"^[□■◇◆○●\s]+$",),
        ),
    ),
    fixtures=(
        "fundus-jp/SankeiShimbun_2025_01_21.html",
        "scrapping-webs/sankei-test_article_1.html",
        "scrapping-webs/sankei-test_article_2.html",
        "scrapping-webs/sankei-test_article_3.html",
        "scrapping-webs/sankei-test_article_4.html",
        "scrapping-webs/sankei-test_article_5.html",
        "scrapping-webs/sankei-test_article_6.html",
        "scrapping-webs/sankei-test_article_7.html",
        "java-extractarticle/000015-sankei.html",
        "java-extractarticle/000016-sankei.html",
        "java-extractarticle/000017-sankei.html",
    ),
    discovery_notes=(
        "Feeds, sitemap, start URLs and the article URL pattern were checked against saved pages "
        "and public evidence (see evidence); nothing was fetched live."
    ),
)
