"""`/metrics`, `/healthz` and `/readyz` on a small HTTP port (stdlib WSGI server)."""

import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds would drown the batch log lines."""


def health_app(
    registry: CollectorRegistry, alive: Callable[[], bool], ready: Callable[[], bool]
) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    """A WSGI app: Prometheus metrics and the two probes."""
    metrics = make_wsgi_app(registry)

    def probe(check: Callable[[], bool], start_response: StartResponse) -> list[bytes]:
        ok = check()
        status = "200 OK" if ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
        return [b"ok\n" if ok else b"unavailable\n"]

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            result: Iterable[bytes] = metrics(environ, start_response)
            return result
        if path == "/healthz":
            return probe(alive, start_response)
        if path == "/readyz":
            return probe(ready, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found\n"]

    return app


class HealthServer:
    """The WSGI app served from a daemon thread."""

    def __init__(
        self, host: str, port: int, app: Callable[[Environ, StartResponse], Iterable[bytes]]
    ) -> None:
        self._server: WSGIServer = make_server(host, port, app, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self._server.server_port)

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
