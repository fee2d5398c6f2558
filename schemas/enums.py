"""The closed vocabularies of the platform, shared by messages, topics and the database."""

from enum import StrEnum


class DetectedStatus(StrEnum):
    """What a camera node can say about a slot (FIWARE ParkingSpot vocabulary)."""

    FREE = "free"
    OCCUPIED = "occupied"
    UNKNOWN = "unknown"


class SlotStatus(StrEnum):
    """A slot's effective status, as drivers and dashboards see it."""

    FREE = "free"
    OCCUPIED = "occupied"
    RESERVED = "reserved"
    UNKNOWN = "unknown"
    CLOSED = "closed"


class OverrideStatus(StrEnum):
    """What an operator may force a slot to (`reserved` only comes from reservations)."""

    FREE = "free"
    OCCUPIED = "occupied"
    UNKNOWN = "unknown"
    CLOSED = "closed"


class StatusSource(StrEnum):
    """Which rule decided a slot's effective status."""

    DETECTED = "detected"
    OVERRIDE = "override"
    RESERVATION = "reservation"
    ADMIN = "admin"


class SlotKind(StrEnum):
    STANDARD = "standard"
    EV = "ev"
    ACCESSIBLE = "accessible"
    COMPACT = "compact"
    MOTORCYCLE = "motorcycle"


class NodeState(StrEnum):
    """Cloud-side liveness of a camera node."""

    ONLINE = "online"
    OFFLINE = "offline"
    STALE = "stale"


class Role(StrEnum):
    DRIVER = "driver"
    OPERATOR = "operator"
    ADMIN = "admin"


class ReservationState(StrEnum):
    ACTIVE = "active"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
