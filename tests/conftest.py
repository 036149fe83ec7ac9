"""Fixtures shared by every test: real databases (SQLite and PostgreSQL), a real app, real clients.
Read CONTRIBUTING.md before adding tests (markers, time budget, coordination rules).

- ``platform`` is parametrised over the two databases: a test that uses it runs on both.
- ``client`` is a Starlette TestClient over the whole app, with the lifespan running.
- ``make_user`` creates an account with any role and returns its API headers.
- ``shared_data`` points at ../shared/data; under CI=true a missing folder fails loudly.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dream_mosaic.core import security
from dream_mosaic.core.models import Base
from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings
from dream_mosaic.migrations import load_models, upgrade

security.use_fast_hashing_for_tests()
ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("MOSAIC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MOSAIC_TEST_REDIS", "redis://127.0.0.1:6379/0")
BACKENDS = ["sqlite", "postgres"]


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"../shared/data is missing at {SHARED_DATA}: CI must have the real corpora.")
        pytest.skip(f"../shared/data not found at {SHARED_DATA}; these tests need the real corpora")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test copies it (fast and real)."""
    path = tmp_path_factory.mktemp("template") / "mosaic.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of our own per test worker, migrated once, emptied after every test."""
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432; .ci/run should have started it.")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"mosaic_test_{worker}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    from sqlalchemy import inspect

    load_models()
    engine = create_engine(url)
    existing = set(inspect(engine).get_table_names())
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name in existing)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        target = tmp_path / "mosaic.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("pg_url")
        yield url
        _truncate_pg(url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        queue_url="memory://?immediate=1",
        broadcast_url="memory://",
        secret_key="test-secret",
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    p = Platform(settings)
    yield p
    p.close()


@pytest.fixture
def app(platform: Platform) -> Any:
    from dream_mosaic.web.app import create_app

    return create_app(platform)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_user(platform: Platform) -> Callable[..., dict[str, str]]:
    """make_user("lyra", role="guide") -> {"Authorization": "Bearer …"} for the API."""
    from dream_mosaic.core import auth

    def make(username: str, role: str = "dreamer", display_name: str | None = None) -> dict[str, str]:
        with platform.db.transaction() as session:
            user = auth.create_user(session, username, "correct horse battery", role, display_name)
            token = auth.issue_token(session, user, "api")
        return {"Authorization": f"Bearer {token}"}

    return make


CHROMIUM = os.environ.get("MOSAIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The whole app served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
