"""Settings (HVdC): indoor or outdoor, familiar or unfamiliar, from place nouns and their determiners."""

from __future__ import annotations

from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Setting

VERSION = "1.2"

INDOOR = frozenset(
    words("""house home room bedroom kitchen bathroom basement attic hallway hall apartment office classroom
    building store shop restaurant cafe church school hotel hospital library theater theatre museum
    auditorium gym gymnasium elevator lobby cellar garage barn cabin dorm dormitory bar tavern mall
    closet living_room dining_room corridor studio warehouse factory prison jail
    courtroom castle palace chapel indoors""")
)
OUTDOOR = frozenset(
    words("""street road highway outside outdoors yard backyard garden park field fields forest woods beach
    ocean sea lake river mountain mountains hill hills desert sky countryside farm meadow path sidewalk
    parking lot campus town city village bridge shore island jungle valley cliff pool playground
    cemetery graveyard alley trail creek stream pond canyon""")
)
_FAMILIAR_DET = frozenset(words("my our home mom's dad's parents' grandma's grandmother's"))
_UNFAMILIAR_DET = frozenset(words("strange unfamiliar unknown foreign weird different some"))
# a sentence that says the place is not known: "a house I had never seen", "I didn't recognize the street"
_UNKNOWN_PLACE = (
    ("never", "been"),
    ("never", "seen"),
    ("never", "saw"),
    ("didn't", "recognize"),
    ("did", "not", "recognize"),
    ("don't", "recognize"),
    ("didn't", "know", "where"),
    ("don't", "know", "where"),
    ("did", "not", "know", "where"),
    ("not", "familiar"),
    ("wasn't", "familiar"),
)


# Coders code a place the report describes rather than names ("a large room", "a dilapidated old house")
# as unfamiliar.
_DESCRIPTIVE = frozenset(words("""large huge big enormous giant immense vast tremendous beautiful lovely old ancient
dilapidated dark gloomy secluded dense narrow tiny small little deserted empty bare desolate modern fancy
elegant mysterious weird odd peculiar magnificent luxurious run-down rundown shabby long wide high tall"""))


def _described_indefinite(prev: list[str]) -> bool:
    """Is the place after ``prev`` an indefinite, described one ("a large", "an old dark")?"""
    if not prev or prev[-1] not in _DESCRIPTIVE:
        return False
    k = len(prev) - 1
    while k >= 0 and prev[k] in _DESCRIPTIVE:
        k -= 1
    return k >= 0 and prev[k] in {"a", "an"}


_ROOMS = frozenset(
    words("room bedroom kitchen bathroom basement attic hallway hall closet corridor lobby cellar elevator")
)


def _unknown_sentences(doc: DreamDoc, lowers: list[str]) -> set[int]:
    out: set[int] = set()
    for i, w in enumerate(lowers):
        if w in {"never", "didn't", "did", "don't", "not", "wasn't"} and any(
            tuple(lowers[i : i + len(p)]) == p for p in _UNKNOWN_PLACE
        ):
            out.add(doc.tokens[i].sent)
    return out


def find_settings(doc: DreamDoc) -> list[Setting]:
    out: list[Setting] = []
    seen: set[str] = set()
    lowers = [t.lower for t in doc.tokens]
    unknown = _unknown_sentences(doc, lowers)
    for i, w in enumerate(lowers):
        loc = "indoor" if w in INDOOR else "outdoor" if w in OUTDOOR else None
        if loc is None or w in seen:
            continue
        if w in _ROOMS and any(o.location == "indoor" for o in out):
            continue  # a room of a building already there is the same setting, as coders count it
        prev = lowers[max(0, i - 3) : i]
        if w == "home" or any(p in _FAMILIAR_DET for p in prev):
            fam = "familiar"
        elif (
            any(p in _UNFAMILIAR_DET for p in prev)
            or doc.tokens[i].sent in unknown
            or _described_indefinite(prev)
        ):
            fam = "unfamiliar"
        else:
            fam = "questionable"
        seen.add(w)
        t = doc.tokens[i]
        out.append(Setting(location=loc, familiarity=fam, span=(t.start, t.end), words=[t.text]))  # type: ignore[arg-type]
    return out


@register_component("settings", version=VERSION)
def make_settings() -> Any:
    def settings(doc: DreamDoc) -> None:
        doc.analysis.settings = find_settings(doc)

    return settings
