"""`/lots/{lot}/quote`: what a stay would cost, priced as a real stay would be."""

from datetime import timedelta

from flask import Blueprint

from api_service.access import PUBLIC
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.common import LotPath
from api_service.models.tariffs import Quote, QuoteDay, QuoteQuery
from api_service.services import tariffs

bp = Blueprint("quotes", __name__, url_prefix="/api/v1/lots")


@bp.get("/<lot_id>/quote")
@endpoint(
    RouteSpec(
        "The price of a stay: `minutes` from now, or `from` ... `to`",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        query=QuoteQuery,
        response=Quote,
        errors=(404,),
    )
)
def quote(path: LotPath, query: QuoteQuery) -> Quote:
    start = query.start or utcnow()
    end = query.end or start + timedelta(minutes=query.minutes or 0)
    found, fee = tariffs.quote(db_session(), path.lot_id, start, end)
    return Quote(
        lot_id=path.lot_id,
        started_at=start,
        ended_at=end,
        amount_minor=fee.amount_minor,
        currency=fee.currency,
        tariff_version=found.version,
        days=[QuoteDay(day=d.day, amount_minor=d.amount_minor, capped=d.capped) for d in fee.days],
    )
