"""Nikkan Gendai DIGITAL (nikkan-gendai.com), the tabloid daily of Kodansha's group.

The whole article text is one ``p.full-text`` inside ``div.article-wrap``, its paragraphs and
list lines separated by ``<br>``. JSON-LD names "日刊現代" as a Person author, but it is the
publisher: bylined columns carry the writer in the page header instead (not in the saved page).
A ``meta name="pay_attribute"`` says whether the article is free or for members.
"""

from . import Evidence, Outlet, Rules

OUTLET = Outlet(
    key="nikkan_gendai",
    name="Nikkan Gendai DIGITAL",
    language="ja",
    domains=("nikkan-gendai.com",),
    sitemaps=("https://www.nikkan-gendai.com/sitemap.xml",),
    start_urls=(
        "https://www.nikkan-gendai.com/articles/index/news",
        "https://www.nikkan-gendai.com/articles/index/money",
        "https://www.nikkan-gendai.com/articles/index/life",
    ),
    # /articles/view/<genre>/<number>; not /articles/view/<genre>/<number>/<page> (the second
    # page of a long article), /articles/image/…, /articles/index/…, /forms/…
    article_url_pattern=r"^https?://www\.nikkan-gendai\.com/articles/view/[a-z_]+/\d+/?(?:[?#].*)?$",
    known_walls=(
        "TLS fingerprinting, at times: Fundus deprecated Nikkan Gendai on 2026-01-14 (3421d261), "
        "restored it on 2026-05-13 only with impersonate='chrome' ('un-deprecate TLS-handshake "
        "protected publishers', 056e3fda) and dropped the impersonation again on 2026-06-08 "
        "(66de8a2c); newsmon does not impersonate browsers"
    ),
    evidence=(
        Evidence(
            "https://www.nikkan-gendai.com/sitemap.xml",
            "flairNLP/fundus:src/fundus/publishers/jp/__init__.py@18da6e53592f99cf0ac5770dc63d6ba99ba63ae8",
            "2026-08-05",
            "the Sitemap of Fundus's NikkanGeadai publisher (active at that commit), read newest "
            "first and filtered to its type=articles children",
        ),
        *(
            Evidence(
                f"https://www.nikkan-gendai.com/articles/index/{genre}",
                "tests/fixtures/saved/fundus-jp/NikkanGeadai_2025_01_22.html (navigation)",
                "2025-01-22",
                "a section index link of the site navigation; that it lists articles was not checked",
            )
            for genre in ("news", "money", "life")
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/nikkan_gendai.tsv (saved page 2025; public files)",
            "2026-11-30",
            "/articles/view/<genre>/<n> ids up to 387913; /…/<n>/2 continuation pages do not match",
        ),
    ),
    rules=(
        Rules(
            version="2025-01",
            # Every page carries the same <meta name="keywords"> (the site's names and sections,
            # on the 2025-01-22 and 2025-01-31 pages alike): none of it is the article's.
            keywords=False,
            tags=("div.m-keyword-list2 li a",),  # ■関連キーワード (not "人気キーワード", site-wide)
            body=("div.article-wrap",),
            paragraphs="p.full-text",
            split_br=True,
            prune=("figure", "div.present_apply_button_wrapper"),
            # The publisher, which JSON-LD gives as a Person.
            author_strip=r"^\s*日刊現代\s*$",
            # A line that is a bare link (the ticket page of a present offer) is no text.
            drop=(r"^https?://\S+$",),
            # Member-only articles: <meta name="pay_attribute" content="paid"> (free: "free").
            paywall=("//meta[@name='pay_attribute'][@content!='free']",),
        ),
    ),
    fixtures=("fundus-jp/NikkanGeadai_2025_01_22.html", "fundus-jp/NikkanGeadai_2025_01_31.html"),
    discovery_notes=(
        "The sitemap, start URLs and the article URL pattern were checked against the saved page "
        "and public evidence (see evidence); nothing was fetched live. No RSS feed is linked "
        "from the page. The paywall rule reads <meta name=pay_attribute>; only its value 'free' "
        "was seen (the paid value is unverified)."
    ),
)
