"""The account behind a token is loaded once, centrally, on every route that takes a token:
a subject that names no user id is a 401, and so is a disabled or deleted account."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy.orm import Session

from api_service.access import Access, token_claims
from api_service.endpoint import SPEC_ATTR
from schemas.db import User
from schemas.enums import Role
from tests.integration.api_service.conftest import PASSWORD, TEST_SECRET, Users, problem

pytestmark = pytest.mark.integration

BAD_SUBJECTS = ["abc", "1.5", "", "-1", "0", " 1", "1e3", "+1", "0x1", "\u0661", "9" * 20]


def protected_routes(app: Flask) -> Iterator[tuple[str, str, Access]]:
    """(method, concrete path, policy) of every route that takes a token, admin ones too."""
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], SPEC_ATTR, None)
        if spec is None or spec.access.public:
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        path = re.sub(r"<[a-z_]+>", "x1", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, path, spec.access


def token_for(app: Flask, subject: str, access: Access) -> str:
    """A validly signed token of the kind `access` wants, for `subject`."""
    role = Role.ADMIN if access.staff else Role.DRIVER
    claims = token_claims(role)
    make = create_refresh_token if access.refresh else create_access_token
    with app.app_context():
        token: str = make(subject, additional_claims=claims)
    return token


def call(client: FlaskClient, method: str, path: str, token: str) -> Any:
    return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("subject", BAD_SUBJECTS)
def test_a_subject_that_is_no_user_id_is_a_401_everywhere(
    app: Flask, client: FlaskClient, users: Users, subject: str
) -> None:
    routes = list(protected_routes(app))
    assert len(routes) > 30  # driver, auth and every admin route
    for method, path, access in routes:
        response = call(client, method, path, token_for(app, subject, access))
        assert response.status_code == 401, (method, path, response.data)
        assert problem(response)["type"] == "/problems/invalid-token", (method, path)


@pytest.mark.parametrize("subject", [5, None, ["1"], {"id": 1}])
def test_a_subject_that_is_not_a_string_is_a_401(
    app: Flask, client: FlaskClient, users: Users, subject: object
) -> None:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iat": now, "nbf": now, "exp": now + 60, "jti": "j", "type": "access"}
    claims |= {"fresh": False, "sub": subject, **token_claims(Role.DRIVER)}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    response = call(client, "GET", "/api/v1/auth/me", token)
    assert response.status_code == 401, response.data
    assert problem(response)["type"] == "/problems/invalid-token"


def _driver_routes(app: Flask) -> list[tuple[str, str, Access]]:
    return [
        (method, path, access)
        for method, path, access in protected_routes(app)
        if Role.DRIVER in (access.roles or ())
    ]


@pytest.mark.parametrize("gone", ["disabled", "deleted"])
def test_a_disabled_or_deleted_driver_is_refused_on_every_driver_route(
    app: Flask, client: FlaskClient, users: Users, session: Session, lots: Session, gone: str
) -> None:
    driver = users.add_driver("leaving@example.com")
    login = client.post(
        "/api/v1/auth/login", json={"email": "leaving@example.com", "password": PASSWORD}
    )
    tokens = login.get_json()
    mine = client.get("/api/v1/reservations", headers=users.driver_headers(driver))
    assert mine.status_code == 200  # the tokens work until the account goes
    user = session.get(User, driver)
    assert user is not None
    if gone == "disabled":
        user.disabled_at = datetime.now(UTC)
    else:
        session.delete(user)
    session.commit()
    routes = _driver_routes(app)
    assert {path for _, path, _ in routes} >= {
        "/api/v1/reservations",
        "/api/v1/sessions",
        "/api/v1/auth/me",
        "/api/v1/auth/refresh",
    }
    for method, path, access in routes:
        token = tokens["refresh_token" if access.refresh else "access_token"]
        response = call(client, method, path, token)
        assert response.status_code == 401, (method, path, response.data)
        assert problem(response)["type"] == "/problems/unknown-user", (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_driver_whose_role_changed_is_refused_on_driver_routes(
    client: FlaskClient, users: Users, session: Session
) -> None:
    driver = users.add_driver("promoted@example.com")
    headers = users.driver_headers(driver)
    user = session.get(User, driver)
    assert user is not None
    user.role = Role.ADMIN
    session.commit()
    refused = client.get("/api/v1/reservations", headers=headers)
    assert refused.status_code == 403
    assert "admin" in problem(refused)["detail"]
