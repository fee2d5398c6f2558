"""Tariff versions and stored session fees (schemas/db/tariffs.py, schemas/db/session_fees.py)."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from schemas.db import Operator, ParkingLot, ParkingSession, Slot, Tariff
from schemas.db.layout_import import import_layout
from schemas.db.session_fees import price_sessions, price_unpriced, tariff_in_force
from schemas.db.tariffs import add_tariff_version
from schemas.layout import parse_layout
from schemas.tariff import Tariff as TariffDefinition

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lots" / "harbour-surface.json"
# Thursday 2026-11-26, 11:00 in Amsterdam: inside the example's weekday period.
T0 = datetime(2026, 11, 26, 10, tzinfo=UTC)
EXAMPLE_TARIFF = json.loads(EXAMPLE.read_text())["tariff"]
HOURLY = TariffDefinition.model_validate(
    {
        "currency": "EUR",
        "periods": [
            {
                "days": ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
                "start": "00:00",
                "end": "24:00",
                "price_minor": 300,
                "unit_minutes": 60,
            }
        ],
    }
)


def document(**changes: Any) -> dict[str, Any]:
    layout: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return {**layout, **changes}


def apply(engine: Engine, layout: dict[str, Any]) -> dict[str, int]:
    with Session(engine) as session, session.begin():
        if session.scalar(select(Operator).where(Operator.code == layout["operator"])) is None:
            session.add(Operator(code=layout["operator"], name="Harbour"))
            session.flush()
        report = import_layout(session, parse_layout(json.dumps(layout)), actor="test")
        return report.counts


@pytest.fixture
def lot(engine: Engine) -> int:
    """harbour-surface without a tariff; its id."""
    apply(engine, {k: v for k, v in document().items() if k != "tariff"})
    with Session(engine) as session:
        found = session.scalar(select(ParkingLot.id).where(ParkingLot.code == "harbour-surface"))
    assert found is not None
    return found


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as connection:
        yield connection


def version(engine: Engine, lot: int, definition: TariffDefinition, valid_from: datetime) -> int:
    with Session(engine) as session, session.begin():
        row = add_tariff_version(session, lot, definition, valid_from=valid_from)
        assert row is not None
        return row.id


def stay(engine: Engine, lot: int, start: datetime, minutes: int | None, slot: str = "A01") -> int:
    with Session(engine) as session, session.begin():
        slot_id = session.scalar(select(Slot.id).where(Slot.lot_id == lot, Slot.code == slot))
        row = ParkingSession(
            slot_id=slot_id,
            lot_id=lot,
            opened_by="detection",
            started_at=start,
            ended_at=None if minutes is None else start + timedelta(minutes=minutes),
        )
        session.add(row)
        session.flush()
        return row.id


def fees(engine: Engine) -> dict[int, tuple[int | None, str | None, int | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                ParkingSession.id,
                ParkingSession.fee_minor,
                ParkingSession.fee_currency,
                ParkingSession.tariff_id,
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


def test_a_layout_s_tariff_is_versioned_only_when_it_changes(engine: Engine) -> None:
    assert "tariff versions added" not in apply(engine, document())  # part of the new lot
    assert apply(engine, document()) == {}  # the same tariff: no version
    assert apply(engine, {k: v for k, v in document().items() if k != "tariff"}) == {}
    dearer = {**EXAMPLE_TARIFF, "daily_cap_minor": 2000}
    assert apply(engine, document(tariff=dearer)) == {"tariff versions added": 1}
    with Session(engine) as session:
        kept = session.execute(select(Tariff.version, Tariff.definition).order_by(Tariff.version))
        assert [tuple(row) for row in kept] == [(1, EXAMPLE_TARIFF), (2, dearer)]


def test_the_tariff_in_force_is_the_highest_version_valid_by_then(
    engine: Engine, lot: int, conn: psycopg.Connection[Any]
) -> None:
    assert tariff_in_force(conn, lot, T0) is None
    first = version(engine, lot, HOURLY, T0)
    later = HOURLY.model_copy(update={"currency": "USD"})
    second = version(engine, lot, later, T0 + timedelta(days=1))
    assert tariff_in_force(conn, lot, T0 - timedelta(seconds=1)) is None
    found = tariff_in_force(conn, lot, T0 + timedelta(hours=23))
    assert found is not None
    assert (found.id, found.version, found.tariff) == (first, 1, HOURLY)
    found = tariff_in_force(conn, lot, T0 + timedelta(days=2))
    assert found is not None
    assert (found.id, found.version, found.tariff.currency) == (second, 2, "USD")


def test_ended_stays_are_priced_by_the_tariff_at_their_start_and_only_once(
    engine: Engine, lot: int, conn: psycopg.Connection[Any]
) -> None:
    first = version(engine, lot, HOURLY, T0)
    across = stay(engine, lot, T0 + timedelta(hours=20), 6 * 60)  # ends after the change
    before = stay(engine, lot, T0 - timedelta(hours=2), 30, slot="A02")  # before any tariff
    still_open = stay(engine, lot, T0, None, slot="A03")
    second = version(
        engine, lot, HOURLY.model_copy(update={"currency": "USD"}), T0 + timedelta(days=1)
    )
    after = stay(engine, lot, T0 + timedelta(days=2), 61, slot="A04")

    with conn.transaction():
        assert price_sessions(conn, [across, before, still_open, after]) == 2
    assert fees(engine) == {
        across: (1800, "EUR", first),
        before: (None, None, None),  # no tariff at its start: the price is unknown
        still_open: (None, None, None),
        after: (600, "USD", second),
    }
    version(engine, lot, HOURLY.model_copy(update={"currency": "GBP"}), T0 - timedelta(days=9))
    with conn.transaction():
        assert price_sessions(conn, [across, after]) == 0  # a stored fee is never redone
    assert fees(engine)[after] == (600, "USD", second)


def test_the_operations_sweep_prices_every_ended_stay_in_batches(
    engine: Engine, lot: int, conn: psycopg.Connection[Any]
) -> None:
    tariff = version(engine, lot, HOURLY, T0)
    ended = [stay(engine, lot, T0 + timedelta(hours=i), 90, slot=f"A0{i + 1}") for i in range(5)]
    early = stay(engine, lot, T0 - timedelta(hours=1), 10, slot="A09")
    assert price_unpriced(conn, batch=2) == 5
    assert price_unpriced(conn, batch=2) == 0
    stored = fees(engine)
    assert [stored[i] for i in ended] == [(600, "EUR", tariff)] * 5
    assert stored[early] == (None, None, None)


def test_a_fee_needs_its_currency_and_tariff(engine: Engine, lot: int) -> None:
    session_id = stay(engine, lot, T0, 10)
    with Session(engine) as session:
        session.get_one(ParkingSession, session_id).fee_minor = 100
        with pytest.raises(IntegrityError, match="fee_complete"):
            session.commit()
