# Experiment script (not part of the package): see docs/analysis.md, "The encoder adapted to dream text first".
"""Task-adaptive pre-training (Gururangan et al. 2020) of the emotion encoder's base model before it is
fine-tuned: masked-language modelling on the *hit sentences* of DreamBank reports that no coder coded
(the six coded series, ``b`` and ``b2`` (Barb Sanders' other series) and any report whose text is in the coded file
are left out, so no report the evaluator scores, and none of the 469 coded reports kept aside, is read).
Then the evaluator's folds are fine-tuned from the adapted model instead of all-MiniLM-L6-v2 itself.

Needs the training venv (``pip install -e '.[train]'``):

    .venv-train/bin/python scripts/experiments/emotion_encoder/adapt_to_dreams.py corpus --workdir DIR
    .venv-train/bin/python scripts/experiments/emotion_encoder/adapt_to_dreams.py mlm --workdir DIR
    .venv-train/bin/python scripts/experiments/emotion_encoder/adapt_to_dreams.py finetune --workdir DIR \\
        cv --protocol eb --fold K                      # K = 0..4; two at a time on two cores
    (``--train-seed 7`` before ``cv``, with ``DIR/adapted`` linked from the first run: another training seed)
    .venv/bin/python scripts/experiments/emotion_encoder/average_seeds.py eb DIR
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from pathlib import Path

import numpy as np

import dream_mosaic.analysis.training.train_emotion_encoder as trainer
from dream_mosaic.analysis.training.data import DEFAULT_CODED_CSV, load_coded

DREAMBANK = DEFAULT_CODED_CSV.parent.parent / "dreambank" / "dreambank.tsv"
LEFT_OUT_SERIES = {"norms-f", "norms-m", "b-baseline", "bea1", "ed", "emma", "b", "b2"}
SEED = 20261207


def _norm(text: str) -> str:
    return " ".join(text.lower().split())[:200]


def corpus(workdir: Path) -> None:
    from dream_mosaic.analysis.training.train_emotions import hit_texts

    coded = {_norm(r.text) for r in load_coded()}
    csv.field_size_limit(10**8)
    texts = []
    with DREAMBANK.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["language"] != "en" or row["series"] in LEFT_OUT_SERIES or _norm(row["report"]) in coded:
                continue
            texts.append(row["report"])
    print(f"{len(texts)} reports", flush=True)
    hits = [h for h in hit_texts(texts) if h]
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "corpus.txt").write_text("\n".join(" ".join(h.split()) for h in hits) + "\n")
    print(f"{len(hits)} hit texts -> {workdir / 'corpus.txt'}")


def mlm(workdir: Path, epochs: int, lr: float, max_len: int = 96, batch: int = 32) -> None:
    import torch
    from transformers import BertForMaskedLM

    from dream_mosaic.analysis.emotion_encoder import EmotionEncoder

    torch.set_num_threads(1)  # two threads on this 2-core machine stall (as in the fine-tuning)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    base = trainer._model_dir()
    tok = EmotionEncoder.load_tokenizer(Path(base) / "tokenizer.json")
    tok.enable_truncation(max_len)
    lines = [ln for ln in (workdir / "corpus.txt").read_text().splitlines() if ln.strip()]
    model = BertForMaskedLM.from_pretrained(base)
    model.train()
    mask_id, vocab = tok.token_to_id("[MASK]"), model.config.vocab_size
    special = {tok.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")}
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * int(np.ceil(len(lines) / batch))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    step = 0
    for epoch in range(epochs):
        t0, total, n = time.time(), 0.0, 0
        for idx in trainer.length_batches(lines, batch, rng):
            ids, att = EmotionEncoder.encode(tok, [lines[i] for i in idx])  # padded to the longest
            # BERT's recipe: 15 % of real tokens are targets; of those 80 % [MASK], 10 % random, 10 % kept
            can = (att == 1) & ~np.isin(ids, list(special))
            target = can & (rng.random(ids.shape) < 0.15)
            labels = np.where(target, ids, -100)
            roll = rng.random(ids.shape)
            inp = ids.copy()
            inp[target & (roll < 0.8)] = mask_id
            rand = target & (roll >= 0.8) & (roll < 0.9)
            inp[rand] = rng.integers(1000, vocab, rand.sum())
            # The vocabulary projection only at the targets: over every position it doubled the step's time
            h = model.bert(input_ids=torch.tensor(inp), attention_mask=torch.tensor(att)).last_hidden_state
            sel = torch.tensor(target)
            logits = model.cls(h[sel])
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels)[sel])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total, n, step = total + loss.item(), n + 1, step + 1
            if step % 50 == 0:
                print(f"  step {step}/{steps} loss {total / n:.3f} {time.time() - t0:.0f}s", flush=True)
        print(f"epoch {epoch} loss {total / n:.3f} {time.time() - t0:.0f}s", flush=True)
    save_adapted(model.bert, base, workdir / "adapted")


def save_adapted(bert: object, base: str, out_dir: Path) -> None:
    """The adapted encoder, with the base model's pooler (MLM has none; mean pooling never reads it, but a
    missing pooler would be initialised from torch's seed and shift the head's initialisation)."""
    from transformers import AutoModel

    full = AutoModel.from_pretrained(base)
    missing, _ = full.load_state_dict(bert.state_dict(), strict=False)  # type: ignore[attr-defined]
    assert all(k.startswith("pooler.") for k in missing), missing
    full.save_pretrained(out_dir)
    for name in Path(base).iterdir():
        if name.name.startswith(("tokenizer", "vocab", "special_tokens")):
            shutil.copyfile(name, out_dir / name.name)
    print(f"wrote {out_dir}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=["corpus", "mlm", "finetune"])
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--train-seed", type=int, help="finetune: another training seed (another_training_seed.py)")
    a, rest = ap.parse_known_args()
    if a.stage == "corpus":
        corpus(a.workdir)
    elif a.stage == "mlm":
        mlm(a.workdir, a.epochs, a.lr)
    else:
        adapted = str(a.workdir / "adapted")
        trainer._model_dir = lambda: adapted  # every encoder of the run starts from the adapted weights
        if a.train_seed is not None:
            trainer.train_encoder.__defaults__ = (a.train_seed, trainer._log)
        trainer.main([*rest, "--workdir", str(a.workdir)])


if __name__ == "__main__":
    sys.exit(main())
