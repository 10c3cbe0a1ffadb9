"""琉球新報 (ryukyushimpo.jp), Okinawa's daily, Japanese edition.

No saved page of it was found in any public repository, test suite or data set searched
(2026-12-02): it is registered for discovery and read by generic extraction, no rules. It is here
for its local reporting of the deployments in the Nansei islands (Ishigaki, Miyako, Yonaguni,
Katsuren), which public research files on those deployments cite among their sources.

The site was rebuilt between 2023 and March 2024. Links of 2013-2023 are /news/entry-<n>.html
and /news/prentry-<n>.html (ids up to about 1.75 million); links of 2024-2026 are
/<genre>/entry-<n>.html, also written /news/<genre>/entry-<n>.html, with ids from about 2.87
million (2024-03) to 5.38 million (2026). No /articles/-/<n> link of this host was found: that is
Okinawa Times's scheme. The same /<dir>/entry-<n>.html shape also names pages that are no news
(/pages/entry-<n>.html, the old RSS guide; /okinawa-dic/prentry-<n>.html, a glossary), so the
pattern names its directories rather than accepting any.

What is known of the pages, for whoever gets a saved one: article pages of 2026 carry
``article:published_time`` and JSON-LD with the time in UTC (media-search-monitor read
2026-06-18T20:00:00+00:00 on one of them, a morning-paper article of 2026-06-19 JST); the search
results list each item as ``main div.border-b.border-b-gray-gainsboro`` with an ``h4`` headline
and the date in ``span.text-gray-spanish`` (2026/06/19; media-search-monitor's
config/site_overrides.yaml). The digital service has paid parts for りゅうちゃんクラブ members
(https://ryuchan-member.ryukyushimpo.jp/digitalservice_terms/); whether, and how, an article page
shows a member-only teaser is not known.
"""

from . import Evidence, Outlet

# Where each discovery URL and the article URL pattern was confirmed. The search index names some
# public files by an id only: those are cited by that id.
_CATALOG = "public GitHub file (search-index id 68599708087): a reader's catalog of Japanese publishers"
_MSM = "tyaso777/media-search-monitor:docs/site_date_availability_review.md@1d2a7f01b693aa0e84f99a82321eebc62d5cdfa8"
_LEGAL = "tyaso777/media-search-monitor:docs/site_legal_review.md@1d2a7f01b693aa0e84f99a82321eebc62d5cdfa8"
_LINKCHECK = "public GitHub file (search-index id 71617322506): a link check of 2026-10-10"

OUTLET = Outlet(
    key="ryukyu_shimpo",
    name="琉球新報",
    language="ja",
    # Subdomains come with it: the English edition english.ryukyushimpo.jp (a WordPress site of
    # /<yyyy>/<mm>/<dd>/<n>/ posts, the newest seen of 2022-04) and corp. / ryuchan-member. (the
    # company and the members' login). The pattern names the bare host only, so none of them is an
    # article of this outlet.
    domains=("ryukyushimpo.jp",),
    start_urls=("https://ryukyushimpo.jp/",),
    # The old site's /news/entry-<n>.html and /news/prentry-<n>.html and its editorials
    # /editorial/entry-<n>.html; the new site's /<genre>/entry-<n>.html with or without a leading
    # /news/, whatever the genre: a list of those seen (national, economics, culture, politics,
    # international, sports) rejected /region/, /living/ and /entertainment/ articles of 2026, the
    # islands' news among them (found 2026-12-04). Not /pages/ (site pages), not
    # /okinawa-dic/ (the glossary), not /tag/ or /?s= lists, not the English edition's host.
    article_url_pattern=(
        r"^https?://ryukyushimpo\.jp/(?:news/(?:pr)?entry-\d+"
        r"|(?:news/)?(?!pages/|okinawa-dic/|tag/)[a-z]+/entry-\d+"
        r"|editorial/entry-\d+)\.html(?:[?#].*)?$"
    ),
    discovery_notes=(
        "No saved page exists; nothing checked live. No feed is listed: the feed the site's old "
        "RSS guide (/pages/entry-164983.html) gives, http://ryukyushimpo.jp/feed.xml, redirected "
        "by way of /feed to the home page's HTML on 2026-09-10 (a reader's catalog). Other "
        "projects' lists name /rss/news.xml, /rss/index.xml, /feed/ and /rss/ without saying they "
        "answered, and rss.ryukyushimpo.jp/rss/ryukyushimpo/index.rdf belongs to the old site "
        "(two IRC bots' code). No sitemap known. The home page is read instead; the site search "
        "(/?s=<query>) answered with dated result lists to a monitor in 2026-06, but robots.txt "
        "may disallow /*?s=, so it is not used. Article URLs from links of 2013-2026 in public "
        "files (tests/fixtures/urls/ryukyu_shimpo.tsv)."
    ),
    evidence=(
        Evidence("article_url_pattern",
                 "groundcobra009/japan-news-frontpage-index@d87d67e7 data/2026/08/2026-08-05.csv and 2026-08-22.csv",
                 "2026-08-22",
                 "/region/ and /entertainment/ articles of 2026 (and a /living/ one, undated), rejected by the "
                 "list of genres before 2026-12-04 (tests/fixtures/urls/ryukyu_shimpo.tsv)"),
        Evidence("https://ryukyushimpo.jp/", _CATALOG, "2026-09-10",
                 "observed 2026-09-10: http://ryukyushimpo.jp/feed.xml -> https://ryukyushimpo.jp/feed -> the "
                 f"home page, HTML 200; the site answered a monitor's httpx requests in 2026-06 ({_MSM})"),
        Evidence("article_url_pattern", _MSM, "2026-06-18",
                 "/economics/entry-5321136.html, an article of 2026-06-18 fetched with 200; /national/ and "
                 "/news/national/entry-<n>.html links of 2024-2026, /news/entry-<n>.html and /news/prentry-<n>.html "
                 "of 2013-2023 in public files (tests/fixtures/urls/ryukyu_shimpo.tsv)"),
    ),
    feed_window="no feed: /feed.xml and /feed redirect to the home page (2026-09-10)",
    feed_terms=(
        "not found: the old RSS guide (https://ryukyushimpo.jp/pages/entry-164983.html) describes reading "
        "in a reader, its conditions quoted nowhere; the site terms (https://corp.ryukyushimpo.jp/agreement/terms) "
        f"were not found to restrict automated access, their content not reviewed ({_LEGAL}, 2026-06-28)"
    ),
    known_walls=(
        f"/news/entry-1381407.html answered 405 to a curl link check with a desktop Chrome user agent, "
        f"filed as an anti-robot answer ({_LINKCHECK}); search and article pages answered 200 to httpx, no "
        f"login or CAPTCHA, in 2026-06 ({_MSM})"
    ),
)
