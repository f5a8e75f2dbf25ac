"""Draw candidate question concepts for the sampled dev pass of tests/data/questions (issue 10).

Reproducible (fixed seed) and blind to the test split's questions: the candidates are words drawn at random
from the real documents under ../shared/realdocs (texts nobody on this project wrote) and from the rare words
of the five seed plans (words in one plan only); the test split is read for its `concept` field only, to
avoid collisions. Words that are a theme's label, alternative label, keyword, narrower term or abbreviation in
themes.yaml (compared by a 6-letter accent-folded prefix) are dropped, as are concepts already in the file.
The printed list is the pool: a person keeps the words that name a healthcare or social-care topic a user
could ask about, and labels their gold by hand (see tests/data/questions/README.md, fourth pass).

Usage: python scripts/sample_question_concepts.py [--seed 20261202] [--n 120]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
REALDOCS = ROOT.parent / "shared" / "realdocs"
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions" / "questions.jsonl"
THEMES = ROOT / "src" / "planmine" / "data" / "themes.yaml"
WORD = re.compile(r"[a-zåäöéü]{7,}")
PREFIX = 6  # letters compared between a candidate and a taxonomy term or existing concept


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def taxonomy_prefixes() -> set[str]:
    doc = yaml.safe_load(THEMES.read_text(encoding="utf-8"))
    fields = ("label_sv", "alt_labels", "related", "keywords", "narrower_terms", "abbreviations")
    out: set[str] = set()
    for theme in doc["themes"]:
        for field in fields:
            value = theme.get(field) or []
            for term in [value] if isinstance(value, str) else value:
                out.update(fold(w)[:PREFIX] for w in re.findall(r"\w{4,}", str(term)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--n", type=int, default=120)
    args = ap.parse_args()
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    taken = {fold(r["concept"])[:PREFIX] for r in rows}  # concept field only (test rows are not read further)
    banned = taxonomy_prefixes() | taken
    plan_counts = [
        Counter(WORD.findall(p.read_text(encoding="utf-8").lower())) for p in sorted(CORPUS.glob("*.txt"))
    ]
    in_plans = Counter(w for c in plan_counts for w in c)
    rare = sorted(w for w, n in in_plans.items() if n == 1)  # a word of one plan only
    real = Counter()
    for path in sorted(REALDOCS.rglob("*.md")):
        real.update(set(WORD.findall(path.read_text(encoding="utf-8").lower())))
    real_words = sorted(w for w, n in real.items() if n >= 2)  # in two real documents at least
    rng = random.Random(args.seed)
    pool = rare + real_words
    rng.shuffle(pool)
    seen: set[str] = set()
    for word in pool:
        key = fold(word)[:PREFIX]
        if key in banned or key in seen:
            continue
        seen.add(key)
        print(f"{'plan' if word in in_plans else 'real'}\t{word}")
        if len(seen) >= args.n:
            break


if __name__ == "__main__":
    main()
