"""Privacy and CSRF through the server-rendered pages (session cookie from the /signin form)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from journal_helpers import PASSWORD, World, login_csrf

HTML = {"Accept": "text/html,application/xhtml+xml"}


def count(client: Any, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/dreams", headers=headers).json()["total"])


def test_pages_never_show_or_confirm_someone_elses_private_dream(
    client: Any, world: World, page_client: Callable[..., Any]
) -> None:
    for attacker in ("bob", "carl", "ada_admin", "gina_guardian", "archie_archivist"):
        browser = page_client(attacker)
        listing = browser.get("/journal", headers=HTML)
        assert listing.status_code == 200 and "zanzibarquux" not in listing.text
        for query in ("?q=zanzibarquux", "?visibility=private", "?q=lighthouse&page=1", "?page=99999"):
            shown = browser.get(f"/journal{query}", headers=HTML)
            # (the search box echoes the query; what must not appear is any dream of alice's)
            assert shown.status_code == 200 and "about a lighthouse" not in shown.text
            assert not any(d in shown.text for d in world.dreams.values())
            assert "0 dreams" in shown.text
        for kind in ("private", "private_shared_link"):
            for suffix in ("", "/edit"):
                seen = browser.get(f"/journal/{world.dreams[kind]}{suffix}", headers=HTML)
                missing = browser.get(f"/journal/{secrets.token_hex(16)}{suffix}", headers=HTML)
                assert seen.status_code == missing.status_code == 404
                assert seen.text == missing.text, f"{attacker} can tell {kind} exists from the page"
                assert "zanzibarquux" not in seen.text and "Alice Display" not in seen.text
        # forms aimed at alice's dreams with a perfectly valid CSRF token change nothing
        for kind in ("private", "community_anon"):
            dream = world.dreams[kind]
            edited = browser.post(f"/journal/{dream}/edit", headers=HTML, data={
                "csrf": browser.csrf, "text": "hijacked", "visibility": "community", "attribution": "named"})
            deleted = browser.post(f"/journal/{dream}/delete", headers=HTML, data={"csrf": browser.csrf})
            assert edited.status_code == deleted.status_code == 404
    mine = client.get("/api/v1/dreams?limit=500", headers=world.headers["alice"]).json()
    assert mine["total"] == 6 and all("hijacked" not in d["text"] for d in mine["items"])
    assert {d["visibility"] for d in mine["items"] if d["id"] == world.dreams["private"]} == {"private"}


def test_readable_dreams_on_pages_do_not_name_alias_or_anonymous_dreamers(
    world: World, page_client: Callable[..., Any]
) -> None:
    browser = page_client("bob")
    for kind in ("community_anon", "research_alias"):
        page = browser.get(f"/journal/{world.dreams[kind]}", headers=HTML)
        assert page.status_code == 200 and f"zanzibarquux{kind.replace('_', '')}" in page.text
        assert "Alice Display" not in page.text and world.ids["alice"] not in page.text
        assert ">alice<" not in page.text and "(alice)" not in page.text
        # the dreamer's consent settings and delete form are hers alone
        assert "/delete" not in page.text and "/edit" not in page.text


def test_signed_out_visitors_are_sent_to_sign_in_whatever_the_id(
    world: World, page_client: Callable[..., Any]
) -> None:
    visitor = page_client(None)
    for url in (f"/journal/{world.dreams['private']}", f"/journal/{secrets.token_hex(16)}", "/journal",
                f"/journal/{world.dreams['private']}/edit", "/journal/new", "/circles"):
        answer = visitor.get(url, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    for url in (f"/journal/{world.dreams['private']}/delete", f"/journal/{world.dreams['private']}/edit"):
        answer = visitor.post(url, data={"csrf": "x", "text": "hijacked"}, follow_redirects=False)
        assert answer.status_code in (303, 403)


def test_every_form_post_needs_the_right_csrf_token(
    client: Any, world: World, page_client: Callable[..., Any]
) -> None:
    alice = page_client("alice")
    bob = page_client("bob")
    api = world.headers["alice"]
    before = count(client, api)
    dream = world.dreams["private"]
    for token in (None, "", "0" * 64, bob.csrf, alice.csrf[:-1] + ("0" if alice.csrf[-1] != "0" else "1")):
        data = {} if token is None else {"csrf": token}
        made = alice.post("/journal/new", headers=HTML,
                          data={**data, "text": "forged dream", "visibility": "community"})
        edited = alice.post(f"/journal/{dream}/edit", headers=HTML,
                            data={**data, "text": "forged edit", "visibility": "community", "attribution": "named"})
        deleted = alice.post(f"/journal/{dream}/delete", headers=HTML, data=data)
        joined = bob.post(f"/circles/{world.circle}/join", headers=HTML,
                          data={} if token is None else {"csrf": token if token != bob.csrf else alice.csrf})
        signed_out = alice.post("/signout", headers=HTML, data=data)
        for answer in (made, edited, deleted, joined, signed_out):
            assert answer.status_code == 403, (token, answer.status_code, answer.text[:200])
    assert count(client, api) == before
    kept = client.get(f"/api/v1/dreams/{dream}", headers=api).json()
    assert kept["visibility"] == "private" and "forged" not in kept["text"]
    assert "forged" not in client.get("/api/v1/dreams?limit=500", headers=api).text
    members = client.get(f"/api/v1/circles/{world.circle}", headers=world.headers["bob"]).json()
    assert members["is_member"] is False
    assert alice.get("/journal", headers=HTML).status_code == 200  # still signed in: signout was refused
    # and with the right token each one works
    made = alice.post("/journal/new", headers=HTML, data={"csrf": alice.csrf, "text": "a real dream"},
                      follow_redirects=False)
    assert made.status_code == 303
    assert count(client, api) == before + 1


def test_a_session_cookie_cannot_write_through_the_api(
    client: Any, world: World, page_client: Callable[..., Any]
) -> None:
    """The API writes only for bearer tokens: a cross-site form cannot ride on the browser's cookie."""
    alice = page_client("alice")
    before = count(client, world.headers["alice"])
    assert alice.get("/api/v1/dreams").status_code == 200  # reading with the cookie is fine
    for method, url, body in (("POST", "/api/v1/dreams", {"text": "csrf via api"}),
                              ("DELETE", f"/api/v1/dreams/{world.dreams['private']}", None),
                              ("PUT", f"/api/v1/dreams/{world.dreams['private']}/consent",
                               {"visibility": "community", "attribution": "named"})):
        answer = alice.request(method, url, json=body)
        assert answer.status_code == 401, (url, answer.status_code)
    assert count(client, world.headers["alice"]) == before
    assert client.get(f"/api/v1/dreams/{world.dreams['private']}",
                      headers=world.headers["alice"]).json()["visibility"] == "private"


def test_script_and_sql_are_stored_verbatim_and_rendered_escaped(
    client: Any, make_user: Callable[..., dict[str, str]], page_client: Callable[..., Any]
) -> None:
    h = make_user("mallory", display_name="<b>Mallory</b>")
    text = "<script>alert('x')</script> '; DROP TABLE dreams; -- \" onmouseover=\"alert(1)"
    title = "<img src=x onerror=alert(1)>"
    made = client.post("/api/v1/dreams", headers=h,
                       json={"text": text, "title": title, "tags": ["<i>t</i>"], "visibility": "community"})
    assert made.status_code == 201
    dream = made.json()["id"]
    assert client.get(f"/api/v1/dreams/{dream}", headers=h).json()["text"] == text
    browser = page_client("mallory")
    for url in (f"/journal/{dream}", "/journal", f"/journal/{dream}/edit"):
        page = browser.get(url, headers=HTML).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<i>t</i>" not in page
        assert "<b>Mallory</b>" not in page
        assert "&lt;script&gt;" in page or "&lt;img" in page
    assert count(client, h) == 1  # the SQL did nothing


def test_sign_out_revokes_the_session(world: World, page_client: Callable[..., Any]) -> None:
    alice = page_client("alice")
    cookie = alice.cookies.get("mosaic_session")
    out = alice.post("/signout", data={"csrf": alice.csrf}, follow_redirects=False)
    assert out.status_code == 303
    thief = page_client(None)
    thief.cookies.set("mosaic_session", cookie)
    answer = thief.get("/journal", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    assert thief.get("/api/v1/dreams").status_code == 401


def test_sign_in_page_refuses_wrong_passwords_and_unsafe_redirects(
    world: World, page_client: Callable[..., Any]
) -> None:
    visitor = page_client(None)
    token = login_csrf(visitor)
    wrong = visitor.post("/signin", data={"username": "alice", "password": PASSWORD + "x", "csrf": token})
    assert wrong.status_code == 401 and "mosaic_session" not in visitor.cookies
    unknown = visitor.post("/signin", data={"username": "nobody", "password": PASSWORD, "csrf": token})
    assert unknown.status_code == 401 and unknown.text.replace("nobody", "alice") == wrong.text
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        answer = visitor.post("/signin", data={"username": "alice", "password": PASSWORD, "next": target,
                                               "csrf": token},
                              follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/journal"
