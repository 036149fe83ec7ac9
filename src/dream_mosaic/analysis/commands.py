"""CLI: ``mosaic analyze --input TEXTS.jsonl --output OUT.jsonl`` and ``mosaic evaluate CODED.csv --json``."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def analyze_jsonl(input_path: Path, output_path: Path, batch: int = 256, show_progress: bool = True,
                  cast: Mapping[str, str] | None = None) -> int:
    """Analyse one JSON object per line (``id``, ``text``, optionally ``cast``: ``{"Frank": "husband"}``, the
    names its dreamer has said who they are) into one full analysis per line. ``cast`` (name -> relation or
    HVdC code) applies to every line; a line's own adds to it. Returns the count."""
    from . import analyze_many
    from .cast import CastError, build_cast, codes, groups_by_cast

    lines = [ln for ln in input_path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    records: list[tuple[dict[str, Any], dict[str, str]]] = []
    for n, ln in enumerate(lines, 1):
        try:
            obj = json.loads(ln)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"line {n}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or "text" not in obj:
            raise typer.BadParameter(f"line {n}: expected an object with 'id' and 'text'")
        own = obj.get("cast") or {}
        if not isinstance(own, dict):
            raise typer.BadParameter(f"line {n}: 'cast' must be an object such as {{\"Frank\": \"husband\"}}")
        try:
            people = codes(build_cast({**(cast or {}), **own}.items()))
        except CastError as exc:
            raise typer.BadParameter(f"line {n}: {exc}") from exc
        records.append((obj, people))
    written = 0
    with output_path.open("w", encoding="utf-8") as out, _progress() as progress:
        task = progress.add_task("Analysing", total=len(records), visible=show_progress)
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            results: dict[int, Any] = {}
            for idx in groups_by_cast([people for _obj, people in chunk]):
                texts = [str(chunk[i][0]["text"]) for i in idx]
                for i, analysis in zip(idx, analyze_many(texts, chunk[idx[0]][1]), strict=True):
                    results[i] = analysis
            for i, (obj, _people) in enumerate(chunk):
                row = {"id": obj.get("id"), **results[i].model_dump(mode="json")}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
            progress.update(task, advance=len(chunk))
    return written


def _read_focus(values: list[str]) -> dict[str, list[str]]:
    """``["ed=1FWA"]`` -> ``{"ed": ["1FWA"]}``, each code checked to be an HVdC character code."""
    from .indicators import parse_character

    out: dict[str, list[str]] = {}
    for value in values:
        series, sep, codes = value.partition("=")
        wanted = [c.strip() for c in codes.split(",") if c.strip()]
        if not sep or not series.strip() or not wanted:
            raise typer.BadParameter(f"{value!r}: expected SERIES=CODE such as ed=1FWA", param_hint="--focus")
        for code in wanted:
            if not parse_character(code)[2]:
                raise typer.BadParameter(f"{code!r} is not an HVdC character code such as 1FWA", param_hint="--focus")
        out.setdefault(series.strip(), []).extend(wanted)
    return out


def _read_cast(path: Path) -> dict[str, str]:
    try:
        people = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path}: not JSON ({exc.msg})", param_hint="--cast") from exc
    if not isinstance(people, dict) or not all(isinstance(v, str) for v in people.values()):
        raise typer.BadParameter(f'{path}: expected an object such as {{"Frank": "husband"}}', param_hint="--cast")
    return people


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``evaluate`` to the ``mosaic`` command line."""

    @app.command("analyze")
    def analyze_command(
        input: Annotated[
            Path | None,
            typer.Option("--input", exists=True, dir_okay=False, help="JSON lines with 'id' and 'text'."),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", dir_okay=False, help="Where to write one analysis per line.")
        ] = None,
        all_: Annotated[bool, typer.Option("--all", help="Re-analyse the stored dreams (only what changed).")] = False,
        since: Annotated[
            datetime | None,
            typer.Option(
                "--since", formats=["%Y-%m-%d"], help="Re-analyse stored dreams written or edited since DATE."
            ),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="With --all/--since: recompute what is current.")] = False,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", envvar="MOSAIC_DATA_DIR")] = None,
        cast_file: Annotated[
            Path | None,
            typer.Option("--cast", exists=True, dir_okay=False,
                         help='With --input: JSON {"Frank": "husband", ...}, names every text\'s dreamer declared.'),
        ] = None,
    ) -> None:
        """Analyse texts without storing them (--input/--output), or re-analyse stored dreams (--all, --since)."""
        if all_ or since is not None:
            from .reanalysis import reanalyse_stored

            reanalyse_stored(data_dir, since, force, console)
            return
        if input is None or output is None:
            raise typer.BadParameter("give --input and --output, or --all / --since DATE", param_hint="--input")
        declared = _read_cast(cast_file) if cast_file else None
        n = analyze_jsonl(input, output, cast=declared)
        console.print(f"Analysed {n} texts into {output}")

    @app.command("evaluate")
    def evaluate_command(
        coded: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="Human HVdC codes, in the format of hvdc_coded.csv.")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print the full result as one JSON object.")] = False,
        folds: Annotated[int, typer.Option(help="Cross-validation folds for the learned layer.")] = 5,
        cast: Annotated[
            Path | None,
            typer.Option(
                "--cast",
                exists=True,
                dir_okay=False,
                help='JSON {series: {name: HVdC code}}: people the dreamers declared, e.g. {"ed": {"Mary": "1FWA"}}.',
            ),
        ] = None,
        no_cv: Annotated[
            bool, typer.Option("--no-cv", help="Score the shipped model as is (only for a file it was not trained on).")
        ] = False,
        focus: Annotated[
            list[str] | None,
            typer.Option(
                "--focus",
                help="SERIES=CODE[,CODE]: a series coded for the dreamer's relations with these characters only "
                "(e.g. ed=1FWA); its indicators are computed over the same scope. Repeatable.",
            ),
        ] = None,
    ) -> None:
        """Score the analysis against human coders (emotions by cross-validation)."""
        from .evaluate import evaluate

        with _progress() as progress:
            tasks: dict[str, Any] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage.capitalize(), total=total)
                progress.update(tasks[stage], completed=done)

            declared = json.loads(cast.read_text()) if cast else None
            scopes = _read_focus(focus or [])
            result = evaluate(
                coded, folds=folds, cross_validate=not no_cv, progress=report, cast=declared, focus=scopes or None
            )
        if as_json:
            sys.stdout.write(json.dumps(result, indent=2) + "\n")
            return
        table = Table(title=f"Emotions ({result['protocol']})")
        table.add_column("subset")
        for c in ("AN", "AP", "SD", "CO", "HA"):
            table.add_column(f"{c} F1")
        table.add_column("macro F1")
        table.add_column("micro F1")
        for subset in ("all_reports", "emotion_bearing", "emotion_bearing_trained_on_emotion_bearing"):
            s = result["emotions"].get(subset)
            if not s:
                continue
            table.add_row(
                subset,
                *[f"{s[c]['f1']:.3f}" for c in ("AN", "AP", "SD", "CO", "HA")],
                f"{s['macro_f1']:.3f}",
                f"{s['micro_f1']:.3f}",
            )
        Console().print(table)
        for protocol, source in (result["emotions"].get("encoder") or {}).items():
            Console().print(f"Encoder column, {protocol}: {source}")
        ch = result["characters"]
        Console().print(
            f"Characters per report: r = {ch['per_report_count']['pearson_r']}, "
            f"MAE = {ch['per_report_count']['mae']}, of the wrong kind "
            f"{ch['per_report_category_error']['mean']}; character indicators MAE "
            f"{ch['indicators']['mae_points_character_indicators']} points per series; "
            f"{result['reports_per_second']} reports/s"
        )
