"""Who may call what: access policies, token checks and the JWT setup, in one place.

Every route declares an `Access` policy; `enforce` is the only code that checks tokens and
roles. The admin API adds tenant checks here, next to the role checks.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from flask import Flask, Response
from flask_jwt_extended import JWTManager, get_jwt, get_jwt_identity, verify_jwt_in_request

from api_service.errors import forbidden, problem_response, unauthorized
from api_service.settings import ApiSettings
from schemas.enums import Role

ROLE_CLAIM: Final = "role"


@dataclass(frozen=True, slots=True)
class Access:
    """A route's policy: public, or a token of one of `roles` (a refresh token if `refresh`)."""

    name: str
    roles: frozenset[Role] | None = None
    refresh: bool = False

    @property
    def public(self) -> bool:
        return self.roles is None


PUBLIC: Final = Access("public")
ANY_USER: Final = Access("any-user", frozenset(Role))
DRIVER: Final = Access("driver", frozenset({Role.DRIVER}))
REFRESH: Final = Access("refresh-token", frozenset(Role), refresh=True)


def enforce(access: Access) -> None:
    """Refuse the request unless it satisfies `access` (401 without a valid token, 403 role)."""
    if access.roles is None:
        return
    verify_jwt_in_request(refresh=access.refresh)
    role = get_jwt().get(ROLE_CLAIM)
    if role not in access.roles:
        allowed = ", ".join(sorted(access.roles))
        raise forbidden(f"this route needs the role {allowed}; the token has {role!r}")


def current_user_id() -> int:
    """The id of the user whose token authorised this request."""
    return int(get_jwt_identity())


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
