"""The mosaic page of a circle: the draft review for its guides, the published mosaic for its members.

Works without JavaScript: the guide arranges fragments with position numbers and leave-out boxes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dream_mosaic.core.auth import get_session
from dream_mosaic.core.errors import MosaicError, NotFound
from dream_mosaic.core.models import User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render
from dream_mosaic.mosaic import service
from dream_mosaic.mosaic import tasks as _tasks  # noqa: F401  (subscribes the mosaic to dream events)
from dream_mosaic.mosaic.endpoints import circle_channel
from dream_mosaic.mosaic.render.html import body_context
from dream_mosaic.mosaic.repository import MosaicRepository
from dream_mosaic.mosaic.schemas import Arrangement, MosaicCreate

router = APIRouter(include_in_schema=False)


def _circle_mosaic(session: Session, user: User, circle_id: str) -> tuple[Any, Any, bool]:
    repo = MosaicRepository(session)
    circle = repo.circle(circle_id)
    if circle is None or not any(m.user_id == user.id for m in circle.members):
        raise NotFound("No circle with that id, or you are not a member.")
    guide = any(m.user_id == user.id and m.role == "guide" for m in circle.members)
    mosaics = repo.for_circle(circle.id)
    return circle, (mosaics[0] if mosaics else None), guide


@router.get("/circles/{circle_id}/mosaic")
def mosaic_page(circle_id: str, request: Request, version: int | None = None,
                user: User | None = Depends(page_user), session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect(f"/signin?next=/circles/{circle_id}/mosaic")
    circle, mosaic, guide = _circle_mosaic(session, user, circle_id)
    repo = MosaicRepository(session)
    versions = repo.versions(mosaic.id) if mosaic else []
    ctx: dict[str, Any] = {"user": user, "circle": circle, "mosaic": mosaic, "guide": guide,
                           "versions": versions, "shown_version": None, "draft": None}
    if mosaic and guide and version is None:
        draft = service.draft_document(mosaic)
        ctx["draft"] = draft
        ctx["pool"] = (mosaic.draft or {}).get("fragments", [])
        if draft is not None:
            ctx.update(body_context(draft))
    elif versions:
        chosen = next((v for v in versions if v.version == version), versions[-1])
        doc = service.present_version(chosen).document
        ctx["shown_version"] = chosen.version
        ctx.update(body_context(doc))
        unread = [n.id for n in repo.notices(user, unread_only=True) if n.mosaic_id == mosaic.id]
        if unread:
            service.mark_read(session, user, unread)
            session.commit()
    return render(request, "mosaic/page.html", ctx)


async def _form(request: Request) -> Any:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    return form


@router.post("/circles/{circle_id}/mosaic/weave")
async def weave(circle_id: str, request: Request, user: User | None = Depends(page_user),
                session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect(f"/signin?next=/circles/{circle_id}/mosaic")
    form = await _form(request)
    here = f"/circles/{circle_id}/mosaic"
    try:
        _circle, mosaic, _guide = _circle_mosaic(session, user, circle_id)
        settings = request.app.state.platform.settings
        if mosaic is None:
            service.create_draft(session, user, MosaicCreate(circle_id=circle_id, narrate=form.get("narrate") == "on"),
                                 settings)
        else:
            service.reweave(session, service.reviewable(session, user, mosaic.id), settings)
        session.commit()
    except MosaicError as exc:
        return redirect(f"{here}?flash={exc.detail}")
    return redirect(f"{here}?flash=The+draft+is+woven.")


@router.post("/mosaics/{mosaic_id}/arrange")
async def arrange(mosaic_id: str, request: Request, user: User | None = Depends(page_user),
                  session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect("/circles")
    form = await _form(request)
    mosaic = service.reviewable(session, user, mosaic_id)
    here = f"/circles/{mosaic.circle_id}/mosaic"
    ids = [f["dream_id"] for f in (mosaic.draft or {}).get("fragments", [])]
    draft = service.draft_document(mosaic)
    current = {f.dream_id: i for i, f in enumerate(draft.fragments)} if draft else {}

    def position(dream_id: str) -> float:
        raw = str(form.get(f"pos-{dream_id}", "")).strip()
        try:
            return float(raw)
        except ValueError:
            return current.get(dream_id, len(ids)) + 1.0

    order = sorted(ids, key=lambda i: (position(i), current.get(i, len(ids))))
    excluded = [i for i in ids if form.get(f"out-{i}") == "on"]
    try:
        service.arrange(session, user, mosaic_id, Arrangement(order=order, excluded=excluded,
                                                              title=str(form.get("title", "")) or None))
        session.commit()
    except MosaicError as exc:
        return redirect(f"{here}?flash={exc.detail}")
    return redirect(f"{here}?flash=Arrangement+saved.")


@router.post("/mosaics/{mosaic_id}/publish")
async def publish(mosaic_id: str, request: Request, user: User | None = Depends(page_user),
                  session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect("/circles")
    await _form(request)
    mosaic = service.reviewable(session, user, mosaic_id)
    here = f"/circles/{mosaic.circle_id}/mosaic"
    try:
        version = service.publish(session, user, mosaic_id)
        session.commit()
    except MosaicError as exc:
        return redirect(f"{here}?flash={exc.detail}")
    pubsub = request.app.state.platform.pubsub
    if pubsub.connected and mosaic.circle_id:
        await pubsub.publish(circle_channel(mosaic.circle_id),
                             {"type": "mosaic.published", "mosaic_id": mosaic_id, "version": version.version})
    return redirect(f"{here}?version={version.version}&flash=Published+as+version+{version.version}.")


__all__ = ["router"]
