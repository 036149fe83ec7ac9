"""A withdrawn dream disappears from every mosaic that used it, in every format and in what is stored."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _outputs(client, headers, mosaic_id, version):
    """Every format of one version (or the draft), as text to search."""
    out = {}
    for fmt in ("html", "md", "json", "pdf"):
        r = client.get(f"/api/v1/mosaics/{mosaic_id}/export?format={fmt}&version={version}", headers=headers)
        assert r.status_code == 200, (fmt, r.text)
        out[fmt] = _pdf_text(r.content) if fmt == "pdf" else r.text
    return out


def _stored(platform) -> str:
    with platform.db.engine.connect() as conn:
        rows = conn.execute(text("select cast(draft as text) from mosaics")).scalars().all()
        rows += conn.execute(text("select cast(document as text) from mosaic_versions")).scalars().all()
    return "\n".join(r or "" for r in rows)


def _needles(full: str) -> list[str]:
    """The withdrawn text, and pieces of it long enough to be unmistakable (a PDF wraps lines)."""
    words = full.split()
    return [full] + [" ".join(words[i:i + 4]) for i in range(0, len(words) - 3, 4)]


def _publish(client, circle):
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["iris"])
    mosaic_id = r.json()["id"]
    assert client.post(f"/api/v1/mosaics/{mosaic_id}/publish", headers=circle.headers["iris"]).status_code == 201
    return mosaic_id


def _assert_gone(client, platform, circle, mosaic_id, title):
    withdrawn = circle.texts[title]
    for version in ("1", "draft"):
        for fmt, body in _outputs(client, circle.headers["iris"], mosaic_id, version).items():
            flat = " ".join(body.split())
            for needle in _needles(withdrawn):
                assert needle not in flat, (version, fmt, needle)
            assert title not in flat, (version, fmt)
    stored = _stored(platform)
    for needle in _needles(withdrawn):
        assert needle not in stored
        assert json.dumps(needle)[1:-1] not in stored


@pytest.mark.parametrize("how", ["deleted", "narrowed"])
def test_withdrawn_dream_leaves_every_output(client, platform, circle, how):
    title = "Storm at sea"
    mosaic_id = _publish(client, circle)
    before = _outputs(client, circle.headers["iris"], mosaic_id, "1")
    assert all("slowly the waves calmed" in " ".join(b.split()) for b in before.values())
    dream_id = circle.dream_ids[title]
    if how == "deleted":
        assert client.delete(f"/api/v1/dreams/{dream_id}", headers=circle.headers["ronan"]).status_code == 204
    else:
        r = client.put(f"/api/v1/dreams/{dream_id}/consent", json={"visibility": "private",
                       "attribution": "anonymous", "circle_ids": []}, headers=circle.headers["ronan"])
        assert r.status_code == 200, r.text
    _assert_gone(client, platform, circle, mosaic_id, title)
    # the published version keeps the fragment's place, struck with a visible note
    v1 = client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["lyra"]).json()
    struck = [f for f in v1["document"]["fragments"] if f["dream_id"] == dream_id]
    assert struck and struck[0]["struck"] and struck[0]["text"] == "" and "withdrawn" in struck[0]["note"]
    html = _outputs(client, circle.headers["lyra"], mosaic_id, "1")["html"]
    assert "withdrawn by its dreamer" in html
    # the draft simply no longer has it; the other dreams are still there, exactly
    draft = client.get(f"/api/v1/mosaics/{mosaic_id}", headers=circle.headers["iris"]).json()["document"]
    assert dream_id not in [f["dream_id"] for f in draft["fragments"]]
    assert {f["text"] for f in draft["fragments"]} == {circle.texts["The flooded library"],
                                                       circle.texts["Grandmother's kitchen"]}


def test_edited_dream_is_withheld_from_published_and_rewoven_in_draft(client, platform, circle):
    title = "The flooded library"
    mosaic_id = _publish(client, circle)
    dream_id = circle.dream_ids[title]
    new_text = "I was in a library. The rest I would rather keep to myself."
    r = client.patch(f"/api/v1/dreams/{dream_id}", json={"text": new_text}, headers=circle.headers["lyra"])
    assert r.status_code == 200, r.text
    v1 = client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["ronan"]).json()
    fragment = next(f for f in v1["document"]["fragments"] if f["dream_id"] == dream_id)
    assert fragment["struck"] and "changed by its dreamer" in fragment["note"]
    assert "spiral staircase" not in json.dumps(v1) and "spiral staircase" not in _stored(platform)
    draft = client.get(f"/api/v1/mosaics/{mosaic_id}", headers=circle.headers["iris"]).json()["document"]
    assert next(f for f in draft["fragments"] if f["dream_id"] == dream_id)["text"] == new_text


def test_stricter_attribution_applies_to_published_mosaics(client, circle):
    mosaic_id = _publish(client, circle)
    dream_id = circle.dream_ids["Grandmother's kitchen"]
    v1 = client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["lyra"]).json()
    alias = next(f for f in v1["document"]["fragments"] if f["dream_id"] == dream_id)["attribution"]["name"]
    assert alias
    r = client.put(f"/api/v1/dreams/{dream_id}/consent", json={"visibility": "community",
                   "attribution": "anonymous", "circle_ids": [circle.id]}, headers=circle.headers["evelyn"])
    assert r.status_code == 200, r.text
    v1 = client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["lyra"]).json()
    fragment = next(f for f in v1["document"]["fragments"] if f["dream_id"] == dream_id)
    assert not fragment["struck"] and fragment["attribution"] == {"attribution": "anonymous", "name": None}
    assert alias not in json.dumps(v1)
