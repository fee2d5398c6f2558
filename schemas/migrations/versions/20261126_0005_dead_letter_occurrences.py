"""Dead letters counted, not repeated: one row per (topic, reason, payload).

Delivery is at least once, so the same bad message can be refused many times. A row now
carries how often it arrived (`occurrences`) and when last (`last_seen_at`); `received_at`
stays the first arrival and `id` the first arrival's order. The key hashes the topic and the
stored payload in generated columns: a topic may be 64 kB and a payload too, far over the
~2.7 kB a B-tree entry holds. Existing duplicates are merged first into their oldest row
(lowest id), which takes the earliest `received_at`, the sum and the latest sighting.

Downgrade drops the counts: each merged message keeps its oldest row only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The topic's UTF-8 bytes: decode(..., 'escape') with backslashes doubled is the identity,
# and unlike convert_to() it is immutable, as a generated column requires.
_TOPIC_SHA256 = r"sha256(decode(replace(topic, '\', '\\'), 'escape'))"
_PAYLOAD_SHA256 = "sha256(payload)"
_UNIQUE = "uq_dead_letters_topic_sha256_reason_payload_sha256"
# GROUP BY and a window instead of a self-join: no quadratic pairing inside a large group.
_MERGE = """
    UPDATE dead_letters d SET received_at = g.received_at, occurrences = g.occurrences,
        last_seen_at = g.last_seen_at
    FROM (
        SELECT min(id) AS id, min(received_at) AS received_at, sum(occurrences) AS occurrences,
            max(last_seen_at) AS last_seen_at
        FROM dead_letters GROUP BY topic_sha256, reason, payload_sha256 HAVING count(*) > 1
    ) g
    WHERE d.id = g.id
"""
_DROP_LATER_COPIES = """
    DELETE FROM dead_letters d
    USING (
        SELECT id, min(id) OVER (PARTITION BY topic_sha256, reason, payload_sha256) AS first
        FROM dead_letters
    ) w
    WHERE d.id = w.id AND w.id <> w.first
"""


def upgrade() -> None:
    op.add_column(
        "dead_letters",
        sa.Column(
            "topic_sha256",
            sa.LargeBinary(),
            sa.Computed(_TOPIC_SHA256, persisted=True),
            nullable=False,
        ),
    )
    op.add_column(
        "dead_letters",
        sa.Column(
            "payload_sha256",
            sa.LargeBinary(),
            sa.Computed(_PAYLOAD_SHA256, persisted=True),
            nullable=False,
        ),
    )
    op.add_column(
        "dead_letters",
        sa.Column("occurrences", sa.BigInteger(), server_default="1", nullable=False),
    )
    op.add_column("dead_letters", sa.Column("last_seen_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE dead_letters SET last_seen_at = received_at")
    op.execute(_MERGE)
    op.execute(_DROP_LATER_COPIES)
    op.alter_column("dead_letters", "last_seen_at", nullable=False, server_default=sa.text("now()"))
    op.create_index(
        _UNIQUE, "dead_letters", ["topic_sha256", "reason", "payload_sha256"], unique=True
    )


def downgrade() -> None:
    op.drop_index(_UNIQUE, table_name="dead_letters")
    op.drop_column("dead_letters", "last_seen_at")
    op.drop_column("dead_letters", "occurrences")
    op.drop_column("dead_letters", "payload_sha256")
    op.drop_column("dead_letters", "topic_sha256")
