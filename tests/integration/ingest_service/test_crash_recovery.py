"""At-least-once in, exactly-once in effect: SIGKILL a worker mid-stream and restart it."""

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.integration.ingest_service.processes import worker_process
from tests.integration.ingest_service.support import (
    T0,
    event,
    import_example_lot,
    occupancy_message,
    publisher,
    register_node,
    rows,
    scalar,
    slot_codes,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

N = 20_000


def test_sigkill_mid_stream_then_restart_stores_every_event_exactly_once(
    engine: Engine, database_url: str, mosquitto: MosquittoServer, tmp_path: Path
) -> None:
    lot = import_example_lot(engine, "downtown-garage")
    register_node(engine, "crash-node", lot)
    slots = slot_codes(engine, lot)
    events = [
        event("crash-node", lot, slots[i % len(slots)], ("free", "occupied")[i % 2],
              T0 + timedelta(milliseconds=i), i + 1)
        for i in range(N)
    ]  # fmt: skip
    group = f"g{uuid.uuid4().hex[:10]}"
    log = tmp_path / "worker.log"
    with worker_process(database_url, mosquitto, group, f"svc-{group}-w", log) as worker:
        with publisher(mosquitto) as pub:
            sender = threading.Thread(
                target=pub.publish, args=([occupancy_message(e) for e in events],)
            )
            sender.start()
            wait_for(
                lambda: scalar(engine, "SELECT count(*) FROM slot_events") >= N // 5, "a fifth"
            )
            worker.kill()
            killed_at = scalar(engine, "SELECT count(*) FROM slot_events")
            sender.join(timeout=120)
            assert not sender.is_alive()
        # Everything published while it was dead waits in its session (max_queued_messages).
        worker.start()
        wait_for(
            lambda: scalar(engine, "SELECT count(*) FROM slot_events") == N,
            "all events",
            timeout=120,
        )
        assert worker.terminate() == 0
    assert killed_at < N
    stored = {r[0] for r in rows(engine, "SELECT event_id FROM slot_events")}
    assert stored == {e.event_id for e in events}
    newest = {e.slot_id: e for e in events}  # published in observed order: the last one wins
    detected = dict(rows(engine, "SELECT code, detected_event_id FROM slots"))
    assert all(detected[slot] == e.event_id for slot, e in newest.items())
