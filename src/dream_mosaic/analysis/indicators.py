"""Hall & Van de Castle content indicators for a set of dreams, beside the published norms, with h.

The indicators are computed from a neutral per-report summary (:class:`ReportCodes`) that both the
automatic analysis (:func:`codes_from_analysis`) and human HVdC codes (``evaluate``) reduce to, so the two
are compared like for like. Plain Python, no I/O.

Norms: Hall, C. S., & Van de Castle, R. L. (1966). *The Content Analysis of Dreams*. Appleton-Century-
Crofts (500 male and 500 female dream reports of college students), as tabulated by Domhoff, G. W.
(1996). *Finding Meaning in Dreams: A Quantitative Approach*. Plenum, table of HVdC norms.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from .schemas import DreamAnalysis

# HVdC family identities: father, mother, parents, brother, sister, husband, wife, son, daughter, child,
# infant, family members together (Y: "my family"), other relatives
FAMILY = frozenset("FMXBTHWADCIYR")
KNOWN = frozenset("KP")
UNFAMILIAR = frozenset("OESU")

# name: (male norm, female norm, kind) — kind "percent" (0-100) or "index" (per character).
NORMS: dict[str, tuple[float | None, float | None, str]] = {
    "male_female_percent": (67, 48, "percent"),
    "familiarity_percent": (45, 58, "percent"),
    "friends_percent": (31, 37, "percent"),
    "family_percent": (12, 19, "percent"),
    "animal_percent": (6, 4, "percent"),
    "aggression_per_character": (0.34, 0.24, "index"),
    "friendliness_per_character": (0.21, 0.22, "index"),
    "sexuality_per_character": (0.06, 0.01, "index"),
    "aggressor_percent": (40, 33, "percent"),
    "befriender_percent": (50, 47, "percent"),
    "physical_aggression_percent": (50, 34, "percent"),
    "indoor_setting_percent": (48, 61, "percent"),
    "familiar_setting_percent": (62, 79, "percent"),
    "negative_emotions_percent": (80, 80, "percent"),
    "dreamer_involved_success_percent": (51, 42, "percent"),
    "dreams_with_aggression_percent": (47, 44, "percent"),
    "dreams_with_friendliness_percent": (38, 42, "percent"),
    "dreams_with_sexuality_percent": (12, 4, "percent"),
    "dreams_with_misfortune_percent": (36, 33, "percent"),
    "dreams_with_good_fortune_percent": (6, 6, "percent"),
    "dreams_with_success_percent": (15, 8, "percent"),
    "dreams_with_failure_percent": (15, 10, "percent"),
    "dreams_with_emotion_percent": (None, None, "percent"),
    "dreamer_involved_aggression_percent": (None, None, "percent"),
}
INDICATOR_NAMES: tuple[str, ...] = tuple(NORMS)


@dataclass
class ReportCodes:
    """One report reduced to HVdC codes: what the indicators need."""

    characters: list[str] = field(default_factory=list)
    emotions: list[str] = field(default_factory=list)  # emotion class codes
    aggression: list[tuple[bool, str, str]] = field(default_factory=list)  # (physical, initiator, recipient)
    friendliness: list[tuple[str, str]] = field(default_factory=list)
    sexuality: list[tuple[str, str]] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # "IF", "OU", ...: location then familiarity
    misfortunes: list[str] = field(default_factory=list)  # who: "D" or a code
    good_fortunes: list[str] = field(default_factory=list)
    successes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def codes_from_analysis(a: DreamAnalysis) -> ReportCodes:
    fam = {"familiar": "F", "unfamiliar": "U", "questionable": "Q"}
    return ReportCodes(
        characters=[c.code for c in a.characters],
        emotions=[e.code for e in a.emotions],
        aggression=[(i.physical, i.initiator, i.recipient) for i in a.interactions if i.kind == "aggression"],
        friendliness=[(i.initiator, i.recipient) for i in a.interactions if i.kind == "friendliness"],
        sexuality=[(i.initiator, i.recipient) for i in a.interactions if i.kind == "sexuality"],
        settings=[("I" if s.location == "indoor" else "O") + fam[s.familiarity] for s in a.settings],
        misfortunes=[e.character for e in a.misfortunes],
        good_fortunes=[e.character for e in a.good_fortunes],
        successes=[e.character for e in a.successes],
        failures=[e.character for e in a.failures],
    )


def focused(rc: ReportCodes, focus: Collection[str]) -> ReportCodes:
    """``rc`` as coders code a series for the dreamer's relations with ``focus`` (HVdC codes) alone.

    Some series are coded that way: DreamBank's "Ed: dreams of his late wife" lists his wife as the only
    character, only the interactions between him and her, and only her misfortunes. Indicators compared
    with such codes must be computed over the same scope, or every other person in the dream counts as an
    error. Emotions and settings are kept: the coders coded them whoever felt them.
    """
    people = frozenset(focus)
    allowed = people | {"D", ""}

    def within(initiator: str, recipient: str) -> bool:
        return initiator in allowed and recipient in allowed and (initiator in people or recipient in people
                                                                   or recipient == "")

    return replace(
        rc,
        characters=[c for c in rc.characters if c in people],
        aggression=[a for a in rc.aggression if within(a[1], a[2])],
        friendliness=[f for f in rc.friendliness if within(*f)],
        sexuality=[x for x in rc.sexuality if within(*x)],
        misfortunes=[w for w in rc.misfortunes if w in people],
        good_fortunes=[w for w in rc.good_fortunes if w in people],
        successes=[w for w in rc.successes if w in people],
        failures=[w for w in rc.failures if w in people],
    )


def parse_character(code: str) -> tuple[str, str, str, str]:
    """``1MKA`` -> (number, sex, identity, age); animals give identity ``ANI``, creatures ``CZZ``."""
    code = code.strip()
    i = 0
    while i < len(code) and not code[i].isdigit():
        i += 1  # tolerate prefixes such as dead/imaginary markers
    code = code[i:]
    if len(code) < 2:
        return "", "", "", ""
    body = code[1:]
    if body.startswith("ANI"):
        return code[0], "", "ANI", ""
    if body.startswith("CZZ"):
        return code[0], "", "CZZ", ""
    sex = body[0] if len(body) > 0 else ""
    ident = body[1] if len(body) > 1 else ""
    age = body[2] if len(body) > 2 else ""
    return code[0], sex, ident, age


def _pct(num: float, den: float) -> float | None:
    return None if den == 0 else 100.0 * num / den


def involves_dreamer(who: str) -> bool:
    """Is the dreamer among ``who``: "D", or a group with the dreamer as coders write it ("D + 1MKA")?"""
    return "D" in who.replace(" ", "").split("+")


def indicators(reports: Iterable[ReportCodes]) -> dict[str, float | None]:
    """The HVdC content indicators of a set of reports (percentages 0-100, indexes per character)."""
    reps = list(reports)
    n = len(reps)
    chars = [parse_character(c) for r in reps for c in r.characters]
    humans = [c for c in chars if c[2] not in {"ANI", "CZZ", ""}]
    males = sum(1 for c in humans if c[1] == "M")
    females = sum(1 for c in humans if c[1] == "F")
    family = sum(1 for c in humans if c[2] in FAMILY)
    known = sum(1 for c in humans if c[2] in KNOWN)
    friends = sum(1 for c in humans if c[2] == "K")
    unfamiliar = sum(1 for c in humans if c[2] in UNFAMILIAR)
    animals = sum(1 for c in chars if c[2] == "ANI")
    n_chars = len(chars)
    aggr = [a for r in reps for a in r.aggression]
    friend = [f for r in reps for f in r.friendliness]
    sex = [s for r in reps for s in r.sexuality]
    # The dreamer is involved as part of a group too ("D + 1MKA" attacked 1MSA), as in the coders' codes.
    d_aggressor = sum(1 for _, i, _r in aggr if involves_dreamer(i))
    d_victim = sum(1 for _, _i, r in aggr if involves_dreamer(r))
    d_befriender = sum(1 for i, _r in friend if involves_dreamer(i))
    d_befriended = sum(1 for _i, r in friend if involves_dreamer(r))
    settings = [s for r in reps for s in r.settings]
    indoor = sum(1 for s in settings if s.startswith("I"))
    outdoor = sum(1 for s in settings if s.startswith("O"))
    fam_set = sum(1 for s in settings if len(s) > 1 and s[1] in "FDG")
    unfam_set = sum(1 for s in settings if len(s) > 1 and s[1] == "U")
    emotions = [e for r in reps for e in r.emotions]
    d_success = sum(1 for r in reps for w in r.successes if involves_dreamer(w))
    d_failure = sum(1 for r in reps for w in r.failures if involves_dreamer(w))

    def dreams_with(attr: str) -> float | None:
        return _pct(sum(1 for r in reps if getattr(r, attr)), n)

    return {
        "male_female_percent": _pct(males, males + females),
        "familiarity_percent": _pct(family + known, family + known + unfamiliar),
        "friends_percent": _pct(friends, len(humans)),
        "family_percent": _pct(family, len(humans)),
        "animal_percent": _pct(animals, n_chars),
        "aggression_per_character": None if n_chars == 0 else len(aggr) / n_chars,
        "friendliness_per_character": None if n_chars == 0 else len(friend) / n_chars,
        "sexuality_per_character": None if n_chars == 0 else len(sex) / n_chars,
        "aggressor_percent": _pct(d_aggressor, d_aggressor + d_victim),
        "befriender_percent": _pct(d_befriender, d_befriender + d_befriended),
        "physical_aggression_percent": _pct(sum(1 for p, _, _ in aggr if p), len(aggr)),
        "indoor_setting_percent": _pct(indoor, indoor + outdoor),
        "familiar_setting_percent": _pct(fam_set, fam_set + unfam_set),
        "negative_emotions_percent": _pct(sum(1 for e in emotions if e != "HA"), len(emotions)),
        "dreamer_involved_success_percent": _pct(d_success, d_success + d_failure),
        "dreams_with_aggression_percent": dreams_with("aggression"),
        "dreams_with_friendliness_percent": dreams_with("friendliness"),
        "dreams_with_sexuality_percent": dreams_with("sexuality"),
        "dreams_with_misfortune_percent": dreams_with("misfortunes"),
        "dreams_with_good_fortune_percent": dreams_with("good_fortunes"),
        "dreams_with_success_percent": dreams_with("successes"),
        "dreams_with_failure_percent": dreams_with("failures"),
        "dreams_with_emotion_percent": dreams_with("emotions"),
        "dreamer_involved_aggression_percent": _pct(
            sum(1 for _, i, r in aggr if involves_dreamer(i) or involves_dreamer(r)), len(aggr)
        ),
    }


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h between two proportions (0-1)."""
    p1 = min(1.0, max(0.0, p1))
    p2 = min(1.0, max(0.0, p2))
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def indicator_table(
    analyses: Iterable[DreamAnalysis] | None = None,
    codes: Iterable[ReportCodes] | None = None,
) -> list[dict[str, float | str | None]]:
    """Rows of (indicator, value, male norm, female norm, h vs male norm, h vs female norm).

    Pass ``analyses`` (automatic) or ``codes`` (already reduced, e.g. human codes). ``h`` is Cohen's h
    of the proportions (indexes are treated as proportions, as HVdC spreadsheets do).
    """
    reps = list(codes) if codes is not None else [codes_from_analysis(a) for a in analyses or []]
    values = indicators(reps)
    rows: list[dict[str, float | str | None]] = []
    for name, (male, female, kind) in NORMS.items():
        v = values[name]
        scale = 100.0 if kind == "percent" else 1.0
        row: dict[str, float | str | None] = {
            "indicator": name,
            "kind": kind,
            "value": None if v is None else round(v, 2 if kind == "percent" else 3),
            "male_norm": male,
            "female_norm": female,
            "h_vs_male": None,
            "h_vs_female": None,
        }
        if v is not None:
            if male is not None:
                row["h_vs_male"] = round(cohens_h(v / scale, male / scale), 3)
            if female is not None:
                row["h_vs_female"] = round(cohens_h(v / scale, female / scale), 3)
        rows.append(row)
    return rows
