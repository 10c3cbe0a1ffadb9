"""A members-only article's page: its headline and lead are an article (``paywalled``), its menus,
login buttons and the lists around it are not.

The pages are our own, in the markup of the saved outlets' pages: Mainichi's news layout
(fundus-jp/MainichiShimbun_2025_01_14.html: a header of menus, ``section#articledetail-body``,
its paid box "この記事は有料記事です。") and Sankei's (java-extractarticle/000017-sankei.html:
``article.article-wrapper.paid_members``, ``div.article-body`` of ``p.article-text``). A site
without rules gets Mainichi's page at another address, read by generic extraction.
"""

from __future__ import annotations

import re

import pytest

from crawler.extract import extract_article
from crawler.outcome import no_article_problem

MAINICHI = "https://mainichi.jp/articles/20250114/k00/00m/010/123000c"
SANKEI = "https://www.sankei.com/article/20250114-ABCDEFGHIJKLMNOPQRSTUVWXYZ/"
NO_RULES = "https://www.maiasa.example/articles/1"

SECTIONS = {"政治": "政策 政局 選挙 安全保障", "経済": "企業・産業 金融政策・財政 マーケット",
            "国際": "アジア・オセアニア 北米 欧州 中東", "社会": "事件・事故・裁判 気象・地震 皇室",
            "スポーツ": "野球 サッカー ラグビー 相撲", "オピニオン": "社説 余録 世論調査"}
MENU_WORDS = {word for name, sub in SECTIONS.items() for word in [name, *sub.split()]}
HEADER = ('<div class="global-header"><header><div class="header-inner"><div class="header-logo"><a href="/">毎日新聞</a>'
          '</div><nav class="header-menu header-menu-right"><ul class="header-menu-list">'
          '<li><a href="/info/">宅配申込</a></li>'
          '<li><a href="/support/">サポート</a></li></ul><div class="header-member"><div class="header-signup">'
          '<a href="/signup/">新規登録</a></div><div class="header-login"><a href="/signup/accounts/free/login/">ログイン</a>'
          '</div></div></nav></div><nav id="gnav" class="gnav"><ul class="gnav-list"><li class="gnav-list-item">'
          '<a href="/">トップ</a></li>'
          + "".join(f'<li class="gnav-list-item has-submenu"><a href="/s{n}/">{name}</a><ul class="gnav-submenu">'
                    + "".join(f'<li><a href="/s{n}/{i}/">{s}</a></li>' for i, s in enumerate(sub.split()))
                    + "</ul></li>"
                    for n, (name, sub) in enumerate(SECTIONS.items()))
          + "</ul></nav></header></div>")
FOOTER = ('<div class="global-footer"><footer class="l-footer"><nav class="footer-nav"><h2 class="footer-nav-title">'
          '毎日新聞社について</h2><ul class="footer-nav-list">'
          + "".join(f'<li><a href="/about/{i}/">{n}</a></li>' for i, n in enumerate(
              ["会社案内", "お知らせ", "採用情報", "主催イベント", "利用規約", "著作権", "個人情報"]))
          + '</ul></nav><div class="footer-message"><p>毎日新聞のニュースサイトに掲載の記事・写真・図表など無断転載を禁止します。'
          '著作権は毎日新聞社またはその情報提供者に属します。</p></div><p class="copyright">Copyright THE MAINICHI NEWSPAPERS. '
          'All rights reserved.</p></footer></div>')
# Headlines of other articles, as rankings and related lists show them: a news monitor's own
# topic, to be found by relevance if they were ever this article's text.
OTHERS = ["防衛費増額の財源、法人税など3税目で調整へ 政府・与党", "安全保障関連3文書を閣議決定 反撃能力の保有を明記",
          "日米防衛相が会談 南西諸島の防衛態勢強化で一致", "自衛隊の統合司令部、24年度に創設へ 防衛省"]
RANKING = ('<div class="ranking-box"><h2 class="ranking-title">いま読まれている記事</h2><ol>'
           + "".join(f'<li><a href="/articles/2025011{i}/k00/00m/010/00{i}000c"><span class="rank">{i}</span>'
                     f'<p class="title">{t}</p></a></li>' for i, t in enumerate(OTHERS, 1)) + "</ol></div>")
# Mainichi's related box (its premier pages: <a> around a thumbnail and a p.title), no heading.
RELATED = ('<div class="list-box"><dl>' + "".join(
    f'<dd><a href="//mainichi.jp/articles/2025011{i}/k00/00m/010/00{i}000c"><span class="thumbnail"></span>'
    f'<p class="title">{t}</p></a></dd>' for i, t in enumerate(OTHERS, 1)) + "</dl></div>")
PAID_BOX = ('<div class="paywall-box"><div class="lead-txt">この記事は有料記事です。</div><div class="subtxt">残り1460文字'
            '（全文1620文字）</div><a class="link-btn" href="/signup/accounts/free/login/">ログインして続きを読む</a>'
            '<a class="link-btn btn-blue" href="/info/">いますぐ登録して続きを読む</a></div>')
LOGIN_PROMPT = ('<div class="paywall-login"><div class="lead-txt">この記事は有料会員限定です。</div>'
                '<div class="subtxt">ログインしてお読みください。</div>'
                '<a class="link-btn" href="/signup/accounts/free/login/">ログインして続きを読む</a>'
                '<a class="link-btn btn-blue" href="/info/">いますぐ登録して続きを読む</a></div>')
HEADLINE = "防衛費、5年で43兆円 政府が閣議決定"
LEAD = ["政府は14日の閣議で、2023年度から5年間の防衛費の総額を43兆円とする防衛力整備計画を決定した。",
        ("現行計画の1.5倍を超える規模で、反撃能力の保有に向けた長射程ミサイルの取得費などを盛り込んだ。財源の確保策を"
         "めぐっては、与党内でなお調整が続いている。")]


# Mainichi's own menu has ランキング second: read as text, it ends the text there (``extract._STOP``).
TOP = '<a href="/">トップ</a></li>'
HEADER_WITH_RANKING = HEADER.replace(TOP, TOP + '<li class="gnav-list-item"><a href="/ranking/">ランキング</a></li>')


def mainichi(title: str, body: str, aside: str = "", header: str = HEADER) -> str:
    """A page in Mainichi's news layout, ``body`` in its ``section#articledetail-body``."""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title} | 毎日新聞</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title} | 毎日新聞">'
            f'<meta name="cXenseParse:recs:mai-title" content="{title}">'
            '<meta property="article:published_time" content="2025-01-14T20:11:00+09:00"></head>'
            f'<body>{header}<div id="main" class="l-contents"><div class="main-contents"><article>'
            '<div class="l-wrapper">'
            '<div class="l-flex-wrapper is-article"><div class="main-column"><div id="articledetail-title">'
            f'<h1 class="title-page">{title}</h1></div><section id="articledetail-body">{body}</section></div>'
            f'<aside class="sub-column">{aside}</aside></div></div></article></div></div>{FOOTER}</body></html>')


def sankei(title: str, paragraphs: list[str]) -> str:
    """A paid page in Sankei's layout: its teaser's paragraphs, and the empty offer box a script fills."""
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title} - 産経ニュース</title>'
            '<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2025-01-14T20:11:00+09:00"></head>'
            f'<body>{HEADER}<main><article class="article-wrapper paid_members"><div class="article-header">'
            f'<h1 class="article-headline">{title}</h1><span class="restrictions">有料会員記事</span></div>'
            '<div class="article-body clearfix">' + "".join(f'<p class="article-text">{p}</p>' for p in paragraphs)
            + '</div><div id="__member_offer_block"></div><div class="article-footer-wrapper">'
            '<div class="article-footer-tag">'
            f'<a class="top-tag" href="/tag/politics/">政治</a></div></div></article><aside>{RANKING}</aside></main>'
            f'{FOOTER}</body></html>')


def menus_in(article) -> set[str]:
    return MENU_WORDS & set(re.split(r"\s+", article.text)) | MENU_WORDS & set(article.paragraphs)


# -- (a) a members-only page whose body is a login prompt, in a template of menus --------------------

@pytest.mark.parametrize("url", [MAINICHI, NO_RULES], ids=["rules", "generic"])
@pytest.mark.parametrize("prompt", [PAID_BOX, LOGIN_PROMPT], ids=["paid-box", "login-prompt"])
@pytest.mark.parametrize("header", [HEADER, HEADER_WITH_RANKING], ids=["menus", "menus-with-ranking"])
def test_a_members_only_page_that_shows_only_a_login_prompt_is_its_headline_without_the_menus(url, prompt, header):
    # Before: the rules read the box and nothing else, fell back to generic extraction, which
    # read the header's menus (政治 安全保障 …); the page was stored as a teaser whose text was
    # the site's navigation or, the menus cut at their ランキング before the prompt, as a free
    # article of menus.
    article = extract_article(mainichi(HEADLINE, prompt, header=header), url)
    assert article is not None and article.paywalled
    assert article.title == HEADLINE
    assert article.paragraphs == [], menus_in(article)


def test_a_login_page_in_an_article_template_is_a_login_wall_not_an_article():
    # The outlet's login page, og:type "article" and all: its heading is the wall's, no headline.
    page = mainichi("会員限定記事", "<p>この記事は会員限定です。ログインしてください。</p>"
                    '<p><a href="/login">ログイン</a> <a href="/signup">会員登録（無料）</a></p>')
    for url in (MAINICHI, NO_RULES):
        assert extract_article(page, url) is None
    assert no_article_problem(page.encode()).code == "wall_login"


# -- (b) a real teaser: its lead and a paywall prompt ---------------------------------------------------

@pytest.mark.parametrize("page,url", [
    (mainichi(HEADLINE, "".join(f"<p>{p}</p>" for p in LEAD) + PAID_BOX), MAINICHI),
    (sankei(HEADLINE, LEAD), SANKEI),
], ids=["mainichi", "sankei"])
def test_a_teasers_lead_is_its_text(page, url):
    article = extract_article(page, url)
    assert article is not None and article.paywalled
    assert (article.title, article.paragraphs) == (HEADLINE, LEAD)


def test_a_teasers_lead_read_without_rules_is_kept():
    # trafilatura gives so short a page's article as one line (its headline, lead and the paid
    # box's words run together): no prompt of its own to end it, and no line of menus to drop.
    article = extract_article(mainichi(HEADLINE, "".join(f"<p>{p}</p>" for p in LEAD) + PAID_BOX), NO_RULES)
    assert all(line in article.text for line in LEAD)
    assert not menus_in(article)


def test_a_teasers_lead_with_links_in_it_is_kept_whole():
    linked = [LEAD[0].replace("防衛力整備計画", '<a href="/topics/defense-plan/">防衛力整備計画</a>'), LEAD[1]]
    article = extract_article(sankei(HEADLINE, linked), SANKEI)
    assert article.paragraphs == LEAD


# -- (c) a teaser whose rules' body also holds a ranking or a related list -----------------------------

@pytest.mark.parametrize("box", [RANKING, RELATED], ids=["ranking", "related"])
def test_a_list_of_other_articles_in_a_teasers_body_is_not_its_text(box):
    # Before: the list's headlines (and the ranking's heading and numbers) were the teaser's text
    # after its lead, where relevance read 防衛 and 安全保障 as this article's.
    page = mainichi(HEADLINE, "".join(f"<p>{p}</p>" for p in LEAD) + box + PAID_BOX)
    article = extract_article(page, MAINICHI)
    assert article.paywalled and article.method.startswith("rules:mainichi@")
    assert article.paragraphs == LEAD


def test_a_short_teaser_read_generically_ends_at_its_prompt_and_is_paywalled():
    # A teaser's page is short, and trafilatura reads a page under its minimum whole, in one line:
    # the lead, the prompt and its buttons were one paragraph, stored as the whole article, not
    # paywalled, and the outlet's health stayed ok while every article was a teaser.
    lead = "防衛省は5日、新たな防衛力整備計画の概要を発表した。関係者によると、計画には南西諸島の防衛強化が盛り込まれる。"
    prompt = "この記事は有料会員限定です。残り2451文字。続きを読むには会員登録（初月無料）またはログインしてください。"

    def page_of(body: str) -> bytes:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>防衛省が新計画 | 地方新報</title>'
                '<meta property="og:type" content="article"></head><body><header><a href="/">地方新報</a></header>'
                '<article><h1>防衛省が新計画</h1><time datetime="2026-12-05T10:00:00+09:00">2026-12-05</time>'
                f'{body}</article><footer>© 地方新報</footer></body></html>').encode()

    article = extract_article(page_of(f'<p>{lead}</p><div class="paywall"><p>{prompt}</p><a href="/subscribe">有料会員'
                                      'になる</a> <a href="/login">ログイン</a></div>'), NO_RULES)
    assert article is not None and article.paywalled and article.method == "generic:trafilatura"
    assert article.text.endswith(lead) and "会員" not in article.text and "ログイン" not in article.text
    # Nikkei's prompt, and an English site's (the form before this cut them; the first form of the
    # block's test did not).
    for prompt, buttons in (("日経電子版に会員登録すると続きをお読みいただけます。", "会員登録 ログイン"),
                            ("This article is for subscribers only. Subscribe to read the full article.",
                             "Subscribe Log in"),
                            ("Subscribe to continue reading this story.", "Subscribe Sign in")):
        links = "".join(f'<a href="/{n}">{word}</a> ' for n, word in enumerate(buttons.split(" ")))
        read = extract_article(page_of(f'<p>{lead}</p><div class="paywall"><p>{prompt}</p>{links}</div>'), NO_RULES)
        assert read is not None and read.paywalled and read.text.endswith(lead), (prompt, read.text)
    # A short story that quotes a prompt or mentions one in a sentence of its own keeps its text
    # (each was cut, and flagged, by the first form of this).
    for inner, kept in ((f"<p>同社のサイトでは「{prompt[:13]}」と表示される。</p><p>読者からは不満の声も出ている。</p>",
                         "不満の声も出ている。"),
                        ("<p>読者からは<strong>続きを読むには登録が必要</strong>との声があった。同社は対応を検討する。</p>",
                         "同社は対応を検討する。")):
        read = extract_article(page_of(f"<p>{lead}</p>{inner}"), NO_RULES)
        assert read is not None and not read.paywalled and read.text.endswith(kept), read.text
