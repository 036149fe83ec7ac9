"""The mosaic API (``/api/v1/mosaics``): weave a draft, review it, publish versions, export any format."""

from __future__ import annotations

import logging
from typing import Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from dream_mosaic.core.auth import get_platform, get_session, require_user
from dream_mosaic.core.errors import NotFound
from dream_mosaic.core.models import User
from dream_mosaic.core.platform import Platform
from dream_mosaic.mosaic import service
from dream_mosaic.mosaic import tasks as _tasks  # noqa: F401  (subscribes the mosaic to dream events)
from dream_mosaic.mosaic.render import EXTENSIONS, MEDIA_TYPES, render
from dream_mosaic.mosaic.repository import MosaicRepository
from dream_mosaic.mosaic.schemas import (
    Arrangement,
    Format,
    MosaicCreate,
    MosaicDocument,
    MosaicOut,
    NoticeOut,
    VersionOut,
)

router = APIRouter(prefix="/api/v1", tags=["mosaic"])
log = logging.getLogger(__name__)


class VersionInfo(BaseModel):
    version: int
    published_at: str
    struck: list[str]


class NoticesRead(BaseModel):
    ids: list[str] = Field(max_length=500)


def circle_channel(circle_id: str) -> str:
    return f"circle:{circle_id}"


def announce(platform: Platform, circle_id: str | None, message: dict[str, Any]) -> None:
    """Tell the circle's live pages (pub/sub); the stored notice is what counts if nobody is listening."""
    if circle_id is None:
        return
    try:
        anyio.from_thread.run(platform.pubsub.publish, circle_channel(circle_id), message)
    except Exception:
        log.warning("could not announce a published mosaic on %s", circle_channel(circle_id), exc_info=True)


@router.post("/mosaics", status_code=201, response_model=MosaicOut)
def create_mosaic(data: MosaicCreate, user: User = Depends(require_user), session: Session = Depends(get_session),
                  platform: Platform = Depends(get_platform)) -> MosaicOut:
    """Weave a draft from a circle's consented dreams (guides) or from an archive query (anyone)."""
    mosaic = service.create_draft(session, user, data, platform.settings)
    session.commit()
    return service.present(session, mosaic, with_draft=True)


@router.get("/mosaics", response_model=list[MosaicOut])
def list_mosaics(circle_id: str | None = Query(None, max_length=32), user: User = Depends(require_user),
                 session: Session = Depends(get_session)) -> list[MosaicOut]:
    """A circle's mosaics (members), or your own archive mosaics."""
    repo = MosaicRepository(session)
    if circle_id is None:
        return [service.present(session, m, with_draft=False) for m in repo.of_creator(user)]
    shown = [m for m in repo.for_circle(circle_id) if service.may_review(repo, m, user)
             or (service.may_read_published(repo, m, user) and repo.version_numbers(m.id))]
    return [service.present(session, m, with_draft=False) for m in shown]


@router.get("/mosaics/{mosaic_id}", response_model=MosaicOut)
def read_mosaic(mosaic_id: str, user: User = Depends(require_user),
                session: Session = Depends(get_session)) -> MosaicOut:
    """The mosaic; its draft only for whoever reviews it."""
    repo = MosaicRepository(session)
    mosaic = service.readable(session, user, mosaic_id)
    reviewer = service.may_review(repo, mosaic, user)
    if not reviewer and not repo.version_numbers(mosaic.id):
        raise NotFound(service.NOT_FOUND)
    return service.present(session, mosaic, with_draft=reviewer)


@router.patch("/mosaics/{mosaic_id}", response_model=MosaicOut)
def arrange_mosaic(mosaic_id: str, data: Arrangement, user: User = Depends(require_user),
                   session: Session = Depends(get_session)) -> MosaicOut:
    """Reorder fragments (``order``: dream ids) and leave some out (``excluded``) before publishing."""
    mosaic = service.arrange(session, user, mosaic_id, data)
    session.commit()
    return service.present(session, mosaic, with_draft=True)


@router.post("/mosaics/{mosaic_id}/reweave", response_model=MosaicOut)
def reweave_mosaic(mosaic_id: str, user: User = Depends(require_user), session: Session = Depends(get_session),
                   platform: Platform = Depends(get_platform)) -> MosaicOut:
    """Weave the draft again from what is consented now, keeping the arrangement."""
    mosaic = service.reviewable(session, user, mosaic_id)
    service.reweave(session, mosaic, platform.settings)
    session.commit()
    return service.present(session, mosaic, with_draft=True)


@router.post("/mosaics/{mosaic_id}/publish", status_code=201, response_model=VersionOut)
def publish_mosaic(mosaic_id: str, user: User = Depends(require_user), session: Session = Depends(get_session),
                   platform: Platform = Depends(get_platform)) -> VersionOut:
    """Publish the arranged draft as the next immutable version; the circle's participants are told."""
    version = service.publish(session, user, mosaic_id)
    session.commit()
    mosaic = MosaicRepository(session).get(mosaic_id)
    announce(platform, mosaic.circle_id if mosaic else None,
             {"type": "mosaic.published", "mosaic_id": mosaic_id, "version": version.version})
    return service.present_version(version)


@router.get("/mosaics/{mosaic_id}/versions", response_model=list[VersionInfo])
def list_versions(mosaic_id: str, user: User = Depends(require_user),
                  session: Session = Depends(get_session)) -> list[VersionInfo]:
    mosaic = service.readable(session, user, mosaic_id)
    return [VersionInfo(version=v.version, published_at=v.published_at.isoformat(), struck=list(v.struck or []))
            for v in MosaicRepository(session).versions(mosaic.id)]


@router.get("/mosaics/{mosaic_id}/versions/{number}", response_model=VersionOut)
def read_version(mosaic_id: str, number: int, user: User = Depends(require_user),
                 session: Session = Depends(get_session)) -> VersionOut:
    service.readable(session, user, mosaic_id)
    version = MosaicRepository(session).version(mosaic_id, number)
    if version is None:
        raise NotFound("No such version of this mosaic.")
    return service.present_version(version)


def document_for(session: Session, user: User, mosaic_id: str, version: str) -> MosaicDocument:
    """``version``: a number, ``latest`` (published) or ``draft`` (reviewers only)."""
    if version == "draft":
        mosaic = service.reviewable(session, user, mosaic_id)
        doc = service.draft_document(mosaic)
        if doc is None:
            raise NotFound("This mosaic has no draft.")
        return doc
    number = None if version == "latest" else int(version) if version.isdigit() else -1
    return service.version_document(session, user, mosaic_id, number)


@router.get("/mosaics/{mosaic_id}/export")
def export_mosaic(mosaic_id: str, request: Request, format: Format = Query("html"),
                  version: str = Query("latest", max_length=12), user: User = Depends(require_user),
                  session: Session = Depends(get_session)) -> Response:
    """The mosaic as HTML, Markdown, JSON or PDF."""
    doc = document_for(session, user, mosaic_id, version)
    name = f"mosaic-{mosaic_id[:8]}-{version}.{EXTENSIONS[format]}"
    disposition = "inline" if format in {"html", "json"} else "attachment"
    return Response(render(doc, format), media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


@router.get("/mosaic-notices", response_model=list[NoticeOut])
def my_notices(unread: bool = False, user: User = Depends(require_user),
               session: Session = Depends(get_session)) -> list[NoticeOut]:
    """Mosaics published in your circles."""
    return service.notices(session, user, unread_only=unread)


@router.post("/mosaic-notices/read")
def read_notices(data: NoticesRead, user: User = Depends(require_user),
                 session: Session = Depends(get_session)) -> dict[str, int]:
    count = service.mark_read(session, user, data.ids)
    session.commit()
    return {"read": count}
