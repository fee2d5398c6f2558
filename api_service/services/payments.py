"""The payment log: drivers pay ended sessions, providers' events and staff settle payments.

Starting a payment is idempotent per (user, `Idempotency-Key`): the same key for the same
session and provider returns the payment already made, another request under that key is
refused. A session has at most one pending or succeeded payment (a partial unique index
backs the check). Every state change goes through `schemas.payments.transition` on the
payment row locked FOR UPDATE, in one transaction with the provider event that caused it;
an event id already stored is answered without being applied again.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.db import driver_connection
from api_service.payments.manual import NAME as MANUAL
from api_service.payments.provider import Provider, ProviderEvent, StartRequest
from api_service.services import pagination
from api_service.services.errors import ConflictError, NotFoundError
from api_service.services.reservations import lock_user
from schemas.db import ParkingLot, ParkingSession, Payment, PaymentEvent
from schemas.db.session_fees import price_sessions
from schemas.payments import Money, PaymentState, TransitionRefusedError, transition

Outcome = Literal["applied", "unchanged", "duplicate"]
EXPORT_BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class PaymentRead:
    id: int
    session_id: int
    user_id: int
    lot_code: str
    provider: str
    provider_ref: str | None
    amount_minor: int
    currency: str
    state: PaymentState
    created_at: datetime
    updated_at: datetime
    succeeded_at: datetime | None
    refunded_at: datetime | None
    next_action: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Selection:
    """Which payments staff look at: a lot (None: all the caller's), a window, a state."""

    lot_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    state: PaymentState | None = None


def _read(row: Payment, lot_code: str) -> PaymentRead:
    pending = row.state is PaymentState.PENDING
    return PaymentRead(
        row.id, row.session_id, row.user_id, lot_code, row.provider, row.provider_ref,
        row.amount_minor, row.currency, row.state, row.created_at, row.updated_at,
        row.succeeded_at, row.refunded_at, row.next_action if pending else None,
    )  # fmt: skip


def _with_lot() -> Select[Payment, str]:
    return select(Payment, ParkingLot.code).join(ParkingLot, ParkingLot.id == Payment.lot_id)


def _refresh(session: Session, payment: Payment) -> PaymentRead:
    session.flush()
    session.refresh(payment)  # server-side created_at / updated_at
    lot_code = session.scalar(select(ParkingLot.code).where(ParkingLot.id == payment.lot_id))
    return _read(payment, lot_code or "")


def start(
    session: Session,
    provider: Provider,
    user_id: int,
    session_id: int,
    idempotency_key: str,
) -> tuple[PaymentRead, bool]:
    """Start paying the driver's ended session; (payment, True) when the key was used for
    this very request before. 404 / 409. Commits."""
    lock_user(session, user_id)  # one start per driver at a time: keys and sessions
    earlier = session.execute(
        _with_lot().where(Payment.user_id == user_id, Payment.idempotency_key == idempotency_key)
    ).one_or_none()
    if earlier is not None:
        payment, lot_code = earlier
        if (payment.session_id, payment.provider) != (session_id, provider.name):
            raise ConflictError(
                "idempotency-key-reused",
                f"this Idempotency-Key was used for payment {payment.id} of session"
                f" {payment.session_id} with provider {payment.provider}",
            )
        return _read(payment, lot_code), True
    stay, lot_code, amount = _payable_session(session, user_id, session_id)
    started = provider.start(StartRequest(idempotency_key, session_id, lot_code, amount))
    payment = Payment(
        session_id=session_id,
        user_id=user_id,
        lot_id=stay.lot_id,
        provider=provider.name,
        provider_ref=started.provider_ref,
        idempotency_key=idempotency_key,
        amount_minor=amount.amount_minor,
        currency=amount.currency,
        state=PaymentState.PENDING,
        next_action=asdict(started.next_action),
    )
    session.add(payment)
    read = _refresh(session, payment)
    session.commit()
    return read, False


def _payable_session(
    session: Session, user_id: int, session_id: int
) -> tuple[ParkingSession, str, Money]:
    found = session.execute(
        select(ParkingSession, ParkingLot.code)
        .join(ParkingLot, ParkingLot.id == ParkingSession.lot_id)
        .where(ParkingSession.id == session_id, ParkingSession.user_id == user_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"session {session_id}")
    stay, lot_code = found
    if stay.ended_at is None:
        raise ConflictError("session-open", f"session {session_id} has not ended yet")
    # A stay detection ended waits for the operations job's pricing round: price it now,
    # by the one pricer (a no-op without a tariff), rather than call it fee-less.
    if stay.fee_minor is None and price_sessions(driver_connection(session), [session_id]):
        session.refresh(stay, ["fee_minor", "fee_currency", "tariff_id"])
    if stay.fee_minor is None or stay.fee_currency is None:
        raise ConflictError("no-fee", f"session {session_id} has no fee to pay (no tariff)")
    if stay.fee_minor == 0:
        raise ConflictError("nothing-to-pay", f"session {session_id} cost nothing")
    try:
        amount = Money(stay.fee_minor, stay.fee_currency)
    except ValueError as exc:
        raise ConflictError("no-fee", f"session {session_id}'s fee cannot be paid: {exc}") from exc
    holding = session.scalar(
        select(Payment).where(
            Payment.session_id == session_id,
            Payment.state.in_([PaymentState.PENDING, PaymentState.SUCCEEDED]),
        )
    )
    if holding is not None and holding.state is PaymentState.SUCCEEDED:
        raise ConflictError("session-paid", f"session {session_id} is paid (payment {holding.id})")
    if holding is not None:
        raise ConflictError(
            "payment-pending",
            f"payment {holding.id} of session {session_id} is pending: finish or await it",
        )
    return stay, lot_code, amount


def session_payments(session: Session, user_id: int, session_id: int) -> list[PaymentRead]:
    """The payments of the driver's own session, newest first; 404 for anyone else's."""
    owner = session.scalar(select(ParkingSession.user_id).where(ParkingSession.id == session_id))
    if owner is None or owner != user_id:
        raise NotFoundError(f"session {session_id}")
    rows = session.execute(
        _with_lot().where(Payment.session_id == session_id).order_by(Payment.id.desc())
    )
    return [_read(payment, lot) for payment, lot in rows]


def _settle(payment: Payment, wanted: PaymentState, now: datetime) -> bool:
    """Move the locked `payment` to `wanted` if the rules allow; False: already there."""
    try:
        changes = transition(payment.state, wanted)
    except TransitionRefusedError as exc:
        raise ConflictError("payment-transition-refused", str(exc)) from exc
    if changes:
        payment.state = wanted
        if wanted is PaymentState.SUCCEEDED:
            payment.succeeded_at = now
        elif wanted is PaymentState.REFUNDED:
            payment.refunded_at = now
    return changes


def apply_event(
    session: Session, provider: str, event: ProviderEvent, now: datetime
) -> tuple[Outcome, PaymentRead]:
    """Apply a verified provider event to its payment once; a stored event id changes
    nothing. 404 for a reference no payment of `provider` has, 409 for a refused change.
    Commits (or rolls back: a refused event is not stored)."""
    payment = session.scalar(
        select(Payment)
        .where(Payment.provider == provider, Payment.provider_ref == event.provider_ref)
        .with_for_update()
    )
    if payment is None:
        raise NotFoundError(f"a {provider} payment with reference {event.provider_ref!r}")
    stored = session.scalar(
        pg_insert(PaymentEvent)
        .values(
            provider=provider,
            event_id=event.event_id,
            payment_id=payment.id,
            type=event.type,
            payload=event.payload,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(PaymentEvent.id)
    )
    if stored is None:
        read = _refresh(session, payment)
        session.rollback()
        return "duplicate", read
    try:
        changed = _settle(payment, event.state, now)
    except ConflictError:
        session.rollback()
        raise
    read = _refresh(session, payment)
    session.commit()
    return ("applied" if changed else "unchanged"), read


def confirm_manual(session: Session, tenant: Tenant, payment_id: int, now: datetime) -> PaymentRead:
    """Staff confirm a pay-desk payment: pending -> succeeded (already succeeded: no
    change). 404 / 403 / 409; audited. Commits."""
    found = session.execute(
        select(Payment, ParkingLot.operator_id)
        .join(ParkingLot, ParkingLot.id == Payment.lot_id)
        .where(Payment.id == payment_id)
        .with_for_update(of=Payment)
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"payment {payment_id}")
    payment, operator_id = found
    tenant.require(operator_id, f"payment {payment_id}")
    if payment.provider != MANUAL:
        raise ConflictError(
            "not-a-manual-payment",
            f"payment {payment_id} goes through {payment.provider}; its provider settles it",
        )
    before = payment.state
    if _settle(payment, PaymentState.SUCCEEDED, now):
        record(
            session,
            Actor(tenant.user_id, tenant.email),
            "payment.confirm",
            ("payment", str(payment_id)),
            operator_id=operator_id,
            before={"state": before.value},
            after={"state": payment.state.value},
        )
    read = _refresh(session, payment)
    session.commit()
    return read


def _selected(tenant: Tenant, where: Selection) -> Select[Payment, str]:
    query = _with_lot()
    if tenant.scope is not None:
        query = query.where(ParkingLot.operator_id == tenant.scope)
    if where.lot_id is not None:
        query = query.where(Payment.lot_id == where.lot_id)
    if where.since is not None:
        query = query.where(Payment.created_at >= where.since)
    if where.until is not None:
        query = query.where(Payment.created_at < where.until)
    if where.state is not None:
        query = query.where(Payment.state == where.state)
    return query


def list_payments(
    session: Session, tenant: Tenant, where: Selection, *, before: int | None, limit: int
) -> list[PaymentRead]:
    """One page of the caller's payments, newest first, ids below `before`."""
    query = pagination.keyset(_selected(tenant, where), Payment.id, before, limit, descending=True)
    return [_read(payment, lot) for payment, lot in session.execute(query)]


def export_payments(session: Session, tenant: Tenant, where: Selection) -> Iterator[PaymentRead]:
    """Every selected payment, newest first, read from a server-side cursor in batches."""
    query = _selected(tenant, where).order_by(Payment.id.desc())
    rows = session.execute(query.execution_options(yield_per=EXPORT_BATCH))
    for payment, lot in rows:
        yield _read(payment, lot)
