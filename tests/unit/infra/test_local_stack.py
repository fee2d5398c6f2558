"""Pure decisions of the deployment scripts: ports, broker accounts, ingest client ids."""

import base64

import pytest

from infra.docker.ingest_entrypoint import client_id, names_session, own_arguments, replica_name
from infra.local.ports import PortChoice, choose_ports
from infra.mosquitto.dynsec import dynsec_config, hash_password, read_passwords, reconcile


@pytest.mark.parametrize(
    ("wanted", "busy", "expected"),
    [
        ({"A": 1883}, set(), {"A": 1883}),  # free: kept
        ({"A": 1883}, {1883}, {"A": 40001}),  # taken: replaced
        ({"A": 0}, set(), {"A": 40001}),  # 0: any free port
        ({"A": 5000, "B": 5000}, set(), {"A": 5000, "B": 40001}),  # never twice
    ],
)
def test_choose_ports(wanted: dict[str, int], busy: set[int], expected: dict[str, int]) -> None:
    picks = iter(range(40001, 40100))
    chosen = choose_ports(wanted, free=lambda port: port not in busy, pick=lambda: next(picks))
    assert {name: choice.port for name, choice in chosen.items()} == expected


@pytest.mark.parametrize(
    ("choice", "note"),
    [
        (PortChoice("DEMO_MQTT_PORT", 1883, 1883), None),
        (PortChoice("DEMO_MQTT_PORT", 0, 41234), None),
        (
            PortChoice("DEMO_MQTT_PORT", 1883, 41234),
            "port 1883 (DEMO_MQTT_PORT) is in use; using 41234 instead",
        ),
    ],
)
def test_port_note(choice: PortChoice, note: str | None) -> None:
    assert choice.note == note


def test_password_hash_matches_mosquitto_ctrl() -> None:
    # Written by `mosquitto_ctrl dynsec init` (2.0.11) for the password "adminpw".
    salt = base64.b64decode("7RhhqXUY/w1ZNHKs")
    assert hash_password("adminpw", salt) == (
        "eSariek7HK/ZWKJMk1unu2WZhCcJsdQIWIiSAHi0X2ajD8wnSLSLW7LKS1IrdpgJ6HAFCxv1hs5dlCfnZp0b5Q=="
    )


def test_reconcile_replaces_service_entries_and_keeps_registered_nodes() -> None:
    registered = {"username": "node-9", "roles": [{"rolename": "node:node-9"}]}
    existing = {
        "clients": [{"username": "ingest", "password": "old"}, registered],
        "roles": [{"rolename": "ingest", "acls": []}, {"rolename": "node:node-9", "acls": []}],
        "groups": [{"groupname": "g"}],
        "defaultACLAccess": {},
    }
    desired = dynsec_config({"admin": "a", "ingest": "new"}, nodes={})
    merged = reconcile(existing, desired)
    users = [client["username"] for client in merged["clients"]]
    assert sorted(users) == ["admin", "ingest", "node-9"]
    ingest = next(c for c in merged["clients"] if c["username"] == "ingest")
    assert ingest["password"] != "old"
    assert {"rolename": "node:node-9", "acls": []} in merged["roles"]
    assert merged["groups"] == [{"groupname": "g"}]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"MQTT_ADMIN_PASSWORD": "a"}, {"admin": "a"}),
        ({"MQTT_ADMIN_PASSWORD": "a", "MQTT_SIMULATOR_PASSWORD": ""}, {"admin": "a"}),
        ({"MQTT_ADMIN_PASSWORD": "a", "MQTT_INGEST_PASSWORD": "i"}, {"admin": "a", "ingest": "i"}),
    ],
)
def test_read_passwords(environ: dict[str, str], expected: dict[str, str]) -> None:
    assert read_passwords(environ) == expected


def test_read_passwords_needs_an_admin() -> None:
    with pytest.raises(ValueError, match="MQTT_ADMIN_PASSWORD"):
        read_passwords({"MQTT_INGEST_PASSWORD": "i"})


@pytest.mark.parametrize(
    ("ptr", "expected"),
    [
        ("parking-ingest-3.parking_default", "parking-ingest-3"),
        ("parking-ingest-12", "parking-ingest-12"),
        ("3f2a9c1be0d4", None),  # a bare container id: not a replica name
        ("ingest.example.org", None),
    ],
)
def test_replica_name(ptr: str, expected: str | None) -> None:
    assert replica_name(ptr) == expected


@pytest.mark.parametrize(
    ("environ", "ptr", "expected"),
    [
        ({"INGEST_CLIENT_ID": "worker-a"}, "parking-ingest-1.net", "worker-a"),
        ({}, "parking-ingest-1.net", "svc-parking-ingest-1"),
        ({}, None, None),
    ],
)
def test_client_id(environ: dict[str, str], ptr: str | None, expected: str | None) -> None:
    assert client_id(environ, lambda: ptr) == expected


@pytest.mark.parametrize(
    ("argv", "args", "named"),
    [
        ([], [], False),  # a replica: the entrypoint derives its id
        (["--client-id", "parking-ingest-3"], ["--client-id", "parking-ingest-3"], True),
        # `docker compose run --rm ingest parking-ingest --client-id parking-ingest-3 --retire`
        (["parking-ingest", "--client-id", "parking-ingest-3", "--retire"],
         ["--client-id", "parking-ingest-3", "--retire"], True),
        (["parking-ingest", "--client-id=parking-ingest-3"], ["--client-id=parking-ingest-3"],
         True),
        # Never this one-shot container's own id: parking-ingest refuses --retire without one.
        (["parking-ingest", "--retire"], ["--retire"], True),
    ],
)  # fmt: skip
def test_entrypoint_arguments(argv: list[str], args: list[str], named: bool) -> None:
    assert own_arguments(argv) == args
    assert names_session(args) is named
