"""FNNプライムオンライン (www.fnn.jp), the news site of Fuji TV and its FNN affiliates.

No saved page found (searched 2026-11-30): discovery only, generic extraction, no rules. Its
articles are /articles/-/<n>; the affiliates' lists are /category/news-<station> (news-sut for
テレビ静岡). The feed /list/feed/rss is in several projects' source lists of 2026, one of which
says it delivers hundreds of items a day.
"""

from . import Evidence, Outlet

_LIST = "public GitHub file (search-index id 70144571128): a reader's list of 66 sites with their terms"

OUTLET = Outlet(
    key="fnn",
    name="FNNプライムオンライン",
    language="ja",
    domains=("www.fnn.jp",),
    feeds=("https://www.fnn.jp/list/feed/rss",),
    start_urls=("https://www.fnn.jp/category/news/politics",),
    article_url_pattern=r"^https?://www\.fnn\.jp/articles/-/\d+(?:[?#].*)?$",
    discovery_notes=(
        "No saved page; nothing checked live. The feed is in source lists of 2026 (search-index "
        "ids 70447066109, 70281573883, 66874938545); the politics list is the page whose /rss "
        "another project reads (search-index id 55585925176). Article URLs of 2021-2026 from "
        "public files."
    ),
    evidence=(
        Evidence("https://www.fnn.jp/list/feed/rss", _LIST, "2026-11-30",
                 "FNN: RSS and links unrestricted, copyright notice only (https://www.fnn.jp/list/about); "
                 "limit 10 because it delivers hundreds of items a day"),
        Evidence("https://www.fnn.jp/category/news/politics", "public GitHub file (search-index id 55585925176)",
                 "2026-11-30", "FNNプライムオンライン(政治): https://www.fnn.jp/category/news/politics/rss"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/fnn.tsv)", "2026-10",
                 "/articles/-/<n> links of 2021-2026; one source list accepts FNN article links by /articles/-/"),
    ),
    feed_window="not measured (hundreds of items a day, per one source list)",
    feed_terms="RSS and links unrestricted; copyright notice only (https://www.fnn.jp/list/about, as summarised by one source list)",
    known_walls="none known",
)
