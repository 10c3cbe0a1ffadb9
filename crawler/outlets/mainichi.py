"""Mainichi Shimbun (mainichi.jp), Japanese edition.

Two layouts are in the saved pages: the news layout of mainichi.jp/articles/ (checked on pages
of 2021-10, 2023-04 and 2025-01: the markup of the body did not change) and the older layout of
the 政治プレミア / 医療プレミア columns under mainichi.jp/premier/ (2021-10), whose pages are
paid: a teaser and a "この記事は有料記事です。" box.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

# The headline without " | 毎日新聞" and without the column and writer names that the premier
# pages put into <title> and og:title ("見出し |  | 稲葉剛 | 毎日新聞「政治プレミア」").
_TITLE = ('meta[name="cXenseParse:recs:mai-title"]',)
# Mainichi's paid-article box ("この記事は有料記事です。 残り1460文字（全文2839文字）"), seen on
# the premier pages; matched by its wording, which is Mainichi's for paid articles everywhere.
# The news layout of 2026 puts the wording in the panel's heading (h2.paywallpanel-head-title
# in div.paywallpanel, under the teaser: a page of japaniel/readerer's tests, 2026-02-08).
_PAYWALL_TEXT = (
    '//*[self::div or self::p or self::span or self::h2 or self::h3][text()[contains(., "この記事は有料記事です")]]'
)

#: "速報" leads the <meta name="keywords"> of every article page (the rest are its sections,
#: places and people, as Fundus reads them).
_SITE_WORDS = r"^速報$"

OUTLET = Outlet(
    key="mainichi",
    name="毎日新聞",
    language="ja",
    domains=("mainichi.jp",),
    feeds=("https://mainichi.jp/rss/etc/mainichi-flash.rss",),
    start_urls=(
        "https://mainichi.jp/flash/",
        "https://mainichi.jp/seiji/",
        "https://mainichi.jp/security/",
        "https://mainichi.jp/world/",
        "https://mainichi.jp/shakai/",
        "https://mainichi.jp/biz/",
        "https://mainichi.jp/editorial/",
    ),
    # /articles/<date>/<edition>/<genre>/<class>/<id>c ("k00/00m/030/335000c" for the web,
    # "ddm/005/070/123000c" for print); premier columns add /premier/<section>/. The English
    # edition (mainichi.jp/english/articles/...) is the mainichi_en outlet, and is left out.
    # Re-checked 2026-12-03 on public files of 2022-2026: the id also ends in "d" (an explainer
    # of 2022-07-22, osg/00m/040/001000d, cited as "Mainichi's 2022 explainer"; a Chiba flood
    # report of 2026-08-13, hrc/00m/040/001000d, in a news digest of 2026-08-15), which the
    # "c" alone rejected: [cd]. Edition "pr2" is a company's PR TIMES press release carried on
    # the site (20251027/pr2/00m/020/397000c, listed by the company beside its prtimes.jp
    # release, 2025-10), no article of the paper: pr<digit> is kept out. Photo galleries
    # (/graphs/<date>/mpj/00m/040/<id>f/<n>) never matched.
    article_url_pattern=(
        r"^https?://mainichi\.jp/(?:premier/[a-z]+/)?articles/\d{8}/(?!pr\d/)[0-9a-z]{2,4}/[0-9a-z]{3}"
        r"/[0-9a-z]{3}/\d{6}[cd]/?(?:[?#].*)?$"
    ),
    # A crawl interval longer than this loses flash items unless a section page still lists them.
    feed_window="~3.3 hours: 20 items on 2026-09-28 (N1 feed survey)",
    feed_terms=(
        "no commercial use (an 'experimental' service; https://mainichi.jp/rss/, as summarised "
        "by the N1 feed survey, 2026-09-28)"
    ),
    evidence=(
        Evidence(
            "https://mainichi.jp/rss/etc/mainichi-flash.rss",
            "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)",
            "2026-09-28",
            "200, 20 items covering about 3.3 hours; also the RSSFeed of Fundus's MainichiShimbun "
            "publisher (flairNLP/fundus@18da6e53, 2026-08-05)",
        ),
        Evidence(
            "https://mainichi.jp/rss/etc/mainichi-flash.rss",
            "twill3c/midashi-sanmenkyo:tests/testthat/fixtures/mainichi_sample.xml"
            "@e67d5751548af2cacd5a1c70fb0cb289e2f73b2f"
            " (saved: tests/fixtures/saved/midashi-sanmenkyo/mainichi_sample.xml)",
            "2026-08-19",
            "a whole copy of the feed (channel dc:date 2026-08-19T23:47+09:00): RSS 1.0 despite its name, "
            "CRLF, 20 items, every one taken and dated (test_registry)",
        ),
        *(
            Evidence(
                f"https://mainichi.jp/{section}/",
                "tests/fixtures/saved/fundus-jp/MainichiShimbun_2025_01_14.html (navigation)",
                "2025-01-14",
                "a link of the site navigation (also on the 2021 and 2023 pages)",
            )
            for section in ("flash", "seiji", "security", "world", "shakai", "biz", "editorial")
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/mainichi.tsv (saved pages 2021-2025; public files of 2026)",
            "2026-08-31",
            "web (k00/00m/…) and premier ids of 2021-2026",
        ),
        Evidence(
            "article_url_pattern",
            "public GitHub files (search-index ids 62104163785, 69379808254, 60245532622; "
            "tests/fixtures/urls/mainichi.tsv)",
            "2026-08-15",
            "re-checked 2026-12-03: ids ending in \"d\" are articles too (an explainer of 2022-07-22, "
            "a flood report of 2026-08-13 in a digest of 2026-08-15), so [cd]; edition pr2 is a "
            "company's PR TIMES release (2025-10), kept out",
        ),
    ),
    rules=(
        Rules(
            version="2021-10",
            keywords_drop=_SITE_WORDS,
            body=("section#articledetail-body",),
            paragraphs="p, h2, h3",
            # In-body ad slots and figures hold no paragraphs, but their captions and the
            # "Advertisement" label must never reach the text if the markup ever nests them in p.
            prune=("#articledetail-body aside", "#articledetail-body figure"),
            title=_TITLE,
            title_suffix=r"\s*[|｜\-]\s*毎日新聞.*",
            # The reporter links of the header ("寺町六花", "原田啓之"); JSON-LD names only the
            # organisation 毎日新聞.
            authors=("#articledetail-title a.articletag-author",),
            paywall=("div.paywallpanel", _PAYWALL_TEXT),
        ),
        Rules(
            version="2021-10-premier",
            keywords_drop=_SITE_WORDS,
            body=("article.news div.article-container div.main-column",),
            paragraphs="p, h2, h3",
            prune=("div.article-container figure",),
            title=_TITLE,
            title_suffix=r"\s*[|｜].*$",
            # The header's writer link is "稲葉剛・立教大学…教授"; the profile box has the name alone.
            authors=("div.writer-profile p.name",),
            # No JSON-LD on these pages; <time> has the day only. firstcreate is the
            # first-publication time to the second (cXense's publishtime agrees).
            published=('meta[name="firstcreate"]', 'meta[name="cXenseParse:recs:publishtime"]'),
            modified=('meta[name="lastupdate"]',),
            paywall=("div.readmore-tool", _PAYWALL_TEXT),
            # The teaser ends in a paragraph that is only an ellipsis.
            drop=(r"^[…\.]+$",),
        ),
    ),
    fixtures=(
        "fundus-jp/MainichiShimbun_2025_01_14.html",
        "scrapping-webs/mainichi-test_article_1.html",
        "scrapping-webs/mainichi-test_article_2.html",
        "java-extractarticle/000021-mainichi.html",
        "java-extractarticle/000019-mainichi.html",
        "java-extractarticle/000020-mainichi.html",
        "readerer/mainichi_article.html",
    ),
    discovery_notes=(
        "The feed, start URLs and the article URL pattern were checked against saved pages and "
        "public evidence (see evidence); nothing was fetched live. No sitemap is known."
    ),
)
