"""Stays that detection closes are priced by the operations job, not on the hot path."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ingest_service.operations import OperationsJob, default_tasks
from ingest_service.settings import IngestSettings
from schemas.db import ParkingLot
from schemas.db.tariffs import add_tariff_version
from schemas.tariff import Tariff
from tests.integration.ingest_service.support import T0, event, rows, running_worker
from tests.integration.ingest_service.test_driver_sessions import send_one_by_one
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lots" / "harbour-surface.json"
FEES = """
    SELECT p.started_at, p.ended_at, p.fee_minor, p.fee_currency, p.tariff_id
    FROM parking_sessions p JOIN slots s ON s.id = p.slot_id WHERE s.code = 'A11'
    ORDER BY p.started_at
"""


def priced_since_2020(engine: Engine, lot: str) -> int:
    """The example's tariff as a version valid since 2020, so it is in force at T0."""
    tariff = Tariff.model_validate(json.loads(EXAMPLE.read_text())["tariff"])
    with Session(engine) as session, session.begin():
        lot_id = session.scalar(select(ParkingLot.id).where(ParkingLot.code == lot))
        assert lot_id is not None
        row = add_tariff_version(
            session, lot_id, tariff, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
        )
        assert row is not None
        return row.id


def test_the_operations_job_prices_what_detection_closed(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    tariff_id = priced_since_2020(engine, harbour)
    # Thursday 11:00 to 12:10 in Amsterdam: 15 free minutes, then 55 minutes of started
    # quarters at 50. The car comes back at 12:30 and is still there.
    occupied = event(node_id, harbour, "A11", "occupied", T0, 1)
    free = event(node_id, harbour, "A11", "free", T0 + timedelta(minutes=70), 2)
    back = event(node_id, harbour, "A11", "occupied", T0 + timedelta(minutes=90), 3)
    settings = make_settings()
    with running_worker(settings):
        send_one_by_one(engine, mosquitto, [occupied, free, back])
    closed = (T0, T0 + timedelta(minutes=70))
    reopened = T0 + timedelta(minutes=90)
    assert rows(engine, FEES) == [
        (*closed, None, None, None),  # ingest only closes the stay
        (reopened, None, None, None, None),
    ]
    job = OperationsJob(
        settings.libpq_url,
        default_tasks(settings, CollectorRegistry()),
        lambda _messages: None,
        interval_s=60,
        registry=CollectorRegistry(),
        clock=lambda: datetime.now(UTC),
    )
    try:
        assert job.run_once() is True
    finally:
        job.stop()
    assert rows(engine, FEES) == [
        (*closed, 4 * 50, "EUR", tariff_id),
        (reopened, None, None, None, None),  # still open: no fee yet
    ]
