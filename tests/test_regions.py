from __future__ import annotations

import re

import pytest

from conftest import REALDOCS, SEED_REGIONS, seed_file
from planmine.errors import UsageError
from planmine.meta_dates import detect_date
from planmine.meta_title import detect_title
from planmine.regions import all_regions, canonical_region, detect_region


def test_there_are_21_regions_with_unique_names():
    names = [r.name for r in all_regions()]
    assert len(names) == 21 == len(set(names))


@pytest.mark.parametrize(("prefix", "region"), sorted(SEED_REGIONS.items()))
def test_seed_plans_are_placed_by_their_text(prefix, region):
    guess = detect_region(seed_file(prefix).read_text(encoding="utf-8"))
    assert guess.region == region, guess.evidence


def test_demonyms_and_county_phrases_count():
    assert detect_region("Vi östgötar vill leva länge. Östgöten ska få stöd.").region == "Region Östergötland"
    text = "Alla värmlänningar ska ha en fast vårdkontakt. Värmlänningarna ska få stöd."
    assert detect_region(text).region == "Region Värmland"


def test_ambiguous_or_empty_text_has_no_region():
    assert detect_region("En plan för god och nära vård.").region is None
    guess = detect_region("Region Skåne och Region Kalmar län samarbetar.")
    assert guess.region is None and "ambiguous" in guess.evidence


def test_ocr_damaged_names_are_folded():
    assert (
        detect_region("samverkan mellan lanets kommuner och Region Orebro lan").region == "Region Örebro län"
    )


def test_national_texts_are_national():
    text = "Regeringen har i dag beslutat. Sjukvårdsministern säger att regeringen vill stärka vården."
    assert detect_region(text).region == "national"


def test_municipal_source_url_places_a_routine():
    guess = detect_region("Rutin för fallrond.", source_url="https://botwebb.botkyrka.se/download/x.pdf")
    assert guess.region == "Region Stockholm"


@pytest.mark.skipif(not REALDOCS.exists(), reason="shared/realdocs not present")
def test_botkyrka_documents_are_region_stockholm():
    for path in sorted((REALDOCS / "botkyrka").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        url = re.search(r'source_url: "([^"]+)"', text)
        guess = detect_region(text, source_url=url.group(1) if url else "")
        assert guess.region == "Region Stockholm", (path.name, guess.evidence)


def test_canonical_region_accepts_user_spellings():
    assert canonical_region("kalmar län") == "Region Kalmar län"
    assert canonical_region("Region Skane") == "Region Skåne"
    assert canonical_region("Östergötland") == "Region Östergötland"
    assert canonical_region("national") == "national"


def test_unknown_region_suggests_the_closest():
    with pytest.raises(UsageError, match="Did you mean 'Region Värmland'"):
        canonical_region("Region Varmlnd")


def test_a_decision_line_dates_a_document():
    assert detect_date("Beslutad 2021-09-24 av styrgruppen", {}).value == "2021-09-24"
    assert detect_title("x", {"title": "Fallrutin", "format": "md"}).value == "Fallrutin"
