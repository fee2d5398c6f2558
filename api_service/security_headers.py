"""Security headers on every response, set by the API itself whether or not a proxy is in
front (the local stack and tests have none; Nginx adding its own does no harm)."""

from typing import Final

from flask import Flask, Response

# The API serves JSON and one script- and style-free HTML page (/docs): nothing it sends
# needs to load anything, run anything, or be framed.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


def init_app(app: Flask) -> None:
    """Add the headers to every response, errors included; a view may set its own."""
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
