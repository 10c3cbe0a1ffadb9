"""The Datasette plugin of ``newsmon serve``: the reviewer's desk, search semantics, the reviewer.

Registered by ``crawler.serve`` into the Datasette process it starts. Every hook does nothing
unless the Datasette instance carries ``plugins: newsmon`` in its metadata, so another Datasette
in the same process is left alone.

- Search: the ``articles_search`` index stores Japanese as bigrams (``storage.search``). The
  table search box of Datasette runs ``match escape_fts(:search)``; this plugin replaces
  ``escape_fts`` on our connections with ``storage.search.fts_query``, and adds
  ``newsmon_fts(q)`` for the ``search`` canned query. The file itself needs neither.
- The reviewer: on 127.0.0.1 every request acts as the local reviewer (``--reviewer``); on any
  other address ``datasette-auth-passwords`` asks for a password and the login is the actor.
  The review queries only allow an actor with an id, so anonymous visitors cannot write.
  Decisions are made only through ``/-/review`` and ``/-/undo`` (``pages.py``), which need an
  actor with an id, so anonymous visitors cannot write.
- Requests: ``guard.py`` refuses writes without same-origin evidence and, on loopback, any
  ``Host`` that is not a loopback name (DNS rebinding).
- The desk (``pages.py``, templates ``newsmon_*.html``): the triage page at ``/``, follow-up,
  maybe missed, decisions, search, outlets; a header on every page (``base.html``) with counts,
  unread, the outlets' worst health, and the Atom feed linked for discovery.
- Display in Datasette's own pages: the article page template, links from the queue to articles,
  readable JSON and evidence cells, a ``.atom`` renderer shared with ``newsmon export``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape
from sqlite_utils import Database

from storage import review as reviews
from storage.search import fts_query

from .. import desk
from ..export import AtomEntry, atom_feed, rfc3339
from . import guard, pages
from .pages import CJK, DATABASE, PLUGIN, highlight

#: Matches storage.db.BUSY_TIMEOUT_SECONDS: a read or review write waits for the crawler's
#: short write transactions rather than failing with "database is locked".
BUSY_TIMEOUT_MS = 30_000
#: Matched terms shown with their snippet in a review-queue row (the others by name only).
QUEUE_SNIPPETS = 2


def _config(datasette) -> dict[str, Any] | None:
    return datasette.plugin_config(PLUGIN)


def match_expression(query: str | None) -> str:
    """``fts_query`` for SQL: an expression that matches nothing when there is no word."""
    return fts_query(query or "") or '""'


# --- SQLite connections ----------------------------------------------------------------------

@hookimpl(trylast=True)  # after datasette.sql_functions, so our escape_fts replaces its own
def prepare_connection(conn, database, datasette):
    if _config(datasette) is None or database != DATABASE:
        return
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    conn.create_function("newsmon_fts", 1, match_expression, deterministic=True)


# --- who is asking ---------------------------------------------------------------------------

@hookimpl
def actor_from_request(datasette, request):
    config = _config(datasette)
    if config and config.get("reviewer"):
        return {"id": config["reviewer"], "newsmon": "local"}
    return None


@hookimpl
def asgi_wrapper(datasette):
    config = _config(datasette)
    if config is None:
        return lambda app: app
    local = bool(config.get("reviewer"))

    def wrap(app):
        async def checked(scope, receive, send):
            if scope["type"] == "http":
                problem = guard.host_refusal(guard.headers_of(scope), local=local)
                if problem is None:
                    problem, receive = await guard.write_refusal(scope, receive, datasette._secret)
                if problem:
                    await Response.text(problem, status=403).asgi_send(send)
                    return
            await app(scope, receive, send)

        return checked

    return wrap


# --- pages -----------------------------------------------------------------------------------

_ASSETS = {"newsmon.css": "text/css; charset=utf-8", "newsmon.js": "text/javascript; charset=utf-8"}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@hookimpl
def register_routes(datasette):
    if _config(datasette) is None:
        return []

    def asset(name: str):
        async def serve(request):
            return Response(_asset(name), content_type=_ASSETS[name], headers={"cache-control": "no-cache"})
        return serve

    def page(key: str):
        async def view(request, datasette):
            return await pages.list_page(request, datasette, key)
        return view

    return [
        (r"^/$", page("queue")),
        (r"^/follow-up$", page("follow-up")),
        (r"^/maybe-missed$", page("maybe-missed")),
        (r"^/updated$", page("updated")),
        (r"^/decisions$", pages.decisions_page),
        (r"^/search$", pages.search_page),
        (r"^/outlets$", pages.outlets_page),
        (r"^/export\.csv$", pages.export_csv),
        (r"^/-/review$", pages.review_endpoint),
        (r"^/-/undo$", pages.undo_endpoint),
        (r"^/-/listed$", pages.listed_endpoint),
        (r"^/-/newsmon\.css$", asset("newsmon.css")),
        (r"^/-/newsmon\.js$", asset("newsmon.js")),
    ]


@hookimpl
def extra_css_urls(datasette):
    if _config(datasette) is None:
        return []
    return [datasette.urls.path("/-/newsmon.css")]


@hookimpl
def extra_js_urls(datasette):
    if _config(datasette) is None:
        return []
    # A module script runs once the page is parsed (like defer), wherever the tag is.
    return [{"url": datasette.urls.path("/-/newsmon.js"), "module": True}]


def _terms(matched_terms: str | list | None) -> list[dict[str, Any]]:
    if isinstance(matched_terms, str):
        try:
            matched_terms = json.loads(matched_terms)
        except ValueError:
            return []
    return [m for m in matched_terms or [] if isinstance(m, dict) and m.get("term")]


def paragraphs(text: str | None, matched_terms: str | list | None = None) -> Markup:
    """The article text as ``<p>`` paragraphs (one per stored line), matched terms marked."""
    terms = [m["term"] for m in _terms(matched_terms)]
    return Markup("\n").join(Markup("<p>") + highlight(line.strip(), terms) + Markup("</p>")
                             for line in (text or "").split("\n") if line.strip())


def terms_with_snippets(matched_terms: str | list | None) -> list[dict[str, Any]]:
    """``matched_terms`` with each snippet as HTML, its term marked."""
    return [{"term": m["term"], "count": m.get("count", 0),
             "snippet_html": highlight(" ".join(str(m.get("snippet") or "").split()), [m["term"]])}
            for m in _terms(matched_terms)]


def _nav(conn, who: str | None, settings: dict[str, Any]) -> dict[str, Any]:
    feats = desk.features(conn)
    since = reviews.last_visit(Database(conn), who)[1] if who else None
    late = pages.late_outlets(conn, settings)
    return {"counts": desk.counts(conn, since=since, feats=feats, late=late), "features": feats, "reviewer": who}


def _trace(conn, article_id: int, config_path: str | None) -> dict[str, Any] | None:
    """The article's scoring trace (``newsmon explain``) for its page; ``None`` if it cannot be made."""
    from storage.exceptions import ArticleNotFound

    from ..relevance import explain_article
    from ..store import context

    try:
        trace = explain_article(Database(conn), article_id, context(config_path)[1])
    except ArticleNotFound:
        return None
    for topic in trace["topics"]:
        for match in topic["matches"]:
            # A few sentences per term are enough to see whose document it is.
            match["sentences"] = list(dict.fromkeys(o["sentence"] for o in match["occurrences"]))[:3]
    return trace


def _article_extras(conn, article_id: int, config_path: str | None = None) -> dict[str, Any]:
    log = reviews.history(Database(conn), article_id)
    for entry in log:
        entry["when"] = desk.jst(entry["at"])
    queue = [r[0] for r in conn.execute("SELECT id FROM review_queue")]
    following = queue[queue.index(article_id) + 1:] if article_id in queue else queue
    following = [i for i in following if i != article_id]
    nxt = None
    if following:
        title = conn.execute("SELECT title FROM articles WHERE id = ?", [following[0]]).fetchone()
        nxt = {"id": following[0], "title": title[0] if title else None}
    columns = desk._columns(conn, "articles")
    removed = conn.execute("SELECT removed_at FROM articles WHERE id = ?", [article_id]).fetchone() \
        if "removed_at" in columns else None
    story = _story(conn, article_id) if "story_id" in columns else []
    return {"history": log, "next": nxt, "queued": article_id in queue, "story": story,
            "trace": _trace(conn, article_id, config_path), **_versions(conn, article_id),
            **_pages(conn, article_id), "removed_jst": desk.jst(removed[0]) if removed and removed[0] else None}


def _story(conn, article_id: int) -> list[dict[str, Any]]:
    """The other articles of the article's story, oldest first: the queue lists them as one row,
    which decides them all; this page decides this one alone, and the rest stay where they are."""
    rows = conn.execute("SELECT id, title, outlet, status, published_at, first_seen_at FROM articles "
                        "WHERE story_id = (SELECT story_id FROM articles WHERE id = ?) AND id != ? "
                        "ORDER BY coalesce(published_at, first_seen_at), id", [article_id, article_id]).fetchall()
    return [{"id": r[0], "title": r[1] or str(r[0]), "outlet": r[2] or "", "status": r[3],
             "when": desk.jst(r[4] or r[5])} for r in rows]


def _json_list(value: Any) -> list[str]:
    """A JSON list column of a row (``articles.tags``) as its strings; [] for anything else."""
    try:
        items = json.loads(value) if isinstance(value, str) and value else []
    except ValueError:
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


def _pages(conn, article_id: int) -> dict[str, Any]:
    """How many pages the article's text was read from (an article split over several), and
    the reasons of its next pages that could not be read: the reviewer must know the text below
    is a part, and that its relevance is the part's."""
    if "part_of" not in {c[1] for c in conn.execute("PRAGMA table_info(pages)")}:
        return {"pages": 1, "missing_pages": []}
    first = conn.execute("SELECT max(id) FROM pages WHERE article_id = ? AND part_of IS NULL", [article_id]).fetchone()[0]
    parts = conn.execute("SELECT count(*) FROM pages WHERE part_of = ?", [first]).fetchone()[0] if first else 0
    missing = [r[0] for r in conn.execute(
        "SELECT reason FROM urls WHERE reason_code = 'page_missing' AND article_id = ? ORDER BY url", [article_id])]
    return {"pages": 1 + parts, "missing_pages": missing}


def _versions(conn, article_id: int) -> dict[str, Any]:
    """The article's versions and the diff of its last change, when it changed (issue 11)."""
    from storage import versions as versions_db

    from ..diff import article_diff, diff_html

    if "article_versions" not in Database(conn).table_names():
        return {"versions": [], "diff_html": None}
    db = Database(conn)
    found = versions_db.versions(db, article_id)
    if len(found) < 2:
        return {"versions": found, "diff_html": None}
    for v in found:
        v["when"] = desk.jst(v.get("fetched_at"))
    diff = article_diff(db, article_id)
    # Two sentences of context around each change: the reviewer sees what changed, not the article twice.
    return {"versions": found, "diff_html": Markup(diff_html(diff, context=2)) if diff is not None else None}


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if _config(datasette) is None:
        return {}

    async def inner():
        who = pages.reviewer(request)
        db = datasette.get_database(DATABASE)
        values: dict[str, Any] = {
            "newsmon_nav": await db.execute_fn(lambda conn: _nav(conn, who, _config(datasette) or {})),
            "newsmon_path": request.path if request else "",
            "newsmon_jst": desk.jst,
            "newsmon_list": _json_list,
            "newsmon_can_review": pages.can_review(request, datasette),
            "newsmon_read_only": pages.read_only(datasette),
        }
        if database == DATABASE and table == "articles" and view_name == "row" and request is not None:
            try:
                article_id = int(request.url_vars.get("pks", ""))
            except ValueError:
                article_id = None
            if article_id is not None:
                config_path = (_config(datasette) or {}).get("config_path")
                values["newsmon_article"] = await db.execute_fn(
                    lambda conn: _article_extras(conn, article_id, config_path))
        if database == DATABASE:
            values.update({"newsmon_paragraphs": paragraphs, "newsmon_terms": terms_with_snippets})
        return values

    return inner


def _lang(value: str) -> str:
    return ' lang="ja"' if CJK.search(value) else ""


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or _config(datasette) is None or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    # A link to the article page: from the queue (a view has no primary key of its own) and
    # from canned queries, which name the article's id article_id.
    article_id = None
    if table == "review_queue" and column in ("id", "title") and "id" in keys:
        article_id = row["id"]
    elif table is None and column in ("article_id", "title") and "article_id" in keys:
        article_id = row["article_id"]
    if article_id is not None:
        href = datasette.urls.row(DATABASE, "articles", str(article_id))
        label = str(value)
        return Markup(f'<a href="{escape(href)}"{_lang(label)}>{escape(label)}</a>')
    if table == "review_queue" and column == "url" and isinstance(value, str):
        site = urlsplit(value).netloc or value
        return Markup(f'<a href="{escape(value)}" target="_blank" rel="noopener noreferrer">{escape(site)} ↗</a>')
    if column == "evidence" and isinstance(value, str):
        # In the queue, the snippets of the first terms and only the names of the rest, so that
        # an article with a dozen matched terms stays one screen line tall; the article page
        # has them all.
        shown = QUEUE_SNIPPETS if table == "review_queue" else None
        lines, rest = [], []
        for n, line in enumerate(value.split("\n")):
            head, sep, snippet = line.partition(": ")
            if shown is not None and n >= shown:
                rest.append(head)
            else:
                lines.append(Markup("<b>") + escape(head) + Markup("</b>") + escape(sep + snippet))
        if rest:
            lines.append(Markup("<b>") + escape(", ".join(rest)) + Markup("</b>"))
        return Markup(f'<div class="newsmon-evidence"{_lang(value)}>') + Markup("<br>").join(lines) + Markup("</div>")
    if column == "matched_terms" and isinstance(value, str):
        items = terms_with_snippets(value)
        return Markup('<ul class="newsmon-terms" lang="ja">') + Markup("").join(
            Markup("<li><b>") + escape(m["term"]) + Markup(f"</b> ×{int(m['count'] or 0)}: ")
            + m["snippet_html"] + Markup("</li>") for m in items) + Markup("</ul>")
    if column in ("authors", "tags") and isinstance(value, str) and value.startswith("["):
        try:
            # An empty list as "": Datasette takes an empty string for "no rendering" and showed "[]".
            return ", ".join(str(v) for v in json.loads(value)) or Markup('<span class="newsmon-none">–</span>')
        except ValueError:
            return None
    if (column.endswith(("_at", "_since")) or column in ("since", "until")) and isinstance(value, str) \
            and len(value) >= 19 and value[4] == "-":
        # Stored times carry their offset (articles +09:00, newsmon's own UTC); a reader reads
        # them in JST, with the stored value a hover away.
        shown = desk.jst(value)
        if shown != value:
            return Markup(f'<time datetime="{escape(value)}" title="{escape(value)}">{escape(shown)} JST</time>')
    if column == "status" and table in ("articles", "review_queue", None):
        return Markup(f'<span class="newsmon-status status-{escape(value)}">{escape(value)}</span>')
    if column == "title" and isinstance(value, str) and _lang(value):
        return Markup(f'<span lang="ja">{escape(value)}</span>')
    return None


# --- Atom ------------------------------------------------------------------------------------

#: The columns an Atom entry is made of (named as datasette-atom names them).
ATOM_COLUMNS = frozenset({"atom_id", "atom_updated", "atom_title"})


def _render_atom(datasette, request, rows, columns, database, table, query_name):
    if not ATOM_COLUMNS <= set(columns):
        # Datasette calls a renderer for any table's .atom (can_render only hides the link): a
        # KeyError, an "Error 500 'atom_id'" page and a traceback in the log, for the articles
        # table a reviewer may well try.
        feed = datasette.urls.path(f"/{DATABASE}/queue_feed.atom")
        return Response.text(f"{table or query_name or database} has no Atom feed: the review queue's is {feed}",
                             status=404)
    entries = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        link = values.get("atom_link")
        if isinstance(link, str) and link.startswith("/"):  # the article's review page on this server
            link = datasette.absolute_url(request, link)
        entries.append(AtomEntry(
            id=str(values["atom_id"]), title=str(values["atom_title"]),
            updated=rfc3339(values["atom_updated"]) or rfc3339("1970-01-01T00:00:00+00:00"),
            link=link, related=values.get("atom_related"), content=values.get("atom_content"),
            author=values.get("atom_author_name"),
            categories=[values["atom_category"]] if values.get("atom_category") else []))
    title = None
    if query_name:
        query = (datasette.metadata("queries", database=database, fallback=False) or {}).get(query_name)
        title = query.get("title") if isinstance(query, dict) else None
    title = title or f"newsmon: {table or query_name or database}"
    url = datasette.absolute_url(request, request.full_path)
    return Response(atom_feed(entries, title=title, feed_id=url, self_link=url),
                    content_type="application/atom+xml; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    if _config(datasette) is None:
        return None
    # Columns named as datasette-atom names them (atom_id, atom_updated, atom_title, ...), but
    # an empty result is an empty feed rather than an error: an empty queue is the normal end
    # of a reviewer's day.
    return {
        "extension": "atom",
        "render": lambda datasette, request, rows, columns, database, table, query_name: _render_atom(
            datasette, request, rows, columns, database, table, query_name),
        "can_render": lambda columns: ATOM_COLUMNS <= set(columns),
    }
