"""Tagging quality on the seed corpus and the hand-annotated sample (tests/data/tag/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planmine.tag import analyse
from planmine.tag.corpus import corpus_files, minimal_clean_document
from planmine.tag.evaluate import found_as, kalmar_scores, read_jsonl, score_sample
from planmine.types import Passage, Tag

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag"


@pytest.fixture(scope="module")
def analysed() -> dict[str, tuple[list[Passage], list[Tag]]]:
    return {
        path.name: analyse(minimal_clean_document(path), i + 1)
        for i, path in enumerate(corpus_files(ROOT / "corpus"))
    }


def _of(analysed: dict[str, tuple[list[Passage], list[Tag]]], prefix: str) -> tuple[list[Passage], list[Tag]]:
    return next(v for k, v in analysed.items() if k.startswith(prefix))


def test_kalmar_all_36_goals_and_activity_links(analysed) -> None:
    _passages, tags = _of(analysed, "kalmar")
    found, linked, total, problems = kalmar_scores(read_jsonl(DATA / "kalmar_goals.jsonl"), tags)
    assert found == 36, problems
    assert total == 98
    assert linked / total >= 0.95, problems
    # the table goals are decided: binding
    goal = next(t for t in tags if t.kind == "goal" and t.text.startswith("Antalet suicid"))
    assert goal.commitment == "binding"


def test_kalmar_responsible_actors_and_indicators(analysed) -> None:
    _passages, tags = _of(analysed, "kalmar")
    activity = next(
        t for t in tags if t.kind == "activity" and t.text.startswith("Stödja implementeringen av YAM")
    )
    assert activity.actors == ("Samordnande grupp Barn och unga",)
    assert activity.commitment == "binding"
    fall = next(t for t in tags if t.kind == "indicator" and t.text == "Fallskador bland personer 80+")
    assert fall.label == "Strategi för Hälsa (Kolada)"
    info = next(t for t in tags if t.kind == "activity" and t.text.startswith("Revidera de överenskommelser"))
    assert info.actors == ("Samverkansområdesgrupp Informationsöverföring",)
    assert tags[info.goal].text.startswith("Sammanhållen planering för invånarna")  # type: ignore[index]


def test_orebro_five_delmal_are_goals(analysed) -> None:
    _, tags = _of(analysed, "orebro")
    texts = [str(r["text"]) for r in read_jsonl(DATA / "orebro_delmal.jsonl")]
    found, missed = found_as(texts, tags, "goal")
    assert found == 5, missed


def test_orebro_delmal_found_in_repaired_text() -> None:
    """After the cleaner repairs å/ä/ö and the bullets, the delmål are still goals."""
    text = (
        "Inom detta insatsområde har fem delmål formulerats:\n"
        "- Stärka det hälsofrämjande och sjukdomsförebyggande arbetet\n"
        "- Stärka insatser till grupper med komplexa vård- och omsorgsbehov\n\n"
        "6.3 Delmål 3\n”Stärka vård och omsorg nära den enskilde”\n\n"
        "Att stärka vård och omsorg nära den enskilde är en förutsättning. Region Örebro län och "
        "Länsstyrelsen ska utveckla arbetet.\n"
    )
    from planmine.types import CleanDocument, CleanPage, Page, RawDocument

    raw = RawDocument(path="o.txt", format="txt", sha256="0", pages=[Page(1, text)])
    _, tags = analyse(CleanDocument(raw=raw, pages=[CleanPage(1, text, text)]), 1)
    goals = [t.text for t in tags if t.kind == "goal"]
    assert goals == [
        "Stärka det hälsofrämjande och sjukdomsförebyggande arbetet",
        "Stärka insatser till grupper med komplexa vård- och omsorgsbehov",
        "Stärka vård och omsorg nära den enskilde",
    ]
    actors = {t.label for t in tags if t.kind == "actor"}
    assert {"Region Örebro län", "Länsstyrelsen"} <= actors
    activity = next(t for t in tags if t.kind == "activity")
    assert activity.text.startswith("Region Örebro län och Länsstyrelsen ska utveckla")
    assert activity.commitment == "binding"
    assert tags[activity.goal].text == "Stärka vård och omsorg nära den enskilde"  # type: ignore[index]


def test_varmland_bilaga1_examples_are_activities(analysed) -> None:
    _, tags = _of(analysed, "varmland")
    texts = [str(r["text"]) for r in read_jsonl(DATA / "varmland_bilaga1.jsonl")]
    found, missed = found_as(texts, tags, "activity")
    assert found / len(texts) >= 0.9, missed


def test_ostergotland_exempel_bullets_are_activities(analysed) -> None:
    _, tags = _of(analysed, "ostergotland")
    texts = [str(r["text"]) for r in read_jsonl(DATA / "ostergotland_exempel.jsonl")]
    found, missed = found_as(texts, tags, "activity")
    assert found == len(texts), missed
    example = next(t for t in tags if t.kind == "activity" and t.text == "Utöka mobil röntgen")
    assert example.commitment == "intention"


def test_annotated_sample_precision_and_recall(analysed) -> None:
    gold = read_jsonl(DATA / "sample.jsonl")
    assert len(gold) >= 150
    assert {str(r["document"]).split("_")[0] for r in gold} == {
        "kalmar",
        "orebro",
        "ostergotland",
        "skane",
        "varmland",
    }
    counts, missing = score_sample(gold, analysed)
    assert missing == 0
    for kind in ("goal", "activity", "indicator", "actor"):
        assert counts[kind].precision >= 0.85, (kind, counts[kind].errors)
        assert counts[kind].recall >= 0.85, (kind, counts[kind].errors)
    assert counts["actor"].precision >= 0.9


def test_tag_offsets_point_into_passages(analysed) -> None:
    for passages, tags in analysed.values():
        by_index = {p.index: p for p in passages}
        for t in tags:
            p = by_index[t.passage_index]
            assert p.text[t.start : t.end] == t.text
            if t.kind in ("goal", "activity"):
                assert t.commitment in ("binding", "intention", "background")
            else:
                assert t.commitment is None
            if t.goal is not None:
                assert t.kind == "activity" and tags[t.goal].kind == "goal"


@pytest.mark.slow
def test_quality_bars_hold_on_the_clean_stage_output() -> None:
    """Through the real reader and cleaner (OCR repair, HTML removed, bullets normalised)."""
    from planmine.tag.corpus import load_clean_document

    pytest.importorskip("planmine.clean")
    analysed = {
        path.name: analyse(load_clean_document(path, use_clean_stage=True), i + 1)
        for i, path in enumerate(corpus_files(ROOT / "corpus"))
    }
    found, linked, total, problems = kalmar_scores(
        read_jsonl(DATA / "kalmar_goals.jsonl"), _of(analysed, "kalmar")[1]
    )
    assert found == 36 and linked / total >= 0.95, problems
    for prefix, file, kind, share in (
        ("orebro", "orebro_delmal.jsonl", "goal", 1.0),
        ("varmland", "varmland_bilaga1.jsonl", "activity", 0.9),
        ("ostergotland", "ostergotland_exempel.jsonl", "activity", 1.0),
    ):
        texts = [str(r["text"]) for r in read_jsonl(DATA / file)]
        n, missed = found_as(texts, _of(analysed, prefix)[1], kind)
        assert n / len(texts) >= share, (prefix, missed)
    counts, missing = score_sample(read_jsonl(DATA / "sample.jsonl"), analysed)
    assert missing <= 2
    for kind in ("goal", "activity", "indicator", "actor"):
        assert counts[kind].precision >= 0.85 and counts[kind].recall >= 0.85, (kind, counts[kind].errors)
