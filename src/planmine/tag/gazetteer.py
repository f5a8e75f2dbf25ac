"""Gazetteers of actors and target groups: phrase → one normalised name, loaded from package data."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from planmine.regions import all_regions
from planmine.segment import fold


def _load(name: str) -> list[dict[str, object]]:
    text = files("planmine.data").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return list(data or [])


@cache
def actor_phrases() -> dict[str, str]:
    """Folded phrase → normalised actor name (gazetteer, the 21 regions and their municipalities)."""
    phrases: dict[str, str] = {}
    for region in all_regions():
        base = region.name.removesuffix(" län")
        forms = {region.name, base, base + "s", region.name + "s"}
        forms |= {a for a in region.aliases if fold(a).startswith(("region ", "landsting"))}
        for form in forms:
            phrases[fold(form)] = region.name
        for place in region.municipalities:
            for form in (f"{place} kommun", f"{place}s kommun", f"{place} kommuns"):
                phrases[fold(form)] = f"{place} kommun"
    for entry in _load("actors.yaml"):
        name = str(entry["name"])
        phrases[fold(name)] = name
        for alias in entry.get("aliases", []) or []:  # type: ignore[attr-defined]
            phrases[fold(str(alias))] = name
    return phrases


@cache
def target_group_phrases() -> dict[str, str]:
    """Folded phrase → normalised target group."""
    phrases: dict[str, str] = {}
    for entry in _load("target_groups.yaml"):
        name = str(entry["name"])
        for alias in [name, *(entry.get("aliases", []) or [])]:  # type: ignore[misc]
            phrases[fold(str(alias))] = name
    return phrases


def normalise_actor(text: str) -> str:
    """The normalised name of an actor phrase, or the phrase itself tidied when the gazetteer lacks it."""
    key = fold(text).strip(" .,:;")
    phrases = actor_phrases()
    if key in phrases:
        return phrases[key]
    for phrase in sorted(phrases, key=len, reverse=True):  # a known actor inside a longer phrase
        if len(phrase) > 3 and f" {phrase} " in f" {key} ":
            return phrases[phrase]
    tidy = " ".join(text.strip(" .,:;").split())
    return tidy[:1].upper() + tidy[1:]
