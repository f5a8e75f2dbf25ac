"""The FastAPI application: the reader's snapshots, one writer, the pages and the JSON API over `planmine.api`.

Example:
    from planmine.web import WebConfig, create_app
    app = create_app(WebConfig(store=Path("outputs/planmine.db"), token=os.environ.get("PLANMINE_TOKEN")))
    uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from planmine.errors import ModelError, PlanmineError, StoreError, UsageError
from planmine.web.config import WebConfig
from planmine.web.i18n import lang_of, words
from planmine.web.security import BodyLimit, Csrf, SecurityHeaders
from planmine.web.views import LEVELS, mark
from planmine.web.workers import Reader, Writer

log = logging.getLogger("planmine.web")
PACKAGE = files("planmine.web")
# How long a thread computing an answer keeps the GIL before the event loop may take it (Python's default
# is 5 ms): remembered answers and page requests then wait ~1 ms, not 5, behind one being computed.
SWITCH_INTERVAL_S = 0.001


@dataclass
class WebState:
    """What every request shares: settings, the reader and the writer, the CSRF signer, templates."""

    config: WebConfig
    reader: Reader
    writer: Writer
    csrf: Csrf
    templates: Jinja2Templates
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        self.writer.close()
        self.reader.close()


def state_of(request: Request) -> WebState:
    return request.app.state.planmine  # type: ignore[no-any-return]


def create_app(config: WebConfig) -> FastAPI:
    """The planmine web app over `config.store` (reads open; writes need `config.token`)."""
    reader = Reader(config, busy=lambda: writer.busy())
    writer = Writer(config, on_stored=reader.refresh, catch_up=reader.catch_up)
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.filters["mark"] = mark
    templates.env.globals["LEVELS"] = LEVELS
    state = WebState(config, reader, writer, Csrf(), templates)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if config.warm:
            reader.warm()
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        try:
            yield
        finally:
            sys.setswitchinterval(switch)
            state.close()

    app = FastAPI(
        title="planmine",
        summary="Which Swedish regions address a theme of the Nära vård reform, with the quotes.",
        version=_version(),
        docs_url=None,  # Swagger UI loads from a CDN; /api/docs renders the OpenAPI schema here
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.planmine = state
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    _add_error_handlers(app)

    from planmine.web import api_routes, pages

    app.include_router(api_routes.router)
    app.include_router(pages.router)
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("planmine")
    except Exception:
        return "0"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The error as JSON for the API, as a page for a browser; never a stack trace."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    lang = lang_of(request)
    return state_of(request).templates.TemplateResponse(
        request,
        "error.html",
        {"w": words(lang), "lang": lang, "status": status, "message": message, "nav": ""},
        status_code=status,
        headers=headers,
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_params(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        if wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return error_response(request, 422, f"Bad parameters: {text}")

    @app.exception_handler(PlanmineError)
    async def planmine_error(request: Request, exc: PlanmineError) -> Response:
        status = 400
        if isinstance(exc, UsageError):
            status = 422
        elif isinstance(exc, StoreError) and str(exc).startswith("No document"):
            status = 404
        elif isinstance(exc, ModelError | StoreError):
            status = 503
        return error_response(request, status, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("error while answering %s %s", request.method, request.url.path)
        return error_response(request, 500, "Internal error; the server log has the details.")


def page(
    request: Request, template: str, nav: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A page in the request's language; `?lang=` is remembered in a cookie."""
    lang = lang_of(request)
    other = "en" if lang == "sv" else "sv"
    response = state_of(request).templates.TemplateResponse(
        request,
        template,
        {
            "w": words(lang),
            "lang": lang,
            "nav": nav,
            "switch_url": str(request.url.include_query_params(lang=other)),
            "writable": state_of(request).config.writable,
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie("planmine_lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response  # type: ignore[no-any-return]


def static_path(name: str) -> Path:
    return Path(str(PACKAGE / "static" / name))
