"""The circles API (``/api/v1/circles``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dream_mosaic.circles import live, service, sessions
from dream_mosaic.circles import tasks as _tasks  # noqa: F401  (offers leave when their dream is withdrawn)
from dream_mosaic.circles.repository import CircleRepository, SessionRepository
from dream_mosaic.circles.schemas import (
    CheckIn,
    CircleCreate,
    CircleOut,
    CircleUpdate,
    ContributionIn,
    MemberAdd,
    MemberOut,
    ModerationIn,
    SessionControl,
    SessionOpen,
)
from dream_mosaic.core import consent
from dream_mosaic.core.auth import current_user, get_session, require_user
from dream_mosaic.core.errors import Unavailable
from dream_mosaic.core.models import Dream, User
from dream_mosaic.core.platform import Platform
from dream_mosaic.journal import service as journal
from dream_mosaic.journal.schemas import DreamPage

router = APIRouter(prefix="/api/v1/circles", tags=["circles"])
T = TypeVar("T")


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
    offset: int = Query(0, ge=0, le=10_000_000),
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


# ---------------------------------------------------------------- live sessions
# Thin: each runs one ``sessions`` function in a transaction, commits, then publishes its events.


async def _live(request: Request, work: Callable[[Session], tuple[T, list[Any]]], session_id: str) -> T:
    hub = live.hub_of(request.app)
    result, events = await hub.write(work)
    await hub.publish(session_id, events)
    return result


def live_user(request: Request) -> User:
    """The signed-in person, read without holding a write transaction: live writes take their own."""
    platform: Platform = request.app.state.platform
    with platform.db.transaction(write=False) as db:
        return require_user(current_user(request, db))


def _me(db: Session, user: User) -> User:
    found = db.get(User, user.id)
    assert found is not None
    return found


@router.post("/{circle_id}/sessions", status_code=201)
async def open_session(circle_id: str, data: SessionOpen, request: Request,
                       user: User = Depends(live_user)) -> dict[str, Any]:
    """Open a live session (guides). Participants then join at ``/circles/{id}/live``."""
    hub = live.hub_of(request.app)
    return await hub.write(lambda db: sessions.state(sessions.open_session(db, _me(db, user), circle_id, data)))


@router.get("/{circle_id}/sessions/current")
async def current_session(circle_id: str, request: Request, user: User = Depends(live_user)) -> dict[str, Any]:
    """The open session as you may see it: everything for guides and seated people, else its state."""
    def read(db: Session) -> dict[str, Any]:
        s = sessions.open_session_of(db, circle_id)
        me = _me(db, user)
        adm = SessionRepository(db).admission(s.id, me.id)
        if sessions.guides(db, circle_id, me) or (adm is not None and adm.state == "admitted"):
            return sessions.snapshot(db, me, s)
        return {"type": "session", "session": sessions.state(s),
                "admission": sessions.admission_view(db, s, adm)}

    return await live.hub_of(request.app).read(read)


@router.patch("/{circle_id}/sessions/{session_id}")
async def steer_session(circle_id: str, session_id: str, data: SessionControl, request: Request,
                        user: User = Depends(live_user)) -> dict[str, Any]:
    """Move phase, pause or resume, lock, change moderation, draw the lottery (guides)."""
    def work(db: Session) -> tuple[dict[str, Any], list[Any]]:
        s = sessions.session_by_id(db, circle_id, session_id)
        events = sessions.control(db, _me(db, user), s, data)
        return sessions.state(s), events

    return await _live(request, work, session_id)


@router.post("/{circle_id}/sessions/{session_id}/admission")
async def request_seat(circle_id: str, session_id: str, request: Request, response: Response,
                       user: User = Depends(live_user)) -> dict[str, Any]:
    """Ask for a seat: 200 seated, 202 on the waitlist (with your position) or in the lottery; 429 when
    the waitlist is full too, 503 when too many arrive at once. Asking again keeps your place."""
    hub = live.hub_of(request.app)

    def work(db: Session) -> dict[str, Any]:
        s = sessions.session_by_id(db, circle_id, session_id)
        me = _me(db, user)
        if not hub.may_arrive(db, s, me):
            raise Unavailable("Many people are arriving at once; please try again in a few seconds.",
                              retry_after=3)
        return sessions.request_seat(db, me, s)

    view = await hub.write(work)
    response.status_code = 200 if view["state"] in ("admitted", "closed") else 202
    return view


@router.delete("/{circle_id}/sessions/{session_id}/admission", status_code=204)
async def leave_session(circle_id: str, session_id: str, request: Request,
                        user: User = Depends(live_user)) -> Response:
    await _live(request, lambda db: (None, sessions.leave(
        db, _me(db, user), sessions.session_by_id(db, circle_id, session_id))), session_id)
    return Response(status_code=204)


@router.post("/{circle_id}/sessions/{session_id}/contributions", status_code=201)
async def contribute(circle_id: str, session_id: str, data: ContributionIn, request: Request, response: Response,
                     user: User = Depends(live_user)) -> dict[str, Any]:
    """Offer a dream (your own, from the journal, or written now), an association or a reflection.
    Answered only once it is stored; resending the same ``client_id`` answers 200 with the first."""
    def work(db: Session) -> tuple[dict[str, Any], list[Any]]:
        c, created, events = sessions.contribute(
            db, _me(db, user), sessions.session_by_id(db, circle_id, session_id), data)
        return {**sessions.own_view(c), "created": created}, events

    out = await _live(request, work, session_id)
    response.status_code = 201 if out["created"] else 200
    return out


@router.post("/{circle_id}/sessions/{session_id}/contributions/{contribution_id}/taps")
async def tap(circle_id: str, session_id: str, contribution_id: str, request: Request, response: Response,
              user: User = Depends(live_user)) -> dict[str, Any]:
    """This resonates with me (once per fragment)."""
    created = await _live(request, lambda db: sessions.tap(
        db, _me(db, user), sessions.session_by_id(db, circle_id, session_id), contribution_id), session_id)
    response.status_code = 201 if created else 200
    return {"id": contribution_id, "created": created}


@router.post("/{circle_id}/sessions/{session_id}/contributions/{contribution_id}/moderation")
async def moderate(circle_id: str, session_id: str, contribution_id: str, data: ModerationIn, request: Request,
                   user: User = Depends(live_user)) -> dict[str, Any]:
    """Approve, reveal, release, hide, hold or remove a contribution (guides)."""
    def work(db: Session) -> tuple[dict[str, Any], list[Any]]:
        s = sessions.session_by_id(db, circle_id, session_id)
        events = sessions.moderate(db, _me(db, user), s, contribution_id, data.action)
        return {"id": contribution_id, "status": events[0]["event"]["status"]}, events

    return await _live(request, work, session_id)


@router.post("/{circle_id}/sessions/{session_id}/contributions/{contribution_id}/checkin", status_code=202)
async def checkin(circle_id: str, session_id: str, contribution_id: str, data: CheckIn, request: Request,
                  user: User = Depends(live_user)) -> dict[str, Any]:
    """A private word from the guide to whoever wrote this contribution."""
    await _live(request, lambda db: (None, sessions.checkin(
        db, _me(db, user), sessions.session_by_id(db, circle_id, session_id), contribution_id, data.message)),
        session_id)
    return {"id": contribution_id, "sent": True}
