"""Keeping the archive in step with the dreams, and the archive's background jobs.

Importing this module subscribes to ``core.events.dream_changed``, which fires inside the writing
transaction: the search document (and with it the full-text index) changes or goes in the same commit as
the dream, so a withdrawn dream is out of every search, count and facet the moment the withdrawal commits.
The web app and the CLI import this module.

A bulk import (``bulk=True``) is the one exception, for creates only: its dreams enter the archive just
after the import commits (the ``archive.index_docs`` job; ``mosaic import`` waits for it in the foreground),
because PostgreSQL's tsvector and GIN index cost more than the import itself. Until then those dreams are
simply not in the archive yet; nothing else changes: edits, consent changes and withdrawals still act in
their own transaction, and ``archive_docs.dream_id`` cascades, so a document can never outlive its dream.
``index_missing`` catches up whatever a crash left out (``mosaic serve`` queues it at start).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from dream_mosaic.analysis.models import AnalysisRecord
from dream_mosaic.archive import repository, textindex
from dream_mosaic.archive.vectors import VectorIndex
from dream_mosaic.core import events
from dream_mosaic.core.jobs import job
from dream_mosaic.core.platform import current

log = logging.getLogger(__name__)


INDEX_BATCH = 5000  # dreams per transaction when the archive catches up after a bulk import


@events.dream_changed.connect
def _on_dream_changed(session: Session, dream_ids: list[str], change: str, bulk: bool = False, **_: Any) -> None:
    if change == events.DELETED:
        repository.drop_docs(session, dream_ids)
        VectorIndex.for_session(session).drop(dream_ids)
    elif change == events.UPDATED or (change == events.CREATED and not bulk):
        repository.sync_docs(session, dream_ids)
    # Every change (a consent change too) moves the generation on, so no cached count outlives it.
    repository.bump_generation(session)


def _write_facts(connection: Any, record: Any) -> None:
    from sqlalchemy import delete, insert

    from dream_mosaic.archive.models import ArchiveFact
    from dream_mosaic.archive.rules import analysis_facts

    connection.execute(delete(ArchiveFact).where(ArchiveFact.dream_id == record.dream_id))
    facts = analysis_facts(record.analysis)
    if facts:
        connection.execute(insert(ArchiveFact), [{"dream_id": record.dream_id, "fact": f} for f in sorted(facts)])


def _bump(connection: Any) -> None:
    """Analysis filters (emotions, characters, interactions) count differently now: no cached count of
    the earlier generation may be served."""
    from sqlalchemy import update

    from dream_mosaic.archive.models import ArchiveState

    connection.execute(update(ArchiveState).where(ArchiveState.id == 1)
                       .values(generation=ArchiveState.generation + 1))


@event.listens_for(AnalysisRecord, "after_insert")
def _analysis_inserted(_mapper: Any, connection: Any, record: AnalysisRecord) -> None:
    """The analysis engine stored an analysis: its facts for the filters go in the same transaction."""
    if record.analysis:
        _write_facts(connection, record)
        _bump(connection)


@event.listens_for(AnalysisRecord, "after_update")
def _analysis_updated(_mapper: Any, connection: Any, record: AnalysisRecord) -> None:
    state = inspect(record).attrs
    if state.analysis.history.has_changes():
        _write_facts(connection, record)
    if state.analysis.history.has_changes() or state.status.history.has_changes():
        _bump(connection)


_analysed_at: dict[str, int] = {}


@events.dream_committed.connect
def _on_dream_committed(session: Session, dream_ids: list[str], change: str, bulk: bool = False,
                        **_: Any) -> None:
    """A bulk import is durable: queue its dreams' entry into the archive. Otherwise bring the text
    index up to date (in the background)."""
    if change == events.CREATED and bulk:
        try:
            queue = current().queue
            for part in repository.chunks(dream_ids, INDEX_BATCH):
                queue.enqueue("archive.index_docs", list(part))
        except Exception:  # the dreams are stored; `index_missing` (at the next start) brings them in
            log.exception("could not queue the archive indexing of %d imported dream(s)", len(dream_ids))
        return
    _schedule_text_index(session)


def _schedule_text_index(session: Session) -> None:
    try:
        index = textindex.index_for(session)
        if index is not None:
            index.schedule()
    except Exception:  # the index is an optimisation: counts stay exact through SQL without it
        log.exception("could not schedule the text index's catch-up")


@job("archive.index_docs", retries=3, retry_delay=2.0)
def index_docs(dream_ids: list[str]) -> None:
    """Bring these imported dreams into the archive. Idempotent; a dream deleted meanwhile is skipped
    (on PostgreSQL a delete racing the insert fails it on the foreign key, and the retry finds it gone)."""
    platform = current()
    _index(platform.db, dream_ids)


def _index(db: Any, dream_ids: Sequence[str]) -> None:
    with db.transaction() as session:
        repository.sync_docs(session, dream_ids)
        repository.bump_generation(session)
        _schedule_text_index(session)
        engine = session.get_bind().engine
    _refresh_statistics(engine)


def missing_docs(db: Any) -> list[str]:
    """Dreams that are not in the archive yet (a bulk import still being indexed, or one a crash cut off)."""
    from sqlalchemy import exists, select

    from dream_mosaic.archive.models import ArchiveDoc
    from dream_mosaic.core.models import Dream

    with db.transaction(write=False) as session:
        return list(session.scalars(
            select(Dream.id).where(~exists().where(ArchiveDoc.dream_id == Dream.id)).order_by(Dream.id)))


def index_missing(db: Any, on_progress: Callable[[int], None] | None = None, ids: list[str] | None = None) -> int:
    """Index every dream not yet in the archive, ``INDEX_BATCH`` per transaction. Returns how many."""
    ids = missing_docs(db) if ids is None else ids
    for part in repository.chunks(ids, INDEX_BATCH):
        _index(db, part)
        if on_progress:
            on_progress(len(part))
    return len(ids)


def refresh_text_index(db: Any) -> dict[str, Any] | None:
    """Build the text index if this archive has none yet (a first import), else apply what waits in its
    change log; None when it is turned off or another process holds its writer."""
    index = textindex.index_for_engine(db.engine)
    if index is None:
        return None
    try:
        if not index.built:
            return index.rebuild()
        applied = 0
        while (step := index.catch_up()) > 0:
            applied += step
        return {"applied": applied}
    except RuntimeError:  # another process writes the index and keeps it up to date
        return None


@job("archive.index_missing", retries=2, retry_delay=10.0)
def run_index_missing() -> None:
    """At start: bring in what a crash left out of the archive, and make sure its text index exists."""
    db = current().db
    index_missing(db)
    refresh_text_index(db)


def _refresh_statistics(engine: Any) -> None:
    """After the archive has grown (each doubling), refresh SQLite's planner statistics, so searches keep
    their fast plans (PostgreSQL's autovacuum does this by itself)."""
    if engine.dialect.name != "sqlite":
        return
    key = str(engine.url)
    try:
        with engine.begin() as conn:
            from sqlalchemy import func, select

            from dream_mosaic.archive.models import ArchiveDoc

            size = int(conn.scalar(select(func.count()).select_from(ArchiveDoc)) or 0)
            if size >= 500 and size >= 2 * _analysed_at.get(key, 0):
                conn.exec_driver_sql("ANALYZE")
                _analysed_at[key] = size
    except Exception:  # statistics are an optimisation: never fail an import for them
        log.exception("could not refresh the query planner's statistics")


@job("archive.export", retries=2, retry_delay=5.0)
def run_export(export_id: str) -> None:
    from dream_mosaic.archive.export import run

    platform = current()
    run(platform.db, export_id, platform.settings.data_dir)


def enqueue_export(export_id: str) -> None:
    current().queue.enqueue("archive.export", export_id)


__all__ = ["enqueue_export", "index_docs", "index_missing", "missing_docs", "refresh_text_index", "run_export",
           "run_index_missing"]
