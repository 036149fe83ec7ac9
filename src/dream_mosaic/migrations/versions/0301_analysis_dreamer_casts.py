"""analysis: table dreamer_casts (the names a dreamer has said who they are; CASCADE with the user)

Revision ID: 0301_analysis
Revises: 0300_analysis
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0301_analysis"
down_revision: str | Sequence[str] | None = "0300_analysis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dreamer_casts",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dreamer_casts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_dreamer_casts")),
    )


def downgrade() -> None:
    op.drop_table("dreamer_casts")
