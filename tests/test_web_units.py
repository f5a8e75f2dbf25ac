"""The web layer's small pure parts: marking, file names, type sniffing, tokens, CSRF, theme groups."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi import HTTPException

from planmine.errors import UsageError
from planmine.themes.taxonomy import load_taxonomy
from planmine.web.config import load_token
from planmine.web.security import Csrf, check_upload, safe_filename
from planmine.web.views import Reading, group_members, mark, quote_terms, reading_of


def test_mark_escapes_everything_and_marks_the_terms():
    out = str(mark('Fallprevention <script>x()</script> & "fall"', ["fallprevention", "fall"]))
    assert out.startswith("<mark>Fallprevention</mark> &lt;script&gt;")
    assert "<mark>fall</mark>" in out and "&amp;" in out and "<script>" not in out
    assert str(mark("<b>", [])) == "&lt;b&gt;"


def test_quote_terms_take_the_explanation_then_the_reading():
    assert quote_terms("term 'fallprevention'", Reading(None, "", ["balans"])) == ["fallprevention", "balans"]


def test_the_reading_comes_from_the_answer_or_its_reasons():
    taxonomy = load_taxonomy(None)
    given = {"query": "q", "reading": {"theme": "sip", "terms": ["SIP"]}, "regions": []}
    assert reading_of(given, taxonomy, "sv").theme == "sip"
    old = {"query": "q", "regions": [{"reason": "read as theme 'fallprevention' (term 'fall'); 2 passages"}]}
    assert reading_of(old, taxonomy, "en").label == "Fall prevention" or reading_of(old, taxonomy, "en").theme
    free = reading_of(
        {"query": "drönare till glesbygden", "regions": [{"reason": "free-text search"}]}, taxonomy, "sv"
    )
    assert free.theme is None and free.terms == ["drönare", "till", "glesbygden"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../../etc/passwd.txt", "passwd.txt"), ("C:\\x\\Plan 2024.PDF", "Plan 2024.pdf"), ("<img>.md", "img.md"),
     ("....txt", "upload.txt")],
)  # fmt: skip
def test_safe_filename(given: str, expected: str):
    assert safe_filename(given) == expected


def test_check_upload_trusts_bytes_not_names():
    check_upload("plan.txt", "Nära vård i Kalmar län".encode())
    check_upload("plan.pdf", b"%PDF-1.7\n...")
    for name, data, status in [
        ("plan.pdf", b"text", 415), ("plan.exe", b"MZ", 415), ("plan.txt", b"", 422), ("x.txt", b"\x00\xff" * 50, 415)
    ]:  # fmt: skip
        with pytest.raises(HTTPException) as caught:
            check_upload(name, data)
        assert caught.value.status_code == status and name in str(caught.value.detail)


def test_tokens_come_from_a_file_or_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("PLANMINE_TOKEN", raising=False)
    assert load_token() is None
    monkeypatch.setenv("PLANMINE_TOKEN", "a" * 20)
    assert load_token() == "a" * 20
    (tmp_path / "t").write_text("b" * 24 + "\n", encoding="utf-8")
    assert load_token(tmp_path / "t") == "b" * 24
    monkeypatch.setenv("PLANMINE_TOKEN", "short")
    with pytest.raises(UsageError, match="at least 16"):
        load_token()
    with pytest.raises(UsageError, match="Cannot read a token"):
        load_token(tmp_path / "missing")


def test_csrf_tokens_are_signed():
    csrf = Csrf()
    token = csrf.new()
    assert csrf.valid(token)
    assert not csrf.valid(token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not csrf.valid("") and not Csrf().valid(token)


def test_a_theme_group_holds_the_themes_below_it():
    taxonomy = load_taxonomy(None)
    older = group_members(taxonomy, "aldre")
    assert older[0] != "" and {"aldre", "fallprevention", "demens", "palliativ_vard"} <= set(older)
    assert "sip" not in older
    with pytest.raises(UsageError, match="Unknown theme group"):
        group_members(taxonomy, "nope")


def test_the_ingest_process_sends_every_result_field_a_file_status_shows():
    from dataclasses import fields

    from planmine.pipeline import IngestResult
    from planmine.web.ingest_process import result_fields
    from planmine.web.workers import FileStatus

    result = IngestResult("a.txt", "ok", 3, "Region Halland", "Plan", 2, 5, "", "", ["w"])
    sent = result_fields(result)
    assert set(sent) == {f.name for f in fields(IngestResult)}  # nothing of the CLI's result is lost
    assert set(sent) - {"path"} <= {f.name for f in fields(FileStatus)}
    assert sent["warnings"] == ["w"] and sent["document_id"] == 3
