"""National scale: ingest, compare, graph and report on a generated corpus of all 21 regions.

The corpus is made from real text (corpus/ and ../shared/realdocs): each document draws paragraphs from
across the pool, drops and reorders sentences (seeded), so every document's text is unique and the
vector cache hides nothing. Each region's folder has a manifest naming its region.

Prints, each with the load average: ingest passages/s and peak RSS (this process and its children) with
one process and with `--workers 2`, store size, then `compare --format json`, `graph` and `report` times
and sizes on the 1-process store, and the fresh-process first answer: `planmine query`, and the vector
part alone with the persistent index (planmine.vector_index) against reading every vector.
`--graph-size N` also times the kNN graph step alone on N synthetic clustered vectors (for 100k and 1M
passages, where ingest would take hours); `--index-size N` builds the persistent index's HNSW on N
synthetic vectors and times a fresh process opening it and answering; `--report-docs N` renders the
report of a synthetic corpus of N documents (21 regions, 60 themes, 12 quotes per cell) and prints its
size against the 10 MB cap. `--store DB` runs the answer steps on an existing store (no ingest).

`--evidence-sizes 10000,100000,1000000` times `compare` (cold: deciding every cell from the stored theme
evidence; warm: reading the kept cells) and `gaps` in fresh processes, with their peak RSS, on SYNTHETIC
stores filled by SQL with copies of the seed plans' passages and evidence rows (real per-theme candidate
rates; benchmarks/_evidence_store.py); `--before-src ../main/src` runs the same compare with other code
(main's, which matches every passage in memory) up to `--before-max` passages.

`--ingest-scaling` only ingests, pinned with taskset: one process on one core, one Dask worker on one core,
two workers on two cores (ONNX Runtime one thread per worker), printing passages/s, passages per
CPU-second, the largest per-process peak RSS, store size and the 2-vs-1 ratio; `--profile-ingest` runs
one ingest under cProfile and prints the seconds of each stage.

`--query-size N` (repeatable) writes a SYNTHETIC store of N passages and times the question path on it: the
word index's and the ANN index's build, a fresh `planmine query` (free and theme question), API p50/p95.

Usage: python benchmarks/bench_scale.py [--size 600] [--ingest-scaling] [--profile-ingest] [--graph-size 100000 [--graph-exact] [--graph-stored]] [--no-ingest]
       [--index-size 100000] [--report-docs 1100] [--store DB] [--out DIR]
       [--evidence-sizes 10000,100000,1000000 [--before-src ../main/src] [--before-max 10000]]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
WORDS_PER_PASSAGE = 45  # the generated paragraphs' median length (the issue's realistic 12-150 words)


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def paragraph_pool() -> list[str]:
    """Paragraphs of 12-150 words from the seed corpus and the shared real documents."""
    sources = sorted((ROOT / "corpus").glob("*.txt"))
    shared = ROOT.parent / "shared" / "realdocs"
    if shared.exists():
        sources += sorted(p for p in shared.rglob("*") if p.suffix in (".txt", ".md"))
    pool = []
    for path in sources:
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
            text = " ".join(block.split())
            if 12 <= len(text.split()) <= 150:
                pool.append(text)
    return pool


def generate(folder: Path, passages: int, seed: int = 0) -> int:
    """Write documents of 20-60 paragraphs for the 21 regions until ``passages`` paragraphs; the count."""
    from planmine.regions import all_regions

    rng = np.random.default_rng(seed)
    pool = paragraph_pool()
    regions = [r.name for r in all_regions()][:21]
    written, doc = 0, 0
    while written < passages:
        region = regions[doc % len(regions)]
        target = folder / f"r{doc % len(regions):02}"
        target.mkdir(parents=True, exist_ok=True)
        n = int(min(rng.integers(20, 61), passages - written))
        paragraphs = []
        for k in rng.choice(len(pool), size=n):
            sentences = re.split(r"(?<=[.!?])\s+", pool[k])
            keep = [s for s in sentences if rng.random() > 0.2] or sentences[:1]
            rng.shuffle(keep)
            paragraphs.append(" ".join(keep))
        title = f"Handlingsplan för nära vård, {region}, del {doc}"
        (target / f"plan{doc:05}.txt").write_text(
            title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
        with (target / "manifest.yaml").open("a", encoding="utf-8") as manifest:
            manifest.write(f"plan{doc:05}.txt:\n  region: {region}\n")
        written += n
        doc += 1
    return doc


def planmine(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "planmine", *args], capture_output=True, text=True)
    return time.perf_counter() - t0, done


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bench_ingest(corpus: Path, out: Path, workers: int) -> Path:
    store = out / f"ingest-{workers}.db"
    extra = ["--workers", str(workers)] if workers > 1 else []
    seconds, done = planmine("ingest", str(corpus), "--store", str(store), "--json", *extra)
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr[-2000:]}")
    from planmine.store import Store

    with Store(store) as db:
        n = db.counts()["passages"]
    print(
        f"ingest {workers} proc.   {n} passages in {seconds:.0f} s = {n / seconds:.1f} passages/s; peak RSS of "
        f"the largest process so far {children_peak_mb():.0f} MB; store {store.stat().st_size / 1e6:.1f} MB   {load()}"
    )
    return store


class TreePeaks:
    """Peak RSS (VmHWM) of every process under ``pid``, sampled until stopped: per process, not summed."""

    def __init__(self, pid: int, every_s: float = 0.5) -> None:
        import threading

        self.pid, self.every_s = pid, every_s
        self.peaks: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return pids

    def _watch(self) -> None:
        while not self._stop.is_set():
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                hwm = re.search(r"VmHWM:\s+(\d+)", status)
                if hwm:
                    mb = int(hwm.group(1)) / 1024
                    label = " ".join(c.decode(errors="replace") for c in cmd[1:4])[:60]
                    if mb > self.peaks.get(pid, ("", 0.0))[1]:
                        self.peaks[pid] = (label, mb)
            self._stop.wait(self.every_s)

    def stop(self) -> list[tuple[str, float]]:
        self._stop.set()
        self._thread.join()
        return sorted(self.peaks.values(), key=lambda p: -p[1])


def ingest_pinned(corpus: Path, store: Path, cores: list[int], workers: int) -> dict[str, float]:
    """`planmine ingest` pinned to ``cores`` (ONNX Runtime takes one thread per core per worker):
    wall seconds, CPU seconds of the whole process tree, the largest per-process peak RSS, passages."""
    from planmine.store import Store

    extra = ["--workers", str(workers)] if workers else []
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    pin = ["taskset", "-c", ",".join(map(str, cores))]
    process = subprocess.Popen(
        [
            *pin,
            sys.executable,
            "-m",
            "planmine",
            "ingest",
            str(corpus),
            "--store",
            str(store),
            "--json",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peaks = TreePeaks(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - t0
    per_process = peaks.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {stderr[-2000:]}")
    with Store(store) as db:
        n = db.counts()["passages"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "passages": n,
        "peak_mb": per_process[0][1] if per_process else 0.0,
        "processes": len(per_process),
        "store_mb": store.stat().st_size / 1e6,
    }


def bench_ingest_scaling(corpus: Path, out: Path) -> None:
    """Whole ingest with one process on one core, then one and two Dask workers (one core each)."""
    cores = sorted(os.sched_getaffinity(0))[:2]
    ways = [("1 process, 1 core", cores[:1], 0), ("Dask 1 worker, 1 core", cores[:1], 1)]
    if len(cores) > 1:
        ways.append(("Dask 2 workers, 2 cores", cores, 2))
    rates: dict[int, float] = {}
    for label, pinned, workers in ways:
        start_load = load()
        got = ingest_pinned(corpus, out / f"scaling-{workers}.db", pinned, workers)
        rate = got["passages"] / got["seconds"]
        rates[workers] = rate
        print(
            f"ingest {label:<24} {got['passages']:.0f} passages in {got['seconds']:.0f} s = {rate:.1f} passages/s, "
            f"{got['passages'] / got['cpu']:.1f} per CPU-second; largest peak RSS of its "
            f"{got['processes']:.0f} processes {got['peak_mb']:.0f} MB; store {got['store_mb']:.1f} MB   "
            f"({start_load} at start) {load()}"
        )
    if 2 in rates:
        print(
            f"ingest scaling   2 workers vs 1 worker {rates[2] / rates[1]:.2f}x (bar 1.7x); "
            f"vs 1 process {rates[2] / rates[0]:.2f}x   {load()}"
        )


# Where an ingest's time goes: the functions that make up each stage (cumulative seconds of each).
STAGES = {
    "read": [("ingest/__init__.py", "read_document")],
    "clean": [("clean/pipeline.py", "clean_document")],
    "metadata": [("meta.py", "detect_metadata")],
    "segment": [("segment.py", "segment")],
    "genre (text)": [("genre_model.py", "predict")],
    "tag": [("tag/pipeline.py", "tag_passages")],
    "model load": [("embed/models.py", "__call__")],
    "embed (ONNX)": [("onnx_backend.py", "__call__")],
    "embed (all)": [("sentence_transformer.py", "_embed")],
    "commit": [("pipeline.py", "commit")],
    "theme vectors": [("pipeline.py", "embed_themes")],
    "versions": [("versions.py", "link_store")],
    "vector index": [("vector_index.py", "refresh_after_ingest")],
}


def profile_ingest(corpus: Path, out: Path) -> None:
    """One serial ingest in this process under cProfile: seconds per stage, then the top functions."""
    import cProfile
    import pstats

    from planmine.pipeline import ingest_paths
    from planmine.store import Store

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    with Store(out / "profile.db") as store:
        profiler.enable()
        ingest_paths([corpus], store)
        profiler.disable()
        n = store.counts()["passages"]
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"profile          {n} passages in {seconds:.0f} s = {n / seconds:.1f} passages/s (1 process), "
        f"peak RSS {peak:.0f} MB   {load()}"
    )
    for stage, names in STAGES.items():
        spent = sum(
            ct
            for (file, _, func), (_, _, _, ct, _) in stats.items()
            if any(file.endswith(suffix) and func == name for suffix, name in names)
        )
        print(f"  {stage:<14} {spent:6.1f} s  {100 * spent / seconds:4.0f} %")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def bench_answers(store: Path, out: Path) -> None:
    for name, args, target in (
        ("compare", ["compare", "--format", "json", "-o", str(out / "compare.json")], out / "compare.json"),
        ("graph", ["graph", "-o", str(out / "graph.graphml")], out / "graph.graphml"),
        ("report", ["report", "-o", str(out / "report.html")], out / "report.html"),
    ):
        seconds, done = planmine(*args, "--store", str(store))
        size = f"{target.stat().st_size / 1e6:.1f} MB" if target.exists() else f"failed: {done.stderr[-300:]}"
        print(f"{name:<16} {seconds:.1f} s (process start and model load included), {size}   {load()}")


QUESTION = "Hur arbetar regionerna med fallprevention?"
VECTOR_PART = """
import sys, time, numpy as np
t0 = time.perf_counter()
from planmine.embed import load_embedder
from planmine.store import Store
embedder = load_embedder()
query = embedder.embed_queries([sys.argv[2]])
t1 = time.perf_counter()
with Store(sys.argv[1], create=False) as store:
    if sys.argv[3] == "index":
        from planmine.vector_index import nearest_passages
        best = nearest_passages(store, query, 10, embedder.name)
    else:
        ids, hashes = store.passage_hashes()
        got = [(i, v) for batch_ids, vs in store.passage_vectors(embedder.name, ids) for i, v in zip(batch_ids, vs)]
        matrix = np.stack([v for _, v in got])
        top = np.argsort(-(matrix @ query[0]))[:10]
        best = [[(got[i][0], float(matrix[i] @ query[0])) for i in top]]
t2 = time.perf_counter()
print(f"{t2 - t0:.2f} {t1 - t0:.2f} {t2 - t1:.2f} {best[0][0][1]:.4f}")
"""


def bench_first_answer(store: Path) -> None:
    """A fresh process answering one question: the whole `planmine query`, then the vector part alone."""
    seconds, done = planmine("query", QUESTION, "--store", str(store), "--json")
    state = "ok" if done.returncode == 0 else f"failed: {done.stderr[-300:]}"
    print(
        f"query (fresh)    {seconds:.1f} s for `planmine query` (process start, model load, index build) {state}   {load()}"
    )
    for way in ("scan", "index", "index"):  # the first "index" run may build or update it
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", VECTOR_PART, str(store), QUESTION, way], capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
        if done.returncode:
            print(f"vector part {way}: failed: {done.stderr[-400:]}")
            continue
        _total, model, search, best = done.stdout.split()
        label = "every vector read" if way == "scan" else "persistent index"
        print(
            f"nearest 10 ({label:<17}) fresh process {wall:.1f} s: model+question {float(model):.1f} s, "
            f"vectors {float(search):.2f} s (best cosine {best}; ties between copied paragraphs)   {load()}"
        )


def bench_index(n: int, dim: int = 384) -> None:
    """Build the persistent index's HNSW on ``n`` synthetic vectors, then open it in a fresh process."""
    from planmine.vector_index import INDEX_CONFIG, _new_index

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(max(50, n // 200), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), size=n)] + 0.5 * rng.normal(size=(n, dim)).astype(
        np.float32
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    folder = Path(tempfile.mkdtemp(prefix="planmine-index-"))
    t0 = time.perf_counter()
    index = _new_index(dim, INDEX_CONFIG)
    index.add(np.arange(n), vectors)
    built = time.perf_counter() - t0
    index.save(str(folder / "synthetic.usearch"))
    size = (folder / "synthetic.usearch").stat().st_size / 1e6
    probe = vectors[:200]
    exact = np.argsort(-(vectors @ probe.T), axis=0)[:10].T
    found = np.asarray(index.search(probe, 10).keys)
    recall = np.mean([len(set(exact[i]) & set(found[i])) / 10 for i in range(len(probe))])
    script = (
        "import sys, time, numpy as np; t0 = time.perf_counter(); from usearch.index import Index; "
        "ix = Index.restore(sys.argv[1], view=True); q = np.random.default_rng(2).normal(size=(1, DIM)).astype(np.float32); "
        "t1 = time.perf_counter(); ix.search(q, 10); print(f'{t1 - t0:.3f} {time.perf_counter() - t1:.4f}')"
    ).replace("DIM", str(dim))
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder / "synthetic.usearch")], capture_output=True, text=True
    )
    opened, searched = done.stdout.split() if done.returncode == 0 else ("nan", "nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"vector index     {n} synthetic {dim}-d vectors: built in {built:.1f} s, file {size:.0f} MB, recall@10 "
        f"{recall:.3f} (200 probes); fresh process opens it (memory-mapped) in {float(opened):.2f} s, one search "
        f"{1000 * float(searched):.1f} ms; peak RSS {peak:.0f} MB   {load()}"
    )


def bench_report_size(documents: int) -> None:
    """The report of a synthetic corpus of ``documents`` documents: its size against the cap."""
    sys.path.insert(0, str(ROOT / "tests"))
    from planmine.report import render_report
    from planmine.report.limits import REPORT_LIMITS
    from test_report_scale import national

    parts = national(documents=documents, discovered=max(50, documents // 3))
    t0 = time.perf_counter()
    html = render_report(**parts)
    seconds = time.perf_counter() - t0
    print(
        f"report synthetic {documents} documents, 60 themes x 21 regions x 12 quotes: {len(html.encode()) / 1e6:.1f} MB "
        f"(cap {REPORT_LIMITS.max_bytes / 1e6:.0f} MB) in {seconds:.1f} s   {load()}"
    )


def bench_graph(n: int, *, exact: bool = False, stored: bool = False) -> set[tuple[int, int]]:
    """The kNN edge step alone on ``n`` clustered synthetic 384-d vectors from 21 regions.

    The nodes are every other passage of 2n (as goals and activities are among all passages); with
    ``stored`` the kNN goes through a persistent index of all 2n, built first and timed apart (ingest
    pays for it once). Returns the edges, for the agreement between the ways.
    """
    from planmine.graph.similarity import (
        NEIGHBOURS,
        NeighbourConfig,
        StoredNeighbours,
        calibrate_threshold,
        centre,
        cross_region_neighbours,
    )

    config = NeighbourConfig(ann_min_nodes=n + 1) if exact else NEIGHBOURS
    rng = np.random.default_rng(0)
    total = 2 * n
    centres = rng.normal(size=(max(50, total // 200), 384)).astype(np.float32)
    everything = centres[rng.integers(0, len(centres), size=total)] + 0.5 * rng.normal(
        size=(total, 384)
    ).astype(np.float32)
    everything /= np.linalg.norm(everything, axis=1, keepdims=True)
    neighbours, built = None, ""
    if stored:
        from planmine.vector_index import INDEX_CONFIG, IndexUpdate, PassageIndex, _new_index

        t0 = time.perf_counter()
        index = _new_index(384, INDEX_CONFIG)
        index.add(np.arange(total), everything)
        built = f" (index of {total} built first in {time.perf_counter() - t0:.1f} s)"
        held = PassageIndex(index, "synthetic", 384, np.arange(total), IndexUpdate())
        neighbours = StoredNeighbours(held, np.arange(0, total, 2), everything[::2].mean(axis=0))
    raw = everything[::2]
    regions = [f"Region {i % 21}" for i in range(n)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    vectors = centre(raw)
    threshold = calibrate_threshold(vectors, regions)
    pairs = cross_region_neighbours(
        vectors, raw, regions, k=5, threshold=threshold, config=config, stored=neighbours
    )
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    way = "exact  " if exact else ("stored " if stored else "default")
    print(
        f"graph kNN {way}  {n} synthetic vectors: {len(pairs)} edges in {seconds:.1f} s{built}; peak RSS "
        f"{peak:.0f} MB ({before:.0f} MB before)   {load()}"
    )
    return {(p.source, p.target) for p in pairs}


def run_measured(args: list[str], src: Path) -> tuple[float, float, int]:
    """`python -m planmine ARGS` with `src` first on the path: (seconds, its own peak RSS in MB, rc)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "planmine", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    if child.stderr is not None:
        child.stderr.close()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def bench_evidence(sizes: list[int], out: Path, before_src: Path | None, before_max: int) -> None:
    """compare and gaps on SYNTHETIC stores of N passages filled by SQL from the seed plans' stored
    theme evidence (benchmarks/_evidence_store.py); `before_src` (e.g. main's src/) runs the same
    compare with that code, on stores up to `before_max` passages."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _evidence_store import prepared_source, synthetic_store

    out.mkdir(parents=True, exist_ok=True)
    source = prepared_source(
        ROOT.parent / "seed.db" if (ROOT.parent / "seed.db").exists() else _seed_store(out), out
    )
    for n in sizes:
        store = out / f"synthetic-{n}.db"
        t0 = time.perf_counter()
        docs, passages = synthetic_store(source, store, n)
        rows = _scalar(store, "SELECT COUNT(*) FROM theme_evidence")
        print(
            f"SYNTHETIC {passages:>8} passages  {docs} documents (copies of the seed plans' rows), {rows} "
            f"evidence rows, store {store.stat().st_size / 1024**2:.0f} MB, filled in "
            f"{time.perf_counter() - t0:.0f} s  {load()}"
        )
        region = _scalar(store, "SELECT region FROM documents ORDER BY id LIMIT 1")
        compare = ["compare", "--store", str(store), "--format", "json", "-o", str(out / f"compare-{n}.json")]
        if before_src is not None and n <= before_max:
            seconds, peak, rc = run_measured(compare, before_src)
            print(
                f"  compare before  {seconds:6.1f} s  peak {peak:5.0f} MB  rc {rc}  ({before_src})  {load()}"
            )
        for label, args in (
            ("compare cold", compare),  # decides every cell from the stored evidence and keeps it
            ("compare warm", compare),  # reads the kept cells
            ("compare table", ["compare", "--store", str(store)]),
            ("gaps warm", ["gaps", "--region", str(region), "--store", str(store)]),
        ):
            seconds, peak, rc = run_measured(args, ROOT / "src")
            print(f"  {label:<14}  {seconds:6.1f} s  peak {peak:5.0f} MB  rc {rc}  {load()}")


def _scalar(store: Path, sql: str) -> object:
    import sqlite3

    conn = sqlite3.connect(store)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _seed_store(out: Path) -> Path:
    """corpus/ ingested with the model (when ../seed.db is not there)."""
    store = out / "seed.db"
    if not store.exists():
        _, done = planmine("ingest", str(ROOT / "corpus"), "--store", str(store))
        if done.returncode != 0:
            raise SystemExit(f"ingest failed: {done.stderr[-2000:]}")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=600, help="passages to generate and ingest")
    parser.add_argument("--graph-size", type=int, default=0, help="also time the kNN on N synthetic vectors")
    parser.add_argument("--graph-exact", action="store_true", help="time the exact kNN too, for the ratio")
    parser.add_argument(
        "--graph-stored", action="store_true", help="time the kNN through a persistent index of 2N passages"
    )
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument(
        "--ingest-scaling",
        action="store_true",
        help="only ingest: 1 process on 1 core, Dask 1 worker on 1 core, 2 workers on 2 cores",
    )
    parser.add_argument("--profile-ingest", action="store_true", help="only ingest once under cProfile")
    parser.add_argument(
        "--index-size", type=int, default=0, help="time the persistent index on N synthetic vectors"
    )
    parser.add_argument(
        "--report-docs", type=int, default=0, help="size of the report of N synthetic documents"
    )
    parser.add_argument("--store", type=Path, default=None, help="run the answer steps on this store only")
    parser.add_argument(
        "--evidence-sizes",
        default="",
        help="comma-separated passage counts: compare/gaps on SYNTHETIC stores filled by SQL (e.g. 10000,1000000)",
    )
    parser.add_argument(
        "--before-src", type=Path, default=None, help="also run compare with this src/ (main's)"
    )
    parser.add_argument("--before-max", type=int, default=10_000, help="largest store --before-src runs on")
    parser.add_argument(
        "--query-size",
        type=int,
        action="append",
        default=[],
        help="the question path on a SYNTHETIC store of N passages (benchmarks/_query_store.py); repeatable",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    print(f"start            {load()}, {os.cpu_count()} cores")
    if args.ingest_scaling or args.profile_ingest:
        out = args.out or Path(tempfile.mkdtemp(prefix="planmine-scale-"))
        docs = generate(out / "corpus", args.size)
        print(f"corpus           {docs} documents, ~{args.size} paragraphs, 21 regions, in {out / 'corpus'}")
        if args.profile_ingest:
            profile_ingest(out / "corpus", out)
        if args.ingest_scaling:
            bench_ingest_scaling(out / "corpus", out)
    elif args.store:
        out = args.out or Path(tempfile.mkdtemp(prefix="planmine-scale-"))
        bench_first_answer(args.store)
        bench_answers(args.store, out)
    elif not args.no_ingest and not args.evidence_sizes:
        out = args.out or Path(tempfile.mkdtemp(prefix="planmine-scale-"))
        corpus = out / "corpus"
        docs = generate(corpus, args.size)
        print(f"corpus           {docs} documents, ~{args.size} paragraphs, 21 regions, in {corpus}")
        store = bench_ingest(corpus, out, 1)
        bench_ingest(corpus, out, 2)
        bench_first_answer(store)
        bench_answers(store, out)
    if args.evidence_sizes:
        sizes = [int(n) for n in args.evidence_sizes.split(",")]
        out = args.out or Path(tempfile.mkdtemp(prefix="planmine-evidence-"))
        bench_evidence(sizes, out, args.before_src, args.before_max)
    for size in args.query_size:
        from _query_store import bench_query_scale, default_seed_store

        bench_query_scale(
            size, args.out or Path(tempfile.mkdtemp(prefix="planmine-q-")), default_seed_store()
        )
    if args.report_docs:
        bench_report_size(args.report_docs)
    if args.index_size:
        bench_index(args.index_size)
    if args.graph_size:
        edges = {"default": bench_graph(args.graph_size)}
        if args.graph_stored:
            edges["stored"] = bench_graph(args.graph_size, stored=True)
        if args.graph_exact:
            edges["exact"] = bench_graph(args.graph_size, exact=True)
        reference = edges.get("exact", edges["default"])
        for way, found in edges.items():
            if found is not reference and reference:
                both = len(found & reference)
                print(
                    f"graph agreement  {way} vs {'exact' if 'exact' in edges else 'default'}: recall "
                    f"{both / len(reference):.3f}, precision {both / max(1, len(found)):.3f}"
                )
    print(f"end              {load()}")


if __name__ == "__main__":
    main()
