"""Who is asking: bearer tokens for the API, a session cookie for pages, and role checks.

These are FastAPI dependencies; the rules about *what* a person may read live in ``consent``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dream_mosaic.core.errors import Forbidden, Unauthorized
from dream_mosaic.core.models import AuthToken, User
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.security import hash_password, new_token, token_hash, verify_password

SESSION_COOKIE = "mosaic_session"
SESSION_LIFETIME = timedelta(days=30)
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
T = TypeVar("T")


async def get_platform(request: Request) -> Platform:
    """The platform of this app. A coroutine so that FastAPI resolves it on the event loop instead of
    sending it to a worker thread (every request's dependencies start from it)."""
    platform: Platform = request.app.state.platform
    return platform


_write_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def sqlite_write_slot(request: Request, platform: Platform = Depends(get_platform)) -> AsyncIterator[None]:
    """On SQLite, one writing request at a time per server, queued in the event loop.

    Writers take SQLite's write lock up front (``BEGIN IMMEDIATE``) in a worker thread. With as many
    concurrent writers as the thread pool has threads (40), every thread could sit in SQLite's busy
    wait while the request that holds the lock waited for a free thread to run its endpoint: nothing
    moved until the 30 s busy timeout, then 'database is locked'. Waiting here costs no thread.
    """
    if request.method in READ_METHODS or not platform.db.is_sqlite:
        yield
        return
    loop = asyncio.get_running_loop()
    lock = _write_slots.get(loop)
    if lock is None:
        lock = _write_slots.setdefault(loop, asyncio.Lock())
    async with lock:
        yield


def get_session(
    request: Request, platform: Platform = Depends(get_platform), _slot: None = Depends(sqlite_write_slot)
) -> Iterator[Session]:
    """One database session per request. Writers take the write lock up front; endpoints commit
    explicitly before answering, so an acknowledged write is a durable one."""
    session = platform.db.session(write=request.method not in READ_METHODS)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def issue_token(session: Session, user: User, kind: str) -> str:
    token = new_token()
    expires = datetime.now(UTC) + SESSION_LIFETIME if kind == "session" else None
    session.add(AuthToken(user_id=user.id, token_hash=token_hash(token), kind=kind, expires_at=expires))
    return token


def revoke_token(session: Session, token: str) -> None:
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == token_hash(token)))
    if row is not None:
        session.delete(row)


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    return user if ok and user is not None and not user.disabled else None


def create_user(session: Session, username: str, password: str, role: str, display_name: str | None = None) -> User:
    user = User(
        username=username.strip().lower(),
        display_name=(display_name or username).strip(),
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def presented_token(request: Request) -> tuple[str | None, str | None]:
    """The secret the request carries and where: ('api', token) or ('session', token)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return "api", header[7:].strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return "session", cookie
    return None, None


def user_for_token(session: Session, token: str, kind: str) -> User | None:
    row = session.scalar(
        select(AuthToken).where(AuthToken.token_hash == token_hash(token), AuthToken.kind == kind)
    )
    if row is None or row.user.disabled:
        return None
    if row.expires_at is not None:
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):
            return None
    return row.user


def get_read_session(platform: Platform = Depends(get_platform)) -> Iterator[Session]:
    """A reading session for a request whose write goes through ``platform.writer`` (group commit)."""
    session = platform.db.session(write=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def current_user(request: Request, session: Session = Depends(get_session)) -> User | None:
    return identify(request, session)


async def writing_user(request: Request) -> User:
    """The signed-in person of a write that ``platform.writer`` will run; holds no write lock itself.

    One trip to a worker thread for the whole lookup (session, query, close): as separate sync
    dependencies it took four, and under load each trip waits for a thread and the GIL."""
    platform: Platform = request.app.state.platform

    def lookup() -> User | None:
        session = platform.db.session(write=False)
        try:
            return identify(request, session)
        finally:
            session.close()  # ends the read transaction; unlike rollback(), leaves the user's attributes loaded

    user = await run_in_threadpool(lookup)
    if user is None:
        raise Unauthorized("Please sign in first.")
    return user


async def read_as_user(request: Request, work: Callable[[Session, User], T]) -> T:
    """Run ``work(session, user)`` for the signed-in person on a reading session, all in ONE trip to a
    worker thread (session, identification, the work, close). For hot read endpoints: a sync dependency
    chain (session, current user, required user, then the endpoint) is four trips, and under load each
    trip waits for a thread and the GIL. Raises ``Unauthorized`` as ``require_user`` does."""
    platform: Platform = request.app.state.platform

    def run() -> T:
        session = platform.db.read_only_session()
        try:
            user = identify(request, session)
            if user is None:
                raise Unauthorized("Please sign in first.")
            return work(session, user)
        finally:
            session.rollback()
            session.close()

    return await run_in_threadpool(run)


def identify(request: Request, session: Session) -> User | None:
    kind, token = presented_token(request)
    if kind is None or token is None:
        return None
    if kind == "session" and request.method not in READ_METHODS:
        # The API writes only for bearer tokens; pages post forms with CSRF tokens instead.
        return None
    user = user_for_token(session, token, kind)
    if user is None and kind == "api":
        raise Unauthorized("That access token is not valid: sign in again to get a new one.")
    return user


def require_user(user: User | None = Depends(current_user)) -> User:
    if user is None:
        raise Unauthorized("Please sign in first.")
    return user


def require_role(*roles: str) -> Callable[[User], User]:
    def check(user: User = Depends(require_user)) -> User:
        if user.role not in roles and user.role != "admin":
            raise Forbidden(f"This needs one of the roles: {', '.join(roles)}.")
        return user

    return check
