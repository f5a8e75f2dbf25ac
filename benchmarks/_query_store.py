"""The question path at national size (issue 15): a SYNTHETIC store of N passages, then its answers.

The store is written directly (no ingest: that would take hours): 21 regions, documents of 200 passages,
each passage recombined from sentences of the seed corpus's stored passages (`--seed-store`, default
/work/seed.db or ./planmine.db), its vector the normalised mean of its sources' real e5 vectors plus noise
(so cosines are distributed like real ones), one goal tag per ten passages. The word index is then built
the way an older store gets it (on first open), the ANN index beside it (planmine.vector_index).

Prints: store and index sizes, build times, a fresh `planmine query` process's first answer (model load
included) for a free question and for a theme question, API (`planmine.api`) latency p50/p95 over the
free and the theme questions of tests/data/questions/questions.jsonl's dev split (warm process: the
theme path's one-time load of every passage is printed on its own), peak RSS and the load average.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PER_DOCUMENT = 200
FREE_QUESTION = "Vilka regioner arbetar med ambulanssjukvård?"
THEME_QUESTION = "Hur arbetar regionerna med fallprevention?"


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir()) / 1e6
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def _seed_pool(
    seed_store: Path,
) -> tuple[list[list[str]], np.ndarray, str, list[tuple[str, str, int, bytes]]]:
    """Sentences of each stored seed passage, their vectors, the model, and every cached vector row."""
    from planmine.themes.text import sentences

    conn = sqlite3.connect(seed_store)
    model = conn.execute("SELECT value FROM meta WHERE key = 'embedding_model'").fetchone()[0]
    rows = conn.execute(
        "SELECT p.text, v.vector FROM passages p JOIN vectors v ON v.hash = p.hash AND v.model = ? "
        "WHERE length(p.text) > 80",
        (model,),
    ).fetchall()
    cached = conn.execute("SELECT model, hash, dim, vector FROM vectors").fetchall()
    conn.close()
    pool = [[t[a:b].strip() for a, b in sentences(t) if t[a:b].strip()] for t, _ in rows]
    vectors = np.stack([np.frombuffer(v, dtype=np.float32) for _, v in rows])
    return pool, vectors, model, cached


def build_store(path: Path, passages: int, seed_store: Path, *, seed: int = 0) -> dict[str, float]:
    """Write the synthetic store (documents, pages, passages, tags, vectors) straight into SQLite."""
    from planmine.regions import all_regions
    from planmine.store import Store
    from planmine.types import text_hash

    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    Store(path).close()  # the schema (and an empty word index)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM meta WHERE key = 'word_index'")  # built on first open, as for an older store
    pool, pool_vectors, model, cached = _seed_pool(seed_store)
    regions = [r.name for r in all_regions()]
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO vectors(model, hash, dim, vector) VALUES (?, ?, ?, ?)", cached)
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('embedding_model', ?)", (model,))
    documents = (passages + PER_DOCUMENT - 1) // PER_DOCUMENT
    done = 0
    for d in range(documents):
        region = regions[d % len(regions)]
        n = min(PER_DOCUMENT, passages - done)
        name = f"synthetic-{d:05}.txt"
        sha = hashlib.sha256(f"{seed}:{d}".encode()).hexdigest()
        cur = conn.execute(
            "INSERT INTO documents(path, name, sha256, format, region, region_source, title, year, status, "
            "ingested_at, genre) VALUES (?, ?, ?, 'txt', ?, 'manifest', ?, '2024', 'ok', '2026-01-01', 'plan')",
            (f"/synthetic/{name}", name, sha, region, f"Syntetisk plan {d}"),
        )
        doc_id = int(cur.lastrowid or 0)
        conn.execute(
            "INSERT INTO pages(document_id, number, raw_text, text) VALUES (?, 1, ?, ?)",
            (doc_id, "synthetic", "synthetic"),
        )
        rows, vecs, offset = [], {}, 0
        for i in range(n):
            sources = rng.choice(len(pool), size=int(rng.integers(1, 4)), replace=False)
            picked = [s for k in sources for s in pool[k] if rng.random() < 0.7] or pool[sources[0]][:1]
            rng.shuffle(picked)
            text = " ".join(picked)
            h = text_hash(text)
            v = pool_vectors[sources].mean(axis=0) + rng.normal(scale=0.01, size=pool_vectors.shape[1])
            vecs[h] = (v / np.linalg.norm(v)).astype(np.float32)
            rows.append((doc_id, i, 1, "paragraph", text, offset, offset + len(text), h))
            offset += len(text) + 2
        conn.executemany(
            "INSERT INTO passages(document_id, idx, page, kind, text, start, end, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT OR REPLACE INTO vectors(model, hash, dim, vector) VALUES (?, ?, ?, ?)",
            [(model, h, len(v), v.tobytes()) for h, v in vecs.items()],
        )
        ids = conn.execute(
            "SELECT id, text FROM passages WHERE document_id = ? ORDER BY idx", (doc_id,)
        ).fetchall()
        conn.executemany(
            "INSERT INTO tags(document_id, passage_id, idx, kind, text, start, end, commitment) "
            "VALUES (?, ?, ?, 'goal', ?, 0, ?, 'binding')",
            [(doc_id, pid, k, text[:60], min(60, len(text))) for k, (pid, text) in enumerate(ids[::10])],
        )
        done += n
    conn.execute("COMMIT")
    conn.close()
    times = {"write": time.perf_counter() - t0}
    t0 = time.perf_counter()
    with Store(path) as store:  # builds the word index (first open)
        times["word_index"] = time.perf_counter() - t0
        from planmine.vector_index import passage_index

        t0 = time.perf_counter()
        passage_index(store)
        times["ann_index"] = time.perf_counter() - t0
    return times


def fresh_query(store: Path, question: str, timeout: float) -> str:
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "planmine", "query", question, "--store", str(store), "--json"],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (stopped)"
    seconds = time.perf_counter() - t0
    if done.returncode:
        return f"failed after {seconds:.1f} s: {done.stderr[-300:]}"
    levels = {r["level"] for a in json.loads(done.stdout) for r in a["regions"]}
    return f"{seconds:.1f} s (levels {sorted(levels)})"


def api_latency(store: Path, theme_budget_s: float) -> None:
    """p50/p95 of `Planmine.ask` over the dev questions, free and theme questions apart."""
    import planmine.api
    from planmine.query import question_core
    from planmine.themes.index import get_index
    from planmine.themes.reading import read_question

    rows = [
        json.loads(line) for line in (ROOT / "tests/data/questions/questions.jsonl").open(encoding="utf-8")
    ]
    dev = [r["question"] for r in rows if r["split"] == "dev"]
    pm = planmine.api.open(store)
    t0 = time.perf_counter()
    pm.ask(FREE_QUESTION)  # model load, vocabulary, ANN index and background sample
    warm = time.perf_counter() - t0
    index = get_index(pm.store, pm.embedder, pm.taxonomy)
    kinds = {q: read_question(index, q, index.embed_questions([question_core(q)])[0]).theme for q in dev}
    free = [q for q in dev if kinds[q] is None]
    themed = [q for q in dev if kinds[q] is not None]
    times = []
    for q in free:
        t = time.perf_counter()
        pm.ask(q)
        times.append(1000 * (time.perf_counter() - t))
    p50, p95 = np.percentile(times, [50, 95])
    print(
        f"API free         {len(free)} dev questions: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(times):.0f} ms "
        f"(first call with model load {warm:.1f} s)   {load()}"
    )
    if not themed or theme_budget_s <= 0:
        return
    t = time.perf_counter()
    pm.ask(themed[0])
    first = time.perf_counter() - t
    print(f"API theme        first theme question (loads and matches every passage) {first:.1f} s   {load()}")
    if first > theme_budget_s:
        print(f"API theme        skipped the other {len(themed) - 1}: first one over {theme_budget_s:.0f} s")
        return
    times = []
    for q in themed[1:]:
        t = time.perf_counter()
        pm.ask(q)
        times.append(1000 * (time.perf_counter() - t))
    if times:
        p50, p95 = np.percentile(times, [50, 95])
        print(
            f"API theme        {len(times)} dev questions after it: p50 {p50:.0f} ms, p95 {p95:.0f} ms   {load()}"
        )


def bench_query_scale(passages: int, out: Path, seed_store: Path, *, theme_timeout: float = 600) -> None:
    out.mkdir(parents=True, exist_ok=True)
    store = out / f"synthetic-{passages}.db"
    print(f"SYNTHETIC store of {passages} passages (recombined seed text, synthetic vectors): {store}")
    times = build_store(store, passages, seed_store)
    conn = sqlite3.connect(store)
    words, postings = (
        conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("words", "word_passages")
    )
    conn.close()
    print(
        f"store            {_mb(store):.0f} MB + ANN index {_mb(Path(f'{store}.index')):.0f} MB; written in "
        f"{times['write']:.0f} s; word index ({words} words, {postings} postings) built on first open in "
        f"{times['word_index']:.0f} s; ANN index built in {times['ann_index']:.0f} s   {load()}"
    )
    print(
        f"query (fresh)    free question  `planmine query`: {fresh_query(store, FREE_QUESTION, 120)}   {load()}"
    )
    print(
        f"query (fresh)    theme question `planmine query`: {fresh_query(store, THEME_QUESTION, theme_timeout)}   "
        f"{load()}"
    )
    api_latency(store, theme_timeout)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS         this process {peak:.0f} MB, largest child {children:.0f} MB   {load()}")


def default_seed_store() -> Path:
    for candidate in (
        Path(os.environ.get("PLANMINE_SEED_STORE", "")),
        ROOT.parent / "seed.db",
        ROOT / "planmine.db",
    ):
        if candidate.is_file():
            return candidate
    raise SystemExit(
        "No seed store: ingest corpus/ first (planmine ingest corpus/) or set PLANMINE_SEED_STORE."
    )
