"""Archive test helpers: a small corpus with every kind of consent, series, sexes and dates, written by
the project (never copied from the shared corpora), and signed-in page clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from dream_mosaic.core.models import User

PASSWORD = "correct horse battery"
SECRET = "zanzibarite"  # a word that only private or non-research dreams contain

SERIES = {
    "moon-f": ("Moon series (F)", "female", "1990-1999", [
        ("My teeth were loose and falling out while I gave a talk. I was embarrassed.", date(1991, 3, 2)),
        ("I lost all my teeth in the bathroom mirror and felt afraid.", date(1995, 5, 6)),
        ("We were flying over a lake at night with a large dog.", date(1996, 1, 1)),
        ("A storm flooded the old house and I carried my sister upstairs.", None),
        ("My teeth crumbled like chalk at the dentist.", date(2003, 7, 8)),
    ]),
    "moon-m": ("Moon series (M)", "male", "1990-1999", [
        ("I was late for an exam and could not find the room.", date(1992, 2, 2)),
        ("A tooth fell out at dinner and nobody noticed.", date(1993, 3, 3)),
        ("I was chased by a wolf through the snowy forest.", date(1998, 8, 8)),
        ("We flew a kite on the beach and laughed.", None),
    ]),
}


@dataclass
class Corpus:
    headers: dict[str, dict[str, str]]
    users: dict[str, str] = field(default_factory=dict)  # user ids by name
    dreams: dict[str, str] = field(default_factory=dict)  # dream ids by label
    circle: str = ""


def import_series(platform: Any, owner_name: str, visibility: str = "research") -> None:
    from dream_mosaic.journal import service as journal

    records = []
    for slug, (name, sex, timeframe, dreams) in SERIES.items():
        for text, night in dreams:
            records.append({
                "text": text, "dreamt_on": night, "collection": slug,
                "collection_meta": {"name": name, "dreamer_sex": sex, "timeframe": timeframe},
                "dreamer_sex": "F" if sex == "female" else "M", "language": "en",
            })
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == owner_name))
        journal.import_stream(session, owner, records, visibility=visibility)


@pytest.fixture
def corpus(platform: Any, client: Any, make_user: Callable[..., dict[str, str]]) -> Corpus:
    """- ``archive`` (archivist) owns two research series (9 dreams, some dated);
    - ``vera`` (dreamer) has a private, a circle and a community dream, the SECRET word in the private and
      circle ones; ``carl`` shares vera's circle (which the guide ``gus`` opened);
    - ``eve`` (an archivist) and ``mallory`` (a dreamer) attack."""
    headers = {name: make_user(name, role) for name, role in (
        ("archive", "archivist"), ("vera", "dreamer"), ("carl", "dreamer"), ("eve", "archivist"),
        ("mallory", "dreamer"), ("gina", "guardian"), ("gus", "guide"))}
    found = Corpus(headers=headers)
    with platform.db.transaction() as session:
        for user in session.scalars(select(User)):
            found.users[user.username] = user.id
    import_series(platform, "archive")
    circle = client.post("/api/v1/circles", json={"name": "Vera's circle", "purpose": "testing"},
                         headers=headers["gus"])
    assert circle.status_code == 201, circle.text
    found.circle = circle.json()["id"]
    for member in ("vera", "carl"):
        joined = client.post(f"/api/v1/circles/{found.circle}/join", headers=headers[member])
        assert joined.status_code in (200, 201, 204), joined.text
    for label, visibility, text in (
        ("private", "private", f"My {SECRET} teeth fell into the sea and I wept. Nobody must know."),
        ("circle", "circle", f"In the circle dream my {SECRET} teeth glowed like lanterns."),
        ("community", "community", "A community dream about teeth and a friendly horse."),
    ):
        body: dict[str, Any] = {"text": text, "visibility": visibility, "attribution": "alias"}
        if visibility == "circle":
            body["circle_ids"] = [found.circle]
        made = client.post("/api/v1/dreams", json=body, headers=headers["vera"])
        assert made.status_code == 201, made.text
        found.dreams[label] = made.json()["id"]
    return found


_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def signed_in(app: Any) -> Iterator[Callable[[str], Any]]:
    """signed_in("eve") -> a TestClient with eve's session cookie and ``.csrf``."""
    from fastapi.testclient import TestClient

    opened: list[Any] = []

    def make(username: str) -> Any:
        c = TestClient(app, raise_server_exceptions=False)
        opened.append(c)
        login = _CSRF.search(c.get("/signin").text)  # the sign-in form's pre-session token
        answer = c.post("/signin", data={"username": username, "password": PASSWORD, "next": "/archive",
                                         "csrf": login.group(1) if login else ""})
        assert answer.status_code == 200, answer.text[:300]
        match = _CSRF.search(c.get("/archive/themes").text)
        c.csrf = match.group(1) if match else ""
        return c

    yield make
    for c in opened:
        c.close()
