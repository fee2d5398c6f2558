"""The admin dashboard in the local stack: its built files, and the API behind the same origin.

    python -m infra.local.dashboard --port 8080 --api http://127.0.0.1:8000 [--root dashboard/dist]

Static files come from the Vite build (`make dashboard`); `/api/`, `/docs` and the probes are
passed to the API as they are, streamed (Server-Sent Events arrive as they are sent). Same
origin as Nginx does it in Compose, so the API needs no CORS. Loopback only; development only.
"""

import argparse
import contextlib
import http.client
import sys
from collections.abc import Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
PROXIED: Final = ("/api/", "/docs", "/healthz", "/readyz")
# Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own, never forwarded.
HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
MAX_BODY: Final = 2 * 1024 * 1024  # as Nginx's client_max_body_size
UPSTREAM_TIMEOUT_S: Final = 3600.0  # SSE streams are long-lived; the API ends them itself


class DashboardHandler(SimpleHTTPRequestHandler):
    """Files from the build folder; API paths forwarded to `api` (host, port)."""

    api: tuple[str, int] = ("127.0.0.1", 8000)
    server_version = "parking-dashboard"

    def do_GET(self) -> None:
        """A file, the API's answer, or a page's address sent to its route."""
        if self.path.startswith(PROXIED):
            self._forward()
        elif not Path(self.directory, "index.html").is_file():
            # Not built: say how, and keep the rest of the stack running.
            self.send_error(503, "the dashboard is not built: run `make dashboard` (Node.js 20+)")
        elif (route := self._route()) is not None:
            self._redirect(route)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        """As GET, without a body."""
        if self.path.startswith(PROXIED):
            self._forward()
        elif (route := self._route()) is not None:
            self._redirect(route)
        else:
            super().do_HEAD()

    def _route(self) -> str | None:
        """The app's own address for a typed page path (`/lots/x` -> `/#/lots/x`), or None.

        The app routes in the URL's fragment (HashRouter: the same build works at / and at
        Nginx's /dashboard/), so a path that is not a file is a page of the app: it is sent to
        that page, whose router shows it or says "No such page" with the navigation. Serving
        index.html at /lots/x instead would load its relative assets from /lots/assets/. Paths
        that look like files (a dot in the last segment) stay 404s.
        """
        raw = urlsplit(self.path).path
        path = unquote(raw)
        if path == "/" or "." in path.rpartition("/")[2]:
            return None
        if Path(self.translate_path(raw)).exists():
            return None  # a folder of the build: the file server answers as before
        return "/#" + quote(path.rstrip("/"), safe="/")

    def _redirect(self, location: str) -> None:
        body = f'<a href="{location}">{location}</a>\n'.encode()
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_POST(self) -> None:
        """API only."""
        self._forward_or_404()

    def do_PUT(self) -> None:
        """API only."""
        self._forward_or_404()

    def do_PATCH(self) -> None:
        """API only."""
        self._forward_or_404()

    def do_DELETE(self) -> None:
        """API only."""
        self._forward_or_404()

    def end_headers(self) -> None:
        if not self.path.startswith(PROXIED):
            # index.html must be re-read after a rebuild; hashed assets may be cached.
            cache = "no-cache" if "/assets/" not in self.path else "public, max-age=31536000"
            self.send_header("Cache-Control", cache)
            self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _forward_or_404(self) -> None:
        if self.path.startswith(PROXIED):
            self._forward()
        else:
            self.send_error(404)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(*self.api, timeout=UPSTREAM_TIMEOUT_S)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
        except OSError as exc:
            upstream.close()
            self.send_error(502, f"the API at {self.api[0]}:{self.api[1]} is not answering: {exc}")
            return
        try:
            self.send_response_only(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            super().end_headers()
            self._copy(response)
        finally:
            upstream.close()

    def _copy(self, response: http.client.HTTPResponse) -> None:
        """The body as it arrives (read1: whatever is there, so SSE frames are not held back)."""
        if self.command == "HEAD":
            return
        try:
            while chunk := response.read1(65_536):
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (closed tab, EventSource reconnect)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local.dashboard", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (loopback)")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the API's base URL")
    parser.add_argument("--root", type=Path, default=REPO / "dashboard" / "dist")
    return parser.parse_args(argv)


def make_server(port: int, api: str, root: Path) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:`port` (0: any free port) for `root`, forwarding to `api`."""
    target = urlsplit(api)
    if target.scheme != "http" or not target.hostname:
        raise ValueError(f"--api {api!r}: an http://host:port URL is required")
    handler = type("Handler", (DashboardHandler,), {"api": (target.hostname, target.port or 80)})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(root)))
    server.daemon_threads = True
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted."""
    args = parse_args(argv)
    if not (args.root / "index.html").is_file():
        print(  # noqa: T201
            f"dashboard: {args.root / 'index.html'} is missing: build it with `make dashboard` "
            "(needs Node.js 20+); until then the page says so",
            file=sys.stderr,
        )
    try:
        server = make_server(args.port, args.api, args.root)
    except (OSError, ValueError) as exc:
        print(f"dashboard: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    with server:
        print(f"dashboard: http://127.0.0.1:{server.server_port}/", flush=True)  # noqa: T201
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
