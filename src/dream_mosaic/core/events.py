"""Signals that let features react to a dream's life without importing each other (blinker).

``dream_changed`` fires inside the writing transaction, so a listener's own writes (a search index, a
struck mosaic fragment) commit or roll back with the change. ``dream_committed`` fires once the change
is durable, for work that must see it from another connection (background analysis).
"""

from __future__ import annotations

from blinker import signal
from sqlalchemy import event
from sqlalchemy.orm import Session

dream_changed = signal("dream-changed")
dream_committed = signal("dream-committed")

CREATED, UPDATED, CONSENT, DELETED = "created", "updated", "consent", "deleted"


def notify_dreams(session: Session, dream_ids: list[str], change: str, *, bulk: bool = False) -> None:
    """Tell listeners that these dreams were created, edited, re-consented or deleted in ``session``.

    Listeners receive ``dream_ids`` (a list, so a bulk import is one call, not thousands), ``change`` and
    ``bulk``: true for an import of many dreams, whose derived data (the archive's search index) may
    follow after the commit instead of inside it, so that the import is durable sooner.
    """
    if not dream_ids:
        return
    deferred: list[str] | None = session.info.get(_DEFERRED)
    if deferred is not None and change == CREATED and not bulk:
        deferred.extend(dream_ids)  # sent for the whole batch by ``send_deferred``, before the commit
    else:
        dream_changed.send(session, dream_ids=dream_ids, change=change, bulk=bulk)
    pending: list[tuple[list[str], str, bool]] = session.info.setdefault("dreams_committed", [])
    if not session.info.get("dreams_listening"):
        # Listen for the session's whole life: a session may commit many times (a bulk import does), and
        # SQLAlchemy would not register the same function again after a ``once=True`` listener fired.
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
        session.info["dreams_listening"] = True
    pending.append((list(dream_ids), change, bulk))


_DEFERRED = "dreams_created_deferred"


def defer_created(session: Session) -> list[str]:
    """From now on, collect the ids of dreams created in ``session`` instead of sending ``dream_changed``
    for each create; ``send_deferred`` sends one signal for all of them, still inside the transaction.
    The group-commit writer uses this so that listeners (the archive's index) do one pass per batch of
    creates, as for a bulk import. Returns the list, which the caller may cut back when a write fails."""
    deferred: list[str] = session.info.setdefault(_DEFERRED, [])
    return deferred


def send_deferred(session: Session) -> None:
    """Send the collected creates as one ``dream_changed`` and stop collecting."""
    ids = session.info.pop(_DEFERRED, None)
    if ids:
        dream_changed.send(session, dream_ids=list(dict.fromkeys(ids)), change=CREATED, bulk=False)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released: nothing is durable until the outer transaction commits
    # One signal per kind of change, whatever the number of writes the commit carried (group commit
    # puts many requests in one transaction): listeners then queue one job for many dreams.
    merged: dict[tuple[str, bool], list[str]] = {}
    for dream_ids, change, bulk in session.info.pop("dreams_committed", []):
        merged.setdefault((change, bulk), []).extend(dream_ids)
    for (change, bulk), dream_ids in merged.items():
        dream_committed.send(session, dream_ids=list(dict.fromkeys(dream_ids)), change=change, bulk=bulk)


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        # One write of a group commit failed: its own dream ids may stay listed; listeners find those
        # dreams missing and skip them, while the other writes' notices must survive.
        return
    session.info.pop("dreams_committed", None)
