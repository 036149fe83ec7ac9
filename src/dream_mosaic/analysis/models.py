"""The stored analysis of each dream: table ``dream_analyses``, one row per dream.

The full analysis is kept as JSON (``analysis``); the facts other features filter and count on are copied
into plain columns (an emotion present per HVdC class, character and interaction counts, valence), so the
archive can filter with an indexed WHERE instead of parsing JSON. The embedding is float32 bytes.

A row is keyed by its dream and records what produced it (``text_hash``, component ``versions``,
``embedding_model``): a job that finds all three current does nothing, so running a job twice is harmless,
and a new component version re-runs only that component. Deleting a dream deletes its row (ON DELETE
CASCADE), so a withdrawn dream leaves no analysis behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from dream_mosaic.core.models import AnalysisStatus, Base, utcnow

EMOTION_COLUMNS = {"AN": "emo_an", "AP": "emo_ap", "SD": "emo_sd", "CO": "emo_co", "HA": "emo_ha"}


class AnalysisRecord(Base):
    __tablename__ = "dream_analyses"
    __table_args__ = (
        Index("ix_dream_analyses_status", "status"),
        Index("ix_dream_analyses_valence", "valence"),
    )

    dream_id: Mapped[str] = mapped_column(ForeignKey("dreams.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=AnalysisStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)

    # What produced the stored result: the analysed text, each component's version, the embedding model.
    text_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    embedding_model: Mapped[str | None] = mapped_column(String(120), default=None)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    # Columns to filter and count on (the archive, the mosaic, indicators).
    valence: Mapped[float | None] = mapped_column(Float, default=None)
    emo_an: Mapped[bool] = mapped_column(Boolean, default=False)
    emo_ap: Mapped[bool] = mapped_column(Boolean, default=False)
    emo_sd: Mapped[bool] = mapped_column(Boolean, default=False)
    emo_co: Mapped[bool] = mapped_column(Boolean, default=False)
    emo_ha: Mapped[bool] = mapped_column(Boolean, default=False)
    dreamer_present: Mapped[bool] = mapped_column(Boolean, default=False)
    n_characters: Mapped[int] = mapped_column(Integer, default=0)
    n_aggression: Mapped[int] = mapped_column(Integer, default=0)
    n_friendliness: Mapped[int] = mapped_column(Integer, default=0)
    n_sexuality: Mapped[int] = mapped_column(Integer, default=0)
    # How many distress signals: for guides, through the circles feature only. Never shown to others.
    n_distress: Mapped[int] = mapped_column(Integer, default=0)

    embedding: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, default=None))

    analysed_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def vector(self) -> np.ndarray | None:
        """The embedding as a float32 vector, or None if none is stored."""
        if self.embedding is None:
            return None
        return np.frombuffer(self.embedding, dtype=np.float32)


class DreamerCast(Base):
    """The names a dreamer has said who they are (``analysis.cast``), one row per dreamer: private to the
    dreamer, read only to analyse their own dreams, deleted with them."""

    __tablename__ = "dreamer_casts"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    people: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name as written -> relation as said
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
