"""What happened: slot events, parking sessions, reservations, dead letters, the audit log."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base, BigId, Code, CreatedAt, enum_column
from schemas.enums import DetectedStatus, ReservationState


class SlotEvent(Base):
    """One occupancy observation as a node reported it; kept even when superseded.

    Range-partitioned by `observed_at`, one partition per UTC week (`slot_events_pYYYYMMDD`,
    the Monday it starts) plus `slot_events_default` for a row no partition covers (migration
    0011, `ingest_service/history.py`). A unique key must hold the partition key, hence the
    primary key (event_id, observed_at): a replay carries the same observed_at.
    """

    __tablename__ = "slot_events"
    __table_args__ = (
        CheckConstraint("seq >= 0", name="seq_nonnegative"),
        CheckConstraint(
            "confidence IS NULL OR confidence BETWEEN 0 AND 1", name="confidence_range"
        ),
        CheckConstraint("origin IN ('event', 'birth')", name="origin"),
        Index("ix_slot_events_slot_id_observed_at", "slot_id", "observed_at"),
        Index("ix_slot_events_lot_id_observed_at", "lot_id", "observed_at"),
        Index("ix_slot_events_node_id_seq", "node_id", "seq"),
        # Keyset pages of GET /admin/events, overall and per lot (migration 0004).
        Index("ix_slot_events_tx_id_id", "tx_id", "id"),
        Index("ix_slot_events_lot_id_tx_id_id", "lot_id", "tx_id", "id"),
        {"postgresql_partition_by": "RANGE (observed_at)"},
    )

    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    # Arrival order, for cursor pagination that new rows cannot disturb. Unique by its
    # identity sequence (a unique constraint would have to include observed_at).
    id: Mapped[int] = mapped_column(Identity(always=True))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    # No foreign key: history outlives a node's registration.
    node_id: Mapped[Code]
    status: Mapped[DetectedStatus] = mapped_column(enum_column(DetectedStatus, "status"))
    confidence: Mapped[float | None] = mapped_column(Double)
    observed_at: Mapped[datetime] = mapped_column(primary_key=True)
    seq: Mapped[int]
    detector: Mapped[str | None] = mapped_column(String(128))
    origin: Mapped[str] = mapped_column(String(8), default="event", server_default="event")
    received_at: Mapped[CreatedAt]
    # The inserting transaction's id (xid8 as a number). Identity values are handed out
    # before commit, so ids commit out of order; a page that reads only rows of
    # transactions older than every running one, ordered by (tx_id, id), can never have a
    # row appear behind its cursor later (admin events pagination, migration 0004).
    tx_id: Mapped[int] = mapped_column(server_default=text("(pg_current_xact_id()::text::bigint)"))


class ParkingSession(Base):
    """A stay in a slot: opened by an occupied transition or a driver's check-in."""

    __tablename__ = "parking_sessions"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("opened_by IN ('detection', 'driver')", name="opened_by"),
        CheckConstraint("fee_minor >= 0", name="fee_nonnegative"),
        # A fee is an amount in a currency from a tariff, or nothing at all.
        CheckConstraint(
            "(fee_minor IS NULL) = (fee_currency IS NULL)"
            " AND (fee_minor IS NULL) = (tariff_id IS NULL)",
            name="fee_complete",
        ),
        # One open session per slot: a redelivered or late event cannot open a second.
        Index(
            "uq_parking_sessions_open_slot",
            "slot_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_parking_sessions_slot_id_started_at", "slot_id", "started_at"),
        Index("ix_parking_sessions_lot_id_started_at", "lot_id", "started_at"),
        Index("ix_parking_sessions_user_id_started_at", "user_id", "started_at"),
        # Ended sessions still to be priced, per lot (schemas.db.session_fees, migration 0008).
        Index(
            "ix_parking_sessions_lot_id_started_at_unpriced",
            "lot_id",
            "started_at",
            postgresql_where=text("ended_at IS NOT NULL AND fee_minor IS NULL"),
        ),
        Index("ix_parking_sessions_tariff_id", "tariff_id"),
    )

    id: Mapped[BigId]
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[float | None] = mapped_column(
        Double,
        Computed("EXTRACT(EPOCH FROM (ended_at - started_at))::double precision", persisted=True),
    )
    start_event_id: Mapped[UUID | None] = mapped_column(unique=True)
    end_event_id: Mapped[UUID | None] = mapped_column(unique=True)
    # What the stay cost (minor units of fee_currency) under the tariff version in force at
    # its start; NULL while open or when the lot had no tariff (schemas.db.session_fees).
    fee_minor: Mapped[int | None] = mapped_column(Integer)
    fee_currency: Mapped[str | None] = mapped_column(String(3))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))


class Reservation(Base):
    """A driver's hold on one slot for a bounded time."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("expires_at > starts_at", name="expires_after_start"),
        # Two drivers can never hold the same slot at once, whatever the application does.
        ExcludeConstraint(
            ("slot_id", "="),
            (text("tstzrange(starts_at, expires_at)"), "&&"),
            name="ex_reservations_no_overlapping_active",
            using="gist",
            where=text("state = 'active'"),
        ),
        Index("ix_reservations_user_id_starts_at", "user_id", "starts_at"),
        Index("ix_reservations_slot_id_expires_at", "slot_id", "expires_at"),
        # Active holds per lot, for availability at read time (migration 0003).
        Index(
            "ix_reservations_lot_id_expires_at_active",
            "lot_id",
            "expires_at",
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: Mapped[BigId]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    state: Mapped[ReservationState] = mapped_column(
        enum_column(ReservationState, "state"), default=ReservationState.ACTIVE
    )
    starts_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]


class DeadLetter(Base):
    """A message ingest could not accept, kept byte for byte with the reason.

    One row per (topic, reason, stored payload): a message refused again (at-least-once
    redelivery, a node replaying or flooding) only counts up `occurrences` (migration 0005).
    """

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("ix_dead_letters_received_at", "received_at"),
        Index("ix_dead_letters_reason_received_at", "reason", "received_at"),
        # The same message: the ingest writer's conflict target. Hashes, not the raw topic
        # and payload: either may be 64 kB, and a B-tree entry holds about 2.7 kB.
        Index(
            "uq_dead_letters_topic_sha256_reason_payload_sha256",
            "topic_sha256",
            "reason",
            "payload_sha256",
            unique=True,
        ),
    )

    # `id`, `received_at`, `detail` and `node_id` are the first arrival's; repeats only
    # raise `occurrences` and `last_seen_at`.
    id: Mapped[BigId]
    received_at: Mapped[CreatedAt]
    topic: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    node_id: Mapped[str | None] = mapped_column(String(64))
    # Generated from the stored bytes, so every writer keys alike. decode(..., 'escape') with
    # backslashes doubled yields the topic's bytes and, unlike convert_to(), is immutable.
    topic_sha256: Mapped[bytes] = mapped_column(
        LargeBinary,
        Computed(r"sha256(decode(replace(topic, '\', '\\'), 'escape'))", persisted=True),
    )
    payload_sha256: Mapped[bytes] = mapped_column(
        LargeBinary, Computed("sha256(payload)", persisted=True)
    )
    occurrences: Mapped[int] = mapped_column(default=1, server_default="1")
    # The message as received, when `payload` keeps only its first bytes: its size and hash.
    received_bytes: Mapped[int | None]
    received_sha256: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AuditEntry(Base):
    """One administrative change: who, what, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_operator_id_at", "operator_id", "at"),
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
    )

    id: Mapped[BigId]
    at: Mapped[CreatedAt]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who acted, readable after the user is gone ("parkctl" for command-line changes).
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(200))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
