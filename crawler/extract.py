"""``extract_article``: one HTML page in, one clean ``Article`` (or ``None``) out.

Pure and synchronous: no Scrapy, no I/O, so the crawler can run it in worker processes and the
CLI, the tests and ``reextract`` all get the same result for the same bytes.

Order of trust: the outlet's rules (selectors written against its markup) for the body, JSON-LD
and ``<meta>`` for metadata, trafilatura for any page no rule matches. Boilerplate that still
slips through (rankings, "POPULAR ARTICLE", paywall prompts) ends the text wherever it appears
as a paragraph of its own, whichever path produced it.
"""

from __future__ import annotations

import codecs
import html as html_module
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html as lxml_html

from .article import Article
from .dates import JST, parse_datetime, parse_labelled, to_iso
from .encoding import decode_html
from .furniture import furniture_lines, has_sentence
from .generic import clean_title, cut_trailing_blocks, site_names, trafilatura_metadata, trimmed_by
from .metadata import PageMeta, ld_names, ld_text, read_meta
from .outlets import Outlet, Rules, compile_selector, outlet_for_url
from .pagination import next_page, whole_at
from .urls import canonical_url, parsable
from .stubs import says_moved, sends_on
from .walls import asked_wall, asks_age, geo_wall, own_text, states_region, wall_heading

GENERIC_METHOD = "generic:trafilatura"
#: ``body:<outlet>@<layout>``: the text of the rules' body a line a block, where their paragraph
#: selector no longer named its paragraphs (``_blocks``).
BODY_METHOD_PREFIX = "body:"

# After a heading's word, where a sentence or a sub-heading goes on with a particle ("関連記事の…",
# "ランキングで…"); a heading's "関連記事を見る" and "…をもっと見る" go on.
_NO_PARTICLE = r"(?![のがはにでともへや]|を(?!(?:もっと)?見る))"
# A paragraph that is one of these (whole, after whitespace is collapsed) is where the article
# has ended and the page's furniture begins. Anchored so that a sentence that merely mentions
# "ranking" never cuts an article short. A heading that may run on ("関連記事を見る：ゲーム",
# "アクセスランキング（国内）") runs on without a 。 and not into a particle, and a notice ends
# where its words do: a sentence or a sub-heading of the article that begins with them ("関連記事の
# 削除を求める…した。", "関連記事の削除要請が急増", "無断転載を禁止する規定に…", "Copyright holders
# say…") ended the text there, and the rest was lost. Most of them (``_BOX``) are the headings
# of a box that a page may put amid the text (related links, a ranking, recommendations, a share
# bar): followed by a sentence of the article, they end nothing (``_past_box``). A notice
# (copyright, 無断転載) ends the text wherever it is.
_QUOTED = r"(?:[\"“][^\"”]{1,30}[\"”]\s*)?"
_BOX_WORDS = (
    r"POPULAR ARTICLES?|(?:JN )?ACCESS RANKING|MOST (?:READ|POPULAR)"
    r"|RELATED (?:STORIES|ARTICLES?|NEWS)|Related (?:Stories|Articles?|News)|Recommended(?: for you)?"
    r"|Read more|Most Read|Share this(?: article)?|SHARE"
    rf"|アクセスランキング{_NO_PARTICLE}[^。]*|ランキング|関連記事{_NO_PARTICLE}[^。]*|関連ニュース"
    r"|おすすめ(?:情報|記事)?|こちらもおすすめ|オススメ(?:情報|記事)?|あわせて読みたい|合わせて読みたい|関連リンク"
    r"|(?:人気|最新|新着)(?:記事|ニュース)|この記事を読んだ人(?:は|が)?(?:こんな記事も読んでいます)?"
    # NHK's link to an earlier report under its own ("【詳しくはこちら】<its headline>").
    r"|この記事をシェア|シェアする|注目ワード|関連キーワード|【関連(?:記事|ニュース)】.*|【(?:詳しく|くわしく)はこちら】.*"
    # Boxes of other stories a redesign may put inside a body (a probe's 「注目ニュース」 box of
    # headlines in Sankei's body was stored amid the article's text).
    r"|注目(?:の)?(?:記事|ニュース|トピックス)|ピックアップ|PICK ?UP|Pick ?[Uu]p")
_STOP = re.compile(
    # The Japan Times' list of its section's newest stories, inside its body, each headline with a
    # teaser cut mid-word ("…criticism of Ja..."): never looked past as a box, whose teasers read
    # as sentences; it ends the text.
    rf"{_QUOTED}(?:{_BOX_WORDS}|LATEST (?:[A-Z]+ )?STORIES|カテゴリーをフォローする"
    r"|有料会員になると会員限定の有料記事もお読みいただけます。?"
    r"|【[^】]*キャンペーン】.*|無断転載.{0,12}?禁(?:じます|止(?:します|です)?)(?:[。.\s].*)?"
    r"|Copyright\s*(?:©|\([cC]\)|(?:19|20)\d\d\b).*|Copyright\b.*\b[Aa]ll [Rr]ights [Rr]eserved.*"
    r"|Copyright (?:Policy|Notice)|©.*)",
)
_BOX = re.compile(rf"{_QUOTED}(?:{_BOX_WORDS})")
# A line that is a button's or a link's label and nothing more (a share bar's ツイート / シェア, a
# paywall's 続きを読む / 会員登録, an ad's 広告 / PR), alone or several in a row, as trafilatura
# writes a list's items too ("- ツイート"): never a line of an article.
_LABEL_WORD = (r"(?:続きを読む|全文を読む|もっと見る|次の記事|前の記事|記事保存|保存|印刷|ツイート|ポスト|シェア|"
               r"LINEで送る|ブックマーク|はてなブックマーク|ログイン|会員登録|無料会員登録|広告|PR|スポンサーリンク|"
               r"Tweet|Share|Print|Subscribe|Sign up|Log in|Continue reading|Advertisement|Sponsored)")
_LABEL = re.compile(rf"(?:[-・•]\s*)?{_LABEL_WORD}(?:\s*[/|｜・\s]\s*(?:[-・•]\s*)?{_LABEL_WORD})*")
# A list item's mark as trafilatura writes it ("- 関連記事"): the line is matched without it.
_LIST_MARK = re.compile(r"^[-・•]\s+")
# Of those, a share bar's line: often above the article as well as under it. Other boilerplate
# first (a related-articles heading, "あわせて読みたい") is where generic extraction took the
# wrong block, all furniture: it still ends the text there, before it begins.
_SHARE_BAR = re.compile(r"Share this(?: article)?|SHARE|この記事をシェア|シェアする")
# A paragraph that is a member-only or paid teaser prompt: the text ends here and the article
# is flagged, because what precedes it is a teaser, not the article. "to read the full article"
# is a prompt after what it asks of the reader ("Log in to read…"): alone it was also a
# minister's "he had yet to read the full article", and the article a teaser cut there.
# What a prompt asks of the reader, but for the forms that open with この記事は.
_ASKS = (r"有料会員(?:限定|登録)?(?:になると|の方は)続き|会員登録で続きを|続きを読むには"
         r"|記事の続きは|日経電子版(?:に)?(?:会員|登録)|This article is for (?:paid )?subscribers"
         r"|Subscribe to (?:read|continue)"
         r"|(?i:subscribe|log ?in|sign (?:in|up)|register|become a (?:member|subscriber))\b.{0,30}?"
         r"to read the full (?:article|story)")
_PAYWALL = re.compile(
    r".{0,40}(?:この記事は(?:有料(?:会員)?記事|(?:有料|読者|プレミアム)?会員(?:限定|専用)|会員記事)(?:です)?"
    rf"|残り\d+文字|{_ASKS}).{{0,80}}",
)
# ... and a label alone on its line (Yomiuri's 読者会員限定です; in a sentence it is a story's words):
# above the text, a member-only article's mark over its teaser, which goes on.
_PAYWALL_LABEL = re.compile(r"(?:読者|有料|プレミアム)?会員限定(?:記事|コンテンツ)?(?:です)?[。.]?")
# What a page says in place of its article, in the outlet's template (og:type "article" and all):
# that there is no such page (a "page not found" page served with 200, a soft 404), or that the
# outlet took the article down or its time on the site ended. Either is no article: stored, it was
# an outlet's "article" titled ページが見つかりません, and on a revisit a new version of the article
# it replaced (``page_notice``).
_NOT_FOUND = (r"(?:お探しの|ご指定の|指定された|ご覧になろうとした|リクエストされた)?(?:ページ|URL|記事|コンテンツ)"
              r"(?:は|が)(?:見つかりません|見つかりませんでした|存在しません|存在しないか|表示できません)"
              r"|ページが表示できません|ページを表示できません|記事が見つかりません|該当する記事(?:は|が)(?:ありません|見つかりません)"
              r"|(?i:page not found|the page you (?:requested|are looking for|were looking for) (?:could not|"
              r"cannot|can't|can not) be found|(?:we|sorry,? we) (?:couldn't|could not|can't|cannot) find "
              r"(?:that|the|this) page|404 not found|this page (?:does not|doesn't) exist)")
_WITHDRAWN = (r"(?:この|当該|お探しの)?(?:記事|ニュース|ページ|コンテンツ)(?:は|が)?(?:削除されました|削除しました|削除されたか"
              r"|公開を終了しました|掲載を終了しました|配信を終了しました|(?:現在)?(?:ご覧|閲覧)いただけません)"
              r"|(?:掲載|配信|公開)期間(?:が|は)?(?:終了(?:し(?:ました|ております)|いたしました|のため|(?=[。、\s]|$))"
              r"|過ぎ(?:ました|ております))"
              r"|(?i:this (?:article|story|content) (?:has been (?:removed|deleted|withdrawn)|is no longer available))")
# Or that the site is too busy to show it now, or down for maintenance: the article is there, a
# little later. Read as a page, such a notice in the site's chrome was stored as an "article" of
# menu headlines, and every other article URL sent to it since a duplicate of that, never fetched
# again.
_CROWDED = (r"(?:(?:ただいま|現在)[、,]?\s?)?(?:大変)?"
            # The site's own address as the subject (サイトへのアクセスが…), no one's name before it: a
            # brief's "防衛省のホームページにアクセスが…" opens its line with the ministry, no notice.
            r"(?:(?:当|本|この)?(?:ウェブ|Web|WEB)?(?:サイト|ホームページ|ページ)(?:へ|に)の?)?"
            r"アクセスが(?:大変)?(?:(?:集中|殺到)(?:して(?:い(?:ます|る)|おり)|しております|のため)"
            r"|(?:混み合って|混雑して)(?:い(?:ます|る)|おり))"
            r"|(?:ただいま|現在)?(?:大変)?(?:混み合って|混雑して)(?:います|おります)"
            r"|(?i:(?:the )?(?:site|server|service) is (?:currently |temporarily )*"
            r"(?:busy|overloaded|down for maintenance)"
            r"|(?:we are|we're) (?:currently )?experiencing (?:an? )?(?:unusually |exceptionally |very |extremely )?"
            r"(?:high|heavy|large) (?:(?:volume|number|amount|levels?) of )?(?:traffic|demand|load|visitors|requests)"
            # ... ending its clause, or on the site: "We are experiencing heavy traffic on the
            # expressway, a police spokesman said" is a story's.
            r"(?=\s*(?:[.!;:]|$)|\s*,\s*(?:please|so|and|which)\b"
            r"|\s+(?:right now|at (?:the|this) (?:moment|time)|currently|and\b|on (?:our|this|the) (?:site|website"
            r"|web site|server)s?\b)))")
# A queue's page (a waiting room: Cloudflare's, Queue-it's, a CMS's), at 200 where each article should be, in the
# site's voice to the reader waiting: stored, it was an article titled "Waiting Room", the outlet's health ok. A story
# about a queue tells of others' ("fans were placed in a virtual queue"), and a line it opens goes on.
_QUEUE = (r"(?:ただいま|現在)?(?:順番に|順次)ご案内(?:して|いたして)(?:います|おります)"
          r"|(?:ただいま|現在)?(?:仮想|バーチャル|オンライン)?待合室(?:に|へ)(?:ご案内|入室|移動)(?:して(?:います|おります)|しました)"
          # The wait it shows, as a label ("予想待ち時間：約5分"): a loading page's "しばらくお待ちください"
          # alone is a script's shell as often (drawn_by_script), not read as a queue.
          r"|(?:予想|推定|想定|目安の)?待(?:ち|機)時間(?:の目安)?\s*[:：]\s*(?:約|およそ)?\s*\d"
          # Cloudflare's Japanese waiting room (順番待ちに追加されました。…予想待機時間は 5 分です。), NetFUNNEL's (接続待機中).
          r"|(?:ただいま|現在)?順番待ち(?:の列)?に(?:追加|登録)され(?:ました|ています|ております)"
          # Queue-it's Japanese page (現在、順番待ちをしています).
          r"|(?:ただいま|現在)[、,]?\s?順番待ち(?:を)?して(?:います|おります)"
          # ... its wait in hours too (予想待機時間は 1 時間 30 分です。).
          r"|予想待機時間は\s*(?:約|およそ)?\s*\d+\s*(?:分|時間(?:\s*\d+\s*分)?)(?:以上)?です|(?:^|(?<=\s))接続待機中(?=\s|$)"
          r"|(?i:(?:you are|you're) (?:now )?in (?:the |a )?(?:virtual )?(?:line|queue|waiting room)"
          r"(?=\s*(?:[.!,;:]|$))"
          r"|you(?: have|'ve) been (?:placed|put|added) (?:in|into|to) (?:the |a )?(?:virtual )?"
          r"(?:line|queue|waiting room)(?=\s*(?:[.!,;:]|$))"
          r"|your estimated wait(?:ing)? time is\b|estimated wait(?:ing)? time\s*:\s*\d)")
# The site down: for maintenance, a rate limit, a server error.
_DOWN = (r"(?:ただいま|現在)(?:システム)?メンテナンス(?:中|を行って)"
         # A rate limit's notice at 200 in the site's chrome (a CDN's or the CMS's): the article is
         # there once the crawl slows down. Read as a page, it was stored as an article of menus.
         # Each the notice's own words, opening its line and (in English) ending its sentence: a
         # brief's "…after too many requests flooded its servers" or "APIへのリクエストが多すぎる
         # ため、…" is a story's.
         r"|(?:^|(?<=\s))(?:リクエスト|アクセス)(?:数|回数)?が(?:多すぎます|多すぎるため|上限に達しました)"
         r"|(?-i:(?:^|(?<=\s))(?:(?:API )?[Rr]ate limit (?:exceeded|reached)|Too [Mm]any [Rr]equests|TOO MANY REQUESTS)"
         r"(?=\s*(?:[.!:]|$)|\s+[-–—(]|\s+[Pp]lease\b))"
         # A server error shown at 200 in the site's chrome: a sentence of its own, after nothing
         # or the menus' words (a space), where a flash on a bank's outage says where it was
         # ("ATMで5日朝、システムエラーが発生しました").
         r"|(?:^|(?<=\s))(?:大変)?(?:申し訳(?:ございません|ありません)[。、!！]?\s?)?(?:ただいま|現在)?"
         r"(?:システム|サーバー?|通信)?エラーが発生(?:しました|しております|しています|いたしました)"
         r"|(?i:(?:^|(?<=\s))(?:sorry,? )?an? (?:unexpected |internal )?(?:server )?error (?:has )?occurred"
         r"(?=[.!]|$| while processing| please)|(?:^|(?<=\s))internal server error)")
_BUSY = (rf"(?:{_CROWDED}|{_QUEUE}|{_DOWN})"
         # ... not told as someone's words: "アクセスが混み合っています、と表示され", "順番にご案内しています、と係員は
         # 繰り返した", "You're in the queue, the screen said" open a story's line, without quotation marks. After a
         # sentence's end (…ます, …した, …です: 予想待機時間は3時間です、と店員は…) a と quotes it; after おり, のため only a verb of
         # saying does (おり、とても…).
         r"(?!(?<=ます|した|です)[、,]?\s?と"
         r"|[、,]?\s?(?:と(?:の|いう|いっ|言|話|語|述べ|説明|表示|書|記|呼びかけ|アナウンス|繰り返|告げ|伝え|強調|訴え|明か"
         r"|答え|発表|叫)|って)|\s*,\s*(?i:the|an?|his|her|their|its|said|says|reads?|wrote|according)\b)")
_NOTICE = re.compile(f"(?P<not_found>{_NOT_FOUND})|(?P<withdrawn>{_WITHDRAWN})|(?P<busy>{_BUSY})")
# A word each notice of ``_NOTICE`` holds, literally: looked for first (a substring search of each),
# as _NOTICE itself takes a millisecond on 2 KB of text, a tenth of extracting an article.
_NOTICE_WORDS = ("見つかりません", "存在し", "表示できません", "該当する", "削除", "終了", "覧いただけ", "期間", "アクセス",
                 "混み合", "混雑", "メンテナンス", "リクエスト", "エラーが発生", "not found", "be found", "find", "exist",
                 "removed", "deleted", "withdrawn", "no longer available", "many requests", "rate limit", "busy",
                 "overloaded", "maintenance", "experiencing", "error", "にご案内", "順次ご案内", "待合室", "待ち時間",
                 "待機時間", "順番待ち", "接続待機",
                 "you are", "you're", "you have been", "you've been", "wait time", "waiting time")


def _may_notice(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _NOTICE_WORDS)


# A status or an error's word a notice may open with ("404 ページが見つかりません", "エラー：…").
_STATUS_FIRST = r"(?:(?:404|410|429|503|error|エラー)\W*)*"
# A heading that is a notice and nothing more ("404 ページが見つかりません", "エラー：記事は削除されました")
# once the site's name is cut off at a separator: an article about a site outage quoting one is
# headed otherwise ("「ページが見つかりません」 自治体サイトで障害").
_NOTICE_HEADING = re.compile(
    rf"{_STATUS_FIRST}(?:{_NOT_FOUND}|{_WITHDRAWN}|{_BUSY})[^。\n]{{0,12}}?[。.!！]?", re.IGNORECASE)
#: A text this short (visible characters) that says a notice is the notice, not an article about
#: one: a notice's guidance runs to 150 characters (トップページからお探しください…), a story on a
#: site outage that quotes one runs longer.
NOTICE_MAX_CHARS = 300
# A line of a page's own text that opens with a notice (after marks, a bracketed label, a status
# and an apology at most): a notice page's, where a story mentions one amid its sentence.
_NOTICE_OPENING = re.compile(
    # A label of its own before it (a site's name, a date, お知らせ, an icon's alt text), set off by
    # a space or a colon: a story's subject runs into the notice ("防衛省のホームページにアクセスが…").
    rf"[\W_]*(?:【[^】]{{0,10}}】[\W_]*)?(?:[^\s。、.!！?？]{{1,12}}(?:\s+|\s*[：:｜|]\s*))?"
    rf"{_STATUS_FIRST}"
    r"(?:(?:大変)?申し訳(?:ございません|ありません)(?:が|[。、!！])*\s*|(?i:(?:oops[,.!]*\s*)?(?:(?:we're |we are )?sorry[,.!]?\s*)?))?"
    # A queue's ask to wait before the wait it shows (しばらくお待ちください。予想待ち時間：約5分).
    r"(?:(?:この(?:まま|ページのまま)|そのまま)?(?:今)?しばらく(?:の間)?お待ちください[。、!！]*\s*)?"
    # The page's own subject before its term's end (この記事は掲載期間が終了しました。, 本記事の配信期間は…).
    r"(?:(?:この|当該|お探しの|ご指定の|本)?(?:記事|ニュース|ページ|コンテンツ)(?:は|の|が)?)?"
    rf"(?:{_NOT_FOUND}|{_WITHDRAWN}|{_BUSY})", re.IGNORECASE)
#: A heading that is a notice marks a page with this much text at most (a notice page's
#: rankings and links, read as its text), not an article headed so.
NOTICE_HEADED_MAX_CHARS = 1500
# Zero-width spaces and stray byte-order marks (U+FEFF mid-text on Tokyo Shimbun) count as space.
_WS = re.compile(r"[\s\u200b\ufeff]+")
# A line break of the page's source between two wide characters (kana, kanji, full-width forms):
# a browser shows none there (CSS Text 3, segment break transformation), where a space would cut
# a name or a term in two ("岡田\n<ruby>彰布…" read "岡田 彰布"), and a search or a topic term
# would no longer find it. Between half-width characters it stays a space, as it is shown. Read
# in the rules' text only: trafilatura's gives a break as a space or a newline, which cannot be
# told from the page's own, and taking them out of the page before it cost 2.5 ms a page and
# changed which block trafilatura took on one saved page.
_WIDE = "\u3000-\u303e\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6"
_SEGMENT_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t\r\f]*\n\s*(?=[{_WIDE}])")
# A page that calls itself a website (not an article) and has this share of its body text inside
# links is a listing (a home or section page). Calibrated on the saved pages: the two home pages
# have 72 % and 94 %; articles that wrongly call themselves "website" have at most 32 %.
_LISTING_LINK_DENSITY = 0.6
_LISTING_LD_TYPES = {"collectionpage", "itemlist", "searchresultspage"}
_VISIBLE_TEXT = "text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
# Rules whose paragraphs hold less than this share of their body's visible text have missed it:
# the outlet changed its markup inside a body that still matches (its <p> became <div>, the text
# moved into a child the selector does not name), and the page is read as one without rules. On
# the saved pages the share is at least 0.29 (a Chunichi teaser), 0.54 without a paywall; with
# every <p> of those pages made a <div>, it is 0 on each page whose body still matched.
_RULES_MISSED_SHARE = 0.2
# ... and generic extraction must read at least this much in their place: of a page cut short
# before its article (an archive's truncated record), it reads the breadcrumb ("トップ 速報").
_RULES_MISSED_MIN_CHARS = 100
# Rules whose paragraphs read most of their body have still missed part of the article when the
# body holds sentences outside them: a redesign of part of the template (the paragraphs after an
# ad slot now in a wrapper ``./p`` does not reach, half of them without the class the selector
# names) lost those paragraphs while the rules read well over ``_RULES_MISSED_SHARE``. Sentences
# of at least ``_SENTENCE_CHARS`` characters that end as sentences do, outside links, captions and
# the rules' paragraphs, notices and labels left out (``_unread_sentences``), at least
# ``_RULES_MISSED_MIN_CHARS`` of them and this share of them and the rules' text together. On the
# saved pages with rules the share is at most 0.21 (92 characters: an Asahi teaser's lead box),
# then 0.10. With the later half of each one's paragraphs made <div>s, 54 of 77 lost over a tenth
# of their text before this, 7 after it (bench/quality).
_RULES_SKIPPED_SHARE = 0.15
_SENTENCE_CHARS = 20
# A sentence's end, and a reporter's or agency's credit or a print cross-reference after the last
# one (【松本紫帆】, （共同）, 〈関連記事スポーツ面〉).
_SENTENCE_END = re.compile(r"(?:[。．！？!?]|[^A-Z]\.)[」』）)\"”’]*(?:\s*[【（(〈][^】）)〉。]{1,15}[】）)〉])?$")
# Where a sentence outside the paragraphs is never the article's: a caption, a box beside it.
_ASIDE_TAGS = frozenset(("figure", "figcaption", "aside", "nav", "header", "footer", "a", "table"))
_SEP_CLASS = r"[|｜:：\-–—/／・]"
# Between names in one byline; applied to bylines read by rule selectors, after ``author_strip``.
_AUTHOR_SEP = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*、\s*")


def _clean(text: str | None) -> str:
    return _WS.sub(" ", _SEGMENT_BREAK.sub("", text or "")).strip()


def _parse(data: bytes | str, http_charset: str | None, *, trackback: bool = False) -> etree._Element | None:
    """The parsed page without its comments; with ``trackback``, with them on a page that may hold
    a blog's trackback RDF in one (``read_meta`` reads it, the caller drops them)."""
    if isinstance(data, str):
        text, used = data, None
    else:
        text, used = decode_html(data, http_charset)
    if not text.strip():
        return None
    comments = trackback and "rdf:RDF" in text
    # lxml is given UTF-8 and told so, which makes it ignore the page's own (possibly wrong)
    # charset declaration. Bytes that decoded strictly as UTF-8 without a BOM are that already:
    # encoding the text again would give the same bytes (a 250 KB page: 0.2 ms of ~6).
    if used != "utf-8" or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # (A UTF-16 mark before UTF-8 bytes, which ``decode_html`` read as UTF-8 without it.)
        data = text.encode("utf-8", "surrogatepass")
    tree, too_deep = _parse_bytes(data, comments)
    if too_deep:
        # libxml2 stops at 256 levels of nesting and drops the rest of the page. Wrappers carry
        # no text of their own, so a page nested that deep (generated markup, a hostile page)
        # is read again without its div/span tags rather than lost.
        tree, too_deep = _parse_bytes(_WRAPPERS.sub(b" ", data), comments)
        if too_deep:
            return None
    if tree is not None:
        # Ruby readings (furigana over a name or a rare kanji, Yomiuri's "彰布（あきのぶ）") are
        # not the text: in it they cut the word they annotate, for a search, a topic term, an
        # actor's name. <rp> is the brackets shown where ruby is not.
        etree.strip_elements(tree, "rt", "rp", with_tail=False)
    return tree


_WRAPPERS = re.compile(rb"</?(?:div|span|section|font|center)\b[^>]*>", re.I)


class _HTMLParser(etree.HTMLParser):
    """lxml.html's parser, with the class of each element chosen in C.

    lxml.html's own parser calls a Python method for every element it hands out (to give
    ``<form>``, ``<input>``… classes of their own, which nothing here or in trafilatura uses):
    4 % of extracting a page. Every element is an ``HtmlElement`` all the same, so
    ``text_content()``, ``drop_tree()`` and the rest work as before.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_element_class_lookup(_ELEMENT_CLASSES)


_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity)


def parse_page(data: bytes | str, http_charset: str | None = None) -> etree._Element | None:
    """The page parsed as extraction parses it (its codec found, a page nested too deep read again
    without its wrappers), for the checks that read a page outside extraction (``walls``)."""
    return _parse(data, http_charset)


def _parse_bytes(data: bytes, comments: bool = False) -> tuple[etree._Element | None, bool]:
    """The parsed page, and whether the parser gave up on its nesting depth."""
    parser = _HTMLParser(encoding="utf-8", remove_comments=not comments)
    try:
        tree = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return None, False
    return tree, any("Excessive depth" in e.message for e in parser.error_log)


def markup_too_deep(data: bytes | str, http_charset: str | None = None) -> bool:
    """Whether the page is nested too deep to parse even without its wrapper tags."""
    text = data if isinstance(data, str) else decode_html(data, http_charset)[0]
    return _parse_bytes(_WRAPPERS.sub(b" ", text.encode("utf-8", "surrogatepass")))[1]


def _select(tree: etree._Element, selectors: tuple[str, ...]) -> list[etree._Element]:
    for selector in selectors:
        found = compile_selector(selector)(tree)
        if isinstance(found, str):
            # A string-valued XPath (concat(), substring-after()) gives one computed value.
            if found.strip():
                return [lxml_html.fromstring(f"<span>{_escape(found)}</span>")]
            continue
        if found:
            return [f for f in found if isinstance(f, etree._Element)] or [
                lxml_html.fromstring(f"<span>{_escape(str(found[0]))}</span>")
            ]
    return []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _select_text(tree: etree._Element, selectors: tuple[str, ...]) -> str | None:
    for el in _select(tree, selectors):
        for attr in ("datetime", "content"):
            if el.get(attr):
                return _clean(el.get(attr))
        text = _clean(el.text_content())
        if text:
            return text
    return None


def _select_texts(tree: etree._Element, selectors: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for el in _select(tree, selectors):
        text = _clean(el.get("content") or el.text_content())
        if text and text not in out:
            out.append(text)
    return out


def _br_lines(el: etree._Element) -> list[str]:
    """The text of ``el`` cut at each ``<br>``, one string per line."""
    lines = [""]

    def walk(node: etree._Element) -> None:
        lines[-1] += node.text or ""
        for child in node:
            if child.tag == "br":
                lines.append("")
            elif isinstance(child.tag, str):
                walk(child)
            lines[-1] += child.tail or ""

    walk(el)
    return lines


#: The most characters a link line's block holds outside its link (a rank "1", a time "1月21日 12:00").
_LINK_LINE_REST_CHARS = 20
#: A box's heading: a line this short, with no end of sentence, right before the box.
_BOX_HEADING_CHARS = 30
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: A link to a document, not to another article: a story's list of the documents it reports on.
_DOCUMENT_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|csv|zip)(?:[?#]|$)", re.I)
#: The most characters an item of a box holds outside its link lines (a rank, a time, a teaser): an
#: item holding more is text of its own, as the article's text section beside NHK's 【詳しくはこちら】
#: cross-link is, with one link on its own line in it.
_BOX_ITEM_REST_CHARS = 200
#: The fewest characters of a headline with text beside it in its block (a teaser after it, or
#: other headlines joined by ／): what the article links in its own lines is mostly shorter (a
#: ministry, a term), and a line of short links is a tag list, left as it was.
_HEADLINE_CHARS = 10
#: Words a particle joins (能力の保有, 間で4, ルを緩): what a note after a link holds, and no label.
_NOTE = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ\u30a1-\u30fa\u30fc\u4e00-\u9fff々][ぁ-ゖ]{1,3}"
                   r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ\u30a1-\u30fa\u4e00-\u9fff々]")
#: The fewest characters of such a note: a call beside a headline is shorter (記事を読む, 動画を見る).
_NOTE_CHARS = 6
_CALL = re.compile(r"[をも](?:見る|読む|みる|よむ)$|こちら$|一覧$")
#: A link's text that is a date or a time: a chronology's, its event after it the article's.
_DATE_TEXT = re.compile(
    r"(?:\d+|[０-９]+|[年月日時分秒頃午前後曜火水木金土元]|令和|平成|昭和|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    r"|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?|[\s（）()～〜\-－–/／.．,，:：])+", re.I)
#: A link's text that opens with a date and says more after it (2022年12月16日 安保3文書を閣議決定,
#: 2022年12月16日、…, 【2022年12月】…, 12月16日＝…, 12/16 …, 2022-12-16 …, "December 2022: …", "16 December
#: 2022: …"): a chronology's entry, the note after it the article's. A headline puts no date first
#: (2024年の出生数…: a date that a word of its sentence follows is none).
_MONTHS = (r"January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr"
           r"|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_DATE_LEAD = re.compile(
    r"[【\[［(（]?(?:(?:(?:\d{4}|[０-９]{4}|(?:令和|平成|昭和)[\d０-９元]{1,2})年\s*)?(?:\d{1,2}|[０-９]{1,2})月"
    r"(?:\s*(?:\d{1,2}|[０-９]{1,2})日)?|(?:\d{4}|[０-９]{4}|(?:令和|平成|昭和)[\d０-９元]{1,2})年"
    r"|\d{4}[/.\-]\d{1,2}(?:[/.\-]\d{1,2})?|\d{1,2}/\d{1,2}"
    r"|\d{1,2}\s+(?:" + _MONTHS + r")\.?(?:\s+\d{4})?|(?:" + _MONTHS + r")\.?\s+\d{1,4}(?:,\s*\d{4})?)"
    r"(?:\s*[（(][月火水木金土日][）)])?(?:[】\]］)）]|\s*[\s:：、，,＝=])")
#: A link's text that is a question of a Q&A (Q 反撃能力とは何か, Q1., 【Q】, 問い, "Question: …"), an
#: item of a numbered list or a footnote (1．, ①, (1), ※1, 注1): what follows it the article's.
_QUESTION_LEAD = re.compile(
    r"[【\[［(（](?:[QＱ問]|問い|質問)[\d０-９]*[】\]］)）]|(?:[QＱ問][\d０-９]*|問い|質問|Question\s*\d*)[\s.．:：)）]"
    r"|[\d０-９]{1,2}[.．)）、](?![\d０-９])|[①-⑳]|[(（][\d０-９]{1,2}[)）]|(?:[※＊*†]|注)[\d０-９]*[\s)）]")
#: A link's text that asks (…のか, どんな…か, …?, "What is …"): a Q&A's question, its answer after it the
#: article's. A headline's か of hearsay (…を検討か) asks nothing: it needs a question word before it.
#: Under a box's heading an explainer's headline asks as well ("How Japan will …"): there, it is one.
_QUESTION_TEXT = re.compile(r".*[？?]$|.*(?:何|なぜ|どう|どんな|どの|どこ|いつ|誰|だれ|いくら|どれ|いかに).*か$"
                            r"|(?:What|Why|How|Who|When|Where|Which|Is|Are|Can|Could|Will|Would|Should|Does|Do|Did)\s",
                            re.S)
#: A link's text that is a quote whole (「…」, “…”): a speaker's words, the article's.
_QUOTE_TEXT = re.compile(r"[「『“\"].*[」』”\"]", re.S)
#: What stands between headlines joined in one line of links: ／, ｜, ・ and spaces.
_JOINERS = re.compile(r"[\s/／|｜・]*")
#: What follows a link set apart (by a space, a line break) that is the rest of a sentence the link
#: is words of, no teaser: a lower-case word ("<a>The Defense Ministry</a> plans to …"), a weekday
#: ("<a>Japan's Cabinet</a> Friday approved …"), a dash or a comma, a bracket ("<a>… Strategy</a>
#: (NSS), adopted …", （2022年）は…), a quote the link's speaker says ("<a>Fumio Kishida</a> “We will
#: act,” he said", <a>岸田首相</a>　「…」と述べた), a title (<a>…山田太郎</a> 氏は…), or kana: a particle or an ending
#: (「<a>防衛費増額をめぐる議論</a> は…」, という…, として…, では…, など…, だった), which a teaser, a lead
#: of its own, hardly opens with (やはり, もう: such a box is left as it was, a lesser loss).
_GOES_ON = re.compile(r"[a-z,;:—–、，(（「『“\"‘\[［〈《]|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day[a-z]|[ぁ-ゖ]|氏")
#: How a teaser ends: a sentence, or one cut short (…, ‥, ...). A line after a linked term that ends
#: in neither is a note of the article's (a key point's 「<a>国家安全保障戦略の改定</a>　反撃能力の保有を明記」).
_TEASER_END = re.compile(r"(?:…|‥|\.\.\.?)[」』）)\"”’]*$")
#: A box's heading that says what follows is other articles (the saved pages' boxes: 関連記事,
#: 【関連記事】, 関連ニュース, あわせて読みたい, おすすめ記事, アクセスランキング, 連載, Related News, Read more,
#: Most Popular), searched for, not matched whole as ``_BOX`` is: it ends no text, it only tells a
#: box of headlines each with its teaser, or joined in one line, from the article's own list under
#: a heading that says anything else (ポイント, これまでの経緯, Key points, What we know, 関連年表:
#: ``_OWN_HEADING_WORDS`` win), which no shape tells apart.
_BOX_HEADING_WORDS = re.compile(
    r"^【?関連】?$|関連(?:記事|ニュース|リンク)|この記事に関連|あわせて読|合わせて読|併せて読|読まれて|おすすめ|オススメ|お薦め"
    r"|ランキング|(?:人気|注目|最新|新着)(?:記事|ニュース)|連載|バックナンバー|Read\s*(?:more|next|also)|See\s+also|Also\s+read"
    r"|^(?:Related|Recommended|(?:Most\s+)?(?:Popular|Read|Viewed)|Latest|Trending|Top|More)"
    r"(?:\s+(?:news|stories|articles?|posts|links|coverage|reading|for\s+you|now|from\s.*|on\s.*))?:?$"
    r"|You\s+may\s+also", re.I)
_OWN_HEADING_WORDS = re.compile(r"用語|年表|経緯|ポイント|要点|要旨|骨子|Key\s*points?|Timeline|Glossary|What\s+we\s+know", re.I)


def _seen_text(el: etree._Element) -> str:
    # In C where nothing unseen is inside (a link, a list item: nearly always), else by XPath.
    if next(el.iter("script", "style", "noscript"), None) is None:
        return el.text_content()
    return "".join(el.xpath(".//" + _VISIBLE_TEXT))


def _seen_chars(el: etree._Element) -> int:
    return len("".join(_seen_text(el).split())) if isinstance(el.tag, str) else 0


def _link_line(a: etree._Element, texts: dict[etree._Element, str] | None = None) -> bool:
    """Whether link ``a`` is a line of its own (another article's headline in a list or a card), not
    a word linked in a sentence: it holds a block (a card's ``<h3>``), or its block holds little
    more than it and no end of sentence (a rank, a time). A sentence linked whole is the
    article's: a headline ends none. ``texts``: each block's text, kept from one link of it to the
    next (a まとめ's block of hundreds of links was read whole for each)."""
    linked = "".join(_seen_text(a).split())
    if not linked or _DOCUMENT_LINK.search(a.get("href") or ""):
        return False
    if next(a.iter(*_BLOCK_TAGS), None) is not None:
        return True
    if _ends_sentence(_clean(_seen_text(a))):
        return False
    block = next(a.iterancestors(*_BLOCK_TAGS), None)
    if block is None:
        return False
    whole = texts.get(block) if texts is not None else None
    if whole is None:
        whole = "".join(_seen_text(block).split())
        if texts is not None:
            texts[block] = whole
    if len(whole) - len(linked) > _LINK_LINE_REST_CHARS:
        return False
    at = whole.find(linked)
    if at >= 0 and _is_note(whole[at + len(linked):]):
        return False
    rest = whole.replace(linked, "", 1)
    # Less beside it than it holds: a chronology's linked date before its event is the article's.
    return len(rest) <= _LINK_LINE_REST_CHARS and len(rest) < len(linked) and not _ends_sentence(rest)


def _is_note(after: str) -> bool:
    """Whether ``after``, what follows a link in its block, tells something of it: words a particle
    joins (a key point's note, 「<a>国家安全保障戦略の改定</a>　反撃能力の保有を明記」, 5年間で43兆円; a speaker's
    「反撃能力は必要だ」), not a box's rank, time or label (写真, 会員限定記事, 4時間前, （4月18日 01:20）,
    第1回 2021年10月09日: what stands beside the saved pages' link lines) nor a call (続きを読む)."""
    return len(after) >= _NOTE_CHARS and _NOTE.search(after) is not None and _CALL.search(after) is None


def _headline(a: etree._Element, is_article: Callable[[str], bool]) -> bool:
    """Whether link ``a`` can be another article's headline beside text in its block: it links to
    one (``is_article`` of its ``href``: a term linked to a topic page, a document, is none), holds
    ``_HEADLINE_CHARS`` at least, and no sentence, date or quote, nor a chronology's entry or a
    question that opens with its date or its Q."""
    text = _clean(_seen_text(a))
    return (len("".join(text.split())) >= _HEADLINE_CHARS and not _ends_sentence(text)
            and not _DATE_TEXT.fullmatch(text) and not _QUOTE_TEXT.fullmatch(text)
            and not _DATE_LEAD.match(text) and not _QUESTION_LEAD.match(text) and is_article(a.get("href") or ""))


def _opens(a: etree._Element, block: etree._Element) -> bool:
    """Whether nothing seen comes before link ``a`` in ``block``. Looked at from ``a`` back, not
    in the block's text: a まとめ's line of hundreds of links was read whole for each link."""
    node = a
    while node is not block:
        parent = node.getparent()
        if parent is None or (parent.text or "").strip():
            return False
        if any((prev.tail or "").strip() or _seen_chars(prev) for prev in node.itersiblings(preceding=True)):
            return False
        node = parent
    return True


def _opens_teaser(a: etree._Element, is_article: Callable[[str], bool], headed: bool = False) -> bool:
    """Whether link ``a`` is another article's headline (``_headline``) that its teaser follows in
    one block (``<p><a>見出し</a> 説明文…</p>``): it opens the block, and what follows it is set apart
    (a space, a ``<br>``, an element of its own). A box of them read as the article's lines,
    headline and teaser each. Unless a box's heading is over it (``headed``), what follows must
    read as a teaser: a start, not the rest of a sentence that the link is words of (防衛省は…,
    "… said", ``_GOES_ON``), and a sentence or one cut short (``_TEASER_END``), not a key point's
    note (「<a>…の改定</a>　反撃能力の保有を明記」): the saved pages' teasers all end so; nor may the link
    ask (``_QUESTION_TEXT``): a Q&A's question and its answer are the article's."""
    if not _headline(a, is_article):
        return False
    block = next(a.iterancestors(*_BLOCK_TAGS), None)
    if block is None or not _opens(a, block):
        return False
    linked = "".join(_seen_text(a).split())
    whole = "".join(_seen_text(block).split())
    rest = whole.replace(linked, "", 1)
    if not whole.startswith(linked) or not rest:
        return False
    if not headed and (_GOES_ON.match(rest) or not (_ends_sentence(rest) or _TEASER_END.search(rest))
                       or _QUESTION_TEXT.match(_clean(_seen_text(a)))):
        return False
    node = a
    while not node.tail and node.getnext() is None:
        node = node.getparent()
        if node is None or node is block:
            return False
    # Text right after the link with no space between (nor a line break of the source between two
    # kanji, which ``_clean`` reads as none): a word of its sentence.
    return not (node.tail or "").strip() or _clean(linked[-1] + node.tail)[1:2] == " "


def _joined_headlines(block: etree._Element, is_article: Callable[[str], bool]) -> bool:
    """Whether ``block`` is a line of other articles' headlines (``_headline``) joined by ／, ｜ or ・
    and nothing else (``<p><a>見出しA</a>／<a>見出しB</a></p>``, ``_JOINERS``): read as one line of
    the article. Linked documents so joined (国家安全保障戦略（PDF）／…) are the article's."""
    if next(block.iterdescendants(*_BLOCK_TAGS), None) is not None:
        return False
    links = [a for a in block.iter("a") if _seen_chars(a)]
    if len(links) < 2:
        return False
    # What is left of the block's text without its links, each taken out after the one before:
    # once through the text, not once for each link (a まとめ's line of hundreds).
    text, at, between = _seen_text(block), 0, []
    for a in links:
        linked = _seen_text(a)
        found = text.find(linked, at)
        if found < 0:
            return False
        between.append(text[at:found])
        at = found + len(linked)
    between.append(text[at:])
    return _JOINERS.fullmatch("".join(between)) is not None and all(_headline(a, is_article) for a in links)


def _ends_sentence(text: str) -> bool:
    # A sentence whose end a closing quote or bracket follows ('said, “… capabilities.”', 「…。」) is
    # one too: ``has_sentence`` sees an end only before a space or the end of the text.
    return has_sentence([text]) or _SENTENCE_END.search(text) is not None


def _box_item(item: etree._Element, lines: set[etree._Element]) -> bool:
    """Whether ``item`` can be an item of a box: it opens with a link line (after a rank at most),
    and holds little besides (a time, a teaser): not a section of text that happens to hold one (a
    short article's text, a 【関連記事】 line at its end, was dropped with the tags beside it)."""
    linked = [a for a in item.iter("a") if a in lines]
    if not linked:
        return False
    whole = "".join(_seen_text(item).split())
    if whole.find("".join(_seen_text(linked[0]).split())) > _LINK_LINE_REST_CHARS:
        return False
    return len(whole) - sum(_seen_chars(a) for a in linked) <= _BOX_ITEM_REST_CHARS


def link_boxes(body: etree._Element, is_article: Callable[[str], bool] | None = None) -> set[etree._Element]:
    """The elements of ``body`` that are boxes of links to other pages (a ranking, related
    articles, a list of a section's stories, each item another article's headline, with its rank,
    time or teaser), with the short heading right before each, the outermost only. None of their
    text is the article's: read as its lines, a box of headlines moved into an outlet's body (a
    redesign's CSS-module classes its ``prune`` no longer names) gave an unrelated article a
    ranking's security headlines, and the article was scored relevant; and a ranking of ten items
    amid the text, each with a time line, ended it at the box. A container
    is a box when two or more of its children have text, each holding a link line (``_link_line``)
    or a headline its teaser follows in one block (``_opens_teaser``), and its own text between
    them is none: an article's wrapper, whose paragraphs hold sentences with a linked word or
    none, is not. So is a line of headlines joined by ／ (``_joined_headlines``). Nor is a link
    alone on its line (a linked sub-heading, a sentence linked whole), nor a list of documents
    (国家安全保障戦略（PDF）), nor a linked word and the rest of its sentence, nor a linked date and
    its event: they are the article's. A headline with text beside it in its block (a teaser, other
    headlines) is one only where it links to another article (``is_article``, of its ``href``; none
    without it): a list of terms linked to topic pages each with its explanation, or of documents
    with their notes, is the article's."""
    boxes: set[etree._Element] = set()
    links = list(body.iter("a"))
    texts: dict[etree._Element, str] = {}
    lines = {a for a in links if _link_line(a, texts)}
    # Headlines with their teasers, under a box's heading (``_box_heading``); and of those, the
    # ones that read so with no heading over them (``_opens_teaser``). Under a heading of the
    # article's own list, none.
    teasers = {a for a in links if a not in lines and is_article is not None and _opens_teaser(a, is_article, True)}
    shaped = {a for a in teasers if _opens_teaser(a, is_article)}
    # The block each link is in, inside the body: not the body, nor one above it.
    blocks = {b for a in links for b in [next(a.iterancestors(*_BLOCK_TAGS), None)] if b is not None}
    for block in blocks if is_article is not None else ():
        if block is not body and body in block.iterancestors() and _joined_headlines(block, is_article) \
                and _box_heading(block, body) is not False:
            boxes.add(block)
            _add_heading(block, boxes)
    if not lines and not teasers:
        return boxes
    holders: dict[etree._Element, int] = {}
    for a in lines | teasers:
        for anc in a.iterancestors():
            if anc is body:
                break
            holders[anc] = holders.get(anc, 0) + 1
    for container, n in holders.items():
        if n < 2 or any(anc in boxes for anc in container.iterancestors()):
            continue
        items = [c for c in container if isinstance(c.tag, str) and c.tag not in _UNSEEN_TAGS and _seen_chars(c)]
        own = (container.text or "") + "".join(c.tail or "" for c in container)
        if len(items) < 2 or own.strip():
            continue
        held = lines
        if teasers and any(a in teasers for a in container.iter("a")):
            heading = _box_heading(container, body)
            held = lines | (teasers if heading else shaped if heading is None else set())
        if not all(_box_item(c, held) for c in items):
            continue
        boxes.add(container)
        _add_heading(container, boxes)
    # Keep the outermost only.
    boxes = {b for b in boxes if not any(anc in boxes for anc in b.iterancestors())}
    return boxes


def _box_heading(box: etree._Element, body: etree._Element) -> bool | None:
    """Whether the short line right before ``box`` in ``body`` (its heading) says it is a box of
    other articles (``_BOX_HEADING_WORDS``); ``None`` where it has none. A list of headlines each
    with its teaser, or joined in one line, under ポイント, これまでの経緯, "Key points" or a section's
    heading is the article's own (a summary, a chronology, a glossary whose entries link to its
    earlier stories), and no shape tells the two apart; the saved pages' boxes in a body all have
    a heading that says so (あわせて読みたい, 【関連記事】)."""
    node = box
    while node is not body:
        parent = node.getparent()
        if parent is None:
            return None
        prev = node.getprevious()
        while prev is not None and not (isinstance(prev.tag, str) and prev.tag not in _UNSEEN_TAGS
                                        and _seen_chars(prev)) and not (prev.tail or "").strip():
            prev = prev.getprevious()
        if prev is not None:
            words = prev.tail if (prev.tail or "").strip() else _seen_text(prev)
        elif (parent.text or "").strip():
            words = parent.text
        else:
            node = parent  # the first thing in its wrapper: the wrapper's heading is its own
            continue
        words = _clean(words)
        if len(words) > _BOX_HEADING_CHARS or has_sentence([words]):
            return None  # the article's paragraph, no heading
        return _BOX_HEADING_WORDS.search(words) is not None and not _OWN_HEADING_WORDS.search(words)
    return None


def _add_heading(box: etree._Element, boxes: set[etree._Element]) -> None:
    """Add to ``boxes`` the short heading right before ``box``, if it has one."""
    heading = box.getprevious()
    while heading is not None and not (isinstance(heading.tag, str) and _seen_chars(heading)):
        heading = heading.getprevious()
    parent = box.getparent()
    # A heading element, or the one line beside the box in its wrapper: a paragraph of the
    # article's flow right before a box (a quote 「…」 with no 。, a line of a list) is its own.
    if heading is not None and parent is not None and not (parent.text or "").strip() and (
            heading.tag in _HEADING_TAGS
            or sum(1 for c in parent if isinstance(c.tag, str) and _seen_chars(c)) == 2):
        text = _clean(heading.text_content())
        if len(text) <= _BOX_HEADING_CHARS and not has_sentence([text]):
            boxes.add(heading)


def _in_box(el: etree._Element, boxes: set[etree._Element]) -> bool:
    return el in boxes or any(anc in boxes for anc in el.iterancestors())


def _paragraphs(body: etree._Element, selector: str, split_br: bool = False, pre_wrap: bool = False,
                is_article: Callable[[str], bool] | None = None) -> list[str]:
    matched = compile_selector(selector)(body)
    chosen = set(matched)
    boxes = link_boxes(body, is_article) if matched else set()
    out: list[str] = []
    for el in matched:
        # A selected element inside another selected one would repeat its text.
        if any(anc in chosen for anc in el.iterancestors()):
            continue
        # A line of a box of other articles' headlines: no line of this one.
        if boxes and _in_box(el, boxes):
            continue
        if split_br or pre_wrap:
            texts = _br_lines(el)
        elif el.find(".//br") is not None:
            # A line break inside a paragraph is a space in its text, as a reader sees it:
            # ``text_content()`` ran "小学館<br>発売日" into one word.
            texts = [" ".join(_br_lines(el))]
        else:
            texts = [el.text_content()]
        if pre_wrap:
            texts = [line for text in texts for line in text.split("\n")]
        for text in texts:
            text = _clean(text)
            if text:
                out.append(text)
    return out


# Elements that begin a line of their own where a browser lays the page out (HTML's block-level
# and table elements), and those whose text a reader never sees as text.
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
))
_UNSEEN_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "button", "select",
                          "textarea", "object"))


def _blocks(body: etree._Element, split_br: bool = False, pre_wrap: bool = False,
            is_article: Callable[[str], bool] | None = None) -> list[str]:
    """The text of ``body`` a line a block, as a browser lays it out: what the rules' body holds
    when their paragraph selector no longer names its paragraphs (a redesign made its ``<p>``
    ``<div>``). ``split_br``: a ``<br>`` ends a line too (the rules say so), else it is a space;
    ``pre_wrap``: so does a line break of the text (``Rules.pre_wrap``)."""
    lines = [""]
    boxes = link_boxes(body, is_article)

    def walk(node: etree._Element) -> None:
        tag = node.tag
        if not isinstance(tag, str) or tag in _UNSEEN_TAGS or node in boxes:
            return  # a comment, a processing instruction; their tails are read by the parent
        block = tag in _BLOCK_TAGS
        if block:
            lines.append("")
        lines[-1] += node.text or ""
        for child in node:
            if child.tag == "br":
                if split_br:
                    lines.append("")
                else:
                    lines[-1] += " "
            else:
                walk(child)
            lines[-1] += child.tail or ""
        if block:
            lines.append("")

    walk(body)
    if pre_wrap:
        lines = [line for text in lines for line in text.split("\n")]
    return [line for line in (_clean(text) for text in lines) if line]


def _holder_key(el: etree._Element) -> str:
    """A CSS selector for elements like ``el``: its tag and first class."""
    classes = (el.get("class") or "").split()
    return f"{el.tag}.{classes[0]}" if classes else el.tag


def paragraph_hint(html: bytes | str, url: str | None = None, *, http_charset: str | None = None,
                   outlets: dict[str, Outlet] | None = None) -> str | None:
    """Where a page's text now is inside its rules' body, for whoever mends the rules after a
    redesign: the elements (tag and first class) that hold most of the body's text, how many and
    what share ("41 × div.article-text, 96% of the body's text"); ``None`` when no rules' body
    is found. What ``newsmon check`` says of a sample read from its rules' body."""
    tree = _parse(html, http_charset)
    outlet = outlet_for_url(url, outlets) if url else None
    if tree is None or outlet is None:
        return None
    for rules in outlet.rules:
        found = _select(tree, rules.body)
        if found:
            break
    else:
        return None
    _prune(tree, rules.prune)
    held: dict[str, int] = {}
    holders: dict[str, set[etree._Element]] = {}  # the elements themselves: a proxy's id() is reused

    def count(holder: etree._Element, text: str | None) -> None:
        n = len("".join((text or "").split()))
        if n:
            key = _holder_key(holder)
            held[key] = held.get(key, 0) + n
            holders.setdefault(key, set()).add(holder)

    def walk(node: etree._Element, holder: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in _UNSEEN_TAGS:
            return
        holder = node if node.tag in _BLOCK_TAGS and node is not found[0] else holder
        count(holder, node.text)
        for child in node:
            walk(child, holder)
            count(holder, child.tail)

    walk(found[0], found[0])
    total = sum(held.values())
    if not total:
        return None
    key = max(held, key=held.__getitem__)
    by_tag: dict[str, int] = {}
    for one, n in held.items():
        by_tag[one.split(".")[0]] = by_tag.get(one.split(".")[0], 0) + n
    tag = max(by_tag, key=by_tag.__getitem__)
    if held[key] < total / 2 <= by_tag[tag]:  # numbered classes (par1, par2 …): the tag says more
        return (f"{sum(len(v) for k, v in holders.items() if k.split('.')[0] == tag)} × {tag}, "
                f"{by_tag[tag] / total:.0%} of the body's text")
    return f"{len(holders[key])} × {key}, {held[key] / total:.0%} of the body's text"


def _main_body(found: list[etree._Element], rules: Rules,
               is_article: Callable[[str], bool] | None = None) -> etree._Element:
    """Of the elements the rules' body selector names, the one whose paragraphs hold the most
    text (the first of those): a related article's box or a next article's start in the same
    template, above the article, was taken for it, and the article stored as that box's lines."""
    if len(found) == 1:
        return found[0]
    sizes = [_chars(_paragraphs(el, rules.paragraphs, rules.split_br, rules.pre_wrap, is_article)) for el in found]
    return found[sizes.index(max(sizes))]


#: Text in <article> or <main> that says the server drew the page's content (``_app_shell_only``).
SHOWN_CONTENT_CHARS = 40


def _app_shell_only(tree, paragraphs: list[str]) -> bool:
    """Whether what generic extraction read of a page is a script framework's shell (``outcome._app_shell``): its
    <noscript> ask among the ``paragraphs``, and less than an article's worth outside its links and its <noscript>.
    Not a flash in a server-rendered page that also holds an empty root and a site-wide ask: its paragraphs are the
    flash's (two sentences were dropped when the shell's test alone decided)."""
    from .outcome import _app_shell

    ask = _app_shell(tree) if tree is not None else None
    if ask is None or not any("".join(ask.split())[:40] in "".join(p.split()) for p in paragraphs):
        return False
    # What the server drew of an article, a shell has none of: a headline in <h1>, text in <article> or <main>.
    shown = "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template or ancestor::a)]"
    if _chars([str(t) for t in tree.xpath(f"//h1//text(){shown}")]) or \
            _chars([str(t) for t in tree.xpath(f"(//article|//main)//text(){shown}")]) >= SHOWN_CONTENT_CHARS:
        return False
    return _chars([str(t) for t in tree.xpath(f"//body//text(){shown}")]) < SCRIPT_ARTICLE_CHARS


def _chars(texts: list[str]) -> int:
    return sum(len("".join(t.split())) for t in texts)


def _rules_missed(body: etree._Element, paragraphs: list[str], paywalled: bool,
                  is_article: Callable[[str], bool] | None = None) -> bool:
    """The rules' paragraphs read none of their body's text, or too little of it to be the
    article (``_RULES_MISSED_SHARE``). A member-only page may show nothing at all: its rules
    have missed something only where its body has text."""
    got = _chars(paragraphs)
    if got == 0 and not paywalled:
        return True
    # All of its text first (scripts' included), in C: a bound that clears 69 of the 74 saved
    # pages with rules; 31 µs a page in all against 54 for the visible text alone.
    if got >= _RULES_MISSED_SHARE * _chars([body.text_content()]):
        return False
    visible = _chars(body.xpath(".//" + _VISIBLE_TEXT))
    if got >= _RULES_MISSED_SHARE * visible:
        return False
    # Nor a box of other articles' headlines the paragraphs leave out (``link_boxes``): a ranking of
    # ten with teasers beside a short article made its text under a fifth, and the page was read
    # by trafilatura, box and all.
    boxed = sum(_seen_chars(b) for b in link_boxes(body, is_article))
    return got < _RULES_MISSED_SHARE * (visible - boxed)


def _unread_sentences(body: etree._Element, rules: Rules) -> int:
    """The characters of sentences in ``body`` that the rules' paragraphs do not read: each
    block's own text (its children's blocks apart), outside the selected paragraphs and
    ``_ASIDE_TAGS``, when it ends as a sentence does and is not a notice, a label, a line the
    rules drop or stop at or one said before (``_RULES_SKIPPED_SHARE``)."""
    read = set(compile_selector(rules.paragraphs)(body))
    texts: dict[etree._Element, list[str]] = {}

    def walk(node: etree._Element, holder: etree._Element) -> None:
        tag = node.tag
        if not isinstance(tag, str) or tag in _UNSEEN_TAGS or tag in _ASIDE_TAGS or node in read:
            return
        if tag in _BLOCK_TAGS:
            holder = node
        if node.text:
            texts.setdefault(holder, []).append(node.text)
        for child in node:
            walk(child, holder)
            if child.tail:
                texts.setdefault(holder, []).append(child.tail)

    walk(body, body)
    patterns = [re.compile(p) for p in (*rules.drop, *rules.stop)]
    unread = 0
    seen: set[str] = set()
    for parts in texts.values():
        line = _clean("".join(parts))
        if line in seen:  # the template's: a button's tooltip under each of its buttons
            continue
        seen.add(line)
        n = len("".join(line.split()))
        if n >= _SENTENCE_CHARS and _SENTENCE_END.search(line) and not (
                _PAYWALL.fullmatch(line) or _STOP.fullmatch(line) or _LABEL.fullmatch(line)
                or any(p.search(line) for p in patterns)):
            unread += n
    return unread


def _rules_skipped(body: etree._Element, paragraphs: list[str], rules: Rules) -> bool:
    """The rules read their body's text but left sentences of it unread, too many to be
    anything but the article's (``_RULES_SKIPPED_SHARE``, ``_RULES_MISSED_MIN_CHARS``)."""
    got = _chars(paragraphs)
    # Cheap bound first, in C: all of the body's text beyond what the rules read.
    if _chars([body.text_content()]) - got < _RULES_MISSED_MIN_CHARS:
        return False
    unread = _unread_sentences(body, rules)
    return unread >= _RULES_MISSED_MIN_CHARS and unread >= _RULES_SKIPPED_SHARE * (got + unread)


def _is_listing(tree: etree._Element, page: PageMeta) -> bool:
    """A home or section page: it does not call itself an article and is mostly links."""
    if page.is_article:
        return False
    if page.meta.get("og:type", "").lower() != "website" and not page.ld_types & _LISTING_LD_TYPES:
        return False
    body = tree.find(".//body")
    if body is None:
        return False
    total = _chars(body.xpath(".//" + _VISIBLE_TEXT))
    linked = _chars(body.xpath(".//a//" + _VISIBLE_TEXT))
    return total > 0 and linked / total >= _LISTING_LINK_DENSITY


def _prune(tree: etree._Element, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        for el in compile_selector(selector)(tree):
            if isinstance(el, etree._Element) and el.getparent() is not None:
                el.drop_tree()


def _finish_text(paragraphs: list[str], rules: Rules | None,
                 linked: Callable[[list[str]], list[bool]] | None = None) -> tuple[list[str], bool]:
    """Cut the text at the first boilerplate or paywall paragraph; drop credit lines. A share bar
    before the first line of text is dropped: above an article, it ends nothing.

    A box's heading (関連記事, アクセスランキング, a share bar, ``_BOX``) followed, past the box's
    lines, by a sentence is a box amid the article, dropped with its lines: the text goes on
    (``_past_box``). It ended the text, and the article's paragraphs after the box were lost,
    where a page put its related links or its ranking amid the text. Of the lines between,
    those ``linked`` does not find in the page's furniture (a sub-heading of the article right
    after a box) are kept; without ``linked``, none. A notice (copyright, 無断転載) and an
    outlet's own ``stop`` patterns end it wherever they are."""
    drop = [re.compile(p) for p in rules.drop] if rules else []
    stop = [re.compile(p) for p in rules.stop] if rules else []
    out: list[str] = []
    paywalled = False
    at = 0
    while at < len(paragraphs):
        para = paragraphs[at]
        at += 1
        if _LABEL.fullmatch(para):
            continue
        para = _LIST_MARK.sub("", para) if para[:1] in "-・•" and _STOP.fullmatch(_LIST_MARK.sub("", para)) \
            else para
        if _PAYWALL_LABEL.fullmatch(para):
            paywalled = True
            if not has_sentence(out):  # above the text (its headline, a date line): the teaser goes on
                continue
            break
        if _PAYWALL.fullmatch(para):
            paywalled = True
            break
        top_bar = not out and _SHARE_BAR.fullmatch(para)
        if not top_bar and any(s.search(para) for s in stop):
            break
        if top_bar or _STOP.fullmatch(para):
            # Before the text, in the rules' body too (generic extraction's text that starts with
            # one is the wrong block, all furniture), and a share bar there anyway.
            if (out or rules is not None or top_bar) and _BOX.fullmatch(para) \
                    and (on := _past_box(paragraphs, at, stop)) is not None:
                between = paragraphs[at:on]
                furniture = linked(between) if linked is not None and between else [True] * len(between)
                out += [line for line, gone in zip(between, furniture) if not gone and (not out or line != out[-1])]
                at = on
                continue
            if top_bar:
                continue
            break
        if any(d.search(para) for d in drop):
            continue
        if out and para == out[-1]:
            continue
        out.append(para)
    return out, paywalled


#: The most lines of a box amid the text (its links) that ``_past_box`` looks past.
_BOX_LINES = 12


def _past_box(paragraphs: list[str], at: int, stop: list[re.Pattern[str]]) -> int | None:
    """Where the article goes on after a box whose heading is the line before ``at``: its next
    line that is a sentence, past lines that are none (the box's headlines and buttons); ``None``
    when none comes within ``_BOX_LINES``, or a notice, a paywall prompt or another box's
    heading comes first: then the box is where the article ends."""
    for index in range(at, min(len(paragraphs), at + _BOX_LINES + 1)):
        line = paragraphs[index]
        if _STOP.fullmatch(line) or _PAYWALL.fullmatch(line) or _PAYWALL_LABEL.fullmatch(line) \
                or any(s.search(line) for s in stop):
            return None
        if has_sentence([line]):
            return index
    return None


def page_notice(headings: list[str | None], text: str, lines: list[str] | None = None) -> tuple[str, str] | None:
    """What a page says in place of an article: ``("not_found", words)`` for a "page not found"
    page, ``("withdrawn", words)`` for a deletion or end-of-publication notice, ``("busy", words)``
    for a site too busy or down for maintenance, ``None`` for anything else. ``headings``: the page's or article's title and headings, each a notice
    when it is one and nothing more once a site name is cut off at a separator; ``text``: its
    text (an article's, or a whole page's), a notice when short and saying one (``NOTICE_MAX_CHARS``).
    ``lines``: ``text``'s lines (a page's own text, ``walls.own_text``), where the notice must open
    its line: read so, a short brief in a template that puts its headline and date before it
    ("防衛省のホームページにアクセスが集中しています。") is the story it was.
    """
    chars = len(_WS.sub("", text))
    if chars <= NOTICE_HEADED_MAX_CHARS:
        for heading in headings:
            for part in re.split(rf"\s+{_SEP_CLASS}\s+|[|｜：]", _clean(heading)):
                part = part.strip(" 　【】[]")  # not 「」: a notice quoted is a story's words
                if part and _NOTICE_HEADING.fullmatch(part):
                    found = _NOTICE.search(part)
                    return found.lastgroup, part  # type: ignore[union-attr,return-value]
    flat = _WS.sub(" ", text)
    for found in _NOTICE.finditer(flat) if chars <= NOTICE_MAX_CHARS else ():
        before = flat[:found.start()]
        if any(mark in before for mark in "。!！?？") and not _NOTICE_OPENING.fullmatch(
                (before + found.group()).strip()):
            # A notice says so first (after an apology at most: 申し訳ございません。お探しの…, "Oops! The
            # page …"); a story's later sentence ("配信期間が終了した作品は…") is its own.
            break
        if before.count("「") > before.count("」") or before.count("『") > before.count("』") \
                or before.count("“") > before.count("”") or before.count('"') % 2:
            continue  # quoted: a flash on a site outage (「ページが見つかりません」と表示され…), no notice
        if lines is not None:
            line = next((line for line in lines if _NOTICE.search(_WS.sub(" ", line))), "")
            if not _NOTICE_OPENING.match(_WS.sub(" ", line).strip()):
                break  # a story's sentence mentions it, after its headline and date
        return found.lastgroup, flat.split("。")[0].strip()[:80]  # type: ignore[return-value]
    return None


_QUEUE_NOTICE = re.compile(_QUEUE)
_BUSY_NOTICE = re.compile(_BUSY)
#: What a waiting room's line holds besides its notice's words (``_BUSY``): marks, the wait's figure and unit
#: (予想待ち時間：約5分, "Estimated wait time: 5 minutes"), a clause's joint (…集中しているため、順番に…).
_NOTICE_ALONE = re.compile(r"\ue000[\d\s,.]*(?:分|時間|秒|(?i:minutes?|mins?|hours?|seconds?)\b)?|ため|ので|です"
                           r"|[\W\d_]+")


#: A waiting room's own sentences beside its notice: asking to wait, the page refreshing itself, thanks for patience,
#: what happens at one's turn, an apology for the wait (Queue-it's and Cloudflare's default pages say each). Each in the
#: form said to the reader waiting, now (お待たせしております, ご迷惑をおかけしますが, 順番が来ましたら, "We apologize", "Sorry
#: for"): a story tells them of others, done (順番待ちの列ができた, ご迷惑をおかけしたとして陳謝した, ご理解いただきたいとして
#: いる, 順番が来たのは…, "Ticketmaster apologized for the inconvenience", "it was sorry for the queues").
_WAITING_WORDS = re.compile(r"お待ち(?:ください|下さい|いただ)|自動的に[^。、]{0,12}?(?:ます|ません)|再読み込み|リロード"
                            r"|更新(?:されます|しないで)|閉じないで"
                            r"|お待たせ(?:いた)?し(?:て|ま)|順番待ちに(?:追加|登録)され(?:ます|ました|ています|ております)"
                            r"|順番が(?:来|き)(?:ましたら|たら|次第)"
                            # Cloudflare's Japanese page, its wait unknown or long, its queue's reason (大量のトラフィックが
                            # 発生しています。仮想キューを使用しています。); NetFUNNEL's count of those ahead (お客様の前に 12人、…).
                            r"|予想待機時間は(?:不明|[^。]{0,16}?(?:以上|を超えて))|トラフィックが(?:発生|集中)して(?:います|おります)"
                            r"|仮想(?:キュー|待合室)を(?:使用|利用)して(?:います|おります)|お客様の前に[\s\d,]*人"
                            r"|順番になり(?:ましたら|次第)|ご(?:迷惑|不便)を?おかけ(?:いた)?し(?:て|ま)"
                            r"|申し訳(?:ございません|ありません)"
                            r"|ご(?:理解|了承)(?:ください|いただ(?:き(?:ます|たく)|け(?:ます|れば))|のほど)"
                            r"|(?i:patience|please wait|automatically|(?:do not|don't) (?:refresh|close|leave)"
                            r"|your turn|thank you for (?:waiting|your understanding)|we apologi[sz]e"
                            r"|(?:^|(?<=[.!?]\s)|(?<=\bwe[’']re\s)|(?<=\bwe are\s))sorry for|regret any inconvenience"
                            r"|estimated wait(?:ing)? time is (?:unavailable|unknown|more than|greater than)"
                            r"|(?:we are|we[’']re) (?:currently )?experiencing)")
#: A quotation: a waiting room's words in it are someone's (“Thank you for your patience,” the screen read), words
#: outside it are the line's own (「戻る」ボタンを押さずにお待ちください, a waiting room naming its buttons).
_QUOTATION = re.compile(r"「[^「」]*」|『[^『』]*』|“[^“”]*”" r'|"[^"]*"')
#: A line telling a waiting room's words as someone's: a story's (…申し訳ありません、と駅員は頭を下げた; "We
#: apologize," the company said), never the waiting room's own.
_TOLD = re.compile(r"(?<=ます|せん|した|です|さい)(?:[、,]\s?と|と(?:言|話|語|述べ|説明|繰り返|謝罪|頭を下げ))"
                   r"|(?i:\b(?:said|says|told|wrote)\b|\baccording to\b(?! (?:your|their) (?:place|position|turn)))")


def _waiting_rooms(line: str) -> bool:
    """Whether ``line``, a sentence beside a queue's notice, is a waiting room's own: its words
    (``_WAITING_WORDS``) outside any quotation, not told as someone's (``_TOLD``)."""
    own = _QUOTATION.sub("", line)
    return _WAITING_WORDS.search(own) is not None and _TOLD.search(own) is None


def _queue_alone(lines: list[str]) -> bool:
    """Whether a line of ``lines`` is a queue's notice and nothing more ("You are now in line.", "ただいま順番にご
    案内しております。", "予想待ち時間：約5分"), and no sentence of them is other than a waiting room's (its notice,
    ``_WAITING_WORDS``): a waiting room's, whatever its head says. A story opening with a queue's words goes on in
    their line (順番にご案内しています。新駅の開業初日…), names what is waited for (ソアリン 待ち時間：90分), or goes
    on in the next (its lede alone, "待ち時間：約2時間――。" then 成田空港では…混雑した。): stored dated, it was
    site_busy, retried and never stored, as before cd67d25."""
    alone = [not _NOTICE_ALONE.sub("", _BUSY_NOTICE.sub("\ue000", flat)) for flat in (_WS.sub(" ", line)
                                                                                       for line in lines)]
    return any(is_alone and _QUEUE_NOTICE.search(_WS.sub(" ", line)) is not None
               for line, is_alone in zip(lines, alone)) and not any(
        has_sentence([line]) and not is_alone and not _waiting_rooms(line)
        for line, is_alone in zip(lines, alone))


def _in_place(notice: tuple[str, str] | None, page: PageMeta, lines: list[str]) -> bool:
    """Whether ``notice`` (``page_notice``) stands in place of the article. A queue's page (``_QUEUE``) is a waiting
    room's, served in place of the article's page, never with the article's own publication time (JSON-LD
    datePublished, article:published_time): a page that carries it is the article, a short story whose first line
    is a queue's words ("順番にご案内しています。", "待ち時間：約90分――。", "You are now in line." on launch night),
    each lost as site_busy, retried and never stored. Yet a CMS may put a publication time in every page's head
    (the page's own generation time, a template's article:published_time): a page with a line of ``lines`` that
    is the queue's notice alone (``_queue_alone``) is a waiting room whatever its head carries; stored, it was
    the article. Any other notice may be the site's own, in the article's template (a busy site's, a deletion
    notice): it stands whatever the head carries."""
    if notice is None:
        return False
    kind, words = notice
    return kind != "busy" or _QUEUE_NOTICE.search(words) is None or not (
        ld_text(page.jsonld.get("datePublished")) or page.get("article:published_time", "og:article:published_time")
    ) or _queue_alone(lines)


#: A text read generically that is this short may be a teaser whose prompt trafilatura ran into
#: its lead: under its own minimum (250 characters) it reads the page whole, one line.
_TEASER_MAX_CHARS = 1500
#: What a prompt asks that a story's sentence does not: a count of characters left (残り100文字の
#: 制限) or a members' label alone is a story's words as often.
_PROMPT_ASKS = re.compile(rf"この記事は(?:有料|会員|読者|プレミアム)|{_ASKS}")
#: Elements a prompt stands in, whole: not an inline phrase of a sentence (<strong>, <a>).
_PROMPT_BLOCKS = frozenset({"p", "div", "section", "aside", "footer", "dl", "dd", "li", "ul"})
#: What may stand before what a prompt asks, in its block: marks and a bracketed label.
_PROMPT_MARK = re.compile(r"[\W_]*(?:【[^】]{0,10}】)?[\W_]*")
#: What may follow a prompt to the end of the text: its buttons (有料会員になる ログイン).
_AFTER_PROMPT_CHARS = 60


def _cut_at_prompt(paragraphs: list[str], tree: etree._Element | None) -> tuple[list[str], bool]:
    """``paragraphs`` up to a paywall prompt that generic extraction ran into the text's end, and
    whether there was one. A teaser's page is short, and trafilatura reads a short page whole, in
    one line: the prompt (この記事は有料会員限定です。残り2451文字。…), "有料会員になる" and "ログイン"
    were stored as the article's last words, not paywalled, and its outlet's health stayed ok
    while every article was a teaser. A prompt is a block of the page whose whole text reads as
    one and opens with what it asks (a subscription, a login), unquoted, with a sentence before it
    in the text and nothing after it but its buttons: a short story that quotes one, or mentions
    one in a sentence of its own, keeps its text."""
    if tree is None:
        return paragraphs, False
    text = "\n".join(paragraphs)
    body = tree.find("body")
    for element in body.iter(*_PROMPT_BLOCKS) if body is not None else ():
        # A block that opens with a prompt says so in its first text: the others' whole text (a
        # page of nested blocks) is not gathered.
        if not _PROMPT_ASKS.search(element.text or ""):
            continue
        prompt = " ".join(element.text_content().split())
        asks = _PROMPT_ASKS.search(prompt)
        # It opens with what it asks (a mark before it at most: ※, 【有料記事】), where a sentence
        # of the story that mentions one (読者からは続きを読むには登録が必要との声) does not.
        if not asks or not _PROMPT_MARK.fullmatch(prompt[:asks.start()]) or len(prompt) > 200 \
                or "「" in prompt or "“" in prompt or not _PAYWALL.fullmatch(prompt):
            continue
        if (where := text.rfind(prompt)) < 0:  # its buttons run in differently: its own <p> is read next
            continue
        kept = text[:where].rstrip()
        if len(text) - where - len(prompt) > _AFTER_PROMPT_CHARS or not has_sentence([kept]):
            continue
        return [line for line in kept.split("\n") if line.strip()], True
    return paragraphs, False


def _members_only(tree: etree._Element | None) -> bool:
    """Whether the page says in its own text (not its menus) that its article is for members: a
    paywall prompt of its own ("この記事は有料記事です。"), or a login it asks for (``asked_wall``)."""
    return tree is not None and (any(_PAYWALL.fullmatch(text) or _PAYWALL_LABEL.fullmatch(text)
                                     for text in own_text(tree))
                                 or getattr(asked_wall(tree), "kind", None) == "login")


def _age_gate(tree: etree._Element | None) -> bool:
    """Whether the page, parsed anew (extraction has pruned its tree), is an age gate
    (``walls.asked_wall``)."""
    return tree is not None and getattr(asked_wall(tree), "kind", None) == "age"


#: Scripts that hold a page's state for JavaScript to draw it from (Next.js, Nuxt, Redux and
#: kin): where a page built in the browser keeps its article, its HTML showing none of it.
_STATE_SCRIPT = re.compile(r"__NEXT_DATA__|__NUXT(?:_DATA)?__|__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__"
                           r"|__INITIAL_DATA__|__remixContext|__NEXT_F|__next_f")
_JSON_STRING = re.compile(r'"((?:[^"\\\n]|\\.){10,})"')
_MARKUP = re.compile(r"<[^>]*>")
#: Characters of prose a state script must hold, that the page does not show, for the page to be
#: one drawn by JavaScript: an article's worth, not a headline or a description.
SCRIPT_ARTICLE_CHARS = 200
#: ... or, a paragraph a string, this many in strings of at least ``_SCRIPT_SENTENCE_CHARS`` that
#: hold a sentence: a related article's summary or two is no article's worth.
SCRIPT_PARAGRAPHS_CHARS = 400
_SCRIPT_SENTENCE_CHARS = 20
_SENTENCE = re.compile(r"[。！？]|[.!?](?:\s|$)")
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")
#: The keys under which a page's own article object (the one holding its headline) keeps its text.
_BODY_KEYS = frozenset({"body", "bodytext", "content", "contents", "paragraphs", "blocks", "text", "articlebody",
                        "richtext", "main", "html"})
_LINK_VALUE = re.compile(r"(?:https?:)?//|/[\w.-]+/")
#: A block's string that is words, not its type or style ("block", "span", "normal", "h2"), an id or a time.
_WORDS = re.compile(r"\s|[^\x00-\x7f]")
_TITLE_KEYS = frozenset({"title", "headline", "heading", "name", "seotitle", "articletitle"})
#: Where rich text keeps its blocks and their text, under an article's body.
_RICH_KEYS = _BODY_KEYS | {"json", "children", "elements", "contentelements", "document", "nodes", "items", "value"}
#: A block that is a photo, a video or a link, not a paragraph.
_MEDIA_KEYS = frozenset({"src", "image", "images", "url", "href", "photo", "video", "thumbnail", "caption"})


def _reads_as_prose(prose: str, value: str) -> bool:
    """Whether a script's string is a sentence of text, not an id list, a regex or base64 (which
    any JSON of a page may hold at length): it ends one, and is mostly letters."""
    return _SENTENCE.search(value) is not None and sum(c.isalpha() for c in prose) * 10 >= len(prose) * 7


def _prose_of(value: str) -> str:
    """A script's string as the page would show it: markup and entities undone, no whitespace."""
    return "".join(html_module.unescape(_MARKUP.sub("", value)).split())


def _paragraph_lists(code: str, headlines: Sequence[str]) -> Iterable[list[str]]:
    """The paragraphs a JSON script keeps as the page's own article: under a body's key
    (``_BODY_KEYS``) of an object that also holds one of the page's ``headlines`` (whitespace
    removed), a list of strings or of blocks (a block's text is all its strings but links: a
    rich-text block's spans and marks). Nothing else counts, however many sentences it holds: a
    gallery's captions, comments, a recipe's steps, the next article's body preloaded under its
    own headline, related stories' cards, a dictionary of messages."""
    try:
        data = json.loads(code)
    except ValueError:
        return
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        if not any(_key(key) in _TITLE_KEYS and _is_headline(value, headlines) for key, value in node.items()):
            continue
        for key, value in node.items():
            if _key(key) in _BODY_KEYS:
                yield from _lists_in(value)


def _key(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def _is_headline(value: Any, headlines: Sequence[str]) -> bool:
    """Whether a title's value is the page's headline: one of ``headlines`` in the other, and most
    of it (a site's name beside it in <title>): not a series' name within it, nor the next
    episode's title that opens with it."""
    if isinstance(value, dict) and isinstance(value.get("rendered"), str):  # WordPress: {"title": {"rendered": …}}
        value = value["rendered"]
    if not isinstance(value, str):
        return False
    text = _prose_of(value)
    return len(text) >= 5 and any((text in headline or headline in text)
                                  and min(len(text), len(headline)) * 10 >= max(len(text), len(headline)) * 6
                                  for headline in headlines if len(headline) >= 5)


def _lists_in(value: Any) -> Iterable[list[str]]:
    """The lists of paragraphs in a body's value: itself, or nested under rich text's own keys
    ({"json": {"content": […]}}); a block of a photo or a link (its src, its url) is none."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(v for k, v in node.items() if _key(k) in _RICH_KEYS)
        elif isinstance(node, list):
            texts = ["".join(v for v in _strings_in(item) if _WORDS.search(v) and not _LINK_VALUE.match(v))
                     if isinstance(item, (dict, list)) else item for item in node
                     if isinstance(item, (str, list)) or (isinstance(item, dict) and not _MEDIA_KEYS & set(map(_key, item)))]
            yield [t for t in texts if t]


def _strings_in(block: Any) -> list[str]:
    """The strings of a block and of what it nests, in order (a rich-text block's spans)."""
    strings: list[str] = []
    stack: list[Any] = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, str):
            strings.append(node)
    return strings


def drawn_by_script(html: bytes | str, http_charset: str | None = None, read: Sequence[str] = (),
                    title: str | None = None) -> tuple[str, int] | None:
    """``(script, characters)`` when the page's article is only in a state script its JavaScript
    draws it from (``__NEXT_DATA__``, ``window.__INITIAL_STATE__``, a ``<script
    type="application/json">``): a string of prose there of ``SCRIPT_ARTICLE_CHARS`` or more, or,
    in a JSON script, the paragraphs of the page's own article object (``_paragraph_lists``) whose
    distinct sentences come to ``SCRIPT_PARAGRAPHS_CHARS``, that the page's HTML does not show; the
    page showing less than an article's worth outside its links. ``None`` for a page that shows
    what its scripts hold (a server-rendered Next.js article carries its text twice), and for one
    a sentence of whose text ``read`` (what extraction took) its scripts hold too: a short flash so
    rendered, whose script preloads a longer article it does not show. The page's ``title`` says
    nothing: every state script holds its headline."""
    tree = _parse(html, http_charset)
    if tree is None:
        return None
    best: tuple[str, int] | None = None
    shown: str | None = None
    held: list[str] = []
    headlines: list[str] | None = None

    def shown_text() -> str:  # read once, and only for a page whose scripts hold prose
        nonlocal shown
        if shown is None:
            shown = "".join("".join(tree.xpath(
                "//body//text()[not(ancestor::script or ancestor::style or ancestor::template)]")).split())
        return shown

    def unshown(prose: str) -> bool:
        return prose[:40] not in shown_text()

    for script in tree.iter("script"):
        code = script.text or ""
        found = _STATE_SCRIPT.search(script.get("id") or "") or _STATE_SCRIPT.search(code[:300])
        is_json = (script.get("type") or "").strip().lower() == "application/json"
        if found is not None:
            name = found.group(0)
        elif is_json:
            # A framework's state under a name of its own: JSON, as JavaScript reads it (ld+json is
            # metadata for search engines, whose articleBody a paywalled page gives them whole).
            name = f'application/json "{script.get("id")}"' if script.get("id") else "application/json"
        else:
            continue
        for literal in _JSON_STRING.finditer(code):
            try:
                value = json.loads(f'"{literal.group(1)}"')
            except ValueError:
                continue
            prose = _prose_of(value)
            held.append(prose)
            if len(prose) < SCRIPT_ARTICLE_CHARS or (best and len(prose) <= best[1]) \
                    or not _reads_as_prose(prose, value):
                continue
            if unshown(prose):
                best = (name, len(prose))
        if not is_json:
            continue  # a script's code (window.__INITIAL_STATE__ = …) is no JSON to walk
        if headlines is None:
            headlines = ["".join(h.split()) for h in (
                title or "", *tree.xpath("//head/title/text()|//meta[@property='og:title']/@content")[:2],
                *(h1.text_content() for h1 in tree.xpath("//h1")[:2]))]
        for texts in _paragraph_lists(code, headlines):
            sentences = 0
            for value in dict.fromkeys(texts):
                prose = _prose_of(value)
                if len(prose) >= _SCRIPT_SENTENCE_CHARS and _reads_as_prose(prose, value) and unshown(prose):
                    sentences += len(prose)
            if sentences >= SCRIPT_PARAGRAPHS_CHARS and not (best and sentences <= best[1]):
                best = (name, sentences)
    if best is None:
        return None
    # A page showing prose of its own is no empty shell, whatever its scripts preload (a listing's
    # summaries, a related article): only one that shows less than an article's worth outside its
    # links, and under half what its scripts hold, is drawn by them. Judged here, for extraction
    # and outcome alike: extraction dropped a page outcome then called a listing, for good.
    unlinked = len(shown_text()) - sum(len("".join(a.text_content().split())) for a in tree.xpath("//body//a"))
    if unlinked >= SCRIPT_ARTICLE_CHARS or unlinked * 2 >= best[1]:
        return None
    # A sentence of its text in the script too: rendered by the server. Its headline says nothing
    # (every state script holds it; generic extraction may read it into the first paragraph), and
    # a sentence is looked for by its start and its end (a date line read into the first), in each
    # string and in the strings joined (a sentence that opens in one span and ends in the next).
    headline = "".join((title or "").split())
    pieces = []
    for line in read:
        line = "".join(line.split())
        line = line[len(headline):] if headline and line.startswith(headline) else line
        for sentence in _SENTENCE_SPLIT.split(line):
            if len(sentence) >= 10:
                pieces += [piece for piece in (sentence[:20], sentence[-20:]) if piece not in headline]
    held.append("".join(held))
    if any(piece in prose for piece in pieces for prose in held):
        return None
    return best


def strip_site_suffix(title: str, names: list[str], suffix: str | None = None) -> str:
    """Remove " - 日本経済新聞", "：朝日新聞デジタル" and the like from the end of a title."""
    title = _clean(title)
    if suffix:
        title = re.sub(suffix + r"$", "", title).strip()
    for name in names:
        if not name:
            continue
        stripped = re.sub(
            r"\s*" + _SEP_CLASS + r"\s*" + re.escape(name) + r"\s*$", "", title
        ).strip()
        if stripped and stripped != title:
            return stripped
    return title


def _title(
    tree: etree._Element, page: PageMeta, rules: Rules | None, outlet: Outlet | None, url: str | None
) -> str | None:
    candidates = []
    if rules and rules.title:
        candidates.append(_select_text(tree, rules.title))
    candidates += [
        ld_text(page.jsonld.get("headline")),
        page.get("og:title", "twitter:title"),
        page.html_title,
    ]
    names = [
        page.get("og:site_name") or "",
        ld_text(page.jsonld.get("publisher")) or "",
        outlet.name if outlet else "",
    ]
    # Without rules, what the page calls its site (and its header) is all we know of the suffix.
    generic = None if rules else site_names(tree, page.meta, [n for n in names[1:2] if n], url)
    for cand in candidates:
        if cand:
            title = strip_site_suffix(cand, names, rules.title_suffix if rules else None)
            if title and generic:
                title = clean_title(title, *generic)
            if title:
                return unicodedata.normalize("NFC", title)
    return None


def _dates(
    tree: etree._Element, page: PageMeta, rules: Rules | None, local_tz
) -> tuple[str | None, str | None]:
    published_raw = [
        _select_text(tree, rules.published) if rules and rules.published else None,
        ld_text(page.jsonld.get("datePublished")),
        page.get("article:published_time", "og:article:published_time", "pubdate", "publishdate",
                 "date", "dc.date", "dcterms.created", "datepublished", "cxenseparse:recs:publishtime"),
        page.trackback_date,
    ]
    modified_raw = [
        _select_text(tree, rules.modified) if rules and rules.modified else None,
        ld_text(page.jsonld.get("dateModified")),
        page.get("article:modified_time", "og:updated_time", "last-modified", "datemodified"),
    ]
    # A dateline may carry both times; parse_labelled keeps 更新/updated out of "published".
    published = next((v for v in (to_iso(parse_labelled(r, "published"), local_tz=local_tz)
                                  for r in published_raw) if v), None)
    modified = next((v for v in (to_iso(parse_labelled(r, "modified") or parse_datetime(r), local_tz=local_tz)
                                 for r in modified_raw) if v), None)
    return published, modified


def _authors(tree: etree._Element, page: PageMeta, rules: Rules | None) -> list[str]:
    if rules and rules.authors:
        names = _select_texts(tree, rules.authors)
    else:
        # Asahi's JSON-LD names the organisation as ``author`` and the reporters as ``creator``.
        names = ld_names(page.jsonld.get("author"), persons_only=True) or ld_names(
            page.jsonld.get("creator"), persons_only=True)
        if not names and page.get("author"):
            names = [page.get("author") or ""]
    if rules and rules.author_strip:
        names = [re.sub(rules.author_strip, "", n).strip() for n in names]
    if rules and rules.authors:
        # One visible byline may name several people ("Takeo Maeda and Tatsuya Tanoue").
        names = [part for n in names for part in _AUTHOR_SEP.split(n)]
    out: list[str] = []
    for n in names:
        n = _clean(n)
        if n and n not in out:
            out.append(n)
    return out


def _section(tree: etree._Element, page: PageMeta, rules: Rules | None) -> str | None:
    """The article's section: the rules' selection, else the first section its metadata names
    (JSON-LD ``articleSection``, ``genre``, ``article:section``) that is not one of the site's
    words (``Rules.keywords_drop``: Tokyo Shimbun's "ニュース" before "社会", NHK's "一般" before
    its genre "社会")."""
    if rules and rules.section and (found := _select_text(tree, rules.section)):
        return found
    for value in (page.jsonld.get("articleSection"), page.jsonld.get("genre"), page.get("article:section")):
        for entry in value if isinstance(value, list) else [value]:
            name = ld_text(entry)
            if name and not (rules and rules.keywords_drop and re.search(rules.keywords_drop, name)):
                return name
    return None


def _tags(tree: etree._Element, page: PageMeta, rules: Rules | None) -> list[str]:
    """The article's topics: its own tag list where the rules name one, else its keyword
    metadata without the words the rules say are the site's, not the article's."""
    tags = _select_texts(tree, rules.tags) if rules and rules.tags else []
    if not tags and (rules is None or rules.keywords):
        keywords = page.jsonld.get("keywords") or page.get("news_keywords", "keywords")
        sections = page.jsonld.get("articleSection")
        if not keywords and isinstance(sections, list) and len(sections) > 1:
            # Filed under several sections and no keywords (Tokyo Shimbun: "社会", "東京・首都圏",
            # "新宿区"): the sections are its topics.
            keywords = sections
        tags = _keywords(keywords or [])
        if rules and rules.keywords_drop:
            tags = [t for t in tags if not re.search(rules.keywords_drop, t)]
    out: list[str] = []
    for tag in tags:
        # "#北朝鮮": the mark of a hashtag-style link, not part of the topic.
        tag = tag.lstrip("#＃").strip()
        if tag and tag not in out:
            out.append(tag)
    return out


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in re.split(r"[,、，]", value) if k.strip()]
    return ld_names(value)


def _language(outlet: Outlet | None, page: PageMeta) -> str | None:
    if outlet:
        return outlet.language
    lang = page.html_lang or ld_text(page.jsonld.get("inLanguage")) or page.get("og:locale")
    return lang.split("-")[0].split("_")[0].lower() if lang else None


def _generic(tree: etree._Element, url: str | None, *, date: bool = True, author: bool = True,
             fast: bool = False) -> tuple[list[str], dict[str, Any]]:
    """trafilatura's text, and its metadata (the date and author only when asked for)."""
    # Imported here, not with the module: a crawl process stores pages and never extracts (its
    # workers do), and trafilatura was a sixth of its start-up (0.1-0.2 s of imports).
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_tables=True, fast=fast,
    )
    if doc is None or not doc.text:
        return [], {}
    paragraphs = [_clean(line) for line in doc.text.split("\n")]
    return [p for p in paragraphs if p], trafilatura_metadata(tree, url, date=date, author=author)


def _can_be_canonical(canonical: str, url: str | None, outlets: dict[str, Outlet] | None) -> bool:
    """Whether ``canonical`` (a canonical link, og:url, JSON-LD url) can be this article's own URL.

    The store takes two pages with one canonical URL for one article: a template whose
    canonical link or og:url names the home page or the section (a common mistake) made every
    article of the outlet a new "version" of the first, its text replaced, none of them new.
    So a canonical URL is passed over (for the next one the page gives, else the URL it was
    fetched from) when it is a home page, an ancestor of the fetched URL's path on its host (a
    section, or the first page of a slideshow: two pages kept apart rather than one
    overwritten), or not an article URL of an outlet whose pattern the fetched URL matches.
    """
    if not url or canonical == url:
        return True
    try:
        named, fetched = urlsplit(canonical), urlsplit(url)
    except ValueError:
        return True
    if named.path in ("", "/") and not named.query and fetched.path not in ("", "/"):
        return False
    section = named.path.rstrip("/")
    if named.hostname == fetched.hostname and fetched.path.rstrip("/") != section and \
            fetched.path.startswith(section + "/"):
        return False
    outlet = outlet_for_url(url, outlets)
    return not (outlet is not None and outlet.is_article_url(url) and outlet.in_scope(canonical)
                and not outlet.matches_pattern(canonical))


def extract_article(
    html: bytes | str,
    url: str | None = None,
    *,
    http_charset: str | None = None,
    outlets: dict[str, Outlet] | None = None,
    fast: bool = False,
) -> Article | None:
    """Extract the article from one page.

    Args:
        html: the page as fetched (bytes; any encoding) or already decoded.
        url: where it was fetched from; without it, the page's canonical URL is used.
        http_charset: the charset of the HTTP Content-Type header, if any.
        outlets: the outlet registry to use (the built-in one by default).
        fast: for a page without rules, trafilatura without its fallback extractors and
            without its date and author search: half the time, for a text to compare rather
            than to keep (outlet health's cross-check).

    Returns:
        The article, or ``None`` when the page holds none (empty, a listing, an error page).
    """
    tree = _parse(html, http_charset, trackback=True)
    if tree is None:
        return None
    page = read_meta(tree, url)
    # Read for what the page says of itself there, then dropped as every other reading drops them.
    etree.strip_elements(tree, etree.Comment, with_tail=False)
    if _is_listing(tree, page):
        return None
    canonical = next((c for c in (page.canonical, parsable(page.get("og:url")), parsable(ld_text(page.jsonld.get("url"))))
                      if c and _can_be_canonical(c, url, outlets)), None)
    url = url or canonical
    # Before any pruning: a rule may prune the pager with the page's other furniture.
    following = next_page(tree, url)
    # The canonical URL says what the page is, the fetch URL only where it was found (a mirror,
    # an archive, our loopback site): an outlet with rules named by the canonical URL wins.
    by_canonical = outlet_for_url(canonical, outlets)
    by_url = outlet_for_url(url, outlets)
    outlet = by_canonical if by_canonical and (by_canonical.rules or not by_url) else by_url
    language = _language(outlet, page)
    local_tz = JST if outlet or (language or "").startswith("ja") else None

    base = canonical or url or ""
    seen: dict[str, bool] = {}

    def is_article(href: str) -> bool:
        # Another of the outlet's articles, by its link: a box's headline (``link_boxes``). An <a>
        # with no href, or one to a place in this page (#q1), links none: each was taken for this
        # very article, and an anchor around a question or a section's lead dropped with its text
        # (a ranking's link to this article is one of its headlines). A link is read as the crawl
        # keys it: an AMP or mobile copy (/amp/, /sp/) is the article. Memoised: link_boxes asks
        # of each link more than once.
        href = href.strip()
        if href not in seen:
            try:
                seen[href] = bool(href) and not href.startswith("#") and outlet is not None \
                    and outlet.matches_pattern(canonical_url(urljoin(base, href)))
            except ValueError:  # no URL (an invalid port or IPv6 literal)
                seen[href] = False
        return seen[href]

    rules: Rules | None = None
    body = None
    for candidate in outlet.rules if outlet else ():
        found = _select(tree, candidate.body)
        if found:
            rules, body = candidate, _main_body(found, candidate, is_article)
            break

    if following is None and rules is not None and rules.whole_at:
        following = whole_at(url, _select(tree, rules.whole_at))
    # Metadata is read before pruning: some rules prune the very block that holds the byline.
    title = _title(tree, page, rules, outlet, url)
    published, modified = _dates(tree, page, rules, local_tz)
    authors = _authors(tree, page, rules)
    lead = _select_text(tree, rules.lead) if rules and rules.lead else None
    section = _section(tree, page, rules)
    tags = _tags(tree, page, rules)
    paywalled = bool(rules and rules.paywall and _select(tree, rules.paywall))
    if str(page.jsonld.get("isAccessibleForFree", "")).lower() in ("false", "0"):
        paywalled = True

    def read_generically() -> tuple[list[str], dict[str, Any]]:
        return _generic(tree, url, date=not published and not fast, author=not authors and not fast, fast=fast)

    generic = None
    if rules is not None and body is not None:
        _prune(tree, rules.prune)
        paragraphs = _paragraphs(body, rules.paragraphs, rules.split_br, rules.pre_wrap, is_article)
        method = f"rules:{outlet.key}@{rules.version}"  # type: ignore[union-attr]
        missed = _rules_missed(body, paragraphs, paywalled, is_article)
        if missed or _rules_skipped(body, paragraphs, rules):
            # A redesign inside a body that still matches: stored as an empty page or a line of
            # it (or, where part of the template changed, cut where the changed part began), the
            # article was lost while health said little more than "no article". The body's text
            # is read a line a block (its rules' drop and stop patterns still apply) when that
            # holds the article. Where the rules read next to nothing: ``_RULES_MISSED_MIN_CHARS``
            # at least, and half what generic extraction keeps (a body selector now naming a
            # teaser's box holds less); else the page is read as one without rules, when that
            # keeps more. Where they read part of it, the body is the article's and its lines
            # are read whenever they hold more (generic extraction, which keeps the page's
            # furniture with it, would be taken for holding more still). Either way outlet
            # health counts it as a page its rules missed (`rules_missed`).
            blocks = _blocks(body, rules.split_br or rules.pre_wrap, rules.pre_wrap, is_article)
            in_body = _chars(_finish_text(blocks, rules)[0])
            if not missed:
                if in_body > _chars(paragraphs):
                    paragraphs = blocks
                    method = f"{BODY_METHOD_PREFIX}{outlet.key}@{rules.version}"  # type: ignore[union-attr]
            else:
                # Before trafilatura, which cleans the tree it is given in place.
                generic = read_generically()
                kept = _chars(_finish_text(cut_trailing_blocks(generic[0]), None)[0])
                if in_body >= _RULES_MISSED_MIN_CHARS and in_body >= kept / 2 and in_body > _chars(paragraphs):
                    paragraphs = blocks
                    method = f"{BODY_METHOD_PREFIX}{outlet.key}@{rules.version}"  # type: ignore[union-attr]
                elif kept > _chars(paragraphs) and kept >= _RULES_MISSED_MIN_CHARS:
                    rules = None
    if rules is None:
        paragraphs, generic_meta = generic or read_generically()
        paragraphs = cut_trailing_blocks(paragraphs)
        method = GENERIC_METHOD
        title = trimmed_by(title, generic_meta.get("title")) if title else generic_meta.get("title")
        if not published and generic_meta.get("date"):
            published = to_iso(parse_datetime(generic_meta["date"]), local_tz=local_tz)
        if not authors and generic_meta.get("author"):
            authors = [a.strip() for a in generic_meta["author"].split(";") if a.strip()]
        if not page.is_article and sum(len(p) for p in paragraphs) < 200:
            return None

    furnished = None

    def parsed() -> etree._Element | None:
        # The page parsed anew once, for whichever checks below need it (the rules and trafilatura
        # have pruned the tree).
        nonlocal furnished
        if furnished is None:
            furnished = _parse(html, http_charset)
        return furnished

    def linked(lines: list[str]) -> list[bool]:
        page_tree = parsed()
        return furniture_lines(page_tree, lines) if page_tree is not None else [True] * len(lines)

    paragraphs, cut_at_paywall = _finish_text(paragraphs, rules, linked)
    paywalled = paywalled or cut_at_paywall
    if method == GENERIC_METHOD and not paywalled and paragraphs and _chars(paragraphs) < _TEASER_MAX_CHARS:
        paragraphs, paywalled = _cut_at_prompt(paragraphs, parsed())

    if paragraphs and (paywalled or not has_sentence(paragraphs)):
        # What a teaser's page shows besides its lead is the site's template, and what reads as
        # no sentence may be nothing else: menus, rankings and related lists read where the rules
        # found no text, or in the rules' body, are no text of the article (``furniture``). Read
        # anew: the rules and trafilatura have pruned the tree. Not on every article: 3 ms (a
        # parse, a walk).
        if (page_tree := parsed()) is not None:
            paragraphs = [p for p, furniture in zip(paragraphs, furniture_lines(page_tree, paragraphs))
                          if not furniture]
    if lead and paragraphs and paragraphs[0] == lead:
        paragraphs = paragraphs[1:]
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    site = (page.get("og:site_name"), outlet.name if outlet else None)
    headline = bool(title) and not wall_heading(title) and title not in site
    if not paragraphs and not paywalled and headline:
        # Nothing but menus, or nothing at all, besides a login prompt: a members-only article's
        # page, whose headline is worth keeping as a paywalled one's (Yomiuri's 読者会員限定です).
        paywalled = _members_only(parsed())
    if not paragraphs and not (paywalled and headline):
        # A login page in an article's template ("会員限定記事", the site's name): outcome says
        # which wall.
        return None
    if _in_place(page_notice([title, page.get("og:title")], " ".join(paragraphs), paragraphs), page, paragraphs):
        return None  # outcome.no_article_problem says which notice
    if _may_notice(joined := " ".join(paragraphs)) and _NOTICE.search(joined) \
            and (page_tree := parsed()) is not None \
            and _in_place(page_notice([title, page.get("og:title")], " ".join(lines := own_text(page_tree)), lines),
                          page, lines):
        # A notice in a real site's template: trafilatura reads its menus' and rankings' lines
        # around it (2023年4月7日（金） 特集 連載 … お探しのページは見つかりませんでした。 第81期名人戦は…),
        # over the length a notice is told by, and the page was stored as an article, every later
        # notice page of the site its duplicate. Outside its furniture the page says the notice alone.
        return None
    if _chars(paragraphs) < NOTICE_MAX_CHARS and says_moved(" ".join([title or "", *paragraphs])) \
            and sends_on(html, http_charset):
        # A moved article's page whose script goes on, where the crawl did not follow it (a
        # cookie first, a long wait): no article; outcome names where it sends the browser.
        return None
    if not paywalled and _chars(paragraphs) < NOTICE_MAX_CHARS and asks_age(" ".join([title or "", *paragraphs])) \
            and _age_gate(parsed()):
        # An age gate in the outlet's template (og:type "article"): its menus and question are
        # no article (outcome says which wall). A login's is left be: its teaser is an article.
        return None
    if not paywalled and not published and _chars(paragraphs) < NOTICE_MAX_CHARS \
            and states_region(" ".join([title or "", *paragraphs])) \
            and geo_wall(parsed()) is not None:
        # A region's refusal read as a short article ("our website is currently unavailable in
        # most European countries"): no article of the outlet's (outcome says which wall). A dated
        # one is a flash about such a block.
        return None
    if method == GENERIC_METHOD and _chars(paragraphs) < SCRIPT_ARTICLE_CHARS and \
            drawn_by_script(html, http_charset, paragraphs, title):
        # The page's menus, read for want of its article, which its scripts draw (outcome says so).
        return None
    if method == GENERIC_METHOD and _app_shell_only(parsed(), paragraphs):
        # A script app's shell: its menus, footer and <noscript> ask ("We're sorry but … doesn't work properly
        # without JavaScript enabled") read as an article, and every later article URL its duplicate.
        return None
    return Article(
        url=url or "",
        canonical_url=canonical,
        outlet=outlet.key if outlet else None,
        language=language,
        title=title,
        lead=lead,
        authors=authors,
        published_at=published,
        modified_at=modified,
        paragraphs=[unicodedata.normalize("NFC", p) for p in paragraphs],
        section=section,
        tags=tags,
        paywalled=paywalled,
        method=method,
        site_name=page.get("og:site_name") or (outlet.name if outlet else None),
        next_page=following,
    )
