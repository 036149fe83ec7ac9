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
from dataclasses import dataclass

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
    # a former spouse is a relative to HVdC's coders here: Barb Sanders' ex-husband Howard and Emma's first
    # husband Edward are coded R in every coded report that names them and codes anyone (docs/analysis.md)
    "ex-husband": "1MRA",
    "ex-wife": "1FRA",
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


@dataclass(frozen=True)
class StatedRelation:
    """A relation the dreamer's own words state ("our son Reynaldo", "Dana (our granddaughter)")."""

    name: str
    relation: str
    quote: str  # the words that said it, as written
    dreams: int  # in how many of the dreams read it is said


# The relation words, longest first so that "son-in-law" is read before "son"; no letter, hyphen or
# apostrophe may follow ("son" is not the start of "sonnet" or "son-in-law"; "my brother's wife" is no brother).
# A pet is said by its kind: "my dog Rex", "Mitzi (our cat)"
_PETS = frozenset(["dog", "cat", "puppy", "kitten", "horse", "pony", "bird", "parrot", "rabbit", "hamster"])
_RELATION = "|".join(re.escape(r) for r in sorted({*RELATIONS, *_PETS}, key=len, reverse=True) if " " not in r)
_MY = r"(?:my|our)"  # the patterns are case-blind: "My son", "OUR niece"
# A few words may stand between "my" and the relation ("my best friend", "my swimming partner"), but not a
# word that ends the phrase ("my house for Father Andrew")
_JOINS = "for|to|of|with|and|or|at|in|on|by|from|the|a|an|is|was|are|were|has|had|who|that|whose"
_BETWEEN = rf"(?:(?!(?:{_JOINS})\b)[a-z]+\s+){{0,2}}?"
_NAME_WORD = r"[A-Z][A-Za-z'\-]+"
# After the relation, in "Name (my RELATION)" and "Name, my RELATION", no name may follow: "Heidi, my brother
# Dwight's daughter" says who Dwight is, not Heidi (the lookahead is case-sensitive inside case-blind patterns)
_WORD_END = r"(?![\w'-])"
_ENDS = _WORD_END + r"(?-i:(?!,?\s+[A-Z]))"
_STATED = (
    # "our son Reynaldo", "My son, Reynaldo", "my brother Ronald's house"
    re.compile(rf"\b{_MY}\s+(?P<between>{_BETWEEN})(?P<rel>{_RELATION}){_WORD_END},?\s+(?P<name>{_NAME_WORD})",
               re.IGNORECASE),
    # "Dana (our granddaughter)", "Marita (my daughter by Edward)", "Hillary (my best friend)"
    re.compile(rf"\b(?P<name>{_NAME_WORD})\s*\(\s*{_MY}\s+(?P<between>{_BETWEEN})(?P<rel>{_RELATION}){_ENDS}",
               re.IGNORECASE),
    # "Ronald, my brother, ..."
    re.compile(rf"\b(?P<name>{_NAME_WORD}),\s+{_MY}\s+(?P<between>{_BETWEEN})(?P<rel>{_RELATION}){_ENDS}",
               re.IGNORECASE),
)
_FORMER = frozenset(("first", "former", "ex"))
# Capitals that are no name: sentence openers, pronouns, titles that head a name rather than being one
_NOT_A_NAME_WORDS = (
    "i he she we they it you me him her us them the a an and but or so then when while as if his hers its our "
    "their my your this that there here who what where mr mrs ms miss dr st saint grandma grandpa granny mom "
    "mommy dad daddy papa mama "
    # sentence adverbs before a comma: "Finally, my father came"
    "finally anyway anyways therefore however later suddenly now also well yes oh meanwhile still again "
    "actually apparently unfortunately luckily fortunately instead besides next first last soon afterwards "
    "outside inside"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split()) | frozenset(RELATIONS)  # "Father Andrew", "Doctor Lee"


def stated_relations(texts: Iterable[str], declared: Iterable[str] = ()) -> list[StatedRelation]:
    """Who the dreamer's own words say people are, in the forms "my/our RELATION Name", "Name (my/our
    RELATION)" and "Name, my/our RELATION", for names not in ``declared``: what they may want to add to
    their cast, each with the words that said it. A name stated with several relations keeps the one said
    in most dreams. The dreamer decides; nothing here changes an analysis."""
    skip = {n.lower() for n in declared}
    said: dict[str, dict[str, list[str]]] = {}  # name -> relation -> one quote per dream that says it
    for text in texts:
        seen: set[tuple[str, str]] = set()
        for pattern in _STATED:
            # the relation word is matched case-blind ("JOSHUA (our son-in-law)"), the name must be a capital
            for m in pattern.finditer(text):
                raw = m.group("name")
                if not raw[:1].isupper():
                    continue
                if pattern is _STATED[0] and "," in m.group(0) and text[: m.start()].rstrip().endswith((",", " and")):
                    continue  # "Sue, my brother, Ian, Claire": a list of people, not "my brother, Ian"
                name = raw.removesuffix("'s").removesuffix("'").rstrip("-")
                if "'" in name:
                    continue  # "We're (my mother...": a contraction, no name
                name = name.capitalize() if name.isupper() else name
                relation = m.group("rel").lower()
                relation = "pet" if relation in _PETS else relation
                if relation in ("husband", "wife") and _FORMER & set(m.group("between").lower().split()):
                    relation = "ex-" + relation  # "Edward (my first husband)"
                if name.lower() in _NOT_A_NAME or name.lower() in skip or (name, relation) in seen:
                    continue
                seen.add((name, relation))
                said.setdefault(name, {}).setdefault(relation, []).append(" ".join(m.group(0).split()))
    out = []
    for name, relations in said.items():
        relation, quotes = max(relations.items(), key=lambda kv: len(kv[1]))
        out.append(StatedRelation(name, relation, quotes[0], len(quotes)))
    return sorted(out, key=lambda s: (-s.dreams, s.name))
