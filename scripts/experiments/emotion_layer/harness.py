# Experiment script (not part of the package): see docs/analysis.md, "Emotions: cheap variants tried".
"""Shared harness: cached lexicon features, the trainer's fit with its inner out-of-fold probabilities,
and the three protocols of ``mosaic evaluate`` (all reports, emotion-bearing as deployed, Bertolini et
al.'s) over any fold seed. Reproduces ``mosaic evaluate``'s figures for the committed layer exactly."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dream_mosaic.analysis.evaluate import classification_scores, decide
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training import train_emotions as te
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.logreg import best_threshold, f1_at, fit_logreg, kfold_indices, predict_proba

SEED = te.SEED
W = os.environ.get("EMO_WORKDIR", "/work/scratch/emo2")
os.makedirs(W, exist_ok=True)
REPORTS = load_coded()
TRUTH = [r.emotion_set for r in REPORTS]
STRATA = [r.series for r in REPORTS]
YS = te.labels(TRUTH)
Y = np.stack([YS[c] for c in EMOTION_CODES], 1)
N = len(REPORTS)
BEARING = np.array([i for i, t in enumerate(TRUTH) if t])


def _mats() -> dict[str, np.ndarray]:
    cache = W + "/mats.pkl"
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    m = te.featurize([r.text for r in REPORTS])
    with open(cache, "wb") as f:
        pickle.dump(m, f)
    return m


MATS = _mats()


f1 = f1_at  # the trainer's own F1 at a threshold


@dataclass
class Layer:
    w: list[np.ndarray]
    b: list[float]
    l2: list[float]
    thr: list[float]
    oof: np.ndarray  # inner out-of-fold probabilities on the training reports (chosen L2)

    def proba(self, xs: list[np.ndarray]) -> np.ndarray:
        return np.stack([predict_proba(x, w, b) for x, w, b in zip(xs, self.w, self.b, strict=True)], 1)


def fit_layer(
    xs: list[np.ndarray],
    idx: np.ndarray,
    seed: int = SEED,
    l2_grid=te.L2_GRID,
    select: np.ndarray | None = None,
    weight: np.ndarray | None = None,
    repeats: int = 1,
) -> Layer:
    """The trainer's fit (fit_emotion_model) on reports ``idx``, per class matrix ``xs[j]`` (all N rows).
    ``select``: boolean mask over ``idx`` of the reports whose inner out-of-fold F1 picks L2 and threshold
    (default all). ``weight``: duplicates by integer weights are not supported; kept None. ``repeats`` > 1
    chooses L2 and threshold on the out-of-fold probabilities of that many inner splits (seeds seed,
    seed + 1, ...) pooled; ``oof`` is the first split's."""
    n = len(idx)
    splits = [kfold_indices(n, te.INNER_FOLDS, seed + r, [STRATA[i] for i in idx]) for r in range(repeats)]
    sel = np.ones(n, bool) if select is None else select
    ws, bs, l2s, ths = [], [], [], []
    oof_all = np.zeros((n, len(xs)))
    for j, x in enumerate(xs):
        x, y = x[idx], Y[idx, j]
        best = None
        for l2 in l2_grid:
            oofs = []
            for folds in splits:
                oof = np.zeros(n)
                for f in folds:
                    tr = np.setdiff1d(np.arange(n), f)
                    w, b = fit_logreg(x[tr], y[tr], l2)
                    oof[f] = predict_proba(x[f], w, b)
                oofs.append(oof)
            po = np.concatenate([o[sel] for o in oofs])
            yo = np.concatenate([y[sel]] * repeats)
            t = best_threshold(po, yo)
            s = f1(po, yo, t)
            if best is None or s > best[0] + 1e-9:
                best = (s, l2, t, oofs[0])
        _, l2, t, oof = best
        w, b = fit_logreg(x, y, l2)
        ws.append(np.round(w, 5))
        bs.append(round(b, 5))
        l2s.append(l2)
        ths.append(round(t, 3))
        oof_all[:, j] = oof
    return Layer(ws, bs, l2s, ths, oof_all)


def base_xs() -> list[np.ndarray]:
    return [MATS[c] for c in EMOTION_CODES]


# A method: (train_idx, test_idx, seed, bertolini) -> (probs on test, thresholds on test) or
# (pred sets on test). Default = the committed layer.
Method = Callable[[np.ndarray, np.ndarray, int, bool], object]


_BASE_CACHE: dict[tuple, Layer] = {}
_BASE_FILE = W + "/base_layers.pkl"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        return Layer if name == "Layer" else super().find_class(module, name)


if os.path.exists(_BASE_FILE):
    with open(_BASE_FILE, "rb") as _f:
        _BASE_CACHE = _Unpickler(_f).load()


def base_layer(train: np.ndarray, seed: int) -> Layer:
    """The committed layer fitted on ``train`` (cached on disk by the training set and seed)."""
    key = (seed, len(train), int(train.sum()), int((train * train).sum() % 1000003))
    if key not in _BASE_CACHE:
        _BASE_CACHE[key] = fit_layer(base_xs(), train, seed)
        with open(_BASE_FILE, "wb") as f:
            pickle.dump(_BASE_CACHE, f)
    return _BASE_CACHE[key]


def lexicon_method(train: np.ndarray, test: np.ndarray, seed: int, eb: bool):
    layer = base_layer(train, seed)
    return layer.proba([x[test] for x in base_xs()]), np.tile(layer.thr, (len(test), 1))


def run(method: Method, seed: int = SEED, protocols=("all", "eb"), at_least_one_rule=True) -> dict[str, float]:
    """Macro F1 of ``method`` under the evaluator's protocols for fold seed ``seed``."""
    out: dict[str, float] = {}
    if "all" in protocols:
        pred: list[set[str]] = [set()] * N
        for test in kfold_indices(N, 5, seed, STRATA):
            train = np.setdiff1d(np.arange(N), test)
            res = method(train, test, seed, False)
            sets = decide(*res) if isinstance(res, tuple) else res
            for i, s in zip(test, sets, strict=True):
                pred[i] = s
        out["all"] = classification_scores(TRUTH, pred)["macro_f1"]
        out["eb_dep"] = classification_scores([TRUTH[i] for i in BEARING], [pred[i] for i in BEARING])["macro_f1"]
    if "eb" in protocols:
        eb_strata = [STRATA[i] for i in BEARING]
        pred_eb: list[set[str]] = [set()] * len(BEARING)
        for test in kfold_indices(len(BEARING), 5, seed, eb_strata):
            train = np.setdiff1d(np.arange(len(BEARING)), test)
            res = method(BEARING[train], BEARING[test], seed, True)
            sets = decide(*res, at_least_one=at_least_one_rule) if isinstance(res, tuple) else res
            for i, s in zip(test, sets, strict=True):
                pred_eb[i] = s
        out["bert"] = classification_scores([TRUTH[i] for i in BEARING], pred_eb)["macro_f1"]
    return out


def report(name: str, method: Method, seeds=(SEED, 1, 2), **kw) -> dict[int, dict[str, float]]:
    res = {}
    for s in seeds:
        res[s] = run(method, s, **kw)
    keys = list(res[seeds[0]])
    line = "  ".join(
        f"{k} " + "/".join(f"{res[s][k]:.4f}" for s in seeds) + f" (mean {np.mean([res[s][k] for s in seeds]):.4f})"
        for k in keys
    )
    print(f"{name:28s} {line}", flush=True)
    return res


__all__ = ["best_threshold", "fit_logreg", "kfold_indices", "predict_proba"]

if __name__ == "__main__":
    report("lexicon 1.2", lexicon_method)
