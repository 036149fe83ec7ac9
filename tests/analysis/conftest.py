"""Small hand-written dream reports (the project's own; never copied from the shared corpora)."""

from __future__ import annotations

import pytest

DREAMS = {
    "chase": "I was walking home through a dark street when a man chased me. I was terrified and ran "
    "into my mother's house. She hugged me and I felt relieved.",
    "negated": "I was on a boat with my brother. I was not afraid of the waves at all. We laughed together.",
    "other_angry": "My boss was furious with me because I lost the keys. He yelled at me in front of everyone.",
    "waking_distress": "I dreamed I was flying over a city. When I woke up I thought about how lately I "
    "want to die and nothing will ever get better.",
    "dream_violence": "A soldier shot a woman in the street and she died. I hid behind a car and watched.",
    "names": "Jenny and I went to the beach. She brought her dog. Later Tom came and he kissed me.",
}


@pytest.fixture
def dreams() -> dict[str, str]:
    return dict(DREAMS)
