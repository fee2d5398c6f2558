"""`/admin/lots/{lot}/tariff`: a lot's prices for its staff, versioned."""

from flask import Blueprint

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.admin_tariffs import LotTariff, TariffPut, TariffVersion
from api_service.models.common import LotPath
from api_service.resources.admin_common import PREFIX
from api_service.services import admin_tariffs
from api_service.services.admin_tariffs import LotTariffRead, VersionRead

bp = Blueprint("admin_tariffs", __name__, url_prefix=PREFIX)


def _view(read: LotTariffRead) -> LotTariff:
    return LotTariff(
        lot_id=read.lot_code,
        current=_version(read.current) if read.current else None,
        versions=[_version(v) for v in read.versions],
    )


def _version(read: VersionRead) -> TariffVersion:
    return TariffVersion.model_validate(read, from_attributes=True)


@bp.get("/lots/<lot_id>/tariff")
@endpoint(
    RouteSpec(
        "The lot's tariff in force and every version",
        STAFF,
        "admin: tariffs",
        rate="user",
        path=LotPath,
        response=LotTariff,
        errors=(403, 404),
    )
)
def get_tariff(path: LotPath) -> LotTariff:
    read = admin_tariffs.lot_tariff(db_session(), current_tenant(), path.lot_id, utcnow())
    return _view(read)


@bp.put("/lots/<lot_id>/tariff")
@endpoint(
    RouteSpec(
        "Change the lot's tariff: a new version (none if it equals the newest)",
        STAFF,
        "admin: tariffs",
        rate="user",
        path=LotPath,
        body=TariffPut,
        response=LotTariff,
        errors=(403, 404, 415),
    )
)
def put_tariff(path: LotPath, body: TariffPut) -> LotTariff:
    read = admin_tariffs.set_tariff(
        db_session(),
        current_tenant(),
        path.lot_id,
        body.tariff,
        valid_from=body.valid_from,
        now=utcnow(),
    )
    return _view(read)
