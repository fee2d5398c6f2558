"""Hourly occupancy rollups per lot and slot kind, built from `slot_events` by ingest's
operations job (`ingest_service/history.py`) and read by the admin stats and forecasts."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Double, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base


class OccupancyHourly(Base):
    """One UTC hour of one lot's slots of one kind: time-weighted mean slots per detected state.

    `slots` are the slots of that kind in service during the hour (not retired before it
    began); `occupied_avg + free_avg + unknown_avg == slots`. A slot with no detection yet
    counts as unknown. No foreign keys: history outlives a lot's layout.
    """

    __tablename__ = "occupancy_hourly"

    lot_id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)  # start of the UTC hour
    slots: Mapped[int] = mapped_column(Integer)
    occupied_avg: Mapped[float] = mapped_column(Double)
    free_avg: Mapped[float] = mapped_column(Double)
    unknown_avg: Mapped[float] = mapped_column(Double)


class OccupancyRollupState(Base):
    """The rollup's progress (one row): hours before `rolled_to` are rolled up, and every
    event a transaction below `seen_xmin` wrote was visible to the run that rolled them;
    rows with a larger `tx_id` were not, and their hours are rolled again (late events)."""

    __tablename__ = "occupancy_rollup_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    rolled_to: Mapped[datetime]
    seen_xmin: Mapped[int]
