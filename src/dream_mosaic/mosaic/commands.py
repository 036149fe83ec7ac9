"""``mosaic weave (--circle ID | --query QUERY) [--format html|md|json|pdf] [--out FILE]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("weave")
    def weave(
        circle: Annotated[str | None, typer.Option("--circle", help="Weave this circle's consented dreams.")] = None,
        query: Annotated[str | None, typer.Option(
            "--query", help="Weave an archive selection (the archive's query language).")] = None,
        format: Annotated[str, typer.Option("--format", help="html, md, json or pdf.")] = "html",
        out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output).")] = None,
        as_user: Annotated[str | None, typer.Option(
            "--as", help="Whose consent view to weave from: default the circle's first guide, or for --query "
                         "the 'archive' account that owns imported series.")] = None,
        title: Annotated[str | None, typer.Option(help="Title of the mosaic.")] = None,
        narrate: Annotated[bool, typer.Option(
            help="Add narration from MOSAIC_NARRATOR_URL (marked generated).")] = False,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", envvar="MOSAIC_DATA_DIR",
                                                       help="Where the embedded database lives.")] = None,
    ) -> None:
        """Weave a mosaic and write it in one format. Nothing is stored: use the page or the API to review
        and publish."""
        from dream_mosaic.cli.context import build_platform, upgrade_database
        from dream_mosaic.core.errors import MosaicError
        from dream_mosaic.mosaic import service
        from dream_mosaic.mosaic.render import render
        from dream_mosaic.mosaic.repository import MosaicRepository
        from dream_mosaic.mosaic.schemas import FORMATS

        if (circle is None) == (query is None):
            raise typer.BadParameter("give exactly one of --circle or --query", param_hint="--circle/--query")
        if format not in FORMATS:
            raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
        if format == "pdf" and out is None and sys.stdout.isatty():
            raise typer.BadParameter("a PDF goes to a file: add --out FILE", param_hint="--out")
        platform = build_platform(data_dir)
        upgrade_database(platform)
        with platform.db.transaction(write=False) as session:
            repo = MosaicRepository(session)
            if as_user:
                viewer = repo.user_by_name(as_user)
            elif circle:
                found = repo.circle(circle)
                guide = next((m for m in (found.members if found else []) if m.role == "guide"), None)
                viewer = guide.user if guide else None
            else:
                viewer = repo.user_by_name("archive")
            if viewer is None:
                console.print("[red]No account to weave as.[/] Pass --as USERNAME (a member of the circle, or "
                              "someone who may read the selected dreams).")
                raise typer.Exit(1)
            try:
                if circle:
                    doc = service.weave_circle(session, viewer, circle, title=title, narrate=narrate,
                                               settings=platform.settings)
                else:
                    doc = service.weave_query(session, viewer, query or "", title=title, narrate=narrate,
                                              settings=platform.settings)
            except MosaicError as exc:
                console.print(f"[red]{exc.detail}[/]")
                raise typer.Exit(1) from exc
        data = render(doc, format)
        if out:
            out.write_bytes(data)
            console.print(f"Wrote {out} ({len(doc.fragments)} fragments, {len(data):,} bytes).")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
