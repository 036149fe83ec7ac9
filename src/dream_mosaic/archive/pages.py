"""Archive pages: search with facets and highlighted results, statistics, themes and research export.
Server-rendered and usable without JavaScript; the themes chart is SVG that a few lines of script make
interactive."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dream_mosaic.archive import export, service, tasks, themes
from dream_mosaic.archive.export import EXPORT_ROLES
from dream_mosaic.archive.repository import ArchiveRepository
from dream_mosaic.core.auth import get_session
from dream_mosaic.core.errors import MosaicError
from dream_mosaic.core.models import User
from dream_mosaic.core.pages import check_csrf, page_user, redirect, render

router = APIRouter(include_in_schema=False)
PAGE = 20
PALETTE = ["#4b3fb5", "#c2410c", "#0f766e", "#b91c1c", "#7c3aed", "#15803d", "#a16207", "#be185d", "#1d4ed8",
           "#4d7c0f", "#9f1239", "#0e7490"]


def _signin(request: Request) -> Response:
    return redirect(f"/signin?next={request.url.path}")


def _compose(params: Any) -> str:
    """The query the form describes: the typed query plus the filters chosen from the lists."""
    parts = [str(params.get("q", "")).strip()]
    series = [s for s in params.getlist("series") if re.fullmatch(r"[\w.*-]{1,120}", s)]
    if series:
        parts.append("series:" + ",".join(series))
    if params.get("sex") in ("F", "M"):
        parts.append(f"sex:{params['sex']}")
    for name in ("from", "to"):
        value = str(params.get(name, "")).strip()
        if re.fullmatch(r"\d{4}", value):
            parts.append(f"{name}:{value}")
    flags = [f for f in params.getlist("flag") if f in ("lucid", "nightmare", "recurring")]
    if flags:
        parts.append("flag:" + ",".join(flags))
    emotions = [e for e in params.getlist("emotion") if e in ("AN", "AP", "SD", "CO", "HA")]
    if emotions:
        parts.append("emotion:" + ",".join(emotions))
    return " ".join(p for p in parts if p)


def narrowed(query_text: str, extra: str) -> str:
    """The query with one more filter, keeping its meaning: ``a OR b`` becomes ``(a OR b) extra``."""
    if not query_text.strip():
        return extra
    return f"({query_text}) {extra}" if re.search(r"\bOR\b", query_text) else f"{query_text} {extra}"


def _link(path: str, **params: Any) -> str:
    return path + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


@router.get("/archive")
def search_page(request: Request, user: User | None = Depends(page_user),
                session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    params = request.query_params
    query_text = _compose(params)
    semantic = params.get("semantic") == "on"
    after = params.get("after")
    before = params.get("before")
    context: dict[str, Any] = {
        "user": user, "q": query_text, "semantic": semantic, "page": None, "error": None,
        "fields": service.field_help(), "series": ArchiveRepository(session).readable_series(user),
    }
    if query_text or params.get("go"):
        try:
            context["page"] = service.search(
                session, user, query_text, semantic=semantic, limit=PAGE, facets=not semantic,
                after=int(after) if after and after.isdigit() else None,
                before=int(before) if before and before.isdigit() else None)
        except MosaicError as exc:
            context["error"] = exc.detail
    context["link"] = lambda **kw: _link("/archive", **kw)
    context["with_filter"] = lambda f: _link("/archive", q=narrowed(query_text, f))
    return render(request, "archive/search.html", context, 422 if context["error"] else 200)


def _bars(rows: list[Any], width: int = 640, height: int = 180) -> dict[str, Any]:
    """Coordinates of a bar chart of shares (percent), for the template's SVG."""
    shown = [r for r in rows if r.key]
    top = max([r.share or 0 for r in shown] + [0.0001])
    step = width / max(len(shown), 1)
    bars = []
    for i, r in enumerate(shown):
        h = (r.share or 0) / top * (height - 30)
        bars.append({"x": round(i * step + step * 0.15, 1), "w": round(step * 0.7, 1), "y": round(height - 20 - h, 1),
                     "h": round(h, 1), "label": r.label, "share": r.share, "matches": r.matches,
                     "selection": r.selection})
    return {"width": width, "height": height, "bars": bars, "top": top}


@router.get("/archive/stats")
def stats_page(request: Request, user: User | None = Depends(page_user),
               session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    params = request.query_params
    q = str(params.get("q", ""))[:1000]
    by = str(params.get("by")) if params.get("by") in ("decade", "year", "series", "sex") else "decade"
    a, b = str(params.get("a", "sex:F"))[:500], str(params.get("b", "sex:M"))[:500]
    context: dict[str, Any] = {"user": user, "q": q, "by": by, "a": a, "b": b, "freq": None, "cmp": None,
                               "profile": None, "errors": [], "chart": None}
    if "q" in params:
        try:
            context["freq"] = service.frequency(session, user, q, by)
            context["chart"] = _bars(context["freq"].rows)
        except MosaicError as exc:
            context["errors"].append(exc.detail)
        if a.strip() and b.strip():
            try:
                context["cmp"] = service.compare(session, user, q, a, b)
            except MosaicError as exc:
                context["errors"].append(exc.detail)
        if params.get("profile") == "on":
            try:
                context["profile"] = service.profile(session, user, q)
            except MosaicError as exc:
                context["errors"].append(exc.detail)
    return render(request, "archive/stats.html", context, 422 if context["errors"] else 200)


def _theme_chart(out: Any, width: int = 640, height: int = 220) -> dict[str, Any] | None:
    """Lines of each theme's share of the dreams of each decade (SVG coordinates)."""
    decades = out.decades
    if not out.themes or len(decades) < 2:
        return None
    totals = {d: sum(t.over_time.get(d, 0) for t in out.themes) or 1 for d in decades}
    series = []
    top = 0.0001
    for t in out.themes:
        shares = [t.over_time.get(d, 0) / totals[d] for d in decades]
        top = max(top, *shares)
        series.append((t, shares))
    step = (width - 60) / (len(decades) - 1)
    lines = []
    for i, (t, shares) in enumerate(series):
        points = [(round(40 + j * step, 1), round(height - 30 - s / top * (height - 50), 1)) for j, s in
                  enumerate(shares)]
        lines.append({"number": t.number, "label": t.label, "colour": PALETTE[i % len(PALETTE)],
                      "path": " ".join(f"{x},{y}" for x, y in points),
                      "dots": [{"x": x, "y": y, "decade": d, "share": s, "count": t.over_time.get(d, 0)}
                               for (x, y), d, s in zip(points, decades, shares, strict=True)]})
    axis = [{"x": round(40 + j * step, 1), "label": f"{d}s"} for j, d in enumerate(decades)]
    return {"width": width, "height": height, "lines": lines, "axis": axis, "top": top}


@router.get("/archive/themes")
def themes_page(request: Request, user: User | None = Depends(page_user),
                session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    q = str(request.query_params.get("q", ""))[:1000]
    context: dict[str, Any] = {"user": user, "q": q, "out": None, "chart": None, "error": None}
    try:
        context["out"] = themes.show(session, user, q)
        context["chart"] = _theme_chart(context["out"])
    except MosaicError as exc:
        context["error"] = exc.detail
    return render(request, "archive/themes.html", context)


async def _checked_form(request: Request) -> tuple[Any, str]:
    """A posted form whose CSRF token is valid, and its query."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    return form, str(form.get("q", ""))[:1000]


@router.post("/archive/themes")
async def run_themes(request: Request, user: User | None = Depends(page_user),
                     session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form, q = await _checked_form(request)
    k_raw = str(form.get("k", "")).strip()
    try:
        themes.discover(session, user, q, k=int(k_raw) if k_raw.isdigit() and 2 <= int(k_raw) <= 30 else None)
        session.commit()
    except MosaicError as exc:
        session.rollback()
        return render(request, "archive/themes.html",
                      {"user": user, "q": q, "out": None, "chart": None, "error": exc.detail}, exc.status)
    return redirect(_link("/archive/themes", q=q, flash="Themes updated."))


def _export_page(request: Request, user: User, session: Session, q: str, error: str | None = None,
                 status: int = 200) -> Response:
    allowed = user.role in EXPORT_ROLES
    context = {"user": user, "allowed": allowed, "q": q, "error": error, "columns": export.DICTIONARY,
               "exports": [export.present(e) for e in export.mine(session, user)] if allowed else []}
    return render(request, "archive/export.html", context, status if allowed else 403)


@router.get("/archive/export")
def export_page(request: Request, user: User | None = Depends(page_user),
                session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    return _export_page(request, user, session, str(request.query_params.get("q", ""))[:1000])


@router.post("/archive/export")
async def export_request(request: Request, user: User | None = Depends(page_user),
                         session: Session = Depends(get_session)) -> Response:
    if user is None:
        return _signin(request)
    form, q = await _checked_form(request)
    try:
        record = export.request(session, user, q, str(form.get("format", "csv")))
        session.commit()
    except MosaicError as exc:
        session.rollback()
        return _export_page(request, user, session, q, exc.detail, exc.status)
    tasks.enqueue_export(record.id)
    return redirect("/archive/export?flash=Your+export+is+being+prepared.+Reload+to+see+when+it+is+ready.")
