"""Security headers on every response, and no server version, without a proxy in front."""

import http.client
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from api_service import __main__ as dev_server
from api_service.app import create_app
from api_service.security_headers import SECURITY_HEADERS
from api_service.settings import ApiSettings


@pytest.fixture
def app() -> Flask:
    """The API without a database: only routes that never query one are called."""
    app = create_app(ApiSettings(dev_mode=True, live_updates=False, rate_limit_enabled=False))

    def boom() -> str:
        raise RuntimeError("unexpected")

    app.add_url_rule("/boom", view_func=boom)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/docs", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/nowhere", 404),
        ("DELETE", "/healthz", 405),
        ("GET", "/api/v1/auth/me", 401),
        ("POST", "/api/v1/auth/login", 415),
        ("GET", "/boom", 500),
    ],
)
def test_every_response_carries_the_security_headers(
    app: Flask, method: str, path: str, status: int
) -> None:
    response = app.test_client().open(path, method=method)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"no-referrer", "strict-origin-when-cross-origin"}
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_docs_page_needs_nothing_the_policy_forbids(app: Flask) -> None:
    page = app.test_client().get("/docs").get_data(as_text=True)
    for loads in ("<script", "<style", "style=", "<img", "<link", "<iframe", "<form"):
        assert loads not in page


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=dev_server.ApiRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_the_dev_server_names_no_version(served: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("Server") == "parking-api"
    assert response.getheader("X-Frame-Options") == "DENY"


def test_parking_api_runs_with_that_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, Any] = {}
    monkeypatch.setenv("API_DEV_MODE", "true")
    monkeypatch.setenv("API_LIVE_UPDATES", "false")
    monkeypatch.setattr(Flask, "run", lambda _app, **options: ran.update(options))
    assert dev_server.main(["--port", "8123"]) == 0
    assert ran["request_handler"] is dev_server.ApiRequestHandler
    assert ran["port"] == 8123
