"""Idempotency-Key: a retried create never makes a duplicate, even when the retries race each other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx


def count(client: Any, h: dict[str, str]) -> int:
    return int(client.get("/api/v1/dreams", headers=h).json()["total"])


def test_a_retry_returns_the_same_dream(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    lyra = make_user("lyra")
    body = {"text": "The lost answer", "tags": ["retry"], "mood": 2}
    keyed = {**lyra, "Idempotency-Key": "3f1c-retry-1"}
    first = client.post("/api/v1/dreams", json=body, headers=keyed)
    assert first.status_code == 201
    for _ in range(3):
        again = client.post("/api/v1/dreams", json=body, headers=keyed)
        assert again.status_code == 200, again.text
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["location"] == first.headers["location"]
    assert count(client, lyra) == 1
    # the same key with another body is a conflict, and stores nothing
    other = client.post("/api/v1/dreams", json={**body, "mood": 3}, headers=keyed)
    assert other.status_code == 409 and other.headers["content-type"].startswith("application/problem+json")
    assert "Idempotency-Key" in other.json()["detail"]
    assert count(client, lyra) == 1
    # a different key is a different dream
    assert client.post("/api/v1/dreams", json=body, headers={**lyra, "Idempotency-Key": "k2"}).status_code == 201
    assert count(client, lyra) == 2


def test_keys_belong_to_one_person(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    lyra, will = make_user("lyra"), make_user("will")
    mine = client.post("/api/v1/dreams", json={"text": "mine"}, headers={**lyra, "Idempotency-Key": "shared"})
    theirs = client.post("/api/v1/dreams", json={"text": "theirs"}, headers={**will, "Idempotency-Key": "shared"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    # will's retry with lyra's body must not hand him lyra's dream
    stolen = client.post("/api/v1/dreams", json={"text": "mine"}, headers={**will, "Idempotency-Key": "shared"})
    assert stolen.status_code == 409 and "mine" not in stolen.text
    assert count(client, lyra) == count(client, will) == 1


def test_a_key_whose_dream_was_deleted_does_not_resurrect_it(client: Any,
                                                             make_user: Callable[..., dict[str, str]]) -> None:
    lyra = make_user("lyra")
    keyed = {**lyra, "Idempotency-Key": "gone"}
    made = client.post("/api/v1/dreams", json={"text": "short-lived"}, headers=keyed)
    assert client.delete(f"/api/v1/dreams/{made.json()['id']}", headers=lyra).status_code == 204
    again = client.post("/api/v1/dreams", json={"text": "short-lived"}, headers=keyed)
    assert again.status_code == 409
    assert count(client, lyra) == 0


def race(base: str, headers: dict[str, str], body: dict[str, Any], n: int = 8) -> list[httpx.Response]:
    answers: list[httpx.Response] = []
    start = threading.Barrier(n)

    def send() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            start.wait()
            answers.append(http.post("/api/v1/dreams", json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_racing_retries_make_one_dream(live_server: str, client: Any,
                                       make_user: Callable[..., dict[str, str]]) -> None:
    lyra = make_user("lyra")
    answers = race(live_server, {**lyra, "Idempotency-Key": "racing"}, {"text": "Raced retry"})
    statuses = sorted(a.status_code for a in answers)
    assert all(s < 500 for s in statuses), [a.text for a in answers]
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, statuses
    assert len({a.json()["id"] for a in answers}) == 1
    assert count(client, lyra) == 1


def test_racing_identical_dreams_without_a_key_are_all_kept(live_server: str, client: Any,
                                                            make_user: Callable[..., dict[str, str]]) -> None:
    lyra = make_user("lyra")
    answers = race(live_server, lyra, {"text": "Same words, same night", "dreamt_on": "2024-05-01"})
    assert [a.status_code for a in answers] == [201] * len(answers), [a.text[:120] for a in answers]
    assert count(client, lyra) == len(answers)
