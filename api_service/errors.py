"""One error shape for every failure: RFC 9457 `application/problem+json`.

Views raise `ApiError` (or a subclass); services raise domain errors
(`api_service.services.errors`), which `from_domain` maps here, the one place that does.
Handlers turn both, Werkzeug's HTTP errors and any unexpected exception into the same
document. `type` is a stable relative URI per kind of problem, `title` is fixed per type,
`detail` says what went wrong this time.
"""

import logging
from dataclasses import dataclass, field
from typing import Any, Final

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from api_service.services.errors import (
    ConflictError,
    DomainError,
    FieldError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)

__all__ = ["PROBLEM_MIME", "ApiError", "FieldError", "from_domain", "problem_response"]

PROBLEM_MIME: Final = "application/problem+json"
_TYPE_PREFIX: Final = "/problems/"

log = logging.getLogger(__name__)


@dataclass
class ApiError(Exception):
    """A failure to report to the client as a problem document."""

    status: int
    slug: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.slug}: {self.detail}"


def validation_error(errors: list[FieldError]) -> ApiError:
    """400 naming every bad field."""
    named = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return ApiError(400, "validation-error", "Invalid request", named, errors)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not-found", "Not found", f"{what} does not exist")


def conflict(slug: str, detail: str) -> ApiError:
    return ApiError(409, slug, "Conflict", detail)


def unauthorized(slug: str, detail: str) -> ApiError:
    return ApiError(401, slug, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def forbidden(detail: str) -> ApiError:
    return ApiError(403, "forbidden", "Forbidden", detail)


# The title of each kind of invalid input.
_INVALID_TITLES: Final = {
    "validation-error": "Invalid request",
    "invalid-layout": "Invalid layout",
    "invalid-slot-map": "Invalid slot map",
}


def from_domain(error: DomainError) -> ApiError:
    """The problem a service's refusal is reported as."""
    match error:
        case NotFoundError():
            return ApiError(404, "not-found", "Not found", error.detail)
        case ForbiddenError():
            return forbidden(error.detail)
        case ConflictError():
            return conflict(error.slug, error.detail)
        case InvalidError():
            title = _INVALID_TITLES[error.kind]
            return ApiError(400, error.kind, title, error.detail, list(error.errors))
        case UnavailableError():
            return ApiError(503, error.slug, "Service Unavailable", error.detail)
    raise TypeError(f"no problem type for {type(error).__name__}")  # a new DomainError kind


def problem_response(error: ApiError) -> Response:
    """The problem+json response for `error`."""
    body: dict[str, Any] = {
        "type": _TYPE_PREFIX + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    response = Response(json.dumps(body), status=error.status, mimetype=PROBLEM_MIME)
    response.headers.update(error.headers)
    return response


def _from_http(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    name = exc.name or "Error"
    slug = name.lower().replace(" ", "-")
    headers = {}
    if status == 405 and exc.response is None:
        # Werkzeug's MethodNotAllowed knows the allowed methods; keep the Allow header.
        headers = dict(exc.get_headers())
        headers.pop("Content-Type", None)
    detail = exc.description or name
    return ApiError(status, slug, name, detail, headers=headers)


def register_error_handlers(app: Flask) -> None:
    """Route every error (ours, HTTP, unexpected) through `problem_response`."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return problem_response(error)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return problem_response(from_domain(error))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return problem_response(_from_http(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(
            ApiError(500, "internal-error", "Internal Server Error", "unexpected error")
        )
