"""Write a draft label file per labelled document (the rules' reading), for a person to correct by hand.

Usage: PYTHONPATH=src python scripts/draft_tag_labels.py [DOC_ID...] [--apply]
  Writes tests/data/tag/units/<id>.draft.jsonl: one line per unit with the rules' reading as its draft.
  --apply  writes the labelled <id>.jsonl: the draft, then the genre guideline (procurement: every 'ska'
           unit the rules tag, or whose subject is a supplier or product, is requirement_on_supplier;
           manuals and risk analyses state no goals or activities of a region), then corrections.yaml (hand
           corrections per unit), then the hand-made labels of tests/data/tag/sample.jsonl (seed plans,
           labelled before the rules were written: they win).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

from planmine.segment import fold
from planmine.tag import rules
from planmine.tag.labelled import analyse_rules, load_documents, unit_key

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag" / "units"


def draft_label(doc, unit) -> str:  # type: ignore[no-untyped-def]
    def has(key: str) -> bool:
        return any(s.start_char < unit.end and unit.start < s.end_char for s in doc.spans[key])

    if rules.SUPPLIER_SUBJECT.search(fold(unit.text)):
        return "requirement_on_supplier"
    if has("goals"):
        return "goal"
    if has("activities"):
        return "activity"
    if has("indicators"):
        return "indicator"
    return "background" if unit.passage_kind == "paragraph" and len(unit.text) > 40 else "other"


_SHALL = re.compile(r"\b(ska|skall|maste|bor)\b")


def guideline_label(row: dict, genre: str) -> str:  # type: ignore[type-arg]
    """The genre guideline: what a supplier or product must do is a requirement; manuals plan nothing."""
    label = str(row["label"])
    folded = fold(str(row["text"]))
    if genre == "procurement":
        if label in ("goal", "activity") or (_SHALL.search(folded) and row["kind"] != "heading"):
            return "requirement_on_supplier"
    elif genre in ("manual", "risk_analysis") and label in ("goal", "subgoal", "activity"):
        return "other"
    return label


def apply_labels(document_id: str, genre: str) -> int:
    draft = [json.loads(x) for x in (DATA / f"{document_id}.draft.jsonl").read_text("utf-8").splitlines()]
    corrections = (yaml.safe_load((DATA / "corrections.yaml").read_text("utf-8")) or {}).get(document_id, {})
    sample = {
        unit_key(str(r["text"])): r
        for r in map(json.loads, (DATA.parent / "sample.jsonl").read_text("utf-8").splitlines())
        if str(r["document"]).startswith(document_id + "_")
    }
    for row in draft:
        row["label"] = guideline_label(row, genre)
        if row["i"] in corrections:
            row["label"] = corrections[row["i"]]
        hand = sample.get(unit_key(str(row["text"])))
        if hand is not None:  # labelled before the rules were written; a whole passage = this unit
            kinds = list(hand["kinds"])  # type: ignore[arg-type]
            row["label"] = (
                "goal"
                if "goal" in kinds
                else "activity"
                if "activity" in kinds
                else "indicator"
                if "indicator" in kinds
                else (
                    row["label"]
                    if row["label"] in ("background", "other", "requirement_on_supplier")
                    else "background"
                )
            )
            row["actors"] = list(hand["actors"])  # type: ignore[arg-type]
            row["actors_by_hand"] = True
            if "goal" in kinds and "activity" in kinds:
                row["also"] = ["activity"]
        row["synthetic"] = document_id.startswith("syn_")
    (DATA / f"{document_id}.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in draft), encoding="utf-8"
    )
    return len(draft)


def main() -> None:
    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    for document in load_documents(DATA, ROOT):
        if wanted and document.id not in wanted:
            continue
        if "--apply" in sys.argv:
            print(f"{document.id}: {apply_labels(document.id, document.genre)} labelled units")
            continue
        analysed = analyse_rules(document)
        lines = []
        for p, doc, units in zip(analysed.passages, analysed.docs, analysed.units, strict=True):
            for u in units:
                actors = sorted(
                    {s.label_ for s in doc.spans["actors"] if s.start_char < u.end and u.start < s.end_char}
                )
                lines.append(
                    {
                        "i": len(lines),
                        "page": p.page,
                        "kind": u.passage_kind,
                        "text": u.text,
                        "label": draft_label(doc, u),
                        "also": ["activity"]
                        if draft_label(doc, u) == "goal"
                        and any(
                            s.start_char < u.end and u.start < s.end_char for s in doc.spans["activities"]
                        )
                        else [],
                        "actors": actors,
                    }
                )
        out = DATA / f"{document.id}.draft.jsonl"
        out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        print(f"{document.id}: {len(lines)} units -> {out.name}")


if __name__ == "__main__":
    main()
