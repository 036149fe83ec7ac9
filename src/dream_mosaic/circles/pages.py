"""The list of circles, with join."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dream_mosaic.circles import service
from dream_mosaic.circles.repository import CircleRepository
from dream_mosaic.core.auth import get_session
from dream_mosaic.core.errors import MosaicError
from dream_mosaic.core.models import User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render

router = APIRouter(include_in_schema=False)


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
