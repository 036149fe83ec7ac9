from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dream_mosaic.core.models import AuditEntry, User


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_chain(self) -> None:
        """Serialise appends so the chain never forks (SQLite already holds the write lock)."""
        if self.session.bind is not None and self.session.bind.dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(7224201)"))

    def last(self) -> AuditEntry | None:
        return self.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))

    def recent(self, limit: int, before: int | None = None) -> list[AuditEntry]:
        stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if before is not None:
            stmt = stmt.where(AuditEntry.seq < before)
        return list(self.session.scalars(stmt))

    def in_order(self) -> Iterator[AuditEntry]:
        yield from self.session.scalars(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def by_name(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username.strip().lower()))
