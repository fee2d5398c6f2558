"""Registration, staff accounts and `parkctl users create-admin` refuse guessable passwords
with the validation problem, naming the field and zxcvbn's reason."""

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from parkctl.__main__ import main as parkctl
from schemas.db import User
from schemas.enums import Role
from tests.integration.api_service.conftest import Users, problem

pytestmark = pytest.mark.integration

WEAK = "Password123!"  # ten characters, letters and digits: the old rules took it


def _refused(response: object, session: Session, email: str) -> None:
    body = problem(response)
    assert body["type"] == "/problems/validation-error"
    (error,) = body["errors"]
    assert error["field"] == "password"
    assert "commonly used password" in error["message"]
    assert session.scalar(select(User).where(User.email == email)) is None


def test_registration_refuses_a_common_password(client: FlaskClient, session: Session) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "weak@example.com", "password": WEAK}
    )
    assert response.status_code == 400
    _refused(response, session, "weak@example.com")


def test_staff_accounts_refuse_a_common_password(
    client: FlaskClient, users: Users, session: Session
) -> None:
    body = {"email": "weak-admin@example.com", "password": WEAK, "role": "admin"}
    response = client.post("/api/v1/admin/users", json=body, headers=users.headers(Role.ADMIN))
    assert response.status_code == 400
    _refused(response, session, "weak-admin@example.com")


def test_parkctl_refuses_a_common_admin_password(
    database_url: str,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{WEAK}\n"))
    assert parkctl(["users", "create-admin", "root@example.com", "--password-stdin"]) == 1
    assert "commonly used password" in capsys.readouterr().err
    assert session.scalar(select(User).where(User.email == "root@example.com")) is None
