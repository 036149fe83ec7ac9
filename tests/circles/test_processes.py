"""Real ``mosaic serve`` processes on loopback: a restart loses no acknowledged contribution, and two
processes sharing Redis pub/sub (and one database) show each other's participants live."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_client import LiveClient

from dream_mosaic.core import auth
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings
from dream_mosaic.migrations import upgrade

REDIS_URL = os.environ.get("MOSAIC_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``mosaic serve`` process."""

    def __init__(self, data_dir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.data_dir, self.env, self.port = data_dir, env, port or _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        cmd = [sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "serve",
               "--port", str(self.port), "--data-dir", str(self.data_dir)]
        self.log = self.data_dir.parent / f"serve-{self.port}.log"  # kept for a failing test's report
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("mosaic serve did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # no goodbye: as in a power cut
            self.proc.wait(10)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Builds a data directory with people in it and starts servers over it."""
    servers: list[Server] = []
    data_dir = tmp_path / "var"

    def make(env: dict[str, str] | None = None, **more: Any) -> tuple[dict[str, dict[str, str]], Callable[..., Server]]:
        env = {"MOSAIC_SECRET_KEY": "test", "MOSAIC_QUEUE_URL": "memory://?immediate=1", **(env or {})}
        settings = Settings(data_dir=data_dir, queue_url="memory://?immediate=1", secret_key="test")
        platform = Platform(settings)
        upgrade(platform.db.url)
        headers = {}
        with platform.db.transaction() as db:
            for name, role in (("iris", "guide"), ("lyra", "dreamer"), ("ronan", "dreamer"), ("evelyn", "dreamer")):
                user = auth.create_user(db, name, "correct horse battery", role, name.capitalize())
                headers[name] = {"Authorization": f"Bearer {auth.issue_token(db, user, 'api')}"}
        platform.close()

        def serve(port: int | None = None) -> Server:
            server = Server(data_dir, env, port).start()
            servers.append(server)
            return server

        return headers, serve

    yield make
    for server in servers:
        server.kill()


def _open_circle(base: str, people: dict[str, dict[str, str]]) -> str:
    with httpx.Client(base_url=base, timeout=20) as api:
        circle = api.post("/api/v1/circles", json={"name": "Night Matrix"}, headers=people["iris"]).json()
        s = api.post(f"/api/v1/circles/{circle['id']}/sessions", json={}, headers=people["iris"]).json()
        api.patch(f"/api/v1/circles/{circle['id']}/sessions/{s['id']}", json={"phase": "sharing"},
                  headers=people["iris"]).raise_for_status()
        return str(circle["id"])


def test_a_restart_loses_no_acknowledged_contribution(deployment):
    people, serve = deployment()
    server = serve()
    circle_id = _open_circle(server.url, people)
    lyra = LiveClient(server.url, circle_id, people["lyra"])
    lyra.wait_type("snapshot", timeout=15)
    acked = []
    for i in range(4):
        lyra.send({"type": "contribute", "client_id": f"before-crash-{i}", "text": f"Dream number {i}."})
    for i in range(4):
        acked.append(lyra.wait_type("ack", client_id=f"before-crash-{i}", timeout=15)["id"])
    server.kill()
    with pytest.raises(Exception):  # noqa: B017 - the connection is gone, however the library says it
        lyra.wait_type("never", timeout=2)
    server = serve(port=server.port)  # the same address: clients reconnect by themselves
    lyra = LiveClient(server.url, circle_id, people["lyra"])
    assert lyra.wait_type("admission", timeout=15)["state"] == "admitted"  # her seat survived too
    snap = lyra.wait_type("snapshot", timeout=15)
    assert [c["id"] for c in snap["contributions"]] == acked
    lyra.send({"type": "contribute", "client_id": "before-crash-3", "text": "Dream number 4."})  # a resend
    again = lyra.wait_type("ack", client_id="before-crash-3")
    assert again["id"] == acked[3] and again["created"] is False
    lyra.close()


@pytest.mark.redis
def test_two_processes_share_one_circle_through_redis(deployment):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable at 127.0.0.1:6379; .ci/run should have started it.")
        pytest.skip("Redis is not reachable")
    people, serve = deployment(env={"MOSAIC_BROADCAST_URL": REDIS_URL})
    a, b = serve(), serve()
    circle_id = _open_circle(a.url, people)
    iris = LiveClient(a.url, circle_id, people["iris"])
    lyra = LiveClient(a.url, circle_id, people["lyra"])
    ronan = LiveClient(b.url, circle_id, people["ronan"])
    for person in (iris, lyra, ronan):
        person.wait_type("snapshot", timeout=15)
    # Presence adds up across processes.
    lyra.wait_for(lambda e: e.get("type") == "room" and e.get("present") == 3, timeout=8)
    ronan.wait_for(lambda e: e.get("type") == "room" and e.get("present") == 3, timeout=8)

    lyra.send({"type": "contribute", "client_id": "a1", "text": "On process A I dreamt of a lighthouse."})
    ack = lyra.wait_type("ack", client_id="a1")
    t0 = time.monotonic()
    ronan.wait_type("contribution", id=ack["id"], timeout=2)
    assert time.monotonic() - t0 < 2
    ronan.send({"type": "contribute", "client_id": "b1", "text": "On process B, a garden under the tracks."})
    back = ronan.wait_type("ack", client_id="b1")
    lyra.wait_type("contribution", id=back["id"], timeout=2)
    iris.wait_type("contribution", id=back["id"], timeout=2)

    ronan.send({"type": "contribute", "client_id": "b2", "text": "Sometimes I think everyone would be better "
                                                               "off without me."})
    held = ronan.wait_type("ack", client_id="b2")
    iris.wait_type("alert", contribution_id=held["id"], timeout=2)  # across processes, to the guide alone
    assert not [e for e in lyra.drain(1.0) if e.get("id") == held["id"] or e.get("type") == "alert"]
    iris.send({"type": "control", "paused": True})
    ronan.wait_type("session", paused=True)
    for person in (iris, lyra, ronan):
        person.close()
