"""URL canonicalisation: one key per article, however a feed, sitemap or share link spells it.

A URL that differs only by tracking parameters, fragment, host case, default port, an AMP or a
mobile variant is the same article, and must be fetched and stored once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that identify a campaign or a click, never an article.
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|yclid|msclkid|mc_cid|mc_eid|igshid|_ga|ito|n_cid|cid_\w+"
    r"|ref|ref_src|rss|from|fm|via|share|s_cid|cmpid|icid|outputType|amp|ncid|trk)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MOBILE_PREFIXES = ("m.", "sp.", "amp.", "mobile.")
_AMP_PATH = re.compile(r"(?:^/amp(?=/)|/amp/?$|\.amp(?=\.html?$|/?$))")


def canonical_url(url: str, known_hosts: Iterable[str] = ()) -> str:
    """The canonical form of ``url``.

    ``known_hosts`` are the hosts of our outlets: a mobile or AMP host (``m.example.jp``) is
    mapped to its desktop host only when that host is one of them, so that an unknown site's
    ``m.`` host is never guessed at.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    hosts = set(known_hosts)
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix):
            bare = host[len(prefix) :]
            for candidate in (bare, "www." + bare):
                if candidate in hosts:
                    host = candidate
                    break
            break
    netloc = host
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    path = _AMP_PATH.sub("", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))
