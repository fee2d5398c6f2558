"""`/lots/{lot_id}/forecast`: free slots 15, 30 and 60 minutes ahead."""

from flask import Blueprint, current_app

from api_service.access import PUBLIC
from api_service.availability import AvailabilityService
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.common import LotPath
from api_service.models.forecast import ForecastQuery, HorizonForecast, LotForecast
from api_service.services import forecast
from schemas.messages import Availability

bp = Blueprint("forecast", __name__, url_prefix="/api/v1/lots")


@bp.get("/<lot_id>/forecast")
@endpoint(
    RouteSpec(
        "Free slots expected in 15, 30 and 60 minutes, from the lot's usual week and now",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        query=ForecastQuery,
        response=LotForecast,
        errors=(404,),
    )
)
def lot_forecast(path: LotPath, query: ForecastQuery) -> LotForecast:
    now = utcnow()

    def lot_live() -> forecast.Live | None:
        # The whole lot's counts are its availability document, as the app shows them.
        service: AvailabilityService = current_app.extensions["parking_availability"]
        snapshot = service.get(path.lot_id, now)
        if snapshot is None:
            return None
        counts = Availability.model_validate_json(snapshot.body)
        return forecast.Live(counts.free, counts.total - counts.closed)

    result = forecast.lot_forecast(db_session(), path.lot_id, query.kind, now, lot_live)
    return LotForecast(
        lot_id=path.lot_id,
        kind=query.kind,
        generated_at=now,
        free_now=result.free_now,
        capacity=result.capacity,
        basis=result.basis,
        horizons=[
            HorizonForecast(
                minutes=h.minutes,
                free=round(h.free, 1),
                baseline=None if h.baseline is None else round(h.baseline, 1),
            )
            for h in result.horizons
        ],
    )
