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

from . import Outlet, Rules

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
    rules=(
        Rules(
            version="2024-10",
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
        "Verified: the article URL pattern against the saved page's URL and the 27 article links "
        "of its latest/popular/ranking lists (none of its other links match); the start URLs are "
        "links of the saved page's navigation. Not verified: the feed (/feed/ is WordPress's "
        "standard feed, listed by many feed readers, but the saved page links none: its only "
        "<link rel=alternate> are oEmbed) and the news sitemap (from Fundus's TheJapanNews "
        "publisher definition)."
    ),
)
