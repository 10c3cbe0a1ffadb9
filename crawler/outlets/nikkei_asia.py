"""Nikkei Asia (asia.nikkei.com), English.

One layout in the saved pages (2023-04). Subscriber-only articles are served with the first
paragraphs in ``#article-body-preview`` under a "limit view" overlay and an empty
``data-paywall-state``; free ones have ``data-paywall-state="free"`` and the whole body.
JSON-LD times are UTC; the core converts them to Japan time as for every known outlet.
"""

from __future__ import annotations

from . import Outlet, Rules

OUTLET = Outlet(
    key="nikkei_asia",
    name="Nikkei Asia",
    language="en",
    domains=("asia.nikkei.com",),
    feeds=("https://asia.nikkei.com/rss/feed/nar",),
    start_urls=(
        "https://asia.nikkei.com/Politics",
        "https://asia.nikkei.com/Politics/International-relations",
        "https://asia.nikkei.com/Economy",
        "https://asia.nikkei.com/Business",
        "https://asia.nikkei.com/Opinion",
    ),
    # Articles are /<Section>[/<Subsection>…]/<Headline-slug>; section and tag pages are
    # /<Section>/<Name> with short names ("Business/Automobiles", "Spotlight/The-age-of-Great-
    # China"), so an article slug is told apart by its length: at least six hyphenated words
    # (dots occur: "Panasonic-looking-at-3-U.S.-states-…"). /Location/… are place listings.
    article_url_pattern=(
        r"^https?://asia\.nikkei\.com/(?!Location/|member/|static/)(?:[A-Za-z0-9-]+/)+"
        r"[A-Za-z0-9%.]+(?:-[A-Za-z0-9%.]+){5,}/?(?:[?#].*)?$"
    ),
    rules=(
        Rules(
            version="2023-04",
            body=("div[data-article-body]",),
            paragraphs="p, h2, h3",
            prune=(
                "div[data-article-body] div.o-ads",
                "#AdAsia",
                "#paywall-offer",
                "#in-article-newsletter-signup",
            ),
            title=("h1.article-header__title",),
            title_suffix=r"\s*[-|]\s*Nikkei Asia\s*$",
            # The standfirst under the headline (JSON-LD alternativeHeadline).
            lead=("p.article-header__sub-title",),
            # The byline shown under the photo ("HIDETAKE MIYAMOTO, Nikkei staff writer"); wire
            # stories have none. JSON-LD says "Staff Writer" on every page, which is no name.
            authors=("span.article__author",),
            author_strip=r"^By\s+|,\s*(?:Nikkei|Contributing|Special)\b.*$",
            paywall=("#article-body-preview", "div.limit-view-overlay"),
        ),
    ),
    fixtures=(
        "scrapping-webs/nikkei-asia-test_article_1.html",
        "scrapping-webs/nikkei-asia-test_article_2.html",
    ),
    discovery_notes=(
        "Verified against saved pages: article_url_pattern matches the URLs of both saved pages"
        " and the 17 article links on them, and none of their 223 other asia.nikkei.com links"
        " (sections, /Location/ and /Spotlight/ listings, member pages); start_urls are links"
        " of the site navigation on those pages. Not verified: the feed /rss/feed/nar (widely"
        " used; the saved pages link only to the info.asia.nikkei.com/rss help page, no <link"
        " rel=alternate>); no sitemap is known (Fundus does not cover Nikkei Asia)."
    ),
)
