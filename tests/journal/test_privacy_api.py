"""Privacy, attacked through the API: nobody but the dreamer reads a private dream or learns it exists.

Every test runs on SQLite and PostgreSQL (the ``platform`` fixture behind ``client``)."""

from __future__ import annotations

import itertools
import re
import secrets
from typing import Any

from journal_helpers import ATTACKERS, World

HEX32 = re.compile(r"^[0-9a-f]{32}$")
PRIVATE_KINDS = ("private", "private_shared_link")
ALL_KINDS = ("private", "circle_alias", "circle_anon", "community_anon", "research_alias", "private_shared_link")
# Everyone who is not alice and not in alice's circle. gus_guide guides the circle, so he is a member.
OUTSIDERS = ["bob", "gina_guardian", "archie_archivist", "ada_admin"]


def missing_id() -> str:
    return secrets.token_hex(16)


def assert_no_trace(w: World, body: str, kinds: tuple[str, ...] = ALL_KINDS) -> None:
    """None of these dreams' words, titles, tags or ids appear in ``body``."""
    for kind in kinds:
        assert w.dreams[kind] not in body, f"the id of alice's {kind} dream leaked"
        assert f"zanzibarquux{kind.replace('_', '')}" not in body, f"the text of alice's {kind} dream leaked"
        assert f"Title {kind}" not in body and f"tag{kind}" not in body


def assert_owner_hidden(w: World, body: str) -> None:
    assert "Alice Display" not in body, "alice's display name leaked"
    assert w.ids["alice"] not in body, "alice's user id leaked"
    assert '"alice"' not in body, "alice's username leaked"


def probe(client: Any, method: str, url: str, headers: dict[str, str] | None, **kw: Any) -> tuple[int, Any]:
    answer = client.request(method, url, headers=headers or {}, **kw)
    assert answer.status_code < 500, f"{method} {url}: {answer.status_code} {answer.text[:200]}"
    body = answer.json() if answer.content else None
    return answer.status_code, body


WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/dreams/{id}", None),
    ("PATCH", "/api/v1/dreams/{id}", {"text": "hijacked"}),
    ("PUT", "/api/v1/dreams/{id}/consent", {"visibility": "community", "attribution": "named"}),
    ("DELETE", "/api/v1/dreams/{id}", None),
]


def test_private_dream_answers_exactly_like_a_missing_one(client: Any, world: World) -> None:
    for attacker in [*ATTACKERS, "carl"]:
        check_private_answers(client, world, attacker)
    # and nothing changed: alice still has all her dreams, untouched
    mine = client.get("/api/v1/dreams?limit=500", headers=world.headers["alice"]).json()
    assert mine["total"] == len(ALL_KINDS)
    assert all("hijacked" not in d["text"] for d in mine["items"])
    assert {d["visibility"] for d in mine["items"] if d["id"] in {world.dreams[k] for k in PRIVATE_KINDS}} == {
        "private"}


def check_private_answers(client: Any, world: World, attacker: str) -> None:
    h = world.headers[attacker]
    for kind in PRIVATE_KINDS:
        for method, path, body in WRITES:
            seen = probe(client, method, path.format(id=world.dreams[kind]), h, json=body)
            missing = probe(client, method, path.format(id=missing_id()), h, json=body)
            assert seen == missing, f"{attacker} can tell {kind} exists via {method} {path}: {seen} vs {missing}"
            assert seen[0] == 404


def test_others_cannot_change_or_delete_even_readable_dreams(client: Any, world: World) -> None:
    for attacker, kind in itertools.product(ATTACKERS, ("community_anon", "research_alias", "circle_alias")):
        h = world.headers[attacker]
        for method, path, body in WRITES[1:]:
            seen = probe(client, method, path.format(id=world.dreams[kind]), h, json=body)
            missing = probe(client, method, path.format(id=missing_id()), h, json=body)
            assert seen == missing and seen[0] == 404
    mine = client.get("/api/v1/dreams?limit=500", headers=world.headers["alice"]).json()
    assert mine["total"] == len(ALL_KINDS) and all("hijacked" not in d["text"] for d in mine["items"])


def test_anonymous_client_learns_nothing(client: Any, world: World) -> None:
    for kind in ALL_KINDS:
        for method, path, body in WRITES:
            seen = probe(client, method, path.format(id=world.dreams[kind]), None, json=body)
            missing = probe(client, method, path.format(id=missing_id()), None, json=body)
            assert seen == missing and seen[0] == 401
    for url in ("/api/v1/dreams", "/api/v1/journal/export", f"/api/v1/circles/{world.circle}/dreams",
                "/api/v1/circles", "/api/v1/me", "/api/v1/governance/audit", "/api/v1/governance/users"):
        status, body = probe(client, "GET", url, None)
        assert status == 401, url
        assert_no_trace(world, str(body))
    # a made-up bearer token is refused the same way, whatever it targets
    fake = {"Authorization": "Bearer " + secrets.token_urlsafe(32)}
    assert probe(client, "GET", f"/api/v1/dreams/{world.dreams['private']}", fake)[0] == 401


def test_lists_filters_sorts_counts_and_exports_never_include_others_dreams(client: Any, world: World) -> None:
    for attacker in [*ATTACKERS, "carl"]:
        check_lists(client, world, attacker)


def check_lists(client: Any, world: World, attacker: str) -> None:
    h = world.headers[attacker]
    queries = ["", "?q=zanzibarquux", "?q=lighthouse", "?tag=tagprivate", "?visibility=private",
               "?visibility=community", "?visibility=research", "?visibility=circle", "?sort=title",
               "?sort=-created_at", "?sort=dreamt_on", "?lucid=false", "?limit=500&offset=0",
               "?since=1900-01-01&until=2999-01-01"]
    for query in queries:
        answer = client.get(f"/api/v1/dreams{query}", headers=h)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert page["total"] == 0 and page["items"] == [], f"{attacker} sees others' dreams in {query}"
        assert_no_trace(world, answer.text)
    for fmt in ("json", "csv", "jsonl"):
        answer = client.get(f"/api/v1/journal/export?format={fmt}", headers=h)
        assert answer.status_code == 200
        assert_no_trace(world, answer.text)
        assert "zanzibarquux" not in answer.text


def test_the_owner_sees_everything_of_her_own(client: Any, world: World) -> None:
    h = world.headers["alice"]
    page = client.get("/api/v1/dreams?limit=500", headers=h).json()
    assert page["total"] == len(ALL_KINDS)
    assert {d["id"] for d in page["items"]} == set(world.dreams.values())
    assert client.get("/api/v1/dreams?q=zanzibarquuxcommunityanon", headers=h).json()["total"] == 1
    assert client.get("/api/v1/dreams?tag=tagprivate", headers=h).json()["total"] == 1
    assert client.get("/api/v1/dreams?visibility=circle", headers=h).json()["total"] == 2
    exported = client.get("/api/v1/journal/export?format=jsonl", headers=h).text
    assert all(world.dreams[k] in exported for k in ALL_KINDS)


def test_circle_dreams_only_for_members_and_only_while_shared(client: Any, world: World) -> None:
    url = f"/api/v1/circles/{world.circle}/dreams"
    for outsider in OUTSIDERS:
        answer = client.get(url, headers=world.headers[outsider])
        assert answer.status_code < 500
        assert answer.status_code == 404 or answer.json()["total"] == 0, f"{outsider}: {answer.text[:200]}"
        assert_no_trace(world, answer.text, ("circle_alias", "circle_anon", "private", "private_shared_link"))
    for member in ("carl", "gus_guide"):
        answer = client.get(url, headers=world.headers[member])
        assert answer.status_code == 200
        page = answer.json()
        assert page["total"] == 2
        assert {d["id"] for d in page["items"]} == {world.dreams["circle_alias"], world.dreams["circle_anon"]}
        assert_no_trace(world, answer.text, ("private", "private_shared_link"))
        assert_owner_hidden(world, answer.text)
        authors = {d["id"]: d["author"] for d in page["items"]}
        assert authors[world.dreams["circle_anon"]] == {"attribution": "anonymous", "name": None}
        assert authors[world.dreams["circle_alias"]]["attribution"] == "alias"
        assert authors[world.dreams["circle_alias"]]["name"].startswith("dreamer-")
        for d in page["items"]:
            assert d["visibility"] is None and d["circle_ids"] is None, "consent details are the dreamer's"
    # a member reads a circle dream directly, attributed no less strictly than alice chose
    for kind in ("circle_alias", "circle_anon"):
        answer = client.get(f"/api/v1/dreams/{world.dreams[kind]}", headers=world.headers["carl"])
        assert answer.status_code == 200
        assert_owner_hidden(world, answer.text)


def test_community_and_research_dreams_never_name_an_alias_or_anonymous_dreamer(
    client: Any, world: World
) -> None:
    for viewer in [*ATTACKERS, "carl"]:
        for kind in ("community_anon", "research_alias"):
            answer = client.get(f"/api/v1/dreams/{world.dreams[kind]}", headers=world.headers[viewer])
            assert answer.status_code == 200, f"{viewer} cannot read a {kind} dream"
            assert_owner_hidden(world, answer.text)
            author = answer.json()["author"]
            if kind == "community_anon":
                assert author == {"attribution": "anonymous", "name": None}
            else:
                assert author["attribution"] == "alias" and author["name"].startswith("dreamer-")


def test_narrowing_consent_takes_effect_on_the_very_next_request(client: Any, world: World) -> None:
    alice, carl, bob = world.headers["alice"], world.headers["carl"], world.headers["bob"]
    circle_url = f"/api/v1/circles/{world.circle}/dreams"
    shared = world.dreams["circle_alias"]
    assert client.get(f"/api/v1/dreams/{shared}", headers=carl).status_code == 200
    assert client.put(f"/api/v1/dreams/{shared}/consent", headers=alice,
                      json={"visibility": "private", "attribution": "alias"}).status_code == 200
    assert client.get(f"/api/v1/dreams/{shared}", headers=carl).status_code == 404
    assert shared not in client.get(circle_url, headers=carl).text
    assert client.get(circle_url, headers=carl).json()["total"] == 1

    community = world.dreams["community_anon"]
    assert client.get(f"/api/v1/dreams/{community}", headers=bob).status_code == 200
    assert client.put(f"/api/v1/dreams/{community}/consent", headers=alice,
                      json={"visibility": "circle", "attribution": "anonymous", "circle_ids": [world.circle]}
                      ).status_code == 200
    assert client.get(f"/api/v1/dreams/{community}", headers=bob).status_code == 404
    assert client.get(f"/api/v1/dreams/{community}", headers=carl).status_code == 200

    # attribution narrows at once too: named -> anonymous
    assert client.put(f"/api/v1/dreams/{community}/consent", headers=alice,
                      json={"visibility": "community", "attribution": "named"}).status_code == 200
    assert client.get(f"/api/v1/dreams/{community}", headers=bob).json()["author"]["name"] == "Alice Display"
    assert client.put(f"/api/v1/dreams/{community}/consent", headers=alice,
                      json={"visibility": "community", "attribution": "anonymous"}).status_code == 200
    answer = client.get(f"/api/v1/dreams/{community}", headers=bob)
    assert answer.json()["author"] == {"attribution": "anonymous", "name": None}
    assert_owner_hidden(world, answer.text)


def test_deleting_takes_effect_on_the_very_next_request(client: Any, world: World) -> None:
    alice, carl = world.headers["alice"], world.headers["carl"]
    for kind in ("circle_alias", "community_anon"):
        dream = world.dreams[kind]
        assert client.get(f"/api/v1/dreams/{dream}", headers=carl).status_code == 200
        assert client.delete(f"/api/v1/dreams/{dream}", headers=alice).status_code == 204
        gone = probe(client, "GET", f"/api/v1/dreams/{dream}", carl)
        assert gone == probe(client, "GET", f"/api/v1/dreams/{missing_id()}", carl)
        assert client.get(f"/api/v1/dreams/{dream}", headers=alice).status_code == 404
        assert dream not in client.get(f"/api/v1/circles/{world.circle}/dreams", headers=carl).text
    assert client.get("/api/v1/dreams", headers=alice).json()["total"] == len(ALL_KINDS) - 2
    # a second delete is a plain 404, not an error
    assert client.delete(f"/api/v1/dreams/{world.dreams['community_anon']}", headers=alice).status_code == 404


def test_leaving_a_circle_ends_access_at_once(client: Any, world: World) -> None:
    carl = world.headers["carl"]
    dream = world.dreams["circle_anon"]
    assert client.get(f"/api/v1/dreams/{dream}", headers=carl).status_code == 200
    assert client.delete(f"/api/v1/circles/{world.circle}/members/carl", headers=carl).status_code == 204
    assert client.get(f"/api/v1/dreams/{dream}", headers=carl).status_code == 404
    answer = client.get(f"/api/v1/circles/{world.circle}/dreams", headers=carl)
    assert answer.status_code == 404 or answer.json()["total"] == 0
    assert dream not in answer.text


def test_sharing_into_a_circle_one_does_not_belong_to_is_refused(client: Any, world: World) -> None:
    answer = client.post("/api/v1/dreams", headers=world.headers["bob"],
                         json={"text": "bob's dream", "visibility": "circle", "circle_ids": [world.circle]})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/circles/{world.circle}/dreams", headers=world.headers["carl"]).json()["total"] == 2
    assert client.get("/api/v1/dreams", headers=world.headers["bob"]).json()["total"] == 0


def test_every_dream_endpoint_of_every_feature_hides_a_private_dream(client: Any, world: World) -> None:
    """Whatever features add later: any GET route with a dream id answers for a private dream of
    someone else exactly as for an id that does not exist."""
    spec = client.get("/openapi.json").json()
    routes = [path for path, ops in spec["paths"].items() if "get" in ops and "{dream_id}" in path]
    assert "/api/v1/dreams/{dream_id}" in routes
    for path in routes:
        if any(p in path for p in ("{circle_id}", "{username}")) or path.count("{") > 1:
            continue
        for attacker in ("bob", "ada_admin", "gina_guardian", "carl"):
            h = world.headers[attacker]
            seen = client.get(path.format(dream_id=world.dreams["private"]), headers=h)
            missing = client.get(path.format(dream_id=missing_id()), headers=h)
            assert seen.status_code < 500 and seen.status_code >= 400, f"{path}: {seen.status_code}"
            assert (seen.status_code, seen.json()) == (missing.status_code, missing.json()), path
            assert_no_trace(world, seen.text)


def test_ids_are_random_32_hex(client: Any, world: World) -> None:
    ids = [*world.dreams.values(), *world.ids.values(), world.circle]
    assert all(HEX32.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    dreams = list(world.dreams.values())
    # consecutive creations share no visible order: not sequential, not sortable by time
    assert sorted(dreams) != dreams or sorted(dreams, reverse=True) != dreams
    numbers = [int(d, 16) for d in dreams]
    assert all(abs(a - b) > 2**64 for a, b in itertools.pairwise(numbers))
    # nor are they guessable from each other: a fresh id never finds anything
    for _ in range(20):
        assert client.get(f"/api/v1/dreams/{missing_id()}", headers=world.headers["alice"]).status_code == 404


def test_errors_do_not_disclose_existence(client: Any, world: World) -> None:
    """Even bad input aimed at someone else's dream answers as it would for a missing dream."""
    bob = world.headers["bob"]
    for body in ({"text": ""}, {"mood": 99}, {"nope": 1}):
        seen = client.patch(f"/api/v1/dreams/{world.dreams['private']}", json=body, headers=bob)
        missing = client.patch(f"/api/v1/dreams/{missing_id()}", json=body, headers=bob)
        assert (seen.status_code, seen.json()) == (missing.status_code, missing.json())
