"""Question reading and free-text answers (issue 10), the genre filter and quotes (issue 11), the cache.

On the seed store built by the real pipeline; the tiny stores are lexical only (no model)."""

from __future__ import annotations

from pathlib import Path

from planmine.embed import Embedder
from planmine.pipeline import ingest_paths
from planmine.query import answer
from planmine.store import Store
from planmine.themes.decision import decide, decide_free
from planmine.themes.evidence import DEFAULT_CONFIG, PassageEvidence, RegionQuality
from planmine.themes.text import unquotable


def _levels(a) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.region: r.level for r in a.regions}


def test_an_absent_concept_is_a_free_question_found_nowhere(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Vilka regioner arbetar med ambulanssjukvården?"], seed_store, embedder)
    assert a.reading["theme"] is None
    assert str(a.reading["line"]).startswith("fri fråga")
    assert set(_levels(a).values()) == {"not_found"}
    assert all("inga stycken om" in r.reason for r in a.regions)
    data = a.to_dict()
    assert data["reading"]["terms"] and data["config"]["addressed"] == DEFAULT_CONFIG.addressed


def test_a_narrower_concept_is_answered_as_itself_with_the_theme_as_hint(
    seed_store: Store, embedder: Embedder
) -> None:
    (a,) = answer(["Vilka regioner satsar på ungdomsmottagningar?"], seed_store, embedder)
    assert a.reading["theme"] is None and a.reading["nearest_theme"] == "barn_unga"
    assert "närmaste tema" in str(a.reading["line"])
    level = _levels(a)
    assert level["Region Kalmar län"] in {"addressed", "mentioned"}
    assert sum(v != "not_found" for v in level.values()) == 1
    kalmar = next(r for r in a.regions if r.region == "Region Kalmar län")
    quote, (start, end) = kalmar.evidence[0].text, kalmar.evidence[0].match[0]
    assert "ungdomsmottagning" in quote[start:end].lower()


def test_a_theme_question_names_the_theme(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Vilka regioner arbetar med fallprevention?"], seed_store, embedder)
    assert a.reading["theme"] == "fallprevention"
    assert a.reading["line"] == "läst som temat Fallprevention"


def test_a_synonym_of_a_theme_is_the_theme_not_a_narrower_concept(
    seed_store: Store, embedder: Embedder
) -> None:
    # 'missbruk' and 'minnessjukdom' are rare in the store, yet they mean the theme: rarity alone does not
    # make a word narrower (only a theme's `narrower_terms` do)
    a, b = answer(
        [
            "Vilka regioner har insatser för personer med missbruksproblem?",
            "Hur stöttar regionerna personer med minnessjukdom och deras familjer?",
        ],
        seed_store,
        embedder,
    )
    assert a.reading["theme"] == "beroende_samsjuklighet", a.reading["why"]
    assert b.reading["theme"] == "demens", b.reading["why"]


def test_a_target_group_yields_to_the_topic_the_question_names(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(
        ["Vilka regioner arbetar för att äldre inte ska ramla och skada sig?"], seed_store, embedder
    )
    assert a.reading["theme"] == "fallprevention", a.reading["why"]
    assert "target group" in str(a.reading["why"])


def test_narrower_terms_are_taxonomy_data_and_a_theme_word_beside_one_keeps_the_theme(
    seed_store: Store,
) -> None:
    from planmine.themes.index import get_index
    from planmine.themes.reading import narrower_term

    index = get_index(seed_store, None)
    barn = index.taxonomy.get("barn_unga")
    assert "ungdomsmottagning" in barn.narrower_terms and barn.to_dict()["narrower_terms"]
    assert narrower_term(index, barn, "satsar ungdomsmottagningar") == "ungdomsmottagning"
    assert narrower_term(index, barn, "ungdomsmottagningar och barn och unga") == ""
    assert narrower_term(index, barn, "barn och unga") == ""


def test_a_qualifier_word_does_not_make_a_theme_question_narrower(
    seed_store: Store, embedder: Embedder
) -> None:
    # which patients ('kroniskt sjuka') or where ('sjukhusets', 'the clinic') is no concept of its own
    a, b = answer(
        [
            "Hur följer vården upp kroniskt sjuka med mätningar på distans?",
            "Which regions support people who have received a dementia diagnosis?",
        ],
        seed_store,
        embedder,
    )
    assert a.reading["theme"] == "hemmonitorering", a.reading["line"]
    assert b.reading["theme"] == "demens", b.reading["line"]


def test_place_names_are_found_in_any_form() -> None:
    from planmine.themes.question_filters import place_of
    from planmine.themes.text import fold

    for question, region, municipality in [
        ("Skånes arbete med äldre", "Region Skåne", None),
        ("Vad gör Region Kalmar län?", "Region Kalmar län", None),
        ("Vad gör Linköpings kommun?", "Region Östergötland", "Linköping"),
        ("Which regions use mobile teams?", None, None),
        ("Hur mora vi?", None, None),  # a municipality only when capitalised
    ]:
        assert place_of(question, fold(question))[:2] == (region, municipality), question


def test_a_region_in_the_question_restricts_the_answer(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Hur arbetar Region Skåne med SIP?"], seed_store, embedder)
    assert a.reading["region"] == "Region Skåne" and a.reading["theme"] == "sip"
    assert [r.region for r in a.regions] == ["Region Skåne"]


def test_english_questions_go_through_the_glossary(seed_store: Store, embedder: Embedder) -> None:
    (a,) = answer(["Which regions offer ambulance services?"], seed_store, embedder)
    assert a.reading["language"] == "en" and a.reading["theme"] is None
    assert any("ambulans" in f for t in a.reading["terms"] for f in t["forms"])  # type: ignore[index, union-attr]
    assert set(_levels(a).values()) == {"not_found"}


def test_an_english_word_the_glossary_cannot_read_keeps_the_concept_narrow(
    seed_store: Store, embedder: Embedder
) -> None:
    # 'disease' alone (sjukdom) is everywhere; dropping 'Parkinson' would answer another question
    a, b = answer(
        [
            "How do the regions support people with Parkinson's disease?",
            "Which regions invest in family centres?",
        ],
        seed_store,
        embedder,
    )
    terms = {t["word"]: t for t in a.reading["terms"]}  # type: ignore[index, union-attr]
    # kept as it stands: a capitalised name ('Parkinson') or an unread word, the concept itself either way
    assert terms["parkinson"]["source"] in {"unread", "name"} and terms["parkinson"]["key"]
    assert set(_levels(a).values()) == {"not_found"}
    # an unread word matches as it stands: 'centres' is not the Swedish 'centrala'
    assert _levels(b)["Region Skåne"] == "not_found"


def test_a_hand_written_glossary_entry_wins_over_a_theme_label_in_any_form() -> None:
    from planmine.themes.glossary import Glossary
    from planmine.themes.taxonomy import load_taxonomy

    glossary = Glossary(load_taxonomy())
    # Rehabilitering's English labels list 'assistive devices'; the glossary's 'assistive device' is the term
    assert glossary.lookup("assistive devices") == ("hjälpmedel",)


def test_free_semantic_evidence_is_never_more_than_mentioned() -> None:
    quality = RegionQuality("Region X", chars=50_000, passages=300, documents=1)
    close = [PassageEvidence(k, "Region X", "x.txt", 1, "", f"t {k}", "semantic", z=9.0) for k in range(5)]
    assert decide_free("Region X", close, quality, "x").level == "mentioned"
    assert decide_free("Region X", [], quality, "x").level == "not_found"


def test_a_region_whose_documents_are_all_left_out_has_no_documents() -> None:
    quality = RegionQuality("Region X", excluded=2, excluded_genres=["procurement"])
    assert decide("Region X", [], quality).level == "no_documents"
    assert decide_free("Region X", [], quality, "x").level == "no_documents"


def test_unquotable_passages() -> None:
    assert unquotable("3. Bättre läkemedelsanvändning ........ 45")
    assert unquotable("………… 45 3. Bättre läkemedelsanvändning")
    assert unquotable("Namn: ______")
    assert unquotable("Sida 3 av 12")
    assert unquotable("Region Kalmar län 2023", repeats=5)
    assert not unquotable("Brukarmedverkan", repeats=3)
    assert not unquotable("Vi ska minska fallskadorna bland äldre med 20 procent till 2025.")
    assert not unquotable("Delmål 2")


def _plan(folder: Path, name: str, region: str, text: str) -> Path:
    path = folder / name
    body = "\n\n".join(
        [f"Handlingsplan för nära vård i {region}.", text]
        + ["Vi ska samverka med kommunerna om vården."] * 30
    )
    path.write_text(body, encoding="utf-8")
    return path


def test_answers_are_fresh_after_an_ingest_and_genres_filter(tmp_path: Path) -> None:
    with Store(tmp_path / "planmine.db") as store:
        first = _plan(tmp_path, "a.txt", "Region Skåne", "Vi ska införa ungdomsmottagningar i alla kommuner.")
        ingest_paths([first], store, region="Region Skåne", embed=False)
        (a,) = answer(["ungdomsmottagningar"], store, None)
        assert [r.region for r in a.regions] == ["Region Skåne"]
        generation = store.generation()
        second = _plan(tmp_path, "b.txt", "Region Kalmar län", "Ungdomsmottagningar ska finnas nära.")
        ingest_paths([second], store, region="Region Kalmar län", embed=False)
        assert store.generation() > generation
        (a,) = answer(["ungdomsmottagningar"], store, None)
        assert {r.region for r in a.regions} == {"Region Skåne", "Region Kalmar län"}
        # a procurement document does not count by default
        with store._transaction():
            store.conn.execute("UPDATE documents SET genre = 'procurement' WHERE path LIKE '%b.txt'")
        (a,) = answer(["ungdomsmottagningar"], store, None)
        assert _levels(a)["Region Kalmar län"] == "no_documents"
        assert any("b.txt" in d for d in a.excluded)
        (a,) = answer(["ungdomsmottagningar"], store, None, types=frozenset({"procurement"}))
        assert _levels(a)["Region Kalmar län"] != "no_documents"
        assert _levels(a)["Region Skåne"] == "no_documents"


# --- third pass (issue 10): names, key terms, narrower terms with a target group, broad English readings ---
def test_names_in_a_question_are_acronyms_and_capitalised_runs_never_places() -> None:
    from planmine.themes.question_filters import name_phrases

    assert name_phrases("Vilka regioner arbetar med tidiga insatser (TSI) för barn?") == [("tsi",)]
    assert name_phrases("Hur säkras vården inom LSS-verksamhet?") == [("lss",)]
    assert name_phrases("Vilka regioner utbildar i Första hjälpen till psykisk hälsa?") == [
        ("forsta", "hjalpen")
    ]
    assert name_phrases("Which regions train staff in Mental Health First Aid?") == [
        ("mental", "health", "first", "aid")
    ]
    assert name_phrases("What do the plans say about the Health and Medical Services Act?") == [
        ("health", "and", "medical", "services", "act")
    ]
    # a region or municipality is a filter, the question's first word is capitalised by the sentence
    assert name_phrases("Does Region Skåne use Senior alert?") == [("senior", "alert")]
    assert name_phrases("Satsar Östergötland på ungdomsmottagningar?") == []
    assert name_phrases("Vilka regioner arbetar med fallprevention?") == []


def test_a_swedish_name_in_an_english_question_keeps_it_english() -> None:
    from planmine.themes.question_filters import language_of

    assert language_of("Which regions run the Växa tryggt programme for first-time parents?") == "en"
    assert language_of("Vilka regioner arbetar med Växa tryggt?") == "sv"
    assert language_of("Satsar Östergötland på ungdomsmottagningar?") == "sv"


def test_glossary_phrases_are_found_without_their_stopwords() -> None:
    from planmine.themes.glossary import Glossary

    glossary = Glossary()
    # questions lose 'and', 'of' before lookup: the phrase must still be found, not read word by word
    assert glossary.translate(["health", "medical", "services", "act"]) == [
        ("health medical services act", ("hälso- och sjukvårdslag",))
    ]


def test_a_narrower_term_for_a_target_group_is_the_concept_but_beside_the_group_the_theme(
    seed_store: Store,
) -> None:
    from planmine.themes.index import get_index
    from planmine.themes.reading import narrower_term

    index = get_index(seed_store, None)
    aldre = index.taxonomy.get("aldre")
    assert narrower_term(index, aldre, "erbjuder preventiva hembesok till aldre") == "preventiva hembesok"
    assert narrower_term(index, aldre, "preventiva hembesok och aldre") == ""


def test_a_rare_word_the_store_lacks_is_the_concept_so_its_other_words_find_nothing(
    seed_store: Store,
) -> None:
    # Kalmar writes 'behov ska upptäckas tidigt': without 'sepsis' that passage is about something else
    (a,) = answer(["Vilka regioner arbetar med att upptäcka sepsis tidigt?"], seed_store, None)
    terms = {t["word"]: t for t in a.reading["terms"]}  # type: ignore[index, union-attr]
    assert terms["sepsis"]["key"] and not terms["tidigt"]["key"]
    assert set(_levels(a).values()) == {"not_found"}


def test_names_and_unread_words_keep_free_questions_narrow(seed_store: Store, embedder: Embedder) -> None:
    first_aid, alzheimer, nursing_homes, drones = answer(
        [
            "Vilka regioner utbildar i Första hjälpen till psykisk hälsa?",
            "Hur tar regionerna hand om patienter med Alzheimers sjukdom?",
            "Hur arbetar regionerna med vården på särskilda boenden för äldre?",
            "Which regions use drones in elderly care?",
        ],
        seed_store,
        embedder,
    )
    # a named method beside a theme's label is narrower than the theme; only Kalmar trains in it
    assert first_aid.reading["theme"] is None and first_aid.reading["nearest_theme"] == "psykisk_halsa"
    assert _levels(first_aid) == {
        "Region Kalmar län": "addressed",
        **{r: "not_found" for r in _levels(first_aid) if r != "Region Kalmar län"},
    }
    # a name whose capitalised word is the theme's keyword is the theme
    assert alzheimer.reading["theme"] == "demens", alzheimer.reading["line"]
    # 'boende' of Vård i hemmet's 'i ordinärt boende' does not make 'särskilda boenden' that theme
    assert nursing_homes.reading["theme"] != "vard_i_hemmet", nursing_homes.reading["line"]
    # 'elderly care' alone is in every plan: the unread 'drones' is what is asked, found nowhere
    words = {t["word"] for t in drones.reading["terms"]}  # type: ignore[index, union-attr]
    assert "drones" in words and set(_levels(drones).values()) == {"not_found"}


def test_an_attribute_the_store_lacks_narrows_a_theme_noun_but_a_verb_does_not(
    seed_store: Store, embedder: Embedder
) -> None:
    from planmine.themes.evidence import ConceptTerm
    from planmine.themes.reading import _attributive

    assert _attributive(ConceptTerm("legitimerad", (("legitimerad",),)))
    assert _attributive(ConceptTerm("somatisk", (("somatisk",),)))
    assert not _attributive(ConceptTerm("motverkar", (("motverkar",),)))
    licensed, malnutrition = answer(
        [
            "Hur arbetar regionerna med legitimerad personal?",
            "Hur motverkar regionerna undernäring hos äldre?",
        ],
        seed_store,
        embedder,
    )
    # 'personal' is Kompetensförsörjning's word, 'legitimerad' is in no plan: a narrower concept, found nowhere
    assert licensed.reading["theme"] is None
    assert licensed.reading["nearest_theme"] == "kompetensforsorjning"
    assert set(_levels(licensed).values()) == {"not_found"}
    # a verb of the paraphrase that no plan uses ('motverkar') leaves the theme as it was read
    assert malnutrition.reading["theme"] == "nutrition"


def test_english_frame_verbs_are_no_concept_and_the_glossary_reads_the_rest(
    seed_store: Store, embedder: Embedder
) -> None:
    root_cause, bladder = answer(
        [
            "Which regions write about root cause analysis?",
            "Which regions work towards bladder dysfunction care?",
        ],
        seed_store,
        embedder,
    )
    assert [t["word"] for t in root_cause.reading["terms"]] == ["root cause analysis"]  # type: ignore[index, union-attr]
    assert root_cause.reading["theme"] is None
    assert {r for r, v in _levels(root_cause).items() if v != "not_found"} == {"Region Kalmar län"}
    words = [t["word"] for t in bladder.reading["terms"]]  # type: ignore[index, union-attr]
    assert "towards" not in words and "bladder dysfunction" in words


def test_the_packaged_glossary_has_each_english_term_once() -> None:
    from importlib import resources

    import yaml

    raw = resources.files("planmine.data").joinpath("glossary_sv_en.yaml").read_text(encoding="utf-8")
    node = yaml.compose(raw)
    keys = [k.value for k, _ in node.value]
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)
    assert len(keys) >= 400  # a curated glossary of several hundred terms (issue 10)
