"""Lots: the radius search with free/total per lot, one lot's detail."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
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
from api_service.services.status import LotIds, facts_join, lot_match, with_facts
from schemas.db import Floor, Operator, ParkingLot, Row, Slot
from schemas.enums import SlotStatus


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
    """Per lot: slots in service and how many are free at `now`."""
    join = facts_join(now, lot_ids)
    status = join.status(now)
    query = select(
        Slot.lot_id.label("lot_id"),
        func.count().label("total"),
        func.count().filter(status == SlotStatus.FREE.value).label("free"),
    )
    query = with_facts(query, join).where(lot_match(Slot.lot_id, lot_ids)).group_by(Slot.lot_id)
    # Computed once, not rescanned per lot by a nested loop planned on missing statistics.
    return query.cte("counts").prefix_with("MATERIALIZED")


def search_lots(
    session: Session,
    now: datetime,
    *,
    point: Point | None,
    radius_m: float,
    only_available: bool,
    limit: int,
) -> list[Any]:
    """Lots within `radius_m` of `point` nearest first (or all lots by code), with counts."""
    # Only the page's lots are counted; with `available` they are the nearest with a free slot.
    near = _near(point, radius_m, limit, now if only_available else None)
    counts = slot_counts(now, select(near.c.lot_id))
    query = (
        select(
            ParkingLot.code, ParkingLot.name, ParkingLot.address, ParkingLot.latitude,
            ParkingLot.longitude, ParkingLot.timezone, Operator.code.label("operator"),
            near.c.distance_m,
            func.coalesce(counts.c.total, 0).label("total"),
            func.coalesce(counts.c.free, 0).label("free"),
        )
        .join(near, near.c.lot_id == ParkingLot.id)
        .join(Operator, Operator.id == ParkingLot.operator_id)
        .outerjoin(counts, counts.c.lot_id == ParkingLot.id)
    )  # fmt: skip
    order = [near.c.distance_m, ParkingLot.code] if point is not None else [ParkingLot.code]
    return list(session.execute(query.order_by(*order).limit(limit)))


def _near(point: Point | None, radius_m: float, first: int, free_at: datetime | None) -> CTE:
    """(lot_id, distance_m) of the `first` lots in range (with a free slot at `free_at`).

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
    if free_at is not None:
        # EXISTS in distance order stops at the first free slot of each lot, and at
        # `first` lots: far cheaper than counting every lot in range.
        query = query.where(_has_free_slot(free_at))
    query = query.order_by(distance, ParkingLot.code).limit(first)
    return query.cte("near").prefix_with("MATERIALIZED")


def _has_free_slot(now: datetime) -> ColumnElement[bool]:
    join = facts_join(now, None)
    probe = with_facts(select(literal(1)), join)
    return exists(probe.where(Slot.lot_id == ParkingLot.id, join.status(now) == SlotStatus.FREE))


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
