"""Operations: health, readiness, metrics, the OpenAPI document and its docs page."""

import html
from typing import Any

from flask import Blueprint, Response, current_app, json, request

from api_service.access import METRICS, PUBLIC
from api_service.db import database
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import ApiError
from api_service.metrics import Metrics, scrape_refusal
from api_service.models.common import Health
from api_service.openapi import openapi_document
from api_service.settings import ApiSettings

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@endpoint(RouteSpec("Liveness: the process answers", PUBLIC, "ops", response=Health))
def healthz() -> Health:
    return Health(status="ok")


@bp.get("/readyz")
@endpoint(
    RouteSpec("Readiness: the database is reachable", PUBLIC, "ops", response=Health, errors=(503,))
)
def readyz() -> Health:
    if not database().reachable():
        raise ApiError(503, "not-ready", "Service Unavailable", "database unreachable")
    return Health(status="ok", database=True)


@bp.get("/metrics")
@endpoint(
    RouteSpec(
        "Prometheus metrics (bearer API_METRICS_TOKEN; off without it)",
        METRICS,
        "ops",
        media_type="text/plain",
        errors=(401, 404),
    )
)
def metrics() -> Response:
    settings: ApiSettings = current_app.extensions["parking_settings"]
    refusal = scrape_refusal(settings.metrics_token, request.headers.get("Authorization"))
    if refusal is not None:
        raise refusal
    exporter: Metrics = current_app.extensions["parking_metrics"]
    return exporter.exposition()


def _document() -> dict[str, Any]:
    cached: dict[str, Any] | None = current_app.extensions.get("parking_openapi")
    if cached is None:
        cached = openapi_document(current_app, "Parking platform API", "1.0.0")
        current_app.extensions["parking_openapi"] = cached
    return cached


@bp.get("/api/v1/openapi.json")
@endpoint(RouteSpec("This OpenAPI 3.1 document", PUBLIC, "ops"))
def openapi() -> Response:
    return Response(json.dumps(_document()), mimetype="application/json")


@bp.get("/docs")
@endpoint(RouteSpec("The API's docs page", PUBLIC, "ops", media_type="text/html"))
def docs() -> Response:
    """A self-contained page listing every operation (no CDN, no script)."""
    rows = []
    for path, operations in _document()["paths"].items():
        for method, op in operations.items():
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code>"
                f"</td><td>{html.escape(op['summary'])}</td><td>{op['x-access']}</td></tr>"
            )
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Parking API</title>"
        "<h1>Parking platform API</h1><p>Machine-readable: "
        "<a href=/api/v1/openapi.json>/api/v1/openapi.json</a> (OpenAPI 3.1). Errors are "
        "<code>application/problem+json</code>.</p><table border=1 cellpadding=4>"
        "<tr><th>method</th><th>path</th><th>what</th><th>access</th></tr>"
        + "".join(rows)
        + "</table></html>"
    )
    return Response(page, mimetype="text/html")
