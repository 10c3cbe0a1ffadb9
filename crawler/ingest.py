"""Read web archives (WARC, WARC.gz, WACZ) into the database through the crawl's own path.

warcio does the record parsing (and its chunked/gzip decoding); a WACZ is a zip whose
``archive/`` folder holds WARC files. Only HTML responses with status 200 are considered, and a
URL already stored is skipped, so ingesting the same archive twice adds nothing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storage import queries
from storage import stories as story_db

from . import store
from .urls import canonical_url


def _warc_streams(path: str, stack: ExitStack) -> Iterator[IO[bytes]]:
    if zipfile.is_zipfile(path):
        archive = stack.enter_context(zipfile.ZipFile(path))
        names = [n for n in archive.namelist() if n.startswith("archive/") and ".warc" in n]
        if not names:
            raise ValueError("a zip file without archive/*.warc[.gz]: not a WACZ")
        for name in sorted(names):
            yield stack.enter_context(archive.open(name))
    else:
        yield stack.enter_context(open(path, "rb"))


def iter_html_responses(path: str) -> Iterator[tuple[str, bytes, str | None]]:
    """(target URL, body, Content-Type) of each 200 HTML response in an archive."""
    records = 0
    with ExitStack() as stack:
        for stream in _warc_streams(path, stack):
            try:
                for record in ArchiveIterator(stream):
                    # warcio reads any text as an (old) ARC file; a record naming no http(s)
                    # URL is what garbage looks like through it.
                    url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("uri") or ""
                    if not url.startswith(("http://", "https://")):
                        continue
                    records += 1
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    if record.http_headers.get_statuscode() != "200":
                        continue
                    ctype = record.http_headers.get_header("Content-Type") or ""
                    if "html" not in ctype.lower():
                        continue
                    yield url, record.content_stream().read(), ctype
            except ArchiveLoadFailed as exc:
                raise ValueError(f"not a readable WARC file ({exc})") from None
    if records == 0:
        raise ValueError("no WARC record found: is it a WARC, WARC.gz or WACZ file?")


def ingest_archive(db, path: str, config_path: str | None = None,
                   opts: store.Options | None = None) -> dict[str, int]:
    """Extract, score, store and group every new HTML page of one archive; return counts.

    Archived articles are not revisited: the archive is a record of the past, not the live site.
    """
    outlets, _ = store.context(config_path)
    opts = opts or store.options(config_path)
    hosts = store.known_hosts(outlets)
    counts = {"responses": 0, "new": 0, "relevant": 0, "seen": 0, "no_article": 0}
    for url, body, ctype in iter_html_responses(path):
        counts["responses"] += 1
        key = canonical_url(url, hosts)
        if queries.url_done(db, key):
            counts["seen"] += 1
            continue
        charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip() if "charset=" in ctype.lower() else None
        record = store.analyse(body, key, charset, config_path, story_features=opts.stories)
        saved = store.save(db, url=key, body=body, record=record,
                           outlet=store.outlet_key(key, outlets), content_type=ctype, opts=opts)
        if record is None:
            counts["no_article"] += 1
        elif saved.new:
            counts["new"] += 1
            counts["relevant"] += int(saved.relevant)
        else:
            counts["seen"] += 1
    story_db.flush_terms(db)
    return counts
