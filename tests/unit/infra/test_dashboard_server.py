"""infra/local/dashboard.py: a typed page address leads to that page, not a bare 404."""

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.dashboard import make_server

INDEX = b"<!doctype html><title>Parking</title><script src='./assets/app.js'></script>"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """The dashboard server over a small build (index.html, assets/app.js); its port."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "app.js").write_bytes(b"console.log('app')")
    server = make_server(0, "http://127.0.0.1:9", tmp_path)  # no API needed here
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("typed", "route"),
    [
        ("/lots/x", "/#/lots/x"),
        ("/lots/harbour-surface/", "/#/lots/harbour-surface"),
        ("/nodes?lot=x", "/#/nodes"),
        ("/lots/caf%C3%A9", "/#/lots/caf%C3%A9"),
        ("/no-such-page", "/#/no-such-page"),
    ],
)
def test_a_typed_page_address_goes_to_the_apps_route(served: int, typed: str, route: str) -> None:
    status, headers, _ = _get(served, typed)
    assert (status, headers["Location"]) == (302, route)
    assert _get(served, typed, "HEAD")[0] == 302
    # ... where the app itself is served.
    status, _, body = _get(served, route.partition("#")[0])
    assert (status, body) == (200, INDEX)


def test_files_are_files_and_missing_files_stay_404(served: int) -> None:
    assert _get(served, "/assets/app.js")[0] == 200
    assert _get(served, "/")[2] == INDEX
    assert _get(served, "/assets/missing.js")[0] == 404
    assert _get(served, "/favicon.ico")[0] == 404
