"""parkctl's admin commands: the first admin logs in; `nodes add` gives working credentials."""

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from parkctl.__main__ import main as parkctl
from schemas.db import AuditEntry, Node
from tests.integration.api_service.admin.conftest import DynsecBroker, mqtt_login, unique

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
