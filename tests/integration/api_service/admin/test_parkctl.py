"""parkctl's admin commands: the first admin logs in; `nodes add` gives working credentials."""

import io
import socket

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from parkctl.__main__ import main as parkctl
from schemas.db import AuditEntry, Node
from tests.integration.api_service.admin.conftest import (
    ADMIN_PASSWORD,
    NODE_PASSWORD,
    ROLES_NODE,
    TIMEOUT_S,
    VIEWER_PASSWORD,
    DynsecBroker,
    mqtt_login,
    unique,
)

pytestmark = pytest.mark.integration


def test_create_admin_then_log_in(
    admin_client: FlaskClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-pass-1\n"))
    assert parkctl(["users", "create-admin", "Root@Example.com", "--password-stdin"]) == 0
    login = admin_client.post(
        "/api/v1/auth/login", json={"email": "root@example.com", "password": "first-admin-pass-1"}
    )
    assert login.status_code == 200
    token = login.get_json()["access_token"]
    me = admin_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["role"] == "admin"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert parkctl(["users", "create-admin", "other@example.com", "--password-stdin"]) == 1


def test_nodes_add_registers_through_the_broker(
    lots: Session,
    dynsec: DynsecBroker,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MQTT_URL", dynsec.api_url)
    node_id = unique("cam")
    assert parkctl(["nodes", "add", node_id, "--lot", "harbour-surface"]) == 0
    password = capsys.readouterr().out.split("MQTT password: ")[1].split()[0]
    with mqtt_login(dynsec, node_id, password, node_id) as (code, node):
        assert not code.is_failure
        assert not node.publish(f"parking/v1/nodes/{node_id}/heartbeat").is_failure
    assert lots.get(Node, node_id) is not None
    entry = lots.scalar(select(AuditEntry).where(AuditEntry.entity_id == node_id))
    assert entry is not None
    assert (entry.actor, entry.action) == ("parkctl", "node.register")
    assert parkctl(["nodes", "add", node_id, "--lot", "harbour-surface"]) == 1
    assert "already registered" in capsys.readouterr().err


def _retain(broker: DynsecBroker, node_id: str, password: str, topic: str, body: bytes) -> None:
    with mqtt_login(broker, node_id, password, node_id) as (code, node):
        assert not code.is_failure
        info = node.client.publish(topic, body, qos=1, retain=True)
        mid, acked = node.acks.get(timeout=TIMEOUT_S)
        assert (mid, acked.is_failure) == (info.mid, False)


def test_mqtt_tail_as_admin_shows_node_health(
    deployed_roles: DynsecBroker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # README: node health is watched with the admin account.
    status = f"parking/v1/nodes/{ROLES_NODE}/status"
    _retain(deployed_roles, ROLES_NODE, NODE_PASSWORD, status, b'{"state":"online"}')
    monkeypatch.setenv("MQTT_URL", deployed_roles.url("admin", ADMIN_PASSWORD))
    assert parkctl(["mqtt", "tail", "parking/v1/nodes/+/status", "--count", "1"]) == 0
    assert f'{status} (retained) {{"state":"online"}}' in capsys.readouterr().out


def test_mqtt_tail_says_so_when_the_subscription_is_refused(
    deployed_roles: DynsecBroker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The viewer reads the lots only: the broker answers SUBACK 135 (not authorized).
    monkeypatch.setenv("MQTT_URL", deployed_roles.url("viewer", VIEWER_PASSWORD))
    assert parkctl(["mqtt", "tail", "parking/v1/nodes/+/status", "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    assert "refused the subscription to 'parking/v1/nodes/+/status'" in err
    assert "(135)" in err


def test_mqtt_tail_says_so_when_the_login_is_refused(
    deployed_roles: DynsecBroker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MQTT_URL", deployed_roles.url("admin", "not-the-password"))
    assert parkctl(["mqtt", "tail", "parking/v1/lots/+/availability"]) == 1
    assert "refused the login" in capsys.readouterr().err


def test_mqtt_tail_gives_up_on_a_silent_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Something listens but never speaks MQTT (a wrong port, a stuck broker).
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        monkeypatch.setenv("MQTT_URL", f"mqtt://admin:x@127.0.0.1:{port}")
        assert parkctl(["mqtt", "tail", "parking/v1/lots/#", "--timeout", "1"]) == 1
    assert "no CONNACK within 1 s" in capsys.readouterr().err


def test_mqtt_tail_says_so_when_nothing_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    monkeypatch.setenv("MQTT_URL", f"mqtt://admin:x@127.0.0.1:{port}")
    assert parkctl(["mqtt", "tail", "parking/v1/lots/#", "--timeout", "1"]) == 1
    assert f"broker at 127.0.0.1:{port} as admin: cannot connect" in capsys.readouterr().err
