"""Accounts (``/api/v1/auth``, ``/api/v1/me``), roles and the audit log (``/api/v1/governance``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from dream_mosaic.core import auth
from dream_mosaic.core.auth import get_session, require_role, require_user
from dream_mosaic.core.errors import Unauthorized
from dream_mosaic.core.models import User
from dream_mosaic.governance import service
from dream_mosaic.governance.repository import AuditRepository, UserRepository
from dream_mosaic.governance.schemas import AuditOut, RoleChange, SignIn, SignUp, TokenOut, UserOut

router = APIRouter(prefix="/api/v1", tags=["accounts and governance"])


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, alias=user.alias,
                   role=user.role)


@router.post("/auth/signup", status_code=201, response_model=TokenOut)
def sign_up(data: SignUp, session: Session = Depends(get_session)) -> TokenOut:
    user = service.sign_up(session, data.username, data.password, data.display_name)
    token = auth.issue_token(session, user, "api")
    session.commit()
    return TokenOut(access_token=token, user=user_out(user))


@router.post("/auth/token", response_model=TokenOut)
def sign_in(data: SignIn, session: Session = Depends(get_session)) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    user = auth.authenticate(session, data.username, data.password)
    if user is None:
        raise Unauthorized("Wrong username or password.")
    token = auth.issue_token(session, user, "api")
    session.commit()
    return TokenOut(access_token=token, user=user_out(user))


@router.post("/auth/signout", status_code=204)
def sign_out(request: Request, session: Session = Depends(get_session)) -> Response:
    """Revoke the token this request carries."""
    _, token = auth.presented_token(request)
    if token:
        auth.revoke_token(session, token)
        session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(user: User = Depends(require_user)) -> UserOut:
    return user_out(user)


@router.get("/governance/users", response_model=list[UserOut])
def list_users(_: User = Depends(require_role("admin", "guardian")),
               session: Session = Depends(get_session)) -> list[UserOut]:
    return [user_out(u) for u in UserRepository(session).all()]


@router.put("/governance/users/{username}/role", response_model=UserOut)
def change_role(username: str, data: RoleChange, admin: User = Depends(require_role("admin")),
                session: Session = Depends(get_session)) -> UserOut:
    user = service.set_role(session, admin, username, data.role)
    session.commit()
    return user_out(user)


@router.get("/governance/audit", response_model=list[AuditOut])
def audit_log(limit: int = Query(100, ge=1, le=1000), before: int | None = Query(None, ge=1, le=2**63 - 1),
              _: User = Depends(require_role("guardian")),
              session: Session = Depends(get_session)) -> list[AuditOut]:
    return [AuditOut.model_validate(e, from_attributes=True) for e in AuditRepository(session).recent(limit, before)]


@router.get("/governance/audit/verify")
def verify_audit(_: User = Depends(require_role("guardian")),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
    """Recompute the hash chain: ``valid`` is false if any entry was altered, removed or inserted."""
    return service.verify_chain(session)
