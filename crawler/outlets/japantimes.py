"""The Japan Times (www.japantimes.co.jp), English.

Its WordPress theme ("jt_theme") of 2017–2022 puts the text in ``div.entry#jtarticle``, the
credit line (a wire service or "by" a writer) in ``header p.credit`` and the time in
``time[pubdate]``; inside the text it interleaves ad slots and a "RELATED STORIES" box.
There is no JSON-LD article, and ``<meta name="author">`` says "No Author" on wire stories,
so the credit line is read instead.
"""

from . import Outlet, Rules

OUTLET = Outlet(
    key="japantimes",
    name="The Japan Times",
    language="en",
    domains=("japantimes.co.jp",),
    feeds=(
        "https://www.japantimes.co.jp/feed/topstories",
        "https://www.japantimes.co.jp/feed/",
    ),
    start_urls=(
        "https://www.japantimes.co.jp/news_category/national/",
        "https://www.japantimes.co.jp/news_category/politics-diplomacy/",
        "https://www.japantimes.co.jp/news_category/business/",
        "https://www.japantimes.co.jp/news_category/asia-pacific/",
        "https://www.japantimes.co.jp/opinion_category/commentary/",
    ),
    # /news/<yyyy>/<mm>/<dd>/<section>[/<subsection>]/<slug>/ and the same dated scheme under
    # /opinion/, /sports/, /life/, /culture/, /community/; not the undated /news_category/,
    # /tag/, /author/ or /liveblogs/ pages, nor /n2u/ press releases or /jnu/ job ads.
    article_url_pattern=(
        r"^https?://www\.japantimes\.co\.jp/(?:news|opinion|sports|life|culture|community)"
        r"/\d{4}/\d{2}/\d{2}/(?:[a-z0-9-]+/)*[a-z0-9%-]+/?(?:[?#].*)?$"
    ),
    rules=(
        Rules(
            version="2017-03",
            body=("#jtarticle",),
            paragraphs="p, h2, h3",
            prune=(
                "div.content-related-stories",
                "div.jt_content_ad",
                "ul.single-sns-area",
                "#content_footer_menu",
                "div.join-the-conversation",
                "div.with-take5",
                "div.coronavirus-banner",
            ),
            title=("article header hgroup h1",),
            published=("li.post_time time[pubdate]", "meta[property='DC.date.issued']"),
            # "Last Modified: Feb 18, 2020" in the article history popover: a day, no time.
            modified=("//*[@id='article_history']//li[contains(., 'Last Modified')]/time",),
            authors=("article header p.credit",),
            section=("article header hgroup h3 a.category-link",),
            author_strip=r"(?i)^by\s+",
        ),
    ),
    fixtures=(
        "trafilatura-eval/japantimes.co.jp.surgical.html",
        "ir-research-data/japantimes-2017-nintendo-switch.html",
    ),
    discovery_notes=(
        "Verified against saved copies: the feed https://www.japantimes.co.jp/feed/topstories is "
        "the <link rel=alternate type=application/rss+xml> of the saved home page and of both "
        "saved articles (http:// in 2017, https:// from 2019); feedreader/Rss20JapanTimes.xml "
        "is a real copy of that feed (WordPress RSS 2.0, Jan 2017) and every <link> in it "
        "(118 of 118) matches article_url_pattern, as do both saved articles' URLs and the 70 "
        "dated article links of the saved home page, while its 149 other links (home, "
        "*_category sections, tags, authors, /n2u/ press releases, /jnu/ job ads) do not. The "
        "start URLs are section links of the saved home page (2019) and article pages (2020); "
        "that they still list articles was not checked. Not verified: "
        "https://www.japantimes.co.jp/feed/ (the WordPress default feed), and whether the site "
        "of 2023 onwards still uses these URLs and this markup (no saved page after 2020). No "
        "news sitemap is known."
    ),
)
