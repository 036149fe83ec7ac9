"""``mosaic worker`` with a simulated unreliable engine, for tests/analysis/test_jobs_redis.py.

Reports containing TRANSIENT fail on their first two tries in this process; reports containing
PERMANENT always fail; with FAULTY_SLOW=<path>, a report containing SLOW creates that file and then takes
a minute (so a test can stop the worker mid-job). Everything else is the real worker and the real engine.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

from dream_mosaic.analysis import service
from dream_mosaic.analysis.schemas import DreamAnalysis

_real_run_full = service.run_full
_tries: Counter[str] = Counter()


def unreliable(texts: list[str], cast: dict[str, str] | None = None) -> list[DreamAnalysis]:
    for text in texts:
        if "SLOW" in text and os.environ.get("FAULTY_SLOW"):
            Path(os.environ["FAULTY_SLOW"]).touch()
            time.sleep(60)
        if "PERMANENT" in text:
            raise ValueError("this report breaks the engine")
        if "TRANSIENT" in text:
            _tries[text] += 1
            if _tries[text] <= 2:
                raise ConnectionError(f"temporary failure, try {_tries[text]}")
    return _real_run_full(texts, cast)


if __name__ == "__main__":
    service.run_full = unreliable
    from dream_mosaic.cli.main import main

    sys.argv = ["mosaic", *sys.argv[1:]]
    main()
