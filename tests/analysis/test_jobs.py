"""Analysis through the default job queue: Huey on an SQLite file, consumed inside the web process.

The app's lifespan starts the embedded consumer; a stored dream is analysed in the background; a
transient failure is retried with exponential backoff; a permanent one ends ``failed`` with its error
in the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dream_mosaic.analysis import service
from dream_mosaic.core import auth
from dream_mosaic.core.jobs import registered_jobs
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings

JOBS = ("analysis.analyze_dream", "analysis.analyze_dreams")


@pytest.fixture
def queued(database_url, tmp_path, monkeypatch) -> Iterator[Callable[[float], tuple[Any, dict[str, str]]]]:
    """Start the whole app with the default SQLite job queue (not immediate) and its workers."""
    from fastapi.testclient import TestClient

    from dream_mosaic.web.app import create_app

    opened: list[tuple[Any, Platform]] = []

    def start(retry_delay: float) -> tuple[Any, dict[str, str]]:
        for name in JOBS:
            monkeypatch.setattr(registered_jobs()[name], "retry_delay", retry_delay)
        settings = Settings(data_dir=tmp_path / "data", database_url=database_url,
                            queue_url=f"sqlite:///{tmp_path / 'jobs.db'}", secret_key="test-secret")
        platform = Platform(settings)
        client = TestClient(create_app(platform), raise_server_exceptions=False)
        client.__enter__()
        opened.append((client, platform))
        with platform.db.transaction() as session:
            user = auth.create_user(session, "lyra", "correct horse battery", "dreamer")
            token = auth.issue_token(session, user, "api")
        return client, {"Authorization": f"Bearer {token}"}

    yield start
    for client, platform in opened:
        client.__exit__(None, None, None)
        platform.close()


def _wait_for(client, headers, dream_id: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/v1/dreams/{dream_id}/analysis", headers=headers).json()
        if body["status"] == status:
            return body  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"still {body['status']!r} after {timeout}s: {body}")
        time.sleep(0.05)


def _post(client, headers, text: str) -> str:
    r = client.post("/api/v1/dreams", json={"text": text}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_the_in_process_sqlite_queue_analyses_in_the_background(queued):
    client, lyra = queued(1.0)
    platform = client.app.state.platform
    assert platform.queue.url.startswith("sqlite:///") and not platform.queue.huey.immediate
    ids = [_post(client, lyra, f"Night {i}: I was angry at my neighbour. Then I felt sad.") for i in range(3)]
    for dream_id in ids:
        body = _wait_for(client, lyra, dream_id, "done")
        assert {"AN", "SD"} <= {e["code"] for e in body["analysis"]["emotions"]}
    assert platform.queue.pending_count() == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the queue is the subject
def test_a_transient_failure_is_retried_with_backoff(queued, monkeypatch):
    calls: list[float] = []
    original = service.run_full

    def flaky(texts: list[str], cast=None):
        if any("FLAKY" in t for t in texts):
            calls.append(time.monotonic())
            if len(calls) <= 2:
                raise ConnectionError("model server hiccup")
        return original(texts, cast)

    monkeypatch.setattr(service, "run_full", flaky)
    client, lyra = queued(1.0)
    dream_id = _post(client, lyra, "FLAKY: I was happy on the train.")
    body = _wait_for(client, lyra, dream_id, "done")
    assert len(calls) == 3 and body["attempts"] == 3 and body["error"] is None
    first, second = calls[1] - calls[0], calls[2] - calls[1]
    assert first >= 0.9 and second >= 1.9, (first, second)  # 1 s, then 2 s: the delay doubles


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the queue is the subject
def test_a_permanent_failure_ends_failed_with_the_error_in_the_api(queued, monkeypatch):
    def broken(texts: list[str], cast=None):
        raise ValueError("cannot read this report")

    monkeypatch.setattr(service, "run_full", broken)
    client, lyra = queued(0.1)
    dream_id = _post(client, lyra, "I was sad about the garden.")
    body = _wait_for(client, lyra, dream_id, "failed", timeout=30)
    assert body["attempts"] == service.MAX_ATTEMPTS
    assert body["error"] == "ValueError: cannot read this report" and body["analysis"] is None
    assert client.get(f"/api/v1/dreams/{dream_id}", headers=lyra).json()["analysis_status"] == "failed"


def test_a_dream_deleted_before_its_job_runs_is_skipped(queued, monkeypatch):
    client, lyra = queued(0.1)
    platform = client.app.state.platform
    platform.queue.stop_workers()  # hold the job in the queue
    dream_id = _post(client, lyra, "I was confused in a maze.")
    assert platform.queue.pending_count() == 1
    assert client.delete(f"/api/v1/dreams/{dream_id}", headers=lyra).status_code == 204
    assert platform.queue.drain() == 1  # runs without error, stores nothing
    assert platform.queue.pending_count() == 0
    with platform.db.transaction(write=False) as session:
        assert service.AnalysisRepository(session).get(dream_id) is None


def test_a_job_declared_after_its_queue_was_built_is_run_not_lost(tmp_path, monkeypatch):
    """Huey drops a message whose task it does not know; every declared job must be bound first."""
    from dream_mosaic.core import jobs

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    consumer = jobs.JobQueue(url)  # e.g. `mosaic worker`, built before a feature module was imported
    ran: list[int] = []
    monkeypatch.setitem(jobs._jobs, "test.late", jobs.JobSpec("test.late", ran.append, 0, 0.0))
    jobs.JobQueue(url).enqueue("test.late", 7)
    assert consumer.drain() == 1
    assert ran == [7] and consumer.pending_count() == 0
