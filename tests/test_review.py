"""Review decisions with history and undo (storage/review.py), and `newsmon review` as a process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from crawler import desk
from crawler.desk import jst
from storage import open_db, queries
from storage import review as reviews
from storage.exceptions import ArticleNotFound, InvalidStatus, NothingToUndo, ReviewConflict
from storage.migrations import MIGRATIONS, migrate

from .test_serve import row

T0, T1, T2, T3 = (f"2026-11-25T0{h}:00:00+00:00" for h in range(4))


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "news.db")
    yield database
    database.close()


def stored(db, n: int = 1, now: str | None = None) -> int:
    article_id, _ = queries.save_article(db, {"url": f"https://example.jp/a/{n}", "title": f"防衛{n}",
                                              "text": f"本文{n}", "relevant": True, "score": 9.0,
                                              "topic": "security-documents", "matched_terms": []}, now=now)
    return article_id


def columns(db, article_id: int) -> tuple:
    return db.execute("SELECT status, review_note, reviewed_by, reviewed_at FROM articles WHERE id = ?",
                      [article_id]).fetchone()


def test_a_decision_is_logged_and_notes_are_added_not_replaced(db):
    a = stored(db)
    first = reviews.review(db, a, "follow-up", note="ask the desk", by="ito", now=T0)
    assert (first.from_status, first.to_status, first.title) == ("new", "follow-up", "防衛1")
    reviews.review(db, a, "relevant", note="  ", by="sato", now=T1)  # a blank note is no note
    reviews.review(db, a, None, note="desk says: yes", by="ito", now=T2)  # a note alone
    assert columns(db, a) == ("relevant", "ask the desk\ndesk says: yes", "ito", T2)
    log = [(r["from_status"], r["to_status"], r["note"], r["reviewer"]) for r in reviews.history(db, a)]
    assert log == [("new", "follow-up", "ask the desk", "ito"), ("follow-up", "relevant", None, "sato"),
                   ("relevant", "relevant", "desk says: yes", "ito")]
    # The same status again without a note changes nothing and logs nothing.
    assert reviews.review(db, a, "relevant", by="ito") is None
    assert len(reviews.history(db, a)) == 3


def test_a_note_typed_outside_newsmon_survives_decisions_and_undo(db):
    # The README lets a reviewer type in DB Browser; the columns are rebuilt from the log, which
    # has no line for such a note: it was erased by the next decision.
    a = stored(db)
    db.execute("UPDATE articles SET review_note = 'call the MoD press office' WHERE id = ?", [a])
    reviews.review(db, a, "follow-up", note="ask the desk", by="ito", now=T0)
    assert columns(db, a)[1] == "ask the desk\ncall the MoD press office"
    reviews.undo(db, a, by="ito", now=T1)
    assert columns(db, a)[:2] == ("new", "call the MoD press office")


def test_undo_goes_back_one_decision_at_a_time(db):
    a = stored(db)
    reviews.review(db, a, "follow-up", note="ask the desk", by="ito", now=T0)
    reviews.review(db, a, "dismissed", note="not new", by="sato", now=T1)
    undone = reviews.undo(db, a, by="sato", now=T2)
    assert (undone.from_status, undone.to_status) == ("dismissed", "follow-up")
    # Back as it was after the first decision: its note and who made it.
    assert columns(db, a) == ("follow-up", "ask the desk", "ito", T0)
    reviews.undo(db, a, by="sato", now=T3)
    assert columns(db, a) == ("new", None, None, None)
    with pytest.raises(NothingToUndo, match="no decision to undo"):
        reviews.undo(db, a, by="sato")
    assert [r["undoes"] is not None for r in reviews.history(db, a)] == [False, False, True, True]


def test_undo_of_a_given_decision_is_refused_once_another_followed(db):
    a = stored(db)
    mine = reviews.review(db, a, "relevant", by="ito", now=T0)
    reviews.review(db, a, "dismissed", by="sato", now=T1)
    with pytest.raises(ReviewConflict) as caught:
        reviews.undo(db, entry_id=mine.id, by="ito")
    assert (caught.value.status, caught.value.by, caught.value.at) == ("dismissed", "sato", T1)
    assert "sato" in str(caught.value)
    assert columns(db, a)[0] == "dismissed"
    latest = reviews.history(db, a)[-1]
    reviews.undo(db, entry_id=latest["id"], by="sato")
    with pytest.raises(NothingToUndo, match="already undone"):
        reviews.undo(db, entry_id=latest["id"], by="sato")


def test_undo_refused_for_a_note_added_since_says_a_note_was_added(db):
    # ito marks it relevant, sato only adds a note: ito's undo is refused (sato wrote in its light),
    # and it said "relevant now, not relevant …: changed by sato", as if sato had set it.
    a = stored(db)
    mine = reviews.review(db, a, "relevant", by="ito", now=T0)
    reviews.review(db, a, None, note="ask the desk", by="sato", now=T1)
    with pytest.raises(ReviewConflict) as caught:
        reviews.undo(db, entry_id=mine.id, by="ito")
    assert (caught.value.status, caught.value.by, caught.value.at, caught.value.noted) == ("relevant", "sato", T1, True)
    assert f"was noted by sato at {T1}" in str(caught.value) and "not relevant" not in str(caught.value)
    assert columns(db, a)[0] == "relevant"


def test_a_stale_view_is_refused_with_who_and_when(db):
    a = stored(db)
    reviews.review(db, a, "dismissed", by="sato", expected="new", now=T1)
    with pytest.raises(ReviewConflict) as caught:
        reviews.review(db, a, "relevant", by="ito", expected="new")
    message = str(caught.value)
    assert "dismissed" in message and "sato" in message and T1 in message
    assert columns(db, a)[:3] == ("dismissed", None, "sato")


def test_a_decision_on_a_version_older_than_the_stored_one_is_refused_with_which_and_when(db):
    # The page showed version 1; a revisit stored version 2 (relevant as before), then the
    # reviewer dismissed from the page. Taken, the dismissal was later than version 2: no list
    # showed it (the queue is the undecided, "Updated" a version newer than the decision).
    a = stored(db)
    queries.store_article(db, {"url": "https://example.jp/a/1", "title": "防衛1", "text": "本文1\n（訂正）数字を改めた。"},
                          article_id=a, now=T1)
    for status, note in (("dismissed", None), (None, "read version 1")):  # a note alone ("Seen") too
        with pytest.raises(ReviewConflict) as caught:
            reviews.review(db, a, status, note=note, by="ito", expected="new", expected_version=1, now=T2)
        assert str(caught.value) == (
            f"article {a} is at version 2 now, not version 1 as the page showed: its text changed at {T1}; look at it "
            "as it is now (on the desk: reload the page, its page shows the difference) and decide again")
        assert (caught.value.version, caught.value.seen_version, caught.value.at, caught.value.status) == (
            2, 1, T1, "new")
    assert columns(db, a) == ("new", None, None, None) and reviews.history(db, a) == []
    # A version past the stored one (`newsmon review --version 3`) was said to be a change of its text.
    with pytest.raises(ReviewConflict) as caught:
        reviews.review(db, a, "dismissed", by="ito", expected_version=3, now=T2)
    assert str(caught.value) == (
        f"article {a} has no version 3: its text is at version 2 (stored at {T1}); look at it as it is now (on the "
        "desk: reload the page, its page shows the difference) and decide again")
    assert columns(db, a) == ("new", None, None, None)
    # On the page of version 2, and from a client that sends no version (`newsmon review`), it is taken.
    taken = reviews.review(db, a, "relevant", by="ito", expected="new", expected_version=2, now=T2)
    assert taken.to_status == "relevant"
    assert reviews.review(db, a, "dismissed", by="ito", now=T3).to_status == "dismissed"


def test_a_decision_on_the_text_shown_compares_the_text_not_its_number(db):
    # An ingest placed an archive's older capture before the versions: the text the page showed as
    # version 1 is version 2 now, unchanged. Compared by number, the decision was refused as taken
    # on an older text ("its text changed at …"), which it was not.
    a = stored(db)
    shown = db.execute("SELECT content_hash FROM articles WHERE id = ?", [a]).fetchone()[0]
    db.execute("UPDATE articles SET version = 2 WHERE id = ?", [a])  # as versions.rewrite leaves it
    taken = reviews.review(db, a, "relevant", by="ito", expected="new", expected_version=1, expected_text=shown,
                           now=T1)
    assert (taken.to_status, taken.version, taken.unread_change) == ("relevant", 2, None)
    # Another text is refused, whatever its number: a revisit's, or the same version read again.
    queries.store_article(db, {"url": "https://example.jp/a/1", "title": "防衛1", "text": "本文1\n（訂正）数字を改めた。"},
                          article_id=a, now=T2)
    with pytest.raises(ReviewConflict) as caught:
        reviews.review(db, a, "dismissed", by="ito", expected_version=3, expected_text=shown, now=T3)
    assert str(caught.value) == (
        f"article {a}'s text is not the one the page showed: version 3 (stored at {T2}) was read again or changed "
        "since; look at it as it is now (on the desk: reload the page, its page shows the difference) and decide again")
    assert (caught.value.version, caught.value.seen_version) == (3, 3)
    assert columns(db, a)[0] == "relevant"


def test_a_decision_on_a_text_changed_and_changed_back_since_the_page_showed_it_is_refused(db):
    # The page showed version 1; its outlet then added a paragraph (version 2) and took it out again (version 3,
    # version 1's text). Compared by the text alone, the decision was taken: later than version 2, which no list
    # then showed and nobody read (compared by number, as before, it was refused).
    a = stored(db)
    shown = db.execute("SELECT content_hash FROM articles WHERE id = ?", [a]).fetchone()[0]
    for text, at in (("本文1\n（追記）首相が改定を表明した。", T1), ("本文1", T2)):
        queries.store_article(db, {"url": "https://example.jp/a/1", "title": "防衛1", "text": text}, article_id=a,
                              now=at)
    with pytest.raises(ReviewConflict) as caught:
        reviews.review(db, a, "relevant", by="ito", expected="new", expected_version=1, expected_text=shown, now=T3)
    assert str(caught.value).startswith(
        f"article {a} is at version 3 now, not version 1 as the page showed: its text changed and changed back at "
        f"{T2}, and the versions between were read by nobody; look at it as it is now")
    assert (caught.value.version, caught.value.seen_version) == (3, 1)
    assert columns(db, a)[0] == "new"
    # Read as it is now (version 3), taken; renumbered alone (an older capture placed before it), taken too.
    assert reviews.review(db, a, "relevant", by="ito", expected_version=3, expected_text=shown, now=T3)
    for shift in ("-version", "1 - version"):  # 1, 2, 3 → 2, 3, 4, as versions.rewrite numbers them
        db.execute(f"UPDATE article_versions SET version = {shift} WHERE article_id = ?", [a])
    db.execute("UPDATE articles SET version = 4 WHERE id = ?", [a])
    assert reviews.review(db, a, None, note="read version 3", by="ito", expected_version=3, expected_text=shown,
                          now=T3).version == 4


def test_a_decision_that_names_no_version_says_which_and_what_change_it_took_unread(db):
    # `newsmon review` shows no text and sends no version: its decision on an article changed after
    # its review took the change off the Updated list, read by nobody, and said nothing of it.
    a, b = stored(db), stored(db, 2)
    for article_id in (a, b):
        reviews.review(db, article_id, "relevant", by="ito", now=T0)
        queries.store_article(db, {"url": f"https://example.jp/a/{article_id}", "title": f"防衛{article_id}",
                                   "text": f"本文{article_id}\n（追記）"}, article_id=article_id, now=T1)
    decision = reviews.review(db, a, "dismissed", by="cli", now=T2)
    assert (decision.version, decision.unread_change) == (2, T1)
    # Read (the version named), or back to the queue (read there): nothing taken unread.
    assert reviews.review(db, b, "dismissed", by="ito", expected_version=2, now=T2).unread_change is None
    assert reviews.review(db, a, "new", by="cli", now=T3).unread_change is None
    assert reviews.review(db, a, "relevant", by="cli", now=T3).unread_change is None  # reviewed after T1
    # A decision in the second its version was stored leaves it on the list (the same second counts): it took
    # nothing off, and said it had.
    reviews.review(db, b, "relevant", by="ito", now=T2)
    queries.store_article(db, {"url": f"https://example.jp/a/{b}", "title": f"防衛{b}", "text": f"本文{b}\n（訂正）"},
                          article_id=b, now=T3)
    decision = reviews.review(db, b, "follow-up", by="cli", now=T3)
    assert (decision.version, decision.unread_change) == (3, None)
    assert db.execute(f"SELECT id FROM articles WHERE {reviews.UPDATED_AFTER_REVIEW}").fetchall() == [(b,)]


def test_undo_back_to_a_status_set_outside_newsmon_keeps_a_review_time(db):
    # Marked relevant by hand (DB Browser), dismissed in newsmon, the dismissal undone: relevant
    # again with no review time, and no later version of it was ever on the Updated list
    # (updated_at >= NULL is never true).
    a = stored(db)
    db.execute("UPDATE articles SET status = 'relevant', reviewed_at = ? WHERE id = ?", [T0, a])
    reviews.review(db, a, "dismissed", by="ito", now=T1)
    reviews.undo(db, a, by="ito", now=T2)
    assert columns(db, a) == ("relevant", None, None, T1)
    queries.store_article(db, {"url": "https://example.jp/a/1", "title": "防衛1", "text": "本文1\n（追記）"},
                          article_id=a, now=T3)
    listed = db.execute(f"SELECT id FROM articles WHERE {reviews.UPDATED_AFTER_REVIEW}").fetchall()
    assert listed == [(a,)]
    # Back to new, it was never reviewed: no time.
    b = stored(db, 2)
    reviews.review(db, b, "relevant", by="ito", now=T1)
    reviews.undo(db, b, by="ito", now=T2)
    assert columns(db, b) == ("new", None, None, None)


def test_a_status_changed_outside_newsmon_blocks_undo(db):
    a = stored(db)
    reviews.review(db, a, "relevant", by="ito", now=T0)
    db.execute("UPDATE articles SET status = 'dismissed' WHERE id = ?", [a])  # DB Browser, by hand
    with pytest.raises(ReviewConflict) as caught:
        reviews.undo(db, a, by="ito")
    # Not blamed on ito, whose decision is the last logged one: the log says it set relevant.
    assert str(caught.value) == (
        f"article {a} is dismissed now, not relevant as its last logged decision set it: changed outside newsmon "
        f"(the last logged one, by ito at {T0}, set relevant); look at it as it is now (on the desk: reload the "
        "page) and decide again")
    assert (caught.value.by, caught.value.at) == (None, None)
    assert columns(db, a)[0] == "dismissed"
    # One that no decision ever touched: nothing to undo, and why it is not new.
    b = stored(db, 2)
    db.execute("UPDATE articles SET status = 'relevant' WHERE id = ?", [b])
    with pytest.raises(NothingToUndo) as nothing:
        reviews.undo(db, b, by="ito")
    assert str(nothing.value) == (f"article {b} has no decision to undo (it is relevant, set outside newsmon: "
                                  "no decision is logged)")
    # Decided in newsmon again, it is newsmon's: the decision after the hand's is undone as any.
    reviews.review(db, a, "follow-up", by="ito", now=T1)
    assert reviews.undo(db, a, by="ito").to_status == "dismissed"


def updated_list(db) -> list[int]:
    return [r[0] for r in db.execute(desk.LISTS["updated"].sql).fetchall()]


def test_a_status_set_by_hand_counts_from_when_it_was_written(db, tmp_path):
    # Marked relevant in DB Browser (a status newsmon's log does not set), the article had no review time, or the
    # time of the decision newsmon logged before: none of its later versions was on the Updated list
    # (updated_at >= NULL is never true), and the article page said the hand's status was set by the logged author.
    a, b, c = (stored(db, n, now=T0) for n in (1, 2, 3))
    reviews.review(db, b, "relevant", by="ito", now=T0)
    queries.store_article(db, {"url": "https://example.jp/a/2", "title": "防衛2", "text": "本文2\n（追記）"},
                          article_id=b, now=T1)
    assert updated_list(db) == [b]
    before = queries.now_utc()
    with closing(sqlite3.connect(tmp_path / "news.db")) as browser, browser:  # DB Browser: an UPDATE a cell
        browser.execute("UPDATE articles SET status = 'relevant' WHERE id = ?", [a])
        browser.execute("UPDATE articles SET status = 'follow-up' WHERE id = ?", [b])
        browser.execute("UPDATE articles SET reviewed_by = 'yamada' WHERE id = ?", [c])
        browser.execute("UPDATE articles SET status = 'dismissed' WHERE id = ?", [c])
    after = queries.now_utc()
    for article_id, by in ((a, None), (b, None), (c, "yamada")):  # ito did not set follow-up; a name typed stays
        status, _, reviewed_by, reviewed_at = columns(db, article_id)
        assert before <= reviewed_at <= after and reviewed_by == by, (article_id, reviewed_at)
    # b's version of T1 came before the hand's decision, which read it: off the list; one stored since is on it.
    assert updated_list(db) == []
    for article_id in (a, b):
        queries.store_article(db, {"url": f"https://example.jp/a/{article_id}", "title": f"防衛{article_id}",
                                   "text": f"本文{article_id}\n（訂正）"}, article_id=article_id, now=queries.now_utc())
    assert sorted(updated_list(db)) == [a, b]
    # A time written with the status is the hand's own; so is one typed in the next cell (DB Browser writes each
    # on its own), and a name.
    with closing(sqlite3.connect(tmp_path / "news.db")) as browser, browser:
        browser.execute("UPDATE articles SET status = 'dismissed', reviewed_at = ? WHERE id = ?", [T2, a])
        browser.execute("UPDATE articles SET status = 'dismissed' WHERE id = ?", [b])  # not ito's: stamped
        browser.execute("UPDATE articles SET reviewed_at = ? WHERE id = ?", [T2, b])
        browser.execute("UPDATE articles SET reviewed_by = 'ito' WHERE id = ?", [b])
    assert columns(db, a)[::3] == ("dismissed", T2)
    status, _, reviewed_by, reviewed_at = columns(db, b)
    assert (status, reviewed_by, reviewed_at) == ("dismissed", "ito", T2)


def test_newsmons_own_writes_keep_their_times_beside_a_status_set_by_hand(db, tmp_path):
    # Decisions, an undo to a status set by hand and a note alone are the log's: no clock's time over theirs.
    a = stored(db)
    with closing(sqlite3.connect(tmp_path / "news.db")) as browser, browser:
        browser.execute("UPDATE articles SET status = 'relevant' WHERE id = ?", [a])
    reviews.review(db, a, "dismissed", by="ito", now=T1)
    assert columns(db, a) == ("dismissed", None, "ito", T1)
    reviews.undo(db, a, by="ito", now=T2)
    assert columns(db, a) == ("relevant", None, None, T1)  # the undone decision's time, as before
    reviews.review(db, a, "follow-up", by="sato", now=T2)
    reviews.review(db, a, "dismissed", note="not the documents", by="sato", now=T2)  # the same second
    assert columns(db, a) == ("dismissed", "not the documents", "sato", T2)
    reviews.undo(db, a, by="sato", now=T3)
    assert columns(db, a) == ("follow-up", None, "sato", T2)


def test_an_ingest_that_renumbers_the_versions_renumbers_the_seen_note(db):
    # "Seen" on the Updated list notes "read version 2"; an archive's older capture, placed first among the
    # versions, made that text version 3: the note named version 2, another text, in the log and the article's
    # notes, on the desk and on its page.
    import copy

    from crawler import store

    from .test_store import _asahi_versions

    asahi, added, bodies, records = _asahi_versions()
    a = store.save(db, url=asahi.url, body=bodies["A"], record=copy.deepcopy(records["A"]), outlet="asahi",
                   captured="2025-01-14T03:00:00+00:00").article_id
    reviews.review(db, a, "relevant", note="version 1 is the first report", by="ito", now=T0)
    assert store.save_capture(db, url=asahi.url, article_id=a, record=copy.deepcopy(records["B"]),
                              captured="2025-01-16T03:00:00+00:00", body=bodies["B"], outlet="asahi").kind == "newer"
    read = db.execute("SELECT content_hash FROM articles WHERE id = ?", [a]).fetchone()[0]
    reviews.review(db, a, None, note="read version 2", by="ito", expected="relevant", expected_version=2,
                   expected_text=read, now=T1)
    assert store.save_capture(db, url=asahi.url, article_id=a, record=copy.deepcopy(records["C"]),
                              captured="2025-01-10T03:00:00+00:00", body=bodies["C"], outlet="asahi").kind == "older"
    assert db.execute("SELECT version FROM article_versions WHERE article_id = ? AND content_hash = ?",
                      [a, read]).fetchall() == [(3,)]
    # A note of the reviewer's own is theirs, number and all.
    assert columns(db, a)[1] == "version 1 is the first report\nread version 3"
    assert [r["note"] for r in reviews.history(db, a)] == ["version 1 is the first report", "read version 3"]
    # Its undo takes back the note as it reads now.
    reviews.undo(db, a, by="ito", now=T2)
    assert columns(db, a)[1] == "version 1 is the first report"


def test_a_seen_note_posted_after_an_ingest_renumbered_the_versions_names_the_text_as_numbered_now(db):
    # The Updated page showed version 2; an ingest placed an older capture first while it was open, and its text
    # became version 3. "Seen" then posts the page's note, "read version 2": the ingest had renumbered the notes
    # before this one was written, and it named the version before the text read.
    import copy

    from crawler import store

    from .test_store import _asahi_versions

    asahi, added, bodies, records = _asahi_versions()
    a = store.save(db, url=asahi.url, body=bodies["A"], record=copy.deepcopy(records["A"]), outlet="asahi",
                   captured="2025-01-14T03:00:00+00:00").article_id
    reviews.review(db, a, "relevant", by="ito", now=T0)
    store.save_capture(db, url=asahi.url, article_id=a, record=copy.deepcopy(records["B"]),
                       captured="2025-01-16T03:00:00+00:00", body=bodies["B"], outlet="asahi")
    shown, read = db.execute("SELECT version, content_hash FROM articles WHERE id = ?", [a]).fetchone()
    assert store.save_capture(db, url=asahi.url, article_id=a, record=copy.deepcopy(records["C"]),
                              captured="2025-01-10T03:00:00+00:00", body=bodies["C"], outlet="asahi").kind == "older"
    reviews.review(db, a, None, note=f"read version {shown}", by="ito", expected="relevant", expected_version=shown,
                   expected_text=read, now=T1)
    assert (shown, db.execute("SELECT version FROM articles WHERE id = ?", [a]).fetchone()[0]) == (2, 3)
    assert columns(db, a)[1] == "read version 3"
    assert [r["note"] for r in reviews.history(db, a)] == [None, "read version 3"]


def test_a_reextract_that_makes_two_versions_one_renumbers_the_seen_note(db):
    # Version 2 as an older extraction read it (a line its page holds no more as this one reads it): read again, it
    # is version 1's text, the two are one, and version 3 is version 2. The note "read version 3" named none.
    import copy

    from crawler import store

    from .test_store import _asahi_versions

    asahi, added, bodies, records = _asahi_versions()
    a = store.save(db, url=asahi.url, body=bodies["A"], record=copy.deepcopy(records["A"]), outlet="asahi",
                   captured="2025-01-14T03:00:00+00:00").article_id
    for name, body, day in (("B", bodies["A"], 16), ("C", bodies["C"], 18)):
        store.save_capture(db, url=asahi.url, article_id=a, record=copy.deepcopy(records[name]),
                           captured=f"2025-01-{day}T03:00:00+00:00", body=body, outlet="asahi")
    reviews.review(db, a, "relevant", by="ito", now=T0)
    reviews.review(db, a, None, note="read version 3", by="ito", expected_version=3, now=T1)
    store.reextract(db, None, store.Options())
    assert [(v, added["C"] in text) for v, text in db.execute(
        "SELECT version, text FROM article_versions WHERE article_id = ? ORDER BY version", [a])] == [
        (1, False), (2, True)]
    assert columns(db, a)[1] == "read version 2"
    assert [r["note"] for r in reviews.history(db, a)] == [None, "read version 2"]


def test_wrong_id_and_status_are_errors(db):
    with pytest.raises(ArticleNotFound, match="no article has id 999"):
        reviews.review(db, 999, "dismissed", by="ito")
    with pytest.raises(ArticleNotFound):
        reviews.undo(db, 999, by="ito")
    with pytest.raises(NothingToUndo):
        reviews.undo(db, entry_id=12345, by="ito")
    with pytest.raises(InvalidStatus):
        reviews.review(db, stored(db), "dismised", by="ito")


def test_recent_marks_the_decision_an_undo_would_take_back(db):
    a, b = stored(db, 1), stored(db, 2)
    reviews.review(db, a, "relevant", by="ito", now=T0)
    reviews.review(db, a, "dismissed", by="ito", now=T1)
    reviews.review(db, b, "follow-up", by="sato", now=T2)
    recent = reviews.recent(db)
    assert [(r["article_id"], r["to_status"], r["in_force"]) for r in recent] == [
        (b, "follow-up", 1), (a, "dismissed", 1), (a, "relevant", 0)]


def test_visits_say_what_is_new_since_the_last_one(db):
    assert reviews.visit(db, "ito", now="2026-11-25T09:00:00+00:00") is None  # first visit
    assert reviews.last_visit(db, "ito") == (True, None)
    assert reviews.visit(db, "ito", now="2026-11-25T09:20:00+00:00") is None  # same visit
    # Back after lunch: the previous visit ended at 09:20.
    assert reviews.visit(db, "ito", now="2026-11-25T13:00:00+00:00") == "2026-11-25T09:20:00+00:00"
    assert reviews.visit(db, "ito", now="2026-11-25T13:10:00+00:00") == "2026-11-25T09:20:00+00:00"
    assert reviews.last_visit(db, "sato") == (False, None)


def test_decisions_made_before_the_log_are_migrated_into_it(tmp_path):
    path = tmp_path / "old.db"
    db = open_db(path)
    a, b = stored(db, 1), stored(db, 2)
    db.execute("DELETE FROM review_log")
    db.execute("DELETE FROM _migrations WHERE name = 'm005_review_log'")
    db.execute("DROP TABLE review_log")
    db.execute("DROP TABLE reviewer_visits")
    db.execute("DROP INDEX IF EXISTS idx_articles_queue")  # m005's (m008 replaces it)
    # Nor m051's trigger (it reads the log), made after it.
    db.execute("DELETE FROM _migrations WHERE name = 'm051_review_time_of_a_status_set_by_hand'")
    db.execute("DROP TRIGGER articles_status_by_hand")
    db.execute("UPDATE articles SET status = 'dismissed', review_note = 'old note', reviewed_by = 'ito', "
               "reviewed_at = ? WHERE id = ?", [T0, a])
    db.conn.commit()
    db.close()
    db = open_db(path)  # migrates again
    assert [(r["from_status"], r["to_status"], r["note"], r["reviewer"]) for r in reviews.history(db, a)] == [
        ("new", "dismissed", "old note", "ito")]
    assert reviews.history(db, b) == []
    reviews.undo(db, a, by="ito")
    assert columns(db, a) == ("new", None, None, None)
    db.close()


def test_articles_reviewed_by_hand_before_m051_take_its_time(tmp_path):
    db = open_db(tmp_path / "old.db", migrate=False)
    MIGRATIONS.apply(db, stop_before="m051_review_time_of_a_status_set_by_hand")
    a, b = stored(db), stored(db, 2)
    db.execute("UPDATE articles SET status = 'relevant' WHERE id = ?", [a])
    before = queries.now_utc()
    migrate(db)
    assert before <= columns(db, a)[3] <= queries.now_utc()
    assert columns(db, b) == ("new", None, None, None)  # never reviewed: no time
    db.close()


# --- `newsmon review` as a process -----------------------------------------------------------

def newsmon(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_review_and_undo_as_processes(review_db):
    path, ids = review_db
    nikkei = ids["nikkei"]
    done = newsmon("review", str(nikkei), "--status", "dismissed", "--note", "covered on 4 April",
                   "--as", "cli-reviewer", "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert f"article {nikkei}" in done.stderr and "new → dismissed" in done.stderr
    after = row(path, nikkei)
    assert (after["status"], after["review_note"], after["reviewed_by"]) == (
        "dismissed", "covered on 4 April", "cli-reviewer")

    undone = newsmon("review", str(nikkei), "--undo", "--as", "cli-reviewer", "--db", str(path))
    assert undone.returncode == 0, undone.stderr
    assert "undone, back to new" in undone.stderr
    assert (row(path, nikkei)["status"], row(path, nikkei)["review_note"]) == ("new", None)
    with closing(sqlite3.connect(path)) as conn, conn:
        log = conn.execute("SELECT from_status, to_status, reviewer, undoes IS NOT NULL FROM review_log "
                           "WHERE article_id = ? ORDER BY id", [nikkei]).fetchall()
    assert log == [("new", "dismissed", "cli-reviewer", 0), ("dismissed", "new", "cli-reviewer", 1)]

    again = newsmon("review", str(nikkei), "--undo", "--db", str(path))
    assert again.returncode == 1
    assert again.stderr.strip() == f"Error: article {nikkei} has no decision to undo (it is new)"


def test_review_says_the_version_it_decided_on_and_warns_of_a_change_nobody_read(review_db):
    # It shows no text and sent no version: a decision on an article changed after its review took
    # the change off the desk's Updated list, read by nobody, and said "relevant → dismissed" alone.
    path, ids = review_db
    nikkei, japannews = ids["nikkei"], ids["japannews"]
    db = open_db(path)
    for article_id in (nikkei, japannews):
        reviews.review(db, article_id, "relevant", by="ito", now=T0)
        url, title, text = db.execute("SELECT url, title, text FROM articles WHERE id = ?", [article_id]).fetchone()
        queries.store_article(db, {"url": url, "title": title, "text": text + "\n（訂正）数字を改めた。"},
                              article_id=article_id, now=T1)
    db.close()
    done = newsmon("review", str(nikkei), "--status", "dismissed", "--as", "cli", "--db", str(path))
    assert done.returncode == 0, done.stderr
    said = done.stderr.splitlines()
    assert said[0].endswith(": relevant → dismissed (by cli, on version 2 of its text)")
    assert said[1] == (
        f"newsmon: warning: version 2 of article {nikkei} was stored at {jst(T1)} JST, after its last review, and "
        "nobody read it through newsmon: this decision took it off the desk's Updated list. Read it on its page "
        f"(newsmon serve: /newsmon/articles/{nikkei}); `newsmon review {nikkei} --undo` takes the decision back, and "
        "--version N decides only on the version you read")
    # --version: refused on another version, as the pages' decisions are; taken on the one read, unwarned.
    stale = newsmon("review", str(japannews), "--status", "dismissed", "--version", "1", "--db", str(path))
    assert stale.returncode == 1 and "is at version 2 now, not version 1" in stale.stderr
    assert row(path, japannews)["status"] == "relevant"
    read = newsmon("review", str(japannews), "--status", "dismissed", "--version", "2", "--db", str(path))
    assert read.returncode == 0 and len(read.stderr.splitlines()) == 1, read.stderr
    assert row(path, japannews)["status"] == "dismissed"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["999999", "--status", "dismissed"], 1, "no article has id 999999"),
    (["1", "--status", "dismised"], 2, "'dismised' is not one of"),
    (["1"], 2, "say what to do"),
    (["1", "--undo", "--status", "new"], 2, "--undo takes back"),
])
def test_review_errors_are_one_line(review_db, args, code, message):
    result = newsmon("review", *args, "--db", str(review_db[0]))
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_blank_note_alone_is_a_usage_error(review_db):
    path, ids = review_db
    result = newsmon("review", str(ids["nikkei"]), "--note", " ", "--db", str(path))
    assert result.returncode == 2
    assert "the note is blank" in result.stderr
    assert "None" not in result.stderr
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT count(*) FROM review_log").fetchone() == (0,)


def test_an_sqlite_error_is_one_line_and_changes_nothing(review_db):
    # SQLite's own failures (a file locked past the busy timeout, read-only, full) are not
    # newsmon's StorageError; a trigger makes one happen on every decision.
    path, ids = review_db
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TRIGGER fail_here BEFORE INSERT ON review_log "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    result = newsmon("review", str(ids["nikkei"]), "--status", "dismissed", "--db", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"Error: article {ids['nikkei']} was not changed: disk I/O error (database {path})"
    assert row(path, ids["nikkei"])["status"] == "new"


def test_review_needs_an_existing_database(tmp_path):
    result = newsmon("review", "1", "--status", "relevant", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1
    assert "no database at" in result.stderr
    assert not (tmp_path / "none.db").exists()
