"""The tamper-evident audit log: entries chain, tampering is detected with the broken entry, and only
guardians and admins read it. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select, text

from dream_mosaic.core.models import AuditEntry
from dream_mosaic.governance.rules import GENESIS


def signup(client: Any, name: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/signup", json={"username": name, "password": "a long password"})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def verify(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/api/v1/governance/audit/verify", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def build_log(client: Any, make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    admin = make_user("root_admin", role="admin")
    for name in ("ann", "ben", "cyd"):
        h = signup(client, name)
        client.post("/api/v1/dreams", json={"text": f"{name} dreamt of a secret staircase"}, headers=h)
    assert client.put("/api/v1/governance/users/ben/role", json={"role": "guide"}, headers=admin).status_code == 200
    return admin


def test_entries_chain_and_verify(client: Any, platform: Any, make_user: Callable[..., dict[str, str]]) -> None:
    admin = build_log(client, make_user)
    with platform.db.transaction(write=False) as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [e.action for e in entries] == ["account.created"] * 3 + ["role.changed"]
    assert entries[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash and after.seq > before.seq
    assert entries[-1].detail == {"old": "dreamer", "new": "guide"}
    assert verify(client, admin) == {"valid": True, "entries": 4, "broken_at": None}
    listed = client.get("/api/v1/governance/audit?limit=2", headers=admin).json()
    assert [e["action"] for e in listed] == ["role.changed", "account.created"]
    older = client.get(f"/api/v1/governance/audit?before={listed[-1]['seq']}", headers=admin).json()
    assert len(older) == 2 and all(e["seq"] < listed[-1]["seq"] for e in older)
    everything = client.get("/api/v1/governance/audit?limit=1000", headers=admin).text
    assert "staircase" not in everything  # the log never carries dream text


def tamper_then_verify(client: Any, platform: Any, admin: dict[str, str], sql: str,
                       **values: Any) -> dict[str, Any]:
    """Run ``sql`` with :second / :last bound to those entries' seq, as someone with database access would."""
    with platform.db.transaction() as session:
        seq = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        session.execute(text(sql), {"second": seq[1], "last": seq[-1], **values})
    return verify(client, admin)


def test_tampering_is_detected_with_the_broken_entry(client: Any, platform: Any,
                                                     make_user: Callable[..., dict[str, str]]) -> None:
    admin = build_log(client, make_user)
    with platform.db.transaction(write=False) as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
    report = tamper_then_verify(client, platform, admin, "UPDATE audit_log SET detail = :d WHERE seq = :last",
                                d='{"old": "dreamer", "new": "admin"}')
    assert report == {"valid": False, "entries": 3, "broken_at": seqs[-1]}


def test_other_kinds_of_tampering(client: Any, platform: Any, make_user: Callable[..., dict[str, str]]) -> None:
    admin = build_log(client, make_user)
    with platform.db.transaction(write=False) as session:
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        original = {e.seq: (e.action, e.actor_id) for e in session.scalars(select(AuditEntry))}
    # a changed action in the middle
    report = tamper_then_verify(client, platform, admin, "UPDATE audit_log SET action = 'nothing' WHERE seq = :second")
    assert report["valid"] is False and report["broken_at"] == seqs[1]
    with platform.db.transaction() as session:
        session.execute(text("UPDATE audit_log SET action = :a WHERE seq = :s"),
                        {"a": original[seqs[1]][0], "s": seqs[1]})
    assert verify(client, admin)["valid"] is True  # put back exactly: valid again
    # a removed entry: the next one no longer links
    report = tamper_then_verify(client, platform, admin, "DELETE FROM audit_log WHERE seq = :second")
    assert report["valid"] is False and report["broken_at"] == seqs[2]


def test_only_guardians_and_admins_read_the_log(client: Any, make_user: Callable[..., dict[str, str]]) -> None:
    build_log(client, make_user)
    for role, expected in (("dreamer", 403), ("guide", 403), ("archivist", 403), ("guardian", 200), ("admin", 200)):
        h = make_user(f"reader_{role}", role=role)
        for url in ("/api/v1/governance/audit", "/api/v1/governance/audit/verify", "/api/v1/governance/users"):
            answer = client.get(url, headers=h)
            assert answer.status_code == expected, (role, url, answer.status_code)
            if expected == 403:
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert "account.created" not in answer.text
    for url in ("/api/v1/governance/audit", "/api/v1/governance/audit/verify"):
        assert client.get(url).status_code == 401
    # paging parameters out of range are refused, never a crash
    guardian = make_user("g2", role="guardian")
    for query in ("limit=0", "limit=1001", "before=0", "before=" + "9" * 30, "limit=abc"):
        answer = client.get(f"/api/v1/governance/audit?{query}", headers=guardian)
        assert 400 <= answer.status_code < 500, (query, answer.status_code)


def test_concurrent_appends_never_fork_the_chain(live_server: str, client: Any,
                                                  make_user: Callable[..., dict[str, str]]) -> None:
    admin = make_user("root_admin", role="admin")
    n = 12
    start = threading.Barrier(n)
    codes: list[int] = []

    def sign_up(i: int) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            start.wait()
            codes.append(http.post("/api/v1/auth/signup",
                                   json={"username": f"racer{i}", "password": "a long password"}).status_code)

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * n
    assert verify(client, admin) == {"valid": True, "entries": n, "broken_at": None}
