"""The role x route x tenant matrix over every admin route.

Callers: anonymous, a driver, the staff of the operator running harbour-surface (`harbour`),
the staff of another operator (`city`) and an admin. Every request targets harbour-surface,
its node or a harbour staff account, so `city` must be refused (403) where `harbour` and the
admin get through; list routes are checked for what they leave out in
`test_lists_show_only_own_data`.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from schemas.db import DeadLetter
from tests.integration.api_service.admin.conftest import Staff, unique
from tests.integration.api_service.admin.test_nodes import slot_map
from tests.integration.api_service.admin.test_payments import harbour_payment
from tests.integration.api_service.test_roles import routes

pytestmark = pytest.mark.integration

LOT = "harbour-surface"
CALLERS = [None, "driver", "city", "harbour", "admin"]
NODE = "{node}"  # replaced by a node registered for harbour-surface in each test
USER = "{user}"  # replaced by a colleague of the harbour staff member in each test
RULE = "{rule}"  # replaced by an alert rule on harbour-surface
HOOK = "{hook}"  # replaced by a webhook of harbour's operator
PAYMENT = "{payment}"  # replaced by a pending pay-desk payment at harbour-surface


def _floor() -> dict[str, Any]:
    return {"level": 5, "name": "Deck", "rows": [{"name": "D", "slots": [{"code": "D01"}]}]}


def _layout(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Lot",
        "operator": "harbour-parking",
        "address": "Quay 1",
        "location": {"lat": 52.0, "lon": 4.0},
        "timezone": "Europe/Amsterdam",
        "floors": [{"level": 0, "name": "G", "rows": [{"name": "A", "slots": [{"code": "X1"}]}]}],
    }


# (method, rule) -> (policy, concrete path, body factory). `tenant`: scoped to harbour-surface;
# `list`: answers every staff member, filtered; `admin`: admins only.
MATRIX: dict[tuple[str, str], tuple[str, str, Any]] = {
    ("GET", "/api/v1/admin/lots"): ("list", "/api/v1/admin/lots", None),
    ("POST", "/api/v1/admin/lots"): (
        "tenant",
        "/api/v1/admin/lots",
        lambda: _layout(unique("lot")),
    ),
    ("GET", "/api/v1/admin/lots/<lot_id>/layout"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/layout",
        None,
    ),
    ("PUT", "/api/v1/admin/lots/<lot_id>/layout"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/layout",
        "layout",
    ),
    ("GET", "/api/v1/admin/lots/<lot_id>/tariff"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/tariff",
        None,
    ),
    ("PUT", "/api/v1/admin/lots/<lot_id>/tariff"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/tariff",
        lambda: {"tariff": {"currency": "EUR", "free_minutes": 10}},
    ),
    ("PATCH", "/api/v1/admin/lots/<lot_id>"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}",
        lambda: {"name": "Harbour"},
    ),
    ("PUT", "/api/v1/admin/lots/<lot_id>/opening-hours"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/opening-hours",
        lambda: {"opening_hours": "Mo-Su 06:00-23:00"},
    ),
    ("DELETE", "/api/v1/admin/lots/<lot_id>"): ("tenant", f"/api/v1/admin/lots/{LOT}", None),
    ("POST", "/api/v1/admin/lots/<lot_id>/floors"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors",
        _floor,
    ),
    ("PATCH", "/api/v1/admin/lots/<lot_id>/floors/<level>"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors/0",
        lambda: {"name": "Surface"},
    ),
    ("DELETE", "/api/v1/admin/lots/<lot_id>/floors/<level>"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors/9",
        None,
    ),
    ("POST", "/api/v1/admin/lots/<lot_id>/floors/<level>/rows"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors/0/rows",
        lambda: {"name": unique("r"), "slots": [{"code": unique("s")}]},
    ),
    ("PATCH", "/api/v1/admin/lots/<lot_id>/floors/<level>/rows/<row>"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors/0/rows/A",
        lambda: {"name": "A"},
    ),
    ("DELETE", "/api/v1/admin/lots/<lot_id>/floors/<level>/rows/<row>"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/floors/0/rows/none",
        None,
    ),
    ("POST", "/api/v1/admin/lots/<lot_id>/slots"): (
        "tenant",
        f"/api/v1/admin/lots/{LOT}/slots",
        lambda: {"code": unique("s"), "floor": 0, "row": "B"},
    ),
    ("PATCH", "/api/v1/admin/slots/<lot_id>/<slot_id>"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/A01",
        lambda: {"kind": "ev"},
    ),
    ("DELETE", "/api/v1/admin/slots/<lot_id>/<slot_id>"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/none",
        None,
    ),
    ("GET", "/api/v1/admin/slots/<lot_id>/<slot_id>"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/A01",
        None,
    ),
    ("GET", "/api/v1/admin/slots/<lot_id>/<slot_id>/sessions"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/A01/sessions",
        None,
    ),
    ("PUT", "/api/v1/admin/slots/<lot_id>/<slot_id>/override"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/A03/override",
        lambda: {"status": "closed", "reason": "matrix"},
    ),
    ("DELETE", "/api/v1/admin/slots/<lot_id>/<slot_id>/override"): (
        "tenant",
        f"/api/v1/admin/slots/{LOT}/A03/override",
        None,
    ),
    ("GET", "/api/v1/admin/events"): ("tenant", f"/api/v1/admin/events?lot_id={LOT}", None),
    ("GET", "/api/v1/admin/stats/occupancy"): (
        "tenant",
        f"/api/v1/admin/stats/occupancy?lot_id={LOT}&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z",
        None,
    ),
    ("GET", "/api/v1/admin/payments"): ("tenant", f"/api/v1/admin/payments?lot_id={LOT}", None),
    ("GET", "/api/v1/admin/payments/export.csv"): (
        "tenant",
        f"/api/v1/admin/payments/export.csv?lot_id={LOT}",
        None,
    ),
    ("POST", "/api/v1/admin/payments/<int:id>/confirm"): (
        "tenant",
        f"/api/v1/admin/payments/{PAYMENT}/confirm",
        None,
    ),
    ("GET", "/api/v1/admin/stats/revenue"): (
        "tenant",
        f"/api/v1/admin/stats/revenue?lot_id={LOT}&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z",
        None,
    ),
    ("GET", "/api/v1/admin/alert-rules"): ("list", "/api/v1/admin/alert-rules", None),
    ("POST", "/api/v1/admin/alert-rules"): (
        "tenant",
        "/api/v1/admin/alert-rules",
        lambda: {"name": "Full", "kind": "lot_full", "lot_id": LOT},
    ),
    ("PATCH", "/api/v1/admin/alert-rules/<int:id>"): (
        "tenant",
        f"/api/v1/admin/alert-rules/{RULE}",
        lambda: {"hold_s": 30},
    ),
    ("DELETE", "/api/v1/admin/alert-rules/<int:id>"): (
        "tenant",
        f"/api/v1/admin/alert-rules/{RULE}",
        None,
    ),
    ("GET", "/api/v1/admin/alerts"): ("list", "/api/v1/admin/alerts", None),
    ("GET", "/api/v1/admin/webhooks"): ("list", "/api/v1/admin/webhooks", None),
    ("POST", "/api/v1/admin/webhooks"): (
        "tenant",
        "/api/v1/admin/webhooks",
        lambda: {"url": "https://hooks.example.com/p", "operator": "harbour-parking"},
    ),
    ("POST", "/api/v1/admin/webhooks/<int:id>/disable"): (
        "tenant",
        f"/api/v1/admin/webhooks/{HOOK}/disable",
        None,
    ),
    ("POST", "/api/v1/admin/webhooks/<int:id>/enable"): (
        "tenant",
        f"/api/v1/admin/webhooks/{HOOK}/enable",
        None,
    ),
    ("GET", "/api/v1/admin/webhooks/<int:id>/deliveries"): (
        "tenant",
        f"/api/v1/admin/webhooks/{HOOK}/deliveries",
        None,
    ),
    ("DELETE", "/api/v1/admin/webhooks/<int:id>"): (
        "tenant",
        f"/api/v1/admin/webhooks/{HOOK}",
        None,
    ),
    ("GET", "/api/v1/admin/audit"): ("list", "/api/v1/admin/audit", None),
    ("GET", "/api/v1/admin/dead-letters"): ("list", "/api/v1/admin/dead-letters", None),
    ("GET", "/api/v1/admin/nodes"): ("list", "/api/v1/admin/nodes", None),
    ("POST", "/api/v1/admin/nodes"): (
        "tenant",
        "/api/v1/admin/nodes",
        lambda: {"node_id": unique("cam"), "lot_id": LOT},
    ),
    ("PUT", "/api/v1/admin/nodes/<node_id>/config"): (
        "tenant",
        f"/api/v1/admin/nodes/{NODE}/config",
        "slot_map",
    ),
    ("POST", "/api/v1/admin/nodes/<node_id>/resync"): (
        "tenant",
        f"/api/v1/admin/nodes/{NODE}/resync",
        None,
    ),
    ("POST", "/api/v1/admin/nodes/<node_id>/disable"): (
        "tenant",
        f"/api/v1/admin/nodes/{NODE}/disable",
        None,
    ),
    ("POST", "/api/v1/admin/nodes/<node_id>/enable"): (
        "tenant",
        f"/api/v1/admin/nodes/{NODE}/enable",
        None,
    ),
    ("GET", "/api/v1/admin/broker"): ("admin", "/api/v1/admin/broker", None),
    ("GET", "/api/v1/admin/users"): ("list", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/users"): (
        "tenant",
        "/api/v1/admin/users",
        lambda: {
            "email": f"{unique('m')}@harbour.example.com",
            "password": "matrix-pass-42",
            "role": "operator",
            "operator": "harbour-parking",
        },
    ),
    ("POST", "/api/v1/admin/users/<int:id>/disable"): (
        "tenant",
        f"/api/v1/admin/users/{USER}/disable",
        None,
    ),
    ("POST", "/api/v1/admin/users/<int:id>/enable"): (
        "tenant",
        f"/api/v1/admin/users/{USER}/enable",
        None,
    ),
}


def expected_refusal(policy: str, caller: str | None) -> int | None:
    """The status a caller must get (None: it must get through)."""
    if caller is None:
        return 401
    if caller == "driver":
        return 403
    if policy == "admin":
        return None if caller == "admin" else 403
    if policy == "tenant" and caller == "city":
        return 403
    return None


def test_every_admin_route_is_in_the_matrix(admin_app: Flask) -> None:
    admin = {key for key in routes(admin_app) if "/admin/" in key[1]}
    assert admin == set(MATRIX)


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c or "anonymous")
def test_role_route_tenant_matrix(
    admin_client: FlaskClient, staff: Staff, lots: Session, caller: str | None
) -> None:
    node_id = unique("cam")
    registered = admin_client.post(
        "/api/v1/admin/nodes",
        headers=staff.headers("admin"),
        json={"node_id": node_id, "lot_id": LOT},
    )
    assert registered.status_code == 201, registered.data
    colleague = admin_client.post(
        "/api/v1/admin/users",
        headers=staff.headers("admin"),
        json={
            "email": "colleague@harbour.example.com",
            "password": "matrix-pass-42",
            "role": "operator",
            "operator": "harbour-parking",
        },
    )
    assert colleague.status_code == 201, colleague.data
    layout = admin_client.get(f"/api/v1/admin/lots/{LOT}/layout", headers=staff.headers("admin"))
    rule_body = {"name": "Matrix", "kind": "lot_full", "lot_id": LOT}
    alert_rule = admin_client.post(
        "/api/v1/admin/alert-rules", headers=staff.headers("admin"), json=rule_body
    ).get_json()["id"]
    hook_body = {"url": "https://hooks.example.com/m", "operator": "harbour-parking"}
    webhook = admin_client.post(
        "/api/v1/admin/webhooks", headers=staff.headers("admin"), json=hook_body
    ).get_json()["id"]
    payment = harbour_payment(lots, staff)
    bodies: dict[str, Callable[[], Any]] = {
        "layout": layout.get_json,
        "slot_map": lambda: slot_map(node_id, ["A01"]),
    }
    for (method, rule), (policy, path, body) in MATRIX.items():
        factory: Callable[[], Any] | None = bodies[body] if isinstance(body, str) else body
        response = admin_client.open(
            path.replace(NODE, node_id)
            .replace(USER, str(colleague.get_json()["id"]))
            .replace(PAYMENT, str(payment))
            .replace(RULE, str(alert_rule))
            .replace(HOOK, str(webhook)),
            method=method,
            headers=staff.headers(caller),
            json=factory() if factory else None,
        )
        refusal = expected_refusal(policy, caller)
        if refusal is None:
            assert response.status_code not in {401, 403}, (method, rule, response.data)
            assert response.status_code < 500, (method, rule, response.data)
        else:
            assert response.status_code == refusal, (method, rule, response.status_code)
            assert response.mimetype == "application/problem+json"


def test_lists_show_only_own_data(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    node_id = unique("cam")
    admin_client.post(
        "/api/v1/admin/nodes",
        headers=staff.headers("harbour"),
        json={"node_id": node_id, "lot_id": LOT},
    )
    lots.add(
        DeadLetter(
            topic=f"parking/v1/nodes/{node_id}/occupancy",
            payload=b"{",
            reason="malformed_json",
            node_id=node_id,
            received_at=datetime.now(UTC),
        )
    )
    lots.commit()
    harbours_rule = {"name": "Own", "kind": "lot_full", "lot_id": LOT}
    admin_client.post(
        "/api/v1/admin/alert-rules", headers=staff.headers("harbour"), json=harbours_rule
    )
    harbours_hook = {"url": "https://hooks.example.com/own"}
    admin_client.post(
        "/api/v1/admin/webhooks", headers=staff.headers("harbour"), json=harbours_hook
    )
    lists: dict[str, Callable[[dict[str, Any]], bool]] = {
        "/api/v1/admin/lots": lambda item: item["lot_id"] == LOT,
        "/api/v1/admin/nodes": lambda item: item["node_id"] == node_id,
        "/api/v1/admin/audit": lambda item: item["entity_id"] == node_id,
        "/api/v1/admin/dead-letters": lambda item: item["node_id"] == node_id,
        "/api/v1/admin/users": lambda item: item["operator"] == "harbour-parking",
        "/api/v1/admin/alert-rules": lambda item: item["operator"] == "harbour-parking",
        "/api/v1/admin/webhooks": lambda item: item["operator"] == "harbour-parking",
    }
    for path, is_harbours in lists.items():
        for caller, sees in (("harbour", True), ("admin", True), ("city", False)):
            items = admin_client.get(path, headers=staff.headers(caller)).get_json()["items"]
            assert any(is_harbours(item) for item in items) is sees, (path, caller)
        city = admin_client.get(path, headers=staff.headers("city")).get_json()["items"]
        assert all(not is_harbours(item) for item in city)
