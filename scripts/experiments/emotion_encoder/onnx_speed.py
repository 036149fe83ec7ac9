# ruff: noqa: SIM115, E402, E501
# Experiment script (not part of the package): see docs/analysis.md, "Emotions: a fine-tuned encoder, tried".
"""Export MiniLM+head to ONNX (fp32 and int8) and time it on hit sentences with onnxruntime, 1 thread."""

import json
import os
import sys
import time

import numpy as np
import torch

W = os.environ.get("EMO_WORKDIR", "/work/scratch/emo")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnxruntime as ort
from finetune import MD, Enc
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

torch.manual_seed(0)
m = Enc().eval()
ids = torch.ones((2, 16), dtype=torch.long)
mask = torch.ones((2, 16), dtype=torch.long)
torch.onnx.export(
    m,
    (ids, mask),
    W + "/enc.onnx",
    input_names=["input_ids", "attention_mask"],
    output_names=["logits"],
    dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "logits": {0: "b"}},
    opset_version=17,
    dynamo=False,
)
quantize_dynamic(W + "/enc.onnx", W + "/enc.int8.onnx", weight_type=QuantType.QInt8)
D = json.load(open(W + "/data.json"))
texts = [r["hit_text"] for r in D["reports"] if r["n_hits"]]
tok = Tokenizer.from_file(MD + "/tokenizer.json")
tok.enable_truncation(64)
tok.enable_padding()

print("sizes MB", os.path.getsize(W + "/enc.onnx") / 1e6, os.path.getsize(W + "/enc.int8.onnx") / 1e6)
for path in [W + "/enc.onnx", W + "/enc.int8.onnx"]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    order = np.argsort([len(t) for t in texts])
    ts = [texts[i] for i in order]
    t0 = time.perf_counter()
    outs = []
    for b in range(0, len(ts), 32):
        enc = tok.encode_batch(ts[b : b + 32])
        ii = np.array([e.ids for e in enc], dtype=np.int64)
        mm = np.array([e.attention_mask for e in enc], dtype=np.int64)
        outs.append(s.run(None, {"input_ids": ii, "attention_mask": mm})[0])
    dt = time.perf_counter() - t0
    print(
        path,
        f"{len(texts)} hit texts in {dt:.2f}s = {len(texts) / dt:.0f}/s; per report incl. no-hit: {1376 / dt:.0f} reports/s",
    )
with torch.no_grad():
    enc = tok.encode_batch(texts[:64])
    ii = np.array([e.ids for e in enc])
    mm = np.array([e.attention_mask for e in enc])
    ref = torch.sigmoid(m(torch.tensor(ii), torch.tensor(mm))).numpy()
for path in [W + "/enc.onnx", W + "/enc.int8.onnx"]:
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    p = 1 / (1 + np.exp(-s.run(None, {"input_ids": ii, "attention_mask": mm})[0]))
    print(path, "max abs prob diff vs torch", float(np.abs(p - ref).max()))
