"""Withdrawal: a journal dream offered in a live session leaves it when its dreamer takes it back.

Importing this module subscribes to ``core.events.dream_changed`` (the API and pages import it). The
handler runs inside the journal's writing transaction, so the consent change and the withdrawal commit
or roll back together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dream_mosaic.circles import sessions
from dream_mosaic.core import events


@events.dream_changed.connect
def _on_dream_changed(session: Session, dream_ids: list[str], change: str, **_: Any) -> None:
    if change in (events.CONSENT, events.DELETED):
        sessions.withdraw_offers(session, dream_ids, deleted=change == events.DELETED)
