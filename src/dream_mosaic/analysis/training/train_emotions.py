"""Train the emotion layer on human HVdC codes: ``python -m dream_mosaic.analysis.training.train_emotions``.

Seeded and reproducible. Per class, a logistic regression over lexicon-hit counts (see
``components/emotions.py``); its decision threshold is chosen on out-of-fold probabilities of an inner
cross-validation of the training reports only. Writes ``analysis/models/emotions.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..components.emotions import FEATURE_NAMES, MODEL_PATH, ClassModel, EmotionModel, find_emotion_hits, hit_features
from ..pipeline import DreamDoc, Pipeline
from ..schemas import EMOTION_CODES
from .data import DEFAULT_CODED_CSV, load_coded
from .logreg import best_threshold, fit_logreg, kfold_indices, predict_proba

SEED = 20261122
L2 = 0.3
INNER_FOLDS = 5


def featurize(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Per class, a (n_reports, n_features) matrix of log1p hit counts."""
    pre = Pipeline(["characters"])
    mats = {c: np.zeros((len(texts), len(FEATURE_NAMES[c]))) for c in EMOTION_CODES}
    index = {c: {f: j for j, f in enumerate(FEATURE_NAMES[c])} for c in EMOTION_CODES}
    for i, text in enumerate(texts):
        doc = DreamDoc.from_text(text)
        for comp in pre._components:
            comp.fn(doc)
        feats = hit_features(find_emotion_hits(doc), len(doc.tokens))
        for c in EMOTION_CODES:
            for name, v in feats[c].items():
                mats[c][i, index[c][name]] = v
    return mats


def labels(emotion_sets: Sequence[set[str]]) -> dict[str, np.ndarray]:
    return {c: np.array([1.0 if c in s else 0.0 for s in emotion_sets]) for c in EMOTION_CODES}


def fit_emotion_model(
    mats: dict[str, np.ndarray],
    ys: dict[str, np.ndarray],
    seed: int = SEED,
    l2: float = L2,
    strata: list[str] | None = None,
) -> EmotionModel:
    classes: dict[str, ClassModel] = {}
    n = len(next(iter(ys.values())))
    folds = kfold_indices(n, INNER_FOLDS, seed, strata)
    for c in EMOTION_CODES:
        x, y = mats[c], ys[c]
        oof = np.zeros(n)
        for f in folds:
            if len(f) == 0:
                continue
            train = np.setdiff1d(np.arange(n), f)
            w, b = fit_logreg(x[train], y[train], l2)
            oof[f] = predict_proba(x[f], w, b)
        threshold = best_threshold(oof, y)
        w, b = fit_logreg(x, y, l2)
        weights = {name: round(float(v), 5) for name, v in zip(FEATURE_NAMES[c], w, strict=True) if v != 0}
        classes[c] = ClassModel(weights, round(b, 5), round(threshold, 3))
    return EmotionModel(classes, {"seed": seed, "l2": l2, "inner_folds": INNER_FOLDS})


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--coded", type=Path, default=DEFAULT_CODED_CSV)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    reports = load_coded(args.coded)
    mats = featurize([r.text for r in reports])
    ys = labels([r.emotion_set for r in reports])
    model = fit_emotion_model(mats, ys, args.seed, strata=[r.series for r in reports])
    model.meta.update(
        {
            "trained_on": args.coded.name,
            "trained_on_sha1": hashlib.sha1(args.coded.read_bytes()).hexdigest(),
            "n_reports": len(reports),
            "trainer": "dream_mosaic.analysis.training.train_emotions",
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(reports)} reports)")


if __name__ == "__main__":
    main()
