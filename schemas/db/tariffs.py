"""A lot's tariffs: every edit is a new version, old versions stay (sessions reference them).

`add_tariff_version` is the one writer, for the admin API and layout imports alike.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from schemas.db.base import Base, BigId, CreatedAt
from schemas.db.layout import ParkingLot
from schemas.tariff import Tariff as TariffDefinition


class Tariff(Base):
    """One version of a lot's prices (`definition` is a `schemas.tariff.Tariff` document).

    The tariff in force at an instant t is the lot's highest version with
    `valid_from <= t` (`schemas.db.session_fees`).
    """

    __tablename__ = "tariffs"
    __table_args__ = (
        UniqueConstraint("lot_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[BigId]
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    valid_from: Mapped[datetime]
    created_at: Mapped[CreatedAt]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def latest_tariff(session: Session, lot_id: int) -> Tariff | None:
    """The lot's newest version, whether or not it is in force yet."""
    query = select(Tariff).where(Tariff.lot_id == lot_id).order_by(Tariff.version.desc())
    return session.scalar(query.limit(1))


def add_tariff_version(
    session: Session,
    lot_id: int,
    definition: TariffDefinition,
    *,
    valid_from: datetime | None = None,
    created_by: int | None = None,
    now: datetime | None = None,
) -> Tariff | None:
    """Store `definition` as the lot's next version, valid from `valid_from` (default `now`,
    itself the system clock's by default);
    None, storing nothing, when it equals the newest version and no `valid_from` is given.
    Locks the lot, so concurrent edits number their versions one after the other."""
    session.execute(select(ParkingLot.id).where(ParkingLot.id == lot_id).with_for_update())
    latest = latest_tariff(session, lot_id)
    document = definition.model_dump(mode="json")
    if latest is not None and valid_from is None and latest.definition == document:
        return None
    row = Tariff(
        lot_id=lot_id,
        version=1 if latest is None else latest.version + 1,
        definition=document,
        valid_from=valid_from or now or datetime.now(UTC),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row
