"""Tariffs per lot and the fee of each parking session.

`tariffs` keeps every version of a lot's prices (`definition`: a `schemas.tariff.Tariff`
document); editing inserts the next version, so sessions priced under an older one keep
pointing at it. The tariff in force at t is the lot's highest version with valid_from <= t.
`parking_sessions` gains the stored fee (`fee_minor` in minor units of `fee_currency`) and
the `tariff_id` it was computed with; all three NULL until priced, or when the lot had no
tariff. A partial index finds ended sessions still to be priced, per lot.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tariffs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tariffs_version_positive")),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["parking_lots.id"],
            name=op.f("fk_tariffs_lot_id_parking_lots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_tariffs_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint("lot_id", "version", name=op.f("uq_tariffs_lot_id_version")),
    )
    op.add_column("parking_sessions", sa.Column("fee_minor", sa.Integer(), nullable=True))
    op.add_column("parking_sessions", sa.Column("fee_currency", sa.String(3), nullable=True))
    op.add_column("parking_sessions", sa.Column("tariff_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_parking_sessions_tariff_id_tariffs"),
        "parking_sessions",
        "tariffs",
        ["tariff_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_parking_sessions_fee_nonnegative"), "parking_sessions", "fee_minor >= 0"
    )
    op.create_check_constraint(
        op.f("ck_parking_sessions_fee_complete"),
        "parking_sessions",
        "(fee_minor IS NULL) = (fee_currency IS NULL) AND (fee_minor IS NULL) = (tariff_id IS NULL)",
    )
    op.create_index(
        "ix_parking_sessions_lot_id_started_at_unpriced",
        "parking_sessions",
        ["lot_id", "started_at"],
        postgresql_where=sa.text("ended_at IS NOT NULL AND fee_minor IS NULL"),
    )
    op.create_index("ix_parking_sessions_tariff_id", "parking_sessions", ["tariff_id"])


def downgrade() -> None:
    op.drop_index("ix_parking_sessions_tariff_id", table_name="parking_sessions")
    op.drop_index("ix_parking_sessions_lot_id_started_at_unpriced", table_name="parking_sessions")
    op.drop_constraint(op.f("ck_parking_sessions_fee_complete"), "parking_sessions", type_="check")
    op.drop_constraint(
        op.f("ck_parking_sessions_fee_nonnegative"), "parking_sessions", type_="check"
    )
    op.drop_constraint(
        op.f("fk_parking_sessions_tariff_id_tariffs"), "parking_sessions", type_="foreignkey"
    )
    op.drop_column("parking_sessions", "tariff_id")
    op.drop_column("parking_sessions", "fee_currency")
    op.drop_column("parking_sessions", "fee_minor")
    op.drop_table("tariffs")
