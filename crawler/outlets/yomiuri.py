"""Yomiuri Shimbun (読売新聞オンライン, www.yomiuri.co.jp), Japanese edition.

Two layouts are in the saved pages:

* the WordPress layout of 読売新聞オンライン, checked on pages of 2019-04, 2021-10, 2023-11 and
  2024-10 (the body markup did not change): ``div.p-main-contents`` with one
  ``p[itemprop=articleBody]`` per paragraph. 読者会員限定 (subscriber-only) pages keep the
  headline and an empty body with a "読者会員限定です" box, and say ``isAccessibleForFree: false``.
  java-extractarticle/000013-yomiuri.html is one: it extracts as a paywalled article with its
  title, times and no paragraphs. It is not in ``fixtures`` only because the registry test reads
  a first paragraph.
* YOMIURI ONLINE of 2011 (Shift_JIS): ``div.article-def``, with the date at its end.

Times: the page's hidden ``#publicationStartDatetime`` is the CMS's first-publication time and
agrees with JSON-LD ``datePublished`` on every page that has both; the visible ``<time>`` of the
header is not always it (11:47 on a page first published 11:43 and updated 11:49:52).
The text keeps Yomiuri's full-width digits (１３日) as printed.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

# The name(s) after "＝" in a dateline "【<place>＝<name>、<name>】" opening the first paragraph;
# an empty string (no match) when the text opens otherwise. Parenthesised: a selector is XPath
# when it starts with "/", "." or "(". Paragraphs open with a full-width space, which XPath's
# normalize-space() keeps, hence the translate().
_DATELINE_REPORTER = (
    '(substring-before(substring-after('
    '(//div[contains(concat(" ", normalize-space(@class), " "), " p-main-contents ")]/p)[1]'
    '[starts-with(normalize-space(translate(., "\u3000", " ")), "【")], "＝"), "】"))'
)
# A dateline that credits a wire service instead of a reporter ("【ニューヨーク＝ロイター】").
_WIRE_CREDIT = r"^(?:共同|時事|ロイター|ＡＦＰ時事|ＡＦＰ|ＡＰ|ＥＰＡ時事|新華社|聯合)$"

#: The site's name, first in the keywords of the 2011-2021 pages (the rest are the article's),
#: and "ニュース", the JSON-LD articleSection of a local page (2024-10-13).
_SITE_WORDS = r"^(?:読売新聞(?:オンライン)?|ニュース)$"

OUTLET = Outlet(
    key="yomiuri",
    name="読売新聞オンライン",
    language="ja",
    domains=("yomiuri.co.jp",),
    sitemaps=("https://www.yomiuri.co.jp/sitemap-news-latest.xml",),
    start_urls=(
        "https://www.yomiuri.co.jp/news/",
        "https://www.yomiuri.co.jp/national/",
        "https://www.yomiuri.co.jp/politics/",
        "https://www.yomiuri.co.jp/world/",
        "https://www.yomiuri.co.jp/economy/",
        "https://www.yomiuri.co.jp/science/",
        "https://www.yomiuri.co.jp/editorial/",
    ),
    # Article ids are <yyyymmdd>-OY<2 chars>T<5 digits> (OYT1T, OYO1T, OYTNT, OYT8T) and, since
    # late 2025, <yyyymmdd>-GYT1T<5 digits> ("20260515-GYT1T00272"); photo pages use ...I
    # (OYT1I, GYT1I) and are left out, as are the SYT8T lifestyle/partner pages (/life/recipe/,
    # /topics/); the AMP copies (.../amp/) canonicalise to the article. Since 2019 the URL ends
    # in "/", in 2011 in ".htm".
    # Re-checked 2026-12-03: a series ("feature") puts its id, CO<6 digits>, in the path, in
    # capitals, which the lower-case segments rejected: a Kagawa reporter's feature of the
    # saved 2023-11 page (/local/kagawa/feature/CO069516/20231022-OYTAT50013/), a Kyushu one in a
    # public file (/local/kyushu/feature/CO050452/20221128-OYTAT50043/); the saved 2024-10 page
    # links /kyoiku/support/information/CO036454/20241011-OYT8T50021/ (a school's festival, in
    # the 中学受験サポート section) too. So a segment may be CO<6 digits>. Ids of 2025-26 also
    # read GYT8T, GYO1T, GYS1T, GYTNT (all fit).
    # Only www.yomiuri.co.jp: japannews.yomiuri.co.jp is the japannews outlet.
    article_url_pattern=(
        r"^https?://www\.yomiuri\.co\.jp/(?:(?:[a-z0-9_-]+|CO\d{6})/)+\d{8}-[OG]Y[A-Z0-9]{2}T\d{5}"
        r"(?:/|\.htm)(?:[?#].*)?$"
    ),
    feed_terms="no public RSS feed (N1 feed survey, 2026-09-28: licence only)",
    evidence=(
        Evidence(
            "https://www.yomiuri.co.jp/sitemap-news-latest.xml",
            "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
            "2026-08-05",
            "the NewsMap of Fundus's YomiuriShimbun publisher, not deprecated at that commit "
            "(its sitemap index filtered to sitemap-news-latest)",
        ),
        *(
            Evidence(
                f"https://www.yomiuri.co.jp/{section}/",
                "tests/fixtures/saved/fundus-jp/YomiuriShimbun_2024_10_13.html (navigation)",
                "2024-10-13",
                "a link of the site navigation, also on the 2019, 2021 and 2023 pages; that it lists "
                "GYT articles was not checked",
            )
            for section in ("news", "national", "politics", "world", "economy", "science", "editorial")
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/yomiuri.tsv (saved pages 2011-2024; public files of 2025-2026)",
            "2026-08-30",
            "OY…T ids from the saved pages, GYT1T ids (2025-12 to 2026-08) from public files; "
            "a GYT1I photo id seen in a 2026 og:image (…/media/2026/06/20260604-GYT1I00048-1.jpg)",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/saved/htmldate-eval/yomiuri.co.jp-gaza.html and "
            "fundus-jp/YomiuriShimbun_2024_10_13.html (links); public GitHub file (search-index id "
            "33031823790)",
            "2024-10-13",
            "re-checked 2026-12-03: series articles under /feature/CO<6 digits>/ (2022-2024), "
            "refused by the lower-case segments until then",
        ),
    ),
    rules=(
        Rules(
            version="2019-04",
            keywords_drop=_SITE_WORDS,
            tags=("div.p-related-tags li a",),  # 関連キーワード: "#北朝鮮", "#韓国" (2024)
            body=("article div.p-main-contents", "div.p-main-contents"),
            paragraphs="p, h2, h3",
            prune=(
                # "あわせて読みたい" related links, in-body related link, section banner, slides.
                "div.p-main-contents aside",
                "div.p-main-contents div.article-related-link",
                "div.p-main-contents div.ev-article-bottom-banner",
                "div.p-main-contents figure",
                # The subscriber-only box ("読者会員限定です", login and registration links).
                '[class^="p-main-contents-member-only"]',
            ),
            # JSON-LD headline and og:title are missing on the 2019 page and og:title carries
            # " : 政治 : ニュース" on the 2021 pages; the <h1> is the headline alone.
            title=("article h1.c-article-title", "h1.c-article-title"),
            # "<headline> : 政治 : ニュース : 読売新聞オンライン" (<title>), " : 政治 : ニュース" (og:title).
            title_suffix=r"\s+:\s+.*",
            # No byline element: correspondents sign in the dateline that opens the text,
            # "【エルサレム＝酒井圭吾】" (JSON-LD names only the organisation).
            authors=(_DATELINE_REPORTER,),
            author_strip=_WIRE_CREDIT,
            published=("span#publicationStartDatetime",),
            modified=("span#update",),
            paywall=('[class^="p-main-contents-member-only"]', "div.c-article-header-member-only"),
        ),
        Rules(
            version="2011-04",
            keywords_drop=_SITE_WORDS,
            body=("div.article-def",),
            paragraphs="p",
            prune=("div.article-def div.date-def", "div.article-def div.related-feature"),
            title=("div.article-def h1",),
            title_suffix=r"\s*:.*YOMIURI ONLINE.*",
            # The subtitle printed under the headline, when there is one.
            lead=("div.article-def > h1 + h2",),
            # "（2011年4月15日12時24分  読売新聞）"; some pages give the day only.
            published=("div.article-def div.date-def",),
        ),
    ),
    fixtures=(
        "fundus-jp/YomiuriShimbun_2024_10_13.html",
        "fundus-jp/YomiuriShimbun_2024_12_03.html",
        "htmldate-eval/yomiuri.co.jp-gaza.html",
        "java-extractarticle/000011-yomiuri.html",
        "java-extractarticle/000012-yomiuri.html",
        "java-extractarticle/000013-yomiuri.html",
        "postlight-parser/www.yomiuri.co.jp.html",
        "snacktory/yomiuri.sjis.html",
        "snacktory/yomiuri2.sjis.html",
    ),
    discovery_notes=(
        "The news sitemap, start URLs and article URL pattern were checked against public "
        "evidence (see evidence); nothing was fetched live. No public feed exists."
    ),
)
