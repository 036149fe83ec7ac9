"""Login CSRF: the sign-in and sign-up forms carry a token bound to a pre-session cookie, so another site
cannot post them (and sign a visitor in to an account of the attacker's choosing). Runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from dream_mosaic.core.models import AuthToken, User
from dream_mosaic.core.pages import LOGIN_COOKIE

PASSWORD = "correct horse battery"  # make_user's password
HTML = {"Accept": "text/html"}
CROSS_SITE = {"Origin": "https://evil.example", "Referer": "https://evil.example/page", "Accept": "text/html"}
_TOKEN = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def browser_client(app: Any) -> Iterator[Callable[[], Any]]:
    """browser_client() -> a fresh TestClient: a browser with no cookies yet."""
    from fastapi.testclient import TestClient

    opened: list[Any] = []

    def make() -> Any:
        c = TestClient(app, raise_server_exceptions=False)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def form_token(client: Any, path: str) -> str:
    match = _TOKEN.search(client.get(path, headers=HTML).text)
    assert match, f"{path} carries no CSRF token"
    return match.group(1)


def session_count(platform: Any) -> int:
    with platform.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(AuthToken).where(AuthToken.kind == "session")) or 0


def test_the_sign_in_form_sets_a_pre_session_cookie_and_signs_in_with_its_token(
    platform: Any, make_user: Callable[..., dict[str, str]], browser_client: Callable[[], Any]
) -> None:
    make_user("lyra")
    browser = browser_client()
    page = browser.get("/signin", headers=HTML)
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_COOKIE}=") and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token = _TOKEN.search(page.text)
    assert token is not None
    # A second visit keeps the same cookie and so the same token (several open tabs all work).
    assert form_token(browser, "/signin") == token.group(1)
    answer = browser.post("/signin", data={"username": "lyra", "password": PASSWORD, "csrf": token.group(1)},
                          follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/journal"
    assert "mosaic_session" in browser.cookies
    assert browser.get("/journal", headers=HTML).status_code == 200


def test_a_cross_site_sign_in_without_the_token_is_refused(
    platform: Any, make_user: Callable[..., dict[str, str]], browser_client: Callable[[], Any]
) -> None:
    make_user("mallory")
    before = session_count(platform)
    # The attacker's page posts the attacker's own credentials from the victim's browser: the browser
    # sends no SameSite=Lax cookie cross-site and the attacker cannot read the victim's token.
    victim = browser_client()
    answer = victim.post("/signin", data={"username": "mallory", "password": PASSWORD}, headers=CROSS_SITE,
                         follow_redirects=False)
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    assert "sign-in form has expired or was not sent from this site" in answer.text
    assert "mosaic_session" not in victim.cookies
    assert session_count(platform) == before
    # Through a non-browser client the same refusal is a problem+json.
    plain = browser_client().post("/signin", data={"username": "mallory", "password": PASSWORD})
    assert plain.status_code == 403 and plain.headers["content-type"].startswith("application/problem+json")
    assert "reload the page" in plain.json()["detail"]
    assert session_count(platform) == before


def test_tokens_only_count_with_their_own_cookie(
    platform: Any, make_user: Callable[..., dict[str, str]], browser_client: Callable[[], Any]
) -> None:
    make_user("mallory")
    before = session_count(platform)
    attacker = browser_client()
    stolen = form_token(attacker, "/signin")  # a valid pair for the attacker's own browser
    victim = browser_client()
    form_token(victim, "/signin")  # the victim has visited the site: a cookie of their own
    for data in ({"csrf": stolen}, {"csrf": ""}, {"csrf": "0" * 64}):
        answer = victim.post("/signin", data={"username": "mallory", "password": PASSWORD, **data},
                             headers=CROSS_SITE, follow_redirects=False)
        assert answer.status_code == 403, data
    # The token alone, without any cookie, is no better.
    bare = browser_client()
    answer = bare.post("/signin", data={"username": "mallory", "password": PASSWORD, "csrf": stolen},
                       follow_redirects=False)
    assert answer.status_code == 403
    # A forged cookie does not help without the server's secret.
    forged = browser_client()
    forged.cookies.set(LOGIN_COOKIE, "attacker-chosen-nonce-value")
    answer = forged.post("/signin", data={"username": "mallory", "password": PASSWORD, "csrf": stolen},
                         follow_redirects=False)
    assert answer.status_code == 403
    assert session_count(platform) == before
    assert not any("mosaic_session" in c.cookies for c in (victim, bare, forged))


def test_sign_up_needs_the_token_too(platform: Any, browser_client: Callable[[], Any]) -> None:
    form = {"username": "newcomer", "password": "a long password", "display_name": "New"}
    refused = browser_client().post("/signup", data=form, headers=CROSS_SITE, follow_redirects=False)
    assert refused.status_code == 403 and "reload the page" in refused.text
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.username == "newcomer")) is None
    browser = browser_client()
    made = browser.post("/signup", data={**form, "csrf": form_token(browser, "/signup")}, follow_redirects=False)
    assert made.status_code == 303 and "mosaic_session" in browser.cookies
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.username == "newcomer")) is not None


def test_a_failed_sign_in_renders_a_form_that_still_works(
    platform: Any, make_user: Callable[..., dict[str, str]], browser_client: Callable[[], Any]
) -> None:
    make_user("lyra")
    browser = browser_client()
    wrong = browser.post("/signin", data={"username": "lyra", "password": "nope nope nope",
                                          "csrf": form_token(browser, "/signin")}, headers=HTML)
    assert wrong.status_code == 401
    again = _TOKEN.search(wrong.text)
    assert again is not None
    right = browser.post("/signin", data={"username": "lyra", "password": PASSWORD, "csrf": again.group(1)},
                         follow_redirects=False)
    assert right.status_code == 303 and "mosaic_session" in browser.cookies
