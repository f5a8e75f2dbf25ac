"""`planmine serve`: the web app and HTTP API for analysts, over the Python API (`planmine.api`).

Built on fastapi, uvicorn and python-multipart (dependencies of planmine).
"""

from __future__ import annotations

from planmine.web.config import WebConfig, load_token

__all__ = ["WebConfig", "create_app", "load_token"]


def create_app(config: WebConfig):  # type: ignore[no-untyped-def]
    """The FastAPI app (imported here on first use, so that `import planmine.web` stays light)."""
    try:
        from planmine.web.app import create_app as build
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from planmine.errors import MissingExtraError

        raise MissingExtraError(
            "the web app (fastapi, uvicorn, python-multipart)", "Reinstall planmine: pip install -e ."
        ) from exc
    return build(config)
