"""Tokyo Shimbun (tokyo-np.co.jp) and its sister paper Chunichi Shimbun (chunichi.co.jp).

Both run on one CMS: the article is a run of ``div.block`` inside ``#entry``, one per paragraph,
sub-heading (``h2``), photo or note; photos and the keyword list are blocks that hold further
``<div>``s, so text blocks are the ones without. JSON-LD names the paper itself as author (an
Organization, which the core ignores) and marks member-only teasers with
``isAccessibleForFree: false``.
"""

from . import Outlet, Rules

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
    # /article/<number>, with or without a ?rct= tracking query; not /article_photo/.
    article_url_pattern=r"^https://www\.(?:tokyo-np|chunichi)\.co\.jp/article/\d+/?(?:[?#].*)?$",
    rules=(
        Rules(
            version="2025-01",
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
        "article_url_pattern checked against both saved pages' URLs and canonicals "
        "(tokyo-np.co.jp/article/379018, chunichi.co.jp/article/1011185) and against the "
        "'/article/<n>?rct=national' links of their 'new in section' lists. Start URLs are "
        "section links found in the saved pages' navigation (/main_news, /n/national, "
        "/n/politics, /n/economics, /n/world on Tokyo; /news/national on Chunichi); that they "
        "list articles was not checked. The sitemaps are Fundus's NewsMap sources for both "
        "papers, not verified here. No RSS feed is linked from either page."
    ),
)
