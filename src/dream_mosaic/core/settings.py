"""Configuration, read from the environment (``MOSAIC_*``) and the command line.

Every backend is chosen by URL, in the style of encode/broadcaster: the code above never asks which
backend it runs on.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOSAIC_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where the embedded database and job queue live.")
    database_url: str | None = Field(
        default=None, description="sqlite:///… or postgresql+psycopg://…; defaults to <data_dir>/mosaic.db"
    )
    broadcast_url: str = Field(default="memory://", description="Pub/sub: memory:// or redis://host:port")
    queue_url: str | None = Field(
        default=None,
        description="Job queue: sqlite:///… (default, in <data_dir>), memory:// (tests) or redis://host:port",
    )
    queue_in_process: bool = Field(default=True, description="Run the job workers inside the web process.")
    serve_jobs: Literal["process", "threads", "external"] = Field(
        default="threads",
        description="How `mosaic serve` runs background jobs: threads of the web process (default), a child "
                    "`mosaic worker` process, or not at all (run `mosaic worker` yourself).",
    )
    secret_key: str | None = Field(default=None, description="Signs session cookies; generated into data_dir.")
    max_body_bytes: int = 1_000_000
    demo: bool = False
    analysis_enabled: bool = True

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mosaic.db').resolve()}"

    @cached_property
    def resolved_queue_url(self) -> str:
        if self.queue_url:
            return self.queue_url
        return f"sqlite:///{(self.data_dir / 'jobs.db').resolve()}"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def resolved_secret_key(self) -> str:
        """A stable secret: configured, or generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        import secrets

        self.ensure_data_dir()
        path = self.data_dir / "secret.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
