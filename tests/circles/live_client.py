"""A real WebSocket client for live circle tests (the ``websockets`` package, synchronous)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.client import ClientConnection, connect


class LiveClient:
    """One person's live connection; remembers every event it received."""

    def __init__(self, base: str, circle_id: str, headers: dict[str, str]) -> None:
        url = base.replace("http://", "ws://") + f"/api/v1/circles/{circle_id}/live"
        self._opened = connect(url, additional_headers=headers, open_timeout=10)
        self.ws: ClientConnection = self._opened.__enter__()
        self.seen: list[dict[str, Any]] = []
        self._used: set[int] = set()

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def _pull(self, timeout: float) -> bool:
        try:
            raw = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        data = json.loads(raw)
        self.seen.extend(data if isinstance(data, list) else [data])
        return True

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """The first event received that matches and was not returned before (waiting if need be)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.seen):
                if i not in self._used and match(event):
                    self._used.add(i)
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching event within {timeout}s; saw {[e.get('type') for e in self.seen]}")
            self._pull(min(left, 0.2))

    def wait_type(self, kind: str, timeout: float = 5.0, **fields: Any) -> dict[str, Any]:
        return self.wait_for(of_type(kind, **fields), timeout)

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Everything that arrives in the next ``seconds``."""
        start = len(self.seen)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pull(max(0.01, min(0.2, deadline - time.monotonic())))
        return self.seen[start:]

    def close(self) -> None:
        self._opened.__exit__(None, None, None)


def of_type(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("type") == kind and all(e.get(k) == v for k, v in fields.items())
