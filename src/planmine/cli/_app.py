"""The shared Typer app, common options and the error → exit-code boundary."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from planmine.errors import PlanmineError, UsageError

app = typer.Typer(
    name="planmine",
    help="Mine Swedish regional 'Nära vård' plans: ingest, clean, tag, compare themes across regions.\n\n"
    "Example: planmine ingest corpus/ && planmine query fallprevention",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(soft_wrap=True)  # piped output: whole lines, not wrapped at 80 columns
err_console = Console(stderr=True, soft_wrap=True)

DEFAULT_STORE = Path("outputs/planmine.db")

StoreOption = typer.Option(
    None,
    "--store",
    help="SQLite store (default: $PLANMINE_STORE or outputs/planmine.db).",
    show_default=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _print_version(value: bool) -> None:
    if value:
        from planmine import __version__

        typer.echo(f"planmine {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    pass


def terminal_width() -> int:
    """The width tables must fit: the terminal's, or 80 columns when piped (unless $COLUMNS says)."""
    return console.width


def records_or_table(
    title: str,
    columns: list[tuple[str, int]],
    rows: list[list[str]],
    *,
    width: int | None = None,
) -> Any:
    """A table when its columns fit `width`, else one block per row ("column: value" lines).

    Args:
        columns: (name, the most characters a cell of it shows); longer cells are cut with "…".
        rows: the cells as plain text (not rich markup).
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    width = width or terminal_width()
    needed = sum(
        min(w, max([len(name), *(len(r[i]) for r in rows)])) + 3 for i, (name, w) in enumerate(columns)
    )
    if needed <= width:
        table = Table(title=title)
        for name, w in columns:
            table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=w)
        for row in rows:
            table.add_row(*(Text(_clip(c, w)) for c, (_, w) in zip(row, columns, strict=True)))
        return table
    label = max(len(name) for name, _ in columns)
    blocks: list[Any] = [Text(title, style="bold")]
    for row in rows:
        blocks.append(Text(""))
        for cell, (name, _) in zip(row, columns, strict=True):
            if cell:
                line = Text(f"{name:<{label}}  ", style="dim")
                line.append(_clip(cell, max(width - label - 2, 10)))
                blocks.append(line)
    return Group(*blocks)


def _clip(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(width - 1, 0)].rstrip() + "…"


def store_path(store: Path | None) -> Path:
    """The store the user asked for: --store, then $PLANMINE_STORE, then outputs/planmine.db."""
    if store is not None:
        return store
    env = os.environ.get("PLANMINE_STORE")
    return Path(env) if env else DEFAULT_STORE


def print_json(obj: Any) -> None:
    """Write JSON to stdout (UTF-8, not escaped), for scripts."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> None:
    """Print an error line on stderr and exit with `code`."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn planmine's own errors into a one-line message: exit 2 for usage, 1 otherwise."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            fail(str(exc), 2)
        except PlanmineError as exc:
            fail(str(exc), 1)

    return wrapper  # type: ignore[return-value]


def main() -> None:
    """Console-script entry point."""
    app()
