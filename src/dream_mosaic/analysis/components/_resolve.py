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


_NOMINATIVE = frozenset(words("i we he she they i'm i've i'd i'll we're he's she's they're"))
# A verb after these shares the clause's subject: "I kissed and embraced her", "walked over to greet them".
_SHARED_SUBJECT = frozenset(words("and then to"))


_THING_SUBJECTS = frozenset(words("it something nothing everything"))


def subject_before(doc: DreamDoc, i: int, max_back: int = 8, clause: bool = False) -> str | None:
    """The person just before token ``i`` (the verb's subject), or None.

    "Who" right before the verb stands for the person before it ("Wendy who insults a girl"); "it",
    "something", "nothing" on the way back mean the subject is a thing (None). With ``clause``, a verb
    whose subject is not next to it takes the clause's: after "and", "then" or "to" or a comma, the nearest
    nominative pronoun or clause-initial mention earlier in the sentence ("a policeman drove up, handed me
    a paper").
    """
    s_first = doc.sentences[doc.tokens[i].sent].first_token
    j = i - 1
    while j >= s_first and i - j <= max_back:
        r = resolve_token(doc, j)
        if r is not None:
            return r
        w = doc.tokens[j].lower
        if w in _THING_SUBJECTS:
            return None  # "it is being held elsewhere", "something hit me": no person did it
        if w == "who" and j == i - 1 and j > s_first:
            return resolve_token(doc, j - 1)  # "I see Wendy who insults a girl": the one "who" stands for
        if w in BREAKS:
            if not (clause and (w in _SHARED_SUBJECT or w == ",")):
                return None
            break
        j -= 1
    if not clause:
        return None
    codes: dict[int, str] = doc.scratch.get("mention_codes", {})
    for k in range(j - 1, s_first - 1, -1):
        if doc.tokens[k].lower in _NOMINATIVE:
            return resolve_token(doc, k)
        if k in codes and _starts_clause(doc, k, s_first):
            return codes[k]
    return None


_PREPOSITIONS = frozenset(words("at to with by for from of in on into onto about over under behind near like than"))


def _starts_clause(doc: DreamDoc, k: int, s_first: int) -> bool:
    """Is the mention whose head is token ``k`` a clause's subject ("and the old woman said ...")?"""
    for back in range(1, 4):
        j = k - back
        if j < s_first or doc.tokens[j].lower in BREAKS:
            return True
        w = doc.tokens[j].lower
        if w in _POSSESSIVE or w == "her":
            continue  # "my daughter", "her sister": a determiner
        if w in _PREPOSITIONS or w.endswith(("ed", "ing")) or resolve_token(doc, j) is not None:
            return False
    return False


def dreamer_in_sentence(doc: DreamDoc, i: int) -> bool:
    """Does the sentence of token ``i`` mention the dreamer ("I", "me", "my", "we")?"""
    s = doc.sentences[doc.tokens[i].sent]
    return any(doc.tokens[j].lower in _DREAMER for j in range(s.first_token, s.last_token))


def object_after(doc: DreamDoc, i: int, max_ahead: int = 5) -> str | None:
    s_last = doc.sentences[doc.tokens[i].sent].last_token
    codes: dict[int, str] = doc.scratch.get("mention_codes", {})
    for j in range(i + 1, min(s_last, i + 1 + max_ahead)):
        w = doc.tokens[j].lower
        if (w in _POSSESSIVE or w == "her") and j + 1 < len(doc.tokens) and doc.tokens[j + 1].lower in _BODY:
            return resolve_token(doc, j)  # "kissed his hand", "grabbed my arm": done to him, to me
        if w in _POSSESSIVE or (w == "her" and j + 1 in codes):
            continue  # "at my mother": the object is the mother, not the dreamer
        r = resolve_token(doc, j)
        if r is not None:
            return r
        if w in BREAKS or w in {".", "!", "?"}:
            break
    return None


_POSSESSIVE = frozenset(words("my our your his their"))
_BODY = frozenset(
    words("""hand hands arm arms cheek cheeks face forehead head hair neck shoulder shoulders back lips mouth
    nose ear ears leg legs foot feet throat chest stomach wrist fingers body""")
)
