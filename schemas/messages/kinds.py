"""The table of payload kinds: each kind's size limit and its validating adapter."""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from pydantic import TypeAdapter

from schemas.messages.alerts import LotAlerts
from schemas.messages.cloud import Availability, SlotState
from schemas.messages.control import COMMAND_ADAPTER, NodeConfig, NodeReceipt
from schemas.messages.node import NODE_STATUS_ADAPTER, Heartbeat, OccupancyEvent

KIB: Final = 1024


class PayloadKind(StrEnum):
    """Every MQTT payload kind; the value names its JSON Schema file."""

    OCCUPANCY_EVENT = "occupancy-event"
    NODE_STATUS = "node-status"
    HEARTBEAT = "heartbeat"
    NODE_CONFIG = "node-config"
    COMMAND = "command"
    SLOT_STATE = "slot-state"
    AVAILABILITY = "availability"
    RECEIPT = "receipt"
    LOT_ALERTS = "lot-alerts"


# Generous for the largest legitimate payload of each kind (a 2000-slot birth or config,
# a many-floor availability) yet small enough that one bad publisher cannot exhaust memory.
MAX_PAYLOAD_BYTES: Final[Mapping[PayloadKind, int]] = MappingProxyType(
    {
        PayloadKind.OCCUPANCY_EVENT: 2 * KIB,
        PayloadKind.NODE_STATUS: 256 * KIB,
        PayloadKind.HEARTBEAT: 2 * KIB,
        PayloadKind.NODE_CONFIG: 512 * KIB,
        PayloadKind.COMMAND: 1 * KIB,
        PayloadKind.SLOT_STATE: 2 * KIB,
        PayloadKind.AVAILABILITY: 512 * KIB,
        PayloadKind.RECEIPT: 1 * KIB,
        PayloadKind.LOT_ALERTS: 512 * KIB,
    }
)

PAYLOAD_ADAPTERS: Final[Mapping[PayloadKind, TypeAdapter[Any]]] = MappingProxyType(
    {
        PayloadKind.OCCUPANCY_EVENT: TypeAdapter(OccupancyEvent),
        PayloadKind.NODE_STATUS: NODE_STATUS_ADAPTER,
        PayloadKind.HEARTBEAT: TypeAdapter(Heartbeat),
        PayloadKind.NODE_CONFIG: TypeAdapter(NodeConfig),
        PayloadKind.COMMAND: COMMAND_ADAPTER,
        PayloadKind.SLOT_STATE: TypeAdapter(SlotState),
        PayloadKind.AVAILABILITY: TypeAdapter(Availability),
        PayloadKind.RECEIPT: TypeAdapter(NodeReceipt),
        PayloadKind.LOT_ALERTS: TypeAdapter(LotAlerts),
    }
)
"""One adapter per kind, for generic code such as the JSON Schema exporter."""
