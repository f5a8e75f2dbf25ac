"""Load on `planmine serve`: concurrent clients ask varied questions over loopback while one upload ingests.

Starts the real server (`python -m planmine serve`) in a subprocess on a copy of a store, then runs
CLIENTS threads, each asking questions from the theme question sets in turn for DURATION seconds, while one
document is uploaded (POST /api/documents with the token). Prints errors, p50/p95/max of /api/query, the
throughput, the upload's status and time, and the load average.

    python benchmarks/bench_web.py --duration 60 --clients 20 [--store outputs/planmine.db] [--upload FILE]
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


def client(base: str, texts: list[str], offset: int, stop: float, out: list[tuple[float, int]]) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        i = offset
        while time.time() < stop:
            q = texts[i % len(texts)]
            i += 7
            t0 = time.perf_counter()
            try:
                status = http.get("/api/query", params={"q": q}).status_code
            except httpx.HTTPError:
                status = -1
            out.append((time.perf_counter() - t0, status))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--store", help="a store to copy (default: corpus/ ingested now)")
    parser.add_argument("--no-upload", action="store_true", help="questions only (the baseline)")
    parser.add_argument(
        "--upload", type=Path, default=DEFAULT_UPLOAD, help="the document uploaded under load"
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
            t0 = time.perf_counter()
            with args.upload.open("rb") as fh:
                r = httpx.post(
                    base + "/api/documents",
                    files={"files": (args.upload.name, fh)},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=args.duration + 600,
                )
            upload.update(status=r.status_code, seconds=time.perf_counter() - t0, body=r.json())

        results: list[tuple[float, int]] = []
        stop = time.time() + args.duration
        threads = [] if args.no_upload else [threading.Thread(target=send_upload)]
        threads += [
            threading.Thread(target=client, args=(base, texts, i, stop, results)) for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    latencies = sorted(s * 1000 for s, status in results if status == 200)
    errors = sum(status != 200 for _, status in results)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    body = upload.get("body")
    files = body if isinstance(body, list) else []
    print(f"bench_web: {args.clients} clients, {args.duration:.0f} s, {len(texts)} distinct questions")
    print(f"  /api/query: {len(results)} requests, {errors} errors, {len(results) / args.duration:.1f} req/s")
    print(f"  latency ms: p50 {p50:.0f}, p95 {p95:.0f}, max {latencies[-1] if latencies else float('nan'):.0f}"
          f" (target p95 <= {P95_TARGET_MS:.0f})")  # fmt: skip
    if not args.no_upload:
        print(
            f"  upload {args.upload.name}: HTTP {upload.get('status')}, "
            f"{[f.get('status') for f in files]}, {upload.get('seconds', float('nan')):.1f} s"
        )
    print(
        f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); cores {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
