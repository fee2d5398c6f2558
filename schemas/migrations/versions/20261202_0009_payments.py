"""The payment log: `payments` (a driver's payment of a session's fee) and `payment_events`.

A payment belongs to one parking session, user and lot, goes through one provider
(`provider_ref` unique per provider once known) under an idempotency key unique per user,
carries a positive integer amount in minor units and an ISO 4217 currency, keeps what the
provider told the driver to do next (`next_action`), and is `pending`, `succeeded`,
`failed` or `refunded`; `succeeded_at`/`refunded_at` date the money in and out. A partial unique index allows one pending or succeeded payment per session.
`payment_events` keeps each provider event applied, unique per (provider, event_id), which
is how a replayed webhook is recognised. Both tables start empty; downgrade drops them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "succeeded",
                "failed",
                "refunded",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("next_action", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _now("created_at"),
        _now("updated_at"),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_payments_currency_iso4217")),
        sa.CheckConstraint(
            "(succeeded_at IS NOT NULL) = (state IN ('succeeded', 'refunded'))",
            name=op.f("ck_payments_succeeded_at_when_settled"),
        ),
        sa.CheckConstraint(
            "(refunded_at IS NOT NULL) = (state = 'refunded')",
            name=op.f("ck_payments_refunded_at_when_refunded"),
        ),
        _fk("payments", "session_id", "parking_sessions"),
        _fk("payments", "user_id", "users"),
        _fk("payments", "lot_id", "parking_lots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "provider", "provider_ref", name=op.f("uq_payments_provider_provider_ref")
        ),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_payments_user_id_idempotency_key")
        ),
    )
    op.create_index(
        "uq_payments_session_id_open_or_paid",
        "payments",
        ["session_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('pending', 'succeeded')"),
    )
    op.create_index("ix_payments_session_id", "payments", ["session_id"])
    op.create_index("ix_payments_lot_id_id", "payments", ["lot_id", "id"])
    op.create_index("ix_payments_lot_id_succeeded_at", "payments", ["lot_id", "succeeded_at"])
    op.create_index("ix_payments_lot_id_refunded_at", "payments", ["lot_id", "refunded_at"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        _now("received_at"),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _fk("payment_events", "payment_id", "payments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_payment_events_provider_event_id")
        ),
    )
    op.create_index("ix_payment_events_payment_id", "payment_events", ["payment_id"])


def downgrade() -> None:
    op.drop_table("payment_events")
    op.drop_table("payments")
