"""沖縄タイムス＋プラス (www.okinawatimes.co.jp), the web edition of the Okinawa Times, Okinawa's daily.

Added for its reporting where the policy lands: missile units and 南西シフト on the islands, the
bases, the prefecture's answers to the security documents, which the national papers cover later
or not at all. No saved page of it was found in any public repository or data set searched
(2026-12-02): discovery only, generic extraction, no rules.

Its URLs have the shapes of FNN's and of the Kyoto, Saga and Fukui papers' sites, which a
multi-country feed list groups as one CMS: articles at /articles/-/<n>, lists at /category/<name>,
one feed at /list/feed/rss. Its items are titled "… - 沖縄タイムス+プラス ニュース" or "… -
沖縄タイムス+プラス プレミアム"; the second kind is for paying members (a research log
marks the site's articles "paywalled" and could read only titles and snippets), so generic
extraction may get a teaser of those.
"""

from . import Evidence, Outlet

# The search index names most public files by an id only: those are cited by that id.
_DIGEST = "public GitHub file (search-index id 61940277003): an Okinawa news digest's crawler"
_DIGEST_ORDER = "search-index id 71405210342: a work order of the same digest, dated 2026-09-29"
_LIST = "public GitHub file (search-index id 70070151302): a multi-country feed list"
_LONGEVITY = "public GitHub file (search-index id 55853125358): a news scraper's source list"
_EDITORIALS = "public GitHub file (search-index id 42721260022): an editorial reader app, created 2020-10-19"

OUTLET = Outlet(
    key="okinawa_times",
    name="沖縄タイムス＋プラス (Okinawa Times)",
    language="ja",
    domains=("www.okinawatimes.co.jp",),
    feeds=("https://www.okinawatimes.co.jp/list/feed/rss",),
    start_urls=(
        "https://www.okinawatimes.co.jp/",
        # The paper's editorials: its stance on each deployment, which its news pieces report only.
        "https://www.okinawatimes.co.jp/category/editorial",
    ),
    # /articles/-/<n>: ids of 5 digits in 2016 (57351) to 7 in 2026 (1876630). Photo pages
    # (/articles/gallery/<n>?ph=<k>), category lists, the feed and the info pages do not match. A
    # page=N query is a later page of one article on this CMS, not an article of its own (none was
    # seen on this site): rejected, so the crawl reads it with page 1 (crawler/pagination.py).
    article_url_pattern=(
        r"^https?://www\.okinawatimes\.co\.jp/articles/-/\d{5,8}"
        r"(?:\?(?!(?:[^#]*&)?page=)[^#]*)?(?:#.*)?$"
    ),
    discovery_notes=(
        "No saved page; nothing checked live. The feed is the one an Okinawa news digest reads "
        "every day (its work order of 2026-09-29 still names the paper as its news source) and "
        "the one a multi-country feed list gives; readers of the site's RSS show items from 2020 "
        "(http://study.okinawa/news/times/2020/10/21, links then http://) to 2026-01-01 "
        "(hyogo-okinawa.jp/modules/rssc). Other feed URLs in public files (/rss/news.xml, "
        "/rss/articles.xml, /rss/index.xml, /feed, and /rss/20/index.xml of the pre-2016 site) are "
        "not confirmed: no file shows one answering, and a probe script (search-index id 60919305137) "
        "tries five more such guesses for this paper as a source that is down. No sitemap found. "
        "The home page is a scraper's start page; /category/editorial is an editorial reader's "
        "of 2020. Re-checked 2026-12-03: no 2021-2026 source names /category/editorial (the code "
        "index has it only in two versions of that reader), nor shows it gone: kept, unconfirmed "
        "since 2020-10-19. Editorials still appear: an editorial page of 2024 (articles/-/1333964, "
        "a stored embed card) is titled \"[社説]… | 社説 | 沖縄タイムス+プラス\", and a stored, "
        "undated page of the site lists editorials and columns together at "
        "/category/editorial-opinion (?page=296, items of 2014-01), which could be the parent "
        "list if /category/editorial has gone; not switched, as neither list is seen in 2025-2026. "
        "Article URLs of 2016-2026 from public files, all /articles/-/<n>."
    ),
    evidence=(
        Evidence("https://www.okinawatimes.co.jp/list/feed/rss", _DIGEST, "2026-09-29",
                 f"read daily with a 30-hour look-back ({_DIGEST_ORDER}); also in {_LIST}, next to the "
                 "Kyoto, Saga and Fukui papers' feeds at the same path"),
        Evidence("https://www.okinawatimes.co.jp/", _LONGEVITY, "2026-12-02",
                 "the page it loads for Okinawa Times, links kept if they contain okinawatimes.co.jp/; "
                 "the file is undated, so the day it was read"),
        Evidence("https://www.okinawatimes.co.jp/category/editorial", _EDITORIALS, "2020-10-19",
                 "the paper's editorial list, beside the other papers' editorial pages; /category/<name> "
                 "lists are linked by a newer agent tool too (/category/news-traffic, search-index id "
                 "18821887571); no newer source for this list found (re-checked 2026-12-03)"),
        Evidence("article_url_pattern", "public GitHub files and stored pages (tests/fixtures/urls/okinawa_times.tsv)",
                 "2026-08-04",
                 "/articles/-/<n> links of 2016-2026; gallery pages /articles/gallery/<n>?ph=1 of 2018 and 2020"),
    ),
    feed_window="not measured",
    feed_terms="not found",
    known_walls=(
        "プレミアム articles are for paying members (feed titles of 2020 and 2026; a research log "
        "(search-index id 62599720057) got titles and snippets only); no bot wall known"
    ),
)
