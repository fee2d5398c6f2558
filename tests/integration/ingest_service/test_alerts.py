"""Alerts end to end in the operations job: rules evaluated against the stored facts with an
injected clock, the lot's retained alerts topic on a real Mosquitto, and signed webhooks
received by a real HTTP server on loopback."""

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, text

from ingest_service.alerts import alert_tasks, webhook_policy
from ingest_service.operations import OperationsJob, OpsContext
from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound
from ingest_service.webhooks import BATCH, deliver
from schemas.messages import LotAlerts
from schemas.signing import HEADER, verify
from schemas.topics import lot_alerts_topic
from tests.integration.ingest_service.support import mqtt_publish, retained_payload, rows
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0)
SECRET = "test-webhook-secret-not-for-production"


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that records each POST and answers `statuses` in turn."""

    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@contextmanager
def receiver(statuses: Sequence[int] = (200,)) -> Iterator[Receiver]:
    state = Receiver(list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            self.send_response(state.answer())
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/parking"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def at(self, seconds: float) -> datetime:
        self.now = T0 + timedelta(seconds=seconds)
        return self.now


def retained_alerts(broker: MosquittoServer, lot: str) -> LotAlerts:
    """The retained alerts of `lot` as a new subscriber sees them."""
    return LotAlerts.model_validate_json(retained_payload(broker, lot_alerts_topic(lot)))


@contextmanager
def operations(
    settings: IngestSettings, publish: Callable[[Sequence[Outbound]], None], clock: Clock
) -> Iterator[OperationsJob]:
    job = OperationsJob(
        settings.libpq_url,
        alert_tasks(settings),
        publish,
        interval_s=60,
        registry=CollectorRegistry(),
        clock=lambda: clock.now,
    )
    try:
        yield job
    finally:
        job.stop()


def write(engine: Engine, sql: str, **params: Any) -> Any:
    """Run one statement in its own committed transaction; its first column's value."""
    with engine.begin() as conn:
        return conn.scalar(text(sql), params)


def add_rule(engine: Engine, lot: str, kind: str, params: dict[str, Any], hold_s: int) -> int:
    rule_id: int = write(
        engine,
        "INSERT INTO alert_rules (operator_id, lot_id, name, kind, params, hold_s)"
        " SELECT operator_id, id, :name, :kind, CAST(:params AS jsonb), :hold"
        " FROM parking_lots WHERE code = :lot RETURNING id",
        name=f"{kind} on {lot}",
        kind=kind,
        params=json.dumps(params),
        hold=hold_s,
        lot=lot,
    )
    return rule_id


def add_webhook(engine: Engine, lot: str, url: str) -> int:
    webhook_id: int = write(
        engine,
        "INSERT INTO webhooks (operator_id, url, secret)"
        " SELECT operator_id, :url, :secret FROM parking_lots WHERE code = :lot RETURNING id",
        url=url,
        secret=SECRET,
        lot=lot,
    )
    return webhook_id


def set_free(engine: Engine, lot: str, free: int) -> None:
    """The lot's stored effective status: the first `free` slots free, the rest occupied."""
    write(
        engine,
        """WITH ranked AS (
               SELECT s.id, row_number() OVER (ORDER BY s.code) AS n FROM slots s
               JOIN parking_lots l ON l.id = s.lot_id WHERE l.code = :lot)
           UPDATE slots SET status = CASE WHEN ranked.n <= :free THEN 'free' ELSE 'occupied' END
           FROM ranked WHERE slots.id = ranked.id RETURNING 1""",
        lot=lot,
        free=free,
    )


def alerts(engine: Engine, rule_id: int) -> list[tuple[Any, ...]]:
    return rows(
        engine,
        "SELECT subject, state, fired_at, resolved_at FROM alerts WHERE rule_id = :r ORDER BY id",
        r=rule_id,
    )


def webhook_settings(make_settings: Callable[..., IngestSettings]) -> IngestSettings:
    return make_settings(
        webhook_backoff_base_s=10,
        webhook_backoff_max_s=60,
        webhook_max_failures=3,
        webhook_allow_private_targets=True,  # the receiver runs on 127.0.0.1
    )


def test_a_full_lot_fires_once_after_the_hold_and_resolves_once(
    engine: Engine,
    harbour: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    rule = add_rule(engine, harbour, "lot_full", {}, hold_s=60)
    clock = Clock()
    with (
        receiver() as hook,
        mqtt_publish(mosquitto) as publish,
        operations(webhook_settings(make_settings), publish, clock) as job,
    ):
        add_webhook(engine, harbour, hook.url)
        set_free(engine, harbour, 3)
        job.run_once()
        set_free(engine, harbour, 0)
        for second in (10, 40, 69):  # full since 10 s: not yet held for 60 s
            clock.at(second)
            job.run_once()
        assert alerts(engine, rule) == []
        assert hook.received == []

        clock.at(70)
        job.run_once()
        clock.at(85)
        job.run_once()  # still full: nothing new
        assert alerts(engine, rule) == [(harbour, "firing", T0 + timedelta(seconds=70), None)]
        fired = retained_alerts(mosquitto, harbour)
        assert [(a.kind, a.subject, a.value) for a in fired.alerts] == [("lot_full", harbour, 0)]
        assert len(hook.received) == 1
        headers, body = hook.received[0]
        verify(SECRET.encode(), body, headers[HEADER], now=clock.now)
        document = json.loads(body)
        assert (document["event"], document["alert"]["kind"]) == ("fired", "lot_full")
        assert document["alert"]["lot_id"] == harbour

        set_free(engine, harbour, 1)
        for second in (100, 130, 159):  # free again since 100 s
            clock.at(second)
            job.run_once()
        assert alerts(engine, rule)[0][1] == "firing"
        clock.at(160)
        job.run_once()
        clock.at(200)
        job.run_once()

    resolved_at = T0 + timedelta(seconds=160)
    assert alerts(engine, rule) == [(harbour, "resolved", T0 + timedelta(seconds=70), resolved_at)]
    assert retained_alerts(mosquitto, harbour).alerts == []
    events = [json.loads(body)["event"] for _headers, body in hook.received]
    assert events == ["fired", "resolved"]
    assert rows(engine, "SELECT state, attempts FROM webhook_deliveries ORDER BY id") == [
        ("delivered", 1),
        ("delivered", 1),
    ]


def test_a_webhook_to_an_internal_address_is_refused_at_delivery(
    engine: Engine,
    harbour: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    add_rule(engine, harbour, "lot_full", {}, hold_s=0)
    clock = Clock()
    settings = make_settings(webhook_backoff_base_s=10)  # private targets refused by default
    with (
        receiver() as hook,
        mqtt_publish(mosquitto) as publish,
        operations(settings, publish, clock) as job,
    ):
        add_webhook(engine, harbour, hook.url)
        set_free(engine, harbour, 0)
        job.run_once()

    assert hook.received == []
    due = "SELECT attempts, state, last_status, last_error FROM webhook_deliveries"
    [(attempts, state, status, error)] = rows(engine, due)
    assert (attempts, state, status) == (1, "pending", None)
    assert error == "refused: 127.0.0.1 resolves to a non-public address (127.0.0.1)"


def test_a_failing_receiver_gets_retries_with_backoff_then_is_disabled(
    engine: Engine,
    harbour: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    add_rule(engine, harbour, "lot_full", {}, hold_s=0)
    clock = Clock()
    with (
        receiver([500]) as hook,
        mqtt_publish(mosquitto) as publish,
        operations(webhook_settings(make_settings), publish, clock) as job,
    ):
        webhook = add_webhook(engine, harbour, hook.url)
        set_free(engine, harbour, 0)
        job.run_once()  # fires, first attempt fails: next in 10 s
        due = "SELECT attempts, next_attempt_at, state, last_status FROM webhook_deliveries"
        assert rows(engine, due) == [(1, T0 + timedelta(seconds=10), "pending", 500)]
        clock.at(9)
        job.run_once()
        assert len(hook.received) == 1  # not due yet
        clock.at(10)
        job.run_once()  # second attempt fails: next in 20 s
        assert rows(engine, due) == [(2, T0 + timedelta(seconds=30), "pending", 500)]
        clock.at(30)
        job.run_once()  # third consecutive failure: the webhook is disabled
        clock.at(500)
        job.run_once()

    assert len(hook.received) == 3
    assert rows(engine, due) == [(3, None, "failed", 500)]
    state = rows(
        engine,
        "SELECT enabled, consecutive_failures, disabled_at, disabled_reason FROM webhooks"
        " WHERE id = :id",
        id=webhook,
    )
    assert state[0][:3] == (False, 3, T0 + timedelta(seconds=30))
    assert "3 consecutive failures" in state[0][3]


def test_a_stale_node_fires_node_offline_and_resolves_when_back(
    engine: Engine,
    harbour: str,
    node_id: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    rule = add_rule(engine, harbour, "node_offline", {"after_s": 60}, hold_s=0)
    clock = Clock()
    with (
        mqtt_publish(mosquitto) as publish,
        operations(make_settings(), publish, clock) as job,
    ):
        write(
            engine,
            "UPDATE nodes SET state = 'online', last_seen = :at WHERE id = :id RETURNING 1",
            at=T0,
            id=node_id,
        )
        job.run_once()
        # The sweep marks a silent node stale; it has said nothing since T0 - 10 s.
        write(
            engine,
            "UPDATE nodes SET state = 'stale', last_seen = :at WHERE id = :id RETURNING 1",
            at=T0 - timedelta(seconds=10),
            id=node_id,
        )
        clock.at(45)
        job.run_once()
        assert alerts(engine, rule) == []
        clock.at(50)
        job.run_once()
        assert alerts(engine, rule) == [(node_id, "firing", clock.now, None)]
        assert [a.subject for a in retained_alerts(mosquitto, harbour).alerts] == [node_id]
        write(
            engine,
            "UPDATE nodes SET state = 'online', last_seen = :at WHERE id = :id RETURNING 1",
            at=clock.at(55),
            id=node_id,
        )
        job.run_once()
    assert alerts(engine, rule) == [
        (node_id, "resolved", T0 + timedelta(seconds=50), T0 + timedelta(seconds=55))
    ]


def test_two_jobs_only_the_leader_evaluates(
    engine: Engine,
    harbour: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    rule = add_rule(engine, harbour, "lot_full", {}, hold_s=0)
    clock = Clock()
    with (
        receiver() as hook,
        mqtt_publish(mosquitto) as publish,
        operations(
            make_settings("w1", webhook_allow_private_targets=True), publish, clock
        ) as first,
        operations(
            make_settings("w2", webhook_allow_private_targets=True), publish, clock
        ) as second,
    ):
        add_webhook(engine, harbour, hook.url)
        set_free(engine, harbour, 0)
        assert first.run_once() is True
        assert second.run_once() is False
        clock.at(15)
        assert second.run_once() is False
        assert first.run_once() is True
    assert [state for _subject, state, *_ in alerts(engine, rule)] == ["firing"]
    assert len(hook.received) == 1


def test_a_dead_letter_burst_fires_the_rate_and_a_disabled_rule_resolves_at_once(
    engine: Engine,
    harbour: str,
    node_id: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    rule = add_rule(engine, harbour, "dead_letter_rate", {"per_min": 5}, hold_s=30)
    clock = Clock()
    with mqtt_publish(mosquitto) as publish, operations(make_settings(), publish, clock) as job:
        job.run_once()  # the first counter reading: no rate yet
        write(
            engine,
            "INSERT INTO dead_letters (topic, payload, reason, node_id, occurrences)"
            " VALUES (:topic, '{', 'malformed_json', :node, 20) RETURNING id",
            topic=f"parking/v1/nodes/{node_id}/occupancy",
            node=node_id,
        )
        clock.at(60)
        job.run_once()  # 20 a minute: over 5, waiting out the hold
        clock.at(90)
        write(
            engine,
            "UPDATE dead_letters SET occurrences = occurrences + 10 RETURNING id",
        )
        job.run_once()  # 20 a minute again, held 30 s: fires
        assert alerts(engine, rule) == [(harbour, "firing", clock.now, None)]
        value = rows(engine, "SELECT value FROM alerts WHERE rule_id = :r", r=rule)
        assert value == [(20.0,)]

        write(engine, "UPDATE alert_rules SET enabled = false WHERE id = :r RETURNING id", r=rule)
        clock.at(95)
        job.run_once()
    assert alerts(engine, rule) == [
        (harbour, "resolved", T0 + timedelta(seconds=90), T0 + timedelta(seconds=95))
    ]


def test_a_new_leader_clears_the_alerts_of_a_deleted_rule(
    engine: Engine,
    harbour: str,
    mosquitto: MosquittoServer,
    make_settings: Callable[..., IngestSettings],
) -> None:
    rule = add_rule(engine, harbour, "lot_full", {}, hold_s=0)
    clock = Clock()
    set_free(engine, harbour, 0)
    with mqtt_publish(mosquitto) as publish:
        with operations(make_settings(), publish, clock) as first:
            first.run_once()
        assert [a.rule_id for a in retained_alerts(mosquitto, harbour).alerts] == [rule]
        # Deleted (its alerts with it) while no worker leads; the next leader never saw it.
        write(engine, "DELETE FROM alert_rules WHERE id = :id RETURNING 1", id=rule)
        with operations(make_settings(), publish, clock) as second:
            clock.at(3600 * 2)
            second.run_once()
    assert retained_alerts(mosquitto, harbour).alerts == []


def test_a_webhook_with_a_backlog_does_not_starve_the_others(
    engine: Engine, harbour: str, make_settings: Callable[..., IngestSettings]
) -> None:
    """A failing endpoint's deliveries, older and more than a round takes, leave room for
    another webhook's."""
    rule = add_rule(engine, harbour, "lot_full", {}, hold_s=0)
    alert = write(
        engine,
        "INSERT INTO alerts (rule_id, lot_id, subject, state, fired_at, value, details)"
        " SELECT :rule, id, code, 'firing', :at, 0, '{}' FROM parking_lots WHERE code = :lot"
        " RETURNING id",
        rule=rule,
        at=T0,
        lot=harbour,
    )
    backlog = BATCH + 20
    with receiver([500]) as dead, receiver() as live:
        for url, count, due in ((dead.url, backlog, T0 - timedelta(hours=1)), (live.url, 1, T0)):
            write(
                engine,
                "INSERT INTO webhook_deliveries (webhook_id, alert_id, event, next_attempt_at)"
                " SELECT :hook, :alert, 'fired', :due FROM generate_series(1, :n) RETURNING 1",
                hook=add_webhook(engine, harbour, url),
                alert=alert,
                due=due,
                n=count,
            )
        settings = webhook_settings(make_settings)
        with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
            deliver(
                OpsContext(conn, T0, lambda _messages: None),
                webhook_policy(settings),
                httpx.Client(follow_redirects=False),
            )
    assert (len(dead.received), len(live.received)) == (1, 1)
