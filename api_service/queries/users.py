"""Users: registration, lookup by e-mail or id."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api_service.errors import conflict
from schemas.db import Operator, User
from schemas.enums import Role


def add_user(session: Session, user: User) -> User:
    """Insert `user` (flushed, not committed); 409 if the e-mail is taken."""
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise conflict("email-taken", "an account with this e-mail already exists") from exc
    return user


def create_driver(session: Session, email: str, password_hash: str) -> User:
    """Insert a driver account; 409 if the e-mail is taken. Commits."""
    user = add_user(session, User(email=email, password_hash=password_hash, role=Role.DRIVER))
    session.commit()
    return user


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def active_user(session: Session, user_id: int) -> User | None:
    """The user, unless gone or disabled."""
    user = session.get(User, user_id)
    return user if user is not None and user.disabled_at is None else None


def operator_code(session: Session, user: User) -> str | None:
    if user.operator_id is None:
        return None
    return session.scalar(select(Operator.code).where(Operator.id == user.operator_id))


def record_login(session: Session, user: User, now: datetime, new_hash: str | None) -> None:
    """Stamp the login (and store a re-hashed password). Commits."""
    user.last_login_at = now
    if new_hash is not None:
        user.password_hash = new_hash
    session.commit()
