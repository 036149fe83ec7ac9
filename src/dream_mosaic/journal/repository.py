"""Every journal query. Reads start from the consent gate; writes touch only the owner's rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from sqlalchemy import Select, String, Text, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from dream_mosaic.core import consent
from dream_mosaic.core.models import Circle, CircleMember, Dream, IdempotencyKey, User

SORTS = {
    "dreamt_on": (Dream.dreamt_on.asc(), Dream.created_at.asc()),
    "-dreamt_on": (Dream.dreamt_on.desc(), Dream.created_at.desc()),
    "created_at": (Dream.created_at.asc(),),
    "-created_at": (Dream.created_at.desc(),),
    "title": (Dream.title.asc(), Dream.created_at.asc()),
    "-title": (Dream.title.desc(), Dream.created_at.desc()),
}


def _like_literal(words: str) -> str:
    """Search words matched as typed: LIKE's wildcards (% and _) and the escape character lose their power."""
    return words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class DreamRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_readable(self, viewer: User | None, dream_id: str) -> Dream | None:
        return self.session.scalar(consent.readable_dreams(viewer).where(Dream.id == dream_id))

    def get_own(self, viewer: User, dream_id: str) -> Dream | None:
        return self.session.scalar(consent.own_dreams(viewer).where(Dream.id == dream_id))

    def own_query(
        self,
        viewer: User,
        *,
        q: str | None = None,
        tag: str | None = None,
        visibility: str | None = None,
        lucid: bool | None = None,
        nightmare: bool | None = None,
        recurring: bool | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Select[Dream]:
        stmt = consent.own_dreams(viewer)
        if q:
            pattern = f"%{_like_literal(q.lower())}%"
            stmt = stmt.where(func.lower(Dream.text).like(pattern, escape="\\")
                              | func.lower(Dream.title).like(pattern, escape="\\"))
        if visibility:
            stmt = stmt.where(Dream.visibility == visibility)
        for column, wanted in ((Dream.lucid, lucid), (Dream.nightmare, nightmare), (Dream.recurring, recurring)):
            if wanted is not None:
                stmt = stmt.where(column.is_(wanted))
        if since:
            stmt = stmt.where(Dream.dreamt_on >= since)
        if until:
            stmt = stmt.where(Dream.dreamt_on <= until)
        if tag:
            # Tags are a small JSON list; matching the tag inside its JSON text works on SQLite and PostgreSQL.
            # The needle is spelt as the list is stored (json.dumps: non-ASCII and quotes escaped).
            needle = _like_literal(json.dumps(tag.lower()))
            stmt = stmt.where(func.lower(cast(Dream.tags, Text)).like(f"%{needle}%", escape="\\"))
        return stmt

    def page(self, stmt: Select[Dream], sort: str, limit: int, offset: int) -> tuple[list[Dream], int]:
        total = self.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = self.session.scalars(stmt.order_by(*SORTS[sort]).limit(limit).offset(offset)).all()
        return list(rows), total

    def iter_own(self, viewer: User, batch: int = 500) -> Iterator[Dream]:
        stmt = consent.own_dreams(viewer).order_by(Dream.created_at, Dream.id)
        yield from self.session.scalars(stmt.execution_options(yield_per=batch))

    def hashes_of(self, owner_id: str, hashes: list[str]) -> set[str]:
        if not hashes:
            return set()
        if self.session.get_bind().dialect.name == "postgresql":
            # One array parameter instead of thousands of bound names: planning a long IN list is slow, and
            # so is building an ARRAY[...] of one bound value per hash (0.1 s per 5,000 in SQLAlchemy).
            wanted = Dream.content_hash == any_(bindparam("hashes", hashes, type_=ARRAY(String(64))))
        else:
            wanted = Dream.content_hash.in_(hashes)
        rows = self.session.scalars(select(Dream.content_hash).where(Dream.owner_id == owner_id, wanted))
        return set(rows)

    def own_ids(self, owner_id: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.session.scalars(select(Dream.id).where(Dream.owner_id == owner_id, Dream.id.in_(ids))))

    def member_circle_ids(self, viewer: User, circle_ids: list[str]) -> set[str]:
        """Of ``circle_ids``, those the viewer belongs to (one may share only into one's own circles)."""
        if not circle_ids:
            return set()
        rows = self.session.scalars(
            select(Circle.id)
            .join(CircleMember, CircleMember.circle_id == Circle.id)
            .where(Circle.id.in_(circle_ids), CircleMember.user_id == viewer.id)
        )
        return set(rows)

    def idempotent(self, user_id: str, key: str) -> IdempotencyKey | None:
        return self.session.get(IdempotencyKey, (user_id, key))

