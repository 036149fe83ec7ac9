"""Train the emotion layer on human HVdC codes: ``python -m dream_mosaic.analysis.training.train_emotions``.

Seeded and reproducible. Per class, a logistic regression over lexicon-hit counts (see
``components/emotions.py``) and the fine-tuned encoder's probability; its L2 penalty and decision threshold
are chosen on out-of-fold probabilities of an inner cross-validation of the training reports only. Writes
``analysis/models/emotions.json``.

The encoder's column is read from ``emotion_encoder_oof.json``, which its own trainer
(``train_emotion_encoder final``) wrote: each report's probability from an encoder that never saw that
report. Training the layer on the shipped encoder's own probabilities instead would teach it to trust an
encoder that had memorised the labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..components.emotions import (
    FEATURE_NAMES,
    MODEL_PATH,
    ClassModel,
    EmotionModel,
    find_emotion_hits,
    hit_features,
    hit_text,
)
from ..emotion_encoder import OOF_PATH
from ..pipeline import DreamDoc, Pipeline
from ..schemas import EMOTION_CODES
from .data import DEFAULT_CODED_CSV, CodedReport, load_coded
from .logreg import best_threshold, f1_at, fit_logreg, kfold_indices, predict_proba

SEED = 20261122
# Each class picks its L2 penalty from this grid by the F1 of its inner cross-validation (at that L2's best
# threshold); ties go to the first. Measured over three fold seeds: +0.003 macro F1 over one L2 = 0.3.
L2_GRID = (0.15, 0.3, 0.6, 1.2)
INNER_FOLDS = 5


def featurize(texts: Sequence[str], encoder: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per class, a (n_reports, n_features) matrix of log1p hit counts; with ``encoder`` ((n_reports, 5)
    probabilities) its column is filled, else left at 0 (a layer without the encoder)."""
    pre = Pipeline(["characters"])
    mats = {c: np.zeros((len(texts), len(FEATURE_NAMES[c]))) for c in EMOTION_CODES}
    index = {c: {f: j for j, f in enumerate(FEATURE_NAMES[c])} for c in EMOTION_CODES}
    for i, text in enumerate(texts):
        doc = DreamDoc.from_text(text)
        for comp in pre._components:
            comp.fn(doc)
        feats = hit_features(find_emotion_hits(doc), len(doc.tokens), None if encoder is None else encoder[i])
        for c in EMOTION_CODES:
            for name, v in feats[c].items():
                mats[c][i, index[c][name]] = v
    return mats


def encoder_oof(reports: Sequence[CodedReport], coded: Path) -> np.ndarray:
    """The recorded out-of-fold encoder probabilities for these reports (0 for a report without a hit)."""
    if not OOF_PATH.exists():
        raise SystemExit(f"{OOF_PATH} is missing: run train_emotion_encoder final first, or pass --no-encoder")
    record = json.loads(OOF_PATH.read_text())
    if record.get("trained_on_sha1") != hashlib.sha1(coded.read_bytes()).hexdigest():
        raise SystemExit(f"{OOF_PATH.name} was computed on another coded file than {coded}: re-run its trainer")
    zero = [0.0] * len(EMOTION_CODES)
    return np.array([record["oof"].get(r.key, zero) for r in reports])


def hit_texts(texts: Sequence[str]) -> list[str]:
    """Per report, the sentences with a lexicon hit (what the encoder reads; "" without a hit)."""
    pre = Pipeline(["characters"])
    out = []
    for text in texts:
        doc = DreamDoc.from_text(text)
        for comp in pre._components:
            comp.fn(doc)
        out.append(hit_text(doc, find_emotion_hits(doc)))
    return out


def labels(emotion_sets: Sequence[set[str]]) -> dict[str, np.ndarray]:
    return {c: np.array([1.0 if c in s else 0.0 for s in emotion_sets]) for c in EMOTION_CODES}


def fit_emotion_model(
    mats: dict[str, np.ndarray],
    ys: dict[str, np.ndarray],
    seed: int = SEED,
    l2_grid: Sequence[float] = L2_GRID,
    strata: list[str] | None = None,
) -> EmotionModel:
    """Per class: inner cross-validation on these reports only picks the L2 penalty and the threshold,
    then the weights are fitted on all of them."""
    classes: dict[str, ClassModel] = {}
    chosen: dict[str, float] = {}
    n = len(next(iter(ys.values())))
    folds = kfold_indices(n, INNER_FOLDS, seed, strata)
    for c in EMOTION_CODES:
        x, y = mats[c], ys[c]
        best: tuple[float, float, float] | None = None  # (inner F1, l2, threshold)
        for l2 in l2_grid:
            oof = np.zeros(n)
            for f in folds:
                if len(f) == 0:
                    continue
                train = np.setdiff1d(np.arange(n), f)
                w, b = fit_logreg(x[train], y[train], l2)
                oof[f] = predict_proba(x[f], w, b)
            threshold = best_threshold(oof, y)
            score = f1_at(oof, y, threshold)
            if best is None or score > best[0] + 1e-9:
                best = (score, l2, threshold)
        assert best is not None
        _, l2, threshold = best
        w, b = fit_logreg(x, y, l2)
        weights = {name: round(float(v), 5) for name, v in zip(FEATURE_NAMES[c], w, strict=True) if v != 0}
        classes[c] = ClassModel(weights, round(b, 5), round(threshold, 3))
        chosen[c] = l2
    return EmotionModel(classes, {"seed": seed, "l2": chosen, "l2_grid": list(l2_grid), "inner_folds": INNER_FOLDS})


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--coded", type=Path, default=DEFAULT_CODED_CSV)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-encoder", action="store_true", help="train the lexicon-only layer")
    args = ap.parse_args(argv)
    reports = load_coded(args.coded)
    encoder = None if args.no_encoder else encoder_oof(reports, args.coded)
    mats = featurize([r.text for r in reports], encoder)
    ys = labels([r.emotion_set for r in reports])
    model = fit_emotion_model(mats, ys, args.seed, strata=[r.series for r in reports])
    model.meta.update(
        {
            "trained_on": args.coded.name,
            "trained_on_sha1": hashlib.sha1(args.coded.read_bytes()).hexdigest(),
            "n_reports": len(reports),
            "trainer": "dream_mosaic.analysis.training.train_emotions",
            "encoder": None if encoder is None else OOF_PATH.name,
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(reports)} reports)")


if __name__ == "__main__":
    main()
