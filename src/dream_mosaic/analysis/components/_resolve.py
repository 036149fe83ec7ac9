"""Who is who: resolve pronouns and nearby mentions to the dreamer ("D") or a character code."""

from __future__ import annotations

from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc

_DREAMER = frozenset(words("i me my myself we us our ourselves i'm i've i'd i'll we're"))
_MALE = frozenset(words("he him his himself he's"))
_FEMALE = frozenset(words("she her hers herself she's"))
_PLURAL = frozenset(words("they them their themselves they're"))
BREAKS = frozenset(
    {
        ",",
        ";",
        ":",
        '"',
        "\u201c",
        "\u201d",
        "(",
        ")",
        "and",
        "but",
        "because",
        "when",
        "while",
        "then",
        "so",
        "who",
        "which",
        "after",
        "before",
        "until",
        "if",
    }
)


def resolve_token(doc: DreamDoc, j: int) -> str | None:
    """The referent of token ``j`` if it is a person word: "D", a character code, or None."""
    w = doc.tokens[j].lower
    if w in _DREAMER:
        return "D"
    codes: dict[int, str] = doc.scratch.get("mention_codes", {})
    if j in codes:
        return codes[j]
    if w in _MALE or w in _FEMALE or w in _PLURAL:
        return _last_mention(doc, j, w)
    return None


def _last_mention(doc: DreamDoc, j: int, pron: str) -> str:
    mentions: list[Any] = doc.scratch.get("mentions", [])
    best = None
    for m in mentions:
        if m.first >= j:
            break
        code = doc.scratch.get("mention_codes", {}).get(m.first)
        if code is None:
            continue
        if (
            (pron in _MALE and m.kind == "human" and m.number == "1" and m.sex in {"M", "I"})
            or (pron in _FEMALE and m.kind == "human" and m.number == "1" and m.sex in {"F", "I"})
            or (pron in _PLURAL and m.number == "2")
        ):
            best = code
    if best is not None:
        return best
    return {"M": "1MUA", "F": "1FUA"}.get("M" if pron in _MALE else "F" if pron in _FEMALE else "", "2JUA")


def subject_before(doc: DreamDoc, i: int, max_back: int = 8) -> str | None:
    s_first = doc.sentences[doc.tokens[i].sent].first_token
    j = i - 1
    while j >= s_first and i - j <= max_back:
        r = resolve_token(doc, j)
        if r is not None:
            return r
        if doc.tokens[j].lower in BREAKS:
            break
        j -= 1
    return None


def object_after(doc: DreamDoc, i: int, max_ahead: int = 5) -> str | None:
    s_last = doc.sentences[doc.tokens[i].sent].last_token
    codes: dict[int, str] = doc.scratch.get("mention_codes", {})
    for j in range(i + 1, min(s_last, i + 1 + max_ahead)):
        w = doc.tokens[j].lower
        if w in _POSSESSIVE or (w == "her" and j + 1 in codes):
            continue  # "at my mother": the object is the mother, not the dreamer
        r = resolve_token(doc, j)
        if r is not None:
            return r
        if w in BREAKS or w in {".", "!", "?"}:
            break
    return None


_POSSESSIVE = frozenset(words("my our your his their"))
