"""Small hand-written dream reports (the project's own; never copied from the shared corpora)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

DREAMS = {
    "chase": "I was walking home through a dark street when a man chased me. I was terrified and ran "
    "into my mother's house. She hugged me and I felt relieved.",
    "negated": "I was on a boat with my brother. I was not afraid of the waves at all. We laughed together.",
    "other_angry": "My boss was furious with me because I lost the keys. He yelled at me in front of everyone.",
    "waking_distress": "I dreamed I was flying over a city. When I woke up I thought about how lately I "
    "want to die and nothing will ever get better.",
    "dream_violence": "A soldier shot a woman in the street and she died. I hid behind a car and watched.",
    "names": "Jenny and I went to the beach. She brought her dog. Later Tom came and he kissed me.",
}


@pytest.fixture
def dreams() -> dict[str, str]:
    return dict(DREAMS)


def write_coded(path: Path, n: int) -> Path:
    """A small file in the format of ``hvdc_coded.csv`` made of the dreams above, in two series."""
    fields = [
        "collection_id",
        "collection_name",
        "dreamer_sex",
        "number",
        "report",
        "characters",
        "emotions",
        "aggression",
        "friendliness",
        "sexuality",
        "settings",
        "misfortunes",
        "good_fortunes",
        "successes",
        "failures",
    ]
    rows = []
    for i in range(n):
        k = list(DREAMS)[i % len(DREAMS)]
        rows.append(
            {
                "collection_id": "own-a" if i % 2 else "own-b",
                "collection_name": "own",
                "dreamer_sex": "F",
                "number": str(i),
                "report": DREAMS[k],
                "characters": "1MSA;1FMA" if k == "chase" else "1MKA",
                "emotions": "AP:D;HA:D" if k == "chase" else ("AN:1MKA" if k == "other_angry" else ""),
                "aggression": "7>|1MSA|D" if k == "chase" else "",
                "friendliness": "",
                "sexuality": "",
                "settings": "OU",
                "misfortunes": "",
                "good_fortunes": "",
                "successes": "",
                "failures": "",
            }
        )
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path
