"""Circle membership (data, not live sessions): who may open, change, join, add and remove, what members
see of each other, and that leaving or being removed ends access to the circle's dreams at once.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def circle(client: Any, make_user: Callable[..., dict[str, str]]) -> dict[str, Any]:
    people = {name: make_user(name, role=role, display_name=f"{name.title()} Realname")
              for name, role in (("gaia", "guide"), ("gino", "guide"), ("pia", "dreamer"), ("pax", "dreamer"),
                                 ("out", "dreamer"), ("adm", "admin"))}
    made = client.post("/api/v1/circles", headers=people["gaia"],
                       json={"name": "Tide pool", "purpose": "Dreams of water", "capacity": 8,
                             "attribution_mode": "alias"})
    assert made.status_code == 201, made.text
    return {"id": made.json()["id"], "h": people, "created": made.json()}


def test_the_opener_guides_and_joining_is_idempotent(client: Any, circle: dict[str, Any]) -> None:
    created, h, cid = circle["created"], circle["h"], circle["id"]
    assert (created["member_count"], created["is_member"], created["my_role"]) == (1, True, "guide")
    assert created["guides"] == ["Gaia Realname"]
    for _ in range(2):
        joined = client.post(f"/api/v1/circles/{cid}/join", headers=h["pia"])
        assert joined.status_code == 200 and joined.json()["my_role"] == "participant"
    shown = client.get(f"/api/v1/circles/{cid}", headers=h["out"]).json()
    assert shown["member_count"] == 2 and shown["is_member"] is False and shown["my_role"] is None
    assert client.post(f"/api/v1/circles/{'0' * 32}/join", headers=h["pia"]).status_code == 404


def test_only_the_circles_guides_change_add_and_remove(client: Any, circle: dict[str, Any]) -> None:
    h, cid = circle["h"], circle["id"]
    client.post(f"/api/v1/circles/{cid}/join", headers=h["pia"])
    for who in ("pia", "out", "gino"):  # a participant, an outsider, a guide of no role here
        assert client.patch(f"/api/v1/circles/{cid}", json={"name": "Hijacked"}, headers=h[who]).status_code == 403
        assert client.post(f"/api/v1/circles/{cid}/members", json={"username": "pax"},
                           headers=h[who]).status_code == 403
        victim = "gaia" if who == "pia" else "pia"  # anyone but oneself
        assert client.delete(f"/api/v1/circles/{cid}/members/{victim}", headers=h[who]).status_code == 403
    assert client.get(f"/api/v1/circles/{cid}", headers=h["gaia"]).json()["name"] == "Tide pool"
    assert client.patch(f"/api/v1/circles/{cid}", json={"purpose": "Dreams of rain"},
                        headers=h["gaia"]).json()["purpose"] == "Dreams of rain"
    added = client.post(f"/api/v1/circles/{cid}/members", json={"username": "pax"}, headers=h["gaia"])
    assert added.status_code == 200 and added.json()["member_count"] == 3
    # only people with the guide role can guide; a co-guide then has the powers too
    refused = client.post(f"/api/v1/circles/{cid}/members", json={"username": "pax", "role": "guide"},
                          headers=h["gaia"])
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(PROBLEM)
    assert client.post(f"/api/v1/circles/{cid}/members", json={"username": "gino", "role": "guide"},
                       headers=h["gaia"]).status_code == 200
    assert client.delete(f"/api/v1/circles/{cid}/members/pax", headers=h["gino"]).status_code == 204
    assert client.post(f"/api/v1/circles/{cid}/members", json={"username": "nobody"},
                       headers=h["gaia"]).status_code == 404
    # an admin may change any circle
    assert client.patch(f"/api/v1/circles/{cid}", json={"capacity": 20}, headers=h["adm"]).json()["capacity"] == 20


def test_members_see_aliases_not_names_unless_the_circle_is_named(client: Any, circle: dict[str, Any]) -> None:
    h, cid = circle["h"], circle["id"]
    client.post(f"/api/v1/circles/{cid}/join", headers=h["pia"])
    client.post(f"/api/v1/circles/{cid}/join", headers=h["pax"])
    listing = client.get(f"/api/v1/circles/{cid}/members", headers=h["pia"])
    assert listing.status_code == 200
    names = {m["name"]: m for m in listing.json()}
    assert "Gaia Realname" in names  # guides are shown by name
    assert "Pax Realname" not in listing.text and "Pia Realname" not in listing.text
    assert '"pax"' not in listing.text and '"pia"' not in listing.text
    assert sum(m["is_you"] for m in listing.json()) == 1
    outsider = client.get(f"/api/v1/circles/{cid}/members", headers=h["out"])
    assert outsider.status_code == 404 and "Realname" not in outsider.text
    client.patch(f"/api/v1/circles/{cid}", json={"attribution_mode": "named"}, headers=h["gaia"])
    assert "Pax Realname" in client.get(f"/api/v1/circles/{cid}/members", headers=h["pia"]).text


def test_leaving_or_removal_ends_access_to_the_circles_dreams(client: Any, circle: dict[str, Any]) -> None:
    h, cid = circle["h"], circle["id"]
    for who in ("pia", "pax"):
        client.post(f"/api/v1/circles/{cid}/join", headers=h[who])
    shared = client.post("/api/v1/dreams", headers=h["pia"],
                         json={"text": "A tide pool full of keys", "visibility": "circle", "circle_ids": [cid],
                               "attribution": "alias"}).json()["id"]
    url = f"/api/v1/circles/{cid}/dreams"
    seen = client.get(url, headers=h["pax"]).json()
    assert seen["total"] == 1 and seen["items"][0]["id"] == shared
    assert "Pia Realname" not in client.get(url, headers=h["pax"]).text
    assert client.get(url, headers=h["out"]).status_code in (200, 404)
    assert shared not in client.get(url, headers=h["out"]).text
    # a guide removes pax: his very next request sees nothing
    assert client.delete(f"/api/v1/circles/{cid}/members/pax", headers=h["gaia"]).status_code == 204
    answer = client.get(url, headers=h["pax"])
    assert shared not in answer.text and client.get(f"/api/v1/dreams/{shared}", headers=h["pax"]).status_code == 404
    # pia leaves: her dream stays hers, but no longer reaches the circle's remaining members
    assert client.delete(f"/api/v1/circles/{cid}/members/pia", headers=h["pia"]).status_code == 204
    assert client.get(f"/api/v1/dreams/{shared}", headers=h["pia"]).status_code == 200
    # (shared into a circle she left: the guide still sees it only while pia's consent says circle)
    client.put(f"/api/v1/dreams/{shared}/consent", json={"visibility": "private"}, headers=h["pia"])
    assert shared not in client.get(url, headers=h["gaia"]).text


def test_huge_paging_offsets_are_refused_not_crashed(client: Any, circle: dict[str, Any]) -> None:
    answer = client.get(f"/api/v1/circles/{circle['id']}/dreams?offset={'9' * 30}", headers=circle["h"]["gaia"])
    assert 400 <= answer.status_code < 500, answer.status_code
