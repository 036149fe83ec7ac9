"""Dream embeddings for search and themes: WordLlama's static 256-d model, shipped inside its wheel.

WordLlama (``pip install wordllama``) carries its weights in the wheel, so nothing is downloaded; it
embeds thousands of texts a second on a CPU. Vectors are float32 and L2-normalised, so a dot product is
the cosine similarity.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "wordllama l2_supercat 256-d"
DIMENSION = 256
_lock = threading.Lock()
_model: Any = None


def _load() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import wordllama
                from wordllama import WordLlama

                package_dir = Path(wordllama.__file__).resolve().parent
                _model = WordLlama.load(cache_dir=package_dir, disable_download=True, dim=DIMENSION)
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """Embed ``texts``: an (n, 256) float32 array of unit vectors (zero vectors for empty texts)."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    vecs = np.asarray(_load().embed(list(texts), norm=False), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    np.divide(vecs, norms, out=vecs, where=norms > 0)
    return vecs
