"""Outlet health: the page signals on real saved pages, the checks over an outlet's history, the table."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from crawler import health as signals_of
from crawler import store
from crawler.store import analyse
from storage import frontier, health, open_db, queries

from .conftest import as_permissions_bind, saved_bytes
from .saved import divs_for_ps, later_paragraphs_as_divs
from .test_schedule import strip_rule_anchors

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)
NIKKEI = ("scrapping-webs/nikkei-test_article_2.html",
          "https://www.nikkei.com/article/DGXZQOUC031X20T00C23A4000000/")


def run(minutes_ago: float = 0, reason: str = "finished", **counts) -> dict:
    """One closed run as ``health.history`` gives it."""
    row = {name: 0 for name in health.COUNTS}
    row.update(counts)
    row.update(started_at=(NOW - timedelta(minutes=minutes_ago)).isoformat(), finish_reason=reason,
               finished_at=NOW.isoformat(), exit_status=0)
    return row


def codes(runs: list[dict]) -> tuple[str, list[str]]:
    result = health.check(runs, now=NOW)
    return result.status, result.codes()


# --- the schema -------------------------------------------------------------------------------

def test_blank_database_has_the_health_tables_and_view(tmp_path):
    db = open_db(tmp_path / "news.db")
    # Counts added later come after the columns added before them (m026: paywalled, m041: garbled).
    assert [c.name for c in db["outlet_runs"].columns] == ["run_id", "outlet", *health.COUNTS[:-2], "url_states",
                                                            "lags", "paywalled", "garbled"]
    assert [c.name for c in db["outlet_health"].columns] == ["outlet", "status", "reasons", "since",
                                                              "checked_at", "run_id"]
    assert [c.name for c in db["health_log"].columns] == ["id", "outlet", "at", "run_id", "previous", "status",
                                                           "reasons", "resolved", "told"]
    assert [c.name for c in db["notifications"].columns] == ["id", "run_id", "sent_at", "channel", "ok", "error",
                                                              "articles", "health_changes"]
    assert [c.name for c in db["notified_articles"].columns] == ["article_id", "run_id", "notified_at"]
    assert [c.name for c in db["notified_health_changes"].columns] == ["health_log_id", "run_id", "notified_at"]
    assert [c.name for c in db["health"].columns] == ["outlet", "status", "problems", "since", "checked_at",
                                                       "run_id", "last_run_urls", "urls_gave_up", "urls_failing",
                                                       "urls_refused"]


# --- page signals, on real pages --------------------------------------------------------------

def test_a_page_read_by_its_rules_signals_nothing_wrong():
    rel, url = NIKKEI
    body = saved_bytes(rel)
    record = analyse(body, url)
    assert record["method"].startswith("rules:nikkei")
    assert signals_of.signals(record, body, url) == {"rules_expected": 1}
    # Cross-checked against generic extraction, the two texts agree.
    assert signals_of.signals(record, body, url, crosscheck=True) == {"rules_expected": 1, "crosschecked": 1}


def test_a_redesigned_page_is_read_generically_and_says_so():
    rel, url = NIKKEI
    body = strip_rule_anchors(saved_bytes(rel), url)
    record = analyse(body, url)
    assert record["method"] == "generic:trafilatura" and len(record["text"]) > 1000  # looks fine...
    assert signals_of.signals(record, body, url) == {"rules_expected": 1, "rules_missed": 1}  # ...but isn't


def test_a_redesign_inside_the_rules_body_is_read_from_that_body_and_says_so():
    # The body the rules name is still there, its paragraphs are <div>s now: the rules read
    # nothing of it, and the article was lost while health said only "no article". Its body is
    # read a line a block: the rules' own text (1,215 characters), where trafilatura's read 1,293,
    # of the page around it too.
    rel, url = NIKKEI
    body = divs_for_ps(saved_bytes(rel))
    record = analyse(body, url)
    assert record["method"] == "body:nikkei@2021-10"
    assert record["text"] == analyse(saved_bytes(rel), url)["text"]
    assert signals_of.signals(record, body, url) == {"rules_expected": 1, "rules_missed": 1}


def test_a_redesign_of_part_of_the_rules_body_is_read_whole_and_says_so():
    # The later half of the paragraphs moved into markup the rules do not name: the rules still
    # read half the text, and the article was stored cut in half with health saying nothing.
    from crawler.outlets import registry

    rel, url = NIKKEI
    body = later_paragraphs_as_divs(saved_bytes(rel), registry()["nikkei"]).encode()
    record = analyse(body, url)
    assert record["method"] == "body:nikkei@2021-10"
    assert record["text"] == analyse(saved_bytes(rel), url)["text"]
    assert signals_of.signals(record, body, url) == {"rules_expected": 1, "rules_missed": 1}


def test_a_stored_article_is_read_again_with_its_next_pages_as_a_revisit_was():
    # A revisit read without rules (its outlet redesigned) holds every page of the article; its
    # stored pages, read again the same way, must be read whole too, or the article read from
    # its first page alone differs and every revisit of a long article is a new version.
    (rel, url), second = NIKKEI, "scrapping-webs/nikkei-test_article_3.html"  # another page, as page 2
    page_2_url = url + "?page=2"
    revisit = store.analyse(divs_for_ps(saved_bytes(rel)), url,
                            more=[(divs_for_ps(saved_bytes(second)), page_2_url, None)])
    assert revisit["method"] == "body:nikkei@2021-10"
    stored = (saved_bytes(rel), url, None, None, signals_of.reading_of(revisit["method"]), revisit["title"],
              revisit["text"])
    assert signals_of.reads_as(*stored, more=[(saved_bytes(second), page_2_url, None)])
    assert not signals_of.reads_as(*stored)  # its first page alone is not the article


def test_rules_that_select_the_wrong_block_disagree_with_generic_extraction():
    rel, url = NIKKEI
    body = saved_bytes(rel)
    record = analyse(body, url)
    # As if the rules now picked the ranking box: the text has nothing to do with the page's.
    record["text"] = "アクセスランキング 1 きょうの天気 2 プロ野球結果 3 株価速報 " * 5
    assert signals_of.signals(record, body, url, crosscheck=True)["disagreed"] == 1


def test_missing_parts_are_counted():
    assert signals_of.signals(None, b"", "https://example.org/") == {"no_article": 1}
    record = {"title": None, "published_at": None, "text": "短い本文。", "paywalled": False,
              "outlet": None, "method": "generic:trafilatura"}
    assert signals_of.signals(record, b"", "https://example.org/") == {"no_title": 1, "no_date": 1, "short_text": 1}
    record.update(paywalled=True, title="見出し", published_at="2026-03-05T09:00:00+09:00")
    # A teaser is short by nature: counted as one, not as an empty text.
    assert signals_of.signals(record, b"", "https://example.org/") == {"paywalled": 1}


def test_an_article_read_in_the_wrong_codec_is_counted_garbled():
    # Stored so, an article scores 0 and never reaches the queue: outlet health must see it.
    text = "政府は2日、国家安全保障戦略など安保3文書の改定に向けた有識者会議の初会合を首相官邸で開いた。" * 3
    record = {"title": "安保3文書の改定へ初会合", "published_at": "2026-03-05T09:00:00+09:00", "text": text,
              "paywalled": False, "outlet": None, "method": "generic:trafilatura"}
    assert signals_of.signals(record, b"", "https://example.org/") == {}
    for wrong in (text.encode("utf-8").decode("cp932", "replace"),  # UTF-8 read as Shift_JIS
                  text.encode("cp932").decode("utf-8", "replace"),  # Shift_JIS read as UTF-8
                  text.encode("euc_jp").decode("cp932", "replace"),
                  text.encode("iso2022_jp").decode("ascii"),  # ISO-2022-JP read as ASCII
                  text.encode("utf-8").decode("kz1048", "replace"),  # a guess's single-byte codec: "гҖҖгҖҗгӮҪгӮҰ"
                  text.encode("utf-8").decode("latin-1")):  # "æ”¿åºœã¯"
        assert signals_of.signals({**record, "text": wrong}, b"", "https://example.org/") == {"garbled": 1}
    # A cut character or two in a long text is no wrong codec; nor a source's stray few in a brief; nor
    # stock names in half-width katakana; nor a Russian name under a list of kanji; nor English.
    assert signals_of.signals({**record, "text": text + "\ufffd"}, b"", "https://example.org/") == {}
    brief = "防衛省は１０日、\ufffd\ufffd型護衛艦の配備を発表した。\ufffd田防衛相が会見。" + "説明した。" * 30
    market = "東証大引け　値上がり率上位\n" + "\n".join(f"{n}　{i * 10 + 3}円高" for i, n in enumerate(
        ["ｿﾌﾄﾊﾞﾝｸG", "ﾄﾖﾀ", "ﾌｧｰｽﾄﾘﾃ", "ｱﾄﾞﾊﾞﾝﾃｽﾄ", "ﾚｰｻﾞｰﾃｯｸ", "ｷｰｴﾝｽ", "ﾘｸﾙｰﾄHD", "ﾀﾞｲｷﾝ"]))
    listed = "人事異動\n" + "防衛省\n" * 5 + "Министерство обороны Российской Федерации"
    for readable in (brief, market, listed):
        assert "garbled" not in signals_of.signals({**record, "text": readable}, b"", "https://example.org/"), readable
    english = "The government will revise the National Security Strategy by year-end. " * 5
    assert signals_of.signals({**record, "text": english}, b"", "https://example.org/") == {}
    russian = "Правительство Японии пересмотрит стратегию национальной безопасности до конца года. " * 3
    assert signals_of.signals({**record, "text": russian, "language": "ru"}, b"", "https://example.org/") == {}


def test_no_saved_article_reads_as_garbled():
    from crawler.encoding import garbled

    from .warcs import _manifest

    read = [a for path, url in _manifest() if (a := analyse(saved_bytes(path), url)) is not None]
    assert len(read) > 200
    assert [a["url"] for a in read if garbled(f"{a['title'] or ''}\n{a['text']}", a["language"])] == []


# --- the checks -------------------------------------------------------------------------------

def test_an_outlet_without_history_or_trouble_is_ok():
    assert codes([]) == ("ok", [])
    assert codes([run(pages=5, articles_new=5, rules_expected=5, discovery_ok=3, discovery_changed=3,
                      discovered=40)]) == ("ok", [])


def test_three_pages_read_generically_flag_rules_that_stopped_matching():
    history = [run(0, pages=3, rules_expected=3, rules_missed=3), run(15, pages=8, rules_expected=8)]
    status, found = codes(history)
    assert (status, found) == ("degraded", ["rules_missed"])
    assert "3 of 3 articles were read without them" in health.check(history, now=NOW).reasons[0].message
    # Two pages say too little; a window reaching back over good pages dilutes it.
    assert codes([run(0, pages=2, rules_expected=2, rules_missed=2)]) == ("ok", [])
    assert codes([run(0, pages=1, rules_expected=1, rules_missed=1),
                  run(15, pages=8, rules_expected=8)]) == ("ok", [])


def test_an_outlet_stays_flagged_while_its_trouble_lasts_not_one_run():
    # The month before the latest pages was the outlet's usual: the run its rules stopped matching
    # became that "usual" for the next, and the outlet read "ok" one run after its rules broke.
    good = [run(60 * 24 * 3 + i * 60, pages=4, rules_expected=4) for i in range(5)]
    for broken in (1, 2, 6, 40):
        missed = [run(i * 60, pages=5, rules_expected=5, rules_missed=5) for i in range(broken)]
        assert codes(missed + good) == ("degraded", ["rules_missed"]), broken
        short = [run(i * 60, pages=12, rules_expected=12, short_text=12) for i in range(broken)]
        assert codes(short + good * 3) == ("degraded", ["short_text"]), broken
    # Rules that never matched its pages, all month, are no usual of the outlet's: a configured
    # outlet whose every "article" is a page not found was "ok" from its second run.
    for code, counts in (("rules_missed", dict(pages=5, rules_expected=5, rules_missed=5)),
                         ("no_article", dict(pages=5, no_article=5))):
        assert codes([run(i * 60, **counts) for i in range(30)]) == ("degraded", [code])
    # Mended, it is ok again at once, the broken runs before notwithstanding.
    mended = [run(0, pages=5, rules_expected=5)] + [run(60 + i * 60, pages=5, rules_expected=5, rules_missed=5)
                                                     for i in range(5)]
    assert codes(mended + good) == ("ok", [])
    # Teasers that stopped coming as teasers stay said as long as they do.
    usual = [run(60 * 24 * 5 + i * 15, pages=2, paywalled=1) for i in range(40)]
    for lost in (15, 60, 200):
        assert codes([run(i * 15, pages=2, paywalled=0) for i in range(lost)] + usual) == ("degraded", ["paywall_lost"])


def test_an_outlet_whose_pages_now_come_as_paywall_teasers_is_flagged_against_its_own_past():
    # Served its teasers only (a new paywall, a metering cookie), an outlet's articles were stored
    # and scored on their lead while every other count read well.
    teasers = [run(i * 15, pages=2, paywalled=2) for i in range(5)]  # 10 of 10
    usual = [run(60 * 24 + i * 15, pages=2, paywalled=1) for i in range(20)]  # Asahi's half
    assert codes(teasers + [run(60 * 24 + i * 15, pages=2) for i in range(20)]) == ("degraded", ["paywalled"])
    assert health.check(teasers + usual[:1] + [run(60 * 24 + i * 15, pages=2) for i in range(20)], now=NOW) \
        .reasons[0].message.startswith("10 of 10 of its latest articles came as a paywall's teaser only")
    # Half its articles for subscribers as usual, or a bit more: not flagged.
    assert codes(teasers[:2] + [run(30, pages=6, paywalled=3)] + usual) == ("ok", [])  # 7 of 10
    # An outlet new to newsmon has no past to say what is usual for it (Nikkei: most of it).
    assert codes(teasers) == ("ok", [])
    # Runs from before newsmon counted teasers (NULL) are no past of none.
    uncounted = [run(60 * 24 + i * 15, pages=2, paywalled=None) for i in range(20)]
    assert codes(teasers + uncounted) == ("ok", [])


def test_an_outlet_whose_articles_read_garbled_is_flagged_whatever_its_past():
    # A charset newsmon reads wrong is newsmon's to mend, not the outlet's usual: three articles say it.
    garbled = [run(i * 15, pages=1, garbled=1) for i in range(3)]
    assert codes(garbled) == ("degraded", ["garbled"])
    assert health.check(garbled, now=NOW).reasons[0].message.startswith(
        "3 of 3 articles read as bytes decoded with the wrong codec")
    assert codes([run(i * 15, pages=1, garbled=1) for i in range(30)]) == ("degraded", ["garbled"])
    assert codes(garbled[:2]) == ("ok", [])  # two say too little
    assert codes(garbled[:1] + [run(15, pages=8)]) == ("ok", [])  # one of nine
    # Runs from before newsmon counted them (NULL) are none of them.
    assert codes([run(i * 15, pages=1, garbled=None) for i in range(5)]) == ("ok", [])


def test_an_outlet_whose_teasers_no_longer_come_as_teasers_is_flagged_against_its_own_past():
    # A redesign that renames the paywall's box: the rules' paywall selector matches nothing, and
    # every teaser is stored and scored as a whole article (its lead only), while each count reads
    # well, short texts included (a lead is no empty text).
    usual = [run(60 * 24 + i * 15, pages=2, paywalled=1) for i in range(30)]  # Asahi's half, 60 articles
    none = [run(i * 15, pages=2, paywalled=0) for i in range(15)]  # 0 of 30
    status, found = codes(none + usual)
    assert (status, found) == ("degraded", ["paywall_lost"])
    assert health.check(none + usual, now=NOW).reasons[0].message.startswith(
        "0 of its latest 30 articles came as a paywall's teaser, where 30 of 60 did over the month before: ")
    # A morning of free breaking news: 20 of them, the latest 30 reaching back to its usual half.
    assert codes(none[:10] + usual) == ("ok", [])  # 5 of 30
    assert codes([run(i * 15, pages=2, paywalled=i % 2) for i in range(15)] + usual) == ("ok", [])  # 7 of 30
    # An outlet that seldom has teasers has none to lose; one new to newsmon, no past to say so.
    assert codes(none + [run(60 * 24 + i * 15, pages=2, paywalled=int(i < 6)) for i in range(30)]) == ("ok", [])
    assert codes(none) == ("ok", [])


def test_soft_signals_need_ten_pages_and_are_judged_against_the_outlets_own_past():
    undated = [run(i * 15, pages=2, no_date=1) for i in range(6)]  # 6 of 12 undated
    assert codes(undated) == ("degraded", ["no_date"])
    assert codes(undated[:4]) == ("ok", [])  # 8 pages: too few to say
    # An outlet that always leaves half its pages undated is not flagged for it.
    usual = [run(60 * 24 + i * 15, pages=2, no_date=1) for i in range(20)]
    assert codes(undated + usual) == ("ok", [])
    # One whose dates used to be there is.
    dated = [run(60 * 24 + i * 15, pages=2) for i in range(20)]
    assert codes(undated + dated) == ("degraded", ["no_date"])
    disagreeing = [run(i * 15, pages=3, rules_expected=3, crosschecked=3, disagreed=2) for i in range(4)]
    assert codes(disagreeing) == ("degraded", ["disagree"])


def test_a_robots_txt_disallowing_most_of_what_an_outlet_lists_blocks_it():
    since = "2026-03-04T09:00:00+00:00"
    result = health.check([run(0, pages=1)], now=NOW, robots=(3, 4, since))
    assert (result.status, result.codes()) == ("blocked", ["robots_disallow"])
    assert result.reasons[0].message.startswith("its robots.txt disallows 3 of the 4 article URLs it listed since "
                                                "2026-03-04 09:00 UTC")
    # A corner of the site it keeps to itself (a few URLs of many) is no block.
    assert health.check([run(0, pages=9)], now=NOW, robots=(1, 10, since)).status == "ok"


def test_feeds_listing_many_urls_the_article_pattern_does_not_take_degrade_the_outlet():
    examples = ["https://www.nikkei.com/nkd/article/DGXZQO1/", "https://www.nikkei.com/nkd/article/DGXZQO2/"]
    result = health.check([run(0, pages=6)], now=NOW, pattern=(4, 10, examples))
    assert (result.status, result.codes()) == ("degraded", ["pattern"])
    assert "does not take 4 of the 10 URLs its feeds, sitemaps and sections listed over the last week (e.g. " \
           "https://www.nikkei.com/nkd/article/DGXZQO1/, https://www.nikkei.com/nkd/article/DGXZQO2/)" \
           in result.reasons[0].message
    # A feed's odd video or special page among its articles is no new URL scheme.
    assert health.check([run(0, pages=6)], now=NOW, pattern=(2, 4, examples)).status == "ok"
    assert health.check([run(0, pages=40)], now=NOW, pattern=(5, 40, examples)).status == "ok"


def test_a_new_url_scheme_of_the_last_runs_is_told_before_it_is_a_third_of_the_week(tmp_path):
    # A week of the old scheme's URLs (30), then the outlet's feed lists its new articles under
    # another: 4 of the 6 first listed in its last 3 runs. A third of the week's took an audit's
    # outlet 21 hourly runs; half of its last runs' takes one.
    db = open_db(tmp_path / "news.db")
    week_ago, lately = (NOW - timedelta(days=5)).isoformat(), (NOW - timedelta(hours=2)).isoformat()
    frontier.add_pending(db, [f"https://www.nikkei.com/article/A{n}/" for n in range(30)], outlet="nikkei",
                         now=week_ago)
    frontier.add_pending(db, ["https://www.nikkei.com/article/B1/", "https://www.nikkei.com/article/B2/"],
                         outlet="nikkei", now=lately)
    for n in range(4):
        frontier.record_refused(db, f"https://www.nikkei.com/nkd/article/C{n}/", outlet="nikkei",
                                code="not_article_url", reason="listed by a feed, but …", now=lately)
    three_runs_ago = (NOW - timedelta(hours=3)).isoformat()
    found = health.unmatched(db, "nikkei", now=NOW, recent=three_runs_ago)
    assert found[:2] == (4, 6) and found[3] == "in its last 3 runs"
    result = health.check([run(0, pages=2)], now=NOW, pattern=found)
    assert (result.status, result.codes()) == ("degraded", ["pattern"])
    assert "does not take 4 of the 6 URLs its feeds, sitemaps and sections listed in its last 3 runs (e.g. " \
           "https://www.nikkei.com/nkd/article/C" in result.reasons[0].message
    # Over the week alone it says nothing yet (4 of 36), nor where the last runs' are not half.
    assert health.check([run(0, pages=2)], now=NOW, pattern=health.unmatched(db, "nikkei", now=NOW)).status == "ok"
    frontier.add_pending(db, [f"https://www.nikkei.com/article/D{n}/" for n in range(3)], outlet="nikkei",
                         now=lately)
    assert health.check([run(0, pages=2)], now=NOW,
                        pattern=health.unmatched(db, "nikkei", now=NOW, recent=three_runs_ago)).status == "ok"


def test_pages_that_say_the_article_is_not_there_are_named_beside_no_article():
    # "Page not found" at 200 on every article read "extraction found no article in 5 of 5
    # pages": a reader looked at the rules, not at where the URLs lead.
    runs = [run(0, pages=5, no_article=5)] + [run(60 * 24 + i * 15, pages=5) for i in range(3)]
    plain = health.check(runs, now=NOW)
    assert plain.codes() == ["no_article"] and plain.reasons[0].message == \
        "extraction found no article in 5 of 5 pages"
    told = health.check(runs, now=NOW, notices=5)
    assert told.reasons[0].message.startswith("extraction found no article in 5 of 5 pages: 5 of the last run's "
                                              "pages said at 200 that the article is not there (a 'page not found' ")


def test_feeds_listing_many_urls_on_other_hosts_degrade_the_outlet():
    # The Japan News moved from the-japan-news.com to japannews.yomiuri.co.jp: a feed on
    # the new host lists nothing an outlet of the old domains would fetch.
    result = health.check([run(0, pages=6)], now=NOW, moved=(8, 12, ["japannews.yomiuri.co.jp"]))
    assert (result.status, result.codes()) == ("degraded", ["off_domains"])
    assert result.reasons[0].message.startswith(
        "8 of the 12 URLs its feeds, sitemaps and sections listed over the last week are on hosts that are not "
        "among its domains (japannews.yomiuri.co.jp): did its articles move?")
    # A syndicated story or two from elsewhere is no move.
    assert health.check([run(0, pages=6)], now=NOW, moved=(2, 4, ["www.kyodo.co.jp"])).status == "ok"
    assert health.check([run(0, pages=40)], now=NOW, moved=(5, 40, ["www.kyodo.co.jp"])).status == "ok"


def test_a_feed_or_sitemap_whose_entries_give_no_url_degrades_the_outlet(db):
    # Read "ok" in every run, such a feed or sitemap lost its articles without a word.
    run_id = queries.start_run(db, ["a"], "test", now=NOW.isoformat())
    for url, kind, entries, none in (("https://a.jp/rss.xml", "feed", 6, 4), ("https://a.jp/news.xml", "feed", 20, 1),
                                     ("https://a.jp/other.xml", "feed", 1, 2),
                                     ("https://a.jp/s-1.xml", "sitemap", 6, 3)):
        frontier.record_discovery(db, run_id=run_id, outlet="a", url=url, kind=kind, ok=True, entries=entries,
                                  unlinked=none)
    frontier.record_discovery(db, run_id=run_id, outlet="a", url="https://a.jp/s", kind="section", ok=True, entries=5)
    found = health.unlinked_documents(db, "a", run_id)
    assert found == [{"kind": "feed", "url": "https://a.jp/rss.xml", "unlinked": 4, "entries": 10},
                     {"kind": "sitemap", "url": "https://a.jp/s-1.xml", "unlinked": 3, "entries": 9}]
    # Unchanged in the next run (a 304), it is what it was: the health must not swing back to ok.
    again = queries.start_run(db, ["a"], "test", now=NOW.isoformat())
    for url, kind in (("https://a.jp/rss.xml", "feed"), ("https://a.jp/s-1.xml", "sitemap")):
        frontier.record_discovery(db, run_id=again, outlet="a", url=url, kind=kind, ok=True, http_status=304,
                                  reason="not modified")
    assert health.unlinked_documents(db, "a", again) == found
    # Broken in a run, it is named as such (discovery), not by what an older read gave.
    broken = queries.start_run(db, ["a"], "test", now=NOW.isoformat())
    frontier.record_discovery(db, run_id=broken, outlet="a", url="https://a.jp/rss.xml", kind="feed", ok=False,
                              http_status=500)
    assert health.unlinked_documents(db, "a", broken) == []
    result = health.check([run(0, pages=6)], now=NOW, unlinked=found)
    assert (result.status, result.codes()) == ("degraded", ["unlinked"])
    assert result.reasons[0].message.startswith(
        "entries of its feeds or sitemaps give no URL: feed https://a.jp/rss.xml (4 of its 10 entries); sitemap "
        "https://a.jp/s-1.xml (3 of its 9 entries); their articles are not crawled")
    assert health.check([run(0, pages=6)], now=NOW, unlinked=[]).status == "ok"


def test_a_section_that_turned_over_whole_overflows_however_small_its_own_listing(db):
    # A section's own listing (its largest group of article links under one markup) counts beside
    # the whole page, never in its place: a top page of genre boxes of four, each box its own group,
    # all 20 of whose article URLs were new, read "ok", where the page's count said it overflowed.
    sections = {"https://a.jp/top": (20, 4), "https://a.jp/ranked": (11, 6), "https://a.jp/kept": (20, 10)}
    first = queries.start_run(db, ["a"], "test", now=NOW.isoformat())
    for url, (links, listed) in sections.items():
        frontier.record_discovery(db, run_id=first, outlet="a", url=url, kind="section", ok=True, entries=links,
                                  article_urls=links, known=links, listing=(listed, listed))
    run_id = queries.start_run(db, ["a"], "test", now=NOW.isoformat())
    # The top page turned over whole; the ranked one in its listing only (its ranking of 5 seen
    # before); the kept one in neither (its listing still lists 3 articles seen before).
    for url, known, listing in (("https://a.jp/top", 0, (4, 0)), ("https://a.jp/ranked", 5, (6, 0)),
                                ("https://a.jp/kept", 3, (10, 3))):
        links = sections[url][0]
        frontier.record_discovery(db, run_id=run_id, outlet="a", url=url, kind="section", ok=True, entries=links,
                                  article_urls=links, known=known, listing=listing)
    assert health.overflowed(db, "a", run_id) == [
        {"kind": "section", "url": "https://a.jp/top", "article_urls": 20},
        {"kind": "section", "url": "https://a.jp/ranked", "article_urls": 6}]


def test_errors_dominating_a_run_fail_the_outlet():
    history = [run(0, pages=1, errors=4, discovery_ok=1, discovery_failed=1)]
    result = health.check(history, now=NOW)
    # The failed feed is named too (degraded on its own; here the errors dominate).
    assert (result.status, result.codes()) == ("failing", ["errors", "discovery"])
    assert result.reasons[0].message == "errors dominate: 5 of 7 requests of the last run failed"
    assert codes([run(0, pages=9, errors=1, discovery_ok=3)]) == ("ok", [])
    # Its feeds answer and its article pages all fail (a quiet hour: two new articles, each a 500):
    # the feeds outnumbered them, and the outlet read "ok" while no article came in.
    quiet = health.check([run(0, pages=0, errors=2, discovery_ok=5, discovery_changed=5, discovered=2)], now=NOW)
    assert (quiet.status, quiet.codes()) == ("failing", ["errors"])
    assert quiet.reasons[0].message == ("none of the 2 article pages of the last run came back (its feeds and "
                                        "sections did): see the URLs' reasons (url_problems)")
    # What they failed with, most first: every article sent on to the front page, told in the line.
    sent = health.check([run(0, pages=0, errors=4, discovery_ok=5)], now=NOW,
                        failures=[("redirected_away", 3, "https://a.jp/articles/1"), ("http_500", 1, "https://a.jp/2")])
    assert sent.reasons[0].message == (
        "none of the 4 article pages of the last run came back (its feeds and sections did): 3 redirected_away, "
        "e.g. https://a.jp/articles/1; 1 http_500, e.g. https://a.jp/2; see the URLs' reasons (url_problems)")
    assert codes([run(0, pages=1, errors=2, discovery_ok=5)]) == ("ok", [])  # one came back
    # Each a "page not found" at 200 (a page, and an error: a 404 by its words): none came back
    # either. Counted as pages, they kept the outlet at "degraded" (no article found) run after run.
    soft = health.check([run(0, pages=5, no_article=5, errors=5, discovery_ok=8)], now=NOW, notices=5,
                        failures=[("soft_404", 5, "https://a.jp/articles/1")])
    assert (soft.status, soft.codes()) == ("failing", ["errors", "no_article"])
    assert soft.reasons[0].message.startswith("none of the 5 article pages of the last run came back (its feeds and "
                                              "sections did): 5 soft_404, e.g. https://a.jp/articles/1;")
    assert codes([run(0, pages=6, no_article=5, errors=5, discovery_ok=8)])[0] == "degraded"  # one was an article
    assert codes([run(0, pages=0, errors=1, discovery_ok=5)]) == ("ok", [])  # one article is one page


def test_what_a_runs_article_pages_failed_with_is_counted_by_reason_most_first(db):
    run_id = add_run(db, "nhk", NOW, errors=4)
    for n, code in enumerate(("redirected_away", "http_500", "redirected_away", "redirected_away")):
        frontier.record_failure(db, f"https://www3.nhk.or.jp/news/html/{n}.html", outlet="nhk", code=code,
                                reason="…", max_attempts=3, run_id=run_id)
    frontier.record_failure(db, "https://www3.nhk.or.jp/news/html/9.html", outlet="nhk", code="http_503",
                            reason="…", max_attempts=3, run_id=run_id - 1)  # another run's
    assert health.failed_with(db, "nhk", run_id) == [("redirected_away", 3, "https://www3.nhk.or.jp/news/html/0.html"),
                                                     ("http_500", 1, "https://www3.nhk.or.jp/news/html/1.html")]


def test_article_urls_of_a_run_all_sent_on_to_one_page_are_told_as_one_page_not_as_take_downs(db):
    # Each URL's reason reads "taken down, or moved; widen article_url_pattern": every new article
    # of a run sent to one login page is neither.
    run_id = add_run(db, "nhk", NOW, errors=5)
    for n in range(4):
        frontier.record_failure(db, f"https://www3.nhk.or.jp/news/html/{n}.html", outlet="nhk", code="redirected_away",
                                reason="…", max_attempts=3, run_id=run_id,
                                redirected_to=f"https://id.nhk.or.jp/login?next=%2Fnews%2F{n}")
    frontier.record_failure(db, "https://www3.nhk.or.jp/news/html/9.html", outlet="nhk", code="redirected_away",
                            reason="…", max_attempts=3, run_id=run_id, redirected_to="https://www3.nhk.or.jp/")
    assert health.sent_to_one(db, "nhk", run_id) == ("https://id.nhk.or.jp/login", 4)
    result = health.check([run(0, pages=0, errors=5, discovery_ok=5)], now=NOW,
                          failures=health.failed_with(db, "nhk", run_id), sent_to=health.sent_to_one(db, "nhk", run_id))
    assert (result.status, result.codes()) == ("failing", ["errors"])
    assert ("5 redirected_away, e.g. https://www3.nhk.or.jp/news/html/0.html; 4 article URLs first fetched in the "
            "run were redirected to one page, https://id.nhk.or.jp/login: a login, consent or bot page (newsmon kept "
            "out), or the front page") in (
        result.reasons[0].message)
    # Taken-down articles tried again, each sent to the front page: their first run named them.
    again = add_run(db, "nhk", NOW + timedelta(hours=6), errors=4)
    for n in range(4):
        frontier.record_failure(db, f"https://www3.nhk.or.jp/news/html/{n}.html", outlet="nhk", code="redirected_away",
                                reason="…", max_attempts=3, run_id=again, redirected_to="https://www3.nhk.or.jp/")
    assert health.sent_to_one(db, "nhk", again) is None
    # Two new articles sent to the front page are what a day of take-downs brings; and three of
    # seven sent to one page, the rest each elsewhere, are no one page of the run.
    few = add_run(db, "nhk", NOW + timedelta(hours=7), errors=2)
    for n in range(2):
        frontier.record_failure(db, f"https://www3.nhk.or.jp/news/html/f{n}.html", outlet="nhk",
                                code="redirected_away", reason="…", max_attempts=3, run_id=few,
                                redirected_to="https://www3.nhk.or.jp/")
    assert health.sent_to_one(db, "nhk", few) is None
    mixed = add_run(db, "nhk", NOW + timedelta(hours=8), errors=7)
    for n in range(7):
        frontier.record_failure(db, f"https://www3.nhk.or.jp/news/html/m{n}.html", outlet="nhk",
                                code="redirected_away", reason="…", max_attempts=3, run_id=mixed,
                                redirected_to="https://www3.nhk.or.jp/" if n < 3 else f"https://www3.nhk.or.jp/{n}/")
    assert health.sent_to_one(db, "nhk", mixed) is None


def test_broken_discovery_is_named_and_degrades_or_fails_the_outlet():
    broken = [{"url": "https://example.jp/rss.xml", "kind": "feed", "http_status": 200,
               "reason": "an HTML page, not XML (an error or login page where the feed should be?)"}]
    partly = health.check([run(0, pages=5, discovery_ok=3, discovery_changed=3, discovered=5,
                               discovery_broken=1)], now=NOW, broken=broken)
    assert (partly.status, partly.codes()) == ("degraded", ["discovery"])
    assert "https://example.jp/rss.xml: an HTML page, not XML" in partly.reasons[0].message
    wholly = health.check([run(0, discovery_ok=1, discovery_changed=1, discovery_broken=1)], now=NOW, broken=broken)
    assert (wholly.status, wholly.codes()) == ("failing", ["discovery"])
    assert wholly.reasons[0].message.startswith("none of its 1 feeds, sitemaps and sections gave an article URL: ")
    failed = health.check([run(0, discovery_failed=2)], now=NOW, broken=broken)
    assert next(r for r in failed.reasons if r.code == "discovery").message.startswith(
        "none of its 2 feeds, sitemaps and sections could be read: ")


def test_a_walled_or_failing_outlet_is_judged_on_its_last_run_that_asked_for_a_page():
    # Walled in one run, its URLs wait out the wall's backoff, and a quiet run after asked for no page: it read "ok",
    # and "blocked -> ok" was told as a recovery while the site still walled every article.
    walled = run(15, pages=0, walls=5, discovery_ok=1, discovery_changed=1, discovered=5)
    quiet = run(0, discovery_ok=1)
    result = health.check([quiet, walled], now=NOW)
    assert (result.status, result.codes()) == ("blocked", ["blocked"])
    assert result.reasons[0].message.startswith(
        "5 of the 5 pages of its last run that asked for a page (1 run since asked for none) were walls")
    # Its URLs given up after errors, the same.
    failed = run(15, pages=0, errors=3, discovery_ok=1, discovery_changed=1, discovered=3)
    result = health.check([quiet, failed], now=NOW)
    assert (result.status, result.codes()) == ("failing", ["errors"])
    assert "of its last run that asked for a page (1 run since asked for none) came back" in result.reasons[0].message
    # A page that came back since is a recovery.
    assert codes([run(0, pages=2, articles_new=2, discovery_ok=1), walled]) == ("ok", [])


def test_a_feed_that_is_a_wall_is_not_first_called_a_pattern_that_changed():
    # The feed a bot challenge at 200: read, and listing nothing, it was "did the article URL pattern change?" first,
    # before the wall that was the cause.
    broken = [{"url": "https://example.jp/rss.xml", "kind": "feed", "http_status": 200,
               "reason": "a Cloudflare bot challenge (HTTP 200) where the feed should be"}]
    before = [run(15 * n, pages=5, articles_new=5, discovery_ok=1, discovery_changed=1, discovered=5)
              for n in range(1, 4)]
    walled = health.check([run(0, discovery_ok=1, discovery_changed=1, discovery_broken=1, walls=1), *before],
                          now=NOW, broken=broken)
    assert (walled.status, walled.codes()) == ("failing", ["discovery", "blocked"])
    # A feed read well that lists nothing the pattern takes is that question still.
    emptied = health.check([run(0, discovery_ok=1, discovery_changed=1), *before], now=NOW)
    assert emptied.codes() == ["no_links"]


def test_article_pages_none_of_which_came_back_fail_the_outlet_beside_a_wall_too_few_to_block_it():
    # Every article page drawn by script (a page and an error each) and one members-only login in the run: any wall
    # hid "none came back", and the outlet remade as an app read "degraded".
    run_ = run(0, pages=5, errors=5, no_article=5, walls=1, discovery_ok=1, discovery_changed=1, discovered=6)
    result = health.check([run_], now=NOW, failures=[("drawn_by_script", 5, "https://a.jp/articles/1")])
    assert result.status == "failing" and "errors" in result.codes(), result
    # Walls enough to block it say so.
    walled = health.check([run(0, pages=1, errors=1, walls=5, discovery_ok=1)], now=NOW)
    assert walled.status == "blocked", walled


def test_a_wall_where_a_feed_was_is_judged_on_the_run_that_read_the_feed_again():
    # A feed is asked for every run, no backoff: read well since, nothing new listed, the outlet stayed "blocked"
    # by the walled run's feed, judged as the last run that asked for a page, until an article came.
    walled = run(30, walls=1, discovery_walls=1, discovery_ok=1, discovery_changed=1, discovery_broken=1)
    read = [run(15, discovery_ok=1), run(0, discovery_ok=1)]
    assert codes([*read, walled])[0] == "ok"
    # The run the feed is a wall in is blocked by it.
    assert codes([walled])[0] != "ok"


def test_errors_that_dominate_the_last_run_name_its_failures_not_an_older_runs():
    # The last run's feed and sitemap answered 500 and it asked for no article page: "(article pages: 5 http_403)"
    # were the run before's.
    older = run(15, errors=5, discovery_ok=2)
    last = run(0, discovery_failed=2)
    result = health.check([last, older], now=NOW, failures=[("http_403", 5, "https://a.jp/articles/1")])
    message = next(r.message for r in result.reasons if r.code == "errors")
    assert message == "errors dominate: 2 of 2 requests of the last run failed", message


def test_a_sitemap_index_whose_sitemaps_all_fail_is_no_document_that_could_be_read():
    # A sitemap-only outlet whose one child sitemap answers 404: its index read well, and "1 of 2 failed" kept it
    # degraded while no article came in.
    broken = [{"url": "https://example.jp/sitemap-news.xml", "kind": "sitemap", "http_status": 404,
               "reason": "HTTP 404"}]
    history = [run(0, discovery_ok=1, discovery_failed=1)]
    assert health.check(history, now=NOW, broken=broken).status == "degraded"
    result = health.check(history, now=NOW, broken=broken, indexes=1)
    assert (result.status, result.codes()) == ("failing", ["discovery"])
    assert "none of its 1 feeds, sitemaps and sections could be read (only the sitemap index listing them " \
           "answered, and an index lists no article)" in result.reasons[0].message


def test_a_urlset_that_lists_child_sitemaps_beside_its_articles_is_no_sitemap_index(db):
    # Both have children (``note_children``): counted as an index, a urlset of articles that answered 304 while its
    # plugin's child sitemap failed made its outlet "failing ... an index lists no article".
    index, urlset = "https://a.jp/sitemap-index.xml", "https://a.jp/sitemap.xml"
    for url in (index, urlset):
        queries.note_children(db, url, {"https://a.jp/plugin.xml": None})
    first, again = (queries.start_run(db, ["a"], "test", now=NOW.isoformat()) for _ in range(2))
    for url, articles in ((index, 0), (urlset, 5)):
        frontier.record_discovery(db, run_id=first, outlet="a", url=url, kind="sitemap", ok=True, http_status=200,
                                  entries=5, article_urls=articles)
        frontier.record_discovery(db, run_id=again, outlet="a", url=url, kind="sitemap", ok=True, http_status=304)
    assert health.sitemap_indexes(db, "a", first) == health.sitemap_indexes(db, "a", again) == 1


def test_an_unreadable_robots_txt_fails_the_outlet():
    assert codes([run(0, discovery_ok=2, robots_unavailable=3)]) == ("failing", ["robots"])


def test_a_timeout_or_a_lost_run_fails_the_outlet_and_a_skipped_one_is_ignored():
    assert codes([run(0, reason="timeout"), run(15, pages=3)]) == ("failing", ["timeout"])
    assert codes([run(0, reason="failed: exit status 1")]) == ("failing", ["failed"])
    assert codes([run(0, reason="skipped: outlet busy"), run(15, pages=3)]) == ("ok", [])
    assert codes([run(0, reason="shutdown", pages=1)]) == ("ok", [])


def test_feeds_that_list_no_article_url_any_more_fail_the_outlet():
    usual = [run(15 * i, discovery_ok=3, discovery_changed=3, discovered=30) for i in range(1, 5)]
    empty = run(0, discovery_ok=3, discovery_changed=3, discovered=0)
    assert codes([empty] + usual) == ("failing", ["no_links"])
    assert codes([empty]) == ("ok", [])  # no history: no "usually"
    unchanged = run(0, discovery_ok=3, discovery_changed=0, discovered=0)  # 304s: nothing to read
    assert codes([unchanged] + usual) == ("ok", [])
    # Read empty run after run: said as long as it lasts, not until most of the last ten reads were
    # empty, which made them the outlet's "usual".
    for reads in (2, 6, 12, 40):
        emptied = health.check([run(15 * i, discovery_ok=3, discovery_changed=3) for i in range(reads)]
                               + [run(15 * (reads + i), discovery_ok=3, discovery_changed=3, discovered=30)
                                  for i in range(4)], now=NOW)
        assert (emptied.status, emptied.codes()) == ("failing", ["no_links"]), reads
    assert emptied.reasons[0].message.startswith("its feeds, sitemaps and sections were read 40 times since ")
    # Feeds that never listed an article URL (an empty feed, a wrong address answering an empty
    # one): "ok" for ever, where newsmon check called the same outlet broken.
    never = health.check([run(15 * i, discovery_ok=1, discovery_changed=1) for i in range(3)], now=NOW)
    assert (never.status, never.codes()) == ("failing", ["no_links"])
    assert never.reasons[0].message.startswith("its feeds, sitemaps and sections were read 3 times and never listed")
    assert codes([run(0, discovery_ok=1, discovery_changed=1), run(15, discovery_ok=1)]) == ("ok", [])  # once read


def test_a_section_that_lists_nothing_beside_a_feed_at_304_is_no_outlet_that_lists_nothing(tmp_path):
    # A section whose links a redesign moved into a script (javascript: hrefs, data-href) beside a
    # feed unchanged in a quiet hour (304): the section is named (degraded, discovery), but "its
    # feeds, sitemaps and sections were read but listed no article URL (did the article URL
    # pattern change?)" was said of the outlet, failing, whenever the feed answered 304, and
    # degraded again whenever it changed.
    usual = [run(15 * i, discovery_ok=2, discovery_changed=2, discovered=20) for i in range(1, 5)]
    quiet = run(0, discovery_ok=2, discovery_changed=1, discovery_broken=1, discovered=0)
    assert codes([quiet] + usual) == ("failing", ["no_links", "discovery"])  # what the 304 says, unknown
    told = health.check([quiet] + usual, now=NOW, standing=1)
    assert (told.status, told.codes()) == ("degraded", ["discovery"])
    # What ``standing`` counts: a 304 whose last whole read listed article URLs; not one that listed none.
    db = open_db(tmp_path / "news.db")
    rows = [(1, "https://a.jp/rss.xml", "feed", 200, 1, 10), (1, "https://a.jp/empty.xml", "feed", 200, 1, 0),
            (1, "https://a.jp/news/", "section", 200, 1, 10),
            (2, "https://a.jp/rss.xml", "feed", 304, 1, None), (2, "https://a.jp/empty.xml", "feed", 304, 1, None),
            (2, "https://a.jp/news/", "section", 200, 0, 0)]
    for run_id, url, kind, status, ok, listed in rows:
        db["discovery"].insert({"run_id": run_id, "outlet": "a", "url": url, "kind": kind,
                                "fetched_at": NOW.isoformat(), "http_status": status, "ok": ok, "article_urls": listed})
    assert health.standing(db, "a", 2) == 1
    assert health.standing(db, "a", 1) == 0
    db.close()


def test_silence_longer_than_the_same_hours_of_the_days_before_allow_fails_it():
    # Eight days of runs every 15 minutes, one new article each, then three quiet hours.
    busy = [run(180 + 15 * i, articles_new=1, pages=1) for i in range(96 * 8)]
    quiet = [run(15 * i) for i in range(12)]
    status, found = codes(quiet + busy)
    assert (status, found) == ("failing", ["silent"])
    assert health.check(quiet + busy, now=NOW).reasons[0].message.startswith(
        "no new article for 3.0 h over 12 runs, where the same hours of each of the 7 days before brought at least 12")
    assert codes(quiet[:2] + busy) == ("ok", [])  # two quiet runs: too few
    sparse = [run(180 + 60 * 24 * i, articles_new=1, pages=1) for i in range(5)]  # one a day
    assert codes(quiet + sparse) == ("ok", [])
    assert codes(quiet + busy[:8]) == ("ok", [])  # two hours of history: too little to know a rate
    assert codes(quiet + busy[:96 * 6]) == ("ok", [])  # six days': its weekend may be yet to come
    # The same hours quiet on one of the days before (a night, a weekend): they are no silence.
    night = [dict(r, articles_new=0) if 24 * 60 < 180 + 15 * i <= 27 * 60 else r for i, r in enumerate(busy)]
    assert codes(quiet + night) == ("ok", [])


# --- the table --------------------------------------------------------------------------------

@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def add_run(db, outlet: str, at: datetime, reason: str = "finished", **counts) -> int:
    run_id = queries.start_run(db, [outlet], "schedule", pid=None, now=at.isoformat())
    queries.finish_run(db, run_id, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0,
                       errors=0, finish_reason=reason, exit_status=0, now=at.isoformat())
    health.record_outlet_run(db, run_id, outlet, counts)
    return run_id


def found(db, run_id: int, n: int, *, published: str | None, discovered: datetime, stored: datetime,
          outlet: str = "nhk") -> None:
    """Article ``n`` of ``outlet``, published at ``published`` (as a page says it), its URL
    discovered at ``discovered`` and stored by run ``run_id`` at ``stored``, as the crawl leaves them."""
    url = f"https://www3.nhk.or.jp/news/html/{n}.html"
    article_id, _ = queries.save_article(db, {"url": url, "title": f"t{n}", "text": f"text {n}",
                                              "published_at": published}, now=stored.isoformat())
    db.execute("INSERT INTO urls (url, outlet, kind, article_id, first_seen_at, last_seen_at, run_id) "
               "VALUES (?, ?, 'article', ?, ?, ?, ?)", [url, outlet, article_id, discovered.isoformat(),
                                                        stored.isoformat(), run_id])


def test_a_run_keeps_how_late_it_found_each_new_article_published_since_the_outlet_was_first_crawled(db):
    first = add_run(db, "nhk", NOW - timedelta(hours=3), discovery_ok=1)
    found(db, first, 1, published=(NOW - timedelta(days=2)).isoformat(), discovered=NOW - timedelta(hours=3),
          stored=NOW - timedelta(hours=3))
    assert health.run_lags(db, first, "nhk") == []  # the first run's articles are the backlog
    add_run(db, "nhk", NOW - timedelta(hours=2), discovery_ok=1)
    add_run(db, "nhk", NOW - timedelta(minutes=90), reason="timeout")  # no chance to list anything
    last = queries.start_run(db, ["nhk"], "schedule", now=NOW.isoformat())
    at = NOW + timedelta(seconds=10)
    # Published between the first two runs: the second should have found it (missed).
    found(db, last, 2, published="2026-03-05T18:30:00+09:00", discovered=at, stored=at + timedelta(seconds=20))
    # Published after the second run started: late, but no run had missed it.
    found(db, last, 3, published=(NOW - timedelta(minutes=100)).isoformat(), discovered=at, stored=at)
    # Published only 5 minutes before a run that did not list it: the feed's own refresh.
    found(db, last, 4, published=(NOW - timedelta(minutes=125)).isoformat(), discovered=at, stored=at)
    # Before the outlet was first crawled (the backlog), with a date only, at a midnight that
    # stands for a date, with no date: nothing to measure.
    for n, published in enumerate([(NOW - timedelta(hours=5)).isoformat(), "2026-03-05",
                                   "2026-03-05T00:00:00+09:00", None], start=5):
        found(db, last, n, published=published, discovered=at, stored=at)
    # Stored by an earlier run (this one found it again): not new.
    found(db, first, 9, published=(NOW - timedelta(minutes=150)).isoformat(), discovered=at, stored=at)
    db.execute("UPDATE urls SET run_id = ? WHERE url LIKE '%/9.html'", [last])
    db.execute("UPDATE articles SET first_seen_at = ? WHERE url LIKE '%/9.html'", [(NOW - timedelta(hours=2)).isoformat()])
    assert sorted(health.run_lags(db, last, "nhk")) == sorted([
        [150 * 60 + 10, 20, 1], [100 * 60 + 10, 0, 0], [125 * 60 + 10, 0, 0]])
    # Kept with the run's counts, for the checks and `newsmon status`.
    health.record_outlet_run(db, last, "nhk", {"pages": 7})
    assert len(json.loads(db["outlet_runs"].get((last, "nhk"))["lags"])) == 3


def lagged(minutes_ago: float, lags: list[list[int]], **counts) -> dict:
    return run(minutes_ago, lags=json.dumps(lags), **counts)


def test_articles_listed_late_by_the_outlet_degrade_it_and_a_sparse_schedule_does_not():
    late = [lagged(i * 15, [[3 * 3600, 5, 1]], pages=1, articles_new=1) for i in range(5)]
    result = health.check(late, now=NOW)
    assert (result.status, result.codes()) == ("degraded", ["late"])
    assert result.reasons[0].message.startswith("its new articles were found 3.0 h after they were published "
                                                 "(median of the last 5); 5 of them were published "
                                                 "before an earlier run that did not find them")
    assert codes(late[:4]) == ("ok", [])  # four articles say too little
    # As late, but no run before the one that found them had started after their publication:
    # runs far apart (the schedule's choice), not the outlet's feeds.
    sparse = [lagged(i * 180, [[2 * 3600, 5, 0]]) for i in range(5)]
    assert codes(sparse) == ("ok", [])
    # Where an hour is not the promise.
    assert health.check(late, now=NOW, late_after=timedelta(hours=4)).status == "ok"
    # A few late among many found in time: the median is in time.
    mixed = [lagged(0, [[600, 5, 0]] * 12 + [[5 * 3600, 5, 1]] * 8)]
    assert codes(mixed) == ("ok", [])
    # The newest 20 decide: in time again after a late spell.
    recovered = [lagged(0, [[300, 5, 0]] * 20)] + late
    assert codes(recovered) == ("ok", [])
    # Found in time, but stored hours after: newsmon's own crawls do not keep up.
    behind = [lagged(i * 15, [[120, 2 * 3600, 0]] * 3) for i in range(2)]
    result = health.check(behind, now=NOW)
    assert (result.status, result.codes()) == ("degraded", ["backlog"])
    assert result.reasons[0].message.startswith("its new articles were stored 2.0 h after newsmon found them "
                                                "(median of the last 6): its crawls do not keep up")


def test_publication_times_after_the_articles_were_stored_are_dates_read_wrong():
    # JST times read as UTC: 9 hours in the future.
    future = [lagged(i * 15, [[-9 * 3600 + 60, 30, 0]] * 2) for i in range(3)]
    result = health.check(future, now=NOW)
    assert (result.status, result.codes()) == ("degraded", ["dates"])
    assert "lie 9.0 h after newsmon stored them (median of the last 6)" in result.reasons[0].message
    # A page stamped a few minutes ahead of the crawl's clock is nothing.
    assert codes([lagged(0, [[-300, 10, 0]] * 6)]) == ("ok", [])


FEED = "https://www.mod.go.jp/j/rss/news.xml"


ARCHIVE = [f"https://www3.nhk.or.jp/news/html/old/{n}.html" for n in range(40)]


def archive_runs(db, hours: list[float], *, walls: int = 0,
                 postponed: bool = False) -> Iterator[tuple[int, datetime]]:
    """Runs of nhk ``hours`` before NOW, one after another, the first reading an archive sitemap of 40 entries:
    each run stores 5 of the day's articles (its whole quota) and asks for none of the archive (``walls``: as many
    walls met by each run after the first; ``postponed``: walled off, each postpones an archive entry it asked for)."""
    for n, ago in enumerate(hours):
        at = NOW - timedelta(hours=ago)
        run_id = add_run(db, "nhk", at, discovery_ok=1, discovered=5, pages=5, articles_new=5,
                         **({"walls": walls} if walls and n else {}))
        if not n:
            frontier.add_pending(db, ARCHIVE, outlet="nhk", run_id=run_id, now=(at + timedelta(minutes=1)).isoformat(),
                                 archive={url: place for place, url in enumerate(ARCHIVE, 1)})
        elif postponed:
            frontier.postpone(db, ARCHIVE[n], outlet="nhk", reason="not fetched this run: 3 walls in a row",
                              run_id=run_id, now=at.isoformat())
        yield run_id, at


def test_an_archive_that_no_run_advanced_for_a_day_while_the_news_took_every_run_is_told_once(db):
    # The archive gets the room the day's news leaves: where the news took each run's NEWSMON_MAX_ARTICLES,
    # it waited for good, and no reason, status line or digest said so.
    said = []
    for run_id, at in archive_runs(db, [30, 24, 18, 12, 6, 0, -6]):
        said.append(health.update_health(db, "nhk", run_id, now=at + timedelta(minutes=5)))
    # Not on its first day: its first run's archive, and the runs since it, say nothing yet.
    assert said[:5] == [None] * 5
    change = said[5]
    assert (change.previous, change.status, [r.code for r in change.reasons]) == ("ok", "degraded", ["archive_waiting"])
    assert change.reasons[0].message.startswith(
        "40 URLs only its archive sitemaps listed wait, and its last 5 runs, over 24.1 h (since 2026-03-04 12:00 UTC), "
        "asked for none of them: the day's news takes each run's whole NEWSMON_MAX_ARTICLES")
    assert "Raise NEWSMON_MAX_ARTICLES" in change.reasons[0].message
    assert said[6] is None and health.current(db, "nhk").codes() == ["archive_waiting"]  # told once
    # A run that takes some of it: the archive advances, and the outlet is ok again.
    later = NOW + timedelta(hours=12)
    run_id = add_run(db, "nhk", later, discovery_ok=1, pages=5)
    for url in ARCHIVE[:2]:
        frontier.record_result(db, url, outlet="nhk", kind="article", reason="stored", code="stored", run_id=run_id,
                               now=later.isoformat())
    change = health.update_health(db, "nhk", run_id, now=later + timedelta(minutes=5))
    assert (change.previous, change.status) == ("degraded", "ok")


def test_an_archive_is_not_said_to_wait_while_it_advances_nor_behind_walls_or_a_failing_run(db, tmp_path):
    runs = list(archive_runs(db, [30, 24, 18, 12, 6, 0]))
    # Two runs of the day asked for an archive entry, one stored, one failed: the 38 left take 19 days at that pace.
    frontier.record_failure(db, ARCHIVE[0], outlet="nhk", code="http_503", reason="HTTP 503", max_attempts=3,
                            run_id=runs[3][0], now=runs[3][1].isoformat())
    frontier.record_result(db, ARCHIVE[1], outlet="nhk", kind="article", reason="stored", code="stored",
                           run_id=runs[4][0], now=runs[4][1].isoformat())
    assert health.update_health(db, "nhk", runs[-1][0], now=NOW) is None
    assert health.archive_waiting(db, "nhk", health.history(db, "nhk", now=NOW), now=NOW) is None
    # Walled off, a run's URLs are postponed after it asked for them (told as blocked where the walls are many):
    # those runs had room for the archive.
    walled = open_db(tmp_path / "walled.db")
    list(archive_runs(walled, [30, 24, 18, 12, 6, 0], walls=3, postponed=True))
    assert health.archive_waiting(walled, "nhk", health.history(walled, "nhk", now=NOW), now=NOW) is None
    walled.close()
    # A failing outlet is told failing, not its archive's wait as well.
    waiting = {"waiting": 40_000, "runs": 5, "read": 4, "from": (NOW - timedelta(days=1)).isoformat()}
    assert health.check([run(0, reason="timeout"), run(60, pages=5)], now=NOW, archive=waiting).codes() == ["timeout"]
    result = health.check([run(0, pages=5)], now=NOW, archive=waiting)
    assert result.codes() == ["archive_waiting"]
    assert result.reasons[0].message.startswith("over 10,000 URLs only its archive sitemaps listed wait, and its last "
                                                "5 runs, over 24.0 h (since 2026-03-04 12:00 UTC; 4 of them read to "
                                                "their end), asked for none of them")


def test_an_archive_is_said_to_wait_behind_a_members_articles_login_and_at_a_pace_of_months(db, tmp_path):
    # A members' article's login met in every run is a wall of its health (1 of 5 pages: ok), not the outlet walling
    # newsmon off: its runs asked for what the news left room for. Taken for walled runs, they said nothing, ever.
    gated = open_db(tmp_path / "gated.db")
    list(archive_runs(gated, [30, 24, 18, 12, 6, 0], walls=1))
    runs = health.history(gated, "nhk", now=NOW)
    assert health.check(runs, now=NOW).status == "ok"
    assert health.archive_waiting(gated, "nhk", runs, now=NOW)["taken"] == 0
    gated.close()
    # One entry a day is no advance for 40 (nor one a day for 50,000): at the day's pace, 39 days.
    runs = list(archive_runs(db, [30, 24, 18, 12, 6, 0]))
    frontier.record_result(db, ARCHIVE[0], outlet="nhk", kind="article", reason="stored", code="stored",
                           run_id=runs[3][0], now=runs[3][1].isoformat())
    change = health.update_health(db, "nhk", runs[-1][0], now=NOW)
    assert (change.status, change.reasons[0].code) == ("degraded", "archive_waiting")
    assert change.reasons[0].message.startswith(
        "39 URLs only its archive sitemaps listed wait, and its last 5 runs, over 24.0 h (since 2026-03-04 12:00 UTC), "
        "asked for 1 of them: at that pace the rest take 39 days. The day's news takes nearly each run's whole "
        "NEWSMON_MAX_ARTICLES")
    # Counted past WAITING_COUNTED as far as the pace needs (1,200 a day: 36,000 a month), no further.
    many = [f"https://www3.nhk.or.jp/news/html/old/b{n}.html" for n in range(72_000)]
    frontier.add_pending(db, many, outlet="nhk", now=(NOW - timedelta(days=2)).isoformat(),
                         archive={url: 2 * frontier.ARCHIVE_BLOCK + n for n, url in enumerate(many)})
    db.execute("UPDATE urls SET kind = 'article', run_id = ? WHERE url IN (SELECT url FROM urls WHERE url LIKE "
               "'%/old/b%' ORDER BY url LIMIT 1199)", [runs[4][0]])
    found = health.archive_waiting(db, "nhk", health.history(db, "nhk", now=NOW), now=NOW)
    assert (found["waiting"], found["counted"], found["taken"]) == (36_001, 36_000, 1_200)
    assert health.check(health.history(db, "nhk", now=NOW), now=NOW, archive=found).reasons[0].message.startswith(
        "over 36,000 URLs only its archive sitemaps listed wait, and its last 5 runs, over 24.0 h (since 2026-03-04 "
        "12:00 UTC), asked for 1,200 of them: at that pace the rest take over 30 days")
    # 30,000 waiting at that pace: 25 days.
    db.execute("UPDATE urls SET kind = 'article' WHERE url IN (SELECT url FROM urls WHERE url LIKE '%/old/b%' "
               "AND kind = 'pending' ORDER BY url LIMIT 40801)")
    assert health.archive_waiting(db, "nhk", health.history(db, "nhk", now=NOW), now=NOW) is None


def test_whether_an_archive_waits_is_read_from_indexes_not_every_url_of_the_outlet(db):
    # At every outlet's check after every run: what of its archive waits (the archive's end of m053's index), and
    # whether its last day of runs asked for any (m056's, by run: not every outlet's URLs of 25 hourly runs).
    seen = []
    list(archive_runs(db, [30, 24, 18, 12, 6, 0]))
    db.conn.set_trace_callback(seen.append)
    assert health.archive_waiting(db, "nhk", health.history(db, "nhk", now=NOW), now=NOW)
    db.conn.set_trace_callback(None)
    traced = [s for s in seen if "archive_place" in s]
    assert len(traced) == 2, seen  # what waits, then what the runs asked for: without them, nothing was checked
    for sql in traced:
        steps = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert any("idx_urls_archive_run" in s or "idx_urls_due (outlet=? AND <expr>=?)" in s for s in steps), steps
        assert not any(s.startswith("SCAN") for s in steps), steps

def read_feed(db, run_id: int, at: datetime, *, url: str = FEED, status: int = 200, newest: datetime | None = None,
              interval: int | None = None, articles: int = 20, new: int = 0, known: int | None = None) -> None:
    """A read of a feed of the Ministry of Defense as the crawl records it (a 304: no entries)."""
    entries = articles if status == 200 else None
    frontier.record_discovery(db, run_id=run_id, outlet="mod", url=url, kind="feed", ok=True, http_status=status,
                              entries=entries, article_urls=entries, new_urls=new if status == 200 else None,
                              known=known if status == 200 else None, newest_entry=newest and newest.isoformat(),
                              entry_interval=interval, now=at.isoformat())


def published(db, n: int, at: datetime) -> None:
    jst = timezone(timedelta(hours=9))
    queries.save_article(db, {"url": f"https://www.mod.go.jp/j/press/news/{n}.html", "outlet": "mod",
                              "title": f"t{n}", "text": f"text {n}",
                              "published_at": at.astimezone(jst).isoformat()}, now=at.isoformat())


def _quiet_feed(db) -> int:
    """The Ministry of Defense's feed, new every 15 hours, last new 10 days ago and read every day
    since (304s: reads of the same entries); the last run's id."""
    first = add_run(db, "mod", NOW - timedelta(days=10))
    read_feed(db, first, NOW - timedelta(days=10), newest=NOW - timedelta(days=10, hours=2), interval=54_000, new=20)
    for day in range(9, 0, -1):
        read_feed(db, add_run(db, "mod", NOW - timedelta(days=day)), NOW - timedelta(days=day), status=304)
    last = add_run(db, "mod", NOW)
    read_feed(db, last, NOW, status=304)
    return last


def test_a_feed_that_lists_nothing_new_while_its_outlet_publishes_degrades_the_outlet(db):
    # Its press releases came every 15 hours; its feed was last new 10 days ago (the 304s since
    # are reads of the same entries), and the outlet's other channels found 5 articles since.
    last = _quiet_feed(db)
    for n in range(4):
        published(db, n, NOW - timedelta(days=n + 1, hours=5))
    # Four: as quiet elsewhere as in its feed (a ministry over New Year): nothing said.
    assert health.stale(db, "mod", last, now=NOW) == []
    published(db, 4, NOW - timedelta(days=9, hours=20))
    assert health.stale(db, "mod", last, now=NOW) == [
        {"kind": "feed", "url": FEED, "since": (NOW - timedelta(days=10)).isoformat(), "interval": 54_000,
         "by": "entries", "published": 5}]
    health.update_health(db, "mod", last, now=NOW)
    [(status, problems)] = db.execute("SELECT status, problems FROM health WHERE outlet = 'mod'").fetchall()
    assert status == "degraded" and problems == (
        f"its feed {FEED} (nothing new since 2026-02-23 12:00 UTC, 10.0 days; it used to list one every 15.0 h) "
        "lists nothing new while its other feeds, sitemaps and sections found articles published since: frozen, "
        "or moved with the old address still answering? What only it lists is missed; `newsmon check` shows where "
        "it went, and its address in the outlet's definition needs the new one")
    # Ten of its intervals had not passed six days in: nothing yet.
    assert health.stale(db, "mod", last, now=NOW - timedelta(days=4)) == []
    # A feed whose entries keep one date while its links change is not frozen.
    read_feed(db, last, NOW - timedelta(hours=1), newest=NOW - timedelta(days=10, hours=2), interval=54_000,
              articles=20, known=19)
    assert health.stale(db, "mod", last, now=NOW) == []


def test_the_only_feed_of_an_outlet_frozen_for_longer_than_a_holiday_is_named_without_other_channels(db):
    # An outlet read from one feed: nothing else could say it published meanwhile, and a feed
    # frozen for good read "ok" for ever (a probe of outlet health: 10 days, status ok, exit 0).
    last = _quiet_feed(db)
    # Ten days quiet: a ministry's New Year (its last release the Friday before, its next the
    # Monday after), nothing said.
    assert health.stale(db, "mod", last, now=NOW) == []
    later = NOW + timedelta(days=5)
    assert health.stale(db, "mod", last, now=later) == [
        {"kind": "feed", "url": FEED, "since": (NOW - timedelta(days=10)).isoformat(), "interval": 54_000,
         "by": "entries", "published": 0, "alone": True}]
    health.update_health(db, "mod", last, now=later)
    [(status, problems)] = db.execute("SELECT status, problems FROM health WHERE outlet = 'mod'").fetchall()
    assert status == "degraded" and problems == (
        f"its feed {FEED}, the only one it reads, has listed nothing new since 2026-02-23 12:00 UTC (15.0 days; it "
        "used to list one every 15.0 h): frozen, or moved with the old address still answering? `newsmon check` "
        "shows where it went; or the outlet has published nothing for that long")
    # Read through a sitemap index, which lists sitemaps only: the feed is still the only document
    # that lists articles (an index and its one child were two, and the rule never spoke).
    frontier.record_discovery(db, run_id=last, outlet="mod", url="https://www.mod.go.jp/sitemap-index.xml",
                              kind="sitemap", ok=True, http_status=200, entries=1, article_urls=0, new_urls=0,
                              now=NOW.isoformat())
    assert [f.get("alone") for f in health.stale(db, "mod", last, now=later)] == [True]
    # Frozen for two months, answering 304 since: named still.
    assert [f.get("alone") for f in health.stale(db, "mod", last, now=NOW + timedelta(days=60))] == [True]
    # Beside a channel that last listed articles months ago, still the only one.
    other = "https://www.mod.go.jp/j/rss/other.xml"
    read_feed(db, add_run(db, "mod", NOW - timedelta(days=200)), NOW - timedelta(days=200), url=other, new=20)
    read_feed(db, last, NOW, url=other, status=304)
    assert [f.get("alone") for f in health.stale(db, "mod", last, now=later)] == [True]
    # Beside a channel that relists the same links every day, still the only one.
    section = "https://www.mod.go.jp/j/press/"
    read_feed(db, last, NOW, url=section, articles=20, known=20)
    assert [f.get("alone") for f in health.stale(db, "mod", last, now=later)] == [True]
    # Beside another channel that lists new articles, the feed is judged by what that one found
    # (nothing here): not named.
    read_feed(db, add_run(db, "mod", NOW - timedelta(days=20)), NOW - timedelta(days=20), url=other, new=20)
    assert health.stale(db, "mod", last, now=later) == []


def test_a_feed_that_never_listed_an_article_beside_one_that_lists_them_is_named_after_two_weeks(db):
    # A feed empty from its first read (a wrong address, a category feed emptied before the outlet
    # was set up) beside a working one: the emptied rule needs a listing before, the outlet-wide
    # one an outlet that finds nothing, and it read "ok" for ever (a crawl's probe, 6 runs).
    empty = "https://www.mod.go.jp/j/rss/empty.xml"
    last = None
    for day in range(16, -1, -1):
        last = add_run(db, "mod", NOW - timedelta(days=day))
        read_feed(db, last, NOW - timedelta(days=day), new=3, articles=20)
        read_feed(db, last, NOW - timedelta(days=day), url=empty, articles=0, status=200 if day % 2 else 304)
        if day == 3:
            named = health.stale(db, "mod", last, now=NOW - timedelta(days=day))
    # Thirteen days in: a feed quiet over a holiday is no wrong address yet.
    assert named == []
    assert health.stale(db, "mod", last, now=NOW) == [
        {"kind": "feed", "url": empty, "since": (NOW - timedelta(days=16)).isoformat(), "reads": 17, "never": True}]
    health.update_health(db, "mod", last, now=NOW)
    [(status, problems)] = db.execute("SELECT status, problems FROM health WHERE outlet = 'mod'").fetchall()
    assert status == "degraded" and problems.startswith(
        f"its feed {empty} (read 17 times since 2026-02-17 12:00 UTC) has never listed an article URL, while its "
        "other feeds, sitemaps and sections list them")
    # One that listed an article once is the emptied rule's (named by the crawl), not this one's.
    read_feed(db, add_run(db, "mod", NOW - timedelta(days=30)), NOW - timedelta(days=30), url=empty, articles=1)
    assert health.stale(db, "mod", last, now=NOW) == []


def test_each_stale_feed_is_named_whichever_way_it_is_stale(db):
    # A feed that never listed an article beside a frozen one was not named while the frozen one was (its reason
    # alone said); nor, of an outlet's two documents both frozen, the second (the first said "the only one").
    empty, working, second = (f"https://www.mod.go.jp/j/rss/{name}.xml" for name in ("empty", "working", "second"))
    for day in range(16, -1, -1):
        last, at = add_run(db, "mod", NOW - timedelta(days=day)), NOW - timedelta(days=day)
        read_feed(db, last, at, url=working, new=3)
        read_feed(db, last, at, url=empty, articles=0, status=200 if day % 2 else 304)
        read_feed(db, last, at, **dict(newest=at - timedelta(hours=2), interval=54_000, new=20) if day == 16 else
                  dict(status=304))
    for n in range(6):
        published(db, n, NOW - timedelta(days=n + 1, hours=5))
    assert [f["url"] for f in health.stale(db, "mod", last, now=NOW)] == [empty, FEED]
    [stale] = health.check([run()], stale=health.stale(db, "mod", last, now=NOW), now=NOW).reasons
    assert stale.about == (empty, FEED) and stale.message.startswith(f"its feed {empty} (read 17 times since")
    assert f"; and its feed {FEED} (nothing new since 2026-02-17 12:00 UTC, 16.0 days" in stale.message
    # Both documents of an outlet frozen for longer than a holiday and the month: each named, neither "the only one".
    alone = [{"kind": "feed", "url": url, "since": (NOW - timedelta(days=30)).isoformat(), "interval": 54_000,
              "by": "entries", "published": 0, "alone": True} for url in (FEED, second)]
    [stale] = health.check([run()], stale=alone, now=NOW).reasons
    assert stale.about == (FEED, second) and stale.message.startswith(
        f"its feed {FEED} (nothing new since 2026-02-03 12:00 UTC, 30.0 days; it used to list one every 15.0 h); "
        f"feed {second} (nothing new since 2026-02-03 12:00 UTC, 30.0 days; it used to list one every 15.0 h), all it "
        "reads, list nothing new")
    # More than three: the message names the first three and says how many more (it read as the whole).
    frozen = [{**alone[0], "url": f"https://www.mod.go.jp/j/rss/{n}.xml", "alone": False} for n in range(5)]
    [stale] = health.check([run()], stale=frozen, now=NOW).reasons
    assert stale.about is None and "rss/2.xml (nothing new since" in stale.message and "rss/3.xml" not in stale.message
    assert "it used to list one every 15.0 h) (and 2 more) lists nothing new" in stale.message, stale.message
    # So of sections that overflowed.
    over = [{"kind": "section", "url": f"https://www.mod.go.jp/j/{n}/", "article_urls": 20} for n in range(4)]
    [overflow] = health.check([run()], overflow=over, now=NOW).reasons
    assert overflow.about is None and "j/2/ (20 articles) (and 1 more) listed only" in overflow.message


def test_a_feed_read_for_the_first_time_is_judged_from_then_and_one_without_dates_from_its_reads(db):
    # The outlet's backlog: a feed whose newest entry is months old, and articles from before.
    first = add_run(db, "mod", NOW - timedelta(hours=2))
    read_feed(db, first, NOW - timedelta(hours=2), newest=NOW - timedelta(days=90), interval=3600, new=20)
    undated = "https://www.mod.go.jp/j/rss/undated.xml"
    read_feed(db, first, NOW - timedelta(hours=2), url=undated, new=20)
    for n in range(6):
        published(db, n, NOW - timedelta(days=30 + n))
    assert health.stale(db, "mod", first, now=NOW) == []
    # Three days on, the outlet's other channels have listed six articles and these feeds none.
    later = add_run(db, "mod", NOW + timedelta(days=3))
    read_feed(db, later, NOW + timedelta(days=3), status=304)
    read_feed(db, later, NOW + timedelta(days=3), url=undated, status=304)
    for n in range(6, 12):
        published(db, n, NOW + timedelta(days=1, hours=n))
    # The feed without dates: one read that listed anything is no pace to judge it by.
    assert [f["url"] for f in health.stale(db, "mod", later, now=NOW + timedelta(days=3))] == [FEED]


def test_a_feed_without_dates_is_paced_by_its_reads_that_listed_something_new(db):
    # Japan Times' feed dates its channel, not its entries: frozen, it would never have been
    # named. Its reads said something new every 4 hours for a day; then 304s for 3 days while
    # the outlet's other channels found six articles.
    undated = "https://www.japantimes.co.jp/feed/"
    start = NOW - timedelta(days=4)
    for n in range(7):
        read_feed(db, add_run(db, "mod", start + timedelta(hours=4 * n)), start + timedelta(hours=4 * n),
                  url=undated, new=3, known=17)
    last = add_run(db, "mod", NOW)
    read_feed(db, last, NOW, url=undated, status=304)
    for n in range(6):
        published(db, n, NOW - timedelta(days=2, hours=n))
    since = start + timedelta(hours=24)
    assert health.stale(db, "mod", last, now=NOW) == [
        {"kind": "feed", "url": undated, "since": since.isoformat(), "interval": 4 * 3600, "by": "reads",
         "published": 5}]
    reason = health._stale_reason(health.stale(db, "mod", last, now=NOW), NOW)
    assert ("(nothing new since 2026-03-02 12:00 UTC, 3.0 days; it used to list something new every 4.0 h)"
            in reason.message)
    # A section page (it dates nothing either) that listed new articles every 4 hours, and
    # lists the same ones since (a CDN's stale copy, a retired section left answering).
    section = "https://www.japantimes.co.jp/news/national/"
    for n in range(7):
        frontier.record_discovery(db, run_id=last, outlet="mod", url=section, kind="section", ok=True, http_status=200,
                                  entries=60, article_urls=20, new_urls=3, known=17,
                                  now=(start + timedelta(hours=4 * n)).isoformat())
    frontier.record_discovery(db, run_id=last, outlet="mod", url=section, kind="section", ok=True, http_status=200,
                              entries=60, article_urls=20, new_urls=0, known=20, now=NOW.isoformat())
    assert [(f["kind"], f["url"], f["by"]) for f in health.stale(db, "mod", last, now=NOW)] == [
        ("feed", undated, "reads"), ("section", section, "reads")]
    db.execute("DELETE FROM discovery WHERE url = ?", [section])
    # A plain sitemap that listed new articles and stops: this month's, and the month ended.
    month = "https://www.japantimes.co.jp/sitemap-2026-02.xml"
    for n in range(7):
        frontier.record_discovery(db, run_id=last, outlet="mod", url=month, kind="sitemap", ok=True, http_status=200,
                                  entries=20, article_urls=20, new_urls=3, known=17,
                                  now=(start + timedelta(hours=4 * n)).isoformat())
    assert [f["url"] for f in health.stale(db, "mod", last, now=NOW)] == [undated]
    # Five reads with something new: too short a history to pace it by.
    db.execute("DELETE FROM discovery WHERE url = ? AND fetched_at <= ?",
               [undated, (start + timedelta(hours=4)).isoformat()])
    assert health.stale(db, "mod", last, now=NOW) == []


def test_a_section_whose_own_listing_froze_beside_a_changing_ranking_is_stale(db):
    # A section page lists new articles every 4 hours; then its list freezes (a retired section
    # left answering, a CDN's stale copy) while its ranking still brings an article not seen before
    # at each read: judged on the whole page, it listed something new every time, and was never
    # named while the outlet's other channels found six articles.
    section = "https://www.nikkan-gendai.com/articles/index/news"
    start = NOW - timedelta(days=4)
    last = add_run(db, "mod", NOW)

    def read(hours: float, *, listing: tuple[int, int] | None, known: int, new: int) -> None:
        frontier.record_discovery(db, run_id=last, outlet="mod", url=section, kind="section", ok=True,
                                  http_status=200, entries=60, article_urls=35, new_urls=new, known=known,
                                  listing=listing, now=(start + timedelta(hours=hours)).isoformat())

    for n in range(7):
        read(4 * n, listing=(20, 17), known=32, new=3)
    for n in range(8, 24):
        read(4 * n, listing=(20, 20), known=34, new=1)
    for n in range(6):
        published(db, n, NOW - timedelta(days=2, hours=n))
    assert health.stale(db, "mod", last, now=NOW) == [
        {"kind": "section", "url": section, "since": (start + timedelta(hours=24)).isoformat(), "interval": 4 * 3600,
         "by": "reads", "published": 5}]
    # Its list moving again: not stale, however still its ranking.
    read(4 * 24, listing=(20, 18), known=35, new=0)
    assert health.stale(db, "mod", last, now=NOW) == []
    # Reads from before its own listing was counted (m047) are judged on the whole page, as they were.
    db.execute("UPDATE discovery SET listing_urls = NULL, listing_known = NULL")
    db.execute("DELETE FROM discovery WHERE fetched_at = ?", [(start + timedelta(hours=96)).isoformat()])
    assert health.stale(db, "mod", last, now=NOW) == []


def test_health_changes_are_stored_logged_and_reported_once(db):
    first = add_run(db, "nikkei", NOW - timedelta(minutes=30), pages=4, rules_expected=4)
    assert health.update_run_health(db, first, now=NOW - timedelta(minutes=30)) == []  # ok at first: no news
    broken = add_run(db, "nikkei", NOW - timedelta(minutes=15), pages=3, rules_expected=3, rules_missed=3)
    [change] = health.update_run_health(db, broken, now=NOW - timedelta(minutes=15))
    assert (change.outlet, change.previous, change.status, [r.code for r in change.reasons]) == (
        "nikkei", "ok", "degraded", ["rules_missed"])
    quiet = add_run(db, "nikkei", NOW)  # nothing new: still degraded, nothing to tell
    assert health.update_run_health(db, quiet, now=NOW) == []
    view = db.execute("SELECT outlet, status, problems, since, run_id FROM health").fetchall()
    assert view == [("nikkei", "degraded", "rules no longer match: 3 of 3 articles were read without them "
                     "(generic extraction, or their body a line a block: layout change? newsmon check says where their "
                     "text is now)",
                     (NOW - timedelta(minutes=15)).isoformat(), quiet)]
    fixed = add_run(db, "nikkei", NOW + timedelta(minutes=15), pages=4, rules_expected=4)
    [change] = health.update_run_health(db, fixed, now=NOW + timedelta(minutes=15))
    assert (change.previous, change.status, change.reasons) == ("degraded", "ok", [])
    log = db.execute("SELECT previous, status FROM health_log ORDER BY id").fetchall()
    assert log == [(None, "ok"), ("ok", "degraded"), ("degraded", "ok")]
    with pytest.raises(ValueError, match="unknown outlet_runs count"):
        health.record_outlet_run(db, fixed, "nikkei", {"pagez": 1})


def test_a_run_killed_at_its_timeout_names_what_hung_and_spares_the_outlets_that_answered(db):
    # Two outlets of one job; the first's feed hangs, the run is killed at the schedule's timeout.
    # Each was told "failing: the last run hung", no host named.
    feeds = {"asahi": ["https://www.asahi.com/rss/asahi/newsheadlines.rdf"],
             "nhk": ["https://www.nhk.or.jp/rss/news/cat0.xml", "https://www.nhk.or.jp/rss/news/cat4.xml"]}
    at = NOW - timedelta(hours=1)
    for minutes in (30, 15, 0):
        run_id = queries.start_run(db, sorted(feeds), "schedule", pid=4242, now=(at + timedelta(minutes=minutes))
                                   .isoformat())
        for outlet, urls in feeds.items():
            for url in urls if minutes < 30 or outlet == "nhk" else urls[:1]:
                if minutes == 0 and url == feeds["nhk"][1]:
                    continue  # it hangs
                frontier.record_discovery(db, run_id=run_id, outlet=outlet, url=url, kind="feed", ok=True,
                                          now=(at + timedelta(minutes=minutes)).isoformat())
        if minutes:
            queries.finish_run(db, run_id, requests=3, responses_by_status={}, articles_new=0, articles_relevant=0,
                               errors=0, finish_reason="finished", exit_status=0,
                               now=(at + timedelta(minutes=minutes)).isoformat())
            for outlet in feeds:
                health.record_outlet_run(db, run_id, outlet, {"discovery_ok": 1, "pages": 2})
    [killed] = health.record_lost_run(db, pid=4242, since=at - timedelta(seconds=1), outlets=sorted(feeds),
                                      trigger="schedule", reason="timeout", exit_status=-9, now=NOW)
    assert health.unanswered(db, killed) == {"nhk": ([feeds["nhk"][1]], 2), "asahi": ([], 1)}
    changes = {c.outlet: c for c in health.update_run_health(db, killed, now=NOW)}
    assert (changes["nhk"].status, changes["nhk"].reasons[0].message) == (
        "failing", f"the last run hung and was killed at its timeout: {feeds['nhk'][1]} had no answer by then "
                   "(the rest of its feeds, sitemaps and sections had)")
    # None of them answered (the host hung before its first answer): not "the rest had".
    whole = health.check([run(0, reason="timeout")], now=NOW, hung=((feeds["nhk"], 2), {}))
    assert whole.reasons[0].message == ("the last run hung and was killed at its timeout: none of its feeds, sitemaps "
                                        f"and sections had an answer by then ({', '.join(feeds['nhk'])})")
    # An outlet with no run before says nothing of what it waited for: not spared.
    first = health.check([run(0, reason="timeout")], now=NOW, hung=(None, {"nhk": (feeds["nhk"], 2)}))
    assert (first.status, first.reasons[0].message) == ("failing", "the last run hung and was killed at its timeout")
    assert changes["asahi"].status == "degraded"
    assert changes["asahi"].reasons[0].message.startswith(
        f"the last run, shared with other outlets, hung and was killed at its timeout, held by nhk's "
        f"{feeds['nhk'][1]}, which had no answer by then (its own feeds, sitemaps and sections had)")


def test_a_run_the_daemon_killed_is_closed_in_the_ledger(db):
    spawned = NOW - timedelta(seconds=5)
    # The crawl had opened its run: it gets the reason.
    run_id = queries.start_run(db, ["nhk"], "schedule", pid=4242, now=NOW.isoformat())
    assert health.record_lost_run(db, pid=4242, since=spawned, outlets=["nhk"], trigger="schedule",
                                  reason="timeout", exit_status=-9, now=NOW) == [run_id]
    row = db["crawl_runs"].get(run_id)
    assert (row["finish_reason"], row["exit_status"], row["finished_at"]) == ("timeout", -9, NOW.isoformat())
    assert db.execute("SELECT outlet FROM outlet_runs WHERE run_id = ?", [run_id]).fetchall() == [("nhk",)]
    # A run it had closed itself is left alone.
    assert health.record_lost_run(db, pid=4242, since=spawned, outlets=["nhk"], trigger="schedule",
                                  reason="failed: exit status 1", exit_status=1, now=NOW) == []
    # One that died before opening a run still gets a row.
    [new] = health.record_lost_run(db, pid=4343, since=spawned, outlets=["asahi"], trigger="schedule",
                                   reason="failed: exit status 2", exit_status=2, now=NOW)
    assert db["crawl_runs"].get(new)["finish_reason"] == "failed: exit status 2"


def test_a_run_another_process_closes_as_it_is_found_dead_is_closed_and_checked_once(db, tmp_path):
    # The daemon records its crawl killed at its timeout (its health checked: "failing: timeout") as a crawl of
    # another job, starting, has read the run open and its process gone: that crawl's close wrote "killed" over
    # "timeout", and its check told the run's failure again. Two crawls starting together both checked a run.
    for n in range(3):
        health.update_run_health(db, add_run(db, "nhk", NOW - timedelta(hours=3 - n), pages=3, discovery_ok=2),
                                 now=NOW - timedelta(hours=3 - n))
    other = open_db(tmp_path / "news.db")
    dead = queries.start_run(db, ["nhk"], "schedule", pid=4242, now=(NOW - timedelta(minutes=10)).isoformat())

    def daemon_records(pid):  # between the crawl's read of the open runs and its close of them
        for run_id in health.record_lost_run(other, pid=pid, since=NOW - timedelta(minutes=11), outlets=["nhk"],
                                             trigger="schedule", reason="timeout", exit_status=-9, now=NOW):
            health.update_run_health(other, run_id, now=NOW)
        return False

    assert queries.close_stale_runs(db, is_alive=daemon_records) == []
    assert db["crawl_runs"].get(dead)["finish_reason"] == "timeout"
    assert db.execute("SELECT previous, status, told FROM health_log WHERE run_id = ?", [dead]).fetchall() == [
        ("ok", "failing", 1)]
    # Two crawls at once: the run is the one's that closed it.
    dead = queries.start_run(db, ["asahi"], "schedule", pid=4343, now=NOW.isoformat())
    closed = []
    # Its process gone for both (a real pid's test said "alive" where a process of this machine had 4343: pytest's).
    assert queries.close_stale_runs(db, is_alive=lambda pid: closed.extend(
        queries.close_stale_runs(other, is_alive=lambda pid: False))) == []
    assert closed == [dead] and db["crawl_runs"].get(dead)["finish_reason"] == "killed"
    other.close()


def test_a_run_found_killed_is_closed_with_its_check_or_left_open_for_the_next(db, tmp_path):
    # Closed as killed, then checked: another process's write lock held past the busy timeout as the check began, or
    # a bug in it, left the run closed and never checked, its failure told by no one (under cron, no daemon saw it).
    import sqlite3

    from storage.db import set_busy_timeout
    from storage.exceptions import DatabaseLocked

    for n in range(3):
        health.update_run_health(db, add_run(db, "nhk", NOW - timedelta(hours=3 - n), pages=3, discovery_ok=2),
                                 now=NOW - timedelta(hours=3 - n))
    dead = queries.start_run(db, ["nhk"], "schedule", pid=4242, now=(NOW - timedelta(minutes=10)).isoformat())

    def check(stale):
        return [c for run_id in health.record_killed_runs(db, stale)
                for c in health.update_run_health(db, run_id, now=NOW)]

    def bug(stale):
        check(stale)
        raise RuntimeError("a bug")

    locker = sqlite3.connect(tmp_path / "news.db", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    set_busy_timeout(db, 0.2)
    with pytest.raises(DatabaseLocked):
        queries.close_stale_runs(db, is_alive=lambda pid: False, killed=check)
    locker.execute("ROLLBACK")
    locker.close()
    with pytest.raises(RuntimeError):
        queries.close_stale_runs(db, is_alive=lambda pid: False, killed=bug)
    assert db["crawl_runs"].get(dead)["finished_at"] is None  # left for the next run, with nothing of its check
    assert db.execute("SELECT count(*) FROM outlet_runs WHERE run_id = ?", [dead]).fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM health_log WHERE run_id = ?", [dead]).fetchone() == (0,)
    changes = []
    assert queries.close_stale_runs(db, is_alive=lambda pid: False, killed=lambda ids: changes.extend(check(ids))) \
        == [dead]
    assert [(c.previous, c.status, c.reasons[0].message) for c in changes] == [
        ("ok", "failing", "the last run ended without closing (killed)")]


def crawl_of(db, outlets: list[str], at: datetime, reason: str = "finished") -> tuple[list, list]:
    """A run of ``outlets`` at ``at`` as the ledger records one: it closes the runs found killed and
    checks their outlets (those changes only logged), then is checked itself (what its digest tells).
    ``reason`` "skipped: …": a run that crawled nothing (``crawl._record_skipped``), not checked."""
    run_id = queries.start_run(db, outlets, "schedule", pid=os.getpid(), now=at.isoformat())
    killed = []
    queries.close_stale_runs(db, is_alive=lambda pid: pid == os.getpid(), now=at.isoformat(),
                             killed=lambda ids: killed.extend(c for dead in health.record_killed_runs(db, ids)
                                                              for c in health.update_run_health(db, dead, now=at)))
    queries.finish_run(db, run_id, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0,
                       errors=0, finish_reason=reason, exit_status=0, now=at.isoformat())
    if reason.startswith("skipped"):
        return killed, []
    for outlet in outlets:
        health.record_outlet_run(db, run_id, outlet, {"pages": 3, "discovery_ok": 2})
    return killed, health.update_run_health(db, run_id, now=at)


def test_an_outlet_no_run_crawls_any_more_is_retired_and_its_last_failure_told_once(tmp_path):
    # A run of asahi and nhk is killed; the config then names nhk alone. nhk's next run checks the killed
    # run (asahi "failing") but does not crawl asahi, so no digest told it (an outlet's changes are told
    # in its own runs' digests), and asahi read "failing", `newsmon status` exit 1, for good.
    from click.testing import CliRunner

    from crawler.cli import cli

    path = tmp_path / "news.db"
    db = open_db(path)
    start = datetime.now(timezone.utc) - timedelta(days=19, hours=4, minutes=10)  # its last run 10 min ago
    for n in range(3):
        crawl_of(db, ["asahi", "nhk"], start + timedelta(hours=n))
    queries.start_run(db, ["asahi", "nhk"], "schedule", pid=None, now=(start + timedelta(hours=3)).isoformat())
    told = []
    for day in range(20):
        killed, changes = crawl_of(db, ["nhk"], start + timedelta(days=day, hours=4))
        if day == 0:
            assert [(c.outlet, c.status) for c in killed] == [("asahi", "failing"), ("nhk", "failing")]
        told += [(day, c) for c in changes if c.outlet == "asahi"]
        if day == 12:  # the runs of 13 days without it: not yet
            assert health.current(db, "asahi").status == "failing"
    [(day, change)] = told
    assert day == 13 and (change.previous, change.status) == ("failing", "retired")
    said = change.reasons[0].message
    assert said.startswith(f"not crawled since {(start + timedelta(hours=3)).isoformat()[:16].replace('T', ' ')} UTC: "
                           "the runs of 14 days since left it out") and said.endswith(
        "it was failing then: the last run ended without closing (killed). A crawl of it checks it again")
    db.close()
    result = CliRunner().invoke(cli, ["status", "--db", str(path)])
    assert result.exit_code == 0, result.output
    table = result.output.split("\n\n")[0].splitlines()
    assert [line.split()[:2] for line in table[2:] if not line.startswith(" ")] == [["nhk", "ok"], ["asahi", "retired"]]
    assert f"    ! {said}" in table
    # Nor overdue for ever where --overdue is given: no crawl of it has finished for 20 days.
    assert CliRunner().invoke(cli, ["status", "--db", str(path), "--overdue", "1d"]).exit_code == 0
    # Crawled again (the config names it again): checked, and its "ok" is no news.
    db = open_db(path)
    killed, changes = crawl_of(db, ["asahi"], datetime.now(timezone.utc))
    assert health.current(db, "asahi").status == "ok" and not killed and not changes
    db.close()


def test_an_outlet_another_config_crawls_now_and_then_is_never_retired(db):
    # Two configs share the database: asahi is crawled every ten days, nhk every six hours; and a schedule
    # stopped for three weeks retires no outlet at its first run back.
    for day in range(0, 40, 10):
        crawl_of(db, ["asahi"], NOW - timedelta(days=60 - day))
        for hour in range(0, 24 * 10, 6):
            crawl_of(db, ["nhk"], NOW - timedelta(days=60 - day, hours=-hour - 1))
    assert health.current(db, "asahi").status == "ok"
    assert crawl_of(db, ["nhk"], NOW) == ([], []) and health.current(db, "asahi").status == "ok"
    # Retired once the runs of 14 days left it out, and told so though it was "ok": a lost cron line is no
    # decision of anyone's, and no longer overdue, nothing else said it.
    told = [crawl_of(db, ["nhk"], NOW + timedelta(days=day)) for day in range(1, 5)]
    assert all(not killed for killed, _ in told)
    assert [(c.outlet, c.previous, c.status) for _, changes in told for c in changes] == [("asahi", "ok", "retired")]
    assert health.current(db, "asahi").status == "retired"


def test_an_outlet_whose_crawl_hangs_is_never_retired_nor_a_retired_one_crawled_again_quiet(tmp_path):
    # asahi and nhk each have a job of their own. A crawl of asahi hangs (stopped with Ctrl-Z) and holds its lock:
    # every run of asahi's job is skipped as "outlet busy" (a run with no outlet_runs row), nhk's runs go on.
    # Retired after 14 days of them, asahi was no alarm and not overdue (`newsmon status --overdue 1d` exit 0).
    from click.testing import CliRunner

    from crawler.cli import cli

    path = tmp_path / "news.db"
    db = open_db(path)
    start = datetime.now(timezone.utc) - timedelta(days=40)
    crawl_of(db, ["asahi"], start)
    crawl_of(db, ["nhk"], start)
    hung = queries.start_run(db, ["asahi"], "schedule", pid=os.getpid(), now=(start + timedelta(hours=1)).isoformat())
    for day in range(20):
        crawl_of(db, ["asahi"], start + timedelta(days=day, hours=2), "skipped: outlet busy")
        crawl_of(db, ["nhk"], start + timedelta(days=day, hours=3))
    assert health.current(db, "asahi").status == "ok"
    db.close()
    result = CliRunner().invoke(cli, ["status", "--db", str(path), "--overdue", "1d"])
    assert result.exit_code == 1 and "still holds it, every run of the schedule skipped meanwhile" in result.output, \
        result.output

    # Its crawl ended, it is taken out of the schedule: retired once the runs of 14 days since the last that
    # named it left it out. Crawled again, the crawl hangs at once: overdue, not "retired" for good.
    db = open_db(path)
    queries.finish_run(db, hung, requests=0, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="shutdown", exit_status=0, now=(start + timedelta(days=20)).isoformat())
    for day in range(20, 35):
        crawl_of(db, ["nhk"], start + timedelta(days=day, hours=3))
    assert health.current(db, "asahi").status == "retired"
    queries.start_run(db, ["asahi"], "schedule", pid=os.getpid(), now=(start + timedelta(days=36)).isoformat())
    for day in range(36, 40):
        crawl_of(db, ["asahi"], start + timedelta(days=day, hours=2), "skipped: outlet busy")
        crawl_of(db, ["nhk"], start + timedelta(days=day, hours=3))
    db.close()
    result = CliRunner().invoke(cli, ["status", "--db", str(path), "--overdue", "1d"])
    assert result.exit_code == 1 and "still holds it" in result.output, result.output


def test_an_outlet_two_processes_retire_at_once_is_retired_and_told_once(tmp_path):
    # Two configs' runs end together, each in a process of its own: both read asahi due to retire, then each
    # wrote; the second's UPDATE found it retired already, and it logged a second row all the same, told as a
    # second notice. A third process crawled asahi again meanwhile (put back in its config): by status alone, "ok"
    # as read, the outlet just crawled was retired, and told so.
    path = tmp_path / "news.db"
    db = open_db(path)
    crawl_of(db, ["asahi", "mainichi", "nhk"], NOW)
    for day in range(1, 14):
        crawl_of(db, ["nhk"], NOW + timedelta(days=day))
    day = NOW + timedelta(days=14)
    runs = [queries.start_run(db, [outlet], "schedule", pid=None, now=day.isoformat()) for outlet in ("nhk", "yomiuri")]
    first, second, crawler = open_db(path), open_db(path), open_db(path)
    found = [health._retiring(first), health._retiring(second)]
    assert [[f[0] for f in read] for read in found] == [["asahi", "mainichi"]] * 2
    crawled = queries.start_run(crawler, ["mainichi"], "schedule", pid=None, now=day.isoformat())
    queries.finish_run(crawler, crawled, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0,
                       errors=0, finish_reason="finished", exit_status=0, now=day.isoformat())
    health.record_outlet_run(crawler, crawled, "mainichi", {"pages": 3, "discovery_ok": 2})
    assert health.update_health(crawler, "mainichi", crawled, now=day) is None  # "ok" again: no news
    stamp = day.isoformat(timespec="seconds")
    told = [health._retire(conn, one, run_id, stamp) for conn, read, run_id in ((first, found[0], runs[0]),
                                                                              (second, found[1], runs[1]))
            for one in read]
    assert [(c.outlet, c.previous, c.status) for c in told if c is not None] == [("asahi", "ok", "retired")]
    assert db.execute("SELECT outlet, run_id FROM health_log WHERE status = 'retired'").fetchall() == [("asahi",
                                                                                                    runs[0])]
    assert health.current(db, "asahi").status == "retired" and health.current(db, "mainichi").status == "ok"
    for conn in (first, second, crawler):
        conn.close()


#: What a run's history lookups read, by what they ask (m054): each by an index bounded by what it wants, not
#: all of an outlet's or a document's history. In a year of hourly runs of 14 outlets (bench/ledger) those did.
HISTORY_LOOKUPS = {"newest_entry IS NOT NULL": "idx_discovery_dated",
                   "listing_urls > listing_known ELSE new_urls > 0 OR article_urls > known END) AND fetched_at":
                       "idx_discovery_listed_since",
                   "listing_urls > listing_known ELSE new_urls > 0 OR article_urls > known END) ORDER BY id DESC":
                       "idx_discovery_listed_new",
                   "e.entries IS NOT NULL": "idx_discovery_whole",
                   "FROM crawl_runs WHERE finished_at IS NULL": "idx_crawl_runs_open",
                   "r.finished_at IS NULL": "idx_crawl_runs_open",
                   # The outlet's runs since a time (history, the day's in outlet_status): from the first run since,
                   # found in idx_crawl_runs_started (min(id) walked the runs from the oldest to it).
                   "o.run_id >= (SELECT min(+id) FROM crawl_runs WHERE started_at >=":
                       ("idx_outlet_runs_outlet (outlet=? AND run_id>?)", "COVERING INDEX idx_crawl_runs_started"),
                   "coalesce(min(+id), 1 << 62) FROM crawl_runs": "COVERING INDEX idx_crawl_runs_started",
                   # The day's articles (outlet_status), then their URLs (m055): not every URL the ledger had.
                   "FROM articles a CROSS JOIN urls u ON u.article_id = a.id WHERE a.first_seen_at >=":
                       ("idx_articles_first_seen (first_seen_at>?)", "idx_urls_article (article_id=?)"),
                   # Every outlet's section notes in one query (the desk's outlets page lists them all): its last run
                   # that read its sections, then their rows, each by its index.
                   "FROM read CROSS JOIN discovery d":
                       ("idx_outlet_runs_outlet (outlet=? AND run_id>?)", "idx_discovery_run (run_id=? AND outlet=?)")}


def test_closing_checking_and_showing_runs_read_no_table_whole_nor_a_documents_every_read(db):
    outlets = ["a", "b"]
    for hour in range(4):
        at = NOW - timedelta(hours=4 - hour)
        run_id = queries.start_run(db, outlets, "schedule", pid=None, now=at.isoformat())
        for outlet in outlets:
            for kind, url in (("feed", f"https://{outlet}.jp/rss.xml"), ("section", f"https://{outlet}.jp/news/")):
                frontier.record_discovery(db, run_id=run_id, outlet=outlet, url=url, kind=kind, ok=True,
                                          http_status=200, entries=20, article_urls=20, new_urls=hour % 2, known=19,
                                          now=at.isoformat(),
                                          newest_entry=at.isoformat() if kind == "feed" else None,
                                          entry_interval=600 if kind == "feed" else None)
            health.record_outlet_run(db, run_id, outlet, {"discovery_ok": 2, "pages": 1}, url_states={"article": 1})
        queries.finish_run(db, run_id, requests=4, responses_by_status={"200": 4}, articles_new=0, articles_relevant=0,
                           errors=0, finish_reason="finished", exit_status=0, now=at.isoformat())
    queries.start_run(db, outlets, "schedule", pid=None, now=NOW.isoformat())
    seen = []
    db.conn.set_trace_callback(seen.append)
    assert len(queries.close_stale_runs(db, now=NOW.isoformat())) == 1
    health.update_run_health(db, run_id, now=NOW)
    queries.start_run(db, outlets, "schedule", pid=os.getpid(), now=NOW.isoformat())
    rows = health.outlet_status(db, outlets, now=NOW)
    assert health.crawled_outlets(db) == outlets
    db.conn.set_trace_callback(None)
    assert [r["running"] is not None for r in rows] == [True, True] and rows[0]["errors_24h"] == 0
    asked = set()
    for sql in dict.fromkeys(s for s in seen if s.lstrip().startswith(("SELECT", "WITH"))):
        steps = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
        # A history table or the ledger read whole (by name or as the queries call it), but for the runs still
        # open, or read newest first down to a LIMIT (in its order, no TEMP B-TREE: it stops there).
        whole = [s for s in steps if re.match(r"SCAN (crawl_runs|outlet_runs|discovery|health_log|urls|articles"
                                              r"|[rodeua])\b", s)
                 and "idx_crawl_runs_open" not in s
                 and not (" DESC LIMIT " in sql and not any("TEMP B-TREE" in t for t in steps))]
        assert not whole, (sql, steps)
        for what, indexes in HISTORY_LOOKUPS.items():
            if what in " ".join(sql.split()):
                for index in [indexes] if isinstance(indexes, str) else indexes:
                    assert any(index in s for s in steps), (sql, steps)
                asked.add(what)
    assert asked == set(HISTORY_LOOKUPS)


def test_status_per_outlet(db):
    old = add_run(db, "nhk", NOW - timedelta(hours=30), errors=1)
    ok = add_run(db, "nhk", NOW - timedelta(hours=2), discovery_failed=2)
    add_run(db, "nhk", NOW - timedelta(hours=1), reason="skipped: outlet busy")
    record = {"url": "https://www3.nhk.or.jp/news/html/1.html", "title": "t", "text": "x", "relevant": 1}
    article_id, _ = queries.save_article(db, record, now=(NOW - timedelta(hours=3)).isoformat())
    queries.record_url(db, record["url"], outlet="nhk", kind="article", article_id=article_id)
    health.update_health(db, "nhk", ok, now=NOW)
    [nhk, asahi] = health.outlet_status(db, ["nhk", "asahi"], now=NOW)
    assert nhk["last_run"]["finish_reason"] == "skipped: outlet busy"
    assert nhk["last_success"] == (NOW - timedelta(hours=2)).isoformat()
    assert (nhk["articles_24h"], nhk["relevant_24h"], nhk["errors_24h"], nhk["health"]) == (1, 1, 2, "failing")
    assert nhk["running"] is None
    assert (asahi["last_run"], asahi["last_success"], asahi["health"]) == (None, None, "unknown")
    # How long after publication the last day's articles were found: none measured yet.
    assert nhk["found_after_24h"] is None
    db.execute("UPDATE outlet_runs SET lags = ? WHERE run_id = ?", ["[[9000, 0, 1]]", old])  # over a day ago
    for minutes_ago, lags in ((20, [[600, 30, 0], [1500, 30, 0]]), (5, [[3000, 0, 0]])):
        later = add_run(db, "nhk", NOW - timedelta(minutes=minutes_ago))
        db.execute("UPDATE outlet_runs SET lags = ? WHERE run_id = ?", [json.dumps(lags), later])
    [nhk] = health.outlet_status(db, ["nhk"], now=NOW)
    assert nhk["found_after_24h"] == {"articles": 3, "median_seconds": 1530, "longest_seconds": 3000}


def test_status_notes_a_sections_unwatchable_list_from_its_last_run_that_ran_and_nothing_else_of_its_row(db):
    # Read from the outlet's last run, the notes were gone while a crawl ran, after a run the schedule skipped and
    # after one that died before reading anything;
    # and a section that redirects (http to https, a slash) had its "redirected to" shown as a note every run.
    unjudged = "no list of its own told apart: its 6 article URLs are all in boxes of other articles"
    picks = "its own list is its box named as picks: 12 article URLs under ピックアップ; redirected to https://x.jp/p/"
    at = (NOW - timedelta(hours=2)).isoformat()
    run_id = queries.start_run(db, ["nhk"], "schedule", pid=None, now=at)
    for url, reason in (("https://x.jp/rank/", unjudged), ("http://x.jp/news", "redirected to https://x.jp/news/"),
                        ("http://x.jp/p", picks), ("https://x.jp/gone/", None)):
        frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=url, kind="section", ok=True, http_status=200,
                                  article_urls=6, reason=reason, now=at)
    frontier.record_discovery(db, run_id=run_id, outlet="nhk", url="https://x.jp/rss", kind="feed", ok=True,
                              http_status=200, article_urls=6, reason="redirected to https://x.jp/rss.xml", now=at)
    queries.finish_run(db, run_id, requests=5, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="finished", exit_status=0, now=at)
    health.record_outlet_run(db, run_id, "nhk", {"discovery_ok": 5})
    noted = [{"url": "http://x.jp/p", "note": picks}, {"url": "https://x.jp/rank/", "note": unjudged}]
    assert health.outlet_status(db, ["nhk"], now=NOW)[0]["notes"] == noted
    skipped = queries.start_run(db, ["nhk"], "schedule", pid=None, now=(NOW - timedelta(hours=1)).isoformat())
    queries.finish_run(db, skipped, requests=0, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="skipped: outlet busy", exit_status=0, now=(NOW - timedelta(hours=1)).isoformat())
    assert health.outlet_status(db, ["nhk"], now=NOW)[0]["notes"] == noted
    # A crawl that died before it opened a run (its outlet's run recorded failed by the schedule): nothing read.
    health.record_lost_run(db, pid=1 << 22, since=NOW - timedelta(minutes=30), outlets=["nhk"], trigger="schedule",
                           reason="failed: killed by signal 9", exit_status=-9, now=NOW - timedelta(minutes=29))
    assert health.outlet_status(db, ["nhk"], now=NOW)[0]["notes"] == noted
    queries.start_run(db, ["nhk"], "schedule", pid=os.getpid(), now=NOW.isoformat())
    [nhk] = health.outlet_status(db, ["nhk"], now=NOW)
    assert nhk["running"] is not None and nhk["notes"] == noted


# --- newsmon status: worst first, coloured on a terminal, exit 1 for cron ----------------------

def status_db(tmp_path, *, failing: bool) -> str:
    path = tmp_path / "status.db"
    db = open_db(path)
    now = datetime.now(timezone.utc)
    for outlet, reason in (("asahi", "finished"), ("nhk", "timeout" if failing else "finished"),
                           ("nikkei", "finished")):
        run_id = add_run(db, outlet, now - timedelta(minutes=5), reason=reason, pages=4, rules_expected=4,
                         rules_missed=4 if outlet == "nikkei" else 0)
        health.update_health(db, outlet, run_id, now=now)
    db.close()
    return str(path)


def test_status_lists_the_worst_first_and_exits_1_when_an_outlet_fails(tmp_path):
    import subprocess
    import sys

    path = status_db(tmp_path, failing=True)
    result = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--db", path],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    table = result.stdout.split("\n\n")[0]  # the classifier's line follows a blank line
    lines = [line.split()[:2] for line in table.splitlines()[2:] if not line.startswith("    ")]
    # failing, degraded, ok; the built-in outlets that never ran in one line below (on the demo's
    # database thirty "unknown" rows stood before its one outlet).
    assert lines == [["nhk", "failing"], ["nikkei", "degraded"], ["asahi", "ok"]]
    # Since when: one run's failure or the fourth hour of it (the desk said so; status did not).
    since = [line.strip() for line in table.splitlines() if line.startswith("    failing since ")]
    assert len(since) == 1 and since[0].endswith(" ago)")
    assert not any(line.startswith("    ok since") for line in table.splitlines())
    never = result.stdout.split("\n\n")[1].splitlines()[-1]
    assert never.startswith("never crawled: ") and ": no health until a crawl of them runs" in never
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    as_json = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--json", "--db", path],
                             capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 1
    # Only the outlets asked about count.
    asahi = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "asahi", "--db", path],
                           capture_output=True, text=True, timeout=120)
    assert asahi.returncode == 0


def test_status_export_and_explain_read_a_database_on_a_disk_they_may_not_write(tmp_path):
    # A backup or a snapshot mounted read-only, another user's file: each command that only reads
    # said "cannot write to the database" and showed nothing. The last writes, still in the -wal
    # file the writer had not folded back, cannot be read there (SQLite reads a WAL file only with
    # the -shm index it makes beside it): said, not left out as if they had never been.
    import shutil
    import subprocess
    import sys

    path = status_db(tmp_path, failing=True)
    writer = open_db(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    health.update_health(writer, "mainichi", add_run(writer, "mainichi", datetime.now(timezone.utc)))
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    for name in ("status.db", "status.db-wal"):
        shutil.copy(tmp_path / name, snapshot / name)
    writer.close()
    copy = str(snapshot / "status.db")
    as_reader = as_permissions_bind()

    def newsmon(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*as_reader, sys.executable, "-m", "crawler.cli", *args, "--db", copy],
                              capture_output=True, text=True, timeout=120)

    def outlets(result: subprocess.CompletedProcess) -> list[str]:
        return [line.split()[0] for line in result.stdout.split("\n\n")[0].splitlines()[2:] if line[:1].strip()]

    for name in ("status.db", "status.db-wal", "."):
        os.chmod(snapshot / name, 0o555 if name == "." else 0o444)
    try:
        status = newsmon("status")
        exported = newsmon("export", "--format", "jsonl", "-o", "-")
        explained = newsmon("explain", "1")
        rescored = newsmon("rescore")
    finally:
        os.chmod(snapshot, 0o755)
    assert status.returncode == 1, status.stderr  # nhk failing, as on a writable disk
    wal = (snapshot / "status.db-wal").stat().st_size
    assert status.stderr.splitlines() == [
        f"newsmon: read only, as it is: cannot write to the database {copy} (unable to open database file); the "
        f"last writes, in status.db-wal ({wal:,} bytes), are left out: copy the database with its -wal file to a "
        "writable disk to read them"]
    assert outlets(status) == ["nhk", "nikkei", "asahi"]  # mainichi's run is in the -wal file
    assert exported.returncode == 0 and "read only, as it is" in exported.stderr
    assert explained.returncode == 1 and "no article has id 1" in explained.stderr
    assert "read only, as it is" in explained.stderr
    # A command that writes still cannot, and says so in one line.
    assert rescored.returncode == 1 and "Error: cannot write to the database" in rescored.stderr
    assert "Traceback" not in rescored.stderr
    # Writable again, the file is read whole, and nothing is said of it.
    again = newsmon("status")
    assert "mainichi" in outlets(again) and "read only" not in again.stderr


def test_status_on_a_full_disk_shows_the_outlets_and_alarms_while_the_commands_that_write_say_the_disk_is_full(
        tmp_path):
    # A full disk failed SQLite's first write, the WAL's -shm index, as "disk I/O error": status
    # showed nothing, and a crawl said the disk "may be full or failing, or this user may not write".
    # A small tmpfs filled up, mounted in a mount namespace of the commands' own.
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None or subprocess.run(["unshare", "--mount", "true"],
                                                         capture_output=True).returncode != 0:
        pytest.skip("no mount namespace to make a small disk in (needs root, or unshare)")
    path = status_db(tmp_path, failing=False)
    disk = tmp_path / "disk"
    disk.mkdir()
    size = os.path.getsize(path)
    python = sys.executable
    script = (f"mount -t tmpfs -o size={size + (256 << 10)} tmpfs {disk} && cp {path} {disk}/news.db && "
              f"(dd if=/dev/zero of={disk}/filler bs=4k 2>/dev/null; true) && "
              f"{python} -m crawler.cli status --db {disk}/news.db > {tmp_path}/status.out 2> {tmp_path}/status.err; "
              f"echo $? > {tmp_path}/status.rc; "
              f"{python} -m crawler.cli status --json --db {disk}/news.db > {tmp_path}/json.out "
              f"2> {tmp_path}/json.err; "
              f"echo $? > {tmp_path}/json.rc; "
              f"{python} -m crawler.cli review 1 --status relevant --db {disk}/news.db 2> {tmp_path}/review.err; "
              f"echo $? > {tmp_path}/review.rc")
    subprocess.run(["unshare", "--mount", "sh", "-c", script], cwd=os.getcwd(), timeout=180, check=True)
    read = {name: (tmp_path / name).read_text() for name in ("status.out", "status.err", "status.rc", "review.err",
                                                             "review.rc", "json.out", "json.err", "json.rc")}
    full = f"the disk holding the database {disk}/news.db is full (disk I/O error)"
    assert read["status.err"].splitlines() == [f"newsmon: read only, as it is: {full}"]
    assert [line.split()[0] for line in read["status.out"].split("\n\n")[0].splitlines()[2:]
            if line[:1].strip()] == ["nikkei", "asahi", "nhk"]
    # Every outlet is "ok" or "degraded", yet nothing can be stored: cron is told.
    assert read["status.rc"].strip() == "1"
    assert f"database: {full}: free space on it, then run again: until then every crawl stops" in read["status.out"]
    assert read["review.rc"].strip() == "1"
    assert read["review.err"].strip() == f"Error: {full}: free space on it, then run again"
    # A script reading the rows (--json) is told why on stderr: no row says it.
    assert {"nikkei", "asahi", "nhk"} <= {row["outlet"] for row in json.loads(read["json.out"])}
    assert read["json.rc"].strip() == "1"
    assert read["json.err"].splitlines()[1].startswith(f"newsmon: database: {full}: free space on it, then run again")


def test_status_fails_an_outlet_whose_crawls_stopped_finishing(tmp_path):
    # The daemon dead, or every crawl failing before it could record a run (the database not
    # writable): each outlet kept its last run's health, "ok", and the exit status was 0.
    from click.testing import CliRunner

    from crawler.cli import cli

    path = tmp_path / "status.db"
    db = open_db(path)
    now = datetime.now(timezone.utc)
    for outlet, ago in (("asahi", timedelta(hours=3)), ("nhk", timedelta(minutes=10))):
        run_id = add_run(db, outlet, now - ago, pages=4, rules_expected=4)  # by `newsmon schedule`, every 15m
        health.update_health(db, outlet, run_id, now=now - ago)
    manual = queries.start_run(db, ["nikkei"], "manual", pid=None, now=(now - timedelta(days=2)).isoformat())
    queries.finish_run(db, manual, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="finished", exit_status=0, now=(now - timedelta(days=2)).isoformat())
    health.record_outlet_run(db, manual, "nikkei", {"pages": 4, "rules_expected": 4})
    health.update_health(db, "nikkei", manual, now=now - timedelta(days=2))
    db.close()

    def shown(*args: str) -> tuple[int, dict[str, str], str]:
        result = CliRunner().invoke(cli, ["status", "--db", str(path), *args])
        table = result.output.split("\n\n")[0].splitlines()[2:]
        return result.exit_code, {ln.split()[0]: ln.split()[1] for ln in table if not ln.startswith(" ")}, result.output

    code, healths, output = shown()
    assert code == 1 and healths["asahi"] == "failing", output
    assert (healths["nhk"], healths["nikkei"]) == ("ok", "ok")  # a manual crawl's cadence is nobody's to guess
    assert "! no crawl of it has finished for 3.0 h: is `newsmon schedule` (or the cron job) running" in output
    code, healths, output = shown("--overdue", "1d")
    assert code == 1 and (healths["asahi"], healths["nhk"], healths["nikkei"]) == ("ok", "ok", "failing"), output
    assert "! no crawl of it has finished for 2.0 days" in output
    assert shown("asahi", "--overdue", "4h")[0] == 0
    # Said as people say it at a short cadence, not "0.2 h" (or "0.0 h" at a daemon's 1 s).
    code, healths, output = shown("nhk", "--overdue", "5m")
    assert code == 1 and "! no crawl of it has finished for 10 min: is" in output, output
    # Failing since its last crawl finished, not since its health last changed (to "ok", at the run).
    asahi = json.loads(CliRunner().invoke(cli, ["status", "asahi", "--db", str(path), "--json"]).output)[0]
    assert asahi["health"] == "failing" and asahi["health_since"] == (now - timedelta(hours=3)).isoformat()

    # One crawl by hand after the daemon died is no run of the schedule: it made the outlet "ok" for good.
    db = open_db(path)
    by_hand = queries.start_run(db, ["asahi"], "manual", pid=None, now=(now - timedelta(minutes=5)).isoformat())
    queries.finish_run(db, by_hand, requests=1, responses_by_status={}, articles_new=0, articles_relevant=0, errors=0,
                       finish_reason="finished", exit_status=0, now=(now - timedelta(minutes=4)).isoformat())
    # A crawl that holds nhk's lock and goes on (stopped with Ctrl-Z; its output blocked on a full pipe):
    # every scheduled run skipped as "outlet busy", and nhk read "ok", since a crawl of it ran.
    queries.start_run(db, ["nhk"], "manual", pid=os.getpid(), now=(now - timedelta(minutes=9)).isoformat())
    db.execute("UPDATE crawl_runs SET finished_at = NULL WHERE pid = ?", [os.getpid()])
    db.close()
    code, healths, output = shown("--overdue", "50m")
    assert (healths["asahi"], healths["nhk"]) == ("ok", "ok"), output  # whoever crawls them: a crawl finished
    code, healths, output = shown()
    assert code == 1 and (healths["asahi"], healths["nhk"]) == ("failing", "ok"), output
    db = open_db(path)
    db.execute("UPDATE crawl_runs SET started_at = ? WHERE pid = ?", [(now - timedelta(hours=1)).isoformat(),
                                                                       os.getpid()])
    db.execute("UPDATE crawl_runs SET finished_at = ? WHERE outlets = '[\"nhk\"]' AND pid IS NULL",
               [(now - timedelta(hours=1, minutes=5)).isoformat()])
    db.close()
    code, healths, output = shown()
    assert code == 1 and healths["nhk"] == "failing", output
    assert "! no run of the schedule has finished for 3.0 h (a crawl by hand did since): is `newsmon schedule` " \
        "running" in output
    assert re.search(rf"! no crawl of it has finished for 65 min, and one started \S+ \S+ UTC \(pid {os.getpid()}\) "
                     r"still holds it, every run of the schedule skipped meanwhile: is it stuck\?", output), output


def test_a_schedule_counts_the_runs_it_would_have_started_crontab_nights_none():
    from crawler.scheduler import build_schedule

    plan = build_schedule({"outlets": {"nikkei": "*/30 6-23 * * *"}}, ["nikkei", "asahi"])
    jst = timezone(timedelta(hours=9))
    since = datetime(2026, 12, 1, 23, 30, tzinfo=jst)
    assert plan.missed("nikkei", since, datetime(2026, 12, 2, 5, 59, tzinfo=jst)) == 0
    assert plan.missed("nikkei", since, datetime(2026, 12, 2, 7, 5, tzinfo=jst)) == 3  # 6:00, 6:30, 7:00
    assert plan.missed("asahi", since, since + timedelta(hours=1)) == 4  # every 15m
    assert plan.missed("asahi", since, since + timedelta(days=30), 3) == 3


def test_status_names_what_an_ingest_or_a_regroup_left_undone(tmp_path):
    # An ingest says so in its own output only, which a cron job may send nowhere: an archive it
    # left unfinished (killed, its workers gone) or read in part was nowhere else to see.
    import sqlite3

    from click.testing import CliRunner

    from crawler.article import EXTRACTION_VERSION
    from crawler.cli import cli

    path = status_db(tmp_path, failing=False)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO ingested_archives (source, size, started_at, resume_offset) VALUES "
                     "('/data/CC-NEWS-1.warc.gz', 1000000000, '2026-12-01T00:00:00+00:00', 123456789)")
        conn.execute("INSERT INTO ingested_archives (source, size, started_at, finished_at, resume_offset, stopped) "
                     "VALUES ('/data/cut.warc.gz', 15000000, '2026-12-01T01:00:00+00:00', "
                     "'2026-12-01T01:10:00+00:00', 14972571, '1062 complete records, then stopped at byte 14972571')")
        conn.execute("INSERT INTO ingested_archives (source, size, started_at, finished_at, resume_offset) VALUES "
                     "('/data/done.warc.gz', 9, '2026-12-01T02:00:00+00:00', '2026-12-01T02:01:00+00:00', 9)")
    conn.close()
    db = open_db(path)
    read = {"extraction": EXTRACTION_VERSION}  # by this newsmon: no reextract to ask for
    # No story: stories are the crawl's.
    queries.save_article(db, {"url": "https://x.example/1", "title": "t", "text": "x", **read})
    # And what the outlets took down today (the digest told it once, where it went).
    gone, _ = queries.save_article(db, {"url": "https://x.example/2", "title": "u", "text": "y", "relevant": True,
                                        **read})
    queries.mark_removed(db, gone, "its page answers HTTP 410 Gone")
    queries.save_article(db, {"url": "https://x.example/3", "title": "v", "text": "z", "relevant": True, **read})
    db.close()
    result = CliRunner().invoke(cli, ["status", "--db", path])
    assert result.exit_code == 0, result.output  # nothing to alarm a monitor
    below = result.output.split("\n\n", 1)[1].splitlines()
    assert below[-1].startswith("never crawled: ")  # the built-in outlets this database has not crawled
    assert below[1:-1] == [
        "ingest: /data/CC-NEWS-1.warc.gz: unfinished, read to byte 123,456,789 of 1,000,000,000: run the same "
        "newsmon ingest again to resume it",
        "ingest: /data/cut.warc.gz: read only in part: 1062 complete records, then stopped at byte 14972571",
        "stories: 3 articles in no story (stored with stories off, or a regroup stopped): newsmon regroup "
        "--storyless places them",
        "removed: 1 relevant article taken down by its outlet in the last 24 hours (articles.removed; the text "
        "stored is kept)"]


def test_status_exits_0_when_nothing_fails_and_colours_a_terminal(tmp_path):
    from click.testing import CliRunner

    from crawler.cli import cli

    path = status_db(tmp_path, failing=False)
    plain = CliRunner().invoke(cli, ["status", "--db", path])
    assert plain.exit_code == 0, plain.output  # degraded is not an alarm
    coloured = CliRunner().invoke(cli, ["status", "--db", path], color=True)
    assert coloured.exit_code == 0
    nikkei = next(line for line in coloured.output.splitlines() if line.startswith("nikkei"))
    assert "\x1b[33mdegraded" in nikkei  # yellow
    # Columns line up with and without colour. A second may pass between the two commands: the
    # health change just made reads "(0s ago)" in one and "(1s ago)" in the other (seen in CI).
    strip = __import__("click").unstyle

    def settled(lines: list[str]) -> list[str]:
        return [re.sub(r"\(\d+s ago\)", "(Ns ago)", line) for line in lines]

    assert settled([strip(line) for line in coloured.output.splitlines()]) == settled(plain.output.splitlines())


def test_status_says_a_run_whose_process_is_gone_ended_unrecorded_and_names_the_zone(tmp_path):
    # A power loss takes the schedule, the crawl and its workers at once: the run read "running"
    # until the next crawl closed it. And times were the server's local time, unnamed.
    import subprocess
    import sys

    from click.testing import CliRunner

    from crawler.cli import cli

    path = status_db(tmp_path, failing=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    db = open_db(path)
    queries.start_run(db, ["nikkei"], "schedule", pid=dead.pid)
    db.conn.close()
    import os
    import time

    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        result = CliRunner().invoke(cli, ["status", "--db", path])
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
    assert "ended unrecorded (killed?)" in result.output.splitlines()[0]
    nikkei = next(line for line in result.output.splitlines() if line.startswith("nikkei"))
    assert "ended unrecorded (killed?)" in nikkei and " JST (" in nikkei


def test_the_last_run_is_the_last_started_not_a_skipped_one_recorded_after_it(db):
    # While the database could not be written, newsmon schedule's crawls were skipped; it records
    # them once a crawl gets through, after that crawl's own row: by id, a skipped run of an hour
    # ago was "the last run" of the outlet and of the schedule, though the crawl after it finished.
    through = add_run(db, "nhk", NOW - timedelta(minutes=5))
    health.record_lost_run(db, pid=4242, since=NOW - timedelta(hours=1), outlets=["nhk"], trigger="schedule",
                           reason="skipped: database unwritable", exit_status=74, now=NOW)
    [nhk] = health.outlet_status(db, ["nhk"], now=NOW)
    assert (nhk["last_run"]["id"], nhk["last_run"]["finish_reason"]) == (through, "finished")
    assert health.last_scheduled_run(db)["id"] == through


def test_severity_order():
    assert sorted(["ok", "unknown", "failing", "degraded", "blocked", "new-status"], key=health.severity) == [
        "failing", "blocked", "degraded", "unknown", "new-status", "ok"]


# --- silence, on the rhythm of real outlets ---------------------------------------------------

JST = timezone(timedelta(hours=9))


def crawl_hourly(db, outlet: str, start: datetime, hours: int, per_hour) -> list[tuple[datetime, str, list[str]]]:
    """``hours`` runs an hour apart from ``start``, each finding ``per_hour(its start)`` new
    articles, checked as a crawl checks them; the health changes they told, with when."""
    told = []
    for hour in range(hours):
        at = start + timedelta(hours=hour)
        new = per_hour(at)
        run_id = add_run(db, outlet, at, articles_new=new, pages=new, discovery_ok=1, discovery_changed=1,
                         discovered=20)
        told += [(at, c.status, [r.code for r in c.reasons])
                 for c in health.update_run_health(db, run_id, now=at + timedelta(minutes=1))]
    return told


def daily_news(at: datetime) -> int:
    """A news site's 100 articles a day: 5 an hour, none from 1:00 to 5:00 JST."""
    return 0 if 1 <= at.astimezone(JST).hour < 5 else 5


def test_a_night_without_news_is_no_silence_and_an_outlet_that_stops_is(db):
    # Every night at 4:00 JST the outlet was "failing" (3 quiet hours where 12 were due at its
    # daily average), and "ok" again at 6:00: two notifications and a cron mail a night.
    start = datetime(2026, 11, 2, 0, 2, tzinfo=JST)  # a Monday
    assert crawl_hourly(db, "nhk", start, 24 * 9, daily_news) == []
    # Its feed frozen at 10:00 on a Wednesday: said within hours, and for as long as it lasts.
    stop = datetime(2026, 11, 11, 10, 2, tzinfo=JST)
    assert crawl_hourly(db, "nhk", start + timedelta(days=9), 24 * 14,
                        lambda at: 0 if at >= stop else daily_news(at)) == [
        (stop + timedelta(hours=2), "failing", ["silent"])]
    [told] = db.execute("SELECT reasons FROM health_log WHERE status = 'failing'").fetchone()
    assert json.loads(told)[0]["message"] == (
        "no new article for 3.0 h over 3 runs, where the same hours of each of the 7 days before brought at least "
        "15: its feeds, sitemaps and sections frozen, or no longer read? `newsmon check` shows what they list now")
    # Two weeks on, longer than the days kept before it to compare with: still said.
    assert health.current(db, "nhk").reasons[0].message.startswith(
        "no new article for 13.6 days over 326 runs, where its 9.4 days before brought")


def test_an_outlet_that_stops_in_its_first_week_is_said_within_hours_not_a_week_later(db):
    # Added on a Monday (its first run storing the 400 its sitemap listed), stopped on the
    # Wednesday at 10:00 JST: with a week of history needed, it was said the next Wednesday.
    start = datetime(2026, 11, 2, 0, 2, tzinfo=JST)
    stop = datetime(2026, 11, 4, 10, 2, tzinfo=JST)

    def news(at: datetime) -> int:
        return 400 if at == start else 0 if at >= stop else daily_news(at)

    told = crawl_hourly(db, "tokyo", start, 24 * 4, news)
    # At three times the bar of a week's history: 6 quiet hours where each day before brought 30.
    assert told == [(stop + timedelta(hours=5), "failing", ["silent"])]
    [first] = db.execute("SELECT reasons FROM health_log WHERE status = 'failing'").fetchone()
    assert json.loads(first)[0]["message"].startswith(
        "no new article for 6.0 h over 6 runs, where the same 6.0 h of each of the 2 days before brought at least 30 "
        "in 6 runs (all the history it has: a week of it makes this surer)")
    # Said for as long as it lasts, though no day before is as long as the silence.
    assert health.current(db, "tokyo").reasons[0].message.startswith(
        "no new article for 38.0 h over 38 runs, where the same 24.0 h of each of the 2 days before brought at "
        "least 100 in 20 runs")


def test_an_outlet_quiet_at_its_first_weekend_after_busy_weekdays_is_no_silence(db):
    # An English service: 40 articles a weekday (4 an hour from 8:00 to 18:00 JST), 3 on a
    # weekend day; added on a Wednesday. Its first Saturday, half a day without an article, is
    # what its weekdays would call a silence; it is not one.
    def english(at: datetime) -> int:
        local = at.astimezone(JST)
        if local.weekday() >= 5:
            return int(local.hour in (11, 15, 19))
        return 4 if 8 <= local.hour < 18 else 0

    assert crawl_hourly(db, "nikkei_asia", datetime(2026, 11, 4, 0, 2, tzinfo=JST), 24 * 6, english) == []


def test_the_first_runs_backlog_and_a_burst_are_not_the_outlets_usual_pace(db):
    # An outlet new to newsmon, 30 articles a day from 6:00 JST, its first run storing the 500 its
    # sitemap listed: at a daily average of 530 it was "failing" after any three quiet hours.
    start = datetime(2026, 11, 2, 0, 2, tzinfo=JST)

    def small(at: datetime) -> int:
        if at == start:
            return 500
        # An earthquake at 2:00 on the second night: 50 articles in an hour.
        if at == start + timedelta(days=1, hours=2):
            return 50
        return 2 if at.astimezone(JST).hour >= 6 and at.hour % 3 else 0

    # Its second week's nights weigh the first's, the earthquake's among them: no silence either.
    assert crawl_hourly(db, "kyodo", start, 24 * 12, small) == []


def test_a_weekend_without_press_releases_is_no_silence(db):
    # A ministry: ten releases a weekday from 9:00 to 18:00 JST, none at weekends. At its weekly
    # average it was "failing" from Saturday to Monday morning.
    def ministry(at: datetime) -> int:
        local = at.astimezone(JST)
        return int(local.weekday() < 5 and 9 <= local.hour < 19 and local.hour != 12)

    start = datetime(2026, 11, 2, 0, 2, tzinfo=JST)
    assert crawl_hourly(db, "mod", start, 24 * 14, ministry) == []
    # It stops after Friday 13 November: said on Tuesday morning, when as long a stretch of
    # hours (Friday evening on) had brought at least 10 on each of the days before.
    told = crawl_hourly(db, "mod", start + timedelta(days=14), 24 * 7, lambda at: 0)
    assert [(at.astimezone(JST).strftime("%a %d %H:%M"), status) for at, status, _ in told] == [
        ("Tue 17 09:02", "failing")]


FLAPPING_FEED = "https://www3.nhk.or.jp/rss/news/cat0.xml"


def read_feed_hourly(db, reads: list[bool], *, sitemap: bool = False):
    """NHK crawled hourly from 2026-11-02 09:02 JST, its feed read or answering 503 as ``reads``
    says (and a news sitemap read every time, with ``sitemap``); yield (hour, health changes)."""
    start = datetime(2026, 11, 2, 9, 2, tzinfo=JST)
    for hour, ok in enumerate(reads):
        at = start + timedelta(hours=hour)
        run_id = add_run(db, "nhk", at, pages=5, articles_new=5, discovery_ok=int(ok) + sitemap,
                         discovery_failed=int(not ok), discovery_changed=int(ok) + sitemap, discovered=40)
        frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=FLAPPING_FEED, kind="feed", ok=ok,
                                  http_status=200 if ok else 503, reason=None if ok else "HTTP 503",
                                  entries=20 if ok else None, article_urls=20 if ok else None, now=at.isoformat())
        if sitemap:
            frontier.record_discovery(db, run_id=run_id, outlet="nhk", url="https://www3.nhk.or.jp/sitemap-news.xml",
                                      kind="sitemap", ok=True, http_status=200, entries=20, article_urls=20,
                                      now=at.isoformat())
        yield hour, health.update_run_health(db, run_id, now=at + timedelta(minutes=1))


def test_a_feed_that_fails_every_other_run_is_one_notice_not_one_a_run(db):
    # A feed answering 503 every other hour (a CDN, a rate limit) turned the outlet degraded, ok,
    # degraded...: a digest with a health change after every run, the kind of noise that gets
    # monitoring ignored.
    told = [(hour, c.status) for hour, changes in read_feed_hourly(
        db, [True, True, False, True, False, True, False, True, True, True], sitemap=True) for c in changes]
    # Degraded at its first failure, ok at the first good read (an outage over, as far as anyone
    # can tell), degraded again; from then on a flap, named until it reads in two runs in a row.
    assert told == [(2, "degraded"), (3, "ok"), (4, "degraded"), (8, "ok")]
    assert health.current(db, "nhk").status == "ok"
    logged = [json.loads(r)[0]["message"] for (r,) in db.execute(
        "SELECT reasons FROM health_log WHERE status = 'degraded' ORDER BY rowid").fetchall()]
    assert logged == [("1 of its 2 feeds, sitemaps and sections failed or were broken: "
                       "https://www3.nhk.or.jp/rss/news/cat0.xml: HTTP 503")] * 2


def test_a_feed_back_after_an_outage_of_hours_is_ok_at_once_and_a_flapping_one_says_so(db):
    told, said = [], {}
    for hour, changes in read_feed_hourly(db, [True, False, False, False, True, True, False, True, False, True]):
        told += [(hour, c.status) for c in changes]
        said[hour] = [r.message for r in health.current(db, "nhk").reasons]
    # Three hours down, then ok the first hour it reads: no flap. Down, up, down: the last up
    # keeps it degraded and says why.
    assert told == [(1, "degraded"), (4, "ok"), (6, "degraded")]
    assert said[4] == [] and said[5] == []
    assert said[7] == said[9] == [(
        "1 of its feeds, sitemaps and sections failed or were broken in the run before, and earlier too, and "
        "read in the last: https://www3.nhk.or.jp/rss/news/cat0.xml: HTTP 503; named while they fail every "
        "other run or so (its host limiting requests, or outages close together? `newsmon check` says what it "
        "answers)")]


def test_crawl_times_reads_the_newest_runs_and_gives_what_grouping_every_run_gave(tmp_path):
    # Grouped over every run's outlets in SQL, a year of hourly runs took 230 ms a call (the desk's
    # banner at each queue load). Read newest first and stopped once every outlet has its last
    # trigger and success, it must say the same: here against that query, over 700 runs.
    import random

    path = tmp_path / "runs.db"
    db = open_db(path)
    outlets = ["asahi", "nhk", "mainichi", "yomiuri"]
    rng = random.Random(7)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [(at.isoformat(), at.isoformat(), json.dumps(["gone_since"]), "manual", "finished")]  # only at the start
    for _ in range(700):
        at += timedelta(hours=1)
        named = outlets if rng.random() < 0.8 else rng.sample(outlets, 2)
        reason = rng.choice(["finished"] * 6 + ["failed: killed by signal 9", "skipped: outlet busy", "timeout"])
        rows.append((at.isoformat(), (at + timedelta(minutes=3)).isoformat(), json.dumps(named),
                     rng.choice(["schedule", "manual"]), reason))
    rows.append((at.isoformat(), at.isoformat(), json.dumps(["never_finished"]), "schedule", "failed: exit status 1"))
    with db.conn:
        db.conn.executemany("INSERT INTO crawl_runs (started_at, finished_at, outlets, trigger, finish_reason) "
                            "VALUES (?, ?, ?, ?, ?)", rows)
        db.conn.executemany("INSERT INTO outlet_health (outlet, status, since, checked_at, reasons) "
                            "VALUES (?, 'ok', ?, ?, '[]')", [(o, at.isoformat(), at.isoformat()) for o in outlets])
    def grouped() -> dict:
        return {outlet: {"success": success, "trigger": trigger, "running": False}
                for outlet, success, trigger in db.execute(
            """SELECT j.value, max(CASE WHEN r.finish_reason = 'finished' THEN r.finished_at END),
                      (SELECT r2.trigger FROM crawl_runs r2, json_each(r2.outlets) j2 WHERE j2.value = j.value
                       ORDER BY r2.id DESC LIMIT 1)
               FROM crawl_runs r, json_each(r.outlets) j GROUP BY j.value""").fetchall()}

    batches = []
    db.conn.set_trace_callback(lambda sql: batches.append(1) if "FROM crawl_runs WHERE id <" in sql else None)
    # An outlet that never finished a crawl: every run is read.
    assert health.crawl_times(db) == grouped()
    assert grouped()["never_finished"]["success"] is None and grouped()["gone_since"]["success"] == rows[0][1]
    assert len(batches) == 700 // health._RUNS_BATCH
    # An outlet dropped long ago, its health kept: read back to its last success.
    db.execute("DELETE FROM crawl_runs WHERE outlets = ?", [json.dumps(["never_finished"])])
    db.execute("INSERT INTO outlet_health (outlet, status, since, checked_at, reasons) VALUES ('gone_since', 'ok', ?, ?, "
               "'[]')", [rows[0][0], rows[0][0]])
    assert health.crawl_times(db) == grouped()
    # Every outlet found in the newest runs: the older ones are not read.
    db.execute("DELETE FROM crawl_runs WHERE outlets = ?", [json.dumps(["gone_since"])])
    db.execute("DELETE FROM outlet_health WHERE outlet = 'gone_since'")
    batches.clear()
    assert health.crawl_times(db) == grouped()
    assert batches == []
    db.conn.close()


def test_an_outlet_failing_every_other_run_is_told_once_that_it_flaps_and_once_that_it_settled(db):
    # A site answering 503 every other run: "failing", then "ok", a digest with every run.
    told = []
    statuses = []
    last_change = []
    at = NOW - timedelta(hours=20)

    def one_run(down: bool) -> None:
        nonlocal at
        at += timedelta(minutes=60)
        run_id = add_run(db, "nhk", at, discovery_ok=0 if down else 2, discovery_failed=2 if down else 0,
                         errors=5 if down else 0, pages=0 if down else 4)
        change = health.update_health(db, "nhk", run_id, now=at)
        statuses.append(health.current(db, "nhk").status)
        if change:
            told.append((change.previous, change.status, [r.code for r in change.reasons]))
            last_change.append(change)

    for down in (False, True, False, True, False, True, False, True, False):
        one_run(down)
    # The first outage and its recovery are told; the second outage, told as a flap; then nothing.
    assert told == [("ok", "failing", ["errors", "discovery"]), ("failing", "ok", []),
                    ("ok", "failing", ["errors", "discovery", "flapping"])], told
    assert statuses[3:] == ["failing", "degraded", "failing", "degraded", "failing", "degraded"]
    reason = health.current(db, "nhk").reasons[0]
    assert reason.code == "flapping" and reason.message.startswith("its health changed ")
    assert "lately: failing, degraded, failing, degraded, failing, ok)" in reason.message
    # Back for good: three runs in a row agree (the last of the flap's among them), told once.
    for _ in range(3):
        one_run(False)
    assert statuses[-3:] == ["degraded", "ok", "ok"]
    # From what was told when it began to flap (failing), not from the last of its changes meanwhile.
    assert told[-1] == ("failing", "ok", ["flapping_over"]) and len(told) == 4
    assert last_change[-1].previous_since == (NOW - timedelta(hours=16)).isoformat()  # the fourth run's
    # Down for good after flapping: told when three runs agree, not when the window has passed.
    for down in (True, False, True, False):
        one_run(down)
    told_before = len(told)
    for _ in range(3):
        one_run(True)
    assert statuses[-1] == "failing" and len(told) == told_before + 1
    assert told[-1][1:] == ("failing", ["errors", "discovery", "flapping_over"])


def test_a_flap_of_days_ends_told_from_its_first_notice(db):
    # 80 hourly runs by turns (two days of a CDN erring), then down for good: the end was told
    # from the 50th row back, another status and a start a day late.
    at = NOW - timedelta(hours=100)
    told = []
    for n, down in enumerate([False] + [True, False] * 40 + [True] * 3):
        at += timedelta(hours=1)
        run_id = add_run(db, "nhk", at, discovery_ok=2, errors=5 if down else 0, pages=0 if down else 4)
        change = health.update_health(db, "nhk", run_id, now=at)
        if change:
            told.append((n, change))
    first, flap_told = next((n, c) for n, c in told if "flapping" in [r.code for r in c.reasons])
    end = told[-1][1]
    assert len(told) == 4 and (end.previous, end.status) == (flap_told.status, "failing")
    assert end.previous_since == (NOW - timedelta(hours=100) + timedelta(hours=first + 1)).isoformat()


def test_storage_knows_the_notice_codes_the_crawl_gives():
    # storage imports nothing of crawler: its copy of the codes is held to the crawl's here.
    from crawler.outcome import NOTICE_CODES

    assert health.NOTICE_CODES == NOTICE_CODES


def test_article_urls_redirected_off_the_domains_are_counted_over_the_last_runs(db):
    # Over one run, two wire stories syndicated elsewhere failed an outlet, and a moved outlet read
    # "ok" at its next run; a Location no URL parser takes is counted, not a crash.
    first = add_run(db, "nhk", NOW - timedelta(hours=1), pages=0)
    for n, target in enumerate(("https://news.example/a/0", "https://news.example/a/1", "http://[broken/a")):
        frontier.record_refused(db, f"https://www3.nhk.or.jp/news/html/{n}.html", outlet="nhk",
                                code="redirect_off_scope", reason="…", run_id=first, redirected_to=target)
    quiet = add_run(db, "nhk", NOW, pages=0)
    runs = [run(0, pages=0, discovery_ok=3), run(1, pages=0, discovery_ok=3)]
    for r, run_id in zip(runs, (quiet, first)):
        r["run_id"] = run_id
    sent = health.redirected_off(db, "nhk", [quiet, first])
    assert sent == (3, "news.example", 2, "https://www3.nhk.or.jp/news/html/0.html → https://news.example/a/0")
    result = health.check(runs, now=NOW, sent_off=sent)
    assert (result.status, result.codes()) == ("failing", ["redirected_off"])
    assert result.reasons[0].message.startswith("3 of its article URLs over its last 2 runs were redirected off its "
                                                "domains (0 fetched), 2 of them to news.example")
    # Beside articles fetched over the same runs, two or three are stories syndicated elsewhere.
    assert health.check([run(0, pages=6, discovery_ok=3), run(1, pages=4, discovery_ok=3)], now=NOW,
                        sent_off=sent).status == "ok"
    assert health.redirected_off(db, "nhk", [quiet]) is None


def test_an_outage_whose_reasons_change_run_to_run_is_told_once_and_its_end_once(db):
    # Every feed 503 for hours, robots.txt erring one run and answering the next: "failing"
    # throughout, told with every run (its reasons three, two, three, ...): a digest per run.
    at = NOW - timedelta(hours=20)
    told = []

    def one_run(down: bool, robots: bool = False, **more) -> None:
        nonlocal at
        at += timedelta(minutes=15)
        counts = dict(discovery_ok=0, discovery_failed=2, errors=5, pages=0) if down else dict(discovery_ok=2, pages=4)
        run_id = add_run(db, "nhk", at, **counts, **({"robots_unavailable": 1} if robots else {}), **more)
        change = health.update_health(db, "nhk", run_id, now=at)
        if change:
            told.append((change.previous, change.status, [r.code for r in change.reasons]))

    one_run(False)
    for n in range(8):
        one_run(True, robots=n % 2 == 0)
    assert told == [("ok", "failing", ["errors", "robots", "discovery"])], told
    # Every change is still logged.
    logged = [json.loads(r) for (r,) in db.execute("SELECT reasons FROM health_log WHERE outlet = 'nhk'")]
    assert len(logged) == 9
    for _ in range(3):
        one_run(False)
    assert told[1:] == [("failing", "ok", [])], told


def test_articles_published_during_an_outage_are_not_late_when_it_ends(db):
    # Down two hours (every feed 503, runs every 15 minutes that finished reading nothing): the
    # articles published meanwhile, found when it came back, made the recovery "degraded: its
    # feeds list articles late (a stale cache?)", those runs taken for chances to list them.
    at = NOW - timedelta(hours=4)
    health.update_health(db, "nhk", add_run(db, "nhk", at, discovery_ok=2, pages=4), now=at)
    for minutes in range(135, 0, -15):
        run_id = add_run(db, "nhk", NOW - timedelta(minutes=minutes), discovery_failed=2, errors=2)
        health.update_health(db, "nhk", run_id, now=NOW - timedelta(minutes=minutes))
    assert health.current(db, "nhk").status == "failing"
    back = queries.start_run(db, ["nhk"], "schedule", now=NOW.isoformat())
    for n in range(8):
        found(db, back, 100 + n, published=(NOW - timedelta(minutes=120 - 7 * n)).isoformat(),
              discovered=NOW + timedelta(seconds=5), stored=NOW + timedelta(seconds=10))
    assert [m for _, _, m in health.run_lags(db, back, "nhk")] == [0] * 8
    queries.finish_run(db, back, requests=12, responses_by_status={}, articles_new=8, articles_relevant=0, errors=0,
                       finish_reason="finished", exit_status=0, now=(NOW + timedelta(seconds=20)).isoformat())
    health.record_outlet_run(db, back, "nhk", {"discovery_ok": 2, "pages": 8, "articles_new": 8})
    change = health.update_health(db, "nhk", back, now=NOW + timedelta(seconds=20))
    assert (change.previous, change.status, change.reasons) == ("failing", "ok", []), change


def feed_down_runs(db, runs: list[tuple[bool | None, int]]) -> list[health.HealthChange]:
    """Runs of nhk "degraded" on a standing reason (rules no longer match), one of its two feeds
    down or not, each ``hours`` after the last (``runs``: ``(down, hours)``; ``down`` None: a crawl
    that could not write the database, recorded as the schedule does), checked; the changes told."""
    at = NOW - timedelta(days=20)
    told = []
    for feed_down, hours in runs:
        at += timedelta(hours=hours)
        counts = dict(discovery_ok=1, discovery_failed=1, discovered=4) if feed_down else \
            dict(discovery_ok=2, discovered=6)
        if feed_down is None:
            [run_id] = health.record_lost_run(db, pid=os.getpid(), since=at, outlets=["nhk"], trigger="schedule",
                                              reason="skipped: database unwritable", exit_status=73, now=at)
        else:
            run_id = add_run(db, "nhk", at, pages=10, rules_expected=10, rules_missed=10, **counts)
        told.append(health.update_health(db, "nhk", run_id, now=at))
    return [change for change in told if change]


def told_codes(changes: list[health.HealthChange]) -> list[tuple[str | None, str, list[str], list[str]]]:
    return [(c.previous, c.status, [r.code for r in c.reasons], [r.code for r in c.resolved]) for c in changes]


def test_a_reason_that_comes_back_after_it_ended_is_told_again_within_one_long_status(db):
    # "Degraded" for days on a standing reason (rules no longer match), a feed 404 one day: told;
    # mended the next (three runs agree: told), and 404 again days later: told again. Judged against
    # every reason had since the status began, the second outage of the feed was never told.
    told = told_codes(feed_down_runs(db, [(False, 1)] * 2 + [(True, 24)] * 2 + [(False, 24)] * 3 + [(True, 48)] * 2))
    assert health.current(db, "nhk").status == "degraded"
    assert told == [(None, "degraded", ["rules_missed"], []),
                    ("degraded", "degraded", ["discovery", "rules_missed"], []),
                    ("degraded", "degraded", ["rules_missed"], ["discovery"]),
                    ("degraded", "degraded", ["discovery", "rules_missed"], [])], told


def test_the_end_of_a_reason_within_one_status_is_told_once_when_3_runs_agree(db):
    # A feed's 404 told within a long "degraded" (rules no longer match), its end was never told:
    # the analyst's last word of the feed was its 404 while it read for days. Told once 3 runs in a
    # row read it; not while it 404s every other run (that is no end, and no digest a run).
    changes = feed_down_runs(db, [(False, 1)] * 2 + [(True, 1)] + [(False, 1), (True, 1)] * 3 + [(False, 1)] * 8)
    assert told_codes(changes) == [(None, "degraded", ["rules_missed"], []),
                                   ("degraded", "degraded", ["discovery", "rules_missed"], []),
                                   ("degraded", "degraded", ["rules_missed"], ["discovery"])], told_codes(changes)
    # As it was last told, and as a change from the status, since it began.
    assert changes[2].resolved == [r for r in changes[1].reasons if r.code == "discovery"]
    assert changes[2].previous_since == changes[0].at


def test_a_run_the_schedule_recorded_as_skipped_is_no_run_without_the_reason(db):
    # A crawl that found the database unwritable, recorded and checked by the schedule after two
    # runs that read the feed: its end was told there, and again at the next run.
    changes = feed_down_runs(db, [(False, 1)] * 2 + [(True, 1)] + [(False, 1)] * 2 + [(None, 1)] + [(False, 1)] * 3)
    assert told_codes(changes) == [(None, "degraded", ["rules_missed"], []),
                                   ("degraded", "degraded", ["discovery", "rules_missed"], []),
                                   ("degraded", "degraded", ["rules_missed"], ["discovery"])], told_codes(changes)
    assert changes[2].at == (NOW - timedelta(days=20, hours=-7)).isoformat()  # the third run that read it


NHK_FEEDS = [f"https://www3.nhk.or.jp/rss/{name}.xml" for name in ("cat0", "cat1", "cat4", "cat5", "cat6", "cat7")]


def feeds_404_runs(db, plan: list[tuple[str, ...]], *, every: timedelta = timedelta(hours=1),
                   reads: list[int] | None = None, after: datetime | None = None) -> list[health.HealthChange]:
    """Runs of nhk "degraded" on a standing reason (rules no longer match), ``every`` apart (the last at NOW,
    or the first ``every`` after ``after``), each reading its first 3 feeds (``reads``: as many as it says for
    each run) and any of ``plan``'s beyond them, those of ``plan`` answering 404, as the crawl records them;
    each checked; the changes told."""
    at = after or NOW - every * len(plan)
    told = []
    for down, read in zip(plan, reads or [3] * len(plan)):
        at += every
        feeds = list(dict.fromkeys(NHK_FEEDS[:read] + list(down)))
        run_id = add_run(db, "nhk", at, pages=10, rules_expected=10, rules_missed=10, discovered=6,
                         discovery_ok=len(feeds) - len(down), discovery_failed=len(down))
        for url in feeds:
            frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=url, kind="feed", ok=url not in down,
                                      http_status=404 if url in down else 200, now=at.isoformat())
        told.append(health.update_health(db, "nhk", run_id, now=at))
    return [change for change in told if change]


def told_feeds(changes: list[health.HealthChange]) -> list[tuple[list[str], list[str]]]:
    """Per change told: the feeds its reasons name as broken, and those its reasons told as ended name."""
    def named(reasons):
        return [url for url in NHK_FEEDS if any(f"{url}: HTTP 404" in r.message for r in reasons)]
    return [(named(c.reasons), named(c.resolved)) for c in changes]


def test_a_second_feeds_404_begun_as_the_first_was_mended_is_told_and_the_firsts_end_after_3_runs(db):
    # Feed A's 404 mended in the run B's began: the same status, the same code ("discovery"), and
    # neither was told; the analyst's last word stayed "A 404" while B was broken. Nor does a count
    # in the reason ("1 of its 3 feeds", "1 of its 4") make a change, nor the first three of many
    # broken feeds, which change as the feeds do, make one a run.
    a, b, c, *more = NHK_FEEDS
    plan = [(), (a,), (b,), (b,), (b,), (b,), (b, c)] + [(b, c)] * 5 + [(b, c, *more[:2]), (b, *more)] * 2 + [()] * 3
    changes = feeds_404_runs(db, plan, reads=[3] * 3 + [4, 3, 4] + [3] * 13)  # B "1 of its 4 feeds", 3, 4
    # Told: A; B, new; A's end, 3 runs in a row after it; C, new; more than three, whose first three
    # change from run to run (told once); their end.
    many = [b, c, more[0]]  # the first three named of the first run of more
    assert told_feeds(changes) == [([], []), ([a], []), ([b], []), ([b], [a]), ([b, c], []), (many, []), ([], many)], \
        told_feeds(changes)
    assert (changes[3].previous, changes[3].status) == ("degraded", "degraded")
    assert changes[3].resolved == [r for r in changes[1].reasons if r.code == "discovery"]
    assert changes[3].at == (NOW - timedelta(hours=len(plan) - 5)).isoformat()  # the third run without A's 404


def test_feeds_failing_by_turns_are_told_by_code_once_they_change_run_to_run(db):
    # Two of its feeds at a time failing by turns (a host limiting requests): a new feed told at
    # almost every run, and another's end 3 runs later. Told as new until they change a third time
    # in 8 runs, then by code alone while they do (nor an end told); 8 runs after, a feed is again. The first
    # feed, failing on for 8 runs from a run after the last turn (its 404 of that turn logged only), is told in
    # its 8th run as any feed failing on from a turn is.
    feeds = NHK_FEEDS
    turns = [(feeds[n % 6], feeds[(n + 2) % 6]) for n in range(12)]
    steady = [(feeds[0],)] * 8
    changes = feeds_404_runs(db, [()] + turns + steady + [(feeds[0], feeds[1])], reads=[6] * 22)
    assert told_feeds(changes) == [([], []), (sorted(turns[0]), []), (sorted(turns[1]), []), (sorted(turns[2]), []),
                                   ([feeds[0]], []), ([feeds[0], feeds[1]], [])], told_feeds(changes)
    assert changes[4].at == (NOW - timedelta(hours=1)).isoformat()  # the last of the 8


def test_the_end_of_one_of_several_feeds_404_is_told_for_it_alone(db):
    a, b, c, *_ = NHK_FEEDS
    changes = feeds_404_runs(db, [(), (a, b), (b,), (b,), (b,), (b,)])
    assert [named for named, _ in told_feeds(changes)] == [[], [a, b], [b]], told_feeds(changes)
    # Told when B's 404 is A's no longer 3 runs in a row: of A, in the words it was told in.
    [ended] = changes[2].resolved
    assert changes[2].at == (NOW - timedelta(hours=1)).isoformat() and ended.about == (a,)
    assert ended.message == (f"for {a}, not the rest it names: 2 of its 3 feeds, sitemaps and sections failed or were "
                             f"broken: {a}: HTTP 404; {b}: HTTP 404")


def test_the_end_of_a_reason_at_an_outlet_crawled_every_fortnight_is_told_after_3_of_its_runs(db):
    # Its month of history (``health.history``) held 2 runs: 3 that read the feed again never came.
    a = NHK_FEEDS[0]
    changes = feeds_404_runs(db, [(), (a,), (a,), (), (), (), ()], every=timedelta(days=14))
    assert told_feeds(changes) == [([], []), ([a], []), ([], [a])], told_feeds(changes)
    assert changes[2].at == (NOW - timedelta(days=14)).isoformat()  # the third run without the 404


def test_reasons_stored_before_they_named_their_feeds_tell_nothing_new_and_a_feeds_404_after_is_told(db):
    # A database of the version before: its reasons say what they are about nowhere. Taken as about
    # none of its feeds, each broken feed was new to the first check after the upgrade (a notice for
    # every outlet with one); taken as about all of them, none is.
    a, b, *_ = NHK_FEEDS
    feeds_404_runs(db, [(), (a,)], after=NOW - timedelta(hours=20))
    for table, key in (("outlet_health", "outlet"), ("health_log", "id")):
        for row_key, reasons in db.execute(f"SELECT {key}, reasons FROM {table}").fetchall():
            old = [{"code": r["code"], "message": r["message"]} for r in json.loads(reasons)]
            db.execute(f"UPDATE {table} SET reasons = ? WHERE {key} = ?", [json.dumps(old), row_key])
    changes = feeds_404_runs(db, [(a,)] * 3 + [(a, b)], after=NOW - timedelta(hours=10))
    assert told_feeds(changes) == [([a, b], [])], told_feeds(changes)


@pytest.mark.parametrize("late", [0, 2])
def test_a_feed_failing_from_the_first_runs_after_an_upgrade_from_reasons_without_subjects_is_told(db, late):
    # The version before said no reason's subjects nor whether a row was told (m043). Its "discovery" row, taken as
    # about any feed, said every feed failing in the 3 runs after the upgrade: a feed the new version's definition
    # adds, failing from its first run, was never told. Such a row is about the feeds its message names.
    a, b, c, new = NHK_FEEDS[:4]
    feeds_404_runs(db, [(), (a,), (a,)], after=NOW - timedelta(hours=40))
    for table, key in (("outlet_health", "outlet"), ("health_log", "id")):
        for row_key, reasons in db.execute(f"SELECT {key}, reasons FROM {table}").fetchall():
            old = [{"code": r["code"], "message": r["message"]} for r in json.loads(reasons)]
            db.execute(f"UPDATE {table} SET reasons = ? WHERE {key} = ?", [json.dumps(old), row_key])
    db.execute("UPDATE health_log SET told = NULL")
    changes = feeds_404_runs(db, [(a,)] * late + [(a, new)] * 10, reads=[3] * late + [4] * 10,
                             after=NOW - timedelta(hours=20))
    assert told_feeds(changes) == [([a, new], [])], told_feeds(changes)
    assert changes[0].at == (NOW - timedelta(hours=19 - late)).isoformat()
    # A row of the version before that names three of more is about any of them, as before.
    many = f"5 of its 6 feeds, sitemaps and sections failed: {a}: HTTP 404; {b}: HTTP 404; {c}: HTTP 404 (and 2 more)"
    assert health._logged_reasons(json.dumps([{"code": "discovery", "message": many}]), None)[0].about is None


def test_feeds_failing_one_at_a_time_with_a_run_between_that_reads_them_all_are_told_by_code_once_they_change(db):
    # One feed at a time failing by turns, a run reading them all between (a host limiting requests): the
    # code gone and back with another feed was no change of the same codes, and each run told a new feed
    # or the end of the one before, a digest a run. Told as feeds change till they do a third time in 8 runs.
    feeds = NHK_FEEDS
    plan = [()] + [turn for n in range(6) for turn in ((feeds[n],), ())] * 2
    changes = feeds_404_runs(db, plan, reads=[6] * len(plan))
    assert told_feeds(changes) == [([], []), ([feeds[0]], []), ([feeds[1]], []), ([], [feeds[0]]), ([feeds[2]], []),
                                   ([], [feeds[1]])], told_feeds(changes)


def test_feeds_failing_for_hours_one_after_another_are_told_by_code_once_they_took_turns_three_times(db):
    # One feed failing for 3 runs, a run reading them all, then the next (a CDN erring on one path at a
    # time): two changes in any 8 runs, so each feed and each end was told, a digest every 2 runs for as
    # long as it lasts (the channel an analyst mutes, every outlet's alerts with it). Told till one
    # feed's failure ended as another's began a third time, each within 8 runs of the next; the end of
    # them all once, when 3 runs read every feed.
    feeds = NHK_FEEDS
    plan = [()] + [turn for n in range(8) for turn in [(feeds[n % 6],)] * 3 + [()]] + [()] * 2
    changes = feeds_404_runs(db, plan, reads=[6] * len(plan))
    told = [([], []), ([feeds[0]], []), ([feeds[1]], []), ([feeds[1]], [feeds[0]]), ([feeds[2]], []),
            ([feeds[2]], [feeds[1]]), ([], [feeds[7 % 6]])]  # the last: the 8th feed's end, 3 runs after
    assert told_feeds(changes) == told, told_feeds(changes)
    assert changes[-1].at == NOW.isoformat()


def test_a_feed_failing_on_from_a_turn_of_feeds_failing_one_after_another_is_told_in_its_8th_run(db):
    # Feeds failing one after another (3 runs each, a run reading them all), told by code alone after the third
    # turn; at the last, a sixth feed's 404 began with the next's and went on after the turns stopped. Taken for
    # a turn, it was never told: no change came after, and the outlet's reasons named it for 20 runs unsaid.
    feeds = NHK_FEEDS
    turns = [turn for n in range(6) for turn in [(feeds[n % 4],)] * 3 + [()]]
    plan = [()] + [tuple(sorted({*turn, *([feeds[5]] if n >= 20 else [])})) for n, turn in enumerate(turns)]
    plan += [(feeds[5],)] * 20
    changes = feeds_404_runs(db, plan, reads=[6] * len(plan))
    assert told_feeds(changes) == [([], []), ([feeds[0]], []), ([feeds[1]], []), ([feeds[1]], [feeds[0]]),
                                   ([feeds[2]], []), ([feeds[2]], [feeds[1]]), ([feeds[5]], [])], told_feeds(changes)
    # In its 8th run in a row (plan's 21st to 28th, from 0), once; logged as told, for a digest that is not delivered.
    assert changes[-1].at == (NOW - timedelta(hours=len(plan) - 1 - 28)).isoformat()
    assert (changes[-1].previous, changes[-1].status) == ("degraded", "degraded")
    assert db.execute("SELECT told FROM health_log ORDER BY id DESC LIMIT 1").fetchone() == (1,)


@pytest.mark.parametrize("gap", [1, 2])
def test_a_feed_failing_on_after_a_run_or_two_without_it_from_a_turn_of_feeds_is_told_in_its_8th_run(db, gap):
    # A sixth feed fails with a turn of feeds failing one after another (told by code alone), reads for a run or
    # two, then fails for good. Found in the rows of the runs before its 8th-run spell began, logged only, it was
    # taken for a feed said before: never named, while the outlet's reasons named it run after run.
    feeds = NHK_FEEDS
    turns = [turn for n in range(6) for turn in [(feeds[n % 4],)] * 3 + [()]]
    plan = [()] + [tuple(sorted({*turn, feeds[5]})) if 18 <= n < 21 or n >= 21 + gap else turn
                   for n, turn in enumerate(turns, 1)] + [(feeds[5],)] * 20
    changes = feeds_404_runs(db, plan, reads=[6] * len(plan))
    assert told_feeds(changes)[-1] == ([feeds[5]], []), told_feeds(changes)
    # In the 8th run in a row of its last spell, once.
    assert changes[-1].at == (NOW - timedelta(hours=len(plan) - 1 - (21 + gap + 7))).isoformat()


def feeds_by_turns_for_days(path, runs: int, log_every: int, *, failing: bool = True) -> tuple[int, int]:
    """nhk degraded for ``runs`` hourly runs, two of its six feeds failing by turns, a change logged every
    ``log_every`` runs (every run of the last two days), failing since the last (every feed down; not
    ``failing``: degraded since the first, whose digest was delivered); then a run checked, and its digest's
    missed changes looked up: the SQLite VM steps (hundreds) of each."""
    from storage import notifications

    db = open_db(path)
    start, began = NOW - timedelta(hours=runs), None
    with db.conn:
        for hour in range(runs):
            at = (start + timedelta(hours=hour)).isoformat()
            run_id = db.conn.execute("INSERT INTO crawl_runs (started_at, finished_at, outlets, trigger, "
                                     "finish_reason, exit_status) VALUES (?, ?, '[\"nhk\"]', 'schedule', 'finished', 0)",
                                     [at, at]).lastrowid
            db.conn.execute("INSERT INTO outlet_runs (run_id, outlet, pages, rules_expected, rules_missed, discovered, "
                            "discovery_ok, discovery_failed) VALUES (?, 'nhk', 10, 10, 10, 6, 4, 2)", [run_id])
            if hour % log_every == 0 or hour >= runs - 48:
                reasons = [{"code": "discovery", "message": "2 of its 6 feeds …",
                            "about": [NHK_FEEDS[hour % 6], NHK_FEEDS[(hour + 2) % 6]]},
                           {"code": "rules_missed", "message": "rules no longer match"}]
                db.conn.execute("INSERT INTO health_log (outlet, at, run_id, previous, status, reasons) VALUES "
                                "('nhk', ?, ?, ?, 'degraded', ?)",
                                [at, run_id, "ok" if hour == 0 and not failing else "degraded", json.dumps(reasons)])
            if hour == 0 and not failing:
                began = at
                db.conn.execute("INSERT INTO notifications (run_id, sent_at, channel, ok, articles, health_changes) "
                                "VALUES (?, ?, 'webhook', 1, 0, 1)", [run_id, at])
        status = json.dumps([{"code": "discovery", "message": "none of its 6 feeds …"}] if failing else reasons)
        if failing:
            db.conn.execute("INSERT INTO health_log (outlet, at, run_id, previous, status, reasons) VALUES "
                            "('nhk', ?, ?, 'degraded', 'failing', ?)", [at, run_id, status])
        db.conn.execute("INSERT INTO outlet_health (outlet, status, reasons, since, checked_at, run_id) VALUES "
                        "('nhk', ?, ?, ?, ?, ?)", ["failing" if failing else "degraded", status,
                                                   at if failing else began, at, run_id])
    run_id = add_run(db, "nhk", NOW, pages=10, rules_expected=10, rules_missed=10,
                     discovery_failed=6 if failing else 2, discovery_ok=0 if failing else 4)
    for n, url in enumerate(NHK_FEEDS):
        frontier.record_discovery(db, run_id=run_id, outlet="nhk", url=url, kind="feed", ok=not failing and n > 1,
                                  http_status=503 if failing or n <= 1 else 200, now=NOW.isoformat())
    steps = []
    db.conn.set_progress_handler(lambda: steps.append(1) and 0, 100)
    health.update_health(db, "nhk", run_id, now=NOW)
    checked = len(steps)
    notifications.missed_health_changes(db, run_id, now=NOW)
    db.close()
    return checked, len(steps) - checked


def test_a_check_and_a_digest_read_an_outlets_last_runs_of_health_not_every_row_it_ever_logged(tmp_path):
    # Feeds failing by turns log a row a run. Each check read them all (``_flap``'s ``run_id IN`` its
    # last runs; ``at >= since`` in ``_churn``, ``_said_since`` and ``_resolved`` while the status is younger
    # than the runs they look back over), 0.1 s an outlet at a year; and so did each digest
    # (``missed_health_changes``' ``at >=`` its last day). At 8 times the rows, the same work.
    few = feeds_by_turns_for_days(tmp_path / "few.db", 1200, 8)
    many = feeds_by_turns_for_days(tmp_path / "many.db", 1200, 1)
    assert many[0] <= few[0] * 1.1 and many[1] <= few[1] * 1.1, (few, many)


def test_a_digest_finds_the_row_that_began_an_old_status_by_index_not_by_every_row_since(tmp_path):
    # The change that began a status older than a digest's day of catch-up is looked up (its alert may never have
    # been delivered): by every row the outlet logged since, newest first, 0.3 s a digest at a year of 30 outlets
    # degraded all year, feeds failing by turns. At 8 times the rows, the same work.
    few = feeds_by_turns_for_days(tmp_path / "few.db", 1200, 8, failing=False)
    many = feeds_by_turns_for_days(tmp_path / "many.db", 1200, 1, failing=False)
    assert many[0] <= few[0] * 1.1 and many[1] <= few[1] * 1.1, (few, many)
