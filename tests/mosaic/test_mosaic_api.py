"""The mosaic through the API, on SQLite and PostgreSQL: weaving, attribution, review, publishing, notices."""

from __future__ import annotations

import json


def _draft(client, circle):
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["iris"])
    assert r.status_code == 201, r.text
    return r.json()


def test_draft_holds_every_consented_dream_exactly_and_attributed(client, circle):
    body = _draft(client, circle)
    doc = body["document"]
    by_title = {f["title"]: f for f in doc["fragments"]}
    # consented into the circle: yes; private: never
    assert set(by_title) == {"The flooded library", "Storm at sea", "Grandmother's kitchen"}
    for title, f in by_title.items():
        assert f["text"] == circle.texts[title]
        assert f["dream_id"] == circle.dream_ids[title]
    # the circle is 'alias': a named dreamer shows as their alias; anonymous stays anonymous
    assert by_title["The flooded library"]["attribution"]["attribution"] == "alias"
    assert by_title["The flooded library"]["attribution"]["name"].startswith("dreamer-")
    assert by_title["Storm at sea"]["attribution"] == {"attribution": "anonymous", "name": None}
    raw = json.dumps(body)
    assert "Lyra Post" not in raw and "Ronan Kestra" not in raw and "Evelyn Huxley" not in raw
    assert "teeth were loose" not in raw
    # the collective layer: water is shared by all three; the arc runs from fear to ease
    water = next(m for m in doc["motifs"] if m["motif"] == "water")
    assert water["count"] == 3 and water["shared"]
    phases = [s["phase"] for s in doc["arc"]]
    assert phases[0] == "fear" and phases[-1] == "ease"
    # template passages quote fragments exactly and nothing else
    texts = {f["dream_id"]: f["text"] for f in doc["fragments"]}
    quotes = [p for passage in doc["passages"] for p in passage["parts"] if p["kind"] == "quote"]
    assert quotes and all(q["text"] in texts[q["dream_id"]] for q in quotes)


def test_only_guides_weave_and_review_and_outsiders_see_nothing(client, circle):
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["lyra"])
    assert r.status_code == 404
    r = client.post("/api/v1/mosaics", json={"circle_id": circle.id}, headers=circle.headers["mallory"])
    assert r.status_code == 404
    mosaic_id = _draft(client, circle)["id"]
    for who in ("lyra", "mallory"):
        assert client.get(f"/api/v1/mosaics/{mosaic_id}", headers=circle.headers[who]).status_code == 404
        r = client.get(f"/api/v1/mosaics/{mosaic_id}/export?version=draft&format=json", headers=circle.headers[who])
        assert r.status_code == 404
        assert client.patch(f"/api/v1/mosaics/{mosaic_id}", json={"excluded": []},
                            headers=circle.headers[who]).status_code == 404
        assert client.post(f"/api/v1/mosaics/{mosaic_id}/publish", headers=circle.headers[who]).status_code == 404


def test_review_publish_versions_and_notices(client, circle):
    body = _draft(client, circle)
    mosaic_id = body["id"]
    storm, kitchen, library = (circle.dream_ids[t] for t in ("Storm at sea", "Grandmother's kitchen",
                                                            "The flooded library"))
    r = client.patch(f"/api/v1/mosaics/{mosaic_id}", json={"order": [kitchen, storm], "excluded": [library]},
                     headers=circle.headers["iris"])
    assert r.status_code == 200, r.text
    assert [f["dream_id"] for f in r.json()["document"]["fragments"]] == [kitchen, storm]
    assert client.patch(f"/api/v1/mosaics/{mosaic_id}", json={"excluded": ["nope"]},
                        headers=circle.headers["iris"]).status_code == 422
    r = client.post(f"/api/v1/mosaics/{mosaic_id}/publish", headers=circle.headers["iris"])
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1
    published = r.json()["document"]
    assert published["status"] == "published" and published["version"] == 1
    assert circle.texts["The flooded library"] not in json.dumps(published)
    # participants are told; the guide who published and outsiders are not
    for who in ("lyra", "ronan", "evelyn"):
        notes = client.get("/api/v1/mosaic-notices", headers=circle.headers[who]).json()
        assert [(n["mosaic_id"], n["version"]) for n in notes] == [(mosaic_id, 1)]
    assert client.get("/api/v1/mosaic-notices", headers=circle.headers["iris"]).json() == []
    assert client.get("/api/v1/mosaic-notices", headers=circle.headers["mallory"]).json() == []
    note_id = client.get("/api/v1/mosaic-notices", headers=circle.headers["lyra"]).json()[0]["id"]
    r = client.post("/api/v1/mosaic-notices/read", json={"ids": [note_id]}, headers=circle.headers["lyra"])
    assert r.json() == {"read": 1}
    assert client.get("/api/v1/mosaic-notices?unread=true", headers=circle.headers["lyra"]).json() == []
    # members read the published version, never the draft; outsiders nothing
    assert client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["ronan"]).status_code == 200
    r = client.get(f"/api/v1/mosaics/{mosaic_id}", headers=circle.headers["ronan"])
    assert r.status_code == 200 and r.json()["document"] is None
    assert client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["mallory"]).status_code == 404
    # a second publish is a new version; version 1 does not change
    client.patch(f"/api/v1/mosaics/{mosaic_id}", json={"excluded": []}, headers=circle.headers["iris"])
    r = client.post(f"/api/v1/mosaics/{mosaic_id}/publish", headers=circle.headers["iris"])
    assert r.json()["version"] == 2 and len(r.json()["document"]["fragments"]) == 3
    v1 = client.get(f"/api/v1/mosaics/{mosaic_id}/versions/1", headers=circle.headers["ronan"]).json()
    assert v1["document"] == published
    versions = client.get(f"/api/v1/mosaics/{mosaic_id}/versions", headers=circle.headers["lyra"]).json()
    assert [v["version"] for v in versions] == [1, 2]


def test_exports_in_every_format(client, circle):
    mosaic_id = _draft(client, circle)["id"]
    client.post(f"/api/v1/mosaics/{mosaic_id}/publish", headers=circle.headers["iris"])
    for fmt, media in (("html", "text/html"), ("md", "text/markdown"), ("json", "application/json"),
                       ("pdf", "application/pdf")):
        r = client.get(f"/api/v1/mosaics/{mosaic_id}/export?format={fmt}", headers=circle.headers["lyra"])
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
    html = client.get(f"/api/v1/mosaics/{mosaic_id}/export?format=html", headers=circle.headers["lyra"]).text
    assert "<svg" in html and "motif-map" in html and "emotion-river" in html
    assert "slowly the waves calmed" in html
    assert client.get(f"/api/v1/mosaics/{mosaic_id}/export?format=docx",
                      headers=circle.headers["lyra"]).status_code == 422


def test_archive_query_mosaic_is_private_to_its_weaver(client, circle):
    r = client.post("/api/v1/mosaics", json={"query": "water"}, headers=circle.headers["mallory"])
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    # mallory reads only community dreams: the kitchen, not the circle-only or private ones
    assert [f["title"] for f in doc["fragments"]] == ["Grandmother's kitchen"]
    assert client.get(f"/api/v1/mosaics/{r.json()['id']}", headers=circle.headers["lyra"]).status_code == 404
    r = client.post("/api/v1/mosaics", json={"query": "water"}, headers=circle.headers["lyra"])
    titles = {f["title"] for f in r.json()["document"]["fragments"]}
    # her own, the circle's (she is a member) and the community one; never her private "Teeth"
    assert titles == {"The flooded library", "Storm at sea", "Grandmother's kitchen"}
    r = client.post("/api/v1/mosaics", json={"query": "x", "circle_id": circle.id}, headers=circle.headers["lyra"])
    assert r.status_code == 422
