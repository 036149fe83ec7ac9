"""Circle pages: the list with join, one circle with its live session, the participant view and the guide
console. The live views are server-rendered shells that ``/static/circle-live.js`` fills over WebSocket."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dream_mosaic.circles import rules, service, sessions
from dream_mosaic.circles import tasks as _tasks  # noqa: F401  (offers leave when their dream is withdrawn)
from dream_mosaic.circles.repository import CircleRepository, SessionRepository
from dream_mosaic.circles.schemas import SessionOpen
from dream_mosaic.core.auth import get_session
from dream_mosaic.core.errors import MosaicError
from dream_mosaic.core.models import User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render
from dream_mosaic.journal.repository import DreamRepository

router = APIRouter(include_in_schema=False)


def _signin(request: Request) -> Response:
    return redirect(f"/signin?next={request.url.path}")


@router.get("/circles")
def circles(request: Request, user: User | None = Depends(page_user),
            session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect("/signin?next=/circles")
    shown = [service.present(c, user) for c in CircleRepository(session).all()]
    return render(request, "circles/list.html", {"user": user, "circles": shown})


@router.post("/circles/{circle_id}/join")
async def join(circle_id: str, request: Request, user: User | None = Depends(page_user),
               session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect("/signin?next=/circles")
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    try:
        circle = service.join(session, user, circle_id)
        session.commit()
    except MosaicError as exc:
        return redirect(f"/circles?flash={exc.detail}")
    return redirect(f"/circles?flash=Welcome+to+{circle.name}.")


@router.get("/circles/{circle_id}")
def circle_page(circle_id: str, request: Request, user: User | None = Depends(page_user),
                session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    circle = service.get_circle(session, circle_id)
    live = SessionRepository(session).open_for(circle.id)
    return render(request, "circles/circle.html", {
        "user": user, "circle": service.present(circle, user), "guide": service.is_guide(circle, user),
        "live": sessions.state(live) if live else None, "phases": rules.DEFAULT_PHASES})


@router.post("/circles/{circle_id}/sessions")
async def open_session(circle_id: str, request: Request, user: User | None = Depends(page_user),
                       session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    try:
        data = SessionOpen(
            title=str(form.get("title", ""))[:200], moderation=form.get("moderation", "permissive"),  # type: ignore[arg-type]
            hold_until_reveal=form.get("hold_until_reveal") == "on",
            admission=form.get("admission", "waitlist"),  # type: ignore[arg-type]
            capacity=int(str(form.get("capacity") or 0)) or None, min_group=int(str(form.get("min_group") or 3)))
        sessions.open_session(session, user, circle_id, data)
        session.commit()
    except (MosaicError, ValueError) as exc:
        detail = exc.detail if isinstance(exc, MosaicError) else "Please check the numbers."
        return redirect(f"/circles/{circle_id}?flash={detail}")
    return redirect(f"/circles/{circle_id}/console")


def _live_page(request: Request, user: User, session: Session, circle_id: str, template: str) -> Response:
    circle = service.get_circle(session, circle_id)
    live = SessionRepository(session).open_for(circle.id)
    if live is None:
        return redirect(f"/circles/{circle_id}?flash={sessions.NO_SESSION}")
    repo = DreamRepository(session)
    dreams, _total = repo.page(repo.own_query(user), "-dreamt_on", 50, 0)
    return render(request, template, {
        "user": user, "circle": service.present(circle, user), "state": sessions.state(live),
        "dreams": dreams, "guide": service.is_guide(circle, user)})


@router.get("/circles/{circle_id}/live")
def participant_view(circle_id: str, request: Request, user: User | None = Depends(page_user),
                     session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    return _live_page(request, user, session, circle_id, "circles/live.html")


@router.get("/circles/{circle_id}/console")
def guide_console(circle_id: str, request: Request, user: User | None = Depends(page_user),
                  session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    if not service.is_guide(service.get_circle(session, circle_id), user):
        return redirect(f"/circles/{circle_id}/live")
    return _live_page(request, user, session, circle_id, "circles/console.html")
