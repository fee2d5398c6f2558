"""MQTT payload contracts: pydantic models, size limits and the bytes <-> model boundary."""

from schemas.messages._base import Contract
from schemas.messages._payload import format_errors, parse_payload, to_payload
from schemas.messages._time import UtcDatetime, format_utc
from schemas.messages.alerts import LOT_ALERTS_SCHEMA, LotAlerts, OpenAlert
from schemas.messages.cloud import (
    SLOT_STATE_SCHEMA,
    Availability,
    FloorAvailability,
    KindCounts,
    RowAvailability,
    SlotCounts,
    SlotState,
)
from schemas.messages.control import (
    COMMAND_ADAPTER,
    RECEIPT_SCHEMA,
    CameraConfig,
    ClassicDetectorConfig,
    Command,
    DetectorConfig,
    NodeConfig,
    NodeReceipt,
    OccupancyConfig,
    OnnxDetectorConfig,
    ResyncCommand,
    SlotPolygon,
    SnapshotCommand,
    YoloDetectorConfig,
)
from schemas.messages.kinds import MAX_PAYLOAD_BYTES, PAYLOAD_ADAPTERS, PayloadKind
from schemas.messages.node import (
    NODE_STATUS_ADAPTER,
    OCCUPANCY_SCHEMA,
    Heartbeat,
    NodeBirth,
    NodeDeath,
    NodeStatus,
    OccupancyEvent,
)

__all__ = [
    "COMMAND_ADAPTER",
    "LOT_ALERTS_SCHEMA",
    "MAX_PAYLOAD_BYTES",
    "NODE_STATUS_ADAPTER",
    "OCCUPANCY_SCHEMA",
    "PAYLOAD_ADAPTERS",
    "RECEIPT_SCHEMA",
    "SLOT_STATE_SCHEMA",
    "Availability",
    "CameraConfig",
    "ClassicDetectorConfig",
    "Command",
    "Contract",
    "DetectorConfig",
    "FloorAvailability",
    "Heartbeat",
    "KindCounts",
    "LotAlerts",
    "NodeBirth",
    "NodeConfig",
    "NodeDeath",
    "NodeReceipt",
    "NodeStatus",
    "OccupancyConfig",
    "OccupancyEvent",
    "OnnxDetectorConfig",
    "OpenAlert",
    "PayloadKind",
    "ResyncCommand",
    "RowAvailability",
    "SlotCounts",
    "SlotPolygon",
    "SlotState",
    "SnapshotCommand",
    "UtcDatetime",
    "YoloDetectorConfig",
    "format_errors",
    "format_utc",
    "parse_payload",
    "to_payload",
]
