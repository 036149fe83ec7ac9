"""Server-rendered pages: one Jinja environment over the shared layout and each feature's templates,
the signed-in person from the session cookie, and CSRF protection for forms.

Forms of a signed-in person carry a token bound to their session cookie (``check_csrf``). The sign-in and
sign-up forms come before any session, so they carry a token bound to a pre-session cookie instead
(``render_login_form`` / ``check_login_csrf``, a signed double submit): another site cannot sign a
visitor in to an account of its choosing (login CSRF), because its POST carries neither the cookie
(``SameSite=Lax``) nor a token matching it.

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
from dream_mosaic.core.security import csrf_token, csrf_valid, new_token

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
    ctx.setdefault("login_csrf", "")
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


LOGIN_COOKIE = "mosaic_login"
LOGIN_FORM_EXPIRED = ("This sign-in form has expired or was not sent from this site. "
                      "Please reload the page and try again.")


def _login_token(secret: str, nonce: str) -> str:
    return csrf_token(secret, "login:" + nonce)


def render_login_form(request: Request, name: str, context: dict[str, Any] | None = None,
                      status: int = 200) -> Response:
    """Render a sign-in or sign-up form with its pre-session CSRF token (``login_csrf`` in the template),
    setting the pre-session cookie the token is bound to if the browser has none yet."""
    platform: Platform = request.app.state.platform
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    fresh = not (16 <= len(nonce) <= 128)
    if fresh:
        nonce = new_token()
    ctx = dict(context or {})
    ctx["login_csrf"] = _login_token(platform.secret, nonce)
    response = render(request, name, ctx, status)
    if fresh:
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    return response


def check_login_csrf(request: Request, form_token: str) -> None:
    """Refuse a sign-in or sign-up POST that does not carry the token of this browser's pre-session cookie
    (403): a form posted from another site, or one older than the browser's cookie."""
    platform: Platform = request.app.state.platform
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    if not nonce or not csrf_valid(platform.secret, "login:" + nonce, form_token):
        raise Forbidden(LOGIN_FORM_EXPIRED)
