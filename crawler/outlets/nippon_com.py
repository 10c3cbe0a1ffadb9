"""nippon.com (www.nippon.com), the Nippon Communications Foundation's site on Japan, Japanese
edition (/ja/). Features, reviews and photo essays rather than breaking news; the English
edition (/en/) is registered separately as ``nippon_com_en``.

Three saved pages (2023-03): the text is in ``div.editArea``; no JSON-LD, so the headline comes
from ``og:title`` and the time from ``article:published_time``.
"""

from . import Evidence, Outlet, Rules

_PAGE = "tests/fixtures/saved/scrapping-webs/nippon-test_article_2.html"
_SW = "mitul-kalariya/scrapping-webs:crwnippon/test/helpers/constant.py@b87238bd3b873a1abd8bcc0879df143f3511bd63"

OUTLET = Outlet(
    key="nippon_com",
    name="nippon.com",
    language="ja",
    domains=("www.nippon.com",),
    sitemaps=("https://www.nippon.com/ja/articles.xml",),
    start_urls=("https://www.nippon.com/ja/",),
    # /ja/<section>/<letter(s)+digits>/ : japan-topics/c030208, japan-topics/bg900462, images/i00066,
    # guide-to-japan/gu004112; and the "today in history" pages japan-topics/today0611/ (2023-2026
    # links in public files, tests/fixtures/urls/nippon_com.tsv).
    article_url_pattern=r"^https?://www\.nippon\.com/ja/[a-z-]+/(?:[a-z]{1,3}\d{5,6}|today\d{4,5})/?(?:[?#].*)?$",
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
        "The sitemap /ja/articles.xml is the one a nippon.com scraper's tests used (2023-04); the "
        "article URL shape is checked against three saved pages and their links. Nothing checked "
        "live; no feed known."
    ),
    evidence=(
        Evidence("https://www.nippon.com/ja/articles.xml", _SW, "2023-04", "SITEMAP_URL of a nippon.com scraper's tests"),
        Evidence("https://www.nippon.com/ja/", _PAGE, "2023-03-31", "the logo link of the saved pages"),
        Evidence("article_url_pattern", _PAGE, "2023-03-31",
                 "links of the three saved pages, and japan-topics/japan-data/images/guide-to-japan and "
                 "today<mmdd> URLs of 2023-2026 in public files (tests/fixtures/urls/nippon_com.tsv)"),
    ),
)
