"""The application factory: settings in, a configured Flask app out."""

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api_service.access import init_jwt
from api_service.availability import AvailabilityService
from api_service.broker_admin import BrokerAdmin
from api_service.db import Database
from api_service.errors import register_error_handlers
from api_service.live import LiveHub
from api_service.metrics import Metrics
from api_service.passwords import Passwords
from api_service.ratelimit import RateLimits
from api_service.resources import (
    admin_alerts,
    admin_history,
    admin_lots,
    admin_nodes,
    admin_overrides,
    admin_payments,
    admin_tariffs,
    admin_users,
    auth,
    forecast,
    lots,
    open_data,
    ops,
    payments,
    quotes,
    reservations,
    sessions,
    slots,
)
from api_service.resources.admin_common import BROKER_KEY
from api_service.security_headers import init_app as init_security_headers
from api_service.settings import ApiSettings
from api_service.stream_slots import StreamLimits, StreamSlots

MAX_BODY_BYTES = 16 * 1024

log = logging.getLogger(__name__)


def create_app(settings: ApiSettings | None = None) -> Flask:
    """Build the API; without `settings` they are read from the environment (gunicorn)."""
    settings = settings or ApiSettings()
    if settings.jwt_secret_key is None:
        log.warning("API_DEV_MODE: tokens are signed with the public dev-only secret")
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.extensions["parking_settings"] = settings
    database = Database(settings.database_url.get_secret_value(), settings.db_pool_size)
    database.init_app(app)
    hub = LiveHub(settings.database_url.get_secret_value()) if settings.live_updates else None
    app.extensions["parking_hub"] = hub
    app.extensions["parking_availability"] = AvailabilityService(database.sessions, hub)
    limits = StreamLimits(
        settings.sse_max_per_client, settings.sse_max_total, settings.sse_max_lifetime_s
    )
    app.extensions["parking_streams"] = StreamSlots(limits)
    app.extensions["parking_passwords"] = Passwords(settings)
    if settings.mqtt_url is not None:
        url = settings.mqtt_url.get_secret_value()
        app.extensions[BROKER_KEY] = BrokerAdmin(url, settings.mqtt_timeout_s)
    RateLimits(settings).init_app(app)
    Metrics().init_app(app)
    init_jwt(app, settings)
    register_error_handlers(app)
    init_security_headers(app)
    blueprints = (
        ops,
        auth,
        lots,
        quotes,
        forecast,
        slots,
        reservations,
        sessions,
        open_data,
        payments,
    )
    admin = (
        admin_lots,
        admin_overrides,
        admin_history,
        admin_nodes,
        admin_users,
        admin_alerts,
        admin_payments,
        admin_tariffs,
    )
    for module in blueprints + admin:
        app.register_blueprint(module.bp)
    return app
