"""Alerting: operators' rules, the alerts they fire, conditions waiting out their hold time,
and the webhooks alerts are delivered to (with a log of every delivery)."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schemas.alerts import AlertKind, AlertState
from schemas.db.base import Base, BigId, CreatedAt, UpdatedAt

SUBJECT_MAX: int = 200
_KINDS = ", ".join(f"'{kind.value}'" for kind in AlertKind)
_STATES = ", ".join(f"'{state.value}'" for state in AlertState)
DELIVERY_STATES = ("pending", "delivered", "failed")
DELIVERY_EVENTS = ("fired", "resolved")


class AlertRule(Base):
    """A condition an operator wants to hear about, on one lot or on all of its lots."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        CheckConstraint("hold_s >= 0", name="hold_s_nonnegative"),
        Index("ix_alert_rules_operator_id_id", "operator_id", "id"),
        Index("ix_alert_rules_lot_id", "lot_id"),
    )

    id: Mapped[BigId]
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    # None: every lot of the operator.
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("parking_lots.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    # Validated per kind by schemas.alerts.parse_params.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # How long a condition must hold before firing, and be clear before resolving.
    hold_s: Mapped[int] = mapped_column(Integer, server_default="60")
    enabled: Mapped[bool] = mapped_column(server_default="true")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class Alert(Base):
    """One firing of a rule for one subject (a lot code, a node id or `lot/slot`)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state"),
        CheckConstraint(
            "(state = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_when_resolved"
        ),
        # At most one open alert per (rule, subject): a repeated evaluation cannot fire twice.
        Index(
            "uq_alerts_open_rule_id_subject",
            "rule_id",
            "subject",
            unique=True,
            postgresql_where=text("state = 'firing'"),
        ),
        Index("ix_alerts_lot_id_id", "lot_id", "id"),
        Index("ix_alerts_rule_id_id", "rule_id", "id"),
    )

    id: Mapped[BigId]
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    state: Mapped[str] = mapped_column(String(16))
    fired_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # The measured value when it fired (free slots, seconds, rate).
    value: Mapped[float | None] = mapped_column(Double)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class AlertCondition(Base):
    """Evaluation state of one (rule, subject): since when its condition has differed from
    the alert's state (waiting out the hold), and for rates the last counter reading."""

    __tablename__ = "alert_conditions"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), primary_key=True)
    pending_since: Mapped[datetime | None]
    counter: Mapped[int | None]
    counted_at: Mapped[datetime | None]


class Webhook(Base):
    """An operator's HTTPS endpoint that receives its alerts, signed with `secret`."""

    __tablename__ = "webhooks"
    __table_args__ = (
        CheckConstraint("consecutive_failures >= 0", name="failures_nonnegative"),
        Index("ix_webhooks_operator_id_id", "operator_id", "id"),
    )

    id: Mapped[BigId]
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    # HMAC key of the X-Parking-Signature header (schemas.signing); shown once at creation.
    secret: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(server_default="true")
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default="0")
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class WebhookDelivery(Base):
    """One alert event (fired or resolved) to one webhook, with its attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("event IN ('fired', 'resolved')", name="event"),
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state"),
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
        Index("ix_webhook_deliveries_alert_id", "alert_id"),
        # The delivery task's queue: pending rows by due time.
        Index(
            "ix_webhook_deliveries_next_attempt_at_pending",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[BigId]
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
