"""Initial schema: tenants, layout, nodes, history.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:22:12.024229
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The reservations exclusion constraint compares bigint slot ids inside a GiST index.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index(
        "ix_dead_letters_reason_received_at",
        "dead_letters",
        ["reason", "received_at"],
        unique=False,
    )
    op.create_index("ix_dead_letters_received_at", "dead_letters", ["received_at"], unique=False)
    op.create_table(
        "operators",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("code", name=op.f("uq_operators_code")),
    )
    op.create_table(
        "parking_lots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "latitude BETWEEN -90 AND 90", name=op.f("ck_parking_lots_latitude_range")
        ),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_parking_lots_longitude_range")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_parking_lots_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_lots")),
        sa.UniqueConstraint("code", name=op.f("uq_parking_lots_code")),
    )
    op.create_index(
        "ix_parking_lots_latitude_longitude",
        "parking_lots",
        ["latitude", "longitude"],
        unique=False,
    )
    op.create_index("ix_parking_lots_operator_id", "parking_lots", ["operator_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "driver",
                "operator",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'operator') = (operator_id IS NOT NULL)",
            name=op.f("ck_users_operator_staff_has_operator"),
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lowercase")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_users_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index("ix_users_operator_id", "users", ["operator_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_audit_log_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"], unique=False)
    op.create_index("ix_audit_log_operator_id_at", "audit_log", ["operator_id", "at"], unique=False)
    op.create_table(
        "floors",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.CheckConstraint("level BETWEEN -20 AND 200", name=op.f("ck_floors_level_range")),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["parking_lots.id"],
            name=op.f("fk_floors_lot_id_parking_lots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floors")),
        sa.UniqueConstraint("id", "lot_id", name=op.f("uq_floors_id_lot_id")),
        sa.UniqueConstraint("lot_id", "level", name=op.f("uq_floors_lot_id_level")),
    )
    op.create_table(
        "nodes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "online",
                "offline",
                "stale",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="offline",
            nullable=False,
        ),
        sa.Column("bdseq", sa.BigInteger(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("software", sa.String(length=128), nullable=True),
        sa.Column("detector", sa.String(length=128), nullable=True),
        sa.Column("buffered", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("camera_ok", sa.Boolean(), nullable=True),
        sa.Column("slot_map", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("slot_map_version", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("bdseq IS NULL OR bdseq >= 0", name=op.f("ck_nodes_bdseq_nonnegative")),
        sa.CheckConstraint("buffered >= 0", name=op.f("ck_nodes_buffered_nonnegative")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["parking_lots.id"], name=op.f("fk_nodes_lot_id_parking_lots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    op.create_index("ix_nodes_lot_id", "nodes", ["lot_id"], unique=False)
    op.create_table(
        "rows",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("floor_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["floor_id", "lot_id"],
            ["floors.id", "floors.lot_id"],
            name=op.f("fk_rows_floor_id_lot_id_floors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["parking_lots.id"],
            name=op.f("fk_rows_lot_id_parking_lots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rows")),
        sa.UniqueConstraint("floor_id", "name", name=op.f("uq_rows_floor_id_name")),
        sa.UniqueConstraint("id", "lot_id", name=op.f("uq_rows_id_lot_id")),
    )
    op.create_index("ix_rows_lot_id", "rows", ["lot_id"], unique=False)
    op.create_table(
        "slots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "standard",
                "ev",
                "accessible",
                "compact",
                "motorcycle",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "detected_status",
            sa.Enum(
                "free",
                "occupied",
                "unknown",
                name="detected_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detected_seq", sa.BigInteger(), nullable=True),
        sa.Column("detected_confidence", sa.Double(), nullable=True),
        sa.Column("detected_event_id", sa.Uuid(), nullable=True),
        sa.Column("detected_node_id", sa.String(length=64), nullable=True),
        sa.Column("last_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "override_status",
            sa.Enum(
                "free",
                "occupied",
                "unknown",
                "closed",
                name="override_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("override_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "free",
                "occupied",
                "reserved",
                "unknown",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column(
            "status_source",
            sa.Enum(
                "detected",
                "override",
                "reservation",
                "admin",
                name="status_source",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="detected",
            nullable=False,
        ),
        sa.Column(
            "status_since",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) OR (closed_reason IS NOT NULL)", name=op.f("ck_slots_closed_why")
        ),
        sa.CheckConstraint(
            "(override_status IS NULL) = (override_set_at IS NULL)",
            name=op.f("ck_slots_override_complete"),
        ),
        sa.CheckConstraint(
            "detected_confidence IS NULL OR detected_confidence BETWEEN 0 AND 1",
            name=op.f("ck_slots_confidence_range"),
        ),
        sa.CheckConstraint(
            "retired_at IS NOT NULL OR row_id IS NOT NULL", name=op.f("ck_slots_active_has_row")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["parking_lots.id"], name=op.f("fk_slots_lot_id_parking_lots")
        ),
        sa.ForeignKeyConstraint(
            ["override_by"], ["users.id"], name=op.f("fk_slots_override_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["row_id", "lot_id"],
            ["rows.id", "rows.lot_id"],
            name=op.f("fk_slots_row_id_lot_id_rows"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint("lot_id", "code", name=op.f("uq_slots_lot_id_code")),
    )
    op.create_index("ix_slots_lot_id_status", "slots", ["lot_id", "status"], unique=False)
    op.create_index("ix_slots_row_id", "slots", ["row_id"], unique=False)
    op.create_table(
        "parking_sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_by", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "duration_s",
            sa.Double(),
            sa.Computed(
                "EXTRACT(EPOCH FROM (ended_at - started_at))::double precision",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.Column("start_event_id", sa.Uuid(), nullable=True),
        sa.Column("end_event_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "opened_by IN ('detection', 'driver')", name=op.f("ck_parking_sessions_opened_by")
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_parking_sessions_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["parking_lots.id"], name=op.f("fk_parking_sessions_lot_id_parking_lots")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_parking_sessions_slot_id_slots")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_parking_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parking_sessions")),
        sa.UniqueConstraint("end_event_id", name=op.f("uq_parking_sessions_end_event_id")),
        sa.UniqueConstraint("start_event_id", name=op.f("uq_parking_sessions_start_event_id")),
    )
    op.create_index(
        "ix_parking_sessions_lot_id_started_at",
        "parking_sessions",
        ["lot_id", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_parking_sessions_slot_id_started_at",
        "parking_sessions",
        ["slot_id", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_parking_sessions_user_id_started_at",
        "parking_sessions",
        ["user_id", "started_at"],
        unique=False,
    )
    op.create_index(
        "uq_parking_sessions_open_slot",
        "parking_sessions",
        ["slot_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "fulfilled",
                "cancelled",
                "expired",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("slot_id"), "="),
            (sa.text("tstzrange(starts_at, expires_at)"), "&&"),
            where=sa.text("state = 'active'"),
            using="gist",
            name="ex_reservations_no_overlapping_active",
        ),
        sa.CheckConstraint(
            "expires_at > starts_at", name=op.f("ck_reservations_expires_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["parking_lots.id"], name=op.f("fk_reservations_lot_id_parking_lots")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_reservations_slot_id_slots")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reservations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(
        "ix_reservations_slot_id_expires_at",
        "reservations",
        ["slot_id", "expires_at"],
        unique=False,
    )
    op.create_index(
        "ix_reservations_user_id_starts_at", "reservations", ["user_id", "starts_at"], unique=False
    )
    op.create_table(
        "slot_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "free",
                "occupied",
                "unknown",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slot_events")),
        sa.UniqueConstraint("id", name=op.f("uq_slot_events_id")),
    )
    op.create_index(
        "ix_slot_events_lot_id_observed_at", "slot_events", ["lot_id", "observed_at"], unique=False
    )
    op.create_index("ix_slot_events_node_id_seq", "slot_events", ["node_id", "seq"], unique=False)
    op.create_index(
        "ix_slot_events_slot_id_observed_at",
        "slot_events",
        ["slot_id", "observed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_slot_events_slot_id_observed_at", table_name="slot_events")
    op.drop_index("ix_slot_events_node_id_seq", table_name="slot_events")
    op.drop_index("ix_slot_events_lot_id_observed_at", table_name="slot_events")
    op.drop_table("slot_events")
    op.drop_index("ix_reservations_user_id_starts_at", table_name="reservations")
    op.drop_index("ix_reservations_slot_id_expires_at", table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(
        "uq_parking_sessions_open_slot",
        table_name="parking_sessions",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index("ix_parking_sessions_user_id_started_at", table_name="parking_sessions")
    op.drop_index("ix_parking_sessions_slot_id_started_at", table_name="parking_sessions")
    op.drop_index("ix_parking_sessions_lot_id_started_at", table_name="parking_sessions")
    op.drop_table("parking_sessions")
    op.drop_index("ix_slots_row_id", table_name="slots")
    op.drop_index("ix_slots_lot_id_status", table_name="slots")
    op.drop_table("slots")
    op.drop_index("ix_rows_lot_id", table_name="rows")
    op.drop_table("rows")
    op.drop_index("ix_nodes_lot_id", table_name="nodes")
    op.drop_table("nodes")
    op.drop_table("floors")
    op.drop_index("ix_audit_log_operator_id_at", table_name="audit_log")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_users_operator_id", table_name="users")
    op.drop_table("users")
    op.drop_index("ix_parking_lots_operator_id", table_name="parking_lots")
    op.drop_index("ix_parking_lots_latitude_longitude", table_name="parking_lots")
    op.drop_table("parking_lots")
    op.drop_table("operators")
    op.drop_index("ix_dead_letters_received_at", table_name="dead_letters")
    op.drop_index("ix_dead_letters_reason_received_at", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
