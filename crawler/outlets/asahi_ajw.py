"""The Asahi Shimbun Asia & Japan Watch (www.asahi.com/ajw/), the English edition of Asahi.

It lives under the path /ajw/ of asahi.com, so ``extra["path_prefix"]`` makes
``outlet_for_url`` prefer it to the asahi outlet there.

One layout in the saved pages (2017-10): ``div.ArticleText`` inside ``div.ArticleBody``; the
headline block has the one time the page shows, "October 24, 2017 at 16:50 JST", in
``p.EnLastUpdated``. Asahi's templates of that era label the only time they show "LastUpdated":
on the 2019 Japanese page (same template family) that time equals its ``pubdate`` meta, and
here the page's ``googlebot: unavailable_after`` is set at 16:50:00 JST too. It is therefore read
as the publication time; the page has no other (``release_date`` gives the day only).
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

# The calibre recipe for this edition, at the commit of 2026-02-13 that last changed its section
# list (unchanged at calibre's HEAD of 2026-08-22, ea9ccaf4).
_CALIBRE = (
    "kovidgoyal/calibre:recipes/asahi_shimbun_en.recipe@89a094395320725ea85efca69a1e6f5b801c0e24"
)

#: The site's name and "news" in the 2017 page's keywords.
_SITE_WORDS = r"^(?:Asahi Shimbun|news)$"

OUTLET = Outlet(
    key="asahi_ajw",
    name="The Asahi Shimbun",
    language="en",
    domains=("asahi.com",),
    # Re-checked 2026-12-03. The English edition's sections were reorganised after 2017: its 2017
    # navigation had /ajw/japan/ (with japan/social, japan/sci_tech …) and /ajw/asia/ (asia/china,
    # asia/korean_peninsula, asia/around_asia); the calibre recipe, kept up to 2026 (its maintainer
    # disabled the one section that had broken, Special, on 2026-02-13), reads /ajw/national_report,
    # /ajw/politics, /ajw/business, /ajw/asia_world/{china,korean_peninsula,around_asia,world},
    # /ajw/sci_tech and /ajw/opinion/{editorial,vox,views}; no source after 2017 names /ajw/japan/,
    # and /ajw/asia/ only an undated list of sites to poll (search-index id 24102829233) with
    # nothing to show it was ever read. So /ajw/japan/ was replaced by
    # /ajw/national_report/ and /ajw/asia/ by the three asia_world sections that carry on its
    # three subsections. /ajw/opinion/ is kept: its subsections live under it, but the page itself
    # was not seen after 2017.
    start_urls=(
        "https://www.asahi.com/ajw/",
        "https://www.asahi.com/ajw/national_report/",
        "https://www.asahi.com/ajw/politics/",
        "https://www.asahi.com/ajw/asia_world/china/",
        "https://www.asahi.com/ajw/asia_world/korean_peninsula/",
        "https://www.asahi.com/ajw/asia_world/around_asia/",
        "https://www.asahi.com/ajw/business/",
        "https://www.asahi.com/ajw/opinion/",
    ),
    # /ajw/articles/AJ<yyyymmdd><4 digits>.html (2017); since about 2019 a plain number
    # (/ajw/articles/16327883 in 2026; 15539508 of 2025-01 to 16943327 of 2026-10, re-checked
    # 2026-12-03). Listing pages are /ajw/<section>/ and /ajw/<section>/<n>; a photo of an
    # article is /ajw/articles/photo/<photo id> (2025-12), not an article.
    article_url_pattern=(
        r"^https?://www\.asahi\.com/ajw/articles/(?:AJ\d{12}\.html|\d{7,9})/?(?:[?#].*)?$"
    ),
    evidence=(
        *(
            Evidence(
                url,
                "tests/fixtures/saved/ir-research-data/asahi-ajw-2017-typhoon.html (navigation)",
                "2017-10",
                "a link of the 2017 navigation (http:// then)",
            )
            for url in (
                "https://www.asahi.com/ajw/",
                "https://www.asahi.com/ajw/business/",
                "https://www.asahi.com/ajw/opinion/",
            )
        ),
        Evidence(
            "https://www.asahi.com/ajw/",
            "tests/fixtures/saved/fundus-jp/AsahiShimbun_2025_01_13.html (footer)",
            "2025-01-13",
            "the Japanese edition's footer links https://www.asahi.com/ajw/?iref=com_footer",
        ),
        Evidence(
            "https://www.asahi.com/ajw/",
            _CALIBRE,
            "2026-02-13",
            "the recipe's site (index https://www.asahi.com + /ajw/…); its What's New list is "
            "/ajw/new",
        ),
        *(
            Evidence(
                url,
                _CALIBRE,
                "2026-02-13",
                f"a section the recipe reads (as /ajw/{section}, no final slash); on this day its "
                "maintainer disabled the Special section, which had broken, and kept this one",
            )
            for url, section in (
                ("https://www.asahi.com/ajw/national_report/", "national_report"),
                ("https://www.asahi.com/ajw/politics/", "politics"),
                ("https://www.asahi.com/ajw/asia_world/china/", "asia_world/china"),
                ("https://www.asahi.com/ajw/asia_world/korean_peninsula/", "asia_world/korean_peninsula"),
                ("https://www.asahi.com/ajw/asia_world/around_asia/", "asia_world/around_asia"),
                ("https://www.asahi.com/ajw/business/", "business"),
            )
        ),
        Evidence(
            "https://www.asahi.com/ajw/opinion/",
            _CALIBRE,
            "2026-02-13",
            "the recipe reads its subsections /ajw/opinion/editorial, /opinion/vox and "
            "/opinion/views, so the path stands; the /ajw/opinion/ page itself was not seen after "
            "2017 (unconfirmed)",
        ),
        Evidence(
            "https://www.asahi.com/ajw/politics/",
            "public GitHub file (search-index id 37095071427)",
            "2026-11-30",
            "a scraper pages through https://www.asahi.com/ajw/politics/<n> (undated file, read "
            "2026-11-30); also in the 2017 saved navigation",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/asahi_ajw.tsv (saved page 2017; public files up to 2026)",
            "2026-02-26",
            "the AJ… form of 2017 and numeric ids up to 2026 (13067772 … 16779842)",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/asahi_ajw.tsv (public files of 2025-01 to 2026-10)",
            "2026-10-06",
            "re-checked 2026-12-03: ids 15539508 (2025-01-12) to 16941220 and 16943327 (2026-10-06) "
            "all match; a photo page /ajw/articles/photo/67036034 (2025-12) does not",
        ),
    ),
    rules=(
        Rules(
            version="2017-10",
            keywords_drop=_SITE_WORDS,
            body=("div.ArticleBody div.ArticleText", "div.ArticleText"),
            paragraphs="p, h2, h3",
            # "Related News" list, share bar, video and photo captions are outside ArticleText;
            # pruned in case a page nests them.
            prune=("div.RelatedListMod", "div.SnsUtilityArea", "div.ImagesMod", "div.ExMod"),
            title=("div.ArticleTitle h1",),
            title_suffix=r"\s*[：:]\s*The Asahi Shimbun",
            published=("div.ArticleTitle p.EnLastUpdated",),
        ),
    ),
    fixtures=("ir-research-data/asahi-ajw-2017-typhoon.html",),
    extra={"path_prefix": "/ajw/"},
    discovery_notes=(
        "Start URLs and the article URL pattern were checked against the saved 2017 page and "
        "public files (see evidence); nothing was fetched live. Re-checked 2026-12-03: the "
        "sections of the 2017 navigation were reorganised; the calibre recipe (kept up to 2026, "
        "last section change 2026-02-13) reads /ajw/national_report and /ajw/asia_world/<area> "
        "where 2017 had /ajw/japan/ and /ajw/asia/<area>, so those two were replaced by "
        "/ajw/national_report/ and /ajw/asia_world/{china,korean_peninsula,around_asia}/; "
        "/ajw/politics/ and /ajw/business/ are read by it too. /ajw/opinion/ is kept but "
        "unconfirmed: only its subsections (editorial, vox, views) were seen after 2017. Article "
        "URLs of 2025-01 to 2026-10 are all /ajw/articles/<8 digits>. No feed: the saved page "
        "links none, and the AJW feed addresses in third-party feed lists disagree with each other "
        "(/ajw/rss.xml, rss.rdf, rss/, rss/news.xml, rss/feed.xml … in undated lists read "
        "2026-12-03)."
    ),
)
