"""The analysis on the dream's page: its words highlighted where they carry an emotion, and who did what
to whom where, in the dreamer's words.

``journal/view.html`` leaves ``{% block analysis %}`` for this feature; ``analysis/section.html`` fills
it, reading the stored analysis through ``dream_analysis(dream, user)``, a template function registered
here. ``/journal/{id}/analysis`` renders the same page as ``analysis/dream.html``. If no analysis is
stored (or the feature is absent) the journal page renders as before.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, object_session

from dream_mosaic.analysis import tasks  # also subscribes analysis to dream events
from dream_mosaic.analysis.cast import RELATIONS, CastError, build_cast
from dream_mosaic.analysis.indicators import involves_dreamer
from dream_mosaic.analysis.repository import AnalysisRepository
from dream_mosaic.analysis.schemas import EMOTION_NAMES
from dream_mosaic.analysis.service import (
    current_analysis,
    highlight_segments,
    names_in_own_dreams,
    save_cast,
    stated_in_own_dreams,
    visible_analysis,
)
from dream_mosaic.core import consent
from dream_mosaic.core.auth import get_session
from dream_mosaic.core.models import Dream, User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render, templates
from dream_mosaic.journal import service as journal

router = APIRouter(include_in_schema=False)


def _label(codes: list[str]) -> str:
    return ", ".join(EMOTION_NAMES.get(c, c) for c in codes)


_EVENTS = {"misfortunes": "misfortune", "good_fortunes": "good fortune", "successes": "success", "failures": "failure"}


def _who(code: str, characters: list[dict[str, Any]]) -> str:
    """A person as the dreamer reads them: "you", the words of the character coded so, or "someone"."""
    if involves_dreamer(code):
        return "you" if code.strip() == "D" else "you and others"
    for c in characters:
        if c.get("code") == code:
            return str(c.get("text") or code)
    return "someone"


def describe(shown: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Interactions, settings and events in the dreamer's words ("a man → you: chased")."""
    chars = shown.get("characters") or []
    interactions = [
        {"kind": i["kind"], "physical": bool(i.get("physical")), "who": _who(i.get("initiator") or "", chars),
         "whom": _who(i.get("recipient") or "", chars), "words": ", ".join(i.get("words") or [])}
        for i in shown.get("interactions") or []
    ]
    settings = [
        {"where": f"{s['location']}, {s['familiarity']}", "words": ", ".join(s.get("words") or [])}
        for s in shown.get("settings") or []
    ]
    events = [
        {"kind": label, "who": _who(e.get("character") or "", chars), "words": ", ".join(e.get("words") or [])}
        for kind, label in _EVENTS.items()
        for e in shown.get(kind) or []
    ]
    return {"interactions": interactions, "settings": settings, "events": events}


def dream_analysis(dream: Dream, viewer: User | None) -> dict[str, Any] | None:
    """What the analysis section shows ``viewer`` (who the page has already let read ``dream``)."""
    session = object_session(dream)
    if session is None:
        return None
    rec = AnalysisRepository(session).get(dream.id)
    mine = consent.is_owner(viewer, dream)
    stored = current_analysis(dream, rec)
    view: dict[str, Any] = {"status": dream.analysis_status, "mine": mine,
                            "error": rec.error if mine and rec is not None else None}
    if stored is None:
        return view
    shown = visible_analysis(stored, is_dreamer=mine)
    segments = highlight_segments(dream.text, shown.get("emotions") or [])
    for piece in segments:
        piece["title"] = _label(piece["codes"])
    felt: dict[str, list[str]] = {}
    for emotion in shown.get("emotions") or []:
        felt.setdefault(emotion["code"], []).extend(emotion.get("words") or [])
    view.update(
        segments=segments,
        emotions=[{"code": c, "name": EMOTION_NAMES.get(c, c), "words": sorted(set(w))} for c, w in felt.items()],
        valence=shown.get("valence", 0.0),
        characters=shown.get("characters") or [],
        **describe(shown),
        motifs=shown.get("motifs") or [],
        distress=shown.get("distress") or [],
    )
    return view


templates.env.globals["dream_analysis"] = dream_analysis


@router.get("/journal/{dream_id}/analysis")
def analysis_page(dream_id: str, request: Request, user: User | None = Depends(page_user),
                  session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect(f"/signin?next={request.url.path}")
    dream = journal.readable_dream(session, user, dream_id)
    return render(request, "analysis/dream.html",
                  {"user": user, "dream": dream, "shown": journal.present(dream, user),
                   "mine": dream.owner_id == user.id})


def _cast_page(request: Request, session: Session, user: User, cast: dict[str, str], lines: str,
               errors: list[str], status: int = 200) -> Response:
    stated = stated_in_own_dreams(session, user, cast)
    said = {s.name.lower() for s in stated}
    named = [(name, n) for name, n in names_in_own_dreams(session, user, cast) if name.lower() not in said]
    return render(request, "analysis/cast.html",
                  {"user": user, "lines": lines, "errors": errors, "relations": sorted(RELATIONS),
                   "stated": stated, "named": named, "flash": request.query_params.get("flash")},
                  status)


def parse_cast_lines(text: str) -> list[tuple[str, str]]:
    """``Frank: husband`` per line -> ``[("Frank", "husband")]``; blank lines are skipped."""
    people = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, relation = line.partition(":")
        if not sep or not relation.strip():
            raise CastError(f"line {n}, '{line.strip()}': write it as name: relation, for example Frank: husband")
        people.append((name, relation.strip()))
    return people


@router.get("/me/cast")
def cast_page(request: Request, user: User | None = Depends(page_user),
              session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect(f"/signin?next={request.url.path}")
    cast = AnalysisRepository(session).cast_of(user.id)
    return _cast_page(request, session, user, cast, "\n".join(f"{n}: {r}" for n, r in cast.items()), [])


@router.post("/me/cast")
async def save_cast_page(request: Request, user: User | None = Depends(page_user),
                         session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect(f"/signin?next={request.url.path}")
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    lines = str(form.get("people", ""))
    try:
        people = build_cast(parse_cast_lines(lines))
    except CastError as exc:
        return _cast_page(request, session, user, AnalysisRepository(session).cast_of(user.id), lines, [str(exc)], 422)
    dream_ids = save_cast(session, user, people)
    session.commit()
    tasks.queue_reanalysis(dream_ids)
    saved = f"Saved. {len(dream_ids)} of your dreams are being analysed again." if dream_ids else "Saved."
    return redirect("/me/cast?flash=" + quote_plus(saved))
