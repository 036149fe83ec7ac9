"""Withdrawal: a dream that is deleted, narrowed or edited leaves every mosaic that used it.

Importing this module subscribes to the dream events (the web app and the CLI import it):

- ``dream_changed`` (inside the writing transaction): drafts drop the fragment and published versions
  strike it, so the change and the mending commit or roll back together;
- ``dream_committed`` (after the commit): the job ``mosaic.refresh_drafts`` re-weaves the drafts that were
  mended, so an edited dream that is still consented comes back with its new words.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from dream_mosaic.core import events
from dream_mosaic.core.jobs import job
from dream_mosaic.core.platform import current
from dream_mosaic.mosaic import service

log = logging.getLogger(__name__)
PENDING = "mosaic_refresh"


@job("mosaic.refresh_drafts", retries=3, retry_delay=2.0)
def refresh_drafts(mosaic_ids: list[str]) -> None:
    platform = current()
    with platform.db.transaction() as session:
        service.refresh_drafts(session, mosaic_ids, platform.settings)


@events.dream_changed.connect
def _on_dream_changed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    if change == events.CREATED:
        return
    mended = service.withdraw(session, dream_ids, change)
    if mended:
        session.info.setdefault(PENDING, set()).update(mended)


@events.dream_committed.connect
def _on_dream_committed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    mended = session.info.pop(PENDING, None)
    if not mended:
        return
    try:
        current().queue.enqueue("mosaic.refresh_drafts", sorted(mended))
    except Exception:
        # The drafts are already without the dream; they are re-woven the next time a guide opens them.
        log.exception("could not queue re-weaving of %d mosaic draft(s)", len(mended))
