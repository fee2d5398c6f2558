"""The OpenAPI 3.1 document, the docs page, ops endpoints, and a schemathesis run over it."""

from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from api_service import create_app
from api_service.openapi import openapi_document
from schemas.enums import Role
from tests.integration.api_service.conftest import Users, api_settings

pytestmark = pytest.mark.integration


def test_document_describes_every_operation(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) >= {
        "/api/v1/lots",
        "/api/v1/lots/{lot_id}/availability",
        "/api/v1/reservations/{id}",
        "/api/v1/sessions/{id}/end",
    }
    search = doc["paths"]["/api/v1/lots"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["lat"]["schema"]["maximum"] == 90
    assert params["radius_m"]["schema"]["exclusiveMinimum"] == 0
    assert "400" in search["responses"]
    assert "429" in search["responses"]
    reserve = doc["paths"]["/api/v1/reservations"]["post"]
    assert reserve["security"] == [{"bearer": []}]
    assert {"401", "403", "409"} <= set(reserve["responses"])
    availability = doc["components"]["schemas"]["Availability"]
    assert {"total", "free", "occupied", "reserved", "unknown", "closed", "floors"} <= set(
        availability["properties"]
    )


def test_docs_and_ops(make_app: Any) -> None:
    token = "metrics-token-0123456789-abcdefghijklmnop"
    client = make_app(metrics_token=token).test_client()
    page = client.get("/docs")
    assert page.mimetype == "text/html"
    assert b"/api/v1/lots/{lot_id}/availability" in page.data
    assert client.get("/healthz").get_json() == {"status": "ok", "database": None}
    assert client.get("/readyz").get_json() == {"status": "ok", "database": True}
    client.get("/api/v1/lots")
    metrics = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert b'api_requests_total{method="GET",route="/api/v1/lots",status="200"} 1.0' in (
        metrics.data
    )


def test_readyz_fails_without_a_database(make_app: Any) -> None:
    app = make_app(database_url="postgresql+psycopg://nobody@127.0.0.1:9/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"


def _document() -> dict[str, Any]:
    """The document as the code generates it (no database needed to build it)."""
    settings = api_settings("postgresql+psycopg://unused@127.0.0.1:9/none", live_updates=False)
    app = create_app(settings)
    return openapi_document(app, "Parking platform API", "1.0.0")


# The stream never ends by design; its own tests cover it over a real socket.
schema = schemathesis.openapi.from_dict(_document()).exclude(path_regex=r"/stream$")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_no_server_errors_and_responses_match_the_schema(
    case: Any, app: Flask, lots: Session, users: Users
) -> None:
    case.call_and_validate(
        app=app,
        headers=users.headers(Role.DRIVER),
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
