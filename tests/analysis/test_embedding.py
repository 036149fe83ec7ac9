import numpy as np

from dream_mosaic.analysis import embed


def test_embeddings_are_normalised_float32_and_meaningful() -> None:
    texts = [
        "A big dog chased me through the park.",
        "A large dog was running after me in a park.",
        "I was taking a math exam and forgot the answers.",
    ]
    v = embed(texts)
    assert v.shape == (3, 256) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert embed([]).shape == (0, 256)


def test_cached_pooling_matches_wordllamas_own_vectors() -> None:
    from dream_mosaic.analysis.embedding import _load

    texts = [
        "I was in my childhood home; the walls were melting.\nThen I woke up!",
        "Zyxw qqq 1998-04-28 #2",
        "A dog, a cat and a horse.",
    ]
    ref = _load().embed(texts, norm=False)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    assert np.all((embed(texts) * ref).sum(axis=1) > 0.999)
