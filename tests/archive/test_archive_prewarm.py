"""PostgreSQL: what a search reads is loaded into shared buffers at server start, when they can hold it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import text

from dream_mosaic.archive import repository


def test_prewarm_loads_every_search_table_and_btree_index_that_fits(platform: Any, corpus: Any) -> None:
    with platform.db.transaction(write=False) as session:
        done = repository.prewarm_postgres(session)
        if session.get_bind().dialect.name != "postgresql":
            assert done == {"prewarmed": False, "reason": "not PostgreSQL"}
            return
        assert done["prewarmed"], done
        block = int(session.scalar(text("SELECT current_setting('block_size')::int")))
        assert set(done["blocks"]) >= {"dreams", "archive_docs", "users", "collections", "ix_archive_dreams_gate"}
        assert not any("tsv" in name or "trgm" in name for name in done["blocks"])  # GIN indexes are left out
        assert sum(done["blocks"].values()) * block == done["bytes"] > 0


def test_prewarm_says_what_to_set_when_shared_buffers_cannot_hold_it(platform: Any, corpus: Any) -> None:
    with platform.db.transaction(write=False) as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("shared buffers are PostgreSQL's")
        done = repository.prewarm_postgres(session, budget=1e-6)
        assert not done["prewarmed"]
        assert "set it to at least" in done["reason"] and "shared_buffers" in done["reason"]


def test_the_server_starts_the_prewarm_on_postgresql(platform: Any, corpus: Any, monkeypatch: Any) -> None:
    from fastapi.testclient import TestClient

    from dream_mosaic.archive import service
    from dream_mosaic.web.app import create_app

    called: list[str] = []
    monkeypatch.setattr(service, "prewarm_postgres", lambda session: called.append("yes") or {"prewarmed": True,
                                                                                            "bytes": 0})
    with TestClient(create_app(platform)) as server:
        assert server.get("/api/v1/health").status_code == 200
        deadline = time.monotonic() + 5
        while not called and time.monotonic() < deadline:  # it runs in a thread of its own
            time.sleep(0.01)
    assert called == (["yes"] if platform.db.engine.dialect.name == "postgresql" else [])
