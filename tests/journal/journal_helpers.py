"""Plain helpers for the journal tests (importable by name: ``from journal_helpers import …``).
Fixtures live in this folder's conftest.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "correct horse battery"  # what tests/conftest.py's make_user gives everyone
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
ATTACKERS = ["bob", "gina_guardian", "archie_archivist", "ada_admin", "gus_guide"]


def login_csrf(client: Any, path: str = "/signin") -> str:
    """The sign-in (or sign-up) form's pre-session CSRF token; the GET also sets the cookie it is bound to."""
    return csrf_of(client.get(path).text)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@dataclass
class World:
    """alice owns one dream of each kind; bob and the staff roles attack; carl shares alice's circle."""

    headers: dict[str, dict[str, str]]
    ids: dict[str, str] = field(default_factory=dict)  # user ids by name
    circle: str = ""
    dreams: dict[str, str] = field(default_factory=dict)  # dream ids by kind
    texts: dict[str, str] = field(default_factory=dict)
