"""Prometheus metrics: requests by route and status, and their latency.

Each app has its own registry (tests build many apps). Under gunicorn with
PROMETHEUS_MULTIPROC_DIR set, /metrics aggregates every worker's figures.

The figures (routes, error rates, traffic) are for the operator's Prometheus, not for
whoever reaches the API's port: /metrics wants the API_METRICS_TOKEN bearer token, and
is off without one. Nginx refuses it from outside as well.
"""

import hmac
import os
from time import perf_counter
from typing import Final

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import SecretStr

from api_service.errors import ApiError, unauthorized

_KEY: Final = "parking_metrics"


class Metrics:
    """Request counters and latency histograms, attached with `init_app`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "api_requests", "HTTP requests served", ["route", "method", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "api_request_seconds", "Time to produce a response", ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )  # fmt: skip

    def init_app(self, app: Flask) -> None:
        app.extensions[_KEY] = self
        app.before_request(_start)
        app.after_request(self._record)

    def _record(self, response: Response) -> Response:
        # The route template, not the URL: bounded label cardinality.
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        self.requests.labels(route, request.method, str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            self.latency.labels(route, request.method).observe(perf_counter() - started)
        return response

    def exposition(self) -> Response:
        """The text exposition format, across workers in multiprocess mode."""
        registry = self.registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _start() -> None:
    g.started = perf_counter()


def scrape_refusal(token: SecretStr | None, authorization: str | None) -> ApiError | None:
    """Why this scrape is refused (None: it may read the metrics), from the configured
    token and the request's Authorization header."""
    if token is None:
        return ApiError(404, "not-found", "Not found", "metrics are off: set API_METRICS_TOKEN")
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    # Constant time: the comparison must not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        return unauthorized(
            "metrics-token", "GET /metrics needs the API_METRICS_TOKEN bearer token"
        )
    return None
