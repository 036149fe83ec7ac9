"""The archive's pure rules: periods from dates and series timeframes, highlight spans, statistics (share,
Cohen's h, two-proportion z test), pseudonyms and masking of names, places and organisations. No
database, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from dream_mosaic.analysis.indicators import FAMILY
from dream_mosaic.archive.query import Node, Phrase, Regex, Word

# --- periods -------------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(s?)(?!\d)")


def timeframe_years(timeframe: str | None) -> tuple[int, int] | None:
    """The span of years a series' timeframe names ('1960-1997', 'mid-1990s', '1940s-1950s'), if any."""
    if not timeframe:
        return None
    found = _YEAR.findall(timeframe)
    if not found:
        return None
    lows = [int(y) for y, _ in found]
    highs = [int(y) + (9 if s else 0) for y, s in found]
    if timeframe.strip().endswith("-") and len(found) == 1:
        return None  # open-ended ("1999-"): we do not know when it stops
    return min(lows), max(highs)


def period_of(dreamt_on: date | None, timeframe: str | None) -> tuple[int | None, int | None]:
    """(year, decade) of a dream: from the night it was dreamt, else from its series' timeframe when that
    names one year (year) or lies within about one decade (decade only). Never invents precision."""
    if dreamt_on is not None:
        return dreamt_on.year, dreamt_on.year // 10 * 10
    span = timeframe_years(timeframe)
    if span is None:
        return None, None
    low, high = span
    year = low if low == high else None
    if high - low <= 5 or (low // 10 == high // 10):
        return year, (low + high) // 2 // 10 * 10
    return None, None


def word_count(text: str) -> int:
    return len(text.split())


# --- highlighting ---------------------------------------------------------------------------------------


def _pattern(node: Node) -> re.Pattern[str] | None:
    if isinstance(node, Word):
        tail = r"[^\W_]*" if node.prefix else ""
        return re.compile(r"(?<![^\W_])" + re.escape(node.text) + tail + r"(?![^\W_])", re.IGNORECASE)
    if isinstance(node, Phrase):
        body = r"[\W_]+".join(re.escape(w) for w in node.words)
        return re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])", re.IGNORECASE)
    if isinstance(node, Regex):
        try:
            return re.compile(node.pattern, re.IGNORECASE)
        except re.error:
            return None
    return None


def highlight_spans(text: str, terms: Sequence[Node], limit: int = 200) -> list[tuple[int, int]]:
    """Character spans of ``text`` matched by the query's positive terms, merged and in order."""
    spans: list[tuple[int, int]] = []
    for node in terms:
        pattern = _pattern(node)
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
            if len(spans) >= limit:
                break
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def excerpt(text: str, spans: list[tuple[int, int]], width: int = 480) -> list[tuple[str, bool]]:
    """Segments ``(text, marked)`` of a passage around the first matches (the whole text if short),
    for templates that escape each segment and wrap marked ones in <mark>."""
    start, end = 0, len(text)
    if len(text) > width:
        centre = spans[0][0] if spans else 0
        start = max(0, centre - width // 3)
        end = min(len(text), start + width)
        # Whole words at the edges.
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 30 else start
        if end < len(text):
            space = text.rfind(" ", end - 30, end)
            end = space if space > start else end
    segments: list[tuple[str, bool]] = []
    if start > 0:
        segments.append(("… ", False))
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > pos:
            segments.append((text[pos:s], False))
        segments.append((text[s:e], True))
        pos = e
    if pos < end:
        segments.append((text[pos:end], False))
    if end < len(text):
        segments.append((" …", False))
    return segments


# --- statistics -----------------------------------------------------------------------------------------


def share(matches: int, selection: int) -> float | None:
    return None if selection == 0 else matches / selection


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h between two proportions, the effect size HVdC studies report."""
    try:
        from dream_mosaic.analysis.indicators import cohens_h as analysis_h
    except ImportError:  # the analysis engine is optional for the archive
        p1, p2 = min(1.0, max(0.0, p1)), min(1.0, max(0.0, p2))
        return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    return analysis_h(p1, p2)


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> dict[str, float | None]:
    """Two-sided two-proportion z test (pooled), with Cohen's h and the magnitude words HVdC uses."""
    if n1 == 0 or n2 == 0:
        return {"p1": None, "p2": None, "h": None, "z": None, "p_value": None}
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = 0.0 if se == 0 else (p1 - p2) / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    return {"p1": p1, "p2": p2, "h": cohens_h(p1, p2), "z": z, "p_value": p_value}


def effect_size_words(h: float | None) -> str:
    if h is None:
        return "no data"
    size = abs(h)
    return "negligible" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"


# --- research export: pseudonyms and masking --------------------------------------------------------------


def pseudonym(salt: bytes, kind: str, value: str, length: int = 12) -> str:
    """A stable, non-reversible pseudonym within one export (HMAC-SHA256 under a salt never stored)."""
    digest = hmac.new(salt, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[0].upper()}-{digest[:length]}"


_TITLES = {"mr", "mrs", "ms", "miss", "dr", "doctor", "professor", "prof", "aunt", "uncle", "grandma",
           "grandpa", "sister", "brother", "father", "mother", "sir", "lady", "lord", "cousin", "rev",
           "reverend", "saint", "st", "captain", "coach", "officer", "judge", "senator", "president"}
_PLACE_WORDS = {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "lane", "drive", "city", "town",
                "county", "lake", "river", "mountain", "mountains", "mount", "park", "beach", "island",
                "valley", "bay", "square", "station", "airport", "bridge", "state", "country", "hills",
                "canyon", "village", "heights", "falls", "ocean", "sea", "creek", "highway"}
_ORG_WORDS = {"university", "college", "school", "high", "company", "co", "inc", "corporation", "corp",
              "church", "hospital", "bank", "club", "department", "institute", "academy", "society",
              "association", "foundation", "team", "store", "restaurant", "hotel", "museum", "library",
              "agency", "center", "centre", "ltd", "group", "press", "army", "navy", "police", "party"}
_PLACE_BEFORE = {"in", "at", "to", "from", "near", "toward", "towards", "into", "through", "around", "across"}
# Capitalised words that are ordinary in dream reports and identify no one.
_ORDINARY = {"i", "i'm", "i'd", "i'll", "i've", "god", "christmas", "easter", "monday", "tuesday", "wednesday",
             "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
             "july", "august", "september", "october", "november", "december", "english", "american",
             "french", "german", "spanish", "italian", "mom", "dad", "mommy", "daddy", "ok", "okay", "tv",
             "halloween", "thanksgiving", "bible", "jesus", "earth", "mr", "mrs", "ms", "dr"}
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'\u2019.-]*[\w]|[A-Za-zÀ-ÖØ-öø-ÿ]")
_SENTENCE_END = re.compile(r"[.!?:;\"“”()\[\]]\s*$")


def casing_stats(texts: Iterable[str]) -> Counter[str]:
    """How much each word is a common word: +1 each time a corpus writes it in lower case, -1 each time it
    writes it capitalised in mid-sentence. A word at zero or below is usually capitalised: a name (``Bob``
    stays a name in a corpus where someone once wrote "bob")."""
    score: Counter[str] = Counter()
    for text in texts:
        for m in _TOKEN.finditer(text):
            token = m.group(0)
            if token[:1].islower():
                score[token.lower()] += 1
            elif token[:1].isupper() and not _is_sentence_start(text, m.start()):
                score[token.lower()] -= 1
    return score


def _is_sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start]
    return start == 0 or bool(_SENTENCE_END.search(before)) or "\n" in before


def mask_entities(text: str, lower_counts: Counter[str], common: frozenset[str] = frozenset()) -> str:
    """Mask names, places and organisations: runs of capitalised words that the corpus writes capitalised
    more often than not (``casing_stats``; at a sentence start, also not a common word) become [PERSON],
    [PLACE] or [ORG] by the words around them. Fast and deliberately eager: it prefers masking a harmless
    word to leaving a name (see docs/archive.md for the measured trade-off against spaCy's NER)."""
    tokens = list(_TOKEN.finditer(text))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(tokens):
        m = tokens[i]
        word = m.group(0)
        key = word.lower().rstrip(".'\u2019s") or word.lower()
        capital = word[:1].isupper()
        initial_follows = (i + 1 < len(tokens) and re.fullmatch(r"[A-Z]\.?", tokens[i + 1].group(0)) is not None
                           and text[tokens[i + 1].end():tokens[i + 1].end() + 1] == ".")
        name_like = capital and key not in _ORDINARY and (
            initial_follows  # "Bill C." is a person whatever "bill" means elsewhere
            or (lower_counts.get(word.lower(), 0) <= 0
                and (not _is_sentence_start(text, m.start()) or word.lower() not in common))
        )
        if not name_like:
            i += 1
            continue
        # Extend over a run of capitalised words ("New York City", "Santa Cruz High School").
        j = i
        while (j + 1 < len(tokens) and tokens[j + 1].group(0)[:1].isupper()
               and re.fullmatch(r"\s+", text[tokens[j].end():tokens[j + 1].start()] or "x")):
            j += 1
        run_words = [t.group(0).lower().rstrip(".") for t in tokens[i:j + 1]]
        prev = tokens[i - 1].group(0).lower().rstrip(".") if i > 0 else ""
        nxt = tokens[j + 1].group(0).lower() if j + 1 < len(tokens) else ""
        if any(w in _ORG_WORDS for w in run_words) or nxt in _ORG_WORDS:
            label = "[ORG]"
        elif any(w in _PLACE_WORDS for w in run_words[1:]) or nxt in _PLACE_WORDS or prev in _PLACE_BEFORE:
            label = "[PLACE]"
        else:
            label = "[PERSON]"
        start = m.start()
        if prev in _TITLES and label == "[PERSON]":
            start = tokens[i - 1].start()
            out.append(text[pos:start])
        else:
            out.append(text[pos:start])
        end = tokens[j].end()
        possessive = text[end:end + 2] if text[end:end + 2] in ("'s", "\u2019s") else ""
        if word.endswith(("'s", "\u2019s")) and i == j:
            possessive = word[-2:]
        out.append(label + possessive)
        pos = end + (len(possessive) if text[end:end + 2] == possessive and possessive else 0)
        i = j + 1
    out.append(text[pos:])
    return "".join(out)



# --- what the analysis found, as facts a filter can index ---------------------------------------------------

def character_kinds(character: dict[str, Any]) -> set[str]:
    """The ``character:`` filter values one HVdC-coded character satisfies."""
    kinds = {str(character.get("kind") or "human")}
    sex, identity = str(character.get("sex") or ""), str(character.get("identity") or "")
    age, number = str(character.get("age") or ""), str(character.get("number") or "1")
    if sex == "M":
        kinds.add("male")
    elif sex == "F":
        kinds.add("female")
    if identity[:1] == "K" or identity[:1] in FAMILY:
        kinds.add("known")
    if identity[:1] in FAMILY:
        kinds.add("family")
    if identity.startswith("P"):
        kinds.add("prominent")
    if identity[:1] and identity[:1] in "SOEU":
        kinds.add("stranger")
    if age[:1] and age[:1] in "CBT":
        kinds.add("child")
    if number == "2":
        kinds.add("group")
    return kinds


def analysis_facts(analysis: dict[str, Any] | None) -> set[str]:
    """``character:<kind>`` and ``interaction:physical`` facts of a stored analysis (see ``ArchiveFact``)."""
    if not analysis:
        return set()
    facts = {f"character:{k}" for c in analysis.get("characters") or () if isinstance(c, dict)
             for k in character_kinds(c)}
    if any(isinstance(i, dict) and i.get("physical") for i in analysis.get("interactions") or ()):
        facts.add("interaction:physical")
    return facts

__all__ = [
    "analysis_facts", "casing_stats", "character_kinds", "cohens_h", "effect_size_words", "excerpt", "highlight_spans",
    "mask_entities", "period_of", "pseudonym", "share", "timeframe_years", "two_proportion_test",
    "word_count",
]
