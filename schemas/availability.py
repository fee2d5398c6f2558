"""A lot's availability document from per-row status counts: the one assembly for the API's
resource and ingest's retained `parking/v1/lots/{lot}/availability` (pure).

Both read the same row shape, `(level, floor name, row name, status, n)` for every row of
the lot in floor and row order, with `status` None for a row without slots (it still
appears, with zero counts), so the two documents agree for the same slots.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from schemas.enums import SlotStatus
from schemas.messages import Availability, FloorAvailability, RowAvailability

_STATUSES = tuple(status.value for status in SlotStatus)


def _counts(statuses: Mapping[str, int]) -> dict[str, int]:
    out = {status: statuses.get(status, 0) for status in _STATUSES}
    out["total"] = sum(out.values())
    return out


def build_availability(code: str, rows: Iterable[Any], updated_at: datetime) -> Availability:
    """Assemble the document of lot `code` from its per-row status counts."""
    floors: dict[int, tuple[str, dict[str, dict[str, int]]]] = {}
    for level, floor_name, row_name, status, n in rows:
        _, floor_rows = floors.setdefault(level, (floor_name, {}))
        row_counts = floor_rows.setdefault(row_name, {})
        if status is not None:
            row_counts[status] = row_counts.get(status, 0) + n
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
        lot_id=code, updated_at=updated_at, floors=floor_docs, **_counts(lot_totals)
    )
