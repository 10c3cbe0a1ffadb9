"""The extracted article: what `extract_article` returns and what the crawler stores."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: Which extraction read an article (``articles.extraction``): one more each time a change to
#: newsmon makes any page read differently (rules, text cleaning, generic extraction). Articles
#: stored by an older one are read again from their stored pages by ``newsmon reextract``, which
#: ``newsmon status`` says until it has run. tests/test_outlets.py pins what the saved pages of
#: the outlets with rules read as to this number: a change that moves it fails there until the
#: number is raised.
EXTRACTION_VERSION = 9


@dataclass
class Article:
    """One news article as extracted from one HTML page.

    Times are ISO 8601 strings with an offset (``2024-03-05T10:30:00+09:00``), or ``None``
    when the page gives no time we trust. ``paragraphs`` is the body text, one entry per
    paragraph or sub-heading, without the headline, lead, bylines or boilerplate.
    """

    url: str
    outlet: str | None
    language: str | None
    title: str | None
    paragraphs: list[str]
    method: str
    canonical_url: str | None = None
    lead: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    paywalled: bool = False
    site_name: str | None = None
    #: The next page of an article split over several (``crawler.pagination``), if it has one.
    next_page: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy of every string was 1 % of extracting a page.
        # The fields are strings, flags and lists of strings: copying the lists is enough.
        data = {f.name: list(v) if isinstance(v := getattr(self, f.name), list) else v for f in _FIELDS}
        data["text"] = self.text
        return data


_FIELDS = dataclasses.fields(Article)
