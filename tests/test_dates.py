"""Japanese dates to ISO 8601 with +09:00."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import normalise_date, parse_datetime


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024年3月5日 10時30分", "2024-03-05T10:30:00+09:00"),
        ("２０２４年３月５日　１０時３０分", "2024-03-05T10:30:00+09:00"),
        ("2024年3月5日（火） 10:30", "2024-03-05T10:30:00+09:00"),
        ("2024年3月5日 午後3時5分", "2024-03-05T15:05:00+09:00"),
        ("令和6年3月5日 10時30分", "2024-03-05T10:30:00+09:00"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("2024/03/05 10:30", "2024-03-05T10:30:00+09:00"),
        ("2023-04-04T18:32:27+09:00", "2023-04-04T18:32:27+09:00"),
        ("2019-03-01T04:16:56.000Z", "2019-03-01T13:16:56+09:00"),
        ("2023-04-20T07:41:16+0000", "2023-04-20T16:41:16+09:00"),
        ("2024-10-13 17:41:47", "2024-10-13T17:41:47+09:00"),
        ("15:45 JST, March 6, 2022", "2022-03-06T15:45:00+09:00"),
        ("March 6, 2022 3:45 pm", "2022-03-06T15:45:00+09:00"),
        ("Oct. 13, 2024", "2024-10-13"),
        ("2024-10-13", "2024-10-13"),
    ],
)
def test_normalise_date(text, expected):
    assert normalise_date(text) == expected


def test_unknown_site_keeps_its_own_offset_and_naive_times():
    assert normalise_date("2024-03-05T10:30:00-05:00", local_tz=None) == "2024-03-05T10:30:00-05:00"
    assert normalise_date("2024-03-05 10:30", local_tz=None) == "2024-03-05T10:30:00"


@pytest.mark.parametrize("text", ["", "no date here", "2024年13月40日", None])
def test_no_date(text):
    assert parse_datetime(text) is None


def test_day_only_is_a_date_not_midnight():
    assert parse_datetime("2024年3月5日") == date(2024, 3, 5)
