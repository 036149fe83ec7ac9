"""The archive API: ``GET /api/v1/search`` and ``/api/v1/archive/…`` (statistics, themes, exports).
Thin: parse, call the service, commit. Who may read what is decided by the consent gate in the
repository; only the export role check (archivists, guardians, admins) is also stated here."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from dream_mosaic.archive import export, service, tasks, themes
from dream_mosaic.archive.schemas import (
    Comparison,
    ExportOut,
    ExportRequest,
    Frequency,
    Profile,
    SearchPage,
    ThemeRequest,
    ThemesOut,
)
from dream_mosaic.core.auth import get_session, read_as_user, require_user
from dream_mosaic.core.models import User

router = APIRouter(prefix="/api/v1", tags=["archive"])
Q = Query("", max_length=1000, description="A query in the archive's language, e.g. `teeth* series:norms-f`.")


@router.get("/search", response_model=SearchPage)
async def search(
    request: Request,
    q: str = Q,
    semantic: bool = Query(False, description="Rank by meaning (embeddings) instead of matching words."),
    like: str | None = Query(None, max_length=32, description="Find dreams like this dream (its id)."),
    limit: int = Query(20, ge=1, le=100),
    after: int | None = Query(None, ge=0, description="Continue after this result's `cursor`."),
    before: int | None = Query(None, ge=0, description="The page before this result's `cursor`."),
    facets: bool = Query(False, description="Add facet counts over the matches."),
) -> Response:
    """Search the dreams you may read. `total` matches of `selection_total` dreams in the selection (the
    query's filters only); `share` is their ratio."""

    def work(session: Session, user: User) -> bytes:
        page = service.search(session, user, q, semantic=semantic, like=like, limit=limit, after=after,
                              before=before, facets=facets)
        return page.model_dump_json().encode()  # the page is already a SearchPage: no second validation

    # The archive's hottest read: one worker-thread trip for identification and search together.
    return Response(await read_as_user(request, work), media_type="application/json")


@router.get("/archive/stats/frequency", response_model=Frequency)
def frequency(
    q: str = Q,
    by: Literal["decade", "year", "series", "sex"] = "decade",
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> Frequency:
    """How the share of matching dreams changes over decades or years, or across series or sexes."""
    return service.frequency(session, user, q, by)


@router.get("/archive/stats/compare", response_model=Comparison)
def compare(
    q: str = Q,
    a: str = Query(..., max_length=500, description="First selection, e.g. `sex:F`."),
    b: str = Query(..., max_length=500, description="Second selection, e.g. `sex:M`."),
    user: User = Depends(require_user),
    session: Session = Depends(get_session),
) -> Comparison:
    """Compare the share of matches in two selections: Cohen's h and a two-proportion z test."""
    return service.compare(session, user, q, a, b)


@router.get("/archive/stats/profile", response_model=Profile)
def profile(q: str = Q, user: User = Depends(require_user), session: Session = Depends(get_session)) -> Profile:
    """The Hall & Van de Castle content profile of the selection beside the norms."""
    return service.profile(session, user, q)


@router.get("/archive/themes", response_model=ThemesOut)
def list_themes(q: str = Q, user: User = Depends(require_user), session: Session = Depends(get_session)) -> ThemesOut:
    """The themes you last discovered in this selection."""
    return themes.show(session, user, q)


@router.post("/archive/themes", response_model=ThemesOut)
def discover_themes(data: ThemeRequest, user: User = Depends(require_user),
                    session: Session = Depends(get_session)) -> ThemesOut:
    """Discover (or re-discover) the themes of a selection. Themes found before keep their numbers."""
    result = themes.discover(session, user, data.q, k=data.k)
    session.commit()
    return result


@router.post("/archive/exports", response_model=ExportOut, status_code=202)
def create_export(data: ExportRequest, user: User = Depends(require_user),
                  session: Session = Depends(get_session)) -> ExportOut:
    """Export research-consented dreams of a selection (archivists, guardians and admins). The file is
    made in the background; poll the export until its status is `done`."""
    record = export.request(session, user, data.q, data.format)
    session.commit()
    tasks.enqueue_export(record.id)
    session.refresh(record)
    return export.present(record)


@router.get("/archive/exports", response_model=list[ExportOut])
def list_exports(user: User = Depends(require_user), session: Session = Depends(get_session)) -> list[ExportOut]:
    return [export.present(e) for e in export.mine(session, user)]


@router.get("/archive/exports/{export_id}", response_model=ExportOut)
def read_export(export_id: str, user: User = Depends(require_user),
                session: Session = Depends(get_session)) -> ExportOut:
    return export.present(export.own(session, user, export_id))


@router.get("/archive/exports/{export_id}/download")
def download_export(export_id: str, user: User = Depends(require_user),
                    session: Session = Depends(get_session)) -> FileResponse:
    """The export as a ZIP (data and data dictionary). Refused if any dream in it has since been withdrawn."""
    path = export.checked_file(session, user, export_id)
    session.commit()
    return FileResponse(path, media_type="application/zip", filename=f"dream-mosaic-export-{export_id[:8]}.zip")
