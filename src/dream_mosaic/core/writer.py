"""Group commit: many requests' writes share one transaction and one fsync.

With ``synchronous=FULL`` every SQLite commit waits for the disk, and SQLite has one writer at a time, so
a request-per-transaction server tops out at the disk's fsync rate. The :class:`GroupCommitter` runs
write functions on one thread: it takes every write that is waiting, runs each inside its own SAVEPOINT
(a failing write rolls back alone and gets its own error), commits once, and only then answers every
caller. An answer still means the write is durable; under load, hundreds of writes share a commit.

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
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        session = self.db.session(write=True)
        try:
            for work, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue
                savepoint = session.begin_nested()
                try:
                    value = work(session)
                    session.flush()
                    savepoint.commit()
                    outcomes.append((future, value, None))
                except BaseException as exc:  # one write's failure is its own, not the batch's
                    savepoint.rollback()
                    outcomes.append((future, None, exc))
            session.commit()
        except BaseException as exc:
            log.exception("a batch of %d writes could not be committed", len(batch))
            session.rollback()
            outcomes = [(f, None, e if e is not None else exc) for f, _v, e in outcomes]
        finally:
            session.close()
        self.batches += 1
        self.writes += len(outcomes)
        for future, value, error in outcomes:
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
