"""archive: change log for the on-disk text index (archive_changes, filled by triggers)

Revision ID: archive_0002
Revises: archive_0001
Create Date: 2026-11-22

Every insert, update and delete of a search document, and every change of a dream's visibility, leaves
the changed ``doc_id`` in ``archive_changes``, by database triggers (so a cascade delete or a raw UPDATE is
logged too, whatever code made it). ``archive.textindex`` counts these documents through SQL and the consent
gate until it has applied them to its index, then deletes exactly the rows it applied.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "archive_0002"
down_revision: str | Sequence[str] | None = "archive_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE = [
    "CREATE TRIGGER archive_changes_docs_ai AFTER INSERT ON archive_docs BEGIN "
    "INSERT INTO archive_changes(doc_id) VALUES (new.doc_id); END",
    "CREATE TRIGGER archive_changes_docs_au AFTER UPDATE ON archive_docs BEGIN "
    "INSERT INTO archive_changes(doc_id) VALUES (new.doc_id); END",
    "CREATE TRIGGER archive_changes_docs_ad AFTER DELETE ON archive_docs BEGIN "
    "INSERT INTO archive_changes(doc_id) VALUES (old.doc_id); END",
    "CREATE TRIGGER archive_changes_dreams_au AFTER UPDATE OF visibility ON dreams "
    "WHEN old.visibility IS NOT new.visibility BEGIN "
    "INSERT INTO archive_changes(doc_id) SELECT doc_id FROM archive_docs WHERE dream_id = new.id; END",
]
POSTGRES = [
    """CREATE FUNCTION archive_log_doc() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO archive_changes(doc_id) VALUES (OLD.doc_id);
            RETURN OLD;
        END IF;
        INSERT INTO archive_changes(doc_id) VALUES (NEW.doc_id);
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER archive_changes_docs AFTER INSERT OR UPDATE OR DELETE ON archive_docs "
    "FOR EACH ROW EXECUTE FUNCTION archive_log_doc()",
    """CREATE FUNCTION archive_log_dream() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO archive_changes(doc_id) SELECT doc_id FROM archive_docs WHERE dream_id = NEW.id;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER archive_changes_dreams AFTER UPDATE OF visibility ON dreams FOR EACH ROW "
    "WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility) EXECUTE FUNCTION archive_log_dream()",
]


def upgrade() -> None:
    op.create_table(
        "archive_changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRES if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("archive_changes_docs_ai", "archive_changes_docs_au", "archive_changes_docs_ad",
                     "archive_changes_dreams_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS archive_changes_docs ON archive_docs")
        op.execute("DROP TRIGGER IF EXISTS archive_changes_dreams ON dreams")
        op.execute("DROP FUNCTION IF EXISTS archive_log_doc()")
        op.execute("DROP FUNCTION IF EXISTS archive_log_dream()")
    op.drop_table("archive_changes")
