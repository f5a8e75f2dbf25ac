"""Load on `planmine serve`: concurrent clients ask varied questions over loopback while one upload ingests.

Starts the real server (`python -m planmine serve`) in a subprocess on a copy of a store, then runs
CLIENTS threads, each asking questions from the theme question sets in turn for DURATION seconds, while one
document is uploaded (POST /api/documents with the token, UPLOAD_AFTER seconds in). Prints errors,
p50/p95/max of /api/query over the whole run and over the requests sent while the upload was being
ingested, the share of answers the server had remembered (its X-Planmine-Cache header) with the latency
of those it had to compute, the throughput, the upload's status and time, and the load average (before,
mean while measuring, after). The server remembers answers per store state, so the questions are many
(every distinct question of the labelled sets) and the first pass over them is all computed.

    python benchmarks/bench_web.py --duration 60 --clients 20 [--store outputs/planmine.db] [--upload FILE]
    python benchmarks/bench_web.py --no-upload          # the baseline without an upload
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _seed import DEV2, GOLD, HELDOUT, ROOT, read_jsonl, seed_store

DEFAULT_UPLOAD = (
    ROOT.parent
    / "shared"
    / "realdocs"
    / "botkyrka"
    / "07_vård-omsorg-för-äldre-sammanhållen-överenskommelse.md"
)
P95_TARGET_MS = 300.0


def questions() -> list[str]:
    texts = [
        r["text"]
        for path in (HELDOUT, DEV2, GOLD)
        if path.exists()
        for r in read_jsonl(path)
        if r.get("text")
    ]
    return list(dict.fromkeys(texts)) or [
        "fallprevention",
        "SIP",
        "mobila team",
        "Which regions work on falls?",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not come up")


Sample = tuple[float, float, int, str]  # (sent at, seconds, HTTP status or -1, cache header)


def client(base: str, texts: list[str], offset: int, stop: float, out: list[Sample]) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        i = offset
        while time.time() < stop:
            q = texts[i % len(texts)]
            i += 7
            sent, t0 = time.time(), time.perf_counter()
            try:
                r = http.get("/api/query", params={"q": q})
                status, cache = r.status_code, r.headers.get("x-planmine-cache", "")
            except httpx.HTTPError:
                status, cache = -1, ""
            out.append((sent, time.perf_counter() - t0, status, cache))


def percentiles(ms: list[float]) -> str:
    if not ms:
        return "none"
    ms = sorted(ms)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"p50 {statistics.median(ms):.0f}, p95 {p95:.0f}, max {ms[-1]:.0f}"


def sample_load(stop: float, out: list[float]) -> None:
    while time.time() < stop:
        out.append(os.getloadavg()[0])
        time.sleep(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--store", help="a store to copy (default: corpus/ ingested now)")
    parser.add_argument("--no-upload", action="store_true", help="questions only (the baseline)")
    parser.add_argument(
        "--upload", type=Path, default=DEFAULT_UPLOAD, help="the document uploaded under load"
    )
    parser.add_argument(
        "--upload-after", type=float, default=5.0, help="seconds of load before the upload (default 5)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="planmine-bench-web-"))
    store = work / "planmine.db"
    if args.store:
        shutil.copy(args.store, store)
    else:
        seeded = seed_store()
        seeded.close()
        shutil.copy(seeded.path, store)
    token = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLANMINE_TOKEN": token}
    server = subprocess.Popen(
        [sys.executable, "-m", "planmine", "serve", "--store", str(store), "--port", str(port)], env=env
    )
    try:
        wait_until_up(base, server)
        texts = questions()
        httpx.get(base + "/api/query", params={"q": texts[0]}, timeout=300)  # warm: model and index
        load_before = os.getloadavg()
        upload: dict[str, object] = {}

        def send_upload() -> None:
            time.sleep(args.upload_after)
            upload["start"] = time.time()
            with args.upload.open("rb") as fh:
                r = httpx.post(
                    base + "/api/documents",
                    files={"files": (args.upload.name, fh)},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=args.duration + 600,
                )
            upload.update(status=r.status_code, end=time.time(), body=r.json())

        results: list[Sample] = []
        loads: list[float] = []
        start = time.time()
        stop = start + args.duration
        threads = [] if args.no_upload else [threading.Thread(target=send_upload)]
        threads += [threading.Thread(target=sample_load, args=(stop, loads))]
        threads += [
            threading.Thread(target=client, args=(base, texts, i, stop, results)) for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_after = os.getloadavg()
        reader = httpx.get(base + "/api/health", timeout=60).json().get("reader", {})
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    ok = [(sent, s * 1000, cache) for sent, s, status, cache in results if status == 200]
    errors = sum(status != 200 for _, _, status, _ in results)
    hits = sum(cache == "hit" for _, _, cache in ok)
    print(f"bench_web: {args.clients} clients, {args.duration:.0f} s, {len(texts)} distinct questions")
    print(f"  /api/query: {len(results)} requests, {errors} errors, {len(results) / args.duration:.1f} req/s")
    print(
        f"  latency ms, all:      {percentiles([ms for _, ms, _ in ok])} (target p95 <= {P95_TARGET_MS:.0f})"
    )
    if not args.no_upload:
        t0, t1 = float(upload.get("start", stop)), float(upload.get("end", stop))  # type: ignore[arg-type]
        during = [ms for sent, ms, _ in ok if t0 <= sent <= t1]
        print(
            f"  latency ms, upload:   {percentiles(during)} ({len(during)} requests sent while it ingested)"
        )
    print(f"  remembered answers:   {hits / len(ok) if ok else 0:.0%} of {len(ok)} (X-Planmine-Cache: hit)")
    print(f"  latency ms, computed: {percentiles([ms for _, ms, cache in ok if cache != 'hit'])}")
    if not args.no_upload:
        body = upload.get("body")
        files = body if isinstance(body, list) else []
        seconds = float(upload.get("end", stop)) - float(upload.get("start", stop))  # type: ignore[arg-type]
        within = "inside" if float(upload.get("end", stop + 1)) <= stop else "beyond"  # type: ignore[arg-type]
        print(
            f"  upload {args.upload.name}: HTTP {upload.get('status')}, {[f.get('status') for f in files]}, "
            f"{seconds:.1f} s from {float(upload.get('start', start)) - start:.0f} s in (ended {within} the run)"  # type: ignore[arg-type]
        )
    else:
        print("  upload: none (--no-upload)")
    print(
        f"  server: {reader.get('snapshots_opened')} snapshots opened, generation {reader.get('generation')}"
    )
    mean = statistics.mean(loads) if loads else float("nan")
    print(
        f"  load average (1 min) before {load_before[0]:.2f}, mean {mean:.2f}, after {load_after[0]:.2f}; "
        f"cores {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
