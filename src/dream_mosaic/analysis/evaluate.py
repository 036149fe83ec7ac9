"""Validation against human Hall & Van de Castle coders: ``mosaic evaluate CODED.csv --json``.

Emotions are scored by k-fold cross-validation (seeded, stratified by series): the learned layer is
refitted on the training folds and scored only on the held-out fold, so no score comes from a report the
method was fitted to. ``emotion_bearing`` scores the deployed set-up (a layer trained on all reports) on
the held-out reports that carry an emotion; ``emotion_bearing_trained_on_emotion_bearing`` repeats
Bertolini et al.'s protocol exactly (trained and tested on emotion-bearing reports only). Characters,
interactions and settings are rule-based (nothing fitted) and are scored on every report.
``reports_per_second`` times the whole pipeline (analysis and embedding) here.

The layer's encoder column cannot be refitted here (the runtime has no torch). On the coded file the encoder
was trained on, each fold reads the probabilities its trainer recorded for that very fold
(``emotion_encoder_cv.json``: encoders that never saw the fold's held-out reports); on a file the encoder
never saw, the shipped encoder scores every report; in any other case the layer is scored without the
encoder, and the JSON says which (``emotions.encoder``).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .components.emotions import ENCODER_FEATURE, FEATURE_NAMES, load_model, uses_encoder
from .emotion_encoder import CV_PATH, OOF_PATH, shipped_encoder
from .indicators import (
    FAMILY,
    INDICATOR_NAMES,
    NORMS,
    UNFAMILIAR,
    ReportCodes,
    codes_from_analysis,
    focused,
    indicators,
    parse_character,
)
from .schemas import EMOTION_CODES, DreamAnalysis
from .training.data import CodedReport, load_coded
from .training.logreg import kfold_indices
from .training.train_emotions import SEED, featurize, fit_emotion_model, hit_texts, labels

Progress = Callable[[str, int, int], None]
# For outer fold k with these training and held-out report indices: the encoder column of each.
FoldEncoder = Callable[[int, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def classification_scores(y_true: Sequence[set[str]], y_pred: Sequence[set[str]]) -> dict[str, Any]:
    """Per-class precision/recall/f1 (presence per report), macro and micro F1."""
    out: dict[str, Any] = {}
    tps = fps = fns = 0
    f1s = []
    for c in EMOTION_CODES:
        tp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if c in t and c in p)
        fp = sum(1 for t, p in zip(y_true, y_pred, strict=True) if c not in t and c in p)
        fn = sum(1 for t, p in zip(y_true, y_pred, strict=True) if c in t and c not in p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        out[c] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": tp + fn}
        f1s.append(f1)
        tps, fps, fns = tps + tp, fps + fp, fns + fn
    out["macro_f1"] = round(float(np.mean(f1s)), 4)
    out["micro_f1"] = round(2 * tps / (2 * tps + fps + fns), 4) if tps else 0.0
    out["n_reports"] = len(y_true)
    return out


def outer_folds(reports: Sequence[CodedReport], folds: int, seed: int) -> list[np.ndarray]:
    return kfold_indices(len(reports), folds, seed, [r.series for r in reports])


def _column(probs: Mapping[str, Sequence[float]], keys: Sequence[str]) -> np.ndarray:
    zero = [0.0] * len(EMOTION_CODES)  # no entry: the report has no hit, so no sentence to read
    return np.array([probs.get(k, zero) for k in keys], dtype=float).reshape(len(keys), len(EMOTION_CODES))


def encoder_columns(
    reports: Sequence[CodedReport], coded_sha1: str, protocol: str, folds: int, seed: int
) -> tuple[FoldEncoder | None, str]:
    """Where the encoder column of each fold comes from, and why (see the module docstring)."""
    if not uses_encoder(load_model()):
        return None, "not used: the shipped layer has no encoder column"
    trained_on = json.loads(OOF_PATH.read_text()) if OOF_PATH.exists() else {"oof": {}}
    keys = [r.key for r in reports]
    if coded_sha1 == trained_on.get("trained_on_sha1"):
        record = json.loads(CV_PATH.read_text()) if CV_PATH.exists() else {}
        recorded = record.get("protocols", {}).get(protocol)
        expected = [[keys[i] for i in f] for f in outer_folds(reports, folds, seed)]
        if (
            record.get("trained_on_sha1") != coded_sha1
            or record.get("seed") != seed
            or not recorded
            or [f["test_keys"] for f in recorded] != expected
        ):
            return None, (
                f"not used: the encoder was trained on this file and its trainer recorded cross-fitted "
                f"probabilities for {record.get('folds')} folds with seed {record.get('seed')} only"
            )

        def from_record(k: int, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            fold = recorded[k]
            return _column(fold["train_oof"], [keys[i] for i in train]), _column(fold["test"], [keys[i] for i in test])

        return from_record, (
            "recorded per fold by its trainer: training reports scored by encoders cross-fitted on the "
            "training folds, held-out reports by an encoder trained on the training folds only"
        )
    if set(keys) & set(trained_on["oof"]):
        return None, "not used: some of these reports share ids with the encoder's training reports"
    encoder = shipped_encoder()
    if encoder is None:
        return None, "not used: the encoder's files are missing"
    texts = hit_texts([r.text for r in reports])
    with_hit = [i for i, t in enumerate(texts) if t]
    probs = np.zeros((len(reports), len(EMOTION_CODES)))
    probs[with_hit] = encoder.probabilities([texts[i] for i in with_hit])

    def shipped(k: int, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return probs[train], probs[test]

    return shipped, "the shipped encoder, which was never trained on these reports"


def cross_validated_probabilities(
    reports: list[CodedReport],
    folds: int = 5,
    seed: int = SEED,
    progress: Progress = _noop,
    stage: str = "cross-validation",
    encoder: FoldEncoder | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per report and class (``EMOTION_CODES`` order), the probability and the decision threshold of a layer
    that never saw the report (the threshold was tuned inside that layer's training folds). Without
    ``encoder`` the layer's encoder column stays 0: the lexicon-only layer."""
    if len(reports) < folds * 2:
        raise ValueError(f"{len(reports)} reports are too few for {folds}-fold cross-validation")
    base = featurize([r.text for r in reports])
    ys = labels([r.emotion_set for r in reports])
    strata = [r.series for r in reports]
    n = len(reports)
    probs = np.zeros((n, len(EMOTION_CODES)))
    thresholds = np.zeros((n, len(EMOTION_CODES)))
    for k, test in enumerate(outer_folds(reports, folds, seed)):
        train = np.setdiff1d(np.arange(n), test)
        mats = base
        if encoder is not None:
            enc_train, enc_test = encoder(k, train, test)
            mats = {c: m.copy() for c, m in base.items()}
            for j, c in enumerate(EMOTION_CODES):
                col = FEATURE_NAMES[c].index(ENCODER_FEATURE)
                mats[c][train, col] = enc_train[:, j]
                mats[c][test, col] = enc_test[:, j]
        model = fit_emotion_model(
            {c: m[train] for c, m in mats.items()},
            {c: y[train] for c, y in ys.items()},
            seed,
            strata=[strata[i] for i in train],
        )
        for j, c in enumerate(EMOTION_CODES):
            cm = model.classes[c]
            w = np.array([cm.weights.get(f, 0.0) for f in FEATURE_NAMES[c]])
            probs[test, j] = 1.0 / (1.0 + np.exp(-np.clip(mats[c][test] @ w + cm.bias, -30, 30)))
            thresholds[test, j] = cm.threshold
        progress(stage, k + 1, folds)
    return probs, thresholds


def decide(probs: np.ndarray, thresholds: np.ndarray, at_least_one: bool = False) -> list[set[str]]:
    """Classes at or above their threshold. With ``at_least_one`` a report with none gets its most
    probable class: only for reports known to carry an emotion (Bertolini et al.'s protocol), never for
    the deployed layer, which must be free to find no emotion."""
    pred: list[set[str]] = []
    for p, t in zip(probs, thresholds, strict=True):
        s = {c for c, pc, tc in zip(EMOTION_CODES, p, t, strict=True) if pc >= tc}
        if at_least_one and not s:
            s = {EMOTION_CODES[int(np.argmax(p))]}
        pred.append(s)
    return pred


def cross_validated_emotions(
    reports: list[CodedReport],
    folds: int = 5,
    seed: int = SEED,
    progress: Progress = _noop,
    stage: str = "cross-validation",
    at_least_one: bool = False,
    encoder: FoldEncoder | None = None,
) -> list[set[str]]:
    """Emotion classes predicted for each report by a model that never saw it."""
    probs, thresholds = cross_validated_probabilities(reports, folds, seed, progress, stage, encoder)
    return decide(probs, thresholds, at_least_one)


def _dreamer_classes(text: str) -> set[str]:
    """Classes with a valid lexicon hit whose experiencer is the dreamer (no fitted weights involved)."""
    from .components.emotions import find_emotion_hits
    from .pipeline import DreamDoc, Pipeline

    doc = DreamDoc.from_text(text)
    for comp in Pipeline(["characters"])._components:
        comp.fn(doc)
    return {c for h in find_emotion_hits(doc) if h.experiencer == "D" and not h.negated for c in h.classes}


def human_codes(r: CodedReport) -> ReportCodes:
    def physical(code: str) -> bool:
        return code[:1].isdigit() and int(code[0]) >= 5

    return ReportCodes(
        characters=list(r.characters),
        emotions=[c for c, _ in r.emotions],
        aggression=[(physical(c), i, rc) for c, i, rc in r.aggression],
        friendliness=[(i, rc) for _c, i, rc in r.friendliness],
        sexuality=[(i, rc) for _c, i, rc in r.sexuality],
        settings=list(r.settings),
        misfortunes=[m.partition(":")[2] or m for m in r.misfortunes],
        good_fortunes=list(r.good_fortunes),
        successes=list(r.successes),
        failures=list(r.failures),
    )


CHARACTER_CATEGORIES = ("family", "known", "prominent", "unfamiliar", "animal", "creature", "male", "female")
_IDENTITY_GROUPS = (
    ("family", FAMILY),
    ("known", frozenset("K")),
    ("prominent", frozenset("P")),
    ("unfamiliar", UNFAMILIAR),
)


def _categories(codes: Sequence[str]) -> Counter[str]:
    """How many characters of each HVdC kind (identity group, and sex for humans) a list of codes holds."""
    out: Counter[str] = Counter()
    for code in codes:
        _number, sex, ident, _age = parse_character(code)
        if ident in ("ANI", "CZZ"):
            out["animal" if ident == "ANI" else "creature"] += 1
            continue
        for group, identities in _IDENTITY_GROUPS:
            if ident in identities:
                out[group] += 1
                break
        if sex in ("M", "F"):
            out["male" if sex == "M" else "female"] += 1
    return out


def _category_error(human: Sequence[str], predicted: Sequence[str]) -> int:
    """Characters of a report in the wrong kind, counted both ways (see ``CHARACTER_CATEGORIES``)."""
    h, p = _categories(human), _categories(predicted)
    return sum(abs(h[k] - p[k]) for k in CHARACTER_CATEGORIES)


def _pearson(x: Sequence[float], y: Sequence[float]) -> float:
    a, b = np.asarray(x, float), np.asarray(y, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def evaluate(
    coded_csv_path: str | Path,
    folds: int = 5,
    seed: int = SEED,
    cross_validate: bool = True,
    progress: Progress = _noop,
    cast: Mapping[str, Mapping[str, str]] | None = None,
    focus: Mapping[str, Collection[str]] | None = None,
) -> dict[str, Any]:
    """Score the analysis against the human codes in ``coded_csv_path`` (see module docstring).

    With ``cross_validate=False`` the shipped emotion model is scored as is: only honest on a file it was
    not trained on (an independent coded set). ``cast`` maps a series to the names its dreamer has
    declared (``{"ed": {"Mary": "1FWA"}}``), as a dreamer can on the platform; the result records it.
    ``focus`` maps a series whose coders coded only the dreamer's relations with some characters to their
    codes (``{"ed": ["1FWA"]}``): that series' indicators are then computed over the same scope on both
    sides (``indicators.focused``), and the result records it.
    """
    from . import analyze, analyze_many, default_pipeline, embed

    reports = load_coded(coded_csv_path)
    texts = [r.text for r in reports]
    default_pipeline()  # load once, outside the timing
    embed(["warm-up"])
    t0 = time.perf_counter()
    analyses: list[DreamAnalysis] = []
    batch = 200
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        if cast:
            series = [r.series for r in reports[start : start + batch]]
            analyses.extend(analyze(t, cast.get(s)) for t, s in zip(chunk, series, strict=True))
        else:
            analyses.extend(analyze_many(chunk))
        embed(chunk)
        progress("analysis", min(len(texts), start + batch), len(texts))
    elapsed = time.perf_counter() - t0

    truth = [r.emotion_set for r in reports]
    coded_sha1 = hashlib.sha1(Path(coded_csv_path).read_bytes()).hexdigest()
    encoder_source: dict[str, str] = {}
    if cross_validate:
        encoder, encoder_source["all_reports"] = encoder_columns(reports, coded_sha1, "all", folds, seed)
        predicted = cross_validated_emotions(reports, folds, seed, progress, encoder=encoder)
        protocol = f"{folds}-fold cross-validation stratified by series, seed {seed}; layer refitted per fold"
    else:
        predicted = [a.emotion_codes() for a in analyses]
        meta = (load_model() or None) and load_model().meta  # type: ignore[union-attr]
        protocol = f"shipped model as is (trained on {meta.get('trained_on') if meta else 'nothing: rules'})"
    bearing = [i for i, t in enumerate(truth) if t]
    unread = [i for i, r in enumerate(reports) if not r.dev]
    bertolini: dict[str, Any] | None = None
    if cross_validate and len(bearing) >= 20 * folds:
        # Bertolini et al.'s protocol: the layer trained AND tested on emotion-bearing reports only.
        eb_reports = [reports[i] for i in bearing]
        eb_encoder, encoder_source["emotion_bearing_trained_on_emotion_bearing"] = encoder_columns(
            eb_reports, coded_sha1, "eb", folds, seed
        )
        eb_probs, eb_thresholds = cross_validated_probabilities(
            eb_reports, folds, seed, progress, "cross-validation (eb only)", eb_encoder
        )
        eb_truth = [r.emotion_set for r in eb_reports]
        # Every report of this protocol is known to carry an emotion, so a report where no class passes
        # its threshold gets its most probable class (the thresholds alone are reported beside it).
        bertolini = classification_scores(eb_truth, decide(eb_probs, eb_thresholds, at_least_one=True))
        bertolini["decision_rule"] = "classes at or above their threshold; if none, the most probable class"
        bertolini["thresholds_only"] = classification_scores(eb_truth, decide(eb_probs, eb_thresholds))

    # Characters per report
    n_pred = [len(a.characters) for a in analyses]
    n_true = [len(r.characters) for r in reports]
    # Per report, how far the characters' kinds are from the coders': a series' indicators can come out
    # right from errors that cancel (a husband coded known beside a stranger coded family), this cannot.
    category_error = [
        _category_error(r.characters, [c.code for c in a.characters]) for r, a in zip(reports, analyses, strict=True)
    ]
    human = [human_codes(r) for r in reports]
    auto = [codes_from_analysis(a) for a in analyses]

    def halves(values: Sequence[float]) -> dict[str, float | None]:
        """The mean of a per-report figure over all reports, the dev ones and the never-read ones."""

        def mean(keep: Callable[[CodedReport], bool]) -> float | None:
            xs = [v for v, r in zip(values, reports, strict=True) if keep(r)]
            return round(float(np.mean(xs)), 3) if xs else None

        return {"mean": mean(lambda r: True), "dev": mean(lambda r: r.dev),
                "never_inspected": mean(lambda r: not r.dev)}

    # Indicators per series: predicted codes use the cross-validated emotions.
    per_series: dict[str, Any] = {}
    series_names = sorted({r.series for r in reports})
    percent_names = [n for n in INDICATOR_NAMES if NORMS[n][2] == "percent"]
    character_names = [
        "male_female_percent",
        "familiarity_percent",
        "friends_percent",
        "family_percent",
        "animal_percent",
    ]
    all_abs: list[float] = []
    char_abs: list[float] = []
    subset_abs: dict[str, tuple[list[float], list[float]]] = {"dev": ([], []), "never_inspected": ([], [])}

    def series_rows(idx: list[int], scope: Collection[str] | None) -> tuple[dict[str, Any], list[float], list[float]]:
        def scoped(rc: ReportCodes) -> ReportCodes:
            return rc if scope is None else focused(rc, scope)

        # the per-report codes computed once above; the predicted ones with the cross-validated emotions
        coded = indicators(scoped(human[i]) for i in idx)
        found = indicators(scoped(replace(auto[i], emotions=sorted(predicted[i]))) for i in idx)
        rows: dict[str, Any] = {}
        diffs: list[float] = []
        cdiffs: list[float] = []
        for name in INDICATOR_NAMES:
            h, p = coded[name], found[name]
            d = None if h is None or p is None else abs(h - p)
            rows[name] = {
                "human": None if h is None else round(h, 3),
                "predicted": None if p is None else round(p, 3),
                "abs_diff": None if d is None else round(d, 3),
            }
            if d is not None and name in percent_names:
                diffs.append(d)
                if name in character_names:
                    cdiffs.append(d)
        return rows, diffs, cdiffs

    def mae(xs: list[float]) -> float | None:
        return round(float(np.mean(xs)), 2) if xs else None

    for s in series_names:
        idx = [i for i, r in enumerate(reports) if r.series == s]
        scope = (focus or {}).get(s)
        rows, diffs, cdiffs = series_rows(idx, scope)
        all_abs.extend(diffs)
        char_abs.extend(cdiffs)
        # The rules were refined by reading errors on dev reports only: the same indicators on each half.
        subsets: dict[str, Any] = {}
        for name, keep in (("dev", True), ("never_inspected", False)):
            sub = [i for i in idx if reports[i].dev == keep]
            _rows, sdiffs, scdiffs = series_rows(sub, scope) if sub else ({}, [], [])
            subset_abs[name][0].extend(sdiffs)
            subset_abs[name][1].extend(scdiffs)
            subsets[name] = {
                "n_reports": len(sub),
                "mae_points_all_percent_indicators": mae(sdiffs),
                "mae_points_character_indicators": mae(scdiffs),
            }
        per_series[s] = {
            "n_reports": len(idx),
            "focus": sorted(scope) if scope is not None else None,
            "mae_points_all_percent_indicators": mae(diffs),
            "mae_points_character_indicators": mae(cdiffs),
            # The other percentages (interactions, events, emotions): with a focus, the character ones are
            # the same on both sides by construction, and these are what is left to measure.
            "mae_points_other_percent_indicators": mae(
                [row["abs_diff"] for name, row in rows.items()
                 if name in percent_names and name not in character_names and row["abs_diff"] is not None]
            ),
            **subsets,
            "indicators": rows,
        }

    return {
        "n_reports": len(reports),
        "protocol": protocol,
        "declared_cast": {k: dict(v) for k, v in cast.items()} if cast else None,
        "focus": {k: sorted(v) for k, v in focus.items()} if focus else None,
        "emotions": {
            "all_reports": classification_scores(truth, predicted),
            "emotion_bearing": classification_scores([truth[i] for i in bearing], [predicted[i] for i in bearing]),
            "emotion_bearing_trained_on_emotion_bearing": bertolini,
            # The lexicons were refined by reading errors on "dev" reports only (CodedReport.dev): the
            # same cross-validated predictions, on the reports never read while developing.
            "never_inspected_subset": {
                "all_reports": classification_scores([truth[i] for i in unread], [predicted[i] for i in unread]),
                "emotion_bearing": classification_scores(
                    [truth[i] for i in unread if truth[i]], [predicted[i] for i in unread if truth[i]]
                ),
            },
            # Where each protocol's encoder column came from (absent when nothing was cross-validated).
            "encoder": encoder_source or None,
            "dreamer_only_all_reports": classification_scores(
                [{c for c, ch in r.emotions if ch == "D"} for r in reports],
                [predicted[i] & _dreamer_classes(r.text) for i, r in enumerate(reports)],
            ),
        },
        "characters": {
            "per_report_count": {
                "pearson_r": round(_pearson(n_pred, n_true), 4),
                "mae": round(float(np.mean(np.abs(np.subtract(n_pred, n_true)))), 3),
                "human_mean": round(float(np.mean(n_true)), 3),
                "predicted_mean": round(float(np.mean(n_pred)), 3),
            },
            "per_report_category_error": {"categories": list(CHARACTER_CATEGORIES), **halves(category_error)},
            "indicators": {
                "mae_points_character_indicators": round(float(np.mean(char_abs)), 2) if char_abs else None,
                "mae_points_all_percent_indicators": round(float(np.mean(all_abs)), 2) if all_abs else None,
                "dev": {
                    "mae_points_character_indicators": mae(subset_abs["dev"][1]),
                    "mae_points_all_percent_indicators": mae(subset_abs["dev"][0]),
                },
                "never_inspected": {
                    "mae_points_character_indicators": mae(subset_abs["never_inspected"][1]),
                    "mae_points_all_percent_indicators": mae(subset_abs["never_inspected"][0]),
                },
                "per_series": per_series,
            },
        },
        # Per report, how many interactions and events of each kind the coders coded and the analysis found:
        # the absolute difference, averaged (an indicator's percentage can hide a count that is off).
        "per_report_counts": {
            kind: {
                "human_mean": round(float(np.mean([len(getattr(h, kind)) for h in human])), 3),
                "predicted_mean": round(float(np.mean([len(getattr(p, kind)) for p in auto])), 3),
                "mae": halves(
                    [abs(len(getattr(h, kind)) - len(getattr(p, kind))) for h, p in zip(human, auto, strict=True)]
                ),
            }
            for kind in ("aggression", "friendliness", "sexuality", "misfortunes", "good_fortunes", "successes",
                         "failures")
        },
        "reports_per_second": round(len(texts) / elapsed, 1) if elapsed > 0 else math.inf,
    }
