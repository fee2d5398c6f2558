"""End-to-end receipts, and dead letters that keep the size and hash of what they truncate.

`nodes.receipt_seq` is the durable receipt published to each node (every event up to it is
committed or given up), `nodes.oldest_seq` the oldest seq the node last said it holds, and
`committed_seqs` the committed seqs beyond the receipt's contiguous run. A dead letter whose
payload is stored truncated keeps the received size and SHA-256 (`received_bytes`,
`received_sha256`; NULL where nothing was cut).

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


def upgrade() -> None:
    op.add_column("nodes", sa.Column("receipt_seq", sa.BigInteger(), nullable=True))
    op.add_column("nodes", sa.Column("oldest_seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "committed_seqs",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_committed_seqs_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", "seq", name=op.f("pk_committed_seqs")),
    )
    op.add_column("dead_letters", sa.Column("received_bytes", sa.BigInteger(), nullable=True))
    op.add_column("dead_letters", sa.Column("received_sha256", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("dead_letters", "received_sha256")
    op.drop_column("dead_letters", "received_bytes")
    op.drop_table("committed_seqs")
    op.drop_column("nodes", "oldest_seq")
    op.drop_column("nodes", "receipt_seq")
