"""Applying a lot layout to the database: create, or update in place, in one transaction.

Floors are matched by level, rows by (floor, name) and slots by code, so re-importing the
same file changes nothing, renaming a row moves its slots, and slots that remain keep
their history. A removed slot that has history is retired (kept, out of service);
one without history is deleted.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session, selectinload

from schemas.db.history import AuditEntry, ParkingSession, Reservation, SlotEvent
from schemas.db.layout import Floor, ParkingLot, Row, Slot
from schemas.db.tariffs import add_tariff_version
from schemas.db.tenancy import Operator
from schemas.layout import FloorSpec, LayoutError, LotLayout, SlotSpec


@dataclass
class ImportReport:
    """What an import changed; `changed` is False for a repeated import."""

    lot: str
    created: bool = False
    lot_updated: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    @property
    def changed(self) -> bool:
        return self.created or self.lot_updated or bool(self.counts)

    def summary(self) -> str:
        if not self.changed:
            return f"lot {self.lot}: unchanged"
        verb = "created" if self.created else "updated"
        details = ", ".join(f"{what} {n}" for what, n in sorted(self.counts.items()))
        return f"lot {self.lot}: {verb}" + (f" ({details})" if details else "")


def import_layout(session: Session, layout: LotLayout, *, actor: str) -> ImportReport:
    """Create or update the lot described by `layout`; the caller commits.

    Raises LayoutError when the layout refers to something that does not exist.
    """
    operator = session.scalar(select(Operator).where(Operator.code == layout.operator))
    if operator is None:
        raise LayoutError([f"operator: unknown operator {layout.operator!r}"])
    report = ImportReport(layout.code)
    lot = _lock_lot(session, layout.code)
    before = _describe(lot) if lot else None
    if lot is None:
        lot = ParkingLot(code=layout.code)
        session.add(lot)
        report.created = True
    # Opening hours omitted: the lot keeps its own (set by the API, say); null clears them.
    given = layout.model_fields_set & {"opening_hours"}
    hours = {"opening_hours": layout.opening_hours} if given else {}
    report.lot_updated = (
        _assign(
            lot,
            operator_id=operator.id,
            name=layout.name,
            address=layout.address,
            latitude=layout.location.lat,
            longitude=layout.location.lon,
            timezone=layout.timezone,
            **hours,
        )
        and not report.created
    )
    session.flush()
    _LayoutApplier(session, lot, report).apply(layout)
    # A different tariff than the newest is the lot's next version (a new lot's first).
    added = layout.tariff is not None and add_tariff_version(session, lot.id, layout.tariff)
    if added and not report.created:
        report.count("tariff versions added")
    if report.changed:
        session.add(
            AuditEntry(
                actor=actor,
                action="lot.layout_import",
                entity_type="parking_lot",
                entity_id=lot.code,
                operator_id=operator.id,
                before=before,
                after={**_describe(lot), "changes": report.counts},
            )
        )
    session.flush()
    return report


def _lock_lot(session: Session, code: str) -> ParkingLot | None:
    """The lot with its layout loaded, locked against a concurrent import."""
    query = (
        select(ParkingLot)
        .where(ParkingLot.code == code)
        .options(selectinload(ParkingLot.floors).selectinload(Floor.rows))
        .with_for_update()
    )
    return session.scalar(query)


@dataclass
class _LayoutApplier:
    session: Session
    lot: ParkingLot
    report: ImportReport

    def apply(self, layout: LotLayout) -> None:
        floors = {floor.level: floor for floor in self.lot.floors}
        # Every slot of the lot, retired ones included, so a re-added code is restored.
        slots = {
            slot.code: slot
            for slot in self.session.scalars(select(Slot).where(Slot.lot_id == self.lot.id))
        }
        kept_rows: set[int] = set()
        for floor_spec in layout.floors:
            floor = self._floor(floors.pop(floor_spec.level, None), floor_spec)
            rows = {row.name: row for row in floor.rows}
            for position, row_spec in enumerate(floor_spec.rows):
                row = self._row(floor, rows.get(row_spec.name), row_spec.name, position)
                kept_rows.add(row.id)
                for slot_position, slot_spec in enumerate(row_spec.slots):
                    self._slot(row, slots.pop(slot_spec.code, None), slot_spec, slot_position)
        self._remove_slots(list(slots.values()))
        self._remove_rows(kept_rows)
        for floor in floors.values():
            self.lot.floors.remove(floor)
            self.report.count("floors removed")
        self.session.flush()

    def _floor(self, floor: Floor | None, spec: FloorSpec) -> Floor:
        if floor is None:
            floor = Floor(level=spec.level, name=spec.name)
            self.lot.floors.append(floor)
            self.report.count("floors added")
        elif _assign(floor, name=spec.name):
            self.report.count("floors renamed")
        return floor

    def _row(self, floor: Floor, row: Row | None, name: str, position: int) -> Row:
        if row is None:
            row = Row(name=name, position=position, lot_id=self.lot.id)
            floor.rows.append(row)
            self.session.flush()  # the new row's id is needed by its slots
            self.report.count("rows added")
        elif _assign(row, position=position):
            self.report.count("rows reordered")
        return row

    def _slot(self, row: Row, slot: Slot | None, spec: SlotSpec, position: int) -> None:
        if slot is None:
            self.session.add(
                Slot(
                    lot_id=self.lot.id,
                    row_id=row.id,
                    code=spec.code,
                    kind=spec.kind,
                    position=position,
                )
            )
            self.report.count("slots added")
            return
        if slot.retired_at is not None:
            slot.retired_at = None
            self.report.count("slots restored")
        if _assign(slot, row_id=row.id, kind=spec.kind, position=position):
            self.report.count("slots updated")

    def _remove_slots(self, slots: list[Slot]) -> None:
        """Retire removed slots that have history; delete the others."""
        active = [slot for slot in slots if slot.retired_at is None]
        if not active:
            return
        with_history = _slots_with_history(self.session, [slot.id for slot in active])
        now = datetime.now(UTC)
        for slot in active:
            if slot.id in with_history:
                slot.retired_at, slot.row_id = now, None
                self.report.count("slots retired")
            else:
                self.session.delete(slot)
                self.report.count("slots removed")
        self.session.flush()

    def _remove_rows(self, kept: set[int]) -> None:
        for floor in self.lot.floors:
            for row in [row for row in floor.rows if row.id not in kept]:
                floor.rows.remove(row)
                self.report.count("rows removed")
        self.session.flush()


def _slots_with_history(session: Session, slot_ids: list[int]) -> set[int]:
    referencing = [
        select(model.slot_id).where(model.slot_id.in_(slot_ids))
        for model in (SlotEvent, ParkingSession, Reservation)
    ]
    return set(session.scalars(select(union(*referencing).subquery().c[0])))


def _assign(obj: object, **values: Any) -> bool:
    """Set only the attributes that differ, so an unchanged import writes nothing."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _describe(lot: ParkingLot) -> dict[str, Any]:
    return {
        "code": lot.code,
        "name": lot.name,
        "address": lot.address,
        "location": {"lat": lot.latitude, "lon": lot.longitude},
        "timezone": lot.timezone,
        "opening_hours": lot.opening_hours,
        "floors": len(lot.floors),
    }
