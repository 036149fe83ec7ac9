"""API benchmark: creating dreams with 50 concurrent clients against a real ``mosaic serve`` on SQLite."""
