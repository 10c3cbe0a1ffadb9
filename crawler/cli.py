"""The ``newsmon`` command line."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click

from . import __version__
from .article import Article
from .extract import extract_article


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmon")
def cli() -> None:
    """Monitor Japanese news outlets for articles on Japan's security-document revisions."""


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    data = Path(path).read_bytes()
    # Saved pages are often kept gzipped (ours are); read them as they are.
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _as_text(article: Article) -> str:
    lines = [article.title or "(no title)"]
    for label, value in (
        ("URL", article.url),
        ("Outlet", article.outlet),
        ("Published", article.published_at),
        ("Modified", article.modified_at),
        ("Authors", ", ".join(article.authors)),
        ("Paywalled", "yes" if article.paywalled else None),
        ("Method", article.method),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if article.lead:
        lines += ["", article.lead]
    lines += [""] + article.paragraphs
    return "\n".join(lines)


def _extract_path(path: str, url: str | None) -> tuple[Article | None, bool]:
    """Extract one saved page; messages go to stderr. Returns (article, path was usable)."""
    try:
        data = _read(path)
    except OSError as exc:
        click.echo(f"newsmon: cannot read {path}: {exc.strerror or exc}", err=True)
        return None, False
    try:
        article = extract_article(data, url)
    except Exception as exc:  # a bug of ours must not cost the user the other pages
        click.echo(f"newsmon: extraction failed for {path}: {type(exc).__name__}: {exc} "
                   "(please report this with the page)", err=True)
        return None, False
    if article is None:
        click.echo(f"newsmon: no article found in {path} (a listing, error or empty page?)", err=True)
    return article, True


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", help="The URL the page was fetched from (one PATH only). "
              "Default: the page's canonical link, og:url or JSON-LD url.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True, help="jsonl: one line per PATH, in order; null where no article.")
def extract(paths: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Extract the article from saved HTML pages.

    Pages may be in any encoding and may be gzipped; '-' reads standard input.

    Example:

        newsmon extract tests/fixtures/saved/fundus-jp/TheJapanNews_2024_10_13.html.gz --format text
    """
    if url and len(paths) > 1:
        raise click.UsageError("--url names the URL of one page: give a single PATH with it.")
    results: list[dict | None] = []
    failed = False
    for path in paths:
        article, ok = _extract_path(path, url)
        failed = failed or not ok
        results.append(article.to_dict() if article else None)
        if fmt == "jsonl":
            click.echo(json.dumps(results[-1], ensure_ascii=False))
        elif fmt == "text" and article is not None:
            if len(results) > 1:
                click.echo("\n" + "-" * 40)
            click.echo(_as_text(article))
    if fmt == "json":
        payload = results[0] if len(paths) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
