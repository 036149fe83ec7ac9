"""``mosaic analyze --all | --since DATE``: re-analyse stored dreams in this process, with a progress bar.

Only what changed is computed: a dream whose stored analysis is of its current text, by the current
component versions and embedding model, is skipped (``--force`` recomputes everything).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dream_mosaic.analysis import service


def reanalyse_stored(data_dir: Path | None, since: datetime | None, force: bool, console: Console) -> None:
    from dream_mosaic.cli.context import build_platform, upgrade_database

    platform = build_platform(data_dir, queue_in_process=False)
    upgrade_database(platform)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    progress = Progress(TextColumn("[bold]Analysing"), BarColumn(), MofNCompleteColumn(), TextColumn("dreams"),
                        TimeElapsedColumn(), console=console)
    with progress:
        task = progress.add_task("analyse", total=None)
        totals = service.reanalyse(
            platform.db, since=since, force=force,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(f"Analysed {totals.analysed} dreams; {totals.current} were already up to date"
                  + (f"; {totals.gone} were deleted or edited meanwhile" if totals.gone else "")
                  + (f"; [red]{totals.failed} failed[/]" if totals.failed else "") + ".")
    for dream_id, error in list(totals.errors.items())[:10]:
        console.print(f"[red]Dream {dream_id}:[/] {error}")
    platform.close()
    if totals.failed:
        raise typer.Exit(1)
