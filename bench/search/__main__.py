"""Archive search benchmark: p50/p95 latency of keyword, phrase, regex, semantic and filtered queries
through the HTTP API (a real server process on loopback), deep pages, index build time and size, on
SQLite and PostgreSQL, for the DreamBank corpus (29k) and larger archives built by recombining its real
sentences (``bench/search/corpus.py``).

Each query is timed from the client (httpx, one connection) over ``rounds`` rounds, with the archive's
count cache off (every count computed: the cold figure) and on (counts of a repeated selection served from
the cache until the archive changes: the steady-state figure).

    python -m bench search [--sizes 29k,200k] [--backends sqlite,postgres] [--rounds 5]
    python -m bench search --prebuilt FOLDER [--backends sqlite,postgres] [--reuse-indexes] [--name NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import write_result
from bench.search.corpus import DREAMBANK, build

PG_ADMIN_URL = os.environ.get("MOSAIC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

KEYWORDS = ["teeth", "house", "mother", "car", "water", "dog", "school", "church", "snake", "airplane", "naked",
            "wedding", "exam", "fire", "baby", "horse", "ocean", "elevator", "gun", "kitchen"]
PHRASES = ['"my mother"', '"fell out"', '"in the car"', '"teeth fell out"', '"the house"', '"i was flying"',
           '"a big dog"', '"at school"', '"my teeth"', '"the water"']
REGEXES = ["/teeth? (fell|fall)/", "/fl(y|ew|ying) over/", "/\\bsnakes?\\b/", "/my (mother|father) said/",
           "/(gun|knife|sword)s?/"]
SEMANTIC = ["my teeth were loose and falling out", "flying over the city at night", "being chased by a stranger",
            "taking an exam I had not studied for", "the house was flooded with water", "my dead grandmother visited",
            "naked in public and embarrassed", "a snake in the bed", "missing the train", "a wedding that went wrong"]
FILTERED_29K = ["teeth sex:F", "house series:b", "mother from:1990 to:1999", "dog decade:1960s", "car words:>200",
                "water sex:M from:1950 to:1970", "school series:izzy*", "fire lang:en sex:F"]
FILTERED_SYN = ["teeth sex:F", "house series:syn-001", "mother from:1990 to:1999", "dog decade:1960s",
                "car words:>200", "water sex:M from:1950 to:1970", "school series:syn-01*", "fire lang:en sex:F"]


# The 1M run asks many distinct queries once each per round (nothing is served from a cache of earlier
# answers: the count cache is off): a first round on a fresh server (``first_round``), then the steady one.
MANY_KEYWORDS = [*KEYWORDS,
    "mother", "father", "sister", "brother", "friend", "girl", "boy", "man", "woman", "room", "door", "window",
    "street", "road", "bus", "train", "money", "food", "table", "bed", "bathroom", "hospital", "doctor", "teacher",
    "class", "store", "party", "dance", "music", "phone", "letter", "book", "paper", "blood", "dead", "death",
    "kill", "police", "war", "soldier", "cat", "bird", "fish", "tree", "garden", "river", "lake", "beach",
    "mountain", "snow", "rain", "sun", "night", "dark", "light", "red", "blue", "green", "white", "black",
    "afraid", "scared", "happy", "angry", "sad", "laughing", "crying", "running", "falling", "flying",
    "swimming", "driving", "walking", "talking", "kissing", "naked", "clothes", "shoes", "hair", "face",
]
MANY_PHRASES = [*PHRASES,
    '"my father"', '"my sister"', '"my brother"', '"my friend"', '"the car"', '"the door"', '"the room"',
    '"a little girl"', '"a man"', '"an old woman"', '"i was running"', '"i woke up"', '"i was afraid"',
    '"in the water"', '"on the bus"', '"at home"', '"the school"', '"the hospital"', '"a dead body"',
    '"the police"', '"my husband"', '"my wife"', '"my boyfriend"', '"my girlfriend"', '"the kitchen"',
    '"the bathroom"', '"the street"', '"a party"', '"the church"', '"the beach"',
]
MANY_SEMANTIC = [*SEMANTIC,
    "a tidal wave coming towards the beach", "lost in a huge building and cannot find the exit",
    "my car brakes did not work", "an old friend from school came to visit", "a fire in the kitchen",
    "a dog bit my hand", "we were at a party and everyone was dancing", "a plane crashed near our house",
    "my mother was angry with me", "I could breathe under water", "a soldier with a gun in the street",
    "my phone would not work when I needed help", "I was pregnant", "my teacher gave me a bad grade",
    "the police were looking for me", "I found money on the ground", "a big spider on the wall",
    "climbing a mountain in the snow", "singing on a stage in front of people", "a baby that could talk",
]
MANY_FILTERED = [*FILTERED_SYN, "mother sex:M", "car decade:1980s", "teeth series:syn-1*", "dog from:2000",
                 "house words:<100", "water series:syn-2*", "baby sex:F decade:1990s",
                 "school words:>300"]


def locked_mb(pid: int) -> float:
    """Memory a server holds locked, it and its children (the archive's keeper process), from /proc."""
    from dream_mosaic.core.residency import locked_memory

    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return round(sum(locked_memory(p) for p in [pid, *children]) / (1 << 20), 1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def fresh_database(backend: str, tmp: Path) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'mosaic.db'}", None
    from sqlalchemy import create_engine, text

    name = f"mosaic_bench_search_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def drop_database(handle: Any) -> None:
    if handle is None:
        return
    from sqlalchemy import text

    admin, name = handle
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def settings_for(url: str, tmp: Path) -> Any:
    from dream_mosaic.core.settings import Settings

    return Settings(data_dir=tmp / "data", database_url=url, queue_url="memory://", broadcast_url="memory://",
                    secret_key="bench", analysis_enabled=False, queue_in_process=False)


def load(platform: Any, tsv: Path) -> dict[str, Any]:
    """Import through the journal's streaming importer, then let the archive index what was imported, as
    ``mosaic import`` does before it returns (``import_with_index_s`` covers both)."""
    from sqlalchemy import select

    import dream_mosaic.archive.tasks  # the archive's listeners, and its catch-up after an import
    from dream_mosaic.core import auth
    from dream_mosaic.core.models import User
    from dream_mosaic.journal import formats, service

    with platform.db.transaction() as session:
        owner = auth.create_user(session, "archive", "bench-password-1", "archivist", "Dream archive")
        reader = auth.create_user(session, "reader", "bench-password-1", "archivist", "Reader")
        token = auth.issue_token(session, reader, "api")
    started = time.perf_counter()
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == "archive"))
        rejected: list[str] = []
        imported, _ = service.import_stream(session, owner, formats.read_path(tsv, "dreambank"),
                                            visibility="research", errors=rejected)
    dream_mosaic.archive.tasks.index_missing(platform.db)
    return {"dreams": imported, "rejected": len(rejected),
            "import_with_index_s": round(time.perf_counter() - started, 1), "token": token}


def rebuild_index(platform: Any) -> float:
    """Index build time: every search document and the full-text index made again from the dreams."""
    from sqlalchemy import delete

    from dream_mosaic.archive import repository
    from dream_mosaic.archive.models import ArchiveDoc

    with platform.db.transaction() as session:
        session.execute(delete(ArchiveDoc))
    if platform.db.is_sqlite:  # outside any transaction, on the driver's own connection
        raw = platform.db.engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM")
        finally:
            raw.close()
    started = time.perf_counter()
    with platform.db.transaction() as session:
        repository.index_all(session)
    return round(time.perf_counter() - started, 1)


def index_size(platform: Any) -> dict[str, float]:
    from sqlalchemy import text

    mb = 1024 * 1024
    with platform.db.transaction(write=False) as session:
        if platform.db.is_sqlite:
            rows = dict(session.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all())
            fts = sum(v for k, v in rows.items() if k.startswith("archive_fts"))
            docs = sum(v for k, v in rows.items() if k.startswith(("archive_docs", "ix_archive_docs",
                                                                    "sqlite_autoindex_archive_docs")))
            gate = rows.get("ix_archive_dreams_gate", 0)
            dreams = rows.get("dreams", 0)
            return {"full_text_index_mb": round(fts / mb, 1), "search_documents_mb": round(docs / mb, 1),
                    "gate_index_mb": round(gate / mb, 1), "dreams_table_mb": round(dreams / mb, 1)}
        q = session.execute(text(
            "SELECT pg_relation_size('archive_docs'), pg_total_relation_size('archive_docs'), "
            "pg_relation_size('ix_archive_docs_tsv'), "
            "coalesce((SELECT pg_relation_size('ix_archive_docs_trgm') WHERE to_regclass('ix_archive_docs_trgm') "
            "IS NOT NULL), 0), pg_relation_size('ix_archive_dreams_gate'), pg_total_relation_size('dreams')")).one()
        return {"full_text_index_mb": round(q[2] / mb, 1), "trigram_index_mb": round(q[3] / mb, 1),
                "search_documents_mb": round(q[1] / mb, 1), "gate_index_mb": round(q[4] / mb, 1),
                "dreams_table_mb": round(q[5] / mb, 1)}


def store_embeddings(platform: Any, batch: int = 2000) -> dict[str, Any]:
    """Embed every dream with the analysis engine's ``embed`` and store the vectors where its jobs do
    (``dream_analyses.embedding``); the full HVdC analysis is not run here (its own bench measures it)."""
    import numpy as np
    from sqlalchemy import insert, select

    from dream_mosaic.analysis import embed
    from dream_mosaic.analysis.embedding import MODEL_NAME
    from dream_mosaic.analysis.models import AnalysisRecord
    from dream_mosaic.core.models import Dream

    started = time.perf_counter()
    done = 0
    last = ""
    while True:
        with platform.db.transaction() as session:
            rows = session.execute(select(Dream.id, Dream.text).where(Dream.id > last).order_by(Dream.id)
                                   .limit(batch)).all()
            if not rows:
                break
            vectors = np.asarray(embed([r.text for r in rows]), dtype="<f4")
            session.execute(insert(AnalysisRecord), [
                {"dream_id": r.id, "status": "pending", "embedding": vectors[i].tobytes(),
                 "embedding_model": MODEL_NAME, "versions": {}} for i, r in enumerate(rows)])
            done += len(rows)
            last = rows[-1].id
    return {"embedded": done, "embed_and_store_s": round(time.perf_counter() - started, 1)}


SERVER = """
import sys, uvicorn
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings
from dream_mosaic.web.app import create_app
settings = Settings(data_dir=sys.argv[2], database_url=sys.argv[1], queue_url="memory://", broadcast_url="memory://",
                    secret_key="bench", analysis_enabled=False, queue_in_process=False)
uvicorn.run(create_app(Platform(settings)), host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def serve(url: str, data_dir: Path, cache: bool) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MOSAIC_ARCHIVE_COUNT_CACHE": "1" if cache else "0"}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(data_dir), str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the benchmark server did not start")


def measure(base: str, token: str, cases: dict[str, list[dict[str, Any]]], rounds: int) -> dict[str, Any]:
    import httpx

    out: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        # Warm up: load the semantic index and the embedding model once (reported separately).
        started = time.perf_counter()
        client.get("/api/v1/search", params={"q": "warm up", "semantic": "true"})
        out["semantic_first_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
        # A fresh server's first word search opens the text index and compiles its SQL once: reported
        # here, not inside the keyword figures (a word no query below asks for).
        started = time.perf_counter()
        client.get("/api/v1/search", params={"q": '"warm up" OR warmth'})
        out["keyword_first_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
        for kind, queries in cases.items():
            times: list[float] = []
            totals: dict[str, int] = {}
            for _ in range(rounds):
                for params in queries:
                    started = time.perf_counter()
                    answer = client.get("/api/v1/search", params=params)
                    times.append((time.perf_counter() - started) * 1000)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{params}: {answer.status_code} {answer.text[:200]}")
                    totals[str(params.get("q") or params.get("after"))] = answer.json()["total"]
            out[kind] = {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": pct(times, 1.0),
                         "requests": len(times), "queries": len(queries),
                         "mean_total": round(statistics.mean(totals.values()), 1)}
    return out


def cases_for(base: str, token: str, size: str) -> dict[str, list[dict[str, Any]]]:
    import httpx

    filtered = FILTERED_29K if size == "29k" else FILTERED_SYN
    cases: dict[str, list[dict[str, Any]]] = {
        "keyword": [{"q": w} for w in KEYWORDS],
        "phrase": [{"q": p} for p in PHRASES],
        "regex": [{"q": r} for r in REGEXES],
        "semantic_top20": [{"q": s, "semantic": "true", "limit": 20} for s in SEMANTIC],
        "filtered": [{"q": f} for f in filtered],
        "keyword_with_facets": [{"q": w, "facets": "true"} for w in KEYWORDS[:10]],
    }
    # A deep page: the 100th page of 20 of a common word, reached by its keyset cursor.
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        after = None
        for _ in range(100):
            page = client.get("/api/v1/search", params={"q": "house", "limit": 20,
                                                        **({"after": after} if after else {})}).json()
            if not page["next_after"]:
                break
            after = page["next_after"]
    cases["deep_page_100"] = [{"q": "house", "limit": 20, "after": after}] if after else []
    cases["first_page"] = [{"q": "house", "limit": 20}]
    return {k: v for k, v in cases.items() if v}


def run_one(backend: str, size: str, tsv: Path, rounds: int) -> dict[str, Any]:
    from dream_mosaic.core.platform import Platform
    from dream_mosaic.migrations import upgrade

    tmp = Path(tempfile.mkdtemp(prefix=f"mosaic-bench-search-{backend}-{size}-"))
    url, handle = fresh_database(backend, tmp)
    result: dict[str, Any] = {"backend": backend, "corpus": size}
    try:
        upgrade(url)
        platform = Platform(settings_for(url, tmp))
        print(f"[{backend} {size}] importing {tsv.name} …", flush=True)
        loaded = load(platform, tsv)
        token = loaded.pop("token")
        result.update(loaded)
        print(f"[{backend} {size}] {result['dreams']} dreams in {result['import_with_index_s']} s; rebuilding "
              "the index …", flush=True)
        result["index_build_s"] = rebuild_index(platform)
        result["index_size"] = index_size(platform)
        from dream_mosaic.archive import textindex

        text_index = textindex.index_for_engine(platform.db.engine)
        if text_index is not None:
            result["text_index"] = text_index.rebuild()
        print(f"[{backend} {size}] index {result['index_build_s']} s {result['index_size']}; embedding …",
              flush=True)
        result.update(store_embeddings(platform))
        if platform.db.is_sqlite:
            with platform.db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with platform.db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        platform.close()
        for cache in (False, True):
            proc, base = serve(url, tmp / "data", cache)
            try:
                cases = cases_for(base, token, size)
                label = "cached_counts" if cache else "cold_counts"
                print(f"[{backend} {size}] measuring ({label}) …", flush=True)
                result[label] = measure(base, token, cases, rounds)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        print(json.dumps(result, indent=1), flush=True)
    finally:
        drop_database(handle)
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def run_prebuilt(backend: str, folder: Path, compare_sql: bool, reuse: bool = False, idle: float = 60
                 ) -> dict[str, Any]:
    """The 1M run on an archive built by ``bench.search.million`` (kept in ``folder`` between runs)."""
    from dream_mosaic.archive import textindex
    from dream_mosaic.archive.vectors import VectorIndex
    from dream_mosaic.core.platform import Platform
    from dream_mosaic.migrations import upgrade

    built = json.loads((folder / "build.json").read_text())[backend]
    url, token = built["url"], built["token"]
    data = folder / backend / "data"
    result: dict[str, Any] = {"backend": backend, "corpus": f"{built['dreams'] // 1000}k (prebuilt)",
                              "dreams": built["dreams"], "bulk_insert_s": built["insert_s"],
                              "full_text_index_build_s": built["full_text_index_s"]}
    upgrade(url)
    platform = Platform(settings_for(url, folder / backend))
    index = textindex.index_for_engine(platform.db.engine)
    assert index is not None
    if reuse and index.built:  # measuring again: the indexes a previous run built and timed
        result["text_index"] = "reused"
    else:
        print(f"[{backend} prebuilt] building the text index …", flush=True)
        result["text_index"] = index.rebuild()
    result["index_size"] = index_size(platform)
    print(f"[{backend} prebuilt] text index {result['text_index']}; sizes {result['index_size']}; "
          "building the semantic index …", flush=True)
    if not reuse:
        shutil.rmtree(data / "archive-vectors", ignore_errors=True)  # time the build, not loading a saved one
    started = time.perf_counter()
    with platform.db.transaction(write=False) as session:
        vectors = VectorIndex.for_session(session)
        vectors.sync(session, force=True)
    result["semantic_index"] = {"vectors": len(vectors), "seconds": round(time.perf_counter() - started, 1),
                                "bytes": sum(f.stat().st_size for f in (vectors.path or data).iterdir())}
    if backend == "postgres":  # what the server's prewarm can hold (docs/archive.md: size it to the archive)
        from sqlalchemy import text

        with platform.db.transaction(write=False) as session:
            result["postgres_shared_buffers"] = session.scalar(text("SHOW shared_buffers"))
    platform.close()
    cases: dict[str, list[dict[str, Any]]] = {
        "keyword": [{"q": w} for w in dict.fromkeys(MANY_KEYWORDS)],
        "phrase": [{"q": p} for p in dict.fromkeys(MANY_PHRASES)],
        "semantic_top20": [{"q": s, "semantic": "true", "limit": 20} for s in MANY_SEMANTIC],
        "filtered": [{"q": f} for f in MANY_FILTERED],
    }
    runs = [("cold_counts", {"MOSAIC_ARCHIVE_COUNT_CACHE": "0"})]
    if compare_sql:
        runs.append(("sql_only_cold_counts", {"MOSAIC_ARCHIVE_COUNT_CACHE": "0", "MOSAIC_ARCHIVE_TEXT_INDEX": "0"}))
    for label, env in runs:
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            proc, base = serve(url, data, cache=env["MOSAIC_ARCHIVE_COUNT_CACHE"] == "1")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        try:
            wanted = cases if label == "cold_counts" else {
                "keyword": cases["keyword"][:20], "phrase": cases["phrase"][:10]}
            wanted = {k: v for k, v in wanted.items() if v}
            print(f"[{backend} prebuilt] measuring ({label}) …", flush=True)
            before = [round(x, 2) for x in os.getloadavg()]
            if label == "cold_counts":
                # A server that has run a while has the archive's files in the operating system's page
                # cache; one that just started reads them from disk on first touch. Both are reported:
                # the first round of the distinct queries apart, then the same queries again, every
                # count computed again (the count cache stays off), as the steady figures.
                result["first_round"] = measure(base, token, wanted, 1)
            result[label] = measure(base, token, wanted, 1)
            result[label]["load_average"] = {"before": before, "after": [round(x, 2) for x in os.getloadavg()]}
            if label == "cold_counts":
                result["server_locked_mb"] = locked_mb(proc.pid)
                if idle > 0:
                    # Searches after a quiet spell: what the operating system dropped from its page cache
                    # meanwhile (on the benchmark machine, pages idle for about 30 s) is read from disk
                    # again, unless the server holds it (the text index locked, PostgreSQL's buffers).
                    print(f"[{backend} prebuilt] idle for {idle:.0f} s, then the same queries again …", flush=True)
                    time.sleep(idle)
                    result["after_idle"] = measure(base, token, wanted, 1)
                    result["after_idle"]["idle_seconds"] = idle
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    print(json.dumps(result, indent=1), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Archive search benchmark")
    parser.add_argument("--sizes", default="29k,200k", help="29k (DreamBank) and/or synthetic sizes: 200k, 1m …")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--name", default="search", help="results file: bench/results/NAME.json")
    parser.add_argument("--prebuilt", type=Path, default=None,
                        help="measure the archive bench.search.million built in this folder instead")
    parser.add_argument("--compare-sql", action="store_true", help="also measure with the text index off")
    parser.add_argument("--idle", type=float, default=60,
                        help="with --prebuilt: seconds of quiet after the steady round, then the queries again")
    parser.add_argument("--reuse-indexes", action="store_true",
                        help="with --prebuilt: measure again on the text and semantic indexes a run built before")
    args = parser.parse_args()
    if args.prebuilt is not None:
        runs_done: list[dict[str, Any]] = []
        for backend in args.backends.split(","):
            runs_done.append(run_prebuilt(backend, args.prebuilt, args.compare_sql, args.reuse_indexes, args.idle))
            write_result(args.name, {
                "benchmark": "search (1M prebuilt)", "machine": {"cpus": os.cpu_count()},
                "targets": {"keyword_phrase_p95_ms_at_1m": 20, "semantic_top20_p95_ms_at_1m": 50},
                "runs": runs_done})
        return
    if not DREAMBANK.exists():
        raise SystemExit(f"{DREAMBANK} is missing: the benchmark needs the DreamBank corpus beside the project.")
    load_before = os.getloadavg()
    runs = []
    for size in args.sizes.split(","):
        if size == "29k":
            tsv = DREAMBANK
        else:
            n = int(float(size.lower().replace("k", "e3").replace("m", "e6")))
            tsv = args.work / f"mosaic-synthetic-{n}.tsv"
            if not tsv.exists():
                print(f"building a {n}-dream corpus from DreamBank's sentences …", flush=True)
                build(n, tsv)
        for backend in args.backends.split(","):
            before = [round(x, 2) for x in os.getloadavg()]
            run = run_one(backend, size, tsv, args.rounds)
            run["load_average"] = {"before": before, "after": [round(x, 2) for x in os.getloadavg()]}
            runs.append(run)
            # Written after every run, so a long benchmark that is stopped keeps what it measured.
            path = write_result(args.name, {
                "benchmark": "search",
                "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in load_before]},
                "targets": {"keyword_phrase_p95_ms_at_1m": 20, "semantic_top20_p95_ms_at_1m": 50,
                            "regex_p95_ms_at_29k": 300},
                "runs": runs,
            })
            print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
