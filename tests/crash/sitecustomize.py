"""A bug of newsmon's extraction, on demand: put this folder on PYTHONPATH of a newsmon process
(and of the Dask workers it starts) and a page carrying ``MARKER`` makes ``extract_article``
raise, as a bug in it would; a feed or sitemap carrying it makes its parser raise, a section page its own
listing's reader (``page_listing``). The tests of what a crash costs (one page's ``extract_failed``, not
the run) need a page that crashes, and a real page no longer does once its bug is fixed.

A page carrying ``HOLD_MARKER``, with ``TESTS_CRASH_HOLD`` naming a folder, is read only once a file ``go`` is in
it, and says it is being read by a file ``reading-<pid>`` there first: a crawl stopped while a worker reads a page,
at that moment and no other.
"""

import os
import time

import crawler.discovery
import crawler.extract

MARKER = b"<!-- newsmon-test: extraction crashes here -->"
HOLD_MARKER = b"<!-- newsmon-test: extraction waits here -->"
_extract_article = crawler.extract.extract_article


def _hold(folder: str) -> None:
    with open(os.path.join(folder, f"reading-{os.getpid()}"), "w"):
        pass
    deadline = time.monotonic() + 120  # a test that never says go does not leave a worker behind for ever
    while not os.path.exists(os.path.join(folder, "go")) and time.monotonic() < deadline:
        time.sleep(0.02)


def _crashing(html, *args, **kwargs):
    data = html if isinstance(html, bytes) else str(html).encode("utf-8", "replace")
    if MARKER in data:
        raise RuntimeError("a bug of the extractor (tests/crash)")
    if HOLD_MARKER in data and os.environ.get("TESTS_CRASH_HOLD"):
        _hold(os.environ["TESTS_CRASH_HOLD"])
    return _extract_article(html, *args, **kwargs)


crawler.extract.extract_article = _crashing


def _crashing_parser(parse):
    def crashing(body, *args, **kwargs):
        if MARKER in body:
            raise TypeError("a bug of the feed parser (tests/crash)")
        return parse(body, *args, **kwargs)
    return crashing


# Before crawler.spiders.news imports them by name.
crawler.discovery.parse_feed = _crashing_parser(crawler.discovery.parse_feed)
crawler.discovery.parse_sitemap = _crashing_parser(crawler.discovery.parse_sitemap)


_page_listing = crawler.discovery.page_listing


def _crashing_listing(root, *args, **kwargs):
    # A section page carrying it: its links are read, then telling its own listing raises.
    from lxml import etree

    if any(MARKER.decode()[4:-3] in (c.text or "") for c in root.iter(etree.Comment)):
        raise TypeError("a bug of the listing reader (tests/crash)")
    return _page_listing(root, *args, **kwargs)


crawler.discovery.page_listing = _crashing_listing
