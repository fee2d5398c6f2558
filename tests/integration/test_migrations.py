"""The Alembic migrations build the whole model from empty, match it, and unwind cleanly."""

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from parkctl.__main__ import main as parkctl
from schemas.db import Base
from schemas.db.migrate import downgrade, upgrade
from schemas.db.partitions import is_partition
from tests.integration.ingest_service.support import import_example_lot

pytestmark = pytest.mark.integration


def public_tables(engine: Engine) -> set[str]:
    """Tables of the model: slot_events' partitions are its storage, not tables of their own."""
    return {name for name in inspect(engine).get_table_names() if not is_partition(name)}


def _model_objects(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and is_partition(name))


@pytest.fixture
def empty_engine(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    return create_engine(empty_database_url)


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    assert public_tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}
    empty_engine.dispose()


def test_migrated_schema_matches_the_models(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _model_objects})
        differences = compare_metadata(context, Base.metadata)
    empty_engine.dispose()
    assert differences == [], "models changed without a migration: run alembic revision"


def test_downgrade_to_base_leaves_nothing_and_upgrade_again_works(empty_engine: Engine) -> None:
    assert parkctl(["db", "upgrade"]) == 0
    assert parkctl(["db", "downgrade", "base"]) == 0
    assert public_tables(empty_engine) == {"alembic_version"}
    with empty_engine.connect() as connection:
        extensions = set(connection.scalars(text("SELECT extname FROM pg_extension")))
    assert "btree_gist" not in extensions
    assert parkctl(["db", "upgrade"]) == 0
    assert "slots" in public_tables(empty_engine)
    empty_engine.dispose()


def test_upgrade_against_an_unreachable_database_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert parkctl(["db", "upgrade"]) == 1
    assert "database unreachable" in capsys.readouterr().err


def test_0005_merges_duplicate_dead_letters_and_downgrades(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0004")
    engine = create_engine(empty_database_url)
    t0 = datetime(2026, 11, 26, 10, tzinfo=UTC)
    # Incompressible and over the ~2.7 kB of a B-tree entry: the key must hash the topic.
    long_topic = f"parking/v1/nodes/{secrets.token_hex(10_000)}/occupancy"
    letters = [  # (topic, payload, reason, detail, received at)
        ("t/a", b"{", "malformed_json", "oldest", t0 + timedelta(minutes=1)),
        ("t/a", b"{", "malformed_json", "later", t0 + timedelta(minutes=9)),
        ("t/a", b"{", "schema_violation", "", t0),  # another reason
        ("t/b", b"{", "malformed_json", "", t0),  # another topic
        ("t/a", b"{", "malformed_json", "", t0),  # a later id that was received first
        ("t/a", b"[", "malformed_json", "", t0),  # another payload
        (long_topic, b"{", "bad_topic", "", t0),
        (long_topic, b"{", "bad_topic", "", t0 + timedelta(minutes=2)),
    ]
    with engine.begin() as connection:
        for topic, payload, reason, detail, at in letters:
            connection.execute(
                text(
                    "INSERT INTO dead_letters (topic, payload, reason, detail, received_at)"
                    " VALUES (:topic, :payload, :reason, :detail, :at)"
                ),
                {"topic": topic, "payload": payload, "reason": reason, "detail": detail, "at": at},
            )
    upgrade(empty_database_url, "0005")
    merged = "SELECT id, reason, detail, received_at, last_seen_at, occurrences FROM dead_letters"
    with engine.connect() as connection:
        after = {r.id: tuple(r)[1:] for r in connection.execute(text(merged + " ORDER BY id"))}
    minute = timedelta(minutes=1)
    assert after == {
        1: ("malformed_json", "oldest", t0, t0 + 9 * minute, 3),
        3: ("schema_violation", "", t0, t0, 1),
        4: ("malformed_json", "", t0, t0, 1),
        6: ("malformed_json", "", t0, t0, 1),
        7: ("bad_topic", "", t0, t0 + 2 * minute, 2),
    }
    downgrade(empty_database_url, "0004")
    with engine.connect() as connection:
        ids = list(connection.scalars(text("SELECT id FROM dead_letters ORDER BY id")))
    columns = {c["name"] for c in inspect(engine).get_columns("dead_letters")}
    engine.dispose()
    assert ids == [1, 3, 4, 6, 7]
    assert not columns & {"occurrences", "last_seen_at", "topic_sha256", "payload_sha256"}
    upgrade(empty_database_url)


def test_0011_moves_slot_events_into_weekly_partitions_and_back(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0010")
    engine = create_engine(empty_database_url)
    import_example_lot(engine, "harbour-surface")
    instants = [  # far apart: weeks of their own, one before the partitions made around today
        datetime(2024, 2, 29, 23, 59, tzinfo=UTC),
        datetime(2026, 11, 23, 0, 0, tzinfo=UTC),  # a Monday at 00:00: that week's first instant
        datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC),  # the Sunday before
    ]
    with engine.begin() as connection:
        for n, at in enumerate(instants):
            connection.execute(
                text(
                    "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status,"
                    " confidence, observed_at, seq, origin) SELECT :id, s.id, s.lot_id, 'node-m',"
                    " :status, :confidence, :at, :seq, 'event' FROM slots s WHERE s.code = 'A01'"
                ),
                {
                    "id": uuid.uuid4(), "status": ("free", "occupied")[n % 2],
                    "confidence": None if n else 0.5, "at": at, "seq": n,
                },
            )  # fmt: skip
    stored = (
        "SELECT event_id, id, slot_id, lot_id, node_id, status, confidence, observed_at, seq,"
        " detector, origin, received_at, tx_id FROM slot_events ORDER BY id"
    )
    with engine.connect() as connection:
        before = [tuple(row) for row in connection.execute(text(stored))]
    upgrade(empty_database_url, "0011")
    where = "SELECT tableoid::regclass::text FROM slot_events ORDER BY id"
    with engine.begin() as connection:
        assert [tuple(row) for row in connection.execute(text(stored))] == before
        assert list(connection.scalars(text(where))) == [
            "slot_events_p20240226", "slot_events_p20261123", "slot_events_p20261116",
        ]  # fmt: skip
        # The identity continues after the rows moved; dedupe is on (event_id, observed_at).
        new_id = connection.scalar(
            text(
                "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status,"
                " observed_at, seq) SELECT event_id, slot_id, lot_id, node_id, status,"
                " observed_at + interval '1 second', seq FROM slot_events WHERE id = 1"
                " RETURNING id"
            )
        )
    assert new_id == len(instants) + 1
    assert "slot_events" in public_tables(engine)
    downgrade(empty_database_url, "0010")
    with engine.connect() as connection:
        after = [tuple(row) for row in connection.execute(text(stored))]
        kind = connection.scalar(text("SELECT relkind FROM pg_class WHERE relname = 'slot_events'"))
    # The plain table again, with the rows as they were: of two rows sharing an event id,
    # the first stored stays.
    assert after == before
    assert kind == "r"
    assert not public_tables(engine) & {"occupancy_hourly", "occupancy_rollup_state"}
    upgrade(empty_database_url)
    engine.dispose()
