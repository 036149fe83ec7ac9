"""The platform object: one place that owns configuration, the database, the job queue and pub/sub.

Like Datasette's app object, everything else receives it instead of reading globals. Background jobs,
which run without a request, find it through :func:`current`.
"""

from __future__ import annotations

from dream_mosaic.core.activity import Activity
from dream_mosaic.core.database import Database
from dream_mosaic.core.jobs import JobQueue
from dream_mosaic.core.pubsub import PubSub
from dream_mosaic.core.settings import Settings
from dream_mosaic.core.writer import GroupCommitter

_current: Platform | None = None


class Platform:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        # The data directory holds the secret key and, by default, the job queue, whatever the database.
        self.settings.ensure_data_dir()
        self.db = Database(self.settings.resolved_database_url)
        self.queue = JobQueue(self.settings.resolved_queue_url)
        self.pubsub = PubSub(self.settings.broadcast_url)
        self.writer = GroupCommitter(self.db)
        self.activity = Activity()  # requests in flight; embedded jobs wait for a quiet moment
        self.secret = self.settings.resolved_secret_key()
        activate(self)

    def close(self) -> None:
        self.writer.close()
        self.queue.stop_workers()
        self.db.dispose()


def activate(platform: Platform) -> None:
    global _current
    _current = platform


def current() -> Platform:
    """The platform of this process, creating one from the environment if none was built yet."""
    global _current
    if _current is None:
        _current = Platform()
    return _current
