"""NHK WORLD-JAPAN news in English (www3.nhk.or.jp/nhkworld/), NHK's international service.

It shares the host www3.nhk.or.jp with ``nhk`` (NHK NEWS WEB, Japanese), so
``extra["path_prefix"]`` makes ``outlet_for_url`` give it the /nhkworld/ paths; the ``nhk``
pattern already keeps them out. No new host was found: unlike NEWS WEB (moved to news.web.nhk in
2025), NHK WORLD's pages of 2026 are still on www3.nhk.or.jp. The site's JSON comes from
api.nhkworld.jp and its video from master.nhkworld.jp, neither of which serves article pages, so
neither is a domain here.

The site was rebuilt in 2026-09: articles moved from /nhkworld/en/news/<yyyymmdd>_<n>/ to
/nhkworld/news/<yyyymmdd>de<n>/ (the id form of NHK's Japanese nd- pages), /nhkworld/en/news/
meta-refreshes to /nhkworld/news/, the old RSS paths answer 404 and the JSON index the old pages
used stopped updating on 2026-09-05 (a public project's live checks of 2026-09-22). The new news
top is a script-filled page that a plain fetch finds few links in (2026-09-25), so the sitemaps
carry discovery.

No saved page of it was found (searched 2026-12-02): generic extraction, no rules. What is known
of the pages, for whoever gets a saved one: a test modelled on a 2026-10 page of the rebuilt site
(another language's edition) has NewsArticle JSON-LD naming the organisation as author, and the
headline in ``div.p-article__head h1.c-title``. Not verified here, so no rules.
"""

from . import Evidence, Outlet

# Where each discovery URL and the article URL pattern was confirmed. Files the search index names
# by an id only are cited by that id, as the kyodo outlet does.
_LENS = "ryuseongryong/claude-code-newsroom-lens"
_LENS_README = f"{_LENS}:README.md@3e0c03e78cbf157f979af1fff75c37ae8445686a"
_LENS_CONFIG = f"{_LENS}:backend/app/config.py@8370e963df6997fde88606d84ed30afad62eb05e"
_STUDY = "sora09280710oh-ai/tonan-study:server/studyJournal.ts@226de612dc9e92c5a6431ac5fbb4db84c79fc2f9"
_SOURCES_0925 = "public GitHub file (search-index id 70327300311): a source config restored after 2026-09-25 checks"
_NEWS_SITEMAP_TOOL = "public GitHub file (search-index id 67514622543): an NHK WORLD headline fetcher"

OUTLET = Outlet(
    key="nhk_world",
    name="NHK WORLD-JAPAN",
    language="en",
    domains=("www3.nhk.or.jp",),
    feeds=("https://www3.nhk.or.jp/nhkworld/data/en/news/backstory/rss.xml",),
    sitemaps=(
        "https://www3.nhk.or.jp/nhkworld/data/news/sitemap.xml",
        "https://www3.nhk.or.jp/nhkworld/sitemap-news.xml",
    ),
    start_urls=("https://www3.nhk.or.jp/nhkworld/news/",),
    # /nhkworld/news/<yyyymmdd>de<n>/ (the rebuilt site, 2026-09 onwards; the letters and digit
    # count are left as loose as nhk's nd- ids, whose form these share), the old
    # /nhkworld/en/news/<yyyymmdd>_<n>/ with its letter-prefixed ids (_B5, _N03, _B03) and the
    # Backstories features /nhkworld/en/news/backstories/<n>/. Sections, tags, /videos/ clips,
    # the JSON indexes and the feeds do not match; nor do other languages' editions.
    article_url_pattern=(
        r"^https?://www3\.nhk\.or\.jp/nhkworld/(?:news/\d{8}[a-z]{2}\d{3,6}"
        r"|en/news/(?:\d{8}_[A-Z]?\d{1,3}|backstories/\d{1,5}))/?(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved page exists; nothing checked live. The 2026-09 rebuild moved the article URLs "
        "to /nhkworld/news/<date>de<n>/; a project's live checks of 2026-09-22 found the old "
        "en/news/rss/ feeds 404, /nhkworld/data/en/news/all.json frozen since 2026-09-05 and the "
        "sitemap named in robots.txt (data/news/sitemap.xml, taken to be under /nhkworld/ as the "
        "JSON beside it is) listing that day's articles. The news sitemap is from an undated "
        "headline fetcher. The Backstories RSS fed a study app on 2026-08-18, before the rebuild; "
        "whether it outlived it is not known. The news top is filled by script (2026-09-25) and "
        "may yield few links. JSON APIs newsmon does not read: /nhkworld/data/news/all.json "
        "(current, 2026-09-22) and api.nhkworld.jp/nwapi/news/v1/en/articles (2026-09-13). "
        "Article URLs of 2018-2026 from public files."
    ),
    evidence=(
        Evidence("https://www3.nhk.or.jp/nhkworld/data/en/news/backstory/rss.xml", _STUDY, "2026-08-18",
                 "the commit says real English generation was checked with this feed's headlines; it "
                 "carries NHK WORLD's Backstories, not the whole news stream. It sits under "
                 "/nhkworld/data/en/news/, whose JSON index froze at the 2026-09 rebuild; a source "
                 f"check of 2026-09-25 judged an NHK 'program feed' unfit ({_SOURCES_0925})"),
        Evidence("https://www3.nhk.or.jp/nhkworld/data/news/sitemap.xml", _LENS_README, "2026-09-22",
                 "the sitemap robots.txt names, given as data/news/sitemap.xml; it held that day's "
                 "(20260922) article URLs, which the frozen JSON index lacked. The /nhkworld/ prefix "
                 "is inferred from the /nhkworld/data/news/all.json beside it"),
        Evidence("https://www3.nhk.or.jp/nhkworld/sitemap-news.xml", _NEWS_SITEMAP_TOOL, "2026-12-02",
                 "read as a Google News sitemap (news:title, news:publication_date) for the latest "
                 "headlines on www3.nhk.or.jp; the file is undated, 2026-12-02 is the day it was read"),
        Evidence("https://www3.nhk.or.jp/nhkworld/news/", _SOURCES_0925, "2026-09-25",
                 "the NHK WORLD-JAPAN section URL after the rebuild; its check found a script-filled "
                 "page without plain article links. /nhkworld/en/news/ meta-refreshes here "
                 f"({_LENS_CONFIG}, 2026-09-22)"),
        Evidence("article_url_pattern", "public GitHub files (tests/fixtures/urls/nhk_world.tsv)", "2026-10",
                 f"/nhkworld/news/<date>de<n>/ of 2026-09/10 ({_LENS_README} and others), "
                 "/nhkworld/en/news/<date>_<n>/ of 2018-2026, Backstories of 2021-2026"),
    ),
    feed_window="not measured",
    feed_terms=(
        "not found for NHK WORLD (NHK's Japanese feeds are for personal use only, per the N1 feed "
        "survey of 2026-09-28)"
    ),
    known_walls=(
        "none known (robots.txt disallows only /*/r/ to all agents, per a live check of 2026-09-22; "
        "the news top is script-filled)"
    ),
    extra={"path_prefix": "/nhkworld/"},
)
