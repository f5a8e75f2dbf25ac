"""The labelled sets under tests/data/questions and tests/data/relevance: schema, quotes, splits, counts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

DATA = ROOT / "tests" / "data"
QUESTIONS = DATA / "questions" / "questions.jsonl"
REGIONS = DATA / "questions" / "regions.json"
RELEVANCE = DATA / "relevance" / "judgements.jsonl"
LEVELS = {"addressed", "mentioned", "not_found"}
KINDS = {"passing", "absent", "narrower", "control"}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _theme_ids() -> set[str]:
    taxonomy = yaml.safe_load((ROOT / "src" / "planmine" / "data" / "themes.yaml").read_text(encoding="utf-8"))
    return {theme["id"] for theme in taxonomy["themes"]}


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return _rows(QUESTIONS)


@pytest.fixture(scope="module")
def plan_texts() -> dict[str, str]:
    regions = json.loads(REGIONS.read_text(encoding="utf-8"))
    return {region: _norm((ROOT / path).read_text(encoding="utf-8")) for region, path in regions.items()}


def test_question_rows_have_the_schema(questions, plan_texts):
    themes = _theme_ids()
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), "question ids must be unique"
    for q in questions:
        assert q["lang"] in {"sv", "en"}, q["id"]
        assert q["kind"] in KINDS, q["id"]
        assert q["split"] in {"dev", "test"}, q["id"]
        assert q["question"].strip() and isinstance(q["notes"], str), q["id"]
        assert set(q["gold"]) == set(plan_texts), q["id"]
        if q["kind"] == "control":
            assert q["theme"] in themes, q["id"]
        else:
            assert "theme" not in q, q["id"]
        for region, cell in q["gold"].items():
            assert cell["level"] in LEVELS, (q["id"], region)
            if cell["level"] == "not_found":
                assert cell["quotes"] == [], (q["id"], region)
            else:
                assert cell["quotes"], f"{q['id']} {region}: a positive cell needs a quote"


def test_every_quote_occurs_in_the_named_plan_at_its_line(questions):
    regions = json.loads(REGIONS.read_text(encoding="utf-8"))
    for q in questions:
        for region, cell in q["gold"].items():
            raw = (ROOT / regions[region]).read_text(encoding="utf-8")
            lines = raw.split("\n")
            for quote in cell["quotes"]:
                assert _norm(quote["text"]) in _norm(raw), f"{q['id']} {region}: {quote['text']!r}"
                first_word = quote["text"].split()[0]
                assert first_word in lines[quote["line"] - 1], f"{q['id']} {region}: wrong line {quote['line']}"


def test_question_splits_are_disjoint_by_concept_and_counts_meet_the_minimums(questions):
    open_questions = [q for q in questions if q["kind"] != "control"]
    assert len(open_questions) >= 60
    assert sum(q["lang"] == "en" for q in open_questions) >= 20
    assert {q["kind"] for q in open_questions} == {"passing", "absent", "narrower"}
    assert sum(q["kind"] == "control" for q in questions) >= 10
    concept_splits: dict[str, set[str]] = {}
    for q in questions:
        concept_splits.setdefault(q["concept"], set()).add(q["split"])
    assert all(len(s) == 1 for s in concept_splits.values()), "a concept must not straddle dev and test"
    share_dev = sum(q["split"] == "dev" for q in questions) / len(questions)
    assert 0.3 <= share_dev <= 0.5
    for kind in ("passing", "absent", "narrower"):
        splits = Counter(q["split"] for q in open_questions if q["kind"] == kind)
        assert splits["dev"] and splits["test"], kind
    # every kind of gold occurs: the set can tell a system that says "addressed" everywhere from one that reads
    levels = Counter(cell["level"] for q in open_questions for cell in q["gold"].values())
    assert levels["addressed"] >= 20 and levels["mentioned"] >= 20 and levels["not_found"] >= 200


@pytest.fixture(scope="module")
def judgements() -> list[dict]:
    return _rows(RELEVANCE)


def test_relevance_rows_have_the_schema(judgements):
    themes = _theme_ids()
    for i, row in enumerate(judgements):
        assert set(row) >= {"doc", "region", "text", "theme", "label", "why", "source"}, i
        assert row["label"] in (0, 1), i
        assert row["theme"] in themes, (i, row["theme"])
        assert row["text"].strip() and row["why"].strip() and row["doc"].strip(), i
        assert row["source"] in {"seed", "realdocs", "realdocs2"}, i
    keys = [(r["doc"], _norm(r["text"]), r["theme"]) for r in judgements]
    assert len(keys) == len(set(keys)), "one judgement per passage and theme"


def test_relevance_passages_occur_in_their_documents(judgements):
    texts: dict[str, str] = {}
    for row in judgements:
        path = ROOT.parent / "shared" / row["doc"] if row["source"] != "seed" else ROOT / row["doc"]
        if row["source"] == "realdocs2" or not path.exists():
            continue  # realdocs2 passages come from extracted PDF/DOCX text, checked by the extraction recorded in the README
        if row["doc"] not in texts:
            texts[row["doc"]] = _norm(path.read_text(encoding="utf-8"))
        assert _norm(row["text"]) in texts[row["doc"]], (row["doc"], row["text"][:80])


def test_relevance_counts_cover_every_theme_and_the_real_documents(judgements):
    assert len(judgements) >= 2000
    positives = Counter(r["theme"] for r in judgements if r["label"] == 1)
    negatives = Counter(r["theme"] for r in judgements if r["label"] == 0)
    themes = _theme_ids()
    assert set(positives) == themes and set(negatives) == themes
    assert sum(n >= 20 for n in positives.values()) >= 28, positives
    outside_seed = sum(r["source"] != "seed" for r in judgements) / len(judgements)
    assert outside_seed >= 0.4
    assert len({r["doc"] for r in judgements}) >= 20, "enough documents for grouped cross-validation"
