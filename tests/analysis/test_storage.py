"""Stored analyses: written after a dream is stored, idempotent, versioned, withdrawn with the dream.

These run on SQLite and PostgreSQL, with the job queue in immediate mode (jobs run as they are queued).
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from dream_mosaic.analysis import default_pipeline, service, tasks  # noqa: F401  (as the app: analysis follows writes)
from dream_mosaic.analysis.embedding import DIMENSION
from dream_mosaic.analysis.models import AnalysisRecord
from dream_mosaic.analysis.repository import emotion_present
from dream_mosaic.core.models import Dream, User
from dream_mosaic.journal import service as journal

SCARED = "I was walking home when a big dog chased me. I was very scared and afraid, and my sister laughed at me."
CALM = "I sat by a quiet lake with my grandmother. We were happy and ate cherries."


def _post(client, headers, text: str, **extra) -> str:
    r = client.post("/api/v1/dreams", json={"text": text, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _record(platform, dream_id: str) -> AnalysisRecord | None:
    with platform.db.transaction(write=False) as session:
        rec = session.get(AnalysisRecord, dream_id)
        if rec is not None:
            _ = rec.embedding  # load the deferred column before the session closes
        return rec


def _status(platform, dream_id: str) -> str:
    with platform.db.transaction(write=False) as session:
        return str(session.scalar(select(Dream.analysis_status).where(Dream.id == dream_id)))


def test_a_stored_dream_is_analysed_with_filterable_columns(platform, client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, SCARED)
    rec = _record(platform, dream_id)
    assert rec is not None and rec.status == "done" and rec.error is None and rec.attempts == 1
    assert _status(platform, dream_id) == "done"
    assert rec.versions == default_pipeline().versions
    assert rec.text_hash == service.text_hash(SCARED)
    # The facts other features filter on are plain columns, consistent with the JSON.
    codes = {e["code"] for e in rec.analysis["emotions"]}
    assert "AP" in codes and rec.emo_ap is True
    assert rec.emo_ha is ("HA" in codes)
    assert rec.n_characters == len(rec.analysis["characters"]) >= 2
    assert rec.valence == pytest.approx(rec.analysis["valence"]) and rec.valence < 0
    # Spans point at the words that carried the emotion in the stored text.
    ap = next(e for e in rec.analysis["emotions"] if e["code"] == "AP")
    assert sorted(SCARED[s:e] for s, e in ap["spans"]) == ["afraid", "scared"]
    vector = rec.vector()
    assert vector is not None and vector.dtype == np.float32 and vector.shape == (DIMENSION,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)

    with platform.db.transaction(write=False) as session:
        found = session.scalars(
            select(AnalysisRecord.dream_id).where(emotion_present("AP"))).all()
        assert found == [dream_id]
        assert session.scalars(select(AnalysisRecord.dream_id).where(emotion_present("AN"))).all() == []


def test_running_again_changes_nothing(platform, client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, CALM)
    before = _record(platform, dream_id)
    result = service.analyse_dreams(platform.db, [dream_id, dream_id])
    assert result.skipped == [dream_id] and result.analysed == []
    after = _record(platform, dream_id)
    assert after.analysed_at == before.analysed_at and after.attempts == before.attempts


def test_a_new_component_version_reruns_only_what_it_changes(platform, client, make_user, monkeypatch):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, SCARED)
    before = _record(platform, dream_id)

    nlp = default_pipeline()
    calls: list[str] = []
    for bound in nlp._components:
        original = bound.fn

        def spy(doc, _fn=original, _name=bound.name):
            calls.append(_name)
            _fn(doc)

        monkeypatch.setattr(bound, "fn", spy)
    motifs = next(b for b in nlp._components if b.name == "motifs")
    monkeypatch.setattr(motifs, "version", "99.0")
    embedded: list[int] = []
    original_embed = service.run_embed
    monkeypatch.setattr(service, "run_embed", lambda texts: embedded.append(len(texts)) or original_embed(texts))

    result = service.analyse_dreams(platform.db, [dream_id])
    assert result.analysed == [dream_id]
    assert calls == ["motifs"]  # nothing else ran: motifs reads no other component
    assert embedded == []  # same text, same embedding model: the vector is kept
    after = _record(platform, dream_id)
    assert after.versions["motifs"] == "99.0"
    assert {k: v for k, v in after.versions.items() if k != "motifs"} == {
        k: v for k, v in before.versions.items() if k != "motifs"}
    assert after.analysis["emotions"] == before.analysis["emotions"]
    assert after.embedding == before.embedding
    # And once current, it is not run again.
    calls.clear()
    assert service.analyse_dreams(platform.db, [dream_id]).skipped == [dream_id]
    assert calls == []


def test_an_edit_reanalyses_the_new_text(platform, client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, SCARED)
    r = client.patch(f"/api/v1/dreams/{dream_id}", json={"text": CALM}, headers=lyra)
    assert r.status_code == 200, r.text
    rec = _record(platform, dream_id)
    assert rec.text_hash == service.text_hash(CALM)
    assert rec.emo_ha is True and rec.emo_ap is False
    # Editing only the tags keeps the analysis as it was.
    analysed_at = rec.analysed_at
    client.patch(f"/api/v1/dreams/{dream_id}", json={"tags": ["lake"]}, headers=lyra)
    assert _record(platform, dream_id).analysed_at == analysed_at


def test_deleting_a_dream_deletes_its_analysis(platform, client, make_user):
    lyra = make_user("lyra")
    dream_id = _post(client, lyra, SCARED)
    kept = _post(client, lyra, CALM)
    assert _record(platform, dream_id) is not None
    assert client.delete(f"/api/v1/dreams/{dream_id}", headers=lyra).status_code == 204
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(AnalysisRecord).where(
            AnalysisRecord.dream_id == dream_id)) == 0
    assert _record(platform, kept) is not None


def test_a_bulk_import_queues_batches_not_one_job_per_dream(platform, make_user, monkeypatch):
    make_user("archive")
    queued: list[tuple[str, int]] = []
    original = platform.queue.enqueue

    def spy(name, *args):
        queued.append((name, len(args[0]) if isinstance(args[0], list) else 1))
        original(name, *args)

    monkeypatch.setattr(platform.queue, "enqueue", spy)
    records = [{"text": f"Dream {i}: I was happy to see my friend number {i} at the station."}
               for i in range(250)]
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == "archive"))
        imported, _ = journal.import_records(session, owner, records, batch_size=1000)
    assert imported == 250
    analysis_jobs = [q for q in queued if q[0].startswith("analysis.")]  # the archive queues its own
    assert analysis_jobs == [("analysis.analyze_dreams", 100), ("analysis.analyze_dreams", 100),
                             ("analysis.analyze_dreams", 50)]
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(AnalysisRecord).where(
            AnalysisRecord.status == "done", AnalysisRecord.emo_ha.is_(True))) == 250
        assert session.scalar(select(func.count()).select_from(Dream).where(
            Dream.analysis_status == "done")) == 250


def test_one_failing_dream_does_not_sink_its_batch(platform, make_user, monkeypatch):
    make_user("archive")
    original = service.run_full

    def flaky(texts, cast=None):
        if any("BROKEN" in t for t in texts):
            raise RuntimeError("engine choked")
        return original(texts, cast)

    monkeypatch.setattr(service, "run_full", flaky)
    monkeypatch.setattr(platform.settings, "analysis_enabled", False)  # drive the service by hand
    records = [{"text": "I was sad that the shop had closed."}, {"text": "BROKEN report"},
               {"text": "We danced and I was happy."}]
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == "archive"))
        journal.import_records(session, owner, records)
        ids = {text: id_ for text, id_ in session.execute(select(Dream.text, Dream.id))}
    result = service.analyse_dreams(platform.db, list(ids.values()))
    broken = ids["BROKEN report"]
    assert sorted(result.analysed) == sorted(i for t, i in ids.items() if t != "BROKEN report")
    assert list(result.retry) == [broken] and "engine choked" in result.retry[broken]
    rec = _record(platform, broken)
    assert rec.status == "pending" and rec.attempts == 1 and "engine choked" in rec.error
    # Tries run out: the dream is marked failed, with its error kept.
    for _ in range(service.MAX_ATTEMPTS - 1):
        result = service.analyse_dreams(platform.db, [broken])
    assert result.failed == {broken: rec.error}
    assert _record(platform, broken).status == "failed" and _status(platform, broken) == "failed"
    assert service.analyse_dreams(platform.db, [broken]).failed  # still failing, still recorded


def test_a_result_for_text_edited_meanwhile_is_dropped(platform, client, make_user, monkeypatch):
    lyra = make_user("lyra")
    monkeypatch.setattr(platform.settings, "analysis_enabled", False)
    dream_id = _post(client, lyra, SCARED)
    original = service.run_full

    def edit_while_computing(texts, cast=None):
        out = original(texts, cast)
        with platform.db.transaction() as session:
            session.get(Dream, dream_id).text = CALM
        return out

    monkeypatch.setattr(service, "run_full", edit_while_computing)
    result = service.analyse_dreams(platform.db, [dream_id])
    assert result.missing == [dream_id] and result.analysed == []
    assert _record(platform, dream_id) is None


def test_an_import_committed_in_steps_queues_analysis_for_every_step(platform, make_user):
    """``mosaic import`` commits every few thousand dreams in one session: each commit must be heard."""
    make_user("archive")
    records = [{"text": f"Dream {i}: I was sad that my friend {i} had moved away."} for i in range(250)]
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == "archive"))
        imported, _ = journal.import_stream(session, owner, iter(records), commit_every=100)
    assert imported == 250
    with platform.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Dream).where(
            Dream.analysis_status == "done")) == 250
