"""The Japan Times (www.japantimes.co.jp), English.

Its WordPress theme ("jt_theme") of 2017–2022 puts the text in ``div.entry#jtarticle``, the
credit line (a wire service or "by" a writer) in ``header p.credit`` and the time in
``time[pubdate]``; inside the text it interleaves ad slots and a "RELATED STORIES" box.
There is no JSON-LD article, and ``<meta name="author">`` says "No Author" on wire stories,
so the credit line is read instead.
"""

from . import Evidence, Outlet, Rules

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
    # /tag/, /author/ or /liveblogs/ pages, nor /n2u/ press releases or /jnu/ job ads, nor an
    # article's comment feed (<article>/feed/, the wfw:commentRss of every item of its RSS).
    # Since the 2023 redesign three sections date their articles under a top-level prefix of
    # their own, which the pattern rejected until 2026-12-03: /business/<date>/<companies|tech|
    # markets>/<slug>/ (from 2023-06, e.g. /business/2026/07/22/companies/nichirei-cyberattack-
    # ransomhouse/), /commentary/<date>/<japan|world>/<slug>/ (the opinion columns, formerly
    # /opinion/<date>/commentary/…) and /environment/<date>/climate-change/<slug>/; 11 such 2025-26
    # URLs are in tests/fixtures/urls/japantimes.tsv. The section lists of the new site
    # (/news/japan/politics/, /business/, /opinion/editorials/page/2/) and its image files
    # (/japantimes/uploads/images/<date>/<n>.jpg) carry no date and stay out.
    article_url_pattern=(
        r"^https?://www\.japantimes\.co\.jp/(?:news|business|commentary|environment|opinion|sports"
        r"|life|culture|community)"
        r"/\d{4}/\d{2}/\d{2}/(?:[a-z0-9-]+/)*(?!feed/?(?:[?#]|$))[a-z0-9%-]+/?(?:[?#].*)?$"
    ),
    evidence=(
        Evidence(
            "https://www.japantimes.co.jp/feed/topstories",
            "tests/fixtures/saved/trafilatura-eval/japantimes.co.jp.surgical.html (<link rel=alternate>)",
            "2020-02",
            "the feed the saved pages of 2017-2020 advertise; feedreader/Rss20JapanTimes.xml is a "
            "2017 copy whose 118 links all match the pattern. Still in 2025-2026 feed lists "
            "(search-index ids 39813031148, 53075881778), none dated",
        ),
        Evidence(
            "https://www.japantimes.co.jp/feed/",
            "public GitHub feed-validation table (search-index id 65790670981)",
            "2026-02-19",
            "HTTP 200, valid RSS on 2026-02-19",
        ),
        *(
            Evidence(
                url,
                "tests/fixtures/saved/feedreader/japantimes-home.html (navigation)",
                "2019-05",
                "a section link of the 2019 home page; /news_category/<name>/ pages were still "
                "crawled in 2023 (search-index id 44471387624). Whether they list articles after "
                "the site's 2023 redesign was not checked",
            )
            for url in (
                "https://www.japantimes.co.jp/news_category/national/",
                "https://www.japantimes.co.jp/news_category/politics-diplomacy/",
                "https://www.japantimes.co.jp/news_category/business/",
                "https://www.japantimes.co.jp/news_category/asia-pacific/",
                "https://www.japantimes.co.jp/opinion_category/commentary/",
            )
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/japantimes.tsv (saved pages 2017-2020; public files of 2026)",
            "2026-10-01",
            "the dated /news/<yyyy>/<mm>/<dd>/… scheme is unchanged from 2017 to 2026",
        ),
        Evidence(
            "article_url_pattern",
            "tests/fixtures/urls/japantimes.tsv (2025-26 rows, public files found 2026-12-03)",
            "2026-10-07",
            "2025-26 article URLs under /business/, /commentary/ and /environment/ (dated like /news/), "
            "rejected by the pattern before 2026-12-03; newest /commentary/2026/10/07/world/ai-doomsday-risk/",
        ),
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
        "Feeds, start URLs and the article URL pattern were checked against saved pages (2017-"
        "2020) and public evidence (see evidence); nothing was fetched live. No news sitemap is "
        "known; no saved page after 2020, so the rules may not fit the 2023 redesign."
    ),
)
