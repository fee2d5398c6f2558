"""Api service state.

An index for a lot's active reservations, and change notifications: every insert, update
or delete that can change a lot's availability (slots, reservations, nodes, floors, rows,
lots) sends NOTIFY parking_lot_changed with the lot's id, delivered at commit. The API's
one listener per process keeps its availability cache exact and feeds its SSE streams.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column holding the lot id)
_NOTIFYING = [
    ("slots", "lot_id"),
    ("reservations", "lot_id"),
    ("floors", "lot_id"),
    ("rows", "lot_id"),
    ("parking_lots", "id"),
]

_FUNCTION = """
CREATE FUNCTION parking_notify_lot_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lot_column text := TG_ARGV[0];
BEGIN
    -- Identical notifications in one transaction are folded into one by PostgreSQL.
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('parking_lot_changed', to_jsonb(OLD) ->> lot_column);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('parking_lot_changed', to_jsonb(NEW) ->> lot_column);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_index(
        "ix_reservations_lot_id_expires_at_active",
        "reservations",
        ["lot_id", "expires_at"],
        unique=False,
        postgresql_where=sa.text("state = 'active'"),
    )
    op.execute(_FUNCTION)
    for table, column in _NOTIFYING:
        # Row changes that change nothing (a no-op UPDATE) stay silent.
        op.execute(
            f"CREATE TRIGGER trg_{table}_notify_insert_delete AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION parking_notify_lot_changed('{column}')"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_notify_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) "
            f"EXECUTE FUNCTION parking_notify_lot_changed('{column}')"
        )
    # Heartbeats update nodes all the time; only liveness and placement matter here.
    op.execute(
        "CREATE TRIGGER trg_nodes_notify_insert_delete AFTER INSERT OR DELETE ON nodes "
        "FOR EACH ROW EXECUTE FUNCTION parking_notify_lot_changed('lot_id')"
    )
    op.execute(
        "CREATE TRIGGER trg_nodes_notify_update AFTER UPDATE ON nodes FOR EACH ROW "
        "WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.enabled IS DISTINCT FROM NEW.enabled "
        "OR OLD.lot_id IS DISTINCT FROM NEW.lot_id) "
        "EXECUTE FUNCTION parking_notify_lot_changed('lot_id')"
    )


def downgrade() -> None:
    for table, _column in [*_NOTIFYING, ("nodes", "lot_id")]:
        op.execute(f"DROP TRIGGER trg_{table}_notify_update ON {table}")
        op.execute(f"DROP TRIGGER trg_{table}_notify_insert_delete ON {table}")
    op.execute("DROP FUNCTION parking_notify_lot_changed()")
    op.drop_index(
        "ix_reservations_lot_id_expires_at_active",
        table_name="reservations",
        postgresql_where=sa.text("state = 'active'"),
    )
