"""The JSON API under /api/, with the CLI's JSON shapes (documented at /api/docs and /openapi.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from planmine.api import Planmine, document_record
from planmine.web import uploads
from planmine.web.app import state_of
from planmine.web.security import check_bearer
from planmine.web.views import CompareFilters, comparison

router = APIRouter(prefix="/api", tags=["api"])
UPLOAD_WAIT_S = 600
CACHE_HEADER = "X-Planmine-Cache"  # hit: a remembered answer of the same store state; miss: computed now

Question = Annotated[
    str, Query(min_length=1, max_length=500, description="A question or phrase, Swedish or English.")
]
Top = Annotated[int, Query(ge=1, le=50, description="Evidence passages per region.")]
DocumentId = Annotated[int, PathParam(ge=1, description="The document id (`planmine docs`).")]


def filters(
    theme: Annotated[
        list[str] | None, Query(description="Theme ids, labels or abbreviations (default: all).")
    ] = None,
    region: Annotated[list[str] | None, Query(description="Only these regions (exact names).")] = None,
    group: Annotated[
        str, Query(max_length=80, description="A theme group: the theme and those below it.")
    ] = "",
    types: Annotated[
        str, Query(max_length=200, description="Document types: policy, all, plan,agreement,...")
    ] = "",
    as_of: Annotated[
        str, Query(pattern=r"^((19|20)\d\d)?$", description="Only documents from this year (YYYY) or before.")
    ] = "",
) -> CompareFilters:
    year = int(as_of) if as_of else None  # empty: the form's blank field, no year filter
    return CompareFilters(tuple(theme or ()), group, tuple(region or ()), types, year)


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Is the server up; how many documents; may it write; is an ingest running."""
    state = state_of(request)
    documents = state.reader.run(lambda pm: len(pm.store.documents()))
    return {
        "status": "ok",
        "documents": documents,
        "writing": state.config.writable,
        "ingesting": state.writer.busy(),
        "max_upload_bytes": state.config.max_upload_bytes,
        "reader": state.reader.stats(),
    }


@router.get("/query")
async def query(request: Request, q: Question, top: Top = 5) -> JSONResponse:
    """One answer, shaped like one element of `planmine query --json`: every region with level and evidence."""
    reader = state_of(request).reader
    found = reader.cached(q, top)  # an answer of the current snapshot, served without its thread
    if found is not None:
        return JSONResponse(found.to_dict(), headers={CACHE_HEADER: "hit"})
    answer = await reader.ask(q, top)
    return JSONResponse(answer.to_dict(), headers={CACHE_HEADER: "miss"})  # plain JSON: no model pass


@router.get("/compare")
def compare(
    request: Request, chosen: Annotated[CompareFilters, Depends(filters)], top: Top = 5
) -> JSONResponse:
    """The region × theme table, shaped like `planmine compare --format json`."""
    import json

    table = state_of(request).reader.run(lambda pm: comparison(pm, chosen, top))
    return JSONResponse(json.loads(table.export("json") or "{}"))


@router.get("/documents")
def documents(request: Request) -> list[dict[str, Any]]:
    """The stored documents, like `planmine docs --json`."""
    return state_of(request).reader.run(lambda pm: [document_record(d) for d in pm.store.documents()])


@router.get("/documents/{document_id}")
def document(request: Request, document_id: DocumentId) -> dict[str, Any]:
    """One document: its record, its pages (number, printed label, OCR) and its passages with their tags."""
    return state_of(request).reader.run(lambda pm: document_detail(pm, document_id))


@router.get("/documents/{document_id}/original", response_class=FileResponse)
def original(request: Request, document_id: DocumentId) -> FileResponse:
    """The file the document was read from, as a download."""
    path, name = state_of(request).reader.run(lambda pm: original_file(pm, document_id))
    return FileResponse(path, filename=name, media_type="application/octet-stream")


@router.post("/documents")
async def upload(
    request: Request,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, HTML, TXT or MD files.")],
    authorization: Annotated[str | None, Header()] = None,
    region: Annotated[str, Form(max_length=100, description="Region of these files (else detected).")] = "",
    wait: Annotated[bool, Query(description="Answer when the ingest is done (else 202 and a job).")] = True,
) -> JSONResponse:
    """Ingest uploaded files (needs `Authorization: Bearer <token>`); the per-file summary of `ingest --json`."""
    state = state_of(request)
    check_bearer(state.config, authorization)
    job = await uploads.accept(state, files, region)
    if wait and await run_in_threadpool(job.done.wait, UPLOAD_WAIT_S):
        return JSONResponse(ingest_summary(job.to_dict()))
    return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


@router.get("/jobs/{job_id}")
def job_status(
    request: Request, job_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$")]
) -> dict[str, Any]:
    """Progress of an upload's ingest: each file's status and reason."""
    job = state_of(request).writer.job(job_id)
    if job is None:
        raise HTTPException(404, f"No ingest job '{job_id}' (jobs are kept until the server restarts).")
    return job.to_dict()


def ingest_summary(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The files of a finished job as `planmine ingest --json` prints them."""
    keys = (
        "path",
        "status",
        "document_id",
        "region",
        "title",
        "pages",
        "passages",
        "reason",
        "code",
        "warnings",
    )
    return [{"name": f["name"], **{k: f.get(k) for k in keys}} for f in job["files"]]


def document_detail(pm: Planmine, document_id: int) -> dict[str, Any]:
    doc = pm.store.document(document_id)
    tags: dict[int, list[dict[str, Any]]] = {}
    for t in pm.store.tags(document_id=doc.id):
        tags.setdefault(t.passage_id, []).append(
            {
                "kind": t.kind,
                "text": t.text,
                "label": t.label,
                "commitment": t.commitment,
                "actors": t.actors,
                "goal": t.goal,
            }
        )
    return {
        **document_record(doc),
        "page_list": [
            {
                "number": p.number,
                "label": p.label,
                "ocr": p.ocr,
                "ocr_confidence": p.ocr_confidence,
                "text": p.text,
            }
            for p in pm.store.pages(doc.id)
        ],
        "passage_list": [
            {
                "id": p.id,
                "page": p.page,
                "kind": p.kind,
                "section": list(p.section),
                "text": p.text,
                "tags": tags.get(p.id or 0, []),
            }
            for p in pm.store.passages(document_id=doc.id)
        ],
    }


def original_file(pm: Planmine, document_id: int) -> tuple[Path, str]:
    doc = pm.store.document(document_id)
    path = Path(doc.path)
    if not path.is_file():
        raise HTTPException(404, f"The original of '{doc.name}' is no longer at '{doc.path}'.")
    return path, doc.name
