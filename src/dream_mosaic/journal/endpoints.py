"""The journal API (``/api/v1/dreams``, ``/api/v1/journal``). Thin: parse, call the service, commit."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from dream_mosaic.core.auth import get_session, require_user, writing_user
from dream_mosaic.core.errors import Invalid, Unauthorized
from dream_mosaic.core.models import User
from dream_mosaic.journal import formats, service
from dream_mosaic.journal.repository import DreamRepository
from dream_mosaic.journal.schemas import (
    ConsentUpdate,
    DreamCreate,
    DreamOut,
    DreamPage,
    DreamUpdate,
    ImportReport,
    SortName,
)

router = APIRouter(prefix="/api/v1", tags=["journal"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


@router.post("/dreams", status_code=201, response_model=DreamOut)
async def create_dream(
    data: DreamCreate,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    user: User = Depends(writing_user),
) -> DreamOut:
    """Record a dream. With an ``Idempotency-Key``, a retry after a lost answer never makes a duplicate.

    The answer comes once the dream is committed to disk; concurrent creates share one commit."""
    user_id = user.id

    def write(session: Session) -> tuple[DreamOut, bool]:
        viewer = session.get(User, user_id)
        if viewer is None:
            raise Unauthorized("Please sign in first.")
        dream, created = service.create_dream(session, viewer, data, idempotency_key)
        return service.present(dream, viewer), created

    shown, created = await request.app.state.platform.writer.run(write)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/dreams/{shown.id}"
    return shown


@router.get("/dreams", response_model=DreamPage)
def list_my_dreams(
    q: str | None = Query(None, max_length=200, description="Words in the title or text."),
    tag: str | None = Query(None, max_length=40),
    visibility: Literal["private", "circle", "community", "research"] | None = None,
    lucid: bool | None = None,
    nightmare: bool | None = None,
    recurring: bool | None = None,
    since: date | None = None,
    until: date | None = None,
    sort: SortName = "-dreamt_on",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> DreamPage:
    """Your own dreams, filtered and sorted."""
    repo = DreamRepository(session)
    stmt = repo.own_query(
        user, q=q, tag=tag, visibility=visibility, lucid=lucid, nightmare=nightmare,
        recurring=recurring, since=since, until=until,
    )
    rows, total = repo.page(stmt, sort, limit, offset)
    return DreamPage(items=[service.present(d, user) for d in rows], total=total, limit=limit, offset=offset)


@router.get("/dreams/{dream_id}", response_model=DreamOut)
def read_dream(
    dream_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> DreamOut:
    """A dream you may read: your own, or one shared with you."""
    return service.present(service.readable_dream(session, user, dream_id), user)


@router.patch("/dreams/{dream_id}", response_model=DreamOut)
def edit_dream(
    dream_id: str,
    data: DreamUpdate,
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> DreamOut:
    dream = service.update_dream(session, user, dream_id, data)
    session.commit()
    return service.present(dream, user)


@router.put("/dreams/{dream_id}/consent", response_model=DreamOut)
def change_consent(
    dream_id: str,
    data: ConsentUpdate,
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> DreamOut:
    """Who may see this dream and how you are named. Takes effect at once."""
    dream = service.set_consent(session, user, dream_id, data)
    session.commit()
    return service.present(dream, user)


@router.delete("/dreams/{dream_id}", status_code=204)
def delete_dream(
    dream_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> Response:
    """Withdraw a dream: it disappears from everything derived from it."""
    service.delete_dream(session, user, dream_id)
    session.commit()
    return Response(status_code=204)


@router.get("/journal/export")
def export_journal(
    format: Literal["json", "csv", "jsonl"] = "json",
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> Response:
    """Your whole journal as JSON, JSON Lines or CSV."""
    buffer = io.StringIO()
    records = service.export_journal(session, user)
    if format == "json":
        formats.write_json(records, buffer)
        media = "application/json"
    elif format == "jsonl":
        formats.write_jsonl(records, buffer)
        media = "application/x-ndjson"
    else:
        formats.write_csv(records, buffer, service.EXPORT_FIELDS)
        media = "text/csv"
    filename = f"dream-journal.{format}"
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/journal/import", response_model=ImportReport)
def import_journal(
    file: UploadFile,
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> ImportReport:
    """Import a journal exported from Dream Mosaic (JSON, JSON Lines or CSV). Dreams you already have
    are skipped, so importing the same file twice changes nothing."""
    name = (file.filename or "upload").lower()
    fmt = "jsonl" if name.endswith((".jsonl", ".ndjson")) else "csv" if name.endswith(".csv") else "json"
    raw = file.file.read()
    try:
        if fmt == "json":
            records = list(formats.read_json(io.BytesIO(raw)))
        else:
            text = raw.decode("utf-8")
            reader = formats.read_jsonl(text.splitlines()) if fmt == "jsonl" else formats.read_csv(io.StringIO(text))
            records = list(reader)
    except UnicodeDecodeError as exc:
        raise Invalid("The file is not valid UTF-8 text.") from exc
    except formats.FormatError as exc:
        raise Invalid(str(exc)) from exc
    imported, skipped = service.import_records(session, user, records)
    session.commit()
    return ImportReport(imported=imported, skipped_duplicates=skipped, errors=[])
