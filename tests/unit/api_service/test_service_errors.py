"""Services refuse with domain errors; `from_domain` maps each to its problem document."""

import json

import pytest

from api_service.errors import ApiError, from_domain, problem_response
from api_service.services.errors import (
    ConflictError,
    DomainError,
    FieldError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NotFoundError("lot x"), (404, "not-found", "Not found", "lot x does not exist")),
        (
            ForbiddenError("lot x is for admins only"),
            (403, "forbidden", "Forbidden", "lot x is for admins only"),
        ),
        (
            ConflictError("lot-exists", "lot x already exists"),
            (409, "lot-exists", "Conflict", "lot x already exists"),
        ),
        (
            InvalidError([FieldError("node_id", "too long"), FieldError("lot", "unknown")]),
            (400, "validation-error", "Invalid request", "node_id: too long; lot: unknown"),
        ),
        (
            InvalidError([FieldError("body", "no floors")], "invalid-layout", "no floors"),
            (400, "invalid-layout", "Invalid layout", "no floors"),
        ),
        (
            InvalidError([FieldError("slots.0", "unknown slot")], "invalid-slot-map"),
            (400, "invalid-slot-map", "Invalid slot map", "slots.0: unknown slot"),
        ),
        (
            UnavailableError("broker-unavailable", "timed out"),
            (503, "broker-unavailable", "Service Unavailable", "timed out"),
        ),
    ],
)
def test_each_domain_error_has_its_problem(
    error: DomainError, expected: tuple[object, ...]
) -> None:
    problem = from_domain(error)
    assert (problem.status, problem.slug, problem.title, problem.detail) == expected
    assert str(error) == error.detail


def test_field_errors_reach_the_document() -> None:
    error = InvalidError([FieldError("node_id", "too long")])
    body = json.loads(problem_response(from_domain(error)).get_data())
    assert body["errors"] == [{"field": "node_id", "message": "too long"}]
    assert body["type"] == "/problems/validation-error"


def test_forbidden_matches_the_views_own() -> None:
    assert from_domain(ForbiddenError("no")) == ApiError(403, "forbidden", "Forbidden", "no")
