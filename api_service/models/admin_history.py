"""History for staff: slot events, occupancy statistics, the audit log, dead letters."""

import math
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field

from api_service.errors import FieldError
from api_service.models.common import Cursor, Limit, Out, Query
from schemas.enums import DetectedStatus
from schemas.ids import Identifier
from schemas.messages import UtcDatetime

EventCursor = Annotated[
    str, Field(pattern=r"^[0-9]{1,19}\.[0-9]{1,19}$", description="Opaque page cursor.")
]
BUCKETS: Final = {"5m": 300, "15m": 900, "1h": 3600, "6h": 21_600, "1d": 86_400}
MAX_BUCKETS: Final = 2000


class _Window(Query):
    since: UtcDatetime | None = Field(default=None, description="From this instant (inclusive).")
    until: UtcDatetime | None = Field(default=None, description="Before this instant.")

    def problems(self) -> list[FieldError]:
        """`until` after `since`."""
        if self.since is not None and self.until is not None and self.until <= self.since:
            return [FieldError("until", "must be after since")]
        return []


class EventQuery(_Window):
    lot_id: Identifier | None = Field(default=None, description="Lot code.")
    slot_id: Identifier | None = Field(default=None, description="Slot code (needs lot_id).")
    node_id: Identifier | None = Field(default=None, description="Reporting node.")
    order: Literal["arrival", "newest"] = Field(
        default="arrival",
        description="`arrival`: oldest first; `next_cursor` continues after the last row, also "
        "once newer rows arrive, so a reader sees every row exactly once. `newest`: newest "
        "first, for people; `next_cursor` continues with older rows and is null after the "
        "oldest.",
    )
    cursor: EventCursor | None = None
    limit: Limit = 50

    def problems(self) -> list[FieldError]:
        """Window order, and a slot only within a lot."""
        problems = super().problems()
        if self.slot_id is not None and self.lot_id is None:
            problems.append(FieldError("slot_id", "needs lot_id (slot codes are per lot)"))
        return problems


class EventView(Out):
    event_id: str
    lot_id: Identifier
    slot_id: Identifier
    node_id: str
    status: DetectedStatus
    confidence: float | None
    observed_at: UtcDatetime
    seq: int
    detector: str | None
    origin: str = Field(description="`event`, or `birth` (from a node's birth snapshot).")
    received_at: UtcDatetime


class EventPage(Out):
    items: list[EventView]
    next_cursor: EventCursor | None = Field(
        description="Pass as `cursor` (with the same `order`) to continue. Arrival order: "
        "rows committed later appear after it. Newest first: older rows; null after the oldest."
    )


class AuditQuery(_Window):
    entity_type: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    entity_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    action: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    cursor: Cursor | None = None
    limit: Limit = 50


class AuditView(Out):
    id: int
    at: UtcDatetime
    actor: str
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Out):
    items: list[AuditView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older entries.")


class DeadLetterQuery(_Window):
    since: UtcDatetime | None = Field(
        default=None, description="Last seen at or after this instant."
    )
    until: UtcDatetime | None = Field(default=None, description="First received before this.")
    reason: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    node_id: Identifier | None = None
    cursor: Cursor | None = None
    limit: Limit = 50


class DeadLetterView(Out):
    """One refused message; its repeats (same topic, reason and stored bytes) only count."""

    id: int
    received_at: UtcDatetime = Field(description="First arrival; the list is in this order.")
    last_seen_at: UtcDatetime = Field(description="Latest arrival.")
    occurrences: int = Field(ge=1, description="Deliveries refused, redeliveries included.")
    topic: str
    reason: str
    detail: str = Field(description="As of the first arrival.")
    node_id: str | None
    payload_base64: str = Field(description="The raw payload, byte for byte.")
    payload_size: int


class DeadLetterPage(Out):
    items: list[DeadLetterView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older entries.")


class OccupancyQuery(Query):
    lot_id: Identifier = Field(description="Lot code.")
    from_: UtcDatetime = Field(alias="from", description="Start of the window.")
    to: UtcDatetime = Field(description="End of the window (exclusive).")
    bucket: Literal["5m", "15m", "1h", "6h", "1d"] = Field(default="1h")
    by: Literal["lot", "floor"] = Field(default="lot", description="One series, or per floor.")

    def problems(self) -> list[FieldError]:
        """A non-empty window of at most MAX_BUCKETS buckets, the last one ending in range."""
        if self.to <= self.from_:
            return [FieldError("to", "must be after from")]
        step = timedelta(seconds=BUCKETS[self.bucket])
        count = (self.to - self.from_) / step
        if count > MAX_BUCKETS:
            return [FieldError("bucket", f"{count:.0f} buckets; at most {MAX_BUCKETS}")]
        if buckets_end(self.from_, self.to, step) is None:
            return [FieldError("to", "the last bucket would end after year 9999")]
        return []


def buckets_end(start: datetime, end: datetime, step: timedelta) -> datetime | None:
    """Where the last of the buckets covering [start, end) ends; None past year 9999 (pure)."""
    try:
        return start + math.ceil((end - start) / step) * step
    except OverflowError:
        return None


class Bucket(Out):
    start: UtcDatetime
    occupancy: float | None = Field(
        ge=0,
        le=1,
        description="Occupied share of slot time; null for a bucket that ended before the lot's "
        "first slot event or session (no data: unknown, not 0).",
    )
    occupied_s: float = Field(ge=0, description="Occupied slot-seconds in the bucket.")
    sessions_started: int = Field(ge=0)


class Series(Out):
    floor: int | None = Field(description="Floor level; null for the whole lot.")
    slots: int = Field(ge=0, description="Slots in service counted.")
    buckets: list[Bucket]


class Durations(Out):
    """Parking sessions that started in the window."""

    sessions: int = Field(ge=0)
    ended: int = Field(ge=0)
    mean_s: float | None
    p50_s: float | None
    p90_s: float | None
    max_s: float | None


class OccupancyStats(Out):
    model_config = ConfigDict(frozen=True, serialize_by_alias=True)

    lot_id: Identifier
    from_: UtcDatetime = Field(serialization_alias="from")
    to: UtcDatetime
    bucket_s: int
    series: list[Series]
    durations: Durations
