"""Character and physical-interaction filters read ``archive_facts``, written when an analysis is stored
(and rewritten when it changes), never the analysis JSON as text; they still pass the consent gate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dream_mosaic.analysis.models import AnalysisRecord
from dream_mosaic.archive.models import ArchiveFact
from dream_mosaic.archive.rules import analysis_facts, character_kinds

WOLF = {"code": "1ANI", "kind": "animal", "number": "1", "sex": "I", "identity": "U", "age": "A"}
SISTER = {"code": "1FTA", "kind": "human", "number": "1", "sex": "F", "identity": "T", "age": "A"}
KIDS = {"code": "2JSC", "kind": "human", "number": "2", "sex": "J", "identity": "S", "age": "C"}


def test_character_kinds_follow_the_hvdc_codes():
    assert character_kinds(WOLF) == {"animal", "stranger"}
    assert character_kinds(SISTER) == {"human", "female", "known", "family"}
    assert character_kinds(KIDS) == {"human", "stranger", "child", "group"}
    assert analysis_facts({"characters": [WOLF], "interactions": [{"kind": "aggression", "physical": True}]}) == {
        "character:animal", "character:stranger", "interaction:physical"}
    assert analysis_facts(None) == set()


def analyse(platform: Any, dream_id: str, characters: list[dict[str, Any]], physical: bool = False) -> None:
    analysis = {"characters": characters, "interactions": [{"kind": "aggression", "physical": physical}]}
    with platform.db.transaction() as session:
        rec = session.get(AnalysisRecord, dream_id)
        if rec is None:
            rec = AnalysisRecord(dream_id=dream_id, attempts=0, versions={})
            session.add(rec)
        rec.analysis, rec.status, rec.n_aggression = analysis, "done", 1


def test_filters_read_the_facts_through_the_gate(platform, client, corpus):
    with platform.db.transaction(write=False) as session:
        # the analysis engine analysed the corpus as it was written (tests run jobs at once): facts exist
        assert session.scalar(select(func.count()).select_from(ArchiveFact)) > 0
    private = corpus.dreams["private"]

    def total(name: str, q: str) -> int:
        return client.get("/api/v1/search", params={"q": q}, headers=corpus.headers[name]).json()["total"]

    analyse(platform, private, [])
    before = {(n, q): total(n, q) for n in ("eve", "vera") for q in
              ("character:animal", "character:family", "interaction:physical")}
    analyse(platform, private, [WOLF, SISTER], physical=True)
    for q in ("character:animal", "character:family", "interaction:physical"):
        assert total("eve", q) == before["eve", q], q  # vera's private dream is never eve's to count
        assert total("vera", q) == before["vera", q] + 1, q
    # a new analysis replaces the facts
    analyse(platform, private, [KIDS])
    assert total("vera", "character:animal") == before["vera", "character:animal"]
    assert total("vera", "interaction:physical") == before["vera", "interaction:physical"]
    with platform.db.transaction(write=False) as session:
        assert set(session.scalars(select(ArchiveFact.fact).where(ArchiveFact.dream_id == private))) == {
            "character:human", "character:stranger", "character:child", "character:group"}
    # deleting the dream takes its facts with it
    assert client.delete(f"/api/v1/dreams/{private}", headers=corpus.headers["vera"]).status_code == 204
    with platform.db.transaction(write=False) as session:
        assert not list(session.scalars(select(ArchiveFact).where(ArchiveFact.dream_id == private)))
