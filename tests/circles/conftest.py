"""Live circle fixtures: a circle with a guide and three dreamers, an open session, and real WebSocket
clients (the ``websockets`` package) against the app served by uvicorn on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from live_client import LiveClient


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
