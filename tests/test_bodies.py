"""The crawl's Content-Encoding decoders: a whole stream is the page, a cut or corrupt one is no page.

tests/test_hostile.py serves such bodies to a real crawl; here each encoding meets the cuts a
download can make, on a real saved page.
"""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

from crawler.bodies import Corrupt, TooLarge, Truncated, decompress

from .saved import saved_bytes

PAGE = saved_bytes("a11y-converter/jiji-2022101700794.html")
ENCODE = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("encoding", sorted(ENCODE))
def test_a_whole_stream_is_the_page(encoding):
    assert decompress(ENCODE[encoding](PAGE), encoding, 10 * len(PAGE)) == PAGE


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("encoding", sorted(ENCODE))
def test_a_cut_stream_is_no_page(encoding, share):
    # Scrapy's decoders gave back 21-92 % of this page from br and deflate cut so, nothing from zstd.
    packed = ENCODE[encoding](PAGE)
    with pytest.raises(Truncated, match=f"the {encoding} stream ends before"):
        decompress(packed[: int(len(packed) * share)], encoding, 0)


@pytest.mark.parametrize("encoding", sorted(ENCODE))
def test_bytes_of_another_kind_are_corrupt(encoding):
    with pytest.raises(Corrupt):
        decompress(b"<html><body>not compressed at all</body></html>" * 20, encoding, 0)


@pytest.mark.parametrize("encoding", sorted(ENCODE))
def test_a_bomb_stops_at_the_limit(encoding):
    bomb = ENCODE[encoding](b"\0" * (8 << 20))
    with pytest.raises(TooLarge, match="over 1,000,000 bytes once decompressed"):
        decompress(bomb, encoding, 1_000_000)


def test_what_servers_send_besides_one_stream_is_read_whole():
    half = len(PAGE) // 2
    # Two zstd frames (a server flushing its compressor), two gzip members, raw deflate (no zlib
    # header, as some servers send "deflate").
    frames = ENCODE["zstd"](PAGE[:half]) + ENCODE["zstd"](PAGE[half:])
    assert decompress(frames, "zstd", 0) == PAGE
    assert decompress(gzip.compress(PAGE[:half]) + gzip.compress(PAGE[half:]), "gzip", 0) == PAGE
    assert decompress(_raw_deflate(PAGE), "deflate", 0) == PAGE
    with pytest.raises(Truncated):
        decompress(_raw_deflate(PAGE)[:-40], "deflate", 0)


def test_an_empty_body_stays_empty_for_the_caller_to_name():
    assert all(decompress(b"", encoding, 0) == b"" for encoding in ENCODE)


def test_an_encoding_it_does_not_know_is_left_to_scrapy():
    with pytest.raises(LookupError):
        decompress(PAGE, "compress", 0)
