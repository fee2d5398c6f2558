"""Alert rules, alerts, webhooks and deliveries: tenant-checked, every write audited.

An operator's staff see and manage only their operator's rules, alerts and webhooks; admins
all. Ingest's operations job evaluates the rules and delivers the webhooks; this module only
stores what operators ask for and reads back what happened.
"""

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.services import pagination
from api_service.services.admin_lots import lot_for
from api_service.services.admin_users import managed_operator
from api_service.services.errors import FieldError, InvalidError, NotFoundError
from schemas.alerts import AlertKind, parse_params, stored_params
from schemas.db import Alert, AlertRule, Operator, ParkingLot, Webhook, WebhookDelivery

SECRET_BYTES = 32
M = TypeVar("M", AlertRule, Webhook)


@dataclass(frozen=True, slots=True)
class Owner:
    operator_id: int
    lot_id: int | None = None


# Ownership ------------------------------------------------------------------------------


def _operator(session: Session, tenant: Tenant, code: str | None) -> int:
    """The operator a new rule or webhook belongs to: the named one if the caller manages
    it, else the caller's own; admins must name one."""
    if code is not None:
        return managed_operator(session, tenant, code)
    if tenant.scope is None:
        raise InvalidError([FieldError("operator", "required for admins (no own operator)")])
    return tenant.scope


def rule_owner(session: Session, tenant: Tenant, lot: str | None, operator: str | None) -> Owner:
    """Who a new rule belongs to: its lot's operator (checked), or an operator."""
    if lot is None:
        return Owner(_operator(session, tenant, operator))
    found = lot_for(session, tenant, lot)
    if operator is not None and operator_code(session, found.operator_id) != operator:
        raise InvalidError([FieldError("operator", f"lot {lot} belongs to another operator")])
    return Owner(found.operator_id, found.id)


def operator_code(session: Session, operator_id: int) -> str:
    return session.execute(select(Operator.code).where(Operator.id == operator_id)).scalar_one()


def _owned(session: Session, tenant: Tenant, model: type[M], item_id: int, what: str) -> M:
    found = session.get(model, item_id, with_for_update=True)
    if found is None:
        raise NotFoundError(f"{what} {item_id}")
    tenant.require(found.operator_id, f"{what} {item_id}")
    return found


# Rules ----------------------------------------------------------------------------------


def checked_params(kind: AlertKind, params: dict[str, Any]) -> dict[str, Any]:
    """The params as stored, or 400 naming each bad field (`params.<name>`)."""
    try:
        return stored_params(parse_params(kind, params))
    except ValidationError as exc:
        raise InvalidError(
            [
                FieldError(
                    ".".join(["params", *(str(p) for p in e["loc"] if p != kind.value)]), e["msg"]
                )
                for e in exc.errors()
            ]
        ) from exc


def _rule_audit(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "lot_id": rule.lot_id,
        "params": rule.params,
        "hold_s": rule.hold_s,
        "enabled": rule.enabled,
    }


def create_rule(session: Session, actor: Actor, rule: AlertRule) -> AlertRule:
    """Insert the rule (owner and params already checked) and audit it. Commits."""
    session.add(rule)
    session.flush()
    record(
        session,
        actor,
        "alert_rule.create",
        ("alert_rule", str(rule.id)),
        operator_id=rule.operator_id,
        before=None,
        after=_rule_audit(rule),
    )
    session.commit()
    return rule


def update_rule(
    session: Session, tenant: Tenant, actor: Actor, rule_id: int, changes: dict[str, Any]
) -> AlertRule:
    """Change name, params, hold_s or enabled of a rule the caller manages. Commits."""
    rule = _owned(session, tenant, AlertRule, rule_id, "alert rule")
    before = _rule_audit(rule)
    if changes.get("params") is not None:
        changes["params"] = checked_params(AlertKind(rule.kind), changes["params"])
    for name, value in changes.items():
        if value is not None:
            setattr(rule, name, value)
    session.flush()
    record(
        session,
        actor,
        "alert_rule.update",
        ("alert_rule", str(rule.id)),
        operator_id=rule.operator_id,
        before=before,
        after=_rule_audit(rule),
    )
    session.commit()
    return rule


def delete_rule(session: Session, tenant: Tenant, actor: Actor, rule_id: int) -> None:
    """Delete a rule with its alerts (their history goes with it). Commits."""
    rule = _owned(session, tenant, AlertRule, rule_id, "alert rule")
    record(
        session,
        actor,
        "alert_rule.delete",
        ("alert_rule", str(rule.id)),
        operator_id=rule.operator_id,
        before=_rule_audit(rule),
        after=None,
    )
    session.delete(rule)
    session.commit()


def list_rules(
    session: Session, tenant: Tenant, *, lot_id: int | None, after: int | None, limit: int
) -> list[Any]:
    """(rule, operator code, lot code) the caller sees, by id."""
    query = (
        select(AlertRule, Operator.code, ParkingLot.code)
        .join(Operator, Operator.id == AlertRule.operator_id)
        .outerjoin(ParkingLot, ParkingLot.id == AlertRule.lot_id)
    )
    if tenant.scope is not None:
        query = query.where(AlertRule.operator_id == tenant.scope)
    if lot_id is not None:
        query = query.where(AlertRule.lot_id == lot_id)
    return list(session.execute(pagination.keyset(query, AlertRule.id, after, limit)))


def rule_codes(session: Session, rule: AlertRule) -> tuple[str, str | None]:
    """The operator and lot codes of a rule, for its view."""
    lot = None
    if rule.lot_id is not None:
        lot = session.scalar(select(ParkingLot.code).where(ParkingLot.id == rule.lot_id))
    return operator_code(session, rule.operator_id), lot


# Alerts ---------------------------------------------------------------------------------


def list_alerts(
    session: Session,
    tenant: Tenant,
    *,
    state: str | None,
    lot_id: int | None,
    before: int | None,
    limit: int,
) -> list[Any]:
    """(alert, kind, lot code) the caller sees, newest first, ids below `before`."""
    query = (
        select(Alert, AlertRule.kind, ParkingLot.code)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .join(ParkingLot, ParkingLot.id == Alert.lot_id)
    )
    if tenant.scope is not None:
        query = query.where(AlertRule.operator_id == tenant.scope)
    if state is not None:
        query = query.where(Alert.state == state)
    if lot_id is not None:
        query = query.where(Alert.lot_id == lot_id)
    return list(session.execute(pagination.keyset(query, Alert.id, before, limit, descending=True)))


# Webhooks -------------------------------------------------------------------------------


def url_problem(url: str, *, allow_http_loopback: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None (pure): https with a host, or http to a
    loopback address when allowed (development and tests)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return "not a valid URL"
    if not host:
        return "needs a host"
    if not _valid_host(host):
        return f"{host!r} is not a host name or IP address"
    if parts.username or parts.password:
        return "must not carry credentials (the signature authenticates the sender)"
    if parts.scheme == "https" or (
        parts.scheme == "http" and allow_http_loopback and _loopback(host)
    ):
        return None
    return "must be https" + (" (or http to a loopback address)" if allow_http_loopback else "")


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _valid_host(host: str) -> bool:
    """An IP address, or a DNS name of letter-digit-hyphen labels (international names in
    their IDNA form): urlsplit takes any text, e.g. a space, as a host."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_webhook(
    session: Session,
    tenant: Tenant,
    actor: Actor,
    target: tuple[str, str | None],
    *,
    allow_http_loopback: bool,
) -> Webhook:
    """A new enabled webhook for (url, operator code) with a fresh secret (shown once, by
    the caller). Commits."""
    url, operator = target
    if (problem := url_problem(url, allow_http_loopback=allow_http_loopback)) is not None:
        raise InvalidError([FieldError("url", problem)])
    hook = Webhook(
        operator_id=_operator(session, tenant, operator),
        url=url,
        secret=secrets.token_urlsafe(SECRET_BYTES),
    )
    session.add(hook)
    session.flush()
    _audit_hook(
        session, actor, hook, "webhook.create", before=None, after={"url": url, "enabled": True}
    )
    session.commit()
    return hook


def set_webhook_enabled(
    session: Session, tenant: Tenant, actor: Actor, webhook_id: int, *, at: datetime | None
) -> Webhook:
    """Disable a webhook (`at`: when) or enable it again (`at` None), which clears its
    failure count and reason. Commits."""
    enabled = at is None
    hook = _owned(session, tenant, Webhook, webhook_id, "webhook")
    if hook.enabled == enabled:
        session.commit()
        return hook
    before = {"enabled": hook.enabled, "disabled_reason": hook.disabled_reason}
    hook.enabled = enabled
    if enabled:
        hook.consecutive_failures, hook.disabled_at, hook.disabled_reason = 0, None, None
    else:
        hook.disabled_at = at
        hook.disabled_reason = f"disabled by {actor.name}"
    action = "webhook.enable" if enabled else "webhook.disable"
    _audit_hook(session, actor, hook, action, before=before, after={"enabled": enabled})
    session.commit()
    return hook


def delete_webhook(session: Session, tenant: Tenant, actor: Actor, webhook_id: int) -> None:
    """Delete a webhook with its delivery log. Commits."""
    hook = _owned(session, tenant, Webhook, webhook_id, "webhook")
    _audit_hook(session, actor, hook, "webhook.delete", before={"url": hook.url}, after=None)
    session.delete(hook)
    session.commit()


def _audit_hook(
    session: Session,
    actor: Actor,
    hook: Webhook,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    # Never the secret.
    record(
        session,
        actor,
        action,
        ("webhook", str(hook.id)),
        operator_id=hook.operator_id,
        before=before,
        after=after,
    )


def list_webhooks(session: Session, tenant: Tenant, *, after: int | None, limit: int) -> list[Any]:
    """(webhook, operator code) the caller sees, by id."""
    query = select(Webhook, Operator.code).join(Operator, Operator.id == Webhook.operator_id)
    if tenant.scope is not None:
        query = query.where(Webhook.operator_id == tenant.scope)
    return list(session.execute(pagination.keyset(query, Webhook.id, after, limit)))


def list_deliveries(
    session: Session, tenant: Tenant, webhook_id: int, *, before: int | None, limit: int
) -> list[WebhookDelivery]:
    """The webhook's deliveries, newest first; 404 unknown, 403 another operator's."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFoundError(f"webhook {webhook_id}")
    tenant.require(hook.operator_id, f"webhook {webhook_id}")
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return list(
        session.scalars(
            pagination.keyset(query, WebhookDelivery.id, before, limit, descending=True)
        )
    )
