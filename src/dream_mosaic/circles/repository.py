"""Every circle query."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
