"""A lot's availability document from per-row status counts: the one assembly for the API's
resource and ingest's retained `parking/v1/lots/{lot}/availability` (pure).

Both read the same row shape, `(level, floor name, row name, kind, status, n)` for every row
of the lot in floor and row order, with `kind` and `status` None for a row without slots (it
still appears, with zero counts), and evaluate the lot's opening hours at the same instant
(`schemas/opening_hours.py`), so the two documents agree for the same slots.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from schemas.enums import SlotKind, SlotStatus
from schemas.messages import Availability, FloorAvailability, KindCounts, RowAvailability
from schemas.opening_hours import ALWAYS_OPEN, OpenState

_STATUSES = tuple(status.value for status in SlotStatus)


def _counts(statuses: Mapping[str, int]) -> dict[str, int]:
    out = {status: statuses.get(status, 0) for status in _STATUSES}
    out["total"] = sum(out.values())
    return out


def kind_counts(kinds: Mapping[str, Sequence[int]]) -> dict[SlotKind, KindCounts]:
    """Free/total per kind present (kind -> [free, total]), in SlotKind order (same bytes
    for the same counts); the API's `/lots` reads its per-kind counts through it too."""
    return {
        kind: KindCounts(free=kinds[kind.value][0], total=kinds[kind.value][1])
        for kind in SlotKind
        if kind.value in kinds
    }


def build_availability(
    code: str, rows: Iterable[Any], updated_at: datetime, hours: OpenState = ALWAYS_OPEN
) -> Availability:
    """Assemble the document of lot `code` from its per-row counts and its open state."""
    floors: dict[int, tuple[str, dict[str, dict[str, int]]]] = {}
    kinds: dict[str, list[int]] = {}  # kind -> [free, total]
    for level, floor_name, row_name, kind, status, n in rows:
        _, floor_rows = floors.setdefault(level, (floor_name, {}))
        row_counts = floor_rows.setdefault(row_name, {})
        if status is not None:
            row_counts[status] = row_counts.get(status, 0) + n
            free_total = kinds.setdefault(kind, [0, 0])
            free_total[0] += n if status == SlotStatus.FREE else 0
            free_total[1] += n
    floor_docs = []
    lot_totals: dict[str, int] = {}
    for level, (floor_name, floor_rows) in floors.items():
        floor_totals: dict[str, int] = {}
        row_docs = []
        for row_name, statuses in floor_rows.items():
            row_docs.append(RowAvailability(name=row_name, **_counts(statuses)))
            for status, n in statuses.items():
                floor_totals[status] = floor_totals.get(status, 0) + n
        floor_docs.append(
            FloorAvailability(level=level, name=floor_name, rows=row_docs, **_counts(floor_totals))
        )
        for status, n in floor_totals.items():
            lot_totals[status] = lot_totals.get(status, 0) + n
    return Availability(
        lot_id=code,
        updated_at=updated_at,
        open=hours.open,
        next_change=hours.next_change,
        kinds=kind_counts(kinds),
        floors=floor_docs,
        **_counts(lot_totals),
    )
