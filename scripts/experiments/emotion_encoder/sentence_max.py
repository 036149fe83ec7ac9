# Experiment script (not part of the package): see docs/analysis.md, "Each hit sentence on its own".
"""Score the fold encoders kept by a ``longer_inputs.py`` (or any ``cv --protocol eb``) run one hit sentence
at a time, and give each report, per class, the highest probability of its sentences instead of the
probability of the sentences joined. No training: the same encoders, the same folds and inner parts, so the
result can be scored with ``average_seeds.py eb OUT`` beside the joined probabilities of the same run.

    .venv/bin/python scripts/experiments/emotion_encoder/sentence_max.py DIR OUT [MAX_TOKENS]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dream_mosaic.analysis.emotion_encoder as encoder_module
from dream_mosaic.analysis.components.emotions import find_emotion_hits, hit_sentences
from dream_mosaic.analysis.pipeline import DreamDoc, Pipeline
from dream_mosaic.analysis.training import train_emotion_encoder as trainer
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.logreg import kfold_indices


def sentences_with_hits(text: str, pre: Pipeline) -> list[str]:
    doc = DreamDoc.from_text(text)
    for comp in pre._components:
        comp.fn(doc)
    return hit_sentences(doc, find_emotion_hits(doc))


def main(src: Path, out: Path, max_tokens: int) -> None:
    encoder_module.MAX_TOKENS = max_tokens  # read when each encoder loads its tokenizer
    reports = load_coded()
    pre = Pipeline(["characters"])
    sentences = [sentences_with_hits(r.text, pre) for r in reports]
    strata = [r.series for r in reports]
    universe, folds = trainer.outer_folds(reports, "eb")
    out.mkdir(parents=True, exist_ok=True)

    def scored(path: Path, idx: list[int]) -> dict[str, list[float]]:
        enc = encoder_module.EmotionEncoder(path, encoder_module.TOKENIZER_PATH)
        got = {}
        for i in idx:
            if sentences[i]:
                got[reports[i].key] = [round(float(v), 5) for v in enc.probabilities(sentences[i]).max(axis=0)]
        return got

    for k, test in enumerate(folds):
        held = set(test.tolist())
        train = [i for i in universe if i not in held]
        oof: dict[str, list[float]] = {}
        for p, part in enumerate(
            kfold_indices(len(train), trainer.INNER_PARTS, trainer.SEED, [strata[i] for i in train])
        ):
            oof.update(scored(src / f"encoder_eb_{k}_part{p}.onnx", [train[j] for j in part]))
        record = {
            "fold": k,
            "seed": trainer.SEED,
            "test_keys": [reports[i].key for i in test],
            "train_oof": oof,
            "test": scored(src / f"encoder_eb_{k}.onnx", test.tolist()),
        }
        (out / f"cv_eb_{k}.json").write_text(json.dumps(record, sort_keys=True) + "\n")
        print(f"fold {k}: {len(oof)} training and {len(record['test'])} held-out reports scored", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 128)
