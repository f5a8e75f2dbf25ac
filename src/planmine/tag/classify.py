"""The unit classifier as a spaCy component: it reads the rule tags as features and corrects them.

For each unit (``planmine.tag.units``) the learned model gives class probabilities; ``apply_decisions``
turns them into span changes: a requirement on a supplier, background or other text loses its rule
goal/activity tag, an untagged capitalised goal or 'Vi ska ...' item gains one. In documents whose genre is
not a region's own policy work (procurement, manual, risk analysis) no unit is a goal or an activity:
requirements are tagged as such. Table rows whose columns the rules read stay as the rules tagged them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planmine.segment import fold
from planmine.tag import rules
from planmine.tag._spacy import Doc, Language, Span
from planmine.tag.model import DECISION, UnitDecision, UnitModel, shipped_model
from planmine.tag.units import GOAL_LABELS, UNIT_LABELS, Unit, doc_units, unit_features

# genres whose 'ska' sentences bind a supplier or a product, not the region (planmine.genre ids)
REQUIREMENT_GENRES = frozenset({"procurement", "manual", "risk_analysis"})
_TAGGED = ("goals", "activities", "indicators")


def _span(doc: Doc, unit: Unit, label: str = "") -> Span | None:
    return doc.char_span(unit.start, unit.end, label=label, alignment_mode="expand")


def _without(doc: Doc, key: str, unit: Unit) -> None:
    doc.spans[key] = [s for s in doc.spans[key] if not (s.start_char < unit.end and unit.start < s.end_char)]


def _has(doc: Doc, key: str, unit: Unit) -> bool:
    return any(s.start_char < unit.end and unit.start < s.end_char for s in doc.spans[key])


def _add(doc: Doc, key: str, unit: Unit, label: str = "") -> None:
    span = _span(doc, unit, label)
    if span is not None:
        doc.spans[key] = sorted([*doc.spans[key], span], key=lambda s: s.start)


def _structural(doc: Doc) -> bool:
    """A table row whose columns the rules read (Målområde | Aktiviteter | ...): the columns decide."""
    return doc._.passage_kind == "table_row" and any(doc._.columns)


def apply_decisions(
    doc: Doc,
    units: Sequence[Unit],
    probs: np.ndarray,
    *,
    genre: str = "",
    decision: UnitDecision = DECISION,
) -> None:
    """Change the doc's goal/activity/indicator/requirement spans by the units' class probabilities."""
    if "requirements" not in doc.spans:
        doc.spans["requirements"] = []
    requirement_genre = genre in REQUIREMENT_GENRES
    if requirement_genre:  # a supplier's or a product's duties are nobody's goals or activities here
        doc.spans["goals"] = []
        doc.spans["activities"] = []
    structural = _structural(doc)
    for unit, p in zip(units, probs, strict=True):
        best = int(np.argmax(p))
        label, confidence = UNIT_LABELS[best], float(p[best])
        supplier = bool(rules.SUPPLIER_SUBJECT.search(fold(unit.text)))
        if requirement_genre:
            if (label == "requirement_on_supplier" and confidence >= decision.drop) or supplier:
                _add(doc, "requirements", unit)
            continue
        if structural:
            continue
        goal, activity = _has(doc, "goals", unit), _has(doc, "activities", unit)
        if label == "requirement_on_supplier" and (supplier or confidence >= decision.requirement):
            for key in _TAGGED:
                _without(doc, key, unit)
            _add(doc, "requirements", unit)
        elif label in ("background", "other"):
            if confidence >= decision.drop and (goal or activity):
                _without(doc, "goals", unit)
                _without(doc, "activities", unit)
        elif label in GOAL_LABELS:
            threshold = decision.switch if activity else decision.add
            if not goal and confidence >= threshold:
                _without(doc, "activities", unit)
                _add(doc, "goals", unit, "subgoal" if label == "subgoal" else "")
        elif label == "activity":
            threshold = decision.switch if goal else decision.add
            if not activity and confidence >= threshold and doc._.passage_kind != "heading":
                _without(doc, "goals", unit)
                _add(doc, "activities", unit)
        elif label == "indicator" and not _has(doc, "indicators", unit) and confidence >= decision.add:
            _add(doc, "indicators", unit)


def classify_docs(docs: Sequence[Doc], model: UnitModel) -> list[tuple[list[Unit], np.ndarray]]:
    """Units of each doc and their class probabilities, in one batched prediction."""
    per_doc = [doc_units(doc) for doc in docs]
    flat = [unit_features(doc, u) for doc, units in zip(docs, per_doc, strict=True) for u in units]
    probs = model.predict_proba(flat)
    out: list[tuple[list[Unit], np.ndarray]] = []
    pos = 0
    for units in per_doc:
        out.append((units, probs[pos : pos + len(units)]))
        pos += len(units)
    return out


@Language.factory("planmine_units")
class UnitsComponent:
    """Runs the shipped unit classifier over a doc's units (the rules' spans already set)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.model: UnitModel | None = None

    def _model(self) -> UnitModel | None:
        return self.model if self.model is not None else shipped_model()

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream, batch_size: int = 128):  # type: ignore[no-untyped-def]
        from spacy.util import minibatch

        model = self._model()
        for batch in minibatch(stream, size=batch_size):
            if model is None:  # no weights shipped: the rules alone, genre still respected
                classified = [(u, np.zeros((len(u), len(UNIT_LABELS)))) for u in map(doc_units, batch)]
            else:
                classified = classify_docs(batch, model)
            for doc, (units, probs) in zip(batch, classified, strict=True):
                apply_decisions(doc, units, probs, genre=doc._.genre)
                yield doc
