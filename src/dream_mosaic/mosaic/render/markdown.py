"""Markdown. Fragment text is quoted as written; only ``&``, ``<`` and ``>`` are escaped, so a Markdown
viewer shows the dreamer's exact characters and never runs markup that a dream contains."""

from __future__ import annotations

from dream_mosaic.mosaic.schemas import MosaicDocument, Passage
from dream_mosaic.mosaic.weave import EMOTION_NAMES, PHASE_TITLE


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _esc(text).replace("|", "\\|").replace("\n", " ")


def _passage(p: Passage, num: dict[str, int]) -> str:
    words = "".join(f"“{_esc(part.text)}” [F{num.get(part.dream_id or '', 0)}]" if part.kind == "quote"
                    else _esc(part.text) for part in p.parts)
    if p.generated:
        cites = " ".join(f"[F{num.get(c, 0)}]" for c in p.cites)
        return f"*Generated:* {words} {cites}"
    return words


def render_markdown(doc: MosaicDocument) -> str:
    num = {f.dream_id: i for i, f in enumerate(doc.fragments, 1)}
    state = f"published, version {doc.version}" if doc.status == "published" else "draft"
    lines = [f"# {_esc(doc.title)}", "",
             f"*A Dream Mosaic ({state}), woven {doc.woven_at:%Y-%m-%d %H:%M} UTC, {len(doc.fragments)} "
             "fragments. Each dream is quoted exactly and attributed as its dreamer and the circle chose; the "
             "connecting words are the mosaic's own.*", "", "## The circle's layer", ""]
    lines += [f"> {_esc(n)}" for n in doc.notes] + ([""] if doc.notes else [])
    lines += [_passage(p, num) + "\n" for p in doc.passages]
    if doc.narration:
        lines += ["### Narration (generated)", "",
                  "*Written by a language model from the fragments it cites, not by any dreamer.*", ""]
        lines += [_passage(p, num) + "\n" for p in doc.narration]
    shared = [g for g in doc.motifs if g.shared]
    if shared:
        lines += ["### Shared motifs", ""]
        lines += [f"- **{_esc(g.motif)}**: {g.count} dreams ("
                  + ", ".join(f"F{num.get(i, 0)}" for i in g.dream_ids[:12]) + ")" for g in shared]
        lines.append("")
    if doc.arc:
        lines += ["### Emotional arc", ""]
        lines += [f"- {PHASE_TITLE[ph.key]}: " + ", ".join(f"F{num.get(i, 0)}" for i in ph.dream_ids[:20])
                  + (" …" if len(ph.dream_ids) > 20 else "") for ph in doc.phases]
        lines.append("")
    if doc.resonance:
        lines += ["### What resonated most", ""]
        lines += [f"{i}. F{num.get(r.dream_id, 0)}: {r.associations} associations"
                  + (f", shares {', '.join(_esc(m) for m in r.shared_motifs)}" if r.shared_motifs else "")
                  for i, r in enumerate(doc.resonance, 1)]
        lines.append("")
    if doc.profile:
        lines += ["### Hall & Van de Castle profile (automatic coding)", "",
                  "| indicator | this mosaic | norm, men | norm, women |", "|---|---|---|---|"]
        lines += [f"| {r.indicator.replace('_', ' ')} | {'—' if r.value is None else r.value} | "
                  f"{'—' if r.male_norm is None else r.male_norm} | "
                  f"{'—' if r.female_norm is None else r.female_norm} |" for r in doc.profile]
        lines.append("")
    lines += ["## Every dream, as it was told", ""]
    phase = None
    for i, f in enumerate(doc.fragments, 1):
        if f.struck:
            lines += [f"### F{i} · withdrawn", "", f"*{_esc(f.note or '')}*", ""]
            continue
        if f.phase != phase:
            lines += [f"## {PHASE_TITLE[f.phase]}", ""]
            phase = f.phase
        head = f"### F{i}" + (f" · {_esc(f.title)}" if f.title else "")
        who = _esc(f.attribution.name or "an anonymous dreamer")
        emotions = ", ".join(dict.fromkeys(EMOTION_NAMES[e.code] for e in f.analysis.emotions))
        lines += [head, "", f"*{who} ({f.attribution.attribution})"
                  + (f", {f.dreamt_on}" if f.dreamt_on else "") + (f" · {emotions}" if emotions else "") + "*", ""]
        lines += ["> " + _esc(line) if line else ">" for line in f.text.split("\n")]
        lines.append("")
        for a in f.associations:
            lines.append(f"- *{_esc(a.attribution.name or 'an anonymous member')}, if it were their dream:* "
                         f"{_esc(a.text)}")
        if f.associations:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
