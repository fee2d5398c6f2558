"""Node -> cloud payloads: occupancy events, status (birth and Last Will) and heartbeats."""

from typing import Annotated, Final, Literal, TypeAlias
from uuid import UUID

from pydantic import Field, TypeAdapter

from schemas.enums import DetectedStatus
from schemas.ids import ID_MAX_LENGTH, ID_PATTERN, Identifier
from schemas.messages._base import MAX_INT64, Confidence, Contract, Label, Seq
from schemas.messages._time import UtcDatetime

OCCUPANCY_SCHEMA: Final = "parking.occupancy/1"
MAX_SNAPSHOT_SLOTS: Final = 2000
OLDEST_SEQ: Final = (
    "Seq of the oldest event the node still holds (its last seq + 1 when it holds none): it "
    "will never send an event below this again, so receipts may cover everything below."
)


class OccupancyEvent(Contract):
    """One slot's detected status at one instant, as published on `.../occupancy`."""

    # `schema` would shadow BaseModel.schema(); the wire name is kept through the alias.
    # Producers always write it; an absent value reads as version 1.
    schema_: Literal["parking.occupancy/1"] = Field(
        default=OCCUPANCY_SCHEMA, alias="schema", description="Payload schema and version."
    )
    event_id: UUID = Field(description="Unique per event; redeliveries are deduplicated by it.")
    node_id: Identifier = Field(description="Publishing node; must equal the topic's node id.")
    lot_id: Identifier = Field(description="Lot the slot belongs to.")
    slot_id: Identifier = Field(description="Slot code, unique within the lot.")
    status: DetectedStatus = Field(description="Detected status; nodes never report `closed`.")
    confidence: Confidence = Field(description="Detector confidence in the status, 0..1.")
    observed_at: UtcDatetime = Field(description="When the frame was captured.")
    seq: Seq = Field(description="Per-node counter, strictly increasing across restarts.")
    detector: Label | None = Field(
        default=None, description="Detector backend and model version, for accuracy audits."
    )


class NodeBirth(Contract):
    """A node's birth certificate: its full current slot snapshot, sent on every connect."""

    state: Literal["online"] = Field(description="Birth marker.")
    bdseq: Seq = Field(description="Connection counter, +1 on every connect; orders births/wills.")
    lot_id: Identifier = Field(description="Lot the node watches.")
    ts: UtcDatetime = Field(description="When the snapshot was taken.")
    seq: Seq = Field(description="The node's last assigned event seq, so the snapshot orders.")
    slots: dict[Identifier, DetectedStatus] = Field(
        max_length=MAX_SNAPSHOT_SLOTS,
        description="Current detected status of every slot.",
        # pydantic emits the key pattern as patternProperties, which lets other keys
        # through; propertyNames makes JSON Schema validators reject them as pydantic does.
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH}},
    )
    oldest_seq: Seq | None = Field(default=None, description=OLDEST_SEQ)
    software: Label | None = Field(default=None, description="Node software version.")
    detector: Label | None = Field(default=None, description="Detector backend and model.")


class NodeDeath(Contract):
    """The Last Will, set at connect and published by the broker when the node is lost."""

    state: Literal["offline"] = Field(description="Death marker.")
    bdseq: Seq = Field(description="The `bdseq` of the connection this will belongs to.")


NodeStatus: TypeAlias = Annotated[NodeBirth | NodeDeath, Field(discriminator="state")]
"""The retained `.../status` payload: a birth or a Last Will, told apart by `state`."""

NODE_STATUS_ADAPTER: Final[TypeAdapter[NodeStatus]] = TypeAdapter(NodeStatus)


class Heartbeat(Contract):
    """Periodic node health report on `.../heartbeat` (QoS 0, may be lost)."""

    node_id: Identifier = Field(description="Reporting node; must equal the topic's node id.")
    ts: UtcDatetime = Field(description="When the heartbeat was sent.")
    uptime_s: float = Field(ge=0, allow_inf_nan=False, description="Seconds since start.")
    fps: float = Field(ge=0, le=120, allow_inf_nan=False, description="Frames analysed/s.")
    camera: Literal["ok", "error"] = Field(description="Whether frames are arriving.")
    buffered: int = Field(ge=0, le=MAX_INT64, description="Events waiting in the offline buffer.")
    seq: Seq | None = Field(
        default=None, description="Last assigned event seq; lets the cloud spot a lost tail."
    )
    oldest_seq: Seq | None = Field(default=None, description=OLDEST_SEQ)
    dropped: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INT64,
        description="Events the node dropped, oldest first, because its outbox was full.",
    )
    cpu_temp_c: float | None = Field(
        default=None, allow_inf_nan=False, description="CPU temperature in degrees Celsius."
    )
