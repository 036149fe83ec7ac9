"""The faiss semantic index: exact below ``IVF_MIN`` vectors, an inverted file above it; drops, exact
rankings among a selection, and a saved index that forgets dreams whose embedding went meanwhile."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from dream_mosaic.archive import vectors
from dream_mosaic.archive.repository import ArchiveRepository
from dream_mosaic.archive.vectors import VectorIndex


def filled(path, n: int = 3000, dim: int = 32) -> tuple[VectorIndex, np.ndarray, list[str]]:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = [f"d{i}" for i in range(n)]
    index = VectorIndex(path)
    stamp = datetime(2026, 1, 1)
    index.ids, index.pos, index.live, index.model = list(ids), {d: i for i, d in enumerate(ids)}, n, "m"
    index.stamps, index.synced_to = dict.fromkeys(ids, stamp), stamp
    index._add(x, np.arange(n, dtype=np.int64))
    return index, x, ids


def test_inverted_file_ranks_drops_and_ranks_exactly_among(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "IVF_MIN", 1000)
    index, x, ids = filled(tmp_path)
    assert hasattr(index.index, "nprobe")  # an inverted file, not brute force
    best = index.top(x[5], 10)
    assert best[0][0] == "d5" and abs(best[0][1] - 1.0) < 1e-5 and len(best) == 10
    exact = x @ x[5]
    among = ["d7", "d9", "d11", "d5"]
    assert [d for d, _ in index.top(x[5], 4, among=among)] == sorted(among, key=lambda d: -exact[int(d[1:])])
    index.drop(["d5"])
    assert all(d != "d5" for d, _ in index.top(x[5], 50))
    assert index.vector_of("d5") is None and np.allclose(index.vector_of("d6"), x[6])
    assert len(index) == len(ids) - 1


def test_saved_index_reloads_and_forgets_what_went(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "IVF_MIN", 1000)
    index, x, ids = filled(tmp_path)
    index.save()
    monkeypatch.setattr(ArchiveRepository, "embedded_ids", lambda self: [d for d in ids if d != "d7"])
    again = VectorIndex(tmp_path)
    assert again.load(session=None)  # type: ignore[arg-type]
    assert len(again) == len(ids) - 1 and again.synced_to == index.synced_to
    assert again.top(x[7], 20) and all(d != "d7" for d, _ in again.top(x[7], 20))
    assert again.top(x[8], 1)[0][0] == "d8"


def test_small_archives_are_ranked_exactly(tmp_path):
    index, x, _ = filled(tmp_path, n=300)
    assert not hasattr(index.index, "nprobe")
    exact = np.argsort(-(x @ x[3]))[:20]
    assert [d for d, _ in index.top(x[3], 20)] == [f"d{i}" for i in exact]
