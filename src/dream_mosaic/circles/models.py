"""Tables of live circle sessions: the session itself, contributions (dreams offered, associations,
reflections), resonance taps and admissions (seats and the waitlist).

A contribution is written here, and committed, before anyone is told about it: the database is the record
of what was acknowledged, the live hub only carries news of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dream_mosaic.core.models import Base, User, new_id, utcnow


class CircleSession(Base):
    """One gathering of a circle, moved through its phases by a guide."""

    __tablename__ = "circle_sessions"
    __table_args__ = (Index("ix_circle_sessions_circle_open", "circle_id", "closed_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    circle_id: Mapped[str] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    # [{"name", "label", "allows": [...], "minutes": int | None}], copied from the circle when opened.
    phases: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    phase: Mapped[str] = mapped_column(String(32), default="gathering")
    phase_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    phase_elapsed: Mapped[float] = mapped_column(default=0.0)  # seconds run before the last pause
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    moderation: Mapped[str] = mapped_column(String(16), default="permissive")  # or "strict"
    hold_until_reveal: Mapped[bool] = mapped_column(Boolean, default=False)
    admission: Mapped[str] = mapped_column(String(16), default="waitlist")  # or "lottery"
    capacity: Mapped[int] = mapped_column(Integer, default=12)
    max_waiting: Mapped[int] = mapped_column(Integer, default=500)
    min_group: Mapped[int] = mapped_column(Integer, default=3)  # k: aggregates need k people present
    draws: Mapped[int] = mapped_column(Integer, default=0)  # lottery draws so far (seeds the next)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Contribution(Base):
    """Something said in a session: a dream (offered from the journal or written on the spot), an
    association to another contribution ("if this were my dream…"), or a reflection."""

    __tablename__ = "circle_contributions"
    __table_args__ = (
        UniqueConstraint("session_id", "author_id", "client_id", name="uq_circle_contributions_client"),
        Index("ix_circle_contributions_session_status", "session_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("circle_sessions.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The client's own id for this contribution: a resend after a lost connection is not a second one.
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="dream")  # dream, association, reflection
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("circle_contributions.id", ondelete="CASCADE"), default=None
    )
    # Offered from the journal: withdrawing the dream there withdraws it here too.
    dream_id: Mapped[str | None] = mapped_column(ForeignKey("dreams.id", ondelete="CASCADE"), default=None)
    text: Mapped[str] = mapped_column(Text)
    attribution: Mapped[str] = mapped_column(String(16))
    # screening → visible | pending (strict) | hidden (until revealed) | held (distress) ; removed
    status: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(32))
    emotions: Mapped[list[str]] = mapped_column(default=list)
    motifs: Mapped[list[str]] = mapped_column(default=list)
    distress: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # guides only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[User] = relationship(lazy="joined")


class ResonanceTap(Base):
    """One person's "this resonates with me" on one contribution; who tapped is never shown."""

    __tablename__ = "circle_taps"

    contribution_id: Mapped[str] = mapped_column(
        ForeignKey("circle_contributions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("circle_sessions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Admission(Base):
    """A person's seat in a session, or their place on its waitlist. Kept across reconnections."""

    __tablename__ = "circle_admissions"
    __table_args__ = (Index("ix_circle_admissions_session_state", "session_id", "state", "ticket"),)

    session_id: Mapped[str] = mapped_column(
        ForeignKey("circle_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # admitted, waiting, left
    ticket: Mapped[int] = mapped_column(Integer)  # order of arrival
    first_timer: Mapped[bool] = mapped_column(Boolean, default=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    admitted_at: Mapped[datetime | None] = mapped_column(default=None)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
