"""Staff and payments: confirm at the pay desk, list and export (tenant-scoped), revenue."""

import csv
import io
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.db import AuditEntry, Payment
from schemas.payments import PaymentState
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import lot_id, problem
from tests.integration.api_service.test_payments import ended_session

pytestmark = pytest.mark.integration

LOT = "harbour-surface"


def add_payment(
    session: Session,
    user_id: int,
    *,
    lot: str = LOT,
    slot: str = "A01",
    state: PaymentState = PaymentState.PENDING,
    amount: int = 250,
    currency: str = "EUR",
    created: datetime | None = None,
    succeeded: datetime | None = None,
    refunded: datetime | None = None,
    provider: str = "manual",
    ref: str | None = None,
) -> int:
    """A payment row as the service would leave it (dates set directly)."""
    stay = ended_session(session, user_id, slot=slot, lot=lot, fee=amount, currency=currency)
    payment = Payment(
        session_id=stay,
        user_id=user_id,
        lot_id=lot_id(session, lot),
        provider=provider,
        provider_ref=ref or f"{provider}-{stay}",
        idempotency_key=f"key-{stay}",
        amount_minor=amount,
        currency=currency,
        state=state,
        next_action={"kind": "pay_at_desk", "instructions": "pay"},
        succeeded_at=succeeded,
        refunded_at=refunded,
    )
    if created is not None:
        payment.created_at = created
    session.add(payment)
    session.commit()
    return payment.id


def harbour_payment(session: Session, staff: Staff) -> int:
    """A pending pay-desk payment at harbour-surface (for the role x route x tenant matrix)."""
    return add_payment(session, staff.ids["driver"], slot="A07")


def _confirm(client: FlaskClient, staff: Staff, who: str, payment: int) -> object:
    return client.post(f"/api/v1/admin/payments/{payment}/confirm", headers=staff.headers(who))


def test_staff_confirm_pay_desk_payments_of_their_own_lots(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    payment = add_payment(lots, staff.ids["driver"])
    refused = admin_client.post(
        f"/api/v1/admin/payments/{payment}/confirm", headers=staff.headers("city")
    )
    assert refused.status_code == 403
    confirmed = admin_client.post(
        f"/api/v1/admin/payments/{payment}/confirm", headers=staff.headers("harbour")
    )
    assert confirmed.status_code == 200, confirmed.data
    assert confirmed.get_json()["state"] == "succeeded"
    assert confirmed.get_json()["user_id"] == staff.ids["driver"]
    again = admin_client.post(
        f"/api/v1/admin/payments/{payment}/confirm", headers=staff.headers("admin")
    )
    assert again.get_json()["state"] == "succeeded"
    entries = lots.scalars(select(AuditEntry).where(AuditEntry.entity_type == "payment")).all()
    assert [(e.action, e.entity_id, e.before, e.after) for e in entries] == [
        ("payment.confirm", str(payment), {"state": "pending"}, {"state": "succeeded"})
    ]
    failed = add_payment(lots, staff.ids["driver"], slot="A02", state=PaymentState.FAILED)
    final = admin_client.post(
        f"/api/v1/admin/payments/{failed}/confirm", headers=staff.headers("harbour")
    )
    assert final.status_code == 409
    assert problem(final)["detail"].endswith("a failed payment is final")
    other = add_payment(lots, staff.ids["driver"], slot="A03", provider="card")
    not_manual = admin_client.post(
        f"/api/v1/admin/payments/{other}/confirm", headers=staff.headers("admin")
    )
    assert problem(not_manual)["type"] == "/problems/not-a-manual-payment"
    missing = admin_client.post(
        "/api/v1/admin/payments/999999/confirm", headers=staff.headers("admin")
    )
    assert missing.status_code == 404


def test_listing_filters_pages_and_keeps_to_the_tenant(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    driver = staff.ids["driver"]
    jan = datetime(2026, 1, 10, tzinfo=UTC)
    feb = datetime(2026, 2, 10, tzinfo=UTC)
    ids = [
        add_payment(lots, driver, slot="A01", created=jan),
        add_payment(
            lots, driver, slot="A02", created=feb, state=PaymentState.SUCCEEDED, succeeded=feb
        ),
        add_payment(lots, driver, slot="A03", created=feb),
        add_payment(lots, driver, lot="downtown", slot="B1-A-001", created=feb),
    ]
    harbour = ids[:3]

    def listed(who: str, query: str = "") -> list[int]:
        response = admin_client.get(f"/api/v1/admin/payments?{query}", headers=staff.headers(who))
        assert response.status_code == 200, response.data
        return [item["id"] for item in response.get_json()["items"]]

    assert listed("admin") == ids[::-1]
    assert listed("harbour") == harbour[::-1]
    assert listed("city") == [ids[3]]
    assert listed("harbour", f"lot_id={LOT}&state=succeeded") == [ids[1]]
    assert listed("harbour", "from=2026-02-01T00:00:00Z") == [ids[2], ids[1]]
    assert listed("harbour", "to=2026-02-01T00:00:00Z") == [ids[0]]
    page = admin_client.get("/api/v1/admin/payments?limit=2", headers=staff.headers("harbour"))
    first = page.get_json()
    assert [i["id"] for i in first["items"]] == [ids[2], ids[1]]
    rest = listed("harbour", f"limit=2&cursor={first['next_cursor']}")
    assert rest == [ids[0]]
    refused = admin_client.get(
        f"/api/v1/admin/payments?lot_id={LOT}", headers=staff.headers("city")
    )
    assert refused.status_code == 403
    window = admin_client.get(
        "/api/v1/admin/payments?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        headers=staff.headers("admin"),
    )
    assert problem(window)["errors"][0]["field"] == "to"


def test_csv_export_streams_the_selection_with_formulas_defused(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    driver = staff.ids["driver"]
    plain = add_payment(lots, driver, slot="A01", provider="manual")
    nasty = add_payment(lots, driver, slot="A02", provider="card", ref='=HYPERLINK("http://x")')
    add_payment(lots, driver, lot="downtown", slot="B1-A-001")
    response = admin_client.get(
        "/api/v1/admin/payments/export.csv", headers=staff.headers("harbour")
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(row["id"]) for row in rows] == [nasty, plain]
    assert rows[0]["provider_ref"] == '\'=HYPERLINK("http://x")'
    assert (rows[1]["lot_id"], rows[1]["amount_minor"], rows[1]["currency"]) == (LOT, "250", "EUR")
    assert rows[1]["state"] == "pending"
    only_downtown = admin_client.get(
        "/api/v1/admin/payments/export.csv?lot_id=downtown", headers=staff.headers("harbour")
    )
    assert only_downtown.status_code == 403


def test_revenue_per_local_day_and_currency(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    driver = staff.ids["driver"]
    # harbour-surface keeps Europe/Amsterdam time: 23:30 UTC on 1 Dec is already 2 Dec there.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    later = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    succeeded = PaymentState.SUCCEEDED
    add_payment(lots, driver, slot="A01", state=succeeded, amount=300, succeeded=noon)
    add_payment(lots, driver, slot="A02", state=succeeded, amount=200, succeeded=late)
    add_payment(
        lots, driver, slot="A03", state=succeeded, amount=900, currency="GBP", succeeded=late
    )
    add_payment(
        lots, driver, slot="A04", state=PaymentState.REFUNDED, amount=150,
        succeeded=noon, refunded=later,
    )  # fmt: skip
    add_payment(lots, driver, slot="A05", state=PaymentState.FAILED, amount=999)
    add_payment(lots, driver, slot="A06", amount=999)  # pending: no money yet
    url = (
        f"/api/v1/admin/stats/revenue?lot_id={LOT}"
        "&from=2026-11-30T23:00:00Z&to=2026-12-05T23:00:00Z"
    )
    response = admin_client.get(url, headers=staff.headers("harbour"))
    assert response.status_code == 200, response.data
    stats = response.get_json()
    assert (stats["timezone"], stats["from"]) == ("Europe/Amsterdam", "2026-11-30T23:00:00.000Z")
    days = [(d["day"], d["currency"], d["succeeded_minor"], d["refunded_minor"], d["net_minor"])
            for d in stats["days"]]  # fmt: skip
    assert days == [
        ("2026-12-01", "EUR", 450, 0, 450),
        ("2026-12-02", "EUR", 200, 0, 200),
        ("2026-12-02", "GBP", 900, 0, 900),
        ("2026-12-03", "EUR", 0, 150, -150),
    ]
    assert admin_client.get(url, headers=staff.headers("city")).status_code == 403
