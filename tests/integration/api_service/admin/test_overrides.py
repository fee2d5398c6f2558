"""Manual overrides: availability, the slot and its retained state topic change at once;
expiry hands the slot back to detection; every change is audited with before and after."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import AuditEntry, Slot
from schemas.messages import SlotState
from tests.integration.api_service.admin.conftest import (
    WATCHER_PASSWORD,
    DynsecBroker,
    Staff,
    mqtt_login,
)
from tests.integration.api_service.conftest import problem, slot_id

pytestmark = pytest.mark.integration

OVERRIDE = "/api/v1/admin/slots/harbour-surface/A03/override"
STATE = "parking/v1/lots/harbour-surface/slots/A03/state"


def availability(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/api/v1/lots/harbour-surface/availability").get_json()
    return body


def retained_state(broker: DynsecBroker) -> SlotState:
    """The retained state as a new subscriber sees it."""
    with mqtt_login(broker, "watcher", WATCHER_PASSWORD) as (_code, watcher):
        watcher.subscribe(STATE)
        message = watcher.next_message()
    assert message.retain
    return SlotState.model_validate_json(message.payload)


def test_override_changes_availability_and_retained_state_then_expires(
    admin_app: Flask, admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    before = availability(admin_client)
    until = datetime.now(UTC) + timedelta(minutes=10)
    body = {"status": "occupied", "reason": "camera sees a shadow", "until": until.isoformat()}
    response = admin_client.put(OVERRIDE, json=body, headers=staff.headers("harbour"))
    assert response.status_code == 200, response.data
    slot = response.get_json()["slot"]
    assert (slot["status"], slot["source"]) == ("occupied", "override")
    after = availability(admin_client)
    assert (after["free"], after["occupied"]) == (before["free"] - 1, before["occupied"] + 1)
    state = retained_state(dynsec)
    assert (state.status, state.source) == ("occupied", "override")

    admin_app.extensions[CLOCK_KEY] = lambda: until + timedelta(seconds=1)
    expired = admin_client.get("/api/v1/slots/harbour-surface/A03").get_json()
    assert (expired["status"], expired["source"]) == ("free", "detected")
    assert availability(admin_client)["free"] == before["free"]


def test_clearing_restores_detection_and_publishes(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    body = {"status": "closed", "reason": "resurfacing"}
    assert admin_client.put(OVERRIDE, json=body, headers=staff.headers("admin")).status_code == 200
    assert retained_state(dynsec).status == "closed"
    cleared = admin_client.delete(OVERRIDE, headers=staff.headers("harbour"))
    assert cleared.status_code == 200
    assert cleared.get_json()["override_status"] is None
    assert retained_state(dynsec).status == "free"
    lots.expire_all()
    stored = lots.get(Slot, slot_id(lots, "harbour-surface", "A03"))
    assert stored is not None
    assert (stored.status, stored.override_status) == ("free", None)


def test_every_override_change_is_audited(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    body = {"status": "unknown", "reason": "lens covered"}
    admin_client.put(OVERRIDE, json=body, headers=staff.headers("harbour"))
    admin_client.delete(OVERRIDE, headers=staff.headers("admin"))
    entries = lots.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_id == "harbour-surface/A03")
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["slot.override_set", "slot.override_clear"]
    set_entry, clear_entry = entries
    assert set_entry.actor == "staff@harbour.example.com"
    assert set_entry.actor_id == staff.ids["harbour"]
    assert set_entry.before == {"status": "free", "source": "detected", "override": None}
    assert set_entry.after is not None
    assert set_entry.after["override"]["reason"] == "lens covered"
    assert set_entry.after["status"] == "unknown"
    assert clear_entry.actor == "admin@example.com"
    assert clear_entry.after == {"status": "free", "source": "detected", "override": None}
    listed = admin_client.get(
        "/api/v1/admin/audit?entity_type=slot", headers=staff.headers("harbour")
    ).get_json()["items"]
    assert [e["action"] for e in listed] == ["slot.override_clear", "slot.override_set"]


def test_override_input_is_checked(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    cases = [
        ({"status": "reserved", "reason": "x"}, "status"),
        ({"status": "free", "reason": ""}, "reason"),
        ({"status": "free", "reason": "x", "until": past}, "until"),
        ({"status": "free", "reason": "wrong\u0000detection"}, "reason"),
    ]
    for body, field in cases:
        response = admin_client.put(OVERRIDE, json=body, headers=staff.headers("harbour"))
        assert response.status_code == 400
        assert problem(response)["errors"][0]["field"] == field
    # Nothing was stored by the refused requests: the slot still follows its detection.
    audit = admin_client.get(
        "/api/v1/admin/audit?entity_type=slot", headers=staff.headers("harbour")
    )
    assert audit.get_json()["items"] == []
    nul_filter = admin_client.get(
        "/api/v1/admin/audit?action=a%00b&entity_type=slot", headers=staff.headers("harbour")
    )
    assert nul_filter.status_code == 400
    assert problem(nul_filter)["errors"] == [
        {"field": "action", "message": "must not contain NUL (U+0000) characters"}
    ]
    missing = admin_client.put(
        "/api/v1/admin/slots/harbour-surface/Z99/override",
        json={"status": "free", "reason": "x"},
        headers=staff.headers("harbour"),
    )
    assert missing.status_code == 404
