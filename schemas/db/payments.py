"""The payment log: a driver's payments for parking sessions and the provider events applied.

Rules the database keeps whatever the application does: one idempotency key per user, one
provider reference per provider, at most one pending or succeeded payment per session (so a
session is never paid twice), positive integer amounts in an ISO-shaped currency, and
settlement times that agree with the state.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base, BigId, CreatedAt, UpdatedAt, enum_column
from schemas.payments import PaymentState

PROVIDER_LENGTH = 32
REFERENCE_LENGTH = 200


class Payment(Base):
    """One attempt to pay one parking session's fee, through one provider."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_iso4217"),
        CheckConstraint(
            "(succeeded_at IS NOT NULL) = (state IN ('succeeded', 'refunded'))",
            name="succeeded_at_when_settled",
        ),
        CheckConstraint(
            "(refunded_at IS NOT NULL) = (state = 'refunded')", name="refunded_at_when_refunded"
        ),
        # NULL references (not yet known) never collide: PostgreSQL treats NULLs as distinct.
        UniqueConstraint("provider", "provider_ref"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index(
            "uq_payments_session_id_open_or_paid",
            "session_id",
            unique=True,
            postgresql_where=text("state IN ('pending', 'succeeded')"),
        ),
        Index("ix_payments_session_id", "session_id"),
        # Staff listings per lot, newest first, and revenue per day.
        Index("ix_payments_lot_id_id", "lot_id", "id"),
        Index("ix_payments_lot_id_succeeded_at", "lot_id", "succeeded_at"),
        Index("ix_payments_lot_id_refunded_at", "lot_id", "refunded_at"),
    )

    id: Mapped[BigId]
    # Every payment pays a session; a session with payments cannot be deleted.
    session_id: Mapped[int] = mapped_column(ForeignKey("parking_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    provider: Mapped[str] = mapped_column(String(PROVIDER_LENGTH))
    provider_ref: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))
    idempotency_key: Mapped[str] = mapped_column(String(REFERENCE_LENGTH))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[PaymentState] = mapped_column(
        enum_column(PaymentState, "state"), default=PaymentState.PENDING
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    # What the driver's app does to pay, as the provider said (returned again on a retry).
    next_action: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # When the money came in and, for a refund, went back: revenue is counted on these days.
    succeeded_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class PaymentEvent(Base):
    """A provider's event, stored when applied: its id, unique per provider, refuses replays."""

    __tablename__ = "payment_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id"),
        Index("ix_payment_events_payment_id", "payment_id"),
    )

    id: Mapped[BigId]
    provider: Mapped[str] = mapped_column(String(PROVIDER_LENGTH))
    event_id: Mapped[str] = mapped_column(String(REFERENCE_LENGTH))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[CreatedAt]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
