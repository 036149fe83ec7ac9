"""The fine-tuned emotion encoder: its run-time behaviour, its place in the layer, and where the evaluator
takes its probabilities from (it must never score a report with an encoder that was trained on it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from dream_mosaic.analysis import analyze, evaluate
from dream_mosaic.analysis.components import emotions
from dream_mosaic.analysis.emotion_encoder import ENCODER_PATH, shipped_encoder
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.train_emotions import hit_texts

from .conftest import DREAMS, write_coded

AP, HA = EMOTION_CODES.index("AP"), EMOTION_CODES.index("HA")


def test_the_shipped_encoder_is_small_enough_to_commit() -> None:
    # Issue 3: trained artifacts committed to the repo total at most 50 MB.
    models = ENCODER_PATH.parent
    assert sum(p.stat().st_size for p in models.iterdir()) < 50e6


def test_encoder_reads_fear_and_joy_apart() -> None:
    enc = shipped_encoder()
    assert enc is not None
    fear, joy = enc.probabilities(["I was terrified and ran away.", "I was so happy to see my old friends."])
    assert fear[AP] > 0.5 > joy[AP]
    assert joy[HA] > 0.5 > fear[HA]


def test_a_text_gets_the_same_probabilities_alone_or_among_others() -> None:
    enc = shipped_encoder()
    assert enc is not None
    texts = [DREAMS["chase"], "I was angry.", DREAMS["negated"]]
    together = enc.probabilities(texts)
    alone = np.array([enc.probabilities([t])[0] for t in texts])
    assert np.array_equal(together, alone)


def test_the_shipped_layer_leans_on_the_encoder() -> None:
    model = emotions.load_model()
    assert emotions.uses_encoder(model)
    assert model is not None
    for code in EMOTION_CODES:
        assert model.classes[code].weights[emotions.ENCODER_FEATURE] > 0, code
    # The same hits with the encoder's verdict swapped: the class's confidence follows it.
    text = "I felt strange and a little sad."
    from dream_mosaic.analysis.pipeline import DreamDoc, Pipeline

    doc = DreamDoc.from_text(text)
    for comp in Pipeline(["characters"])._components:
        comp.fn(doc)
    hits = emotions.find_emotion_hits(doc)
    sd = EMOTION_CODES.index("SD")
    low, high = [0.0] * 5, [0.0] * 5
    high[sd] = 1.0
    feats_low = emotions.hit_features(hits, 0, low)["SD"]
    feats_high = emotions.hit_features(hits, 0, high)["SD"]
    assert model.classes["SD"].probability(feats_high) > model.classes["SD"].probability(feats_low)


def test_the_pipeline_codes_with_the_encoder() -> None:
    a = analyze(DREAMS["chase"])
    assert {"AP", "HA"} <= a.emotion_codes()
    assert analyze("We walked to the shop and bought bread.").emotions == []


def test_a_layer_that_needs_a_missing_encoder_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import dream_mosaic.analysis.emotion_encoder as ee

    needs = emotions.EmotionModel({"AP": emotions.ClassModel({emotions.ENCODER_FEATURE: 2.0}, -1.0, 0.5)}, {})
    monkeypatch.setattr(emotions, "load_model", lambda: needs)
    monkeypatch.setattr(ee, "shipped_encoder", lambda: None)
    with pytest.raises(RuntimeError, match="needs its encoder"):
        emotions.make_emotions()


# --- the evaluator's encoder column ------------------------------------------------------------------------


@pytest.fixture(autouse=False)
def layer_with_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate, "uses_encoder", lambda model: True)


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _record(coded: Path, folds: int, seed: int, tmp_path: Path) -> tuple[Path, Path]:
    """A trainer's record for ``coded``: every training report scored 0.25, every held-out one 0.75."""
    reports = load_coded(coded)
    keys = [r.key for r in reports]
    test_folds = [[keys[i] for i in f] for f in evaluate.outer_folds(reports, folds, seed)]
    cv = {
        "seed": seed,
        "folds": folds,
        "trained_on_sha1": _sha1(coded),
        "protocols": {
            "all": [
                {
                    "test_keys": tk,
                    "train_oof": {k: [0.25] * 5 for k in keys if k not in tk},
                    "test": {k: [0.75] * 5 for k in tk},
                }
                for tk in test_folds
            ]
        },
    }
    oof = {"seed": seed, "trained_on_sha1": _sha1(coded), "oof": {k: [0.5] * 5 for k in keys}}
    cv_path, oof_path = tmp_path / "cv.json", tmp_path / "oof.json"
    cv_path.write_text(json.dumps(cv))
    oof_path.write_text(json.dumps(oof))
    return cv_path, oof_path


@pytest.mark.usefixtures("layer_with_encoder")
def test_on_the_training_file_each_fold_reads_its_own_recorded_probabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coded = write_coded(tmp_path / "coded.csv", 12)
    cv_path, oof_path = _record(coded, 2, 7, tmp_path)
    monkeypatch.setattr(evaluate, "CV_PATH", cv_path)
    monkeypatch.setattr(evaluate, "OOF_PATH", oof_path)
    reports = load_coded(coded)
    fold_encoder, source = evaluate.encoder_columns(reports, _sha1(coded), "all", 2, 7)
    assert fold_encoder is not None and source.startswith("recorded per fold")
    for k, test in enumerate(evaluate.outer_folds(reports, 2, 7)):
        train = np.setdiff1d(np.arange(len(reports)), test)
        enc_train, enc_test = fold_encoder(k, train, test)
        assert (enc_train == 0.25).all() and (enc_test == 0.75).all()
    # Other folds or another seed than the trainer recorded: no honest column, so none is used.
    for folds, seed in ((3, 7), (2, 8)):
        fold_encoder, source = evaluate.encoder_columns(reports, _sha1(coded), "all", folds, seed)
        assert fold_encoder is None and source.startswith("not used")
    # The emotion-bearing protocol was not recorded here.
    assert evaluate.encoder_columns(reports, _sha1(coded), "eb", 2, 7)[0] is None


@pytest.mark.usefixtures("layer_with_encoder")
def test_an_edited_copy_of_the_training_file_gets_no_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coded = write_coded(tmp_path / "coded.csv", 12)
    cv_path, oof_path = _record(coded, 2, 7, tmp_path)
    monkeypatch.setattr(evaluate, "CV_PATH", cv_path)
    monkeypatch.setattr(evaluate, "OOF_PATH", oof_path)
    edited = tmp_path / "edited.csv"
    edited.write_text(coded.read_text().replace("terrified", "very frightened"))
    fold_encoder, source = evaluate.encoder_columns(load_coded(edited), _sha1(edited), "all", 2, 7)
    assert fold_encoder is None and "share ids" in source


@pytest.mark.usefixtures("layer_with_encoder")
def test_a_file_the_encoder_never_saw_is_scored_by_the_shipped_encoder(tmp_path: Path) -> None:
    coded = write_coded(tmp_path / "coded.csv", 12)
    reports = load_coded(coded)
    fold_encoder, source = evaluate.encoder_columns(reports, _sha1(coded), "all", 2, 7)
    assert fold_encoder is not None and source.startswith("the shipped encoder")
    test = evaluate.outer_folds(reports, 2, 7)[0]
    train = np.setdiff1d(np.arange(len(reports)), test)
    _, enc_test = fold_encoder(0, train, test)
    enc = shipped_encoder()
    assert enc is not None
    i = int(test[0])
    hits_text = hit_texts([reports[i].text])[0]
    expected = enc.probabilities([hits_text])[0] if hits_text else np.zeros(5)
    assert np.allclose(enc_test[0], expected)

