"""Nikkei Asia (asia.nikkei.com), English.

One layout in the saved pages (2023-04). Subscriber-only articles are served with the first
paragraphs in ``#article-body-preview`` under a "limit view" overlay and an empty
``data-paywall-state``; free ones have ``data-paywall-state="free"`` and the whole body.
JSON-LD times are UTC; the core converts them to Japan time as for every known outlet.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

OUTLET = Outlet(
    key="nikkei_asia",
    name="Nikkei Asia",
    language="en",
    domains=("asia.nikkei.com",),
    feeds=("https://asia.nikkei.com/rss/feed/nar",),
    # Lower-case since the site's redesign: 2026 article links are /politics/defense/…,
    # /politics/international-relations/…, /economy/…; the capitalised paths of 2023 (/Politics)
    # were the start URLs before.
    start_urls=(
        "https://asia.nikkei.com/politics",
        "https://asia.nikkei.com/politics/international-relations",
        "https://asia.nikkei.com/politics/defense",
        "https://asia.nikkei.com/economy",
        "https://asia.nikkei.com/business",
        "https://asia.nikkei.com/opinion",
    ),
    # Articles are /<section>[/<subsection>…]/<headline-slug>, capitalised until about 2025
    # ("/Politics/International-relations/…"), lower-case since; section and tag pages are
    # /<Section>/<Name> with short names ("Business/Automobiles", "Spotlight/The-age-of-Great-
    # China"), so an article slug is told apart by its length: at least six hyphenated words
    # (dots occur: "Panasonic-looking-at-3-U.S.-states-…", "…-rate-hike-to-1.25"). /Location/…
    # are place listings.
    article_url_pattern=(
        r"^https?://asia\.nikkei\.com/(?!(?i:location|member|static)/)(?:[A-Za-z0-9-]+/)+"
        r"[A-Za-z0-9%.]+(?:-[A-Za-z0-9%.]+){5,}/?(?:[?#].*)?$"
    ),
    feed_window="unknown: the feed's items carry no dates (N1 feed survey, 2026-09-28)",
    feed_terms="not stated; Nikkei licenses its content (N1 feed survey, 2026-09-28)",
    evidence=(
        Evidence(
            "https://asia.nikkei.com/rss/feed/nar",
            "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)",
            "2026-09-28",
            "200, but no dates inside the feed (articles carry datePublished); also listed as "
            "allowed by robots.txt in a 2026 feed table (search-index id 70915890375)",
        ),
        *(
            Evidence(
                url,
                "public GitHub files with 2026 article links (search-index ids 60453470700, "
                "70842248638, 62160746119, 69121520451)",
                "2026-08",
                "the section of lower-case 2026 article paths (/politics/defense/…, "
                "/politics/international-relations/…, /economy/…); the section page itself was "
                "not seen. The saved 2023 pages link its capitalised form",
            )
            for url in (
                "https://asia.nikkei.com/politics",
                "https://asia.nikkei.com/politics/international-relations",
                "https://asia.nikkei.com/politics/defense",
                "https://asia.nikkei.com/economy",
            )
        ),
        *(
            Evidence(
                url,
                "tests/fixtures/saved/scrapping-webs/nikkei-asia-test_article_1.html (navigation)",
                "2023-04",
                "linked capitalised (/Business, /Opinion) in 2023; the lower-case form follows the "
                "2026 article paths and was not seen itself",
            )
            for url in ("https://asia.nikkei.com/business", "https://asia.nikkei.com/opinion")
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/nikkei_asia.tsv (saved pages 2023; public files 2024-2026)",
            "2026-09",
            "capitalised paths (2023-2026) and lower-case paths (2026) both match",
        ),
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
        "The feed, start URLs and article URL pattern were checked against public evidence "
        "(see evidence); nothing was fetched live. No sitemap is known (Fundus does not cover "
        "Nikkei Asia)."
    ),
)
