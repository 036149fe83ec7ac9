"""Group commit: many requests' writes share one transaction and one fsync.

With ``synchronous=FULL`` every SQLite commit waits for the disk, and SQLite has one writer at a time, so
a request-per-transaction server tops out at the disk's fsync rate. The :class:`GroupCommitter` runs
write functions on one thread: it takes every write that is waiting, runs each inside its own SAVEPOINT
(a failing write rolls back alone and gets its own error), commits once, and only then answers every
caller. An answer still means the write is durable; under load, hundreds of writes share a commit.

Listeners of created dreams run once per batch: the writes' ``dream_changed`` notices for creates are
collected and sent together before the commit (one pass of the archive's indexing for the whole batch,
committed atomically with it). Should that one signal fail, the batch is run again one write at a
time, each with its own notices, so that a write whose listeners fail still fails alone.

The same path serves PostgreSQL (one connection, one commit per batch), so there is one way to write.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dream_mosaic.core import events
from dream_mosaic.core.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
_STOP = object()


class GroupCommitter:
    def __init__(self, db: Database, max_batch: int = 256) -> None:
        self.db = db
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.writes = 0

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Run ``work(session)`` in the next batch; the future resolves after the batch is committed.

        ``work`` must return plain data (not ORM objects tied to the batch's session)."""
        self._ensure_thread()
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future

    async def run(self, work: Callable[[Session], T]) -> T:
        return await asyncio.wrap_future(self.submit(work))

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mosaic-group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[tuple[Callable[[Session], Any], Future[Any]]]) -> None:
        live = [(work, future) for work, future in batch if future.set_running_or_notify_cancel()]
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            outcomes = self._attempt(live, together=len(live) > 1)
        except _SignalFailed:
            log.warning("the listeners of a batch of %d creates failed; running its writes one by one", len(live))
            outcomes = self._attempt(live, together=False)
        self.batches += 1
        self.writes += len(outcomes)
        for future, value, error in outcomes:
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)

    def _attempt(self, live: list[tuple[Callable[[Session], Any], Future[Any]]],
                 together: bool) -> list[tuple[Future[Any], Any, BaseException | None]]:
        """Run the writes in one transaction and commit it. ``together``: send the creates' notices as one
        signal before the commit; if that fails, roll everything back and raise :class:`_SignalFailed`."""
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        session = self.db.session(write=True)
        try:
            created = events.defer_created(session) if together else None
            for work, future in live:
                savepoint = session.begin_nested()
                mark = len(created) if created is not None else 0
                try:
                    value = work(session)
                    session.flush()
                    savepoint.commit()
                    outcomes.append((future, value, None))
                except BaseException as exc:  # one write's failure is its own, not the batch's
                    savepoint.rollback()
                    if created is not None:
                        del created[mark:]  # its dream is not in the batch any more
                    outcomes.append((future, None, exc))
            if together:
                savepoint = session.begin_nested()
                try:
                    events.send_deferred(session)
                    session.flush()
                    savepoint.commit()
                except Exception as exc:
                    savepoint.rollback()
                    session.rollback()
                    raise _SignalFailed from exc
            session.commit()
        except _SignalFailed:
            raise
        except BaseException as exc:
            log.exception("a batch of %d writes could not be committed", len(live))
            session.rollback()
            errors = {id(f): e for f, _v, e in outcomes if e is not None}
            outcomes = [(f, None, errors.get(id(f), exc)) for _w, f in live]
        finally:
            session.close()
        return outcomes


class _SignalFailed(Exception):
    """The one ``dream_changed`` of a batch's creates raised: the batch is run again write by write."""
