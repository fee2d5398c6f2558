"""Alerts: operators' rules, the alerts they fire, webhooks and their deliveries.

`alert_rules` (per operator, optionally one lot; `kind` and per-kind `params`, `hold_s`),
`alerts` (one row per firing, at most one open per rule and subject), `alert_conditions`
(conditions waiting out their hold time; rate counters), `webhooks` (per operator, with the
signing secret and failure count) and `webhook_deliveries` (one per alert event and webhook,
with attempts and the next one's time). Ingest's operations job fills them
(`ingest_service/alerts.py`, `ingest_service/webhooks.py`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = (
    "lot_full",
    "lot_free_below",
    "node_offline",
    "camera_not_ok",
    "override_expiring",
    "dead_letter_rate",
    "ingest_lag",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False)


def _at(name: str, *, nullable: bool = True, now: bool = False) -> sa.Column[datetime]:
    default = sa.text("now()") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in _KINDS)
    jsonb_empty = sa.text("'{}'::jsonb")
    op.create_table(
        "alert_rules",
        _id(),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", postgresql.JSONB(), server_default=jsonb_empty, nullable=False),
        sa.Column("hold_s", sa.Integer(), server_default="60", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        _at("created_at", nullable=False, now=True),
        _at("updated_at", nullable=False, now=True),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_alert_rules_kind")),
        sa.CheckConstraint("hold_s >= 0", name=op.f("ck_alert_rules_hold_s_nonnegative")),
        _fk("alert_rules", "operator_id", "operators"),
        _fk("alert_rules", "lot_id", "parking_lots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
    )
    op.create_index("ix_alert_rules_operator_id_id", "alert_rules", ["operator_id", "id"])
    op.create_index("ix_alert_rules_lot_id", "alert_rules", ["lot_id"])

    op.create_table(
        "alerts",
        _id(),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _at("fired_at", nullable=False),
        _at("resolved_at"),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("details", postgresql.JSONB(), server_default=jsonb_empty, nullable=False),
        sa.CheckConstraint("state IN ('firing', 'resolved')", name=op.f("ck_alerts_state")),
        sa.CheckConstraint(
            "(state = 'resolved') = (resolved_at IS NOT NULL)",
            name=op.f("ck_alerts_resolved_when_resolved"),
        ),
        _fk("alerts", "rule_id", "alert_rules"),
        _fk("alerts", "lot_id", "parking_lots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(
        "uq_alerts_open_rule_id_subject",
        "alerts",
        ["rule_id", "subject"],
        unique=True,
        postgresql_where=sa.text("state = 'firing'"),
    )
    op.create_index("ix_alerts_lot_id_id", "alerts", ["lot_id", "id"])
    op.create_index("ix_alerts_rule_id_id", "alerts", ["rule_id", "id"])

    op.create_table(
        "alert_conditions",
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        _at("pending_since"),
        sa.Column("counter", sa.BigInteger(), nullable=True),
        _at("counted_at"),
        _fk("alert_conditions", "rule_id", "alert_rules"),
        sa.PrimaryKeyConstraint("rule_id", "subject", name=op.f("pk_alert_conditions")),
    )

    op.create_table(
        "webhooks",
        _id(),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        _at("disabled_at"),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        _at("created_at", nullable=False, now=True),
        _at("updated_at", nullable=False, now=True),
        sa.CheckConstraint(
            "consecutive_failures >= 0", name=op.f("ck_webhooks_failures_nonnegative")
        ),
        _fk("webhooks", "operator_id", "operators"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_operator_id_id", "webhooks", ["operator_id", "id"])

    op.create_table(
        "webhook_deliveries",
        _id(),
        sa.Column("webhook_id", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _at("next_attempt_at"),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _at("delivered_at"),
        _at("created_at", nullable=False, now=True),
        sa.CheckConstraint(
            "event IN ('fired', 'resolved')", name=op.f("ck_webhook_deliveries_event")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'failed')", name=op.f("ck_webhook_deliveries_state")
        ),
        sa.CheckConstraint(
            "attempts >= 0", name=op.f("ck_webhook_deliveries_attempts_nonnegative")
        ),
        _fk("webhook_deliveries", "webhook_id", "webhooks"),
        _fk("webhook_deliveries", "alert_id", "alerts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        "ix_webhook_deliveries_webhook_id_id", "webhook_deliveries", ["webhook_id", "id"]
    )
    op.create_index("ix_webhook_deliveries_alert_id", "webhook_deliveries", ["alert_id"])
    op.create_index(
        "ix_webhook_deliveries_next_attempt_at_pending",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("alert_conditions")
    op.drop_table("alerts")
    op.drop_table("alert_rules")
