"""Motifs: classic dream themes from word and phrase lists, then salient content words."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component

VERSION = "1.0"

# theme: (single words, phrases matched on the lower-cased text)
THEMES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    name: (frozenset(words.split()), tuple(p for p in phrases.split("|") if p))
    for name, words, phrases in [
        ("being chased", "chased chasing pursued pursuing", "running away|running from|after me|ran away from"),
        ("falling", "falling", "fell down|fell off|fell from|fell into|fell through|fall off|fall down"),
        ("flying", "fly flying flew floated floating", ""),
        ("teeth", "teeth tooth", ""),
        ("nakedness", "naked nude", "no clothes"),
        ("exams", "exam exams test tests quiz quizzes final finals", ""),
        ("being late", "late", "missed the bus|missed the train|missed the plane|miss the bus|missed my flight"),
        ("water", "water ocean sea lake river flood swimming swim wave waves", ""),
        ("death", "die died dies dead death dying funeral coffin killed", ""),
        ("house", "house home room rooms", ""),
        ("vehicles", "car bus train plane airplane truck bicycle driving drove", ""),
        ("school", "school class classroom teacher college", ""),
        ("animals", "dog dogs cat cats horse horses snake snakes bird birds spider spiders animal animals", ""),
        ("violence", "gun shot shoot knife stab stabbed kill killed attack attacked fight", ""),
        ("romance", "kiss kissed love boyfriend girlfriend date married wedding", ""),
        ("lost", "lost", "can't find|couldn't find|looking for"),
        ("trapped", "trapped stuck", "locked in|can't escape|couldn't escape"),
        ("food", "food eat eating ate dinner lunch breakfast restaurant", ""),
        ("family", "mother father mom dad sister brother parents family", ""),
    ]
}
_WORD_THEMES: dict[str, list[str]] = {}
for _name, (_words, _) in THEMES.items():
    for _w in _words:
        _WORD_THEMES.setdefault(_w, []).append(_name)
_STOP = frozenset(
    words("""the a an and or but if then so to of in on at by for with from up down out over into onto about as
    is was were be been being am are i me my we us our you your he him his she her they them their it its
    this that these those there here what which who whom when where why how all any some no not very just
    had has have do did does done would could should will can may might must shall also too only again
    back around through after before while than like got get go went going come came one two said say
    says told know knew think thought see saw seemed look looked looking want wanted way thing things
    something someone somebody anything everything nothing time really still even much many more most
    other another each both few little big lot lots now then just over under off again dream dreamed
    dreamt dreaming don't didn't wasn't couldn't can't i'm it's that's he's she's there's i'd i've
    into onto upon were kind sort felt feel started start began trying tried""")
)


def find_motifs(doc: DreamDoc, n_keywords: int = 5) -> list[str]:
    found: set[str] = set()
    counts: Counter[str] = Counter()
    for t in doc.tokens:
        w = t.lower
        themes = _WORD_THEMES.get(w)
        if themes:
            found.update(themes)
        if len(w) > 3 and w not in _STOP and w.isalpha():
            counts[w] += 1
    low = doc.text.lower()
    for name, (_, phrases) in THEMES.items():
        if name not in found and any(p in low for p in phrases):
            found.add(name)
    motifs = [name for name in THEMES if name in found]
    keywords = [w for w, c in counts.most_common(n_keywords * 2) if c >= 2][:n_keywords]
    return motifs + [w for w in keywords if w not in found]


@register_component("motifs", version=VERSION)
def make_motifs() -> Any:
    def motifs(doc: DreamDoc) -> None:
        doc.analysis.motifs = find_motifs(doc)

    return motifs
