"""How our statuses read in the open standards: one table per target, one site rule.

A `reserved` slot is held for one driver, so a passing driver cannot take it: every feed
counts it as taken (FIWARE `occupied`, DATEX II occupied spaces), never as available.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from schemas.enums import SlotStatus

# FIWARE Smart Data Models ParkingSpot.status: closed | free | occupied | unknown.
FIWARE_SPOT_STATUS: Final[Mapping[SlotStatus, str]] = {
    SlotStatus.FREE: "free",
    SlotStatus.OCCUPIED: "occupied",
    SlotStatus.RESERVED: "occupied",
    SlotStatus.CLOSED: "closed",
    SlotStatus.UNKNOWN: "unknown",
}


class SiteState(StrEnum):
    """A lot's state as a whole, decided from its counts."""

    CLOSED = "closed"
    UNKNOWN = "unknown"
    FULL = "full"
    SPACES_AVAILABLE = "spacesAvailable"


def taken(counts: Mapping[str, int]) -> int:
    """Slots a passing driver cannot take although they are in service: occupied or reserved."""
    return counts.get(SlotStatus.OCCUPIED, 0) + counts.get(SlotStatus.RESERVED, 0)


def site_state(counts: Mapping[str, int], open_now: bool | None = None) -> SiteState:
    """Closed when the lot is closed or every slot is; full when nothing is free but
    something is taken; unknown when nothing is free and nothing is known."""
    total = counts.get("total", 0)
    if open_now is False or total == 0 or counts.get(SlotStatus.CLOSED, 0) == total:
        return SiteState.CLOSED
    if counts.get(SlotStatus.FREE, 0) > 0:
        return SiteState.SPACES_AVAILABLE
    return SiteState.FULL if taken(counts) > 0 else SiteState.UNKNOWN


# FIWARE OffStreetParking.status (a list; it has no `unknown`: only `open` is claimed).
FIWARE_SITE_STATUS: Final[Mapping[SiteState, tuple[str, ...]]] = {
    SiteState.CLOSED: ("closed",),
    SiteState.UNKNOWN: ("open",),
    SiteState.FULL: ("open", "full"),
    SiteState.SPACES_AVAILABLE: ("open", "spacesAvailable"),
}

# DATEX II v3: fac:OpeningStatusEnum and prk:ParkingPlaceStatusEnum (None: not stated).
DATEX_OPENING_STATUS: Final[Mapping[SiteState, str]] = {
    SiteState.CLOSED: "closed",
    SiteState.UNKNOWN: "open",
    SiteState.FULL: "open",
    SiteState.SPACES_AVAILABLE: "open",
}
DATEX_PLACE_STATUS: Final[Mapping[SiteState, str | None]] = {
    SiteState.CLOSED: None,
    SiteState.UNKNOWN: "unknown",
    SiteState.FULL: "full",
    SiteState.SPACES_AVAILABLE: "spacesAvailable",
}


def occupancy_ratio(counts: Mapping[str, int]) -> float | None:
    """Taken slots out of all slots, 0..1; None for a lot without slots."""
    total = counts.get("total", 0)
    return round(taken(counts) / total, 4) if total else None
