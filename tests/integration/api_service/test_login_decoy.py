"""Login spends one argon2 verification whether or not the e-mail has a usable account."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api_service.passwords import Passwords
from schemas.db import User
from schemas.enums import Role
from tests.integration.api_service.conftest import PASSWORD, Users, problem

pytestmark = pytest.mark.integration


def _account(session: Session, users: Users, email: str, stored: str | None) -> None:
    """A driver with `stored` as its hash (None: disabled, with a real hash)."""
    user = session.get(User, users.add_driver(email))
    assert user is not None
    if stored is None:
        user.disabled_at = user.created_at
    else:
        user.password_hash = stored
    session.commit()


@pytest.mark.parametrize(
    ("case", "stored"),
    [("unknown", None), ("disabled", None), ("broken hash", "x"), ("empty hash", "")],
)
def test_no_usable_account_costs_a_decoy_verification(
    app: Flask,
    client: FlaskClient,
    users: Users,
    session: Session,
    verified: list[str],
    case: str,
    stored: str | None,
) -> None:
    email = "someone@example.com"
    if case != "unknown":
        _account(session, users, email, stored)
    decoy = app.extensions["parking_passwords"].decoy
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "driver@example.com", "password": "nope-1234567"}
    )
    assert verified.count(decoy) == 0  # a real account: its own hash, once
    verified.clear()
    refused = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401
    assert problem(refused) == problem(wrong)
    # A broken stored hash is refused by argon2 without hashing; the decoy then takes the time.
    assert verified[-1] == decoy
    assert verified.count(decoy) == 1


def test_a_known_account_is_verified_against_its_own_hash(
    app: Flask, client: FlaskClient, users: Users, session: Session, verified: list[str]
) -> None:
    passwords: Passwords = app.extensions["parking_passwords"]
    body = {"email": "driver@example.com", "password": PASSWORD}
    ok = client.post("/api/v1/auth/login", json=body)
    assert ok.status_code == 200
    stored = session.get(User, users.ids[Role.DRIVER])
    assert stored is not None
    assert verified == [stored.password_hash]
    assert passwords.decoy not in verified
