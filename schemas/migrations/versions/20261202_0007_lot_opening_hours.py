"""Opening hours per lot.

`parking_lots.opening_hours` holds an OSM `opening_hours` expression (e.g.
`Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off`), evaluated in the lot's `timezone` by
`schemas/opening_hours.py`; NULL means always open, so every existing lot stays open.
`ix_slots_kind_lot_id` finds the lots with a bay of a kind (`GET /lots?kind=ev`); partial,
over the special (non-standard) bays in service only.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("parking_lots", sa.Column("opening_hours", sa.Text(), nullable=True))
    op.create_index(
        "ix_slots_kind_lot_id",
        "slots",
        ["kind", "lot_id"],
        postgresql_where=sa.text("kind <> 'standard' AND retired_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_slots_kind_lot_id", table_name="slots")
    op.drop_column("parking_lots", "opening_hours")
