"""Read human HVdC-coded reports in the format of ``shared/data/hvdc/hvdc_coded.csv``."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..schemas import EMOTION_CODES

# The shared corpora live beside the project, never inside it (see docs/analysis.md).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "data"
DEFAULT_CODED_CSV = DEFAULT_DATA_DIR / "hvdc" / "hvdc_coded.csv"
DEFAULT_DREAMBANK_TSV = DEFAULT_DATA_DIR / "dreambank" / "dreambank.tsv"


@dataclass
class CodedReport:
    key: str
    series: str
    dreamer_sex: str
    text: str
    characters: list[str]
    emotions: list[tuple[str, str]]  # (code, character)
    aggression: list[tuple[str, str, str]]  # (code, initiator, recipient)
    friendliness: list[tuple[str, str, str]]
    sexuality: list[tuple[str, str, str]]
    settings: list[str]
    misfortunes: list[str]
    good_fortunes: list[str]
    successes: list[str]
    failures: list[str]

    @property
    def emotion_set(self) -> set[str]:
        return {c for c, _ in self.emotions}

    @property
    def dev(self) -> bool:
        """Reports the lexicons may be inspected on while developing (about 5/8 of the file).

        The other 3/8 were never read while building the lexicons: docs/analysis.md reports them apart.
        """
        return int(hashlib.sha1(self.key.encode()).hexdigest()[0], 16) < 10


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _interactions(value: str) -> list[tuple[str, str, str]]:
    out = []
    for v in _split(value):
        parts = [p.strip() for p in v.split("|")]
        while len(parts) < 3:
            parts.append("")
        out.append((parts[0], parts[1], parts[2]))
    return out


def load_coded(path: str | Path = DEFAULT_CODED_CSV) -> list[CodedReport]:
    rows: list[CodedReport] = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            emotions = []
            for e in _split(r.get("emotions", "")):
                code, _, char = e.partition(":")
                if code in EMOTION_CODES:
                    emotions.append((code, char))
            rows.append(
                CodedReport(
                    key=f"{r['collection_id']}/{r['number']}",
                    series=r["collection_id"],
                    dreamer_sex=r.get("dreamer_sex", ""),
                    text=r["report"],
                    characters=_split(r.get("characters", "")),
                    emotions=emotions,
                    aggression=_interactions(r.get("aggression", "")),
                    friendliness=_interactions(r.get("friendliness", "")),
                    sexuality=_interactions(r.get("sexuality", "")),
                    settings=_split(r.get("settings", "")),
                    misfortunes=_split(r.get("misfortunes", "")),
                    good_fortunes=_split(r.get("good_fortunes", "")),
                    successes=_split(r.get("successes", "")),
                    failures=_split(r.get("failures", "")),
                )
            )
    return rows
