"""The archive's tables: one search document per dream, stable themes and research exports.

Analysis facts (emotions, characters, interactions) and embeddings are not copied here: the archive reads
them from the analysis engine's ``dream_analyses`` table.

The full-text index itself is dialect-specific and made by the migration, not by the ORM:
- SQLite: ``archive_fts``, an FTS5 table whose external content is ``archive_docs.body``, kept in step by
  triggers on ``archive_docs`` (so a cascade delete of a dream also leaves the index);
- PostgreSQL: ``archive_docs.tsv``, a stored generated ``tsvector`` with a GIN index, and a trigram GIN
  index over ``body`` for regular expressions when ``pg_trgm`` is available.
``archive_docs`` itself is kept in step with ``dreams`` by ``archive.tasks`` through ``core.events``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dream_mosaic.core.models import Base, new_id, utcnow


class ArchiveDoc(Base):
    """A dream as the archive indexes it. ``doc_id`` is the full-text rowid and the keyset cursor."""

    __tablename__ = "archive_docs"
    __table_args__ = (
        Index("ix_archive_docs_decade", "decade"),
        Index("ix_archive_docs_year", "year"),
        {"sqlite_autoincrement": True},
    )

    doc_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dream_id: Mapped[str] = mapped_column(ForeignKey("dreams.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text)  # title and text: exactly what the full-text index holds
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    decade: Mapped[int | None] = mapped_column(Integer, default=None)
    words: Mapped[int] = mapped_column(Integer, default=0)
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArchiveState(Base):
    """One row: ``generation`` moves on with every change to what the archive holds, so cached counts
    are never served after a dream was added, edited, re-consented or withdrawn."""

    __tablename__ = "archive_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class ArchiveChange(Base):
    """A search document whose text or visibility changed (or that went), written by database triggers
    (migration ``archive_0002``). ``archive.textindex`` treats these as not yet in its index: they are
    counted through SQL and the consent gate until applied, then their rows are deleted."""

    __tablename__ = "archive_changes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[int] = mapped_column(Integer)


class ArchiveFact(Base):
    """What the analysis found in a dream that search filters on and its plain columns do not say:
    ``character:<kind>`` (animal, creature, human, male, female, known, family, prominent, stranger, child,
    group) and ``interaction:physical``. Written from ``dream_analyses.analysis`` whenever the analysis
    engine stores one (``archive.tasks``), so a filter reads an index instead of matching JSON as text."""

    __tablename__ = "archive_facts"
    __table_args__ = (Index("ix_archive_facts_fact", "fact", "dream_id"),)

    dream_id: Mapped[str] = mapped_column(ForeignKey("dreams.id", ondelete="CASCADE"), primary_key=True)
    fact: Mapped[str] = mapped_column(String(40), primary_key=True)


class ArchiveTheme(Base):
    """A theme one person discovered in one selection (``scope``). ``number`` is its stable identity in
    that scope: a re-run matches new clusters to these by centroid similarity, and a new theme gets the
    next number. Themes hold no dream text: fragments are read through the consent gate when shown."""

    __tablename__ = "archive_themes"
    __table_args__ = (Index("ix_archive_themes_owner_scope", "owner_id", "scope"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(1000))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(255))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    keyword_weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    space: Mapped[str] = mapped_column(String(64))  # which vectors the centroid lives in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    runs: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArchiveThemeMember(Base):
    __tablename__ = "archive_theme_members"

    theme_id: Mapped[str] = mapped_column(ForeignKey("archive_themes.id", ondelete="CASCADE"), primary_key=True)
    doc_id: Mapped[int] = mapped_column(
        ForeignKey("archive_docs.doc_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float] = mapped_column(Float, default=0.0)


class ArchiveExport(Base):
    """A research export: who asked, for what, and where the file is. The file holds no dream ids."""

    __tablename__ = "archive_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(1000))
    format: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, done, failed, withdrawn
    rows: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str | None] = mapped_column(String(500), default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


__all__ = [
    "ArchiveChange", "ArchiveDoc", "ArchiveExport", "ArchiveFact", "ArchiveState", "ArchiveTheme", "ArchiveThemeMember",
]
