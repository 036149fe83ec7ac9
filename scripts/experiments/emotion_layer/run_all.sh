#!/bin/sh
# Experiment script (not part of the package): every variant in docs/analysis.md, "Emotions: cheap
# variants tried", over fold seeds 20261122, 1, 2. Work files in $EMO_WORKDIR (default /work/scratch/emo2).
# Single-threaded and niced: the CPU is shared with a latency benchmark.
set -e
cd "$(dirname "$0")/../../.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
run() { nice -n 10 flock -s /tmp/bench.lock .venv/bin/python "$@"; }
D=scripts/experiments/emotion_layer
run $D/stack.py lexicon ratio relative own stack count cap emb emb_stack
EMB_L2=3 run $D/stack.py emb
EMB_L2=3 EMB_KIND=any run $D/stack.py emb
PROTOCOLS=eb run $D/stack.py alltrain alltrain_all
run $D/feats.py inter chain rep formscale l1 smooth cvavg hgb_avg
PRUNE_MIN=3 run $D/feats.py prune
PRUNE_MIN=6 run $D/feats.py prune
EMO_WORKDIR=${EMO_WORKDIR:-/work/scratch/emo2}/waketok run $D/lexvar.py waketok
