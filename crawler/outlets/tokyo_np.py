"""Tokyo Shimbun (tokyo-np.co.jp) and its sister paper Chunichi Shimbun (chunichi.co.jp).

Both run on one CMS: the article is a run of ``div.block`` inside ``#entry``, one per paragraph,
sub-heading (``h2``), photo or note; photos and the keyword list are blocks that hold further
``<div>``s, so text blocks are the ones without. JSON-LD names the paper itself as author (an
Organization, which the core ignores) and marks member-only teasers with
``isAccessibleForFree: false``.
"""

from . import Evidence, Outlet, Rules

#: Its JSON-LD articleSection lists the article's sections and places beside "ニュース" and
#: "東京ニュース", which every article carries.
_SITE_WORDS = r"ニュース"

OUTLET = Outlet(
    key="tokyo_np",
    name="Tokyo Shimbun / Chunichi Shimbun",
    language="ja",
    domains=("tokyo-np.co.jp", "chunichi.co.jp"),
    sitemaps=(
        "https://www.tokyo-np.co.jp/sitemap.xml",
        "https://www.chunichi.co.jp/sitemap.xml",
    ),
    start_urls=(
        "https://www.tokyo-np.co.jp/main_news",
        "https://www.tokyo-np.co.jp/n/national",
        "https://www.tokyo-np.co.jp/n/politics",
        "https://www.tokyo-np.co.jp/n/economics",
        "https://www.tokyo-np.co.jp/n/world",
        "https://www.chunichi.co.jp/news/national",
    ),
    # /article/<number>, with or without a ?rct= tracking query (canonicalisation drops it); not
    # /article_photo/.
    article_url_pattern=r"^https?://www\.(?:tokyo-np|chunichi)\.co\.jp/article/\d+/?(?:[?#].*)?$",
    evidence=(
        *(
            Evidence(
                url,
                "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
                "2026-08-05",
                f"the NewsMap of Fundus's {name} publisher, not deprecated at that commit",
            )
            for url, name in (
                ("https://www.tokyo-np.co.jp/sitemap.xml", "TokyoShimbun"),
                ("https://www.chunichi.co.jp/sitemap.xml", "ChunichiShimbun"),
            )
        ),
        *(
            Evidence(
                f"https://www.tokyo-np.co.jp/{path}",
                "tests/fixtures/saved/fundus-jp/TokyoShimbun_2025_01_13.html (navigation)",
                "2025-01-13",
                "a link of the site navigation (with ?ref=gnb_pc_lv1/2, a click tracker)",
            )
            for path in ("main_news", "n/national", "n/politics", "n/economics", "n/world")
        ),
        Evidence(
            "https://www.chunichi.co.jp/news/national",
            "tests/fixtures/saved/fundus-jp/ChunichiShimbun_2025_01_13.html (navigation)",
            "2025-01-13",
            "a link of the site navigation",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/tokyo_np.tsv (saved pages 2025; public files of 2026)",
            "2026-07-22",
            "numeric ids of 2025-2026 on both papers, with and without ?rct=",
        ),
    ),
    rules=(
        Rules(
            version="2025-01",
            keywords_drop=_SITE_WORDS,
            body=("#entry",),
            paragraphs=(
                ".//div[contains(concat(' ', normalize-space(@class), ' '), ' block ')][not(.//div)]"
            ),
            prune=("p.caption", "p.thumb-caption"),
            # The registration box that replaces the rest of a member-only article.
            paywall=(
                "//*[@id='entry']//*[self::p or self::span][contains(., 'この記事は会員限定です')]",
            ),
        ),
    ),
    fixtures=(
        "fundus-jp/TokyoShimbun_2025_01_13.html",
        "fundus-jp/ChunichiShimbun_2025_01_13.html",
    ),
    discovery_notes=(
        "Sitemaps, start URLs and the article URL pattern were checked against saved pages and "
        "public evidence (see evidence); nothing was fetched live. No RSS feed is linked from "
        "either page (www.tokyo-np.co.jp/rdf/ answered 404 in a 2026-02-19 feed check)."
    ),
)
