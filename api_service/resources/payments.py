"""Payments: a driver pays an ended session (`/sessions/{id}/payments`), and providers report
outcomes to `/payments/webhooks/{provider}` (public, signed with the provider's secret)."""

import re
from typing import Final

from flask import Blueprint, Response, current_app, request

from api_service.access import DRIVER, PUBLIC, current_user_id
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint, json_response
from api_service.errors import ApiError, FieldError, validation_error
from api_service.models.common import IdPath, Query
from api_service.models.payments import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY,
    AdminPaymentView,
    NextActionView,
    PaymentBody,
    PaymentList,
    PaymentView,
    WebhookResult,
)
from api_service.payments import registry
from api_service.payments.provider import EventError
from api_service.services import payments
from api_service.services.errors import NotFoundError
from api_service.settings import ApiSettings
from schemas.signing import HEADER as SIGNATURE_HEADER
from schemas.signing import SignatureError, verify

bp = Blueprint("payments", __name__, url_prefix="/api/v1")

_KEY: Final = re.compile(IDEMPOTENCY_KEY)
REPLAYED_HEADER: Final = "Idempotent-Replayed"
WEBHOOK_MAX_BYTES: Final = 8 * 1024


class ProviderPath(Query):
    provider: str


def payment_view(read: payments.PaymentRead) -> PaymentView:
    """A payment as its driver sees it."""
    action = read.next_action
    return PaymentView(
        id=read.id,
        session_id=read.session_id,
        lot_id=read.lot_code,
        provider=read.provider,
        provider_ref=read.provider_ref,
        amount_minor=read.amount_minor,
        currency=read.currency,
        state=read.state,
        created_at=read.created_at,
        updated_at=read.updated_at,
        succeeded_at=read.succeeded_at,
        refunded_at=read.refunded_at,
        next_action=NextActionView.model_validate(action) if action is not None else None,
    )


def admin_payment_view(read: payments.PaymentRead) -> AdminPaymentView:
    """A payment as staff see it: with the paying user."""
    return AdminPaymentView(**payment_view(read).model_dump(), user_id=read.user_id)


def _idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        problem = "required: a new unique value per payment (e.g. a UUID), the same on retries"
        raise validation_error([FieldError(IDEMPOTENCY_HEADER, problem)])
    if not _KEY.fullmatch(key):
        problem = "1 to 200 printable ASCII characters without spaces"
        raise validation_error([FieldError(IDEMPOTENCY_HEADER, problem)])
    return key


@bp.post("/sessions/<int:id>/payments")
@endpoint(
    RouteSpec(
        f"Pay my ended session's fee (send an {IDEMPOTENCY_HEADER} header; the same key "
        "returns the same payment)",
        DRIVER,
        "payments",
        rate="user",
        path=IdPath,
        body=PaymentBody,
        response=PaymentView,
        status=201,
        errors=(404, 409, 415),
        headers={REPLAYED_HEADER: "`true` when the key was used before: nothing new started."},
    )
)
def start(path: IdPath, body: PaymentBody) -> Response:
    key = _idempotency_key()
    provider = registry.provider(body.provider)
    assert provider is not None  # noqa: S101 - PaymentBody.problems checked the name
    read, replayed = payments.start(db_session(), provider, current_user_id(), path.id, key)
    response = json_response(payment_view(read), 201)
    response.headers[REPLAYED_HEADER] = "true" if replayed else "false"
    return response


@bp.get("/sessions/<int:id>/payments")
@endpoint(
    RouteSpec(
        "The payments of my session, newest first",
        DRIVER,
        "payments",
        rate="user",
        path=IdPath,
        response=PaymentList,
        errors=(404,),
    )
)
def list_for_session(path: IdPath) -> PaymentList:
    reads = payments.session_payments(db_session(), current_user_id(), path.id)
    return PaymentList(items=[payment_view(read) for read in reads])


@bp.post("/payments/webhooks/<provider>")
@endpoint(
    RouteSpec(
        f"A payment provider's event, signed ({SIGNATURE_HEADER}: t=...,v1=HMAC-SHA256 of "
        "'t.body' with the provider's secret); a repeated event id changes nothing",
        PUBLIC,
        "payments",
        rate="public",
        path=ProviderPath,
        response=WebhookResult,
        errors=(401, 404, 409, 413, 422),
    )
)
def webhook(path: ProviderPath) -> WebhookResult:
    settings: ApiSettings = current_app.extensions["parking_settings"]
    provider = registry.provider(path.provider)
    secret = settings.payment_webhook_secrets.get(path.provider)
    if provider is None or secret is None:
        raise ApiError(
            404, "not-found", "Not found", f"no payment provider {path.provider!r} takes webhooks"
        )
    request.max_content_length = WEBHOOK_MAX_BYTES
    body = request.get_data(cache=False)
    now = utcnow()
    try:
        verify(secret.get_secret_value().encode(), body, request.headers.get(SIGNATURE_HEADER), now)
    except SignatureError as exc:
        raise ApiError(401, "invalid-signature", "Unauthorized", str(exc)) from exc
    try:
        event = provider.parse_event(body)
    except EventError as exc:
        raise ApiError(422, "invalid-event", "Unprocessable Content", str(exc)) from exc
    try:
        outcome, read = payments.apply_event(db_session(), provider.name, event, now)
    except NotFoundError as exc:
        raise ApiError(422, "unknown-payment", "Unprocessable Content", exc.detail) from exc
    return WebhookResult(result=outcome, payment_id=read.id, state=read.state)
