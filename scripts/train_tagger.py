"""Train the unit classifier on every labelled document and write the weights shipped in the package.

Usage: PYTHONPATH=src python scripts/train_tagger.py [--out PATH] [--cache DIR]
  Reads tests/data/tag/units/ (documents.yaml, <id>.jsonl), runs the rules over each document, fits the
  logistic regression (fixed seed: planmine.tag.model.DECISION.seed) and writes
  src/planmine/data/tag_units.npz. Same data, same weights.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from planmine.tag.labelled import load_labelled, training_rows
from planmine.tag.model import WEIGHTS_FILE, UnitModel

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "tag" / "units"


def _cache() -> Path | None:
    return Path(sys.argv[sys.argv.index("--cache") + 1]) if "--cache" in sys.argv else None


def main() -> None:
    out = (
        Path(sys.argv[sys.argv.index("--out") + 1])
        if "--out" in sys.argv
        else (ROOT / "src" / "planmine" / "data" / WEIGHTS_FILE)
    )
    start = time.perf_counter()
    features, labels, documents = [], [], []
    for analysed in load_labelled(DATA, ROOT, cache=_cache()):
        f, y = training_rows(analysed)
        features += f
        labels += y
        documents.append(f"{analysed.document.id}:{len(y)}")
    model = UnitModel().fit(features, labels)
    model.save(out, info={"units": len(labels), "documents": documents})
    print(
        f"trained on {len(labels)} units of {len(documents)} documents in {time.perf_counter() - start:.1f} s"
    )
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
