"""AFPBB News (www.afpbb.com), AFP's Japanese-language news site.

One saved page (2018-06, newspaper4k's test page): headline in ``h1.title``, the time the page
shows in ``span.day`` ("2018年6月18日 10:01", JST), the text in ``div.article-body`` as ``<p>``s
ending with the "(c)AFP/<name>" credit. Its metadata gets the time wrong by nine hours:
``cXenseParse:recs:publishtime`` says ``2018-06-18T10:01:00.000Z``, the JST wall time labelled
UTC (``epoch-publish-date`` 1529283660000 is 01:01 UTC, i.e. 10:01 JST), so the rules read the
visible time instead. The "このニュースをシェア" share bar above the text is outside the body.
"""

from . import Evidence, Outlet, Rules

_PAGE = "tests/fixtures/saved/newspaper4k/japanese_article2.html"
_N4K = "AndyTheFactory/newspaper4k:tests/data/html/japanese_article2.html@540bff3e8344cb8291c4829fafd98860f30d9692"

OUTLET = Outlet(
    key="afpbb",
    name="AFPBB News",
    language="ja",
    domains=("www.afpbb.com",),
    start_urls=(
        "https://www.afpbb.com/",
        "https://www.afpbb.com/list/latest",
        "https://www.afpbb.com/category/news",
        "https://www.afpbb.com/category/politics-economy",
    ),
    # /articles/-/<7 digits>, with ?cx_part=/cx_position= (where on the site the link was) or
    # ?pid=<photo> (which photo the page shows first) on its own links; not /articles/amp/<n>
    # (the AMP copy of the same article).
    article_url_pattern=r"^https?://www\.afpbb\.com/articles/-/\d{6,8}(?:[?#].*)?$",
    rules=(
        Rules(
            version="2018-06",
            body=("div.article-body",),
            paragraphs="p",
            title=("h1.title",),
            published=("span.day",),
        ),
    ),
    fixtures=("newspaper4k/japanese_article2.html",),
    discovery_notes=(
        "Checked against the navigation of one saved page (2018-06-18): the top page, the "
        "latest-news list and the category pages, and the article URL shape. Article URLs of "
        "2019-2026 in public files have the same shape (tests/fixtures/urls/afpbb.tsv). The feed "
        "http://feeds.afpbb.com/rss/afpbb/afpbbnews is the default of Misskey's RSS widget and of "
        "other readers, but it is http only (one reader notes an SSL error over https), so it "
        "is not listed: built-in discovery URLs are https. Nothing checked live."
    ),
    evidence=(
        Evidence("https://www.afpbb.com/", _PAGE, "2018-06-18", "the logo link (/?cx_part=nav); https in 2025-2026 links"),
        Evidence("https://www.afpbb.com/list/latest", _PAGE, "2018-06-18", "navigation 新着 (/list/latest?cx_part=nav)"),
        Evidence("https://www.afpbb.com/category/news", _PAGE, "2018-06-18", "navigation ニュース (/category/news?cx_part=nav)"),
        Evidence("https://www.afpbb.com/category/politics-economy", _PAGE, "2018-06-18",
                 "navigation 政治・経済 (/category/politics-economy?cx_part=nav)"),
        Evidence("article_url_pattern", f"{_PAGE} and tests/fixtures/urls/afpbb.tsv", "2026-07-21",
                 f"the saved page ({_N4K}) and its links of 2018, and /articles/-/<n> links of 2019-2026 "
                 "in public files, the newest of 2026-07-21"),
    ),
    known_walls="none known",
)
