"""Whether the bytes of a fetched or saved "page" are text at all, before anyone parses them.

A PDF served as ``text/html``, an image behind an article URL, a gzip body nobody decompressed
or a file of random bytes all go through an HTML parser without complaint and come out as an
"article" of mojibake, or as a silent "no article". :func:`sniff_binary` looks at the bytes
only (never at what the server or the file name claims) and says what they are instead.

And undoing a Content-Encoding so that a cut or corrupt stream says so (:func:`decompress`,
:func:`gunzip`), where the decoders of Python and Scrapy return what they could decode of it.

Pure: no Scrapy, no I/O. ``newsmon extract`` uses it on saved pages; the crawl on response
bodies, feeds and sitemaps.
"""

from __future__ import annotations

import codecs
import sys
import zlib
from io import BytesIO

import brotli

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the backport Scrapy itself decodes zstd with
    from backports import zstd

#: Leading bytes of formats that are never a web page, and what to call them. Checked after
#: leading ASCII whitespace (a PDF behind a stray newline is still a PDF). Only signatures of
#: three bytes or more that no text page starts with: "MZ" or "BM" begin English words too.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document (%PDF magic)"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"PK\x03\x04", "zip archive (PK magic; also .docx/.xlsx/.pptx/.odt/.epub)"),
    (b"PK\x05\x06", "zip archive (PK magic, empty)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (OLE2 magic: .doc/.xls/.ppt)"),
    (b"\x1f\x8b", "gzip data (compressed, not decoded)"),
    (b"\x28\xb5\x2f\xfd", "zstd data (compressed, not decoded)"),
    (b"BZh", "bzip2 data (compressed)"),
    (b"\xfd7zXZ\x00", "xz data (compressed)"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\x00asm", "WebAssembly module"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM media"),
)
#: Signatures that sit at an offset: (offset, bytes, what).
OFFSET_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftyp", "MP4/QuickTime/HEIF media (ftyp box)"),
    (8, b"WEBP", "WebP image"),
    (8, b"AVI ", "AVI video"),
    (8, b"WAVE", "WAV audio"),
)
#: How much of the body the byte statistics look at: enough to be sure, cheap on a 10 MB body.
SAMPLE = 65536
#: Share of NUL and control bytes above which a body is not text. Text in any encoding pages
#: use (UTF-8, Shift_JIS, EUC-JP, ISO-2022-JP, the single-byte ones) has none besides tab,
#: newlines, form feed and ISO-2022's ESC; random or compressed bytes have ~11 %. A stray
#: NUL or two in a real page (broken CMSs emit them) stays far below 1 %.
CONTROL_SHARE = 0.01

# Bytes < 0x20 and DEL, except \t \n \v \f \r and ESC (ISO-2022-JP switches with it).
_CONTROL = bytes([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def sniff_binary(body: bytes) -> str | None:
    """Say why ``body`` is not text, or return ``None`` when it may be a page.

    Looks at the bytes alone: format signatures (PDF, images, zip and Office documents,
    compressed data, executables, media), then the share of NUL and control bytes in the
    first :data:`SAMPLE` bytes. A body with a UTF-8 or UTF-16 byte-order mark is text
    (UTF-16 is full of NULs). Whether text is *HTML*, or decodes cleanly in the charset it
    declares, is not asked here: the parser and ``crawler/encoding.py`` deal with that.

    Args:
        body: the bytes as received or read from disk, after any transfer or content
            encoding was undone (a gzip body that was not is reported as gzip data).

    Returns:
        ``None`` for text, including an empty body (empty is a different fault: the caller
        says so); otherwise a short reason such as ``"PDF document (%PDF magic)"`` or
        ``"binary data: 11% of the first 3000 bytes are NUL or control bytes"``.
    """
    # UTF-16 without a byte-order mark is NUL every other byte, but starts '<' NUL or NUL '<'.
    if not body or body.startswith(_TEXT_BOMS) or body.startswith((b"<\x00", b"\x00<")):
        return None
    head = body[:1024].lstrip(b" \t\r\n\f")
    for magic, what in SIGNATURES:
        if head.startswith(magic):
            return what
    for offset, magic, what in OFFSET_SIGNATURES:
        if body[offset:offset + len(magic)] == magic:
            return what
    sample = body[:SAMPLE]
    control = len(sample) - len(sample.translate(None, _CONTROL))
    if control > CONTROL_SHARE * len(sample):
        return (f"binary data: {control * 100 / len(sample):.0f}% of the first {len(sample)} bytes "
                "are NUL or control bytes")
    return None


class TooLarge(ValueError):
    """The data decompresses beyond the limit given (a compression bomb, or a huge document)."""


class Truncated(ValueError):
    """The compressed stream ends before its end marker (a cut download)."""


class Corrupt(ValueError):
    """The data is not valid in the compression it is said to be in."""


#: How much one decompression step may write: the size limit is checked between steps, so a
#: bomb never gets further than this past it.
_STEP = 65536


def gunzip(data: bytes, max_size: int) -> bytes:
    """gunzip that says when the stream is cut short (Python's and Scrapy's return what they
    got, silently) and stops at ``max_size`` bytes (0: no limit). Concatenated gzip members are
    one stream (RFC 1952), as ``gzip.decompress`` reads them; zero padding after the last is not.

    Raises:
        TooLarge, Truncated; zlib.error for data that is no gzip.
    """
    out = BytesIO()
    size = 0
    while data:
        inflater = zlib.decompressobj(wbits=31)
        size = _inflate_into(out, inflater, inflater.decompress(data, _STEP), size, max_size, len(data))
        if not inflater.eof:
            raise Truncated(f"the gzip stream ends before its end marker after {size:,} bytes")
        data = inflater.unused_data.lstrip(b"\x00")
    return out.getvalue()


def _inflate_into(out: BytesIO, inflater, chunk: bytes, size: int, max_size: int, compressed: int) -> int:
    """Write what ``inflater`` gives, step by step, into ``out``; return the size written."""
    while True:
        size = _grown(size, len(chunk), max_size, compressed)
        out.write(chunk)
        if not inflater.unconsumed_tail or inflater.eof:
            return size
        chunk = inflater.decompress(inflater.unconsumed_tail, _STEP)


def _grown(size: int, more: int, max_size: int, compressed: int) -> int:
    size += more
    if max_size and size > max_size:
        raise TooLarge(f"over {max_size:,} bytes once decompressed ({compressed:,} bytes compressed)")
    return size


def decompress(data: bytes, encoding: str, max_size: int) -> bytes:
    """Undo one HTTP Content-Encoding (gzip, deflate, br or zstd), saying when the stream is cut
    short or is not what it claims, and stopping at ``max_size`` bytes (0: no limit).

    Scrapy's own decoders return whatever part of a cut stream they could decode: half a page
    (gzip, deflate, br) or nothing (zstd), which the crawl then read as a whole page, or as an
    empty one. A CDN answers a crawler that accepts them in br or zstd more often than in gzip.

    Raises:
        TooLarge, Truncated, Corrupt; LookupError for an encoding not named above.
    """
    if not data:
        return data  # nothing was sent: the caller names an empty body as such, not as a cut
    try:
        if encoding in ("gzip", "x-gzip"):
            return gunzip(data, max_size)
        if encoding == "deflate":
            return _inflate(data, max_size)
        if encoding == "br":
            return _unbrotli(data, max_size)
        if encoding == "zstd":
            return _unzstd(data, max_size)
    except (zlib.error, brotli.error, zstd.ZstdError) as exc:
        raise Corrupt(f"{type(exc).__name__}: {exc}") from None
    raise LookupError(f"no decoder for Content-Encoding {encoding!r}")


def _inflate(data: bytes, max_size: int) -> bytes:
    """deflate as HTTP means it (zlib-wrapped), or raw deflate, which some servers send instead."""
    inflater = zlib.decompressobj()
    try:
        first = inflater.decompress(data, _STEP)
    except zlib.error:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        first = inflater.decompress(data, _STEP)
    out = BytesIO()
    size = _inflate_into(out, inflater, first, 0, max_size, len(data))
    if not inflater.eof:
        raise Truncated(f"the deflate stream ends before its end marker after {size:,} bytes")
    return out.getvalue()


def _unbrotli(data: bytes, max_size: int) -> bytes:
    decoder = brotli.Decompressor()
    out = BytesIO()
    chunk = decoder.process(data, output_buffer_limit=_STEP)
    size = 0
    while chunk:
        size = _grown(size, len(chunk), max_size, len(data))
        out.write(chunk)
        if decoder.is_finished():
            break
        chunk = decoder.process(b"", output_buffer_limit=_STEP)
    if not decoder.is_finished():
        raise Truncated(f"the br stream ends before its last block after {size:,} bytes")
    return out.getvalue()


def _unzstd(data: bytes, max_size: int) -> bytes:
    # ZstdFile reads frame after frame (a server may send several) and says where one is cut.
    reader = zstd.ZstdFile(BytesIO(data))
    out = BytesIO()
    size = 0
    while True:
        try:
            chunk = reader.read(_STEP)
        except EOFError:
            raise Truncated(f"the zstd stream ends before its frame does after {size:,} bytes") from None
        if not chunk:
            return out.getvalue()
        size = _grown(size, len(chunk), max_size, len(data))
        out.write(chunk)
