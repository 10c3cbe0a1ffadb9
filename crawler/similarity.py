"""Character-bigram F1: how alike two texts are, in a way that works for Japanese.

Japanese has no spaces, so word-level measures are meaningless there; character bigrams work
for both scripts. Whitespace is ignored so that layout differences (paragraph breaks, the
full-width spaces Japanese paragraphs start with) do not count as differences of text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter


def _bigrams(text: str) -> Counter[str]:
    chars = "".join(unicodedata.normalize("NFKC", text).split())
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def bigram_prf(candidate: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``candidate`` against ``reference`` (multiset bigrams)."""
    return _prf(_bigrams(candidate), _bigrams(reference))


def word_prf(candidate: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 over lower-cased word tokens (multisets); for English."""
    return _prf(_words(candidate), _words(reference))


def _prf(cand: Counter[str], ref: Counter[str]) -> tuple[float, float, float]:
    if not cand and not ref:
        return 1.0, 1.0, 1.0
    overlap = sum((cand & ref).values())
    precision = overlap / sum(cand.values()) if cand else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def bigram_f1(candidate: str, reference: str) -> float:
    return bigram_prf(candidate, reference)[2]
