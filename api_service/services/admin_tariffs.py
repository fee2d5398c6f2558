"""A lot's tariff for staff: read the versions, store a new one (tenant-checked, audited).

Versions are written by `schemas.db.tariffs.add_tariff_version`, as layout imports do.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.services.admin_lots import lot_for
from api_service.services.errors import FieldError, InvalidError
from schemas.db import Tariff, User
from schemas.db.tariffs import add_tariff_version, latest_tariff
from schemas.tariff import Tariff as TariffDefinition


@dataclass(frozen=True, slots=True)
class VersionRead:
    version: int
    valid_from: datetime
    created_at: datetime
    created_by: str | None
    tariff: TariffDefinition


@dataclass(frozen=True, slots=True)
class LotTariffRead:
    lot_code: str
    current: VersionRead | None
    versions: list[VersionRead]


def lot_tariff(session: Session, tenant: Tenant, code: str, now: datetime) -> LotTariffRead:
    """The lot's versions, newest first, and the one in force at `now`; 404 / 403."""
    lot = lot_for(session, tenant, code)
    rows = session.execute(
        select(Tariff, User.email)
        .outerjoin(User, User.id == Tariff.created_by)
        .where(Tariff.lot_id == lot.id)
        .order_by(Tariff.version.desc())
    ).all()
    versions = [
        VersionRead(
            row.version,
            row.valid_from,
            row.created_at,
            email,
            TariffDefinition.model_validate(row.definition),
        )
        for row, email in rows
    ]
    in_force = [v for v in versions if v.valid_from <= now]
    return LotTariffRead(lot.code, in_force[0] if in_force else None, versions)


def set_tariff(
    session: Session,
    tenant: Tenant,
    code: str,
    tariff: TariffDefinition,
    *,
    valid_from: datetime | None,
    now: datetime,
) -> LotTariffRead:
    """Store `tariff` as the lot's next version (none when it equals the newest and no
    `valid_from` is given). Audited; commits."""
    if valid_from is not None and valid_from < now:
        message = "must not be in the past: a stay is priced by the tariff at its start"
        raise InvalidError([FieldError("valid_from", message)], "validation-error", message)
    lot = lot_for(session, tenant, code, lock=True)
    latest = latest_tariff(session, lot.id)
    added = add_tariff_version(
        session, lot.id, tariff, valid_from=valid_from, created_by=tenant.user_id, now=now
    )
    if added is not None:
        record(
            session,
            Actor(tenant.user_id, tenant.email),
            "lot.tariff",
            ("parking_lot", code),
            operator_id=lot.operator_id,
            before=None if latest is None else _audited(latest),
            after=_audited(added),
        )
    session.commit()
    return lot_tariff(session, tenant, code, now)


def _audited(row: Tariff) -> dict[str, Any]:
    return {"version": row.version, "valid_from": row.valid_from.isoformat(), **row.definition}
