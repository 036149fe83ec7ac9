"""The semantic index: every stored dream embedding in a faiss index per process, persisted under the
data directory and caught up incrementally from the analysis engine's ``dream_analyses.embedding`` (the
vectors of record).

Up to ``IVF_MIN`` vectors the index is exact (``IndexFlatIP``: a brute-force inner product). From there it
is an inverted file (``IndexIVFFlat``, ``nlist`` about 4·√n clusters trained on a sample, ``NPROBE`` of them
read per query): at a million 256-d vectors a query reads about 6% of them instead of all (a gigabyte).
Vectors are kept in full, so "among these dreams" rankings (filtered semantic search) stay exact.

The index only ranks; what a person sees is decided afterwards by the consent gate, so a withdrawn or
re-consented dream never shows even if its vector is still in the index for a moment. Each search syncs at
most every ``SYNC_SECONDS``: rows the analysis wrote since the last sync (with a margin for transactions
that committed late) replace or extend the index. The first process to need the index loads the saved one
(``save``/``load``: faiss's own file format plus the id list) and catches up from its timestamp; without a
saved index it reads every vector once and saves the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from dream_mosaic.archive.repository import ArchiveRepository
from dream_mosaic.core.models import utcnow

SYNC_SECONDS = 2.0
MARGIN = timedelta(seconds=15)  # a writer stamps updated_at before it commits: look back this far
IVF_MIN = 50_000
NPROBE = 256  # of about 4,000 lists at 1M: recall@20 0.89 against exact on the benchmark descriptions
SAVE_SECONDS = 600.0
log = logging.getLogger(__name__)


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


def _faiss() -> Any:
    """faiss, answering each query on one thread: a server answers many queries at once, and OpenMP's
    waiting threads on a busy machine cost more than a second core saves on one query."""
    import faiss

    if faiss.omp_get_max_threads() != 1:
        faiss.omp_set_num_threads(1)
    return faiss


class VectorIndex:
    _instances: dict[str, VectorIndex] = {}
    _guard = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.lock = threading.Lock()
        self.path = path
        self.reset()

    def reset(self) -> None:
        self.ids: list[str] = []  # faiss id -> dream id ("" once dropped)
        self.pos: dict[str, int] = {}
        self.stamps: dict[str, Any] = {}
        self.index: Any = None
        self.dim = 0
        self.model: str | None = None
        self.synced_to: Any = None
        self.checked_at = 0.0
        self.saved_at = 0.0
        self.wall_checked: datetime | None = None
        self.live = 0

    @classmethod
    def for_session(cls, session: Session) -> VectorIndex:
        engine = session.get_bind().engine
        key = str(engine.url)
        with cls._guard:
            if key not in cls._instances:
                cls._instances[key] = cls(_saved_path(engine))
            return cls._instances[key]

    # --- faiss ----------------------------------------------------------------------------------------

    def _flat(self, dim: int) -> Any:
        faiss = _faiss()

        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def _ivf(self, vectors: np.ndarray, ids: np.ndarray) -> Any:
        faiss = _faiss()

        n, dim = vectors.shape
        nlist = int(min(4096, max(64, 4 * np.sqrt(n))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(7).choice(n, size=min(n, nlist * 40), replace=False)]
        index.train(sample)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.add_with_ids(vectors, ids)
        index.nprobe = NPROBE
        return index

    def _add(self, vectors: np.ndarray, rows: np.ndarray) -> None:
        if self.index is None:
            self.dim = vectors.shape[1]
            if len(rows) >= IVF_MIN:
                self.index = self._ivf(vectors, rows)
                return
            self.index = self._flat(self.dim)
        self.index.add_with_ids(vectors, rows)
        if self.index.ntotal >= IVF_MIN and not hasattr(self.index, "nprobe"):
            # Grown past the exact index's comfortable size: retrain as an inverted file once.
            ids = np.array([i for i, d in enumerate(self.ids) if d], dtype=np.int64)
            self.index = self._ivf(self.index.reconstruct_batch(ids), ids)

    def sync(self, session: Session, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.checked_at < SYNC_SECONDS:
            return
        with self.lock:
            repo = ArchiveRepository(session)
            self.checked_at = now
            wall = utcnow()
            if self.synced_to is None and self.path is not None and self.load(session):
                pass
            if self.synced_to is None:
                rows: Any = repo.vectors()
                initial = True
            else:
                # Only timestamps first: re-reading vectors that are already here would cost far more.
                # Every row stamped before the last check's start minus the margin was committed, and so
                # seen, by then: look back from there (not from the newest stamp, which may be old).
                checked = self.wall_checked or self.synced_to
                if self.synced_to.tzinfo is None:  # SQLite gives naive UTC times back, PostgreSQL aware ones
                    checked = checked.replace(tzinfo=None)
                since = max(self.synced_to, checked) - MARGIN
                stamps = repo.vector_stamps(since)
                changed = [i for i, at in stamps if self.stamps.get(i) != at]
                rows = repo.vectors(changed) if changed else []
                initial = False
            new_rows: list[int] = []
            new_vecs: list[np.ndarray] = []
            for dream_id, blob, m, updated in rows:
                if self.model is None:
                    self.model = m
                if m != self.model:
                    continue
                vec = np.frombuffer(blob, dtype="<f4")
                if self.dim and vec.shape[0] != self.dim:
                    continue
                row = self.pos.get(dream_id)
                if row is None:
                    row = self.pos[dream_id] = len(self.ids)
                    self.ids.append(dream_id)
                    self.live += 1
                elif self.index is not None:
                    self.index.remove_ids(np.array([row], dtype=np.int64))
                new_rows.append(row)
                new_vecs.append(vec)
                self.stamps[dream_id] = updated
                if self.synced_to is None or updated > self.synced_to:
                    self.synced_to = updated
            if new_vecs:
                self._add(np.vstack(new_vecs).astype(np.float32), np.array(new_rows, dtype=np.int64))
            self.wall_checked = wall
            if new_vecs and self.path is not None and (initial or time.monotonic() - self.saved_at > SAVE_SECONDS):
                try:
                    self.save()
                except OSError:  # a cache: the vectors of record are in the database
                    log.exception("could not save the semantic index")

    def drop(self, dream_ids: list[str]) -> None:
        """Forget withdrawn dreams in this process at once (the gate would hide them anyway)."""
        with self.lock:
            rows = []
            for dream_id in dream_ids:
                row = self.pos.pop(dream_id, None)
                self.stamps.pop(dream_id, None)
                if row is not None:
                    self.ids[row] = ""
                    self.live -= 1
                    rows.append(row)
            if rows and self.index is not None:
                self.index.remove_ids(np.array(rows, dtype=np.int64))

    def vector_of(self, dream_id: str) -> np.ndarray | None:
        row = self.pos.get(dream_id)
        if row is None or self.index is None:
            return None
        return np.asarray(self.index.reconstruct(row), dtype=np.float32)

    def top(self, query: np.ndarray, k: int, among: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best (dream_id, cosine) pairs, from every vector or only those of ``among`` (exact)."""
        if self.index is None or self.live == 0 or k <= 0:
            return []
        query = query.astype(np.float32).reshape(1, -1)
        if among is not None:
            rows = np.fromiter((self.pos[i] for i in among if i in self.pos), dtype=np.int64)
            if rows.size == 0:
                return []
            scores = self.index.reconstruct_batch(rows) @ query[0]
            order = _best(scores, k)
            return [(self.ids[int(rows[i])], float(scores[i])) for i in order]
        k = min(k, self.live)
        if hasattr(self.index, "nprobe"):
            self.index.nprobe = max(NPROBE, min(self.index.nlist, NPROBE * max(1, k // 100)))
        scores, found = self.index.search(query, k)
        return [(self.ids[int(r)], float(s)) for s, r in zip(scores[0], found[0], strict=True)
                if r >= 0 and self.ids[int(r)]]

    def __len__(self) -> int:
        return self.live

    # --- persistence -------------------------------------------------------------------------------------

    def save(self) -> None:
        faiss = _faiss()

        if self.path is None or self.index is None:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / "vectors.faiss.tmp"
        faiss.write_index(self.index, str(tmp))
        np.save(self.path / "ids.tmp.npy", np.array(self.ids, dtype=object), allow_pickle=True)
        meta = {"model": self.model, "dim": self.dim, "synced_to": self.synced_to.isoformat() if self.synced_to
                else None, "stamps": {k: v.isoformat() for k, v in self.stamps.items()}}
        (self.path / "meta.json.tmp").write_text(json.dumps(meta))
        tmp.replace(self.path / "vectors.faiss")
        (self.path / "ids.tmp.npy").replace(self.path / "ids.npy")
        (self.path / "meta.json.tmp").replace(self.path / "meta.json")
        self.saved_at = time.monotonic()

    def load(self, session: Session) -> bool:
        """Load the saved index, then forget dreams whose embedding has gone since it was saved."""
        faiss = _faiss()

        if self.path is None or not (self.path / "meta.json").exists():
            return False
        try:
            meta = json.loads((self.path / "meta.json").read_text())
            index = faiss.read_index(str(self.path / "vectors.faiss"))
            ids = [str(i) for i in np.load(self.path / "ids.npy", allow_pickle=True)]
        except (OSError, ValueError, RuntimeError):
            log.exception("the saved semantic index could not be read; rebuilding it")
            return False
        self.index, self.ids, self.model, self.dim = index, ids, meta["model"], int(meta["dim"])
        if hasattr(index, "nprobe"):
            index.nprobe = NPROBE
        self.pos = {d: i for i, d in enumerate(ids) if d}
        self.stamps = {k: datetime.fromisoformat(v) for k, v in meta["stamps"].items()}
        self.synced_to = datetime.fromisoformat(meta["synced_to"]) if meta["synced_to"] else None
        self.live = len(self.pos)
        present = set(ArchiveRepository(session).embedded_ids())
        gone = [d for d in self.pos if d not in present]
        if gone:
            rows = [self.pos.pop(d) for d in gone]
            for d, r in zip(gone, rows, strict=True):
                self.ids[r] = ""
                self.stamps.pop(d, None)
            self.index.remove_ids(np.array(rows, dtype=np.int64))
            self.live -= len(gone)
        self.saved_at = time.monotonic()
        return self.synced_to is not None


def _saved_path(engine: Any) -> Path | None:
    """Where this database's semantic index is saved: the active platform's data directory, when that
    platform is this database's."""
    from sqlalchemy import make_url

    from dream_mosaic.core.platform import current

    settings = current().settings
    url = engine.url.render_as_string(hide_password=False)
    if make_url(settings.resolved_database_url).render_as_string(hide_password=False) != url:
        return None
    name = hashlib.sha256(engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(settings.data_dir) / "archive-vectors" / name


def _best(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


__all__ = ["EmbeddingsUnavailable", "VectorIndex", "embed_texts"]
