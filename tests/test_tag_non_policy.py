"""Real non-policy documents (../shared/realdocs2) get no goal and no activity once their genre is read.

Each file goes through `planmine.pipeline.prepare`, as ingest does: the genre is classified from the text,
then the tagger re-tags with it (supplier requirements are requirements, never a region's activities).
The whole-folder figures come from benchmarks/eval_tag_non_policy.py.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

REALDOCS2 = Path(__file__).resolve().parents[2] / "shared" / "realdocs2"
needs_realdocs2 = pytest.mark.skipif(not REALDOCS2.is_dir(), reason="../shared/realdocs2 not present")


def _prepared(relative: str):  # type: ignore[no-untyped-def]
    from planmine.pipeline import FileTicket, PreparedDocument, prepare

    result = prepare(FileTicket(str(REALDOCS2 / relative), "", {}, "option"))
    assert isinstance(result, PreparedDocument), result
    return result


@needs_realdocs2
@pytest.mark.parametrize(
    ("relative", "min_requirements"),
    [
        pytest.param("pbot-avrop/Teknisk IT-projektledare.docx", 10, marks=pytest.mark.slow),
        ("pbot-avrop/Teknisk projektledare FVIS refnr 23-440.docx", 10),
        pytest.param("pbot-avrop/1214002-1-AllDocuments.pdf", 100, marks=pytest.mark.slow),
    ],
)
def test_procurement_has_requirements_and_no_goal_or_activity(relative: str, min_requirements: int) -> None:
    prepared = _prepared(relative)
    kinds = Counter(t.kind for t in prepared.tags)
    assert prepared.meta.genre == "procurement", prepared.meta.genre_evidence
    assert kinds["goal"] == kinds["activity"] == 0, [
        t.text[:80] for t in prepared.tags if t.kind == "activity"
    ]
    assert kinds["requirement"] >= min_requirements, kinds


@needs_realdocs2
@pytest.mark.slow
@pytest.mark.parametrize(
    "relative", ["minhalsoplan/Min halsoplan - Installationsmanual.pdf", "rsa-kommuner/RSA Borlänge 2023.pdf"]
)
def test_manuals_and_risk_analyses_have_no_goal_or_activity(relative: str) -> None:
    prepared = _prepared(relative)
    kinds = Counter(t.kind for t in prepared.tags)
    assert prepared.meta.genre in {"manual", "risk_analysis"}, prepared.meta.genre_evidence
    assert kinds["goal"] == kinds["activity"] == 0, kinds
