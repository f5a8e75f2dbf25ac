"""Uploaded files: checked (count, type sniffed, name made safe), saved beside the store, queued for ingest."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, UploadFile

from planmine.regions import canonical_region
from planmine.web.app import WebState
from planmine.web.security import check_upload, safe_filename
from planmine.web.workers import IngestJob


async def accept(state: WebState, files: list[UploadFile], region: str = "") -> IngestJob:
    """Check every file first (nothing is saved if one is refused), then save them and queue one job."""
    config = state.config
    chosen = canonical_region(region) if region.strip() else None  # an unknown name is a 422 here
    files = [f for f in files if f.filename]
    if not files:
        raise HTTPException(
            422, "No file in the upload. Choose one or more PDF, DOCX, HTML, TXT or MD files."
        )
    if len(files) > config.max_files:
        raise HTTPException(
            422, f"The upload has {len(files)} files; send at most {config.max_files} at a time."
        )
    checked: list[tuple[str, str, bytes]] = []
    for f in files:
        data = await f.read()
        name = safe_filename(f.filename or "")
        check_upload(f.filename or name, data)
        checked.append((f.filename or name, name, data))
    folder = config.uploads / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    used: set[str] = set()
    for shown, name, data in checked:
        while name.lower() in used:  # two files of one name in one upload
            name = f"_{name}"
        used.add(name.lower())
        path = folder / name
        path.write_bytes(data)
        saved.append((shown, path.resolve()))
    return state.writer.submit(saved, chosen)
