"""Accounts, roles and the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dream_mosaic.core import auth
from dream_mosaic.core.errors import Conflict, Forbidden, NotFound
from dream_mosaic.core.models import AuditEntry, Role, User, utcnow
from dream_mosaic.governance.repository import AuditRepository, UserRepository
from dream_mosaic.governance.rules import GENESIS, entry_hash


def record(session: Session, actor: User | None, action: str, subject: str | None = None,
           **detail: Any) -> AuditEntry:
    """Append to the audit log in the caller's transaction. Never put dream text in ``detail``."""
    repo = AuditRepository(session)
    repo.lock_chain()
    last = repo.last()
    prev = last.hash if last else GENESIS
    at = utcnow()
    actor_id = actor.id if actor else None
    entry = AuditEntry(at=at, actor_id=actor_id, action=action, subject=subject, detail=detail,
                       prev_hash=prev, hash=entry_hash(prev, at, actor_id, action, subject, detail))
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session) -> dict[str, Any]:
    """Recompute every hash; report the first entry that was altered, removed or inserted."""
    prev = GENESIS
    count = 0
    for entry in AuditRepository(session).in_order():
        expected = entry_hash(prev, entry.at, entry.actor_id, entry.action, entry.subject, entry.detail)
        if entry.prev_hash != prev or entry.hash != expected:
            return {"valid": False, "entries": count, "broken_at": entry.seq}
        prev = entry.hash
        count += 1
    return {"valid": True, "entries": count, "broken_at": None}


def sign_up(session: Session, username: str, password: str, display_name: str | None) -> User:
    if UserRepository(session).by_name(username) is not None:
        raise Conflict("That username is taken; please choose another.")
    try:
        user = auth.create_user(session, username, password, Role.dreamer.value, display_name)
    except IntegrityError as exc:
        raise Conflict("That username is taken; please choose another.") from exc
    record(session, user, "account.created", user.id)
    return user


def set_role(session: Session, admin: User, username: str, role: str) -> User:
    if admin.role != Role.admin.value:
        raise Forbidden("Only an admin can change roles.")
    user = UserRepository(session).by_name(username)
    if user is None:
        raise NotFound("No member with that username.")
    old = user.role
    user.role = role
    record(session, admin, "role.changed", user.id, old=old, new=role)
    return user
