"""archive: analysis facts for the character and physical-interaction filters (archive_facts)

Revision ID: archive_0003
Revises: archive_0002
Create Date: 2026-11-22

``character:<kind>`` and ``interaction:physical`` used to be found by matching the analysis JSON as text.
They are now rows of ``archive_facts`` (indexed by fact), written whenever an analysis is stored; the
upgrade derives them from the analyses already stored.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "archive_0003"
down_revision: str | Sequence[str] | None = "archive_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_facts",
        sa.Column("dream_id", sa.String(length=32), nullable=False),
        sa.Column("fact", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["dream_id"], ["dreams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dream_id", "fact"),
    )
    op.create_index("ix_archive_facts_fact", "archive_facts", ["fact", "dream_id"])

    from dream_mosaic.archive.rules import analysis_facts

    bind = op.get_bind()
    analyses = sa.table("dream_analyses", sa.column("dream_id", sa.String), sa.column("analysis", sa.JSON))
    facts = sa.table("archive_facts", sa.column("dream_id", sa.String), sa.column("fact", sa.String))
    last = ""
    while True:
        rows = bind.execute(sa.select(analyses.c.dream_id, analyses.c.analysis)
                            .where(analyses.c.dream_id > last, analyses.c.analysis.is_not(None))
                            .order_by(analyses.c.dream_id).limit(2000)).all()
        if not rows:
            break
        found = [{"dream_id": d, "fact": f} for d, a in rows for f in sorted(analysis_facts(a))]
        if found:
            bind.execute(facts.insert(), found)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_archive_facts_fact", table_name="archive_facts")
    op.drop_table("archive_facts")
