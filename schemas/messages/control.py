"""Cloud -> node payloads: the node slot map (retained `.../config`) and commands (`.../cmd`)."""

from collections import Counter
from typing import Annotated, Final, Literal, TypeAlias

from pydantic import Field, Strict, TypeAdapter, field_validator
from pydantic_core import PydanticCustomError

from schemas.ids import Identifier
from schemas.messages._base import (
    MAX_INT64,
    Confidence,
    Contract,
    Label,
    PathText,
    RequestId,
    Seq,
)
from schemas.messages._time import UtcDatetime

MAX_SLOTS_PER_NODE: Final = 2000
DEFAULT_CLASSES: Final = ("car", "truck", "bus", "motorcycle")

Coordinate: TypeAlias = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
"""A pixel coordinate in the camera frame."""

# Strict(False) on the pair only, so a YAML-loaded [x, y] list is accepted in Python mode
# (strict tuples want real tuples); the coordinates themselves stay strict numbers.
Point: TypeAlias = Annotated[tuple[Coordinate, Coordinate], Strict(False)]
"""An `[x, y]` pixel position."""


class CameraConfig(Contract):
    """Where frames come from and how often they are analysed."""

    source: PathText = Field(description="picamera2, a /dev/video device, an RTSP URL, a file.")
    fps: float = Field(default=2.0, gt=0, le=30, allow_inf_nan=False, description="Frames/s.")


class _BoxDetectorConfig(Contract):
    """Settings shared by the object-detector backends."""

    weights: PathText = Field(description="Model weights file.")
    classes: list[Label] = Field(
        default_factory=lambda: list(DEFAULT_CLASSES),
        min_length=1,
        max_length=64,
        description="Object classes that occupy a slot.",
    )
    min_confidence: Confidence = Field(default=0.4, description="Boxes below this are ignored.")


class YoloDetectorConfig(_BoxDetectorConfig):
    """Ultralytics YOLO weights."""

    backend: Literal["yolo"] = Field(description="Detector backend.")


class OnnxDetectorConfig(_BoxDetectorConfig):
    """An ONNX object-detection model."""

    backend: Literal["onnx"] = Field(description="Detector backend.")


class ClassicDetectorConfig(Contract):
    """Classic image differencing against an empty-lot reference, no model needed."""

    backend: Literal["classic"] = Field(description="Detector backend.")
    reference: PathText | None = Field(default=None, description="Empty-lot reference image.")
    threshold: Confidence = Field(default=0.5, description="Changed-pixel share that occupies.")


DetectorConfig: TypeAlias = Annotated[
    YoloDetectorConfig | OnnxDetectorConfig | ClassicDetectorConfig,
    Field(discriminator="backend"),
]
"""Detector backend settings, chosen by `backend`."""


class SlotPolygon(Contract):
    """One slot's outline in the camera frame."""

    slot_id: Identifier = Field(description="Slot code, unique within the lot.")
    polygon: list[Point] = Field(
        min_length=3, max_length=32, description="Outline vertices in pixels, in order."
    )


class OccupancyConfig(Contract):
    """How detections turn into slot status changes."""

    min_overlap: float = Field(
        default=0.35, gt=0, le=1, allow_inf_nan=False, description="Box/slot overlap share."
    )
    confirm_frames: int = Field(
        default=3, ge=1, le=100, description="Consecutive frames before a change is published."
    )


class NodeConfig(Contract):
    """A node's slot map: camera, detector and slot polygons (`node.yaml` or `.../config`)."""

    node_id: Identifier = Field(description="The node this map is for.")
    lot_id: Identifier = Field(description="Lot the node watches.")
    version: int | None = Field(
        default=None, ge=0, le=MAX_INT64, description="Config revision, raised on every change."
    )
    camera: CameraConfig = Field(description="Frame source.")
    detector: DetectorConfig = Field(description="Detector backend.")
    slots: list[SlotPolygon] = Field(
        min_length=1, max_length=MAX_SLOTS_PER_NODE, description="Watched slots."
    )
    occupancy: OccupancyConfig = Field(
        default_factory=OccupancyConfig, description="Debouncing and overlap rules."
    )

    @field_validator("slots")
    @classmethod
    def _unique_slot_ids(cls, slots: list[SlotPolygon]) -> list[SlotPolygon]:
        counts = Counter(slot.slot_id for slot in slots)
        duplicates = sorted(slot_id for slot_id, n in counts.items() if n > 1)
        if duplicates:
            raise PydanticCustomError(
                "duplicate_slot_id",
                "duplicate slot_id: {duplicates}",
                {"duplicates": ", ".join(duplicates)},
            )
        return slots


class ResyncCommand(Contract):
    """Ask the node to republish every slot's current state."""

    cmd: Literal["resync"] = Field(description="Command name.")
    request_id: RequestId | None = Field(default=None, description="Correlation id.")


class SnapshotCommand(Contract):
    """Ask the node to take a snapshot."""

    cmd: Literal["snapshot"] = Field(description="Command name.")
    request_id: RequestId | None = Field(default=None, description="Correlation id.")


Command: TypeAlias = Annotated[ResyncCommand | SnapshotCommand, Field(discriminator="cmd")]
"""A command on `.../cmd`, chosen by `cmd`."""

COMMAND_ADAPTER: Final[TypeAdapter[Command]] = TypeAdapter(Command)

RECEIPT_SCHEMA: Final = "parking.receipt/1"


class NodeReceipt(Contract):
    """The cloud's durable receipt of a node's events, retained on `.../receipt` (QoS 1).

    A broker's PUBACK only says the broker took a message; this says it is in PostgreSQL.
    The node keeps every event until a receipt covers its seq.
    """

    # See OccupancyEvent.schema_ for why the attribute name differs from the wire name.
    schema_: Literal["parking.receipt/1"] = Field(
        default=RECEIPT_SCHEMA, alias="schema", description="Payload schema and version."
    )
    node_id: Identifier = Field(description="The node whose events are receipted.")
    seq: Seq = Field(
        description="Every event of the node with a seq up to this one is committed (stored "
        "or dead-lettered) or was given up by the node (`oldest_seq`): the node may forget them."
    )
    ts: UtcDatetime = Field(description="When the receipt was issued.")
