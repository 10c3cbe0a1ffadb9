"""What generic extraction adds for pages of sites without rules: a clean title and a text that
ends where the article does.

Rules name an outlet's headline and body; a site added in the TOML config has none, so its title
is the page's ``<title>``/``og:title`` with the site name still on it ("… - AKIBA PC Hotline!",
"… | マイナビニュース"), and trafilatura's text can run on into the "Related", "Sign up for our
newsletter" and 関連記事 blocks under the article. Both are fixed here from what the page itself
shows: its site name (``og:site_name``, JSON-LD, application-name), the text of its home links
and its ``<h1>``, and whole lines that are furniture. Pure functions of the parsed page.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from lxml import etree

# Between a headline and a site name. Spaced where the character also occurs inside names and
# headlines ("-", ":", "/"); the full-width forms and "|" need no spaces.
_SEP = r"(?:\s+[-–—:»·/]\s+|\s*[|｜：]\s*|\s*::\s*)"
_SEP_SPLIT = re.compile(_SEP)
# A headline does not end in its own full date; BIGLOBE and others append the day in brackets.
_TRAILING_DATE = re.compile(r"\s*[（(]\d{4}年\d{1,2}月\d{1,2}日(?:[^）)]{0,12})?[）)]$")
# A page's "name" must be a name, not a sentence: longer strings are never stripped.
_MAX_NAME = 60

# A paragraph that is one of these, whole, starts the furniture under an article: the text is
# cut there when it stands in the second half of the text (a "Related" menu at the top of a
# page must not empty it). A Japanese heading runs on without a 。 (nor, after a noun, into a
# particle): a post's own sentence or sub-heading that begins with its words ("この記事を読んだ人
# から…いただきました。", "人気記事の傾向") cut the post there.
_NO_PARTICLE = r"(?![のがはにでともへや]|を(?!(?:もっと)?見る))"
_TRAILING_BLOCK = re.compile(
    r"(?:Related|RELATED|Related (?:Stories|Articles?|Posts|News|Content|Coverage|Links|Topics|Reading)"
    r"|RELATED (?:STORIES|ARTICLES?|POSTS|NEWS|CONTENT|COVERAGE)|More (?:Stories|News|Articles)"
    r"|MORE (?:STORIES|NEWS)|You (?:may|might) (?:also )?(?:like|enjoy)[.…!:]*|Recommended(?: for you| Stories"
    r"| Reading| Articles)?|Trending(?: Now| Stories)?|Popular (?:Posts|Stories)|Further reading|See also:?"
    rf"|Most (?:Read|Popular|Viewed)|関連記事{_NO_PARTICLE}[^。]{{0,20}}|関連ニュース{_NO_PARTICLE}[^。]{{0,20}}"
    r"|関連リンク|あわせて読みたい[^。]{0,10}|合わせて読みたい[^。]{0,10}|こちらもおすすめ[^。]{0,10}"
    rf"|おすすめ(?:記事|情報|の記事)?|人気記事{_NO_PARTICLE}[^。]{{0,10}}|この記事を読んだ人[^。]{{0,30}}"
    rf"|最新記事{_NO_PARTICLE}[^。]{{0,10}}|新着記事{_NO_PARTICLE}[^。]{{0,10}}|次の記事|前の記事)"
)
# A paragraph that is one of these, whole, is a prompt or a cross-link inside or under the
# article (newsletter sign-ups, "READ MORE: <other headline>"): it is dropped, the text goes on.
_PROMPT = re.compile(
    r"(?:(?:READ|Read) (?:MORE|[Mm]ore|ALSO|[Aa]lso)\s*[:：].{1,200}|More (?:from|on) .{1,80}"
    # A newsletter prompt asks the reader ("your inbox", "our newsletter", "Subscribe to …"): a
    # sentence that tells of one ("…can sign up for the city's email newsletter, officials said")
    # was dropped from the article.
    r"|(?=.*\b(?:[Ss]ign(?:ing)? up|[Ss]ubscribe|[Ii]nbox|[Ee]-?mail)\b)"
    r"(?=(?:Sign|Subscribe|Get|Join)\b|.*\b(?:[Oo]ur|[Yy]our?)\b).{0,120}\b[Nn]ewsletters?\b.{0,160}"
    r"|Sign up (?:for|to) .{1,160}|Never miss .{0,40}\bsign(?:ing)? up.{0,120}|.{0,120}\b[Ss]ign up here\b.{0,40}"
    r"|Get .{1,60} by e-?mail\b.{0,120}|We want to hear what you think.{0,200}"
    # "メルマガ登録はこちら", not "メルマガの登録者が…" (a sentence, which was dropped).
    r"|(?:メール)?(?:マガジン|メルマガ|ニュースレター)(?:の)?(?:登録|購読)(?![者数率料]).{0,60})"
)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def site_names(
    tree: etree._Element, meta: dict[str, str], ld_names: list[str], url: str | None
) -> tuple[list[str], list[str], list[str]]:
    """What the page calls its site, and its headings: ``(names, headers, h1s)``.

    ``names`` are declared (``og:site_name``, application-name, JSON-LD publisher, and the parts
    of each: "au Webポータル|最新のニュースをお届け！") or the text of a link to the site's root;
    they are removed from either end of a title. ``headers`` are the text of links to a blog's
    root on a shared host (blog.goo.ne.jp/<blog>, ameblo.jp/<id>): removed from the end only.
    ``h1s`` are the page's ``<h1>`` texts, for ``clean_title``.

    Args:
        tree: the parsed page.
        meta: its ``<meta>`` tags (lower-cased names).
        ld_names: publisher / WebSite names from its JSON-LD.
        url: where the page is, to tell home links from others.
    """
    declared = [meta.get("og:site_name", ""), meta.get("application-name", ""),
                meta.get("apple-mobile-web-app-title", ""), *ld_names]
    names: list[str] = []
    for name in declared:
        names.append(name)
        names += _SEP_SPLIT.split(name)
    roots, blogs = _home_link_texts(tree, url)
    # WordPress's default title "<blog> » Blog Archive » <post>".
    names.append("Blog Archive")
    h1s = [" ".join(h.text_content().split()) for h in tree.iterfind(".//h1")]
    return _names(names + roots), _names(blogs), [h for h in h1s if h]


def _names(candidates: list[str]) -> list[str]:
    out: list[str] = []
    for name in candidates:
        name = " ".join((name or "").split())
        if 2 <= len(name) <= _MAX_NAME and name not in out:
            out.append(name)
    return out


def _may_be_home(href: str) -> bool:
    """Whether a link can lead to a site's root or a first-level directory, told from its text
    alone: a page has hundreds of links, and resolving each (urljoin) was a fifth of the
    generic path's time. Links whose target depends on the page's own path are resolved."""
    absolute = href.startswith(("http://", "https://", "//"))
    if not (absolute or href.startswith("/")) or "/." in href:
        return True  # relative to the page's path, or with dot segments: resolve it
    rest = href.split("//", 1)[1].partition("/")[2] if absolute else href[1:]
    path, _, query = rest.partition("?")
    if query.split("#", 1)[0]:
        return False  # a query: not a home
    return len([p for p in path.split("#", 1)[0].split("/") if p]) <= 1


def _home_link_texts(tree: etree._Element, url: str | None) -> tuple[list[str], list[str]]:
    """Texts (and logo ``alt``s) of links to the site's root and to a first-level directory."""
    if not url:
        return [], []
    page = urlsplit(url)
    roots: list[str] = []
    blogs: list[str] = []
    for a in tree.iterfind(".//a[@href]"):
        href = a.get("href", "")
        if not _may_be_home(href):
            continue
        try:
            target = urlsplit(urljoin(url, href))
        except ValueError:
            continue
        if target.hostname != page.hostname or target.query or target.path.rstrip("/") == page.path.rstrip("/"):
            continue
        segments = [p for p in target.path.split("/") if p]
        # A file ("blog-entry-39885.html") is a page, not a home.
        if len(segments) > 1 or (segments and "." in segments[0]):
            continue
        texts = [" ".join(a.text_content().split())] + [img.get("alt", "") for img in a.iterfind(".//img")]
        (blogs if segments else roots).extend(texts)
    return roots, blogs


def clean_title(title: str, names: list[str], headers: list[str] = (), h1s: list[str] = ()) -> str:
    """The headline in a page title: site names, a trailing date and the like removed.

    Args:
        title: ``og:title``, JSON-LD ``headline`` or ``<title>``.
        names: names of the site, removed from either end (``site_names``).
        headers: names in the page header, removed from the end only.
        h1s: the page's ``<h1>`` texts: one of them is the headline when the title is that
            ``<h1>`` with a bracketed addition after it (a date, "(1ページ)").

    Returns:
        The title without a site name at its end or start (after or before a separator) and
        without a trailing date; never an empty string.
    """
    title = " ".join(title.split())
    either = {_norm(n) for n in names if n}
    tail = either | {_norm(n) for n in headers if n}
    for _ in range(3):
        parts = _SEP_SPLIT.split(title)
        seps = _SEP_SPLIT.findall(title)
        if len(parts) < 2 or len(parts) != len(seps) + 1:
            break
        if _norm(parts[-1]) in tail and parts[0].strip():
            title = title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        elif _norm(parts[0]) in either and parts[-1].strip():
            title = title[len(parts[0]) + len(seps[0]):].strip()
        else:
            break
    title = _TRAILING_DATE.sub("", title).strip() or title
    for head in (" ".join(h.split()) for h in h1s):
        # "<h1>（2020年2月15日）", "<h1>【動画】": the page's headline and an addition of the title's.
        if head and len(head) < len(title) and title.startswith(head) and re.match(r"\s*[（(【\[]", title[len(head):]):
            return head
    return title


def trimmed_by(title: str, other: str | None) -> str:
    """``other`` (trafilatura's title) when it is ``title`` less a short separated ending (a site
    name no tag declares: "Items We Never Knew We Wanted : The Perspective"), else ``title``."""
    if not other or not title.startswith(other) or len(other) * 2 < len(title):
        return title
    rest = title[len(other):]
    return other if len(rest) <= _MAX_NAME and re.match(_SEP, rest) else title


def cut_trailing_blocks(paragraphs: list[str]) -> list[str]:
    """The paragraphs without newsletter prompts and cross-links, ending before a trailing
    related / recommendation block."""
    kept = [p for p in paragraphs if not _PROMPT.fullmatch(p)]
    total = sum(len(p) for p in kept)
    seen = 0
    for i, para in enumerate(kept):
        if i and seen >= total / 2 and _TRAILING_BLOCK.fullmatch(para):
            return kept[:i]
        seen += len(para)
    return kept


#: The languages that htmldate's last-resort date parser (dateparser) tries. Left alone it tries
#: all 200-odd of its locales and compiles their patterns at the first date string it meets:
#: 1.9 s in every process (in a crawl, every extraction worker's first page without rules waited
#: for it; with these three, 0.16 s). Chinese is here for its 年月日 numerals: dateparser's
#: Japanese locale does not read "2026年7月8日6:23", its Chinese one does. The 261 saved pages
#: get the same dates as with every locale (3 of them reach dateparser at all).
DATE_LANGUAGES = ("zh", "ja", "en")


@functools.cache
def _limit_date_languages() -> None:
    try:
        from htmldate.extractors import get_external_parser
    except ImportError:  # another htmldate: slower at its first date, not wrong
        return
    get_external_parser().languages = list(DATE_LANGUAGES)


def warm() -> None:
    """Do now what the first page without rules would wait for in a new process: dateparser's
    patterns for ``DATE_LANGUAGES`` (0.18 s) and trafilatura's justext stop lists of every
    language (0.28 s). An extraction worker calls it as it starts, while the crawl starts too.
    """
    _limit_date_languages()
    try:
        from htmldate.extractors import get_external_parser
        from trafilatura.external import jt_stoplist_init
    except ImportError:  # other versions: the first such page pays instead
        return
    get_external_parser().get_date_data("2026年7月8日6:23")
    jt_stoplist_init()


def trafilatura_metadata(tree: etree._Element, url: str | None, *, date: bool, author: bool) -> dict[str, str | None]:
    """trafilatura's title, and its date and author only when asked: ``extract_metadata`` less
    what newsmon already has.

    trafilatura's metadata was most of the generic path's cost (bench/crawl's profile): htmldate's
    extensive date search (dateparser) and the author XPaths, ~35 ms a page, spent even when the
    page's JSON-LD or meta tags had already given the date and the byline. Its title is cheap and
    always needed (``trimmed_by``). The steps and their order are trafilatura's own
    (``trafilatura.metadata.extract_metadata``), so what is computed is what it would give.
    """
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title, extract_url
    from trafilatura.settings import set_date_params

    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # noqa: BLE001  (trafilatura guards its own JSON-LD reader the same way)
        pass
    out: dict[str, str | None] = {"title": found.title or extract_title(tree)}
    if author:
        out["author"] = found.author or extract_author(tree)
    if date:
        _limit_date_languages()
        params = set_date_params(True)  # trafilatura's default: EXTENSIVE_DATE_SEARCH = on
        params["url"] = found.url or extract_url(tree, url)
        out["date"] = find_date(tree, **params)
    return out
