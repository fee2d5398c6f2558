"""Fixtures for the API: an app on this test's database, example lots, users by role."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import Session

from api_service import create_app
from api_service.access import token_claims
from api_service.live import LiveHub
from api_service.settings import ApiSettings
from schemas.db import Node, Operator, ParkingLot, Slot, User
from schemas.db.layout_import import import_layout
from schemas.enums import DetectedStatus, Role, SlotStatus
from schemas.layout import parse_layout

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "lots"
TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD = "correct-horse-42"


def api_settings(database_url: str, **overrides: Any) -> ApiSettings:
    """Settings for tests: cheap argon2, generous limits, live updates on."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret_key": TEST_SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "rate_limit_auth": "10000/minute",
        "rate_limit_public": "10000/minute",
        "rate_limit_user": "10000/minute",
        "sse_keepalive_s": 0.5,
    }
    return ApiSettings(**(values | overrides))


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's database; their listeners and pools are closed after."""
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app(api_settings(overrides.pop("database_url", database_url), **overrides))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        hub: LiveHub | None = app.extensions["parking_hub"]
        if hub is not None:
            hub.stop()
        app.extensions["parking_db"].engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def failed_statements() -> Iterator[list[str]]:
    """The error of every statement PostgreSQL refuses during the test, from any engine (each
    is an ERROR line in the server's log): expected answers such as a 409 should cause none."""
    failed: list[str] = []

    def record(context: ExceptionContext) -> None:
        failed.append(f"{type(context.original_exception).__name__}: {context.statement}")

    event.listen(Engine, "handle_error", record)
    yield failed
    event.remove(Engine, "handle_error", record)


def import_example(session: Session, name: str) -> None:
    """Import an example lot (with its operator)."""
    document = json.loads((EXAMPLES / name).read_text())
    if session.scalar(select(Operator).where(Operator.code == document["operator"])) is None:
        session.add(Operator(code=document["operator"], name=document["operator"].title()))
        session.flush()
    import_layout(session, parse_layout(json.dumps(document)), actor="test")
    session.commit()


@pytest.fixture
def lots(session: Session) -> Session:
    """Both example lots imported; every slot detected free by an online node."""
    import_example(session, "harbour-surface.json")
    import_example(session, "downtown-garage.json")
    for lot_id in session.scalars(select(ParkingLot.id)):
        session.add(Node(id=f"node-{lot_id}", lot_id=lot_id, state="online"))
        session.flush()
        session.execute(
            update(Slot)
            .where(Slot.lot_id == lot_id)
            .values(
                detected_status=DetectedStatus.FREE,
                detected_node_id=f"node-{lot_id}",
                detected_at=datetime.now(UTC),
                status=SlotStatus.FREE,
            )
        )
    session.commit()
    return session


@dataclass
class Users:
    """Accounts of every role and access tokens for them."""

    app: Flask
    session: Session
    ids: dict[Role, int]

    def token(self, role: Role) -> str:
        with self.app.app_context():
            token: str = create_access_token(
                str(self.ids[role]), additional_claims=token_claims(role)
            )
        return token

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.token(role)}"}

    def add_driver(self, email: str) -> int:
        user = User(email=email, password_hash=_hash(self.app), role=Role.DRIVER)
        self.session.add(user)
        self.session.commit()
        return user.id

    def driver_headers(self, user_id: int) -> dict[str, str]:
        with self.app.app_context():
            token = create_access_token(str(user_id), additional_claims=token_claims(Role.DRIVER))
        return {"Authorization": f"Bearer {token}"}


def _hash(app: Flask) -> str:
    return str(app.extensions["parking_passwords"].hash(PASSWORD))


@pytest.fixture
def users(app: Flask, session: Session) -> Users:
    operator = session.scalar(select(Operator).where(Operator.code == "city-centre"))
    if operator is None:
        operator = Operator(code="city-centre", name="City Centre")
        session.add(operator)
        session.flush()
    ids = {}
    for role in Role:
        user = User(
            email=f"{role.value}@example.com",
            password_hash=_hash(app),
            role=role,
            operator_id=operator.id if role is Role.OPERATOR else None,
        )
        session.add(user)
        session.flush()
        ids[role] = user.id
    session.commit()
    return Users(app, session, ids)


def lot_id(session: Session, code: str) -> int:
    found = session.scalar(select(ParkingLot.id).where(ParkingLot.code == code))
    assert found is not None
    return found


def slot_id(session: Session, lot: str, code: str) -> int:
    query = select(Slot.id).join(ParkingLot).where(ParkingLot.code == lot, Slot.code == code)
    found = session.scalar(query)
    assert found is not None
    return found


def problem(response: Any) -> dict[str, Any]:
    """The problem document of an error response, checking its media type and shape."""
    assert response.mimetype == "application/problem+json", response.data
    body: dict[str, Any] = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code
    return body
