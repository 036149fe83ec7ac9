"""Benchmarks: each lives in ``bench/<name>/`` with a ``__main__.py``, prints its figures and writes
``bench/results/<name>.json``. Run one with ``python -m bench NAME [ARGS]`` (or all with ``python -m bench``)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write one benchmark's figures to ``bench/results/<name>.json`` and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
    return path


PG_ADMIN_URL = os.environ.get("MOSAIC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_database(backend: str, prefix: str) -> Iterator[tuple[str, Path]]:
    """A fresh, empty database for one run ("sqlite" file or a new PostgreSQL database) and a temporary
    data directory; both are removed afterwards. Yields (database URL, data directory)."""
    from sqlalchemy import create_engine, text

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    admin = name = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'mosaic.db'}"
    else:
        name = f"mosaic_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url, tmp
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
