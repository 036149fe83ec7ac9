"""Motifs: classic dream themes from phrase patterns, then salient content words."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..pipeline import DreamDoc, register_component

VERSION = "1.0"

THEMES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pat, re.IGNORECASE))
    for name, pat in [
        ("being chased", r"\b(chas(ed|ing)|pursu(ed|ing)|running\s+(away|from)|after\s+me)\b"),
        ("falling", r"\b(fall(ing)?|fell)\s+(down|off|from|into|through)|\bfalling\b"),
        ("flying", r"\b(fl(y|ying|ew)|float(ed|ing))\b"),
        ("teeth", r"\bteeth|tooth\b"),
        ("nakedness", r"\b(naked|nude|no\s+clothes)\b"),
        ("exams", r"\b(exam|test|final|quiz)s?\b"),
        ("being late", r"\b(late|miss(ed)?\s+the\s+(bus|train|plane|flight))\b"),
        ("water", r"\b(water|ocean|sea|lake|river|flood|swimming|swim|waves?)\b"),
        ("death", r"\b(die[ds]?|dead|death|dying|funeral|coffin|killed)\b"),
        ("house", r"\b(house|home|rooms?)\b"),
        ("vehicles", r"\b(car|bus|train|plane|airplane|truck|bicycle|driving|drove)\b"),
        ("school", r"\b(school|class(room)?|teacher|college)\b"),
        ("animals", r"\b(dogs?|cats?|horses?|snakes?|birds?|spiders?|animals?)\b"),
        ("violence", r"\b(gun|shot|shoot|knife|stab(bed)?|kill(ed)?|attack(ed)?|fight)\b"),
        ("romance", r"\b(kiss(ed)?|love|boyfriend|girlfriend|date|married|wedding)\b"),
        ("lost", r"\b(lost|can't\s+find|couldn't\s+find|looking\s+for)\b"),
        ("trapped", r"\b(trapped|stuck|locked\s+in|can't\s+escape|couldn't\s+escape)\b"),
        ("food", r"\b(food|eat(ing)?|ate|dinner|lunch|breakfast|restaurant)\b"),
        ("family", r"\b(mother|father|mom|dad|sister|brother|parents|family)\b"),
    ]
]
_STOP = frozenset(
    """the a an and or but if then so to of in on at by for with from up down out over into onto about as
    is was were be been being am are i me my we us our you your he him his she her they them their it its
    this that these those there here what which who whom when where why how all any some no not very just
    had has have do did does done would could should will can may might must shall also too only again
    back around through after before while than like got get go went going come came one two said say
    says told know knew think thought see saw seemed look looked looking want wanted way thing things
    something someone somebody anything everything nothing time really still even much many more most
    other another each both few little big lot lots now then just over under off again dream dreamed
    dreamt dreaming don't didn't wasn't couldn't can't i'm it's that's he's she's there's i'd i've""".split()
)
_WORD = re.compile(r"[a-z][a-z']{3,}")


def find_motifs(doc: DreamDoc, n_keywords: int = 5) -> list[str]:
    motifs = [name for name, pat in THEMES if pat.search(doc.text)]
    words = Counter(w for w in _WORD.findall(doc.text.lower()) if w not in _STOP)
    keywords = [w for w, c in words.most_common(n_keywords * 2) if c >= 2][:n_keywords]
    return motifs + [w for w in keywords if w not in motifs]


@register_component("motifs", version=VERSION)
def make_motifs() -> Any:
    def motifs(doc: DreamDoc) -> None:
        doc.analysis.motifs = find_motifs(doc)

    return motifs
