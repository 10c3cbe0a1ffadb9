"""The Japan News by The Yomiuri Shimbun (japannews.yomiuri.co.jp), the English edition.

One layout in the saved pages (a WordPress theme, checked on a page of 2024-10): the text is the
``<p>`` and ``<h2>`` of ``div#p-article-block``; byline, dateline and photo sit in the same block
and are pruned. The "POPULAR ARTICLE" and "JN ACCESS RANKING" sidebars, the latest-articles and
popular-articles lists are outside the block; they are pruned all the same, so that no nesting
change can bring them into the text (seed-article.txt shows what a naive extraction leaks).

A subdomain of yomiuri.co.jp: ``outlet_for_url`` prefers this outlet because its domain is the
longer match.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

#: JSON-LD keywords "(1) 無料記事": the page's access flag ("free article"), not a topic.
_SITE_WORDS = r"無料記事"

OUTLET = Outlet(
    key="japannews",
    name="The Japan News",
    language="en",
    domains=("japannews.yomiuri.co.jp",),
    feeds=("https://japannews.yomiuri.co.jp/feed/",),
    sitemaps=("https://japannews.yomiuri.co.jp/sitemap-news.xml",),
    start_urls=(
        "https://japannews.yomiuri.co.jp/latestnews/",
        "https://japannews.yomiuri.co.jp/politics/",
        "https://japannews.yomiuri.co.jp/politics/defense-security/",
        "https://japannews.yomiuri.co.jp/society/",
        "https://japannews.yomiuri.co.jp/business/",
        "https://japannews.yomiuri.co.jp/world/",
        "https://japannews.yomiuri.co.jp/editorial/",
    ),
    # /<section>/[<subsection>/]<yyyymmdd>-<post id>/; attachment, author, tag and category pages
    # have no dated id.
    article_url_pattern=(
        r"^https?://japannews\.yomiuri\.co\.jp/(?:[a-z0-9-]+/){1,2}\d{8}-\d{4,8}/?(?:[?#].*)?$"
    ),
    known_walls=(
        "bot protection serving an empty document: Fundus deprecated its TheJapanNews publisher "
        "on 2026-04-19 because 'fundus always receives an empty document' "
        "(https://github.com/flairNLP/fundus/pull/908, merged 2026-06-09)"
    ),
    evidence=(
        Evidence(
            "https://japannews.yomiuri.co.jp/feed/",
            "public GitHub feed lists (search-index ids 29252086764, 60293895405, 55649299887)",
            "2026-11-30",
            "WordPress's standard feed, listed by several 2025-2026 news readers (undated files, read "
            "2026-11-30); the saved 2024 page links no feed (its <link rel=alternate> are oEmbed). "
            "Not fetched by any dated survey found",
        ),
        Evidence(
            "https://japannews.yomiuri.co.jp/sitemap-news.xml",
            "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
            "2026-04-19",
            "the NewsMap of Fundus's TheJapanNews publisher, deprecated on 2026-04-19 because the "
            "site serves bots an empty document (see known_walls)",
        ),
        *(
            Evidence(
                f"https://japannews.yomiuri.co.jp/{path}",
                "tests/fixtures/saved/fundus-jp/TheJapanNews_2024_10_13.html (navigation)",
                "2024-10-13",
                "a link of the site navigation",
            )
            for path in (
                "latestnews/", "politics/", "politics/defense-security/", "society/", "business/",
                "world/", "editorial/",
            )
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/japannews.tsv (saved page 2024; public files 2025-2026)",
            "2026-08-20",
            "dated post ids of 2022-2026 under one or two section levels",
        ),
    ),
    rules=(
        Rules(
            version="2024-10",
            keywords_drop=_SITE_WORDS,
            body=("div#p-article-block",),
            paragraphs="p, h2, h3",
            prune=(
                "#p-article-block p.byline",
                "#p-article-block p.postdate",
                "#p-article-block figure",
                "#article-inline-offer",
                "div.ranking",
                "div.latestlist",
                "div.popularlist",
                "ul.sns-button",
            ),
            # JSON-LD names the WordPress user who posted the article ("新間"), not the writers;
            # the byline is "By Takeo Maeda and Tatsuya Tanoue / Yomiuri Shimbun Staff Writers".
            authors=("#p-article-block p.byline",),
            author_strip=r"^\s*By\s+|\s*/.*$",
            # cXense's article type is "free" on the free saved page (whose JSON-LD keywords also
            # carry the tag "無料記事"); any other value is taken to mark a subscriber article.
            # Inferred: no subscriber page is saved.
            paywall=(
                '//meta[translate(@name, "CXP", "cxp")="cxenseparse:yoj-articletype"]'
                '[@content and @content!="free"]',
            ),
        ),
    ),
    fixtures=("fundus-jp/TheJapanNews_2024_10_13.html",),
    discovery_notes=(
        "Feed, sitemap, start URLs and the article URL pattern were checked against the saved "
        "page and public evidence (see evidence); nothing was fetched live."
    ),
)
