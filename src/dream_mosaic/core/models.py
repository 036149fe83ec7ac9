"""The tables the consent gate must see: people, dreams, collections, circles and their members.

Feature-specific tables live in each feature's ``models.py`` on the same ``Base``.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """Random, unguessable identifiers: knowing one id tells nothing about another."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: DateTime(timezone=True)}


class Role(StrEnum):
    dreamer = "dreamer"
    guide = "guide"
    guardian = "guardian"
    archivist = "archivist"
    admin = "admin"


class Visibility(StrEnum):
    """Who may read a dream, from narrowest to widest. Each level includes the ones before it for the
    dreamer's own circles: a community dream is readable in circles too; research adds anonymised export."""

    private = "private"
    circle = "circle"
    community = "community"
    research = "research"


class Attribution(StrEnum):
    named = "named"
    alias = "alias"
    anonymous = "anonymous"


ATTRIBUTION_STRICTNESS = {Attribution.named: 0, Attribution.alias: 1, Attribution.anonymous: 2}


class AnalysisStatus(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    alias: Mapped[str] = mapped_column(String(120), default=lambda: f"dreamer-{secrets.token_hex(3)}")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.dreamer.value)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthToken(Base):
    """A sign-in: a browser session cookie or an API bearer token. Only a hash of the secret is kept."""

    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "session" or "api"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined")


class Collection(Base):
    """A named series of dreams, such as a DreamBank series or an imported journal."""

    __tablename__ = "collections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    dreamer_sex: Mapped[str | None] = mapped_column(String(32), default=None)
    timeframe: Mapped[str | None] = mapped_column(String(120), default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dream(Base):
    __tablename__ = "dreams"
    __table_args__ = (
        Index("ix_dreams_owner_dreamt", "owner_id", "dreamt_on"),
        Index("ix_dreams_visibility", "visibility"),
        UniqueConstraint("owner_id", "content_hash", name="uq_dreams_owner_content"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    collection_id: Mapped[str | None] = mapped_column(
        ForeignKey("collections.id", ondelete="SET NULL"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    dreamt_on: Mapped[date | None] = mapped_column(Date, default=None)
    tags: Mapped[list[str]] = mapped_column(default=list)
    lucid: Mapped[bool] = mapped_column(Boolean, default=False)
    nightmare: Mapped[bool] = mapped_column(Boolean, default=False)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    mood: Mapped[int | None] = mapped_column(Integer, default=None)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.private.value)
    attribution: Mapped[str] = mapped_column(String(16), default=Attribution.anonymous.value)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    # Facts about the dreamer that research filters on (imported series carry them).
    dreamer_sex: Mapped[str | None] = mapped_column(String(16), default=None)
    dreamer_age: Mapped[str | None] = mapped_column(String(32), default=None)
    source_ref: Mapped[str | None] = mapped_column(String(255), default=None)
    # sha256 of the normalised text and night: an import never makes a duplicate.
    content_hash: Mapped[str] = mapped_column(String(64))
    analysis_status: Mapped[str] = mapped_column(String(16), default=AnalysisStatus.pending.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")
    collection: Mapped[Collection | None] = relationship(lazy="joined")
    circle_links: Mapped[list[DreamCircle]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="dream"
    )

    @property
    def circle_ids(self) -> list[str]:
        return [link.circle_id for link in self.circle_links]


class Circle(Base):
    __tablename__ = "circles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    attribution_mode: Mapped[str] = mapped_column(String(16), default=Attribution.alias.value)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[CircleMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="circle"
    )


class CircleMember(Base):
    __tablename__ = "circle_members"

    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")  # "guide" or "participant"
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle: Mapped[Circle] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class DreamCircle(Base):
    """A dream shared into a circle by its dreamer."""

    __tablename__ = "dream_circles"

    dream_id: Mapped[str] = mapped_column(ForeignKey("dreams.id", ondelete="CASCADE"), primary_key=True)
    circle_id: Mapped[str] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)

    dream: Mapped[Dream] = relationship(back_populates="circle_links")


class IdempotencyKey(Base):
    """Remembers the answer to a create that carried an ``Idempotency-Key``, so a retry gets the same."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One line of the tamper-evident audit log: each entry's hash covers the previous entry's hash."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(32), default=None)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork in the chain cannot commit
    hash: Mapped[str] = mapped_column(String(64), unique=True)
