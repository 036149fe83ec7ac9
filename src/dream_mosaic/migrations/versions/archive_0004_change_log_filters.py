"""archive: the change log also records changes of a dream's sex, series and language

Revision ID: archive_0004
Revises: archive_0003
Create Date: 2026-11-22

The text index now answers the ``sex:``, ``series:`` and ``lang:`` filters too, so a change of
``dreams.dreamer_sex``, ``collection_id`` or ``language`` must reach it like a change of visibility.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "archive_0004"
down_revision: str | Sequence[str] | None = "archive_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_NEW = (
    "CREATE TRIGGER archive_changes_dreams_au AFTER UPDATE OF visibility, dreamer_sex, collection_id, language "
    "ON dreams WHEN old.visibility IS NOT new.visibility OR old.dreamer_sex IS NOT new.dreamer_sex "
    "OR old.collection_id IS NOT new.collection_id OR old.language IS NOT new.language BEGIN "
    "INSERT INTO archive_changes(doc_id) SELECT doc_id FROM archive_docs WHERE dream_id = new.id; END"
)
SQLITE_OLD = (
    "CREATE TRIGGER archive_changes_dreams_au AFTER UPDATE OF visibility ON dreams "
    "WHEN old.visibility IS NOT new.visibility BEGIN "
    "INSERT INTO archive_changes(doc_id) SELECT doc_id FROM archive_docs WHERE dream_id = new.id; END"
)
PG_NEW = (
    "CREATE TRIGGER archive_changes_dreams AFTER UPDATE OF visibility, dreamer_sex, collection_id, language "
    "ON dreams FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility "
    "OR OLD.dreamer_sex IS DISTINCT FROM NEW.dreamer_sex OR OLD.collection_id IS DISTINCT FROM NEW.collection_id "
    "OR OLD.language IS DISTINCT FROM NEW.language) EXECUTE FUNCTION archive_log_dream()"
)
PG_OLD = (
    "CREATE TRIGGER archive_changes_dreams AFTER UPDATE OF visibility ON dreams FOR EACH ROW "
    "WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility) EXECUTE FUNCTION archive_log_dream()"
)


def _swap(sqlite: str, postgres: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS archive_changes_dreams_au")
        op.execute(sqlite)
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS archive_changes_dreams ON dreams")
        op.execute(postgres)


def upgrade() -> None:
    _swap(SQLITE_NEW, PG_NEW)


def downgrade() -> None:
    _swap(SQLITE_OLD, PG_OLD)
