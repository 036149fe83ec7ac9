"""archive: PostgreSQL's pg_prewarm, so that a server can load what a search reads into shared buffers

Revision ID: archive_0005
Revises: archive_0004
Create Date: 2026-12-07

``archive.repository.prewarm_postgres`` loads the tables and B-tree indexes a result page reads into
PostgreSQL's own cache at server start (when ``shared_buffers`` can hold them). The extension ships with
PostgreSQL (contrib) but creating it needs a superuser: where that is refused the migration goes on and the
server simply does not prewarm.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "archive_0005"
down_revision: str | Sequence[str] | None = "archive_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    with bind.begin_nested() as nested:
        try:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except sa.exc.DBAPIError:
            nested.rollback()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS pg_prewarm")
