"""How passages are batched for the model: the one home of the caps that set embedding time and memory."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmbedBatching:
    """Caps on one forward pass and on one ingest group.

    A batch is at most ``batch_size`` windows and at most ``max_batch_tokens`` padded tokens; windows are
    sorted by length first, so a batch's width is its longest window. Activation memory grows with
    ``max_batch_tokens`` (attention with tokens x width): 8192 tokens of 512-token windows took a lone
    embedder to 2.1 GB peak RSS, 2048 to 1.2 GB (bench_embed.py --memory; figures in the CHANGELOG).
    ``group_passages``: ingest prepares documents until they hold this many passages, then embeds them in
    one call, so small documents share batches. ``task_bytes``: a Dask task takes consecutive files until
    their sizes add up to this (some 90 passages of plain text, three or more full batches; a larger file
    goes alone). Tasks this small keep the workers even to the end: at 96 kB (~370 passages) 1,500
    passages made 4-5 tasks, so of 2 workers one ran 3 and the other 2, which alone capped 2-vs-1 at ~1.6x.
    """

    batch_size: int = 32
    max_batch_tokens: int = 2048
    group_passages: int = 256
    task_bytes: int = 24_000

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_batch_tokens", "group_passages", "task_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"EmbedBatching.{name} must be a positive integer, got {value!r}.")


BATCHING = EmbedBatching()
