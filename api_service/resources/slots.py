"""`/slots/{lot_id}/{slot_id}`: one slot with its effective status and freshness."""

from flask import Blueprint

from api_service.access import PUBLIC
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import not_found
from api_service.models.common import SlotPath
from api_service.models.lots import SlotView
from api_service.resources.views import slot_view
from api_service.services.slots import find_slot

bp = Blueprint("slots", __name__, url_prefix="/api/v1/slots")


@bp.get("/<lot_id>/<slot_id>")
@endpoint(
    RouteSpec(
        "One slot: status, since, last confirmation, source, confidence",
        PUBLIC,
        "lots",
        rate="public",
        path=SlotPath,
        response=SlotView,
        errors=(404,),
    )
)
def one_slot(path: SlotPath) -> SlotView:
    read = find_slot(db_session(), path.lot_id, path.slot_id, utcnow())
    if read is None:
        raise not_found(f"slot {path.lot_id}/{path.slot_id}")
    return slot_view(path.lot_id, read)
