"""``mosaic serve --jobs process`` runs background jobs in a child ``mosaic worker`` process: one command
still starts everything (a dream written through the API gets analysed), and the worker never outlives
its server, not even a server killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.slow  # two real process starts cost several seconds
def test_serve_analyses_in_a_child_worker_that_dies_with_it(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOSAIC_")}
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "serve", "--port", str(port),
         "--data-dir", str(tmp_path / "data"), "--jobs", "process"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def up() -> bool:
            try:
                return httpx.get(base + "/api/v1/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(up, 90, "mosaic serve to answer")
        workers = [p for p in psutil.Process(server.pid).children() if "worker" in " ".join(p.cmdline())]
        assert len(workers) == 1, [p.cmdline() for p in psutil.Process(server.pid).children()]
        worker = workers[0]
        token = httpx.post(base + "/api/v1/auth/signup", json={"username": "sleeper", "password": "a long password"},
                           timeout=30).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        made = httpx.post(base + "/api/v1/dreams", headers=headers, timeout=30,
                          json={"text": "I was flying over a dark sea, afraid, looking for my brother."})
        assert made.status_code == 201
        url = f"{base}/api/v1/dreams/{made.json()['id']}"
        _wait(lambda: httpx.get(url, headers=headers, timeout=5).json()["analysis_status"] == "done", 60,
              "the worker to analyse the dream")
        server.send_signal(signal.SIGKILL)  # no goodbye: the worker must notice on its own
        server.wait(10)
        _wait(lambda: not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE, 15,
              "the worker to stop with its server")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
        log.close()
        print((tmp_path / "serve.log").read_text()[-3000:])
