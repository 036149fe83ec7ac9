"""The semantic index: every stored dream embedding in one float32 matrix per process, caught up
incrementally from the analysis engine's ``dream_analyses.embedding`` (the persisted vectors).

The matrix only ranks; what a person sees is decided afterwards by the consent gate, so a withdrawn or
re-consented dream never shows even if its vector is still in memory for a moment. Each search syncs at
most every ``SYNC_SECONDS``: rows the analysis wrote since the last sync (with a margin for transactions
that committed late) replace or extend the matrix. Brute force over normalised vectors is exact; at 256
dimensions it costs about 1 ms per 10,000 dreams on one core.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from dream_mosaic.archive.repository import ArchiveRepository

SYNC_SECONDS = 2.0
MARGIN = timedelta(seconds=15)  # a writer stamps updated_at before it commits: look back this far


class EmbeddingsUnavailable(RuntimeError):
    """The analysis engine's embedding model cannot run here."""


def embed_texts(texts: list[str]) -> np.ndarray:
    try:
        from dream_mosaic.analysis import embed
    except ImportError as exc:  # pragma: no cover - the analysis engine ships with the platform
        raise EmbeddingsUnavailable("The analysis engine is not installed.") from exc
    try:
        return np.asarray(embed(texts), dtype=np.float32)
    except ImportError as exc:
        raise EmbeddingsUnavailable(f"The embedding model cannot be loaded: {exc}") from exc


class VectorIndex:
    _instances: dict[str, VectorIndex] = {}
    _guard = threading.Lock()

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.stamps: dict[str, Any] = {}
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.model: str | None = None
        self.synced_to: Any = None
        self.checked_at = 0.0

    @classmethod
    def for_session(cls, session: Session) -> VectorIndex:
        key = str(session.get_bind().engine.url)
        with cls._guard:
            if key not in cls._instances:
                cls._instances[key] = cls()
            return cls._instances[key]

    def sync(self, session: Session, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.checked_at < SYNC_SECONDS:
            return
        with self.lock:
            repo = ArchiveRepository(session)
            self.checked_at = now
            if self.synced_to is None:
                rows = list(repo.vectors())
            else:
                # Only timestamps first: re-reading vectors that are already here would cost far more.
                stamps = repo.vector_stamps(self.synced_to - MARGIN)
                changed = [i for i, at in stamps if self.stamps.get(i) != at]
                rows = list(repo.vectors(changed)) if changed else []
            if not rows:
                return
            if self.model is None:
                counts: dict[str, int] = {}
                for _, _, m, _ in rows:
                    if m:
                        counts[m] = counts.get(m, 0) + 1
                self.model = max(counts, key=counts.__getitem__) if counts else None
            new_ids: list[str] = []
            new_vecs: list[np.ndarray] = []
            for dream_id, blob, m, updated in rows:
                if m != self.model:
                    continue
                vec = np.frombuffer(blob, dtype="<f4")
                if self.matrix.shape[1] and vec.shape[0] != self.matrix.shape[1]:
                    continue
                if dream_id in self.pos:
                    self.matrix[self.pos[dream_id]] = vec
                else:
                    self.pos[dream_id] = len(self.ids) + len(new_ids)
                    new_ids.append(dream_id)
                    new_vecs.append(vec)
                self.stamps[dream_id] = updated
                if self.synced_to is None or updated > self.synced_to:
                    self.synced_to = updated
            if new_vecs:
                block = np.vstack(new_vecs).astype(np.float32)
                self.matrix = block if self.matrix.size == 0 else np.vstack([self.matrix, block])
                self.ids.extend(new_ids)

    def drop(self, dream_ids: list[str]) -> None:
        """Forget withdrawn dreams in this process at once (the gate would hide them anyway)."""
        with self.lock:
            for dream_id in dream_ids:
                row = self.pos.pop(dream_id, None)
                self.stamps.pop(dream_id, None)
                if row is not None:
                    self.matrix[row] = 0.0
                    self.ids[row] = ""

    def vector_of(self, dream_id: str) -> np.ndarray | None:
        row = self.pos.get(dream_id)
        return None if row is None else self.matrix[row].copy()

    def top(self, query: np.ndarray, k: int, among: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best (dream_id, cosine) pairs, from every vector or only those of ``among``."""
        if self.matrix.size == 0 or k <= 0:
            return []
        query = query.astype(np.float32).reshape(-1)
        if among is not None:
            rows = np.fromiter((self.pos[i] for i in among if i in self.pos), dtype=np.int64)
            if rows.size == 0:
                return []
            scores = self.matrix[rows] @ query
            order = _best(scores, k)
            return [(self.ids[int(rows[i])], float(scores[i])) for i in order]
        scores = self.matrix @ query
        order = _best(scores, k)
        return [(self.ids[int(i)], float(scores[i])) for i in order]

    def __len__(self) -> int:
        return len(self.ids)


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


__all__ = ["EmbeddingsUnavailable", "VectorIndex", "embed_texts"]
