"""/metrics is for the operator's Prometheus: a bearer token, or off; never public."""

import pytest
from flask import Flask
from pydantic import ValidationError
from werkzeug.test import TestResponse

from api_service.app import create_app
from api_service.settings import ApiSettings

TOKEN = "metrics-token-0123456789-abcdefghijklmnop"


def make(token: str | None) -> Flask:
    return create_app(
        ApiSettings(
            dev_mode=True, live_updates=False, rate_limit_enabled=False, metrics_token=token
        )
    )


def _problem(response: TestResponse, status: int, slug: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == f"/problems/{slug}"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", TOKEN, "Bearer é", "Bearer"],
)
def test_without_the_token_a_scrape_is_401(authorization: str | None) -> None:
    client = make(TOKEN).test_client()
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    _problem(response, 401, "metrics-token")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert b"api_requests_total" not in response.data


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_prometheus_with_the_token_reads_the_metrics(scheme: str) -> None:
    client = make(TOKEN).test_client()
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": f"{scheme} {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert b'api_requests_total{method="GET",route="/healthz",status="200"} 1.0' in response.data


def test_without_a_configured_token_metrics_are_off() -> None:
    client = make(None).test_client()
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}, {"Authorization": "Bearer "}):
        _problem(client.get("/metrics", headers=headers), 404, "not-found")


def test_a_short_token_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="API_METRICS_TOKEN must be at least 32"):
        ApiSettings(dev_mode=True, metrics_token="short")


def test_the_document_names_the_scheme() -> None:
    document = make(None).test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/metrics"]["get"]
    assert operation["security"] == [{"metricsToken": []}]
    assert {"401", "404"} <= set(operation["responses"])
    assert document["components"]["securitySchemes"]["metricsToken"]["scheme"] == "bearer"
