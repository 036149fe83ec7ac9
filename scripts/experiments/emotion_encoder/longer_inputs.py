# Experiment script (not part of the package): see docs/analysis.md, "Longer encoder inputs".
"""Run ``train_emotion_encoder`` with the encoder reading up to N word pieces of the hit sentences instead of
``MAX_TOKENS`` (64), in training and in the int8 scoring that records the probabilities, the evaluator's
folds and inner parts unchanged. Needs the training venv (``pip install -e '.[train]'``):

    .venv-train/bin/python scripts/experiments/emotion_encoder/longer_inputs.py 128 \\
        cv --protocol eb --fold K --workdir DIR          # K = 0..4; two at a time on two cores
    .venv/bin/python scripts/experiments/emotion_encoder/average_seeds.py eb DIR
"""

from __future__ import annotations

import sys

import dream_mosaic.analysis.emotion_encoder as encoder

if __name__ == "__main__":
    # load_tokenizer reads the module's MAX_TOKENS when it is called, so training and scoring both see it
    encoder.MAX_TOKENS = int(sys.argv[1])
    from dream_mosaic.analysis.training import train_emotion_encoder as trainer

    trainer.main(sys.argv[2:])
