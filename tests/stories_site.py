"""Outlets on 127.0.0.x for the story, version and revisit tests: articles written for them.

Two events of one topic (the security documents) on one day, told by several outlets in their
own words: a government expert panel's first meeting (three outlets) and the first deployment
of long-range missiles at a GSDF camp (two outlets, and a Kyodo wire story that a regional
paper reprints). A third outlet's first report of the meeting is a two-line flash, updated
later into a full, relevant article; another outlet corrects a figure and adds a paragraph.
The people, the camp's news and the figures are made up for the tests; the texts are ours.
Each outlet is a ``LoopbackSite`` on a loopback address of its own, as outlets are hosts of
their own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from crawler.dates import JST
from crawler.testsite import LoopbackSite, RSS_PATH


@dataclass(frozen=True)
class Story:
    key: str          # which test article
    outlet: str       # outlet key in the config
    path: str
    title: str
    paragraphs: tuple[str, ...]
    hour: int         # published at this hour (JST) on the day


DAY = datetime(2026, 11, 20, tzinfo=JST)

PANEL = ("a", "b", "c")               # the panel's first meeting
MISSILES = ("d", "e", "kyodo", "regional")  # the deployment

ARTICLES: dict[str, Story] = {s.key: s for s in (
    Story("a", "toto", "/site/toto/politics/20261120-01.html",
          "安保3文書改定へ有識者会議が初会合 座長に山川元次官", (
              "政府は20日、国家安全保障戦略など安保3文書の改定に向けた有識者会議の初会合を首相官邸で開いた。"
              "座長には山川一郎・元防衛事務次官が就いた。",
              "首相は冒頭のあいさつで「戦後最も厳しい安全保障環境を直視し、率直な議論をお願いしたい」と述べた。",
              "会議は委員15人で構成し、月1回のペースで議論を重ねる。来年夏をめどに提言をまとめる方針だ。",
              "初会合では、反撃能力の運用や防衛費の財源をめぐって委員から意見が相次いだという。",
          ), 10),
    Story("b", "kanto", "/site/kanto/news/a8812.html",
          "有識者会議、初会合で山川座長を選出 安保3文書改定の論点議論", (
              "安保3文書の改定を議論する政府の有識者会議が20日、首相官邸で初めて開かれ、"
              "山川一郎元防衛事務次官を座長に選んだ。",
              "首相は「国民の理解を得ながら防衛力の抜本的強化を進める」と強調した。",
              "委員からは、反撃能力の運用の具体化や、防衛産業の基盤を強める策を求める声が出た。提言は来年夏ごろの見込み。",
          ), 11),
    # A flash: no topic term yet, so not relevant until its update (UPDATED["c"]).
    Story("c", "hoso", "/site/hoso/flash/k100231.html",
          "有識者会議が初会合 首相官邸で", (
              "政府の有識者会議が20日、首相官邸で初会合を開いた。山川一郎元事務次官が座長に就いた。",
              "会合は約1時間で、委員15人が出席した。",
              "詳しい内容は分かり次第お伝えします。",
          ), 10),
    Story("d", "saikai", "/site/saikai/article/20261120-missile.html",
          "長射程ミサイル、健軍駐屯地に配備開始 反撃能力の運用へ", (
              "防衛省は20日、反撃能力を担う長射程ミサイル「改良型12式地対艦誘導弾」の配備を、"
              "陸上自衛隊健軍駐屯地（熊本市）で始めたと発表した。",
              "安保3文書に基づく措置で、国内への配備は初めて。射程は約1000キロとされる。",
              "駐屯地周辺では市民団体が配備に反対する集会を開き、約200人が参加した。",
          ), 9),
    Story("e", "nanyo", "/site/nanyo/local/0320.html",
          "熊本に長射程ミサイル配備 市民団体「説明不足」と反発", (
              "陸上自衛隊健軍駐屯地（熊本市）に20日、反撃能力の中核となる長射程ミサイルが配備された。"
              "安保3文書で保有を決めた装備で、国内初の配備となる。",
              "防衛省は射程を約1000キロと説明している。",
              "地元の市民団体は「住民への説明が不足している」として、配備の撤回を求める要請書を提出した。",
          ), 13),
    # Another article of the same outlet, on nothing of the kind (its revisit waits for the limit).
    Story("e2", "nanyo", "/site/nanyo/local/0321.html",
          "港湾の再整備計画、市が素案を公表", (
              "市は20日、老朽化した港湾施設の再整備計画の素案を公表した。岸壁の耐震化と物流倉庫の集約が柱となる。",
              "事業費は約80億円を見込み、来年度から10年かけて段階的に進める。",
              "市は12月に説明会を開き、事業者や住民の意見を募る。",
          ), 15),
    Story("kyodo", "kyodo", "/site/kyodo/news/2026/11/a1f3c9.html",
          "長射程ミサイルを初配備 熊本・健軍駐屯地", (
              "防衛省は20日、相手のミサイル発射拠点などをたたく反撃能力を担う長射程ミサイルを、"
              "陸上自衛隊健軍駐屯地（熊本市）に配備したと発表した。国内での配備は初めて。",
              "配備されたのは改良型の12式地対艦誘導弾で、射程は約1000キロ。"
              "安保3文書に基づき、2027年度までに全国で配備を進める。",
              "防衛相は記者会見で「抑止力の強化につながる」と述べた。一方、地元では住民の不安の声も根強い。",
          ), 12),
    # An outlet whose page comes back empty on the revisit (tests/test_stories_e2e.py).
    Story("h", "hokuriku", "/site/hokuriku/local/20261120-school.html",
          "県立高校の再編計画、2校を統合へ 県教委が方針", (
              "県教育委員会は20日、生徒数の減少を受けた県立高校の再編計画で、沿岸部の2校を2029年度に統合する方針を示した。",
              "統合後の校舎は現在の北高校を使い、通学バスの路線を見直す。",
              "地元の同窓会からは校名の存続を求める声が上がっている。",
          ), 16),
    # The regional paper's reprint of Kyodo's story: its own headline, the last sentence cut, a credit.
    Story("regional", "regional", "/site/regional/national/77120.html",
          "長射程ミサイル初配備 陸自健軍駐屯地", (
              "防衛省は20日、相手のミサイル発射拠点などをたたく反撃能力を担う長射程ミサイルを、"
              "陸上自衛隊健軍駐屯地（熊本市）に配備したと発表した。国内での配備は初めて。",
              "配備されたのは改良型の12式地対艦誘導弾で、射程は約1000キロ。"
              "安保3文書に基づき、2027年度までに全国で配備を進める。",
              "防衛相は記者会見で「抑止力の強化につながる」と述べた。（共同）",
          ), 14),
)}

#: The articles as their outlets update them between two crawls.
UPDATED: dict[str, Story] = {
    # A figure corrected (15 → 16 members) and a paragraph added.
    "a": Story("a", "toto", ARTICLES["a"].path, ARTICLES["a"].title, (
        ARTICLES["a"].paragraphs[0],
        ARTICLES["a"].paragraphs[1],
        "会議は委員16人で構成し、月1回のペースで議論を重ねる。来年夏をめどに提言をまとめる方針だ。",
        ARTICLES["a"].paragraphs[3],
        "（追記）会合後、山川座長は記者団に「年内に論点を整理して示したい」と語った。",
    ), 10),
    # The flash becomes the full story, and relevant.
    "c": Story("c", "hoso", ARTICLES["c"].path, "安保3文書改定へ有識者会議が初会合 首相「率直な議論を」", (
        "政府の有識者会議が20日、首相官邸で初会合を開いた。安保3文書の改定に向け、山川一郎元事務次官が座長に就いた。",
        "首相は「率直な議論をお願いしたい」と述べ、反撃能力の運用などを論点に挙げた。",
        "会議は来年夏をめどに提言をまとめる。",
    ), 10),
}

#: The loopback address of each outlet's site.
HOSTS = {"toto": "127.0.0.1", "kanto": "127.0.0.2", "hoso": "127.0.0.3", "saikai": "127.0.0.4",
         "nanyo": "127.0.0.5", "kyodo": "127.0.0.6", "regional": "127.0.0.7", "hokuriku": "127.0.0.8"}


def page(story: Story) -> str:
    """The article as its outlet's page: a header, the article with its headline, a footer; the
    time in its metadata."""
    published = DAY.replace(hour=story.hour).isoformat()
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    title = html.escape(story.title)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f'<header><nav><a href="/">トップ</a></nav></header>'
            f'<article><h1>{title}</h1>\n{body}\n</article>'
            f'<footer>{html.escape(story.outlet)} test site</footer></body></html>')


def start_sites(*, validators: dict[str, bool] | None = None) -> dict[str, LoopbackSite]:
    """One started site per outlet, its articles published (listed in its RSS feed)."""
    sites: dict[str, LoopbackSite] = {}
    for outlet, host in HOSTS.items():
        site = LoopbackSite([], host=host, article_validators=(validators or {}).get(outlet, True)).start()
        sites[outlet] = site
        for story in ARTICLES.values():
            if story.outlet == outlet:
                site.publish_html(story.path, page(story), title=story.title,
                                  published=DAY.replace(hour=story.hour), channels=["feed"])
    return sites


def config_toml(sites: dict[str, LoopbackSite], extra: str = "") -> str:
    """The config: each outlet (kyodo overrides the built-in one) reading its site's RSS feed."""
    lines = []
    for outlet, site in sites.items():
        lines += [f"[outlets.{outlet}]", f'name = "{outlet}"', 'language = "ja"',
                  f'domains = ["{HOSTS[outlet]}"]', f'feeds = ["{site.url(RSS_PATH)}"]', "sitemaps = []",
                  "start_urls = []", f'article_url_pattern = "^/site/{outlet}/"', ""]
    return "\n".join(lines) + extra
