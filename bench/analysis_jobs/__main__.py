"""DreamBank (29,089 dreams) imported with analysis on: how many jobs are queued, and how fast the queue
turns them into stored analyses, end to end (read dreams, full pipeline, embedding, write rows).

Runs the default configuration: an SQLite database and Huey's SQLite job queue in a fresh directory
(``--backend postgres`` stores in a fresh PostgreSQL database instead). The queued jobs are drained in
this process, one after the other (what one worker thread does). Then every dream is checked again with
``mosaic analyze --all``'s code path, which must find everything current and compute nothing.

    python -m bench analysis_jobs [--backend sqlite|postgres] [--file PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

from bench import scratch_database, write_result

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TSV = REPO.parent / "shared" / "data" / "dreambank" / "dreambank.tsv"


def run(backend: str, tsv: Path, limit: int | None) -> dict[str, Any]:
    import resource

    from sqlalchemy import func, select

    from dream_mosaic.analysis import service, tasks  # noqa: F401  (tasks: analysis follows imports)
    from dream_mosaic.analysis.models import AnalysisRecord
    from dream_mosaic.core import auth
    from dream_mosaic.core.platform import Platform
    from dream_mosaic.core.settings import Settings
    from dream_mosaic.journal import formats
    from dream_mosaic.journal import service as journal
    from dream_mosaic.migrations import upgrade

    with scratch_database(backend, "mosaic-bench-analysis-jobs-") as (url, tmp):
        upgrade(url)
        platform = Platform(Settings(data_dir=tmp, database_url=url, secret_key="bench",
                                     queue_url=f"sqlite:///{tmp / 'jobs.db'}", queue_in_process=False))
        with platform.db.transaction() as session:
            owner = auth.create_user(session, "archive", "bench-password-1", "archivist", "Dream archive")
        records = formats.read_path(tsv, "dreambank")
        if limit:
            records = islice(records, limit)

        started = time.perf_counter()
        with platform.db.transaction() as session:
            owner = session.merge(owner)
            rejected: list[str] = []  # reports the journal refuses (e.g. longer than it accepts)
            imported, _ = journal.import_stream(session, owner, records, errors=rejected)
        import_seconds = time.perf_counter() - started
        jobs = platform.queue.pending_count()

        from dream_mosaic.analysis import analyze, embed

        analyze("I was scared.")  # load the models before the clock starts
        embed(["warm"])
        cpu = time.process_time()
        started = time.perf_counter()
        ran = platform.queue.drain()
        drain_seconds = time.perf_counter() - started
        drain_cpu = time.process_time() - cpu
        with platform.db.transaction(write=False) as session:
            stored = session.scalar(select(func.count()).select_from(AnalysisRecord).where(
                AnalysisRecord.status == "done"))
            failed = session.scalar(select(func.count()).select_from(AnalysisRecord).where(
                AnalysisRecord.status == "failed"))

        started = time.perf_counter()
        totals = service.reanalyse(platform.db)
        recheck_seconds = time.perf_counter() - started
        db_mb = (tmp / "mosaic.db").stat().st_size / 2**20 if backend == "sqlite" else None
        platform.close()
        return {
            "backend": backend,
            "dreams": imported,
            "rejected_by_import": len(rejected),
            "jobs_queued": jobs,
            "jobs_run": ran,
            "import_seconds": round(import_seconds, 2),
            "analysis_seconds": round(drain_seconds, 2),
            "analysis_cpu_seconds": round(drain_cpu, 2),
            "stored_dreams_per_second": round(imported / drain_seconds, 1),
            "stored_dreams_per_cpu_second": round(imported / drain_cpu, 1),
            "stored_done": stored,
            "stored_failed": failed,
            "recheck_seconds": round(recheck_seconds, 2),
            "recheck_recomputed": totals.analysed,
            "recheck_dreams_per_second": round(imported / recheck_seconds, 1),
            "sqlite_file_mb": round(db_mb, 1) if db_mb is not None else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis_jobs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--file", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N dreams (smoke runs).")
    args = parser.parse_args()
    if not args.file.exists():
        print(f"{args.file} not found: the benchmark needs ../shared/data/dreambank/dreambank.tsv", file=sys.stderr)
        return 2
    r = run(args.backend, args.file, args.limit)
    print(f"{r['backend']}: {r['dreams']} dreams imported in {r['import_seconds']} s, {r['jobs_queued']} jobs queued")
    print(f"analysed and stored in {r['analysis_seconds']} s = {r['stored_dreams_per_second']} dreams/s "
          f"(one worker thread; {r['analysis_cpu_seconds']} CPU s = {r['stored_dreams_per_cpu_second']} dreams per "
          f"CPU second); done {r['stored_done']}, "
          f"failed {r['stored_failed']}")
    print(f"re-check of everything: {r['recheck_seconds']} s, recomputed {r['recheck_recomputed']} "
          f"({r['recheck_dreams_per_second']} dreams/s); peak RSS {r['peak_rss_mb']} MB"
          + (f"; SQLite file {r['sqlite_file_mb']} MB" if r["sqlite_file_mb"] is not None else ""))
    import platform as host

    result = {"benchmark": "analysis_jobs", "file": args.file.name, "limit": args.limit,
              "machine": {"cpus": os.cpu_count(), "python": host.python_version()},
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "run": r}
    if not args.limit:
        print(f"wrote {write_result('analysis_jobs', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
