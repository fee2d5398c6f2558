"""Payments without a database: the manual provider, the CSV export, the webhook secrets."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from api_service.payments.csv_export import HEADER, cell, lines
from api_service.payments.manual import ManualProvider
from api_service.payments.provider import EventError, StartRequest
from api_service.payments.registry import provider
from api_service.settings import ApiSettings
from infra.local import credentials
from schemas.payments import Money, PaymentState

GOOD = "s" * 40


def test_manual_payments_get_unguessable_references_and_desk_instructions() -> None:
    manual = ManualProvider()
    request = StartRequest("key-1", 7, "harbour-surface", Money(250, "EUR"))
    first, second = manual.start(request), manual.start(request)
    assert first.provider_ref != second.provider_ref
    assert first.provider_ref.startswith("manual-")
    assert first.next_action.kind == "pay_at_desk"
    assert first.next_action.instructions == (
        f"Pay 250 EUR (minor units) at the pay desk of harbour-surface, quoting"
        f" {first.provider_ref}."
    )
    assert provider("manual") is not None
    assert provider("stripe") is None


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("payment.succeeded", PaymentState.SUCCEEDED),
        ("payment.failed", PaymentState.FAILED),
        ("payment.refunded", PaymentState.REFUNDED),
    ],
)
def test_manual_webhook_events(kind: str, state: PaymentState) -> None:
    body = {"event_id": "till-7-1", "type": kind, "payment_ref": "manual-ab12"}
    event = ManualProvider().parse_event(json.dumps(body).encode())
    assert (event.event_id, event.provider_ref, event.type, event.state) == (
        "till-7-1",
        "manual-ab12",
        kind,
        state,
    )
    assert event.payload == body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "body: Invalid JSON"),
        (b'{"event_id": "e", "type": "payment.lost", "payment_ref": "r"}', "type:"),
        (b'{"event_id": "e", "type": "payment.failed"}', "payment_ref: Field required"),
        (b'{"event_id": "", "type": "payment.failed", "payment_ref": "r"}', "event_id:"),
        (b'{"event_id": "a b", "type": "payment.failed", "payment_ref": "r"}', "event_id:"),
        (
            b'{"event_id": "e", "type": "payment.failed", "payment_ref": "r", "amount": 1}',
            "amount: Extra inputs are not permitted",
        ),
    ],
)
def test_manual_webhook_bodies_that_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(EventError, match=message):
        ManualProvider().parse_event(body)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("manual-ab12", "manual-ab12"),
        ("a=b", "a=b"),
        (250, 250),
        (None, ""),
        (datetime(2026, 12, 2, 10, 0, tzinfo=UTC), "2026-12-02T10:00:00.000Z"),
    ],
)
def test_csv_cells_defuse_formulas(value: object, written: object) -> None:
    assert cell(value) == written


def test_csv_lines_are_a_header_then_rows_readable_back() -> None:
    rows = [(1, "=evil", None), (2, "ok, with comma", 5)]
    text = "".join(lines(rows))
    assert text.startswith(",".join(HEADER) + "\r\n")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1:] == [["1", "'=evil", ""], ["2", "ok, with comma", "5"]]


def test_webhook_secrets_come_from_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    secret = "w" * 40
    monkeypatch.setenv("API_PAYMENT_WEBHOOK_SECRETS", json.dumps({"manual": secret}))
    settings = ApiSettings()
    assert settings.payment_webhook_secrets["manual"].get_secret_value() == secret
    assert secret not in repr(settings)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"manual": "too-short-but-secret"}', "at least 32 characters"),
        ('{"stripe": "' + "x" * 40 + '"}', "unknown providers ['stripe']; known: manual"),
        ('["manual"]', "payment_webhook_secrets"),
        ('{"manual": "too-short-but-secret', "not valid JSON: Unterminated string"),
    ],
)
def test_bad_webhook_secrets_are_refused_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    monkeypatch.setenv("API_PAYMENT_WEBHOOK_SECRETS", value)
    with pytest.raises(ValidationError) as refused:
        ApiSettings()
    assert message in str(refused.value)
    assert "too-short-but-secret" not in str(refused.value)
    assert "x" * 40 not in str(refused.value)


def test_the_demo_api_gets_a_generated_manual_webhook_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = credentials.load_or_create(tmp_path / "credentials.json")
    for name, value in credentials.api_secrets(found).items():
        monkeypatch.setenv(name, value)
    secret = ApiSettings().payment_webhook_secrets["manual"].get_secret_value()
    assert secret == found["payment_webhook_manual"]
    assert len(secret) >= 32
    other = credentials.load_or_create(tmp_path / "other.json")
    assert other["payment_webhook_manual"] != secret  # generated, never a fixed default
