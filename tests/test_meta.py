"""Document metadata: titles, dates, periods, owners, page labels, image-only DOCX and plan versions."""

from __future__ import annotations

import io

import pytest

from conftest import seed_file
from planmine.clean import clean_document
from planmine.ingest import read_document
from planmine.ingest._text import consistent_labels, page_label
from planmine.ingest.text import read_text
from planmine.meta import detect_metadata
from planmine.meta_dates import detect_date, detect_period
from planmine.owners import all_municipalities, canonical_municipality, detect_owner
from planmine.regions import all_regions
from planmine.store import StoredDocument
from planmine.types import DocumentMeta
from planmine.versions import link_versions, select_documents

SEED = {
    "kalmar": (
        "Handlingsplaner – Samordnande och samverkansområdesgrupper inom Länsgemensam ledning i samverkan",
        "2023-03-17",
        "2023–2024",
    ),
    "orebro": ("Handlingsplan för sammanhållen vård och omsorg", "", "2019–2022"),
    "ostergotland": ("Målbild Nära vård Östergötland", "", "2030"),
    "skane": (
        "Målbild och handlingsplan avseende god och nära vård inom ramen för Vårdsamverkan Skåne",
        "2021-09-24",
        "",
    ),
    "varmland": ("Färdplan för god och nära vård, hälsa och omsorg", "", ""),
}


@pytest.mark.parametrize("prefix", sorted(SEED))
def test_seed_plans_get_their_title_date_and_period(prefix):
    meta = detect_metadata(clean_document(read_document(seed_file(prefix))))
    title, date, period = SEED[prefix]
    assert (meta.title, meta.date, meta.period) == (title, date, period), meta
    assert meta.year == (period or date[:4])
    assert meta.owner_kind == "joint"


def test_years_of_cited_laws_and_older_agreements_are_not_the_documents():
    text = (
        "Riktlinje för SIP\n\nBestämmelserna om SIP finns i lagen sedan lagändringar som trädde i kraft år 2010.\n\n"
        "Avtalet om ansvarsfördelning räcker sig över perioden 2016–2020."
    )
    assert detect_period(text).value == ""
    assert detect_date(text, {}).value == ""
    assert detect_date("Dokumentet beslutades den: 2025-03-14", {}).value == "2025-03-14"


def test_a_text_with_page_markers_gets_pages_and_labels():
    body = "Överenskommelse om vård\n\n{}\nText på sidan {}. " + "Mer text om samverkan. " * 10
    text = "Omslag\n\n" + "\n".join(body.format(f"{n} (3)", n) for n in (2, 3))
    pages, metadata, _ = read_text(text.encode())
    assert [p.label for p in pages] == ["", "2 (3)", "3 (3)"]
    assert [p.number for p in pages] == [1, 2, 3]
    assert metadata["paged"] == "yes"
    assert "Text på sidan 3" in pages[2].text


def test_sida_n_av_m_footers_and_unpaged_text():
    text = "Rutin\n\nFörsta sidans text.\nSida 1 av 2\nAndra sidans text.\nSida 2 av 2\n"
    pages, _, _ = read_text(text.encode())
    assert [p.label for p in pages] == ["Sida 1 av 2", "Sida 2 av 2"]
    pages, metadata, _ = read_text(b"En text utan sidor.")
    assert len(pages) == 1 and metadata["paged"] == "no"


def test_leading_space_page_starts_split_the_orebro_ocr_text():
    pages, metadata, _ = read_text(seed_file("orebro").read_bytes())
    assert metadata["pages_from"] == "leading spaces" and len(pages) == 11
    assert pages[0].text.lstrip().startswith("Sammanfattning")


def test_pdf_printed_labels_differ_from_physical_pages(tmp_path):
    from reportlab.pdfgen import canvas

    from ingest_fixtures import FONT, register_font

    register_font()
    path = tmp_path / "labels.pdf"
    c = canvas.Canvas(str(path))
    for physical in (1, 2, 3):
        c.setFont(FONT, 12)
        c.drawString(72, 700, f"Handlingsplan för nära vård, fysisk sida {physical} med text om samverkan.")
        if physical > 1:
            c.drawString(300, 40, f"{physical + 16} (51)")
        c.showPage()
    c.save()
    doc = read_document(path, ocr=False)
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert [p.label for p in doc.pages] == ["", "18 (51)", "19 (51)"]
    assert clean_document(doc).pages[1].label == "18 (51)"


def test_stray_numbers_are_no_labels():
    found = [page_label(t) for t in ("Rubrik\ntext\n7", "text\nmer", "text\n3")]
    assert consistent_labels(found) == ["", "", ""]


def test_there_are_290_municipalities_in_the_21_regions():
    municipalities = all_municipalities()
    assert len(municipalities) == 290 == len({m.name for m in municipalities})
    assert {m.region for m in municipalities} == {r.name for r in all_regions()}
    assert canonical_municipality("tierps kommun") == "Tierp"
    assert canonical_municipality("Gallivare") == "Gällivare"


@pytest.mark.parametrize(
    ("text", "municipality", "region"),
    [
        ("Avropande myndighet: Tierps kommun. Värdkommun är Tierp.", "Tierp", "Region Uppsala"),
        ("Frågor till kommunen: info@enkoping.se, www.enkoping.se", "Enköping", "Region Uppsala"),
        ("Hyresgäster hos GotlandsHem får stöd i hemmet.", "Gotland", "Region Gotland"),
        ("Gällivare kommun, socialförvaltningen. E-post: soc@gallivare.se", "Gällivare", "Region Norrbotten"),
        ("TIERPS KOMMUN\nSocialförvaltningen\nRiktlinje för hemsjukvård", "Tierp", "Region Uppsala"),
        (
            "Riktlinje för hemsjukvård\n\nText.\n\nEnköping 2023-05-12\nAnna Andersson",
            "Enköping",
            "Region Uppsala",
        ),
        ("Rutin för fallprevention\n\nGällivare den 3 maj 2023", "Gällivare", "Region Norrbotten"),
        ("Beslutad av Kommunstyrelsen i Enköping", "Enköping", "Region Uppsala"),
        ("Riktlinje. Falu kommun, omsorgsförvaltningen.", "Falun", "Region Dalarna"),  # not 'Faluns'
        ("Hyresgäster hos Enköpingshem får stöd.", "Enköping", "Region Uppsala"),
    ],
)
def test_a_municipality_or_its_company_names_the_owner(text, municipality, region):
    owner = detect_owner(text)
    assert (owner.kind, owner.municipality, owner.region) == ("municipality", municipality, region)


@pytest.mark.parametrize(
    "text",
    [
        "Rekommendationer.\nLäkemedelsverket, Box 26, 751 03 Uppsala",  # a cited agency's address
        "Ansvaret kan vara kommun eller region.",  # 'Vara' is a word here
        "Mötet hölls i Stockholm den 3 maj 2023 med alla regioner.",  # no signature line
    ],
)
def test_a_place_that_is_no_owner_leaves_the_owner_unknown(text):
    owner = detect_owner(text)
    assert owner.kind == "unknown" and owner.municipality == "" and owner.region == ""


def test_a_list_of_public_bodies_has_no_owner():
    names = ["Tierps", "Enköpings", "Malmö", "Ljungby", "Borlänge", "Kalix", "Umeå", "Vara", "Hjo"]
    owner = detect_owner("\n".join(f"{n} kommun, avropsberättigad" for n in names))
    assert owner.kind == "unknown" and owner.region == ""


def test_an_image_only_docx_is_read_by_ocr(tmp_path):
    pytest.importorskip("docx")
    import docx
    from docx.shared import Inches

    from ingest_fixtures import SCANNED_TEXT, text_image

    image = text_image(SCANNED_TEXT, 2400, 900)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(300, 300))
    buffer.seek(0)
    document = docx.Document()
    document.add_picture(buffer, width=Inches(7))
    path = tmp_path / "scan.docx"
    document.save(str(path))
    doc = read_document(path)
    assert doc.pages[0].ocr and "samverka" in doc.text


def _doc(id_: int, title: str, period: str) -> StoredDocument:
    meta = DocumentMeta(
        region="Region Örebro län", title=title, period=period, doc_type="handlingsplan", owner_kind="joint"
    )
    return StoredDocument(id_, f"/d/{id_}", f"{id_}.pdf", "", "pdf", meta, "ok", [], {}, "")


def test_successive_plans_of_a_series_are_versions():
    old = _doc(1, "Handlingsplan för sammanhållen vård och omsorg 2019–2022", "2019–2022")
    new = _doc(2, "Handlingsplan för sammanhållen vård och omsorg 2023–2026", "2023–2026")
    other = _doc(3, "Handlingsplan för social välfärd 2023–2026", "2023–2026")
    assert link_versions([new, old, other]) == {1: None, 2: 1, 3: None}
    for doc, predecessor in ((new, 1),):
        doc.meta.version_of = predecessor
    assert [d.id for d in select_documents([old, new, other])] == [2, 3]
    assert [d.id for d in select_documents([old, new, other], as_of=2020)] == [1]


_SIP = (
    "Vi ska upprätta en samordnad individuell plan (SIP) för varje person som behöver insatser från både "
    "kommunen och regionen. Regionen och kommunerna ska gemensamt följa upp att SIP erbjuds."
)


@pytest.fixture(scope="module")
def versions_store(tmp_path_factory):
    """Two versions of one Örebro plan (TXT) and a Kalmar PDF whose printed labels differ from its pages."""
    from reportlab.pdfgen import canvas

    from ingest_fixtures import FONT, register_font
    from planmine.pipeline import ingest_paths
    from planmine.store import Store

    folder = tmp_path_factory.mktemp("versions")
    for years in ("2019–2022", "2023–2026"):
        (folder / f"orebro-{years[:4]}.txt").write_text(
            f"Handlingsplan för sammanhållen vård och omsorg {years}\n\n{_SIP}\n", encoding="utf-8"
        )
    register_font()
    c = canvas.Canvas(str(folder / "kalmar-plan.pdf"))
    for physical in (1, 2):
        c.setFont(FONT, 11)
        c.drawString(
            72, 700, "Handlingsplan för nära vård i Kalmar län 2023–2024" if physical == 1 else _SIP[:90]
        )
        c.drawString(72, 680, "Region Kalmar län" if physical == 1 else _SIP[90:])
        c.drawString(300, 40, f"{physical + 16} (51)")
        c.showPage()
    c.save()
    (folder / "planmine.yaml").write_text(
        "orebro-2019.txt: {region: Region Örebro län, genre: plan, owner: region}\n"
        "orebro-2023.txt: {region: Region Örebro län, genre: plan, owner: region}\n"
        "kalmar-plan.pdf: {region: Region Kalmar län, genre: plan}\n",
        encoding="utf-8",
    )
    path = folder / "store.db"
    with Store(path) as store:
        results = ingest_paths([folder], store, embed=False, ocr=False)
        assert not [r for r in results if r.failed]
    return path


def test_compare_counts_the_newest_version_unless_as_of_says_otherwise(versions_store):
    from planmine.compare import compare
    from planmine.store import Store

    with Store(versions_store) as store:
        newest = compare(store, None, ["sip"])
        then = compare(store, None, ["sip"], as_of=2020)
    orebro = "Region Örebro län"
    assert any(e.startswith("orebro-2019.txt (superseded by orebro-2023.txt") for e in newest.excluded)
    assert {e.document for e in newest.rows[0].cells[orebro].evidence} == {"orebro-2023.txt"}
    assert "orebro-2023.txt (from 2023, after 2020)" in then.excluded
    assert {e.document for e in then.rows[0].cells[orebro].evidence} == {"orebro-2019.txt"}
    kalmar = then.rows[0].cells["Region Kalmar län"]
    assert kalmar.level == "no_documents" and "not in force in 2020" in kalmar.reason  # starts 2023


def test_quotes_carry_the_printed_page_label_beside_the_physical_page(versions_store):
    from planmine.compare import compare
    from planmine.compare_export import to_records
    from planmine.store import Store

    with Store(versions_store) as store:
        table = compare(store, None, ["sip"])
    quote = next(e for e in table.rows[0].cells["Region Kalmar län"].evidence if e.page == 2)
    assert quote.page_label == "18 (51)"
    assert quote.cite() == "p. 18 (pdf p. 2)" and quote.cite("sv") == "s. 18 (pdf-sida 2)"
    assert quote.cite("sv", bare=True) == "18 (pdf-sida 2)"
    assert quote.to_dict()["page_label"] == "18 (51)" and quote.to_dict()["paged"] is True
    unpaged = table.rows[0].cells["Region Örebro län"].evidence[0]
    assert not unpaged.paged and unpaged.cite() == "–"
    kalmar = next(r for r in to_records(table) if r["region"] == "Region Kalmar län")
    assert kalmar["page"] == 2 and kalmar["page_label"] == "18 (51)"


def test_cli_compare_as_of_and_query_json_evidence_pages(versions_store):
    import json

    from typer.testing import CliRunner

    from planmine.cli import app

    runner = CliRunner()
    args = ["--store", str(versions_store), "--no-model"]
    result = runner.invoke(app, ["compare", "sip", "--as-of", "2020", "-f", "json", *args])
    assert result.exit_code == 0, result.output
    assert "orebro-2023.txt (from 2023, after 2020)" in result.output
    result = runner.invoke(app, ["query", "samordnad individuell plan", "--json", *args])
    assert result.exit_code == 0, result.output
    evidence = [
        e
        for a in json.loads(result.output)
        for r in a["regions"]
        for e in r["evidence"]
        if r["region"] == "Region Kalmar län"
    ]
    assert evidence and all(e["page_label"] == f"{e['page'] + 16} (51)" for e in evidence)
    result = runner.invoke(app, ["query", "samordnad individuell plan", *args])
    assert result.exit_code == 0 and "pdf p. 2)" in result.output, result.output


def test_query_as_of_reads_the_versions_in_force_that_year(versions_store):
    from planmine.query import answer
    from planmine.store import Store

    orebro = "Region Örebro län"
    with Store(versions_store) as store:
        every, then = (answer(["samordnad individuell plan"], store, None, as_of=y)[0] for y in (None, 2020))
    docs = {r.region: {e.document for e in r.evidence} for r in then.regions}
    assert {e.document for r in every.regions if r.region == orebro for e in r.evidence} == {
        "orebro-2019.txt",
        "orebro-2023.txt",
    }  # no --as-of: every version counts
    assert docs[orebro] == {"orebro-2019.txt"}
    assert "orebro-2023.txt (from 2023, after 2020)" in then.excluded
    kalmar = next(r for r in then.regions if r.region == "Region Kalmar län")
    assert kalmar.level == "no_documents" and "not in force in 2020" in kalmar.reason
    assert then.reading["as_of"] == 2020 and "in force in 2020" in kalmar.reason


def test_cli_query_and_report_take_as_of_with_questions(versions_store, tmp_path):
    import json

    from typer.testing import CliRunner

    from planmine.cli import app

    runner = CliRunner()
    args = ["--store", str(versions_store), "--no-model"]
    result = runner.invoke(app, ["query", "samordnad individuell plan", "--as-of", "2020", "--json", *args])
    assert result.exit_code == 0, result.output
    (read,) = json.loads(result.output)
    assert "orebro-2023.txt (from 2023, after 2020)" in read["excluded_documents"]
    out = tmp_path / "r.html"
    question = ["-q", "samordnad individuell plan", "--as-of", "2020", "--no-discovered", "-o", str(out)]
    result = runner.invoke(app, ["report", *question, *args])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "orebro-2019.txt" in html and "gällande år: 2020" in html


def test_report_cites_the_printed_page_beside_the_physical_one(versions_store):
    from planmine.report.build import ReportRequest, build_report
    from planmine.store import Store

    request = ReportRequest(questions=("samordnad individuell plan",), themes=("sip",), discovered=False)
    with Store(versions_store) as store:
        html = build_report(store, None, request=request)
    assert "s. 18 (pdf-sida 2)" in html  # the Kalmar PDF: printed 18, physical page 2
    assert "s. 2 " not in html and "s. 1 " not in html  # never the physical page alone
    assert "· – ·" in html  # the unpaged Örebro TXT: no false page


def test_code_listings_and_ocr_of_images_are_no_titles():
    from planmine.meta_title import detect_title

    api = "POST /checkFasadritning Check Fasad\n\nid\n\nstring($binary)\n\nHandbok för bygglov\n\nText här."
    assert detect_title(api, {}).value == "Handbok för bygglov"  # the listing lines are skipped
    assert (
        detect_title("Fasad getFasadId värde\n\nHandbok för bygglov\n\nText.", {}).value
        == "Handbok för bygglov"
    )
    images = {"format": "docx", "text_from_images": True}
    assert detect_title("Responses\n\nCode Description\n\nText.", images, path="/d/API.docx").value == "API"
    ocr = "Bygglovshandbok för Kungsbacka 2024\n\nDen här handboken beskriver bygglov."
    agrees = detect_title(ocr, images, path="/d/bygglovshandbok.docx")
    assert agrees.value == "Bygglovshandbok för Kungsbacka 2024" and "OCR" in agrees.evidence
    typed = detect_title("Responses\n\nCode Description\n\nText.", {"format": "docx"}, path="/d/API.docx")
    assert typed.value.startswith("Responses")  # text typed into the DOCX still counts


def test_a_forms_name_gets_the_file_names_subject():
    from planmine.meta_title import detect_title

    form = "Avropsmall IT-konsulttjänster 2021\n\n- Inledning\n\nAvropets benämning: IT projektledare för X."
    path = "/d/Teknisk IT-projektledare.docx"
    assert (
        detect_title(form, {}, path=path).value
        == "Avropsmall IT-konsulttjänster 2021 – Teknisk IT-projektledare"
    )
    assert (
        detect_title(form, {}, path="/d/Arkitekt.docx").value == "Avropsmall IT-konsulttjänster 2021"
    )  # not named
    plan = "Handlingsplan för IT-projektledare 2021\n\nText om IT projektledare."
    assert detect_title(plan, {}, path=path).value == "Handlingsplan för IT-projektledare 2021"  # no form


def test_weak_dates_come_from_where_the_file_came_from_and_say_so():
    upload = {"source_url": "https://x.se/download/18.677b76f518f9ec645d61b015/1716801879022/Plan.docx"}
    found = detect_date("Ingen datering här.", upload)
    assert found.value == "2024-05-27" and "source address" in found.evidence
    found = detect_date("Ingen datering här.", {}, path="/d/artiklar_2023_09_stormote.md")
    assert found.value == "2023-09" and "file name" in found.evidence
    assert detect_date("Ingen datering här.", {}, path="/d/plan_2023-2024.txt").value == ""  # a period
    decided = detect_date("Beslutad av regionstyrelsen 2021-03-02", upload, path="/d/x_2023_09.md")
    assert decided.value == "2021-03-02"  # the text's own date wins over every weak fallback


def test_titles_set_one_line_per_block_and_form_layouts():
    from planmine.meta_title import detect_title

    cover = "Sammanhållen\n\növerenskommelse om\n\nvård och omsorg för\n\näldre\n\nÖverenskommelse mellan Region X"
    assert detect_title(cover, {}).value == "Sammanhållen överenskommelse om vård och omsorg för äldre"
    booklet = "Rekommenderade läkemedel\n\nför sjuksköterskor med förskrivningsrätt\n\nText om läkemedel."
    assert (
        detect_title(booklet, {}).value == "Rekommenderade läkemedel för sjuksköterskor med förskrivningsrätt"
    )
    form = "Upphandlande organisation Upphandling\n\nLjungby kommun Extern Webbplats FKU 2023\n\nMer text."
    assert detect_title(form, {}).value == "Extern Webbplats FKU 2023"
    sentence = "Beredningen består av länets\n\ndirektörer och andra chefer i regionen\n\nText."
    assert "består" not in detect_title(sentence, {}).value  # a sentence set one line per block


def test_genitive_region_names_and_national_texts_that_name_no_region():
    from planmine.regions import detect_region

    assert detect_region("Underlaget bygger på Region Hallands uppföljningsrapporter.").region == (
        "Region Halland"
    )
    commission = (
        "Utredningens uppdrag utvidgas till patientkontrakt. Utredningstiden förlängs. "
        "Uppdraget ska slutredovisas senast den 31 mars 2020."
    )
    assert detect_region(commission).region == "national"
    regional = f"Region Kalmar län beslutar. {commission}"
    assert detect_region(regional).region == "Region Kalmar län"  # a region named: not national
