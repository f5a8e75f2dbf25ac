"""`planmine tags` and `planmine show`: the tagged goals, activities, actors ... read from the store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from planmine.cli._app import StoreOption, app, console, handle_errors, print_json, store_path
from planmine.errors import UsageError
from planmine.store import Store, StoredTag

TAG_KINDS = ("goal", "activity", "indicator", "actor", "target_group", "time", "requirement")


def tag_record(tag: StoredTag) -> dict[str, object]:
    """The JSON shape of one tag (the CLI contract)."""
    record: dict[str, object] = {
        "kind": tag.kind,
        "text": tag.text,
        "label": tag.label,
        "region": tag.region,
        "document": tag.document,
        "document_id": tag.document_id,
        "page": tag.page,
        "section": tag.section,
        "passage_kind": tag.passage_kind,
        "commitment": tag.commitment,
        "actors": list(tag.actors),
    }
    if tag.kind == "activity":
        record["goal"] = tag.goal
    return record


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in TAG_KINDS:
        raise UsageError(f"Unknown tag kind '{kind}'. Choose one of: {', '.join(TAG_KINDS)}.")


@app.command()
@handle_errors
def tags(
    kind: str | None = typer.Option(
        None, "--kind", help="Only this kind: goal, activity, indicator, actor, target_group, time."
    ),
    region: str | None = typer.Option(None, "--region", help="Only documents of this region."),
    as_json: bool = typer.Option(False, "--json", help="One JSON array of tag objects."),
    store: Path | None = StoreOption,
) -> None:
    """List tagged items: kind, text, region, document, page, section, commitment, actors, goal.

    Example: planmine tags --kind activity --region "Region Kalmar län" --json
    """
    _check_kind(kind)
    with Store(store_path(store), create=False) as db:
        if region:
            from planmine.regions import canonical_region

            region = canonical_region(region)
        rows = db.tags(kind=kind, region=region)
    if as_json:
        print_json([tag_record(t) for t in rows])
        return
    table = Table("kind", "text", "region", "document", "p.", "section", "commitment", "actors / goal")
    for t in rows:
        extra = ", ".join(t.actors)
        if t.kind == "activity" and t.goal:
            extra = (extra + " · " if extra else "") + f"goal: {t.goal[:60]}"
        if t.kind in ("actor", "target_group", "time") and t.label and t.label != t.text:
            extra = t.label
        table.add_row(
            t.kind,
            escape(t.text[:100]),
            escape(t.region),
            escape(t.document),
            str(t.page),
            escape(t.section[-50:]),
            t.commitment or "",
            escape(extra),
        )
    console.print(table)
    console.print(f"{len(rows)} tags", highlight=False)


@app.command()
@handle_errors
def show(
    document: str = typer.Argument(..., help="Document id or file name (see `planmine docs`)."),
    store: Path | None = StoreOption,
) -> None:
    """Print a document's structure: sections, passages with their kind, tags, goal → activities.

    Example: planmine show kalmar_handlingsplaner-lansgemensam-ledning_2023-2024.txt
    """
    with Store(store_path(store), create=False) as db:
        doc = db.document(document)
        passages = db.passages(document_id=doc.id)
        stored = db.tags(document_id=doc.id)
    console.print(
        f"[bold]{escape(doc.name)}[/] — {escape(doc.region)}, {len(passages)} passages", highlight=False
    )
    by_passage: dict[int, list[StoredTag]] = {}
    for t in stored:
        by_passage.setdefault(t.passage_id, []).append(t)
    for p in passages:
        depth = max(len(p.section) - 1, 0)
        indent = "  " * depth
        if p.kind == "heading":
            console.print(
                f"\n{indent}[bold cyan]§ {escape(p.section_path)}[/] (p. {p.page})", highlight=False
            )
            continue
        text = " ".join(p.text.split())
        console.print(f"{indent}  [dim]{p.kind}[/] {escape(text[:140])}", highlight=False)
        for t in by_passage.get(p.id or -1, []):
            if t.kind in ("goal", "activity", "indicator"):
                extra = f" [{t.commitment}]" if t.commitment else ""
                if t.actors:
                    extra += f" actors: {', '.join(t.actors)}"
                console.print(
                    f"{indent}    [green]{t.kind}[/]{escape(extra)}: {escape(t.text[:100])}", highlight=False
                )
    goals = {t.id: t for t in stored if t.kind == "goal"}
    if goals:
        console.print("\n[bold]Goals → activities[/]", highlight=False)
        for goal_id, goal in goals.items():
            console.print(f"• {escape(goal.text[:120])}", highlight=False)
            for t in stored:
                if t.kind == "activity" and t.goal_id == goal_id:
                    console.print(f"    → {escape(t.text[:110])}", highlight=False)
