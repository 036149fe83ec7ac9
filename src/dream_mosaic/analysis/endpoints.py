"""The analysis API: ``GET /api/v1/dreams/{id}/analysis``, through the consent gate.

Its dreamer sees everything, including distress signals and why an analysis failed. Anyone else who may
read the dream sees emotions, characters, interactions and motifs, never distress signals (those reach a
circle's guides through the circles feature only).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from dream_mosaic.analysis import tasks  # also subscribes analysis to dream events
from dream_mosaic.analysis.api_schemas import (
    AnalysisOut,
    CastIn,
    CastOut,
    CastPersonOut,
    DreamerAnalysis,
    IndicatorsOut,
    SharedAnalysis,
)
from dream_mosaic.analysis.cast import CastError, build_cast, code_for
from dream_mosaic.analysis.repository import AnalysisRepository
from dream_mosaic.analysis.service import CAST_KEY, current_analysis, own_indicators, save_cast, visible_analysis
from dream_mosaic.core import consent
from dream_mosaic.core.auth import get_session, require_user
from dream_mosaic.core.errors import Invalid, NotFound
from dream_mosaic.core.models import User

router = APIRouter(prefix="/api/v1", tags=["analysis"])
NOT_FOUND = "No dream with that id, or it is not yours to see."


@router.get("/dreams/{dream_id}/analysis", response_model=AnalysisOut)
def read_analysis(
    dream_id: str, user: User = Depends(require_user), session: Session = Depends(get_session)
) -> AnalysisOut:
    """The Hall & Van de Castle analysis of a dream you may read, with its status."""
    found = AnalysisRepository(session).readable(user, dream_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    dream, rec = found
    mine = consent.is_owner(user, dream)
    stored = current_analysis(dream, rec)
    analysis: DreamerAnalysis | SharedAnalysis | None = None
    if stored is not None:
        shown = visible_analysis(stored, is_dreamer=mine)
        analysis = DreamerAnalysis.model_validate(shown) if mine else SharedAnalysis.model_validate(shown)
    return AnalysisOut(
        dream_id=dream.id,
        status=dream.analysis_status,  # type: ignore[arg-type]
        analysis=analysis,
        versions={k: v for k, v in (rec.versions or {}).items() if mine or k not in ("distress", CAST_KEY)}
        if rec is not None and stored is not None else {},
        analysed_at=rec.analysed_at if rec is not None and stored is not None else None,
        attempts=(rec.attempts if rec is not None else 0) if mine else None,
        error=rec.error if mine and rec is not None else None,
    )


@router.get("/me/indicators", response_model=IndicatorsOut)
def my_indicators(user: User = Depends(require_user), session: Session = Depends(get_session)) -> IndicatorsOut:
    """The Hall & Van de Castle content indicators of your own analysed dreams, beside the male and
    female norms, with Cohen's h (a seeded random sample of 3,000 when you have more)."""
    return IndicatorsOut.model_validate(own_indicators(session, user))


def _cast_out(people: dict[str, str], reanalysing: int = 0) -> CastOut:
    return CastOut(
        people=[CastPersonOut(name=n, relation=r, code=code_for(r)) for n, r in people.items()],
        reanalysing=reanalysing,
    )


@router.get("/me/cast", response_model=CastOut)
def my_cast(user: User = Depends(require_user), session: Session = Depends(get_session)) -> CastOut:
    """The people of your dreams you have said who they are. Only you see this list."""
    return _cast_out(AnalysisRepository(session).cast_of(user.id))


@router.put("/me/cast", response_model=CastOut)
def set_my_cast(body: CastIn, user: User = Depends(require_user), session: Session = Depends(get_session)) -> CastOut:
    """Say who the people of your dreams are ("Frank": husband): no text alone can tell a husband from a
    friend, and Hall & Van de Castle coding counts them differently. The list replaces the one before, and
    your dreams are analysed again with it."""
    try:
        people = build_cast((p.name, p.relation) for p in body.people)
    except CastError as exc:
        raise Invalid(str(exc)) from exc
    dream_ids = save_cast(session, user, people)
    session.commit()
    tasks.queue_reanalysis(dream_ids)
    return _cast_out(people, len(dream_ids))
