"""Message -> typed item or rejection: the pure validation every message passes first.

Topic kinds are routed by a table (kind -> payload limit, adapter, builder). Checks that need
the database (lot, slot and node registration) happen in the batch writer, in SQL.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from pydantic import TypeAdapter

from schemas.errors import PayloadError, TopicError
from schemas.messages import (
    MAX_PAYLOAD_BYTES,
    NODE_STATUS_ADAPTER,
    Heartbeat,
    NodeBirth,
    NodeDeath,
    OccupancyEvent,
    PayloadKind,
    parse_payload,
)
from schemas.topics import NodeTopic, NodeTopicKind, ParsedTopic, parse_topic


class Reason(StrEnum):
    """Dead-letter reason codes (`dead_letters.reason`)."""

    OVERSIZE = "oversize"
    MALFORMED_JSON = "malformed_json"
    SCHEMA_VIOLATION = "schema_violation"
    BAD_TOPIC = "bad_topic"
    UNEXPECTED_TOPIC = "unexpected_topic"
    NODE_MISMATCH = "node_mismatch"
    FUTURE_TIMESTAMP = "future_timestamp"
    STALE_TIMESTAMP = "stale_timestamp"
    UNKNOWN_LOT = "unknown_lot"
    UNKNOWN_NODE = "unknown_node"
    UNKNOWN_SLOT = "unknown_slot"
    SLOT_NOT_MAPPED = "slot_not_mapped"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class Event:
    """A valid occupancy event."""

    index: int
    node_id: str
    event: OccupancyEvent


@dataclass(frozen=True, slots=True)
class Birth:
    """A valid birth certificate (online status with a slot snapshot)."""

    index: int
    node_id: str
    birth: NodeBirth


@dataclass(frozen=True, slots=True)
class Death:
    """A valid Last Will (offline status)."""

    index: int
    node_id: str
    death: NodeDeath


@dataclass(frozen=True, slots=True)
class Beat:
    """A valid heartbeat."""

    index: int
    node_id: str
    heartbeat: Heartbeat


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that goes to the dead letters."""

    index: int
    reason: Reason
    detail: str
    node_id: str | None = None
    seq: int | None = None  # an occupancy event's seq, when its payload was readable


Item: TypeAlias = Event | Birth | Death | Beat | Rejected


def at_index(item: Item, index: int) -> Item:
    """The item as message `index` of its batch."""
    if item.index == index:
        return item
    if isinstance(item, Event):  # the common case, without replace()'s introspection
        return Event(index, item.node_id, item.event)
    return replace(item, index=index)


class _Reject(Exception):  # noqa: N818 - internal control flow, never escapes decode()
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Context:
    """What a decision needs besides the message: the clock, the tolerance and the horizon."""

    now: datetime
    future_tolerance: timedelta
    max_age: timedelta = timedelta(days=7)


def _not_future(ts: datetime, field: str, ctx: Context) -> None:
    if ts > ctx.now + ctx.future_tolerance:
        ahead = (ts - ctx.now).total_seconds()
        raise _Reject(Reason.FUTURE_TIMESTAMP, f"{field} is {ahead:.1f} s ahead of the clock")


def _not_too_old(ts: datetime, field: str, ctx: Context) -> None:
    if ts < ctx.now - ctx.max_age:
        age, horizon = (ctx.now - ts).total_seconds(), ctx.max_age.total_seconds()
        detail = f"{field} is {age:.0f} s old, beyond the {horizon:.0f} s horizon"
        raise _Reject(Reason.STALE_TIMESTAMP, detail)


def _same_node(payload_node: str, topic_node: str) -> None:
    if payload_node != topic_node:
        detail = f"payload node_id {payload_node!r} differs from topic node {topic_node!r}"
        raise _Reject(Reason.NODE_MISMATCH, detail)


def _occupancy(index: int, topic: NodeTopic, value: Any, ctx: Context) -> Item:
    event: OccupancyEvent = value
    _same_node(event.node_id, topic.node_id)
    _not_future(event.observed_at, "observed_at", ctx)
    _not_too_old(event.observed_at, "observed_at", ctx)
    return Event(index, topic.node_id, event)


def _status(index: int, topic: NodeTopic, value: Any, ctx: Context) -> Item:
    if isinstance(value, NodeBirth):
        _not_future(value.ts, "ts", ctx)
        return Birth(index, topic.node_id, value)
    death: NodeDeath = value
    return Death(index, topic.node_id, death)


def _heartbeat(index: int, topic: NodeTopic, value: Any, ctx: Context) -> Item:
    beat: Heartbeat = value
    _same_node(beat.node_id, topic.node_id)
    _not_future(beat.ts, "ts", ctx)
    return Beat(index, topic.node_id, beat)


@dataclass(frozen=True, slots=True)
class Route:
    """How one kind of node topic is parsed and turned into an item."""

    payload_kind: PayloadKind
    adapter: TypeAdapter[Any]
    build: Callable[[int, NodeTopic, Any, Context], Item]


ROUTES: Final[Mapping[NodeTopicKind, Route]] = MappingProxyType(
    {
        NodeTopicKind.OCCUPANCY: Route(
            PayloadKind.OCCUPANCY_EVENT, TypeAdapter(OccupancyEvent), _occupancy
        ),
        NodeTopicKind.STATUS: Route(PayloadKind.NODE_STATUS, NODE_STATUS_ADAPTER, _status),
        NodeTopicKind.HEARTBEAT: Route(PayloadKind.HEARTBEAT, TypeAdapter(Heartbeat), _heartbeat),
    }
)
"""The node topics ingest consumes; any other topic is a dead letter."""


# A fleet has a few topics per node, each seen thousands of times: parse each once. Bounded,
# so a flood of random topic names cannot grow it (rejected topics raise and are not kept).
@functools.lru_cache(maxsize=16_384)
def _parse(topic: str) -> ParsedTopic:
    return parse_topic(topic)


def _consumed_topic(topic: str) -> NodeTopic:
    parsed = _parse(topic)
    if not isinstance(parsed, NodeTopic) or parsed.kind not in ROUTES:
        raise _Reject(Reason.UNEXPECTED_TOPIC, f"ingest does not consume {topic!r}")
    return parsed


def decode(index: int, topic: str, payload: bytes, ctx: Context) -> Item:
    """Validate one message into an item, or say why it is rejected."""
    node_id: str | None = None
    seq: int | None = None
    try:
        parsed = _consumed_topic(topic)
        node_id = parsed.node_id
        route = ROUTES[parsed.kind]
        value = parse_payload(route.adapter, payload, MAX_PAYLOAD_BYTES[route.payload_kind])
        if isinstance(value, OccupancyEvent):
            # A refused event still counts as handled for the node's receipt, under the
            # topic's node id (the broker lets a node write only under its own).
            seq = value.seq
        return route.build(index, parsed, value, ctx)
    except TopicError as exc:
        return Rejected(index, Reason.BAD_TOPIC, exc.reason)
    except PayloadError as exc:
        return Rejected(index, Reason(exc.code), exc.detail, node_id)
    except _Reject as exc:
        return Rejected(index, exc.reason, exc.detail, node_id, seq)
