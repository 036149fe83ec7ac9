"""Journal test fixtures: signed-in page clients (session cookie + CSRF token) and a small world of people
and dreams for attacking privacy from every side. Plain helpers are in journal_helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from journal_helpers import PASSWORD, World, csrf_of, login_csrf


@pytest.fixture
def page_client(app: Any) -> Iterator[Callable[[str], Any]]:
    """page_client("lyra") -> a TestClient signed in through the /signin form, with ``.csrf`` set."""
    from fastapi.testclient import TestClient

    opened: list[Any] = []

    def make(username: str | None = None, password: str = PASSWORD) -> Any:
        client = TestClient(app, raise_server_exceptions=False)
        opened.append(client)
        client.csrf = ""
        if username is None:
            return client
        answer = client.post("/signin", data={"username": username, "password": password, "next": "/journal",
                                              "csrf": login_csrf(client)})
        assert answer.status_code == 200 and "mosaic_session" in client.cookies, answer.text[:300]
        client.csrf = csrf_of(client.get("/journal/new").text)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def world(client: Any, make_user: Callable[..., dict[str, str]]) -> World:
    roles = {"alice": "dreamer", "bob": "dreamer", "carl": "dreamer", "gus_guide": "guide",
             "gina_guardian": "guardian", "archie_archivist": "archivist", "ada_admin": "admin"}
    headers = {name: make_user(name, role=role, display_name=f"{name.title()} Display")
               for name, role in roles.items()}
    w = World(headers=headers)
    for name, h in headers.items():
        w.ids[name] = client.get("/api/v1/me", headers=h).json()["id"]
    made = client.post("/api/v1/circles", json={"name": "Night swimmers", "attribution_mode": "alias"},
                       headers=headers["gus_guide"])
    assert made.status_code == 201, made.text
    w.circle = made.json()["id"]
    for name in ("alice", "carl"):
        assert client.post(f"/api/v1/circles/{w.circle}/join", headers=headers[name]).status_code == 200
    kinds = {
        "private": {"visibility": "private", "attribution": "named"},
        "circle_alias": {"visibility": "circle", "attribution": "alias", "circle_ids": [w.circle]},
        "circle_anon": {"visibility": "circle", "attribution": "anonymous", "circle_ids": [w.circle]},
        "community_anon": {"visibility": "community", "attribution": "anonymous"},
        "research_alias": {"visibility": "research", "attribution": "alias"},
        "private_shared_link": {"visibility": "private", "attribution": "named", "circle_ids": [w.circle]},
    }
    for kind, consent in kinds.items():
        text = f"Secret {kind} zanzibarquux{kind.replace('_', '')} dream about a lighthouse."
        made = client.post("/api/v1/dreams", headers=headers["alice"],
                           json={"text": text, "title": f"Title {kind}", "tags": [f"tag{kind}"], **consent})
        assert made.status_code == 201, made.text
        w.dreams[kind] = made.json()["id"]
        w.texts[kind] = text
    return w
