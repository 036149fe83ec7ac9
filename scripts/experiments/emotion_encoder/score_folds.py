# Experiment script (not part of the package): see docs/analysis.md, "Another fold seed".
"""Score the emotion layer with and without the encoder's column on folds the encoder trainer recorded.

``mosaic evaluate`` reads only the record for its own seed (``emotion_encoder_cv.json``). For another fold
seed, run ``train_emotion_encoder cv --protocol all --fold K --seed S --workdir DIR`` for K = 0..4, then

    .venv/bin/python scripts/experiments/emotion_encoder/score_folds.py DIR S

which refits the layer per fold exactly as the evaluator does (same functions, the seed used for its inner
folds too) and prints macro F1 over all reports and over the emotion-bearing ones, pooled over the folds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from dream_mosaic.analysis import evaluate as ev
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.train_emotions import SEED


def main(workdir: Path, seed: int) -> None:
    reports = load_coded()
    keys = [r.key for r in reports]
    tag = "all" if seed == SEED else f"all_seed{seed}"
    records = [json.loads((workdir / f"cv_{tag}_{k}.json").read_text()) for k in range(5)]
    folds = ev.outer_folds(reports, 5, seed)
    for record, test in zip(records, folds, strict=True):
        assert record["test_keys"] == [keys[i] for i in test], "the record's folds are not these folds"

    def encoder(k: int, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (
            ev._column(records[k]["train_oof"], [keys[i] for i in train]),
            ev._column(records[k]["test"], [keys[i] for i in test]),
        )

    truth = [r.emotion_set for r in reports]
    bearing = [i for i, t in enumerate(truth) if t]
    for name, fold_encoder in (("lexicon layer alone", None), ("with the encoder's column", encoder)):
        pred = ev.cross_validated_emotions(reports, 5, seed, encoder=fold_encoder)
        all_reports = ev.classification_scores(truth, pred)
        eb = ev.classification_scores([truth[i] for i in bearing], [pred[i] for i in bearing])
        per_class = {c: all_reports[c]["f1"] for c in EMOTION_CODES}
        print(f"seed {seed}, {name}: all reports {all_reports['macro_f1']}, emotion-bearing {eb['macro_f1']}")
        print(f"  per class (all reports): {per_class}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
