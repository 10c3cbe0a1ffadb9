"""Nikkei (www.nikkei.com), Japanese edition.

Two layouts are in the saved pages: the component layout of 2021 onwards (custom elements
``k-…``, CSS-module class names with generated suffixes such as ``paragraph_p18mfke4``; seen in
2021-10, 2023-04 and 2025-01) and the older ``cmn-…`` layout of 2018. Member-only articles show
a teaser of one to three paragraphs and a "この記事は会員限定です" box; they are stored flagged.
Nikkei's JSON-LD names the company (日本経済新聞社) as author: bylines are read from the page.
"""

from __future__ import annotations

from . import Evidence, Outlet, Rules

# The class names of the component layout end in generated hashes that change with every
# release ("paragraph_p18mfke4" in 2025, "paragraph_p15tm1hb" in 2023), so these selectors use
# the stable data attribute, custom element names, tag structure and class-name prefixes.
_BODY_2021 = "section[data-track-article-content]"
# Nikkei prints a byline as "<role>　<name>" in the subtitle under the headline; the same slot
# holds a plain subtitle on other pages ("衆院本会議"), so only a subtitle naming a reporter's
# role is a byline.
_BYLINE_ROLES = ("編集委員", "論説委員", "コメンテーター", "エディター", "記者", "特派員", "支局長", "編集長")
_BYLINE_2021 = (
    '//article//header//p[starts-with(@class, "subtitle")]['
    + " or ".join(f'contains(., "{role}")' for role in _BYLINE_ROLES)
    + "]"
)

OUTLET = Outlet(
    key="nikkei",
    name="日本経済新聞",
    language="ja",
    # asia.nikkei.com is the nikkei_asia outlet: its longer domain wins in outlet_for_url.
    domains=("www.nikkei.com", "nikkei.com"),
    # No feed and no sitemap: Nikkei publishes no public RSS, and its sitemap.xml stopped listing
    # articles (Fundus deprecated its Nikkei publisher for that on 2025-05-29, flairNLP/fundus
    # #767, and kept it deprecated in 2026-06: "The sitemap does not contain any articles
    # anymore", review of #920). Section pages are the only discovery.
    start_urls=(
        "https://www.nikkei.com/news/category/",
        "https://www.nikkei.com/politics/",
        "https://www.nikkei.com/politics/diplomacy/",
        "https://www.nikkei.com/economy/",
        "https://www.nikkei.com/international/",
        "https://www.nikkei.com/business/",
        "https://www.nikkei.com/opinion/editorial/",
    ),
    # /article/<28-character id>/ ("DGXZQOUB148MY0U5A110C2000000", "DGXMZO31897660Y8A610C1000000").
    # Two more article shapes with the same ids were rejected until 2026-12-03: the NIKKEI Prime
    # newsletters' articles /prime/<name>/article/<id> (tech-foresight of 2025-05, gx of 2026-02,
    # digital-governance cited 2026-07-22) and the visual features /telling/<DGXZTS… id>/ (2022
    # to 2026-09); all in tests/fixtures/urls/nikkei.tsv. The Prime list pages (/prime/<name>),
    # the paper edition's issue pages, companies' press releases on /nkd/company/article/
    # (DGXZRSP ids) and NIKKEI COMPASS (PR TIMES releases) do not match. Copies of an article
    # under another path are left out, as the same id is at /article/<id>/: the paper edition's
    # /paper/article/?b=<date>&ng=<id> and (2026) /paper/<date><edition>/<page>/article/<id>, and
    # /nkd/industry/article/?…&ng=<id>. An id may hold an underscore: DGXNASFS2700B_X20C10A4000000
    # (2010), DGXLASDG18H2X_Y5A210C1CC0000 (2015), and in 2026 DGXZQOMG00002_T00C26A8000000 among
    # the front page's links (rejected before 2026-12-04; tests/fixtures/urls/nikkei.tsv).
    article_url_pattern=(
        r"^https?://(?:www\.)?nikkei\.com/(?:(?:prime/[a-z0-9-]+/)?article|telling)"
        r"/[A-Z0-9_]{20,32}/?(?:[?#].*)?$"
    ),
    feed_terms="no public RSS feed (N1 feed survey, 2026-09-28: licence only)",
    known_walls=(
        "TLS fingerprinting: Fundus counts Nikkei among its 'TLS-handshake protected publishers' "
        "and fetches it only with impersonate='chrome' (flairNLP/fundus 056e3fda, 2026-05-13; "
        "still so at 18da6e53, 2026-08-05, where the publisher stays deprecated for its empty "
        "sitemap). newsmon does not impersonate browsers: expect refused or empty responses"
    ),
    evidence=(
        Evidence(
            "article_url_pattern",
            "groundcobra009/japan-news-frontpage-index@d87d67e7 data/2026/07/2026-07-28.csv, 2026-07-29.csv "
            "and 2026-08/2026-08-03.csv (tests/fixtures/urls/nikkei.tsv)",
            "2026-08-03",
            "front-page links with an underscore in the id (DGXZQOMG00002_T00C26A8000000, DGXZMS…, DGXZNS…; "
            "DGXLAS… of 2015, DGXNAS… of 2010), rejected by the pattern before 2026-12-04",
        ),
        *(
            Evidence(
                url,
                "tests/fixtures/saved/fundus-jp/Nikkei_2025_01_14.html (navigation)",
                "2025-01-14",
                "a link of the site navigation (also on the 2021 and 2023 pages); that it still "
                "lists articles to a plain client was not checked",
            )
            for url in (
                "https://www.nikkei.com/news/category/",
                "https://www.nikkei.com/politics/",
                "https://www.nikkei.com/politics/diplomacy/",
                "https://www.nikkei.com/economy/",
                "https://www.nikkei.com/international/",
                "https://www.nikkei.com/business/",
                "https://www.nikkei.com/opinion/editorial/",
            )
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/nikkei.tsv (saved pages 2018-2025; public files of 2026)",
            "2026-08",
            "the 28-character ids of 2018-2026 (…C26A6000000 in 2026) all match",
        ),
        Evidence(
            "article_url_pattern",
            "public GitHub file (search-index id 56648227367) and tests/fixtures/urls/nikkei.tsv",
            "2026-07-22",
            "NIKKEI Prime articles /prime/<name>/article/<id> (2025-05 to 2026-07) and /telling/<id>/ "
            "features (2022 to 2026-09), rejected by the pattern before 2026-12-03",
        ),
    ),
    rules=(
        Rules(
            version="2021-10",
            body=(_BODY_2021,),
            # And a box of text among them that opens with "◇", its lines <br>s: the profiles of
            # new executives under a personnel story ("◇イオン銀行<br><strong>木坂 有朗氏…</strong>
            # 97年…入社…<br>（1月14日就任…）", fundus-jp/Nikkei_2025_01_14), left out before. Named
            # by its mark, not as any <div> of text: the redesign checks must still see <p>s
            # that became <div>s.
            paragraphs='.//p | .//h2 | .//h3 | ./div[not(.//p)][starts-with(normalize-space(.), "◇")]',
            prune=(
                # The "【関連記事】" box at the foot of the body (a title paragraph and a list).
                "//section[@data-track-article-content]"
                '//div[p[starts-with(normalize-space(.), "【関連")]]',
                f"{_BODY_2021} figure",
            ),
            # JSON-LD headline and <h1> agree; og:title is sometimes a longer SEO title
            # ("イオン銀行の小林裕明社長解任、…" for "イオン銀行社長解任、…").
            title=("article header h1",),
            title_suffix=r"\s*(?:-|:|：)\s*日本経済新聞.*$",
            authors=(_BYLINE_2021,),
            author_strip=r"^.*\s",
            # The lock banner and the "残りN文字" box appear only on member-only teasers;
            # the "有料会員が…無料" promotion under every article is not a paywall.
            paywall=(
                "k-lock-banner",
                "div[data-paywall]",
                '//article//header//span[normalize-space(.)="[有料会員限定]"]',
            ),
        ),
        Rules(
            version="2018-06",
            body=("div.cmn-article_text",),
            paragraphs="p, h2, h3",
            title=('h1.cmn-article_title > span[class*="JSID_key_fonthln"]',),
            title_suffix=r"\s*(?:（写真[^）]*）)?\s*[:：]\s*日本経済新聞.*$",
            # The byline is the span after the <br> in the headline ("編集委員　中沢克二").
            authors=('//h1[contains(@class, "cmn-article_title")]/br/following-sibling::span',),
            author_strip=r"^.*\s",
            # JSON-LD has the compact form "20180619T055000+0900"; the page shows "2018/6/19 5:50".
            published=("dl.cmn-article_status dd.cmnc-publish",),
            paywall=("div.m-articleRegist",),
        ),
    ),
    fixtures=(
        "fundus-jp/Nikkei_2025_01_14.html",
        "scrapping-webs/nikkei-test_article_1.html",
        "scrapping-webs/nikkei-test_article_2.html",
        "scrapping-webs/nikkei-test_article_3.html",
        "java-extractarticle/000023-nikkei.html",
        "java-extractarticle/000024-nikkei.html",
        "java-extractarticle/000025-nikkei.html",
        "newspaper4k/japanese_article.html",
    ),
    discovery_notes=(
        "Start URLs and the article URL pattern were checked against saved pages and public "
        "files (see evidence); nothing was fetched live. No feed; the sitemap was dropped (it "
        "no longer lists articles)."
    ),
)
