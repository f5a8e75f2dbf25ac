"""`planmine serve`: the web app and JSON API over a store."""

from __future__ import annotations

from pathlib import Path

import typer

from planmine.cli._app import StoreOption, app, console, err_console, handle_errors, store_path

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
@handle_errors
def serve(
    store: Path | None = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="File whose first line is the write token (default: $PLANMINE_TOKEN)."
    ),
    max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", min=0.01, help="Largest upload accepted."),
    no_model: bool = typer.Option(False, "--no-model", help="Lexical matching only (no embedding model)."),
) -> None:
    """Serve the web app (Fråga, Jämför, Dokument, Teman, Ladda upp) and the JSON API under /api/.

    Reading is open to whoever reaches the address; uploads need `Authorization: Bearer <token>` with the
    token of $PLANMINE_TOKEN or --token-file, and are off without one. The API is described at /api/docs.

    Example: planmine serve --store outputs/planmine.db --port 8000  (uploads: export PLANMINE_TOKEN first)
    """
    import uvicorn

    from planmine.web import WebConfig, create_app, load_token

    token = load_token(token_file)
    config = WebConfig(
        store=store_path(store),
        token=token,
        max_upload_bytes=int(max_upload_mb * 1024**2),
        model=not no_model,
        warm=True,
    )
    if host not in LOOPBACK:
        err_console.print(
            f"[yellow]warning:[/] binding {host}: everyone who reaches this address can read the store."
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"planmine serves {config.store} at http://{shown}:{port}/ "
        f"(writing {'on, with the token' if token else 'off: set PLANMINE_TOKEN to allow uploads'})",
        highlight=False,
    )
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", workers=1)
