"""Nodes: registration gives broker credentials limited to the node's own topics, disabling
revokes them, a slot map push arrives retained, resync reaches the node, $SYS figures."""

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from schemas.db import AuditEntry, Node, ParkingLot, Slot
from schemas.messages import NodeConfig
from tests.integration.api_service.admin.conftest import (
    DynsecBroker,
    Mqtt,
    Staff,
    mqtt_login,
    unique,
)
from tests.integration.api_service.conftest import problem

pytestmark = pytest.mark.integration

NODES = "/api/v1/admin/nodes"


def register(client: FlaskClient, staff: Staff, node_id: str, who: str = "harbour") -> Any:
    body = {"node_id": node_id, "lot_id": "harbour-surface"}
    return client.post(NODES, json=body, headers=staff.headers(who))


def slot_map(node_id: str, slots: list[str]) -> dict[str, Any]:
    square = [[0, 0], [10, 0], [10, 10], [0, 10]]
    return {
        "node_id": node_id,
        "lot_id": "harbour-surface",
        "camera": {"source": "picamera2", "fps": 2},
        "detector": {"backend": "onnx", "weights": "/models/yolov8n.onnx"},
        "slots": [{"slot_id": slot, "polygon": square} for slot in slots],
    }


def test_registered_node_publishes_only_on_its_own_topics(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    node_id, other = unique("cam"), unique("cam")
    response = register(admin_client, staff, node_id)
    assert response.status_code == 201, response.data
    credentials = response.get_json()
    assert credentials["username"] == node_id
    assert len(credentials["password"]) >= 24
    assert lots.get(Node, node_id) is not None
    with mqtt_login(dynsec, node_id, credentials["password"], node_id) as (code, node):
        assert not code.is_failure
        for kind in ("status", "occupancy", "heartbeat"):
            assert not node.publish(f"parking/v1/nodes/{node_id}/{kind}").is_failure
        for topic in (
            f"parking/v1/nodes/{other}/occupancy",
            f"parking/v1/nodes/{node_id}/config",
            "parking/v1/lots/harbour-surface/availability",
        ):
            assert node.publish(topic).getName() == "Not authorized", topic
        assert not node.subscribe(f"parking/v1/nodes/{node_id}/config").is_failure
        assert node.subscribe(f"parking/v1/nodes/{other}/config").is_failure
    with mqtt_login(dynsec, None, None) as (code, _anonymous):
        assert code.getName() == "Not authorized"
    with mqtt_login(dynsec, node_id, "wrong-password") as (code, _):
        assert code.is_failure


def test_node_credentials_work_only_under_the_nodes_own_client_id(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    """A node's login cannot take over an ingest worker's (or another node's) session."""
    node_id, other = unique("cam"), unique("cam")
    password = register(admin_client, staff, node_id).get_json()["password"]
    register(admin_client, staff, other)
    for client_id in ("svc-ingest-1", other, f"{node_id}-2"):
        with mqtt_login(dynsec, node_id, password, client_id) as (code, _):
            assert code.getName() == "Not authorized", client_id
    with mqtt_login(dynsec, node_id, password, node_id) as (code, _):
        assert not code.is_failure


def test_node_ids_in_the_service_namespace_are_refused(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    response = register(admin_client, staff, "svc-ingest-1")
    assert response.status_code == 400
    assert "reserved for services" in problem(response)["detail"]
    assert lots.get(Node, "svc-ingest-1") is None


def test_disabling_revokes_the_credentials_at_once(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    node_id = unique("cam")
    password = register(admin_client, staff, node_id).get_json()["password"]
    with mqtt_login(dynsec, node_id, password, node_id) as (code, node):
        assert not code.is_failure
        response = admin_client.post(f"{NODES}/{node_id}/disable", headers=staff.headers("harbour"))
        assert response.status_code == 200, response.data
        assert node.disconnects.get(timeout=10).getName() == "Administrative action"
    with mqtt_login(dynsec, node_id, password, node_id) as (code, _):
        assert code.getName() == "Not authorized"
    lots.expire_all()
    stored = lots.get(Node, node_id)
    assert stored is not None
    assert stored.enabled is False
    actions = lots.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == node_id))
    assert list(actions) == ["node.register", "node.disable"]
    admin_client.post(f"{NODES}/{node_id}/enable", headers=staff.headers("harbour"))
    with mqtt_login(dynsec, node_id, password, node_id) as (code, _):
        assert not code.is_failure


def test_disabling_turns_the_nodes_slots_unknown_until_enabled(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    node_id = unique("cam")
    assert register(admin_client, staff, node_id).status_code == 201
    watched = ["A01", "A02", "A03"]
    harbour = lots.scalar(select(ParkingLot.id).where(ParkingLot.code == "harbour-surface"))
    lots.execute(update(Node).where(Node.id == node_id).values(state="online"))
    lots.execute(
        update(Slot)
        .where(Slot.lot_id == harbour, Slot.code.in_(watched))
        .values(detected_node_id=node_id)
    )
    lots.commit()

    def stored() -> dict[str, tuple[str, int]]:
        lots.expire_all()
        query = select(Slot.code, Slot.status, Slot.state_version).where(
            Slot.lot_id == harbour, Slot.code.in_(watched)
        )
        return {code: (status.value, version) for code, status, version in lots.execute(query)}

    before = stored()
    assert {status for status, _ in before.values()} == {"free"}
    availability = "/api/v1/lots/harbour-surface/availability"
    free_before = admin_client.get(availability).get_json()["free"]

    admin_client.post(f"{NODES}/{node_id}/disable", headers=staff.headers("harbour"))
    # Stored (what the retained MQTT state is published from) as read: unknown, version raised.
    disabled = stored()
    assert {code: status for code, (status, _) in disabled.items()} == dict.fromkeys(
        watched, "unknown"
    )
    assert all(disabled[code][1] > before[code][1] for code in watched)
    after = admin_client.get(availability).get_json()
    assert (after["free"], after["unknown"]) == (free_before - 3, 3)

    admin_client.post(f"{NODES}/{node_id}/enable", headers=staff.headers("harbour"))
    assert {status for status, _ in stored().values()} == {"free"}
    assert admin_client.get(availability).get_json()["free"] == free_before


def test_registering_twice_or_for_another_operator_is_refused(
    admin_client: FlaskClient, staff: Staff, lots: Session, failed_statements: list[str]
) -> None:
    node_id = unique("cam")
    assert register(admin_client, staff, node_id).status_code == 201
    again = register(admin_client, staff, node_id)
    assert again.status_code == 409
    assert problem(again)["type"] == "/problems/node-exists"
    assert failed_statements == []  # answered without a unique violation in PostgreSQL's log
    other = register(admin_client, staff, unique("cam"), who="city")
    assert other.status_code == 403


def test_slot_map_push_arrives_retained(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, watcher: Mqtt, lots: Session
) -> None:
    node_id = unique("cam")
    password = register(admin_client, staff, node_id).get_json()["password"]
    url = f"{NODES}/{node_id}/config"
    pushed = admin_client.put(
        url, json=slot_map(node_id, ["A01", "A02"]), headers=staff.headers("harbour")
    )
    assert pushed.status_code == 200, pushed.data
    assert pushed.get_json()["version"] == 1
    # Subscribing after the push: only a retained message can arrive.
    with mqtt_login(dynsec, node_id, password, node_id) as (code, node):
        assert not code.is_failure
        node.subscribe(f"parking/v1/nodes/{node_id}/config")
        message = node.next_message()
    assert message.retain
    config = NodeConfig.model_validate_json(message.payload)
    assert [s.slot_id for s in config.slots] == ["A01", "A02"]
    assert config.version == 1
    lots.expire_all()
    stored = lots.get(Node, node_id)
    assert stored is not None
    assert stored.slot_map_version == 1


def test_slot_map_with_unknown_slots_is_refused_and_not_published(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    node_id = unique("cam")
    register(admin_client, staff, node_id)
    bad = slot_map(node_id, ["A01", "L0-A-001"])
    response = admin_client.put(
        f"{NODES}/{node_id}/config", json=bad, headers=staff.headers("harbour")
    )
    assert response.status_code == 400
    fields = {e["field"] for e in problem(response)["errors"]}
    assert fields == {"slots.1.slot_id"}
    lots.expire_all()
    node = lots.get(Node, node_id)
    assert node is not None
    assert node.slot_map is None


def test_resync_reaches_the_node(
    admin_client: FlaskClient, staff: Staff, dynsec: DynsecBroker, lots: Session
) -> None:
    node_id = unique("cam")
    password = register(admin_client, staff, node_id).get_json()["password"]
    with mqtt_login(dynsec, node_id, password, node_id) as (_code, node):
        node.subscribe(f"parking/v1/nodes/{node_id}/cmd")
        response = admin_client.post(f"{NODES}/{node_id}/resync", headers=staff.headers("admin"))
        assert response.status_code == 202
        assert json.loads(node.next_message().payload) == {"cmd": "resync"}


def test_node_list_shows_liveness_for_the_callers_lots(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    node_id = unique("cam")
    register(admin_client, staff, node_id)
    mine = admin_client.get(NODES, headers=staff.headers("harbour")).get_json()["items"]
    assert node_id in {n["node_id"] for n in mine}
    assert {n["lot_id"] for n in mine} == {"harbour-surface"}
    registered = next(n for n in mine if n["node_id"] == node_id)
    assert registered["state"] == "offline"
    assert registered["last_seen"] is None
    theirs = admin_client.get(NODES, headers=staff.headers("city")).get_json()["items"]
    assert node_id not in {n["node_id"] for n in theirs}


def test_broker_figures_from_sys(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    response = admin_client.get("/api/v1/admin/broker", headers=staff.headers("admin"))
    assert response.status_code == 200, response.data
    figures = response.get_json()
    assert figures["version"].startswith("mosquitto version 2")
    assert figures["uptime_s"] >= 0
    assert figures["retained"] >= 0
    assert (
        admin_client.get("/api/v1/admin/broker", headers=staff.headers("harbour")).status_code
        == 403
    )
