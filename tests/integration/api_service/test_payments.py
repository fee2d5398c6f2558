"""Drivers pay ended sessions (idempotent per key); providers' signed webhooks settle them."""

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingSession, Payment, PaymentEvent, Tariff
from schemas.db.tariffs import add_tariff_version
from schemas.enums import Role
from schemas.signing import HEADER, sign
from schemas.tariff import Tariff as TariffDefinition
from tests.integration.api_service.conftest import Users, lot_id, problem, slot_id

pytestmark = pytest.mark.integration

WEBHOOK_SECRET = "test-webhook-secret-not-for-production-0123"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lots" / "harbour-surface.json"
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
LOT = "harbour-surface"


def ended_session(
    session: Session,
    user_id: int | None,
    *,
    slot: str = "A01",
    fee: int | None = 250,
    currency: str = "EUR",
    ended: bool = True,
    lot: str = LOT,
) -> int:
    """A stay of `user_id` in `slot`, ended and priced at `fee` (None: no tariff)."""
    lot_pk = lot_id(session, lot)
    tariff = None
    if fee is not None:
        tariff = session.scalar(select(Tariff.id).where(Tariff.lot_id == lot_pk))
        if tariff is None:
            # A valid (free) tariff: readers of the lot parse it.
            free = {"currency": currency, "periods": []}
            row = Tariff(lot_id=lot_pk, version=1, definition=free, valid_from=T0)
            session.add(row)
            session.flush()
            tariff = row.id
    stay = ParkingSession(
        slot_id=slot_id(session, lot, slot),
        lot_id=lot_pk,
        user_id=user_id,
        opened_by="driver",
        started_at=T0,
        ended_at=T0 + timedelta(hours=1) if ended else None,
        fee_minor=fee if ended else None,
        fee_currency=currency if ended and fee is not None else None,
        tariff_id=tariff if ended else None,
    )
    session.add(stay)
    session.commit()
    return stay.id


def signed(body: dict[str, Any], at: datetime | None = None, secret: str = WEBHOOK_SECRET) -> Any:
    """Keyword arguments for a test client POST of `body`, signed as the manual provider."""
    data = json.dumps(body).encode()
    header = sign(secret.encode(), data, at or datetime.now(UTC))
    return {"data": data, "headers": {HEADER: header, "Content-Type": "application/json"}}


def event(ref: str, kind: str = "payment.succeeded", event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or f"evt-{uuid.uuid4().hex}", "type": kind, "payment_ref": ref}


@pytest.fixture
def pay_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(payment_webhook_secrets={"manual": WEBHOOK_SECRET})


@pytest.fixture
def pay_client(pay_app: Flask) -> FlaskClient:
    return pay_app.test_client()


def pay(client: FlaskClient, headers: dict[str, str], stay: int, key: str | None) -> Any:
    extra = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        f"/api/v1/sessions/{stay}/payments", headers=headers | extra, json={"provider": "manual"}
    )


def test_starting_a_payment_is_idempotent_per_key(
    pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    driver = users.headers(Role.DRIVER)
    stay = ended_session(lots, users.ids[Role.DRIVER])
    first = pay(pay_client, driver, stay, "key-1")
    assert first.status_code == 201, first.data
    body = first.get_json()
    assert (body["state"], body["amount_minor"], body["currency"]) == ("pending", 250, "EUR")
    assert (body["session_id"], body["lot_id"], body["provider"]) == (stay, LOT, "manual")
    assert body["next_action"]["kind"] == "pay_at_desk"
    assert body["provider_ref"] in body["next_action"]["instructions"]
    assert first.headers["Idempotent-Replayed"] == "false"
    again = pay(pay_client, driver, stay, "key-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == body
    other = ended_session(lots, users.ids[Role.DRIVER], slot="A02")
    reused = pay(pay_client, driver, other, "key-1")
    assert reused.status_code == 409
    assert problem(reused)["type"] == "/problems/idempotency-key-reused"
    second = pay(pay_client, driver, stay, "key-2")
    assert second.status_code == 409
    assert problem(second)["type"] == "/problems/payment-pending"
    listed = pay_client.get(f"/api/v1/sessions/{stay}/payments", headers=driver).get_json()
    assert [p["id"] for p in listed["items"]] == [body["id"]]
    assert lots.scalar(select(func.count()).select_from(Payment)) == 1


def test_what_cannot_be_paid_is_refused_precisely(
    pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    driver = users.headers(Role.DRIVER)
    me = users.ids[Role.DRIVER]
    stay = ended_session(lots, me)
    missing = pay(pay_client, driver, stay, None)
    assert problem(missing)["errors"] == [
        {
            "field": "Idempotency-Key",
            "message": "required: a new unique value per payment (e.g. a UUID), the same on "
            "retries",
        }
    ]
    assert problem(pay(pay_client, driver, stay, "has space"))["status"] == 400
    bad_provider = pay_client.post(
        f"/api/v1/sessions/{stay}/payments",
        headers=driver | {"Idempotency-Key": "k"},
        json={"provider": "cash-in-a-hat"},
    )
    assert problem(bad_provider)["errors"][0]["field"] == "provider"
    cases = {
        ended_session(lots, me, slot="A02", ended=False): (409, "session-open"),
        ended_session(lots, me, slot="A03", fee=None): (409, "no-fee"),
        ended_session(lots, me, slot="A04", fee=0): (409, "nothing-to-pay"),
        ended_session(lots, users.add_driver("other@example.com"), slot="A05"): (404, "not-found"),
        ended_session(lots, None, slot="A06"): (404, "not-found"),
    }
    for stay_id, (status, kind) in cases.items():
        refused = pay(pay_client, driver, stay_id, f"key-{stay_id}")
        assert (refused.status_code, problem(refused)["type"]) == (status, f"/problems/{kind}")
    assert lots.scalar(select(func.count()).select_from(Payment)) == 0
    assert pay_client.get("/api/v1/sessions/999999/payments", headers=driver).status_code == 404


def test_a_stay_detection_ended_is_priced_when_its_driver_pays(
    pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    example = TariffDefinition.model_validate(json.loads(EXAMPLE.read_text())["tariff"])
    since_2020 = datetime(2020, 1, 1, tzinfo=UTC)
    assert add_tariff_version(lots, lot_id(lots, LOT), example, valid_from=since_2020)
    lots.commit()
    stay = ended_session(lots, users.ids[Role.DRIVER], fee=None)  # not priced yet
    started = pay(pay_client, users.headers(Role.DRIVER), stay, "after-detection")
    assert started.status_code == 201, started.data
    # Tuesday 10:00-11:00 in Amsterdam: 15 free minutes, three started quarters at 50.
    assert (started.get_json()["amount_minor"], started.get_json()["currency"]) == (150, "EUR")
    lots.expire_all()
    row = lots.get_one(ParkingSession, stay)
    assert (row.fee_minor, row.fee_currency) == (150, "EUR")


def _started(client: FlaskClient, users: Users, lots: Session, slot: str = "A01") -> dict[str, Any]:
    stay = ended_session(lots, users.ids[Role.DRIVER], slot=slot)
    response = pay(client, users.headers(Role.DRIVER), stay, f"key-{stay}")
    assert response.status_code == 201, response.data
    body: dict[str, Any] = response.get_json()
    return body


WEBHOOK = "/api/v1/payments/webhooks/manual"


def test_webhook_settles_once_and_answers_replays_without_applying_them(
    pay_client: FlaskClient, lots: Session, users: Users, failed_statements: list[str]
) -> None:
    payment = _started(pay_client, users, lots)
    succeeded = event(payment["provider_ref"], event_id="till-1")
    applied = pay_client.post(WEBHOOK, **signed(succeeded))
    assert applied.status_code == 200, applied.data
    assert applied.get_json() == {
        "result": "applied",
        "payment_id": payment["id"],
        "state": "succeeded",
    }
    replay = pay_client.post(WEBHOOK, **signed(succeeded))
    assert replay.get_json()["result"] == "duplicate"
    same_state = pay_client.post(WEBHOOK, **signed(event(payment["provider_ref"])))
    assert same_state.get_json()["result"] == "unchanged"
    impossible = pay_client.post(
        WEBHOOK, **signed(event(payment["provider_ref"], "payment.failed"))
    )
    assert impossible.status_code == 409
    assert problem(impossible)["detail"] == (
        "cannot change a succeeded payment to failed: a succeeded payment can only be refunded"
    )
    refunded = pay_client.post(
        WEBHOOK, **signed(event(payment["provider_ref"], "payment.refunded"))
    )
    assert refunded.get_json()["state"] == "refunded"
    row = lots.get_one(Payment, payment["id"])
    lots.refresh(row)
    assert row.state == "refunded"
    assert row.succeeded_at is not None
    assert row.refunded_at is not None
    events = lots.scalars(select(PaymentEvent.type).order_by(PaymentEvent.id)).all()
    assert events == ["payment.succeeded", "payment.succeeded", "payment.refunded"]
    assert failed_statements == []  # a replay is recognised, not a refused insert


def test_a_paid_session_cannot_be_paid_again(
    pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    payment = _started(pay_client, users, lots)
    pay_client.post(WEBHOOK, **signed(event(payment["provider_ref"])))
    again = pay(pay_client, users.headers(Role.DRIVER), payment["session_id"], "another-key")
    assert again.status_code == 409
    assert problem(again)["type"] == "/problems/session-paid"


@pytest.mark.parametrize(
    ("mangle", "status", "kind"),
    [
        (lambda kw: kw["headers"].pop(HEADER), 401, "invalid-signature"),
        (lambda kw: kw.update(data=kw["data"] + b" "), 401, "invalid-signature"),
        (lambda kw: kw["headers"].update({HEADER: "nonsense"}), 401, "invalid-signature"),
        (lambda kw: kw["headers"].update({HEADER: "t=1" + "0" * 19 + ",v1=00"}), 401,
         "invalid-signature"),
        (lambda kw: kw["headers"].update({HEADER: kw["headers"][HEADER] + ",v1=\u00e9"}), 401,
         "invalid-signature"),
    ],
)  # fmt: skip
def test_webhook_signature_problems(
    pay_client: FlaskClient,
    lots: Session,
    users: Users,
    mangle: Callable[[dict[str, Any]], object],
    status: int,
    kind: str,
) -> None:
    payment = _started(pay_client, users, lots)
    request = signed(event(payment["provider_ref"]))
    mangle(request)
    refused = pay_client.post(WEBHOOK, **request)
    assert (refused.status_code, problem(refused)["type"]) == (status, f"/problems/{kind}")
    assert lots.scalar(select(func.count()).select_from(PaymentEvent)) == 0


def test_webhook_refusals(
    pay_client: FlaskClient, client: FlaskClient, lots: Session, users: Users
) -> None:
    payment = _started(pay_client, users, lots)
    ref = payment["provider_ref"]
    old = signed(event(ref), at=datetime.now(UTC) - timedelta(minutes=10))
    assert "window" in problem(pay_client.post(WEBHOOK, **old))["detail"]
    other_secret = signed(event(ref), secret="another-secret-another-secret-0123")
    assert pay_client.post(WEBHOOK, **other_secret).status_code == 401
    unknown = pay_client.post("/api/v1/payments/webhooks/stripe", **signed(event(ref)))
    assert unknown.status_code == 404
    # An app without a secret for `manual` takes none of its webhooks.
    assert client.post(WEBHOOK, **signed(event(ref))).status_code == 404
    bad_body = pay_client.post(WEBHOOK, **signed({"event_id": "x", "type": "payment.lost"}))
    assert bad_body.status_code == 422
    assert "payment_ref" in problem(bad_body)["detail"]
    no_such = pay_client.post(WEBHOOK, **signed(event("manual-0000000000000000")))
    assert (no_such.status_code, problem(no_such)["type"]) == (422, "/problems/unknown-payment")
    assert lots.scalar(select(func.count()).select_from(PaymentEvent)) == 0
    assert lots.get_one(Payment, payment["id"]).state == "pending"


def test_concurrent_deliveries_of_one_event_apply_it_once(
    pay_app: Flask, pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    payment = _started(pay_client, users, lots)
    request = signed(event(payment["provider_ref"], event_id="till-7-000123"))

    def deliver(_: int) -> str:
        with pay_app.test_client() as client:
            result: str = client.post(WEBHOOK, **request).get_json()["result"]
            return result

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = sorted(pool.map(deliver, range(4)))
    assert results == ["applied", "duplicate", "duplicate", "duplicate"]
    assert lots.scalar(select(func.count()).select_from(PaymentEvent)) == 1


def test_a_stay_priced_at_exit_is_paid_and_settled(
    make_app: Callable[..., Flask], lots: Session, users: Users
) -> None:
    app = make_app(payment_webhook_secrets={"manual": WEBHOOK_SECRET})
    now = [datetime(2026, 12, 7, 9, 0, tzinfo=UTC)]  # a Monday, 10:00 in Amsterdam
    app.extensions[CLOCK_KEY] = lambda: now[0]
    client, driver = app.test_client(), users.headers(Role.DRIVER)
    parked = client.post("/api/v1/sessions", headers=driver, json={"lot_id": LOT, "slot_id": "A10"})
    assert parked.status_code == 201, parked.data
    now[0] += timedelta(hours=1)
    ended = client.post(f"/api/v1/sessions/{parked.get_json()['id']}/end", headers=driver)
    assert ended.status_code == 200, ended.data
    fee = ended.get_json()["fee"]
    started = pay(client, driver, parked.get_json()["id"], "exit-1")
    assert started.status_code == 201, started.data
    payment = started.get_json()
    # 15 free minutes, then three started quarters at 50 cents (examples/lots).
    assert (payment["amount_minor"], payment["currency"]) == (150, "EUR")
    assert (fee["amount_minor"], fee["currency"]) == (150, "EUR")
    settled = client.post(WEBHOOK, **signed(event(payment["provider_ref"]), at=now[0]))
    assert settled.get_json()["result"] == "applied"
    listed = client.get(f"/api/v1/sessions/{payment['session_id']}/payments", headers=driver)
    (paid,) = listed.get_json()["items"]
    assert (paid["state"], paid["next_action"]) == ("succeeded", None)
    assert paid["succeeded_at"] == "2026-12-07T10:00:00.000Z"


def test_concurrent_starts_under_one_key_make_one_payment(
    pay_app: Flask, lots: Session, users: Users
) -> None:
    stay = ended_session(lots, users.ids[Role.DRIVER])
    driver = users.headers(Role.DRIVER)

    def start(_: int) -> tuple[int, int]:
        with pay_app.test_client() as client:
            response = pay(client, driver, stay, "double-click")
            return response.status_code, response.get_json()["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(start, range(4)))
    assert {status for status, _ in answers} == {201}
    assert len({payment for _, payment in answers}) == 1
    assert lots.scalar(select(func.count()).select_from(Payment)) == 1


def test_webhooks_have_the_public_rate_limit_and_a_size_limit(
    make_app: Callable[..., Flask], lots: Session, users: Users
) -> None:
    app = make_app(payment_webhook_secrets={"manual": WEBHOOK_SECRET}, rate_limit_public="3/minute")
    client = app.test_client()
    big = signed({"event_id": "x" * 9000, "type": "payment.failed", "payment_ref": "r"})
    assert problem(client.post(WEBHOOK, **big))["status"] == 413
    statuses = [client.post(WEBHOOK, **signed(event("manual-none"))).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_a_driver_sees_only_the_payments_of_their_own_sessions(
    pay_client: FlaskClient, lots: Session, users: Users
) -> None:
    payment = _started(pay_client, users, lots)
    other = users.driver_headers(users.add_driver("someone@example.com"))
    url = f"/api/v1/sessions/{payment['session_id']}/payments"
    assert problem(pay_client.get(url, headers=other))["status"] == 404
    assert pay_client.get(url, headers=users.headers(Role.DRIVER)).status_code == 200
