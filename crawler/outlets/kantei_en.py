"""The Prime Minister's Office in English (japan.kantei.go.jp): the English versions of the
Prime Minister's statements, press conferences, speeches and diplomatic meetings, and the
cabinet's decisions, a primary source (``primary_source``). Many are marked "[Provisional
translation]".

No saved page (searched 2026-11-30): generic extraction, no rules. Its feed and news list
answered 200 to scripts in 2026-03. Sections are numbered by cabinet, like the Japanese site's
(/105/ is the Takaichi cabinet; /104/ pages answered 404 in 2026-03), which is why only the
feed and the cabinet-independent news list are used for discovery.
"""

from . import Evidence, Outlet

_GOVTEST = "fetchability test of Japanese government sources, public GitHub file (search-index id 63218334387)"

OUTLET = Outlet(
    key="kantei_en",
    name="Prime Minister's Office of Japan (English)",
    language="en",
    domains=("japan.kantei.go.jp",),
    feeds=("https://japan.kantei.go.jp/index-e2.rdf",),
    start_urls=("https://japan.kantei.go.jp/news/index.html",),
    # /<cabinet>/(statement|actions|speech|diplomatic)/<yyyymm>/<name>.html and
    # /<cabinet>/decisions/<yyyy>/<name>.html; <cabinet> is "105", "101_kishida", "98_abe".
    # Index pages, the cabinet member lists (/104/meibo/) and static pages do not match.
    article_url_pattern=(
        r"^https?://japan\.kantei\.go\.jp/\d{2,3}(?:_[a-z]+)?/"
        r"(?:(?:statement|actions|speech|diplomatic)/\d{6}|decisions/\d{4})/(?!index\.html)[\w-]+\.html(?:[?#].*)?$"
    ),
    primary_source=True,
    discovery_notes=(
        "No saved page; nothing checked live. Feed and news list from a 2026-03-19 fetchability "
        "test (both 200; the feed is RSS 2.0 with /105/ links). Article URLs of 2019-2026 from "
        "public files, fewer than ten."
    ),
    evidence=(
        Evidence("https://japan.kantei.go.jp/index-e2.rdf", _GOVTEST, "2026-03-19",
                 "200, valid RSS 2.0, current items with /105/ paths; listed on /rss.html"),
        Evidence("https://japan.kantei.go.jp/news/index.html", "public GitHub file (search-index id 53324825160)",
                 "2026-03-19", f"a source list's URL for Japan; /news/ answered 200 to curl in {_GOVTEST}"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/kantei_en.tsv)", "2026-09",
                 "statement, speech, diplomatic and decisions pages of 2019-2026"),
    ),
    feed_window="not measured",
    feed_terms=(
        "the RSS terms forbid building websites or mail magazines from the feed "
        "(https://japan.kantei.go.jp/rss.html, as summarised in search-index id 70487111818)"
    ),
    known_walls="none known (200 to curl, 2026-03-19)",
)
