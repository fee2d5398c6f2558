"""`parking-api`: the development server (production runs gunicorn on `create_app()`)."""

import argparse
import sys

from pydantic import ValidationError
from werkzeug.serving import WSGIRequestHandler

from api_service.app import create_app
from api_service.settings import ApiSettings

SERVER_NAME = "parking-api"


class ApiRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, minus its `Server: Werkzeug/x.y Python/x.y` version banner."""

    def version_string(self) -> str:
        return SERVER_NAME


def main(argv: list[str] | None = None) -> int:
    """Run the dev server; settings come from the environment, flags override host/port."""
    parser = argparse.ArgumentParser(prog="parking-api", description=__doc__)
    parser.add_argument("--host", help="bind address (API_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (API_PORT, default 8000)")
    args = parser.parse_args(argv)
    try:
        settings = ApiSettings()
    except ValidationError as exc:
        print(f"parking-api: invalid settings:\n{exc}", file=sys.stderr)  # noqa: T201
        return 2
    app = create_app(settings)
    app.run(
        host=args.host or settings.host,
        port=args.port or settings.port,
        threaded=True,
        request_handler=ApiRequestHandler,
    )
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
