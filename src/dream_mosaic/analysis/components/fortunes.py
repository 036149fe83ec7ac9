"""Misfortunes, good fortunes, successes and failures (HVdC), from phrase lexicons with the person."""

from __future__ import annotations

from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Event
from ._resolve import subject_before

VERSION = "1.3"

_BODILY = frozenset(
    words("""injured hurt wounded bleeding bled sick ill died dead dying broke_my broken_leg broken_arm cut_my
    burned burnt drowned drowning fainted fell_down paralyzed pain bleed bit_by stung""")
)
_MISFORTUNE = frozenset(
    words("""lost accident crashed crash fell falling stuck trapped late missed broken broke ruined robbed
    stolen fire flood injured hurt wounded bleeding bled sick ill died dead dying burned burnt drowned
    drowning fainted paralyzed pain disaster killed dies die slipped tripped collapsed exploded explosion
    earthquake storm tornado hurricane wreck wrecked crashing sinking sank sinks burning flooded flooding
    dropped spilled tore torn ripped broke_down flat_tire ran_out_of too_late forgot forgotten missing
    disappeared unlucky bad_luck fell_out falls danger dangerous bleed bit_by stung""")
)
_GOOD_FORTUNE = frozenset(words("lucky luckily fortunately inherited found_money won_the_lottery windfall"))
_SUCCESS = frozenset(
    words("""succeeded succeed managed_to finally_got finally_made finally_found won win passed_the solved
    accomplished achieved made_it escaped was_able_to were_able_to finally_reached reached_the finished_the
    finally_finished finally_find finally_get escape escapes escaping manage manages managing managed succeeds
    succeeding am_able_to is_able_to are_able_to""")
)
_FAILURE = frozenset(
    words("""failed fail failing couldn't_find couldn't_get couldn't_make couldn't_open couldn't_reach
    unable_to gave_up flunked lost_the couldn't_do couldn't_remember unsuccessfully unsuccessful could_not_find
    could_not_get can't_find can't_get cannot_find couldn't_swim could_not_swim wasn't_able_to weren't_able_to""")
)
_TABLE: list[tuple[frozenset[str], str]] = [
    (_SUCCESS, "success"),
    (_FAILURE, "failure"),
    (_GOOD_FORTUNE, "good_fortune"),
    (_MISFORTUNE, "misfortune"),
]


_INDEX: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
for _lex, _kind in _TABLE:
    for _phrase in _lex:
        _words = tuple(_phrase.split("_"))
        _INDEX.setdefault(_words[0], []).append((_words, _kind, _phrase))
for _v in _INDEX.values():
    _v.sort(key=lambda e: -len(e[0]))


def find_events(doc: DreamDoc) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = {"misfortune": [], "good_fortune": [], "success": [], "failure": []}
    lowers = [t.lower for t in doc.tokens]
    n = len(lowers)
    i = 0
    while i < n:
        entries = _INDEX.get(lowers[i])
        hit = None
        for seq, kind, phrase in entries or ():
            if tuple(lowers[i : i + len(seq)]) == seq:
                hit = (seq, kind, phrase)
                break
        if hit is None:
            i += 1
            continue
        seq, kind, phrase = hit
        length = len(seq)
        who = subject_before(doc, i) or "D"
        t0, t1 = doc.tokens[i], doc.tokens[i + length - 1]
        out[kind].append(
            Event(
                kind=kind,  # type: ignore[arg-type]
                character=who,
                span=(t0.start, t1.end),
                words=[doc.text[t0.start : t1.end]],
                bodily=kind == "misfortune" and (phrase in _BODILY),
            )
        )
        i += length
    return out


@register_component("fortunes", version=VERSION, requires=("characters",))
def make_fortunes() -> Any:
    def fortunes(doc: DreamDoc) -> None:
        ev = find_events(doc)
        a = doc.analysis
        a.misfortunes, a.good_fortunes = ev["misfortune"], ev["good_fortune"]
        a.successes, a.failures = ev["success"], ev["failure"]

    return fortunes
