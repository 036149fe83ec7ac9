"""Settings (HVdC): indoor or outdoor, familiar or unfamiliar, from place nouns and their determiners."""

from __future__ import annotations

from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Setting

VERSION = "1.4"

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
    cemetery graveyard alley trail creek stream pond canyon avenue ave boulevard blvd""")
)
_PLACES = INDOOR | OUTDOOR
# Places known by name (HVdC's geographical settings, familiar): countries, states, large cities.
_GAZETTEER = frozenset(
    words("""america canada mexico england britain france paris germany berlin austria vienna italy rome spain
    switzerland europe asia africa china japan korea india russia israel egypt greece ireland scotland hawaii
    alaska california florida texas ohio michigan pennsylvania pa york chicago boston washington detroit
    pittsburgh cleveland akron cincinnati columbus buffalo philadelphia toronto london hollywood""")
)
_TO_A_PLACE = frozenset(words("in to through across near around at into visiting toward towards"))
# "on my way home", "walking home": home is where the dreamer goes, not where the dream is
_HOMEWARD = frozenset(
    words("""way walk walking walked went go goes going drove drive driving ran run running came come coming
    rode riding back headed heading hurried rushed started got get gets""")
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


def _named(doc: DreamDoc, i: int) -> bool:
    """Is the place noun at ``i`` part of a name ("Wade Park", "Euclid Ave", "New York City")?"""
    t = doc.tokens[i]
    if not t.is_title or i == 0 or doc.tokens[i - 1].sent != t.sent:
        return False
    prev = doc.tokens[i - 1]
    return prev.is_title and prev.lower not in {"i", "the", "a", "an"} and prev.text.isalpha()


def _name_goes_on(doc: DreamDoc, lowers: list[str], i: int) -> bool:
    t = doc.tokens[i]
    if not t.is_title or i + 1 >= len(lowers) or (i > 0 and doc.tokens[i - 1].sent != t.sent) or i == 0:
        return False
    nxt = doc.tokens[i + 1]
    return nxt.is_title and nxt.sent == t.sent and lowers[i + 1] in _PLACES


def _after_preposition(lowers: list[str], i: int) -> bool:
    return any(p in _TO_A_PLACE for p in lowers[max(0, i - 3) : i])


def find_settings(doc: DreamDoc) -> list[Setting]:
    out: list[Setting] = []
    seen: set[str] = set()
    lowers = [t.lower for t in doc.tokens]
    unknown = _unknown_sentences(doc, lowers)
    for i, w in enumerate(lowers):
        loc = "indoor" if w in INDOOR else "outdoor" if w in OUTDOOR else None
        named = _named(doc, i)
        if loc is None and w in _GAZETTEER and doc.tokens[i].is_title and _after_preposition(lowers, i):
            if i > 1 and lowers[i - 1] == "," and doc.tokens[i - 2].is_title:
                continue  # "Toledo, Ohio", "Mill Creek Park in Youngstown, Ohio": the state of a place named
            loc, named = "outdoor", True
        if loc is None or w in seen:
            continue
        if w == "home" and i > 0 and lowers[i - 1] in _HOMEWARD:
            continue
        if _name_goes_on(doc, lowers, i):
            continue  # "Forest Hills Blvd": one place, named by its last word
        if named:
            seen.add(w)
            t = doc.tokens[i]
            out.append(Setting(location=loc, familiarity="familiar", span=(t.start, t.end), words=[t.text]))  # type: ignore[arg-type]
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
