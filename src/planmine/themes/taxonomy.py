"""The theme taxonomy: load the packaged YAML, merge a user's own file by id, validate with clear errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from planmine.errors import UsageError

THEMES_ENV = "PLANMINE_THEMES"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("id", "label_sv", "label_en", "definition")
_LIST_FIELDS = (
    "alt_labels",
    "related",
    "alt_labels_en",
    "keywords",
    "abbreviations",
    "broader",
    "narrower",
    "narrower_terms",
    "negative",
)
_TEXT_FIELDS = ("id", "label_sv", "label_en", "definition", "definition_en")


class TaxonomyError(UsageError):
    """A taxonomy file is unreadable or has a theme of the wrong shape."""


@dataclass(frozen=True)
class Theme:
    """One theme: labels, a definition, the terms that match it and its false friends."""

    id: str
    label_sv: str
    label_en: str
    definition: str
    definition_en: str = ""
    alt_labels: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    alt_labels_en: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # signal the theme in a question (any language); not matched in passages
    abbreviations: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    # things inside the theme (a service, a unit, a named programme or tool): a passage naming one is
    # evidence for the theme, but a question naming one alone asks about that thing, not the whole theme
    narrower_terms: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    source: str = "builtin"

    @property
    def label(self) -> str:
        return self.label_sv

    def swedish_terms(self) -> list[str]:
        """Terms matched in Swedish passages: the label's parts, the alternative labels."""
        terms = [self.label_sv, *self.alt_labels]
        return list(dict.fromkeys(t for t in terms if t.strip()))

    def describe(self) -> list[str]:
        """Texts that describe the theme for the embedding model (labels and definitions)."""
        texts = [
            f"{self.label_sv}: {self.definition}",
            f"{self.label_en}: {self.definition_en}" if self.definition_en else self.label_en,
        ]
        return texts

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label_sv": self.label_sv,
            "label_en": self.label_en,
            "definition": self.definition,
            "definition_en": self.definition_en,
            "alt_labels": list(self.alt_labels),
            "related": list(self.related),
            "alt_labels_en": list(self.alt_labels_en),
            "keywords": list(self.keywords),
            "abbreviations": list(self.abbreviations),
            "broader": list(self.broader),
            "narrower": list(self.narrower),
            "narrower_terms": list(self.narrower_terms),
            "negative": list(self.negative),
            "source": self.source,
        }


@dataclass
class Taxonomy:
    """An ordered set of themes with lookup by id."""

    themes: list[Theme] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {t.id: t for t in self.themes}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> Theme:
        """The theme with this id; UsageError naming the closest ids when it does not exist."""
        if theme_id in self._by_id:
            return self._by_id[theme_id]
        raise UsageError(
            f"Unknown theme '{theme_id}'. {suggest(theme_id, self.ids())} Run `planmine themes` to list them."
        )

    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def resolve(self, name: str) -> Theme:
        """A theme by id, label or abbreviation (case- and accent-insensitive)."""
        from planmine.themes.text import fold

        if name in self._by_id:
            return self._by_id[name]
        key = fold(name).strip()
        for t in self.themes:
            names = [t.id, t.label_sv, t.label_en, *t.abbreviations]
            if key in {fold(n).strip() for n in names}:
                return t
        return self.get(name)


def suggest(value: str, choices: list[str]) -> str:
    """'Did you mean ...?' with the closest choice (rapidfuzz), then what exists."""
    from rapidfuzz import process

    hint = ""
    best = process.extractOne(value, choices) if choices else None
    if best is not None and best[1] >= 50:
        hint = f"Did you mean '{best[0]}'? "
    listed = ", ".join(choices[:40]) + (" ..." if len(choices) > 40 else "")
    return f"{hint}Known: {listed}."


def _theme_from_dict(raw: Any, where: str, index: int) -> Theme:
    if not isinstance(raw, dict):
        raise TaxonomyError(
            f"{where}: theme #{index + 1} is a {type(raw).__name__}, expected a mapping with "
            f"keys {', '.join(_REQUIRED)}. Fix the entry and try again."
        )
    missing = [k for k in _REQUIRED if not str(raw.get(k) or "").strip()]
    tid = raw.get("id", f"#{index + 1}")
    if missing:
        raise TaxonomyError(
            f"{where}: theme '{tid}' lacks {', '.join(missing)}; every theme needs "
            f"{', '.join(_REQUIRED)}. Add the missing field(s)."
        )
    if not isinstance(tid, str) or not _ID.match(tid):
        raise TaxonomyError(
            f"{where}: theme id {tid!r} is not allowed; use lowercase letters, digits and '_' "
            "(e.g. 'fallprevention'), starting with a letter."
        )
    unknown = sorted(set(raw) - set(_TEXT_FIELDS) - set(_LIST_FIELDS))
    if unknown:
        raise TaxonomyError(
            f"{where}: theme '{tid}' has unknown field(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(_TEXT_FIELDS + _LIST_FIELDS)}."
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_FIELDS:
        value = raw.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            raise TaxonomyError(
                f"{where}: theme '{tid}' field '{key}' must be a list of strings, got {value!r}."
            )
        lists[key] = tuple(str(v) for v in value)
    for pattern in lists["negative"]:
        try:
            re.compile(pattern)
            _check_linear(pattern)
        except re.error as exc:
            raise TaxonomyError(
                f"{where}: theme '{tid}' has a bad negative pattern {pattern!r}: {exc}. "
                "Negative patterns are Python regular expressions on accent-folded lowercase text."
            ) from exc
    return Theme(
        id=tid,
        label_sv=str(raw["label_sv"]).strip(),
        label_en=str(raw["label_en"]).strip(),
        definition=str(raw["definition"]).strip(),
        definition_en=str(raw.get("definition_en") or "").strip(),
        source=where,
        **lists,  # type: ignore[arg-type]
    )


def parse_themes(text: str, where: str) -> list[Theme]:
    """Themes from YAML text: a mapping with a `themes` list, or a bare list."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{where}: not valid YAML ({exc}). Check indentation and quoting.") from exc
    if isinstance(data, dict):
        data = data.get("themes")
    if not isinstance(data, list):
        raise TaxonomyError(
            f"{where}: expected a list of themes (or a mapping with a 'themes' list), "
            f"got {type(data).__name__}. See src/planmine/data/themes.yaml for the shape."
        )
    themes = [_theme_from_dict(raw, where, i) for i, raw in enumerate(data)]
    seen: set[str] = set()
    for t in themes:
        if t.id in seen:
            raise TaxonomyError(f"{where}: theme id '{t.id}' appears twice. Ids must be unique.")
        seen.add(t.id)
    return themes


def _validate_links(themes: list[Theme]) -> None:
    ids = {t.id for t in themes}
    for t in themes:
        for link in (*t.broader, *t.narrower):
            if link not in ids:
                raise TaxonomyError(
                    f"{t.source}: theme '{t.id}' links to unknown theme '{link}' (broader/narrower). "
                    f"{suggest(link, sorted(ids))}"
                )


def merge(base: list[Theme], extra: list[Theme]) -> list[Theme]:
    """Themes of `extra` replace those of `base` with the same id; new ids are appended."""
    by_id = {t.id: t for t in base}
    order = [t.id for t in base]
    for t in extra:
        if t.id not in by_id:
            order.append(t.id)
        by_id[t.id] = t
    return [by_id[i] for i in order]


def builtin_text() -> str:
    return resources.files("planmine").joinpath("data/themes.yaml").read_text(encoding="utf-8")


def _check_linear(pattern: str) -> None:
    """re.error for a user pattern that can backtrack exponentially: a repeat inside a repeat (`(a+)+`),
    an alternation under a repeat (`(a|ab)*`), or a backreference. Python's re has no timeout."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def walk(items: object, repeated: bool) -> None:
        for op, arg in items:  # type: ignore[attr-defined]
            if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                _low, high, body = arg
                many = high is C.MAXREPEAT or high > 1
                if many and repeated:
                    raise re.error(
                        "a repeat inside a repeat can take exponential time; write it without nesting"
                    )
                walk(body, repeated or many)
            elif op is C.BRANCH:
                if repeated:
                    raise re.error("an alternation inside a repeat can take exponential time")
                for branch in arg[1]:
                    walk(branch, repeated)
            elif op is C.SUBPATTERN:
                walk(arg[-1], repeated)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                walk(arg[1], repeated)
            elif op in (C.GROUPREF, C.GROUPREF_EXISTS):
                raise re.error("backreferences are not allowed in negative patterns")

    walk(_parser.parse(pattern), False)


def load_taxonomy(extra: str | Path | None = None) -> Taxonomy:
    """The packaged taxonomy, extended by `extra` or $PLANMINE_THEMES (merged by id)."""
    themes = parse_themes(builtin_text(), "planmine/data/themes.yaml")
    path = extra if extra is not None else os.environ.get(THEMES_ENV) or None
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise TaxonomyError(
                f"Theme file '{p}' does not exist. Pass an existing YAML file with --themes or ${THEMES_ENV}."
            )
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise TaxonomyError(
                f"Theme file '{p}' is not UTF-8 text (byte {exc.start}: {exc.reason}). Save it as UTF-8."
            ) from None
        themes = merge(themes, parse_themes(text, str(p)))
    _validate_links(themes)
    return Taxonomy(themes)
