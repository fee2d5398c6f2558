"""What the admin blueprints share: the caller as an audit actor, the broker, results."""

from typing import Final

from flask import current_app

from api_service.access import current_tenant
from api_service.audit import Actor
from api_service.broker_admin import BrokerAdmin
from api_service.errors import ApiError
from api_service.models.admin_lots import ImportResult
from schemas.db.layout_import import ImportReport

PREFIX: Final = "/api/v1/admin"
BROKER_KEY: Final = "parking_broker"


def actor() -> Actor:
    """The staff member making this request, as the audit log names them."""
    tenant = current_tenant()
    return Actor(tenant.user_id, tenant.email)


def optional_broker() -> BrokerAdmin | None:
    broker: BrokerAdmin | None = current_app.extensions.get(BROKER_KEY)
    return broker


def broker() -> BrokerAdmin:
    """The configured broker, or 503 when API_MQTT_URL / MQTT_URL is not set."""
    found = optional_broker()
    if found is None:
        raise ApiError(
            503,
            "broker-not-configured",
            "Service Unavailable",
            "this API has no broker connection (set API_MQTT_URL or MQTT_URL)",
        )
    return found


def import_result(report: ImportReport) -> ImportResult:
    return ImportResult(
        lot_id=report.lot, created=report.created, changed=report.changed, counts=report.counts
    )
