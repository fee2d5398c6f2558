"""Users: registration, lookup by e-mail or id."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api_service.services.errors import ConflictError
from schemas.db import Operator, User
from schemas.enums import Role


def add_user(session: Session, user: User) -> User:
    """Insert `user` (not committed) and return the stored account; 409 if the e-mail is taken.

    A taken e-mail is an expected answer, not a failed statement: `ON CONFLICT DO NOTHING`
    leaves PostgreSQL's log without an ERROR line and the transaction usable, and it holds
    under concurrent registrations of the same address (the second waits, then inserts nothing).
    """
    inserted = session.scalar(
        insert(User)
        .values(
            email=user.email,
            password_hash=user.password_hash,
            role=user.role,
            operator_id=user.operator_id,
        )
        .on_conflict_do_nothing(index_elements=[User.email])
        .returning(User.id)
    )
    if inserted is None:
        raise ConflictError("email-taken", "an account with this e-mail already exists")
    return session.get_one(User, inserted)


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
