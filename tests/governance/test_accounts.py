"""Accounts: sign up, sign in, sign out, hashed passwords, disabled people, and roles enforced.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text, update

from dream_mosaic.core.models import AuthToken, User

PASSWORD = "a long password"


def signup(client: Any, name: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/api/v1/auth/signup", json={"username": name, "password": password, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_up_sign_in_sign_out(client: Any, platform: Any) -> None:
    made = signup(client, "Lyra", display_name="Lyra Silvertongue")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["token_type"] == "bearer" and body["user"]["username"] == "lyra"  # kept lower-case
    assert body["user"]["role"] == "dreamer" and body["user"]["display_name"] == "Lyra Silvertongue"
    first = body["access_token"]
    assert client.get("/api/v1/me", headers=bearer(first)).json()["username"] == "lyra"

    signed_in = client.post("/api/v1/auth/token", json={"username": "LYRA", "password": PASSWORD})
    assert signed_in.status_code == 200
    second = signed_in.json()["access_token"]
    assert second != first

    assert client.post("/api/v1/auth/signout", headers=bearer(first)).status_code == 204
    revoked = client.get("/api/v1/me", headers=bearer(first))
    assert revoked.status_code == 401 and revoked.headers["content-type"].startswith("application/problem+json")
    assert client.post("/api/v1/dreams", json={"text": "after sign-out"}, headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200  # other sign-ins live on

    # passwords and tokens are never stored as given
    with platform.db.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.username == "lyra"))
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        stored = session.scalars(select(AuthToken.token_hash)).all()
        dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM users")) for v in row)
        dump += " ".join(str(v) for row in session.execute(text("SELECT * FROM auth_tokens")) for v in row)
    assert PASSWORD not in dump and first not in dump and second not in dump
    assert hashlib.sha256(second.encode()).hexdigest() in stored
    assert hashlib.sha256(first.encode()).hexdigest() not in stored  # revoked: gone


def test_wrong_passwords_and_unknown_people_get_the_same_401(client: Any) -> None:
    assert signup(client, "lyra").status_code == 201
    wrong = client.post("/api/v1/auth/token", json={"username": "lyra", "password": "not the password"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # nothing tells whether the account exists
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/me", headers=bearer("made-up-token")).status_code == 401


def test_usernames_are_unique_whatever_the_case(client: Any) -> None:
    assert signup(client, "lyra").status_code == 201
    for name in ("lyra", "LYRA", " Lyra "):
        again = signup(client, name)
        assert again.status_code in (409, 422), again.text
        assert again.headers["content-type"].startswith("application/problem+json")
    assert client.post("/api/v1/auth/token", json={"username": "lyra", "password": PASSWORD}).status_code == 200


def test_disabled_people_are_refused_everywhere(client: Any, platform: Any) -> None:
    token = signup(client, "lyra").json()["access_token"]
    with platform.db.transaction() as session:
        session.execute(update(User).where(User.username == "lyra").values(disabled=True))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/dreams", headers=bearer(token)).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "lyra", "password": PASSWORD}).status_code == 401
    login = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/signin").text)
    assert login is not None
    page = client.post("/signin", data={"username": "lyra", "password": PASSWORD, "csrf": login.group(1)},
                       follow_redirects=False)
    assert page.status_code == 401 and "mosaic_session" not in page.headers.get("set-cookie", "")


def test_sign_up_cannot_choose_a_role(client: Any) -> None:
    answer = signup(client, "sneaky", role="admin")
    assert answer.status_code == 422
    made = signup(client, "honest")
    assert made.json()["user"]["role"] == "dreamer"


def test_only_guides_and_admins_open_circles(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    for role, expected in (("dreamer", 403), ("guardian", 403), ("archivist", 403), ("guide", 201), ("admin", 201)):
        h = make_user(f"person_{role}", role=role)
        answer = client.post("/api/v1/circles", json={"name": f"circle of {role}"}, headers=h)
        assert answer.status_code == expected, (role, answer.text)
    assert client.post("/api/v1/circles", json={"name": "anonymous circle"}).status_code == 401
    admin = make_user("circle_admin", role="admin")
    names = {c["name"] for c in client.get("/api/v1/circles", headers=admin).json()}
    assert names == {"circle of guide", "circle of admin"}


def test_only_admins_change_roles(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    target = make_user("target")
    for role in ("dreamer", "guide", "guardian", "archivist"):
        h = make_user(f"not_admin_{role}", role=role)
        answer = client.put("/api/v1/governance/users/target/role", json={"role": "admin"}, headers=h)
        assert answer.status_code == 403, role
    assert client.get("/api/v1/me", headers=target).json()["role"] == "dreamer"
    admin = make_user("the_admin", role="admin")
    changed = client.put("/api/v1/governance/users/target/role", json={"role": "guide"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["role"] == "guide"
    assert client.get("/api/v1/me", headers=target).json()["role"] == "guide"  # at once, same token
    assert client.post("/api/v1/circles", json={"name": "now I guide"}, headers=target).status_code == 201
    assert client.put("/api/v1/governance/users/nobody/role", json={"role": "guide"}, headers=admin).status_code == 404
    assert client.put("/api/v1/governance/users/target/role", json={"role": "king"}, headers=admin).status_code == 422
    # a demoted guide loses the power at once
    assert client.put("/api/v1/governance/users/target/role", json={"role": "dreamer"},
                      headers=admin).status_code == 200
    assert client.post("/api/v1/circles", json={"name": "not any more"}, headers=target).status_code == 403
