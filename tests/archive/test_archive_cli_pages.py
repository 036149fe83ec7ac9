"""`mosaic search --json`, `mosaic archive export/stats`, and the archive pages without JavaScript."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from typer.testing import CliRunner

from .conftest import SECRET, import_series

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def cli(platform: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from dream_mosaic.cli.main import app

    monkeypatch.setenv("MOSAIC_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("MOSAIC_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("MOSAIC_QUEUE_URL", "memory://")
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run


def test_cli_search_json(cli, corpus):
    result = cli("search", "teeth* series:moon-f", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["total"], data["selection_total"]) == (3, 5)
    assert data["share"] == pytest.approx(0.6)
    assert all({"id", "text"} <= set(r) for r in data["results"])
    everything = json.loads(cli("search", "", "--json", "--limit", "100").stdout)
    assert everything["total"] == 10  # any member's view: research and community dreams only
    assert SECRET not in json.dumps(everything)
    mine = json.loads(cli("search", SECRET, "--json", "--as", "vera").stdout)
    assert mine["total"] == 2
    bad = cli("search", "(teeth", "--json")
    assert bad.exit_code == 2


def test_cli_semantic_search(cli, corpus):
    result = cli("search", "losing teeth at the dentist", "--semantic", "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 1 <= len(data["results"]) <= 3 and data["share"] is None


def test_cli_export_and_stats(cli, corpus, tmp_path):
    out = tmp_path / "teeth.zip"
    result = cli("archive", "export", "teeth OR tooth", "--format", "csv", "--out", str(out), "--as", "eve")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert {"data.csv", "data_dictionary.md"} <= set(archive.namelist())
        assert archive.read("data.csv").decode().count("\n") == 1 + 4
    denied = cli("archive", "export", "", "--as", "mallory", "--out", str(tmp_path / "x.zip"))
    assert denied.exit_code == 2
    stats = cli("archive", "stats", "teeth", "--by", "series", "--compare", "sex:F", "sex:M")
    data = json.loads(stats.stdout)
    assert data["frequency"]["total"] == 4 and data["comparison"]["a"]["matches"] == 3


def test_reindex_restores_a_lost_index(platform, cli, corpus):
    from sqlalchemy import delete

    from dream_mosaic.archive.models import ArchiveDoc

    with platform.db.transaction() as session:
        session.execute(delete(ArchiveDoc))
    assert json.loads(cli("search", "teeth", "--json").stdout)["total"] == 0
    assert cli("archive", "reindex").exit_code == 0
    assert json.loads(cli("search", "teeth", "--json").stdout)["total"] == 4


def test_search_page_works_without_javascript(signed_in, corpus):
    eve = signed_in("eve")
    page = eve.get("/archive", params={"q": "teeth", "series": ["moon-f"], "go": "1"})
    assert page.status_code == 200
    html = page.text
    assert "<mark>teeth</mark>" in html or "<mark>Teeth</mark>" in html
    assert "<strong>3</strong> dreams match" in html and "<strong>5</strong>" in html and "60.00%" in html
    assert "series:moon-f" in html and SECRET not in html
    assert 'href="/archive?q=' in html  # facets narrow the query by links
    bad = eve.get("/archive", params={"q": "(teeth", "go": "1"})
    assert bad.status_code == 422 and "parentheses" in bad.text and "role=\"alert\"" in bad.text
    script = eve.get("/archive", params={"q": "<script>alert(1)</script>", "go": "1"})
    assert "<script>alert(1)</script>" not in script.text


def test_stats_themes_and_export_pages(platform, signed_in, corpus):
    import_series(platform, "eve")  # more dreams so themes have enough
    eve = signed_in("eve")
    stats = eve.get("/archive/stats", params={"q": "teeth OR tooth", "by": "decade", "a": "sex:F", "b": "sex:M",
                                              "profile": "on"})
    assert stats.status_code == 200
    assert "Cohen" in stats.text and "<svg" in stats.text and "1990s" in stats.text
    assert "male female percent" in stats.text
    made = eve.post("/archive/themes", data={"q": "", "k": "3", "csrf": eve.csrf}, follow_redirects=True)
    assert made.status_code == 200 and "#1" in made.text and "theme-chart" in made.text
    forged = eve.post("/archive/themes", data={"q": "", "csrf": "0" * 64})
    assert forged.status_code == 403
    form = eve.get("/archive/export", params={"q": "teeth"})
    assert form.status_code == 200 and "Prepare export" in form.text
    done = eve.post("/archive/export", data={"q": "teeth", "format": "jsonl", "csrf": eve.csrf},
                    follow_redirects=True)
    assert done.status_code == 200 and "Download" in done.text
    mallory = signed_in("mallory")
    assert mallory.get("/archive/export").status_code == 403
    assert mallory.get("/archive").status_code == 200
