"""The plain rows every open-data document is built from."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from schemas.enums import SlotKind, SlotStatus

COUNT_KEYS: Final = ("total", *(status.value for status in SlotStatus))


def full_counts(data: Mapping[str, Any]) -> dict[str, int]:
    """`total` and every status, 0 where `data` has none: the shape of `LotFacts.counts`."""
    return {key: int(data.get(key, 0)) for key in COUNT_KEYS}


@dataclass(frozen=True, slots=True)
class LotFacts:
    """One lot: place, operator and the counts of its availability document.

    `counts` has `total` and one entry per `SlotStatus`; `kinds` the same per slot kind
    when the availability document carries them; `capacity` the slots in service per kind.
    """

    code: str
    name: str
    address: str
    operator: str
    lat: float
    lon: float
    timezone: str
    updated_at: datetime  # the counts' time (the availability document's)
    layout_updated_at: datetime  # the lot's own row: place, name, layout
    counts: Mapping[str, int]
    capacity: Mapping[str, int] = field(default_factory=dict)
    kinds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    opening_hours: str | None = None
    open_now: bool | None = None


@dataclass(frozen=True, slots=True)
class SpotFacts:
    """One slot of a lot with its effective status now."""

    lot_code: str
    code: str
    lat: float  # the lot's point: slots have no coordinates of their own
    lon: float
    kind: SlotKind
    status: SlotStatus
    since: datetime
    floor: int | None
    row: str | None
