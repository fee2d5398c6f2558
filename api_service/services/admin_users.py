"""Staff accounts: list, create, disable and enable, tenant-checked.

Admin accounts belong to no operator, so `Tenant.require(None, ...)` is what keeps operator
staff from creating or disabling admins: the one tenant rule also covers accounts. Drivers
are not staff; they are neither listed nor managed here.
"""

from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.services import pagination
from api_service.services.errors import ConflictError, FieldError, InvalidError, NotFoundError
from api_service.services.users import add_user
from schemas.db import Operator, User
from schemas.enums import Role

STAFF_ROLES: Final = (Role.OPERATOR, Role.ADMIN)


def managed_operator(session: Session, tenant: Tenant, code: str) -> int:
    """The id of operator `code` if the caller may manage its staff: 400 naming the
    `operator` field if there is no such operator, 403 another operator's."""
    found = session.scalar(select(Operator.id).where(Operator.code == code))
    if found is None:
        raise InvalidError([FieldError("operator", f"unknown operator {code!r}")])
    tenant.require(found, f"operator {code}'s staff")
    return found


def new_account_operator(session: Session, tenant: Tenant, code: str | None) -> int | None:
    """The operator a new account joins (None: an admin account), if the caller may add it."""
    if code is None:
        tenant.require(None, "creating an admin account")
        return None
    return managed_operator(session, tenant, code)


def list_staff(
    session: Session,
    tenant: Tenant,
    *,
    role: Role | None,
    operator: int | None,
    after: int | None,
    limit: int,
) -> list[Any]:
    """(user, operator code) of the staff the caller may see, by id, ids above `after`."""
    query = (
        select(User, Operator.code)
        .outerjoin(Operator, Operator.id == User.operator_id)
        .where(User.role.in_(STAFF_ROLES))
    )
    if tenant.scope is not None:
        query = query.where(User.operator_id == tenant.scope)
    if role is not None:
        query = query.where(User.role == role)
    if operator is not None:
        query = query.where(User.operator_id == operator)
    return list(session.execute(pagination.keyset(query, User.id, after, limit)))


def create_staff(session: Session, actor: Actor, user: User, operator: str | None) -> User:
    """Insert the account (its operator from `new_account_operator`) and audit it; 409 on a
    taken e-mail. The audit names the account, never its password or hash. Commits; returns
    the stored account."""
    user = add_user(session, user)
    record(
        session,
        actor,
        "user.create",
        ("user", str(user.id)),
        operator_id=user.operator_id,
        before=None,
        after={"email": user.email, "role": user.role, "operator": operator},
    )
    session.commit()
    return user


def disable_conflict(
    caller_id: int, target: User, other_enabled_admins: int
) -> ConflictError | None:
    """Why disabling `target` must be refused (409), or None. Nobody disables themselves,
    and the last enabled admin stays, so a platform always keeps an admin."""
    if target.id == caller_id:
        return ConflictError("cannot-disable-self", "you cannot disable your own account")
    if target.role is Role.ADMIN and target.disabled_at is None and other_enabled_admins == 0:
        return ConflictError("last-admin", "the last enabled admin cannot be disabled")
    return None


def set_disabled(
    session: Session, tenant: Tenant, actor: Actor, user_id: int, *, at: datetime | None
) -> User:
    """Disable the staff account `user_id` (`at`: when) or enable it again (`at` None);
    404 unknown or a driver, 403 another operator's or an admin's for operator staff. A
    change is audited; repeating one changes nothing. Commits."""
    found = session.get(User, user_id)
    if found is None or found.role not in STAFF_ROLES:
        raise NotFoundError(f"staff account {user_id}")
    tenant.require(found.operator_id, f"staff account {user_id}")
    target, other_admins = _lock(session, found)
    if at is not None and (refusal := disable_conflict(tenant.user_id, target, other_admins)):
        raise refusal
    if (target.disabled_at is None) == (at is None):
        session.commit()  # ends the transaction and its row locks
        return target
    record(
        session,
        actor,
        "user.disable" if at is not None else "user.enable",
        ("user", str(target.id)),
        operator_id=target.operator_id,
        before={"enabled": target.disabled_at is None},
        after={"enabled": at is None},
    )
    target.disabled_at = at
    session.commit()
    return target


def _lock(session: Session, target: User) -> tuple[User, int]:
    """The target, locked and re-read, and how many other admins are enabled.

    For an admin every enabled admin is locked too, in id order in one statement: two
    admins disabling each other then take turns (no deadlock), and the second sees the
    first's change, so the last admin is never disabled by a race.
    """
    wanted = User.id == target.id
    if target.role is Role.ADMIN:
        wanted = or_(wanted, and_(User.role == Role.ADMIN, User.disabled_at.is_(None)))
    query = select(User).where(wanted).order_by(User.id).with_for_update()
    rows = session.scalars(query.execution_options(populate_existing=True)).all()
    locked = next(user for user in rows if user.id == target.id)
    return locked, sum(1 for user in rows if user.id != target.id)
