"""Admin API state: the transaction id of each slot event, for stable event pages.

`slot_events.tx_id` is the inserting transaction (xid8 as bigint, filled by a default, so
writers need no change). `GET /admin/events` pages by (tx_id, id) over rows whose
transaction is older than every running one: a row can never commit behind a cursor.
Existing rows all get this migration's transaction id and keep their id order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "slot_events",
        sa.Column(
            "tx_id",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
            nullable=False,
        ),
    )
    op.create_index("ix_slot_events_tx_id_id", "slot_events", ["tx_id", "id"])
    op.create_index("ix_slot_events_lot_id_tx_id_id", "slot_events", ["lot_id", "tx_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_slot_events_lot_id_tx_id_id", table_name="slot_events")
    op.drop_index("ix_slot_events_tx_id_id", table_name="slot_events")
    op.drop_column("slot_events", "tx_id")
