"""`/admin/users`: staff accounts (list, create, disable, enable); operators their own only."""

from typing import Any

from flask import Blueprint

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.admin_users import StaffCreate, StaffPage, StaffQuery, StaffView
from api_service.models.common import IdPath
from api_service.resources.admin_common import PREFIX, actor
from api_service.resources.auth import password_hasher
from api_service.services import admin_users, pagination
from api_service.services.users import operator_code
from schemas.db import User
from schemas.enums import Role

bp = Blueprint("admin_users", __name__, url_prefix=PREFIX)


def _spec(summary: str, **kwargs: Any) -> RouteSpec:
    return RouteSpec(summary, STAFF, "admin: users", rate="user", **kwargs)


def _view(user: User, operator: str | None) -> StaffView:
    return StaffView(
        id=user.id,
        email=user.email,
        role=user.role,
        operator=operator,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        disabled_at=user.disabled_at,
    )


@bp.get("/users")
@endpoint(_spec("Staff accounts the caller manages, by id", query=StaffQuery, response=StaffPage))
def list_users(query: StaffQuery) -> StaffPage:
    session, tenant = db_session(), current_tenant()
    operator = None
    if query.operator is not None:
        operator = admin_users.managed_operator(session, tenant, query.operator)
    rows = admin_users.list_staff(
        session,
        tenant,
        role=Role(query.role) if query.role else None,
        operator=operator,
        after=pagination.decode_id(query.cursor),
        limit=query.limit,
    )
    cursor = pagination.next_cursor(rows, query.limit, lambda row: row.User.id)
    return StaffPage(items=[_view(user, code) for user, code in rows], next_cursor=cursor)


@bp.post("/users")
@endpoint(
    _spec(
        "Create a staff account (operators: colleagues only; admins: any)",
        body=StaffCreate,
        response=StaffView,
        status=201,
        errors=(409, 413, 415),
    )
)
def create_user(body: StaffCreate) -> StaffView:
    session = db_session()
    operator = admin_users.new_account_operator(session, current_tenant(), body.operator)
    user = User(
        email=body.email,
        password_hash=password_hasher().hash(body.password),  # after the checks: argon2 is dear
        role=Role(body.role),
        operator_id=operator,
    )
    stored = admin_users.create_staff(session, actor(), user, body.operator)
    return _view(stored, body.operator)


def _set_disabled(user_id: int, *, disable: bool) -> StaffView:
    session = db_session()
    at = utcnow() if disable else None
    user = admin_users.set_disabled(session, current_tenant(), actor(), user_id, at=at)
    return _view(user, operator_code(session, user))


@bp.post("/users/<int:id>/disable")
@endpoint(
    _spec(
        "Disable a staff account: no login, its tokens refused at once",
        path=IdPath,
        response=StaffView,
        errors=(404, 409),
    )
)
def disable(path: IdPath) -> StaffView:
    return _set_disabled(path.id, disable=True)


@bp.post("/users/<int:id>/enable")
@endpoint(_spec("Enable a disabled staff account", path=IdPath, response=StaffView, errors=(404,)))
def enable(path: IdPath) -> StaffView:
    return _set_disabled(path.id, disable=False)
