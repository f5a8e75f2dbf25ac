"""The answer levels as people read them: one colour scheme and one wording for every output.

The xlsx export, the HTML table, the report, the heatmap and the terminal all take their colours and
words from here, so `not_found` is the same light grey everywhere and the legend says the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("addressed", "mentioned", "not_found", "cannot_assess", "no_documents")
LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class LevelStyle:
    """How one level looks (fill and text colour, terminal style) and what it is called."""

    fill: str  # background, #rrggbb
    ink: str  # text colour on that background
    terminal: str  # rich style
    name_sv: str
    name_en: str
    meaning_sv: str
    meaning_en: str

    def name(self, lang: str = "sv") -> str:
        return self.name_sv if lang == "sv" else self.name_en

    def meaning(self, lang: str = "sv") -> str:
        return self.meaning_sv if lang == "sv" else self.meaning_en


STYLES: dict[str, LevelStyle] = {
    "addressed": LevelStyle(
        "#1b7837", "#ffffff", "bold green", "arbetar med", "addressed",
        "planen tar upp det som mål, åtgärd eller åtagande",
        "the plans commit to it as a goal, activity or undertaking",
    ),
    "mentioned": LevelStyle(
        "#fdb863", "#222222", "yellow", "nämns", "mentioned",
        "nämns i förbigående, utan åtgärd eller åtagande",
        "mentioned in passing, without an activity or commitment",
    ),
    "not_found": LevelStyle(
        "#f0f0f0", "#555555", "dim", "hittades inte", "not found",
        "läsbara dokument, men inget stycke om det",
        "readable documents, but no passage about it",
    ),
    "cannot_assess": LevelStyle(
        "#8c8c8c", "#ffffff", "magenta", "kan inte bedömas", "cannot assess",
        "dokumenten är för korta eller svårlästa för att frånvaro ska betyda något",
        "the documents are too short or unreadable for absence to mean anything",
    ),
    "no_documents": LevelStyle(
        "#ffffff", "#777777", "dim italic", "inga dokument", "no documents",
        "inga dokument av de valda slagen från regionen",
        "no documents of the chosen kinds from this region",
    ),
}  # fmt: skip

LEVEL_COLOURS = {level: style.fill for level, style in STYLES.items()}


def level_name(level: str, lang: str = "sv") -> str:
    """The level in plain words ('arbetar med', 'not found'); unknown levels are shown as they are."""
    style = STYLES.get(level)
    return style.name(lang) if style else level


def check_language(lang: str) -> str:
    """`lang` when planmine speaks it (sv, en), else a UsageError naming the allowed values."""
    from planmine.errors import UsageError

    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language '{lang}'. Allowed: {', '.join(LANGUAGES)}.")
    return lang
