"""End-to-end receipts, and dead letters that keep the size and hash of what they truncate.

`node_receipts` holds the durable receipt published to each node (every event up to its seq
is committed or given up), `nodes.oldest_seq` the oldest seq the node last said it holds,
and `refused_seqs` the seqs of refused (dead-lettered) events beyond the receipt: stored
events are found in `slot_events` itself. A dead letter whose payload is stored truncated
keeps the received size and SHA-256 (`received_bytes`, `received_sha256`; NULL where
nothing was cut).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _per_node(name: str, *columns: sa.Column[int], key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("node_id", sa.String(length=64), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["node_id"], ["nodes.id"], name=op.f(f"fk_{name}_node_id_nodes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.add_column("nodes", sa.Column("oldest_seq", sa.BigInteger(), nullable=True))
    _per_node("node_receipts", sa.Column("seq", sa.BigInteger(), nullable=False), key=("node_id",))
    _per_node(
        "refused_seqs", sa.Column("seq", sa.BigInteger(), nullable=False), key=("node_id", "seq")
    )
    op.add_column("dead_letters", sa.Column("received_bytes", sa.BigInteger(), nullable=True))
    op.add_column("dead_letters", sa.Column("received_sha256", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("dead_letters", "received_sha256")
    op.drop_column("dead_letters", "received_bytes")
    op.drop_table("refused_seqs")
    op.drop_table("node_receipts")
    op.drop_column("nodes", "oldest_seq")
