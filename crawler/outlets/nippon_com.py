"""nippon.com (www.nippon.com), the Nippon Communications Foundation's site on Japan, Japanese
edition (/ja/). Mostly features, reviews, data pages and photo essays, plus a news section
(/ja/news/, Kyodo News copy, /ja/news/kd<id>/); the English edition (/en/) is registered
separately as ``nippon_com_en``.

Three saved pages (2023-03): the text is in ``div.editArea``; no JSON-LD, so the headline comes
from ``og:title`` and the time from ``article:published_time``. No saved /ja/news/ page: whether
the rules fit a news page is unchecked.
"""

from . import Evidence, Outlet, Rules

_PAGE = "tests/fixtures/saved/scrapping-webs/nippon-test_article_2.html"
_SW = "mitul-kalariya/scrapping-webs:crwnippon/test/helpers/constant.py@b87238bd3b873a1abd8bcc0879df143f3511bd63"
# A reader app's feed catalogue (CHECKED = 2026-09-10): homepage /ja/, feedUrl /ja/feed/, and the
# RSS list /ja/rss_list/ as its guide. Its repository is not named by the search index.
_CATALOG = "public GitHub file (search-index id 68599708087): a feed catalogue, CHECKED 2026-09-10"

OUTLET = Outlet(
    key="nippon_com",
    name="nippon.com",
    language="ja",
    domains=("www.nippon.com",),
    # /ja/feed/ (latest) and /ja/rss-others/news.xml (the news section's Kyodo copy) are in several
    # projects' feed lists of 2025-2026; other /ja/rss-others/<section>.xml feeds (in-depth,
    # japan-data, japan-topics, guide-to-japan, japan-video) are in one list only and not added.
    feeds=("https://www.nippon.com/ja/feed/", "https://www.nippon.com/ja/rss-others/news.xml"),
    sitemaps=("https://www.nippon.com/ja/articles.xml",),
    start_urls=("https://www.nippon.com/ja/",),
    # /ja/<section>/<letter(s)+digits>/ : japan-topics/c030208, japan-topics/bg900462, images/i00066,
    # guide-to-japan/gu004112, in-depth/d01221, japan-data/h02350; the "today in history" pages
    # japan-topics/today0611/; and, re-checked 2026-12-03, the news section's Kyodo copy
    # /ja/news/kd<19 digits>/ (news/kd1410172998839256010/, cited in a public file of 2026-09-20
    # for data of 2025-12), which the letters+5-6-digits form rejected: "kd" and 19 digits in the
    # one such URL found, presumably Kyodo's numeric article id (its kiji.is links of 2017 had 18
    # digits), so 18-19. Links of 2023-2026 in public files (tests/fixtures/urls/nippon_com.tsv).
    article_url_pattern=(
        r"^https?://www\.nippon\.com/ja/[a-z-]+/(?:[a-z]{1,3}\d{5,6}|today\d{4,5}|kd\d{18,19})/?(?:[?#].*)?$"
    ),
    rules=(
        Rules(
            version="2023-03",
            body=("div.editArea",),
            # li: a review's data of its film or book ("監督・脚本：…", "上映時間：89分") under its text.
            paragraphs="p, h2, h3, li",
            # The stills among a review's paragraphs, their captions and credits
            # (p.photo_box_c_v2 > span.caption_v2: "…（ジョエリー・ムブンドゥ）Photos ©Christine Plenus"),
            # as every outlet's rules leave out captions. A photo essay (/ja/images/) captions its
            # pictures with its text, in p.gallary-img: kept.
            prune=('div.editArea p[class*="photo_box_"]',),
            # Photo credits and the banner-image caption under the text.
            # The heading of the trailer, an embedded video, is a heading of nothing in the text.
            drop=(r"^(?:バナー(?:画像|写真)|Photos?)\s*[:：©]", r"^Photos? ©", r"^予告編$"),
        ),
    ),
    fixtures=(
        "scrapping-webs/nippon-test_article_1.html",
        "scrapping-webs/nippon-test_article_2.html",
        "scrapping-webs/nippon-test_article_3.html",
    ),
    discovery_notes=(
        "Re-checked 2026-12-03 against public files of 2025-2026, nothing live. Feeds: /ja/feed/ "
        "(a feed catalogue checked 2026-09-10, several source lists) and /ja/rss-others/news.xml "
        "(verified by a project on 2026-09-23; several source lists), added; the RSS list is "
        "/ja/rss_list/. The home page /ja/ is confirmed by the same catalogue. The sitemap "
        "/ja/articles.xml is the one a nippon.com scraper's tests used (2023-04); no newer source "
        "names it, none says it is gone: kept, unconfirmed since. Article URLs of 2026 (in-depth, "
        "japan-data, news) fit the pattern once /ja/news/kd<id>/ was added; the rest of the shape "
        "is checked against three saved pages of 2023 and their links."
    ),
    evidence=(
        Evidence("https://www.nippon.com/ja/feed/", _CATALOG, "2026-09-10",
                 "feedUrl of nippon.com's row (guide: /ja/rss_list/); also in feed lists search-index ids "
                 "57406083488, 53122280366, 70070329287, 58578080097"),
        Evidence("https://www.nippon.com/ja/rss-others/news.xml",
                 "public GitHub file (search-index id 68359287471): NEWS_RSS_FEED_URL", "2026-09-23",
                 "the news section's feed of Kyodo copy, 'vérifié le 2026-09-23' in its comment; also in "
                 "search-index ids 57406083488 (homepage /ja/news/), 70563014764, 62491722993, 45440474718"),
        Evidence("https://www.nippon.com/ja/articles.xml", _SW, "2023-04", "SITEMAP_URL of a nippon.com scraper's tests"),
        Evidence("https://www.nippon.com/ja/", _PAGE, "2023-03-31", "the logo link of the saved pages"),
        Evidence("https://www.nippon.com/ja/", _CATALOG, "2026-09-10", "homepage of nippon.com's row"),
        Evidence("article_url_pattern", _PAGE, "2023-03-31",
                 "links of the three saved pages, and japan-topics/japan-data/images/guide-to-japan and "
                 "today<mmdd> URLs of 2023-2026 in public files (tests/fixtures/urls/nippon_com.tsv)"),
        Evidence("article_url_pattern", "public GitHub file (search-index id 69072517258): a survey dated 2026-09-20",
                 "2026-09-20",
                 "news/kd1410172998839256010/, the /ja/news/ shape added 2026-12-03; in-depth and japan-data "
                 "URLs in files of 2026-03 to 2026-05 fit unchanged (tests/fixtures/urls/nippon_com.tsv)"),
    ),
    feed_window="not measured",
    feed_terms=(
        "not read; a feed catalogue (2026-09-10) sums up the RSS list /ja/rss_list/ as inviting users "
        "to add the feed to a newsreader"
    ),
)
