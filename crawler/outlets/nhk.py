"""NHK NEWS WEB (www3.nhk.or.jp/news/ and its successor site news.web.nhk) and NEWS WEB EASY.

NHK publishes no bylines: the JSON-LD and ``<meta name="author">`` name the corporation
(日本放送協会), which is not an author, so ``author_strip`` empties it.
"""

from . import Evidence, Outlet, Rules

# The corporation named as "author" on every page: an organisation, not a person.
_NOT_AN_AUTHOR = r"^\s*日本放送協会\s*$"

# Where each discovery URL and the article URL pattern was confirmed (see Evidence).
# The feed survey "ニュース source カタログ（N1）": one read-only fetch of each feed on 2026-09-28,
# with each outlet's RSS terms; a public GitHub file the search index does not name.
_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"
_FEED_NOTE = (
    "200 on 2026-09-28; the old www.nhk.or.jp/rss/news/catN.xml carried the same items but "
    "answered empty or 301 on some refetches, so only news.web.nhk is listed"
)

#: The site's name after the sections in the 2019-2023 pages' keywords ("社会", "暮らし"), and
#: "一般", the JSON-LD articleSection of every one of them (their section is their genre).
_SITE_WORDS = r"^(?:NHK(?: NEWS WEB|ニュース)?|ニュース|一般)$"

OUTLET = Outlet(
    key="nhk",
    name="NHK NEWS WEB",
    language="ja",
    # www3.nhk.or.jp also serves NHK WORLD (English, /nhkworld/), the nhk_world outlet:
    # article_url_pattern keeps it out.
    # Since 2025-10 the site is news.web.nhk ("NHK ONE"); www3 pages stay up but stopped updating.
    domains=("www3.nhk.or.jp", "news.web.nhk"),
    feeds=(
        "https://news.web.nhk/n-data/conf/na/rss/cat0.xml",  # 主要ニュース
        "https://news.web.nhk/n-data/conf/na/rss/cat1.xml",  # 社会
        "https://news.web.nhk/n-data/conf/na/rss/cat3.xml",  # 科学・医療
        "https://news.web.nhk/n-data/conf/na/rss/cat4.xml",  # 政治
        "https://news.web.nhk/n-data/conf/na/rss/cat5.xml",  # 経済
        "https://news.web.nhk/n-data/conf/na/rss/cat6.xml",  # 国際
        "https://news.web.nhk/n-data/conf/na/rss/cat7.xml",  # スポーツ
    ),
    # The news sitemap of NEWS WEB's national articles (na-k<id>), read by four projects of 2026
    # as NHK's article list: it keeps what cat0's ~2.7 hours no longer hold.
    sitemaps=("https://news.web.nhk/sitemap/sitemap-news-nationwide-article.xml",),
    # The www3.nhk.or.jp/news/ and /news/easy/ start pages were dropped: www3 stopped updating
    # when NEWS WEB moved (it answers 200 with old articles), and EASY's www3 list answers 401.
    start_urls=(
        "https://news.web.nhk/newsweb",
        "https://news.web.nhk/news/easy/",
    ),
    # www3.nhk.or.jp/news/html/<yyyymmdd>/k<14 digits>.html (its /amp/ twin canonicalises to it;
    # feeds of 2025 linked it as http://), the old EASY page /news/easy/k<id>/k<id>.html, and
    # on news.web.nhk: /newsweb/na/na-k<14 digits> (national), nb-<10 digits> (regional
    # stations), nd-<date>de<n> (the id form of 2026), and EASY /news/easy/<id>/<id>.html with
    # ne<13 digits> or <date>de<n> ids.
    # The regional stations' articles on www3 were rejected until 2026-12-03. Until the move to
    # news.web.nhk (2025-10) they were /<area>-news/<yyyymmdd>/<10 digits>.html (shutoken-news,
    # kansai-news, hiroshima-news, sapporo-news …; a public tracker of the stations' feeds
    # recorded five of 2025-10-09 to 2025-10-12) and /lnews/<station>/<yyyymmdd>/<10 digits>.html
    # (lnews/morioka/20250616/…, 2022 links of lnews/okayama, chiba, kobe …). The 10 digits are
    # the id news.web.nhk gives the same article as nb-<id> (the tracker rewrote tohoku
    # 20251009/6000033450.html to nb-6000033450). Their feeds (lnews/<station>/index.rdf) do not
    # match.
    # Since 2026-12-03 a www3 national or regional article URL is keyed (and fetched) as its
    # news.web.nhk address, na-k<id> or nb-<id> (crawler.urls._SITE_MOVED): feeds of 2026 still
    # link the www3 form beside news.web.nhk's own, and each article was fetched under both.
    article_url_pattern=(
        r"^https?://(?:www3\.nhk\.or\.jp/(?:news/(?:html/\d{8}/k\d{14}\.html"
        r"|easy/k\d{14}/k\d{14}\.html)"
        r"|(?:lnews/[a-z]+|[a-z]+-news)/\d{8}/\d{10}\.html)"
        r"|news\.web\.nhk/(?:newsweb/na/(?:na-k\d{14}|nb-\d{10}|nd-\d{8}[a-z]{2}\d{3,6})"
        r"|news/easy/(?P<easy>ne\d{13}|\d{8}[a-z]{2}\d{3,6})/(?P=easy)\.html))(?:[?#].*)?$"
    ),
    feed_window="~2.7 hours: cat0 held 7 items on 2026-09-28 (N1 feed survey)",
    feed_terms=(
        "personal use only; no commercial redistribution "
        "(https://www.nhk.or.jp/toppage/rss/index.html, as summarised by the N1 feed survey, "
        "2026-09-28)"
    ),
    known_walls=(
        "news.web.nhk pages and the EASY JSON sit behind NHK ONE's consent/authorisation cookie: "
        "a plain fetch may get the consent page (RSSHub's EASY route first calls "
        "news.web.nhk/tix/build_authorize, DIYgod/RSSHub:lib/routes/nhk/news-web-easy.tsx; "
        "DarksideofNHK/NHK_News_Tracker automates the consent dialog, 2025-10; "
        "www3 EASY news-list.json answers 401 since 2025-10, DIYgod/RSSHub#20610); "
        "the consent cookie of a browser can be given in the config ([outlets.nhk] cookies)"
    ),
    evidence=(
        Evidence("https://news.web.nhk/sitemap/sitemap-news-nationwide-article.xml",
                 "public GitHub file (search-index id 70314760928): a content importer's 'nhk-news' source, "
                 "undated", "2026-12-03",
                 "its sitemap_url; also search-index ids 70426300953, 70516208578 (that importer's tests) and "
                 "54119738346 (NHK_NEWS_WEB_SITEMAP_URL of a reader app, beside the article API "
                 "api.web.nhk/r8/t/newsarticle/na); undated files, read 2026-12-03"),
        *(
            Evidence(f"https://news.web.nhk/n-data/conf/na/rss/cat{n}.xml", _N1, "2026-09-28", _FEED_NOTE)
            for n in (0, 1, 3, 4, 5, 6, 7)
        ),
        Evidence(
            "https://news.web.nhk/n-data/conf/na/rss/cat0.xml",
            "twill3c/midashi-sanmenkyo:tests/testthat/fixtures/nhk_sample.xml"
            "@e67d5751548af2cacd5a1c70fb0cb289e2f73b2f"
            " (saved: tests/fixtures/saved/midashi-sanmenkyo/nhk_sample.xml)",
            "2026-08-19",
            "the feed as a headline tool fetched it (its R/feeds.R names this URL): RSS 2.0, 7 items, "
            "links https://news.web.nhk/newsweb/na/nd-…, every one taken and dated (test_registry)",
        ),
        Evidence(
            "https://news.web.nhk/newsweb",
            "public GitHub file (search-index id 65723217612)",
            "2026-09",
            "a crawler of 2026-09 discovers NHK articles from this page ('/newsweb/na/nd-' links) "
            "and notes that the www3 html/k… URLs no longer yield any; "
            "the page fills itself from JSON with JavaScript, so it may yield few links",
        ),
        Evidence(
            "https://news.web.nhk/news/easy/",
            "DIYgod/RSSHub:lib/routes/nhk/news-web-easy.tsx@145f01eb3c1d74cb71754a4c27c7d256f2fb7310",
            "2025-12-02",
            "the route's link and redirect_uri at that commit; the route got its authorisation "
            "flow in PR #20612 (2025-12-02) after www3's list began to answer 401. The list itself "
            "is news-list.json behind the authorisation cookie",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/saved (10 NHK pages) and tests/fixtures/urls/nhk.tsv",
            "2026-09",
            "www3 ids from the saved pages (2019-2026) and from 2025 feed copies with http:// links; "
            "na-k, nb- and nd- ids and both EASY id forms from public files of 2025-2026 listed in "
            "the urls file",
        ),
        Evidence(
            "article_url_pattern",
            "public GitHub file (search-index id 61403885692): a news reader app's client, 2026",
            "2026-04-28",
            "it rewrites http://www3.nhk.or.jp/news/html/20260428/k10015110361000.html to "
            "https://news.web.nhk/newsweb/na/na-k10015110361000 before it fetches ('旧URLを新URLに変換'): "
            "one article, keyed so by crawler.urls since 2026-12-03. news.web.nhk serves ids of before the "
            "move too (na-k10014827681000, 2025-05, linked in search-index id 15067048077); a PHP reader "
            "reads www3 and news.web.nhk pages with one rule, following redirects (search-index id "
            "49268844628). Regional: the NHK_News_Tracker's tohoku rewrite below",
        ),
        Evidence(
            "article_url_pattern",
            "DarksideofNHK/NHK_News_Tracker:reports/weekly/weekly_report_20251012.md"
            "@01ca26ea8181502d159547488859b7986eff425e and tests/fixtures/urls/nhk.tsv",
            "2025-10-12",
            "regional station articles www3.nhk.or.jp/<area>-news/<date>/<10 digits>.html (shutoken-news "
            "20251012/1000122742.html, hiroshima-news 20251010/4000031616.html, from the stations' feeds) "
            "and /lnews/<station>/<date>/<10 digits>.html (lnews/morioka/20250616/6040025919.html), "
            "rejected by the pattern before 2026-12-03",
        ),
    ),
    rules=(
        # news.web.nhk (first seen in the saved excerpt of 2026-07). Its class names are
        # generated (``_1i1d7sh0``), so the rules go by structure: the text block is the <div>
        # holding <p>s that follows the <h1> (at any depth: one wrapper more lost every article), the time is the short <div> after it, the update time
        # the short <div> that says 更新. Applies only where the canonical is on news.web.nhk.
        Rules(
            version="2026-07",
            keywords_drop=_SITE_WORDS,
            body=(
                "//html[.//link[@rel='canonical'][contains(@href, '//news.web.nhk/')]]"
                "//main//h1/following-sibling::div[.//p][1]",
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
            keywords_drop=_SITE_WORDS,
            body=("div.content--detail-body",),
            paragraphs="*.content--summary, *.content--summary-more, *.body-title, *.body-text",
            split_br=True,
            prune=("nav.button-more", "div.module--share", "figure"),
            title=("h1.content--title",),
            author_strip=_NOT_AN_AUTHOR,
        ),
        # NEWS WEB EASY (www3.nhk.or.jp/news/easy/, saved page of 2019-06): furigana in
        # <ruby><rt> (left out of every page's text, crawler.extract._parse); no JSON-LD. The title is "NEWS WEB EASY|"
        # + headline in og:title and <title> (and the <h1> holds furigana), so it is cut out
        # of og:title. The date line "[06月24日 11時30分]" has no year: the year comes from the
        # <body id="news20190624_k…"> that every EASY page carries.
        Rules(
            version="2019-06",
            keywords_drop=_SITE_WORDS,
            body=("#js-article-body", "div.article-main__body"),
            paragraphs="p",
            prune=(
                "div.article-main__colors", "nav.article-main__links", "section.enquete",
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
        "nhk-easy-news-crawler/k10014659321000.html",
    ),
    discovery_notes=(
        "Feeds, start URLs and the article URL pattern were checked against public evidence of "
        "2025-2026 (see evidence); nothing was fetched live. The news sitemap of the national articles "
        "(sitemap-news-nationwide-article.xml) was added on 2026-12-03, as four 2026 projects read it; "
        "no regional one is known."
    ),
)
