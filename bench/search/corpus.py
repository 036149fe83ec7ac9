"""Build a large archive by recombining real DreamBank sentences, in DreamBank's own TSV format, so it is
imported by the same code path as the real file.

Each synthetic report takes 3 to 14 sentences drawn from the pool of DreamBank's sentences (seeded), is
given one of 400 synthetic series (with a sex and a timeframe), and a date in its series' timeframe for
two reports in three. Word frequencies, phrase structure and length follow the real corpus; no sentence
is invented.

    python -m bench.search.corpus --dreams 200000 --out /tmp/synthetic.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DREAMBANK = REPO.parent / "shared" / "data" / "dreambank" / "dreambank.tsv"
_SENTENCE = re.compile(r"[^.!?]+[.!?]+")
FIELDS = ["series", "n", "date", "report", "language", "series_long_name", "dreamer_sex", "timeframe"]


def sentences(path: Path = DREAMBANK) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    pool: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row.get("language", "en") != "en":
                continue
            for m in _SENTENCE.finditer(row["report"]):
                s = m.group(0).strip()
                if 20 <= len(s) <= 400:
                    pool.append(s)
    return pool


def build(dreams: int, out: Path, seed: int = 7) -> Path:
    if not DREAMBANK.exists():
        raise SystemExit(f"DreamBank is not at {DREAMBANK}; this corpus is built from its sentences.")
    rng = random.Random(seed)
    pool = sentences()
    series = []
    for i in range(400):
        start = rng.randrange(1940, 2015)
        sex = rng.choice(["female", "male"])
        timeframe = f"{start}-{start + rng.randrange(1, 9)}"
        series.append((f"syn-{i:03d}", f"Synthetic series {i} ({sex[0].upper()})", sex, timeframe))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(FIELDS)
        for n in range(dreams):
            slug, name, sex, timeframe = series[rng.randrange(len(series))]
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 14)))
            start = int(timeframe[:4])
            night = (f"({start + rng.randrange(0, 8)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d})"
                     if rng.random() < 0.67 else "")
            writer.writerow([slug, n, night, text, "en", name, sex, timeframe])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dreams", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/mosaic-synthetic.tsv"))
    args = parser.parse_args()
    print(build(args.dreams, args.out))


if __name__ == "__main__":
    main()
