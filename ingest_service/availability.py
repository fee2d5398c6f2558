"""A lot's availability counts by floor and row, from the slots' stored effective status."""

from datetime import datetime
from typing import Any

from ingest_service.db import Connection
from schemas.availability import build_availability
from schemas.messages import Availability
from schemas.opening_hours import OpenState

# The API's row shape (schemas.availability): every row of the lot, empty ones included;
# retired slots are out of service and count nowhere.
_COUNTS = """
    SELECT f.level, f.name, r.name, s.kind, s.status, count(s.id)
    FROM floors f JOIN rows r ON r.floor_id = f.id
    LEFT JOIN slots s ON s.row_id = r.id AND s.retired_at IS NULL
    WHERE f.lot_id = %s
    GROUP BY f.level, f.name, r.id, r.name, r.position, s.kind, s.status
    ORDER BY f.level, r.position, r.name
"""


def lot_availability(
    conn: Connection, lot_id: int, lot_code: str, now: datetime, hours: OpenState
) -> Availability:
    """The same document as the API's availability resource, from the stored status, with
    the lot's open state at `now`."""
    return build_availability(lot_code, conn.execute(_COUNTS, (lot_id,)).fetchall(), now, hours)


def comparable(availability: Availability) -> dict[str, Any]:
    """The counts without the timestamp: equal when nothing a driver sees has changed."""
    return availability.model_dump(mode="json", exclude={"updated_at"})
