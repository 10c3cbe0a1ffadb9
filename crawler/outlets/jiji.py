"""Jiji Press (www.jiji.com, 時事ドットコム), Japanese.

No saved page: registered for discovery only, read by generic extraction. Its English service,
Jiji Press English News (jen.jiji.com, /jc/eng?g=<genre>&k=<13 digits>), is a separate site
in another language and is not part of this outlet.
"""

from . import Outlet

OUTLET = Outlet(
    key="jiji",
    name="Jiji Press",
    language="ja",
    domains=("www.jiji.com",),
    feeds=("https://www.jiji.com/rss/ranking.rdf",),
    start_urls=(
        "https://www.jiji.com/",
        "https://www.jiji.com/jc/list?g=pol",
        "https://www.jiji.com/jc/list?g=int",
        "https://www.jiji.com/jc/list?g=eco",
        "https://www.jiji.com/jc/list?g=soc",
    ),
    # /jc/article?k=<13 digits: yyyymmdd + serial>[&g=<genre>]; not the PR TIMES press releases
    # it also hosts under /jc/article?k=000000036.000138449&g=prt.
    article_url_pattern=r"^https://www\.jiji\.com/jc/article\?k=\d{13}(?:&[^#]*)?(?:#.*)?$",
    discovery_notes=(
        "Nothing verified against a saved copy (none exists). The article URL shape "
        "(/jc/article?k=<13 digits>&g=pol|int|eco|soc…) and the press-release shape it excludes "
        "come from links in public repositories; the feed /rss/ranking.rdf (the most-read "
        "ranking, the one feed third-party code reports alive in 2026) likewise. The /jc/list?g= "
        "section pages are unverified guesses at the genre listings. No sitemap known. English "
        "service jen.jiji.com not registered (separate site, English)."
    ),
)
