"""Every HTTP answer carries the security headers: API, pages, errors and static files."""

from __future__ import annotations

from typing import Any


def test_security_headers_on_every_kind_of_answer(client: Any) -> None:
    for path, status in (("/api/v1/health", 200), ("/signin", 200), ("/api/v1/dreams/nope", 401),
                         ("/no-such-page", 404)):
        answer = client.get(path)
        assert answer.status_code == status, path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["x-frame-options"] == "DENY", path
        assert answer.headers["referrer-policy"] == "same-origin", path
        assert len(answer.headers.get_list("x-frame-options")) == 1, path
