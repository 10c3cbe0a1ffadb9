"""47NEWS (www.47news.jp), Kyodo News's Japanese news site, with the articles of the regional
papers that are its members.

No saved page found (searched 2026-11-30): discovery only, generic extraction, no rules. Kyodo's
Japanese articles also appear on nordot.app (its syndication platform, many publishers on one
host, so not registered) and some of Kyodo's corporate site www.kyodo.co.jp is press releases
(/pr/) and sponsored content, not news. The N1 feed survey (2026-09-28) found 47NEWS's RSS
answering 403 and Kyodo's feeds licensed, so no feed is listed: the top page is read instead.
"""

from . import Evidence, Outlet

_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"

OUTLET = Outlet(
    key="kyodo_47news",
    name="47NEWS (Kyodo News)",
    language="ja",
    domains=("www.47news.jp",),
    start_urls=("https://www.47news.jp/",),
    # /<n>.html (since about 2019; ids 4262540 … 15026982 in 2019-2026 links), /news/<n>.html
    # (before) and /47reporters/<n>.html (the reporters' features). Column lists
    # (/news/column/47column), images and feeds do not match.
    article_url_pattern=r"^https?://www\.47news\.jp/(?:news/|47reporters/)?\d{6,9}\.html(?:[?#].*)?$",
    discovery_notes=(
        "No saved page; nothing checked live. The top page is read by other projects' scrapers "
        "(one selects 'main > div.page_layout:nth-child(2) .post_items > a.post_item' on it). "
        "Article URLs from links of 2019-2026 in public files. Feed URLs in other projects "
        "(/rss/all.xml, /47news.rss) are not confirmed: the N1 survey got 403 on 47NEWS's RSS."
    ),
    evidence=(
        Evidence("https://www.47news.jp/", "public GitHub file (search-index id 49284374307): a reader's source list",
                 "2026-11-30",
                 "type html, item selector 'main > div.page_layout:nth-child(2) .post_items > a.post_item' "
                 "on the top page; listed as Kyodo's news site by other source lists too "
                 "(search-index id 70219293342)"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/kyodo_47news.tsv)", "2026-08",
                 "/<n>.html links of 2019-2026, /news/<n>.html and /47reporters/<n>.html of earlier years"),
    ),
    feed_window="no feed: the RSS answered 403 (N1 feed survey, 2026-09-28)",
    feed_terms=f"licensed only: no public RSS terms ({_N1})",
    known_walls=f"RSS answered 403; robots.txt refuses AI crawlers ({_N1}, 2026-09-28)",
)
