"""Every query of stored analyses. Reads for a person start from the consent gate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from dream_mosaic.analysis.models import EMOTION_COLUMNS, AnalysisRecord, DreamerCast
from dream_mosaic.core import consent
from dream_mosaic.core.models import Dream, User


def emotion_present(code: str) -> ColumnElement[bool]:
    """A WHERE clause for "this emotion class is present" (join ``AnalysisRecord`` first)."""
    column = getattr(AnalysisRecord, EMOTION_COLUMNS[code.upper()])
    return column.is_(True)  # type: ignore[no-any-return]


class AnalysisRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def readable(self, viewer: User | None, dream_id: str) -> tuple[Dream, AnalysisRecord | None] | None:
        """The dream (if ``viewer`` may read it) and its stored analysis (if any)."""
        dream = self.session.scalar(consent.readable_dreams(viewer).where(Dream.id == dream_id))
        if dream is None:
            return None
        return dream, self.session.get(AnalysisRecord, dream_id)

    def get(self, dream_id: str) -> AnalysisRecord | None:
        return self.session.get(AnalysisRecord, dream_id)

    def records(self, dream_ids: Sequence[str]) -> dict[str, AnalysisRecord]:
        if not dream_ids:
            return {}
        rows = self.session.scalars(select(AnalysisRecord).where(AnalysisRecord.dream_id.in_(dream_ids)))
        return {r.dream_id: r for r in rows}

    def dream_texts(self, dream_ids: Sequence[str], *, lock: bool = False) -> dict[str, str]:
        """Current text of each dream that still exists (deleted ones are simply absent)."""
        if not dream_ids:
            return {}
        stmt = select(Dream.id, Dream.text).where(Dream.id.in_(dream_ids))
        if lock and not self._sqlite:
            stmt = stmt.with_for_update()  # SQLite already holds the write lock (BEGIN IMMEDIATE)
        return {row.id: row.text for row in self.session.execute(stmt)}

    def dreamer_casts(self, dream_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """For each of these dreams whose dreamer declared a cast, that cast (only to analyse the dream)."""
        if not dream_ids:
            return {}
        rows = self.session.execute(
            select(Dream.id, DreamerCast.people)
            .join(DreamerCast, DreamerCast.user_id == Dream.owner_id)
            .where(Dream.id.in_(dream_ids))
        )
        return {row.id: dict(row.people) for row in rows if row.people}

    def cast_of(self, user_id: str) -> dict[str, str]:
        """A dreamer's declared cast, name -> relation (empty if none)."""
        row = self.session.get(DreamerCast, user_id)
        return dict(row.people) if row is not None and row.people else {}

    def save_cast(self, user_id: str, people: dict[str, str]) -> None:
        row = self.session.get(DreamerCast, user_id)
        if row is None:
            self.session.add(DreamerCast(user_id=user_id, people=dict(people)))
        else:
            row.people = dict(people)

    def own_dream_ids(self, viewer: User) -> list[str]:
        stmt = consent.own_dreams(viewer).with_only_columns(Dream.id).order_by(Dream.id)
        return list(self.session.scalars(stmt))

    def own_dream_sample(self, viewer: User, sample: int) -> tuple[int, list[str]]:
        """How many dreams ``viewer`` owns, and the ids of a seeded sample of ``sample`` of them (all when
        fewer): the same sample for every summary of the dreamer's own dreams."""
        import random

        ids = self.own_dream_ids(viewer)
        return len(ids), random.Random(0).sample(ids, sample) if len(ids) > sample else ids

    def own_dream_texts(self, viewer: User, sample: int) -> list[str]:
        """The texts of ``viewer``'s own dreams, through the consent gate's own-dreams query (a seeded
        sample of ``sample`` when there are more)."""
        _n, chosen = self.own_dream_sample(viewer, sample)
        texts: list[str] = []
        for start in range(0, len(chosen), 500):
            stmt = consent.own_dreams(viewer).with_only_columns(Dream.text).where(
                Dream.id.in_(chosen[start : start + 500])
            )
            texts += list(self.session.scalars(stmt))
        return texts

    def set_dream_status(self, dream_ids: Sequence[str], status: str) -> None:
        """Set ``Dream.analysis_status`` without touching the dream's own ``updated_at``."""
        if dream_ids:
            self.session.execute(
                update(Dream)
                .where(Dream.id.in_(dream_ids))
                .values(analysis_status=status, updated_at=Dream.updated_at)
            )

    def dream_ids(self, *, since: datetime | None = None, statuses: Sequence[str] | None = None,
                  chunk: int = 500) -> Iterator[list[str]]:
        """Every dream id (optionally changed since a time, or in some analysis states), in chunks."""
        stmt = select(Dream.id).order_by(Dream.id)
        if since is not None:
            stmt = stmt.where(Dream.updated_at >= since)
        if statuses:
            stmt = stmt.where(Dream.analysis_status.in_(statuses))
        last = ""
        while True:
            ids = list(self.session.scalars(stmt.where(Dream.id > last).limit(chunk)))
            if not ids:
                return
            yield ids
            last = ids[-1]

    def count_dreams(self, *, since: datetime | None = None, statuses: Sequence[str] | None = None) -> int:
        from sqlalchemy import func

        stmt = select(func.count()).select_from(Dream)
        if since is not None:
            stmt = stmt.where(Dream.updated_at >= since)
        if statuses:
            stmt = stmt.where(Dream.analysis_status.in_(statuses))
        return int(self.session.scalar(stmt) or 0)

    def distress_of(self, dream_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Stored distress signals of these dreams. Callers must have established that the reader is a
        guide entitled to see them (the circles feature); nothing here checks consent."""
        if not dream_ids:
            return {}
        rows = self.session.execute(
            select(AnalysisRecord.dream_id, AnalysisRecord.analysis).where(
                AnalysisRecord.dream_id.in_(dream_ids), AnalysisRecord.n_distress > 0
            )
        )
        return {row.dream_id: list((row.analysis or {}).get("distress") or []) for row in rows}

    @property
    def _sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"
