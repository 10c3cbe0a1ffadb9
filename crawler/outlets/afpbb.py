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
# Re-checked 2026-12-03. The search index names most public files by an id only: cited by it.
_REGISTRY = (
    "public GitHub file (search-index id 68599708087): a feed registry whose rows say checked "
    "2026-09-10"
)
_FALLBACK = (
    "public GitHub file (search-index id 70148567196): a news app's HTML fallback when its AFPBB "
    "feed fails (an earlier version: id 70118547888)"
)

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
    # (the AMP copy of the same article). A trailing slash is the same article (a 2016 link).
    article_url_pattern=r"^https?://www\.afpbb\.com/articles/-/\d{6,8}/?(?:[?#].*)?$",
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
        "latest-news list and the category pages, and the article URL shape. Re-checked "
        "2026-12-03 on 2025-2026 public files: the top page is the homepage of AFPBB in a feed "
        "registry checked 2026-09-10, and /list/latest is the page a news app reads for AFPBB "
        "articles when the feed fails (undated, of 2024 or later); /category/news and "
        "/category/politics-economy were found in no file of 2019-2026 (only in scrapers of the "
        "2018 site, as /category/news?page=N): kept, unconfirmed since 2018-06-18, neither "
        "confirmed nor shown gone. Another /category/<name>/rss (military) is in an undated "
        "config but in no 2018 navigation, so it is not taken for a section. Article URLs of "
        "2019-2026 in public files have the same shape (tests/fixtures/urls/afpbb.tsv). The "
        "feed http://feeds.afpbb.com/rss/afpbb/afpbbnews is the default of Misskey's RSS widget "
        "and of other readers (one AI-news source list of 2025 too), but it is http only (one "
        "reader notes an SSL error over https; the 2026 registry calls it a feed on another host "
        "and does not upgrade it), so it is not listed: built-in discovery URLs are https. The "
        "registry reads an https per-category feed instead, "
        "/list/sdata/rss/latest_news_category_sports.xml (sports): no such feed for news or "
        "politics was seen, so none is listed. Nothing checked live."
    ),
    evidence=(
        Evidence("article_url_pattern", "public GitHub file, search-index id 55246013436 "
                 "(tests/fixtures/urls/afpbb.tsv): a link of 2016, read 2026-12-04", "2026-12-04",
                 "/articles/-/3090359/ with a trailing slash, rejected by the pattern before 2026-12-04"),
        Evidence("https://www.afpbb.com/", _PAGE, "2018-06-18", "the logo link (/?cx_part=nav); https in 2025-2026 links"),
        Evidence("https://www.afpbb.com/", _REGISTRY, "2026-09-10",
                 "the homepage of its AFPBB row, beside the sports feed and /list/info/rss"),
        Evidence("https://www.afpbb.com/list/latest", _PAGE, "2018-06-18", "navigation 新着 (/list/latest?cx_part=nav)"),
        Evidence("https://www.afpbb.com/list/latest", _FALLBACK, "2026-12-03",
                 "the page it scans for /articles/-/ links; the file is undated (it sends an iOS 18 "
                 "user agent, so 2024-09 or later), so the day it was read"),
        Evidence("https://www.afpbb.com/category/news", _PAGE, "2018-06-18",
                 "navigation ニュース (/category/news?cx_part=nav); no 2019-2026 source found "
                 "(re-checked 2026-12-03)"),
        Evidence("https://www.afpbb.com/category/politics-economy", _PAGE, "2018-06-18",
                 "navigation 政治・経済 (/category/politics-economy?cx_part=nav); no 2019-2026 "
                 "source found (re-checked 2026-12-03)"),
        Evidence("article_url_pattern", f"{_PAGE} and tests/fixtures/urls/afpbb.tsv", "2026-07-21",
                 f"the saved page ({_N4K}) and its links of 2018, and /articles/-/<n> links of 2019-2026 "
                 "in public files, the newest of 2026-07-21"),
    ),
    known_walls="none known",
)
