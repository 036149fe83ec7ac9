"""The on-disk text index (``archive.textindex``) counts like the consent gate, before and after it has
caught up with a change: attacks on counts through it, and a comparison with the SQL count for every
viewer and query."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from dream_mosaic.archive import textindex
from dream_mosaic.archive.query import parse
from dream_mosaic.archive.repository import ArchiveRepository
from dream_mosaic.core.models import User

from .conftest import SECRET

QUERIES = ["", "teeth", SECRET, f"{SECRET}*", "zanz*", f'"my {SECRET} teeth"', "teeth AND NOT horse",
           f"{SECRET} OR horse", f"NOT {SECRET}", "fall*", '"teeth fell"', "lake OR wolf OR kite", "Teeth",
           "teeth sex:F", "sex:M", "series:moon-f", "teeth series:moon*", "series:nothing", "from:1990 to:1995",
           "decade:1990s", "teeth words:>10", "words:<12", "lang:en teeth", "date:1995", "horse OR sex:M",
           "teeth decade:1990s OR decade:2000s"]
SQL_ONLY = ["teeth NOT sex:F", "age:teen", "flag:nightmare", "/teeth?/"]
VIEWERS = ("archive", "vera", "carl", "eve", "mallory", "gina")


@pytest.fixture
def built(platform: Any, corpus: Any, monkeypatch: pytest.MonkeyPatch) -> textindex.TextIndex:
    """The index built from the corpus; catching up only when a test says so (no background thread)."""
    monkeypatch.setattr(textindex.TextIndex, "schedule", lambda self: None)
    index = textindex.index_for_engine(platform.db.engine)
    assert index is not None
    assert index.rebuild()["documents"] == 12
    return index


def counts(platform: Any, name: str, q: str) -> tuple[int | None, int]:
    with platform.db.transaction(write=False) as session:
        viewer = session.scalar(select(User).where(User.username == name))
        node = parse(q).root
        return textindex.count(session, viewer, node), ArchiveRepository(session).count(viewer, node)


def test_index_counts_what_the_gate_counts_for_every_viewer(platform, built):
    for name in VIEWERS:
        for q in QUERIES:
            fast, sql = counts(platform, name, q)
            assert fast is not None, (name, q)  # answered by the index, not the fallback
            assert fast == sql, (name, q)
        for q in SQL_ONLY:  # what the index cannot say is left to SQL
            assert counts(platform, name, q)[0] is None, q
    assert counts(platform, "eve", SECRET)[0] == 0
    assert counts(platform, "carl", SECRET)[0] == 1  # the circle dream he shares
    assert counts(platform, "vera", SECRET)[0] == 2  # her private one too


def test_api_counts_through_the_index_match_the_known_answers(client, corpus, built):
    for name, expected in (("eve", (4, 10)), ("carl", (5, 11)), ("vera", (6, 12)), ("mallory", (4, 10))):
        page = client.get("/api/v1/search", params={"q": "teeth"}, headers=corpus.headers[name]).json()
        assert (page["total"], page["selection_total"]) == expected, name
        secret = client.get("/api/v1/search", params={"q": f"{SECRET} OR zanz*"}, headers=corpus.headers[name])
        assert all(SECRET not in r["text"] for r in secret.json()["results"]) or name in ("vera", "carl")


@pytest.mark.parametrize("caught_up", [False, True])
def test_consent_changes_count_at_once_before_and_after_catching_up(platform, client, corpus, built, caught_up):
    vera, eve = corpus.headers["vera"], corpus.headers["eve"]

    def total(h: dict[str, str], q: str) -> tuple[int, int]:
        page = client.get("/api/v1/search", params={"q": q}, headers=h).json()
        return page["total"], page["selection_total"]

    def settle() -> None:
        if caught_up:
            assert built.catch_up() > 0
            with platform.db.transaction(write=False) as session:
                assert textindex.dirty_docs(session, 10) == []

    assert total(eve, "horse") == (1, 10)
    # vera withdraws her community dream from the community: eve no longer counts it
    changed = client.put(f"/api/v1/dreams/{corpus.dreams['community']}/consent",
                         json={"visibility": "private", "attribution": "alias"}, headers=vera)
    assert changed.status_code == 200
    settle()
    assert total(eve, "horse") == (0, 9)
    assert total(vera, "horse") == (1, 12)
    assert counts(platform, "eve", "horse")[0] == 0
    # ... and opens her private dream to research: everyone counts it at once
    opened = client.put(f"/api/v1/dreams/{corpus.dreams['private']}/consent",
                        json={"visibility": "research", "attribution": "alias"}, headers=vera)
    assert opened.status_code == 200
    settle()
    assert total(eve, SECRET) == (1, 10)
    # an edit moves the words
    edited = client.patch(f"/api/v1/dreams/{corpus.dreams['private']}", json={"text": "Now about a giraffe."},
                          headers=vera)
    assert edited.status_code == 200
    settle()
    assert total(eve, SECRET) == (0, 10)
    assert total(eve, "giraffe") == (1, 10)
    # deletion: gone from every count
    assert client.delete(f"/api/v1/dreams/{corpus.dreams['private']}", headers=vera).status_code == 204
    settle()
    assert total(eve, "giraffe") == (0, 9)
    assert total(vera, "giraffe") == (0, 11)
    for name in VIEWERS:
        for q in QUERIES:
            fast, sql = counts(platform, name, q)
            assert fast == sql, (name, q, caught_up)


def test_leaving_the_circle_stops_counting_its_dreams(platform, client, corpus, built):
    carl = corpus.headers["carl"]
    assert client.get("/api/v1/search", params={"q": SECRET}, headers=carl).json()["total"] == 1
    left = client.delete(f"/api/v1/circles/{corpus.circle}/members/carl", headers=carl)
    assert left.status_code == 204, left.text
    assert client.get("/api/v1/search", params={"q": SECRET}, headers=carl).json()["total"] == 0
    assert counts(platform, "carl", SECRET) == (0, 0)


def test_a_raw_update_is_logged_by_the_trigger(platform, corpus, built):
    """Even a change that bypasses the application (no event) is counted through SQL until applied."""
    from sqlalchemy import text

    with platform.db.transaction() as session:
        session.execute(text("UPDATE dreams SET visibility = 'community' WHERE id = :i"),
                        {"i": corpus.dreams["private"]})
    assert counts(platform, "eve", SECRET) == (1, 1)
    with platform.db.transaction() as session:
        session.execute(text("DELETE FROM dreams WHERE id = :i"), {"i": corpus.dreams["private"]})
    assert counts(platform, "eve", SECRET) == (0, 0)
    assert built.catch_up() > 0
    assert counts(platform, "eve", SECRET) == (0, 0)


def test_a_change_of_series_sex_or_language_is_counted_at_once(platform, corpus, built):
    from sqlalchemy import text

    assert counts(platform, "eve", "teeth sex:M") == (0, 0)
    with platform.db.transaction() as session:
        session.execute(text("UPDATE dreams SET dreamer_sex = 'M', language = 'de', collection_id = "
                             "(SELECT id FROM collections WHERE slug = 'moon-m') WHERE text LIKE '%chalk%'"))
    for q in ("teeth sex:M", "teeth series:moon-m", "lang:de", "teeth sex:F", "series:moon-f"):
        fast, sql = counts(platform, "eve", q)
        assert fast == sql, q
    assert counts(platform, "eve", "teeth sex:M") == (1, 1)
    assert built.catch_up() > 0
    assert counts(platform, "eve", "teeth series:moon-m") == (1, 1)
    assert counts(platform, "eve", "lang:de") == (1, 1)


def test_too_many_waiting_changes_fall_back_to_sql(platform, corpus, built, monkeypatch):
    with platform.db.transaction() as session:
        from sqlalchemy import text

        session.execute(text("UPDATE dreams SET visibility = 'private' WHERE visibility = 'research'"))
    monkeypatch.setattr(textindex, "DIRTY_MAX", 3)
    assert counts(platform, "eve", "teeth") == (None, 1)  # vera's community dream only
    monkeypatch.setattr(textindex, "DIRTY_MAX", 2000)
    assert counts(platform, "eve", "teeth") == (1, 1)
    assert counts(platform, "archive", "teeth") == (4, 4)  # its own, now private, and vera's


def test_disabled_viewer_counts_nothing(platform, corpus, built):
    with platform.db.transaction() as session:
        session.scalar(select(User).where(User.username == "eve")).disabled = True
    assert counts(platform, "eve", "teeth") == (0, 0)
    assert counts(platform, "eve", "") == (0, 0)


def test_query_tokens_match_the_sql_index():
    assert textindex.tokens("Café") == ["cafe"]
    assert textindex.tokens("don't") == ["don", "t"]


def walk(client: Any, headers: dict[str, str], q: str, limit: int = 2) -> tuple[list[str], list[str]]:
    """Every result id, paging forwards by ``after`` and then back by ``before`` from the end."""
    ids: list[str] = []
    cursors: list[int] = []
    after = None
    while True:
        page = client.get("/api/v1/search", params={"q": q, "limit": limit, **({"after": after} if after else {})},
                          headers=headers).json()
        ids += [r["id"] for r in page["results"]]
        cursors += [r["cursor"] for r in page["results"]]
        if not page["next_after"]:
            break
        after = page["next_after"]
    back: list[str] = []
    before = cursors[-1] + 1 if cursors else None
    while before:
        page = client.get("/api/v1/search", params={"q": q, "limit": limit, "before": before}, headers=headers).json()
        back = [r["id"] for r in page["results"]] + back
        before = page["prev_before"]
    return ids, back


def test_pages_through_the_index_hold_exactly_the_readable_matches(platform, client, corpus, built):
    # words alone walk SQLite's FTS5; words with filters walk the text index on both databases
    queries = ["teeth", f"{SECRET} OR teeth", '"teeth fell"', "teeth sex:F", "NOT horse", "fall* OR lake",
               "teeth lang:en", "teeth words:>1"]
    expected = {}
    for name in ("eve", "vera", "carl"):
        for q in queries:
            forward, backward = walk(client, corpus.headers[name], q)
            total = client.get("/api/v1/search", params={"q": q}, headers=corpus.headers[name]).json()["total"]
            assert len(forward) == len(set(forward)) == total, (name, q)
            assert backward == forward, (name, q)
            expected[name, q] = forward
    assert corpus.dreams["private"] not in expected["eve", f"{SECRET} OR teeth"]
    assert corpus.dreams["private"] in expected["vera", f"{SECRET} OR teeth"]
    # dreams edited out of and into the matches, and one withdrawn, before the index catches up: pages
    # follow at once (the index's stale answer is checked by SQL; waiting documents join every window)
    vera = corpus.headers["vera"]
    assert client.patch(f"/api/v1/dreams/{corpus.dreams['community']}", json={"text": "A friendly horse."},
                        headers=vera).status_code == 200
    for q in ("teeth", "teeth words:>1"):
        eve_now, _ = walk(client, corpus.headers["eve"], q)
        assert corpus.dreams["community"] not in eve_now and len(eve_now) == len(expected["eve", q]) - 1, q
    assert built.catch_up() > 0
    assert client.patch(f"/api/v1/dreams/{corpus.dreams['community']}", json={"text": "Loose teeth again."},
                        headers=vera).status_code == 200
    assert client.put(f"/api/v1/dreams/{corpus.dreams['circle']}/consent",
                      json={"visibility": "private", "attribution": "alias"}, headers=vera).status_code == 200
    for q in ("teeth", "teeth words:>1"):
        eve_now, _ = walk(client, corpus.headers["eve"], q)
        assert corpus.dreams["community"] in eve_now and len(eve_now) == len(expected["eve", q]), q
    carl_now, _ = walk(client, corpus.headers["carl"], f"{SECRET} OR teeth")
    assert corpus.dreams["circle"] not in carl_now


def test_regex_candidates_from_the_index_change_no_answer(platform, corpus, built):
    queries = ["/teeth? (fell|fall)/", f"/{SECRET[:6]}/", "/(lake|wolf)s?/", "/t[e]eth/", f"NOT /{SECRET}/",
               "/loose and fall/", "/caf[eé]/"]
    with platform.db.transaction(write=False) as session:
        for name in ("eve", "vera", "carl"):
            viewer = session.scalar(select(User).where(User.username == name))
            for q in queries:
                node = parse(q).root
                narrowed = ArchiveRepository(session).match_doc_ids(viewer, node)
                built_flag = textindex.TextIndex.built
                try:
                    textindex.TextIndex.built = property(lambda self: False)  # type: ignore[assignment,method-assign]
                    scanned = ArchiveRepository(session).match_doc_ids(viewer, node)
                finally:
                    textindex.TextIndex.built = built_flag  # type: ignore[method-assign]
                assert narrowed == scanned, (name, q)
        assert textindex.index_for(session).regex_candidates(["teeth "], (), 100)  # type: ignore[union-attr]


PHRASES = ['"my teeth"', '"teeth my"', '"lost all my teeth"', '"all my teeth in the"', '"my teeth fell"',
           '"teeth fell"', '"tooth fell out"', '"fell out at dinner"', '"out at the dinner"', '"I was"',
           '"I was late for an exam"', '"was I"', '"a lake at"', '"lake. I"', "\"talk I was\"",
           '"my zanzibarite teeth"', '"my zanzibarite teeth fell"']


def test_phrases_through_word_pairs_count_exactly_what_sql_counts(platform, built):
    """Phrases are answered from the index's word pairs: reversed words, words that are both present but
    apart, phrases across a full stop (ignored, as in SQL's full-text index) and long phrases agree."""
    for name in ("archive", "vera", "eve"):
        for q in PHRASES:
            fast, sql = counts(platform, name, q)
            assert fast is not None, q
            assert fast == sql, (name, q, fast, sql)
    assert counts(platform, "eve", '"my teeth"')[0] == 3
    assert counts(platform, "eve", '"teeth my"')[0] == 0
    assert counts(platform, "vera", '"my zanzibarite teeth fell"')[0] == 1


def test_word_pairs_are_the_neighbouring_tokens():
    assert textindex.pairs(textindex.tokens("My teeth -- fell, Out!")) == ["my_teeth", "teeth_fell", "fell_out"]
    assert textindex.pairs(["alone"]) == []
    assert textindex.tokens("Ærø Straße café know_it") == ["aero", "strasse", "cafe", "know", "it"]


def test_the_server_holds_the_index_in_memory_and_follows_its_commits(platform, corpus, built, client, monkeypatch):
    """The app keeps what a search reads locked in memory while it runs, in a keeper process (every file of
    the text index, and on SQLite the database file, as the kernel reports), a commit's new segment is
    locked too, and shutting the server down ends the keeper, which gives the memory back."""
    from fastapi.testclient import TestClient

    from dream_mosaic.core import residency
    from dream_mosaic.web.app import create_app

    monkeypatch.setenv("MOSAIC_ARCHIVE_MEMORY_LOCK", "on")
    app = create_app(platform)
    sqlite = platform.db.engine.dialect.name == "sqlite"

    def files() -> set[str]:
        found = {f.name for f in residency.listing([built.path], [])() if f.stat().st_size}
        return found | {"mosaic.db"} if sqlite else found

    def held() -> set[str]:
        report = app.state.archive_warmth.held
        return {p.name for p in report.paths} if report is not None else set()

    def wait_for(check: Any) -> None:
        deadline = time.monotonic() + 10
        while not check() and time.monotonic() < deadline:  # it runs in a process of its own
            time.sleep(0.02)

    with TestClient(app) as server:
        assert server.get("/api/v1/health").status_code == 200
        keeper = app.state.archive_warmth.keeper
        assert keeper is not None and keeper.process is not None
        wait_for(lambda: app.state.archive_warmth.held is not None)
        report = app.state.archive_warmth.held
        assert report is not None
        if report.refused:
            pytest.skip(f"this machine may not lock memory: {report.refused}")
        assert held() == files()
        assert residency.locked_memory(keeper.process.pid) >= report.locked_bytes > 0
        before = files()
        # a new dream: catching up commits a new segment, which the keeper locks too
        answer = client.post("/api/v1/dreams", json={"text": "A quokka rowed me across a lake of milk.",
                                                     "visibility": "community"}, headers=corpus.headers["vera"])
        assert answer.status_code == 201
        assert built.catch_up() == 1
        assert files() != before
        wait_for(lambda: held() == files())
        assert held() == files()
    assert keeper.process.poll() == 0  # ended at shutdown: its memory is given back


def test_a_small_archive_is_not_held_by_default(platform, corpus, built, monkeypatch):
    from fastapi.testclient import TestClient

    from dream_mosaic.web.app import create_app

    monkeypatch.delenv("MOSAIC_ARCHIVE_MEMORY_LOCK", raising=False)
    app = create_app(platform)
    with TestClient(app) as server:
        assert server.get("/api/v1/health").status_code == 200
        assert app.state.archive_warmth.keeper is None  # a few KB: not worth a keeper process
    monkeypatch.setenv("MOSAIC_ARCHIVE_MEMORY_LOCK", "off")
    from dream_mosaic.archive import service

    monkeypatch.setattr(service, "HOLD_AUTO_MIN_BYTES", 0)
    with TestClient(create_app(platform)) as server:
        assert server.get("/api/v1/health").status_code == 200
        assert server.app.state.archive_warmth.keeper is None  # off means off
