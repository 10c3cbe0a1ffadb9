"""Which lines of an extracted text a page shows only in its furniture: its menus, links, asides,
footer and site header, never as its own prose.

A members-only article's page shows its headline, a lead or nothing, and a login prompt; the
rest is the site's template. Read where the rules found no text, or by generic extraction, such
a page gave its header's menus (政治 安全保障 …) or a ranking of other articles as the article's
text, which the search index then held and relevance scored. ``extract`` drops these lines from
a teaser's text, and from a text with no sentence at all (what menus read as).
"""

from __future__ import annotations

import re

from lxml import etree

# Links, menus, asides, footers, buttons; and the site's header: one outside the article (a header
# inside <article>, <main> or <section> holds its headline, byline and at times its lead) that
# does not hold the page's <h1> either.
_FURNITURE = frozenset(("a", "nav", "aside", "footer", "button", "select"))
_SECTIONS = frozenset(("article", "main", "section"))
_UNSEEN = frozenset(("script", "style", "noscript", "template"))
#: A line at least this long that the page also shows as its own text is its own, wherever else
#: it is linked (a sub-heading in a breadcrumb, the headline in a ranking of the site). A shorter
#: one is a menu's word wherever a lead happens to use it too (政治, 社会).
OWN_LINE_CHARS = 8
#: A line at most this long, with no end of sentence, that furniture follows is that
#: furniture's heading (いま読まれている記事, この連載の記事): a lead's sub-heading is followed by prose.
HEADING_CHARS = 30
_SENTENCE_END = re.compile(r"[。！？]|[.!?](?:\s|$)")


def has_sentence(lines: list[str]) -> bool:
    """Whether any of ``lines`` ends a sentence: menus, link lists and button labels do not."""
    return any(_SENTENCE_END.search(line) for line in lines)


def furniture_lines(tree: etree._Element, lines: list[str]) -> list[bool]:
    """For each of ``lines`` (an extracted text), whether ``tree`` (the page, as parsed before any
    pruning) shows it only in its furniture, or as the heading of furniture that follows it."""
    furniture: list[str] = []
    own: list[str] = []

    # One walk, furniture taken whole (its text in C): two XPaths asking each node for its
    # ancestors took 2.9 ms on a saved paywalled page, this 0.9.
    def walk(element: etree._Element, in_section: bool) -> None:
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag not in _UNSEEN:
                if tag in _FURNITURE or tag == "header" and not in_section and child.find(".//h1") is None:
                    furniture.append("".join(child.text_content().split()))
                else:
                    own.append(child.text or "")
                    walk(child, in_section or tag in _SECTIONS)
            own.append(child.tail or "")

    body = tree.find("body")
    if body is not None:
        own.append(body.text or "")
        walk(body, False)
    furniture_text, own_text = "\x00".join(furniture), "".join("".join(text.split()) for text in own)
    flat = ["".join(line.split()) for line in lines]
    out = [bool(f) and f in furniture_text and not (len(f) >= OWN_LINE_CHARS and f in own_text) for f in flat]
    for i in range(len(lines) - 1):
        if out[i + 1] and not out[i] and len(flat[i]) <= HEADING_CHARS and not has_sentence([lines[i]]):
            out[i] = True
    return out
