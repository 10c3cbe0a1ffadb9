"""The Mainichi (mainichi.jp/english/), the English edition of 毎日新聞: Mainichi's own stories and
translations, and the Kyodo wire copy it carries.

It lives under the path /english/ of the host ``mainichi`` (Japanese) reads, so
``extra["path_prefix"]`` makes ``outlet_for_url`` prefer it there; each pattern takes only its own
edition's /articles/ URLs. No saved page of the English edition was found (searched 2026-12-02:
the saved Mainichi pages are all Japanese, whose navigation links //mainichi.jp/english/), so it
is read by generic extraction, no rules. The Japanese edition's rules (``section#articledetail-body``)
are not assumed to fit the English pages unseen.

For whoever gets a saved page: older scrapers (undated files) take the text from ``.main-text``
``<p>``s and the date from ``.post``, and calibre's recipe of 2021 cut pages after ``.main-text``; a
2026 collector's tests expect the time in ``<meta name="cXenseParse:recs:publishtime">``, as on the
Japanese pages. None of it is verified here.
"""

from . import Evidence, Outlet

_MONITOR = "mylee04/world-press-monitor:README.md (search-index id 66013035503): a daily feed health check"
_COLLECTOR = "public GitHub file (search-index id 70453222948): a news collector's tests of 2026-09"
_CALIBRE = "kovidgoyal/calibre:recipes/mainichi_en.recipe@15527533bad3246f4cdc0b13ef93d33672686be2"

OUTLET = Outlet(
    key="mainichi_en",
    name="The Mainichi",
    language="en",
    domains=("mainichi.jp",),
    feeds=("https://mainichi.jp/rss/etc/english_latest.rss",),
    start_urls=(
        "https://mainichi.jp/english/",
        "https://mainichi.jp/english/japan/",
    ),
    # /english/articles/<yyyymmdd>/p2<x>/00m/0<section>/<6 digits>c. The letter after p2 tells
    # whose story it is (a: Mainichi's own, 2016-2026; g: wire copy, Kyodo's in the files seen,
    # 2021-2026), so any letter is taken rather than losing a third kind to the pattern; 00m is
    # the same in every URL seen. The Japanese edition's /articles/<date>/k00/... never matches.
    article_url_pattern=(
        r"^https?://mainichi\.jp/english/articles/\d{8}/p2[a-z]/00m/0[a-z]{2}/\d{6}c/?(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved page of the English edition; nothing checked live. The feed answered 200 and "
        "parsed in a feed monitor's daily checks of 2026-02-19 to 02-24 and is in several "
        "projects' source lists of 2026. The home page is what calibre's recipe and a 2026 "
        "collector read; the Japan section is from undated scrapers, unconfirmed for 2025-2026. "
        "Article URLs of 2016-2026 from public files. No sitemap found: /english/sitemap.xml "
        "appears only in guessed per-domain lists, never confirmed."
    ),
    evidence=(
        Evidence("https://mainichi.jp/rss/etc/english_latest.rss", _MONITOR, "2026-02-23",
                 "200, valid (also 2026-02-19 and 02-24); the monitor's ingest count for it stays 0, "
                 "as for the Japanese flash feed it also lists, so that count says nothing of the "
                 "feed; its snapshots of 2026-03-08 to 04-01 mark it 'needs check', as they do many of "
                 "the Japanese feeds. The same URL is the feed of The Mainichi in source lists "
                 "search-index ids 57552414540, 70070151302, 14996118163"),
        Evidence("https://mainichi.jp/english/", _COLLECTOR, "2026-09",
                 "the homepage of its The Mainichi source, beside article URLs of 2026-09-24; calibre's "
                 f"recipe collects the /articles/ links of this page ({_CALIBRE}, read 2026-12-02); "
                 "linked from the navigation of tests/fixtures/saved/fundus-jp/MainichiShimbun_2025_01_14.html"),
        Evidence("https://mainichi.jp/english/japan/",
                 "public GitHub file (search-index id 27363671015): a scraper reading its list links",
                 "2026-12-02",
                 "undated file, read 2026-12-02; also a start page in search-index id 28275605984, and "
                 "its sub-section /english/japan/crime-accidents/ in id 18154298530. No 2025-2026 "
                 "source names it: whether it still lists articles is unconfirmed"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/mainichi_en.tsv)", "2026-10-08",
                 "p2a and p2g URLs of 2016-2026 in sections 0na, 0in, 0bu, 0sc, 0li, 0op, 0fe, 0sp; "
                 "http and https forms of one article in two versions of Zotero's Mainichi translator"),
    ),
    feed_window="not measured",
    feed_terms=(
        "not found for this feed: the no-commercial-use terms of https://mainichi.jp/rss/ that "
        "mainichi.py records were summarised for the Japanese feeds only; Mainichi's English "
        "copyright notice allows personal or non-commercial use only without permission (its copy "
        "at koukouekiden.jp/english/info/copyright_en.html, read 2026-12-02)"
    ),
    known_walls="none known",
    extra={"path_prefix": "/english/"},
)
