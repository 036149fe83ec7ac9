"""What lives as long as the server is frozen out of the collector's full passes while it runs."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient


def test_the_app_freezes_what_is_alive_at_start_and_thaws_it_at_shutdown(app):
    gc.unfreeze()
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
