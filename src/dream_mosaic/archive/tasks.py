"""Keeping the archive in step with the dreams, and the archive's background jobs.

Importing this module subscribes to ``core.events.dream_changed``, which fires inside the writing
transaction: the search document (and with it the full-text index) changes or goes in the same commit as
the dream, so a withdrawn dream is out of every search, count and facet the moment the withdrawal commits.
A bulk import sends one signal for many dreams and is indexed in one pass. The web app and the CLI import
this module.
"""

from __future__ import annotations

import logging
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


@events.dream_changed.connect
def _on_dream_changed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    if change == events.DELETED:
        repository.drop_docs(session, dream_ids)
        VectorIndex.for_session(session).drop(dream_ids)
    elif change in (events.CREATED, events.UPDATED):
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
def _on_dream_committed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    """Bring the text index up to date (in the background), and after a large import into SQLite refresh
    the planner's statistics once the archive has grown (each doubling), so searches keep their fast plans."""
    try:
        index = textindex.index_for(session)
        if index is not None:
            index.schedule()
    except Exception:  # the index is an optimisation: counts stay exact through SQL without it
        log.exception("could not schedule the text index's catch-up")
    if change != events.CREATED or len(dream_ids) < 500:
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    key = str(bind.engine.url)
    try:
        with bind.engine.begin() as conn:
            from sqlalchemy import func, select

            from dream_mosaic.archive.models import ArchiveDoc

            size = int(conn.scalar(select(func.count()).select_from(ArchiveDoc)) or 0)
            if size >= 2 * _analysed_at.get(key, 0):
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


__all__ = ["enqueue_export", "run_export"]
