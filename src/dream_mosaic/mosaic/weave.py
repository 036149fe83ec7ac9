"""Weaving: pure composition of fragments into a mosaic document. No I/O, no randomness.

Composition comes from the analysis, never from chance:

- each fragment gets a *phase* from its strongest emotion class (Hall & Van de Castle: apprehension,
  anger, confusion, sadness, happiness), or "still" when the analysis found none;
- phases run in a fixed arc, from shared fears to what eased them; inside a phase, fragments that share
  a motif sit together and darker ones (lower valence) come first;
- connecting text comes from templates whose only words about a dream are exact quotations of it,
  each shown with the dreamer's attribution. A template never says what a dreamer felt or meant.

A guide's ``order`` overrides the arc; ``excluded`` fragments are left out entirely.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from dream_mosaic.mosaic.schemas import (
    ArcStep,
    EmotionMark,
    Fragment,
    FragmentAnalysis,
    HvdcRow,
    MosaicDocument,
    MotifGroup,
    Part,
    Passage,
    Phase,
    Resonance,
)

EMOTION_CODES = ("AN", "AP", "SD", "CO", "HA")
EMOTION_NAMES = {"AN": "anger", "AP": "apprehension", "SD": "sadness", "CO": "confusion", "HA": "happiness"}
# (key, heading, emotion class that leads a fragment into it), in arc order.
PHASES: tuple[tuple[str, str, str | None], ...] = (
    ("fear", "What frightened us", "AP"),
    ("anger", "What angered us", "AN"),
    ("confusion", "Where we were lost", "CO"),
    ("sorrow", "What we mourned", "SD"),
    ("still", "Images without a named feeling", None),
    ("ease", "What eased us", "HA"),
)
PHASE_OF_CODE = {code: key for key, _title, code in PHASES if code}
PHASE_RANK = {key: i for i, (key, _t, _c) in enumerate(PHASES)}
PHASE_TITLE = {key: title for key, title, _c in PHASES}
MAX_MOTIFS = 40
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 220
TOP_RESONANCE = 5


# --- from the analysis ------------------------------------------------------------------------------


def summarize(analysis: Any) -> FragmentAnalysis:
    """Reduce a ``DreamAnalysis`` (duck-typed) to what composition needs."""
    hvdc: dict[str, Any] = {}
    try:
        from dataclasses import asdict

        from dream_mosaic.analysis.indicators import codes_from_analysis

        hvdc = asdict(codes_from_analysis(analysis))
    except ImportError:  # the analysis engine's indicators are not installed: no HVdC profile
        hvdc = {}
    return FragmentAnalysis(
        emotions=[
            EmotionMark(
                code=e.code, character=getattr(e, "character", "D") or "D",
                spans=[(int(a), int(b)) for a, b in getattr(e, "spans", [])],
                confidence=float(getattr(e, "confidence", 1.0)),
            )
            for e in getattr(analysis, "emotions", [])
        ],
        valence=float(getattr(analysis, "valence", 0.0)),
        motifs=list(dict.fromkeys(getattr(analysis, "motifs", []))),
        hvdc=hvdc,
        available=True,
    )


def emotion_counts(a: FragmentAnalysis) -> dict[str, int]:
    counts = dict.fromkeys(EMOTION_CODES, 0)
    for e in a.emotions:
        counts[e.code] = counts.get(e.code, 0) + 1
    return counts


def phase_of(a: FragmentAnalysis) -> str:
    """The phase a fragment belongs to: its strongest emotion class, the dreamer's own counted double.

    Ties go to happiness when the dream's valence is positive, else to the earliest phase of the arc.
    """
    weight: dict[str, float] = defaultdict(float)
    for e in a.emotions:
        weight[e.code] += e.confidence * (2.0 if e.character == "D" else 1.0)
    if not weight:
        return "still"
    best = max(weight.values())
    tied = [c for c, w in weight.items() if w >= best - 1e-9]
    if "HA" in tied and (len(tied) == 1 or a.valence > 0):
        return "ease"
    tied = [c for c in tied if c != "HA"] or tied
    return min((PHASE_OF_CODE[c] for c in tied if c in PHASE_OF_CODE), key=PHASE_RANK.__getitem__,
               default="still")


# --- collective layer -------------------------------------------------------------------------------


def motif_groups(fragments: Sequence[Fragment], limit: int = MAX_MOTIFS) -> list[MotifGroup]:
    owners: dict[str, list[str]] = defaultdict(list)
    for f in fragments:
        for m in f.analysis.motifs:
            owners[m].append(f.dream_id)
    ranked = sorted(owners.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [MotifGroup(motif=m, dream_ids=ids, count=len(ids), shared=len(ids) >= 2) for m, ids in ranked]


def _motif_counts(fragments: Sequence[Fragment]) -> Counter[str]:
    return Counter(m for f in fragments for m in f.analysis.motifs)


def arc_order(fragments: Sequence[Fragment]) -> list[Fragment]:
    """The default arc: phases in order; shared motifs together; darker first; then by night and id."""
    counts = _motif_counts(fragments)

    def lead_motif(f: Fragment) -> str:
        shared = [m for m in f.analysis.motifs if counts[m] >= 2]
        return min(shared, key=lambda m: (-counts[m], m)) if shared else "\uffff"

    return sorted(
        fragments,
        key=lambda f: (PHASE_RANK[f.phase], lead_motif(f), f.analysis.valence, f.dreamt_on or "", f.dream_id),
    )


def arrange(fragments: Sequence[Fragment], order: Sequence[str] | None = None,
            excluded: Iterable[str] = ()) -> list[Fragment]:
    """Apply a guide's review: leave out ``excluded``; ``order`` first, the rest after it in arc order."""
    left_out = set(excluded)
    kept = [f for f in fragments if f.dream_id not in left_out]
    by_id = {f.dream_id: f for f in kept}
    chosen = [by_id[i] for i in dict.fromkeys(order or []) if i in by_id]
    taken = {f.dream_id for f in chosen}
    return chosen + arc_order([f for f in kept if f.dream_id not in taken])


def arc_steps(ordered: Sequence[Fragment]) -> list[ArcStep]:
    return [  # built from validated fragments: no need to validate again (10,000 steps in a big mosaic)
        ArcStep.model_construct(position=i, dream_id=f.dream_id, phase=f.phase, emotions=emotion_counts(f.analysis),
                                valence=round(f.analysis.valence, 4))
        for i, f in enumerate(ordered)
    ]


def phases(ordered: Sequence[Fragment]) -> list[Phase]:
    """Consecutive runs of one phase, as the fragments are presented."""
    runs: list[Phase] = []
    for f in ordered:
        if runs and runs[-1].key == f.phase:
            runs[-1].dream_ids.append(f.dream_id)
        else:
            runs.append(Phase(key=f.phase, title=PHASE_TITLE[f.phase], dream_ids=[f.dream_id]))
    return runs


def resonance(fragments: Sequence[Fragment], top: int = TOP_RESONANCE) -> list[Resonance]:
    """What resonated most: associations received (worth three each), "this resonates" taps (two each),
    plus echoes, i.e. for each of its shared motifs the number of other fragments that hold it."""
    counts = _motif_counts(fragments)
    scored: list[tuple[float, str, Fragment, list[str]]] = []
    for f in fragments:
        shared = [m for m in f.analysis.motifs if counts[m] >= 2]
        score = 3.0 * len(f.associations) + 2.0 * f.taps + sum(counts[m] for m in shared) - len(shared)
        if score > 0:
            scored.append((-score, f.dream_id, f, shared))
    scored.sort(key=lambda r: (r[0], r[1]))
    return [Resonance(dream_id=f.dream_id, score=-neg, associations=len(f.associations), taps=f.taps,
                      shared_motifs=shared[:5]) for neg, _id, f, shared in scored[:top]]


def hvdc_profile(fragments: Sequence[Fragment]) -> list[HvdcRow]:
    """The circle's Hall & Van de Castle indicators beside the published norms (empty without the engine)."""
    codes_in = [f.analysis.hvdc for f in fragments if f.analysis.hvdc]
    if not codes_in:
        return []
    try:
        from dream_mosaic.analysis.indicators import ReportCodes, indicator_table
    except ImportError:
        return []
    fields = tuple(ReportCodes.__dataclass_fields__)
    # JSON made the tuples inside ReportCodes lists; the indicators unpack both alike.
    reports = [ReportCodes(**{k: c[k] for k in fields if k in c}) for c in codes_in]
    rows = indicator_table(codes=reports)
    return [
        HvdcRow(indicator=str(r["indicator"]), value=_num(r.get("value")), male_norm=_num(r.get("male_norm")),
                female_norm=_num(r.get("female_norm")))
        for r in rows
    ]


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


# --- quotations -------------------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, by the analysis engine's own splitter (the whole text without it)."""
    try:
        from dream_mosaic.analysis.text import split_sentences
    except ImportError:
        stripped = text.strip()
        return [(text.index(stripped), text.index(stripped) + len(stripped))] if stripped else []
    return split_sentences(text)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def quote_around(text: str, at: int | None = None, limit: int = MAX_QUOTE_CHARS) -> tuple[str, bool, bool]:
    """The sentence of ``text`` around offset ``at`` (the first sentence if None), cut at word boundaries
    to ``limit`` characters. Returns (exact substring, cut before, cut after)."""
    spans = sentence_spans(text)
    if not spans:
        return "", False, False
    a, b = next((s for s in spans if at is not None and s[0] <= at < s[1]), spans[0])
    if b - a <= limit:
        return text[a:b], False, False
    centre = at if at is not None and a <= at < b else a
    lo = max(a, min(centre - limit // 3, b - limit))
    hi = min(b, lo + limit)
    if lo > a:
        nxt = text.find(" ", lo)
        lo = nxt + 1 if 0 <= nxt < hi else lo
    if hi < b:
        prv = text.rfind(" ", lo, hi)
        hi = prv if prv > lo else hi
    lo, hi = _trim(text, lo, hi)
    return text[lo:hi], lo > a, hi < b


def quote_parts(fragment: Fragment, at: int | None = None) -> list[Part]:
    """A quotation from ``fragment`` with its attribution: ``In <who>'s dream: “…”`` style parts."""
    quote, before, after = quote_around(fragment.text, at)
    if not quote:
        return []
    parts = [Part(kind="text", text=f"{_possessive(fragment.who)} dream: ")]
    if before:
        parts.append(Part(kind="text", text="…"))
    parts.append(Part(kind="quote", text=quote, dream_id=fragment.dream_id))
    if after:
        parts.append(Part(kind="text", text="…"))
    return parts


def _possessive(who: str) -> str:
    if who == "an anonymous dreamer":
        return "An anonymous dreamer's"
    if who == "you":
        return "Your"
    return f"{who}'" if who.endswith("s") else f"{who}'s"


def _motif_offset(fragment: Fragment, motif: str) -> int | None:
    pattern = _theme_patterns().get(motif)
    m = pattern.search(fragment.text) if pattern else None
    if m is None:
        m = re.search(rf"\b{re.escape(motif)}", fragment.text, re.IGNORECASE)
    return m.start() if m else None


_THEMES: dict[str, re.Pattern[str]] | None = None


def _theme_patterns() -> dict[str, re.Pattern[str]]:
    """The analysis engine's own motif themes as patterns, to find where a theme stands in a fragment.

    Accepts the themes as compiled patterns or as (words, phrases); anything else is searched as a word.
    """
    global _THEMES
    if _THEMES is None:
        _THEMES = {}
        try:
            from dream_mosaic.analysis.components.motifs import THEMES
        except ImportError:
            return _THEMES
        items = THEMES.items() if isinstance(THEMES, dict) else THEMES
        for name, spec in items:
            if isinstance(spec, re.Pattern):
                _THEMES[name] = spec
            elif isinstance(spec, tuple | list) and spec and all(isinstance(x, Iterable) for x in spec):
                terms = sorted({str(t) for group in spec for t in group}, key=len, reverse=True)
                if terms:
                    _THEMES[name] = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b",
                                               re.IGNORECASE)
    return _THEMES


def _join_quotes(intro: str, quoted: list[list[Part]]) -> list[Part]:
    parts = [Part(kind="text", text=intro)]
    for i, q in enumerate(quoted):
        if i:
            parts.append(Part(kind="text", text=" · "))
        parts.extend(q)
    return parts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def template_passages(ordered: Sequence[Fragment], groups: Sequence[MotifGroup],
                      runs: Sequence[Phase], top: Sequence[Resonance], source: str) -> list[Passage]:
    """Connecting text: counts the mosaic states in its own voice, and quotations of the dreams."""
    by_id = {f.dream_id: f for f in ordered}
    shown = {f.attribution.name for f in ordered if f.attribution.name}
    anonymous = sum(1 for f in ordered if not f.attribution.name)
    who = ", ".join(([f"{len(shown)} shown by name or alias"] if shown else [])
                    + ([f"{anonymous} anonymous"] if anonymous else [])) or "no dreamer yet"
    out = [Passage(parts=[Part(kind="text", text=f"This mosaic gathers {_plural(len(ordered), 'dream')} "
                                                f"from {source} ({who}).")])]
    for g in [g for g in groups if g.shared][:3]:
        quoted = [quote_parts(by_id[i], _motif_offset(by_id[i], g.motif)) for i in g.dream_ids[:MAX_QUOTES]]
        quoted = [q for q in quoted if q]
        out.append(Passage(parts=_join_quotes(f"“{g.motif}” returns in {_plural(g.count, 'dream')}. ", quoted),
                           cites=g.dream_ids[:MAX_QUOTES]))
    for run in runs:
        code = next((c for k, _t, c in PHASES if k == run.key), None)
        members = [by_id[i] for i in run.dream_ids]
        quoted = []
        cited = []
        for f in members[:MAX_QUOTES]:
            mark = next((e for e in f.analysis.emotions if e.code == code and e.spans), None)
            q = quote_parts(f, mark.spans[0][0] if mark else None)
            if q:
                quoted.append(q)
                cited.append(f.dream_id)
        feeling = f"the analysis found {EMOTION_NAMES[code]}" if code else "the analysis named no feeling"
        intro = f"{run.title}: in {_plural(len(members), 'dream')} {feeling}. "
        out.append(Passage(phase=run.key, parts=_join_quotes(intro, quoted), cites=cited))
    if top:
        best = by_id.get(top[0].dream_id)
        if best is not None:
            why = []
            if top[0].associations:
                why.append(_plural(top[0].associations, "association"))
            if top[0].taps:
                why.append(_plural(top[0].taps, "“this resonates” tap"))
            if top[0].shared_motifs:
                why.append("motifs shared with others (" + ", ".join(top[0].shared_motifs[:3]) + ")")
            out.append(Passage(parts=_join_quotes(f"What resonated most, by {' and '.join(why)}. ",
                                                  [quote_parts(best)]), cites=[best.dream_id]))
    return out


# --- the whole ------------------------------------------------------------------------------------


def compose(
    fragments: Sequence[Fragment],
    *,
    title: str,
    circle_id: str | None = None,
    circle_name: str | None = None,
    query: str | None = None,
    order: Sequence[str] | None = None,
    excluded: Iterable[str] = (),
    woven_at: datetime | None = None,
    notes: Sequence[str] = (),
) -> MosaicDocument:
    """Weave fragments (with their analysis summaries) into a mosaic document."""
    phased = [f.model_copy(update={"phase": phase_of(f.analysis) if f.analysis.available else "still"})
              for f in fragments]
    ordered = arrange(phased, order, excluded)
    groups = motif_groups(ordered)
    runs = phases(ordered)
    top = resonance(ordered)
    source = circle_name or (f"the archive selection “{query}”" if query else "this selection")
    all_notes = list(notes)
    if ordered and not any(f.analysis.available for f in ordered):
        all_notes.append("The analysis engine was not available: fragments are not grouped by emotion or motif.")
    return MosaicDocument(
        title=title,
        circle_id=circle_id,
        circle_name=circle_name,
        query=query,
        woven_at=woven_at or datetime.now(UTC),
        fragments=list(ordered),
        motifs=groups,
        arc=arc_steps(ordered),
        phases=runs,
        resonance=top,
        profile=hvdc_profile(ordered),
        passages=template_passages(ordered, groups, runs, top, source),
        notes=all_notes,
    )
