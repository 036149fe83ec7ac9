"""Server-rendered pages: one Jinja environment over the shared layout and each feature's templates,
the signed-in person from the session cookie, and CSRF protection for forms.

Templates autoescape everything: dream text is always rendered as text, never as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from sqlalchemy.orm import Session

from dream_mosaic import __version__
from dream_mosaic.core.auth import SESSION_COOKIE, get_platform, get_session, user_for_token
from dream_mosaic.core.errors import Forbidden
from dream_mosaic.core.models import User
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.security import csrf_token, csrf_valid

PACKAGE = Path(__file__).resolve().parent.parent
FEATURES = ("journal", "circles", "analysis", "mosaic", "archive", "governance")

_env = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(PACKAGE / "web" / "templates"),
            PrefixLoader({f: FileSystemLoader(PACKAGE / f / "templates") for f in FEATURES}),
        ]
    ),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
templates = Jinja2Templates(env=_env)


def page_user(request: Request, session: Session = Depends(get_session)) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    return user_for_token(session, token, "session") if token else None


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    platform: Platform = request.app.state.platform
    ctx = dict(context or {})
    session_token = request.cookies.get(SESSION_COOKIE) or ""
    ctx.setdefault("user", getattr(request.state, "page_user", None))
    ctx["csrf"] = csrf_token(platform.secret, session_token) if session_token else ""
    ctx["version"] = __version__
    ctx["flash"] = request.query_params.get("flash")
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def check_csrf(request: Request, form_token: str, platform: Platform = Depends(get_platform)) -> None:
    session_token = request.cookies.get(SESSION_COOKIE) or ""
    if not session_token or not csrf_valid(platform.secret, session_token, form_token):
        raise Forbidden("This form has expired. Please go back, reload the page and try again.")
