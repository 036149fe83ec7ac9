"""Search through the API on SQLite and PostgreSQL: words, phrases, boolean, wildcards, regex, filters,
share, facets, highlights and keyset pages."""

from __future__ import annotations

from typing import Any

import pytest


def search(client: Any, headers: dict[str, str], q: str, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/v1/search", params={"q": q, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


CASES = [
    ("teeth", 4, 10),                        # 3 series dreams and vera's community one, of the 10 eve may read
    ('"teeth were loose"', 1, 10),
    ("teeth AND afraid", 1, 10),
    ("teeth OR tooth", 5, 10),
    ("teeth NOT dentist", 3, 10),
    ("-teeth series:moon-f", 2, 5),
    ("tooth*", 1, 10),
    ("t*th", 5, 10),
    ("/t(ee|oo)th (fell|were)/", 2, 10),
    ("/\\bfl(y|ew)/", 2, 10),
    ("teeth series:moon-f", 3, 5),
    ("series:moon-*", 9, 9),
    ("teeth sex:M", 0, 4),
    ("tooth sex:M", 1, 4),
    ("from:1990 to:1999", 6, 6),
    ("decade:1990s", 8, 8),               # dated 1990s dreams, plus undated ones whose series lies in the 1990s
    ("date:2003-07-08", 1, 1),
    ("words:>10", 5, 5),
]


def test_query_language(client, corpus):
    for q, total, selection in CASES:
        found = search(client, corpus.headers["eve"], q)
        assert (found["total"], found["selection_total"]) == (total, selection), (q, found["query"])
        assert found["share"] == pytest.approx(total / selection)
        assert len(found["results"]) == total


def test_results_are_highlighted_and_attributed(client, corpus):
    found = search(client, corpus.headers["eve"], "teeth* series:moon-f")
    first = found["results"][0]
    assert {"id", "text", "highlights", "excerpt", "series", "author", "cursor"} <= set(first)
    assert [first["text"][s:e].lower() for s, e in first["highlights"]] == ["teeth"]
    assert any(marked for _, marked in first["excerpt"])
    assert first["series"] == "moon-f"
    community = search(client, corpus.headers["eve"], "horse")["results"][0]
    assert community["author"]["attribution"] == "alias"  # as vera chose, never her name


def test_facets_count_the_matches(client, corpus):
    found = search(client, corpus.headers["eve"], "teeth OR tooth", facets="true")
    facets = {name: {v["value"]: v["count"] for v in values} for name, values in found["facets"].items()}
    assert facets["series"] == {"moon-f": 3, "moon-m": 1}
    assert facets["sex"] == {"F": 3, "M": 1}
    assert facets["decade"] == {"1990": 3, "2000": 1}
    narrowed = next(v for v in found["facets"]["series"] if v["value"] == "moon-m")
    assert narrowed["filter"] == "series:moon-m"
    assert search(client, corpus.headers["eve"], f"(teeth OR tooth) {narrowed['filter']}")["total"] == 1


def test_keyset_pages_are_complete_and_reversible(client, make_user):
    headers = make_user("pager")
    ids = []
    for i in range(23):
        made = client.post("/api/v1/dreams", json={"text": f"Dream number {i} about a lighthouse.",
                                                   "visibility": "community"}, headers=headers)
        ids.append(made.json()["id"])
    seen: list[str] = []
    pages = []
    after = None
    while True:
        page = search(client, headers, "lighthouse", limit=10, **({"after": after} if after else {}))
        pages.append(page)
        seen += [r["id"] for r in page["results"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == ids and [len(p["results"]) for p in pages] == [10, 10, 3]
    back = search(client, headers, "lighthouse", limit=10, before=pages[2]["results"][0]["cursor"])
    assert [r["id"] for r in back["results"]] == ids[10:20]
    assert back["prev_before"] is not None


def test_bad_queries_are_problems_not_errors(client, corpus):
    for q in ("(teeth", "/(a+)+/", "nosuchfield:x", "words:many"):
        answer = client.get("/api/v1/search", params={"q": q}, headers=corpus.headers["eve"])
        assert answer.status_code == 422, (q, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"]
    assert client.get("/api/v1/search", params={"q": "teeth"}).status_code == 401
    assert client.get("/api/v1/search", params={"q": "x", "limit": 1000},
                      headers=corpus.headers["eve"]).status_code == 422


def test_search_service_is_reusable_by_other_features(platform, corpus):
    from sqlalchemy import select

    from dream_mosaic.archive import service
    from dream_mosaic.archive.query import parse
    from dream_mosaic.core.models import User

    assert parse("teeth series:moon-f").selection is not None
    with platform.db.transaction(write=False) as session:
        eve = session.scalar(select(User).where(User.username == "eve"))
        page = service.search(session, eve, "teeth series:moon-f", limit=500)
        assert [hit.id for hit in page.items] == [hit.id for hit in page.results] and page.total == 3


@pytest.mark.parametrize("q", ["teeth", '"teeth fell"', "teeth series:moon-f", "/t(ee|oo)th/", "horse"])
def test_results_are_loaded_with_their_page_not_one_query_per_dream(platform, corpus, q):
    """The page's query loads only the columns a result shows (``RESULT_COLUMNS``): reading any other
    attribute of a result would send one more query per dream, which this catches."""
    from sqlalchemy import event, select

    from dream_mosaic.archive import service
    from dream_mosaic.core.models import User

    with platform.db.transaction(write=False) as session:
        vera = session.scalar(select(User).where(User.username == "vera"))
        seen: list[str] = []

        def log(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            seen.append(" ".join(statement.split()))

        event.listen(platform.db.engine, "before_cursor_execute", log)
        try:
            page = service.search(session, vera, q, limit=50)
            shown = [(h.title, h.text, h.series, h.dreamt_on, h.author.name, h.dreamer_sex) for h in page.results]
        finally:
            event.remove(platform.db.engine, "before_cursor_execute", log)
    assert len(shown) >= 1
    lazy = [s for s in seen if "WHERE dreams.id =" in s or "WHERE users.id =" in s or "WHERE collections.id =" in s
            or s.startswith("SELECT dreams.tags") or "dreams.content_hash AS" in s]
    assert not lazy, lazy
    assert len(seen) <= 8, seen  # a handful per search, whatever the number of results


def test_pages_skip_what_the_gate_or_filters_remove(client, make_user):
    """Pages walk the full-text matches a window at a time: dreams of others that are private, or that
    a filter removes, are skipped without leaving a page short or repeating a dream."""
    reader, other = make_user("reader"), make_user("other")
    readable: list[str] = []
    nightmares: list[str] = []
    for i in range(60):
        hidden = i % 3 == 0  # every third dream is someone else's private one
        made = client.post("/api/v1/dreams", json={
            "text": f"Dream {i} of a lantern.", "visibility": "private" if hidden else "community",
            "nightmare": i % 2 == 1}, headers=other if hidden else reader)
        if not hidden:
            readable.append(made.json()["id"])
            if i % 2 == 1:
                nightmares.append(made.json()["id"])
    for q, expected in (("lantern", readable), ("lantern flag:nightmare", nightmares)):
        seen: list[str] = []
        after = None
        while True:
            page = search(client, reader, q, limit=7, **({"after": after} if after else {}))
            seen += [r["id"] for r in page["results"]]
            assert len(page["results"]) == 7 or page["next_after"] is None
            after = page["next_after"]
            if after is None:
                break
        assert seen == expected, q
        last = len(page["results"])
        back = search(client, reader, q, limit=7, before=page["results"][0]["cursor"])
        assert [r["id"] for r in back["results"]] == seen[-last - 7:-last]
