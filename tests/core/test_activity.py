"""Embedded jobs wait for a quiet moment between requests (core/activity.py)."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from dream_mosaic.core import jobs
from dream_mosaic.core.activity import Activity


def test_wait_quiet_returns_at_once_when_nothing_is_in_flight():
    activity = Activity()
    started = time.monotonic()
    assert activity.wait_quiet(max_wait=5.0) is True
    assert time.monotonic() - started < 0.1


def test_wait_quiet_waits_for_the_last_request_and_gives_up_after_max_wait():
    activity = Activity()
    activity.enter()
    activity.enter()
    started = time.monotonic()
    assert activity.wait_quiet(max_wait=0.2) is False  # still busy: gives up, the job runs anyway
    assert time.monotonic() - started >= 0.2

    found: list[bool] = []
    waiter = threading.Thread(target=lambda: found.append(activity.wait_quiet(max_wait=5.0)))
    waiter.start()
    activity.leave()
    time.sleep(0.1)
    assert waiter.is_alive()  # one request is still in flight
    activity.leave()
    waiter.join(2.0)
    assert found == [True]
    assert activity.in_flight == 0


def test_an_embedded_job_waits_while_a_request_is_in_flight(tmp_path):
    ran: list[float] = []
    jobs.job("test.quiet")(lambda: ran.append(time.monotonic()))
    queue = jobs.JobQueue(f"sqlite:///{tmp_path / 'jobs.db'}")
    activity = Activity()
    activity.enter()
    queue.start_workers(activity)
    try:
        queue.enqueue("test.quiet")
        time.sleep(0.5)
        assert ran == []  # held back while the request is in flight (max_wait is 1 s)
        released = time.monotonic()
        activity.leave()
        deadline = time.monotonic() + 5
        while not ran and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ran and ran[0] >= released
    finally:
        queue.stop_workers()
    # Outside the embedded workers the hook is gone: a drain never waits.
    activity.enter()
    queue.enqueue("test.quiet")
    started = time.monotonic()
    assert queue.drain() == 1
    assert time.monotonic() - started < 0.5


def test_the_web_app_counts_http_requests_in_flight(app):
    platform = app.state.platform
    seen: list[int] = []

    @app.get("/test-activity")
    def probe() -> dict[str, int]:
        seen.append(platform.activity.in_flight)
        return {}

    with TestClient(app) as client:
        assert client.get("/test-activity").status_code == 200
    assert seen == [1]
    assert platform.activity.in_flight == 0
