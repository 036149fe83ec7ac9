"""``mosaic search`` and ``mosaic archive …`` (export, stats, reindex)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(stderr=True)
archive_app = typer.Typer(help="The archive: research export, statistics and index upkeep.", no_args_is_help=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", envvar="MOSAIC_DATA_DIR",
                                               help="Where the embedded database lives (default ./var).")]
As = Annotated[str | None, typer.Option("--as", help="Search as this account (what it may read). Default: "
                                         "any member's view (community and research dreams).")]


def _platform(data_dir: Path | None) -> Any:
    from dream_mosaic.cli.context import build_platform, upgrade_database

    platform = build_platform(data_dir)
    upgrade_database(platform)
    return platform


def _viewer(session: Any, username: str | None, default: str | None = None) -> Any:
    """The account whose consent view the command uses. Without one: a member with no journal and no
    circles, who reads exactly the community and research dreams."""
    from sqlalchemy import select

    from dream_mosaic.core.models import User

    name = username or default
    if name:
        user = session.scalar(select(User).where(User.username == name.lower()))
        if user is None:
            console.print(f"[red]No account named {name!r}.[/]")
            raise typer.Exit(1)
        return user
    return User(id="", username="", display_name="", alias="", password_hash="", role="dreamer", disabled=False)


def search(
    query: Annotated[str, typer.Argument(help="A query in the archive's language, e.g. 'teeth* series:norms-f'.")],
    semantic: Annotated[bool, typer.Option("--semantic", help="Rank by meaning instead of matching words.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print JSON: total, selection_total, share, results.")] = False,
    limit: Annotated[int, typer.Option(help="Results to print (at most 10,000).")] = 20,
    after: Annotated[int | None, typer.Option(help="Continue after this cursor.")] = None,
    facets: Annotated[bool, typer.Option("--facets", help="Add facet counts.")] = False,
    as_user: As = None,
    data_dir: DataDir = None,
) -> None:
    """Search the archive."""
    from dream_mosaic.archive import service
    from dream_mosaic.core.errors import MosaicError

    platform = _platform(data_dir)
    with platform.db.transaction(write=False) as session:
        viewer = _viewer(session, as_user)
        try:
            page = service.search(session, viewer, query, semantic=semantic, limit=limit, after=after, facets=facets)
        except MosaicError as exc:
            console.print(f"[red]{exc.detail}[/]")
            raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(page.model_dump_json(exclude={"results": {"__all__": {"excerpt"}}}) + "\n")
        return
    share = f" ({page.share * 100:.1f}% of {page.selection_total})" if page.share is not None else ""
    typer.echo(f"{page.total} dreams match{share} · {page.query or '(everything)'} · {page.took_ms} ms")
    for hit in page.results:
        text = "".join(f"[{t}]" if marked else t for t, marked in hit.excerpt)
        typer.echo(f"\n{hit.id}  {hit.series or ''} {hit.dreamt_on or ''}\n  {text}")
    if page.next_after:
        typer.echo(f"\nmore: --after {page.next_after}")


@archive_app.command("export")
def export_cmd(
    query: Annotated[str, typer.Argument(help="The selection, e.g. 'teeth* series:norms-f'.")] = "",
    format: Annotated[str, typer.Option("--format", help="csv, jsonl or parquet.")] = "csv",
    out: Annotated[Path, typer.Option(help="Where to write the ZIP (data and data dictionary).")] = Path(
        "export.zip"),
    as_user: Annotated[str, typer.Option("--as", help="An archivist, guardian or admin account (recorded in "
                                         "the audit log).")] = "archive",
    data_dir: DataDir = None,
) -> None:
    """Export research-consented dreams, pseudonymised and masked, for research."""
    from dream_mosaic.archive import export
    from dream_mosaic.core.errors import MosaicError

    platform = _platform(data_dir)
    try:
        with platform.db.transaction() as session:
            viewer = _viewer(session, as_user)
            record = export.request(session, viewer, query, format)
            export_id = record.id
    except MosaicError as exc:
        console.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(2) from exc
    with console.status("Exporting…"):
        export.run(platform.db, export_id, platform.settings.data_dir)
    with platform.db.transaction() as session:
        viewer = _viewer(session, as_user)
        try:
            path = export.checked_file(session, viewer, export_id)
        except MosaicError as exc:
            record = export.own(session, viewer, export_id)
            console.print(f"[red]Export failed:[/] {record.error or exc.detail}")
            raise typer.Exit(1) from exc
        rows = export.own(session, viewer, export_id).rows
    shutil.copyfile(path, out)
    console.print(f"Exported {rows} dreams to {out}.")


@archive_app.command("stats")
def stats_cmd(
    query: Annotated[str, typer.Argument(help="The query.")] = "",
    by: Annotated[str, typer.Option(help="decade, year, series or sex.")] = "decade",
    compare: Annotated[tuple[str, str] | None, typer.Option(
        help="Two selections to compare, e.g. sex:F sex:M.")] = None,
    as_user: As = None,
    data_dir: DataDir = None,
) -> None:
    """Print the query's frequency by decade/year/series/sex (and a comparison) as JSON."""
    from dream_mosaic.archive import service
    from dream_mosaic.core.errors import MosaicError

    platform = _platform(data_dir)
    with platform.db.transaction(write=False) as session:
        viewer = _viewer(session, as_user)
        try:
            result: dict[str, Any] = {"frequency": service.frequency(session, viewer, query, by).model_dump()}
            if compare:
                result["comparison"] = service.compare(session, viewer, query, *compare).model_dump()
        except MosaicError as exc:
            console.print(f"[red]{exc.detail}[/]")
            raise typer.Exit(2) from exc
    sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")


@archive_app.command("reindex")
def reindex_cmd(data_dir: DataDir = None) -> None:
    """Rebuild the archive's search documents and full-text index from the dreams."""
    from dream_mosaic.archive import repository

    platform = _platform(data_dir)
    with platform.db.transaction() as session, console.status("Reindexing…"):
        n = repository.index_all(session)
        repository.rebuild_text_index(session)
    console.print(f"Indexed {n} dreams.")
    from dream_mosaic.archive import textindex

    index = textindex.index_for_engine(platform.db.engine)
    if index is not None:
        with console.status("Building the on-disk text index…"):
            built = index.rebuild()
        console.print(f"Text index: {built['documents']} documents in {built['seconds']} s "
                      f"({built['bytes'] / 1e6:.1f} MB).")


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.add_typer(archive_app, name="archive")


__all__ = ["register"]
