"""A lot's tariffs: every edit is a new version, old versions stay (sessions reference them)."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base, BigId, CreatedAt


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
