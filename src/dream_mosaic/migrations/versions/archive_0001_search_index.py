"""archive: search documents, full-text index (FTS5 / tsvector+GIN), themes, exports

Revision ID: archive_0001
Revises: 0001_core
Create Date: 2026-11-22

The archive's own branch (label ``archive``). Existing dreams are indexed at the end of the upgrade.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "archive_0001"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("archive",)
# The archive reads the analysis engine's table (filters, facets, embeddings): it is migrated first.
depends_on: str | Sequence[str] | None = "0300_analysis"

SQLITE_FTS = [
    # External content: the FTS5 index reads archive_docs.body. New documents are added by the archive in
    # one INSERT … SELECT per batch (three times faster than a row trigger); these triggers keep the index
    # in step with every update and delete, including deletes cascading from a withdrawn dream.
    """CREATE VIRTUAL TABLE archive_fts USING fts5(
           body, content='archive_docs', content_rowid='doc_id',
           tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER archive_docs_ad AFTER DELETE ON archive_docs BEGIN
           INSERT INTO archive_fts(archive_fts, rowid, body) VALUES ('delete', old.doc_id, old.body);
       END""",
    """CREATE TRIGGER archive_docs_au AFTER UPDATE OF body ON archive_docs BEGIN
           INSERT INTO archive_fts(archive_fts, rowid, body) VALUES ('delete', old.doc_id, old.body);
           INSERT INTO archive_fts(rowid, body) VALUES (new.doc_id, new.body);
       END""",
]


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        "archive_docs",
        sa.Column("doc_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dream_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("decade", sa.Integer(), nullable=True),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dream_id"], ["dreams.id"], name=op.f("fk_archive_docs_dream_id_dreams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_archive_docs")),
        sa.UniqueConstraint("dream_id", name=op.f("uq_archive_docs_dream_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_archive_docs_decade", "archive_docs", ["decade"])
    op.create_index("ix_archive_docs_year", "archive_docs", ["year"])
    op.create_table(
        "archive_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_state")),
    )
    op.execute("INSERT INTO archive_state (id, generation) VALUES (1, 0)")
    op.create_table(
        "archive_themes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("keyword_weights", sa.JSON(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("space", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_archive_themes_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_themes")),
    )
    op.create_index("ix_archive_themes_owner_scope", "archive_themes", ["owner_id", "scope"])
    op.create_table(
        "archive_theme_members",
        sa.Column("theme_id", sa.String(length=32), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["theme_id"], ["archive_themes.id"],
                                name=op.f("fk_archive_theme_members_theme_id_archive_themes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["doc_id"], ["archive_docs.doc_id"],
                                name=op.f("fk_archive_theme_members_doc_id_archive_docs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "doc_id", name=op.f("pk_archive_theme_members")),
    )
    op.create_index(op.f("ix_archive_theme_members_doc_id"), "archive_theme_members", ["doc_id"])
    op.create_table(
        "archive_exports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"],
                                name=op.f("fk_archive_exports_requested_by_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_exports")),
    )
    op.create_index(op.f("ix_archive_exports_requested_by"), "archive_exports", ["requested_by"])

    # The consent gate and the common filters read only these columns of a dream: with them in one index,
    # counting a selection never reads the dreams' text.
    op.create_index("ix_archive_dreams_gate", "dreams",
                    ["visibility", "owner_id", "collection_id", "dreamer_sex", "id"])
    # The semantic index catches up by the time embeddings changed: without this it would read the whole
    # table (vectors included) at every catch-up.
    op.create_index("ix_archive_analyses_updated", "dream_analyses", ["updated_at"])
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        # 'simple': no stemming and no stop words, like the SQLite index: words are matched as written.
        op.execute("ALTER TABLE archive_docs ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED")
        op.execute("CREATE INDEX ix_archive_docs_tsv ON archive_docs USING gin (tsv)")
        # Trigram index so regular expressions need not read every dream (pg_trgm is a trusted extension).
        with bind.begin_nested() as nested:
            try:
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                op.execute("CREATE INDEX ix_archive_docs_trgm ON archive_docs USING gin (body gin_trgm_ops)")
            except sa.exc.DBAPIError:
                nested.rollback()

    # Index the dreams that already exist.
    from sqlalchemy.orm import Session

    from dream_mosaic.archive.repository import index_all

    index_all(Session(bind=bind))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("archive_docs_ad", "archive_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS archive_fts")
    op.drop_index("ix_archive_dreams_gate", table_name="dreams")
    op.drop_index("ix_archive_analyses_updated", table_name="dream_analyses")
    for table in ("archive_exports", "archive_theme_members", "archive_themes", "archive_state",
                  "archive_docs"):
        op.drop_table(table)
