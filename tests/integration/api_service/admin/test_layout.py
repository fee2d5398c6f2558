"""Layout changes through the API: kept slots keep their history, removed ones with history
are retired, repeated imports change nothing, errors name the bad place, tenants hold."""

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.db import AuditEntry, Slot, SlotEvent
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import lot_id, problem, slot_id

pytestmark = pytest.mark.integration

LOT = "/api/v1/admin/lots/harbour-surface"


def add_event(session: Session, lot: str, code: str) -> None:
    session.add(
        SlotEvent(
            event_id=uuid.uuid4(),
            slot_id=slot_id(session, lot, code),
            lot_id=lot_id(session, lot),
            node_id="cam-x",
            status="occupied",
            observed_at=datetime.now(UTC),
            seq=1,
        )
    )
    session.commit()


def layout(client: FlaskClient, staff: Staff) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"{LOT}/layout", headers=staff.headers("harbour")).get_json()
    return body


def test_layout_update_keeps_history_of_kept_slots(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    add_event(lots, "harbour-surface", "A01")
    add_event(lots, "harbour-surface", "A12")
    kept_id, retired_id = (slot_id(lots, "harbour-surface", c) for c in ("A01", "A12"))
    document = layout(admin_client, staff)
    rows = document["floors"][0]["rows"]
    a01 = rows[0]["slots"].pop(0)
    rows[1]["slots"].append(a01)  # A01 moves to row B
    rows[0]["slots"] = [s for s in rows[0]["slots"] if s["code"] not in {"A11", "A12"}]
    rows[0]["slots"].append({"code": "A13", "kind": "ev"})
    response = admin_client.put(f"{LOT}/layout", json=document, headers=staff.headers("harbour"))
    assert response.status_code == 200, response.data
    result = response.get_json()
    assert result["counts"] == {
        "slots added": 1,
        "slots removed": 1,
        "slots retired": 1,
        "slots updated": 10,
    }
    lots.expire_all()
    assert slot_id(lots, "harbour-surface", "A01") == kept_id
    events = lots.scalar(select(func.count()).where(SlotEvent.slot_id == kept_id))
    assert events == 1
    retired = lots.get(Slot, retired_id)
    assert retired is not None
    assert retired.retired_at is not None
    assert lots.scalar(select(func.count()).where(SlotEvent.slot_id == retired_id)) == 1
    assert lots.scalar(select(Slot).where(Slot.code == "A11")) is None
    again = admin_client.put(f"{LOT}/layout", json=document, headers=staff.headers("harbour"))
    assert again.get_json()["changed"] is False
    imports = lots.scalars(select(AuditEntry).where(AuditEntry.action == "lot.layout_import"))
    assert [
        (e.actor, e.actor_id)
        for e in imports
        if e.entity_id == "harbour-surface" and e.actor != "test"
    ] == [("staff@harbour.example.com", staff.ids["harbour"])]


def test_layout_errors_name_the_place_and_tenants_are_kept_apart(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    document = layout(admin_client, staff)
    broken = copy.deepcopy(document)
    broken["floors"][0]["rows"][1]["slots"][0]["code"] = "A01"
    response = admin_client.put(f"{LOT}/layout", json=broken, headers=staff.headers("harbour"))
    assert response.status_code == 400
    message = problem(response)["errors"][0]["message"]
    assert "floors[0].rows[1].slots[0].code: duplicate slot code 'A01'" in message
    other = admin_client.put(f"{LOT}/layout", json=document, headers=staff.headers("city"))
    assert other.status_code == 403
    moved = {**document, "operator": "city-centre"}
    taken = admin_client.put(f"{LOT}/layout", json=moved, headers=staff.headers("harbour"))
    assert taken.status_code == 403
    renamed = {**document, "code": "elsewhere"}
    mismatch = admin_client.put(f"{LOT}/layout", json=renamed, headers=staff.headers("harbour"))
    assert mismatch.status_code == 400


def test_slot_crud_retires_a_slot_with_history(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    headers = staff.headers("harbour")
    created = admin_client.post(
        f"{LOT}/slots", headers=headers, json={"code": "A20", "kind": "ev", "floor": 0, "row": "B"}
    )
    assert created.status_code == 201, created.data
    duplicate = admin_client.post(
        f"{LOT}/slots", headers=headers, json={"code": "A20", "floor": 0, "row": "A"}
    )
    assert duplicate.status_code == 409
    patched = admin_client.patch(
        "/api/v1/admin/slots/harbour-surface/A20",
        headers=headers,
        json={"kind": "accessible", "row": "A"},
    )
    assert patched.status_code == 200, patched.data
    slot = lots.scalar(select(Slot).where(Slot.code == "A20"))
    assert slot is not None
    assert slot.kind == "accessible"
    add_event(lots, "harbour-surface", "A20")
    deleted = admin_client.delete("/api/v1/admin/slots/harbour-surface/A20", headers=headers)
    assert deleted.get_json()["counts"] == {"slots retired": 1}
    lots.expire_all()
    assert slot.retired_at is not None
    actions = lots.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_id == "harbour-surface/A20")
        .order_by(AuditEntry.id)
    )
    assert list(actions) == ["slot.create", "slot.update", "slot.delete"]
    gone = admin_client.get("/api/v1/lots/harbour-surface/slots?limit=500").get_json()["items"]
    assert "A20" not in {s["slot_id"] for s in gone}


def test_floor_and_row_changes(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    headers = staff.headers("harbour")
    floor = {"level": 1, "name": "Roof", "rows": [{"name": "R", "slots": [{"code": "R01"}]}]}
    assert admin_client.post(f"{LOT}/floors", json=floor, headers=headers).status_code == 201
    row = {"name": "S", "slots": [{"code": "S01"}, {"code": "S02"}]}
    assert admin_client.post(f"{LOT}/floors/1/rows", json=row, headers=headers).status_code == 201
    renamed = admin_client.patch(f"{LOT}/floors/1/rows/S", json={"name": "T"}, headers=headers)
    assert renamed.status_code == 200, renamed.data
    floors = admin_client.get("/api/v1/lots/harbour-surface").get_json()["floors"]
    assert {"level": 1, "name": "Roof", "rows": ["R", "T"]} in floors
    assert admin_client.delete(f"{LOT}/floors/1", headers=headers).status_code == 200
    floors = admin_client.get("/api/v1/lots/harbour-surface").get_json()["floors"]
    assert [f["level"] for f in floors] == [0]
    assert admin_client.delete(f"{LOT}/floors/7", headers=headers).status_code == 404


def test_lot_create_patch_delete(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    headers = staff.headers("harbour")
    document = {**layout(admin_client, staff), "code": "harbour-east"}
    assert (
        admin_client.post("/api/v1/admin/lots", json=document, headers=headers).status_code == 201
    )
    assert (
        admin_client.post("/api/v1/admin/lots", json=document, headers=headers).status_code == 409
    )
    patched = admin_client.patch(
        "/api/v1/admin/lots/harbour-east", json={"name": "East"}, headers=headers
    )
    assert patched.status_code == 200
    mine = admin_client.get("/api/v1/admin/lots", headers=headers).get_json()["items"]
    assert {(lot["lot_id"], lot["name"]) for lot in mine} == {
        ("harbour-east", "East"),
        ("harbour-surface", "Harbour Surface Lot"),
    }
    assert admin_client.delete(LOT, headers=headers).status_code == 409  # has a node
    assert (
        admin_client.delete("/api/v1/admin/lots/harbour-east", headers=headers).status_code == 204
    )
    assert admin_client.get("/api/v1/lots/harbour-east").status_code == 404
