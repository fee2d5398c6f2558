"""A node's liveness changing while another worker writes that node's events.

Two workers share the node topics, so a node's birth or will and its occupancy events can be
in two concurrent transactions. Whichever order they commit in, the stored effective status
(which the retained MQTT state is published from) must end up what the facts say.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from ingest_service.db import Database
from ingest_service.decode import Birth, Death, Event, Item
from ingest_service.writer import write_batch
from schemas.messages import NodeBirth, NodeDeath
from tests.integration.ingest_service.support import event, rows, scalar

pytestmark = pytest.mark.integration

SLOT = "A05"


def _write(database: Database, items: list[Item]) -> None:
    with database.transaction() as conn:
        write_batch(conn, items, [], datetime.now(UTC), 4096)


def _stored(engine: Engine, lot: str) -> tuple[str, str, str | None]:
    """(stored status, detected status, detecting node) of SLOT."""
    found = rows(
        engine,
        "SELECT s.status, s.detected_status, s.detected_node_id FROM slots s "
        "JOIN parking_lots l ON l.id = s.lot_id WHERE l.code = :lot AND s.code = :slot",
        lot=lot,
        slot=SLOT,
    )
    return found[0]


def _race(engine: Engine, url: str, events: list[Item], liveness: list[Item]) -> None:
    """Write `events` in an open transaction, then `liveness` from another worker, then commit
    the events: the liveness change commits before the events when nothing makes it wait."""
    # The liveness worker's connection is named, so the race can see it wait.
    events_db, liveness_db = Database(url), Database(url, application_name="liveness")
    try:
        with events_db.transaction() as conn:
            write_batch(conn, events, [], datetime.now(UTC), 4096)
            other = threading.Thread(target=_write, args=(liveness_db, liveness))
            other.start()
            # Until the other worker finishes or waits for one of our locks (bounded).
            for _ in range(500):
                other.join(timeout=0.02)
                waiting = scalar(
                    engine,
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'liveness' AND wait_event_type = 'Lock'",
                )
                if not other.is_alive() or waiting:
                    break
        other.join(timeout=30)
        assert not other.is_alive()
    finally:
        events_db.close()
        liveness_db.close()


@pytest.fixture
def race(engine: Engine, database_url: str) -> Callable[[list[Item], list[Item]], None]:
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    return lambda events, liveness: _race(engine, url, events, liveness)


def test_birth_racing_the_nodes_first_events(
    engine: Engine,
    harbour: str,
    unborn_node: str,
    race: Callable[[list[Item], list[Item]], None],
) -> None:
    now = datetime.now(UTC)
    occupied = Event(0, unborn_node, event(unborn_node, harbour, SLOT, "occupied", now, 1))
    born = Birth(
        0,
        unborn_node,
        NodeBirth(state="online", bdseq=1, lot_id=harbour, ts=now, seq=0, slots={}),
    )
    race([occupied], [born])
    assert scalar(engine, "SELECT state FROM nodes WHERE id = :n", n=unborn_node) == "online"
    # The node is online and saw the car: occupied, not the `unknown` of an unborn node.
    assert _stored(engine, harbour) == ("occupied", "occupied", unborn_node)


def test_will_racing_the_nodes_first_events(
    engine: Engine,
    harbour: str,
    node_id: str,
    race: Callable[[list[Item], list[Item]], None],
) -> None:
    now = datetime.now(UTC)
    occupied = Event(0, node_id, event(node_id, harbour, SLOT, "occupied", now, 1))
    died = Death(0, node_id, NodeDeath(state="offline", bdseq=0))
    race([occupied], [died])
    assert scalar(engine, "SELECT state FROM nodes WHERE id = :n", n=node_id) == "offline"
    # The node is dead: its detection no longer counts.
    assert _stored(engine, harbour) == ("unknown", "occupied", node_id)
