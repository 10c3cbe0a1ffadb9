"""End to end: what an article URL answers in place of its article at 200, and what becomes of it.

A "page not found" page (a soft 404), a deletion notice (この記事は削除されました, 掲載期間が終了しました),
a page whose article is drawn by JavaScript from a JSON blob: each is no article, and none may be
stored as one, nor written over a stored article as a new version of it. The real `newsmon crawl`
over real HTTP (crawler/testsite.py); the SQLite file is the witness.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from crawler.testsite import LoopbackSite

from .test_crawl_e2e import assert_every_url_has_a_state_and_a_reason, crawl, env, rows, site_env  # noqa: F401

NAV = "<header><nav>" + "".join(f'<a href="/site/{s}/">{n}</a>' for s, n in (
    ("politics", "政治"), ("economy", "経済"), ("world", "国際"), ("society", "社会"), ("sports", "スポーツ"))) \
    + "</nav></header>"
FOOT = "<footer><p>記事・写真・図表などの無断転載を禁じます。著作権は当社またはその情報提供者に帰属します。</p></footer>"


def page(title: str, main: str, og_type: str = "article", head: str = "") -> str:
    """A page in an outlet's template: its chrome around ``main``. Templates keep og:type
    "article" on their error and notice pages (the page's metadata is the layout's)."""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="{og_type}">{head}</head><body>{NAV}<main>{main}</main>{FOOT}'
            "</body></html>")


SOFT_404 = {
    "ja": page("ページが見つかりません | 毎朝新聞", "<article><h1>ページが見つかりません</h1><p>指定されたページは存在しません。"
               "お探しのページは、掲載期間が終了したか、URLが変更された可能性があります。お手数ですが、トップページから"
               "目的の記事をお探しください。ご不便をおかけして申し訳ございません。</p></article>"),
    "ja-website": page("エラー | 毎朝新聞", "<h1>お探しのページは見つかりませんでした</h1><p>お探しのページは、削除されたか、"
                       "URLが変更された可能性があります。お手数ですが、トップページまたはサイト内検索からお探しください。</p>"
                       '<p><a href="/">トップページへ戻る</a></p>', og_type="website"),
    "en": page("Page not found | Maiasa", "<article><h1>Page not found</h1><p>The page you requested could not be "
               "found. It may have been moved or deleted. Please check the address, or return to the home page and "
               "search for the story you were looking for.</p></article>"),
}
DELETED = page("この記事は削除されました | 毎朝新聞",
               "<article><h1>この記事は削除されました</h1><p>この記事は削除されました。ご了承ください。</p></article>")
EXPIRED = page("毎朝新聞", "<article><h1>掲載期間が終了しました</h1><p>この記事の掲載期間は終了しました。配信期間終了のため、"
               "この記事はご覧いただけません。最新のニュースはトップページでご覧ください。</p></article>")


def story(title: str, paragraphs: list[str], published: datetime) -> str:
    return page(f"{title} | 毎朝新聞", f"<article><h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                + "</article>", head=f'<meta property="article:published_time" '
                                     f'content="{published.isoformat(timespec="seconds")}">')


BUS = ["市は、市営バスの路線を再編する案をまとめ、沿線の住民に説明を始めた。",
       "案では利用の少ない5路線を統合し、浮いた車両を朝夕の通勤路線に回すとしている。",
       "住民からは「通院の足がなくなる」との声が上がり、市は乗り合いタクシーの導入も検討する。",
       "市議会は来月、再編案を審議する予定で、実施は早くても2年後になる見通しだ。"]
NOW = datetime.now(UTC) - timedelta(minutes=30)


@pytest.fixture
def site():
    with LoopbackSite([]) as s:
        yield s


def url_row(env, site, path: str) -> dict:
    [row] = rows(env, "select * from urls where url = ?", site.url(path))
    return row


@pytest.fixture(scope="module")
def soft_404s(tmp_path_factory):
    """Each page not found at its own URL of one site, and three runs over them all (the cases
    share the crawls): the URL rows after the first run and after the third, by kind."""
    paths = {kind: f"/site/a/{kind}.html" for kind in SOFT_404}
    with LoopbackSite([]) as site:
        env = site_env(site, tmp_path_factory.mktemp("soft404"))
        for kind, path in paths.items():
            site.publish_html(path, SOFT_404[kind], title="記事", published=NOW, channels=["feed"])
        assert crawl(env).returncode == 0
        first = {kind: url_row(env, site, path) for kind, path in paths.items()}
        assert rows(env, "select title from articles") == []
        # Tried as a 404 is: gone once every attempt found it so, and once more six hours on.
        assert crawl(env).returncode == 0 and crawl(env).returncode == 0
        assert rows(env, "select title from articles") == []
        yield first, {kind: url_row(env, site, path) for kind, path in paths.items()}
        assert_every_url_has_a_state_and_a_reason(env["db"])


@pytest.mark.parametrize("kind", sorted(SOFT_404))
def test_a_page_not_found_page_at_200_is_no_article(soft_404s, kind):
    first, third = soft_404s
    row = first[kind]
    assert row["kind"] == "error" and row["reason_code"] == "soft_404"
    assert row["reason"].startswith("a 'page not found' page served with HTTP 200 (a soft 404): 「")
    assert "(attempt 1 of 3; tried again next run)" in row["reason"]
    row = third[kind]
    assert row["kind"] == "gone" and row["reason_code"] == "soft_404" and row["retry_at"]


@pytest.mark.parametrize("notice", [DELETED, EXPIRED], ids=["deleted", "expired"])
def test_a_deletion_notice_at_200_is_no_article(env, site, notice):
    site.publish_html("/site/a/1.html", notice, title="記事", published=NOW, channels=["feed"])
    assert crawl(env).returncode == 0
    assert rows(env, "select title from articles") == []
    row = url_row(env, site, "/site/a/1.html")
    assert row["kind"] == "error" and row["reason_code"] == "withdrawn"
    assert row["reason"].startswith("the outlet withdrew the article: its page reads 「")


def test_an_article_its_cms_serves_a_not_found_page_for_before_it_is_up_is_stored_next_run(env, site):
    # A feed that lists an article a minute before its page is up: the CMS's not-found page.
    site.publish_html("/site/a/1.html", story("市営バス再編案", BUS, NOW), title="市営バス再編案", published=NOW,
                      channels=["feed"])
    site.answer("/site/a/1.html", 200, SOFT_404["ja"].encode(), times=1)
    assert crawl(env).returncode == 0
    assert url_row(env, site, "/site/a/1.html")["reason_code"] == "soft_404"
    assert crawl(env).returncode == 0
    assert url_row(env, site, "/site/a/1.html")["kind"] == "article"
    assert [r["title"] for r in rows(env, "select title from articles")] == ["市営バス再編案"]


# A queue's page in place of each article, at 200: Cloudflare Waiting Room's default page (200 is
# its default queueing status) and Queue-it's, served on the outlet's own host.
WAITING_ROOM = ('<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Waiting Room powered by '
                'Cloudflare</title><meta http-equiv="refresh" content="20"></head><body><div class="main">'
                "<h1>You are now in line.</h1><h2>Thank you for your patience.</h2><p>We are experiencing a high "
                "volume of traffic. You are now in a virtual waiting room; we will let you in soon.</p><p>Your "
                "estimated wait time is 5 minutes.</p><p>This page will refresh automatically.</p></div></body></html>")
QUEUE_IT = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Queue-it</title></head><body>'
            "<h1>You are now in line</h1><p>Thank you for waiting. When it is your turn, you will have 10 minutes to "
            "enter the website.</p><p>Your estimated wait time is: 12 minutes</p><p>Number of users in line ahead "
            "of you: 1532</p></body></html>")
# The same in Japanese, in the outlet's template (its menus around it).
WAITING_ROOM_JA = page("待合室 | 毎朝新聞", "<h1>待合室</h1><p>現在、サイトへのアクセスが大変混み合っているため、順番にご案内"
                                         "しています。</p><p>お客様の順番になりましたら自動的に移動します。このままお待ちください。</p>")


def test_a_waiting_room_in_place_of_each_article_is_the_site_busy_and_the_outlet_says_so(env, site):
    # Before: the English pages stored as the outlet's articles ("Waiting Room powered by Cloudflare",
    # "Queue-it"), each URL final, the outlet ok; the Japanese one not_article, final on its second look.
    rooms = {"/site/a/1.html": WAITING_ROOM, "/site/a/2.html": QUEUE_IT, "/site/a/3.html": WAITING_ROOM_JA}
    for path, room in rooms.items():
        site.publish_html(path, room, title="記事", published=NOW, channels=["feed"])
    assert crawl(env).returncode == 0
    assert rows(env, "select title from articles") == []
    for path in rooms:
        row = url_row(env, site, path)
        assert (row["kind"], row["reason_code"]) == ("error", "site_busy"), row
        assert row["reason"].startswith("the site says it is busy or down for maintenance: 「")
    [health] = rows(env, "select status, reasons from outlet_health")
    assert health["status"] == "failing" and "3 site_busy" in health["reasons"], health
    # Let in: each article is stored at the next run.
    for n, path in enumerate(rooms, start=1):
        site.update_html(path, story(f"市営バス再編案 第{n}報", [f"第{n}報。{BUS[0]}", *BUS[1:]], NOW))
    assert crawl(env).returncode == 0
    assert sorted(r["title"] for r in rows(env, "select title from articles")) == [
        "市営バス再編案 第1報", "市営バス再編案 第2報", "市営バス再編案 第3報"]


def _revisit_now(env) -> None:
    conn = sqlite3.connect(env["db"])
    with conn:  # an hour on (the ledger's clock): its revisit is due
        conn.execute("UPDATE revisits SET due_at = '2000-01-01T00:00:00+00:00'")
    conn.close()


NOTICES = {"deleted": DELETED, "expired": EXPIRED, "not-found": SOFT_404["ja"]}
LENGTHS = {"flash": BUS[:1], "story": BUS}


@pytest.fixture(scope="module")
def replaced(tmp_path_factory):
    """A stored article of each length replaced by each notice, each at its own URL of one site,
    and the run that revisits them all (the cases share the crawls): per (length, notice), the
    article before and after, its revisit and its URL row."""
    paths = {(length, notice): f"/site/a/{length}-{notice}.html" for length in LENGTHS for notice in NOTICES}
    with LoopbackSite([]) as site:
        env = site_env(site, tmp_path_factory.mktemp("replaced"))
        # A city of its own for each: six URLs of one text would be one article, not six.
        for ((length, _), path), city in zip(paths.items(), ["札幌", "仙台", "金沢", "静岡", "岡山", "熊本"]):
            text = [LENGTHS[length][0].replace("市は", f"{city}市は", 1), *LENGTHS[length][1:]]
            site.publish_html(path, story(f"{city}市営バス再編案", text, NOW), title=f"{city}市営バス再編案",
                              published=NOW, channels=["feed"])
        assert crawl(env).returncode == 0
        assert rows(env, "select count(*) as n from articles") == [{"n": len(paths)}]

        def articles(columns: str) -> dict:
            return {case: row for case, path in paths.items()
                    for row in rows(env, f"select {columns} from articles where url = ?", site.url(path))}

        before = articles("id, version, text")
        for (_, notice), path in paths.items():
            site.update_html(path, NOTICES[notice])
        _revisit_now(env)
        assert crawl(env).returncode == 0
        assert rows(env, "select count(*) as n from articles") == [{"n": len(paths)}]  # none stored anew
        after = articles("id, version, text, removed_at, removed")
        revisits = {case: row for case, path in paths.items()
                    for row in rows(env, "select last_result from revisits where url = ?", site.url(path))}
        yield {case: (before.get(case), after.get(case), revisits.get(case), url_row(env, site, path))
               for case, path in paths.items()}
        assert_every_url_has_a_state_and_a_reason(env["db"])


@pytest.mark.parametrize("notice", sorted(NOTICES))
@pytest.mark.parametrize("length", sorted(LENGTHS))
def test_a_stored_article_replaced_by_a_notice_is_withdrawn_and_its_text_kept(replaced, notice, length):
    before, after, revisit, url = replaced[length, notice]
    assert before and after and after["id"] == before["id"]
    assert after["version"] == before["version"] and after["text"] == before["text"]
    assert after["removed_at"] and "「" in after["removed"]
    assert revisit["last_result"].startswith("removed: ")
    assert url["kind"] == "article"


# -- a page that asks for a login or the reader's age (walls.asked_wall) ---------------------------

MEMBERS = page("会員限定記事 | 毎朝新聞", "<h1>会員限定記事</h1><p>この記事は会員限定です。ログインしてください。</p>"
               '<p><a href="/login">ログイン</a> <a href="/signup">会員登録（無料）</a></p>', og_type="website")
AGE_GATE = page("年齢確認 | 毎朝新聞", "<h1>年齢確認</h1><p>このページには18歳未満の方の閲覧に適さない内容が含まれています。"
                "あなたは18歳以上ですか？</p><a href='/site/a/2.html?age=yes'>はい</a> <a href='/'>いいえ</a>")
AGE_LAW = ["政府は、交流サイトの利用者に年齢確認を義務づける法案の概要をまとめた。18歳未満の利用者には保護者の同意を求める。",
           "事業者の団体は「ログインのたびに確認を求められれば利用者が離れる」として、段階的な導入を求めている。",
           "政府は来年の通常国会への提出を目指し、確認の方法について有識者会議で議論を続ける。"]


def test_a_page_that_asks_for_a_login_or_an_age_is_a_wall_and_an_article_about_them_is_an_article(env, site):
    # Before: the members' page `not_article` (final on a second look), the age gate stored as
    # the outlet's article (its menus and question for text).
    site.publish_html("/site/a/1.html", MEMBERS, title="記事", published=NOW, channels=["feed"])
    site.publish_html("/site/a/2.html", AGE_GATE, title="記事", published=NOW, channels=["feed"])
    law = story("SNSに年齢確認義務づけへ", AGE_LAW, NOW).replace("<main>", '<main><a href="/login">ログイン</a>')
    site.publish_html("/site/a/3.html", law, title="SNSに年齢確認義務づけへ", published=NOW, channels=["feed"])
    assert crawl(env).returncode == 0
    assert [r["title"] for r in rows(env, "select title from articles")] == ["SNSに年齢確認義務づけへ"]
    members, gate = url_row(env, site, "/site/a/1.html"), url_row(env, site, "/site/a/2.html")
    assert (members["kind"], members["reason_code"]) == ("blocked", "wall_login")
    assert "「この記事は会員限定です」" in members["reason"] and "`cookies`" in members["reason"]
    assert (gate["kind"], gate["reason_code"]) == ("blocked", "wall_age")
    assert "「あなたは18歳以上ですか」" in gate["reason"] and members["retry_at"] and gate["retry_at"]


# -- a moved article's page in the outlet's template, whose script goes on (stubs) --------------------

def moved(script: str) -> str:
    return page("毎朝新聞", "<h1>この記事は移動しました</h1><p>お探しの記事は新しいURLに移動しました。3秒後に自動的に"
                "移動します。</p>", head=f"<script>{script}</script>")


def test_a_moved_article_whose_script_goes_on_is_followed_within_the_outlet_and_named_elsewhere(env, site):
    # Before: each read as a page of its own ("no article in the page … a listing?"), its article
    # never fetched.
    site.publish_html("/site/b/1.html", story("市営バス再編案", BUS, NOW), title="市営バス再編案", published=NOW,
                      channels=[])
    site.publish_html("/site/a/1.html", moved('setTimeout(function(){ location.href = "/site/b/1.html" }, 3000);'),
                      title="記事", published=NOW, channels=["feed"])
    site.publish_html("/site/a/2.html", moved("window.location = 'https://elsewhere.example/news/1';"),
                      title="記事", published=NOW, channels=["feed"])
    site.publish_html("/site/a/3.html", moved('document.cookie = "moved=1"; location.assign("/site/b/1.html");'),
                      title="記事", published=NOW, channels=["feed"])
    assert crawl(env).returncode == 0
    assert [r["title"] for r in rows(env, "select title from articles")] == ["市営バス再編案"]
    followed = url_row(env, site, "/site/a/1.html")
    assert followed["kind"] == "article" and followed["redirected_to"] == site.url("/site/b/1.html")
    assert "[script]" in followed["reason"]
    # Off the outlet's domains: refused, as an HTTP redirect there is, and never fetched.
    elsewhere = url_row(env, site, "/site/a/2.html")
    assert (elsewhere["kind"], elsewhere["reason_code"]) == ("refused", "redirect_off_scope")
    assert "[script] → https://elsewhere.example/news/1" in elsewhere["reason"]
    # Not followed (a cookie first): its reason says where the page sends the browser.
    gated = url_row(env, site, "/site/a/3.html")
    assert gated["kind"] == "not_article" and "its script sends the browser to /site/b/1.html" in gated["reason"]


# -- which pages are notices (extract.page_notice; no crawl) ---------------------------------------

@pytest.mark.parametrize("html, code", [
    (SOFT_404["ja"], "soft_404"), (SOFT_404["ja-website"], "soft_404"), (SOFT_404["en"], "soft_404"),
    (DELETED, "withdrawn"), (EXPIRED, "withdrawn"),
    # A bare notice, under 100 characters: a notice, not an empty document (a wall retried for a week).
    ("<html><head><title>お知らせ</title></head><body><p>この記事は配信期間が終了しました。</p></body></html>", "withdrawn"),
    # A notice headed so in a page with a ranking of links under it (the heading says it).
    (page("お探しのページは見つかりませんでした｜毎朝新聞", "<h1>お探しのページは見つかりませんでした</h1><ol>"
          + "".join(f'<li><a href="/site/r/{n}.html">{BUS[n % 4]}</a></li>' for n in range(10)) + "</ol>",
          og_type="website"), "soft_404"),
    # A server error shown at 200 in the site's chrome: stored, it was an article of menu headlines
    # and the error's lines, never fetched again.
    (page("毎朝新聞", "<article><h1>システムエラーが発生しました</h1><p>ただいまシステムエラーが発生しております。"
          "しばらくしてから再度アクセスしてください。</p></article>"), "site_busy"),
    (page("エラー | 毎朝新聞", "<p>申し訳ございません。エラーが発生しました。時間をおいて再度お試しください。</p>",
          og_type="website"), "site_busy"),
    (page("Maiasa", "<h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to "
          "complete your request.</p>"), "site_busy"),
    (page("Maiasa", "<p>An error occurred while processing your request. Please try again later.</p>"), "site_busy"),
    # An apology's sentence before it: stored as an article without a heading that says it.
    (page("毎朝新聞", "<p>申し訳ございません。お探しのページは見つかりませんでした。</p>"), "soft_404"),
    (page("Maiasa", "<p>Oops! The page you requested could not be found.</p>"), "soft_404"),
    # A waiting room (a queue's page) at 200: stored as the outlet's article, or not_article.
    (WAITING_ROOM, "site_busy"), (QUEUE_IT, "site_busy"), (WAITING_ROOM_JA, "site_busy"),
    (page("Maiasa", "<p>We are experiencing a high volume of traffic. You are now in a virtual waiting room.</p>"
          "<p>Your estimated wait time is 5 minutes.</p>"), "site_busy"),
    (page("Maiasa", "<h1>Please wait</h1><p>You have been placed in a virtual queue.</p>"), "site_busy"),
    (page("毎朝新聞", "<p>順番にご案内しています。しばらくお待ちください。</p>"), "site_busy"),
    (page("毎朝新聞", "<p>ただいま当サイトへのアクセスが集中しております。</p>"), "site_busy"),
    (page("毎朝新聞", "<h1>待合室</h1><p>ただいま待合室にご案内しています。このままお待ちください。</p>"), "site_busy"),
    (page("待合室 | 毎朝新聞", "<h1>待合室</h1><p>しばらくお待ちください。予想待ち時間：約5分</p>"), "site_busy"),
    # Cloudflare's waiting room in Japanese (its default page's words) and NetFUNNEL's: stored as the outlet's article.
    (page("Waiting Room powered by Cloudflare", "<h1>順番待ちに追加されました。</h1><p>ご不便をおかけいたしますが、よろしく"
          "お願いいたします。</p><p>予想待機時間は 5 分です。</p><p>このページは自動的に更新されます。</p>"), "site_busy"),
    (page("毎朝新聞", "<p class=tit>接続待機中</p><p class=time>予想待機時間 00:00:12</p>"), "site_busy"),
])
def test_a_page_that_says_it_holds_no_article_is_named_so(html, code):
    from crawler.extract import extract_article
    from crawler.outcome import no_article_problem

    body = html.encode()
    assert extract_article(body, "https://example.jp/site/a/1.html") is None
    problem = no_article_problem(body)
    assert problem.code == code and "「" in problem.reason


def in_real_template(title: str, heading: str, line: str) -> bytes:
    """A saved Mainichi page (tests/fixtures) as its site's notice template: its head without the
    article's metadata, its menus, rankings and footer (2,200 characters, 268 links), and in its
    <article> only ``heading`` and ``line``."""
    import re

    from .conftest import saved_bytes

    text = saved_bytes("scrapping-webs/mainichi-test_article_1.html").decode()
    text = re.sub(r"(<article[^>]*>).*?(</article>)", lambda m: f"{m.group(1)}<h1>{heading}</h1><p>{line}</p>"
                  f"{m.group(2)}", text, count=1, flags=re.S)
    text = re.sub(r"<title>.*?</title>", f"<title>{title}</title>", text, count=1, flags=re.S)
    text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", text, flags=re.S)
    text = re.sub(r'<link rel="canonical"[^>]*>', "", text)
    return re.sub(r'<meta (?!charset|name="viewport"|property="og:(?:type|site_name)")[^>]*>', "", text).encode()


@pytest.mark.parametrize("title, heading, line, code", [
    # Titled so: the page's whole text (its menus, rankings) is over what a notice page is told
    # by: it was `not_article`, "a listing, tag or section page?".
    ("ページが見つかりません - 毎日新聞", "ページが見つかりません", "お探しのページは見つかりませんでした。", "soft_404"),
    # Titled with the site's name, the notice a line of the article: trafilatura reads the menus'
    # and rankings' lines around it (486 characters): stored as an article, and every later
    # notice page of the site (an article its feed listed before it was up) its duplicate.
    ("毎日新聞", "毎日新聞", "お探しのページは見つかりませんでした。", "soft_404"),
    ("お知らせ - 毎日新聞", "お知らせ", "この記事は削除されました。", "withdrawn"),
    ("Mainichi", "Mainichi", "This article is no longer available.", "withdrawn"),
    # A rate limit's notice at 200: the article is there once the crawl slows down.
    ("毎日新聞", "毎日新聞", "リクエストが多すぎます。しばらく時間をおいてから再度アクセスしてください。", "site_busy"),
    ("Too Many Requests", "Too Many Requests", "Rate limit exceeded. Please try again later.", "site_busy"),
    # The notice opening its line after the page's own subject (この記事は…), or after a label of its
    # own set off by a space or a colon (a site's name, a date, お知らせ, お詫び): stored as an
    # article of the template's menus since the notice had to open its line (0ee16c7), and on a
    # revisit a new version of the article the outlet took down.
    ("毎日新聞", "毎日新聞", "この記事は掲載期間が終了しました。", "withdrawn"),
    ("毎日新聞", "毎日新聞", "本記事の配信期間は終了しました。", "withdrawn"),
    ("毎日新聞", "毎日新聞", '<span class="badge">お知らせ</span>この記事は掲載期間が終了しました。', "withdrawn"),
    ("毎日新聞", "毎日新聞", "お詫び：お探しのページは見つかりませんでした。", "soft_404"),
    ("毎日新聞", "毎日新聞", "毎日新聞 お探しのページは見つかりませんでした。", "soft_404"),
    ("毎日新聞", "毎日新聞", "2024年1月5日 ただいまアクセスが集中しています。", "site_busy"),
    # A waiting room in the site's template: stored as an article of its menus and the queue's lines.
    ("Mainichi", "Mainichi", "We are experiencing a high volume of traffic. You are now in a virtual waiting room.",
     "site_busy"),
    ("Mainichi", "Mainichi", "You are now in line. Your estimated wait time is 3 minutes.", "site_busy"),
    ("毎日新聞", "毎日新聞", "現在、サイトへのアクセスが大変混み合っているため、順番にご案内しています。", "site_busy"),
    ("毎日新聞", "毎日新聞", "順番にご案内しております。しばらくお待ちください。", "site_busy"),
    ("毎日新聞", "毎日新聞", "順番待ちに追加されました。予想待機時間は 5 分です。", "site_busy"),
])
def test_a_notice_in_a_real_sites_template_is_named_so(title, heading, line, code):
    from crawler.extract import extract_article
    from crawler.outcome import no_article_problem

    body = in_real_template(title, heading, line)
    assert extract_article(body, "https://example.jp/site/a/1.html") is None
    assert no_article_problem(body).code == code


@pytest.mark.parametrize("title, paragraphs", [
    # A flash on a site outage quotes what the site shows: its story, not a notice.
    ("市のサイトで障害", ["市のホームページで27日朝から「お探しのページは見つかりませんでした」と表示される障害が起きた。"]),
    ("市のサイトで障害", ["市のホームページで27日朝から『お探しのページは見つかりませんでした』と表示される障害が起きた。"]),
    ("City site down", ['The city\'s website showed "The page you requested could not be found" all morning on Monday.']),
    ("「ページが見つかりません」 自治体サイトで障害相次ぐ", ["自治体のサイトで障害が相次いでいる。", *BUS[:2]]),
    ("動画配信、期限切れで視聴できず", [f"同社は{BUS[0]}", "配信期間が終了した作品について、利用者から問い合わせが相次いだ。" + BUS[1] * 3]),
    # A flash on an outage says where the error was: a story, not the site's own error page.
    ("ATMでシステムエラーが発生しました", ["市内の銀行のATMで5日朝、システムエラーが発生しました。"]),
    ("東証で取引停止", ["システムエラーが発生し、東京証券取引所は5日、全銘柄の売買を停止した。"]),
    ("Exchange halts trading", ["A system error occurred at the Tokyo exchange on Monday, halting trading."]),
    ("Exchange halts trading", ["An error occurred in the exchange's order system on Monday, halting trading."]),
    # A brief whose first sentence names the notice after its subject: the notice opens no paragraph.
    ("防衛省サイトに接続しにくく", ["防衛省のホームページにアクセスが集中しています。反撃能力の運用方針を公表した直後だった。"]),
    ("防衛省サイトの記事に誤り", ["防衛省によると、ホームページに掲載していた記事が削除されました。誤りがあったためだという。"]),
    # Stories of queues, waiting rooms and traffic: others' waits, told, not the site's own.
    ("テーマパーク、待ち時間に新方式", ["県内のテーマパークは、人気アトラクションで順番にご案内しています、と来園者に呼びかけた。",
                                 *BUS[:2]]),
    ("防衛省サイトに接続しにくく", ["防衛省のホームページへのアクセスが混み合っています。反撃能力の運用方針を公表した直後だった。"]),
    ("防衛省サイトに接続しにくく", ["防衛省のサイトへのアクセスが大変混み合っており、閲覧しにくい状態が続いた。"]),
    ("Ticket site crashes", ["Fans trying to buy tickets on Monday were placed in a virtual queue for hours."]),
    ("Sale draws crowds", ["Shoppers queued from dawn. You are now in line for a bargain, a sign at the door read."]),
    ("Expressway jams", ["We are experiencing heavy traffic on the expressway, a police spokesman said on Monday."]),
    ("人気ラーメン店に行列", ["順番待ちの列に登録された客は300人を超えた。", "開店前から並ぶ客もおり、店主は整理券の配布を検討している。"]),
    ("救急外来の混雑続く", ["待機時間は平均4時間。", "市立病院の救急外来では、診察までの待機時間が4時間を超える日もある。"]),
])
def test_an_article_about_a_notice_is_an_article(title, paragraphs):
    from crawler.extract import extract_article

    body = story(title, paragraphs, NOW).encode()
    article = extract_article(body, "https://example.jp/site/a/1.html")
    assert article is not None and article.title == title


@pytest.mark.parametrize("title, paragraphs", [
    # A short story that opens with a queue's words, dated as the article it is
    # (article:published_time): each was site_busy, retried at every run and never stored.
    ("駅で混乱", ["順番にご案内しています。新駅の開業初日、係員は拡声器で繰り返した。改札の前には長い列ができた。"]),
    ("入国審査に長い列", ["待ち時間：約2時間――。成田空港では連休初日、出国する人で混雑した。"]),
    ("新エリア開業", ["ソアリン 待ち時間：90分", "センター・オブ・ジ・アース 待ち時間：60分", "新エリアは開業初日から混雑した。"]),
    ("Diablo IV launch", ["You are now in line. That was the message thousands of players saw on launch night."]),
])
def test_a_dated_story_that_opens_with_a_queues_words_is_an_article(title, paragraphs):
    from crawler.extract import extract_article

    article = extract_article(story(title, paragraphs, NOW).encode(), "https://example.jp/site/a/1.html")
    # (So short a page is read whole, its menus and the site's name with it: trafilatura's, as before.)
    assert article is not None and article.title.split(" | ")[0] == title and paragraphs[0] in article.paragraphs


@pytest.mark.parametrize("title, paragraphs", [
    # A dated story whose lede is the queue's words alone, its story in the next paragraph: each was taken for a
    # waiting room dated by its template (a line of the notice alone), site_busy, retried and never stored.
    ("駅で混乱", ["順番にご案内しています。", "新駅の開業初日、係員は拡声器で繰り返した。改札の前には長い列ができた。"]),
    ("入国審査に長い列", ["待ち時間：約2時間――。", "成田空港では連休初日、出国する人で混雑した。"]),
    ("Diablo IV launch", ["You are now in line.", "That was the message thousands of players saw on launch night."]),
    # ... then a waiting room's own words, told as someone's: a waiting room's sentence read so, it was site_busy.
    ("駅で混乱", ["順番にご案内しています。", "ご迷惑をおかけして申し訳ありません、と駅員は頭を下げた。"]),
    ("Diablo IV launch", ["You are now in line.", "“Thank you for your patience,” the screen read for hours."]),
    ("Diablo IV launch", ["You are now in line.",
                          "We apologize for the inconvenience, Blizzard said on launch night."]),
    ("Diablo IV launch", ["You are now in line.", '"Thank you for your patience," the screen read for hours.']),
    # ... then a story's sentence that tells of a queue, an apology or the wait in the waiting room's words, of others
    # and done, not to the reader waiting: each was site_busy, retried and never stored.
    ("入国審査に長い列", ["待ち時間：約2時間――。", "成田空港の出国審査場では連休初日、順番待ちの列が通路まで延びた。"]),
    ("出国ラッシュ", ["待ち時間：約2時間――。", "成田空港では、出国審査の順番待ちの列ができています。"]),
    ("新駅開業で混乱", ["順番にご案内しています。", "JR東日本は、開業初日に多くの利用者にご迷惑をおかけしたとして陳謝した。"]),
    ("転入手続きに長い列", ["予想待ち時間：約3時間", "市役所の窓口は転入手続きの順番待ちで混雑し、市は市民にご理解いただきたいとしている。"]),
    ("新作ゲーム発売", ["予想待ち時間：約30分", "運営会社は、購入を待つ利用者をお待たせしたことを謝罪した。"]),
    ("Eras Tour presale", ["You are now in line.", "Fans saw that message for hours on Tuesday, and Ticketmaster later "
                                                   "apologized for the inconvenience."]),
    ("Diablo IV launch", ["You are now in line.",
                          "Players waited hours for their turn; Blizzard posted that it was sorry for the queues."]),
    # ... (Cloudflare's and NetFUNNEL's words) then a story's sentence telling of those who queued, done (順番待ちに登録
    # された人), or of a page's workings (自動的に更新される仕組み): each was read as the waiting room's own, site_busy.
    ("チケット販売で混乱", ["予想待機時間は120分です。", "公演チケットの一般販売で、順番待ちに登録された人は一時50万人を超えた。"]),
    ("チケット販売で混乱", ["順番待ちに追加されました。", "公演チケットの一般販売で、順番待ちに追加されたファンは50万人を超えた。"]),
    ("マイナポータル混雑", ["接続待機中", "マイナポータルは画面が自動的に更新される仕組みだが、30分以上待たされた人もいた。"]),
])
def test_a_dated_story_whose_lede_is_a_queues_words_alone_is_an_article(title, paragraphs):
    from crawler.extract import extract_article

    article = extract_article(story(title, paragraphs, NOW).encode(), "https://example.jp/site/a/1.html")
    assert article is not None and article.title.split(" | ")[0] == title and paragraphs[1] in article.paragraphs


@pytest.mark.parametrize("title, paragraphs", [
    # A waiting room in a CMS's template that dates every page in its head (the page's generation time as
    # article:published_time): each was taken for a dated story opening with a queue's words, and stored.
    ("お待ちください", ["ただいま順番にご案内しております。", "予想待ち時間：約5分",
                   "このページは自動的に更新されます。そのままお待ちください。"]),
    ("毎朝新聞", ["現在、アクセスが集中しているため、順番にご案内しております。", "待ち時間の目安：約15分"]),
    ("Waiting Room", ["You are now in line.", "Thank you for your patience.",
                      "Your estimated wait time is 4 minutes."]),
    ("Maiasa", ["You have been placed in a virtual queue.", "Estimated wait time: 5 minutes"]),
    # ... whose other sentences apologise for the wait or say what happens at one's turn (Queue-it's and Cloudflare's
    # default pages): each was a sentence of a story's, and the waiting room stored as the article.
    ("お待ちください", ["ただいま順番にご案内しております。", "ご迷惑をおかけして申し訳ございません。"]),
    ("お待ちください", ["ただいま順番にご案内しております。", "予想待ち時間：約5分",
                   "順番が来ましたら、10分以内にウェブサイトにアクセスしてください。"]),
    ("お待ちください", ["ただいま順番にご案内しております。", "予想待ち時間：約5分",
                   "大変ご不便をおかけしますが、ご理解のほどよろしくお願いいたします。"]),
    ("Waiting Room", ["You are now in line.", "We apologize for the inconvenience.",
                      "Your estimated wait time is 4 minutes."]),
    ("Waiting Room", ["You are now in line.", "When it is your turn, you will have 10 minutes to enter the website.",
                      "Your estimated wait time is 4 minutes."]),
    ("Queue-it", ["You are now in line.",
                  "Thank you for waiting. Due to high demand, we are sending visitors in order.",
                  "Estimated wait time: 5 minutes"]),
    ("Waiting Room powered by Cloudflare", ["順番待ちに追加されました。", "ご不便をおかけいたしますが、よろしくお願いいたします。",
                                            "予想待機時間は 5 分です。", "このページは自動的に更新されます。ブラウザを閉じないでください。"]),
    # ... its wait in hours, unknown, or its queue's reason given; NetFUNNEL's count of those ahead; Queue-it's page.
    ("Waiting Room powered by Cloudflare", ["順番待ちに追加されました。", "予想待機時間は 1 時間 30 分です。",
                                            "このページは自動的に更新されます。"]),
    ("Waiting Room powered by Cloudflare", ["順番待ちに追加されました。", "予想待機時間は不明です。"]),
    ("Waiting Room powered by Cloudflare", ["順番待ちに追加されました。",
                                            "大量のトラフィックが発生しています。仮想キューを使用しています。",
                                            "予想待機時間は 5 分です。"]),
    ("毎朝新聞", ["接続待機中", "予想待機時間 00:00:12", "お客様の前に 1,234人、後ろに 56人の待機ユーザーがいます。",
              "接続されるまで画面を閉じずに、しばらくお待ち下さい。"]),
    ("毎朝新聞", ["現在、順番待ちをしています", "お客様の順番が来ましたら、自動的にサイトに移動します。",
              "お客様の前にいる人数：1234", "予想待ち時間：約10分"]),
    # ... whose sentences name its buttons in quotation marks, the waiting room's words outside them: each was read as
    # a story quoting someone, and the waiting room stored as the article.
    ("お待ちください", ["ただいま順番にご案内しております。", "予想待ち時間：約5分",
                   "ブラウザの「戻る」「更新」ボタンは押さずに、このままお待ちください。"]),
    ("Waiting Room", ["You are now in line.",
                      "Please wait. Do not press “Back” or “Refresh”, or you will lose your place.",
                      "Your estimated wait time is 4 minutes."]),
    # ... Cloudflare's default page when it knows no wait time, or a long one.
    ("Waiting Room", ["You are now in line.", "Thank you for your patience.",
                      "Your estimated wait time is unavailable.",
                      "This page will automatically refresh, please do not close your browser."]),
    ("Waiting Room", ["You are now in line.", "Thank you for your patience.",
                      "Your estimated wait time is more than 4 hours."]),
    ("Waiting Room", ["You are now in line.", "Thank you for your patience.",
                      "We are experiencing a high volume of traffic and using a virtual queue to limit the amount of "
                      "users on the website at the same time. This will ensure you have the best possible online "
                      "experience.", "Your estimated wait time is 5 minutes."]),
])
def test_a_waiting_room_dated_by_its_template_is_no_article(title, paragraphs):
    from crawler.extract import extract_article
    from crawler.outcome import no_article_problem

    body = story(title, paragraphs, NOW).encode()
    assert extract_article(body, "https://example.jp/site/a/1.html") is None
    assert no_article_problem(body).code == "site_busy"


@pytest.mark.parametrize("title, line", [
    # Undated (the article's metadata stripped), the notice's words told as someone's: each was site_busy.
    ("マイナ保険証", "アクセスが混み合っています、と表示され、マイナポータルに接続しにくい状態が続いた。"),
    ("駅の混雑", "順番にご案内しています、と係員は拡声器で繰り返した。改札の前には長い列ができた。"),
    ("Game launch", "You're in the queue, the screen said, for hours on launch night as servers buckled."),
    # ... a wait told so, its sentence ending in です: site_busy since Cloudflare's 予想待機時間は 5 分です。 was a notice.
    ("新型スマホ発売", "予想待機時間は約3時間です、と係員は拡声器で繰り返した。店の前には長い列ができた。"),
])
def test_a_notice_told_as_someones_words_is_a_story(title, line):
    from crawler.extract import extract_article

    article = extract_article(in_real_template(f"{title} - 毎日新聞", title, line),
                              "https://mainichi.jp/articles/20250114/k00/00m/030/335000c")
    assert article is not None and article.title == title


# -- an article drawn by JavaScript from a state script -----------------------------------------

def _state(article: dict) -> str:
    return json.dumps({"props": {"pageProps": {"article": article}}}, ensure_ascii=False)


# Twelve distinct paragraphs (each one counts once), none of them 200 characters long.
PARAGRAPHS = [p.replace("市", f"第{n}区の市", 1) for n, p in enumerate(BUS * 3)]
DRAWN = {
    "next": page("市営バス再編案 | 毎朝新聞", '<div id="__next"><div class="loading">読み込み中…</div></div>'
                 '<script id="__NEXT_DATA__" type="application/json">'
                 + _state({"title": "市営バス再編案", "body": "".join(f"<p>{p}</p>" for p in BUS * 2)}) + "</script>"),
    "redux": page("市営バス再編案 | 毎朝新聞", '<div id="root"></div><script>window.__INITIAL_STATE__ = '
                  + _state({"title": "市営バス再編案", "body": "\\n".join(BUS * 2)}) + ";</script>"),
    # A paragraph a string, none of them 200 characters: stored, the menu and "読み込み中" were
    # the article, under a headline the script holds too (which made the page look rendered).
    "paragraphs": page("市営バス再編案 | 毎朝新聞", '<div id="__next"><h1>市営バス再編案</h1><p>読み込み中…</p></div>'
                       '<script id="__NEXT_DATA__" type="application/json">' + _state(
                           {"title": "市営バス再編案", "body": [{"type": "p", "text": p} for p in PARAGRAPHS]}) + "</script>"),
    # Rich text (Sanity's Portable Text): a block's spans, a bold one among them, and its links' marks.
    "rich-text": page("市営バス再編案 | 毎朝新聞", '<div id="__next"><h1>市営バス再編案</h1></div>'
                      '<script id="__NEXT_DATA__" type="application/json">' + _state(
                          {"title": "市営バス再編案", "body": [
                              {"_type": "block", "style": "normal", "markDefs": [
                                  {"_type": "link", "href": "https://example.jp/site/a/2.html"}],
                               "children": [{"_type": "span", "text": p[:10]},
                                            {"_type": "span", "marks": ["strong"], "text": p[10:]}]}
                              for p in PARAGRAPHS]}) + "</script>"),
    # ... under a name of the site's own: a framework's state, in JSON all the same.
    "own-json": page("市営バス再編案 | 毎朝新聞", '<main id="app"><h1>市営バス再編案</h1></main>'
                     '<script type="application/json" id="app-state">' + _state(
                         {"headline": "市営バス再編案", "paragraphs": PARAGRAPHS}) + "</script>"),
}


@pytest.mark.parametrize("kind", sorted(DRAWN))
def test_an_article_only_its_scripts_hold_is_said_to_be_drawn_by_javascript(env, site, kind):
    # Stored before: the site's menu (政治経済国際社会スポーツ) as the article's text.
    site.publish_html("/site/a/1.html", DRAWN[kind], title="市営バス再編案", published=NOW, channels=["feed"])
    assert crawl(env).returncode == 0
    assert rows(env, "select title from articles") == []
    row = url_row(env, site, "/site/a/1.html")
    assert row["kind"] == "error" and row["reason_code"] == "drawn_by_script"
    assert row["reason"].startswith("the article is drawn by JavaScript")


@pytest.mark.parametrize("data", [
    # Related stories' cards, a headline and a summary each (a link or not), twice over (the same
    # cards under a ranking): sentences of other stories, 470 characters in all.
    {"related": [{"title": f"関連{n}", "summary": p + p} for n, p in enumerate(PARAGRAPHS[:6])],
     "ranking": [{"title": f"関連{n}", "summary": p + p} for n, p in enumerate(PARAGRAPHS[:6])]},
    {"related": [{"headline": f"関連{n}", "link": {"href": f"/site/a/{n}.html"}, "text": p}
                 for n, p in enumerate(PARAGRAPHS)]},
    # A gallery's captions, comments, a recipe's steps: lists of sentences that are no article's
    # body, and the next article's body preloaded under its own headline (a re-check's pages).
    {"photo": {"captions": PARAGRAPHS}},
    {"comments": [{"user": f"読者{n}", "likes": n, "text": p} for n, p in enumerate(PARAGRAPHS)]},
    {"recipe": {"steps": PARAGRAPHS}},
    {"nextArticle": {"title": "市営バス再編案、市議会で審議入り", "body": PARAGRAPHS}},
    # ... under a title that opens with this one's (the next episode), or a series' name or a
    # category within this one's headline; and photos under the body's key.
    {"next": {"title": "市営バス一部運休（続報）乗り合いタクシーを導入へ", "body": PARAGRAPHS}},
    {"next": {"name": "市営バス", "series": "市営バス一部運休", "category": "市営バス一部運休", "body": PARAGRAPHS}},
    {"article": {"title": "市営バス一部運休", "content": {"photos": [{"src": f"/p/{n}.jpg", "caption": p}
                                                                    for n, p in enumerate(PARAGRAPHS)]}}},
    # The site's messages: a dictionary of sentences, no list of paragraphs.
    {"messages": {f"error{n}": f"通信エラーが発生しました。時間をおいて再度お試しください（コード{n}）。" for n in range(14)}},
    # Ids, patterns and base64, however long.
    {"ads": "abn/abn-wysiwyg-ads,abn/bootstrap-scripts,abn/bootstrap-styles,abn/global-colors" * 4,
     "ids": "MjE1MjU5NDI4Nw==,MjE1NDYyNzI3Nw==,MjE1NDg2ODczOA==" * 6},
], ids=["cards", "linked-cards", "captions", "comments", "steps", "next-article", "next-episode", "series",
        "photos-in-body", "messages", "ids"])
def test_a_short_story_whose_json_holds_other_sentences_is_an_article(data):
    # A list of paragraphs is an article's worth of text at SCRIPT_PARAGRAPHS_CHARS, each counted
    # once; a flash whose page's JSON held as many sentences of anything else was lost as "drawn
    # by JavaScript" (a re-check of the rule's first form).
    from crawler.extract import drawn_by_script, extract_article
    from crawler.outcome import no_article_problem

    flash = "市は16日、市営バスの運行を一部見合わせると発表した。"
    script = ('<script type="application/json" id="__NEXT_DATA__">'
              + json.dumps({"props": {"pageProps": data}}, ensure_ascii=False) + "</script>")
    html = story("市営バス一部運休", [flash], NOW).replace("</main>", "</main>" + script)
    assert drawn_by_script(html.encode()) is None
    article = extract_article(html.encode(), "https://example.jp/site/a/1.html")
    assert article is not None and flash in article.paragraphs
    # A page that shows nothing of them, they are all its JSON holds: no article, nor one drawn.
    bare = page("毎朝新聞", '<div id="app"></div>' + script)
    assert no_article_problem(bare.encode()).code != "drawn_by_script"


@pytest.mark.parametrize("flash", ["市は16日、市営バスの運行を一部見合わせると発表した。詳しい内容は分かり次第お伝えします。",
                                   "市は16日、市営バスの運行を一部見合わせると発表した。"])
def test_a_flash_read_with_its_headline_and_date_line_whose_text_its_json_holds_is_an_article(flash):
    # Generic extraction may read the headline and the date line into the first paragraph: its
    # first 20 characters were looked for in the script, and the flash, whose text is there
    # (server-rendered) with the rest of the article its page does not show yet, was taken for a
    # page drawn by JavaScript; a story of one sentence had no other sentence to be found by.
    from crawler.extract import drawn_by_script, extract_article

    script = ('<script type="application/json" id="__NEXT_DATA__">' + json.dumps(
        {"props": {"pageProps": {"article": {"title": "市営バス一部運休", "body": [flash, *PARAGRAPHS]}}}},
        ensure_ascii=False) + "</script>")
    html = page("市営バス一部運休 | 毎朝新聞", f"<div>市営バス一部運休 2026年12月16日 10時05分 {flash}</div>" + script)
    read = ["市営バス一部運休 2026年12月16日 10時05分 " + flash]
    assert drawn_by_script(html.encode(), None, read, "市営バス一部運休") is None
    article = extract_article(html.encode(), "https://example.jp/site/a/1.html")
    assert article is not None and flash in " ".join(article.paragraphs)


def test_a_short_flash_rendered_with_its_state_script_is_an_article():
    # Server-rendered (its text in the HTML and in __NEXT_DATA__), preloading a longer article
    # it does not show: its own text is shown, so it is no page drawn by JavaScript.
    from crawler.extract import extract_article

    flash = "政府は16日午前、臨時閣議を開いた。詳しい内容は分かり次第お伝えします。"
    html = story("【速報】政府、臨時閣議", [flash], NOW).replace(
        "</main>", '</main><script id="__NEXT_DATA__" type="application/json">'
        + _state({"body": flash, "next": {"body": "".join(BUS) * 2}}) + "</script>")
    article = extract_article(html.encode(), "https://example.jp/site/a/1.html")
    assert article is not None and flash in article.paragraphs


@pytest.mark.parametrize("template, url, line", [
    ("fundus-jp/TheJapanNews_2024_10_13.html",
     "https://japannews.yomiuri.co.jp/politics/politics-government/20241013-216029/",
     "The Defense Ministry's website went down on Monday after too many requests flooded its servers, officials said."),
    ("goose/japantimes1.html", "https://www.japantimes.co.jp/news/2016/11/23/national/japan-south-korea/",
     'Visitors to the Defense Ministry\'s site saw a "Too many requests" error on Monday, the ministry said.'),
    ("fundus-jp/MainichiShimbun_2025_01_14.html", "https://mainichi.jp/articles/20250114/k00/00m/030/335000c",
     "X（旧ツイッター）は、APIへのリクエストが多すぎるため、無料版の利用に上限を設けると発表した。"),
    # Its headline and date before it in the page's own text: the notice opens no line of it.
    ("htmldate-eval/article.auone.jp-tax.html", "https://article.auone.jp/detail/1/2/3/1_1_r_20231027_1698384600000000",
     "防衛省のホームページにアクセスが集中しています。反撃能力の運用方針を公表した直後だった。"),
    ("htmldate-eval/article.auone.jp-tax.html", "https://article.auone.jp/detail/1/2/3/1_1_r_20231027_1698384600000000",
     "防衛省によりますと、ホームページに掲載していた記事が削除されました。誤りがあったためだということです。"),
])
def test_a_short_brief_that_mentions_a_notice_in_a_real_template_is_an_article(template, url, line):
    # Each was stored before the rate limit's words and the page's own text were read for a
    # notice, then taken for one: not_article, site_busy or withdrawn, the brief never stored.
    from lxml import html

    from crawler.extract import extract_article

    from .conftest import saved_bytes

    page = saved_bytes(template)
    tree = html.document_fromstring(page)
    # Each of the article's paragraphs, as its page marks it up: the first says the brief, the rest go.
    found = []
    for text in (" ".join(p.split()) for p in extract_article(page, url).paragraphs):
        holders = [e for e in tree.find("body").iter() if isinstance(e.tag, str) and e.tag not in ("script", "style")
                   and text in (shown := " ".join(e.text_content().split())) and len(shown) < len(text) * 1.3]
        if len(text) >= 15 and holders and not any(h in found or any(h in f.iterdescendants() for f in found)
                                                   for h in holders[-1:]):
            found.append(holders[-1])
    for element in found[1:]:
        element.drop_tree()
    for child in list(found[0]):
        found[0].remove(child)
    found[0].text = line
    for meta in tree.xpath("//meta[contains(@name, 'description') or contains(@property, 'description')]"
                           "|//script[@type='application/ld+json']"):
        meta.drop_tree()
    got = extract_article(html.tostring(tree, encoding="utf-8"), url)
    assert got is not None and line in got.text
