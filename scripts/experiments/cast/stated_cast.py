# Experiment script (not part of the package): see docs/analysis.md, "Barb Sanders' cast as the page suggests it".
"""Print, as a ``--cast`` entry for ``mosaic evaluate``, the cast that ``/me/cast`` would suggest to a DreamBank
dreamer from the reports of the given series (``cast.stated_relations``), every suggestion accepted as is:

    .venv/bin/python scripts/experiments/cast/stated_cast.py b b2 b-baseline
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from dream_mosaic.analysis.cast import code_for, stated_relations

DREAMBANK = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "dreambank" / "dreambank.tsv"

if __name__ == "__main__":
    csv.field_size_limit(10**8)
    with DREAMBANK.open(newline="", encoding="utf-8") as f:
        texts = [row["report"] for row in csv.DictReader(f, delimiter="\t") if row["series"] in sys.argv[1:]]
    print(json.dumps({s.name: code_for(s.relation) for s in stated_relations(texts)}, indent=1))
