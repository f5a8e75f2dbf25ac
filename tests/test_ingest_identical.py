"""Speed-ups of ingest store the same thing: the seed corpus's store against a golden snapshot.

The snapshot (tests/data/golden/seed_store_snapshot.json) was written from a store that main's ingest
made before the ingest_speed changes (see tests/data/golden/README.md). Regenerate it only on purpose,
when a change is meant to alter what ingest stores:
    PLANMINE_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_ingest_identical.py
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT
from store_snapshot import differences, snapshot

GOLDEN = ROOT / "tests" / "data" / "golden" / "seed_store_snapshot.json"
REGENERATE = os.environ.get("PLANMINE_REGENERATE_GOLDEN") == "1"


def test_snapshots_tell_a_changed_store_from_an_unchanged_one(tmp_path) -> None:
    import sqlite3

    from planmine.store import Store

    path = tmp_path / "s.db"
    with Store(path) as store:
        store.set_meta("embedding_model", "m")
    before = snapshot(path)
    assert not differences(before, snapshot(path))
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO meta(key, value) VALUES ('schema_note', 'x')")
    conn.commit()
    conn.close()
    assert differences(before, snapshot(path))


@pytest.mark.parametrize(("text", "word"), [("vården och vård", "varden"), ("vård och vården", "vard")])
def test_equally_frequent_cue_forms_are_told_by_first_sight(text: str, word: str) -> None:
    from planmine.genre_features import GenreInput, top_cues

    cues = top_cues(GenreInput(title="", text=text, pages=1), ["domain:vard"], full_chars=1000)
    assert cues == [f"{word} ×2"]  # the same in every process, whatever the hash seed


@pytest.mark.slow
def test_the_seed_store_matches_the_golden_snapshot(seed_store) -> None:
    got = snapshot(seed_store.path)
    if REGENERATE:
        GOLDEN.write_text(json.dumps(got, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("golden snapshot regenerated")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got["meta"] = {k: got["meta"].get(k) for k in golden["meta"]}  # other tests may add keys to the store
    assert differences(golden, got) == []
