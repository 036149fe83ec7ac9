"""Group commit and the dream signals: a batch of creates reaches the listeners (the archive's index) as one
signal inside the batch's transaction; if that signal fails, the writes run again one by one and only the
write whose listener fails is refused. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import dream_mosaic.archive.tasks  # noqa: F401 - subscribes the archive's index to the dream signals
from dream_mosaic.archive.models import ArchiveDoc
from dream_mosaic.core import auth, events
from dream_mosaic.core.models import Dream, User
from dream_mosaic.journal import service
from dream_mosaic.journal.schemas import DreamCreate


def _people(platform: Any, n: int) -> list[str]:
    with platform.db.transaction() as session:
        return [auth.create_user(session, f"writer{i}", "correct horse battery", "dreamer").id for i in range(n)]


def _create(user_id: str, text: str) -> Callable[[Session], str]:
    def write(session: Session) -> str:
        viewer = session.get(User, user_id)
        assert viewer is not None
        dream, _ = service.create_dream(session, viewer, DreamCreate(text=text))
        return dream.id

    return write


def _pile_up(platform: Any, writes: list[Callable[[Session], Any]]) -> list[Any]:
    """Hold the writer with one slow write so that ``writes`` all wait and run as one batch."""
    gate = threading.Event()
    first = platform.writer.submit(lambda session: gate.wait(5))
    futures = [platform.writer.submit(w) for w in writes]
    gate.set()
    first.result(10)
    return futures


def test_a_batch_of_creates_is_indexed_by_one_signal_in_its_transaction(platform: Any) -> None:
    people = _people(platform, 5)
    seen: list[tuple[list[str], str]] = []

    def record(_session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
        seen.append((list(dream_ids), change))

    events.dream_changed.connect(record)
    try:
        futures = _pile_up(platform, [_create(p, f"Dream number {i} of the night ferry.") for i, p in
                                      enumerate(people * 2)])
        ids = [f.result(10) for f in futures]
    finally:
        events.dream_changed.disconnect(record)
    assert len(set(ids)) == 10
    created = [batch for batch, change in seen if change == events.CREATED]
    assert created == [ids]  # one signal, every dream of the batch, in order
    with platform.db.transaction(write=False) as session:
        indexed = set(session.scalars(select(ArchiveDoc.dream_id).where(ArchiveDoc.dream_id.in_(ids))))
    assert indexed == set(ids)


def test_a_failing_listener_refuses_only_its_own_write(platform: Any) -> None:
    people = _people(platform, 4)

    def allergic(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
        if change != events.CREATED:
            return
        texts = session.scalars(select(Dream.text).where(Dream.id.in_(dream_ids)))
        if any("poison" in t for t in texts):
            raise RuntimeError("this listener cannot take poison")

    events.dream_changed.connect(allergic)
    try:
        writes = [_create(p, f"A good dream {i}.") for i, p in enumerate(people)]
        writes.insert(2, _create(people[0], "A dream of poison apples."))
        futures = _pile_up(platform, writes)
        with pytest.raises(RuntimeError, match="cannot take poison"):
            futures[2].result(10)
        good = [f.result(10) for i, f in enumerate(futures) if i != 2]
    finally:
        events.dream_changed.disconnect(allergic)
    with platform.db.transaction(write=False) as session:
        texts = list(session.scalars(select(Dream.text)))
        indexed = set(session.scalars(select(ArchiveDoc.dream_id)))
        docs = session.scalar(select(func.count()).select_from(ArchiveDoc))
    assert sorted(texts) == sorted(f"A good dream {i}." for i in range(4))
    assert indexed == set(good) and docs == 4
