"""Ingest service state.

The read-side outbox (which slot state and which availability counts were last published
on the retained topics) and the seq a node's heartbeat reported, for lost-tail detection.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "slots", sa.Column("state_version", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_index("ix_slots_detected_node_id", "slots", ["detected_node_id"], unique=False)
    op.add_column("nodes", sa.Column("reported_seq", sa.BigInteger(), nullable=True))
    op.add_column("nodes", sa.Column("reported_seq_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "published_slot_states",
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_published_slot_states_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slot_id", name=op.f("pk_published_slot_states")),
    )
    op.create_table(
        "published_availability",
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["parking_lots.id"],
            name=op.f("fk_published_availability_lot_id_parking_lots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lot_id", name=op.f("pk_published_availability")),
    )


def downgrade() -> None:
    op.drop_table("published_availability")
    op.drop_table("published_slot_states")
    op.drop_column("nodes", "reported_seq_at")
    op.drop_column("nodes", "reported_seq")
    op.drop_index("ix_slots_detected_node_id", table_name="slots")
    op.drop_column("slots", "state_version")
