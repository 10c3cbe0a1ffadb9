"""Jiji Press (www.jiji.com, 時事ドットコム), Japanese.

Two saved pages (2022-09 and 2022-10, one on the Japan-Australia security declaration) share one
layout: headline in ``div.ArticleTitle h1``, text in ``div.ArticleText`` as ``<br>``-separated
lines in one or two ``<p>``, a related-article link between them (``p.ArticleTextTab``).
Its English service, Jiji Press English News (jen.jiji.com), is a separate site in another
language and is not part of this outlet. Discovery and the article URL shape were re-checked on
2026-12-03 against public files of 2025-2026 (see ``discovery_notes``); the layout was not: no
saved page newer than 2022 was found.
"""

from . import Evidence, Outlet, Rules

_PAGE_PRESS = "tests/fixtures/saved/a11y-converter/jiji-2022101700794.html"
_PAGE_INT = "tests/fixtures/saved/text-extractor/jiji-2022092300560.html"
# Public files of 2026 that confirm the discovery URLs; the search index names some by an id only.
_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"
_DIGEST = "public GitHub file (search-index id 55218906646): a morning-digest feed list"
_COLLECTOR = ("kanuli/daily-brief-newspaper:scripts/rolling_news_collector.py"
              "@2d360fd57d000fc1bf5a3df9cfeb6d281bfaec68")
_SECTIONS = "public GitHub file (search-index id 51786936454): a news agent's section list, undated"

#: The whole <meta name="keywords"> of both saved pages (2022): the site's name only.
_SITE_WORDS = r"^(?:ニュース|時事ドットコム|時事通信社?)$"

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
    # Re-checked 2026-12-03: the ten Jiji article URLs of 2025-07 to 2026-08 (k= dates) found in
    # public files have this shape (tests/fixtures/urls/jiji.tsv), one with &p=<photo>&rel=pv;
    # a 2026 collector of ranking.rdf accepts only /jc/article?k=<13 digits>&g=<genre>&m=rss
    # (kanuli/daily-brief-newspaper). Left out on purpose: the /jc/v8?id=<yyyymm><name> feature
    # and photo pages (as /jc/v7). /sp/article?k=..., the smartphone twin of the same article
    # (its <link rel=alternate>; k= of 2026-07 in a dedup plan of 2026-09-10), and the feed's
    # &m=rss, &g=, &p=, &rel= are canonicalised away first (crawler/urls.py): one article, one URL.
    article_url_pattern=r"^https?://www\.jiji\.com/jc/article\?(?:[^#]*&)?k=\d{13}(?:&[^#]*)?(?:#.*)?$",
    rules=(
        Rules(
            version="2022-09",
            keywords_drop=_SITE_WORDS,
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
        "URL shape, with g= before and after k=. Re-checked 2026-12-03 against public files of "
        "2025-2026: the feed answered 200 on 2026-09-28 (N1 survey) and was found from the home "
        "page on 2026-07-22; a 2026 collector reads it and takes its links as "
        "/jc/article?k=<13 digits>&g=<genre>&m=rss; the four sections are named by news lists and "
        "scrapers (g=pol on 2026-02-07, the others undated); ten article URLs of 2025-07 to 2026-08 keep the 2022 shape. "
        "No other feed was found named in a dated source (the N1 survey writes 'ranking.rdf "
        "and others' without naming them). Not checked live. No sitemap known."
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
        Evidence("https://www.jiji.com/rss/ranking.rdf", _N1, "2026-09-28",
                 "HTTP 200 on 2026-09-28, terms 'personal use only'; a 2026 collector reads it "
                 f"and accepts its links as /jc/article?k=<13 digits>&g=<genre>&m=rss ({_COLLECTOR})"),
        Evidence("https://www.jiji.com/rss/ranking.rdf", _DIGEST, "2026-07-22",
                 "found from the home page, HTTP 200 with 10 entries, title and link only"),
        Evidence("https://www.jiji.com/", _DIGEST, "2026-07-22",
                 "the page the feed was found from on 2026-07-22"),
        Evidence("https://www.jiji.com/jc/c?g=pol", "public GitHub file (search-index id 30777789866)",
                 "2026-02-07", "linked as 時事通信's politics page by an election news list of 2026-02-07"),
        Evidence("https://www.jiji.com/jc/c?g=int", _SECTIONS, "2026-12-03", "undated; read 2026-12-03"),
        Evidence("https://www.jiji.com/jc/c?g=eco", _SECTIONS, "2026-12-03", "undated; read 2026-12-03"),
        Evidence("https://www.jiji.com/jc/c?g=soc", "public GitHub file (search-index id 70135382140)",
                 "2026-12-03", "a listing scraper that takes its /jc/article links with the query; "
                 "undated, read 2026-12-03"),
        Evidence("article_url_pattern", "public GitHub file (search-index id 69396735922)", "2026-09-24",
                 "/jc/article?k=2026080700713&g=soc, references checked 2026-09-24; nine more "
                 "/jc/article?k=<13 digits> URLs of 2025-07 to 2026-07 in public files, none of "
                 "another article shape (tests/fixtures/urls/jiji.tsv)"),
    ),
    feed_window="most-read ranking only: a crawl needs the sections to see every article",
    feed_terms="personal, non-commercial use (per issue 9's survey of RSS terms)",
)
