"""Every command and every NEWSMON_* setting is documented in the README (as sqlite-utils does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import settings
from crawler.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_documented(command):
    assert f"newsmon {command}" in README


@pytest.mark.parametrize("name", sorted(n for n in vars(settings) if n.startswith("NEWSMON_")))
def test_setting_is_documented(name):
    assert re.search(rf"`{name}`", README), f"{name} is not in the README's settings table"


def test_readme_commands_are_the_ci_commands():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[test]'" in README and ".venv/bin/pip install -q -e '.[test]'" in ci
    assert ".venv/bin/pytest" in README and ci.rstrip().endswith(".venv/bin/pytest")
