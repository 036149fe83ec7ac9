"""``mosaic``: serve, import, export, users, db, worker, and each feature's own commands."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dream_mosaic import __version__
from dream_mosaic.cli.context import build_platform, upgrade_database

app = typer.Typer(help="Dream Mosaic: share dreams together without losing anyone's individuality.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
console = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", envvar="MOSAIC_DATA_DIR",
                                               help="Where the embedded database lives (default ./var).")]
ROLES = ("dreamer", "guide", "guardian", "archivist", "admin")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mosaic {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Every command honours --data-dir / MOSAIC_DATA_DIR and MOSAIC_DATABASE_URL."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
    demo: Annotated[bool, typer.Option(help="Create the demo people, circle and dreams if missing.")] = False,
    jobs: Annotated[str | None, typer.Option(
        help="Background jobs: 'threads' (inside the web process, the default), 'process' (a child worker "
             "process) or 'external' (run `mosaic worker` yourself). Default: MOSAIC_SERVE_JOBS or threads.",
    )] = None,
) -> None:
    """Start the platform (migrating the database first) and its background-job worker."""
    import uvicorn

    from dream_mosaic.web.app import create_app

    if jobs is not None and jobs not in {"process", "threads", "external"}:
        raise typer.BadParameter("use process, threads or external", param_hint="--jobs")
    platform = build_platform(data_dir, **({"serve_jobs": jobs} if jobs else {}))
    upgrade_database(platform)
    if demo:
        from dream_mosaic.cli.demo import PASSWORD, PEOPLE, seed

        with platform.db.transaction() as session:
            created = seed(session)
        console.print(("Demo created." if created else "Demo already present.") +
                      f" Sign in as any of {', '.join(p[0] for p in PEOPLE)} with password [bold]{PASSWORD}[/].")
    from dream_mosaic.analysis.tasks import requeue_pending

    waiting = requeue_pending(platform)
    if waiting:
        console.print(f"Analysis queued for {waiting} dream(s) still pending.")
    platform.queue.enqueue("archive.index_missing")  # an import that a crash cut off enters the archive
    child = _start_job_worker(platform)
    console.print(f"Dream Mosaic on [bold]http://{host}:{port}[/] (database: {platform.db.url.split('?')[0]})")
    app = create_app(platform)
    if platform.settings.analysis_enabled and platform.settings.queue_in_process:
        from dream_mosaic.analysis import analyze, embed

        # Load the models now, not during someone's request (and before the app freezes what is alive).
        analyze("I dreamt of a house by the sea.")
        embed(["a house by the sea"])
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        if child is not None:
            _stop_job_worker(child)


def _start_job_worker(platform: Any) -> subprocess.Popen[bytes] | None:
    """With ``--jobs process``, run background jobs (analysis, exports, re-weaving) in a child
    ``mosaic worker`` process, so their CPU work never holds the web process's GIL. Returns the child, or
    None when jobs run as threads of the web process (``--jobs threads``, the default, or an in-memory
    queue no other process can see) or elsewhere (``--jobs external``).

    Threads are the default because they measured better on SQLite (``bench/api``, docs/architecture.md):
    a worker process runs truly alongside the requests and takes SQLite's write lock (analysis results)
    and the job queue's lock at any moment, so creates waited on locks; the embedded thread waits for a
    moment with no request in flight before each job (``core/activity.py``)."""
    mode = platform.settings.serve_jobs
    if mode == "threads" or platform.queue.url.startswith("memory"):
        platform.settings.queue_in_process = True
        return None
    platform.settings.queue_in_process = False
    if mode == "external":
        console.print(f"Background jobs wait in {platform.queue.url.split('?')[0]}: run `mosaic worker` for them.")
        return None
    # The child reads the same settings: the environment (build_platform put --data-dir in it) and cwd.
    return subprocess.Popen(
        [sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "worker",
         "--exit-with-parent", str(os.getpid())],
    )


def _stop_job_worker(child: subprocess.Popen[bytes]) -> None:
    """Stop the worker: gracefully (SIGINT lets running jobs finish), then firmly. A job cut short is
    queued again (``JobQueue._requeue_interrupted``), and jobs are idempotent."""
    for sig, wait in ((signal.SIGINT, 20.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if child.poll() is not None:
            return
        child.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(wait)


def _exit_with_parent(parent: int) -> None:
    """A worker started by ``mosaic serve`` ends when it does, even if it was killed with SIGKILL: Linux
    sends SIGTERM on the parent's death (PR_SET_PDEATHSIG); elsewhere a thread watches the parent id."""
    import ctypes
    import threading
    import time

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before we could ask to follow it
        raise typer.Exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="mosaic-parent-watch", daemon=True).start()


@app.command()
def worker(
    data_dir: DataDir = None,
    exit_with_parent: Annotated[int | None, typer.Option(hidden=True, help="Stop when this process ends.")] = None,
) -> None:
    """Run background jobs in this process (`mosaic serve --jobs process` starts one; run more for a redis://
    queue)."""
    if exit_with_parent is not None:
        _exit_with_parent(exit_with_parent)
    platform = build_platform(data_dir, queue_in_process=False)
    upgrade_database(platform)
    console.print(f"Worker on queue {platform.queue.url}")
    platform.queue.run_worker_forever()


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply every pending migration."""
    platform = build_platform(data_dir)
    upgrade_database(platform)
    console.print("Database is up to date.")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "dreamer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    display_name: Annotated[str | None, typer.Option(help="Name shown on 'named' dreams.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an account."""
    from dream_mosaic.core import auth
    from dream_mosaic.governance.schemas import SignUp
    from dream_mosaic.governance.service import record

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        SignUp(username=name, password=password)
    except Exception as exc:  # pydantic's message is the clearest we have
        console.print(f"[red]Cannot create {name!r}:[/] {exc}")
        raise typer.Exit(2) from exc
    platform = build_platform(data_dir)
    upgrade_database(platform)
    from sqlalchemy.exc import IntegrityError

    try:
        with platform.db.transaction() as session:
            user = auth.create_user(session, name, password, role, display_name)
            record(session, None, "account.created", user.id, role=role, via="cli")
    except IntegrityError as exc:
        console.print(f"[red]The username {name!r} is taken.[/]")
        raise typer.Exit(1) from exc
    console.print(f"Created {name} ({role}).")


def _owner(platform, username: str | None, create_role: str = "archivist"):  # type: ignore[no-untyped-def]
    """The account imported dreams belong to: --owner, or an 'archive' account made for the purpose."""
    import secrets

    from sqlalchemy import select

    from dream_mosaic.core import auth
    from dream_mosaic.core.models import User

    name = (username or "archive").lower()
    with platform.db.transaction() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            if username:
                console.print(f"[red]No account named {username!r}.[/] Create it with `mosaic users create`.")
                raise typer.Exit(1)
            user = auth.create_user(session, name, secrets.token_urlsafe(24), create_role, "Dream archive")
        return user


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A file or folder to import.")],
    format: Annotated[str, typer.Option("--format", help="auto, dreambank, csv, json, jsonl or text.")] = "auto",
    owner: Annotated[str | None, typer.Option(help="Account that owns the dreams (default: 'archive').")] = None,
    visibility: Annotated[str | None, typer.Option(
        help="Override every dream's visibility: private, circle, community or research.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Import dreams: Dream Mosaic exports, plain-text folders, or DreamBank's TSV (series become collections)."""
    from dream_mosaic.journal import formats, service

    if visibility and visibility not in {"private", "community", "research"}:
        raise typer.BadParameter("use private, community or research", param_hint="--visibility")
    if format not in formats.FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(formats.FORMATS)}", param_hint="--format")
    platform = build_platform(data_dir)
    upgrade_database(platform)
    user = _owner(platform, owner)
    size = path.stat().st_size if path.is_file() else 0
    progress = Progress(TextColumn("[bold]Importing"), BarColumn(), MofNCompleteColumn(), TextColumn("dreams"),
                        TimeElapsedColumn(), console=console)
    rejected: list[str] = []
    started = time.perf_counter()
    try:
        with progress, platform.db.transaction() as session:
            task = progress.add_task("import", total=None)
            imported, skipped = service.import_stream(
                session, user, formats.read_path(path, format), visibility=visibility,
                on_progress=lambda n: progress.advance(task, n), errors=rejected,
            )
    except formats.FormatError as exc:
        console.print(f"[red]Import stopped:[/] {exc} Dreams before that point were saved.")
        raise typer.Exit(2) from exc
    except Exception as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            console.print(f"[red]Import stopped at an invalid dream:[/] {exc.errors()[0]['msg']}. "
                          "Dreams before that point were saved.")
            raise typer.Exit(2) from exc
        raise
    seconds = time.perf_counter() - started
    indexed, index_seconds = _index_for_search(platform)
    for reason in rejected[:20]:
        console.print(f"[yellow]Not imported:[/] {reason}")
    if len(rejected) > 20:
        console.print(f"[yellow]… and {len(rejected) - 20} more not imported.[/]")
    console.print(f"Imported {imported} dreams, skipped {skipped} already present"
                  + (f", left out {len(rejected)} invalid" if rejected else "")
                  + (f" ({size / 1e6:.1f} MB read)" if size else "")
                  + f" in {seconds:.1f} s"
                  + (f"; indexed {indexed} for search in {index_seconds:.1f} s." if indexed else "."))


def _index_for_search(platform: Any) -> tuple[int, float]:
    """The archive takes an import's dreams in just after they are durable: do that now, in the foreground,
    so that the import is searchable when the command returns. Returns (dreams indexed, seconds)."""
    from dream_mosaic.archive.tasks import index_missing, missing_docs, refresh_text_index

    started = time.perf_counter()
    ids = missing_docs(platform.db)
    if not ids:
        return 0, 0.0
    progress = Progress(TextColumn("[bold]Indexing for search"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("dreams"), TimeElapsedColumn(), console=console)
    with progress:
        task = progress.add_task("index", total=len(ids))
        index_missing(platform.db, on_progress=lambda n: progress.advance(task, n), ids=ids)
    with console.status("Updating the archive's text index …"):
        refresh_text_index(platform.db)
    return len(ids), time.perf_counter() - started


@app.command()
def export(
    owner: Annotated[str, typer.Option(help="Whose journal to export.")],
    format: Annotated[str, typer.Option("--format", help="json, csv or jsonl.")] = "json",
    out: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export one person's whole journal."""
    from sqlalchemy import select

    from dream_mosaic.core.models import User
    from dream_mosaic.journal import formats, service

    if format not in {"json", "csv", "jsonl"}:
        raise typer.BadParameter("use json, csv or jsonl", param_hint="--format")
    platform = build_platform(data_dir)
    upgrade_database(platform)
    with platform.db.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.username == owner.lower()))
        if user is None:
            console.print(f"[red]No account named {owner!r}.[/]")
            raise typer.Exit(1)
        with (out.open("w", encoding="utf-8", newline="") if out else contextlib.nullcontext(sys.stdout)) as handle:
            records = service.export_journal(session, user)
            if format == "json":
                formats.write_json(records, handle)
            elif format == "jsonl":
                formats.write_jsonl(records, handle)
            else:
                formats.write_csv(records, handle, service.EXPORT_FIELDS)
    if out:
        console.print(f"Wrote {out}.")


def _register_features() -> None:
    """Features that bring their own commands (analysis, archive, mosaic, circles) add them here."""
    import importlib

    def optional(module: str) -> Any:
        """The module, or None if it (or its feature) is absent; a broken import inside it still raises."""
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name not in (module, module.rsplit(".", 1)[0]):
                raise
            return None

    for name in ("analysis", "archive", "mosaic", "circles"):
        # Job modules first: `mosaic worker` must know every job, and `mosaic import` must queue them.
        optional(f"dream_mosaic.{name}.tasks")
        module = optional(f"dream_mosaic.{name}.commands")
        if module is not None:
            module.register(app)


_register_features()


def main() -> None:
    app()


__all__ = ["app", "main"]
