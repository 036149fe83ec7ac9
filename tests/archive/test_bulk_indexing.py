"""A bulk import enters the archive just after it commits (the ``archive.index_docs`` job), not inside the
import's transactions. Until then its dreams are simply absent from the archive; a dream withdrawn or made
private in that window never becomes findable; whatever a crash leaves out is caught up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dream_mosaic.archive import tasks
from dream_mosaic.archive.models import ArchiveDoc
from dream_mosaic.core.models import User
from dream_mosaic.journal import service as journal


def _hold_jobs(platform: Any, monkeypatch: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Keep queued jobs instead of running them, as if no job runner were up yet."""
    held: list[tuple[str, tuple[Any, ...]]] = []
    monkeypatch.setattr(platform.queue, "enqueue", lambda name, *args: held.append((name, args)))
    return held


def run_index_job(dream_ids: list[str]) -> None:
    tasks.index_docs.func(dream_ids)  # what the job runner calls


def _import(platform: Any, username: str, n: int, word: str, visibility: str = "community") -> None:
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == username))
        records = [{"text": f"Dream {i}: a {word} rose out of the harbour at dawn.", "visibility": visibility}
                   for i in range(n)]
        journal.import_records(session, owner, records, batch_size=n)


def _docs(platform: Any) -> int:
    with platform.db.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(ArchiveDoc)) or 0)


def test_an_import_is_searchable_once_its_index_job_ran(platform, client, make_user, monkeypatch):
    headers = make_user("ida", "archivist")
    held = _hold_jobs(platform, monkeypatch)
    _import(platform, "ida", 30, "lighthouse")
    index_jobs = [args for name, args in held if name == "archive.index_docs"]
    assert [len(args[0]) for args in index_jobs] == [30]
    assert _docs(platform) == 0
    assert client.get("/api/v1/search", params={"q": "lighthouse"}, headers=headers).json()["total"] == 0
    assert len(tasks.missing_docs(platform.db)) == 30

    run_index_job(*index_jobs[0])
    page = client.get("/api/v1/search", params={"q": "lighthouse"}, headers=headers).json()
    assert page["total"] == 30
    assert tasks.missing_docs(platform.db) == []
    run_index_job(*index_jobs[0])  # at least once: a second run changes nothing
    assert _docs(platform) == 30


def test_a_dream_withdrawn_before_indexing_never_enters_the_archive(platform, client, make_user, monkeypatch):
    owner = make_user("jon")
    snoop = make_user("kim", "archivist")
    held = _hold_jobs(platform, monkeypatch)
    _import(platform, "jon", 3, "zeppelin")
    ids = next(args[0] for name, args in held if name == "archive.index_docs")
    deleted, hidden = ids[0], ids[1]
    assert client.delete(f"/api/v1/dreams/{deleted}", headers=owner).status_code == 204
    made_private = client.put(f"/api/v1/dreams/{hidden}/consent", headers=owner,
                              json={"visibility": "private", "attribution": "anonymous"})
    assert made_private.status_code == 200, made_private.text

    run_index_job(ids)  # the job runs after both changes, with the ids it was queued with
    with platform.db.transaction(write=False) as session:
        indexed = set(session.scalars(select(ArchiveDoc.dream_id)))
    assert deleted not in indexed
    page = client.get("/api/v1/search", params={"q": "zeppelin", "facets": "true"}, headers=snoop).json()
    assert page["total"] == 1
    assert [r["id"] for r in page["results"]] == [ids[2]]
    mine = client.get("/api/v1/search", params={"q": "zeppelin"}, headers=owner).json()
    assert mine["total"] == 2  # the owner still finds her own private dream


def test_whatever_a_crash_left_out_is_caught_up(platform, client, make_user, monkeypatch):
    headers = make_user("lea", "archivist")
    held = _hold_jobs(platform, monkeypatch)
    _import(platform, "lea", 12, "carousel")
    held.clear()  # the process died before its jobs ran: they are lost with it
    assert _docs(platform) == 0
    progress: list[int] = []
    assert tasks.index_missing(platform.db, on_progress=progress.append) == 12
    assert progress == [12]
    assert client.get("/api/v1/search", params={"q": "carousel"}, headers=headers).json()["total"] == 12
    assert tasks.index_missing(platform.db) == 0


def test_single_creates_are_searchable_at_once(platform, client, make_user, monkeypatch):
    headers = make_user("max", "archivist")
    _hold_jobs(platform, monkeypatch)  # no job may be needed for a dream written through the API
    made = client.post("/api/v1/dreams", headers=headers,
                       json={"text": "A walrus sang in the library.", "visibility": "community"})
    assert made.status_code == 201, made.text
    assert client.get("/api/v1/search", params={"q": "walrus"}, headers=headers).json()["total"] == 1
