"""Alerting in the operations job: evaluate the rules, publish each lot's open alerts
(retained), deliver webhooks.

Each round measures every enabled rule's value per subject (`alerts_observe.py`), asks the
pure `schemas.alerts.step` what to do given the stored state (`alerts` open per rule and
subject, `alert_conditions` waiting out a hold) and stores the outcome in one transaction per
rule: a fired or resolved alert and one pending delivery per enabled webhook of the rule's
operator. A disabled rule resolves its open alerts at once.
"""

import logging
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import httpx
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from ingest_service.alerts_observe import OBSERVERS, Observation, Observations, Scope
from ingest_service.db import Connection
from ingest_service.operations import OpsContext, Task
from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound
from ingest_service.webhooks import WebhookPolicy, deliver
from schemas.alerts import (
    Action,
    AlertKind,
    AlertParams,
    parse_params,
    rate_per_min,
    step,
    stored_params,
)
from schemas.messages import LotAlerts, OpenAlert, to_payload
from schemas.topics import lot_alerts_topic

log = logging.getLogger(__name__)

RECENT = timedelta(hours=1)  # lots whose alerts resolved this recently get their topic refreshed


class _Rule(NamedTuple):
    id: int
    operator_id: int
    lot_id: int | None
    name: str
    kind: str
    params: dict[str, Any]
    hold_s: int
    enabled: bool


def evaluate(ctx: OpsContext) -> None:
    """Evaluate every rule once, each in its own transaction."""
    rules = ctx.conn.execute(
        "SELECT id, operator_id, lot_id, name, kind, params, hold_s, enabled"
        " FROM alert_rules ORDER BY id"
    ).fetchall()
    for row in rules:
        with ctx.conn.transaction():
            _evaluate_rule(ctx, _Rule(*row))


def _evaluate_rule(ctx: OpsContext, rule: _Rule) -> None:
    kind = AlertKind(rule.kind)
    try:
        params = parse_params(kind, rule.params)
    except ValidationError:
        log.exception("alert rule %s has invalid params; skipped", rule.id)
        return
    conn, now, rule_id = ctx.conn, ctx.now, rule.id
    observed: Observations = {}
    if rule.enabled:
        observed = OBSERVERS[kind](conn, Scope(rule.operator_id, rule.lot_id), now)
    pending = {
        subject: (since, counter, counted_at)
        for subject, since, counter, counted_at in conn.execute(
            "SELECT subject, pending_since, counter, counted_at FROM alert_conditions"
            " WHERE rule_id = %s FOR UPDATE",
            (rule_id,),
        )
    }
    open_alerts: dict[str, int] = dict(
        conn.execute(
            "SELECT subject, id FROM alerts WHERE rule_id = %s AND state = 'firing' FOR UPDATE",
            (rule_id,),
        ).fetchall()
    )
    hold = timedelta(seconds=rule.hold_s if rule.enabled else 0)
    for subject in sorted(set(observed) | set(open_alerts) | set(pending)):
        seen = observed.get(subject)
        since, counter, counted_at = pending.get(subject, (None, None, None))
        if seen is not None and seen.counter is not None:  # a rate: two counter readings
            value = rate_per_min(counter, counted_at, seen.counter, now)
            seen = Observation(seen.lot_id, seen.lot_code, round(value, 3), seen.details)
            counter, counted_at = observed[subject].counter, now
        breaching = seen is not None and params.breached(seen.value)
        decision = step(
            breaching=breaching,
            firing=subject in open_alerts,
            pending_since=since,
            now=now,
            hold=hold,
        )
        if decision.action is Action.FIRE and seen is not None:
            _fire(conn, now, rule, params, subject=subject, seen=seen)
        elif decision.action is Action.RESOLVE:
            _resolve(conn, now, rule.operator_id, open_alerts[subject], seen)
        state = (decision.pending_since, counter, counted_at)
        _store_condition(conn, (rule_id, subject), *state)


def _fire(
    conn: Connection,
    now: datetime,
    rule: _Rule,
    params: AlertParams,
    *,
    subject: str,
    seen: Observation,
) -> None:
    details = {
        "rule": rule.name,
        "kind": rule.kind,
        "lot": seen.lot_code,
        "params": stored_params(params),
        "observed": seen.details,
    }
    row = conn.execute(
        "INSERT INTO alerts (rule_id, lot_id, subject, state, fired_at, value, details)"
        " VALUES (%s, %s, %s, 'firing', %s, %s, %s)"
        " ON CONFLICT (rule_id, subject) WHERE state = 'firing' DO NOTHING RETURNING id",
        (rule.id, seen.lot_id, subject, now, seen.value, Jsonb(details)),
    ).fetchone()
    if row is not None:
        log.info("alert %s fired: rule %s (%s) on %s", row[0], rule.id, rule.kind, subject)
        _enqueue(conn, now, rule.operator_id, row[0], "fired")


def _resolve(
    conn: Connection, now: datetime, operator_id: int, alert_id: int, seen: Observation | None
) -> None:
    last = {"resolved_observed": seen.details if seen is not None else None}
    conn.execute(
        "UPDATE alerts SET state = 'resolved', resolved_at = %s, details = details || %s"
        " WHERE id = %s AND state = 'firing'",
        (now, Jsonb(last), alert_id),
    )
    log.info("alert %s resolved", alert_id)
    _enqueue(conn, now, operator_id, alert_id, "resolved")


def _enqueue(conn: Connection, now: datetime, operator_id: int, alert_id: int, event: str) -> None:
    """One pending delivery of the event per enabled webhook of the operator, due now."""
    conn.execute(
        "INSERT INTO webhook_deliveries (webhook_id, alert_id, event, next_attempt_at)"
        " SELECT id, %s, %s, %s FROM webhooks WHERE operator_id = %s AND enabled ORDER BY id",
        (alert_id, event, now, operator_id),
    )


def _store_condition(
    conn: Connection,
    key: tuple[int, str],
    pending_since: datetime | None,
    counter: int | None,
    counted_at: datetime | None,
) -> None:
    """Keep what the next round needs for (rule, subject); nothing when nothing is pending."""
    rule_id, subject = key
    if pending_since is None and counter is None:
        conn.execute(
            "DELETE FROM alert_conditions WHERE rule_id = %s AND subject = %s", (rule_id, subject)
        )
        return
    conn.execute(
        "INSERT INTO alert_conditions (rule_id, subject, pending_since, counter, counted_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (rule_id, subject) DO UPDATE SET"
        " pending_since = excluded.pending_since, counter = excluded.counter,"
        " counted_at = excluded.counted_at",
        (rule_id, subject, pending_since, counter, counted_at),
    )


# The retained per-lot topic --------------------------------------------------------------


def describe(kind: str, subject: str, value: float | None) -> str:
    """A one-line text for people (pure)."""
    shown = "?" if value is None else f"{value:g}"
    texts = {
        "lot_full": f"lot {subject} is full",
        "lot_free_below": f"lot {subject}: only {shown} slots free",
        "node_offline": f"node {subject} offline or silent for {shown} s",
        "camera_not_ok": f"node {subject} reports its camera not ok",
        "override_expiring": f"override of slot {subject} ends in {shown} s",
        "dead_letter_rate": f"lot {subject}: {shown} refused messages per minute",
        "ingest_lag": f"lot {subject}: events arrive {shown} s late",
    }
    return texts.get(kind, f"{kind} on {subject}")


class AlertsPublisher:
    """Publishes `parking/v1/lots/{lot}/alerts` (retained, QoS 1) when a lot's open alerts
    differ from what this worker last published; its first round publishes every lot once
    (what the broker retains may be older than this worker: alerts of a rule deleted while
    another worker led are in no table any more)."""

    def __init__(self) -> None:
        self._published: dict[str, bytes] = {}
        self._listing: set[str] = set()  # lots whose last published payload listed alerts
        self._started = False

    def run(self, ctx: OpsContext) -> None:
        documents = self.documents(ctx.conn, ctx.now, every=not self._started)
        changed = {
            lot: payload
            for lot, (payload, _) in documents.items()
            if self._published.get(lot) != payload
        }
        if changed:
            ctx.publish(
                [
                    Outbound(lot_alerts_topic(lot), payload, retain=True)
                    for lot, payload in changed.items()
                ]
            )
        self._published.update(changed)
        self._listing = {lot for lot, (_, listing) in documents.items() if listing}
        self._started = True

    def documents(
        self, conn: Connection, now: datetime, *, every: bool = False
    ) -> dict[str, tuple[bytes, bool]]:
        """(payload, lists alerts) per lot that has open alerts, had some resolve lately, or
        listed some when this worker last published it; per lot when `every`."""
        rows = conn.execute(
            """SELECT l.code, a.id, a.rule_id, r.kind, a.subject, a.fired_at, a.value
               FROM parking_lots l
               LEFT JOIN alerts a ON a.lot_id = l.id AND a.state = 'firing'
               LEFT JOIN alert_rules r ON r.id = a.rule_id
               WHERE %s OR l.code = ANY(%s) OR l.id IN (
                   SELECT lot_id FROM alerts WHERE state = 'firing' OR resolved_at >= %s)
               ORDER BY l.code, a.fired_at, a.id""",
            (every, sorted(self._listing), now - RECENT),
        ).fetchall()
        per_lot: dict[str, list[OpenAlert]] = {}
        for code, alert_id, rule_id, kind, subject, fired_at, value in rows:
            alerts = per_lot.setdefault(code, [])
            if alert_id is not None:
                alerts.append(
                    OpenAlert(
                        id=alert_id,
                        rule_id=rule_id,
                        kind=kind,
                        subject=subject,
                        fired_at=fired_at,
                        value=value,
                        message=describe(kind, subject, value),
                    )
                )
        return {
            lot: (to_payload(LotAlerts(lot_id=lot, alerts=alerts)), bool(alerts))
            for lot, alerts in per_lot.items()
        }


# Tasks ---------------------------------------------------------------------------------


def webhook_policy(settings: IngestSettings) -> WebhookPolicy:
    return WebhookPolicy(
        timeout_s=settings.webhook_timeout_s,
        max_failures=settings.webhook_max_failures,
        max_attempts=settings.webhook_max_attempts,
        backoff_base_s=settings.webhook_backoff_base_s,
        backoff_max_s=settings.webhook_backoff_max_s,
        allow_private_targets=settings.webhook_allow_private_targets,
    )


def alert_tasks(settings: IngestSettings, client: httpx.Client | None = None) -> list[Task]:
    """Evaluate, publish, deliver: in this order every round of the operations job."""
    policy = webhook_policy(settings)
    http = client or httpx.Client(follow_redirects=False)
    publisher = AlertsPublisher()
    return [
        Task("alerts.evaluate", timedelta(0), evaluate),
        Task("alerts.publish", timedelta(0), publisher.run),
        Task("alerts.webhooks", timedelta(0), lambda ctx: deliver(ctx, policy, http)),
    ]
