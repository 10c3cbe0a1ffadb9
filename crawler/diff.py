"""What changed between two versions of an article, sentence by sentence.

Outlets update articles by adding a paragraph, correcting a figure, rewording a sentence; a
reviewer wants to see those sentences, not a character diff. Texts are split into sentences
(Japanese after 。！？, English after . ! ? followed by a space, and at every line break;
never inside 「」『』（）, so a quoted sentence stays in its sentence) and compared with
difflib: each sentence of the old and the new text is kept, added or removed.

``diff_texts`` and ``diff_html`` are pure; ``article_diff`` reads two versions of a stored
article (``storage.versions``) and diffs them, for the review UI::

    from crawler.diff import article_diff, diff_html
    change = article_diff(db, article_id)          # the newest version against the one before
    html = diff_html(change)                       # <div class="newsmon-diff">…</div>
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlite_utils import Database

from storage import versions

_OPEN = "「『（(【〈《［"
_CLOSE = "」』）)】〉》］"
_JA_END = "。！？!?"
_EN_END = re.compile(r"[.!?][\"')\]]*\s")

Op = Literal["same", "added", "removed"]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, none empty.

    >>> split_sentences("首相は「反撃能力は必要だ。」と述べた。防衛費は増える！\\n追記：午後に会見")
    ['首相は「反撃能力は必要だ。」と述べた。', '防衛費は増える！', '追記：午後に会見']
    >>> split_sentences("The cabinet approved it. It takes effect in April.")
    ['The cabinet approved it.', 'It takes effect in April.']
    """
    out: list[str] = []
    for line in (text or "").splitlines():
        depth = 0
        start = 0
        i = 0
        while i < len(line):
            ch = line[i]
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            elif depth == 0:
                if ch in _JA_END:
                    while i + 1 < len(line) and line[i + 1] in _JA_END:
                        i += 1
                    out.append(line[start:i + 1])
                    start = i + 1
                elif ch in ".!?":
                    m = _EN_END.match(line, i)
                    if m:
                        out.append(line[start:m.end()])
                        start = i = m.end()
                        continue
            i += 1
        out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


@dataclass(frozen=True)
class DiffLine:
    op: Op
    text: str


@dataclass(frozen=True)
class Diff:
    """Two texts compared sentence by sentence (``lines`` in reading order)."""

    lines: list[DiffLine] = field(default_factory=list)
    old_title: str | None = None
    new_title: str | None = None
    #: Version numbers, when the diff is of a stored article's versions.
    old_version: int | None = None
    new_version: int | None = None

    @property
    def added(self) -> list[str]:
        return [line.text for line in self.lines if line.op == "added"]

    @property
    def removed(self) -> list[str]:
        return [line.text for line in self.lines if line.op == "removed"]

    @property
    def title_changed(self) -> bool:
        return (self.old_title or "") != (self.new_title or "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: titles, versions, ``added``/``removed`` sentences and every line with its op."""
        return {"old_version": self.old_version, "new_version": self.new_version, "old_title": self.old_title,
                "new_title": self.new_title, "title_changed": self.title_changed, "added": self.added,
                "removed": self.removed, "lines": [{"op": line.op, "text": line.text} for line in self.lines]}


def diff_texts(old: str, new: str, *, old_title: str | None = None, new_title: str | None = None) -> Diff:
    """Sentence-level diff of two texts: every sentence once, ``same``, ``added`` or ``removed``;
    a rewritten sentence is its old form removed, then its new form added."""
    a, b = split_sentences(old), split_sentences(new)
    lines: list[DiffLine] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", s) for s in a[i1:i2]]
            continue
        lines += [DiffLine("removed", s) for s in a[i1:i2]]
        lines += [DiffLine("added", s) for s in b[j1:j2]]
    return Diff(lines, old_title, new_title)


def diff_html(diff: Diff, *, context: int | None = None) -> str:
    """The diff as HTML for the review UI: a title line when the title changed, then one ``<p>``
    per sentence, added ones in ``<ins>``, removed ones in ``<del>`` (classes ``added``,
    ``removed``, ``same``; the container is ``div.newsmon-diff``). With ``context``, runs of
    unchanged sentences longer than twice that are cut to their ends and "…"."""
    parts = ['<div class="newsmon-diff">']
    if diff.old_version is not None:
        parts.append(f'<p class="versions">version {diff.old_version} → {diff.new_version}</p>')
    if diff.title_changed:
        parts.append(f'<p class="title removed"><del>{html.escape(diff.old_title or "")}</del></p>')
        parts.append(f'<p class="title added"><ins>{html.escape(diff.new_title or "")}</ins></p>')
    for op, text in _with_context(diff.lines, context):
        if op == "gap":
            parts.append('<p class="gap">…</p>')
        elif op == "added":
            parts.append(f'<p class="added"><ins>{html.escape(text)}</ins></p>')
        elif op == "removed":
            parts.append(f'<p class="removed"><del>{html.escape(text)}</del></p>')
        else:
            parts.append(f'<p class="same">{html.escape(text)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _with_context(lines: list[DiffLine], context: int | None) -> list[tuple[str, str]]:
    if context is None:
        return [(line.op, line.text) for line in lines]
    out: list[tuple[str, str]] = []
    run: list[DiffLine] = []

    def flush(first: bool, last: bool) -> None:
        head = 0 if first else context
        tail = 0 if last else context
        if len(run) > head + tail + 1:
            out.extend(("same", line.text) for line in run[:head])
            out.append(("gap", ""))
            out.extend(("same", line.text) for line in run[len(run) - tail:] if tail)
        else:
            out.extend(("same", line.text) for line in run)
        run.clear()

    first = True
    for line in lines:
        if line.op == "same":
            run.append(line)
            continue
        flush(first, False)
        first = False
        out.append((line.op, line.text))
    flush(first, True)
    return out


def article_diff(db: Database, article_id: int, old: int | None = None, new: int | None = None) -> Diff | None:
    """The diff of two versions of a stored article: by default the newest against the one
    before it. ``None`` when the article has fewer than two versions or no such version."""
    chain = {v["version"]: v for v in versions.versions(db, article_id)}
    if len(chain) < 2:
        return None
    new = new if new is not None else max(chain)
    old = old if old is not None else max((v for v in chain if v < new), default=None)
    if old not in chain or new not in chain:
        return None
    a, b = chain[old], chain[new]
    found = diff_texts(a["text"] or "", b["text"] or "", old_title=a["title"], new_title=b["title"])
    return Diff(found.lines, found.old_title, found.new_title, old, new)
