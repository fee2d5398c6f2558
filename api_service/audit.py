"""The audit log: one entry per administrative change (who, when, what, before, after)."""

from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from schemas.db import AuditEntry


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a user (id and e-mail), or a tool such as `parkctl` (no id)."""

    id: int | None
    name: str


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: tuple[str, str],
    *,
    operator_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add the entry to the caller's transaction, so it commits with the change or not at all."""
    entity_type, entity_id = entity
    session.add(
        AuditEntry(
            actor_id=actor.id,
            actor=actor.name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            operator_id=operator_id,
            before=to_jsonable_python(before) if before is not None else None,
            after=to_jsonable_python(after) if after is not None else None,
        )
    )
