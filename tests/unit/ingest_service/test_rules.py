"""The pure rules: event order, sessions, node sessions, seq gaps."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.rules import (
    CloseSession,
    Island,
    NodeRow,
    Observation,
    OpenSession,
    advance_watermark,
    apply_birth,
    apply_death,
    apply_heartbeat,
    birth_event_id,
    is_stale,
    newer,
    newest,
    plan_sessions,
    session_ops,
)
from schemas.enums import DetectedStatus, NodeState
from schemas.messages import Heartbeat, NodeBirth, NodeDeath

T = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
A, B = uuid.UUID(int=1), uuid.UUID(int=2)
FREE, OCC, UNK = DetectedStatus.FREE, DetectedStatus.OCCUPIED, DetectedStatus.UNKNOWN


def obs(seconds: int, status: DetectedStatus, seq: int = 0) -> Observation:
    return Observation((T + timedelta(seconds=seconds), seq, uuid.UUID(int=seconds + 100)), status)


@pytest.mark.parametrize(
    ("candidate", "current", "expected"),
    [
        ((T, 1, A), None, True),
        ((T, 2, A), (T, 1, A), True),
        ((T, 1, A), (T, 2, A), False),
        ((T, 1, B), (T, 1, A), True),  # exact tie: event_id decides, the same everywhere
        ((T, 1, A), (T, 1, A), False),  # the same event again changes nothing
        ((T - timedelta(seconds=1), 9, B), (T, 0, A), False),
    ],
)
def test_newer(
    candidate: tuple[datetime, int, uuid.UUID],
    current: tuple[datetime, int, uuid.UUID] | None,
    expected: bool,
) -> None:
    assert newer(candidate, current) is expected


def test_newest_ignores_older_events() -> None:
    events = [obs(1, OCC), obs(5, FREE), obs(3, OCC)]
    assert newest(None, events) == events[1]
    assert newest(obs(9, FREE).key, events) is None


@pytest.mark.parametrize(
    ("current", "timeline", "expected"),
    [
        (FREE, [(0, OCC), (60, FREE), (180, OCC)], ["open@0", "close@60", "open@180"]),
        (UNK, [(0, OCC), (10, UNK), (20, OCC)], ["open@0"]),  # blind camera: same stay
        (OCC, [(5, OCC)], []),
        (OCC, [(5, FREE), (6, FREE)], ["close@5"]),
        (UNK, [(3, FREE)], ["close@3"]),  # closes a session opened before we knew
        (FREE, [(60, FREE), (0, OCC)], ["open@0", "close@60"]),  # sorted by observation
    ],
)
def test_session_ops(
    current: DetectedStatus, timeline: list[tuple[int, DetectedStatus]], expected: list[str]
) -> None:
    ops = session_ops(current, None, [obs(s, status) for s, status in timeline])
    described = [
        f"{'open' if isinstance(op, OpenSession) else 'close'}@{int((op.at - T).total_seconds())}"
        for op in ops
    ]
    assert described == expected


def test_late_events_open_no_session() -> None:
    assert session_ops(FREE, obs(100, FREE).key, [obs(50, OCC)]) == []
    assert isinstance(session_ops(FREE, obs(100, FREE).key, [obs(150, OCC)])[0], OpenSession)
    assert isinstance(session_ops(OCC, None, [obs(1, FREE)])[0], CloseSession)


def row(state: NodeState = NodeState.OFFLINE, bdseq: int | None = None) -> NodeRow:
    return NodeRow(
        "n1", "lot", True, state, bdseq, None, None, None, None, None, 0, None, None, None
    )


def birth(bdseq: int, seq: int = 10) -> NodeBirth:
    return NodeBirth(state="online", bdseq=bdseq, lot_id="lot", ts=T, seq=seq, slots={})


@pytest.mark.parametrize(
    ("before", "bdseq", "state", "resync"),
    [
        (row(), 1, NodeState.ONLINE, False),  # first birth ever
        (row(NodeState.OFFLINE, 1), 2, NodeState.ONLINE, True),  # back online
        (row(NodeState.OFFLINE, 2), 1, NodeState.OFFLINE, False),  # an old birth, late
        (row(NodeState.OFFLINE, 2), 2, NodeState.OFFLINE, False),  # its will came first
        (row(NodeState.ONLINE, 2), 2, NodeState.ONLINE, False),  # redelivered
        (row(NodeState.STALE, 2), 3, NodeState.ONLINE, True),
    ],
)
def test_births(before: NodeRow, bdseq: int, state: NodeState, resync: bool) -> None:
    outcome = apply_birth(before, birth(bdseq), T)
    assert (outcome.row.state, outcome.resync) == (state, resync)


@pytest.mark.parametrize(
    ("before", "bdseq", "state"),
    [
        (row(NodeState.ONLINE, 2), 2, NodeState.OFFLINE),
        (row(NodeState.ONLINE, 2), 1, NodeState.ONLINE),  # a late will of an older session
        (row(NodeState.ONLINE, 2), 3, NodeState.OFFLINE),  # its birth is still on the way
    ],
)
def test_wills(before: NodeRow, bdseq: int, state: NodeState) -> None:
    assert apply_death(before, NodeDeath(state="offline", bdseq=bdseq)).row.state is state


def test_a_heartbeat_revives_a_stale_node_but_not_an_offline_one() -> None:
    beat = Heartbeat(node_id="n1", ts=T, uptime_s=1, fps=2, camera="error", buffered=4, seq=7)
    stale = apply_heartbeat(row(NodeState.STALE, 1), beat, T)
    offline = apply_heartbeat(row(NodeState.OFFLINE, 1), beat, T)
    assert (stale.row.state, stale.resync) == (NodeState.ONLINE, True)
    assert (offline.row.state, offline.resync) == (NodeState.OFFLINE, False)
    assert (stale.row.camera_ok, stale.row.buffered, stale.row.reported_seq) == (False, 4, 7)


def test_the_oldest_seq_a_node_holds_only_rises() -> None:
    def beat(oldest: int | None) -> Heartbeat:
        return Heartbeat(node_id="n1", ts=T, uptime_s=1, fps=2, camera="ok", buffered=0,
                         oldest_seq=oldest)  # fmt: skip

    first = apply_heartbeat(row(NodeState.ONLINE, 1), beat(40), T).row
    assert first.oldest_seq == 40
    assert apply_heartbeat(first, beat(12), T).row.oldest_seq == 40  # a late, older report
    assert apply_heartbeat(first, beat(None), T).row.oldest_seq == 40  # an older node version
    born = NodeBirth(state="online", bdseq=2, lot_id="lot", ts=T, seq=60, slots={},
                     oldest_seq=55)  # fmt: skip
    assert apply_birth(first, born, T).row.oldest_seq == 55


def test_staleness() -> None:
    seen = NodeRow(
        "n1", "l", True, NodeState.ONLINE, 1, None, T, None, None, None, 0, None, None, None
    )
    assert not is_stale(seen, T + timedelta(seconds=90), timedelta(seconds=90))
    assert is_stale(seen, T + timedelta(seconds=91), timedelta(seconds=90))


WINDOW = timedelta(seconds=5)


@pytest.mark.parametrize(
    ("last", "islands", "reported", "expected"),
    [
        (None, [], None, (None, False)),
        (None, [(5, 9, 0)], None, (9, False)),  # the first seq seen starts the watermark
        (4, [(5, 9, 0)], None, (9, False)),
        (4, [(7, 9, 0)], None, (9, True)),  # gap 5-6 open for longer than the window
        (4, [(7, 9, 3)], None, (4, False)),  # gap still young: wait
        (4, [(5, 6, 0), (9, 9, 4)], None, (6, False)),
        (9, [], (12, 0), (12, True)),  # a heartbeat reported a tail that never came
        (9, [], (12, 3), (9, False)),
    ],
)
def test_advance_watermark(
    last: int | None,
    islands: list[tuple[int, int, int]],
    reported: tuple[int, int] | None,
    expected: tuple[int | None, bool],
) -> None:
    now = T + timedelta(seconds=6)
    mark = advance_watermark(
        last,
        [Island(lo, hi, T + timedelta(seconds=s)) for lo, hi, s in islands],
        None if reported is None else (reported[0], T + timedelta(seconds=reported[1])),
        now,
        WINDOW,
    )
    assert (mark.last_seq, mark.resync) == expected


def test_birth_event_ids_are_stable_per_node_session_and_slot() -> None:
    assert birth_event_id("n1", 1, "A01") == birth_event_id("n1", 1, "A01")
    assert birth_event_id("n1", 1, "A01") != birth_event_id("n1", 2, "A01")


def test_plan_sessions_folds_a_batch_into_rows() -> None:
    ops = session_ops(OCC, None, [obs(10, FREE), obs(20, OCC), obs(30, FREE), obs(40, OCC)])
    writes = plan_sessions(True, ops)
    assert writes.close_open is not None
    assert writes.close_open.at == T + timedelta(seconds=10)
    assert [(s.started_at, s.ended_at) for s in writes.inserts] == [
        (T + timedelta(seconds=20), T + timedelta(seconds=30)),
        (T + timedelta(seconds=40), None),
    ]


def at(seconds: int) -> datetime:
    return T + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("has_open", "statuses", "closes_at", "inserted"),
    [
        # An open session (a driver's check-in, say) absorbs an occupied transition...
        (True, [OCC], None, []),
        # ...and a free transition ends it, whoever opened it.
        (True, [FREE], 10, []),
        (True, [FREE, OCC], 10, [(20, None)]),
        (False, [OCC], None, [(10, None)]),
        (False, [OCC, FREE], None, [(10, 20)]),
        (False, [FREE], None, []),  # nothing open: nothing to end
    ],
)
def test_plan_sessions_treats_any_open_session_as_the_stay(
    has_open: bool,
    statuses: list[DetectedStatus],
    closes_at: int | None,
    inserted: list[tuple[int, int | None]],
) -> None:
    current = FREE if statuses[0] is OCC else OCC
    observed = [obs(10 * (i + 1), status) for i, status in enumerate(statuses)]
    writes = plan_sessions(has_open, session_ops(current, None, observed))
    assert writes.close_open == (
        None if closes_at is None else CloseSession(at(closes_at), observed[0].event_id)
    )
    assert [(s.started_at, s.ended_at) for s in writes.inserts] == [
        (at(a), None if b is None else at(b)) for a, b in inserted
    ]
