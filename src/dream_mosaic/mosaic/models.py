"""The mosaic's tables: drafts, published versions, which dreams each uses, and notices to participants.

A draft (``mosaics``) is mutable: the guide reorders and leaves out fragments, and it is re-woven when a
dream in it changes. Publishing copies the draft's document into ``mosaic_versions``, which is never
edited again, with one exception: a dream withdrawn by its dreamer is struck from every version that
holds it (the text is removed from the stored document, a note stands in its place).
``mosaic_dreams`` says which dreams each mosaic uses in any of its versions, so a withdrawal finds every
mosaic to mend with one indexed query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dream_mosaic.core.models import Base, new_id, utcnow


class Mosaic(Base):
    __tablename__ = "mosaics"
    __table_args__ = (Index("ix_mosaics_circle", "circle_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), default=None)
    query: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    title: Mapped[str] = mapped_column(String(200), default="")
    # The guide's review: dream ids in the chosen order, and the ones left out.
    order_ids: Mapped[list[str]] = mapped_column(default=list)
    excluded: Mapped[list[str]] = mapped_column(default=list)
    narrate: Mapped[bool] = mapped_column(Boolean, default=False)
    draft: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MosaicVersion(Base):
    __tablename__ = "mosaic_versions"

    mosaic_id: Mapped[str] = mapped_column(ForeignKey("mosaics.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    struck: Mapped[list[str]] = mapped_column(default=list)


class MosaicDream(Base):
    """Dream ``dream_id`` is (or was, until struck) a fragment of mosaic ``mosaic_id``. No foreign key to
    dreams: the row must outlive a deleted dream long enough for the withdrawal listener to find it."""

    __tablename__ = "mosaic_dreams"

    mosaic_id: Mapped[str] = mapped_column(ForeignKey("mosaics.id", ondelete="CASCADE"), primary_key=True)
    dream_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class MosaicNotice(Base):
    """Tells a circle's participant that a mosaic was published."""

    __tablename__ = "mosaic_notices"
    __table_args__ = (Index("ix_mosaic_notices_user", "user_id", "read"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mosaic_id: Mapped[str] = mapped_column(ForeignKey("mosaics.id", ondelete="CASCADE"))
    circle_id: Mapped[str | None] = mapped_column(String(32), default=None)
    version: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(300))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
