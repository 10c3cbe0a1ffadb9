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
    # A Google News sitemap index (its children are /news_sitemap.xml): the newest articles with
    # their publication dates, which the feed's items lack. Found on the re-check of 2026-12-03.
    sitemaps=("https://asia.nikkei.com/sitemap_news.xml",),
    # Lower-case since the site's redesign: 2026 article links are /politics/defense/…,
    # /politics/international-relations/…, /economy/…, /business/…, /opinion/…; the capitalised
    # paths of 2023 (/Politics) were the start URLs before. One article shows the move: linked as
    # /Business/Technology/Artificial-intelligence/Positive-review-only-… in 2025-07 and as
    # /business/technology/artificial-intelligence/positive-review-only-… in 2026.
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
    # are place listings. Re-checked 2026-12-03 on links of 2025-07 to 2026-09: /business/…,
    # /economy/…, /opinion/…, /spotlight/<topic>[/<sub>]/…, /editor-s-picks/interview/… all fit;
    # the shortest real slugs seen have eight words (boj-delivers-widely-expected-rate-hike-to-1.25,
    # nvidia-backed-data-center-builder-firmus-raises-505m). Shorter ones in public files
    # (/Economy/dollar-yen-decline, /economy/us-china-chip-controls-2026) are keyword slugs of
    # sample data, not Nikkei headlines, and were left out.
    article_url_pattern=(
        r"^https?://asia\.nikkei\.com/(?!(?i:location|member|static)/)(?:[A-Za-z0-9-]+/)+"
        r"[A-Za-z0-9%.]+(?:-[A-Za-z0-9%.]+){5,}/?(?:[?#].*)?$"
    ),
    feed_window="unknown: the feed's items carry no dates (N1 feed survey, 2026-09-28)",
    feed_terms="not stated; Nikkei licenses its content (N1 feed survey, 2026-09-28)",
    evidence=(
        Evidence(
            "https://asia.nikkei.com/sitemap_news.xml",
            "public GitHub file (search-index id 71057240652): a feed catalogue generated "
            "2026-10-07 by a script that downloads and validates each entry",
            "2026-10-07",
            "catalogued as a news sitemap: 30 entries, the newest of 2026-10-07",
        ),
        Evidence(
            "https://asia.nikkei.com/sitemap_news.xml",
            "public GitHub file (search-index id 62900774828): a news reader's Nikkei Asia source",
            "2026-12-03",
            "undated, read 2026-12-03: reads it as a sitemap index whose children are "
            "https://asia.nikkei.com/news_sitemap.xml (news:title, news:publication_date), the "
            "feed as fallback",
        ),
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
                "linked capitalised (/Business, /Opinion) in 2023",
            )
            for url in ("https://asia.nikkei.com/business", "https://asia.nikkei.com/opinion")
        ),
        *(
            Evidence(
                url,
                "public GitHub file (search-index id 70881113736): a news reader's section fronts",
                "2026-09-29",
                "a front it reads, lower-case, in a list dated 2026-09-29 (with "
                "https://asia.nikkei.com/business/markets); it records fronts that answer "
                "not found apart",
            )
            for url in ("https://asia.nikkei.com/business", "https://asia.nikkei.com/economy")
        ),
        Evidence(
            "https://asia.nikkei.com/opinion",
            "public GitHub file (search-index id 55088011534): a list of commentaries up to "
            "2026-04-21",
            "2026-04-21",
            "its Nikkei Asia opinion pieces are linked lower-case, /opinion/<slug> (one of "
            "2025-08-12); the /opinion page itself was not seen lower-case (an undated parser "
            "config reads https://asia.nikkei.com/Opinion, search-index id 14908520518)",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/nikkei_asia.tsv (saved pages 2023; public files 2024-2026)",
            "2026-09",
            "capitalised paths (2023-2026) and lower-case paths (2026) both match",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/nikkei_asia.tsv (public files of 2025-07 to 2026-09)",
            "2026-09",
            "re-checked 2026-12-03: lower-case /business, /economy, /opinion, /spotlight and "
            "/editor-s-picks article links of 2025-2026 match; section, location, feed and "
            "sitemap URLs do not",
        ),
    ),
    rules=(
        Rules(
            version="2023-04",
            # Its <meta name="keywords"> is the headline cut into words ("Rio,Tinto,reports,record,…"
            # on both saved pages): no topics.
            keywords=False,
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
        "The feed, sitemap, start URLs and article URL pattern were checked against public "
        "evidence (see evidence); nothing was fetched live. Re-checked 2026-12-03: the feed was "
        "read in 2026-09; the news sitemap index /sitemap_news.xml (not known before; Fundus "
        "does not cover Nikkei Asia) was validated by a feed catalogue on 2026-10-07, newest "
        "entry that day; /business and /economy are fronts of a 2026-09-29 reader, lower-case; "
        "/politics, /politics/international-relations, /politics/defense and /opinion are "
        "confirmed only as the sections of lower-case 2026 article paths, their pages not seen. "
        "The site moved from capitalised to lower-case paths between 2025-07 and 2026, and "
        "links of both forms are in public files."
    ),
)
