"""Live circle fixtures: a circle with a guide and three dreamers, an open session, and real WebSocket
clients (the ``websockets`` package) against the app served by uvicorn on loopback."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect


class LiveClient:
    """One person's live connection; remembers every event it received."""

    def __init__(self, base: str, circle_id: str, headers: dict[str, str]) -> None:
        url = base.replace("http://", "ws://") + f"/api/v1/circles/{circle_id}/live"
        self._opened = connect(url, additional_headers=headers, open_timeout=10)
        self.ws: ClientConnection = self._opened.__enter__()
        self.seen: list[dict[str, Any]] = []
        self._used: set[int] = set()

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def _pull(self, timeout: float) -> bool:
        try:
            raw = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        data = json.loads(raw)
        self.seen.extend(data if isinstance(data, list) else [data])
        return True

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """The first event received that matches and was not returned before (waiting if need be)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.seen):
                if i not in self._used and match(event):
                    self._used.add(i)
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching event within {timeout}s; saw {[e.get('type') for e in self.seen]}")
            self._pull(min(left, 0.2))

    def wait_type(self, kind: str, timeout: float = 5.0, **fields: Any) -> dict[str, Any]:
        return self.wait_for(of_type(kind, **fields), timeout)

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Everything that arrives in the next ``seconds``."""
        start = len(self.seen)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pull(max(0.01, min(0.2, deadline - time.monotonic())))
        return self.seen[start:]

    def close(self) -> None:
        self._opened.__exit__(None, None, None)


def of_type(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("type") == kind and all(e.get(k) == v for k, v in fields.items())


@pytest.fixture
def people(make_user: Callable[..., dict[str, str]]) -> dict[str, dict[str, str]]:
    return {
        "iris": make_user("iris", role="guide", display_name="Iris Vale"),
        "lyra": make_user("lyra", display_name="Lyra Post"),
        "ronan": make_user("ronan", display_name="Ronan Kestra"),
        "evelyn": make_user("evelyn", display_name="Evelyn Huxley"),
    }


@pytest.fixture
def api(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=20) as client:
        yield client


@pytest.fixture
def circle(api: httpx.Client, people: dict[str, dict[str, str]]) -> dict[str, Any]:
    r = api.post("/api/v1/circles", json={"name": "New Moon Circle", "capacity": 12, "attribution_mode": "alias"},
                 headers=people["iris"])
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def open_session(api: httpx.Client, people: dict[str, dict[str, str]], circle: dict[str, Any]
                 ) -> Callable[..., dict[str, Any]]:
    def open_(**options: Any) -> dict[str, Any]:
        r = api.post(f"/api/v1/circles/{circle['id']}/sessions", json=options, headers=people["iris"])
        assert r.status_code == 201, r.text
        return dict(r.json())

    return open_


@pytest.fixture
def join(live_server: str, circle: dict[str, Any], people: dict[str, dict[str, str]]
         ) -> Iterator[Callable[[str], LiveClient]]:
    opened: list[LiveClient] = []

    def join_(name: str) -> LiveClient:
        client = LiveClient(live_server, circle["id"], people[name])
        opened.append(client)
        return client

    yield join_
    for client in opened:
        with contextlib.suppress(Exception):
            client.close()
