"""The spaCy pipeline itself: components by name, spans, normalisation, times, DocBin round trip."""

from __future__ import annotations

from planmine.tag import from_docbin, get_nlp, lemmatize, link, run, to_docbin
from planmine.types import Passage


def _passages(*texts: str, kind: str = "paragraph") -> list[Passage]:
    return [
        Passage(document_id=1, page=1, index=i, kind=kind, text=t, start=0, end=len(t))
        for i, t in enumerate(texts)
    ]  # type: ignore[arg-type]


def test_pipeline_is_blank_swedish_with_named_components() -> None:
    nlp = get_nlp()
    assert nlp.lang == "sv"
    assert nlp.pipe_names[:3] == ["lemmatizer", "sentencizer", "planmine_norms"]
    for name in (
        "planmine_actors",
        "planmine_goals",
        "planmine_activities",
        "planmine_indicators",
        "planmine_target_groups",
        "planmine_times",
        "planmine_commitment",
    ):
        assert name in nlp.pipe_names


def test_lemmatize_uses_the_lookup_table() -> None:
    assert lemmatize(["Kommunerna utvecklar arbetet med äldre personer.", "Barnen fick stödet"]) == [
        ["kommun", "utveckla", "arbete", "med", "äldre", "person"],
        ["barn", "få", "stöd"],
    ]


def test_actors_normalised_and_accent_insensitive() -> None:
    docs = run(
        _passages(
            "Ett samarbete mellan kommunerna, Region Orebro lan och civilsamhdllet samt Lansstyrelsen.",
            "Sveriges Kommuner och Regioner (SKR) och Folkhälsomyndigheten stödjer BUP och vårdcentralerna.",
            "Andelen ökar i 15 av 16 kommuner i Värmland.",
        )
    )
    labels = [[s.label_ for s in d.spans["actors"]] for d in docs]
    assert labels[0] == ["Kommunerna", "Region Örebro län", "Civilsamhället", "Länsstyrelsen"]
    assert labels[1] == ["SKR", "SKR", "Folkhälsomyndigheten", "BUP", "Vårdcentralen"]
    assert labels[2] == []  # places, not the acting municipalities


def test_times_and_target_groups() -> None:
    (doc,) = run(
        _passages(
            "Senast år 2030 ska äldre och barn och unga få stöd. Hösten 2023 startar arbetet, 2023–2024, "
            "enligt SOU 2021:93."
        )
    )
    assert [s.label_ for s in doc.spans["times"]] == ["senast år 2030", "hösten 2023", "2023–2024"]
    assert [s.label_ for s in doc.spans["target_groups"]] == ["äldre", "barn och unga"]
    assert next(s.text for s in doc.spans["goals"]).startswith("Senast år 2030 ska")


def test_commitment_levels() -> None:
    docs = run(
        _passages(
            "Regionen behöver skapa en gemensam plattform.",
            "Kommunerna ska genomföra utbildningar under 2024.",
            "Arbetet med att utveckla primärvården pågår sedan 2019 och kommer att utvecklas.",
        )
    )
    assert [d.spans["activities"][0]._.commitment for d in docs] == ["intention", "binding", "background"]


def test_responsible_actor_from_ansvarig_line() -> None:
    passages = [
        Passage(1, 1, 0, "heading", "Äldre", ("Äldre",), 0, 5),
        Passage(1, 1, 1, "paragraph", "Ansvarig: Samordnande gruppen Äldre", ("Äldre",), 7, 42),
        Passage(1, 1, 2, "paragraph", "Mål: Färre fallskador bland äldre.", ("Äldre",), 44, 78),
        Passage(1, 1, 3, "list_item", "Utbilda personal i fallprevention", ("Äldre",), 80, 114),
    ]
    tags = link(passages, run(passages))
    activity = next(t for t in tags if t.kind == "activity")
    assert activity.actors == ("Samordnande grupp Äldre",)
    assert tags[activity.goal].text == "Färre fallskador bland äldre."  # type: ignore[index]


def test_docbin_round_trip_keeps_spans_and_extensions() -> None:
    passages = [
        Passage(
            1, 1, 0, "table_row", "Målområde\tAktiviteter", ("Äldre",), 0, 21, ("Målområde", "Aktiviteter")
        ),
        Passage(
            1,
            1,
            1,
            "table_row",
            "En säker läkemedelshantering för äldre.\tUtbilda sjuksköterskor i Kalmar län",
            ("Äldre",),
            22,
            80,
            ("En säker läkemedelshantering för äldre.", "Utbilda sjuksköterskor i Kalmar län"),
        ),
    ]
    docs = run(passages)
    tags = link(passages, docs)
    assert [t.kind for t in tags if t.kind in ("goal", "activity")] == ["goal", "activity"]
    data = to_docbin(docs).to_bytes()
    again = from_docbin(data)
    assert [d.text for d in again] == [d.text for d in docs]
    for before, after in zip(docs, again, strict=True):
        for key in ("goals", "activities", "indicators", "actors", "target_groups", "times"):
            assert [(s.start_char, s.end_char, s.label_) for s in after.spans[key]] == [
                (s.start_char, s.end_char, s.label_) for s in before.spans[key]
            ]
        assert after._.passage_kind == "table_row"
        assert list(after._.section) == ["Äldre"]
    activity = again[1].spans["activities"][0]
    assert activity.text == "Utbilda sjuksköterskor i Kalmar län"
    assert activity._.commitment == "binding"
    assert activity._.goal == 0
