"""A node's published state: the slot map, each slot's status, and the messages built from it.

Shared by the camera node and the simulator, so both publish through the same code: a
confirmed change becomes an `OccupancyEvent` in the outbox, a connect becomes a birth with
the full snapshot, and the cloud's `config` and `cmd` messages are applied here.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum

from pi_node import __version__
from pi_node.debounce import Change
from pi_node.outbox import Outbox
from schemas.enums import DetectedStatus
from schemas.errors import PayloadError
from schemas.messages import (
    COMMAND_ADAPTER,
    MAX_PAYLOAD_BYTES,
    Heartbeat,
    NodeBirth,
    NodeConfig,
    NodeReceipt,
    OccupancyEvent,
    PayloadKind,
    ResyncCommand,
    SnapshotCommand,
    parse_payload,
    to_payload,
)
from schemas.topics import NodeTopicKind

log = logging.getLogger(__name__)


class Reaction(Enum):
    """What the MQTT session must do after a cloud message was handled."""

    NONE = "none"
    REBIRTH = "rebirth"  # publish a new birth: the snapshot's shape or content is asked for


def _now() -> datetime:
    return datetime.now(UTC)


class OversizeEventError(Exception):
    """An event larger than the occupancy payload limit: the broker or ingest would drop it."""


class NodeCore:
    """Thread-safe: detection (or the simulator) emits, the MQTT session reads and applies."""

    def __init__(
        self,
        config: NodeConfig,
        outbox: Outbox,
        detector: str | None = None,
        clock: Callable[[], datetime] = _now,
        max_event_bytes: int = MAX_PAYLOAD_BYTES[PayloadKind.OCCUPANCY_EVENT],
    ) -> None:
        self._lock = threading.RLock()
        self._config = config
        self._outbox = outbox
        self._clock = clock
        self._statuses = {slot.slot_id: DetectedStatus.UNKNOWN for slot in config.slots}
        self._started = time.monotonic()
        self._max_event_bytes = max_event_bytes
        self.refused_oversize = 0  # events never queued: too large to be delivered
        self.detector = detector
        self.on_append: Callable[[], None] = lambda: None
        self.on_config: Callable[[NodeConfig], None] = lambda _config: None

    @property
    def node_id(self) -> str:
        """The node's id (fixed for the life of the process)."""
        return self._config.node_id

    @property
    def config(self) -> NodeConfig:
        """The slot map in force."""
        with self._lock:
            return self._config

    def statuses(self) -> dict[str, DetectedStatus]:
        """Every slot's last published status."""
        with self._lock:
            return dict(self._statuses)

    def buffered(self) -> int:
        """Events not yet receipted by the cloud."""
        return len(self._outbox)

    def emit(self, change: Change) -> OccupancyEvent | None:
        """Publish (via the outbox) one confirmed change; ignored for a slot not in the map,
        refused (logged, counted) when too large to be delivered."""
        with self._lock:
            if change.slot_id not in self._statuses:
                return None
            try:
                event = self._store(change)
            except OversizeEventError as exc:
                self.refused_oversize += 1
                log.error("event for slot %s not queued: %s", change.slot_id, exc)  # noqa: TRY400
                return None
            self._statuses[change.slot_id] = change.status
        self.on_append()
        return event

    def _store(self, change: Change) -> OccupancyEvent:
        built: list[OccupancyEvent] = []

        def build(seq: int) -> bytes:
            event = OccupancyEvent(
                event_id=uuid.uuid4(),
                node_id=self._config.node_id,
                lot_id=self._config.lot_id,
                slot_id=change.slot_id,
                status=change.status,
                confidence=min(1.0, max(0.0, change.confidence)),
                observed_at=change.observed_at,
                seq=seq,
                detector=self.detector,
            )
            payload = to_payload(event)
            if len(payload) > self._max_event_bytes:  # raised inside the outbox transaction
                raise OversizeEventError(f"{len(payload)} bytes, over {self._max_event_bytes}")
            built.append(event)
            return payload

        self._outbox.append(build)
        return built[0]

    def resync(self) -> int:
        """Republish every slot's current status as fresh events; returns how many."""
        with self._lock:
            now = self._clock()
            changes = [Change(s, status, 1.0, now) for s, status in self._statuses.items()]
            for change in changes:
                self.emit(change)  # wakes the link itself
        return len(changes)

    def birth(self, bdseq: int) -> bytes:
        """The birth certificate for connection `bdseq`: the full slot snapshot."""
        with self._lock:
            birth = NodeBirth(
                state="online",
                bdseq=bdseq,
                lot_id=self._config.lot_id,
                ts=self._clock(),
                seq=self._outbox.last_seq(),
                oldest_seq=self._outbox.oldest_seq(),
                slots=dict(self._statuses),
                software=f"parking-node {__version__}",
                detector=self.detector,
            )
        return to_payload(birth)

    def heartbeat(self, fps: float, camera_ok: bool, cpu_temp_c: float | None = None) -> bytes:
        """A heartbeat payload with the buffer depth and last seq."""
        beat = Heartbeat(
            node_id=self.node_id,
            ts=self._clock(),
            uptime_s=round(time.monotonic() - self._started, 3),
            fps=round(min(120.0, max(0.0, fps)), 3),
            camera="ok" if camera_ok else "error",
            buffered=self.buffered(),
            seq=self._outbox.last_seq(),
            oldest_seq=self._outbox.oldest_seq(),
            dropped=self._outbox.dropped(),
            cpu_temp_c=cpu_temp_c,
        )
        return to_payload(beat)

    def handle(self, kind: NodeTopicKind, payload: bytes) -> Reaction:
        """Apply a message from the cloud; a bad one is logged and ignored, never raised."""
        try:
            if kind is NodeTopicKind.CONFIG:
                return self._apply_config(payload)
            if kind is NodeTopicKind.CMD:
                return self._apply_command(payload)
            if kind is NodeTopicKind.RECEIPT:
                return self._apply_receipt(payload)
        except PayloadError as exc:
            log.warning("ignored %s message: %s", kind, exc)
        return Reaction.NONE

    def _apply_config(self, payload: bytes) -> Reaction:
        if not payload:  # a cleared retained config: keep the map we have
            return Reaction.NONE
        limit = MAX_PAYLOAD_BYTES[PayloadKind.NODE_CONFIG]
        config = parse_payload(NodeConfig, payload, limit)
        with self._lock:
            problem = config_problem(self._config, config)
            if problem is not None:
                log.error("ignored config: %s", problem)
                return Reaction.NONE
            if config == self._config:  # the retained copy again, after a reconnect
                return Reaction.NONE
            self._config = config
            self._statuses = {
                slot.slot_id: self._statuses.get(slot.slot_id, DetectedStatus.UNKNOWN)
                for slot in config.slots
            }
        log.info("applied config version %s with %d slots", config.version, len(config.slots))
        self.on_config(config)
        return Reaction.REBIRTH

    def _apply_receipt(self, payload: bytes) -> Reaction:
        if not payload:  # a cleared retained receipt says nothing
            return Reaction.NONE
        receipt = parse_payload(NodeReceipt, payload, MAX_PAYLOAD_BYTES[PayloadKind.RECEIPT])
        if receipt.node_id != self.node_id:
            log.warning("ignored receipt for node %r", receipt.node_id)
        elif receipt.seq > self._outbox.last_seq():
            # Beyond anything handed out: the cloud knew an earlier life of this node id
            # (a re-imaged Pi); trusting it would drop events never delivered.
            log.error("ignored receipt up to seq %d: this node's last seq is %d",
                      receipt.seq, self._outbox.last_seq())  # fmt: skip
        else:
            self._outbox.confirm(receipt.seq)
        return Reaction.NONE

    def _apply_command(self, payload: bytes) -> Reaction:
        command = parse_payload(COMMAND_ADAPTER, payload, MAX_PAYLOAD_BYTES[PayloadKind.COMMAND])
        log.info("command %s (request %s)", command.cmd, command.request_id)
        match command:
            case ResyncCommand():
                self.resync()
                return Reaction.NONE
            case SnapshotCommand():
                # Decision: `snapshot` republishes the birth (retained, full slot states
                # and current seq), never a camera image: images are personal data and
                # would not fit the status payload limits.
                return Reaction.REBIRTH


def config_problem(current: NodeConfig, new: NodeConfig) -> str | None:
    """Why `new` must not replace `current`, or None when it may (pure)."""
    if new.node_id != current.node_id:
        return f"it is for node {new.node_id!r}, this is {current.node_id!r}"
    if new.lot_id != current.lot_id:
        return f"it moves the node to lot {new.lot_id!r} from {current.lot_id!r}; restart to do so"
    if new.version is not None and current.version is not None and new.version < current.version:
        return f"version {new.version} is older than the version {current.version} in force"
    return None
