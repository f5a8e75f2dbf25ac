"""Evaluate the cleaning stage and its Swedish OCR repair; prints the figures.

1. Diacritic restoration: å/ä/ö stripped from each clean seed plan (Värmland, Östergötland, Skåne, Kalmar)
   and restored, each document held out of the corpus counts it is scored with. Word accuracy and character
   error rate, unrestored vs restored. The same on the held-out real documents (/work/shared/realdocs),
   which no count or rule has seen, when that folder exists.
2. Clean text left alone: share of words changed when cleaning the four clean plans (must be ≤ 0.2 %).
3. Örebro: word error rate of the cleaned OCR text against a hand-corrected excerpt in tests/data/clean/.

Usage: PYTHONPATH=src python benchmarks/eval_clean.py [--quick]
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from planmine.clean import OcrRepairer, clean_text
from planmine.clean.lexicon import CorpusCounts, Lexicon

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REALDOCS = Path("/work/shared/realdocs")
CLEAN_SEEDS = ("varmland_", "ostergotland_", "skane_", "kalmar_")
STRIP = str.maketrans("åäöÅÄÖ", "aaoAAO")
WORD = re.compile(r"[^\W_]+")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref = words(reference)
    return Levenshtein.distance(ref, words(hypothesis)) / max(len(ref), 1)


def char_error_rate(reference: str, hypothesis: str) -> float:
    return Levenshtein.distance(reference, hypothesis) / max(len(reference), 1)


def seed_texts() -> dict[str, str]:
    files = sorted(p for p in CORPUS.glob("*.txt") if p.name.startswith(CLEAN_SEEDS))
    return {p.name: clean_text(p.read_text(encoding="utf-8"), repair=False)[0] for p in files}


def restore(text: str, lexicon: Lexicon) -> str:
    repairer = OcrRepairer(lexicon)
    damage = repairer.assess(text)
    return repairer.repair(text, strip_rate=damage.strip_rate)[0]


def report_restoration(title: str, docs: dict[str, str], lexicons: dict[str, Lexicon]) -> None:
    print(f"\n== {title} ==")
    print(
        f"{'document':<58} {'words':>6} {'acc before':>10} {'acc after':>10} {'CER before':>10} {'CER after':>10}"
    )
    tot_words = tot_err_before = tot_err_after = tot_chars = tot_cer_before = tot_cer_after = 0
    for name, reference in docs.items():
        stripped = reference.translate(STRIP)
        restored = restore(stripped, lexicons[name])
        ref_words = words(reference)
        err_before = Levenshtein.distance(ref_words, words(stripped))
        err_after = Levenshtein.distance(ref_words, words(restored))
        cer_before = Levenshtein.distance(reference, stripped)
        cer_after = Levenshtein.distance(reference, restored)
        n, chars = len(ref_words), len(reference)
        print(
            f"{name[:58]:<58} {n:>6} {1 - err_before / n:>10.2%} {1 - err_after / n:>10.2%} "
            f"{cer_before / chars:>10.3%} {cer_after / chars:>10.3%}"
        )
        tot_words += n
        tot_err_before += err_before
        tot_err_after += err_after
        tot_chars += chars
        tot_cer_before += cer_before
        tot_cer_after += cer_after
    print(
        f"{'ALL (micro average)':<58} {tot_words:>6} {1 - tot_err_before / tot_words:>10.2%} "
        f"{1 - tot_err_after / tot_words:>10.2%} {tot_cer_before / tot_chars:>10.3%} {tot_cer_after / tot_chars:>10.3%}"
    )


def report_clean_unchanged() -> None:
    print("\n== clean seed plans: share of words changed by cleaning (must be <= 0.2 %) ==")
    for label, repair in (("auto (as clean_document does)", None), ("repair forced on", True)):
        total = changed = 0
        for path in sorted(p for p in CORPUS.glob("*.txt") if p.name.startswith(CLEAN_SEEDS)):
            raw = path.read_text(encoding="utf-8")
            original = HYPHEN_BREAK.sub(r"\1\2", HTML_TAG.sub(" ", raw)).replace("**", "")
            cleaned = clean_text(raw, repair=repair)[0]
            ref = words(original)
            total += len(ref)
            changed += Levenshtein.distance(ref, words(cleaned))
        print(f"{label:<32} {changed:>5} of {total} words changed = {changed / total:.3%}")


def report_orebro() -> None:
    raw_path = ROOT / "tests/data/clean/orebro_excerpt_raw.txt"
    ref_path = ROOT / "tests/data/clean/orebro_excerpt_reference.txt"
    if not raw_path.exists() or not ref_path.exists():
        print("\n(no hand-corrected Örebro excerpt under tests/data/clean/)")
        return
    raw = raw_path.read_text(encoding="utf-8")
    reference = ref_path.read_text(encoding="utf-8")
    cleaned = clean_text(raw)[0]
    joined_raw = HYPHEN_BREAK.sub(r"\1\2", raw)
    print("\n== Örebro excerpt vs hand-corrected reference (word error rate) ==")
    print(f"reference words: {len(words(reference))}")
    print(f"raw OCR text:    WER {word_error_rate(reference, joined_raw):.2%}")
    print(f"cleaned:         WER {word_error_rate(reference, cleaned):.2%}")
    ref, hyp = words(reference), words(cleaned)
    for op in Levenshtein.editops(ref, hyp):
        got = hyp[op.dest_pos] if op.tag != "delete" and op.dest_pos < len(hyp) else ""
        want = ref[op.src_pos] if op.tag != "insert" and op.src_pos < len(ref) else ""
        print(f"   {op.tag:<8} want {want!r:<22} got {got!r}")


def main() -> None:
    quick = "--quick" in sys.argv
    started = time.perf_counter()
    seeds = seed_texts()
    lexicons = {
        name: Lexicon(counts=CorpusCounts.from_texts({n: t for n, t in seeds.items() if n != name}))
        for name in seeds
    }
    report_restoration(
        "diacritic restoration, clean seed plans (each held out of the counts)", seeds, lexicons
    )
    if REALDOCS.exists() and not quick:
        real = {
            p.relative_to(REALDOCS).as_posix(): clean_text(p.read_text(encoding="utf-8"), repair=False)[0]
            for p in sorted(REALDOCS.glob("*/*.md"))
        }
        real = {n: t for n, t in real.items() if len(words(t)) >= 150}
        shared = Lexicon(counts=CorpusCounts.from_texts(seeds))
        report_restoration(
            "diacritic restoration, held-out real documents (realdocs; counts from all four seed plans)",
            real,
            dict.fromkeys(real, shared),
        )
    report_clean_unchanged()
    report_orebro()
    print(f"\n(evaluation took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
