"""Alert rules, alerts and webhooks through the admin API: validated, tenant-scoped, audited;
and on the broker, a lot's alerts are for the admin account, not the viewer."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.services.admin_alerts import url_problem
from schemas.db import Alert, AlertRule, AuditEntry, ParkingLot, Webhook, WebhookDelivery
from tests.integration.api_service.admin.conftest import (
    ADMIN_PASSWORD,
    VIEWER_PASSWORD,
    DynsecBroker,
    Staff,
    mqtt_login,
)

pytestmark = pytest.mark.integration

LOT = "harbour-surface"
RULES = "/api/v1/admin/alert-rules"
HOOKS = "/api/v1/admin/webhooks"


def create_rule(client: FlaskClient, staff: Staff, who: str, **body: Any) -> Any:
    document = {"name": "Harbour full", "kind": "lot_full", "lot_id": LOT, **body}
    return client.post(RULES, json=document, headers=staff.headers(who))


def test_staff_manage_their_operators_rules(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    created = create_rule(
        admin_client, staff, "harbour", kind="lot_free_below", params={"free_below": 3}, hold_s=30
    )
    assert created.status_code == 201, created.data
    rule = created.get_json()
    assert (rule["operator"], rule["lot_id"], rule["params"]) == (
        "harbour-parking",
        LOT,
        {"free_below": 3},
    )
    path = f"{RULES}/{rule['id']}"

    # Another operator's staff neither see nor change it; admins do.
    city = admin_client.get(RULES, headers=staff.headers("city")).get_json()["items"]
    assert all(item["id"] != rule["id"] for item in city)
    refused = admin_client.patch(path, json={"enabled": False}, headers=staff.headers("city"))
    assert refused.status_code == 403
    changed = admin_client.patch(path, json={"hold_s": 90}, headers=staff.headers("admin"))
    assert (changed.status_code, changed.get_json()["hold_s"]) == (200, 90)
    assert create_rule(admin_client, staff, "city").status_code == 403  # not city's lot

    actions = lots.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_id == str(rule["id"]))
    ).all()
    assert sorted(actions) == ["alert_rule.create", "alert_rule.update"]
    deleted = admin_client.delete(path, headers=staff.headers("harbour"))
    assert deleted.status_code == 204
    assert lots.get(AlertRule, rule["id"]) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lot_free_below", "params": {}}, "params.free_below"),
        ({"kind": "node_offline", "params": {"after_s": -5}}, "params.after_s"),
        ({"kind": "lot_full", "params": {"free_below": 2}}, "params.free_below"),
        ({"kind": "full"}, "kind"),
        ({"hold_s": -1}, "hold_s"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(
    admin_client: FlaskClient, staff: Staff, lots: Session, body: dict[str, Any], field: str
) -> None:
    response = create_rule(admin_client, staff, "harbour", **body)
    assert response.status_code == 400, response.data
    assert field in {error["field"] for error in response.get_json()["errors"]}


def test_an_admin_rule_without_a_lot_names_its_operator(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    body = {"name": "All lots", "kind": "node_offline", "params": {"after_s": 120}}
    missing = admin_client.post(RULES, json=body, headers=staff.headers("admin"))
    assert missing.status_code == 400
    assert missing.get_json()["errors"][0]["field"] == "operator"
    body["operator"] = "harbour-parking"
    created = admin_client.post(RULES, json=body, headers=staff.headers("admin"))
    assert created.status_code == 201, created.data
    assert created.get_json()["lot_id"] is None


def test_a_webhook_secret_is_shown_once_and_a_disabled_one_can_be_enabled(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    created = admin_client.post(
        HOOKS, json={"url": "https://hooks.example.com/parking"}, headers=staff.headers("harbour")
    )
    assert created.status_code == 201, created.data
    hook = created.get_json()
    assert len(hook["secret"]) >= 40
    assert hook["enabled"] is True
    listed = admin_client.get(HOOKS, headers=staff.headers("harbour")).get_json()["items"]
    assert [item["id"] for item in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    assert admin_client.get(HOOKS, headers=staff.headers("city")).get_json()["items"] == []
    audit = lots.scalars(select(AuditEntry).where(AuditEntry.entity_type == "webhook")).all()
    assert hook["secret"] not in str([(entry.before, entry.after) for entry in audit])

    # Ingest disabled it after repeated failures; an operator enables it again.
    stored = lots.get(Webhook, hook["id"])
    assert stored is not None
    stored.enabled, stored.consecutive_failures = False, 20
    stored.disabled_at, stored.disabled_reason = datetime.now(UTC), "20 consecutive failures"
    lots.commit()
    path = f"{HOOKS}/{hook['id']}/enable"
    assert admin_client.post(path, headers=staff.headers("city")).status_code == 403
    enabled = admin_client.post(path, headers=staff.headers("harbour")).get_json()
    assert (enabled["enabled"], enabled["consecutive_failures"], enabled["disabled_reason"]) == (
        True,
        0,
        None,
    )


@pytest.mark.parametrize(
    ("url", "loopback", "problem"),
    [
        ("https://hooks.example.com/x", False, None),
        ("http://hooks.example.com/x", True, "must be https"),
        ("http://127.0.0.1:8080/x", False, "must be https"),
        ("http://127.0.0.1:8080/x", True, None),
        ("http://[::1]/x", True, None),
        ("http://localhost/x", True, None),
        ("https://user:pw@hooks.example.com/x", False, "credentials"),
        ("ftp://hooks.example.com/x", False, "must be https"),
        ("https:///x", False, "host"),
        ("https://exa mple.com/x", False, "not a host name"),
        ("https://hooks..example.com/x", False, "not a host name"),
        ("https://-hooks.example.com/x", False, "not a host name"),
        ("https://hooks_1.example.com/x", False, "not a host name"),
        ("https://bücher.example/x", False, None),
        ("https://203.0.113.7:8443/x", False, None),
        ("https://hooks.example.com./x", False, None),
    ],
)
def test_webhook_urls(url: str, loopback: bool, problem: str | None) -> None:
    found = url_problem(url, allow_http_loopback=loopback)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_plain_http_is_refused_by_default(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    response = admin_client.post(
        HOOKS, json={"url": "http://127.0.0.1:9/x"}, headers=staff.headers("harbour")
    )
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "url"


def test_alert_history_and_deliveries_are_the_callers_operators(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    rule = create_rule(admin_client, staff, "harbour", hold_s=0).get_json()
    hook = admin_client.post(
        HOOKS, json={"url": "https://hooks.example.com/p"}, headers=staff.headers("harbour")
    ).get_json()
    lot_id = lots.scalar(select(ParkingLot.id).where(ParkingLot.code == LOT))
    assert lot_id is not None
    t0 = datetime(2026, 12, 2, 12, tzinfo=UTC)
    fired = [
        Alert(
            rule_id=rule["id"],
            lot_id=lot_id,
            subject=LOT,
            state="resolved" if n < 2 else "firing",
            fired_at=t0 + timedelta(minutes=n),
            resolved_at=t0 + timedelta(minutes=n, seconds=30) if n < 2 else None,
            value=0,
        )
        for n in range(3)
    ]
    lots.add_all(fired)
    lots.flush()
    lots.add(WebhookDelivery(webhook_id=hook["id"], alert_id=fired[2].id, event="fired"))
    lots.commit()

    alerts = "/api/v1/admin/alerts"
    first = admin_client.get(f"{alerts}?lot={LOT}&limit=2", headers=staff.headers("harbour"))
    page = first.get_json()
    assert [a["id"] for a in page["items"]] == [fired[2].id, fired[1].id]  # newest first
    rest = admin_client.get(
        f"{alerts}?lot={LOT}&limit=2&cursor={page['next_cursor']}",
        headers=staff.headers("harbour"),
    ).get_json()
    assert [a["id"] for a in rest["items"]] == [fired[0].id]
    firing = admin_client.get(f"{alerts}?state=firing", headers=staff.headers("harbour"))
    assert [(a["id"], a["kind"]) for a in firing.get_json()["items"]] == [(fired[2].id, "lot_full")]
    assert admin_client.get(alerts, headers=staff.headers("city")).get_json()["items"] == []
    assert admin_client.get(f"{alerts}?lot={LOT}", headers=staff.headers("city")).status_code == (
        403
    )

    deliveries = f"{HOOKS}/{hook['id']}/deliveries"
    logged = admin_client.get(deliveries, headers=staff.headers("harbour")).get_json()["items"]
    assert [(d["alert_id"], d["event"], d["state"]) for d in logged] == [
        (fired[2].id, "fired", "pending")
    ]
    assert admin_client.get(deliveries, headers=staff.headers("city")).status_code == 403


def test_lot_alerts_on_the_broker_are_for_the_admin_account_not_the_viewer(
    deployed_roles: DynsecBroker,
) -> None:
    topic = "parking/v1/lots/harbour-surface/alerts"
    with mqtt_login(deployed_roles, "viewer", VIEWER_PASSWORD) as (_code, viewer):
        assert viewer.subscribe(topic).value == 135  # not authorized
        assert viewer.subscribe("parking/v1/lots/+/availability").value == 1
    with mqtt_login(deployed_roles, "admin", ADMIN_PASSWORD) as (_code, admin):
        assert admin.subscribe(topic).value == 1
