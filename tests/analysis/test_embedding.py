import numpy as np

from dream_mosaic.analysis import embed


def test_embeddings_are_normalised_float32_and_meaningful() -> None:
    texts = ["A big dog chased me through the park.", "A large dog was running after me in a park.",
             "I was taking a math exam and forgot the answers."]
    v = embed(texts)
    assert v.shape == (3, 256) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert embed([]).shape == (0, 256)
