# Experiment script (not part of the package): see docs/analysis.md, "Emotions: cheap variants tried".
"""Variants of the hit contexts (the lexicon side), scored with the committed trainer by the harness.

- ``waketok``: a hit counts as "after waking" only when it comes after the first waking word (woke,
  awoke, awake...) in the report, not anywhere in that word's sentence ("I was so confused I woke up"
  states a dream emotion).

Usage: EMO_WORKDIR=/work/scratch/emo2/VARIANT python lexvar.py VARIANT   (its own work directory: the
features differ from the committed ones)
"""

import dataclasses
import os
import sys

from dream_mosaic.analysis.components import emotions as em
from dream_mosaic.analysis.lexicons import WAKING_WORDS
from dream_mosaic.analysis.training import train_emotions as te

VARIANT = sys.argv[1]
_original = em.find_emotion_hits


def _waketok_hits(doc):
    hits = _original(doc)
    first = next((k for k, t in enumerate(doc.tokens) if t.lower in WAKING_WORDS), None)
    return [dataclasses.replace(h, waking=first is not None and h.first > first) for h in hits]


if VARIANT == "waketok":
    te.find_emotion_hits = _waketok_hits
else:
    raise SystemExit(f"unknown variant {VARIANT}")

sys.path.insert(0, os.path.dirname(__file__))
import harness as H  # noqa: E402  (after the patch: the harness featurises on import)

H.report(VARIANT, H.lexicon_method)
