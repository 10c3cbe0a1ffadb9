"""Yahoo!ニュース (news.yahoo.co.jp), an aggregator: most of its articles are copies of other
outlets' (産経新聞, FNNプライムオンライン, MBSニュース, AERA dot. …), credited by name only.

Its pages do not link or name the original article's URL: ``<link rel=canonical>`` and
``og:url`` point at Yahoo itself, the provider appears as JSON-LD ``author`` (an Organization),
in the ``<title>`` ("…（産経新聞） - Yahoo!ニュース") and as a link to ``/media/<id>``. So a copy
cannot be matched to its original by URL. What the rules do instead is extract the copy as the
provider published it (headline without the "（産経新聞）" credit, the provider's text, the
provider's time), so that the store's content hash (NFKC title + text) can match the original's
when both extractions agree word for word. Not verified: no saved page of an original of these
five copies exists here.

Five saved pages (2021-10), one layout (``div.article_body``, text blocks in
``p.highLightSearchTarget``; a block may hold several paragraphs separated by newlines only, which
its CSS shows as line breaks).
"""

from . import Evidence, Outlet, Rules

_PAGE = "tests/fixtures/saved/java-extractarticle/000004-yahoo.html"

OUTLET = Outlet(
    key="yahoo",
    name="Yahoo!ニュース",
    language="ja",
    domains=("news.yahoo.co.jp",),
    start_urls=(
        "https://news.yahoo.co.jp/",
        "https://news.yahoo.co.jp/ranking/access/news/domestic",
    ),
    # /articles/<40 hex> (and its /images/<n> gallery pages, which are not the article). Long
    # copies continue on ?page=2, ?page=3 (a pager, "次へ"): not articles of their own, so not
    # matched here; the crawl reads them as the next pages of the first (crawler/pagination.py).
    # Unchanged in 2025-26 (tests/fixtures/urls/yahoo.tsv); feeds add ?source=rss, which canonicalisation drops (crawler/urls.py). Not
    # matched: /pickup/<n> (a topic page that links the article), /articles/<hex>/comments,
    # /expert/articles/<hex> (Yahoo's own columns, another layout than these rules read),
    # /media/<id> and /categories/<name> lists.
    article_url_pattern=(r"^https?://news\.yahoo\.co\.jp/articles/[0-9a-f]{40}/?"
                         r"(?:\?(?!(?:[^#]*&)?page=)[^#]*)?(?:#.*)?$"),
    rules=(
        Rules(
            version="2021-10",
            body=("div.article_body",),
            # The text's blocks; captions of figures in the body are other <p>s. A block is shown
            # white-space: pre-wrap (its class's CSS in the saved pages), its paragraphs and the
            # gallery links among them ("【画像】…") a line each. Its sub-headings are <h2>s
            # between the blocks ("廃棄前のツイートに反響" in 000001, 2021-10), left out before.
            paragraphs="p.highLightSearchTarget, h2",
            pre_wrap=True,
            title=("article header h1", "//article//h1"),
            # "【画像】…をもっと見る", "【表でみる】…": links to the provider's galleries inside the text.
            drop=(r"^【(?:画像|写真|表でみる|動画|画像ページ|写真特集)[^】]{0,10}】",),
        ),
    ),
    fixtures=tuple(f"java-extractarticle/00000{n}-yahoo.html" for n in range(1, 6)),
    discovery_notes=(
        "The start page and the access ranking (/ranking/access/news/domestic) are links of the "
        "saved pages (2021-10); the article URL shape is theirs. Re-checked 2026-12-03 against "
        "public 2025-26 files: the article shape is unchanged (/articles/<40 hex>, 2025-06 to "
        "2026-08). The official topics feeds (/rss/topics/*.xml) link /pickup/<n>?source=rss "
        "topic pages: a site built on topics feeds, 2025-09 to 2026-03, recorded 221 distinct such "
        "links as its items' sources and no /articles/ one. The pattern refuses them, so no topics "
        "feed is added. Feeds that link /articles/<hex>?source=rss directly are in use (a collector's "
        "'Yahoo Japan Domestic/World' links, 2025-06 to 2026-07; by their shape the category "
        "feeds, /rss/categories/*.xml, as a 2022 copy of one shows) but no "
        "2024-26 source naming their URLs could be cited by repository, so none is added "
        "(canonical_url drops their ?source=rss since 2026-12-03: a feed entry and the same "
        "article linked from a page are one URL). No citable 2025-26 evidence for the start page or the ranking. No sitemap "
        "checked; the site's terms restrict automated access and were not read here. It is "
        "crawled like every built-in outlet (robots.txt obeyed), and no setting leaves it out: "
        "read its terms before running `newsmon crawl`. Reading the providers themselves is "
        "better where newsmon can."
    ),
    evidence=(
        Evidence("https://news.yahoo.co.jp/", _PAGE, "2021-10-13", "the logo link"),
        Evidence("https://news.yahoo.co.jp/ranking/access/news/domestic", _PAGE, "2021-10-13",
                 "a link of the saved pages (JSON-LD url of the ranking block)"),
        Evidence("article_url_pattern", _PAGE, "2021-10-13",
                 "canonical URLs of the five saved pages and their links (tests/fixtures/urls/yahoo.tsv)"),
        Evidence("article_url_pattern",
                 "sakatake706/secnews:output/@033b077058efa40e5d50b12e12b99718623f97cd", "2026-07-15",
                 "249 /articles/<40 hex> links (238 with a feed's ?source=rss) a security-news "
                 "collector recorded as 'Yahoo Japan Domestic/World', 2025-06-09 to 2026-07-15, all accepted"),
        Evidence("article_url_pattern",
                 "kidsnz/260518_bloomberg-jp-rss:feed.xml@03ee9dfc2c7ede9a9e3bf6382e7dd408caf0bc92", "2026-08-23",
                 "50 /articles/<40 hex> links of a feed built every 30 minutes from /media/bloom_st, all "
                 "accepted; 2025-26 rows of tests/fixtures/urls/yahoo.tsv"),
    ),
)
