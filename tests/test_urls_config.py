"""URL canonicalisation and the user's config file."""

from __future__ import annotations

import pytest

from crawler.config import ConfigError, load_config
from crawler.urls import canonical_url

HOSTS = {"www.asahi.com", "www.sankei.com", "mainichi.jp"}


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html",
        "HTTPS://WWW.ASAHI.COM/articles/ASV5C451NV5CUEFT01YM.html",
        "https://www.asahi.com:443/articles/ASV5C451NV5CUEFT01YM.html",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html#comments",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?utm_source=twitter&utm_medium=social",
        "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html?ref=rss&fbclid=abc",
        "https://www.asahi.com/amp/articles/ASV5C451NV5CUEFT01YM.html",
        "https://m.asahi.com/articles/ASV5C451NV5CUEFT01YM.html",
    ],
)
def test_variants_of_one_article_share_one_key(variant):
    assert canonical_url(variant, HOSTS) == "https://www.asahi.com/articles/ASV5C451NV5CUEFT01YM.html"


def test_meaningful_query_and_unknown_mobile_hosts_are_kept():
    assert canonical_url("https://example.jp/a?id=2&page=1") == "https://example.jp/a?id=2&page=1"
    assert canonical_url("https://m.example.jp/a") == "https://m.example.jp/a"
    assert canonical_url("https://mainichi.jp/articles/20250114/k00/00m/030/335000c/amp", HOSTS) == \
        "https://mainichi.jp/articles/20250114/k00/00m/030/335000c"


CONFIG = """
[outlets.example]
name = "Example Shimbun"
language = "ja"
feeds = ["http://127.0.0.1:8000/rss.xml"]
sitemaps = ["http://127.0.0.1:8000/sitemap.xml"]
start_urls = ["http://127.0.0.1:8000/news/"]
article_url_pattern = "/articles/"

[outlets.asahi]
feeds = ["http://127.0.0.1:8000/asahi.rdf"]
"""


def test_config_adds_an_outlet_and_overrides_a_builtin(tmp_path):
    path = tmp_path / "newsmon.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    example = config.outlets["example"]
    assert example.name == "Example Shimbun" and example.domains == ("127.0.0.1",)
    assert example.is_article_url("http://127.0.0.1:8000/articles/1.html")
    assert not example.rules  # generic extraction
    asahi = config.outlets["asahi"]
    assert asahi.feeds == ("http://127.0.0.1:8000/asahi.rdf",)
    assert asahi.rules == load_config(None).outlets["asahi"].rules  # only what was set changed


@pytest.mark.parametrize(
    "text,needle",
    [
        ("[outlets.x]\nname = 'X'\nfeeds = ['http://a/']\n", "article_url_pattern"),
        ("[outlets.x]\narticle_url_pattern = '/a/'\n", "at least one of feeds"),
        ("[outlets.x]\nfeeds = 'http://a/'\narticle_url_pattern = '/a/'\ncolour = 1\n", "unknown field"),
        ("[outlets.x\n", "not valid TOML"),
    ],
)
def test_bad_config_says_what_to_fix(tmp_path, text, needle):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle):
        load_config(path)


def test_missing_config_names_the_flag(tmp_path):
    with pytest.raises(ConfigError, match="NEWSMON_CONFIG"):
        load_config(tmp_path / "nope.toml")
