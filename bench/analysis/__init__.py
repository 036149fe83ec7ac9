"""Analysis benchmark: the whole DreamBank file through the full analysis pipeline (see run.py)."""
