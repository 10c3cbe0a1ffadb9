"""Full-text search that finds two-character Japanese words: the bigram index form and its queries.

FTS5's trigram tokenizer never matches a query shorter than three characters (防衛, 安保), and
unicode61 takes a whole run of Japanese as one token. So ``articles_search`` (tokenizer
unicode61) stores text in which every run of kanji/kana is spelled out as overlapping bigrams
separated by spaces, followed by the run's last character on its own::

    bigrams("防衛力を強化")  ->  "防衛 衛力 力を を強 強化 化"

A two-character query is then one token, a longer one a phrase of adjacent bigrams, and a
one-character query (核) a prefix query that matches the bigrams starting with it or the
trailing character. Other text (English, digits) is left for unicode61 to tokenize as words.

Plain SQL, no custom function: ``... WHERE articles_search MATCH '防衛'`` works as well in the
sqlite3 shell or DB Browser for SQLite as it does here.
"""

from __future__ import annotations

import re
import unicodedata

# Kanji (with extensions and compatibility forms), hiragana, katakana with the prolonged
# sound mark ー, and the iteration/closing marks 々〆〇〻 that occur inside words.
# The katakana middle dot ・ (U+30FB) is punctuation and splits runs. Half-width katakana
# needs no range: NFKC turns it into the full-width form first.
_CJK = (
    "\u3005-\u3007\u303b"
    "\u3041-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff"
    "\u31f0-\u31ff"
    "\u3400-\u4dbf"
    "\u4e00-\u9fff"
    "\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
_RUN = re.compile(f"[{_CJK}]+")
# Whitespace between two kanji/kana: Japanese writes none between words, so one there is mostly
# a line break of the page's source that extraction gave as a space (trafilatura's reading of a
# paragraph hard-wrapped in its HTML: "国家安全保障 戦略"), or a full-width space between two
# phrases. Indexed and matched as if it were not there, a word is found across it.
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def join_cjk(text: str) -> str:
    """``text`` without the whitespace between two kanji/kana (``_CJK_GAP``)."""
    return _CJK_GAP.sub("", text)


def _tokens(text: str, *, query: bool) -> tuple[list[str], bool]:
    """The pieces of the index form, and whether a query should end as a prefix query."""
    text = unicodedata.normalize("NFKC", text)
    if not query:  # a query's spaces part its terms
        text = join_cjk(text)
    pieces: list[str] = []
    last_end = 0
    prefix = False
    for match in _RUN.finditer(text):
        other = text[last_end : match.start()].strip()
        if other:
            pieces.append(other)
        run = match.group()
        # In a query, the last run of a term may continue in the article ("防衛" inside
        # "防衛力"), so it must not demand the run-final token the index adds.
        ends_term = query and not any(ch.isalnum() for ch in text[match.end() :])
        if len(run) == 1:
            pieces.append(run)
            prefix = ends_term
        else:
            pieces.extend(run[i : i + 2] for i in range(len(run) - 1))
            if not ends_term:
                pieces.append(run[-1])
            prefix = False
        last_end = match.end()
    rest = text[last_end:].strip()
    if rest:
        pieces.append(rest)
        prefix = prefix and not any(ch.isalnum() for ch in rest)
    return pieces, prefix


#: Characters of a shingle: five characters of Japanese are about two words, of English a word.
SHINGLE = 5


def shingles(folded: str) -> list[str]:
    """The ``SHINGLE``-character windows of a text already folded (NFKC, lower case), whitespace
    left out; a text no longer than one window is its only one. Stories compare texts by them
    (``crawler.stories``), and the store a page with the article its canonical link names
    (``queries.shares_text``)."""
    chars = "".join(folded.split())
    if len(chars) <= SHINGLE:
        return [chars] if chars else []
    return [chars[i:i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)]


def bigrams(text: str) -> str:
    """The index form of ``text`` for ``articles_search``: kanji/kana runs as bigrams.

    Args:
        text: A title or article body, any normalisation.

    Returns:
        The NFKC-normalised text with each run of two or more kanji/kana replaced by its
        overlapping bigrams plus its last character, space-separated; other text unchanged.
    """
    return " ".join(_tokens(text, query=False)[0])


def fts_query(user_query: str) -> str:
    """An FTS5 MATCH expression for ``articles_search`` from what a user typed.

    Each whitespace-separated term becomes one quoted phrase of its index form, and the
    phrases are ANDed; FTS5 operators (OR, NOT, NEAR, ``*``) typed by the user are taken as
    plain words. ``fts_query("防衛力 counterstrike")`` is ``"防衛 衛力" AND "counterstrike"``.

    Args:
        user_query: Words to find, Japanese or not, separated by spaces.

    Returns:
        The expression, or ``""`` when the query holds no word.
    """
    phrases = []
    for term in unicodedata.normalize("NFKC", user_query).split():
        if not any(ch.isalnum() for ch in term):
            continue  # punctuation alone has no token to find and would match nothing
        pieces, prefix = _tokens(term, query=True)
        quoted = '"' + " ".join(pieces).replace('"', '""') + '"'
        phrases.append(quoted + "*" if prefix else quoted)
    return " AND ".join(phrases)


class QueryError(ValueError):
    """A search the user typed cannot be read (an unclosed quote, OR with nothing beside it)."""


_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def parse_query(user_query: str) -> tuple[str, list[str]]:
    """The MATCH expression for a search with ``OR`` and ``"quoted phrases"``, and its terms.

    Words are ANDed as in ``fts_query``; a phrase in double quotes must occur as written; ``OR``
    in capitals between words or groups gives alternatives (AND binds tighter:
    ``安保 反撃能力 OR counterstrike`` is ``(安保 AND 反撃能力) OR counterstrike``).

    Returns:
        ``(expression, terms)``: the expression (``""`` when there is no word) and the words
        and phrases to highlight in the results.

    ``AND`` in capitals is what a space already says. Leaving a word out (``NOT``, ``-word``) is
    refused with what to do, not searched for as a word: ``-防衛`` found the articles with 防衛.

    Raises:
        QueryError: a quote is not closed, an ``OR`` has no word on one side, or a word is to be
            left out.
    """
    text = unicodedata.normalize("NFKC", user_query)
    if text.count('"') % 2:
        raise QueryError('a quote is not closed: put a " at the end of the phrase, or remove it')
    groups: list[list[str]] = [[]]
    terms: list[str] = []
    for match in _QUERY_TOKEN.finditer(text):
        phrase, word = match.groups()
        if word == "AND":
            continue
        if word == "NOT" or (word and word.startswith("-") and len(word) > 1):
            raise QueryError(f"{word}: a search cannot leave a word out (NOT, -word); every word given must occur: "
                             "search for what must be there, and narrow with the filters")
        if word == "OR":
            if not groups[-1]:
                raise QueryError("OR needs a word on each side: 安保 OR 防衛")
            groups.append([])
            continue
        source = phrase if phrase is not None else word
        expression = fts_query(source)
        if not expression:
            continue
        if phrase is not None and " AND " in expression:
            # Words of one quoted phrase: adjacent and in order, i.e. one FTS5 phrase, its kanji
            # joined across a space as the index joins them: each word apart, "国家安全保障 戦略"
            # asked for a token "障" the index does not hold there ("障戦"), and found nothing.
            pieces, prefix = _tokens(join_cjk(unicodedata.normalize("NFKC", source)), query=True)
            expression = '"' + " ".join(pieces).replace('"', '""') + '"' + ("*" if prefix else "")
        groups[-1].append(expression)
        terms.append(source.strip())
    if not groups[-1]:
        if len(groups) > 1:
            raise QueryError("OR needs a word on each side: 安保 OR 防衛")
        return "", []
    if len(groups) == 1:
        return " AND ".join(groups[0]), terms
    return " OR ".join("(" + " AND ".join(g) + ")" for g in groups), terms
