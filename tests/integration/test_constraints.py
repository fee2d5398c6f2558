"""The database itself refuses data that would make no sense, whatever the application does."""

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

pytestmark = pytest.mark.integration

SEED = """
INSERT INTO operators (code, name) VALUES ('city', 'City'), ('other', 'Other');
INSERT INTO parking_lots (code, operator_id, name, address, latitude, longitude, timezone)
VALUES ('lot-a', 1, 'A', 'a', 52.0, 4.0, 'UTC'), ('lot-b', 2, 'B', 'b', 52.1, 4.1, 'UTC');
INSERT INTO floors (lot_id, level, name) VALUES (1, 0, 'Ground'), (2, 0, 'Ground');
INSERT INTO rows (lot_id, floor_id, name, position) VALUES (1, 1, 'A', 0), (2, 2, 'A', 0);
INSERT INTO slots (lot_id, row_id, code, kind, position) VALUES (1, 1, 'S1', 'standard', 0);
INSERT INTO users (email, password_hash, role) VALUES ('driver@example.org', 'x', 'driver');
INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at)
VALUES (1, 1, 1, 'active', '2026-11-26T10:00Z', '2026-11-26T10:15Z');
INSERT INTO parking_sessions (slot_id, lot_id, opened_by, started_at)
VALUES (1, 1, 'detection', '2026-11-26T09:00Z');
"""


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with engine.begin() as connection:
        for statement in filter(str.strip, SEED.split(";")):
            connection.execute(text(statement))
    return engine


def insert_row(connection: Connection, sql: str) -> None:
    connection.execute(text(sql))


REJECTED = {
    "duplicate slot code in a lot": (
        "INSERT INTO slots (lot_id, row_id, code, kind, position) "
        "VALUES (1, 1, 'S1', 'standard', 1)",
        "uq_slots_lot_id_code",
    ),
    "slot in a row of another lot": (
        "INSERT INTO slots (lot_id, row_id, code, kind, position) "
        "VALUES (1, 2, 'S2', 'standard', 1)",
        "fk_slots_row_id_lot_id_rows",
    ),
    "row on a floor of another lot": (
        "INSERT INTO rows (lot_id, floor_id, name, position) VALUES (1, 2, 'B', 1)",
        "fk_rows_floor_id_lot_id_floors",
    ),
    "orphan slot (no such lot)": (
        "INSERT INTO slots (lot_id, row_id, code, kind, position) "
        "VALUES (99, 1, 'S3', 'standard', 0)",
        "fk_slots",
    ),
    "active slot without a row": (
        "INSERT INTO slots (lot_id, code, kind, position) VALUES (1, 'S4', 'standard', 0)",
        "ck_slots_active_has_row",
    ),
    "orphan event (no such slot)": (
        "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, observed_at, seq) "
        "VALUES (gen_random_uuid(), 42, 1, 'n1', 'free', now(), 1)",
        "fk_slot_events_slot_id_slots",
    ),
    "unknown effective status": (
        "UPDATE slots SET status = 'parked'",
        "ck_slots_status",
    ),
    "node reporting closed": (
        "UPDATE slots SET detected_status = 'closed'",
        "ck_slots_detected_status",
    ),
    "unknown slot kind": (
        "UPDATE slots SET kind = 'bus'",
        "ck_slots_kind",
    ),
    "unknown role": (
        "INSERT INTO users (email, password_hash, role) VALUES ('x@example.org', 'x', 'root')",
        "ck_users_role",
    ),
    "operator staff without an operator": (
        "INSERT INTO users (email, password_hash, role) VALUES ('o@example.org', 'x', 'operator')",
        "ck_users_operator_staff_has_operator",
    ),
    "duplicate email": (
        "INSERT INTO users (email, password_hash, role) "
        "VALUES ('driver@example.org', 'y', 'driver')",
        "uq_users_email",
    ),
    "latitude out of range": (
        "UPDATE parking_lots SET latitude = 91 WHERE code = 'lot-a'",
        "ck_parking_lots_latitude_range",
    ),
    "override without its timestamp": (
        "UPDATE slots SET override_status = 'free'",
        "ck_slots_override_complete",
    ),
    "second driver holding the same slot at once": (
        "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at) "
        "VALUES (1, 1, 1, 'active', '2026-11-26T10:10Z', '2026-11-26T10:25Z')",
        "ex_reservations_no_overlapping_active",
    ),
    "reservation ending before it starts": (
        "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at) "
        "VALUES (1, 1, 1, 'active', '2026-11-26T12:00Z', '2026-11-26T11:00Z')",
        "ck_reservations_expires_after_start",
    ),
    "second open session on one slot": (
        "INSERT INTO parking_sessions (slot_id, lot_id, opened_by, started_at) "
        "VALUES (1, 1, 'detection', '2026-11-26T09:30Z')",
        "uq_parking_sessions_open_slot",
    ),
    "negative event seq": (
        "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, observed_at, seq) "
        "VALUES (gen_random_uuid(), 1, 1, 'n1', 'free', now(), -1)",
        "ck_slot_events_seq_nonnegative",
    ),
}


@pytest.mark.parametrize(("sql", "constraint"), REJECTED.values(), ids=REJECTED.keys())
def test_database_rejects(seeded: Engine, sql: str, constraint: str) -> None:
    with pytest.raises(IntegrityError) as excinfo, seeded.begin() as connection:
        insert_row(connection, sql)
    assert constraint in str(excinfo.value.orig)


ACCEPTED = {
    "same slot code in another lot": (
        "INSERT INTO slots (lot_id, row_id, code, kind, position) "
        "VALUES (2, 2, 'S1', 'standard', 0)"
    ),
    "back-to-back reservations": (
        "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at) "
        "VALUES (1, 1, 1, 'active', '2026-11-26T10:15Z', '2026-11-26T10:30Z')"
    ),
    "overlapping reservation that was cancelled": (
        "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at) "
        "VALUES (1, 1, 1, 'cancelled', '2026-11-26T10:05Z', '2026-11-26T10:20Z')"
    ),
    "retired slot without a row": (
        "INSERT INTO slots (lot_id, code, kind, position, retired_at) "
        "VALUES (1, 'OLD', 'standard', 0, now())"
    ),
}


@pytest.mark.parametrize("sql", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_database_accepts(seeded: Engine, sql: str) -> None:
    with seeded.begin() as connection:
        assert connection.execute(text(sql)).rowcount == 1


def test_closed_session_has_its_duration(seeded: Engine) -> None:
    with seeded.begin() as connection:
        connection.execute(text("UPDATE parking_sessions SET ended_at = '2026-11-26T10:30Z'"))
        duration = connection.scalar(text("SELECT duration_s FROM parking_sessions"))
    assert duration == 90 * 60
