"""Analysis on the Redis queue with ``mosaic worker`` as its own process (real Redis, real subprocess).

Dreams are stored while no worker runs (their jobs wait in Redis), then a worker process is started:
it analyses them, retries a transient failure with backoff, and marks a permanent one ``failed`` with
the error visible in the API.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dream_mosaic.analysis import service, tasks
from dream_mosaic.analysis.models import AnalysisRecord
from dream_mosaic.core import auth
from dream_mosaic.core.models import Dream, User
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings
from dream_mosaic.journal import service as journal
from dream_mosaic.journal.schemas import DreamCreate

# The queue is the subject here; storage on both databases is covered by test_storage.py.
pytestmark = [pytest.mark.redis, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
HERE = Path(__file__).resolve().parent
REDIS = os.environ.get("MOSAIC_TEST_REDIS", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]


@pytest.fixture
def redis_platform(database_url, tmp_path, monkeypatch) -> Iterator[Platform]:
    import redis

    from dream_mosaic.core.jobs import registered_jobs

    # A retry's delay travels with the job, from the process that queued it.
    for name in ("analysis.analyze_dream", "analysis.analyze_dreams"):
        monkeypatch.setattr(registered_jobs()[name], "retry_delay", 0.2)

    try:
        redis.Redis.from_url(REDIS + "/0").ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    # A queue of this test's own (?name=): parallel runs of this suite never take each other's jobs.
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url,
                        queue_url=f"{REDIS}/0?name=mosaic-test-{uuid.uuid4().hex}", queue_in_process=False,
                        secret_key="test-secret")
    platform = Platform(settings)
    yield platform
    platform.queue.huey.flush()
    platform.close()


def _worker(platform: Platform, *command: str, **extra_env: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **extra_env, "MOSAIC_DATABASE_URL": platform.settings.resolved_database_url,
           "MOSAIC_QUEUE_URL": platform.queue.url, "MOSAIC_DATA_DIR": str(platform.settings.data_dir),
           "MOSAIC_SECRET_KEY": "test-secret"}
    return subprocess.Popen([*command, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err.decode(errors="replace")[-3000:]


def _store(platform: Platform, texts: list[str]) -> tuple[dict[str, str], list[str]]:
    """Lyra writes these dreams (each write queues its analysis); returns her API headers and the ids."""
    with platform.db.transaction() as session:
        user = auth.create_user(session, "lyra", "correct horse battery", "dreamer")
        token = auth.issue_token(session, user, "api")
    ids = []
    for text in texts:
        with platform.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == "lyra"))
            dream, _ = journal.create_dream(session, user, DreamCreate(text=text))
            ids.append(dream.id)
    return {"Authorization": f"Bearer {token}"}, ids


def _statuses(platform: Platform, ids: list[str]) -> dict[str, str]:
    with platform.db.transaction(write=False) as session:
        return dict(session.execute(select(Dream.id, Dream.analysis_status).where(Dream.id.in_(ids))).all())


def _wait(platform: Platform, ids: list[str], proc: subprocess.Popen[bytes], timeout: float = 90) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        statuses = _statuses(platform, ids)
        if all(s != "pending" for s in statuses.values()):
            return statuses
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"worker exited or timed out: {statuses}\n{_stop(proc)}")
        time.sleep(0.1)


def test_mosaic_worker_analyses_dreams_queued_in_redis(redis_platform):
    assert tasks.analyze_dream.name in redis_platform.queue._tasks  # the web app and CLI import tasks
    texts = [f"Night {i}: I was scared of the storm but my father laughed." for i in range(5)]
    _, ids = _store(redis_platform, texts)
    assert redis_platform.queue.pending_count() == 5  # waiting in Redis: no worker runs yet
    proc = _worker(redis_platform, str(Path(sys.executable).parent / "mosaic"))
    try:
        statuses = _wait(redis_platform, ids, proc)
    finally:
        log = _stop(proc)
    assert set(statuses.values()) == {"done"}, log
    with redis_platform.db.transaction(write=False) as session:
        rows = session.scalars(select(AnalysisRecord).where(AnalysisRecord.dream_id.in_(ids))).all()
        assert len(rows) == 5 and all(r.emo_ap and r.attempts == 1 for r in rows)
    assert redis_platform.queue.pending_count() == 0


def test_worker_retries_transient_failures_and_records_permanent_ones(redis_platform):
    from fastapi.testclient import TestClient

    from dream_mosaic.web.app import create_app

    headers, ids = _store(redis_platform, ["TRANSIENT: I was happy at the fair.", "PERMANENT: I was sad.",
                                  "I was angry at the bus driver."])
    transient, permanent, plain = ids
    proc = _worker(redis_platform, sys.executable, str(HERE / "faulty_worker.py"))
    try:
        statuses = _wait(redis_platform, ids, proc)
    finally:
        log = _stop(proc)
    assert statuses == {transient: "done", permanent: "failed", plain: "done"}, log
    with TestClient(create_app(redis_platform)) as client:
        done = client.get(f"/api/v1/dreams/{transient}/analysis", headers=headers).json()
        assert done["status"] == "done" and done["attempts"] == 3 and done["error"] is None
        assert "HA" in {e["code"] for e in done["analysis"]["emotions"]}
        failed = client.get(f"/api/v1/dreams/{permanent}/analysis", headers=headers).json()
        assert failed["status"] == "failed" and failed["analysis"] is None
        assert failed["error"] == "ValueError: this report breaks the engine"
        assert failed["attempts"] == service.MAX_ATTEMPTS


def test_a_job_interrupted_by_stopping_its_worker_runs_again_on_the_next(redis_platform, tmp_path):
    _, ids = _store(redis_platform, ["SLOW: I was happy at the fair."])
    started = tmp_path / "slow-job-started"
    proc = _worker(redis_platform, sys.executable, str(HERE / "faulty_worker.py"), FAULTY_SLOW=str(started))
    try:
        deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
        while not started.exists():
            assert proc.poll() is None and time.monotonic() < deadline, _stop(proc)
            time.sleep(0.05)
        assert redis_platform.queue.pending_count() == 0  # the worker holds the only job
    finally:
        log = _stop(proc)  # SIGTERM in the middle of the job
    assert _statuses(redis_platform, ids) == {ids[0]: "pending"}
    assert redis_platform.queue.huey.scheduled_count() == 1, log  # put back, not forgotten
    proc = _worker(redis_platform, sys.executable, str(HERE / "faulty_worker.py"))
    try:
        statuses = _wait(redis_platform, ids, proc)
    finally:
        log = _stop(proc)
    assert statuses == {ids[0]: "done"}, log
