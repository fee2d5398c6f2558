"""Broker roles, defined once (schemas.broker_roles): what each account may do and be."""

import pytest

from infra.mosquitto.dynsec import dynsec_config
from schemas.broker_roles import (
    node_id_problem,
    node_role,
    node_role_acls,
    service_client_problem,
    service_roles,
)


def _role(name: str) -> set[tuple[str, str]]:
    role = next(r for r in service_roles() if r["rolename"] == name)
    return {(acl["acltype"], acl["topic"]) for acl in role["acls"]}


def test_node_role_names_only_its_own_topics() -> None:
    topics = {(acl["acltype"], acl["topic"]) for acl in node_role_acls("cam-1")}
    assert ("publishClientSend", "parking/v1/nodes/cam-1/occupancy") in topics
    assert ("subscribePattern", "parking/v1/nodes/cam-1/config") in topics
    assert ("subscribePattern", "parking/v1/nodes/cam-1/receipt") in topics
    assert ("publishClientSend", "parking/v1/nodes/cam-1/receipt") not in topics
    assert all("cam-1" in topic and "+" not in topic and "#" not in topic for _, topic in topics)
    assert node_role("cam-1")["rolename"] == "node:cam-1"


def test_ingest_subscribes_shared_and_publishes_receipts_and_the_read_side() -> None:
    ingest = _role("ingest")
    assert ("subscribePattern", "$share/ingest/parking/v1/nodes/+/occupancy") in ingest
    assert ("publishClientSend", "parking/v1/nodes/+/receipt") in ingest
    assert ("publishClientSend", "parking/v1/lots/#") in ingest
    # Only ingest vouches for what is committed.
    assert ("publishClientSend", "parking/v1/nodes/+/receipt") not in _role("api")
    assert ("subscribePattern", "parking/v1/nodes/+/receipt") in _role("simulator")


def test_every_node_account_is_bound_to_its_own_client_id() -> None:
    config = dynsec_config({"admin": "a", "ingest": "i"}, {"cam-1": "p1", "cam-2": "p2"})
    clients = {c["username"]: c for c in config["clients"]}
    assert clients["cam-1"]["clientid"] == "cam-1"
    assert clients["cam-2"]["clientid"] == "cam-2"
    # Service accounts run several clients (ingest replicas) under one account.
    assert "clientid" not in clients["ingest"]


@pytest.mark.parametrize("node_id", ["svc-ingest-1", "SVC-api-x", "svc-"])
def test_node_ids_cannot_take_a_service_prefix(node_id: str) -> None:
    assert node_id_problem(node_id) is not None


@pytest.mark.parametrize("node_id", ["cam-1", "service-7", "node-svc-1"])
def test_ordinary_node_ids_are_fine(node_id: str) -> None:
    assert node_id_problem(node_id) is None


def test_service_client_ids_must_carry_the_prefix() -> None:
    assert service_client_problem("svc-ingest-1") is None
    assert "svc-" in (service_client_problem("demo-ingest-2") or "")


def test_the_admin_account_can_watch_node_health_and_the_lots() -> None:
    admin = _role("admin")
    # README: node health is watched with the admin account (parkctl mqtt tail, mosquitto_sub).
    assert ("subscribePattern", "parking/v1/nodes/+/status") in admin
    assert ("subscribePattern", "parking/v1/nodes/+/heartbeat") in admin
    assert ("subscribePattern", "parking/v1/lots/#") in admin
    # ... and still manages accounts over $CONTROL.
    assert ("publishClientSend", "$CONTROL/dynamic-security/#") in admin
    assert ("publishClientReceive", "$CONTROL/dynamic-security/#") in admin
    # Watching is not writing, nor reading what only ingest consumes.
    assert not any(kind == "publishClientSend" and "parking/" in t for kind, t in admin)
    assert ("subscribePattern", "parking/v1/nodes/+/occupancy") not in admin
