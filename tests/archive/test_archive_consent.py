"""Attacks on the consent gate: a private (or not-shared-with-me) dream never contributes to a result,
a count, a share, a facet, a regex or semantic neighbour, a statistic or an export, and a change of
consent takes effect at the next request."""

from __future__ import annotations

from typing import Any

from .conftest import SECRET


def get(client: Any, path: str, headers: dict[str, str], **params: Any) -> Any:
    return client.get(path, params=params, headers=headers)


def test_private_and_circle_dreams_are_never_found_by_outsiders(client, corpus):
    for attacker in ("eve", "mallory", "gina", "archive"):
        h = corpus.headers[attacker]
        for q in (SECRET, f"{SECRET}*", f'"my {SECRET} teeth"', f"/{SECRET[:5]}.*/", "/zanzib/", "z*rite",
                  f"{SECRET} OR horse", f"NOT {SECRET}", "teeth"):
            page = get(client, "/api/v1/search", h, q=q, facets="true").json()
            texts = " ".join(r["text"] for r in page["results"])
            assert SECRET not in texts, (attacker, q)
            ids = {r["id"] for r in page["results"]}
            assert not ids & {corpus.dreams["private"], corpus.dreams["circle"]}, (attacker, q)
        everything = get(client, "/api/v1/search", h, q="", limit=100).json()
        # archive's 9 series dreams and vera's community dream: nothing else exists for them
        assert everything["total"] == everything["selection_total"] == 10
        assert get(client, "/api/v1/search", h, q=SECRET).json()["total"] == 0


def test_counts_shares_and_facets_exclude_what_the_viewer_cannot_read(client, corpus):
    eve = get(client, "/api/v1/search", corpus.headers["eve"], q="teeth", facets="true").json()
    carl = get(client, "/api/v1/search", corpus.headers["carl"], q="teeth", facets="true").json()
    vera = get(client, "/api/v1/search", corpus.headers["vera"], q="teeth", facets="true").json()
    assert (eve["total"], eve["selection_total"]) == (4, 10)
    assert (carl["total"], carl["selection_total"]) == (5, 11)    # plus the circle dream he shares
    assert (vera["total"], vera["selection_total"]) == (6, 12)    # her own private dream too
    for page, hidden in ((eve, 2), (carl, 1), (vera, 0)):
        words = {v["value"]: v["count"] for v in page["facets"]["words"]}
        assert sum(words.values()) == page["total"]
        assert sum(v["count"] for v in page["facets"].get("series", [])) == 3  # the research series only
        del hidden


def test_statistics_count_only_readable_dreams(client, corpus):
    h = corpus.headers["eve"]
    freq = get(client, "/api/v1/archive/stats/frequency", h, q=SECRET, by="series").json()
    assert freq["total"] == 0 and freq["selection_total"] == 10
    cmp = get(client, "/api/v1/archive/stats/compare", h, q="teeth", a="sex:F", b="sex:M").json()
    assert (cmp["a"]["matches"], cmp["a"]["selection_total"]) == (3, 5)
    assert (cmp["b"]["matches"], cmp["b"]["selection_total"]) == (0, 4)


def test_circle_filter_needs_membership(client, corpus):
    for name, expected in (("carl", 1), ("vera", 1), ("eve", 0), ("mallory", 0)):
        page = get(client, "/api/v1/search", corpus.headers[name], q=f"circle:{corpus.circle}").json()
        assert page["total"] == expected, name
        by_name = get(client, "/api/v1/search", corpus.headers[name], q="circle:\"vera's circle\"").json()
        assert by_name["total"] == expected, name


def test_semantic_neighbours_are_gated(platform, client, corpus):
    from dream_mosaic.analysis.service import analyse_dreams

    analyse_dreams(platform.db, list(corpus.dreams.values()))  # their embeddings, whenever the queue runs
    h = corpus.headers["mallory"]
    hidden = corpus.dreams["private"]
    assert get(client, "/api/v1/search", h, like=hidden).status_code == 404
    assert get(client, "/api/v1/search", h, like=corpus.dreams["circle"]).status_code == 404
    page = get(client, "/api/v1/search", h, q="teeth fell into the sea and I wept", semantic="true", limit=50)
    assert page.status_code == 200, page.text
    found = page.json()
    assert hidden not in {r["id"] for r in found["results"]}
    assert SECRET not in " ".join(r["text"] for r in found["results"])
    assert found["total"] == len(found["results"]) <= 10
    mine = get(client, "/api/v1/search", corpus.headers["vera"], like=hidden, limit=50).json()
    assert hidden not in {r["id"] for r in mine["results"]}  # never its own neighbour
    assert corpus.dreams["circle"] in {r["id"] for r in mine["results"]}


def test_consent_changes_and_withdrawal_take_effect_at_once(client, corpus):
    vera, eve = corpus.headers["vera"], corpus.headers["eve"]
    community = corpus.dreams["community"]
    assert get(client, "/api/v1/search", eve, q="horse").json()["total"] == 1
    changed = client.put(f"/api/v1/dreams/{community}/consent", json={"visibility": "private",
                                                                     "attribution": "alias"}, headers=vera)
    assert changed.status_code == 200, changed.text
    after = get(client, "/api/v1/search", eve, q="horse", facets="true").json()
    assert (after["total"], after["selection_total"]) == (0, 9)
    assert get(client, "/api/v1/search", vera, q="horse").json()["total"] == 1  # still hers
    edited = client.patch(f"/api/v1/dreams/{corpus.dreams['private']}", json={"text": "Now about a giraffe."},
                          headers=vera)
    assert edited.status_code == 200
    assert get(client, "/api/v1/search", vera, q=SECRET).json()["total"] == 1  # only the circle one now
    assert get(client, "/api/v1/search", vera, q="giraffe").json()["total"] == 1
    assert client.delete(f"/api/v1/dreams/{community}", headers=vera).status_code == 204
    assert get(client, "/api/v1/search", vera, q="horse").json()["total"] == 0


def test_withdrawn_dreams_leave_the_text_index(platform, client, corpus):
    from sqlalchemy import func, select, text

    from dream_mosaic.archive.models import ArchiveDoc

    vera = corpus.headers["vera"]
    for label in ("private", "circle"):
        assert client.delete(f"/api/v1/dreams/{corpus.dreams[label]}", headers=vera).status_code == 204
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ArchiveDoc).where(
            ArchiveDoc.body.contains(SECRET))) == 0
        if session.get_bind().dialect.name == "sqlite":
            hits = session.execute(text("SELECT count(*) FROM archive_fts WHERE archive_fts MATCH :q"),
                                   {"q": SECRET}).scalar()
            assert hits == 0
            session.execute(text("INSERT INTO archive_fts(archive_fts, rank) VALUES('integrity-check', 1)"))
        else:
            hits = session.execute(text("SELECT count(*) FROM archive_docs WHERE tsv @@ to_tsquery('simple', :q)"),
                                   {"q": SECRET}).scalar()
            assert hits == 0


def test_bulk_import_is_indexed_in_one_pass(platform, make_user):
    from sqlalchemy import func, select

    from dream_mosaic.archive.models import ArchiveDoc
    from dream_mosaic.core import events
    from dream_mosaic.core.models import User
    from dream_mosaic.journal import service as journal

    make_user("bulk", "archivist")
    calls: list[int] = []

    def spy(_session: Any, dream_ids: list[str], change: str, **_: Any) -> None:
        calls.append(len(dream_ids))

    events.dream_changed.connect(spy)
    try:
        with platform.db.transaction() as session:
            owner = session.scalar(select(User).where(User.username == "bulk"))
            records = [{"text": f"Imported dream {i} about a quiet harbour.", "visibility": "research"}
                       for i in range(1200)]
            journal.import_records(session, owner, records, batch_size=1200)
    finally:
        events.dream_changed.disconnect(spy)
    assert calls == [1200]
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ArchiveDoc)) == 1200


def test_only_research_dreams_of_staff_can_be_exported(client, corpus):
    for name in ("mallory", "vera", "gus"):
        denied = client.post("/api/v1/archive/exports", json={"q": "", "format": "jsonl"}, headers=corpus.headers[name])
        assert denied.status_code == 403
    made = client.post("/api/v1/archive/exports", json={"q": "", "format": "jsonl"}, headers=corpus.headers["eve"])
    assert made.status_code == 202, made.text
    export = client.get(f"/api/v1/archive/exports/{made.json()['id']}", headers=corpus.headers["eve"]).json()
    assert export["status"] == "done" and export["rows"] == 9  # the research series; not vera's community dream
    data = client.get(export["download"], headers=corpus.headers["eve"])
    assert data.status_code == 200
    assert SECRET.encode() not in data.content and b"horse" not in data.content
    # another archivist cannot read eve's export
    assert client.get(export["download"], headers=corpus.headers["archive"]).status_code == 404
