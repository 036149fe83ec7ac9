"""Valence from -1 (negative) to 1 (positive): the stated emotions plus a small evaluative lexicon."""

from __future__ import annotations

import math
from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component

VERSION = "1.0"

_EMOTION_WEIGHT = {"HA": 1.0, "AN": -1.0, "AP": -1.0, "SD": -1.0, "CO": -0.3}
_POSITIVE = frozenset(
    words("""beautiful wonderful nice good great lovely pleasant fun happy love loved safe warm friendly kind
    smiled smiling laughed laughing enjoyed peaceful gorgeous best fine bright welcome won success""")
)
_NEGATIVE = frozenset(
    words("""ugly terrible horrible awful bad dark dead died death kill killed blood hurt pain danger dangerous
    attack attacked chased scream screamed crying cried fight lost trapped broken ruined sick evil
    nightmare monster fire angry scared afraid worst""")
)


@register_component("valence", version=VERSION, requires=("emotions",))
def make_valence() -> Any:
    def valence(doc: DreamDoc) -> None:
        score = 0.0
        for e in doc.analysis.emotions:
            score += _EMOTION_WEIGHT[e.code] * 1.5 * e.confidence
        for t in doc.tokens:
            if t.lower in _POSITIVE:
                score += 0.4
            elif t.lower in _NEGATIVE:
                score -= 0.4
        doc.analysis.valence = round(math.tanh(score / 2.5), 4)

    return valence
