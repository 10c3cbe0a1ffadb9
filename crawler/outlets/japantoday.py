"""Japan Today (japantoday.com), English-language news on Japan (its own and agency copy).

No saved article page found (searched 2026-11-30): generic extraction, no rules. A real copy of
its feed of 2017 is among the saved files (feedreader/Rss20JapanToday.xml: 20 items, with the
feed's real mojibake in titles). URLs changed since: 2017 links were
www.japantoday.com/category/<section>/view/<slug>, links of 2025-2026 are
japantoday.com/category/<section>/<slug>, with the slug's capitals and dots as written
("Japan-U.S.-finance-chiefs-…"). A public feed archive keeps the feed's entries in daily files
of 2025 (rumca-js/RSS-Link-Database-2025): the five read (2025-01 to 2025-12) show that shape.
"""

from . import Evidence, Outlet

_FEED_2017 = "tests/fixtures/saved/feedreader/Rss20JapanToday.xml"
# The feed's entries as a feed archive read them on 2025-12-31 (source_url https://japantoday.com/feed);
# the archive keeps daily files of 2025 (2025/01/2025-01-02/… to 2025/12/2025-12-31/…).
_ARCHIVE_2025 = (
    "rumca-js/RSS-Link-Database-2025:2025/12/2025-12-31/https...japantoday.com.feed_entries.json"
    "@2f3b4cd19fbc909f12adb0413f8fd433993bdc69"
)

OUTLET = Outlet(
    key="japantoday",
    name="Japan Today",
    language="en",
    domains=("japantoday.com",),
    feeds=("https://japantoday.com/feed",),
    # /category/<section>/[<subsection>/][view/]<slug>, the slug at least three words: section and
    # subsection names have at most two (features/travel, features/new-products; picture-of-the-day
    # is a section only as the first part), and /category/<section>/[<subsection>/]feed, /rss are
    # feeds. Re-checked 2026-12-03 on the feed's links in five daily files of 2025
    # (rumca-js/RSS-Link-Database-2025): all fit. A picture of the day is slugged from its
    # caption's title, which can be two words (picture-of-the-day/Domannaka-Matsuri, 2024-08-25,
    # refused by the three-word rule); that section has no subsections, so any slug under it but
    # feed/rss is the picture's page.
    article_url_pattern=(
        r"^https?://(?:www\.)?japantoday\.com/category/(?:"
        r"picture-of-the-day/(?:view/)?(?!feed$|rss$)[^/?#]+"
        r"|[a-z0-9-]+/(?:[a-z0-9-]+/)?(?:view/)?(?!feed$|rss$)[^/?#]+?-[^/?#]+?-[^/?#]+"
        r")(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved article page; nothing checked live. The feed: a real copy of 2017 "
        "(self link https://www.japantoday.com/feed), japantoday.com/feed in source lists of "
        "2025-2026, and a public feed archive's daily files of 2025 (to 2025-12-31), "
        "with per-section feeds /category/<section>/feed (and /category/features/lifestyle/feed). "
        "Re-checked 2026-12-03: links in five of the archive's 2025 files and links of 2026 fit "
        "the pattern, but for a two-word picture-of-the-day slug (of 2024), now accepted. Article "
        "URLs from the 2017 feed and links of 2019-2026."
    ),
    evidence=(
        Evidence("https://japantoday.com/feed", "public GitHub file (search-index id 58619722505): a source list",
                 "2026-11-30",
                 "japantoday.com/feed (also search-index id 62144669083); the saved 2017 copy "
                 f"({_FEED_2017}) names itself https://www.japantoday.com/feed"),
        Evidence("https://japantoday.com/feed", _ARCHIVE_2025, "2025-12-31",
                 "source_url of a feed archive's daily files of 2025, 2025-01-02 to 2025-12-31"),
        Evidence("article_url_pattern", _FEED_2017, "2017-01-08",
                 "the feed's 20 links (/view/ form) and 2025-2026 links in public files "
                 "(tests/fixtures/urls/japantoday.tsv)"),
        Evidence("article_url_pattern", _ARCHIVE_2025, "2025-12-31",
                 "the feed's links of 2025-01-02, 2025-02-05, 2025-07-15, 2025-12-01 and 2025-12-31 "
                 "(news, features/<subsection>, picture-of-the-day); a link accessed 2026-03-18; "
                 "picture-of-the-day/Domannaka-Matsuri (2024-08-25) needed the two-word slug"),
    ),
    feed_window="20 items, about 11 hours (2017-01-07 06:30 to 17:12 JST, the saved copy)",
    feed_terms="not found",
    known_walls="none known",
)
