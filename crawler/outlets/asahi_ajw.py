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

from . import Outlet, Rules

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
    # /ajw/articles/AJ<yyyymmdd><4 digits>.html (2017); later articles use a plain number
    # (/ajw/articles/15012345), a form not seen in the saved pages.
    article_url_pattern=(
        r"^https?://www\.asahi\.com/ajw/articles/(?:AJ\d{12}\.html|\d{7,9})/?(?:[?#].*)?$"
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
        "Verified: the article URL pattern (AJ... form) against the saved page's URL and its "
        "related-article links; the start URLs are links of the saved page's navigation (2017, "
        "http:// then). Not verified: the numeric article id form of later years. No feed: the "
        "saved page links none, and the AJW feed addresses found in third-party feed lists "
        "disagree with each other."
    ),
)
