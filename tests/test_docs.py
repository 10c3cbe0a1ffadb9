"""Every command and every NEWSMON_* setting is documented in the README (as sqlite-utils does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import settings, validate
from crawler.cli import cli
from crawler.outlets import registry

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_documented(command):
    assert f"newsmon {command}" in README


@pytest.mark.parametrize(("command", "option"), sorted(
    (name, param.opts[0]) for name, command in cli.commands.items() for param in command.params
    if param.param_type_name == "option" and param.opts[0] not in ("-h", "--help")))
def test_option_is_documented(command, option):
    # Any of its spellings (-s or --set, --bom or --no-bom): `check --stale-after` was in --help only.
    param = next(p for p in cli.commands[command].params if p.opts and p.opts[0] == option)
    assert any(spelling in README for spelling in (*param.opts, *param.secondary_opts)), \
        f"newsmon {command} {option} is not in the README"


@pytest.mark.parametrize("option", sorted(p.opts[0] for p in cli.params if p.opts[0] not in ("-h", "--help")))
def test_each_option_of_newsmon_itself_is_documented(option):
    # `newsmon --help` shows --version, which the README named nowhere.
    assert f"newsmon {option}" in README, f"newsmon {option} is not in the README"


@pytest.mark.parametrize("name", sorted({n for n in vars(settings) if n.startswith("NEWSMON_")}
                                         | {n for n in validate.SETTINGS if n.startswith("NEWSMON_")}))
def test_setting_is_documented(name):
    # validate.SETTINGS too: a setting -s takes but crawler/settings.py does not name is one all the same.
    assert re.search(rf"`{name}`", README), f"{name} is not in the README's settings table"


def test_every_setting_the_readme_names_is_one_newsmon_knows():
    # The other way round: a setting renamed or misspelt in the README is refused when a user sets it.
    known = ({n for n in vars(settings) if n.startswith("NEWSMON_")} | {n for n in validate.SETTINGS}
             | set(validate.ENVIRONMENT_ONLY))
    named = set(re.findall(r"\bNEWSMON_[A-Z_]*[A-Z]\b", README)) - {"NEWSMON_X"}  # "NEWSMON_X=": any of them
    assert len(named) > 20 and named - known == set()


def test_readme_commands_are_the_ci_commands():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[test]'" in README and ".venv/bin/pip install -q -e '.[test]'" in ci
    assert ".venv/bin/pytest" in README and ".venv/bin/pytest" in ci.splitlines()
    # And again at the lower bounds the README says are checked, in an environment of their own (``suite``).
    assert "pip install -c .ci/floors.txt -e '.[test]'" in README
    lines = [line.strip() for line in ci.splitlines()]
    assert '"$venv/bin/pip" install -q "$@" -e \'.[test]\'' in lines and '"$venv/bin/pytest"' in lines
    assert len(re.findall(r"^\s*suite \S+ \S+ -c \.ci/floors\.txt$", ci, re.M)) == 2  # on 3.12, else on python3


def _state_table() -> dict[str, str]:
    section = README.split("### What happens to every URL", 1)[1].split("\n\n", 2)[2]
    rows = [line for line in section.split("\n\n", 1)[0].splitlines() if line.startswith("| `")]
    return {re.match(r"\| `(\w+)`", row).group(1): row.rsplit("|", 2)[-2] for row in rows}


def test_readme_state_table_matches_the_code():
    from storage.frontier import STATES

    table = _state_table()
    assert set(table) == set(STATES), "README's URL state table and storage.frontier.STATES differ"
    source = "\n".join(p.read_text(encoding="utf-8") for root in ("crawler", "storage")
                       for p in (Path(__file__).resolve().parents[1] / root).rglob("*.py"))
    for state, codes in table.items():
        for code in re.findall(r"`(\w+)`", codes):
            if code.startswith("http_"):
                continue  # http_404, http_5xx…: made from the status (crawler.outcome)
            if code.startswith("wall_"):
                code = code[5:]  # made from the wall's kind (crawler.walls.Wall.code)
            assert f'"{code}"' in source or f"'{code}'" in source, f"README names reason code {code} for {state}, " \
                                                                   "but no code sets it"


def _outlet_rows() -> dict[str, list[str]]:
    section = README.split("## Outlets", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([a-z0-9_]+)` \|(.*)\|\s*$", line)
        if m:
            rows[m.group(1)] = [cell.strip() for cell in m.group(2).split("|")]
    return rows


@pytest.mark.parametrize("key", sorted(registry()))
def test_every_outlet_has_a_row_in_the_outlets_table(key):
    """Each outlet's row says how it is discovered and when that was last confirmed."""
    rows = _outlet_rows()
    assert key in rows, f"README's Outlets table has no row for `{key}`"
    outlet = registry()[key]
    cells = rows[key]
    assert len(cells) == 9, f"`{key}`: the row needs 10 columns"
    parts = [f"{len(urls)} {name}(s)" for urls, name in
             ((outlet.feeds, "feed"), (outlet.sitemaps, "sitemap"), (outlet.start_urls, "section")) if urls]
    assert cells[4] == ", ".join(parts), f"`{key}`: discovery column says {cells[4]!r}"
    layouts = ", ".join(r.version for r in outlet.rules) or "generic only"
    assert cells[2] == layouts, f"`{key}`: rule layouts should be {layouts!r}"
    assert cells[3] == (str(len(outlet.fixtures)) if outlet.fixtures else "unverified"), (
        f"`{key}`: {len(outlet.fixtures)} saved pages verified")
    dates = sorted(e.checked for e in outlet.evidence)
    expected = f"{dates[-1]}; {dates[0]}" if dates else "—"
    assert cells[5] == expected, f"`{key}`: discovery verified should be {expected!r}"


def test_every_column_of_the_articles_table_is_described_in_datasette(tmp_path):
    # A reviewer reads the articles table in Datasette: a column a migration adds needs a line
    # in crawler/datasette/metadata.yaml saying what it holds.
    import yaml

    from storage import open_db

    metadata = yaml.safe_load((ROOT / "crawler" / "datasette" / "metadata.yaml").read_text(encoding="utf-8"))
    described = set(metadata["databases"]["newsmon"]["tables"]["articles"]["columns"])
    db = open_db(tmp_path / "news.db")
    columns = {c.name for c in db["articles"].columns} - {"id", "title"}
    db.close()
    assert columns - described == set()


def _command_table() -> list[tuple[str, str]]:
    """``(command, usage)`` of each usage in the README's Commands table (a row may hold two)."""
    section = README.split("## Commands", 1)[1].split("\n\n", 2)[1]
    usages = []
    for row in section.splitlines()[2:]:
        cell = row.split(" | ", 1)[0]
        usages += [(m.group(1), m.group(0)) for m in re.finditer(r"newsmon ([a-z]+)[^`]*", cell)]
    return usages


@pytest.mark.parametrize("command,usage", _command_table())
def test_command_table_options_exist(command, usage):
    """Each option the table shows is one the command takes, under the placeholder its --help shows."""
    params = {opt: p for p in cli.commands[command].params for opt in [*p.opts, *p.secondary_opts]}
    for opt, placeholder in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)(?: ([A-Z][^] |]*))?", usage):
        assert opt in params, f"README shows `{opt}` for `newsmon {command}`; the command has no such option"
        if placeholder:
            metavar = params[opt].metavar or params[opt].type.name.upper()
            assert placeholder == metavar, (f"README shows `{opt} {placeholder}` for `newsmon {command}`; "
                                            f"its --help says `{opt} {metavar}`")


def test_the_command_table_has_a_row_for_every_command():
    # Also what keeps the test above from passing on an empty table.
    assert {command for command, _ in _command_table()} == set(cli.commands)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_each_example_of_a_commands_help_is_one_line_as_written(command):
    # Click rewraps a paragraph without \b: `reextract --help` ran its two examples into one line,
    # and `extract --help` cut its example's path in two at the terminal's width.
    from click.testing import CliRunner

    doc = cli.commands[command].help or ""
    examples = [line.strip() for line in doc.split("Example:", 1)[-1].splitlines()
                if line.strip().startswith("newsmon ")]
    assert examples, f"`newsmon {command} --help` shows no example"
    shown = {line.strip() for line in CliRunner().invoke(cli, [command, "--help"], terminal_width=80).output
             .splitlines()}
    for example in examples:
        assert example in shown, f"`newsmon {command} --help` does not show `{example}` on a line of its own"


def _readme_commands() -> list[tuple[str, str]]:
    """``(command, the rest of its line)`` of every ``newsmon COMMAND …`` the README writes: in inline code
    (which may run over a line break) and on the lines of its code blocks."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", README, re.S)
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    code = [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", prose)]
    code += [line for block in blocks for line in block.splitlines()]
    return [(m.group(1), m.group(2)) for text in code
            for m in re.finditer(r"(?:^|[\s/])newsmon ([a-z]+)\b([^|;&>`]*)", text) if m.group(1) in cli.commands]


def test_every_option_the_readme_gives_a_command_is_one_it_takes():
    """Not the Commands table only: the examples in the prose and the code blocks (a cron line, a
    fix `newsmon crawl OUTLET -s …`) are copied as they are."""
    import click

    usages = _readme_commands()
    assert len(usages) > 100, "the README's commands were not found"
    wrong = []
    for command, rest in usages:
        params = {opt: p for p in cli.commands[command].params for opt in [*p.opts, *p.secondary_opts]}
        for opt, value in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)(?:[ =]([a-z][\w-]*(?:\\?\|[a-z][\w-]*)*))?", rest):
            if opt in ("-h", "--help"):
                continue
            if opt not in params:
                wrong.append(f"newsmon {command} {opt}: no such option")
            elif value and isinstance(params[opt].type, click.Choice):
                wrong += [f"newsmon {command} {opt} {v}: not one of {params[opt].type.choices}"
                          for v in re.split(r"\\?\|", value) if v not in params[opt].type.choices]
    assert not wrong, wrong


def _toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README, re.S)


@pytest.mark.parametrize("number", range(len(_toml_blocks())))
def test_each_toml_example_of_the_readme_loads_as_printed(number, tmp_path):
    """A user copies a config block into newsmon.toml as it is: each one loads, as `newsmon schedule` checks a file
    (its [schedule] built, its apprise URLs read)."""
    path = tmp_path / "newsmon.toml"
    path.write_text(_toml_blocks()[number], encoding="utf-8")
    validate.check_config(str(path), schedule=True, apprise=True)


def test_the_readme_config_error_is_the_one_newsmon_prints(tmp_path, monkeypatch):
    # "$ newsmon crawl --config newsmon.toml" and its error, from the outlet example with a broken pattern.
    from crawler.config import ConfigError

    shown = re.search(r"\$ newsmon crawl --config newsmon.toml\n(Error: .*)\n", README).group(1)
    example = next(block for block in _toml_blocks() if block.startswith("[outlets.example]"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsmon.toml").write_text(re.sub(r'article_url_pattern = ".*"', 'article_url_pattern = "("', example),
                                           encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        validate.check_config("newsmon.toml")
    assert f"Error: {raised.value}" == shown
