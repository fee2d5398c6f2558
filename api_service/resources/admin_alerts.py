"""`/admin/alert-rules`, `/admin/alerts`, `/admin/webhooks`: alerting, for staff."""

from typing import Any

from flask import Blueprint, Response, current_app

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.admin_alerts import (
    AlertPage,
    AlertQuery,
    AlertView,
    DeliveryPage,
    DeliveryQuery,
    DeliveryView,
    RuleCreate,
    RulePage,
    RuleQuery,
    RuleUpdate,
    RuleView,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookQuery,
    WebhookView,
)
from api_service.models.common import IdPath
from api_service.resources.admin_common import PREFIX, actor
from api_service.services import admin_alerts, pagination
from api_service.services.admin_lots import lot_for
from api_service.settings import ApiSettings
from schemas.alerts import AlertKind
from schemas.db import AlertRule, Webhook

bp = Blueprint("admin_alerts", __name__, url_prefix=PREFIX)


def _spec(summary: str, **kwargs: Any) -> RouteSpec:
    return RouteSpec(summary, STAFF, "admin: alerts", rate="user", **kwargs)


def _rule_view(rule: AlertRule, operator: str, lot: str | None) -> RuleView:
    return RuleView(
        id=rule.id,
        name=rule.name,
        kind=AlertKind(rule.kind),
        operator=operator,
        lot_id=lot,
        params=rule.params,
        hold_s=rule.hold_s,
        enabled=rule.enabled,
        created_at=rule.created_at,
        updated_at=rule.updated_at,
    )


def _lot_id(lot: str | None) -> int | None:
    return None if lot is None else lot_for(db_session(), current_tenant(), lot).id


@bp.get("/alert-rules")
@endpoint(
    _spec(
        "Alert rules the caller manages, by id",
        query=RuleQuery,
        response=RulePage,
        errors=(403, 404),
    )
)
def list_rules(query: RuleQuery) -> RulePage:
    rows = admin_alerts.list_rules(
        db_session(),
        current_tenant(),
        lot_id=_lot_id(query.lot),
        after=pagination.decode_id(query.cursor),
        limit=query.limit,
    )
    cursor = pagination.next_cursor(rows, query.limit, lambda row: row[0].id)
    return RulePage(items=[_rule_view(*row) for row in rows], next_cursor=cursor)


@bp.post("/alert-rules")
@endpoint(
    _spec(
        "Create an alert rule for a lot or for every lot of an operator",
        body=RuleCreate,
        response=RuleView,
        status=201,
        errors=(403, 404, 413, 415),
    )
)
def create_rule(body: RuleCreate) -> RuleView:
    session, tenant = db_session(), current_tenant()
    owner = admin_alerts.rule_owner(session, tenant, body.lot_id, body.operator)
    rule = AlertRule(
        operator_id=owner.operator_id,
        lot_id=owner.lot_id,
        name=body.name,
        kind=body.kind.value,
        params=admin_alerts.checked_params(body.kind, body.params),
        hold_s=body.hold_s,
        enabled=body.enabled,
    )
    stored = admin_alerts.create_rule(session, actor(), rule)
    return _rule_view(stored, *admin_alerts.rule_codes(session, stored))


@bp.patch("/alert-rules/<int:id>")
@endpoint(
    _spec(
        "Change an alert rule's name, params, hold time or enabled",
        path=IdPath,
        body=RuleUpdate,
        response=RuleView,
        errors=(404, 413, 415),
    )
)
def update_rule(path: IdPath, body: RuleUpdate) -> RuleView:
    session = db_session()
    changes = body.model_dump(include=body.model_fields_set)
    rule = admin_alerts.update_rule(session, current_tenant(), actor(), path.id, changes)
    return _rule_view(rule, *admin_alerts.rule_codes(session, rule))


@bp.delete("/alert-rules/<int:id>")
@endpoint(_spec("Delete an alert rule and its alerts", path=IdPath, status=204, errors=(404,)))
def delete_rule(path: IdPath) -> Response:
    admin_alerts.delete_rule(db_session(), current_tenant(), actor(), path.id)
    return Response(status=204)


@bp.get("/alerts")
@endpoint(_spec("Alerts, newest first", query=AlertQuery, response=AlertPage, errors=(403, 404)))
def list_alerts(query: AlertQuery) -> AlertPage:
    rows = admin_alerts.list_alerts(
        db_session(),
        current_tenant(),
        state=query.state,
        lot_id=_lot_id(query.lot),
        before=pagination.decode_id(query.cursor),
        limit=query.limit,
    )
    items = [
        AlertView(
            id=alert.id,
            rule_id=alert.rule_id,
            kind=AlertKind(kind),
            lot_id=lot,
            subject=alert.subject,
            state=alert.state,
            fired_at=alert.fired_at,
            resolved_at=alert.resolved_at,
            value=alert.value,
            details=alert.details,
        )
        for alert, kind, lot in rows
    ]
    cursor = pagination.next_cursor(rows, query.limit, lambda row: row[0].id)
    return AlertPage(items=items, next_cursor=cursor)


def _hook_fields(hook: Webhook, operator: str) -> dict[str, Any]:
    return {
        "id": hook.id,
        "operator": operator,
        "url": hook.url,
        "enabled": hook.enabled,
        "consecutive_failures": hook.consecutive_failures,
        "disabled_at": hook.disabled_at,
        "disabled_reason": hook.disabled_reason,
        "created_at": hook.created_at,
    }


@bp.get("/webhooks")
@endpoint(
    _spec("Alert webhooks the caller manages, by id", query=WebhookQuery, response=WebhookPage)
)
def list_webhooks(query: WebhookQuery) -> WebhookPage:
    rows = admin_alerts.list_webhooks(
        db_session(), current_tenant(), after=pagination.decode_id(query.cursor), limit=query.limit
    )
    cursor = pagination.next_cursor(rows, query.limit, lambda row: row[0].id)
    return WebhookPage(
        items=[WebhookView(**_hook_fields(*row)) for row in rows], next_cursor=cursor
    )


@bp.post("/webhooks")
@endpoint(
    _spec(
        "Create an alert webhook; the signing secret is in this answer only",
        body=WebhookCreate,
        response=WebhookCreated,
        status=201,
        errors=(403, 413, 415),
    )
)
def create_webhook(body: WebhookCreate) -> WebhookCreated:
    session = db_session()
    settings: ApiSettings = current_app.extensions["parking_settings"]
    hook = admin_alerts.create_webhook(
        session,
        current_tenant(),
        actor(),
        (body.url, body.operator),
        allow_http_loopback=settings.webhook_allow_http_loopback,
    )
    operator = admin_alerts.operator_code(session, hook.operator_id)
    return WebhookCreated(**_hook_fields(hook, operator), secret=hook.secret)


def _set_enabled(webhook_id: int, *, enable: bool) -> WebhookView:
    session = db_session()
    at = None if enable else utcnow()
    hook = admin_alerts.set_webhook_enabled(session, current_tenant(), actor(), webhook_id, at=at)
    return WebhookView(**_hook_fields(hook, admin_alerts.operator_code(session, hook.operator_id)))


@bp.post("/webhooks/<int:id>/enable")
@endpoint(
    _spec(
        "Enable a webhook again (after it was disabled for failing), its failure count cleared",
        path=IdPath,
        response=WebhookView,
        errors=(404,),
    )
)
def enable_webhook(path: IdPath) -> WebhookView:
    return _set_enabled(path.id, enable=True)


@bp.post("/webhooks/<int:id>/disable")
@endpoint(_spec("Disable a webhook", path=IdPath, response=WebhookView, errors=(404,)))
def disable_webhook(path: IdPath) -> WebhookView:
    return _set_enabled(path.id, enable=False)


@bp.delete("/webhooks/<int:id>")
@endpoint(_spec("Delete a webhook and its delivery log", path=IdPath, status=204, errors=(404,)))
def delete_webhook(path: IdPath) -> Response:
    admin_alerts.delete_webhook(db_session(), current_tenant(), actor(), path.id)
    return Response(status=204)


@bp.get("/webhooks/<int:id>/deliveries")
@endpoint(
    _spec(
        "A webhook's deliveries (attempts, last status, next attempt), newest first",
        path=IdPath,
        query=DeliveryQuery,
        response=DeliveryPage,
        errors=(404,),
    )
)
def list_deliveries(path: IdPath, query: DeliveryQuery) -> DeliveryPage:
    deliveries = admin_alerts.list_deliveries(
        db_session(),
        current_tenant(),
        path.id,
        before=pagination.decode_id(query.cursor),
        limit=query.limit,
    )
    items = [
        DeliveryView(
            id=d.id,
            alert_id=d.alert_id,
            event=d.event,
            state=d.state,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status=d.last_status,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
        )
        for d in deliveries
    ]
    cursor = pagination.next_cursor(deliveries, query.limit, lambda d: d.id)
    return DeliveryPage(items=items, next_cursor=cursor)
