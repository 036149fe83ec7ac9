"""Background jobs through Huey, with the backend picked by URL.

- ``sqlite:///path`` (the default, in the data directory): jobs survive a crash of the process.
- ``redis://host:port/db``: several processes; run ``mosaic worker`` beside ``mosaic serve``.
  Add ``?name=…`` to keep several queues apart on one server (default name: ``mosaic``).
- ``postgresql://…``: Huey's PostgreSQL storage.
- ``memory://``: in-process and volatile, for tests. ``memory://?immediate=1`` runs jobs synchronously.

Features declare jobs with :func:`job` at import time; :class:`JobQueue` binds them to a Huey instance
when the platform starts, so the code that enqueues never knows which backend it has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse, urlunparse

from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from huey.signals import SIGNAL_INTERRUPTED
from huey.utils import normalize_time

from dream_mosaic.core.activity import Activity

log = logging.getLogger(__name__)
REQUEUE_DELAY = 3.0  # seconds before an interrupted job runs again
QUIET_HOOK = "wait-for-quiet"


@dataclass
class JobSpec:
    name: str
    func: Callable[..., Any]
    retries: int
    retry_delay: float


_jobs: dict[str, JobSpec] = {}


def job(name: str, *, retries: int = 5, retry_delay: float = 1.0) -> Callable[[Callable[..., Any]], JobSpec]:
    """Declare a background job. Retries back off exponentially from ``retry_delay`` seconds.

    Jobs run at least once: they must be idempotent (write results keyed by what they computed).
    """

    def decorator(func: Callable[..., Any]) -> JobSpec:
        spec = JobSpec(name=name, func=func, retries=retries, retry_delay=retry_delay)
        _jobs[name] = spec
        return spec

    return decorator


def registered_jobs() -> dict[str, JobSpec]:
    return dict(_jobs)


class _EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A Huey consumer that runs inside another server: the host process owns the signal handlers."""

    def _set_signal_handlers(self) -> None:
        return None


def _make_huey(url: str) -> Huey:
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+", 1)[0]
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    # ``?name=`` keeps queues apart on one server (installations, parallel test runs); default "mosaic".
    name = options.get("name", "mosaic")
    server_url = urlunparse(parsed._replace(query=urlencode(
        [(k, v) for k, v in parse_qsl(parsed.query) if k != "name"])))
    # Nobody reads job return values (``enqueue`` returns nothing): storing them would only grow the store.
    if scheme == "memory":
        return MemoryHuey(name, immediate=options.get("immediate") in {"1", "true"}, results=False)
    if scheme == "sqlite":
        path = url.split(":///", 1)[1].split("?", 1)[0]
        return SqliteHuey(name, filename=path, fsync=True, results=False)
    if scheme in {"redis", "rediss"}:
        return RedisHuey(name, url=server_url, results=False)
    if scheme in {"postgresql", "postgres"}:
        dsn = server_url.replace("postgresql+psycopg://", "postgresql://")
        return PostgresHuey(name, dsn=dsn, results=False)
    raise ValueError(f"Unknown job queue URL scheme {parsed.scheme!r}: use sqlite://, redis://, memory://")


class JobQueue:
    def __init__(self, url: str, *, workers: int = 2) -> None:
        self.url = url
        self.huey = _make_huey(url)
        self.workers = workers
        self._tasks: dict[str, Any] = {}
        self._consumer: _EmbeddedConsumer | None = None
        self._bind_all()
        self.huey.signal(SIGNAL_INTERRUPTED)(self._requeue_interrupted)

    def _requeue_interrupted(self, _signal: str, task: Any, *_: Any) -> None:
        """A worker stopped (e.g. ``mosaic worker`` got SIGTERM) while running ``task``: Huey would forget
        it, so schedule it again for the next worker. (A few seconds later, not at once: a sibling thread of
        the stopping worker could take it and be cut off too.) Jobs are idempotent, so a rerun is harmless."""
        log.warning("job %s was interrupted; it will run again", task)
        task.eta = normalize_time(delay=REQUEUE_DELAY, utc=self.huey.utc)
        self.huey.add_schedule(task)

    def _bind_all(self) -> None:
        """Bind every declared job, also those declared after this queue was built: Huey cannot decode,
        and so drops, a dequeued message for a task it does not know."""
        for spec in registered_jobs().values():
            if spec.name not in self._tasks:
                self._bind(spec)

    def _bind(self, spec: JobSpec) -> None:
        self._tasks[spec.name] = self.huey.task(
            name=spec.name, retries=spec.retries, retry_delay=spec.retry_delay, retry_backoff=2.0
        )(spec.func)

    def enqueue(self, name: str, *args: Any) -> None:
        if name not in self._tasks:
            spec = _jobs.get(name)
            if spec is None:
                raise KeyError(f"no job named {name!r}")
            self._bind(spec)
        self._tasks[name](*args)

    def pending_count(self) -> int:
        return int(self.huey.pending_count())

    def start_workers(self, activity: Activity | None = None) -> None:
        """Run workers as threads of this process (the embedded default). With ``activity`` (the web
        server's requests in flight) each job first waits for a quiet moment, so that analysis fills the
        gaps between requests instead of holding them up (see ``core/activity.py``)."""
        if self.huey.immediate or self._consumer is not None:
            return
        self._bind_all()
        if activity is not None:
            self.huey.pre_execute(name=QUIET_HOOK)(lambda _task: activity.wait_quiet())
        # One thread when sharing the server's interpreter lock with requests: a second analysis thread
        # adds no throughput (the work is CPU-bound Python) and doubles the stall a request can meet.
        self._consumer = _EmbeddedConsumer(
            self.huey, workers=1 if activity is not None else self.workers, worker_type="thread",
            periodic=False, max_delay=0.5, initial_delay=0.05, check_worker_health=False,
        )
        self._consumer.start()

    def stop_workers(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        self.huey.unregister_pre_execute(QUIET_HOOK)

    def run_worker_forever(self) -> None:
        """``mosaic worker``: a dedicated process with Huey's own signal handling. It polls an idle queue
        at least every half second (Huey's default backs off to 10 s), so a job starts soon after it is
        queued, as it does with the embedded workers."""
        self._bind_all()
        consumer = self.huey.create_consumer(workers=self.workers, worker_type="thread", periodic=False,
                                             initial_delay=0.05, max_delay=0.5)
        consumer.run()

    def drain(self) -> int:
        """Run every queued job now, in this thread (used by the CLI and tests)."""
        self._bind_all()
        done = 0
        while True:
            task = self.huey.dequeue()
            if task is None:
                return done
            self.huey.execute(task)
            done += 1
