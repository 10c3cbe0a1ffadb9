"""Kyodo News English (english.kyodonews.net), the wire service's English site.

No saved page: registered for discovery only, read by generic extraction. The site was rebuilt
in 2025: article URLs changed from /news/<yyyy>/<mm>/<12 hex>-<slug>.html to /articles/-/<n>,
and the old /rss/news.xml and /rss/all.xml feeds were reported gone.
"""

from . import Outlet

OUTLET = Outlet(
    key="kyodo",
    name="Kyodo News",
    language="en",
    domains=("english.kyodonews.net",),
    feeds=("https://english.kyodonews.net/list/feed/rss4kyodonews-fzone",),
    start_urls=("https://english.kyodonews.net/",),
    # /articles/-/<n> (site of 2025 onwards) and /news/<yyyy>/<mm>/<12 hex>-<slug>.html (before).
    article_url_pattern=(
        r"^https://english\.kyodonews\.net/(?:articles/-/\d+/?"
        r"|news/\d{4}/\d{2}/[0-9a-f]{12}-[a-z0-9-]+\.html)(?:[?#].*)?$"
    ),
    discovery_notes=(
        "Nothing verified against a saved copy (none exists). The feed URL and both article "
        "URL shapes come from third-party code and links seen in public repositories: "
        "/articles/-/<n> links dated 2025–2026, /news/<yyyy>/<mm>/<hex>-<slug>.html links of "
        "2020–2025, and notes that /rss/news.xml and /rss/all.xml return 404 since the 2025 "
        "rebuild while the home page advertises /list/feed/rss4kyodonews-fzone. No sitemap known."
    ),
)
