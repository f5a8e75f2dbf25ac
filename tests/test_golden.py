"""Golden file: the seed corpus's region × theme levels. Any change in a decision shows up here.

Regenerate only on purpose, after checking the new levels by reading the quotes:
    PLANMINE_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT

GOLDEN = ROOT / "tests" / "data" / "golden" / "seed_levels.json"
REGENERATE = os.environ.get("PLANMINE_REGENERATE_GOLDEN") == "1"


def test_regeneration_is_off_in_ci():
    if os.environ.get("CI"):
        assert not REGENERATE, "PLANMINE_REGENERATE_GOLDEN must not be set in CI"


@pytest.mark.slow
def test_seed_levels_match_the_golden_file(seed_store):
    from planmine.compare import compare
    from planmine.report.build import load_cached_embedder

    table = compare(seed_store, load_cached_embedder(seed_store))
    levels = {row.theme_id: {r: row.cells[r].level for r in table.regions} for row in table.rows}
    if REGENERATE:
        GOLDEN.write_text(json.dumps(levels, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        pytest.skip("golden file regenerated")
    assert levels == json.loads(GOLDEN.read_text(encoding="utf-8"))
