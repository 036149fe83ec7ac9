# Experiment script (not part of the package): see docs/analysis.md, "Emotions: cheap variants tried".
"""Variants on top of the committed lexicon layer, all nested inside the outer folds of the harness:

- ``ratio``: at-least-one rule picks the class with the highest p / threshold instead of the highest p;
- ``relative``: a class also counts when p >= r * (top class's p) and p >= r2 * threshold, r chosen on the
  training reports' inner out-of-fold probabilities;
- ``stack``: per class a second logistic layer over the five classes' inner out-of-fold log-odds
  (classifier-chain style stacking), its L2 and threshold chosen by a second-level cross-validation;
- ``own``: the same second layer over the class's own log-odds only (a recalibration);
- ``emb``: the second layer over the own log-odds and a logistic model on the WordLlama embedding of the
  sentences carrying that class's hits (cross-fitted on the same inner folds; EMB_L2, EMB_KIND=any for
  the sentences with any hit); ``emb_stack`` with all five log-odds;
- ``count``: a learned number of classes per report (round(sum of probabilities + delta)), top k;
- ``cap``: the committed thresholds with at most m classes per report, m chosen by inner CV;
- ``alltrain`` / ``alltrain_all`` (Bertolini et al.'s test folds only, PROTOCOLS=eb): the layer trained on
  the training folds plus every report with no coded emotion, L2 and threshold chosen on the inner F1 of
  the emotion-bearing training reports / of all of them.

Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python stack.py VARIANT [VARIANT...]
"""

import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import harness as H
from harness import EMOTION_CODES, Y, best_threshold, f1, fit_logreg, kfold_indices, predict_proba


def lg(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def ratio_method(train, test, seed, eb):
    P, T = H.lexicon_method(train, test, seed, eb)
    if not eb:
        return P, T
    out = []
    for p, t in zip(P, T, strict=True):
        s = {c for c, pc, tc in zip(EMOTION_CODES, p, t, strict=True) if pc >= tc}
        if not s:
            s = {EMOTION_CODES[int(np.argmax(p / t))]}
        out.append(s)
    return out


def _relative_sets(P, T, r, eb):
    out = []
    for p, t in zip(P, T, strict=True):
        top = p.max()
        s = {c for c, pc, tc in zip(EMOTION_CODES, p, t, strict=True) if pc >= tc or (pc >= r * top and pc >= 0.5 * tc)}
        if eb and not s:
            s = {EMOTION_CODES[int(np.argmax(p))]}
        out.append(s)
    return out


def _macro(sets, idx):
    f = []
    for j, c in enumerate(EMOTION_CODES):
        pred = np.array([c in s for s in sets])
        f.append(f1(pred.astype(float), Y[idx, j], 0.5))
    return float(np.mean(f))


def relative_method(train, test, seed, eb):
    layer = H.base_layer(train, seed)
    T_in = np.tile(layer.thr, (len(train), 1))
    best = (-1, 2.0)
    for r in (2.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6):
        s = _macro(_relative_sets(layer.oof, T_in, r, eb), train)
        if s > best[0] + 1e-9:
            best = (s, r)
    P, T = H.lexicon_method(train, test, seed, eb)
    return _relative_sets(P, T, best[1], eb)


STACK_L2 = (0.3, 1.0, 3.0, 10.0)


def _stage2(Z_in, y, idx_strata, seed):
    """Second-level logistic: L2 and threshold from a 5-fold CV over the inner out-of-fold inputs."""
    n = len(y)
    folds = kfold_indices(n, 5, seed + 7, idx_strata)
    best = None
    for l2 in STACK_L2:
        oof = np.zeros(n)
        for f in folds:
            tr = np.setdiff1d(np.arange(n), f)
            w, b = fit_logreg(Z_in[tr], y[tr], l2)
            oof[f] = predict_proba(Z_in[f], w, b)
        t = best_threshold(oof, y)
        s = f1(oof, y, t)
        if best is None or s > best[0] + 1e-9:
            best = (s, l2, t)
    _, l2, t = best
    w, b = fit_logreg(Z_in, y, l2)
    return w, b, t


def _stack(train, test, seed, extra_in=None, extra_out=None, own_only=False):
    layer = H.base_layer(train, seed)
    P_out = layer.proba([x[test] for x in H.base_xs()])
    Zi, Zo = lg(layer.oof), lg(P_out)
    strata = [H.STRATA[i] for i in train]
    probs = np.zeros((len(test), 5))
    thr = np.zeros((len(test), 5))
    for j in range(5):
        cols_i = [Zi[:, [j]]] if own_only else [Zi]
        cols_o = [Zo[:, [j]]] if own_only else [Zo]
        if extra_in is not None:
            cols_i.append(extra_in[:, [j]])
            cols_o.append(extra_out[:, [j]])
        zi, zo = np.hstack(cols_i), np.hstack(cols_o)
        w, b, t = _stage2(zi, Y[train, j], strata, seed)
        probs[:, j] = predict_proba(zo, w, b)
        thr[:, j] = t
    return probs, thr


def stack_method(train, test, seed, eb):
    return _stack(train, test, seed)


# --- WordLlama embeddings of the sentences carrying hits -------------------------------------------------


def _embeddings():
    cache = H.W + "/hit_sent_emb.pkl"
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    from dream_mosaic.analysis import embed
    from dream_mosaic.analysis.components.emotions import find_emotion_hits
    from dream_mosaic.analysis.pipeline import DreamDoc, Pipeline

    pre = Pipeline(["characters"])
    E = {c: np.zeros((H.N, 256), np.float32) for c in ["any", *EMOTION_CODES]}
    for i, r in enumerate(H.REPORTS):
        doc = DreamDoc.from_text(r.text)
        for comp in pre._components:
            comp.fn(doc)
        hits = [h for h in find_emotion_hits(doc) if not h.negated]
        for c in E:
            sents = sorted({doc.tokens[h.first].sent for h in hits if c == "any" or c in h.classes})
            if sents:
                E[c][i] = embed([" ".join(doc.sentence_text(s) for s in sents)])[0]
    with open(cache, "wb") as f:
        pickle.dump(E, f)
    return E


EMB_L2 = float(os.environ.get("EMB_L2", "0.3"))
EMB_KIND = os.environ.get("EMB_KIND", "class")


def _emb_logits(train, test, seed):
    """Per class, log-odds of a logistic model on the hit-sentence embedding: inner out-of-fold on train
    (the same inner folds as the lexicon layer's), and fitted on all of train for test."""
    E = _embeddings()
    n = len(train)
    folds = kfold_indices(n, H.te.INNER_FOLDS, seed, [H.STRATA[i] for i in train])
    zi, zo = np.zeros((n, 5)), np.zeros((len(test), 5))
    for j, c in enumerate(EMOTION_CODES):
        X = E[c if EMB_KIND == "class" else "any"].astype(float) * 4.0
        x, y = X[train], Y[train, j]
        for f in folds:
            tr = np.setdiff1d(np.arange(n), f)
            w, b = fit_logreg(x[tr], y[tr], EMB_L2)
            zi[f, j] = lg(predict_proba(x[f], w, b))
        w, b = fit_logreg(x, y, EMB_L2)
        zo[:, j] = lg(predict_proba(X[test], w, b))
    return zi, zo


def emb_method(train, test, seed, eb):
    zi, zo = _emb_logits(train, test, seed)
    return _stack(train, test, seed, zi, zo, own_only=True)


def emb_stack_method(train, test, seed, eb):
    zi, zo = _emb_logits(train, test, seed)
    return _stack(train, test, seed, zi, zo)


def own_method(train, test, seed, eb):
    return _stack(train, test, seed, own_only=True)


def _count_sets(P, delta, eb):
    out = []
    for p in P:
        k = int(np.floor(p.sum() + delta + 0.5))
        k = max(k, 1) if eb else max(k, 0)
        out.append({EMOTION_CODES[j] for j in np.argsort(-p)[:k]})
    return out


def count_method(train, test, seed, eb):
    """A learned number of classes per report: k = round(sum of the five probabilities + delta), delta
    chosen on the training reports' inner out-of-fold probabilities; the k most probable classes."""
    layer = H.base_layer(train, seed)
    best = (-1.0, 0.0)
    for delta in np.arange(-0.6, 0.61, 0.1):
        s = _macro(_count_sets(layer.oof, delta, eb), train)
        if s > best[0] + 1e-9:
            best = (s, float(delta))
    P, _ = H.lexicon_method(train, test, seed, eb)
    return _count_sets(P, best[1], eb)


def _cap_sets(P, T, m, eb):
    out = []
    for p, t in zip(P, T, strict=True):
        on = [j for j in np.argsort(-(p / t)) if p[j] >= t[j]][:m]
        if eb and not on:
            on = [int(np.argmax(p))]
        out.append({EMOTION_CODES[j] for j in on})
    return out


def cap_method(train, test, seed, eb):
    """Thresholds as committed, but at most m classes per report (those furthest above their threshold),
    m in 1..5 chosen on the training reports' inner out-of-fold probabilities."""
    layer = H.base_layer(train, seed)
    T_in = np.tile(layer.thr, (len(train), 1))
    best = (-1.0, 5)
    for m in (5, 4, 3, 2, 1):
        s = _macro(_cap_sets(layer.oof, T_in, m, eb), train)
        if s > best[0] + 1e-9:
            best = (s, m)
    P, T = H.lexicon_method(train, test, seed, eb)
    return _cap_sets(P, T, best[1], eb)


NON_BEARING = np.setdiff1d(np.arange(H.N), H.BEARING)


def _alltrain(train, test, seed, eb, select_eb):
    """Bertolini's test folds, but the layer is trained on the training folds plus every report with no
    coded emotion (never a test report of that protocol); L2 and threshold chosen on the inner
    out-of-fold F1 of the emotion-bearing training reports (``select_eb``) or of all of them."""
    if not eb:
        return H.lexicon_method(train, test, seed, eb)
    full = np.union1d(train, NON_BEARING)
    sel = np.isin(full, H.BEARING) if select_eb else None
    key = ("alltrain", select_eb, seed, len(full), int(full.sum()))
    if key not in H._BASE_CACHE:
        H._BASE_CACHE[key] = H.fit_layer(H.base_xs(), full, seed, select=sel)
        with open(H._BASE_FILE, "wb") as f:
            pickle.dump(H._BASE_CACHE, f)
    layer = H._BASE_CACHE[key]
    return layer.proba([x[test] for x in H.base_xs()]), np.tile(layer.thr, (len(test), 1))


def alltrain_method(train, test, seed, eb):
    return _alltrain(train, test, seed, eb, True)


def alltrain_all_method(train, test, seed, eb):
    return _alltrain(train, test, seed, eb, False)


METHODS = {
    "count": count_method,
    "cap": cap_method,
    "alltrain": alltrain_method,
    "alltrain_all": alltrain_all_method,
    "lexicon": H.lexicon_method,
    "ratio": ratio_method,
    "relative": relative_method,
    "own": own_method,
    "stack": stack_method,
    "emb": emb_method,
    "emb_stack": emb_stack_method,
}

if __name__ == "__main__":
    protocols = tuple(os.environ.get("PROTOCOLS", "all,eb").split(","))
    for name in sys.argv[1:]:
        H.report(name, METHODS[name], protocols=protocols)
