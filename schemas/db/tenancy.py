"""Tenants (operators) and the people who log in (users)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base, BigId, Code, CreatedAt, UpdatedAt, enum_column
from schemas.enums import Role


class Operator(Base):
    """A tenant: a city or a private parking operator owning lots."""

    __tablename__ = "operators"

    id: Mapped[BigId]
    code: Mapped[Code] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]


class User(Base):
    """A driver, an operator's staff member, or a platform admin."""

    __tablename__ = "users"
    __table_args__ = (
        # Operator staff always belong to exactly one operator; nobody else belongs to one.
        CheckConstraint(
            "(role = 'operator') = (operator_id IS NOT NULL)", name="operator_staff_has_operator"
        ),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_users_operator_id", "operator_id"),
    )

    id: Mapped[BigId]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    created_at: Mapped[CreatedAt]
    last_login_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    updated_at: Mapped[UpdatedAt]
