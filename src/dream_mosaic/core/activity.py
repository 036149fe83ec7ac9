"""Requests in flight, so that background work in the same process waits for a quiet moment.

Why: the embedded job runner (analysis of every new dream) shares the server's interpreter lock. A job
that starts while requests are being answered holds them up for its whole run (a few milliseconds of
analysis, then a write), which is most of a create's tail latency. Waiting until no request is in flight
lets jobs fill the gaps between requests instead; ``max_wait`` bounds the wait so that under constant
load jobs still make progress, only later.
"""

from __future__ import annotations

import threading
import time


class Activity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._quiet = threading.Event()
        self._quiet.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._quiet.clear()

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            if self._in_flight <= 0:
                self._in_flight = 0
                self._quiet.set()

    def wait_quiet(self, *, settle: float = 0.005, max_wait: float = 1.0) -> bool:
        """Block until no request has been in flight for ``settle`` seconds, or ``max_wait`` passed.
        Returns whether a quiet moment was found."""
        if self._quiet.is_set():
            return True
        deadline = time.monotonic() + max_wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self._quiet.wait(left):
                return False
            # A burst's next request usually follows within a few milliseconds: let it arrive first.
            time.sleep(settle)
            if self._quiet.is_set():
                return True
