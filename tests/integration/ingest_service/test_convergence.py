"""Order-independent convergence: duplicates, shuffles and three workers end in one state.

Hypothesis draws event streams over a few slots and two nodes (with ties in observed_at and
seq, so event_id breaks them), duplicates some messages and shuffles everything; three
workers in one share group consume it. The database must equal a reference model of the
rules: every distinct event once, each slot showing its greatest (observed_at, seq, event_id).
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from ingest_service.settings import IngestSettings
from ingest_service.worker import Worker
from schemas.messages import OccupancyEvent
from tests.integration.ingest_service.support import (
    T0,
    Publisher,
    event,
    occupancy_message,
    register_node,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

SLOTS = ["B01", "B02", "B03", "B04"]
NODES = ("conv-a", "conv-b")

_RESET = """
    TRUNCATE slot_events, parking_sessions, dead_letters, published_slot_states,
        published_availability CASCADE;
    UPDATE slots SET detected_status = 'unknown', detected_at = NULL, detected_seq = NULL,
        detected_event_id = NULL, detected_confidence = NULL, detected_node_id = NULL,
        last_confirmed_at = NULL, status = 'unknown', status_source = 'detected';
"""

_event_specs = st.lists(
    st.tuples(
        st.sampled_from(NODES),
        st.sampled_from(SLOTS),
        st.sampled_from(["free", "occupied", "unknown"]),
        st.integers(0, 5),  # few distinct instants: plenty of ties
        st.integers(1, 6),  # seqs repeat across nodes: event_id breaks the tie
    ),
    min_size=1,
    max_size=40,
)


@pytest.fixture
def three_workers(
    engine: Engine, harbour: str, make_settings: Callable[..., IngestSettings]
) -> Iterator[list[Worker]]:
    for node in NODES:
        register_node(engine, node, harbour)
    with ExitStack() as stack:
        yield [
            stack.enter_context(running_worker(make_settings(f"w{i}", batch_size=7)))
            for i in range(3)
        ]


@pytest.fixture
def conv_publisher(mosquitto: MosquittoServer) -> Iterator[Publisher]:
    pub = Publisher(mosquitto, window=50)
    yield pub
    pub.close()


def committed(workers: list[Worker]) -> float:
    """Occupancy messages the workers have committed (written or found duplicate)."""
    return sum(
        w.metrics.registry.get_sample_value("ingest_messages_total", {"kind": "occupancy"}) or 0.0
        for w in workers
    )


def reference(events: list[OccupancyEvent]) -> dict[str, tuple[str, int, uuid.UUID]]:
    """The rules, simply: per slot, the event with the greatest (observed_at, seq, event_id)."""
    best: dict[str, OccupancyEvent] = {}
    for e in events:
        current = best.get(e.slot_id)
        if current is None or (e.observed_at, e.seq, e.event_id) > (
            current.observed_at,
            current.seq,
            current.event_id,
        ):
            best[e.slot_id] = e
    return {slot: (e.status.value, e.seq, e.event_id) for slot, e in best.items()}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=_event_specs, data=st.data())
def test_any_interleaving_over_three_workers_converges_to_the_reference(
    engine: Engine,
    harbour: str,
    three_workers: list[Worker],
    conv_publisher: Publisher,
    specs: list[tuple[str, str, str, int, int]],
    data: st.DataObject,
) -> None:
    with engine.begin() as conn:
        conn.execute(text(_RESET))
    events = [
        event(node, harbour, slot, status, T0 + timedelta(seconds=t), seq)
        for node, slot, status, t, seq in specs
    ]
    duplicated = events + data.draw(st.lists(st.sampled_from(events), max_size=len(events)))
    stream = data.draw(st.permutations(duplicated))
    before = committed(three_workers)
    conv_publisher.publish([occupancy_message(e) for e in stream])
    # Every copy, not only every event: a duplicate still in flight when the next example
    # truncates slot_events would be written there as new.
    wait_for(lambda: committed(three_workers) - before == len(stream), "every message committed")
    assert scalar(engine, "SELECT count(*) FROM slot_events") == len(events)
    expected = reference(events)
    stored = {
        code: (detected, seq, event_id)
        for code, detected, seq, event_id in rows(
            engine,
            "SELECT code, detected_status, detected_seq, detected_event_id FROM slots "
            "WHERE detected_at IS NOT NULL",
        )
    }
    assert stored == expected
    effective = dict(rows(engine, "SELECT code, status FROM slots WHERE code = ANY(:c)", c=SLOTS))
    assert effective == {slot: expected.get(slot, ("unknown",))[0] for slot in SLOTS}
    stored_ids = {r[0] for r in rows(engine, "SELECT event_id FROM slot_events")}
    assert stored_ids == {e.event_id for e in events}
    assert scalar(engine, "SELECT count(*) FROM dead_letters") == 0
