"""Shared options: every command honours --data-dir / MOSAIC_DATA_DIR and MOSAIC_DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

from dream_mosaic.core.platform import Platform
from dream_mosaic.core.settings import Settings


def build_platform(data_dir: Path | None = None, **overrides: object) -> Platform:
    if data_dir is not None:
        os.environ["MOSAIC_DATA_DIR"] = str(data_dir)
    settings = Settings(**({"data_dir": data_dir} if data_dir else {}), **overrides)  # type: ignore[arg-type]
    return Platform(settings)


def upgrade_database(platform: Platform) -> None:
    from dream_mosaic.migrations import upgrade

    upgrade(platform.db.url)
