"""`/auth`: register, login (access + refresh tokens), refresh, me."""

from flask import Blueprint, current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from api_service.access import ANY_USER, PUBLIC, REFRESH, current_user, token_claims
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import unauthorized
from api_service.models.auth import AccessToken, Credentials, Registration, TokenPair, UserView
from api_service.passwords import Passwords
from api_service.services import users
from schemas.db import User

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def password_hasher() -> Passwords:
    """The app's password hasher (argon2 parameters from the settings)."""
    hasher: Passwords = current_app.extensions["parking_passwords"]
    return hasher


def _access_ttl_s() -> int:
    return int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())


def _user_view(user: User) -> UserView:
    operator = users.operator_code(db_session(), user)
    return UserView(
        id=user.id, email=user.email, role=user.role, operator=operator, created_at=user.created_at
    )


@bp.post("/register")
@endpoint(
    RouteSpec(
        "Create a driver account",
        PUBLIC,
        "auth",
        rate="auth",
        body=Registration,
        response=UserView,
        status=201,
        errors=(409, 415),
    )
)
def register(body: Registration) -> UserView:
    user = users.create_driver(db_session(), body.email, password_hasher().hash(body.password))
    return _user_view(user)


@bp.post("/login")
@endpoint(
    RouteSpec(
        "Log in: an access and a refresh token",
        PUBLIC,
        "auth",
        rate="auth",
        body=Credentials,
        response=TokenPair,
        errors=(401, 415),
    )
)
def login(body: Credentials) -> TokenPair:
    session, passwords = db_session(), password_hasher()
    found = users.user_by_email(session, body.email)
    user = found if found is not None and found.disabled_at is None else None
    # Always one argon2 verification (the decoy's for an unknown or disabled account), so
    # the time taken does not tell which e-mails have an account.
    matched = passwords.verify(user.password_hash if user else None, body.password)
    if user is None or not matched:
        raise unauthorized("bad-credentials", "wrong e-mail or password")
    new_hash = passwords.hash(body.password) if passwords.needs_rehash(user.password_hash) else None
    users.record_login(session, user, utcnow(), new_hash)
    claims = token_claims(user.role)
    return TokenPair(
        access_token=create_access_token(str(user.id), additional_claims=claims),
        refresh_token=create_refresh_token(str(user.id), additional_claims=claims),
        expires_in=_access_ttl_s(),
    )


@bp.post("/refresh")
@endpoint(
    RouteSpec(
        "A new access token from a refresh token",
        REFRESH,
        "auth",
        rate="auth",
        response=AccessToken,
    )
)
def refresh() -> AccessToken:
    user = current_user()
    # The role is read again, so a changed role takes effect at the next refresh.
    token = create_access_token(str(user.id), additional_claims=token_claims(user.role))
    return AccessToken(access_token=token, expires_in=_access_ttl_s())


@bp.get("/me")
@endpoint(
    RouteSpec("The account behind the token", ANY_USER, "auth", rate="user", response=UserView)
)
def me() -> UserView:
    return _user_view(current_user())
