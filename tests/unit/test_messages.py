"""Payload contracts: the DESIGN.md examples pass, a corpus of bad payloads fails precisely."""

import json
import pickle
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.enums import DetectedStatus
from schemas.errors import PayloadError
from schemas.messages import (
    MAX_PAYLOAD_BYTES,
    PAYLOAD_ADAPTERS,
    Availability,
    Heartbeat,
    NodeBirth,
    NodeConfig,
    OccupancyEvent,
    PayloadKind,
    parse_payload,
    to_payload,
)

K = PayloadKind

OCCUPANCY: dict[str, Any] = {
    "schema": "parking.occupancy/1",
    "event_id": "0b7e4f6a-3c1d-4a8e-9f21-6d2c1e0a9b77",
    "node_id": "node-7",
    "lot_id": "downtown",
    "slot_id": "L1-A-012",
    "status": "occupied",
    "confidence": 0.93,
    "observed_at": "2026-11-26T10:00:00.123Z",
    "seq": 123456,
    "detector": "onnx:yolov8n-2026.10",
}
BIRTH: dict[str, Any] = {
    "state": "online",
    "bdseq": 4,
    "lot_id": "downtown",
    "ts": "2026-11-26T10:00:00.000Z",
    "seq": 123456,
    "slots": {"L1-A-012": "occupied", "L1-A-013": "free"},
    "software": "parking-node 0.1.0",
    "detector": "onnx:yolov8n-2026.10",
}
WILL: dict[str, Any] = {"state": "offline", "bdseq": 4}
HEARTBEAT: dict[str, Any] = {
    "node_id": "node-7",
    "ts": "2026-11-26T10:00:05.000Z",
    "uptime_s": 3600.5,
    "fps": 2,
    "camera": "ok",
    "buffered": 0,
    "seq": 123456,
    "oldest_seq": 123450,
    "dropped": 0,
}
RECEIPT: dict[str, Any] = {
    "schema": "parking.receipt/1",
    "node_id": "node-7",
    "seq": 123449,
    "ts": "2026-11-26T10:00:05.200Z",
}
# The DESIGN.md node.yaml example, as yaml.safe_load returns it.
NODE_CONFIG: dict[str, Any] = {
    "node_id": "node-7",
    "lot_id": "downtown",
    "camera": {"source": "picamera2", "fps": 2},
    "detector": {
        "backend": "yolo",
        "weights": "yolov8n.pt",
        "classes": ["car", "truck", "bus", "motorcycle"],
    },
    "slots": [{"slot_id": "L0-A-001", "polygon": [[102, 340], [188, 338], [195, 430], [98, 433]]}],
    "occupancy": {"min_overlap": 0.35, "confirm_frames": 3},
}
ROW: dict[str, Any] = {"name": "A", "total": 20, "free": 3, "occupied": 17}
ROW |= {"reserved": 0, "unknown": 0, "closed": 0}
FLOOR: dict[str, Any] = {"level": 0, "name": "Ground", "total": 80, "free": 12, "occupied": 66}
FLOOR |= {"reserved": 1, "unknown": 1, "closed": 0, "rows": [ROW]}
AVAILABILITY: dict[str, Any] = {"lot_id": "downtown", "total": 240, "free": 61, "occupied": 170}
AVAILABILITY |= {"reserved": 4, "unknown": 3, "closed": 2}
AVAILABILITY |= {"updated_at": "2026-11-26T10:00:01.002Z", "floors": [FLOOR]}
SLOT_STATE: dict[str, Any] = {
    "schema": "parking.slot-state/1",
    "lot_id": "downtown",
    "slot_id": "L1-A-012",
    "status": "reserved",
    "since": "2026-11-26T09:58:00.000Z",
    "last_confirmed_at": None,
    "source": "reservation",
    "confidence": None,
}

EXAMPLES: list[tuple[PayloadKind, dict[str, Any]]] = [
    (K.OCCUPANCY_EVENT, OCCUPANCY),
    (K.NODE_STATUS, BIRTH),
    (K.NODE_STATUS, WILL),
    (K.HEARTBEAT, HEARTBEAT),
    (K.NODE_CONFIG, NODE_CONFIG),
    (K.NODE_CONFIG, NODE_CONFIG | {"detector": {"backend": "classic"}, "version": 7}),
    (K.COMMAND, {"cmd": "resync"}),
    (K.COMMAND, {"cmd": "snapshot", "request_id": "admin-42"}),
    (K.SLOT_STATE, SLOT_STATE),
    (K.AVAILABILITY, AVAILABILITY),
    (K.RECEIPT, RECEIPT),
]


def parse(kind: PayloadKind, payload: dict[str, Any] | bytes) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parse_payload(PAYLOAD_ADAPTERS[kind], raw, MAX_PAYLOAD_BYTES[kind])


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return base | changes


def without(base: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k != key}


@pytest.mark.parametrize(("kind", "payload"), EXAMPLES)
def test_design_examples_are_accepted_and_round_trip(
    kind: PayloadKind, payload: dict[str, Any]
) -> None:
    message = parse(kind, payload)
    adapter = PAYLOAD_ADAPTERS[kind]
    assert parse(kind, to_payload(message)) == message
    # Python mode is strict too: the model's own dump must validate without coercion.
    assert adapter.validate_python(adapter.dump_python(message)) == message


def test_occupancy_wire_format() -> None:
    event = parse(K.OCCUPANCY_EVENT, OCCUPANCY)
    assert isinstance(event, OccupancyEvent)
    assert event.schema_ == "parking.occupancy/1"
    assert json.loads(to_payload(event)) == OCCUPANCY
    assert to_payload(event).startswith(b'{"schema":"parking.occupancy/1","event_id":')


@pytest.mark.parametrize(
    ("observed_at", "expected"),
    [
        ("2026-11-26T11:00:00.123+01:00", "2026-11-26T10:00:00.123Z"),
        ("2026-11-26T04:30:00.5-05:30", "2026-11-26T10:00:00.500Z"),
        ("2026-11-26T10:00:00Z", "2026-11-26T10:00:00.000Z"),
        ("2026-11-26T10:00:00.123999Z", "2026-11-26T10:00:00.123Z"),  # truncated, not rounded
    ],
)
def test_timestamps_normalise_to_utc_milliseconds(observed_at: str, expected: str) -> None:
    event = parse(K.OCCUPANCY_EVENT, with_(OCCUPANCY, observed_at=observed_at))
    assert event.observed_at.tzinfo is UTC
    assert json.loads(to_payload(event))["observed_at"] == expected


BASES: dict[str, tuple[PayloadKind, dict[str, Any]]] = {
    "event": (K.OCCUPANCY_EVENT, OCCUPANCY),
    "birth": (K.NODE_STATUS, BIRTH),
    "will": (K.NODE_STATUS, WILL),
    "heartbeat": (K.HEARTBEAT, HEARTBEAT),
    "config": (K.NODE_CONFIG, NODE_CONFIG),
    "state": (K.SLOT_STATE, SLOT_STATE),
    "availability": (K.AVAILABILITY, AVAILABILITY),
}
MISSING = object()
POLYGON_2 = [{"slot_id": "s", "polygon": [[0, 0], [1, 1]]}]
POLYGON_NEGATIVE = [{"slot_id": "s", "polygon": [[-1, 0], [1, 1], [2, 0]]}]
TOO_MANY_SLOTS = {f"s{i}": "free" for i in range(2001)}

# (example, field, bad value or MISSING, substring of the detail): one field made wrong.
FIELD_CASES: list[tuple[str, str, Any, str]] = [
    ("event", "seq", "12", "seq: Input should be a valid integer"),
    ("event", "seq", True, "seq: Input should be a valid integer"),
    ("event", "seq", -1, "seq: Input should be greater than or equal to 0"),
    ("event", "seq", 2**63, "seq: Input should be less than or equal to"),
    ("event", "confidence", "0.93", "confidence: Input should be a valid number"),
    ("event", "confidence", 1.5, "confidence: Input should be less than or equal to 1"),
    ("event", "confidence", float("nan"), "confidence: Input should be a finite number"),
    ("event", "event_id", MISSING, "event_id: Field required"),
    ("event", "event_id", "42", "event_id: Input should be a valid UUID"),
    ("event", "status", "parked", "status: Input should be 'free', 'occupied' or 'unknown'"),
    ("event", "status", "closed", "status: Input should be 'free', 'occupied' or 'unknown'"),
    ("event", "observed_at", "2026-11-26T10:00:00.123", "observed_at: timestamp has no UTC"),
    ("event", "observed_at", 1_795_000_000, "observed_at: Input should be a valid datetime"),
    ("event", "observed_at", "0001-01-01T00:00:00+01:00", "observed_at: timestamp is out of"),
    ("event", "slot_id", "a/b", "slot_id: String should match pattern"),
    ("event", "node_id", "+", "node_id: String should match pattern"),
    ("event", "lot_id", "#", "lot_id: String should match pattern"),
    ("event", "slot_id", "", "slot_id: String should match pattern"),
    ("event", "slot_id", "a" * 65, "slot_id: String should have at most 64 characters"),
    ("event", "slot_id", "a\n", "slot_id: String should match pattern"),
    ("event", "detector", "d" * 129, "detector: String should have at most 128 characters"),
    ("event", "detector", "onnx\x07", "detector: String should match pattern"),
    ("event", "color", "red", "color: Extra inputs are not permitted"),
    ("event", "schema", "parking.occupancy/2", "schema: Input should be 'parking.occupancy/1'"),
    ("birth", "state", MISSING, "Unable to extract tag using discriminator 'state'"),
    ("will", "state", "zombie", "Input tag 'zombie' found using 'state' does not match"),
    ("birth", "slots", {"L1": "closed"}, "online.slots.L1: Input should be 'free'"),
    ("birth", "slots", {"a/b": "free"}, "online.slots.a/b.[key]: String should match"),
    ("birth", "slots", TOO_MANY_SLOTS, "online.slots: Dictionary should have at most 2000"),
    ("birth", "ts", "2026-11-26T10:00:00", "online.ts: timestamp has no UTC offset"),
    ("will", "slots", {}, "offline.slots: Extra inputs are not permitted"),
    ("will", "bdseq", False, "offline.bdseq: Input should be a valid integer"),
    ("heartbeat", "fps", 121, "fps: Input should be less than or equal to 120"),
    ("heartbeat", "camera", "broken", "camera: Input should be 'ok' or 'error'"),
    ("heartbeat", "buffered", -1, "buffered: Input should be greater than or equal to 0"),
    ("heartbeat", "ts", MISSING, "ts: Field required"),
    ("config", "slots", NODE_CONFIG["slots"] * 2, "slots: duplicate slot_id: L0-A-001"),
    ("config", "slots", POLYGON_2, "slots.0.polygon: List should have at least 3 items"),
    ("config", "slots", POLYGON_NEGATIVE, "slots.0.polygon.0.0: Input should be greater"),
    ("config", "slots", [], "slots: List should have at least 1 item"),
    ("config", "detector", {"backend": "tf"}, "detector: Input tag 'tf' found using 'backend'"),
    ("config", "camera", {"source": "x", "fps": 0}, "camera.fps: Input should be greater than 0"),
    ("config", "occupancy", {"min_overlap": 0}, "occupancy.min_overlap: Input should be greater"),
    ("state", "source", "camera", "source: Input should be 'detected', 'override'"),
    ("availability", "total", 241, "free + occupied + reserved + unknown + closed = 240, but"),
    ("availability", "floors", [FLOOR | {"free": 13}], "floors.0: free + occupied + reserved"),
    ("availability", "floors", [FLOOR | {"level": 201}], "floors.0.level: Input should be less"),
    ("availability", "closed", -1, "closed: Input should be greater than or equal to 0"),
]


@pytest.mark.parametrize(("example", "field", "value", "detail"), FIELD_CASES)
def test_bad_fields_are_rejected_naming_the_field(
    example: str, field: str, value: Any, detail: str
) -> None:
    kind, base = BASES[example]
    payload = without(base, field) if value is MISSING else with_(base, **{field: value})
    with pytest.raises(PayloadError) as caught:
        parse(kind, payload)
    assert (caught.value.code, detail in caught.value.detail) == ("schema_violation", True), (
        caught.value.detail
    )
    assert isinstance(caught.value.__cause__, Exception)


# (kind, raw bytes, code, substring of the detail): payloads broken below the field level.
RAW_CASES: list[tuple[PayloadKind, bytes, str, str]] = [
    (K.OCCUPANCY_EVENT, b"status=occupied", "malformed_json", "(root): Invalid JSON"),
    (K.OCCUPANCY_EVENT, b'{"seq": 1', "malformed_json", "(root): Invalid JSON: EOF"),
    (K.OCCUPANCY_EVENT, b"", "malformed_json", "(root): Invalid JSON"),
    (K.OCCUPANCY_EVENT, b'{"slot_id": "\xff"}', "malformed_json", "not UTF-8"),
    (K.OCCUPANCY_EVENT, b"[1, 2]", "schema_violation", "(root): Input should be an object"),
    (K.NODE_STATUS, b"null", "schema_violation", "(root): Input should be an object"),
    (K.COMMAND, b'"resync"', "schema_violation", "(root): Input should be an object"),
    (K.COMMAND, b"\xff" * 1025, "oversize", "1025 bytes exceeds the 1024-byte limit"),
    (K.OCCUPANCY_EVENT, json.dumps(OCCUPANCY | {"detector": "x" * 2000}).encode(), "oversize", ""),
]


@pytest.mark.parametrize(("kind", "raw", "code", "detail"), RAW_CASES)
def test_bad_bytes_are_rejected_with_their_code(
    kind: PayloadKind, raw: bytes, code: str, detail: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        parse(kind, raw)
    assert (caught.value.code, detail in caught.value.detail) == (code, True), caught.value.detail


def test_many_errors_are_capped() -> None:
    slots = [{"slot_id": f"s{i}", "polygon": [[0, 0]]} for i in range(50)]
    with pytest.raises(PayloadError, match=r"\.\.\. and 40 more errors$"):
        parse(K.NODE_CONFIG, with_(NODE_CONFIG, slots=slots))


def test_payload_error_pickles_with_its_context() -> None:
    error = pickle.loads(pickle.dumps(PayloadError("oversize", "too big")))  # noqa: S301
    assert (error.code, error.detail, str(error)) == ("oversize", "too big", "oversize: too big")


def test_node_config_accepts_yaml_lists_in_python_mode() -> None:
    config = NodeConfig.model_validate(NODE_CONFIG)
    assert config.slots[0].polygon[0] == (102.0, 340.0)
    assert config.occupancy.confirm_frames == 3


def test_schema_field_by_name_and_by_alias() -> None:
    event = OccupancyEvent.model_validate_json(json.dumps(OCCUPANCY))
    by_name = event.model_dump() | {"schema_": "parking.occupancy/1"}
    del by_name["schema"]
    assert OccupancyEvent.model_validate(by_name) == event
    assert "schema" in event.model_dump()
    assert "schema" in OccupancyEvent.model_json_schema()["properties"]


def test_naive_datetime_objects_are_rejected_in_python_mode() -> None:
    dumped = OccupancyEvent.model_validate_json(json.dumps(OCCUPANCY)).model_dump()
    naive = datetime(2026, 11, 26, 10)  # noqa: DTZ001
    with pytest.raises(ValidationError, match="timestamp has no UTC offset"):
        OccupancyEvent.model_validate(dumped | {"observed_at": naive})


# Property-based round trips ------------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)
labels = st.text(alphabet=string.printable[:-5], min_size=1, max_size=128)  # no \t\n\r\x0b\x0c
offsets = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=9.5))])
# Hypothesis takes naive bounds and attaches `timezones` itself.
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001
millis = st.datetimes(EARLIEST, LATEST, timezones=offsets).map(
    lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
)
seqs = st.integers(0, 2**63 - 1)
unit = st.floats(0, 1)


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


events = st.builds(
    OccupancyEvent,
    event_id=st.uuids(),
    node_id=ids,
    lot_id=ids,
    slot_id=ids,
    status=st.sampled_from(DetectedStatus),
    confidence=unit,
    observed_at=millis,
    seq=seqs,
    detector=st.none() | labels,
)
births = st.builds(
    NodeBirth,
    state=st.just("online"),
    bdseq=seqs,
    lot_id=ids,
    ts=millis,
    seq=seqs,
    slots=st.dictionaries(ids, st.sampled_from(DetectedStatus), max_size=20),
    software=st.none() | labels,
    detector=st.none() | labels,
)
heartbeats = st.builds(
    Heartbeat,
    node_id=ids,
    ts=millis,
    uptime_s=finite(0, 1e10),
    fps=finite(0, 120),
    camera=st.sampled_from(["ok", "error"]),
    buffered=seqs,
    seq=st.none() | seqs,
    cpu_temp_c=st.none() | finite(-50, 150),
)


@st.composite
def counts(draw: st.DrawFn) -> dict[str, int]:
    names = ("free", "occupied", "reserved", "unknown", "closed")
    parts = {name: draw(st.integers(0, 10_000)) for name in names}
    return parts | {"total": sum(parts.values())}


@st.composite
def availabilities(draw: st.DrawFn) -> Availability:
    rows = st.builds(lambda c, name: c | {"name": name}, counts(), st.text(min_size=1, max_size=64))
    floor = st.builds(
        lambda c, level, name, rs: c | {"level": level, "name": name, "rows": rs},
        counts(),
        st.integers(-20, 200),
        st.text(min_size=1, max_size=64),
        st.lists(rows, max_size=3),
    )
    document = draw(counts()) | {"lot_id": draw(ids), "updated_at": draw(millis)}
    document |= {"floors": draw(st.lists(floor, max_size=3))}
    return Availability.model_validate(document)


@pytest.mark.parametrize(
    ("kind", "strategy"),
    [
        (K.OCCUPANCY_EVENT, events),
        (K.NODE_STATUS, births),
        (K.HEARTBEAT, heartbeats),
        (K.AVAILABILITY, availabilities()),
    ],
)
@given(data=st.data())
def test_round_trip(
    kind: PayloadKind, strategy: st.SearchStrategy[BaseModel], data: st.DataObject
) -> None:
    message = data.draw(strategy)
    assert parse(kind, to_payload(message)) == message
    assert type(message).model_validate(message.model_dump()) == message
