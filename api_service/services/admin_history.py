"""History queries for staff: slot events, the audit log and dead letters, tenant-scoped.

Events are paged by (tx_id, id) over rows whose inserting transaction is older than every
transaction still running (`pg_snapshot_xmin`): a row committed late can then never land
behind a cursor already handed out, so a reader sees every row exactly once. The newest
rows show up once the transactions that could precede them have finished.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, Select, literal_column, select, tuple_
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.services import pagination
from schemas.db import AuditEntry, DeadLetter, Node, ParkingLot, Slot, SlotEvent

_SNAPSHOT_XMIN: Final[ColumnElement[int]] = literal_column(
    "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
)


@dataclass(frozen=True, slots=True)
class EventFilter:
    lot_id: int | None = None
    slot_code: str | None = None
    node_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _tenant_lots(tenant: Tenant) -> Select[Any] | None:
    if tenant.scope is None:
        return None
    return select(ParkingLot.id).where(ParkingLot.operator_id == tenant.scope)


def list_events(
    session: Session,
    tenant: Tenant,
    where: EventFilter,
    after: tuple[int, int],
    limit: int,
    *,
    newest_first: bool = False,
) -> tuple[list[Any], tuple[int, int]]:
    """One page of events and the cursor to continue from: in arrival order after `after`, or
    (`newest_first`, for people) the newest before `after`, where (-1, -1) means no bound."""
    key = tuple_(SlotEvent.tx_id, SlotEvent.id)
    query = (
        select(SlotEvent, ParkingLot.code.label("lot_code"), Slot.code.label("slot_code"))
        .join(ParkingLot, ParkingLot.id == SlotEvent.lot_id)
        .join(Slot, Slot.id == SlotEvent.slot_id)
        .where(SlotEvent.tx_id < _SNAPSHOT_XMIN)
    )
    if not newest_first:
        query = query.where(key > tuple_(after[0], after[1]))
    elif after != pagination.NO_PAIR:
        query = query.where(key < tuple_(after[0], after[1]))
    conditions: list[ColumnElement[bool]] = []
    if (lots := _tenant_lots(tenant)) is not None:
        conditions.append(SlotEvent.lot_id.in_(lots))
    if where.lot_id is not None:
        conditions.append(SlotEvent.lot_id == where.lot_id)
    if where.slot_code is not None:
        conditions.append(Slot.code == where.slot_code)
    if where.node_id is not None:
        conditions.append(SlotEvent.node_id == where.node_id)
    if where.since is not None:
        conditions.append(SlotEvent.observed_at >= where.since)
    if where.until is not None:
        conditions.append(SlotEvent.observed_at < where.until)
    order_newest_first = (SlotEvent.tx_id.desc(), SlotEvent.id.desc())
    rows = list(
        session.execute(
            query.where(*conditions)
            .order_by(*order_newest_first if newest_first else (SlotEvent.tx_id, SlotEvent.id))
            .limit(limit)
        )
    )
    last = (rows[-1][0].tx_id, rows[-1][0].id) if rows else after
    return rows, last


Window = tuple[datetime | None, datetime | None]
M = TypeVar("M", AuditEntry, DeadLetter)


def _newest_first(
    session: Session,
    query: Select[M],
    model: type[M],
    seen: tuple[Any, Any],
    filters: dict[str, Any],
    *,
    window: Window,
    before: int | None,
    limit: int,
) -> list[M]:
    """One page of a log, newest id first: equality filters, ids below `before`, and rows
    whose `seen` span (first, last) meets the window."""
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    (first, last), (since, until) = seen, window
    if since is not None:
        query = query.where(last >= since)
    if until is not None:
        query = query.where(first < until)
    return list(session.scalars(pagination.keyset(query, model.id, before, limit, descending=True)))


def list_audit(
    session: Session,
    tenant: Tenant,
    filters: dict[str, Any],
    *,
    window: Window,
    before: int | None,
    limit: int,
) -> list[AuditEntry]:
    """Audit entries, newest first, ids below `before`; operators see their operator's."""
    query = select(AuditEntry)
    if tenant.scope is not None:
        query = query.where(AuditEntry.operator_id == tenant.scope)
    return _newest_first(
        session, query, AuditEntry, (AuditEntry.at, AuditEntry.at), filters,
        window=window, before=before, limit=limit,
    )  # fmt: skip


def list_dead_letters(
    session: Session,
    tenant: Tenant,
    filters: dict[str, Any],
    *,
    window: Window,
    before: int | None,
    limit: int,
) -> list[DeadLetter]:
    """Dead letters by first arrival, newest first, whose first-to-last sighting meets the
    window; operators see those of their own lots' nodes.

    A repeat only updates its row: the id, so the order and any cursor, stays put.
    """
    query = select(DeadLetter)
    if tenant.scope is not None:
        own_nodes = (
            select(Node.id)
            .join(ParkingLot, ParkingLot.id == Node.lot_id)
            .where(ParkingLot.operator_id == tenant.scope)
        )
        query = query.where(DeadLetter.node_id.in_(own_nodes))
    return _newest_first(
        session, query, DeadLetter, (DeadLetter.received_at, DeadLetter.last_seen_at), filters,
        window=window, before=before, limit=limit,
    )  # fmt: skip
