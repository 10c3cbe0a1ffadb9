"""The Ministry of Defense's English pages (www.mod.go.jp/en/): press releases and statements
in English, a primary source (``primary_source``).

It lives under the path /en/ of the ministry's host, so ``extra["path_prefix"]`` makes
``outlet_for_url`` prefer it to ``mod`` there. Articles are /en/article/<yyyy>/<mm>/<40 hex>.html.
No saved page, no feed known for the English pages; generic extraction, no rules. The same
Cloudflare challenge as the Japanese pages stands before them (see ``mod``).
"""

from . import Evidence, Outlet

_CMW = "VSSpowerlifting/China-Mil-Watch:scraper/sources/jp_mod.py@12a455d2ce2a89cc5cf4f1c09de052a66daf7078"
_GOVTEST = "fetchability test of Japanese government sources, public GitHub file (search-index id 63218334387)"

OUTLET = Outlet(
    key="mod_en",
    name="Ministry of Defense (English)",
    language="en",
    domains=("www.mod.go.jp",),
    start_urls=("https://www.mod.go.jp/en/press-release/",),
    article_url_pattern=r"^https?://www\.mod\.go\.jp/en/article/\d{4}/\d{2}/[0-9a-f]{40}\.html(?:[?#].*)?$",
    primary_source=True,
    discovery_notes=(
        "No saved page; nothing checked live. The press-release list is the English page another "
        "project measured (403, Cloudflare challenge, 2026-08-26); article URLs of 2022-2026 from "
        "public files and stored copies of its pages: ten found (2026-12-03)."
    ),
    evidence=(
        Evidence("https://www.mod.go.jp/en/press-release/", _CMW, "2026-08-26",
                 "measured: 403 with Cf-Mitigated: challenge, like every HTML page of the host"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/mod_en.tsv)", "2026-10",
                 "/en/article/<yyyy>/<mm>/<40 hex>.html links of 2024-2026"),
        Evidence("article_url_pattern", "stored public pages (search corpus 'pages'), read 2026-12-03", "2024-11",
                 "three pages of the site at /en/article/<yyyy>/<mm>/<40 hex>.html: a telecon of 2022-08 and "
                 "two press conferences of 2024 (tests/fixtures/urls/mod_en.tsv)"),
    ),
    feed_window="no feed known",
    feed_terms="no feed known",
    known_walls=(
        f"**Cloudflare challenge on HTML** (403, Cf-Mitigated: challenge; {_CMW}, 2026-08-26); "
        f"/en/ and the English white paper 403 on 2026-03-19 ({_GOVTEST})"
    ),
    extra={"path_prefix": "/en/"},
)
