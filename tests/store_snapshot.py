"""What a store holds, in a comparable form: one digest per row of each table, passage vectors projected.

Used by `test_ingest_identical.py` (the seed corpus against a golden snapshot, so that a speed-up can
be shown to store the same thing) and runnable on two stores:
    python tests/store_snapshot.py A.db B.db     # prints the differences, exit 1 when there are any
Paths and times (where and when a file was ingested) and the store's own identity are left out.
Vectors are compared through their projections on fixed random directions, to a tolerance: the same
vector recomputed in another batch may differ in its last bits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np

# Columns that say where or when, not what (ids are kept: they follow the commit order).
SKIPPED = {"documents": {"path", "ingested_at"}}
TABLES = ("documents", "pages", "passages", "tags")
META_SKIPPED = {"uid", "generation"}
DIRECTIONS = 8
TOLERANCE = 1e-4


def _rows(conn: sqlite3.Connection, table: str) -> list[str]:
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    kept = [c for c in columns if c not in SKIPPED.get(table, set())]
    rows = conn.execute(f"SELECT {', '.join(kept)} FROM {table} ORDER BY rowid").fetchall()
    return [
        hashlib.sha1(json.dumps(dict(zip(kept, r, strict=True)), ensure_ascii=False).encode()).hexdigest()[
            :16
        ]
        for r in rows
    ]


def snapshot(path: Path) -> dict[str, Any]:
    """Row digests of documents, pages, passages and tags; meta; passage vectors' projections."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {table: _rows(conn, table) for table in TABLES}
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        out["meta"] = {k: v for k, v in sorted(meta.items()) if k not in META_SKIPPED}
        model = meta.get("embedding_model", "")
        hashes = sorted({h for (h,) in conn.execute("SELECT hash FROM passages")})
        found = dict(
            conn.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({','.join('?' * len(hashes))})",
                (model, *hashes),
            ).fetchall()
        )
    finally:
        conn.close()
    vectors = {h: np.frombuffer(found[h], dtype=np.float32).astype(np.float64) for h in hashes if h in found}
    dim = next((v.shape[0] for v in vectors.values()), 0)
    directions = np.random.default_rng(0).standard_normal((DIRECTIONS, dim))
    out["vectors"] = {h: [round(float(x), 6) for x in directions @ v] for h, v in vectors.items()}
    return out


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between two snapshots, in words (empty when they agree)."""
    found = []
    for table in TABLES:
        if a[table] != b[table]:
            differ = sum(x != y for x, y in zip(a[table], b[table], strict=False))
            found.append(
                f"{table}: {len(a[table])} vs {len(b[table])} rows, {differ} of the common ones differ"
            )
    if a["meta"] != b["meta"]:
        found.append(f"meta: {a['meta']} vs {b['meta']}")
    if set(a["vectors"]) != set(b["vectors"]):
        found.append(f"vectors: {len(a['vectors'])} vs {len(b['vectors'])} passages embedded")
    worst = max(
        (
            float(np.max(np.abs(np.subtract(a["vectors"][h], b["vectors"][h]))))
            for h in set(a["vectors"]) & set(b["vectors"])
        ),
        default=0.0,
    )
    if worst > TOLERANCE:
        found.append(f"vectors: projections differ by up to {worst:.2e} (tolerance {TOLERANCE})")
    return found


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[2].endswith(".db"):
        diff = differences(snapshot(Path(sys.argv[1])), snapshot(Path(sys.argv[2])))
        print("\n".join(diff) or "identical")
        sys.exit(1 if diff else 0)
    if len(sys.argv) == 3:  # write a snapshot: python tests/store_snapshot.py STORE.db OUT.json
        Path(sys.argv[2]).write_text(json.dumps(snapshot(Path(sys.argv[1])), indent=0, sort_keys=True) + "\n")
        sys.exit(0)
    sys.exit(__doc__)
