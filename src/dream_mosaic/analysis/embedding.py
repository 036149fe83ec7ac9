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
_tokenizer: Any = None


def _unpadded_tokenizer() -> Any:
    """A copy of WordLlama's tokenizer that does not pad (we pool each text over its own tokens)."""
    global _tokenizer
    if _tokenizer is None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_str(_load().tokenizer.to_str())
        tok.no_padding()
        tok.no_truncation()
        _tokenizer = tok
    return _tokenizer


_WORD_CACHE: dict[str, list[int]] = {}
_CACHE_LIMIT = 500_000


def token_ids(text: str) -> list[int]:
    """WordLlama token ids of ``text``, tokenising each distinct space-separated chunk once."""
    cache = _WORD_CACHE
    chunks = [w for w in text.split(" ") if w]
    known = {w: cache.get(w) for w in set(chunks)}
    missing = [w for w, ids in known.items() if ids is None]
    if missing:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        vocab_max = _load().embedding.shape[0] - 1
        encoded = _unpadded_tokenizer().encode_batch(missing, add_special_tokens=False)
        for w, enc in zip(missing, encoded, strict=True):
            known[w] = cache[w] = [min(i, vocab_max) for i in enc.ids]
    out: list[int] = []
    for w in chunks:
        out.extend(known[w] or ())
    return out


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
    # The same vectors as WordLlama's own ``embed`` (the mean of the text's token embeddings), faster:
    # the tokenizer never merges across whitespace, so each space-separated chunk is tokenised once
    # and cached, and each text is pooled over its own tokens instead of a batch padded to the longest.
    table = _load().embedding
    vecs = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = token_ids(text)
        if ids:
            vecs[row] = table[ids].sum(axis=0) / len(ids)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    np.divide(vecs, norms, out=vecs, where=norms > 0)
    return vecs
