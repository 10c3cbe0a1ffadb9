"""What an article is about, for telling whether two articles tell the same story: pure features.

Two kinds of evidence, both computed from the extracted text (never the raw page):

- **Near-duplicates** (a Kyodo or Jiji wire story reprinted by a regional paper, lightly
  edited): MinHash (rensa, a Rust MinHash) over character 5-grams of the title and the
  first ``SHINGLE_CHARS`` characters of the text. Its band keys go into an index
  (``storage.stories``), and two signatures agreeing on at least half their positions
  (``storage.stories.DUPLICATE_JACCARD``) are one text.
- **The same event told differently**: salient terms of the title and the lead, as the storage layer weighs them by IDF and compares them by cosine. Japanese has no
  spaces, so the terms are kanji bigrams (有識者会議 → 有識, 識者, 者会, 会議), whole katakana
  words (ミサイル) and Latin words/numbers; hiragana (particles, endings) is dropped. Terms
  of the monitored topics themselves (安保3文書, 反撃能力, 防衛費: ``crawler/topics.toml``)
  are what every article of the topic shares whatever the event, so they weigh less: two
  events of one topic on one day must stay apart.

Pure: no Scrapy, no SQLite. Runs in the extraction workers, so that a crawl's reactor only
looks the keys up.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rensa import RMinHash

from storage.search import shingles
from storage.stories import jaccard, stable_key

__all__ = ["Features", "features", "jaccard", "stable_key", "tokens", "topic_tokens", "wire_kind"]

#: MinHash permutations. 64 keep a signature at 256 bytes; near-duplicates are tens of
#: points of Jaccard apart from unrelated texts, which 64 positions resolve well.
NUM_PERM = 64
#: Fixed, so that signatures computed in any process, on any day, compare.
SEED = 20261201
#: LSH banding of the signature: 8 bands of 4 rows (of the 64) find a pair at Jaccard 0.7 with
#: probability 1 - (1 - 0.7**4)**8 = 0.89, at 0.8 with 0.99, at 0.5 with 0.40, at 0.3 with 0.06.
#: A copy also shares its lead's heaviest terms, which are index keys too (``storage.stories``),
#: so the bands need not find every pair alone; every key costs a page written per article
#: stored (16 bands wrote a third more than all the rest of an article).
BANDS, ROWS = 8, 4
#: How much of the text the shingles cover: a wire copy keeps its first paragraphs; the rest
#: costs time and finds nothing more.
SHINGLE_CHARS = 1000
#: The lead: the first characters of the text that say who did what, where, when.
LEAD_CHARS = 300
#: Weight of a title term (added to its count in the lead, where headline words recur). More
#: lets a headline's angle outweigh the facts the leads share: at 2.0 two outlets' reports of one
#: earthquake, one titled on the quake, one on the Nankai trough review it led to, fall to 0.27.
TITLE_WEIGHT = 1.0
#: Weight of the topics' own terms (see module doc).
TOPIC_TERM_WEIGHT = 0.25
#: Terms of an article kept for comparison (the heaviest; ``storage.stories`` indexes fewer).
KEEP_TERMS = 32

#: Outlets that are wire services: when an article of theirs and a copy elsewhere are near-
#: duplicates, theirs is the original.
WIRE_OUTLETS = frozenset({"kyodo", "jiji"})
#: A credit naming a wire service at the end of a paragraph: the article is a wire copy.
_WIRE_CREDIT = re.compile(r"[(（]\s*(?:共同|時事|Kyodo|Jiji|ＫＹＯＤＯ|ＪＩＪＩ)\s*[)）]"
                          r"|共同通信(?:社)?(?:配信|提供)|時事通信(?:社)?(?:配信|提供)", re.I)

_KANJI = r"\u4e00-\u9fff\u3400-\u4dbf々〆ヵヶ"
_TOKEN = re.compile(rf"[{_KANJI}]+|[\u30a1-\u30fa\u30fc]+|[a-z0-9]+(?:['.][a-z0-9]+)*")
_EN_STOP = frozenset("""
a an the and or but of to in on at by for with from as is are was were be been being it its this that these
those he she they we you i his her their our your not no yes will would can could should may might must has
have had do does did said says say also after before over under into about than then there here which who whom
what when where why how all any each more most other some such only own same so too very just mr ms mrs
""".split())


@dataclass(frozen=True)
class Features:
    """What the store needs to place an article in a story (``storage.stories.assign``)."""

    #: MinHash signature of the shingles (``NUM_PERM`` unsigned 32-bit values).
    signature: tuple[int, ...]
    #: Salient terms and their raw weights (counts × title weight × topic damping), before IDF.
    terms: dict[str, float] = field(default_factory=dict)
    #: 1: from a wire service; -1: credits a wire service (a copy); 0: neither.
    wire: int = 0

    def band_keys(self) -> list[int]:
        """One index key per LSH band of the signature."""
        return [stable_key(f"b{i}:" + ",".join(map(str, self.signature[i * ROWS:(i + 1) * ROWS])))
                for i in range(BANDS)]

    def to_dict(self) -> dict:
        return {"signature": list(self.signature), "terms": self.terms, "wire": self.wire}

    @classmethod
    def from_dict(cls, data: Mapping) -> Features:
        return cls(tuple(data["signature"]), dict(data["terms"]), int(data.get("wire", 0)))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """Salient terms of a text in order: kanji bigrams, katakana words, Latin words and numbers.

    >>> tokens("有識者会議が初会合、ミサイル配備を議論 2026年12日")
    ['有識', '識者', '者会', '会議', '初会', '会合', 'ミサイル', '配備', '議論', '2026']
    """
    out: list[str] = []
    for m in _TOKEN.finditer(_fold(text)):
        run = m.group()
        first = run[0]
        if first.isascii():
            if run.isdigit():
                if len(run) >= 3:  # a day or an hour (12日, 9時) is shared by the day's news
                    out.append(run)
            elif len(run) >= 3 and run not in _EN_STOP:
                out.append(run)
        elif "\u30a1" <= first <= "\u30fc":
            if len(run) >= 2:
                out.append(run)
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    # A lone kanji (年, 日, 党) says little; it is kept only where it stands alone in the text.
    return [t for t in out if len(t) > 1 or t not in "年月日時分人円件回党国市県町村都府道"]


def topic_tokens(phrases: Iterable[str]) -> frozenset[str]:
    """The tokens of the topics' terms (and their variants): damped in every article."""
    return frozenset(t for phrase in phrases for t in tokens(phrase))


def wire_kind(outlet: str | None, text: str) -> int:
    """1 for a wire service's own article, -1 for an article that credits one, else 0.

    The text is not normalised first (the pattern has both widths of the brackets): a whole
    article through NFKC would cost half of ``features``.
    """
    if outlet in WIRE_OUTLETS:
        return 1
    return -1 if _WIRE_CREDIT.search(text or "") else 0


def features(title: str | None, text: str, *, lead: str | None = None, outlet: str | None = None,
             damped: frozenset[str] = frozenset()) -> Features:
    """The story features of one article.

    Args:
        title: its headline.
        text: its body text (paragraphs, one per line).
        lead: a subtitle or lead shown above the body, when the page has one.
        outlet: its outlet key (a wire service's articles are originals).
        damped: tokens that weigh ``TOPIC_TERM_WEIGHT`` (``topic_tokens`` of the topics).
    """
    body = ((lead + "\n") if lead else "") + (text or "")
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update(shingles(_fold((title or "") + "\n" + body[:SHINGLE_CHARS])) or [""])
    counts: Counter[str] = Counter()
    for token in tokens(title or ""):
        counts[token] += TITLE_WEIGHT
    for token in tokens(body[:LEAD_CHARS]):
        counts[token] += 1.0
    weights = {t: w * (TOPIC_TERM_WEIGHT if t in damped else 1.0) for t, w in counts.items()}
    kept = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:KEEP_TERMS])
    return Features(tuple(minhash.digest()), kept, wire_kind(outlet, body))


def topic_phrases(topics: Mapping) -> list[str]:
    """Every form of every term of the topics (``crawler.scoring.Topic``), for ``topic_tokens``."""
    return [form for topic in topics.values() for term in topic.terms for form in term.forms]
