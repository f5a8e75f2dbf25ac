"""The web app through FastAPI's TestClient: every endpoint, the write guards, escaping, the headers."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from conftest import CORPUS
from planmine.web import WebConfig, create_app
from web_fixtures import HOSTILE_TEXT, KALMAR, QUESTION, TOKEN, copy_store

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def web_store(seed_store, tmp_path_factory) -> Path:
    return copy_store(seed_store.conn, tmp_path_factory.mktemp("web") / "planmine.db")


@pytest.fixture(scope="module")
def client(web_store: Path) -> Iterator[TestClient]:
    config = WebConfig(store=web_store, token=TOKEN, upload_dir=web_store.parent / "uploads")
    with TestClient(create_app(config)) as c:
        yield c


@pytest.fixture()
def read_only(web_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(store=web_store, token=None))) as c:
        yield c


def test_health(client: TestClient):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["documents"] >= 5 and r.json()["writing"] is True


def test_query_answers_like_one_element_of_query_json(client: TestClient):
    r = client.get("/api/query", params={"q": QUESTION, "top": 3})
    assert r.status_code == 200
    data = r.json()
    assert data["query"] == QUESTION
    kalmar = next(x for x in data["regions"] if x["region"] == KALMAR)
    assert kalmar["level"] == "addressed" and kalmar["addressed"] is True
    assert 1 <= len(kalmar["evidence"]) <= 3
    assert {"document", "page", "section", "kind", "text", "score"} <= set(kalmar["evidence"][0])
    assert any("fall" in e["text"].lower() for e in kalmar["evidence"])


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": "x" * 501}, {"q": "sip", "top": 0}, {"q": "sip", "top": "many"}]
)
def test_query_bad_parameters_are_422(client: TestClient, params):
    r = client.get("/api/query", params=params)
    assert r.status_code == 422
    assert "Traceback" not in r.text


def test_compare_json_and_its_filters(client: TestClient):
    r = client.get("/api/compare", params={"theme": ["fallprevention", "sip"], "region": KALMAR})
    assert r.status_code == 200
    data = r.json()
    assert data["regions"] == [KALMAR]
    assert [row["theme"] for row in data["rows"]] == ["fallprevention", "sip"]
    assert data["rows"][0]["cells"][KALMAR]["level"] == "addressed"
    group = client.get("/api/compare", params={"group": "aldre"}).json()
    assert {"aldre", "fallprevention", "demens", "palliativ_vard"} <= {row["theme"] for row in group["rows"]}
    assert "sip" not in {row["theme"] for row in group["rows"]}
    dated = {
        d["name"] for d in client.get("/api/documents").json() if re.search(r"20\d\d", d["date"] + d["year"])
    }
    assert dated
    before = client.get("/api/compare", params={"theme": "fallprevention", "as_of": 1990}).json()
    quoted = {e["document"] for c in before["rows"][0]["cells"].values() for e in c["evidence"]}
    assert not quoted & dated


@pytest.mark.parametrize(
    "params",
    [{"theme": "no-such-theme"}, {"region": "Region Atlantis"}, {"as_of": "soon"}, {"types": "poems"},
     {"group": "nothing"}],
)  # fmt: skip
def test_compare_bad_parameters_are_422(client: TestClient, params):
    r = client.get("/api/compare", params=params)
    assert r.status_code == 422, r.text
    assert "detail" in r.json()


def test_documents_and_one_document(client: TestClient):
    docs = client.get("/api/documents").json()
    kalmar = next(d for d in docs if d["region"] == KALMAR)
    assert {"id", "name", "title", "date", "type", "pages", "ocr_share", "warnings"} <= set(kalmar)
    one = client.get(f"/api/documents/{kalmar['id']}").json()
    assert one["name"] == kalmar["name"] and len(one["page_list"]) == kalmar["pages"]
    assert one["passage_list"] and any(p["tags"] for p in one["passage_list"])
    assert client.get("/api/documents/99999").status_code == 404
    assert client.get("/api/documents/abc").status_code == 422
    assert client.get("/documents/99999").status_code == 404


def test_the_original_file_downloads(client: TestClient):
    doc = next(d for d in client.get("/api/documents").json() if d["region"] == KALMAR)
    r = client.get(f"/api/documents/{doc['id']}/original")
    assert r.status_code == 200
    assert r.content == (CORPUS / doc["name"]).read_bytes()
    assert "attachment" in r.headers["content-disposition"]


def test_writes_need_the_token(client: TestClient, read_only: TestClient):
    files = {"files": ("plan.txt", HOSTILE_TEXT.encode(), "text/plain")}
    assert client.post("/api/documents", files=files).status_code == 401
    wrong = client.post("/api/documents", files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    off = read_only.post("/api/documents", files=files, headers=AUTH)
    assert off.status_code == 403 and "PLANMINE_TOKEN" in off.json()["detail"]


def test_an_oversized_upload_is_413(web_store: Path):
    config = WebConfig(store=web_store, token=TOKEN, max_upload_bytes=2000)
    with TestClient(create_app(config)) as small:
        big = {"files": ("big.txt", b"fallprevention " * 400, "text/plain")}
        r = small.post("/api/documents", files=big, headers=AUTH)
        assert r.status_code == 413 and "limit" in r.json()["detail"]


@pytest.mark.parametrize(
    ("name", "data"),
    [("plan.pdf", b"just text, not a PDF"), ("tool.exe", b"MZ\x90\x00"), ("plan.txt", b"\x00\x01\x02" * 100),
     ("plan.docx", b"%PDF-1.4 a pdf in disguise")],
)  # fmt: skip
def test_the_type_is_sniffed_not_trusted(client: TestClient, name: str, data: bytes):
    r = client.post("/api/documents", files={"files": (name, data, "text/plain")}, headers=AUTH)
    assert r.status_code == 415 and name in r.json()["detail"]


def test_an_upload_is_ingested_listed_and_rendered_inert(client: TestClient):
    files = {"files": ("fall <b>plan<b>.txt", HOSTILE_TEXT.encode(), "text/plain")}
    r = client.post("/api/documents", files=files, headers=AUTH, data={"region": "kalmar"})
    assert r.status_code == 200, r.text
    [summary] = r.json()
    assert summary["status"] in ("ok", "partial") and summary["document_id"], summary
    doc_id = summary["document_id"]
    assert doc_id in {d["id"] for d in client.get("/api/documents").json()}
    html = client.get(f"/documents/{doc_id}").text
    assert "&lt;script&gt;" in html and "<script>window.pwned" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    listing = client.get("/documents").text
    assert "fall _b_plan_b.txt" in listing
    assert summary["region"] == KALMAR
    again = client.post("/api/documents", files=files, headers=AUTH).json()
    assert again[0]["status"] == "duplicate"


def test_a_question_during_an_upload_answers_from_the_committed_state(client: TestClient):
    text = HOSTILE_TEXT.replace("20 procent", "30 procent").encode()
    r = client.post(
        "/api/documents", files={"files": ("during.txt", text)}, headers=AUTH, params={"wait": False}
    )
    assert r.status_code == 202
    job = r.json()["id"]
    answer = client.get("/api/query", params={"q": QUESTION})
    assert answer.status_code == 200 and any(x["region"] == KALMAR for x in answer.json()["regions"])
    for _ in range(600):
        status = client.get(f"/api/jobs/{job}").json()
        if status["state"] == "done":
            break
        import time

        time.sleep(0.1)
    assert status["state"] == "done" and status["files"][0]["status"] in ("ok", "partial")
    assert client.get("/api/jobs/000000000000").status_code == 404


def test_pages_render_in_swedish_and_english(client: TestClient):
    for url in ("/", "/compare", "/documents", "/themes", "/upload", "/api/docs"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert 'lang="sv"' in r.text
    ask = client.get("/", params={"q": QUESTION})
    assert KALMAR in ask.text and "<mark>" in ask.text and "läst som temat" in ask.text
    en = client.get("/", params={"q": QUESTION, "lang": "en"})
    assert 'lang="en"' in en.text and "read as the theme" in en.text
    assert en.cookies.get("planmine_lang") == "en" or "planmine_lang=en" in en.headers.get("set-cookie", "")
    client.cookies.clear()


def test_every_response_carries_the_csp_without_inline_script(client: TestClient):
    for url in ("/", "/api/health", "/static/app.js", "/nowhere"):
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in client.get("/").text  # only <script src=...>


def test_the_html_upload_form_needs_its_csrf_token(client: TestClient):
    files = {"files": ("form.txt", b"Regionen ska arbeta med fallprevention och SIP.\n")}
    assert client.post("/upload", files=files, data={"token": TOKEN}).status_code == 403
    page = client.get("/upload")
    csrf = page.cookies.get("planmine_csrf") or client.cookies.get("planmine_csrf")
    assert csrf and f'value="{csrf}"' in page.text
    wrong = client.post("/upload", files=files, data={"token": "wrong", "csrf": csrf})
    assert wrong.status_code == 401
    ok = client.post("/upload", files=files, data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/upload?job=")
    assert 'id="job"' in client.get(ok.headers["location"]).text


def test_the_comparison_downloads_exactly_what_is_shown(client: TestClient):
    import openpyxl

    params = {"theme": ["fallprevention", "sip"], "region": KALMAR}
    page = client.get("/compare", params=params).text
    assert "export.xlsx?theme=fallprevention&amp;theme=sip&amp;region=Region+Kalmar+l%C3%A4n" in page
    xlsx = client.get("/compare/export.xlsx", params=params)
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    shown = [
        book[name] for name in ("table", "cells", "evidence") if name in book.sheetnames
    ] or book.worksheets
    cells = {str(c.value) for sheet in shown for row in sheet.iter_rows() for c in row}
    assert KALMAR in cells and "Region Skåne" not in cells
    import csv

    rows = list(csv.DictReader(io.StringIO(client.get("/compare/export.csv", params=params).text)))
    assert {r["region"] for r in rows} == {KALMAR} and {r["theme"] for r in rows} == {"fallprevention", "sip"}
    data = json.loads(client.get("/compare/export.json", params=params).text)
    assert data["regions"] == [KALMAR]
    assert client.get("/compare/export.exe").status_code in (404, 422)


def test_an_internal_error_shows_no_stack_trace(web_store: Path):
    app = create_app(WebConfig(store=web_store))

    def broken(work):
        raise RuntimeError("secret internals /etc/passwd")

    app.state.planmine.reader.run = broken
    with TestClient(app, raise_server_exceptions=False) as c:
        for url in ("/api/documents", "/documents"):
            r = c.get(url)
            assert r.status_code == 500
            assert "secret" not in r.text and "Traceback" not in r.text and "Internal error" in r.text


def test_the_reader_sees_what_another_process_committed(seed_store, tmp_path: Path):
    from planmine.store import Store

    path = copy_store(seed_store.conn, tmp_path / "planmine.db")
    with TestClient(create_app(WebConfig(store=path))) as c:
        before = c.get("/api/documents").json()
        with Store(path) as other:  # as `planmine ingest` in another terminal would
            other.delete_document(before[0]["id"])
        after = c.get("/api/documents").json()
        assert [d["id"] for d in after] == [d["id"] for d in before[1:]]


def test_answers_are_remembered_per_store_state(seed_store, tmp_path: Path):
    from planmine.store import Store

    path = copy_store(seed_store.conn, tmp_path / "planmine.db")
    with TestClient(create_app(WebConfig(store=path, model=False))) as c:
        first = c.get("/api/query", params={"q": QUESTION})
        again = c.get("/api/query", params={"q": QUESTION})
        assert first.headers["x-planmine-cache"] == "miss" and again.headers["x-planmine-cache"] == "hit"
        assert again.json() == first.json() and KALMAR in {r["region"] for r in first.json()["regions"]}
        other_top = c.get("/api/query", params={"q": QUESTION, "top": 2})
        assert other_top.headers["x-planmine-cache"] == "miss"
        kalmar = [d["id"] for d in c.get("/api/documents").json() if d["region"] == KALMAR]
        with Store(path) as other:  # the store changes: what was remembered no longer holds
            for doc_id in kalmar:
                other.delete_document(doc_id)
        after = c.get("/api/query", params={"q": QUESTION})
        assert after.headers["x-planmine-cache"] == "miss"
        assert KALMAR not in {r["region"] for r in after.json()["regions"]}
        stats = c.get("/api/health").json()["reader"]
        assert stats["cache_hits"] == 1 and stats["snapshots_opened"] == 2


def test_during_an_upload_reads_keep_one_committed_state(seed_store, tmp_path: Path):
    from planmine.store import Store
    from planmine.web.workers import Probe, Reader

    path = copy_store(seed_store.conn, tmp_path / "planmine.db")
    busy = [False]
    reader = Reader(WebConfig(store=path, model=False), busy=lambda: busy[0])
    ids = lambda pm: [d.id for d in pm.store.documents()]  # noqa: E731
    try:
        before = reader.run(ids)
        busy[0] = True  # as while the writer ingests
        with Store(path) as other:
            other.delete_document(before[0])
            assert Probe(path).generation() == other.generation() != reader.generation
        # the snapshot's read transaction still shows the state it pinned, not a half-changed store
        assert reader.run(ids) == before
        reader.catch_up()  # what the writer does before it says a job is done
        assert reader.run(ids) == before[1:] and reader.generation == Probe(path).generation()
    finally:
        reader.close()


def test_new_questions_asked_together_are_answered_each_as_alone(seed_store, tmp_path: Path):
    import asyncio

    from planmine.web.workers import Reader

    path = copy_store(seed_store.conn, tmp_path / "planmine.db")
    reader = Reader(WebConfig(store=path, model=False))
    questions = [QUESTION, "SIP", "mobila team", "Which regions work on falls?", QUESTION]

    async def together() -> list[Any]:
        return await asyncio.gather(*(reader.ask(q, 5) for q in questions))

    try:
        got = asyncio.run(together())  # one batch (and the repeated question answered once)
        alone = reader.run(lambda pm: [pm.ask(q).to_dict() for q in questions])
        assert [a.to_dict() for a in got] == alone
        assert got[0] is got[4] and [a.query for a in got] == questions
    finally:
        reader.close()
