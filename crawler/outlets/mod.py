"""The Ministry of Defense (防衛省・自衛隊, www.mod.go.jp), Japanese pages: a primary source of the
policy itself, not a news outlet (``primary_source``).

What is read: press releases (報道資料, /j/press/news/<yyyy>/<mm>/<dd><letter>.html), the
minister's press conferences (/j/press/kisha/), defence-exchange releases (/j/approach/exchange/),
the defense white paper's HTML chapters (/j/press/wp/wp<yyyy>/html/, earlier years on
www.clearing.mod.go.jp/hakusho_data/) and the Chief of Staff, Joint Staff's press conferences and
messages (/js/about/message/<yyyy>/<mmdd>.html; the Joint Staff's own releases are PDFs). Many releases are PDFs only (/j/press/news/2026/08/25a.pdf):
the article pattern leaves them out, since a PDF is not an article for newsmon (a PDF served to
the crawler is an ``error``, ``not_html``). Whoever needs their text downloads them and runs a PDF
text extractor (``pdftotext`` of poppler-utils, or pypdf), outside newsmon.

No saved HTML page of the site was found (searched 2026-11-30): generic extraction, no rules. Two
real copies of its news feed (2026-08-19, saved here as tests/fixtures/saved/kasumigaseki-lens/mod.xml,
and 2026-08-26) confirm the feed and give the URLs.

Its HTML pages sit behind Cloudflare: measured 2026-08-26 from outside Japan, the feeds and PDFs
answered 200 and every HTML page 403 with ``Cf-Mitigated: challenge``; a 2026-03 test and the
2026-09 N1 survey got 403 on its HTML too. newsmon records such pages as ``blocked``
(``wall_challenge``) and does not try to get past the challenge; see the README.
"""

from . import Evidence, Outlet

_CMW = "VSSpowerlifting/China-Mil-Watch:scraper/sources/jp_mod.py@12a455d2ce2a89cc5cf4f1c09de052a66daf7078"
_CMW_FEED = "VSSpowerlifting/China-Mil-Watch:tests/fixtures/jp_mod/news.xml@31c247e4507dfe865ff227a09e2f00dd667d914a"
_KL_FEED = "tests/fixtures/saved/kasumigaseki-lens/mod.xml (twill3c/kasumigaseki-lens:tests/fixtures/mod.xml@9e8ce17b)"
_KL_SOURCES = "twill3c/kasumigaseki-lens:src/sources.py@13393540669930aa0eb10903f01a08a8cc7a8528"
_N1 = "feed survey 'ニュース source カタログ（N1）', public GitHub file (search-index id 70670062538)"
_GOVTEST = "fetchability test of Japanese government sources, public GitHub file (search-index id 63218334387)"

OUTLET = Outlet(
    key="mod",
    name="防衛省・自衛隊 (Ministry of Defense)",
    language="ja",
    domains=("www.mod.go.jp", "www.clearing.mod.go.jp"),
    feeds=(
        "https://www.mod.go.jp/j/rss/news.xml",    # 報道資料 and exchange releases
        "https://www.mod.go.jp/j/rss/update.xml",  # every page updated on the site
    ),
    start_urls=("https://www.mod.go.jp/j/press/news/index.html",),
    # Press releases, press conferences (0301a_r), exchange releases (20260818_aus-j) and the
    # Japan-US security talks (anpo/2026/0610a_usa-j), white-paper chapters. And the Joint Staff
    # chief's pages, /js/about/message/<yyyy>/<mmdd>.html: his press conference of 2026-10-02
    # (/js/about/message/2026/1002.html, cited for its figures by a 2026-10 research file,
    # search-index id 70901093262) and his greeting on taking office (2025/0801.html, search-index
    # id 62746944410), which the /j/ pattern refused. Not /en/ (mod_en), not PDFs (the Joint
    # Staff's releases, /js/pdf/2026/p20260821_01.pdf), not index pages
    # (/j/approach/defense/sedori/index.html, which the feed also lists, /js/press/index.html).
    # The feeds give site-relative links
    # (/j/press/news/2026/08/26b.html), which the spider resolves against the feed's URL.
    article_url_pattern=(
        r"^https?://www\.(?:mod\.go\.jp/(?:j/(?:press/news/\d{4}/\d{2}/\d{2}[a-z]{1,2}"
        r"|press/kisha/\d{4}/\d{4}[a-z]?(?:_r)?"
        r"|approach/(?:exchange/area|anpo)/\d{4}/\d{4}(?:\d{4})?[a-z]?_[a-z_-]+"
        r"|press/wp/wp\d{4}/html/n[a-z]*\d{5,9})"
        r"|js/about/message/\d{4}/\d{4}[a-z]?)"
        r"|clearing\.mod\.go\.jp/hakusho_data/\d{4}/html/n[a-z]*\d{5,9})\.html(?:[?#].*)?$"
    ),
    primary_source=True,
    discovery_notes=(
        "No saved HTML page; nothing checked live. Two real copies of news.xml (fetched "
        "2026-08-19 and 2026-08-26 by other projects' tests) hold press releases, exchange "
        "releases and PDFs, with site-relative links; update.xml and the press-release index are "
        "what one of those projects polls. The minister's press-conference list is built by "
        "JavaScript (kisha_ja.js), so it is not a start URL: press conferences come from the "
        "feeds. HTML pages are behind a Cloudflare challenge (see known_walls)."
    ),
    evidence=(
        Evidence("https://www.mod.go.jp/j/rss/news.xml", _CMW_FEED, "2026-08-26",
                 "the real feed trimmed to six items (RSS 2.0, 防衛省広報課, relative links); a full copy "
                 f"of 2026-08-19 with 125 items: {_KL_FEED}; 200 with 148 items on 2026-09-25 ({_N1})"),
        Evidence("https://www.mod.go.jp/j/rss/update.xml", _CMW, "2026-08-26",
                 "200 application/xml, 304 on If-None-Match; the whole-site update stream, a superset "
                 "of news.xml for some sections (budget tables and profile pages too)"),
        Evidence("https://www.mod.go.jp/j/press/news/index.html", _KL_SOURCES, "2026-08-20",
                 "source_url of the ministry's entry (primary_url news.xml, path filter /j/press/); "
                 "an HTML page, so behind the challenge"),
        Evidence("article_url_pattern", _KL_FEED, "2026-08-19",
                 "press and exchange release links of both feed copies; press-conference and white-paper "
                 "URLs of 2020-2026 in public files (tests/fixtures/urls/mod.tsv)"),
        Evidence("article_url_pattern", "public GitHub file (search-index id 70901093262): a research source list",
                 "2026-10-02",
                 "/js/about/message/2026/1002.html, 'Chief of Joint Staff press conference, 2 October 2026' "
                 "(also search-index ids 71598939795, 71561337801); /js/about/message/2025/0801.html, the "
                 "chief's greeting of 2025-08-01 (search-index id 62746944410)"),
    ),
    feed_window=(
        "news.xml: 125 items, 2026-06-01 to 08-19 (about 11 weeks, the saved copy); 142 items on "
        f"2026-08-26, most older than two weeks ({_CMW}); 148 on 2026-09-25 (N1)"
    ),
    feed_terms=f"not stated; the N1 survey lists its commercial use as 'to be confirmed' ({_N1}, 2026-09-28)",
    known_walls=(
        "**Cloudflare challenge on HTML**: 403 with Cf-Mitigated: challenge on every HTML page, feeds "
        f"and PDFs served ({_CMW}, measured 2026-08-26); all four MOD URLs 403 in a 2026-03-19 test "
        f"({_GOVTEST}); article pages 403 in the N1 survey (2026-09-28)"
    ),
)
