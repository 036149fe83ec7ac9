# ruff: noqa: SIM115
# Experiment script (not part of the package): see docs/analysis.md, "Emotions: a fine-tuned encoder, tried".
"""Export per-report hit sentences, labels and the evaluator's folds (run in the project venv)."""

import json
import os

import numpy as np

from dream_mosaic.analysis.components.emotions import find_emotion_hits
from dream_mosaic.analysis.pipeline import DreamDoc, Pipeline
from dream_mosaic.analysis.schemas import EMOTION_CODES
from dream_mosaic.analysis.training.data import load_coded
from dream_mosaic.analysis.training.logreg import kfold_indices
from dream_mosaic.analysis.training.train_emotions import SEED

W = os.environ.get("EMO_WORKDIR", "/work/scratch/emo")

reports = load_coded()
pre = Pipeline(["characters"])
out = []
for r in reports:
    doc = DreamDoc.from_text(r.text)
    for comp in pre._components:
        comp.fn(doc)
    hits = find_emotion_hits(doc)
    sents = sorted({doc.tokens[h.first].sent for h in hits})
    # mark hits with brackets? keep plain sentences, plus a marked variant
    plain = " ".join(doc.text[doc.sentences[s].start : doc.sentences[s].end] for s in sents)
    out.append(
        {
            "key": r.key,
            "series": r.series,
            "dev": r.dev,
            "labels": [int(c in r.emotion_set) for c in EMOTION_CODES],
            "hit_text": plain,
            "n_hits": len(hits),
            "text": r.text,
        }
    )
n = len(reports)
strata = [r.series for r in reports]
folds_all = [f.tolist() for f in kfold_indices(n, 5, SEED, strata)]
eb = [i for i, r in enumerate(reports) if r.emotion_set]
folds_eb = [[eb[j] for j in f] for f in kfold_indices(len(eb), 5, SEED, [strata[i] for i in eb])]
json.dump(
    {"reports": out, "folds_all": folds_all, "folds_eb": folds_eb, "eb": eb, "codes": list(EMOTION_CODES)},
    open(W + "/data.json", "w"),
)
lens = [len(o["hit_text"].split()) for o in out]
print(
    n,
    "no hits:",
    sum(1 for o in out if not o["n_hits"]),
    "words p50/p90/p99/max",
    np.percentile(lens, [50, 90, 99, 100]),
)
print("full words p50/p90", np.percentile([len(o["text"].split()) for o in out], [50, 90]))
