"""Two inline SVG drawings: the motif map and the emotion river. Deterministic, no JavaScript.

Every label is escaped: motifs come from dream text.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations
from xml.sax.saxutils import escape

from dream_mosaic.mosaic.schemas import MosaicDocument
from dream_mosaic.mosaic.weave import EMOTION_CODES, EMOTION_NAMES

COLOURS = {"AN": "#c0392b", "AP": "#7d3c98", "SD": "#2e6fb5", "CO": "#c79a06", "HA": "#2e8b57"}
MAP_NODES = 14
RIVER_BINS = 60
LABELLED = 24  # up to this many fragments, each is labelled under the river


def motif_map(doc: MosaicDocument, width: int = 520, height: int = 340) -> str:
    """Shared motifs as circles on a ring (area by how many dreams hold them), joined where one dream
    holds both (stroke by how many)."""
    groups = [g for g in doc.motifs if g.shared][:MAP_NODES] or doc.motifs[: min(6, len(doc.motifs))]
    if not groups:
        return _empty(width, 80, "No motif was found in more than one dream yet.")
    cx, cy = width / 2, height / 2
    ring = min(width, height) / 2 - 60
    top = max(g.count for g in groups)
    pos = {}
    for i, g in enumerate(groups):
        angle = -math.pi / 2 + 2 * math.pi * i / len(groups)
        r = ring if len(groups) > 1 else 0
        pos[g.motif] = (cx + r * math.cos(angle), cy + r * math.sin(angle), 14 + 22 * math.sqrt(g.count / top))
    members = {g.motif: set(g.dream_ids) for g in groups}
    links: Counter[tuple[str, str]] = Counter()
    for a, b in combinations([g.motif for g in groups], 2):
        both = len(members[a] & members[b])
        if both:
            links[(a, b)] = both
    most = max(links.values(), default=1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="motif-map" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="motif-map-title">',
           '<title id="motif-map-title">Motif map: shared motifs, sized by how many dreams hold them, '
           'joined where one dream holds both</title>']
    for (a, b), n in sorted(links.items()):
        x1, y1, _ = pos[a]
        x2, y2, _ = pos[b]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#8a84b8" '
                   f'stroke-opacity="0.55" stroke-width="{1 + 5 * n / most:.1f}"/>')
    for g in groups:
        x, y, r = pos[g.motif]
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#4b3fb5" fill-opacity="0.18" '
                   f'stroke="#4b3fb5" stroke-width="1.5"><title>{escape(g.motif)}: {g.count} dreams</title></circle>')
        out.append(f'<text x="{x:.1f}" y="{y + r + 15:.1f}" text-anchor="middle" font-size="15" '
                   f'font-family="sans-serif" fill="#1d1b2f">{escape(g.motif)}</text>'
                   f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" font-weight="bold" '
                   f'font-family="sans-serif" fill="#4b3fb5">{g.count}</text>')
    out.append("</svg>")
    return "".join(out)


def emotion_river(doc: MosaicDocument, width: int = 640, height: int = 220) -> str:
    """The emotion classes found along the arc, as streams stacked around a centre line, left to right in
    the order the fragments are presented (binned when there are many), with valence as a dashed line."""
    steps = [s for s in doc.arc]
    if not steps:
        return _empty(width, 80, "No fragments to draw.")
    n_bins = min(RIVER_BINS, len(steps))
    bins: list[dict[str, float]] = [dict.fromkeys(EMOTION_CODES, 0.0) for _ in range(n_bins)]
    valence = [0.0] * n_bins
    sizes = [0] * n_bins
    for i, s in enumerate(steps):
        b = i * n_bins // len(steps)
        sizes[b] += 1
        valence[b] += s.valence
        for code, c in s.emotions.items():
            bins[b][code] += c
    for b in range(n_bins):
        if sizes[b]:
            valence[b] /= sizes[b]
            for code in EMOTION_CODES:
                bins[b][code] /= sizes[b]
    totals = [sum(b.values()) for b in bins]
    peak = max(totals) or 1.0
    pad_top, pad_bottom, pad_x = 16, 52 if n_bins <= LABELLED else 40, 12
    inner_h = height - pad_top - pad_bottom
    mid = pad_top + inner_h / 2
    scale = inner_h / peak * 0.95
    slot = (width - 2 * pad_x) / n_bins
    # Each fragment (or bin) is a calm stretch of river; the water turns between stretches.
    inset = 0.18 if n_bins <= LABELLED else 0.5
    xs: list[float] = []
    for b in range(n_bins):
        xs += [pad_x + slot * (b + inset), pad_x + slot * (b + 1 - inset)]
    bins = [b for b in bins for _ in (0, 1)]
    totals = [t for t in totals for _ in (0, 1)]
    valence = [v for v in valence for _ in (0, 1)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="emotion-river" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="river-title">',
           '<title id="river-title">Emotion river: the emotion classes found in each dream, in the order '
           'the mosaic presents them</title>']
    base = [mid - t * scale / 2 for t in totals]
    for code in EMOTION_CODES:
        top = base
        bottom = [y + b[code] * scale for y, b in zip(base, bins, strict=True)]
        if any(b[code] for b in bins):
            pts = [f"{x:.1f},{y:.1f}" for x, y in zip(xs, top, strict=True)]
            pts += [f"{x:.1f},{y:.1f}" for x, y in reversed(list(zip(xs, bottom, strict=True)))]
            out.append(f'<polygon points="{" ".join(pts)}" fill="{COLOURS[code]}" fill-opacity="0.75">'
                       f'<title>{EMOTION_NAMES[code]}</title></polygon>')
        base = bottom
    vpts = " ".join(f"{x:.1f},{mid - v * inner_h / 2:.1f}" for x, v in zip(xs, valence, strict=True))
    out.append(f'<polyline points="{vpts}" fill="none" stroke="#1d1b2f" stroke-dasharray="4 3" '
               'stroke-width="1.2"><title>valence (up is pleasant)</title></polyline>')
    if n_bins <= LABELLED:  # one bin per fragment: number it as the fragments below are numbered
        number = {f.dream_id: i for i, f in enumerate(doc.fragments, 1)}
        for b, step in enumerate(steps):
            label = f"F{number.get(step.dream_id, b + 1)}"
            out.append(f'<text x="{pad_x + slot * (b + 0.5):.1f}" y="{height - 32}" text-anchor="middle" '
                       f'font-size="11" font-family="sans-serif" fill="#5b5875">{label}</text>')
    lx = pad_x
    for code in EMOTION_CODES:
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="{COLOURS[code]}"/>'
                   f'<text x="{lx + 16}" y="{height - 12}" font-size="12" font-family="sans-serif" '
                   f'fill="#1d1b2f">{EMOTION_NAMES[code]}</text>')
        lx += 110
    out.append(f'<text x="{lx}" y="{height - 12}" font-size="12" font-family="sans-serif" fill="#1d1b2f">'
               '- - valence</text></svg>')
    return "".join(out)


def _empty(width: int, height: int, message: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img"><text x="12" y="{height / 2:.0f}" font-size="13" '
            f'font-family="sans-serif" fill="#5b5875">{escape(message)}</text></svg>')
