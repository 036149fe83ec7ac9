#!/bin/bash
# usage (in $EMO_WORKDIR): run_folds.sh PROTOCOL TAG ARGS...  -- the five outer folds, each under flock, nice 19
P=$1; T=$2; shift 2
for k in 0 1 2 3 4; do
  [ -f enc_${T}_${P}_$k.json ] && continue
  nice -n 19 flock /tmp/bench.lock ${EMO_PYTHON:-../emo-venv/bin/python} "$(dirname "$0")/finetune.py" --protocol $P --fold $k --tag $T "$@" > out_${T}_${P}_$k.txt 2>&1
done
