"""Fuzzing of the readers and cleaners (issue 16): any bytes under any supported name give a document or
an IngestError, never another exception; cleaning any text gives text and change offsets inside it.

`make fuzz` runs these with more examples ($PLANMINE_FUZZ_EXAMPLES, default 40 here, 400 there).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planmine.clean import clean_text
from planmine.errors import PlanmineError
from planmine.ingest import read_document

EXAMPLES = int(os.environ.get("PLANMINE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PREFIXES = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"---\ntitle: x\n---\n", b"\xef\xbb\xbf"]


@FUZZ
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=4096),
    suffix=st.sampled_from([".pdf", ".docx", ".html", ".txt", ".md", ".docm", ""]),
)
def test_any_bytes_are_read_or_refused_with_a_reason(
    tmp_path: Path, prefix: bytes, body: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + body)
    try:
        document = read_document(path, ocr=False)
    except PlanmineError as exc:
        assert str(path) in str(exc) or "not installed" in str(exc)
        return
    assert document.pages and all(page.number >= 1 for page in document.pages)


@FUZZ
@given(text=st.text(max_size=3000))
def test_cleaning_any_text_keeps_offsets_inside_it(text: str) -> None:
    cleaned, changes = clean_text(text)
    assert isinstance(cleaned, str)
    for change in changes:
        assert 0 <= change.start <= len(text) + 1


@pytest.mark.parametrize("char", ["[", "=", "\x00", "\u202e", "\ufeff"])
def test_hostile_characters_survive_cleaning(char: str) -> None:
    cleaned, _ = clean_text(f"Region Värmland {char * 50} ska arbeta med fallprevention.")
    assert "fallprevention" in cleaned
