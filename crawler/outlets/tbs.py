"""TBS NEWS DIG (newsdig.tbs.co.jp), the JNN network's news site (TBS and its regional
affiliates: /articles/tuf/ テレビユー福島, /articles/bss/ 山陰放送, /articles/-/ TBS itself).

Four saved pages, 2022-12 and 2023-04, one layout: ``h1.article-header-title``,
``div.article-body`` with ``<br>``-separated lines. The three 2023 captures show the first lines
and "…" and a "続きを読む" link (``a.c-button-read``) to ``?display=1``: their dataLayer says
``artice_number_of_pages_view: article_0`` and 407, 288 and 96 characters, of which the page
holds 100, 98 and 86. The 2022 one is the ``article_1`` view, whole (525 of 533 characters read by
these rules). So the link is followed as the article's next page (``whole_at``), whose text
replaces the teaser.
"""

from . import Evidence, Outlet, Rules

_PAGE = "tests/fixtures/saved/a11y-converter/tbs-257448.html"
_SW = "mitul-kalariya/scrapping-webs:crwtbsnews/test/helpers/constant.py@a740524846d0c446f27939e99196dc96c3e5ef31"

OUTLET = Outlet(
    key="tbs",
    name="TBS NEWS DIG",
    language="ja",
    domains=("newsdig.tbs.co.jp",),
    sitemaps=("https://newsdig.tbs.co.jp/sitemap.xml",),
    start_urls=(
        "https://newsdig.tbs.co.jp/list/latest",
        "https://newsdig.tbs.co.jp/list/genre/%E5%9B%BD%E5%86%85",
        "https://newsdig.tbs.co.jp/list/genre/%E5%9B%BD%E9%9A%9B",
    ),
    # /articles/-/<n> (TBS) or /articles/<affiliate>/<n>, optionally ?display=1 / ?page=N.
    article_url_pattern=r"^https?://newsdig\.tbs\.co\.jp/articles/(?:-|[a-z]{2,6})/\d+(?:\?[^#]*)?(?:#.*)?$",
    rules=(
        Rules(
            version="2022-12",
            body=("div.article-body",),
            paragraphs="p",
            split_br=True,
            title=("h1.article-header-title",),
            published=("time.article-header-time",),
            whole_at=("div.article-footer a.c-button-read",),
        ),
    ),
    fixtures=(
        "a11y-converter/tbs-257448.html",
        "scrapping-webs/tbs-test_article_1.html",
        "scrapping-webs/tbs-test_article_2.html",
        "scrapping-webs/tbs-test_article_3.html",
    ),
    discovery_notes=(
        "Checked against the navigation of four saved pages (2022-12-29, 2023-01/04): the latest "
        "list and the genre pages, and the article URL shapes (/articles/-/<n>, "
        "/articles/<affiliate>/<n>, ?display=1). The sitemap is the one a scraper's test config "
        "used in 2023. No feed found. Nothing checked live."
    ),
    evidence=(
        Evidence("https://newsdig.tbs.co.jp/sitemap.xml", _SW, "2023-04", "SITEMAP_URL of a TBS scraper's tests"),
        Evidence("https://newsdig.tbs.co.jp/list/latest", _PAGE, "2022-12-29", "navigation 最新ニュース"),
        Evidence("https://newsdig.tbs.co.jp/list/genre/%E5%9B%BD%E5%86%85", _PAGE, "2022-12-29", "navigation 国内"),
        Evidence("https://newsdig.tbs.co.jp/list/genre/%E5%9B%BD%E9%9A%9B", _PAGE, "2022-12-29", "navigation 国際"),
        Evidence("article_url_pattern", _PAGE, "2023-04-05",
                 "article links of the four saved pages and the scraper's test URLs (tests/fixtures/urls/tbs.tsv)"),
    ),
)
