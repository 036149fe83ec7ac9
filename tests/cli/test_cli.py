"""The ``mosaic`` command: --version, db upgrade, users create, import (own exports, plain-text folders,
DreamBank TSV) and export, each honouring --data-dir / MOSAIC_DATA_DIR and MOSAIC_DATABASE_URL.
Runs on SQLite and PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dream_mosaic import __version__
from dream_mosaic.cli.main import app
from dream_mosaic.core import auth
from dream_mosaic.core.models import Collection, Dream, User

FIXTURE = Path(__file__).resolve().parents[1] / "journal" / "data" / "dreambank_small.tsv"
PASSWORD = "a long password\n"


@pytest.fixture
def mosaic(database_url: str, backend: str, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """mosaic("users", "create", …) -> the CliRunner result; the database is the test's own."""
    data = tmp_path / "cli-data"
    # build_platform writes MOSAIC_DATA_DIR into os.environ: monkeypatch puts the old value back
    monkeypatch.delenv("MOSAIC_DATA_DIR", raising=False)
    monkeypatch.delenv("MOSAIC_DATABASE_URL", raising=False)
    env = {"MOSAIC_QUEUE_URL": "memory://", "MOSAIC_ANALYSIS_ENABLED": "false"}
    if backend == "postgres":
        env["MOSAIC_DATABASE_URL"] = database_url
    runner = CliRunner()

    def run(*args: str, input: str | None = None, expect: int = 0) -> Any:
        result = runner.invoke(app, [*args, "--data-dir", str(data)] if args[0] not in ("--version",) else list(args),
                               input=input, env=env, catch_exceptions=False)
        assert result.exit_code == expect, f"mosaic {' '.join(args)} -> {result.exit_code}\n{result.output}"
        return result

    run.data = data
    run.url = database_url if backend == "postgres" else f"sqlite:///{data / 'mosaic.db'}"
    yield run


def session_for(url: str) -> Session:
    return Session(create_engine(url))


def count(url: str, owner: str | None = None) -> int:
    with session_for(url) as s:
        stmt = select(func.count()).select_from(Dream)
        if owner:
            stmt = stmt.join(User, User.id == Dream.owner_id).where(User.username == owner)
        return int(s.scalar(stmt) or 0)


def test_version() -> None:
    assert CliRunner().invoke(app, ["--version"]).output.strip() == f"mosaic {__version__}"


@pytest.mark.slow  # a real process start costs seconds; tests/core/test_durability.py starts `mosaic serve` too
def test_version_in_a_real_process() -> None:
    done = subprocess.run([sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "--version"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"mosaic {__version__}"


def test_db_upgrade_and_users_create(mosaic: Any, backend: str) -> None:
    mosaic("db", "upgrade")
    mosaic("db", "upgrade")  # twice is harmless
    if backend == "sqlite":
        assert (mosaic.data / "mosaic.db").exists()
    mosaic("users", "create", "Lyra", "--role", "guide", "--password-stdin", "--display-name", "Lyra S",
           input=PASSWORD)
    with session_for(mosaic.url) as s:
        user = s.scalar(select(User).where(User.username == "lyra"))
        assert user is not None and user.role == "guide" and user.display_name == "Lyra S"
        assert user.password_hash.startswith("$argon2") and "a long password" not in user.password_hash
        assert auth.authenticate(s, "lyra", "a long password") is not None
        assert auth.authenticate(s, "lyra", "wrong password") is None
    mosaic("users", "create", "lyra", "--password-stdin", input=PASSWORD, expect=1)  # taken
    mosaic("users", "create", "will", "--role", "king", "--password-stdin", input=PASSWORD, expect=2)
    mosaic("users", "create", "will", "--password-stdin", input="short\n", expect=2)
    mosaic("users", "create", "bad name!", "--password-stdin", input=PASSWORD, expect=2)
    with session_for(mosaic.url) as s:
        assert s.scalars(select(User.username)).all() == ["lyra"]


def test_data_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "from-env"
    monkeypatch.setenv("MOSAIC_DATA_DIR", str(data))
    monkeypatch.delenv("MOSAIC_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["users", "create", "envy", "--password-stdin"], input=PASSWORD,
                                env={"MOSAIC_QUEUE_URL": "memory://"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (data / "mosaic.db").exists()
    assert count(f"sqlite:///{data / 'mosaic.db'}") == 0
    with session_for(f"sqlite:///{data / 'mosaic.db'}") as s:
        assert s.scalars(select(User.username)).all() == ["envy"]


def test_import_dreambank_tsv_series_become_collections(mosaic: Any) -> None:
    mosaic("users", "create", "archive", "--role", "archivist", "--password-stdin", input=PASSWORD)
    result = mosaic("import", str(FIXTURE), "--owner", "archive")
    # 9 rows: one empty report (not a dream), one duplicate of harbor 1
    assert "Imported 7 dreams, skipped 1 already present" in " ".join(result.output.split())
    with session_for(mosaic.url) as s:
        series = {c.slug: c for c in s.scalars(select(Collection))}
        assert set(series) == {"harbor", "orchard"}
        assert series["harbor"].name == "Harbor: a sailor's dreams (invented for tests)"
        assert (series["harbor"].dreamer_sex, series["harbor"].timeframe) == ("male", "1984-1986")
        assert series["orchard"].meta.get("source") == "DreamBank"
        dreams = {d.source_ref: d for d in s.scalars(select(Dream))}
        assert set(dreams) == {"dreambank:harbor:1", "dreambank:harbor:2", "dreambank:harbor:3",
                               "dreambank:orchard:1", "dreambank:orchard:2", "dreambank:orchard:4",
                               "dreambank:orchard:5"}
        assert str(dreams["dreambank:harbor:1"].dreamt_on) == "1985-07-12"
        assert str(dreams["dreambank:harbor:2"].dreamt_on) == "1985-07-13"
        assert dreams["dreambank:harbor:3"].dreamt_on is None
        assert str(dreams["dreambank:orchard:2"].dreamt_on) == "1992-03-04"
        assert dreams["dreambank:orchard:4"].language == "de"
        assert dreams["dreambank:harbor:1"].dreamer_sex == "M"
        assert dreams["dreambank:orchard:1"].collection_id == series["orchard"].id
        assert all(d.visibility == "private" for d in dreams.values())
    again = mosaic("import", str(FIXTURE), "--owner", "archive", "--format", "dreambank")
    assert "Imported 0 dreams, skipped 8" in " ".join(again.output.split())
    assert count(mosaic.url) == 7


def test_import_returns_with_every_dream_searchable(mosaic: Any) -> None:
    """The archive takes an import in after its commits; the command waits for that and for the text
    index (built on the first import), so a search right after it finds everything."""
    from dream_mosaic.archive.models import ArchiveDoc

    mosaic("users", "create", "archive", "--role", "archivist", "--password-stdin", input=PASSWORD)
    result = mosaic("import", str(FIXTURE), "--owner", "archive", "--visibility", "research")
    assert "indexed 7 for search" in " ".join(result.output.split())
    with session_for(mosaic.url) as s:
        assert s.scalar(select(func.count()).select_from(ArchiveDoc)) == 7
    assert (mosaic.data / "archive-text").is_dir()
    found = json.loads(mosaic("search", "", "--json").output)
    assert (found["total"], found["selection_total"]) == (7, 7)


def test_import_goes_on_past_an_invalid_dream(mosaic: Any, tmp_path: Path) -> None:
    mosaic("users", "create", "archive", "--password-stdin", input=PASSWORD)
    big = tmp_path / "big.tsv"
    lines = FIXTURE.read_text().splitlines()
    lines.insert(2, "harbor\t9\t(1985-08-01)\t" + "very long dream " * 1300 + "\ten\tHarbor\tmale\t1984-1986")
    big.write_text("\n".join(lines) + "\n")
    result = mosaic("import", str(big), "--owner", "archive", "--visibility", "research")
    out = " ".join(result.output.split())
    assert "Imported 7 dreams" in out and "left out 1 invalid" in out and "dreambank:harbor:9" in out
    with session_for(mosaic.url) as s:
        assert set(s.scalars(select(Dream.visibility))) == {"research"}


def test_import_plain_text_folder(mosaic: Any, tmp_path: Path) -> None:
    mosaic("users", "create", "lyra", "--password-stdin", input=PASSWORD)
    folder = tmp_path / "notes"
    (folder / "2023").mkdir(parents=True)
    (folder / "2023-05-01_the_glass_bridge.txt").write_text("I crossed a bridge of glass.\n", encoding="utf-8")
    (folder / "2023" / "owls.md").write_text("Owls read my diary aloud.", encoding="utf-8")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "picture.jpg").write_bytes(b"\xff\xd8\xff")
    result = mosaic("import", str(folder), "--owner", "lyra")
    assert "Imported 2 dreams" in " ".join(result.output.split())
    with session_for(mosaic.url) as s:
        dreams = {d.title: d for d in s.scalars(select(Dream))}
    assert set(dreams) == {"2023-05-01 the glass bridge", "owls"}
    assert str(dreams["2023-05-01 the glass bridge"].dreamt_on) == "2023-05-01"
    assert dreams["owls"].text == "Owls read my diary aloud."
    mosaic("import", str(folder), "--owner", "lyra")
    assert count(mosaic.url) == 2
    (folder / "broken.txt").write_bytes(b"caf\xe9 latin-1")
    failed = mosaic("import", str(folder), "--owner", "lyra", expect=2)
    assert "not valid UTF-8" in failed.output
    mosaic("import", str(folder / "missing"), "--owner", "lyra", expect=2)
    mosaic("import", str(folder), "--owner", "nobody", expect=1)


# json in the default run; csv and jsonl (the API round-trip test covers all three) with -m slow
@pytest.mark.parametrize("fmt", ["json", pytest.param("csv", marks=pytest.mark.slow),
                                 pytest.param("jsonl", marks=pytest.mark.slow)])
def test_export_then_import_elsewhere_without_duplicates(mosaic: Any, tmp_path: Path, fmt: str) -> None:
    mosaic("users", "create", "lyra", "--password-stdin", input=PASSWORD)
    mosaic("users", "create", "will", "--password-stdin", input=PASSWORD)
    mosaic("import", str(FIXTURE), "--owner", "lyra")
    out = tmp_path / f"lyra.{fmt}"
    mosaic("export", "--owner", "lyra", "--format", fmt, "--out", str(out))
    assert out.exists() and out.stat().st_size > 0
    if fmt == "json":
        assert len(json.loads(out.read_text())["dreams"]) == 7
    mosaic("import", str(out), "--owner", "lyra")
    assert count(mosaic.url, "lyra") == 7  # back into the same journal: nothing new
    mosaic("import", str(out), "--owner", "will")
    mosaic("import", str(out), "--owner", "will")
    assert count(mosaic.url, "will") == 7
    with session_for(mosaic.url) as s:
        texts = {o: sorted(s.scalars(select(Dream.text).join(User, User.id == Dream.owner_id)
                                     .where(User.username == o))) for o in ("lyra", "will")}
    assert texts["lyra"] == texts["will"]
    to_stdout = mosaic("export", "--owner", "will", "--format", "jsonl")
    assert len([line for line in to_stdout.stdout.splitlines() if line.startswith("{")]) == 7
    mosaic("export", "--owner", "nobody", expect=1)
    mosaic("export", "--owner", "will", "--format", "xml", expect=2)
