"""Every format a mosaic comes in, from one :class:`MosaicDocument`: HTML, Markdown, JSON and PDF."""

from __future__ import annotations

from dream_mosaic.mosaic.render.html import render_html
from dream_mosaic.mosaic.render.jsonout import render_json
from dream_mosaic.mosaic.render.markdown import render_markdown
from dream_mosaic.mosaic.schemas import MosaicDocument

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "pdf": "pdf"}


def render(doc: MosaicDocument, fmt: str) -> bytes:
    """The mosaic in ``fmt`` (html, md, json or pdf), as bytes ready to write or send."""
    if fmt == "html":
        return render_html(doc).encode("utf-8")
    if fmt == "md":
        return render_markdown(doc).encode("utf-8")
    if fmt == "json":
        return render_json(doc).encode("utf-8")
    if fmt == "pdf":
        from dream_mosaic.mosaic.render.pdf import render_pdf

        return render_pdf(doc)
    raise ValueError(f"unknown mosaic format {fmt!r}: use html, md, json or pdf")


__all__ = ["EXTENSIONS", "MEDIA_TYPES", "render", "render_html", "render_json", "render_markdown"]
