"""Lots: the radius search with free/total (per kind) per lot and its filters, one lot's
detail, and the rule that a lot closed by its opening hours offers nothing.

Opening hours are evaluated in Python (`schemas/opening_hours.py`): the filters that depend
on them (`open_now`, `available`) first evaluate the lots with hours in the search box, then
exclude (or keep) the closed ones in SQL, so a page is still the nearest `limit` matches.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Double,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from api_service.geo import EARTH_RADIUS_M, bounding_box
from api_service.services.errors import ConflictError
from api_service.services.status import LotIds, facts_join, lot_match, with_facts
from schemas.availability import kind_counts
from schemas.db import Floor, Operator, ParkingLot, Row, Slot
from schemas.enums import SlotKind, SlotStatus
from schemas.messages import KindCounts, format_utc
from schemas.opening_hours import OpenState, lot_open_state


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


def distance_sql(point: Point) -> ColumnElement[float]:
    """Haversine distance in metres from `point` to each lot, in SQL."""
    lat, lon = func.radians(ParkingLot.latitude), func.radians(ParkingLot.longitude)
    plat = func.radians(literal(point.lat, Double))
    plon = func.radians(literal(point.lon, Double))
    # Float literals: an integer divisor would make PostgreSQL compute in NUMERIC.
    half, two = literal(0.5, Double), literal(2.0, Double)
    a = func.power(func.sin((lat - plat) * half), two) + func.cos(plat) * func.cos(
        lat
    ) * func.power(func.sin((lon - plon) * half), two)
    diameter = literal(2 * EARTH_RADIUS_M, Double)
    return diameter * func.asin(func.sqrt(func.least(literal(1.0, Double), a)))


def _in_box(point: Point, radius_m: float) -> ColumnElement[bool]:
    box = bounding_box(point.lat, point.lon, radius_m)
    lon_ok = or_(*(ParkingLot.longitude.between(w, e) for w, e in box.lon_ranges))
    return and_(ParkingLot.latitude.between(box.lat_min, box.lat_max), lon_ok)


def slot_counts(now: datetime, lot_ids: LotIds) -> Any:
    """Per lot: slots in service, how many are free at `now`, and both per kind
    (`kinds`: a JSON object kind -> [free, total])."""
    join = facts_join(now, lot_ids)
    status = join.status(now)
    per_kind = select(
        Slot.lot_id.label("lot_id"),
        Slot.kind.label("kind"),
        func.count().label("total"),
        func.count().filter(status == SlotStatus.FREE.value).label("free"),
    )
    per_kind = with_facts(per_kind, join).where(lot_match(Slot.lot_id, lot_ids))
    by_kind = per_kind.group_by(Slot.lot_id, Slot.kind).subquery("by_kind")
    query = select(
        by_kind.c.lot_id,
        cast(func.sum(by_kind.c.total), BigInteger).label("total"),
        cast(func.sum(by_kind.c.free), BigInteger).label("free"),
        func.jsonb_object_agg(
            by_kind.c.kind, func.jsonb_build_array(by_kind.c.free, by_kind.c.total)
        ).label("kinds"),
    ).group_by(by_kind.c.lot_id)
    # Computed once, not rescanned per lot by a nested loop planned on missing statistics.
    return query.cte("counts").prefix_with("MATERIALIZED")


@dataclass(frozen=True, slots=True)
class LotFilters:
    """`available`: open now with a free slot (of `kind`, if given); `open_now`: open (True)
    or closed (False) by the opening hours; `kind`: having a slot of that kind."""

    available: bool = False
    open_now: bool | None = None
    kind: SlotKind | None = None


@dataclass(frozen=True, slots=True)
class FoundLot:
    """One search result: the lot row with its counts, open state and per-kind counts."""

    row: Any
    hours: OpenState
    kinds: dict[SlotKind, KindCounts]


def search_lots(
    session: Session,
    now: datetime,
    *,
    point: Point | None,
    radius_m: float,
    filters: LotFilters,
    limit: int,
) -> list[FoundLot]:
    """Lots within `radius_m` of `point` nearest first (or all lots by code), with counts."""
    hours = None
    if filters.available or filters.open_now is not None:
        hours = _hours_in_range(session, now, point, radius_m)
    # Only the page's lots are counted; with `available` they are the nearest with a free slot.
    near = _near(point, radius_m, limit, now=now, filters=filters, hours=hours)
    counts = slot_counts(now, select(near.c.lot_id))
    query = (
        select(
            ParkingLot.code, ParkingLot.name, ParkingLot.address, ParkingLot.latitude,
            ParkingLot.longitude, ParkingLot.timezone, ParkingLot.opening_hours,
            Operator.code.label("operator"), near.c.distance_m,
            func.coalesce(counts.c.total, 0).label("total"),
            func.coalesce(counts.c.free, 0).label("free"),
            counts.c.kinds,
        )
        .join(near, near.c.lot_id == ParkingLot.id)
        .join(Operator, Operator.id == ParkingLot.operator_id)
        .outerjoin(counts, counts.c.lot_id == ParkingLot.id)
    )  # fmt: skip
    order = [near.c.distance_m, ParkingLot.code] if point is not None else [ParkingLot.code]
    rows = session.execute(query.order_by(*order).limit(limit))
    return [FoundLot(row, lot_open_state(row, now), kind_counts(row.kinds or {})) for row in rows]


def _hours_in_range(
    session: Session, now: datetime, point: Point | None, radius_m: float
) -> dict[int, OpenState]:
    """The open state at `now` of every lot with opening hours in the search box."""
    query = select(
        ParkingLot.id, ParkingLot.opening_hours, ParkingLot.timezone, ParkingLot.latitude,
        ParkingLot.longitude,
    ).where(ParkingLot.opening_hours.is_not(None))  # fmt: skip
    if point is not None:
        query = query.where(_in_box(point, radius_m))
    return {row.id: lot_open_state(row, now) for row in session.execute(query)}


def _near(
    point: Point | None,
    radius_m: float,
    first: int,
    *,
    now: datetime,
    filters: LotFilters,
    hours: dict[int, OpenState] | None,
) -> CTE:
    """(lot_id, distance_m) of the `first` lots in range that pass `filters`; `hours` is
    the open state of the lots in range that have opening hours (needed by `available`
    and `open_now`).

    MATERIALIZED: otherwise, before statistics exist, PostgreSQL may re-evaluate the
    distance for every slot row it joins.
    """
    if point is None:
        distance: ColumnElement[Any] = cast(None, Double)
        query = select(ParkingLot.id.label("lot_id"), distance.label("distance_m"))
    else:
        distance = distance_sql(point)
        query = select(ParkingLot.id.label("lot_id"), distance.label("distance_m")).where(
            _in_box(point, radius_m), distance <= radius_m
        )
    if hours is not None:
        closed = sorted(lot_id for lot_id, state in hours.items() if not state.open)
        if filters.open_now is False:
            query = query.where(ParkingLot.id.in_(closed))
        elif closed:  # `available` or open_now=true: a closed lot offers nothing
            query = query.where(ParkingLot.id.not_in(closed))
    if filters.available:
        # EXISTS in distance order stops at the first free slot of each lot, and at
        # `first` lots: far cheaper than counting every lot in range.
        query = query.where(_has_slot(now, filters.kind, free=True))
    elif filters.kind is not None:
        query = query.where(_has_slot(now, filters.kind, free=False))
    query = query.order_by(distance, ParkingLot.code).limit(first)
    return query.cte("near").prefix_with("MATERIALIZED")


def _has_slot(now: datetime, kind: SlotKind | None, *, free: bool) -> ColumnElement[bool]:
    """The lot has a slot in service (free at `now`, if `free`) of `kind` (any, if None)."""
    if not free:
        assert kind is not None  # noqa: S101 - "any slot" is no filter
        probe = select(literal(1)).where(
            Slot.lot_id == ParkingLot.id, Slot.kind == kind, Slot.retired_at.is_(None)
        )
        return exists(probe)
    join = facts_join(now, None)
    probe = with_facts(select(literal(1)), join).where(
        Slot.lot_id == ParkingLot.id, join.status(now) == SlotStatus.FREE
    )
    return exists(probe if kind is None else probe.where(Slot.kind == kind))


def refuse_if_closed(session: Session, lot_id: int, now: datetime) -> None:
    """409 `lot-closed` when the lot's opening hours say it is closed at `now`: its free
    slots are not on offer (no reservation, no check-in)."""
    lot = session.get_one(ParkingLot, lot_id)
    state = lot_open_state(lot, now)
    if state.open:
        return
    until = f" until {format_utc(state.next_change)}" if state.next_change else ""
    raise ConflictError(
        "lot-closed",
        f"lot {lot.code} is closed now by its opening hours ({lot.opening_hours!r}){until}",
    )


def find_lot(session: Session, code: str) -> Any:
    """The lot with operator code, or None."""
    query = (
        select(ParkingLot, Operator.code.label("operator"))
        .join(Operator, Operator.id == ParkingLot.operator_id)
        .where(ParkingLot.code == code)
    )
    return session.execute(query).one_or_none()


def lot_floors(session: Session, lot_id: int) -> list[tuple[int, str, list[str]]]:
    """(level, name, row names) for each floor in layout order."""
    query = (
        select(Floor.level, Floor.name, Row.name.label("row_name"))
        .outerjoin(Row, Row.floor_id == Floor.id)
        .where(Floor.lot_id == lot_id)
        .order_by(Floor.level, Row.position, Row.name)
    )
    floors: dict[int, tuple[int, str, list[str]]] = {}
    for level, name, row_name in session.execute(query):
        floor = floors.setdefault(level, (level, name, []))
        if row_name is not None:
            floor[2].append(row_name)
    return list(floors.values())
