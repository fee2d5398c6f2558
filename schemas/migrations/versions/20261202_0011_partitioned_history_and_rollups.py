"""slot_events partitioned by week of observed_at; hourly occupancy rollups per slot kind.

`slot_events` becomes a table range-partitioned by `observed_at`: one partition per UTC week
(Monday to Monday) named `slot_events_pYYYYMMDD` after its Monday, and `slot_events_default`
for a row no week covers (never lost; ingest's operations job moves such rows into their
week once it creates it). A unique key of a partitioned table must hold the partition key:
the primary key is (event_id, observed_at) and `id` loses its unique constraint (its
identity sequence keeps it unique). Existing rows move in this migration: the old table is
renamed, the new one gets a partition for every week that has rows and for the weeks around
today, the rows are copied with their ids (the identity continues after the largest), the
indexes are built once after the copy, and the old table is dropped.

`occupancy_hourly` holds per lot, slot kind and UTC hour the slots in service and the
time-weighted mean number of them occupied, free and unknown; `occupancy_rollup_state` the
rollup's progress (`ingest_service/history.py`).

Downgrade rebuilds the plain table with the same rows; should two rows share an event id
(only an event id reused with another observed_at can do that) the first stored stays.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "event_id, id, slot_id, lot_id, node_id, status, confidence, observed_at, seq, detector, "
    "origin, received_at, tx_id"
)
_INDEXES = (
    ("ix_slot_events_lot_id_observed_at", ["lot_id", "observed_at"]),
    ("ix_slot_events_node_id_seq", ["node_id", "seq"]),
    ("ix_slot_events_slot_id_observed_at", ["slot_id", "observed_at"]),
    ("ix_slot_events_tx_id_id", ["tx_id", "id"]),
    ("ix_slot_events_lot_id_tx_id_id", ["lot_id", "tx_id", "id"]),
)
# Weeks created around today besides those holding rows: ingest's operations job keeps
# creating them ahead from then on.
_WEEKS_BACK, _WEEKS_AHEAD = 2, 4


def _columns() -> list[SchemaItem]:
    status = sa.Enum(
        "free", "occupied", "unknown", name="status", native_enum=False, create_constraint=True,
        length=16,
    )  # fmt: skip
    return [
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("detector", sa.String(length=128), nullable=True),
        sa.Column("origin", sa.String(length=8), server_default="event", nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "tx_id",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
            nullable=False,
        ),
        sa.CheckConstraint("origin IN ('event', 'birth')", name=op.f("ck_slot_events_origin")),
        sa.CheckConstraint(
            "confidence IS NULL OR confidence BETWEEN 0 AND 1",
            name=op.f("ck_slot_events_confidence_range"),
        ),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_slot_events_seq_nonnegative")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["parking_lots.id"], name=op.f("fk_slot_events_lot_id_parking_lots")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_slot_events_slot_id_slots")
        ),
    ]


def _set_aside(old_indexes: Sequence[str]) -> None:
    """Rename slot_events, its indexes and identity sequence out of the new table's way."""
    op.rename_table("slot_events", "slot_events_old")
    for name in old_indexes:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    op.execute("ALTER SEQUENCE slot_events_id_seq RENAME TO slot_events_old_id_seq")


def _copy_rows(select: str) -> None:
    op.execute(f"INSERT INTO slot_events ({_COLUMNS}) OVERRIDING SYSTEM VALUE {select}")
    op.execute(
        "SELECT setval(pg_get_serial_sequence('slot_events', 'id'),"
        " coalesce((SELECT max(id) FROM slot_events), 0) + 1, false)"
    )


def _create_indexes() -> None:
    for name, columns in _INDEXES:
        op.create_index(name, "slot_events", columns)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def upgrade() -> None:
    _set_aside(["pk_slot_events", "uq_slot_events_id", *(name for name, _ in _INDEXES)])
    op.create_table(
        "slot_events",
        *_columns(),
        sa.PrimaryKeyConstraint("event_id", "observed_at", name=op.f("pk_slot_events")),
        postgresql_partition_by="RANGE (observed_at)",
    )
    op.execute("CREATE TABLE slot_events_default PARTITION OF slot_events DEFAULT")
    bind = op.get_bind()
    # Mondays of the weeks that hold rows (date_bin from a Monday, in UTC).
    held = bind.execute(
        sa.text(
            "SELECT DISTINCT date_bin('7 days', observed_at, TIMESTAMPTZ '2001-01-01 00:00Z')"
            " FROM slot_events_old"
        )
    ).scalars()
    today = datetime.now(UTC).date()
    weeks = {w.astimezone(UTC).date() for w in held} | {
        _monday(today) + timedelta(weeks=n) for n in range(-_WEEKS_BACK, _WEEKS_AHEAD + 1)
    }
    for monday in sorted(weeks):
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        op.execute(
            f"CREATE TABLE slot_events_p{monday:%Y%m%d} PARTITION OF slot_events FOR VALUES"
            f" FROM ('{start.isoformat()}') TO ('{(start + timedelta(weeks=1)).isoformat()}')"
        )
    _copy_rows(f"SELECT {_COLUMNS} FROM slot_events_old")  # noqa: S608 (constant)
    op.drop_table("slot_events_old")
    _create_indexes()
    op.create_table(
        "occupancy_hourly",
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("occupied_avg", sa.Double(), nullable=False),
        sa.Column("free_avg", sa.Double(), nullable=False),
        sa.Column("unknown_avg", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", "kind", "hour", name=op.f("pk_occupancy_hourly")),
    )
    op.create_table(
        "occupancy_rollup_state",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("rolled_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_xmin", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_occupancy_rollup_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancy_rollup_state")),
    )


def downgrade() -> None:
    op.drop_table("occupancy_rollup_state")
    op.drop_table("occupancy_hourly")
    _set_aside(["pk_slot_events", *(name for name, _ in _INDEXES)])
    op.create_table(
        "slot_events",
        *_columns(),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slot_events")),
        sa.UniqueConstraint("id", name=op.f("uq_slot_events_id")),
    )
    first_of_each = "SELECT DISTINCT ON (event_id) {} FROM slot_events_old ORDER BY event_id, id"
    _copy_rows(first_of_each.format(_COLUMNS))
    op.drop_table("slot_events_old")  # with its partitions
    _create_indexes()
