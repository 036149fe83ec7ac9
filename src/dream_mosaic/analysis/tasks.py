"""Background analysis: a dream is analysed after it is stored, through the platform's job queue.

- ``analysis.analyze_dream`` (one dream, after a write in the journal) and ``analysis.analyze_dreams``
  (a batch of up to ``BATCH`` dreams, after an import): 29,000 imported dreams become a few hundred jobs.
- Jobs run at least once and results are idempotent (``service.analyse_dreams`` skips what is current).
- A dream whose analysis raises makes its job fail, and the queue retries it with exponential backoff
  (``MOSAIC_ANALYSIS_RETRY_DELAY`` seconds, doubling); after ``service.MAX_ATTEMPTS`` tries it is marked
  ``failed`` and its error is kept for its dreamer to see.

Importing this module subscribes to the dream events; the web app and the CLI import it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from dream_mosaic.analysis import service
from dream_mosaic.core import events
from dream_mosaic.core.jobs import JobQueue, job
from dream_mosaic.core.platform import current

log = logging.getLogger(__name__)

BATCH = 100
RETRY_DELAY = float(os.environ.get("MOSAIC_ANALYSIS_RETRY_DELAY", "2.0"))
# One more than the attempts a dream gets, so a transient database error does not use up a dream's tries.
RETRIES = service.MAX_ATTEMPTS


class AnalysisRetry(RuntimeError):
    """Some dreams of a job failed and have attempts left: the queue runs the job again later."""


def _run(dream_ids: Sequence[str]) -> None:
    result = service.analyse_dreams(current().db, dream_ids)
    log.info("analysed %d, already current %d, failed %d, to retry %d", len(result.analysed),
             len(result.skipped), len(result.failed), len(result.retry))
    if result.retry:
        raise AnalysisRetry(f"{len(result.retry)} of {len(dream_ids)} dreams failed, retrying: "
                            f"{result.first_error}")


@job("analysis.analyze_dream", retries=RETRIES, retry_delay=RETRY_DELAY)
def analyze_dream(dream_id: str) -> None:
    _run([dream_id])


@job("analysis.analyze_dreams", retries=RETRIES, retry_delay=RETRY_DELAY)
def analyze_dreams(dream_ids: list[str]) -> None:
    _run(dream_ids)


def enqueue_analysis(queue: JobQueue, dream_ids: Sequence[str], batch: int = BATCH) -> int:
    """Queue analysis of these dreams: one job for one dream, batches of ``batch`` for many.
    Returns the number of jobs queued."""
    ids = list(dict.fromkeys(dream_ids))
    if len(ids) == 1:
        queue.enqueue("analysis.analyze_dream", ids[0])
        return 1
    jobs = 0
    for start in range(0, len(ids), batch):
        queue.enqueue("analysis.analyze_dreams", ids[start : start + batch])
        jobs += 1
    return jobs


def queue_reanalysis(dream_ids: Sequence[str]) -> None:
    """After a committed change that dates these dreams' analyses (a new cast): queue them. If the queue
    is unreachable they stay pending, and ``requeue_pending`` or ``mosaic analyze --all`` picks them up."""
    platform = current()
    if not dream_ids or not platform.settings.analysis_enabled:
        return
    try:
        enqueue_analysis(platform.queue, dream_ids)
    except Exception:
        log.exception("could not queue analysis of %d dream(s)", len(dream_ids))


@events.dream_changed.connect
def _on_dream_changed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    """Inside the writing transaction: an edited text starts its attempts afresh."""
    if change == events.UPDATED:
        service.text_changed(session, dream_ids)


@events.dream_committed.connect
def _on_dream_committed(_session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    """After the write is durable: queue analysis of created and edited dreams. (Deleted dreams lose
    their analysis through ON DELETE CASCADE, in the deleting transaction.)"""
    if change not in (events.CREATED, events.UPDATED):
        return
    platform = current()
    if not platform.settings.analysis_enabled:
        return
    try:
        enqueue_analysis(platform.queue, dream_ids)
    except Exception:
        # The dreams are stored and stay "pending"; `mosaic analyze --all` picks them up later.
        log.exception("could not queue analysis of %d dream(s)", len(dream_ids))


def requeue_pending(platform: Any) -> int:
    """Queue every dream still ``pending``: after a crash (a worker killed mid-job, a process stopped
    between a commit and its enqueue) nothing stays unanalysed. Jobs are idempotent, so a dream that is
    also still in the queue is simply found current. Returns the number of dreams queued."""
    from sqlalchemy import select

    from dream_mosaic.core.models import AnalysisStatus, Dream

    if not platform.settings.analysis_enabled:
        return 0
    with platform.db.transaction(write=False) as session:
        ids = list(session.scalars(select(Dream.id).where(Dream.analysis_status == AnalysisStatus.pending.value)))
    if ids:
        enqueue_analysis(platform.queue, ids)
    return len(ids)
