"""Every encoding a Japanese page comes in must come out as the right Unicode text."""

from __future__ import annotations

import re

import pytest

from crawler.encoding import _guess_japanese, decode_html
from crawler.extract import extract_article

from .conftest import saved_bytes

SJIS_PAGE = "snacktory/yomiuri.sjis.html"
SJIS_TEXT = "海津市海津町の国営木曽三川公園で、チューリップが見頃を迎えている"
UTF8_PAGE = "scrapping-webs/nikkei-test_article_1.html"
UTF8_TEXT = "反撃能力の行使について同盟国が攻撃を受けるといった事例に言及した"


def _utf8_page_text() -> str:
    return saved_bytes(UTF8_PAGE).decode("utf-8")


def test_shift_jis_declared_in_meta():
    text, encoding = decode_html(saved_bytes(SJIS_PAGE))
    assert encoding == "cp932"  # browsers treat Shift_JIS as Windows-31J
    assert SJIS_TEXT in text


def test_shift_jis_without_any_declaration():
    data = re.sub(rb"<meta[^>]+charset[^>]*>", b"", saved_bytes(SJIS_PAGE), flags=re.I)
    assert b"charset" not in data.lower()
    text, _ = decode_html(data)
    assert SJIS_TEXT in text


@pytest.mark.parametrize("codec,label", [("euc_jp", "EUC-JP"), ("cp932", "Shift_JIS")])
def test_real_page_reencoded_declared_and_undeclared(codec, label):
    page = _utf8_page_text()
    declared = re.sub(r'charset="?utf-8"?', f'charset="{label}"', page, flags=re.I)
    assert label in declared
    for html in (declared, re.sub(r"<meta[^>]+charset[^>]*>", "", page, flags=re.I)):
        text, _ = decode_html(html.encode(codec, errors="xmlcharrefreplace"))
        assert UTF8_TEXT in text


def _windows_euc_jp(text: str) -> bytes:
    """``text`` in EUC-JP as Windows writes it (CP51932): JIS X 0208 with NEC's row 13 and the IBM
    kanji NEC put in rows 89-92, at the row and cell CP932 gives them; Python's euc_jp lacks both."""
    out = bytearray()
    for ch in text:
        sjis = ch.encode("cp932", errors="xmlcharrefreplace")
        if len(sjis) != 2:
            out += sjis
            continue
        lead, trail = sjis
        row = (lead - (0x81 if lead < 0xA0 else 0xC1)) * 2 + 1 + (trail >= 0x9F)
        cell = trail - 0x9E if trail >= 0x9F else trail - 0x3F - (trail > 0x7F)
        out += bytes((row + 0xA0, cell + 0xA0))
    return bytes(out)


@pytest.mark.parametrize("declared", [True, False])
def test_euc_jp_written_on_windows_reads_as_browsers_read_it(declared):
    # ① or ㈱ (row 13) and 髙 or 﨑 (rows 89-92) are in every browser's EUC-JP and not in Python's:
    # declared, the page decoded with replacement, which read the byte after each such pair with
    # the next one: "①反撃能力" came out "�“新眷塾�", the topic's words lost from the article.
    page = _utf8_page_text()
    if declared:
        page = re.sub(r'charset="?utf-8"?', 'charset="EUC-JP"', page, flags=re.I)
    else:
        page = re.sub(r"<meta[^>]+charset[^>]*>", "", page, flags=re.I)
    page = page.replace(UTF8_TEXT, f"①{UTF8_TEXT}（㈱髙橋﨑）")
    text, encoding = decode_html(_windows_euc_jp(page))
    assert encoding == "euc_jp"
    assert f"①{UTF8_TEXT}（㈱髙橋﨑）" in text and "\ufffd" not in text
    if not declared:
        return
    # A pair no table has is one U+FFFD, and the text after it is read as written.
    text, _ = decode_html(_windows_euc_jp(page).replace(b"\xad\xa1", b"\xa9\xa1"))
    assert f"\ufffd{UTF8_TEXT}（㈱髙橋﨑）" in text


def test_wrong_declared_charset_is_not_trusted():
    # A UTF-8 page that claims Shift_JIS: decoding as declared would fail; the bytes win.
    page = re.sub(r'charset="?utf-8"?', 'charset="Shift_JIS"', _utf8_page_text(), flags=re.I)
    text, encoding = decode_html(page.encode("utf-8"))
    assert encoding == "utf-8"
    assert UTF8_TEXT in text


def test_utf8_page_declared_as_latin1():
    page = re.sub(r'charset="?utf-8"?', 'charset="iso-8859-1"', _utf8_page_text(), flags=re.I)
    text, _ = decode_html(page.encode("utf-8"))
    assert UTF8_TEXT in text


def test_http_charset_is_tried_first_but_not_blindly():
    data = saved_bytes(SJIS_PAGE)
    text, _ = decode_html(data, http_charset="utf-8")  # wrong header: the bytes are not UTF-8
    assert SJIS_TEXT in text


def test_utf8_bom():
    data = saved_bytes("trafilatura-eval/nhk.or.jp.k100.html")
    assert data.startswith(b"\xef\xbb\xbf")
    text, encoding = decode_html(data)
    assert encoding == "utf-8" and not text.startswith("\ufeff")
    article = extract_article(data, "https://www3.nhk.or.jp/news/easy/k10011959621000/k10011959621000.html")
    assert article is not None and "体罰を禁止する" in article.title


def test_numeric_entities_become_characters():
    data = saved_bytes("postlight-parser/www.asahi.com.html")
    assert b"&#x" in data
    article = extract_article(data, "http://www.asahi.com/articles/ASM2Q5HKNM2QUCVL02D.html")
    assert article is not None
    assert article.title == "メディア芸術祭賞、「チコちゃんに叱られる！」が受賞"
    assert "&#" not in article.text and "メディア芸術祭賞" in article.text


def test_sjis_page_extracts_to_unicode_article():
    article = extract_article(saved_bytes(SJIS_PAGE), "http://www.yomiuri.co.jp/e-japan/gifu/news/20110410-OYT8T00124.htm")
    assert article is not None
    assert SJIS_TEXT in article.text


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x01\x02", b"<html><body></body></html>",
                                  b"<html><head><title>x</title></head><body><p>short</p></body></html>"])
def test_empty_and_garbage_pages_give_none(data):
    assert extract_article(data, "https://example.com/x") is None


def test_truncated_markup_still_extracts():
    data = saved_bytes(UTF8_PAGE)
    cut = data[: int(len(data) * 0.6)]
    article = extract_article(cut, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/")
    assert article is not None and article.title


def _cut_character(data: bytes, before: bytes) -> bytes:
    """``data`` with the last byte of the character before ``before`` gone, as a CMS that
    shortens a teaser by bytes leaves it (PHP's substr on UTF-8)."""
    at = data.index(before)
    return data[:at - 1] + data[at:]


def test_a_utf8_page_with_a_character_cut_in_two_stays_utf8():
    # One undecodable byte sent the page to the guess, which took it for CP932: its whole text
    # mojibake, its article found by no topic.
    data = saved_bytes(UTF8_PAGE)
    clean = extract_article(data, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/")
    damaged = _cut_character(data, "</title>".encode())
    with pytest.raises(UnicodeDecodeError):
        damaged.decode("utf-8")
    text, encoding = decode_html(damaged)
    assert encoding == "utf-8" and UTF8_TEXT in text and text.count("\ufffd") == 1
    article = extract_article(damaged, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/")
    assert article is not None and article.text == clean.text


def test_a_page_cut_inside_a_character_keeps_its_codec():
    data = saved_bytes(UTF8_PAGE)
    at = data.index(UTF8_TEXT.encode()) + len(UTF8_TEXT.encode()) + 1  # inside the next character
    assert data[at - 1] >= 0x80
    text, encoding = decode_html(data[:at])
    assert encoding == "utf-8" and text.endswith(UTF8_TEXT + "\ufffd")


@pytest.mark.parametrize("codec,label", [("cp932", "Shift_JIS"), ("euc_jp", "EUC-JP")])
@pytest.mark.parametrize("japanese", ["page", "title"])
def test_a_japanese_page_with_a_stray_byte_keeps_its_declared_codec(codec, label, japanese):
    # The other side of that tolerance: a page in another codec is far from UTF-8, however
    # little Japanese it holds (a title), and keeps its own codec, U+FFFD for the stray byte.
    page = re.sub(r'charset="?utf-8"?', f'charset="{label}"', _utf8_page_text(), flags=re.I)
    expected = UTF8_TEXT
    if japanese == "title":
        page, expected = re.sub(r"[^\x00-\x7f]", "", page).replace("</title>", "反撃能力</title>"), "反撃能力"
    data = page.encode(codec, errors="xmlcharrefreplace")
    at = data.index(b"</title>")
    damaged = data[:at] + b"\x85\x40" + data[at:]  # undefined in both codecs
    with pytest.raises(UnicodeDecodeError):
        damaged.decode(codec)
    text, encoding = decode_html(damaged)
    assert encoding == codec and expected in text and text.count("\ufffd") == 1


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-32"])
def test_a_utf8_page_that_says_utf16_is_read_as_utf8(label):
    # Any even number of bytes decodes "cleanly" as UTF-16: the page came out as CJK-looking
    # garbage, in <meta> or in the HTTP header alike.
    page = re.sub(r'charset="?utf-8"?', f'charset="{label}"', _utf8_page_text(), flags=re.I).encode("utf-8")
    page += b" " * (len(page) % 4 and 4 - len(page) % 4)
    for text, encoding in (decode_html(page), decode_html(page, http_charset=label)):
        assert encoding == "utf-8" and UTF8_TEXT in text


def test_a_utf16_page_without_a_bom_keeps_its_declared_codec():
    page = _utf8_page_text().replace('charset="utf-8"', 'charset="utf-16le"')
    text, encoding = decode_html(page.encode("utf-16-le"), http_charset="utf-16le")
    assert encoding == "utf-16-le" and UTF8_TEXT in text


@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
@pytest.mark.parametrize("http_charset", ["utf-8", None])
def test_a_utf8_page_carrying_a_box_in_another_codec_stays_utf8(codec, http_charset):
    # An ad or PR include in Shift_JIS or EUC-JP inside a UTF-8 page: over 1 % of the page's
    # non-ASCII bytes undecodable, the page went to the last resort, CP932, and its whole article
    # was stored as mojibake (score 0, out of the queue), where a browser shows it readable.
    box = ("<aside><ul>" + "".join(f"<li><a href='/pr/{i}'>【PR】関連リンク：ご当地グルメ特集、週末のおでかけ情報、"
                                   "天気予報はこちらをご覧ください。</a></li>" for i in range(12))
           + "</ul></aside>").encode(codec)
    data = saved_bytes(UTF8_PAGE).replace(b"</body>", box + b"</body>", 1)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = decode_html(data, http_charset)
    assert encoding == "utf-8" and UTF8_TEXT in text
    article = extract_article(data, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/",
                              http_charset=http_charset)
    assert article is not None and UTF8_TEXT in article.text and "反撃能力" in article.title


@pytest.mark.parametrize("where", ["nowhere", "past the prescan"])
def test_iso2022jp_without_a_declaration_is_read_by_its_escapes(where):
    # ISO-2022-JP is 7-bit, hence valid UTF-8: undeclared, the article was stored as its escape
    # sequences ("\x1b$B!V6b..."), a text no topic finds.
    page = re.sub(r"<meta[^>]+charset[^>]*>", "", _utf8_page_text(), flags=re.I)
    if where == "past the prescan":
        page = "<!--" + "x" * 20_000 + "-->" + page.replace("<head>", '<head><meta charset="iso-2022-jp">', 1)
    data = page.encode("iso2022_jp", errors="xmlcharrefreplace")
    assert data.isascii()
    text, encoding = decode_html(data)
    assert encoding == "iso2022_jp" and UTF8_TEXT in text
    article = extract_article(data, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/")
    assert article is not None and UTF8_TEXT in article.text


@pytest.mark.parametrize("bom,codec,label", [(b"\xef\xbb\xbf", "cp932", "Shift_JIS"),
                                             (b"\xef\xbb\xbf", "euc_jp", "EUC-JP"), (b"\xff\xfe", "utf-8", "utf-8")])
def test_a_byte_order_mark_its_bytes_belie_is_not_trusted(bom, codec, label):
    # A UTF-8 mark an include file leaves before a Shift_JIS page: read as UTF-8, the article was
    # stored as a page of U+FFFD; a UTF-16 mark before UTF-8 bytes, as CJK-looking garbage.
    page = re.sub(r'charset="?utf-8"?', f'charset="{label}"', _utf8_page_text(), flags=re.I)
    data = bom + page.encode(codec, errors="xmlcharrefreplace")
    text, encoding = decode_html(data, label)
    assert encoding == codec and UTF8_TEXT in text and "\ufffd" not in text
    article = extract_article(data, "https://www.nikkei.com/article/DGXZQOUA0420E0U3A400C2000000/", http_charset=label)
    assert article is not None and UTF8_TEXT in article.text and "反撃能力" in article.title


@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
@pytest.mark.parametrize("http_charset", ["utf-8", None])
@pytest.mark.parametrize("headlines", [("防衛費増額、閣議決定", "岸田首相"), ("日銀総裁会見",)])
def test_a_short_page_of_headlines_without_hiragana_is_read_as_japanese(codec, http_charset, headlines):
    # Headlines are often kanji and katakana only: with no hiragana they scored 0 as Japanese, and
    # charset-normalizer read a short page or feed of them as Korean (CP949) or Arabic (CP1256).
    page = f"<html><head><title>{headlines[0]}</title></head><body>"
    page += "".join(f"<p>{h}</p>" for h in headlines) + "</body></html>"
    text, encoding = decode_html(page.encode(codec), http_charset)
    assert encoding == codec and all(h in text for h in headlines)


@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
@pytest.mark.parametrize("http_charset", ["utf-8", None])
def test_a_headline_of_rare_kanji_and_hiragana_is_still_read_as_japanese(codec, http_charset):
    # Its hiragana made it Japanese before common kanji counted; rare kanji (a fish, an illness) outnumbering the
    # rest must not undo that, or charset-normalizer reads it as CP949.
    headline = "鰻の稚魚、漁獲量激減"
    text, encoding = decode_html(f"<html><head><title>{headline}</title></head></html>".encode(codec), http_charset)
    assert encoding == codec and headline in text


@pytest.mark.parametrize("codec,title", [
    ("cp1252", "Économie française"), ("cp1252", "Größe"), ("cp1251", "Новости дня"), ("cp1256", "أخبار اليوم"),
    # Hangul and hanzi read as EUC-JP are kanji, some common: a guess by sign alone took these for Japanese.
    ("euc_kr", "아파트 정부"), ("euc_kr", "삼성전자"), ("gbk", "大幅下跌"), ("gbk", "科技外交部"),
])
def test_a_short_page_in_another_script_is_not_taken_for_japanese(codec, title):
    data = f"<html><head><title>{title}</title></head><body><p>{title}</p></body></html>".encode(codec)
    assert any(_decodes_cleanly(data, name) for name in ("cp932", "euc_jp"))  # else the guess is not put to it
    assert _guess_japanese(data) is None
    assert decode_html(data)[1] not in ("cp932", "euc_jp", "iso2022_jp")


def _decodes_cleanly(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
