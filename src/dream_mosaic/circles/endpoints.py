"""The circles API (``/api/v1/circles``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dream_mosaic.circles import service
from dream_mosaic.circles.repository import CircleRepository
from dream_mosaic.circles.schemas import CircleCreate, CircleOut, CircleUpdate, MemberAdd, MemberOut
from dream_mosaic.core import consent
from dream_mosaic.core.auth import get_session, require_user
from dream_mosaic.core.models import Dream, User
from dream_mosaic.journal import service as journal
from dream_mosaic.journal.schemas import DreamPage

router = APIRouter(prefix="/api/v1/circles", tags=["circles"])


@router.get("", response_model=list[CircleOut])
def list_circles(user: User = Depends(require_user), session: Session = Depends(get_session)) -> list[CircleOut]:
    return [service.present(c, user) for c in CircleRepository(session).all()]


@router.post("", status_code=201, response_model=CircleOut)
def create_circle(
    data: CircleCreate, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> CircleOut:
    circle = service.create_circle(session, user, data)
    session.commit()
    return service.present(circle, user)


@router.get("/{circle_id}", response_model=CircleOut)
def read_circle(
    circle_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> CircleOut:
    return service.present(service.get_circle(session, circle_id), user)


@router.patch("/{circle_id}", response_model=CircleOut)
def edit_circle(
    circle_id: str,
    data: CircleUpdate,
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> CircleOut:
    circle = service.update_circle(session, user, circle_id, data)
    session.commit()
    return service.present(circle, user)


@router.post("/{circle_id}/join", response_model=CircleOut)
def join_circle(
    circle_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> CircleOut:
    circle = service.join(session, user, circle_id)
    session.commit()
    return service.present(circle, user)


@router.get("/{circle_id}/members", response_model=list[MemberOut])
def list_members(
    circle_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> list[MemberOut]:
    return service.members(service.get_circle(session, circle_id), user)


@router.post("/{circle_id}/members", response_model=CircleOut)
def add_member(
    circle_id: str,
    data: MemberAdd,
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> CircleOut:
    circle = service.add_member(session, user, circle_id, data.username, data.role)
    session.commit()
    return service.present(circle, user)


@router.delete("/{circle_id}/members/{username}", status_code=204)
def remove_member(
    circle_id: str, username: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> Response:
    service.leave(session, user, circle_id, username)
    session.commit()
    return Response(status_code=204)


@router.get("/{circle_id}/dreams", response_model=DreamPage)
def circle_dreams(
    circle_id: str,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> DreamPage:
    """Dreams shared into this circle, attributed as the circle's mode or their dreamer's stricter choice."""
    circle = service.get_circle(session, circle_id)
    stmt = consent.circle_dreams(user, circle.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Dream.created_at.desc()).limit(limit).offset(offset)).all()
    items = [journal.present(d, user, circle.attribution_mode) for d in rows]
    return DreamPage(items=items, total=total, limit=limit, offset=offset)
