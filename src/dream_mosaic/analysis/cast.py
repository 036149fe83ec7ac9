"""A dreamer's cast: the people (and pets) of their dreams they have said who they are.

No text alone can tell that "Frank" is the dreamer's husband or "Wendy" a daughter, and Hall & Van de
Castle coders know it from the dreamer; without it a spouse is coded as a friend and the series' family
and friends percentages are off by 10 to 20 points (docs/analysis.md). A dreamer declares each name once,
with a relation in plain words ("husband", "daughter", "friend") or an HVdC code for researchers
("1MHA"); every analysis of their dreams then codes the name so. Plain Python, no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence

MAX_PEOPLE = 100
MAX_NAME = 60

# Relation in plain words -> HVdC character code (number, sex, identity, age).
RELATIONS: dict[str, str] = {
    "husband": "1MHA",
    "wife": "1FWA",
    "mother": "1FMA",
    "father": "1MFA",
    "son": "1MAA",
    "daughter": "1FDA",
    "brother": "1MBA",
    "sister": "1FTA",
    "grandmother": "1FRA",
    "grandfather": "1MRA",
    "aunt": "1FRA",
    "uncle": "1MRA",
    "cousin": "1IRA",
    "relative": "1IRA",
    # HVdC's relatives (R) beyond the nuclear family: grandchildren, nieces and nephews, in-laws
    "granddaughter": "1FRA",
    "grandson": "1MRA",
    "grandchild": "1IRA",
    "niece": "1FRA",
    "nephew": "1MRA",
    "mother-in-law": "1FRA",
    "father-in-law": "1MRA",
    "sister-in-law": "1FRA",
    "brother-in-law": "1MRA",
    "daughter-in-law": "1FRA",
    "son-in-law": "1MRA",
    "boyfriend": "1MKA",
    "girlfriend": "1FKA",
    "partner": "1IKA",
    "friend": "1IKA",
    "male friend": "1MKA",
    "female friend": "1FKA",
    "colleague": "1IKA",
    "neighbour": "1IKA",
    "neighbor": "1IKA",
    "teacher": "1IOA",
    "doctor": "1IOA",
    "therapist": "1IOA",
    "public figure": "1IPA",
    "pet": "1ANI",
}
_CODE = re.compile(r"^[12][MFJI][FMXBTHWADCIYRKPOESU][ATCB]$|^[12]ANI$|^[12]CZZ$")
_NAME = re.compile(r"^[^\W\d_][\w .'\-]*$")


class CastError(ValueError):
    """A declared name or relation that cannot be used, with a message for the dreamer."""


def code_for(relation: str) -> str:
    """The HVdC code of a relation in plain words or an HVdC code itself."""
    key = _word(relation)
    if key in RELATIONS:
        return RELATIONS[key]
    code = relation.strip().upper()
    if _CODE.match(code):
        return code
    known = ", ".join(sorted(RELATIONS))
    raise CastError(f"'{relation}' is not a relation this platform knows: use one of {known}, or an HVdC "
                    "character code such as 1MHA")


def _word(relation: str) -> str:
    return " ".join(relation.lower().split())


def build_cast(people: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``[(name, relation), ...]`` -> ``{name: relation}`` as the dreamer said it (a word, or a code in
    capitals), checked: names are words, each named once, every relation known. ``codes`` turns it into
    what the analysis reads; the words are kept because several share a code ("aunt", "grandmother")."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for name, relation in people:
        clean = " ".join(name.split())
        if not clean or len(clean) > MAX_NAME or not _NAME.match(clean):
            raise CastError(f"'{name}' is not a name: use letters (at most {MAX_NAME} characters), as you write "
                            "it in your dreams")
        if clean.lower() in seen:
            raise CastError(f"'{clean}' is named twice: each name can have one relation")
        seen.add(clean.lower())
        code_for(relation)  # raises for an unknown relation
        out[clean] = _word(relation) if _word(relation) in RELATIONS else relation.strip().upper()
    if len(out) > MAX_PEOPLE:
        raise CastError(f"{len(out)} people is more than the {MAX_PEOPLE} a cast can hold")
    return out


def codes(people: Mapping[str, str]) -> dict[str, str]:
    """``{name: relation}`` -> ``{name: HVdC code}``, what the analysis codes each name as."""
    return {name: code_for(relation) for name, relation in people.items()}


def digest(cast: Mapping[str, str]) -> str | None:
    """A short fingerprint of a cast's codes, recorded with each analysis it shaped (None for no cast): an
    analysis made with another cast is out of date."""
    if not cast:
        return None
    canonical = json.dumps({k.lower(): v for k, v in sorted(cast.items())}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def groups_by_cast(casts: Sequence[Mapping[str, str]]) -> list[list[int]]:
    """Indexes of items that share a cast, in order: one engine call per group instead of per item."""
    groups: dict[str | None, list[int]] = {}
    for i, cast in enumerate(casts):
        groups.setdefault(digest(cast), []).append(i)
    return list(groups.values())
