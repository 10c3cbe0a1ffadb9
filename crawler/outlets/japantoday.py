"""Japan Today (japantoday.com), English-language news on Japan (its own and agency copy).

No saved article page found (searched 2026-11-30): generic extraction, no rules. A real copy of
its feed of 2017 is among the saved files (feedreader/Rss20JapanToday.xml: 20 items, with the
feed's real mojibake in titles). URLs changed since: 2017 links were
www.japantoday.com/category/<section>/view/<slug>, links of 2025-2026 are
japantoday.com/category/<section>/<slug>, with the slug's capitals and dots as written
("Japan-U.S.-finance-chiefs-…").
"""

from . import Evidence, Outlet

_FEED_2017 = "tests/fixtures/saved/feedreader/Rss20JapanToday.xml"

OUTLET = Outlet(
    key="japantoday",
    name="Japan Today",
    language="en",
    domains=("japantoday.com",),
    feeds=("https://japantoday.com/feed",),
    # /category/<section>/[<subsection>/][view/]<slug>, the slug at least three words: section and
    # subsection names have at most two (picture-of-the-day is a section only as the first part),
    # and /category/<section>/feed, /rss are feeds.
    article_url_pattern=(
        r"^https?://(?:www\.)?japantoday\.com/category/[a-z0-9-]+/(?:[a-z0-9-]+/)?(?:view/)?"
        r"(?!feed$|rss$)[^/?#]+?-[^/?#]+?-[^/?#]+(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved article page; nothing checked live. The feed: a real copy of 2017 "
        "(self link https://www.japantoday.com/feed) and japantoday.com/feed in source lists of "
        "2025-2026, with per-section feeds /category/<section>/feed. Article URLs from the 2017 "
        "feed and links of 2019-2026."
    ),
    evidence=(
        Evidence("https://japantoday.com/feed", "public GitHub file (search-index id 58619722505): a source list",
                 "2026-11-30",
                 "japantoday.com/feed (also search-index id 62144669083); the saved 2017 copy "
                 f"({_FEED_2017}) names itself https://www.japantoday.com/feed"),
        Evidence("article_url_pattern", _FEED_2017, "2017-01-08",
                 "the feed's 20 links (/view/ form) and 2025-2026 links in public files "
                 "(tests/fixtures/urls/japantoday.tsv)"),
    ),
    feed_window="20 items, about 11 hours (2017-01-07 06:30 to 17:12 JST, the saved copy)",
    feed_terms="not found",
    known_walls="none known",
)
