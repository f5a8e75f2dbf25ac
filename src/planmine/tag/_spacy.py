"""spaCy for the tagger, imported without torch.

thinc (under spaCy) imports torch when it is installed (~2 s on an idle machine, 8 s at load 15) only to
offer PyTorch models; the tagger (blank sv, lookups, rules, a numpy classifier) has none. torch is refused
while spaCy is first imported, unless it is already loaded (then thinc finds it as usual). A later
`import torch` (the sentence-transformers backend) works: the refused import left nothing in sys.modules.
The tagger's modules import spaCy's names from here, so that the guard runs before spaCy is imported.
"""

from __future__ import annotations

import importlib.abc
import sys


class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"{name} is not imported while spaCy loads", name=name)
        return None


def _import_spacy() -> None:
    if "spacy" in sys.modules or "torch" in sys.modules:
        return
    guard = _NoTorch()
    sys.meta_path.insert(0, guard)
    try:
        import spacy  # noqa: F401
    finally:
        sys.meta_path.remove(guard)


_import_spacy()

from spacy import blank  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.matcher import PhraseMatcher  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

__all__ = ["Doc", "Language", "PhraseMatcher", "Span", "blank", "filter_spans"]
