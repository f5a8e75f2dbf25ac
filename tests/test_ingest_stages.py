"""Ingest in two halves: prepare is pure and picklable, commit stores whole documents, batches span files."""

from __future__ import annotations

import pickle
import shutil
import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from conftest import seed_file
from planmine.embed.base import Embedder, l2_normalise
from planmine.embed.sentence_transformer import _batches
from planmine.pipeline import (
    FileTicket,
    IngestResult,
    PreparedDocument,
    check_file,
    commit,
    embed_prepared,
    prepare,
)
from planmine.store import Store


class CallCounter(Embedder):
    """A deterministic embedder that records how many texts each call received."""

    name = "counter"
    dim = 8

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        rows = [np.frombuffer(t.encode("utf-8").ljust(8, b" ")[:8], dtype=np.uint8) for t in texts]
        return l2_normalise(np.array(rows, dtype=np.float32) + 1.0)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


class WideCounter(CallCounter):
    """A call counter with the e5 model's width, so the genre classifier uses its vectors."""

    name = "wide-counter"
    dim = 384

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        rows = [np.random.default_rng(zlib.crc32(t.encode("utf-8"))).normal(size=self.dim) for t in texts]
        return l2_normalise(np.array(rows, dtype=np.float32).reshape(len(texts), self.dim))


def _ticket(tmp_path, prefix: str, store: Store) -> FileTicket:
    path = tmp_path / f"{prefix}.txt"
    shutil.copy(seed_file(prefix), path)
    ticket = check_file(path, store)
    assert isinstance(ticket, FileTicket)
    return ticket


def test_prepared_documents_survive_pickling_and_commit_whole(tmp_path) -> None:
    with Store(tmp_path / "s.db") as store:
        ticket = _ticket(tmp_path, "kalmar", store)
        prepared = prepare(ticket)
        assert isinstance(prepared, PreparedDocument)
        assert store.counts()["documents"] == 0  # prepare never touches the store
        copy = pickle.loads(pickle.dumps(prepared))
        assert [p.text for p in copy.passages] == [p.text for p in prepared.passages]
        result = commit(copy, store)
        assert result.status == "ok" and result.region == "Region Kalmar län"
        assert store.counts()["passages"] == len(prepared.passages) > 10
        again = check_file(tmp_path / "kalmar.txt", store)
        assert isinstance(again, IngestResult) and again.status == "unchanged"


def test_a_bad_file_prepares_to_a_failed_result(tmp_path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_text("<html>404</html>")
    with Store(tmp_path / "s.db") as store:
        ticket = check_file(bad, store)
    assert isinstance(ticket, FileTicket)
    result = prepare(ticket)
    assert isinstance(result, IngestResult) and result.failed and result.code == "mismatch"


def test_passages_of_several_documents_are_embedded_in_one_call(tmp_path) -> None:
    with Store(tmp_path / "s.db") as store:
        docs = [prepare(_ticket(tmp_path, p, store)) for p in ("kalmar", "skane")]
        assert all(isinstance(d, PreparedDocument) for d in docs)
        prepared = [d for d in docs if isinstance(d, PreparedDocument)]
        counter = CallCounter()
        embed_prepared(prepared, counter)
        assert counter.calls == [len({p.text for d in prepared for p in d.passages})]
        for d in prepared:
            assert set(d.vectors) == {p.hash for p in d.passages} and d.model == "counter"
            commit(d, store)
        hashes = [p.hash for p in store.passages()]
        assert len(store.vectors("counter", hashes)) == len(set(hashes))
        assert store.get_meta("embedding_model") == "counter"


@pytest.mark.parametrize("widths", [[512] * 40, [512, 300, 120, 40, 40, 12, 3], [5] * 100, [1]])
def test_batches_are_capped_by_count_and_by_tokens(widths) -> None:
    items = list(range(len(widths)))
    batches = list(_batches(items, widths, 32, 4096))
    assert [i for b in batches for i in b] == items  # every item once, in order
    for batch in batches:
        width = widths[batch[0]]  # longest first: the first item sets the padded width
        assert 1 <= len(batch) <= 32
        assert len(batch) == 1 or len(batch) * width <= 4096


def test_a_group_is_embedded_in_one_call_before_its_documents_are_tagged(tmp_path, monkeypatch) -> None:
    import planmine.embed
    from planmine.embed.batching import EmbedBatching
    from planmine.pipeline import SerialExecutor

    counter = WideCounter()
    monkeypatch.setattr(planmine.embed, "load_embedder", lambda **_: counter)
    with Store(tmp_path / "s.db") as store:
        tickets = [(i, _ticket(tmp_path, p, store)) for i, p in enumerate(("kalmar", "skane"))]
        executor = SerialExecutor(store, embed=True, batching=EmbedBatching(group_passages=10_000))
        outcomes = [o for _, o in executor.run(tickets)]
        assert all(isinstance(o, PreparedDocument) for o in outcomes)
        texts = {p.text for o in outcomes if isinstance(o, PreparedDocument) for p in o.passages}
        # one call for both documents; the genre classifier's passages came from the cache, not the model;
        # then, once, the theme definitions that the stored theme evidence measures cosines against
        from planmine.themes.semantic import phrasings
        from planmine.themes.taxonomy import load_taxonomy

        definitions = {text for theme in load_taxonomy() for text in phrasings(theme)}
        assert counter.calls == [len(texts), len(definitions)]
        assert all(
            "text+embedding features" in o.meta.genre_evidence
            for o in outcomes
            if isinstance(o, PreparedDocument)
        )


def test_a_worker_embeds_its_files_together_once_and_sends_the_vectors_back(tmp_path, monkeypatch) -> None:
    import planmine.embed
    from planmine.distributed import prepare_on_worker

    counter = WideCounter()
    monkeypatch.setattr(planmine.embed, "load_embedder", lambda **_: counter)
    with Store(tmp_path / "s.db") as store:
        ticket = _ticket(tmp_path, "varmland", store)
        other = _ticket(tmp_path, "ostergotland", store)
    outcomes = prepare_on_worker([ticket, other], True, 1)
    assert all(isinstance(o, PreparedDocument) for o in outcomes)
    prepared = [o for o in outcomes if isinstance(o, PreparedDocument)]
    # both files' passages in one call; the genre's first passages are not embedded a second time
    assert counter.calls == [len({p.text for d in prepared for p in d.passages})]
    for d in prepared:
        assert set(d.vectors) == {p.hash for p in d.passages} and d.model == "wide-counter"


def test_batching_caps_must_be_positive() -> None:
    from planmine.embed.batching import BATCHING, EmbedBatching
    from planmine.embed.models import DEFAULT_OPTIONS

    assert (DEFAULT_OPTIONS["batch_size"], DEFAULT_OPTIONS["max_batch_tokens"]) == (
        BATCHING.batch_size,
        BATCHING.max_batch_tokens,
    )
    with pytest.raises(ValueError, match="max_batch_tokens must be a positive integer, got 0"):
        EmbedBatching(max_batch_tokens=0)


def test_dask_tasks_take_consecutive_files_up_to_a_byte_budget(tmp_path) -> None:
    from planmine.distributed import task_groups

    sizes = [10, 30, 50, 200, 5, 5, 90]
    tickets = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.txt"
        path.write_bytes(b"x" * size)
        tickets.append((i, FileTicket(str(path), f"{i:064}", {}, "manifest")))
    tickets.append((7, FileTicket(str(tmp_path / "gone.txt"), "f" * 64, {}, "manifest")))
    groups = [[i for i, _ in g] for g in task_groups(tickets, 100)]
    assert groups == [[0, 1, 2], [3], [4, 5, 6], [7]]  # order kept; a big or unreadable file goes alone


class ThreadCounter(WideCounter):
    """A wide counter that also notes the thread each call ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        import threading

        self.threads.append(threading.current_thread().name)
        return super().embed_passages(texts)


def test_groups_embed_on_a_second_thread_and_store_what_one_group_stores(tmp_path, monkeypatch) -> None:
    import threading

    import planmine.embed
    from planmine.embed.batching import EmbedBatching
    from planmine.pipeline import SerialExecutor
    from store_snapshot import differences, snapshot

    prefixes = ("kalmar", "skane", "varmland")
    snapshots = {}
    for group_passages in (1, 10_000):  # a group per document (overlapped), or all in one group
        counter = ThreadCounter()
        monkeypatch.setattr(planmine.embed, "load_embedder", lambda counter=counter, **_: counter)
        folder = tmp_path / str(group_passages)
        folder.mkdir()
        with Store(folder / "s.db") as store:
            tickets = [(i, _ticket(folder, p, store)) for i, p in enumerate(prefixes)]
            executor = SerialExecutor(
                store, embed=True, batching=EmbedBatching(group_passages=group_passages)
            )
            for _, outcome in executor.run(tickets):
                assert isinstance(outcome, PreparedDocument)
                commit(outcome, store)
        snapshots[group_passages] = snapshot(folder / "s.db")
        assert threading.main_thread().name not in counter.threads  # the forward pass left this thread
        assert len(counter.calls) == (len(prefixes) if group_passages == 1 else 1)
    assert snapshots[1]["vectors"] and not differences(snapshots[1], snapshots[10_000])
