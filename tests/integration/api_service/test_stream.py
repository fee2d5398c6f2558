"""SSE over a real HTTP server on loopback: the document, then every change, pushed."""

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

pytestmark = pytest.mark.integration

READ_GUARD_S = 10.0  # a hang guard only: changes arrive as soon as they commit
POLLS = 200  # of 50 ms: a hang guard for a release, not a timing assertion


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """`app` on a loopback port in a thread, until the context exits."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(timeout=10)


class EventReader:
    """Reads `text/event-stream` frames from an open response."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.response = response

    def next_frame(self) -> dict[str, str]:
        """The next frame's fields ({} when the stream ends)."""
        frame: dict[str, str] = {}
        for _ in range(10_000):
            line = self.response.readline().decode()
            if line == "":
                return frame
            if line == "\n":
                if frame:
                    return frame
                continue
            name, _, value = line.rstrip("\n").partition(":")
            frame[name or "comment"] = value.lstrip(" ")
        raise AssertionError("no frame boundary")

    def next_event(self) -> dict[str, Any]:
        """The next availability document, skipping comments and the retry hint."""
        for _ in range(1000):
            frame = self.next_frame()
            assert frame, "stream ended"
            if frame.get("event") == "availability":
                document: dict[str, Any] = json.loads(frame["data"])
                return document
        raise AssertionError("no event")


def _open(port: int, lot: str, client: str | None) -> http.client.HTTPConnection:
    """A stream request; `client` poses as that address behind a trusted proxy."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READ_GUARD_S)
    headers = {} if client is None else {"X-Forwarded-For": client}
    connection.request("GET", f"/api/v1/lots/{lot}/availability/stream", headers=headers)
    return connection


@contextmanager
def stream(port: int, lot: str, client: str | None = None) -> Iterator[EventReader]:
    connection = _open(port, lot, client)
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    try:
        yield EventReader(response)
    finally:
        response.close()  # the response holds the socket open past connection.close()
        connection.close()


def test_stream_pushes_every_change(make_app: Callable[..., Flask], lots: Session) -> None:
    app = make_app()
    with serving(app) as port, stream(port, "harbour-surface") as events:
        first = events.next_event()
        assert (first["free"], first["occupied"]) == (24, 0)
        assert app.extensions["parking_hub"].wait_connected(READ_GUARD_S)
        for n, code in enumerate(["A01", "A02", "B01"], start=1):
            lots.execute(
                text("UPDATE slots SET detected_status = 'occupied' WHERE code = :c"), {"c": code}
            )
            lots.commit()
            pushed = events.next_event()
            assert (pushed["free"], pushed["occupied"]) == (24 - n, n)


def test_stream_ends_after_its_maximum_and_sends_keepalives(
    make_app: Callable[..., Flask], lots: Session
) -> None:
    app = make_app(sse_keepalive_s=0.2, sse_max_lifetime_s=1.0)
    with serving(app) as port, stream(port, "harbour-surface") as events:
        frames = [events.next_frame() for _ in range(50)]
    assert frames[0] == {"retry": "3000"}  # how long EventSource waits to reconnect
    assert {"comment": "keepalive"} in frames
    assert frames[-1] == {}  # the server closed the stream
    assert app.extensions["parking_streams"].open_count == 0


def test_a_quiet_stream_ends_at_its_lifetime(make_app: Callable[..., Flask], lots: Session) -> None:
    # No change and a keepalive far beyond the read guard: only the lifetime can end it.
    app = make_app(sse_keepalive_s=60.0, sse_max_lifetime_s=1.0)
    with serving(app) as port, stream(port, "harbour-surface") as events:
        assert events.next_frame() == {"retry": "3000"}
        assert events.next_event()["lot_id"] == "harbour-surface"
        assert events.next_frame() == {}  # closed by the server, in time for the client


def _refused(port: int, client: str, status: int, slug: str, lifetime_s: float) -> None:
    connection = _open(port, "harbour-surface", client)
    try:
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == status
    assert response.getheader("Content-Type") == "application/problem+json"
    assert (body["status"], body["type"]) == (status, f"/problems/{slug}")
    retry_after = response.getheader("Retry-After")
    assert retry_after is not None
    assert retry_after.isdigit(), retry_after
    # When the oldest stream in the way must end: within one lifetime.
    assert 1 <= int(retry_after) <= lifetime_s


def test_streams_are_capped_per_client_and_in_total(
    make_app: Callable[..., Flask], lots: Session
) -> None:
    lifetime = 600.0
    app = make_app(
        sse_max_per_client=1, sse_max_total=2, sse_max_lifetime_s=lifetime, trusted_proxies=1
    )
    slots = app.extensions["parking_streams"]
    with serving(app) as port, stream(port, "harbour-surface", "10.0.0.1") as first:
        first.next_event()
        _refused(port, "10.0.0.1", 429, "too-many-streams-per-client", lifetime)
        with stream(port, "harbour-surface", "10.0.0.2") as second:
            second.next_event()
            _refused(port, "10.0.0.3", 503, "too-many-streams", lifetime)
            _refused(port, "10.0.0.2", 429, "too-many-streams-per-client", lifetime)
        # The server notices the closed connection at its next keepalive.
        for _ in range(POLLS):
            if slots.open_count == 1:
                break
            threading.Event().wait(0.05)
        with stream(port, "harbour-surface", "10.0.0.3") as third:
            assert third.next_event()["lot_id"] == "harbour-surface"


def test_streams_end_when_the_listener_stops(make_app: Callable[..., Flask], lots: Session) -> None:
    # A keepalive far beyond the read guard: only the stop can end the wait in time.
    app = make_app(sse_keepalive_s=60.0, sse_max_lifetime_s=600.0)
    with serving(app) as port, stream(port, "harbour-surface") as events:
        events.next_event()
        app.extensions["parking_hub"].stop()
        assert events.next_frame() == {}  # closed by the server, not a keepalive


def test_stream_refusals(make_app: Callable[..., Flask], lots: Session) -> None:
    app = make_app(sse_max_per_client=1)
    with serving(app) as port, stream(port, "harbour-surface") as events:
        events.next_event()
        connection = _open(port, "harbour-surface", None)
        busy = connection.getresponse()
        assert busy.status == 429
        assert busy.getheader("Content-Type") == "application/problem+json"
        connection.close()
    client = make_app().test_client()
    missing = client.get("/api/v1/lots/nowhere/availability/stream")
    assert missing.status_code == 404
    off = make_app(live_updates=False).test_client()
    assert off.get("/api/v1/lots/harbour-surface/availability/stream").status_code == 503
