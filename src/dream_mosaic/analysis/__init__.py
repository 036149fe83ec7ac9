"""Hall & Van de Castle analysis of dream reports: emotions, characters, interactions and more.

``analyze(text)`` and ``analyze_many(texts)`` are pure (no database, no network); model files are read
lazily, once. ``embed(texts)`` gives normalised float32 vectors for search and themes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .pipeline import DEFAULT_CONFIG, Pipeline, register_component
from .schemas import DreamAnalysis

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT_CONFIG", "DreamAnalysis", "Pipeline", "analyze", "analyze_many", "embed", "register_component"]


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    return Pipeline(DEFAULT_CONFIG)


def analyze(text: str, cast: Mapping[str, str] | None = None) -> DreamAnalysis:
    """Analyse one dream report."""
    return default_pipeline()(text, cast)


def analyze_many(texts: Iterable[str], cast: Mapping[str, str] | None = None) -> list[DreamAnalysis]:
    """Analyse many reports with one pipeline."""
    nlp = default_pipeline()
    return [nlp(t, cast) for t in texts]


def embed(texts: list[str]) -> np.ndarray:
    """Normalised float32 embeddings, shape (n, d)."""
    from .embedding import embed as _embed

    return _embed(texts)
