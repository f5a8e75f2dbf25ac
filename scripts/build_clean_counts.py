"""Build src/planmine/data/sv_clean_counts.json.gz: word and word-pair counts of the clean seed plans.

The OCR repairer mixes these counts with wordfreq's frequencies and uses the pairs as its context model.
Only the four clean plans are counted (never the OCR-damaged Örebro plan). Reproducible: same corpus,
same file.

Usage: PYTHONPATH=src python scripts/build_clean_counts.py [corpus_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from planmine.clean import clean_text
from planmine.clean.lexicon import COUNTS_RESOURCE, CorpusCounts

CLEAN_SEED_PREFIXES = ("varmland_", "ostergotland_", "skane_", "kalmar_")
ROOT = Path(__file__).resolve().parents[1]


def clean_seed_texts(corpus: Path) -> dict[str, str]:
    """The clean seed plans, run through the cleaning steps without OCR repair, keyed by file name."""
    files = sorted(p for p in corpus.glob("*.txt") if p.name.startswith(CLEAN_SEED_PREFIXES))
    if len(files) != len(CLEAN_SEED_PREFIXES):
        raise SystemExit(
            f"expected {len(CLEAN_SEED_PREFIXES)} clean seed plans in {corpus}, found {len(files)}"
        )
    return {p.name: clean_text(p.read_text(encoding="utf-8"), repair=False)[0] for p in files}


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "corpus"
    counts = CorpusCounts.from_texts(clean_seed_texts(corpus))
    out = ROOT / "src" / "planmine" / "data" / COUNTS_RESOURCE
    counts.save(out)
    print(
        f"{out.relative_to(ROOT)}: {len(counts.unigrams)} words, {len(counts.bigrams)} pairs, {counts.total} tokens"
    )


if __name__ == "__main__":
    main()
