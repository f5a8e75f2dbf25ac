"""Shared pieces of the web tests: a writable copy of the seed store, a hostile document, a live server."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TOKEN = "test-token-0123456789abcdef"
QUESTION = "Vilka regioner arbetar med fallprevention?"
KALMAR = "Region Kalmar län"
# A real-looking plan paragraph with markup that must never run in a browser.
HOSTILE_TEXT = (
    "Handlingsplan för fallprevention <script>window.pwned = 1; alert('xss')</script>\n\n"
    'Kommunerna ska erbjuda balansträning. <img src=x onerror="window.pwned = 2; alert(2)"> '
    "Målet är att minska antalet fallolyckor bland äldre med 20 procent till 2026.\n"
)


def copy_store(source: sqlite3.Connection, path: Path) -> Path:
    """A file copy of an open store (SQLite's backup API), so that tests may write to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """uvicorn serving `app` on 127.0.0.1 at a free port in a thread; stopped on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
