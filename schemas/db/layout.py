"""A lot's physical layout: lots → floors → rows → slots, and each slot's live state.

Rows and slots repeat their lot's id and reference their parent through (id, lot_id)
composite keys, so a slot can never sit in a row of another lot.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schemas.db.base import Base, BigId, Code, CreatedAt, UpdatedAt, enum_column
from schemas.enums import DetectedStatus, OverrideStatus, SlotKind, SlotStatus, StatusSource


class ParkingLot(Base):
    """A parking location run by one operator (the seed's ParkingLotDetails)."""

    __tablename__ = "parking_lots"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        # Bounding-box prefilter for "lots near a point".
        Index("ix_parking_lots_latitude_longitude", "latitude", "longitude"),
        Index("ix_parking_lots_operator_id", "operator_id"),
    )

    id: Mapped[BigId]
    code: Mapped[Code] = mapped_column(unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    timezone: Mapped[str] = mapped_column(String(64))
    # OSM opening_hours expression, evaluated in `timezone` (schemas/opening_hours.py);
    # NULL: always open.
    opening_hours: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    floors: Mapped[list["Floor"]] = relationship(
        back_populates="lot", order_by="Floor.level", cascade="all, delete-orphan"
    )


class Floor(Base):
    __tablename__ = "floors"
    __table_args__ = (
        UniqueConstraint("lot_id", "level"),
        UniqueConstraint("id", "lot_id"),
        CheckConstraint("level BETWEEN -20 AND 200", name="level_range"),
    )

    id: Mapped[BigId]
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(64))

    lot: Mapped[ParkingLot] = relationship(back_populates="floors")
    rows: Mapped[list["Row"]] = relationship(
        back_populates="floor", order_by="Row.position", cascade="all, delete-orphan"
    )


class Row(Base):
    __tablename__ = "rows"
    __table_args__ = (
        ForeignKeyConstraint(
            ["floor_id", "lot_id"], ["floors.id", "floors.lot_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("floor_id", "name"),
        UniqueConstraint("id", "lot_id"),
        Index("ix_rows_lot_id", "lot_id"),
    )

    id: Mapped[BigId]
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id", ondelete="CASCADE"))
    floor_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    floor: Mapped[Floor] = relationship(back_populates="rows")
    # passive_deletes="all": never null out slots' keys behind our back; a row is deleted
    # only once it is empty, and the foreign key refuses it otherwise.
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="row", order_by="Slot.position", passive_deletes="all"
    )


class Slot(Base):
    """One parking bay: its place in the layout, what the camera saw, and what drivers see.

    `status` is the effective status, derived from (in precedence order) an admin
    closure, an active override, an active reservation, node liveness and detection.
    """

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("lot_id", "code"),
        # MATCH SIMPLE: a retired slot may lose its row (row_id NULL) and keep its history.
        ForeignKeyConstraint(["row_id", "lot_id"], ["rows.id", "rows.lot_id"]),
        CheckConstraint("retired_at IS NOT NULL OR row_id IS NOT NULL", name="active_has_row"),
        CheckConstraint(
            "detected_confidence IS NULL OR detected_confidence BETWEEN 0 AND 1",
            name="confidence_range",
        ),
        CheckConstraint(
            "(override_status IS NULL) = (override_set_at IS NULL)", name="override_complete"
        ),
        CheckConstraint("(closed_at IS NULL) OR (closed_reason IS NOT NULL)", name="closed_why"),
        Index("ix_slots_lot_id_status", "lot_id", "status"),
        # Lots with a bay of a kind (`GET /lots?kind=ev`): the few special bays only, so
        # the standard majority (and ingest's status writes to it) never touches it.
        Index(
            "ix_slots_kind_lot_id",
            "kind",
            "lot_id",
            postgresql_where=text("kind <> 'standard' AND retired_at IS NULL"),
        ),
        Index("ix_slots_row_id", "row_id"),
        # A dead node's slots turn unknown: find them by the node whose detection they show.
        Index("ix_slots_detected_node_id", "detected_node_id"),
    )

    id: Mapped[BigId]
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    row_id: Mapped[int | None]
    code: Mapped[Code]
    kind: Mapped[SlotKind] = mapped_column(enum_column(SlotKind, "kind"), default=SlotKind.STANDARD)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    # Detection: the newest event by (observed_at, seq) wins.
    detected_status: Mapped[DetectedStatus] = mapped_column(
        enum_column(DetectedStatus, "detected_status"),
        default=DetectedStatus.UNKNOWN,
        server_default=DetectedStatus.UNKNOWN.value,
    )
    detected_at: Mapped[datetime | None]
    detected_seq: Mapped[int | None]
    detected_confidence: Mapped[float | None] = mapped_column(Double)
    detected_event_id: Mapped[UUID | None]
    detected_node_id: Mapped[str | None] = mapped_column(String(64))
    last_confirmed_at: Mapped[datetime | None]

    # Manual override of a wrong detection, optionally until a deadline.
    override_status: Mapped[OverrideStatus | None] = mapped_column(
        enum_column(OverrideStatus, "override_status")
    )
    override_until: Mapped[datetime | None]
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_set_at: Mapped[datetime | None]
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Administrative closure (maintenance, event use): beats everything.
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(Text)

    # Effective status and where it came from, kept current by ingest and the API.
    status: Mapped[SlotStatus] = mapped_column(
        enum_column(SlotStatus, "status"),
        default=SlotStatus.UNKNOWN,
        server_default=SlotStatus.UNKNOWN.value,
    )
    status_source: Mapped[StatusSource] = mapped_column(
        enum_column(StatusSource, "status_source"),
        default=StatusSource.DETECTED,
        server_default=StatusSource.DETECTED.value,
    )
    status_since: Mapped[CreatedAt]
    # Raised on every change of the effective status; the read-side publisher compares it
    # with published_slot_states.version, so a change is published even after a crash.
    state_version: Mapped[int] = mapped_column(default=0, server_default="0")

    retired_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    row: Mapped[Row | None] = relationship(back_populates="slots")


class PublishedSlotState(Base):
    """Which `state_version` of a slot the ingest service last published (retained topic)."""

    __tablename__ = "published_slot_states"

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int]
    published_at: Mapped[datetime]


class PublishedAvailability(Base):
    """The availability counts last published on a lot's retained topic."""

    __tablename__ = "published_availability"

    lot_id: Mapped[int] = mapped_column(
        ForeignKey("parking_lots.id", ondelete="CASCADE"), primary_key=True
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime]
