"""Staff accounts through the admin API: who may create whom, validation, disabling (login and
tokens refused at once), never oneself nor the last admin, and an audit without secrets."""

import json
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from api_service.access import Tenant
from api_service.audit import Actor
from api_service.errors import from_domain
from api_service.services.admin_users import set_disabled
from api_service.services.errors import DomainError
from schemas.db import AuditEntry, Operator, User
from schemas.enums import Role
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import problem

pytestmark = pytest.mark.integration

USERS = "/api/v1/admin/users"
NEW_PASSWORD = "harbour-pass-42"
LOCK_WAIT_POLLS = 1000  # of 10 ms: a bound for a hung test, not a timing assertion


def account(email: str, role: str = "operator", operator: str | None = "harbour-parking") -> Any:
    return {"email": email, "password": NEW_PASSWORD, "role": role, "operator": operator}


def create(client: FlaskClient, staff: Staff, body: Any, who: str = "admin") -> TestResponse:
    return client.post(USERS, json=body, headers=staff.headers(who))


def login(client: FlaskClient, email: str, password: str = NEW_PASSWORD) -> TestResponse:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def switch(client: FlaskClient, staff: Staff, user_id: int, what: str, who: str) -> TestResponse:
    return client.post(f"{USERS}/{user_id}/{what}", headers=staff.headers(who))


def emails(session: Session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(User.email)))


def test_admin_creates_an_operator_account_that_sees_only_its_lots(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    created = create(admin_client, staff, account("  Ops@Harbour.Example.COM "))
    assert created.status_code == 201, created.data
    body = created.get_json()
    assert body | {"id": 0, "created_at": ""} == {
        "id": 0,
        "email": "ops@harbour.example.com",
        "role": "operator",
        "operator": "harbour-parking",
        "created_at": "",
        "last_login_at": None,
        "disabled_at": None,
    }
    stored = lots.get(User, body["id"])
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")

    tokens = login(admin_client, "ops@harbour.example.com")
    assert tokens.status_code == 200, tokens.data
    headers = bearer(tokens.get_json()["access_token"])
    seen = admin_client.get("/api/v1/admin/lots", headers=headers).get_json()["items"]
    assert [lot["lot_id"] for lot in seen] == ["harbour-surface"]
    refused = admin_client.get("/api/v1/admin/lots/downtown/layout", headers=headers)
    assert refused.status_code == 403
    colleagues = admin_client.get(USERS, headers=headers).get_json()["items"]
    assert {u["email"] for u in colleagues} == {
        "staff@harbour.example.com",
        "ops@harbour.example.com",
    }


def test_operator_creates_a_colleague_but_not_an_admin_nor_another_operators_staff(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    colleague = create(admin_client, staff, account("mate@harbour.example.com"), who="harbour")
    assert colleague.status_code == 201, colleague.data
    assert colleague.get_json()["operator"] == "harbour-parking"
    admin = create(admin_client, staff, account("boss@example.com", "admin", None), who="harbour")
    assert admin.status_code == 403
    assert problem(admin)["detail"] == "creating an admin account is for admins only"
    other = create(
        admin_client, staff, account("x@city.example.com", operator="city-centre"), "harbour"
    )
    assert other.status_code == 403
    assert "another operator" in problem(other)["detail"]
    assert {"boss@example.com", "x@city.example.com"}.isdisjoint(emails(lots))
    # Admins may create both.
    assert (
        create(admin_client, staff, account("boss@example.com", "admin", None)).status_code == 201
    )
    city = create(admin_client, staff, account("x@city.example.com", operator="city-centre"))
    assert city.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"operator": "nowhere"}, "operator"),
        ({"operator": None}, "operator"),
        ({"role": "admin"}, "operator"),  # an admin given an operator
        ({"role": "driver"}, "role"),
        ({"email": "not-an-address"}, "email"),
        ({"password": "short-1"}, "password"),
        ({"password": "onlyletterslong"}, "password"),
        ({"password": "new-hire-pass-1"}, "password"),  # contains the e-mail's local part
        ({"password": 1234567890}, "password"),
        ({"admin": True}, "admin"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    admin_client: FlaskClient, staff: Staff, lots: Session, change: dict[str, Any], field: str
) -> None:
    before = emails(lots)
    response = create(admin_client, staff, account("new-hire@harbour.example.com") | change)
    assert response.status_code == 400, response.data
    assert [e["field"] for e in problem(response)["errors"]] == [field]
    assert emails(lots) == before


def test_missing_fields_are_named(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    missing = create(admin_client, staff, {"email": "a@b.example.com"})
    assert missing.status_code == 400
    assert {e["field"] for e in problem(missing)["errors"]} == {"password", "role"}


def test_duplicate_email_is_409(
    admin_client: FlaskClient, staff: Staff, lots: Session, failed_statements: list[str]
) -> None:
    assert create(admin_client, staff, account("dup@harbour.example.com")).status_code == 201
    again = create(admin_client, staff, account("DUP@harbour.example.com", "admin", None))
    assert again.status_code == 409
    assert problem(again)["type"] == "/problems/email-taken"
    driver = create(admin_client, staff, account("driver@example.com"))  # a driver's address
    assert driver.status_code == 409
    count = select(func.count()).select_from(User).where(User.email == "dup@harbour.example.com")
    assert lots.scalar(count) == 1
    assert failed_statements == []  # answered without a unique violation in PostgreSQL's log


def test_disabled_account_cannot_log_in_and_its_tokens_stop_at_once(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    user_id = create(admin_client, staff, account("gone@harbour.example.com")).get_json()["id"]
    tokens = login(admin_client, "gone@harbour.example.com").get_json()
    headers = bearer(tokens["access_token"])
    assert admin_client.get("/api/v1/admin/lots", headers=headers).status_code == 200

    disabled = switch(admin_client, staff, user_id, "disable", "harbour")  # by a colleague
    assert disabled.status_code == 200, disabled.data
    assert disabled.get_json()["disabled_at"] is not None
    assert login(admin_client, "gone@harbour.example.com").status_code == 401
    stale = admin_client.get("/api/v1/admin/lots", headers=headers)
    assert stale.status_code == 401
    assert problem(stale)["type"] == "/problems/unknown-user"
    refresh = admin_client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refresh.status_code == 401
    assert admin_client.get("/api/v1/auth/me", headers=headers).status_code == 401

    enabled = switch(admin_client, staff, user_id, "enable", "admin")
    assert enabled.status_code == 200
    assert enabled.get_json()["disabled_at"] is None
    assert login(admin_client, "gone@harbour.example.com").status_code == 200
    assert admin_client.get("/api/v1/admin/lots", headers=headers).status_code == 200


def test_nobody_disables_themselves(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    for who in ("admin", "harbour"):
        response = switch(admin_client, staff, staff.ids[who], "disable", who)
        assert response.status_code == 409
        assert problem(response)["type"] == "/problems/cannot-disable-self"
    assert lots.scalar(select(func.count()).where(User.disabled_at.is_not(None))) == 0


def test_who_may_disable_whom(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    assert switch(admin_client, staff, staff.ids["admin"], "disable", "harbour").status_code == 403
    assert switch(admin_client, staff, staff.ids["harbour"], "disable", "city").status_code == 403
    driver = switch(admin_client, staff, staff.ids["driver"], "disable", "admin")
    assert driver.status_code == 404  # drivers are not staff accounts
    assert switch(admin_client, staff, 10**12, "disable", "admin").status_code == 404
    assert lots.scalar(select(func.count()).where(User.disabled_at.is_not(None))) == 0


def _second_admin(client: FlaskClient, staff: Staff) -> int:
    created = create(client, staff, account("second@example.com", "admin", None))
    assert created.status_code == 201, created.data
    user_id: int = created.get_json()["id"]
    return user_id


def test_an_admin_disables_another_admin_but_not_the_last_one(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    second = _second_admin(admin_client, staff)
    assert switch(admin_client, staff, second, "disable", "admin").status_code == 200
    # The only admin left is the caller: disabling itself is refused, so it stays.
    assert switch(admin_client, staff, staff.ids["admin"], "disable", "admin").status_code == 409
    # A stale caller (disabled after its request was authorised) cannot take the last one.
    lots.execute(update(User).where(User.id == second).values(disabled_at=None))
    lots.execute(update(User).where(User.id == staff.ids["admin"]).values(disabled_at=func.now()))
    lots.commit()
    stale = Tenant(staff.ids["admin"], "admin@example.com", Role.ADMIN, None)
    with pytest.raises(DomainError) as refused:
        set_disabled(lots, stale, Actor(stale.user_id, stale.email), second, at=_now(lots))
    problem = from_domain(refused.value)
    assert (problem.status, problem.slug) == (409, "last-admin")
    lots.rollback()
    assert lots.scalar(select(User.disabled_at).where(User.id == second)) is None


def _now(session: Session) -> Any:
    return session.scalar(select(func.now()))


def test_two_admins_disabling_each_other_leave_one(
    admin_client: FlaskClient, staff: Staff, lots: Session, engine: Engine
) -> None:
    """Admin A's request waits on the lock of B's change disabling A, then sees it."""
    second = _second_admin(admin_client, staff)
    first = staff.ids["admin"]
    with Session(engine) as other:  # admin `second` disabling `first`, not yet committed
        other.execute(update(User).where(User.id == first).values(disabled_at=func.now()))
        answer: list[TestResponse] = []
        request = threading.Thread(
            target=lambda: answer.append(switch(admin_client, staff, second, "disable", "admin"))
        )
        request.start()
        _wait_for_a_lock_wait(lots)
        other.commit()
    request.join()
    assert answer[0].status_code == 409
    assert problem(answer[0])["type"] == "/problems/last-admin"
    enabled_admins = select(func.count()).where(User.role == Role.ADMIN, User.disabled_at.is_(None))
    lots.expire_all()
    assert lots.scalar(enabled_admins) == 1


def _wait_for_a_lock_wait(session: Session) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(LOCK_WAIT_POLLS):
        if session.scalar(waiting):
            session.rollback()
            return
        session.rollback()
        threading.Event().wait(0.01)
    raise AssertionError("the request never waited for the row lock")


def test_list_pages_filters_and_scope(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    for name in ("a", "b", "c"):
        assert (
            create(admin_client, staff, account(f"{name}@harbour.example.com")).status_code == 201
        )
    seen: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(10):
        page = admin_client.get(f"{USERS}?limit=2{cursor}", headers=staff.headers("admin"))
        body = page.get_json()
        seen += body["items"]
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"
    ids = [u["id"] for u in seen]
    assert ids == sorted(set(ids))
    assert {u["email"] for u in seen} == {
        "admin@example.com",
        "operator@example.com",
        "staff@harbour.example.com",
        "a@harbour.example.com",
        "b@harbour.example.com",
        "c@harbour.example.com",
    }  # never the driver

    def listed(query: str, who: str) -> set[str]:
        response = admin_client.get(f"{USERS}?{query}", headers=staff.headers(who))
        assert response.status_code == 200, response.data
        return {u["email"] for u in response.get_json()["items"]}

    assert listed("role=admin", "admin") == {"admin@example.com"}
    assert listed("operator=city-centre", "admin") == {"operator@example.com"}
    assert listed("role=admin", "harbour") == set()
    assert listed("", "city") == {"operator@example.com"}
    refused = admin_client.get(f"{USERS}?operator=city-centre", headers=staff.headers("harbour"))
    assert refused.status_code == 403
    unknown = admin_client.get(f"{USERS}?operator=nowhere", headers=staff.headers("admin"))
    assert [e["field"] for e in problem(unknown)["errors"]] == ["operator"]


def test_changes_are_audited_without_secrets(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    user_id = create(admin_client, staff, account("audited@harbour.example.com")).get_json()["id"]
    assert switch(admin_client, staff, user_id, "disable", "harbour").status_code == 200
    assert switch(admin_client, staff, user_id, "disable", "harbour").status_code == 200  # no-op
    assert switch(admin_client, staff, user_id, "enable", "admin").status_code == 200
    entries = lots.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == str(user_id)).order_by(AuditEntry.id)
    ).all()
    harbour = lots.scalar(select(Operator.id).where(Operator.code == "harbour-parking"))
    assert [(e.action, e.actor, e.operator_id, e.before, e.after) for e in entries] == [
        (
            "user.create",
            "admin@example.com",
            harbour,
            None,
            {
                "email": "audited@harbour.example.com",
                "role": "operator",
                "operator": "harbour-parking",
            },
        ),
        (
            "user.disable",
            "staff@harbour.example.com",
            harbour,
            {"enabled": True},
            {"enabled": False},
        ),
        ("user.enable", "admin@example.com", harbour, {"enabled": False}, {"enabled": True}),
    ]
    stored = lots.get(User, user_id)
    assert stored is not None
    dumped = json.dumps([[e.before, e.after] for e in entries])
    assert NEW_PASSWORD not in dumped
    assert stored.password_hash not in dumped
    assert "$argon2" not in dumped
    # The operator's staff see their account changes in their audit log.
    log = admin_client.get(
        f"/api/v1/admin/audit?entity_type=user&entity_id={user_id}",
        headers=staff.headers("harbour"),
    )
    assert [e["action"] for e in log.get_json()["items"]] == [
        "user.enable",
        "user.disable",
        "user.create",
    ]
