"""Every command has help that ends with an example, and the README shows every command."""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from conftest import ROOT
from planmine.cli import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    paths: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):  # a command group (`planmine model ...`)
            paths.extend([name, sub] for sub in command.commands)
        else:
            paths.append([name])
    return paths


def test_the_design_contract_commands_exist():
    names = {" ".join(p) for p in _commands()}
    contract = {"ingest", "clean", "docs", "tags", "query", "themes", "compare", "graph", "report"}
    assert contract | {"model install", "model info", "show", "gaps"} <= names


def test_every_command_has_help_with_an_example():
    for path in _commands():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example: planmine " in result.output, f"`planmine {' '.join(path)} --help` has no example"


def test_readme_shows_every_command_and_the_two_make_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    for path in _commands():
        assert re.search(rf"planmine {' '.join(path)}\b", readme), f"README has no example of {path}"
