"""Staff accounts, pure parts: the disable refusal and the role/operator rule of a new account."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from api_service.errors import from_domain
from api_service.models.admin_users import StaffCreate
from api_service.services.admin_users import disable_conflict
from schemas.db import User
from schemas.enums import Role

CALLER = 1
DISABLED = datetime(2026, 11, 26, tzinfo=UTC)


def _user(user_id: int, role: Role, disabled_at: datetime | None = None) -> User:
    return User(id=user_id, role=role, disabled_at=disabled_at)


@pytest.mark.parametrize(
    ("target", "other_admins", "slug"),
    [
        (_user(CALLER, Role.ADMIN), 3, "cannot-disable-self"),
        (_user(CALLER, Role.OPERATOR), 0, "cannot-disable-self"),
        (_user(2, Role.ADMIN), 0, "last-admin"),
        (_user(2, Role.ADMIN), 1, None),
        (_user(2, Role.ADMIN, DISABLED), 0, None),  # already disabled: nothing is lost
        (_user(2, Role.OPERATOR), 0, None),
    ],
)
def test_disable_conflict(target: User, other_admins: int, slug: str | None) -> None:
    refusal = disable_conflict(CALLER, target, other_admins)
    assert (refusal.slug if refusal else None) == slug
    assert refusal is None or from_domain(refusal).status == 409


BASE = {"email": "new@example.com", "password": "a-good-pass-1"}


@pytest.mark.parametrize(
    ("extra", "bad"),
    [
        ({"role": "operator", "operator": "harbour"}, None),
        ({"role": "admin", "operator": None}, None),
        ({"role": "admin"}, None),
        ({"role": "operator"}, "operator"),
        ({"role": "operator", "operator": None}, "operator"),
        ({"role": "admin", "operator": "harbour"}, "operator"),
        ({"role": "driver"}, "role"),
        ({"role": "operator", "operator": "a/b"}, "operator"),
    ],
)
def test_role_and_operator_go_together(extra: dict[str, Any], bad: str | None) -> None:
    if bad is None:
        assert StaffCreate.model_validate(BASE | extra).role == extra["role"]
        return
    with pytest.raises(ValidationError) as refused:
        StaffCreate.model_validate(BASE | extra)
    assert [error["loc"] for error in refused.value.errors()] == [(bad,)]
