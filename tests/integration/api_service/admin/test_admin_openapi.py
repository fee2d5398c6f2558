"""Schemathesis over the admin routes, as an admin with a real broker: no 5xx, and every
response matches the document."""

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from api_service import create_app
from api_service.openapi import openapi_document
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import api_settings

pytestmark = pytest.mark.integration


def _document() -> dict[str, Any]:
    settings = api_settings("postgresql+psycopg://unused@127.0.0.1:9/none", live_updates=False)
    return openapi_document(create_app(settings), "Parking platform API", "1.0.0")


schema = schemathesis.openapi.from_dict(_document()).include(path_regex=r"^/api/v1/admin/")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_admin_routes_have_no_server_errors(
    case: Any, admin_app: Flask, lots: Session, staff: Staff
) -> None:
    case.call_and_validate(
        app=admin_app,
        headers=staff.headers("admin"),
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
