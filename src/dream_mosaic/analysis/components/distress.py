"""Distress signals: rules over statements about the dreamer's WAKING life (self-harm, hopelessness...).

Violence or death inside the dream is ordinary dream content and raises nothing. A risk phrase raises a
signal only in a sentence that speaks of waking life: after the dreamer woke, with a waking-life marker
("in real life", "lately", "these days"), or in the first-person present tense while the dream itself is
narrated in the past. Each signal carries its sentence; signals go to guides, to be read by a person.
"""

from __future__ import annotations

import re
from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import DistressSignal

VERSION = "1.1"

_RULES: list[tuple[str, str, re.Pattern[str]]] = [
    (
        "self_harm",
        "harm_myself",
        re.compile(
            r"\b(kill|hurt|harm|cut|cutting|burn|burning|hurting|harming|killing|starve|starving)\s+myself\b"
            r"|\bself[- ]?harm\w*|\bslit(ting)? my wrists?|\boverdos(e|ed|ing)\b"
        ),
    ),
    (
        "suicidal_ideation",
        "want_to_die",
        re.compile(
            r"\b(want|wanted|wanting|wish|wished|ready)\s+(to\s+die|i\s+(was|were)\s+dead|i\s+had\s+never\s+been"
            r"\s+born|to\s+disappear\s+forever)|\bsuicid(e|al)\b|\bend\s+(it\s+all|my\s+life|my\s+own\s+life)"
            r"|\btake\s+my\s+(own\s+)?life\b|\b(no|not\s+any)\s+(reason|point)\s+(to|in)\s+(live|living|going\s+on)"
            r"|\bbetter\s+off\s+dead\b|\bdon'?t\s+want\s+to\s+(live|be\s+alive|wake\s+up)"
        ),
    ),
    (
        "hopelessness",
        "hopeless",
        re.compile(
            r"\b(feel|felt|feeling|am|i'm|so|completely|totally|utterly)\s+(so\s+)?(hopeless|in\s+despair)\b"
            r"|\bnothing\s+(will\s+ever|ever|is\s+ever\s+going\s+to)\s+(get|gets|be)\s+better\b"
            r"|\b(there\s+is|there's|i\s+have|i\s+see)\s+no\s+(hope|future|way\s+out)\b|\bwhat'?s\s+the\s+point\b"
            r"|\bcan'?t\s+go\s+on\b|\bgive\s+up\s+on\s+(life|everything)\b"
        ),
    ),
    (
        "worthlessness",
        "worthless",
        re.compile(
            r"\bi('m|\s+am)\s+(worthless|a\s+burden|useless|a\s+failure|nothing)\b|\bnobody\s+(cares|would\s+care"
            r"|would\s+miss\s+me|loves\s+me)\b|\b(everyone|everybody)\s+would\s+be\s+better\s+off\s+without\s+me"
        ),
    ),
    (
        "crisis",
        "cannot_cope",
        re.compile(r"\bi\s+(can'?t|cannot)\s+(cope|take\s+(it|this|any\s*more))\b|\bbreaking\s+down\b"),
    ),
]
_WAKING_MARKERS = re.compile(
    r"\b(in\s+(real|waking)\s+life|lately|these\s+days|nowadays|recently|right\s+now|today|tonight"
    r"|this\s+(week|month|year)|for\s+(weeks|months|years)|every\s+day|any\s*more|my\s+therapist"
    r"|when\s+i\s+(woke|awoke|wake)|after\s+i\s+(woke|awoke)|i\s+woke\s+up|since\s+(my|the))\b",
    re.IGNORECASE,
)
_PRESENT_FIRST = re.compile(
    r"\b(i\s+am|i'm|i\s+feel|i\s+want|i\s+wish|i\s+have\s+been|i've\s+been|i\s+keep|i\s+think|i\s+can'?t"
    r"|i\s+don'?t|i\s+cannot|i\s+need)\b",
    re.IGNORECASE,
)
_DREAM_FRAME = re.compile(r"\b(dream(ed|t|ing)?|nightmare)\b", re.IGNORECASE)


# Cheap first pass: a rule can only match a sentence holding one of these words.
_TRIGGERS = frozenset(
    words(
        """myself harm wrist wrists overdose overdosed overdosing die dead born disappear suicide suicidal
        end life reason point better live living alive wake hopeless despair ever hope future way on up
        worthless burden useless failure nothing nobody without cope take breaking"""
    )
)


def find_distress(doc: DreamDoc) -> list[DistressSignal]:
    candidates = {t.sent for t in doc.tokens if t.lower in _TRIGGERS}
    if not candidates:
        return []
    out: list[DistressSignal] = []
    waking_from = next((t.sent for t in doc.tokens if t.lower in {"woke", "awoke", "awakened", "waking"}), None)
    for s_i in sorted(candidates):
        s = doc.sentences[s_i]
        sent = doc.text[s.start : s.end]
        low = sent.lower()
        for kind, rule, pat in _RULES:
            m = pat.search(low)
            if m is None:
                continue
            after_waking = waking_from is not None and s_i >= waking_from
            marker = _WAKING_MARKERS.search(low) is not None
            present = _PRESENT_FIRST.search(low) is not None
            in_dream_frame = _DREAM_FRAME.search(low[: m.start()]) is not None
            if in_dream_frame and not marker:
                continue  # "I dreamed I wanted to kill myself": dream content
            if marker or after_waking:
                conf = 0.9 if kind in {"self_harm", "suicidal_ideation"} else 0.75
            elif present:
                conf = 0.7 if kind in {"self_harm", "suicidal_ideation"} else 0.55
            else:
                continue  # past-tense narration without waking cues: dream content
            out.append(
                DistressSignal(
                    kind=kind,  # type: ignore[arg-type]
                    sentence=sent,
                    span=(s.start, s.end),
                    confidence=conf,
                    rule=rule,
                )
            )
            break
    return out


@register_component("distress", version=VERSION)
def make_distress() -> Any:
    def distress(doc: DreamDoc) -> None:
        doc.analysis.distress = find_distress(doc)

    return distress
