"""Alert webhooks: POST each alert event, signed, to the operator's endpoints.

Deliveries are rows (`webhook_deliveries`) written with the alert, so nothing is lost while
an endpoint is down: a failed attempt is retried with exponential backoff (the next time is
stored), a delivery is given up after `INGEST_WEBHOOK_MAX_ATTEMPTS`, and a webhook that fails
`INGEST_WEBHOOK_MAX_FAILURES` times in a row is disabled until an operator enables it again.
The HTTP calls run on the operations job's thread, never on a batch's.
"""

import ipaddress
import json
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from ingest_service.operations import OpsContext
from schemas.signing import HEADER, sign

log = logging.getLogger(__name__)

BATCH: Final = 100  # deliveries attempted per round at most
ERROR_MAX: Final = 500  # characters of an error kept in the log


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    timeout_s: float
    max_failures: int
    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float
    allow_private_targets: bool = False


Resolver = Callable[[str], list[str]]


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to (the system resolver)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]


def target_problem(url: str, resolver: Resolver = resolve) -> str | None:
    """Why `url` must not be called from inside the platform, or None.

    An operator's URL must not reach what only the platform can reach (the database, the
    broker's admin listener, a cloud metadata service): every address the host resolves to
    must be public. The API checks the URL's form when it is registered; this check runs at
    every attempt, because what a name resolves to can change.
    """
    host = urlsplit(url).hostname
    if not host:
        return "the URL has no host"
    try:
        addresses = resolver(host)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            return f"refused: {host} resolves to a non-public address ({ip})"
    return None if addresses else f"cannot resolve {host}"


def backoff(attempts: int, base_s: float, max_s: float) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2 x base, 4 x base, ... capped."""
    exponent = min(max(attempts - 1, 0), 32)  # 2**32 x base is past any sensible cap
    return timedelta(seconds=min(max_s, base_s * 2**exponent))


def body(delivery: dict[str, Any]) -> bytes:
    """The JSON document POSTed for one delivery: the event and the alert as it is now."""
    document = {
        "id": str(delivery["id"]),
        "event": delivery["event"],
        "alert": {
            "id": delivery["alert_id"],
            "rule_id": delivery["rule_id"],
            "rule": delivery["rule_name"],
            "kind": delivery["kind"],
            "lot_id": delivery["lot_code"],
            "subject": delivery["subject"],
            "state": delivery["state"],
            "fired_at": _iso(delivery["fired_at"]),
            "resolved_at": _iso(delivery["resolved_at"]),
            "value": delivery["value"],
            "details": delivery["details"],
        },
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat().replace("+00:00", "Z")


# Round-robin over the webhooks (each one's oldest due first, then each one's second, ...):
# a webhook with a backlog older than the others' cannot fill every round's batch.
_DUE = """
SELECT d.id, d.event, d.attempts, d.webhook_id, w.url, w.secret,
       a.id AS alert_id, a.rule_id, r.name AS rule_name, r.kind, l.code AS lot_code,
       a.subject, a.state, a.fired_at, a.resolved_at, a.value, a.details
FROM (
    SELECT d.*, row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id)
        AS nth
    FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.state = 'pending' AND d.next_attempt_at <= %s AND w.enabled
) d
JOIN webhooks w ON w.id = d.webhook_id
JOIN alerts a ON a.id = d.alert_id
JOIN alert_rules r ON r.id = a.rule_id
JOIN parking_lots l ON l.id = a.lot_id
ORDER BY d.nth, d.next_attempt_at, d.id
LIMIT %s
"""


def deliver(
    ctx: OpsContext, policy: WebhookPolicy, client: httpx.Client, resolver: Resolver = resolve
) -> None:
    """Attempt the due deliveries (at most `BATCH` a round), each webhook's oldest first."""
    cursor = ctx.conn.cursor()
    cursor.execute(_DUE, (ctx.now, BATCH))
    names = [column.name for column in cursor.description or ()]
    due = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    failed_hooks: set[int] = set()
    for delivery in due:
        if delivery["webhook_id"] in failed_hooks:
            continue  # one slow or dead endpoint costs one timeout per round, not one per row
        status: int | None = None
        error = None if policy.allow_private_targets else target_problem(delivery["url"], resolver)
        if error is None:
            status, error = _post(client, delivery, ctx.now, policy.timeout_s)
        if error is None:
            _succeeded(ctx, delivery, status)
        else:
            failed_hooks.add(delivery["webhook_id"])
            _failed(ctx, delivery, status, error, policy)


def _post(
    client: httpx.Client, delivery: dict[str, Any], now: datetime, timeout_s: float
) -> tuple[int | None, str | None]:
    """(HTTP status, error or None when delivered)."""
    payload = body(delivery)
    headers = {
        "Content-Type": "application/json",
        HEADER: sign(delivery["secret"].encode(), payload, now),
        "User-Agent": "parking-alerts/1",
    }
    try:
        response = client.post(delivery["url"], content=payload, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _succeeded(ctx: OpsContext, delivery: dict[str, Any], status: int | None) -> None:
    with ctx.conn.transaction():
        ctx.conn.execute(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1,"
            " last_status = %s, last_error = NULL, delivered_at = %s, next_attempt_at = NULL"
            " WHERE id = %s",
            (status, ctx.now, delivery["id"]),
        )
        ctx.conn.execute(
            "UPDATE webhooks SET consecutive_failures = 0 WHERE id = %s",
            (delivery["webhook_id"],),
        )


def _failed(
    ctx: OpsContext,
    delivery: dict[str, Any],
    status: int | None,
    error: str,
    policy: WebhookPolicy,
) -> None:
    attempts = delivery["attempts"] + 1
    given_up = attempts >= policy.max_attempts
    next_at = None if given_up else ctx.now + backoff(attempts, *_backoff(policy))
    log.warning("webhook %s: delivery %s failed: %s", delivery["webhook_id"], delivery["id"], error)
    with ctx.conn.transaction():
        ctx.conn.execute(
            "UPDATE webhook_deliveries SET attempts = %s, last_status = %s, last_error = %s,"
            " next_attempt_at = %s, state = %s WHERE id = %s",
            (attempts, status, error, next_at, "failed" if given_up else "pending", delivery["id"]),
        )
        row = ctx.conn.execute(
            "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1"
            " WHERE id = %s RETURNING consecutive_failures",
            (delivery["webhook_id"],),
        ).fetchone()
        if row is not None and row[0] >= policy.max_failures:
            _disable(ctx, delivery["webhook_id"], f"{row[0]} consecutive failures; last: {error}")


def _disable(ctx: OpsContext, webhook_id: int, reason: str) -> None:
    """Disable the webhook; what it still had pending is marked failed (not sent later)."""
    log.warning("webhook %s disabled: %s", webhook_id, reason)
    ctx.conn.execute(
        "UPDATE webhooks SET enabled = false, disabled_at = %s, disabled_reason = %s WHERE id = %s",
        (ctx.now, reason[:ERROR_MAX], webhook_id),
    )
    ctx.conn.execute(
        "UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL,"
        " last_error = coalesce(last_error, 'webhook disabled')"
        " WHERE webhook_id = %s AND state = 'pending'",
        (webhook_id,),
    )


def _backoff(policy: WebhookPolicy) -> tuple[float, float]:
    return policy.backoff_base_s, policy.backoff_max_s
