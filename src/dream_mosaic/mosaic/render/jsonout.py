"""JSON: the document as stored. ``fragments`` each have ``dream_id``, exact ``text`` and ``attribution``;
the collective layer has ``motifs`` and ``arc``."""

from __future__ import annotations

from dream_mosaic.mosaic.schemas import MosaicDocument


def render_json(doc: MosaicDocument) -> str:
    return doc.model_dump_json(indent=2)
