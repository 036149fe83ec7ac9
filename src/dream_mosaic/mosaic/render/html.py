"""The printable HTML page, and the context the web page shares with it."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from dream_mosaic import __version__
from dream_mosaic.mosaic.render.svg import emotion_river, motif_map
from dream_mosaic.mosaic.schemas import MosaicDocument
from dream_mosaic.mosaic.weave import EMOTION_NAMES, PHASE_TITLE


def body_context(doc: MosaicDocument) -> dict[str, Any]:
    """What ``mosaic/_body.html`` needs. The SVG is built here with every label escaped."""
    return {
        "doc": doc,
        "motif_svg": Markup(motif_map(doc)),
        "river_svg": Markup(emotion_river(doc)),
        "phase_titles": PHASE_TITLE,
        "emotion_names": EMOTION_NAMES,
        "version": __version__,
    }


def render_html(doc: MosaicDocument) -> str:
    from dream_mosaic.core.pages import templates

    return templates.env.get_template("mosaic/export.html").render(**body_context(doc))
