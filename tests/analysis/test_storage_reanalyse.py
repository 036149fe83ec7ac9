"""``mosaic analyze --all | --since DATE``: re-analyse stored dreams, computing only what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from dream_mosaic.analysis import default_pipeline, service
from dream_mosaic.analysis.models import AnalysisRecord
from dream_mosaic.core.models import Dream, User
from dream_mosaic.journal import service as journal


@pytest.fixture
def stored(platform, make_user, monkeypatch) -> list[str]:
    """Twelve dreams stored while analysis was switched off: all pending."""
    make_user("archive")
    monkeypatch.setattr(platform.settings, "analysis_enabled", False)
    with platform.db.transaction() as session:
        owner = session.scalar(select(User).where(User.username == "archive"))
        journal.import_records(session, owner, [
            {"text": f"Night {i}: I was {'happy' if i % 2 else 'afraid'} in my old school."} for i in range(12)])
        return list(session.scalars(select(Dream.id)))


def _mosaic(platform, *args: str):
    from dream_mosaic.cli.main import app

    env = {"MOSAIC_DATABASE_URL": platform.settings.resolved_database_url,
           "MOSAIC_DATA_DIR": str(platform.settings.data_dir), "MOSAIC_SECRET_KEY": "test-secret",
           "MOSAIC_QUEUE_URL": "memory://"}
    return CliRunner().invoke(app, list(args), env=env)


def _done(platform) -> int:
    with platform.db.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Dream).where(Dream.analysis_status == "done")))


def test_analyze_all_brings_every_dream_up_to_date_once(platform, stored):
    result = _mosaic(platform, "analyze", "--all")
    assert result.exit_code == 0, result.output
    assert "Analysed 12 dreams; 0 were already up to date." in result.output
    assert _done(platform) == 12
    again = _mosaic(platform, "analyze", "--all")
    assert again.exit_code == 0 and "Analysed 0 dreams; 12 were already up to date." in again.output


def test_analyze_all_after_a_component_upgrade_recomputes_only_that(platform, stored, monkeypatch):
    assert _mosaic(platform, "analyze", "--all").exit_code == 0
    motifs = next(b for b in default_pipeline()._components if b.name == "motifs")
    monkeypatch.setattr(motifs, "version", "2.0-test")
    ran: list[int] = []
    original = service.run_full
    monkeypatch.setattr(service, "run_full", lambda texts, cast=None: ran.append(len(texts)) or original(texts, cast))
    result = _mosaic(platform, "analyze", "--all")
    assert result.exit_code == 0 and "Analysed 12 dreams" in result.output
    assert ran == []  # no full run: only the motifs component ran again
    with platform.db.transaction(write=False) as session:
        versions = session.scalars(select(AnalysisRecord.versions)).all()
    assert len(versions) == 12 and all(v["motifs"] == "2.0-test" for v in versions)


def test_analyze_since_takes_only_recent_dreams(platform, stored):
    future = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    result = _mosaic(platform, "analyze", "--since", future)
    assert result.exit_code == 0 and "Analysed 0 dreams; 0 were already up to date." in result.output
    past = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert "Analysed 12 dreams" in _mosaic(platform, "analyze", "--since", past).output
    assert _done(platform) == 12


def test_analyze_all_reports_failures_and_forgives_them_next_time(platform, stored, monkeypatch):
    original = service.run_full

    def broken(texts, cast=None):
        if any("Night 3:" in t for t in texts):
            raise RuntimeError("bad luck")
        return original(texts, cast)

    monkeypatch.setattr(service, "run_full", broken)
    result = _mosaic(platform, "analyze", "--all")
    assert result.exit_code == 1 and "1 failed" in result.output and "RuntimeError: bad luck" in result.output
    assert _done(platform) == 11
    monkeypatch.setattr(service, "run_full", original)
    assert _mosaic(platform, "analyze", "--all").exit_code == 0
    assert _done(platform) == 12


def test_analyze_needs_input_and_output_or_a_stored_mode(platform):
    result = _mosaic(platform, "analyze")
    assert result.exit_code == 2 and "--all" in result.output
