"""Turn the bytes of an HTML page into Unicode, whatever Japanese outlets declare (or don't).

Japanese pages come as UTF-8, Shift_JIS/CP932 or EUC-JP; some declare nothing, some declare the
wrong charset, some start with a BOM. A declared charset is trusted only if the bytes decode
cleanly with it: a page that says Shift_JIS but is UTF-8 is common after CMS migrations.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from w3lib.encoding import resolve_encoding

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Where browsers look for <meta charset>: the spec says the first 1024 bytes, but Japanese
# CMSs put long comment headers first, so look further.
_PRESCAN = 16384
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte encodings decode any byte string; when one is declared for bytes that are valid
# UTF-8 with non-ASCII in them, the declaration is the mistake.
_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "ascii", "iso8859-15"}


def _normalise(name: str) -> str | None:
    try:
        # w3lib maps the web's labels to Python codecs (shift_jis -> cp932, as browsers do)
        resolved = resolve_encoding(name.decode("ascii", "ignore") if isinstance(name, bytes) else name)
    except LookupError:
        return None
    if resolved is None:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def charset_of(content_type: str | None) -> str | None:
    """The charset a Content-Type header names (``charset="utf-8"`` too), for every path that
    extracts: the crawl, ingest, reextract; and for wall detection."""
    if content_type and "charset=" in content_type.lower():
        return content_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
    return None


def declared_encodings(data: bytes, http_charset: str | None = None) -> list[str]:
    """The encodings the transport and the page claim, in order of authority, deduplicated."""
    found: list[str] = []
    if http_charset:
        found.append(http_charset)
    head = data[:_PRESCAN]
    m = _XML_DECL.match(head)
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    found.extend(m.group(1).decode("ascii", "ignore") for m in _META_CHARSET.finditer(head))
    out: list[str] = []
    # UTF-16 and UTF-32 put a NUL beside every ASCII character of the markup. A page without one
    # that says UTF-16 is ASCII-compatible (UTF-8, by the HTML standard's reading of such a
    # <meta>), and any even number of bytes decodes "cleanly" as UTF-16: to CJK-looking garbage.
    wide_ok = b"\x00" in head[:4096]
    for name in found:
        norm = _normalise(name)
        if norm and norm not in out and (wide_ok or not norm.startswith(("utf-16", "utf-32"))):
            out.append(norm)
    return out


def _windows_euc(error: UnicodeDecodeError, replace: bool) -> tuple[str, int]:
    """Decode the pair of bytes Python's ``euc_jp`` could not: NEC's row 13 (①, ㈱, ㍉) and the
    IBM kanji NEC placed in rows 89-92 (髙, 﨑), which EUC-JP pages written on Windows carry and
    browsers read (the WHATWG index is JIS X 0208 with Windows' additions). Python stopped at such
    a pair, and with replacement it replaced one byte and read the next with the byte after it:
    "①反撃能力" came out "�“新眷塾�", the characters after such a pair misread. Read as Shift_JIS's
    bytes for the same row and cell, decoded with CP932, which holds both."""
    data, at = error.object, error.start
    pair = data[at:at + 2]
    if len(pair) == 2 and all(0xA1 <= b <= 0xFE for b in pair):
        row, cell = pair[0] - 0xA0, pair[1] - 0xA0
        lead = ((row - 1) >> 1) + (0x81 if row <= 62 else 0xC1)
        trail = cell + (0x3F + (cell >= 64) if row % 2 else 0x9E)
        try:
            return bytes((lead, trail)).decode("cp932"), at + 2
        except UnicodeDecodeError:
            if replace:  # a pair no table has: one character replaced, the next read as written
                return "\ufffd", at + 2
    if replace:
        return "\ufffd", error.end
    raise error


codecs.register_error("newsmon-euc-jp-strict", lambda error: _windows_euc(error, False))
codecs.register_error("newsmon-euc-jp-replace", lambda error: _windows_euc(error, True))


def _decode(data: bytes, encoding: str, errors: str = "strict") -> str:
    if encoding == "euc_jp" and errors in ("strict", "replace"):
        errors = f"newsmon-euc-jp-{errors}"
    return data.decode(encoding, errors)


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return _decode(data, encoding)
    except (UnicodeDecodeError, LookupError):
        return None


#: The share of a page's non-ASCII bytes that may be undecodable for ``_nearly``: a page in
#: another codec fails on most of its non-ASCII bytes (Shift_JIS read as UTF-8, on nearly all).
_DAMAGE = 0.01
#: The same for UTF-8, which a page in another codec is much further from: Shift_JIS, CP932 or
#: EUC-JP read as UTF-8 fail on 55-77 % of their non-ASCII bytes (7 saved pages in each), while
#: UTF-8 read as CP932 fails on only 4-7 % (so CP932's share stays 1 %). A UTF-8 page that
#: carries a box of Shift_JIS (an ad or PR include, 4 lines, 500 bytes in a 120 KB page) fails
#: on 2-3 %: over 1 % it went to the last resort, CP932, and was stored whole as mojibake, where
#: a browser shows it readable with U+FFFD in the box.
_UTF8_DAMAGE = 0.10
#: Undecodable bytes allowed whatever the page's size when the page declares the codec (its
#: only Japanese may be its title): a character cut in two, a stray byte.
_FEW = 2
_HIGH = bytes(range(128, 256))


def _nearly(data: bytes, encoding: str, few: int = 0) -> str | None:
    """``data`` decoded with U+FFFD for its few undecodable bytes, or ``None`` if not few."""
    try:
        text = _decode(data, encoding, "replace")
    except LookupError:
        return None
    errors = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    high = len(data) - len(data.translate(None, _HIGH))
    damage = _UTF8_DAMAGE if encoding == "utf-8" else _DAMAGE
    return text if errors <= max(few, damage * high) else None


#: The escapes that switch ISO-2022-JP into JIS X 0208 (``ESC $ B``, ``ESC $ @``) or JIS X 0212.
_ISO2022_JP = re.compile(rb"\x1b\$[@B]|\x1b\$\(D")


def _after_bom(data: bytes) -> tuple[str, str] | None:
    """The page after its byte-order mark, in the mark's codec, when the bytes after it are in
    that codec; ``None`` when there is no mark, or the bytes say otherwise (a UTF-8 mark an
    include file left before a Shift_JIS page: read as UTF-8 it was a page of U+FFFD, stored as
    the article; UTF-16's mark before bytes with no NUL beside their ASCII: CJK-looking garbage)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            rest = data[len(bom):]
            if name == "utf-8":
                text = _nearly(rest, name, _FEW)
            else:
                text = rest.decode(name, errors="replace") if b"\x00" in rest[:4096] or not rest else None
            return (text, name) if text is not None else None
    return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode an HTML document; return ``(text, encoding used)``.

    Order: a BOM; the HTTP charset and the page's own declarations, each only if the bytes
    decode cleanly with it; UTF-8; UTF-8 or a declared codec that leaves only a few bytes
    undecoded (``_nearly``); a statistical guess (charset-normalizer); and last CP932 with
    replacement characters, so that a damaged page still yields most of its text.
    """
    if (marked := _after_bom(data)) is not None:
        return marked
    for bom, _ in _BOMS:
        if data.startswith(bom):  # a mark the bytes after it belie: read them as if unmarked
            data = data[len(bom):]
            break
    utf8 = _decodes(data, "utf-8")
    if utf8 is not None and b"\x1b" in data and data.isascii() and _ISO2022_JP.search(data):
        # ISO-2022-JP is 7-bit: any page in it is valid UTF-8 (ASCII), and one that does not say
        # so (or says so past the prescan) was stored as its escape sequences ("\x1b$B!V6b$K..."),
        # an article no topic can find. Browsers detect it by those escapes; so does this.
        if (text := _decodes(data, "iso2022_jp")) is not None:
            return text, "iso2022_jp"
    declared = declared_encodings(data, http_charset)
    for name in declared:
        if name in _SINGLE_BYTE and utf8 is not None and not data.isascii():
            return utf8, "utf-8"
        text = utf8 if name == "utf-8" else _decodes(data, name)
        if text is not None:
            return text, name
    if utf8 is not None:
        return utf8, "utf-8"
    # A few bad bytes in a long page: a character cut in two where a CMS shortened a teaser by
    # bytes, the end of a truncated page, a stray byte from an ad. No codec decodes the page
    # cleanly then, and the guess took a UTF-8 page for CP932: its whole text mojibake, its
    # article unscorable. Browsers keep the codec and show U+FFFD for those bytes; so does this.
    # UTF-8 first: CP932 accepts most UTF-8 byte pairs, while other bytes are rarely near-UTF-8.
    for name in ("utf-8", *(n for n in declared if n != "utf-8")):
        text = _nearly(data, name, _FEW if name in declared else 0)
        if text is not None:
            return text, name
    guess = _guess_japanese(data)
    if guess is not None:
        return guess
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        name = codecs.lookup(best.encoding).name
        text = _decodes(data, name)
        if text is not None:
            return text, name
    return data.decode("cp932", errors="replace"), "cp932"


#: The 1,000 kanji most frequent in the 103 Japanese news pages saved in tests/fixtures/saved (each counted at most 20
#: times a page), by rank: 94 % of those pages' kanji, and all the kanji of 14 headlines tried. Hangul in EUC-KR and
#: hanzi in GBK read as EUC-JP are kanji too, cleanly, but only a quarter of them are among these (26 % and 30 % of a
#: few Korean and Chinese headlines).
_COMMON_KANJI = frozenset(
    "日人事新大会年国本報中社月見一記時子者動生学情政地用発連東経定関聞行高内員出業山前読田真自画上知集選長間手気島部小目方金朝載済写合法治化教特相北分文開家場今売活料取野最市入利問京無外調道説世川力論信広"
    "代不機言育米性書権理覧登戦作海面名品産速全福録正語対査女際表通後電和務同公明体題円安県解回意告首版天投転保刊元食水能来注界議有検式話町立実点下院主企球案介規統愛都原策度約氏医込予域西要向私流木当引岡車"
    "着災美物続感現期民設平的宮受所格万歳職台成型校防変楽限次融療害計数示指総運配店価考反線南以使室就火心近営口風三死初先進男神他疑岸件編強撃決験得申送井伝思提震紙第視商付交資科馬供容葉術紹別認稿制断週始少"
    "判株秋多康阪応崎護購確健字製支局著挙森共索組直影重結皇再半個映歴増未城根談好門賀様止屋加勢良持像在任官難境細毎改詳住英身奈達何携参技児庁光撮衆声太消素鳥接象区団沖佐鮮更史州材歩二想環販落帯石色望縄切四"
    "攻旅銀種亡可委税質備号囲母千張買勝音果係由放令芸探追府警存役財終形捕静評働建必省常族青急観置費香仕援王専義違展夫研深察待起歌藤軍工衛番位館況庫演賞鉄状基与村領優頭究将逮夕為求非兵病施独党父春越師居谷念"
    "催印味競猫訪然習座陸残障染松親管採故客岐導響各復徳返空帰阜負値割命宅群希守早試散十末白効打退輪土図足乗駅労玉去掲底湾構継士収隊答補協離闘挑古異若赤過岩替複姿棋閉裁九酒薬監被花創症困講態爆両殺津走刷鹿吉"
    "移善五避倍射波停熊密横覚候悲履園暮碁角八布埼韓危課戻源超差降富武側破派占般造夢昨完単便満振路婚顔友承標等億悪周届夜舞丸傷盤憲池巨器郎算例司除宇証棚午撲禁景失責血飛草突秘港滋冷抗背宙博清板描永遠籍因潟段"
    "漫悩典担札茶額願渡短娘修条裏迫推遺厳低律庭争祭拠雑茨逃眞戸助程量寄納督媛老箱夏魅幸弁奥遊季潮激装絶針休弱星募弾昭識険準栃請押払齢雨妻林旧救否梨帳批苦減積眼整給曜壊伊滅紀昇霞類脳辞席適誌沢訴誰属笑皆暗抄"
    "洋核許呼率息賃具均飲暴盗枠含恐惑養喜了仲痛比緊精霊奪績房測絵輸処宿熱節豪侵航倒闇泉端軽余診束討卓罪階懸窓寺普礼坂跡抜頼往致鬼黒憶拡換堂燃右票仮雄謝副怒宝築貯丈快御陰系極寝圧温央敗我脱摘卒彼志頃織貸服己"
    "枚婦洗倉塗諸列辺塚授豊頂借訳鶏眠床託百絡甲捜河華踏欠欲焼紋勤頑宣江審幅拝閣幹縮劇犬街犯殖橋筆怖恩晴左迷逆械羅缶嫌臣葬択露驚久戒及勇誘損君祐龍聴紡獄扱鏡陽鍵冬臨肉繰寒招尾遅彰悟欄途序翔概触範寸塔虫勉涙妹"
)

#: Kana, and the punctuation and full-width digits and letters Japanese writes; not every full-width form: English
#: in GBK read as EUC-JP gave "＾" and "￣" for its quotes.
_WRITTEN = re.compile("[\u3041-\u3096\u309d\u309e\u30a1-\u30fe\u3000-\u3002\u3005\u3008-\u3011\u301c"
                      "\uff01-\uff3a\uff41-\uff5a]")
_KANJI = re.compile("[\u4e00-\u9fff]")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
#: Half-width katakana and CP932's user-defined characters.
_MISREAD = re.compile("[\uff61-\uff9f\ue000-\uf8ff]")
_HALFWIDTH = re.compile("[\uff61-\uff9f]")


def _japanese_score(text: str) -> int:
    """How Japanese ``text`` looks: what Japanese writes, less what bytes decoded with the wrong codec come out as.

    Bytes of one Japanese codec read with another, or bytes of a European, Arabic, Korean or Chinese page read with a
    Japanese codec, come out as half-width katakana, user-defined characters (CP932's F0-F9) and kanji, most of them
    rare. Japanese writes hiragana, katakana, its punctuation (、。「」・　), full-width digits and common kanji; its
    headlines are often without hiragana ("防衛費増額、閣議決定", "安保３文書改定"), which scored 0 when hiragana
    alone counted, and were left to charset-normalizer, which read a small feed of them as Korean or Arabic."""
    kanji = _KANJI.findall(text)
    common = sum(1 for ch in kanji if ch in _COMMON_KANJI)
    written, rare = len(_WRITTEN.findall(text)), len(kanji) - common
    # Hiragana less twice the half-width katakana, the score before kanji counted, stays a floor: a headline of rare
    # kanji joined by a particle ("鰻の稚魚、漁獲量激減", "膵臓癌、肝硬変…の症状") fails the guards below, and
    # charset-normalizer read it as CP949 or Mac Latin-2 where hiragana alone had read it right.
    floor = max(len(_HIRAGANA.findall(text)) - 2 * len(_HALFWIDTH.findall(text)), 0)
    # Korean and Chinese read as EUC-JP are kanji, a quarter of them common: a short title of them may still score
    # above 0 ("아파트 정부" as "焼督闘 舛採"). Without kana, which they all but never give, a text must be of common
    # kanji, nearly all, and of more than a word.
    if 3 * rare > common + written:
        return floor
    if not _KANA.search(text) and (8 * rare > common + written or common + written < 4):
        return floor
    return max(floor, written + common - rare - 2 * len(_MISREAD.findall(text)))


def _guess_japanese(data: bytes) -> tuple[str, str] | None:
    """Pick among the Japanese codecs that decode the bytes cleanly, by how Japanese the text looks."""
    decoded = [(name, text) for name in ("cp932", "euc_jp", "iso2022_jp")
               if (text := _decodes(data, name)) is not None]
    if not decoded:
        return None
    name, text = max(decoded, key=lambda d: _japanese_score(d[1]))
    return (text, name) if _japanese_score(text) > 0 else None


#: In a text read with the wrong codec: U+FFFD for bytes it could not decode (2 % of its
#: characters, 5 at least: a source's stray few are no wrong codec), an escape of ISO-2022-JP read
#: as ASCII, UTF-8 read as CP932 ("蜿肴茶閭ｽ蜉幄｡御ｽｿ": every kana's first two bytes, E3 81-83, read
#: as 縺, 繧 or 繝, which Japanese prose all but never writes), or read with a single-byte codec
#: (below).
_REPLACED_SHARE = 0.02
_REPLACED_MIN = 5
_KANA_LEADS = "縺繧繝"
_ODD_MIN = 20
_HIRAGANA = re.compile("[\u3041-\u309f]")
_ODD = re.compile("[\u00c0-\u024f\u0370-\u04ff]")
_JAPANESE = re.compile("[\u3041-\u30ff\u4e00-\u9fff]")
_ASCII_LETTER = re.compile("[A-Za-z]")


def garbled(text: str, language: str | None = None) -> bool:
    """Whether an article's text reads as bytes decoded with the wrong codec (see above): stored
    so, it scores 0 and never reaches the queue, so outlet health counts such articles
    (``garbled``) rather than let a charset newsmon reads wrong pass as a quiet outlet.
    ``language``: the article's; one written in those letters (a Russian page among the
    benchmark's) is read as it is."""
    if "\x1b" in text:
        return True
    chars = len("".join(text.split()))
    replaced = text.count("\ufffd")
    if chars and replaced >= _REPLACED_MIN and replaced >= _REPLACED_SHARE * chars:
        return True
    if sum(text.count(ch) for ch in _KANA_LEADS) >= _ODD_MIN > len(_HIRAGANA.findall(text)):
        return True
    if language and language[:2].lower() not in ("ja", "en", "zh", "ko"):
        return False
    # Read with a single-byte codec (a guess's Latin-1, KZ-1048 or KOI8: "гҖҖгҖҗгӮҪгӮҰ", "æ—¥æœ¬"), Japanese
    # comes out as accented Latin, Greek or Cyrillic letters and no kana or kanji at all (a title
    # read from the page's metadata aside): ten times as many of them as of kana and kanji, and more
    # than of ASCII letters, which no Japanese or English story has, whatever it quotes (a Russian
    # ministry's name under a list of kanji), nor a European one's quotes.
    odd = len(_ODD.findall(text))
    return odd >= _ODD_MIN and odd > 10 * len(_JAPANESE.findall(text)) and odd > len(_ASCII_LETTER.findall(text))
