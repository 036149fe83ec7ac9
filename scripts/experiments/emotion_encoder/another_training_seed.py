# Experiment script (not part of the package): see docs/analysis.md, "A second encoder, averaged".
"""Run ``train_emotion_encoder`` with another *training* seed (torch's initialisation and batch order), the
evaluator's folds and inner parts unchanged, so that its probabilities can be averaged with the shipped
encoder's fold by fold. Needs the training venv (``pip install -e '.[train]'``):

    .venv-train/bin/python scripts/experiments/emotion_encoder/another_training_seed.py 7 \\
        cv --protocol eb --fold K --workdir DIR          # K = 0..4; two at a time on two cores
"""

from __future__ import annotations

import sys

import dream_mosaic.analysis.training.train_emotion_encoder as trainer

if __name__ == "__main__":
    seed = int(sys.argv[1])
    # train_encoder's seed is a default argument bound at import; every encoder of the run takes this one
    trainer.train_encoder.__defaults__ = (seed, trainer._log)
    trainer.main(sys.argv[2:])
