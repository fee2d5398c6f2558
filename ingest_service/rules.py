"""Pure decisions of ingest: event order, session transitions, node sessions, seq gaps.

No I/O here: the batch writer reads rows (locked), asks these functions what to do, and
writes the answer, so each rule has short table-driven tests.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple, TypeAlias
from uuid import UUID

from schemas.enums import DetectedStatus, NodeState
from schemas.messages import Heartbeat, NodeBirth, NodeDeath
from schemas.status import EventKey

# Birth snapshots become slot events with ids derived from (node, bdseq, slot), so a
# redelivered birth deduplicates exactly like a redelivered event.
_BIRTH_NAMESPACE = uuid.UUID("5b0c3a57-7d1e-4c1b-9a57-3f5e2d6c8b10")


def birth_event_id(node_id: str, bdseq: int, slot_id: str) -> UUID:
    """The stable event id of one slot of one birth snapshot."""
    return uuid.uuid5(_BIRTH_NAMESPACE, f"{node_id}/{bdseq}/{slot_id}")


def newer(candidate: EventKey, current: EventKey | None) -> bool:
    """Whether an observation replaces the current one (nothing beats no observation)."""
    return current is None or candidate > current


# Sessions --------------------------------------------------------------------------------


class Observation(NamedTuple):
    """One new event of a slot, as the planner needs it (a tuple: thousands per batch)."""

    key: EventKey
    status: DetectedStatus

    @property
    def at(self) -> datetime:
        """When it was observed."""
        return self.key[0]

    @property
    def event_id(self) -> UUID:
        """Its event id."""
        return self.key[2]


@dataclass(frozen=True, slots=True)
class OpenSession:
    """Start a detection session at an occupied transition."""

    at: datetime
    event_id: UUID


@dataclass(frozen=True, slots=True)
class CloseSession:
    """End the open detection session at a free transition."""

    at: datetime
    event_id: UUID


SessionOp: TypeAlias = OpenSession | CloseSession


def session_ops(
    current: DetectedStatus, current_key: EventKey | None, events: Iterable[Observation]
) -> list[SessionOp]:
    """The session changes that the events newer than the current detection make, in order.

    Occupied opens, free closes, unknown (camera blind) neither: a car is not known to have
    left. Older (late) events change nothing, so they never open or close a session.
    """
    known = None if current is DetectedStatus.UNKNOWN else current
    ops: list[SessionOp] = []
    for event in sorted((e for e in events if newer(e.key, current_key)), key=_by_key):
        if event.status is DetectedStatus.OCCUPIED and known is not DetectedStatus.OCCUPIED:
            ops.append(OpenSession(event.at, event.event_id))
        elif event.status is DetectedStatus.FREE and known is not DetectedStatus.FREE:
            ops.append(CloseSession(event.at, event.event_id))
        if event.status is not DetectedStatus.UNKNOWN:
            known = event.status
    return ops


def _by_key(observation: Observation) -> EventKey:
    return observation.key


def newest(current_key: EventKey | None, events: Iterable[Observation]) -> Observation | None:
    """The event that becomes the slot's detection, or None when none is newer."""
    best = max(events, default=None, key=_by_key)
    return best if best is not None and newer(best.key, current_key) else None


# Node sessions (Sparkplug-style births and wills) -----------------------------------------


@dataclass(frozen=True, slots=True)
class NodeRow:
    """The liveness columns of one `nodes` row, as locked by the writer."""

    id: str
    lot_code: str
    enabled: bool
    state: NodeState
    bdseq: int | None
    last_seq: int | None
    last_seen: datetime | None
    last_heartbeat_at: datetime | None
    software: str | None
    detector: str | None
    buffered: int
    camera_ok: bool | None
    reported_seq: int | None
    reported_seq_at: datetime | None
    oldest_seq: int | None = None  # the oldest seq the node holds, as it last said


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    """A node row after a message, and whether the cloud should ask for a resync."""

    row: NodeRow
    resync: bool = False


def apply_birth(row: NodeRow, birth: NodeBirth, now: datetime) -> NodeOutcome:
    """A birth newer than anything seen brings the node online; older or repeated ones don't.

    A birth with the bdseq of a will already received is that will's own (older) session.
    """
    if row.bdseq is not None and (
        birth.bdseq < row.bdseq or (birth.bdseq == row.bdseq and row.state is NodeState.OFFLINE)
    ):
        return NodeOutcome(row)
    if birth.bdseq == row.bdseq:  # a redelivery of the current birth
        return NodeOutcome(replace(row, last_seen=_later(row.last_seen, now)))
    last_seq = birth.seq if row.last_seq is None else max(row.last_seq, birth.seq)
    updated = replace(
        row,
        state=NodeState.ONLINE,
        bdseq=birth.bdseq,
        last_seq=last_seq,
        last_seen=_later(row.last_seen, now),
        software=birth.software,
        detector=birth.detector,
        oldest_seq=_max(row.oldest_seq, birth.oldest_seq),
    )
    # A node seen before that comes back may have missed commands or lost events.
    return NodeOutcome(updated, resync=row.bdseq is not None)


def apply_death(row: NodeRow, death: NodeDeath) -> NodeOutcome:
    """The will of the current (or a newer) session takes the node offline; older ones don't."""
    if row.bdseq is not None and death.bdseq < row.bdseq:
        return NodeOutcome(row)
    return NodeOutcome(replace(row, state=NodeState.OFFLINE, bdseq=death.bdseq))


def apply_heartbeat(row: NodeRow, beat: Heartbeat, now: datetime) -> NodeOutcome:
    """Record health; a stale node speaking again is back online (an offline one needs a birth)."""
    reported, reported_at = row.reported_seq, row.reported_seq_at
    if beat.seq is not None and (reported is None or beat.seq > reported):
        reported, reported_at = beat.seq, now
    revived = row.state is NodeState.STALE
    updated = replace(
        row,
        state=NodeState.ONLINE if revived else row.state,
        last_seen=_later(row.last_seen, now),
        last_heartbeat_at=_later(row.last_heartbeat_at, beat.ts),
        buffered=beat.buffered,
        camera_ok=beat.camera == "ok",
        reported_seq=reported,
        reported_seq_at=reported_at,
        oldest_seq=_max(row.oldest_seq, beat.oldest_seq),
    )
    return NodeOutcome(updated, resync=revived)


def is_stale(row: NodeRow, now: datetime, stale_after: timedelta) -> bool:
    """An online node silent for longer than `stale_after`."""
    silent = row.last_seen is None or now - row.last_seen > stale_after
    return row.state is NodeState.ONLINE and silent


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _max(a: int | None, b: int | None) -> int | None:
    """The larger of two optional counters: a node only ever raises its oldest seq."""
    return a if b is None else b if a is None else max(a, b)


# Seq gaps -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Island:
    """A run of consecutive seqs received from a node, and when its first one arrived."""

    low: int
    high: int
    first_received_at: datetime


@dataclass(frozen=True, slots=True)
class Watermark:
    """The node's contiguous-seq watermark after a sweep, and whether a gap expired."""

    last_seq: int | None
    resync: bool = False


def advance_watermark(
    last_seq: int | None,
    islands: Sequence[Island],
    reported: tuple[int, datetime] | None,
    now: datetime,
    window: timedelta,
) -> Watermark:
    """Move the watermark over received seqs; a gap older than `window` asks for a resync.

    The first seq ever seen starts the watermark (there is nothing to compare before it).
    A heartbeat that reported a seq beyond everything received is a lost tail.
    """
    ordered = sorted(islands, key=lambda island: island.low)
    if last_seq is None:
        if not ordered:
            return Watermark(None)
        last_seq = ordered[0].low - 1
    resync = False
    for island in ordered:
        if island.high <= last_seq:
            continue
        if island.low > last_seq + 1:
            if now - island.first_received_at < window:
                return Watermark(last_seq, resync)  # may still fill: wait
            resync = True
        last_seq = island.high
    if reported is not None and reported[0] > last_seq and now - reported[1] >= window:
        return Watermark(reported[0], True)
    return Watermark(last_seq, resync)


# Session writes ---------------------------------------------------------------------------


@dataclass
class NewSession:
    """A detection session to insert (already ended when the batch also saw its end)."""

    started_at: datetime
    start_event_id: UUID
    ended_at: datetime | None = None
    end_event_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class SessionWrites:
    """One slot's session changes as rows: close the open one, insert new ones."""

    close_open: CloseSession | None
    inserts: list[NewSession]


def plan_sessions(has_open: bool, ops: Sequence[SessionOp]) -> SessionWrites:
    """Fold a slot's ordered open/close operations into rows to write in two statements.

    `has_open`: the slot already has an open session, whoever opened it (detection, or a
    driver's check-in through the API). That session is the stay: an occupied transition
    does not open a second one, and a free transition ends it.
    """
    close_open: CloseSession | None = None
    inserts: list[NewSession] = []
    current: bool | NewSession = has_open
    for op in ops:
        if isinstance(op, OpenSession):
            if current is False:
                current = NewSession(op.at, op.event_id)
                inserts.append(current)
        elif isinstance(current, NewSession):
            current.ended_at, current.end_event_id = op.at, op.event_id
            current = False
        elif current is True:
            close_open, current = op, False
    return SessionWrites(close_open, inserts)
