"""Plain rules of the mosaic, without I/O: how consent changes mend a mosaic, and who reviews one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dream_mosaic.core.models import ATTRIBUTION_STRICTNESS
from dream_mosaic.core.models import Attribution as Mode
from dream_mosaic.mosaic.schemas import Attribution, Fragment, FragmentAnalysis, MosaicDocument
from dream_mosaic.mosaic.weave import compose

WITHDRAWN_NOTE = "This dream was withdrawn by its dreamer after the mosaic was published; its words are gone."
CHANGED_NOTE = ("This dream was changed by its dreamer after the mosaic was published; its published words "
                "are withheld until the guide publishes a new version.")


def struck_fragment(fragment: Fragment, note: str) -> Fragment:
    """The fragment with nothing of the dream left: no text, title, name, associations or analysis."""
    return Fragment(
        dream_id=fragment.dream_id, text="", title="", attribution=Attribution(attribution="withdrawn"),
        associations=[], analysis=FragmentAnalysis(available=False), phase="still", struck=True, note=note,
    )


def stricter(current: Attribution, new: Attribution) -> Attribution:
    """The stricter of two labels (anonymous beats alias beats named); ``self`` never enters a mosaic."""
    rank = {m.value: ATTRIBUTION_STRICTNESS[m] for m in Mode}
    return new if rank.get(new.attribution, 2) > rank.get(current.attribution, 2) else current


def mend(doc: MosaicDocument, struck: Mapping[str, str] | None = None,
         relabel: Mapping[str, Attribution] | None = None) -> MosaicDocument:
    """A published mosaic after its dreamers changed their minds, in the published order.

    ``struck`` maps dream ids to the note that replaces them: the fragment keeps its place, and its text,
    title, attribution, quotations and any generated sentence citing it are gone. ``relabel`` makes a
    dreamer's attribution stricter. The collective layer is recomposed from what is left.
    """
    struck = {k: v for k, v in (struck or {}).items() if any(f.dream_id == k and not f.struck for f in doc.fragments)}
    relabel = {k: v for k, v in (relabel or {}).items() if k not in struck}
    changed_labels = {k for k, v in relabel.items() if (f := doc.fragment(k)) is not None and not f.struck
                      and stricter(f.attribution, v) != f.attribution}
    if not struck and not changed_labels:
        return doc
    positions = [f.dream_id for f in doc.fragments]
    placeholders = {f.dream_id: f for f in doc.fragments if f.struck}
    live: list[Fragment] = []
    for f in doc.fragments:
        if f.struck:
            continue
        if f.dream_id in struck:
            placeholders[f.dream_id] = struck_fragment(f, struck[f.dream_id])
        elif f.dream_id in changed_labels:
            live.append(f.model_copy(update={"attribution": stricter(f.attribution, relabel[f.dream_id])}))
        else:
            live.append(f)
    again = compose(live, title=doc.title, circle_id=doc.circle_id, circle_name=doc.circle_name, query=doc.query,
                    order=[f.dream_id for f in live], woven_at=doc.woven_at,
                    notes=[n for n in doc.notes if "after publication" not in n])
    woven = {f.dream_id: f for f in again.fragments}
    fragments = [woven[i] if i in woven else placeholders[i] for i in positions]
    n_struck = sum(1 for f in fragments if f.struck)
    notes = list(again.notes)
    if n_struck:
        notes.append(f"{n_struck} fragment{'s' if n_struck != 1 else ''} withdrawn after publication; "
                     "the collective layer was recomposed without them.")
    dropped = set(struck) | set(placeholders) | changed_labels
    return again.model_copy(update={
        "fragments": fragments,
        "status": doc.status,
        "version": doc.version,
        "narration": [p for p in doc.narration if not set(p.cites) & dropped],
        "notes": notes,
    })


def present_draft(pool: MosaicDocument, order: Sequence[str], excluded: Sequence[str]) -> MosaicDocument:
    """The draft as the guide arranged it: recomposed from the woven pool, generated sentences that cite a
    left-out fragment dropped."""
    doc = compose(pool.fragments, title=pool.title, circle_id=pool.circle_id, circle_name=pool.circle_name,
                  query=pool.query, order=order, excluded=excluded, woven_at=pool.woven_at, notes=pool.notes)
    left_out = set(excluded)
    return doc.model_copy(update={"narration": [p for p in pool.narration if not set(p.cites) & left_out]})


def can_review(is_guide: bool, is_creator: bool, circle_id: str | None) -> bool:
    """Circle mosaics are reviewed by the circle's guides; archive mosaics by whoever wove them."""
    return is_guide if circle_id else is_creator
