# Experiment script (not part of the package): see docs/analysis.md, "Another fold seed".
"""Score the emotion layer with and without the encoder's column on folds the encoder trainer recorded.

``mosaic evaluate`` reads only the record for its own seed (``emotion_encoder_cv.json``). For another fold
seed, run ``train_emotion_encoder cv --protocol all|eb --fold K --seed S --workdir DIR`` for K = 0..4, then

    .venv/bin/python scripts/experiments/emotion_encoder/score_folds.py DIR S [all|eb]

which refits the layer per fold exactly as the evaluator does (same functions, the seed used for its inner
folds too) and prints macro F1 pooled over the folds: for ``all``, over all reports and over the
emotion-bearing ones (the deployed layer); for ``eb``, Bertolini et al.'s protocol with the at-least-one
rule, and with thresholds only.
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


def main(workdir: Path, seed: int, protocol: str = "all") -> None:
    reports = load_coded()
    if protocol == "eb":
        reports = [r for r in reports if r.emotion_set]
    keys = [r.key for r in reports]
    tag = protocol if seed == SEED else f"{protocol}_seed{seed}"
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
        probs, thresholds = ev.cross_validated_probabilities(reports, 5, seed, encoder=fold_encoder)
        if protocol == "eb":
            rule = ev.classification_scores(truth, ev.decide(probs, thresholds, at_least_one=True))
            plain = ev.classification_scores(truth, ev.decide(probs, thresholds))
            print(f"seed {seed}, eb, {name}: at-least-one {rule['macro_f1']}, thresholds only {plain['macro_f1']}")
            scores = rule
        else:
            pred = ev.decide(probs, thresholds)
            scores = ev.classification_scores(truth, pred)
            eb = ev.classification_scores([truth[i] for i in bearing], [pred[i] for i in bearing])
            print(f"seed {seed}, all, {name}: all reports {scores['macro_f1']}, emotion-bearing {eb['macro_f1']}")
        print(f"  per class: { {c: scores[c]['f1'] for c in EMOTION_CODES} }")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "all")
