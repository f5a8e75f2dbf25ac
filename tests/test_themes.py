"""Taxonomy loading and lexical matching: compounds, OCR forms, false friends."""

from __future__ import annotations

from pathlib import Path

import pytest

from planmine.errors import UsageError
from planmine.themes.matcher import ThemeMatcher
from planmine.themes.taxonomy import TaxonomyError, load_taxonomy

REQUIRED = [
    "sip",
    "patientkontrakt",
    "fallprevention",
    "mobila_team",
    "fast_vardkontakt",
    "egenvard",
    "hemmonitorering",
    "suicidprevention",
    "palliativ_vard",
    "demens",
    "lakemedel",
    "rehabilitering",
    "utskrivning",
    "informationsoverforing",
    "levnadsvanor",
    "psykisk_halsa",
    "barn_unga",
    "brukarmedverkan",
    "digitalisering",
    "kompetensforsorjning",
    "primarvard_nav",
    "personcentrerad_vard",
    "patientsakerhet",
    "anhorigstod",
    "vard_i_hemmet",
    "beroende_samsjuklighet",
    "foraldraskapsstod",
    "aldre",
    "teambaserad_vard",
    "nutrition",
    "elevhalsa_skola",
    "civilsamhalle",
]


@pytest.fixture(scope="module")
def matcher() -> ThemeMatcher:
    return ThemeMatcher(load_taxonomy())


def themes_in(matcher: ThemeMatcher, text: str) -> set[str]:
    return {h.theme_id for h in matcher.hits(text) if h.strength == "strong"}


def test_taxonomy_covers_the_issue_themes() -> None:
    tax = load_taxonomy()
    assert len(tax) >= 30
    assert set(REQUIRED) <= set(tax.ids())
    for t in tax:
        assert t.definition and t.definition_en and t.label_en
        assert all(link in tax for link in (*t.broader, *t.narrower))


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("i många fall är det svårt", "fallprevention"),
        ("För att nå målbilden 2030 måste många bitar falla på plats", "fallprevention"),
        ("vid rätt tillfälle på ett enkelt sätt", "fallprevention"),
        ("att vi tillsammans mobiliserar krafter och samordnar resurser", "mobila_team"),
        ("mot ett gemensamt mål", "anhorigstod"),
        ("Beroende av vilka beslut som fattas nationellt", "beroende_samsjuklighet"),
        ("ömsesidiga beroenden", "beroende_samsjuklighet"),
        ("ett mer kostnadseffektivt arbetssätt", "nutrition"),
        ("samverkan med lärosätena i Skåne", "beroende_samsjuklighet"),
    ],
)
def test_false_friends_do_not_match(matcher: ThemeMatcher, text: str, theme: str) -> None:
    assert theme not in themes_in(matcher, text)


def test_gemensam_is_not_ensam(matcher: ThemeMatcher) -> None:
    assert matcher.hits("en gemensam plan") == [] or all(
        "ensam" not in h.surface.lower() for h in matcher.hits("en gemensam plan")
    )


@pytest.mark.parametrize(
    ("text", "theme", "surface"),
    [
        ("Fallpreventionsarbetet ska stärkas", "fallprevention", "Fallpreventionsarbetet"),
        ("Fallskador bland personer 80+", "fallprevention", "Fallskador"),
        ("fallolyckor orsakar stort lidande", "fallprevention", "fallolyckor"),
        ("SIP-utbildning riktad mot personal", "sip", "SIP"),
        ("Lakemedelsgenomgangar &r ett annat viktigt omrade", "lakemedel", "Lakemedelsgenomgangar"),
        ("Starka processer for att undvika vardskador", "patientsakerhet", "vardskador"),
        ("Erbjud egenmonitorering", "hemmonitorering", "egenmonitorering"),
        ("Demensnätverksträffar mellan sjuksköterskor", "demens", "Demensnätverksträffar"),
        ("Utöka den mobila vården", "mobila_team", "mobila vården"),
        ("fast vårdkontakt/omsorgskontakt", "fast_vardkontakt", "fast vårdkontakt"),
        (
            "Stdrka det héalsoframjande och sjukdomsfdrebyggande arbetet",
            "halsoframjande",
            "sjukdomsfdrebyggande",
        ),
    ],
)
def test_compounds_inflections_and_ocr_forms_match(
    matcher: ThemeMatcher, text: str, theme: str, surface: str
) -> None:
    hits = [h for h in matcher.hits(text) if h.theme_id == theme]
    assert hits, f"{theme} not found in {text!r}"
    assert any(h.surface == surface for h in hits)


def test_abbreviations_are_case_sensitive(matcher: ThemeMatcher) -> None:
    assert "sip" in themes_in(matcher, "Fokus på förebyggande SIP och delaktighet")
    assert "sip" not in themes_in(matcher, "en sip av kaffe")


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(
        "themes:\n"
        "- id: sip\n  label_sv: SIP egen\n  label_en: SIP own\n  definition: Egen definition.\n"
        "- id: tandvard\n  label_sv: Tandvård\n  label_en: Dental care\n  definition: Vård av tänder.\n"
        "  alt_labels: [tandhälsa, munhälsa]\n",
        encoding="utf-8",
    )
    tax = load_taxonomy(f)
    assert tax.get("sip").label_sv == "SIP egen"
    assert "tandvard" in tax and len(tax) == len(load_taxonomy()) + 1
    assert "tandvard" in themes_in(ThemeMatcher(tax), "Webbinarium om munhälsa för äldre")


def test_env_var_names_the_user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "env.yaml"
    f.write_text(
        "- id: extra\n  label_sv: Extra\n  label_en: Extra\n  definition: En extra.\n", encoding="utf-8"
    )
    monkeypatch.setenv("PLANMINE_THEMES", str(f))
    assert "extra" in load_taxonomy()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("themes: [1, 2]", "expected a mapping"),
        ("- id: x\n  label_sv: X\n", "lacks label_en, definition"),
        ("- id: Bad-Id\n  label_sv: X\n  label_en: X\n  definition: d\n", "not allowed"),
        ("- id: x\n  label_sv: X\n  label_en: X\n  definition: d\n  colour: red\n", "unknown field"),
        (
            "- id: x\n  label_sv: X\n  label_en: X\n  definition: d\n  negative: ['(']\n",
            "bad negative pattern",
        ),
        (
            "- id: x\n  label_sv: X\n  label_en: X\n  definition: d\n  broader: [nope]\n",
            "unknown theme 'nope'",
        ),
        ("themes: [", "not valid YAML"),
    ],
)
def test_bad_user_file_gives_a_clear_error(tmp_path: Path, yaml_text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(f)


def test_missing_user_file_and_unknown_theme() -> None:
    with pytest.raises(TaxonomyError, match="does not exist"):
        load_taxonomy("/nonexistent/themes.yaml")
    with pytest.raises(UsageError, match="Did you mean 'fallprevention'"):
        load_taxonomy().get("fallprevntion")
