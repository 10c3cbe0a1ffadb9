"""Jiji Press (www.jiji.com, 時事ドットコム), Japanese.

Two saved pages (2022-09 and 2022-10, one on the Japan-Australia security declaration) share one
layout: headline in ``div.ArticleTitle h1``, text in ``div.ArticleText`` as ``<br>``-separated
lines in one or two ``<p>``, a related-article link between them (``p.ArticleTextTab``).
Its English service, Jiji Press English News (jen.jiji.com), is a separate site in another
language and is not part of this outlet.
"""

from . import Evidence, Outlet, Rules

_PAGE_PRESS = "tests/fixtures/saved/a11y-converter/jiji-2022101700794.html"
_PAGE_INT = "tests/fixtures/saved/text-extractor/jiji-2022092300560.html"

OUTLET = Outlet(
    key="jiji",
    name="Jiji Press",
    language="ja",
    domains=("www.jiji.com",),
    feeds=("https://www.jiji.com/rss/ranking.rdf",),
    start_urls=(
        "https://www.jiji.com/",
        "https://www.jiji.com/jc/c?g=pol",
        "https://www.jiji.com/jc/c?g=int",
        "https://www.jiji.com/jc/c?g=eco",
        "https://www.jiji.com/jc/c?g=soc",
    ),
    # /jc/article?k=<13 digits: yyyymmdd + serial>, with g=<genre> before or after it (links on
    # its own pages carry both orders, and canonicalisation sorts parameters); not the PR TIMES
    # releases it also hosts under /jc/article?k=000000036.000138449&g=prt.
    article_url_pattern=r"^https?://www\.jiji\.com/jc/article\?(?:[^#]*&)?k=\d{13}(?:&[^#]*)?(?:#.*)?$",
    rules=(
        Rules(
            version="2022-09",
            body=("div.ArticleText",),
            paragraphs="p:not(.ArticleTextTab)",
            split_br=True,
            prune=("div.ArticleText aside",),
            title=("div.ArticleTitle h1",),
        ),
    ),
    fixtures=("a11y-converter/jiji-2022101700794.html", "text-extractor/jiji-2022092300560.html"),
    discovery_notes=(
        "Checked against the navigation of two saved pages (2022-09-23, 2022-10-17): the feed "
        "(advertised by <link rel=alternate>), the section pages /jc/c?g=<genre> and the article "
        "URL shape, with g= before and after k=. Not checked live: the 2026 state of the feed "
        "(reported alive by third-party code) and of the sections. No sitemap known."
    ),
    evidence=(
        Evidence("https://www.jiji.com/rss/ranking.rdf", _PAGE_PRESS, "2022-10-17",
                 "<link rel=alternate type=application/rss+xml title=時事ドットコムアクセスランキング>: the "
                 "most-read ranking, not every article"),
        Evidence("https://www.jiji.com/", _PAGE_PRESS, "2022-10-17", "the logo link"),
        Evidence("https://www.jiji.com/jc/c?g=pol", _PAGE_PRESS, "2022-10-17", "navigation 政治"),
        Evidence("https://www.jiji.com/jc/c?g=int", _PAGE_PRESS, "2022-10-17", "navigation 国際"),
        Evidence("https://www.jiji.com/jc/c?g=eco", _PAGE_PRESS, "2022-10-17", "navigation 経済"),
        Evidence("https://www.jiji.com/jc/c?g=soc", _PAGE_PRESS, "2022-10-17", "navigation 社会"),
        Evidence("article_url_pattern", _PAGE_INT, "2022-09-27",
                 "article links of both saved pages, k= first and g= first (tests/fixtures/urls/jiji.tsv)"),
    ),
    feed_window="most-read ranking only: a crawl needs the sections to see every article",
    feed_terms="personal, non-commercial use (per issue 9's survey of RSS terms)",
)
