"""Alembic migrations for every feature's tables. ``mosaic db upgrade`` applies them.

How to add a feature's migration (keep only your own tables in it): see CONTRIBUTING.md.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent

# Every module that declares tables on ``core.models.Base``; Alembic compares them with the database.
MODEL_MODULES = [
    "dream_mosaic.core.models",
    "dream_mosaic.circles.models",
    "dream_mosaic.analysis.models",
    "dream_mosaic.archive.models",
    "dream_mosaic.mosaic.models",
]


def load_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` up to date (all heads: features migrate independently)."""
    command.upgrade(alembic_config(url), revision)
