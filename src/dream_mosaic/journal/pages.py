"""Journal pages: list, write, read, edit (with consent) and delete, without JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dream_mosaic.circles.repository import CircleRepository
from dream_mosaic.core.auth import get_session
from dream_mosaic.core.errors import MosaicError
from dream_mosaic.core.models import Dream, User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render
from dream_mosaic.journal import service
from dream_mosaic.journal.repository import DreamRepository
from dream_mosaic.journal.schemas import ConsentUpdate, DreamCreate, DreamUpdate

router = APIRouter(include_in_schema=False)
PAGE = 20


def _signin(request: Request) -> Response:
    return redirect(f"/signin?next={request.url.path}")


def _form_fields(form: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": form.get("title", ""),
        "text": form.get("text", ""),
        "tags": [t.strip() for t in str(form.get("tags", "")).split(",") if t.strip()],
        "lucid": form.get("lucid") == "on",
        "nightmare": form.get("nightmare") == "on",
        "recurring": form.get("recurring") == "on",
    }
    if form.get("dreamt_on"):
        fields["dreamt_on"] = form.get("dreamt_on")
    if form.get("mood"):
        fields["mood"] = form.get("mood")
    return fields


def _consent_fields(form: Any) -> dict[str, Any]:
    return {
        "visibility": form.get("visibility", "private"),
        "attribution": form.get("attribution", "anonymous"),
        "circle_ids": form.getlist("circle_ids"),
    }


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()]


def _form_page(request: Request, user: User, session: Session, dream: Dream | None,
               values: dict[str, Any], errors: list[str], status: int = 200) -> Response:
    circles = CircleRepository(session).circles_of(user)
    return render(request, "journal/form.html",
                  {"user": user, "dream": dream, "v": values, "errors": errors, "circles": circles}, status)


@router.get("/journal")
def journal(request: Request, q: str | None = None, visibility: str | None = None, page: int = 1,
            user: User | None = Depends(page_user), session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    repo = DreamRepository(session)
    vis = visibility if visibility in {"private", "circle", "community", "research"} else None
    page = max(1, min(page, 100_000))
    rows, total = repo.page(repo.own_query(user, q=(q or "")[:200] or None, visibility=vis), "-dreamt_on",
                            PAGE, (page - 1) * PAGE)
    return render(request, "journal/list.html",
                  {"user": user, "dreams": rows, "total": total, "q": q or "", "visibility": vis or "",
                   "page": page, "pages": max(1, -(-total // PAGE))})


@router.get("/journal/new")
def new_dream(request: Request, user: User | None = Depends(page_user),
              session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    values = {"dreamt_on": date.today().isoformat(), "visibility": "private", "attribution": "anonymous"}
    return _form_page(request, user, session, None, values, [])


@router.post("/journal/new")
async def create_dream(request: Request, user: User | None = Depends(page_user),
                       session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    values = {**_form_fields(form), **_consent_fields(form)}
    try:
        dream, _ = service.create_dream(session, user, DreamCreate.model_validate(values))
        session.commit()
    except ValidationError as exc:
        return _form_page(request, user, session, None, values, _errors(exc), 422)
    except MosaicError as exc:
        return _form_page(request, user, session, None, values, [exc.detail], exc.status)
    return redirect(f"/journal/{dream.id}?flash=Your+dream+is+saved.")


@router.get("/journal/{dream_id}")
def view_dream(dream_id: str, request: Request, user: User | None = Depends(page_user),
               session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    dream = service.readable_dream(session, user, dream_id)
    return render(request, "journal/view.html",
                  {"user": user, "dream": dream, "shown": service.present(dream, user),
                   "mine": dream.owner_id == user.id})


@router.get("/journal/{dream_id}/edit")
def edit_form(dream_id: str, request: Request, user: User | None = Depends(page_user),
              session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    dream = service.own_dream(session, user, dream_id)
    values = {**service.export_record(dream), "circle_ids": dream.circle_ids,
              "tags": dream.tags or []}
    return _form_page(request, user, session, dream, values, [])


@router.post("/journal/{dream_id}/edit")
async def edit_dream(dream_id: str, request: Request, user: User | None = Depends(page_user),
                     session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    dream = service.own_dream(session, user, dream_id)
    values = {**_form_fields(form), **_consent_fields(form)}
    content = {k: v for k, v in values.items() if k in DreamUpdate.model_fields}
    content.setdefault("dreamt_on", None)
    content.setdefault("mood", None)
    try:
        service.update_dream(session, user, dream_id, DreamUpdate.model_validate(content))
        service.set_consent(session, user, dream_id, ConsentUpdate.model_validate(_consent_fields(form)))
        session.commit()
    except ValidationError as exc:
        session.rollback()
        return _form_page(request, user, session, dream, values, _errors(exc), 422)
    except MosaicError as exc:
        session.rollback()
        return _form_page(request, user, session, dream, values, [exc.detail], exc.status)
    return redirect(f"/journal/{dream_id}?flash=Saved.")


@router.post("/journal/{dream_id}/delete")
async def delete_dream(dream_id: str, request: Request, user: User | None = Depends(page_user),
                       session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    service.delete_dream(session, user, dream_id)
    session.commit()
    return redirect("/journal?flash=The+dream+was+deleted+and+withdrawn+from+everything+it+was+part+of.")
