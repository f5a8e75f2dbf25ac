"""The `planmine clean FILE [--diff]` command."""

from __future__ import annotations

from pathlib import Path

import typer
from click.testing import CliRunner

from planmine.cli import app

DATA = Path(__file__).parent / "data" / "clean"
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    # get_group keeps "clean" a subcommand even while it is the only command registered.
    return runner.invoke(typer.main.get_group(app), list(args), prog_name="planmine")


def test_clean_prints_cleaned_text() -> None:
    result = invoke("clean", str(DATA / "orebro_excerpt_raw.txt"))
    assert result.exit_code == 0, result.output
    assert "Utgångspunkten för denna handlingsplan är det prioriterade området" in result.stdout
    assert "6kar" not in result.stdout


def test_clean_diff_shows_changes_with_reasons() -> None:
    result = invoke("clean", str(DATA / "orebro_excerpt_raw.txt"), "--diff")
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.stdout.splitlines() if "'6kar' → 'ökar'" in ln)
    assert "ocr_repair" in line and "OCR repair" in line
    assert "normalize_bullets" in result.stdout


def test_clean_reads_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("Nära vård för äldre.".encode("cp1252"))
    result = invoke("clean", str(path))
    assert result.exit_code == 0, result.output
    assert "Nära vård för äldre." in result.stdout


def test_clean_unreadable_file_exits_1_with_one_line(tmp_path: Path) -> None:
    result = invoke("clean", str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    assert "missing.txt" in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_clean_help_ends_with_example() -> None:
    result = invoke("clean", "--help")
    assert result.exit_code == 0
    assert "Example: planmine clean" in result.stdout
