# ruff: noqa: SIM115, E402
# Experiment script (not part of the package): see docs/analysis.md, "Emotions: a fine-tuned encoder, tried".
"""Combine cross-fitted encoder probabilities with the lexicon layer (run in the project venv)."""

import json
import os
import sys

import numpy as np

import dream_mosaic.analysis.training.train_emotions as te
from dream_mosaic.analysis.evaluate import classification_scores, decide
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.logreg import best_threshold, fit_logreg, kfold_indices, predict_proba

SEED = 20261122
W = os.environ.get("EMO_WORKDIR", "/work/scratch/emo")
tag = sys.argv[1]
protocols = sys.argv[2].split(",") if len(sys.argv) > 2 else ["all"]
D = json.load(open(W + "/data.json"))
reports = load_coded()
ORIG = dict(te.FEATURE_NAMES)
import pickle

cache = W + "/mats.pkl"
if os.path.exists(cache):
    mats = pickle.load(open(cache, "rb"))
else:
    mats = te.featurize([r.text for r in reports])
    pickle.dump(mats, open(cache, "wb"))
ys = te.labels([r.emotion_set for r in reports])
truth = [r.emotion_set for r in reports]
strata = [r.series for r in reports]


def lg(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit(idx, extra=None):
    """Fit the lexicon layer on idx (optionally with extra per-class columns); return model."""
    te.FEATURE_NAMES = {
        c: ORIG[c] + ([f"x{j}" for j in range(extra[c].shape[1])] if extra else []) for c in EMOTION_CODES
    }
    m = {c: (np.hstack([mats[c], extra[c]]) if extra else mats[c])[idx] for c in EMOTION_CODES}
    model = te.fit_emotion_model(m, {c: ys[c][idx] for c in EMOTION_CODES}, SEED, strata=[strata[i] for i in idx])
    names = te.FEATURE_NAMES
    te.FEATURE_NAMES = ORIG
    return model, names


def prob(model, names, idx, extra=None):
    P = np.zeros((len(idx), 5))
    Th = np.zeros((len(idx), 5))
    for j, c in enumerate(EMOTION_CODES):
        cm = model.classes[c]
        w = np.array([cm.weights.get(f, 0.0) for f in names[c]])
        x = (np.hstack([mats[c], extra[c]]) if extra else mats[c])[idx]
        P[:, j] = 1 / (1 + np.exp(-np.clip(x @ w + cm.bias, -30, 30)))
        Th[:, j] = cm.threshold
    return P, Th


def inner_oof_lex(model, T):
    """Out-of-fold lexicon probabilities on T with each class's chosen L2 (inner CV of the trainer)."""
    folds = kfold_indices(len(T), te.INNER_FOLDS, SEED, [strata[i] for i in T])
    oof = np.zeros((len(T), 5))
    for j, c in enumerate(EMOTION_CODES):
        l2 = model.meta["l2"][c]
        for f in folds:
            tr = np.setdiff1d(np.arange(len(T)), f)
            w, b = fit_logreg(mats[c][T][tr], ys[c][T][tr], l2)
            oof[f, j] = predict_proba(mats[c][T][f], w, b)
    return oof


def f1(p, y, t):
    pr = p >= t
    tp = np.sum(pr & (y == 1))
    fp = np.sum(pr & (y == 0))
    fn = np.sum(~pr & (y == 1))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


results = {}
for P in protocols:
    folds = D["folds_all"] if P == "all" else D["folds_eb"]
    universe = sorted(i for f in folds for i in f)
    n = len(reports)
    out = {k: (np.zeros((n, 5)), np.zeros((n, 5))) for k in ["lex", "feat_p", "feat_logit", "avg", "enc"]}
    for k, S in enumerate(folds):
        E = json.load(open(W + f"/enc_{tag}_{P}_{k}.json"))
        S = np.array(S)
        Sset = set(S.tolist())
        T = np.array([i for i in universe if i not in Sset])
        penc = np.zeros((n, 5))  # no hit -> 0
        for i, v in E["oof"].items():
            penc[int(i)] = v
        for i, v in E["test"].items():
            penc[int(i)] = v
        lexm, names = fit(T)
        p, t = prob(lexm, names, S)
        out["lex"][0][S] = p
        out["lex"][1][S] = t
        for key, ex in (
            ("feat_p", {c: penc[:, [j]] for j, c in enumerate(EMOTION_CODES)}),
            (
                "feat_logit",
                {
                    c: (lg(penc[:, [j]]) - lg(np.array([0.0]))[0]) * (penc[:, [j]] > 0)
                    for j, c in enumerate(EMOTION_CODES)
                },
            ),
        ):
            m2, n2 = fit(T, ex)
            p, t = prob(m2, n2, S, ex)
            out[key][0][S] = p
            out[key][1][S] = t
        # average: weight and threshold per class from T's out-of-fold probabilities
        oofl = inner_oof_lex(lexm, T)
        for j, c in enumerate(EMOTION_CODES):
            best = None
            for w in np.arange(0, 1.01, 0.1):
                q = (1 - w) * oofl[:, j] + w * penc[T, j]
                th = best_threshold(q, ys[c][T])
                s = f1(q, ys[c][T], th)
                if best is None or s > best[0] + 1e-9:
                    best = (s, w, th)
            _, w, th = best
            out["avg"][0][S, j] = (1 - w) * out["lex"][0][S, j] + w * penc[S, j]
            out["avg"][1][S, j] = th
            # encoder alone, threshold from its OOF on T
            th = best_threshold(penc[T, j], ys[c][T])
            out["enc"][0][S, j] = penc[S, j]
            out["enc"][1][S, j] = th
            print(P, k, c, "avg w", round(w, 1), file=sys.stderr)
    U = np.array(universe)
    bearing = [i for i in universe if truth[i]]
    res = {}
    for key, (pp, tt) in out.items():
        if P == "all":
            pred = decide(pp, tt)
            r_all = classification_scores([truth[i] for i in U], [pred[i] for i in U])
            r_eb = classification_scores([truth[i] for i in bearing], [pred[i] for i in bearing])
            unread = [i for i in universe if not D["reports"][i]["dev"]]
            per_fold = [classification_scores([truth[i] for i in f], [pred[i] for i in f])["macro_f1"] for f in folds]
            res[key] = {
                "all_reports": r_all["macro_f1"],
                "emotion_bearing": r_eb["macro_f1"],
                "never_read_all": classification_scores([truth[i] for i in unread], [pred[i] for i in unread])[
                    "macro_f1"
                ],
                "never_read_eb": classification_scores(
                    [truth[i] for i in unread if truth[i]], [pred[i] for i in unread if truth[i]]
                )["macro_f1"],
                "per_fold_all": per_fold,
                "per_class_eb": {c: r_eb[c]["f1"] for c in EMOTION_CODES},
                "per_class_all": {c: r_all[c]["f1"] for c in EMOTION_CODES},
            }
        else:
            pred = decide(pp[U], tt[U], at_least_one=True)
            pred2 = decide(pp[U], tt[U])
            r = classification_scores([truth[i] for i in U], pred)
            res[key] = {
                "bertolini_at_least_one": r["macro_f1"],
                "thresholds_only": classification_scores([truth[i] for i in U], pred2)["macro_f1"],
                "per_class": {c: r[c]["f1"] for c in EMOTION_CODES},
            }
        print(P, key, json.dumps(res[key]))
    results[P] = res
json.dump(results, open(W + f"/combined_{tag}_{'_'.join(protocols)}.json", "w"), indent=1)
