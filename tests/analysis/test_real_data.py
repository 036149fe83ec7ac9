"""Against the real corpora beside the repo (../shared/data): fail under CI=true if missing, else skip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dream_mosaic.analysis import analyze_many
from dream_mosaic.analysis.components.emotions import MODEL_PATH


def _dreambank(shared_data: Path, n: int) -> list[str]:
    csv.field_size_limit(10**8)
    with (shared_data / "dreambank" / "dreambank.tsv").open(newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [r["report"] for _, r in zip(range(n), rows, strict=False)]


def test_spans_point_at_their_words_in_real_reports(shared_data: Path) -> None:
    texts = _dreambank(shared_data, 300)
    analyses = analyze_many(texts)
    n_emotions = 0
    for text, a in zip(texts, analyses, strict=True):
        for e in a.emotions:
            n_emotions += 1
            assert [text[s:t] for s, t in e.spans] == e.words
        for c in a.characters:
            assert text[c.span[0] : c.span[1]] == c.text
        for d in a.distress:
            assert text[d.span[0] : d.span[1]] == d.sentence
        assert -1 <= a.valence <= 1
    assert n_emotions > 100


@pytest.mark.slow
def test_cross_validated_scores_on_human_codes(shared_data: Path) -> None:
    from dream_mosaic.analysis.evaluate import evaluate

    r = evaluate(shared_data / "hvdc" / "hvdc_coded.csv")
    # Regression floors a little under the measured figures (docs/analysis.md has the figures).
    # Emotion component 1.5 (lexicon layer with the encoder's column) measured 0.812 / 0.853 / 0.860.
    assert r["emotions"]["emotion_bearing"]["macro_f1"] >= 0.84
    assert r["emotions"]["all_reports"]["macro_f1"] >= 0.80
    bertolini = r["emotions"]["emotion_bearing_trained_on_emotion_bearing"]
    assert bertolini["macro_f1"] >= 0.85
    # On its own training file the encoder's column comes from the per-fold record, never the shipped encoder.
    for source in r["emotions"]["encoder"].values():
        assert source.startswith("recorded per fold")
    # The at-least-one rule only adds a class to reports that had none, so it cannot lower recall.
    for c in ("AN", "AP", "SD", "CO", "HA"):
        assert bertolini[c]["recall"] >= bertolini["thresholds_only"][c]["recall"]
    assert r["characters"]["per_report_count"]["pearson_r"] >= 0.7
    # characters of the wrong kind per report: 2.513 with characters 1.31, 2.653 with 1.22, 2.849 with 1.9
    assert r["characters"]["per_report_category_error"]["mean"] <= 2.65
    assert r["characters"]["indicators"]["per_series"]["norms-m"]["mae_points_character_indicators"] <= 4.5  # 1.97
    ind = r["characters"]["indicators"]
    assert ind["mae_points_all_percent_indicators"] <= 6.0  # 5.45 measured with characters 1.11
    assert ind["never_inspected"]["mae_points_all_percent_indicators"] <= 7.5  # 6.97 measured
    assert ind["per_series"]["norms-f"]["mae_points_character_indicators"] <= 4.2  # 2.65 measured (4.71 with 1.9)
    # b-baseline rose with 1.10 (4.76 to 5.70, 5.41 with 1.11): "his mother" is now someone else's mother,
    # which the coders agree with, and the series' K excess (names coded as family) no longer hides behind it
    assert ind["per_series"]["b-baseline"]["mae_points_character_indicators"] <= 6.0  # 5.41
    assert ind["per_series"]["bea1"]["mae_points_character_indicators"] <= 2.5  # 1.09 (0.98 with 1.9)


@pytest.mark.slow
def test_indicators_with_the_declared_cast_and_the_coders_scope(shared_data: Path) -> None:
    from dream_mosaic.analysis.evaluate import evaluate

    cast = json.loads((Path(__file__).parents[2] / "docs" / "declared_cast.json").read_text())
    r = evaluate(shared_data / "hvdc" / "hvdc_coded.csv", cast=cast, focus={"ed": ["1FWA"]})
    series = r["characters"]["indicators"]["per_series"]
    # Ed's coders coded his late wife alone; over that scope: 2.85 points measured (15.81 over everyone)
    assert series["ed"]["focus"] == ["1FWA"]
    assert series["ed"]["mae_points_all_percent_indicators"] <= 3.5
    assert series["ed"]["mae_points_other_percent_indicators"] <= 4.5  # 3.94: the scope fixes no interaction
    # Emma's family as her journal names them: 3.61 (4.41 with her husband alone)
    assert series["emma"]["mae_points_all_percent_indicators"] <= 4.2
    assert series["emma"]["mae_points_character_indicators"] <= 2.0  # 1.20 (4.18 with her husband alone)
    # Barb Sanders' cast as /me/cast suggests it from her journal: 2.81 (3.22 without)
    assert series["b-baseline"]["mae_points_all_percent_indicators"] <= 3.2


@pytest.mark.slow
def test_trainer_reproduces_the_committed_model(shared_data: Path, tmp_path: Path) -> None:
    from dream_mosaic.analysis.training.train_emotions import main

    out = tmp_path / "emotions.json"
    main(["--coded", str(shared_data / "hvdc" / "hvdc_coded.csv"), "--out", str(out)])
    assert json.loads(out.read_text()) == json.loads(MODEL_PATH.read_text())
