# Experiment script (not part of the package): see docs/analysis.md, "Emotions: cheap variants tried".
"""Variants of the layer itself, each refitted inside every outer training set with the trainer's own
L2 grid and inner cross-validation (harness.fit_layer) unless said otherwise:

- ``inter``: four interaction columns per class (log1p counts of hits stated AND felt by the dreamer,
  stated AND single-class, dreamer AND single-class, stated AND intensified);
- ``chain``: classifier-chain style, the other four classes' log-odds as columns (inner out-of-fold for
  training reports, the full fit for held-out ones);
- ``rep``: L2 and threshold chosen on three inner splits pooled instead of one;
- ``formscale``: each class chooses its per-form feature scale (0.2, 0.3, 0.5) jointly with its L2;
- ``l1``: an L1 penalty (scikit-learn liblinear, C per class by inner CV) instead of L2;
- ``smooth``: the committed layer with its threshold re-chosen on the F1 curve smoothed over neighbours;
- ``cvavg``: held-out reports scored by the mean of the five inner-fold models instead of a refit;
- ``prune``: columns non-zero in fewer than PRUNE_MIN (3, 6) training reports dropped;
- ``hgb_avg``: the mean of a small HistGradientBoosting model's and the logistic layer's probabilities.

Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python feats.py VARIANT [VARIANT...]
"""

import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import harness as H
from harness import EMOTION_CODES


def _hits():
    cache = H.W + "/hits.pkl"
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    from dream_mosaic.analysis.components.emotions import find_emotion_hits
    from dream_mosaic.analysis.pipeline import DreamDoc, Pipeline

    pre = Pipeline(["characters"])
    out = []
    for r in H.REPORTS:
        doc = DreamDoc.from_text(r.text)
        for comp in pre._components:
            comp.fn(doc)
        out.append(find_emotion_hits(doc))
    with open(cache, "wb") as f:
        pickle.dump(out, f)
    return out


def inter_cols():
    hits = _hits()
    cols = {c: np.zeros((H.N, 4)) for c in EMOTION_CODES}
    for i, hs in enumerate(hits):
        for h in hs:
            if h.negated:
                continue
            strong = (h.feel or h.copula) and not h.determiner and not (h.quoted or h.waking or h.bracketed)
            dreamer = h.experiencer == "D"
            single = len(h.classes) == 1
            for c in h.classes:
                cols[c][i] += [strong and dreamer, strong and single, dreamer and single, strong and h.intensified]
    return {c: np.log1p(v) for c, v in cols.items()}


def with_cols(extra):
    return [np.hstack([H.MATS[c], extra[c]]) for c in EMOTION_CODES]


def inter_method(train, test, seed, eb):
    xs = with_cols(inter_cols())
    layer = H.fit_layer(xs, train, seed)
    return layer.proba([x[test] for x in xs]), np.tile(layer.thr, (len(test), 1))


def _lg(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def chain_method(train, test, seed, eb):
    base = H.base_layer(train, seed)
    z = np.zeros((H.N, 5))
    z[train] = _lg(base.oof)
    z[test] = _lg(base.proba([x[test] for x in H.base_xs()]))
    xs = [np.hstack([H.MATS[c], np.delete(z, j, axis=1)]) for j, c in enumerate(EMOTION_CODES)]
    layer = H.fit_layer(xs, train, seed)
    return layer.proba([x[test] for x in xs]), np.tile(layer.thr, (len(test), 1))


def rep_method(train, test, seed, eb):
    """The committed features; L2 and threshold chosen on three inner splits pooled instead of one."""
    layer = H.fit_layer(H.base_xs(), train, seed, repeats=3)
    return layer.proba([x[test] for x in H.base_xs()]), np.tile(layer.thr, (len(test), 1))


FORM_SCALES = (0.2, 0.3, 0.5)


def _scaled(scale):
    from dream_mosaic.analysis.components.emotions import FEATURE_NAMES

    xs = []
    for c in EMOTION_CODES:
        m = H.MATS[c].copy()
        cols = [k for k, f in enumerate(FEATURE_NAMES[c]) if f.startswith("f:")]
        m[:, cols] *= scale / 0.3
        xs.append(m)
    return xs


def formscale_method(train, test, seed, eb):
    """Each class chooses its per-form feature scale (0.2, 0.3, 0.5) jointly with its L2, by the same
    inner cross-validated F1 the trainer uses for L2 alone."""
    probs = np.zeros((len(test), 5))
    thr = np.zeros((len(test), 5))
    layers = [H.fit_layer(_scaled(s), train, seed) if s != 0.3 else H.base_layer(train, seed) for s in FORM_SCALES]
    sel = []
    for j in range(5):
        best = None
        for s, layer in zip(FORM_SCALES, layers, strict=True):
            score = H.f1(layer.oof[:, j], H.Y[train, j], layer.thr[j])
            if best is None or score > best[0] + 1e-9:
                best = (score, s, layer)
        _, s, layer = best
        sel.append(s)
        probs[:, j] = layer.proba([x[test] for x in _scaled(s)])[:, j]
        thr[:, j] = layer.thr[j]
    return probs, thr


L1_C = (0.1, 0.2, 0.4, 0.8, 1.6)


def l1_method(train, test, seed, eb):
    """The committed features with an L1 penalty (scikit-learn's liblinear) instead of L2: C and threshold
    per class by the trainer's inner cross-validation."""
    from sklearn.linear_model import LogisticRegression

    n = len(train)
    folds = H.kfold_indices(n, H.te.INNER_FOLDS, seed, [H.STRATA[i] for i in train])
    probs = np.zeros((len(test), 5))
    thr = np.zeros((len(test), 5))
    for j, x in enumerate(H.base_xs()):
        xt, y = x[train], H.Y[train, j]
        best = None
        for c in L1_C:
            oof = np.zeros(n)
            for f in folds:
                tr = np.setdiff1d(np.arange(n), f)
                m = LogisticRegression(l1_ratio=1.0, C=c, solver="liblinear", intercept_scaling=10.0)
                m.fit(xt[tr], y[tr])
                oof[f] = m.predict_proba(xt[f])[:, 1]
            t = H.best_threshold(oof, y)
            score = H.f1(oof, y, t)
            if best is None or score > best[0] + 1e-9:
                best = (score, c, t)
        _, c, t = best
        m = LogisticRegression(l1_ratio=1.0, C=c, solver="liblinear", intercept_scaling=10.0).fit(xt, y)
        probs[:, j] = m.predict_proba(x[test])[:, 1]
        thr[:, j] = t
    return probs, thr


def _smooth_threshold(prob, y):
    """The threshold whose F1, averaged with its two neighbours on the trainer's grid, is highest."""
    grid = np.arange(0.15, 0.86, 0.025)
    f = np.array([H.f1(prob, y, t) for t in grid])
    fs = np.convolve(np.pad(f, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    return float(grid[int(np.argmax(fs))])


def smooth_method(train, test, seed, eb):
    """The committed layer (same L2 per class), its threshold re-chosen by the smoothed F1 curve."""
    layer = H.base_layer(train, seed)
    thr = [_smooth_threshold(layer.oof[:, j], H.Y[train, j]) for j in range(5)]
    return layer.proba([x[test] for x in H.base_xs()]), np.tile(thr, (len(test), 1))


def cvavg_method(train, test, seed, eb):
    """The committed layer's choices (L2, threshold), but the held-out reports are scored by the mean
    probability of the five inner-fold models the threshold was chosen on, not by a refit on all of them."""
    layer = H.base_layer(train, seed)
    n = len(train)
    folds = H.kfold_indices(n, H.te.INNER_FOLDS, seed, [H.STRATA[i] for i in train])
    probs = np.zeros((len(test), 5))
    for j, x in enumerate(H.base_xs()):
        for f in folds:
            tr = np.setdiff1d(np.arange(n), f)
            w, b = H.fit_logreg(x[train][tr], H.Y[train, j][tr], layer.l2[j])
            probs[:, j] += H.predict_proba(x[test], w, b) / len(folds)
    return probs, np.tile(layer.thr, (len(test), 1))


PRUNE_MIN = int(os.environ.get("PRUNE_MIN", "3"))


def prune_method(train, test, seed, eb):
    """The committed features, minus the columns that are non-zero in fewer than PRUNE_MIN training
    reports (rare forms and groups whose weight rests on one or two reports)."""
    xs = []
    for x in H.base_xs():
        keep = (x[train] != 0).sum(0) >= PRUNE_MIN
        xs.append(x * keep)
    layer = H.fit_layer(xs, train, seed)
    return layer.proba([x[test] for x in xs]), np.tile(layer.thr, (len(test), 1))


def _hgb():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_depth=3, learning_rate=0.05, max_iter=200, l2_regularization=1.0, min_samples_leaf=10, random_state=0
    )


def _hgb_probs(train, test, seed):
    """Per class, HistGradientBoosting on the committed features: inner out-of-fold on train (the
    trainer's inner folds) and fitted on all of train for test. Fixed, small hyper-parameters."""
    n = len(train)
    folds = H.kfold_indices(n, H.te.INNER_FOLDS, seed, [H.STRATA[i] for i in train])
    oof, out = np.zeros((n, 5)), np.zeros((len(test), 5))
    for j, x in enumerate(H.base_xs()):
        xt, y = x[train], H.Y[train, j]
        for f in folds:
            tr = np.setdiff1d(np.arange(n), f)
            oof[f, j] = _hgb().fit(xt[tr], y[tr]).predict_proba(xt[f])[:, 1]
        out[:, j] = _hgb().fit(xt, y).predict_proba(x[test])[:, 1]
    return oof, out


def hgb_method(train, test, seed, eb):
    oof, out = _hgb_probs(train, test, seed)
    thr = [H.best_threshold(oof[:, j], H.Y[train, j]) for j in range(5)]
    return out, np.tile(thr, (len(test), 1))


def hgb_avg_method(train, test, seed, eb):
    """Mean of the HistGradientBoosting and committed logistic probabilities; threshold on the mean of
    their inner out-of-fold probabilities."""
    layer = H.base_layer(train, seed)
    oof, out = _hgb_probs(train, test, seed)
    avg_in = (oof + layer.oof) / 2
    thr = [H.best_threshold(avg_in[:, j], H.Y[train, j]) for j in range(5)]
    avg_out = (out + layer.proba([x[test] for x in H.base_xs()])) / 2
    return avg_out, np.tile(thr, (len(test), 1))


METHODS = {
    "prune": prune_method,
    "hgb": hgb_method,
    "hgb_avg": hgb_avg_method,
    "smooth": smooth_method,
    "cvavg": cvavg_method,
    "l1": l1_method,
    "formscale": formscale_method,
    "inter": inter_method,
    "chain": chain_method,
    "rep": rep_method,
}

if __name__ == "__main__":
    protocols = tuple(os.environ.get("PROTOCOLS", "all,eb").split(","))
    for name in sys.argv[1:]:
        H.report(name, METHODS[name], protocols=protocols)
