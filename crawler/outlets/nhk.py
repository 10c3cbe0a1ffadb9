"""NHK NEWS WEB (www3.nhk.or.jp/news/ and its successor site news.web.nhk) and NEWS WEB EASY.

NHK publishes no bylines: the JSON-LD and ``<meta name="author">`` name the corporation
(日本放送協会), which is not an author, so ``author_strip`` empties it.
"""

from . import Outlet, Rules

# The corporation named as "author" on every page: an organisation, not a person.
_NOT_AN_AUTHOR = r"^\s*日本放送協会\s*$"

OUTLET = Outlet(
    key="nhk",
    name="NHK NEWS WEB",
    language="ja",
    # www3.nhk.or.jp also serves NHK WORLD (English, /nhkworld/): article_url_pattern keeps it out.
    domains=("www3.nhk.or.jp", "news.web.nhk"),
    feeds=(
        "https://www.nhk.or.jp/rss/news/cat0.xml",  # 主要ニュース
        "https://www.nhk.or.jp/rss/news/cat1.xml",  # 社会
        "https://www.nhk.or.jp/rss/news/cat3.xml",  # 科学・医療
        "https://www.nhk.or.jp/rss/news/cat4.xml",  # 政治
        "https://www.nhk.or.jp/rss/news/cat5.xml",  # 経済
        "https://www.nhk.or.jp/rss/news/cat6.xml",  # 国際
        "https://www.nhk.or.jp/rss/news/cat7.xml",  # スポーツ
    ),
    start_urls=(
        "https://www3.nhk.or.jp/news/",
        "https://news.web.nhk/newsweb",
        "https://www3.nhk.or.jp/news/easy/",
    ),
    # /news/html/<yyyymmdd>/k<14 digits>.html (not its /amp/ twin), the EASY page
    # /news/easy/k<id>/k<id>.html, and news.web.nhk/newsweb/na/na-k<14 digits>.
    article_url_pattern=(
        r"^https://(?:www3\.nhk\.or\.jp/news/(?:html/\d{8}/k\d{14}\.html"
        r"|easy/k\d{14}/k\d{14}\.html)"
        r"|news\.web\.nhk/newsweb/na/na-k\d{14})(?:[?#].*)?$"
    ),
    rules=(
        # news.web.nhk (first seen in the saved excerpt of 2026-07). Its class names are
        # generated (``_1i1d7sh0``), so the rules go by structure: the text block is the <div>
        # of <p>s that follows the <h1>, the time is the short <div> after it, the update time
        # the short <div> that says 更新. Applies only where the canonical is on news.web.nhk.
        Rules(
            version="2026-07",
            body=(
                "//html[.//link[@rel='canonical'][contains(@href, '//news.web.nhk/')]]"
                "//main//h1/following-sibling::div[p][1]",
            ),
            paragraphs="p, h2, h3",
            title=("//main//h1",),
            published=(
                "//main//h1/following-sibling::div[not(p)][contains(., '年')]"
                "[not(contains(., '更新'))][string-length(normalize-space(.)) < 40][1]",
            ),
            modified=(
                "//main//h1/following-sibling::div[not(p)][contains(., '更新')]"
                "[string-length(normalize-space(.)) < 40][1]",
            ),
            tags=("//main//h3[normalize-space(.)='注目ワード']/following-sibling::a",),
            author_strip=_NOT_AN_AUTHOR,
        ),
        # www3.nhk.or.jp/news/html/ (div.content--detail-body inside article.module--detail--v3;
        # the saved pages are of 2023-04). The summary is shown above a "続きを読む" button, the rest of the text in
        # .content--summary-more and sections of .body-title / .body-text, with paragraphs
        # separated by <br><br> inside one element.
        Rules(
            version="2023-04",
            body=("div.content--detail-body",),
            paragraphs="*.content--summary, *.content--summary-more, *.body-title, *.body-text",
            split_br=True,
            prune=("nav.button-more", "div.module--share", "figure"),
            title=("h1.content--title",),
            author_strip=_NOT_AN_AUTHOR,
        ),
        # NEWS WEB EASY (www3.nhk.or.jp/news/easy/, saved page of 2019-06): furigana in
        # <ruby><rt>, which must not reach the text; no JSON-LD. The title is "NEWS WEB EASY|"
        # + headline in og:title and <title> (and the <h1> holds furigana), so it is cut out
        # of og:title. The date line "[06月24日 11時30分]" has no year: the year comes from the
        # <body id="news20190624_k…"> that every EASY page carries.
        Rules(
            version="2019-06",
            body=("#js-article-body", "div.article-main__body"),
            paragraphs="p",
            prune=(
                "rt", "rp", "div.article-main__colors", "nav.article-main__links", "section.enquete",
            ),
            title=(
                "(substring-after(//meta[@property='og:title']/@content, 'NEWS WEB EASY|'))",
            ),
            published=(
                "(concat(substring(//body[starts-with(@id, 'news')]/@id, 5, 4), '年',"
                " translate(//*[@id='js-article-date'], '[]', '')))",
            ),
            author_strip=_NOT_AN_AUTHOR,
        ),
    ),
    fixtures=(
        "fetch_util/nhk_article.html",
        "scrapping-webs/nhk-test_article_1.html",
        "scrapping-webs/nhk-test_article_2.html",
        "scrapping-webs/nhk-test_article_3.html",
        "scrapping-webs/nhk-test_article_4.html",
        "scrapping-webs/nhk-test_article_5.html",
        "scrapping-webs/nhk-test_article_6.html",
        "scrapping-webs/nhk-test_article_7.html",
        "scrapping-webs/nhk-test_article_8.html",
        "trafilatura-eval/nhk.or.jp.k100.html",
    ),
    discovery_notes=(
        "article_url_pattern checked against the URLs of all 10 saved pages (8 of "
        "www3.nhk.or.jp/news/html/, 1 EASY, 1 news.web.nhk canonical) and against their /amp/ "
        "and k.nhk.jp alternates, which it rejects. Not verified (no saved copy): the RSS feeds "
        "www.nhk.or.jp/rss/news/cat0–7.xml (widely used, category numbers from third-party "
        "code), whether those feeds now link to news.web.nhk, and the start URLs (NHK's "
        "listing pages fill themselves from JSON with JavaScript, so they may yield few links). "
        "No news sitemap is known."
    ),
)
