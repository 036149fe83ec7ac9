"""Built-in analysis components; importing this package registers them."""

from . import characters, distress, emotions, fortunes, interactions, motifs, settings, valence

__all__ = ["characters", "distress", "emotions", "fortunes", "interactions", "motifs", "settings", "valence"]
