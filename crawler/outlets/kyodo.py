"""Kyodo News English (english.kyodonews.net), the wire service's English site.

No saved page of it was found in any public repository, test suite or data set searched
(2026-11-30): it is registered for discovery and read by generic extraction, no rules. The site
was rebuilt in 2025: article URLs changed from /news/<yyyy>/<mm>/<12 hex>-<slug>.html to
/articles/-/<n>, and the old /rss/news.xml and /rss/all.xml feeds answer 404; the home page
advertises /list/feed/rss4kyodonews-fzone instead. Its Japanese service is ``kyodo_47news``.

What is known of the pages, for whoever gets a saved one: the 2022 layout kept the text in
``div.article-body`` ``<p>``s and the time and section in ``p.credit`` (selectors of a 2022
Kyodo scraper, edupache/Kyodo-News-ETL:03_Get_articles_attributes.py); pages of 2026 carry
``<meta name="description">`` with the lead. Neither is verified here, so no rules.

Re-checked 2026-12-03 against public files of 2025-2026: the feed and the /articles/-/<n> shape
hold (to 2026-10), and articles of before the rebuild are linked under /articles/-/<n> too.
"""

from . import Evidence, Outlet

# Where each discovery URL and the article URL pattern was confirmed. The search index names some
# public files by an id only (as NHK's feed survey): those are cited by that id.
_ETL = "edupache/Kyodo-News-ETL:URLS_Kyodo.csv@44e220ba4afa43500c458a6a1f1454376b228341"
_REBUILD = "public GitHub file (search-index id 63150830655): a feed monitor's fix list"
_SURVEY_KO = "public GitHub file (search-index id 69481732601): a feed survey of 2026-09-09/10"
_BRIEFING = "public GitHub file (search-index id 56280829101): a news-briefing procedure of 2026"
_AUDIT = "public GitHub file (search-index id 70898959256): a news source audit finished 2026-10-08"
_TOPICS = "public GitHub file (search-index id 70408809528): a topic page updated 5 Oct 2026"

OUTLET = Outlet(
    key="kyodo",
    name="Kyodo News",
    language="en",
    domains=("english.kyodonews.net",),
    feeds=("https://english.kyodonews.net/list/feed/rss4kyodonews-fzone",),
    start_urls=("https://english.kyodonews.net/",),
    # /articles/-/<n> (site of 2025 onwards) and /news/<yyyy>/<mm>/<12 hex>-<slug>.html (before),
    # slugs as published ("kyodo-news-digest-may-13-2022--1-"). Sections (/news/world) and the old
    # feeds (/rss/all.xml) do not match. Re-checked 2026-12-03: /articles/-/<n> links of 2025-08
    # to 2026-10 in public files (n from 59582 to 87170), also for articles of before the rebuild
    # (48002, on a meeting of July 2024); the newest old-shape link found is of 2025-04.
    article_url_pattern=(
        r"^https?://english\.kyodonews\.net/(?:articles/-/\d+/?"
        r"|news/\d{4}/\d{2}/[0-9a-f]{12}-[a-z0-9-]+\.html)(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved page exists; nothing checked live. The feed is the one the home page "
        "advertised after the 2025 rebuild (a feed monitor's fix list; a 2026-09 feed survey "
        "recovered Kyodo at that address). The home page is server-rendered with its headlines "
        "as <h2>/<h3> links (a 2026 news-briefing procedure reads it with curl). Article URLs: "
        "127 of May 2022 from a Kyodo scraper's URL list, /articles/-/<n> links of 2025-2026. "
        "Re-checked 2026-12-03: a news source audit of 2026-10-08 found the feed working (headlines "
        "of the last seven days) and the home page reachable; /articles/-/<n> links run to "
        "2026-10-05 (n=87170); no new section or feed address was found. No sitemap known."
    ),
    evidence=(
        Evidence("https://english.kyodonews.net/list/feed/rss4kyodonews-fzone", _SURVEY_KO, "2026-09-09",
                 "Kyodo News restored at /list/feed/rss4kyodonews-fzone; a feed monitor notes "
                 "/rss/news.xml 404s since the rebuild and this is the only feed the home page "
                 f"still advertises ({_REBUILD})"),
        Evidence("https://english.kyodonews.net/", _BRIEFING, "2026-07",
                 "fetched with curl: headlines as <h2>/<h3>, article links /articles/-/<n> with "
                 "<meta name=description>. The file is undated; 2026-07 is the date of the article "
                 "id it fetches (79598; id 80715 was linked on 2026-07-26)"),
        Evidence("article_url_pattern", _ETL, "2022-05",
                 "old /news/<yyyy>/<mm>/<hex>-<slug>.html URLs; /articles/-/<n> links of 2025-2026 "
                 "in public files (tests/fixtures/urls/kyodo.tsv)"),
        Evidence("https://english.kyodonews.net/list/feed/rss4kyodonews-fzone", _AUDIT, "2026-10-08",
                 "state 'working': it gave validated headlines dated within seven days"),
        Evidence("https://english.kyodonews.net/", _AUDIT, "2026-10-08", "the publisher portal, 'reachable'"),
        Evidence("article_url_pattern", _TOPICS, "2026-10-05",
                 "/articles/-/87170; with /articles/-/<n> links of 2025-08 to 2026-10 in public "
                 "files (kherrick/news-summary:README.md@43468a94e27030c676a941bc58f494a1c79bd208 "
                 "of 2025-08-23 and others, tests/fixtures/urls/kyodo.tsv), none of another shape"),
    ),
    feed_window="not measured",
    feed_terms="not found (Kyodo's Japanese feeds are licensed, per the N1 feed survey of 2026-09-28)",
    known_walls="none known",
)
