"""Research export: formats, pseudonyms, masking, data dictionary, audit log, withdrawal."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select


def export(client: Any, headers: dict[str, str], q: str, fmt: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    made = client.post("/api/v1/archive/exports", json={"q": q, "format": fmt}, headers=headers)
    assert made.status_code == 202, made.text
    state = client.get(f"/api/v1/archive/exports/{made.json()['id']}", headers=headers).json()
    assert state["status"] == "done", state
    data = client.get(state["download"], headers=headers)
    assert data.status_code == 200 and data.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data.content)) as archive:
        return state, {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def named(client: Any, corpus: Any) -> str:
    body = {"text": "Howard Smith drove me to Santa Cruz, then we ate at Stanford University with Jenny.",
            "visibility": "research", "attribution": "named"}
    made = client.post("/api/v1/dreams", json=body, headers=corpus.headers["vera"])
    assert made.status_code == 201
    return str(made.json()["id"])


def test_csv_export_is_pseudonymised_masked_and_documented(platform, client, corpus, named):
    state, files = export(client, corpus.headers["eve"], "", "csv")
    assert set(files) == {"data.csv", "data_dictionary.md", "data_dictionary.json"}
    rows = list(csv.DictReader(io.StringIO(files["data.csv"].decode())))
    assert len(rows) == state["rows"] == 10
    dictionary = json.loads(files["data_dictionary.json"])
    assert [c["column"] for c in dictionary] == list(rows[0])
    assert "Pseudonyms" in files["data_dictionary.md"].decode()
    masked = next(r for r in rows if "drove me" in r["text"])
    for name in ("Howard", "Smith", "Santa Cruz", "Stanford", "Jenny"):
        assert name not in masked["text"]
    assert "[PERSON]" in masked["text"] and "[PLACE]" in masked["text"] and "[ORG]" in masked["text"]
    series_f = {r["dreamer"] for r in rows if r["series"] == "moon-f"}
    series_m = {r["dreamer"] for r in rows if r["series"] == "moon-m"}
    assert len(series_f) == 1 and len(series_m) == 1 and series_f != series_m  # stable within the export
    blob = files["data.csv"].decode()
    for user_id in corpus.users.values():
        assert user_id not in blob
    assert named not in blob and "Vera" not in blob and "vera" not in blob
    assert {r["year"] for r in rows if r["series"] == "moon-f"} >= {"1991", "1995"}
    assert all(len(r["record"]) > 8 for r in rows)


def test_pseudonyms_differ_between_exports(client, corpus):
    _, first = export(client, corpus.headers["eve"], "series:moon-f", "jsonl")
    _, second = export(client, corpus.headers["eve"], "series:moon-f", "jsonl")
    a = [json.loads(line) for line in first["data.jsonl"].splitlines()]
    b = [json.loads(line) for line in second["data.jsonl"].splitlines()]
    assert len(a) == len(b) == 5
    assert {r["dreamer"] for r in a}.isdisjoint({r["dreamer"] for r in b})
    assert {r["record"] for r in a}.isdisjoint({r["record"] for r in b})
    assert [r["text"] for r in a] == [r["text"] for r in b]


def test_parquet_export(client, corpus):
    import pyarrow.parquet as pq

    state, files = export(client, corpus.headers["gina"], "teeth OR tooth", "parquet")
    table = pq.read_table(io.BytesIO(files["data.parquet"]))
    assert table.num_rows == state["rows"] == 4
    assert table.schema.field("words").type.bit_width == 64
    assert "teeth" in " ".join(table.column("text").to_pylist())


def test_exports_are_audited_and_withdrawals_void_them(platform, client, corpus, named):
    from dream_mosaic.core.models import AuditEntry

    state, _ = export(client, corpus.headers["eve"], "drove", "csv")
    assert state["rows"] == 1
    with platform.db.transaction(write=False) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.subject == state["id"]))]
    assert actions == ["archive.export.requested", "archive.export.completed", "archive.export.downloaded"]
    withdrawn = client.put(f"/api/v1/dreams/{named}/consent", json={"visibility": "community",
                                                                   "attribution": "named"},
                           headers=corpus.headers["vera"])
    assert withdrawn.status_code == 200
    again = client.get(state["download"], headers=corpus.headers["eve"])
    assert again.status_code == 404 and "withdrawn" in again.json()["detail"]
    after = client.get(f"/api/v1/archive/exports/{state['id']}", headers=corpus.headers["eve"]).json()
    assert after["status"] == "withdrawn" and after["download"] is None
    redo = client.post("/api/v1/archive/exports", json={"q": "drove", "format": "csv"}, headers=corpus.headers["eve"])
    assert client.get(f"/api/v1/archive/exports/{redo.json()['id']}", headers=corpus.headers["eve"]).json()["rows"] == 0


def test_export_requests_are_validated(client, corpus):
    h = corpus.headers["eve"]
    assert client.post("/api/v1/archive/exports", json={"q": "(", "format": "csv"}, headers=h).status_code == 422
    assert client.post("/api/v1/archive/exports", json={"q": "", "format": "xlsx"}, headers=h).status_code == 422
    assert client.post("/api/v1/archive/exports", json={"q": "", "format": "csv", "x": 1},
                       headers=h).status_code == 422
    assert client.get("/api/v1/archive/exports/nope", headers=h).status_code == 404
