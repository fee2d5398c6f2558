"""MQTT topic names: the one place topic strings are built and parsed.

Parsing is data-driven: generic checks (a table of predicates) reject what is never a
topic name, then the remaining segments are matched against a table of patterns.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

from schemas.errors import TopicError
from schemas.ids import ID_PATTERN, is_identifier

PREFIX: Final = "parking/v1"
SHARE_PREFIX: Final = "$share"
DEFAULT_SHARE_GROUP: Final = "ingest"
MAX_TOPIC_BYTES: Final = 65535  # MQTT strings carry a 16-bit length


class NodeTopicKind(StrEnum):
    """The last segment of a node topic."""

    STATUS = "status"
    OCCUPANCY = "occupancy"
    HEARTBEAT = "heartbeat"
    CONFIG = "config"
    CMD = "cmd"
    RECEIPT = "receipt"


# Broker roles derive from these: what a node publishes, and what it reads (cloud -> node).
NODE_SENDS: Final = (NodeTopicKind.STATUS, NodeTopicKind.OCCUPANCY, NodeTopicKind.HEARTBEAT)
NODE_READS: Final = (NodeTopicKind.CONFIG, NodeTopicKind.CMD, NodeTopicKind.RECEIPT)


def _require_id(field: str, value: str, topic: str) -> None:
    if not is_identifier(value):
        raise TopicError(topic, f"invalid {field} {value!r}: must match {ID_PATTERN}")


def _require_kind(value: str, topic: str) -> NodeTopicKind:
    try:
        return NodeTopicKind(value)
    except ValueError as exc:
        expected = ", ".join(NodeTopicKind)
        raise TopicError(topic, f"unknown kind {value!r}, expected one of {expected}") from exc


# Builders -------------------------------------------------------------------------------


def node_topic(node_id: str, kind: NodeTopicKind) -> str:
    """`parking/v1/nodes/{node_id}/{kind}`."""
    topic = f"{PREFIX}/nodes/{node_id}/{kind}"
    _require_id("node_id", node_id, topic)
    _require_kind(kind, topic)
    return topic


def slot_state_topic(lot_id: str, slot_id: str) -> str:
    """`parking/v1/lots/{lot_id}/slots/{slot_id}/state`."""
    topic = f"{PREFIX}/lots/{lot_id}/slots/{slot_id}/state"
    _require_id("lot_id", lot_id, topic)
    _require_id("slot_id", slot_id, topic)
    return topic


def availability_topic(lot_id: str) -> str:
    """`parking/v1/lots/{lot_id}/availability`."""
    topic = f"{PREFIX}/lots/{lot_id}/availability"
    _require_id("lot_id", lot_id, topic)
    return topic


def lot_alerts_topic(lot_id: str) -> str:
    """`parking/v1/lots/{lot_id}/alerts`: the lot's open alerts (retained; staff only)."""
    topic = f"{PREFIX}/lots/{lot_id}/alerts"
    _require_id("lot_id", lot_id, topic)
    return topic


# Subscription filters -------------------------------------------------------------------


def node_wildcard(kind: NodeTopicKind) -> str:
    """`parking/v1/nodes/+/{kind}`: one kind of topic from every node."""
    topic = f"{PREFIX}/nodes/+/{kind}"
    _require_kind(kind, topic)
    return topic


def shared_subscription(kind: NodeTopicKind, group: str = DEFAULT_SHARE_GROUP) -> str:
    """`$share/{group}/parking/v1/nodes/+/{kind}`: spread one kind over a worker group."""
    topic = f"{SHARE_PREFIX}/{group}/{node_wildcard(kind)}"
    # MQTT 5 forbids '/', '+' and '#' in a share name; the identifier syntax excludes them.
    _require_id("share group", group, topic)
    return topic


def slot_state_wildcard(lot_id: str | None = None) -> str:
    """`parking/v1/lots/{lot_id or +}/slots/+/state`: slot states of one lot or all lots."""
    if lot_id is None:
        return f"{PREFIX}/lots/+/slots/+/state"
    topic = f"{PREFIX}/lots/{lot_id}/slots/+/state"
    _require_id("lot_id", lot_id, topic)
    return topic


def availability_wildcard() -> str:
    """`parking/v1/lots/+/availability`: availability of every lot."""
    return f"{PREFIX}/lots/+/availability"


def lot_wildcard(lot_id: str | None = None) -> str:
    """`parking/v1/lots/{lot_id}/#` (or every lot): all read-side topics of a lot."""
    if lot_id is None:
        return f"{PREFIX}/lots/#"
    topic = f"{PREFIX}/lots/{lot_id}/#"
    _require_id("lot_id", lot_id, topic)
    return topic


# Parsed topics --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeTopic:
    """A node's topic: `parking/v1/nodes/{node_id}/{kind}`."""

    node_id: str
    kind: NodeTopicKind

    def __post_init__(self) -> None:
        node_topic(self.node_id, self.kind)

    @property
    def topic(self) -> str:
        """The topic string."""
        return node_topic(self.node_id, self.kind)


@dataclass(frozen=True, slots=True)
class SlotStateTopic:
    """A slot's retained state topic: `parking/v1/lots/{lot_id}/slots/{slot_id}/state`."""

    lot_id: str
    slot_id: str

    def __post_init__(self) -> None:
        slot_state_topic(self.lot_id, self.slot_id)

    @property
    def topic(self) -> str:
        """The topic string."""
        return slot_state_topic(self.lot_id, self.slot_id)


@dataclass(frozen=True, slots=True)
class AvailabilityTopic:
    """A lot's retained availability topic: `parking/v1/lots/{lot_id}/availability`."""

    lot_id: str

    def __post_init__(self) -> None:
        availability_topic(self.lot_id)

    @property
    def topic(self) -> str:
        """The topic string."""
        return availability_topic(self.lot_id)


@dataclass(frozen=True, slots=True)
class LotAlertsTopic:
    """A lot's retained open alerts: `parking/v1/lots/{lot_id}/alerts`."""

    lot_id: str

    def __post_init__(self) -> None:
        lot_alerts_topic(self.lot_id)

    @property
    def topic(self) -> str:
        """The topic string."""
        return lot_alerts_topic(self.lot_id)


ParsedTopic: TypeAlias = NodeTopic | SlotStateTopic | AvailabilityTopic | LotAlertsTopic

# Parsing --------------------------------------------------------------------------------


def _utf8_problem(topic: str) -> str | None:
    try:
        size = len(topic.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates cannot go on the wire at all
        return "not encodable as UTF-8"
    return f"{size} bytes in UTF-8, over {MAX_TOPIC_BYTES}" if size > MAX_TOPIC_BYTES else None


def _first_empty_segment(topic: str) -> int | None:
    return next((i for i, segment in enumerate(topic.split("/")) if not segment), None)


def _prefix_of(topic: str) -> str:
    return "/".join(topic.split("/")[:2])


# Each check returns the reason a string is no topic name of ours, or None. Order matters:
# earlier checks give the more useful reason (an empty segment beats a wrong prefix).
_CHECKS: Final[tuple[Callable[[str], str | None], ...]] = (
    lambda t: "empty topic" if not t else None,
    _utf8_problem,
    lambda t: "contains a NUL character" if "\0" in t else None,
    lambda t: "'$' topics belong to the broker" if t.startswith("$") else None,
    lambda t: "contains wildcard character '+'" if "+" in t else None,
    lambda t: "contains wildcard character '#'" if "#" in t else None,
    lambda t: "leading '/'" if t.startswith("/") else None,
    lambda t: "trailing '/'" if t.endswith("/") else None,
    lambda t: (
        f"empty segment at position {i}" if (i := _first_empty_segment(t)) is not None else None
    ),
    lambda t: f"wrong prefix, expected {PREFIX!r}" if _prefix_of(t) != PREFIX else None,
)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """Segments after the prefix: literals, or `{name}` placeholders captured as ids."""

    segments: tuple[str, ...]
    make: Callable[[Mapping[str, str], str], ParsedTopic]

    @property
    def template(self) -> str:
        return "/".join((PREFIX, *self.segments))


_PATTERNS: Final = (
    _Pattern(
        ("nodes", "{node_id}", "{kind}"),
        lambda ids, t: NodeTopic(ids["node_id"], _require_kind(ids["kind"], t)),
    ),
    _Pattern(
        ("lots", "{lot_id}", "slots", "{slot_id}", "state"),
        lambda ids, _t: SlotStateTopic(ids["lot_id"], ids["slot_id"]),
    ),
    _Pattern(
        ("lots", "{lot_id}", "availability"), lambda ids, _t: AvailabilityTopic(ids["lot_id"])
    ),
    _Pattern(("lots", "{lot_id}", "alerts"), lambda ids, _t: LotAlertsTopic(ids["lot_id"])),
)
_ROOTS: Final = tuple(dict.fromkeys(pattern.segments[0] for pattern in _PATTERNS))


def parse_topic(topic: str) -> ParsedTopic:
    """Parse a topic name into its ids and kind, or raise `TopicError` saying why not."""
    for check in _CHECKS:
        if (reason := check(topic)) is not None:
            raise TopicError(topic, reason)
    rest = topic.split("/")[2:]
    pattern = _select_pattern(topic, rest)
    ids = _capture(pattern, rest, topic)
    return pattern.make(ids, topic)


def _select_pattern(topic: str, rest: list[str]) -> _Pattern:
    """The pattern with the same root and segment count, or a TopicError naming the gap."""
    if not rest:
        raise TopicError(topic, f"wrong number of segments (2), nothing after {PREFIX!r}")
    if rest[0] not in _ROOTS:
        expected = " or ".join(repr(root) for root in _ROOTS)
        raise TopicError(topic, f"unknown segment {rest[0]!r} after prefix, expected {expected}")
    same_root = [pattern for pattern in _PATTERNS if pattern.segments[0] == rest[0]]
    for pattern in same_root:
        if len(pattern.segments) == len(rest):
            return pattern
    expected = " or ".join(pattern.template for pattern in same_root)
    count = len(rest) + 2
    raise TopicError(topic, f"wrong number of segments ({count}), expected {expected}")


def _capture(pattern: _Pattern, rest: list[str], topic: str) -> dict[str, str]:
    """The placeholder values, after checking literals and id syntax."""
    ids: dict[str, str] = {}
    for expected, segment in zip(pattern.segments, rest, strict=True):
        if expected.startswith("{"):
            ids[expected.strip("{}")] = segment
        elif segment != expected:
            raise TopicError(topic, f"unexpected segment {segment!r}, expected {expected!r}")
    for name, value in ids.items():
        if name != "kind":  # the kind is checked against NodeTopicKind by the pattern
            _require_id(name, value, topic)
    return ids
