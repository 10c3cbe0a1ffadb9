"""A database for the reviewer's desk: the review test database plus a day of short articles.

``build_desk_db`` starts from ``tests.test_serve.build_review_db`` (real saved pages, extracted,
scored and stored as a crawl stores them) and adds articles written for these tests (the texts
below are ours, not any outlet's), scored by the real scorer and stored by ``queries.save_article``,
so the queue holds enough rows to triage with the keyboard. It also records crawl runs through
``storage.health``: ``nhk`` failing (its last run hung and was killed), ``asahi`` ok, the other
built-in outlets never ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler import store
from storage import health, open_db, queries

from .test_serve import build_review_db

JST = timezone(timedelta(hours=9))

# (outlet, language, title, text): written for these tests; each names the security documents.
WRITTEN = [
    ("nhk", "ja", "政府、安保3文書の改定作業を本格化",
     "政府は安保3文書の改定に向けた有識者会議を開いた。反撃能力の運用が論点になる。"),
    ("asahi", "ja", "反撃能力の行使要件、与党協議で議論",
     "与党は反撃能力の行使要件について協議した。安保関連3文書に沿った運用を確認した。"),
    ("mainichi", "ja", "防衛力整備計画の財源、増税時期を先送り",
     "防衛力整備計画の財源確保に向けた増税の開始時期を先送りする。安保3文書で示した水準は維持する。"),
    ("yomiuri", "ja", "国家防衛戦略に基づく統合作戦司令部が発足",
     "国家防衛戦略に基づき統合作戦司令部が発足した。安保3文書の柱の一つとされる。"),
    ("sankei", "ja", "スタンド・オフ・ミサイル配備、安保3文書で前倒し",
     "安保3文書に基づき、スタンド・オフ・ミサイルの配備が前倒しされる。反撃能力の中核となる。"),
    ("kyodo", "en", "Japan reviews progress on three security documents",
     "The government reviewed progress under the three security documents, including counterstrike capability."),
    ("japantimes", "en", "Counterstrike capability debate returns to the Diet",
     "Lawmakers questioned how the counterstrike capability set out in the three security documents would be used."),
    ("nikkei", "ja", "防衛費GDP比2%へ、安保3文書の目標に向け予算案",
     "安保3文書が掲げる防衛費のGDP比2%に向け、来年度予算案がまとまった。"),
    ("tokyo_np", "ja", "安保3文書改定から3年、国会で検証求める声",
     "安保3文書の改定から3年となり、反撃能力を含む政策の検証を求める声が出ている。"),
    # (An equipment-export rule change "based on" the documents is a near-miss the scorer leaves
    # out since issue 10: the Jiji row names the revision itself.)
    ("jiji", "ja", "安保3文書の改定へ、政府が有識者会議",
     "政府は国家安全保障戦略など安保3文書の改定に向け、有識者会議の初会合を開いた。反撃能力の運用も論点になる。"),
]


def build_desk_db(path: Path, *, now: datetime | None = None) -> dict[str, int]:
    """The desk database at ``path``; article ids by key (``written-0`` ... and the review keys)."""
    now = now or datetime.now(timezone.utc)
    ids = build_review_db(path)
    _, topics = store.context(None)
    db = open_db(path)
    for n, (outlet, language, title, text) in enumerate(WRITTEN):
        published = (now - timedelta(hours=2 * n + 1)).astimezone(JST).isoformat(timespec="seconds")
        record = {"url": f"https://example.jp/newsmon-desk-test/{outlet}/{n}", "outlet": outlet,
                  "language": language, "title": title, "text": text, "published_at": published,
                  **store.score_fields(title, text, topics)}
        assert record["relevant"], f"written article {n} should be relevant: {record['score']}"
        ids[f"written-{n}"], _ = queries.save_article(db, record)
    _runs(db, now)
    db.conn.close()
    return ids


def _runs(db, now: datetime) -> None:
    def run(outlet: str, hours_ago: float, reason: str, exit_status: int, **counts: int) -> None:
        started = now - timedelta(hours=hours_ago)
        run_id = queries.start_run(db, [outlet], "schedule", now=started.isoformat(timespec="seconds"))
        queries.finish_run(db, run_id, requests=10, responses_by_status={"200": 10}, articles_new=1,
                           articles_relevant=1, errors=0, finish_reason=reason, exit_status=exit_status,
                           now=(started + timedelta(minutes=1)).isoformat(timespec="seconds"))
        health.record_outlet_run(db, run_id, outlet, {"discovery_ok": 2, "pages": 3, "articles_new": 1, **counts})
        if outlet == "asahi":  # how late it found its articles (storage.health.run_lags): 25 min, the median
            db.execute("UPDATE outlet_runs SET lags = ? WHERE run_id = ?",
                       ["[[720, 30, 0], [1500, 20, 0], [2400, 10, 0]]", run_id])
        health.update_health(db, outlet, run_id, now=started + timedelta(minutes=1))

    run("asahi", 3, "finished", 0)
    run("nhk", 5, "finished", 0)
    run("nhk", 1, "timeout", -9)
