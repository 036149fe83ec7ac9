"""PDF through fpdf2 (pure Python, offline). The drawings are the same SVG as the HTML page.

Dream text needs a Unicode font: DejaVu or Liberation from the system (Debian's fonts-dejavu-core comes
with Chromium). Without one the PDF falls back to a core font and says, on its first page, that
characters outside Latin-1 are shown as "?" there (the HTML, Markdown and JSON forms stay exact).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from fpdf import FPDF

from dream_mosaic.mosaic.render.svg import emotion_river, motif_map
from dream_mosaic.mosaic.schemas import MosaicDocument, Passage
from dream_mosaic.mosaic.weave import EMOTION_NAMES, PHASE_TITLE

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
FONTS = [
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf"),
]


def _unicode_font(pdf: FPDF) -> str | None:
    for folder in FONT_DIRS:
        for regular, bold, italic in FONTS:
            if (folder / regular).exists():
                pdf.add_font("Body", "", str(folder / regular))
                pdf.add_font("Body", "B", str(folder / bold if (folder / bold).exists() else folder / regular))
                pdf.add_font("Body", "I", str(folder / italic if (folder / italic).exists() else folder / regular))
                return "Body"
    return None


class _Doc(FPDF):
    body_font = "Helvetica"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_font, "I", 8)
        self.set_text_color(120, 115, 150)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def render_pdf(doc: MosaicDocument) -> bytes:
    pdf = _Doc(format="A4")
    pdf.set_title(doc.title)
    pdf.set_creator("Dream Mosaic")
    font = _unicode_font(pdf)
    exact = font is not None
    pdf.body_font = font or "Helvetica"
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    def t(text: str) -> str:
        return text if exact else text.encode("latin-1", "replace").decode("latin-1")

    def para(text: str, size: float = 11, style: str = "", colour: tuple[int, int, int] = (29, 27, 47),
             height: float = 5.6) -> None:
        pdf.set_font(pdf.body_font, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(0, height, t(text), align="L", new_x="LMARGIN", new_y="NEXT")

    num = {f.dream_id: i for i, f in enumerate(doc.fragments, 1)}

    def passage(p: Passage) -> str:
        words = "".join(f"“{part.text}” [F{num.get(part.dream_id or '', 0)}]" if part.kind == "quote"
                        else part.text for part in p.parts)
        return words + ("".join(f" [F{num.get(c, 0)}]" for c in p.cites) if p.generated else "")

    para(doc.title, 20, "B", height=9)
    state = f"Published mosaic, version {doc.version}" if doc.status == "published" else "Draft mosaic"
    para(f"{state} · woven {doc.woven_at:%Y-%m-%d %H:%M} UTC · {len(doc.fragments)} fragments. Each dream is "
         "quoted exactly and attributed as its dreamer and the circle chose; the connecting words are the "
         "mosaic's own.", 9, "I", (91, 88, 117), 4.6)
    if not exact:
        para("No Unicode font was found on this machine: characters outside Latin-1 show as '?' in this PDF.",
             9, "I", (154, 43, 43))
    pdf.ln(3)
    para("The circle's layer", 15, "B", height=8)
    for n in doc.notes:
        para(n, 9, "I", (91, 88, 117), 4.6)
    for svg, width in ((motif_map(doc), 105), (emotion_river(doc), 170)):
        try:
            plain = re.sub(r"<title[^>]*>.*?</title>", "", svg)  # fpdf2 warns on tooltips it cannot use
            pdf.image(io.BytesIO(plain.encode("utf-8")), w=width, x=(pdf.w - width) / 2)
        except Exception:  # a drawing the PDF library cannot read must not cost the whole PDF
            para("(drawing not available in the PDF; see the HTML form)", 9, "I", (91, 88, 117))
        pdf.ln(2)
    for p in doc.passages:
        para(passage(p))
        pdf.ln(1.5)
    if doc.narration:
        para("Generated narration: written by a language model from the fragments it cites, not by any dreamer.",
             9, "I", (138, 106, 0))
        for p in doc.narration:
            para("Generated: " + passage(p), 10.5, "I", (80, 64, 0))
    if doc.profile:
        pdf.ln(2)
        para("Hall & Van de Castle profile (automatic coding; norms: men / women)", 12, "B", height=7)
        for r in doc.profile:
            value = "—" if r.value is None else f"{r.value:g}"
            norms = " / ".join("—" if v is None else f"{v:g}" for v in (r.male_norm, r.female_norm))
            para(f"{r.indicator.replace('_', ' ')}: {value}   (norms {norms})", 9, height=4.6)
    pdf.ln(3)
    para("Every dream, as it was told", 15, "B", height=8)
    phase = None
    for i, f in enumerate(doc.fragments, 1):
        if f.struck:
            para(f"F{i} · withdrawn", 11, "B")
            para(f.note or "", 10, "I", (154, 43, 43))
            pdf.ln(2)
            continue
        if f.phase != phase:
            pdf.ln(2)
            para(PHASE_TITLE[f.phase], 13, "B", (75, 63, 181), 7)
            phase = f.phase
        emotions = ", ".join(dict.fromkeys(EMOTION_NAMES[e.code] for e in f.analysis.emotions))
        para(f"F{i}" + (f" · {f.title}" if f.title else ""), 11, "B")
        para(f"{f.attribution.name or 'an anonymous dreamer'} ({f.attribution.attribution})"
             + (f", {f.dreamt_on}" if f.dreamt_on else "") + (f" · {emotions}" if emotions else ""),
             9, "I", (91, 88, 117), 4.6)
        para(f.text)
        for a in f.associations:
            para(f"{a.attribution.name or 'an anonymous member'}, if it were their dream: {a.text}", 9.5, "I")
        pdf.ln(2)
    return bytes(pdf.output())
