# Experiment script (not part of the package): see docs/analysis.md, "A second encoder, averaged".
"""Score a protocol of ``mosaic evaluate`` with the shipped encoder's recorded fold probabilities, with
another training seed's (``another_training_seed.py``, in DIR), and with their mean, the layer refitted per
fold by the evaluator's own functions:

    .venv/bin/python scripts/experiments/emotion_encoder/average_seeds.py eb DIR [DIR ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from dream_mosaic.analysis.emotion_encoder import CV_PATH
from dream_mosaic.analysis.evaluate import (
    SEED,
    _column,
    classification_scores,
    cross_validated_probabilities,
    decide,
)
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training.data import load_coded


def main(protocol: str, dirs: list[str]) -> None:
    reports = load_coded()
    if protocol == "eb":
        reports = [r for r in reports if r.emotion_set]
    keys = [r.key for r in reports]
    shipped = json.loads(CV_PATH.read_text())["protocols"][protocol]
    others = [[json.loads((Path(d) / f"cv_{protocol}_{k}.json").read_text()) for k in range(5)] for d in dirs]
    truth = [r.emotion_set for r in reports]

    def encoder(records: list[list[dict]]):  # type: ignore[no-untyped-def]
        def columns(k: int, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            tr = np.mean([_column(r[k]["train_oof"], [keys[i] for i in train]) for r in records], axis=0)
            te = np.mean([_column(r[k]["test"], [keys[i] for i in test]) for r in records], axis=0)
            return tr, te

        return columns

    for name, records in (("shipped", [shipped]), ("other seeds", others), ("mean", [shipped, *others])):
        probs, thresholds = cross_validated_probabilities(reports, 5, SEED, encoder=encoder(records))
        scores = classification_scores(truth, decide(probs, thresholds, at_least_one=protocol == "eb"))
        per_class = " ".join(f"{c} {scores[c]['f1']:.3f}" for c in EMOTION_CODES)
        print(f"{name:12s} macro F1 {scores['macro_f1']:.4f}  {per_class}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
