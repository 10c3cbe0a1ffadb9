"""Japanese dates to ISO 8601 with +09:00."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.dates import normalise_date, parse_datetime, parse_labelled, to_iso


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
        # An hour without minutes is that hour, not the day alone; "3時間" is a duration.
        ("2024年3月5日 午後3時", "2024-03-05T15:00:00+09:00"),
        ("2024年3月5日 15時", "2024-03-05T15:00:00+09:00"),
        ("2024年3月5日 10時半", "2024-03-05T10:30:00+09:00"),
        ("2024年3月5日 午前0時", "2024-03-05T00:00:00+09:00"),
        ("2024年3月5日 3時間にわたり", "2024-03-05"),
        # 24時 is midnight at the end of the day: the date was lost with it.
        ("2024年3月5日 24時00分", "2024-03-06T00:00:00+09:00"),
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


@pytest.mark.parametrize(
    "text,published,modified",
    [
        ("2024年3月5日 10時30分（更新 2024年3月5日 12時00分）", "2024-03-05T10:30:00+09:00", "2024-03-05T12:00:00+09:00"),
        ("更新：2024/03/05 12:00 配信：2024/03/05 10:30", "2024-03-05T10:30:00+09:00", "2024-03-05T12:00:00+09:00"),
        ("2024年3月5日 12時00分 更新", None, "2024-03-05T12:00:00+09:00"),
        ("最終更新 令和6年3月5日 12時00分 公開 令和6年3月4日 9時00分", "2024-03-04T09:00:00+09:00", "2024-03-05T12:00:00+09:00"),
        ("Published March 5, 2024 10:30 am, updated March 6, 2024 9:00 am", "2024-03-05T10:30:00+09:00", "2024-03-06T09:00:00+09:00"),
        # Labels after their dates, the updated time first: it was taken for the published time.
        ("2024年3月5日 18:00更新 / 2024年3月5日 15:12配信", "2024-03-05T15:12:00+09:00", "2024-03-05T18:00:00+09:00"),
        ("2024/03/05 15:12 配信 2024/03/05 18:00 更新", "2024-03-05T15:12:00+09:00", "2024-03-05T18:00:00+09:00"),
        # One label after the first date, one before the second ("初出": first published).
        ("2024年3月5日 18時00分（最終更新） 初出：2024年3月5日 15時12分", "2024-03-05T15:12:00+09:00",
         "2024-03-05T18:00:00+09:00"),
        # A word after the dateline that reads like a label ("投稿者") does not make it one.
        ("2024年3月5日 10:30（更新 2024年3月5日 12:00）投稿者: 山田", "2024-03-05T10:30:00+09:00",
         "2024-03-05T12:00:00+09:00"),
    ],
)
def test_published_is_never_the_updated_time(text, published, modified):
    assert to_iso(parse_labelled(text, "published")) == published
    assert to_iso(parse_labelled(text, "modified")) == modified


def test_extraction_keeps_the_updated_time_out_of_published():
    from crawler.extract import extract_article
    from crawler.outlets import Outlet, Rules

    outlet = Outlet(key="x", name="X", language="ja", domains=("example.jp",), start_urls=("https://example.jp/",),
                    rules=(Rules(version="t", body=("div.body",), published=("p.date",)),))
    html = ("<html><head><title>見出し</title></head><body><p class=date>更新 2024年3月6日 8時00分 "
            "（配信 2024年3月5日 21時15分）</p><div class=body><p>本文です。</p></div></body></html>").encode()
    article = extract_article(html, "https://example.jp/a/1", outlets={"x": outlet})
    assert article.published_at == "2024-03-05T21:15:00+09:00"


def test_htmldate_reads_japanese_dates_with_its_parser_limited_to_our_languages():
    # The NHK page's date is only in its text ("2026年7月8日6:23"), which reaches htmldate's
    # last-resort parser (dateparser). It is limited to DATE_LANGUAGES, so that its first date
    # does not compile the patterns of every locale in every process; Japanese alone would
    # read this one as 2026-01-01, so the limit must keep what reads it.
    import lxml.html
    from htmldate.extractors import get_external_parser

    from crawler.encoding import decode_html
    from crawler.generic import DATE_LANGUAGES, trafilatura_metadata
    from tests.saved import saved_bytes

    html = decode_html(saved_bytes("fetch_util/nhk_article.html"), None)
    tree = lxml.html.fromstring(html[0] if isinstance(html, tuple) else html)
    found = trafilatura_metadata(tree, "https://www3.nhk.or.jp/news/html/a.html", date=True, author=False)
    assert found["date"] == "2026-07-08"
    assert get_external_parser().languages == list(DATE_LANGUAGES)
