"""Nikkan Gendai DIGITAL (nikkan-gendai.com), the tabloid daily of Kodansha's group.

The whole article text is one ``p.full-text`` inside ``div.article-wrap``, its paragraphs and
list lines separated by ``<br>``. JSON-LD names "日刊現代" as a Person author, but it is the
publisher: bylined columns carry the writer in the page header instead (not in the saved page).
A ``meta name="pay_attribute"`` says whether the article is free or for members.
"""

from . import Outlet, Rules

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
    # /articles/view/<genre>/<number>; not /articles/image/…, /articles/index/…, /forms/…
    article_url_pattern=r"^https://www\.nikkan-gendai\.com/articles/view/[a-z_]+/\d+/?(?:[?#].*)?$",
    rules=(
        Rules(
            version="2025-01",
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
    fixtures=("fundus-jp/NikkanGeadai_2025_01_22.html",),
    discovery_notes=(
        "article_url_pattern checked against the saved page's URL and canonical "
        "(/articles/view/present/366660) and against the /articles/view/<genre>/<n> links of "
        "its 'latest articles' tabs (news, geino, sports …), and rejects the page's "
        "/articles/image/…, /articles/index/… and /forms/present links. The start URLs are "
        "the section index links of the saved page's navigation (/articles/index/news, money, "
        "life); that they list articles was not checked. The sitemap is Fundus's source for "
        "the outlet (it filters the index to its type=articles children), not verified here. "
        "No RSS feed is linked from the page. The paywall rule reads <meta "
        "name=pay_attribute>; only its value 'free' was seen (the paid value is unverified)."
    ),
)
