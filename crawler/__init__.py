"""newsmon: crawl Japanese news outlets, extract articles, score them, store them in SQLite."""

import os

__version__ = "0.1.0"

# Scrapy's cookie middleware asks tldextract for the Public Suffix List the first time a site
# sets a cookie (every outlet does), and tldextract fetched it from publicsuffix.org: a request
# to a host no outlet names, outside robots.txt and the crawl's limits, and on a machine without
# a network a traceback in every fresh crawl. Its bundled snapshot is what newsmon reads
# (tldextract's documented production setting); set the variable to read a list of your own.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
