"""Stubs: pages that stand for another one and send the browser there by script.

An article an outlet moved may leave at its old URL no 3xx but a page of its template whose
script goes on (``location.href = "…"``, ``setTimeout(…, 3000)``): "この記事は移動しました",
"This page has moved". ``middlewares.BrowserRedirectMiddleware`` follows such a page as a
redirect; ``outcome.no_article_problem`` names where one it did not follow sends the browser.

Most article pages have scripts that read ``location`` (analytics, ads, share buttons), and a
few assign it one URL that is no way on: 7 of the 261 saved pages do, a phone sent to the
mobile site (Jiji's ``/sp/article``), a login or a checkout on a click. So a script's way on
is taken only from a page that shows no text of its own (outside its menus, header, footer and
links) or says first that it moved. Pure functions: no Scrapy, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .walls import own_text

#: ``location = "…"``, ``location.href = "…"``, ``location.replace("…")`` (or ``assign``), on
#: ``window``, ``self``, ``top`` or ``document`` or bare, to one string literal that nothing is
#: added to: the whole of a script whose page is no more than a way on.
SCRIPT_LOCATION = re.compile(
    r"""(?<![\w$.])(?:(?:window|self|top|document)\s*\.\s*)?location\s*"""
    r"""(?:(?:\.\s*href\s*)?=\s*(?P<q1>["'])(?P<to1>[^"'\\\s<>]+)(?P=q1)(?!\s*[+\[.(])"""
    r"""|\.\s*(?:replace|assign)\s*\(\s*(?P<q2>["'])(?P<to2>[^"'\\\s<>]+)(?P=q2)\s*\))""")
SCRIPTS = re.compile(rb"<script\b[^>]*>(.*?)</script\s*>", re.I | re.S)
#: The start of ``SCRIPT_LOCATION`` in a page's bytes, looked for before any script is read:
#: reading all the scripts of a saved page takes 2 ms (three in four say "location"), finding
#: "location" in its first 64 KB some 25 µs. 32 of the 261 saved pages assign it a string, 7
#: one URL as written (a device switch, a login on a click).
ASSIGNS = re.compile(rb"""location\s*(?:(?:\.\s*href\s*)?=\s*["']|\.\s*(?:replace|assign)\s*\(\s*["'])""")
#: What closes a ``setTimeout(function () { location… }, 3000)`` after the assignment: its delay.
_DELAY = re.compile(r"\s*;?\s*\}?\s*\)?\s*,\s*(\d+)\s*\)")
#: A page that says it moved, and where the reader goes: "このページは移動しました", "お探しの記事は
#: 新しいURLに移転しました", "5秒後に自動的に移動します", "This page has moved", "You will be
#: redirected". Not "本社を移転しました": a story of a move.
_MOVED = re.compile(
    r"(?:ページ|記事|URL|ＵＲＬ|アドレス|サイト|ホームページ|コンテンツ)(?:は|が)?、?(?:(?:下記|以下|新しい|次|こちら)の?"
    r"(?:URL|ＵＲＬ|ページ|アドレス)?(?:へ|に))?(?:移動|移転|引っ越し)(?:しました|いたしました|しております)"
    r"|(?:^|[。\s])(?:移動|移転)(?:しました|いたしました)"
    r"|自動的に(?:移動|ジャンプ|転送|切り替わ|遷移)|自動で(?:移動|ジャンプ|転送)|秒後に(?:自動的に)?(?:移動|ジャンプ|転送)"
    r"|(?i:th(?:is|e) (?:page|article|story|site|content|url) (?:has|have) (?:been )?moved"
    r"|you (?:will|are being|'ll) (?:be )?redirected|redirecting(?: you)? to)")
#: Characters of its own text within which a page says it moved (it says so first, as a notice
#: does), and a page that shows fewer has no text of its own (``outcome.EMPTY_DOCUMENT_CHARS``).
MOVED_WITHIN_CHARS = 200
STUB_CHARS = 100


@dataclass(frozen=True)
class ScriptWay:
    """The URLs a page's scripts assign ``location``, as written (``targets``), the longest
    ``delay`` (seconds) they wait first, and whether a script that goes on sets a ``cookie``."""

    targets: frozenset[str]
    delay: float
    cookie: bool

    @property
    def target(self) -> str | None:
        """The one URL the page sends the browser to; ``None`` for none or several (built as
        the script runs, or one a phone's and one a computer's)."""
        return next(iter(self.targets)) if len(self.targets) == 1 else None


def script_way(body: bytes, encoding: str | None = None, *, whole: bool = False, end: int | None = None
               ) -> ScriptWay:
    """Where a page's scripts send the browser.

    With ``whole``, all the page's scripts are read, and ``cookie`` is a cookie set in any of
    them (a bare stub's scripts are all its own). Else only the scripts that assign ``location``
    a string in ``body[:end]`` (``ASSIGNS``) are read, and a cookie counts in them alone (a
    template's analytics set cookies of their own).
    """
    raw = SCRIPTS.findall(body) if whole else _assigning(body, len(body) if end is None else end)
    scripts = [s.decode(encoding or "utf-8", "replace") for s in raw]
    found = [(script, m) for script in scripts for m in SCRIPT_LOCATION.finditer(script)]
    delay = 0.0
    for script, m in found:
        waits = _DELAY.match(script, m.end())
        delay = max(delay, int(waits.group(1)) / 1000 if waits else 0.0)
    going = scripts if whole else [script for script, _ in found]
    return ScriptWay(frozenset(m.group("to1") or m.group("to2") for _, m in found), delay,
                     any("cookie" in script for script in going))


def assigns(body: bytes, end: int | None = None) -> bool:
    """Whether ``body[:end]`` assigns ``location`` a string (``ASSIGNS``): a look in its bytes
    before the page's encoding is found or a script decoded."""
    at = body.find(b"location", 0, end)
    while at >= 0:
        if ASSIGNS.match(body, at):
            return True
        at = body.find(b"location", at + 8, end)
    return False


def _assigning(body: bytes, end: int) -> list[bytes]:
    """The contents of the script elements that hold an ``ASSIGNS`` starting before ``end``."""
    out: dict[int, bytes] = {}
    at = body.find(b"location", 0, end)
    while at >= 0:
        if ASSIGNS.match(body, at):
            opened = body.rfind(b"<script", 0, at)
            if opened >= 0 and body.rfind(b"</script", opened, at) < 0 and opened not in out:
                start, close = body.find(b">", opened, at) + 1, body.find(b"</script", at)
                if start > 0:
                    out[opened] = body[start:close if close >= 0 else len(body)]
        at = body.find(b"location", at + 8, end)
    return list(out.values())


def is_stub(tree) -> bool:
    """Whether a parsed page stands for another: it shows under ``STUB_CHARS`` characters of its
    own text (``walls.own_text``), or says it moved in its first ``MOVED_WITHIN_CHARS``."""
    own = " ".join(own_text(tree))
    return len("".join(own.split())) < STUB_CHARS or says_moved(own)


def says_moved(text: str) -> bool:
    """Whether ``text`` says first (in its first ``MOVED_WITHIN_CHARS``) that its page moved."""
    return _MOVED.search(text[:MOVED_WITHIN_CHARS]) is not None


def sends_on(html: bytes | str, encoding: str | None = None) -> bool:
    """Whether a page's scripts send the browser to one URL (``script_way``)."""
    body = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    return script_way(body, "utf-8" if isinstance(html, str) else encoding).target is not None
