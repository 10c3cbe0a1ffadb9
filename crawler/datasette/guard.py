"""Which requests ``newsmon serve`` refuses before Datasette sees them.

On loopback without accounts nobody logs in, so any web page the reviewer visits could post to
the server, and a foreign name resolving to 127.0.0.1 (DNS rebinding) could read it. Hence:

- Host: served on loopback without accounts, only loopback names are answered: ``localhost``,
  any 127.0.0.0/8 address, ``::1`` (``serve --host 127.0.0.2`` works; ``evil.example`` does not).
- Writes (any method but GET, HEAD, OPTIONS) need same-origin evidence, one of:
  ``Sec-Fetch-Site: same-origin``; an ``Origin`` equal to the served origin (the Host asked
  for); or the CSRF token Datasette gives its pages (``x-csrftoken`` header or ``csrftoken`` form
  field, equal to the signed ``ds_csrftoken`` cookie). A request that says it comes from
  another site (``Sec-Fetch-Site: cross-site``/``same-site``, a foreign ``Origin``) is refused
  whatever else it carries, and so is ``Origin: null`` without the evidence (sandboxed frames,
  ``data:`` pages). Chromium sends ``Origin: null`` for our own forms too (Datasette's pages are
  ``no-referrer``), but with ``Sec-Fetch-Site: same-origin``.

Scripts send none of these: they use ``newsmon review``, or send ``Origin: http://HOST:PORT``.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_COOKIE = "ds_csrftoken"  # Datasette's name for asgi-csrf's cookie
CSRF_NAMESPACE = "csrftoken"
#: A form body is read to find its token only up to this size (our forms are a few hundred bytes).
MAX_FORM_BYTES = 1_000_000

CROSS_SITE = "Refused: another web site sent this request."
NO_EVIDENCE = ("Refused: this write does not show that it comes from a newsmon page (no Sec-Fetch-Site: "
               "same-origin, no Origin of this server, no CSRF token). From a script, use `newsmon review`, "
               "or send the header Origin: {origin}")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name of a ``Host`` header (``[::1]:8001`` -> ``::1``)."""
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:  # an unparseable Host, e.g. an unclosed bracket
        return ""


def headers_of(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def host_refusal(headers: dict[str, str], *, local: bool) -> str | None:
    """Why a request's Host is refused (loopback serving, foreign name), or ``None``."""
    host = headers.get("host", "")
    if local and not is_loopback(host_name(host)):
        return (f"This newsmon serves this machine only, and was asked for host {host!r}. "
                "Open it as http://127.0.0.1:PORT/ (or the loopback address it was started on).")
    return None


def origin_verdict(headers: dict[str, str]) -> str | None:
    """``"cross"`` (says another site sent it), ``"same"`` (same-origin evidence) or ``None``."""
    fetch_site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    host = headers.get("host", "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return "cross"
    foreign = origin not in (None, "null") and urlsplit(origin).netloc.lower() != host
    if foreign:
        return "cross"
    if fetch_site == "same-origin" or origin not in (None, "null"):
        return "same"
    return None


def token_valid(token: str | None, headers: dict[str, str], secret: str) -> bool:
    """Whether ``token`` is this server's signed CSRF token and equals the request's cookie."""
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no token
        return False
    expected = cookie[CSRF_COOKIE].value if CSRF_COOKIE in cookie else ""
    if not token or not expected or not secrets.compare_digest(token, expected):
        return False
    try:
        URLSafeSerializer(secret).loads(token, CSRF_NAMESPACE)
    except BadSignature:
        return False
    return True


Receive = Callable[[], Awaitable[dict[str, Any]]]


async def read_form_token(receive: Receive) -> tuple[str | None, Receive]:
    """The ``csrftoken`` field of a url-encoded body, and a ``receive`` that replays the body."""
    messages, body, more = [], b"", True
    while more:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = message.get("more_body", False) and len(body) <= MAX_FORM_BYTES
    token = dict(parse_qsl(body.decode("utf-8", "replace"))).get("csrftoken")

    async def replay() -> dict[str, Any]:
        return messages.pop(0) if messages else await receive()

    return token, replay


async def write_refusal(scope: dict[str, Any], receive: Receive, secret: str) -> tuple[str | None, Receive]:
    """Why a request must be refused as a write without same-origin evidence, or ``None``; and the
    ``receive`` to pass on (the body is read when the token can only be in it)."""
    if scope.get("method", "GET") in SAFE_METHODS:
        return None, receive
    headers = headers_of(scope)
    verdict = origin_verdict(headers)
    if verdict == "cross":
        return CROSS_SITE, receive
    if verdict == "same" or token_valid(headers.get("x-csrftoken"), headers, secret):
        return None, receive
    content_type = headers.get("content-type", "").split(";", 1)[0].strip()
    if content_type == "application/x-www-form-urlencoded":
        token, receive = await read_form_token(receive)
        if token_valid(token, headers, secret):
            return None, receive
    origin = f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1:8001')}"
    return NO_EVIDENCE.format(origin=origin), receive
