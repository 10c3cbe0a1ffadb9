"""nippon.com in English (www.nippon.com/en/): features on Japan, data pages and Jiji Press
news in English (/en/news/yjj<13 digits>/).

It lives under the path /en/ of the host ``nippon_com`` (Japanese, /ja/) reads, so
``extra["path_prefix"]`` makes ``outlet_for_url`` prefer it there. No saved English page was
found (searched 2026-11-30): generic extraction, no rules. The Japanese edition's rules
(``div.editArea``) are not assumed to fit the English pages unseen.
"""

from . import Evidence, Outlet

_SOURCES = "public GitHub file (search-index id 56479912453): a source list (homepage_url, feed_url)"

OUTLET = Outlet(
    key="nippon_com_en",
    name="nippon.com (English)",
    language="en",
    domains=("www.nippon.com",),
    feeds=("https://www.nippon.com/en/feed/",),
    start_urls=("https://www.nippon.com/en/",),
    # /en/<section>/<letter(s)+digits>/ (japan-topics/g01212, japan-data/h02795, features/jg00002),
    # optionally followed by a <slug>.html, and /en/news/yjj<13 digits>/ (Jiji Press copy); of
    # 2021-2024 also Kyodo's (kd<18-19 digits>) and Reuters' (reu<date><id>) copies, rejected
    # before 2026-12-04 (a backfill from archives meets them).
    article_url_pattern=(
        r"^https?://www\.nippon\.com/en/[a-z-]+/(?:[a-z]{1,3}\d{5,6}|yjj\d{13}|kd\d{15,20}|reu\d{8}[A-Z0-9]{5,12})/"
        r"(?:[^/?#]+\.html)?(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved page; nothing checked live. The feed /en/feed/ is in several projects' source "
        "lists of 2025-2026; the home page /en/ in one of them. Article URLs of 2020-2026 from "
        "public files."
    ),
    evidence=(
        Evidence("article_url_pattern", "tests/fixtures/urls/nippon_com_en.tsv (public files; sources of the held-out "
                 "relevance sets, tests/fixtures/relevance/heldout.md)", "2021-08-27",
                 "Kyodo's /en/news/kd<18-19 digits>/<slug>.html (2023-01-09, 2024) and Reuters' "
                 "/en/news/reu20210827KBN2FR1JN/ copies, rejected by the pattern before 2026-12-04"),
        Evidence("https://www.nippon.com/en/feed/", _SOURCES, "2026-11-30",
                 "feed_url; also in source lists search-index ids 56189986790, 58619722505, 52523360691"),
        Evidence("https://www.nippon.com/en/", _SOURCES, "2026-11-30", "homepage_url"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/nippon_com_en.tsv)", "2026-09",
                 "japan-topics, japan-data, features and news URLs of 2020-2026, with and without a slug"),
    ),
    feed_window="not measured",
    feed_terms="not found",
    known_walls="none known",
    extra={"path_prefix": "/en/"},
)
