"""Effective slot status: the one precedence rule every service applies.

`closed` (admin) > active override > active reservation (`reserved`) > node dead or
stale (`unknown`) > detection. Expiry is decided against `now`, so an override or a
reservation that has run out stops counting without any job having to clear it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias
from uuid import UUID

from schemas.enums import DetectedStatus, OverrideStatus, SlotStatus, StatusSource

EventKey: TypeAlias = tuple[datetime, int, UUID]
"""Total order of a slot's observations: (observed_at, seq), event_id breaking exact ties."""


@dataclass(frozen=True, slots=True)
class SlotFacts:
    """What is known about one slot, as stored; `effective_status` decides what it shows."""

    detected: DetectedStatus
    closed: bool = False
    override: OverrideStatus | None = None
    override_until: datetime | None = None
    reserved_until: datetime | None = None
    node_alive: bool = True


def override_active(facts: SlotFacts, now: datetime) -> bool:
    return facts.override is not None and (
        facts.override_until is None or now < facts.override_until
    )


def effective_status(facts: SlotFacts, now: datetime) -> tuple[SlotStatus, StatusSource]:
    """The status drivers see and the rule that decided it."""
    if facts.closed:
        return SlotStatus.CLOSED, StatusSource.ADMIN
    if facts.override is not None and override_active(facts, now):
        return SlotStatus(facts.override.value), StatusSource.OVERRIDE
    if facts.reserved_until is not None and now < facts.reserved_until:
        return SlotStatus.RESERVED, StatusSource.RESERVATION
    if not facts.node_alive:
        return SlotStatus.UNKNOWN, StatusSource.DETECTED
    return SlotStatus(facts.detected.value), StatusSource.DETECTED
