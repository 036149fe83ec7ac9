"""The mosaic: a circle's dreams (or an archive selection) woven into one layered, attributed narrative.

``weave`` composes (pure), ``render`` draws every format, ``service`` gathers consented fragments, reviews,
publishes and mends mosaics when a dream is withdrawn (``tasks`` subscribes to the dream events).
"""
