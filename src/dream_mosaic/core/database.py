"""Engines and sessions for the embedded SQLite file or a PostgreSQL server, picked by URL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit returns only after the WAL is on disk, so an
acknowledged write survives a power cut. Write transactions take the write lock up front (``BEGIN
IMMEDIATE``) so concurrent writers queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "mosaic_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Accept the URLs people type (``postgresql://``) and pick the driver we ship (psycopg 3)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Keep a connection for every thread that may hold one at once (the server's 40 request threads, the
    # group-commit writer, job threads): an overflow connection is closed when returned, and opening one
    # again (file, WAL and pragmas) cost more than the query it served under load.
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=50, max_overflow=30, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

    return engine


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def session(self, *, write: bool = False) -> Session:
        session = self.sessionmaker()
        if write and self.is_sqlite:
            session.connection(execution_options={WRITE_OPTION: True})
        return session

    def read_only_session(self) -> Session:
        """A session for a request that only reads. On PostgreSQL its statements run in autocommit: each
        already sees its own snapshot under READ COMMITTED, and the BEGIN and ROLLBACK around them were two
        more round trips per request. Never write through it."""
        session = self.sessionmaker()
        if not self.is_sqlite:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return session

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
