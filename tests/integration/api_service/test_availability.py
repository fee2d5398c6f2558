"""Availability: counts equal a per-slot evaluation of the precedence rule; ETag and 304."""

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import Floor, Node, ParkingLot, Reservation, Row, Slot
from schemas.enums import DetectedStatus, OverrideStatus, ReservationState, Role
from schemas.messages import Availability
from schemas.status import SlotFacts, effective_status
from tests.integration.api_service.conftest import Users, problem

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)


def randomise(session: Session, users: Users, seed: int) -> None:
    """Random detections, dead and stale nodes, closures, overrides and reservations."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    lot = session.scalar(select(ParkingLot).where(ParkingLot.code == "downtown"))
    assert lot is not None
    for node_id, state, enabled in [
        ("alive", "online", True),
        ("dead", "offline", True),
        ("stale", "stale", True),
        ("disabled", "online", False),
    ]:
        session.add(Node(id=node_id, lot_id=lot.id, state=state, enabled=enabled))  # fmt: skip
    session.flush()
    driver = users.ids[Role.DRIVER]
    for slot in session.scalars(select(Slot).where(Slot.lot_id == lot.id)):
        slot.detected_status = rng.choice(list(DetectedStatus))
        slot.detected_node_id = rng.choice(["alive", "alive", "alive", "dead", "stale", None])
        if rng.random() < 0.05:
            slot.closed_at, slot.closed_reason = NOW, "maintenance"
        if rng.random() < 0.15:
            slot.override_status = rng.choice(list(OverrideStatus))
            slot.override_set_at = NOW - timedelta(hours=1)
            ahead = NOW + timedelta(minutes=rng.randint(1, 30))
            slot.override_until = rng.choice([None, NOW - timedelta(minutes=1), ahead])
        roll = rng.random()
        if roll < 0.2:
            state = rng.choice([ReservationState.ACTIVE] * 3 + [ReservationState.CANCELLED])
            expires = NOW + timedelta(minutes=rng.choice([-5, 3, 10, 20]))
            session.add(
                Reservation(
                    user_id=driver, slot_id=slot.id, lot_id=lot.id, state=state,
                    starts_at=expires - timedelta(minutes=15), expires_at=expires,
                )
            )  # fmt: skip
    session.commit()


def reference(session: Session, now: datetime) -> dict[str, tuple[int, str, str]]:
    """slot code -> (floor level, row, status), evaluated slot by slot in Python."""
    nodes = {node.id: node for node in session.scalars(select(Node))}
    held = {
        r.slot_id: r.expires_at
        for r in session.scalars(select(Reservation))
        if r.state == ReservationState.ACTIVE and r.starts_at <= now < r.expires_at
    }
    out = {}
    query = select(Slot, Floor.level, Row.name).join(Row, Row.id == Slot.row_id)
    query = query.join(Floor, Floor.id == Row.floor_id).join(
        ParkingLot, ParkingLot.id == Slot.lot_id
    )
    for slot, level, row in session.execute(query.where(ParkingLot.code == "downtown")):
        node = nodes.get(slot.detected_node_id) if slot.detected_node_id else None
        facts = SlotFacts(
            detected=slot.detected_status,
            closed=slot.closed_at is not None,
            override=slot.override_status,
            override_until=slot.override_until,
            reserved_until=held.get(slot.id),
            node_alive=slot.detected_node_id is None
            or (node is not None and node.state == "online" and node.enabled),
        )
        out[slot.code] = (level, row, effective_status(facts, now)[0].value)
    return out


def assert_counts(doc: dict[str, Any], expected: dict[str, tuple[int, str, str]]) -> None:
    Availability.model_validate_json(json.dumps(doc))
    lot = Counter(status for _l, _r, status in expected.values())
    assert {k: doc[k] for k in lot} == dict(lot)
    assert doc["total"] == len(expected)
    for floor in doc["floors"]:
        for row in floor["rows"]:
            want = Counter(
                s for lv, r, s in expected.values() if (lv, r) == (floor["level"], row["name"])
            )
            assert {k: row[k] for k in ("free", "occupied", "reserved", "unknown", "closed")} == {
                k: want.get(k, 0) for k in ("free", "occupied", "reserved", "unknown", "closed")
            }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_the_per_slot_rule(
    app: Flask, client: FlaskClient, lots: Session, users: Users, seed: int
) -> None:
    randomise(lots, users, seed)
    for offset in (timedelta(0), timedelta(minutes=5), timedelta(minutes=25)):
        now = NOW + offset  # later: reservations and overrides run out, no job runs
        app.extensions[CLOCK_KEY] = lambda now=now: now
        expected = reference(lots, now)
        response = client.get("/api/v1/lots/downtown/availability")
        assert response.status_code == 200
        assert_counts(response.get_json(), expected)
        seen: dict[str, str] = {}
        cursor = None
        for _page in range(10):
            url = "/api/v1/lots/downtown/slots?limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url).get_json()
            seen |= {item["slot_id"]: item["status"] for item in page["items"]}
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == {code: status for code, (_l, _r, status) in expected.items()}


def test_status_filter_matches_the_documents(
    client: FlaskClient, lots: Session, users: Users
) -> None:
    randomise(lots, users, 9)
    doc = client.get("/api/v1/lots/downtown/availability").get_json()
    for status in ("free", "occupied", "reserved", "unknown", "closed"):
        page = client.get(f"/api/v1/lots/downtown/slots?status={status}&limit=500").get_json()
        assert len(page["items"]) == doc[status]
        assert {item["status"] for item in page["items"]} <= {status}


def test_etag_304_and_change(client: FlaskClient, lots: Session) -> None:
    first = client.get("/api/v1/lots/harbour-surface/availability")
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/api/v1/lots/harbour-surface/availability", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    slot = lots.scalar(select(Slot).where(Slot.code == "A01"))
    assert slot is not None
    slot.detected_status = DetectedStatus.OCCUPIED
    lots.commit()
    changed = client.get(
        "/api/v1/lots/harbour-surface/availability", headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["occupied"] == 1
    same = client.get("/api/v1/lots/harbour-surface/availability")
    assert same.data == changed.data  # the same state gives the same bytes and tag


def test_unknown_lot_and_bad_slot_queries(client: FlaskClient, lots: Session) -> None:
    assert problem(client.get("/api/v1/lots/nope/availability"))["status"] == 404
    bad = client.get("/api/v1/lots/downtown/slots?status=parked")
    assert bad.status_code == 400
    assert problem(bad)["errors"][0]["field"] == "status"
    assert client.get("/api/v1/lots/downtown/slots?limit=501").status_code == 400


def test_one_slot_carries_freshness(client: FlaskClient, lots: Session) -> None:
    body = client.get("/api/v1/slots/harbour-surface/A01").get_json()
    assert body["status"] == "free"
    assert body["source"] == "detected"
    assert set(body) >= {"status", "since", "last_confirmed_at", "source", "confidence"}
    assert (body["floor"], body["row"], body["kind"]) == (0, "A", "accessible")
    assert client.get("/api/v1/slots/harbour-surface/ZZZ").status_code == 404
