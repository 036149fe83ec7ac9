"""Circle rules: who may create, change and join circles."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dream_mosaic.circles.repository import CircleRepository
from dream_mosaic.circles.schemas import CircleCreate, CircleOut, CircleUpdate, MemberOut
from dream_mosaic.core.errors import Forbidden, Invalid, NotFound
from dream_mosaic.core.models import Circle, CircleMember, User

GUIDING_ROLES = {"guide", "admin"}


def present(circle: Circle, viewer: User | None) -> CircleOut:
    mine = next((m for m in circle.members if viewer and m.user_id == viewer.id), None)
    return CircleOut(
        id=circle.id,
        name=circle.name,
        purpose=circle.purpose,
        capacity=circle.capacity,
        attribution_mode=circle.attribution_mode,
        member_count=len(circle.members),
        guides=[m.user.display_name for m in circle.members if m.role == "guide"],
        is_member=mine is not None,
        my_role=mine.role if mine else None,
        created_at=circle.created_at,
    )


def get_circle(session: Session, circle_id: str) -> Circle:
    circle = CircleRepository(session).get(circle_id)
    if circle is None:
        raise NotFound("No circle with that id.")
    return circle


def is_guide(circle: Circle, user: User) -> bool:
    return user.role == "admin" or any(m.user_id == user.id and m.role == "guide" for m in circle.members)


def create_circle(session: Session, creator: User, data: CircleCreate) -> Circle:
    if creator.role not in GUIDING_ROLES:
        raise Forbidden("Only guides can open a circle.")
    circle = Circle(
        name=data.name, purpose=data.purpose, capacity=data.capacity,
        attribution_mode=data.attribution_mode, created_by=creator.id,
    )
    circle.members = [CircleMember(user_id=creator.id, role="guide")]
    session.add(circle)
    session.flush()
    return circle


def update_circle(session: Session, user: User, circle_id: str, data: CircleUpdate) -> Circle:
    circle = get_circle(session, circle_id)
    if not is_guide(circle, user):
        raise Forbidden("Only this circle's guides can change it.")
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(circle, field, value)
    session.flush()
    return circle


def join(session: Session, user: User, circle_id: str) -> Circle:
    """Become a member. Membership is open; ``capacity`` is the number of seats in a live session, and
    beyond it people wait for a seat (see ``sessions.request_seat``)."""
    circle = get_circle(session, circle_id)
    if any(m.user_id == user.id for m in circle.members):
        return circle
    circle.members.append(CircleMember(user_id=user.id, role="participant"))
    session.flush()
    return circle


def add_member(session: Session, guide: User, circle_id: str, username: str, role: str) -> Circle:
    circle = get_circle(session, circle_id)
    if not is_guide(circle, guide):
        raise Forbidden("Only this circle's guides can add members.")
    person = CircleRepository(session).user_by_name(username)
    if person is None:
        raise NotFound("No member with that username.")
    if role == "guide" and person.role not in GUIDING_ROLES:
        raise Invalid("Only people with the guide role can guide a circle.")
    existing = next((m for m in circle.members if m.user_id == person.id), None)
    if existing:
        existing.role = role
    else:
        circle.members.append(CircleMember(user_id=person.id, role=role))
    session.flush()
    return circle


def leave(session: Session, user: User, circle_id: str, username: str | None = None) -> None:
    """Leave a circle, or (a guide) remove someone. Dreams shared into it stop being visible there."""
    circle = get_circle(session, circle_id)
    target = user
    if username and username.lower() != user.username:
        if not is_guide(circle, user):
            raise Forbidden("Only this circle's guides can remove members.")
        found = CircleRepository(session).user_by_name(username)
        if found is None:
            raise NotFound("No member with that username.")
        target = found
    circle.members = [m for m in circle.members if m.user_id != target.id]
    session.flush()


def members(circle: Circle, viewer: User) -> list[MemberOut]:
    """Members see each other by display name only if named mode; otherwise by alias."""
    if not any(m.user_id == viewer.id for m in circle.members) and viewer.role != "admin":
        raise NotFound("No circle with that id, or you are not a member.")
    show_named = circle.attribution_mode == "named"
    return [
        MemberOut(
            name=m.user.display_name if show_named or m.role == "guide" else m.user.alias,
            role=m.role,
            is_you=m.user_id == viewer.id,
        )
        for m in circle.members
    ]
