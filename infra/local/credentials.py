"""The local stack's secrets: generated on first start, kept (mode 0600) under the state folder."""

import json
import os
import secrets
from pathlib import Path
from typing import Final

from infra.mosquitto.dynsec import SERVICE_USERS

# Local development only, and the default of DATABASE_URL (schemas.db.settings).
DEV_DB_USER: Final = "parking"
DEV_DB_PASSWORD: Final = "parking-dev-only"  # noqa: S105 - the documented dev default
DEV_DB_NAME: Final = "parking"
# Camera nodes with their own broker account (examples/nodes/*.yaml), for `mosquitto_pub`.
EXAMPLE_NODES: Final = ("harbour-node-1", "harbour-node-2")


def _new() -> dict[str, str]:
    made = {f"mqtt_{user}": secrets.token_urlsafe(18) for user in SERVICE_USERS}
    made |= {f"node_{node}": secrets.token_urlsafe(18) for node in EXAMPLE_NODES}
    made["jwt_secret_key"] = secrets.token_urlsafe(48)
    made["api_metrics_token"] = secrets.token_urlsafe(32)
    # Local demo only: the secret a pay-desk till signs `manual` payment webhooks with.
    made["payment_webhook_manual"] = secrets.token_urlsafe(32)
    return made


def load_or_create(path: Path) -> dict[str, str]:
    """The stored secrets, completed with any new ones (existing values never change)."""
    stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    merged = _new() | stored
    if merged != stored:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(merged, file, indent=1)
    return merged


def api_secrets(found: dict[str, str]) -> dict[str, str]:
    """The API's secret settings: its token key, the bearer token /metrics wants (the
    API's port is the public one, so its metrics are not open to whoever reaches it), and
    the `manual` payment provider's webhook secret."""
    return {
        "JWT_SECRET_KEY": found["jwt_secret_key"],
        "API_METRICS_TOKEN": found["api_metrics_token"],
        "API_PAYMENT_WEBHOOK_SECRETS": json.dumps({"manual": found["payment_webhook_manual"]}),
    }


def service_passwords(found: dict[str, str]) -> dict[str, str]:
    """Broker service user -> password."""
    return {user: found[f"mqtt_{user}"] for user in SERVICE_USERS}


def node_passwords(found: dict[str, str]) -> dict[str, str]:
    """Example camera node id -> broker password."""
    return {node: found[f"node_{node}"] for node in EXAMPLE_NODES}
