"""What each alert kind measures, read from the stored facts of a real database."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import Engine, text

from ingest_service.alerts_observe import OBSERVERS, Scope
from ingest_service.db import Connection
from schemas.alerts import AlertKind

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def conn(database_url: str) -> Iterator[Connection]:
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def write(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def scope(engine: Engine, lot: str) -> Scope:
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT operator_id, id FROM parking_lots WHERE code = :lot"), {"lot": lot}
        ).one()
    return Scope(row[0], row[1])


def test_free_slots_count_in_service_free_slots(
    engine: Engine, harbour: str, conn: Connection
) -> None:
    write(engine, "UPDATE slots SET status = 'occupied'")
    write(engine, "UPDATE slots SET status = 'free' WHERE code IN ('A01', 'A02')")
    seen = OBSERVERS[AlertKind.LOT_FREE_BELOW](conn, scope(engine, harbour), NOW)
    assert seen[harbour].value == 2
    assert seen[harbour].details == {"free": 2, "total": 24}
    # An operator-wide scope measures the same lot.
    everywhere = Scope(scope(engine, harbour).operator_id, None)
    assert OBSERVERS[AlertKind.LOT_FULL](conn, everywhere, NOW)[harbour].value == 2


def test_node_silence_and_camera_health(
    engine: Engine, harbour: str, node_id: str, unborn_node: str, conn: Connection
) -> None:
    write(
        engine,
        "UPDATE nodes SET state = 'online', camera_ok = false, last_seen = :at WHERE id = :id",
        at=NOW,
        id=node_id,
    )
    write(
        engine,
        "UPDATE nodes SET state = 'stale', last_seen = :at WHERE id = :id",
        at=NOW - timedelta(seconds=300),
        id=unborn_node,
    )
    where = scope(engine, harbour)
    silence = OBSERVERS[AlertKind.NODE_OFFLINE](conn, where, NOW)
    assert (silence[node_id].value, silence[unborn_node].value) == (0, 300)
    cameras = OBSERVERS[AlertKind.CAMERA_NOT_OK](conn, where, NOW)
    assert cameras[node_id].value == 1
    assert unborn_node not in cameras  # not online: its last heartbeat says nothing now
    write(engine, "UPDATE nodes SET enabled = false WHERE id = :id", id=unborn_node)
    assert unborn_node not in OBSERVERS[AlertKind.NODE_OFFLINE](conn, where, NOW)


def test_override_expiry_in_seconds_left(engine: Engine, harbour: str, conn: Connection) -> None:
    write(
        engine,
        "UPDATE slots SET override_status = 'closed', override_set_at = :at,"
        " override_until = :until WHERE code = 'A03'",
        at=NOW - timedelta(hours=1),
        until=NOW + timedelta(seconds=90),
    )
    seen = OBSERVERS[AlertKind.OVERRIDE_EXPIRING](conn, scope(engine, harbour), NOW)
    assert list(seen) == [f"{harbour}/A03"]
    assert seen[f"{harbour}/A03"].value == 90
    later = NOW + timedelta(seconds=91)
    assert OBSERVERS[AlertKind.OVERRIDE_EXPIRING](conn, scope(engine, harbour), later) == {}


def test_dead_letters_of_the_lots_nodes_are_counted(
    engine: Engine, harbour: str, node_id: str, conn: Connection
) -> None:
    for payload, occurrences in ((b"{", 5), (b"[", 2)):
        write(
            engine,
            "INSERT INTO dead_letters (topic, payload, reason, node_id, occurrences)"
            " VALUES (:topic, :payload, 'malformed_json', :node, :n)",
            topic=f"parking/v1/nodes/{node_id}/occupancy",
            payload=payload,
            node=node_id,
            n=occurrences,
        )
    seen = OBSERVERS[AlertKind.DEAD_LETTER_RATE](conn, scope(engine, harbour), NOW)
    assert seen[harbour].counter == 7


def test_ingest_lag_of_events_received_in_the_last_minute(
    engine: Engine, harbour: str, node_id: str, conn: Connection
) -> None:
    for observed, received, origin in (
        (NOW - timedelta(seconds=45), NOW - timedelta(seconds=5), "event"),  # 40 s late
        (NOW - timedelta(seconds=30), NOW - timedelta(seconds=20), "event"),  # 10 s late
        (NOW - timedelta(seconds=900), NOW - timedelta(seconds=1), "birth"),  # a snapshot
        (NOW - timedelta(seconds=600), NOW - timedelta(seconds=120), "event"),  # too long ago
    ):
        write(
            engine,
            "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, observed_at,"
            " seq, origin, received_at) SELECT :id, s.id, s.lot_id, :node, 'free', :observed,"
            " 1, :origin, :received FROM slots s WHERE s.code = 'A01'",
            id=uuid.uuid4(),
            node=node_id,
            observed=observed,
            origin=origin,
            received=received,
        )
    seen = OBSERVERS[AlertKind.INGEST_LAG](conn, scope(engine, harbour), NOW)
    assert (seen[harbour].value, seen[harbour].details) == (40, {"events": 2})
