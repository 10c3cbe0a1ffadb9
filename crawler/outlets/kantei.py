"""The Prime Minister's Office (首相官邸, www.kantei.go.jp), Japanese pages: a primary source of
the policy itself (``primary_source``): the Prime Minister's press conferences and statements
(総理の演説・記者会見), his day (総理の一日), instructions and messages (総理の発表), the Chief Cabinet
Secretary's press conferences (官房長官記者会見) and statements (長官談話).

No saved article page was found (searched 2026-11-30): generic extraction, no rules. What was
found: a real copy of its news feed (2026-08-20, 25 items) and three of its listing pages as
served in 2026-08 (the redesigned site: server-rendered ``a.list-photo__link`` and
``a.list-press__link`` lists of the latest 20), which give the start URLs and many URLs.

The PM's sections are numbered by cabinet (/jp/105/ is the Takaichi cabinet, /jp/101_kishida/
was Kishida's): the start URLs below name the cabinet of 2026 and must be updated when it
changes (the feed does not). The Cabinet Secretariat's pages on the three security documents
(www.cas.go.jp/jp/siryou/221216anzenhoshou.html) are a static page of PDFs, not an outlet; see
the README.
"""

from . import Evidence, Outlet

_KL_FEED = "tests/fixtures/saved/kasumigaseki-lens/kantei.xml (twill3c/kasumigaseki-lens:tests/fixtures/kantei.xml@9e8ce17b)"
_KL_PAGES = "twill3c/kasumigaseki-lens:tests/fixtures/{}@faea8523bf6476c86866b792874d75949170eb6c"
_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"
_GOVTEST = "fetchability test of Japanese government sources, public GitHub file (search-index id 63218334387)"

OUTLET = Outlet(
    key="kantei",
    name="首相官邸 (Prime Minister's Office)",
    language="ja",
    domains=("www.kantei.go.jp",),
    feeds=("https://www.kantei.go.jp/index-jnews.rdf",),
    start_urls=(
        "https://www.kantei.go.jp/jp/105/statement/index.html",
        "https://www.kantei.go.jp/jp/105/actions/index.html",
        "https://www.kantei.go.jp/jp/tyoukanpress/index.html",
    ),
    # /jp/<cabinet>/statement/<yyyy>/<name>.html, /jp/<cabinet>/actions/<yyyymm>/<name>.html,
    # /jp/<cabinet>/discourse/<name>.html, /jp/tyoukanpress/<yyyymm>/<d>_<a|p>[n].html,
    # /jp/tyokan/<cabinet>/<name>.html and /jp/pages/<name>.html (the feed's 新着情報 items);
    # <cabinet> is "105", "101_kishida", "97_abe". Also the cabinet decisions published as a page,
    # /jp/kakugikettei/<yyyy>/<name>.html: the Japanese twins of kantei_en's /105/decisions/2026/
    # _00001.html (the second Takaichi cabinet's basic policy); a 2026 one, _00004.html, is cited
    # as the government's own statement that the cabinet rests on the LDP-Ishin coalition
    # agreement (search-index id 60697882907, checked 2026-05-05). Most decisions are PDFs
    # (/jp/kakugikettei/2010/1222mitoshi.pdf): left out, as are index pages, /jp/headline/ topic
    # pages and images.
    article_url_pattern=(
        r"^https?://www\.kantei\.go\.jp/jp/(?:\d{2,3}(?:_[a-z]+)?/(?:statement/\d{4}/|actions/\d{6}/|discourse/)"
        r"|tyoukanpress/\d{6}/|tyokan/\d{2,3}(?:_[a-z]+)?/|pages/|kakugikettei/\d{4}/)(?!index\.html)[\w-]+\.html(?:[?#].*)?$"
    ),
    primary_source=True,
    discovery_notes=(
        "No saved article page; nothing checked live. The feed: a real copy of 2026-08-20 "
        "(RSS 2.0 although named .rdf, 25 items, categories 総理会見 / 総理の一日 / 総理の発表 / 長官談話など "
        "/ 新着情報) and 200 in the 2026-03 and 2026-09 surveys. The start URLs: copies of the "
        "three listing pages of 2026-08-28, each linking its latest 20 items. The feed does not "
        "carry the Chief Cabinet Secretary's press conferences: their list is a start URL."
    ),
    evidence=(
        Evidence("https://www.kantei.go.jp/index-jnews.rdf", _KL_FEED, "2026-08-20",
                 f"the real feed, 25 items of 2026-08-09 to 08-20; 200 with current items on 2026-03-19 "
                 f"({_GOVTEST}) and 2026-09-27 ({_N1}); /jp/rss/index.rdf is 404 (N1)"),
        Evidence("https://www.kantei.go.jp/jp/105/statement/index.html", _KL_PAGES.format("pages/kantei_statement/0.html"),
                 "2026-08-25", "the page as served: 20 links /jp/105/statement/2026/<mmdd><name>.html"),
        Evidence("https://www.kantei.go.jp/jp/105/actions/index.html", _KL_PAGES.format("pages/kantei_actions/0.html"),
                 "2026-08-28", "the page as served: 20 links /jp/105/actions/<yyyymm>/<name>.html"),
        Evidence("https://www.kantei.go.jp/jp/tyoukanpress/index.html", _KL_PAGES.format("kantei_tyoukanpress.html"),
                 "2026-08-28", "the page as served: the latest 20 days' links /jp/tyoukanpress/<yyyymm>/<d>_<a|p>.html"),
        Evidence("article_url_pattern", _KL_FEED, "2026-08-20",
                 "the feed's and listing pages' links (2026) and links of 2010-2025 in public files "
                 "(tests/fixtures/urls/kantei.tsv)"),
        Evidence("article_url_pattern", "public GitHub file (search-index id 60697882907): a party-alignment note",
                 "2026-05-05",
                 "/jp/kakugikettei/2026/_00004.html, a cabinet decision page cited as the source of the ruling "
                 "coalition (checked 2026-05-05); its English twin /105/decisions/2026/_00001.html is kantei_en's"),
    ),
    feed_window="25 items, about 11 days (2026-08-09 to 08-20, the saved copy)",
    feed_terms=(
        "site content under the Public Data License 1.0 (commercial use with attribution, "
        f"{_N1}); the RSS terms forbid building websites or mail magazines from the feed "
        "(japan.kantei.go.jp/rss.html, as a 2026 project summarises them, search-index id 70487111818)"
    ),
    known_walls="none known: feed and pages answered 200 to scripts in 2026-03, 2026-08 and 2026-09",
)
