"""The HTML pages: Fråga, Jämför, Dokument, Teman, Ladda upp, and the API's OpenAPI page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planmine.api import Planmine, document_record
from planmine.web import uploads
from planmine.web.api_routes import DocumentId, Top, document_detail, filters
from planmine.web.app import page, state_of
from planmine.web.i18n import lang_of
from planmine.web.security import CSRF_COOKIE, tokens_match
from planmine.web.views import CompareFilters, comparison, document_ids, quote_terms, reading_of, theme_groups

router = APIRouter(include_in_schema=False)
EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@router.get("/", response_class=HTMLResponse)
def ask_page(request: Request, q: Annotated[str, Query(max_length=500)] = "", top: Top = 5) -> HTMLResponse:
    state = state_of(request)
    lang = lang_of(request)

    def work(pm: Planmine) -> dict[str, Any]:
        docs = pm.store.documents()
        if not q.strip() or not docs:
            return {"answer": None, "empty": not docs}
        answer = state.reader.answer(pm, q.strip(), top)
        data = answer.to_dict()
        reading = reading_of(data, pm.taxonomy, lang)
        return {
            "answer": answer,
            "reading": reading,
            "facts": answer.documents,
            "ids": document_ids(pm),
            "terms": lambda why: quote_terms(why, reading),
            "empty": False,
        }

    context = state.reader.run(work)
    return page(request, "ask.html", "ask", {"q": q, **context})


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, chosen: Annotated[CompareFilters, Depends(filters)], top: Top = 5
) -> HTMLResponse:
    state = state_of(request)

    def work(pm: Planmine) -> dict[str, Any]:
        docs = pm.store.documents()
        if not docs:
            return {"table": None, "empty": True}
        return {
            "table": comparison(pm, chosen, top).comparison,
            "all_regions": pm.store.regions(),
            "all_themes": [(t.id, t.label_sv) for t in pm.taxonomy],
            "groups": theme_groups(pm.taxonomy),
            "ids": document_ids(pm),
            "empty": False,
        }

    context = state.reader.run(work)
    from urllib.parse import urlencode

    from planmine.genre import GENRES

    return page(
        request,
        "compare.html",
        "compare",
        {"chosen": chosen, "export_query": urlencode(chosen.query()), "genres": GENRES, **context},
    )


@router.get("/compare/export.{fmt}")
def compare_export(
    request: Request,
    fmt: Annotated[str, PathParam(pattern="^(xlsx|csv|json)$")],
    chosen: Annotated[CompareFilters, Depends(filters)],
    top: Top = 5,
) -> Response:
    """Exactly the table the page shows, as xlsx, csv or json."""
    state = state_of(request)

    def work(pm: Planmine) -> bytes:
        table = comparison(pm, chosen, top)
        if fmt == "xlsx":
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory() as tmp:
                path = table.to_excel(Path(tmp) / "compare.xlsx")
                return path.read_bytes()
        return (table.export(fmt) or "").encode("utf-8")

    data = state.reader.run(work)
    return Response(
        data,
        media_type=EXPORTS[fmt],
        headers={"Content-Disposition": f'attachment; filename="planmine-compare.{fmt}"'},
    )


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request) -> HTMLResponse:
    records = state_of(request).reader.run(lambda pm: [document_record(d) for d in pm.store.documents()])
    return page(request, "documents.html", "documents", {"documents": records})


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: DocumentId,
    page_number: Annotated[int | None, Query(alias="page", ge=1)] = None,
) -> HTMLResponse:
    detail = state_of(request).reader.run(lambda pm: document_detail(pm, document_id))
    by_page: dict[int, list[dict[str, Any]]] = {}
    for p in detail["passage_list"]:
        by_page.setdefault(p["page"], []).append(p)
    return page(
        request, "document.html", "documents", {"doc": detail, "by_page": by_page, "target": page_number}
    )


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, discovered: bool = False) -> HTMLResponse:
    state = state_of(request)

    def work(pm: Planmine) -> dict[str, Any]:
        found = None
        if discovered and pm.store.documents():
            key = ("discovered", state.reader.generation)
            found = state.cache.get(key)
            if found is None:
                from planmine.graph import discover_themes
                from planmine.report.build import load_cached_embedder

                found = [t.to_dict() for t in discover_themes(pm.store, load_cached_embedder(pm.store))]
                state.cache.clear()
                state.cache[key] = found
        return {"taxonomy": list(pm.taxonomy), "found": found}

    return page(request, "themes.html", "themes", state.reader.run(work))


@router.get("/upload", response_class=HTMLResponse)
def upload_page(
    request: Request, job: Annotated[str | None, Query(pattern=r"^[0-9a-f]{12}$")] = None
) -> HTMLResponse:
    state = state_of(request)
    found = state.writer.job(job) if job else None
    csrf = request.cookies.get(CSRF_COOKIE)
    if not state.csrf.valid(csrf):
        csrf = state.csrf.new()
    response = page(
        request, "upload.html", "upload", {"job": found.to_dict() if found else None, "csrf": csrf}
    )
    response.set_cookie(CSRF_COOKIE, csrf or "", httponly=True, samesite="strict")
    return response


@router.post("/upload")
async def upload_form(
    request: Request,
    files: Annotated[list[UploadFile], File()],
    token: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    region: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The upload form: the write token typed in, the CSRF token of the page, then the progress page."""
    state = state_of(request)
    state.csrf.check(request, csrf)
    if not state.config.writable:
        raise HTTPException(403, "Writing is disabled on this server: start it with PLANMINE_TOKEN set.")
    if not tokens_match(token.strip(), state.config.token or ""):
        raise HTTPException(401, "Wrong write token. Type the server's PLANMINE_TOKEN and send again.")
    job = await uploads.accept(state, files, region)
    return RedirectResponse(f"/upload?job={job.id}", status_code=303)


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI schema as a page (no CDN, no inline script); the schema itself is /openapi.json."""
    schema = request.app.openapi()
    return page(request, "apidocs.html", "api", {"schema": schema})
