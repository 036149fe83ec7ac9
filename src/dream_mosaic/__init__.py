"""Dream Mosaic: share dreams together without losing anyone's individuality."""

__version__ = "0.1.0"
