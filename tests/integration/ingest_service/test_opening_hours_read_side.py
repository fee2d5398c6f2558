"""The retained availability follows a lot's opening hours: ingest's operations job
republishes it when the lot opens or closes (no slot changes then), and it still equals the
API's document for the same instant."""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api_service.services.availability import compute_availability
from ingest_service.operations import OperationsJob, default_tasks
from ingest_service.publisher import lots_opened_or_closed, publish_lot
from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound
from tests.integration.ingest_service.support import mqtt_publish, retained_payload, scalar
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

# harbour-surface is in Amsterdam: 12:00 and 22:00 local on a Wednesday in December.
MIDDAY = datetime(2026, 12, 23, 11, 0, tzinfo=UTC)
NIGHT = datetime(2026, 12, 23, 21, 0, tzinfo=UTC)


def retained_availability(broker: MosquittoServer, lot: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        retained_payload(broker, f"parking/v1/lots/{lot}/availability")
    )
    return document


class Sent:
    """A Sender for publish_lot that forwards to `publish`."""

    def __init__(self, publish: Callable[[Sequence[Outbound]], None]) -> None:
        self._publish = publish

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None:
        self._publish(messages)


def api_document(engine: Engine, lot: str, now: datetime) -> dict[str, Any]:
    with Session(engine) as session:
        computed = compute_availability(session, lot, now)
    assert computed is not None
    document = computed.document.model_dump(mode="json")
    return {key: value for key, value in document.items() if key != "updated_at"}


def test_the_operations_job_republishes_when_a_lot_closes(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    settings = make_settings()
    lot_id = scalar(engine, "SELECT id FROM parking_lots WHERE code = :c", c=harbour)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE parking_lots SET opening_hours = 'Mo-Fr 08:00-20:00' WHERE id = :i"),
            {"i": lot_id},
        )
    clock = [MIDDAY]
    tasks = [
        task
        for task in default_tasks(settings, CollectorRegistry())
        if task.name == "lot-opening-hours"
    ]
    with (
        mqtt_publish(mosquitto) as publish,
        psycopg.connect(settings.libpq_url, autocommit=True) as conn,
    ):
        with conn.transaction():  # the lot's first document, as a slot change would send it
            assert publish_lot(conn, Sent(publish), lot_id, MIDDAY).availability == 1
        first = retained_availability(mosquitto, harbour)
        assert (first["open"], first["next_change"]) == (True, "2026-12-23T19:00:00.000Z")
        assert lots_opened_or_closed(conn, MIDDAY) == []

        job = OperationsJob(
            settings.libpq_url, tasks, publish, interval_s=60, registry=CollectorRegistry(),
            clock=lambda: clock[0],
        )  # fmt: skip
        try:
            clock[0] = NIGHT
            assert lots_opened_or_closed(conn, NIGHT) == [lot_id]
            assert job.run_once()
            closed = retained_availability(mosquitto, harbour)
            assert (closed["open"], closed["next_change"]) == (False, "2026-12-24T07:00:00.000Z")
            assert closed["free"] == first["free"]  # the counts are physical facts
            assert {k: v for k, v in closed.items() if k != "updated_at"} == api_document(
                engine, harbour, NIGHT
            )
            assert lots_opened_or_closed(conn, NIGHT) == []  # published once

            # Hours removed: the lot is always open again, and the retained topic says so.
            with engine.begin() as db:
                db.execute(
                    text("UPDATE parking_lots SET opening_hours = NULL WHERE id = :i"),
                    {"i": lot_id},
                )
            assert lots_opened_or_closed(conn, NIGHT) == [lot_id]
            assert job.run_once()
        finally:
            job.stop()
        reopened = retained_availability(mosquitto, harbour)
        assert (reopened["open"], reopened["next_change"]) == (True, None)
