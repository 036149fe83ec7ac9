"""Plain rules of the journal, without I/O."""

from __future__ import annotations

import hashlib
from datetime import date


def content_hash(text: str, dreamt_on: date | None, collection: str | None = None) -> str:
    """The identity of a dream for de-duplication: same words, same night, same series."""
    # Same result as collapsing ``\s+`` and stripping (str.split and re's \s agree on every code point),
    # several times faster: this runs once per imported dream.
    normalised = " ".join(text.split()).lower()
    key = f"{collection or ''}\x1f{dreamt_on.isoformat() if dreamt_on else ''}\x1f{normalised}"
    return hashlib.sha256(key.encode()).hexdigest()


def request_fingerprint(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()
