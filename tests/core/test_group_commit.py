"""Group commit: many writes, one transaction; each write succeeds or fails on its own."""

import threading

import pytest
from sqlalchemy import func, select

from dream_mosaic.core import auth
from dream_mosaic.core.models import User


def test_concurrent_writes_share_commits_and_fail_alone(platform):
    writer = platform.writer
    gate = threading.Event()

    def blocker(session):
        gate.wait(5)  # hold the writer so the next writes pile up into one batch
        return "first"

    def make(name):
        def write(session):
            return auth.create_user(session, name, "correct horse battery", "dreamer").username
        return write

    def broken(session):
        auth.create_user(session, "half-done", "correct horse battery", "dreamer")
        raise ValueError("this write fails after adding a row")

    first = writer.submit(blocker)
    futures = [writer.submit(make(f"person{i}")) for i in range(20)]
    bad = writer.submit(broken)
    duplicate = writer.submit(make("person0"))  # violates the unique username, alone
    batches_before = writer.batches
    gate.set()
    assert first.result(10) == "first"
    assert [f.result(10) for f in futures] == [f"person{i}" for i in range(20)]
    with pytest.raises(ValueError):
        bad.result(10)
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        duplicate.result(10)
    assert writer.batches - batches_before <= 2  # the blocker's batch, then everything that waited
    with platform.db.transaction(write=False) as session:
        names = set(session.scalars(select(User.username)))
        assert {f"person{i}" for i in range(20)} <= names
        assert "half-done" not in names
        assert session.scalar(select(func.count()).select_from(User)) == 20


def test_an_answer_means_the_write_is_committed(client, make_user, platform):
    lyra = make_user("lyra")
    answer = client.post("/api/v1/dreams", json={"text": "A quiet dream of snow."}, headers=lyra)
    assert answer.status_code == 201
    other = platform.db.session()
    try:
        from dream_mosaic.core.models import Dream

        assert other.get(Dream, answer.json()["id"]) is not None
    finally:
        other.close()
