"""Build a large synthetic archive (1,000,000 dreams by default) straight into a database, fast.

Every dream is 3 to 14 real DreamBank sentences drawn at random (seeded) and joined with a space, in one
of 400 synthetic series (with a dreamer sex and a timeframe) and, for two dreams in three, a night in its
series' timeframe (``bench/search/corpus.py`` makes the same dreams as a TSV for the importer).

The rows go in by bulk insert (the import path, dream by dream, would take hours at this size):
``dreams``, the archive's search documents ``archive_docs``, and ``dream_analyses`` rows carrying only an
embedding. The embedding is exact, not approximated: the analysis engine's WordLlama vector is the mean of
the text's token vectors, each space-separated chunk tokenised alone, so a dream's vector is the sum of its
sentences' token-vector sums divided by the sum of their token counts, normalised
(``tests/archive/test_archive_million.py`` checks it against ``analysis.embed``).

What the synthetic dreams do NOT carry: an HVdC analysis (their ``dream_analyses`` rows are ``pending``,
so ``emotion:``, ``character:`` and ``interaction:`` filters match none of them), tags, flags, ages, titles.
All belong to one owner and are ``research``-visible, like an imported DreamBank.

    python -m bench.search.million --dreams 1000000 --out /work/scratch/m1 --backends sqlite,postgres

writes ``<out>/mosaic.db`` (SQLite) and a PostgreSQL database ``mosaic_million`` (dropped first if it
exists), then builds the full-text index (FTS5 rebuild; PostgreSQL: the GIN and trigram indexes) and
reports the times in ``<out>/build.json``. The archive's own fast indexes (``archive.textindex`` and the
semantic index) are built by ``mosaic archive reindex`` or by the benchmark, which times them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.search.corpus import DREAMBANK, sentences

PG_ADMIN_URL = os.environ.get("MOSAIC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_NAME = "mosaic_million"
BATCH = 10_000


def sentence_vectors(pool: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence: the sum of its WordLlama token vectors (float64) and its number of tokens."""
    from dream_mosaic.analysis.embedding import _load, token_ids

    table = _load().embedding
    sums = np.zeros((len(pool), table.shape[1]), dtype=np.float64)
    counts = np.zeros(len(pool), dtype=np.int64)
    for i, s in enumerate(pool):
        ids = token_ids(s)
        if ids:
            sums[i] = table[ids].sum(axis=0, dtype=np.float64)
            counts[i] = len(ids)
    return sums, counts


def series_table(rng: random.Random) -> list[tuple[str, str, str, str]]:
    out = []
    for i in range(400):
        start = rng.randrange(1940, 2015)
        sex = rng.choice(["female", "male"])
        out.append((f"syn-{i:03d}", f"Synthetic series {i} ({sex[0].upper()})", sex,
                    f"{start}-{start + rng.randrange(1, 9)}"))
    return out


def dreams(n: int, seed: int = 7) -> Any:
    """Yield batches of (rows of dicts, embedding matrix) for ``n`` synthetic dreams."""
    from dream_mosaic.archive.rules import period_of, word_count

    rng = random.Random(seed)
    pool = sentences(DREAMBANK)
    sums, counts = sentence_vectors(pool)
    series = series_table(rng)
    yield series
    batch: list[dict[str, Any]] = []
    picks: list[list[int]] = []
    for k in range(n):
        slug, _name, sex, timeframe = series[rng.randrange(len(series))]
        chosen = [rng.randrange(len(pool)) for _ in range(rng.randint(3, 14))]
        text = " ".join(pool[i] for i in chosen)
        start = int(timeframe[:4])
        night = (date(start + rng.randrange(0, 8), rng.randint(1, 12), rng.randint(1, 28))
                 if rng.random() < 0.67 else None)
        year, decade = period_of(night, timeframe)
        batch.append({"k": k, "slug": slug, "sex": "F" if sex == "female" else "M", "text": text, "night": night,
                      "year": year, "decade": decade, "words": word_count(text)})
        picks.append(chosen)
        if len(batch) == BATCH or k == n - 1:
            lengths = np.fromiter((len(p) for p in picks), dtype=np.int64)
            flat = np.fromiter((i for p in picks for i in p), dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            vec = np.add.reduceat(sums[flat], starts, axis=0) / np.add.reduceat(counts[flat], starts)[:, None]
            norms = np.linalg.norm(vec, axis=1, keepdims=True)
            np.divide(vec, norms, out=vec, where=norms > 0)
            yield batch, vec.astype("<f4")
            batch, picks = [], []


def build(url: str, n: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, insert, text

    from dream_mosaic.analysis.embedding import MODEL_NAME
    from dream_mosaic.analysis.models import AnalysisRecord
    from dream_mosaic.archive.models import ArchiveDoc
    from dream_mosaic.core import auth
    from dream_mosaic.core.models import Collection, Dream
    from dream_mosaic.migrations import upgrade

    upgrade(url)
    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    out: dict[str, Any] = {"dreams": n}
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        owner = auth.create_user(session, "archive", "bench-password-1", "archivist", "Dream archive")
        reader = auth.create_user(session, "reader", "bench-password-1", "archivist", "Reader")
        out["token"] = auth.issue_token(session, reader, "api")
        owner_id = owner.id
    started = time.perf_counter()
    gen = dreams(n)
    series = next(gen)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        else:  # the full-text indexes are built once at the end, not row by row
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_archive_docs_tsv")
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_archive_docs_trgm")
        coll_ids = {}
        for slug, name, sex, timeframe in series:
            cid = hashlib.md5(slug.encode()).hexdigest()
            coll_ids[slug] = cid
            conn.execute(insert(Collection), [{"id": cid, "slug": slug, "name": name, "owner_id": owner_id,
                                               "dreamer_sex": sex, "timeframe": timeframe, "meta": {},
                                               "created_at": now}])
    doc_id = 0
    for batch, vectors in gen:
        dream_rows, doc_rows, analysis_rows = [], [], []
        for row, vec in zip(batch, vectors, strict=True):
            did = f"m{row['k']:09d}"
            doc_id += 1
            dream_rows.append({
                "id": did, "owner_id": owner_id, "collection_id": coll_ids[row["slug"]], "title": "",
                "text": row["text"], "dreamt_on": row["night"], "tags": [], "lucid": False, "nightmare": False,
                "recurring": False, "mood": None, "visibility": "research", "attribution": "anonymous",
                "language": "en", "dreamer_sex": row["sex"], "dreamer_age": None,
                "source_ref": f"synthetic:{row['k']}", "content_hash": hashlib.sha256(did.encode()).hexdigest(),
                "analysis_status": "pending", "created_at": now, "updated_at": now})
            doc_rows.append({"doc_id": doc_id, "dream_id": did, "body": row["text"], "year": row["year"],
                             "decade": row["decade"], "words": row["words"], "indexed_at": now})
            analysis_rows.append({"dream_id": did, "status": "pending", "attempts": 0, "versions": {},
                                  "embedding": vec.tobytes(), "embedding_model": MODEL_NAME, "updated_at": now})
        with engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.execute(insert(Dream), dream_rows)
            conn.execute(insert(ArchiveDoc), doc_rows)
            conn.execute(insert(AnalysisRecord), analysis_rows)
        if doc_id % 100_000 == 0:
            print(f"  {doc_id} dreams, {time.perf_counter() - started:.0f} s", flush=True)
    out["insert_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("INSERT INTO archive_fts(archive_fts) VALUES('rebuild')")
        else:
            conn.exec_driver_sql("CREATE INDEX ix_archive_docs_tsv ON archive_docs USING gin (tsv)")
            conn.exec_driver_sql("CREATE INDEX ix_archive_docs_trgm ON archive_docs USING gin (body gin_trgm_ops)")
        conn.execute(text("UPDATE archive_state SET generation = generation + 1"))
    out["full_text_index_s"] = round(time.perf_counter() - started, 1)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return out


def pg_url(fresh: bool = True) -> str:
    from sqlalchemy import create_engine, text

    if fresh:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_NAME}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dreams", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/work/scratch/mosaic-million"))
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    if not DREAMBANK.exists():
        raise SystemExit(f"DreamBank is not at {DREAMBANK}; this archive is built from its sentences.")
    args.out.mkdir(parents=True, exist_ok=True)
    report_path = args.out / "build.json"
    report: dict[str, Any] = json.loads(report_path.read_text()) if report_path.exists() else {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            db = args.out / "mosaic.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{db}"
        else:
            url = pg_url()
        print(f"[{backend}] building {args.dreams} dreams into {url}", flush=True)
        result = build(url, args.dreams)
        result["url"] = url
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        report[backend] = result
        report_path.write_text(json.dumps(report, indent=1))
        print(json.dumps({k: v for k, v in result.items() if k != "token"}), flush=True)


if __name__ == "__main__":
    main()
