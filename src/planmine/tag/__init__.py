"""Tagging: goals, activities, indicators, actors, target groups and times in passages (spaCy).

Public functions: ``analyse(doc, document_id)``, ``tag_passages(passages)``, ``build_nlp()``,
``get_nlp()``, ``lemmatize(texts)``, ``passage_docs``/``run`` (tagged spaCy Docs), ``to_docbin``/``from_docbin``.
Nothing heavy is imported until one of them is called.
"""

from __future__ import annotations

from planmine.tag.pipeline import (
    analyse,
    build_nlp,
    from_docbin,
    get_nlp,
    lemmatize,
    link,
    passage_docs,
    run,
    tag_passages,
    tags_by_passage,
    to_docbin,
)

__all__ = [
    "analyse",
    "build_nlp",
    "from_docbin",
    "get_nlp",
    "lemmatize",
    "link",
    "passage_docs",
    "run",
    "tag_passages",
    "tags_by_passage",
    "to_docbin",
]
