"""Staff accounts (operators' staff and admins), for staff."""

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from api_service.models.auth import Registration, UserView
from api_service.models.common import Cursor, Limit, Out, Query
from schemas.ids import Identifier
from schemas.messages import UtcDatetime

StaffRole = Literal["operator", "admin"]


class StaffQuery(Query):
    role: StaffRole | None = Field(default=None, description="Only staff with this role.")
    operator: Identifier | None = Field(default=None, description="Only this operator's staff.")
    cursor: Cursor | None = None
    limit: Limit = 50


class StaffCreate(Registration):
    """A new staff account; e-mail and password follow the rules of registration."""

    role: StaffRole = Field(description="`operator` (needs `operator`) or `admin`.")
    operator: Identifier | None = Field(
        default=None,
        validate_default=True,  # so a missing operator is checked against the role too
        description="Operator code for role `operator`; null for `admin`.",
    )

    @field_validator("operator")
    @classmethod
    def _matches_role(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if role == "operator" and value is None:
            raise ValueError("required for role operator")
        if role == "admin" and value is not None:
            raise ValueError("must be null for role admin (admins belong to no operator)")
        return value


class StaffView(UserView):
    last_login_at: UtcDatetime | None
    disabled_at: UtcDatetime | None = Field(description="Set while the account is disabled.")


class StaffPage(Out):
    items: list[StaffView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")
