"""Benchmarks: each lives in ``bench/<name>/`` with a ``__main__.py``, prints its figures and writes
``bench/results/<name>.json``. Run one with ``python -m bench NAME [ARGS]`` (or all with ``python -m bench``)."""

from __future__ import annotations

import json
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
