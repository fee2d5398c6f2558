"""Registration, login, refresh and `me`, and every way a token is refused."""

from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from api_service.access import token_claims
from schemas.db import User
from schemas.enums import Role
from tests.integration.api_service.conftest import PASSWORD, Users, problem

pytestmark = pytest.mark.integration


def register(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post("/api/v1/auth/register", json={"email": email, "password": password})


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.data
    tokens: dict[str, str] = response.get_json()
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_login_me_refresh(client: FlaskClient, session: Session) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "  Ann@Example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 201
    assert response.get_json()["email"] == "ann@example.com"
    assert response.get_json()["role"] == "driver"
    stored = session.scalar(select(User).where(User.email == "ann@example.com"))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash

    tokens = login(client, "ANN@example.com")
    assert tokens["token_type"] == "Bearer"
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.get_json()["email"] == "ann@example.com"
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["role"] == (
        "driver"
    )

    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200
    again = client.get("/api/v1/auth/me", headers=bearer(refreshed.get_json()["access_token"]))
    assert again.get_json()["id"] == me.get_json()["id"]


def test_duplicate_email_is_a_conflict(client: FlaskClient, failed_statements: list[str]) -> None:
    assert register(client, "bob@example.com").status_code == 201
    response = register(client, "BOB@example.com")
    assert response.status_code == 409
    assert problem(response)["type"] == "/problems/email-taken"
    # An expected answer, not a unique violation in PostgreSQL's log.
    assert failed_statements == []


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("a@b", PASSWORD, "email"),
        ("carol@example.com", "short1", "password"),
        ("carol@example.com", "onlyletterslong", "password"),
        ("carol@example.com", " padded-password-1", "password"),
        ("carol@example.com", "x" * 129 + "1", "password"),
        ("carolyn@example.com", "my-carolyn-password-1", "password"),
    ],
)
def test_registration_policy_names_the_field(
    client: FlaskClient, email: str, password: str, field: str
) -> None:
    response = register(client, email, password)
    assert response.status_code == 400
    body = problem(response)
    assert [error["field"] for error in body["errors"]] == [field]


def test_body_problems(client: FlaskClient) -> None:
    not_json = client.post("/api/v1/auth/login", data="email=x", content_type="text/plain")
    assert not_json.status_code == 415
    problem(not_json)
    broken = client.post("/api/v1/auth/login", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert problem(broken)["errors"][0]["field"] == "body"
    extra = client.post(
        "/api/v1/auth/login", json={"email": "a@example.com", "password": "x", "admin": True}
    )
    assert [e["field"] for e in problem(extra)["errors"]] == ["admin"]
    huge = client.post("/api/v1/auth/login", data="x" * 20_000, content_type="application/json")
    assert huge.status_code == 413
    problem(huge)


def test_wrong_password_and_unknown_user_look_the_same(client: FlaskClient, users: Users) -> None:
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "driver@example.com", "password": "nope-1234567"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert problem(wrong) == problem(unknown)


def test_disabled_user_cannot_log_in_or_refresh(
    client: FlaskClient, users: Users, session: Session
) -> None:
    tokens = login(client, "driver@example.com")
    user = session.get(User, users.ids[Role.DRIVER])
    assert user is not None
    user.disabled_at = user.created_at
    session.commit()
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "driver@example.com", "password": PASSWORD}
        ).status_code
        == 401
    )
    refused = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refused.status_code == 401
    assert problem(refused)["type"] == "/problems/unknown-user"


def _token_cases(app: Flask, user_id: int) -> dict[str, tuple[str, str]]:
    """name -> (token, expected problem type) for every refusal."""
    claims = token_claims(Role.DRIVER)
    with app.app_context():
        valid = create_access_token(str(user_id), additional_claims=claims)
        expired = create_access_token(
            str(user_id), additional_claims=claims, expires_delta=timedelta(seconds=-5)
        )
        refresh = create_refresh_token(str(user_id), additional_claims=claims)
    payload = jwt.decode(valid, options={"verify_signature": False})
    forged = jwt.encode(payload, "another-secret-of-sufficient-length-000", algorithm="HS256")
    header, body, _signature = valid.split(".")
    unsigned = jwt.encode(payload, key=None, algorithm="none")
    return {
        "expired": (expired, "/problems/expired-token"),
        "wrong signature": (forged, "/problems/invalid-token"),
        "refresh used as access": (refresh, "/problems/invalid-token"),
        "tampered": (f"{header}.{body}x.{_signature}", "/problems/invalid-token"),
        "alg none": (unsigned, "/problems/invalid-token"),
        "garbage": ("not.a.jwt", "/problems/invalid-token"),
    }


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong signature", "refresh used as access", "tampered", "alg none", "garbage"],
)
def test_bad_tokens_are_refused_with_401(
    app: Flask, client: FlaskClient, users: Users, case: str
) -> None:
    token, expected = _token_cases(app, users.ids[Role.DRIVER])[case]
    response = client.get("/api/v1/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert problem(response)["type"] == expected
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_access_token_cannot_refresh_and_missing_token_is_401(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    response = client.post("/api/v1/auth/refresh", headers=users.headers(Role.DRIVER))
    assert response.status_code == 401
    assert problem(response)["type"] == "/problems/invalid-token"
    missing = client.get("/api/v1/auth/me")
    assert missing.status_code == 401
    assert problem(missing)["type"] == "/problems/missing-token"


def test_login_and_register_are_rate_limited(make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_limit_auth="3/minute").test_client()
    codes = [register(client, f"user{n}@example.com").status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "x"})
    assert refused.status_code == 429
    assert problem(refused)["type"] == "/problems/rate-limited"
    assert int(refused.headers["Retry-After"]) >= 1
