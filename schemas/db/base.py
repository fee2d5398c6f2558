"""Declarative base, constraint naming and the column types every table shares."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Enum, Identity, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

from schemas.ids import ID_MAX_LENGTH

# Deterministic constraint names keep Alembic migrations reviewable and reversible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every timestamp is an instant (timestamptz, never a naive local time); counters and
    # sequence numbers are 64-bit like the `seq` in node payloads.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        int: BigInteger,
    }


BigId = Annotated[int, mapped_column(BigInteger, Identity(always=True), primary_key=True)]
Code = Annotated[str, mapped_column(String(ID_MAX_LENGTH))]
CreatedAt = Annotated[datetime, mapped_column(server_default=func.now())]
UpdatedAt = Annotated[datetime, mapped_column(server_default=func.now(), onupdate=func.now())]


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column restricted by a CHECK constraint to the enum's values.

    Plain strings with checks (rather than native PostgreSQL enums) let a later migration
    add a value without rewriting the type.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
