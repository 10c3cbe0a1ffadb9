"""Dates as Japanese outlets write them, to ISO 8601 with an offset.

Handles ISO 8601 (with or without offset), 2024年3月5日 10時30分, 2024/03/05 10:30, full-width
digits, the eras 令和 and 平成 (元年 = year 1), and English forms such as
"15:45 JST, March 6, 2022" or "March 6, 2022 10:30 am". A naive time from a Japanese outlet is
Japan time: Japan has no daylight saving, so +09:00 is always right there.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

JST = timezone(timedelta(hours=9), "JST")

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ERA = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年")
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
# The hour alone ("午後3時") is a time too, "10時半" half past; "3時間" is a duration.
_JA = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*[(（][^)）]{1,3}[)）])?"
    r"(?:\s*(午前|午後)?\s*(\d{1,2})\s*(?:時(?!間)(?:\s*(\d{1,2})\s*分?|\s*(半))?|:\s*(\d{1,2})))?"
)
_SLASH = re.compile(
    r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s*[(（][^)）]{1,3}[)）])?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_EN_TIME = r"(\d{1,2}):(\d{2})\s*(a\.?m\.?|p\.?m\.?)?\s*(JST)?"
_EN = re.compile(
    r"(?:" + _EN_TIME + r",?\s*)?"
    r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:,?\s*(?:at\s+)?" + _EN_TIME + r")?",
)


def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return timezone.utc
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    ampm = ampm.replace(".", "").lower()
    if ampm in ("pm", "午後") and hour < 12:
        return hour + 12
    if ampm in ("am", "午前") and hour == 12:
        return 0
    return hour


def _era_to_year(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return f"{_ERAS[m.group(1)] + year}年"

    return _ERA.sub(repl, text)


def _build(y: int, mo: int, d: int, h: int | None, mi: int | None, s: int | None, tz) -> datetime | date | None:
    try:
        if h is None:
            return date(y, mo, d)
        if 24 <= h < 30:
            # "24時00分", "25時" (as broadcasters write the small hours): of the next day. The
            # datetime() below refused it, and the date was lost with it.
            return datetime(y, mo, d, 0, mi or 0, s or 0, tzinfo=tz) + timedelta(hours=h)
        return datetime(y, mo, d, h, mi or 0, s or 0, tzinfo=tz)
    except ValueError:
        return None


def parse_datetime(text: str | None) -> datetime | date | None:
    """Find the first date (with its time, if any) in ``text``.

    Returns an aware datetime when the text has an offset, a naive datetime for a time without
    one, a ``date`` for a day without a time, or ``None``.
    """
    if not text:
        return None
    text = _era_to_year(unicodedata.normalize("NFKC", text))
    candidates: list[tuple[int, datetime | date]] = []
    for pattern in (_ISO, _JA, _SLASH):
        m = pattern.search(text)
        if not m:
            continue
        g = m.groups()
        if pattern is _ISO:
            h = int(g[3]) if g[3] else None
            value = _build(int(g[0]), int(g[1]), int(g[2]), h, int(g[4] or 0), int(g[5] or 0), _tz(g[6]))
        elif pattern is _JA:
            h = _hour(int(g[4]), g[3]) if g[4] else None
            minute = 30 if g[6] else int(g[5] or g[7] or 0)
            value = _build(int(g[0]), int(g[1]), int(g[2]), h, minute, 0, None)
        else:
            h = int(g[3]) if g[3] else None
            value = _build(int(g[0]), int(g[1]), int(g[2]), h, int(g[4] or 0), int(g[5] or 0), None)
        if value is not None:
            candidates.append((m.start(), value))
    for m in _EN.finditer(text):
        month = _MONTHS.get(m.group(5).lower())
        if not month:
            continue
        if m.group(1):
            h, mi, ampm, jst = m.group(1), m.group(2), m.group(3), m.group(4)
        else:
            h, mi, ampm, jst = m.group(8), m.group(9), m.group(10), m.group(11)
        hour = _hour(int(h), ampm) if h else None
        value = _build(int(m.group(7)), month, int(m.group(6)), hour, int(mi or 0), 0, JST if jst else None)
        if value is not None:
            candidates.append((m.start(), value))
        break
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


_MODIFIED_LABEL = re.compile(r"(?:最終)?更新|改訂|修正|updated?|modified|last modified", re.I)
_PUBLISHED_LABEL = re.compile(r"配信|公開|掲載|投稿|発表|初出|published|posted|first published", re.I)
_LABEL = re.compile(rf"(?P<modified>{_MODIFIED_LABEL.pattern})|(?P<published>{_PUBLISHED_LABEL.pattern})", re.I)
# How far from a date its label may stand: "更新：2024年3月5日" or "2024年3月5日 10:30 更新".
_LABEL_BEFORE, _LABEL_AFTER = 12, 8


def _all_dates(text: str) -> list[tuple[int, int, datetime | date]]:
    found = []
    for pattern in (_ISO, _JA, _SLASH):
        for m in pattern.finditer(text):
            value = parse_datetime(m.group(0))
            if value is not None:
                found.append((m.start(), m.end(), value))
    for m in _EN.finditer(text):
        value = parse_datetime(m.group(0))
        if value is not None and not any(s <= m.start() < e for s, e, _ in found):
            found.append((m.start(), m.end(), value))
    found.sort(key=lambda f: f[0])
    return found


def parse_labelled(text: str | None, want: str = "published") -> datetime | date | None:
    """The published (or modified) date of a dateline that may show both.

    "2024年3月5日 10時30分（更新 3月5日 12時00分）" has two dates; the one labelled 更新/updated is
    the modified time and is never returned as the published one, whatever the order.
    """
    if not text:
        return None
    text = _era_to_year(unicodedata.normalize("NFKC", text))
    dates = _all_dates(text)
    if not dates:
        return None
    # Whether each date is labelled modified (True) or published (False) by a label before it
    # ("更新：2024/3/5 18:00") or after it ("2024/3/5 18:00 更新"); None: no label in reach.
    before: list[bool | None] = [None] * len(dates)
    after: list[bool | None] = [None] * len(dates)
    between: dict[int, bool] = {}  # one label between date i-1 and date i, in reach of both
    for i in range(len(dates) + 1):
        lo = dates[i - 1][1] if i else 0
        hi = dates[i][0] if i < len(dates) else len(text)
        found = [m for m in _LABEL.finditer(text, lo, hi)]
        ahead = next((m for m in reversed(found) if i < len(dates) and m.start() >= hi - _LABEL_BEFORE), None)
        behind = next((m for m in found if i and m.end() <= lo + _LABEL_AFTER), None)
        if ahead is not None and ahead is behind:
            between[i] = ahead.lastgroup == "modified"
            continue
        if ahead is not None:
            before[i] = ahead.lastgroup == "modified"
        if behind is not None:
            after[i - 1] = behind.lastgroup == "modified"
    # A label between two dates is the later one's where the first date's label stands before it,
    # the earlier one's where the last date's stands after it: "2024年3月5日 18:00更新 / 2024年3月5日
    # 15:12配信" is labelled after each date, and its 更新 was taken for the second date's label,
    # its 配信 time for the updated one and its updated time for the published one.
    labels_after = after[-1] is not None and before[0] is None
    published, modified = _assign(dates, before, after, between, labels_after)
    if labels_after and _later(published, modified):
        # Published after it was updated: the label after the last date was a word of what
        # follows the dateline ("投稿者"), not its label.
        published, modified = _assign(dates, before, after, between, False)
    chosen = published if want == "published" else modified
    return chosen[0] if chosen else None


def _assign(dates: list[tuple[int, int, datetime | date]], before: list[bool | None], after: list[bool | None],
            between: dict[int, bool], labels_after: bool) -> tuple[list[datetime | date], list[datetime | date]]:
    """The published and the modified dates, each date labelled by its label before it or, with
    ``labels_after``, after it (the other one where it has none)."""
    before, after = list(before), list(after)
    for i, is_modified in between.items():
        if labels_after:
            after[i - 1] = is_modified
        else:
            before[i] = is_modified
    published: list[datetime | date] = []
    modified: list[datetime | date] = []
    for (_, _, value), first, second in zip(dates, *((after, before) if labels_after else (before, after))):
        (modified if (first if first is not None else second) else published).append(value)
    return published, modified


def _later(published: list[datetime | date], modified: list[datetime | date]) -> bool:
    """Whether the first published time is after the first modified one (both times of day, of
    the same kind: aware or naive)."""
    if not published or not modified:
        return False
    first, last = published[0], modified[0]
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return False
    if (first.tzinfo is None) != (last.tzinfo is None):
        return False
    return first > last


def parse_http_date(text: str) -> datetime | None:
    """An HTTP-date (Retry-After, If-Modified-Since) as an aware datetime; UTC when it names no zone."""
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def to_iso(value: datetime | date | None, *, local_tz: timezone | None = JST) -> str | None:
    """ISO 8601 text: aware times converted to ``local_tz``; naive times taken to be in it.

    With ``local_tz=None`` (a site we know nothing of) a naive time stays naive and an aware
    time keeps its own offset. A bare date stays a date: we never invent a time of day.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value.isoformat()
    if local_tz is None:
        return value.isoformat(timespec="seconds")
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_tz)
    return value.astimezone(local_tz).isoformat(timespec="seconds")


def normalise_date(text: str | None, *, local_tz: timezone | None = JST) -> str | None:
    """``parse_datetime`` then ``to_iso``: the one call most callers want."""
    return to_iso(parse_datetime(text), local_tz=local_tz)
