"""One read side: the availability ingest publishes (retained, from the stored status) is the
document the API serves (computed at read time) for the same slots."""

import json
import queue
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api_service.services.availability import compute_availability
from ingest_service.settings import IngestSettings
from schemas.topics import availability_topic
from tests.integration.ingest_service.support import (
    T0,
    event,
    occupancy_message,
    publisher,
    register_node,
    running_worker,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import connected_client

pytestmark = pytest.mark.integration


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "updated_at"}


def api_document(engine: Engine, lot: str) -> dict[str, Any]:
    with Session(engine) as session:
        computed = compute_availability(session, lot, datetime.now(UTC))
    assert computed is not None
    return without_time(computed.document.model_dump(mode="json"))


def test_published_availability_is_the_apis(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    register_node(engine, "cam-a", harbour, slots=["A01", "A02", "A03"])
    register_node(engine, "cam-b", harbour, slots=["B01", "B02"], online=False)  # never born
    with engine.begin() as conn:  # a row with no slots at all counts as an empty row
        conn.execute(text(
            "INSERT INTO rows (floor_id, lot_id, name, position) SELECT floor_id, lot_id, 'Z', 99"
            " FROM rows WHERE name = 'A' AND lot_id = (SELECT id FROM parking_lots"
            " WHERE code = :lot)"), {"lot": harbour})  # fmt: skip
    sent = [
        event("cam-a", harbour, "A01", "occupied", T0, 1),
        event("cam-a", harbour, "A02", "free", T0, 2),
        event("cam-a", harbour, "A03", "occupied", T0, 3),
        event("cam-a", harbour, "A03", "free", T0 + timedelta(seconds=1), 4),
        event("cam-b", harbour, "B01", "occupied", T0, 1),  # a node not online: unknown
    ]
    documents: queue.Queue[dict[str, Any]] = queue.Queue()
    with (
        running_worker(make_settings()),
        connected_client(mosquitto) as watch,
        publisher(mosquitto) as pub,
    ):
        watch.subscribe(availability_topic(harbour))
        pub.publish([occupancy_message(e) for e in sent])

        def agreed() -> bool:
            while True:
                try:
                    message = watch.next_message(timeout=0.2)
                except queue.Empty:
                    break
                documents.put(without_time(json.loads(message.payload)))
            latest = None
            while not documents.empty():
                latest = documents.get()
            if latest is None:
                return False
            documents.put(latest)
            return latest == api_document(engine, harbour) and latest["occupied"] == 1

        wait_for(agreed, "the published availability to equal the API's", timeout=30)
    rows = api_document(engine, harbour)["floors"][0]["rows"]
    assert {k: rows[-1][k] for k in ("name", "total")} == {"name": "Z", "total": 0}
