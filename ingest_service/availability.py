"""A lot's availability counts by floor and row, from the slots' effective status."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ingest_service.db import Connection
from schemas.enums import SlotStatus
from schemas.messages import Availability, FloorAvailability, RowAvailability

# Retired slots are out of service and count nowhere.
_COUNTS = """
    SELECT f.level, f.name, r.position, r.name, s.status, count(*)
    FROM slots s JOIN rows r ON r.id = s.row_id JOIN floors f ON f.id = r.floor_id
    WHERE s.lot_id = %s AND s.retired_at IS NULL
    GROUP BY f.level, f.name, r.position, r.name, s.status
    ORDER BY f.level, r.position, r.name
"""


def _counts(counter: Mapping[str, int]) -> dict[str, int]:
    counts = {status.value: counter.get(status.value, 0) for status in SlotStatus}
    return {"total": sum(counts.values()), **counts}


def lot_availability(conn: Connection, lot_id: int, lot_code: str, now: datetime) -> Availability:
    """The same counts as the API's availability resource."""
    floors: dict[tuple[int, str], dict[str, Counter[str]]] = defaultdict(dict)
    for level, floor_name, _position, row_name, status, n in conn.execute(
        _COUNTS, (lot_id,)
    ).fetchall():
        floors[(level, floor_name)].setdefault(row_name, Counter())[status] += n
    floor_models = []
    lot_total: Counter[str] = Counter()
    for (level, floor_name), rows in floors.items():
        floor_total: Counter[str] = Counter()
        for counter in rows.values():
            floor_total.update(counter)
        lot_total.update(floor_total)
        row_models = [RowAvailability(name=name, **_counts(c)) for name, c in rows.items()]
        floor_models.append(
            FloorAvailability(level=level, name=floor_name, rows=row_models, **_counts(floor_total))
        )
    return Availability(lot_id=lot_code, updated_at=now, floors=floor_models, **_counts(lot_total))


def comparable(availability: Availability) -> dict[str, Any]:
    """The counts without the timestamp: equal when nothing a driver sees has changed."""
    return availability.model_dump(mode="json", exclude={"updated_at"})
