"""Every circle query."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.orm import Session

from dream_mosaic.circles.models import Admission, CircleSession, Contribution, ResonanceTap
from dream_mosaic.circles.rules import REMOVED, VISIBLE
from dream_mosaic.core.models import Circle, CircleMember, User


class CircleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Circle]:
        return list(self.session.scalars(select(Circle).order_by(Circle.created_at.desc())))

    def get(self, circle_id: str) -> Circle | None:
        return self.session.get(Circle, circle_id)

    def membership(self, circle_id: str, user_id: str) -> CircleMember | None:
        return self.session.get(CircleMember, (circle_id, user_id))

    def user_by_name(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username.strip().lower()))

    def circles_of(self, user: User) -> list[Circle]:
        stmt = (
            select(Circle)
            .join(CircleMember, CircleMember.circle_id == Circle.id)
            .where(CircleMember.user_id == user.id)
            .order_by(Circle.name)
        )
        return list(self.session.scalars(stmt))


class SessionRepository:
    """Every query of live sessions: the session, its contributions, taps and admissions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, session_id: str, *, lock: bool = False) -> CircleSession | None:
        stmt = select(CircleSession).where(CircleSession.id == session_id)
        if lock:
            stmt = stmt.with_for_update()  # PostgreSQL serialises seat changes on the session row
        return self.session.scalar(stmt)

    def open_for(self, circle_id: str) -> CircleSession | None:
        return self.session.scalar(
            select(CircleSession)
            .where(CircleSession.circle_id == circle_id, CircleSession.closed_at.is_(None))
            .order_by(CircleSession.created_at.desc())
        )

    def latest_for(self, circle_id: str) -> CircleSession | None:
        return self.session.scalar(
            select(CircleSession).where(CircleSession.circle_id == circle_id)
            .order_by(CircleSession.created_at.desc()).limit(1)
        )

    # contributions

    def contribution(self, session_id: str, contribution_id: str) -> Contribution | None:
        c = self.session.get(Contribution, contribution_id)
        return c if c is not None and c.session_id == session_id else None

    def by_client_id(self, session_id: str, author_id: str, client_id: str) -> Contribution | None:
        return self.session.scalar(select(Contribution).where(
            Contribution.session_id == session_id, Contribution.author_id == author_id,
            Contribution.client_id == client_id))

    def offers_of(self, dream_ids: list[str]) -> list[tuple[Contribution, str]]:
        """Contributions that offered these journal dreams and still stand, with their circle."""
        if not dream_ids:
            return []
        return [(c, circle_id) for c, circle_id in self.session.execute(
            select(Contribution, CircleSession.circle_id)
            .join(CircleSession, CircleSession.id == Contribution.session_id)
            .where(Contribution.dream_id.in_(dream_ids), Contribution.status != REMOVED))]

    def readable_contributions(self, session_id: str, viewer_id: str, *, everything: bool,
                               limit: int = 200) -> list[Contribution]:
        """The latest contributions ``viewer`` may see: visible ones and their own, or (guides) all but
        removed ones."""
        stmt = select(Contribution).where(Contribution.session_id == session_id)
        if everything:
            stmt = stmt.where(Contribution.status != REMOVED)
        else:
            stmt = stmt.where(or_(Contribution.status == VISIBLE,
                                  and_(Contribution.author_id == viewer_id, Contribution.status != REMOVED)))
        rows = self.session.scalars(stmt.order_by(Contribution.created_at.desc()).limit(limit))
        return list(reversed(list(rows)))

    def visible_facts(self, session_id: str) -> list[tuple[Any, ...]]:
        return list(self.session.execute(
            select(Contribution.id, Contribution.kind, Contribution.author_id, Contribution.created_at,
                   Contribution.emotions, Contribution.motifs, func.substr(Contribution.text, 1, 90))
            .where(Contribution.session_id == session_id, Contribution.status == VISIBLE)
        ))

    def tap_counts(self, session_id: str) -> dict[str, int]:
        rows = self.session.execute(
            select(ResonanceTap.contribution_id, func.count())
            .where(ResonanceTap.session_id == session_id).group_by(ResonanceTap.contribution_id)
        )
        return {cid: int(n) for cid, n in rows}

    def tapped_by(self, session_id: str, user_id: str) -> list[str]:
        return list(self.session.scalars(select(ResonanceTap.contribution_id).where(
            ResonanceTap.session_id == session_id, ResonanceTap.user_id == user_id)))

    def tap_context(self, session_id: str, user_id: str, contribution_id: str) -> Any | None:
        """What a tap needs to know, in one round trip and without loading objects: the session's phase
        and flags, the tapper's seat and role, and the fragment's status (None where there is none)."""
        return self.session.execute(
            select(CircleSession.phases, CircleSession.phase, CircleSession.paused, CircleSession.locked,
                   select(Admission.state).where(Admission.session_id == session_id,
                                                 Admission.user_id == user_id).scalar_subquery().label("seat"),
                   select(CircleMember.role).where(CircleMember.circle_id == CircleSession.circle_id,
                                                   CircleMember.user_id == user_id).scalar_subquery().label("role"),
                   select(User.role).where(User.id == user_id).scalar_subquery().label("user_role"),
                   select(Contribution.status).where(Contribution.id == contribution_id,
                                                     Contribution.session_id == session_id)
                   .scalar_subquery().label("status"))
            .where(CircleSession.id == session_id)
        ).one_or_none()

    def add_tap(self, session_id: str, user_id: str, contribution_id: str, at: datetime) -> bool:
        """Record a tap unless this person already tapped this fragment; True if it is new."""
        table = cast(Table, ResonanceTap.__table__)
        values = {"contribution_id": contribution_id, "user_id": user_id, "session_id": session_id,
                  "created_at": at}
        if self.session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt: Any = pg_insert(table).values(values).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table).values(values).on_conflict_do_nothing()
        # RETURNING, not rowcount (which the session reports as -1 on PostgreSQL): no row on a conflict
        return self.session.execute(stmt.returning(table.c.user_id)).first() is not None

    def has_tapped(self, contribution_id: str, user_id: str) -> bool:
        return self.session.get(ResonanceTap, (contribution_id, user_id)) is not None

    # admissions

    def admission(self, session_id: str, user_id: str) -> Admission | None:
        return self.session.get(Admission, (session_id, user_id))

    def count(self, session_id: str, state: str) -> int:
        return self.session.scalar(select(func.count()).select_from(Admission).where(
            Admission.session_id == session_id, Admission.state == state)) or 0

    def next_ticket(self, session_id: str) -> int:
        top = self.session.scalar(select(func.max(Admission.ticket)).where(Admission.session_id == session_id))
        return (top or 0) + 1

    def waiting(self, session_id: str) -> list[tuple[str, int, bool]]:
        return [tuple(r) for r in self.session.execute(  # type: ignore[misc]
            select(Admission.user_id, Admission.ticket, Admission.first_timer)
            .where(Admission.session_id == session_id, Admission.state == "waiting")
            .order_by(Admission.ticket)
        )]

    def been_seated_before(self, circle_id: str, user_id: str, except_session: str) -> bool:
        return (self.session.scalar(
            select(func.count()).select_from(Admission)
            .join(CircleSession, CircleSession.id == Admission.session_id)
            .where(CircleSession.circle_id == circle_id, Admission.user_id == user_id,
                   Admission.session_id != except_session, Admission.admitted_at.is_not(None))
        ) or 0) > 0

    def stale(self, session_id: str, state: str, before: datetime) -> list[Admission]:
        return list(self.session.scalars(select(Admission).where(
            Admission.session_id == session_id, Admission.state == state, Admission.seen_at < before)))

    def touch(self, session_id: str, user_ids: list[str], at: datetime) -> None:
        for i in range(0, len(user_ids), 500):
            self.session.execute(update(Admission).where(
                Admission.session_id == session_id, Admission.user_id.in_(user_ids[i:i + 500]),
                Admission.state != "left").values(seen_at=at))
