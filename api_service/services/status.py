"""Effective slot status at read time, in SQL and in Python, from the same stored facts.

The Python side calls `schemas.status.effective_status`; the SQL side mirrors it so counts
over many slots stay one query. A test checks both agree on random states. Node liveness:
a slot's detection comes from `slots.detected_node_id`; when that node is not `online`
(or is disabled or gone) the slot reads `unknown`, as `nodes.state` says right now.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    literal,
    not_,
    or_,
    select,
    true,
)

from schemas.db import Node, Reservation, Slot
from schemas.enums import DetectedStatus, NodeState, OverrideStatus, ReservationState, SlotStatus
from schemas.status import SlotFacts

Ts = TypeVarTuple("Ts")

LotIds: TypeAlias = int | Select[Any] | None
"""One lot id, a query selecting lot ids, or None for any lot."""


def lot_match(column: ColumnElement[int] | Any, lot_ids: LotIds) -> ColumnElement[bool]:
    """`column` is (one of) `lot_ids`."""
    if lot_ids is None:
        return true()
    return column == lot_ids if isinstance(lot_ids, int) else column.in_(lot_ids)


def active_reservations(now: datetime, lot_ids: LotIds) -> FromClause:
    """Reservations holding their slot at `now` (at most one per slot: the exclusion rule)."""
    query = select(
        Reservation.id, Reservation.slot_id, Reservation.user_id, Reservation.starts_at,
        Reservation.expires_at,
    ).where(
        lot_match(Reservation.lot_id, lot_ids),
        Reservation.state == ReservationState.ACTIVE,
        Reservation.starts_at <= now,
        Reservation.expires_at > now,
    )  # fmt: skip
    return query.subquery("active_reservation")


@dataclass(frozen=True)
class FactsJoin:
    """Slots joined to what decides their status: reservation holding them and their node."""

    reservation: FromClause
    node: FromClause
    source: FromClause

    @property
    def node_alive(self) -> ColumnElement[bool]:
        return or_(
            Slot.detected_node_id.is_(None),
            and_(self.node.c.state == NodeState.ONLINE.value, self.node.c.enabled.is_(True)),
        )

    def status(self, now: datetime) -> ColumnElement[str]:
        """The SQL twin of `schemas.status.effective_status` (status only)."""
        override_active = and_(
            Slot.override_status.is_not(None),
            or_(Slot.override_until.is_(None), Slot.override_until > now),
        )
        return case(
            (Slot.closed_at.is_not(None), literal(SlotStatus.CLOSED.value)),
            (override_active, cast(Slot.override_status, String)),
            (self.reservation.c.slot_id.is_not(None), literal(SlotStatus.RESERVED.value)),
            (not_(self.node_alive), literal(SlotStatus.UNKNOWN.value)),
            else_=cast(Slot.detected_status, String),
        )


def facts_join(now: datetime, lot_ids: LotIds) -> FactsJoin:
    """slots ⟕ active reservation ⟕ detecting node, for the lots `lot_ids` (an id or a query)."""
    reservation = active_reservations(now, lot_ids)
    node = Node.__table__.alias("detecting_node")
    source = Slot.__table__.outerjoin(reservation, reservation.c.slot_id == Slot.id).outerjoin(
        node, node.c.id == Slot.detected_node_id
    )
    return FactsJoin(reservation, node, source)


def slot_facts_columns(join: FactsJoin) -> list[Any]:
    """Columns `facts_from_row` needs."""
    return [
        Slot.detected_status, Slot.closed_at, Slot.override_status, Slot.override_until,
        join.reservation.c.expires_at.label("reserved_until"),
        join.reservation.c.starts_at.label("reserved_since"),
        join.reservation.c.user_id.label("reserved_by"),
        join.reservation.c.id.label("reservation_id"),
        join.node_alive.label("node_alive"),
    ]  # fmt: skip


def facts_from_row(row: Any) -> SlotFacts:
    """The pure-function input for one selected slot."""
    return SlotFacts(
        detected=DetectedStatus(row.detected_status),
        closed=row.closed_at is not None,
        override=OverrideStatus(row.override_status) if row.override_status else None,
        override_until=row.override_until,
        reserved_until=row.reserved_until,
        node_alive=bool(row.node_alive),
    )


def with_facts(query: Select[*Ts], join: FactsJoin) -> Select[*Ts]:
    """`query` selecting from the facts join, retired slots left out."""
    return query.select_from(join.source).where(Slot.retired_at.is_(None))
