"""The `planmine` command line: a thin Typer layer over the library.

Each stage registers its commands from its own module (``cli/ingest.py``, ``cli/clean.py``, ...) on the
shared ``app``; library errors become one-line messages and exit codes here.
"""

from __future__ import annotations

# Importing the command modules registers their commands on `app`.
from planmine.cli import clean as _clean  # noqa: F401
from planmine.cli import ingest as _ingest  # noqa: F401
from planmine.cli import model as _model  # noqa: F401
from planmine.cli import report as _report  # noqa: F401
from planmine.cli import serve as _serve  # noqa: F401
from planmine.cli import tags as _tags  # noqa: F401
from planmine.cli import themes as _themes  # noqa: F401
from planmine.cli._app import app, main

__all__ = ["app", "main"]
