"""Sign-in, sign-up and sign-out pages (session cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dream_mosaic.core import auth
from dream_mosaic.core.auth import SESSION_COOKIE, get_session
from dream_mosaic.core.errors import Conflict, Forbidden, Invalid
from dream_mosaic.core.models import User
from dream_mosaic.core.pages import check_csrf, check_login_csrf, page_user, redirect, render, render_login_form
from dream_mosaic.governance import service
from dream_mosaic.governance.schemas import SignUp

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a link send people anywhere after sign-in.
    return target if target and target.startswith("/") and not target.startswith("//") else "/journal"


def _signed_in(request: Request, session: Session, user: User, target: str) -> Response:
    token = auth.issue_token(session, user, "session")
    session.commit()
    response = redirect(_safe_next(target))
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    return response


@router.get("/")
def home(request: Request, user: User | None = Depends(page_user)) -> Response:
    return render(request, "home.html", {"user": user})


@router.get("/signin")
def signin_form(request: Request, next: str | None = None, user: User | None = Depends(page_user)) -> Response:
    return render_login_form(request, "governance/signin.html", {"user": user, "next": _safe_next(next)})


@router.post("/signin")
def signin(request: Request, username: str = Form(max_length=64), password: str = Form(max_length=256),
           next: str = Form("/journal"), csrf: str = Form("", max_length=256),
           session: Session = Depends(get_session)) -> Response:
    check_login_csrf(request, csrf)
    user = auth.authenticate(session, username, password)
    if user is None:
        return render_login_form(request, "governance/signin.html", {
            "error": "Wrong username or password.", "username": username, "next": _safe_next(next)}, status=401)
    return _signed_in(request, session, user, next)


@router.get("/signup")
def signup_form(request: Request) -> Response:
    return render_login_form(request, "governance/signup.html", {})


@router.post("/signup")
def signup(request: Request, username: str = Form(max_length=64), password: str = Form(max_length=256),
           display_name: str = Form("", max_length=120), csrf: str = Form("", max_length=256),
           session: Session = Depends(get_session)) -> Response:
    check_login_csrf(request, csrf)
    try:
        data = SignUp(username=username, password=password, display_name=display_name or None)
        user = service.sign_up(session, data.username, data.password, data.display_name)
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                           for e in exc.errors())
        return render_login_form(request, "governance/signup.html",
                                 {"error": errors, "username": username, "display_name": display_name}, status=422)
    except Conflict as exc:
        return render_login_form(request, "governance/signup.html",
                                 {"error": exc.detail, "username": username, "display_name": display_name}, status=409)
    return _signed_in(request, session, user, "/journal")


@router.post("/signout")
def signout(request: Request, csrf: str = Form(""), session: Session = Depends(get_session)) -> Response:
    check_csrf(request, csrf, request.app.state.platform)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.revoke_token(session, token)
        session.commit()
    response = redirect("/?flash=You+are+signed+out.")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/governance")
def governance_console(request: Request, user: User | None = Depends(page_user),
                       session: Session = Depends(get_session)) -> Response:
    """Guardians see the audit log and whether its chain is intact; admins also manage roles."""
    if user is None:
        return redirect("/signin?next=/governance")
    if user.role not in {"guardian", "admin"}:
        raise Forbidden("The governance console is for guardians and admins.")
    from dream_mosaic.governance.repository import AuditRepository, UserRepository

    return render(request, "governance/console.html", {
        "user": user,
        "chain": service.verify_chain(session),
        "entries": AuditRepository(session).recent(100),
        "people": UserRepository(session).all() if user.role == "admin" else [],
        "roles": ["dreamer", "guide", "guardian", "archivist", "admin"],
    })


@router.post("/governance/roles")
async def change_role(request: Request, user: User | None = Depends(page_user),
                      session: Session = Depends(get_session)) -> Response:
    if user is None:
        return redirect("/signin?next=/governance")
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")), request.app.state.platform)
    role = str(form.get("role", ""))
    if role not in {"dreamer", "guide", "guardian", "archivist", "admin"}:
        raise Invalid("Choose one of the listed roles.")
    target = service.set_role(session, user, str(form.get("username", "")), role)
    session.commit()
    return redirect(f"/governance?flash={target.username}+is+now+{role}.")
