"""Time and size of the decision outputs through the Python API: compare, every export, the report.

Run: python benchmarks/bench_outputs.py [--store outputs/planmine.db]
Without --store the seed corpus is ingested into a temporary store first (not timed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import planmine  # noqa: E402


def _timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-outputs-"))
    store = args.store or folder / "planmine.db"
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with planmine.open(store) as pm:
        if args.store is None:
            pm.ingest([ROOT / "corpus"])
        docs = pm.documents()
        print(f"store: {len(docs)} documents, {int(docs['passages'].sum())} passages")
        _timed("first compare (model load, index)", pm.compare)
        table = _timed("compare, all themes", pm.compare)
        print(f"  {len(table.rows)} themes × {len(table.regions)} regions")
        for fmt in ("csv", "json", "md", "xlsx"):
            path = folder / f"comparison.{fmt}"
            _timed(f"export {fmt}", table.export, fmt, path)
            print(f"  {path.name}: {path.stat().st_size / 1024:.0f} KiB")
        question = "Vilka regioner arbetar med fallprevention?"
        report = _timed(
            "report (question, discovered themes)", pm.report, folder / "report.html", questions=[question]
        )
        print(f"  report.html: {report.stat().st_size / 1024:.0f} KiB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
