"""The role matrix: every route against anonymous, driver, operator and admin callers."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api_service.endpoint import SPEC_ATTR
from schemas.enums import Role
from tests.integration.api_service.conftest import Users

pytestmark = pytest.mark.integration

SLOT = {"lot_id": "harbour-surface", "slot_id": "A03"}

# Every route and who may call it; a route missing here fails the test below.
POLICIES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "metrics-token",
    ("GET", "/docs"): "public",
    ("GET", "/api/v1/openapi.json"): "public",
    ("POST", "/api/v1/auth/register"): "public",
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/refresh"): "refresh-token",
    ("GET", "/api/v1/auth/me"): "any-user",
    ("GET", "/api/v1/lots"): "public",
    ("GET", "/api/v1/lots/<lot_id>"): "public",
    ("GET", "/api/v1/lots/<lot_id>/availability"): "public",
    ("GET", "/api/v1/lots/<lot_id>/availability/stream"): "public",
    ("GET", "/api/v1/lots/<lot_id>/slots"): "public",
    ("GET", "/api/v1/lots/<lot_id>/quote"): "public",
    ("GET", "/api/v1/lots/<lot_id>/forecast"): "public",
    ("GET", "/api/v1/slots/<lot_id>/<slot_id>"): "public",
    ("POST", "/api/v1/reservations"): "driver",
    ("GET", "/api/v1/reservations"): "driver",
    ("DELETE", "/api/v1/reservations/<int:id>"): "driver",
    ("POST", "/api/v1/sessions"): "driver",
    ("POST", "/api/v1/sessions/<int:id>/end"): "driver",
    ("GET", "/api/v1/sessions"): "driver",
    ("POST", "/api/v1/sessions/<int:id>/payments"): "driver",
    ("GET", "/api/v1/sessions/<int:id>/payments"): "driver",
    ("POST", "/api/v1/payments/webhooks/<provider>"): "public",
    ("GET", "/api/v1/open-data/lots.geojson"): "public",
    ("GET", "/api/v1/open-data/ngsi-ld/entities"): "public",
    ("GET", "/api/v1/open-data/datex2/parking-table"): "public",
    ("GET", "/api/v1/open-data/datex2/parking-status"): "public",
}

ROLES: list[Role | None] = [None, Role.DRIVER, Role.OPERATOR, Role.ADMIN]


def routes(app: Flask) -> dict[tuple[str, str], str]:
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        spec = getattr(app.view_functions[rule.endpoint], SPEC_ATTR)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found[(method, rule.rule)] = spec.access.name
    return found


def expected(policy: str, role: Role | None) -> set[int] | None:
    """The refusal a role gets (None: let through)."""
    if policy in {"public", "metrics-token"}:  # users' tokens do not matter to either
        return None
    if role is None or policy == "refresh-token":  # access tokens never refresh
        return {401}
    if policy == "driver" and role is not Role.DRIVER:
        return {403}
    return None


def test_every_route_has_a_declared_policy(app: Flask) -> None:
    # Admin routes have their own role x route x tenant matrix (admin/test_matrix.py).
    assert {key: policy for key, policy in routes(app).items() if "/admin/" not in key[1]} == (
        POLICIES
    )


def _call(client: FlaskClient, method: str, rule: str, headers: dict[str, str]) -> Any:
    path = rule.replace("<lot_id>", "harbour-surface").replace("<slot_id>", "A03")
    path = path.replace("<int:id>", "1")
    if path.endswith("/stream"):
        return client.get(path + "?unexpected=1", headers=headers)  # refused before streaming
    body = SLOT if method == "POST" else None
    if path.endswith(("/register", "/login")):
        body = {"email": "matrix@example.com", "password": "role-check-pass-123"}
    return client.open(path, method=method, headers=headers, json=body)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_role_matrix(client: FlaskClient, lots: Session, users: Users, role: Role | None) -> None:
    for (method, rule), policy in POLICIES.items():
        response = _call(client, method, rule, users.headers(role))
        refusal = expected(policy, role)
        if refusal is None:
            assert response.status_code not in {401, 403}, (method, rule, response.data)
        else:
            assert response.status_code in refusal, (method, rule, response.status_code)
            assert response.mimetype == "application/problem+json"
