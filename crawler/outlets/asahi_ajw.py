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

OUTLET = Outlet(
    key="asahi_ajw",
    name="The Asahi Shimbun",
    language="en",
    domains=("asahi.com",),
    start_urls=(
        "https://www.asahi.com/ajw/",
        "https://www.asahi.com/ajw/japan/",
        "https://www.asahi.com/ajw/politics/",
        "https://www.asahi.com/ajw/asia/",
        "https://www.asahi.com/ajw/business/",
        "https://www.asahi.com/ajw/opinion/",
    ),
    # /ajw/articles/AJ<yyyymmdd><4 digits>.html (2017); since about 2019 a plain number
    # (/ajw/articles/16327883 in 2026). Listing pages are /ajw/<section>/ and /ajw/<section>/<n>.
    article_url_pattern=(
        r"^https?://www\.asahi\.com/ajw/articles/(?:AJ\d{12}\.html|\d{7,9})/?(?:[?#].*)?$"
    ),
    evidence=(
        *(
            Evidence(
                url,
                "tests/fixtures/saved/ir-research-data/asahi-ajw-2017-typhoon.html (navigation)",
                "2017-10",
                "a link of the 2017 navigation (http:// then); no later saved page of the English "
                "edition exists, so whether these sections still list articles is unconfirmed",
            )
            for url in (
                "https://www.asahi.com/ajw/",
                "https://www.asahi.com/ajw/japan/",
                "https://www.asahi.com/ajw/asia/",
                "https://www.asahi.com/ajw/business/",
                "https://www.asahi.com/ajw/opinion/",
            )
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
    ),
    rules=(
        Rules(
            version="2017-10",
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
        "public files (see evidence); nothing was fetched live. No feed: the saved page links "
        "none, and the AJW feed addresses in third-party feed lists disagree with each other."
    ),
)
