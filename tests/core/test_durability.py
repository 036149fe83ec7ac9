"""Durability and concurrency of the embedded database, tested as a person would meet them: a real
``mosaic serve`` process killed with SIGKILL right after answering, and many writers at once."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """``mosaic serve`` on a free loopback port with its own data directory (SQLite)."""
    data = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOSAIC_")}
    env["MOSAIC_DATA_DIR"] = str(data)
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "serve", "--host", "127.0.0.1",
         "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            pytest.fail("mosaic serve exited: " + (tmp_path / "server.log").read_text()[-2000:])
        try:
            if httpx.get(base + "/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("mosaic serve did not start within 90 s")
        time.sleep(0.2)
    yield base, data, process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


def test_acknowledged_writes_survive_sigkill(served: tuple[str, Path, subprocess.Popen[bytes]]) -> None:
    base, data, process = served
    with httpx.Client(base_url=base, timeout=30) as http:
        signup = http.post("/api/v1/auth/signup", json={"username": "durable", "password": "durable password"})
        assert signup.status_code == 201, signup.text
        headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
        acknowledged = []
        for i in range(25):
            answer = http.post("/api/v1/dreams", headers=headers, json={"text": f"dream number {i} before the crash"})
            assert answer.status_code == 201
            acknowledged.append(answer.json()["id"])
        edited = http.patch(f"/api/v1/dreams/{acknowledged[0]}", headers=headers, json={"title": "edited"})
        deleted = http.delete(f"/api/v1/dreams/{acknowledged[1]}", headers=headers)
        assert edited.status_code == 200 and deleted.status_code == 204
    os.killpg(process.pid, signal.SIGKILL)  # right after the last answer: no shutdown, no checkpoint
    process.wait()
    with sqlite3.connect(data / "mosaic.db") as db:
        stored = {row[0]: row[1] for row in db.execute("SELECT id, title FROM dreams")}
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(stored) == set(acknowledged) - {acknowledged[1]}
    assert stored[acknowledged[0]] == "edited"


def test_sqlite_runs_in_wal_with_full_sync(platform: Any, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite settings")
    for write in (False, True):
        with platform.db.transaction(write=write) as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.fixture
def served_in_thread(settings: Any) -> Iterator[str]:
    """The app under uvicorn in a thread, with jobs on worker threads as in production (the shared
    fixtures run jobs inline, inside the request, which needs a second database connection per request)."""
    import uvicorn

    from dream_mosaic.core.platform import Platform
    from dream_mosaic.web.app import create_app

    platform = Platform(settings.model_copy(update={"queue_url": "memory://"}))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
    platform.close()


def test_sixty_concurrent_writers_neither_stall_nor_fail(
    served_in_thread: str, make_user: Callable[..., dict[str, str]], client: Any
) -> None:
    """More writers than the server's thread pool has threads (40). On SQLite each writer takes the write
    lock up front; this once stalled every thread for the 30 s busy timeout, then answered 500."""
    live_server = served_in_thread
    users = [make_user(f"w{i:02d}") for i in range(5)]
    n = 60
    answers: list[int] = []
    seconds: list[float] = []
    start = threading.Barrier(n)

    def write(i: int) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            start.wait()
            began = time.monotonic()
            answers.append(http.post("/api/v1/dreams", headers=users[i % 5], json={"text": f"w {i}"}).status_code)
            seconds.append(time.monotonic() - began)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [201] * n, answers
    assert max(seconds) < 20, f"a writer waited {max(seconds):.1f} s"
    assert sum(client.get("/api/v1/dreams", headers=u).json()["total"] for u in users) == n
