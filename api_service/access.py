"""Who may call what: access policies, token checks and the JWT setup, in one place.

Every route declares an `Access` policy; `enforce` is the only code that checks tokens and
roles. It also loads the caller's account from the database rather than trusting the token,
on every route that takes one, so a disabled account or a changed role counts at once for
drivers and staff alike. Staff routes resolve the caller's `Tenant` here too, and `Tenant`
is the one rule for what a caller may see and change: admins every operator's lots, an
operator only its own.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from flask import Flask, Response, g
from flask_jwt_extended import JWTManager, get_jwt, get_jwt_identity, verify_jwt_in_request

from api_service.db import db_session
from api_service.errors import forbidden, problem_response, unauthorized
from api_service.services.errors import ForbiddenError
from api_service.services.users import active_user
from api_service.settings import ApiSettings
from schemas.db import User
from schemas.enums import Role

ROLE_CLAIM: Final = "role"
# Token subjects are user ids: decimal ASCII digits within users.id's BIGINT range.
_SUBJECT: Final = re.compile(r"[1-9][0-9]{0,18}")
_MAX_ID: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Access:
    """A route's policy: public, or a token of one of `roles` (a refresh token if `refresh`).

    `scheme` names another OpenAPI security scheme (no user's token) that the view checks.
    """

    name: str
    roles: frozenset[Role] | None = None
    refresh: bool = False
    staff: bool = False
    scheme: str | None = None

    @property
    def public(self) -> bool:
        return self.roles is None


PUBLIC: Final = Access("public")
ANY_USER: Final = Access("any-user", frozenset(Role))
DRIVER: Final = Access("driver", frozenset({Role.DRIVER}))
REFRESH: Final = Access("refresh-token", frozenset(Role), refresh=True)
STAFF: Final = Access("staff", frozenset({Role.OPERATOR, Role.ADMIN}), staff=True)
ADMIN: Final = Access("admin", frozenset({Role.ADMIN}), staff=True)
# Prometheus, with the operator-configured API_METRICS_TOKEN (api_service.metrics).
METRICS: Final = Access("metrics-token", scheme="metricsToken")


@dataclass(frozen=True, slots=True)
class Tenant:
    """The staff member behind a request, and the operator whose data they may touch."""

    user_id: int
    email: str
    role: Role
    operator_id: int | None

    @property
    def scope(self) -> int | None:
        """The only operator whose data this caller sees, or None for every operator."""
        return None if self.role is Role.ADMIN else self.operator_id

    def may_manage(self, operator_id: int | None) -> bool:
        """Whether this caller may see and change data of `operator_id`."""
        return self.role is Role.ADMIN or (
            operator_id is not None and operator_id == self.operator_id
        )

    def require(self, operator_id: int | None, what: str) -> None:
        """403 unless this caller may manage `operator_id`'s `what`."""
        if not self.may_manage(operator_id):
            whose = "is for admins only" if operator_id is None else "belongs to another operator"
            raise ForbiddenError(f"{what} {whose}")


def enforce(access: Access) -> None:
    """Refuse the request unless it satisfies `access`: 401 without a valid token or an
    active account behind it, 403 for a role the route does not allow."""
    if access.roles is None:
        return
    verify_jwt_in_request(refresh=access.refresh)
    role = get_jwt().get(ROLE_CLAIM)
    if role not in access.roles:
        allowed = ", ".join(sorted(access.roles))
        raise forbidden(f"this route needs the role {allowed}; the token has {role!r}")
    user = _load_user(access.roles)
    g.parking_user = user
    if access.staff:
        g.parking_tenant = Tenant(user.id, user.email, user.role, user.operator_id)


def subject_id(subject: object) -> int | None:
    """The user id a token's `sub` names, or None if it names none (pure)."""
    if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
        return None
    user_id = int(subject)
    return user_id if user_id <= _MAX_ID else None


def _load_user(roles: frozenset[Role]) -> User:
    user_id = subject_id(get_jwt_identity())
    if user_id is None:
        # Validly signed but not ours to interpret (another issuer sharing the key, a bug).
        raise unauthorized("invalid-token", "the token's subject is not a user id")
    user = active_user(db_session(), user_id)
    if user is None:
        raise unauthorized("unknown-user", "the account no longer exists or is disabled")
    if user.role not in roles:
        raise forbidden(f"the account's role is now {user.role.value!r}")
    return user


def current_tenant() -> Tenant:
    """The staff member authorised for this request (staff routes only)."""
    tenant: Tenant = g.parking_tenant
    return tenant


def current_user() -> User:
    """The active account whose token authorised this request (routes with a token only)."""
    user: User = g.parking_user
    return user


def current_user_id() -> int:
    """The id of the user whose token authorised this request."""
    return current_user().id


def token_claims(role: Role) -> dict[str, Any]:
    """Extra claims carried by every token issued to a user with `role`."""
    return {ROLE_CLAIM: role.value}


def init_jwt(app: Flask, settings: ApiSettings) -> JWTManager:
    """Configure flask-jwt-extended: header tokens only, HS256, refusals as problem+json 401."""
    app.config.update(
        JWT_SECRET_KEY=settings.jwt_secret,
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=settings.access_token_minutes),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(days=settings.refresh_token_days),
        JWT_DECODE_LEEWAY=0,
    )
    jwt = JWTManager()
    jwt.init_app(app)

    def refuse(slug: str, detail: str) -> Response:
        return problem_response(unauthorized(slug, detail))

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        return refuse("missing-token", reason)

    @jwt.invalid_token_loader
    def _invalid(reason: str) -> Response:
        # Bad signature, malformed token, wrong token type (refresh used as access, ...).
        return refuse("invalid-token", reason)

    @jwt.expired_token_loader
    def _expired(_header: dict[str, Any], payload: dict[str, Any]) -> Response:
        return refuse("expired-token", f"the {payload.get('type', '')} token has expired")

    @jwt.revoked_token_loader
    def _revoked(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
        return refuse("revoked-token", "the token has been revoked")

    @jwt.user_lookup_error_loader
    def _unknown_user(_header: dict[str, Any], _payload: dict[str, Any]) -> Response:
        return refuse("unknown-user", "the token's user no longer exists")

    return jwt
